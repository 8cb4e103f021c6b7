/*
 * layer.c: the records of a map layer inside a bounding box, listed or
 * counted in the cells of a grid.  The answer is record_list's for the
 * same filter (RECORD_FILTER_SQL, record.h); only the plan differs.
 * Reading the R*Tree's auxiliary type column costs a statement per
 * candidate, while the candidate's row in record_current, which the query
 * reads anyway for the matches, tells its type with one b-tree step: so
 * the R*Tree is asked for the box alone.  The grid counts from the
 * R*Tree's own columns (or, for filters it cannot answer, the row's) and
 * never parses a document.  Up to zoom LAYER_COUNT_ZOOM_MAX it does not
 * even pass over the points in view: the counts per cell, type and
 * clearance are kept current on each write (table layer_count, below), so
 * a map zoomed out over a country reads a few hundred rows, however many
 * records they count, and only the cells on the box's edge that hold
 * points outside it are counted point by point.
 */
#include "layer.h"
#include "access.h"
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const LAYER_TYPES[LAYER_NTYPES] = { "site", "pinpoint", "event" };
const char *const LAYER_FIELDS[LAYER_NFIELDS] = { "site_type", "confidence", "province" };

/* The value of field F of the record_current row c as the counts keep
 * it: its text, or an empty blob when it is absent or not text, which no
 * filter's text equals (as in RECORD_FILTER_WHERE, where such a value
 * matches no filter either).  The columns of layer_count and layer_value
 * are named as LAYER_FIELDS, in that order. */
#define LAYER_VALUE(F)                                                         \
    "CASE WHEN json_type(c.doc, '$.data." F "') = 'text'"                      \
    " THEN json_extract(c.doc, '$.data." F "') ELSE x'' END"
#define LAYER_VALUES                                                           \
    LAYER_VALUE("site_type") " AS site_type, " LAYER_VALUE("confidence") " AS confidence, " \
    LAYER_VALUE("province") " AS province"
#define LAYER_VALUE_COLUMNS "site_type, confidence, province"
/* Each point is counted three times: by cell, type and clearance alone
 * (its values empty), at the levels of the grid, which a map without
 * field filters reads; by its values too, at those levels plus
 * LEVEL_BY_VALUES, which a map with field filters reads (only a point
 * with a value: a filter's values are text, so a point with none matches
 * no field filter, and rows of such points would never be read); and by the terms
 * of its kept dates (plus LEVEL_BY_DATES, its values empty), which a map
 * with a date filter and no field filter reads (date_terms, below).  A
 * kind of rows is COUNT_BY_VALUES or COUNT_BY_DATES, its levels those of
 * the grid plus LEVEL_BY_VALUES times the kind.  Not kept: the counts by
 * values and dates together.  Values split the terms of a cell into rows
 * of a few points each: at 110,000 points, 78,913 such rows at the level
 * of a country's map (zoom 7) against 19,070 by dates alone and 6,505 by
 * values, so a map with both filters reads fewer rows point by point,
 * through the rarest value's index (pick_driver). */
#define LEVEL_BY_VALUES 32
#define LEVEL_BY_DATES 64         /* 2 * LEVEL_BY_VALUES, as text in SQL */
#define TEXT_OF(X) #X
#define TEXT(X) TEXT_OF(X)
enum { COUNT_BY_VALUES = 1, COUNT_BY_DATES = 2, COUNT_KINDS = 3 };

static int layer_type_index(const char *type)
{
    for (int k = 0; type && k < LAYER_NTYPES; k++)
        if (strcmp(LAYER_TYPES[k], type) == 0)
            return k;
    return -1;
}

static int layer_field_index(const char *name)
{
    for (int k = 0; name && k < LAYER_NFIELDS; k++)
        if (strcmp(LAYER_FIELDS[k], name) == 0)
            return k;
    return -1;
}

/* The latitude beyond which Web Mercator has no rows. */
#define MERCATOR_LAT_MAX 85.0511287798066

/* The rows of a filter found through one field filter's values instead of
 * the box (layer_value's index of field F, its values at ?17), with
 * COLUMNS of record_current c and TAIL after the filter: cheaper when
 * fewer points anywhere hold those values than the box holds points
 * (pick_driver). */
#define FIELD_ROWS(COLUMNS, F, TAIL)                                           \
    "SELECT " COLUMNS " FROM layer_value v"                                    \
    " CROSS JOIN record_current c ON c.rowid = v.id" /* CROSS: the index drives */ \
    " WHERE v." F " IN (SELECT value FROM json_each(?17)) AND " RECORD_FILTER_WHERE TAIL

static int pick_driver(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                       const struct record_filter_field **drive, int *field);

/* A map with a date filter (and field filters of LAYER_FIELDS, no place)
 * is counted point by point from the kept tables alone: each point's
 * type, clearance and coordinates (the R*Tree's columns, or its
 * record_current row T's, which are the same), its values (layer_value,
 * the field filters at ?17 to ?19 in the order of LAYER_FIELDS) and its
 * kept dates (layer_date).  The points come from the box, or from the
 * index of one field filter's values (pick_driver), whose rows are the
 * counted points: a row of record_current, found by its rowid, is then
 * cheaper than the R*Tree's by its id. */
#define DATED_WHERE(T)                                                         \
    " (?1 IS NULL OR " T ".type = ?1) AND " T ".clearance <= ?5 AND " RECORD_FILTER_BOX(T) \
    " AND (?17 IS NULL OR v.site_type IN (SELECT value FROM json_each(?17)))"  \
    " AND (?18 IS NULL OR v.confidence IN (SELECT value FROM json_each(?18)))" \
    " AND (?19 IS NULL OR v.province IN (SELECT value FROM json_each(?19)))"   \
    /* on v: read before T when the values drive */                          \
    " AND EXISTS (SELECT 1 FROM layer_date d WHERE d.id = v.id AND d.lmin <= ?5" \
    "  AND (?2 IS NULL OR d.hi >= ?2) AND (?3 IS NULL OR d.lo <= ?3))"
#define DATED_BOX(COLUMNS)                                                     \
    "SELECT " COLUMNS " FROM" RECORD_FILTER_RTREE_COLUMNS("id, type, lat, lon, clearance", "") \
    " CROSS JOIN layer_value v ON v.id = g.id WHERE" DATED_WHERE("g")
#define DATED_BY_FIELD(COLUMNS, F, P, TAIL)                                    \
    "SELECT " COLUMNS " FROM layer_value v"                                    \
    " CROSS JOIN record_current c ON c.rowid = v.id" /* CROSS: the index drives */ \
    " WHERE v." F " IN (SELECT value FROM json_each(?" P ")) AND" DATED_WHERE("c") TAIL
/* The box's, then by each of LAYER_FIELDS. */
#define DATED_POINT "c.rowid, c.type, c.lat, c.lon"
static const char *const dated_sql[1 + LAYER_NFIELDS] = {
    DATED_BOX("g.id, g.type, g.lat, g.lon"),
    DATED_BY_FIELD(DATED_POINT, "site_type", "17", ""),
    DATED_BY_FIELD(DATED_POINT, "confidence", "18", ""),
    DATED_BY_FIELD(DATED_POINT, "province", "19", "") };
/* The same points' documents, as layer_list gives them. */
#define DATED_PAGE " ORDER BY c.id LIMIT ?7 OFFSET ?8"
static const char *const dated_list_sql[1 + LAYER_NFIELDS] = {
    "SELECT c.doc FROM (" DATED_BOX("g.id") ") x CROSS JOIN record_current c ON c.rowid = x.id"
    DATED_PAGE,
    DATED_BY_FIELD("c.doc", "site_type", "17", DATED_PAGE),
    DATED_BY_FIELD("c.doc", "confidence", "18", DATED_PAGE),
    DATED_BY_FIELD("c.doc", "province", "19", DATED_PAGE) };

static bool dated_answer(const struct record_filter *f);
static int dates_kept(struct at_ctx *ctx, struct store *st, bool *kept);

/* The statement of dated_sql or dated_list_sql (sqls) for f, when the
 * kept dates answer it (else *sql NULL). */
static int dated_pick(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                      const char *const sqls[1 + LAYER_NFIELDS], const char **sql)
{
    const struct record_filter_field *drive = NULL;
    int rc, field = 0;
    bool kept;

    *sql = NULL;
    if (!dated_answer(f))
        return AT_OK;
    if ((rc = dates_kept(ctx, st, &kept)) != AT_OK || !kept
        || (rc = pick_driver(ctx, st, f, &drive, &field)) != AT_OK)
        return rc;
    *sql = sqls[drive ? 1 + field : 0];
    return AT_OK;
}

/* Binds f's field filters at ?17 to ?19, as DATED_WHERE has them. */
static void bind_dated_fields(sqlite3_stmt *stmt, const struct record_filter *f)
{
    for (size_t i = 0; i < RECORD_FILTER_FIELDS && f->fields[i].name; i++)
        record_filter_bind_values(stmt, 17 + layer_field_index(f->fields[i].name), &f->fields[i]);
}


static int check_filter(struct at_ctx *ctx, const struct record_filter *f)
{
    if (!f->has_bbox || f->include_retracted)
        return ctx_error(ctx, AT_EINVAL, "a layer needs a bounding box and no retracted records");
    return AT_OK;
}

int layer_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
               int (*fn)(void *arg, const char *doc, size_t len), void *arg)
{
    static const char sql[] =
        "SELECT c.doc FROM" RECORD_FILTER_RTREE("")
        " CROSS JOIN record_current c ON c.rowid = g.id" /* CROSS: the R*Tree drives */
        RECORD_FILTER_SQL;
#define FIELD_LIST(F) FIELD_ROWS("c.doc", F, " ORDER BY c.id LIMIT ?7 OFFSET ?8")
    static const char *const by_field[LAYER_NFIELDS] = {
        FIELD_LIST("site_type"), FIELD_LIST("confidence"), FIELD_LIST("province") };
#undef FIELD_LIST
    const struct record_filter_field *drive = NULL;
    const char *dated;
    sqlite3_stmt *stmt;
    int rc, step, field = 0;

    if (check_filter(ctx, f) != AT_OK)
        return AT_EINVAL;
    if ((rc = dated_pick(ctx, st, f, dated_list_sql, &dated)) != AT_OK
        || (!dated && (rc = pick_driver(ctx, st, f, &drive, &field)) != AT_OK))
        return rc;
    if ((stmt = store_stmt(ctx, st, dated ? dated : drive ? by_field[field] : sql)) == NULL)
        return AT_ERR;
    record_filter_bind(st, stmt, f);
    if (drive)
        record_filter_bind_values(stmt, 17, drive);
    if (dated)
        bind_dated_fields(stmt, f);
    while (rc == AT_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(stmt, 0), (size_t)sqlite3_column_bytes(stmt, 0));
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "listing a map layer");
    sqlite3_reset(stmt);
    return rc;
}

/* The grid's column of a longitude and row of a latitude (rows from the
 * north), inside 0..n-1. */
static int64_t grid_col(int64_t n, double lon)
{
    double x = floor((lon + 180) / 360 * (double)n);
    return x < 0 ? 0 : x >= (double)n ? n - 1 : (int64_t)x;
}

static int64_t grid_row(int64_t n, double lat)
{
    double phi = fmax(-MERCATOR_LAT_MAX, fmin(MERCATOR_LAT_MAX, lat)) * M_PI / 180;
    double y = floor((1 - log(tan(phi) + 1 / cos(phi)) / M_PI) / 2 * (double)n);
    return y < 0 ? 0 : y >= (double)n ? n - 1 : (int64_t)y;
}

static double row_lat(int64_t n, int64_t y)
{
    return atan(sinh(M_PI * (1 - 2 * (double)y / (double)n))) * 180 / M_PI;
}

int layer_grid_init(struct at_ctx *ctx, struct layer_grid *g, const struct record_filter *f, int zoom)
{
    memset(g, 0, sizeof *g);
    if (check_filter(ctx, f) != AT_OK)
        return AT_EINVAL;
    if (zoom < 0 || zoom > LAYER_ZOOM_MAX)
        return ctx_error(ctx, AT_EINVAL, "zoom: %d is not a map zoom; valid: 0 to %d",
                         zoom, LAYER_ZOOM_MAX);
    g->zoom = zoom;
    g->n = (int64_t)1 << (zoom + LAYER_GRID_SHIFT);
    g->x0 = grid_col(g->n, f->west);
    g->y0 = grid_row(g->n, f->north);
    /* A box with west > east crosses the antimeridian. */
    g->cols = grid_col(g->n, f->east) - g->x0 + 1 + (f->west > f->east ? g->n : 0);
    if (g->cols > g->n)
        g->cols = g->n;
    g->rows = grid_row(g->n, f->south) - g->y0 + 1;
    if (g->rows < 1 || g->cols < 1 || g->rows * g->cols > LAYER_GRID_MAX_CELLS)
        return ctx_error(ctx, AT_EINVAL, "zoom: the box needs %lld cells at zoom %d, more than %d; "
                         "ask for the box the map shows at the zoom it shows it",
                         (long long)(g->rows * g->cols), zoom, LAYER_GRID_MAX_CELLS);
    g->cells = xcalloc((size_t)(g->rows * g->cols), sizeof *g->cells);
    return AT_OK;
}

void layer_grid_free(struct layer_grid *g)
{
    free(g->cells);
    g->cells = NULL;
}

/* The cell of g, as column and row from the box's first, that holds a
 * point of the box.  Points are inside the box; one on its edge that
 * rounding puts in the next cell is kept in the last. */
static void grid_cell_of(const struct layer_grid *g, double lat, double lon, int64_t *x, int64_t *y)
{
    *x = (grid_col(g->n, lon) - g->x0 + g->n) % g->n;
    *y = grid_row(g->n, lat) - g->y0;
    *x = *x >= g->cols ? g->cols - 1 : *x;
    *y = *y < 0 ? 0 : *y >= g->rows ? g->rows - 1 : *y;
}

