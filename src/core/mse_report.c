/*
 * mse_report.c: one estimate as a report.  Runs the method an analyst
 * chose on a capture table and describes the result as JSON, which the
 * command line prints as a table, writes with --json, and stores in the
 * archive as an estimate record: the point estimate and its interval, the
 * model, what the method needs checked (the next models, the graphs' weights,
 * the chain's diagnostics) and the warnings, in plain words, that the
 * method's users have learnt to need.  One place decides what a report
 * holds; docs/commands/estimate.md describes it.
 */
#include "attest.h"
#include "mse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How many runner-up models or graphs a report lists. */
#define NEXT_MAX 4
/* Models within this much of the best criterion are almost as good. */
#define NEAR_CRITERION 2.0
/* ... and worth a warning when their estimates differ by this share. */
#define NEAR_SPREAD 0.2
/* The dga grid: unobserved counts from 0 to DGA_GRID_FACTOR n + DGA_GRID_MIN. */
#define DGA_GRID_FACTOR 5
#define DGA_GRID_MIN 200
/* Posterior weight on the grid's last twentieth that makes it too short. */
#define DGA_EDGE_MASS 1e-3
/* Points of a drawn curve. */
#define CURVE_POINTS 200
/* Convergence: |Geweke z|, split R-hat and effective sample size limits. */
#define GEWEKE_MAX 2.6
#define RHAT_MAX 1.1
#define ESS_MIN 100

static const char *const method_names[] = {
    [MSE_LOGLINEAR] = "loglinear",
    [MSE_DGA] = "dga",
    [MSE_LCMCR] = "lcmcr",
    [MSE_CHAPMAN] = "chapman",
};

int mse_method_parse(struct at_ctx *ctx, const char *name, enum mse_method_kind *out)
{
    for (size_t i = 0; i < ARRAY_LEN(method_names); i++)
        if (strcmp(name, method_names[i]) == 0) {
            *out = (enum mse_method_kind)i;
            return AT_OK;
        }
    return ctx_error(ctx, AT_EINVAL, "method \"%.40s\": use loglinear, dga, lcmcr or chapman", name);
}

const char *mse_method_name(enum mse_method_kind kind)
{
    return method_names[kind];
}

/* The options of a method that are whole numbers, with their ranges. */
static const struct {
    const char *name;
    long min, max;
} method_numbers[] = {
    { "seed", 0, 9007199254740991L }, { "classes", 1, 64 }, { "burnin", 0, MSE_SWEEPS_MAX },
    { "samples", 10, 1000000 },       { "thinning", 1, 100000 },
};

void mse_method_defaults(struct mse_method *m)
{
    memset(m, 0, sizeof *m);
    m->kind = MSE_LOGLINEAR;
    m->criterion = MSE_BIC;
    mse_lcmcr_defaults(&m->lcmcr);
}

int mse_method_option(struct at_ctx *ctx, struct mse_method *m, const char *name, const char *text)
{
    char *end = NULL;
    long v;

    if (strcmp(name, "method") == 0)
        return mse_method_parse(ctx, text, &m->kind);
    if (strcmp(name, "criterion") == 0) {
        if (strcmp(text, "aic") != 0 && strcmp(text, "bic") != 0)
            return ctx_error(ctx, AT_EINVAL, "criterion \"%.40s\": use aic or bic", text);
        m->criterion = strcmp(text, "aic") == 0 ? MSE_AIC : MSE_BIC;
        return AT_OK;
    }
    for (size_t i = 0; i < ARRAY_LEN(method_numbers); i++) {
        if (strcmp(name, method_numbers[i].name) != 0)
            continue;
        errno = 0;
        v = (*text >= '0' && *text <= '9') || *text == '-' ? strtol(text, &end, 10) : 0;
        if (end == NULL || end == text || *end != '\0' || errno != 0 || v < method_numbers[i].min
            || v > method_numbers[i].max)
            return ctx_error(ctx, AT_EINVAL, "%s must be a whole number from %ld to %ld, not "
                             "\"%.40s\"", name, method_numbers[i].min, method_numbers[i].max, text);
        switch (i) {
        case 0: m->lcmcr.seed = (uint64_t)v; break;
        case 1: m->lcmcr.classes = (int)v; break;
        case 2: m->lcmcr.burnin = v; break;
        case 3: m->lcmcr.samples = v; break;
        default: m->lcmcr.thinning = v; break;
        }
        return AT_OK;
    }
    return ctx_error(ctx, AT_EINVAL, "\"%.40s\" is not an option of an estimate", name);
}

