/* test_mse_archive.c: estimates from the archive's records: capture
 * histories from the lists of sources, strata, the record linkage's
 * clusters, the tree head an estimate reads at, and its storage as
 * versioned log entries that --at computes again. */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/mse.h"
#include "../../src/core/record.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>

#define LISTS "A=interview,interviewer:NGO-A*;B=interview,interviewer:NGO-B*;U=document,publisher:UN"

struct world {
    struct store *st;
    struct session admin;
    char wt[RECORD_ID_MAX], ia[RECORD_ID_MAX], ib[RECORD_ID_MAX], un[RECORD_ID_MAX];
    char ev[RECORD_ID_MAX], ev2[RECORD_ID_MAX], pe[7][RECORD_ID_MAX];
};

/* An act against person (NULL: a counted group) recorded from source. */
static int add_act(struct at_ctx *ctx, struct world *w, const char *event, const char *person,
                   const char *source)
{
    struct record_write rw = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];
    json_t *data = person ? json_pack("{s:s, s:s, s:s}", "event", event, "act_type", "extrajudicial_killing",
                                      "victim", person)
                          : json_pack("{s:s, s:s, s:i}", "event", event, "act_type", "extrajudicial_killing",
                                      "victim_count", 4);
    struct record_change c = { .type = model_type("act"), .data = data, .w = &rw, .id_out = id };
    int rc;

    rw.source = source;
    rc = evlog_write(ctx, w->st, record_add_write, &c);
    json_decref(data);
    return rc;
}

/* Six FICTIONAL victims: p1 on A; p2 on A and B; p3 on B and U; p4 on
 * all three; p5 on U; p6 on A, in another province; and a group act. */
static int world_make(struct at_ctx *ctx, struct world *w)
{
    char json[256];

    if (!(w->st = unit_archive(ctx, "arc", &w->admin)))
        return AT_ERR;
    if (unit_add(ctx, w->st, "witness", "{\"code\":\"W-FICT-1\"}", -1, w->wt) ||
        (snprintf(json, sizeof json, "{\"witness\":\"%s\",\"interviewer\":\"NGO-A-1\"}", w->wt),
         unit_add(ctx, w->st, "interview", json, -1, w->ia)) ||
        (snprintf(json, sizeof json, "{\"witness\":\"%s\",\"interviewer\":\"NGO-B-7\"}", w->wt),
         unit_add(ctx, w->st, "interview", json, -1, w->ib)) ||
        unit_add(ctx, w->st, "document", "{\"title\":\"FICTIONAL\",\"publisher\":\"UN\"}", -1, w->un) ||
        unit_add(ctx, w->st, "event", "{\"title\":\"FICTIONAL\",\"province\":\"North Hamgyong\",\"date\":\"1999-03\"}", -1, w->ev) ||
        unit_add(ctx, w->st, "event", "{\"title\":\"FICTIONAL\",\"province\":\"Ryanggang\",\"date\":\"2001\"}", -1, w->ev2))
        return AT_ERR;
    for (int i = 1; i <= 6; i++) {
        snprintf(json, sizeof json, "{\"names\":[{\"name\":\"FICTIONAL %d\"}]}", i);
        if (unit_add(ctx, w->st, "person", json, -1, w->pe[i]))
            return AT_ERR;
    }
    if (add_act(ctx, w, w->ev, w->pe[1], w->ia) || add_act(ctx, w, w->ev, w->pe[2], w->ia) ||
        add_act(ctx, w, w->ev, w->pe[2], w->ib) || add_act(ctx, w, w->ev, w->pe[3], w->ib) ||
        add_act(ctx, w, w->ev, w->pe[3], w->un) || add_act(ctx, w, w->ev, w->pe[4], w->ia) ||
        add_act(ctx, w, w->ev, w->pe[4], w->ib) || add_act(ctx, w, w->ev, w->pe[4], w->un) ||
        add_act(ctx, w, w->ev, w->pe[5], w->un) || add_act(ctx, w, w->ev2, w->pe[6], w->ia) ||
        add_act(ctx, w, w->ev, NULL, w->ia))
        return AT_ERR;
    return AT_OK;
}

