/*
 * api_basemap.c: offline imagery for the web map: the archive's basemaps
 * (GET /api/v1/basemaps) and their tiles (GET /tiles/NAME/{z}/{x}/{y}),
 * with an ETag (basemap_tile's) so that a browser asks again only with
 * If-None-Match and gets 304 when nothing changed.  The tile path is the
 * server's busiest: one cached statement, no JSON; the tag is read without
 * the tile's bytes, and each server thread keeps its last TILE_CACHE tile
 * replies (headers made, bytes in place) to send again as they are when
 * the same tile is asked for, found by the tag, which names the basemap as
 * added: a basemap removed and added again is never answered from them.
 *
 * A basemap added from the browser (POST /api/v1/basemaps?filename=F
 * [&name=N], the file as the body) is streamed to a file of its own in the
 * archive's directory as it arrives, never held in memory, then stored by
 * basemap_add as `attest basemap add` stores it; the file is removed however
 * the request ends.  DELETE /api/v1/basemaps/{name} removes one.
 */
#include "http.h"
#include "server.h"
#include "../core/basemap.h"

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

#define TILE_CACHE 64                 /* replies kept by each server thread */
#define TILE_CACHE_BYTES (512 * 1024) /* a larger tile is not kept */

struct tile_cache {
    struct {
        char etag[BASEMAP_ETAG_MAX];
        struct MHD_Response *resp;
    } e[TILE_CACHE];
    size_t next;                      /* the slot to fill next, oldest first */
    struct tile_cache *others;        /* every thread's, for api_tile_cache_free */
};

static _Thread_local struct tile_cache *mine;
static struct tile_cache *caches;
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;

static struct tile_cache *cache(void)
{
    if (mine == NULL) {
        mine = xcalloc(1, sizeof *mine);
        pthread_mutex_lock(&caches_lock);
        mine->others = caches;
        caches = mine;
        pthread_mutex_unlock(&caches_lock);
    }
    return mine;
}

static struct MHD_Response *cache_find(const char *etag)
{
    struct tile_cache *c = cache();

    for (size_t i = 0; i < TILE_CACHE; i++)
        if (c->e[i].resp && strcmp(c->e[i].etag, etag) == 0)
            return c->e[i].resp;
    return NULL;
}

/* Keeps a tile's reply in the oldest slot (a reply still being sent
 * elsewhere lives on until it is). */
static void cache_keep(struct request *r, struct MHD_Response *resp)
{
    struct tile_cache *c = cache();

    if (c->e[c->next].resp)
        MHD_destroy_response(c->e[c->next].resp);
    memcpy(c->e[c->next].etag, r->etag, BASEMAP_ETAG_MAX);
    c->e[c->next].resp = resp;
    c->next = (c->next + 1) % TILE_CACHE;
}

void api_tile_cache_free(void)
{
    pthread_mutex_lock(&caches_lock);
    while (caches) {
        struct tile_cache *c = caches;
        for (size_t i = 0; i < TILE_CACHE; i++)
            if (c->e[i].resp)
                MHD_destroy_response(c->e[i].resp);
        caches = c->others;
        free(c);
    }
    pthread_mutex_unlock(&caches_lock);
}

int api_tile(struct request *r)
{
    const char *name = r->params[0], *format, *match;
    struct buf data = BUF_INIT;
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
    /* A reply that sets a cookie is this user's own: never kept nor reused. */
    if (r->set_cookie[0] == '\0' && (r->response = cache_find(r->etag)) != NULL)
        return 200;
    if ((rc = basemap_tile(&r->ctx, r->st, name, (int)z, x, y, &data, &format, r->etag)) != AT_OK) {
        buf_free(&data);
        return http_core_error(r, rc);
    }
    r->content_type = basemap_content_type(format);
    if (r->set_cookie[0] == '\0' && data.len <= TILE_CACHE_BYTES)
        r->keep = cache_keep;
    r->owned_len = data.len;
    r->owned = buf_detach(&data);
    return 200;
}

/* ---- adding and removing ---- */

/* The extensions a basemap upload may have: what basemap_add tells the
 * file by (MBTiles by its header, KML/KMZ by the name, rasters by GDAL). */
static const char *const upload_exts[] = { ".mbtiles", ".tif", ".tiff", ".kmz", ".kml", ".jp2" };

