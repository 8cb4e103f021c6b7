/*
 * fuzz_import.c: feeds arbitrary bytes to the JSON Lines import, first all
 * or nothing, then with skip_bad, into one scratch archive made on the
 * first call and emptied after each input (so that every input starts
 * from the same state).  Errors are expected; what must hold is:
 *  - every failure says why;
 *  - a failed all-or-nothing import leaves the archive empty;
 *  - with skip_bad, only a storage failure stops the import, and every
 *    non-blank line is counted once: added, a version, already present,
 *    or bad.
 * Any breach aborts.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/import.h"
#include "../../src/core/keys.h"
#include "../../src/core/unlock.h"
#include "../../src/core/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct store *st;
static struct session admin;
static char dir[64];
static char archive[96];

static void remove_archive(void)
{
    static const char *const files[] = { "attest.db", "attest.db-wal", "attest.db-shm" };
    char path[160];

    store_close(st);
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(path, sizeof path, "%s/%s", archive, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/vault", archive);
    rmdir(path);
    rmdir(archive);
    rmdir(dir);
}

static void open_archive(void)
{
    struct at_ctx ctx = { 0 };
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof dir, "%s/fuzz-import-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(archive, sizeof archive, "%s/archive", dir);
    /* Imports need a user; the cheapest key derivation will do here. */
    struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
    if (unlock_create(&ctx, archive, "fuzz", "FICTIONAL fuzz passphrase", &cheap, &st,
                      &admin) != AT_OK) {
        fprintf(stderr, "fuzz_import: %s\n", ctx.message);
        abort();
    }
    /* Durability is not under test here; speed is welcome. */
    if (store_exec(&ctx, st, "PRAGMA synchronous = OFF") != AT_OK)
        abort();
    atexit(remove_archive);
}

/* Empties the archive's records for the next input, keeping the log
 * entries of its keys and user (those not standing for a record). */
static void empty_archive(void)
{
    struct at_ctx ctx = { 0 };

    if (store_exec(&ctx, st, "BEGIN; DELETE FROM record_version;"
                             " DELETE FROM log_entry WHERE seq NOT IN (SELECT seq FROM log_item);"
                             " DELETE FROM tree_head WHERE size > (SELECT count(*) FROM log_item);"
                             " DELETE FROM record_current; DELETE FROM record_ref;"
                             " INSERT INTO search_words(search_words) VALUES ('delete-all');"
                             " INSERT INTO search_cjk(search_cjk) VALUES ('delete-all');"
                             " INSERT INTO search_short(search_short) VALUES ('delete-all');"
                             " DELETE FROM geo_rtree; COMMIT;") != AT_OK
        || evlog_rebuild_nodes(&ctx, st) != AT_OK) {
        fprintf(stderr, "fuzz_import: %s\n", ctx.message);
        abort();
    }
}

static long record_versions(void)
{
    struct at_ctx ctx = { 0 };
    sqlite3_stmt *stmt = store_stmt(&ctx, st, "SELECT count(*) FROM record_version");
    long n;

    if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
        abort();
    n = (long)sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return n;
}

/* Lines that the import reads as items: those not made only of blanks. */
static long nonblank_lines(const uint8_t *data, size_t size)
{
    long n = 0;
    bool blank = true;

    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') {
            n += !blank;
            blank = true;
        } else if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r') {
            blank = false;
        }
    }
    return n + !blank;
}

static int run(const uint8_t *data, size_t size, bool skip_bad, struct at_ctx *ctx,
               struct import_counts *counts)
{
    static char empty[1];
    struct import_options opt = { NULL, -1, skip_bad, NULL, NULL, NULL, 0, false, NULL };
    FILE *in = fmemopen(size ? (void *)data : empty, size ? size : 1, "r");
    int rc;

    if (in == NULL)
        abort();
    if (size == 0)
        fgetc(in); /* fmemopen needs a size of 1 at least: read it away */
    rc = import_jsonl(ctx, st, in, "fuzz.jsonl", &opt, counts);
    fclose(in);
    if (rc != AT_OK && ctx->message[0] == '\0')
        abort(); /* every failure must say why */
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    struct import_counts counts;
    int rc;

    if (st == NULL)
        open_archive();
    rc = run(data, size, false, &ctx, &counts);
    if (rc != AT_OK && record_versions() != 0)
        abort(); /* all or nothing */

    ctx_clear(&ctx);
    rc = run(data, size, true, &ctx, &counts);
    if (rc != AT_OK && rc != AT_ERR)
        abort(); /* skip_bad leaves out bad input instead of failing */
    if (rc == AT_OK
        && counts.added + counts.versions + counts.already + counts.bad != nonblank_lines(data, size))
        abort();
    empty_archive();
    return 0;
}
