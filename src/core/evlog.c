/*
 * evlog.c: the log's storage over SQLite: leaves in log_entry, cached
 * complete subtrees in merkle_node, signed heads in tree_head.
 */
#include "attest.h"
#include "evlog.h"
#include "access.h"
#include "canonical.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The merkle_source over the database: level 0 from log_entry (leaf index
 * i is seq i + 1), higher levels from merkle_node. */
static int node_get(void *arg, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN],
                    struct at_ctx *ctx)
{
    static const char leaf_sql[] = "SELECT leaf FROM log_entry WHERE seq = ?1";
    static const char node_sql[] = "SELECT hash FROM merkle_node WHERE level = ?2 AND idx = ?1";
    struct store *st = arg;
    sqlite3_stmt *stmt = store_stmt(ctx, st, level == 0 ? leaf_sql : node_sql);
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)index + (level == 0));
    if (level)
        sqlite3_bind_int(stmt, 2, (int)level);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == MERKLE_HASH_LEN) {
        memcpy(out, sqlite3_column_blob(stmt, 0), MERKLE_HASH_LEN);
        sqlite3_reset(stmt);
        return AT_OK;
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(ctx, st, "reading the log");
    return ctx_error(ctx, AT_ENOTFOUND, "the log lacks node %u/%llu; run 'attest rebuild'",
                     level, (unsigned long long)index);
}

static struct merkle_source source_of(struct store *st)
{
    return (struct merkle_source){ node_get, st };
}

static int store_nodes(struct at_ctx *ctx, struct store *st, const struct merkle_node *nodes,
                       size_t n)
{
    static const char sql[] = "INSERT OR REPLACE INTO merkle_node(level, idx, hash) VALUES (?1, ?2, ?3)";

    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL)
            return AT_ERR;
        sqlite3_bind_int(stmt, 1, (int)nodes[i].level);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)nodes[i].index);
        sqlite3_bind_blob(stmt, 3, nodes[i].hash, MERKLE_HASH_LEN, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            return store_error(ctx, st, "caching the log's tree");
    }
    return AT_OK;
}

/* Stores leaf as the next log entry, without its tree nodes. */
static int append_leaf(struct at_ctx *ctx, struct store *st, const uint8_t leaf[MERKLE_HASH_LEN],
                       int64_t *seq)
{
    static const char sql[] = "INSERT INTO log_entry(leaf, written_at) VALUES (?1, ?2)";
    char now[21];
    sqlite3_stmt *stmt;

    canonical_now(now);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_blob(stmt, 1, leaf, MERKLE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "appending to the log");
    *seq = sqlite3_last_insert_rowid(store_db(st));
    return AT_OK;
}

int evlog_append_leaf(struct at_ctx *ctx, struct store *st, const uint8_t leaf[MERKLE_HASH_LEN],
                      int64_t *seq)
{
    struct merkle_source src = source_of(st);
    struct merkle_node nodes[MERKLE_MAX_LEVELS];
    size_t n;

    if (append_leaf(ctx, st, leaf, seq) != AT_OK)
        return ctx->code;
    if (merkle_append_nodes(&src, (uint64_t)*seq - 1, leaf, nodes, &n, ctx) != AT_OK)
        return ctx->code;
    return store_nodes(ctx, st, nodes, n);
}

int evlog_append(struct at_ctx *ctx, struct store *st, const char *doc, int64_t *seq)
{
    uint8_t leaf[MERKLE_HASH_LEN];

    merkle_leaf_hash(doc, strlen(doc), leaf);
    return evlog_append_leaf(ctx, st, leaf, seq);
}

int evlog_batch_append(struct at_ctx *ctx, struct store *st, struct evlog_batch *b,
                       const char *doc, int64_t *seq)
{
    uint8_t leaf[MERKLE_HASH_LEN];

    merkle_leaf_hash(doc, strlen(doc), leaf);
    if (append_leaf(ctx, st, leaf, seq) != AT_OK)
        return ctx->code;
    if (b->n == 0)
        b->first = *seq;
    else if (*seq != b->first + (int64_t)b->n)
        return ctx_error(ctx, AT_ERR, "the log grew outside a batch of entries");
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->leaves = xrealloc(b->leaves, b->cap * MERKLE_HASH_LEN);
    }
    memcpy(b->leaves[b->n++], leaf, MERKLE_HASH_LEN);
    return AT_OK;
}

