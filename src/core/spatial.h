/*
 * spatial.h: the spatial index of the archive, an SQLite R*Tree over the
 * current records that have a point (sites, pinpoints, events).  It is
 * derived data: record.c keeps it in step with record_current on every
 * write, and `attest rebuild` recreates it.  The same points are also
 * kept in table geo_point in the order of a 0.01-degree grid, which radius
 * queries up to 100 km read instead of the R*Tree.  Queries keep the
 * candidates the WGS84 geodesic distance admits.
 */
#ifndef SPATIAL_H
#define SPATIAL_H

#include "attest.h"
#include "geo.h"
#include "model.h"
#include "store.h"

/* Replaces the index entry of the current record at rowid: a point entry
 * when has_point and the record is not retracted, none otherwise.  Inside
 * the caller's transaction. */
int spatial_index_record(struct at_ctx *ctx, struct store *st, int64_t rowid, const char *id,
                         const char *type, int clearance, bool has_point, double lat, double lon,
                         bool retracted);

/* Empties the index (rebuild). */
int spatial_clear(struct at_ctx *ctx, struct store *st);

/* Recreates geo_point from the R*Tree, for a path that fills geo_rtree
 * in bulk rather than through spatial_index_record (which keeps both).
 * Inside the caller's transaction. */
int spatial_points_rebuild(struct at_ctx *ctx, struct store *st);

/* Compares geo_point with the points of the current records, as a
 * rebuild would write them: AT_ECORRUPT naming the first record whose
 * point is missing, different or left over. */
int spatial_points_check(struct at_ctx *ctx, struct store *st);

struct spatial_hit {
    char id[RECORD_ID_MAX];
    double lat, lon;
    double dist_m;   /* from the query point; 0 for box queries */
};

/* What to look for: type NULL means any type; max_clearance -1 means all
 * the store's session may read, and the session caps it. */
struct spatial_query {
    const char *type;
    int max_clearance;
};

/* Results: an array the caller frees with free(). */
struct spatial_hits {
    struct spatial_hit *hits;
    size_t n, cap;
};

/* Records within radius_m of (lat, lon), nearest first. */
int spatial_near(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                 double lat, double lon, double radius_m, struct spatial_hits *out);

/* The k records nearest to (lat, lon), nearest first. */
int spatial_nearest(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                    double lat, double lon, size_t k, struct spatial_hits *out);

/* Records inside the box, in id order. */
int spatial_within(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                   const struct geo_bbox *box, struct spatial_hits *out);

void spatial_hits_free(struct spatial_hits *h);

#endif