static bool warned(json_t *doc, const char *part)
{
    char *text = json_dumps(json_object_get(doc, "warnings"), 0);
    bool found = text && strstr(text, part) != NULL;

    free(text);
    return found;
}

static long pattern(json_t *doc, size_t stratum, const char *key)
{
    json_t *r = json_array_get(json_object_get(doc, "strata"), stratum);

    return (long)json_integer_value(json_object_get(json_object_get(r, "patterns"), key));
}

static int estimate(struct at_ctx *ctx, struct world *w, enum mse_strata strata, uint64_t at, json_t **doc)
{
    struct mse_request rq = { LISTS, strata, { .kind = MSE_CHAPMAN }, at };

    return mse_archive_estimate(ctx, w->st, &rq, doc);
}

UNIT_TEST(mse_archive_builds_capture_histories_from_the_lists)
{
    struct at_ctx ctx = { 0 };
    struct world w;
    json_t *doc;

    REQUIRE(world_make(&ctx, &w) == AT_OK);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, 0, &doc) == AT_OK);
    CHECK(json_array_size(json_object_get(doc, "strata")) == 1);
    CHECK(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "strata"), 0), "documented")) == 6);
    CHECK(pattern(doc, 0, "100") == 2 && pattern(doc, 0, "110") == 1 && pattern(doc, 0, "011") == 1);
    CHECK(pattern(doc, 0, "111") == 1 && pattern(doc, 0, "001") == 1 && pattern(doc, 0, "010") == 0);
    CHECK(strncmp(json_string_value(json_object_get(doc, "id")), "es-", 3) == 0);
    CHECK(json_integer_value(json_object_get(doc, "acts_read")) == 11);
    CHECK(warned(doc, "1 acts against a counted group"));
    CHECK(warned(doc, "No record linkage"));
    json_decref(doc);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_PROVINCE, 0, &doc) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "strata"), 0), "stratum")), "North Hamgyong");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "strata"), 1), "stratum")), "Ryanggang");
    CHECK(pattern(doc, 0, "100") == 1 && pattern(doc, 1, "100") == 1);
    /* One list alone in Ryanggang: no two-list estimate there, said so. */
    CHECK(json_object_get(json_array_get(json_object_get(doc, "strata"), 1), "error") != NULL);
    json_decref(doc);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_PERIOD, 0, &doc) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "strata"), 0), "stratum")), "1999");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(doc, "strata"), 1), "stratum")), "2001");
    json_decref(doc);
    store_close(w.st);
}

UNIT_TEST(mse_archive_identifies_victims_by_the_linkage_clusters)
{
    struct at_ctx ctx = { 0 };
    struct world w;
    json_t *doc;
    char *sql;

    REQUIRE(world_make(&ctx, &w) == AT_OK);
    /* p1 (on A) and p5 (on U) are one victim. */
    sql = sqlite3_mprintf("CREATE TABLE IF NOT EXISTS link_cluster (record_id TEXT PRIMARY KEY,"
                          " type TEXT NOT NULL, cluster_id TEXT NOT NULL);"
                          "INSERT INTO link_cluster VALUES ('%q', 'person', 'c-1'), ('%q', 'person', 'c-1');"
                          "CREATE TABLE IF NOT EXISTS link_run (run INTEGER PRIMARY KEY, type TEXT NOT NULL,"
                          " model_version TEXT NOT NULL, threshold REAL NOT NULL, config TEXT NOT NULL,"
                          " params TEXT NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL,"
                          " log_seq INTEGER NOT NULL);"
                          "INSERT INTO link_run(run, type, model_version, threshold, config, params, author,"
                          " created_at, log_seq) VALUES (1, 'person', 'fs1-FICTIONAL', 0.9, '{}', '{}',"
                          " 'admin', '2026-01-01T00:00:00Z', 1);",
                          w.pe[1], w.pe[5]);
    REQUIRE(sqlite3_exec(store_db(w.st), sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_free(sql);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, 0, &doc) == AT_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "strata"), 0), "documented")) == 5);
    CHECK(pattern(doc, 0, "101") == 1 && pattern(doc, 0, "100") == 1 && pattern(doc, 0, "001") == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(doc, "linkage"), "persons_clustered")) == 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(doc, "linkage"), "model_version")), "fs1-FICTIONAL");
    CHECK(!warned(doc, "No record linkage"));
    CHECK(warned(doc, "8 acts name a victim whose person record is in no linkage cluster"));
    json_decref(doc);
    store_close(w.st);
}

