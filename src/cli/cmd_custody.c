/* cmd_custody.c: `attest custody add|show`: an evidence item's custody. */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/vault.h"

#include <string.h>

struct custody_write {
    const char *id;
    const struct custody_event *e;
};

static int add_event(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct custody_write *c = arg;

    return vault_custody_add(ctx, st, c->id, c->e);
}

static int custody_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *id = NULL;
    struct custody_event e = { 0 };
    bool as_json = false;
    json_t *events, *ev;
    struct table tab;
    size_t i;
    int rc;

    for (int k = 1; k < argc; k++) {
        int got;
        if ((got = cli_option(&custody_command, argc, argv, &k, "action", &e.action)) ||
            (got = cli_option(&custody_command, argc, argv, &k, "from", &e.from)) ||
            (got = cli_option(&custody_command, argc, argv, &k, "to", &e.to)) ||
            (got = cli_option(&custody_command, argc, argv, &k, "how", &e.how)) ||
            (got = cli_option(&custody_command, argc, argv, &k, "at", &e.at)) ||
            (got = cli_option(&custody_command, argc, argv, &k, "note", &e.note))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[k], "--json") == 0) {
            as_json = true;
        } else if (id == NULL && argv[k][0] != '-') {
            id = argv[k];
        } else {
            return cli_usage(&custody_command, "unexpected argument \"%s\"", argv[k]);
        }
    }
    if ((strcmp(sub, "add") != 0 && strcmp(sub, "show") != 0) || id == NULL)
        return cli_usage(&custody_command, "give add or show, and an evidence id");
    if (strcmp(sub, "add") == 0) {
        rc = evlog_write(&cli->ctx, cli->st, add_event, &(struct custody_write){ id, &e });
        return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
    }
    if (vault_custody(&cli->ctx, cli->st, id, &events) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(events);
    } else {
        cli_table_init(&tab, 7, "AT", "ACTION", "FROM", "TO", "HOW", "RECORDED BY", "NOTE");
        json_array_foreach(events, i, ev) {
            const char *at = json_string_value(json_object_get(ev, "at"));
            cli_table_row(&tab, at ? at : json_string_value(json_object_get(ev, "recorded_at")),
                          json_string_value(json_object_get(ev, "action")),
                          json_string_value(json_object_get(ev, "from")),
                          json_string_value(json_object_get(ev, "to")),
                          json_string_value(json_object_get(ev, "how")),
                          json_string_value(json_object_get(ev, "recorded_by")),
                          json_string_value(json_object_get(ev, "note")));
        }
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
    }
    json_decref(events);
    return EXIT_OK;
}

const struct command custody_command = {
    .name = "custody",
    .summary = "record and show an evidence item's chain of custody",
    .usage =
        "attest custody add ID --action ACTION [--from WHO] [--to WHO] [--how HOW]\n"
        "                      [--at WHEN] [--note TEXT]\n"
        "       attest custody show ID [--json]\n"
        "ACTION is what happened: received, copied, handed_over, examined, exported,\n"
        "...  Events are encrypted like the item's other details, and logged; show\n"
        "lists them oldest first, from the item's entry into the vault.",
    .run = custody_cmd,
    .needs = NEEDS_ARCHIVE,
};
