/*
 * test_link_archive.c: the archive step of record linkage, through a run on a small
 * table: an analyst's rejected pair stays apart, an accepted one together.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"

UNIT_TEST(link_archive_constraints_respected)
{
    static const char *const fields[] = { "name" };
    static const char *const v[] = { "alpha", "alpha", "alpha", "omega" };
    struct at_ctx ctx = { 0 };
    struct link_table *t;
    struct link_config *c;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;
    struct link_constraint cons[2] = { { 0, 1, false }, { 2, 3, true } };

    REQUIRE(link_table_new(&ctx, fields, 1, &t) == AT_OK);
    for (size_t i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%zu", i);
        REQUIRE(link_table_add(&ctx, t, id, &v[i]) == AT_OK);
    }
    REQUIRE(link_config_parse(&ctx, "threshold 0.5\ncompare n exact name\nblock name:value\n", "t", &c) == AT_OK);
    o.constraints = cons;
    o.nconstraints = 2;
    REQUIRE(link_run(&ctx, c, t, &o, &r) == AT_OK);
    CHECK(r.cluster[0] != r.cluster[1]);
    CHECK(r.cluster[2] == r.cluster[3]);
    link_result_free(&r);
    link_config_free(c);
    link_table_free(t);
}
