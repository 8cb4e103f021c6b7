/*
 * test_layer.c: a map layer's records by bounding box: the same records
 * as record_list gives for the box, as document text; retracted records
 * and records above the reader's clearance left out; a filter without a
 * box refused.
 */
#include "../../src/core/attest.h"
#include "../../src/core/layer.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

struct seen {
    int n;
    bool inside, outside, secret;
};

static int take(void *arg, const char *doc, size_t len)
{
    struct seen *s = arg;
    (void)len;
    s->n++;
    s->inside |= strstr(doc, "FICTIONAL inside") != NULL;
    s->outside |= strstr(doc, "FICTIONAL outside") != NULL;
    s->secret |= strstr(doc, "FICTIONAL secret") != NULL;
    return AT_OK;
}

static int count_list(void *arg, json_t *doc)
{
    (void)doc;
    (*(int *)arg)++;
    return AT_OK;
}

UNIT_TEST(layer_list_by_box)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct seen s = { 0 };
    int listed = 0;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL inside\", \"lat\": 42.0, \"lon\": 129.0}",
                     CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL outside\", \"lat\": 39.0, \"lon\": 125.7}",
                     CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL secret\", \"lat\": 42.1, \"lon\": 129.1}",
                     CLEARANCE_CONFIDENTIAL, NULL) == AT_OK);
    f.has_bbox = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    REQUIRE(layer_list(&ctx, st, &f, take, &s) == AT_OK);
    CHECK(s.n == 2 && s.inside && s.secret && !s.outside);
    REQUIRE(record_list(&ctx, st, &f, count_list, &listed) == AT_OK);
    CHECK(listed == s.n);
    memset(&s, 0, sizeof s);
    f.max_clearance = CLEARANCE_RESTRICTED;
    REQUIRE(layer_list(&ctx, st, &f, take, &s) == AT_OK);
    CHECK(s.n == 1 && s.inside && !s.secret);
    store_close(st);
}

UNIT_TEST(layer_needs_a_box)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct seen s = { 0 };

    REQUIRE(st != NULL);
    CHECK(layer_list(&ctx, st, &f, take, &s) == AT_EINVAL);
    CHECK(strstr(ctx.message, "bounding box") != NULL);
    f.has_bbox = true;
    f.include_retracted = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    CHECK(layer_list(&ctx, st, &f, take, &s) == AT_EINVAL);
    CHECK(s.n == 0);
    store_close(st);
}
