/*
 * api_estimates.c: /api/v1/estimates: multiple systems estimation from the
 * browser, as `attest estimate` runs it (docs/commands/estimate.md).  A
 * run from a table of counts (the CSV's text) or from the archive's lists
 * of sources, with the same methods and options; an estimate from the
 * archive is stored as the CLI stores it (mse_archive_keep), or not when
 * the reader's role may not write, with a warning.  The stored estimates
 * the reader may see (mse_archive_list decides), one of them, and its
 * chart drawn by core in the language asked for (?lang=en|ko).
 */
#include "http.h"
#include "../core/mse.h"

#include <stdio.h>
#include <string.h>

/* The most sweeps one request's LCMCR chain may run: a request holds a
 * server thread while it runs (about five seconds at this length on the
 * development machine; the CLI allows more). */
#define API_ESTIMATE_SWEEPS_MAX 2000000L

/* One whole-number member of body between min and max into *out (left as
 * it is when absent); 0, or the 400 status set naming it. */
static int body_long(struct request *r, json_t *body, const char *name, long min, long max, long *out)
{
    json_t *v = json_object_get(body, name);

    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return http_error(r, 400, "invalid", name, "\"%s\" must be a whole number from %ld to %ld",
                          name, min, max);
    *out = (long)json_integer_value(v);
    return 0;
}

/* One text member of body, or NULL; 0, or the 400 status set naming it. */
static int body_text(struct request *r, json_t *body, const char *name, const char **out)
{
    json_t *v = json_object_get(body, name);

    *out = NULL;
    if (v == NULL || json_is_null(v) || (json_is_string(v) && *json_string_value(v) == '\0'))
        return 0;
    if (!json_is_string(v))
        return http_error(r, 400, "invalid", name, "\"%s\" must be text", name);
    *out = json_string_value(v);
    return 0;
}

/* The method and its options from the body (method, criterion, and
 * LCMCR's seed, classes, burnin, samples, thinning), checked by core as
 * `attest estimate` checks them; 0, or the 400 status set naming the one
 * that is wrong. */
static int method_args(struct request *r, json_t *body, struct mse_method *m)
{
    static const char *const names[] = {
        "method", "criterion", "seed", "classes", "burnin", "samples", "thinning",
    };
    char number[32];
    const char *text;
    char *dumped;
    json_t *v;
    int rc;

    mse_method_defaults(m);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        v = json_object_get(body, names[i]);
        if (v == NULL || json_is_null(v) || (json_is_string(v) && *json_string_value(v) == '\0'))
            continue;
        dumped = NULL;
        if (json_is_string(v))
            text = json_string_value(v);
        else if (json_is_integer(v)) {
            snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            text = number;
        } else
            text = dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        rc = mse_method_option(&r->ctx, m, names[i], text ? text : "?");
        free(dumped);
        if (rc != AT_OK)
            return http_error(r, 400, "invalid", names[i], "%s", r->ctx.message);
    }
    if (mse_method_check(&r->ctx, m, API_ESTIMATE_SWEEPS_MAX) != AT_OK)
        return http_error(r, 400, "invalid", "samples", "%s (the command line allows more)",
                          r->ctx.message);
    m->curve = true;
    return 0;
}

/* Adds the estimate's chart to doc as "chart" (SVG text) when it has one
 * to draw; a two-list estimate has none, and then "chart" is absent. */
static void add_chart(struct request *r, json_t *doc, enum svg_lang lang)
{
    struct buf svg = BUF_INIT;

    if (mse_chart_svg(&r->ctx, doc, lang, &svg) == AT_OK)
        json_object_set_new(doc, "chart", json_stringn(svg.data, svg.len));
    else
        ctx_clear(&r->ctx);
    buf_free(&svg);
}

/* The estimate of a table of counts (the CSV's text): not stored. */
static int counts_estimate(struct request *r, const char *counts, const struct mse_method *m,
                           enum svg_lang lang)
{
    FILE *f = fmemopen((void *)counts, strlen(counts), "r");
    struct mse_table t;
    json_t *report = NULL, *doc, *s;
    size_t i;
    int rc;

    if (f == NULL)
        return http_error(r, 500, "internal", NULL, "cannot read the counts");
    rc = mse_table_read_csv(&r->ctx, f, "counts", &t);
    fclose(f);
    if (rc != AT_OK)
        return http_error(r, 400, "invalid", "counts", "%s", r->ctx.message);
    if ((rc = mse_report(&r->ctx, &t, m, &report)) != AT_OK)
        return http_core_error(r, rc);
    json_object_set_new(report, "stratum", json_string("all"));
    doc = json_pack("{s:s, s:s, s:[o], s:b}", "source", "counts", "method", mse_method_name(m->kind),
                    "strata", report, "stored", 0);
    add_chart(r, doc, lang);
    json_array_foreach(json_object_get(doc, "strata"), i, s)
        json_object_del(s, "curve");
    return http_json(r, 200, doc);
}

