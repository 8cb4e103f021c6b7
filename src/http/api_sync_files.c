/*
 * api_sync_files.c: sync packs as files from the browser, for peers the
 * network does not reach (a pack carried on a USB stick): GET
 * /api/v1/sync/export?to=NAME[&since=MARK] downloads what `attest sync
 * export --to NAME` writes, and POST /api/v1/sync/import?filename=F.pack
 * takes what `attest sync import PACK` reads, with the pack as the body.
 * The same core calls (sync_pack.c), so the same checks and messages: a
 * pack for another archive, not signed by a pinned peer, cut short or
 * altered is refused whole and nothing is imported.  Both are made in
 * anonymous in-memory files (the export in its own, the upload through
 * memupload.c), never in a file on disk, and gone when the request ends.
 */
#include "http.h"
#include "../core/sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The largest pack the browser may upload (it is held in memory while
 * it is read); a larger one is imported with `attest sync import`. */
#define SYNC_FILE_MAX ((uint64_t)1 << 30)

/* GET /api/v1/sync/export?to=NAME[&since=MARK] */
int api_sync_export(struct request *r)
{
    const char *to = http_arg(r, "to"), *since = http_arg(r, "since");
    struct sync_stats stats = { 0 };
    int fd, rc;

    if (to == NULL || *to == '\0')
        return http_error(r, 400, "invalid", "to", "\"to\" is required: the name of the pinned "
                          "peer the pack is for (the peers page lists them)");
    if ((fd = http_memfile(r, "attest-pack")) < 0)
        return (int)r->status;
    if ((rc = sync_export(&r->ctx, r->st, to, since, fd, &stats)) != AT_OK) {
        close(fd);
        return http_core_error(r, rc);
    }
    return http_reply_fd(r, fd, "application/octet-stream", "attachment; filename=\"attest.pack\"");
}

int api_sync_import_begin(struct request *r)
{
    return memupload_begin_file(r, SYNC_FILE_MAX, ".pack",
                                "a pack is a .pack file, as attest sync export writes it");
}

/* POST /api/v1/sync/import?filename=F.pack, the pack as the body */
int api_sync_import(struct request *r)
{
    struct sync_stats stats = { 0 };
    int status, rc, fd;

    if ((status = memupload_complete(r)) != 0)
        return status;
    if ((fd = dup(memupload_fd(r))) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        if (fd >= 0)
            close(fd);
        return http_error(r, 500, "internal", NULL, "cannot read the upload: %s", strerror(errno));
    }
    rc = sync_import(&r->ctx, r->st, fd, &stats);
    close(fd);
    if (rc != AT_OK) {
        /* A damaged pack is bad input here (the file was given), not the
         * archive's fault. */
        status = rc == AT_ECORRUPT ? http_error(r, 400, "corrupt", "body", "%s", r->ctx.message)
                                   : http_core_error(r, rc);
        json_object_set_new(json_object_get(r->reply, "error"), "imported", json_false());
        return status;
    }
    return http_json(r, 200, json_pack("{s:s, s:o}", "filename", memupload_filename(r),
                                       "imported", api_sync_stats_json(&stats)));
}
