/*
 * cmd_verify.c: `attest verify` recomputes the whole archive and reports
 * the first inconsistency.
 */
#include "cli.h"
#include "../core/verify.h"

#include <string.h>

static int verify_cmd(struct cli *cli, int argc, char **argv)
{
    struct verify_report r;
    bool full = false;
    int rc;

    for (int i = 0; i < argc; i++) {
        /* verify_archive checks the vault with the store's session's
         * key: without one, it checks everything but the vault files. */
        if (strcmp(argv[i], "--no-vault") == 0)
            store_set_session(cli->st, NULL);
        else if (strcmp(argv[i], "--full") == 0)
            full = true;
        else
            return cli_usage(&verify_command, "unexpected argument \"%s\"", argv[i]);
    }
    rc = verify_archive(&cli->ctx, cli->st, full, &r);
    if (rc != AT_OK) {
        fprintf(stderr, "attest verify: FAILED: %s\n", cli->ctx.message);
        return EXIT_FAIL;
    }
    printf("archive %s is sound:\n"
           "  %llu log entries (%llu record versions, %llu other entries), all hashes match\n"
           "  %llu signed tree heads, every root and signature verified\n",
           cli->archive, (unsigned long long)r.log_entries,
           (unsigned long long)r.record_versions, (unsigned long long)r.log_items,
           (unsigned long long)r.heads);
    if (r.travelled)
        printf("  %llu entries whose texts travelled to the centre (attest travel): leaves only\n",
               (unsigned long long)r.travelled);
    if (r.vault_checked)
        printf("  %llu vault files (%llu bytes) decrypted, every tag and SHA-256 verified\n",
               (unsigned long long)r.vault_files, (unsigned long long)r.vault_bytes);
    else
        printf("  vault files NOT checked (--no-vault)\n");
    return EXIT_OK;
}

const struct command verify_command = {
    .name = "verify",
    .summary = "recompute every hash, the log, its signatures and the vault",
    .usage =
        "attest verify [--no-vault] [--full]\n"
        "Checks the database file with SQLite's quick_check (every page, record and\n"
        "constraint; --full runs integrity_check instead, which also matches each\n"
        "index to its table and takes several times longer); that the log has no\n"
        "gaps and each entry's leaf is the hash of what it records; that versions\n"
        "run in order and the current view matches them; the Merkle tree against\n"
        "every signed tree head and each signature against the archive's key;\n"
        "users against their logged changes; and every vault file's authentication\n"
        "tags and SHA-256 (which needs your passphrase; --no-vault skips it).\n"
        "Prints a summary and exits 0, or names the first thing that differs and\n"
        "exits 1.",
    .run = verify_cmd,
    .needs = NEEDS_ARCHIVE,
};
