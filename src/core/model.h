/*
 * model.h: the record types of the archive and their fields, and the one
 * validator every way in (CLI flags, JSON, CSV, HTTP) goes through.
 *
 * A record's data is a JSON object whose keys are the fields of its type.
 * The type table in model.c is the single description of the model: the
 * validator, the help texts, the CSV columns and the search index all
 * read it.
 */
#ifndef MODEL_H
#define MODEL_H

#include "attest.h"

#include <jansson.h>

/* Room for a record id ("ev-7k2m9q4xd3ab": a type's prefix, "-" and
 * twelve characters) and its terminating NUL. */
#define RECORD_ID_MAX 32

enum field_kind {
    FIELD_TEXT,   /* a string */
    FIELD_INT,    /* an integer within [min, max] */
    FIELD_REAL,   /* a number within [min, max] */
    FIELD_DATE,   /* a fuzzy date, kept as entered */
    FIELD_VOCAB,  /* a code of the vocabulary named by vocab */
    FIELD_REF,    /* the id of a record of one of ref_types */
    FIELD_NAMES,  /* a list of names: [{"name", "lang", "from", "to"}] */
    FIELD_SHA256, /* 64 lower-case hex digits */
    FIELD_IMO,    /* an IMO ship number: 7 digits with a valid check digit */
    FIELD_CONSENT, /* a witness's consents: [{"use", "granted", "withdrawn", "note"}] */
    FIELD_SALES,  /* a chain of sales, in order: [{"seller", "buyer", "broker", "place",
                     "date", "price", "currency", "note"}] (casework) */
    FIELD_INDICATORS, /* the ILO indicators of forced labour, a checklist:
                         {"CODE": {"status", "note", "source"}} (casework) */
    FIELD_COUNTRY, /* an ISO 3166-1 alpha-2 country code, upper case ("CN") */
    FIELD_PLACE_ID, /* a place of the gazetteer, by its gazetteer_id */
};

enum field_flag {
    FIELD_REQUIRED = 1 << 0,
    FIELD_DATE_KEY = 1 << 1,  /* the record's date for list filters */
    FIELD_PLACE = 1 << 2,     /* part of the record's place for filters */
    FIELD_LAT = 1 << 3,
    FIELD_LON = 1 << 4,
};

struct field_spec {
    const char *name;
    enum field_kind kind;
    unsigned flags;
    const char *vocab;     /* FIELD_VOCAB */
    const char *ref_types; /* FIELD_REF: space-separated type names */
    double min, max;       /* FIELD_INT, FIELD_REAL */
    const char *about;
};

struct type_spec {
    const char *name;      /* "event" */
    const char *prefix;    /* "ev": ids look like ev-7k2m9q4xd3ab */
    const char *about;
    int default_clearance;
    const struct field_spec *fields;
    size_t nfields;
    /* Rules across fields (lat needs lon, ...); NULL when none. */
    int (*check)(struct at_ctx *ctx, json_t *data);
};

/* All types, sorted by name. */
const struct type_spec *model_types(size_t *count);
/* The type called name, or NULL (also when name is NULL). */
const struct type_spec *model_type(const char *name);
/* The type whose ids start with prefix-, or NULL. */
const struct type_spec *model_type_of_id(const char *id);
const struct field_spec *model_field(const struct type_spec *t, const char *name);
/* Appends the valid type names, "a, b, c", to out. */
void model_list_types(struct buf *out);

/* Checks data (a JSON object) against type t and rewrites it in place into
 * canonical form: trimmed strings, numbers for numeric fields, names as
 * objects.  References are checked for form here and for existence by the
 * record layer.  On error the message names the field and the valid values. */
int model_validate(struct at_ctx *ctx, const struct type_spec *t, json_t *data);

/* Sets field of data from text, as typed on a command line or in a CSV
 * cell: converts to the field's JSON type ("1990" -> 1990); a names field
 * gets text appended as one more name.  Validation happens later. */
int model_set_from_text(struct at_ctx *ctx, const struct type_spec *t, json_t *data,
                        const char *field, const char *text);

/* Writes the value of field as text, the inverse of model_set_from_text
 * (names joined by " | ").  Empty when the field is absent. */
void model_field_text(const struct field_spec *f, json_t *value, struct buf *out);

/* Calls fn for each reference that data makes to another record. */
void model_each_ref(const struct type_spec *t, json_t *data,
                    void (*fn)(void *arg, const char *field, const char *target), void *arg);

/* Appends a one-line summary of a record's data for lists: its title,
 * name, code or first name, or what it links. */
void model_summary(const struct type_spec *t, json_t *data, struct buf *out);

/* Appends the place text a field holds to out, places separated by
 * " / ": a text field's value, each sale's place of a chain of sales. */
void model_place_text(const struct field_spec *f, json_t *value, struct buf *out);

/* The keys of a sale of a chain (FIELD_SALES), in the order they are shown:
 * seller, buyer, broker, place, date, price, currency, note. */
const char *const *model_sale_keys(size_t *count);

/* True when code is an ISO 3166-1 alpha-2 country code (upper case). */
bool model_country_valid(const char *code);
/* Appends the name of country code in lang ("en", "ko") to out, or the code
 * itself when there is none. */
void model_country_name(const char *code, const char *lang, struct buf *out);

/* True when a witness's data holds a consent for use (a consent_use code)
 * that is granted and not withdrawn. */
bool model_consent_allows(json_t *witness_data, const char *use);

/* True if id is well formed: a known prefix, a dash, 12 id characters. */
bool model_id_valid(const char *id);
/* Writes a fresh random id for type t into out (at least 32 bytes). */
void model_new_id(const struct type_spec *t, char *out);
/* The same for things that are not records (evidence items: "ei"). */
void model_random_id(const char *prefix, char *out);
/* True if id is such an id: prefix, a dash, 12 id characters. */
bool model_random_id_valid(const char *prefix, const char *id);

#endif
