/*
 * verify.c: the archive's self-check.  Every check recomputes from the
 * enduring data; nothing cached is trusted.
 */
#include "attest.h"
#include "verify.h"
#include "canonical.h"
#include "evlog.h"
#include "keys.h"
#include "merkle.h"
#include "layer.h"
#include "record.h"
#include "spatial.h"
#include "sync.h"
#include "vault.h"
#include "vocab.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FTS5 keeps each full-text table's list of segments from this
 * connection's last read and looks again only when a query opens the
 * table.  SQLite's integrity check does not open it: after another
 * connection's writes (a server's other threads) had merged segments away,
 * the check read them and called a sound file damaged.  Opening each
 * full-text table first, in the read transaction the checks run in, brings
 * the lists up to date. */
static int fts_refresh(struct at_ctx *ctx, struct store *st)
{
    sqlite3_stmt *tables;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), "SELECT name FROM sqlite_schema WHERE type = 'table'"
                           " AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%'", -1, &tables,
                           NULL) != SQLITE_OK)
        return store_error(ctx, st, "listing the full-text tables");
    while (rc == AT_OK && sqlite3_step(tables) == SQLITE_ROW) {
        char *sql = sqlite3_mprintf("SELECT rowid FROM \"%w\" LIMIT 1", sqlite3_column_text(tables, 0));
        sqlite3_stmt *open;
        if (sql == NULL || sqlite3_prepare_v2(store_db(st), sql, -1, &open, NULL) != SQLITE_OK)
            rc = store_error(ctx, st, "opening a full-text table");
        else {
            if (sqlite3_step(open) == SQLITE_ERROR)
                rc = store_error(ctx, st, "opening a full-text table");
            sqlite3_finalize(open);
        }
        sqlite3_free(sql);
    }
    sqlite3_finalize(tables);
    return rc;
}

/* SQLite's own check of the file: quick_check (every page, record and
 * constraint but UNIQUE, not that each index matches its table), or with
 * full, integrity_check (which also reads every index against its table
 * and takes about four times as long). */
static int check_sqlite(struct at_ctx *ctx, struct store *st, bool full)
{
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = fts_refresh(ctx, st)) != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), full ? "PRAGMA integrity_check" : "PRAGMA quick_check",
                           -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "checking the database");
    if (sqlite3_step(stmt) == SQLITE_ROW
        && strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") != 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "the database file is damaged: %s", sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return rc;
}

/* The newest logged version of each record, by id, with its leaf hash:
 * filled while the log is walked, then held against the current view, so
 * that neither side is read at random. */
struct newest_entry {
    uint32_t id;              /* offset of the id in newest.ids */
    int32_t version;
    bool seen;                /* a current row was found for it */
    uint8_t leaf[MERKLE_HASH_LEN];
};

struct newest {
    uint64_t *slot;           /* 0 empty, else the id's hash's top half
                               * above 1 + the index into entry */
    size_t mask;
    struct newest_entry *entry;
    size_t count, cap;
    struct buf ids;           /* the ids, each ended by NUL */
};

static uint64_t id_hash(const char *id)
{
    uint64_t h = 0xcbf29ce484222325u;

    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 0x100000001b3u;
    return h;
}

/* Returns the slot that holds id, or the empty slot where it would go. */
static uint64_t *newest_slot(const struct newest *m, const char *id)
{
    uint64_t h = id_hash(id);

    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        uint64_t *s = &m->slot[i];
        if (*s == 0 || ((*s >> 32 == h >> 32)
                        && strcmp(m->ids.data + m->entry[(uint32_t)*s - 1].id, id) == 0))
            return s;
    }
}

static uint64_t newest_slot_value(const char *id, size_t index)
{
    return (id_hash(id) >> 32 << 32) | (uint64_t)(index + 1);
}

