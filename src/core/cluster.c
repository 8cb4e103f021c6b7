/*
 * cluster.c: centre-gated clustering of placements and DBSCAN, over a
 * k-d tree of 3-D vectors.
 *
 * The k-d tree is implicit: an array of items (vector, variance, the
 * caller's index) where each range [lo, hi) is split at its middle element
 * along the axis of widest extent (quickselect); the axis and the largest
 * variance in the range are kept at the middle's position.  Ranges of
 * KD_LEAF items or fewer are scanned.  The items are stored in tree order,
 * so that a query reads neighbouring memory.
 *
 * A query asks for the items x compatible with a point q of variance s2q:
 * |x - q|^2 <= g2 * (s2q + s2(x)).  The largest variance of a range bounds
 * how far a compatible item can lie, so a query in a town of precise
 * placements searches a few hundred metres, whatever the uncertainty of
 * placements elsewhere.
 *
 * The tree is built, and each refinement round run, on up to
 * CLUSTER_THREADS threads; the results do not depend on their number.
 */
#include "attest.h"
#include "cluster.h"
#include "geo.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KD_LEAF 8
#define CLUSTER_THREADS 8
/* Ranges smaller than this are built, and point sets this small refined,
 * on one thread. */
#define PARALLEL_MIN 50000

struct kd_item {
    double p[3];
    double s2;       /* variance, m^2 */
    uint32_t id;     /* the caller's index */
};

struct kd {
    size_t n;
    struct kd_item *it;   /* in tree order */
    double *smax;         /* at each range's middle: the largest s2 in the range */
    uint8_t *axis;        /* at each inner range's middle: the split axis */
    size_t nclass, *off;  /* tree c holds the items [off[c], off[c + 1]) */
};

/* A growable list of indices, reused between queries. */
struct ilist {
    uint32_t *v;
    size_t n, cap;
};

static void ilist_push(struct ilist *l, uint32_t x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = x;
}

