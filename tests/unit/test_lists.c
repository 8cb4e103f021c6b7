/*
 * test_lists.c: the list store: clean text, comparable attribute values,
 * versions and the resolving of a version argument, one entry by key,
 * the newest version of each source, the versions in force on a date, the
 * diff of two versions entry by entry, and refusals naming what is valid.
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

/* The slices: UN 2018-10-29 and 2026-02-27, OFAC 2021-07-07. */
UNIT_TEST(lists_in_force_on_a_date)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = with_lists(&ctx, &admin);
    json_t *v = NULL;
    char prev[64], day[11];

    REQUIRE(st != NULL);
    REQUIRE(lists_in_force(&ctx, st, "2020-01-01", &v) == AT_OK);
    CHECK(json_array_size(v) == 1);
    CHECK_STR(json_string_value(json_array_get(v, 0)), "un-2018-10-29");
    json_decref(v);
    /* in force from its publication date */
    REQUIRE(lists_in_force(&ctx, st, "2026-02-27", &v) == AT_OK);
    CHECK(json_array_size(v) == 2);
    CHECK_STR(json_string_value(json_array_get(v, 0)), "ofac-2021-07-07");
    CHECK_STR(json_string_value(json_array_get(v, 1)), "un-2026-02-27");
    json_decref(v);
    REQUIRE(lists_in_force(&ctx, st, "2026-02-26", &v) == AT_OK);
    CHECK_STR(json_string_value(json_array_get(v, 1)), "un-2018-10-29");
    json_decref(v);
    /* before any version: an error naming the first */
    CHECK(lists_in_force(&ctx, st, "2018-10-28", &v) == AT_ENOTFOUND);
    CHECK(v == NULL);
    CHECK(strstr(ctx.message, "un-2018-10-29") != NULL);
    CHECK(lists_in_force(&ctx, st, "2018-13-01", &v) == AT_EINVAL);
    CHECK(lists_date_parse(&ctx, "2019", day) == AT_EINVAL);
    CHECK(strstr(ctx.message, "YYYY-MM-DD") != NULL);
    CHECK(lists_date_parse(&ctx, " 2019-03-04 ", day) == AT_OK);
    CHECK_STR(day, "2019-03-04");
    REQUIRE(lists_previous(&ctx, st, "un-2026-02-27", prev) == AT_OK);
    CHECK_STR(prev, "un-2018-10-29");
    CHECK(lists_previous(&ctx, st, "un-2018-10-29", prev) == AT_ENOTFOUND);
    CHECK(lists_previous(&ctx, st, "ofac-2021-07-07", prev) == AT_ENOTFOUND);
    store_close(st);
}

UNIT_TEST(lists_diff_entry_by_entry)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = with_lists(&ctx, &admin);
    json_t *d = NULL, *e;
    size_t i;
    int seen = 0;

    REQUIRE(st != NULL);
    REQUIRE(lists_diff(&ctx, st, "un-2018-10-29", "un-2026-02-27", &d) == AT_OK);
    CHECK(json_integer_value(json_object_get(json_object_get(d, "counts"), "unchanged")) == 4);
    json_array_foreach(json_object_get(d, "entries"), i, e) {
        const char *key = json_string_value(json_object_get(e, "key"));
        if (strcmp(key, "KPe.029") == 0) {
            seen++;
            CHECK_STR(json_string_value(json_object_get(json_object_get(e, "renamed"), "old")),
                      "NATIONAL AEROSPACE DEVELOPMENT ADMINISTRATION");
            /* the new primary name is the rename, not a new alias too */
            json_t *a;
            size_t j;
            json_array_foreach(json_object_get(e, "aliases_added"), j, a)
                CHECK(strcmp(json_string_value(json_object_get(a, "quality")), "primary") != 0);
            CHECK(json_array_size(json_object_get(e, "aliases_requalified")) == 1);
        } else if (strcmp(key, "KPi.024") == 0) {
            seen++;
            CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(e, "ids_added"), 0),
                                                        "value")), "472310168");
        }
    }
    CHECK(seen == 2);
    json_decref(d);
    /* two lists are not two versions */
    CHECK(lists_diff(&ctx, st, "un-2026-02-27", "ofac-2021-07-07", &d) == AT_EINVAL);
    CHECK(d == NULL);
    store_close(st);
}
