/*
 * link_bench.c: deduplicates a CSV of generated person records
 * (bench/link_gen.c) end to end with the built-in person configuration
 * and prints what the linkage benchmark reports: records, pairs compared,
 * wall and CPU time of loading and of linking (blocking, EM, scoring,
 * clustering), peak memory, the EM estimates, and pairwise precision,
 * recall and F1 against the generator's truth.
 *
 *   build/bench/link_bench records.csv
 */
#include "../src/core/attest.h"
#include "../src/core/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6
           + (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    struct at_ctx ctx = { 0 };
    struct link_table *t;
    struct link_config *c;
    struct link_result r;
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;
    struct link_score s;
    struct rusage u;
    double w0, c0, w1, c1, w2, c2;
    uint32_t *truth;
    size_t n, entities = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: link_bench RECORDS.csv\n");
        return 2;
    }
    w0 = wall();
    c0 = cpu();
    if (link_table_read_csv(&ctx, argv[1], "id", &t) != AT_OK
        || link_config_default(&ctx, LINK_PERSON, &c) != AT_OK) {
        fprintf(stderr, "link_bench: %s\n", ctx.message);
        return 1;
    }
    w1 = wall();
    c1 = cpu();
    if (link_run(&ctx, c, t, &o, &r) != AT_OK) {
        fprintf(stderr, "link_bench: %s\n", ctx.message);
        return 1;
    }
    w2 = wall();
    c2 = cpu();
    n = link_table_count(t);
    truth = malloc((n ? n : 1) * sizeof *truth);
    for (size_t i = 0; i < n; i++) {
        truth[i] = (uint32_t)strtoul(link_table_get(t, i, "truth"), NULL, 10);
        if (truth[i] + 1 > entities)
            entities = truth[i] + 1;
    }
    link_score_clusters(r.cluster, truth, n, &s);
    getrusage(RUSAGE_SELF, &u);
    printf("records            %zu (%zu true victims)\n", n, entities);
    printf("pairs compared     %zu\n", r.pairs_compared);
    printf("load               %.2f s wall, %.2f s CPU\n", w1 - w0, c1 - c0);
    printf("link               %.2f s wall, %.2f s CPU (blocking, EM, scoring, clustering)\n",
           w2 - w1, c2 - c1);
    printf("peak memory        %.0f MiB\n", (double)u.ru_maxrss / 1024);
    printf("EM                 %d rounds, lambda %.4f among candidates\n", r.em_iterations,
           r.params.lambda);
    printf("clusters           %zu (%zu broken joins)\n", r.nclusters, r.broken);
    printf("pairwise           precision %.4f recall %.4f F1 %.4f (%zu true pairs)\n",
           s.precision, s.recall, s.f1, s.true_pairs);
    free(truth);
    link_result_free(&r);
    link_config_free(c);
    link_table_free(t);
    return 0;
}
