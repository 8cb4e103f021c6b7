/*
 * api_travel.c: `attest travel` and `attest travel restore URL` for the
 * browser (web/travel.js), under /api/v1/sync/peers/{name}/, for the
 * centre NAME, a pinned team peer.
 *
 * POST .../travel {confirm, token?, url?}: confirm must be NAME, typed by
 * the user.  The travel pack goes to sync-travel/NAME.pack in the archive
 * directory (sync_net_travel_path) and the archive is emptied (sync_travel:
 * the same core call, and so the same right, sync, as the CLI).  With a
 * token (and the centre's address given or kept with the peer) the pack is
 * then delivered to the centre's server by a sync job of kind "deliver"
 * (api_sync_jobs.c), and removed once applied there: the request answers
 * at once with the job, which the browser follows (GET .../jobs/{id}); a
 * delivery that fails leaves the travel done and the pack waiting.
 * GET .../travel: the pack that waits, to download and carry apart (it is
 * encrypted to the centre: this archive cannot open it).
 * POST .../restore {token, url?}, which delivers a pack that still waits,
 * then pulls everything from the centre (sync_net_restore), and removes the
 * pack once both are whole, is a sync job (api_sync_jobs.c), as a push is.
 */
#include "http.h"
#include "../core/sync.h"
#include "../core/sync_net.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The travel pack kept for the centre named in the path, in *path; 0 or
 * the status of the error reply. */
static int kept_pack(struct request *r, struct buf *path)
{
    int rc = sync_net_travel_path(&r->ctx, r->st, r->params[0], path);

    return rc == AT_OK ? 0 : http_core_error(r, rc);
}

/* The text of the error reply r holds. */
static const char *reply_message(struct request *r)
{
    return json_string_value(json_object_get(json_object_get(r->reply, "error"), "message")) ?: "failed";
}

int api_sync_travel(struct request *r)
{
    const char *centre = r->params[0], *confirm, *token;
    json_t *body = http_body_json(r, true), *delivery = json_null(), *kept, *job;
    struct sync_stats packed = { 0 };
    struct travel_report removed = { 0 };
    struct buf path = BUF_INIT;
    struct stat sb;
    int status, rc, fd;

    if (body == NULL) {
        status = (int)r->status;
        goto out;
    }
    confirm = json_string_value(json_object_get(body, "confirm"));
    token = json_string_value(json_object_get(body, "token"));
    if (confirm == NULL || strcmp(confirm, centre) != 0) {
        status = http_error(r, 400, "invalid", "confirm", "\"confirm\" must be the centre's name, "
                            "%s, typed to confirm that every record, identity and piece of evidence "
                            "is removed from this archive", centre);
        goto out;
    }
    if ((status = kept_pack(r, &path)) != 0)
        goto out;
    if ((fd = open(buf_str(&path), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        status = errno == EEXIST
                     ? http_error(r, 409, "conflict", NULL, "a travel pack for %s waits here already: "
                                  "download it, or restore from %s, which delivers it first",
                                  centre, centre)
                     : http_error(r, 500, "internal", NULL, "cannot make the travel pack: %s",
                                  strerror(errno));
        goto out;
    }
    rc = sync_travel(&r->ctx, r->st, centre, fd, &packed, &removed);
    close(fd);
    if (rc != AT_OK && removed.upto == 0)
        unlink(buf_str(&path));   /* nothing was removed: the pack is not needed */
    if (rc != AT_OK) {
        status = http_core_error(r, rc);
        goto out;
    }
    /* The delivery: {job} once started, {error} when it could not start. */
    if (token && *token)
        delivery = (job = api_sync_job_deliver(r, body)) != NULL
                       ? json_pack("{s:o}", "job", job)
                       : json_pack("{s:s}", "error", reply_message(r));
    kept = stat(buf_str(&path), &sb) == 0 ? json_pack("{s:I}", "bytes", (json_int_t)sb.st_size)
                                           : json_null();
    status = http_json(r, 200, json_pack("{s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:o, s:o}",
        "centre", centre, "packed", api_sync_stats_json(&packed),
        "removed", "versions", (json_int_t)removed.versions, "items", (json_int_t)removed.items,
        "files", (json_int_t)removed.files, "shredded", (json_int_t)removed.shredded,
        "pack", kept, "delivery", delivery));
    delivery = NULL;
out:
    json_decref(delivery);
    json_decref(body);
    buf_free(&path);
    return status;
}

int api_sync_travel_pack(struct request *r)
{
    static __thread char disposition[128];
    struct buf path = BUF_INIT;
    struct stat sb;
    int status, fd;

    if ((status = kept_pack(r, &path)) != 0)
        goto out;
    if ((fd = open(buf_str(&path), O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        status = http_error(r, 404, "not_found", NULL, "no travel pack for %s waits here",
                            r->params[0]);
        goto out;
    }
    snprintf(disposition, sizeof disposition, "attachment; filename=\"attest-travel-%s.pack\"",
             r->params[0]);
    r->disposition = disposition;
    r->content_type = "application/octet-stream";
    r->file_fd = fd;
    r->file_len = (uint64_t)sb.st_size;
    r->status = status = 200;
out:
    buf_free(&path);
    return status;
}
