/*
 * test_link_config.c: the linkage configuration file: the built-in ones
 * parse and print back to text that parses to the same, and a bad line is
 * refused with its line number and what would be valid.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"

UNIT_TEST(link_config_defaults_parse_and_print_back)
{
    struct at_ctx ctx = { 0 };
    struct link_config *c, *again;
    struct buf a = BUF_INIT, b = BUF_INIT;

    for (int type = LINK_PERSON; type <= LINK_EVENT; type++) {
        REQUIRE(link_config_default(&ctx, (enum link_type)type, &c) == AT_OK);
        link_config_text(c, &a);
        REQUIRE(link_config_parse(&ctx, buf_str(&a), "printed", &again) == AT_OK);
        link_config_text(again, &b);
        CHECK_STR(buf_str(&b), buf_str(&a));
        CHECK(link_config_threshold(c) == 0.8);
        link_config_free(c);
        link_config_free(again);
        buf_reset(&a);
        buf_reset(&b);
    }
    buf_free(&a);
    buf_free(&b);
}

UNIT_TEST(link_config_bad_line_named)
{
    struct at_ctx ctx = { 0 };
    struct link_config *c;

    CHECK(link_config_parse(&ctx, "threshold 0.5\ncompare a fuzzy names\n", "my.conf", &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "my.conf line 2") != NULL);
    CHECK(strstr(ctx.message, "valid: exact, jw") != NULL);
    CHECK(link_config_parse(&ctx, "compare a exact x\nblock x:soundex\n", "f", &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "f line 2") != NULL);
    CHECK(link_config_parse(&ctx, "compare a jw x 0.8 0.9\nblock x:value\n", "f", &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "decrease") != NULL);
    CHECK(link_config_parse(&ctx, "# nothing\nthreshold 2\n", "f", &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "f line 2: threshold") != NULL);
    CHECK(link_config_parse(&ctx, "compare a exact x\n", "f", &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "no blocking rule") != NULL);
}

/* A field the records do not have is named with the fields they have. */
UNIT_TEST(link_config_unknown_field_named)
{
    static const char *const fields[] = { "name", "town" };
    static const char *const v[] = { "a", "b" };
    struct at_ctx ctx = { 0 };
    struct link_table *t;
    struct link_config *c;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;

    REQUIRE(link_table_new(&ctx, fields, 2, &t) == AT_OK);
    REQUIRE(link_table_add(&ctx, t, "x", v) == AT_OK);
    REQUIRE(link_config_parse(&ctx, "compare n exact nam\nblock name:value\n", "f", &c) == AT_OK);
    CHECK(link_run(&ctx, c, t, &o, &r) == AT_EINVAL);
    CHECK(strstr(ctx.message, "\"nam\"") != NULL && strstr(ctx.message, "name, town") != NULL);
    link_config_free(c);
    link_table_free(t);
}
