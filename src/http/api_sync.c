/*
 * api_sync.c: /api/v1/sync: packs between archives over the network.
 *
 * A push is a resumable upload of one pack (the same bytes `attest sync
 * export` writes, already signed by the sending archive and encrypted to
 * this one): POST /uploads declares its length and returns an id and the
 * offset received so far (0); PUT /uploads/{id} appends one chunk at the
 * offset it names (?offset=N or Content-Range: bytes A-B/TOTAL), refusing
 * a gap or an overlap with 409 and the offset the server holds; GET (or
 * HEAD) /uploads/{id} tells that offset after an interruption; POST
 * /uploads/{id}/apply imports the complete pack (sync_import, one
 * transaction) and answers with this archive's mark, which the client
 * records as what this archive holds.
 *
 * Uploads are spooled in sync-uploads/ inside the archive directory (mode
 * 0700, files 0600), each as ID.pack with ID.meta beside it (the user who
 * made it and the declared length).  A chunk is one request body, so at
 * most HTTP_MAX_BODY bytes.  The upload limits of `attest serve` bound
 * what is spooled per user and in all; an upload untouched for
 * SYNC_UPLOAD_TTL_S is removed by the next one made.
 *
 * A pull (GET /pack?archive=ID[&since=MARK]) exports for the peer whose
 * archive id the caller gives, since the mark it says it holds (or the
 * mark this archive last heard from it), into an unlinked file in the
 * spool that is then streamed.
 *
 * Who may push or pull is the route's action (ACTION_SYNC); which archive
 * a pack came from is decided by its signature alone (sync_import).
 */
#include "http.h"
#include "server.h"
#include "../core/sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define SYNC_SPOOL "sync-uploads"
#define SYNC_UPLOAD_TTL_S (24 * 60 * 60)
#define SYNC_ID_BYTES 16
#define SYNC_ID_LEN (2 * SYNC_ID_BYTES)

/* One lock for the spool: creating, appending and applying are each
 * checked and done under it, so that two requests for one upload cannot
 * both append at one offset. */
static pthread_mutex_t spool_lock = PTHREAD_MUTEX_INITIALIZER;

/* An upload as its meta file records it. */
struct spooled {
    char id[SYNC_ID_LEN + 1];
    char user[64];
    uint64_t length;   /* declared */
    uint64_t offset;   /* received: the pack file's size */
    time_t touched;    /* the pack file's last change */
};

static void spool_path(struct buf *out, const char *id, const char *ext)
{
    buf_printf(out, "%s/" SYNC_SPOOL, server_archive());
    if (id)
        buf_printf(out, "/%s.%s", id, ext);
}

/* Makes the spool directory, private to the server's user. */
static int spool_dir(struct request *r)
{
    struct buf dir = BUF_INIT;
    int rc = 0;

    spool_path(&dir, NULL, NULL);
    if (mkdir(buf_str(&dir), 0700) != 0 && errno != EEXIST)
        rc = http_error(r, 500, "internal", NULL, "cannot make the upload spool: %s", strerror(errno));
    else
        chmod(buf_str(&dir), 0700);
    buf_free(&dir);
    return rc;
}

static bool valid_id(const char *id)
{
    return strlen(id) == SYNC_ID_LEN && strspn(id, "0123456789abcdef") == SYNC_ID_LEN;
}

/* Reads the upload id from the spool into *u; false when there is none. */
static bool spool_read(const char *id, struct spooled *u)
{
    struct buf path = BUF_INIT;
    struct stat sb;
    FILE *f;
    bool ok = false;

    memset(u, 0, sizeof *u);
    if (!valid_id(id))
        return false;
    snprintf(u->id, sizeof u->id, "%s", id);
    spool_path(&path, id, "meta");
    if ((f = fopen(buf_str(&path), "r")) != NULL) {
        ok = fscanf(f, "%63s %" SCNu64, u->user, &u->length) == 2;
        fclose(f);
    }
    buf_reset(&path);
    spool_path(&path, id, "pack");
    if (ok && stat(buf_str(&path), &sb) == 0) {
        u->offset = (uint64_t)sb.st_size;
        u->touched = sb.st_mtime;
    } else {
        ok = false;
    }
    buf_free(&path);
    return ok;
}

static void spool_remove(const char *id)
{
    struct buf path = BUF_INIT;

    spool_path(&path, id, "pack");
    unlink(buf_str(&path));
    buf_reset(&path);
    spool_path(&path, id, "meta");
    unlink(buf_str(&path));
    buf_free(&path);
}

/* Removes stale uploads and counts what the others hold, in all and for
 * user.  Under the lock. */
struct spool_use {
    unsigned uploads, user_uploads;
    uint64_t bytes, user_bytes;
};