/* Adds count points of type k with the coordinate sums and extent given
 * to cell (x, y) of g; rowid is the one point's when count is 1. */
static void grid_add(struct layer_grid *g, int64_t x, int64_t y, int k, long count,
                     double lat_sum, double lon_sum, const double ext[4], sqlite3_int64 rowid)
{
    struct layer_cell *c = &g->cells[y * g->cols + x];

    if (c->count == 0) {
        c->south = ext[0], c->west = ext[1];
        c->north = ext[2], c->east = ext[3];
    }
    c->count += count;
    c->types[k] += count;
    c->lat_sum += lat_sum;
    c->lon_sum += lon_sum;
    c->south = fmin(c->south, ext[0]), c->west = fmin(c->west, ext[1]);
    c->north = fmax(c->north, ext[2]), c->east = fmax(c->east, ext[3]);
    c->rowid = rowid;
    g->total += count;
}

/* The grid's query.  A map filtered by type and box alone (and the
 * reader's clearance) is counted from the R*Tree, which holds each
 * point's type, exact coordinates and clearance in a small row: no row of
 * record_current is read.  Dates, place and field values are in
 * record_current only, so a filter with any of them joins it. */
static const char grid_rtree_sql[] =
    "SELECT g.id, g.type, g.lat, g.lon FROM"
    RECORD_FILTER_RTREE_COLUMNS("id, type, lat, lon, clearance", "")
    " WHERE (?1 IS NULL OR g.type = ?1) AND g.clearance <= ?5 AND " RECORD_FILTER_BOX("g");
static const char grid_rows_sql[] =
    "SELECT c.rowid, c.type, c.lat, c.lon FROM" RECORD_FILTER_RTREE("")
    " CROSS JOIN record_current c ON c.rowid = g.id" /* CROSS: the R*Tree drives */
    " WHERE " RECORD_FILTER_WHERE;
static const char *const field_scan_sql[LAYER_NFIELDS] = {
    FIELD_ROWS("c.rowid, c.type, c.lat, c.lon", "site_type", ""),
    FIELD_ROWS("c.rowid, c.type, c.lat, c.lon", "confidence", ""),
    FIELD_ROWS("c.rowid, c.type, c.lat, c.lon", "province", "") };

/* Counts into g the points of the rows of sql for f; only those of the
 * cell at index only when only >= 0; drive: the field filter bound at
 * ?17 (field_scan_sql), or NULL; dated: f's field filters bound at ?17 to
 * ?19 instead (dated_sql). */
static int grid_scan(struct at_ctx *ctx, struct store *st, const char *sql,
                     const struct record_filter *f, struct layer_grid *g, long only,
                     const struct record_filter_field *drive, bool dated)
{
    sqlite3_stmt *stmt;
    int step;

    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    record_filter_bind(st, stmt, f);
    if (drive)
        record_filter_bind_values(stmt, 17, drive);
    if (dated)
        bind_dated_fields(stmt, f);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        int k = layer_type_index((const char *)sqlite3_column_text(stmt, 1));
        double lat = sqlite3_column_double(stmt, 2), lon = sqlite3_column_double(stmt, 3);
        double ext[4] = { lat, lon, lat, lon };
        int64_t x, y;
        if (k < 0)
            continue;
        grid_cell_of(g, lat, lon, &x, &y);
        if (only < 0 || y * g->cols + x == only)
            grid_add(g, x, y, k, 1, lat, lon, ext, sqlite3_column_int64(stmt, 0));
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "counting a map layer");
}

/* The one reader of layer_state: the generation of the current records
 * and whether the kept counts are built (either pointer may be NULL). */
static int state_read(struct at_ctx *ctx, struct store *st, int64_t *generation, bool *built)
{
    static const char sql[] = "SELECT generation, built FROM layer_state";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    step = sqlite3_step(stmt);
    if (generation)
        *generation = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    if (built)
        *built = step == SQLITE_ROW && sqlite3_column_int(stmt, 1) != 0;
    sqlite3_reset(stmt);
    if (step != SQLITE_ROW)
        return step == SQLITE_DONE ? ctx_error(ctx, AT_ECORRUPT, "the map's state is missing")
                                   : store_error(ctx, st, "reading the map's state");
    return AT_OK;
}

/* Whether the dates are kept: the counts built and no bulk write under
 * way. */
static int dates_kept(struct at_ctx *ctx, struct store *st, bool *kept)
{
    static const char sql[] = "SELECT built AND dated FROM layer_state";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    step = sqlite3_step(stmt);
    *kept = step == SQLITE_ROW && sqlite3_column_int(stmt, 0) != 0;
    sqlite3_reset(stmt);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "reading the map's state");
}

/* Whether f's field filters are all of LAYER_FIELDS. */
static bool counts_answer_fields(const struct record_filter *f)
{
    for (size_t i = 0; i < RECORD_FILTER_FIELDS && f->fields[i].name; i++)
        if (layer_field_index(f->fields[i].name) < 0)
            return false;
    return true;
}

/* Whether the kept counts can answer f: no date or place filter, and
 * field filters of LAYER_FIELDS only. */
static bool counts_answer(const struct record_filter *f)
{
    return !f->date_from && !f->date_to && !f->place && counts_answer_fields(f);
}

/* Whether the kept dates can answer f: a date filter, no place filter,
 * and field filters of LAYER_FIELDS only. */
static bool dated_answer(const struct record_filter *f)
{
    return (f->date_from || f->date_to) && !f->place && counts_answer_fields(f);
}

/* One row of the kept counts, read for a grid. */
struct count_row {
    int64_t x, y;                 /* the grid's column and row, from its first */
    int type;
    long n;
    double lat_sum, lon_sum, ext[4];
    sqlite3_int64 rid_sum;
};

/* Whether the box of f holds the extent ext (south, west, north, east). */
static bool box_holds(const struct record_filter *f, const double ext[4])
{
    bool lat = ext[0] >= f->south && ext[2] <= f->north;

    if (f->west <= f->east)
        return lat && ext[1] >= f->west && ext[3] <= f->east;
    return lat && (ext[1] >= f->west || ext[3] <= f->east);
}

/* The rows of the kept counts in the cells of a grid (level ?1, rows ?2
 * to ?3, ?6 columns from ?4 modulo ?5), of the clearances the reader may
 * see (?7), a type (?8), the values of field filters (?9 to ?11, as
 * LAYER_FIELDS) and, in the rows by dates, the terms that pass the test
 * of the dates from ?12 to ?13 (in the others lo and hi are 0 and those
 * are NULL).  The copy in memory tests its rows the same way in C
 * (copy_passes): a change here is a change there. */
/* The rows' test, with Y the rows' (a range, or y = ?2 to read one row
 * of cells, whose columns from ?14 to ?15 the key then finds). */
#define COUNTS_WHERE_Y(Y)                                                      \
    " WHERE level = ?1 AND " Y " AND x BETWEEN ?14 AND ?15"                   \
    /* first: the date test turns away most of the rows by dates */          \
    " AND (?12 IS NULL OR hi >= ?12) AND (?13 IS NULL OR lo <= ?13)"           \
    " AND (x - ?4 + ?5) % ?5 < ?6"                                             \
    " AND clearance <= ?7 AND (?8 IS NULL OR type = ?8)"                       \
    " AND (?9 IS NULL OR site_type IN (SELECT value FROM json_each(?9)))"      \
    " AND (?10 IS NULL OR confidence IN (SELECT value FROM json_each(?10)))"   \
    " AND (?11 IS NULL OR province IN (SELECT value FROM json_each(?11)))"
#define COUNTS_WHERE COUNTS_WHERE_Y("y BETWEEN ?2 AND ?3")

/* The level of the counts read for f in the cells of g: the grid's, in
 * the rows by values when f has field filters, by dates when it has a
 * date filter. */
static int counts_level(const struct record_filter *f, const struct layer_grid *g)
{
    bool dated = f->date_from || f->date_to;

    return g->zoom + LAYER_GRID_SHIFT + (f->fields[0].name ? LEVEL_BY_VALUES : 0)
        + (dated ? LEVEL_BY_DATES : 0);
}

/* Binds COUNTS_WHERE for the cells of g and the reader, type, field and
 * date filters of f (the rows by dates when f has a date filter). */
static void bind_counts(struct store *st, sqlite3_stmt *stmt, const struct record_filter *f,
                        const struct layer_grid *g)
{
    sqlite3_bind_int(stmt, 1, counts_level(f, g));
    sqlite3_bind_int64(stmt, 2, g->y0);
    sqlite3_bind_int64(stmt, 3, g->y0 + g->rows - 1);
    sqlite3_bind_int64(stmt, 4, g->x0);
    sqlite3_bind_int64(stmt, 5, g->n);
    sqlite3_bind_int64(stmt, 6, g->cols);
    /* The columns as a range of the key, unless the box wraps round the
     * antimeridian (then only the test of ?4 to ?6 decides). */
    sqlite3_bind_int64(stmt, 14, g->x0 + g->cols <= g->n ? g->x0 : 0);
    sqlite3_bind_int64(stmt, 15, g->x0 + g->cols <= g->n ? g->x0 + g->cols - 1 : g->n - 1);
    sqlite3_bind_int(stmt, 7, access_read_limit(store_session(st), f->max_clearance));
    if (f->type)
        sqlite3_bind_text(stmt, 8, f->type, -1, SQLITE_STATIC);
    for (size_t i = 0; i < RECORD_FILTER_FIELDS && f->fields[i].name; i++)
        record_filter_bind_values(stmt, 9 + layer_field_index(f->fields[i].name), &f->fields[i]);
    if (f->date_from)
        sqlite3_bind_int(stmt, 12, f->date_from);
    if (f->date_to)
        sqlite3_bind_int(stmt, 13, f->date_to);
}

/* How many points the kept counts hold in the cells of g for f. */
static int counts_sum(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                      const struct layer_grid *g, int64_t *sum)
{
    static const char sql[] = "SELECT coalesce(sum(n), 0) FROM layer_count" COUNTS_WHERE;
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    bind_counts(st, stmt, f, g);
    step = sqlite3_step(stmt);
    *sum = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "reading the map's counts");
}

/* The field filter of f (of LAYER_FIELDS) whose values the fewest points
 * hold anywhere, when they are no more than the points about f's box (both
 * from the kept counts): the rows found from that field's index
 * (FIELD_ROWS) are then fewer than those of the box.  *drive NULL to
 * read the box: also when f has no such filter or the counts are not
 * built. */
static int pick_driver(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                       const struct record_filter_field **drive, int *field)
{
    struct record_filter box = *f, one = *f;
    struct layer_grid in = { 0 }, world = { 0 };
    double width = f->west <= f->east ? f->east - f->west : f->east - f->west + 360;
    int64_t in_box, fewest = -1;
    bool built;
    int rc;

    *drive = NULL;
    if (!f->fields[0].name || !counts_answer_fields(f))
        return AT_OK;
    if ((rc = state_read(ctx, st, NULL, &built)) != AT_OK || !built)
        return rc;
    memset(box.fields, 0, sizeof box.fields);
    /* The box's points, from the cells of the finest level kept at which
     * the box is at most a few cells wide. */
    while (in.zoom < LAYER_COUNT_ZOOM_MAX && 360.0 / (double)((int64_t)1 << (in.zoom + 1)) >= width)
        in.zoom++;
    in.n = (int64_t)1 << (in.zoom + LAYER_GRID_SHIFT);
    in.x0 = grid_col(in.n, f->west), in.y0 = grid_row(in.n, f->north);
    in.cols = grid_col(in.n, f->east) - in.x0 + 1 + (f->west > f->east ? in.n : 0);
    in.cols = in.cols > in.n ? in.n : in.cols;
    in.rows = grid_row(in.n, f->south) - in.y0 + 1;
    world.n = world.cols = world.rows = (int64_t)1 << LAYER_GRID_SHIFT;
    if ((rc = counts_sum(ctx, st, &box, &in, &in_box)) != AT_OK)
        return rc;
    for (size_t i = 0; i < RECORD_FILTER_FIELDS && f->fields[i].name; i++) {
        int64_t n;
        memset(one.fields, 0, sizeof one.fields);
        one.fields[0] = f->fields[i];
        if ((rc = counts_sum(ctx, st, &one, &world, &n)) != AT_OK)
            return rc;
        if (n <= in_box && (fewest < 0 || n < fewest)) {
            fewest = n;
            *drive = &f->fields[i];
            *field = layer_field_index(f->fields[i].name);
        }
    }
    return AT_OK;
}

/* ---- The copy in memory of the counts without values. ----
 *
 * A date filter over a country reads some 19,000 rows of the counts by
 * dates (at 110,000 points, zoom 7), of which a few thousand pass the
 * date test, and SQLite spends 1,000 to 1,500 instructions on each.  So
 * each connection keeps the rows of the levels it is asked for, of the
 * kinds without values (by cell, and by dates), in arrays by column in
 * the order of the key, and tests and sums them here (copy_passes, the
 * same test as COUNTS_WHERE).  A copy holds what the table holds (cells,
 * types, clearances, date terms, counts, sums of coordinates and of
 * R*Tree ids, extents), no identity and no text.  It is the table's while
 * the generation is the one it was made at: every write to the counts
 * grows it (state_touch, state_grow); the first read after one makes the
 * copy again.  Never made or read inside a write transaction, whose
 * rows and generation may yet be rolled back and the generation reached
 * again by another write.  At most COPY_ROWS rows a connection (about 90
 * bytes a row), the levels read least recently let go first; a level
 * larger alone is read from the table. */
#define COPY_ROWS (1 << 19)

struct copy_level {
    int level;                    /* as in layer_count */
    int64_t generation;           /* of the counts it copies */
    uint64_t used;                /* when it was last read, by its copy's clock */
    bool too_large;               /* more than COPY_ROWS rows: read from the table */
    size_t n;
    int32_t *y, *x, *clearance;
    int8_t *type, *sign;          /* type: the index in LAYER_TYPES */
    int64_t *lo, *hi, *count, *lat_e7, *lon_e7, *rid_sum;
    double (*ext)[4];             /* south, west, north, east */
};

