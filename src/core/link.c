/*
 * link.c: a record-linkage run from end to end on an in-memory table:
 * derive the columns, estimate u from random pairs, block, compare each
 * candidate pair into an agreement pattern, fit m, u and lambda by EM on
 * the pattern counts (link_em.c), score every candidate (with the
 * term-frequency adjustments of link_compare.c), and cluster
 * (link_cluster.c).  Also the model kept for explaining a pair, and
 * pairwise scoring against a truth.
 *
 * The hot path holds no text: records are indexes, values interned ids,
 * candidate pairs 64-bit integers sorted by radix, patterns small integers.
 * Comparing the candidates, the bulk of the work, is shared between
 * LINK_THREADS threads (the derived columns are only read).
 */
#include "attest.h"
#include "link_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- u from random pairs -------------------------------------------------------- */

static uint64_t next_random(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void link_estimate_u(struct link_prep *prep, struct link_params *p, uint64_t seed)
{
    const struct link_config *c = prep->cfg;
    size_t n = prep->t->n, all = n > 1 ? n * (n - 1) / 2 : 0;
    double cnt[LINK_MAX_COMPARISONS][LINK_MAX_LEVELS] = { { 0 } }, tot[LINK_MAX_COMPARISONS] = { 0 };
    uint64_t s = seed;
    size_t draws = all < c->u_pairs ? all : c->u_pairs, a = 0, b = 1;

    for (size_t d = 0; d < draws; d++) {
        size_t i, j;
        if (all <= c->u_pairs) {
            /* every pair, in order */
            i = a;
            j = b;
            if (++b == n) {
                a++;
                b = a + 1;
            }
        } else {
            i = next_random(&s) % n;
            j = next_random(&s) % (n - 1);
            if (j >= i)
                j++;
        }
        for (size_t k = 0; k < c->ncomp; k++) {
            int l = link_compare_level(prep, k, i, j);
            if (l == LINK_NULL)
                continue;
            cnt[k][l]++;
            tot[k]++;
        }
    }
    for (size_t k = 0; k < c->ncomp; k++) {
        size_t L = c->comp[k].nlevels;
        for (size_t l = 0; l < L; l++)
            p->u[k][l] = (cnt[k][l] + 0.5) / (tot[k] + 0.5 * (double)L);
        prep->u_exact[k] = tot[k] > 0 ? fmax(cnt[k][0], 1) / tot[k] : 0;
    }
}

/* ---- the run ---------------------------------------------------------------------- */

/* Starting values of m: most matches at the most alike level. */
static void initial_m(const struct link_config *c, struct link_params *p)
{
    for (size_t k = 0; k < c->ncomp; k++) {
        size_t L = c->comp[k].nlevels;
        double rest = 0.2 / (double)(L - 1);
        p->m[k][0] = 0.8;
        for (size_t l = 1; l < L; l++)
            p->m[k][l] = rest;
    }
}

/* Starting values from the anchor's split of the patterns: m from the
 * pairs at or below the anchor level of every anchor comparison, u
 * (unless fixed) from the others, lambda their share. */
static void anchor_start(const struct link_config *c, const uint8_t *levels, const double *counts,
                         size_t n, struct link_params *p)
{
    double cnt[2][LINK_MAX_COMPARISONS][LINK_MAX_LEVELS] = { { { 0 } } };
    double tot[2][LINK_MAX_COMPARISONS] = { { 0 } }, in = 0, all = 0;

    for (size_t x = 0; x < n; x++) {
        const uint8_t *lv = levels + x * c->ncomp;
        int side = 0;
        for (size_t k = 0; k < c->ncomp; k++)
            if ((c->anchor >> k & 1) && (lv[k] == LINK_NULL || lv[k] > c->anchor_level[k]))
                side = 1;
        all += counts[x];
        in += side == 0 ? counts[x] : 0;
        for (size_t k = 0; k < c->ncomp; k++)
            if (lv[k] != LINK_NULL) {
                cnt[side][k][lv[k]] += counts[x];
                tot[side][k] += counts[x];
            }
    }
    if (in <= 0 || in >= all)
        return;
    p->lambda = in / all;
    for (size_t k = 0; k < c->ncomp; k++) {
        size_t L = c->comp[k].nlevels;
        for (size_t l = 0; l < L; l++) {
            p->m[k][l] = (cnt[0][k][l] + 0.5) / (tot[0][k] + 0.5 * (double)L);
            if (!(p->fixed_u >> k & 1))
                p->u[k][l] = (cnt[1][k][l] + 0.5) / (tot[1][k] + 0.5 * (double)L);
        }
    }
}

/* Threads that compare candidate pairs. */
#define LINK_THREADS 2

/* Patterns: each comparison's level in 4 bits (15 for null). */
#define PAT_NULL 15u

struct patterns {
    uint64_t *key;     /* distinct patterns */
    double *count;
    size_t n, cap;
    uint32_t *slot;    /* hash table of indexes + 1 */
    size_t nslots;
};

static uint32_t pattern_index(struct patterns *ps, uint64_t key)
{
    size_t mask, i;

    if (ps->nslots == 0 || 2 * (ps->n + 1) > ps->nslots) {
        size_t ns = ps->nslots ? 4 * ps->nslots : 4096;
        free(ps->slot);
        ps->slot = xcalloc(ns, sizeof *ps->slot);
        ps->nslots = ns;
        for (size_t x = 0; x < ps->n; x++) {
            size_t h = (size_t)((ps->key[x] * 0x9e3779b97f4a7c15ull) >> 20) & (ns - 1);
            while (ps->slot[h])
                h = (h + 1) & (ns - 1);
            ps->slot[h] = (uint32_t)x + 1;
        }
    }
    mask = ps->nslots - 1;
    i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & mask;
    while (ps->slot[i]) {
        if (ps->key[ps->slot[i] - 1] == key)
            return ps->slot[i] - 1;
        i = (i + 1) & mask;
    }
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? 2 * ps->cap : 256;
        ps->key = xrealloc(ps->key, ps->cap * sizeof *ps->key);
        ps->count = xrealloc(ps->count, ps->cap * sizeof *ps->count);
    }
    ps->key[ps->n] = key;
    ps->count[ps->n] = 0;
    ps->slot[i] = (uint32_t)ps->n + 1;
    return (uint32_t)ps->n++;
}

