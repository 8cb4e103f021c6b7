/*
 * test_link_block.c: blocking in record linkage.  A rule is an AND of
 * keys and the rules are OR-ed: a pair is a candidate when some rule puts
 * both records in one block, counted once however many rules do; a block
 * larger than max_block is skipped whole.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"

/* The candidate pairs a run compares on five records under rules. */
static size_t candidates(const char *rules)
{
    static const char *const fields[] = { "name", "city" };
    static const char *const rows[][2] = {
        { "alpha", "x" }, { "alpha", "y" }, { "beta", "x" }, { "gamma", "z" }, { "alpha", "x" },
    };
    struct at_ctx ctx = { 0 };
    struct link_table *t = NULL;
    struct link_config *c = NULL;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;
    char text[256];
    size_t n = (size_t)-1;

    snprintf(text, sizeof text, "threshold 0.5\ncompare n exact name\n%s", rules);
    if (link_table_new(&ctx, fields, 2, &t) != AT_OK)
        return n;
    for (size_t i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%zu", i);
        if (link_table_add(&ctx, t, id, rows[i]) != AT_OK)
            goto out;
    }
    if (link_config_parse(&ctx, text, "t", &c) != AT_OK || link_run(&ctx, c, t, &o, &r) != AT_OK)
        goto out;
    n = r.pairs_compared;
    link_result_free(&r);
out:
    link_config_free(c);
    link_table_free(t);
    return n;
}

UNIT_TEST(link_block_rules_are_an_or_of_ands)
{
    /* name: {r0, r1, r4} gives 3 pairs; city: {r0, r2, r4} gives 3, one
     * of them (r0, r4) already a candidate; name AND city: only (r0, r4). */
    CHECK(candidates("block name:value\n") == 3);
    CHECK(candidates("block city:value\n") == 3);
    CHECK(candidates("block name:value\nblock city:value\n") == 5);
    CHECK(candidates("block name:value city:value\n") == 1);
}

UNIT_TEST(link_block_skips_blocks_over_the_limit)
{
    /* max_block 2: the name block of three records is skipped whole and
     * no other name block holds two records; max_block 3 keeps it. */
    CHECK(candidates("max_block 2\nblock name:value\n") == 0);
    CHECK(candidates("max_block 3\nblock name:value\n") == 3);
}
