/*
 * mse.h: multiple systems estimation: how many people a set of
 * overlapping lists missed altogether, from how often the lists name the
 * same people.  The input is a capture-history table: for each pattern of
 * lists (seen on list 1 but not 2, ...) the number of people with that
 * pattern.  The family implements, from the mathematics:
 *
 *   mse.c            the table (its CSV layout), Lincoln-Petersen and
 *                    Chapman for two lists, Chao's lower bound, and what
 *                    every method shares (quantiles, warnings);
 *   mse_loglinear.c  Poisson log-linear models fitted by Newton's method
 *                    (IRLS), the search over hierarchical models, AIC and
 *                    BIC, and profile-likelihood intervals;
 *   mse_dga.c        Bayesian model averaging over decomposable graphical
 *                    models with a hyper-Dirichlet prior (Madigan and York
 *                    1997), in closed form;
 *   mse_lcmcr.c      the latent-class model of Manrique-Vallier (2016)
 *                    and its Gibbs sampler, with convergence diagnostics.
 *
 * Cells are indexed by pattern: bit j of the index is set when the person
 * is on list j, so the first list varies fastest and cell 0 is the people
 * no list has (never observed).  The random draws come from rng.h.
 */
#ifndef MSE_H
#define MSE_H

#include "attest.h"
#include "svg.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#define MSE_MAX_LISTS 6
#define MSE_MAX_CELLS (1 << MSE_MAX_LISTS)
#define MSE_NAME_MAX 64
/* The interval every method reports: 95%. */
#define MSE_LEVEL 0.95

struct mse_table {
    int nlists;                               /* 2 to MSE_MAX_LISTS */
    char names[MSE_MAX_LISTS][MSE_NAME_MAX];  /* the lists, in column order */
    double count[MSE_MAX_CELLS];              /* by pattern; count[0] is 0 */
};

/* The people on at least one list. */
double mse_table_observed(const struct mse_table *t);

/* The people on list j. */
double mse_table_list_total(const struct mse_table *t, int j);

/* Reads the counts CSV (docs/commands/estimate.md): a header naming 2 to 6
 * lists and a last column "count", then rows of 0/1 patterns and a whole
 * count; patterns left out count 0.  name is used in messages, which name
 * the line and the column of what is wrong and what would be valid.
 * Returns AT_OK or AT_EINVAL. */
int mse_table_read_csv(struct at_ctx *ctx, FILE *f, const char *name, struct mse_table *out);

/* Checks a table built another way: 2 to 6 lists, counts whole and >= 0,
 * cell 0 empty, and at least one person observed. */
int mse_table_check(struct at_ctx *ctx, const struct mse_table *t);

/* An estimate of the total, observed and unobserved. */
struct mse_estimate {
    double observed;       /* n, the people on some list */
    double total;          /* the point estimate of N */
    double se;             /* its standard error (0 when the method has none) */
    double lower, upper;   /* the 95% interval (equal to total when none) */
    char model[96];        /* the model or the pair of lists used */
};

/* Lincoln-Petersen n1 n2 / m and Chapman (n1+1)(n2+1)/(m+1) - 1 over lists
 * a and b of t, people on other lists ignored.  The Chapman estimate gets
 * Seber's variance and a normal interval; lp gets the plain estimate.
 * AT_EINVAL when a list is empty or the lists do not overlap (m = 0:
 * Lincoln-Petersen is then infinite). */
int mse_chapman(struct at_ctx *ctx, const struct mse_table *t, int a, int b,
                struct mse_estimate *chapman, double *lp);

/* Chao's lower bound n + f1^2 / (2 f2), f_k the people on exactly k lists;
 * f holds f_1..f_J at f[1..J] when not NULL. */
int mse_chao(struct at_ctx *ctx, const struct mse_table *t, struct mse_estimate *out,
             double f[MSE_MAX_LISTS + 1]);

/* ---- log-linear models (mse_loglinear.c) ---- */

/* A hierarchical model is its set of interaction terms: bit A of the mask
 * is set when the term over the lists in A (|A| >= 2) is in the model.
 * Main effects and the intercept are always in. */
typedef uint64_t mse_terms;

enum mse_criterion { MSE_AIC, MSE_BIC };

