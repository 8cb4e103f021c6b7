/* test_mse_report.c: an estimate as a report: what it holds for each
 * method and the warnings it gives. */
#include "../../src/core/attest.h"
#include "../../src/core/mse.h"
#include "unit.h"
#include "mse_data.h"

#include <math.h>

static int has_warning(json_t *r, const char *part)
{
    json_t *w;
    size_t i;

    json_array_foreach(json_object_get(r, "warnings"), i, w)
        if (strstr(json_string_value(w), part))
            return 1;
    return 0;
}

UNIT_TEST(mse_report_loglinear_names_model_interval_and_edge)
{
    struct mse_table t;
    struct mse_method m = { .kind = MSE_LOGLINEAR, .criterion = MSE_BIC };
    struct at_ctx ctx = { 0 };
    json_t *r;

    mse_data_kosovo(&t);
    REQUIRE(mse_report(&ctx, &t, &m, &r) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(r, "model")), "[123,14,34]");
    CHECK(fabs(json_real_value(json_object_get(r, "estimate")) - 10356.52) < 0.01);
    CHECK(fabs(json_real_value(json_object_get(r, "lower")) - 8994.3) < 0.1);
    CHECK(json_integer_value(json_object_get(r, "documented")) == 4400);
    CHECK(json_integer_value(json_object_get(json_object_get(r, "patterns"), "1111")) == 27);
    CHECK(json_integer_value(json_object_get(json_object_get(r, "loglinear"), "models_fitted")) == 113);
    CHECK(has_warning(r, "at the edge of the candidate models"));
    CHECK(has_warning(r, "Model [123,134] is almost as good by BIC"));
    json_decref(r);
}

UNIT_TEST(mse_report_chapman_says_what_it_ignores)
{
    struct mse_table t;
    struct mse_method m = { .kind = MSE_CHAPMAN };
    struct at_ctx ctx = { 0 };
    json_t *r;

    mse_data_kosovo(&t);
    REQUIRE(mse_report(&ctx, &t, &m, &r) == AT_OK);
    CHECK(fabs(json_real_value(json_object_get(r, "estimate")) - 7231.5) < 0.1);
    CHECK(has_warning(r, "Chapman uses the first two lists only (EXH and ABA)"));
    CHECK(fabs(json_real_value(json_object_get(r, "chao_lower_bound")) - 10270.5) < 0.1);
    json_decref(r);
}

UNIT_TEST(mse_report_dga_and_lcmcr_carry_their_details)
{
    struct mse_table t;
    struct mse_method m = { .kind = MSE_DGA };
    struct at_ctx ctx = { 0 };
    json_t *r;

    mse_data_my3(&t);
    REQUIRE(mse_report(&ctx, &t, &m, &r) == AT_OK);
    CHECK(json_array_size(json_object_get(json_object_get(r, "dga"), "graphs")) == 5);
    CHECK_STR(json_string_value(json_object_get(r, "interval")), "95% posterior");
    json_decref(r);
    m.kind = MSE_LCMCR;
    mse_lcmcr_defaults(&m.lcmcr);
    m.lcmcr.burnin = 100;
    m.lcmcr.samples = 20;
    m.lcmcr.thinning = 1;
    REQUIRE(mse_report(&ctx, &t, &m, &r) == AT_OK);
    CHECK(json_object_get(json_object_get(r, "lcmcr"), "ess") != NULL);
    /* Twenty draws are too few to trust. */
    CHECK(has_warning(r, "The sampler may not have settled"));
    json_decref(r);
}

UNIT_TEST(mse_method_parse_names_the_methods)
{
    struct at_ctx ctx = { 0 };
    enum mse_method_kind k;

    CHECK(mse_method_parse(&ctx, "dga", &k) == AT_OK && k == MSE_DGA);
    CHECK(mse_method_parse(&ctx, "petersen", &k) == AT_EINVAL);
    CHECK_STR(ctx.message, "method \"petersen\": use loglinear, dga, lcmcr or chapman");
}

/* The one check of an estimate's options: each named with its range. */
UNIT_TEST(mse_method_option_ranges)
{
    struct at_ctx ctx = { 0 };
    struct mse_method m;

    mse_method_defaults(&m);
    CHECK(mse_method_option(&ctx, &m, "samples", "500") == AT_OK && m.lcmcr.samples == 500);
    CHECK(mse_method_option(&ctx, &m, "criterion", "aic") == AT_OK && m.criterion == MSE_AIC);
    CHECK(mse_method_option(&ctx, &m, "method", "lcmcr") == AT_OK && m.kind == MSE_LCMCR);
    CHECK(mse_method_option(&ctx, &m, "samples", "9") == AT_EINVAL);
    CHECK_STR(ctx.message, "samples must be a whole number from 10 to 1000000, not \"9\"");
    CHECK(mse_method_option(&ctx, &m, "classes", "4x") == AT_EINVAL);
    CHECK_STR(ctx.message, "classes must be a whole number from 1 to 64, not \"4x\"");
    CHECK(mse_method_option(&ctx, &m, "thinning", "") == AT_EINVAL && m.lcmcr.samples == 500);
    m.lcmcr.samples = 1000000;
    m.lcmcr.thinning = 100;
    CHECK(mse_method_check(&ctx, &m, 2000000) == AT_EINVAL && strncmp(ctx.message, "samples:", 8) == 0);
}
