/*
 * test_spatial.c: the R*Tree of record points: within a radius (nearest
 * first), the k nearest, inside a box, by type and clearance; queries
 * without a valid point refused.
 */
#include "../../src/core/attest.h"
#include "../../src/core/geo.h"
#include "../../src/core/spatial.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

static struct store *points(struct at_ctx *ctx, struct session *admin, char near[RECORD_ID_MAX])
{
    struct store *st = unit_archive(ctx, "a", admin);

    if (st == NULL
        || unit_add(ctx, st, "event", "{\"title\": \"FICTIONAL A\", \"lat\": 42.000, \"lon\": 129.000}",
                    CLEARANCE_PUBLIC, near) != AT_OK
        || unit_add(ctx, st, "event", "{\"title\": \"FICTIONAL B\", \"lat\": 42.050, \"lon\": 129.000}",
                    CLEARANCE_CONFIDENTIAL, NULL) != AT_OK
        || unit_add(ctx, st, "site", "{\"name\": \"FICTIONAL C\", \"site_type\": \"political_prison_camp\", "
                    "\"lat\": 43.0, \"lon\": 129.0}", CLEARANCE_PUBLIC, NULL) != AT_OK)
        return NULL;
    return st;
}

UNIT_TEST(spatial_near_and_nearest)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char a[RECORD_ID_MAX];
    struct store *st = points(&ctx, &admin, a);
    struct spatial_query q = { NULL, -1 };
    struct spatial_hits h = { 0 };

    REQUIRE(st != NULL);
    REQUIRE(spatial_near(&ctx, st, &q, 42.001, 129.0, 10000, &h) == AT_OK);
    REQUIRE(h.n == 2);
    CHECK_STR(h.hits[0].id, a);
    CHECK(h.hits[0].dist_m < h.hits[1].dist_m);
    spatial_hits_free(&h);
    q.max_clearance = CLEARANCE_RESTRICTED;
    REQUIRE(spatial_near(&ctx, st, &q, 42.001, 129.0, 10000, &h) == AT_OK);
    CHECK(h.n == 1);
    spatial_hits_free(&h);
    q.max_clearance = -1;
    q.type = "site";
    REQUIRE(spatial_nearest(&ctx, st, &q, 42.0, 129.0, 5, &h) == AT_OK);
    CHECK(h.n == 1);
    CHECK(h.n == 1 && h.hits[0].dist_m > 100000);
    spatial_hits_free(&h);
    store_close(st);
}

UNIT_TEST(spatial_within_box)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char a[RECORD_ID_MAX];
    struct store *st = points(&ctx, &admin, a);
    struct spatial_query q = { NULL, -1 };
    struct spatial_hits h = { 0 };
    struct geo_bbox box = { 128.5, 41.5, 129.5, 42.5 };

    REQUIRE(st != NULL);
    REQUIRE(spatial_within(&ctx, st, &q, &box, &h) == AT_OK);
    CHECK(h.n == 2);
    spatial_hits_free(&h);
    store_close(st);
}

UNIT_TEST(spatial_refuses_bad_queries)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char a[RECORD_ID_MAX];
    struct store *st = points(&ctx, &admin, a);
    struct spatial_query q = { NULL, -1 };
    struct spatial_hits h = { 0 };

    REQUIRE(st != NULL);
    CHECK(spatial_near(&ctx, st, &q, 95.0, 129.0, 1000, &h) == AT_EINVAL);
    CHECK(spatial_near(&ctx, st, &q, 42.0, 129.0, -1, &h) == AT_EINVAL);
    CHECK(strstr(ctx.message, "radius") != NULL);
    CHECK(spatial_nearest(&ctx, st, &q, 42.0, 129.0, 0, &h) == AT_EINVAL);
    CHECK(h.n == 0);
    spatial_hits_free(&h);
    store_close(st);
}

/* The sphere's bound only turns candidates away that the exact distance
 * would: on random points, every radius finds exactly the points the
 * ellipsoidal distance puts within it, each at that distance. */
UNIT_TEST(spatial_near_equals_exact)
{
    enum { NPOINTS = 150 };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct spatial_query q = { NULL, -1 };
    struct spatial_hits h = { 0 };
    static double lat[NPOINTS], lon[NPOINTS];
    static char id[NPOINTS][RECORD_ID_MAX];
    unsigned long long s = 5;

    REQUIRE(st != NULL);
    for (int i = 0; i < NPOINTS; i++) {
        char json[160];
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        lat[i] = 41.9 + 0.2 * (double)(s >> 11) / 9007199254740992.0;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        lon[i] = 128.9 + 0.2 * (double)(s >> 11) / 9007199254740992.0;
        char flat[32], flon[32];
        snprintf(flat, sizeof flat, "%.5f", lat[i]);
        snprintf(flon, sizeof flon, "%.5f", lon[i]);
        lat[i] = strtod(flat, NULL), lon[i] = strtod(flon, NULL);
        snprintf(json, sizeof json, "{\"title\": \"FICTIONAL %d\", \"lat\": %s, \"lon\": %s}",
                 i, flat, flon);
        REQUIRE(unit_add(&ctx, st, "event", json, CLEARANCE_PUBLIC, id[i]) == AT_OK);
    }
    for (int c = 0; c < 8; c++) {
        double clat = lat[c], clon = lon[c];
        for (double r = 250; r <= 16000; r *= 1.19) {
            size_t want = 0;
            REQUIRE(spatial_near(&ctx, st, &q, clat, clon, r, &h) == AT_OK);
            for (int i = 0; i < NPOINTS; i++)
                want += geo_distance_m(clat, clon, lat[i], lon[i]) <= r;
            CHECK(h.n == want);
            for (size_t j = 0; j < h.n; j++) {
                int i = 0;
                while (i < NPOINTS && strcmp(id[i], h.hits[j].id) != 0)
                    i++;
                REQUIRE(i < NPOINTS);
                CHECK(h.hits[j].dist_m == geo_distance_m(clat, clon, lat[i], lon[i]));
            }
            spatial_hits_free(&h);
        }
    }
    store_close(st);
}
