/*
 * identity.c: sealing, revealing and resealing witness identities.  See
 * identity.h.  The log holds, for each identity version, one sealed box
 * per officer: {"witness", "version", "sealed": {officer: base64}}, and
 * one per officer of each team peer ("peer:KEY", KEY their sealing key in
 * base64 from the peer's key line), which a pack carries to that peer.
 */
#include "attest.h"
#include "identity.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "model.h"
#include "record.h"
#include "sync.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *const identity_keys[] = {
    "address", "contacts", "notes", "other_names", "real_name", "relatives_in_north_korea",
};

int identity_parse(struct at_ctx *ctx, const char *text, size_t len, json_t **out)
{
    json_error_t jerr;
    const char *key;
    json_t *v;

    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL)
        /* jerr.text may quote the input: only the position is reported. */
        return ctx_error(ctx, AT_EINVAL, "the identity is not valid JSON (line %d, column %d); "
                         "expected an object with text keys " IDENTITY_KEYS, jerr.line, jerr.column);
    if (!json_is_object(*out) || json_object_size(*out) == 0)
        goto bad;
    json_object_foreach(*out, key, v) {
        size_t k = 0;
        while (k < ARRAY_LEN(identity_keys) && strcmp(identity_keys[k], key) != 0)
            k++;
        if (k == ARRAY_LEN(identity_keys) || !json_is_string(v))
            goto bad;
    }
    return AT_OK;
bad:
    json_decref(*out);
    *out = NULL;
    return ctx_error(ctx, AT_EINVAL, "the identity must be a JSON object whose keys are among "
                     IDENTITY_KEYS ", each with a text value");
}

static int check_witness(struct at_ctx *ctx, struct store *st, const char *witness)
{
    const struct type_spec *t = model_type_of_id(witness);
    json_t *doc;

    if (t == NULL || strcmp(t->name, "witness") != 0)
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a witness id", witness);
    if (record_get(ctx, st, witness, 0, &doc) != AT_OK)
        return ctx->code;
    json_decref(doc);
    return AT_OK;
}

/* The newest identity entry of witness, or NULL (AT_ENOTFOUND). */
static int latest(struct at_ctx *ctx, struct store *st, const char *witness, json_t **doc)
{
    static const char sql[] =
        "SELECT doc FROM log_item WHERE kind = 'identity' AND ref = ?1 ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    *doc = NULL;
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, witness, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
    sqlite3_reset(stmt);
    return *doc ? AT_OK : ctx_error(ctx, AT_ENOTFOUND, "witness %s has no recorded identity", witness);
}

int identity_exists(struct at_ctx *ctx, struct store *st, const char *witness, bool *exists)
{
    json_t *doc;
    int rc = latest(ctx, st, witness, &doc);

    *exists = rc == AT_OK;
    json_decref(doc);
    return rc == AT_ENOTFOUND ? AT_OK : rc;
}

/* Seals text to every officer: {"officer": base64, ...}; AT_EINVAL when
 * there is no officer to seal to. */
static int seal_to_officers(struct at_ctx *ctx, struct store *st, const char *text, json_t **out)
{
    static const char sql[] = "SELECT name, box_pk FROM user WHERE role = 'officer' ORDER BY name";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    size_t len = strlen(text), boxlen = len + crypto_box_SEALBYTES;
    uint8_t *box = xmalloc(boxlen);
    char *b64 = xmalloc(sodium_base64_encoded_len(boxlen, sodium_base64_VARIANT_ORIGINAL));

    if (stmt == NULL)
        return AT_ERR;
    *out = json_object();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        if (sqlite3_column_bytes(stmt, 1) != crypto_box_PUBLICKEYBYTES)
            continue;
        crypto_box_seal(box, (const uint8_t *)text, len, sqlite3_column_blob(stmt, 1));
        sodium_bin2base64(b64, sodium_base64_encoded_len(boxlen, sodium_base64_VARIANT_ORIGINAL),
                          box, boxlen, sodium_base64_VARIANT_ORIGINAL);
        json_object_set_new(*out, (const char *)sqlite3_column_text(stmt, 0), json_string(b64));
    }
    sqlite3_reset(stmt);
    free(box);
    free(b64);
    if (json_object_size(*out) == 0) {
        json_decref(*out);
        *out = NULL;
        return ctx_error(ctx, AT_EINVAL, "there is no protection officer to seal the identity to; "
                         "an admin must first add one (attest user add NAME --role officer)");
    }
    return AT_OK;
}

