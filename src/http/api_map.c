/*
 * api_map.c: map layers as GeoJSON (RFC 7946) by bounding box and
 * filters, and a site with its pinpoints and corroboration.
 */
#include "http.h"
#include "../core/access.h"
#include "../core/geo.h"
#include "../core/layer.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The GeoJSON is written as text as the records come, without building
 * a tree of every feature and dumping it after: each value is written by
 * jansson with the flags of every other reply, so the bytes are those of
 * the whole tree dumped at once. */
#define MAP_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY)

struct features {
    struct buf text;    /* the reply so far */
    size_t count;
    json_t *shown;      /* the version documents shown, for the read log */
};

static int put_text(const char *data, size_t len, void *arg)
{
    buf_append(arg, data, len);
    return 0;
}

/* Writes "key":value, value null when absent. */
static void put_member(struct buf *b, const char *key, json_t *value, bool first)
{
    buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
    if (value == NULL)
        buf_puts(b, "null");
    else
        json_dump_callback(value, put_text, b, MAP_JSON_FLAGS);
}

static int feature(void *arg, json_t *doc)
{
    struct features *out = arg;
    struct buf *b = &out->text;
    json_t *data = json_object_get(doc, "data"), *label = NULL;
    json_t *id = json_object_get(doc, "id"), *type = json_object_get(doc, "type");
    json_t *clearance = json_object_get(doc, "clearance");
    json_t *lon = json_object_get(data, "lon"), *lat = json_object_get(data, "lat");
    static const char *const label_fields[] = { "name", "title", "description" };
    static const char *const fields[] = { "site_type", "confidence", "date", "uncertainty_m", "province" };
    static const struct { const char *field, *property; } shapes[] = {
        { "geometry", "outline" }, { "lines", "lines" } };

    /* A record without these has no feature (as when it was packed). */
    if (id == NULL || type == NULL || clearance == NULL || lon == NULL || lat == NULL)
        return AT_OK;
    for (size_t i = 0; i < ARRAY_LEN(label_fields) && label == NULL; i++)
        if (json_is_string(json_object_get(data, label_fields[i])))
            label = json_object_get(data, label_fields[i]);
    if (strcmp(json_string_value(clearance) ?: "", "confidential") == 0)
        json_array_append(out->shown, doc);
    if (out->count++ > 0)
        buf_putc(b, ',');
    buf_puts(b, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    json_dump_callback(lon, put_text, b, MAP_JSON_FLAGS);
    buf_putc(b, ',');
    json_dump_callback(lat, put_text, b, MAP_JSON_FLAGS);
    buf_puts(b, "]},\"properties\":{");
    put_member(b, "id", id, true);
    put_member(b, "type", type, false);
    put_member(b, "clearance", clearance, false);
    put_member(b, "label", label, false);
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        put_member(b, fields[i], json_object_get(data, fields[i]), false);
    /* What the map draws beyond the point, only when there is some: a
     * site's outline and line features (GeoJSON, as validated when
     * written), the interview a pinpoint was placed in (the clusters
     * count accounts by it). */
    for (size_t i = 0; i < ARRAY_LEN(shapes); i++) {
        const char *text = json_string_value(json_object_get(data, shapes[i].field));
        json_t *g = text ? json_loads(text, 0, NULL) : NULL;
        if (g)
            put_member(b, shapes[i].property, g, false);
        json_decref(g);
    }
    if (json_is_string(json_object_get(data, "interview")))
        put_member(b, "interview", json_object_get(data, "interview"), false);
    buf_puts(b, "}}");
    return AT_OK;
}

static int feature_text(void *arg, const char *text, size_t len)
{
    json_t *doc = json_loadb(text, len, 0, NULL);
    int rc;

    if (doc == NULL)
        return AT_ECORRUPT;
    rc = feature(arg, doc);
    json_decref(doc);
    return rc;
}

/* An answer without zoom holds at most this many features; past it the
 * request is refused, never cut short. */
#define MAP_FEATURES_MAX 50000
/* With zoom, every record is a feature up to max_features (default,
 * most); past it the records are counted in the cells of a grid. */
#define MAP_CLUSTER_DEFAULT 500
#define MAP_CLUSTER_MOST 5000

/* Writes n in decimal. */
static void put_long(struct buf *b, long n)
{
    char digits[24], *p = digits + sizeof digits;
    unsigned long u = n < 0 ? -(unsigned long)n : (unsigned long)n;

    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (n < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(digits + sizeof digits - p));
}

/* Writes degrees to seven decimals (a centimetre), the precision the
 * counts keep their coordinates in, without trailing zeros.  Written
 * here rather than by printf: a country's clusters are some 800 numbers,
 * which printf's "%.15g" made two thirds of the cost of the answer. */
static void put_degrees(struct buf *b, double degrees)
{
    long e7 = lround(degrees * 1e7);
    unsigned long u = e7 < 0 ? -(unsigned long)e7 : (unsigned long)e7;
    char frac[8];
    int len = 7;

    if (e7 < 0)
        buf_putc(b, '-');
    put_long(b, (long)(u / 10000000));
    for (int i = 6; i >= 0; i--, u /= 10)
        frac[i] = (char)('0' + u % 10);
    while (len > 0 && frac[len - 1] == '0')
        len--;
    if (len > 0) {
        buf_putc(b, '.');
        buf_append(b, frac, (size_t)len);
    }
}

/* Writes "key":[west,south,east,north]. */
static void put_box(struct buf *b, const char *key, double south, double west, double north,
                    double east)
{
    const double corners[4] = { west, south, east, north };

    buf_printf(b, ",\"%s\":[", key);
    for (int i = 0; i < 4; i++) {
        if (i)
            buf_putc(b, ',');
        put_degrees(b, corners[i]);
    }
    buf_putc(b, ']');
}

/* Writes the cells of g holding two records or more as clusters. */
static void put_clusters(struct buf *b, const struct layer_grid *g)
{
    size_t ncells = (size_t)(g->rows * g->cols);
    bool first = true;

    buf_puts(b, "\"clusters\":[");
    for (size_t i = 0; i < ncells; i++) {
        const struct layer_cell *c = &g->cells[i];
        double south, west, north, east;
        if (c->count < 2)
            continue;
        buf_puts(b, first ? "{\"lat\":" : ",{\"lat\":");
        first = false;
        put_degrees(b, c->lat_sum / (double)c->count);
        buf_puts(b, ",\"lon\":");
        put_degrees(b, c->lon_sum / (double)c->count);
        buf_puts(b, ",\"count\":");
        put_long(b, c->count);
        put_box(b, "bbox", c->south, c->west, c->north, c->east);
        layer_grid_cell_box(g, i, &south, &west, &north, &east);
        put_box(b, "cell", south, west, north, east);
        buf_puts(b, ",\"types\":{");
        for (size_t k = 0, n = 0; k < LAYER_NTYPES; k++)
            if (c->types[k]) {
                buf_puts(b, n++ ? ",\"" : "\"");
                buf_puts(b, LAYER_TYPES[k]);
                buf_puts(b, "\":");
                put_long(b, c->types[k]);
            }
        buf_puts(b, "}}");
    }
    buf_puts(b, "],");
}

/* The features of the layers asked for (layer NULL: all of them). */
static int put_layers(struct request *r, struct record_filter *f, const char *layer,
                      struct features *out)
{
    int rc = AT_OK;

    for (size_t i = 0; i < LAYER_NTYPES && rc == AT_OK; i++) {
        if (layer && strcmp(layer, LAYER_TYPES[i]) != 0)
            continue;
        f->type = LAYER_TYPES[i];
        rc = f->has_bbox ? layer_list(&r->ctx, r->st, f, feature_text, out)
                         : record_list(&r->ctx, r->st, f, feature, out);
    }
    return rc;
}

/* With zoom: the records counted in the grid's cells; every record a
 * feature when there are few enough, else the cells of two or more as
 * clusters and the records alone in theirs as features. */
static int put_grid(struct request *r, struct record_filter *f, const char *layer, int zoom,
                    long most, struct features *out)
{
    struct layer_grid g;
    int rc = layer_grid_init(&r->ctx, &g, f, zoom);

    f->type = layer; /* NULL: every layer, in one pass */
    if (rc == AT_OK)
        rc = layer_grid_count(&r->ctx, r->st, f, &g);
    if (rc == AT_OK) {
        bool clustered = g.total > most;
        buf_printf(&out->text, ",\"zoom\":%d,\"total\":%ld,\"clustered\":%s,", zoom, g.total,
                   clustered ? "true" : "false");
        if (clustered)
            put_clusters(&out->text, &g);
        else
            buf_puts(&out->text, "\"clusters\":[],");
        buf_puts(&out->text, "\"features\":[");
        rc = clustered ? layer_grid_singles(&r->ctx, r->st, &g, feature_text, out)
                       : put_layers(r, f, layer, out);
    }
    layer_grid_free(&g);
    return rc;
}

/* The reply cache.  A map answer depends on its query, the reader's
 * clearance and role, and the current records, whose generation grows
 * with every write (layer_generation): so an answer is kept under that
 * key and sent again as it is (headers made, bytes in place) while the
 * archive is unchanged, with an ETag naming the key, so that a browser
 * asking with If-None-Match gets 304.  Each server thread keeps its own
 * last MAP_CACHE answers (as the tile replies, api_basemap.c), with the
 * confidential records each showed: those are logged as read at every
 * answer, from the cache or not.  An answer whose generation has passed
 * is never asked for again and ages out. */
#define MAP_CACHE 32
#define MAP_CACHE_BYTES (4 * 1024 * 1024) /* a larger answer is not kept */
/* Behind a login: the browser may keep an answer and must ask again. */
#define MAP_CACHE_CONTROL "private, no-cache"

struct map_cached {
    char *key;
    struct http_bytes *body;          /* the answer's bytes, counted */
    json_t *shown;                    /* the confidential documents it shows */
};

struct map_cache {
    struct map_cached e[MAP_CACHE];
    size_t next;                      /* the slot to fill next, oldest first */
    struct map_cache *others;         /* every thread's, for api_map_cache_free */
};

static _Thread_local struct map_cache *mine;
static struct map_cache *caches;
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;

static struct map_cache *map_cache(void)
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

static void cached_free(struct map_cached *c)
{
    free(c->key);
    if (c->body)
        http_bytes_release(c->body);
    json_decref(c->shown);
    memset(c, 0, sizeof *c);
}

void api_map_cache_free(void)
{
    pthread_mutex_lock(&caches_lock);
    while (caches) {
        struct map_cache *c = caches;
        for (size_t i = 0; i < MAP_CACHE; i++)
            cached_free(&c->e[i]);
        caches = c->others;
        free(c);
    }
    pthread_mutex_unlock(&caches_lock);
}

static struct map_cached *map_cache_find(const char *key)
{
    struct map_cache *c = map_cache();

    for (size_t i = 0; i < MAP_CACHE; i++)
        if (c->e[i].key && strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

/* Keeps an answer, with its key and the documents it shows, in the
 * oldest slot; the slot holds a reference of its own to the bytes. */
static void map_cache_keep(char *key, json_t *shown, struct http_bytes *body)
{
    struct map_cache *c = map_cache();

    cached_free(&c->e[c->next]);
    c->e[c->next].key = key;
    c->e[c->next].shown = json_incref(shown);
    http_bytes_ref(body);
    c->e[c->next].body = body;
    c->next = (c->next + 1) % MAP_CACHE;
}

static enum MHD_Result key_arg(void *arg, enum MHD_ValueKind kind, const char *name,
                               const char *value)
{
    (void)kind;
    /* Each part with its length: no separator can be forged. */
    buf_printf(arg, "%zu:%s%zu:%s", strlen(name), name, value ? strlen(value) : 0, value ?: "");
    return MHD_YES;
}

/* The key of an answer: the generation, the reader's clearance and role,
 * the route's layer and every argument as given. */
static void map_cache_key(struct request *r, const char *layer, int64_t generation,
                          struct buf *key)
{
    const struct session *s = store_session(r->st);

    buf_printf(key, "%lld %d %s %s ", (long long)generation, access_session_clearance(s),
               s ? access_role_name(s->role) : "-", layer ?: "*");
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, key_arg, key);
}

/* The key's ETag: a 64-bit FNV-1a hash of it, quoted. */
static void map_etag(const struct buf *key, char etag[32])
{
    uint64_t h = 0xcbf29ce484222325u;

    for (size_t i = 0; i < key->len; i++)
        h = (h ^ (unsigned char)key->data[i]) * 0x100000001b3u;
    snprintf(etag, 32, "\"m%016llx\"", (unsigned long long)h);
}

/* Answers from the cache when it holds the answer of key: true when it
 * did (r->status says how). */
static bool map_from_cache(struct request *r, const struct buf *key)
{
    struct map_cached *hit = r->set_cookie[0] ? NULL : map_cache_find(buf_str(key));
    const char *match;
    int rc;

    if (hit == NULL)
        return false;
    /* Confidential records shown are logged as read at every answer. */
    if ((rc = record_log_reads(&r->ctx, r->st, hit->shown)) != AT_OK) {
        http_core_error(r, rc);
        return true;
    }
    map_etag(key, r->etag);
    r->cache_control = MAP_CACHE_CONTROL;
    match = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    if (match && strcmp(match, r->etag) == 0) {
        r->raw = "";
        r->raw_len = 0;
        r->status = 304;
        return true;
    }
    r->status = 200;
    http_bytes_ref(hit->body);
    http_reply_bytes(r, hit->body);
    return true;
}

/* GET /api/v1/map?bbox=west,south,east,north&layer=site|pinpoint|event
 *   &site_type=&confidence=&province=&from=&to=&zoom=&max_features=;
 *   layer NULL for all.  docs/api.md describes the answer. */
static int map_answer(struct request *r, const char *layer, struct buf *key);

static int map_reply(struct request *r, const char *layer)
{
    struct buf key = BUF_INIT;
    int64_t generation;
    int rc;

    if ((rc = layer_generation(&r->ctx, r->st, &generation)) != AT_OK)
        return http_core_error(r, rc);
    map_cache_key(r, layer, generation, &key);
    if (map_from_cache(r, &key)) {
        buf_free(&key);
        return (int)r->status;
    }
    rc = map_answer(r, layer, &key);
    buf_free(&key);
    return rc;
}

/* Computes the answer of map_reply, and keeps it under key. */
static int map_answer(struct request *r, const char *layer, struct buf *key)
{
    struct record_filter f = RECORD_FILTER_INIT;
    const char *bbox = http_arg(r, "bbox");
    struct features out = { BUF_INIT, 0, json_array() };
    long zoom, most;
    int rc = AT_OK;

    if (api_records_filter(r, &f) != 0
        || http_arg_long(r, "zoom", 0, LAYER_ZOOM_MAX, -1, &zoom) != 0
        || http_arg_long(r, "max_features", 1, MAP_CLUSTER_MOST, MAP_CLUSTER_DEFAULT, &most) != 0) {
        json_decref(out.shown);
        return (int)r->status;
    }
    if (bbox) {
        struct geo_bbox box;
        if (geo_parse_bbox(&r->ctx, bbox, &box) != AT_OK) {
            json_decref(out.shown);
            return http_error(r, 400, "invalid", "bbox", "bbox: %s", r->ctx.message);
        }
        f.west = box.west, f.south = box.south, f.east = box.east, f.north = box.north;
        f.has_bbox = true;
    } else if (zoom >= 0) {
        json_decref(out.shown);
        return http_error(r, 400, "invalid", "bbox", "bbox: required with zoom "
                          "(west,south,east,north in degrees: the box the map shows)");
    }
    /* The map's field filters are those the counts are kept by: any
     * combination of them is counted as exactly as it is listed. */
    for (size_t i = 0, n = 0; i < LAYER_NFIELDS && n < RECORD_FILTER_FIELDS; i++)
        if (http_arg(r, LAYER_FIELDS[i])) {
            f.fields[n].name = LAYER_FIELDS[i];
            f.fields[n++].value = http_arg(r, LAYER_FIELDS[i]);
        }
    /* One past the most, to know when there are too many. */
    f.limit = zoom >= 0 ? 0 : MAP_FEATURES_MAX + 1;
    buf_puts(&out.text, "{\"type\":\"FeatureCollection\"");
    if (zoom >= 0) {
        rc = put_grid(r, &f, layer, (int)zoom, most, &out);
    } else {
        buf_puts(&out.text, ",\"features\":[");
        rc = put_layers(r, &f, layer, &out);
    }
    if (rc == AT_ECORRUPT && r->ctx.message[0] == '\0')
        ctx_error(&r->ctx, AT_ECORRUPT, "a current record is not JSON");
    if (rc == AT_OK && zoom < 0 && out.count > MAP_FEATURES_MAX) {
        json_decref(out.shown);
        buf_free(&out.text);
        return http_error(r, 400, "invalid", "zoom", "zoom: more than %d features in this box; "
                          "give zoom (0 to %d) for clusters, or a smaller bbox",
                          MAP_FEATURES_MAX, LAYER_ZOOM_MAX);
    }
    /* Confidential records shown on the map are logged as read. */
    if (rc == AT_OK)
        rc = record_log_reads(&r->ctx, r->st, out.shown);
    if (rc != AT_OK) {
        json_decref(out.shown);
        buf_free(&out.text);
        return rc == AT_EINVAL ? http_error(r, 400, "invalid", "zoom", "%s", r->ctx.message)
                               : http_core_error(r, rc);
    }
    map_etag(key, r->etag);
    r->cache_control = MAP_CACHE_CONTROL;
    r->status = 200;
    buf_puts(&out.text, "]}");
    size_t len = out.text.len;
    struct http_bytes *body = http_bytes_new(buf_detach(&out.text), len,
                                             "application/json; charset=utf-8");
    /* An answer that also logs the reader in is not kept. */
    if (r->set_cookie[0] == '\0' && len <= MAP_CACHE_BYTES)
        map_cache_keep(buf_detach(key), out.shown, body);
    json_decref(out.shown);
    return http_reply_bytes(r, body);
}

int api_map(struct request *r)
{
    return map_reply(r, http_arg(r, "layer"));
}

/* GET /api/v1/sites?bbox=...: the site layer, as /map?layer=site. */
int api_sites_list(struct request *r)
{
    return map_reply(r, "site");
}

/* Distance in metres on a sphere of the Earth's mean radius: enough to
 * say how far apart witnesses placed one site. */
static double spread_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
    double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

    return 2 * 6371008.8 * asin(fmin(1, sqrt(a)));
}

int api_sites_get(struct request *r)
{
    const struct vocab *basis = vocab_find("basis_of_knowledge");
    json_t *site, *refs, *ref, *pinpoints = json_array(), *events = json_array(), *witnesses = json_object();
    double lat, lon, spread = 0;
    int strongest = -1, rc;
    size_t i;

    if ((rc = record_read(&r->ctx, r->st, r->params[0], 0, &site)) != AT_OK
        || (rc = record_referrers(&r->ctx, r->st, r->params[0], &refs)) != AT_OK) {
        json_decref(pinpoints);
        json_decref(events);
        json_decref(witnesses);
        return http_core_error(r, rc);
    }
    lat = json_number_value(json_object_get(json_object_get(site, "data"), "lat"));
    lon = json_number_value(json_object_get(json_object_get(site, "data"), "lon"));
    json_array_foreach(refs, i, ref) {
        const char *id = json_string_value(json_object_get(ref, "id"));
        json_t *doc = record_visible(r->st, id), *data;
        if (doc == NULL)
            continue;
        data = json_object_get(doc, "data");
        if (strcmp(json_string_value(json_object_get(doc, "type")), "pinpoint") == 0) {
            const char *iv = json_string_value(json_object_get(data, "interview"));
            const char *b = json_string_value(json_object_get(data, "basis"));
            json_t *ivdoc = record_visible(r->st, iv);
            /* A witness counts only through an interview the reader may see. */
            if (ivdoc) {
                json_object_set(witnesses, json_string_value(json_object_get(
                                               json_object_get(ivdoc, "data"), "witness")), json_true());
                json_decref(ivdoc);
            }
            if (b && (strongest < 0 || vocab_index(basis, b) < strongest))
                strongest = vocab_index(basis, b);
            double d = spread_m(lat, lon, json_number_value(json_object_get(data, "lat")),
                                json_number_value(json_object_get(data, "lon")));
            spread = fmax(spread, d);
            json_array_append(pinpoints, doc);
        } else if (strcmp(json_string_value(json_object_get(doc, "type")), "relation") == 0
                   && strcmp(json_string_value(json_object_get(data, "kind")) ?: "", "occurred_at") == 0) {
            json_array_append(events, json_object_get(data, "from"));
        }
        json_decref(doc);
    }
    json_decref(refs);
    json_object_set_new(site, "pinpoints", pinpoints);
    json_object_set_new(site, "events", events);
    json_object_set_new(site, "corroboration",
                        json_pack("{s:I, s:s?, s:f}", "witnesses", (json_int_t)json_object_size(witnesses),
                                  "strongest_basis", strongest >= 0 ? basis->terms[strongest].code : NULL,
                                  "spread_m", round(spread)));
    json_decref(witnesses);
    return http_json(r, 200, site);
}