static int pattern_level(uint64_t key, size_t k)
{
    unsigned l = (unsigned)(key >> (4 * k)) & 15u;
    return l == PAT_NULL ? LINK_NULL : (int)l;
}

/* The agreement pattern of pairs[lo..hi) into keys, on a copy of the
 * prep with a memo of its own (a thread's share of the work). */
struct compare_share {
    struct link_prep prep;
    struct link_name_memo memo;
    const uint64_t *pairs;
    size_t lo, hi;
    uint64_t *keys;
};

static void *compare_share_run(void *arg)
{
    struct compare_share *w = arg;
    size_t K = w->prep.cfg->ncomp;

    w->prep.memo = &w->memo;
    for (size_t x = w->lo; x < w->hi; x++) {
        size_t i = (size_t)(w->pairs[x] >> 32), j = (size_t)(w->pairs[x] & 0xffffffffu);
        uint64_t key = 0;
        for (size_t k = 0; k < K; k++) {
            int l = link_compare_level(&w->prep, k, i, j);
            key |= (uint64_t)(l == LINK_NULL ? PAT_NULL : (unsigned)l) << (4 * k);
        }
        w->keys[x] = key;
    }
    return NULL;
}

/* Compares every candidate pair, on two threads when there are many, and
 * counts the distinct patterns: pat[x] is pair x's pattern in ps. */
static void compare_all(const struct link_prep *prep, const uint64_t *pairs, size_t npairs,
                        struct patterns *ps, uint32_t *pat)
{
    uint64_t *keys = xmalloc((npairs ? npairs : 1) * sizeof *keys);
    struct compare_share w[LINK_THREADS];
    pthread_t th[LINK_THREADS];
    size_t nth = npairs >= 100000 ? LINK_THREADS : 1, started = 1;

    for (size_t t = 0; t < nth; t++) {
        memset(&w[t], 0, sizeof w[t]);
        w[t].prep = *prep;
        w[t].pairs = pairs;
        w[t].lo = npairs * t / nth;
        w[t].hi = npairs * (t + 1) / nth;
        w[t].keys = keys;
    }
    for (size_t t = 1; t < nth; t++)
        if (pthread_create(&th[t], NULL, compare_share_run, &w[t]) == 0)
            started++;
        else
            break;
    compare_share_run(&w[0]);
    for (size_t t = 1; t < started; t++)
        pthread_join(th[t], NULL);
    for (size_t t = started; t < nth; t++) /* a thread that could not start: here */
        compare_share_run(&w[t]);
    for (size_t x = 0; x < npairs; x++) {
        pat[x] = pattern_index(ps, keys[x]);
        ps->count[pat[x]]++;
    }
    free(keys);
}

