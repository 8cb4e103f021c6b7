/*
 * api_verify.c: what proves the archive sound, from the browser, as the
 * CLI's `attest prove`, `attest verify` and `attest verify-bundle`: a
 * record's proof of inclusion in the signed log (GET
 * /api/v1/records/{id}/proof, ?download=1 as a file), the proof that an
 * older log is a prefix of the newest (GET /api/v1/proof/consistency), the whole archive
 * recomputed (POST /api/v1/verify, admins; the vault's files re-hashed
 * only when asked), and an uploaded evidence bundle checked with no
 * archive (POST /api/v1/verify/bundle?filename=F.tar, kept in memory only,
 * memupload.c).  Each calls the core function the command calls.
 */
#include "http.h"
#include "../core/bundle.h"
#include "../core/verify.h"

#include <limits.h>
#include <string.h>

/* The largest bundle checked from the browser (held in memory meanwhile). */
#define BUNDLE_CHECK_MAX ((uint64_t)1 << 30)

/* A verdict: when rc is not AT_OK, "problem" says what core found. */
static json_t *with_problem(struct request *r, int rc, json_t *verdict)
{
    if (rc != AT_OK)
        json_object_set_new(verdict, "problem", json_string(r->ctx.message));
    return verdict;
}

/* GET /api/v1/records/{id}/proof[?version=N][&download=1] */
int api_records_proof(struct request *r)
{
    const char *download = http_arg(r, "download");
    json_t *out;
    long version;
    int rc;

    if ((rc = http_arg_long(r, "version", 1, INT_MAX, 0, &version)) != 0)
        return rc;
    if ((rc = verify_prove(&r->ctx, r->st, r->params[0], (int)version, &out)) != AT_OK)
        return http_core_error(r, rc);
    if (download && strcmp(download, "1") == 0)
        r->disposition = "attachment";
    return http_json(r, 200, out);
}

/* GET /api/v1/proof/consistency?old_size=N[&download=1] */
int api_proof_consistency(struct request *r)
{
    const char *old = http_arg(r, "old_size"), *download = http_arg(r, "download");
    json_t *out;
    int rc;

    if (old == NULL)
        return http_error(r, 400, "invalid", "old_size", "\"old_size\": the size of the older "
                          "signed tree head to prove a prefix of the newest, a number from 0");
    if ((rc = verify_consistency(&r->ctx, r->st, old, &out)) == AT_EINVAL)
        return http_error(r, 400, "invalid", "old_size", "%s", r->ctx.message);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    if (download && strcmp(download, "1") == 0)
        r->disposition = "attachment";
    return http_json(r, 200, out);
}

/* POST /api/v1/verify {"vault": false, "full": false} (admins) */
int api_verify(struct request *r)
{
    json_t *body = r->body.len ? http_body_json(r, true) : json_object();
    struct verify_report rep;
    bool vault, full;
    int rc;

    if (body == NULL)
        return (int)r->status;
    vault = json_is_true(json_object_get(body, "vault"));
    full = json_is_true(json_object_get(body, "full"));
    json_decref(body);
    /* verify_archive re-hashes the vault with the session's key: without
     * one (`attest verify --no-vault`), it checks everything but that. */
    if (!vault)
        store_set_session(r->st, NULL);
    rc = verify_archive(&r->ctx, r->st, full, &rep);
    store_set_session(r->st, &r->keys);
    if (rc != AT_OK && rc != AT_ECORRUPT)
        return http_core_error(r, rc);
    return http_json(r, 200, with_problem(r, rc, json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I}",
        "sound", rc == AT_OK, "full", full,
        "log_entries", (json_int_t)rep.log_entries, "record_versions", (json_int_t)rep.record_versions,
        "log_items", (json_int_t)rep.log_items, "travelled", (json_int_t)rep.travelled,
        "heads", (json_int_t)rep.heads, "vault_checked", rep.vault_checked,
        "vault_files", (json_int_t)rep.vault_files, "vault_bytes", (json_int_t)rep.vault_bytes)));
}

int api_verify_bundle_begin(struct request *r)
{
    return memupload_begin_file(r, BUNDLE_CHECK_MAX, ".tar",
                                "a bundle is a .tar file, as attest export bundle writes it");
}

/* POST /api/v1/verify/bundle?filename=F.tar[&key=HEX] */
int api_verify_bundle(struct request *r)
{
    const char *key = http_arg(r, "key");
    struct bundle_counts c = { 0 };
    int rc;

    if ((rc = memupload_complete(r)) != 0)
        return rc;
    if (key && *key == '\0')
        key = NULL;
    rc = bundle_verify(&r->ctx, memupload_path(r), key, &c);
    http_message_rename(r, memupload_path(r), memupload_filename(r));
    if (rc == AT_ERR)
        return http_core_error(r, rc);
    /* Any other failure is the verdict: the bundle is not sound, and why. */
    return http_json(r, 200, with_problem(r, rc, json_pack("{s:s, s:b, s:b, s:I, s:I, s:I, s:I}",
        "file", memupload_filename(r), "sound", rc == AT_OK, "pinned_key", key != NULL,
        "records", (json_int_t)c.records, "redacted", (json_int_t)c.redacted,
        "files", (json_int_t)c.files, "file_bytes", (json_int_t)c.file_bytes)));
}
