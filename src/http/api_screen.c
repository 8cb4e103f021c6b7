/*
 * api_screen.c: POST /api/v1/screen: a batch of queries screened against
 * the sanctions lists, in the shape of OpenSanctions' /match (see
 * screen_match_json in core/screen.h).
 *
 * The screen index is built once and shared by the worker threads; it is
 * built again when a newer list version has been imported.  A request
 * holds a reference, so an index replaced meanwhile is freed by the last
 * request using it.
 */
#include "http.h"
#include "../core/lists.h"
#include "../core/screen.h"

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

/* The index for the newest list versions, with a reference taken. */
static int acquire(struct request *r, struct shared_index **out)
{
    struct buf versions = BUF_INIT;
    json_t *ids, *v;
    size_t i;
    int rc;

    if ((rc = lists_current(&r->ctx, r->st, &ids)) != AT_OK)
        return rc;
    json_array_foreach(ids, i, v)
        buf_printf(&versions, "%s ", json_string_value(v));
    json_decref(ids);
    buf_puts(&versions, "");
    pthread_mutex_lock(&shared_lock);
    if (current == NULL || strcmp(current->versions, buf_str(&versions)) != 0) {
        struct screen_index *ix;
        /* built under the lock: rare (after an import), and it keeps
         * concurrent first requests from building it twice */
        if ((rc = screen_index_load(&r->ctx, r->st, &ix)) != AT_OK) {
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
    if ((rc = acquire(r, &s)) != AT_OK) {
        json_decref(body);
        return http_core_error(r, rc);
    }
    rc = screen_match_json(&r->ctx, s->ix, body, &reply);
    release(s);
    json_decref(body);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, reply);
}
