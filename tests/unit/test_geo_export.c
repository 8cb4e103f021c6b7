/*
 * test_geo_export.c: the map export: format names, sites and pinpoints in
 * GeoJSON at the court tier as they are, at the public tier coarsened and
 * counted as redacted, records above a tier left out, and an archive with
 * nothing to export.
 */
#include "../../src/core/attest.h"
#include "../../src/core/geo_export.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

UNIT_TEST(geo_export_format_names)
{
    struct at_ctx ctx = { 0 };
    enum geo_format f;

    CHECK(geo_format_parse(&ctx, "geojson", &f) == AT_OK && f == GEO_GEOJSON);
    CHECK(geo_format_parse(&ctx, "kmz", &f) == AT_OK && f == GEO_KMZ);
    CHECK(geo_format_parse(&ctx, "shp", &f) == AT_EINVAL);
    CHECK(strstr(ctx.message, "shp") != NULL && strstr(ctx.message, "geojson") != NULL);
}

static char *export(struct at_ctx *ctx, struct store *st, enum geo_format f, enum tier t,
                    struct geo_export_counts *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rc = geo_export(ctx, st, f, t, out, c);

    fclose(out);
    geo_export_counts_free(c);
    if (rc != AT_OK) {
        free(text);
        return NULL;
    }
    return text;
}

UNIT_TEST(geo_export_by_tier)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct geo_export_counts c = { 0 };
    char *text;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "site", "{\"name\": \"FICTIONAL site\", \"site_type\": \"political_prison_camp\", "
                     "\"lat\": 42.12345, \"lon\": 129.54321, \"tier\": \"public\"}", CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "pinpoint", "{\"lat\": 42.12, \"lon\": 129.54}", CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "site", "{\"name\": \"FICTIONAL secret\", \"site_type\": \"political_prison_camp\", "
                     "\"lat\": 41.0, \"lon\": 129.0}", CLEARANCE_CONFIDENTIAL, NULL) == AT_OK);

    REQUIRE((text = export(&ctx, st, GEO_GEOJSON, TIER_COURT, &c)) != NULL);
    CHECK(c.sites == 2 && c.pinpoints == 1 && c.redacted == 0);
    CHECK(strstr(text, "FeatureCollection") != NULL);
    CHECK(strstr(text, "129.54321") != NULL);
    free(text);
    memset(&c, 0, sizeof c);
    REQUIRE((text = export(&ctx, st, GEO_GEOJSON, TIER_PUBLIC, &c)) != NULL);
    CHECK(c.left_out >= 1);
    CHECK(strstr(text, "FICTIONAL secret") == NULL);
    CHECK(strstr(text, "129.54321") == NULL);
    CHECK(c.redacted >= 1);
    free(text);
    store_close(st);
}

/* An archive with no site and no pinpoint: the export is an empty
 * collection, and nothing is sorted from a NULL array (UBSan in make check). */
UNIT_TEST(geo_export_empty_archive)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct geo_export_counts c = { 0 };
    char *text;

    REQUIRE(st != NULL);
    REQUIRE((text = export(&ctx, st, GEO_GEOJSON, TIER_COURT, &c)) != NULL);
    CHECK(c.sites == 0 && c.pinpoints == 0);
    CHECK(strstr(text, "FeatureCollection") != NULL);
    free(text);
    store_close(st);
}
