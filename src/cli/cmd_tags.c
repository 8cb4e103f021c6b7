/*
 * cmd_tags.c: `attest tags list|review|accept|reject`: the tags suggested
 * in a document's text, reviewed by an analyst one by one or by id.
 */
#include "cli.h"
#include "../core/document.h"
#include "../core/evlog.h"
#include "../core/record.h"
#include "../core/tags.h"

#include <stdlib.h>
#include <string.h>

/* How much text either side of a tag the review shows, in code points. */
#define CONTEXT 40

static int tags_of(struct cli *cli, const char *arg, char id[RECORD_ID_MAX], json_t **tags)
{
    if (record_resolve(&cli->ctx, cli->st, arg, id) != AT_OK || tags_list(&cli->ctx, cli->st, id, tags) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    return EXIT_OK;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int list_tags(struct cli *cli, int argc, char **argv)
{
    const char *doc = NULL;
    bool as_json = false;
    char id[RECORD_ID_MAX];
    json_t *tags, *t;
    struct table tab;
    size_t i;
    int rc;

    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0)
            as_json = true;
        else if (doc == NULL && argv[k][0] != '-')
            doc = argv[k];
        else
            return cli_usage(&tags_command, "unexpected argument \"%s\"", argv[k]);
    }
    if (doc == NULL)
        return cli_usage(&tags_command, "give the document");
    if ((rc = tags_of(cli, doc, id, &tags)) != EXIT_OK)
        return rc;
    if (as_json) {
        cli_print_json(tags);
        json_decref(tags);
        return EXIT_OK;
    }
    cli_table_init(&tab, 6, "TAG", "SPAN", "KIND", "TEXT", "TARGET", "STATUS");
    json_array_foreach(tags, i, t) {
        char tag[24], span[48];
        struct buf target = BUF_INIT;
        snprintf(tag, sizeof tag, "%lld", (long long)json_integer_value(json_object_get(t, "id")));
        snprintf(span, sizeof span, "%lld:%lld", (long long)json_integer_value(json_object_get(t, "start")),
                 (long long)json_integer_value(json_object_get(t, "end")));
        buf_puts(&target, str(t, "target"));
        if (strcmp(str(t, "label"), str(t, "target")) != 0)
            buf_printf(&target, " (%s)", str(t, "label"));
        cli_table_row(&tab, tag, span, str(t, "kind"), str(t, "text"), target.data, str(t, "status"));
        buf_free(&target);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(tags);
    return EXIT_OK;
}

static int decide(struct cli *cli, const long *ids, size_t n, const char *status, size_t *changed)
{
    struct tags_decision d = { ids, n, status, 0 };
    int rc = evlog_write(&cli->ctx, cli->st, tags_decide_write, &d);

    *changed = d.changed;
    return rc;
}

static int decide_cmd(struct cli *cli, int argc, char **argv, const char *status)
{
    long *ids = xcalloc((size_t)argc + 1, sizeof *ids);
    size_t changed;
    int rc = EXIT_OK;

    for (int k = 0; k < argc; k++) {
        char *end;
        ids[k] = strtol(argv[k], &end, 10);
        if (*argv[k] == '\0' || *end != '\0' || ids[k] <= 0) {
            rc = cli_usage(&tags_command, "\"%s\" is not a tag id; 'attest tags list DOC' shows them",
                           argv[k]);
            goto out;
        }
    }
    if (argc == 0) {
        rc = cli_usage(&tags_command, "give the ids of the tags");
        goto out;
    }
    if (decide(cli, ids, (size_t)argc, status, &changed) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    fprintf(stderr, "%zu tags %s, %zu unchanged\n", changed, status, (size_t)argc - changed);
out:
    free(ids);
    return rc;
}

/* Prints the tag in its context: "... before [TEXT] after ...". */
static void show_in_context(json_t *t, const char *text)
{
    long long start = json_integer_value(json_object_get(t, "start"));
    long long end = json_integer_value(json_object_get(t, "end"));
    struct at_ctx quiet = { 0 };
    struct buf before = BUF_INIT, after = BUF_INIT;
    size_t from = start > CONTEXT ? (size_t)(start - CONTEXT) : 0;

    if (start > 0)
        document_span(&quiet, text, from, (size_t)start, &before);
    for (size_t k = CONTEXT; k > 0 && after.len == 0; k /= 2)
        document_span(&quiet, text, (size_t)end, (size_t)end + k, &after);
    for (size_t k = 0; k < before.len; k++)
        if (before.data[k] == '\n')
            before.data[k] = ' ';
    for (size_t k = 0; k < after.len; k++)
        if (after.data[k] == '\n')
            after.data[k] = ' ';
    printf("\n%lld  %s -> %s%s%s%s\n  ...%s[%s]%s...\n", (long long)json_integer_value(json_object_get(t, "id")),
           str(t, "kind"), str(t, "target"), strcmp(str(t, "label"), str(t, "target")) ? " (" : "",
           strcmp(str(t, "label"), str(t, "target")) ? str(t, "label") : "",
           strcmp(str(t, "label"), str(t, "target")) ? ")" : "", buf_str(&before), str(t, "text"),
           buf_str(&after));
    buf_free(&before);
    buf_free(&after);
}

/* review DOC: each suggested tag in its context; a(ccept), r(eject),
 * s(kip) or q(uit), read from standard input; each answer is written at
 * once. */
static int review(struct cli *cli, int argc, char **argv)
{
    char id[RECORD_ID_MAX], line[64];
    json_t *tags, *doc = NULL, *t;
    size_t i, accepted = 0, rejected = 0, changed;
    int rc;

    if (argc != 1 || argv[0][0] == '-')
        return cli_usage(&tags_command, "give the document to review");
    if ((rc = tags_of(cli, argv[0], id, &tags)) != EXIT_OK)
        return rc;
    if (record_read(&cli->ctx, cli->st, id, 0, &doc) != AT_OK) {
        json_decref(tags);
        return cli_fail(cli, cli->ctx.code);
    }
    const char *text = str(json_object_get(doc, "data"), "text");
    json_array_foreach(tags, i, t) {
        if (strcmp(str(t, "status"), "suggested") != 0)
            continue;
        show_in_context(t, text);
        printf("accept, reject, skip or quit? [a/r/s/q] ");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL || line[0] == 'q')
            break;
        if (line[0] != 'a' && line[0] != 'r')
            continue;
        long tag = (long)json_integer_value(json_object_get(t, "id"));
        if (decide(cli, &tag, 1, line[0] == 'a' ? "accepted" : "rejected", &changed) != AT_OK) {
            rc = cli_fail(cli, cli->ctx.code);
            break;
        }
        accepted += line[0] == 'a';
        rejected += line[0] == 'r';
    }
    printf("\n");
    fprintf(stderr, "%zu accepted, %zu rejected\n", accepted, rejected);
    json_decref(tags);
    json_decref(doc);
    return rc;
}

static int tags_cmd(struct cli *cli, int argc, char **argv)
{
    if (argc == 0)
        return cli_usage(&tags_command, "give a subcommand: list, review, accept or reject");
    if (strcmp(argv[0], "list") == 0)
        return list_tags(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "review") == 0)
        return review(cli, argc - 1, argv + 1);
    if (strcmp(argv[0], "accept") == 0)
        return decide_cmd(cli, argc - 1, argv + 1, "accepted");
    if (strcmp(argv[0], "reject") == 0)
        return decide_cmd(cli, argc - 1, argv + 1, "rejected");
    return cli_usage(&tags_command, "\"%s\" is not a subcommand; valid: list, review, accept, reject",
                     argv[0]);
}

const struct command tags_command = {
    .name = "tags",
    .summary = "review the places, records, dates and figures suggested in a document",
    .usage =
        "attest tags list DOC [--json]\n"
        "       attest tags review DOC\n"
        "       attest tags accept|reject TAG...\n"
        "Tags are suggested when a document is imported: places of the gazetteer in any\n"
        "spelling, organisations and persons of the archive, sanctions list entries,\n"
        "dates and quantities with their unit, each with its span (code points of the\n"
        "document's text, END exclusive).  Nothing is linked until accepted: accepting\n"
        "a tag on an organisation or person adds an information relation from the\n"
        "document; rejecting it again retracts it.  review shows each suggested tag in\n"
        "its context and reads a(ccept), r(eject), s(kip) or q(uit) from standard\n"
        "input.  Every decision is entered in the log.  See docs/commands/tags.md.",
    .run = tags_cmd,
    .needs = NEEDS_ARCHIVE,
};
