/*
 * test_screen_record.c: screening the archive's own records: an
 * organisation made into a list-shaped entity (names, identifiers, the
 * vessels it owns), screened against the lists by name and identifier;
 * a record of a type that cannot be screened refused.
 */
#include "../../src/core/attest.h"
#include "../../src/core/screen.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static bool has(json_t *v, const char *needle)
{
    char *text = json_dumps(v, JSON_COMPACT);
    bool found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

UNIT_TEST(screen_record_entity_and_hits)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct screen_index *ix = NULL;
    struct screen_query q = { NULL, NULL, NULL, 0, SCREEN_ATTEST, 80.0, 10 };
    char org[RECORD_ID_MAX], ship[RECORD_ID_MAX], json[512];
    json_t *entity = NULL, *hits = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "organisation", "{\"names\": [\"Korea Mining Development Trading Corp\"], "
                     "\"phone\": \"+850-2-18111\"}", CLEARANCE_PUBLIC, org) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "vessel", "{\"names\": [\"FICTIONAL VESSEL\"], \"imo\": \"8705539\"}",
                     CLEARANCE_PUBLIC, ship) == AT_OK);
    snprintf(json, sizeof json, "{\"kind\": \"ownership\", \"from\": \"%s\", \"to\": \"%s\"}", org, ship);
    REQUIRE(unit_add(&ctx, st, "relation", json, CLEARANCE_PUBLIC, NULL) == AT_OK);

    REQUIRE(screen_entity_of_record(&ctx, st, org, &entity) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(entity, "key")), org);
    CHECK_STR(json_string_value(json_object_get(entity, "record_type")), "organisation");
    CHECK(has(entity, "Korea Mining Development Trading Corp"));
    CHECK(has(entity, "8705539"));          /* the IMO number of the vessel it owns */
    json_decref(entity);

    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    REQUIRE(screen_record(&ctx, st, ix, org, &q, &hits) == AT_OK);
    CHECK(has(hits, "\"key\":\"KPe.001\"") || has(hits, "\"key\":\"9345\""));
    json_decref(hits);
    hits = NULL;
    REQUIRE(screen_record(&ctx, st, ix, ship, &q, &hits) == AT_OK);
    CHECK(has(hits, "\"key\":\"23163\""));   /* KUM UN SAN 3 by its IMO number */
    json_decref(hits);
    screen_index_free(ix);
    store_close(st);
}

UNIT_TEST(screen_record_refuses_other_types)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char ev[RECORD_ID_MAX];
    json_t *entity = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL event\"}", CLEARANCE_PUBLIC, ev) == AT_OK);
    CHECK(screen_entity_of_record(&ctx, st, ev, &entity) == AT_EINVAL);
    CHECK(entity == NULL);
    CHECK(strstr(ctx.message, ev) != NULL || strstr(ctx.message, "event") != NULL);
    CHECK(screen_entity_of_record(&ctx, st, "or-nonexistent", &entity) == AT_ENOTFOUND);
    store_close(st);
}
