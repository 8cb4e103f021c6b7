/*
 * record_filter.c: binds a record filter to a statement written with
 * RECORD_FILTER_SQL (record_filter.h): the one place a listing's filter
 * meets its SQL, with the clearance capped at what the session may read.
 */
#include "record_filter.h"
#include "access.h"

void record_filter_bind(struct store *st, sqlite3_stmt *stmt, const struct record_filter *f)
{
    if (f->has_bbox) {
        bool crosses = f->west > f->east;
        /* First box: west to east, or west to 180; second: -180 to east
         * when crossing, else an empty range. */
        sqlite3_bind_double(stmt, 15, crosses ? 180.0 : f->east);
        sqlite3_bind_double(stmt, 16, crosses ? -180.0 : 1000.0);
    }
    if (f->type)
        sqlite3_bind_text(stmt, 1, f->type, -1, SQLITE_STATIC);
    if (f->date_from)
        sqlite3_bind_int(stmt, 2, f->date_from);
    if (f->date_to)
        sqlite3_bind_int(stmt, 3, f->date_to);
    if (f->place)
        sqlite3_bind_text(stmt, 4, f->place, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, access_read_limit(store_session(st), f->max_clearance));
    sqlite3_bind_int(stmt, 6, f->include_retracted);
    sqlite3_bind_int64(stmt, 7, f->limit > 0 ? f->limit : -1);
    sqlite3_bind_int64(stmt, 8, f->offset);
    if (f->has_bbox) {
        sqlite3_bind_double(stmt, 9, f->south);
        sqlite3_bind_double(stmt, 10, f->west);
        sqlite3_bind_double(stmt, 11, f->north);
        sqlite3_bind_double(stmt, 12, f->east);
    }
    if (f->field && f->value) {
        sqlite3_bind_text(stmt, 13, f->field, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 14, f->value, -1, SQLITE_STATIC);
    }
}
