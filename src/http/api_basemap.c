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
 */
#include "http.h"
#include "../core/basemap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
