/*
 * ftm.c: FollowTheMoney entity JSON export and import (see ftm.h).
 *
 * Mapping of the archive's records:
 *
 *   organisation  Company (kind company or bank) or Organization; kind
 *                 also as a topic (fin.bank, gov, gov.security, mil,
 *                 pol.party); country, address, phone, email,
 *                 registration -> registrationNumber, imo -> imoNumber,
 *                 swift -> swiftBic, description -> notes
 *   person        Person: sex -> gender, birth_date -> birthDate,
 *                 occupation -> position, description -> notes
 *   vessel        Vessel: imo -> imoNumber (IMO1234567), flag, notes
 *   names         the first current name -> name; names with a "to"
 *                 date or noted "previous name" -> previousName; noted
 *                 "weak alias" -> weakAlias; the others -> alias
 *   relation      ownership -> Ownership {owner: from, asset: to},
 *                 directorship -> Directorship {director, organization},
 *                 succession -> Succession {successor: from,
 *                 predecessor: to}; date -> startDate (Succession: date),
 *                 description
 *
 * Fields with several values (address, phone, ...) hold them separated
 * by " | ".
 */
#include "attest.h"
#include "access.h"
#include "ftm.h"
#include "lists.h"
#include "model.h"
#include "record.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MULTI_SEP " | "

/* ---- helpers ------------------------------------------------------------ */

/* Appends value to props[prop] (an array) unless empty or already there. */
static void prop_add(json_t *props, const char *prop, const char *value)
{
    json_t *a = json_object_get(props, prop), *v;
    size_t i, n;

    if (value == NULL)
        return;
    while (isspace((unsigned char)*value))
        value++;
    n = strlen(value);
    while (n && isspace((unsigned char)value[n - 1]))
        n--;
    if (n == 0)
        return;
    if (a == NULL) {
        a = json_array();
        json_object_set_new(props, prop, a);
    }
    json_array_foreach(a, i, v)
        if (json_string_length(v) == n && memcmp(json_string_value(v), value, n) == 0)
            return;
    json_array_append_new(a, json_stringn(value, n));
}

/* Adds each " | "-separated part of text to props[prop]. */
static void prop_add_multi(json_t *props, const char *prop, const char *text)
{
    const char *p = text, *sep;

    if (text == NULL)
        return;
    while ((sep = strstr(p, MULTI_SEP)) != NULL) {
        char *part = xstrdup(p);
        part[sep - p] = '\0';
        prop_add(props, prop, part);
        free(part);
        p = sep + strlen(MULTI_SEP);
    }
    prop_add(props, prop, p);
}

static int write_entity(struct at_ctx *ctx, FILE *out, const char *id, const char *schema,
                        json_t *props, struct ftm_counts *c)
{
    json_t *e = json_pack("{s:s, s:s, s:O}", "id", id, "schema", schema, "properties", props);
    char *text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = AT_OK;

    if (text == NULL || fputs(text, out) < 0 || fputc('\n', out) == EOF)
        rc = ctx_error(ctx, AT_ERR, "writing the FtM export failed");
    free(text);
    json_decref(e);
    c->entities++;
    return rc;
}

static const struct {
    const char *kind, *topic;
} kind_topics[] = {
    { "bank", "fin.bank" },
    { "state_agency", "gov" },
    { "security_agency", "gov.security" },
    { "military_unit", "mil" },
    { "party_organ", "pol.party" },
};

/* ---- export of the archive's records -------------------------------- */

struct rec_export {
    struct at_ctx *ctx;
    FILE *out;
    struct ftm_counts *c;
    json_t *ids;    /* archive ids written: id -> true */
    json_t *docs;   /* every document shown, for the read log */
    int rc;
};

static void names_props(json_t *names, json_t *props)
{
    json_t *n;
    size_t i;
    int primary = -1;

    json_array_foreach(names, i, n) {
        const char *note = json_string_value(json_object_get(n, "note")) ?: "";
        if (primary < 0 && !json_object_get(n, "to") && strcmp(note, "previous name") != 0
            && strcmp(note, "weak alias") != 0)
            primary = (int)i;
    }
    if (primary < 0)
        primary = 0;
    prop_add(props, "name", json_string_value(json_object_get(json_array_get(names, (size_t)primary),
                                                              "name")));
    json_array_foreach(names, i, n) {
        const char *note = json_string_value(json_object_get(n, "note")) ?: "";
        const char *name = json_string_value(json_object_get(n, "name"));
        if ((int)i == primary)
            continue;
        if (json_object_get(n, "to") || strcmp(note, "previous name") == 0)
            prop_add(props, "previousName", name);
        else if (strcmp(note, "weak alias") == 0)
            prop_add(props, "weakAlias", name);
        else
            prop_add(props, "alias", name);
    }
}

