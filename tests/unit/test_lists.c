/*
 * test_lists.c: the list store: clean text, comparable attribute values,
 * versions and the resolving of a version argument, one entry by key,
 * the newest version of each source, and refusals naming what is valid.
 * (Diffs between versions: test_screen.c.)
 */
#include "../../src/core/attest.h"
#include "../../src/core/lists.h"
#include "fixture.h"
#include "unit.h"

#define DATA "tests/data/sanctions"

UNIT_TEST(lists_clean_text_and_attr_norm)
{
    struct buf b = BUF_INIT;

    lists_clean_text("  KOREA \t MINING\n DEVELOPMENT  ", &b);
    CHECK_STR(buf_str(&b), "KOREA MINING DEVELOPMENT");
    buf_reset(&b);
    lists_attr_norm("imo", "IMO 8705539", &b);
    CHECK_STR(buf_str(&b), "8705539");
    buf_reset(&b);
    lists_attr_norm("email", "Someone@Example.ORG", &b);
    CHECK_STR(buf_str(&b), "someone@example.org");
    buf_reset(&b);
    lists_attr_norm("swift", "KOMIKPPYXXX", &b);
    CHECK_STR(buf_str(&b), "KOMIKPPY");
    buf_free(&b);
}

static struct store *with_lists(struct at_ctx *ctx, struct session *admin)
{
    struct store *st = unit_archive(ctx, "a", admin);
    const char *files[] = { DATA "/un/un-2018-10-29.xml", DATA "/un/un-2026-02-27.xml" };
    struct list_data d;
    char version[64];
    bool already;

    for (size_t i = 0; st != NULL && i < 2; i++) {
        if (lists_read_un(ctx, files[i], &d) != AT_OK)
            return NULL;
        int rc = lists_import(ctx, st, &d, version, &already);
        lists_data_free(&d);
        if (rc != AT_OK)
            return NULL;
    }
    if (st != NULL) {
        if (lists_read_ofac(ctx, DATA "/ofac", "2021-07-07", &d) != AT_OK)
            return NULL;
        int rc = lists_import(ctx, st, &d, version, &already);
        lists_data_free(&d);
        if (rc != AT_OK)
            return NULL;
    }
    return st;
}

UNIT_TEST(lists_versions_resolve_and_entry)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = with_lists(&ctx, &admin);
    json_t *versions = NULL, *current = NULL, *e = NULL;
    char v[64];

    REQUIRE(st != NULL);
    REQUIRE(lists_versions(&ctx, st, &versions) == AT_OK);
    CHECK(json_array_size(versions) == 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(versions, 0), "id")), "un-2018-10-29");
    CHECK(json_integer_value(json_object_get(json_array_get(versions, 0), "entries")) == 8);
    json_decref(versions);
    REQUIRE(lists_resolve(&ctx, st, "un", v) == AT_OK);
    CHECK_STR(v, "un-2026-02-27");
    REQUIRE(lists_resolve(&ctx, st, "un@1", v) == AT_OK);
    CHECK_STR(v, "un-2018-10-29");
    REQUIRE(lists_resolve(&ctx, st, "ofac", v) == AT_OK);
    CHECK_STR(v, "ofac-2021-07-07");
    REQUIRE(lists_current(&ctx, st, &current) == AT_OK);
    CHECK(json_array_size(current) == 2);
    json_decref(current);
    REQUIRE(lists_entry(&ctx, st, "ofac-2021-07-07", "9345", &e) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(e, "name")), "KOREA MINING DEVELOPMENT TRADING CORPORATION");
    json_decref(e);
    store_close(st);
}

UNIT_TEST(lists_refusals)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = with_lists(&ctx, &admin);
    json_t *e = NULL;
    char v[64];

    REQUIRE(st != NULL);
    CHECK(lists_resolve(&ctx, st, "un@9", v) != AT_OK);
    CHECK(strstr(ctx.message, "un@9") != NULL);
    CHECK(lists_resolve(&ctx, st, "eu", v) != AT_OK);
    CHECK(lists_entry(&ctx, st, "un-2026-02-27", "KPe.999", &e) == AT_ENOTFOUND);
    CHECK(e == NULL);
    store_close(st);
}
