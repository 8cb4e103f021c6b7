/* test_record.c: versions, the log, the current view and search. */
#include "../../src/core/attest.h"
#include "../../src/core/import.h"
#include "../../src/core/record.h"
#include "../../src/core/stats.h"
#include "../../src/core/search.h"
#include "../../src/core/vocab.h"
#include "unit.h"
#include "fixture.h"

#include <stdlib.h>

static struct session admin;

static struct store *new_store(struct at_ctx *ctx)
{
    return unit_archive(ctx, "a", &admin);
}

static int add(struct at_ctx *ctx, struct store *st, const char *type, const char *json, char *id)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *data = json_loads(json, 0, NULL);
    int rc;

    store_begin(ctx, st);
    rc = record_add(ctx, st, model_type(type), data, &w, id);
    if (rc == AT_OK)
        store_commit(ctx, st);
    else
        store_rollback(st);
    json_decref(data);
    return rc;
}

static long count(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt;
    long n = -1;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

UNIT_TEST(record_versions_are_appended_and_logged)
{
    struct at_ctx ctx = { 0 };
    struct store *st = new_store(&ctx);
    struct record_write w = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];
    json_t *doc, *history;

    REQUIRE(st != NULL);
    REQUIRE(add(&ctx, st, "event", "{\"title\": \"FICTIONAL event\", \"date\": \"1997\"}", id) == AT_OK);
    json_t *changes = json_pack("{s:s}", "date", "1998-03");
    /* A new version needs a reason. */
    store_begin(&ctx, st);
    CHECK(record_amend(&ctx, st, id, changes, &w) == AT_EINVAL);
    w.reason = "witness corrected the year";
    CHECK(record_amend(&ctx, st, id, changes, &w) == AT_OK);
    CHECK(record_retract(&ctx, st, id, &w) == AT_OK);
    CHECK(record_retract(&ctx, st, id, &w) == AT_ECONFLICT);
    store_commit(&ctx, st);
    json_decref(changes);

    CHECK(count(st, "SELECT count(*) FROM record_version") == 3);
    /* The archive's keys, the admin user, then the three versions. */
    CHECK(count(st, "SELECT count(*) FROM log_entry") == 5);
    REQUIRE(record_get(&ctx, st, id, 0, &doc) == AT_OK);
    CHECK(json_integer_value(json_object_get(doc, "version")) == 3);
    CHECK(json_is_true(json_object_get(doc, "retracted")));
    CHECK_STR(json_string_value(json_object_get(json_object_get(doc, "data"), "date")), "1998-03");
    json_decref(doc);
    REQUIRE(record_get(&ctx, st, id, 1, &doc) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(json_object_get(doc, "data"), "date")), "1997");
    json_decref(doc);
    REQUIRE(record_history(&ctx, st, id, &history) == AT_OK);
    CHECK(json_array_size(history) == 3);
    json_decref(history);
    store_close(st);
}

UNIT_TEST(record_refuses_dangling_references)
{
    struct at_ctx ctx = { 0 };
    struct store *st = new_store(&ctx);
    char id[RECORD_ID_MAX], act[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    CHECK(add(&ctx, st, "act", "{\"event\": \"ev-000000000000\", \"act_type\": \"torture\"}", act) == AT_EINVAL);
    CHECK(strstr(ctx.message, "no record ev-000000000000") != NULL);
    REQUIRE(add(&ctx, st, "event", "{\"title\": \"FICTIONAL\"}", id) == AT_OK);
    char json[128];
    snprintf(json, sizeof json, "{\"event\": \"%s\", \"act_type\": \"torture\"}", id);
    CHECK(add(&ctx, st, "act", json, act) == AT_OK);
    json_t *refs;
    REQUIRE(record_referrers(&ctx, st, id, &refs) == AT_OK);
    CHECK(json_array_size(refs) == 1);
    json_decref(refs);
    CHECK(count(st, "SELECT count(*) FROM record_version") == 2);
    store_close(st);
}

struct hits {
    int n;
    char first[RECORD_ID_MAX];
};

static int collect(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct hits *h = arg;

    (void)snippet;
    (void)why;
    if (h->n++ == 0)
        snprintf(h->first, sizeof h->first, "%s", json_string_value(json_object_get(doc, "id")));
    return AT_OK;
}

static int hits(struct store *st, const char *q)
{
    struct at_ctx ctx = { 0 };
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0, "" };

    if (search_query(&ctx, st, q, &o, collect, &h) != AT_OK)
        return -1;
    return h.n;
}