static const char *text_of(json_t *data, const char *field)
{
    return json_string_value(json_object_get(data, field));
}

static int export_record(void *arg, json_t *doc)
{
    struct rec_export *x = arg;
    const char *type = text_of(doc, "type"), *id = text_of(doc, "id");
    json_t *data = json_object_get(doc, "data"), *props = json_object();
    const char *schema = NULL;
    char imo[16];

    names_props(json_object_get(data, "names"), props);
    if (strcmp(type, "organisation") == 0) {
        const char *kind = text_of(data, "kind") ?: "";
        schema = strcmp(kind, "company") == 0 || strcmp(kind, "bank") == 0 ? "Company" : "Organization";
        for (size_t i = 0; i < ARRAY_LEN(kind_topics); i++)
            if (strcmp(kind, kind_topics[i].kind) == 0)
                prop_add(props, "topics", kind_topics[i].topic);
        prop_add_multi(props, "country", text_of(data, "country"));
        prop_add_multi(props, "address", text_of(data, "address"));
        prop_add_multi(props, "phone", text_of(data, "phone"));
        prop_add_multi(props, "email", text_of(data, "email"));
        prop_add_multi(props, "registrationNumber", text_of(data, "registration"));
        prop_add_multi(props, "imoNumber", text_of(data, "imo"));
        prop_add_multi(props, "swiftBic", text_of(data, "swift"));
    } else if (strcmp(type, "person") == 0) {
        schema = "Person";
        prop_add(props, "gender", text_of(data, "sex"));
        prop_add(props, "birthDate", text_of(data, "birth_date"));
        prop_add(props, "position", text_of(data, "occupation"));
    } else {
        schema = "Vessel";
        if (text_of(data, "imo")) {
            snprintf(imo, sizeof imo, "IMO%s", text_of(data, "imo"));
            prop_add(props, "imoNumber", imo);
        }
        prop_add(props, "flag", text_of(data, "flag"));
    }
    prop_add(props, "notes", text_of(data, "description"));
    x->rc = write_entity(x->ctx, x->out, id, schema, props, x->c);
    json_decref(props);
    json_object_set_new(x->ids, id, json_true());
    json_array_append(x->docs, doc);
    x->c->records++;
    return x->rc;
}

static const struct {
    const char *kind, *schema, *from, *to;
} rel_map[] = {
    { "ownership", "Ownership", "owner", "asset" },
    { "directorship", "Directorship", "director", "organization" },
    { "succession", "Succession", "successor", "predecessor" },
};

static int export_relation(void *arg, json_t *doc)
{
    struct rec_export *x = arg;
    json_t *data = json_object_get(doc, "data"), *props;
    const char *kind = text_of(data, "kind") ?: "";
    const char *from = text_of(data, "from"), *to = text_of(data, "to");

    for (size_t i = 0; i < ARRAY_LEN(rel_map); i++) {
        if (strcmp(kind, rel_map[i].kind) != 0)
            continue;
        if (!json_object_get(x->ids, from) || !json_object_get(x->ids, to))
            return AT_OK;
        props = json_object();
        prop_add(props, rel_map[i].from, from);
        prop_add(props, rel_map[i].to, to);
        prop_add(props, strcmp(kind, "succession") == 0 ? "date" : "startDate", text_of(data, "date"));
        prop_add(props, "description", text_of(data, "description"));
        x->rc = write_entity(x->ctx, x->out, text_of(doc, "id"), rel_map[i].schema, props, x->c);
        json_decref(props);
        json_array_append(x->docs, doc);
        x->c->relations++;
        return x->rc;
    }
    return AT_OK;
}

int ftm_export_records(struct at_ctx *ctx, struct store *st, FILE *out, struct ftm_counts *c)
{
    static const char *const types[] = { "organisation", "person", "vessel" };
    struct rec_export x = { ctx, out, c, json_object(), json_array(), AT_OK };
    struct record_filter f = RECORD_FILTER_INIT;
    int rc = AT_OK;

    memset(c, 0, sizeof *c);
    f.max_clearance = access_session_clearance(store_session(st));
    for (size_t i = 0; i < ARRAY_LEN(types) && rc == AT_OK; i++) {
        f.type = types[i];
        rc = record_list(ctx, st, &f, export_record, &x);
    }
    f.type = "relation";
    if (rc == AT_OK)
        rc = record_list(ctx, st, &f, export_relation, &x);
    if (rc == AT_OK && (fflush(out) != 0 || ferror(out)))
        rc = ctx_error(ctx, AT_ERR, "writing the FtM export failed");
    if (rc == AT_OK)
        rc = record_log_reads(ctx, st, x.docs);
    json_decref(x.ids);
    json_decref(x.docs);
    return rc;
}

/* ---- export of a list version ----------------------------------------- */

