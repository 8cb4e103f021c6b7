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
/* The fields whose values the counts are also kept by: the map's field
 * filters (a filter of these alone is answered from the kept counts). */
#define LAYER_NFIELDS 3
extern const char *const LAYER_FIELDS[LAYER_NFIELDS];

/* One cell of the grid with at least one record in it. */
struct layer_cell {
    long count;
    long types[LAYER_NTYPES];     /* count of each of LAYER_TYPES */
    double lat_sum, lon_sum;      /* for the mean point */
    double south, west, north, east;  /* the records' extent */
    sqlite3_int64 rowid;          /* the record_current row of a record alone in the cell */
};

struct layer_grid {
    bool scan;                    /* count every point in view, even where the kept
                                     counts would answer (set before counting) */
    bool table;                   /* read the kept counts from their table, not
                                     from the copy in memory (set before counting) */
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
 * of LAYER_TYPES, or NULL for all of them): only what the filter lets the
 * reader see is counted.  At a zoom up to LAYER_COUNT_ZOOM_MAX, with a
 * filter of type, box and fields of LAYER_FIELDS, the cells inside the
 * box are read from the kept counts (layer_count, by clearance and field
 * values: only the clearances the reader may see and the values the
 * filter matches are summed; without field filters from the connection's
 * copy of them in memory, unless g->table) and only the cells on the
 * box's edge are counted point by point; otherwise (a date or place filter, or with
 * g->scan) every point in view is counted. */
int layer_grid_count(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                     struct layer_grid *g);

/* The extent of the grid cell at index i of g.cells. */
void layer_grid_cell_box(const struct layer_grid *g, size_t i, double *south, double *west,
                         double *north, double *east);

/* Passes to fn the current document text of each record alone in its
 * cell, in id order. */
int layer_grid_singles(struct at_ctx *ctx, struct store *st, const struct layer_grid *g,
                       int (*fn)(void *arg, const char *doc, size_t len), void *arg);

/* The counts kept current on each write: the grids of zooms 0 to
 * LAYER_COUNT_ZOOM_MAX (levels LAYER_GRID_SHIFT to LAYER_COUNT_ZOOM_MAX +
 * LAYER_GRID_SHIFT), by cell, type and clearance, and again by the values
 * of LAYER_FIELDS too (at those levels plus 32), in table layer_count;
 * each point's values in layer_value. */
#define LAYER_COUNT_ZOOM_MAX 12

/* The hook of the write path (record.c's derive_current, the one place a
 * current record is refreshed), called inside the writer's transaction
 * before the spatial index is updated (spatial_index_record), with what
 * the index entry of rowid is about to become: takes the entry's old
 * point out of the counts and puts the new one in (a point when
 * has_point and not retracted), and grows the generation.  Any other
 * path that writes current records (a bulk import) either calls it for
 * each record in the same way or calls layer_count_rebuild once after. */
int layer_count_record(struct at_ctx *ctx, struct store *st, int64_t rowid, const char *type,
                       int clearance, bool has_point, double lat, double lon, bool retracted);

/* Recreates the counts from the spatial index (geo_rtree) in one pass and
 * grows the generation: `attest rebuild` (record_rebuild) calls it after
 * refilling the index; a bulk import may too.  Inside the caller's
 * transaction. */
int layer_count_rebuild(struct at_ctx *ctx, struct store *st);

/* Builds the counts (layer_count_rebuild), in a transaction of its own,
 * when they are not built or the dates are not kept (a migration of the
 * schema left them so): opening an archive (unlock_open, unlock_create)
 * calls it, so that an archive of an older schema is counted at once.
 * Nothing on a read-only archive, whose map counts point by point. */
int layer_count_fill(struct at_ctx *ctx, struct store *st);

/* Empties the counts and marks them unbuilt, so that layer_count_record
 * leaves them alone till layer_count_rebuild: record_rebuild calls it
 * before it refills the spatial index. */
int layer_count_clear(struct at_ctx *ctx, struct store *st);

/* Whether the counts are built (kept current on each write) and, when
 * they are, how many points they count. */
int layer_count_points(struct at_ctx *ctx, struct store *st, bool *built, int64_t *points);

/* Recomputes the kept counts (and each point's values in layer_value) as
 * layer_count_rebuild would and compares them with the table: AT_ECORRUPT
 * naming the first row that differs ("layer_count: level L cell X,Y ...
 * holds N, the records give M").  Nothing to check while they are not
 * built.  Inside the caller's transaction (it writes a temporary table). */
int layer_count_check(struct at_ctx *ctx, struct store *st);

/* The dates the map filters each point by, kept in layer_date so that a
 * map with a date filter reads no document and no reference: per point,
 * each date interval that can make it match (its own date, or, for an
 * undated site or pinpoint, each of its events' as RECORD_FILTER_WHERE
 * links them) with the lowest clearance that sees it (the point's and the
 * event's, whichever is higher).  A point's intervals change with the
 * point and with the records its links go through, so a write refreshes
 * the points of the record itself, of the records its references reach
 * before (layer_date_before) and after it, and, when the record had a
 * current version already, of the records linked through it. */
struct layer_stale {
    char **ids;                   /* the records referred to before the write */
    size_t n, cap;
};
#define LAYER_STALE_INIT { NULL, 0, 0 }

/* Keeps in s the records id refers to now (record.c's derive_current,
 * before it replaces the references). */
int layer_date_before(struct at_ctx *ctx, struct store *st, const char *id, struct layer_stale *s);
void layer_stale_add(struct layer_stale *s, const char *id);
void layer_stale_free(struct layer_stale *s);

/* The hook of the write path, after the references and the spatial index
 * of record id (current row rowid) are written: refreshes the kept dates
 * of the points that may have changed (the record's own, the records of
 * s, which holds the ones referred to before and after, and, when
 * replaced, those linked through it).  Nothing while the counts are not
 * built or the dates are suspended. */
int layer_date_record(struct at_ctx *ctx, struct store *st, int64_t rowid, const char *id,
                      bool replaced, const struct layer_stale *s);

/* A bulk write (record_bulk_begin), whose references are not indexed
 * till its end, leaves the dates alone (layer_date_suspend) and has them
 * made again from every point once its indexes are back
 * (layer_date_resume), inside its transaction: the map never sees them
 * suspended. */
int layer_date_suspend(struct at_ctx *ctx, struct store *st);
int layer_date_resume(struct at_ctx *ctx, struct store *st);

/* The generation of the current records: grows with every write to them
 * and to the map's counts (a rebuild, the counts emptied, the dates made
 * again after a bulk write), and with nothing a read does, so that an
 * answer computed at one generation is the answer while it stays the
 * same (the map's reply cache; each connection's copy of the counts). */
int layer_generation(struct at_ctx *ctx, struct store *st, int64_t *out);

#endif
