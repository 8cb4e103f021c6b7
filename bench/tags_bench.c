/*
 * tags_bench.c: the tagger's speed on generated articles.
 *
 *   tags_bench gen NAMES ARTICLES WORDS DIR   writes DIR/dict.txt (every
 *       spelling of the gazetteer's places, then generated entity names up
 *       to NAMES in all, one per line) and DIR/articles.txt (ARTICLES
 *       articles of about WORDS words, one per line, ordinary words with a
 *       name of the dictionary, a date or a figure now and then), seeded.
 *   tags_bench run DIR   builds the automaton over dict.txt and tags every
 *       article of articles.txt, printing build time, MB/s, mentions and
 *       peak memory.  Times are the process's CPU time.
 */
#include "../src/core/attest.h"
#include "../src/core/rng.h"
#include "../src/core/tagger.h"
#include "../src/core/gazetteer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *const words[] = {
    "the", "of", "and", "to", "in", "a", "said", "that", "for", "on", "was", "with", "report",
    "government", "workers", "officials", "border", "province", "market", "prices", "according",
    "sources", "state", "security", "people", "were", "had", "been", "from", "by", "at", "this",
    "year", "month", "company", "trade", "sent", "abroad", "wages", "families", "women", "sold",
    "brokers", "crossed", "river", "police", "arrested", "detained", "camp", "labour", "food",
    "shortage", "rations", "farm", "factory", "mine", "exports", "coal", "seafood", "vessel",
    "port", "shipment", "sanctions", "evasion", "network", "money", "bank", "accounts", "transfer",
    "defectors", "arrived", "south", "north", "interview", "testimony", "witness", "described",
    "conditions", "inspection", "campaign", "residents", "local", "authorities", "punished",
    "public", "meeting", "lecture", "smuggling", "phones", "broadcasts", "foreign", "media",
};

static const char *const syllables[] = {
    "Pyol", "song", "Un", "ha", "Ryon", "bong", "Tae", "dong", "Kang", "so", "Mun", "chon", "Chol",
    "san", "Kum", "gang", "Myo", "hyang", "Jang", "yon", "Sam", "il", "Po", "Hwa", "Nam", "Sung",
    "ri", "Ok", "Ryu", "gyong", "Paek", "du", "Ryong", "nam", "Sin", "heung", "Ko", "won", "Tan",
    "chon", "Kyong", "sang", "Hyon", "sil", "Mi", "rim", "Cho", "sun", "Sol", "ju",
};

static const char *const suffixes[] = {
    "Trading Corporation", "General Company", "Shipping", "Bank", "Trading Company", "Mining",
    "Export Corporation", "Joint Venture", "Technology", "Group", "Maritime", "Industrial",
};

static void put_name(struct rng *r, FILE *f)
{
    int n = 2 + (int)(rng_next(r) % 2);
    for (int i = 0; i < n; i++)
        fputs(syllables[rng_next(r) % ARRAY_LEN(syllables)], f);
    fputc(' ', f);
    n = 2 + (int)(rng_next(r) % 2);
    for (int i = 0; i < n; i++)
        fputs(syllables[rng_next(r) % ARRAY_LEN(syllables)], f);
    fprintf(f, " %s", suffixes[rng_next(r) % ARRAY_LEN(suffixes)]);
}