void evlog_batch_drop(struct evlog_batch *b, int64_t seq)
{
    if (b->n > 0 && seq == b->first + (int64_t)b->n - 1)
        b->n--;
}

/* The tree's right edge while a batch is added: the newest node of each
 * level, which is the left sibling of the next node completed on that
 * level.  Nodes from before the batch come from the database. */
struct edge {
    struct store *st;
    bool have[MERKLE_MAX_LEVELS];
    uint64_t index[MERKLE_MAX_LEVELS];
    uint8_t hash[MERKLE_MAX_LEVELS][MERKLE_HASH_LEN];
};

static int edge_get(void *arg, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN],
                    struct at_ctx *ctx)
{
    struct edge *e = arg;

    if (level < MERKLE_MAX_LEVELS && e->have[level] && e->index[level] == index) {
        memcpy(out, e->hash[level], MERKLE_HASH_LEN);
        return AT_OK;
    }
    return node_get(e->st, level, index, out, ctx);
}

static void edge_put(struct edge *e, unsigned level, uint64_t index,
                     const uint8_t hash[MERKLE_HASH_LEN])
{
    e->have[level] = true;
    e->index[level] = index;
    memcpy(e->hash[level], hash, MERKLE_HASH_LEN);
}

int evlog_batch_flush(struct at_ctx *ctx, struct store *st, struct evlog_batch *b)
{
    struct edge *e = xcalloc(1, sizeof *e);
    struct merkle_source src = { edge_get, e };
    struct merkle_node nodes[MERKLE_MAX_LEVELS];
    int rc = AT_OK;

    e->st = st;
    for (size_t i = 0; rc == AT_OK && i < b->n; i++) {
        uint64_t index = (uint64_t)b->first - 1 + i;
        size_t n;
        edge_put(e, 0, index, b->leaves[i]);
        if ((rc = merkle_append_nodes(&src, index, b->leaves[i], nodes, &n, ctx)) != AT_OK)
            break;
        for (size_t k = 0; k < n; k++)
            edge_put(e, nodes[k].level, nodes[k].index, nodes[k].hash);
        rc = store_nodes(ctx, st, nodes, n);
    }
    free(e);
    b->n = 0;
    return rc;
}

void evlog_batch_free(struct evlog_batch *b)
{
    free(b->leaves);
    memset(b, 0, sizeof *b);
}

int evlog_append_item(struct at_ctx *ctx, struct store *st, const char *kind, const char *ref,
                      json_t *doc, int64_t *seq)
{
    static const char sql[] = "INSERT INTO log_item(seq, kind, ref, doc) VALUES (?1, ?2, ?3, ?4)";
    char *text = canonical_text(doc);
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = evlog_append(ctx, st, text, seq)) == AT_OK) {
        if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
            rc = AT_ERR;
        } else {
            sqlite3_bind_int64(stmt, 1, *seq);
            sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(stmt, 3, ref, -1, SQLITE_STATIC);
            sqlite3_bind_text(stmt, 4, text, -1, SQLITE_STATIC);
            if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = store_error(ctx, st, "storing a log item");
        }
    }
    free(text);
    return rc;
}

int evlog_size(struct at_ctx *ctx, struct store *st, uint64_t *size)
{
    static const char sql[] = "SELECT coalesce(max(seq), 0) FROM log_entry";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    if (sqlite3_step(stmt) != SQLITE_ROW)
        return store_error(ctx, st, "reading the log");
    *size = (uint64_t)sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return AT_OK;
}

int evlog_root(struct at_ctx *ctx, struct store *st, uint64_t size, uint8_t root[MERKLE_HASH_LEN])
{
    struct merkle_source src = source_of(st);

    return merkle_root(&src, size, root, ctx);
}

char *evlog_head_text(const char *archive_id, const struct tree_head *h)
{
    char hex[2 * MERKLE_HASH_LEN + 1];
    json_t *doc;
    char *text;

    merkle_hash_hex(h->root, hex);
    doc = json_pack("{s:s, s:s, s:s, s:I}", "archive", archive_id, "root", hex,
                    "signed_at", h->signed_at, "size", (json_int_t)h->size);
    text = doc ? canonical_text(doc) : xstrdup("");
    json_decref(doc);
    return text;
}

