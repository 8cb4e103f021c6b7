/*
 * memupload.c: an uploaded file kept in memory only while its request lasts:
 * the body, as it arrives, goes into an anonymous in-memory file
 * (memfd_create), which never has a name on disk, so that no plaintext is
 * left behind however the request or the server ends; core reads it by
 * its path under /proc/self/fd.  For the files a browser sends to be read
 * once and not kept: a file of records to import (api_import.c), a bundle
 * to check (api_verify.c), a sync pack (api_sync_files.c).  The head of every upload written as it arrives
 * (these, and a basemap spooled to a file in api_basemap.c) is checked
 * here, its size and name (memupload_head; an evidence upload's size too,
 * memupload_length), and each piece written by memupload_spool.
 */
#include "http.h"
#include "server.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

/* Files held in memory at once, in all: each may be up to its route's
 * bound, so a few at a time. */
#define MEMUPLOAD_AT_ONCE 4
static atomic_int held;

struct memupload {
    struct spool sp;
    char path[64];
};

int memupload_length(struct request *r, uint64_t least, uint64_t *n)
{
    const char *length = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    char *end = NULL;

    *n = 0;
    if (length && *length >= '0' && *length <= '9') {
        errno = 0;
        *n = strtoull(length, &end, 10);
    }
    if (end == NULL || *end != '\0' || errno != 0 || *n < least)
        return http_error(r, 411, "length_required", NULL, "an upload needs a Content-Length "
                          "header giving the file's size in bytes");
    return 0;
}

int memupload_head(struct request *r, uint64_t max, const char *names, struct spool *sp)
{
    const char *filename = http_arg(r, "filename");
    uint64_t n;
    int status;

    if (max > server_upload_limits()->bytes_per_user)
        max = server_upload_limits()->bytes_per_user;
    if ((status = memupload_length(r, 1, &n)) != 0)
        return status;
    if (n > max)
        return http_error(r, 413, "too_large", NULL, "the file is larger than the server accepts "
                          "here (%llu bytes)", (unsigned long long)max);
    if (filename == NULL || *filename == '\0' || strlen(filename) >= sizeof sp->filename
        || strchr(filename, '/'))
        return http_error(r, 400, "invalid", "filename", "\"filename\" must be the file's name "
                          "(no folder)%s", names);
    snprintf(sp->filename, sizeof sp->filename, "%s", filename);
    sp->declared = n;
    return 0;
}

int memupload_begin(struct request *r, uint64_t max)
{
    struct spool head = { .fd = -1 };
    struct memupload *s;
    int status;

    if ((status = memupload_head(r, max, "", &head)) != 0)
        return status;
    if (atomic_fetch_add(&held, 1) >= MEMUPLOAD_AT_ONCE) {
        atomic_fetch_sub(&held, 1);
        return http_error(r, 503, "busy", NULL, "the server is reading %d such files already; "
                          "try again when one is done", MEMUPLOAD_AT_ONCE);
    }
    s = xcalloc(1, sizeof *s);
    s->sp = head;
    if ((s->sp.fd = memfd_create("attest-upload", MFD_CLOEXEC)) < 0) {
        free(s);
        atomic_fetch_sub(&held, 1);
        return http_error(r, 500, "internal", NULL, "cannot keep the upload: %s", strerror(errno));
    }
    snprintf(s->path, sizeof s->path, "/proc/self/fd/%d", s->sp.fd);
    r->memupload = s;
    return 0;
}

int memupload_begin_file(struct request *r, uint64_t max, const char *ext, const char *what)
{
    const char *filename = http_arg(r, "filename");
    size_t n = filename ? strlen(filename) : 0, e = strlen(ext);

    if (n <= e || strcasecmp(filename + n - e, ext) != 0)
        return http_error(r, 400, "invalid", "filename", "\"filename\": %s", what);
    return memupload_begin(r, max);
}

void memupload_spool(struct spool *sp, const char *data, size_t size)
{
    if (sp->failed)
        return;
    if (sp->received + size > sp->declared) {
        sp->failed = true;
        snprintf(sp->why, sizeof sp->why, "the body is longer than its Content-Length");
        return;
    }
    while (size > 0) {
        ssize_t w = write(sp->fd, data, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            sp->failed = true;
            snprintf(sp->why, sizeof sp->why, "cannot keep the upload: %s", strerror(errno));
            return;
        }
        data += w;
        size -= (size_t)w;
        sp->received += (uint64_t)w;
    }
}

void memupload_take(struct request *r, const char *data, size_t size)
{
    memupload_spool(&r->memupload->sp, data, size);
}

void memupload_end(struct request *r)
{
    struct memupload *s = r->memupload;

    if (s == NULL)
        return;
    close(s->sp.fd);
    free(s);
    atomic_fetch_sub(&held, 1);
    r->memupload = NULL;
}

int memupload_complete(struct request *r)
{
    struct memupload *s = r->memupload;

    if (s == NULL)
        return http_error(r, 400, "invalid", "body", "send the file as the body, with ?filename=");
    if (s->sp.failed || s->sp.received != s->sp.declared)
        return http_error(r, 400, "invalid", "body", "%s", s->sp.failed ? s->sp.why
                          : "the upload ended before its Content-Length");
    return 0;
}

const char *memupload_path(const struct request *r)
{
    return r->memupload->path;
}

const char *memupload_filename(const struct request *r)
{
    return r->memupload->sp.filename;
}

int memupload_fd(const struct request *r)
{
    return r->memupload->sp.fd;
}
