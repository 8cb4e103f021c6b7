/*
 * mse_lcmcr.c: the Bayesian non-parametric latent-class model of
 * capture-recapture (Manrique-Vallier 2016, Biometrics 72:1246), HRDAG's
 * default estimator, with its Gibbs sampler written from the paper.
 *
 * Model: each person, observed or not, belongs to one of K latent classes
 * (a truncated stick-breaking Dirichlet process, V_k ~ Beta(1, alpha),
 * pi_k = V_k prod_{l<k} (1 - V_l), V_K = 1, alpha ~ Gamma(a, rate b));
 * within class k, list j records a person with probability lambda_jk ~
 * Beta(1, 1), independently across lists; and p(N) is proportional to 1/N,
 * under which the number never recorded, given pi and lambda, is negative
 * binomial.  One sweep, over the distinct observed patterns rather than
 * over people:
 *
 *   1. each pattern's people are spread over the classes:
 *      Multinomial(f_h, p_k ~ pi_k prod_j lambda_jk^h_j (1-lambda_jk)^(1-h_j));
 *   2. lambda_jk ~ Beta(1 + A_jk, 1 + B_jk), A the class's people on list j,
 *      B those off it (the unobserved included);
 *   3. V_k ~ Beta(1 + n_k, alpha + N - sum_{l<=k} n_l) for k < K;
 *   4. pi_0 = sum_k pi_k prod_j (1 - lambda_jk), the chance of being missed;
 *   5. n_0 ~ NegBin(n, 1 - pi_0), the failures before n successes (redrawn
 *      while above 20 n, the truncation the reference implementation uses);
 *   6. the unobserved are spread over the classes by pi_k prod_j (1-lambda_jk);
 *   7. alpha ~ Gamma(a + K - 1, rate b - log pi_K).
 *
 * The start: lambda_jk the share of people on list j, alpha = 0.3/K, pi
 * from the stick-breaking prior, 500 sweeps without step 7, then the
 * classes relabelled by decreasing pi_k.  The class weights of all 2^J
 * patterns come from one product table per class (2^(J+1) products), so a
 * sweep costs O(2^J K) plus the draws, whatever the number of people.
 */
#include "attest.h"
#include "mse.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLASSES 64
#define WARMUP 500
#define N0_CAP 20

struct mse_lcmcr {
    int nlists, ncells, K;
    int npat;
    int pat[MSE_MAX_CELLS];        /* the observed patterns with people */
    long freq[MSE_MAX_CELLS];
    double n;                      /* people observed */
    double a_alpha, b_alpha, alpha;
    double lambda[MAX_CLASSES * MSE_MAX_LISTS]; /* [k * J + j] */
    double pi[MAX_CLASSES];
    double log_pi_last;            /* sum over k < K of log(1 - V_k) */
    long nk[MAX_CLASSES];          /* the observed in class k */
    long on[MSE_MAX_LISTS * MAX_CLASSES]; /* [j * K + k]: those of them on list j */
    long c0[MAX_CLASSES];          /* the unobserved in class k */
    long n0;
    double *w;                     /* [h * K + k]: pi_k P(pattern h | class k) */
    struct rng rng;
};

void mse_lcmcr_defaults(struct mse_lcmcr_options *o)
{
    o->classes = 10;
    o->a_alpha = o->b_alpha = 0.25;
    o->burnin = 10000;
    o->samples = 1000;
    o->thinning = 100;
    o->seed = 1;
}

/* A Beta(a, b) draw V, with 1 - V and log(1 - V) exact even for the
 * tiny shapes a small alpha gives (1 - V may underflow; its log does
 * not). */
static double stick(struct rng *r, double a, double b, double *w, double *lw)
{
    double x, y, m, s;

    if (a == 1) {
        /* Beta(1, b): 1 - V = U^(1/b), exactly (an empty class's stick). */
        *lw = log(rng_uniform(r)) / b;
        *w = exp(*lw);
        return -expm1(*lw);
    }
    if (a >= 1 && b >= 1) {
        x = rng_gamma(r, a);
        y = rng_gamma(r, b);
        s = 1 / (x + y);
        *w = y * s;
        *lw = log(*w);
        return x * s;
    }
    x = rng_log_gamma(r, a);
    y = rng_log_gamma(r, b);
    m = x > y ? x : y;
    s = m + log(exp(x - m) + exp(y - m));
    *lw = y - s;
    *w = exp(*lw);
    return exp(x - s);
}

