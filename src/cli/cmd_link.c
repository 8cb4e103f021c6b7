/*
 * cmd_link.c: `attest link persons|events|explain|clusters|review|decide`:
 * record linkage of the archive's victims and events (src/core/link.h),
 * the explanation of one pair, the clusters for others to score, and the
 * analysts' review of the doubtful pairs.  Output names records by id and
 * comparisons by level and weight: never a witness, never a name.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/link.h"
#include "../core/number.h"
#include "../core/record.h"

#include <stdlib.h>
#include <string.h>

static const struct command *self(void)
{
    return &link_command;
}

static int read_config(struct cli *cli, const char *path, struct link_config **out)
{
    *out = NULL;
    if (path == NULL)
        return AT_OK;
    return link_config_read(&cli->ctx, path, out);
}

/* link persons|events [--threshold P] [--config FILE] */
static int run_cmd(struct cli *cli, int argc, char **argv, enum link_type type)
{
    const char *threshold = NULL, *config = NULL;
    struct link_archive_options opts = { -1, NULL };
    struct link_archive_summary sum;
    struct link_config *c = NULL;
    int rc;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(self(), argc, argv, &i, "threshold", &threshold)) ||
            (got = cli_option(self(), argc, argv, &i, "config", &config))) {
            if (got < 0)
                return EXIT_USAGE;
        } else {
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (threshold && number_parse_double(&cli->ctx, "--threshold", threshold, 0, 1, &opts.threshold) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (read_config(cli, config, &c) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    opts.config = c;
    rc = evlog_write(&cli->ctx, cli->st, link_archive_run_write,
                     &(struct link_archive_job){ type, &opts, &sum });
    link_config_free(c);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("linked %zu %ss: %zu pairs compared, %zu links, %zu clusters, %zu decisions respected\n",
           sum.records, link_type_name(type), sum.pairs_compared, sum.links, sum.clusters, sum.decisions);
    printf("run %lld, model %s, lambda %.4f\n", (long long)sum.run, sum.model_version, sum.params.lambda);
    return EXIT_OK;
}

static void print_terms(json_t *terms)
{
    struct table tab;
    json_t *t;
    size_t i;

    cli_table_init(&tab, 4, "comparison", "level", "label", "weight");
    json_array_foreach(terms, i, t) {
        char level[16] = "null", weight[32];
        if (json_is_integer(json_object_get(t, "level")))
            snprintf(level, sizeof level, "%lld", (long long)json_integer_value(json_object_get(t, "level")));
        snprintf(weight, sizeof weight, "%+.2f", json_number_value(json_object_get(t, "weight")));
        cli_table_row(&tab, json_string_value(json_object_get(t, "name")), level,
                      json_string_value(json_object_get(t, "label")), weight);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

/* Resolves two record arguments into full ids. */
static int two_ids(struct cli *cli, const char *a, const char *b, char ida[RECORD_ID_MAX],
                   char idb[RECORD_ID_MAX])
{
    if (record_resolve(&cli->ctx, cli->st, a, ida) != AT_OK
        || record_resolve(&cli->ctx, cli->st, b, idb) != AT_OK)
        return AT_ENOTFOUND;
    return AT_OK;
}

/* link explain A B [--config FILE] [--json] */
static int explain_cmd(struct cli *cli, int argc, char **argv)
{
    const char *config = NULL, *ids[2] = { NULL, NULL };
    char a[RECORD_ID_MAX], b[RECORD_ID_MAX];
    struct link_config *c = NULL;
    bool as_json = false;
    json_t *out;
    int rc, n = 0;

    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "config", &config);
        if (got < 0)
            return EXIT_USAGE;
        if (got)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (n < 2)
            ids[n++] = argv[i];
        else
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
    }
    if (n != 2)
        return cli_usage(self(), "explain: give two records");
    if (two_ids(cli, ids[0], ids[1], a, b) != AT_OK || read_config(cli, config, &c) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    rc = link_archive_explain(&cli->ctx, cli->st, a, b, c, &out);
    link_config_free(c);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    if (as_json) {
        cli_print_json(out);
    } else {
        printf("%s %s (model %s)\n", a, b, json_string_value(json_object_get(out, "model_version")));
        print_terms(json_object_get(out, "comparisons"));
        printf("prior weight %+.2f, match weight %+.2f, probability %.4f\n",
               json_number_value(json_object_get(out, "prior_weight")),
               json_number_value(json_object_get(out, "weight")),
               json_number_value(json_object_get(out, "probability")));
    }
    json_decref(out);
    return EXIT_OK;
}

static int print_cluster(void *arg, const char *record_id, const char *cluster_id)
{
    bool csv = *(bool *)arg;

    printf(csv ? "%s,%s\n" : "%-24s %s\n", record_id, cluster_id);
    return AT_OK;
}

/* --type person|event */
static int type_option(struct cli *cli, const char *text, enum link_type *type)
{
    if (text == NULL)
        return cli_usage(self(), "give --type person or --type event");
    return link_type_parse(&cli->ctx, text, type) == AT_OK ? EXIT_OK : cli_fail(cli, AT_EINVAL);
}

/* link clusters --type person|event [--csv] */
static int clusters_cmd(struct cli *cli, int argc, char **argv)
{
    const char *type_text = NULL;
    enum link_type type;
    bool csv = false;
    int rc;

    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "type", &type_text);
        if (got < 0)
            return EXIT_USAGE;
        if (got)
            continue;
        if (strcmp(argv[i], "--csv") == 0)
            csv = true;
        else
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
    }
    if ((rc = type_option(cli, type_text, &type)) != EXIT_OK)
        return rc;
    printf(csv ? "record_id,cluster_id\n" : "%-24s cluster_id\n", "record_id");
    if ((rc = link_archive_clusters(&cli->ctx, cli->st, type, print_cluster, &csv)) != AT_OK)
        return cli_fail(cli, rc);
    return EXIT_OK;
}

static int decide(struct cli *cli, const char *a, const char *b, enum link_decision d, const char *note)
{
    int version = 0, rc;

    rc = evlog_write(&cli->ctx, cli->st, link_decide_write,
                     &(struct link_decide_job){ a, b, d, note, &version });
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("%s %s %s (decision version %d)\n", link_decision_name(d), a, b, version);
    return EXIT_OK;
}

/* link decide A B accept|reject [--note TEXT] */
static int decide_cmd(struct cli *cli, int argc, char **argv)
{
    const char *note = NULL, *args[3] = { NULL, NULL, NULL };
    char a[RECORD_ID_MAX], b[RECORD_ID_MAX];
    enum link_decision d;
    int n = 0;

    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "note", &note);
        if (got < 0)
            return EXIT_USAGE;
        if (got)
            continue;
        if (n < 3)
            args[n++] = argv[i];
        else
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
    }
    if (n != 3)
        return cli_usage(self(), "decide: give two records and accept or reject");
    if (link_decision_parse(&cli->ctx, args[2], &d) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (two_ids(cli, args[0], args[1], a, b) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    return decide(cli, a, b, d, note);
}

/* link review [--type person|event] [--low P] [--high P] [--limit N] [--blind]:
 * one pair at a time, an answer per line on standard input. */
static int review_cmd(struct cli *cli, int argc, char **argv)
{
    const char *type_text = "person", *low = NULL, *high = NULL, *limit = NULL;
    double lo = -1, hi = -1;
    long max = 0;
    bool blind = false;
    enum link_type type;
    json_t *queue, *item;
    size_t i, accepted = 0, rejected = 0, skipped = 0;
    char line[256];
    int rc;

    for (int k = 1; k < argc; k++) {
        int got;
        if ((got = cli_option(self(), argc, argv, &k, "type", &type_text)) ||
            (got = cli_option(self(), argc, argv, &k, "low", &low)) ||
            (got = cli_option(self(), argc, argv, &k, "high", &high)) ||
            (got = cli_option(self(), argc, argv, &k, "limit", &limit))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[k], "--blind") == 0) {
            blind = true;
        } else {
            return cli_usage(self(), "unexpected argument \"%s\"", argv[k]);
        }
    }
    if ((rc = type_option(cli, type_text, &type)) != EXIT_OK)
        return rc;
    if ((low && number_parse_double(&cli->ctx, "--low", low, 0, 1, &lo) != AT_OK)
        || (high && number_parse_double(&cli->ctx, "--high", high, 0, 1, &hi) != AT_OK)
        || (limit && number_parse_long(&cli->ctx, "--limit", limit, 1, 1000000, &max) != AT_OK))
        return cli_fail(cli, AT_EINVAL);
    if ((low != NULL) != (high != NULL))
        return cli_usage(self(), "review: give both --low and --high, or neither");
    if (lo > hi)
        return cli_usage(self(), "review: --low must not be above --high");
    if ((rc = link_review_queue(&cli->ctx, cli->st, type, lo, hi, (size_t)max, &queue)) != AT_OK)
        return cli_fail(cli, rc);
    printf("%zu pairs to review\n", json_array_size(queue));
    json_array_foreach(queue, i, item) {
        const char *a = json_string_value(json_object_get(item, "a"));
        const char *b = json_string_value(json_object_get(item, "b"));
        enum link_decision d;
        printf("\npair %zu of %zu: %s %s", i + 1, json_array_size(queue), a, b);
        if (!blind)
            printf("  probability %.4f", json_number_value(json_object_get(item, "probability")));
        printf("\n");
        if (!blind)
            print_terms(json_object_get(item, "comparisons"));
        printf("accept, reject, skip or quit? ");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL)
            break;
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0)
            break;
        if (strcmp(line, "s") == 0 || strcmp(line, "skip") == 0 || line[0] == '\0') {
            skipped++;
            continue;
        }
        if (strcmp(line, "a") == 0)
            snprintf(line, sizeof line, "accept");
        else if (strcmp(line, "r") == 0)
            snprintf(line, sizeof line, "reject");
        if (link_decision_parse(&cli->ctx, line, &d) != AT_OK) {
            fprintf(stderr, "attest link: answer \"%s\": valid: accept (a), reject (r), skip (s), quit (q)\n", line);
            skipped++;
            continue;
        }
        if ((rc = decide(cli, a, b, d, NULL)) != EXIT_OK) {
            json_decref(queue);
            return rc;
        }
        d == LINK_ACCEPT ? accepted++ : rejected++;
    }
    json_decref(queue);
    printf("accepted %zu, rejected %zu, skipped %zu\n", accepted, rejected, skipped);
    return EXIT_OK;
}

