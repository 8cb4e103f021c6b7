/*
 * raster.h: a georeferenced raster image (a GeoTIFF, a scanned and
 * georeferenced map, anything GDAL reads) cut into web map tiles: warped
 * to Web Mercator, read at each zoom level from the one where the whole
 * image fits a tile to the one that keeps its resolution, and each
 * 256x256 tile encoded as a PNG with transparency outside the image.
 */
#ifndef RASTER_H
#define RASTER_H

#include "attest.h"

#include <stddef.h>

/* Called with each tile that holds some of the image (XYZ scheme: y
 * from the north); data is a PNG of len bytes, valid during the call.
 * A result other than AT_OK stops the cutting and is returned. */
typedef int (*raster_tile_fn)(void *arg, int z, long x, long y, const void *data, size_t len);

/* The zoom levels raster_tiles cuts for an image of res metres a pixel
 * (in Web Mercator) spanning extent metres at its widest. */
void raster_zooms(double res, double extent, int *minzoom, int *maxzoom);

/* Cuts the raster at path into tiles, calling fn for each.  A file GDAL
 * cannot read, one without georeferencing, or one whose bands are not
 * 8-bit is refused naming the file and what would be valid. */
int raster_tiles(struct at_ctx *ctx, const char *path, raster_tile_fn fn, void *arg);

/* Where an image without georeferencing of its own lies (a Google Earth
 * GroundOverlay's LatLonBox): between four edges in WGS84 degrees, turned
 * counter-clockwise about its centre by rotation degrees, in degrees of
 * longitude and latitude as they are (as Google Earth turns it). */
struct raster_box {
    double north, south, east, west, rotation;
};

/* As raster_tiles, for an image placed by box. */
int raster_tiles_placed(struct at_ctx *ctx, const char *path, const struct raster_box *box,
                        raster_tile_fn fn, void *arg);

#endif
