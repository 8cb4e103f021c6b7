/*
 * cmd_estimate.c: `attest estimate`: how many victims no list documented,
 * by multiple systems estimation.  The capture histories come from a
 * counts file (--counts, no archive needed) or from the archive's victims
 * and the lists of sources the analyst names (--lists, by stratum); the
 * method is one of mse.h's.  Prints documented against estimated with the
 * interval and the warnings, or the reports as JSON.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/mse.h"
#include "../core/number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The largest number of sweeps one run may ask for. */

struct estimate_options {
    const char *counts, *lists, *strata, *at, *svg;
    enum mse_strata strata_kind;
    uint64_t at_size;
    struct mse_method method;
    bool as_json;
};

static const struct command *self(void)
{
    return &estimate_command;
}

static int parse_count(struct cli *cli, const char *name, const char *text, long min, long max, long *out)
{
    if (number_parse_long(&cli->ctx, name, text, min, max, out) != AT_OK)
        return cli_usage(self(), "%s", cli->ctx.message);
    return EXIT_OK;
}

static int parse_options(struct cli *cli, int argc, char **argv, struct estimate_options *o)
{
    static const char *const method_options[] = {
        "method", "criterion", "seed", "classes", "burnin", "samples", "thinning",
    };
    const char *v;
    long x;
    int rc;

    memset(o, 0, sizeof *o);
    mse_method_defaults(&o->method);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o->as_json = true;
            continue;
        }
        if ((rc = cli_option(self(), argc, argv, &i, "counts", &o->counts)) ||
            (rc = cli_option(self(), argc, argv, &i, "lists", &o->lists)) ||
            (rc = cli_option(self(), argc, argv, &i, "strata", &o->strata)) ||
            (rc = cli_option(self(), argc, argv, &i, "at", &o->at)) ||
            (rc = cli_option(self(), argc, argv, &i, "svg", &o->svg))) {
            if (rc < 0)
                return EXIT_USAGE;
            continue;
        }
        rc = 0;
        for (size_t k = 0; k < ARRAY_LEN(method_options) && rc == 0; k++) {
            if ((rc = cli_option(self(), argc, argv, &i, method_options[k], &v)) > 0
                && mse_method_option(&cli->ctx, &o->method, method_options[k], v) != AT_OK)
                return cli_usage(self(), "%s", cli->ctx.message);
        }
        if (rc < 0)
            return EXIT_USAGE;
        if (rc > 0)
            continue;
        return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
    }
    o->method.curve = o->svg != NULL;
    if ((o->counts != NULL) + (o->lists != NULL || o->at != NULL) != 1)
        return cli_usage(self(), "give --counts FILE, or --lists SPEC, or --at ESTIMATE");
    if (o->counts && o->strata)
        return cli_usage(self(), "--strata needs --lists: a counts file is one stratum");
    if (o->at && !o->lists && strncmp(o->at, "es-", 3) != 0)
        return cli_usage(self(), "--at \"%.40s\": name a stored estimate (es-...), or give --lists to estimate at a tree head's size", o->at);
    if (o->at && o->lists && parse_count(cli, "--at", o->at, 1, 9007199254740991L, &x) != EXIT_OK)
        return EXIT_USAGE;
    if (o->at && o->lists)
        o->at_size = (uint64_t)x;
    if (o->strata && mse_strata_parse(&cli->ctx, o->strata, &o->strata_kind) != AT_OK)
        return cli_usage(self(), "--%s", cli->ctx.message);
    if (o->strata && !o->lists)
        return cli_usage(self(), "--strata needs --lists (a stored estimate keeps its own)");
    if (mse_method_check(&cli->ctx, &o->method, MSE_SWEEPS_MAX) != AT_OK)
        return cli_usage(self(), "%s", cli->ctx.message);
    return EXIT_OK;
}

static void format_count(char *out, size_t size, json_t *v)
{
    if (json_is_number(v))
        snprintf(out, size, "%.0f", json_number_value(v));
    else
        snprintf(out, size, "-");
}

/* "EXH 1910, ABA 1528, ..." for a stratum's line under the table. */
static void lists_text(json_t *r, struct buf *out)
{
    json_t *lists = json_object_get(r, "lists"), *sizes = json_object_get(r, "list_sizes");

    for (size_t j = 0; j < json_array_size(lists); j++)
        buf_printf(out, "%s%s %lld", j ? ", " : "", json_string_value(json_array_get(lists, j)),
                   (long long)json_integer_value(json_array_get(sizes, j)));
}

/* The reports as a table: one row per stratum, then each stratum's
 * warnings. */
