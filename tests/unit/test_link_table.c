/*
 * test_link_table.c: the table of records: values trimmed, missing ones
 * NULL, ids found, and a CSV read with its id column apart.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"

#include <stdio.h>

UNIT_TEST(link_table_values_and_csv)
{
    static const char *const fields[] = { "name", "town" };
    const char *v[] = { "  Kim Jong Un ", "" };
    struct at_ctx ctx = { 0 };
    struct link_table *t;
    char path[512];
    FILE *f;

    REQUIRE(link_table_new(&ctx, fields, 2, &t) == AT_OK);
    REQUIRE(link_table_add(&ctx, t, "a", v) == AT_OK);
    CHECK_STR(link_table_get(t, 0, "name"), "Kim Jong Un");
    CHECK(link_table_get(t, 0, "town") == NULL);
    CHECK(link_table_get(t, 0, "nothing") == NULL);
    CHECK(link_table_find(t, "a") == 0 && link_table_find(t, "b") == -1);
    link_table_free(t);

    snprintf(path, sizeof path, "%s/t.csv", unit_tmpdir());
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("name,id,town\n\"Ri, Sol Ju\",r1,Pyongyang\nPak,r2,\n", f);
    fclose(f);
    REQUIRE(link_table_read_csv(&ctx, path, "id", &t) == AT_OK);
    CHECK(link_table_count(t) == 2);
    CHECK_STR(link_table_id(t, 1), "r2");
    CHECK_STR(link_table_get(t, 0, "name"), "Ri, Sol Ju");
    CHECK(link_table_get(t, 1, "town") == NULL);
    link_table_free(t);
    CHECK(link_table_read_csv(&ctx, path, "key", &t) == AT_EINVAL);
    CHECK(strstr(ctx.message, "no column \"key\"") != NULL);
}
