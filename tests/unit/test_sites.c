/*
 * test_sites.c: sites from pinpoints: clustering the placements of one
 * place into a candidate with its corroboration, confirming it as a site
 * that holds them, and the refusals of an unknown candidate and of a split
 * that names no pinpoint of the site.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/sites.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

static int pin(struct at_ctx *ctx, struct store *st, double lat, double lon)
{
    char json[256];

    snprintf(json, sizeof json, "{\"lat\": %.5f, \"lon\": %.5f, \"uncertainty_m\": 300, "
             "\"site_type\": \"political_prison_camp\"}", lat, lon);
    return unit_add(ctx, st, "pinpoint", json, CLEARANCE_PUBLIC, NULL);
}

static struct store *clustered(struct at_ctx *ctx, struct session *admin, json_t **candidates)
{
    struct store *st = unit_archive(ctx, "a", admin);
    struct cluster_params p = CLUSTER_PARAMS_INIT;
    size_t n = 0;

    if (st == NULL || pin(ctx, st, 42.0000, 129.0000) != AT_OK || pin(ctx, st, 42.0010, 129.0010) != AT_OK
        || pin(ctx, st, 42.0005, 128.9995) != AT_OK || pin(ctx, st, 40.0, 127.0) != AT_OK)
        return NULL;
    if (store_begin(ctx, st) != AT_OK)
        return NULL;
    if (sites_cluster(ctx, st, &p, &n) != AT_OK || evlog_commit(ctx, st) != AT_OK) {
        store_rollback(st);
        return NULL;
    }
    if (n != 2 || sites_candidates(ctx, st, candidates) != AT_OK)
        return NULL;
    return st;
}

UNIT_TEST(sites_cluster_and_confirm)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    json_t *cands = NULL, *three = NULL, *c, *pins = NULL;
    struct store *st = clustered(&ctx, &admin, &cands);
    char site[RECORD_ID_MAX];
    size_t i;

    REQUIRE(st != NULL);
    json_array_foreach(cands, i, c)
        if (json_array_size(json_object_get(c, "pinpoints")) == 3)
            three = c;
    REQUIRE(three != NULL);
    CHECK(json_integer_value(json_object_get(json_object_get(three, "corroboration"), "placements")) == 3);
    CHECK(json_real_value(json_object_get(three, "lat")) > 41.99
          && json_real_value(json_object_get(three, "lat")) < 42.01);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(sites_confirm(&ctx, st, json_string_value(json_object_get(three, "label")), "FICTIONAL camp",
                          site) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(sites_pinpoints(&ctx, st, site, &pins) == AT_OK);
    CHECK(json_array_size(pins) == 3);
    json_decref(pins);
    json_decref(cands);
    store_close(st);
}

UNIT_TEST(sites_refusals)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    json_t *cands = NULL;
    struct store *st = clustered(&ctx, &admin, &cands);
    char site[RECORD_ID_MAX];
    const char *label, *stranger[] = { "pp-not-a-pinpoint" };

    REQUIRE(st != NULL);
    label = json_string_value(json_object_get(json_array_get(cands, 0), "label"));
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    CHECK(sites_confirm(&ctx, st, "Z99", NULL, site) == AT_ENOTFOUND);
    CHECK(strstr(ctx.message, "Z99") != NULL);
    REQUIRE(sites_confirm(&ctx, st, label, NULL, site) == AT_OK);
    CHECK(sites_split(&ctx, st, site, stranger, 1, "FICTIONAL other", site) == AT_EINVAL);
    CHECK(strstr(ctx.message, "pp-not-a-pinpoint") != NULL);
    CHECK(sites_merge(&ctx, st, site, (const char *[]){ site }, 1) == AT_EINVAL);
    store_rollback(st);
    json_decref(cands);
    store_close(st);
}
