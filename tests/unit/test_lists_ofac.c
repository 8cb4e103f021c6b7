/*
 * test_lists_ofac.c: OFAC's SDN files: the reader without its optional
 * files, the list date, the remarks parser (aliases, identifiers, links),
 * and a directory without sdn.csv refused by name.  (The full slice and
 * malformed rows: test_screen.c.)
 */
#include "../../src/core/attest.h"
#include "../../src/core/lists.h"
#include "unit.h"

#include <stdlib.h>

#define OFAC "tests/data/sanctions/ofac"

static bool has(json_t *entry, const char *needle)
{
    char *text = json_dumps(entry, JSON_COMPACT);
    bool found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

UNIT_TEST(lists_ofac_sdn_alone)
{
    struct at_ctx ctx = { 0 };
    struct list_data d;
    char cmd[1024];
    const char *dir = unit_tmpdir();
    size_t i;
    json_t *e;
    bool alias = false;

    snprintf(cmd, sizeof cmd, "cp " OFAC "/sdn.csv '%s'/", dir);
    REQUIRE(system(cmd) == 0);
    REQUIRE(lists_read_ofac(&ctx, dir, "2021-07-07", &d) == AT_OK);
    CHECK_STR(d.source, "ofac");
    CHECK_STR(d.published, "2021-07-07");
    CHECK(json_array_size(d.entries) == 6);
    /* Without alt.csv, the aliases are only those of the remarks. */
    json_array_foreach(d.entries, i, e)
        alias |= has(e, "CHANGGWANG SINYONG CORPORATION");
    CHECK(!alias);
    lists_data_free(&d);
    REQUIRE(lists_read_ofac(&ctx, OFAC, "2021-07-07", &d) == AT_OK);
    json_array_foreach(d.entries, i, e)
        alias |= has(e, "CHANGGWANG SINYONG CORPORATION");
    CHECK(alias);
    lists_data_free(&d);
}

UNIT_TEST(lists_ofac_parse_remarks)
{
    json_t *e = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}", "key", "1", "type", "organisation", "name",
                          "FICTIONAL TRADING CO", "names", "name", "FICTIONAL TRADING CO", "quality",
                          "primary");

    lists_parse_remarks(e, "a.k.a. 'FICTRA'; Vessel Registration Identification IMO 1234567; "
                           "Linked To: FICTIONAL HOLDING LTD.");
    CHECK(has(e, "{\"name\":\"FICTRA\",\"quality\":\"weak\"}"));
    CHECK(has(e, "\"kind\":\"imo\",\"value\":\"1234567\""));
    CHECK(has(e, "FICTIONAL HOLDING LTD"));
    json_decref(e);
}

UNIT_TEST(lists_ofac_without_sdn)
{
    struct at_ctx ctx = { 0 };
    struct list_data d;

    CHECK(lists_read_ofac(&ctx, unit_tmpdir(), NULL, &d) != AT_OK);
    CHECK(strstr(ctx.message, "sdn.csv") != NULL);
}