/* Step 3: pi_k = V_k prod_{l<k} (1 - V_l) with V_k ~ Beta(1 + n_k, alpha +
 * the people after class k); the product kept both as it is (pi
 * underflowing to 0 is harmless) and as its log, which alpha's step reads. */
static void draw_pi(struct mse_lcmcr *s, const long *nk, double total)
{
    int K = s->K;
    double cum = 0, rest = 1, lrest = 0;

    for (int k = 0; k < K - 1; k++) {
        double w, lw;

        cum += (double)nk[k];
        s->pi[k] = rest * stick(&s->rng, 1.0 + (double)nk[k], s->alpha + total - cum, &w, &lw);
        rest *= w;
        lrest += lw;
    }
    s->pi[K - 1] = rest;
    s->log_pi_last = lrest;
}

/* The class weights of every pattern into s->w. */
static void class_weights(struct mse_lcmcr *s)
{
    int K = s->K, J = s->nlists;

    for (int k = 0; k < K; k++) {
        const double *lam = &s->lambda[k * J];

        s->w[k] = s->pi[k];
        for (int j = 0; j < J; j++) {
            int half = 1 << j;

            for (int h = 0; h < half; h++) {
                double base = s->w[h * K + k];

                s->w[(h | half) * K + k] = base * lam[j];
                s->w[h * K + k] = base * (1 - lam[j]);
            }
        }
    }
}

/* Steps 2 and 3: lambda and the stick weights from the class counts. */
static void draw_lambda_pi(struct mse_lcmcr *s)
{
    int K = s->K, J = s->nlists;
    const long *on = s->on;
    long nk[MAX_CLASSES];

    for (int k = 0; k < K; k++)
        nk[k] = s->nk[k] + s->c0[k];
    for (int k = 0; k < K; k++)
        for (int j = 0; j < J; j++)
            s->lambda[k * J + j] = rng_beta(&s->rng, 1.0 + (double)on[j * K + k],
                                            1.0 + (double)(nk[k] - on[j * K + k]));
    draw_pi(s, nk, s->n + (double)s->n0);
}

/* Steps 4 to 6. */
static void draw_unobserved(struct mse_lcmcr *s)
{
    int K = s->K, J = s->nlists;
    double w0[MAX_CLASSES], pi0 = 0;

    for (int k = 0; k < K; k++) {
        double p = s->pi[k];

        for (int j = 0; j < J; j++)
            p *= 1 - s->lambda[k * J + j];
        w0[k] = p;
        pi0 += p;
    }
    if (pi0 >= 1)
        pi0 = 1 - 1e-12;
    do
        s->n0 = pi0 > 0 ? rng_negbin(&s->rng, s->n, 1 - pi0) : 0;
    while ((double)s->n0 > N0_CAP * s->n);
    if (pi0 > 0)
        rng_multinomial(&s->rng, s->n0, w0, K, s->c0);
    else
        memset(s->c0, 0, sizeof s->c0);
}

/* Step 1.  The multinomials take the classes heaviest first (by pi, one
 * order for every pattern), which lets them stop early.  Only the class
 * totals are kept, of people and of people on each list: all that steps
 * 2 and 3 read. */
static void draw_classes(struct mse_lcmcr *s)
{
    int K = s->K, J = s->nlists, order[MAX_CLASSES];
    double w[MAX_CLASSES];
    long drawn[MAX_CLASSES], cm[MAX_CLASSES];

    class_weights(s);
    memset(s->nk, 0, (size_t)K * sizeof *s->nk);
    memset(s->on, 0, (size_t)(J * K) * sizeof *s->on);
    for (int k = 0; k < K; k++) {
        int i = k;

        for (; i > 0 && s->pi[order[i - 1]] < s->pi[k]; i--)
            order[i] = order[i - 1];
        order[i] = k;
    }
    for (int m = 0; m < s->npat; m++) {
        const double *wm = &s->w[s->pat[m] * K];

        for (int i = 0; i < K; i++)
            w[i] = wm[order[i]];
        if (s->freq[m] == 1) {
            memset(drawn, 0, (size_t)K * sizeof *drawn);
            drawn[rng_categorical(&s->rng, w, K)] = 1;
        } else {
            rng_multinomial(&s->rng, s->freq[m], w, K, drawn);
        }
        for (int i = 0; i < K; i++)
            cm[order[i]] = drawn[i];
        for (int k = 0; k < K; k++)
            s->nk[k] += cm[k];
        for (int j = 0; j < J; j++)
            if (s->pat[m] >> j & 1)
                for (int k = 0; k < K; k++)
                    s->on[j * K + k] += cm[k];
    }
}

