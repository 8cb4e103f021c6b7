/* test_evlog.c: the log over SQLite: heads, signatures, proofs. */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keys.h"
#include "../../src/core/record.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

UNIT_TEST(evlog_heads_are_signed_and_proofs_verify)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_write w = RECORD_WRITE_INIT;
    struct tree_head first, head;
    struct merkle_proof proof;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], root[32];
    struct buf archive = BUF_INIT;
    char id[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(evlog_latest_head(&ctx, st, &first) == AT_OK);
    CHECK(first.size == 2);
    for (int batch = 0; batch < 5; batch++) {
        store_begin(&ctx, st);
        for (int i = 0; i < 7; i++) {
            json_t *data = json_pack("{s:s}", "title", "FICTIONAL event");
            CHECK(record_add(&ctx, st, model_type("event"), data, &w, id) == AT_OK);
            json_decref(data);
        }
        CHECK(evlog_commit(&ctx, st) == AT_OK);
    }
    REQUIRE(evlog_latest_head(&ctx, st, &head) == AT_OK);
    CHECK(head.size == 37);
    REQUIRE(keys_sign_pk(&ctx, st, pk) == AT_OK);
    REQUIRE(store_meta_get(&ctx, st, "archive_id", &archive) == AT_OK);
    char *text = evlog_head_text(buf_str(&archive), &head);
    CHECK(crypto_sign_verify_detached(head.signature, (const uint8_t *)text, strlen(text), pk) == 0);
    text[10] ^= 1;
    CHECK(crypto_sign_verify_detached(head.signature, (const uint8_t *)text, strlen(text), pk) != 0);
    free(text);

    /* Every leaf is provably in the head, and the first head is a prefix. */
    for (uint64_t i = 0; i < head.size; i++) {
        sqlite3_stmt *stmt;
        uint8_t leaf[32];
        sqlite3_prepare_v2(store_db(st), "SELECT leaf FROM log_entry WHERE seq = ?1", -1, &stmt, NULL);
        sqlite3_bind_int64(stmt, 1, (sqlite3_int64)i + 1);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
        memcpy(leaf, sqlite3_column_blob(stmt, 0), 32);
        sqlite3_finalize(stmt);
        REQUIRE(evlog_inclusion_proof(&ctx, st, i, head.size, &proof) == AT_OK);
        CHECK(merkle_verify_inclusion(leaf, i, head.size, &proof, head.root, &ctx) == AT_OK);
    }
    REQUIRE(evlog_consistency_proof(&ctx, st, first.size, head.size, &proof) == AT_OK);
    CHECK(merkle_verify_consistency(first.size, first.root, head.size, head.root, &proof, &ctx) == AT_OK);

    /* The cached subtrees, dropped and rebuilt, give the same root. */
    store_exec(&ctx, st, "DELETE FROM merkle_node");
    CHECK(evlog_root(&ctx, st, head.size, root) == AT_ENOTFOUND);
    CHECK(evlog_rebuild_nodes(&ctx, st) == AT_OK);
    CHECK(evlog_root(&ctx, st, head.size, root) == AT_OK && memcmp(root, head.root, 32) == 0);
    buf_free(&archive);
    store_close(st);
}

/* The cached subtrees of every node, as text, in one order. */
static char *nodes_text(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT group_concat(level || '/' || idx || '=' || hex(hash), ' ') FROM"
        " (SELECT * FROM merkle_node ORDER BY level, idx)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char *text;

    if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
        return NULL;
    text = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    return text;
}

