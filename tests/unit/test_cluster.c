/* test_cluster.c: clustering placements into sites on seeded synthetic
 * data with known truth, DBSCAN on a known layout, the adjusted Rand index. */
#include "../../src/core/attest.h"
#include "../../src/core/cluster.h"
#include "../../src/core/geo.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

/* Normal deviate (Box-Muller) from drand48. */
static double normal(void)
{
    double u = drand48(), v = drand48();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* Appends placements of a site at (lat, lon): each witness states an
 * uncertainty radius and errs by a circular normal error of that size. */
static size_t place(struct cluster_point *pts, int *truth, size_t n, int site, double lat,
                    double lon, int witnesses, double rmin, double rmax, int group)
{
    for (int w = 0; w < witnesses; w++) {
        double r = rmin + (rmax - rmin) * drand48();
        double sigma = r / CLUSTER_RADIUS_PER_SIGMA, dist = sigma * hypot(normal(), normal());
        double plat, plon;
        geo_direct(lat, lon, 360 * drand48(), dist, &plat, &plon);
        pts[n] = (struct cluster_point){ plat, plon, sigma, group };
        truth[n++] = site;
    }
    return n;
}

UNIT_TEST(cluster_separates_dense_sites_without_chaining)
{
    struct at_ctx ctx = { 0 };
    enum { MAXPTS = 20000 };
    struct cluster_point *pts = calloc(MAXPTS, sizeof *pts);
    int *truth = calloc(MAXPTS, sizeof *truth);
    struct cluster_params p = CLUSTER_PARAMS_INIT;
    struct cluster_result r;
    size_t n = 0;
    int site = 0;

    srand48(42);
    /* 300 rural sites over North Korea, 1 to 15 witnesses, 200 m to 2 km. */
    for (int s = 0; s < 300; s++)
        n = place(pts, truth, n, site++, 38 + 4.5 * drand48(), 124.5 + 5.5 * drand48(),
                  1 + (int)(14 * drand48()), 200, 2000, 0);
    /* A town: a 10 x 10 grid of sites 400 m apart, placed within 50-150 m. */
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++)
            n = place(pts, truth, n, site++, 41.8 + i * 0.0036, 129.7 + j * 0.0048,
                      2 + (int)(8 * drand48()), 50, 150, 0);
    /* Two sites of different types at the same spot stay apart. */
    n = place(pts, truth, n, site++, 40.0, 127.0, 5, 100, 300, 0);
    n = place(pts, truth, n, site++, 40.0, 127.0, 5, 100, 300, 1);
    REQUIRE(cluster_points(&ctx, pts, n, NULL, 0, &p, &r) == AT_OK);
    double ari = cluster_ari(r.label, truth, n);
    printf("# %zu placements of %d sites: %zu clusters, ARI %.4f, %d rounds\n",
           n, site, r.nclusters, ari, r.rounds);
    CHECK(ari >= 0.95);
    CHECK(r.label[n - 1] != r.label[n - 6]);
    /* DBSCAN with a 2 km radius chains the town into few clusters. */
    int *db = calloc(n, sizeof *db);
    size_t k;
    REQUIRE(cluster_dbscan(&ctx, pts, n, 2000, 3, db, &k) == AT_OK);
    for (size_t i = 0; i < n; i++)
        if (db[i] == 0)
            db[i] = -(int)i - 1;
    printf("# DBSCAN eps 2 km minPts 3: %zu clusters, ARI %.4f\n", k, cluster_ari(db, truth, n));
    CHECK(cluster_ari(db, truth, n) < ari);
    cluster_result_free(&r);
    free(db);
    free(pts);
    free(truth);
}

UNIT_TEST(cluster_respects_anchors)
{
    struct at_ctx ctx = { 0 };
    struct cluster_point pts[] = {
        { 40.0, 127.0, 100, 0 },
        { 40.0005, 127.0, 100, 0 },
        { 40.1, 127.0, 100, 0 },
        { 40.1, 127.0, 100, 1 },
    };
    struct cluster_anchor a = { 40.0002, 127.0001, 50, 0 };
    struct cluster_params p = CLUSTER_PARAMS_INIT;
    struct cluster_result r;

    REQUIRE(cluster_points(&ctx, pts, 4, &a, 1, &p, &r) == AT_OK);
    CHECK(r.label[0] == 0 && r.label[1] == 0);
    CHECK(r.label[2] != 0 && r.label[3] != r.label[2]);
    CHECK(r.nclusters == 3);
    CHECK(r.centre_lat[0] == 40.0002);
    cluster_result_free(&r);
    pts[0].sigma_m = 0;
    CHECK(cluster_points(&ctx, pts, 4, NULL, 0, &p, &r) == AT_EINVAL);
}

UNIT_TEST(cluster_dbscan_known_layout)
{
    struct at_ctx ctx = { 0 };
    /* Three points 500 m apart in a row, one far off. */
    struct cluster_point pts[4];
    int label[4];
    size_t k;

    pts[0] = (struct cluster_point){ 40, 127, 1, 0 };
    geo_direct(40, 127, 90, 500, &pts[1].lat, &pts[1].lon);
    geo_direct(40, 127, 90, 1000, &pts[2].lat, &pts[2].lon);
    pts[3] = (struct cluster_point){ 41, 127, 1, 0 };
    pts[1].sigma_m = pts[2].sigma_m = 1;
    REQUIRE(cluster_dbscan(&ctx, pts, 4, 600, 2, label, &k) == AT_OK);
    CHECK(k == 1 && label[0] == 1 && label[1] == 1 && label[2] == 1 && label[3] == 0);
    REQUIRE(cluster_dbscan(&ctx, pts, 4, 600, 3, label, &k) == AT_OK);
    /* Only the middle point is core; the ends are its border points. */
    CHECK(k == 1 && label[0] == 1 && label[2] == 1 && label[3] == 0);
}

UNIT_TEST(cluster_ari_values)
{
    int a[] = { 0, 0, 1, 1, 2, 2 }, b[] = { 5, 5, 7, 7, 9, 9 }, c[] = { 0, 1, 0, 1, 0, 1 };

    CHECK(fabs(cluster_ari(a, b, 6) - 1) < 1e-12);
    CHECK(cluster_ari(a, c, 6) < 0.1);
    /* A value from R's mclust::adjustedRandIndex(c(1,1,1,2,2,2), c(1,1,2,2,3,3)). */
    int x[] = { 1, 1, 1, 2, 2, 2 }, y[] = { 1, 1, 2, 2, 3, 3 };
    CHECK(fabs(cluster_ari(x, y, 6) - 0.2424242) < 1e-6);
}
