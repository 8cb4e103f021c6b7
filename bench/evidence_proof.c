/*
 * evidence_proof.c: how long an inclusion proof takes in a big log.  Opens
 * an archive, takes its newest signed head, and times evlog_inclusion_proof
 * for SAMPLES leaves drawn at random (seeded), in process, one proof at a
 * time.  Every proof is then checked against the head's root (untimed), so
 * a fast wrong answer cannot pass.  Prints one line:
 *
 *   proof SIZE SAMPLES p50_us p99_us max_us mean_us cpu_p50_us cpu_p99_us cpu_max_us
 *
 * The cpu_ figures are the thread's CPU time for each proof: on a busy
 * machine a proof that waited for a CPU is slow on the clock but not in
 * CPU time, which tells waiting from working.
 *
 * usage: evidence_proof ARCHIVE [SAMPLES] [SEED]
 */
#include "../src/core/attest.h"
#include "../src/core/evlog.h"
#include "../src/core/merkle.h"
#include "../src/core/store.h"
#include "open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_us(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* splitmix64: a seeded stream of leaf indexes. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The leaf hash of entry index (0-based). */
static int leaf_of(struct at_ctx *ctx, struct store *st, uint64_t index, uint8_t leaf[MERKLE_HASH_LEN])
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, "SELECT leaf FROM log_entry WHERE seq = ?1");
    int rc = AT_ENOTFOUND;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)index + 1);
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == MERKLE_HASH_LEN) {
        memcpy(leaf, sqlite3_column_blob(stmt, 0), MERKLE_HASH_LEN);
        rc = AT_OK;
    }
    sqlite3_reset(stmt);
    return rc;
}

int main(int argc, char **argv)
{
    struct at_ctx ctx = { 0 };
    struct store *st = NULL;
    struct session user;
    struct tree_head head;
    struct merkle_proof proof;
    long samples = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    uint64_t state = argc > 3 ? strtoull(argv[3], NULL, 10) : 6962;
    uint64_t *index;
    double *took, *cpu, sum = 0;

    if (argc < 2 || samples < 1) {
        fprintf(stderr, "usage: evidence_proof ARCHIVE [SAMPLES] [SEED]\n");
        return 2;
    }
    if (bench_open(&ctx, argv[1], &st, &user) != AT_OK || evlog_latest_head(&ctx, st, &head) != AT_OK)
        goto fail;
    index = malloc((size_t)samples * sizeof *index);
    took = malloc((size_t)samples * sizeof *took);
    cpu = malloc((size_t)samples * sizeof *cpu);
    for (long i = 0; i < samples; i++)
        index[i] = next_random(&state) % head.size;

    for (long i = 0; i < samples; i++) {
        double t = clock_us(CLOCK_MONOTONIC), c = clock_us(CLOCK_THREAD_CPUTIME_ID);
        if (evlog_inclusion_proof(&ctx, st, index[i], head.size, &proof) != AT_OK)
            goto fail;
        took[i] = clock_us(CLOCK_MONOTONIC) - t;
        cpu[i] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c;
        sum += took[i];
        /* Untimed: the proof leads from the leaf to the signed root. */
        uint8_t leaf[MERKLE_HASH_LEN];
        if (leaf_of(&ctx, st, index[i], leaf) != AT_OK
            || merkle_verify_inclusion(leaf, index[i], head.size, &proof, head.root, &ctx) != AT_OK) {
            fprintf(stderr, "evidence_proof: the proof for leaf %llu does not verify: %s\n",
                    (unsigned long long)index[i], ctx.message);
            return 1;
        }
    }
    qsort(took, (size_t)samples, sizeof *took, by_value);
    qsort(cpu, (size_t)samples, sizeof *cpu, by_value);
    printf("proof %llu %ld %.1f %.1f %.1f %.1f %.1f %.1f %.1f\n", (unsigned long long)head.size,
           samples, took[samples / 2], took[(size_t)((double)samples * 0.99)], took[samples - 1],
           sum / (double)samples, cpu[samples / 2], cpu[(size_t)((double)samples * 0.99)],
           cpu[samples - 1]);
    free(index);
    free(took);
    free(cpu);
    store_close(st);
    return 0;

fail:
    fprintf(stderr, "evidence_proof: %s\n", ctx.message);
    store_close(st);
    return 1;
}
