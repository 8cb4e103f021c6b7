/*
 * basemap.h: offline imagery kept in the archive.  A basemap is a named
 * set of raster map tiles (PNG, JPEG or WebP) in the XYZ scheme of web
 * maps, read from an MBTiles file or cut from a georeferenced image
 * (raster.h), and stored inside the encrypted database, so that where
 * the imagery covers is as protected as the records.  Basemaps are not evidence: they are outside the log, and
 * adding or removing one needs the right to write records.
 */
#ifndef BASEMAP_H
#define BASEMAP_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

#define BASEMAP_NAME_MAX 40

/* The largest zoom level a basemap may hold (about 2 cm a pixel). */
#define BASEMAP_ZOOM_MAX 24

/* What a basemap holds, as `basemap list` and the API show it. */
struct basemap_info {
    char name[BASEMAP_NAME_MAX + 1];
    char format[8];          /* png, jpg, webp, or mixed */
    int minzoom, maxzoom;
    double west, south, east, north;
    long long tiles, bytes;
};

/* The image format of a tile by its first bytes: "png", "jpg", "webp", or
 * NULL for none of them. */
const char *basemap_format(const void *data, size_t len);

/* The content type of a format basemap_format returned. */
const char *basemap_content_type(const char *format);

/* AT_OK if name is a valid basemap name (1 to BASEMAP_NAME_MAX of a-z,
 * 0-9, '-' and '_', starting with a letter or digit); AT_EINVAL naming
 * what is valid otherwise. */
int basemap_name_check(struct at_ctx *ctx, const char *name);

/* The default name for a file: its base name without the extension, in
 * lower case, every other character made '-'.  Appends to out. */
void basemap_name_from_path(const char *path, struct buf *out);

/* Stores the imagery at path as basemap name, in one transaction: an
 * MBTiles file (told by its SQLite header) is checked tile by tile and
 * copied; any other file is cut into tiles by raster_tiles (GDAL).  A
 * file that is not valid (an MBTiles file with vector tiles, a tile out
 * of its zoom level's range or not PNG, JPEG or WebP; an image GDAL
 * cannot read or without georeferencing) is refused naming the file and
 * what would be valid, and nothing is written.  AT_ECONFLICT if name is
 * taken.  Fills *out when it is not NULL. */
int basemap_add(struct at_ctx *ctx, struct store *st, const char *path, const char *name,
                struct basemap_info *out);

/* Calls fn for each basemap, by name. */
int basemap_each(struct at_ctx *ctx, struct store *st,
                 int (*fn)(void *arg, const struct basemap_info *b), void *arg);

/* A basemap as JSON: {"name","format","minzoom","maxzoom","bounds":[w,s,e,n],
 * "tiles","bytes"}.  The caller owns it. */
json_t *basemap_json(const struct basemap_info *b);

/* Removes basemap name and its tiles.  AT_ENOTFOUND if there is none. */
int basemap_remove(struct at_ctx *ctx, struct store *st, const char *name);

/* Writes basemap name to a new MBTiles file at path (plain SQLite, TMS
 * rows, its metadata: name, format, bounds, minzoom, maxzoom), written
 * beside it and renamed into place, so that a failure leaves nothing.
 * The copy is not encrypted.  AT_ECONFLICT if path exists; AT_ENOTFOUND
 * if there is no such basemap.  Needs the right to write records. */
int basemap_export(struct at_ctx *ctx, struct store *st, const char *name, const char *path);
/* The same file written to fd (the server's download): made in memory,
 * never on disk, then written whole. */
int basemap_export_fd(struct at_ctx *ctx, struct store *st, const char *name, int fd);

/* An HTTP entity tag, quotes included: "24 hex digits". */
#define BASEMAP_ETAG_MAX 27

/* The tile z/x/y (XYZ scheme) of basemap name, appended to data, with its
 * format and, when etag is not NULL, its entity tag.  A basemap's tiles
 * never change until it is removed, so the tag names the tile and the
 * basemap as added (its name, when, its size), not the tile's bytes: it
 * costs nothing to make on the server's hot path.  AT_ENOTFOUND when the
 * basemap or the tile is missing. */
int basemap_tile(struct at_ctx *ctx, struct store *st, const char *name, int z, long x, long y,
                 struct buf *data, const char **format, char *etag);

/* The entity tag basemap_tile gives the tile z/x/y of basemap name, read
 * without its bytes: enough to answer If-None-Match, or to find a reply
 * made before.  AT_ENOTFOUND when the basemap or the tile is missing. */
int basemap_tile_tag(struct at_ctx *ctx, struct store *st, const char *name, int z, long x, long y,
                     char etag[BASEMAP_ETAG_MAX]);

#endif