static void print_table(json_t *doc)
{
    json_t *strata = json_object_get(doc, "strata"), *r;
    struct table tab;
    size_t i, w;

    cli_table_init(&tab, 7, "STRATUM", "DOCUMENTED", "ESTIMATED", "95% INTERVAL", "SE", "METHOD", "MODEL");
    json_array_foreach(strata, i, r) {
        char documented[32], estimate[32], lower[32], upper[32], interval[80], se[32];

        format_count(documented, sizeof documented, json_object_get(r, "documented"));
        if (json_object_get(r, "error")) {
            cli_table_row(&tab, json_string_value(json_object_get(r, "stratum")), documented, "-", "-", "-",
                          json_string_value(json_object_get(doc, "method")), "not estimated");
            continue;
        }
        format_count(estimate, sizeof estimate, json_object_get(r, "estimate"));
        format_count(lower, sizeof lower, json_object_get(r, "lower"));
        format_count(upper, sizeof upper, json_object_get(r, "upper"));
        format_count(se, sizeof se, json_object_get(r, "se"));
        snprintf(interval, sizeof interval, "%s - %s", lower, upper);
        cli_table_row(&tab, json_string_value(json_object_get(r, "stratum")), documented, estimate, interval,
                      se, json_string_value(json_object_get(r, "method")),
                      json_string_value(json_object_get(r, "model")));
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_array_foreach(strata, i, r) {
        json_t *warnings = json_object_get(r, "warnings"), *line;

        if (json_object_get(r, "interval")) {
            struct buf lists = BUF_INIT;
            char chao[32];

            format_count(chao, sizeof chao, json_object_get(r, "chao_lower_bound"));
            lists_text(r, &lists);
            printf("\n%s: %s interval; Chao's lower bound %s; lists %s\n",
                   json_string_value(json_object_get(r, "stratum")),
                   json_string_value(json_object_get(r, "interval")), chao, buf_str(&lists));
            buf_free(&lists);
        }
        if (json_object_get(r, "error"))
            printf("\n%s: not estimated: %s\n", json_string_value(json_object_get(r, "stratum")),
                   json_string_value(json_object_get(r, "error")));
        json_array_foreach(warnings, w, line)
            printf("  warning: %s\n", json_string_value(line));
    }
    {
        json_t *notes = json_object_get(doc, "warnings"), *line;

        if (json_array_size(notes) > 0)
            putchar('\n');
        json_array_foreach(notes, w, line)
            printf("warning: %s\n", json_string_value(line));
    }
}


/* Draws the estimate into path (when given), then drops the curves, which
 * only the chart needs. */
static int write_svg(struct cli *cli, json_t *doc, const char *path)
{
    struct buf svg = BUF_INIT;
    json_t *r;
    size_t i;
    FILE *f = NULL;
    int rc = EXIT_OK;

    if (path) {
        if (mse_chart_svg(&cli->ctx, doc, SVG_EN, &svg) != AT_OK) {
            rc = cli_fail(cli, AT_EINVAL);
        } else if ((f = fopen(path, "w")) == NULL || fwrite(svg.data, 1, svg.len, f) != svg.len) {
            ctx_error(&cli->ctx, AT_ERR, "--svg %s: %s", path, strerror(errno));
            rc = cli_fail(cli, AT_ERR);
        }
        if (f && fclose(f) != 0 && rc == EXIT_OK) {
            ctx_error(&cli->ctx, AT_ERR, "--svg %s: %s", path, strerror(errno));
            rc = cli_fail(cli, AT_ERR);
        }
    }
    json_array_foreach(json_object_get(doc, "strata"), i, r)
        json_object_del(r, "curve");
    buf_free(&svg);
    return rc;
}

static int print_doc(json_t *doc, bool as_json)
{
    if (as_json)
        cli_print_json(doc);
    else
        print_table(doc);
    return EXIT_OK;
}

static int counts_cmd(struct cli *cli, const struct estimate_options *o)
{
    struct mse_table t;
    json_t *doc = NULL, *report = NULL;
    FILE *f = cli_fopen(cli, o->counts);
    int rc;

    if (f == NULL)
        return EXIT_FAIL;
    rc = mse_table_read_csv(&cli->ctx, f, strcmp(o->counts, "-") == 0 ? "stdin" : o->counts, &t);
    if (f != stdin)
        fclose(f);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    if ((rc = mse_report(&cli->ctx, &t, &o->method, &report)) != AT_OK)
        return cli_fail(cli, rc);
    json_object_set_new(report, "stratum", json_string("all"));
    doc = json_pack("{s:s, s:s, s:[o]}", "source", "counts", "method", mse_method_name(o->method.kind),
                    "strata", report);
    if ((rc = write_svg(cli, doc, o->svg)) == EXIT_OK)
        rc = print_doc(doc, o->as_json);
    json_decref(doc);
    return rc;
}

/* What the estimate was computed from, above its table. */
static void print_provenance(json_t *doc)
{
    json_t *head = json_object_get(doc, "tree_head"), *link = json_object_get(doc, "linkage");
    json_t *lists = json_object_get(json_object_get(doc, "definition"), "lists"), *l;
    size_t i;

    printf("estimate %s", json_string_value(json_object_get(doc, "id")));
    if (json_object_get(doc, "version"))
        printf(" version %lld", (long long)json_integer_value(json_object_get(doc, "version")));
    printf("\nfrom tree head of size %lld, root %s, signed %s\n",
           (long long)json_integer_value(json_object_get(head, "size")),
           json_string_value(json_object_get(head, "root")),
           json_string_value(json_object_get(head, "signed_at")));
    printf("linkage: model %s, %lld persons clustered (clusters sha256 %.16s...)\n",
           json_string_value(json_object_get(link, "model_version")) ?: "none",
           (long long)json_integer_value(json_object_get(link, "persons_clustered")),
           json_string_value(json_object_get(link, "clusters_sha256")));
    json_array_foreach(lists, i, l) {
        char *sources = json_dumps(json_object_get(l, "sources"), JSON_COMPACT);

        printf("list %s = %s\n", json_string_value(json_object_get(l, "name")), sources);
        free(sources);
    }
    printf("records read with clearance %s\n\n", json_string_value(json_object_get(doc, "clearance")));
}

static int archive_cmd(struct cli *cli, const struct estimate_options *o)
{
    struct mse_request rq = { o->lists, o->strata_kind, o->method, o->at_size };
    json_t *doc = NULL;
    bool stored;
    int rc;

    if (cli_login(cli) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if ((rc = mse_archive_estimate(&cli->ctx, cli->st, &rq, &doc)) != AT_OK)
        return cli_fail(cli, rc);
    if ((rc = write_svg(cli, doc, o->svg)) != EXIT_OK) {
        json_decref(doc);
        return rc;
    }
    if ((rc = mse_archive_keep(&cli->ctx, cli->st, doc, &stored)) != AT_OK) {
        json_decref(doc);
        return cli_fail(cli, rc);
    }
    if (!o->as_json)
        print_provenance(doc);
    rc = print_doc(doc, o->as_json);
    json_decref(doc);
    return rc;
}

static int reproduce_cmd(struct cli *cli, const struct estimate_options *o)
{
    json_t *stored = NULL, *again = NULL;
    bool same = false;
    int rc;

    if (cli_login(cli) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if ((rc = mse_archive_reproduce(&cli->ctx, cli->st, o->at, o->svg != NULL, &stored, &again, &same)) != AT_OK) {
        json_decref(stored);
        return cli_fail(cli, rc);
    }
    if ((rc = write_svg(cli, again, o->svg)) != EXIT_OK) {
        json_decref(stored);
        json_decref(again);
        return rc;
    }
    json_object_set_new(again, "reproduces", json_integer(json_integer_value(json_object_get(stored, "version"))));
    json_object_set_new(again, "same", json_boolean(same));
    if (!o->as_json)
        print_provenance(again);
    print_doc(again, o->as_json);
    if (!o->as_json)
        printf("\n%s stored version %lld of %s\n", same ? "reproduces" : "DIFFERS from",
               (long long)json_integer_value(json_object_get(stored, "version")), o->at);
    json_decref(stored);
    json_decref(again);
    if (!same) {
        ctx_error(&cli->ctx, AT_ECONFLICT, "the estimate computed again differs from the stored one");
        return cli_fail(cli, AT_ECONFLICT);
    }
    return EXIT_OK;
}

static int estimate_cmd(struct cli *cli, int argc, char **argv)
{
    struct estimate_options o;
    int rc;

    if ((rc = parse_options(cli, argc, argv, &o)) != EXIT_OK)
        return rc;
    if (o.counts)
        return counts_cmd(cli, &o);
    if (o.lists)
        return archive_cmd(cli, &o);
    return reproduce_cmd(cli, &o);
}

const struct command estimate_command = {
    .name = "estimate",
    .summary = "estimate how many victims no list documented (multiple systems estimation)",
    .usage =
        "attest estimate --counts FILE [--method M] [options] [--json]\n"
        "attest estimate --lists SPEC [--strata province|period|act] [--method M] [options] [--json]\n"
        "attest estimate --at ESTIMATE [--json]\n"
        "Estimates the total number of victims, documented and undocumented, from\n"
        "how often independent lists name the same people.\n"
        "  --counts FILE     a CSV of capture patterns: a header naming 2 to 6 lists and\n"
        "                    a last column \"count\", rows of 0/1 and a count (\"-\": stdin)\n"
        "  --lists SPEC      lists of sources in the archive: NAME=SOURCE[|SOURCE];...\n"
        "                    SOURCE is interview or document, then ,FIELD:VALUE filters\n"
        "  --strata BY       one estimate per province, period (year) or act type\n"
        "  --at ESTIMATE     recompute a stored estimate (es-...) from the records as they\n"
        "                    were at its tree head; with --lists, --at SIZE estimates at\n"
        "                    the signed tree head of that size\n"
        "  --method M        loglinear (default), dga, lcmcr or chapman\n"
        "  --criterion C     loglinear model choice: bic (default) or aic\n"
        "  --seed N --classes K --burnin N --samples N --thinning N   lcmcr's chain\n"
        "                    (defaults 1, 10, 10000, 1000, 100)\n"
        "  --svg FILE        also draw the estimate: by stratum when there are several, else\n"
        "                    the profile likelihood, the posterior or the draws of N\n"
        "See docs/commands/estimate.md for the methods, the output and the warnings.",
    .run = estimate_cmd,
    .needs = NEEDS_ARCHIVE_SOMETIMES,
};
