/*
 * screen_record.c: the archive's own organisations, persons and vessels
 * as screening queries and as successor-detection entities (see
 * screen_record and screen_entity_of_record in screen.h).
 */
#include "attest.h"
#include "record.h"
#include "screen.h"

#include <stdlib.h>
#include <string.h>

#define MULTI_SEP " | "

/* Calls add(entity, kind, part) for each " | "-separated part of text. */
static void each_part(const char *text, json_t *out, const char *kind,
                      void (*add)(json_t *, const char *, const char *))
{
    const char *p = text, *sep;

    if (text == NULL)
        return;
    for (;;) {
        sep = strstr(p, MULTI_SEP);
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        char *part = xstrdup(p);
        part[n] = '\0';
        if (*part)
            add(out, kind, part);
        free(part);
        if (sep == NULL)
            break;
        p = sep + strlen(MULTI_SEP);
    }
}

static void add_id(json_t *entity, const char *kind, const char *value)
{
    json_array_append_new(json_object_get(entity, "ids"),
                          json_pack("{s:s, s:s}", "kind", kind, "value", value));
}

static void add_address(json_t *entity, const char *kind, const char *value)
{
    (void)kind;
    json_array_append_new(json_object_get(entity, "addresses"), json_pack("{s:s}", "street", value));
}

static const char *screen_type_of(const char *record_type)
{
    if (strcmp(record_type, "organisation") == 0)
        return "company";
    if (strcmp(record_type, "person") == 0 || strcmp(record_type, "vessel") == 0)
        return record_type;
    return NULL;
}

/* The names of the records at the other end of the record's ownership,
 * directorship and succession relations, and their IMO numbers. */
static int related(struct at_ctx *ctx, struct store *st, const char *id, json_t *entity)
{
    json_t *refs, *r, *rel, *other;
    size_t i;
    int rc = record_referrers(ctx, st, id, &refs);

    if (rc != AT_OK)
        return rc;
    json_array_foreach(refs, i, r) {
        const char *rid = json_string_value(json_object_get(r, "id"));
        if (strncmp(rid, "rl-", 3) != 0 || record_read(ctx, st, rid, 0, &rel) != AT_OK) {
            ctx_clear(ctx);
            continue;
        }
        json_t *d = json_object_get(rel, "data");
        const char *kind = json_string_value(json_object_get(d, "kind")) ?: "";
        const char *from = json_string_value(json_object_get(d, "from")) ?: "";
        const char *to = json_string_value(json_object_get(d, "to")) ?: "";
        const char *far = strcmp(from, id) == 0 ? to : from;
        if ((strcmp(kind, "ownership") == 0 || strcmp(kind, "directorship") == 0
             || strcmp(kind, "succession") == 0) && record_read(ctx, st, far, 0, &other) == AT_OK) {
            json_t *od = json_object_get(other, "data"), *n;
            size_t j;
            const char *type = json_string_value(json_object_get(other, "type"));
            json_array_foreach(json_object_get(od, "names"), j, n)
                json_array_append_new(json_object_get(entity, "links"),
                                      json_pack("{s:s, s:s, s:O}", "relation", kind, "type", type,
                                                "name", json_object_get(n, "name")));
            /* a vessel owned: its IMO number links to the listed vessel
             * and, through the list's own links, to its listed owners */
            if (strcmp(type, "vessel") == 0 && json_object_get(od, "imo"))
                json_array_append_new(json_object_get(entity, "ids"),
                                      json_pack("{s:s, s:O, s:s}", "kind", "imo", "value",
                                                json_object_get(od, "imo"), "note", "owned vessel"));
            json_decref(other);
        }
        ctx_clear(ctx);
        json_decref(rel);
    }
    json_decref(refs);
    return AT_OK;
}

