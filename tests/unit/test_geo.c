/* test_geo.c: geodesic distances and azimuths against published reference
 * values, and circles cut at the antimeridian and closed over the poles. */
#include "../../src/core/attest.h"
#include "../../src/core/geo.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

/* Reference geodesics on WGS84 from C. F. F. Karney's published test set
 * for geodesics (GeodTest.dat, described in Karney, "Algorithms for
 * geodesics", J. Geodesy 87 (2013) 43-55), as the first rows of the test
 * cases in GeographicLib's own C tests (geodtest.c): end points, azimuths
 * at both ends and distance, computed there in high-precision arithmetic,
 * not by the library under test. */
static const struct {
    double lat1, lon1, azi1, lat2, lon2, azi2, s12;
} karney[] = {
    { 35.60777, -139.44815, 111.098748429560326, -11.17491, -69.95921, 129.289270889708762, 8935244.5604818305 },
    { 55.52454, 106.05087, 22.020059880982801, 77.03196, 197.18234, 109.112041110671519, 4105086.1713924406 },
    { -21.97856, 142.59065, -32.44456876433189, 41.84138, 98.56635, -41.84359951440466, 8394328.894657671 },
    { -66.99028, 112.2363, 173.73491240878403, -12.70631, 285.90344, 2.512956620913668, 11150344.2312080241 },
    { -17.42761, 173.34268, -159.033557661192928, -15.84784, 5.93557, -20.787484651536988, 16076603.1631180673 },
    { 32.84994, 48.28919, 150.492927788121982, -56.28556, 202.29132, 48.113449399816759, 16727068.9438164461 },
};

/* The same longitude in (-180, 180]. */
static double lon180(double lon)
{
    double x = fmod(lon, 360);
    return x > 180 ? x - 360 : x <= -180 ? x + 360 : x;
}

UNIT_TEST(geo_inverse_matches_karneys_test_set)
{
    for (size_t i = 0; i < ARRAY_LEN(karney); i++) {
        double m, azi1, azi2;
        geo_inverse(karney[i].lat1, karney[i].lon1, karney[i].lat2, karney[i].lon2, &m, &azi1, &azi2);
        CHECK(fabs(m - karney[i].s12) < 1e-6);
        CHECK(fabs(azi1 - karney[i].azi1) < 1e-9);
        CHECK(fabs(azi2 - karney[i].azi2) < 1e-9);
        CHECK(fabs(geo_distance_m(karney[i].lat1, karney[i].lon1, karney[i].lat2, karney[i].lon2)
                   - karney[i].s12) < 1e-6);
    }
}

UNIT_TEST(geo_direct_matches_karneys_test_set)
{
    for (size_t i = 0; i < ARRAY_LEN(karney); i++) {
        double lat, lon;
        geo_direct(karney[i].lat1, karney[i].lon1, karney[i].azi1, karney[i].s12, &lat, &lon);
        CHECK(fabs(lat - karney[i].lat2) < 1e-9);
        CHECK(fabs(lon180(lon - karney[i].lon2)) < 1e-9);
    }
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

/* A point drawn from a fixed sequence (no dependence on the C library's
 * rand), uniform on the sphere. */
static void random_point(unsigned long long *s, double *lat, double *lon)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = (double)(*s >> 11) / 9007199254740992.0;
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double v = (double)(*s >> 11) / 9007199254740992.0;
    *lat = asin(2 * u - 1) * 180 / M_PI;
    *lon = 360 * v - 180;
}

UNIT_TEST(geo_sphere_bounds_hold)
{
    unsigned long long s = 17;

    for (int i = 0; i < 20000; i++) {
        double lat1, lon1, lat2, lon2;
        random_point(&s, &lat1, &lon1);
        random_point(&s, &lat2, &lon2);
        if (i % 2) {   /* half of the pairs near each other */
            lat2 = fmax(-90, fmin(90, lat1 + (lat2 - lat1) * 1e-3));
            lon2 = lon1 + (lon2 - lon1) * 1e-3;
        }
        double d = geo_distance_m(lat1, lon1, lat2, lon2);
        double sigma = geo_central_angle(lat1, lon1, lat2, lon2);
        CHECK(GEO_MIN_CURVATURE_M * sigma <= d * (1 + 1e-9) + 1e-6);
        CHECK(GEO_MAX_CURVATURE_M * sigma >= d * (1 - 1e-9) - 1e-6);
    }
    /* Along a meridian at the equator and at a pole, where the bounds are tight. */
    CHECK(GEO_MIN_CURVATURE_M * geo_central_angle(-0.01, 10, 0.01, 10)
          <= geo_distance_m(-0.01, 10, 0.01, 10));
    CHECK(GEO_MAX_CURVATURE_M * geo_central_angle(89.99, 10, 89.99, -170)
          >= geo_distance_m(89.99, 10, 89.99, -170));
}