struct copy {
    struct copy_level *levels;
    size_t n;
    size_t rows;                  /* held by all its levels */
    uint64_t clock;
};

static const char copy_key = 0;   /* the copy's key in store_keep */

static void copy_level_free(struct copy_level *l)
{
    free(l->y), free(l->x), free(l->clearance), free(l->type), free(l->sign);
    free(l->lo), free(l->hi), free(l->count), free(l->lat_e7), free(l->lon_e7), free(l->rid_sum);
    free(l->ext);
}

static void copy_free(void *p)
{
    struct copy *c = p;

    for (size_t i = 0; i < c->n; i++)
        copy_level_free(&c->levels[i]);
    free(c->levels);
    free(c);
}

/* Lets level i of c go. */
static void copy_drop(struct copy *c, size_t i)
{
    c->rows -= c->levels[i].n;
    copy_level_free(&c->levels[i]);
    c->levels[i] = c->levels[--c->n];
}

/* Reads the rows of level into l (l->n of them), in the order of the
 * key. */
static int copy_read(struct at_ctx *ctx, struct store *st, struct copy_level *l)
{
    static const char sql[] =
        "SELECT y, x, type, clearance, lo, hi, sign, n, lat_e7, lon_e7, rid_sum,"
        " south, west, north, east FROM layer_count WHERE level = ?1 ORDER BY y, x, type";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    size_t i = 0;
    int step = SQLITE_DONE;

    if (stmt == NULL)
        return AT_ERR;
    l->y = xmalloc(l->n * sizeof *l->y), l->x = xmalloc(l->n * sizeof *l->x);
    l->clearance = xmalloc(l->n * sizeof *l->clearance);
    l->type = xmalloc(l->n * sizeof *l->type), l->sign = xmalloc(l->n * sizeof *l->sign);
    l->lo = xmalloc(l->n * sizeof *l->lo), l->hi = xmalloc(l->n * sizeof *l->hi);
    l->count = xmalloc(l->n * sizeof *l->count), l->lat_e7 = xmalloc(l->n * sizeof *l->lat_e7);
    l->lon_e7 = xmalloc(l->n * sizeof *l->lon_e7), l->rid_sum = xmalloc(l->n * sizeof *l->rid_sum);
    l->ext = xmalloc(l->n * sizeof *l->ext);
    sqlite3_bind_int(stmt, 1, l->level);
    while (i < l->n && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        l->y[i] = (int32_t)sqlite3_column_int64(stmt, 0);
        l->x[i] = (int32_t)sqlite3_column_int64(stmt, 1);
        l->type[i] = (int8_t)layer_type_index((const char *)sqlite3_column_text(stmt, 2));
        l->clearance[i] = sqlite3_column_int(stmt, 3);
        l->lo[i] = sqlite3_column_int64(stmt, 4);
        l->hi[i] = sqlite3_column_int64(stmt, 5);
        l->sign[i] = (int8_t)sqlite3_column_int(stmt, 6);
        l->count[i] = sqlite3_column_int64(stmt, 7);
        l->lat_e7[i] = sqlite3_column_int64(stmt, 8);
        l->lon_e7[i] = sqlite3_column_int64(stmt, 9);
        l->rid_sum[i] = sqlite3_column_int64(stmt, 10);
        for (int k = 0; k < 4; k++)
            l->ext[i][k] = sqlite3_column_double(stmt, 11 + k);
        i++;
    }
    if (i == l->n)
        step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (step == SQLITE_DONE && i == l->n)
        return AT_OK;
    return step == SQLITE_ROW || step == SQLITE_DONE
        ? ctx_error(ctx, AT_ERR, "the map's counts changed while they were copied")
        : store_error(ctx, st, "copying the map's counts");
}

/* Makes level l of c (its level set) again from the table: within one
 * read of the database, so that the generation is the rows'. */
static int copy_make(struct at_ctx *ctx, struct store *st, struct copy *c, struct copy_level *l)
{
    static const char count_sql[] = "SELECT count(*) FROM layer_count WHERE level = ?1";
    bool own = sqlite3_get_autocommit(store_db(st));
    sqlite3_stmt *stmt;
    int rc, step;

    if (own && (rc = store_exec(ctx, st, "BEGIN")) != AT_OK)
        return rc;
    if ((rc = state_read(ctx, st, &l->generation, NULL)) != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, count_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_int(stmt, 1, l->level);
    step = sqlite3_step(stmt);
    l->n = step == SQLITE_ROW ? (size_t)sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    if (step != SQLITE_ROW) {
        rc = store_error(ctx, st, "counting the map's counts");
        goto out;
    }
    l->too_large = l->n > COPY_ROWS;
    if (l->too_large) {
        l->n = 0;
        goto out;
    }
    /* Room for it: the levels read least recently go first. */
    while (c->rows + l->n > COPY_ROWS) {
        size_t oldest = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->levels[i].used < c->levels[oldest].used)
                oldest = i;
        copy_drop(c, oldest);
    }
    rc = copy_read(ctx, st, l);
out:
    if (own && rc == AT_OK)
        rc = store_exec(ctx, st, "COMMIT");
    else if (own)
        store_exec(&(struct at_ctx){ 0 }, st, "ROLLBACK");
    return rc;
}

/* The copy of level as the table holds it now; *out NULL when it is to
 * be read from the table (too large, or inside a write transaction). */
static int copy_level_get(struct at_ctx *ctx, struct store *st, int level,
                          const struct copy_level **out)
{
    struct copy *c = store_kept(st, &copy_key);
    struct copy_level fresh = { .level = level };
    int64_t generation;
    int rc;

    *out = NULL;
    if (sqlite3_txn_state(store_db(st), NULL) == SQLITE_TXN_WRITE)
        return AT_OK;
    if (c == NULL)
        store_keep(st, &copy_key, c = xcalloc(1, sizeof *c), copy_free);
    if ((rc = state_read(ctx, st, &generation, NULL)) != AT_OK)
        return rc;
    for (size_t i = 0; i < c->n; i++) {
        struct copy_level *l = &c->levels[i];
        if (l->level != level)
            continue;
        if (l->generation == generation) {
            l->used = ++c->clock;
            *out = l->too_large ? NULL : l;
            return AT_OK;
        }
        copy_drop(c, i);
        break;
    }
    if ((rc = copy_make(ctx, st, c, &fresh)) != AT_OK) {
        copy_level_free(&fresh);
        return rc;
    }
    fresh.used = ++c->clock;
    c->levels = xrealloc(c->levels, (c->n + 1) * sizeof *c->levels);
    c->levels[c->n++] = fresh;
    c->rows += fresh.n;
    *out = fresh.too_large ? NULL : &c->levels[c->n - 1];
    return AT_OK;
}

/* COUNTS_WHERE for a row of the copy of g's level, bound as bind_counts
 * binds it (no field filters: the copy has no values). */
struct copy_test {
    int64_t y0, y1, x0, n, cols;
    int limit;                    /* the highest clearance the reader may see */
    int type;                     /* f's type in LAYER_TYPES; -1 any, -2 none */
    bool from, to;                /* whether the dates are tested */
    int64_t date_from, date_to;
};

static struct copy_test copy_test_make(struct store *st, const struct record_filter *f,
                                       const struct layer_grid *g)
{
    return (struct copy_test){
        .y0 = g->y0, .y1 = g->y0 + g->rows - 1, .x0 = g->x0, .n = g->n, .cols = g->cols,
        .limit = access_read_limit(store_session(st), f->max_clearance),
        .type = !f->type ? -1 : layer_type_index(f->type) >= 0 ? layer_type_index(f->type) : -2,
        .from = f->date_from != 0, .to = f->date_to != 0,
        .date_from = f->date_from, .date_to = f->date_to };
}

static bool copy_passes(const struct copy_test *t, const struct copy_level *l, size_t i)
{
    return (!t->from || l->hi[i] >= t->date_from) && (!t->to || l->lo[i] <= t->date_to)
        && (l->x[i] - t->x0 + t->n) % t->n < t->cols && l->clearance[i] <= t->limit
        && (t->type == -1 || l->type[i] == t->type);
}

/* The first row of l whose y is at least y. */
static size_t copy_first_row(const struct copy_level *l, int64_t y)
{
    size_t lo = 0, hi = l->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->y[mid] < y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One row of the kept counts as read, before it is summed. */
struct count_raw {
    int64_t x, y;                 /* the level's column and row */
    int type, sign;
    int64_t n, lat_e7, lon_e7, rid_sum;
    double ext[4];
};

/* The sums of read_counts: the cell and type being summed and the rows
 * done. */
struct count_sums {
    const struct record_filter *f;
    const struct layer_grid *g;
    struct count_row c;
    int64_t lat_e7, lon_e7;
    bool extent;
    struct count_row *rows;
    size_t nrows, cap;
    bool *partial;
};

/* Adds row r (NULL: the end) to s: the rows of a cell and type come
 * together, each counted with its sign; the points a date filter matches
 * are those of the rows counted +1 (date_terms), so their extent is those
 * rows'. */
static void sums_add(struct count_sums *s, const struct count_raw *r)
{
    const struct layer_grid *g = s->g;
    int64_t x = r ? (r->x - g->x0 + g->n) % g->n : -1, y = r ? r->y - g->y0 : -1;
    int type = r ? r->type : -1;
    struct count_row *c = &s->c;

    if (x != c->x || y != c->y || type != c->type) {
        /* The sums of the cell and type before, when they count a point. */
        if (c->type >= 0 && c->n > 0) {
            c->lat_sum = (double)s->lat_e7 / 1e7, c->lon_sum = (double)s->lon_e7 / 1e7;
            if (!box_holds(s->f, c->ext))
                s->partial[c->y * g->cols + c->x] = true;
            if (s->nrows == s->cap)
                s->rows = xrealloc(s->rows, (s->cap = s->cap ? 2 * s->cap : 256) * sizeof *s->rows);
            s->rows[s->nrows++] = *c;
        }
        if (r == NULL)
            return;
        *c = (struct count_row){ .x = x, .y = y, .type = type };
        s->lat_e7 = s->lon_e7 = 0;
        s->extent = false;
    }
    c->n += r->sign * (long)r->n;
    s->lat_e7 += r->sign * r->lat_e7;
    s->lon_e7 += r->sign * r->lon_e7;
    c->rid_sum += r->sign * r->rid_sum;
    for (int i = 0; r->sign > 0 && i < 4; i++)
        c->ext[i] = !s->extent ? r->ext[i] : i < 2 ? fmin(c->ext[i], r->ext[i]) : fmax(c->ext[i], r->ext[i]);
    s->extent = s->extent || r->sign > 0;
}

/* Sums the rows of the copy l that pass f's test for g into s. */
static void copy_sum(struct store *st, const struct record_filter *f, const struct layer_grid *g,
                     const struct copy_level *l, struct count_sums *s)
{
    struct copy_test t = copy_test_make(st, f, g);

    if (t.type == -2)
        return;
    for (size_t i = copy_first_row(l, t.y0); i < l->n && l->y[i] <= t.y1; i++) {
        if (!copy_passes(&t, l, i))
            continue;
        struct count_raw r = { l->x[i], l->y[i], l->type[i], l->sign[i], l->count[i], l->lat_e7[i],
                               l->lon_e7[i], l->rid_sum[i],
                               { l->ext[i][0], l->ext[i][1], l->ext[i][2], l->ext[i][3] } };
        sums_add(s, &r);
    }
}

/* Sums the rows of the table that pass f's test for g into s. */
static int table_sum(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                     const struct layer_grid *g, struct count_sums *s)
{
    /* A row of cells at a time: the key (level, y, x) then finds the
     * cells' columns, where a range of rows would read each row whole,
     * round the world (a cell cut by the box's edge is counted from its
     * four children, count_cut_cell: two rows of two cells). */
    static const char sql[] =
        "SELECT x, y, type, sign, n, lat_e7, lon_e7, rid_sum, south, west, north, east"
        " FROM layer_count" COUNTS_WHERE_Y("y = ?2") " ORDER BY x, type";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step = SQLITE_DONE;

    if (stmt == NULL)
        return AT_ERR;
    bind_counts(st, stmt, f, g);
    for (int64_t y = g->y0; y < g->y0 + g->rows && step == SQLITE_DONE; y++) {
        sqlite3_bind_int64(stmt, 2, y);
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
            struct count_raw r = {
                sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1),
                layer_type_index((const char *)sqlite3_column_text(stmt, 2)),
                sqlite3_column_int(stmt, 3), sqlite3_column_int64(stmt, 4),
                sqlite3_column_int64(stmt, 5), sqlite3_column_int64(stmt, 6),
                sqlite3_column_int64(stmt, 7), { 0 } };
            for (int i = 0; i < 4; i++)
                r.ext[i] = sqlite3_column_double(stmt, 8 + i);
            sums_add(s, &r);
        }
        sqlite3_reset(stmt);
    }
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading the map's counts");
}

/* Reads the kept counts of g's cells (the clearances the reader may see,
 * f's type, field values and dates), summed by cell and type, into rows;
 * marks in partial the cells whose points are not all inside f's box.
 * Without field filters from the copy in memory of the level (unless
 * g->table), else from the table.  The rows come in the order of the key,
 * a cell's and type's together, and are summed here: SQLite's GROUP BY
 * with its eleven aggregates cost about as much again as reading the
 * rows. */
static int read_counts(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                       const struct layer_grid *g, struct count_row **rows, size_t *nrows,
                       bool *partial)
{
    struct count_sums s = { .f = f, .g = g, .c = { .type = -1 }, .partial = partial };
    const struct copy_level *l = NULL;
    int rc = AT_OK;

    if (!f->fields[0].name && !g->table)
        rc = copy_level_get(ctx, st, counts_level(f, g), &l);
    if (rc == AT_OK && l)
        copy_sum(st, f, g, l, &s);
    else if (rc == AT_OK)
        rc = table_sum(ctx, st, f, g, &s);
    sums_add(&s, NULL);
    *rows = s.rows, *nrows = s.nrows;
    return rc;
}

