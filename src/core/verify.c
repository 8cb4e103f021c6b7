/*
 * verify.c: the archive's self-check.  Every check recomputes from the
 * enduring data; nothing cached is trusted.
 */
#include "attest.h"
#include "verify.h"
#include "evlog.h"
#include "keys.h"
#include "merkle.h"
#include "record.h"
#include "vault.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int check_sqlite(struct at_ctx *ctx, struct store *st)
{
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "checking the database");
    if (sqlite3_step(stmt) == SQLITE_ROW
        && strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") != 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "the database file is damaged: %s", sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return rc;
}

/* Walks the log in order with the thing each entry stands for, checking
 * the leaf hashes, and builds the tree in memory. */
static int check_leaves(struct at_ctx *ctx, struct store *st, struct merkle_mem *tree,
                        struct verify_report *r)
{
    static const char sql[] =
        "SELECT l.seq, l.leaf, v.id, v.version, v.doc, i.kind, i.ref, i.doc"
        " FROM log_entry l LEFT JOIN record_version v ON v.log_seq = l.seq"
        " LEFT JOIN log_item i ON i.seq = l.seq ORDER BY l.seq";
    sqlite3_stmt *stmt;
    int64_t expect = 1;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the log");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(stmt, 0);
        bool is_version = sqlite3_column_type(stmt, 2) != SQLITE_NULL;
        bool is_item = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
        const char *doc = (const char *)sqlite3_column_text(stmt, is_version ? 4 : 7);
        uint8_t leaf[MERKLE_HASH_LEN];
        char want[65], got[65];

        if (seq != expect) {
            rc = ctx_error(ctx, AT_ECORRUPT, "log entry %lld is missing (the log jumps from %lld to %lld)",
                         (long long)expect, (long long)expect - 1, (long long)seq);
            break;
        }
        expect++;
        if (is_version == is_item) {
            rc = ctx_error(ctx, AT_ECORRUPT, "log entry %lld stands for %s", (long long)seq,
                         is_version ? "two written things" : "nothing written (its record is gone)");
            break;
        }
        if (sqlite3_column_bytes(stmt, 1) != MERKLE_HASH_LEN) {
            rc = ctx_error(ctx, AT_ECORRUPT, "log entry %lld: its leaf is not a SHA-256", (long long)seq);
            break;
        }
        merkle_leaf_hash(doc, strlen(doc), leaf);
        if (memcmp(leaf, sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN) != 0) {
            merkle_hash_hex(leaf, got);
            merkle_hash_hex(sqlite3_column_blob(stmt, 1), want);
            if (is_version)
                rc = ctx_error(ctx, AT_ECORRUPT, "record %s version %d differs from what the log holds for it "
                             "(log entry %lld: leaf %s, but the stored version hashes to %s)",
                             sqlite3_column_text(stmt, 2), sqlite3_column_int(stmt, 3),
                             (long long)seq, want, got);
            else
                rc = ctx_error(ctx, AT_ECORRUPT, "the %s entry for %s differs from what the log holds for it "
                             "(log entry %lld: leaf %s, but the stored entry hashes to %s)",
                             sqlite3_column_text(stmt, 5), sqlite3_column_text(stmt, 6),
                             (long long)seq, want, got);
            break;
        }
        is_version ? r->record_versions++ : r->log_items++;
        rc = merkle_mem_append(tree, leaf, ctx);
    }
    sqlite3_finalize(stmt);
    r->log_entries = (uint64_t)expect - 1;
    return rc;
}

/* Every record version and log item claims an entry that is in the log:
 * anything else was written past the log. */
static int check_unlogged(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT 'record ' || id || ' version ' || version, log_seq FROM record_version"
        " WHERE log_seq NOT IN (SELECT seq FROM log_entry)"
        " UNION ALL SELECT 'the ' || kind || ' entry for ' || ref, seq FROM log_item"
        " WHERE seq NOT IN (SELECT seq FROM log_entry) LIMIT 1";
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the log");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "%s claims log entry %lld, which is not in the log: it was written "
                     "past the log", sqlite3_column_text(stmt, 0),
                     (long long)sqlite3_column_int64(stmt, 1));
    sqlite3_finalize(stmt);
    return rc;
}

/* The vault's index names, for every logged evidence item, the file and
 * entry the log gives it, and nothing else: verify reads the vault
 * through it. */
