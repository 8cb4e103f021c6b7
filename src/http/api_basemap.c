/*
 * api_basemap.c: offline imagery for the web map: the archive's basemaps
 * (GET /api/v1/basemaps) and their tiles (GET /tiles/NAME/{z}/{x}/{y}),
 * with an ETag (basemap_tile's) so that a browser asks again only with
 * If-None-Match and gets 304 when nothing changed.  The tile path is the
 * server's busiest: one cached statement, no JSON; the tag is read without
 * the tile's bytes, and the tiles last sent, decrypted, are kept in memory
 * (never on disk) for every server thread, up to TILE_CACHE_BYTES in all,
 * to send again without reading the archive.  They are found by the tag,
 * which names the basemap as added: a basemap removed and added again is
 * never answered from them.  A reply sends the kept bytes as they are,
 * holding a reference on them, so that a tile evicted while it is being
 * sent lives on until it is sent.
 *
 * A basemap added from the browser (POST /api/v1/basemaps?filename=F
 * [&name=N], the file as the body) is streamed to a file of its own in the
 * archive's directory as it arrives, never held in memory, then stored by
 * basemap_add as `attest basemap add` stores it; the file is removed however
 * the request ends, and what a crash left is removed at the next start.
 * At most BASEMAP_UPLOADS_MAX run at once (each is tiled as it is added,
 * which takes a thread, memory and disk); more are refused from the head
 * with 429.  DELETE /api/v1/basemaps/{name} removes one; GET
 * /api/v1/basemaps/{name}/file downloads it as `attest basemap export`.
 */
#include "http.h"
#include "server.h"
#include "../core/basemap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int list_one(void *arg, const struct basemap_info *b)
{
    json_array_append_new(arg, basemap_json(b));
    return AT_OK;
}

int api_basemaps(struct request *r)
{
    json_t *all = json_array();
    int rc = basemap_each(&r->ctx, r->st, list_one, all);

    if (rc != AT_OK) {
        json_decref(all);
        return http_core_error(r, rc);
    }
    return http_json(r, 200, json_pack("{s:o}", "basemaps", all));
}

/* Parses a path segment of digits into 0 <= *out <= max; false if it is
 * not one. */
static bool tile_number(const char *s, long max, long *out)
{
    char *end;

    if (*s < '0' || *s > '9' || strlen(s) > 9)
        return false;
    *out = strtol(s, &end, 10);
    return *end == '\0' && *out <= max;
}

_Static_assert(sizeof ((struct request *)0)->etag >= BASEMAP_ETAG_MAX, "room for a tile's ETag");

#define TILE_CACHE_BYTES (128u << 20) /* the kept tiles' bytes, in all */
#define TILE_CACHE_ONE (1u << 20)     /* a larger tile is not kept */
#define TILE_CACHE_SLOTS 4096          /* hash chains, a power of two */

/* A tile's bytes, counted: one reference for the cache while they are in
 * it, one for each reply sending them. */
struct tile_entry {
    char etag[BASEMAP_ETAG_MAX];
    struct http_bytes *bytes;
    struct tile_entry *chain;         /* the next in its hash chain */
    struct tile_entry *newer, *older; /* by when last asked for */
};