static double dist2(const double *a, const double *b)
{
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

static int threads_available(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > CLUSTER_THREADS ? CLUSTER_THREADS : (int)n;
}

/* Puts the item with the k-th smallest coordinate on axis at position k
 * of [lo, hi), smaller or equal ones before it and larger or equal after. */
static void kd_select(struct kd_item *a, long lo, long hi, long k, int axis)
{
    hi--;
    while (hi > lo) {
        double pivot = a[lo + (hi - lo) / 2].p[axis];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i].p[axis] < pivot)
                i++;
            while (a[j].p[axis] > pivot)
                j--;
            if (i <= j) {
                struct kd_item s = a[i];
                a[i++] = a[j];
                a[j--] = s;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

static void kd_build_range(struct kd *t, size_t lo, size_t hi, int threads);

struct build_job {
    struct kd *t;
    size_t lo, hi;
    int threads;
};

static void *build_job_run(void *arg)
{
    struct build_job *j = arg;

    kd_build_range(j->t, j->lo, j->hi, j->threads);
    return NULL;
}

static void kd_build_range(struct kd *t, size_t lo, size_t hi, int threads)
{
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        const struct kd_item *f = &t->it[lo];
        double mn[3] = { f->p[0], f->p[1], f->p[2] }, mx[3] = { f->p[0], f->p[1], f->p[2] };
        double sm = f->s2;
        for (size_t i = lo + 1; i < hi; i++) {
            const struct kd_item *x = &t->it[i];
            for (int d = 0; d < 3; d++) {
                if (x->p[d] < mn[d])
                    mn[d] = x->p[d];
                if (x->p[d] > mx[d])
                    mx[d] = x->p[d];
            }
            if (x->s2 > sm)
                sm = x->s2;
        }
        t->smax[mid] = sm;
        if (hi - lo <= KD_LEAF)
            return;
        int axis = 0;
        for (int d = 1; d < 3; d++)
            if (mx[d] - mn[d] > mx[axis] - mn[axis])
                axis = d;
        kd_select(t->it, (long)lo, (long)hi, (long)mid, axis);
        t->axis[mid] = (uint8_t)axis;
        if (threads > 1 && hi - lo >= PARALLEL_MIN) {
            struct build_job j = { t, lo, mid, threads / 2 };
            pthread_t th;
            if (pthread_create(&th, NULL, build_job_run, &j) == 0) {
                kd_build_range(t, mid + 1, hi, threads - threads / 2);
                pthread_join(th, NULL);
                return;
            }
        }
        kd_build_range(t, lo, mid, 1);
        lo = mid + 1;
        threads = 1;
    }
}

/* Builds the forest over items (taken over: freed by kd_free): one tree
 * per class of variance, the classes a factor 4 apart. */
static void kd_build(struct kd *t, struct kd_item *items, size_t n, int threads)
{
    enum { NKEYS = 2100 };
    size_t *count = xcalloc(NKEYS + 1, sizeof *count);
    int *key = xmalloc((n ? n : 1) * sizeof *key);

    for (size_t i = 0; i < n; i++) {
        int e = 0;
        if (items[i].s2 > 0)
            frexp(items[i].s2, &e);
        key[i] = (e + 2 * NKEYS) / 2 - NKEYS / 2;
        key[i] = key[i] < 0 ? 0 : key[i] >= NKEYS ? NKEYS - 1 : key[i];
        count[key[i] + 1]++;
    }
    t->nclass = 0;
    t->off = xmalloc((NKEYS + 1) * sizeof *t->off);
    t->off[0] = 0;
    for (size_t k = 1; k <= NKEYS; k++)
        if (count[k]) {
            t->off[t->nclass + 1] = t->off[t->nclass] + count[k];
            t->nclass++;
        }
    for (size_t k = 1; k <= NKEYS; k++)
        count[k] += count[k - 1];
    t->n = n;
    t->it = xmalloc((n ? n : 1) * sizeof *t->it);
    for (size_t i = 0; i < n; i++)
        t->it[count[key[i]]++] = items[i];
    free(items);
    free(key);
    free(count);
    t->smax = xmalloc((n ? n : 1) * sizeof *t->smax);
    t->axis = xcalloc(n ? n : 1, 1);
    for (size_t c = 0; c < t->nclass; c++)
        kd_build_range(t, t->off[c], t->off[c + 1], threads);
}

static void kd_free(struct kd *t)
{
    free(t->off);
    free(t->it);
    free(t->smax);
    free(t->axis);
}

/* Appends to out the tree positions of the items x in [lo, hi) with
 * |x - q|^2 <= g2 * (s2q + s2(x)). */
static void kd_compat(const struct kd *t, size_t lo, size_t hi, const double *q, double s2q,
                      double g2, struct ilist *out)
{
    while (hi - lo > KD_LEAF) {
        size_t mid = lo + (hi - lo) / 2, flo, fhi;
        const struct kd_item *m = &t->it[mid];
        double diff = q[t->axis[mid]] - m->p[t->axis[mid]];
        if (dist2(q, m->p) <= g2 * (s2q + m->s2))
            ilist_push(out, (uint32_t)mid);
        if (diff < 0) {
            flo = mid + 1, fhi = hi;
            hi = mid;
        } else {
            flo = lo, fhi = mid;
            lo = mid + 1;
        }
        if (fhi > flo && diff * diff <= g2 * (s2q + t->smax[flo + (fhi - flo) / 2]))
            kd_compat(t, flo, fhi, q, s2q, g2, out);
    }
    for (size_t i = lo; i < hi; i++)
        if (dist2(q, t->it[i].p) <= g2 * (s2q + t->it[i].s2))
            ilist_push(out, (uint32_t)i);
}

/* All the compatible items, from every tree of the forest. */
static void kd_query(const struct kd *t, const double *q, double s2q, double g2, struct ilist *out)
{
    for (size_t c = 0; c < t->nclass; c++)
        kd_compat(t, t->off[c], t->off[c + 1], q, s2q, g2, out);
}

/* Items for the placements: vectors on a sphere of the Earth's mean
 * radius, in metres, with variance s2 (or the placement's own when s2 < 0). */
static struct kd_item *point_items(const struct cluster_point *pts, size_t n, double s2)
{
    struct kd_item *it = xmalloc((n ? n : 1) * sizeof *it);

    for (size_t i = 0; i < n; i++) {
        geo_unit_vector(pts[i].lat, pts[i].lon, it[i].p);
        for (int d = 0; d < 3; d++)
            it[i].p[d] *= GEO_MEAN_RADIUS_M;
        it[i].s2 = s2 >= 0 ? s2 : pts[i].sigma_m * pts[i].sigma_m;
        it[i].id = (uint32_t)i;
    }
    return it;
}

static int check_points(struct at_ctx *ctx, const struct cluster_point *pts, size_t n)
{
    if (n >= UINT32_MAX)
        return ctx_error(ctx, AT_EINVAL, "too many placements to cluster at once (%zu)", n);
    for (size_t i = 0; i < n; i++)
        if (!geo_valid(pts[i].lat, pts[i].lon) || !(pts[i].sigma_m > 0) || !isfinite(pts[i].sigma_m))
            return ctx_error(ctx, AT_EINVAL, "placement %zu: coordinates out of range or "
                             "uncertainty not above 0", i + 1);
    return AT_OK;
}

/* The centres of a clustering run. */
struct centres {
    size_t n, cap, nfixed;
    double *pos;     /* 3 per centre: the weighted mean (fixed: the anchor) */
    double *sum;     /* 3 per centre: sum of weight * vector */
    double *wsum;    /* sum of weights 1/sigma^2; fixed: 1/sigma^2 of the anchor */
    int *group;
};

static size_t centre_add(struct centres *c, const double *pos, double w, int group)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->pos = xrealloc(c->pos, 3 * c->cap * sizeof *c->pos);
        c->sum = xrealloc(c->sum, 3 * c->cap * sizeof *c->sum);
        c->wsum = xrealloc(c->wsum, c->cap * sizeof *c->wsum);
        c->group = xrealloc(c->group, c->cap * sizeof *c->group);
    }
    memcpy(c->pos + 3 * c->n, pos, 3 * sizeof *pos);
    c->wsum[c->n] = w;
    c->group[c->n] = group;
    return c->n++;
}

