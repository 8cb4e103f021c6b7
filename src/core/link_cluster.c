/*
 * link_cluster.c: records into clusters from their scored pairs.
 *
 * The rule: links at or above the threshold join records, strongest
 * first (Kruskal's order; an analyst's accepted pair counts as certain),
 * as connected components do, except that a join is refused when it
 * would put in one cluster
 *   - two records an analyst rejected as the same, or
 *   - two records that were compared and scored below split_below
 *     (the model is confident they differ: a contradictory cluster), or
 *   - more than max_cluster records (accepted pairs apart).
 * A component with none of these is exactly its connected component; any
 * other is broken up along its weakest links.  Only the low-scoring pairs
 * inside a connected component can refuse a join, so only those are kept.
 * Memory is linear in the records and the links kept.
 */
#include "attest.h"
#include "link_int.h"

#include <stdlib.h>
#include <string.h>

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* The records each cluster must not meet: a list per root. */
struct apart {
    uint32_t *v;
    size_t n, cap;
};

static void apart_add(struct apart *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 4;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

/* A link to consider: weight orders them (constraints first). */
struct link_join {
    uint32_t a, b;
    float p;
    bool forced;
};

static int by_strength(const void *x, const void *y)
{
    const struct link_join *a = x, *b = y;

    if (a->forced != b->forced)
        return a->forced ? -1 : 1;
    if (a->p != b->p)
        return a->p > b->p ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

int link_cluster_run(struct at_ctx *ctx, size_t n, const uint64_t *pairs, const float *prob,
                     size_t npairs, const struct link_constraint *cons, size_t ncons,
                     double threshold, double split_below, size_t max_cluster, uint32_t *cluster,
                     size_t *nclusters, size_t *broken)
{
    uint32_t *comp = xmalloc((n ? n : 1) * sizeof *comp), *parent = xmalloc((n ? n : 1) * sizeof *parent);
    uint32_t *size = xmalloc((n ? n : 1) * sizeof *size);
    struct apart *apart = xcalloc(n ? n : 1, sizeof *apart);
    struct link_join *joins;
    size_t njoins = 0, cap = ncons;

    (void)ctx;
    *broken = 0;
    for (size_t i = 0; i < n; i++)
        comp[i] = parent[i] = (uint32_t)i, size[i] = 1;
    /* connected components of the links, to know which low pairs matter */
    for (size_t x = 0; x < npairs; x++)
        if (prob[x] >= threshold) {
            uint32_t a = find(comp, (uint32_t)(pairs[x] >> 32)), b = find(comp, (uint32_t)pairs[x]);
            if (a != b)
                comp[a < b ? b : a] = a < b ? a : b;
            cap++;
        }
    for (size_t c = 0; c < ncons; c++)
        if (cons[c].same && cons[c].a < n && cons[c].b < n) {
            uint32_t a = find(comp, cons[c].a), b = find(comp, cons[c].b);
            if (a != b)
                comp[a < b ? b : a] = a < b ? a : b;
        }
    for (size_t x = 0; x < npairs; x++)
        if (prob[x] < split_below) {
            uint32_t a = (uint32_t)(pairs[x] >> 32), b = (uint32_t)pairs[x];
            if (find(comp, a) == find(comp, b)) {
                apart_add(&apart[a], b);
                apart_add(&apart[b], a);
            }
        }
    joins = xmalloc((cap ? cap : 1) * sizeof *joins);
    for (size_t c = 0; c < ncons; c++) {
        if (cons[c].a >= n || cons[c].b >= n || cons[c].a == cons[c].b)
            continue;
        if (cons[c].same) {
            joins[njoins++] = (struct link_join){ cons[c].a, cons[c].b, 1, true };
        } else {
            apart_add(&apart[cons[c].a], cons[c].b);
            apart_add(&apart[cons[c].b], cons[c].a);
        }
    }
    for (size_t x = 0; x < npairs; x++)
        if (prob[x] >= threshold)
            joins[njoins++] = (struct link_join){ (uint32_t)(pairs[x] >> 32), (uint32_t)pairs[x],
                                                  prob[x], false };
    qsort(joins, njoins, sizeof *joins, by_strength);
    for (size_t x = 0; x < njoins; x++) {
        uint32_t a = find(parent, joins[x].a), b = find(parent, joins[x].b), t;
        bool refuse = false;
        if (a == b)
            continue;
        if (!joins[x].forced && size[a] + size[b] > max_cluster)
            refuse = true;
        /* look through the shorter list of records to keep apart */
        if (apart[a].n > apart[b].n) {
            t = a;
            a = b;
            b = t;
        }
        for (size_t y = 0; y < apart[a].n && !refuse; y++)
            refuse = find(parent, apart[a].v[y]) == b;
        if (refuse) {
            (*broken)++;
            continue;
        }
        parent[a] = b;
        size[b] += size[a];
        for (size_t y = 0; y < apart[a].n; y++)
            apart_add(&apart[b], apart[a].v[y]);
        free(apart[a].v);
        apart[a] = (struct apart){ 0 };
    }
    /* name each cluster by its smallest member */
    for (size_t i = 0; i < n; i++)
        comp[i] = UINT32_MAX;
    *nclusters = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = find(parent, (uint32_t)i);
        if (comp[r] == UINT32_MAX) {
            comp[r] = (uint32_t)i;
            (*nclusters)++;
        }
        cluster[i] = comp[r];
    }
    for (size_t i = 0; i < n; i++)
        free(apart[i].v);
    free(apart);
    free(joins);
    free(comp);
    free(parent);
    free(size);
    return AT_OK;
}