struct mse_llm_fit {
    mse_terms terms;
    int params;            /* p: intercept, main effects, interactions */
    int df;                /* observed cells - p */
    double beta[1 + MSE_MAX_LISTS + 15 + 20]; /* in the order of mse_llm_columns */
    double total, se;      /* N = n + exp(beta_0); SE sqrt(n0 + n0^2 Var beta_0) */
    double deviance;       /* G^2 */
    double loglik;         /* the Poisson log-likelihood, with its constants */
    double aic, bic;       /* -2 loglik + 2p, -2 loglik + p log n */
    int iterations;
    int ok;                /* 1: converged, finite, and not on the boundary */
};

/* Writes the model's name in the bracket notation of the literature:
 * its largest terms by list number, "[123,14,34]"; main effects alone
 * ("[1,2,3,4]") for independence. */
void mse_llm_name(int nlists, mse_terms terms, char *out, size_t size);

/* Whether terms is a hierarchical model over nlists lists (every subset
 * of a term with two or more lists is also a term). */
int mse_llm_hierarchical(int nlists, mse_terms terms);

/* The highest order of interaction the search considers: 3, or J - 1
 * when that is lower (a J-way term cannot be estimated). */
int mse_llm_max_order(int nlists);

/* Parses a model in the bracket notation ("[123,14,34]" or "123,14,34")
 * into its hierarchical closure; AT_EINVAL naming what is wrong. */
int mse_llm_parse(struct at_ctx *ctx, int nlists, const char *text, mse_terms *out);

/* Fits the Poisson log-linear model to the observed cells of t.
 * Always returns AT_OK with fit->ok telling whether the fit is usable. */
int mse_llm_fit(const struct mse_table *t, mse_terms terms, struct mse_llm_fit *fit);

/* Fits every hierarchical model up to mse_llm_max_order (for 6 lists: every
 * two-way model, then forward steps adding three-way terms from the best
 * of them while the criterion improves) and returns them best first by
 * the criterion, the unusable fits last.  *fits is the caller's to free.
 * *exhaustive tells whether every model up to the order was fitted. */
int mse_llm_search(struct at_ctx *ctx, const struct mse_table *t, enum mse_criterion crit,
                   struct mse_llm_fit **fits, size_t *count, int *exhaustive);

/* The profile likelihood of N under the model (the multinomial
 * likelihood of the full table with N - n people in cell 0, maximised over
 * the model's parameters): its maximum *mle and the 95% interval where
 * twice the drop from the maximum reaches the chi-square(1) quantile. */
int mse_llm_profile(struct at_ctx *ctx, const struct mse_table *t, mse_terms terms,
                    double *mle, double *lower, double *upper);

/* The profile log-likelihood at N (>= n), for charts. */
double mse_llm_profile_loglik(const struct mse_table *t, mse_terms terms, double total);

/* ---- Bayesian model averaging over decomposable graphs (mse_dga.c) ---- */

struct mse_dga_graph {
    uint32_t edges;        /* bit e for the e-th pair (0,1), (0,2), ... (J-2,J-1) */
    double probability;    /* posterior */
    char name[64];         /* its cliques, "[12][3]" */
};

struct mse_dga_result {
    long nmis_min, nmis_max;     /* the grid of unobserved counts */
    double *posterior;           /* P(Nmis = nmis_min + i), i over the grid */
    struct mse_dga_graph *graphs;
    size_t ngraphs;              /* sorted by probability, highest first */
    double mode, mean, median, lower, upper; /* of N = n + Nmis */
    double bayes;                /* E[1/N] / E[1/N^2], the 1/N^2-loss estimate */
    double top_mode, top_bayes;  /* the same for the most probable graph alone */
};

/* delta is the hyper-Dirichlet parameter per full-table cell (2^-J when
 * <= 0, the dga default); log_prior is the log prior of N over the grid
 * (NULL: -log N).  Frees nothing; mse_dga_free releases *out. */
int mse_dga(struct at_ctx *ctx, const struct mse_table *t, double delta, long nmis_min,
            long nmis_max, const double *log_prior, struct mse_dga_result *out);
void mse_dga_free(struct mse_dga_result *r);

/* The number of decomposable graphs over nlists vertices (8, 61, 822,
 * 18154 for 3 to 6). */
size_t mse_dga_count_graphs(int nlists);

