/*
 * test_ftm.c: FollowTheMoney entities in and out: the sample's records,
 * relations and addresses counted (its Sanction left out), the records
 * written back as entities, a list version as entities, and a bad entity
 * refused by line and property with nothing written.
 */
#include "../../src/core/attest.h"
#include "../../src/core/ftm.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

#define SAMPLE "tests/data/sanctions/ftm/sample.ftm.json"

static int import_file(struct at_ctx *ctx, struct store *st, FILE *in, const char *name, struct ftm_counts *c)
{
    struct import_options opt = { NULL, -1, false, NULL, NULL, NULL, 0, false, NULL };
    return ftm_import(ctx, st, in, name, &opt, c);
}

static char *export_records(struct at_ctx *ctx, struct store *st, struct ftm_counts *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rc = ftm_export_records(ctx, st, out, c);

    fclose(out);
    if (rc != AT_OK) {
        free(text);
        return NULL;
    }
    return text;
}

UNIT_TEST(ftm_import_and_export)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct ftm_counts c = { 0 };
    FILE *in = fopen(SAMPLE, "r");
    char *text;

    REQUIRE(st != NULL && in != NULL);
    REQUIRE(import_file(&ctx, st, in, "sample.ftm.json", &c) == AT_OK);
    fclose(in);
    CHECK(c.entities == 10);
    CHECK(c.records == 5 && c.relations == 3 && c.addresses == 1 && c.skipped == 1);
    memset(&c, 0, sizeof c);
    REQUIRE((text = export_records(&ctx, st, &c)) != NULL);
    CHECK(c.records == 5 && c.relations == 3);
    CHECK(strstr(text, "\"schema\":\"Vessel\"") != NULL);
    CHECK(strstr(text, "Pyolsong Maritime Trading Co., Ltd.") != NULL);
    CHECK(strstr(text, "\"schema\":\"Succession\"") != NULL);
    free(text);
    store_close(st);
}

UNIT_TEST(ftm_list_version_as_entities)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct ftm_counts c = { 0 };
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    out = open_memstream(&text, &len);
    REQUIRE(ftm_export_list(&ctx, st, "un", out, &c) == AT_OK);
    fclose(out);
    CHECK(c.entities > 8);
    CHECK(strstr(text, "\"id\":\"un-KPe.001\"") != NULL);
    CHECK(strstr(text, "\"schema\":\"Address\"") != NULL);
    free(text);
    out = open_memstream(&text, &len);
    CHECK(ftm_export_list(&ctx, st, "eu", out, &c) != AT_OK);
    fclose(out);
    free(text);
    store_close(st);
}

UNIT_TEST(ftm_import_refuses_bad_entity)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct ftm_counts c = { 0 };
    const char *bad = "{\"id\":\"a\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"FICTIONAL A\"]}}\n"
                      "{\"id\":\"b\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"FICTIONAL B\"],"
                      "\"imoNumber\":[\"IMO1234568\"]}}\n";
    FILE *in = fmemopen((void *)bad, strlen(bad), "r");
    char *text;

    REQUIRE(st != NULL);
    CHECK(import_file(&ctx, st, in, "bad.json", &c) == AT_EINVAL);
    fclose(in);
    CHECK(strstr(ctx.message, "bad.json:2") != NULL && strstr(ctx.message, "imoNumber") != NULL);
    memset(&c, 0, sizeof c);
    REQUIRE((text = export_records(&ctx, st, &c)) != NULL);
    CHECK(c.records == 0);      /* nothing written */
    free(text);
    store_close(st);
}