/* Seals text also to each team peer's officers, under "peer:KEY". */
static int seal_to_peers(struct at_ctx *ctx, struct store *st, const char *text, json_t *sealed)
{
    size_t len = strlen(text), boxlen = len + crypto_box_SEALBYTES, i, n;
    size_t b64len = sodium_base64_encoded_len(boxlen, sodium_base64_VARIANT_ORIGINAL);
    uint8_t pk[crypto_box_PUBLICKEYBYTES], *box;
    json_t *keys, *key;
    char *b64;
    int rc;

    if ((rc = sync_team_officer_keys(ctx, st, &keys)) != AT_OK)
        return rc;
    box = xmalloc(boxlen);
    b64 = xmalloc(b64len);
    json_array_foreach(keys, i, key) {
        struct buf name = BUF_INIT;
        if (sodium_base642bin(pk, sizeof pk, json_string_value(key), strlen(json_string_value(key)),
                              NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0
            || n != sizeof pk)
            continue;
        crypto_box_seal(box, (const uint8_t *)text, len, pk);
        sodium_bin2base64(b64, b64len, box, boxlen, sodium_base64_VARIANT_ORIGINAL);
        buf_printf(&name, "peer:%s", json_string_value(key));
        json_object_set_new(sealed, buf_str(&name), json_string(b64));
        buf_free(&name);
    }
    free(box);
    free(b64);
    json_decref(keys);
    return AT_OK;
}

/* Appends an identity entry of witness with its sealed boxes (the next
 * version). */
static int append_identity(struct at_ctx *ctx, struct store *st, const char *witness,
                           json_t *sealed)
{
    json_t *old = NULL, *doc;
    int64_t seq;
    int rc, version = 1;

    if (latest(ctx, st, witness, &old) == AT_OK)
        version = (int)json_integer_value(json_object_get(old, "version")) + 1;
    ctx_clear(ctx);
    json_decref(old);
    doc = json_pack("{s:s, s:i, s:O}", "witness", witness, "version", version, "sealed", sealed);
    rc = evlog_append_item(ctx, st, "identity", witness, doc, &seq);
    json_decref(doc);
    return rc;
}

int identity_put_sealed(struct at_ctx *ctx, struct store *st, const char *witness, json_t *sealed)
{
    int rc;

    if ((rc = check_witness(ctx, st, witness)) != AT_OK)
        return rc;
    return append_identity(ctx, st, witness, sealed);
}

static int log_identity(struct at_ctx *ctx, struct store *st, const char *witness, json_t *identity)
{
    json_t *sealed = NULL;
    char *text = canonical_text(identity);
    int rc;

    if ((rc = seal_to_officers(ctx, st, text, &sealed)) == AT_OK)
        rc = seal_to_peers(ctx, st, text, sealed);
    sodium_memzero(text, strlen(text));
    free(text);
    if (rc == AT_OK)
        rc = append_identity(ctx, st, witness, sealed);
    json_decref(sealed);
    return rc;
}

int identity_set(struct at_ctx *ctx, struct store *st, const char *witness, json_t *identity)
{
    const struct session *s = store_session(st);
    bool exists;
    int rc;

    if ((rc = access_check(ctx, s, ACTION_WRITE, 0)) != AT_OK
        || (rc = check_witness(ctx, st, witness)) != AT_OK
        || (rc = identity_exists(ctx, st, witness, &exists)) != AT_OK)
        return rc;
    /* Whoever replaces an identity must be able to read the one replaced. */
    if (exists && access_check(ctx, s, ACTION_REVEAL_IDENTITY, 0) != AT_OK)
        return ctx_error(ctx, AT_EDENIED, "witness %s already has a sealed identity; only a "
                         "protection officer may replace it (user %s is %s)", witness, s->user,
                         access_role_name(s->role));
    return log_identity(ctx, st, witness, identity);
}

int identity_set_write(struct at_ctx *ctx, struct store *st, void *change)
{
    struct identity_change *c = change;

    return identity_set(ctx, st, c->witness, c->identity);
}

/* Opens the session's own box in an identity entry. */
static int open_box(struct at_ctx *ctx, const struct session *s, json_t *doc, json_t **out)
{
    const char *b64 = json_string_value(json_object_get(json_object_get(doc, "sealed"), s->user));
    size_t n, len;
    uint8_t *box;
    char *text;
    int rc = AT_OK;

    *out = NULL;
    if (b64 == NULL)
        return ctx_error(ctx, AT_EDENIED, "the identity of %s was not sealed to officer %s; another "
                         "officer must run 'attest witness reseal'",
                         json_string_value(json_object_get(doc, "witness")), s->user);
    n = strlen(b64);
    box = xmalloc(n);
    if (sodium_base642bin(box, n, b64, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0
        || len <= crypto_box_SEALBYTES) {
        free(box);
        return ctx_error(ctx, AT_ECORRUPT, "a sealed identity is malformed");
    }
    text = xcalloc(len - crypto_box_SEALBYTES + 1, 1);
    if (crypto_box_seal_open((uint8_t *)text, box, len, s->box_pk, s->box_sk) != 0
        || (*out = json_loads(text, 0, NULL)) == NULL)
        rc = ctx_error(ctx, AT_ECORRUPT, "a sealed identity does not open with %s's key (if their "
                       "passphrase was reset since, another officer must run 'attest witness "
                       "reseal')", s->user);
    sodium_memzero(text, len - crypto_box_SEALBYTES);
    free(text);
    free(box);
    return rc;
}

/* Opens one identity entry for the session's officer and logs the reading. */
static int reveal_entry(struct at_ctx *ctx, struct store *st, const char *witness, json_t *doc,
                        json_t **out)
{
    const struct session *s = store_session(st);
    json_t *logged;
    char now[21];
    int64_t seq;
    int rc;

    if ((rc = open_box(ctx, s, doc, out)) != AT_OK)
        return rc;
    canonical_now(now);
    logged = json_pack("{s:s, s:s, s:s, s:O}", "witness", witness, "revealed_to", s->user,
                       "at", now, "identity_version", json_object_get(doc, "version"));
    rc = evlog_append_item(ctx, st, "reveal", witness, logged, &seq);
    json_decref(logged);
    if (rc != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int identity_reveal(struct at_ctx *ctx, struct store *st, const char *witness, json_t **out)
{
    json_t *doc = NULL;
    int rc;

    *out = NULL;
    if ((rc = access_check(ctx, store_session(st), ACTION_REVEAL_IDENTITY, 0)) == AT_OK
        && (rc = check_witness(ctx, st, witness)) == AT_OK
        && (rc = latest(ctx, st, witness, &doc)) == AT_OK)
        rc = reveal_entry(ctx, st, witness, doc, out);
    json_decref(doc);
    return rc;
}

int identity_reveal_history(struct at_ctx *ctx, struct store *st, const char *witness,
                            json_t **out)
{
    static const char sql[] =
        "SELECT doc FROM log_item WHERE kind = 'identity' AND ref = ?1 ORDER BY seq";
    const struct session *s = store_session(st);
    sqlite3_stmt *stmt = NULL;
    json_t *docs = json_array(), *doc;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = access_check(ctx, s, ACTION_REVEAL_IDENTITY, 0)) != AT_OK
        || (rc = check_witness(ctx, st, witness)) != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, witness, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(docs, json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL));
    sqlite3_reset(stmt);
    if (json_array_size(docs) == 0) {
        rc = ctx_error(ctx, AT_ENOTFOUND, "witness %s has no recorded identity", witness);
        goto out;
    }
    *out = json_array();
    json_array_foreach(docs, i, doc) {
        json_t *identity = NULL, *item = json_pack("{s:O}", "version", json_object_get(doc, "version"));
        /* A version sealed before this officer was added: shown as such. */
        if (json_object_get(json_object_get(doc, "sealed"), s->user) == NULL)
            json_object_set_new(item, "sealed_to_you", json_false());
        else if ((rc = reveal_entry(ctx, st, witness, doc, &identity)) == AT_OK)
            json_object_set_new(item, "identity", identity);
        json_array_append_new(*out, item);
        if (rc != AT_OK)
            break;
    }
out:
    json_decref(docs);
    if (rc != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* The boxes of an entry sealed to this archive's own officers. */
static long local_boxes(json_t *sealed)
{
    const char *key;
    json_t *v;
    long n = 0;

    json_object_foreach(sealed, key, v)
        n += strncmp(key, "peer:", 5) != 0;
    return n;
}

/* Whether sealed lacks a box for one of the team peers' officers (keys,
 * from sync_team_officer_keys): a peer pinned after it was sealed. */
static bool peer_box_missing(json_t *sealed, json_t *keys)
{
    struct buf name = BUF_INIT;
    json_t *key;
    size_t i;
    bool missing = false;

    json_array_foreach(keys, i, key) {
        buf_reset(&name);
        buf_printf(&name, "peer:%s", json_string_value(key));
        missing |= json_object_get(sealed, buf_str(&name)) == NULL;
    }
    buf_free(&name);
    return missing;
}

/* Whether an officer's passphrase was reset (keys_passphrase_reset: a new
 * sealing key) after the newest identity entry of witness, whose box for
 * them then no longer opens. */
static int officer_key_newer(struct at_ctx *ctx, struct store *st, const char *witness, bool *newer)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM log_item u JOIN user o ON o.name = u.ref AND o.role = 'officer'"
        " WHERE u.kind = 'user' AND json_extract(u.doc, '$.event') = 'passphrase reset'"
        " AND u.seq > (SELECT max(seq) FROM log_item WHERE kind = 'identity' AND ref = ?1))";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, witness, -1, SQLITE_STATIC);
    *newer = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
    sqlite3_reset(stmt);
    return AT_OK;
}

int identity_reseal_all(struct at_ctx *ctx, struct store *st, long *count)
{
    static const char sql[] =
        "SELECT DISTINCT ref FROM log_item WHERE kind = 'identity' ORDER BY ref";
    static const char officers_sql[] = "SELECT count(*) FROM user WHERE role = 'officer'";
    const struct session *s = store_session(st);
    sqlite3_stmt *stmt;
    json_t *peer_keys = NULL;
    long officers = 0;
    int rc;

    *count = 0;
    if ((rc = access_check(ctx, s, ACTION_REVEAL_IDENTITY, 0)) != AT_OK
        || (rc = sync_team_officer_keys(ctx, st, &peer_keys)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, officers_sql)) == NULL)
        return AT_ERR;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        officers = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK) {
        json_decref(peer_keys);
        return store_error(ctx, st, "reading identities");
    }
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *witness = (const char *)sqlite3_column_text(stmt, 0);
        json_t *doc = NULL, *identity = NULL;
        bool newer = false;
        /* One with no box of this archive's is kept only to be passed on
         * (a team peer's, sealed elsewhere): nothing here opens it. */
        if ((rc = latest(ctx, st, witness, &doc)) == AT_OK
            && (rc = officer_key_newer(ctx, st, witness, &newer)) == AT_OK
            && local_boxes(json_object_get(doc, "sealed")) > 0
            && (local_boxes(json_object_get(doc, "sealed")) < officers || newer
                || peer_box_missing(json_object_get(doc, "sealed"), peer_keys))
            && (rc = open_box(ctx, s, doc, &identity)) == AT_OK
            && (rc = log_identity(ctx, st, witness, identity)) == AT_OK)
            (*count)++;
        json_decref(doc);
        json_decref(identity);
    }
    sqlite3_finalize(stmt);
    json_decref(peer_keys);
    return rc;
}