UNIT_TEST(evlog_batch_caches_the_subtrees_appending_would)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct evlog_batch b = { 0 };
    char *batched, *rebuilt, doc[32];
    int64_t seq;

    REQUIRE(st != NULL);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    /* Three leaves one by one (an odd size before the batch), then 29 in a
     * batch, one of them rolled back as a bad import row would be. */
    for (int i = 0; i < 3; i++) {
        snprintf(doc, sizeof doc, "{\"one\":%d}", i);
        CHECK(evlog_append(&ctx, st, doc, &seq) == AT_OK);
    }
    for (int i = 0; i < 30; i++) {
        snprintf(doc, sizeof doc, "{\"batch\":%d}", i);
        if (i == 11)
            CHECK(store_exec(&ctx, st, "SAVEPOINT item") == AT_OK);
        CHECK(evlog_batch_append(&ctx, st, &b, doc, &seq) == AT_OK);
        if (i == 11) {
            CHECK(store_exec(&ctx, st, "ROLLBACK TO item; RELEASE item") == AT_OK);
            evlog_batch_drop(&b, seq);
        }
    }
    CHECK(b.n == 29);
    CHECK(evlog_batch_flush(&ctx, st, &b) == AT_OK);
    /* The log goes on one by one after the batch. */
    CHECK(evlog_append(&ctx, st, "{\"after\":1}", &seq) == AT_OK);
    CHECK(seq == 2 + 3 + 29 + 1);
    batched = nodes_text(&ctx, st);
    CHECK(evlog_rebuild_nodes(&ctx, st) == AT_OK);
    rebuilt = nodes_text(&ctx, st);
    REQUIRE(batched != NULL && rebuilt != NULL);
    CHECK(strcmp(batched, rebuilt) == 0);
    CHECK(strlen(batched) > 0);
    CHECK(evlog_commit(&ctx, st) == AT_OK);
    free(batched);
    free(rebuilt);
    evlog_batch_free(&b);
    store_close(st);
}

/* The prover over the database gives the proofs evlog_inclusion_proof
 * gives, for every leaf of trees of many sizes (runs of nodes cut at
 * every size, peaks at either side of a run's edge), asked in log order
 * and out of it. */
UNIT_TEST(evlog_prover_matches_one_by_one)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static const uint64_t sizes[] = { 1, 2, 3, 5, 7, 8, 100, 511, 512, 513, 1024, 1500 };
    struct merkle_proof got, want;
    struct evlog_prover *p;
    char doc[32];
    uint64_t size;
    int64_t seq;
    bool same = true;

    REQUIRE(st != NULL);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(evlog_size(&ctx, st, &size) == AT_OK);
    for (uint64_t i = size; i < 1500; i++) {
        snprintf(doc, sizeof doc, "{\"n\":%llu}", (unsigned long long)i);
        REQUIRE(evlog_append(&ctx, st, doc, &seq) == AT_OK);
    }
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint64_t n = sizes[k];
        REQUIRE(evlog_prover_begin(&ctx, st, n, &p) == AT_OK);
        for (uint64_t m = 0; m < 2 * n; m++) {
            /* In order, then from both ends inward. */
            uint64_t at = m < n ? m : (m - n) % 2 ? n - 1 - (m - n) / 2 : (m - n) / 2;
            REQUIRE(evlog_prover_proof(&ctx, p, at, &got) == AT_OK);
            REQUIRE(evlog_inclusion_proof(&ctx, st, at, n, &want) == AT_OK);
            same &= got.len == want.len && memcmp(got.hash, want.hash, got.len * 32) == 0;
        }
        CHECK(evlog_prover_proof(&ctx, p, n, &got) == AT_EINVAL);
        evlog_prover_free(p);
    }
    CHECK(same);
    /* A node the cache lacks is reported as the one-by-one path reports it. */
    CHECK(store_exec(&ctx, st, "DELETE FROM merkle_node WHERE level = 1 AND idx = 200")
          == AT_OK);
    REQUIRE(evlog_prover_begin(&ctx, st, 1500, &p) == AT_OK);
    CHECK(evlog_prover_proof(&ctx, p, 403, &got) == AT_ENOTFOUND);
    CHECK(strstr(ctx.message, "rebuild") != NULL);
    evlog_prover_free(p);
    store_rollback(st);
    store_close(st);
}
