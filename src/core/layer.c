/*
 * layer.c: the records of a map layer inside a bounding box.  The answer
 * is record_list's for the same filter (RECORD_FILTER_SQL, record.h); only
 * the plan differs.  Reading the R*Tree's auxiliary type column costs a
 * statement per candidate, while the candidate's row in record_current,
 * which the query reads anyway for the matches, tells its type with one
 * b-tree step: so the R*Tree is asked for the box alone.
 */
#include "layer.h"
#include "store.h"

int layer_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
               int (*fn)(void *arg, const char *doc, size_t len), void *arg)
{
    static const char sql[] =
        "SELECT c.doc FROM" RECORD_FILTER_RTREE("")
        " CROSS JOIN record_current c ON c.rowid = g.id" /* CROSS: the R*Tree drives */
        RECORD_FILTER_SQL;
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
