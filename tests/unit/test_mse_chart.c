/* test_mse_chart.c: estimates drawn as SVG: strata side by side, one
 * stratum's profile, posterior or draws, inert whatever the labels. */
#include "../../src/core/attest.h"
#include "../../src/core/mse.h"
#include "unit.h"
#include "mse_data.h"

/* A document of one stratum: the Kosovo report of method kind. */
static json_t *kosovo_doc(enum mse_method_kind kind)
{
    struct mse_table t;
    struct mse_method m = { .kind = kind, .criterion = MSE_BIC, .curve = true };
    struct at_ctx ctx = { 0 };
    json_t *r = NULL;

    mse_data_kosovo(&t);
    mse_lcmcr_defaults(&m.lcmcr);
    m.lcmcr.burnin = 500;
    m.lcmcr.samples = 200;
    m.lcmcr.thinning = 5;
    if (mse_report(&ctx, &t, &m, &r) != AT_OK)
        return NULL;
    json_object_set_new(r, "stratum", json_string("all"));
    return json_pack("{s:[o]}", "strata", r);
}

UNIT_TEST(mse_chart_draws_one_stratum_as_its_curve)
{
    static const enum mse_method_kind kinds[] = { MSE_LOGLINEAR, MSE_DGA, MSE_LCMCR };
    static const char *const ylabels[] = { "twice the drop in log-likelihood", "posterior probability", "density" };
    struct at_ctx ctx = { 0 };

    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        json_t *doc = kosovo_doc(kinds[i]);
        struct buf svg = BUF_INIT;

        REQUIRE(doc);
        CHECK(json_object_get(json_array_get(json_object_get(doc, "strata"), 0), "curve") != NULL);
        CHECK(mse_chart_svg(&ctx, doc, SVG_EN, &svg) == AT_OK);
        CHECK(strncmp(buf_str(&svg), "<svg ", 5) == 0);
        CHECK(strstr(buf_str(&svg), ylabels[i]) != NULL);
        CHECK(strstr(buf_str(&svg), "95% interval") != NULL);
        buf_free(&svg);
        json_decref(doc);
    }
}

UNIT_TEST(mse_chart_draws_strata_side_by_side_with_the_trend_note)
{
    struct at_ctx ctx = { 0 };
    struct buf svg = BUF_INIT;
    json_t *doc = json_pack("{s:[{s:s, s:i, s:f, s:f, s:f}, {s:s, s:i, s:s}]}", "strata",
                            "stratum", "<script>alert(1)</script>", "documented", 120, "estimate", 180.5,
                            "lower", 150.0, "upper", 230.0,
                            "stratum", "Ryanggang", "documented", 9, "error", "too few");

    REQUIRE(doc);
    REQUIRE(mse_chart_svg(&ctx, doc, SVG_EN, &svg) == AT_OK);
    CHECK(strstr(buf_str(&svg), "Documented and estimated victims by stratum") != NULL);
    CHECK(strstr(buf_str(&svg), "are not trends") != NULL);
    CHECK(strstr(buf_str(&svg), "<script") == NULL);
    CHECK(strstr(buf_str(&svg), "&lt;script&gt;") != NULL);
    buf_free(&svg);
    json_decref(doc);
}

UNIT_TEST(mse_chart_refuses_what_has_no_curve)
{
    struct at_ctx ctx = { 0 };
    struct buf svg = BUF_INIT;
    json_t *doc = kosovo_doc(MSE_CHAPMAN), *empty = json_pack("{s:[]}", "strata");

    REQUIRE(doc && empty);
    CHECK(mse_chart_svg(&ctx, doc, SVG_EN, &svg) == AT_EINVAL);
    CHECK_STR(ctx.message, "this estimate has no curve to draw (a two-list estimate has none)");
    CHECK(mse_chart_svg(&ctx, empty, SVG_EN, &svg) == AT_EINVAL);
    buf_free(&svg);
    json_decref(doc);
    json_decref(empty);
}

/* In Korean every word of the chart's own comes from svg.c's table: a
 * word added without its Korean fails here. */
UNIT_TEST(mse_chart_in_korean_lacks_no_word)
{
    static const enum mse_method_kind kinds[] = { MSE_LOGLINEAR, MSE_DGA, MSE_LCMCR };
    struct at_ctx ctx = { 0 };
    size_t before = svg_word_misses();
    json_t *strata = json_pack("{s:[{s:s, s:i, s:f, s:f, s:f}, {s:s, s:i, s:s}]}", "strata",
                               "stratum", "함경북도", "documented", 120, "estimate", 180.5,
                               "lower", 150.0, "upper", 230.0, "stratum", "양강도", "documented", 9,
                               "error", "too few");
    struct buf svg = BUF_INIT;

    REQUIRE(strata);
    REQUIRE(mse_chart_svg(&ctx, strata, SVG_KO, &svg) == AT_OK);
    CHECK(strstr(buf_str(&svg), "층별 기록된 피해자와 추정 피해자") != NULL);
    CHECK(strstr(buf_str(&svg), "Documented") == NULL);
    json_decref(strata);
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        json_t *doc = kosovo_doc(kinds[i]);

        REQUIRE(doc);
        buf_reset(&svg);
        CHECK(mse_chart_svg(&ctx, doc, SVG_KO, &svg) == AT_OK);
        CHECK(strstr(buf_str(&svg), "95% 구간") != NULL);
        CHECK(strstr(buf_str(&svg), "전체 피해자 수 N") != NULL);
        json_decref(doc);
    }
    CHECK(svg_word_misses() == before);
    buf_free(&svg);
}
