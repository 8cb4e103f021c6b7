/*
 * test_raster.c: cutting a georeferenced image into tiles: the zoom
 * levels chosen from its resolution and extent, a GeoTIFF made here with
 * GDAL over exactly the north-east tile of zoom 1 cut into that tile and
 * the four below it, each a PNG; and refusals naming the file.
 */
#include "../../src/core/attest.h"
#include "../../src/core/raster.h"
#include "unit.h"

#include <gdal.h>
#include <cpl_conv.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

UNIT_TEST(raster_zooms_from_resolution)
{
    int lo, hi;

    raster_zooms(30.0, 10000.0, &lo, &hi);      /* 30 m a pixel, 10 km wide */
    CHECK(hi == 13 && lo == 11);
    raster_zooms(19.1092570712, 5000.0, &lo, &hi); /* exactly zoom 13's pixel */
    CHECK(hi == 13 && lo == 12);
    raster_zooms(1e6, 4e7, &lo, &hi);           /* coarser than zoom 0 */
    CHECK(hi == 0 && lo == 0);
    raster_zooms(0.001, 1.0, &lo, &hi);         /* finer than any zoom kept */
    CHECK(hi == 24 && lo == 24);
}

struct seen {
    int tiles, png, minz, maxz;
    long keys[8];
};

static int count(void *arg, int z, long x, long y, const void *data, size_t len)
{
    struct seen *s = arg;

    if (s->tiles < 8)
        s->keys[s->tiles] = z * 100 + x * 10 + y;
    s->tiles++;
    s->png += len > 8 && memcmp(data, "\x89PNG", 4) == 0;
    s->minz = s->tiles == 1 || z < s->minz ? z : s->minz;
    s->maxz = z > s->maxz ? z : s->maxz;
    return AT_OK;
}

UNIT_TEST(raster_tiles_of_a_geotiff)
{
    static const double half = 20037508.342789244;
    struct at_ctx ctx = { 0 };
    char path[] = "/tmp/attest-raster-XXXXXX.tif";
    double gt[6] = { 0, half / 512, 0, half, 0, -half / 512 };
    OGRSpatialReferenceH merc = OSRNewSpatialReference(NULL);
    struct seen s = { 0 };
    GDALDatasetH d;
    char *wkt = NULL;
    int fd = mkstemps(path, 4);

    REQUIRE(fd >= 0);
    close(fd);
    GDALAllRegister();
    d = GDALCreate(GDALGetDriverByName("GTiff"), path, 512, 512, 3, GDT_Byte, NULL);
    REQUIRE(d != NULL);
    OSRImportFromEPSG(merc, 3857);
    OSRExportToWkt(merc, &wkt);
    GDALSetProjection(d, wkt);
    GDALSetGeoTransform(d, gt);
    for (int b = 1; b <= 3; b++)
        GDALFillRaster(GDALGetRasterBand(d, b), 100.0 * b - 50, 0);
    GDALClose(d);
    CPLFree(wkt);
    OSRDestroySpatialReference(merc);

    REQUIRE(raster_tiles(&ctx, path, count, &s) == AT_OK);
    CHECK(s.tiles == 5 && s.png == 5 && s.minz == 1 && s.maxz == 2);
    CHECK(s.keys[0] == 110);                    /* 1/1/0, then zoom 2's */
    CHECK(s.keys[1] == 220 && s.keys[4] == 231);
    unlink(path);

    CHECK(raster_tiles(&ctx, "tests/unit/test_raster.c", count, &s) == AT_EINVAL);
    CHECK(strstr(ctx.message, "test_raster.c: not an image GDAL reads") != NULL);
    CHECK(raster_tiles(&ctx, "/nonexistent/x.tif", count, &s) == AT_EINVAL);
}