static struct {
    pthread_mutex_t lock;
    struct tile_entry *slots[TILE_CACHE_SLOTS];
    struct tile_entry *newest, *oldest;
    size_t bytes;
} tiles = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct tile_entry **slot_of(const char *etag)
{
    uint32_t h = 2166136261u;

    for (const char *p = etag; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return &tiles.slots[h & (TILE_CACHE_SLOTS - 1)];
}

/* Under the lock. */
static void unlink_age(struct tile_entry *e)
{
    *(e->newer ? &e->newer->older : &tiles.newest) = e->older;
    *(e->older ? &e->older->newer : &tiles.oldest) = e->newer;
    e->newer = e->older = NULL;
}

static void link_newest(struct tile_entry *e)
{
    e->older = tiles.newest;
    *(tiles.newest ? &tiles.newest->newer : &tiles.oldest) = e;
    tiles.newest = e;
}

/* Under the lock: takes e out of the cache and drops its reference. */
static void evict(struct tile_entry *e)
{
    struct tile_entry **p = slot_of(e->etag);

    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    unlink_age(e);
    tiles.bytes -= e->bytes->len;
    http_bytes_release(e->bytes);
    free(e);
}

/* The kept bytes of the tile tagged etag, with a reference for the
 * caller, or NULL. */
static struct http_bytes *cache_get(const char *etag)
{
    struct http_bytes *found = NULL;

    pthread_mutex_lock(&tiles.lock);
    for (struct tile_entry *e = *slot_of(etag); e; e = e->chain)
        if (strcmp(e->etag, etag) == 0) {
            unlink_age(e);
            link_newest(e);
            http_bytes_ref(e->bytes);
            found = e->bytes;
            break;
        }
    pthread_mutex_unlock(&tiles.lock);
    return found;
}

/* Keeps b as the tile tagged etag (its own reference), making room by
 * evicting the least recently asked for; another thread may have kept
 * the same tile meanwhile, and then b is not kept. */
static void cache_put(const char *etag, struct http_bytes *b)
{
    struct tile_entry *e;

    if (b->len > TILE_CACHE_ONE)
        return;
    pthread_mutex_lock(&tiles.lock);
    for (e = *slot_of(etag); e; e = e->chain)
        if (strcmp(e->etag, etag) == 0)
            goto out;
    while (tiles.oldest && tiles.bytes + b->len > TILE_CACHE_BYTES)
        evict(tiles.oldest);
    e = xcalloc(1, sizeof *e);
    memcpy(e->etag, etag, BASEMAP_ETAG_MAX);
    e->bytes = b;
    http_bytes_ref(b);
    e->chain = *slot_of(etag);
    *slot_of(etag) = e;
    link_newest(e);
    tiles.bytes += b->len;
out:
    pthread_mutex_unlock(&tiles.lock);
}

void api_tile_cache_free(void)
{
    pthread_mutex_lock(&tiles.lock);
    while (tiles.oldest)
        evict(tiles.oldest);
    pthread_mutex_unlock(&tiles.lock);
}

int api_tile(struct request *r)
{
    const char *name = r->params[0], *format, *match;
    struct buf data = BUF_INIT;
    struct http_bytes *b;
    long z, x, y;
    int rc;

    if (!tile_number(r->params[1], BASEMAP_ZOOM_MAX, &z))
        return http_error(r, 404, "not_found", "z", "the zoom level is a number from 0 to %d",
                          BASEMAP_ZOOM_MAX);
    if (!tile_number(r->params[2], (1L << z) - 1, &x) || !tile_number(r->params[3], (1L << z) - 1, &y))
        return http_error(r, 404, "not_found", NULL,
                          "x and y are numbers from 0 to %ld at zoom %ld", (1L << z) - 1, z);
    if ((rc = basemap_tile_tag(&r->ctx, r->st, name, (int)z, x, y, r->etag)) != AT_OK)
        return http_core_error(r, rc);
    /* Behind a login: the browser may keep it, no shared cache may. */
    r->cache_control = "private, max-age=86400";
    match = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    if (match && strcmp(match, r->etag) == 0) {
        r->raw = "";
        r->raw_len = 0;
        r->status = 304;
        return 304;
    }
    r->status = 200;
    if ((b = cache_get(r->etag)) != NULL)
        return http_reply_bytes(r, b);
    if ((rc = basemap_tile(&r->ctx, r->st, name, (int)z, x, y, &data, &format, r->etag)) != AT_OK) {
        buf_free(&data);
        return http_core_error(r, rc);
    }
    size_t len = data.len; /* read before buf_detach empties data */
    b = http_bytes_new(buf_detach(&data), len, basemap_content_type(format));
    cache_put(r->etag, b);
    return http_reply_bytes(r, b);
}

/* ---- adding and removing ---- */

#define BASEMAP_UPLOADS_MAX 2
#define UPLOAD_PREFIX "basemap-upload-"

static pthread_mutex_t uploads_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned uploads_running;

/* Takes a place for one more upload; false when all are taken. */
static bool upload_place_take(void)
{
    bool ok;

    pthread_mutex_lock(&uploads_lock);
    if ((ok = uploads_running < BASEMAP_UPLOADS_MAX))
        uploads_running++;
    pthread_mutex_unlock(&uploads_lock);
    return ok;
}

static void upload_place_give(void)
{
    pthread_mutex_lock(&uploads_lock);
    uploads_running--;
    pthread_mutex_unlock(&uploads_lock);
}

long api_basemap_sweep(void)
{
    DIR *d = opendir(server_archive());
    struct dirent *e;
    struct buf path = BUF_INIT;
    long removed = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, UPLOAD_PREFIX, strlen(UPLOAD_PREFIX)) != 0)
            continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", server_archive(), e->d_name);
        if (unlink(buf_str(&path)) == 0)
            removed++;
    }
    closedir(d);
    buf_free(&path);
    return removed;
}

/* The extensions a basemap upload may have: what basemap_add tells the
 * file by (MBTiles by its header, KML/KMZ by the name, rasters by GDAL). */
static const char *const upload_exts[] = { ".mbtiles", ".tif", ".tiff", ".kmz", ".kml", ".jp2" };

struct basemap_upload {
    struct spool sp;
    char path[4096];
};