/* ---- LCMCR, the latent-class model (mse_lcmcr.c) ---- */

struct mse_lcmcr_options {
    int classes;           /* K, the truncation */
    double a_alpha, b_alpha; /* the Gamma prior of the concentration */
    long burnin, samples, thinning;
    uint64_t seed;
};

/* K = 10, a = b = 0.25, burn-in 10,000, 1,000 samples thinned by 100. */
void mse_lcmcr_defaults(struct mse_lcmcr_options *o);

struct mse_lcmcr_result {
    double *draws;         /* samples draws of N, in chain order */
    long ndraws;
    double median, mean, lower, upper;
    double geweke_z;       /* first 10% against last 50% of the draws */
    double split_rhat;     /* over the two halves */
    double ess;            /* effective sample size (Geyer's initial monotone sequence) */
};

struct mse_lcmcr;

/* A sampler positioned after its initialisation (warm-up and relabelling). */
int mse_lcmcr_new(struct at_ctx *ctx, const struct mse_table *t,
                  const struct mse_lcmcr_options *o, struct mse_lcmcr **out);
/* One Gibbs sweep; returns the current N. */
double mse_lcmcr_sweep(struct mse_lcmcr *s);
void mse_lcmcr_free(struct mse_lcmcr *s);

/* Burn-in, then samples draws thinned; out->draws is freed by
 * mse_lcmcr_result_free. */
int mse_lcmcr_run(struct at_ctx *ctx, const struct mse_table *t,
                  const struct mse_lcmcr_options *o, struct mse_lcmcr_result *out);
void mse_lcmcr_result_free(struct mse_lcmcr_result *r);

/* ---- one estimate, as a report (mse_report.c) ---- */

enum mse_method_kind { MSE_LOGLINEAR, MSE_DGA, MSE_LCMCR, MSE_CHAPMAN };

struct mse_method {
    enum mse_method_kind kind;
    enum mse_criterion criterion;   /* loglinear */
    struct mse_lcmcr_options lcmcr; /* lcmcr */
    bool curve;                     /* reports add "curve", for charts */
};

/* The method named "loglinear", "dga", "lcmcr" or "chapman"; AT_EINVAL
 * saying which are valid. */
int mse_method_parse(struct at_ctx *ctx, const char *name, enum mse_method_kind *out);
const char *mse_method_name(enum mse_method_kind kind);

/* The one check of an estimate's options, for `attest estimate` and
 * POST /api/v1/estimates alike: sets option name ("method", "criterion",
 * "seed", "classes", "burnin", "samples", "thinning") of m from text;
 * AT_EINVAL with a message that names the option and what is valid (the
 * same words whichever front end asks).  m starts as mse_method_defaults
 * sets it. */
#define MSE_SWEEPS_MAX 1000000000L
void mse_method_defaults(struct mse_method *m);
int mse_method_option(struct at_ctx *ctx, struct mse_method *m, const char *name, const char *text);
/* AT_EINVAL, naming samples, when LCMCR's chain would run more than
 * sweeps_max sweeps (burnin + samples x thinning). */
int mse_method_check(struct at_ctx *ctx, const struct mse_method *m, long sweeps_max);

/* Runs the method on t and describes the result as a JSON object
 * (docs/commands/estimate.md): the lists and their sizes, "documented",
 * "estimate", "se", "lower", "upper", what the interval is, the model,
 * the method's own details (the models or graphs next in line, the
 * chain's diagnostics), Chao's lower bound, and "warnings": the table's
 * and the method's, in plain words; with m->curve, also "curve": {"kind":
 * "profile", "x": N, "y": twice the drop of the log-likelihood} or
 * {"kind": "posterior", "x": N, "y": probability} or {"kind": "draws",
 * "values": N}.  *out is the caller's. */
int mse_report(struct at_ctx *ctx, const struct mse_table *t, const struct mse_method *m,
               json_t **out);

/* ---- charts (mse_chart.c) ---- */

/* Draws a computed estimate (the document attest estimate prints, with
 * "strata" of reports) as one SVG chart into out: with several strata,
 * documented against estimated with the intervals, by stratum; with one,
 * its "curve" (the profile likelihood, the posterior of N, or a histogram
 * of the draws) with the interval shaded.  AT_EINVAL when there is
 * nothing to draw (a two-list estimate has no curve).  Its own words are
 * in lang (svg.h); the strata's names and the warnings as given. */