/* Moves each free centre to the weighted mean of its members; empty free
 * centres get weight 0 and are never chosen again.  Sums in tree order. */
static void centres_update(struct centres *c, const struct kd *t, const int *label)
{
    memset(c->sum + 3 * c->nfixed, 0, 3 * (c->n - c->nfixed) * sizeof *c->sum);
    for (size_t k = c->nfixed; k < c->n; k++)
        c->wsum[k] = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct kd_item *x = &t->it[i];
        size_t k = (size_t)label[x->id];
        if (k < c->nfixed)
            continue;
        double w = 1 / x->s2;
        for (int d = 0; d < 3; d++)
            c->sum[3 * k + d] += w * x->p[d];
        c->wsum[k] += w;
    }
    for (size_t k = c->nfixed; k < c->n; k++)
        if (c->wsum[k] > 0)
            for (int d = 0; d < 3; d++)
                c->pos[3 * k + d] = c->sum[3 * k + d] / c->wsum[k];
}

/* Seeds clusters from the most precise placements first: each unclaimed
 * placement starts a cluster and claims the unclaimed placements of its
 * group that fit with it.  Fixed centres claim theirs before any.  The
 * placements are taken in tree order: the forest's classes of variance
 * from the most precise, and in each class by place, so that neighbouring
 * queries read neighbouring memory. */
static void seed(const struct cluster_point *pts, const struct kd *t, double g2,
                 struct centres *c, int *label)
{
    struct ilist hits = { 0 };
    size_t n = t->n;

    /* Confirmed sites claim the placements that fit them first. */
    for (size_t k = 0; k < c->nfixed; k++) {
        hits.n = 0;
        kd_query(t, c->pos + 3 * k, 1 / c->wsum[k], g2, &hits);
        for (size_t h = 0; h < hits.n; h++) {
            uint32_t q = t->it[hits.v[h]].id;
            if (label[q] < 0 && pts[q].group == c->group[k])
                label[q] = (int)k;
        }
    }
    for (size_t o = 0; o < n; o++) {
        const struct kd_item *x = &t->it[o];
        uint32_t p = x->id;
        if (label[p] >= 0)
            continue;
        int k = (int)centre_add(c, x->p, 1 / x->s2, pts[p].group);
        hits.n = 0;
        kd_query(t, x->p, x->s2, g2, &hits);
        for (size_t h = 0; h < hits.n; h++) {
            uint32_t q = t->it[hits.v[h]].id;
            if (label[q] < 0 && pts[q].group == pts[p].group)
                label[q] = k;
        }
    }
    free(hits.v);
}

