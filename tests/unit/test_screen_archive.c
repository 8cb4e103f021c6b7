/*
 * test_screen_archive.c: every organisation, person and vessel screened
 * with decisions applied, and only what a newer list version newly hits.
 */
#include "../../src/core/attest.h"
#include "../../src/core/lists.h"
#include "../../src/core/screen_archive.h"
#include "../../src/core/screen_decision.h"
#include "fixture.h"
#include "unit.h"

static int import_un(struct at_ctx *ctx, struct store *st, const char *path)
{
    struct list_data d;
    char version[64];
    bool already;
    int rc;

    if ((rc = lists_read_un(ctx, path, &d)) != AT_OK)
        return rc;
    rc = lists_import(ctx, st, &d, version, &already);
    lists_data_free(&d);
    return rc;
}

UNIT_TEST(screen_archive_new_hits_and_decisions)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct screen_query q = { NULL, NULL, NULL, 0, SCREEN_ATTEST, 90.0, 10 };
    struct screen_archive_opts o = { .q = &q };
    struct screen_index *now = NULL, *before = NULL;
    char nata[RECORD_ID_MAX], kim[RECORD_ID_MAX], dm[RECORD_ID_MAX], last[64];
    json_t *out = NULL, *versions = NULL, *one = NULL;

    REQUIRE(st != NULL);
    REQUIRE(import_un(&ctx, st, "tests/data/sanctions/un/un-2018-10-29.xml") == AT_OK);
    REQUIRE(import_un(&ctx, st, "tests/data/sanctions/un/un-2026-02-27.xml") == AT_OK);
    REQUIRE(unit_add(&ctx, st, "organisation",
                     "{\"names\": [\"National Aerospace Technology Administration\"]}", -1, nata) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\": [\"Kim Chol Sam\"]}", -1, kim) == AT_OK);
    REQUIRE(screen_index_load(&ctx, st, &now) == AT_OK);
    REQUIRE(lists_last_import(&ctx, st, last, &versions) == AT_OK);
    CHECK_STR(last, "un-2026-02-27");
    REQUIRE(screen_index_load_versions(&ctx, st, versions, &before) == AT_OK);
    json_decref(versions);

    REQUIRE(screen_archive(&ctx, st, now, &o, &out) == AT_OK);
    CHECK(json_array_size(out) == 2);
    json_decref(out);
    /* the renamed entry's new name is a new hit; KIM CHOL SAM hit before */
    o.before = before;
    REQUIRE(screen_archive(&ctx, st, now, &o, &out) == AT_OK);
    REQUIRE(json_array_size(out) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0), "record")), nata);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(out, 0), "hits"), 0),
                                                "key")), "KPe.029");
    json_decref(out);
    /* dismissed: shown apart, with who */
    REQUIRE(screen_dismiss(&ctx, st, nata, "KPe.029", NULL, dm) == AT_OK);
    REQUIRE(screen_archive(&ctx, st, now, &o, &out) == AT_OK);
    REQUIRE(json_array_size(out) == 1);
    CHECK(json_array_size(json_object_get(json_array_get(out, 0), "hits")) == 0);
    CHECK(json_array_size(json_object_get(json_array_get(out, 0), "dismissed")) == 1);
    json_decref(out);
    REQUIRE(screen_record_decided(&ctx, st, now, kim, &q, &one) == AT_OK);
    CHECK(json_array_size(json_object_get(one, "hits")) == 1);
    CHECK_STR(json_string_value(json_object_get(one, "type")), "person");
    json_decref(one);
    screen_index_free(now);
    screen_index_free(before);
    store_close(st);
}
