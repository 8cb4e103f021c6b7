/*
 * cmd_retract.c: `attest retract ID --reason TEXT` marks a record as
 * retracted by writing a new version; nothing is deleted.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/record.h"

static int retract_cmd(struct cli *cli, int argc, char **argv)
{
    struct record_write w = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];

    for (int i = 1; i < argc; i++) {
        int got = cli_option(&retract_command, argc, argv, &i, "reason", &w.reason);
        if (got < 0)
            return EXIT_USAGE;
        if (got == 0)
            return cli_usage(&retract_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (argc < 1 || argv[0][0] == '-')
        return cli_usage(&retract_command, "give the id of the record to retract");
    if (record_resolve(&cli->ctx, cli->st, argv[0], id) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (evlog_write(&cli->ctx, cli->st, record_retract_write,
                    &(struct record_change){ .id = id, .w = &w }) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    printf("%s\n", id);
    return EXIT_OK;
}

const struct command retract_command = {
    .name = "retract",
    .summary = "mark a record retracted (a new version)",
    .usage =
        "attest retract ID --reason TEXT\n"
        "Writes a new version of ID marked retracted.  Lists and searches leave it out\n"
        "unless asked; its history keeps every version.",
    .run = retract_cmd,
    .needs = NEEDS_ARCHIVE,
};
