/* test_kml.c: the KML reader, site outlines, and the gazetteer.  FICTIONAL
 * placemarks only. */
#include "../../src/core/attest.h"
#include "../../src/core/gazetteer.h"
#include "../../src/core/kml.h"
#include "../../src/core/polygon.h"
#include "../../src/core/tier.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

static const char kml_text[] =
    "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>\n"
    "<Folder><name>Outer</name><Folder><name>Burial sites</name>\n"
    "<Placemark><name>FICTIONAL A</name><styleUrl>#x</styleUrl>\n"
    "<TimeSpan><begin>1996</begin><end>1998-05-01T00:00:00Z</end></TimeSpan>\n"
    "<ExtendedData><Data name=\"basis\"><value> rumour </value></Data></ExtendedData>\n"
    "<Point><coordinates> 129.1234567,41.7654321,12 </coordinates></Point></Placemark>\n"
    "</Folder></Folder>\n"
    "<Placemark><name>FICTIONAL B</name><MultiGeometry>\n"
    "<Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates>"
    "</LinearRing></outerBoundaryIs></Polygon>\n"
    "<Polygon><outerBoundaryIs><LinearRing><coordinates>5,5 6,5 6,6 5,5</coordinates>"
    "</LinearRing></outerBoundaryIs></Polygon></MultiGeometry></Placemark>\n"
    "</Document></kml>\n";

UNIT_TEST(kml_reads_points_polygons_folders_dates)
{
    struct at_ctx ctx = { 0 };
    struct kml_doc doc;

    REQUIRE(kml_parse(&ctx, kml_text, sizeof kml_text - 1, "t.kml", &doc) == AT_OK);
    REQUIRE(doc.n == 2);
    CHECK(doc.pm[0].kind == KML_POINTS && doc.pm[0].line == 3);
    CHECK(json_array_size(doc.pm[0].points) == 1);
    CHECK(json_real_value(json_array_get(json_array_get(doc.pm[0].points, 0), 1)) == 41.7654321);
    CHECK(json_real_value(json_array_get(json_array_get(doc.pm[0].points, 0), 0)) == 129.1234567);
    CHECK_STR(doc.pm[0].date, "1996/1998-05-01");
    CHECK_STR(doc.pm[0].style, "x");
    CHECK(json_array_size(doc.pm[0].folders) == 2);
    CHECK_STR(json_string_value(json_object_get(doc.pm[0].extended, "basis")), "rumour");
    CHECK(doc.pm[1].kind == KML_SITE && doc.pm[1].lines == NULL);
    CHECK_STR(json_string_value(json_object_get(doc.pm[1].geometry, "type")), "MultiPolygon");
    CHECK(json_array_size(doc.pm[1].folders) == 0);
    kml_doc_free(&doc);
}

/* Issue 10: Google Earth files as they are.  A MultiGeometry of points was
 * refused ("holds 2 points"), and so was every LineString. */
UNIT_TEST(kml_reads_multigeometry_points_and_lines)
{
    static const char text[] =
        "<kml><Placemark id=\"p1\"><name>FICTIONAL pair</name><MultiGeometry>\n"
        "<Point><coordinates>1,2</coordinates></Point><Point><coordinates>3,4</coordinates>"
        "</Point></MultiGeometry></Placemark>\n"
        "<Placemark><name>FICTIONAL fence</name><MultiGeometry>"
        "<LineString><coordinates>1,1 2,2</coordinates></LineString>"
        "<LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing>"
        "<Point><coordinates>5,6</coordinates></Point></MultiGeometry></Placemark></kml>";
    struct at_ctx ctx = { 0 };
    struct kml_doc doc;

    REQUIRE(kml_parse(&ctx, text, sizeof text - 1, "t.kml", &doc) == AT_OK);
    REQUIRE(doc.n == 2);
    CHECK(doc.pm[0].kind == KML_POINTS && json_array_size(doc.pm[0].points) == 2);
    CHECK_STR(doc.pm[0].id, "p1");
    CHECK(doc.pm[1].kind == KML_SITE && doc.pm[1].geometry == NULL);
    CHECK(json_array_size(json_object_get(doc.pm[1].lines, "coordinates")) == 2);
    CHECK(json_array_size(doc.pm[1].points) == 1);
    kml_doc_free(&doc);
}

