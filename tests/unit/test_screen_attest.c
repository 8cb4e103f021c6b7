/*
 * test_screen_attest.c: the attest scorer through screening: names in
 * other scripts, romanisation variants, company words, identifiers that
 * decide whatever the name, and a name that is on no list.  Data: the
 * slices of the UN and OFAC lists in tests/data/sanctions/.
 */
#include "../../src/core/attest.h"
#include "../../src/core/screen.h"
#include "fixture.h"
#include "unit.h"

static json_t *screen1(const struct screen_index *ix, const char *name, enum screen_scorer s)
{
    struct at_ctx ctx = { 0 };
    struct screen_query q = { name, NULL, NULL, 0, s, 80.0, 5 };
    json_t *hits = NULL;

    if (screen_query(&ctx, ix, &q, &hits) != AT_OK)
        return NULL;
    return hits;
}

static const char *top_key(json_t *hits)
{
    return json_string_value(json_object_get(json_array_get(hits, 0), "key"));
}

UNIT_TEST(screen_names_scripts_and_ids)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "lists", &admin);
    struct screen_index *ix;
    json_t *hits;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    /* the Chinese reading stored as an alias */
    hits = screen1(ix, "金铁三", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK_STR(top_key(hits), "KPi.035");
    json_decref(hits);
    /* DPRK r/- initial */
    hits = screen1(ix, "Korea Ryonbong General Corp", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPe.002") == 0 || strcmp(top_key(hits), "9347") == 0);
    json_t *ex = json_object_get(json_array_get(hits, 0), "explain");
    CHECK(json_array_size(json_object_get(ex, "pairs")) >= 3);
    json_decref(hits);
    /* romanisation variants */
    hits = screen1(ix, "Gim Yeong-cheol", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPi.024") == 0 || strcmp(top_key(hits), "12211") == 0);
    json_decref(hits);
    /* the identifier decides whatever the name */
    hits = screen1(ix, "PU RYONG IMO 8705539", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK_STR(top_key(hits), "23163");
    CHECK(json_real_value(json_object_get(json_array_get(hits, 0), "score")) == 100.0);
    json_decref(hits);
    /* an unrelated name finds nothing */
    hits = screen1(ix, "Maria Fernanda Oliveira", SCREEN_ATTEST);
    REQUIRE(hits);
    CHECK(json_array_size(hits) == 0);
    json_decref(hits);
    /* the OFAC scorer through the index */
    hits = screen1(ix, "KOREA MINING DEVELOPMENT TRADING", SCREEN_OFAC);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPe.001") == 0 || strcmp(top_key(hits), "9345") == 0);
    json_decref(hits);
    screen_index_free(ix);
    store_close(st);
    access_session_free(&admin);
}
