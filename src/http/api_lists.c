/*
 * api_lists.c: the sanctions list versions the archive holds (GET
 * /api/v1/lists, as `attest lists --json`), what changed between two
 * versions of one list (GET /api/v1/lists/{version}/diff[?from=OLD], as
 * `attest lists diff`: without from, against the version just before),
 * one entry as a version lists it (GET /api/v1/lists/{version}/entries/{key},
 * as `attest lists show`), and a new version of the UN list loaded from
 * the browser (POST /api/v1/lists?source=un&filename=F with the XML file
 * as the body, as `attest lists import un`): the file is kept in memory
 * only (memupload.c), and read and imported by core as the CLI does.  An
 * OFAC list, a folder of up to four files, comes as one tar or zip archive
 * of them (?source=ofac[&date=YYYY-MM-DD], as `attest lists import ofac DIR`):
 * each of its files is copied into an in-memory file of its own, with the
 * modification time the archive gives it, and core reads those as it reads
 * the folder's files.
 */
#include "http.h"
#include "../core/lists.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The most a list file may be: the UN consolidated list is a few MB. */
#define LISTS_MAX_BYTES ((uint64_t)64 << 20)

int api_lists(struct request *r)
{
    json_t *versions = NULL;
    int rc = lists_versions(&r->ctx, r->st, &versions);

    return rc == AT_OK ? http_json(r, 200, versions) : http_core_error(r, rc);
}

int api_lists_diff(struct request *r)
{
    const char *from = http_arg(r, "from");
    char new_version[64], old_version[64];
    json_t *diff = NULL;
    int rc;

    if ((rc = lists_resolve(&r->ctx, r->st, r->params[0], new_version)) != AT_OK)
        return http_core_error(r, rc);
    rc = from ? lists_resolve(&r->ctx, r->st, from, old_version)
              : lists_previous(&r->ctx, r->st, new_version, old_version);
    if (rc == AT_OK)
        rc = lists_diff(&r->ctx, r->st, old_version, new_version, &diff);
    if (rc == AT_EINVAL && from)
        return http_error(r, 400, "invalid", "from", "%s", r->ctx.message);
    return rc == AT_OK ? http_json(r, 200, diff) : http_core_error(r, rc);
}

int api_lists_entry(struct request *r)
{
    char version[64];
    json_t *entry = NULL;
    int rc;

    if ((rc = lists_resolve(&r->ctx, r->st, r->params[0], version)) == AT_OK)
        rc = lists_entry(&r->ctx, r->st, version, r->params[1], &entry);
    return rc == AT_OK ? http_json(r, 200, entry) : http_core_error(r, rc);
}

/* Checks ?source= (and an OFAC list's ?date=) before the file is read. */
int api_lists_upload_begin(struct request *r)
{
    const char *source = http_arg(r, "source"), *date = http_arg(r, "date");

    if (source == NULL || (strcmp(source, "un") != 0 && strcmp(source, "ofac") != 0))
        return http_error(r, 400, "invalid", "source", "?source= must be \"un\" (the UN consolidated "
                          "list's XML file) or \"ofac\" (OFAC's files, %s required, in one tar "
                          "archive)", lists_ofac_names[0]);
    if (date && (strcmp(source, "ofac") != 0 || !lists_date_valid(date)))
        return http_error(r, 400, "invalid", "date", "?date= \"%s\" is not a date; want YYYY-MM-DD "
                          "(only for ?source=ofac, whose files carry no date)", date);
    return memupload_begin(r, LISTS_MAX_BYTES);
}

/* The OFAC files in the uploaded tar or zip archive, each copied into an
 * in-memory file (fds[i], -1 when absent) dated as the archive dates it.
 * 0, or the reply refusing the archive, naming the upload and the member. */
