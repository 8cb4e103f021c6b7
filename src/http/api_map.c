/*
 * api_map.c: map layers as GeoJSON (RFC 7946) by bounding box and
 * filters, and a site with its pinpoints and corroboration.
 */
#include "http.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct features {
    json_t *features;
    json_t *shown;      /* the version documents shown, for the read log */
};

static int feature(void *arg, json_t *doc)
{
    struct features *out = arg;
    json_t *data = json_object_get(doc, "data"), *props;
    const char *label = json_string_value(json_object_get(data, "name"));

    if (label == NULL)
        label = json_string_value(json_object_get(data, "title"));
    if (label == NULL)
        label = json_string_value(json_object_get(data, "description"));
    props = json_pack("{s:O, s:O, s:O, s:s?, s:O?, s:O?, s:O?, s:O?, s:O?}",
                      "id", json_object_get(doc, "id"), "type", json_object_get(doc, "type"),
                      "clearance", json_object_get(doc, "clearance"), "label", label,
                      "site_type", json_object_get(data, "site_type"),
                      "confidence", json_object_get(data, "confidence"),
                      "date", json_object_get(data, "date"),
                      "uncertainty_m", json_object_get(data, "uncertainty_m"),
                      "province", json_object_get(data, "province"));
    if (strcmp(json_string_value(json_object_get(doc, "clearance")) ?: "", "confidential") == 0)
        json_array_append(out->shown, doc);
    json_array_append_new(out->features, json_pack("{s:s, s:{s:s, s:[O, O]}, s:o}", "type", "Feature",
                                         "geometry", "type", "Point",
                                         "coordinates", json_object_get(data, "lon"),
                                         json_object_get(data, "lat"), "properties", props));
    return AT_OK;
}

/* GET /api/v1/map?bbox=west,south,east,north&layer=site|pinpoint|event
 *   &site_type=&confidence=&province=&from=&to= */
int api_map(struct request *r)
{
    static const char *const layers[] = { "site", "pinpoint", "event" };
    struct record_filter f = RECORD_FILTER_INIT;
    const char *bbox = http_arg(r, "bbox"), *layer = http_arg(r, "layer");
    json_t *features = json_array();
    struct features out = { features, json_array() };
    int rc = AT_OK;

    if (records_filter(r, &f) != 0) {
        json_decref(features);
        json_decref(out.shown);
        return (int)r->status;
    }
    f.limit = 5000;
    if (bbox) {
        if (sscanf(bbox, "%lf,%lf,%lf,%lf", &f.west, &f.south, &f.east, &f.north) != 4
            || f.south < -90 || f.north > 90 || f.south > f.north || fabs(f.west) > 180
            || fabs(f.east) > 180) {
            json_decref(features);
            json_decref(out.shown);
            return http_error(r, 400, "invalid", "bbox", "bbox is west,south,east,north in degrees");
        }
        f.has_bbox = true;
    }
    static const char *const filters[] = { "site_type", "confidence", "province" };
    for (size_t i = 0; i < ARRAY_LEN(filters); i++)
        if (http_arg(r, filters[i])) {
            f.field = filters[i];
            f.value = http_arg(r, filters[i]);
        }
    for (size_t i = 0; i < ARRAY_LEN(layers) && rc == AT_OK; i++) {
        if (layer && strcmp(layer, layers[i]) != 0)
            continue;
        f.type = layers[i];
        rc = record_list(&r->ctx, r->st, &f, feature, &out);
    }
    /* Confidential records shown on the map are logged as read. */
    if (rc == AT_OK)
        rc = record_log_reads(&r->ctx, r->st, out.shown);
    json_decref(out.shown);
    if (rc != AT_OK) {
        json_decref(features);
        return http_core_error(r, rc);
    }
    return http_json(r, 200, json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features));
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
        json_t *doc, *data;
        if (record_get(&r->ctx, r->st, id, 0, &doc) != AT_OK)
            continue;
        data = json_object_get(doc, "data");
        int clearance = 0;
        clearance_parse(&r->ctx, json_string_value(json_object_get(doc, "clearance")), &clearance);
        if (clearance > r->keys.clearance || json_is_true(json_object_get(doc, "retracted"))) {
            json_decref(doc);
            continue;
        }
        if (strcmp(json_string_value(json_object_get(doc, "type")), "pinpoint") == 0) {
            const char *iv = json_string_value(json_object_get(data, "interview"));
            const char *b = json_string_value(json_object_get(data, "basis"));
            json_t *ivdoc;
            if (iv && record_get(&r->ctx, r->st, iv, 0, &ivdoc) == AT_OK) {
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
