/*
 * api_records.c: /api/v1/records: list, create, get, history, new
 * versions, retraction; and sealing a witness's identity.
 */
#include "http.h"
#include "../core/corroboration.h"
#include "../core/date.h"
#include "../core/evlog.h"
#include "../core/identity.h"
#include "../core/record.h"
#include "../core/referrers.h"
#include "../core/vocab.h"

#include <limits.h>
#include <string.h>

struct collect {
    json_t *docs;
};

static int collect(void *arg, json_t *doc)
{
    json_array_append(((struct collect *)arg)->docs, doc);
    return AT_OK;
}

/* Parses the list filters shared by /records and /map from the query. */
int api_records_filter(struct request *r, struct record_filter *f)
{
    const char *from = http_arg(r, "from"), *to = http_arg(r, "to");

    f->type = http_arg(r, "type");
    f->place = http_arg(r, "place");
    f->max_clearance = r->keys.clearance;
    if (f->type && model_type(f->type) == NULL)
        return http_error(r, 400, "invalid", "type", "unknown record type");
    if (from && date_parse_bound(&r->ctx, from, DATE_FROM, &f->date_from) != AT_OK)
        return http_error(r, 400, "invalid", "from", "%s", r->ctx.message);
    if (to && date_parse_bound(&r->ctx, to, DATE_TO, &f->date_to) != AT_OK)
        return http_error(r, 400, "invalid", "to", "%s", r->ctx.message);
    if (http_arg_long(r, "limit", 1, HTTP_MAX_LIMIT, 100, &f->limit) != 0
        || http_arg_long(r, "offset", 0, INT_MAX, 0, &f->offset) != 0)
        return (int)r->status;
    return 0;
}

int api_records_list(struct request *r)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct collect c = { json_array() };
    int rc;

    if (api_records_filter(r, &f) != 0) {
        json_decref(c.docs);
        return (int)r->status;
    }
    f.include_retracted = http_arg(r, "retracted") != NULL;
    if ((rc = record_list(&r->ctx, r->st, &f, collect, &c)) != AT_OK
        || (rc = record_log_reads(&r->ctx, r->st, c.docs)) != AT_OK) {
        json_decref(c.docs);
        return http_core_error(r, rc);
    }
    return http_json(r, 200, json_pack("{s:o, s:I, s:I}", "records", c.docs,
                                       "limit", (json_int_t)f.limit, "offset", (json_int_t)f.offset));
}

int api_records_create(struct request *r)
{
    json_t *body = http_body_json(r, true), *doc;
    struct record_write w = RECORD_WRITE_INIT;
    const struct type_spec *t;
    const char *clearance;
    char id[RECORD_ID_MAX];
    int rc;

    if (body == NULL)
        return (int)r->status;
    t = model_type(json_string_value(json_object_get(body, "type")) ?: "");
    clearance = json_string_value(json_object_get(body, "clearance"));
    w.source = json_string_value(json_object_get(body, "source"));
    if (t == NULL)
        rc = http_error(r, 400, "invalid", "type", "\"type\" must name a record type");
    else if (!json_is_object(json_object_get(body, "data")))
        rc = http_error(r, 400, "invalid", "data", "\"data\" must be an object of fields");
    else if (clearance && vocab_clearance_parse(&r->ctx, clearance, &w.clearance) != AT_OK)
        rc = http_error(r, 400, "invalid", "clearance", "%s", r->ctx.message);
    else if ((rc = evlog_write(&r->ctx, r->st, record_add_write,
                               &(struct record_change){ .type = t, .w = &w, .id_out = id,
                                                        .data = json_object_get(body, "data") }))
             != AT_OK)
        rc = http_core_error(r, rc);
    else if (record_get(&r->ctx, r->st, id, 0, &doc) == AT_OK)
        rc = http_json(r, 201, doc);
    else
        rc = http_core_error(r, r->ctx.code);
    json_decref(body);
    return rc;
}

