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
