/*
 * casework.c: a case's chain of sales and its indicator checklist changed
 * one step at a time, each step a new version of the case through
 * record_amend (so through the one access check and the one validator);
 * and a case read with its chain placed on the gazetteer, its full
 * checklist, and the dependants and referrals its reader may see.
 */
#include "attest.h"
#include "casework.h"
#include "gazetteer.h"
#include "model.h"
#include "record.h"
#include "vocab.h"

#include <string.h>

/* Reads id for the session and checks that it is a case; *doc is the
 * caller's on AT_OK.  shown: a reading shown to the user (record_read,
 * which logs a confidential one); else one that a write then changes
 * (record_visible: no log entry inside the write's own transaction, and
 * the same "no record" for one the session may not read). */
static int read_case(struct at_ctx *ctx, struct store *st, const char *id, bool shown,
                     json_t **doc)
{
    const char *type;
    int rc;

    if (shown && (rc = record_read(ctx, st, id, 0, doc)) != AT_OK)
        return rc;
    if (!shown && (*doc = record_visible(st, id)) == NULL)
        return ctx_error(ctx, AT_ENOTFOUND, "no record %s", id);
    type = json_string_value(json_object_get(*doc, "type"));
    if (strcmp(type, "case") != 0) {
        rc = ctx_error(ctx, AT_EINVAL, "%s is a %s, not a case", id, type); /* type is doc's */
        json_decref(*doc);
        *doc = NULL;
        return rc;
    }
    return AT_OK;
}

/* Writes the new value of one field of a case as its next version. */
static int amend_field(struct at_ctx *ctx, struct store *st, const char *id, const char *field,
                       json_t *value, const char *reason, const char *source)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *changes = json_object();
    int rc;

    json_object_set(changes, field, value);
    w.reason = reason;
    w.source = source;
    rc = record_amend(ctx, st, id, changes, &w);
    json_decref(changes);
    return rc;
}

/* The sales of a case, a copy the caller owns (empty when none). */
static json_t *sales_of(json_t *doc)
{
    json_t *sales = json_object_get(json_object_get(doc, "data"), "sales");

    return sales ? json_deep_copy(sales) : json_array();
}

int casework_sale_add_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct casework_sale *c = arg;
    json_t *doc = NULL, *sales = NULL;
    size_t n;
    int rc;

    if ((rc = read_case(ctx, st, c->case_id, false, &doc)) != AT_OK)
        goto out;
    sales = sales_of(doc);
    n = json_array_size(sales);
    if (c->before > 0 && c->before > n) {
        rc = n ? ctx_error(ctx, AT_EINVAL, "--before %zu: the chain of %s has %zu sale%s; give a "
                           "number from 1 to %zu, or none to add it at the end", c->before,
                           c->case_id, n, n == 1 ? "" : "s", n)
               : ctx_error(ctx, AT_EINVAL, "--before %zu: the chain of %s has no sales yet; "
                           "give none to add the first", c->before, c->case_id);
        goto out;
    }
    c->position = c->before ? c->before : n + 1;
    json_array_insert(sales, c->position - 1, c->sale);
    rc = amend_field(ctx, st, c->case_id, "sales", sales,
                     c->reason ? c->reason : "sale added to the chain", c->source);
out:
    json_decref(sales);
    json_decref(doc);
    return rc;
}

int casework_sale_remove_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct casework_sale *c = arg;
    json_t *doc = NULL, *sales = NULL;
    size_t n;
    int rc;

    if ((rc = read_case(ctx, st, c->case_id, false, &doc)) != AT_OK)
        goto out;
    sales = sales_of(doc);
    n = json_array_size(sales);
    if (c->remove == 0 || c->remove > n) {
        rc = ctx_error(ctx, AT_EINVAL, "sale %zu: the chain of %s has %zu sale%s", c->remove,
                       c->case_id, n, n == 1 ? "" : "s");
        goto out;
    }
    if (c->reason == NULL) {
        rc = ctx_error(ctx, AT_EINVAL, "taking a sale out of a chain needs a reason (--reason)");
        goto out;
    }
    json_array_remove(sales, c->remove - 1);
    c->position = c->remove;
    rc = amend_field(ctx, st, c->case_id, "sales", n > 1 ? sales : json_null(), c->reason,
                     c->source);
out:
    json_decref(sales);
    json_decref(doc);
    return rc;
}

/* The code of vocabulary name that words stand for, or the error naming
 * what (--what), the valid codes and the nearest. */
static int match_code(struct at_ctx *ctx, const char *name, const char *what, const char *words,
                      const char **code)
{
    const struct vocab *v = vocab_find(name);
    struct buf valid = BUF_INIT, near = BUF_INIT;

    if (words && (*code = vocab_match(v, words)) != NULL)
        return AT_OK;
    vocab_list_codes(v, &valid);
    if (words)
        vocab_closest(v, words, 2, &near);
    ctx_error(ctx, AT_EINVAL, "%s: unknown %s \"%s\"%s%s; valid: %s", what, name,
              words ? words : "(none)", near.len ? "; nearest: " : "", buf_str(&near),
              buf_str(&valid));
    buf_free(&valid);
    buf_free(&near);
    return AT_EINVAL;
}

