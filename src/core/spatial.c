/*
 * spatial.c: the R*Tree index of points and the radius, nearest and box
 * queries over it.  The R*Tree's boxes are single-precision, rounded
 * outwards, so they only narrow the search; each entry also carries the
 * record's id, exact coordinates and clearance, which decide.  A radius
 * query turns candidates away by a bound on their distance on a sphere
 * (geo.h): first on the R*Tree's own coordinates, before the entry's row
 * is looked up (the costly part), then on the exact point, before the
 * exact distance on the ellipsoid is computed.
 *
 * A radius of up to SPATIAL_CELLS_MAX_M is not asked of the R*Tree: its
 * entries' rows are in the order of the records' rows, not of space, so
 * each hit's look-up was a page of its own (read and decrypted when it
 * is not in the cache).  Table geo_point holds the same points keyed by a
 * grid of 0.01 degree, row after row, with what a hit needs beside them:
 * the query reads, for each grid row its box covers, one range of cells,
 * whose points lie together on a few pages; the sphere's bound on each
 * exact point then decides which get the exact distance.
 */
#include "attest.h"
#include "spatial.h"
#include "access.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The grid of geo_point: its row of a latitude and column of a
 * longitude, as the migration that made the table computes them
 * (truncation of a non-negative double, as SQLite's CAST). */
#define POINT_PER_DEGREE 100
#define POINT_ROW_STRIDE 36001

static int64_t point_row(double lat)
{
    return (int64_t)((lat + 90) * POINT_PER_DEGREE);
}

static int64_t point_col(double lon)
{
    return (int64_t)((lon + 180) * POINT_PER_DEGREE);
}

static int64_t point_cell(double lat, double lon)
{
    return point_row(lat) * POINT_ROW_STRIDE + point_col(lon);
}

/* Runs stmt (bound) to its end. */
static int step_done(struct at_ctx *ctx, struct store *st, sqlite3_stmt *stmt)
{
    int step = sqlite3_step(stmt);

    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "updating the spatial index");
}

