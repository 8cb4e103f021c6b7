/*
 * cmd_upgrade.c: `attest upgrade` encrypts an archive written by an
 * earlier attest, whose database was plaintext, in place: verified before
 * and after, with the log's signed root unchanged.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/keys.h"
#include "../core/unlock.h"
#include "../core/verify.h"

#include <string.h>

/* Verifies the open archive and reads its newest signed head. */
static int check(struct cli *cli, struct store *st, const char *when, struct tree_head *head,
                 struct verify_report *r)
{
    int rc = verify_archive(&cli->ctx, st, false, r);

    if (rc == AT_OK)
        rc = evlog_latest_head(&cli->ctx, st, head);
    if (rc != AT_OK)
        ctx_prefix(&cli->ctx, "%s: ", when);
    return rc;
}

/* Verifies the plaintext archive as it is, before anything changes. */
static int check_plaintext(struct cli *cli, const char *passphrase, struct tree_head *head,
                           struct verify_report *r)
{
    struct store *st = NULL;
    struct session s;
    int rc = store_open(&cli->ctx, cli->archive, NULL, &st);

    if (rc == AT_OK && (rc = keys_login(&cli->ctx, st, cli->user, passphrase, &s)) == AT_OK) {
        store_set_session(st, &s);
        rc = check(cli, st, "before encrypting, the archive does not verify", head, r);
        access_session_free(&s);
    }
    store_close(st);
    return rc;
}

static int upgrade_cmd(struct cli *cli, int argc, char **argv)
{
    struct verify_report before, after;
    struct tree_head head_before, head_after;
    struct buf pass = BUF_INIT;
    char prompt[128];
    int rc;

    if (argc > 0)
        return cli_usage(&upgrade_command, "unexpected argument \"%s\"", argv[0]);
    if (!unlock_is_plaintext(cli->archive)) {
        if ((rc = unlock_check(&cli->ctx, cli->archive)) != AT_OK)
            return cli_fail(cli, rc);
        fprintf(stderr, "archive %s is already encrypted; nothing to do\n", cli->archive);
        return EXIT_OK;
    }
    snprintf(prompt, sizeof prompt, "passphrase for %s: ", cli->user);
    if ((rc = cli_read_passphrase(cli, prompt, &pass)) != AT_OK
        || (rc = check_plaintext(cli, buf_str(&pass), &head_before, &before)) != AT_OK
        || (rc = unlock_encrypt_plaintext(&cli->ctx, cli->archive, cli->user,
                                          buf_str(&pass))) != AT_OK
        || (rc = unlock_open(&cli->ctx, cli->archive, cli->user, buf_str(&pass), &cli->st,
                             &cli->session)) != AT_OK)
        goto out;
    cli->logged_in = true;
    store_set_session(cli->st, &cli->session);
    if ((rc = check(cli, cli->st, "after encrypting, the archive does not verify", &head_after,
                    &after)) != AT_OK)
        goto out;
    if (head_after.size != head_before.size
        || memcmp(head_after.root, head_before.root, sizeof head_after.root) != 0
        || after.log_entries != before.log_entries || after.vault_files != before.vault_files) {
        rc = ctx_error(&cli->ctx, AT_ECORRUPT, "after encrypting, the log's root or counts "
                       "differ from before; keep the backup you made and report this");
        goto out;
    }
    printf("archive %s is encrypted:\n"
           "  %llu log entries and %llu vault files verified before and after\n"
           "  the log's signed root over %llu entries is unchanged\n"
           "  the plaintext database file was overwritten and removed; copies made\n"
           "  before now (backups, synced folders) still hold plaintext\n",
           cli->archive, (unsigned long long)after.log_entries,
           (unsigned long long)after.vault_files, (unsigned long long)head_after.size);
out:
    sodium_memzero(pass.data, pass.cap);
    buf_free(&pass);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command upgrade_command = {
    .name = "upgrade",
    .summary = "encrypt an archive written by an earlier attest",
    .usage =
        "attest upgrade\n"
        "Encrypts, in place, an archive whose database an earlier attest kept in\n"
        "plaintext: verifies it, writes the key file, copies every table into an\n"
        "encrypted database, replaces the old file (overwritten, then removed) and\n"
        "verifies again, checking that the log's signed root is unchanged.  Needs\n"
        "the -u user's passphrase; stop the server and other commands first.  An\n"
        "upgrade that stops half-way leaves the plaintext archive as it was.",
    .run = upgrade_cmd,
    .needs = NEEDS_NOTHING,
};