UNIT_TEST(kml_refuses_with_line_and_name)
{
    static const char *const bad[][2] = {
        { "<kml><Placemark><name>FICTIONAL</name>\n<Point><coordinates>1,91</coordinates>"
          "</Point></Placemark></kml>", "t.kml:2: placemark \"FICTIONAL\": coordinate 1,91" },
        { "<kml><Placemark><name>FICTIONAL</name>\n<Model/></Placemark></kml>",
          "t.kml:2: placemark \"FICTIONAL\": unsupported geometry Model" },
        { "<kml><Placemark><name>FICTIONAL</name></Placemark></kml>",
          "t.kml:1: placemark \"FICTIONAL\": no geometry" },
        { "<kml><Placemark><name>FICTIONAL</name>\n<LineString><coordinates>1,2</coordinates>"
          "</LineString></Placemark></kml>",
          "t.kml:2: placemark \"FICTIONAL\": a LineString needs at least 2 coordinates" },
        { "<kml><Placemark><name>FICTIONAL</name><MultiGeometry><Point><coordinates>1,2"
          "</coordinates></Point><Point><coordinates>1,3</coordinates></Point><LineString>"
          "<coordinates>1,2 3,4</coordinates></LineString></MultiGeometry></Placemark></kml>",
          "t.kml:1: placemark \"FICTIONAL\": holds 2 points beside its outlines or lines" },
        { "<kml><Placemark>\n<Point><coordinates>1,2,3,4</coordinates></Point></Placemark></kml>",
          "t.kml:2: placemark \"(no name)\": coordinate \"1,2,3,4\"" },
        { "<gpx/>", "t.kml:1: not KML" },
        { "<kml><Placemark>", "t.kml:1: not well-formed XML" },
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct at_ctx ctx = { 0 };
        struct kml_doc doc;
        CHECK(kml_parse(&ctx, bad[i][0], strlen(bad[i][0]), "t.kml", &doc) == AT_EINVAL);
        CHECK(strncmp(ctx.message, bad[i][1], strlen(bad[i][1])) == 0);
        if (strncmp(ctx.message, bad[i][1], strlen(bad[i][1])) != 0)
            fprintf(stderr, "# got: %s\n", ctx.message);
        CHECK(doc.n == 0);
    }
}

UNIT_TEST(polygon_checks_and_centres)
{
    struct at_ctx ctx = { 0 };
    json_t *g = NULL;
    double lat, lon;

    REQUIRE(polygon_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":"
                          "[[[179,0,5],[-179,0],[-179,2],[179,2],[179,0]]]}", &g) == AT_OK);
    polygon_centre(g, &lat, &lon);
    CHECK(fabs(lat - 1) < 1e-12 && fabs(fabs(lon) - 180) < 1e-12);
    CHECK(polygon_ring_area2(json_array_get(json_object_get(g, "coordinates"), 0)) < 0);
    json_decref(g);
    CHECK(polygon_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", &g)
          == AT_EINVAL);
    CHECK(polygon_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}",
                        &g) == AT_EINVAL);
    CHECK(strstr(ctx.message, "not closed") != NULL);
    CHECK(polygon_parse(&ctx, "{\"type\":\"Point\",\"coordinates\":[0,0]}", &g) == AT_EINVAL);
    CHECK(polygon_parse(&ctx, "{\"type\":\"Polygon\",\"coordinates\":"
                        "[[[0,0],[1,0],[1,95],[0,0]]]}", &g) == AT_EINVAL);
}