static const struct {
    const char *kind, *prop;
} id_props[] = {
    { "imo", "imoNumber" }, { "swift", "swiftBic" }, { "phone", "phone" },
    { "email", "email" }, { "website", "website" }, { "passport", "passportNumber" },
    { "national_id", "idNumber" }, { "registration", "registrationNumber" },
    { "tax_id", "taxNumber" }, { "mmsi", "mmsi" }, { "call_sign", "callSign" },
    { "document", "idNumber" },
};

/* A list's date of birth as an FtM date (an ISO 8601 prefix): "1962-02-18",
 * "10 Jan 1987" and "circa 1947" give 1962-02-18, 1987-01-10 and 1947;
 * ranges and other forms give nothing (they stay in the remarks). */
static bool dob_iso(const char *s, struct buf *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int d, y, n = 0;
    char mon[4] = "";

    buf_reset(out);
    if (strncasecmp(s, "circa ", 6) == 0)
        s += 6;
    if (strlen(s) >= 4 && strspn(s, "0123456789-") == strlen(s)) {
        buf_puts(out, s);
        return true;
    }
    if (sscanf(s, "%2d %3s %4d%n", &d, mon, &y, &n) == 3 && s[n] == '\0') {
        const char *m = strstr(months, mon);
        if (m && (m - months) % 3 == 0 && strlen(mon) == 3) {
            buf_printf(out, "%04d-%02d-%02d", y, (int)(m - months) / 3 + 1, d);
            return true;
        }
    }
    return false;
}

static void entity_id(const char *version, const char *key, struct buf *out)
{
    size_t n = strcspn(version, "-");

    buf_reset(out);
    buf_printf(out, "%.*s-", (int)n, version);
    for (const char *k = key; *k; k++)
        buf_putc(out, isalnum((unsigned char)*k) || *k == '.' || *k == '_' ? *k : '-');
}

static int export_entry(struct at_ctx *ctx, FILE *out, const char *version, json_t *e,
                        json_t *by_name, struct ftm_counts *c)
{
    static const char *const qualities[][2] = {
        { "primary", "name" }, { "strong", "alias" }, { "weak", "weakAlias" },
        { "fka", "previousName" },
    };
    const char *type = text_of(e, "type") ?: "company";
    const char *schema = strcmp(type, "person") == 0 ? "Person"
                       : strcmp(type, "vessel") == 0 ? "Vessel"
                       : strcmp(type, "aircraft") == 0 ? "Airplane" : "Company";
    struct buf id = BUF_INIT, aid = BUF_INIT, full = BUF_INIT;
    json_t *props = json_object(), *v;
    size_t i;
    int rc = AT_OK;

    entity_id(version, text_of(e, "key"), &id);
    prop_add(props, "name", text_of(e, "name"));
    for (size_t q = 0; q < ARRAY_LEN(qualities); q++)
        json_array_foreach(json_object_get(e, "names"), i, v)
            if (strcmp(text_of(v, "quality") ?: "", qualities[q][0]) == 0
                && strcmp(text_of(v, "name") ?: "", text_of(e, "name") ?: "") != 0)
                prop_add(props, qualities[q][1], text_of(v, "name"));
    json_array_foreach(json_object_get(e, "ids"), i, v) {
        const char *kind = text_of(v, "kind") ?: "", *value = text_of(v, "value");
        for (size_t k = 0; k < ARRAY_LEN(id_props); k++) {
            if (strcmp(kind, id_props[k].kind) != 0)
                continue;
            if (strcmp(kind, "imo") == 0) {
                struct buf digits = BUF_INIT;
                lists_attr_norm("imo", value, &digits);
                buf_reset(&full);
                buf_printf(&full, "IMO%s", buf_str(&digits));
                prop_add(props, "imoNumber", buf_str(&full));
                buf_free(&digits);
            } else if (strcmp(kind, "passport") != 0 || strcmp(schema, "Person") == 0) {
                prop_add(props, id_props[k].prop, value);
            } else {
                prop_add(props, "idNumber", value);
            }
        }
    }
    json_array_foreach(json_object_get(e, "programs"), i, v)
        prop_add(props, "program", json_string_value(v));
    json_array_foreach(json_object_get(e, "dob"), i, v)
        if (strcmp(schema, "Person") == 0 && dob_iso(json_string_value(v), &full))
            prop_add(props, "birthDate", buf_str(&full));
    json_array_foreach(json_object_get(e, "nationality"), i, v)
        if (strcmp(schema, "Person") == 0)
            prop_add(props, "nationality", json_string_value(v));
    json_t *vessel = json_object_get(e, "vessel");
    if (strcmp(schema, "Vessel") == 0 && vessel)
        prop_add(props, "flag", text_of(vessel, "flag"));
    prop_add(props, "notes", text_of(e, "remarks"));
    prop_add(props, "topics", "sanction");
    /* addresses, each also an Address entity */
    json_array_foreach(json_object_get(e, "addresses"), i, v) {
        static const char *const parts[][2] = {
            { "street", "street" }, { "city", "city" }, { "state", "region" },
            { "zip", "postalCode" }, { "country", "country" },
        };
        json_t *ap = json_object();
        buf_reset(&full);
        for (size_t k = 0; k < ARRAY_LEN(parts); k++) {
            const char *part = text_of(v, parts[k][0]);
            if (part && *part) {
                buf_printf(&full, "%s%s", full.len ? ", " : "", part);
                prop_add(ap, parts[k][1], part);
            }
        }
        if (text_of(v, "country"))
            prop_add(props, "country", text_of(v, "country"));
        if (full.len && (text_of(v, "street") || text_of(v, "city"))) {
            prop_add(ap, "full", buf_str(&full));
            buf_reset(&aid);
            buf_printf(&aid, "%s-addr-%zu", buf_str(&id), i + 1);
            prop_add(props, "address", buf_str(&full));
            prop_add(props, "addressEntity", buf_str(&aid));
            if (rc == AT_OK)
                rc = write_entity(ctx, out, buf_str(&aid), "Address", ap, c);
            c->addresses++;
        }
        json_decref(ap);
    }
    if (rc == AT_OK)
        rc = write_entity(ctx, out, buf_str(&id), schema, props, c);
    c->records++;
    /* "Linked To" names that are entries of this version */
    json_array_foreach(json_object_get(e, "links"), i, v) {
        struct buf up = BUF_INIT;
        for (const char *s = json_string_value(v); s && *s; s++)
            buf_putc(&up, (char)toupper((unsigned char)*s));
        while (up.len && (up.data[up.len - 1] == '.' || up.data[up.len - 1] == ' '))
            up.data[--up.len] = '\0';
        const char *other = json_string_value(json_object_get(by_name, buf_str(&up)));
        if (other && rc == AT_OK) {
            json_t *lp = json_object();
            buf_reset(&aid);
            entity_id(version, other, &full);
            buf_printf(&aid, "%s-link-%zu", buf_str(&id), i + 1);
            prop_add(lp, "subject", buf_str(&id));
            prop_add(lp, "object", buf_str(&full));
            prop_add(lp, "role", "Linked To");
            rc = write_entity(ctx, out, buf_str(&aid), "UnknownLink", lp, c);
            c->relations++;
            json_decref(lp);
        }
        buf_free(&up);
    }
    json_decref(props);
    buf_free(&id);
    buf_free(&aid);
    buf_free(&full);
    return rc;
}