static int check_vault_index(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT i.ref, v.id IS NULL, v.name IS json_extract(i.doc, '$.name') AND v.seq = i.seq"
        " FROM log_item i LEFT JOIN vault_item v ON v.id = i.ref"
        " WHERE i.kind = 'evidence' ORDER BY i.seq";
    static const char extra_sql[] =
        "SELECT id FROM vault_item WHERE id NOT IN"
        " (SELECT ref FROM log_item WHERE kind = 'evidence') LIMIT 1";
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the vault index");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        if (sqlite3_column_int(stmt, 1))
            rc = ctx_error(ctx, AT_ECORRUPT, "evidence item %s is logged but missing from the vault index "
                         "(run 'attest rebuild' if nothing else is wrong)",
                         sqlite3_column_text(stmt, 0));
        else if (!sqlite3_column_int(stmt, 2))
            rc = ctx_error(ctx, AT_ECORRUPT, "evidence item %s: the vault index differs from its log entry "
                         "(run 'attest rebuild' if nothing else is wrong)",
                         sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    if (rc != AT_OK || sqlite3_prepare_v2(store_db(st), extra_sql, -1, &stmt, NULL) != SQLITE_OK)
        return rc != AT_OK ? rc : store_error(ctx, st, "reading the vault index");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "the vault index holds evidence item %s, which the log does not record",
                     sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return rc;
}

/* Each version's columns agree with its text; versions run 1, 2, ...
 * (each but the first has its predecessor); the current view holds each
 * record's newest version.  Read in the table's order: in id order, a big
 * archive is read at random and takes many times longer. */
static int check_versions(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT v.id, v.version, v.type, v.doc, c.doc,"
        " v.version = (SELECT max(version) FROM record_version WHERE id = v.id),"
        " v.version = 1 OR EXISTS (SELECT 1 FROM record_version p"
        "                          WHERE p.id = v.id AND p.version = v.version - 1)"
        " FROM record_version v LEFT JOIN record_current c ON c.id = v.id";
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading versions");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        int version = sqlite3_column_int(stmt, 1);
        const char *doc = (const char *)sqlite3_column_text(stmt, 3);
        json_t *j = json_loads(doc, 0, NULL);

        if (!sqlite3_column_int(stmt, 6))
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s: version %d has no version %d before it", id, version,
                         version - 1);
        else if (j == NULL || strcmp(json_string_value(json_object_get(j, "id")) ?: "", id) != 0
                 || json_integer_value(json_object_get(j, "version")) != version
                 || strcmp(json_string_value(json_object_get(j, "type")) ?: "",
                           (const char *)sqlite3_column_text(stmt, 2)) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s version %d: its id, version or type columns differ "
                         "from its text", id, version);
        else if (sqlite3_column_int(stmt, 5)
                 && (sqlite3_column_type(stmt, 4) == SQLITE_NULL
                     || strcmp((const char *)sqlite3_column_text(stmt, 4), doc) != 0))
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s: the current view differs from its version %d "
                         "(run 'attest rebuild' if nothing else is wrong)", id, version);
        json_decref(j);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Every signed head matches the tree at its size and carries the
 * archive's signature; the newest covers the whole log. */
static int check_heads(struct at_ctx *ctx, struct store *st, const struct merkle_mem *tree,
                       struct verify_report *r)
{
    static const char sql[] = "SELECT seq, size, root, signed_at, signature FROM tree_head ORDER BY seq";
    struct merkle_source src = merkle_mem_source((struct merkle_mem *)tree);
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    struct buf archive = BUF_INIT;
    sqlite3_stmt *stmt;
    uint64_t last_size = 0;
    int rc;

    if ((rc = keys_sign_pk(ctx, st, pk)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &archive)) != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK) {
        buf_free(&archive);
        return store_error(ctx, st, "reading tree heads");
    }
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        struct tree_head h;
        uint8_t root[MERKLE_HASH_LEN];
        int64_t seq = sqlite3_column_int64(stmt, 0);
        char *text;

        h.size = (uint64_t)sqlite3_column_int64(stmt, 1);
        if (sqlite3_column_bytes(stmt, 2) != MERKLE_HASH_LEN || sqlite3_column_bytes(stmt, 4) != 64) {
            rc = ctx_error(ctx, AT_ECORRUPT, "tree head %lld is malformed", (long long)seq);
            break;
        }
        memcpy(h.root, sqlite3_column_blob(stmt, 2), MERKLE_HASH_LEN);
        snprintf(h.signed_at, sizeof h.signed_at, "%s", (const char *)sqlite3_column_text(stmt, 3));
        memcpy(h.signature, sqlite3_column_blob(stmt, 4), 64);
        if (h.size < last_size || h.size > tree->size) {
            rc = ctx_error(ctx, AT_ECORRUPT, "tree head %lld: size %llu %s", (long long)seq,
                         (unsigned long long)h.size,
                         h.size > tree->size ? "is larger than the log (entries were removed)"
                                             : "is smaller than an earlier head's");
            break;
        }
        last_size = h.size;
        if ((rc = merkle_root(&src, h.size, root, ctx)) != AT_OK)
            break;
        if (memcmp(root, h.root, MERKLE_HASH_LEN) != 0) {
            char want[65], got[65];
            merkle_hash_hex(h.root, want);
            merkle_hash_hex(root, got);
            rc = ctx_error(ctx, AT_ECORRUPT, "tree head %lld (size %llu, signed %s): the log's root at that size "
                         "is %s, not the signed %s: the log was changed after it was signed",
                         (long long)seq, (unsigned long long)h.size, h.signed_at, got, want);
            break;
        }
        text = evlog_head_text(buf_str(&archive), &h);
        if (crypto_sign_verify_detached(h.signature, (const uint8_t *)text, strlen(text), pk) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "tree head %lld (size %llu): its signature does not verify with the "
                         "archive's key", (long long)seq, (unsigned long long)h.size);
        free(text);
        r->heads++;
    }
    sqlite3_finalize(stmt);
    buf_free(&archive);
    if (rc == AT_OK && last_size != tree->size)
        rc = ctx_error(ctx, AT_ECORRUPT, "the log has %llu entries but the newest signed head covers %llu",
                     (unsigned long long)tree->size, (unsigned long long)last_size);
    return rc;
}

