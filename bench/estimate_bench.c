/*
 * estimate_bench.c: the speed of multiple systems estimation.
 *
 *   estimate_bench lcmcr4 [SWEEPS]
 *       LCMCR on the Kosovo table (4 lists, K = 10): sweeps per second
 *   estimate_bench lcmcr6 [SWEEPS]
 *       LCMCR on a simulated six-list table (N = 5,000; 90% of people
 *       caught with probability 0.2 per list, 10% with 0.5; seed 5) with
 *       K = 15: sweeps per second
 *   estimate_bench loglinear5 [REPEATS]
 *       every hierarchical log-linear model up to three-way terms of
 *       Madigan and York's five lists (6,212 models): the time of the
 *       whole search, best and median of REPEATS
 *   estimate_bench dga5 [REPEATS]
 *       model averaging over the 822 decomposable graphs of the same five
 *       lists (delta 0.5, Nmis 1..300)
 *
 * Times are CPU time of this thread (wall time beside), so that other load
 * on the machine does not stretch them.  Each line also prints what was
 * estimated, so a fast wrong answer shows.
 */
#include "../src/core/attest.h"
#include "../src/core/mse.h"
#include "../src/core/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_of(clockid_t id)
{
    struct timespec t;

    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void kosovo(struct mse_table *t)
{
    static const double cells[] = { 0, 1131, 845, 177, 936, 228, 217, 181,
                                    306, 106, 31, 18, 123, 42, 32, 27 };
    static const char *const names[] = { "EXH", "ABA", "OSCE", "HRW" };

    memset(t, 0, sizeof *t);
    t->nlists = 4;
    for (int j = 0; j < 4; j++)
        snprintf(t->names[j], sizeof t->names[j], "%s", names[j]);
    memcpy(t->count, cells, sizeof cells);
}

static void madigan_york5(struct mse_table *t)
{
    static const double cells[] = { 0, 27, 37, 19, 4, 4, 1, 1, 97, 22, 37, 25, 2, 1, 3, 5,
                                    83, 36, 34, 18, 3, 5, 0, 2, 30, 5, 23, 8, 0, 3, 0, 2 };

    memset(t, 0, sizeof *t);
    t->nlists = 5;
    for (int j = 0; j < 5; j++)
        snprintf(t->names[j], sizeof t->names[j], "L%d", j + 1);
    memcpy(t->count, cells, sizeof cells);
}

/* Six lists, two classes of catchability. */
static void simulated6(struct mse_table *t)
{
    struct rng r;

    memset(t, 0, sizeof *t);
    t->nlists = 6;
    for (int j = 0; j < 6; j++)
        snprintf(t->names[j], sizeof t->names[j], "S%d", j + 1);
    rng_seed(&r, 5);
    for (int i = 0; i < 5000; i++) {
        double p = i < 4500 ? 0.2 : 0.5;
        int h = 0;

        for (int j = 0; j < 6; j++)
            h |= (rng_uniform(&r) < p) << j;
        t->count[h] += h != 0;
    }
}

static int lcmcr(const struct mse_table *t, int classes, long sweeps)
{
    struct at_ctx ctx = { 0 };
    struct mse_lcmcr_options o;
    struct mse_lcmcr *s;
    double c0, w0, cpu, wall, sum = 0;

    mse_lcmcr_defaults(&o);
    o.classes = classes;
    o.seed = 1;
    if (mse_lcmcr_new(&ctx, t, &o, &s) != AT_OK) {
        fprintf(stderr, "estimate_bench: %s\n", ctx.message);
        return 1;
    }
    c0 = clock_of(CLOCK_THREAD_CPUTIME_ID);
    w0 = clock_of(CLOCK_MONOTONIC);
    for (long i = 0; i < sweeps; i++)
        sum += mse_lcmcr_sweep(s);
    cpu = clock_of(CLOCK_THREAD_CPUTIME_ID) - c0;
    wall = clock_of(CLOCK_MONOTONIC) - w0;
    mse_lcmcr_free(s);
    printf("LCMCR %d lists, K = %d, %d observed people: %ld sweeps in %.3f s CPU (%.3f s wall): %.0f sweeps/s; mean N %.0f\n",
           t->nlists, classes, (int)mse_table_observed(t), sweeps, cpu, wall, (double)sweeps / cpu,
           sum / (double)sweeps);
    return 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int loglinear5(int repeats)
{
    struct mse_table t;
    struct at_ctx ctx = { 0 };
    double *cpu = calloc((size_t)repeats, sizeof *cpu), wall = 0;
    struct mse_llm_fit *fits = NULL;
    size_t n = 0;
    int exhaustive = 0;
    char name[96];

    madigan_york5(&t);
    for (int i = 0; i < repeats; i++) {
        double c0 = clock_of(CLOCK_THREAD_CPUTIME_ID), w0 = clock_of(CLOCK_MONOTONIC);

        free(fits);
        if (mse_llm_search(&ctx, &t, MSE_BIC, &fits, &n, &exhaustive) != AT_OK) {
            fprintf(stderr, "estimate_bench: %s\n", ctx.message);
            return 1;
        }
        cpu[i] = clock_of(CLOCK_THREAD_CPUTIME_ID) - c0;
        wall += clock_of(CLOCK_MONOTONIC) - w0;
    }
    qsort(cpu, (size_t)repeats, sizeof *cpu, by_value);
    mse_llm_name(5, fits[0].terms, name, sizeof name);
    printf("log-linear, all %zu hierarchical models of 5 lists: best %.1f ms, median %.1f ms CPU (mean wall %.1f ms) over %d runs; best BIC %s, N %.1f\n",
           n, cpu[0] * 1e3, cpu[repeats / 2] * 1e3, wall / repeats * 1e3, repeats, name, fits[0].total);
    free(fits);
    free(cpu);
    return 0;
}

static int dga5(int repeats)
{
    struct mse_table t;
    struct at_ctx ctx = { 0 };
    struct mse_dga_result r = { 0 };
    double best = 1e30;

    madigan_york5(&t);
    for (int i = 0; i < repeats; i++) {
        double c0 = clock_of(CLOCK_THREAD_CPUTIME_ID);

        mse_dga_free(&r);
        if (mse_dga(&ctx, &t, 0.5, 1, 300, NULL, &r) != AT_OK) {
            fprintf(stderr, "estimate_bench: %s\n", ctx.message);
            return 1;
        }
        c0 = clock_of(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (c0 < best)
            best = c0;
    }
    printf("dga, %zu decomposable graphs of 5 lists, Nmis 1..300: best %.1f ms CPU over %d runs; mode %.0f, mean %.1f\n",
           r.ngraphs, best * 1e3, repeats, r.mode, r.mean);
    mse_dga_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    struct mse_table t;
    long n = argc > 2 ? atol(argv[2]) : 0;

    if (argc < 2)
        goto usage;
    if (strcmp(argv[1], "lcmcr4") == 0) {
        kosovo(&t);
        return lcmcr(&t, 10, n > 0 ? n : 200000);
    }
    if (strcmp(argv[1], "lcmcr6") == 0) {
        simulated6(&t);
        return lcmcr(&t, 15, n > 0 ? n : 100000);
    }
    if (strcmp(argv[1], "loglinear5") == 0)
        return loglinear5(n > 0 ? (int)n : 5);
    if (strcmp(argv[1], "dga5") == 0)
        return dga5(n > 0 ? (int)n : 5);
usage:
    fprintf(stderr, "usage: estimate_bench lcmcr4|lcmcr6 [SWEEPS] | loglinear5|dga5 [REPEATS]\n");
    return 2;
}
