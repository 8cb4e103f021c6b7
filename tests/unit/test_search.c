/*
 * test_search.c: full-text search over current records: hits with their
 * snippet marks, the type filter, records above the reader's clearance
 * left out, an empty query refused, and a place found by any spelling.
 */
#include "../../src/core/attest.h"
#include "../../src/core/search.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

struct hits {
    int n;
    char snippet[256];
    char why[256];
    char ids[4][RECORD_ID_MAX];
};

static int collect(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct hits *h = arg;
    if (h->n < 4)
        snprintf(h->ids[h->n], RECORD_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
    snprintf(h->snippet, sizeof h->snippet, "%s", snippet);
    snprintf(h->why, sizeof h->why, "%s", why ? why : "");
    h->n++;
    return AT_OK;
}

UNIT_TEST(search_finds_marks_and_filters)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0 };
    char ev[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood at Quonsel\"}", CLEARANCE_PUBLIC, ev)
            == AT_OK);
    REQUIRE(unit_add(&ctx, st, "document", "{\"title\": \"FICTIONAL report on Quonsel\"}", CLEARANCE_PUBLIC,
                     NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL fire at Vantrel\"}", CLEARANCE_PUBLIC, NULL)
            == AT_OK);

    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 2);
    CHECK(strstr(h.snippet, "[Quonsel]") != NULL);
    memset(&h, 0, sizeof h);
    o.type = "event";
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 1);
    CHECK_STR(h.ids[0], ev);
    memset(&h, 0, sizeof h);
    REQUIRE(search_query(&ctx, st, "nowhere", &o, collect, &h) == AT_OK);
    CHECK(h.n == 0);
    store_close(st);
}

UNIT_TEST(search_stops_at_clearance)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0 };

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL Quonsel camp\"}", CLEARANCE_CONFIDENTIAL,
                     NULL) == AT_OK);
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 1);
    memset(&h, 0, sizeof h);
    o.max_clearance = CLEARANCE_RESTRICTED;
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 0);
    /* No session: nothing, whatever the filter asks. */
    memset(&h, 0, sizeof h);
    o.max_clearance = -1;
    store_set_session(st, NULL);
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 0);
    store_close(st);
}

UNIT_TEST(search_refuses_empty_query)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0 };

    REQUIRE(st != NULL);
    CHECK(search_query(&ctx, st, "   ", &o, collect, &h) == AT_EINVAL);
    CHECK(strstr(ctx.message, "empty") != NULL);
    CHECK(h.n == 0);
    store_close(st);
}

/* Issue 10: `attest search 회령` found nothing when the county was typed
 * "Hoeryong". */
UNIT_TEST(search_finds_a_place_by_any_spelling)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    static const char *const spellings[] = { "회령", "Hoeryŏng", "hoeryeong", "會寧", "Hoeryong" };
    char ev[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL meeting\", \"county\": \"Hoeryong\"}",
                     CLEARANCE_PUBLIC, ev) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood at Quonsel\"}",
                     CLEARANCE_PUBLIC, NULL) == AT_OK);
    for (size_t i = 0; i < ARRAY_LEN(spellings); i++) {
        struct hits h = { 0 };
        REQUIRE(search_query(&ctx, st, spellings[i], &o, collect, &h) == AT_OK);
        CHECK(h.n == 1);
        CHECK_STR(h.ids[0], ev);
        if (strcmp(spellings[i], "Hoeryong") == 0)
            CHECK_STR(h.why, "");
        else
            CHECK_STR(h.why, "found as \"Hoeryong\", a spelling of 회령시 (Hoeryŏng)");
    }
    store_close(st);
}

struct ordered {
    int n, total;
    char ids[64][RECORD_ID_MAX];
};

static int collect_ordered(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct ordered *h = arg;
    (void)snippet, (void)why;
    h->total++;
    if (h->n < 64)
        snprintf(h->ids[h->n++], RECORD_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
    return AT_OK;
}

/* Several words: the hits, in order, are the best-ranked matches that
 * pass the record filter, also when the filter turns the best ones away
 * (any plan that ranks fewer than every match must keep this). */
UNIT_TEST(search_words_ranked_past_the_filter)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, CLEARANCE_PUBLIC, false, 10, "", "" };
    struct ordered h = { 0 };
    struct buf json = BUF_INIT;
    sqlite3_stmt *stmt;
    int n = 0;

    REQUIRE(st != NULL);
    for (int i = 0; i < 120; i++) {
        /* Each title a different length, so no two ranks tie; the 60
         * best-ranked (shortest) ones above the public clearance. */
        buf_reset(&json);
        buf_printf(&json, "{\"title\": \"FICTIONAL flood at Quonsel%s", i % 7 ? "" : " river");
        for (int j = 0; j < i; j++)
            buf_puts(&json, " report");
        buf_puts(&json, "\"}");
        REQUIRE(unit_add(&ctx, st, "event", buf_str(&json),
                         i < 60 ? CLEARANCE_CONFIDENTIAL : CLEARANCE_PUBLIC, NULL) == AT_OK);
    }
    buf_free(&json);
    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &h) == AT_OK);
    CHECK(h.n == 10);
    REQUIRE(sqlite3_prepare_v2(store_db(st),
                               "SELECT c.id FROM search_words s JOIN record_current c ON c.rowid = s.rowid"
                               " WHERE search_words MATCH '\"flood\" \"quonsel\"*' AND c.clearance <= ?1"
                               " AND NOT c.retracted ORDER BY s.rank LIMIT 10", -1, &stmt, NULL) == SQLITE_OK);
    sqlite3_bind_int(stmt, 1, CLEARANCE_PUBLIC);
    while (sqlite3_step(stmt) == SQLITE_ROW && n < h.n) {
        CHECK_STR(h.ids[n], (const char *)sqlite3_column_text(stmt, 0));
        n++;
    }
    CHECK(n == 10);
    sqlite3_finalize(stmt);
    memset(&h, 0, sizeof h);
    o.max_clearance = -1;   /* every match: fewer than the limit */
    o.limit = 200;
    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &h) == AT_OK);
    CHECK(h.total == 120);
    store_close(st);
}
