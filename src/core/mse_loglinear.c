/*
 * mse_loglinear.c: Poisson log-linear models of a capture-history table
 * (Fienberg 1972), the estimator behind Rcapture.  The observed cells
 * follow n_h ~ Poisson(mu_h) with log mu_h = sum of beta_A over the terms
 * A contained in h (0/1 coding, hierarchical), so the unobserved cell has
 * mu_0 = exp(beta_0) and N = n + exp(beta_0).
 *
 * The fit is Newton's method on the log-likelihood, which for this
 * canonical link is IRLS: solve (X'WX) beta = X'W z with W = diag(mu) and
 * z = eta + (y - mu)/mu, by Cholesky, until the deviance changes by less
 * than 1e-10 relatively.  Because X is 0/1 with X[h][A] = [A subset of h],
 * the products need no matrix: (X'WX)[A][B] is the sum of mu_h over the
 * cells h containing A|B, and every such sum comes from one superset-sum
 * transform of mu (J 2^J additions); X beta is a subset-sum transform.
 * A fit therefore costs O(J 2^J + p^3) per iteration, which is what makes
 * the search over every hierarchical model of five lists quick.
 *
 * Profile-likelihood intervals (Cormack 1992) fill cell 0 with N - n and
 * fit the same model to the full table, whose multinomial log-likelihood,
 * maximised over the parameters, is the profile of N.
 */
#include "attest.h"
#include "mse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS (1 + MSE_MAX_LISTS + 15 + 20)
#define MAX_ITER 100
#define DEV_EPS 1e-10
/* A coefficient beyond this size means the estimate lies on the boundary
 * (a zero margin pushes its term to minus infinity). */
#define BETA_BOUND 30.0
/* Where the profile search stops looking for the upper end. */
#define PROFILE_TOL 1e-4

/* The cells, counts and columns of one fit. */
struct design {
    int nlists, ncells;    /* ncells = 2^J */
    int first;             /* 1: cell 0 is unobserved and left out; 0: it is in */
    double y[MSE_MAX_CELLS];
    int cols[MAX_PARAMS];  /* the subset of lists each column stands for */
    int p;
};

int mse_llm_max_order(int nlists)
{
    return nlists - 1 < 3 ? nlists - 1 : 3;
}

int mse_llm_hierarchical(int nlists, mse_terms terms)
{
    for (int a = 0; a < (1 << nlists); a++) {
        if (!(terms >> a & 1))
            continue;
        if (__builtin_popcount((unsigned)a) < 2)
            return 0;
        for (int j = 0; j < nlists; j++) {
            int b = a & ~(1 << j);

            if ((a >> j & 1) && __builtin_popcount((unsigned)b) >= 2 && !(terms >> b & 1))
                return 0;
        }
    }
    return 1;
}

/* Columns: the intercept, the main effects, then the terms by order and
 * then by index (the order of the coefficients in struct mse_llm_fit). */
static int columns(int nlists, mse_terms terms, int *cols)
{
    int p = 0;

    cols[p++] = 0;
    for (int order = 1; order <= nlists; order++)
        for (int a = 1; a < (1 << nlists); a++)
            if (__builtin_popcount((unsigned)a) == order && (order == 1 || (terms >> a & 1)))
                cols[p++] = a;
    return p;
}

static void design_init(struct design *d, const struct mse_table *t, mse_terms terms)
{
    d->nlists = t->nlists;
    d->ncells = 1 << t->nlists;
    d->first = 1;
    memcpy(d->y, t->count, sizeof d->y);
    d->y[0] = 0;
    d->p = columns(t->nlists, terms, d->cols);
}

/* In place: v[A] becomes the sum of v[h] over h containing A. */
static void superset_sums(double *v, int nlists)
{
    for (int j = 0; j < nlists; j++)
        for (int h = 0; h < (1 << nlists); h++)
            if (!(h >> j & 1))
                v[h] += v[h | 1 << j];
}

/* In place: v[h] becomes the sum of v[A] over A contained in h. */
static void subset_sums(double *v, int nlists)
{
    for (int j = 0; j < nlists; j++)
        for (int h = 0; h < (1 << nlists); h++)
            if (h >> j & 1)
                v[h] += v[h ^ 1 << j];
}

