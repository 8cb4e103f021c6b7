/* cmd_init.c: `attest init DIR` creates a new, empty archive. */
#include "cli.h"

static int init_cmd(struct cli *cli, int argc, char **argv)
{
    struct store *st;

    if (argc != 1)
        return cli_usage(&init_command, "give the directory of the new archive");
    if (store_create(&cli->ctx, argv[0], &st) != AT_OK)
        return cli_fail(cli, AT_ERR);
    store_close(st);
    fprintf(stderr, "created archive %s\n", argv[0]);
    return EXIT_OK;
}

const struct command init_command = {
    "init", "create a new archive",
    "attest init DIR\n"
    "Creates the directory DIR holding a new archive: attest.db (SQLite) and vault/.",
    init_cmd,
};
