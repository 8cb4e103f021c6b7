/*
 * latency.h: what the in-process latency benchmarks share: a monotonic
 * clock and the thread's CPU clock in milliseconds, nearest-rank quantiles of sorted samples, and
 * the reader they query as.
 */
#ifndef BENCH_LATENCY_H
#define BENCH_LATENCY_H

#include "../src/core/access.h"
#include "../src/core/store.h"
#include "../src/core/vocab.h"

#include <stddef.h>
#include <time.h>

/* Core shows no session nothing: the benchmarks read as a user cleared
 * for everything, whose keys nothing they time needs. */
static inline void bench_read_all(struct store *st)
{
    static struct session reader = { .user = "bench reader", .role = ROLE_ADMIN,
                                     .clearance = CLEARANCE_CONFIDENTIAL };

    store_set_session(st, &reader);
}

static inline double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The calling thread's CPU time in milliseconds. */
static inline double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* For qsort of doubles, smallest first. */
static inline int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The q-th quantile of sorted[0..n) by the nearest-rank method. */
static inline double quantile(const double *sorted, size_t n, double q)
{
    size_t rank = (size_t)(q * (double)n + 0.999999);

    return sorted[rank > 0 ? rank - 1 : 0];
}

#endif
