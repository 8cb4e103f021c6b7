/*
 * test_lists_un.c: the UN consolidated list reader: entries of both kinds
 * with their keys and types, the list date, the files' digest, and a
 * missing file refused by name.  (Malformed XML: test_screen.c.)
 */
#include "../../src/core/attest.h"
#include "../../src/core/lists.h"
#include "unit.h"

#define UN_2018 "tests/data/sanctions/un/un-2018-10-29.xml"

static json_t *entry(json_t *entries, const char *key)
{
    size_t i;
    json_t *e;

    json_array_foreach(entries, i, e)
        if (strcmp(json_string_value(json_object_get(e, "key")), key) == 0)
            return e;
    return NULL;
}

UNIT_TEST(lists_un_reads_entries_and_date)
{
    struct at_ctx ctx = { 0 };
    struct list_data d, again;
    json_t *e;

    REQUIRE(lists_read_un(&ctx, UN_2018, &d) == AT_OK);
    CHECK_STR(d.source, "un");
    CHECK_STR(d.published, "2018-10-29");
    CHECK(json_array_size(d.entries) == 8);
    CHECK(strlen(d.sha256) == 64);
    REQUIRE((e = entry(d.entries, "KPi.035")) != NULL);
    CHECK_STR(json_string_value(json_object_get(e, "type")), "person");
    /* The key is trimmed ("KPe.023 " in the file). */
    REQUIRE((e = entry(d.entries, "KPe.023")) != NULL);
    CHECK(strcmp(json_string_value(json_object_get(e, "type")), "person") != 0);
    CHECK(json_string_value(json_object_get(e, "name")) != NULL);
    /* The same file, the same digest. */
    REQUIRE(lists_read_un(&ctx, UN_2018, &again) == AT_OK);
    CHECK_STR(again.sha256, d.sha256);
    lists_data_free(&again);
    lists_data_free(&d);
}

UNIT_TEST(lists_un_missing_file)
{
    struct at_ctx ctx = { 0 };
    struct list_data d;
    char path[512];

    snprintf(path, sizeof path, "%s/no-such-list.xml", unit_tmpdir());
    CHECK(lists_read_un(&ctx, path, &d) != AT_OK);
    CHECK(strstr(ctx.message, "no-such-list.xml") != NULL);
}