static void spool_sweep(const char *user, struct spool_use *use)
{
    struct buf dir = BUF_INIT;
    struct dirent *e;
    time_t now = time(NULL);
    DIR *d;

    memset(use, 0, sizeof *use);
    spool_path(&dir, NULL, NULL);
    if ((d = opendir(buf_str(&dir))) != NULL) {
        while ((e = readdir(d)) != NULL) {
            char id[SYNC_ID_LEN + 1];
            struct spooled u;
            size_t n = strlen(e->d_name);

            if (n != SYNC_ID_LEN + 5 || strcmp(e->d_name + SYNC_ID_LEN, ".meta") != 0)
                continue;
            snprintf(id, sizeof id, "%.*s", SYNC_ID_LEN, e->d_name);
            if (!spool_read(id, &u) || now - u.touched > SYNC_UPLOAD_TTL_S) {
                spool_remove(id);
                continue;
            }
            use->uploads++;
            use->bytes += u.length;
            if (strcmp(u.user, user) == 0) {
                use->user_uploads++;
                use->user_bytes += u.length;
            }
        }
        closedir(d);
    }
    buf_free(&dir);
}

static json_t *upload_json(const struct spooled *u)
{
    return json_pack("{s:s, s:I, s:I, s:b}", "id", u->id, "offset", (json_int_t)u->offset,
                     "length", (json_int_t)u->length, "complete", u->offset == u->length);
}

/* The upload named in the path, made by the caller: 0, or the status set. */
static int upload_of(struct request *r, struct spooled *u)
{
    if (!spool_read(r->params[0], u) || strcmp(u->user, r->keys.user) != 0)
        return http_error(r, 404, "not_found", NULL, "no upload %s (it may have expired after "
                          "%d hours untouched): start again with POST /api/v1/sync/uploads",
                          r->params[0], SYNC_UPLOAD_TTL_S / 3600);
    return 0;
}

/* Bytes free on the archive's file system. */
static uint64_t disk_free(void)
{
    struct statvfs vfs;

    if (statvfs(server_archive(), &vfs) != 0)
        return UINT64_MAX;
    return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

/* The spool's limits for a new upload of length bytes: 0, or the status set. */
static int spool_admit(struct request *r, uint64_t length, const struct spool_use *use)
{
    const struct upload_limits *lim = server_upload_limits();

    if (length > lim->bytes_per_user)
        return http_error(r, 413, "too_large", "length", "the pack is %" PRIu64 " bytes; this "
                          "server takes at most %" PRIu64 " bytes of uploads from one user",
                          length, lim->bytes_per_user);
    if (use->uploads >= lim->total)
        return http_error(r, 429, "too_many_uploads", NULL, "the server holds %u unfinished "
                          "uploads, as many as it takes; try again later", use->uploads);
    if (use->user_uploads >= lim->per_user || use->user_bytes + length > lim->bytes_per_user)
        return http_error(r, 429, "too_many_uploads", NULL, "you have %u unfinished uploads "
                          "(%" PRIu64 " bytes); finish or delete one first (DELETE "
                          "/api/v1/sync/uploads/ID)", use->user_uploads, use->user_bytes);
    if (use->bytes + length > disk_free())
        return http_error(r, 507, "insufficient_storage", NULL, "the server's disk has no room "
                          "for %" PRIu64 " more bytes", length);
    return 0;
}

int api_sync_upload_create(struct request *r)
{
    const char *text = http_arg(r, "length");
    uint8_t raw[SYNC_ID_BYTES];
    struct spooled u = { 0 };
    struct spool_use use;
    struct buf path = BUF_INIT;
    char *end = NULL;
    int fd, status;
    FILE *f;

    if (text && *text >= '0' && *text <= '9') {
        errno = 0;
        u.length = strtoull(text, &end, 10);
    }
    if (end == NULL || *end != '\0' || errno != 0 || u.length == 0)
        return http_error(r, 400, "invalid", "length", "give the pack's size in bytes in "
                          "?length= (a whole number above 0)");
    if ((status = spool_dir(r)) != 0)
        return status;
    pthread_mutex_lock(&spool_lock);
    spool_sweep(r->keys.user, &use);
    if ((status = spool_admit(r, u.length, &use)) != 0)
        goto out;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(u.id, sizeof u.id, raw, sizeof raw);
    snprintf(u.user, sizeof u.user, "%s", r->keys.user);
    spool_path(&path, u.id, "pack");
    if ((fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        status = http_error(r, 500, "internal", NULL, "cannot make the upload: %s", strerror(errno));
        goto out;
    }
    close(fd);
    buf_reset(&path);
    spool_path(&path, u.id, "meta");
    fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        spool_remove(u.id);
        status = http_error(r, 500, "internal", NULL, "cannot make the upload: %s", strerror(errno));
        goto out;
    }
    fprintf(f, "%s %" PRIu64 "\n", u.user, u.length);
    if (fclose(f) != 0) {
        spool_remove(u.id);
        status = http_error(r, 500, "internal", NULL, "cannot make the upload: %s", strerror(errno));
        goto out;
    }
    status = http_json(r, 201, upload_json(&u));
out:
    pthread_mutex_unlock(&spool_lock);
    buf_free(&path);
    return status;
}

int api_sync_upload_get(struct request *r)
{
    struct spooled u;
    int status;

    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) == 0)
        status = http_json(r, 200, upload_json(&u));
    pthread_mutex_unlock(&spool_lock);
    return status;
}