/* f narrowed to the cell at index i of g (a little wider: the test of
 * each point's cell decides) into *in; false when they do not meet. */
static bool cell_filter(const struct record_filter *f, const struct layer_grid *g, size_t i,
                        struct record_filter *in)
{
    const double eps = 1e-7;
    double south, west, north, east;

    *in = *f;
    layer_grid_cell_box(g, i, &south, &west, &north, &east);
    in->south = fmax(f->south, south - eps), in->north = fmin(f->north, north + eps);
    /* A box across the antimeridian meets a cell on one side of it only
     * (its two ends are in different columns: cols < n). */
    if (f->west > f->east) {
        if (east - eps <= f->east)
            in->west = -180;
        else
            in->east = 180;
    }
    in->west = fmax(in->west, west - eps), in->east = fmin(in->east, east + eps);
    return in->south <= in->north && in->west <= in->east;
}

/* Counts into g the points of f in the cell at index i, which f's box
 * cuts.  Above the finest level kept, from the cell's four children one
 * zoom finer, counted as any grid is (the kept counts of those inside the
 * box, and in turn the children of those it cuts); so only the finest
 * cells along the box's edge are counted point by point, with sql (dated
 * as grid_scan's), not every point of a large cell. */
static int count_cut_cell(struct at_ctx *ctx, struct store *st, const char *sql,
                          const struct record_filter *f, struct layer_grid *g, size_t i, bool dated)
{
    int64_t x = (int64_t)i % g->cols, y = (int64_t)i / g->cols;
    struct layer_grid sub = { .scan = g->scan, .table = g->table, .zoom = g->zoom + 1,
                              .n = 2 * g->n, .x0 = 2 * ((g->x0 + x) % g->n), .y0 = 2 * (g->y0 + y),
                              .cols = 2, .rows = 2 };
    struct record_filter in;
    int rc;

    if (!cell_filter(f, g, i, &in))
        return AT_OK;
    if (g->zoom >= LAYER_COUNT_ZOOM_MAX)
        return grid_scan(ctx, st, sql, &in, g, (long)i, NULL, dated);
    sub.cells = xcalloc(4, sizeof *sub.cells);
    rc = layer_grid_count(ctx, st, &in, &sub);
    for (size_t j = 0; j < 4 && rc == AT_OK; j++) {
        const struct layer_cell *c = &sub.cells[j];
        const double ext[4] = { c->south, c->west, c->north, c->east };
        bool sums = true; /* the cell's coordinate sums go in once, with its first type */
        for (int k = 0; k < LAYER_NTYPES && c->count; k++)
            if (c->types[k]) {
                grid_add(g, x, y, k, c->types[k], sums ? c->lat_sum : 0, sums ? c->lon_sum : 0, ext,
                         c->rowid);
                sums = false;
            }
    }
    layer_grid_free(&sub);
    return rc;
}

int layer_grid_count(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                     struct layer_grid *g)
{
    bool kept = counts_answer(f), built = false;
    /* Zoomed out, as kept (not when the box's ends are in one column:
     * counted point by point). */
    bool in_cells = g->zoom <= LAYER_COUNT_ZOOM_MAX && g->cols < g->n;
    /* Type and box alone are counted from the R*Tree's columns; anything
     * more from the rows. */
    const char *sql = kept && !f->fields[0].name ? grid_rtree_sql : grid_rows_sql, *dated = NULL;
    size_t ncells = (size_t)(g->rows * g->cols), nrows = 0;
    struct count_row *rows = NULL;
    bool *partial;
    int rc;

    if (check_filter(ctx, f) != AT_OK)
        return AT_EINVAL;
    if (!g->scan && ((rc = state_read(ctx, st, NULL, &built)) != AT_OK
                     || (rc = dated_pick(ctx, st, f, dated_sql, &dated)) != AT_OK))
        return rc;
    /* A date filter the kept dates answer is summed from the counts by
     * dates as a filter without one is from the others, or, with field
     * filters, counted point by point from the kept dates (dated). */
    if (dated && (!in_cells || f->fields[0].name))
        return grid_scan(ctx, st, dated, f, g, -1, NULL, true);
    if (!dated && (!kept || !in_cells)) {
        const struct record_filter_field *drive = NULL;
        int field = 0;
        /* With field filters of the counts, the rows may be found through
         * the values rather than the box. */
        if (!g->scan && (rc = pick_driver(ctx, st, f, &drive, &field)) != AT_OK)
            return rc;
        return drive ? grid_scan(ctx, st, field_scan_sql[field], f, g, -1, drive, false)
                     : grid_scan(ctx, st, sql, f, g, -1, NULL, false);
    }
    if (!dated && !built)
        return grid_scan(ctx, st, sql, f, g, -1, NULL, false);
    /* The cells whose counts are all inside the box are read as kept; the
     * others (on the box's edge, with points outside it) counted point by
     * point. */
    partial = xcalloc(ncells, sizeof *partial);
    rc = read_counts(ctx, st, f, g, &rows, &nrows, partial);
    for (size_t i = 0; i < nrows && rc == AT_OK; i++) {
        const struct count_row *c = &rows[i];
        if (!partial[c->y * g->cols + c->x])
            grid_add(g, c->x, c->y, c->type, c->n, c->lat_sum, c->lon_sum, c->ext, c->rid_sum);
    }
    for (size_t i = 0; i < ncells && rc == AT_OK; i++)
        if (partial[i])
            rc = count_cut_cell(ctx, st, dated ? dated_sql[0] : sql, f, g, i, dated != NULL);
    free(rows);
    free(partial);
    return rc;
}

void layer_grid_cell_box(const struct layer_grid *g, size_t i, double *south, double *west,
                         double *north, double *east)
{
    int64_t x = (g->x0 + (int64_t)i % g->cols) % g->n, y = g->y0 + (int64_t)i / g->cols;

    *west = (double)x / (double)g->n * 360 - 180;
    *east = (double)(x + 1) / (double)g->n * 360 - 180;
    *north = row_lat(g->n, y);
    *south = row_lat(g->n, y + 1);
}

int layer_grid_singles(struct at_ctx *ctx, struct store *st, const struct layer_grid *g,
                       int (*fn)(void *arg, const char *doc, size_t len), void *arg)
{
    static const char sql[] =
        "SELECT doc FROM record_current"
        " WHERE rowid IN (SELECT value FROM json_each(?1)) ORDER BY id";
    struct buf rowids = BUF_INIT;
    size_t ncells = (size_t)(g->rows * g->cols);
    sqlite3_stmt *stmt;
    int rc = AT_OK, step;

    buf_putc(&rowids, '[');
    for (size_t i = 0; i < ncells; i++)
        if (g->cells[i].count == 1)
            buf_printf(&rowids, "%s%lld", rowids.len > 1 ? "," : "", (long long)g->cells[i].rowid);
    buf_putc(&rowids, ']');
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        buf_free(&rowids);
        return AT_ERR;
    }
    sqlite3_bind_text(stmt, 1, buf_str(&rowids), -1, SQLITE_STATIC);
    while (rc == AT_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(stmt, 0), (size_t)sqlite3_column_bytes(stmt, 0));
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(ctx, st, "reading the records alone in their cells");
    sqlite3_reset(stmt);
    buf_free(&rowids);
    return rc;
}

/* ---- The counts kept current on each write (table layer_count). ----
 *
 * A point is counted at every level of LAYER_LEVELS, in its cell, under
 * its type, clearance and values of LAYER_FIELDS (kept for each point in
 * layer_value, so that a write knows what it takes out).  Counts and sums only add and subtract, so a
 * write changes one row a level; an extent cannot shrink by subtraction,
 * so when the point taken out lay on its row's extent the extent is found
 * again: at the finest level from the R*Tree's points in that one cell,
 * at each coarser level from the (already updated) rows of its four
 * children, which partition it. */

#define LEVEL_MIN LAYER_GRID_SHIFT
#define LEVEL_MAX (LAYER_COUNT_ZOOM_MAX + LAYER_GRID_SHIFT)

/* The key of a row of layer_count, as parameters ?1 to ?8 and ?20 to
 * ?22. */
#define ROW_KEY                                                                \
    "level = ?1 AND y = ?2 AND x = ?3 AND type = ?4 AND clearance = ?5"        \
    " AND site_type = ?6 AND confidence = ?7 AND province = ?8"                \
    " AND lo = ?20 AND hi = ?21 AND sign = ?22"

/* One point as the counts see it, in the rows of one kind.  In the rows
 * by dates, a point is counted once for each term of its dates
 * (date_terms): clearance is then the term's, not the point's. */
struct layer_point {
    sqlite3_int64 rid;            /* its R*Tree id (record_current's rowid) */
    const char *type;             /* one of LAYER_TYPES */
    int clearance;
    double lat, lon;
    char *values[LAYER_NFIELDS];  /* of LAYER_FIELDS; NULL: absent */
    int kind;                     /* of the rows: COUNT_BY_VALUES, COUNT_BY_DATES */
    int64_t lo, hi;               /* the term, in the rows by dates */
    int sign;
};

static int64_t coord_e7(double v)
{
    return llround(v * 1e7);
}

/* Binds a value of LAYER_FIELDS as the counts keep it (LAYER_VALUE). */
static void bind_value(sqlite3_stmt *stmt, int param, const char *value)
{
    if (value)
        sqlite3_bind_text(stmt, param, value, -1, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(stmt, param, 0);
}

/* Reads the values of LAYER_FIELDS from columns col... of stmt into p. */
static void take_values(sqlite3_stmt *stmt, int col, struct layer_point *p)
{
    for (int k = 0; k < LAYER_NFIELDS; k++)
        p->values[k] = sqlite3_column_type(stmt, col + k) == SQLITE_TEXT
            ? xstrdup((const char *)sqlite3_column_text(stmt, col + k)) : NULL;
}

static void free_values(struct layer_point *p)
{
    for (int k = 0; k < LAYER_NFIELDS; k++) {
        free(p->values[k]);
        p->values[k] = NULL;
    }
}

/* Binds the key of p's row at a level of the grid, in the rows of p's
 * kind. */
static void bind_row_key(sqlite3_stmt *stmt, int level, int64_t x, int64_t y,
                         const struct layer_point *p)
{
    bool dated = p->kind & COUNT_BY_DATES;

    sqlite3_bind_int(stmt, 1, level + LEVEL_BY_VALUES * p->kind);
    sqlite3_bind_int64(stmt, 2, y);
    sqlite3_bind_int64(stmt, 3, x);
    sqlite3_bind_text(stmt, 4, p->type, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, p->clearance);
    for (int k = 0; k < LAYER_NFIELDS; k++)
        bind_value(stmt, 6 + k, p->kind & COUNT_BY_VALUES ? p->values[k] : NULL);
    sqlite3_bind_int64(stmt, 20, dated ? p->lo : 0);
    sqlite3_bind_int64(stmt, 21, dated ? p->hi : 0);
    sqlite3_bind_int(stmt, 22, dated ? p->sign : 1);
}

/* Runs stmt (bound) to its end. */
static int step_done(struct at_ctx *ctx, struct store *st, sqlite3_stmt *stmt)
{
    int step = sqlite3_step(stmt);

    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "updating the map's counts");
}

/* Adds p to its row at every level, coarsest first.  An UPDATE, then an
 * INSERT when there was no row (an upsert would open a statement
 * savepoint, which makes FTS5 flush its pending terms: see record.c);
 * once a level had no row, no finer one has, and the UPDATE is skipped. */
static int count_add(struct at_ctx *ctx, struct store *st, const struct layer_point *p)
{
    static const char update_sql[] =
        "UPDATE layer_count SET n = n + 1, lat_e7 = lat_e7 + ?9, lon_e7 = lon_e7 + ?10,"
        " rid_sum = rid_sum + ?11, south = min(south, ?12), west = min(west, ?13),"
        " north = max(north, ?12), east = max(east, ?13) WHERE " ROW_KEY;
    static const char insert_sql[] =
        "INSERT INTO layer_count(level, y, x, type, clearance, " LAYER_VALUE_COLUMNS ","
        " lo, hi, sign, n, lat_e7, lon_e7, rid_sum, south, west, north, east)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?20, ?21, ?22, 1, ?9, ?10, ?11, ?12, ?13, ?12, ?13)";
    bool fresh = false;

    for (int level = LEVEL_MIN; level <= LEVEL_MAX; level++) {
        int64_t n = (int64_t)1 << level;
        int64_t x = grid_col(n, p->lon), y = grid_row(n, p->lat);
        for (int pass = fresh; pass < 2; pass++) {
            sqlite3_stmt *stmt = store_stmt(ctx, st, pass ? insert_sql : update_sql);
            if (stmt == NULL)
                return AT_ERR;
            bind_row_key(stmt, level, x, y, p);
            sqlite3_bind_int64(stmt, 9, coord_e7(p->lat));
            sqlite3_bind_int64(stmt, 10, coord_e7(p->lon));
            sqlite3_bind_int64(stmt, 11, p->rid);
            sqlite3_bind_double(stmt, 12, p->lat);
            sqlite3_bind_double(stmt, 13, p->lon);
            if (step_done(ctx, st, stmt) != AT_OK)
                return AT_ERR;
            if (sqlite3_changes(store_db(st)) > 0)
                break;
            fresh = true;
        }
    }
    return AT_OK;
}

static int point_has_term(struct at_ctx *ctx, struct store *st, int64_t rowid,
                          const struct layer_point *term, bool *has);

/* The extent of the points of p's row key in cell (x, y) of the finest
 * level, but p itself, from the R*Tree, layer_value and, for the rows by
 * dates, each point's kept dates; *found false when there is none. */
