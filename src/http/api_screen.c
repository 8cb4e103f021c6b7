/*
 * api_screen.c: POST /api/v1/screen: a batch of queries screened against
 * the sanctions lists, in the shape of OpenSanctions' /match (see
 * screen_match_json in core/screen.h), now or as of a date; and the
 * analysts' decisions on hits: /api/v1/screen/decisions lists, makes and
 * withdraws them (core/screen_decision.h); and the likely successors of a
 * listed entity (/api/v1/screen/successors?entry=, core/screen.h); the
 * archive's own organisations, persons and vessels screened, one
 * (/api/v1/screen/records/{id}) or all, or what the last list import
 * newly hits (/api/v1/screen/archive, core/screen_archive.h); and two
 * names compared as screening would score them, or a file of pairs
 * (GET and POST /api/v1/screen/compare).
 *
 * The screen index of the newest versions is built once and shared by the
 * worker threads; it is built again when a newer list version has been
 * imported.  A request holds a reference, so an index replaced meanwhile
 * is freed by the last request using it.  A request as of a day when
 * other versions were in force builds an index of its own.
 */
#include "http.h"
#include "../core/lists.h"
#include "../core/model.h"
#include "../core/number.h"
#include "../core/record.h"
#include "../core/screen.h"
#include "../core/screen_archive.h"
#include "../core/screen_decision.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SCREEN_MAX_QUERIES 100

struct shared_index {
    struct screen_index *ix;
    char *versions;        /* the list versions it was built from, joined */
    int refs;              /* requests using it, plus one while it is current */
};

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_index *current;

static void release(struct shared_index *s)
{
    bool last;

    pthread_mutex_lock(&shared_lock);
    last = --s->refs == 0;
    pthread_mutex_unlock(&shared_lock);
    if (last) {
        screen_index_free(s->ix);
        free(s->versions);
        free(s);
    }
}

/* The versions joined, "a b ": the key of an index. */
static void joined(json_t *ids, struct buf *out)
{
    json_t *v;
    size_t i;

    json_array_foreach(ids, i, v)
        buf_printf(out, "%s ", json_string_value(v));
    buf_puts(out, "");
}

/* The index for the list versions ids (the newest, or those in force on a
 * day), with a reference taken: the shared one when they are the newest,
 * else one for this request alone (a reference only it holds). */
static int acquire(struct request *r, json_t *ids, struct shared_index **out)
{
    struct buf versions = BUF_INIT, newest = BUF_INIT;
    json_t *now;
    int rc;

    if ((rc = lists_current(&r->ctx, r->st, &now)) != AT_OK)
        return rc;
    joined(ids, &versions);
    joined(now, &newest);
    json_decref(now);
    if (strcmp(buf_str(&versions), buf_str(&newest)) != 0) {
        struct screen_index *ix;
        buf_free(&newest);
        if ((rc = screen_index_load_versions(&r->ctx, r->st, ids, &ix)) != AT_OK) {
            buf_free(&versions);
            return rc;
        }
        *out = xcalloc(1, sizeof **out);
        (*out)->ix = ix;
        (*out)->versions = buf_detach(&versions);
        (*out)->refs = 1;
        return AT_OK;
    }
    buf_free(&newest);
    pthread_mutex_lock(&shared_lock);
    if (current == NULL || strcmp(current->versions, buf_str(&versions)) != 0) {
        struct screen_index *ix;
        /* built under the lock: rare (after an import), and it keeps
         * concurrent first requests from building it twice */
        if ((rc = screen_index_load_versions(&r->ctx, r->st, ids, &ix)) != AT_OK) {
            pthread_mutex_unlock(&shared_lock);
            buf_free(&versions);
            return rc;
        }
        struct shared_index *s = xcalloc(1, sizeof *s);
        s->ix = ix;
        s->versions = buf_detach(&versions);
        s->refs = 1;
        if (current && --current->refs == 0) {
            screen_index_free(current->ix);
            free(current->versions);
            free(current);
        }
        current = s;
    }
    current->refs++;
    *out = current;
    pthread_mutex_unlock(&shared_lock);
    buf_free(&versions);
    return AT_OK;
}