int api_sync_upload_delete(struct request *r)
{
    struct spooled u;
    int status;

    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) == 0) {
        spool_remove(u.id);
        status = http_json(r, 200, json_pack("{s:s, s:b}", "id", u.id, "deleted", 1));
    }
    pthread_mutex_unlock(&spool_lock);
    return status;
}

/* Where the chunk says it starts: ?offset=N or Content-Range: bytes A-B/T
 * (B the last byte, T the pack's length or *).  0, or the status set. */
static int chunk_offset(struct request *r, const struct spooled *u, uint64_t *offset)
{
    const char *range = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Range");
    const char *text = http_arg(r, "offset");
    uint64_t first, last, total;
    char tail[32];
    char *end = NULL;

    if (range) {
        if (sscanf(range, "bytes %" SCNu64 "-%" SCNu64 "/%31s", &first, &last, tail) != 3
            || last < first || last - first + 1 != r->body.len)
            return http_error(r, 400, "invalid", "Content-Range", "Content-Range must be "
                              "\"bytes FIRST-LAST/LENGTH\" with LAST-FIRST+1 the body's %zu "
                              "bytes", r->body.len);
        total = strcmp(tail, "*") == 0 ? u->length : strtoull(tail, NULL, 10);
        if (total != u->length)
            return http_error(r, 400, "invalid", "Content-Range", "the upload's length is %"
                              PRIu64 " bytes, not %s", u->length, tail);
        *offset = first;
        return 0;
    }
    if (text && *text >= '0' && *text <= '9') {
        errno = 0;
        *offset = strtoull(text, &end, 10);
    }
    if (end == NULL || *end != '\0' || errno != 0)
        return http_error(r, 400, "invalid", "offset", "say where the chunk starts: ?offset=N "
                          "or a Content-Range header");
    return 0;
}

int api_sync_upload_put(struct request *r)
{
    struct buf path = BUF_INIT;
    struct spooled u;
    uint64_t offset = 0;
    int status, fd = -1;

    if (r->body.len == 0)
        return http_error(r, 400, "invalid", "body", "a chunk needs a body of 1 to %d bytes",
                          HTTP_MAX_BODY);
    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) != 0 || (status = chunk_offset(r, &u, &offset)) != 0)
        goto out;
    if (offset != u.offset) {
        status = http_error(r, 409, "conflict", "offset", "the server holds %" PRIu64
                            " bytes of this upload; the next chunk must start at %" PRIu64
                            ", not %" PRIu64 " (%s)", u.offset, u.offset, offset,
                            offset < u.offset ? "it overlaps what was received" : "it leaves a gap");
        json_object_set_new(r->reply, "offset", json_integer((json_int_t)u.offset));
        goto out;
    }
    if (r->body.len > u.length - u.offset) {
        status = http_error(r, 400, "invalid", "body", "the chunk runs %" PRIu64 " bytes past "
                            "the upload's declared length of %" PRIu64,
                            (uint64_t)r->body.len - (u.length - u.offset), u.length);
        goto out;
    }
    spool_path(&path, u.id, "pack");
    if ((fd = open(buf_str(&path), O_WRONLY | O_APPEND | O_CLOEXEC)) < 0
        || write(fd, r->body.data, r->body.len) != (ssize_t)r->body.len || fdatasync(fd) != 0) {
        status = http_error(r, 500, "internal", NULL, "cannot store the chunk: %s", strerror(errno));
        /* A short write leaves the file longer than what was acknowledged:
         * cut it back, so that the client resumes where the server says. */
        if (fd >= 0 && ftruncate(fd, (off_t)u.offset) != 0)
            spool_remove(u.id);
        goto out;
    }
    u.offset += r->body.len;
    status = http_json(r, 200, upload_json(&u));
out:
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&spool_lock);
    buf_free(&path);
    return status;
}

static json_t *stats_json(const struct sync_stats *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "versions", (json_int_t)s->versions,
                     "items", (json_int_t)s->items, "files", (json_int_t)s->files,
                     "bytes", (json_int_t)s->bytes, "already_held", (json_int_t)s->skipped_already,
                     "conflicts", (json_int_t)s->conflicts);
}