UNIT_TEST(mse_archive_reads_at_a_tree_head_and_reproduces_a_stored_estimate)
{
    struct at_ctx ctx = { 0 };
    struct world w;
    struct tree_head head;
    json_t *doc, *stored, *again;
    bool same = false;
    char id[RECORD_ID_MAX];

    REQUIRE(world_make(&ctx, &w) == AT_OK);
    REQUIRE(evlog_latest_head(&ctx, w.st, &head) == AT_OK);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, 0, &doc) == AT_OK);
    REQUIRE(evlog_write(&ctx, w.st, mse_archive_store_write, doc) == AT_OK);
    CHECK(json_integer_value(json_object_get(doc, "version")) == 1);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    /* A new victim, documented later, is not in the estimate at the old head. */
    REQUIRE(add_act(&ctx, &w, w.ev, w.pe[6], w.un) == AT_OK);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, 0, &doc) == AT_OK);
    CHECK(pattern(doc, 0, "101") == 1);
    REQUIRE(evlog_write(&ctx, w.st, mse_archive_store_write, doc) == AT_OK);
    CHECK(json_integer_value(json_object_get(doc, "version")) == 2);
    CHECK(strcmp(json_string_value(json_object_get(doc, "id")), id) == 0);
    json_decref(doc);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, head.size, &doc) == AT_OK);
    CHECK(pattern(doc, 0, "101") == 0 && pattern(doc, 0, "100") == 2);
    json_decref(doc);
    /* The newest stored version was computed at the newer head. */
    REQUIRE(mse_archive_reproduce(&ctx, w.st, id, false, &stored, &again, &same) == AT_OK);
    CHECK(same);
    CHECK(json_integer_value(json_object_get(stored, "version")) == 2);
    json_decref(stored);
    json_decref(again);
    CHECK(mse_archive_load(&ctx, w.st, "es-0000000000000000", &stored) == AT_ENOTFOUND);
    CHECK(estimate(&ctx, &w, MSE_STRATA_NONE, 999999, &doc) == AT_ENOTFOUND);
    CHECK_STR(ctx.message, "no signed tree head covers exactly 999999 log entries");
    store_close(w.st);
}

UNIT_TEST(mse_archive_reads_only_what_the_reader_may_and_stores_only_for_writers)
{
    struct at_ctx ctx = { 0 };
    struct world w;
    struct session partner;
    json_t *doc;

    REQUIRE(world_make(&ctx, &w) == AT_OK);
    /* A partner may read neither the interviews (confidential) nor the
     * acts (restricted): no victim is on any list for them. */
    partner = w.admin;
    partner.role = ROLE_PARTNER;
    partner.clearance = CLEARANCE_PARTNER;
    store_set_session(w.st, &partner);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, 0, &doc) == AT_OK);
    CHECK(json_array_size(json_object_get(doc, "strata")) == 0);
    CHECK(json_integer_value(json_object_get(doc, "acts_read")) == 0);
    CHECK_STR(json_string_value(json_object_get(doc, "clearance")), "partner");
    CHECK(warned(doc, "No victim is on any of these lists"));
    CHECK(evlog_write(&ctx, w.st, mse_archive_store_write, doc) == AT_EDENIED);
    json_decref(doc);
    store_set_session(w.st, &w.admin);
    store_close(w.st);
}

