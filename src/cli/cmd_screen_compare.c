/*
 * cmd_screen_compare.c: `attest screen compare` scores one name against
 * another as screening would, with each scorer, and says whether each
 * would be a hit at the default threshold; one pair from the command
 * line, or a file of pairs (name1<TAB>name2<TAB>type).  With an archive,
 * words weigh as on its lists; without one (or with --default-weights),
 * by the default weighting of docs/commands/screen.md.
 */
#include "cli.h"
#include "../core/screen.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One result as text: the pair, then a line per scorer. */
static void print_result(json_t *r)
{
    static const char *const scorers[] = { "attest", "ofac" };
    struct buf why = BUF_INIT;
    const char *type = json_string_value(json_object_get(r, "type"));

    printf("%s ~ %s%s%s%s\n", json_string_value(json_object_get(r, "name1")),
           json_string_value(json_object_get(r, "name2")), type ? " (" : "", type ? type : "",
           type ? ")" : "");
    for (size_t s = 0; s < ARRAY_LEN(scorers); s++) {
        json_t *sc = json_object_get(r, scorers[s]);
        screen_explain_text(json_object_get(sc, "explain"), &why);
        printf("  %-6s %5.1f  %-8s %s\n", scorers[s], json_number_value(json_object_get(sc, "score")),
               json_is_true(json_object_get(sc, "match")) ? "match" : "no match", buf_str(&why));
    }
    buf_free(&why);
}

/* A tab-separated row per result: line, the pair, and each scorer's
 * score, match and explanation. */
static void print_row(unsigned long line, json_t *r)
{
    static const char *const scorers[] = { "attest", "ofac" };
    struct buf why = BUF_INIT;
    const char *type = json_string_value(json_object_get(r, "type"));

    printf("%lu\t%s\t%s\t%s", line, json_string_value(json_object_get(r, "name1")),
           json_string_value(json_object_get(r, "name2")), type ? type : "");
    for (size_t s = 0; s < ARRAY_LEN(scorers); s++) {
        json_t *sc = json_object_get(r, scorers[s]);
        screen_explain_text(json_object_get(sc, "explain"), &why);
        /* a tab inside a name's explanation would shift the columns */
        for (size_t i = 0; i < why.len; i++)
            if (why.data[i] == '\t')
                why.data[i] = ' ';
        printf("\t%.1f\t%s\t%s", json_number_value(json_object_get(sc, "score")),
               json_is_true(json_object_get(sc, "match")) ? "yes" : "no", buf_str(&why));
    }
    putchar('\n');
    buf_free(&why);
}

/* Each result of a file of pairs: a row as it comes, or kept for the
 * JSON array. */
static int each_pair(void *arg, json_t *r)
{
    json_t *all = arg;

    if (all)
        return json_array_append_new(all, r) == 0 ? AT_OK : AT_ERR;
    print_row((unsigned long)json_integer_value(json_object_get(r, "line")), r);
    json_decref(r);
    return AT_OK;
}

static int compare_file(struct cli *cli, const struct screen_index *ix, const char *path, bool as_json)
{
    FILE *in = cli_fopen(cli, path);
    json_t *all = as_json ? json_array() : NULL;
    int rc = EXIT_OK;

    if (in == NULL) {
        json_decref(all);
        return EXIT_FAIL;
    }
    if (!as_json)
        printf("line\tname1\tname2\ttype\tattest\tattest_match\tattest_why\tofac\tofac_match\tofac_why\n");
    if (screen_compare_pairs(&cli->ctx, ix, in, path, each_pair, all) != AT_OK)
        rc = cli_fail(cli, cli->ctx.code);
    else if (as_json)
        cli_print_json(all);
    json_decref(all);
    if (in != stdin)
        fclose(in);
    return rc;
}

/* Whether the archive cli names exists (its database is there). */
static bool archive_exists(const struct cli *cli)
{
    struct buf path = BUF_INIT;
    struct stat s;

    buf_printf(&path, "%s/attest.db", cli->archive);
    bool there = stat(buf_str(&path), &s) == 0;
    buf_free(&path);
    return there;
}

int cmd_screen_compare(struct cli *cli, int argc, char **argv)
{
    const char *names[2] = { NULL, NULL }, *type = NULL, *file = NULL;
    bool as_json = false, defaults = false;
    struct screen_index *ix = NULL;
    size_t nnames = 0;
    int rc = EXIT_USAGE;
    json_t *r;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&screen_command, argc, argv, &i, "type", &type)) ||
            (got = cli_option(&screen_command, argc, argv, &i, "file", &file))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (strcmp(argv[i], "--default-weights") == 0) {
            defaults = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage(&screen_command, "compare: unknown option \"%s\"", argv[i]);
        } else if (nnames < 2) {
            names[nnames++] = argv[i];
        } else {
            return cli_usage(&screen_command, "compare: unexpected argument \"%s\"", argv[i]);
        }
    }
    if ((file == NULL) == (nnames != 2) || (file && type))
        return cli_usage(&screen_command, "compare takes two names (and --type), or --file PAIRS.tsv");
    if (!screen_type_valid(type))
        return cli_usage(&screen_command, "--type \"%s\"; valid: person, company, vessel, aircraft", type);
    if (!defaults && archive_exists(cli)) {
        if (cli_login(cli) != AT_OK)
            return cli_fail(cli, AT_ERR);
        if (screen_index_load(&cli->ctx, cli->st, &ix) != AT_OK) {
            if (cli->ctx.code != AT_ENOTFOUND)
                return cli_fail(cli, cli->ctx.code);
            fprintf(stderr, "attest: no lists imported; words weigh by the default weighting\n");
            ctx_clear(&cli->ctx);
        }
    }
    if (file) {
        rc = compare_file(cli, ix, file, as_json);
    } else if (screen_compare(&cli->ctx, ix, names[0], names[1], type, &r) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
    } else {
        if (as_json)
            cli_print_json(r);
        else
            print_result(r);
        json_decref(r);
        rc = EXIT_OK;
    }
    screen_index_free(ix);
    return rc;
}
