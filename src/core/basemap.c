/*
 * basemap.c: offline imagery.  An MBTiles file (SQLite: a tiles table of
 * zoom_level, tile_column, tile_row, tile_data in the TMS scheme, and a
 * metadata table) is checked tile by tile and copied into the archive's
 * encrypted database, rows flipped to the XYZ scheme web maps ask for.
 * Reads serve one tile by name and z/x/y.
 */
#include "basemap.h"
#include "access.h"
#include "canonical.h"
#include "kml.h"
#include "raster.h"

#include <ctype.h>
#include <stdio.h>
#include <unistd.h>
#include <math.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

const char *basemap_format(const void *data, size_t len)
{
    const unsigned char *p = data;

    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "png";
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "jpg";
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return "webp";
    return NULL;
}

const char *basemap_content_type(const char *format)
{
    if (strcmp(format, "png") == 0)
        return "image/png";
    if (strcmp(format, "jpg") == 0)
        return "image/jpeg";
    if (strcmp(format, "webp") == 0)
        return "image/webp";
    return "application/octet-stream";
}

int basemap_name_check(struct at_ctx *ctx, const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(islower(c) || isdigit(c) || (i > 0 && (c == '-' || c == '_'))))
            n = 0;
    }
    if (n == 0 || n > BASEMAP_NAME_MAX)
        return ctx_error(ctx, AT_EINVAL,
                         "basemap name \"%s\" is not valid: give 1 to %d of a-z, 0-9, '-' and '_', "
                         "starting with a letter or digit",
                         name, BASEMAP_NAME_MAX);
    return AT_OK;
}

void basemap_name_from_path(const char *path, struct buf *out)
{
    const char *base = strrchr(path, '/');
    const char *dot;
    size_t n;

    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    for (size_t i = 0; i < n && i < BASEMAP_NAME_MAX; i++) {
        unsigned char c = (unsigned char)base[i];
        buf_putc(out, (char)(isalnum(c) && c < 0x80 ? tolower(c) : i > 0 ? '-' : 'x'));
    }
}

/* The longitude and latitude of the north-west corner of XYZ tile x, y at
 * zoom z (Web Mercator). */
static void tile_corner(int z, double x, double y, double *lon, double *lat)
{
    double n = ldexp(1.0, z);

    *lon = x / n * 360.0 - 180.0;
    *lat = atan(sinh(M_PI * (1 - 2 * y / n))) * 180.0 / M_PI;
}

/* Reading one MBTiles file.  mb is its own connection, read only. */
struct mbtiles {
    const char *path;
    sqlite3 *mb;
};

static int mb_fail(struct at_ctx *ctx, struct mbtiles *m, const char *what)
{
    return ctx_error(ctx, AT_EINVAL,
                     "%s is not a raster MBTiles file (%s): give an SQLite file with a table "
                     "tiles(zoom_level, tile_column, tile_row, tile_data) of PNG, JPEG or WebP "
                     "images",
                     m->path, what);
}

