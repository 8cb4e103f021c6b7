/*
 * raster.c: a raster GDAL reads, cut into PNG web map tiles with GDAL's
 * C API.  The image is warped to Web Mercator (EPSG:3857) as a virtual
 * dataset (GDALAutoCreateWarpedVRT, bilinear); each tile of each zoom
 * level is read from it by one RasterIO of the tile's window, which GDAL
 * resamples (from the source's overviews where it has them) to the part
 * of the 256x256 tile the image covers; the rest stays transparent.  A
 * tile goes through a MEM dataset and the PNG driver into /vsimem/.
 */
#include "raster.h"

#include <gdal.h>
#include <gdalwarper.h>
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ogr_srs_api.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TILE 256
#define MERC_HALF 20037508.342789244     /* half the Web Mercator world, in metres */
#define RASTER_TILES_MAX 1000000         /* a bound on one image's tiles */

void raster_zooms(double res, double extent, int *minzoom, int *maxzoom)
{
    double world = 2 * MERC_HALF;
    int hi = (int)ceil(log2(world / (TILE * res)) - 1e-6);
    int lo = (int)floor(log2(world / extent));

    hi = hi < 0 ? 0 : hi > 24 ? 24 : hi;
    lo = lo < 0 ? 0 : lo > hi ? hi : lo;
    *minzoom = lo;
    *maxzoom = hi;
}

/* The open image, warped, and what reading it needs. */
struct raster {
    const char *path;
    const struct raster_box *placed;   /* where to place an image, or NULL */
    GDALDatasetH orig, src, vrt;       /* orig: the file as opened, when src is placed */
    int width, height, bands;          /* of the warped image; bands read: 1, 3 or 4 */
    double gt[6];
    GDALColorTableH palette;           /* a one-band image's colours, or NULL */
    GDALDriverH mem, png;
    char vsi[64];                      /* this cutting's /vsimem/ file */
};

static int refuse(struct at_ctx *ctx, const struct raster *r, const char *what)
{
    return ctx_error(ctx, AT_EINVAL,
                     "%s: %s: give an MBTiles file of PNG, JPEG or WebP tiles, or a georeferenced "
                     "raster of 8-bit bands (grey, paletted, RGB or RGBA) that GDAL reads, such "
                     "as a GeoTIFF",
                     r->path, what);
}

/* Gives the opened image the georeferencing of r->placed, through a
 * virtual copy (the file is not changed).  Pixel (px, py) lies at
 * (west + px sx, north - py sy) before the turn about the centre. */
