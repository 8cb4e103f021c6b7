/* test_tags.c: the dictionary from the archive and the lists, stored
 * suggestions, and decisions that are logged and link only when
 * accepted. */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/tags.h"
#include "fixture.h"
#include "unit.h"

#include <string.h>

UNIT_TEST(tags_suggest_then_accept_and_reject)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "arc", &admin);
    struct tagger *dict = NULL;
    char org[RECORD_ID_MAX], doc[RECORD_ID_MAX];
    json_t *tags = NULL;
    size_t count = 0;
    uint64_t before, after;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "organisation", "{\"names\":[\"FICTIONAL Unhasu Trading\"]}", -1, org) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "document", "{\"title\":\"FICTIONAL\",\"text\":\"FICTIONAL Unhasu Trading "
                     "and KOREA MINING DEVELOPMENT TRADING CORPORATION in 회령.\"}", -1, doc) == AT_OK);
    REQUIRE(tags_dictionary(&ctx, st, &dict) == AT_OK);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    const char *text = "FICTIONAL Unhasu Trading and KOREA MINING DEVELOPMENT TRADING CORPORATION in 회령.";
    REQUIRE(tags_suggest(&ctx, st, dict, doc, text, &count) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(count == 4);   /* the company is on both the UN and the OFAC list */
    REQUIRE(tags_list(&ctx, st, doc, &tags) == AT_OK);
    REQUIRE(json_array_size(tags) == 4);
    json_t *t0 = json_array_get(tags, 0), *t2 = json_array_get(tags, 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(tags, 2), "target")), "un-2026-02-27 KPe.001");
    CHECK_STR(json_string_value(json_object_get(t0, "target")), org);
    CHECK(json_integer_value(json_object_get(t2, "start")) == 77 && json_integer_value(json_object_get(t2, "end")) == 79);
    CHECK_STR(json_string_value(json_object_get(t2, "text")), "회령");

    long id = (long)json_integer_value(json_object_get(t0, "id"));
    struct tags_decision d = { &id, 1, "accepted", 0 };
    REQUIRE(evlog_size(&ctx, st, &before) == AT_OK);
    REQUIRE(evlog_write(&ctx, st, tags_decide_write, &d) == AT_OK);
    CHECK(d.changed == 1);
    REQUIRE(evlog_size(&ctx, st, &after) == AT_OK);
    CHECK(after == before + 2);   /* the relation's version and the decision */
    json_decref(tags);
    REQUIRE(tags_list(&ctx, st, doc, &tags) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(json_array_get(tags, 0), "status")), "accepted");
    CHECK(json_object_get(json_array_get(tags, 0), "relation") != NULL);

    struct tags_decision bad = { &id, 1, "maybe", 0 };
    CHECK(evlog_write(&ctx, st, tags_decide_write, &bad) == AT_EINVAL);
    long none = 424242;
    struct tags_decision missing = { &none, 1, "rejected", 0 };
    CHECK(evlog_write(&ctx, st, tags_decide_write, &missing) == AT_ENOTFOUND);
    json_decref(tags);
    tags = NULL;
    CHECK(tags_list(&ctx, st, org, &tags) == AT_EINVAL && tags == NULL);

    tagger_free(dict);
    store_close(st);
    access_session_free(&admin);
}