static int mb_open(struct at_ctx *ctx, struct mbtiles *m)
{
    sqlite3_stmt *q = NULL;

    if (sqlite3_open_v2(m->path, &m->mb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return ctx_error(ctx, AT_ENOTFOUND, "cannot open %s: %s", m->path,
                         m->mb ? sqlite3_errmsg(m->mb) : "out of memory");
    if (sqlite3_prepare_v2(m->mb, "SELECT 1 FROM sqlite_master", -1, &q, NULL) != SQLITE_OK)
        return mb_fail(ctx, m, sqlite3_errmsg(m->mb));
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(m->mb, "SELECT value FROM metadata WHERE name = 'format'", -1, &q,
                           NULL) == SQLITE_OK
        && sqlite3_step(q) == SQLITE_ROW) {
        const char *f = (const char *)sqlite3_column_text(q, 0);
        if (f && strcmp(f, "pbf") == 0) {
            sqlite3_finalize(q);
            return mb_fail(ctx, m, "it holds vector tiles, format pbf");
        }
    }
    sqlite3_finalize(q);
    return AT_OK;
}

/* A basemap being added: where its tiles go and what they add up to.
 * The extent is that of the largest zoom level's tiles. */
struct adding {
    struct at_ctx *ctx;
    struct store *st;
    const char *path;
    struct basemap_info b;
    long long minx, maxx, miny, maxy;
};

/* Stores tile z/x/y (XYZ) of the basemap being added; row is the tile's
 * row as its file numbers it, for messages. */
static int put_tile(struct adding *a, int z, long long x, long long y, long long row,
                    const void *data, size_t len)
{
    static const char *const insert =
        "INSERT INTO basemap_tile (name, z, x, y, data) VALUES (?, ?, ?, ?, ?)";
    const char *format = basemap_format(data, len);
    struct basemap_info *b = &a->b;
    sqlite3_stmt *ins;
    int step;

    if (format == NULL)
        return ctx_error(a->ctx, AT_EINVAL, "%s: tile %d/%lld/%lld is not a PNG, JPEG or WebP image",
                         a->path, z, x, row);
    if (z > b->maxzoom) {
        a->minx = a->maxx = x;
        a->miny = a->maxy = y;
        b->maxzoom = z;
    } else if (z == b->maxzoom) {
        a->minx = x < a->minx ? x : a->minx;
        a->maxx = x > a->maxx ? x : a->maxx;
        a->miny = y < a->miny ? y : a->miny;
        a->maxy = y > a->maxy ? y : a->maxy;
    }
    b->minzoom = b->tiles == 0 || z < b->minzoom ? z : b->minzoom;
    if (b->tiles == 0)
        snprintf(b->format, sizeof b->format, "%s", format);
    else if (strcmp(b->format, format) != 0)
        snprintf(b->format, sizeof b->format, "mixed");
    if ((ins = store_stmt(a->ctx, a->st, insert)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(ins, 1, b->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 2, z);
    sqlite3_bind_int64(ins, 3, x);
    sqlite3_bind_int64(ins, 4, y);
    sqlite3_bind_blob(ins, 5, data, (int)len, SQLITE_STATIC);
    step = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (step == SQLITE_CONSTRAINT)
        return ctx_error(a->ctx, AT_EINVAL, "%s: tile %d/%lld/%lld is there twice", a->path, z, x,
                         row);
    if (step != SQLITE_DONE)
        return store_error(a->ctx, a->st, "storing a tile");
    b->tiles++;
    b->bytes += (long long)len;
    return AT_OK;
}

/* Sets the bounds from the tiles stored; AT_EINVAL when there were none. */
static int put_done(struct adding *a)
{
    struct basemap_info *b = &a->b;

    if (b->tiles == 0)
        return ctx_error(a->ctx, AT_EINVAL, "%s holds no tiles: give a raster MBTiles file or "
                                            "a georeferenced image", a->path);
    tile_corner(b->maxzoom, (double)a->minx, (double)a->maxy + 1, &b->west, &b->south);
    tile_corner(b->maxzoom, (double)a->maxx + 1, (double)a->miny, &b->east, &b->north);
    return AT_OK;
}

/* Copies every tile of m into the basemap being added. */
static int mb_copy(struct adding *a, struct mbtiles *m)
{
    struct at_ctx *ctx = a->ctx;
    sqlite3_stmt *q = NULL;
    int rc = AT_OK, step;

    if (sqlite3_prepare_v2(m->mb, "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles",
                           -1, &q, NULL) != SQLITE_OK)
        return mb_fail(ctx, m, sqlite3_errmsg(m->mb));
    while (rc == AT_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        long long z = sqlite3_column_int64(q, 0), x = sqlite3_column_int64(q, 1);
        long long row = sqlite3_column_int64(q, 2);

        if (sqlite3_column_type(q, 0) != SQLITE_INTEGER || z < 0 || z > BASEMAP_ZOOM_MAX)
            rc = ctx_error(ctx, AT_EINVAL, "%s: zoom_level %s is not valid: give 0 to %d", m->path,
                           sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0)
                                                     : "NULL",
                           BASEMAP_ZOOM_MAX);
        else if (x < 0 || x >= (1LL << z) || row < 0 || row >= (1LL << z))
            rc = ctx_error(ctx, AT_EINVAL,
                           "%s: tile %lld/%lld/%lld is outside its zoom level: tile_column and "
                           "tile_row go from 0 to %lld",
                           m->path, z, x, row, (1LL << z) - 1);
        else
            rc = put_tile(a, (int)z, x, (1LL << z) - 1 - row, row, sqlite3_column_blob(q, 3),
                          (size_t)sqlite3_column_bytes(q, 3));
    }
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = mb_fail(ctx, m, sqlite3_errmsg(m->mb));
    sqlite3_finalize(q);
    return rc;
}

static int raster_put(void *arg, int z, long x, long y, const void *data, size_t len)
{
    return put_tile(arg, z, x, y, y, data, len);
}

static int store_info(struct at_ctx *ctx, struct store *st, const struct basemap_info *b,
                      const char *title)
{
    static const char *const sql =
        "INSERT INTO basemap (name, format, minzoom, maxzoom, west, south, east, north, tiles, "
        "bytes, title, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *q = store_stmt(ctx, st, sql);
    char now[21];
    int step;

    if (q == NULL)
        return AT_ERR;
    canonical_now(now);
    sqlite3_bind_text(q, 1, b->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, b->format, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, b->minzoom);
    sqlite3_bind_int(q, 4, b->maxzoom);
    sqlite3_bind_double(q, 5, b->west);
    sqlite3_bind_double(q, 6, b->south);
    sqlite3_bind_double(q, 7, b->east);
    sqlite3_bind_double(q, 8, b->north);
    sqlite3_bind_int64(q, 9, b->tiles);
    sqlite3_bind_int64(q, 10, b->bytes);
    sqlite3_bind_text(q, 11, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 12, store_session(st)->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 13, now, -1, SQLITE_STATIC);
    step = sqlite3_step(q);
    sqlite3_reset(q);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "storing a basemap");
}

/* AT_OK if no basemap is called name; AT_ECONFLICT saying what to do if
 * one is. */
static int name_free(struct at_ctx *ctx, struct store *st, const char *name)
{
    static const char *const sql = "SELECT 1 FROM basemap WHERE name = ?";
    sqlite3_stmt *q = store_stmt(ctx, st, sql);
    int step;

    if (q == NULL)
        return AT_ERR;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    step = sqlite3_step(q);
    sqlite3_reset(q);
    if (step == SQLITE_ROW)
        return ctx_error(ctx, AT_ECONFLICT,
                         "there is already a basemap \"%s\": give another --name, or remove it "
                         "first",
                         name);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading basemaps");
}

/* The file's own name for itself, from its metadata, or "". */
static void mb_title(struct mbtiles *m, struct buf *out)
{
    sqlite3_stmt *q = NULL;

    if (sqlite3_prepare_v2(m->mb, "SELECT value FROM metadata WHERE name = 'name'", -1, &q,
                           NULL) == SQLITE_OK
        && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        buf_puts(out, (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
}

/* True when the file at path starts as an SQLite database does. */
static bool is_sqlite(const char *path)
{
    char head[16] = { 0 };
    FILE *f = fopen(path, "rb");
    bool yes = f && fread(head, 1, sizeof head, f) == sizeof head
               && memcmp(head, "SQLite format 3", 16) == 0;

    if (f)
        fclose(f);
    return yes;
}

/* A KML or KMZ file, by its name. */
static bool is_kml(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && (strcasecmp(path + n - 4, ".kml") == 0 || strcasecmp(path + n - 4, ".kmz") == 0);
}

/* The GroundOverlay of the KML or KMZ at path: the GDAL path of its image
 * (inside the KMZ through /vsizip/, or beside the KML) into image, its name
 * into title, and where it lies into box. */
static int overlay_source(struct at_ctx *ctx, const char *path, struct buf *image,
                          struct buf *title, struct raster_box *box)
{
    struct buf text = BUF_INIT;
    struct kml_overlay o;
    uint8_t sha[32];
    FILE *f = fopen(path, "rb");
    char head[4] = { 0 };
    bool zip = f && fread(head, 1, 4, f) == 4 && memcmp(head, "PK\003\004", 4) == 0;
    const char *slash = strrchr(path, '/');
    int rc;

    if (f)
        fclose(f);
    if ((rc = kml_read_file(ctx, path, &text, sha)) != AT_OK
        || (rc = kml_overlay(ctx, buf_str(&text), text.len, path, &o)) != AT_OK)
        goto out;
    if (zip)
        buf_printf(image, "/vsizip/%s/%s", path, o.href);
    else
        buf_printf(image, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, o.href);
    buf_puts(title, o.name ? o.name : "");
    *box = (struct raster_box){ o.north, o.south, o.east, o.west, o.rotation };
    kml_overlay_free(&o);
out:
    buf_free(&text);
    return rc;
}

int basemap_add(struct at_ctx *ctx, struct store *st, const char *path, const char *name,
                struct basemap_info *out)
{
    struct adding a = { .ctx = ctx, .st = st, .path = path, .b = { .maxzoom = -1 } };
    struct mbtiles m = { path, NULL };
    struct buf title = BUF_INIT, image = BUF_INIT;
    bool mbtiles = is_sqlite(path), kml = !mbtiles && is_kml(path);
    struct raster_box box;
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK
        || (rc = basemap_name_check(ctx, name)) != AT_OK)
        return rc;
    snprintf(a.b.name, sizeof a.b.name, "%s", name);
    if (mbtiles && (rc = mb_open(ctx, &m)) != AT_OK)
        goto out;
    if (mbtiles)
        mb_title(&m, &title);
    if (kml && (rc = overlay_source(ctx, path, &image, &title, &box)) != AT_OK)
        goto out;
    if ((rc = store_begin(ctx, st)) != AT_OK)
        goto out;
    if ((rc = name_free(ctx, st, name)) != AT_OK
        || (rc = mbtiles ? mb_copy(&a, &m)
                 : kml ? raster_tiles_placed(ctx, buf_str(&image), &box, raster_put, &a)
                 : raster_tiles(ctx, path, raster_put, &a)) != AT_OK
        || (rc = put_done(&a)) != AT_OK
        || (rc = store_info(ctx, st, &a.b, buf_str(&title))) != AT_OK
        || (rc = store_commit(ctx, st)) != AT_OK) {
        store_rollback(st);
        goto out;
    }
    if (out)
        *out = a.b;
out:
    sqlite3_close(m.mb);
    buf_free(&title);
    buf_free(&image);
    return rc;
}

int basemap_each(struct at_ctx *ctx, struct store *st,
                 int (*fn)(void *arg, const struct basemap_info *b), void *arg)
{
    static const char *const sql =
        "SELECT name, format, minzoom, maxzoom, west, south, east, north, tiles, bytes "
        "FROM basemap ORDER BY name";
    sqlite3_stmt *q = store_stmt(ctx, st, sql);
    int rc = AT_OK, step;

    if (q == NULL)
        return AT_ERR;
    while (rc == AT_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct basemap_info b = { 0 };
        snprintf(b.name, sizeof b.name, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(b.format, sizeof b.format, "%s", (const char *)sqlite3_column_text(q, 1));
        b.minzoom = sqlite3_column_int(q, 2);
        b.maxzoom = sqlite3_column_int(q, 3);
        b.west = sqlite3_column_double(q, 4);
        b.south = sqlite3_column_double(q, 5);
        b.east = sqlite3_column_double(q, 6);
        b.north = sqlite3_column_double(q, 7);
        b.tiles = sqlite3_column_int64(q, 8);
        b.bytes = sqlite3_column_int64(q, 9);
        rc = fn(arg, &b);
    }
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "listing basemaps");
    sqlite3_reset(q);
    return rc;
}

json_t *basemap_json(const struct basemap_info *b)
{
    return json_pack("{s:s, s:s, s:i, s:i, s:[f,f,f,f], s:I, s:I}", "name", b->name, "format",
                     b->format, "minzoom", b->minzoom, "maxzoom", b->maxzoom, "bounds", b->west,
                     b->south, b->east, b->north, "tiles", (json_int_t)b->tiles, "bytes",
                     (json_int_t)b->bytes);
}

int basemap_remove(struct at_ctx *ctx, struct store *st, const char *name)
{
    static const char *const del_tiles = "DELETE FROM basemap_tile WHERE name = ?";
    static const char *const del = "DELETE FROM basemap WHERE name = ?";
    const char *const sqls[] = { del_tiles, del };
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK
        || (rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
        sqlite3_stmt *q = store_stmt(ctx, st, sqls[i]);
        int step;
        if (q == NULL) {
            rc = AT_ERR;
            goto out;
        }
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        step = sqlite3_step(q);
        sqlite3_reset(q);
        if (step != SQLITE_DONE) {
            rc = store_error(ctx, st, "removing a basemap");
            goto out;
        }
    }
    if (sqlite3_changes(store_db(st)) == 0) {
        rc = ctx_error(ctx, AT_ENOTFOUND, "no basemap \"%s\"; 'attest basemap list' lists them",
                       name);
        goto out;
    }
    rc = store_commit(ctx, st);
out:
    if (rc != AT_OK)
        store_rollback(st);
    return rc;
}

/* The entity tag of tile z/x/y of basemap name as added (added_at,
 * bytes), len bytes long. */
static void tile_etag(const char *name, const char *added_at, long long bytes, int z, long x, long y,
                      size_t len, char etag[BASEMAP_ETAG_MAX])
{
    char which[256];
    uint8_t hash[12];
    int n = snprintf(which, sizeof which, "%s\n%s\n%lld\n%d/%ld/%ld\n%zu", name, added_at ? added_at : "",
                     bytes, z, x, y, len);

    crypto_generichash(hash, sizeof hash, (const uint8_t *)which,
                       (size_t)n < sizeof which ? (size_t)n : sizeof which - 1, NULL, 0);
    etag[0] = '"';
    sodium_bin2hex(etag + 1, BASEMAP_ETAG_MAX - 1, hash, sizeof hash);
    etag[1 + 2 * sizeof hash] = '"';
    etag[2 + 2 * sizeof hash] = '\0';
}

/* Finds tile z/x/y of name through the key index alone (the rowid
 * table holds the bytes) and makes its tag; SQLITE_ROW, SQLITE_DONE or an
 * error.  On SQLITE_ROW the statement is left stepped, for the caller to
 * read the tile's rowid (column 0) and length (column 1) while its read
 * transaction is open, and *out is to be reset by tile_end. */
static int tile_find(struct at_ctx *ctx, struct store *st, const char *name, int z, long x, long y,
                     sqlite3_stmt **out, char *etag)
{
    /* length() of a blob reads the row's header, not the tile's pages. */
    static const char *const sql =
        "SELECT t.rowid, length(t.data), b.added_at, b.bytes FROM basemap_tile t "
        "JOIN basemap b ON b.name = t.name WHERE t.name = ? AND t.z = ? AND t.x = ? AND t.y = ?";
    sqlite3_stmt *q = store_stmt(ctx, st, sql);
    int step;

    if ((*out = q) == NULL)
        return SQLITE_ERROR;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, z);
    sqlite3_bind_int64(q, 3, x);
    sqlite3_bind_int64(q, 4, y);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW && etag)
        tile_etag(name, (const char *)sqlite3_column_text(q, 2), sqlite3_column_int64(q, 3), z, x, y,
                  (size_t)sqlite3_column_int64(q, 1), etag);
    return step;
}

static int tile_end(struct at_ctx *ctx, struct store *st, sqlite3_stmt *q, int step, const char *name,
                    int z, long x, long y)
{
    if (q)
        sqlite3_reset(q);
    if (step == SQLITE_ROW)
        return AT_OK;
    if (q == NULL)
        return AT_ERR;
    if (step != SQLITE_DONE)
        return store_error(ctx, st, "reading a tile");
    return ctx_error(ctx, AT_ENOTFOUND, "no tile %d/%ld/%ld in basemap \"%s\"", z, x, y, name);
}

int basemap_tile(struct at_ctx *ctx, struct store *st, const char *name, int z, long x, long y,
                 struct buf *data, const char **format, char *etag)
{
    sqlite3_stmt *q;
    sqlite3_blob *blob = NULL;
    int step = tile_find(ctx, st, name, z, x, y, &q, etag);

    if (step == SQLITE_ROW) {
        /* Read in the statement's transaction, straight into data: SQLite
         * makes no copy of its own. */
        int n = sqlite3_column_int(q, 1);
        buf_reserve(data, (size_t)n);
        step = sqlite3_blob_open(store_db(st), "main", "basemap_tile", "data", sqlite3_column_int64(q, 0),
                                 0, &blob);
        if (step == SQLITE_OK)
            step = sqlite3_blob_read(blob, data->data + data->len, n, 0);
        sqlite3_blob_close(blob);
        if (step == SQLITE_OK) {
            *format = basemap_format(data->data + data->len, (size_t)n);
            if (*format == NULL)
                *format = "";
            data->len += (size_t)n;
            data->data[data->len] = '\0';
            step = SQLITE_ROW;
        }
    }
    return tile_end(ctx, st, q, step, name, z, x, y);
}

int basemap_tile_tag(struct at_ctx *ctx, struct store *st, const char *name, int z, long x, long y,
                     char etag[BASEMAP_ETAG_MAX])
{
    sqlite3_stmt *q;
    int step = tile_find(ctx, st, name, z, x, y, &q, etag);

    return tile_end(ctx, st, q, step, name, z, x, y);
}

/* Looking for one basemap by name among basemap_each's rows. */
struct wanted {
    const char *name;
    struct basemap_info b;
    bool found;
};

static int find_one(void *arg, const struct basemap_info *b)
{
    struct wanted *w = arg;

    if (strcmp(w->name, b->name) == 0) {
        w->b = *b;
        w->found = true;
    }
    return AT_OK;
}

/* Writes b's metadata and tiles into the open MBTiles file out. */
static int export_into(struct at_ctx *ctx, struct store *st, const struct basemap_info *b,
                       sqlite3 *out, const char *path)
{
    static const char *const sql = "SELECT z, x, y, data FROM basemap_tile WHERE name = ?";
    sqlite3_stmt *q = store_stmt(ctx, st, sql), *meta = NULL, *ins = NULL;
    char bounds[128], minz[8], maxz[8];
    const char *const rows[][2] = { { "name", b->name }, { "format", b->format },
                                    { "type", "baselayer" }, { "version", "1.1" },
                                    { "bounds", bounds }, { "minzoom", minz }, { "maxzoom", maxz } };
    int rc = AT_OK, step;

    if (q == NULL)
        return AT_ERR;
    snprintf(bounds, sizeof bounds, "%.8f,%.8f,%.8f,%.8f", b->west, b->south, b->east, b->north);
    snprintf(minz, sizeof minz, "%d", b->minzoom);
    snprintf(maxz, sizeof maxz, "%d", b->maxzoom);
    if (sqlite3_exec(out, "CREATE TABLE metadata (name TEXT, value TEXT);"
                          "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                          "tile_row INTEGER, tile_data BLOB);"
                          "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
                          "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(out, "INSERT INTO metadata VALUES (?, ?)", -1, &meta, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(out, "INSERT INTO tiles VALUES (?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        sqlite3_bind_text(meta, 1, rows[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(meta, 2, rows[i][1], -1, SQLITE_STATIC);
        if (sqlite3_step(meta) != SQLITE_DONE)
            goto fail;
        sqlite3_reset(meta);
    }
    sqlite3_bind_text(q, 1, b->name, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        int z = sqlite3_column_int(q, 0);
        sqlite3_bind_int(ins, 1, z);
        sqlite3_bind_int64(ins, 2, sqlite3_column_int64(q, 1));
        sqlite3_bind_int64(ins, 3, (1LL << z) - 1 - sqlite3_column_int64(q, 2));
        sqlite3_bind_blob(ins, 4, sqlite3_column_blob(q, 3), sqlite3_column_bytes(q, 3),
                          SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            goto fail;
        sqlite3_reset(ins);
    }
    if (step != SQLITE_DONE)
        rc = store_error(ctx, st, "reading tiles");
    else if (sqlite3_exec(out, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    goto out;
fail:
    rc = ctx_error(ctx, AT_ERR, "writing %s: %s", path, sqlite3_errmsg(out));
out:
    sqlite3_reset(q);
    sqlite3_finalize(meta);
    sqlite3_finalize(ins);
    return rc;
}

/* What both exports check first: the right to write, and basemap w->name
 * there (its details into w). */
static int export_wanted(struct at_ctx *ctx, struct store *st, struct wanted *w)
{
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK
        || (rc = basemap_each(ctx, st, find_one, w)) != AT_OK)
        return rc;
    if (!w->found)
        return ctx_error(ctx, AT_ENOTFOUND, "no basemap \"%s\"; 'attest basemap list' lists them",
                         w->name);
    return AT_OK;
}

int basemap_export_fd(struct at_ctx *ctx, struct store *st, const char *name, int fd)
{
    struct wanted w = { .name = name };
    sqlite3 *out = NULL;
    unsigned char *bytes = NULL;
    sqlite3_int64 size = 0, done = 0;
    int rc;

    if ((rc = export_wanted(ctx, st, &w)) != AT_OK)
        return rc;
    if (sqlite3_open_v2(":memory:", &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = ctx_error(ctx, AT_ERR, "cannot make the file in memory");
        goto out;
    }
    if ((rc = export_into(ctx, st, &w.b, out, name)) != AT_OK)
        goto out;
    if ((bytes = sqlite3_serialize(out, "main", &size, 0)) == NULL) {
        rc = ctx_error(ctx, AT_ERR, "cannot make the file in memory");
        goto out;
    }
    while (done < size) {
        ssize_t n = write(fd, bytes + done, (size_t)(size - done));
        if (n < 0) {
            rc = ctx_error(ctx, AT_ERR, "writing the copy of %s failed", name);
            goto out;
        }
        done += n;
    }
out:
    sqlite3_free(bytes);
    if (out)
        sqlite3_close(out);
    return rc;
}

int basemap_export(struct at_ctx *ctx, struct store *st, const char *name, const char *path)
{
    struct wanted w = { .name = name };
    struct buf tmp = BUF_INIT;
    sqlite3 *out = NULL;
    int rc;

    if ((rc = export_wanted(ctx, st, &w)) != AT_OK)
        return rc;
    if (access(path, F_OK) == 0)
        return ctx_error(ctx, AT_ECONFLICT, "%s exists: give a new file", path);
    buf_printf(&tmp, "%s.partial", path);
    unlink(buf_str(&tmp));
    if (sqlite3_open_v2(buf_str(&tmp), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
        != SQLITE_OK) {
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", path,
                       out ? sqlite3_errmsg(out) : "out of memory");
        goto out;
    }
    rc = export_into(ctx, st, &w.b, out, path);
    if (sqlite3_close(out) != SQLITE_OK && rc == AT_OK)
        rc = ctx_error(ctx, AT_ERR, "writing %s", path);
    out = NULL;
    if (rc == AT_OK && rename(buf_str(&tmp), path) != 0)
        rc = ctx_error(ctx, AT_ERR, "cannot write %s", path);
out:
    if (out)
        sqlite3_close(out);
    if (rc != AT_OK)
        unlink(buf_str(&tmp));
    buf_free(&tmp);
    return rc;
}