/* Cholesky factorisation of the p x p matrix a (row-major) in place
 * (lower triangle); 0 when it is not positive definite. */
static int cholesky(double *a, int p)
{
    for (int j = 0; j < p; j++) {
        double s = a[j * p + j];

        for (int k = 0; k < j; k++)
            s -= a[j * p + k] * a[j * p + k];
        if (!(s > 0))
            return 0;
        s = sqrt(s);
        a[j * p + j] = s;
        for (int i = j + 1; i < p; i++) {
            double v = a[i * p + j];

            for (int k = 0; k < j; k++)
                v -= a[i * p + k] * a[j * p + k];
            a[i * p + j] = v / s;
        }
    }
    return 1;
}

/* Solves L L' x = b in place, L from cholesky. */
static void cholesky_solve(const double *l, int p, double *b)
{
    for (int i = 0; i < p; i++) {
        double v = b[i];

        for (int k = 0; k < i; k++)
            v -= l[i * p + k] * b[k];
        b[i] = v / l[i * p + i];
    }
    for (int i = p - 1; i >= 0; i--) {
        double v = b[i];

        for (int k = i + 1; k < p; k++)
            v -= l[k * p + i] * b[k];
        b[i] = v / l[i * p + i];
    }
}

/* X'WX for the cells of d, W = mu, into h (p x p). */
static void information(const struct design *d, const double *mu, double *h)
{
    double s[MSE_MAX_CELLS];

    for (int c = 0; c < d->ncells; c++)
        s[c] = c >= d->first ? mu[c] : 0;
    superset_sums(s, d->nlists);
    for (int i = 0; i < d->p; i++)
        for (int j = 0; j <= i; j++)
            h[i * d->p + j] = h[j * d->p + i] = s[d->cols[i] | d->cols[j]];
}

static double deviance(const struct design *d, const double *mu)
{
    double dev = 0;

    for (int c = d->first; c < d->ncells; c++)
        dev += (d->y[c] > 0 ? d->y[c] * log(d->y[c] / mu[c]) : 0) - (d->y[c] - mu[c]);
    return 2 * dev;
}

/* Fits d by IRLS.  Fills beta (p), mu (all cells), *var0 = Var(beta_0) and
 * *iters; returns 1 when it converged to finite values. */
static int irls(const struct design *d, double *beta, double *mu, double *var0, int *iters)
{
    double eta[MSE_MAX_CELLS], h[MAX_PARAMS * MAX_PARAMS], r[MSE_MAX_CELLS];
    double dev = INFINITY, old;
    int converged = 0, it;

    for (int c = 0; c < d->ncells; c++) {
        mu[c] = d->y[c] + 0.5;
        eta[c] = log(mu[c]);
    }
    for (it = 1; it <= MAX_ITER && !converged; it++) {
        /* The weighted least-squares step: (X'WX) beta = X'(W eta + y - mu). */
        information(d, mu, h);
        for (int c = 0; c < d->ncells; c++)
            r[c] = c >= d->first ? mu[c] * eta[c] + d->y[c] - mu[c] : 0;
        superset_sums(r, d->nlists);
        for (int i = 0; i < d->p; i++)
            beta[i] = r[d->cols[i]];
        if (!cholesky(h, d->p))
            return 0;
        cholesky_solve(h, d->p, beta);
        memset(eta, 0, sizeof eta);
        for (int i = 0; i < d->p; i++)
            eta[d->cols[i]] = beta[i];
        subset_sums(eta, d->nlists);
        for (int c = 0; c < d->ncells; c++) {
            if (!(eta[c] < 700))
                return 0;
            mu[c] = exp(eta[c]);
        }
        old = dev;
        dev = deviance(d, mu);
        if (!isfinite(dev))
            return 0;
        converged = fabs(dev - old) / (fabs(dev) + 0.1) < DEV_EPS;
    }
    *iters = it - 1;
    if (!converged)
        return 0;
    /* Var(beta_0): the (0,0) element of the inverse information. */
    information(d, mu, h);
    if (!cholesky(h, d->p))
        return 0;
    memset(r, 0, sizeof r);
    r[0] = 1;
    cholesky_solve(h, d->p, r);
    *var0 = r[0];
    return 1;
}