struct basemap_upload {
    int fd;
    char path[4096];
    char filename[256];
    uint64_t declared, received;
    bool failed;
    char why[128];
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
    const char *length = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    const char *filename = http_arg(r, "filename"), *name = http_arg(r, "name"), *ext;
    uint64_t max = server_upload_limits()->bytes_per_user, n = 0;
    struct basemap_upload *u;
    struct buf path = BUF_INIT;
    char *end = NULL;

    if (length && *length >= '0' && *length <= '9') {
        errno = 0;
        n = strtoull(length, &end, 10);
    }
    if (end == NULL || *end != '\0' || errno != 0 || n == 0)
        return http_error(r, 411, "length_required", NULL, "an upload needs a Content-Length "
                          "header giving the file's size in bytes");
    if (n > max)
        return http_error(r, 413, "too_large", NULL, "the file is larger than the server accepts "
                          "(%llu bytes)", (unsigned long long)max);
    if (filename == NULL || *filename == '\0' || strlen(filename) >= sizeof u->filename
        || strchr(filename, '/'))
        return http_error(r, 400, "invalid", "filename", "\"filename\" must be the file's name "
                          "(no folder), ending in .mbtiles, .tif, .tiff, .kmz, .kml or .jp2");
    if ((ext = upload_ext(filename)) == NULL)
        return http_error(r, 400, "invalid", "filename", "\"%.80s\": a basemap is an MBTiles file "
                          "(.mbtiles), a GeoTIFF (.tif, .tiff), a JPEG 2000 (.jp2) or a KML/KMZ "
                          "GroundOverlay (.kml, .kmz)", filename);
    if (name && basemap_name_check(&r->ctx, name) != AT_OK)
        return http_error(r, 400, "invalid", "name", "%s", r->ctx.message);
    u = xcalloc(1, sizeof *u);
    buf_printf(&path, "%s/basemap-upload-XXXXXX%s", server_archive(), ext);
    snprintf(u->path, sizeof u->path, "%s", buf_str(&path));
    buf_free(&path);
    snprintf(u->filename, sizeof u->filename, "%s", filename);
    u->declared = n;
    if ((u->fd = mkostemps(u->path, (int)strlen(ext), O_CLOEXEC)) < 0) {
        free(u);
        return http_error(r, 500, "internal", NULL, "cannot keep the upload: %s", strerror(errno));
    }
    r->basemap_upload = u;
    return 0;
}

void api_basemap_upload_take(struct request *r, const char *data, size_t size)
{
    struct basemap_upload *u = r->basemap_upload;

    if (u->failed)
        return;
    if (u->received + size > u->declared) {
        u->failed = true;
        snprintf(u->why, sizeof u->why, "the body is longer than its Content-Length");
        return;
    }
    while (size > 0) {
        ssize_t w = write(u->fd, data, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            u->failed = true;
            snprintf(u->why, sizeof u->why, "cannot keep the upload: %s", strerror(errno));
            return;
        }
        data += w;
        size -= (size_t)w;
        u->received += (uint64_t)w;
    }
}

void api_basemap_upload_end(struct request *r)
{
    struct basemap_upload *u = r->basemap_upload;

    if (u == NULL)
        return;
    close(u->fd);
    unlink(u->path);
    free(u);
    r->basemap_upload = NULL;
}

/* Replaces the upload's own path in a core message by the file's name:
 * the server's paths are not the user's business. */
static void name_the_file(struct request *r, const struct basemap_upload *u)
{
    char *at = strstr(r->ctx.message, u->path);
    struct buf m = BUF_INIT;

    if (at == NULL)
        return;
    buf_printf(&m, "%.*s%s%s", (int)(at - r->ctx.message), r->ctx.message, u->filename,
               at + strlen(u->path));
    snprintf(r->ctx.message, sizeof r->ctx.message, "%s", buf_str(&m));
    buf_free(&m);
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
    if (u->failed)
        return http_error(r, 400, "invalid", "body", "%s", u->why);
    if (u->received != u->declared)
        return http_error(r, 400, "invalid", "body", "the upload ended after %llu of %llu bytes",
                          (unsigned long long)u->received, (unsigned long long)u->declared);
    if (name == NULL) {
        basemap_name_from_path(u->filename, &def);
        name = buf_str(&def);
    }
    rc = basemap_add(&r->ctx, r->st, u->path, name, &b);
    buf_free(&def);
    if (rc != AT_OK) {
        name_the_file(r, u);
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