int ftm_export_list(struct at_ctx *ctx, struct store *st, const char *arg, FILE *out,
                    struct ftm_counts *c)
{
    static const char entries_sql[] = "SELECT doc FROM list_entry WHERE version = ?1 ORDER BY key";
    static const char names_sql[] = "SELECT upper(name), key FROM list_name WHERE version = ?1";
    json_t *docs = json_array(), *by_name = json_object(), *e;
    char version[64];
    sqlite3_stmt *stmt;
    size_t i;
    int rc;

    memset(c, 0, sizeof *c);
    if ((rc = lists_resolve(ctx, st, arg, version)) != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, names_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_object_set_new(by_name, (const char *)sqlite3_column_text(stmt, 0),
                            json_string((const char *)sqlite3_column_text(stmt, 1)));
    sqlite3_reset(stmt);
    if ((stmt = store_stmt(ctx, st, entries_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        if (doc)
            json_array_append_new(docs, doc);
    }
    sqlite3_reset(stmt);
    json_array_foreach(docs, i, e)
        if ((rc = export_entry(ctx, out, version, e, by_name, c)) != AT_OK)
            break;
    if (rc == AT_OK && (fflush(out) != 0 || ferror(out)))
        rc = ctx_error(ctx, AT_ERR, "writing the FtM export failed");
out:
    json_decref(docs);
    json_decref(by_name);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

enum ent_kind { E_RECORD, E_ADDRESS, E_RELATION, E_OTHER };

struct ent {
    json_t *obj;        /* the parsed line */
    json_t *props;      /* borrowed from obj */
    const char *id, *schema;
    long line;
    enum ent_kind kind;
    const struct type_spec *t;  /* E_RECORD */
    int rel;                    /* E_RELATION: index in rel_map */
    char aid[RECORD_ID_MAX];    /* E_RECORD, E_RELATION: the archive id */
};

struct ftm_in {
    struct at_ctx *ctx;
    struct store *st;
    const char *file;
    struct ent *v;
    size_t n;
    json_t *index;  /* FtM id -> position in v */
};

static const char *const org_schemas[] = { "Company", "Organization", "LegalEntity", "PublicBody" };
static const char *const other_schemas[] = {
    "Thing", "Airplane", "Asset", "BankAccount", "CryptoWallet", "Identification", "Sanction",
    "UnknownLink", "Associate", "Family", "Membership", "Employment", "Representation",
    "Occupancy", "Position", "Similar", "Passport", "Note", "Security", "Vehicle", "Event",
    "Mention", "Article", "Document", "Debt", "Payment", "Contract", "ContractAward",
    "CourtCase", "CourtCaseParty", "EconomicActivity", "Project", "ProjectParticipant",
    "Trip", "Call", "Email", "Message", "Page", "Pages", "Image", "Video", "Audio",
    "Folder", "Package", "Workbook", "Table", "PlainText", "HyperText", "Interval",
    "Interest", "Analyzable", "Value", "TaxRoll", "License",
};

static bool one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* Reads and checks the form of every line. */
static int read_entities(struct ftm_in *in, FILE *f)
{
    struct at_ctx *ctx = in->ctx;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = AT_OK;

    while (rc == AT_OK && (len = getline(&line, &cap, f)) >= 0) {
        json_error_t jerr;
        json_t *obj, *v;
        const char *key;

        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        if ((obj = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: column %d: malformed JSON: %s", in->file, lineno,
                           jerr.column, jerr.text);
            break;
        }
        in->v = xrealloc(in->v, (in->n + 1) * sizeof *in->v);
        struct ent *e = &in->v[in->n++];
        memset(e, 0, sizeof *e);
        e->obj = obj;
        e->line = lineno;
        e->id = json_string_value(json_object_get(obj, "id"));
        e->schema = json_string_value(json_object_get(obj, "schema"));
        e->props = json_object_get(obj, "properties");
        if (!json_is_object(obj)) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: expected an entity {\"id\", \"schema\", "
                           "\"properties\"}", in->file, lineno);
            break;
        }
        if (e->id == NULL || *e->id == '\0') {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: field \"id\": required, a non-empty text",
                           in->file, lineno);
            break;
        }
        if (e->schema == NULL) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: field \"schema\": required, an FtM schema "
                           "name such as Company, Person or Vessel", in->file, lineno);
            break;
        }
        if (e->props == NULL && json_is_object(obj)) {
            json_object_set_new(obj, "properties", json_object());
            e->props = json_object_get(obj, "properties");
        }
        if (!json_is_object(e->props)) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: field \"properties\": must be an object of "
                           "property lists", in->file, lineno);
            break;
        }
        json_object_foreach(e->props, key, v) {
            size_t i;
            json_t *x;
            bool ok = json_is_array(v);
            json_array_foreach(v, i, x)
                ok &= json_is_string(x);
            if (!ok) {
                rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: property \"%s\": must be a list of text "
                               "values", in->file, lineno, key);
                break;
            }
        }
        if (rc != AT_OK)
            break;
        if (json_object_get(in->index, e->id)) {
            rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: field \"id\": \"%s\" is also the id of the "
                           "entity on line %ld", in->file, lineno, e->id,
                           in->v[json_integer_value(json_object_get(in->index, e->id))].line);
            break;
        }
        json_object_set_new(in->index, e->id, json_integer((json_int_t)(in->n - 1)));
        if (one_of(e->schema, org_schemas, ARRAY_LEN(org_schemas))) {
            e->kind = E_RECORD;
            e->t = model_type("organisation");
        } else if (strcmp(e->schema, "Person") == 0) {
            e->kind = E_RECORD;
            e->t = model_type("person");
        } else if (strcmp(e->schema, "Vessel") == 0) {
            e->kind = E_RECORD;
            e->t = model_type("vessel");
        } else if (strcmp(e->schema, "Address") == 0) {
            e->kind = E_ADDRESS;
        } else {
            e->kind = E_OTHER;
            for (size_t i = 0; i < ARRAY_LEN(rel_map); i++)
                if (strcmp(e->schema, rel_map[i].schema) == 0) {
                    e->kind = E_RELATION;
                    e->rel = (int)i;
                }
            if (e->kind == E_OTHER && !one_of(e->schema, other_schemas, ARRAY_LEN(other_schemas)))
                rc = ctx_error(ctx, AT_EINVAL, "%s:%ld: field \"schema\": \"%s\" is not an FtM "
                               "schema; imported: Company, Organization, LegalEntity, Person, "
                               "Vessel, Address, Ownership, Directorship, Succession",
                               in->file, lineno, e->schema);
        }
    }
    free(line);
    if (rc == AT_OK && ferror(f))
        rc = ctx_error(ctx, AT_ERR, "%s: read error", in->file);
    return rc;
}