static double sweep(struct mse_lcmcr *s, int with_alpha)
{
    draw_classes(s);
    draw_lambda_pi(s);
    draw_unobserved(s);
    if (with_alpha)
        s->alpha = rng_gamma(&s->rng, s->a_alpha + s->K - 1) / (s->b_alpha - s->log_pi_last);
    return s->n + (double)s->n0;
}

double mse_lcmcr_sweep(struct mse_lcmcr *s)
{
    return sweep(s, 1);
}

/* Relabels the classes by decreasing pi (the order limits label
 * switching; N does not depend on it). */
static void relabel(struct mse_lcmcr *s)
{
    int K = s->K, J = s->nlists;

    for (int i = 1; i < K; i++)
        for (int k = i; k > 0 && s->pi[k] > s->pi[k - 1]; k--) {
            double t = s->pi[k];
            long c = s->c0[k];

            s->pi[k] = s->pi[k - 1];
            s->pi[k - 1] = t;
            s->c0[k] = s->c0[k - 1];
            s->c0[k - 1] = c;
            for (int j = 0; j < J; j++) {
                t = s->lambda[k * J + j];
                s->lambda[k * J + j] = s->lambda[(k - 1) * J + j];
                s->lambda[(k - 1) * J + j] = t;
            }
        }
}

int mse_lcmcr_new(struct at_ctx *ctx, const struct mse_table *t,
                  const struct mse_lcmcr_options *o, struct mse_lcmcr **out)
{
    struct mse_lcmcr *s;
    int rc;

    *out = NULL;
    if ((rc = mse_table_check(ctx, t)) != AT_OK)
        return rc;
    if (o->classes < 1 || o->classes > MAX_CLASSES)
        return ctx_error(ctx, AT_EINVAL, "the number of latent classes must be from 1 to %d", MAX_CLASSES);
    if (!(o->a_alpha > 0) || !(o->b_alpha > 0))
        return ctx_error(ctx, AT_EINVAL, "the prior of alpha needs a and b above 0");
    s = xcalloc(1, sizeof *s);
    s->nlists = t->nlists;
    s->ncells = 1 << t->nlists;
    s->K = o->classes;
    s->a_alpha = o->a_alpha;
    s->b_alpha = o->b_alpha;
    s->n = mse_table_observed(t);
    for (int h = 1; h < s->ncells; h++)
        if (t->count[h] > 0) {
            s->pat[s->npat] = h;
            s->freq[s->npat++] = (long)t->count[h];
        }
    s->w = xcalloc((size_t)s->ncells * (size_t)s->K, sizeof *s->w);
    rng_seed(&s->rng, o->seed);
    s->alpha = 0.3 / s->K;
    for (int k = 0; k < s->K; k++)
        for (int j = 0; j < s->nlists; j++)
            s->lambda[k * s->nlists + j] = mse_table_list_total(t, j) / s->n;
    /* pi from the prior: sticks of Beta(1, alpha), as if no one were in
     * any class. */
    draw_pi(s, s->nk, 0);
    draw_unobserved(s);
    for (int i = 0; i < WARMUP; i++)
        sweep(s, 0);
    relabel(s);
    *out = s;
    return AT_OK;
}

void mse_lcmcr_free(struct mse_lcmcr *s)
{
    if (!s)
        return;
    free(s->w);
    free(s);
}

/* ---- diagnostics ---- */