static void newest_grow(struct newest *m)
{
    size_t size = m->slot ? 2 * (m->mask + 1) : 1 << 16;

    free(m->slot);
    m->slot = xcalloc(size, sizeof *m->slot);
    m->mask = size - 1;
    for (size_t i = 0; i < m->count; i++) {
        const char *id = m->ids.data + m->entry[i].id;
        *newest_slot(m, id) = newest_slot_value(id, i);
    }
}

/* Notes that version of id is logged with leaf; keeps the highest. */
static void newest_put(struct newest *m, const char *id, int version, const uint8_t *leaf)
{
    uint64_t *s;
    struct newest_entry *e;

    if (2 * (m->count + 1) > m->mask + 1)
        newest_grow(m);
    s = newest_slot(m, id);
    if (*s == 0) {
        if (m->count == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 1 << 15;
            m->entry = xrealloc(m->entry, m->cap * sizeof *m->entry);
        }
        *s = newest_slot_value(id, m->count);
        e = &m->entry[m->count++];
        e->id = (uint32_t)m->ids.len;
        e->version = 0;
        e->seen = false;
        buf_append(&m->ids, id, strlen(id) + 1);
    }
    e = &m->entry[(uint32_t)*s - 1];
    if (version > e->version) {
        e->version = version;
        memcpy(e->leaf, leaf, MERKLE_HASH_LEN);
    }
}

static void newest_free(struct newest *m)
{
    free(m->slot);
    free(m->entry);
    buf_free(&m->ids);
}

/* Returns the end of the JSON string that starts (with its quote) at p,
 * or NULL if it does not end. */
