/*
 * cmd_show.c: `attest show ID` prints one record: its provenance, its
 * fields, and the records that refer to it.
 */
#include "cli.h"
#include "../core/number.h"
#include "../core/record.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void print_record(json_t *doc, json_t *referrers)
{
    const struct type_spec *t = model_type(json_string_value(json_object_get(doc, "type")));
    json_t *data = json_object_get(doc, "data");
    struct table tab;
    struct buf cell = BUF_INIT;
    char num[32];
    size_t i;
    json_t *r;

    cli_table_init(&tab, 2, "id", json_string_value(json_object_get(doc, "id")));
    cli_table_row(&tab, "type", t->name);
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(doc, "version")));
    cli_table_row(&tab, "version", num);
    cli_table_row(&tab, "clearance", json_string_value(json_object_get(doc, "clearance")));
    if (json_is_true(json_object_get(doc, "retracted")))
        cli_table_row(&tab, "retracted", "yes");
    cli_table_row(&tab, "source", json_string_value(json_object_get(doc, "source")));
    cli_table_row(&tab, "entered by", json_string_value(json_object_get(doc, "author")));
    cli_table_row(&tab, "entered at", json_string_value(json_object_get(doc, "written_at")));
    buf_reset(&cell);
    record_origin_text(doc, &cell);
    if (cell.len)
        cli_table_row(&tab, "origin", buf_str(&cell));
    cli_table_row(&tab, "reason", json_string_value(json_object_get(doc, "reason")));
    cli_table_row(&tab, "", "");
    for (i = 0; i < t->nfields; i++) {
        const struct field_spec *f = &t->fields[i];
        json_t *v = json_object_get(data, f->name);
        if (v == NULL)
            continue;
        buf_reset(&cell);
        model_field_text(f, v, &cell);
        cli_table_row(&tab, f->name, buf_str(&cell));
    }
    json_array_foreach(referrers, i, r) {
        buf_reset(&cell);
        buf_printf(&cell, "%s (as %s)", json_string_value(json_object_get(r, "id")),
                   json_string_value(json_object_get(r, "field")));
        cli_table_row(&tab, i == 0 ? "referred by" : "", buf_str(&cell));
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    buf_free(&cell);
}

static int show_cmd(struct cli *cli, int argc, char **argv)
{
    const char *id_arg = NULL, *version_arg = NULL;
    bool as_json = false;
    char id[RECORD_ID_MAX];
    json_t *doc = NULL, *referrers = NULL;
    long version = 0;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&show_command, argc, argv, &i, "version", &version_arg);
        if (got < 0)
            return EXIT_USAGE;
        if (got > 0)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (argv[i][0] != '-' && id_arg == NULL)
            id_arg = argv[i];
        else
            return cli_usage(&show_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (id_arg == NULL)
        return cli_usage(&show_command, "give the id of a record");
    if (version_arg
        && number_parse_long(&cli->ctx, "--version", version_arg, 1, INT_MAX, &version) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (record_resolve(&cli->ctx, cli->st, id_arg, id) != AT_OK
        || record_read(&cli->ctx, cli->st, id, (int)version, &doc) != AT_OK
        || record_referrers(&cli->ctx, cli->st, id, &referrers) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (as_json) {
        json_object_set(doc, "referred_by", referrers);
        cli_print_json(doc);
    } else {
        print_record(doc, referrers);
    }
    rc = EXIT_OK;
out:
    json_decref(doc);
    json_decref(referrers);
    return rc;
}

const struct command show_command = {
    .name = "show",
    .summary = "print a record",
    .usage =
        "attest show ID [--version N] [--json]\n"
        "Prints the current version of record ID (or version N): who entered it, when,\n"
        "from which source, its fields, and the records that refer to it.  ID may be\n"
        "shortened to any unique prefix.",
    .run = show_cmd,
    .needs = NEEDS_ARCHIVE,
};
