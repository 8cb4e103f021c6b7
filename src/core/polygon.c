/*
 * polygon.c: site outlines and line features as GeoJSON geometry text.
 * See polygon.h.
 */
#include "attest.h"
#include "polygon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks one [lon, lat] position; where names it in messages ("polygon 1
 * ring 2 position 3").  Appends the position, altitude dropped, to out. */
static int check_position(struct at_ctx *ctx, json_t *pos, const char *where, json_t *out)
{
    json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
    double lon = json_number_value(x), lat = json_number_value(y);

    if (!json_is_array(pos) || json_array_size(pos) < 2 || json_array_size(pos) > 3
        || !json_is_number(x) || !json_is_number(y))
        return ctx_error(ctx, AT_EINVAL, "%s: want [longitude, latitude]", where);
    if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return ctx_error(ctx, AT_EINVAL, "%s: %g,%g is outside longitude [-180, 180], "
                         "latitude [-90, 90]", where, lon, lat);
    json_array_append_new(out, json_pack("[f,f]", lon, lat));
    return AT_OK;
}

static int check_ring(struct at_ctx *ctx, json_t *ring, size_t poly, size_t r, json_t **out,
                      size_t *total)
{
    size_t i, n = json_array_size(ring);
    json_t *pos;

    if (!json_is_array(ring) || n < 4)
        return ctx_error(ctx, AT_EINVAL, "polygon %zu ring %zu: a ring needs at least 4 "
                         "positions (the last repeating the first)", poly + 1, r + 1);
    if ((*total += n) > POLYGON_MAX_POSITIONS)
        return ctx_error(ctx, AT_EINVAL, "an outline may hold at most %d positions",
                         POLYGON_MAX_POSITIONS);
    *out = json_array();
    json_array_foreach(ring, i, pos) {
        char where[80];
        snprintf(where, sizeof where, "polygon %zu ring %zu position %zu", poly + 1, r + 1, i + 1);
        if (check_position(ctx, pos, where, *out) != AT_OK)
            return AT_EINVAL;
    }
    json_t *a = json_array_get(*out, 0), *b = json_array_get(*out, n - 1);
    if (json_real_value(json_array_get(a, 0)) != json_real_value(json_array_get(b, 0))
        || json_real_value(json_array_get(a, 1)) != json_real_value(json_array_get(b, 1)))
        return ctx_error(ctx, AT_EINVAL, "polygon %zu ring %zu: not closed (the last position "
                         "must repeat the first)", poly + 1, r + 1);
    return AT_OK;
}

static int check_polygon(struct at_ctx *ctx, json_t *rings, size_t poly, json_t **out,
                         size_t *total)
{
    size_t r;
    json_t *ring;

    if (!json_is_array(rings) || json_array_size(rings) == 0)
        return ctx_error(ctx, AT_EINVAL, "polygon %zu: want a list of rings", poly + 1);
    *out = json_array();
    json_array_foreach(rings, r, ring) {
        json_t *clean = NULL;
        if (check_ring(ctx, ring, poly, r, &clean, total) != AT_OK) {
            json_decref(clean);
            return AT_EINVAL;
        }
        json_array_append_new(*out, clean);
    }
    return AT_OK;
}

int polygon_parse(struct at_ctx *ctx, const char *text, json_t **out)
{
    json_error_t jerr;
    json_t *g = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *coords, *clean = NULL;
    const char *type = json_string_value(json_object_get(g, "type"));
    size_t total = 0;
    int rc = AT_EINVAL;

    *out = NULL;
    if (g == NULL) {
        ctx_error(ctx, AT_EINVAL, "not JSON: %s", jerr.text);
        goto out;
    }
    coords = json_object_get(g, "coordinates");
    if (type && strcmp(type, "Polygon") == 0) {
        if (check_polygon(ctx, coords, 0, &clean, &total) != AT_OK)
            goto out;
    } else if (type && strcmp(type, "MultiPolygon") == 0) {
        size_t p;
        json_t *poly;
        if (!json_is_array(coords) || json_array_size(coords) == 0) {
            ctx_error(ctx, AT_EINVAL, "a MultiPolygon needs a list of polygons");
            goto out;
        }
        clean = json_array();
        json_array_foreach(coords, p, poly) {
            json_t *one = NULL;
            if (check_polygon(ctx, poly, p, &one, &total) != AT_OK) {
                json_decref(one);
                goto out;
            }
            json_array_append_new(clean, one);
        }
    } else {
        ctx_error(ctx, AT_EINVAL, "want a GeoJSON geometry of type Polygon or MultiPolygon");
        goto out;
    }
    *out = json_pack("{s:s, s:O}", "type", type, "coordinates", clean);
    rc = AT_OK;
out:
    json_decref(clean);
    json_decref(g);
    return rc;
}

