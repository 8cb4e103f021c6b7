/*
 * near_latency.c: times radius queries against an archive through the
 * core function `attest sites near LAT,LON --km K` calls, so that process
 * start-up is not part of what is measured.
 *
 *   near_latency ARCHIVE QUERIES
 *
 * QUERIES has one query a line: LAT LON KM.  Each runs once (sites of any
 * clearance, as the command asks by default), after one untimed query
 * that loads the schema, and the program prints
 *
 *   queries N hits H p50 X p95 Y p99 Z max W
 *
 * with the latencies in milliseconds, then
 *
 *   cpu p50 X p95 Y p99 Z max W
 *
 * the CPU time of each query (this thread's), which a machine shared with
 * other work disturbs far less than the latency.
 */
#include "../src/core/attest.h"
#include "../src/core/spatial.h"
#include "../src/core/store.h"
#include "open.h"

#include "latency.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    struct at_ctx ctx = { 0 };
    struct spatial_query sq = { "site", -1 };
    struct spatial_hits h;
    struct store *st = NULL;
    struct session user;
    double (*q)[3] = NULL, *ms, *cpu;
    size_t nq = 0, cap = 0;
    long hits = 0;
    FILE *f;

    if (argc != 3) {
        fprintf(stderr, "usage: near_latency ARCHIVE QUERIES\n");
        return 2;
    }
    if ((f = fopen(argv[2], "r")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    for (double a, b, c; fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3;) {
        if (nq == cap)
            q = xrealloc(q, (cap = cap ? 2 * cap : 256) * sizeof *q);
        q[nq][0] = a, q[nq][1] = b, q[nq++][2] = c;
    }
    fclose(f);
    if (nq == 0 || bench_open(&ctx, argv[1], &st, &user) != AT_OK) {
        fprintf(stderr, "near_latency: %s\n", nq ? ctx.message : "no queries");
        return 1;
    }
    bench_read_all(st);
    if (spatial_near(&ctx, st, &sq, q[0][0], q[0][1], 1, &h) == AT_OK)
        spatial_hits_free(&h);
    ms = xcalloc(nq, sizeof *ms);
    cpu = xcalloc(nq, sizeof *cpu);
    for (size_t i = 0; i < nq; i++) {
        double t0 = now_ms(), c0 = cpu_ms();
        if (spatial_near(&ctx, st, &sq, q[i][0], q[i][1], q[i][2] * 1000, &h) != AT_OK) {
            fprintf(stderr, "near_latency: %s\n", ctx.message);
            return 1;
        }
        ms[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
        hits += (long)h.n;
        spatial_hits_free(&h);
    }
    qsort(ms, nq, sizeof *ms, by_value);
    printf("queries %zu hits %ld p50 %.3f p95 %.3f p99 %.3f max %.3f\n", nq, hits,
           quantile(ms, nq, 0.50), quantile(ms, nq, 0.95), quantile(ms, nq, 0.99), ms[nq - 1]);
    qsort(cpu, nq, sizeof *cpu, by_value);
    printf("cpu p50 %.3f p95 %.3f p99 %.3f max %.3f\n", quantile(cpu, nq, 0.50),
           quantile(cpu, nq, 0.95), quantile(cpu, nq, 0.99), cpu[nq - 1]);
    store_close(st);
    free(q);
    free(ms);
    free(cpu);
    return 0;
}
