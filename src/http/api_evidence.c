/*
 * api_evidence.c: /api/v1/evidence: upload (the raw body, streamed to a
 * temporary file by the server, then into the vault), list, details with
 * custody, and download (decrypted and checked, streamed).
 */
#include "http.h"
#include "../core/evlog.h"
#include "../core/vault.h"
#include "../core/vocab.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int api_evidence_upload(struct request *r)
{
    struct vault_add a = { r->upload_path, http_arg(r, "filename"), http_arg(r, "media_type"),
                           http_arg(r, "interview"), http_arg(r, "working_copy_of"), -1 };
    char id[VAULT_ID_MAX];
    bool existed;
    json_t *item;
    int rc;

    if (r->upload_fd < 0)
        return http_error(r, 500, "internal", NULL, "the upload could not be stored");
    const char *clearance = http_arg(r, "clearance");

    if (a.filename == NULL || *a.filename == '\0')
        return http_error(r, 400, "invalid", "filename", "give the file's name in ?filename=");
    if (clearance && clearance_parse(&r->ctx, clearance, &a.clearance) != AT_OK)
        return http_error(r, 400, "invalid", "clearance", "%s", r->ctx.message);
    if (a.link == NULL)
        a.link = http_arg(r, "source");
    fsync(r->upload_fd);
    long swept;

    if ((rc = store_begin(&r->ctx, r->st)) == AT_OK) {
        if ((rc = vault_sweep(&r->ctx, r->st, &swept)) == AT_OK
            && (rc = vault_add_file(&r->ctx, r->st, &a, id, &existed)) == AT_OK)
            rc = evlog_commit(&r->ctx, r->st);
        else
            store_rollback(r->st);
    }
    if (rc != AT_OK || (rc = vault_item(&r->ctx, r->st, id, &item)) != AT_OK)
        return http_core_error(r, rc);
    json_object_set_new(item, "already_present", json_boolean(existed));
    return http_json(r, existed ? 200 : 201, item);
}

int api_evidence_list(struct request *r)
{
    json_t *items;
    int rc = vault_list(&r->ctx, r->st, &items);

    return rc == AT_OK ? http_json(r, 200, json_pack("{s:o}", "items", items)) : http_core_error(r, rc);
}

int api_evidence_get(struct request *r)
{
    json_t *item, *custody;
    int rc;

    if ((rc = vault_item(&r->ctx, r->st, r->params[0], &item)) != AT_OK)
        return http_core_error(r, rc);
    if ((rc = vault_custody(&r->ctx, r->st, r->params[0], &custody)) != AT_OK) {
        json_decref(item);
        return http_core_error(r, rc);
    }
    json_object_set_new(item, "custody", custody);
    return http_json(r, 200, item);
}

int api_evidence_file(struct request *r)
{
    static __thread char disposition[320];
    char path[512];
    json_t *item;
    int fd, rc;

    if ((rc = vault_item(&r->ctx, r->st, r->params[0], &item)) != AT_OK)
        return http_core_error(r, rc);
    /* Decrypted and checked into an unlinked file, then streamed. */
    snprintf(path, sizeof path, "%s/vault/.download-XXXXXX", server_archive());
    if ((fd = mkstemp(path)) < 0) {
        json_decref(item);
        return http_error(r, 500, "internal", NULL, "cannot make a temporary file");
    }
    unlink(path);
    if ((rc = vault_get(&r->ctx, r->st, r->params[0], fd)) != AT_OK) {
        close(fd);
        json_decref(item);
        return http_core_error(r, rc);
    }
    lseek(fd, 0, SEEK_SET);
    r->file_fd = fd;
    r->file_len = (uint64_t)json_integer_value(json_object_get(item, "size"));
    r->content_type = "application/octet-stream";
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.bin\"", r->params[0]);
    r->disposition = disposition;
    r->status = 200;
    json_decref(item);
    return 200;
}
