/*
 * screen_archive.c: the archive's organisations, persons and vessels
 * screened with the analysts' decisions applied (see screen_archive.h):
 * one record (screen --record), all of them (screen archive), and what
 * a new list version newly hits (screen archive --new).
 */
#include "attest.h"
#include "lists.h"
#include "record.h"
#include "screen_archive.h"
#include "screen_decision.h"

#include <stdlib.h>
#include <string.h>

/* The object of one record: its type and first name, as the listing or
 * record_get gave them. */
static json_t *record_result(const char *id, json_t *doc, json_t *hits, json_t *dismissed)
{
    json_t *data = json_object_get(doc, "data");
    json_t *name = json_object_get(json_array_get(json_object_get(data, "names"), 0), "name");

    return json_pack("{s:s, s:O, s:O, s:O, s:O}", "record", id, "type", json_object_get(doc, "type"),
                     "name", name ? name : json_null(), "hits", hits, "dismissed", dismissed);
}

/* Removes from hits those on a list entry (list and key) among before. */
static void drop_known(json_t *hits, json_t *before)
{
    size_t i = 0, j;
    json_t *b;

    while (i < json_array_size(hits)) {
        json_t *h = json_array_get(hits, i);
        char s1[8], s2[8];
        bool known = false;
        screen_list_of(json_string_value(json_object_get(h, "list")), s1);
        json_array_foreach(before, j, b) {
            screen_list_of(json_string_value(json_object_get(b, "list")), s2);
            if (strcmp(s1, s2) == 0 && json_equal(json_object_get(h, "key"), json_object_get(b, "key"))) {
                known = true;
                break;
            }
        }
        if (known)
            json_array_remove(hits, i);
        else
            i++;
    }
}

/* Screens record id (doc: its current version, borrowed) against ix, and
 * against before when given; applies decisions.  *out is NULL when the
 * record has nothing to report. */
static int screen_one(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                      const struct screen_index *before, const char *id, json_t *doc,
                      const struct screen_query *q, json_t *decisions, json_t **out)
{
    json_t *hits = NULL, *old = NULL, *dismissed = NULL;
    int rc;

    *out = NULL;
    if ((rc = screen_record(ctx, st, ix, id, q, &hits)) != AT_OK)
        goto out;
    if (before && json_array_size(hits)) {
        struct screen_query all = *q;
        all.limit = 0;
        if ((rc = screen_record(ctx, st, before, id, &all, &old)) != AT_OK)
            goto out;
        drop_known(hits, old);
    }
    screen_decisions_apply(decisions, id, hits, &dismissed);
    if (json_array_size(hits) || json_array_size(dismissed))
        *out = record_result(id, doc, hits, dismissed);
out:
    json_decref(hits);
    json_decref(old);
    json_decref(dismissed);
    return rc;
}

int screen_record_decided(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                          const char *id, const struct screen_query *q, json_t **out)
{
    json_t *decisions = NULL, *doc = NULL, *hits = NULL, *dismissed = NULL;
    int rc;

    *out = NULL;
    /* screen_record reads the record for the session (refused when it may
     * not); then its type and name are core's to look up */
    if ((rc = screen_record(ctx, st, ix, id, q, &hits)) == AT_OK
        && (rc = record_get(ctx, st, id, 0, &doc)) == AT_OK
        && (rc = screen_decisions(ctx, st, id, false, &decisions)) == AT_OK) {
        screen_decisions_apply(decisions, id, hits, &dismissed);
        *out = record_result(id, doc, hits, dismissed);
    }
    json_decref(hits);
    json_decref(dismissed);
    json_decref(decisions);
    json_decref(doc);
    return rc;
}

static int collect(void *arg, json_t *doc)
{
    json_array_append(arg, doc);
    return AT_OK;
}

int screen_archive(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                   const struct screen_archive_opts *o, json_t **out)
{
    static const char *const types[] = { "organisation", "person", "vessel" };
    json_t *docs = json_array(), *decisions = NULL, *doc, *one;
    size_t i;
    int rc = AT_OK;

    *out = NULL;
    for (i = 0; i < ARRAY_LEN(types) && rc == AT_OK; i++) {
        struct record_filter f = RECORD_FILTER_INIT;
        f.type = types[i];
        rc = record_list(ctx, st, &f, collect, docs);
    }
    if (rc == AT_OK)
        rc = screen_decisions(ctx, st, NULL, false, &decisions);
    if (rc != AT_OK)
        goto out;
    *out = json_array();
    json_array_foreach(docs, i, doc) {
        const char *id = json_string_value(json_object_get(doc, "id"));
        if ((rc = screen_one(ctx, st, ix, o->before, id, doc, o->q, decisions, &one)) != AT_OK) {
            ctx_prefix(ctx, "%s: ", id);
            break;
        }
        if (one)
            json_array_append_new(*out, one);
        if (o->progress)
            o->progress(o->arg, i + 1, json_array_size(docs));
    }
    if (rc != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
out:
    json_decref(docs);
    json_decref(decisions);
    return rc;
}

int screen_archive_before(struct at_ctx *ctx, struct store *st, const char *since, char last[64],
                          json_t **before)
{
    int rc;

    last[0] = '\0';
    if (since == NULL)
        return lists_last_import(ctx, st, last, before);
    rc = lists_in_force(ctx, st, since, before);
    if (rc == AT_ENOTFOUND) {
        /* no list in force that day: every hit is new */
        ctx_clear(ctx);
        *before = json_array();
        return AT_OK;
    }
    if (rc == AT_EINVAL)
        ctx_prefix(ctx, "since: ");
    return rc;
}
