/*
 * screen_decision.c: an analyst's "not this entry" decisions on screening
 * hits, kept as records of type dismissal (see screen_decision.h): made,
 * withdrawn, listed, and applied to the hits of a record.
 */
#include "attest.h"
#include "evlog.h"
#include "lists.h"
#include "record.h"
#include "screen_decision.h"
#include "vocab.h"

#include <string.h>

void screen_list_of(const char *version, char source[8])
{
    size_t n = strcspn(version, "-");

    snprintf(source, 8, "%.*s", (int)(n < 7 ? n : 7), version);
}

struct found {
    const char *list, *key;  /* NULL: every decision */
    bool with_withdrawn;
    json_t *docs;            /* version documents */
};

static int collect(void *arg, json_t *doc)
{
    struct found *f = arg;
    json_t *d = json_object_get(doc, "data");

    if ((f->list && strcmp(json_string_value(json_object_get(d, "list")), f->list) != 0)
        || (f->key && strcmp(json_string_value(json_object_get(d, "key")), f->key) != 0)
        || (!f->with_withdrawn
            && strcmp(json_string_value(json_object_get(d, "status")), "dismissed") != 0))
        return AT_OK;
    json_array_append(f->docs, doc);
    return AT_OK;
}

/* The dismissal records of record (NULL: all) the session may read, of
 * one entry when list and key are given, as version documents. */
static int find(struct at_ctx *ctx, struct store *st, const char *record, struct found *f)
{
    struct record_filter filter = RECORD_FILTER_INIT;

    filter.type = "dismissal";
    if (record) {
        filter.fields[0].name = "record";
        filter.fields[0].value = record;
    }
    f->docs = json_array();
    return record_list(ctx, st, &filter, collect, f);
}

struct decide {
    const char *record, *entry, *note;
    bool dismiss;
    int clearance;  /* of a new decision */
    char *id;
};

/* Reads the screened record for the session (refused as for a record that
 * does not exist when it may not), before the write's transaction: the
 * reading of a confidential record is logged in a write of its own.  A new
 * decision is as confidential as its record, and at least the type's
 * default. */
static int prepare(struct at_ctx *ctx, struct store *st, struct decide *d)
{
    int floor = model_type("dismissal")->default_clearance, c;
    const struct type_spec *t = model_type_of_id(d->record);
    json_t *doc;
    int rc;

    /* by its id alone, before anything is read */
    if (t == NULL || (strcmp(t->name, "organisation") != 0 && strcmp(t->name, "person") != 0
                      && strcmp(t->name, "vessel") != 0))
        return ctx_error(ctx, AT_EINVAL, "%s is not an organisation, a person or a vessel; only "
                         "those are screened", d->record);
    if ((rc = record_read(ctx, st, d->record, 0, &doc)) != AT_OK)
        return rc;
    rc = vocab_clearance_parse(ctx, json_string_value(json_object_get(doc, "clearance")), &c);
    json_decref(doc);
    d->clearance = c > floor ? c : floor;
    return rc;
}

static int decide_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct decide *d = arg;
    struct buf key = BUF_INIT, name = BUF_INIT;
    struct found f = { 0 };
    struct record_write w = RECORD_WRITE_INIT;
    char source[8];
    json_t *data = NULL, *cur;
    int rc;

    if ((rc = lists_find_key(ctx, st, d->entry, source, &key, &name)) != AT_OK)
        goto out;
    f.list = source;
    f.key = buf_str(&key);
    f.with_withdrawn = true;
    if ((rc = find(ctx, st, d->record, &f)) != AT_OK)
        goto out;
    cur = json_array_get(f.docs, 0);
    const char *status = json_string_value(json_object_get(json_object_get(cur, "data"), "status"));
    bool in_force = status && strcmp(status, "dismissed") == 0;
    if (cur)
        snprintf(d->id, RECORD_ID_MAX, "%s", json_string_value(json_object_get(cur, "id")));
    if (d->dismiss && in_force) {
        rc = ctx_error(ctx, AT_ECONFLICT, "%s:%s is already dismissed for %s (%s, by %s at %s)",
                       source, buf_str(&key), d->record, d->id,
                       json_string_value(json_object_get(cur, "author")),
                       json_string_value(json_object_get(cur, "written_at")));
    } else if (d->dismiss) {
        data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "record", d->record, "list", source,
                         "key", buf_str(&key), "entry_name", buf_str(&name), "status", "dismissed");
        /* an amend drops the note of the withdrawn decision (null) */
        if (d->note || cur)
            json_object_set_new(data, "note", d->note ? json_string(d->note) : json_null());
        if (cur) {
            w.reason = "dismissed again";
            rc = record_amend(ctx, st, d->id, data, &w);
        } else {
            w.clearance = d->clearance;
            rc = record_add(ctx, st, model_type("dismissal"), data, &w, d->id);
        }
    } else if (!in_force) {
        rc = ctx_error(ctx, AT_ENOTFOUND, "%s:%s is not dismissed for %s; nothing to withdraw",
                       source, buf_str(&key), d->record);
    } else {
        w.reason = d->note ? d->note : "decision withdrawn";
        data = json_pack("{s:s}", "status", "withdrawn");
        rc = record_amend(ctx, st, d->id, data, &w);
    }