int screen_entity_of_record(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    json_t *doc, *data, *n;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = record_read(ctx, st, id, 0, &doc)) != AT_OK)
        return rc;
    const char *type = json_string_value(json_object_get(doc, "type"));
    const char *stype = screen_type_of(type);
    if (stype == NULL) {
        ctx_error(ctx, AT_EINVAL, "%s is of type %s; screening takes an organisation, a person "
                  "or a vessel", id, type);
        json_decref(doc); /* type points into doc */
        return AT_EINVAL;
    }
    data = json_object_get(doc, "data");
    json_t *e = json_pack("{s:s, s:s, s:s, s:[], s:[], s:[], s:[]}", "key", id, "type", stype,
                          "record_type", type, "names", "ids", "addresses", "links");
    json_array_foreach(json_object_get(data, "names"), i, n) {
        if (i == 0)
            json_object_set(e, "name", json_object_get(n, "name"));
        json_array_append_new(json_object_get(e, "names"),
                              json_pack("{s:O, s:s}", "name", json_object_get(n, "name"),
                                        "quality", i == 0 ? "primary" : "strong"));
    }
    static const char *const id_fields[][2] = {
        { "imo", "imo" }, { "phone", "phone" }, { "email", "email" }, { "swift", "swift" },
        { "registration", "registration" },
    };
    for (i = 0; i < ARRAY_LEN(id_fields); i++)
        each_part(json_string_value(json_object_get(data, id_fields[i][0])), e, id_fields[i][1], add_id);
    each_part(json_string_value(json_object_get(data, "address")), e, "address", add_address);
    if (json_object_get(data, "description"))
        json_object_set(e, "remarks", json_object_get(data, "description"));
    rc = related(ctx, st, id, e);
    json_decref(doc);
    if (rc != AT_OK) {
        json_decref(e);
        return rc;
    }
    *out = e;
    return AT_OK;
}

static int cmp_score(const void *a, const void *b)
{
    double x = json_number_value(json_object_get(*(json_t *const *)a, "score"));
    double y = json_number_value(json_object_get(*(json_t *const *)b, "score"));
    return (x < y) - (x > y);
}

int screen_record(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                  const char *id, const struct screen_query *tmpl, json_t **hits)
{
    json_t *entity, *by_entry = json_object(), *n, *v, *h;
    const char **ids = NULL;
    size_t i, nids;
    int rc;

    *hits = NULL;
    if ((rc = screen_entity_of_record(ctx, st, id, &entity)) != AT_OK) {
        json_decref(by_entry);
        return rc;
    }
    /* the record's own identifiers, not those of the vessels it owns */
    nids = 0;
    ids = xcalloc(json_array_size(json_object_get(entity, "ids")) + 1, sizeof *ids);
    json_array_foreach(json_object_get(entity, "ids"), i, v)
        if (json_object_get(v, "note") == NULL)
            ids[nids++] = json_string_value(json_object_get(v, "value"));
    json_array_foreach(json_object_get(entity, "names"), i, n) {
        struct screen_query q = *tmpl;
        json_t *got;
        q.name = json_string_value(json_object_get(n, "name"));
        q.type = json_string_value(json_object_get(entity, "type"));
        q.ids = ids;
        q.nids = nids;
        q.limit = 0;
        if ((rc = screen_query(ctx, ix, &q, &got)) != AT_OK)
            break;
        size_t j;
        json_array_foreach(got, j, h) {
            char key[256];
            snprintf(key, sizeof key, "%s %s", json_string_value(json_object_get(h, "list")),
                     json_string_value(json_object_get(h, "key")));
            json_t *was = json_object_get(by_entry, key);
            if (was && json_number_value(json_object_get(was, "score"))
                           >= json_number_value(json_object_get(h, "score")))
                continue;
            json_object_set_new(h, "query", json_string(q.name));
            json_object_set(by_entry, key, h);
        }
        json_decref(got);
    }
    free(ids);
    json_decref(entity);
    if (rc != AT_OK) {
        json_decref(by_entry);
        return rc;
    }
    size_t count = json_object_size(by_entry), k = 0;
    json_t **arr = xcalloc(count + 1, sizeof *arr);
    const char *key;
    json_object_foreach(by_entry, key, h)
        arr[k++] = h;
    qsort(arr, count, sizeof *arr, cmp_score);
    *hits = json_array();
    for (k = 0; k < count && (tmpl->limit == 0 || k < tmpl->limit); k++)
        json_array_append(*hits, arr[k]);
    free(arr);
    json_decref(by_entry);
    return AT_OK;
}
