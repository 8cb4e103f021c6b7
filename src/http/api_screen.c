/*
 * api_screen.c: POST /api/v1/screen: a batch of queries screened against
 * the sanctions lists, in the shape of OpenSanctions' /match (see
 * screen_match_json in core/screen.h), now or as of a date; and the
 * analysts' decisions on hits: /api/v1/screen/decisions lists, makes and
 * withdraws them (core/screen_decision.h); and the likely successors of a
 * listed entity (/api/v1/screen/successors?entry=, core/screen.h).
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
#include "../core/screen.h"
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