int api_screen(struct request *r)
{
    json_t *body = http_body_json(r, true), *reply;
    struct shared_index *s;
    int rc;

    if (body == NULL)
        return (int)r->status;
    json_t *queries = json_object_get(body, "queries");
    if (!json_is_object(queries) || json_object_size(queries) == 0) {
        json_decref(body);
        return http_error(r, 400, "invalid", "queries",
                          "\"queries\" must be an object of query id -> query");
    }
    if (json_object_size(queries) > SCREEN_MAX_QUERIES) {
        json_decref(body);
        return http_error(r, 400, "invalid", "queries", "at most %d queries in one request",
                          SCREEN_MAX_QUERIES);
    }
    json_t *limit = json_object_get(body, "limit"), *threshold = json_object_get(body, "threshold");
    if (limit && (!json_is_integer(limit) || json_integer_value(limit) < 0
                  || json_integer_value(limit) > SCREEN_LIMIT_MAX)) {
        json_decref(body);
        return http_error(r, 400, "invalid", "limit", "\"limit\" must be an integer from 0 to %d",
                          SCREEN_LIMIT_MAX);
    }
    if (threshold && (!json_is_number(threshold) || json_number_value(threshold) < 0
                      || json_number_value(threshold) > 1)) {
        json_decref(body);
        return http_error(r, 400, "invalid", "threshold", "\"threshold\" must be a number from 0 to 1");
    }
    json_t *as_of = json_object_get(body, "as_of"), *ids;
    if (as_of && !json_is_string(as_of)) {
        json_decref(body);
        return http_error(r, 400, "invalid", "as_of", "\"as_of\" must be a date, YYYY-MM-DD");
    }
    rc = as_of ? lists_in_force(&r->ctx, r->st, json_string_value(as_of), &ids)
               : lists_current(&r->ctx, r->st, &ids);
    if (rc != AT_OK) {
        json_decref(body);
        return rc == AT_EINVAL ? http_error(r, 400, "invalid", "as_of", "\"as_of\": %s", r->ctx.message)
                               : http_core_error(r, rc);
    }
    if ((rc = acquire(r, ids, &s)) != AT_OK) {
        json_decref(ids);
        json_decref(body);
        return http_core_error(r, rc);
    }
    rc = screen_match_json(&r->ctx, s->ix, body, &reply);
    release(s);
    json_decref(body);
    if (rc != AT_OK) {
        json_decref(ids);
        return http_core_error(r, rc);
    }
    json_object_set_new(reply, "versions", ids);
    return http_json(r, 200, reply);
}

/* GET /api/v1/screen/decisions?record=ID&all=1: the decisions the user
 * may read, of one record or of all; in force only unless "all" has a
 * value. */
int api_screen_decisions(struct request *r)
{
    json_t *list;
    int rc = screen_decisions(&r->ctx, r->st, http_arg(r, "record"), http_arg(r, "all") != NULL,
                              &list);

    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "decisions", list));
}

/* POST /api/v1/screen/decisions {"record", "entry", "note"?}: dismisses
 * a hit; POST /api/v1/screen/decisions/withdraw with the same body
 * withdraws that decision. */
static int decide(struct request *r, bool dismiss)
{
    json_t *body = http_body_json(r, true);
    char id[RECORD_ID_MAX];
    int rc;

    if (body == NULL)
        return (int)r->status;
    const char *record = json_string_value(json_object_get(body, "record"));
    const char *entry = json_string_value(json_object_get(body, "entry"));
    json_t *note = json_object_get(body, "note");
    if (record == NULL || entry == NULL || (note && !json_is_string(note))) {
        const char *field = record == NULL ? "record" : entry == NULL ? "entry" : "note";
        json_decref(body);
        return http_error(r, 400, "invalid", field, "\"%s\" must be a string: \"record\" a record "
                          "id, \"entry\" a list key (KPe.029, un:KPe.029, ofac:9345), \"note\" text",
                          field);
    }
    rc = dismiss ? screen_dismiss(&r->ctx, r->st, record, entry, json_string_value(note), id)
                 : screen_undismiss(&r->ctx, r->st, record, entry, json_string_value(note), id);
    json_decref(body);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, dismiss ? 201 : 200, json_pack("{s:s}", "id", id));
}

int api_screen_dismiss(struct request *r)
{
    return decide(r, true);
}

int api_screen_withdraw(struct request *r)
{
    return decide(r, false);
}

/* GET /api/v1/screen/successors?entry=REF&limit=N: the listed entities
 * most likely to succeed or front for the entry REF ("un:KPe.010", or a
 * name), with the evidence for each, as `attest screen successors`. */
