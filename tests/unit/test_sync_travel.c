/*
 * test_sync_travel.c: what a travel removes and what it keeps: record
 * versions, evidence and the vault's files go (the files overwritten),
 * keys and users stay; the log keeps its leaves under a signed travel item,
 * so that verify passes and a new write continues the log; a session
 * without the sync right removes nothing.  (The pack half of sync_travel
 * is sync_export's, tested with it; tests/cli/test_travel.sh runs both.)
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/sync.h"
#include "../../src/core/vault.h"
#include "../../src/core/verify.h"
#include "fixture.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Files in dir, not counting . and .. */
static int files_in(const char *dir)
{
    char cmd[600];
    int n = -1;
    FILE *p;

    snprintf(cmd, sizeof cmd, "find '%s' -type f | wc -l", dir);
    if ((p = popen(cmd, "r")) != NULL) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

UNIT_TEST(sync_travel_removes_witness_data_and_keeps_the_log_sound)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "laptop", &admin);
    struct travel_report removed;
    struct verify_report vr;
    struct tree_head before, after;
    char id[RECORD_ID_MAX], ev[VAULT_ID_MAX], path[512], vault[512];
    int64_t upto = -1, entries;
    bool existed;
    FILE *f;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\":\"FICTIONAL travel event\"}", -1, id) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "witness", "{\"code\":\"FICTIONAL-W-TRAVEL\"}", -1, NULL) == AT_OK);
    snprintf(path, sizeof path, "%s/evidence.txt", unit_tmpdir());
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("FICTIONAL evidence bytes that must not survive a travel\n", f);
    fclose(f);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(vault_add_file(&ctx, st, &(struct vault_add){ path, NULL, NULL, NULL, NULL, -1, NULL }, ev,
                           &existed) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    snprintf(vault, sizeof vault, "%s/vault", store_dir(st));
    CHECK(files_in(vault) >= 1);
    CHECK(sync_travel_upto(&ctx, st, &upto) == AT_OK && upto == 0);
    REQUIRE(evlog_latest_head(&ctx, st, &before) == AT_OK);
    entries = unit_sql_int(st, "SELECT count(*) FROM log_entry");

    /* Without the sync right: refused, nothing removed. */
    struct session analyst = admin;
    analyst.role = ROLE_ANALYST;
    store_set_session(st, &analyst);
    CHECK(sync_travel_remove(&ctx, st, "centre", "00", 0, &removed) == AT_EDENIED);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM record_version") == 2);
    store_set_session(st, &admin);

    REQUIRE(sync_travel_remove(&ctx, st, "centre", "ab", 7, &removed) == AT_OK);
    CHECK(removed.versions == 2 && removed.files == 1 && removed.shredded >= 1);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM record_version") == 0);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM record_current") == 0);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM vault_item") == 0);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM search_words") == 0);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM log_item WHERE kind = 'evidence'") == 0);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM log_item WHERE kind IN ('user', 'keys')") >= 2);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM user") == 1);
    CHECK(files_in(vault) == 0);
    /* The leaves stay, one more for the travel item, under a new head. */
    CHECK(unit_sql_int(st, "SELECT count(*) FROM log_entry") == entries + 1);
    CHECK(sync_travel_upto(&ctx, st, &upto) == AT_OK && upto == entries);
    REQUIRE(evlog_latest_head(&ctx, st, &after) == AT_OK);
    CHECK(after.size == before.size + 1);
    CHECK(verify_archive(&ctx, st, true, &vr) == AT_OK);
    CHECK(vr.travelled > 0 && vr.travelled + vr.log_items == (uint64_t)entries + 1);
    CHECK(vr.record_versions == 0);

    /* A write after the travel continues the log, and verify still passes. */
    CHECK(unit_add(&ctx, st, "event", "{\"title\":\"FICTIONAL after the crossing\"}", -1, NULL) == AT_OK);
    CHECK(verify_archive(&ctx, st, true, &vr) == AT_OK);
    CHECK(vr.record_versions == 1);

    /* A text removed below no travel item is still corruption. */
    CHECK(store_exec(&ctx, st, "DELETE FROM record_version") == AT_OK);
    CHECK(verify_archive(&ctx, st, false, &vr) == AT_ECORRUPT);
    store_close(st);
}
