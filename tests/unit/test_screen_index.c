/*
 * test_screen_index.c: the screen index: refused with a clear message
 * when no list has been imported; built from the newest version of each
 * list with every name form counted; the same words shared by many names
 * found from any of them.
 */
#include "../../src/core/attest.h"
#include "../../src/core/screen.h"
#include "fixture.h"
#include "unit.h"

UNIT_TEST(screen_index_needs_lists)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "empty", &admin);
    struct screen_index *ix = (struct screen_index *)&ctx;

    REQUIRE(st != NULL);
    CHECK(screen_index_load(&ctx, st, &ix) == AT_ENOTFOUND);
    CHECK(ix == NULL);
    CHECK(strstr(ctx.message, "attest lists import") != NULL);
    screen_index_free(NULL);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(screen_index_counts_and_lookup)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "lists", &admin);
    struct screen_index *ix;
    size_t entries = 0, names = 0;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    screen_index_counts(ix, &entries, &names);
    /* 8 UN entries and 6 OFAC entries, each with at least one name form */
    CHECK(entries == 14);
    CHECK(names >= entries);
    /* a name found by an exact query, many times over from one index (the
     * scratch space is reused) */
    for (int i = 0; i < 50; i++) {
        struct screen_query q = { "KOREA MINING DEVELOPMENT TRADING CORPORATION", "company", NULL, 0,
                                  SCREEN_ATTEST, 90.0, 5 };
        json_t *hits = NULL;
        REQUIRE(screen_query(&ctx, ix, &q, &hits) == AT_OK);
        CHECK(json_array_size(hits) >= 1);
        CHECK(json_real_value(json_object_get(json_array_get(hits, 0), "score")) >= 99.0);
        json_decref(hits);
    }
    screen_index_free(ix);
    store_close(st);
    access_session_free(&admin);
}
