/*
 * cmd_list.c: `attest list [TYPE]` lists current records, filtered by
 * date range, place and clearance.
 */
#include "cli.h"
#include "../core/date.h"
#include "../core/number.h"
#include "../core/record.h"
#include "../core/vocab.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct list_out {
    struct table tab;
    json_t *all;       /* --json */
};

static int list_row(void *arg, json_t *doc)
{
    struct list_out *o = arg;
    const struct type_spec *t = model_type(json_string_value(json_object_get(doc, "type")));
    json_t *data = json_object_get(doc, "data");
    struct buf summary = BUF_INIT;

    if (o->all) {
        json_array_append(o->all, doc);
        return AT_OK;
    }
    model_summary(t, data, &summary);
    cli_table_row(&o->tab, json_string_value(json_object_get(doc, "id")), t->name,
                  json_string_value(json_object_get(data, "date")),
                  json_string_value(json_object_get(doc, "clearance")),
                  json_is_true(json_object_get(doc, "retracted")) ? "retracted" : "",
                  buf_str(&summary));
    buf_free(&summary);
    return AT_OK;
}

static int list_cmd(struct cli *cli, int argc, char **argv)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct list_out o = { { 0 }, NULL };
    const char *from = NULL, *to = NULL, *clearance = NULL, *limit = NULL, *offset = NULL;
    bool as_json = false;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&list_command, argc, argv, &i, "from", &from)) ||
            (got = cli_option(&list_command, argc, argv, &i, "to", &to)) ||
            (got = cli_option(&list_command, argc, argv, &i, "place", &f.place)) ||
            (got = cli_option(&list_command, argc, argv, &i, "clearance", &clearance)) ||
            (got = cli_option(&list_command, argc, argv, &i, "limit", &limit)) ||
            (got = cli_option(&list_command, argc, argv, &i, "offset", &offset)) ||
            (got = cli_option(&list_command, argc, argv, &i, "type", &f.type))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (strcmp(argv[i], "--retracted") == 0) {
            f.include_retracted = true;
        } else if (argv[i][0] != '-' && f.type == NULL) {
            f.type = argv[i];
        } else {
            return cli_usage(&list_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (f.type && model_type(f.type) == NULL) {
        struct buf valid = BUF_INIT;
        model_list_types(&valid);
        rc = cli_usage(&list_command, "\"%s\" is not a record type; valid: %s", f.type,
                       buf_str(&valid));
        buf_free(&valid);
        return rc;
    }
    if ((from && date_parse_bound(&cli->ctx, from, DATE_FROM, &f.date_from) != AT_OK)
        || (to && date_parse_bound(&cli->ctx, to, DATE_TO, &f.date_to) != AT_OK)
        || (clearance && vocab_clearance_parse(&cli->ctx, clearance, &f.max_clearance) != AT_OK)
        || (limit && number_parse_long(&cli->ctx, "--limit", limit, 1, INT_MAX, &f.limit) != AT_OK)
        || (offset && number_parse_long(&cli->ctx, "--offset", offset, 0, INT_MAX, &f.offset) != AT_OK))
        return cli_fail(cli, AT_EINVAL);
    if (as_json)
        o.all = json_array();
    else
        cli_table_init(&o.tab, 6, "ID", "TYPE", "DATE", "CLEARANCE", "STATE", "SUMMARY");
    rc = record_list(&cli->ctx, cli->st, &f, list_row, &o);
    if (rc == AT_OK) {
        if (as_json)
            cli_print_json(o.all);
        else
            cli_table_print(&o.tab, stdout);
    }
    json_decref(o.all);
    cli_table_free(&o.tab);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command list_command = {
    .name = "list",
    .summary = "list records, with filters",
    .usage =
        "attest list [TYPE] [--from DATE] [--to DATE] [--place TEXT] [--clearance MAX]\n"
        "            [--retracted] [--limit N] [--offset N] [--json]\n"
        "Lists current records (of TYPE).  --from/--to keep records whose fuzzy date may\n"
        "fall in the range; --place matches any place field (province, county, place);\n"
        "--clearance keeps records up to that level; --retracted includes retracted ones.",
    .run = list_cmd,
    .needs = NEEDS_ARCHIVE,
};