static json_t *props_of(const struct ent *e, const char *prop)
{
    return json_object_get(e->props, prop);
}

static const char *first_of(const struct ent *e, const char *prop)
{
    return json_string_value(json_array_get(props_of(e, prop), 0));
}

/* The values of prop joined by sep into out (reset first); false if none. */
static bool joined(const struct ent *e, const char *prop, const char *sep, struct buf *out)
{
    json_t *v;
    size_t i;

    buf_reset(out);
    json_array_foreach(props_of(e, prop), i, v)
        if (json_string_length(v))
            buf_printf(out, "%s%s", out->len ? sep : "", json_string_value(v));
    return out->len > 0;
}

static void set_joined(json_t *data, const char *field, const struct ent *e, const char *prop,
                       const char *sep)
{
    struct buf b = BUF_INIT;

    if (joined(e, prop, sep, &b))
        json_object_set_new(data, field, json_string(buf_str(&b)));
    buf_free(&b);
}

/* An Address entity's text: its "full", else its parts joined. */
static void address_of(const struct ent *a, struct buf *out)
{
    static const char *const parts[] = { "street", "street2", "postOfficeBox", "city", "postalCode",
                                         "region", "state", "country" };
    buf_reset(out);
    if (first_of(a, "full")) {
        buf_puts(out, first_of(a, "full"));
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(parts); i++)
        if (first_of(a, parts[i]) && *first_of(a, parts[i]))
            buf_printf(out, "%s%s", out->len ? ", " : "", first_of(a, parts[i]));
}

