/*
 * test_link_block.c: blocking in record linkage.  A rule is an AND of
 * keys and the rules are OR-ed: a pair is a candidate when some rule puts
 * both records in one block, counted once however many rules do; a block
 * larger than max_block is skipped whole.  A recall rule's pairs are
 * compared and scored, but EM is fitted to the block rules' pairs alone.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"

#include <string.h>

/* The candidate pairs a run compares on five records under rules; the
 * fitted parameters into *params when it is not NULL. */
static size_t run(const char *rules, struct link_params *params)
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
    if (params != NULL)
        *params = r.params;
    link_result_free(&r);
out:
    link_config_free(c);
    link_table_free(t);
    return n;
}

static size_t candidates(const char *rules)
{
    return run(rules, NULL);
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

UNIT_TEST(link_block_recall_pairs_scored_not_trained_on)
{
    /* city as a recall rule adds its pairs to the 3 of name, but the
     * model is the one fitted to the name pairs alone */
    struct link_params alone, with;

    memset(&alone, 0, sizeof alone);
    memset(&with, 0, sizeof with);
    CHECK(run("block name:value\n", &alone) == 3);
    CHECK(run("block name:value\nrecall city:value\n", &with) == 5);
    CHECK(alone.lambda == with.lambda);
    CHECK(memcmp(alone.m, with.m, sizeof alone.m) == 0);
    CHECK(memcmp(alone.u, with.u, sizeof alone.u) == 0);
    /* fitted to all five pairs, the model differs */
    CHECK(run("block name:value\nblock city:value\n", &with) == 5);
    CHECK(alone.lambda != with.lambda || memcmp(alone.m, with.m, sizeof alone.m) != 0);
    /* a recall rule alone has nothing to train on */
    CHECK(run("recall name:value\n", NULL) == (size_t)-1);
}
