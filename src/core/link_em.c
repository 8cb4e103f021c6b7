/*
 * link_em.c: the Fellegi-Sunter model and its estimation by EM on the
 * counts of distinct agreement patterns (not on pairs: one pass counts
 * the patterns, then every round costs O(patterns)).  A comparison at its
 * null level (a value missing on either side) counts in neither m nor u,
 * and contributes a factor 1 to the weight.
 *
 *   E step: p_i = lambda prod m(l) / (lambda prod m(l) + (1-lambda) prod u(l))
 *   M step: lambda = sum c_i p_i / sum c_i;
 *           m_k(l) = (sum over patterns at level l of c_i p_i + 1/2) /
 *           (sum over patterns where k is not null of c_i p_i + L/2);
 *           u likewise with 1 - p_i (L: the comparison's levels; the
 *           halves are a Dirichlet prior that keeps unseen levels above 0).
 */
#include "attest.h"
#include "link_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Floors that keep a weight finite when a level was never seen; m is
 * floored higher, so that one disagreement (a data-entry error) costs at
 * most log2(M_FLOOR / u) and cannot alone outweigh everything else. */
#define M_FLOOR 0.005
#define U_FLOOR 1e-7
/* Half a pair added to every level in the M step (a Dirichlet prior):
 * a level never seen among the few pairs of a small archive gets a
 * small probability, not zero, and so a large but finite weight. */
#define SMOOTH 0.5

double link_level_weight(const struct link_params *p, size_t k, int level)
{
    if (level == LINK_NULL || (size_t)level >= p->nlevels[k])
        return 0;
    return log2(fmax(p->m[k][level], M_FLOOR) / fmax(p->u[k][level], U_FLOOR));
}

double link_prior_weight(const struct link_params *p)
{
    double l = fmin(fmax(p->lambda, 1e-12), 1 - 1e-12);
    return log2(l / (1 - l));
}

double link_probability(double weight)
{
    if (weight > 60)
        return 1;
    if (weight < -60)
        return 0;
    double b = exp2(weight);
    return b / (1 + b);
}

static int check_params(struct at_ctx *ctx, const struct link_params *p)
{
    if (p->ncomp == 0 || p->ncomp > LINK_MAX_COMPARISONS)
        return ctx_error(ctx, AT_EINVAL, "EM: %zu comparisons; want 1 to %d", p->ncomp,
                         LINK_MAX_COMPARISONS);
    for (size_t k = 0; k < p->ncomp; k++)
        if (p->nlevels[k] < 2 || p->nlevels[k] > LINK_MAX_LEVELS)
            return ctx_error(ctx, AT_EINVAL, "EM: comparison %zu has %zu levels; want 2 to %d",
                             k, p->nlevels[k], LINK_MAX_LEVELS);
    if (!(p->lambda > 0 && p->lambda < 1))
        return ctx_error(ctx, AT_EINVAL, "EM: lambda %g is not between 0 and 1", p->lambda);
    return AT_OK;
}

int link_em(struct at_ctx *ctx, const uint8_t *levels, const double *counts, size_t npatterns,
            struct link_params *p, unsigned flags, int max_iter, double tol, int *iterations)
{
    size_t K = p->ncomp;
    double mnum[LINK_MAX_COMPARISONS][LINK_MAX_LEVELS], unum[LINK_MAX_COMPARISONS][LINK_MAX_LEVELS];
    double mden[LINK_MAX_COMPARISONS], uden[LINK_MAX_COMPARISONS];
    int rc, it = 0;

    if ((rc = check_params(ctx, p)) != AT_OK)
        return rc;
    for (size_t i = 0; i < npatterns; i++)
        for (size_t k = 0; k < K; k++) {
            uint8_t l = levels[i * K + k];
            if (l != LINK_NULL && l >= p->nlevels[k])
                return ctx_error(ctx, AT_EINVAL, "EM: pattern %zu has level %d for comparison "
                                 "%zu, which has %zu levels", i, l, k, p->nlevels[k]);
        }
    while (it < max_iter) {
        double total = 0, matched = 0, delta = 0;
        memset(mnum, 0, sizeof mnum);
        memset(unum, 0, sizeof unum);
        memset(mden, 0, sizeof mden);
        memset(uden, 0, sizeof uden);
        for (size_t i = 0; i < npatterns; i++) {
            const uint8_t *lv = levels + i * K;
            double lm = log(p->lambda), lu = log(1 - p->lambda), pm;
            for (size_t k = 0; k < K; k++) {
                if (lv[k] == LINK_NULL)
                    continue;
                lm += log(fmax(p->m[k][lv[k]], 1e-300));
                lu += log(fmax(p->u[k][lv[k]], 1e-300));
            }
            pm = 1 / (1 + exp(lu - lm));
            total += counts[i];
            matched += counts[i] * pm;
            for (size_t k = 0; k < K; k++) {
                if (lv[k] == LINK_NULL)
                    continue;
                mnum[k][lv[k]] += counts[i] * pm;
                unum[k][lv[k]] += counts[i] * (1 - pm);
                mden[k] += counts[i] * pm;
                uden[k] += counts[i] * (1 - pm);
            }
        }
        if (total <= 0)
            return ctx_error(ctx, AT_EINVAL, "EM: no pairs to learn from");
        it++;
        if (!(flags & LINK_EM_FIX_LAMBDA)) {
            double l = fmin(fmax(matched / total, 1e-12), 1 - 1e-12);
            delta = fmax(delta, fabs(l - p->lambda));
            p->lambda = l;
        }
        for (size_t k = 0; k < K; k++)
            for (size_t l = 0; l < p->nlevels[k]; l++) {
                if (mden[k] > 0) {
                    double v = (mnum[k][l] + SMOOTH) / (mden[k] + SMOOTH * (double)p->nlevels[k]);
                    delta = fmax(delta, fabs(v - p->m[k][l]));
                    p->m[k][l] = v;
                }
                if (!(flags & LINK_EM_FIX_U) && !(p->fixed_u >> k & 1) && uden[k] > 0) {
                    double v = (unum[k][l] + SMOOTH) / (uden[k] + SMOOTH * (double)p->nlevels[k]);
                    delta = fmax(delta, fabs(v - p->u[k][l]));
                    p->u[k][l] = v;
                }
            }
        if (delta < tol)
            break;
    }
    if (iterations)
        *iterations = it;
    return AT_OK;
}