static int link_cmd(struct cli *cli, int argc, char **argv)
{
    enum link_type type;

    if (argc < 1)
        return cli_usage(self(), "give a subcommand");
    if (strcmp(argv[0], "persons") == 0 || strcmp(argv[0], "events") == 0) {
        link_type_parse(&cli->ctx, argv[0], &type);
        return run_cmd(cli, argc, argv, type);
    }
    if (strcmp(argv[0], "explain") == 0)
        return explain_cmd(cli, argc, argv);
    if (strcmp(argv[0], "clusters") == 0)
        return clusters_cmd(cli, argc, argv);
    if (strcmp(argv[0], "review") == 0)
        return review_cmd(cli, argc, argv);
    if (strcmp(argv[0], "decide") == 0)
        return decide_cmd(cli, argc, argv);
    return cli_usage(self(), "\"%s\" is not a subcommand; valid: persons, events, explain, "
                     "clusters, review, decide", argv[0]);
}

const struct command link_command = {
    .name = "link",
    .summary = "link the records that describe the same victim or event; review doubtful pairs",
    .usage =
        "attest link persons|events [--threshold P] [--config FILE]\n"
        "       attest link explain A B [--config FILE] [--json]\n"
        "       attest link clusters --type person|event [--csv]\n"
        "       attest link review [--type person|event] [--low P --high P] [--limit N] [--blind]\n"
        "       attest link decide A B accept|reject [--note TEXT]\n"
        "persons and events link the current records you may read: candidate pairs by\n"
        "blocking, Fellegi-Sunter weights estimated by EM, clusters above the threshold\n"
        "(default 0.8), respecting every decision.  The run is stored and logged; records\n"
        "are never changed.  explain shows each comparison's level and weight and the\n"
        "match probability of a pair.  clusters prints record_id and cluster_id for\n"
        "every record of the type, singletons included.  review walks the pairs between\n"
        "the two thresholds (default: the configuration's review band), most doubtful\n"
        "first, reading accept (a), reject (r), skip (s) or quit (q) from standard input;\n"
        "--blind hides the score.  A decision is versioned and logged, and every later\n"
        "run keeps an accepted pair together and a rejected pair apart.\n"
        "The configuration file's format is in docs/commands/link.md.",
    .run = link_cmd,
    .needs = NEEDS_ARCHIVE,
};