/* Whether some term's margin is empty: its coefficient has no finite MLE. */
static int zero_margin(const struct design *d)
{
    double s[MSE_MAX_CELLS];

    for (int c = 0; c < d->ncells; c++)
        s[c] = c >= d->first ? d->y[c] : 0;
    superset_sums(s, d->nlists);
    for (int i = 1; i < d->p; i++)
        if (s[d->cols[i]] <= 0)
            return 1;
    return 0;
}

int mse_llm_fit(const struct mse_table *t, mse_terms terms, struct mse_llm_fit *fit)
{
    struct design d;
    double mu[MSE_MAX_CELLS], var0 = 0, n = mse_table_observed(t), ll = 0, n0;

    memset(fit, 0, sizeof *fit);
    design_init(&d, t, terms);
    fit->terms = terms;
    fit->params = d.p;
    fit->df = d.ncells - 1 - d.p;
    fit->total = fit->se = fit->deviance = fit->aic = fit->bic = NAN;
    if (fit->df < 0 || zero_margin(&d) || !irls(&d, fit->beta, mu, &var0, &fit->iterations))
        return AT_OK;
    for (int i = 1; i < d.p; i++)
        if (fabs(fit->beta[i]) > BETA_BOUND)
            return AT_OK;
    n0 = exp(fit->beta[0]);
    fit->total = n + n0;
    fit->se = sqrt(n0 + n0 * n0 * var0);
    fit->deviance = deviance(&d, mu);
    for (int c = 1; c < d.ncells; c++)
        ll += d.y[c] * log(mu[c]) - mu[c] - lgamma(d.y[c] + 1);
    fit->loglik = ll;
    fit->aic = -2 * ll + 2 * d.p;
    fit->bic = -2 * ll + d.p * log(n);
    fit->ok = isfinite(fit->total) && isfinite(fit->se);
    return AT_OK;
}

/* ---- names ---- */

static void term_digits(int a, char *out)
{
    int k = 0;

    for (int j = 0; j < MSE_MAX_LISTS; j++)
        if (a >> j & 1)
            out[k++] = (char)('1' + j);
    out[k] = 0;
}

static int by_digits(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

void mse_llm_name(int nlists, mse_terms terms, char *out, size_t size)
{
    char parts[MSE_MAX_CELLS][MSE_MAX_LISTS + 1];
    struct buf b = BUF_INIT;
    int k = 0;

    for (int a = 1; a < (1 << nlists); a++) {
        int maximal = __builtin_popcount((unsigned)a) == 1 || (terms >> a & 1);

        /* Maximal: no term of the model strictly contains it. */
        for (int c = 1; c < (1 << nlists) && maximal; c++)
            if (c != a && (c & a) == a && (terms >> c & 1))
                maximal = 0;
        if (maximal)
            term_digits(a, parts[k++]);
    }
    qsort(parts, (size_t)k, sizeof parts[0], by_digits);
    buf_putc(&b, '[');
    for (int i = 0; i < k; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_puts(&b, parts[i]);
    }
    buf_putc(&b, ']');
    snprintf(out, size, "%s", buf_str(&b));
    buf_free(&b);
}

int mse_llm_parse(struct at_ctx *ctx, int nlists, const char *text, mse_terms *out)
{
    const char *p = text;
    mse_terms terms = 0;
    size_t len = strlen(text);

    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        p++;
        len -= 2;
    }
    for (size_t i = 0; i <= len;) {
        int a = 0;
        size_t start = i;

        for (; i < len && p[i] != ','; i++) {
            int j = p[i] - '1';

            if (j < 0 || j >= nlists || (a >> j & 1))
                return ctx_error(ctx, AT_EINVAL,
                                 "model \"%.40s\": terms are list numbers 1 to %d, each once, separated by commas",
                                 text, nlists);
            a |= 1 << j;
        }
        if (i == start)
            return ctx_error(ctx, AT_EINVAL, "model \"%.40s\": an empty term", text);
        if (__builtin_popcount((unsigned)a) >= nlists)
            return ctx_error(ctx, AT_EINVAL,
                             "model \"%.40s\": a term over all %d lists cannot be estimated", text, nlists);
        /* The term and every subset of it with two lists or more. */
        for (int s = a; s > 0; s = (s - 1) & a)
            if (__builtin_popcount((unsigned)s) >= 2)
                terms |= (mse_terms)1 << s;
        i++;
    }
    *out = terms;
    return AT_OK;
}

