/*
 * screen_bench.c: times screening on an archive holding sanctions lists.
 *
 *   screen_bench names ARCHIVE
 *       prints every listed name as "list<TAB>key<TAB>type<TAB>quality<TAB>name"
 *       (the input of gen_queries.py)
 *   screen_bench run ARCHIVE QUERIES.tsv [attest|ofac] [THRESHOLD]
 *       builds the screen index (best of five builds), then screens every
 *       query of QUERIES.tsv ("want<TAB>kind<TAB>type<TAB>name", want being
 *       "list:key" or "-" for a name that is on no list) on one core, and
 *       prints index build time, peak memory, queries per second, p50/p99
 *       latency, recall of the wanted entry per kind, and the share of
 *       unlisted names that got any hit (false positives).
 *   screen_bench jw PAIRS.tsv
 *       prints, for each "a<TAB>b" pair of ASCII strings, the Jaro
 *       similarity, Jaro-Winkler with the prefix bonus always applied, and
 *       Jaro-Winkler with the bonus only above a Jaro of 0.7 (Winkler's
 *       rule); then on stderr the time of 1,000,000 Jaro-Winkler
 *       comparisons cycling over the pairs.
 */
#include "../src/core/attest.h"
#include "../src/core/lists.h"
#include "../src/core/names.h"
#include "../src/core/screen.h"
#include "../src/core/store.h"
#include "open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this thread: the latencies below are not stretched when
 * other processes share the machine. */
static double cpu_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int names_cmd(const char *archive)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    struct session user;
    json_t *cur, *v;
    size_t i;

    if (bench_open(&ctx, archive, &st, &user) != AT_OK || lists_current(&ctx, st, &cur) != AT_OK) {
        fprintf(stderr, "screen_bench: %s\n", ctx.message);
        return 1;
    }
    json_array_foreach(cur, i, v) {
        sqlite3_stmt *s = store_stmt(&ctx, st,
            "SELECT e.key, e.type, n.quality, n.name FROM list_entry e JOIN list_name n "
            "ON n.version = e.version AND n.key = e.key WHERE e.version = ?1");
        sqlite3_bind_text(s, 1, json_string_value(v), -1, SQLITE_STATIC);
        while (sqlite3_step(s) == SQLITE_ROW)
            printf("%s\t%s\t%s\t%s\t%s\n", json_string_value(v), sqlite3_column_text(s, 0),
                   sqlite3_column_text(s, 1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3));
        sqlite3_reset(s);
    }
    json_decref(cur);
    store_close(st);
    return 0;
}

#define MAX_KINDS 16
struct kind_stat {
    char name[32];
    long n, found;   /* found: the wanted entry among the hits, or any hit for unlisted names */
    bool unlisted;
};

static int run_cmd(const char *archive, const char *path, const char *scorer_name, double threshold)
{
    struct at_ctx ctx = { 0 };
    struct store *st;
    struct session user;
    struct screen_index *ix = NULL;
    enum screen_scorer scorer = SCREEN_ATTEST;
    double build = 1e9;
    const char *slow_env = getenv("SCREEN_BENCH_SLOW_MS");
    double slow_ms = slow_env ? atof(slow_env) : 0;

    if (bench_open(&ctx, archive, &st, &user) != AT_OK
        || screen_scorer_parse(&ctx, scorer_name, &scorer) != AT_OK) {
        fprintf(stderr, "screen_bench: %s\n", ctx.message);
        return 1;
    }
    for (int round = 0; round < 5; round++) {
        screen_index_free(ix);
        double t0 = cpu_now();
        if (screen_index_load(&ctx, st, &ix) != AT_OK) {
            fprintf(stderr, "screen_bench: %s\n", ctx.message);
            return 1;
        }
        double t = cpu_now() - t0;
        if (t < build)
            build = t;
    }
    size_t entries, names;
    screen_index_counts(ix, &entries, &names);

    FILE *in = fopen(path, "r");
    if (in == NULL) {
        perror(path);
        return 1;
    }
    char line[2048];
    size_t n = 0, cap = 1024;
    double *lat = malloc(cap * sizeof *lat);
    struct kind_stat kinds[MAX_KINDS];
    size_t nkinds = 0;
    long unlisted = 0, unlisted_hit = 0, hits_total = 0;
    double total = 0, wall0 = now();

    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        char *want = line, *kind = strchr(want, '\t');
        if (kind == NULL)
            continue;
        *kind++ = '\0';
        char *type = strchr(kind, '\t');
        if (type == NULL)
            continue;
        *type++ = '\0';
        char *name = strchr(type, '\t');
        if (name == NULL)
            continue;
        *name++ = '\0';
        struct screen_query q = { name, *type ? type : NULL, NULL, 0, scorer, threshold, 10 };
        json_t *hits;
        double t0 = cpu_now();
        if (screen_query(&ctx, ix, &q, &hits) != AT_OK) {
            fprintf(stderr, "screen_bench: %s: %s\n", name, ctx.message);
            ctx_clear(&ctx);
            continue;
        }
        double t = cpu_now() - t0;
        total += t;
        if (slow_ms > 0 && t * 1e3 > slow_ms)
            fprintf(stderr, "slow %.2f ms: %s\t%s\t%s\n", t * 1e3, kind, type, name);
        if (n == cap)
            lat = realloc(lat, (cap *= 2) * sizeof *lat);
        lat[n++] = t;
        hits_total += (long)json_array_size(hits);
        size_t k;
        for (k = 0; k < nkinds && strcmp(kinds[k].name, kind) != 0; k++)
            ;
        if (k == nkinds && nkinds < MAX_KINDS) {
            memset(&kinds[k], 0, sizeof kinds[k]);
            snprintf(kinds[k].name, sizeof kinds[k].name, "%s", kind);
            kinds[k].unlisted = strcmp(want, "-") == 0;
            nkinds++;
        }
        if (strcmp(want, "-") == 0) {
            unlisted++;
            unlisted_hit += json_array_size(hits) > 0;
            if (k < nkinds) {
                kinds[k].n++;
                kinds[k].found += json_array_size(hits) > 0;
            }
        } else {
            bool found = false;
            json_t *h;
            size_t i;
            json_array_foreach(hits, i, h) {
                char id[160];
                snprintf(id, sizeof id, "%s:%s", json_string_value(json_object_get(h, "list")),
                         json_string_value(json_object_get(h, "key")));
                found |= strcmp(id, want) == 0;
            }
            if (k < nkinds) {
                kinds[k].n++;
                kinds[k].found += found;
            }
        }
        json_decref(hits);
    }
    fclose(in);
    double wall = now() - wall0;
    qsort(lat, n, sizeof *lat, cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long listed = 0, found = 0;
    for (size_t k = 0; k < nkinds; k++)
        if (!kinds[k].unlisted)
            listed += kinds[k].n, found += kinds[k].found;

    printf("index: %zu entries, %zu name forms, build %.1f ms of CPU time (best of 5), peak RSS %.1f MiB\n",
           entries, names, build * 1e3, (double)ru.ru_maxrss / 1024.0);
    printf("scorer %s, threshold %.0f: %zu queries on one thread, %.0f queries/s of CPU time "
           "(%.0f/s wall clock), per query p50 %.3f ms, p99 %.3f ms, max %.3f ms of CPU time\n",
           scorer_name, threshold, n, n / total, n / wall, n ? lat[n / 2] * 1e3 : 0,
           n ? lat[n * 99 / 100] * 1e3 : 0, n ? lat[n - 1] * 1e3 : 0);
    printf("recall %.1f%% (%ld of %ld listed-name variants found their entry); "
           "false positives %.2f%% (%ld of %ld unlisted names got a hit); %.2f hits/query\n",
           listed ? 100.0 * found / listed : 0, found, listed,
           unlisted ? 100.0 * unlisted_hit / unlisted : 0, unlisted_hit, unlisted,
           n ? (double)hits_total / n : 0);
    for (size_t k = 0; k < nkinds; k++)
        printf("  %-15s %-16s %5.1f%% of %ld\n", kinds[k].unlisted ? "false positives" : "recall",
               kinds[k].name, 100.0 * kinds[k].found / kinds[k].n, kinds[k].n);
    free(lat);
    screen_index_free(ix);
    store_close(st);
    return 0;
}

