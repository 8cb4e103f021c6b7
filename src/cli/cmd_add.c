/*
 * cmd_add.c: `attest add TYPE` adds a record from flags, or many records
 * from a JSON object or array (--json FILE, or - for stdin).
 */
#include "cli.h"
#include "fields.h"
#include "../core/evlog.h"
#include "../core/import.h"

#include <string.h>

static int add_from_json(struct cli *cli, const struct type_spec *t, const char *path,
                         const struct record_write *w)
{
    struct import_options opt = { w->source, w->clearance, false, NULL, NULL, NULL, 0, false, NULL };
    struct import_counts counts;
    struct buf ids = BUF_INIT;
    FILE *in = cli_fopen(cli, path);
    int rc;

    if (in == NULL)
        return EXIT_FAIL;
    rc = import_json_records(&cli->ctx, cli->st, in, strcmp(path, "-") ? path : "stdin", t,
                             &opt, &counts, &ids);
    if (in != stdin)
        fclose(in);
    fputs(buf_str(&ids), stdout);
    buf_free(&ids);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "added %ld %s record%s\n", counts.added, t->name, counts.added == 1 ? "" : "s");
    return EXIT_OK;
}

static int add_cmd(struct cli *cli, int argc, char **argv)
{
    const struct type_spec *t;
    struct record_write w = RECORD_WRITE_INIT;
    const char *json_file = NULL;
    char id[RECORD_ID_MAX];
    json_t *data;
    int rc;

    if (argc < 1 || argv[0][0] == '-')
        return cli_usage(&add_command, "give the type of record to add");
    if ((t = model_type(argv[0])) == NULL) {
        struct buf valid = BUF_INIT;
        model_list_types(&valid);
        rc = cli_usage(&add_command, "\"%s\" is not a record type; valid: %s", argv[0],
                       buf_str(&valid));
        buf_free(&valid);
        return rc;
    }
    if (argc == 2 && strcmp(argv[1], "--fields") == 0) {
        fields_usage(t, stdout);
        return EXIT_OK;
    }
    data = json_object();
    rc = fields_from_flags(cli, &add_command, t, argc - 1, argv + 1, data, &w, &json_file);
    if (rc == EXIT_OK && cli_login(cli) != AT_OK)
        rc = cli_fail(cli, cli->ctx.code);
    if (rc != EXIT_OK)
        goto out;
    if (json_file) {
        if (json_object_size(data) > 0)
            rc = cli_usage(&add_command, "give fields either as flags or in --json, not both");
        else
            rc = add_from_json(cli, t, json_file, &w);
        goto out;
    }
    if ((rc = evlog_write(&cli->ctx, cli->st, record_add_write,
                          &(struct record_change){ .type = t, .data = data, .w = &w, .id_out = id }))
        != AT_OK) {
        rc = cli_fail(cli, rc);
        goto out;
    }
    printf("%s\n", id);
    rc = EXIT_OK;
out:
    json_decref(data);
    return rc;
}

const struct command add_command = {
    .name = "add",
    .summary = "add a record (from flags or JSON)",
    .usage =
        "attest add TYPE [--FIELD VALUE ...] [--clearance LEVEL] [--source ID] [--reason TEXT]\n"
        "       attest add TYPE --json FILE|-\n"
        "Adds a record of TYPE and prints its id.  Each field is a flag (see\n"
        "'attest vocab' for coded values, 'attest add TYPE --fields' for a type's fields);\n"
        "--source names the interview or document the record comes from.  With --json,\n"
        "FILE holds one JSON object of fields or an array of them; all are added or none.",
    .run = add_cmd,
    /* add TYPE --fields needs no archive: adding logs in. */
    .needs = NEEDS_ARCHIVE_SOMETIMES,
};