static int finest_extent(struct at_ctx *ctx, struct store *st, const struct layer_point *p,
                         int64_t x, int64_t y, double ext[4], bool *found)
{
    static const char sql[] =
        "SELECT g.lat, g.lon, g.id FROM geo_rtree g CROSS JOIN layer_value v ON v.id = g.id"
        " WHERE g.max_lat >= ?9 AND g.min_lat <= ?10 AND g.max_lon >= ?11 AND g.min_lon <= ?12"
        " AND g.type = ?4 AND (?15 OR g.clearance = ?5) AND g.id <> ?13"
        " AND (NOT ?14 OR (v.site_type = ?6 AND v.confidence = ?7 AND v.province = ?8))";
    bool dated = p->kind & COUNT_BY_DATES;
    int rc = AT_OK;
    int64_t n = (int64_t)1 << LEVEL_MAX;
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    *found = false;
    if (stmt == NULL)
        return AT_ERR;
    bind_row_key(stmt, LEVEL_MAX, x, y, p);
    /* The cell's box, a little wider: the test of each point's cell decides. */
    sqlite3_bind_double(stmt, 9, y == n - 1 ? -90.0 : row_lat(n, y + 1) - 1e-7);
    sqlite3_bind_double(stmt, 10, y == 0 ? 90.0 : row_lat(n, y) + 1e-7);
    sqlite3_bind_double(stmt, 11, (double)x / (double)n * 360 - 180 - 1e-7);
    sqlite3_bind_double(stmt, 12, (double)(x + 1) / (double)n * 360 - 180 + 1e-7);
    sqlite3_bind_int64(stmt, 13, p->rid);
    sqlite3_bind_int(stmt, 14, (p->kind & COUNT_BY_VALUES) != 0);
    sqlite3_bind_int(stmt, 15, dated);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        double lat = sqlite3_column_double(stmt, 0), lon = sqlite3_column_double(stmt, 1);
        bool has = true;
        if (grid_col(n, lon) != x || grid_row(n, lat) != y)
            continue;
        if (dated && (rc = point_has_term(ctx, st, sqlite3_column_int64(stmt, 2), p, &has)) != AT_OK)
            break;
        if (!has)
            continue;
        if (!*found) {
            ext[0] = ext[2] = lat, ext[1] = ext[3] = lon;
            *found = true;
        }
        ext[0] = fmin(ext[0], lat), ext[1] = fmin(ext[1], lon);
        ext[2] = fmax(ext[2], lat), ext[3] = fmax(ext[3], lon);
    }
    sqlite3_reset(stmt);
    if (rc != AT_OK)
        return rc;
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "updating the map's counts");
}

/* The extent of row (level, x, y) of p's key from its children's rows at
 * level + 1. */
static int children_extent(struct at_ctx *ctx, struct store *st, const struct layer_point *p,
                           int level, int64_t x, int64_t y, double ext[4], bool *found)
{
    static const char sql[] =
        "SELECT min(south), min(west), max(north), max(east) FROM layer_count"
        " WHERE level = ?1 AND y BETWEEN ?2 AND ?2 + 1 AND x BETWEEN ?3 AND ?3 + 1"
        " AND type = ?4 AND clearance = ?5 AND site_type = ?6 AND confidence = ?7"
        " AND province = ?8 AND lo = ?20 AND hi = ?21 AND sign = ?22";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    bind_row_key(stmt, level + 1, 2 * x, 2 * y, p);
    step = sqlite3_step(stmt);
    *found = step == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL;
    for (int i = 0; *found && i < 4; i++)
        ext[i] = sqlite3_column_double(stmt, i);
    sqlite3_reset(stmt);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "updating the map's counts");
}

/* Takes p out of its row at every level, finest first. */
static int count_remove(struct at_ctx *ctx, struct store *st, const struct layer_point *p)
{
    static const char read_sql[] =
        "SELECT n, south, west, north, east FROM layer_count WHERE " ROW_KEY;
    static const char delete_sql[] = "DELETE FROM layer_count WHERE " ROW_KEY;
    static const char update_sql[] =
        "UPDATE layer_count SET n = n - 1, lat_e7 = lat_e7 - ?9, lon_e7 = lon_e7 - ?10,"
        " rid_sum = rid_sum - ?11, south = ?12, west = ?13, north = ?14, east = ?15"
        " WHERE " ROW_KEY;

    for (int level = LEVEL_MAX; level >= LEVEL_MIN; level--) {
        int64_t n = (int64_t)1 << level;
        int64_t x = grid_col(n, p->lon), y = grid_row(n, p->lat);
        sqlite3_stmt *stmt = store_stmt(ctx, st, read_sql);
        double ext[4];
        long count;
        bool edge, found = true;
        int step;

        if (stmt == NULL)
            return AT_ERR;
        bind_row_key(stmt, level, x, y, p);
        if ((step = sqlite3_step(stmt)) != SQLITE_ROW) {
            sqlite3_reset(stmt);
            return step == SQLITE_DONE
                ? ctx_error(ctx, AT_ECORRUPT, "the map's counts miss a point "
                            "(run 'attest rebuild')")
                : store_error(ctx, st, "updating the map's counts");
        }
        count = sqlite3_column_int64(stmt, 0);
        for (int i = 0; i < 4; i++)
            ext[i] = sqlite3_column_double(stmt, i + 1);
        sqlite3_reset(stmt);
        edge = p->lat == ext[0] || p->lon == ext[1] || p->lat == ext[2] || p->lon == ext[3];
        if (count > 1 && edge) {
            int rc = level == LEVEL_MAX ? finest_extent(ctx, st, p, x, y, ext, &found)
                                        : children_extent(ctx, st, p, level, x, y, ext, &found);
            if (rc != AT_OK)
                return rc;
            if (!found)
                return ctx_error(ctx, AT_ECORRUPT, "the map's counts disagree with the "
                                 "spatial index (run 'attest rebuild')");
        }
        if ((stmt = store_stmt(ctx, st, count > 1 ? update_sql : delete_sql)) == NULL)
            return AT_ERR;
        bind_row_key(stmt, level, x, y, p);
        if (count > 1) {
            sqlite3_bind_int64(stmt, 9, coord_e7(p->lat));
            sqlite3_bind_int64(stmt, 10, coord_e7(p->lon));
            sqlite3_bind_int64(stmt, 11, p->rid);
            for (int i = 0; i < 4; i++)
                sqlite3_bind_double(stmt, 12 + i, ext[i]);
        }
        if (step_done(ctx, st, stmt) != AT_OK)
            return AT_ERR;
    }
    return AT_OK;
}

/* Grows the generation (state_touch: and says whether the counts are
 * built).  The one row by its rowid: an UPDATE that may touch several
 * rows opens a statement savepoint, which makes FTS5 flush the terms of
 * every record written so far in the transaction into a segment of their
 * own. */
static int state_grow(struct at_ctx *ctx, struct store *st)
{
    static const char grow_sql[] =
        "UPDATE layer_state SET generation = generation + 1 WHERE rowid = 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, grow_sql);

    return stmt ? step_done(ctx, st, stmt) : AT_ERR;
}