int mse_method_check(struct at_ctx *ctx, const struct mse_method *m, long sweeps_max)
{
    const struct mse_lcmcr_options *o = &m->lcmcr;

    if ((double)o->samples * (double)o->thinning + (double)o->burnin > (double)sweeps_max)
        return ctx_error(ctx, AT_EINVAL, "samples: burnin + samples x thinning must stay within "
                         "%ld sweeps", sweeps_max);
    return AT_OK;
}

/* A number, or null when it is not finite (jansson refuses NaN). */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static void warn(json_t *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(json_t *warnings, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    json_array_append_new(warnings, json_string(buf_str(&b)));
    buf_free(&b);
}

json_t *mse_table_describe(const struct mse_table *t)
{
    json_t *r = json_object(), *lists = json_array(), *sizes = json_array(), *patterns = json_object();

    for (int j = 0; j < t->nlists; j++) {
        json_array_append_new(lists, json_string(t->names[j]));
        json_array_append_new(sizes, json_integer((json_int_t)mse_table_list_total(t, j)));
    }
    for (int h = 1; h < 1 << t->nlists; h++) {
        char key[MSE_MAX_LISTS + 1];

        for (int j = 0; j < t->nlists; j++)
            key[j] = (char)('0' + (h >> j & 1));
        key[t->nlists] = 0;
        json_object_set_new(patterns, key, json_integer((json_int_t)t->count[h]));
    }
    json_object_set_new(r, "lists", lists);
    json_object_set_new(r, "list_sizes", sizes);
    json_object_set_new(r, "patterns", patterns);
    json_object_set_new(r, "documented", json_integer((json_int_t)mse_table_observed(t)));
    return r;
}

static void set_estimate(json_t *r, double total, double se, double lower, double upper,
                         const char *interval, const char *model)
{
    json_object_set_new(r, "estimate", num(total));
    json_object_set_new(r, "se", se > 0 ? num(se) : json_null());
    json_object_set_new(r, "lower", num(lower));
    json_object_set_new(r, "upper", num(upper));
    json_object_set_new(r, "interval", json_string(interval));
    json_object_set_new(r, "model", json_string(model));
}

/* Whether the model has a term of the highest order the search allowed. */
static int at_top_order(int nlists, mse_terms terms)
{
    int order = mse_llm_max_order(nlists);

    for (int a = 0; a < 1 << nlists; a++)
        if ((terms >> a & 1) && __builtin_popcount((unsigned)a) == order)
            return order >= 2;
    return 0;
}

/* The profile likelihood of terms around its interval, as twice the drop
 * from its maximum (the interval's ends are where it reaches 3.84). */
static json_t *profile_curve(const struct mse_table *t, mse_terms terms, double mle, double lo, double hi)
{
    double n = mse_table_observed(t), span = hi - lo, from = fmax(n, lo - span / 2), to = hi + span / 2;
    double top = mse_llm_profile_loglik(t, terms, mle);
    json_t *x = json_array(), *y = json_array();

    for (int i = 0; i < CURVE_POINTS; i++) {
        double at = from + (to - from) * i / (CURVE_POINTS - 1), ll = mse_llm_profile_loglik(t, terms, at);

        if (!isfinite(ll))
            continue;
        json_array_append_new(x, json_real(at));
        json_array_append_new(y, json_real(2 * (top - ll)));
    }
    return json_pack("{s:s, s:o, s:o}", "kind", "profile", "x", x, "y", y);
}

static int report_loglinear(struct at_ctx *ctx, const struct mse_table *t, enum mse_criterion crit,
                            bool curve, json_t *r, json_t *warnings)
{
    const char *cname = crit == MSE_AIC ? "AIC" : "BIC";
    struct mse_llm_fit *fits = NULL, *best;
    size_t n = 0, usable = 0;
    int exhaustive = 0, rc;
    char name[96];
    double mle = NAN, lo, hi;
    json_t *detail, *next = json_array();

    if ((rc = mse_llm_search(ctx, t, crit, &fits, &n, &exhaustive)) != AT_OK)
        goto out;
    while (usable < n && fits[usable].ok)
        usable++;
    if (usable == 0) {
        rc = ctx_error(ctx, AT_EINVAL, "no log-linear model can be fitted to these counts");
        goto out;
    }
    best = &fits[0];
    mse_llm_name(t->nlists, best->terms, name, sizeof name);
    if (mse_llm_profile(ctx, t, best->terms, &mle, &lo, &hi) == AT_OK) {
        set_estimate(r, best->total, best->se, lo, hi, "95% profile likelihood", name);
        if (curve)
            json_object_set_new(r, "curve", profile_curve(t, best->terms, mle, lo, hi));
    } else {
        set_estimate(r, best->total, best->se, fmax(mse_table_observed(t), best->total - 1.96 * best->se),
                     best->total + 1.96 * best->se, "95% normal (the profile likelihood has no upper end)", name);
        warn(warnings, "The profile likelihood of the chosen model does not close: its interval is the normal one and is too narrow.");
    }
    for (size_t i = 1; i < usable && i <= NEXT_MAX; i++) {
        char other[96];
        double c = crit == MSE_AIC ? fits[i].aic : fits[i].bic;

        mse_llm_name(t->nlists, fits[i].terms, other, sizeof other);
        json_array_append_new(next, json_pack("{s:s, s:o, s:o, s:o, s:i, s:o}", "model", other,
                                              "estimate", num(fits[i].total), "se", num(fits[i].se),
                                              "deviance", num(fits[i].deviance), "df", fits[i].df,
                                              crit == MSE_AIC ? "aic" : "bic", num(c)));
    }
    detail = json_pack("{s:s, s:o, s:i, s:o, s:o, s:o, s:I, s:b, s:o}", "criterion",
                       crit == MSE_AIC ? "aic" : "bic", "deviance", num(best->deviance), "df", best->df,
                       "aic", num(best->aic), "bic", num(best->bic), "profile_mle", num(mle),
                       "models_fitted", (json_int_t)n, "exhaustive", exhaustive, "next", next);
    next = NULL;
    json_object_set_new(r, "loglinear", detail);
    if (at_top_order(t->nlists, best->terms))
        warn(warnings, "The chosen model %s has a %d-way term, the highest order considered: it is at the edge of the candidate models, and a richer dependence between the lists would move the estimate.",
             name, mse_llm_max_order(t->nlists));
    if (best->df == 0)
        warn(warnings, "The chosen model %s uses every degree of freedom: nothing is left to check how well it fits.", name);
    for (size_t i = 1; i < usable; i++) {
        double gap = crit == MSE_AIC ? fits[i].aic - best->aic : fits[i].bic - best->bic;
        char other[96];

        if (gap > NEAR_CRITERION)
            break;
        if (fabs(fits[i].total - best->total) > NEAR_SPREAD * best->total) {
            mse_llm_name(t->nlists, fits[i].terms, other, sizeof other);
            warn(warnings, "Model %s is almost as good by %s (%.2f behind) but estimates %.0f instead of %.0f: the choice of model alone moves the estimate by %.0f%%; consider dga or lcmcr, which average over models.",
                 other, cname, gap, fits[i].total, best->total,
                 100 * fabs(fits[i].total - best->total) / best->total);
        }
    }
    if (!exhaustive)
        warn(warnings, "With %d lists the search fitted every two-way model, then added three-way terms one at a time while %s improved; it did not fit every hierarchical model.",
             t->nlists, cname);
out:
    json_decref(next);
    free(fits);
    return rc;
}

/* The posterior of N where it has weight (1e-6 and more of its mass either
 * side cut), at most CURVE_POINTS points, as probability per unit of N. */
static json_t *posterior_curve(const struct mse_dga_result *d, double n)
{
    long len = d->nmis_max - d->nmis_min + 1, first = 0, last = len - 1, step;
    double cum = 0;
    json_t *x = json_array(), *y = json_array();

    for (long i = 0; i < len; i++) {
        cum += d->posterior[i];
        if (cum < 1e-6)
            first = i + 1;
        if (cum <= 1 - 1e-6)
            last = i + 1;
    }
    if (last >= len)
        last = len - 1;
    step = (last - first) / CURVE_POINTS + 1;
    for (long i = first; i <= last; i += step) {
        json_array_append_new(x, json_real(n + (double)(d->nmis_min + i)));
        json_array_append_new(y, json_real(d->posterior[i]));
    }
    return json_pack("{s:s, s:o, s:o}", "kind", "posterior", "x", x, "y", y);
}

static int report_dga(struct at_ctx *ctx, const struct mse_table *t, bool curve, json_t *r, json_t *warnings)
{
    struct mse_dga_result d;
    double n = mse_table_observed(t), delta = 1.0 / (1 << t->nlists), edge = 0;
    long top = DGA_GRID_FACTOR * (long)n + DGA_GRID_MIN, len;
    json_t *graphs = json_array();
    int rc;

    if ((rc = mse_dga(ctx, t, delta, 0, top, NULL, &d)) != AT_OK) {
        json_decref(graphs);
        return rc;
    }
    len = d.nmis_max - d.nmis_min + 1;
    for (long i = len - len / 20 - 1; i < len; i++)
        edge += d.posterior[i];
    set_estimate(r, d.median, 0, d.lower, d.upper, "95% posterior", d.graphs[0].name);
    if (curve)
        json_object_set_new(r, "curve", posterior_curve(&d, n));
    for (size_t i = 0; i < d.ngraphs && i <= NEXT_MAX; i++)
        json_array_append_new(graphs, json_pack("{s:s, s:o}", "graph", d.graphs[i].name,
                                                "probability", num(d.graphs[i].probability)));
    json_object_set_new(r, "dga", json_pack("{s:o, s:[I,I], s:o, s:o, s:o, s:o, s:I, s:o}", "delta", num(delta),
                                            "grid", (json_int_t)d.nmis_min, (json_int_t)d.nmis_max,
                                            "mode", num(d.mode), "mean", num(d.mean), "median", num(d.median),
                                            "bayes", num(d.bayes), "graphs_averaged", (json_int_t)d.ngraphs,
                                            "graphs", graphs));
    if (edge > DGA_EDGE_MASS)
        warn(warnings, "The posterior still has %.1f%% of its weight near the top of the range searched (up to %.0f): the estimate may be cut off.",
             100 * edge, n + (double)d.nmis_max);
    if (d.graphs[0].probability < 0.5)
        warn(warnings, "No single dependence graph is convincing (the most probable, %s, has %.0f%%): the estimate averages over several.",
             d.graphs[0].name, 100 * d.graphs[0].probability);
    mse_dga_free(&d);
    return AT_OK;
}

static int report_lcmcr(struct at_ctx *ctx, const struct mse_table *t, const struct mse_lcmcr_options *o,
                        bool curve, json_t *r, json_t *warnings)
{
    struct mse_lcmcr_result l;
    char model[64];
    int rc;

    if ((rc = mse_lcmcr_run(ctx, t, o, &l)) != AT_OK)
        return rc;
    snprintf(model, sizeof model, "latent classes, K = %d", o->classes);
    if (curve) {
        json_t *values = json_array();

        for (long i = 0; i < l.ndraws; i++)
            json_array_append_new(values, json_real(l.draws[i]));
        json_object_set_new(r, "curve", json_pack("{s:s, s:o}", "kind", "draws", "values", values));
    }
    set_estimate(r, l.median, 0, l.lower, l.upper, "95% posterior", model);
    json_object_set_new(r, "lcmcr", json_pack("{s:i, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
                                              "classes", o->classes, "a_alpha", num(o->a_alpha),
                                              "b_alpha", num(o->b_alpha), "burnin", (json_int_t)o->burnin,
                                              "samples", (json_int_t)o->samples,
                                              "thinning", (json_int_t)o->thinning,
                                              "seed", (json_int_t)o->seed, "median", num(l.median),
                                              "mean", num(l.mean), "geweke_z", num(l.geweke_z),
                                              "split_rhat", num(l.split_rhat), "ess", num(l.ess)));
    if (!(fabs(l.geweke_z) <= GEWEKE_MAX) || !(l.split_rhat <= RHAT_MAX) || !(l.ess >= ESS_MIN))
        warn(warnings, "The sampler may not have settled (Geweke z %.2f, split R-hat %.3f, %.0f effective draws): run it longer, with more samples or more thinning, and compare seeds.",
             l.geweke_z, l.split_rhat, l.ess);
    mse_lcmcr_result_free(&l);
    return AT_OK;
}

static int report_chapman(struct at_ctx *ctx, const struct mse_table *t, json_t *r, json_t *warnings)
{
    struct mse_estimate e;
    double lp;
    int rc;

    if ((rc = mse_chapman(ctx, t, 0, 1, &e, &lp)) != AT_OK)
        return rc;
    set_estimate(r, e.total, e.se, e.lower, e.upper, "95% normal", e.model);
    json_object_set_new(r, "chapman", json_pack("{s:o, s:o}", "seen_on_either", num(e.observed),
                                                "lincoln_petersen", num(lp)));
    if (t->nlists > 2)
        warn(warnings, "Chapman uses the first two lists only (%s and %s); the other %d are ignored.",
             t->names[0], t->names[1], t->nlists - 2);
    warn(warnings, "Two-list estimates assume the lists are independent; lists that tend to name the same people make them too low.");
    return AT_OK;
}

int mse_report(struct at_ctx *ctx, const struct mse_table *t, const struct mse_method *m,
               json_t **out)
{
    json_t *r = mse_table_describe(t), *warnings = json_array();
    struct mse_estimate chao;
    struct buf tw = BUF_INIT;
    int rc;

    *out = NULL;
    if ((rc = mse_table_check(ctx, t)) != AT_OK)
        goto out;
    json_object_set_new(r, "method", json_string(mse_method_name(m->kind)));
    mse_table_warnings(t, &tw);
    for (char *line = tw.data, *end; line && *line; line = end + 1) {
        end = strchr(line, '\n');
        *end = 0;
        json_array_append_new(warnings, json_string(line));
    }
    switch (m->kind) {
    case MSE_LOGLINEAR:
        rc = report_loglinear(ctx, t, m->criterion, m->curve, r, warnings);
        break;
    case MSE_DGA:
        rc = report_dga(ctx, t, m->curve, r, warnings);
        break;
    case MSE_LCMCR:
        rc = report_lcmcr(ctx, t, &m->lcmcr, m->curve, r, warnings);
        break;
    case MSE_CHAPMAN:
        rc = report_chapman(ctx, t, r, warnings);
        break;
    }
    if (rc != AT_OK)
        goto out;
    json_object_set_new(r, "chao_lower_bound",
                        mse_chao(ctx, t, &chao, NULL) == AT_OK ? num(chao.total) : json_null());
    ctx_clear(ctx);
    json_object_set_new(r, "warnings", warnings);
    warnings = NULL;
    *out = r;
    r = NULL;
out:
    buf_free(&tw);
    json_decref(warnings);
    json_decref(r);
    return rc;
}
