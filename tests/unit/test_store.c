/* test_store.c: creating, opening and upgrading archives; the page cache
 * of a bulk write; what a module keeps beside a connection. */
#include "../../src/core/attest.h"
#include "../../src/core/record.h"
#include "../../src/core/schema.h"
#include "../../src/core/search_text.h"
#include "../../src/core/store.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>

/* A fixed page key: these archives guard nothing. */
static const uint8_t test_key[STORE_KEY_BYTES] = { 'F', 'I', 'C', 'T', 'I', 'O', 'N', 'A', 'L' };
#define TEST_KEY_PRAGMA "PRAGMA key = \"x'46494354494f4e414c00000000000000" \
                        "00000000000000000000000000000000'\";"

static int pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt;
    int v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

UNIT_TEST(store_create_sets_pragmas)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    char dir[512];
    struct buf mode = BUF_INIT;

    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(pragma_int(store_db(st), "PRAGMA application_id") == schema_application_id);
    CHECK(pragma_int(store_db(st), "PRAGMA user_version") == schema_version());
    CHECK(pragma_int(store_db(st), "PRAGMA foreign_keys") == 1);
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &stmt, NULL);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        buf_puts(&mode, (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    CHECK_STR(buf_str(&mode), "wal");
    CHECK(store_meta_get(&ctx, st, "archive_id", &mode) == AT_OK && mode.len == 32);
    store_close(st);
    /* A second create on the same directory is refused. */
    CHECK(store_create(&ctx, dir, test_key, &st) == AT_ECONFLICT);
    buf_free(&mode);
}

UNIT_TEST(store_open_refuses_other_files)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    char path[512];
    sqlite3 *db;

    CHECK(store_open(&ctx, unit_tmpdir(), test_key, &st) == AT_ENOTFOUND);
    CHECK(strstr(ctx.message, "not an attest archive") != NULL);
    snprintf(path, sizeof path, "%s/attest.db", unit_tmpdir());
    sqlite3_open(path, &db);
    sqlite3_exec(db, TEST_KEY_PRAGMA "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(store_open(&ctx, unit_tmpdir(), test_key, &st) == AT_EINVAL);
}

/* An archive made by each earlier schema version opens, upgrades, and
 * keeps its records. */
UNIT_TEST(store_upgrades_every_earlier_version)
{
    for (int from = 1; from < schema_version(); from++) {
        struct at_ctx ctx = { 0 };
        struct store *st;
        char dir[512], path[600], sql[128];
        sqlite3 *db;

        snprintf(dir, sizeof dir, "%s/v%d", unit_tmpdir(), from);
        mkdir(dir, 0700);
        snprintf(path, sizeof path, "%s/attest.db", dir);
        REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, TEST_KEY_PRAGMA, NULL, NULL, NULL) == SQLITE_OK);
        /* As every connection of the store has it: migration 27 reads it. */
        CHECK(search_text_connect(db) == SQLITE_OK);
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 schema_application_id, from);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sqlite3_exec(db, schema_create_sql(), NULL, NULL, NULL) == SQLITE_OK);
        for (int v = 1; v < from; v++)
            CHECK(sqlite3_exec(db, schema_migration(v), NULL, NULL, NULL) == SQLITE_OK);
        CHECK(sqlite3_exec(db, "INSERT INTO log_entry(seq, leaf, written_at) VALUES "
                           "(1, zeroblob(32), '2020-01-01T00:00:00Z');"
                           "INSERT INTO record_version(id, version, type, log_seq, doc) VALUES ('ev-0000000000aa', 1, 'event', 1, '{}');",
                           NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close(db);

        REQUIRE(store_open(&ctx, dir, test_key, &st) == AT_OK);
        CHECK(pragma_int(store_db(st), "PRAGMA user_version") == schema_version());
        CHECK(pragma_int(store_db(st), "SELECT count(*) FROM record_version") == 1);
        CHECK(pragma_int(store_db(st), "SELECT count(*) FROM tree_head") == 0);
        store_close(st);
    }
}

/* A new archive has pages of STORE_PAGE_SIZE; one made before, with
 * SQLCipher's 4 KiB pages, opens as it is, even with committed pages
 * still in its WAL (the first try, at 16 KiB, fails and writes nothing). */
UNIT_TEST(store_makes_large_pages_and_opens_4_kib_ones)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    char dir[512], path[600], sql[160];
    struct buf value = BUF_INIT;
    struct stat sb;
    sqlite3 *db;

    snprintf(dir, sizeof dir, "%s/large", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(pragma_int(store_db(st), "PRAGMA cipher_page_size") == STORE_PAGE_SIZE);
    CHECK(pragma_int(store_db(st), "PRAGMA page_size") == STORE_PAGE_SIZE);
    store_close(st);
    snprintf(path, sizeof path, "%s/attest.db", dir);
    CHECK(stat(path, &sb) == 0 && sb.st_size > 0 && sb.st_size % STORE_PAGE_SIZE == 0);

    snprintf(dir, sizeof dir, "%s/small", unit_tmpdir());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/attest.db", dir);
    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    snprintf(sql, sizeof sql, TEST_KEY_PRAGMA "PRAGMA cipher_page_size = 4096;"
             "PRAGMA application_id = %d; PRAGMA user_version = %d; PRAGMA journal_mode = WAL;",
             schema_application_id, schema_version());
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, schema_create_sql(), NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA wal_autocheckpoint = 0; INSERT INTO meta(key, value) "
                       "VALUES ('planted', 'FICTIONAL in the WAL')", NULL, NULL, NULL) == SQLITE_OK);
    REQUIRE(store_open(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(pragma_int(store_db(st), "PRAGMA cipher_page_size") == 4096);
    CHECK(store_meta_get(&ctx, st, "planted", &value) == AT_OK);
    CHECK_STR(buf_str(&value), "FICTIONAL in the WAL");
    store_close(st);
    sqlite3_close(db);
    buf_free(&value);
}

UNIT_TEST(store_refuses_newer_schema)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    char dir[512], sql[64];

    snprintf(dir, sizeof dir, "%s/n", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_version() + 1);
    store_exec(&ctx, st, sql);
    store_close(st);
    CHECK(store_open(&ctx, dir, test_key, &st) == AT_EINVAL);
    CHECK(strstr(ctx.message, "newer than this attest") != NULL);
}