int spatial_index_record(struct at_ctx *ctx, struct store *st, int64_t rowid, const char *id,
                         const char *type, int clearance, bool has_point, double lat, double lon,
                         bool retracted)
{
    static const char old_sql[] = "SELECT lat, lon FROM geo_rtree WHERE id = ?1";
    static const char del_point_sql[] = "DELETE FROM geo_point WHERE cell = ?1 AND id = ?2";
    static const char del_sql[] = "DELETE FROM geo_rtree WHERE id = ?1";
    static const char ins_sql[] =
        "INSERT INTO geo_rtree(id, min_lat, max_lat, min_lon, max_lon, type, rid, lat, lon,"
        " clearance) VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?2, ?3, ?6)";
    static const char ins_point_sql[] =
        "INSERT INTO geo_point(cell, id, rid, type, clearance, lat, lon)"
        " VALUES (?7, ?1, ?5, ?4, ?6, ?2, ?3)";
    sqlite3_stmt *stmt;
    bool had;
    double old_lat = 0, old_lon = 0;

    if ((stmt = store_stmt(ctx, st, old_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    if ((had = sqlite3_step(stmt) == SQLITE_ROW))
        old_lat = sqlite3_column_double(stmt, 0), old_lon = sqlite3_column_double(stmt, 1);
    sqlite3_reset(stmt);
    if (had) {
        if ((stmt = store_stmt(ctx, st, del_point_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_int64(stmt, 1, point_cell(old_lat, old_lon));
        sqlite3_bind_int64(stmt, 2, rowid);
        if (step_done(ctx, st, stmt) != AT_OK)
            return AT_ERR;
        if ((stmt = store_stmt(ctx, st, del_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_int64(stmt, 1, rowid);
        if (step_done(ctx, st, stmt) != AT_OK)
            return AT_ERR;
    }
    if (!has_point || retracted)
        return AT_OK;
    for (int pass = 0; pass < 2; pass++) {
        if ((stmt = store_stmt(ctx, st, pass ? ins_point_sql : ins_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_int64(stmt, 1, rowid);
        sqlite3_bind_double(stmt, 2, lat);
        sqlite3_bind_double(stmt, 3, lon);
        sqlite3_bind_text(stmt, 4, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 6, clearance);
        if (pass)
            sqlite3_bind_int64(stmt, 7, point_cell(lat, lon));
        if (step_done(ctx, st, stmt) != AT_OK)
            return AT_ERR;
    }
    return AT_OK;
}

int spatial_clear(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st, "DELETE FROM geo_rtree; DELETE FROM geo_point");
}

/* The cell of the point of the row T as point_cell computes it (and the
 * migration that made the table): SQLite's CAST truncates as C's
 * conversion does. */
#define POINT_CELL_SQL(T)                                                      \
    "CAST((" T ".lat + 90) * 100 AS INTEGER) * 36001 + CAST((" T ".lon + 180) * 100 AS INTEGER)"

int spatial_points_rebuild(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st,
        "DELETE FROM geo_point;"
        " INSERT INTO geo_point(cell, id, rid, type, clearance, lat, lon)"
        " SELECT " POINT_CELL_SQL("g") ", id, rid, type, clearance, lat, lon FROM geo_rtree g");
}

int spatial_points_check(struct at_ctx *ctx, struct store *st)
{
    /* The point of current row c, as spatial_index_record writes it. */
#define SAME_POINT(P, C)                                                       \
    P ".cell = " POINT_CELL_SQL(C) " AND " P ".id = " C ".rowid AND " P ".rid = " C ".id AND " \
    P ".type = " C ".type AND " P ".clearance = " C ".clearance AND "           \
    P ".lat = " C ".lat AND " P ".lon = " C ".lon"
    static const char extra_sql[] =
        "SELECT p.rid, p.id FROM geo_point p WHERE NOT EXISTS (SELECT 1 FROM record_current c"
        " WHERE c.rowid = p.id AND NOT c.retracted AND " SAME_POINT("p", "c") ") LIMIT 1";
    static const char missing_sql[] =
        "SELECT c.id, c.rowid FROM record_current c WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL"
        " AND NOT c.retracted AND NOT EXISTS (SELECT 1 FROM geo_point p WHERE " SAME_POINT("p", "c")
        ") LIMIT 1";
#undef SAME_POINT
    static const char *const sqls[] = { extra_sql, missing_sql };
    static const char *const what[] = {
        "is not the point the records give", "is missing" };
    int rc = AT_OK;

    for (size_t i = 0; i < ARRAY_LEN(sqls) && rc == AT_OK; i++) {
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2(store_db(st), sqls[i], -1, &stmt, NULL) != SQLITE_OK)
            return store_error(ctx, st, "comparing the spatial index's points");
        if (sqlite3_step(stmt) == SQLITE_ROW)
            rc = ctx_error(ctx, AT_ECORRUPT, "geo_point: the point of record %s (row %lld) %s "
                           "(run 'attest rebuild' if nothing else is wrong)", sqlite3_column_text(stmt, 0),
                           (long long)sqlite3_column_int64(stmt, 1), what[i]);
        sqlite3_finalize(stmt);
    }
    return rc;
}

void spatial_hits_free(struct spatial_hits *h)
{
    free(h->hits);
    memset(h, 0, sizeof *h);
}

static void hits_push(struct spatial_hits *h, const char *id, double lat, double lon, double d)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->hits = xrealloc(h->hits, h->cap * sizeof *h->hits);
    }
    struct spatial_hit *x = &h->hits[h->n++];
    snprintf(x->id, sizeof x->id, "%s", id);
    x->lat = lat;
    x->lon = lon;
    x->dist_m = d;
}

/* The largest radius asked of geo_point rather than the R*Tree: past it
 * the rows of the grid a query covers grow many (a radius of 100 km is
 * about 180 rows), and the R*Tree's own cut (SPATIAL_CUT_SQL) does better. */
#define SPATIAL_CELLS_MAX_M 100000.0

/* A box in degrees with lo <= hi in both axes (no wrap). */
struct box {
    double south, north, west, east;
};

/* Keeps the point (id, plat, plon) when it is within max_m of the centre:
 * the sphere's bound, exact here, before the ellipsoid's distance. */
static void keep_near(struct spatial_hits *out, const char *id, double lat, double lon,
                      double plat, double plon, double max_m)
{
    if (GEO_MIN_CURVATURE_M * geo_central_angle(lat, lon, plat, plon) > max_m * (1 + 1e-9))
        return;
    double d = geo_distance_m(lat, lon, plat, plon);
    if (d <= max_m)
        hits_push(out, id, plat, plon, d);
}

/* The R*Tree's own cut of a radius query, before the record's columns
 * are read (each a look-up of its own): a point (lat, lon) of box b that
 * is within sigma of the centre (lat0, lon0) on the unit sphere has
 * sin^2(dlat/2) + cos(lat0) cos(lat) sin^2(dlon/2) <= sin^2(sigma/2),
 * and as |x| <= X in the box, sin(x/2) >= (x/2) sin(X/2) / (X/2), and
 * cos(lat) >= cos of the box's farthest latitude, so a*dlat^2 + b*dlon^2
 * <= h, in degrees, with the constants below.  The R*Tree's coordinates
 * are single-precision and rounded outwards (an entry may lie that much
 * outside b); each difference is taken 1e-4 degrees short, well over
 * that error.  NULL h: no cut. */
#define SPATIAL_CUT_SQL                                                        \
    "(?7 IS NULL OR ?8 * max(abs(min_lat - ?9) - 1e-4, 0) * max(abs(min_lat - ?9) - 1e-4, 0)" \
    " + ?10 * max(abs(min_lon - ?11) - 1e-4, 0) * max(abs(min_lon - ?11) - 1e-4, 0) <= ?7)"

static void bind_cut(sqlite3_stmt *stmt, const struct box *b, double lat, double lon, double max_m)
{
    double sigma = max_m * (1 + 1e-9) / GEO_MIN_CURVATURE_M, rad = M_PI / 180;
    double mid = (b->west + b->east) / 2, clon = lon + 360 * round((mid - lon) / 360);
    double xlat = fmax(lat - b->south, b->north - lat) * rad;
    double xlon = fmax(fabs(b->west - clon), fabs(b->east - clon)) * rad;
    double far = fmax(fabs(b->south), fabs(b->north)) * rad;

    if (sigma >= M_PI || xlat >= M_PI || xlon >= M_PI || xlat <= 0 || xlon <= 0)
        return;   /* no cut: ?7 stays NULL */
    double sa = sin(xlat / 2) / xlat, sb = sin(xlon / 2) / xlon;
    sqlite3_bind_double(stmt, 7, sin(sigma / 2) * sin(sigma / 2) * (1 + 1e-9));
    sqlite3_bind_double(stmt, 8, sa * sa * rad * rad * (1 - 1e-9));
    sqlite3_bind_double(stmt, 9, lat);
    sqlite3_bind_double(stmt, 10, cos(lat * rad) * cos(far) * sb * sb * rad * rad * (1 - 1e-9));
    sqlite3_bind_double(stmt, 11, clon);
}

/* Adds the records in box b, keeping those within max_m of the centre
 * when max_m >= 0 (with their distance). */
static int query_box(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                     const struct box *b, double lat, double lon, double max_m,
                     struct spatial_hits *out)
{
    static const char sql[] =
        "SELECT rid, lat, lon FROM geo_rtree"
        " WHERE max_lat >= ?1 AND min_lat <= ?2 AND max_lon >= ?3 AND min_lon <= ?4"
        "   AND " SPATIAL_CUT_SQL
        "   AND (?5 IS NULL OR type = ?5) AND clearance <= ?6";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_double(stmt, 1, b->south);
    sqlite3_bind_double(stmt, 2, b->north);
    sqlite3_bind_double(stmt, 3, b->west);
    sqlite3_bind_double(stmt, 4, b->east);
    if (q->type)
        sqlite3_bind_text(stmt, 5, q->type, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 6, access_read_limit(store_session(st), q->max_clearance));
    if (max_m >= 0)
        bind_cut(stmt, b, lat, lon, max_m);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        double plat = sqlite3_column_double(stmt, 1), plon = sqlite3_column_double(stmt, 2);
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        if (max_m < 0) {
            if (plat >= b->south && plat <= b->north && plon >= b->west && plon <= b->east)
                hits_push(out, id, plat, plon, 0);
            continue;
        }
        keep_near(out, id, lat, lon, plat, plon, max_m);
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "querying the spatial index");
}

/* As query_box with max_m >= 0, from geo_point: for each grid row of the
 * box, its range of cells. */
static int query_cells(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                       const struct box *b, double lat, double lon, double max_m,
                       struct spatial_hits *out)
{
    static const char sql[] =
        "SELECT rid, lat, lon FROM geo_point WHERE cell BETWEEN ?1 AND ?2"
        " AND (?3 IS NULL OR type = ?3) AND clearance <= ?4";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int64_t west = point_col(b->west), east = point_col(b->east);
    int step = SQLITE_DONE;

    if (stmt == NULL)
        return AT_ERR;
    if (q->type)
        sqlite3_bind_text(stmt, 3, q->type, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 4, access_read_limit(store_session(st), q->max_clearance));
    for (int64_t row = point_row(b->south); row <= point_row(b->north) && step == SQLITE_DONE; row++) {
        sqlite3_bind_int64(stmt, 1, row * POINT_ROW_STRIDE + west);
        sqlite3_bind_int64(stmt, 2, row * POINT_ROW_STRIDE + east);
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
            keep_near(out, (const char *)sqlite3_column_text(stmt, 0), lat, lon,
                      sqlite3_column_double(stmt, 1), sqlite3_column_double(stmt, 2), max_m);
        sqlite3_reset(stmt);
    }
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "querying the spatial index");
}

static int by_distance(const void *a, const void *b)
{
    const struct spatial_hit *x = a, *y = b;

    if (x->dist_m != y->dist_m)
        return x->dist_m < y->dist_m ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct spatial_hit *)a)->id, ((const struct spatial_hit *)b)->id);
}

/* Adds the records within radius_m, unsorted.  The boxes are generous: the
 * spherical cap's extent for a radius 1% larger, on the polar radius. */
static int collect_near(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                        double lat, double lon, double radius_m, struct spatial_hits *out)
{
    int (*query)(struct at_ctx *, struct store *, const struct spatial_query *, const struct box *,
                 double, double, double, struct spatial_hits *) =
        radius_m <= SPATIAL_CELLS_MAX_M ? query_cells : query_box;
    double ang = fmin(M_PI, radius_m * 1.01 / 6356752.0);
    double dlat = ang * 180 / M_PI;
    struct box b = { fmax(-90, lat - dlat), fmin(90, lat + dlat), -180, 180 };
    double far = fmax(fabs(b.south), fabs(b.north)) * M_PI / 180;

    if (b.north < 90 && b.south > -90 && sin(ang) < cos(far)) {
        double dlon = asin(sin(ang) / cos(far)) * 180 / M_PI;
        b.west = lon - dlon;
        b.east = lon + dlon;
    }
    if (b.west < -180 || b.east > 180) {
        struct box wrap = b;
        if (b.west < -180)
            wrap.west = b.west + 360, wrap.east = 180, b.west = -180;
        else
            wrap.west = -180, wrap.east = b.east - 360, b.east = 180;
        int rc = query(ctx, st, q, &wrap, lat, lon, radius_m, out);
        if (rc != AT_OK)
            return rc;
    }
    return query(ctx, st, q, &b, lat, lon, radius_m, out);
}

int spatial_near(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                 double lat, double lon, double radius_m, struct spatial_hits *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (!geo_valid(lat, lon) || !(radius_m >= 0))
        return ctx_error(ctx, AT_EINVAL, "a radius query needs a valid point and radius");
    if ((rc = collect_near(ctx, st, q, lat, lon, radius_m, out)) != AT_OK) {
        spatial_hits_free(out);
        return rc;
    }
    if (out->n)
        qsort(out->hits, out->n, sizeof *out->hits, by_distance);
    return AT_OK;
}

int spatial_nearest(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                    double lat, double lon, size_t k, struct spatial_hits *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (!geo_valid(lat, lon) || k == 0)
        return ctx_error(ctx, AT_EINVAL, "a nearest query needs a valid point and k >= 1");
    /* Widen the radius until k records lie within it: all nearer ones are then in. */
    for (double r = 1000;; r *= 4) {
        out->n = 0;
        if ((rc = collect_near(ctx, st, q, lat, lon, fmin(r, GEO_MAX_RADIUS_M), out)) != AT_OK) {
            spatial_hits_free(out);
            return rc;
        }
        if (out->n >= k || r >= GEO_MAX_RADIUS_M)
            break;
    }
    if (out->n)
        qsort(out->hits, out->n, sizeof *out->hits, by_distance);
    if (out->n > k)
        out->n = k;
    return AT_OK;
}

int spatial_within(struct at_ctx *ctx, struct store *st, const struct spatial_query *q,
                   const struct geo_bbox *box, struct spatial_hits *out)
{
    struct box a = { box->south, box->north, box->west, box->east };
    int rc = AT_OK;

    memset(out, 0, sizeof *out);
    if (box->west > box->east) {
        struct box b = { box->south, box->north, -180, box->east };
        a.east = 180;
        rc = query_box(ctx, st, q, &b, 0, 0, -1, out);
    }
    if (rc == AT_OK)
        rc = query_box(ctx, st, q, &a, 0, 0, -1, out);
    if (rc != AT_OK) {
        spatial_hits_free(out);
        return rc;
    }
    if (out->n)
        qsort(out->hits, out->n, sizeof *out->hits, by_id);
    return AT_OK;
}
