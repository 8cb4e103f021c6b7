/*
 * mse_chart.c: an estimate drawn as an SVG chart with svg.h.  Several
 * strata: documented and estimated side by side, the estimate with its
 * interval, by stratum.  One stratum: how sure the method is about N, the
 * profile likelihood (log-linear), the posterior (dga) or a histogram of
 * the draws with a density curve (LCMCR), with the 95% interval shaded and
 * the documented count marked.  The notes under the charts say what the
 * figures are not.
 */
#include "attest.h"
#include "mse.h"
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NOT_TRENDS "Documented counts come from convenience samples and are not trends: compare the estimates with their intervals, not the documented counts."

static double number(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The numbers of a JSON array into a new array. */
static double *numbers(json_t *a, size_t *n)
{
    double *v;

    *n = json_array_size(a);
    v = xcalloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = number(json_array_get(a, i));
    return v;
}

static int strata_chart(struct at_ctx *ctx, json_t *strata, enum svg_lang lang, struct buf *out)
{
    size_t n = json_array_size(strata);
    const char **labels = xcalloc(n, sizeof *labels);
    double *documented = xcalloc(n, sizeof *documented), *estimate = xcalloc(n, sizeof *estimate);
    double *lo = xcalloc(n, sizeof *lo), *hi = xcalloc(n, sizeof *hi);
    struct svg_series s[2] = { { svg_word(lang, "documented"), documented, NULL, NULL },
                               { svg_word(lang, "estimated, 95% interval"), estimate, lo, hi } };
    struct svg_frame f = { .title = svg_word(lang, "Documented and estimated victims by stratum"),
                           .x_label = svg_word(lang, "stratum"), .y_label = svg_word(lang, "victims"),
                           .note = svg_word(lang, NOT_TRENDS), .flags = SVG_Y_FROM_ZERO | SVG_Y_INTEGER,
                           .lang = lang };
    int rc;

    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(strata, i);

        labels[i] = json_string_value(json_object_get(r, "stratum")) ?: "";
        documented[i] = number(json_object_get(r, "documented"));
        estimate[i] = number(json_object_get(r, "estimate"));
        lo[i] = number(json_object_get(r, "lower"));
        hi[i] = number(json_object_get(r, "upper"));
        if (isnan(estimate[i]))
            lo[i] = hi[i] = NAN;
    }
    rc = svg_points(ctx, out, &f, labels, n, s, 2);
    free(labels);
    free(documented);
    free(estimate);
    free(lo);
    free(hi);
    return rc;
}

static int curve_chart(struct at_ctx *ctx, json_t *r, enum svg_lang lang, struct buf *out)
{
    json_t *curve = json_object_get(r, "curve");
    const char *kind = json_string_value(json_object_get(curve, "kind")) ?: "";
    struct svg_rule rules[2] = {
        { SVG_AT_X, number(json_object_get(r, "lower")), number(json_object_get(r, "upper")),
          svg_word(lang, "95% interval") },
        { SVG_AT_X, number(json_object_get(r, "documented")), number(json_object_get(r, "documented")),
          svg_word(lang, "documented") },
    };
    /* The note is the report's first warning, in lang (its figures as mse_report wrote them). */
    const char *warning = json_string_value(json_array_get(json_object_get(r, "warnings"), 0));
    struct svg_frame f = { .x_label = svg_word(lang, "total victims N"), .rules = rules, .nrules = 2,
                           .lang = lang };
    struct buf note = BUF_INIT;
    const char *stratum = json_string_value(json_object_get(r, "stratum")) ?: "all";
    struct buf title = BUF_INIT;
    double *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int rc;

    buf_printf(&title, "%s: %s, %s", strcmp(stratum, "all") == 0 ? svg_word(lang, "all") : stratum,
               svg_word(lang, json_string_value(json_object_get(r, "method")) ?: ""),
               json_string_value(json_object_get(r, "model")) ?: "");
    f.title = buf_str(&title);
    if (warning) {
        svg_note(lang, warning, &note);
        f.note = buf_str(&note);
    }
    if (strcmp(kind, "draws") == 0) {
        f.y_label = svg_word(lang, "density");
        f.flags = SVG_DENSITY;
        x = numbers(json_object_get(curve, "values"), &nx);
        rc = svg_histogram(ctx, out, &f, x, nx, 0);
    } else if (strcmp(kind, "profile") == 0 || strcmp(kind, "posterior") == 0) {
        struct svg_curve c = { NULL, NULL, NULL, NULL, NULL, 0 };

        f.y_label = svg_word(lang, strcmp(kind, "profile") == 0 ? "twice the drop in log-likelihood"
                                                                 : "posterior probability");
        f.flags = SVG_NO_DOTS | SVG_Y_FROM_ZERO;
        x = numbers(json_object_get(curve, "x"), &nx);
        y = numbers(json_object_get(curve, "y"), &ny);
        c.x = x;
        c.y = y;
        c.n = nx < ny ? nx : ny;
        rc = svg_lines(ctx, out, &f, &c, 1);
    } else {
        rc = ctx_error(ctx, AT_EINVAL, "this estimate has no curve to draw (a two-list estimate has none)");
    }
    free(x);
    free(y);
    buf_free(&title);
    buf_free(&note);
    return rc;
}

int mse_chart_svg(struct at_ctx *ctx, json_t *doc, enum svg_lang lang, struct buf *out)
{
    json_t *strata = json_object_get(doc, "strata");

    if (json_array_size(strata) == 0)
        return ctx_error(ctx, AT_EINVAL, "there is no estimate to draw");
    if (json_array_size(strata) > 1)
        return strata_chart(ctx, strata, lang, out);
    return curve_chart(ctx, json_array_get(strata, 0), lang, out);
}
