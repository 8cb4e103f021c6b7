/*
 * search_latency.c: times search queries against an archive through the
 * core library, so that process start-up is not part of what is measured.
 *
 *   search_latency ARCHIVE QUERIES
 *
 * runs each line of QUERIES once (as `attest search` does: all types, all
 * clearances, the first 50 hits, each hit's document read back), after
 * one untimed query that loads the schema, and prints
 *
 *   queries N hits H p50 X p95 Y p99 Z max W
 *
 * with the latencies in milliseconds, then one line for each of the plans
 * search.c chooses between (by the same test of the query's text):
 *
 *   PLAN queries N p50 X p95 Y p99 Z max W
 */
#include "../src/core/attest.h"
#include "../src/core/search.h"
#include "../src/core/store.h"
#include "open.h"

#include "latency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The plan search_query() takes for q: see search.c. */
static int plan_of(const char *q)
{
    size_t chars = 0, words = 0;
    bool ascii = true, in_word = false;

    for (const char *p = q; *p; p++) {
        ascii &= (unsigned char)*p < 0x80;
        chars += ((unsigned char)*p & 0xC0) != 0x80;
        words += !in_word && *p != ' ' && *p != '\t';
        in_word = *p != ' ' && *p != '\t';
    }
    if (ascii)
        return words > 1 ? 0 : 1;
    return chars >= 3 ? 2 : 3;
}

static const char *const plan_name[] = {
    "words", "one-word", "trigram", "short-cjk",
};

static int count_hit(void *arg, json_t *doc, const char *snippet, const char *why)
{
    (void)doc;
    (void)snippet;
    (void)why;
    (*(long *)arg)++;
    return AT_OK;
}

int main(int argc, char **argv)
{
    struct at_ctx ctx = { 0 };
    struct search_options opt = { NULL, -1, false, 0, "[", "]" };
    struct store *st = NULL;
    struct session user;
    char **query = NULL, *line = NULL;
    size_t nq = 0, cap = 0;
    double *ms;
    char plan_line[ARRAY_LEN(plan_name)][128] = { { 0 } };
    long hits = 0, warm = 0;
    ssize_t n;
    FILE *f;

    if (argc != 3) {
        fprintf(stderr, "usage: search_latency ARCHIVE QUERIES\n");
        return 2;
    }
    if ((f = fopen(argv[2], "r")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    while ((n = getline(&line, &cap, f)) > 0) {
        line[strcspn(line, "\n")] = '\0';
        query = xrealloc(query, (nq + 1) * sizeof *query);
        query[nq++] = xstrdup(line);
    }
    fclose(f);
    free(line);
    if (nq == 0 || bench_open(&ctx, argv[1], &st, &user) != AT_OK) {
        fprintf(stderr, "search_latency: %s\n", nq ? ctx.message : "no queries");
        return 1;
    }
    bench_read_all(st);
    search_query(&ctx, st, "schema", &opt, count_hit, &warm);
    ms = xcalloc(nq, sizeof *ms);
    for (size_t i = 0; i < nq; i++) {
        double t0 = now_ms();
        if (search_query(&ctx, st, query[i], &opt, count_hit, &hits) != AT_OK) {
            fprintf(stderr, "search_latency: \"%s\": %s\n", query[i], ctx.message);
            return 1;
        }
        ms[i] = now_ms() - t0;
    }
    if (getenv("SEARCH_LATENCY_EACH"))
        for (size_t i = 0; i < nq; i++)
            fprintf(stderr, "%8.2f ms  %s\n", ms[i], query[i]);
    for (int plan = 0; plan < (int)ARRAY_LEN(plan_name); plan++) {
        double *mine = xcalloc(nq, sizeof *mine);
        size_t n_mine = 0;
        for (size_t i = 0; i < nq; i++)
            if (plan_of(query[i]) == plan)
                mine[n_mine++] = ms[i];
        qsort(mine, n_mine, sizeof *mine, by_value);
        if (n_mine)
            snprintf(plan_line[plan], sizeof plan_line[plan],
                     "%-9s queries %zu p50 %.2f p95 %.2f p99 %.2f max %.2f\n", plan_name[plan],
                     n_mine, quantile(mine, n_mine, 0.50), quantile(mine, n_mine, 0.95),
                     quantile(mine, n_mine, 0.99), mine[n_mine - 1]);
        free(mine);
    }
    qsort(ms, nq, sizeof *ms, by_value);
    printf("queries %zu hits %ld p50 %.2f p95 %.2f p99 %.2f max %.2f\n", nq, hits,
           quantile(ms, nq, 0.50), quantile(ms, nq, 0.95), quantile(ms, nq, 0.99), ms[nq - 1]);
    for (size_t plan = 0; plan < ARRAY_LEN(plan_name); plan++)
        fputs(plan_line[plan], stdout);
    store_close(st);
    for (size_t i = 0; i < nq; i++)
        free(query[i]);
    free(query);
    free(ms);
    return 0;
}
