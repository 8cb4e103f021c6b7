/*
 * api_basemap.c: offline imagery for the web map: the archive's basemaps
 * (GET /api/v1/basemaps) and their tiles (GET /tiles/NAME/{z}/{x}/{y}),
 * with an ETag (basemap_tile's) so that a browser asks again only with
 * If-None-Match and gets 304 when nothing changed.  The tile path is the
 * server's busiest: one cached statement, one copy of the bytes, no JSON.
 */
#include "http.h"
#include "../core/basemap.h"

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
    if ((rc = basemap_tile(&r->ctx, r->st, name, (int)z, x, y, &data, &format, r->etag)) != AT_OK) {
        buf_free(&data);
        return http_core_error(r, rc);
    }
    /* Behind a login: the browser may keep it, no shared cache may. */
    r->cache_control = "private, max-age=86400";
    r->content_type = basemap_content_type(format);
    match = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    r->status = 200;
    if (match && strcmp(match, r->etag) == 0) {
        buf_free(&data);
        r->raw = "";
        r->raw_len = 0;
        r->status = 304;
        return 304;
    }
    r->owned_len = data.len;
    r->owned = buf_detach(&data);
    return 200;
}
