/* test_claims.c: a claim's span is checked against its document's text
 * and its quote kept; claims list by topic with their documents. */
#include "../../src/core/attest.h"
#include "../../src/core/claims.h"
#include "../../src/core/evlog.h"
#include "fixture.h"
#include "unit.h"

#include <string.h>

UNIT_TEST(claims_check_the_span_and_list_by_topic)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "arc", &admin);
    char doc[RECORD_ID_MAX], other[RECORD_ID_MAX];
    json_t *rows = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "document", "{\"title\":\"FICTIONAL\",\"publisher\":\"FICTIONAL Wire\","
                     "\"date\":\"2026-01-02\",\"text\":\"회령: about 50,000 workers abroad.\"}", -1, doc) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "document", "{\"title\":\"FICTIONAL no text\"}", -1, other) == AT_OK);

    struct claims_add c = { json_pack("{s:s, s:s, s:f, s:s, s:s}", "document", doc, "span", "10:24",
                                      "quantity", 50000.0, "unit", "workers", "topic", "workers_abroad"), "" };
    REQUIRE(evlog_write(&ctx, st, claims_add_write, &c) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(c.data, "quote")), "50,000 workers");
    json_decref(c.data);

    struct claims_add past = { json_pack("{s:s, s:s, s:f, s:s, s:s}", "document", doc, "span", "10:99",
                                         "quantity", 1.0, "unit", "workers", "topic", "revenue"), "" };
    CHECK(evlog_write(&ctx, st, claims_add_write, &past) == AT_EINVAL);
    CHECK(strstr(ctx.message, "field \"span\": span 10:99 runs past the end of the text (32 code points)") != NULL);
    json_decref(past.data);

    struct claims_add notext = { json_pack("{s:s, s:s, s:f, s:s, s:s}", "document", other, "span", "0:1",
                                           "quantity", 1.0, "unit", "workers", "topic", "revenue"), "" };
    CHECK(evlog_write(&ctx, st, claims_add_write, &notext) == AT_EINVAL);
    json_decref(notext.data);

    REQUIRE(claims_list(&ctx, st, "workers_abroad", &rows) == AT_OK);
    REQUIRE(json_array_size(rows) == 1);
    json_t *r = json_array_get(rows, 0);
    CHECK_STR(json_string_value(json_object_get(r, "publisher")), "FICTIONAL Wire");
    CHECK_STR(json_string_value(json_object_get(r, "document_date")), "2026-01-02");
    CHECK(json_number_value(json_object_get(r, "quantity")) == 50000);
    json_decref(rows);
    REQUIRE(claims_list(&ctx, st, "revenue", &rows) == AT_OK);
    CHECK(json_array_size(rows) == 0);
    json_decref(rows);
    store_close(st);
    access_session_free(&admin);
}