/* Digits of an IMO number written "IMO 1234567", "IMO1234567" or bare. */
static void imo_digits(const char *s, struct buf *out)
{
    buf_reset(out);
    for (; s && *s; s++)
        if (isdigit((unsigned char)*s))
            buf_putc(out, *s);
}

/* The archive field -> FtM property, for messages. */
static const char *prop_of_field(const struct ent *e, const char *field)
{
    static const char *const map[][2] = {
        { "names", "name" }, { "registration", "registrationNumber" }, { "imo", "imoNumber" },
        { "swift", "swiftBic" }, { "description", "notes" }, { "sex", "gender" },
        { "birth_date", "birthDate" }, { "occupation", "position" }, { "kind", "topics" },
        { "date", "startDate" },
    };
    if (e->kind == E_RELATION && strcmp(field, "from") == 0)
        return rel_map[e->rel].from;
    if (e->kind == E_RELATION && strcmp(field, "to") == 0)
        return rel_map[e->rel].to;
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strcmp(field, map[i][0]) == 0)
            return map[i][1];
    return field;
}

/* Prefixes the message of a failed check of e's data with the line and
 * the FtM property that the archive field came from. */
static int entity_error(struct ftm_in *in, const struct ent *e)
{
    const char *m = in->ctx->message, *q;
    char field[64] = "";

    if (strncmp(m, "field \"", 7) == 0 && (q = strchr(m + 7, '"')) != NULL
        && (size_t)(q - m - 7) < sizeof field)
        snprintf(field, sizeof field, "%.*s", (int)(q - m - 7), m + 7);
    if (field[0])
        return ctx_prefix(in->ctx, "%s:%ld: entity %s (%s): property \"%s\": ", in->file, e->line,
                          e->id, e->schema, prop_of_field(e, field));
    return ctx_prefix(in->ctx, "%s:%ld: entity %s (%s): ", in->file, e->line, e->id, e->schema);
}

static void add_names(json_t *names, const struct ent *e, const char *prop, const char *note)
{
    json_t *v;
    size_t i;

    json_array_foreach(props_of(e, prop), i, v) {
        if (json_string_length(v) == 0)
            continue;
        json_t *n = json_pack("{s:O}", "name", v);
        if (note)
            json_object_set_new(n, "note", json_string(note));
        json_array_append_new(names, n);
    }
}

/* Resolves a reference to an entity of the file or a record of the
 * archive into the archive id and type. */
static int resolve_ref(struct ftm_in *in, const struct ent *e, const char *prop, const char *ref,
                       const char **aid, const struct type_spec **t)
{
    json_t *pos = json_object_get(in->index, ref);

    if (pos) {
        struct ent *x = &in->v[json_integer_value(pos)];
        if (x->kind == E_RECORD) {
            *aid = x->aid;
            *t = x->t;
            return AT_OK;
        }
        return ctx_error(in->ctx, AT_EINVAL, "%s:%ld: entity %s (%s): property \"%s\": \"%s\" is a "
                         "%s (line %ld), not a company, organisation, person or vessel", in->file,
                         e->line, e->id, e->schema, prop, ref, x->schema, x->line);
    }
    if (model_id_valid(ref)) {
        json_t *doc;
        if (record_get(in->ctx, in->st, ref, 0, &doc) == AT_OK) {
            json_decref(doc);
            *aid = ref;
            *t = model_type_of_id(ref);
            return AT_OK;
        }
        ctx_clear(in->ctx);
    }
    return ctx_error(in->ctx, AT_EINVAL, "%s:%ld: entity %s (%s): property \"%s\": \"%s\" is not "
                     "an entity of this file nor a record of the archive", in->file, e->line,
                     e->id, e->schema, prop, ref);
}