static int jw_cmd(const char *path)
{
    FILE *in = fopen(path, "r");
    char line[1024];
    size_t n = 0, cap = 1024;
    char **a = malloc(cap * sizeof *a), **b = malloc(cap * sizeof *b);

    if (in == NULL) {
        perror(path);
        return 1;
    }
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        *tab = '\0';
        if (n == cap) {
            cap *= 2;
            a = realloc(a, cap * sizeof *a);
            b = realloc(b, cap * sizeof *b);
        }
        a[n] = strdup(line);
        b[n++] = strdup(tab + 1);
    }
    fclose(in);
    for (size_t i = 0; i < n; i++) {
        size_t na = strlen(a[i]), nb = strlen(b[i]);
        uint32_t ua[256], ub[256];
        for (size_t k = 0; k < na && k < 256; k++)
            ua[k] = (unsigned char)a[i][k];
        for (size_t k = 0; k < nb && k < 256; k++)
            ub[k] = (unsigned char)b[i][k];
        printf("%.10f\t%.10f\t%.10f\n", names_jaro(ua, na < 256 ? na : 256, ub, nb < 256 ? nb : 256),
               names_jaro_winkler_bytes(a[i], na, b[i], nb, 0.0),
               names_jaro_winkler_bytes(a[i], na, b[i], nb, 0.7));
    }
    /* the lengths once, as R has them with its vectors */
    size_t *la = xmalloc((n ? n : 1) * sizeof *la), *lb = xmalloc((n ? n : 1) * sizeof *lb);
    for (size_t i = 0; i < n; i++)
        la[i] = strlen(a[i]), lb[i] = strlen(b[i]);
    double sum = 0, t0 = cpu_now();
    for (size_t i = 0; i < 1000000 && n; i++) {
        size_t k = i % n;
        sum += names_jaro_winkler_bytes(a[k], la[k], b[k], lb[k], 0.7);
    }
    free(la);
    free(lb);
    fprintf(stderr, "attest: 1,000,000 Jaro-Winkler comparisons in %.1f ms of CPU time (checksum %.3f)\n",
            (cpu_now() - t0) * 1e3, sum);
    for (size_t i = 0; i < n; i++)
        free(a[i]), free(b[i]);
    free(a);
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "names") == 0)
        return names_cmd(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "run") == 0)
        return run_cmd(argv[2], argv[3], argc > 4 ? argv[4] : "attest",
                       argc > 5 ? atof(argv[5]) : 80.0);
    if (argc == 3 && strcmp(argv[1], "jw") == 0)
        return jw_cmd(argv[2]);
    fprintf(stderr, "usage: screen_bench names ARCHIVE | run ARCHIVE QUERIES.tsv [attest|ofac] [THRESHOLD]"
                    " | jw PAIRS.tsv\n");
    return 2;
}
