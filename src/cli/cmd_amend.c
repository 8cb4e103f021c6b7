/*
 * cmd_amend.c: `attest amend ID` writes a new version of a record with
 * some fields changed; the old version stays in the history.
 */
#include "cli.h"
#include "fields.h"
#include "../core/evlog.h"

#include <stdlib.h>
#include <string.h>

static int amend_cmd(struct cli *cli, int argc, char **argv)
{
    struct record_write w = RECORD_WRITE_INIT;
    const struct type_spec *t;
    char id[RECORD_ID_MAX];
    json_t *changes;
    int rc, nargs = 0;
    char **args;

    if (argc < 1 || argv[0][0] == '-')
        return cli_usage(&amend_command, "give the id of the record to amend");
    if (record_resolve(&cli->ctx, cli->st, argv[0], id) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    t = model_type_of_id(id);
    changes = json_object();
    /* --unset FIELD removes a field; everything else is a field flag. */
    args = xcalloc((size_t)argc, sizeof *args);
    for (int i = 1; i < argc; i++) {
        const char *field;
        int got = cli_option(&amend_command, argc, argv, &i, "unset", &field);
        if (got < 0) {
            rc = EXIT_USAGE;
            goto out;
        }
        if (got > 0)
            json_object_set_new(changes, field, json_null());
        else
            args[nargs++] = argv[i];
    }
    rc = fields_from_flags(cli, &amend_command, t, nargs, args, changes, &w, NULL);
    if (rc != EXIT_OK)
        goto out;
    if (json_object_size(changes) == 0 && w.clearance < 0 && w.source == NULL) {
        rc = cli_usage(&amend_command, "nothing to change");
        goto out;
    }
    if ((rc = evlog_write(&cli->ctx, cli->st, record_amend_write,
                          &(struct record_change){ .id = id, .data = changes, .w = &w }))
        != AT_OK) {
        rc = cli_fail(cli, rc);
        goto out;
    }
    printf("%s\n", id);
    rc = EXIT_OK;
out:
    free(args);
    json_decref(changes);
    return rc;
}

const struct command amend_command = {
    .name = "amend",
    .summary = "write a new version of a record",
    .usage =
        "attest amend ID --reason TEXT [--FIELD VALUE ...] [--unset FIELD] [--clearance LEVEL]\n"
        "Writes a new version of record ID with the given fields changed (--name replaces\n"
        "all names) and the reason for the change.  Nothing is overwritten: 'attest\n"
        "history ID' shows every version.",
    .run = amend_cmd,
    .needs = NEEDS_ARCHIVE,
};