static const char *upload_ext(const char *filename)
{
    const char *dot = strrchr(filename, '.');

    for (size_t i = 0; dot && i < ARRAY_LEN(upload_exts); i++)
        if (strcasecmp(dot, upload_exts[i]) == 0)
            return upload_exts[i];
    return NULL;
}

int api_basemap_upload_begin(struct request *r)
{
    const char *name = http_arg(r, "name"), *ext;
    struct spool head = { .fd = -1 };
    struct basemap_upload *u;
    struct buf path = BUF_INIT;
    int status;

    if ((status = memupload_head(r, UINT64_MAX, ", ending in .mbtiles, .tif, .tiff, .kmz, .kml or .jp2",
                                 &head)) != 0)
        return status;
    if ((ext = upload_ext(head.filename)) == NULL)
        return http_error(r, 400, "invalid", "filename", "\"%.80s\": a basemap is an MBTiles file "
                          "(.mbtiles), a GeoTIFF (.tif, .tiff), a JPEG 2000 (.jp2) or a KML/KMZ "
                          "GroundOverlay (.kml, .kmz)", head.filename);
    if (name && basemap_name_check(&r->ctx, name) != AT_OK)
        return http_error(r, 400, "invalid", "name", "%s", r->ctx.message);
    if (!upload_place_take())
        return http_error(r, 429, "too_many_uploads", NULL, "the server is adding %u basemaps "
                          "already, as many as it adds at once; try again when one is done",
                          BASEMAP_UPLOADS_MAX);
    u = xcalloc(1, sizeof *u);
    u->sp = head;
    buf_printf(&path, "%s/" UPLOAD_PREFIX "XXXXXX%s", server_archive(), ext);
    snprintf(u->path, sizeof u->path, "%s", buf_str(&path));
    buf_free(&path);
    if ((u->sp.fd = mkostemps(u->path, (int)strlen(ext), O_CLOEXEC)) < 0) {
        free(u);
        upload_place_give();
        return http_error(r, 500, "internal", NULL, "cannot keep the upload: %s", strerror(errno));
    }
    r->basemap_upload = u;
    return 0;
}

void api_basemap_upload_take(struct request *r, const char *data, size_t size)
{
    memupload_spool(&r->basemap_upload->sp, data, size);
}

void api_basemap_upload_end(struct request *r)
{
    struct basemap_upload *u = r->basemap_upload;

    if (u == NULL)
        return;
    close(u->sp.fd);
    unlink(u->path);
    free(u);
    r->basemap_upload = NULL;
    upload_place_give();
}

/* POST /api/v1/basemaps?filename=F[&name=N] */
int api_basemaps_add(struct request *r)
{
    struct basemap_upload *u = r->basemap_upload;
    const char *name = http_arg(r, "name");
    struct basemap_info b;
    struct buf def = BUF_INIT;
    int rc;

    if (u == NULL)
        return http_error(r, 400, "invalid", "body", "send the file as the body, with ?filename=");
    if (u->sp.failed)
        return http_error(r, 400, "invalid", "body", "%s", u->sp.why);
    if (u->sp.received != u->sp.declared)
        return http_error(r, 400, "invalid", "body", "the upload ended after %llu of %llu bytes",
                          (unsigned long long)u->sp.received, (unsigned long long)u->sp.declared);
    if (name == NULL) {
        basemap_name_from_path(u->sp.filename, &def);
        name = buf_str(&def);
    }
    rc = basemap_add(&r->ctx, r->st, u->path, name, &b);
    buf_free(&def);
    if (rc != AT_OK) {
        http_message_rename(r, u->path, u->sp.filename); /* not the server's own path */
        return http_core_error(r, rc);
    }
    return http_json(r, 201, basemap_json(&b));
}

/* DELETE /api/v1/basemaps/{name} */
int api_basemaps_remove(struct request *r)
{
    int rc = basemap_remove(&r->ctx, r->st, r->params[0]);

    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:s, s:b}", "name", r->params[0], "removed", 1));
}

/* GET /api/v1/basemaps/{name}/file: the MBTiles file `attest basemap export
 * NAME FILE` writes (not encrypted: it tells where the imagery covers),
 * made in an anonymous in-memory file, never on disk. */
int api_basemaps_export(struct request *r)
{
    int fd = http_memfile(r, "attest-basemap"), rc;

    if (fd < 0)
        return (int)r->status;
    if ((rc = basemap_export_fd(&r->ctx, r->st, r->params[0], fd)) != AT_OK) {
        close(fd);
        return http_core_error(r, rc);
    }
    return http_reply_fd(r, fd, "application/vnd.sqlite3", "attachment; filename=\"basemap.mbtiles\"");
}