int casework_indicator_set_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct casework_indicator *c = arg;
    const char *code, *status;
    json_t *doc = NULL, *checklist = NULL, *entry;
    char reason[128];
    int rc;

    if ((rc = match_code(ctx, "ilo_indicator", "indicator", c->indicator, &code)) != AT_OK
        || (rc = match_code(ctx, "indicator_status", "status", c->status, &status)) != AT_OK
        || (rc = read_case(ctx, st, c->case_id, false, &doc)) != AT_OK)
        goto out;
    snprintf(c->code, sizeof c->code, "%s", code);
    checklist = json_deep_copy(json_object_get(json_object_get(doc, "data"), "indicators"));
    if (checklist == NULL)
        checklist = json_object();
    entry = json_pack("{s:s}", "status", status);
    if (c->note)
        json_object_set_new(entry, "note", json_string(c->note));
    if (c->source)
        json_object_set_new(entry, "source", json_string(c->source));
    json_object_set_new(checklist, code, entry);
    snprintf(reason, sizeof reason, "indicator %s: %s", code, status);
    rc = amend_field(ctx, st, c->case_id, "indicators", checklist, c->reason ? c->reason : reason,
                     NULL);
out:
    json_decref(checklist);
    json_decref(doc);
    return rc;
}

bool casework_region(const char *place, struct buf *region, double *lat, double *lon)
{
    const struct gazetteer_place *p = NULL, *province;

    if (place == NULL || *place == '\0') {
        buf_puts(region, "not given");
        return false;
    }
    if (gazetteer_named(place, &p, 1, NULL) == 0) {
        buf_puts(region, place);
        return false;
    }
    if (lat)
        *lat = p->lat;
    if (lon)
        *lon = p->lon;
    if (strcmp(p->country, "KP") == 0 && (province = gazetteer_province(p)) != NULL)
        buf_puts(region, province->name);
    else
        model_country_name(p->country, "en", region);
    return true;
}

/* The chain of sales with their numbers and, where the gazetteer knows
 * the place, its point and region. */
static json_t *chain_json(json_t *data)
{
    json_t *chain = json_array(), *sale;
    struct buf region = BUF_INIT;
    size_t i;

    json_array_foreach(json_object_get(data, "sales"), i, sale) {
        json_t *one = json_deep_copy(sale);
        double lat, lon;
        buf_reset(&region);
        json_object_set_new(one, "n", json_integer((json_int_t)i + 1));
        if (casework_region(json_string_value(json_object_get(sale, "place")), &region, &lat,
                            &lon)) {
            json_object_set_new(one, "lat", json_real(lat));
            json_object_set_new(one, "lon", json_real(lon));
        }
        json_object_set_new(one, "region", json_string(buf_str(&region)));
        json_array_append_new(chain, one);
    }
    buf_free(&region);
    return chain;
}

/* All eleven indicators in order, each with what the case records. */
static json_t *checklist_json(json_t *data)
{
    const struct vocab *v = vocab_find("ilo_indicator");
    json_t *recorded = json_object_get(data, "indicators"), *list = json_array();

    for (size_t i = 0; i < v->nterms; i++) {
        json_t *entry = json_object_get(recorded, v->terms[i].code);
        json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "code", v->terms[i].code, "label",
                                v->terms[i].label, "label_ko", v->terms[i].label_ko, "status",
                                json_string_value(json_object_get(entry, "status")) ?: "unknown");
        if (json_object_get(entry, "note"))
            json_object_set(row, "note", json_object_get(entry, "note"));
        if (json_object_get(entry, "source"))
            json_object_set(row, "source", json_object_get(entry, "source"));
        json_array_append_new(list, row);
    }
    return list;
}

int casework_read(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    json_t *doc = NULL, *referrers = NULL, *r, *dependants = json_array(), *referrals = json_array();
    json_t *data;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = read_case(ctx, st, id, true, &doc)) != AT_OK
        || (rc = record_referrers(ctx, st, id, &referrers)) != AT_OK)
        goto out;
    json_array_foreach(referrers, i, r) {
        const char *rid = json_string_value(json_object_get(r, "id"));
        const struct type_spec *t = model_type_of_id(rid);
        json_t *one = NULL;
        if (strcmp(json_string_value(json_object_get(r, "field")), "case") != 0
            || (strcmp(t->name, "dependant") != 0 && strcmp(t->name, "referral") != 0))
            continue;
        if ((rc = record_read(ctx, st, rid, 0, &one)) != AT_OK)
            goto out;
        if (json_is_true(json_object_get(one, "retracted")))
            json_decref(one);
        else
            json_array_append_new(strcmp(t->name, "dependant") == 0 ? dependants : referrals, one);
    }
    data = json_object_get(doc, "data");
    json_object_set_new(doc, "chain", chain_json(data));
    json_object_set_new(doc, "checklist", checklist_json(data));
    json_object_set(doc, "dependants", dependants);
    json_object_set(doc, "referrals", referrals);
    *out = json_incref(doc);
out:
    json_decref(doc);
    json_decref(referrers);
    json_decref(dependants);
    json_decref(referrals);
    return rc;
}
