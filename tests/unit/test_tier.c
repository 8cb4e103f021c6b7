/*
 * test_tier.c: what leaves the archive at each tier: tier names, the
 * public grid, a county's point for the public, and tier_apply on real
 * records (a witness never public, an event's point moved at the public
 * tier and kept at court, a restricted record left out of partner).
 */
#include "../../src/core/attest.h"
#include "../../src/core/geo.h"
#include "../../src/core/record.h"
#include "../../src/core/tier.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <math.h>

UNIT_TEST(tier_names)
{
    struct at_ctx ctx = { 0 };
    enum tier t;

    for (int i = TIER_COURT; i <= TIER_PUBLIC; i++) {
        CHECK(tier_parse(&ctx, tier_name((enum tier)i), &t) == AT_OK);
        CHECK((int)t == i);
    }
    CHECK(tier_parse(&ctx, "press", &t) == AT_EINVAL);
    CHECK(strstr(ctx.message, "press") != NULL && strstr(ctx.message, "partner") != NULL);
}

UNIT_TEST(tier_coarsen_snaps_to_grid)
{
    double a_lat, a_lon, b_lat, b_lon;

    tier_coarsen(41.0001, 129.0001, &a_lat, &a_lon);
    tier_coarsen(41.0002, 129.0002, &b_lat, &b_lon);
    CHECK(a_lat == b_lat && a_lon == b_lon);
    /* The centre of a 10 km cell is never more than about 7.1 km away. */
    CHECK(geo_distance_m(41.0001, 129.0001, a_lat, a_lon) < 7500);
    CHECK(a_lat != 41.0001 || a_lon != 129.0001);
}

static json_t *get(struct at_ctx *ctx, struct store *st, const char *id)
{
    json_t *doc = NULL;
    return record_get(ctx, st, id, 0, &doc) == AT_OK ? doc : NULL;
}

UNIT_TEST(tier_apply_by_tier)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char ev[RECORD_ID_MAX], wit[RECORD_ID_MAX], sec[RECORD_ID_MAX];
    json_t *doc, *out = NULL;
    bool redacted = false;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL event\", \"lat\": 42.123, \"lon\": 129.456}",
                     CLEARANCE_PUBLIC, ev) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "witness", "{\"code\": \"W-0001\"}", CLEARANCE_PUBLIC, wit) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL restricted\"}", CLEARANCE_RESTRICTED,
                     sec) == AT_OK);

    REQUIRE((doc = get(&ctx, st, ev)) != NULL);
    REQUIRE(tier_apply(&ctx, st, TIER_COURT, doc, &out, &redacted) == AT_OK);
    CHECK(out == doc && !redacted);
    json_decref(out);
    out = NULL;
    REQUIRE(tier_apply(&ctx, st, TIER_PUBLIC, doc, &out, &redacted) == AT_OK);
    REQUIRE(out != NULL);
    CHECK(redacted);
    CHECK(json_real_value(json_object_get(json_object_get(out, "data"), "lat")) != 42.123);
    CHECK(json_real_value(json_object_get(json_object_get(doc, "data"), "lat")) == 42.123);
    json_decref(out);
    json_decref(doc);

    out = NULL;
    REQUIRE((doc = get(&ctx, st, wit)) != NULL);
    REQUIRE(tier_apply(&ctx, st, TIER_PUBLIC, doc, &out, &redacted) == AT_OK);
    CHECK(out == NULL);
    json_decref(doc);

    out = NULL;
    REQUIRE((doc = get(&ctx, st, sec)) != NULL);
    REQUIRE(tier_apply(&ctx, st, TIER_PARTNER, doc, &out, &redacted) == AT_OK);
    CHECK(out == NULL);
    json_decref(doc);
    store_close(st);
}