UNIT_TEST(search_finds_words_and_cjk_substrings)
{
    struct at_ctx ctx = { 0 };
    struct store *st = new_store(&ctx);
    char id[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(add(&ctx, st, "person", "{\"names\": [\"김정은\", \"Kim Jong Un\"], \"description\": \"FICTIONAL 平壤市 人物\"}", id) == AT_OK);
    REQUIRE(add(&ctx, st, "event", "{\"title\": \"FICTIONAL execution at Hoeryong market\", \"description\": \"회령시장에서 공개처형\"}", id) == AT_OK);
    CHECK(hits(st, "hoeryong") == 1);
    CHECK(hits(st, "hoer") == 1);             /* prefix of the last word */
    CHECK(hits(st, "execution market") == 1);
    CHECK(hits(st, "정은") == 1);             /* two Hangul characters, inside a word */
    CHECK(hits(st, "회령시장") == 1);
    CHECK(hits(st, "공개처형") == 1);
    CHECK(hits(st, "平壤") == 1);
    CHECK(hits(st, "fictional") == 2);
    CHECK(hits(st, "\"unbalanced") == 0);     /* quotes are text, not syntax */
    CHECK(hits(st, "nothing-here") == 0);
    CHECK(hits(st, "   ") == -1);
    store_close(st);
}

UNIT_TEST(rebuild_recreates_the_derived_tables)
{
    struct at_ctx ctx = { 0 };
    struct store *st = new_store(&ctx);
    char id[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(add(&ctx, st, "event", "{\"title\": \"FICTIONAL 회령 event\", \"date\": \"1997\"}", id) == AT_OK);
    store_exec(&ctx, st, "DELETE FROM record_current;"
               " INSERT INTO search_words(search_words) VALUES ('delete-all');"
               " INSERT INTO search_cjk(search_cjk) VALUES ('delete-all');");
    CHECK(hits(st, "회령") == 0);
    store_begin(&ctx, st);
    CHECK(record_rebuild(&ctx, st) == AT_OK);
    store_commit(&ctx, st);
    CHECK(count(st, "SELECT count(*) FROM record_current") == 1);
    CHECK(hits(st, "회령") == 1);
    store_close(st);
}

static int count_doc(void *arg, json_t *doc)
{
    (void)doc;
    ++*(int *)arg;
    return AT_OK;
}

/* No session is no one: core reads nothing for it (a NULL session used
 * to read everything). */
UNIT_TEST(record_no_session_reads_nothing)
{
    struct at_ctx ctx = { 0 };
    struct store *st = new_store(&ctx);
    struct record_filter f = RECORD_FILTER_INIT;
    char id[RECORD_ID_MAX], resolved[RECORD_ID_MAX];
    json_t *doc = NULL, *stats = NULL;
    int listed = 0;

    REQUIRE(st != NULL);
    REQUIRE(add(&ctx, st, "document", "{\"title\": \"FICTIONAL unseen report\"}", id) == AT_OK);
    CHECK(hits(st, "unseen") == 1);
    store_set_session(st, NULL);
    CHECK(access_check(&ctx, NULL, ACTION_READ, CLEARANCE_PUBLIC) == AT_EDENIED);
    CHECK(access_session_clearance(NULL) == CLEARANCE_NONE);
    CHECK(record_read(&ctx, st, id, 0, &doc) == AT_ENOTFOUND && doc == NULL);
    CHECK(record_resolve(&ctx, st, id, resolved) == AT_ENOTFOUND);
    CHECK(record_list(&ctx, st, &f, count_doc, &listed) == AT_OK && listed == 0);
    CHECK(hits(st, "unseen") == 0);
    CHECK(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK
          && json_array_size(json_object_get(stats, "types")) == 0);
    json_decref(stats);
    store_set_session(st, &admin);
    CHECK(record_read(&ctx, st, id, 0, &doc) == AT_OK && doc != NULL);
    json_decref(doc);
    store_close(st);
}

/* True when refs (record_referrers) holds id by field. */
static bool refers(json_t *refs, const char *id, const char *field)
{
    json_t *r;
    size_t i;

    json_array_foreach(refs, i, r)
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0
            && strcmp(json_string_value(json_object_get(r, "field")), field) == 0)
            return true;
    return false;
}

/* A record citing an interview as its source (the version's "source", not
 * a field of its data) is among the interview's referrers: derived on
 * write, on amend, and again by a rebuild. */
UNIT_TEST(record_source_is_a_reference_on_write_and_rebuild)
{
    struct at_ctx ctx = { 0 };
    struct store *st = new_store(&ctx);
    struct record_write w = RECORD_WRITE_INIT;
    char wt[RECORD_ID_MAX], iv[RECORD_ID_MAX], iv2[RECORD_ID_MAX], ev[RECORD_ID_MAX], json[128];
    json_t *data, *refs;

    REQUIRE(st != NULL);
    REQUIRE(add(&ctx, st, "witness", "{\"code\": \"W-FICT-SRC\"}", wt) == AT_OK);
    snprintf(json, sizeof json, "{\"witness\": \"%s\"}", wt);
    REQUIRE(add(&ctx, st, "interview", json, iv) == AT_OK);
    REQUIRE(add(&ctx, st, "interview", json, iv2) == AT_OK);
    data = json_pack("{s:s}", "title", "FICTIONAL event told in an interview");
    w.source = iv;
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(record_add(&ctx, st, model_type("event"), data, &w, ev) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    json_decref(data);
    REQUIRE(record_referrers(&ctx, st, iv, &refs) == AT_OK);
    CHECK(refers(refs, ev, "source"));
    json_decref(refs);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(record_rebuild(&ctx, st) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    REQUIRE(record_referrers(&ctx, st, iv, &refs) == AT_OK);
    CHECK(refers(refs, ev, "source"));
    json_decref(refs);
    /* Amended to cite the other interview: the first no longer lists it. */
    data = json_pack("{s:s}", "title", "FICTIONAL event told in an interview");
    w.source = iv2;
    w.reason = "FICTIONAL: the other interview";
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(record_amend(&ctx, st, ev, data, &w) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    json_decref(data);
    REQUIRE(record_referrers(&ctx, st, iv, &refs) == AT_OK);
    CHECK(!refers(refs, ev, "source"));
    json_decref(refs);
    REQUIRE(record_referrers(&ctx, st, iv2, &refs) == AT_OK);
    CHECK(refers(refs, ev, "source"));
    json_decref(refs);
    store_close(st);
}
