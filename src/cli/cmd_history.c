/* cmd_history.c: `attest history ID` lists every version of a record and
 * the state of each: the current one, another head in conflict with it
 * (concurrent versions from two archives, `attest sync conflicts`), one
 * superseded by a later version, or one that retracted the record. */
#include "cli.h"
#include "../core/record.h"

#include <string.h>

/* What version v is: "retracted" from the version that retracted the
 * record, "current" for the one the current view shows, "conflict" for
 * the record's other heads (versions no other is based on), "superseded"
 * for the others. */
static const char *version_state(json_t *v, json_int_t current, json_t *heads)
{
    json_int_t n = json_integer_value(json_object_get(v, "version"));
    json_t *h;
    size_t i;

    if (json_is_true(json_object_get(v, "retracted")))
        return "retracted";
    if (n == current)
        return "current";
    json_array_foreach(heads, i, h)
        if (json_integer_value(json_object_get(h, "version")) == n)
            return "conflict";
    return "superseded";
}

static int history_cmd(struct cli *cli, int argc, char **argv)
{
    const char *id_arg = NULL;
    bool as_json = false;
    char id[RECORD_ID_MAX], num[32];
    json_t *versions, *v, *latest, *heads = NULL;
    json_int_t current;
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
    if (record_resolve(&cli->ctx, cli->st, id_arg, id) != AT_OK
        || record_history(&cli->ctx, cli->st, id, &versions) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    /* The latest version may be above the user's clearance and so missing
     * from versions; only its number is read here. */
    if (record_get(&cli->ctx, cli->st, id, 0, &latest) != AT_OK) {
        json_decref(versions);
        return cli_fail(cli, cli->ctx.code);
    }
    current = json_integer_value(json_object_get(latest, "version"));
    json_decref(latest);
    if (record_heads(&cli->ctx, cli->st, id, &heads) != AT_OK) {
        json_decref(versions);
        return cli_fail(cli, cli->ctx.code);
    }
    json_array_foreach(versions, i, v)
        json_object_set_new(v, "state", json_string(version_state(v, current, heads)));
    json_decref(heads);
    if (as_json) {
        cli_print_json(versions);
        json_decref(versions);
        return EXIT_OK;
    }
    cli_table_init(&tab, 6, "VERSION", "WRITTEN AT", "BY", "CLEARANCE", "STATE", "REASON");
    json_array_foreach(versions, i, v) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(v, "version")));
        buf_reset(&by);
        buf_puts(&by, json_string_value(json_object_get(v, "author")));
        if (json_object_get(v, "origin")) {
            buf_puts(&by, " (");
            record_origin_text(v, &by);
            buf_puts(&by, ")");
        }
        cli_table_row(&tab, num, json_string_value(json_object_get(v, "written_at")), buf_str(&by),
                      json_string_value(json_object_get(v, "clearance")),
                      json_string_value(json_object_get(v, "state")),
                      json_string_value(json_object_get(v, "reason")));
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    buf_free(&by);
    json_decref(versions);
    return EXIT_OK;
}

const struct command history_command = {
    .name = "history",
    .summary = "list every version of a record",
    .usage =
        "attest history ID [--json]\n"
        "Lists the versions of record ID, oldest first: when, by whom, why, and\n"
        "STATE: current (the version shown), conflict (a concurrent version from\n"
        "another archive, a head beside the current one: see `attest sync conflicts`),\n"
        "superseded (a later version replaced it) or retracted (the version that\n"
        "retracted the record, and any after it).\n"
        "An imported version is by its importer, with who first wrote it and when.\n"
        "'attest show ID --version N' prints one of them; --json prints them all,\n"
        "each with its \"state\".",
    .run = history_cmd,
    .needs = NEEDS_ARCHIVE,
};
