/* test_geo.c: geodesic distances against PROJ's geod, and circles cut at
 * the antimeridian and closed over the poles. */
#include "../../src/core/attest.h"
#include "../../src/core/geo.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

UNIT_TEST(geo_distances_match_geod)
{
    /* Values printed by `geod +ellps=WGS84 -I +units=m -f %.4f`. */
    static const struct { double lat1, lon1, lat2, lon2, m, azi1; } ref[] = {
        { 40.7128, -74.0060, 51.5074, -0.1278, 5585233.579, 51.2412 },      /* New York, London */
        { 39.0392, 125.7625, 42.4222, 129.7500, 504456.563, 40.5947 },      /* Pyongyang, Hoeryong */
        { -33.8688, 151.2093, 34.0522, -118.2437, 12063118.635, 61.0999 },  /* Sydney, Los Angeles */
        { 0, 0, 0.5, 179.7, 19944127.421, 15.5569 },                        /* nearly antipodal */
        { 39.0392, 125.7625, 39.9183, 127.5364, 181158.916, 56.8401 },
        { 39.0392, 125.7625, 41.7956, 129.7758, 457833.501, 46.7697 },
    };
    for (size_t i = 0; i < ARRAY_LEN(ref); i++) {
        double m, azi;
        geo_inverse(ref[i].lat1, ref[i].lon1, ref[i].lat2, ref[i].lon2, &m, &azi, NULL);
        CHECK(fabs(m - ref[i].m) < 0.001);
        CHECK(fabs(azi - ref[i].azi1) < 0.0001);
    }
    /* geod +ellps=WGS84: 40.64 -73.78 az 45 10,000 km. */
    double lat, lon;
    geo_direct(40.64, -73.78, 45, 10e6, &lat, &lon);
    CHECK(fabs(lat - 32.621100464) < 1e-8);
    CHECK(fabs(lon - 49.052487093) < 1e-8);
}

UNIT_TEST(geo_parses_points_and_boxes)
{
    struct at_ctx ctx = { 0 };
    struct geo_bbox b;
    double lat, lon;

    CHECK(geo_parse_point(&ctx, "39.03, 125.75", &lat, &lon) == AT_OK && lat == 39.03 && lon == 125.75);
    CHECK(geo_parse_point(&ctx, "91,0", &lat, &lon) == AT_EINVAL);
    CHECK(geo_parse_point(&ctx, "39.0", &lat, &lon) == AT_EINVAL);
    CHECK(geo_parse_point(&ctx, "39,125x", &lat, &lon) == AT_EINVAL);
    CHECK(geo_parse_bbox(&ctx, "170,-10,-170,10", &b) == AT_OK && b.west == 170 && b.east == -170);
    CHECK(geo_parse_bbox(&ctx, "0,10,1,5", &b) == AT_EINVAL);
}

/* Checks the shape against distances from the centre at seeded random
 * points, leaving out a thin band about the circle itself. */
static void check_circle(double lat, double lon, double r, size_t want_polys)
{
    struct at_ctx ctx = { 0 };
    struct geo_shape s;
    int wrong = 0, tried = 0;

    REQUIRE(geo_circle(&ctx, lat, lon, r, &s) == AT_OK);
    CHECK(s.n == want_polys);
    srand48(7);
    for (int i = 0; i < 4000; i++) {
        double plat = asin(2 * drand48() - 1) * 180 / M_PI, plon = 360 * drand48() - 180;
        double d = geo_distance_m(lat, lon, plat, plon);
        if (fabs(d - r) < 0.02 * r + 20000)
            continue;
        tried++;
        if (geo_shape_contains(&s, plat, plon) != (d < r))
            wrong++;
    }
    CHECK(tried > 1000);
    CHECK(wrong == 0);
    for (size_t i = 0; i < s.n; i++) {
        const struct geo_ring *o = &s.polys[i].outer;
        CHECK(o->lon[0] == o->lon[o->n - 1] && o->lat[0] == o->lat[o->n - 1]);
        for (size_t k = 0; k < o->n; k++)
            CHECK(geo_valid(o->lat[k], o->lon[k]));
    }
    geo_shape_free(&s);
}

UNIT_TEST(geo_circle_plain)
{
    check_circle(39.03, 125.75, 500e3, 1);
    check_circle(-20, -60, 3000e3, 1);
}

UNIT_TEST(geo_circle_cut_at_antimeridian)
{
    check_circle(10, 179, 1000e3, 2);
    check_circle(-45, -178.5, 2500e3, 2);
}

UNIT_TEST(geo_circle_over_a_pole)
{
    check_circle(80, 20, 2000e3, 1);
    check_circle(-75, 170, 3000e3, 1);
    check_circle(90, 0, 1000e3, 1);
}

UNIT_TEST(geo_circle_holding_both_poles)
{
    /* Pyongyang's antipode is near 39S 54W: a hole inside the world. */
    check_circle(39.03, 125.75, 15000e3, 1);
    /* The antipode of (0, 0) is on the antimeridian: notches at both edges. */
    check_circle(0, 0, 14000e3, 1);
    check_circle(5, 2, 18000e3, 1);
}

UNIT_TEST(geo_circle_reach_of_6600_km)
{
    /* A reach of 6,600 km from near Pyongyang takes in Moscow, not New York. */
    struct at_ctx ctx = { 0 };
    struct geo_shape s;

    REQUIRE(geo_circle(&ctx, 39.03, 125.75, 6600e3, &s) == AT_OK);
    CHECK(geo_shape_contains(&s, 55.7558, 37.6173));
    CHECK(!geo_shape_contains(&s, 40.7128, -74.0060));
    CHECK(geo_shape_contains(&s, 35.68, 139.69));
    geo_shape_free(&s);
    CHECK(geo_circle(&ctx, 0, 0, 0, &s) == AT_EINVAL);
    CHECK(geo_circle(&ctx, 0, 0, 30000e3, &s) == AT_EINVAL);
    REQUIRE(geo_circle(&ctx, 10, 10, GEO_MAX_RADIUS_M, &s) == AT_OK);
    CHECK(s.n == 1 && geo_shape_contains(&s, -10, -170));
    geo_shape_free(&s);
}