UNIT_TEST(mse_archive_refuses_bad_lists_saying_why)
{
    static const char *const cases[][2] = {
        { "A=interview", "--lists: estimation needs 2 to 6 lists, separated by ';'" },
        { "A=interview;A=document", "--lists: the list \"A\" is named twice" },
        { "A=witness;B=document", "list \"A\": a source is interview or document, then ,FIELD:VALUE filters; not \"witness\"" },
        { "A=interview,colour:red;B=document", "list \"A\": interview has no field \"colour\" (see attest add interview --fields)" },
        { "A=interview,interviewer;B=document", "list \"A\": a filter is FIELD:VALUE, not \"interviewer\"" },
        { "=interview;B=document", "--lists: each list is NAME=SOURCE[|SOURCE] (a name of 1 to 63 bytes); not \"=interview\"" },
    };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "arc", &admin);

    REQUIRE(st);
    REQUIRE(unit_add(&ctx, st, "witness", "{\"code\":\"W-FICT-1\"}", -1, NULL) == AT_OK);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct mse_request rq = { cases[i][0], MSE_STRATA_NONE, { .kind = MSE_CHAPMAN }, 0 };
        json_t *doc = NULL;

        CHECK(mse_archive_estimate(&ctx, st, &rq, &doc) == AT_EINVAL);
        CHECK_STR(ctx.message, cases[i][1]);
        json_decref(doc);
    }
    store_close(st);
}

/* How many of the store's statements are still stepping: each holds its
 * read snapshot, and a server thread's next write on that connection then
 * fails with "database is locked". */
static int busy_statements(struct store *st)
{
    int n = 0;

    for (sqlite3_stmt *q = sqlite3_next_stmt(store_db(st), NULL); q; q = sqlite3_next_stmt(store_db(st), q))
        n += sqlite3_stmt_busy(q) != 0;
    return n;
}

/* Estimating, storing, listing, reading and reproducing leave no statement
 * open (found through the API: a basemap removed after an estimate on the
 * same server thread failed with "database is locked"); and the list and
 * read show a reader only the estimates computed within their clearance. */
UNIT_TEST(mse_archive_leaves_no_statement_open_and_lists_within_clearance)
{
    struct at_ctx ctx = { 0 };
    struct world w;
    struct session analyst;
    json_t *doc, *list, *stored, *again;
    bool same, kept;
    char id[RECORD_ID_MAX];

    REQUIRE(world_make(&ctx, &w) == AT_OK);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_NONE, 0, &doc) == AT_OK);
    CHECK(busy_statements(w.st) == 0);
    REQUIRE(mse_archive_keep(&ctx, w.st, doc, &kept) == AT_OK);
    CHECK(kept);
    CHECK(busy_statements(w.st) == 0);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    REQUIRE(estimate(&ctx, &w, MSE_STRATA_PROVINCE, 0, &doc) == AT_OK);
    REQUIRE(mse_archive_keep(&ctx, w.st, doc, &kept) == AT_OK);
    json_decref(doc);
    REQUIRE(mse_archive_list(&ctx, w.st, &list) == AT_OK);
    CHECK(json_array_size(list) == 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "id")), id);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "method")), "chapman");
    json_decref(list);
    REQUIRE(mse_archive_read(&ctx, w.st, id, &stored) == AT_OK);
    json_decref(stored);
    REQUIRE(mse_archive_reproduce(&ctx, w.st, id, true, &stored, &again, &same) == AT_OK);
    json_decref(stored);
    json_decref(again);
    CHECK(busy_statements(w.st) == 0);
    CHECK(store_begin(&ctx, w.st) == AT_OK);   /* the next write starts */
    store_rollback(w.st);
    /* An analyst reads to restricted: estimates computed at confidential are not theirs. */
    analyst = w.admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = CLEARANCE_RESTRICTED;
    store_set_session(w.st, &analyst);
    REQUIRE(mse_archive_list(&ctx, w.st, &list) == AT_OK);
    CHECK(json_array_size(list) == 0);
    json_decref(list);
    CHECK(mse_archive_read(&ctx, w.st, id, &stored) == AT_ENOTFOUND);
    store_set_session(w.st, &w.admin);
    store_close(w.st);
}
