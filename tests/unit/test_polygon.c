/*
 * test_polygon.c: site outlines: parsing to the canonical form (altitudes
 * dropped), the centre, the signed area, and refusals that name the ring
 * and position at fault.
 */
#include "../../src/core/attest.h"
#include "../../src/core/polygon.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

#define SQUARE "{\"type\":\"Polygon\",\"coordinates\":[[[126,40,5],[127,40,5],[127,41,5],[126,41,5],[126,40,5]]]}"

UNIT_TEST(polygon_parse_canonical)
{
    struct at_ctx ctx = { 0 };
    json_t *g = NULL;
    char *text;
    double lat = 0, lon = 0;

    REQUIRE(polygon_parse(&ctx, SQUARE, &g) == AT_OK);
    text = polygon_text(g);
    CHECK_STR(text, "{\"coordinates\":[[[126.0,40.0],[127.0,40.0],[127.0,41.0],[126.0,41.0],[126.0,40.0]]],"
                     "\"type\":\"Polygon\"}");
    free(text);
    polygon_centre(g, &lat, &lon);
    CHECK(fabs(lat - 40.5) < 1e-9 && fabs(lon - 126.5) < 1e-9);
    /* Counter-clockwise: positive; one square degree, twice over. */
    CHECK(fabs(polygon_ring_area2(json_array_get(json_object_get(g, "coordinates"), 0)) - 2.0) < 1e-9);
    json_decref(g);
}

static void count(void *arg, json_t *rings)
{
    *(size_t *)arg += json_array_size(rings);
}

UNIT_TEST(polygon_each_multipolygon)
{
    struct at_ctx ctx = { 0 };
    json_t *g = NULL;
    size_t rings = 0;
    const char *text = "{\"type\":\"MultiPolygon\",\"coordinates\":["
        "[[[126,40],[127,40],[127,41],[126,40]]],"
        "[[[128,40],[129,40],[129,41],[128,40]]]]}";

    REQUIRE(polygon_parse(&ctx, text, &g) == AT_OK);
    polygon_each(g, count, &rings);
    CHECK(rings == 2);
    json_decref(g);
}

UNIT_TEST(polygon_refuses_open_ring)
{
    struct at_ctx ctx = { 0 };
    json_t *g = NULL;

    CHECK(polygon_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":[[[126,40],[127,40],[127,41],[126,41]]]}",
                        &g) == AT_EINVAL);
    CHECK(g == NULL);
    CHECK(strstr(ctx.message, "ring") != NULL);
    CHECK(polygon_parse(&ctx, "{\"type\":\"Point\",\"coordinates\":[126,40]}", &g) == AT_EINVAL);
    CHECK(polygon_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":[[[126,95],[127,40],[127,41],[126,95]]]}",
                        &g) == AT_EINVAL);
    CHECK(polygon_parse(&ctx, "not json", &g) == AT_EINVAL);
}

/* Issue 10: a site's line features (a fence, a route). */
UNIT_TEST(polygon_lines_parse_and_centre)
{
    struct at_ctx ctx = { 0 };
    json_t *g = NULL;
    char *text;
    double lat = 0, lon = 0;

    REQUIRE(polygon_lines_parse(&ctx, "{\"type\":\"LineString\",\"coordinates\":[[126,40,3],[128,42]]}",
                                &g) == AT_OK);
    text = polygon_text(g);
    CHECK_STR(text, "{\"coordinates\":[[[126.0,40.0],[128.0,42.0]]],\"type\":\"MultiLineString\"}");
    free(text);
    polygon_lines_centre(g, &lat, &lon);
    CHECK(fabs(lat - 41) < 1e-9 && fabs(lon - 127) < 1e-9);
    json_decref(g);
    /* A closed line counts its repeated first position once. */
    REQUIRE(polygon_lines_parse(&ctx, "{\"type\":\"MultiLineString\",\"coordinates\":"
                                "[[[0,0],[3,0],[0,3],[0,0]]]}", &g) == AT_OK);
    polygon_lines_centre(g, &lat, &lon);
    CHECK(fabs(lat - 1) < 1e-9 && fabs(lon - 1) < 1e-9);
    json_decref(g);

    CHECK(polygon_lines_parse(&ctx, "{\"type\":\"LineString\",\"coordinates\":[[126,40]]}", &g)
          == AT_EINVAL && g == NULL);
    CHECK_STR(ctx.message, "line 1: a line needs at least 2 positions");
    CHECK(polygon_lines_parse(&ctx, "{\"type\":\"MultiLineString\",\"coordinates\":[[[1,2],[1,91]]]}",
                              &g) == AT_EINVAL);
    CHECK_STR(ctx.message, "line 1 position 2: 1,91 is outside longitude [-180, 180], "
                           "latitude [-90, 90]");
    CHECK(polygon_lines_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":[]}", &g) == AT_EINVAL);
    CHECK(strstr(ctx.message, "LineString or MultiLineString") != NULL);
}
