/*
 * api_stats.c: the dashboard's counts (stats.h) as JSON, and each table's
 * chart as an SVG image drawn by core, so that the page, the CLI and a
 * report show the same figures.  Both count what the user (and their
 * token's clearance) may see, with small witness counts withheld below
 * confidential.  A chart's own words, and each table's note as
 * "note_text", are in ?lang= (en or ko).
 */
#include "http.h"
#include "../core/stats.h"

#include <string.h>

/* The rates of ?rate=CNY:USD=0.14,KPW:USD=0.0011 (sale prices); on error
 * sets the reply. */
static int casework_rates(struct request *r, struct stats_rates *rates)
{
    const char *arg = http_arg(r, "rate");
    char one[64];

    for (const char *p = arg; p && *p;) {
        size_t n = strcspn(p, ",");
        snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one ? n : sizeof one - 1), p);
        if (stats_rate_parse(&r->ctx, one, rates) != AT_OK) {
            http_error(r, 400, "invalid", "rate", "%s", r->ctx.message);
            return AT_EINVAL;
        }
        p += n + (p[n] == ',');
    }
    return AT_OK;
}

/* Counts with ?period= (half or year); on error sets the reply and
 * returns NULL. */
static json_t *compute(struct request *r)
{
    enum stats_period period = STATS_HALF_YEAR;
    const char *p = http_arg(r, "period");
    struct stats_rates rates = { 0 };
    json_t *stats = NULL;
    int rc;

    if (p && stats_period_parse(&r->ctx, p, &period) != AT_OK) {
        http_error(r, 400, "invalid", "period", "%s", r->ctx.message);
        return NULL;
    }
    if ((rc = casework_rates(r, &rates)) != AT_OK)
        return NULL;
    if ((rc = stats_compute(&r->ctx, r->st, r->keys.clearance, period, &stats)) != AT_OK
        || (rc = stats_casework(&r->ctx, r->st, r->keys.clearance, &rates, stats)) != AT_OK) {
        json_decref(stats);
        http_core_error(r, rc);
        return NULL;
    }
    return stats;
}

/* GET /api/v1/stats[?lang=]: with lang, each table's note also in that
 * language as "note_text", by the chart's own words (svg_note). */
int api_stats(struct request *r)
{
    enum svg_lang lang = SVG_EN;
    struct buf text = BUF_INIT;
    json_t *stats, *table;
    const char *note;
    size_t i;

    if (svg_lang_parse(&r->ctx, http_arg(r, "lang"), &lang) != AT_OK)
        return http_error(r, 400, "invalid", "lang", "%s", r->ctx.message);
    if ((stats = compute(r)) == NULL)
        return (int)r->status;
    json_array_foreach(json_object_get(stats, "tables"), i, table) {
        note = json_string_value(json_object_get(table, "note"));
        if (http_arg(r, "lang") == NULL || note == NULL)
            continue;
        buf_reset(&text);
        svg_note(lang, note, &text);
        json_object_set_new(table, "note_text", json_string(buf_str(&text)));
    }
    buf_free(&text);
    return http_json(r, 200, stats);
}

int api_stats_chart(struct request *r)
{
    struct buf svg = BUF_INIT;
    json_t *stats, *table;
    enum svg_lang lang;
    int rc;

    if (svg_lang_parse(&r->ctx, http_arg(r, "lang"), &lang) != AT_OK)
        return http_error(r, 400, "invalid", "lang", "%s", r->ctx.message);
    if ((stats = compute(r)) == NULL)
        return (int)r->status;
    if ((table = stats_table(stats, r->params[0])) == NULL) {
        json_decref(stats);
        return http_error(r, 404, "not_found", "name", "no table of that name; GET "
                          "/api/v1/stats lists them");
    }
    rc = stats_chart(&r->ctx, table, lang, &svg);
    json_decref(stats);
    if (rc != AT_OK) {
        buf_free(&svg);
        return http_core_error(r, rc);
    }
    r->owned_len = svg.len;
    r->owned = buf_detach(&svg);
    r->content_type = "image/svg+xml; charset=utf-8";
    r->status = 200;
    return 200;
}
