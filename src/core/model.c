/*
 * model.c: the record types and their fields (after the HURIDOCS Events
 * Standard Formats, with sites and pinpoints added for mapping), and the
 * validator that every way of writing a record goes through.
 *
 * A witness record holds a pseudonym and coarse facts only: identity
 * fields are never part of the open model.
 */
#include "attest.h"
#include "model.h"
#include "canonical.h"
#include "date.h"
#include "gazetteer.h"
#include "polygon.h"
#include "number.h"
#include "vocab.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

#define FIELDS(a) a, ARRAY_LEN(a)
#define MAX_TEXT_BYTES (1 << 20)

/* Ids: a type prefix, a dash and 12 characters of Crockford's base 32 in
 * lower case (60 random bits): unique across archives without any
 * coordination, and still short enough to type. */
#define ID_CHARS 12
static const char id_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

static const struct field_spec witness_fields[] = {
    { "code", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0,
      "pseudonymous code used everywhere instead of the witness's name" },
    { "sex", FIELD_VOCAB, 0, "sex", NULL, 0, 0, "sex" },
    { "birth_year", FIELD_INT, 0, NULL, NULL, 1900, 2100, "year of birth" },
    { "home_province", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "province of origin" },
    { "home_county", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "county of origin" },
    { "year_left", FIELD_INT, 0, NULL, NULL, 1945, 2100, "year the witness left North Korea" },
    { "arrived", FIELD_DATE, 0, NULL, NULL, 0, 0,
      "when the witness arrived in the country of refuge (fuzzy; a month fixes the half-year)" },
    { "notes", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes that do not identify the witness" },
    { "consent", FIELD_CONSENT, 0, "consent_use", NULL, 0, 0,
      "what the witness agreed their testimony may be used for, and any withdrawal" },
};

static const struct field_spec document_fields[] = {
    { "title", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0, "title" },
    { "publisher", FIELD_TEXT, 0, NULL, NULL, 0, 0, "publisher or author" },
    { "url", FIELD_TEXT, 0, NULL, NULL, 0, 0, "where it was found" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "date of the document" },
    { "retrieved_at", FIELD_DATE, 0, NULL, NULL, 0, 0, "when it was retrieved" },
    { "sha256", FIELD_SHA256, 0, NULL, NULL, 0, 0, "SHA-256 of the document's bytes" },
    { "language", FIELD_TEXT, 0, NULL, NULL, 0, 0, "language" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "what it says" },
    /* documents as sources (attest import document) */
    { "text", FIELD_TEXT, 0, NULL, NULL, 0, 0, "the text itself: headline and paragraphs" },
    { "format", FIELD_VOCAB, 0, "document_format", NULL, 0, 0, "the format it was imported from" },
    { "digest", FIELD_REF, 0, NULL, "document", 0, 0, "the digest this article was part of" },
    { "articles", FIELD_INT, 0, NULL, NULL, 1, 100000, "a digest: how many articles it was split into" },
};

/* A figure that a document states, for comparing reports side by side. */
static const struct field_spec claim_fields[] = {
    { "document", FIELD_REF, FIELD_REQUIRED, NULL, "document", 0, 0, "the document that states it" },
    { "span", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0,
      "where: START:END, code points of the document's text, END exclusive" },
    { "quote", FIELD_TEXT, 0, NULL, NULL, 0, 0, "the text of the span (filled in from the document)" },
    { "quantity", FIELD_REAL, FIELD_REQUIRED, NULL, NULL, -1e15, 1e15, "the figure" },
    { "unit", FIELD_VOCAB, FIELD_REQUIRED, "quantity_unit", NULL, 0, 0, "what is counted or measured" },
    { "qualifier", FIELD_VOCAB, 0, "claim_qualifier", NULL, 0, 0, "about, at least, at most, ..." },
    { "topic", FIELD_VOCAB, FIELD_REQUIRED, "claim_topic", NULL, 0, 0, "what the figure is about" },
    { "period", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "the time it is about (fuzzy)" },
    { "place", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "the place or country it is about" },
    { "note", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes" },
};

static const struct field_spec interview_fields[] = {
    { "witness", FIELD_REF, FIELD_REQUIRED, NULL, "witness", 0, 0, "the witness interviewed" },
    { "interviewer", FIELD_TEXT, 0, NULL, NULL, 0, 0, "who interviewed (staff name or code)" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when" },
    { "place", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "where the interview took place" },
    { "language", FIELD_TEXT, 0, NULL, NULL, 0, 0, "language of the interview" },
    { "summary", FIELD_TEXT, 0, NULL, NULL, 0, 0, "summary of the testimony" },
    { "group", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "label shared by interviews held together (a group interview): their witnesses "
      "count as one source" },
};

static const struct field_spec event_fields[] = {
    { "title", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0, "short title" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when (a fuzzy date)" },
    { "place", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "where, in words" },
    { "province", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "province" },
    { "county", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "county or city" },
    { "place_id", FIELD_PLACE_ID, 0, NULL, NULL, 0, 0,
      "the gazetteer's place it was placed from (the map's \"go to place\")" },
    { "lat", FIELD_REAL, FIELD_LAT, NULL, NULL, -90, 90, "latitude, WGS84 degrees" },
    { "lon", FIELD_REAL, FIELD_LON, NULL, NULL, -180, 180, "longitude, WGS84 degrees" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "what happened" },
};

static const struct field_spec act_fields[] = {
    { "event", FIELD_REF, FIELD_REQUIRED, NULL, "event", 0, 0, "the event this act is part of" },
    { "act_type", FIELD_VOCAB, FIELD_REQUIRED, "act_type", NULL, 0, 0, "what was done" },
    { "victim", FIELD_REF, 0, NULL, "person", 0, 0, "the victim, when one person" },
    { "victim_count", FIELD_INT, 0, NULL, NULL, 1, 1e7, "number of victims, when a group" },
    { "count_approximate", FIELD_INT, 0, NULL, NULL, 0, 1, "1 when victim_count is an estimate" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when, if not the event's date" },
    { "place", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "where, if not the event's place" },
    { "amount", FIELD_REAL, 0, NULL, NULL, 0, 1e12, "money involved (a sale, wages withheld)" },
    { "currency", FIELD_VOCAB, 0, "currency", NULL, 0, 0, "currency of amount" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "details" },
};

static const struct field_spec person_fields[] = {
    { "names", FIELD_NAMES, FIELD_REQUIRED, NULL, NULL, 0, 0,
      "names in any script; one --name per name" },
    { "sex", FIELD_VOCAB, 0, "sex", NULL, 0, 0, "sex" },
    { "birth_date", FIELD_DATE, 0, NULL, NULL, 0, 0, "date of birth (fuzzy)" },
    { "home_province", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "province of origin" },
    { "home_county", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "county or city of origin" },
    { "occupation", FIELD_TEXT, 0, NULL, NULL, 0, 0, "occupation or position" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes" },
};

static const struct field_spec organisation_fields[] = {
    { "names", FIELD_NAMES, FIELD_REQUIRED, NULL, NULL, 0, 0,
      "names over time, in any script" },
    { "kind", FIELD_VOCAB, 0, "organisation_kind", NULL, 0, 0, "what it is" },
    { "country", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "country" },
    { "address", FIELD_TEXT, 0, NULL, NULL, 0, 0, "addresses, several separated by \" | \"" },
    { "phone", FIELD_TEXT, 0, NULL, NULL, 0, 0, "phone numbers, separated by \" | \"" },
    { "email", FIELD_TEXT, 0, NULL, NULL, 0, 0, "e-mail addresses, separated by \" | \"" },
    { "registration", FIELD_TEXT, 0, NULL, NULL, 0, 0, "company registration numbers" },
    { "imo", FIELD_TEXT, 0, NULL, NULL, 0, 0, "IMO company number of a ship owner or manager" },
    { "swift", FIELD_TEXT, 0, NULL, NULL, 0, 0, "SWIFT/BIC code of a bank" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes" },
};

static const struct field_spec vessel_fields[] = {
    { "names", FIELD_NAMES, FIELD_REQUIRED, NULL, NULL, 0, 0, "names over time" },
    { "imo", FIELD_IMO, 0, NULL, NULL, 0, 0, "IMO number (7 digits)" },
    { "flag", FIELD_TEXT, 0, NULL, NULL, 0, 0, "current flag state" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes (former flags, owners)" },
};

static const struct field_spec site_fields[] = {
    { "name", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0, "name of the site" },
    { "site_type", FIELD_VOCAB, FIELD_REQUIRED, "site_type", NULL, 0, 0, "what it was used for" },
    { "lat", FIELD_REAL, FIELD_LAT, NULL, NULL, -90, 90, "latitude, WGS84 degrees" },
    { "lon", FIELD_REAL, FIELD_LON, NULL, NULL, -180, 180, "longitude, WGS84 degrees" },
    { "province", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "province" },
    { "county", FIELD_TEXT, FIELD_PLACE, NULL, NULL, 0, 0, "county or city" },
    { "place_id", FIELD_PLACE_ID, 0, NULL, NULL, 0, 0,
      "the gazetteer's place it was placed from (the map's \"go to place\")" },
    { "confidence", FIELD_VOCAB, 0, "confidence", NULL, 0, 0, "how sure the team is" },
    { "tier", FIELD_VOCAB, 0, "tier", NULL, 0, 0, "widest audience it may be published to" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "what is there" },
    { "geometry", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "outline: a GeoJSON Polygon or MultiPolygon geometry, as text" },
    { "lines", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "line features (a fence, a route): a GeoJSON MultiLineString geometry, as text" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when the site was in use (fuzzy)" },
    { "placemark", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "the Google Earth placemark it was imported from, so that a new import updates it" },
    { "publishable", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "free text that may go out at the public tier as written: name, description (else replaced or dropped)" },
};

static const struct field_spec pinpoint_fields[] = {
    { "lat", FIELD_REAL, FIELD_REQUIRED | FIELD_LAT, NULL, NULL, -90, 90, "latitude, WGS84 degrees" },
    { "lon", FIELD_REAL, FIELD_REQUIRED | FIELD_LON, NULL, NULL, -180, 180, "longitude, WGS84 degrees" },
    { "uncertainty_m", FIELD_REAL, 0, NULL, NULL, 0, 1e6, "radius of uncertainty in metres" },
    { "site_type", FIELD_VOCAB, 0, "site_type", NULL, 0, 0, "what the witness says the place is" },
    { "interview", FIELD_REF, 0, NULL, "interview", 0, 0, "the interview in which it was placed" },
    { "site", FIELD_REF, 0, NULL, "site", 0, 0, "the site it was assigned to" },
    { "event", FIELD_REF, 0, NULL, "event", 0, 0, "the event it places" },
    { "imagery_date", FIELD_DATE, 0, NULL, NULL, 0, 0, "date of the satellite image used" },
    { "basis", FIELD_VOCAB, 0, "basis_of_knowledge", NULL, 0, 0, "how the witness knows the place" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "what the witness pointed at" },
    { "name", FIELD_TEXT, 0, NULL, NULL, 0, 0, "the label given to the placement" },
    { "place_id", FIELD_PLACE_ID, 0, NULL, NULL, 0, 0,
      "the gazetteer's place it was placed from (the map's \"go to place\")" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when, as the placement dates it (fuzzy)" },
    { "placement_group", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "placements made together (the points of one Google Earth placemark) share it" },
    { "placemark", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "the Google Earth placemark it was imported from, so that a new import updates it" },
    { "publishable", FIELD_TEXT, 0, NULL, NULL, 0, 0,
      "free text that may go out at the public tier as written: name, description (else replaced or dropped)" },
};

static const struct field_spec relation_fields[] = {
    { "kind", FIELD_VOCAB, FIELD_REQUIRED, "relation_kind", NULL, 0, 0, "how the two are linked" },
    { "from", FIELD_REF, FIELD_REQUIRED, NULL,
      "witness document person organisation vessel event act site", 0, 0, "first record" },
    { "to", FIELD_REF, FIELD_REQUIRED, NULL,
      "witness document person organisation vessel event act site", 0, 0, "second record" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when the link held" },
    { "degree", FIELD_VOCAB, 0, "involvement_degree", NULL, 0, 0, "involvement: the perpetrator's part" },
    { "basis", FIELD_VOCAB, 0, "basis_of_knowledge", NULL, 0, 0, "information: how the source knows" },
    { "reliability", FIELD_VOCAB, 0, "reliability", NULL, 0, 0, "information: how reliable" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes" },
};

static const struct field_spec dismissal_fields[] = {
    { "record", FIELD_REF, FIELD_REQUIRED, NULL, "organisation person vessel", 0, 0,
      "the record that was screened" },
    { "list", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0, "the sanctions list: un or ofac" },
    { "key", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0,
      "the listed entry's key on that list (KPe.029, an OFAC ent_num)" },
    { "entry_name", FIELD_TEXT, 0, NULL, NULL, 0, 0, "the entry's listed name when decided" },
    { "status", FIELD_TEXT, FIELD_REQUIRED, NULL, NULL, 0, 0,
      "dismissed (not this entry), or withdrawn (the decision reversed)" },
    { "note", FIELD_TEXT, 0, NULL, NULL, 0, 0, "why" },
};

static int check_lat_lon(struct at_ctx *ctx, json_t *data)
{
    bool has_lat = json_object_get(data, "lat") != NULL;
    bool has_lon = json_object_get(data, "lon") != NULL;

    if (has_lat != has_lon)
        return ctx_error(ctx, AT_EINVAL, "field \"%s\": required with \"%s\"; "
                         "give both latitude and longitude or neither",
                         has_lat ? "lon" : "lat", has_lat ? "lat" : "lon");
    return AT_OK;
}

/* A site's outline and line features are checked and made canonical; a
 * site with an outline or lines and no point gets their centre as its
 * point. */
static int check_site(struct at_ctx *ctx, json_t *data)
{
    const char *text = json_string_value(json_object_get(data, "geometry"));
    const char *lines = json_string_value(json_object_get(data, "lines"));
    json_t *g = NULL, *l = NULL;
    double lat, lon;
    char *canon;
    int rc = check_lat_lon(ctx, data);

    if (rc == AT_OK && text && (rc = polygon_parse(ctx, text, &g)) != AT_OK)
        rc = ctx_prefix(ctx, "field \"geometry\": ");
    if (rc == AT_OK && lines && (rc = polygon_lines_parse(ctx, lines, &l)) != AT_OK)
        rc = ctx_prefix(ctx, "field \"lines\": ");
    if (rc != AT_OK)
        goto out;
    if (g) {
        canon = polygon_text(g);
        json_object_set_new(data, "geometry", json_string(canon));
        free(canon);
    }
    if (l) {
        canon = polygon_text(l);
        json_object_set_new(data, "lines", json_string(canon));
        free(canon);
    }
    if (!json_object_get(data, "lat") && (g || l)) {
        if (g)
            polygon_centre(g, &lat, &lon);
        else
            polygon_lines_centre(l, &lat, &lon);
        json_object_set_new(data, "lat", json_real(canonical_real(lat)));
        json_object_set_new(data, "lon", json_real(canonical_real(lon)));
    }
out:
    json_decref(g);
    json_decref(l);
    return rc;
}

static int check_act(struct at_ctx *ctx, json_t *data)
{
    if (json_object_get(data, "amount") && !json_object_get(data, "currency"))
        return ctx_error(ctx, AT_EINVAL, "field \"currency\": required with \"amount\"");
    if (json_object_get(data, "victim") && json_object_get(data, "victim_count"))
        return ctx_error(ctx, AT_EINVAL, "field \"victim_count\": an act has either one "
                         "victim or a counted group, not both");
    return AT_OK;
}

/* A claim's span is START:END with START < END. */
static int check_claim(struct at_ctx *ctx, json_t *data)
{
    const char *span = json_string_value(json_object_get(data, "span"));
    unsigned long start, end;
    int used = 0;

    if (sscanf(span, "%lu:%lu%n", &start, &end, &used) != 2 || span[used] != '\0'
        || !isdigit((unsigned char)span[0]) || start >= end)
        return ctx_error(ctx, AT_EINVAL, "field \"span\": \"%s\"; give START:END, code points of the "
                         "document's text with START < END (e.g. 120:158)", span);
    return AT_OK;
}

static int check_dismissal(struct at_ctx *ctx, json_t *data)
{
    const char *list = json_string_value(json_object_get(data, "list"));
    const char *status = json_string_value(json_object_get(data, "status"));

    if (strcmp(list, "un") != 0 && strcmp(list, "ofac") != 0)
        return ctx_error(ctx, AT_EINVAL, "field \"list\": \"%s\"; valid: un, ofac", list);
    if (strcmp(status, "dismissed") != 0 && strcmp(status, "withdrawn") != 0)
        return ctx_error(ctx, AT_EINVAL, "field \"status\": \"%s\"; valid: dismissed, withdrawn",
                         status);
    return AT_OK;
}

/* Which types each kind of relation may join: "from-types > to-types". */
static const struct {
    const char *kind, *from, *to;
} relation_ends[] = {
    { "family", "person witness", "person witness" },
    { "heard_from", "witness", "witness person" },
    { "information", "witness document", "event act site person organisation vessel" },
    { "involvement", "person organisation", "act event" },
    { "member_of", "person witness", "organisation" },
    { "occurred_at", "event act", "site" },
    { "ownership", "person organisation", "organisation vessel" },
    { "part_of", "event", "event" },
    { "same_household", "witness person", "witness person" },
    { "succession", "organisation", "organisation" },
    { "directorship", "person", "organisation" },
};

static bool word_in(const char *word, const char *list)
{
    size_t n = strlen(word);

    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

static int check_relation(struct at_ctx *ctx, json_t *data)
{
    const char *kind = json_string_value(json_object_get(data, "kind"));
    const char *ends[2] = { "from", "to" };

    for (size_t i = 0; i < ARRAY_LEN(relation_ends); i++) {
        if (strcmp(relation_ends[i].kind, kind) != 0)
            continue;
        for (int e = 0; e < 2; e++) {
            const char *id = json_string_value(json_object_get(data, ends[e]));
            const struct type_spec *t = model_type_of_id(id);
            const char *allowed = e == 0 ? relation_ends[i].from : relation_ends[i].to;
            if (!word_in(t->name, allowed))
                return ctx_error(ctx, AT_EINVAL, "field \"%s\": a %s relation cannot %s a record of type %s; "
                                 "valid: %s", ends[e], kind, e == 0 ? "start at" : "end at",
                                 t->name, allowed);
        }
    }
    if (json_object_get(data, "degree") && strcmp(kind, "involvement") != 0)
        return ctx_error(ctx, AT_EINVAL, "field \"degree\": only an involvement relation has one");
    return AT_OK;
}


/* ---- casework: cases, their dependants, needs and referrals ---- */

static const struct field_spec case_fields[] = {
    { "kind", FIELD_VOCAB, FIELD_REQUIRED, "case_kind", NULL, 0, 0, "trafficking or overseas labour" },
    { "person", FIELD_REF, 0, NULL, "person witness", 0, 0, "the victim or worker" },
    { "summary", FIELD_TEXT, 0, NULL, NULL, 0, 0, "what happened, in a few words" },
    { "status", FIELD_VOCAB, 0, "case_status", NULL, 0, 0, "where the case stands" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when it began (fuzzy)" },
    { "sales", FIELD_SALES, FIELD_PLACE, NULL, "person organisation", 0, 1e12,
      "the chain of sales in order, each {seller, buyer, broker, place, date, price, currency, "
      "note} (attest case sale add)" },
    { "indicators", FIELD_INDICATORS, 0, "ilo_indicator", "interview document witness", 0, 0,
      "the ILO indicators of forced labour, each {status, note, source} (attest case indicator)" },
    { "employer", FIELD_REF, 0, NULL, "organisation", 0, 0, "overseas labour: the employer" },
    { "country", FIELD_COUNTRY, 0, NULL, NULL, 0, 0,
      "overseas labour: the country of work (ISO 3166-1 alpha-2, such as RU or CN)" },
    { "sector", FIELD_VOCAB, 0, "labour_sector", NULL, 0, 0, "overseas labour: the sector" },
    { "period", FIELD_DATE, 0, NULL, NULL, 0, 0, "overseas labour: when, such as 2016/2019" },
    { "wage_amount", FIELD_REAL, 0, NULL, NULL, 0, 1e12, "overseas labour: the wage stated" },
    { "wage_currency", FIELD_VOCAB, 0, "currency", NULL, 0, 0, "currency of wage_amount (ISO 4217)" },
    { "wage_per", FIELD_VOCAB, 0, "wage_period", NULL, 0, 0, "the period wage_amount is for" },
    { "share_taken", FIELD_REAL, 0, NULL, NULL, 0, 100,
      "overseas labour: percent of the wage taken from the worker" },
    { "description", FIELD_TEXT, 0, NULL, NULL, 0, 0, "details" },
};

static const struct field_spec dependant_fields[] = {
    { "case", FIELD_REF, FIELD_REQUIRED, NULL, "case", 0, 0, "the case of the child's parent" },
    { "person", FIELD_REF, 0, NULL, "person", 0, 0, "the child, when recorded as a person" },
    { "relationship", FIELD_TEXT, 0, NULL, NULL, 0, 0, "to the person of the case (son, daughter)" },
    { "sex", FIELD_VOCAB, 0, "sex", NULL, 0, 0, "sex" },
    { "birth_date", FIELD_DATE, 0, NULL, NULL, 0, 0, "date of birth (fuzzy)" },
    { "citizenship", FIELD_VOCAB, 0, "citizenship_status", NULL, 0, 0, "whether the child holds a citizenship" },
    { "citizenship_country", FIELD_COUNTRY, 0, NULL, NULL, 0, 0, "which (ISO 3166-1 alpha-2)" },
    { "birth_registration", FIELD_VOCAB, 0, "birth_registration", NULL, 0, 0,
      "whether the birth is registered" },
    { "schooling", FIELD_VOCAB, 0, "schooling", NULL, 0, 0, "whether the child goes to school" },
    { "lives_with", FIELD_TEXT, 0, NULL, NULL, 0, 0, "who the child lives with" },
    { "note", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes" },
};

static const struct field_spec referral_fields[] = {
    { "case", FIELD_REF, FIELD_REQUIRED, NULL, "case", 0, 0, "the case" },
    { "need", FIELD_VOCAB, FIELD_REQUIRED, "need_kind", NULL, 0, 0, "what is needed" },
    { "status", FIELD_VOCAB, 0, "referral_status", NULL, 0, 0, "where it stands" },
    { "help_given", FIELD_TEXT, 0, NULL, NULL, 0, 0, "the help given or asked for" },
    { "by", FIELD_TEXT, 0, NULL, NULL, 0, 0, "who gave it or was asked (caseworker, service)" },
    { "organisation", FIELD_REF, 0, NULL, "organisation", 0, 0, "the organisation referred to" },
    { "date", FIELD_DATE, FIELD_DATE_KEY, NULL, NULL, 0, 0, "when" },
    { "note", FIELD_TEXT, 0, NULL, NULL, 0, 0, "notes" },
};

/* What only one kind of case holds. */
static int check_case(struct at_ctx *ctx, json_t *data)
{
    static const char *const labour_only[] = { "employer", "country", "sector", "period",
                                               "wage_amount", "wage_currency", "wage_per",
                                               "share_taken" };
    const char *kind = json_string_value(json_object_get(data, "kind"));

    if (strcmp(kind, "overseas_labour") == 0 && json_object_get(data, "sales"))
        return ctx_error(ctx, AT_EINVAL, "field \"sales\": only a trafficking case has a chain "
                         "of sales (this one is overseas_labour)");
    for (size_t i = 0; i < ARRAY_LEN(labour_only); i++)
        if (strcmp(kind, "overseas_labour") != 0 && json_object_get(data, labour_only[i]))
            return ctx_error(ctx, AT_EINVAL, "field \"%s\": only an overseas_labour case has "
                             "one (this one is %s)", labour_only[i], kind);
    if (json_object_get(data, "wage_amount") && !json_object_get(data, "wage_currency"))
        return ctx_error(ctx, AT_EINVAL, "field \"wage_currency\": required with wage_amount "
                         "(an ISO 4217 code such as CNY, RUB or USD)");
    return AT_OK;
}
/* ---- end of casework ---- */

/* Sorted by name. */
static const struct type_spec types[] = {
    { "act", "ac", "one act against one victim or counted group, within an event",
      CLEARANCE_RESTRICTED, FIELDS(act_fields), check_act },
    { "case", "cs", "casework: a trafficking or overseas-labour case, its sales and indicators",
      CLEARANCE_RESTRICTED, FIELDS(case_fields), check_case },
    { "claim", "cl", "a figure a document states: quantity, unit, period, place, topic",
      CLEARANCE_PARTNER, FIELDS(claim_fields), check_claim },
    { "dependant", "dp", "casework: a child of the person of a case, and their status",
      CLEARANCE_RESTRICTED, FIELDS(dependant_fields), NULL },
    { "dismissal", "dm", "a screening hit set aside: the record is not that listed entry",
      CLEARANCE_RESTRICTED, FIELDS(dismissal_fields), check_dismissal },
    { "document", "dc", "a written or published source", CLEARANCE_PARTNER,
      FIELDS(document_fields), NULL },
    { "event", "ev", "something that happened, made of acts", CLEARANCE_RESTRICTED,
      FIELDS(event_fields), check_lat_lon },
    { "interview", "iv", "one session of testimony by a witness", CLEARANCE_CONFIDENTIAL,
      FIELDS(interview_fields), NULL },
    { "organisation", "or", "a state agency, unit, company or NGO", CLEARANCE_RESTRICTED,
      FIELDS(organisation_fields), NULL },
    { "person", "pe", "a victim, perpetrator or other person named in testimony",
      CLEARANCE_RESTRICTED, FIELDS(person_fields), NULL },
    { "pinpoint", "pp", "one witness's placement of a place on imagery", CLEARANCE_RESTRICTED,
      FIELDS(pinpoint_fields), NULL },
    { "referral", "rf", "casework: a need of a case and the help given or referred",
      CLEARANCE_CONFIDENTIAL, FIELDS(referral_fields), NULL },
    { "relation", "rl", "a typed link between two records", CLEARANCE_RESTRICTED,
      FIELDS(relation_fields), check_relation },
    { "site", "si", "a place of interest: killing, burial, detention, ...", CLEARANCE_RESTRICTED,
      FIELDS(site_fields), check_site },
    { "vessel", "vs", "a ship, with its names and flags over time", CLEARANCE_PARTNER,
      FIELDS(vessel_fields), NULL },
    { "witness", "wt", "a person who gives testimony, known by a pseudonym", CLEARANCE_CONFIDENTIAL,
      FIELDS(witness_fields), NULL },
};

const struct type_spec *model_types(size_t *count)
{
    *count = ARRAY_LEN(types);
    return types;
}

const struct type_spec *model_type(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

const struct type_spec *model_type_of_id(const char *id)
{
    const char *dash = id ? strchr(id, '-') : NULL;

    if (dash == NULL)
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (strlen(types[i].prefix) == (size_t)(dash - id)
            && strncmp(types[i].prefix, id, (size_t)(dash - id)) == 0)
            return &types[i];
    return NULL;
}

const struct field_spec *model_field(const struct type_spec *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

void model_list_types(struct buf *out)
{
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        buf_printf(out, "%s%s", i ? ", " : "", types[i].name);
}

/* The error for a field that type t does not have, listing those it has. */
static int unknown_field(struct at_ctx *ctx, const struct type_spec *t, const char *field)
{
    struct buf valid = BUF_INIT;

    for (size_t i = 0; i < t->nfields; i++)
        buf_printf(&valid, "%s%s", i ? ", " : "", t->fields[i].name);
    ctx_error(ctx, AT_EINVAL, "field \"%s\": type %s has no such field; valid: %s",
              field, t->name, buf_str(&valid));
    buf_free(&valid);
    return AT_EINVAL;
}

bool model_id_valid(const char *id)
{
    const struct type_spec *t = model_type_of_id(id);

    return t != NULL && model_random_id_valid(t->prefix, id);
}

bool model_random_id_valid(const char *prefix, const char *id)
{
    size_t n = strlen(prefix);

    if (strncmp(id, prefix, n) != 0 || id[n] != '-' || strlen(id + n + 1) != ID_CHARS)
        return false;
    for (const char *p = id + n + 1; *p; p++)
        if (strchr(id_alphabet, *p) == NULL)
            return false;
    return true;
}

void model_new_id(const struct type_spec *t, char *out)
{
    model_random_id(t->prefix, out);
}

void model_random_id(const char *prefix, char *out)
{
    unsigned char random[ID_CHARS];
    size_t n = strlen(prefix);

    randombytes_buf(random, sizeof random);
    memcpy(out, prefix, n);
    out[n++] = '-';
    for (int i = 0; i < ID_CHARS; i++)
        out[n++] = id_alphabet[random[i] & 31];
    out[n] = '\0';
    sodium_memzero(random, sizeof random);
}

/* A string with surrounding white space removed, as a new JSON string. */
static json_t *trimmed_string(const char *s)
{
    size_t n;

    while (*s && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return json_stringn(s, n);
}

static int field_error(struct at_ctx *ctx, const char *field, const char *fmt, const char *got)
{
    ctx_error(ctx, AT_EINVAL, "field \"%s\": ", field);
    size_t n = strlen(ctx->message);
    snprintf(ctx->message + n, sizeof ctx->message - n, fmt, got);
    return AT_EINVAL;
}

static int validate_text(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    if (!json_is_string(v))
        return field_error(ctx, f->name, "must be text%s", "");
    if (json_string_length(v) > MAX_TEXT_BYTES)
        return field_error(ctx, f->name, "is longer than 1 MiB%s", "");
    *out = trimmed_string(json_string_value(v));
    if (memchr(json_string_value(*out), '\0', json_string_length(*out)) != NULL) {
        json_decref(*out);
        return field_error(ctx, f->name, "contains a NUL character%s", "");
    }
    return AT_OK;
}

/* The message for a number x outside f's range. */
static int range_error(struct at_ctx *ctx, const struct field_spec *f, double x)
{
    char range[96];

    snprintf(range, sizeof range, "%g is outside the valid range [%g, %g]", x, f->min, f->max);
    return field_error(ctx, f->name, "%s", range);
}

/* The value of number field f: a whole number, or a real as the stored
 * text will give it back (15 significant digits), so that the document
 * accepted is the document stored. */
static json_t *number_value(const struct field_spec *f, double x)
{
    return f->kind == FIELD_INT ? json_integer((json_int_t)x) : json_real(canonical_real(x));
}

static int validate_number(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    double x;

    if (f->kind == FIELD_INT && !json_is_integer(v))
        return field_error(ctx, f->name, "must be a whole number%s", "");
    if (!json_is_number(v))
        return field_error(ctx, f->name, "must be a number%s", "");
    x = json_number_value(v);
    if (!isfinite(x) || x < f->min || x > f->max)
        return range_error(ctx, f, x);
    *out = number_value(f, x);
    return AT_OK;
}

static int validate_vocab(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    const struct vocab *voc = vocab_find(f->vocab);
    struct buf valid = BUF_INIT;

    if (json_is_string(v) && vocab_index(voc, json_string_value(v)) >= 0) {
        *out = json_incref(v);
        return AT_OK;
    }
    vocab_list_codes(voc, &valid);
    ctx_error(ctx, AT_EINVAL, "field \"%s\": unknown %s \"%s\"; valid: %s", f->name, f->vocab,
              json_is_string(v) ? json_string_value(v) : "(not text)", buf_str(&valid));
    buf_free(&valid);
    return AT_EINVAL;
}

static int validate_ref(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    const char *id = json_string_value(v);
    const struct type_spec *t;

    if (id == NULL || !model_id_valid(id))
        return field_error(ctx, f->name, "\"%s\" is not a record id (such as ev-7k2m9q4xd3ab)",
                           id ? id : "(not text)");
    t = model_type_of_id(id);
    if (!word_in(t->name, f->ref_types)) {
        ctx_error(ctx, AT_EINVAL, "field \"%s\": %s is of type %s; valid: %s", f->name, id, t->name,
                  f->ref_types);
        return AT_EINVAL;
    }
    *out = json_incref(v);
    return AT_OK;
}

static int validate_date(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    struct fuzzy_date d;
    json_t *s;

    if (!json_is_string(v))
        return field_error(ctx, f->name, "must be a date as text, such as \"1997-03\"%s", "");
    s = trimmed_string(json_string_value(v));
    if (date_parse(ctx, json_string_value(s), &d) != AT_OK) {
        json_decref(s);
        return ctx_prefix(ctx, "field \"%s\": ", f->name);
    }
    *out = s;
    return AT_OK;
}

static int validate_sha256(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    const char *s = json_string_value(v);

    if (s == NULL || strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64)
        return field_error(ctx, f->name, "\"%s\" is not a SHA-256 (64 lower-case hex digits)",
                           s ? s : "(not text)");
    *out = json_incref(v);
    return AT_OK;
}

/* IMO numbers end with a check digit: the sum of the first six digits
 * weighted 7..2, modulo 10. */
static int validate_imo(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    const char *s = json_string_value(v);
    int sum = 0;

    if (s && strncmp(s, "IMO", 3) == 0)
        s += s[3] == ' ' ? 4 : 3;
    if (s == NULL || strlen(s) != 7 || strspn(s, "0123456789") != 7)
        return field_error(ctx, f->name, "\"%s\" is not an IMO number (7 digits, such as 9176187)",
                           s ? s : "(not text)");
    for (int i = 0; i < 6; i++)
        sum += (s[i] - '0') * (7 - i);
    if (sum % 10 != s[6] - '0')
        return field_error(ctx, f->name, "IMO %s fails its check digit; check the number", s);
    *out = json_string(s);
    return AT_OK;
}

/* A gazetteer place id, as `attest places search --json` and GET
 * /api/v1/places give it. */
static int validate_place_id(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    const char *s = json_string_value(v);

    if (s == NULL || gazetteer_by_id(s) == NULL)
        return field_error(ctx, f->name, "\"%s\" is not a place of the gazetteer; give the id "
                           "that `attest places search` or GET /api/v1/places shows (such as "
                           "county:요덕군)", s ? s : "(not text)");
    *out = json_string(s);
    return AT_OK;
}

static int validate_names(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    static const char *const keys[] = { "name", "lang", "from", "to", "note" };
    json_t *list, *item;
    size_t i;

    if (!json_is_array(v) || json_array_size(v) == 0)
        return field_error(ctx, f->name, "must be a non-empty list of names%s", "");
    list = json_array();
    json_array_foreach(v, i, item) {
        json_t *name = json_object(), *value;
        const char *key;
        int rc = AT_OK;

        if (json_is_string(item)) {
            json_object_set_new(name, "name", trimmed_string(json_string_value(item)));
        } else if (json_is_object(item)) {
            json_object_foreach(item, key, value) {
                size_t k = 0;
                while (k < ARRAY_LEN(keys) && strcmp(keys[k], key) != 0)
                    k++;
                if (k == ARRAY_LEN(keys) || !json_is_string(value)) {
                    rc = ctx_error(ctx, AT_EINVAL, "field \"%s\" name %zu: \"%s\" is not a text "
                                   "key of a name; valid: name, lang, from, to, note",
                                   f->name, i + 1, key);
                    break;
                }
                if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0) {
                    struct fuzzy_date d;
                    if (date_parse(ctx, json_string_value(value), &d) != AT_OK) {
                        rc = ctx_prefix(ctx, "field \"%s\" name %zu \"%s\": ", f->name, i + 1, key);
                        break;
                    }
                }
                json_object_set_new(name, key, trimmed_string(json_string_value(value)));
            }
        }
        value = json_object_get(name, "name");
        if (rc == AT_OK && (value == NULL || json_string_length(value) == 0))
            rc = ctx_error(ctx, AT_EINVAL, "field \"%s\" name %zu: must be text or an object "
                           "with a non-empty \"name\"", f->name, i + 1);
        if (rc != AT_OK) {
            json_decref(name);
            json_decref(list);
            return rc;
        }
        json_array_append_new(list, name);
    }
    *out = list;
    return AT_OK;
}

/* Consents: each {"use", "granted"} with an optional "withdrawn" (not
 * before granted) and "note". */
static int validate_consent(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    const struct vocab *uses = vocab_find(f->vocab);
    json_t *item;
    size_t i;

    if (!json_is_array(v))
        return field_error(ctx, f->name, "must be a list of {\"use\", \"granted\", "
                           "\"withdrawn\", \"note\"}%s", "");
    json_array_foreach(v, i, item) {
        const char *use = json_string_value(json_object_get(item, "use"));
        const char *dates[2] = { json_string_value(json_object_get(item, "granted")),
                                 json_string_value(json_object_get(item, "withdrawn")) };
        struct fuzzy_date d[2];
        const char *key;
        json_t *value;

        json_object_foreach(item, key, value) {
            if (!json_is_string(value) || (strcmp(key, "use") && strcmp(key, "granted")
                                           && strcmp(key, "withdrawn") && strcmp(key, "note")))
                return ctx_error(ctx, AT_EINVAL, "field \"%s\" item %zu: keys are use, granted, "
                                 "withdrawn and note, each text", f->name, i + 1);
        }
        if (use == NULL || vocab_index(uses, use) < 0) {
            struct buf valid = BUF_INIT;
            vocab_list_codes(uses, &valid);
            ctx_error(ctx, AT_EINVAL, "field \"%s\" item %zu: \"use\" must be one of %s",
                      f->name, i + 1, buf_str(&valid));
            buf_free(&valid);
            return AT_EINVAL;
        }
        if (dates[0] == NULL)
            return ctx_error(ctx, AT_EINVAL, "field \"%s\" item %zu: \"granted\" (a date) is "
                             "required", f->name, i + 1);
        for (int k = 0; k < 2; k++)
            if (dates[k] && date_parse(ctx, dates[k], &d[k]) != AT_OK)
                return ctx_prefix(ctx, "field \"%s\" item %zu \"%s\": ", f->name, i + 1,
                                  k ? "withdrawn" : "granted");
        if (dates[1] && d[1].hi < d[0].lo)
            return ctx_error(ctx, AT_EINVAL, "field \"%s\" item %zu: withdrawn before it was "
                             "granted", f->name, i + 1);
    }
    *out = json_incref(v);
    return AT_OK;
}

bool model_consent_allows(json_t *witness_data, const char *use)
{
    json_t *item;
    size_t i;

    json_array_foreach(json_object_get(witness_data, "consent"), i, item) {
        if (strcmp(json_string_value(json_object_get(item, "use")) ?: "", use) == 0
            && json_object_get(item, "granted") && !json_object_get(item, "withdrawn"))
            return true;
    }
    return false;
}

/* ---- casework: chains of sales, the indicator checklist, countries ---- */

/* The error for code not in vocabulary name, listing the valid codes;
 * where names the place ("field \"sales\" sale 2 \"currency\""). */
static int code_error(struct at_ctx *ctx, const char *where, const char *name, const char *code)
{
    struct buf valid = BUF_INIT;

    vocab_list_codes(vocab_find(name), &valid);
    ctx_error(ctx, AT_EINVAL, "%s: unknown %s \"%s\"; valid: %s", where, name, code,
              buf_str(&valid));
    buf_free(&valid);
    return AT_EINVAL;
}

/* A party to a sale: the id of a record of one of ref_types, or words
 * ("a broker from Yanji"). */
static int validate_party(struct at_ctx *ctx, const char *where, const char *ref_types,
                          const char *text, json_t **out)
{
    json_t *v = trimmed_string(text);
    const struct type_spec *t;

    if (model_id_valid(json_string_value(v))) {
        t = model_type_of_id(json_string_value(v));
        if (!word_in(t->name, ref_types)) {
            ctx_error(ctx, AT_EINVAL, "%s: %s is of type %s; valid: the id of a %s, or words",
                      where, json_string_value(v), t->name, ref_types);
            json_decref(v);
            return AT_EINVAL;
        }
    }
    *out = v;
    return AT_OK;
}

/* The keys of a sale, in the order they are shown; the first three are
 * its parties. */
enum sale_key { SALE_SELLER, SALE_BUYER, SALE_BROKER, SALE_PLACE, SALE_DATE, SALE_PRICE,
                SALE_CURRENCY, SALE_NOTE, SALE_KEYS };
static const char *const sale_keys[SALE_KEYS] = {
    [SALE_SELLER] = "seller", [SALE_BUYER] = "buyer", [SALE_BROKER] = "broker",
    [SALE_PLACE] = "place", [SALE_DATE] = "date", [SALE_PRICE] = "price",
    [SALE_CURRENCY] = "currency", [SALE_NOTE] = "note",
};
#define SALE_KEY_LIST "seller, buyer, broker, place, date, price, currency, note"

const char *const *model_sale_keys(size_t *count)
{
    *count = SALE_KEYS;
    return sale_keys;
}

/* The value of key k of a sale, checked and made canonical into *out. */
static int validate_sale_value(struct at_ctx *ctx, const struct field_spec *f, const char *where,
                               enum sale_key k, json_t *value, json_t **out)
{
    struct fuzzy_date d;
    char code[8] = "";

    if (k == SALE_PRICE) {
        double x = json_number_value(value);
        if (!json_is_number(value) || !isfinite(x) || x < f->min || x > f->max)
            return ctx_error(ctx, AT_EINVAL, "%s: must be a number from %g to %g", where, f->min,
                             f->max);
        *out = json_is_integer(value) ? json_incref(value) : json_real(canonical_real(x));
        return AT_OK;
    }
    if (!json_is_string(value))
        return ctx_error(ctx, AT_EINVAL, "%s: must be text", where);
    switch (k) {
    case SALE_SELLER:
    case SALE_BUYER:
    case SALE_BROKER:
        return validate_party(ctx, where, f->ref_types, json_string_value(value), out);
    case SALE_DATE:
        *out = trimmed_string(json_string_value(value));
        if (date_parse(ctx, json_string_value(*out), &d) == AT_OK)
            return AT_OK;
        json_decref(*out);
        return ctx_prefix(ctx, "%s: ", where);
    case SALE_CURRENCY:
        snprintf(code, sizeof code, "%s", json_string_value(value));
        for (char *c = code; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        if (vocab_index(vocab_find("currency"), code) < 0)
            return code_error(ctx, where, "currency", json_string_value(value));
        *out = json_string(code);
        return AT_OK;
    default:
        *out = trimmed_string(json_string_value(value));
        return AT_OK;
    }
}

/* One sale of a chain, rewritten into clean (keys checked, text trimmed,
 * the currency in upper case). */
static int validate_sale(struct at_ctx *ctx, const struct field_spec *f, size_t n, json_t *sale,
                         json_t *clean)
{
    char where[96];
    const char *key;
    json_t *value, *v = NULL;

    if (!json_is_object(sale))
        return ctx_error(ctx, AT_EINVAL, "field \"%s\" sale %zu: must be an object with keys "
                         SALE_KEY_LIST, f->name, n);
    json_object_foreach(sale, key, value) {
        size_t k = 0;
        while (k < SALE_KEYS && strcmp(sale_keys[k], key) != 0)
            k++;
        snprintf(where, sizeof where, "field \"%s\" sale %zu \"%.24s\"", f->name, n, key);
        if (k == SALE_KEYS)
            return ctx_error(ctx, AT_EINVAL, "%s: no such key; valid: " SALE_KEY_LIST, where);
        if (json_is_null(value) || (json_is_string(value) && json_string_length(value) == 0))
            continue;
        if (validate_sale_value(ctx, f, where, (enum sale_key)k, value, &v) != AT_OK)
            return AT_EINVAL;
        json_object_set_new(clean, key, v);
    }
    if (json_object_size(clean) == 0)
        return ctx_error(ctx, AT_EINVAL, "field \"%s\" sale %zu: is empty; give at least one of "
                         "seller, buyer, broker, place, date, price", f->name, n);
    if (json_object_get(clean, "price") && !json_object_get(clean, "currency"))
        return ctx_error(ctx, AT_EINVAL, "field \"%s\" sale %zu: a price needs its currency "
                         "(an ISO 4217 code such as CNY, USD, KPW or KRW)", f->name, n);
    return AT_OK;
}

/* A chain of sales, kept in the order given. */
static int validate_sales(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    json_t *list, *sale;
    size_t i;

    if (!json_is_array(v))
        return field_error(ctx, f->name, "must be a list of sales in order, each {"
                           SALE_KEY_LIST "}%s", "");
    list = json_array();
    json_array_foreach(v, i, sale) {
        json_t *clean = json_object();
        json_array_append_new(list, clean);
        if (validate_sale(ctx, f, i + 1, sale, clean) != AT_OK) {
            json_decref(list);
            return AT_EINVAL;
        }
    }
    *out = list;
    return AT_OK;
}

/* One entry of the checklist, a copy rewritten in place: its status (a
 * bare status stands for {"status": STATUS}), an optional note and source. */
static int validate_indicator(struct at_ctx *ctx, const struct field_spec *f, const char *where,
                              json_t *entry)
{
    const char *status = json_string_value(json_object_get(entry, "status")), *key;
    json_t *value;

    if (!json_is_object(entry))
        return ctx_error(ctx, AT_EINVAL, "%s: must be a status or {\"status\", \"note\", "
                         "\"source\"}", where);
    if (status == NULL || vocab_index(vocab_find("indicator_status"), status) < 0)
        return code_error(ctx, where, "indicator_status", status ? status : "(none)");
    json_object_foreach(entry, key, value) {
        const char *text = json_string_value(value);
        if (strcmp(key, "status") && strcmp(key, "note") && strcmp(key, "source"))
            return ctx_error(ctx, AT_EINVAL, "%s: no key \"%s\"; valid: status, note, source",
                             where, key);
        if (text == NULL)
            return ctx_error(ctx, AT_EINVAL, "%s \"%s\": must be text", where, key);
        if (strcmp(key, "source") == 0
            && (!model_id_valid(text) || !word_in(model_type_of_id(text)->name, f->ref_types)))
            return ctx_error(ctx, AT_EINVAL, "%s \"source\": \"%s\" is not the id of a %s", where,
                             text, f->ref_types);
        json_object_set_new(entry, key, trimmed_string(text));
    }
    return AT_OK;
}

/* The checklist: each ILO indicator at most once (it is an object's key). */
static int validate_indicators(struct at_ctx *ctx, const struct field_spec *f, json_t *v,
                               json_t **out)
{
    const char *code;
    json_t *item, *clean;
    char where[96];

    if (!json_is_object(v))
        return field_error(ctx, f->name, "must be an object {INDICATOR: {\"status\", \"note\", "
                           "\"source\"}}%s", "");
    clean = json_object();
    json_object_foreach(v, code, item) {
        json_t *entry = json_is_string(item) ? json_pack("{s:O}", "status", item)
                                             : json_deep_copy(item);
        int rc;

        json_object_set_new(clean, code, entry ? entry : json_null());
        snprintf(where, sizeof where, "field \"%s\" \"%.40s\"", f->name, code);
        if (vocab_index(vocab_find(f->vocab), code) < 0)
            rc = code_error(ctx, "field \"indicators\"", f->vocab, code);
        else
            rc = validate_indicator(ctx, f, where, entry);
        if (rc != AT_OK) {
            json_decref(clean);
            return rc;
        }
    }
    *out = clean;
    return AT_OK;
}

bool model_country_valid(const char *code)
{
    const char *const *all = uloc_getISOCountries();

    if (code == NULL || strlen(code) != 2)
        return false;
    for (; *all; all++)
        if (strcmp(*all, code) == 0)
            return true;
    return false;
}

void model_country_name(const char *code, const char *lang, struct buf *out)
{
    char locale[8], name[128];
    UChar wide[128];
    UErrorCode err = U_ZERO_ERROR;
    int32_t n;

    snprintf(locale, sizeof locale, "_%.2s", code);
    n = uloc_getDisplayCountry(locale, lang, wide, ARRAY_LEN(wide), &err);
    if (U_SUCCESS(err) && n > 0 && model_country_valid(code)) {
        u_strToUTF8(name, sizeof name, NULL, wide, n, &err);
        if (U_SUCCESS(err)) {
            buf_puts(out, name);
            return;
        }
    }
    buf_puts(out, code);
}

static int validate_country(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    json_t *s;
    char code[3] = "";

    if (!json_is_string(v))
        return field_error(ctx, f->name, "must be a country code as text, such as \"RU\"%s", "");
    s = trimmed_string(json_string_value(v));
    if (json_string_length(s) == 2)
        for (int i = 0; i < 2; i++)
            code[i] = (char)toupper((unsigned char)json_string_value(s)[i]);
    json_decref(s);
    if (!model_country_valid(code))
        return field_error(ctx, f->name, "\"%s\" is not an ISO 3166-1 alpha-2 country code; valid: "
                           "two letters such as CN, RU, KP, KR, MN, AE, KW, QA, PL, MY, LA, TH",
                           json_string_value(v));
    *out = json_string(code);
    return AT_OK;
}

void model_place_text(const struct field_spec *f, json_t *value, struct buf *out)
{
    json_t *sale;
    size_t i;

    if (json_is_string(value)) {
        buf_printf(out, "%s%s", out->len ? " / " : "", json_string_value(value));
        return;
    }
    if (f->kind != FIELD_SALES)
        return;
    json_array_foreach(value, i, sale) {
        const char *place = json_string_value(json_object_get(sale, "place"));
        if (place)
            buf_printf(out, "%s%s", out->len ? " / " : "", place);
    }
}
/* ---- end of casework ---- */

static int validate_field(struct at_ctx *ctx, const struct field_spec *f, json_t *v, json_t **out)
{
    switch (f->kind) {
    case FIELD_TEXT:
        return validate_text(ctx, f, v, out);
    case FIELD_INT:
    case FIELD_REAL:
        return validate_number(ctx, f, v, out);
    case FIELD_DATE:
        return validate_date(ctx, f, v, out);
    case FIELD_VOCAB:
        return validate_vocab(ctx, f, v, out);
    case FIELD_REF:
        return validate_ref(ctx, f, v, out);
    case FIELD_NAMES:
        return validate_names(ctx, f, v, out);
    case FIELD_SHA256:
        return validate_sha256(ctx, f, v, out);
    case FIELD_IMO:
        return validate_imo(ctx, f, v, out);
    case FIELD_CONSENT:
        return validate_consent(ctx, f, v, out);
    case FIELD_SALES:
        return validate_sales(ctx, f, v, out);
    case FIELD_INDICATORS:
        return validate_indicators(ctx, f, v, out);
    case FIELD_COUNTRY:
        return validate_country(ctx, f, v, out);
    case FIELD_PLACE_ID:
        return validate_place_id(ctx, f, v, out);
    }
    return ctx_error(ctx, AT_ERR, "field \"%s\": unknown kind", f->name);
}

int model_validate(struct at_ctx *ctx, const struct type_spec *t, json_t *data)
{
    const char *key;
    json_t *value, *clean = NULL;
    void *tmp;

    if (!json_is_object(data))
        return ctx_error(ctx, AT_EINVAL, "a %s must be a JSON object of fields", t->name);
    json_object_foreach_safe(data, tmp, key, value) {
        const struct field_spec *f = model_field(t, key);
        if (f == NULL)
            return unknown_field(ctx, t, key);
        if (json_is_null(value) || (json_is_string(value) && json_string_length(value) == 0)) {
            json_object_del(data, key); /* an empty value is an absent one */
            continue;
        }
        if (validate_field(ctx, f, value, &clean) != AT_OK)
            return AT_EINVAL;
        if (json_is_string(clean) && json_string_length(clean) == 0) {
            json_decref(clean);
            json_object_del(data, key);
            continue;
        }
        json_object_set_new(data, key, clean);
    }
    for (size_t i = 0; i < t->nfields; i++) {
        if ((t->fields[i].flags & FIELD_REQUIRED) && !json_object_get(data, t->fields[i].name))
            return ctx_error(ctx, AT_EINVAL, "field \"%s\": required for type %s (%s)",
                             t->fields[i].name, t->name, t->fields[i].about);
    }
    return t->check ? t->check(ctx, data) : AT_OK;
}

/* A number from text, spaces around it allowed: decimal only (no "nan",
 * "inf" or hexadecimal, which JSON cannot hold), finite and whole for an
 * integer field.  The range is validate_number's to check, except for an
 * integer too large to convert, refused here. */
static int parse_number(struct at_ctx *ctx, const struct field_spec *f, const char *text, json_t **out)
{
    const char *valid = f->kind == FIELD_INT ? "a whole number" : "a number";
    char num[64];
    size_t n;
    double x = NAN;

    text += strspn(text, " \t\r\n");
    n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if (n < sizeof num) {
        memcpy(num, text, n);
        num[n] = '\0';
        if (number_is_decimal(num))
            x = strtod(num, NULL);
    }
    if (!isfinite(x) || (f->kind == FIELD_INT && x != floor(x)))
        return ctx_error(ctx, AT_EINVAL, "field \"%s\": \"%.*s\" is not %s; valid: %s from %g to "
                         "%g (%s)", f->name, (int)(n < 40 ? n : 40), text,
                         isfinite(x) ? valid : "a number", valid, f->min, f->max, f->about);
    if (f->kind == FIELD_INT && fabs(x) > 1e15)
        return range_error(ctx, f, x);
    *out = number_value(f, x);
    return AT_OK;
}

int model_set_from_text(struct at_ctx *ctx, const struct type_spec *t, json_t *data,
                        const char *field, const char *text)
{
    const struct field_spec *f = model_field(t, field);
    json_t *value = NULL;

    if (f == NULL)
        return unknown_field(ctx, t, field);
    if (f->kind == FIELD_NAMES || f->kind == FIELD_CONSENT) {
        json_t *list = json_object_get(data, field);
        if (list == NULL) {
            list = json_array();
            json_object_set_new(data, field, list);
        }
        /* In one cell, several items are separated by " | "; a consent is
         * written "USE GRANTED [WITHDRAWN]". */
        for (const char *p = text; *p;) {
            const char *bar = strstr(p, " | ");
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            json_t *item = json_stringn(p, n);
            if (item && f->kind == FIELD_CONSENT) {
                char use[64] = "", granted[64] = "", withdrawn[64] = "";
                sscanf(json_string_value(item), "%63s %63s %63s", use, granted, withdrawn);
                json_decref(item);
                item = json_pack("{s:s, s:s}", "use", use, "granted", granted);
                if (*withdrawn)
                    json_object_set_new(item, "withdrawn", json_string(withdrawn));
            }
            if (item == NULL)
                return field_error(ctx, f->name, "is not valid UTF-8%s", "");
            json_array_append_new(list, item);
            p += n + (bar ? 3 : 0);
        }
        return AT_OK;
    }
    if (f->kind == FIELD_SALES || f->kind == FIELD_INDICATORS) {
        /* as JSON, the form model_field_text writes (a CSV cell) */
        json_error_t err;
        if ((value = json_loads(text, JSON_DECODE_ANY, &err)) == NULL)
            return ctx_error(ctx, AT_EINVAL, "field \"%s\": not JSON (%s); give %s", f->name,
                             err.text, f->about);
        json_object_set_new(data, field, value);
        return AT_OK;
    }
    if ((f->kind == FIELD_INT || f->kind == FIELD_REAL) && *text != '\0') {
        if (parse_number(ctx, f, text, &value) != AT_OK)
            return AT_EINVAL;
    } else {
        value = json_string(text);
        if (value == NULL)
            return field_error(ctx, f->name, "is not valid UTF-8%s", "");
    }
    json_object_set_new(data, field, value);
    return AT_OK;
}

void model_field_text(const struct field_spec *f, json_t *value, struct buf *out)
{
    size_t i;
    json_t *item;

    if (value == NULL)
        return;
    if (f->kind == FIELD_SALES || f->kind == FIELD_INDICATORS) {
        char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
        buf_puts(out, text ? text : "");
        free(text);
        return;
    }
    switch (json_typeof(value)) {
    case JSON_STRING:
        buf_puts(out, json_string_value(value));
        break;
    case JSON_INTEGER:
        buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        break;
    case JSON_REAL:
        buf_printf(out, "%.15g", json_real_value(value));
        break;
    case JSON_ARRAY:
        json_array_foreach(value, i, item) {
            if (f->kind == FIELD_CONSENT) {
                json_t *w = json_object_get(item, "withdrawn");
                buf_printf(out, "%s%s %s%s%s", i ? " | " : "",
                           json_string_value(json_object_get(item, "use")),
                           json_string_value(json_object_get(item, "granted")),
                           w ? " " : "", w ? json_string_value(w) : "");
            } else {
                buf_printf(out, "%s%s", i ? " | " : "",
                           json_string_value(json_object_get(item, "name")));
            }
        }
        break;
    default:
        break;
    }
}

void model_each_ref(const struct type_spec *t, json_t *data,
                    void (*fn)(void *arg, const char *field, const char *target), void *arg)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const char *target, *key;
        json_t *item, *v = json_object_get(data, t->fields[i].name);
        size_t k;

        /* the records a chain of sales names, and the indicators' sources */
        if (t->fields[i].kind == FIELD_SALES)
            json_array_foreach(v, k, item)
                for (size_t p = SALE_SELLER; p <= SALE_BROKER; p++)
                    if (model_id_valid(target = json_string_value(json_object_get(item, sale_keys[p]))))
                        fn(arg, t->fields[i].name, target);
        if (t->fields[i].kind == FIELD_INDICATORS)
            json_object_foreach(v, key, item)
                if ((target = json_string_value(json_object_get(item, "source"))) != NULL)
                    fn(arg, t->fields[i].name, target);
        if (t->fields[i].kind != FIELD_REF)
            continue;
        target = json_string_value(json_object_get(data, t->fields[i].name));
        if (target)
            fn(arg, t->fields[i].name, target);
    }
}

void model_summary(const struct type_spec *t, json_t *data, struct buf *out)
{
    static const char *const labels[] = { "title", "name", "code" };
    json_t *names = json_object_get(data, "names");

    for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
        const char *s = json_string_value(json_object_get(data, labels[i]));
        if (s) {
            buf_puts(out, s);
            return;
        }
    }
    if (names) {
        model_field_text(model_field(t, "names"), names, out);
        return;
    }
    if (strcmp(t->name, "relation") == 0) {
        buf_printf(out, "%s %s -> %s", json_string_value(json_object_get(data, "kind")),
                   json_string_value(json_object_get(data, "from")),
                   json_string_value(json_object_get(data, "to")));
    } else if (strcmp(t->name, "act") == 0) {
        buf_printf(out, "%s in %s", json_string_value(json_object_get(data, "act_type")),
                   json_string_value(json_object_get(data, "event")));
    } else if (strcmp(t->name, "case") == 0) {
        const char *summary = json_string_value(json_object_get(data, "summary"));
        buf_printf(out, "%s case%s%s", json_string_value(json_object_get(data, "kind")),
                   summary ? ": " : "", summary ? summary : "");
    } else if (strcmp(t->name, "dependant") == 0 || strcmp(t->name, "referral") == 0) {
        buf_printf(out, "%s of %s", t->name, json_string_value(json_object_get(data, "case")));
    } else if (strcmp(t->name, "interview") == 0) {
        buf_printf(out, "interview of %s", json_string_value(json_object_get(data, "witness")));
    } else if (json_object_get(data, "lat")) {
        buf_printf(out, "%.6f, %.6f", json_number_value(json_object_get(data, "lat")),
                   json_number_value(json_object_get(data, "lon")));
    }
}
