/*
 * cmd_init.c: `attest init DIR` creates a new archive with its keys and
 * its first user, an admin.
 */
#include "cli.h"
#include "../core/keys.h"
#include "../core/unlock.h"

#include <string.h>

/* Reads the new passphrase; on a terminal, twice, so that a typo is caught. */
static int new_passphrase(struct cli *cli, struct buf *pass)
{
    struct buf again = BUF_INIT;
    int rc;

    if ((rc = cli_read_passphrase(cli, "new passphrase: ", pass)) != AT_OK)
        return rc;
    if (cli->passphrase_fd < 0) {
        if ((rc = cli_read_passphrase(cli, "the same passphrase again: ", &again)) == AT_OK
            && strcmp(buf_str(pass), buf_str(&again)) != 0)
            rc = ctx_error(&cli->ctx, AT_EINVAL, "the two passphrases differ");
        sodium_memzero(again.data, again.cap);
        buf_free(&again);
    }
    return rc;
}

static int init_cmd(struct cli *cli, int argc, char **argv)
{
    const char *dir = NULL, *kdf_name = NULL;
    struct kdf kdf = keys_kdf_default();
    struct buf pass = BUF_INIT;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&init_command, argc, argv, &i, "kdf", &kdf_name);
        if (got < 0)
            return EXIT_USAGE;
        if (got == 0 && dir == NULL && argv[i][0] != '-')
            dir = argv[i];
        else if (got == 0)
            return cli_usage(&init_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (dir == NULL)
        return cli_usage(&init_command, "give the directory of the new archive");
    if (kdf_name && keys_kdf_parse(&cli->ctx, kdf_name, &kdf) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if ((rc = new_passphrase(cli, &pass)) != AT_OK)
        goto out;
    if ((rc = unlock_create(&cli->ctx, dir, cli->user, buf_str(&pass), &kdf, &cli->st,
                            &cli->session)) != AT_OK)
        goto out;
    cli->logged_in = true;
    fprintf(stderr, "created archive %s with admin user %s\n", dir, cli->user);
out:
    sodium_memzero(pass.data, pass.cap);
    buf_free(&pass);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command init_command = {
    .name = "init",
    .summary = "create a new archive",
    .usage =
        "attest init DIR [--kdf interactive|moderate|sensitive]\n"
        "Creates the directory DIR holding a new archive (attest.db, encrypted; its\n"
        "key file attest.keys; vault/), its random master key and signing key, and\n"
        "its first user, an admin: the -u user (or ATTEST_USER, or your login name),\n"
        "whose passphrase is asked for twice (or read once from --passphrase-fd).\n"
        "--kdf sets the Argon2id cost of deriving keys from passphrases (moderate:\n"
        "256 MiB and about a second per unlock).",
    .run = init_cmd,
    .needs = NEEDS_NOTHING,
};
