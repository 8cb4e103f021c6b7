/*
 * cmd_claims.c: `attest claims add|list`: figures stated in documents,
 * recorded with their quantity, unit, topic, period, place and span, and
 * set side by side.
 */
#include "cli.h"
#include "../core/claims.h"
#include "../core/evlog.h"
#include "../core/model.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <stdlib.h>
#include <string.h>

/* The code of vocab name that words stand for ("workers-abroad"), or the
 * words themselves, for the validator to refuse with the valid codes. */
static const char *code_of(const char *vocab, const char *words)
{
    const char *code = vocab_match(vocab_find(vocab), words);
    return code ? code : words;
}

static int add(struct cli *cli, int argc, char **argv)
{
    static const char *const options[] = { "span", "quantity", "unit", "about", "period", "place",
                                           "qualifier", "note", "quote" };
    static const char *const fields[] = { "span", "quantity", "unit", "topic", "period", "place",
                                          "qualifier", "note", "quote" };
    static const char *const vocabs[] = { NULL, NULL, "quantity_unit", "claim_topic", NULL, NULL,
                                          "claim_qualifier", NULL, NULL };
    const struct type_spec *type = model_type("claim");
    struct claims_add c = { json_object(), "" };
    const char *doc = NULL;
    char id[RECORD_ID_MAX];
    int rc = EXIT_USAGE;

    for (int i = 0; i < argc; i++) {
        int got = 0;
        const char *value = NULL;
        size_t o;
        for (o = 0; o < ARRAY_LEN(options) && got == 0; o++)
            got = cli_option(&claims_command, argc, argv, &i, options[o], &value);
        if (got < 0)
            goto out;
        if (got > 0) {
            o--;
            if (vocabs[o])
                value = code_of(vocabs[o], value);
            if (model_set_from_text(&cli->ctx, type, c.data, fields[o], value) != AT_OK) {
                rc = cli_fail(cli, AT_EINVAL);
                goto out;
            }
        } else if (doc == NULL && argv[i][0] != '-') {
            doc = argv[i];
        } else {
            rc = cli_usage(&claims_command, "unexpected argument \"%s\"", argv[i]);
            goto out;
        }
    }
    if (doc == NULL) {
        rc = cli_usage(&claims_command, "give the document that states the figure");
        goto out;
    }
    if (record_resolve(&cli->ctx, cli->st, doc, id) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    json_object_set_new(c.data, "document", json_string(id));
    if (evlog_write(&cli->ctx, cli->st, claims_add_write, &c) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    printf("%s\n", c.id);
    fprintf(stderr, "claim %s: \"%s\"\n", c.id, json_string_value(json_object_get(c.data, "quote")));
    rc = EXIT_OK;
out:
    json_decref(c.data);
    return rc;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int list(struct cli *cli, int argc, char **argv)
{
    const char *about = NULL;
    bool as_json = false;
    json_t *rows, *r;
    struct table tab;
    size_t i;

    for (int k = 0; k < argc; k++) {
        int got;
        if ((got = cli_option(&claims_command, argc, argv, &k, "about", &about)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[k], "--json") == 0) {
            as_json = true;
        } else {
            return cli_usage(&claims_command, "unexpected argument \"%s\"", argv[k]);
        }
    }
    if (about) {
        const struct vocab *v = vocab_find("claim_topic");
        const char *code = vocab_match(v, about);
        if (code == NULL) {
            struct buf valid = BUF_INIT;
            vocab_list_codes(v, &valid);
            fprintf(stderr, "attest: --about: \"%s\" is not a topic; valid: %s\n", about, valid.data);
            buf_free(&valid);
            return EXIT_USAGE;
        }
        about = code;
    }
    if (claims_list(&cli->ctx, cli->st, about, &rows) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(rows);
        json_decref(rows);
        return EXIT_OK;
    }
    cli_table_init(&tab, 9, "QUANTITY", "UNIT", "PERIOD", "PLACE", "TOPIC", "PUBLISHER", "DATE",
                   "DOCUMENT", "QUOTE");
    json_array_foreach(rows, i, r) {
        struct buf q = BUF_INIT, quote = BUF_INIT;
        const char *qual = str(r, "qualifier");
        buf_printf(&q, "%s%s%.15g", qual, *qual ? " " : "", json_number_value(json_object_get(r, "quantity")));
        buf_printf(&quote, "\"%s\"", str(r, "quote"));
        cli_table_row(&tab, q.data, str(r, "unit"), str(r, "period"), str(r, "place"), str(r, "topic"),
                      str(r, "publisher"), str(r, "document_date"), str(r, "document"), quote.data);
        buf_free(&q);
        buf_free(&quote);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(rows);
    return EXIT_OK;
}

static int claims_cmd(struct cli *cli, int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "add") == 0)
        return add(cli, argc - 1, argv + 1);
    if (argc > 0 && strcmp(argv[0], "list") == 0)
        return list(cli, argc - 1, argv + 1);
    return cli_usage(&claims_command, "give a subcommand: add or list");
}

const struct command claims_command = {
    .name = "claims",
    .summary = "record figures stated in documents and compare them side by side",
    .usage =
        "attest claims add DOC --span START:END --quantity N --unit UNIT --about TOPIC\n"
        "                  [--period DATE] [--place PLACE] [--qualifier Q] [--note TEXT]\n"
        "                  [--quote TEXT]\n"
        "       attest claims list [--about TOPIC] [--json]\n"
        "A claim is a figure a document states (\"about 50,000 workers in Russia\"):\n"
        "START:END are code points of the document's text, END exclusive (attest tags\n"
        "list shows the spans of the figures it found); the text there is kept as the\n"
        "claim's quote (--quote must then be that text).  UNIT is a quantity_unit\n"
        "(workers, usd, percent, ...), TOPIC a claim_topic (workers-abroad, revenue,\n"
        "arrivals, trafficking-price, ...), Q a claim_qualifier (about, at-least, ...);\n"
        "'attest vocab' lists them.  list prints the figures of many reports side by\n"
        "side.  See docs/commands/claims.md.",
    .run = claims_cmd,
    .needs = NEEDS_ARCHIVE,
};