/* Builds the {"type", "id", "data"} item of a record entity. */
static int record_item(struct ftm_in *in, struct ent *e, json_t **item)
{
    json_t *data = json_object(), *names = json_array(), *v;
    struct buf b = BUF_INIT, addr = BUF_INIT;
    size_t i;
    int rc = AT_OK;

    *item = NULL;
    add_names(names, e, "name", NULL);
    add_names(names, e, "alias", "alias");
    add_names(names, e, "weakAlias", "weak alias");
    add_names(names, e, "previousName", "previous name");
    if (json_array_size(names) == 0 || first_of(e, "name") == NULL) {
        json_decref(names);
        json_decref(data);
        return ctx_error(in->ctx, AT_EINVAL, "%s:%ld: entity %s (%s): property \"name\": required",
                         in->file, e->line, e->id, e->schema);
    }
    json_object_set_new(data, "names", names);
    if (strcmp(e->t->name, "organisation") == 0) {
        const char *kind = strcmp(e->schema, "Company") == 0 ? "company" : NULL;
        json_array_foreach(props_of(e, "topics"), i, v)
            for (size_t k = 0; k < ARRAY_LEN(kind_topics); k++)
                if (strcmp(json_string_value(v), kind_topics[k].topic) == 0)
                    kind = kind_topics[k].kind;
        if (kind)
            json_object_set_new(data, "kind", json_string(kind));
        set_joined(data, "country", e, "country", MULTI_SEP);
        joined(e, "address", MULTI_SEP, &b);
        json_array_foreach(props_of(e, "addressEntity"), i, v) {
            json_t *pos = json_object_get(in->index, json_string_value(v));
            if (pos == NULL || in->v[json_integer_value(pos)].kind != E_ADDRESS) {
                rc = ctx_error(in->ctx, AT_EINVAL, "%s:%ld: entity %s (%s): property "
                               "\"addressEntity\": \"%s\" is not an Address entity of this file",
                               in->file, e->line, e->id, e->schema, json_string_value(v));
                goto out;
            }
            address_of(&in->v[json_integer_value(pos)], &addr);
            if (addr.len && strstr(buf_str(&b), buf_str(&addr)) == NULL)
                buf_printf(&b, "%s%s", b.len ? MULTI_SEP : "", buf_str(&addr));
        }
        if (b.len)
            json_object_set_new(data, "address", json_string(buf_str(&b)));
        set_joined(data, "phone", e, "phone", MULTI_SEP);
        set_joined(data, "email", e, "email", MULTI_SEP);
        set_joined(data, "registration", e, "registrationNumber", MULTI_SEP);
        set_joined(data, "swift", e, "swiftBic", MULTI_SEP);
        buf_reset(&b);
        json_array_foreach(props_of(e, "imoNumber"), i, v) {
            imo_digits(json_string_value(v), &addr);
            if (addr.len)
                buf_printf(&b, "%s%s", b.len ? MULTI_SEP : "", buf_str(&addr));
        }
        if (b.len)
            json_object_set_new(data, "imo", json_string(buf_str(&b)));
    } else if (strcmp(e->t->name, "person") == 0) {
        if (first_of(e, "gender")) {
            buf_reset(&b);
            for (const char *s = first_of(e, "gender"); *s; s++)
                buf_putc(&b, (char)tolower((unsigned char)*s));
            json_object_set_new(data, "sex", json_string(buf_str(&b)));
        }
        if (first_of(e, "birthDate"))
            json_object_set_new(data, "birth_date", json_string(first_of(e, "birthDate")));
        set_joined(data, "occupation", e, "position", "; ");
    } else {
        if (first_of(e, "imoNumber")) {
            imo_digits(first_of(e, "imoNumber"), &b);
            json_object_set_new(data, "imo", json_string(buf_str(&b)));
        }
        if (first_of(e, "flag"))
            json_object_set_new(data, "flag", json_string(first_of(e, "flag")));
    }
    set_joined(data, "description", e, "notes", "\n\n");
    /* checked here so that the message names the line and the property */
    json_t *copy = json_deep_copy(data);
    rc = model_validate(in->ctx, e->t, copy);
    json_decref(copy);
    if (rc != AT_OK) {
        entity_error(in, e);
        goto out;
    }
    *item = json_pack("{s:s, s:s, s:O}", "type", e->t->name, "id", e->aid, "data", data);
out:
    json_decref(data);
    buf_free(&b);
    buf_free(&addr);
    return rc;
}

