/*
 * layer.c: the records of a map layer inside a bounding box, listed or
 * counted in the cells of a grid.  The answer is record_list's for the
 * same filter (RECORD_FILTER_SQL, record.h); only the plan differs.
 * Reading the R*Tree's auxiliary type column costs a statement per
 * candidate, while the candidate's row in record_current, which the query
 * reads anyway for the matches, tells its type with one b-tree step: so
 * the R*Tree is asked for the box alone.  The grid counts from the
 * R*Tree's own columns (or, for filters it cannot answer, the row's) and
 * never parses a document, so a map zoomed out over a country costs one
 * pass over the points in view and answers with a few hundred cells,
 * however many records they hold.
 */
#include "layer.h"
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const LAYER_TYPES[LAYER_NTYPES] = { "site", "pinpoint", "event" };

/* The latitude beyond which Web Mercator has no rows. */
#define MERCATOR_LAT_MAX 85.0511287798066

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
    sqlite3_stmt *stmt;
    int rc = AT_OK, step;

    if (check_filter(ctx, f) != AT_OK)
        return AT_EINVAL;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    record_filter_bind(st, stmt, f);
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

static void grid_add(struct layer_grid *g, int type, double lat, double lon, sqlite3_int64 rowid)
{
    /* Points are inside the box; one on its edge that rounding puts in
     * the next cell is kept in the last. */
    int64_t x = (grid_col(g->n, lon) - g->x0 + g->n) % g->n, y = grid_row(g->n, lat) - g->y0;
    struct layer_cell *c;

    x = x >= g->cols ? g->cols - 1 : x;
    y = y < 0 ? 0 : y >= g->rows ? g->rows - 1 : y;
    c = &g->cells[y * g->cols + x];
    if (c->count++ == 0) {
        c->south = c->north = lat;
        c->west = c->east = lon;
    }
    c->types[type]++;
    c->lat_sum += lat;
    c->lon_sum += lon;
    c->south = fmin(c->south, lat), c->north = fmax(c->north, lat);
    c->west = fmin(c->west, lon), c->east = fmax(c->east, lon);
    c->rowid = rowid;
    g->total++;
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

int layer_grid_count(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                     struct layer_grid *g)
{
    bool by_box = !f->date_from && !f->date_to && !f->place && !f->field;
    sqlite3_stmt *stmt;
    int step;

    if (check_filter(ctx, f) != AT_OK)
        return AT_EINVAL;
    if ((stmt = store_stmt(ctx, st, by_box ? grid_rtree_sql : grid_rows_sql)) == NULL)
        return AT_ERR;
    record_filter_bind(st, stmt, f);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(stmt, 1);
        int k = 0;
        while (type && k < LAYER_NTYPES && strcmp(LAYER_TYPES[k], type) != 0)
            k++;
        if (type && k < LAYER_NTYPES)
            grid_add(g, k, sqlite3_column_double(stmt, 2), sqlite3_column_double(stmt, 3),
                     sqlite3_column_int64(stmt, 0));
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "counting a map layer");
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
