/*
 * test_screen_decision.c: "not this entry" decisions: made, refused when
 * made twice, withdrawn and made again as versions of one dismissal
 * record, listed, and applied to a record's hits (the dismissed hit moved
 * apart with who and when).
 */
#include "../../src/core/attest.h"
#include "../../src/core/screen_decision.h"
#include "fixture.h"
#include "unit.h"

UNIT_TEST(screen_decisions_made_withdrawn_applied)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char org[RECORD_ID_MAX], dm[RECORD_ID_MAX], again[RECORD_ID_MAX];
    json_t *list = NULL, *hits, *dismissed = NULL;
    char source[8];

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "organisation", "{\"names\": [\"FICTIONAL Yonbong Trading\"]}", -1, org)
            == AT_OK);
    REQUIRE(screen_dismiss(&ctx, st, org, "KPe.002", "FICTIONAL: not that one", dm) == AT_OK);
    CHECK(strncmp(dm, "dm-", 3) == 0);
    CHECK(screen_dismiss(&ctx, st, org, "un:KPe.002", NULL, again) == AT_ECONFLICT);
    CHECK(strstr(ctx.message, "already dismissed") != NULL);
    CHECK(screen_dismiss(&ctx, st, org, "eu:KPe.002", NULL, again) == AT_EINVAL);
    CHECK(screen_dismiss(&ctx, st, org, "KPe.999", NULL, again) == AT_ENOTFOUND);

    REQUIRE(screen_decisions(&ctx, st, org, false, &list) == AT_OK);
    REQUIRE(json_array_size(list) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "list")), "un");
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "by")), "admin");
    /* a hit on KPe.002 of any UN version is set apart; one on OFAC stays */
    hits = json_pack("[{s:s, s:s}, {s:s, s:s}]", "list", "un-2018-10-29", "key", "KPe.002",
                     "list", "ofac-2021-07-07", "key", "KPe.002");
    screen_decisions_apply(list, org, hits, &dismissed);
    CHECK(json_array_size(hits) == 1);
    CHECK(json_array_size(dismissed) == 1);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(dismissed, 0), "dismissal"),
                                                "note")), "FICTIONAL: not that one");
    json_decref(hits);
    json_decref(dismissed);
    json_decref(list);

    REQUIRE(screen_undismiss(&ctx, st, org, "KPe.002", NULL, again) == AT_OK);
    CHECK_STR(again, dm);
    CHECK(screen_undismiss(&ctx, st, org, "KPe.002", NULL, again) == AT_ENOTFOUND);
    REQUIRE(screen_decisions(&ctx, st, org, false, &list) == AT_OK);
    CHECK(json_array_size(list) == 0);
    json_decref(list);
    REQUIRE(screen_dismiss(&ctx, st, org, "KPe.002", NULL, again) == AT_OK);
    CHECK_STR(again, dm);
    REQUIRE(screen_decisions(&ctx, st, NULL, true, &list) == AT_OK);
    CHECK(json_integer_value(json_object_get(json_array_get(list, 0), "version")) == 3);
    json_decref(list);
    screen_list_of("ofac-2021-07-07", source);
    CHECK_STR(source, "ofac");
    store_close(st);
}
