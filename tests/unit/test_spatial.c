/*
 * test_spatial.c: the R*Tree of record points: within a radius (nearest
 * first), the k nearest, inside a box, by type and clearance; queries
 * without a valid point refused; radius and nearest queries equal to the
 * brute force after points move and go, beside the antimeridian.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/geo.h"
#include "../../src/core/rng.h"
#include "../../src/core/spatial.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <math.h>

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

/* One point of the brute force below: where its record is now. */
struct brute_point {
    char id[RECORD_ID_MAX];
    double lat, lon;
    int clearance;
    bool live;
};

static int move_point(struct at_ctx *ctx, struct store *st, struct brute_point *p, bool retract)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *changes = json_pack("{s:f, s:f}", "lat", p->lat, "lon", p->lon);
    struct record_change c = { .id = p->id, .data = changes, .w = &w };
    int rc;

    w.reason = "FICTIONAL correction";
    rc = evlog_write(ctx, st, retract ? record_retract_write : record_amend_write, &c);
    json_decref(changes);
    return rc;
}

/* Radius and nearest queries give exactly the points the exact distance
 * gives, over points that were moved and retracted, beside the
 * antimeridian and far north, for a reader of each clearance, on both of
 * the query's paths (the grid of points up to 100 km, the R*Tree past). */
UNIT_TEST(spatial_near_equals_brute_force_after_moves_and_at_the_antimeridian)
{
    enum { NPOINTS = 160 };
    static const double centres[][2] = {
        { 41.95, 128.95 }, { 42.05, 129.05 }, { 10.0, 179.99 }, { 10.02, -179.98 },
        { 71.0, 20.0 }, { 41.9, 129.12 },
    };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static struct brute_point pts[NPOINTS];
    struct spatial_hits h = { 0 };
    struct rng r;

    REQUIRE(st != NULL);
    rng_seed(&r, 31);
    for (int i = 0; i < NPOINTS; i++) {
        struct brute_point *p = &pts[i];
        const double *c = centres[i % 6];
        char json[160];
        /* On the grid's lines now and then: 0.01 degree steps. */
        p->lat = round((c[0] + 0.3 * (rng_uniform(&r) - 0.5)) * (i % 4 ? 1e5 : 1e2)) / (i % 4 ? 1e5 : 1e2);
        p->lon = c[1] + 0.3 * (rng_uniform(&r) - 0.5);
        p->lon = round((p->lon > 180 ? p->lon - 360 : p->lon < -180 ? p->lon + 360 : p->lon) * 1e5) / 1e5;
        p->clearance = (int)(rng_next(&r) % 4);
        p->live = true;
        snprintf(json, sizeof json, "{\"title\": \"FICTIONAL %d\", \"lat\": %.5f, \"lon\": %.5f}",
                 i, p->lat, p->lon);
        REQUIRE(unit_add(&ctx, st, "event", json, p->clearance, p->id) == AT_OK);
    }
    for (int i = 0; i < NPOINTS; i += 5) {
        struct brute_point *p = &pts[i];
        p->lat = round((p->lat + 0.05 * (rng_uniform(&r) - 0.5)) * 1e5) / 1e5;
        p->lon = round((p->lon + 0.05 * (rng_uniform(&r) - 0.5)) * 1e5) / 1e5;
        if (p->lon > 180 || p->lon < -180)
            p->lon -= copysign(360, p->lon);
        p->live = i % 3 != 0;
        REQUIRE(move_point(&ctx, st, p, !p->live) == AT_OK);
    }
    for (size_t c = 0; c < 6; c++) {
        for (double radius = 300; radius <= 400000; radius *= 2.3) {
            for (int limit = CLEARANCE_PUBLIC; limit <= CLEARANCE_CONFIDENTIAL; limit += 3) {
                struct spatial_query q = { NULL, limit };
                double lat = centres[c][0], lon = centres[c][1];
                size_t want = 0, nearest = 0;
                bool same = true;
                REQUIRE(spatial_near(&ctx, st, &q, lat, lon, radius, &h) == AT_OK);
                for (int i = 0; i < NPOINTS; i++)
                    if (pts[i].live && pts[i].clearance <= limit)
                        want += geo_distance_m(lat, lon, pts[i].lat, pts[i].lon) <= radius;
                for (size_t j = 0; j < h.n; j++) {
                    int i = 0;
                    while (i < NPOINTS && strcmp(pts[i].id, h.hits[j].id) != 0)
                        i++;
                    same &= i < NPOINTS && pts[i].live && pts[i].clearance <= limit
                            && h.hits[j].dist_m == geo_distance_m(lat, lon, pts[i].lat, pts[i].lon);
                }
                CHECK(h.n == want && same);
                spatial_hits_free(&h);
                /* The k nearest are the k first within any radius holding them. */
                REQUIRE(spatial_nearest(&ctx, st, &q, lat, lon, 5, &h) == AT_OK);
                for (int i = 0; i < NPOINTS && h.n == 5; i++)
                    if (pts[i].live && pts[i].clearance <= limit)
                        nearest += geo_distance_m(lat, lon, pts[i].lat, pts[i].lon) < h.hits[4].dist_m;
                CHECK(h.n == 5 && nearest <= 4);
                spatial_hits_free(&h);
            }
        }
    }
    /* The grid's points, kept on each write, are those recreated in bulk. */
    {
        static const char dump[] =
            "SELECT group_concat(cell || ' ' || id || ' ' || rid || ' ' || type || ' ' || clearance"
            " || ' ' || printf('%.17g %.17g', lat, lon), ';') FROM (SELECT * FROM geo_point ORDER BY cell, id)";
        char *kept = NULL, *rebuilt = NULL;
        for (int pass = 0; pass < 2; pass++) {
            sqlite3_stmt *stmt;
            if (pass)
                REQUIRE(spatial_points_rebuild(&ctx, st) == AT_OK);
            REQUIRE((stmt = store_stmt(&ctx, st, dump)) != NULL);
            REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
            *(pass ? &rebuilt : &kept) = xstrdup((const char *)sqlite3_column_text(stmt, 0));
            sqlite3_reset(stmt);
        }
        CHECK(strlen(kept) > 1000 && strcmp(kept, rebuilt) == 0);
        free(kept);
        free(rebuilt);
    }
    store_close(st);
}
