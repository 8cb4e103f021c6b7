/*
 * sql.c: attest-sql, the tests' window into an encrypted archive's
 * database, as the sqlite3 shell was before the database was encrypted.
 *
 *   attest-sql DIR [SQL]    runs SQL (or each line of stdin) and prints
 *                           each row as its columns joined by '|'
 *   attest-sql DIR .dump    prints every table's rows, for fingerprints
 *
 * Opens DIR as $ATTEST_USER with the passphrase on fd
 * $ATTEST_PASSPHRASE_FD, the same unlock every command does, with foreign
 * keys not enforced (as in the sqlite3 shell).  Built for the tests only;
 * never installed.
 */
#include "../../src/core/attest.h"
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
        rc |= run(db, sql);
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
    if (argc == 3)
        rc = strcmp(argv[2], ".dump") == 0 ? dump(store_db(st)) : run(store_db(st), argv[2]);
    else
        while (fgets(line, sizeof line, stdin))
            rc |= run(store_db(st), line);
    access_session_free(&s);
    store_close(st);
    return rc;
}