/* The centres a member of centre k may be compatible with: for each live
 * centre k, cand[off[k] .. off[k + 1]).  A member x of k lies within
 * reach[k] of k and has variance at most smax2[k]; a centre j it fits lies
 * within g * sqrt(s2(x) + v(j)) of it, so within
 * reach[k] + g * sqrt(smax2[k] + v(j)) of k, and
 * (a + b)^2 <= 2 a^2 + 2 b^2 turns that into a query of the centre forest. */
struct candidates {
    size_t *off;
    uint32_t *cand;
};

static void candidates_find(const struct centres *c, const struct kd *ct, const double *reach,
                            const double *smax2, double g2, struct candidates *out)
{
    struct ilist hits = { 0 }, all = { 0 };

    out->off = xcalloc(c->n + 1, sizeof *out->off);
    for (size_t k = 0; k < c->n; k++) {
        out->off[k] = all.n;
        if (!(c->wsum[k] > 0) || smax2[k] < 0)
            continue;
        const double *pk = c->pos + 3 * k;
        hits.n = 0;
        kd_query(ct, pk, reach[k] * reach[k] / g2 + smax2[k], 2 * g2, &hits);
        for (size_t h = 0; h < hits.n; h++) {
            const struct kd_item *cen = &ct->it[hits.v[h]];
            double lim = reach[k] + sqrt(g2 * (smax2[k] + cen->s2));
            if (c->group[cen->id] == c->group[k] && dist2(pk, cen->p) <= lim * lim)
                ilist_push(&all, cen->id);
        }
    }
    out->off[c->n] = all.n;
    out->cand = all.v;
    free(hits.v);
}

/* A share of one refinement round: for the placements at tree positions
 * [lo, hi), the compatible centre of their group with the smallest
 * distance in standard errors, or -1. */
struct reassign_job {
    const struct kd *t;
    const struct centres *c;
    const struct candidates *cd;
    const int *label;
    double g2;
    size_t lo, hi;
    int *best;
};

static void *reassign_run(void *arg)
{
    const struct reassign_job *j = arg;
    const struct centres *c = j->c;

    for (size_t i = j->lo; i < j->hi; i++) {
        const struct kd_item *x = &j->t->it[i];
        size_t k = (size_t)j->label[x->id];
        int best = -1;
        double best_score = j->g2;
        for (size_t h = j->cd->off[k]; h < j->cd->off[k + 1]; h++) {
            int m = (int)j->cd->cand[h];
            double score = dist2(x->p, c->pos + 3 * (size_t)m) / (x->s2 + 1 / c->wsum[m]);
            if (score < best_score || (score == best_score && m < best)) {
                best_score = score;
                best = m;
            }
        }
        j->best[x->id] = best;
    }
    return NULL;
}

/* One refinement round: each placement moves to the compatible centre of
 * its group with the smallest distance in standard errors, or starts a
 * cluster of its own.  Returns how many moved. */
