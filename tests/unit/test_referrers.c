/*
 * test_referrers.c: the records that refer to one, with the summary their
 * title is made from: the field that refers, the type, retraction, and
 * records above the reader's clearance left out.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/record.h"
#include "../../src/core/referrers.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

UNIT_TEST(referrers_summary_of_each)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char wit[RECORD_ID_MAX], iv[RECORD_ID_MAX], json[256];
    json_t *out = NULL, *shown = json_array(), *r;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "witness", "{\"code\": \"W-0001\"}", CLEARANCE_PUBLIC, wit) == AT_OK);
    snprintf(json, sizeof json, "{\"witness\": \"%s\", \"date\": \"2019-05\", \"interviewer\": \"FICTIONAL\"}",
             wit);
    REQUIRE(unit_add(&ctx, st, "interview", json, CLEARANCE_PUBLIC, iv) == AT_OK);
    snprintf(json, sizeof json, "{\"witness\": \"%s\", \"date\": \"2020-01\"}", wit);
    REQUIRE(unit_add(&ctx, st, "interview", json, CLEARANCE_CONFIDENTIAL, NULL) == AT_OK);

    REQUIRE(referrers_summary(&ctx, st, wit, &out, shown) == AT_OK);
    REQUIRE(json_array_size(out) == 2);
    /* In id order; ids are random, so find the public one. */
    r = json_array_get(out, 0);
    if (strcmp(json_string_value(json_object_get(r, "id")), iv) != 0)
        r = json_array_get(out, 1);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(out, 0), "id")),
                 json_string_value(json_object_get(json_array_get(out, 1), "id"))) < 0);
    CHECK_STR(json_string_value(json_object_get(r, "id")), iv);
    CHECK_STR(json_string_value(json_object_get(r, "field")), "witness");
    CHECK_STR(json_string_value(json_object_get(r, "type")), "interview");
    CHECK(json_is_false(json_object_get(r, "retracted")));
    CHECK_STR(json_string_value(json_object_get(json_object_get(r, "summary"), "interviewer")), "FICTIONAL");
    /* The confidential one is noted for the read log. */
    CHECK(json_array_size(shown) == 1);
    json_decref(out);
    json_decref(shown);
    store_close(st);
}

UNIT_TEST(referrers_stop_at_clearance)
{
    struct at_ctx ctx = { 0 };
    struct session admin, partner;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char wit[RECORD_ID_MAX], json[256];
    json_t *out = NULL, *shown = json_array();

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "witness", "{\"code\": \"W-0002\"}", CLEARANCE_PUBLIC, wit) == AT_OK);
    snprintf(json, sizeof json, "{\"witness\": \"%s\"}", wit);
    REQUIRE(unit_add(&ctx, st, "interview", json, CLEARANCE_RESTRICTED, NULL) == AT_OK);
    partner = admin;
    partner.role = ROLE_PARTNER;
    partner.clearance = CLEARANCE_PARTNER;
    store_set_session(st, &partner);
    REQUIRE(referrers_summary(&ctx, st, wit, &out, shown) == AT_OK);
    CHECK(json_array_size(out) == 0);
    CHECK(json_array_size(shown) == 0);
    json_decref(out);
    json_decref(shown);
    store_set_session(st, &admin);
    store_close(st);
}
