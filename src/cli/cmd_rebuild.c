/* cmd_rebuild.c: `attest rebuild` recreates the derived tables. */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/link.h"
#include "../core/record.h"
#include "../core/vault.h"

static int rebuild_cmd(struct cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return cli_usage(&rebuild_command, "takes no arguments");
    if (store_begin(&cli->ctx, cli->st) != AT_OK
        || record_rebuild(&cli->ctx, cli->st) != AT_OK
        || link_archive_rebuild(&cli->ctx, cli->st) != AT_OK
        || evlog_rebuild_nodes(&cli->ctx, cli->st) != AT_OK
        || vault_rebuild(&cli->ctx, cli->st) != AT_OK
        || store_commit(&cli->ctx, cli->st) != AT_OK) {
        store_rollback(cli->st);
        return cli_fail(cli, AT_ERR);
    }
    fprintf(stderr, "rebuilt the current view, references, search index, log tree cache, vault index and link clusters\n");
    return EXIT_OK;
}

const struct command rebuild_command = {
    .name = "rebuild",
    .summary = "recreate the derived tables from the versions",
    .usage =
        "attest rebuild\n"
        "Recreates the current view, the reference table and the search index from the\n"
        "stored versions, and the log's cached subtree hashes from its leaves; what is\n"
        "enduring (versions, log, keys, vault) is never touched.",
    .run = rebuild_cmd,
    .needs = NEEDS_ARCHIVE,
};