static int place(struct at_ctx *ctx, struct raster *r)
{
    const struct raster_box *b = r->placed;
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    double cx = (b->east + b->west) / 2, cy = (b->north + b->south) / 2;
    double th = b->rotation * M_PI / 180, c = cos(th), s = sin(th);
    double sx = (b->east - b->west) / GDALGetRasterXSize(r->src);
    double sy = (b->north - b->south) / GDALGetRasterYSize(r->src);
    double gt[6] = { cx + (b->west - cx) * c - (b->north - cy) * s, sx * c, sy * s,
                     cy + (b->west - cx) * s + (b->north - cy) * c, sx * s, -sy * c };
    GDALDatasetH copy;
    int rc = AT_OK;

    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    copy = GDALCreateCopy(GDALGetDriverByName("VRT"), "", r->src, FALSE, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (copy == NULL || GDALSetSpatialRef(copy, wgs) != CE_None
        || GDALSetGeoTransform(copy, gt) != CE_None) {
        if (copy)
            GDALClose(copy);
        rc = refuse(ctx, r, "the image cannot be placed");
    } else {
        r->orig = r->src;
        r->src = copy;
    }
    OSRDestroySpatialReference(wgs);
    return rc;
}

static int open_warped(struct at_ctx *ctx, struct raster *r)
{
    OGRSpatialReferenceH merc = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    const char *proj;
    double gt[6];
    int n, rc = AT_OK;

    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    r->src = GDALOpenEx(r->path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    CPLPopErrorHandler();
    if (r->src == NULL) {
        rc = refuse(ctx, r, "not an image GDAL reads");
        goto out;
    }
    if (r->placed && (rc = place(ctx, r)) != AT_OK)
        goto out;
    proj = GDALGetProjectionRef(r->src);
    if (proj == NULL || *proj == '\0' || GDALGetGeoTransform(r->src, gt) != CE_None) {
        rc = refuse(ctx, r, "the image has no georeferencing (no coordinate system or no "
                            "geotransform)");
        goto out;
    }
    n = GDALGetRasterCount(r->src);
    for (int b = 1; b <= n; b++)
        if (GDALGetRasterDataType(GDALGetRasterBand(r->src, b)) != GDT_Byte) {
            rc = refuse(ctx, r, "its bands are not 8-bit (convert with gdal_translate -ot Byte "
                                "-scale)");
            goto out;
        }
    if (n != 1 && n != 3 && n != 4) {
        rc = refuse(ctx, r, "it has neither 1, 3 nor 4 bands");
        goto out;
    }
    r->bands = n;
    if (n == 1)
        r->palette = GDALGetRasterColorTable(GDALGetRasterBand(r->src, 1));
    OSRImportFromEPSG(merc, 3857);
    OSRExportToWkt(merc, &wkt);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    r->vrt = GDALAutoCreateWarpedVRT(r->src, NULL, wkt, GRA_Bilinear, 0.125, NULL);
    CPLPopErrorHandler();
    if (r->vrt == NULL || GDALGetGeoTransform(r->vrt, r->gt) != CE_None) {
        rc = refuse(ctx, r, "it cannot be warped to Web Mercator");
        goto out;
    }
    r->width = GDALGetRasterXSize(r->vrt);
    r->height = GDALGetRasterYSize(r->vrt);
    r->mem = GDALGetDriverByName("MEM");
    r->png = GDALGetDriverByName("PNG");
    if (r->mem == NULL || r->png == NULL)
        rc = ctx_error(ctx, AT_ERR, "GDAL has no MEM or PNG driver");
    snprintf(r->vsi, sizeof r->vsi, "/vsimem/attest-tile-%p.png", (void *)r);
out:
    CPLFree(wkt);
    OSRDestroySpatialReference(merc);
    return rc;
}

/* Reads tile z/x/y into rgba (TILE*TILE*4, cleared first).  Sets *some
 * when the image covers any of it. */
static int read_tile(struct at_ctx *ctx, struct raster *r, int z, long x, long y,
                     uint8_t *rgba, bool *some)
{
    double size = 2 * MERC_HALF / ldexp(1.0, z);
    double px0 = (-MERC_HALF + x * size - r->gt[0]) / r->gt[1];
    double px1 = px0 + size / r->gt[1];
    double py0 = (MERC_HALF - y * size - r->gt[3]) / r->gt[5];
    double py1 = py0 - size / r->gt[5];
    double cx0 = fmax(px0, 0), cx1 = fmin(px1, r->width);
    double cy0 = fmax(py0, 0), cy1 = fmin(py1, r->height);
    int bx0 = (int)lround((cx0 - px0) / (px1 - px0) * TILE);
    int bx1 = (int)lround((cx1 - px0) / (px1 - px0) * TILE);
    int by0 = (int)lround((cy0 - py0) / (py1 - py0) * TILE);
    int by1 = (int)lround((cy1 - py0) / (py1 - py0) * TILE);
    int bandmap[4] = { 1, 2, 3, 4 };
    GDALRasterIOExtraArg extra;
    int xoff, yoff;
    uint8_t *at;

    memset(rgba, 0, TILE * TILE * 4);
    *some = bx1 > bx0 && by1 > by0;
    if (!*some)
        return AT_OK;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = GRIORA_Bilinear;
    extra.bFloatingPointWindowValidity = TRUE;
    extra.dfXOff = cx0;
    extra.dfYOff = cy0;
    extra.dfXSize = cx1 - cx0;
    extra.dfYSize = cy1 - cy0;
    xoff = (int)floor(cx0);
    yoff = (int)floor(cy0);
    at = rgba + ((size_t)by0 * TILE + (size_t)bx0) * 4;
    if (GDALDatasetRasterIOEx(r->vrt, GF_Read, xoff, yoff,
                              (int)ceil(cx1) - xoff > 0 ? (int)ceil(cx1) - xoff : 1,
                              (int)ceil(cy1) - yoff > 0 ? (int)ceil(cy1) - yoff : 1, at, bx1 - bx0,
                              by1 - by0, GDT_Byte, r->bands, bandmap, 4, TILE * 4, 1, &extra)
        != CE_None)
        return ctx_error(ctx, AT_ERR, "%s: reading tile %d/%ld/%ld: %s", r->path, z, x, y,
                         CPLGetLastErrorMsg());
    for (int j = by0; j < by1; j++)
        for (int i = bx0; i < bx1; i++) {
            uint8_t *p = rgba + ((size_t)j * TILE + (size_t)i) * 4;
            if (r->palette) {
                const GDALColorEntry *c = GDALGetColorEntry(r->palette, p[0]);
                p[0] = c ? (uint8_t)c->c1 : 0;
                p[1] = c ? (uint8_t)c->c2 : 0;
                p[2] = c ? (uint8_t)c->c3 : 0;
                p[3] = c ? (uint8_t)c->c4 : 0;
            } else if (r->bands == 1) {
                p[1] = p[2] = p[0];
            }
            if (r->bands != 4 && !r->palette)
                p[3] = 255;
        }
    return AT_OK;
}

/* Encodes rgba as a PNG and gives it to fn. */
static int emit_tile(struct at_ctx *ctx, struct raster *r, int z, long x, long y,
                     uint8_t *rgba, raster_tile_fn fn, void *arg)
{
    GDALDatasetH mem = GDALCreate(r->mem, "", TILE, TILE, 4, GDT_Byte, NULL), out = NULL;
    int bandmap[4] = { 1, 2, 3, 4 };
    vsi_l_offset len = 0;
    GByte *png = NULL;
    int rc = AT_ERR;

    if (mem == NULL
        || GDALDatasetRasterIO(mem, GF_Write, 0, 0, TILE, TILE, rgba, TILE, TILE, GDT_Byte, 4,
                               bandmap, 4, TILE * 4, 1) != CE_None
        || (out = GDALCreateCopy(r->png, r->vsi, mem, FALSE, NULL, NULL, NULL)) == NULL) {
        rc = ctx_error(ctx, AT_ERR, "encoding tile %d/%ld/%ld: %s", z, x, y, CPLGetLastErrorMsg());
        goto out;
    }
    GDALClose(out);
    png = VSIGetMemFileBuffer(r->vsi, &len, TRUE);
    rc = png ? fn(arg, z, x, y, png, (size_t)len) : ctx_error(ctx, AT_ERR, "no PNG was written");
out:
    CPLFree(png);
    if (mem)
        GDALClose(mem);
    return rc;
}

int raster_tiles(struct at_ctx *ctx, const char *path, raster_tile_fn fn, void *arg)
{
    return raster_tiles_placed(ctx, path, NULL, fn, arg);
}

int raster_tiles_placed(struct at_ctx *ctx, const char *path, const struct raster_box *box,
                        raster_tile_fn fn, void *arg)
{
    struct raster r = { .path = path, .placed = box };
    uint8_t *rgba = xmalloc(TILE * TILE * 4);
    double minx, maxx, miny, maxy;
    int rc, minzoom, maxzoom;
    long long total = 0;

    if ((rc = open_warped(ctx, &r)) != AT_OK)
        goto out;
    minx = r.gt[0];
    maxx = r.gt[0] + r.width * r.gt[1];
    maxy = r.gt[3];
    miny = r.gt[3] + r.height * r.gt[5];
    raster_zooms(r.gt[1], fmax(maxx - minx, maxy - miny), &minzoom, &maxzoom);
    for (int z = minzoom; z <= maxzoom; z++) {
        double size = 2 * MERC_HALF / ldexp(1.0, z);
        long last = (1L << z) - 1;
        long x0 = (long)floor((minx + MERC_HALF) / size), x1 = (long)floor((maxx + MERC_HALF) / size - 1e-9);
        long y0 = (long)floor((MERC_HALF - maxy) / size), y1 = (long)floor((MERC_HALF - miny) / size - 1e-9);

        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > last ? last : x1;
        y1 = y1 > last ? last : y1;
        total += (long long)(x1 - x0 + 1) * (y1 - y0 + 1);
        if (total > RASTER_TILES_MAX) {
            rc = refuse(ctx, &r, "it would make more than a million tiles");
            goto out;
        }
        for (long y = y0; y <= y1; y++)
            for (long x = x0; x <= x1; x++) {
                bool some;
                if ((rc = read_tile(ctx, &r, z, x, y, rgba, &some)) != AT_OK
                    || (some && (rc = emit_tile(ctx, &r, z, x, y, rgba, fn, arg)) != AT_OK))
                    goto out;
            }
    }
out:
    free(rgba);
    if (r.vrt)
        GDALClose(r.vrt);
    if (r.src)
        GDALClose(r.src);
    if (r.orig)
        GDALClose(r.orig);
    return rc;
}