static int state_touch(struct at_ctx *ctx, struct store *st, bool *built)
{
    int rc = state_read(ctx, st, NULL, built);

    return rc == AT_OK ? state_grow(ctx, st) : rc;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether p and q are counted in the same rows. */
static bool same_point(const struct layer_point *p, const struct layer_point *q)
{
    if (!p->type || !q->type || strcmp(p->type, q->type) != 0 || p->clearance != q->clearance
        || p->lat != q->lat || p->lon != q->lon)
        return false;
    for (int k = 0; k < LAYER_NFIELDS; k++)
        if (!same_text(p->values[k], q->values[k]))
            return false;
    return true;
}

/* Reads the point the counts hold for rowid (old) and the values of
 * LAYER_FIELDS its current row now has (now). */
static int read_points(struct at_ctx *ctx, struct store *st, int64_t rowid,
                       struct layer_point *old, struct layer_point *now)
{
    static const char old_sql[] =
        "SELECT g.type, g.clearance, g.lat, g.lon, " LAYER_VALUE_COLUMNS
        " FROM geo_rtree g LEFT JOIN layer_value v ON v.id = g.id WHERE g.id = ?1";
    static const char now_sql[] = "SELECT " LAYER_VALUES " FROM record_current c WHERE c.rowid = ?1";
    sqlite3_stmt *stmt;
    int step, k;

    if ((stmt = store_stmt(ctx, st, old_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW
        && (k = layer_type_index((const char *)sqlite3_column_text(stmt, 0))) >= 0) {
        old->type = LAYER_TYPES[k];
        old->clearance = sqlite3_column_int(stmt, 1);
        old->lat = sqlite3_column_double(stmt, 2);
        old->lon = sqlite3_column_double(stmt, 3);
        take_values(stmt, 4, old);
    }
    sqlite3_reset(stmt);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_error(ctx, st, "reading the spatial index");
    if (now->type == NULL)
        return AT_OK;
    if ((stmt = store_stmt(ctx, st, now_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        take_values(stmt, 0, now);
    sqlite3_reset(stmt);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "reading the current view");
}

/* Keeps p's values in layer_value (none when p has no type). */
static int values_write(struct at_ctx *ctx, struct store *st, int64_t rowid,
                        const struct layer_point *p)
{
    static const char delete_sql[] = "DELETE FROM layer_value WHERE id = ?1";
    static const char insert_sql[] =
        "INSERT INTO layer_value(id, " LAYER_VALUE_COLUMNS ") VALUES (?9, ?6, ?7, ?8)";
    sqlite3_stmt *stmt;

    if ((stmt = store_stmt(ctx, st, delete_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    if (step_done(ctx, st, stmt) != AT_OK)
        return AT_ERR;
    if (p->type == NULL)
        return AT_OK;
    if ((stmt = store_stmt(ctx, st, insert_sql)) == NULL)
        return AT_ERR;
    for (int k = 0; k < LAYER_NFIELDS; k++)
        bind_value(stmt, 6 + k, p->values[k]);
    sqlite3_bind_int64(stmt, 9, rowid);
    return step_done(ctx, st, stmt);
}


/* ---- A point's kept dates as terms of the counts by dates. ----
 *
 * A reader of clearance L sees a point match [from, to] when one of its
 * kept dates (layer_date, below) with lmin <= L overlaps it (lo <= to and
 * hi >= from).  Merged, the dates L sees are disjoint intervals
 * I1 < I2 < ... < Ik, Ij = [aj, bj]; those that overlap [from, to] are
 * consecutive, Ip to Iq, and both Ij and Ij+1 overlap it exactly when
 * aj+1 <= to and bj >= from: the same test on the gap between them kept as
 * the term lo = aj+1, hi = bj (lo > hi).  Each interval counted +1 and each
 * gap -1, the terms that pass the test sum to 1 when the point matches and
 * to 0 when it does not, so a sum over a cell's rows counts its matching
 * points, each once.  Clearances: the terms of the lowest clearance of a
 * point's dates, then at each higher one only what changes (terms new
 * there +1, terms gone -1, each of the sign it had), so that the rows of
 * clearance <= L sum to L's terms.  Dates are whole days: intervals that
 * touch are merged too. */
struct date_row {
    int64_t lo, hi;
    int lmin;
};
struct date_term {
    int64_t lo, hi;
    int clearance, sign;
};

/* Reads the rows of sql (bound to rowid at ?1; lo, hi, lmin from column
 * col) into *rows, in the order of (lo, hi). */
static int date_rows_read(struct at_ctx *ctx, struct store *st, const char *sql, int col,
                          int64_t rowid, struct date_row **rows, size_t *n)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    size_t cap = 0;
    int step;

    *n = 0;
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap)
            *rows = xrealloc(*rows, (cap = cap ? 2 * cap : 8) * sizeof **rows);
        (*rows)[(*n)++] = (struct date_row){ sqlite3_column_int64(stmt, col),
                                             sqlite3_column_int64(stmt, col + 1),
                                             sqlite3_column_int(stmt, col + 2) };
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading the map's dates");
}

static int by_term(const void *a, const void *b)
{
    const struct date_term *p = a, *q = b;

    if (p->lo != q->lo)
        return p->lo < q->lo ? -1 : 1;
    return p->hi < q->hi ? -1 : p->hi > q->hi;
}

/* The intervals and gaps of the n rows (in order of lo) that a reader of
 * clearance level sees, into out (room for 2n), in order of (lo, hi), as
 * terms of level and sign +1 (intervals) or -1 (gaps); how many. */
static size_t merged_terms(const struct date_row *rows, size_t n, int level, struct date_term *out)
{
    size_t k = 0, first;
    int64_t lo = 0, hi = 0;
    bool open = false;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && rows[i].lmin > level)
            continue;
        if (open && i < n && (rows[i].lo <= hi || (hi < INT64_MAX && rows[i].lo == hi + 1))) {
            hi = rows[i].hi > hi ? rows[i].hi : hi;
            continue;
        }
        if (open)
            out[k++] = (struct date_term){ lo, hi, level, 1 };
        if (i < n)
            lo = rows[i].lo, hi = rows[i].hi, open = true;
    }
    /* The gap between each interval and the next. */
    first = k;
    for (size_t j = 1; j < first; j++)
        out[k++] = (struct date_term){ out[j].lo, out[j - 1].hi, level, -1 };
    qsort(out, k, sizeof *out, by_term);
    return k;
}

/* A point's terms from its n kept dates (in order of (lo, hi)) into *out
 * (the caller frees it); how many. */
static size_t date_terms(const struct date_row *rows, size_t n, struct date_term **out)
{
    struct date_term *prev = xmalloc((2 * n + 1) * sizeof *prev), *cur = xmalloc((2 * n + 1) * sizeof *cur);
    size_t nprev = 0, k = 0, cap = 0;
    int level = -1;

    *out = NULL;
    for (;;) {
        size_t ncur, i = 0, j = 0;
        int next = -1;
        struct date_term *swap;
        /* The next clearance of the rows, upwards. */
        for (size_t r = 0; r < n; r++)
            if (rows[r].lmin > level && (next < 0 || rows[r].lmin < next))
                next = rows[r].lmin;
        if (next < 0)
            break;
        level = next;
        ncur = merged_terms(rows, n, level, cur);
        /* What is new at this level (+, as it is) and gone (its sign
         * turned), the two lists in the same order. */
        while (i < nprev || j < ncur) {
            int c = i == nprev ? 1 : j == ncur ? -1 : by_term(&prev[i], &cur[j]);
            if (c == 0 && prev[i].sign == cur[j].sign) {
                i++, j++;
                continue;
            }
            if (k + 2 > cap)
                *out = xrealloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
            if (c <= 0)
                (*out)[k++] = (struct date_term){ prev[i].lo, prev[i].hi, level, -prev[i].sign }, i++;
            if (c >= 0)
                (*out)[k++] = cur[j++];
        }
        swap = prev, prev = cur, cur = swap;
        nprev = ncur;
    }
    free(prev);
    free(cur);
    return k;
}

/* The kept dates of the point at rowid, in order of (lo, hi). */
static int held_dates(struct at_ctx *ctx, struct store *st, int64_t rowid, struct date_row **rows,
                      size_t *n)
{
    static const char sql[] = "SELECT lo, hi, lmin FROM layer_date WHERE id = ?1 ORDER BY lo, hi";

    return date_rows_read(ctx, st, sql, 0, rowid, rows, n);
}

/* The terms of the point at rowid's kept dates (*terms freed by the
 * caller). */
static int held_terms(struct at_ctx *ctx, struct store *st, int64_t rowid, struct date_term **terms,
                      size_t *n)
{
    struct date_row *rows = NULL;
    size_t nrows;
    int rc = held_dates(ctx, st, rowid, &rows, &nrows);

    *terms = NULL, *n = 0;
    if (rc == AT_OK)
        *n = date_terms(rows, nrows, terms);
    free(rows);
    return rc;
}

/* Whether the point at rowid is counted in term's row (its clearance,
 * lo, hi and sign). */
static int point_has_term(struct at_ctx *ctx, struct store *st, int64_t rowid,
                          const struct layer_point *term, bool *has)
{
    struct date_term *t;
    size_t n;
    int rc = held_terms(ctx, st, rowid, &t, &n);

    *has = false;
    for (size_t i = 0; i < n && !*has; i++)
        *has = t[i].clearance == term->clearance && t[i].lo == term->lo && t[i].hi == term->hi
            && t[i].sign == term->sign;
    free(t);
    return rc;
}

/* Whether a point holds a value of LAYER_FIELDS (else it has no rows by
 * values). */
static bool point_has_value(const struct layer_point *p)
{
    for (int k = 0; k < LAYER_NFIELDS; k++)
        if (p->values[k])
            return true;
    return false;
}

/* Adds p (add) to, or takes it out of, every row it is counted in: by
 * cell, by values (when it has one) and, for each of the n terms of its
 * kept dates, by dates (dated: only those). */
static int point_count(struct at_ctx *ctx, struct store *st, const struct layer_point *p,
                       const struct date_term *terms, size_t n, bool dated, bool add)
{
    struct layer_point q = *p;
    int rc = AT_OK;

    for (int kind = dated ? COUNT_BY_DATES : 0; kind < COUNT_KINDS && rc == AT_OK; kind++) {
        if (kind == COUNT_BY_VALUES && !point_has_value(p))
            continue;
        q.kind = kind;
        for (size_t i = 0; i < (kind & COUNT_BY_DATES ? n : 1) && rc == AT_OK; i++) {
            if (kind & COUNT_BY_DATES)
                q.clearance = terms[i].clearance, q.lo = terms[i].lo, q.hi = terms[i].hi,
                q.sign = terms[i].sign;
            rc = add ? count_add(ctx, st, &q) : count_remove(ctx, st, &q);
        }
    }
    return rc;
}

int layer_count_record(struct at_ctx *ctx, struct store *st, int64_t rowid, const char *type,
                       int clearance, bool has_point, double lat, double lon, bool retracted)
{
    struct layer_point old = { rowid, NULL, 0, 0, 0, { NULL }, 0, 0, 0, 1 };
    struct layer_point now = { rowid, NULL, clearance, lat, lon, { NULL }, 0, 0, 0, 1 };
    struct date_term *terms = NULL;
    size_t nterms = 0;
    bool built, kept;
    int rc, k;

    if ((rc = state_touch(ctx, st, &built)) != AT_OK || !built)
        return rc;
    if (has_point && !retracted && (k = layer_type_index(type)) >= 0)
        now.type = LAYER_TYPES[k];
    if ((rc = read_points(ctx, st, rowid, &old, &now)) != AT_OK)
        goto out;
    /* An amendment that leaves the point where it was, with its values,
     * changes nothing. */
    if (same_point(&old, &now))
        goto out;
    /* Its kept dates stay; their terms move with the point (while a bulk
     * write suspends the dates, the rows by dates are made at its end). */
    if ((rc = dates_kept(ctx, st, &kept)) != AT_OK
        || (kept && (rc = held_terms(ctx, st, rowid, &terms, &nterms)) != AT_OK)
        || (old.type && (rc = point_count(ctx, st, &old, terms, nterms, false, false)) != AT_OK)
        || (rc = values_write(ctx, st, rowid, &now)) != AT_OK)
        goto out;
    if (now.type)
        rc = point_count(ctx, st, &now, terms, nterms, false, true);
out:
    free(terms);
    free_values(&old);
    free_values(&now);
    return rc;
}

/* The distinct values of a rebuild, each kept once and known by its index
 * (open addressing over the indexes plus one; 0 is an empty slot). */
struct interned {
    char **text;
    size_t n;
    size_t *slot;
    size_t cap;                   /* a power of two, at least twice n */
};

static uint64_t text_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
    return h;
}

static void intern_place(struct interned *in, size_t index)
{
    size_t i = text_hash(in->text[index]) & (in->cap - 1);

    while (in->slot[i])
        i = (i + 1) & (in->cap - 1);
    in->slot[i] = index + 1;
}

/* The index of text (NULL: -1), kept when new. */
static int intern(struct interned *in, const char *text)
{
    size_t i;

    if (text == NULL)
        return -1;
    if (2 * (in->n + 1) > in->cap) {
        free(in->slot);
        in->cap = in->cap ? 2 * in->cap : 64;
        in->slot = xcalloc(in->cap, sizeof *in->slot);
        in->text = xrealloc(in->text, in->cap / 2 * sizeof *in->text);
        for (size_t j = 0; j < in->n; j++)
            intern_place(in, j);
    }
    for (i = text_hash(text) & (in->cap - 1); in->slot[i]; i = (i + 1) & (in->cap - 1))
        if (strcmp(in->text[in->slot[i] - 1], text) == 0)
            return (int)(in->slot[i] - 1);
    in->text[in->n] = xstrdup(text);
    in->slot[i] = in->n + 1;
    return (int)in->n++;
}

static void interned_free(struct interned *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->text[i]);
    free(in->text);
    free(in->slot);
}

/* One point of the rebuild, with its cell at the level being built. */
struct rebuild_point {
    int64_t y, x;
    int type, clearance;
    int values[LAYER_NFIELDS];    /* interned, in the order of their text (values_sort); -1: absent */
    double lat, lon;
    sqlite3_int64 rid;
    int64_t lo, hi;               /* a term of its dates (0, 0, +1 for the rows without) */
    int sign;
};

/* The points in the order of their rows' keys in layer_count (its primary
 * key: type and values compared as SQLite compares their text, an absent
 * value, an empty blob, after every text), so that the rows of a level
 * are inserted in the table's own order: each insert then lands after the
 * last row, where the cursor of a statement inserting many rows already
 * is, and SQLite skips the search from the root (rebuild_level). */
static int by_cell(const void *a, const void *b)
{
    const struct rebuild_point *p = a, *q = b;

    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->type != q->type)
        return strcmp(LAYER_TYPES[p->type], LAYER_TYPES[q->type]);
    if (p->clearance != q->clearance)
        return p->clearance - q->clearance;
    if (p->lo != q->lo)
        return p->lo < q->lo ? -1 : 1;
    if (p->hi != q->hi)
        return p->hi < q->hi ? -1 : 1;
    return p->sign - q->sign;
}

static int by_cell_values(const void *a, const void *b)
{
    const struct rebuild_point *p = a, *q = b;
    int c = by_cell(a, b);

    /* Unsigned, absent (-1) is the greatest. */
    for (int k = 0; c == 0 && k < LAYER_NFIELDS; k++)
        c = (unsigned)p->values[k] < (unsigned)q->values[k] ? -1
            : (unsigned)p->values[k] > (unsigned)q->values[k];
    return c;
}

/* The points of the spatial index with their values, as the counts see
 * them: read from the records, not from layer_value, so that a check
 * compares with what the records give; and each point once for each
 * term of its kept dates (dated). */
struct rebuild {
    struct rebuild_point *pts;
    size_t n, cap;
    struct rebuild_point *dated;
    size_t ndated, capdated;
    struct interned values;
};

static int rebuild_read(struct at_ctx *ctx, struct store *st, struct rebuild *r)
{
    static const char sql[] =
        "SELECT g.id, g.type, g.clearance, g.lat, g.lon, " LAYER_VALUES
        " FROM geo_rtree g CROSS JOIN record_current c ON c.rowid = g.id";
    sqlite3_stmt *stmt;
    int step;

    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        int k = layer_type_index((const char *)sqlite3_column_text(stmt, 1));
        struct rebuild_point *p;
        if (k < 0)
            continue;
        if (r->n == r->cap)
            r->pts = xrealloc(r->pts, (r->cap = r->cap ? 2 * r->cap : 1024) * sizeof *r->pts);
        p = &r->pts[r->n++];
        *p = (struct rebuild_point){ 0, 0, k, sqlite3_column_int(stmt, 2), { 0 },
                                     sqlite3_column_double(stmt, 3), sqlite3_column_double(stmt, 4),
                                     sqlite3_column_int64(stmt, 0), 0, 0, 1 };
        for (int v = 0; v < LAYER_NFIELDS; v++)
            p->values[v] = sqlite3_column_type(stmt, 5 + v) == SQLITE_TEXT
                ? intern(&r->values, (const char *)sqlite3_column_text(stmt, 5 + v)) : -1;
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading the spatial index");
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Numbers r's values in the order of their text, the order of SQLite's
 * comparison of text (bytes, then length), and the points' with them. */
static void values_sort(struct rebuild *r)
{
    struct interned *in = &r->values;
    char **sorted;
    int *renumber;

    if (in->n == 0) /* no point holds a value (and in->text is NULL) */
        return;
    sorted = xmalloc(in->n * sizeof *sorted);
    renumber = xmalloc(in->n * sizeof *renumber);
    memcpy(sorted, in->text, in->n * sizeof *sorted);
    qsort(sorted, in->n, sizeof *sorted, by_text);
    for (size_t i = 0; i < in->n; i++)
        renumber[intern(in, sorted[i])] = (int)i;
    for (size_t i = 0; i < r->n; i++)
        for (int k = 0; k < LAYER_NFIELDS; k++)
            if (r->pts[i].values[k] >= 0)
                r->pts[i].values[k] = renumber[r->pts[i].values[k]];
    memcpy(in->text, sorted, in->n * sizeof *sorted);
    memset(in->slot, 0, in->cap * sizeof *in->slot);
    for (size_t i = 0; i < in->n; i++)
        intern_place(in, i);
    free(sorted);
    free(renumber);
}

static int by_rid(const void *a, const void *b)
{
    const struct rebuild_point *p = a, *q = b;

    return p->rid < q->rid ? -1 : p->rid > q->rid;
}

/* Adds to r->dated each point of r once for each term of its kept dates
 * (layer_date, read in order of the points). */
static int rebuild_read_dates(struct at_ctx *ctx, struct store *st, struct rebuild *r)
{
    static const char sql[] = "SELECT id, lo, hi, lmin FROM layer_date ORDER BY id, lo, hi";
    sqlite3_stmt *stmt;
    struct date_row *rows = NULL;
    size_t nrows = 0, caprows = 0, i = 0;
    int step;
    bool more;

    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    if (r->n)
        qsort(r->pts, r->n, sizeof *r->pts, by_rid);
    step = sqlite3_step(stmt);
    do {
        sqlite3_int64 id = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
        more = step == SQLITE_ROW;
        if (more && nrows > 0 && id == r->pts[i].rid) {
            /* the same point's next row, below */
        } else if (nrows > 0) {
            struct date_term *t;
            size_t nt = date_terms(rows, nrows, &t);
            for (size_t k = 0; k < nt; k++) {
                struct rebuild_point *d;
                if (r->ndated == r->capdated)
                    r->dated = xrealloc(r->dated, (r->capdated = r->capdated ? 2 * r->capdated : 1024)
                                                   * sizeof *r->dated);
                d = &r->dated[r->ndated++];
                *d = r->pts[i];
                d->clearance = t[k].clearance, d->lo = t[k].lo, d->hi = t[k].hi, d->sign = t[k].sign;
            }
            free(t);
            nrows = 0;
        }
        if (!more)
            break;
        /* The point of this row, if it is counted (a point of another
         * type is not). */
        if (nrows == 0) {
            while (i < r->n && r->pts[i].rid < id)
                i++;
            if (i == r->n || r->pts[i].rid != id) {
                step = sqlite3_step(stmt);
                continue;
            }
        }
        if (nrows == caprows)
            rows = xrealloc(rows, (caprows = caprows ? 2 * caprows : 16) * sizeof *rows);
        rows[nrows++] = (struct date_row){ sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
                                           sqlite3_column_int(stmt, 3) };
        step = sqlite3_step(stmt);
    } while (true);
    sqlite3_reset(stmt);
    free(rows);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading the map's dates");
}

static void rebuild_free(struct rebuild *r)
{
    free(r->pts);
    free(r->dated);
    interned_free(&r->values);
}

/* The rows of the counts a rebuild makes, inserted COUNT_BATCH at a time
 * by one statement (many), the rest one by one (one): SQLite's cursor
 * stays on the last row between the rows of one statement, so that a row
 * inserted after it (they come in the key's order, by_cell) needs no
 * search from the root, and the statement's own cost (its reset, its
 * bindings cleared, its cursor opened, its end) is paid once a batch.
 * Such a statement opens a statement savepoint, which makes FTS5 flush
 * its pending terms (see state_touch): harmless here, where no record is
 * written after the rows, so the flush is the one the commit would make.
 * Each row's parameters are layer_count's columns in the order of
 * COUNT_COLUMNS. */
#define COUNT_COLUMNS                                                          \
    "level, y, x, type, clearance, " LAYER_VALUE_COLUMNS ","                   \
    " n, lat_e7, lon_e7, rid_sum, south, west, north, east, lo, hi, sign"
#define COUNT_PARAMS 19
#define COUNT_ROW "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define COUNT_ROWS4 COUNT_ROW "," COUNT_ROW "," COUNT_ROW "," COUNT_ROW
#define COUNT_ROWS16 COUNT_ROWS4 "," COUNT_ROWS4 "," COUNT_ROWS4 "," COUNT_ROWS4
#define COUNT_BATCH 64
#define COUNT_ROWS64 COUNT_ROWS16 "," COUNT_ROWS16 "," COUNT_ROWS16 "," COUNT_ROWS16
#define COUNT_INSERT(TABLE)                                                    \
    { "INSERT INTO " TABLE "(" COUNT_COLUMNS ") VALUES " COUNT_ROW,            \
      "INSERT INTO " TABLE "(" COUNT_COLUMNS ") VALUES " COUNT_ROWS64 }
struct count_insert {
    const char *one, *many;
};

struct rebuild_row {
    int level, type, clearance, sign;
    const char *values[LAYER_NFIELDS];  /* NULL: absent */
    int64_t y, x, n, lat_e7, lon_e7, rids, lo, hi;
    double ext[4];
};

struct row_batch {
    const struct count_insert *sql;
    struct rebuild_row row[COUNT_BATCH];
    size_t n;
};

static void bind_rebuild_row(sqlite3_stmt *stmt, int base, const struct rebuild_row *c)
{
    sqlite3_bind_int(stmt, base + 1, c->level);
    sqlite3_bind_int64(stmt, base + 2, c->y);
    sqlite3_bind_int64(stmt, base + 3, c->x);
    sqlite3_bind_text(stmt, base + 4, LAYER_TYPES[c->type], -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, base + 5, c->clearance);
    for (int k = 0; k < LAYER_NFIELDS; k++)
        bind_value(stmt, base + 6 + k, c->values[k]);
    sqlite3_bind_int64(stmt, base + 9, c->n);
    sqlite3_bind_int64(stmt, base + 10, c->lat_e7);
    sqlite3_bind_int64(stmt, base + 11, c->lon_e7);
    sqlite3_bind_int64(stmt, base + 12, c->rids);
    for (int k = 0; k < 4; k++)
        sqlite3_bind_double(stmt, base + 13 + k, c->ext[k]);
    sqlite3_bind_int64(stmt, base + 17, c->lo);
    sqlite3_bind_int64(stmt, base + 18, c->hi);
    sqlite3_bind_int(stmt, base + 19, c->sign);
}

/* Inserts the rows held: all by one statement when they are a batch,
 * else one by one. */
static int row_batch_flush(struct at_ctx *ctx, struct store *st, struct row_batch *c)
{
    bool batch = c->n == COUNT_BATCH;

    for (size_t i = 0; i < c->n; i += batch ? COUNT_BATCH : 1) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, batch ? c->sql->many : c->sql->one);
        if (stmt == NULL)
            return AT_ERR;
        for (size_t j = 0; j < (batch ? COUNT_BATCH : 1); j++)
            bind_rebuild_row(stmt, (int)j * COUNT_PARAMS, &c->row[i + j]);
        if (step_done(ctx, st, stmt) != AT_OK)
            return AT_ERR;
    }
    c->n = 0;
    return AT_OK;
}

