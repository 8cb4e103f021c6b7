/*
 * cluster.c: centre-gated clustering of placements and DBSCAN, over a
 * k-d tree of 3-D vectors.
 *
 * The k-d tree is implicit: an array of item indices where each range
 * [lo, hi) is split at its middle element along the axis of widest extent
 * (quickselect), and the axis is kept at the middle's position.  Ranges of
 * KD_LEAF items or fewer are scanned.
 */
#include "attest.h"
#include "cluster.h"
#include "geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KD_LEAF 8

struct kd {
    size_t n;
    const double *xyz;   /* 3 per item, borrowed */
    uint32_t *idx;
    uint8_t *axis;
};

/* A growable list of item indices, reused between queries. */
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

/* Puts the item with the k-th smallest coordinate on axis at position k
 * of [lo, hi), smaller or equal ones before it and larger or equal after. */
static void kd_select(struct kd *t, long lo, long hi, long k, int axis)
{
    uint32_t *a = t->idx;
    const double *x = t->xyz;

    hi--;
    while (hi > lo) {
        double pivot = x[3 * a[lo + (hi - lo) / 2] + axis];
        long i = lo, j = hi;
        while (i <= j) {
            while (x[3 * a[i] + axis] < pivot)
                i++;
            while (x[3 * a[j] + axis] > pivot)
                j--;
            if (i <= j) {
                uint32_t s = a[i];
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

static void kd_build_range(struct kd *t, size_t lo, size_t hi)
{
    while (hi - lo > KD_LEAF) {
        double mn[3] = { INFINITY, INFINITY, INFINITY }, mx[3] = { -INFINITY, -INFINITY, -INFINITY };
        for (size_t i = lo; i < hi; i++) {
            const double *p = t->xyz + 3 * (size_t)t->idx[i];
            for (int d = 0; d < 3; d++) {
                mn[d] = fmin(mn[d], p[d]);
                mx[d] = fmax(mx[d], p[d]);
            }
        }
        int axis = 0;
        for (int d = 1; d < 3; d++)
            if (mx[d] - mn[d] > mx[axis] - mn[axis])
                axis = d;
        size_t mid = lo + (hi - lo) / 2;
        kd_select(t, (long)lo, (long)hi, (long)mid, axis);
        t->axis[mid] = (uint8_t)axis;
        kd_build_range(t, lo, mid);
        lo = mid + 1;
    }
}

static void kd_build(struct kd *t, const double *xyz, size_t n)
{
    t->n = n;
    t->xyz = xyz;
    t->idx = xmalloc((n ? n : 1) * sizeof *t->idx);
    t->axis = xcalloc(n ? n : 1, 1);
    for (size_t i = 0; i < n; i++)
        t->idx[i] = (uint32_t)i;
    kd_build_range(t, 0, n);
}

static void kd_free(struct kd *t)
{
    free(t->idx);
    free(t->axis);
}

/* Appends to out the items within r of q. */
static void kd_range(const struct kd *t, size_t lo, size_t hi, const double *q, double r,
                     struct ilist *out)
{
    double r2 = r * r;

    while (hi - lo > KD_LEAF) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t p = t->idx[mid];
        const double *x = t->xyz + 3 * (size_t)p;
        double diff = q[t->axis[mid]] - x[t->axis[mid]];
        if (dist2(q, x) <= r2)
            ilist_push(out, p);
        if (diff < 0) {
            if (diff >= -r)
                kd_range(t, mid + 1, hi, q, r, out);
            hi = mid;
        } else {
            if (diff <= r)
                kd_range(t, lo, mid, q, r, out);
            lo = mid + 1;
        }
    }
    for (size_t i = lo; i < hi; i++)
        if (dist2(q, t->xyz + 3 * (size_t)t->idx[i]) <= r2)
            ilist_push(out, t->idx[i]);
}

static double *to_vectors(const struct cluster_point *pts, size_t n)
{
    double *xyz = xmalloc((n ? n : 1) * 3 * sizeof *xyz);

    for (size_t i = 0; i < n; i++) {
        geo_unit_vector(pts[i].lat, pts[i].lon, xyz + 3 * i);
        for (int d = 0; d < 3; d++)
            xyz[3 * i + d] *= GEO_MEAN_RADIUS_M;
    }
    return xyz;
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
 * centres get weight 0 and are never chosen again. */
static void centres_update(struct centres *c, const double *xyz, const double *w,
                           const int *label, size_t n)
{
    memset(c->sum + 3 * c->nfixed, 0, 3 * (c->n - c->nfixed) * sizeof *c->sum);
    for (size_t k = c->nfixed; k < c->n; k++)
        c->wsum[k] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)label[i];
        if (k < c->nfixed)
            continue;
        for (int d = 0; d < 3; d++)
            c->sum[3 * k + d] += w[i] * xyz[3 * i + d];
        c->wsum[k] += w[i];
    }
    for (size_t k = c->nfixed; k < c->n; k++)
        if (c->wsum[k] > 0)
            for (int d = 0; d < 3; d++)
                c->pos[3 * k + d] = c->sum[3 * k + d] / c->wsum[k];
}

static int by_sigma(const void *a, const void *b, void *arg)
{
    const double *s = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    if (s[x] != s[y])
        return s[x] < s[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Seeds clusters from the most precise placements first: each unclaimed
 * placement starts a cluster and claims the unclaimed placements of its
 * group that fit with it.  Fixed centres claim theirs before any. */
static void seed(const struct cluster_point *pts, const double *xyz, const double *s2, size_t n,
                 double gate, double smax, struct centres *c, int *label)
{
    struct kd t;
    struct ilist hits = { 0 };
    uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);

    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, by_sigma, (void *)s2);
    kd_build(&t, xyz, n);
    /* Confirmed sites claim the placements that fit them first. */
    for (size_t k = 0; k < c->nfixed; k++) {
        const double *a = c->pos + 3 * k, a2 = 1 / c->wsum[k];
        hits.n = 0;
        kd_range(&t, 0, n, a, gate * sqrt(a2 + smax * smax), &hits);
        for (size_t h = 0; h < hits.n; h++) {
            uint32_t q = hits.v[h];
            if (label[q] < 0 && pts[q].group == c->group[k]
                && dist2(a, xyz + 3 * (size_t)q) <= gate * gate * (a2 + s2[q]))
                label[q] = (int)k;
        }
    }
    for (size_t o = 0; o < n; o++) {
        uint32_t p = order[o];
        if (label[p] >= 0)
            continue;
        int k = (int)centre_add(c, xyz + 3 * (size_t)p, 1 / s2[p], pts[p].group);
        hits.n = 0;
        kd_range(&t, 0, n, xyz + 3 * (size_t)p, gate * sqrt(s2[p] + smax * smax), &hits);
        for (size_t h = 0; h < hits.n; h++) {
            uint32_t q = hits.v[h];
            if (label[q] < 0 && pts[q].group == pts[p].group
                && dist2(xyz + 3 * (size_t)p, xyz + 3 * (size_t)q) <= gate * gate * (s2[p] + s2[q]))
                label[q] = k;
        }
    }
    kd_free(&t);
    free(hits.v);
    free(order);
}

/* One refinement round: each placement moves to the compatible centre of
 * its group with the smallest distance in standard errors, or starts a
 * cluster of its own.  Returns how many moved. */
static size_t reassign(const struct cluster_point *pts, const double *xyz, const double *s2,
                       size_t n, double gate, struct centres *c, int *label)
{
    struct ilist live = { 0 }, hits = { 0 };
    double *pos, cmax2 = 0;
    size_t moved = 0, ncentres = c->n;
    struct kd t;

    for (size_t k = 0; k < ncentres; k++)
        if (c->wsum[k] > 0) {
            ilist_push(&live, (uint32_t)k);
            cmax2 = fmax(cmax2, 1 / c->wsum[k]);
        }
    pos = xmalloc((live.n ? live.n : 1) * 3 * sizeof *pos);
    for (size_t j = 0; j < live.n; j++)
        memcpy(pos + 3 * j, c->pos + 3 * (size_t)live.v[j], 3 * sizeof *pos);
    kd_build(&t, pos, live.n);
    for (size_t i = 0; i < n; i++) {
        const double *x = xyz + 3 * i;
        double best_score = gate * gate;
        int best = -1;
        hits.n = 0;
        kd_range(&t, 0, live.n, x, gate * sqrt(s2[i] + cmax2), &hits);
        for (size_t h = 0; h < hits.n; h++) {
            uint32_t k = live.v[hits.v[h]];
            if (c->group[k] != pts[i].group)
                continue;
            double score = dist2(x, c->pos + 3 * (size_t)k) / (s2[i] + 1 / c->wsum[k]);
            if (score < best_score || (score == best_score && (int)k < best)) {
                best_score = score;
                best = (int)k;
            }
        }
        if (best < 0)
            best = (int)centre_add(c, x, 1 / s2[i], pts[i].group);
        if (best != label[i]) {
            label[i] = best;
            moved++;
        }
    }
    kd_free(&t);
    free(pos);
    free(live.v);
    free(hits.v);
    return moved;
}

int cluster_points(struct at_ctx *ctx, const struct cluster_point *pts, size_t n,
                   const struct cluster_anchor *anchors, size_t nanchors,
                   const struct cluster_params *p, struct cluster_result *out)
{
    struct centres c = { 0 };
    double *xyz, *s2, *w, smax = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_points(ctx, pts, n)) != AT_OK)
        return rc;
    if (!(p->gate > 0))
        return ctx_error(ctx, AT_EINVAL, "the gate must be above 0 standard errors");
    xyz = to_vectors(pts, n);
    s2 = xmalloc((n ? n : 1) * sizeof *s2);
    w = xmalloc((n ? n : 1) * sizeof *w);
    out->label = xmalloc((n ? n : 1) * sizeof *out->label);
    for (size_t i = 0; i < n; i++) {
        s2[i] = pts[i].sigma_m * pts[i].sigma_m;
        w[i] = 1 / s2[i];
        smax = fmax(smax, pts[i].sigma_m);
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
    seed(pts, xyz, s2, n, p->gate, smax, &c, out->label);
    for (out->rounds = 1; out->rounds <= p->max_rounds; out->rounds++) {
        centres_update(&c, xyz, w, out->label, n);
        if (reassign(pts, xyz, s2, n, p->gate, &c, out->label) == 0)
            break;
    }
    centres_update(&c, xyz, w, out->label, n);
    /* Number the new clusters in order of their first placement. */
    int *renum = xmalloc(c.n * sizeof *renum);
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
    free(xyz);
    free(s2);
    free(w);
    return AT_OK;
}

void cluster_result_free(struct cluster_result *r)
{
    free(r->label);
    free(r->centre_lat);
    free(r->centre_lon);
    memset(r, 0, sizeof *r);
}

int cluster_dbscan(struct at_ctx *ctx, const struct cluster_point *pts, size_t n,
                   double eps_m, size_t min_pts, int *label, size_t *nclusters)
{
    struct ilist hits = { 0 }, stack = { 0 };
    struct kd t;
    double *xyz;
    int k = 0, rc;

    if ((rc = check_points(ctx, pts, n)) != AT_OK)
        return rc;
    xyz = to_vectors(pts, n);
    kd_build(&t, xyz, n);
    for (size_t i = 0; i < n; i++)
        label[i] = -1;
    for (size_t i = 0; i < n; i++) {
        if (label[i] != -1)
            continue;
        hits.n = 0;
        kd_range(&t, 0, n, xyz + 3 * i, eps_m, &hits);
        if (hits.n < min_pts) {
            label[i] = 0;
            continue;
        }
        label[i] = ++k;
        stack.n = 0;
        for (size_t h = 0; h < hits.n; h++)
            ilist_push(&stack, hits.v[h]);
        while (stack.n) {
            uint32_t q = stack.v[--stack.n];
            if (label[q] == 0)
                label[q] = k;
            if (label[q] != -1)
                continue;
            label[q] = k;
            hits.n = 0;
            kd_range(&t, 0, n, xyz + 3 * (size_t)q, eps_m, &hits);
            if (hits.n >= min_pts)
                for (size_t h = 0; h < hits.n; h++)
                    if (label[hits.v[h]] <= 0)
                        ilist_push(&stack, hits.v[h]);
        }
    }
    *nclusters = (size_t)k;
    kd_free(&t);
    free(xyz);
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
