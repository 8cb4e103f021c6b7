/* test_mse_dga.c: model averaging over decomposable graphs against the
 * dga package's figures (the research notes' catalogue, entries 6 to 8). */
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
    fprintf(stderr, "    got %.6f, want %.6f (rel %.1e)\n", got, want, rel);
    return 0;
}

static double graph_probability(const struct mse_dga_result *r, const char *name)
{
    for (size_t i = 0; i < r->ngraphs; i++)
        if (strcmp(r->graphs[i].name, name) == 0)
            return r->graphs[i].probability;
    return -1;
}

UNIT_TEST(mse_dga_counts_the_decomposable_graphs)
{
    CHECK(mse_dga_count_graphs(3) == 8);
    CHECK(mse_dga_count_graphs(4) == 61);
    CHECK(mse_dga_count_graphs(5) == 822);
    CHECK(mse_dga_count_graphs(6) == 18154);
}

UNIT_TEST(mse_dga_madigan_york_three_lists)
{
    struct mse_table t;
    struct mse_dga_result r;
    struct at_ctx ctx = { 0 };
    double prior[300], a = 13.14, b = 55.17;

    mse_data_my3(&t);
    for (int i = 0; i < 300; i++) {
        double n = 626 + i + 1;

        prior[i] = n * log(b) - (n + a) * log(1 + b) + lgamma(n + a) - lgamma(n + 1) - lgamma(a);
    }
    REQUIRE(mse_dga(&ctx, &t, 1, 1, 300, prior, &r) == AT_OK);
    CHECK(r.ngraphs == 8);
    /* The averaged mode is the published 728.  The top graph's own mode is
     * 729 by the formula (an independent computation agrees); the notes
     * quote 728 for it, one below. */
    CHECK(r.mode == 728);
    CHECK(r.top_mode >= 728 && r.top_mode <= 729);
    CHECK(round(r.bayes) == 731 && round(r.top_bayes) == 731);
    CHECK_STR(r.graphs[0].name, "[12][3]");
    CHECK(near(graph_probability(&r, "[12][3]"), 0.3738, 1e-3));
    CHECK(near(graph_probability(&r, "[12][13]"), 0.2818, 1e-3));
    CHECK(near(graph_probability(&r, "[12][23]"), 0.3099, 1e-3));
    CHECK(near(graph_probability(&r, "[123]"), 0.0345, 3e-3));
    CHECK(near(r.mean, 733.45, 1e-4));
    CHECK(r.lower == 682 && r.median == 731 && r.upper == 797);
    mse_dga_free(&r);
}

UNIT_TEST(mse_dga_madigan_york_five_lists)
{
    struct mse_table t;
    struct mse_dga_result r;
    struct at_ctx ctx = { 0 };

    mse_data_my5(&t);
    REQUIRE(mse_dga(&ctx, &t, 0.5, 1, 300, NULL, &r) == AT_OK);
    CHECK(r.ngraphs == 822);
    CHECK(r.mode == 614);
    CHECK(near(r.mean, 617.8, 1e-3));
    CHECK(r.lower == 588 && r.median == 616 && r.upper == 655);
    mse_dga_free(&r);
}

UNIT_TEST(mse_dga_kosovo)
{
    struct mse_table t;
    struct mse_dga_result r;
    struct at_ctx ctx = { 0 };

    mse_data_kosovo(&t);
    REQUIRE(mse_dga(&ctx, &t, 1.0 / 16, 0, 20000, NULL, &r) == AT_OK);
    CHECK(r.ngraphs == 61);
    CHECK(near(r.mode, 12267, 1e-3));
    CHECK(near(r.mean, 12749, 1e-3));
    CHECK(near(r.median, 12595, 1e-3));
    CHECK(near(r.lower, 9827, 1e-3) && near(r.upper, 16543, 1e-3));
    CHECK_STR(r.graphs[0].name, "[123][134]");
    CHECK(near(r.graphs[0].probability, 0.9855, 1e-3));
    mse_dga_free(&r);
}