/* Holds one more row, inserting the batch when it is full. */
static struct rebuild_row *row_batch_next(struct at_ctx *ctx, struct store *st, struct row_batch *c)
{
    if (c->n == COUNT_BATCH && row_batch_flush(ctx, st, c) != AT_OK)
        return NULL;
    return &c->row[c->n++];
}

/* Adds to out the rows of one kind at one level of the grid from the npts
 * points pts (r's or r's dated), sorting them by their rows. */
static int rebuild_level(struct at_ctx *ctx, struct store *st, struct row_batch *out, int level,
                         int kind, struct rebuild_point *pts, size_t npts, const struct rebuild *r)
{
    bool by_values = kind & COUNT_BY_VALUES;
    int (*order)(const void *, const void *) = by_values ? by_cell_values : by_cell;
    int64_t n = (int64_t)1 << level;

    for (size_t i = 0; i < npts; i++)
        pts[i].x = grid_col(n, pts[i].lon), pts[i].y = grid_row(n, pts[i].lat);
    if (npts)
        qsort(pts, npts, sizeof *pts, order);
    for (size_t i = 0, j; i < npts; i = j) {
        struct rebuild_row *c = row_batch_next(ctx, st, out);
        if (c == NULL)
            return AT_ERR;
        *c = (struct rebuild_row){ level + LEVEL_BY_VALUES * kind, pts[i].type, pts[i].clearance,
                                 pts[i].sign, { NULL }, pts[i].y, pts[i].x, 0, 0, 0, 0,
                                 pts[i].lo, pts[i].hi,
                                 { pts[i].lat, pts[i].lon, pts[i].lat, pts[i].lon } };
        for (int k = 0; by_values && k < LAYER_NFIELDS; k++)
            c->values[k] = pts[i].values[k] < 0 ? NULL : r->values.text[pts[i].values[k]];
        for (j = i; j < npts && order(&pts[i], &pts[j]) == 0; j++) {
            c->lat_e7 += coord_e7(pts[j].lat), c->lon_e7 += coord_e7(pts[j].lon), c->rids += pts[j].rid;
            c->ext[0] = fmin(c->ext[0], pts[j].lat), c->ext[1] = fmin(c->ext[1], pts[j].lon);
            c->ext[2] = fmax(c->ext[2], pts[j].lat), c->ext[3] = fmax(c->ext[3], pts[j].lon);
        }
        c->n = (int64_t)(j - i);
    }
    return AT_OK;
}

/* Writes into layer_value the values of r's points, read with them from
 * the records, in the order of their ids. */
static int values_insert(struct at_ctx *ctx, struct store *st, struct rebuild *r)
{
    static const char sql[] =
        "INSERT INTO layer_value(id, " LAYER_VALUE_COLUMNS ") VALUES (?1, ?2, ?3, ?4)";

    if (r->n)
        qsort(r->pts, r->n, sizeof *r->pts, by_rid);
    for (size_t i = 0; i < r->n; i++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL)
            return AT_ERR;
        sqlite3_bind_int64(stmt, 1, r->pts[i].rid);
        for (int k = 0; k < LAYER_NFIELDS; k++)
            bind_value(stmt, 2 + k, r->pts[i].values[k] < 0 ? NULL
                                                          : r->values.text[r->pts[i].values[k]]);
        if (step_done(ctx, st, stmt) != AT_OK)
            return AT_ERR;
    }
    return AT_OK;
}

/* Moves the points of r with a value before those without: the number
 * with one. */
static size_t points_with_values_first(struct rebuild *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n; i++) {
        bool any = false;
        for (int k = 0; k < LAYER_NFIELDS; k++)
            any |= r->pts[i].values[k] >= 0;
        if (any) {
            struct rebuild_point t = r->pts[n];
            r->pts[n++] = r->pts[i];
            r->pts[i] = t;
        }
    }
    return n;
}

/* What rebuild_rows makes: the counts' rows of the kinds by cell and by
 * values, those of the kinds by dates, each point's values in layer_value. */
enum { REBUILD_PLAIN = 1, REBUILD_DATED = 2, REBUILD_VALUES = 4 };

/* Every level's rows from the records (their points and kept dates),
 * inserted with sql, and what else make says.  The kinds and levels in
 * order, so the rows come in the order of the table's key. */
static int rebuild_rows(struct at_ctx *ctx, struct store *st, const struct count_insert *sql, int make)
{
    struct rebuild r = { 0 };
    struct row_batch *out = xcalloc(1, sizeof *out);
    int rc = rebuild_read(ctx, st, &r);

    out->sql = sql;
    if (rc == AT_OK && (make & REBUILD_VALUES))
        rc = values_insert(ctx, st, &r);
    if (rc == AT_OK)
        values_sort(&r);
    for (int kind = 0; kind < COUNT_BY_DATES && (make & REBUILD_PLAIN); kind++) {
        /* The rows by values of the points that have one (point_count). */
        size_t n = kind == COUNT_BY_VALUES ? points_with_values_first(&r) : r.n;
        for (int level = LEVEL_MIN; level <= LEVEL_MAX && rc == AT_OK; level++)
            rc = rebuild_level(ctx, st, out, level, kind, r.pts, n, &r);
    }
    if (rc == AT_OK && (make & REBUILD_DATED))
        rc = rebuild_read_dates(ctx, st, &r);
    for (int kind = COUNT_BY_DATES; kind < COUNT_KINDS && (make & REBUILD_DATED); kind++)
        for (int level = LEVEL_MIN; level <= LEVEL_MAX && rc == AT_OK; level++)
            rc = rebuild_level(ctx, st, out, level, kind, r.dated, r.ndated, &r);
    if (rc == AT_OK)
        rc = row_batch_flush(ctx, st, out);
    free(out);
    rebuild_free(&r);
    return rc;
}

/* ---- The dates each point is filtered by (table layer_date). ----
 *
 * A point's rows are its own date, or, for an undated site or pinpoint,
 * the dates of the events RECORD_FILTER_LINKS reaches (not retracted,
 * with a date), each interval once with the lowest clearance that sees it
 * (the point's or the event's, whichever is higher): a reader of
 * clearance L sees the point match [from, to] exactly when one of its
 * rows with lmin <= L overlaps it, which is RECORD_FILTER_WHERE's test. */

/* The rows of layer_date (id, lo, hi, lmin) of the points of geo_rtree g
 * for which COND holds. */
#define DATE_ROWS(COND)                                                        \
    "SELECT id, lo, hi, min(lmin) FROM ("                                      \
    " SELECT g.id AS id, c.date_lo AS lo, c.date_hi AS hi, c.clearance AS lmin" \
    "  FROM geo_rtree g CROSS JOIN record_current c ON c.rowid = g.id"          \
    "  WHERE " COND " AND c.date_lo IS NOT NULL"                               \
    " UNION ALL"                                                               \
    " SELECT g.id, e.date_lo, e.date_hi, max(c.clearance, e.clearance)"        \
    "  FROM geo_rtree g CROSS JOIN record_current c ON c.rowid = g.id"          \
    "  CROSS JOIN record_current e"                                            \
    "  WHERE " COND " AND c.date_lo IS NULL AND c.type IN " RECORD_FILTER_DATED_BY_EVENTS \
    "  AND e.id IN (SELECT t FROM " RECORD_FILTER_LINKS("c.id") ")"             \
    /* +: the links drive, not the index of events by date */                \
    "  AND +e.type = 'event' AND NOT e.retracted AND +e.date_lo IS NOT NULL)"   \
    " GROUP BY id, lo, hi"

void layer_stale_add(struct layer_stale *s, const char *id)
{
    if (s->n == s->cap)
        s->ids = xrealloc(s->ids, (s->cap = s->cap ? 2 * s->cap : 8) * sizeof *s->ids);
    s->ids[s->n++] = xstrdup(id);
}

void layer_stale_free(struct layer_stale *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->ids[i]);
    free(s->ids);
    *s = (struct layer_stale)LAYER_STALE_INIT;
}

int layer_date_before(struct at_ctx *ctx, struct store *st, const char *id, struct layer_stale *s)
{
    static const char sql[] = "SELECT target FROM record_ref WHERE id = ?1";
    sqlite3_stmt *stmt;
    bool kept;
    int rc, step;

    if ((rc = dates_kept(ctx, st, &kept)) != AT_OK || !kept)
        return rc;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        layer_stale_add(s, (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading references");
}

static bool same_rows(const struct date_row *a, size_t na, const struct date_row *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].lo != b[i].lo || a[i].hi != b[i].hi || a[i].lmin != b[i].lmin)
            return false;
    return true;
}


/* Moves the point at rowid (if it is counted) in the rows by dates from
 * the terms of its dates held to those of want. */
static int date_recount(struct at_ctx *ctx, struct store *st, int64_t rowid, const struct date_row *held,
                        size_t nheld, const struct date_row *want, size_t nwant)
{
    struct layer_point p = { rowid, NULL, 0, 0, 0, { NULL }, 0, 0, 0, 1 }, none = { 0 };
    struct date_term *terms = NULL;
    size_t n;
    int rc = read_points(ctx, st, rowid, &p, &none);

    if (rc == AT_OK && p.type) {
        n = date_terms(held, nheld, &terms);
        rc = point_count(ctx, st, &p, terms, n, true, false);
        free(terms);
        n = date_terms(want, nwant, &terms);
        if (rc == AT_OK)
            rc = point_count(ctx, st, &p, terms, n, true, true);
        free(terms);
    }
    free_values(&p);
    return rc;
}

/* Makes the kept dates of the point at rowid (none when it is no point)
 * what its records give, writing only when they differ.  Row by row: an
 * INSERT of several rows would open a statement savepoint (see
 * state_touch). */
