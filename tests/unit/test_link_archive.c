/*
 * test_link_archive.c: record linkage on an archive.  Before any run every
 * person is a cluster of its own; an analyst's decision holds at once and
 * in every later run (an accepted pair together, a rejected one apart),
 * and a new version of a decision replaces the old; a review queue with
 * nothing in its band is empty.  All data is FICTIONAL.
 */
#include "unit.h"
#include "fixture.h"
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/link.h"

#include <string.h>

struct seen {
    char id[3][RECORD_ID_MAX];
    char cluster[3][RECORD_ID_MAX];
    size_t n;
};

static int collect(void *arg, const char *record_id, const char *cluster_id)
{
    struct seen *s = arg;

    if (s->n < 3) {
        snprintf(s->id[s->n], sizeof s->id[s->n], "%s", record_id);
        snprintf(s->cluster[s->n], sizeof s->cluster[s->n], "%s", cluster_id);
    }
    s->n++;
    return AT_OK;
}

/* The cluster of id as link_archive_clusters lists it, or "". */
static const char *cluster_of(const struct seen *s, const char *id)
{
    for (size_t i = 0; i < s->n && i < 3; i++)
        if (strcmp(s->id[i], id) == 0)
            return s->cluster[i];
    return "";
}

static int clusters(struct at_ctx *ctx, struct store *st, struct seen *s)
{
    memset(s, 0, sizeof *s);
    return link_archive_clusters(ctx, st, LINK_PERSON, collect, s);
}

static int decide(struct at_ctx *ctx, struct store *st, const char *a, const char *b,
                  enum link_decision d, int *version)
{
    return evlog_write(ctx, st, link_decide_write, &(struct link_decide_job){ a, b, d, NULL, version });
}

UNIT_TEST(link_archive_decisions_hold_at_once_and_in_later_runs)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "arc", &admin);
    struct link_archive_options opts = { -1, NULL };
    struct link_archive_summary sum;
    struct seen s;
    char p[3][RECORD_ID_MAX];
    int version = 0;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\":[\"FICTIONAL Kim Chol\"],\"birth_date\":\"1960\"}", -1, p[0]) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\":[\"FICTIONAL Pak Sun\"],\"birth_date\":\"1971\"}", -1, p[1]) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\":[\"FICTIONAL Ri Ok\"],\"birth_date\":\"1985\"}", -1, p[2]) == AT_OK);

    /* No run yet: three singletons, each its own id. */
    REQUIRE(clusters(&ctx, st, &s) == AT_OK);
    CHECK(s.n == 3);
    for (size_t i = 0; i < 3; i++)
        CHECK(strcmp(cluster_of(&s, p[i]), p[i]) == 0);

    REQUIRE(evlog_write(&ctx, st, link_archive_run_write,
                        &(struct link_archive_job){ LINK_PERSON, &opts, &sum }) == AT_OK);
    CHECK(sum.records == 3);
    REQUIRE(clusters(&ctx, st, &s) == AT_OK);
    CHECK(strcmp(cluster_of(&s, p[0]), cluster_of(&s, p[1])) != 0);

    /* Accepted: together at once, and after another run. */
    REQUIRE(decide(&ctx, st, p[0], p[1], LINK_ACCEPT, &version) == AT_OK);
    CHECK(version == 1);
    REQUIRE(clusters(&ctx, st, &s) == AT_OK);
    CHECK(strcmp(cluster_of(&s, p[0]), cluster_of(&s, p[1])) == 0);
    CHECK(strcmp(cluster_of(&s, p[0]), cluster_of(&s, p[2])) != 0);
    REQUIRE(evlog_write(&ctx, st, link_archive_run_write,
                        &(struct link_archive_job){ LINK_PERSON, &opts, &sum }) == AT_OK);
    CHECK(sum.decisions == 1);
    REQUIRE(clusters(&ctx, st, &s) == AT_OK);
    CHECK(strcmp(cluster_of(&s, p[0]), cluster_of(&s, p[1])) == 0);

    /* Rejected in a second version: apart again, and still after a run. */
    REQUIRE(decide(&ctx, st, p[1], p[0], LINK_REJECT, &version) == AT_OK);
    CHECK(version == 2);
    REQUIRE(evlog_write(&ctx, st, link_archive_run_write,
                        &(struct link_archive_job){ LINK_PERSON, &opts, &sum }) == AT_OK);
    REQUIRE(clusters(&ctx, st, &s) == AT_OK);
    CHECK(strcmp(cluster_of(&s, p[0]), cluster_of(&s, p[1])) != 0);

    /* A decision on a record that is not a person is refused. */
    CHECK(decide(&ctx, st, p[0], "pe-000000000000", LINK_ACCEPT, NULL) != AT_OK);
    store_close(st);
}

/* A review queue with no pair in its band is an empty list, and nothing is
 * sorted from a NULL array (UBSan in make check). */
UNIT_TEST(link_archive_review_queue_empty)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "arc", &admin);
    struct link_archive_options opts = { -1, NULL };
    struct link_archive_summary sum;
    json_t *queue = NULL;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\":[\"FICTIONAL Kim Chol\"],\"birth_date\":\"1960\"}", -1, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\":[\"FICTIONAL Pak Sun\"],\"birth_date\":\"1971\"}", -1, NULL) == AT_OK);
    REQUIRE(evlog_write(&ctx, st, link_archive_run_write,
                        &(struct link_archive_job){ LINK_PERSON, &opts, &sum }) == AT_OK);
    /* No probability lies above 1. */
    REQUIRE(link_review_queue(&ctx, st, LINK_PERSON, 1.5, 2, 10, &queue) == AT_OK);
    CHECK(json_array_size(queue) == 0);
    json_decref(queue);
    store_close(st);
}
