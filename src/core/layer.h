/* layer.h: the records of one map layer inside a bounding box, fast; and
 * the same records counted in the cells of a grid, for a map zoomed out. */
#ifndef LAYER_H
#define LAYER_H

#include "record.h"

/* As record_list for a filter with a bounding box and without retracted
 * records (f->has_bbox and !f->include_retracted): the same records in the
 * same order, each passed to fn as its current document text (borrowed
 * for the call).  The R*Tree gives the candidates by box alone; a
 * candidate's type is then read from its row, which is cheaper than the
 * R*Tree's auxiliary column. */
int layer_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
               int (*fn)(void *arg, const char *doc, size_t len), void *arg);

/* The grid of a map at zoom Z: the Web Mercator tiles of zoom Z +
 * LAYER_GRID_SHIFT, so that a cell is 64 pixels wide on the 256-pixel
 * tiles of zoom Z.  A box needing more than LAYER_GRID_MAX_CELLS cells is
 * refused.  The layer types a grid counts are LAYER_TYPES. */
#define LAYER_GRID_SHIFT 2
#define LAYER_ZOOM_MAX 22
#define LAYER_GRID_MAX_CELLS 65536
#define LAYER_NTYPES 3
extern const char *const LAYER_TYPES[LAYER_NTYPES];

/* One cell of the grid with at least one record in it. */
struct layer_cell {
    long count;
    long types[LAYER_NTYPES];     /* count of each of LAYER_TYPES */
    double lat_sum, lon_sum;      /* for the mean point */
    double south, west, north, east;  /* the records' extent */
    sqlite3_int64 rowid;          /* the record_current row of a record alone in the cell */
};

struct layer_grid {
    int zoom;
    int64_t n;                    /* cells a side of the whole world: 2^(zoom + shift) */
    int64_t x0, y0;               /* the box's first column and row */
    int64_t cols, rows;
    struct layer_cell *cells;     /* rows * cols, row by row */
    long total;                   /* records counted */
};

/* Sets up g for the box of f (f->has_bbox) at zoom (0..LAYER_ZOOM_MAX);
 * AT_EINVAL naming zoom when the box needs too many cells.  Free with
 * layer_grid_free. */
int layer_grid_init(struct at_ctx *ctx, struct layer_grid *g, const struct record_filter *f, int zoom);
void layer_grid_free(struct layer_grid *g);

/* Counts in g the records that layer_list would give for f (f->type one
 * of LAYER_TYPES, or NULL for all of them), without reading their
 * documents: only what the filter lets the reader see is counted. */
int layer_grid_count(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                     struct layer_grid *g);

/* The extent of the grid cell at index i of g.cells. */
void layer_grid_cell_box(const struct layer_grid *g, size_t i, double *south, double *west,
                         double *north, double *east);

/* Passes to fn the current document text of each record alone in its
 * cell, in id order. */
int layer_grid_singles(struct at_ctx *ctx, struct store *st, const struct layer_grid *g,
                       int (*fn)(void *arg, const char *doc, size_t len), void *arg);

#endif
