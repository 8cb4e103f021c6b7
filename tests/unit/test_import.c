/*
 * test_import.c: JSON imports and the lossless export: JSON Lines of new
 * records, an export read back into another archive version for version,
 * the same export again changing nothing, a bad line naming file, line
 * and field, `add --json` arrays with their ids, and a check that stores
 * nothing.
 */
#include "../../src/core/attest.h"
#include "../../src/core/import.h"
#include "../../src/core/model.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static int jsonl(struct at_ctx *ctx, struct store *st, const char *text, const struct import_options *opt,
                 struct import_counts *c)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    int rc = import_jsonl(ctx, st, in, "in.jsonl", opt, c);
    fclose(in);
    return rc;
}

/* The page cache's setting (the store's is -65536: 64 MiB). */
static int cache_size(struct store *st)
{
    sqlite3_stmt *stmt;
    int v = 0;

    if (sqlite3_prepare_v2(store_db(st), "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

UNIT_TEST(import_jsonl_and_export_round_trip)
{
    struct at_ctx ctx = { 0 };
    struct session admin, admin2;
    struct store *st = unit_archive(&ctx, "a", &admin), *st2 = unit_archive(&ctx, "b", &admin2);
    struct import_options opt = { NULL, -1, false, NULL, NULL, NULL, 0, false, NULL };
    struct import_counts c = { 0 };
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    REQUIRE(st != NULL && st2 != NULL);
    REQUIRE(jsonl(&ctx, st, "{\"type\": \"event\", \"data\": {\"title\": \"FICTIONAL one\"}}\n"
                  "\n"
                  "{\"type\": \"witness\", \"data\": {\"code\": \"W-0007\"}, \"clearance\": \"confidential\"}\n",
                  &opt, &c) == AT_OK);
    CHECK(c.added == 2);
    out = open_memstream(&text, &len);
    REQUIRE(import_export_jsonl(&ctx, st, out) == AT_OK);
    fclose(out);
    CHECK(strstr(text, "FICTIONAL one") != NULL && strstr(text, "W-0007") != NULL);
    memset(&c, 0, sizeof c);
    REQUIRE(jsonl(&ctx, st2, text, &opt, &c) == AT_OK);
    CHECK(c.versions == 2 && c.added == 0);
    memset(&c, 0, sizeof c);
    REQUIRE(jsonl(&ctx, st2, text, &opt, &c) == AT_OK);
    CHECK(c.already == 2 && c.versions == 0);
    free(text);
    store_close(st);
    store_close(st2);
}

UNIT_TEST(import_jsonl_bad_line)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct import_options opt = { NULL, -1, false, NULL, NULL, NULL, 0, false, NULL };
    struct import_counts c = { 0 };

    REQUIRE(st != NULL);
    CHECK(jsonl(&ctx, st, "{\"type\": \"event\", \"data\": {\"title\": \"FICTIONAL ok\"}}\n"
                "{\"type\": \"event\", \"data\": {\"date\": \"1999\"}}\n", &opt, &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "in.jsonl") != NULL && strstr(ctx.message, "2") != NULL);
    CHECK(strstr(ctx.message, "title") != NULL);
    CHECK(jsonl(&ctx, st, "{\"type\": \"starship\", \"data\": {}}\n", &opt, &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "starship") != NULL);
    CHECK(jsonl(&ctx, st, "{not json\n", &opt, &c) == AT_EINVAL);
    CHECK(cache_size(st) == -65536); /* the bulk cache is set back after a refusal */
    store_close(st);
}

UNIT_TEST(import_json_records_ids)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct import_options opt = { NULL, -1, false, NULL, NULL, NULL, 0, false, NULL };
    struct import_counts c = { 0 };
    struct buf ids = BUF_INIT;
    const char *text = "[{\"title\": \"FICTIONAL a\"}, {\"title\": \"FICTIONAL b\"}]";
    FILE *in = fmemopen((void *)text, strlen(text), "r");

    REQUIRE(st != NULL);
    REQUIRE(import_json_records(&ctx, st, in, "add.json", model_type("event"), &opt, &c, &ids) == AT_OK);
    fclose(in);
    CHECK(c.added == 2);
    CHECK(ids.len > 0 && strchr(buf_str(&ids), '\n') != strrchr(buf_str(&ids), '\n'));
    buf_free(&ids);
    text = "\"just a string\"";
    in = fmemopen((void *)text, strlen(text), "r");
    CHECK(import_json_records(&ctx, st, in, "add.json", model_type("event"), &opt, &c, &ids) == AT_EINVAL);
    fclose(in);
    buf_free(&ids);
    store_close(st);
}

static void note_added(void *arg, const char *id)
{
    (*(int *)arg)++;
    (void)id;
}

UNIT_TEST(import_check_only_stores_nothing)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    int told = 0;
    struct import_options opt = { NULL, -1, false, NULL, NULL, &told, 0, true, note_added };
    struct import_counts c = { 0 };
    const char *text = "{\"type\": \"event\", \"data\": {\"title\": \"FICTIONAL checked\"}}\n";

    REQUIRE(st != NULL);
    REQUIRE(jsonl(&ctx, st, text, &opt, &c) == AT_OK);
    CHECK(c.added == 1 && told == 1);
    /* Nothing of the checked import is in the archive: an export holds none of it. */
    char *out_text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&out_text, &len);
    REQUIRE(import_export_jsonl(&ctx, st, out) == AT_OK);
    fclose(out);
    CHECK(strstr(out_text, "FICTIONAL checked") == NULL);
    free(out_text);
    opt.check_only = false;
    memset(&c, 0, sizeof c);
    REQUIRE(jsonl(&ctx, st, text, &opt, &c) == AT_OK);
    CHECK(c.added == 1 && told == 2);
    CHECK(cache_size(st) == -65536); /* and after a check and a commit */
    store_close(st);
}