static const char *skip_string(const char *p)
{
    for (p++; *p; p++) {
        if (*p == '\\' && *++p == '\0')
            return NULL;
        if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Returns the end of the JSON value at p inside an object: the comma or
 * closing brace after it; NULL if there is none. */
static const char *skip_value(const char *p)
{
    int depth = 0;

    for (;;) {
        switch (*p) {
        case '\0':
            return NULL;
        case '"':
            if ((p = skip_string(p)) == NULL)
                return NULL;
            continue;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (depth-- == 0)
                return p;
            break;
        case ',':
            if (depth == 0)
                return p;
            break;
        }
        p++;
    }
}

/* Whether the JSON value [p, end) is the string s, written without escapes. */
static bool value_is_string(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);

    return (size_t)(end - p) == n + 2 && *p == '"' && memcmp(p + 1, s, n) == 0
           && memchr(p + 1, '\\', n) == NULL;
}

/* Whether the JSON value [p, end) is the integer n, written plainly. */
static bool value_is_int(const char *p, const char *end, long long n)
{
    char want[24];
    int len = snprintf(want, sizeof want, "%lld", n);

    return end - p == len && memcmp(p, want, (size_t)len) == 0;
}

/* Whether a version's text (canonical JSON: one line, keys sorted) has
 * exactly these top-level id, version and type, read without building the
 * document.  False means "not shown": the caller asks jansson then, so
 * that an unusual but equivalent text is judged as before. */
static bool text_has(const char *doc, const char *id, long long version, const char *type)
{
    const char *p = doc;
    int found = 0;

    if (*p++ != '{')
        return false;
    while (*p == '"') {
        const char *key = p + 1, *end = skip_string(p), *value_end;
        size_t klen;

        if (end == NULL || *end != ':' || (value_end = skip_value(end + 1)) == NULL)
            return false;
        klen = (size_t)(end - 1 - key);
        if (klen == 2 && memcmp(key, "id", 2) == 0) {
            if (!value_is_string(end + 1, value_end, id))
                return false;
            found += 1;
        } else if (klen == 4 && memcmp(key, "type", 4) == 0) {
            if (!value_is_string(end + 1, value_end, type))
                return false;
            found += 8;
        } else if (klen == 7 && memcmp(key, "version", 7) == 0) {
            if (!value_is_int(end + 1, value_end, version))
                return false;
            found += 64;
        } else if (memchr(key, '\\', klen)) {
            return false;
        }
        p = value_end;
        if (*p != ',')
            break;
        p++;
    }
    return *p == '}' && p[1] == '\0' && found == 1 + 8 + 64;
}

/* The same, judged by jansson: the slow path for texts text_has() does
 * not vouch for. */
static bool text_has_parsed(const char *doc, const char *id, long long version, const char *type)
{
    json_t *j = json_loads(doc, 0, NULL);
    bool ok = j != NULL && strcmp(json_string_value(json_object_get(j, "id")) ?: "", id) == 0
              && json_integer_value(json_object_get(j, "version")) == version
              && strcmp(json_string_value(json_object_get(j, "type")) ?: "", type) == 0;

    json_decref(j);
    return ok;
}

/* The first version whose id, version or type column differs from its
 * text: reported after the version chain, which explains it better when
 * a version was renumbered. */
struct mismatch {
    char id[RECORD_ID_MAX];
    int version;
    bool found;
};

/* Walks the log in order with the thing each entry stands for, checking
 * the leaf hashes; builds the tree in memory; notes each record's newest
 * version and the first version whose columns differ from its text. */
static int check_leaves(struct at_ctx *ctx, struct store *st, struct merkle_mem *tree,
                        struct newest *newest, struct mismatch *mismatch, struct verify_report *r)
{
    static const char sql[] =
        "SELECT l.seq, l.leaf, v.id, v.version, v.doc, i.kind, i.ref, i.doc, v.type"
        " FROM log_entry l LEFT JOIN record_version v ON v.log_seq = l.seq"
        " LEFT JOIN log_item i ON i.seq = l.seq ORDER BY l.seq";
    sqlite3_stmt *stmt;
    int64_t expect = 1, travelled = 0;
    int rc = sync_travel_upto(ctx, st, &travelled);

    if (rc != AT_OK)
        return rc;
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
        /* Below a travel's mark, an entry's text went to the centre: its
         * leaf stays, for the tree. */
        if (!is_version && !is_item && seq <= travelled
            && sqlite3_column_bytes(stmt, 1) == MERKLE_HASH_LEN) {
            r->travelled++;
            rc = merkle_mem_append(tree, sqlite3_column_blob(stmt, 1), ctx);
            continue;
        }
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
        if (is_version) {
            const char *id = (const char *)sqlite3_column_text(stmt, 2);
            const char *type = (const char *)sqlite3_column_text(stmt, 8);
            int version = sqlite3_column_int(stmt, 3);

            if (!mismatch->found && !text_has(doc, id, version, type)
                && !text_has_parsed(doc, id, version, type)) {
                snprintf(mismatch->id, sizeof mismatch->id, "%s", id);
                mismatch->version = version;
                mismatch->found = true;
            }
            newest_put(newest, id, version, leaf);
            r->record_versions++;
        } else {
            r->log_items++;
        }
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

/* Whether the stored text of an imported version holds what its origin
 * logged (logged): the same content, and as its origin the author and
 * time the origin gave it; only its number here, who stored it here and
 * when differ. */
static bool proves_version(const char *stored_text, const char *logged_text, size_t logged_len)
{
    static const char *const local[] = { "version", "author", "written_at", "origin" };
    json_t *stored = canonical_parse(stored_text, strlen(stored_text));
    json_t *logged = canonical_parse(logged_text, logged_len);
    json_t *was = json_object_get(stored, "origin");
    json_t *first = json_object_get(logged, "origin") ?: logged;
    bool same = was != NULL && first != NULL
                && json_equal(json_object_get(was, "author"), json_object_get(first, "author"))
                && json_equal(json_object_get(was, "written_at"),
                              json_object_get(first, "written_at"));

    for (size_t i = 0; same && i < ARRAY_LEN(local); i++) {
        json_object_del(stored, local[i]);
        json_object_del(logged, local[i]);
    }
    same = same && json_equal(stored, logged);
    json_decref(stored);
    json_decref(logged);
    return same;
}

/* The proof kept with each imported version and item still proves it:
 * its text is in its origin's log under a head the origin signed
 * (sync_proof_verify), and a version's proof is of that version. */
static int check_origin_proofs(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT 'record ' || id || ' version ' || version, origin, oseq, proof, doc"
        " FROM record_version WHERE proof IS NOT NULL"
        " UNION ALL SELECT coalesce(i.kind || ' item ' || i.ref, 'log entry ' || s.seq), s.origin,"
        " s.oseq, s.proof, NULL FROM sync_item s LEFT JOIN log_item i ON i.seq = s.seq"
        " WHERE s.proof IS NOT NULL";
    struct sync_seen seen = { 0 };
    struct sync_proof_reader kept = { .st = st };
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the proofs of imported versions");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *what = (const char *)sqlite3_column_text(stmt, 0);
        const char *origin = (const char *)sqlite3_column_text(stmt, 1);
        int64_t oseq = sqlite3_column_int64(stmt, 2);
        const char *doc = (const char *)sqlite3_column_text(stmt, 4);
        const void *proof = sqlite3_column_blob(stmt, 3);
        const char *text;
        size_t text_len;

        if ((rc = sync_proof_verify(ctx, &kept, proof, (size_t)sqlite3_column_bytes(stmt, 3), doc,
                                    origin, oseq, &seen, &text, &text_len)) == AT_OK
            && doc && !proves_version(doc, text, text_len))
            rc = ctx_error(ctx, AT_ECORRUPT, "its proof proves another text than the version "
                           "kept (%s/%lld)", origin, (long long)oseq);
        if (rc != AT_OK)
            ctx_prefix(ctx, "%s (from archive %s): ", what, origin);
    }
    sqlite3_finalize(stmt);
    sync_proof_reader_free(&kept);
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

/* Versions run 1, 2, ... n for each record (each but the first has its
 * predecessor, none is stored twice): counted over the primary key in one
 * pass, and only when a record fails is its gap looked for. */
static int check_chain(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT id FROM record_version GROUP BY id"
        " HAVING count(*) != max(version) OR min(version) != 1 LIMIT 1";
    static const char gap_sql[] =
        "SELECT v.version FROM record_version v WHERE v.id = ?1 AND v.version != 1"
        " AND NOT EXISTS (SELECT 1 FROM record_version p WHERE p.id = v.id AND p.version = v.version - 1)"
        " ORDER BY v.rowid LIMIT 1";
    sqlite3_stmt *stmt, *gap = NULL;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading versions");
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        if (sqlite3_prepare_v2(store_db(st), gap_sql, -1, &gap, NULL) != SQLITE_OK) {
            rc = store_error(ctx, st, "reading versions");
        } else {
            sqlite3_bind_text(gap, 1, id, -1, SQLITE_STATIC);
            if (sqlite3_step(gap) == SQLITE_ROW)
                rc = ctx_error(ctx, AT_ECORRUPT, "record %s: version %d has no version %d before it", id,
                               sqlite3_column_int(gap, 0), sqlite3_column_int(gap, 0) - 1);
            else
                rc = ctx_error(ctx, AT_ECORRUPT, "record %s: one of its versions is stored twice", id);
        }
    }
    sqlite3_finalize(gap);
    sqlite3_finalize(stmt);
    return rc;
}

/* The columns that reads filter on agree with the current view's text:
 * type, version, clearance and retraction in record_current, and the
 * record, type and clearance the spatial index carries for each point.
 * A changed clearance column would let a reader see what the text keeps
 * from them, so it is checked, not trusted. */
static int check_derived(struct at_ctx *ctx, struct store *st)
{
    static const char current_sql[] =
        "SELECT id, clearance, json_extract(doc, '$.clearance'),"
        " type IS NOT json_extract(doc, '$.type')"
        " OR version IS NOT json_extract(doc, '$.version')"
        " OR retracted IS NOT (json_extract(doc, '$.retracted') IS 1)"
        " FROM record_current";
    static const char spatial_sql[] =
        "SELECT c.id FROM geo_rtree g LEFT JOIN record_current c ON c.rowid = g.id"
        " WHERE c.id IS NULL OR g.rid IS NOT c.id OR g.type IS NOT c.type"
        " OR g.clearance IS NOT c.clearance LIMIT 1";
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (sqlite3_prepare_v2(store_db(st), current_sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the current view");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 2);
        const char *want = vocab_clearance_name(sqlite3_column_int(stmt, 1));
        if (sqlite3_column_int(stmt, 3) || name == NULL || want == NULL || strcmp(name, want) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s: the current view's clearance, type, "
                           "version or retraction differ from its text (run 'attest rebuild' if "
                           "nothing else is wrong)", sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    if (rc != AT_OK)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), spatial_sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the spatial index");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "record %s: the spatial index's record, type or clearance "
                       "differ from the current view (run 'attest rebuild' if nothing else is "
                       "wrong)", sqlite3_column_text(stmt, 0) ? (const char *)sqlite3_column_text(stmt, 0)
                                                              : "(none)");
    sqlite3_finalize(stmt);
    return rc;
}

/* The map's tables, kept on each write, are what a rebuild would make of
 * the current records: the points in grid order (geo_point) and the
 * counts per cell (layer_count, with each point's values in layer_value). */
static int check_map(struct at_ctx *ctx, struct store *st)
{
    int rc = spatial_points_check(ctx, st);

    return rc == AT_OK ? layer_count_check(ctx, st) : rc;
}

/* Each version's id, version and type columns agree with its text, the
 * versions run in order (the order they arrived in), each has its global
 * identity, the current view holds what the rule over each record's
 * heads picks (record_check_current), and what is derived from it agrees
 * (check_derived, check_map). */
static int check_versions(struct at_ctx *ctx, struct store *st, const struct mismatch *mismatch)
{
    int rc = check_chain(ctx, st);

    if (rc == AT_OK && mismatch->found)
        rc = ctx_error(ctx, AT_ECORRUPT, "record %s version %d: its id, version or type columns differ "
                       "from its text", mismatch->id, mismatch->version);
    if (rc == AT_OK)
        rc = record_check_current(ctx, st);
    if (rc == AT_OK)
        rc = check_derived(ctx, st);
    return rc == AT_OK ? check_map(ctx, st) : rc;
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

int verify_archive(struct at_ctx *ctx, struct store *st, bool full, struct verify_report *r)
{
    struct merkle_mem tree = MERKLE_MEM_INIT;
    struct newest newest = { 0 };
    struct mismatch mismatch = { .found = false };
    int rc;

    memset(r, 0, sizeof *r);
    /* One read transaction: every check sees the same archive, however
     * the server's other connections write meanwhile. */
    bool own_transaction = sqlite3_get_autocommit(store_db(st));
    if (own_transaction && (rc = store_exec(ctx, st, "BEGIN")) != AT_OK)
        return rc;
    if ((rc = check_sqlite(ctx, st, full)) == AT_OK
        && (rc = check_leaves(ctx, st, &tree, &newest, &mismatch, r)) == AT_OK
        && (rc = check_unlogged(ctx, st)) == AT_OK
        && (rc = check_origin_proofs(ctx, st)) == AT_OK
        && (rc = check_versions(ctx, st, &mismatch)) == AT_OK
        && (rc = check_keys_and_users(ctx, st)) == AT_OK
        && (rc = check_heads(ctx, st, &tree, r)) == AT_OK
        && (rc = check_cache(ctx, st, &tree)) == AT_OK
        && (rc = check_vault_index(ctx, st)) == AT_OK
        && (rc = vault_check_staging(ctx, st)) == AT_OK)
        rc = vault_verify_all(ctx, st, &r->vault_files, &r->vault_bytes, &r->vault_checked);
    if (own_transaction)
        store_rollback(st);
    newest_free(&newest);
    merkle_mem_free(&tree);
    return rc;
}

int verify_head_json(struct at_ctx *ctx, struct store *st, struct tree_head *head, json_t **out)
{
    struct buf archive = BUF_INIT, pk = BUF_INIT;
    char root[2 * MERKLE_HASH_LEN + 1], sig[129];
    int rc;

    *out = NULL;
    if ((rc = evlog_latest_head(ctx, st, head)) == AT_OK
        && (rc = store_meta_get(ctx, st, "archive_id", &archive)) == AT_OK
        && (rc = store_meta_get(ctx, st, "sign_pk", &pk)) == AT_OK) {
        merkle_hash_hex(head->root, root);
        sodium_bin2hex(sig, sizeof sig, head->signature, sizeof head->signature);
        *out = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "archive", buf_str(&archive),
                         "size", (json_int_t)head->size, "root", root, "signed_at", head->signed_at,
                         "signature", sig, "public_key", buf_str(&pk));
    }
    buf_free(&archive);
    buf_free(&pk);
    return rc;
}

int verify_prove(struct at_ctx *ctx, struct store *st, const char *id_arg, int version, json_t **out)
{
    struct merkle_proof proof;
    struct tree_head head;
    uint8_t leaf[MERKLE_HASH_LEN];
    char id[RECORD_ID_MAX], leaf_hex[2 * MERKLE_HASH_LEN + 1];
    json_t *doc = NULL, *th;
    int64_t seq;
    int rc;

    *out = NULL;
    if ((rc = verify_head_json(ctx, st, &head, &th)) != AT_OK)
        return rc;
    snprintf(id, sizeof id, "%s", id_arg);
    if (strlen(id_arg) < 15)
        record_resolve(ctx, st, id_arg, id);
    if ((model_id_valid(id) && model_type_of_id(id)
         && (rc = record_read(ctx, st, id, version, &doc)) != AT_OK)
        || (rc = evlog_entry_of(ctx, st, id, version, &seq, leaf)) != AT_OK)
        goto out;
    if ((uint64_t)seq > head.size) {
        rc = ctx_error(ctx, AT_ERR, "entry %lld is not yet under a signed head", (long long)seq);
        goto out;
    }
    if ((rc = evlog_inclusion_proof(ctx, st, (uint64_t)seq - 1, head.size, &proof)) != AT_OK)
        goto out;
    merkle_hash_hex(leaf, leaf_hex);
    *out = json_pack("{s:O, s:s, s:I, s:s, s:o}", "tree_head", th, "id", id,
                     "leaf_index", (json_int_t)(seq - 1), "leaf_hash", leaf_hex,
                     "inclusion_proof", evlog_proof_json(&proof));
    if (doc) {
        char *text = canonical_text(doc);
        json_object_set_new(*out, "entry", json_string(text));
        free(text);
    }
out:
    json_decref(doc);
    json_decref(th);
    return rc;
}

int verify_consistency(struct at_ctx *ctx, struct store *st, const char *old_text, json_t **out)
{
    struct merkle_proof proof;
    struct tree_head head;
    uint8_t old_root[MERKLE_HASH_LEN];
    char old_hex[2 * MERKLE_HASH_LEN + 1], *end;
    unsigned long long old;
    json_t *th;
    int rc;

    *out = NULL;
    if ((rc = verify_head_json(ctx, st, &head, &th)) != AT_OK)
        return rc;
    errno = 0;
    old = strtoull(old_text, &end, 10);
    if (old_text[0] < '0' || old_text[0] > '9' || *end != '\0' || errno || old > head.size) {
        rc = ctx_error(ctx, AT_EINVAL, "old size \"%.40s\": a number from 0 to %llu (the newest "
                       "signed head's size)", old_text, (unsigned long long)head.size);
        goto out;
    }
    if ((rc = evlog_consistency_proof(ctx, st, old, head.size, &proof)) != AT_OK
        || (rc = evlog_root(ctx, st, old, old_root)) != AT_OK)
        goto out;
    merkle_hash_hex(old_root, old_hex);
    *out = json_pack("{s:O, s:I, s:s, s:o}", "tree_head", th, "old_size", (json_int_t)old,
                     "old_root", old_hex, "consistency_proof", evlog_proof_json(&proof));
out:
    json_decref(th);
    return rc;
}
