/*
 * test_screen_successors.c: ranking the listed entities linked to one by what the
 * lists say: the successor a UN entry's remarks name, evidence given with
 * each candidate, an entity on no list screened by its attributes, one the
 * lists say nothing about, and an unknown reference refused.
 */
#include "../../src/core/attest.h"
#include "../../src/core/screen.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static json_t *candidate(json_t *result, const char *key)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(result, "candidates"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "key")), key) == 0)
            return c;
    return NULL;
}

UNIT_TEST(successors_of_a_listed_entity)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    json_t *out = NULL, *c;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    /* Green Pine "has taken over many of the activities of" KOMID. */
    REQUIRE(screen_successors(&ctx, st, "KPe.010", 10, &out) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(json_object_get(out, "entity"), "key")), "KPe.010");
    REQUIRE((c = candidate(out, "KPe.001")) != NULL);
    CHECK(json_real_value(json_object_get(c, "score")) > 0);
    CHECK(json_array_size(json_object_get(c, "evidence")) >= 1);
    CHECK(candidate(out, "KPe.010") == NULL);   /* never itself */
    json_decref(out);
    store_close(st);
}

UNIT_TEST(successors_of_an_unlisted_entity)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    json_t *entity, *out = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    /* A FICTIONAL company that names KOMID in its remarks. */
    entity = json_pack("{s:s, s:s}", "name", "FICTIONAL Quonsel Trading",
                       "remarks", "front company for KOREA MINING DEVELOPMENT TRADING CORPORATION");
    REQUIRE(screen_successors_entity(&ctx, st, entity, 10, &out) == AT_OK);
    CHECK(json_array_size(json_object_get(out, "candidates")) >= 1);
    json_decref(out);
    json_decref(entity);
    store_close(st);
}

UNIT_TEST(successors_unknown_reference)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    json_t *out = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    CHECK(screen_successors(&ctx, st, "FICTIONAL nobody at all 4410", 10, &out) != AT_OK);
    CHECK(out == NULL);
    CHECK(strstr(ctx.message, "FICTIONAL nobody at all 4410") != NULL);
    store_close(st);
}

/* An entity the lists say nothing about has no candidates, and nothing is
 * sorted from a NULL array (UBSan in make check). */
UNIT_TEST(successors_of_an_entity_linked_to_none)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    json_t *entity, *out = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    entity = json_pack("{s:s}", "name", "FICTIONAL Qzxv Wkjr");
    REQUIRE(screen_successors_entity(&ctx, st, entity, 10, &out) == AT_OK);
    CHECK(json_array_size(json_object_get(out, "candidates")) == 0);
    json_decref(out);
    json_decref(entity);
    store_close(st);
}