/* POST /api/v1/estimates[?lang=] {"counts": CSV} or {"lists": SPEC,
 * "strata", "at"}, with "method", "criterion" and LCMCR's options. */
int api_estimates_run(struct request *r)
{
    json_t *body = http_body_json(r, true), *doc = NULL;
    struct mse_request rq = { 0 };
    const char *counts, *lists, *strata;
    enum svg_lang lang;
    long at = 0;
    bool stored = false;
    int rc;

    if (body == NULL)
        return (int)r->status;
    if (svg_lang_parse(&r->ctx, http_arg(r, "lang"), &lang) != AT_OK) {
        rc = http_error(r, 400, "invalid", "lang", "%s", r->ctx.message);
        goto out;
    }
    if ((rc = body_text(r, body, "counts", &counts)) || (rc = body_text(r, body, "lists", &lists))
        || (rc = body_text(r, body, "strata", &strata)) || (rc = body_long(r, body, "at", 1, 9007199254740991L, &at))
        || (rc = method_args(r, body, &rq.method)))
        goto out;
    if ((counts != NULL) == (lists != NULL)) {
        rc = http_error(r, 400, "invalid", "lists", "give \"lists\" (lists of sources in the archive) "
                        "or \"counts\" (a table of capture patterns), not both");
        goto out;
    }
    if (counts) {
        rc = strata || at ? http_error(r, 400, "invalid", strata ? "strata" : "at",
                                       "\"%s\" needs \"lists\": a table of counts is one stratum",
                                       strata ? "strata" : "at")
                          : counts_estimate(r, counts, &rq.method, lang);
        goto out;
    }
    if (strata && mse_strata_parse(&r->ctx, strata, &rq.strata) != AT_OK) {
        rc = http_error(r, 400, "invalid", "strata", "%s", r->ctx.message);
        goto out;
    }
    rq.lists = lists;
    rq.at_size = (uint64_t)at;
    if ((rc = mse_archive_estimate(&r->ctx, r->st, &rq, &doc)) != AT_OK) {
        rc = rc == AT_EINVAL ? http_error(r, 400, "invalid", "lists", "%s", r->ctx.message)
                             : http_core_error(r, rc);
        goto out;
    }
    {
        json_t *chart;

        add_chart(r, doc, lang);
        chart = json_incref(json_object_get(doc, "chart"));
        json_object_del(doc, "chart");   /* a drawing is not stored */
        if ((rc = mse_archive_keep(&r->ctx, r->st, doc, &stored)) != AT_OK) {
            json_decref(chart);
            rc = http_core_error(r, rc);
            goto out;
        }
        if (chart)
            json_object_set_new(doc, "chart", chart);
    }
    json_object_set_new(doc, "stored", json_boolean(stored));
    rc = http_json(r, stored ? 201 : 200, doc);
    doc = NULL;
out:
    json_decref(doc);
    json_decref(body);
    return rc;
}

/* GET /api/v1/estimates */
int api_estimates_list(struct request *r)
{
    json_t *all;
    int rc;

    if ((rc = mse_archive_list(&r->ctx, r->st, &all)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "estimates", all));
}

/* GET /api/v1/estimates/{id} */
int api_estimates_get(struct request *r)
{
    json_t *doc;
    int rc;

    if ((rc = mse_archive_read(&r->ctx, r->st, r->params[0], &doc)) != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, doc);
}

/* GET /api/v1/estimates/{id}/chart[?lang=]: by stratum from what was
 * stored; one stratum's curve (which is not stored) from the estimate
 * computed again at its tree head. */
int api_estimates_chart(struct request *r)
{
    json_t *doc = NULL, *again = NULL;
    struct buf svg = BUF_INIT;
    enum svg_lang lang;
    bool same;
    int rc;

    if (svg_lang_parse(&r->ctx, http_arg(r, "lang"), &lang) != AT_OK)
        return http_error(r, 400, "invalid", "lang", "%s", r->ctx.message);
    if ((rc = mse_archive_read(&r->ctx, r->st, r->params[0], &doc)) != AT_OK)
        return http_core_error(r, rc);
    if (json_array_size(json_object_get(doc, "strata")) == 1) {
        json_decref(doc);
        doc = NULL;
        if ((rc = mse_archive_reproduce(&r->ctx, r->st, r->params[0], true, &doc, &again, &same)) != AT_OK)
            goto out;
    }
    rc = mse_chart_svg(&r->ctx, again ? again : doc, lang, &svg);
out:
    json_decref(doc);
    json_decref(again);
    if (rc != AT_OK) {
        buf_free(&svg);
        return rc == AT_EINVAL ? http_error(r, 404, "not_found", NULL, "%s", r->ctx.message)
                               : http_core_error(r, rc);
    }
    r->owned_len = svg.len;
    r->owned = buf_detach(&svg);
    r->content_type = "image/svg+xml; charset=utf-8";
    r->status = 200;
    return 200;
}