int api_records_get(struct request *r)
{
    json_t *doc, *referrers, *shown;
    long version;
    int rc;

    if (http_arg_long(r, "version", 1, INT_MAX, 0, &version) != 0)
        return (int)r->status;
    if ((rc = record_read(&r->ctx, r->st, r->params[0], (int)version, &doc)) != AT_OK)
        return http_core_error(r, rc);
    shown = json_array();
    /* The referrers come with what names them, so that a page shows a
     * record with hundreds of relations from this one reply; the
     * confidential ones among them are logged as read. */
    if (referrers_summary(&r->ctx, r->st, r->params[0], &referrers, shown) == AT_OK) {
        json_object_set_new(doc, "referred_by", referrers);
        if ((rc = record_log_reads(&r->ctx, r->st, shown)) != AT_OK) {
            json_decref(shown);
            json_decref(doc);
            return http_core_error(r, rc);
        }
    }
    json_decref(shown);
    /* An event's current version comes with how it is corroborated now; a
     * retracted event has none. */
    if (version == 0 && strcmp(json_string_value(json_object_get(doc, "type")), "event") == 0
        && !json_is_true(json_object_get(doc, "retracted"))) {
        json_t *c;
        if ((rc = corroboration_of_event(&r->ctx, r->st, r->params[0], &c)) != AT_OK) {
            json_decref(doc);
            return http_core_error(r, rc);
        }
        json_object_set_new(doc, "corroboration", c);
    }
    return http_json(r, 200, doc);
}

int api_records_history(struct request *r)
{
    json_t *doc, *versions;
    int rc;

    /* Reading the current version checks (and logs) access first. */
    if ((rc = record_read(&r->ctx, r->st, r->params[0], 0, &doc)) != AT_OK)
        return http_core_error(r, rc);
    json_decref(doc);
    if ((rc = record_history(&r->ctx, r->st, r->params[0], &versions)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "versions", versions));
}

/* Writes a new version of the record in the path (changes applied, or
 * retracted when changes is NULL) and replies with it.  Core refuses a
 * record the user may not read as one that does not exist. */
static int new_version(struct request *r, json_t *changes, const struct record_write *w)
{
    const char *id = r->params[0];
    json_t *doc;
    int rc;

    rc = evlog_write(&r->ctx, r->st, changes ? record_amend_write : record_retract_write,
                     &(struct record_change){ .id = id, .data = changes, .w = w });
    if (rc != AT_OK || (rc = record_get(&r->ctx, r->st, id, 0, &doc)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, doc);
}

/* POST .../versions {"changes": {...}, "reason": "...", "clearance"?} */
int api_records_amend(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct record_write w = RECORD_WRITE_INIT;
    const char *clearance;
    int rc;

    if (body == NULL)
        return (int)r->status;
    w.reason = json_string_value(json_object_get(body, "reason"));
    clearance = json_string_value(json_object_get(body, "clearance"));
    if (!json_is_object(json_object_get(body, "changes")))
        rc = http_error(r, 400, "invalid", "changes", "\"changes\" must be an object of fields "
                        "(null removes one)");
    else if (clearance && vocab_clearance_parse(&r->ctx, clearance, &w.clearance) != AT_OK)
        rc = http_error(r, 400, "invalid", "clearance", "%s", r->ctx.message);
    else
        rc = new_version(r, json_object_get(body, "changes"), &w);
    json_decref(body);
    return rc;
}

/* POST .../retract {"reason": "..."} */
int api_records_retract(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct record_write w = RECORD_WRITE_INIT;
    int rc;

    if (body == NULL)
        return (int)r->status;
    w.reason = json_string_value(json_object_get(body, "reason"));
    rc = new_version(r, NULL, &w);
    json_decref(body);
    return rc;
}

/* POST /api/v1/witnesses/{id}/identity: the identity object as the body.
 * Only a user who may read the witness may set its identity. */
int api_identity_set(struct request *r)
{
    json_t *identity = NULL, *doc;
    int rc;

    if (r->body.len == 0)
        return http_error(r, 400, "invalid", NULL, "the body must be the identity object");
    if ((rc = identity_parse(&r->ctx, r->body.data, r->body.len, &identity)) != AT_OK) {
        sodium_memzero(r->body.data, r->body.len);
        return http_core_error(r, rc);
    }
    if ((rc = record_read(&r->ctx, r->st, r->params[0], 0, &doc)) != AT_OK) {
        json_decref(identity);
        sodium_memzero(r->body.data, r->body.len);
        return http_core_error(r, rc);
    }
    json_decref(doc);
    rc = evlog_write(&r->ctx, r->st, identity_set_write,
                     &(struct identity_change){ r->params[0], identity });
    json_decref(identity);
    sodium_memzero(r->body.data, r->body.len);
    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 201, json_pack("{s:s, s:b}", "witness", r->params[0], "sealed", 1));
}
