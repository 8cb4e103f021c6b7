/* cmd_verify_bundle.c: `attest verify-bundle FILE` checks an evidence bundle. */
#include "cli.h"
#include "../core/bundle.h"

static int verify_bundle_cmd(struct cli *cli, int argc, char **argv)
{
    const char *path = NULL, *key = NULL;
    struct bundle_counts c;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&verify_bundle_command, argc, argv, &i, "key", &key);
        if (got < 0)
            return EXIT_USAGE;
        if (got == 0 && path == NULL && argv[i][0] != '-')
            path = argv[i];
        else if (got == 0)
            return cli_usage(&verify_bundle_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (path == NULL)
        return cli_usage(&verify_bundle_command, "give the bundle's file");
    if (bundle_verify(&cli->ctx, path, key, &c) != AT_OK) {
        fprintf(stderr, "attest verify-bundle: FAILED: %s\n", cli->ctx.message);
        return EXIT_FAIL;
    }
    printf("%s is sound: the tree head's signature verifies%s; %ld records and %ld files "
           "(%llu bytes) are proven in the signed log; %ld redacted records carry no proof\n",
           path, key ? " with the pinned key" : "", c.records, c.files,
           (unsigned long long)c.file_bytes, c.redacted);
    return EXIT_OK;
}

const struct command verify_bundle_command = {
    .name = "verify-bundle",
    .summary = "check an evidence bundle without its archive",
    .usage =
        "attest verify-bundle FILE.tar [--key HEX]\n"
        "Checks the signature of the bundle's tree head (against --key, the archive's\n"
        "public key from 'attest key show', when given), every record's and file's\n"
        "inclusion proof, and every file's SHA-256, size and logged commitment.",
    .run = verify_bundle_cmd,
    .needs = NEEDS_NOTHING,
};