out:
    json_decref(data);
    json_decref(f.docs);
    buf_free(&key);
    buf_free(&name);
    return rc;
}

static int decide(struct at_ctx *ctx, struct store *st, struct decide *d)
{
    int rc = prepare(ctx, st, d);

    return rc == AT_OK ? evlog_write(ctx, st, decide_write, d) : rc;
}

int screen_dismiss(struct at_ctx *ctx, struct store *st, const char *record, const char *entry,
                   const char *note, char *id)
{
    return decide(ctx, st, &(struct decide){ record, entry, note, true, -1, id });
}

int screen_undismiss(struct at_ctx *ctx, struct store *st, const char *record, const char *entry,
                     const char *note, char *id)
{
    return decide(ctx, st, &(struct decide){ record, entry, note, false, -1, id });
}

int screen_decisions(struct at_ctx *ctx, struct store *st, const char *record,
                     bool with_withdrawn, json_t **out)
{
    struct found f = { .with_withdrawn = with_withdrawn };
    json_t *doc;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = find(ctx, st, record, &f)) != AT_OK) {
        json_decref(f.docs);
        return rc;
    }
    *out = json_array();
    json_array_foreach(f.docs, i, doc) {
        json_t *d = json_object_get(doc, "data");
        json_array_append_new(*out, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
            "id", json_object_get(doc, "id"), "record", json_object_get(d, "record"),
            "list", json_object_get(d, "list"), "key", json_object_get(d, "key"),
            "entry_name", json_object_get(d, "entry_name") ?: json_null(),
            "status", json_object_get(d, "status"), "note", json_object_get(d, "note") ?: json_null(),
            "by", json_object_get(doc, "author"), "at", json_object_get(doc, "written_at"),
            "version", json_object_get(doc, "version"),
            "reason", json_object_get(doc, "reason") ?: json_null()));
    }
    json_decref(f.docs);
    return AT_OK;
}

/* The decision in force on record for the list and key of a hit, or NULL. */
static json_t *dismissal_of(json_t *decisions, const char *record, json_t *hit)
{
    const char *key = json_string_value(json_object_get(hit, "key"));
    char source[8];
    json_t *d;
    size_t i;

    screen_list_of(json_string_value(json_object_get(hit, "list")) ?: "", source);
    json_array_foreach(decisions, i, d)
        if (strcmp(json_string_value(json_object_get(d, "record")), record) == 0
            && strcmp(json_string_value(json_object_get(d, "list")), source) == 0
            && strcmp(json_string_value(json_object_get(d, "key")), key ?: "") == 0
            && strcmp(json_string_value(json_object_get(d, "status")), "dismissed") == 0)
            return d;
    return NULL;
}

void screen_decisions_apply(json_t *decisions, const char *record, json_t *hits,
                            json_t **dismissed)
{
    json_t *hit, *d;
    size_t i = 0;

    *dismissed = json_array();
    while (i < json_array_size(hits)) {
        hit = json_array_get(hits, i);
        if ((d = dismissal_of(decisions, record, hit)) == NULL) {
            i++;
            continue;
        }
        json_object_set_new(hit, "dismissal", json_pack("{s:O, s:O, s:O, s:O}", "id",
                                                        json_object_get(d, "id"), "by",
                                                        json_object_get(d, "by"), "at",
                                                        json_object_get(d, "at"), "note",
                                                        json_object_get(d, "note")));
        json_array_append(*dismissed, hit);
        json_array_remove(hits, i);
    }
}
