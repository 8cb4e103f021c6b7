/*
 * test_csvio.c: records in and out as CSV: columns mapped to fields by
 * name or by --map, the id/clearance/source columns, a bad row failing the
 * whole import or skipped, duplicate columns refused, and the export with
 * its formula guard (and without, raw).
 */
#include "../../src/core/attest.h"
#include "../../src/core/csvio.h"
#include "../../src/core/model.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static int import_text(struct at_ctx *ctx, struct store *st, const char *csv, const struct csv_map *maps,
                       size_t nmaps, const struct import_options *opt, struct import_counts *c)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    int rc = csvio_import(ctx, st, in, "events.csv", model_type("event"), maps, nmaps, opt, c);
    fclose(in);
    return rc;
}

static char *export_text(struct at_ctx *ctx, struct store *st, bool raw)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    if (csvio_export(ctx, st, model_type("event"), raw, out) != AT_OK) {
        fclose(out);
        free(text);
        return NULL;
    }
    fclose(out);
    return text;
}

UNIT_TEST(csvio_import_and_export)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct import_options opt = { NULL, -1, false, NULL, NULL, NULL, 0, false, NULL };
    struct import_counts c = { 0 };
    struct csv_map map = { "What", "title" };
    char *text;

    REQUIRE(st != NULL);
    REQUIRE(import_text(&ctx, st, "Title,Date,clearance\nFICTIONAL one,1999,restricted\n"
                        "\"FICTIONAL two, with a comma\",2001-04,public\n", NULL, 0, &opt, &c) == AT_OK);
    CHECK(c.added == 2 && c.bad == 0);
    memset(&c, 0, sizeof c);
    REQUIRE(import_text(&ctx, st, "What,place\n=FICTIONAL three,Quonsel\n", &map, 1, &opt, &c) == AT_OK);
    CHECK(c.added == 1);
    REQUIRE((text = export_text(&ctx, st, false)) != NULL);
    CHECK(strncmp(text, "id,clearance,retracted,source,title", 35) == 0);
    CHECK(strstr(text, ",restricted,") != NULL);
    CHECK(strstr(text, "\"FICTIONAL two, with a comma\"") != NULL);
    CHECK(strstr(text, "'=FICTIONAL three") != NULL);
    free(text);
    REQUIRE((text = export_text(&ctx, st, true)) != NULL);
    CHECK(strstr(text, "'=FICTIONAL three") == NULL && strstr(text, "=FICTIONAL three") != NULL);
    free(text);
    store_close(st);
}

static void note_bad(void *arg, const char *where, const char *message)
{
    (void)message;
    snprintf(arg, 64, "%s", where);
}

UNIT_TEST(csvio_bad_rows)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char where[64] = "";
    struct import_options opt = { NULL, -1, false, note_bad, NULL, where, 0, false, NULL };
    struct import_counts c = { 0 };
    const char *csv = "title,date\nFICTIONAL good,1999\nFICTIONAL bad,not a date\n";
    char *text;

    REQUIRE(st != NULL);
    CHECK(import_text(&ctx, st, csv, NULL, 0, &opt, &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "events.csv:3") != NULL && strstr(ctx.message, "date") != NULL);
    REQUIRE((text = export_text(&ctx, st, false)) != NULL);
    CHECK(strstr(text, "FICTIONAL good") == NULL);      /* all or nothing */
    free(text);
    opt.skip_bad = true;
    memset(&c, 0, sizeof c);
    REQUIRE(import_text(&ctx, st, csv, NULL, 0, &opt, &c) == AT_OK);
    CHECK(c.added == 1 && c.bad == 1);
    CHECK_STR(where, "events.csv:3");
    opt.skip_bad = false;
    CHECK(import_text(&ctx, st, "title,Title\nA,B\n", NULL, 0, &opt, &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "title") != NULL || strstr(ctx.message, "Title") != NULL);
    store_close(st);
}
