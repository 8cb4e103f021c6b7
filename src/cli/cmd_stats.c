/* cmd_stats.c: `attest stats` counts the records of each type. */
#include "cli.h"
#include "../core/record.h"

#include <string.h>

static int stats_cmd(struct cli *cli, int argc, char **argv)
{
    bool as_json = argc == 1 && strcmp(argv[0], "--json") == 0;
    json_t *stats, *row;
    struct table tab;
    char n[3][32];
    size_t i;

    if (argc > 0 && !as_json)
        return cli_usage(&stats_command, "unexpected argument \"%s\"", argv[0]);
    if (record_stats(&cli->ctx, cli->st, &stats) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (as_json) {
        cli_print_json(stats);
        json_decref(stats);
        return EXIT_OK;
    }
    cli_table_init(&tab, 4, "TYPE", "RECORDS", "RETRACTED", "VERSIONS");
    json_array_foreach(stats, i, row) {
        snprintf(n[0], sizeof n[0], "%lld", (long long)json_integer_value(json_object_get(row, "records")));
        snprintf(n[1], sizeof n[1], "%lld", (long long)json_integer_value(json_object_get(row, "retracted")));
        snprintf(n[2], sizeof n[2], "%lld", (long long)json_integer_value(json_object_get(row, "versions")));
        cli_table_row(&tab, json_string_value(json_object_get(row, "type")), n[0], n[1], n[2]);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(stats);
    return EXIT_OK;
}

const struct command stats_command = {
    .name = "stats",
    .summary = "count the records of each type",
    .usage =
        "attest stats [--json]\n"
        "Counts current records per type, retracted ones apart, and all their versions.",
    .run = stats_cmd,
    .needs = NEEDS_ARCHIVE,
};
