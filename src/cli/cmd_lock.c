/*
 * cmd_lock.c: `attest lock` drops the key that `attest unlock` kept in
 * the kernel's keyring.
 */
#include "cli.h"
#include "../core/unlock.h"

static int lock_cmd(struct cli *cli, int argc, char **argv)
{
    int rc;

    if (argc > 0)
        return cli_usage(&lock_command, "unexpected argument \"%s\"", argv[0]);
    if ((rc = unlock_check(&cli->ctx, cli->archive)) != AT_OK
        || (rc = unlock_forget(&cli->ctx, cli->archive, cli->user)) != AT_OK)
        return cli_fail(cli, rc);
    fprintf(stderr, "locked %s for %s: the next command asks for the passphrase\n",
            cli->archive, cli->user);
    return EXIT_OK;
}

const struct command lock_command = {
    .name = "lock",
    .summary = "drop the key that 'attest unlock' kept",
    .usage =
        "attest lock\n"
        "Removes the -u user's key to the archive from the kernel's keyring, so that\n"
        "the next command asks for the passphrase again.  Fails when no key was kept.",
    .run = lock_cmd,
    .needs = NEEDS_NOTHING,
};
