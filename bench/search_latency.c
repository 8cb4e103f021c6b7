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
 *
 * then the same for the thread's CPU time ("cpu" for all queries,
 * "PLAN-cpu" for each plan), and last the peer, measured in the same run
 * on the same connection: FTS5's own ranked query for each multi-word
 * query, as search.c writes it for FTS5 ("w1" "w2"*), bare (no filter,
 * no documents, no snippets):
 *
 *   SELECT rowid FROM search_words WHERE search_words MATCH ? ORDER BY rank LIMIT 50
 *
 *   peer-fts5 queries N p50 X p95 Y p99 Z max W
 *   peer-fts5-cpu queries N p50 X p95 Y p99 Z max W
 *
 * and what the multi-word queries read: their matches in all, and how
 * many of them search_query scored exactly (read the length of):
 *
 *   words-scored matches M scored S
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

/* The FTS5 query search.c makes of several words: each quoted, the last
 * a prefix. */
static void fts5_words(const char *q, char *out, size_t size)
{
    size_t n = 0;

    for (const char *p = q; *p && n + 8 < size;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        out[n++] = '"';
        for (; *p && *p != ' ' && *p != '\t' && n + 6 < size; p++) {
            if (*p == '"')
                out[n++] = '"';
            out[n++] = *p;
        }
        out[n++] = '"';
        out[n++] = ' ';
    }
    if (n > 0)
        out[n - 1] = '*';
    out[n] = '\0';
}

/* Prints "NAME queries N p50 .. p95 .. p99 .. max .." of the samples of
 * the queries whose plan is plan (-1: all), into line. */
static void summary(char *line, size_t size, const char *name, const double *v, size_t nq,
                    const char *const *query, int plan)
{
    double *mine = xcalloc(nq + 1, sizeof *mine);
    size_t n = 0;

    for (size_t i = 0; i < nq; i++)
        if (plan < 0 || plan_of(query[i]) == plan)
            mine[n++] = v[i];
    line[0] = '\0';
    if (n) {
        qsort(mine, n, sizeof *mine, by_value);
        snprintf(line, size, "%-9s queries %zu p50 %.2f p95 %.2f p99 %.2f max %.2f\n", name, n,
                 quantile(mine, n, 0.50), quantile(mine, n, 0.95), quantile(mine, n, 0.99),
                 mine[n - 1]);
    }
    free(mine);
}

/* How many times FTS5 has read a document's length from search_words
 * (once for each match it scores exactly), over every statement of the
 * connection. */