/* Every page is encrypted: the file holds none of what was written, and
 * neither no key nor another key opens it. */
UNIT_TEST(store_encrypts_every_page)
{
    static const uint8_t other_key[STORE_KEY_BYTES] = { 'O', 'T', 'H', 'E', 'R' };
    struct at_ctx ctx = { 0 };
    struct store *st;
    char dir[512], path[600];
    struct buf file = BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *f;

    snprintf(dir, sizeof dir, "%s/e", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(store_meta_set(&ctx, st, "planted", "FICTIONAL Zebrafinch marker") == AT_OK);
    store_close(st);
    snprintf(path, sizeof path, "%s/attest.db", dir);
    REQUIRE((f = fopen(path, "rb")) != NULL);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&file, chunk, n);
    fclose(f);
    CHECK(file.len > 4096);
    CHECK(memmem(file.data, file.len, "Zebrafinch", 10) == NULL);
    CHECK(memmem(file.data, file.len, "SQLite format 3", 15) == NULL);
    CHECK(store_open(&ctx, dir, other_key, &st) == AT_EDENIED);
    CHECK(strstr(ctx.message, "does not open it") != NULL);
    CHECK(store_open(&ctx, dir, NULL, &st) == AT_EDENIED);
    CHECK(strstr(ctx.message, "encrypted") != NULL);
    REQUIRE(store_open(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(store_meta_get(&ctx, st, "planted", &file) == AT_OK);
    CHECK_STR(buf_str(&file), "FICTIONAL Zebrafinch marker");
    store_close(st);
    buf_free(&file);
}

UNIT_TEST(store_bulk_cache_sets_and_restores)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    char dir[512];
    int was;

    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(pragma_int(store_db(st), "PRAGMA cache_size") == -65536);
    was = store_bulk_cache(st);
    CHECK(was == -65536);
    CHECK(pragma_int(store_db(st), "PRAGMA cache_size") == -262144);
    store_bulk_cache_restore(st, was);
    CHECK(pragma_int(store_db(st), "PRAGMA cache_size") == -65536);
    store_bulk_cache_restore(st, 0); /* nothing was read: nothing is set */
    CHECK(pragma_int(store_db(st), "PRAGMA cache_size") == -65536);
    store_close(st);
}

/* A statement a caller is stepping through is never the one a full cache
 * lets go: a server's connection runs more than the cache holds, and
 * record_list's statement was finalized under it when its callback had
 * prepared others (the server crashed in a map export's report). */
UNIT_TEST(store_stmt_keeps_the_statements_in_use)
{
    static const char in_use[] = "SELECT value FROM json_each('[1, 2, 3]')";
    static char others[100][32];
    struct at_ctx ctx = { 0 };
    struct store *st;
    sqlite3_stmt *a, *s;
    char dir[512];
    bool live = false;

    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    REQUIRE((a = store_stmt(&ctx, st, in_use)) != NULL);
    CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 1);
    for (int i = 0; i < 100; i++) {
        snprintf(others[i], sizeof others[i], "SELECT %d", i);
        CHECK(store_stmt(&ctx, st, others[i]) != NULL);
    }
    for (s = sqlite3_next_stmt(store_db(st), NULL); s; s = sqlite3_next_stmt(store_db(st), s))
        live = live || strcmp(sqlite3_sql(s), in_use) == 0;
    CHECK(live);
    if (live)   /* else stepping it would read freed memory */
        CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 2);
    /* A statement used again is the newest: the cache keeps it. */
    REQUIRE((a = store_stmt(&ctx, st, in_use)) != NULL);
    for (int i = 0; i < 40; i++) {
        CHECK(store_stmt(&ctx, st, others[i]) != NULL);
        CHECK(store_stmt(&ctx, st, in_use) == a);
    }
    store_close(st);
}

static int kept_freed;

static void kept_free(void *p)
{
    kept_freed++;
    free(p);
}

/* What a module keeps beside a connection: found by its key, let go when
 * kept again under that key and when the store closes. */
UNIT_TEST(store_keep_holds_a_module_s_data_till_it_closes)
{
    struct at_ctx ctx = { 0 };
    static const char one = 0, two = 0;
    struct store *st;
    char dir[512];
    int *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b), *c = xmalloc(sizeof *c);

    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(store_create(&ctx, dir, test_key, &st) == AT_OK);
    CHECK(store_kept(st, &one) == NULL);
    store_keep(st, &one, a, kept_free);
    store_keep(st, &two, b, kept_free);
    CHECK(store_kept(st, &one) == a && store_kept(st, &two) == b);
    store_keep(st, &one, c, kept_free);
    CHECK(kept_freed == 1 && store_kept(st, &one) == c && store_kept(st, &two) == b);
    store_close(st);
    CHECK(kept_freed == 3);
}
