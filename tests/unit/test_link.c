/*
 * test_link.c: record linkage from end to end on a table: the Splink demo
 * file (pairwise F1 and the number of clusters against its truth), and
 * fictional Korean victim and event records from bench/link_gen.h.
 */
#include "unit.h"
#include "link_data.h"
#include "../../src/core/attest.h"
#include "../../src/core/link.h"
#include "../../bench/link_gen.h"

#include <stdlib.h>

/* The comparisons and rules for the Splink demo file's columns. */
static const char fake_config[] =
    "threshold 0.5\n"
    "compare first_name jw first_name 0.92 0.8 tf\n"
    "compare surname jw surname 0.92 0.8 tf\n"
    "compare dob date dob 31 366\n"
    "compare city exact city tf\n"
    "compare email jw email 0.88\n"
    "block first_name:value\n"
    "block surname:value\n"
    "block dob:value\n"
    "block email:value\n"
    "block city:value first_name:value\n";

static void score(const struct link_table *t, const struct link_result *r, const char *truth_field,
                  struct link_score *s)
{
    size_t n = link_table_count(t);
    uint32_t *truth = malloc(n * sizeof *truth);

    for (size_t i = 0; i < n; i++)
        truth[i] = (uint32_t)strtoul(link_table_get(t, i, truth_field), NULL, 10);
    link_score_clusters(r->cluster, truth, n, s);
    free(truth);
}

UNIT_TEST(link_fake_1000_f1_and_clusters)
{
    char path[512];
    struct at_ctx ctx = { 0 };
    struct link_table *t;
    struct link_config *c;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;
    struct link_score s;

    if (link_data_path("fake_1000_from_splink_demos.csv", path, sizeof path) == NULL) {
        unit_skip("fake_1000_from_splink_demos.csv is not here (../shared/data/linkage)");
        return;
    }
    REQUIRE(link_table_read_csv(&ctx, path, "unique_id", &t) == AT_OK);
    REQUIRE(link_config_parse(&ctx, fake_config, "test", &c) == AT_OK);
    REQUIRE(link_run(&ctx, c, t, &o, &r) == AT_OK);
    score(t, &r, "cluster", &s);
    fprintf(stderr, "    # fake_1000: P %.4f R %.4f F1 %.4f, %zu clusters, %zu pairs\n",
            s.precision, s.recall, s.f1, r.nclusters, r.pairs_compared);
    CHECK(s.f1 >= 0.93);
    CHECK(r.nclusters >= 181 - 15 && r.nclusters <= 181 + 15);
    link_result_free(&r);
    link_config_free(c);
    link_table_free(t);
}

/* Generated records written to a file and read back as a table. */
static struct link_table *generated(bool persons, size_t n, uint64_t seed)
{
    char path[512];
    FILE *f;
    struct at_ctx ctx = { 0 };
    struct link_table *t = NULL;

    snprintf(path, sizeof path, "%s/records.csv", unit_tmpdir());
    if ((f = fopen(path, "w")) == NULL)
        return NULL;
    if (persons)
        link_gen_persons(f, n, seed);
    else
        link_gen_events(f, n, seed);
    fclose(f);
    if (link_table_read_csv(&ctx, path, "id", &t) != AT_OK)
        fprintf(stderr, "    %s\n", ctx.message);
    return t;
}

static void check_generated(bool persons, size_t n, uint64_t seed, double floor)
{
    struct at_ctx ctx = { 0 };
    struct link_table *t = generated(persons, n, seed);
    struct link_config *c;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;
    struct link_score s;

    REQUIRE(t != NULL);
    REQUIRE(link_config_default(&ctx, persons ? LINK_PERSON : LINK_EVENT, &c) == AT_OK);
    REQUIRE(link_run(&ctx, c, t, &o, &r) == AT_OK);
    score(t, &r, "truth", &s);
    fprintf(stderr, "    # generated %s: P %.4f R %.4f F1 %.4f, %zu clusters, %zu pairs\n",
            persons ? "persons" : "events", s.precision, s.recall, s.f1, r.nclusters,
            r.pairs_compared);
    CHECK(s.f1 >= floor);
    link_result_free(&r);
    link_config_free(c);
    link_table_free(t);
}

UNIT_TEST(link_generated_persons_f1)
{
    check_generated(true, 20000, 12, 0.95);
}

/* Events are harder: vaguer dates, records with no placement and no
 * county, and distinct events at one site in one year (0.954 now). */
UNIT_TEST(link_generated_events_f1)
{
    check_generated(false, 5000, 12, 0.95);
}
