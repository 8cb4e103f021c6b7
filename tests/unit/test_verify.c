/*
 * test_verify.c: checking an archive end to end: a sound archive passes
 * with every version and log entry counted; a version changed behind the
 * log, a current row that no longer matches its newest version, or a
 * column that reads filter on changed behind its text, is found and named.
 */
#include "../../src/core/attest.h"
#include "../../src/core/verify.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

static struct store *two_records(struct at_ctx *ctx, struct session *admin, char id[RECORD_ID_MAX])
{
    struct store *st = unit_archive(ctx, "a", admin);

    if (st == NULL
        || unit_add(ctx, st, "event", "{\"title\": \"FICTIONAL one\"}", CLEARANCE_PUBLIC, id) != AT_OK
        || unit_add(ctx, st, "event", "{\"title\": \"FICTIONAL two\"}", CLEARANCE_PUBLIC, NULL) != AT_OK)
        return NULL;
    return st;
}

UNIT_TEST(verify_sound_archive)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char id[RECORD_ID_MAX];
    struct store *st = two_records(&ctx, &admin, id);
    struct verify_report r = { 0 };

    REQUIRE(st != NULL);
    REQUIRE(verify_archive(&ctx, st, true, &r) == AT_OK);
    CHECK(r.record_versions == 2);
    CHECK(r.log_entries == r.record_versions + r.log_items);
    CHECK(r.heads >= 1);
    store_close(st);
}

/* Changes the first record of a sound archive with sql (its id bound to
 * ?1) and checks that verify finds it and names the record, and also
 * want where given. */
static void check_tampered(const char *sql, const char *want)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char id[RECORD_ID_MAX];
    struct store *st = two_records(&ctx, &admin, id);
    struct verify_report r = { 0 };
    sqlite3_stmt *stmt;

    REQUIRE(st != NULL);
    REQUIRE(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK);
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(stmt) == SQLITE_DONE);
    sqlite3_finalize(stmt);
    CHECK(verify_archive(&ctx, st, false, &r) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, id) != NULL);
    if (want)
        CHECK(strstr(ctx.message, want) != NULL);
    store_close(st);
}

UNIT_TEST(verify_finds_a_changed_version)
{
    check_tampered("UPDATE record_version SET doc = replace(doc, 'FICTIONAL one', 'FICTIONAL 1')"
                   " WHERE id = ?1", NULL);
}

UNIT_TEST(verify_finds_a_current_view_out_of_step)
{
    check_tampered("UPDATE record_current SET doc = replace(doc, 'FICTIONAL one', 'FICTIONAL 1')"
                   " WHERE id = ?1", "current view");
}

/* The columns reads filter on are checked against the text, not trusted. */
UNIT_TEST(verify_finds_a_current_view_clearance_changed)
{
    check_tampered("UPDATE record_current SET clearance = 3 WHERE id = ?1", "clearance");
}

UNIT_TEST(verify_finds_a_current_view_retraction_changed)
{
    check_tampered("UPDATE record_current SET retracted = 1 WHERE id = ?1", "retraction");
}

/* A server keeps a connection a thread.  FTS5 keeps a full-text table's
 * list of segments from a connection's last read, and SQLite's integrity
 * check used that list as it was: after another connection's writes had
 * merged those segments away, verify called a sound archive damaged. */
UNIT_TEST(verify_after_another_connection_merged_the_search_index)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char id[RECORD_ID_MAX], dir[512];
    uint8_t page_key[STORE_KEY_BYTES];
    struct store *st = two_records(&ctx, &admin, id), *other = NULL;
    struct verify_report r = { 0 };
    sqlite3_stmt *stmt;

    REQUIRE(st != NULL);
    REQUIRE(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM search_words WHERE search_words"
                               " MATCH 'fictional'", -1, &stmt, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 2);
    sqlite3_finalize(stmt);

    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    store_page_key(admin.master, page_key);
    REQUIRE(store_open(&ctx, dir, page_key, &other) == AT_OK);
    store_set_session(other, &admin);
    CHECK(unit_add(&ctx, other, "event", "{\"title\": \"FICTIONAL three\"}", CLEARANCE_PUBLIC, NULL)
          == AT_OK);
    CHECK(store_exec(&ctx, other, "INSERT INTO search_words(search_words) VALUES ('optimize')")
          == AT_OK);
    store_close(other);

    CHECK(verify_archive(&ctx, st, false, &r) == AT_OK);
    CHECK(r.record_versions == 3);
    store_close(st);
}