char *polygon_text(json_t *geometry)
{
    return json_dumps(geometry, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
}

void polygon_each(json_t *geometry, void (*fn)(void *arg, json_t *rings), void *arg)
{
    const char *type = json_string_value(json_object_get(geometry, "type"));
    json_t *coords = json_object_get(geometry, "coordinates"), *poly;
    size_t i;

    if (type && strcmp(type, "Polygon") == 0) {
        fn(arg, coords);
        return;
    }
    json_array_foreach(coords, i, poly)
        fn(arg, poly);
}

struct centre {
    double lat, lon, lon0;
    size_t n;
};

/* Adds the first n positions of a ring or line to the centre. */
static void add_positions(struct centre *c, json_t *positions, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *pos = json_array_get(positions, i);
        double lon = json_number_value(json_array_get(pos, 0));
        if (c->n == 0)
            c->lon0 = lon;
        lon -= c->lon0;
        if (lon > 180)
            lon -= 360;
        else if (lon < -180)
            lon += 360;
        c->lon += lon;
        c->lat += json_number_value(json_array_get(pos, 1));
        c->n++;
    }
}

/* An outline's positions, its closing one left out. */
static void add_outline(void *arg, json_t *rings)
{
    json_t *ring = json_array_get(rings, 0);
    size_t n = json_array_size(ring);

    add_positions(arg, ring, n > 0 ? n - 1 : 0);
}

static void finish_centre(const struct centre *c, double *lat, double *lon)
{
    if (c->n == 0) {
        *lat = *lon = 0;
        return;
    }
    *lat = c->lat / (double)c->n;
    *lon = c->lon0 + c->lon / (double)c->n;
    if (*lon > 180)
        *lon -= 360;
    else if (*lon < -180)
        *lon += 360;
}

void polygon_centre(json_t *geometry, double *lat, double *lon)
{
    struct centre c = { 0, 0, 0, 0 };

    polygon_each(geometry, add_outline, &c);
    finish_centre(&c, lat, lon);
}

int polygon_lines_parse(struct at_ctx *ctx, const char *text, json_t **out)
{
    json_error_t jerr;
    json_t *g = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *coords, *lines, *line, *pos;
    const char *type = json_string_value(json_object_get(g, "type"));
    json_t *clean = json_array();
    size_t total = 0, l, i;
    int rc = AT_EINVAL;

    *out = NULL;
    if (g == NULL) {
        ctx_error(ctx, AT_EINVAL, "not JSON: %s", jerr.text);
        goto out;
    }
    coords = json_object_get(g, "coordinates");
    if (type && strcmp(type, "LineString") == 0) {
        lines = json_pack("[O]", coords);
    } else if (type && strcmp(type, "MultiLineString") == 0 && json_array_size(coords) > 0) {
        lines = json_incref(coords);
    } else {
        ctx_error(ctx, AT_EINVAL, "want a GeoJSON geometry of type LineString or "
                  "MultiLineString with at least one line");
        goto out;
    }
    rc = AT_OK;
    json_array_foreach(lines, l, line) {
        json_t *one = json_array();
        json_array_append_new(clean, one);
        if (!json_is_array(line) || json_array_size(line) < 2) {
            rc = ctx_error(ctx, AT_EINVAL, "line %zu: a line needs at least 2 positions", l + 1);
            break;
        }
        if ((total += json_array_size(line)) > POLYGON_MAX_POSITIONS) {
            rc = ctx_error(ctx, AT_EINVAL, "a site's lines may hold at most %d positions",
                           POLYGON_MAX_POSITIONS);
            break;
        }
        json_array_foreach(line, i, pos) {
            char where[64];
            snprintf(where, sizeof where, "line %zu position %zu", l + 1, i + 1);
            if ((rc = check_position(ctx, pos, where, one)) != AT_OK)
                break;
        }
        if (rc != AT_OK)
            break;
    }
    if (rc == AT_OK)
        *out = json_pack("{s:s, s:O}", "type", "MultiLineString", "coordinates", clean);
    json_decref(lines);
out:
    json_decref(clean);
    json_decref(g);
    return rc;
}

void polygon_lines_centre(json_t *lines, double *lat, double *lon)
{
    struct centre c = { 0, 0, 0, 0 };
    json_t *line;
    size_t l;

    json_array_foreach(json_object_get(lines, "coordinates"), l, line) {
        size_t n = json_array_size(line);
        bool closed = n > 2 && json_equal(json_array_get(line, 0), json_array_get(line, n - 1));
        add_positions(&c, line, closed ? n - 1 : n);
    }
    finish_centre(&c, lat, lon);
}

double polygon_ring_area2(json_t *ring)
{
    double a = 0;
    size_t n = json_array_size(ring);

    for (size_t i = 0; i + 1 < n; i++) {
        json_t *p = json_array_get(ring, i), *q = json_array_get(ring, i + 1);
        a += json_number_value(json_array_get(p, 0)) * json_number_value(json_array_get(q, 1))
             - json_number_value(json_array_get(q, 0)) * json_number_value(json_array_get(p, 1));
    }
    return a;
}
