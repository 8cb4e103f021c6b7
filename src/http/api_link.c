/*
 * api_link.c: /api/v1/link: record linkage's review queue (the doubtful
 * pairs of the latest run, most informative first, each with the level
 * and weight of every comparison) and the analysts' decisions on pairs
 * (core/link.h).  A blind review gets the queue without the model's
 * score: no probability and no weight, only what each comparison found.
 */
#include "http.h"
#include "../core/evlog.h"
#include "../core/link.h"
#include "../core/number.h"

#include <string.h>

/* The most pairs one reply holds. */
#define API_LINK_QUEUE_MAX 500

/* The ?type= of a request (person or event); 0, or the 400 status set. */
static int type_arg(struct request *r, enum link_type *out)
{
    const char *text = http_arg(r, "type");

    if (text == NULL)
        return http_error(r, 400, "invalid", "type", "\"type\" is required: person or event");
    if (link_type_parse(&r->ctx, text, out) != AT_OK)
        return http_error(r, 400, "invalid", "type", "%s", r->ctx.message);
    return 0;
}

/* The review band from ?low= and ?high= (both or neither; -1 for the
 * run's own); 0, or the 400 status set. */
static int band_args(struct request *r, double *lo, double *hi)
{
    const char *low = http_arg(r, "low"), *high = http_arg(r, "high");

    *lo = *hi = -1;
    if ((low == NULL) != (high == NULL))
        return http_error(r, 400, "invalid", low ? "high" : "low",
                          "give both \"low\" and \"high\" (probabilities from 0 to 1), or neither");
    if (low && number_parse_double(&r->ctx, "low", low, 0, 1, lo) != AT_OK)
        return http_error(r, 400, "invalid", "low", "%s", r->ctx.message);
    if (high && number_parse_double(&r->ctx, "high", high, 0, 1, hi) != AT_OK)
        return http_error(r, 400, "invalid", "high", "%s", r->ctx.message);
    if (*lo > *hi)
        return http_error(r, 400, "invalid", "low", "\"low\" must not be above \"high\"");
    return 0;
}

/* Removes what tells the model's score from each pair of the queue. */
static void hide_scores(json_t *pairs)
{
    json_t *pair, *comparison;
    size_t i, j;

    json_array_foreach(pairs, i, pair) {
        json_object_del(pair, "probability");
        json_object_del(pair, "weight");
        json_object_del(pair, "prior_weight");
        json_array_foreach(json_object_get(pair, "comparisons"), j, comparison)
            json_object_del(comparison, "weight");
    }
}

/* GET /api/v1/link/review?type=person|event[&low=P&high=P][&limit=N][&blind=1] */
int api_link_review(struct request *r)
{
    enum link_type type;
    long limit, blind;
    double lo, hi;
    json_t *pairs;
    int rc;

    if (type_arg(r, &type) != 0 || band_args(r, &lo, &hi) != 0
        || http_arg_long(r, "limit", 1, API_LINK_QUEUE_MAX, 50, &limit) != 0
        || http_arg_long(r, "blind", 0, 1, 0, &blind) != 0)
        return (int)r->status;
    if ((rc = link_review_queue(&r->ctx, r->st, type, lo, hi, (size_t)limit, &pairs)) != AT_OK)
        return http_core_error(r, rc);
    if (blind)
        hide_scores(pairs);
    return http_json(r, 200, json_pack("{s:s, s:b, s:o}", "type", link_type_name(type),
                                       "blind", (int)blind, "pairs", pairs));
}

/* GET /api/v1/link/decisions?type=person|event */
int api_link_decisions(struct request *r)
{
    enum link_type type;
    json_t *decisions;
    int rc;

    if (type_arg(r, &type) != 0)
        return (int)r->status;
    if ((rc = link_decisions(&r->ctx, r->st, type, &decisions)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:s, s:o}", "type", link_type_name(type),
                                       "decisions", decisions));
}

/* POST /api/v1/link/decisions {"a", "b", "decision": "accept"|"reject", "note"} */
int api_link_decide(struct request *r)
{
    json_t *body = http_body_json(r, true), *note;
    struct link_decide_job job = { 0 };
    int version = 0, rc;

    if (body == NULL)
        return (int)r->status;
    job.a = json_string_value(json_object_get(body, "a"));
    job.b = json_string_value(json_object_get(body, "b"));
    note = json_object_get(body, "note");
    job.note = json_string_value(note);
    job.version_out = &version;
    if (job.a == NULL || job.b == NULL)
        rc = http_error(r, 400, "invalid", job.a ? "b" : "a",
                        "\"a\" and \"b\" must be the ids of the two records");
    else if (note && !json_is_string(note))
        rc = http_error(r, 400, "invalid", "note", "\"note\" must be text");
    else if (link_decision_parse(&r->ctx, json_string_value(json_object_get(body, "decision")) ?: "",
                                 &job.decision) != AT_OK)
        rc = http_error(r, 400, "invalid", "decision", "%s", r->ctx.message);
    else if ((rc = evlog_write(&r->ctx, r->st, link_decide_write, &job)) != AT_OK)
        rc = http_core_error(r, rc);
    else
        rc = http_json(r, 201, json_pack("{s:s, s:s, s:s, s:i}", "a", job.a, "b", job.b, "decision",
                                         link_decision_name(job.decision), "version", version));
    json_decref(body);
    return rc;
}