/* After EM the two classes may have traded places: the match class is
 * the one that agrees more at the most alike levels. */
static void orient(struct link_params *p)
{
    double s = 0;

    for (size_t k = 0; k < p->ncomp; k++)
        s += log(fmax(p->m[k][0], 1e-12) / fmax(p->u[k][0], 1e-12));
    if (s >= 0)
        return;
    for (size_t k = 0; k < p->ncomp; k++)
        for (size_t l = 0; l < p->nlevels[k]; l++) {
            double x = p->m[k][l];
            p->m[k][l] = p->u[k][l];
            p->u[k][l] = x;
        }
    p->lambda = 1 - p->lambda;
}

static double pair_weight(const struct link_prep *prep, const struct link_params *p,
                          const double *pattern_weight, uint64_t key, uint32_t pat, size_t i, size_t j)
{
    double w = pattern_weight[pat];

    for (size_t k = 0; k < p->ncomp; k++)
        if (prep->cfg->comp[k].tf && pattern_level(key, k) == 0)
            w += link_compare_tf(prep, k, i, j);
    return w;
}

int link_run(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
             const struct link_run_options *o, struct link_result *out)
{
    struct link_prep prep;
    struct patterns ps = { 0 };
    uint64_t *pairs = NULL;
    uint8_t *train = NULL;
    uint32_t *pat = NULL;
    double *tcount = NULL;
    float *prob = NULL;
    double *pw = NULL;
    uint8_t *levels = NULL;
    size_t npairs = 0, skipped = 0, kept = 0;
    double threshold = o->threshold >= 0 ? o->threshold : c->threshold;
    int rc;

    memset(out, 0, sizeof *out);
    out->records = t->n;
    out->cluster = xmalloc((t->n ? t->n : 1) * sizeof *out->cluster);
    out->params.ncomp = c->ncomp;
    for (size_t k = 0; k < c->ncomp; k++) {
        out->params.nlevels[k] = c->comp[k].nlevels;
        if (c->comp[k].fix_u)
            out->params.fixed_u |= 1u << k;
    }
    if ((rc = link_prep_build(ctx, c, t, &prep)) != AT_OK)
        goto fail;
    link_estimate_u(&prep, &out->params, o->seed);
    initial_m(c, &out->params);
    out->params.lambda = 0.3;
    if ((rc = link_block_pairs(ctx, &prep, &pairs, &npairs, &train, &skipped)) != AT_OK)
        goto out;
    out->pairs_compared = npairs;
    pat = xmalloc((npairs ? npairs : 1) * sizeof *pat);
    compare_all(&prep, pairs, npairs, &ps, pat);
    if (ps.n > 0) {
        /* EM is fitted to the pairs of the block rules only: a recall
         * rule's pairs share fewer keys, and would teach the model that
         * agreeing on little is what a match looks like */
        const double *counts = ps.count;
        if (train != NULL) {
            tcount = xcalloc(ps.n, sizeof *tcount);
            for (size_t x = 0; x < npairs; x++)
                tcount[pat[x]] += train[x];
            counts = tcount;
        }
        levels = xmalloc(ps.n * c->ncomp);
        for (size_t x = 0; x < ps.n; x++)
            for (size_t k = 0; k < c->ncomp; k++)
                levels[x * c->ncomp + k] = (uint8_t)pattern_level(ps.key[x], k);
        if (c->anchor)
            anchor_start(c, levels, counts, ps.n, &out->params);
        rc = link_em(ctx, levels, counts, ps.n, &out->params,
                     c->train == LINK_TRAIN_FIXED_U ? LINK_EM_FIX_U : 0, c->em_max_iter, 1e-6,
                     &out->em_iterations);
        if (rc != AT_OK)
            goto out;
        orient(&out->params);
    }
    pw = xmalloc((ps.n ? ps.n : 1) * sizeof *pw);
    for (size_t x = 0; x < ps.n; x++) {
        pw[x] = link_prior_weight(&out->params);
        for (size_t k = 0; k < c->ncomp; k++)
            pw[x] += link_level_weight(&out->params, k, pattern_level(ps.key[x], k));
    }
    prob = xmalloc((npairs ? npairs : 1) * sizeof *prob);
    for (size_t x = 0; x < npairs; x++) {
        size_t i = (size_t)(pairs[x] >> 32), j = (size_t)(pairs[x] & 0xffffffffu);
        double w = pair_weight(&prep, &out->params, pw, ps.key[pat[x]], pat[x], i, j);
        prob[x] = (float)link_probability(w);
        kept += prob[x] >= o->keep;
    }
    out->pairs = xmalloc((kept ? kept : 1) * sizeof *out->pairs);
    for (size_t x = 0; x < npairs; x++)
        if (prob[x] >= o->keep) {
            size_t i = (size_t)(pairs[x] >> 32), j = (size_t)(pairs[x] & 0xffffffffu);
            double w = pair_weight(&prep, &out->params, pw, ps.key[pat[x]], pat[x], i, j);
            out->pairs[out->npairs++] = (struct link_pair){ (uint32_t)i, (uint32_t)j, prob[x], (float)w };
        }
    rc = link_cluster_run(ctx, t->n, pairs, prob, npairs, o->constraints, o->nconstraints, threshold,
                          c->split_below, c->max_cluster, out->cluster, &out->nclusters, &out->broken);
out:
    link_prep_free(&prep);
fail:
    free(pairs);
    free(train);
    free(tcount);
    free(pat);
    free(prob);
    free(pw);
    free(levels);
    free(ps.key);
    free(ps.count);
    free(ps.slot);
    if (rc != AT_OK)
        link_result_free(out);
    return rc;
}