int api_screen_successors(struct request *r)
{
    const char *entry = http_arg(r, "entry");
    json_t *out = NULL;
    long limit;
    int rc;

    if (entry == NULL || *entry == '\0')
        return http_error(r, 400, "invalid", "entry", "?entry= a list entry (un:KPe.010, ofac:9345) "
                          "or a listed name");
    if (http_arg_long(r, "limit", 1, 100, 10, &limit) != 0)
        return (int)r->status;
    if ((rc = screen_successors(&r->ctx, r->st, entry, (size_t)limit, &out)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, out);
}

/* The options of a record's screening from the query string, as the
 * CLI's: ?threshold= (0 to 100), ?scorer=attest|ofac, ?limit= hits per
 * record.  Returns 0, or the 400 status it set naming the argument. */
static int record_query(struct request *r, struct screen_query *q)
{
    const char *threshold = http_arg(r, "threshold"), *scorer = http_arg(r, "scorer");
    long limit;

    *q = (struct screen_query){ .threshold = SCREEN_THRESHOLD, .scorer = SCREEN_ATTEST };
    if (threshold && number_parse_double(&r->ctx, "threshold", threshold, 0, 100, &q->threshold) != AT_OK)
        return http_error(r, 400, "invalid", "threshold", "%s", r->ctx.message);
    if (scorer && screen_scorer_parse(&r->ctx, scorer, &q->scorer) != AT_OK)
        return http_error(r, 400, "invalid", "scorer", "?scorer=: %s", r->ctx.message);
    if (http_arg_long(r, "limit", 0, SCREEN_LIMIT_MAX, 20, &limit) != 0)
        return (int)r->status;
    q->limit = (size_t)limit;
    return 0;
}

/* GET /api/v1/screen/records/{id}: one organisation, person or vessel
 * screened with all its names and identifiers against the newest lists,
 * its dismissed hits apart, as `attest screen --record ID --json`, with
 * the versions that answered. */
int api_screen_record(struct request *r)
{
    struct screen_query q;
    struct shared_index *s;
    json_t *ids = NULL, *out = NULL;
    char id[RECORD_ID_MAX];
    int rc;

    if (record_query(r, &q) != 0)
        return (int)r->status;
    if ((rc = record_resolve(&r->ctx, r->st, r->params[0], id)) != AT_OK
        || (rc = lists_current(&r->ctx, r->st, &ids)) != AT_OK)
        goto out;
    if ((rc = acquire(r, ids, &s)) != AT_OK)
        goto out;
    rc = screen_record_decided(&r->ctx, r->st, s->ix, id, &q, &out);
    release(s);
    if (rc == AT_OK)
        json_object_set(out, "versions", ids);
out:
    json_decref(ids);
    return rc == AT_OK ? http_json(r, 200, out) : http_core_error(r, rc);
}

/* GET /api/v1/screen/archive[?new=1[&since=DATE]]: every organisation,
 * person and vessel the user may read screened against the newest lists,
 * the records with hits or dismissed hits, as `attest screen archive
 * --json`; with new, only the hits that the last import (or the lists
 * newer than those in force on since) adds: "before" the versions
 * compared with, "last_import" the version imported last. */
int api_screen_archive(struct request *r)
{
    struct screen_archive_opts ao = { 0 };
    struct screen_index *before_ix = NULL;
    struct screen_query q;
    struct shared_index *s;
    json_t *ids = NULL, *before = NULL, *records = NULL;
    const char *since = http_arg(r, "since");
    bool new_only = http_arg(r, "new") != NULL;
    char last[64] = "";
    int rc;

    if (record_query(r, &q) != 0)
        return (int)r->status;
    if (since && !new_only)
        return http_error(r, 400, "invalid", "since", "?since= goes with ?new=1");
    ao.q = &q;
    if ((rc = lists_current(&r->ctx, r->st, &ids)) != AT_OK)
        goto out;
    if (new_only) {
        if ((rc = screen_archive_before(&r->ctx, r->st, since, last, &before)) != AT_OK) {
            if (rc == AT_EINVAL && since) {
                json_decref(ids);
                return http_error(r, 400, "invalid", "since", "%s", r->ctx.message);
            }
            goto out;
        }
        if (json_array_size(before)
            && (rc = screen_index_load_versions(&r->ctx, r->st, before, &before_ix)) != AT_OK)
            goto out;
        ao.before = before_ix;
    }
    if ((rc = acquire(r, ids, &s)) != AT_OK)
        goto out;
    rc = screen_archive(&r->ctx, r->st, s->ix, &ao, &records);
    release(s);
out:
    screen_index_free(before_ix);
    if (rc != AT_OK) {
        json_decref(ids);
        json_decref(before);
        return http_core_error(r, rc);
    }
    json_t *reply = json_pack("{s:o, s:o, s:f}", "versions", ids, "records", records,
                              "threshold", q.threshold);
    if (new_only) {
        json_object_set_new(reply, "before", before);
        json_object_set_new(reply, "last_import", *last ? json_string(last) : json_null());
    }
    return http_json(r, 200, reply);
}

/* The lists names are weighed by for a comparison: ?weights=lists (the
 * default: the newest lists, *s NULL when none is loaded) or default
 * (*s NULL).  0, or the reply refusing ?weights=. */
static int compare_weights(struct request *r, struct shared_index **s, int *rc)
{
    const char *weights = http_arg(r, "weights");
    json_t *ids = NULL;

    *s = NULL;
    *rc = AT_OK;
    if (weights && strcmp(weights, "default") != 0 && strcmp(weights, "lists") != 0)
        return http_error(r, 400, "invalid", "weights", "?weights= must be \"lists\" (the default) or "
                          "\"default\"");
    if ((weights == NULL || strcmp(weights, "lists") == 0)
        && (*rc = lists_current(&r->ctx, r->st, &ids)) == AT_OK && json_array_size(ids))
        *rc = acquire(r, ids, s);
    json_decref(ids);
    return 0;
}

/* GET /api/v1/screen/compare?name1=&name2=[&type=][&weights=default]:
 * name1 scored against name2 as if name2 were listed, with both scorers,
 * as `attest screen compare --json`: the words weigh as on the newest
 * lists, or by the default weighting when none is loaded or asked. */
int api_screen_compare(struct request *r)
{
    const char *name1 = http_arg(r, "name1"), *name2 = http_arg(r, "name2");
    const char *type = http_arg(r, "type");
    struct shared_index *s = NULL;
    json_t *out = NULL;
    int rc, status;

    if (name1 == NULL || *name1 == '\0' || name2 == NULL || *name2 == '\0')
        return http_error(r, 400, "invalid", name1 == NULL || *name1 == '\0' ? "name1" : "name2",
                          "?name1= and ?name2= must each be a name (name2 scored as if listed)");
    if (!screen_type_valid(type))
        return http_error(r, 400, "invalid", "type", "?type=\"%.40s\"; valid: person, company, "
                          "vessel, aircraft or empty", type);
    if ((status = compare_weights(r, &s, &rc)) != 0)
        return status;
    if (rc == AT_OK)
        rc = screen_compare(&r->ctx, s ? s->ix : NULL, name1, name2, type, &out);
    if (s)
        release(s);
    return rc == AT_OK ? http_json(r, 200, out) : http_core_error(r, rc);
}

static int append_pair(void *arg, json_t *result)
{
    return json_array_append_new(arg, result) == 0 ? AT_OK : AT_ERR;
}

/* POST /api/v1/screen/compare?filename=F[&weights=default] with a file of
 * pairs as the body (name1<TAB>name2<TAB>type a line), as `attest screen
 * compare --file F --json`: each pair's result with its line, read by the
 * same core; a bad line refused naming the file's line.  The body is read
 * from memory (bounded as a JSON body is), never written anywhere. */
int api_screen_compare_file(struct request *r)
{
    const char *filename = http_arg(r, "filename");
    struct shared_index *s = NULL;
    json_t *all = NULL;
    FILE *in = NULL;
    int rc, status;

    if (filename == NULL || *filename == '\0' || strlen(filename) > 200 || strchr(filename, '/'))
        return http_error(r, 400, "invalid", "filename", "\"filename\" must be the file's name (no "
                          "folder), named in errors");
    if (r->body.len == 0)
        return http_error(r, 400, "invalid", "body", "the body must be the file of pairs, a line "
                          "name1<TAB>name2<TAB>type each (type may be empty)");
    if ((status = compare_weights(r, &s, &rc)) != 0)
        return status;
    if (rc == AT_OK && (in = fmemopen(r->body.data, r->body.len, "r")) == NULL)
        rc = ctx_error(&r->ctx, AT_ERR, "the file could not be read");
    if (rc == AT_OK) {
        all = json_array();
        rc = screen_compare_pairs(&r->ctx, s ? s->ix : NULL, in, filename, append_pair, all);
    }
    if (in)
        fclose(in);
    if (s)
        release(s);
    if (rc != AT_OK) {
        json_decref(all);
        return http_core_error(r, rc);
    }
    return http_json(r, 200, all);
}
