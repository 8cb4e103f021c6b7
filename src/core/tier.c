/*
 * tier.c: tier policy.  See tier.h.
 */
#include "attest.h"
#include "tier.h"
#include "access.h"
#include "gazetteer.h"
#include "model.h"
#include "record.h"
#include "vocab.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    const char *consent_use; /* what a witness must have agreed to */
    int max_clearance;
} tiers[] = {
    [TIER_COURT] = { "court", "court", CLEARANCE_CONFIDENTIAL },
    [TIER_PARTNER] = { "partner", "share_partner", CLEARANCE_PARTNER },
    [TIER_PUBLIC] = { "public", "publication", CLEARANCE_PUBLIC },
};

int tier_parse(struct at_ctx *ctx, const char *name, enum tier *out)
{
    for (size_t i = 0; i < ARRAY_LEN(tiers); i++) {
        if (strcmp(tiers[i].name, name) == 0) {
            *out = (enum tier)i;
            return AT_OK;
        }
    }
    return ctx_error(ctx, AT_EINVAL, "unknown tier \"%s\"; valid: court, partner, public", name);
}

const char *tier_name(enum tier t)
{
    return tiers[t].name;
}

void tier_coarsen(double lat, double lon, double *clat, double *clon)
{
    double step_lat = TIER_PUBLIC_GRID_KM / 111.32;
    double row = floor(lat / step_lat);
    double centre_lat = (row + 0.5) * step_lat;
    double step_lon = step_lat / fmax(cos(centre_lat * M_PI / 180.0), 0.01);

    *clat = fmin(fmax(centre_lat, -90.0), 90.0);
    *clon = (floor(lon / step_lon) + 0.5) * step_lon;
    if (*clon > 180.0)
        *clon -= 360.0;
}

const char *tier_public_point(const char *county, double lat, double lon, double *clat,
                              double *clon)
{
    const struct gazetteer_place *c = gazetteer_county_of(county, lat, lon);

    if (c == NULL) {
        tier_coarsen(lat, lon, clat, clon);
        return NULL;
    }
    *clat = c->lat;
    *clon = c->lon;
    return c->name;
}

/* The witnesses a record speaks for: itself, an interview's witness, the
 * witness of the interview it came from or was placed in. */
static int witness_consents(struct at_ctx *ctx, struct store *st, json_t *doc, const char *use,
                            bool *ok)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    json_t *data = json_object_get(doc, "data");
    const char *interviews[2] = { json_string_value(json_object_get(doc, "source")),
                                  json_string_value(json_object_get(data, "interview")) };
    int rc = AT_OK;

    *ok = true;
    if (strcmp(type, "witness") == 0) {
        *ok = model_consent_allows(data, use);
        return AT_OK;
    }
    if (strcmp(type, "interview") == 0)
        interviews[0] = json_string_value(json_object_get(doc, "id"));
    for (int i = 0; i < 2 && *ok && rc == AT_OK; i++) {
        json_t *iv = NULL, *w = NULL;
        const struct type_spec *t = model_type_of_id(interviews[i]);
        if (t == NULL || strcmp(t->name, "interview") != 0)
            continue;
        if ((rc = record_get(ctx, st, interviews[i], 0, &iv)) == AT_OK
            && (rc = record_get(ctx, st, json_string_value(json_object_get(
                                    json_object_get(iv, "data"), "witness")) ?: "", 0, &w)) == AT_OK)
            *ok = model_consent_allows(json_object_get(w, "data"), use);
        json_decref(iv);
        json_decref(w);
    }
    return rc;
}

int tier_apply(struct at_ctx *ctx, struct store *st, enum tier t, json_t *doc, json_t **out,
               bool *redacted)
{
    const struct session *s = store_session(st);
    const char *type = json_string_value(json_object_get(doc, "type"));
    json_t *data = json_object_get(doc, "data");
    int clearance = CLEARANCE_CONFIDENTIAL, rc;
    bool consents;

    *out = NULL;
    *redacted = false;
    if ((rc = vocab_clearance_parse(ctx, json_string_value(json_object_get(doc, "clearance")) ?: "",
                                    &clearance)) != AT_OK)
        return rc;
    if (clearance > tiers[t].max_clearance || access_check(ctx, s, ACTION_READ, clearance) != AT_OK
        || json_is_true(json_object_get(doc, "retracted")))
        return AT_OK;
    if (t == TIER_PUBLIC && (strcmp(type, "witness") == 0 || strcmp(type, "interview") == 0))
        return AT_OK;
    if (strcmp(type, "site") == 0) {
        const char *site_tier = json_string_value(json_object_get(data, "tier"));
        enum tier widest = TIER_COURT;
        if (site_tier)
            tier_parse(ctx, site_tier, &widest);
        if (widest < t)
            return AT_OK;
    }
    if ((rc = witness_consents(ctx, st, doc, tiers[t].consent_use, &consents)) != AT_OK)
        return rc;
    if (!consents)
        return AT_OK;
    if (t == TIER_PUBLIC && json_object_get(data, "lat")) {
        double lat, lon;
        *out = json_deep_copy(doc);
        data = json_object_get(*out, "data");
        const char *county = tier_public_point(
            json_string_value(json_object_get(data, "county")),
            json_number_value(json_object_get(data, "lat")),
            json_number_value(json_object_get(data, "lon")), &lat, &lon);
        if (county && strcmp(type, "site") == 0 && !json_object_get(data, "county"))
            json_object_set_new(data, "county", json_string(county));
        json_object_set_new(data, "lat", json_real(round(lat * 1e4) / 1e4));
        json_object_set_new(data, "lon", json_real(round(lon * 1e4) / 1e4));
        json_object_del(data, "uncertainty_m");
        json_object_del(data, "geometry");
        json_object_del(data, "lines");
        json_object_del(data, "interview");
        /* where it came from in a team's files: their folders' names */
        json_object_del(data, "placemark");
        json_object_del(data, "placement_group");
        *redacted = true;
        return AT_OK;
    }
    *out = json_incref(doc);
    return AT_OK;
}