static size_t reassign(const struct cluster_point *pts, const struct kd *t, const uint32_t *where,
                       double g2, int threads, struct centres *c, int *label, int *best)
{
    struct kd_item *live = xmalloc((c->n ? c->n : 1) * sizeof *live);
    double *reach = xcalloc(c->n ? c->n : 1, sizeof *reach);
    double *smax2 = xmalloc((c->n ? c->n : 1) * sizeof *smax2);
    struct reassign_job job[CLUSTER_THREADS];
    pthread_t th[CLUSTER_THREADS];
    size_t moved = 0, nlive = 0, n = t->n;
    struct candidates cd;
    struct kd ct;
    int started = 0;

    for (size_t k = 0; k < c->n; k++)
        smax2[k] = -1;
    for (size_t i = 0; i < n; i++) {
        const struct kd_item *x = &t->it[i];
        size_t k = (size_t)label[x->id];
        double d2 = dist2(x->p, c->pos + 3 * k);
        if (d2 > reach[k])
            reach[k] = d2;
        if (x->s2 > smax2[k])
            smax2[k] = x->s2;
    }
    for (size_t k = 0; k < c->n; k++) {
        reach[k] = sqrt(reach[k]) * (1 + 1e-12);
        if (c->wsum[k] > 0) {
            memcpy(live[nlive].p, c->pos + 3 * k, sizeof live[nlive].p);
            live[nlive].s2 = 1 / c->wsum[k];
            live[nlive++].id = (uint32_t)k;
        }
    }
    kd_build(&ct, live, nlive, 1);
    candidates_find(c, &ct, reach, smax2, g2, &cd);
    kd_free(&ct);
    if (n < PARALLEL_MIN)
        threads = 1;
    for (int w = 0; w < threads; w++)
        job[w] = (struct reassign_job){ t, c, &cd, label, g2, n * (size_t)w / (size_t)threads,
                                        n * (size_t)(w + 1) / (size_t)threads, best };
    for (int w = 1; w < threads; w++, started++)
        if (pthread_create(&th[w], NULL, reassign_run, &job[w]) != 0)
            break;
    reassign_run(&job[0]);
    for (int w = 1; w <= started; w++)
        pthread_join(th[w], NULL);
    for (int w = started + 1; w < threads; w++)
        reassign_run(&job[w]);
    free(cd.off);
    free(cd.cand);
    free(reach);
    free(smax2);
    for (size_t i = 0; i < n; i++) {
        int b = best[i];
        if (b < 0) {
            const struct kd_item *x = &t->it[where[i]];
            b = (int)centre_add(c, x->p, 1 / x->s2, pts[i].group);
        }
        if (b != label[i]) {
            label[i] = b;
            moved++;
        }
    }
    return moved;
}

int cluster_points(struct at_ctx *ctx, const struct cluster_point *pts, size_t n,
                   const struct cluster_anchor *anchors, size_t nanchors,
                   const struct cluster_params *p, struct cluster_result *out)
{
    struct centres c = { 0 };
    struct kd t;
    uint32_t *where;
    int *best, rc, threads = threads_available();
    double g2;

    memset(out, 0, sizeof *out);
    if ((rc = check_points(ctx, pts, n)) != AT_OK)
        return rc;
    if (!(p->gate > 0))
        return ctx_error(ctx, AT_EINVAL, "the gate must be above 0 standard errors");
    g2 = p->gate * p->gate;
    kd_build(&t, point_items(pts, n, -1), n, threads);
    where = xmalloc((n ? n : 1) * sizeof *where);
    best = xmalloc((n ? n : 1) * sizeof *best);
    out->label = xmalloc((n ? n : 1) * sizeof *out->label);
    for (size_t i = 0; i < n; i++) {
        where[t.it[i].id] = (uint32_t)i;
        out->label[i] = -1;
    }
    for (size_t a = 0; a < nanchors; a++) {
        double v[3];
        geo_unit_vector(anchors[a].lat, anchors[a].lon, v);
        for (int d = 0; d < 3; d++)
            v[d] *= GEO_MEAN_RADIUS_M;
        centre_add(&c, v, 1 / (anchors[a].sigma_m * anchors[a].sigma_m), anchors[a].group);
    }
    c.nfixed = nanchors;
    seed(pts, &t, g2, &c, out->label);
    for (out->rounds = 1; out->rounds <= p->max_rounds; out->rounds++) {
        centres_update(&c, &t, out->label);
        if (reassign(pts, &t, where, g2, threads, &c, out->label, best) == 0)
            break;
    }
    centres_update(&c, &t, out->label);
    kd_free(&t);
    free(where);
    free(best);
    /* Number the new clusters in order of their first placement. */
    int *renum = xmalloc((c.n ? c.n : 1) * sizeof *renum);
    for (size_t k = 0; k < c.n; k++)
        renum[k] = k < nanchors ? (int)k : -1;
    out->nclusters = nanchors;
    for (size_t i = 0; i < n; i++) {
        int k = out->label[i];
        if (renum[k] < 0)
            renum[k] = (int)out->nclusters++;
        out->label[i] = renum[k];
    }
    out->centre_lat = xmalloc((out->nclusters ? out->nclusters : 1) * sizeof(double));
    out->centre_lon = xmalloc((out->nclusters ? out->nclusters : 1) * sizeof(double));
    for (size_t k = 0; k < c.n; k++) {
        if (renum[k] < 0)
            continue;
        const double *v = c.pos + 3 * k;
        out->centre_lat[renum[k]] = atan2(v[2], hypot(v[0], v[1])) * 180 / M_PI;
        out->centre_lon[renum[k]] = atan2(v[1], v[0]) * 180 / M_PI;
    }
    for (size_t a = 0; a < nanchors; a++) {
        out->centre_lat[a] = anchors[a].lat;
        out->centre_lon[a] = anchors[a].lon;
    }
    free(renum);
    free(c.pos);
    free(c.sum);
    free(c.wsum);
    free(c.group);
    return AT_OK;
}

