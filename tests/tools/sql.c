/*
 * sql.c: attest-sql, the tests' window into an encrypted archive's
 * database, as the sqlite3 shell was before the database was encrypted.
 *
 *   attest-sql DIR [SQL]    runs SQL (or each line of stdin) and prints
 *                           each row as its columns joined by '|'
 *   attest-sql DIR .dump    prints every table's rows, for fingerprints
 *                           (BLOBs in hex)
 *
 * SQL may also call proof_json(BLOB [, DOC]) and proof_blob(JSON): a
 * proof kept with an imported version or item (record_version.proof,
 * sync_item.proof) as JSON a person reads and changes, and back, always
 * with its text (sync_proof_json, sync_proof_from_json); DOC, the
 * version's doc, gives back the text of a proof kept without it.
 *
 * Opens DIR as $ATTEST_USER with the passphrase on fd
 * $ATTEST_PASSPHRASE_FD, the same unlock every command does, with foreign
 * keys not enforced (as in the sqlite3 shell).  Built for the tests only;
 * never installed.
 */
#include "../../src/core/attest.h"
#include "../../src/core/sync.h"
#include "../../src/core/unlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int print_row(void *unused, int ncols, char **values, char **names)
{
    (void)unused;
    (void)names;
    for (int i = 0; i < ncols; i++)
        printf("%s%s", i ? "|" : "", values[i] ? values[i] : "");
    putchar('\n');
    return 0;
}

static int run(sqlite3 *db, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(db, sql, print_row, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "Error: %s\n", err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return 1;
    }
    fflush(stdout);
    return 0;
}

static void proof_json(sqlite3_context *sq, int argc, sqlite3_value **argv)
{
    json_t *j = sync_proof_json(sqlite3_user_data(sq), sqlite3_value_blob(argv[0]),
                                (size_t)sqlite3_value_bytes(argv[0]),
                                argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL);
    char *text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

    if (text)
        sqlite3_result_text(sq, text, -1, free);
    else
        sqlite3_result_error(sq, "proof_json: not a kept proof", -1);
    json_decref(j);
}

static void proof_blob(sqlite3_context *sq, int argc, sqlite3_value **argv)
{
    json_t *j = json_loads((const char *)sqlite3_value_text(argv[0]) ?: "", 0, NULL);
    struct buf b = BUF_INIT;

    (void)argc;
    if (sync_proof_from_json(j, &b) == AT_OK)
        sqlite3_result_blob(sq, b.data, (int)b.len, SQLITE_TRANSIENT);
    else
        sqlite3_result_error(sq, "proof_blob: not the JSON of a proof", -1);
    buf_free(&b);
    json_decref(j);
}

/* One table's rows, BLOBs in hex (a BLOB may hold a NUL). */
static int dump_table(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *rows;

    if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK)
        return run(db, sql);
    while (sqlite3_step(rows) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(rows); i++) {
            const uint8_t *b = sqlite3_column_type(rows, i) == SQLITE_BLOB
                                   ? sqlite3_column_blob(rows, i) : NULL;
            if (i)
                putchar('|');
            if (b)
                for (int k = 0; k < sqlite3_column_bytes(rows, i); k++)
                    printf("%02x", b[k]);
            else if (sqlite3_column_type(rows, i) != SQLITE_NULL)
                fputs((const char *)sqlite3_column_text(rows, i), stdout);
        }
        putchar('\n');
    }
    sqlite3_finalize(rows);
    return 0;
}

/* Every table's rows in name order: a fingerprint of the database. */
static int dump(sqlite3 *db)
{
    sqlite3_stmt *tables;
    char sql[300];
    int rc = 0;

    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                           "ORDER BY name", -1, &tables, NULL) != SQLITE_OK)
        return run(db, "SELECT 1 FROM no_such_table");
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        printf("-- %s\n", name);
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1", name);
        rc |= dump_table(db, sql);
    }
    sqlite3_finalize(tables);
    return rc;
}

int main(int argc, char **argv)
{
    struct at_ctx ctx = { 0 };
    const char *user = getenv("ATTEST_USER"), *fd = getenv("ATTEST_PASSPHRASE_FD");
    char pass[256], line[65536];
    struct session s;
    struct store *st;
    ssize_t n;
    int rc = 0;

    if (argc < 2 || argc > 3 || user == NULL || fd == NULL) {
        fprintf(stderr, "usage: ATTEST_USER=U ATTEST_PASSPHRASE_FD=N attest-sql DIR [SQL|.dump]\n");
        return 2;
    }
    n = pread(atoi(fd), pass, sizeof pass - 1, 0);
    pass[n > 0 ? n : 0] = '\0';
    pass[strcspn(pass, "\r\n")] = '\0';
    if (unlock_open(&ctx, argv[1], user, pass, &st, &s) != AT_OK) {
        fprintf(stderr, "attest-sql: %s\n", ctx.message);
        return 1;
    }
    /* As the sqlite3 shell: constraints the tests break on purpose are
     * not enforced. */
    run(store_db(st), "PRAGMA foreign_keys = OFF");
    sqlite3_create_function(store_db(st), "proof_json", 1, SQLITE_UTF8, st, proof_json, NULL, NULL);
    sqlite3_create_function(store_db(st), "proof_json", 2, SQLITE_UTF8, st, proof_json, NULL, NULL);
    sqlite3_create_function(store_db(st), "proof_blob", 1, SQLITE_UTF8, NULL, proof_blob, NULL, NULL);
    if (argc == 3)
        rc = strcmp(argv[2], ".dump") == 0 ? dump(store_db(st)) : run(store_db(st), argv[2]);
    else
        while (fgets(line, sizeof line, stdin))
            rc |= run(store_db(st), line);
    access_session_free(&s);
    store_close(st);
    return rc;
}