static int date_refresh(struct at_ctx *ctx, struct store *st, int64_t rowid)
{
    static const char want_sql[] = DATE_ROWS("g.id = ?1") " ORDER BY 2, 3";
    static const char delete_sql[] = "DELETE FROM layer_date WHERE id = ?1";
    static const char insert_sql[] = "INSERT INTO layer_date(id, lo, hi, lmin) VALUES (?1, ?2, ?3, ?4)";
    struct date_row *held = NULL, *want = NULL;
    size_t nheld, nwant;
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = held_dates(ctx, st, rowid, &held, &nheld)) != AT_OK
        || (rc = date_rows_read(ctx, st, want_sql, 1, rowid, &want, &nwant)) != AT_OK)
        goto out;
    if (same_rows(held, nheld, want, nwant) || (rc = date_recount(ctx, st, rowid, held, nheld, want, nwant)) != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, delete_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_int64(stmt, 1, rowid);
    if ((rc = step_done(ctx, st, stmt)) != AT_OK)
        goto out;
    for (size_t i = 0; i < nwant && rc == AT_OK; i++) {
        if ((stmt = store_stmt(ctx, st, insert_sql)) == NULL) {
            rc = AT_ERR;
            goto out;
        }
        sqlite3_bind_int64(stmt, 1, rowid);
        sqlite3_bind_int64(stmt, 2, want[i].lo);
        sqlite3_bind_int64(stmt, 3, want[i].hi);
        sqlite3_bind_int(stmt, 4, want[i].lmin);
        rc = step_done(ctx, st, stmt);
    }
out:
    free(held);
    free(want);
    return rc;
}

/* Refreshes the kept dates of the rowids of the rows of sql, bound to
 * text at ?1 (read whole first: the refresh writes). */
static int date_refresh_each(struct at_ctx *ctx, struct store *st, const char *sql, const char *text)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int64_t *rowids = NULL;
    size_t n = 0, cap = 0;
    int rc = AT_OK, step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap)
            rowids = xrealloc(rowids, (cap = cap ? 2 * cap : 8) * sizeof *rowids);
        rowids[n++] = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE)
        rc = store_error(ctx, st, "reading the points linked to a record");
    for (size_t i = 0; i < n && rc == AT_OK; i++)
        rc = date_refresh(ctx, st, rowids[i]);
    free(rowids);
    return rc;
}

int layer_date_record(struct at_ctx *ctx, struct store *st, int64_t rowid, const char *id,
                      bool replaced, const struct layer_stale *s)
{
    static const char target_sql[] = "SELECT rowid FROM record_current WHERE id = ?1";
    /* The records whose links go through id: those that refer to it, and
     * those referred to by a record that refers to it. */
    static const char through_sql[] =
        "SELECT c.rowid FROM record_ref r CROSS JOIN record_current c ON c.id = r.id"
        " WHERE r.target = ?1"
        " UNION SELECT c.rowid FROM record_ref r2 CROSS JOIN record_ref r1 ON r1.id = r2.id"
        " CROSS JOIN record_current c ON c.id = r1.target WHERE r2.target = ?1";
    bool kept;
    int rc;

    if ((rc = dates_kept(ctx, st, &kept)) != AT_OK || !kept)
        return rc;
    rc = date_refresh(ctx, st, rowid);
    for (size_t i = 0; i < s->n && rc == AT_OK; i++)
        rc = date_refresh_each(ctx, st, target_sql, s->ids[i]);
    if (rc == AT_OK && replaced)
        rc = date_refresh_each(ctx, st, through_sql, id);
    return rc;
}

int layer_date_suspend(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st, "UPDATE layer_state SET dated = 0");
}

static const struct count_insert count_table = COUNT_INSERT("layer_count");

/* Makes every point's kept dates again (not their rows in the counts). */
static int dates_fill(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st, "DELETE FROM layer_date;"
                      " INSERT INTO layer_date(id, lo, hi, lmin) " DATE_ROWS("1")
                      "; UPDATE layer_state SET dated = 1");
}

/* Makes every point's kept dates and the counts by dates again. */
static int dates_rebuild(struct at_ctx *ctx, struct store *st)
{
    int rc = dates_fill(ctx, st);

    if (rc == AT_OK)
        rc = store_exec(ctx, st, "DELETE FROM layer_count WHERE level >= " TEXT(LEVEL_BY_DATES));
    if (rc == AT_OK)
        rc = state_grow(ctx, st);
    return rc == AT_OK ? rebuild_rows(ctx, st, &count_table, REBUILD_DATED) : rc;
}

int layer_date_resume(struct at_ctx *ctx, struct store *st)
{
    bool built;
    int rc = state_read(ctx, st, NULL, &built);

    if (rc != AT_OK)
        return rc;
    return built ? dates_rebuild(ctx, st) : store_exec(ctx, st, "UPDATE layer_state SET dated = 1");
}

/* Compares the kept dates with what the records give: AT_ECORRUPT naming
 * the first point whose rows differ. */
static int dates_check(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "SELECT coalesce(c.id, '(' || d.id || ')') FROM"
        " (SELECT * FROM (SELECT id, lo, hi, lmin FROM layer_date EXCEPT " DATE_ROWS("1") ")"
        "  UNION ALL SELECT * FROM (" DATE_ROWS("1") " EXCEPT SELECT id, lo, hi, lmin FROM layer_date)"
        "  LIMIT 1) d"
        " LEFT JOIN record_current c ON c.rowid = d.id";
    sqlite3_stmt *stmt = NULL;
    bool kept;
    int rc;

    if ((rc = dates_kept(ctx, st, &kept)) != AT_OK || !kept)
        return rc;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "comparing the map's dates");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "layer_date: record %s: the dates the map filters it by "
                       "differ from its own and its events' (run 'attest rebuild' if nothing else "
                       "is wrong)", sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return rc;
}

/* Each point's values, from the records. */
#define VALUE_ROWS                                                             \
    "SELECT g.id, " LAYER_VALUES " FROM geo_rtree g CROSS JOIN record_current c ON c.rowid = g.id"

int layer_count_rebuild(struct at_ctx *ctx, struct store *st)
{
    bool built;
    int rc;

    if ((rc = store_exec(ctx, st, "DELETE FROM layer_count; DELETE FROM layer_value")) != AT_OK
        || (rc = state_touch(ctx, st, &built)) != AT_OK
        || (rc = dates_fill(ctx, st)) != AT_OK
        || (rc = rebuild_rows(ctx, st, &count_table,
                              REBUILD_PLAIN | REBUILD_DATED | REBUILD_VALUES)) != AT_OK)
        return rc;
    return store_exec(ctx, st, "UPDATE layer_state SET built = 1");
}

int layer_count_fill(struct at_ctx *ctx, struct store *st)
{
    bool built, kept;
    int rc;

    if ((rc = state_read(ctx, st, NULL, &built)) != AT_OK || (rc = dates_kept(ctx, st, &kept)) != AT_OK
        || (built && kept) || store_read_only(st))
        return rc;
    if ((rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    if ((rc = layer_count_rebuild(ctx, st)) != AT_OK) {
        store_rollback(st);
        ctx_prefix(ctx, "making the map's counts: ");
        return rc;
    }
    return store_commit(ctx, st);
}

/* Forgets the counts till layer_count_rebuild (record_rebuild, before it
 * refills the spatial index, so that its writes do not count twice). */
int layer_count_clear(struct at_ctx *ctx, struct store *st)
{
    int rc = store_exec(ctx, st, "DELETE FROM layer_count; DELETE FROM layer_value;"
                        " DELETE FROM layer_date; UPDATE layer_state SET built = 0");

    return rc == AT_OK ? state_grow(ctx, st) : rc;
}

/* The key of a row of the counts t and of w equal. */
#define SAME_KEY(T, W)                                                         \
    T ".level = " W ".level AND " T ".y = " W ".y AND " T ".x = " W ".x AND "   \
    T ".type = " W ".type AND " T ".clearance = " W ".clearance AND "          \
    T ".site_type = " W ".site_type AND " T ".confidence = " W ".confidence AND " \
    T ".province = " W ".province AND " T ".lo = " W ".lo AND " T ".hi = " W ".hi AND " \
    T ".sign = " W ".sign"

/* Names a value of the counts in a message: the text, or "none". */
static const char *value_name(sqlite3_stmt *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_TEXT ? (const char *)sqlite3_column_text(stmt, col)
                                                         : "none";
}

int layer_count_check(struct at_ctx *ctx, struct store *st)
{
    static const char create_sql[] =
        "DROP TABLE IF EXISTS temp.layer_count_want;"
        " CREATE TEMP TABLE layer_count_want AS SELECT * FROM main.layer_count WHERE 0";
    static const struct count_insert insert_sql = COUNT_INSERT("temp.layer_count_want");
    static const char diff_sql[] =
        "SELECT d.level, d.x, d.y, d.type, d.clearance, d.site_type, d.confidence, d.province,"
        " h.n, w.n, d.lo, d.hi, d.sign FROM"
        " (SELECT * FROM (SELECT * FROM main.layer_count EXCEPT SELECT * FROM temp.layer_count_want)"
        "  UNION ALL"
        "  SELECT * FROM (SELECT * FROM temp.layer_count_want EXCEPT SELECT * FROM main.layer_count)"
        "  LIMIT 1) d"
        " LEFT JOIN main.layer_count h ON " SAME_KEY("h", "d")
        " LEFT JOIN temp.layer_count_want w ON " SAME_KEY("w", "d");
    static const char values_sql[] =
        "SELECT c.id FROM (" VALUE_ROWS ") r JOIN record_current c ON c.rowid = r.id"
        " LEFT JOIN layer_value v ON v.id = r.id WHERE v.id IS NULL"
        " OR v.site_type IS NOT r.site_type OR v.confidence IS NOT r.confidence"
        " OR v.province IS NOT r.province"
        " UNION ALL SELECT '(' || v.id || ')' FROM layer_value v"
        " WHERE NOT EXISTS (SELECT 1 FROM geo_rtree g WHERE g.id = v.id) LIMIT 1";
    sqlite3_stmt *stmt = NULL;
    bool built, kept;
    int rc;

    /* The dates first: the counts by dates are checked against them. */
    if ((rc = state_read(ctx, st, NULL, &built)) != AT_OK || !built || (rc = dates_check(ctx, st)) != AT_OK)
        return rc;
    /* A read-only archive (a file opened read-only, query_only on) still
     * has a writable temporary database, which query_only would refuse. */
    if (store_read_only(st) && (rc = store_exec(ctx, st, "PRAGMA query_only = OFF")) != AT_OK)
        return rc;
    if ((rc = store_exec(ctx, st, create_sql)) != AT_OK
        || (rc = dates_kept(ctx, st, &kept)) != AT_OK
        || (rc = rebuild_rows(ctx, st, &insert_sql, REBUILD_PLAIN | (kept ? REBUILD_DATED : 0))) != AT_OK)
        goto out;
    if (sqlite3_prepare_v2(store_db(st), diff_sql, -1, &stmt, NULL) != SQLITE_OK) {
        rc = store_error(ctx, st, "comparing the map's counts");
        goto out;
    }
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        long long held = sqlite3_column_int64(stmt, 8), want = sqlite3_column_int64(stmt, 9);
        struct buf term = BUF_INIT;
        if (sqlite3_column_int(stmt, 0) >= LEVEL_BY_DATES)
            buf_printf(&term, ", dates term %lld..%lld counted %+d",
                       (long long)sqlite3_column_int64(stmt, 10), (long long)sqlite3_column_int64(stmt, 11),
                       sqlite3_column_int(stmt, 12));
        rc = ctx_error(ctx, AT_ECORRUPT, "layer_count: level %d cell %lld,%lld, %s of clearance %d "
                       "(site_type %s, confidence %s, province %s%s) holds %lld%s, the records give %lld "
                       "(run 'attest rebuild' if nothing else is wrong)",
                       sqlite3_column_int(stmt, 0), (long long)sqlite3_column_int64(stmt, 1),
                       (long long)sqlite3_column_int64(stmt, 2), sqlite3_column_text(stmt, 3),
                       sqlite3_column_int(stmt, 4), value_name(stmt, 5), value_name(stmt, 6),
                       value_name(stmt, 7), buf_str(&term), held,
                       held == want ? " with another sum or extent" : "", want);
        buf_free(&term);
        goto out;
    }
    sqlite3_finalize(stmt);
    if (sqlite3_prepare_v2(store_db(st), values_sql, -1, &stmt, NULL) != SQLITE_OK) {
        rc = store_error(ctx, st, "comparing the map's values");
        goto out;
    }
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = ctx_error(ctx, AT_ECORRUPT, "layer_value: record %s: the values the map counts it by "
                       "differ from its text (run 'attest rebuild' if nothing else is wrong)",
                       sqlite3_column_text(stmt, 0));
out:
    sqlite3_finalize(stmt);
    if (rc == AT_OK)
        rc = store_exec(ctx, st, "DROP TABLE temp.layer_count_want");
    else
        store_exec(&(struct at_ctx){ 0 }, st, "DROP TABLE IF EXISTS temp.layer_count_want");
    if (store_read_only(st) && store_exec(&(struct at_ctx){ 0 }, st, "PRAGMA query_only = ON") != AT_OK
        && rc == AT_OK)
        rc = ctx_error(ctx, AT_ERR, "the archive could not be made read-only again");
    return rc;
}

int layer_generation(struct at_ctx *ctx, struct store *st, int64_t *out)
{
    return state_read(ctx, st, out, NULL);
}

int layer_count_points(struct at_ctx *ctx, struct store *st, bool *built, int64_t *points)
{
    /* The coarsest level's cells, by type and clearance, hold every point
     * once. */
    static const char sql[] = "SELECT total(n) FROM layer_count WHERE level = ?1";
    sqlite3_stmt *stmt;
    int rc, step;

    *points = 0;
    if ((rc = state_read(ctx, st, NULL, built)) != AT_OK || !*built)
        return rc;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, LEVEL_MIN);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        *points = (int64_t)sqlite3_column_double(stmt, 0);
    sqlite3_reset(stmt);
    return step == SQLITE_ROW ? AT_OK : store_error(ctx, st, "counting the map's points");
}