/* ---- the search ---- */

struct search {
    const struct mse_table *t;
    enum mse_criterion crit;
    struct mse_llm_fit *fits;
    size_t n, cap;
};

static double criterion(const struct mse_llm_fit *f, enum mse_criterion crit)
{
    return crit == MSE_AIC ? f->aic : f->bic;
}

static const struct mse_llm_fit *search_add(struct search *s, mse_terms terms)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->fits = xrealloc(s->fits, s->cap * sizeof *s->fits);
    }
    mse_llm_fit(s->t, terms, &s->fits[s->n]);
    return &s->fits[s->n++];
}

/* The pairs and triples of nlists lists, as subset indexes. */
static int subsets_of_size(int nlists, int size, int *out)
{
    int k = 0;

    for (int a = 1; a < (1 << nlists); a++)
        if (__builtin_popcount((unsigned)a) == size)
            out[k++] = a;
    return k;
}

/* Every model whose two-way terms are the edge set `edges`, with each
 * subset of its eligible three-way terms when order 3 is searched. */
static void search_graph(struct search *s, mse_terms edges, const int *triples, int ntriples)
{
    int eligible[20], ne = 0;

    for (int i = 0; i < ntriples; i++) {
        int a = triples[i], all = 1;

        for (int j = 0; j < MSE_MAX_LISTS; j++)
            if ((a >> j & 1) && !(edges >> (a & ~(1 << j)) & 1))
                all = 0;
        if (all)
            eligible[ne++] = a;
    }
    for (long m = 0; m < 1L << ne; m++) {
        mse_terms terms = edges;

        for (int i = 0; i < ne; i++)
            if (m >> i & 1)
                terms |= (mse_terms)1 << eligible[i];
        search_add(s, terms);
    }
}

/* Forward steps from the best model: add the three-way term that improves
 * the criterion most, while one does. */
static void search_forward(struct search *s, const int *triples, int ntriples)
{
    const struct mse_llm_fit *best = NULL;

    for (size_t i = 0; i < s->n; i++)
        if (s->fits[i].ok && (!best || criterion(&s->fits[i], s->crit) < criterion(best, s->crit)))
            best = &s->fits[i];
    while (best) {
        mse_terms from = best->terms;
        double score = criterion(best, s->crit);
        size_t improved = (size_t)-1;

        for (int i = 0; i < ntriples; i++) {
            mse_terms terms = from | (mse_terms)1 << triples[i];
            const struct mse_llm_fit *f;

            if (terms == from || !mse_llm_hierarchical(s->t->nlists, terms))
                continue;
            f = search_add(s, terms);
            if (f->ok && criterion(f, s->crit) < score) {
                score = criterion(f, s->crit);
                improved = s->n - 1;
            }
        }
        best = improved == (size_t)-1 ? NULL : &s->fits[improved];
    }
}

static int by_criterion(const void *a, const void *b, void *crit)
{
    const struct mse_llm_fit *x = a, *y = b;
    double cx, cy;

    if (x->ok != y->ok)
        return y->ok - x->ok;
    if (!x->ok)
        return 0;
    cx = criterion(x, *(enum mse_criterion *)crit);
    cy = criterion(y, *(enum mse_criterion *)crit);
    return (cx > cy) - (cx < cy);
}

int mse_llm_search(struct at_ctx *ctx, const struct mse_table *t, enum mse_criterion crit,
                   struct mse_llm_fit **fits, size_t *count, int *exhaustive)
{
    struct search s = { t, crit, NULL, 0, 0 };
    int pairs[15], triples[20], npairs, ntriples, order;
    int rc;