/* The public signing key and the users agree with what the log says. */
static int check_keys_and_users(struct at_ctx *ctx, struct store *st)
{
    static const char keys_sql[] =
        "SELECT doc FROM log_item WHERE kind = 'keys' ORDER BY seq DESC LIMIT 1";
    static const char users_sql[] =
        "SELECT u.name, u.role, hex(u.box_pk), i.doc FROM user u"
        " LEFT JOIN log_item i ON i.seq = u.log_seq AND i.kind = 'user' AND i.ref = u.name";
    struct buf pk = BUF_INIT;
    sqlite3_stmt *stmt;
    int rc = store_meta_get(ctx, st, "sign_pk", &pk);

    if (rc != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), keys_sql, -1, &stmt, NULL) != SQLITE_OK) {
        buf_free(&pk);
        return store_error(ctx, st, "reading the log");
    }
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        if (strcmp(json_string_value(json_object_get(doc, "sign_pk")) ?: "", buf_str(&pk)) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "the archive's public signing key is not the one the log records");
        json_decref(doc);
    }
    sqlite3_finalize(stmt);
    buf_free(&pk);
    if (rc != AT_OK || sqlite3_prepare_v2(store_db(st), users_sql, -1, &stmt, NULL) != SQLITE_OK)
        return rc != AT_OK ? rc : store_error(ctx, st, "reading users");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        json_t *doc = sqlite3_column_type(stmt, 3) == SQLITE_NULL ? NULL
                      : json_loads((const char *)sqlite3_column_text(stmt, 3), 0, NULL);
        const char *pk_logged = json_string_value(json_object_get(doc, "box_pk"));
        if (doc == NULL)
            rc = ctx_error(ctx, AT_ECORRUPT, "user %s: no log entry records their last change", name);
        else if (strcmp(json_string_value(json_object_get(doc, "role")) ?: "",
                        (const char *)sqlite3_column_text(stmt, 1)) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "user %s: role %s differs from the logged %s", name,
                         sqlite3_column_text(stmt, 1), json_string_value(json_object_get(doc, "role")));
        else if (pk_logged == NULL
                 || strcasecmp(pk_logged, (const char *)sqlite3_column_text(stmt, 2)) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "user %s: sealing key differs from the logged one", name);
        json_decref(doc);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* The cached subtree hashes agree with the recomputed tree. */
static int check_cache(struct at_ctx *ctx, struct store *st, const struct merkle_mem *tree)
{
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), "SELECT level, idx, hash FROM merkle_node", -1, &stmt,
                           NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the tree cache");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        unsigned level = (unsigned)sqlite3_column_int(stmt, 0);
        uint64_t idx = (uint64_t)sqlite3_column_int64(stmt, 1);
        if (level >= MERKLE_MAX_LEVELS || idx >= tree->count[level]
            || sqlite3_column_bytes(stmt, 2) != MERKLE_HASH_LEN
            || memcmp(tree->level[level][idx], sqlite3_column_blob(stmt, 2), MERKLE_HASH_LEN) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "the cached tree node %u/%llu differs from the log "
                         "(run 'attest rebuild' if nothing else is wrong)", level,
                         (unsigned long long)idx);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int verify_archive(struct at_ctx *ctx, struct store *st, struct verify_report *r)
{
    struct merkle_mem tree = MERKLE_MEM_INIT;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = check_sqlite(ctx, st)) == AT_OK
        && (rc = check_leaves(ctx, st, &tree, r)) == AT_OK
        && (rc = check_unlogged(ctx, st)) == AT_OK
        && (rc = check_versions(ctx, st)) == AT_OK
        && (rc = check_keys_and_users(ctx, st)) == AT_OK
        && (rc = check_heads(ctx, st, &tree, r)) == AT_OK
        && (rc = check_cache(ctx, st, &tree)) == AT_OK
        && (rc = check_vault_index(ctx, st)) == AT_OK)
        rc = vault_verify_all(ctx, st, &r->vault_files, &r->vault_bytes, &r->vault_checked);
    merkle_mem_free(&tree);
    return rc;
}
