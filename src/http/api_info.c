/*
 * api_info.c: search, vocabularies, the record types (for forms) and the
 * gazetteer's places by any spelling (the maps' "go to place" box), in
 * a box (the maps' place names) or inside a range ring (the map's ring
 * tool).
 */
#include "http.h"
#include "../core/gazetteer.h"
#include "../core/geo.h"
#include "../core/model.h"
#include "../core/number.h"
#include "../core/record.h"
#include "../core/search.h"
#include "../core/vocab.h"

#include <stdlib.h>
#include <string.h>

static int search_hit(void *arg, json_t *doc, const char *snippet, const char *why)
{
    json_t *hit = json_pack("{s:O, s:s}", "record", doc, "snippet", snippet);

    if (why)
        json_object_set_new(hit, "why", json_string(why));
    json_array_append_new(arg, hit);
    return AT_OK;
}

int api_search(struct request *r)
{
    const char *q = http_arg(r, "q");
    struct search_options o = { http_arg(r, "type"), r->keys.clearance, false, 0, "\x02", "\x03" };
    json_t *hits, *docs, *hit;
    long offers;
    size_t i;
    int rc;

    if (q == NULL || *q == '\0')
        return http_error(r, 400, "invalid", "q", "give the words to search for in ?q=");
    if (http_arg_long(r, "limit", 1, HTTP_MAX_LIMIT, 50, &o.limit) != 0
        || http_arg_long(r, "offers", 0, 1, 0, &offers) != 0)
        return (int)r->status;
    if (offers) {   /* a record picker's: titles only, logged as offered (search.h) */
        if ((rc = search_offers(&r->ctx, r->st, q, &o, &hits)) != AT_OK
            || (rc = record_log_offers(&r->ctx, r->st, hits)) != AT_OK) {
            json_decref(hits);
            return http_core_error(r, rc);
        }
        return http_json(r, 200, json_pack("{s:o}", "offers", hits));
    }
    hits = json_array();
    docs = json_array();
    /* Hits are marked with the control characters STX/ETX, which cannot be
     * in stored text, so the browser can mark them safely. */
    rc = search_query(&r->ctx, r->st, q, &o, search_hit, hits);
    json_array_foreach(hits, i, hit)
        json_array_append(docs, json_object_get(hit, "record"));
    if (rc == AT_OK)
        rc = record_log_reads(&r->ctx, r->st, docs);
    json_decref(docs);
    if (rc != AT_OK) {
        json_decref(hits);
        return http_core_error(r, rc);
    }
    return http_json(r, 200, json_pack("{s:o}", "hits", hits));
}

int api_vocab(struct request *r)
{
    size_t n;
    const struct vocab *all = vocab_all(&n);
    json_t *out = json_object();

    for (size_t v = 0; v < n; v++) {
        json_t *terms = json_array();
        for (size_t t = 0; t < all[v].nterms; t++)
            json_array_append_new(terms, json_pack("{s:s, s:s, s:s}", "code", all[v].terms[t].code,
                                                   "label", all[v].terms[t].label,
                                                   "label_ko", all[v].terms[t].label_ko));
        json_object_set_new(out, all[v].name, json_pack("{s:s, s:o}", "about", all[v].about,
                                                        "terms", terms));
    }
    return http_json(r, 200, out);
}

int api_types(struct request *r)
{
    static const char *const kinds[] = {
        [FIELD_TEXT] = "text", [FIELD_INT] = "int", [FIELD_REAL] = "real", [FIELD_DATE] = "date",
        [FIELD_VOCAB] = "vocab", [FIELD_REF] = "ref", [FIELD_NAMES] = "names",
        [FIELD_SHA256] = "sha256", [FIELD_IMO] = "imo", [FIELD_CONSENT] = "consent",
        [FIELD_SALES] = "sales", [FIELD_INDICATORS] = "indicators", [FIELD_COUNTRY] = "country",
        [FIELD_PLACE_ID] = "place",
    };
    /* a kind added to model.h needs its name here */
    _Static_assert(ARRAY_LEN(kinds) == FIELD_PLACE_ID + 1, "a field kind without a name");
    size_t n;
    const struct type_spec *types = model_types(&n);
    json_t *out = json_object();

    for (size_t i = 0; i < n; i++) {
        json_t *fields = json_array();
        for (size_t k = 0; k < types[i].nfields; k++) {
            const struct field_spec *f = &types[i].fields[k];
            json_t *field = json_pack("{s:s, s:s, s:b, s:s}", "name", f->name, "kind", kinds[f->kind],
                                      "required", (f->flags & FIELD_REQUIRED) != 0, "about", f->about);
            if (f->vocab)
                json_object_set_new(field, "vocab", json_string(f->vocab));
            if (f->ref_types)
                json_object_set_new(field, "ref_types", json_string(f->ref_types));
            if (f->kind == FIELD_INT || f->kind == FIELD_REAL) {
                json_object_set_new(field, "min", json_real(f->min));
                json_object_set_new(field, "max", json_real(f->max));
            }
            json_array_append_new(fields, field);
        }
        json_object_set_new(out, types[i].name, json_pack("{s:s, s:s, s:s, s:o}", "prefix",
                                                          types[i].prefix, "about", types[i].about,
                                                          "default_clearance",
                                                          vocab_clearance_name(types[i].default_clearance),
                                                          "fields", fields));
    }
    return http_json(r, 200, out);
}

