/* test_casework.c: a case's chain of sales put together in order, its
 * indicator checklist set from caseworkers' words, a case read with what
 * its reader may see, regions from the gazetteer, and the model's checks
 * of sales, indicators and countries.  FICTIONAL records only. */
#include "../../src/core/attest.h"
#include "../../src/core/casework.h"
#include "../../src/core/evlog.h"
#include "../../src/core/model.h"
#include "../../src/core/vocab.h"
#include "unit.h"
#include "fixture.h"

#include <string.h>

static int add_sale(struct at_ctx *ctx, struct store *st, const char *id, const char *json,
                    size_t before)
{
    json_t *sale = json_loads(json, 0, NULL);
    struct casework_sale c = { .case_id = id, .sale = sale, .before = before };
    int rc = evlog_write(ctx, st, casework_sale_add_write, &c);

    json_decref(sale);
    return rc;
}

/* The places of the chain of case id, "a b c". */
static void chain_places(struct at_ctx *ctx, struct store *st, const char *id, struct buf *out)
{
    json_t *c = NULL, *sale;
    size_t i;

    buf_reset(out);
    if (casework_read(ctx, st, id, &c) != AT_OK)
        return;
    json_array_foreach(json_object_get(c, "chain"), i, sale)
        buf_printf(out, "%s%s", i ? " " : "", json_string_value(json_object_get(sale, "place")));
    json_decref(c);
}

UNIT_TEST(casework_chain_keeps_order_and_checklist_takes_words)
{
    struct at_ctx ctx = { 0 };
    struct session admin, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char cs[RECORD_ID_MAX], rf[RECORD_ID_MAX], dp[RECORD_ID_MAX], json[256];
    struct casework_indicator ind = { 0 };
    struct buf places = BUF_INIT;
    json_t *c = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "case", "{\"kind\": \"trafficking\", \"summary\": \"FICTIONAL\"}",
                     -1, cs) == AT_OK);
    REQUIRE(add_sale(&ctx, st, cs, "{\"place\": \"Yanji\", \"price\": 5000, \"currency\": \"cny\"}",
                     0) == AT_OK);
    REQUIRE(add_sale(&ctx, st, cs, "{\"place\": \"Musan\"}", 0) == AT_OK);
    REQUIRE(add_sale(&ctx, st, cs, "{\"place\": \"Helong\"}", 2) == AT_OK);
    REQUIRE(add_sale(&ctx, st, cs, "{\"place\": \"Hyesan\"}", 1) == AT_OK);
    chain_places(&ctx, st, cs, &places);
    CHECK_STR(buf_str(&places), "Hyesan Yanji Helong Musan");
    CHECK(add_sale(&ctx, st, cs, "{\"place\": \"Onsong\"}", 9) == AT_EINVAL);
    CHECK(strstr(ctx.message, "has 4 sales") != NULL);
    CHECK(add_sale(&ctx, st, cs, "{\"price\": 3, \"currency\": \"ZZZ\"}", 0) == AT_EINVAL);
    CHECK(strstr(ctx.message, "valid: CNY") != NULL);

    ind = (struct casework_indicator){ .case_id = cs, .indicator = "passport withheld",
                                       .status = "yes", .note = "FICTIONAL" };
    REQUIRE(evlog_write(&ctx, st, casework_indicator_set_write, &ind) == AT_OK);
    CHECK_STR(ind.code, "retention_of_documents");
    ind.indicator = "lies";
    CHECK(evlog_write(&ctx, st, casework_indicator_set_write, &ind) == AT_EINVAL);
    CHECK(strstr(ctx.message, "valid: abuse_of_vulnerability") != NULL);

    snprintf(json, sizeof json, "{\"case\": \"%s\", \"need\": \"shelter\"}", cs);
    REQUIRE(unit_add(&ctx, st, "referral", json, -1, rf) == AT_OK);
    snprintf(json, sizeof json, "{\"case\": \"%s\", \"citizenship\": \"stateless\"}", cs);
    REQUIRE(unit_add(&ctx, st, "dependant", json, -1, dp) == AT_OK);
    REQUIRE(casework_read(&ctx, st, cs, &c) == AT_OK);
    CHECK(json_array_size(json_object_get(c, "checklist")) == 11);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(c, "checklist"), 6),
                                                "status")), "observed");
    CHECK(json_array_size(json_object_get(c, "referrals")) == 1);
    CHECK(json_array_size(json_object_get(c, "dependants")) == 1);
    CHECK(json_object_get(json_array_get(json_object_get(c, "chain"), 1), "lat") != NULL);
    json_decref(c);

    /* an analyst (restricted) reads the case and its dependant, not the referral */
    analyst = admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = access_role_clearance(ROLE_ANALYST);
    store_set_session(st, &analyst);
    REQUIRE(casework_read(&ctx, st, cs, &c) == AT_OK);
    CHECK(json_array_size(json_object_get(c, "referrals")) == 0);
    CHECK(json_array_size(json_object_get(c, "dependants")) == 1);
    json_decref(c);
    CHECK(casework_read(&ctx, st, rf, &c) == AT_ENOTFOUND);
    store_set_session(st, &admin);
    CHECK(casework_read(&ctx, st, dp, &c) == AT_EINVAL);
    CHECK(strstr(ctx.message, "not a case") != NULL);
    buf_free(&places);
    store_close(st);
}

UNIT_TEST(casework_regions_and_model_checks)
{
    struct at_ctx ctx = { 0 };
    const struct type_spec *t = model_type("case");
    struct buf region = BUF_INIT;
    json_t *data;

    CHECK(casework_region("Musan", &region, NULL, NULL));
    CHECK_STR(buf_str(&region), "North Hamgyong");
    buf_reset(&region);
    CHECK(casework_region("연길", &region, NULL, NULL));
    CHECK_STR(buf_str(&region), "China");
    buf_reset(&region);
    CHECK(!casework_region("FICTIONAL farm", &region, NULL, NULL));
    CHECK_STR(buf_str(&region), "FICTIONAL farm");
    buf_reset(&region);
    model_country_name("RU", "ko", &region);
    CHECK_STR(buf_str(&region), "러시아");
    CHECK(model_country_valid("KP") && !model_country_valid("XX") && !model_country_valid("ru"));

    data = json_loads("{\"kind\": \"overseas_labour\", \"country\": \" ru \", \"wage_amount\": 700,"
                      " \"wage_currency\": \"USD\", \"share_taken\": 90}", 0, NULL);
    CHECK(model_validate(&ctx, t, data) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(data, "country")), "RU");
    json_object_set_new(data, "share_taken", json_integer(120));
    CHECK(model_validate(&ctx, t, data) == AT_EINVAL);
    json_decref(data);
    data = json_loads("{\"kind\": \"trafficking\", \"indicators\": {\"deception\": \"observed\"},"
                      " \"sales\": [{\"seller\": \" FICTIONAL broker \", \"price\": 1000,"
                      " \"currency\": \"kpw\"}]}", 0, NULL);
    CHECK(model_validate(&ctx, t, data) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(data,
              "indicators"), "deception"), "status")), "observed");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(data, "sales"), 0),
                                                "currency")), "KPW");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(data, "sales"), 0),
                                                "seller")), "FICTIONAL broker");
    json_object_set_new(data, "indicators", json_pack("{s:{s:s}}", "deception", "status", "often"));
    CHECK(model_validate(&ctx, t, data) == AT_EINVAL);
    CHECK(strstr(ctx.message, "valid: observed, not_observed, unknown") != NULL);
    json_decref(data);
    buf_free(&region);
}