int api_sync_upload_apply(struct request *r)
{
    struct sync_stats stats = { 0 };
    struct buf path = BUF_INIT, mark = BUF_INIT;
    struct spooled u;
    int status, rc, fd = -1;

    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) == 0 && u.offset != u.length) {
        status = http_error(r, 409, "conflict", NULL, "the server holds %" PRIu64 " of the "
                            "pack's %" PRIu64 " bytes; send the rest from offset %" PRIu64
                            " first", u.offset, u.length, u.offset);
        json_object_set_new(r->reply, "offset", json_integer((json_int_t)u.offset));
    }
    if (status == 0) {
        spool_path(&path, u.id, "pack");
        if ((fd = open(buf_str(&path), O_RDONLY | O_CLOEXEC)) < 0)
            status = http_error(r, 500, "internal", NULL, "cannot read the upload: %s", strerror(errno));
    }
    /* The import may be long: other uploads go on meanwhile.  A complete
     * upload takes no more chunks, and importing is idempotent. */
    pthread_mutex_unlock(&spool_lock);
    if (status != 0)
        goto out;
    rc = sync_import(&r->ctx, r->st, fd, &stats);
    if (rc == AT_OK)
        rc = sync_mark(&r->ctx, r->st, &mark);
    /* A pack refused for what it is will never be taken: drop it.  Kept
     * on other failures, so that the client may apply it again. */
    if (rc == AT_OK || rc == AT_EINVAL || rc == AT_EDENIED || rc == AT_ECORRUPT) {
        pthread_mutex_lock(&spool_lock);
        spool_remove(u.id);
        pthread_mutex_unlock(&spool_lock);
    }
    if (rc != AT_OK)
        status = http_core_error(r, rc);
    else
        status = http_json(r, 200, json_pack("{s:s, s:s, s:o}", "id", u.id, "mark", buf_str(&mark),
                                             "applied", stats_json(&stats)));
out:
    if (fd >= 0)
        close(fd);
    buf_free(&path);
    buf_free(&mark);
    return status;
}

int api_sync_mark(struct request *r)
{
    struct buf mark = BUF_INIT;
    int rc = sync_mark(&r->ctx, r->st, &mark);

    if (rc == AT_OK)
        rc = http_json(r, 200, json_pack("{s:s}", "mark", buf_str(&mark)));
    else
        rc = http_core_error(r, rc);
    buf_free(&mark);
    return rc;
}

/* The name this archive gives the peer whose archive id is archive, into
 * out: 0, or the status set. */
static int peer_named(struct request *r, const char *archive, char *out, size_t n)
{
    json_t *peers = NULL, *p;
    size_t i;
    int status = -1;

    if (archive == NULL || *archive == '\0')
        return http_error(r, 400, "invalid", "archive", "give your archive's id in ?archive= "
                          "(the id in your `attest key show` line)");
    if (sync_peer_list(&r->ctx, r->st, &peers) != AT_OK)
        return http_core_error(r, r->ctx.code ? r->ctx.code : AT_ERR);
    json_array_foreach(peers, i, p) {
        const char *id = json_string_value(json_object_get(p, "archive"));
        if (id && strcmp(id, archive) == 0) {
            snprintf(out, n, "%s", json_string_value(json_object_get(p, "name")) ?: "");
            status = 0;
            break;
        }
    }
    json_decref(peers);
    if (status != 0)
        status = http_error(r, 404, "not_found", "archive", "this archive has not pinned archive "
                            "%s: its administrator adds it with `attest peers add`", archive);
    return status;
}

int api_sync_pack(struct request *r)
{
    struct sync_stats stats = { 0 };
    struct buf dir = BUF_INIT;
    char peer[128];
    struct stat sb;
    int status, rc, fd = -1;

    if ((status = peer_named(r, http_arg(r, "archive"), peer, sizeof peer)) != 0
        || (status = spool_dir(r)) != 0)
        return status;
    spool_path(&dir, NULL, NULL);
    rc = sync_tmpfile(&r->ctx, buf_str(&dir), 0, &fd);
    buf_free(&dir);
    if (rc != AT_OK)
        return http_error(r, 500, "internal", NULL, "cannot make a temporary file");
    rc = sync_export(&r->ctx, r->st, peer, http_arg(r, "since"), fd, &stats);
    if (rc != AT_OK) {
        close(fd);
        return http_core_error(r, rc);
    }
    if (fstat(fd, &sb) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return http_error(r, 500, "internal", NULL, "cannot read the pack back");
    }
    r->file_fd = fd;
    r->file_len = (uint64_t)sb.st_size;
    r->content_type = "application/octet-stream";
    r->disposition = "attachment; filename=\"attest.pack\"";
    r->status = 200;
    return 200;
}

int api_sync_conflicts(struct request *r)
{
    json_t *list = NULL;
    int rc = sync_conflicts(&r->ctx, r->st, &list);   /* only what the reader may see */

    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "conflicts", list));
}
