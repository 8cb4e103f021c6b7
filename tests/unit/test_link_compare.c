/*
 * test_link_compare.c: names meet across romanisations and Hangul; the
 * population shares of common surnames.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"

UNIT_TEST(link_compare_korean_names_cluster)
{
    static const char *const fields[] = { "names" };
    static const char *const names[] = { "김정은", "Kim Jong Un", "Gim Jeong-eun", "Ri Sol Ju",
                                         "Lee Seol-ju", "리설주", "Pak Chol", "Park Cheol" };
    struct at_ctx ctx = { 0 };
    struct link_table *t;
    struct link_config *c;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;

    REQUIRE(link_table_new(&ctx, fields, 1, &t) == AT_OK);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char id[8];
        snprintf(id, sizeof id, "r%zu", i);
        REQUIRE(link_table_add(&ctx, t, id, &names[i]) == AT_OK);
    }
    REQUIRE(link_config_parse(&ctx, "threshold 0.5\ncompare f family names\ncompare g given names 0.9\n"
                              "block names:family\n", "t", &c) == AT_OK);
    REQUIRE(link_run(&ctx, c, t, &o, &r) == AT_OK);
    CHECK(r.cluster[0] == r.cluster[1] && r.cluster[1] == r.cluster[2]);
    CHECK(r.cluster[3] == r.cluster[4] && r.cluster[4] == r.cluster[5]);
    CHECK(r.cluster[6] == r.cluster[7]);
    CHECK(r.cluster[0] != r.cluster[3] && r.cluster[3] != r.cluster[6]);
    link_result_free(&r);
    link_config_free(c);
    link_table_free(t);
}
