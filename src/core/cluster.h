/*
 * cluster.h: grouping witnesses' placements of a site into candidate
 * sites, by their uncertainty, without chaining distinct sites together.
 *
 * Each placement is a point with a standard error sigma (metres).  Two
 * placements may be of the same place when they lie within
 * gate * sqrt(sigma_a^2 + sigma_b^2) of each other.  cluster_points tests
 * a placement against a cluster's centre, the inverse-variance weighted
 * mean of its members, never against its other members: a chain of
 * placements a few hundred metres apart across a town does not become one
 * site.  Clusters are seeded from the most precise placements first (by
 * classes of precision a factor 2 apart, and by place within a class) and
 * then refined: each placement moves to the most plausible compatible
 * centre, for a few rounds or until none moves.  Placements are 3-D
 * vectors on a sphere of the Earth's mean radius, searched through a k-d
 * tree per class of precision, each range of which knows its largest
 * uncertainty: a search reaches only as far as the placements around it
 * make plausible.  Memory is linear in the number of placements, never a
 * matrix of pairs.  The work is shared among the machine's cores.
 *
 * cluster_dbscan is classic DBSCAN (Ester et al. 1996) over the same
 * vectors, for comparison with other implementations.
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include "attest.h"

/* A stated uncertainty radius is read as holding the place with about 95%
 * probability: sigma = radius / 2.45 for a circular normal error. */
#define CLUSTER_RADIUS_PER_SIGMA 2.4477

struct cluster_point {
    double lat, lon;
    double sigma_m;   /* standard error in metres, > 0 */
    int group;        /* placements cluster only within one group (site type) */
};

/* A fixed centre: a site the analysts have confirmed.  Placements that fit
 * it join it; it does not move. */
struct cluster_anchor {
    double lat, lon;
    double sigma_m;
    int group;
};

struct cluster_params {
    double gate;      /* in standard errors; 4 admits 99.97% of true pairs */
    int max_rounds;   /* refinement rounds at most */
};
#define CLUSTER_PARAMS_INIT { 4.0, 2 }

/* The result: label[i] is the cluster of point i, 0 .. nclusters-1.
 * Clusters 0 .. nanchors-1 are the anchors (possibly empty); the others
 * are new.  centre_lat/lon are the clusters' weighted centres (anchors:
 * their own).  The caller frees the arrays with cluster_result_free. */
struct cluster_result {
    int *label;
    size_t nclusters;
    double *centre_lat, *centre_lon;
    int rounds;
};

int cluster_points(struct at_ctx *ctx, const struct cluster_point *pts, size_t n,
                   const struct cluster_anchor *anchors, size_t nanchors,
                   const struct cluster_params *p, struct cluster_result *out);

void cluster_result_free(struct cluster_result *r);

/* DBSCAN with radius eps_m (chord metres) and min_pts (counting the point
 * itself, as R's dbscan does).  label[i] is the cluster 1..k, or 0 for
 * noise; *nclusters is k.  label is the caller's array of n. */
int cluster_dbscan(struct at_ctx *ctx, const struct cluster_point *pts, size_t n,
                   double eps_m, size_t min_pts, int *label, size_t *nclusters);

/* The adjusted Rand index of two labellings of n items (Hubert & Arabie). */
double cluster_ari(const int *a, const int *b, size_t n);

#endif
