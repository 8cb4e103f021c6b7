/* test_record_filter.c: a listing's filter bound to its SQL: unset parts
 * stay NULL (no filter), the clearance is capped at the session's, and a
 * box across the antimeridian is two ranges of longitude. */
#include "../../src/core/record_filter.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

/* Binds f to a statement that returns its parameters, and steps it. */
static sqlite3_stmt *bound(struct at_ctx *ctx, struct store *st, const struct record_filter *f)
{
    static const char sql[] = "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                              " ?15, ?16";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return NULL;
    record_filter_bind(st, stmt, f);
    return sqlite3_step(stmt) == SQLITE_ROW ? stmt : NULL;
}

UNIT_TEST(record_filter_binds_only_what_is_set)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "filter", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    sqlite3_stmt *stmt;

    REQUIRE(st);
    REQUIRE((stmt = bound(&ctx, st, &f)) != NULL);
    for (int i = 0; i < 16; i++)
        if (i != 4 && i != 5 && i != 6 && i != 7)
            CHECK(sqlite3_column_type(stmt, i) == SQLITE_NULL);
    CHECK(sqlite3_column_int(stmt, 4) == access_read_limit(&admin, -1));
    CHECK(sqlite3_column_int(stmt, 5) == 0);       /* no retracted records */
    CHECK(sqlite3_column_int64(stmt, 6) == -1);    /* no limit */
    CHECK(sqlite3_column_int64(stmt, 7) == 0);
    sqlite3_reset(stmt);

    f.type = "event";
    f.max_clearance = CLEARANCE_PUBLIC;
    f.limit = 5;
    f.has_bbox = true;
    f.south = 40, f.west = 170, f.north = 45, f.east = -170;  /* across the antimeridian */
    REQUIRE((stmt = bound(&ctx, st, &f)) != NULL);
    CHECK_STR((const char *)sqlite3_column_text(stmt, 0), "event");
    CHECK(sqlite3_column_int(stmt, 4) == CLEARANCE_PUBLIC);
    CHECK(sqlite3_column_int64(stmt, 6) == 5);
    CHECK(sqlite3_column_double(stmt, 14) == 180.0);
    CHECK(sqlite3_column_double(stmt, 15) == -180.0);
    sqlite3_reset(stmt);
    store_close(st);
    access_session_free(&admin);
}
