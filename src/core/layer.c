/*
 * layer.c: the records of a map layer inside a bounding box.  The answer
 * is record_list's for the same filter; only the plan differs.  Reading
 * the R*Tree's auxiliary type column costs a statement per candidate,
 * while the candidate's row in record_current, which the query reads
 * anyway for the matches, tells its type with one b-tree step: so the
 * R*Tree is asked for the box alone.
 */
#include "layer.h"
#include "store.h"

int layer_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
               int (*fn)(void *arg, const char *doc, size_t len), void *arg)
{
    /* One box, or two when the box crosses the antimeridian (the second
     * empty otherwise).  The R*Tree's boxes are single-precision and made
     * to contain their points: it is asked for boxes that overlap, and
     * the exact test on lat and lon decides. */
    static const char sql[] =
        "SELECT c.doc FROM (SELECT id FROM geo_rtree WHERE max_lat >= ?9 AND min_lat <= ?11"
        "                   AND max_lon >= ?10 AND min_lon <= ?15"
        "                   UNION ALL"
        "                   SELECT id FROM geo_rtree WHERE max_lat >= ?9 AND min_lat <= ?11"
        "                   AND max_lon >= ?16 AND min_lon <= ?12) g"
        " CROSS JOIN record_current c ON c.rowid = g.id" /* CROSS: the R*Tree drives */
        " WHERE (?1 IS NULL OR c.type = ?1)"
        "   AND (?2 IS NULL OR c.date_hi >= ?2)"
        "   AND (?3 IS NULL OR c.date_lo <= ?3)"
        "   AND (?4 IS NULL OR c.place LIKE '%' || ?4 || '%')"
        "   AND c.clearance <= ?5"
        "   AND NOT c.retracted"
        "   AND c.lat BETWEEN ?9 AND ?11"
        "   AND (CASE WHEN ?10 <= ?12 THEN c.lon BETWEEN ?10 AND ?12"
        "             ELSE c.lon >= ?10 OR c.lon <= ?12 END)"
        "   AND (?13 IS NULL OR json_extract(c.doc, '$.data.' || ?13) = ?14)"
        " ORDER BY c.id LIMIT ?7 OFFSET ?8";
    sqlite3_stmt *stmt;
    int rc = AT_OK, step;

    if (!f->has_bbox || f->include_retracted)
        return ctx_error(ctx, AT_EINVAL, "a layer needs a bounding box and no retracted records");
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