static long docsize_reads(struct store *st)
{
    long runs = 0;

    for (sqlite3_stmt *p = sqlite3_next_stmt(store_db(st), NULL); p;
         p = sqlite3_next_stmt(store_db(st), p))
        if (strstr(sqlite3_sql(p), "search_words_docsize") && strstr(sqlite3_sql(p), "SELECT"))
            runs += sqlite3_stmt_status(p, SQLITE_STMTSTATUS_RUN, 0);
    return runs;
}

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
    char **query = NULL, *text = NULL;
    size_t nq = 0, cap = 0;
    static const char peer_sql[] =
        "SELECT rowid FROM search_words WHERE search_words MATCH ?1 ORDER BY rank LIMIT 50";
    double *ms, *cpu, *sorted;
    char line[160];
    static const char count_sql[] = "SELECT count(*) FROM search_words WHERE search_words MATCH ?1";
    long hits = 0, warm = 0, scored = 0, matches = 0;
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
    while ((n = getline(&text, &cap, f)) > 0) {
        text[strcspn(text, "\n")] = '\0';
        query = xrealloc(query, (nq + 1) * sizeof *query);
        query[nq++] = xstrdup(text);
    }
    fclose(f);
    free(text);
    if (nq == 0 || bench_open(&ctx, argv[1], &st, &user) != AT_OK) {
        fprintf(stderr, "search_latency: %s\n", nq ? ctx.message : "no queries");
        return 1;
    }
    bench_read_all(st);
    search_query(&ctx, st, "schema", &opt, count_hit, &warm);
    ms = xcalloc(nq, sizeof *ms);
    cpu = xcalloc(nq, sizeof *cpu);
    for (size_t i = 0; i < nq; i++) {
        double t0 = now_ms(), c0 = cpu_ms();
        long before = plan_of(query[i]) == 0 ? docsize_reads(st) : 0;
        if (search_query(&ctx, st, query[i], &opt, count_hit, &hits) != AT_OK) {
            fprintf(stderr, "search_latency: \"%s\": %s\n", query[i], ctx.message);
            return 1;
        }
        cpu[i] = cpu_ms() - c0;
        ms[i] = now_ms() - t0;
        if (plan_of(query[i]) == 0)
            scored += docsize_reads(st) - before;
    }
    if (getenv("SEARCH_LATENCY_EACH"))
        for (size_t i = 0; i < nq; i++)
            fprintf(stderr, "%8.2f ms %8.2f ms CPU  %s\n", ms[i], cpu[i], query[i]);
    sorted = xcalloc(nq, sizeof *sorted);
    memcpy(sorted, ms, nq * sizeof *sorted);
    qsort(sorted, nq, sizeof *sorted, by_value);
    printf("queries %zu hits %ld p50 %.2f p95 %.2f p99 %.2f max %.2f\n", nq, hits,
           quantile(sorted, nq, 0.50), quantile(sorted, nq, 0.95), quantile(sorted, nq, 0.99),
           sorted[nq - 1]);
    free(sorted);
    for (int plan = 0; plan < (int)ARRAY_LEN(plan_name); plan++) {
        summary(line, sizeof line, plan_name[plan], ms, nq, (const char *const *)query, plan);
        fputs(line, stdout);
    }
    summary(line, sizeof line, "cpu", cpu, nq, (const char *const *)query, -1);
    fputs(line, stdout);
    for (int plan = 0; plan < (int)ARRAY_LEN(plan_name); plan++) {
        char name[32];
        snprintf(name, sizeof name, "%s-cpu", plan_name[plan]);
        summary(line, sizeof line, name, cpu, nq, (const char *const *)query, plan);
        fputs(line, stdout);
    }
    /* The peer, on the multi-word queries. */
    for (size_t i = 0; i < nq; i++) {
        sqlite3_stmt *stmt;
        char match[1024];
        double t0 = now_ms(), c0 = cpu_ms();
        ms[i] = cpu[i] = 0;
        if (plan_of(query[i]) != 0)
            continue;
        fts5_words(query[i], match, sizeof match);
        if ((stmt = store_stmt(&ctx, st, peer_sql)) == NULL) {
            fprintf(stderr, "search_latency: %s\n", ctx.message);
            return 1;
        }
        sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
        while (sqlite3_step(stmt) == SQLITE_ROW)
            ;
        sqlite3_reset(stmt);
        cpu[i] = cpu_ms() - c0;
        ms[i] = now_ms() - t0;
        if ((stmt = store_stmt(&ctx, st, count_sql)) == NULL) {
            fprintf(stderr, "search_latency: %s\n", ctx.message);
            return 1;
        }
        sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            matches += sqlite3_column_int64(stmt, 0);
        sqlite3_reset(stmt);
    }
    summary(line, sizeof line, "peer-fts5", ms, nq, (const char *const *)query, 0);
    fputs(line, stdout);
    summary(line, sizeof line, "peer-fts5-cpu", cpu, nq, (const char *const *)query, 0);
    fputs(line, stdout);
    printf("words-scored matches %ld scored %ld\n", matches, scored);
    store_close(st);
    for (size_t i = 0; i < nq; i++)
        free(query[i]);
    free(query);
    free(ms);
    free(cpu);
    return 0;
}