    if ((rc = mse_table_check(ctx, t)) != AT_OK)
        return rc;
    order = mse_llm_max_order(t->nlists);
    npairs = subsets_of_size(t->nlists, 2, pairs);
    ntriples = order >= 3 ? subsets_of_size(t->nlists, 3, triples) : 0;
    *exhaustive = t->nlists <= 5;
    for (long m = 0; m < 1L << npairs; m++) {
        mse_terms edges = 0;

        for (int i = 0; i < npairs; i++)
            if (m >> i & 1)
                edges |= (mse_terms)1 << pairs[i];
        search_graph(&s, edges, triples, *exhaustive ? ntriples : 0);
    }
    if (!*exhaustive)
        search_forward(&s, triples, ntriples);
    qsort_r(s.fits, s.n, sizeof *s.fits, by_criterion, &crit);
    /* The forward steps can fit a model twice; keep the first of each. */
    if (!*exhaustive) {
        size_t k = 0;

        for (size_t i = 0; i < s.n; i++) {
            int dup = 0;

            for (size_t j = 0; j < k && !dup; j++)
                dup = s.fits[j].terms == s.fits[i].terms;
            if (!dup)
                s.fits[k++] = s.fits[i];
        }
        s.n = k;
    }
    *fits = s.fits;
    *count = s.n;
    return AT_OK;
}

/* ---- the profile likelihood ---- */

double mse_llm_profile_loglik(const struct mse_table *t, mse_terms terms, double total)
{
    struct design d;
    double beta[MAX_PARAMS], mu[MSE_MAX_CELLS], var0, n = mse_table_observed(t), ll;
    int iters;

    design_init(&d, t, terms);
    d.first = 0;
    d.y[0] = total - n;
    if (d.y[0] < 0 || !irls(&d, beta, mu, &var0, &iters))
        return -INFINITY;
    /* The multinomial log-likelihood of the full table; with an intercept
     * the fitted cells add up to N. */
    ll = lgamma(total + 1) - lgamma(d.y[0] + 1);
    for (int c = 0; c < d.ncells; c++) {
        if (c > 0)
            ll -= lgamma(d.y[c] + 1);
        if (d.y[c] > 0)
            ll += d.y[c] * log(mu[c] / total);
    }
    return ll;
}

/* The N in [lo, hi] where the profile crosses target, by bisection;
 * rising: the profile is below target at lo and above at hi (else the
 * reverse). */
static double profile_root(const struct mse_table *t, mse_terms terms, double lo, double hi,
                           double target, int rising)
{
    while (hi - lo > PROFILE_TOL * (1 + lo * 1e-6)) {
        double mid = 0.5 * (lo + hi);
        int above = mse_llm_profile_loglik(t, terms, mid) >= target;

        if (above == rising)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

int mse_llm_profile(struct at_ctx *ctx, const struct mse_table *t, mse_terms terms,
                    double *mle, double *lower, double *upper)
{
    struct mse_llm_fit fit;
    double n = mse_table_observed(t), a, b, x1, x2, f1, f2, best, target, hi;
    const double g = 0.5 * (sqrt(5.0) - 1);

    mse_llm_fit(t, terms, &fit);
    if (!fit.ok)
        return ctx_error(ctx, AT_EINVAL, "the model cannot be fitted to these counts");
    /* An upper end where the profile has dropped well below its level at
     * the Poisson estimate. */
    best = mse_llm_profile_loglik(t, terms, fit.total);
    hi = fit.total;
    do {
        hi = n + 2 * (hi - n) + 1;
        if (hi > 1e12)
            return ctx_error(ctx, AT_EINVAL, "the profile likelihood does not fall off: the interval has no upper end");
    } while (mse_llm_profile_loglik(t, terms, hi) > best - MSE_CHISQ1_95);
    /* Golden-section search for the maximum on [n, hi]. */
    a = n;
    b = hi;
    x1 = b - g * (b - a);
    x2 = a + g * (b - a);
    f1 = mse_llm_profile_loglik(t, terms, x1);
    f2 = mse_llm_profile_loglik(t, terms, x2);
    while (b - a > PROFILE_TOL) {
        if (f1 < f2) {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + g * (b - a);
            f2 = mse_llm_profile_loglik(t, terms, x2);
        } else {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - g * (b - a);
            f1 = mse_llm_profile_loglik(t, terms, x1);
        }
    }
    *mle = 0.5 * (a + b);
    best = mse_llm_profile_loglik(t, terms, *mle);
    target = best - MSE_CHISQ1_95 / 2;
    *lower = mse_llm_profile_loglik(t, terms, n) >= target ? n
                                                              : profile_root(t, terms, n, *mle, target, 1);
    *upper = profile_root(t, terms, *mle, hi, target, 0);
    return AT_OK;
}
