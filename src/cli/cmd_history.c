/* cmd_history.c: `attest history ID` lists every version of a record. */
#include "cli.h"
#include "../core/record.h"

#include <string.h>

static int history_cmd(struct cli *cli, int argc, char **argv)
{
    const char *id_arg = NULL;
    bool as_json = false;
    char id[RECORD_ID_MAX], num[32];
    json_t *versions, *v;
    struct table tab;
    struct buf by = BUF_INIT;
    size_t i;

    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0)
            as_json = true;
        else if (argv[k][0] != '-' && id_arg == NULL)
            id_arg = argv[k];
        else
            return cli_usage(&history_command, "unexpected argument \"%s\"", argv[k]);
    }
    if (id_arg == NULL)
        return cli_usage(&history_command, "give the id of a record");
    if (cli_open(cli) != AT_OK || record_resolve(&cli->ctx, cli->st, id_arg, id) != AT_OK
        || record_history(&cli->ctx, cli->st, id, &versions) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(versions);
        json_decref(versions);
        return EXIT_OK;
    }
    table_init(&tab, 6, "VERSION", "WRITTEN AT", "BY", "CLEARANCE", "STATE", "REASON");
    json_array_foreach(versions, i, v) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(v, "version")));
        buf_reset(&by);
        buf_puts(&by, json_string_value(json_object_get(v, "author")));
        if (json_object_get(v, "origin")) {
            buf_puts(&by, " (");
            record_origin_text(v, &by);
            buf_puts(&by, ")");
        }
        table_row(&tab, num, json_string_value(json_object_get(v, "written_at")), buf_str(&by),
                  json_string_value(json_object_get(v, "clearance")),
                  json_is_true(json_object_get(v, "retracted")) ? "retracted" : "current",
                  json_string_value(json_object_get(v, "reason")));
    }
    table_print(&tab, stdout);
    table_free(&tab);
    buf_free(&by);
    json_decref(versions);
    return EXIT_OK;
}

const struct command history_command = {
    "history", "list every version of a record",
    "attest history ID [--json]\n"
    "Lists the versions of record ID, oldest first: when, by whom, why.  An\n"
    "imported version is by its importer, with who first wrote it and when.\n"
    "'attest show ID --version N' prints one of them; --json prints them all.",
    history_cmd,
};
