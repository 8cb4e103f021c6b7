/*
 * cmd_key.c: `attest key show` prints the archive's public signing key,
 * and the one line another archive pins to sync with this one.
 */
#include "cli.h"
#include "../core/keys.h"
#include "../core/sync.h"

#include <string.h>

static int key_cmd(struct cli *cli, int argc, char **argv)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    char hex[2 * sizeof pk + 1], b64[64];
    struct buf line = BUF_INIT;

    if (argc != 1 || strcmp(argv[0], "show") != 0)
        return cli_usage(&key_command, "the only subcommand is 'show'");
    if (keys_sign_pk(&cli->ctx, cli->st, pk) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    printf("Ed25519 public key (hex):    %s\n", hex);
    printf("Ed25519 public key (base64): %s\n", b64);
    if (sync_key_line(&cli->ctx, cli->st, &line) != AT_OK) {
        buf_free(&line);
        return cli_fail(cli, cli->ctx.code);
    }
    printf("Peer key line (attest peers add NAME LINE):\n%s\n", buf_str(&line));
    buf_free(&line);
    return EXIT_OK;
}

const struct command key_command = {
    .name = "key",
    .summary = "show the archive's public signing key and its peer key line",
    .usage =
        "attest key show\n"
        "Prints the Ed25519 public key that signs the log's tree heads, for partners\n"
        "to pin: a bundle or a tree head signed by another key is not this archive's.\n"
        "Then the one line another archive pins to sync with this one (`attest peers\n"
        "add NAME LINE`): this archive's id, signing key, key for receiving packs, and\n"
        "its protection officers' keys (identities sent to it are sealed to them).",
    .run = key_cmd,
    .needs = NEEDS_ARCHIVE,
};
