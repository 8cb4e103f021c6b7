/* test_mse.c: the capture table's CSV layout, the two-list and Chao
 * estimates (the notes' catalogue, entry 5), quantiles and warnings. */
#include "../../src/core/attest.h"
#include "../../src/core/mse.h"
#include "unit.h"
#include "mse_data.h"

#include <math.h>
#include <stdlib.h>

static int near(double got, double want, double rel)
{
    if (fabs(got - want) <= rel * fabs(want))
        return 1;
    fprintf(stderr, "    got %.6f, want %.6f\n", got, want);
    return 0;
}

/* Reads text as a counts file; the message lands in ctx. */
static int read_text(struct at_ctx *ctx, const char *text, struct mse_table *t)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    int rc;

    if (!f)
        return AT_ERR;
    rc = mse_table_read_csv(ctx, f, "counts.csv", t);
    fclose(f);
    return rc;
}

UNIT_TEST(mse_table_reads_the_rcapture_layout)
{
    struct at_ctx ctx = { 0 };
    struct mse_table t, k;

    REQUIRE(read_text(&ctx, "EXH,ABA,OSCE,HRW,count\n"
                            "1,0,0,0,1131\n0,1,0,0,845\n1,1,0,0,177\n0,0,1,0,936\n"
                            "1,0,1,0,228\n0,1,1,0,217\n1,1,1,0,181\n0,0,0,1,306\n"
                            "1,0,0,1,106\n0,1,0,1,31\n1,1,0,1,18\n0,0,1,1,123\n"
                            "1,0,1,1,42\n0,1,1,1,32\n1,1,1,1,27\n", &t) == AT_OK);
    mse_data_kosovo(&k);
    CHECK(t.nlists == 4);
    CHECK_STR(t.names[2], "OSCE");
    CHECK(memcmp(t.count, k.count, sizeof t.count) == 0);
    CHECK(mse_table_observed(&t) == 4400);
    CHECK(mse_table_list_total(&t, 0) == 1910 && mse_table_list_total(&t, 3) == 685);
    /* Patterns left out count 0; the all-0 pattern may say 0. */
    REQUIRE(read_text(&ctx, "A,B,Count\n1,1,5\n0,0,0\n1,0,7\n", &t) == AT_OK);
    CHECK(t.count[1] == 7 && t.count[2] == 0 && t.count[3] == 5);
}

UNIT_TEST(mse_table_refuses_malformed_counts_naming_line_and_field)
{
    static const char *const cases[][2] = {
        { "", "counts.csv: the file is empty; it needs a header naming the lists and a last column \"count\"" },
        { "A,count\n1,3\n", "counts.csv: line 1: the header has 2 columns; it needs 2 to 6 list names and a last column \"count\"" },
        { "A,B,n\n1,0,3\n", "counts.csv: line 1: the last column of the header is \"n\"; it must be \"count\"" },
        { "A,A,count\n1,0,3\n", "counts.csv: line 1: the list \"A\" is named twice in the header" },
        { "A,B,count\n1,0,3\n1,2,4\n", "counts.csv: line 3, column \"B\": \"2\" is not 0 or 1" },
        { "A,B,count\n1,0,3\n0,1,-4\n", "counts.csv: line 3, column \"count\": \"-4\" is not a whole number from 0 to 1000000000" },
        { "A,B,count\n1,0,3\n0,1,x\n", "counts.csv: line 3, column \"count\": \"x\" is not a whole number from 0 to 1000000000" },
        { "A,B,count\n1,0,3\n1,0,4\n", "counts.csv: line 3: the same capture pattern as line 2; give each pattern once" },
        { "A,B,count\n0,0,9\n", "counts.csv: line 2: the pattern of all 0s counts the people no list has, which cannot be known; leave it out or give 0" },
        { "A,B,count\n1,0,0\n", "counts.csv: every count is 0: there is nothing to estimate from" },
    };
    struct mse_table t;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct at_ctx ctx = { 0 };

        CHECK(read_text(&ctx, cases[i][0], &t) == AT_EINVAL);
        CHECK_STR(ctx.message, cases[i][1]);
    }
    {
        struct at_ctx ctx = { 0 };

        CHECK(read_text(&ctx, "A,B,count\n1,0\n", &t) == AT_EINVAL);
        CHECK(strncmp(ctx.message, "counts.csv:2: 2 fields, but the header has 3", 44) == 0);
    }
}

UNIT_TEST(mse_chapman_and_chao_on_kosovo)
{
    struct mse_table t;
    struct mse_estimate e;
    struct at_ctx ctx = { 0 };
    double lp, f[MSE_MAX_LISTS + 1];

    mse_data_kosovo(&t);
    REQUIRE(mse_chapman(&ctx, &t, 0, 1, &e, &lp) == AT_OK);
    CHECK(near(e.total, 7231.5, 1e-4));
    CHECK(near(lp, 7241.9, 1e-4));
    CHECK(e.lower < e.total && e.total < e.upper && e.se > 0);
    CHECK_STR(e.model, "EXH x ABA");
    REQUIRE(mse_chao(&ctx, &t, &e, f) == AT_OK);
    CHECK(f[1] == 3218 && f[2] == 882 && f[3] == 273 && f[4] == 27);
    CHECK(near(e.total, 10270.5, 1e-4));
    CHECK(e.lower > 4400 && e.lower < e.total && e.upper > e.total);
}

UNIT_TEST(mse_chapman_refuses_lists_that_share_no_one)
{
    struct mse_table t;
    struct mse_estimate e;
    struct at_ctx ctx = { 0 };
    static const char *const names[] = { "A", "B" };
    static const double cells[] = { 0, 10, 12, 0 };

    mse_data_table(&t, 2, names, cells);
    CHECK(mse_chapman(&ctx, &t, 0, 1, &e, NULL) == AT_EINVAL);
    CHECK_STR(ctx.message, "lists \"A\" and \"B\" share no one: two-list estimates need an overlap");
}

UNIT_TEST(mse_quantile_interpolates_like_r)
{
    double v[] = { 4, 1, 3, 2 };

    CHECK(mse_quantile(v, 4, 0.5) == 2.5);
    CHECK(mse_quantile(v, 4, 0) == 1 && mse_quantile(v, 4, 1) == 4);
    CHECK(fabs(mse_quantile(v, 4, 0.25) - 1.75) < 1e-12);
}

UNIT_TEST(mse_table_warnings_name_the_shaky_assumptions)
{
    struct mse_table t;
    struct buf w = BUF_INIT;

    mse_data_hiv(&t);
    mse_table_warnings(&t, &w);
    /* The HIV data: 94% on one list only, two empty patterns. */
    CHECK(strstr(buf_str(&w), "94% of the people are on one list only") != NULL);
    CHECK(strstr(buf_str(&w), "capture patterns hold fewer than 5 people") != NULL);
    CHECK(strstr(buf_str(&w), "Lists \"c1\" and \"c4\" share only 7 people") != NULL);
    buf_reset(&w);
    mse_data_kosovo(&t);
    mse_table_warnings(&t, &w);
    CHECK_STR(buf_str(&w), "");
    buf_free(&w);
}