UNIT_TEST(gazetteer_spellings_and_positions)
{
    static const char *const hoeryong[] = { "Hoeryŏng", "Hoeryong", "Hoeryeong", "회령",
                                            "회령시", "HOE-RYONG", "Hoeryŏng-si" };
    struct gazetteer_match m[4];

    for (size_t i = 0; i < ARRAY_LEN(hoeryong); i++) {
        size_t n = gazetteer_search(hoeryong[i], m, 4);
        CHECK(n >= 1 && strcmp(m[0].place->hangul, "회령시") == 0 && m[0].rank == 0);
    }
    CHECK(gazetteer_search("단동", m, 1) == 1 && strcmp(m[0].place->name, "Dandong") == 0);
    CHECK(gazetteer_search("", m, 4) == 0);
    CHECK_STR(gazetteer_country_at(39.03, 125.75), "KP");
    CHECK_STR(gazetteer_country_at(43.1, 131.9), "RU");
    CHECK_STR(gazetteer_country_at(41.8, 123.4), "CN");
    CHECK(gazetteer_country_at(38.5, 131.0) == NULL);   /* the East Sea */
    const struct gazetteer_place *c = gazetteer_county_of(NULL, 42.45, 129.76);
    CHECK(c && strcmp(c->hangul, "회령시") == 0);
    CHECK(gazetteer_county_of(NULL, 40.13, 124.39) == NULL);   /* Dandong, China */
    CHECK(gazetteer_county_of("Onsong", 42.9, 129.95) != NULL);
    /* Every province has its capital's point and every North Korean place a province. */
    for (size_t i = 0; i < gazetteer_nplaces; i++)
        if (strcmp(gazetteer_places[i].country, "KP") == 0)
            CHECK(gazetteer_province(&gazetteer_places[i]) != NULL);
}

UNIT_TEST(tier_public_point_prefers_the_county)
{
    double lat, lon;
    const char *county = tier_public_point(NULL, 42.4512, 129.7634, &lat, &lon);

    CHECK(county != NULL && lat == 42.44113 && lon == 129.74601);
    CHECK(tier_public_point(NULL, 10.0, 10.0, &lat, &lon) == NULL);
    CHECK(fabs(lat - 10) < 0.05 && fabs(lon - 10) < 0.05);
}

UNIT_TEST(kml_overlay_reads_one_ground_overlay)
{
    static const char ok[] =
        "<kml><Document><GroundOverlay><name>scan</name><Icon><href>files/a.png</href></Icon>"
        "<LatLonBox><north>42.5</north><south>42.4</south><east>129.8</east><west>129.7</west>"
        "</LatLonBox></GroundOverlay></Document></kml>";
    static const char two[] =
        "<kml><GroundOverlay/><Folder><GroundOverlay/></Folder></kml>";
    static const char inverted[] =
        "<kml><GroundOverlay><Icon><href>a.png</href></Icon><LatLonBox><north>42.4</north>"
        "<south>42.5</south><east>129.8</east><west>129.7</west></LatLonBox></GroundOverlay></kml>";
    struct at_ctx ctx = { 0 };
    struct kml_overlay o;

    REQUIRE(kml_overlay(&ctx, ok, sizeof ok - 1, "a.kml", &o) == AT_OK);
    CHECK_STR(o.name, "scan");
    CHECK_STR(o.href, "files/a.png");
    CHECK(o.north == 42.5 && o.south == 42.4 && o.east == 129.8 && o.west == 129.7 && o.rotation == 0);
    kml_overlay_free(&o);
    CHECK(kml_overlay(&ctx, two, sizeof two - 1, "b.kml", &o) == AT_EINVAL);
    CHECK(strstr(ctx.message, "b.kml holds 2 GroundOverlays") != NULL);
    CHECK(kml_overlay(&ctx, inverted, sizeof inverted - 1, "c.kml", &o) == AT_EINVAL);
    CHECK(strstr(ctx.message, "north above south") != NULL);
}