static int gen(long names, long articles, long nwords, const char *dir)
{
    struct rng r;
    struct buf path = BUF_INIT, all = BUF_INIT;
    FILE *dict, *art;
    char **lines = NULL;
    size_t nlines = 0;

    rng_seed(&r, 14);
    buf_printf(&path, "%s/dict.txt", dir);
    if ((dict = fopen(path.data, "w")) == NULL)
        return 1;
    FILE *mem = open_memstream(&all.data, &all.len);
    for (long i = 0; i < names; i++) {
        put_name(&r, mem);
        fputc('\n', mem);
    }
    fclose(mem);
    /* every spelling of the gazetteer's places (what tags_add_places
     * adds), then generated names up to NAMES */
    struct buf gaz = BUF_INIT;
    for (size_t p = 0; p < gazetteer_nplaces; p++)
        gazetteer_spellings(&gazetteer_places[p], &gaz);
    long ngaz = 0;
    for (size_t i = 0; i < gaz.len; i++)
        ngaz += gaz.data[i] == '\n';
    fwrite(gaz.data, 1, gaz.len, dict);
    for (char *line = all.data, *nl; line && *line && ngaz < names; line = nl + 1, ngaz++) {
        nl = strchr(line, '\n');
        fwrite(line, 1, (size_t)(nl - line) + 1, dict);
        lines = xrealloc(lines, (nlines + 1) * sizeof *lines);
        lines[nlines] = xmalloc((size_t)(nl - line) + 1);
        memcpy(lines[nlines], line, (size_t)(nl - line));
        lines[nlines++][nl - line] = '\0';
    }
    fclose(dict);
    buf_reset(&path);
    buf_printf(&path, "%s/articles.txt", dir);
    if ((art = fopen(path.data, "w")) == NULL)
        return 1;
    char *gl = gaz.data;
    for (long a = 0; a < articles; a++) {
        for (long w = 0; w < nwords; w++) {
            uint64_t x = rng_next(&r) % 1000;
            if (w)
                fputc(' ', art);
            if (x < 4 && nlines) {
                fputs(lines[rng_next(&r) % nlines], art);
            } else if (x < 8 && gl && *gl) {   /* a place, in turn */
                char *nl = strchr(gl, '\n');
                fwrite(gl, 1, (size_t)(nl - gl), art);
                gl = nl[1] ? nl + 1 : gaz.data;
            } else if (x < 10) {
                fprintf(art, "%ld,%03ld workers", (long)(rng_next(&r) % 90 + 1), (long)(rng_next(&r) % 1000));
            } else if (x < 11) {
                fprintf(art, "March %d, 20%02d", (int)(rng_next(&r) % 28 + 1), (int)(rng_next(&r) % 25));
            } else {
                fputs(words[rng_next(&r) % ARRAY_LEN(words)], art);
            }
        }
        fputs(".\n", art);
    }
    fclose(art);
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    free(all.data);
    buf_free(&gaz);
    buf_free(&path);
    return 0;
}

static int run(const char *dir)
{
    struct buf path = BUF_INIT;
    struct tagger *t = tagger_new();
    char *line = NULL;
    size_t cap = 0, bytes = 0, mentions = 0, articles = 0;
    ssize_t n;
    FILE *f;
    double t0 = cpu_seconds(), t1;

    buf_printf(&path, "%s/dict.txt", dir);
    if ((f = fopen(path.data, "r")) == NULL)
        return 1;
    while ((n = getline(&line, &cap, f)) > 0) {
        line[n - 1] = '\0';
        tagger_add(t, line, TAG_ORGANISATION, line, line);
    }
    fclose(f);
    size_t keys = tagger_size(t);
    t1 = cpu_seconds();
    buf_reset(&path);
    buf_printf(&path, "%s/articles.txt", dir);
    if ((f = fopen(path.data, "r")) == NULL)
        return 1;
    double scan = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        struct tagger_mention *ms;
        double s = cpu_seconds();
        mentions += tagger_scan(t, line, (size_t)n, &ms);
        scan += cpu_seconds() - s;
        free(ms);
        bytes += (size_t)n;
        articles++;
    }
    fclose(f);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("attest tagger: %zu distinct folded names, built in %.2f s; %zu articles, %.1f MB "
           "tagged in %.2f s: %.1f MB/s (%.1f MB/s with the build, as grep's time has its own); "
           "%zu mentions; peak memory %.0f MiB\n",
           keys, t1 - t0, articles, (double)bytes / 1e6, scan, (double)bytes / 1e6 / scan,
           (double)bytes / 1e6 / (scan + t1 - t0), mentions, (double)ru.ru_maxrss / 1024);
    free(line);
    buf_free(&path);
    tagger_free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "gen") == 0)
        return gen(atol(argv[2]), atol(argv[3]), atol(argv[4]), argv[5]);
    if (argc == 3 && strcmp(argv[1], "run") == 0)
        return run(argv[2]);
    fprintf(stderr, "usage: tags_bench gen NAMES ARTICLES WORDS DIR | run DIR\n");
    return 2;
}
