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

static const struct {
    const char *code, *text, *fix;
} reasons[] = {
    [TIER_LET_OUT] = { "let_out", "let out", "" },
    [TIER_RETRACTED] = { "retracted", "retracted", "none: a retracted record never goes out" },
    [TIER_CLEARANCE] = { "clearance", "its clearance is above the tier's",
                         "lower its clearance (attest amend ID --clearance LEVEL --reason ..) if it may go out" },
    [TIER_READER] = { "reader_clearance", "above your own clearance",
                      "ask someone cleared for it to export" },
    [TIER_WITNESS_ONLY] = { "not_for_publication", "witnesses and interviews are not for publication",
                            "none: only what they place goes out, coarsened" },
    [TIER_SITE_TIER] = { "site_tier", "the site's publication tier is narrower",
                         "widen the site's tier (attest amend ID --tier partner|public --reason ..)" },
    [TIER_CONSENT] = { "no_consent", "the witness has not consented to this use", NULL },
    [TIER_NO_POINT] = { "no_point", "it has no coordinates", "add its place (attest amend ID --lat .. --lon .. --reason ..)" },
};

const char *tier_reason_code(enum tier_reason r)
{
    return reasons[r].code;
}

const char *tier_reason_text(enum tier_reason r)
{
    return reasons[r].text;
}

const char *tier_reason_fix(enum tier_reason r, enum tier t)
{
    static const char *const consent_fix[] = {
        [TIER_COURT] = "record the witness's consent: attest witness consent WITNESS --use court --granted DATE",
        [TIER_PARTNER] = "record the witness's consent: attest witness consent WITNESS --use share_partner --granted DATE",
        [TIER_PUBLIC] = "record the witness's consent: attest witness consent WITNESS --use publication --granted DATE",
    };
    return r == TIER_CONSENT ? consent_fix[t] : reasons[r].fix;
}

/* Free text that the public tier takes out of a placed record unless its
 * "publishable" field names it: a name is replaced by the record's type,
 * a description dropped. */
static void public_free_text(json_t *data, const char *type, json_t **removed)
{
    static const char *const fields[] = { "name", "description" };
    const char *publishable = json_string_value(json_object_get(data, "publishable")) ?: "";

    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        size_t len = strlen(fields[i]);
        const char *p = publishable;
        bool named = false;
        while (!named && (p = strstr(p, fields[i])) != NULL) {
            named = (p == publishable || p[-1] == ' ' || p[-1] == ',')
                    && (p[len] == '\0' || p[len] == ' ' || p[len] == ',');
            p += len;
        }
        if (named || !json_object_get(data, fields[i]))
            continue;
        if (*removed == NULL)
            *removed = json_array();
        json_array_append_new(*removed, json_string(fields[i]));
        json_object_del(data, fields[i]);
    }
    if (*removed && !json_object_get(data, "name") && strcmp(type, "site") == 0) {
        const struct vocab *v = vocab_find("site_type");
        const char *code = json_string_value(json_object_get(data, "site_type"));
        int k = code ? vocab_index(v, code) : -1;
        json_object_set_new(data, "name", json_string(k >= 0 ? v->terms[k].label : "Site"));
    }
    json_object_del(data, "publishable");
}

int tier_apply(struct at_ctx *ctx, struct store *st, enum tier t, json_t *doc, json_t **out,
               bool *redacted)
{
    struct tier_note note;
    int rc = tier_apply_noted(ctx, st, t, doc, out, &note);

    *redacted = note.redacted;
    json_decref(note.removed);
    return rc;
}

int tier_apply_noted(struct at_ctx *ctx, struct store *st, enum tier t, json_t *doc, json_t **out,
                     struct tier_note *note)
{
    const struct session *s = store_session(st);
    const char *type = json_string_value(json_object_get(doc, "type"));
    json_t *data = json_object_get(doc, "data");
    int clearance = CLEARANCE_CONFIDENTIAL, rc;
    bool consents;

    *out = NULL;
    *note = (struct tier_note){ false, TIER_LET_OUT, NULL };
    if ((rc = vocab_clearance_parse(ctx, json_string_value(json_object_get(doc, "clearance")) ?: "",
                                    &clearance)) != AT_OK)
        return rc;
    if (json_is_true(json_object_get(doc, "retracted"))) {
        note->reason = TIER_RETRACTED;
        return AT_OK;
    }
    if (clearance > tiers[t].max_clearance) {
        note->reason = TIER_CLEARANCE;
        return AT_OK;
    }
    if (access_check(ctx, s, ACTION_READ, clearance) != AT_OK) {
        note->reason = TIER_READER;
        return AT_OK;
    }
    if (t == TIER_PUBLIC && (strcmp(type, "witness") == 0 || strcmp(type, "interview") == 0)) {
        note->reason = TIER_WITNESS_ONLY;
        return AT_OK;
    }
    if (strcmp(type, "site") == 0) {
        const char *site_tier = json_string_value(json_object_get(data, "tier"));
        enum tier widest = TIER_COURT;
        if (site_tier)
            tier_parse(ctx, site_tier, &widest);
        if (widest < t) {
            note->reason = TIER_SITE_TIER;
            return AT_OK;
        }
    }
    if ((rc = witness_consents(ctx, st, doc, tiers[t].consent_use, &consents)) != AT_OK)
        return rc;
    if (!consents) {
        note->reason = TIER_CONSENT;
        return AT_OK;
    }
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
        public_free_text(data, type, &note->removed);
        note->redacted = true;
        return AT_OK;
    }
    *out = json_incref(doc);
    return AT_OK;
}
