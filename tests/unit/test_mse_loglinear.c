/* test_mse_loglinear.c: log-linear models against Rcapture's figures
 * (the research notes' regression catalogue, entries 1 to 4). */
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

UNIT_TEST(mse_llm_kosovo_best_bic_model_matches_rcapture)
{
    struct mse_table t;
    struct mse_llm_fit fit;
    struct at_ctx ctx = { 0 };
    mse_terms terms;
    char name[64];

    mse_data_kosovo(&t);
    REQUIRE(mse_llm_parse(&ctx, 4, "[123,14,34]", &terms) == AT_OK);
    mse_llm_name(4, terms, name, sizeof name);
    CHECK_STR(name, "[123,14,34]");
    mse_llm_fit(&t, terms, &fit);
    REQUIRE(fit.ok);
    CHECK(near(fit.total, 10356.52, 1e-5));
    CHECK(near(fit.se, 785.90, 1e-4));
    CHECK(near(fit.deviance, 9.32267, 1e-5));
    CHECK(fit.df == 4);
    CHECK(near(fit.aic, 132.747, 1e-5));
    CHECK(near(fit.bic, 203.030, 1e-5));
    CHECK(near(fit.beta[0], 8.6922415, 1e-6));
    CHECK(near(fit.beta[1], -1.6533866, 1e-6));
    CHECK(near(fit.beta[4], -2.9686564, 1e-6));
    CHECK(near(fit.beta[10], 1.0672167, 1e-6));
}

UNIT_TEST(mse_llm_kosovo_independence_is_mt)
{
    struct mse_table t;
    struct mse_llm_fit fit;

    mse_data_kosovo(&t);
    mse_llm_fit(&t, 0, &fit);
    REQUIRE(fit.ok);
    CHECK(near(fit.total, 7394.6, 1e-4));
    CHECK(near(fit.se, 129.6, 1e-3));
    CHECK(near(fit.deviance, 245.939, 1e-5));
    CHECK(fit.df == 10);
}

UNIT_TEST(mse_llm_kosovo_profile_interval)
{
    struct mse_table t;
    struct at_ctx ctx = { 0 };
    mse_terms terms;
    double mle, lo, hi;

    mse_data_kosovo(&t);
    REQUIRE(mse_llm_parse(&ctx, 4, "123,14,34", &terms) == AT_OK);
    REQUIRE(mse_llm_profile(&ctx, &t, terms, &mle, &lo, &hi) == AT_OK);
    CHECK(near(mle, 10334.5, 1e-4));
    CHECK(near(lo, 8994.3, 1e-4));
    CHECK(near(hi, 12110.4, 1e-4));
}

UNIT_TEST(mse_llm_kosovo_search_ranks_models_by_bic)
{
    struct mse_table t;
    struct at_ctx ctx = { 0 };
    struct mse_llm_fit *fits = NULL;
    size_t n = 0;
    int exhaustive = 0;
    char name[64];
    static const char *const want[] = { "[123,14,34]", "[123,134]", "[12,134,23]", "[123,14,24,34]" };

    mse_data_kosovo(&t);
    REQUIRE(mse_llm_search(&ctx, &t, MSE_BIC, &fits, &n, &exhaustive) == AT_OK);
    CHECK(exhaustive);
    CHECK(n == 113);
    for (size_t i = 0; i < ARRAY_LEN(want) && i < n; i++) {
        mse_llm_name(4, fits[i].terms, name, sizeof name);
        CHECK_STR(name, want[i]);
    }
    CHECK(near(fits[0].total, 10356.5, 1e-4) && near(fits[0].bic, 203.03, 1e-4));
    CHECK(near(fits[1].total, 12741.0, 1e-4) && near(fits[1].bic, 203.11, 1e-4));
    CHECK(near(fits[2].total, 18393.3, 1e-4) && near(fits[2].bic, 203.96, 1e-4));
    CHECK(near(fits[3].total, 9824.2, 1e-4) && near(fits[3].se, 801.7, 1e-3));
    free(fits);
}

UNIT_TEST(mse_llm_hiv_mt_with_c1c2_matches_rcapture)
{
    struct mse_table t;
    struct mse_llm_fit fit;
    struct at_ctx ctx = { 0 };
    mse_terms terms;
    double mle, lo, hi;

    mse_data_hiv(&t);
    REQUIRE(mse_llm_parse(&ctx, 4, "[12,3,4]", &terms) == AT_OK);
    mse_llm_fit(&t, terms, &fit);
    REQUIRE(fit.ok);
    CHECK(near(fit.total, 12318.5, 1e-4));
    CHECK(near(fit.se, 1188.7, 1e-4));
    CHECK(near(fit.deviance, 7.614, 1e-3));
    CHECK(fit.df == 9);
    mse_llm_fit(&t, 0, &fit);
    CHECK(near(fit.total, 11124.6, 1e-4) && near(fit.se, 904.8, 1e-3));
    REQUIRE(mse_llm_profile(&ctx, &t, terms, &mle, &lo, &hi) == AT_OK);
    CHECK(near(mle, 12308, 1e-4));
    CHECK(near(lo, 10266, 1e-3));
    CHECK(near(hi, 14992.3, 1e-3));
}
