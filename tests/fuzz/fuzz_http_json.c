/*
 * fuzz_http_json.c: the API's JSON readers on arbitrary request bodies.
 * Each input goes where POST /api/v1/records, POST .../versions and POST
 * /api/v1/witnesses/{id}/identity send their bodies: parsed as the server
 * parses it, then through the same core calls (model validation,
 * record_add, record_amend, identity_parse) in a transaction on a scratch
 * archive that is rolled back.  Every input must end in success or a clean
 * error with a message; a refused identity must not echo its input; a
 * record that is written must read back with the data it was given.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include "../../src/core/access.h"
#include "../../src/core/identity.h"
#include "../../src/core/model.h"
#include "../../src/core/record.h"
#include "../../src/core/store.h"
#include "../../src/core/vocab.h"

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static struct session user;
static char existing[RECORD_ID_MAX];
static char scratch[64];

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    store_close(st);
    nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool clean_error(const struct at_ctx *ctx, int rc)
{
    return rc != AT_OK && ctx->code == rc && ctx->message[0] != '\0'
           && (rc == AT_EINVAL || rc == AT_ENOTFOUND || rc == AT_ECONFLICT || rc == AT_EDENIED);
}

static char not_json[sizeof ((struct at_ctx *)0)->message];
static char bad_shape[sizeof not_json];

static void without_digits(const char *in, char *out)
{
    for (; *in; in++)
        if (*in < '0' || *in > '9')
            *out++ = *in;
    *out = '\0';
}

/* A scratch archive with one document to amend, made once per process;
 * and identity_parse's two refusals, to compare others with. */
static void setup(void)
{
    struct at_ctx ctx = { 0 };
    struct record_write w = RECORD_WRITE_INIT;
    char dir[80];
    json_t *doc;

    snprintf(scratch, sizeof scratch, "%s/attest-fuzz-http-XXXXXX", getenv("TMPDIR") ?: "/tmp");
    json_t *none = NULL;
    if (identity_parse(&ctx, "{", 1, &none) != AT_EINVAL)
        abort();
    without_digits(ctx.message, not_json);
    if (identity_parse(&ctx, "[]", 2, &none) != AT_EINVAL)
        abort();
    without_digits(ctx.message, bad_shape);
    if (mkdtemp(scratch) == NULL)
        abort();
    snprintf(dir, sizeof dir, "%s/a", scratch);
    static const uint8_t page_key[STORE_KEY_BYTES] = { 'F', 'I', 'C', 'T' };
    if (store_create(&ctx, dir, page_key, &st) != AT_OK)
        abort();
    atexit(cleanup);
    snprintf(user.user, sizeof user.user, "fuzz");
    user.role = ROLE_INVESTIGATOR;
    user.clearance = access_role_clearance(user.role);
    store_set_session(st, &user);
    doc = json_pack("{s:s}", "title", "FICTIONAL fuzz document");
    if (store_begin(&ctx, st) != AT_OK
        || record_add(&ctx, st, model_type("document"), doc, &w, existing) != AT_OK
        || store_commit(&ctx, st) != AT_OK)
        abort();
    json_decref(doc);
}

/* As api_records_create: {"type", "data", "clearance"?, "source"?}. */
static void create(json_t *body)
{
    struct at_ctx ctx = { 0 };
    struct record_write w = RECORD_WRITE_INIT;
    const struct type_spec *t = model_type(json_string_value(json_object_get(body, "type")) ?: "");
    const char *clearance = json_string_value(json_object_get(body, "clearance"));
    json_t *fields = json_object_get(body, "data"), *doc, *stored, *again;
    char id[RECORD_ID_MAX];
    int rc;

    w.source = json_string_value(json_object_get(body, "source"));
    if (t == NULL || !json_is_object(fields))
        return;
    if (clearance && vocab_clearance_parse(&ctx, clearance, &w.clearance) != AT_OK) {
        if (!clean_error(&ctx, AT_EINVAL))
            abort();
        return;
    }
    if (store_begin(&ctx, st) != AT_OK)
        abort();
    rc = record_add(&ctx, st, t, fields, &w, id);
    if (rc == AT_OK) {
        /* What was accepted (made canonical in place) is what is stored,
         * and it passes validation again unchanged. */
        if (record_get(&ctx, st, id, 0, &doc) != AT_OK)
            abort();
        stored = json_object_get(doc, "data");
        again = json_deep_copy(stored);
        if (strcmp(json_string_value(json_object_get(doc, "type")), t->name) != 0
            || !json_equal(stored, fields) || model_validate(&ctx, t, again) != AT_OK
            || !json_equal(again, stored))
            abort();
        json_decref(again);
        json_decref(doc);
    } else if (!clean_error(&ctx, rc)) {
        abort();
    }
    store_rollback(st);
}

/* As api_records_amend: {"changes", "reason", "clearance"?} on a document. */
static void amend(json_t *body)
{
    struct at_ctx ctx = { 0 };
    struct record_write w = RECORD_WRITE_INIT;
    const char *clearance = json_string_value(json_object_get(body, "clearance"));
    json_t *changes = json_object_get(body, "changes");
    int rc;

    w.reason = json_string_value(json_object_get(body, "reason"));
    if (!json_is_object(changes))
        return;
    if (clearance && vocab_clearance_parse(&ctx, clearance, &w.clearance) != AT_OK)
        return;
    if (store_begin(&ctx, st) != AT_OK)
        abort();
    rc = record_amend(&ctx, st, existing, changes, &w);
    if (rc != AT_OK && !clean_error(&ctx, rc))
        abort();
    store_rollback(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    json_error_t jerr;
    json_t *body, *identity = NULL;
    int rc;

    if (st == NULL)
        setup();
    /* The identity reader sees the raw body. */
    rc = identity_parse(&ctx, (const char *)data, size, &identity);
    if (rc == AT_OK) {
        if (!json_is_object(identity) || json_object_size(identity) == 0)
            abort();
        json_decref(identity);
    } else if (!clean_error(&ctx, AT_EINVAL) || identity != NULL) {
        abort();
    } else {
        /* An identity is never echoed in an error: the message is one of
         * the two fixed ones, but for line and column numbers. */
        char got[sizeof ctx.message];
        without_digits(ctx.message, got);
        if (strcmp(got, not_json) != 0 && strcmp(got, bad_shape) != 0)
            abort();
    }
    body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    create(body);
    amend(body);
    json_decref(body);
    return 0;
}