void link_result_free(struct link_result *r)
{
    free(r->pairs);
    free(r->cluster);
    r->pairs = NULL;
    r->cluster = NULL;
    r->npairs = 0;
}

/* ---- a pair explained ----------------------------------------------------------------- */

struct link_model {
    struct link_prep prep;
    struct link_params params;
    char labels[LINK_MAX_COMPARISONS][32];
};

int link_model_new(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
                   const struct link_params *p, struct link_model **out)
{
    struct link_model *m = xcalloc(1, sizeof *m);
    struct link_params scratch;
    int rc;

    if (p->ncomp != c->ncomp) {
        free(m);
        return ctx_error(ctx, AT_EINVAL, "the model has %zu comparisons and the configuration %zu",
                         p->ncomp, c->ncomp);
    }
    if ((rc = link_prep_build(ctx, c, t, &m->prep)) != AT_OK) {
        free(m);
        return rc;
    }
    scratch = *p;
    link_estimate_u(&m->prep, &scratch, 1); /* for u_exact, the base of tf */
    m->params = *p;
    *out = m;
    return AT_OK;
}

void link_model_free(struct link_model *m)
{
    if (m == NULL)
        return;
    link_prep_free(&m->prep);
    free(m);
}

size_t link_model_explain(struct link_model *m, size_t i, size_t j, struct link_term *terms,
                          double *weight, double *probability)
{
    const struct link_config *c = m->prep.cfg;
    double w = link_prior_weight(&m->params);

    for (size_t k = 0; k < c->ncomp; k++) {
        int l = link_compare_level(&m->prep, k, i, j);
        double x = link_level_weight(&m->params, k, l);
        if (l == 0)
            x += link_compare_tf(&m->prep, k, i, j);
        link_level_label(&c->comp[k], l, m->labels[k], sizeof m->labels[k]);
        terms[k] = (struct link_term){ c->comp[k].name, l, m->labels[k], x };
        w += x;
    }
    *weight = w;
    *probability = link_probability(w);
    return c->ncomp;
}

/* ---- scoring against a truth ------------------------------------------------------------ */

static uint64_t pairs_within(uint64_t *keys, size_t n)
{
    uint64_t total = 0;

    link_sort_u64(keys, n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keys[j] == keys[i])
            j++;
        total += (uint64_t)(j - i) * (j - i - 1) / 2;
        i = j;
    }
    return total;
}

void link_score_clusters(const uint32_t *cluster, const uint32_t *truth, size_t n,
                         struct link_score *out)
{
    uint64_t *k = xmalloc((n ? n : 1) * sizeof *k);

    for (size_t i = 0; i < n; i++)
        k[i] = cluster[i];
    out->found_pairs = pairs_within(k, n);
    for (size_t i = 0; i < n; i++)
        k[i] = truth[i];
    out->true_pairs = pairs_within(k, n);
    for (size_t i = 0; i < n; i++)
        k[i] = (uint64_t)cluster[i] << 32 | truth[i];
    out->both = pairs_within(k, n);
    free(k);
    out->precision = out->found_pairs ? (double)out->both / (double)out->found_pairs : 1;
    out->recall = out->true_pairs ? (double)out->both / (double)out->true_pairs : 1;
    out->f1 = out->precision + out->recall > 0
                  ? 2 * out->precision * out->recall / (out->precision + out->recall) : 0;
}