int evlog_latest_head(struct at_ctx *ctx, struct store *st, struct tree_head *out)
{
    static const char sql[] =
        "SELECT size, root, signed_at, signature FROM tree_head ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return rc == SQLITE_DONE ? ctx_error(ctx, AT_ENOTFOUND, "the log has no signed head yet")
                                 : store_error(ctx, st, "reading tree heads");
    }
    out->size = (uint64_t)sqlite3_column_int64(stmt, 0);
    if (sqlite3_column_bytes(stmt, 1) != MERKLE_HASH_LEN || sqlite3_column_bytes(stmt, 3) != 64) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ECORRUPT, "the newest tree head is malformed");
    }
    memcpy(out->root, sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN);
    snprintf(out->signed_at, sizeof out->signed_at, "%s", (const char *)sqlite3_column_text(stmt, 2));
    memcpy(out->signature, sqlite3_column_blob(stmt, 3), 64);
    sqlite3_reset(stmt);
    return AT_OK;
}

int evlog_sign_head(struct at_ctx *ctx, struct store *st, const uint8_t *sign_sk)
{
    static const char sql[] =
        "INSERT INTO tree_head(size, root, signed_at, signature) VALUES (?1, ?2, ?3, ?4)";
    struct tree_head h, latest;
    struct buf archive = BUF_INIT;
    sqlite3_stmt *stmt;
    char *text;
    int rc;

    if ((rc = evlog_size(ctx, st, &h.size)) != AT_OK)
        return rc;
    rc = evlog_latest_head(ctx, st, &latest);
    if (rc == AT_OK && latest.size == h.size)
        return AT_OK;
    if (rc != AT_OK && rc != AT_ENOTFOUND)
        return rc;
    if ((rc = evlog_root(ctx, st, h.size, h.root)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &archive)) != AT_OK)
        goto out;
    canonical_now(h.signed_at);
    text = evlog_head_text(buf_str(&archive), &h);
    crypto_sign_detached(h.signature, NULL, (const unsigned char *)text, strlen(text), sign_sk);
    free(text);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)h.size);
    sqlite3_bind_blob(stmt, 2, h.root, MERKLE_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, h.signed_at, -1, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 4, h.signature, 64, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(ctx, st, "storing a tree head");
out:
    buf_free(&archive);
    return rc;
}

int evlog_commit(struct at_ctx *ctx, struct store *st)
{
    const struct session *s = store_session(st);
    int rc;

    if (s == NULL)
        rc = access_check(ctx, s, ACTION_WRITE, 0);
    else
        rc = evlog_sign_head(ctx, st, s->sign_sk);
    if (rc == AT_OK)
        rc = store_commit(ctx, st);
    if (rc != AT_OK)
        store_rollback(st);
    return rc;
}

int evlog_write(struct at_ctx *ctx, struct store *st, evlog_write_fn fn, void *arg)
{
    int rc;

    if ((rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    if (fn && (rc = fn(ctx, st, arg)) != AT_OK) {
        store_rollback(st);
        return rc;
    }
    return evlog_commit(ctx, st);
}

int evlog_inclusion_proof(struct at_ctx *ctx, struct store *st, uint64_t index, uint64_t size,
                          struct merkle_proof *proof)
{
    struct merkle_source src = source_of(st);

    return merkle_inclusion_proof(&src, index, size, proof, ctx);
}

/* A run of one level's nodes, [base, base + RUN), read in one query. */
#define RUN 512

struct run {
    bool loaded;
    uint64_t base;
    uint8_t have[RUN];
    uint8_t hash[RUN][MERKLE_HASH_LEN];
};

struct evlog_prover {
    struct store *st;
    struct merkle_source src;
    struct merkle_prover mp;
    struct run *run[MERKLE_MAX_LEVELS];
};

/* Reads the run of level holding index: leaves from log_entry, other
 * levels from merkle_node, as node_get does one by one. */
static int run_load(struct at_ctx *ctx, struct store *st, struct run *r, unsigned level,
                    uint64_t index)
{
    static const char leaf_sql[] =
        "SELECT seq - 1, leaf FROM log_entry WHERE seq > ?1 AND seq <= ?2";
    static const char node_sql[] =
        "SELECT idx, hash FROM merkle_node WHERE level = ?3 AND idx >= ?1 AND idx < ?2";
    sqlite3_stmt *stmt = store_stmt(ctx, st, level == 0 ? leaf_sql : node_sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    r->base = index - index % RUN;
    r->loaded = true;
    memset(r->have, 0, sizeof r->have);
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)r->base);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(r->base + RUN));
    if (level)
        sqlite3_bind_int(stmt, 3, (int)level);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        uint64_t at = (uint64_t)sqlite3_column_int64(stmt, 0) - r->base;
        if (at < RUN && sqlite3_column_bytes(stmt, 1) == MERKLE_HASH_LEN) {
            memcpy(r->hash[at], sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN);
            r->have[at] = 1;
        }
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading the log");
}