static int relation_item(struct ftm_in *in, struct ent *e, json_t **item)
{
    const char *ends[2] = { rel_map[e->rel].from, rel_map[e->rel].to };
    const char *aid[2];
    const struct type_spec *t[2];
    json_t *data;
    int rc;

    *item = NULL;
    for (int k = 0; k < 2; k++) {
        const char *ref = first_of(e, ends[k]);
        if (ref == NULL)
            return ctx_error(in->ctx, AT_EINVAL, "%s:%ld: entity %s (%s): property \"%s\": required",
                             in->file, e->line, e->id, e->schema, ends[k]);
        if ((rc = resolve_ref(in, e, ends[k], ref, &aid[k], &t[k])) != AT_OK)
            return rc;
    }
    data = json_pack("{s:s, s:s, s:s}", "kind", rel_map[e->rel].kind, "from", aid[0], "to", aid[1]);
    const char *date = first_of(e, "startDate") ?: first_of(e, "date");
    if (date)
        json_object_set_new(data, "date", json_string(date));
    set_joined(data, "description", e, "description", "\n\n");
    json_t *copy = json_deep_copy(data);
    rc = model_validate(in->ctx, model_type("relation"), copy);
    json_decref(copy);
    if (rc != AT_OK) {
        entity_error(in, e);
        json_decref(data);
        return rc;
    }
    *item = json_pack("{s:s, s:s, s:o}", "type", "relation", "id", e->aid, "data", data);
    return AT_OK;
}

/* Chooses the archive id of each record entity: its own id when that is
 * a free archive id of the right type (a round trip), else a new one. */
static int choose_ids(struct ftm_in *in)
{
    for (size_t i = 0; i < in->n; i++) {
        struct ent *e = &in->v[i];
        const struct type_spec *t = e->kind == E_RELATION ? model_type("relation") : e->t;
        json_t *doc;
        if (e->kind != E_RECORD && e->kind != E_RELATION)
            continue;
        if (model_id_valid(e->id) && model_type_of_id(e->id) == t) {
            if (record_get(in->ctx, in->st, e->id, 0, &doc) == AT_OK) {
                json_decref(doc);
                return ctx_error(in->ctx, AT_ECONFLICT, "%s:%ld: field \"id\": record %s is already "
                                 "in the archive", in->file, e->line, e->id);
            }
            ctx_clear(in->ctx);
            snprintf(e->aid, sizeof e->aid, "%s", e->id);
        } else {
            model_new_id(t, e->aid);
        }
    }
    return AT_OK;
}

int ftm_import(struct at_ctx *ctx, struct store *st, FILE *f, const char *file,
               const struct import_options *opt, struct ftm_counts *c)
{
    struct ftm_in in = { ctx, st, file, NULL, 0, json_object() };
    struct import_options o = *opt;
    struct import im;
    json_t **items = NULL;
    int rc;

    memset(c, 0, sizeof *c);
    o.skip_bad = false;
    if ((rc = read_entities(&in, f)) != AT_OK || (rc = choose_ids(&in)) != AT_OK)
        goto out;
    items = xcalloc(in.n + 1, sizeof *items);
    /* every item is built and checked before anything is written */
    for (size_t i = 0; i < in.n && rc == AT_OK; i++) {
        struct ent *e = &in.v[i];
        c->entities++;
        if (e->kind == E_RECORD)
            rc = record_item(&in, e, &items[i]);
        else if (e->kind == E_ADDRESS)
            c->addresses++;
        else if (e->kind == E_OTHER)
            c->skipped++;
    }
    for (size_t i = 0; i < in.n && rc == AT_OK; i++)
        if (in.v[i].kind == E_RELATION)
            rc = relation_item(&in, &in.v[i], &items[i]);
    if (rc != AT_OK)
        goto out;
    if ((rc = import_begin(&im, ctx, st, &o, file)) != AT_OK)
        goto out;
    /* records first, then the relations that refer to them */
    for (int pass = 0; pass < 2 && rc == AT_OK; pass++)
        for (size_t i = 0; i < in.n && rc == AT_OK; i++) {
            if (items[i] == NULL || (in.v[i].kind == E_RELATION) != (pass == 1))
                continue;
            rc = import_item(&im, items[i], NULL, in.v[i].line, 0);
            if (rc == AT_OK)
                pass == 0 ? c->records++ : c->relations++;
        }
    if (rc == AT_OK)
        rc = import_end(&im, true);
    else
        import_end(&im, false);
out:
    for (size_t i = 0; i < in.n; i++) {
        json_decref(in.v[i].obj);
        if (items)
            json_decref(items[i]);
    }
    free(items);
    free(in.v);
    json_decref(in.index);
    return rc;
}
