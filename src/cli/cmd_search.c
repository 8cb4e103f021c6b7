/*
 * cmd_search.c: `attest search QUERY` finds records by any of their text,
 * Korean and Chinese by substring, other scripts by word.
 */
#include "cli.h"
#include "../core/number.h"
#include "../core/search.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct search_out {
    struct table tab;
    json_t *all;
};

static int search_row(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct search_out *o = arg;

    if (o->all) {
        json_t *hit = json_pack("{s:O, s:s}", "record", doc, "snippet", snippet);
        if (why)
            json_object_set_new(hit, "why", json_string(why));
        json_array_append_new(o->all, hit);
    } else {
        struct buf match = BUF_INIT;
        buf_printf(&match, "%s%s%s%s", snippet, why ? " (" : "", why ? why : "", why ? ")" : "");
        cli_table_row(&o->tab, json_string_value(json_object_get(doc, "id")),
                      json_string_value(json_object_get(doc, "type")), buf_str(&match));
        buf_free(&match);
    }
    return AT_OK;
}

static int search_cmd(struct cli *cli, int argc, char **argv)
{
    struct search_options so = { NULL, -1, false, 50, "[", "]" };
    struct search_out o = { { 0 }, NULL };
    struct buf query = BUF_INIT;
    const char *limit = NULL;
    bool as_json = false;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&search_command, argc, argv, &i, "type", &so.type)) ||
            (got = cli_option(&search_command, argc, argv, &i, "limit", &limit))) {
            if (got < 0) {
                buf_free(&query);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (strcmp(argv[i], "--retracted") == 0) {
            so.include_retracted = true;
        } else {
            buf_printf(&query, "%s%s", query.len ? " " : "", argv[i]);
        }
    }
    if (query.len == 0)
        return cli_usage(&search_command, "give words to search for");
    if (limit && number_parse_long(&cli->ctx, "--limit", limit, 1, INT_MAX, &so.limit) != AT_OK) {
        buf_free(&query);
        return cli_fail(cli, AT_EINVAL);
    }
    if (isatty(STDOUT_FILENO))
        so.mark_open = "\033[1m", so.mark_close = "\033[0m";
    if (as_json) {
        o.all = json_array();
        so.mark_open = "<<", so.mark_close = ">>";
    } else {
        cli_table_init(&o.tab, 3, "ID", "TYPE", "MATCH");
    }
    rc = search_query(&cli->ctx, cli->st, buf_str(&query), &so, search_row, &o);
    if (rc == AT_OK && as_json)
        cli_print_json(o.all);
    else if (rc == AT_OK)
        cli_table_print(&o.tab, stdout);
    json_decref(o.all);
    cli_table_free(&o.tab);
    buf_free(&query);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command search_command = {
    .name = "search",
    .summary = "full-text search over every text field",
    .usage =
        "attest search QUERY... [--type TYPE] [--limit N] [--retracted] [--json]\n"
        "Finds current records whose text contains the words of QUERY (the last word\n"
        "may be the start of a word).  Korean, Chinese and other non-Latin text is\n"
        "found anywhere inside longer text: '정은' finds '김정은'.  Several words:\n"
        "best matches first; one word, or non-Latin text: newest records first.  Hits\n"
        "are marked [like this] (<<like this>> in --json).  A query that is a spelling\n"
        "of a place in the gazetteer (회령, Hoeryŏng, Hoeryeong, 會寧) also finds records\n"
        "holding its other spellings, and says which it was found as.",
    .run = search_cmd,
    .needs = NEEDS_ARCHIVE,
};