/* The merkle_source of a prover: a node from its level's run, the run
 * read when it does not hold the index; a node missing from the run is
 * asked of node_get, which says what is wrong. */
static int run_get(void *arg, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN],
                   struct at_ctx *ctx)
{
    struct evlog_prover *p = arg;
    struct run *r = p->run[level];
    int rc;

    if (r == NULL)
        r = p->run[level] = xcalloc(1, sizeof *r);
    if ((!r->loaded || index < r->base || index - r->base >= RUN)
        && (rc = run_load(ctx, p->st, r, level, index)) != AT_OK)
        return rc;
    if (!r->have[index - r->base])
        return node_get(p->st, level, index, out, ctx);
    memcpy(out, r->hash[index - r->base], MERKLE_HASH_LEN);
    return AT_OK;
}

int evlog_prover_begin(struct at_ctx *ctx, struct store *st, uint64_t size,
                       struct evlog_prover **out)
{
    struct evlog_prover *p = xcalloc(1, sizeof *p);
    int rc;

    p->st = st;
    p->src = (struct merkle_source){ run_get, p };
    if ((rc = merkle_prover_init(&p->mp, &p->src, size, ctx)) != AT_OK) {
        evlog_prover_free(p);
        p = NULL;
    }
    *out = p;
    return rc;
}

int evlog_prover_proof(struct at_ctx *ctx, struct evlog_prover *p, uint64_t index,
                       struct merkle_proof *proof)
{
    return merkle_prover_proof(&p->mp, index, proof, ctx);
}

void evlog_prover_free(struct evlog_prover *p)
{
    if (p == NULL)
        return;
    for (unsigned i = 0; i < MERKLE_MAX_LEVELS; i++)
        free(p->run[i]);
    free(p);
}

int evlog_consistency_proof(struct at_ctx *ctx, struct store *st, uint64_t old_size,
                            uint64_t new_size, struct merkle_proof *proof)
{
    struct merkle_source src = source_of(st);

    return merkle_consistency_proof(&src, old_size, new_size, proof, ctx);
}

int evlog_rebuild_nodes(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] = "SELECT seq, leaf FROM log_entry ORDER BY seq";
    struct merkle_source src = source_of(st);
    struct merkle_node nodes[MERKLE_MAX_LEVELS];
    sqlite3_stmt *stmt;
    int rc = store_exec(ctx, st, "DELETE FROM merkle_node");

    if (rc != AT_OK || (stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        size_t n;
        uint8_t leaf[MERKLE_HASH_LEN];
        uint64_t index = (uint64_t)sqlite3_column_int64(stmt, 0) - 1;
        memcpy(leaf, sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN);
        if ((rc = merkle_append_nodes(&src, index, leaf, nodes, &n, ctx)) == AT_OK)
            rc = store_nodes(ctx, st, nodes, n);
    }
    sqlite3_reset(stmt);
    return rc;
}

int evlog_entry_of(struct at_ctx *ctx, struct store *st, const char *ref, int version,
                   int64_t *seq, uint8_t leaf[MERKLE_HASH_LEN])
{
    static const char sql[] =
        "SELECT e.seq, e.leaf FROM log_entry e WHERE e.seq = ("
        "  SELECT max(s) FROM ("
        "    SELECT log_seq AS s FROM record_version WHERE id = ?1 AND (?2 = 0 OR version = ?2)"
        "    UNION ALL SELECT seq FROM log_item WHERE ref = ?1 AND ?2 = 0))";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, version);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 1) == MERKLE_HASH_LEN) {
        *seq = sqlite3_column_int64(stmt, 0);
        memcpy(leaf, sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN);
        sqlite3_reset(stmt);
        return AT_OK;
    }
    sqlite3_reset(stmt);
    return ctx_error(ctx, AT_ENOTFOUND, "nothing in the log is about %s%s", ref,
                     version ? " at that version" : "");
}

json_t *evlog_proof_json(const struct merkle_proof *p)
{
    json_t *a = json_array();
    char hex[2 * MERKLE_HASH_LEN + 1];

    for (size_t i = 0; i < p->len; i++) {
        merkle_hash_hex(p->hash[i], hex);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}