void cluster_result_free(struct cluster_result *r)
{
    free(r->label);
    free(r->centre_lat);
    free(r->centre_lon);
    memset(r, 0, sizeof *r);
}

/* DBSCAN over the same tree: every item has variance 0 and a query
 * variance eps^2 with g2 = 1 asks for the items within eps. */
int cluster_dbscan(struct at_ctx *ctx, const struct cluster_point *pts, size_t n,
                   double eps_m, size_t min_pts, int *label, size_t *nclusters)
{
    struct ilist hits = { 0 }, stack = { 0 };
    struct kd t;
    uint32_t *where;
    double e2 = eps_m * eps_m;
    int k = 0, rc;

    if ((rc = check_points(ctx, pts, n)) != AT_OK)
        return rc;
    kd_build(&t, point_items(pts, n, 0), n, threads_available());
    where = xmalloc((n ? n : 1) * sizeof *where);
    for (size_t i = 0; i < n; i++) {
        where[t.it[i].id] = (uint32_t)i;
        label[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (label[i] != -1)
            continue;
        hits.n = 0;
        kd_query(&t, t.it[where[i]].p, e2, 1, &hits);
        if (hits.n < min_pts) {
            label[i] = 0;
            continue;
        }
        label[i] = ++k;
        stack.n = 0;
        for (size_t h = 0; h < hits.n; h++)
            ilist_push(&stack, t.it[hits.v[h]].id);
        while (stack.n) {
            uint32_t q = stack.v[--stack.n];
            if (label[q] == 0)
                label[q] = k;
            if (label[q] != -1)
                continue;
            label[q] = k;
            hits.n = 0;
            kd_query(&t, t.it[where[q]].p, e2, 1, &hits);
            if (hits.n >= min_pts)
                for (size_t h = 0; h < hits.n; h++)
                    if (label[t.it[hits.v[h]].id] <= 0)
                        ilist_push(&stack, t.it[hits.v[h]].id);
        }
    }
    *nclusters = (size_t)k;
    kd_free(&t);
    free(where);
    free(hits.v);
    free(stack.v);
    return AT_OK;
}

struct pair {
    int a, b;
};

static int pair_cmp(const void *x, const void *y)
{
    const struct pair *p = x, *q = y;

    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static int int_cmp(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;

    return a < b ? -1 : a > b;
}

/* Sum over the runs of equal values in sorted v of C(run, 2). */
static double pairs_in_runs(const int *v, size_t n)
{
    double s = 0;

    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && v[j] == v[i]; j++)
            ;
        s += (double)(j - i) * (double)(j - i - 1) / 2;
    }
    return s;
}

double cluster_ari(const int *a, const int *b, size_t n)
{
    struct pair *p = xmalloc((n ? n : 1) * sizeof *p);
    int *sa = xmalloc((n ? n : 1) * sizeof *sa), *sb = xmalloc((n ? n : 1) * sizeof *sb);
    double index = 0, ra, rb, total = (double)n * (double)(n - 1) / 2, expected, max;

    for (size_t i = 0; i < n; i++) {
        p[i].a = sa[i] = a[i];
        p[i].b = sb[i] = b[i];
    }
    qsort(p, n, sizeof *p, pair_cmp);
    qsort(sa, n, sizeof *sa, int_cmp);
    qsort(sb, n, sizeof *sb, int_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && p[j].a == p[i].a && p[j].b == p[i].b; j++)
            ;
        index += (double)(j - i) * (double)(j - i - 1) / 2;
    }
    ra = pairs_in_runs(sa, n);
    rb = pairs_in_runs(sb, n);
    free(p);
    free(sa);
    free(sb);
    if (n < 2)
        return 1;
    expected = ra * rb / total;
    max = (ra + rb) / 2;
    return max == expected ? 1 : (index - expected) / (max - expected);
}