int mse_chart_svg(struct at_ctx *ctx, json_t *doc, enum svg_lang lang, struct buf *out);

/* ---- estimates from the archive (mse_archive.c) ---- */

struct store;

/* How the victims are split before estimating: one estimate per province
 * (of the act's event), period (the act's year, else its event's) or act
 * type. */
enum mse_strata { MSE_STRATA_NONE, MSE_STRATA_PROVINCE, MSE_STRATA_PERIOD, MSE_STRATA_ACT };
int mse_strata_parse(struct at_ctx *ctx, const char *text, enum mse_strata *out);

/* What an estimate from the archive is computed from: the lists of
 * sources (docs/commands/estimate.md: NAME=SOURCE[|SOURCE];... with
 * SOURCE "interview" or "document" and ",FIELD:VALUE" filters, VALUE* a
 * prefix), the strata, the method, and the signed tree head whose records
 * it reads (its size; 0 for the newest). */
struct mse_request {
    const char *lists;
    enum mse_strata strata;
    struct mse_method method;
    uint64_t at_size;
};

/* Computes the estimate from the records as they were at the head, as the
 * store's session may read them: capture histories of the victims of acts
 * (persons, one per cluster of link_cluster when it has them), by
 * stratum, each stratum reported by mse_report.  *out (the caller's)
 * holds "id" (the same for the same definition), "definition", "tree_head",
 * "linkage", "clearance", "strata" and "warnings". */
int mse_archive_estimate(struct at_ctx *ctx, struct store *st, const struct mse_request *rq,
                         json_t **out);

/* Stores an estimate from mse_archive_estimate as the next version of its
 * id (a log entry of kind "estimate"), adding "version", "computed_by" and
 * "computed_at" to it.  In the form evlog_write runs: arg is the json_t *. */
int mse_archive_store_write(struct at_ctx *ctx, struct store *st, void *doc);

/* Keeps a computed estimate: drops its curves (only a chart needs them),
 * then stores it as mse_archive_store_write does (in its own write) when
 * the store's session may write, or adds to its "warnings" that it was
 * not stored.  *stored tells which. */
int mse_archive_keep(struct at_ctx *ctx, struct store *st, json_t *doc, bool *stored);

/* The newest stored version of estimate id; AT_ENOTFOUND when none. */
int mse_archive_load(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* The newest stored version of each estimate the store's session may
 * see (computed with a clearance at or below its own: a stored estimate
 * counts what its author could read), newest first, each as
 * {"id", "version", "method", "strata" (how many), "lists_spec",
 * "computed_at", "computed_by", "clearance"}.  *out is the caller's. */
int mse_archive_list(struct at_ctx *ctx, struct store *st, json_t **out);

/* The newest stored version of estimate id when the store's session may
 * see it (as mse_archive_list decides); AT_ENOTFOUND, as for none,
 * otherwise. */
int mse_archive_read(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* Recomputes stored estimate id from its definition at its tree head
 * (with curve, its reports get their curves for a chart).  *again is the
 * new computation, *stored what was stored, and *same tells whether every
 * stratum came out the same (curves aside); warnings about what may differ
 * (the linkage, the reader's clearance) are in (*again)["warnings"]. */
int mse_archive_reproduce(struct at_ctx *ctx, struct store *st, const char *id, bool curve,
                          json_t **stored, json_t **again, bool *same);

/* ---- shared ---- */

/* The table as JSON: "lists", "list_sizes", "patterns" ("1010": n, a digit
 * per list in order) and "documented".  The caller's. */
json_t *mse_table_describe(const struct mse_table *t);

/* The q-quantile (0..1) of n values, which it sorts in place (type 7 of
 * Hyndman and Fan, R's default). */
double mse_quantile(double *values, size_t n, double q);

/* The chi-square(1) quantile at MSE_LEVEL: 3.841459. */
#define MSE_CHISQ1_95 3.8414588206941236

/* Warnings about a table any method should give (tiny cells, one list
 * dominating, lists barely overlapping), one sentence each, appended to
 * out separated by newlines. */
void mse_table_warnings(const struct mse_table *t, struct buf *out);

#endif