static double mean_of(const double *x, long n)
{
    double s = 0;

    for (long i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

static double variance_of(const double *x, long n)
{
    double m = mean_of(x, n), s = 0;

    for (long i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return n > 1 ? s / (double)(n - 1) : 0;
}

/* The variance of the mean of x by batch means (sqrt(n) batches). */
static double mean_variance(const double *x, long n)
{
    long b = (long)sqrt((double)n), size;
    double *means, v;

    if (b < 2)
        return variance_of(x, n) / (double)n;
    size = n / b;
    means = xmalloc((size_t)b * sizeof *means);
    for (long i = 0; i < b; i++)
        means[i] = mean_of(x + i * size, size);
    v = variance_of(means, b) / (double)b;
    free(means);
    return v;
}

static double geweke(const double *x, long n)
{
    long a = n / 10, b = n / 2;
    double v;

    if (a < 2)
        return NAN;
    v = mean_variance(x, a) + mean_variance(x + n - b, b);
    if (!(v > 0))
        return 0;
    return (mean_of(x, a) - mean_of(x + n - b, b)) / sqrt(v);
}

static double split_rhat(const double *x, long n)
{
    long h = n / 2;
    double m1, m2, w, bvar, m;

    if (h < 2)
        return NAN;
    m1 = mean_of(x, h);
    m2 = mean_of(x + n - h, h);
    w = 0.5 * (variance_of(x, h) + variance_of(x + n - h, h));
    m = 0.5 * (m1 + m2);
    bvar = (double)h * ((m1 - m) * (m1 - m) + (m2 - m) * (m2 - m));
    if (!(w > 0))
        return 1;
    return sqrt(((double)(h - 1) / (double)h * w + bvar / (double)h) / w);
}

/* Geyer's initial monotone sequence estimator of the autocorrelation time. */
static double ess(const double *x, long n)
{
    double m = mean_of(x, n), g0 = 0, sum = 0, prev = INFINITY;

    for (long i = 0; i < n; i++)
        g0 += (x[i] - m) * (x[i] - m);
    if (!(g0 > 0))
        return (double)n;
    for (long lag = 0; 2 * lag + 1 < n; lag++) {
        double pair = 0;

        for (int d = 0; d < 2; d++) {
            long t = 2 * lag + d;
            double g = 0;

            for (long i = 0; i + t < n; i++)
                g += (x[i] - m) * (x[i + t] - m);
            pair += g / g0;
        }
        if (pair <= 0)
            break;
        if (pair > prev)
            pair = prev;
        prev = pair;
        sum += pair;
    }
    /* tau = -1 + 2 sum of the pairs. */
    sum = 2 * sum - 1;
    return sum > 0 ? (double)n / sum : (double)n;
}

int mse_lcmcr_run(struct at_ctx *ctx, const struct mse_table *t,
                  const struct mse_lcmcr_options *o, struct mse_lcmcr_result *out)
{
    struct mse_lcmcr *s;
    double *sorted;
    int rc;

    memset(out, 0, sizeof *out);
    if (o->burnin < 0 || o->samples < 1 || o->thinning < 1)
        return ctx_error(ctx, AT_EINVAL, "LCMCR needs a burn-in >= 0, samples >= 1 and thinning >= 1");
    if ((unsigned long)o->samples > SIZE_MAX / sizeof *out->draws)
        return ctx_error(ctx, AT_EINVAL, "LCMCR's %ld samples would not fit in memory", o->samples);
    if ((rc = mse_lcmcr_new(ctx, t, o, &s)) != AT_OK)
        return rc;
    for (long i = 0; i < o->burnin; i++)
        sweep(s, 1);
    out->draws = xmalloc((size_t)o->samples * sizeof *out->draws);
    for (long i = 0; i < o->samples; i++) {
        double total = 0;

        for (long k = 0; k < o->thinning; k++)
            total = sweep(s, 1);
        out->draws[i] = total;
    }
    out->ndraws = o->samples;
    mse_lcmcr_free(s);
    out->mean = mean_of(out->draws, out->ndraws);
    out->geweke_z = geweke(out->draws, out->ndraws);
    out->split_rhat = split_rhat(out->draws, out->ndraws);
    out->ess = ess(out->draws, out->ndraws);
    sorted = xmalloc((size_t)out->ndraws * sizeof *sorted);
    memcpy(sorted, out->draws, (size_t)out->ndraws * sizeof *sorted);
    out->median = mse_quantile(sorted, (size_t)out->ndraws, 0.5);
    out->lower = mse_quantile(sorted, (size_t)out->ndraws, (1 - MSE_LEVEL) / 2);
    out->upper = mse_quantile(sorted, (size_t)out->ndraws, (1 + MSE_LEVEL) / 2);
    free(sorted);
    return AT_OK;
}

void mse_lcmcr_result_free(struct mse_lcmcr_result *r)
{
    free(r->draws);
    memset(r, 0, sizeof *r);
}