/* Whether (lat, lon) lies in box (which may cross the antimeridian). */
static bool in_box(const struct geo_bbox *b, double lat, double lon)
{
    return lat >= b->south && lat <= b->north
           && (b->west <= b->east ? lon >= b->west && lon <= b->east : lon >= b->west || lon <= b->east);
}

/* GET /api/v1/places?q=NAME&limit=N: the gazetteer's places spelled like
 * q in any script or romanisation, best first, each with its id (what a
 * record's place_id holds) and point; or ?bbox=W,S,E,N: every place in
 * the box (the maps' place names). */
int api_places(struct request *r)
{
    struct gazetteer_match m[50];
    const char *q = http_arg(r, "q"), *bbox = http_arg(r, "bbox");
    struct geo_bbox box;
    json_t *all;
    long limit;
    size_t n;

    if (http_arg_long(r, "limit", 1, (long)ARRAY_LEN(m), 10, &limit) != 0)
        return (int)r->status;
    if (bbox && !q) {
        if (geo_parse_bbox(&r->ctx, bbox, &box) != AT_OK)
            return http_error(r, 400, "invalid", "bbox", "bbox: %s", r->ctx.message);
        all = json_array();
        for (size_t i = 0; i < gazetteer_nplaces; i++)
            if (gazetteer_placed(&gazetteer_places[i])
                && in_box(&box, gazetteer_places[i].lat, gazetteer_places[i].lon))
                json_array_append_new(all, gazetteer_place_json(&gazetteer_places[i], -1));
        return http_json(r, 200, json_pack("{s:o}", "places", all));
    }
    if (q == NULL || *q == '\0')
        return http_error(r, 400, "invalid", "q", "q: give a place name in any spelling "
                          "(회령, Hoeryŏng, Hoeryong, 會寧), or a bbox");
    n = gazetteer_search(q, m, (size_t)limit);
    all = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(all, gazetteer_place_json(m[i].place, -1));
    return http_json(r, 200, json_pack("{s:o}", "places", all));
}

/* One ring of a shape as GeoJSON positions [[lon, lat], ...]. */
static json_t *ring_json(const struct geo_ring *g)
{
    json_t *pts = json_array();

    for (size_t i = 0; i < g->n; i++)
        json_array_append_new(pts, json_pack("[f, f]", g->lon[i], g->lat[i]));
    return pts;
}

/* GET /api/v1/ring?lat=&lon=&km=: as `attest sites ring LAT,LON --km K`
 * and its --places, together: the geodesic circle as a GeoJSON
 * MultiPolygon, and the gazetteer's places inside it, nearest first. */
int api_ring(struct request *r)
{
    const char *names[] = { "lat", "lon", "km" };
    const double lo[] = { -90, -180, 0 }, hi[] = { 90, 180, GEO_MAX_RADIUS_M / 1000 };
    double v[3];
    struct geo_shape shape;
    struct gazetteer_match *m;
    json_t *polys, *places;
    size_t n;

    for (int i = 0; i < 3; i++) {
        const char *text = http_arg(r, names[i]);
        if (text == NULL)
            return http_error(r, 400, "invalid", names[i], "%s: required, a number from %g to %g",
                              names[i], lo[i], hi[i]);
        if (number_parse_double(&r->ctx, names[i], text, lo[i], hi[i], &v[i]) != AT_OK)
            return http_error(r, 400, "invalid", names[i], "%s", r->ctx.message);
    }
    if (geo_circle(&r->ctx, v[0], v[1], v[2] * 1000, &shape) != AT_OK)
        return http_error(r, 400, "invalid", "km", "%s", r->ctx.message);
    polys = json_array();
    for (size_t i = 0; i < shape.n; i++) {
        json_t *poly = json_array();
        json_array_append_new(poly, ring_json(&shape.polys[i].outer));
        if (shape.polys[i].hole.n)
            json_array_append_new(poly, ring_json(&shape.polys[i].hole));
        json_array_append_new(polys, poly);
    }
    m = xcalloc(gazetteer_nplaces + 1, sizeof *m);
    n = gazetteer_within(&shape, v[0], v[1], m, gazetteer_nplaces);
    places = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(places, gazetteer_place_json(m[i].place, m[i].dist_m));
    free(m);
    geo_shape_free(&shape);
    return http_json(r, 200, json_pack("{s:s, s:[{s:s, s:{s:f, s:f, s:f}, s:{s:s, s:o}}], s:o}",
        "type", "FeatureCollection", "features", "type", "Feature", "properties", "centre_lat", v[0],
        "centre_lon", v[1], "radius_km", v[2], "geometry", "type", "MultiPolygon", "coordinates",
        polys, "places", places));
}