static int ofac_unpack(struct request *r, int fds[LISTS_OFAC_FILES])
{
    const char *upload = memupload_filename(r);
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char chunk[1 << 16];
    la_ssize_t n = 0;
    int status = 0, got;

    archive_read_support_format_tar(a);
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, memupload_path(r), sizeof chunk) != ARCHIVE_OK) {
        got = ARCHIVE_FATAL;
        goto out;
    }
    while (status == 0 && (got = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e), *base = strrchr(name, '/');
        struct timespec times[2];
        size_t i;

        base = base ? base + 1 : name;
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        for (i = 0; i < LISTS_OFAC_FILES && strcmp(base, lists_ofac_names[i]) != 0; i++)
            ;
        if (i == LISTS_OFAC_FILES || fds[i] >= 0) {
            status = http_error(r, 400, "invalid", NULL, "%s: %s %s; want only %s, %s, %s and %s, "
                                "each once", upload, name, i == LISTS_OFAC_FILES ?
                                "is not one of OFAC's files" : "is there twice", lists_ofac_names[0],
                                lists_ofac_names[1], lists_ofac_names[2], lists_ofac_names[3]);
            break;
        }
        if ((fds[i] = memfd_create("attest-ofac", MFD_CLOEXEC)) < 0) {
            status = http_error(r, 503, "busy", NULL, "the server could not hold %s in memory; try "
                                "again", name);
            break;
        }
        while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0)
            if (write(fds[i], chunk, (size_t)n) != n) {
                status = http_error(r, 503, "busy", NULL, "the server could not hold %s in memory; "
                                    "try again", name);
                break;
            }
        if (n < 0) {
            status = http_error(r, 400, "invalid", NULL, "%s: %s is damaged: %s", upload, name,
                                archive_error_string(a));
            break;
        }
        times[0] = times[1] = (struct timespec){ .tv_sec = archive_entry_mtime(e) };
        futimens(fds[i], times);
    }
out:
    if (status == 0 && got != ARCHIVE_EOF)
        status = http_error(r, 400, "invalid", NULL, "%s is not a tar or zip archive of OFAC's files "
                            "(%s, and %s, %s, %s if present), or it is damaged", upload,
                            lists_ofac_names[0], lists_ofac_names[1], lists_ofac_names[2],
                            lists_ofac_names[3]);
    else if (status == 0 && fds[0] < 0)
        status = http_error(r, 400, "invalid", NULL, "%s holds no %s: OFAC's list needs it (%s, %s "
                            "and %s are read if present)", upload, lists_ofac_names[0],
                            lists_ofac_names[1], lists_ofac_names[2], lists_ofac_names[3]);
    archive_read_free(a);
    return status;
}

/* Reads the OFAC files of the upload as core reads a folder's; error
 * messages name each file as the CLI does, never the server's paths. */
static int ofac_read(struct request *r, struct list_data *data, int *status)
{
    int fds[LISTS_OFAC_FILES] = { -1, -1, -1, -1 };
    char held[LISTS_OFAC_FILES][32];
    const char *paths[LISTS_OFAC_FILES] = { NULL };
    int rc = AT_ERR;

    if ((*status = ofac_unpack(r, fds)) == 0) {
        for (size_t i = 0; i < LISTS_OFAC_FILES; i++)
            if (fds[i] >= 0) {
                snprintf(held[i], sizeof held[i], "/proc/self/fd/%d", fds[i]);
                paths[i] = held[i];
            }
        rc = lists_read_ofac_files(&r->ctx, paths, http_arg(r, "date"), data);
        for (size_t i = 0; i < LISTS_OFAC_FILES; i++)
            if (paths[i])
                http_message_rename(r, paths[i], lists_ofac_names[i]);
    }
    for (size_t i = 0; i < LISTS_OFAC_FILES; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

int api_lists_import(struct request *r)
{
    struct list_data data;
    char version[64];
    bool already = false;
    size_t n;
    int rc;

    int status = 0;

    if ((rc = memupload_complete(r)) != 0)
        return rc;
    if (strcmp(http_arg(r, "source"), "ofac") == 0) {
        if ((rc = ofac_read(r, &data, &status)) != AT_OK && status != 0)
            return status;
    } else {
        rc = lists_read_un(&r->ctx, memupload_path(r), &data);
        http_message_rename(r, memupload_path(r), memupload_filename(r));
    }
    if (rc != AT_OK)
        return http_core_error(r, rc);
    n = json_array_size(data.entries);
    rc = lists_import(&r->ctx, r->st, &data, version, &already);
    lists_data_free(&data);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, already ? 200 : 201, json_pack("{s:s, s:s, s:I, s:b}", "file",
                     memupload_filename(r), "version", version, "entries", (json_int_t)n,
                     "already", already));
}
