/*
 * cmd_unlock.c: `attest unlock [--for 15m]` keeps the user's key to the
 * archive in the kernel's per-user keyring, so that the commands that
 * follow do not ask for the passphrase again.
 */
#include "cli.h"
#include "../core/unlock.h"

#include <time.h>

static int unlock_cmd(struct cli *cli, int argc, char **argv)
{
    const char *span = "15m";
    struct buf pass = BUF_INIT;
    unsigned seconds;
    char prompt[128], until[16];
    time_t end;
    int rc;

    for (int i = 0; i < argc; i++) {
        int got = cli_option(&unlock_command, argc, argv, &i, "for", &span);
        if (got < 0)
            return EXIT_USAGE;
        if (got == 0)
            return cli_usage(&unlock_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (cli_duration(span, &seconds) != AT_OK)
        return cli_usage(&unlock_command, "--for takes a time such as 90s, 15m, 8h or 2d "
                         "(at most 400d), not \"%s\"", span);
    if ((rc = unlock_check(&cli->ctx, cli->archive)) != AT_OK)
        return cli_fail(cli, rc);
    snprintf(prompt, sizeof prompt, "passphrase for %s: ", cli->user);
    if ((rc = cli_read_passphrase(cli, prompt, &pass)) == AT_OK)
        rc = unlock_remember(&cli->ctx, cli->archive, cli->user, buf_str(&pass), seconds);
    sodium_memzero(pass.data, pass.cap);
    buf_free(&pass);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    end = time(NULL) + seconds;
    strftime(until, sizeof until, "%H:%M", localtime(&end));
    fprintf(stderr, "unlocked %s for %s until %s (%s); 'attest lock' locks it now\n",
            cli->archive, cli->user, until, span);
    return EXIT_OK;
}

const struct command unlock_command = {
    .name = "unlock",
    .summary = "keep your key to the archive for a while, so commands do not ask again",
    .usage =
        "attest unlock [--for 15m]\n"
        "Asks for the -u user's passphrase once, checks it, and keeps the key it\n"
        "derives in the kernel's keyring for your login (not on disk) for the time\n"
        "given (90s, 15m, 8h, 2d; default 15m, at most 400d).  Until then, every\n"
        "command on this archive as this user opens it without asking.  The kernel\n"
        "drops the key when the time is up; 'attest lock' drops it at once.  A change\n"
        "of passphrase makes the kept key useless.",
    .run = unlock_cmd,
    .needs = NEEDS_NOTHING,
};
