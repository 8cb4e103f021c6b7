/*
 * api_link.c: /api/v1/link: record linkage's review queue (the doubtful
 * pairs of the latest run, most informative first, each with the level
 * and weight of every comparison) and the analysts' decisions on pairs
 * (core/link.h).  A blind review gets the queue without the model's
 * score: no probability and no weight, only what each comparison found.
 * A run started from the browser (POST /api/v1/link/runs, as `attest link
 * persons|events` with its threshold and configuration's text) and the
 * clusters it made.
 */
#include "http.h"
#include "../core/evlog.h"
#include "../core/link.h"
#include "../core/number.h"

#include <stdlib.h>
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

/* POST /api/v1/link/runs {"type": "person"|"event", "threshold", "config"} */
int api_link_run(struct request *r)
{
    json_t *body = http_body_json(r, true), *threshold, *config;
    struct link_archive_options opts = { -1, NULL };
    struct link_archive_summary sum;
    struct link_config *c = NULL;
    enum link_type type;
    int rc;

    if (body == NULL)
        return (int)r->status;
    threshold = json_object_get(body, "threshold");
    config = json_object_get(body, "config");
    if (link_type_parse(&r->ctx, json_string_value(json_object_get(body, "type")) ?: "", &type) != AT_OK)
        rc = http_error(r, 400, "invalid", "type", "%s", r->ctx.message);
    else if (threshold && !json_is_null(threshold)
             && (!json_is_number(threshold) || json_number_value(threshold) < 0
                 || json_number_value(threshold) > 1))
        rc = http_error(r, 400, "invalid", "threshold", "\"threshold\" must be a probability from 0 to 1");
    else if (config && !json_is_null(config) && !json_is_string(config))
        rc = http_error(r, 400, "invalid", "config", "\"config\" must be the text of a linkage configuration");
    else if (json_string_length(config) > 0
             && link_config_parse(&r->ctx, json_string_value(config), "config", &c) != AT_OK)
        rc = http_error(r, 400, "invalid", "config", "%s", r->ctx.message);
    else {
        if (threshold && json_is_number(threshold))
            opts.threshold = json_number_value(threshold);
        opts.config = c;
        rc = evlog_write(&r->ctx, r->st, link_archive_run_write, &(struct link_archive_job){ type, &opts, &sum });
        rc = rc != AT_OK ? http_core_error(r, rc)
                         : http_json(r, 201, json_pack(
                               "{s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:f}", "type", link_type_name(type),
                               "run", (json_int_t)sum.run, "model_version", sum.model_version,
                               "records", (json_int_t)sum.records, "pairs_compared", (json_int_t)sum.pairs_compared,
                               "links", (json_int_t)sum.links, "clusters", (json_int_t)sum.clusters,
                               "decisions", (json_int_t)sum.decisions, "lambda", sum.params.lambda));
    }
    link_config_free(c);
    json_decref(body);
    return rc;
}

/* Each cluster of two or more records, in the order link_archive_clusters
 * gives its records (record id order), grouped by cluster id. */
static int cluster_one(void *arg, const char *record_id, const char *cluster_id)
{
    json_t *members = json_object_get(arg, cluster_id);

    if (members == NULL)
        json_object_set_new(arg, cluster_id, members = json_array());
    json_array_append_new(members, json_string(record_id));
    return AT_OK;
}

static int by_size(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    size_t nx = json_array_size(json_object_get(x, "records")), ny = json_array_size(json_object_get(y, "records"));

    if (nx != ny)
        return nx > ny ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "cluster")), json_string_value(json_object_get(y, "cluster")));
}

/* GET /api/v1/link/clusters?type=person|event: the clusters of two or more
 * records the reader may read, largest first (then by cluster id). */
int api_link_clusters(struct request *r)
{
    json_t *by_id = json_object(), *clusters = json_array(), *members, **v = NULL;
    enum link_type type;
    const char *id;
    size_t n = 0;
    int rc;

    if (type_arg(r, &type) != 0)
        rc = (int)r->status;
    else if ((rc = link_archive_clusters(&r->ctx, r->st, type, cluster_one, by_id)) != AT_OK)
        rc = http_core_error(r, rc);
    if (rc != AT_OK) {
        json_decref(by_id);
        json_decref(clusters);
        return rc;
    }
    v = xcalloc(json_object_size(by_id) + 1, sizeof *v);
    json_object_foreach(by_id, id, members)
        if (json_array_size(members) >= 2)
            v[n++] = json_pack("{s:s, s:O}", "cluster", id, "records", members);
    if (n)   /* qsort may not be given a NULL array, even empty */
        qsort(v, n, sizeof *v, by_size);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(clusters, v[i]);
    free(v);
    json_decref(by_id);
    return http_json(r, 200, json_pack("{s:s, s:o}", "type", link_type_name(type), "clusters", clusters));
}
