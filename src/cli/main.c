/*
 * main.c: attest's entry point.  Takes the global options (-A DIR), finds
 * the command in the table, gives it what its entry says it needs (an
 * archive with the user logged in) and runs it.
 */
#include "cli.h"
#include "../core/number.h"

#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    size_t n;
    const struct command *const *cmds = cmd_all(&n);

    fputs("usage: attest [-A DIR] [-u USER] [--passphrase-fd N] COMMAND [options]\n\n"
          "attest: a secure archive of testimony, sites and evidence.\n"
          "-A DIR (or ATTEST_ARCHIVE) names the archive; the default is ./archive.\n"
          "-u USER (or ATTEST_USER) names who acts; commands that write ask for the\n"
          "user's passphrase on the terminal, or read it from file descriptor N\n"
          "(--passphrase-fd N, or ATTEST_PASSPHRASE_FD).\n\n"
          "commands:\n", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
    fputs("\n'attest help COMMAND' or 'attest COMMAND --help' tells more.\n", out);
}

/* The user recorded as author: ATTEST_USER, else the login name. */
static void set_user(struct cli *cli)
{
    const char *name = getenv("ATTEST_USER");
    struct passwd *pw;

    if (name == NULL || *name == '\0')
        name = (pw = getpwuid(getuid())) ? pw->pw_name : "unknown";
    snprintf(cli->user, sizeof cli->user, "%s", name);
}

/* Sets the passphrase's file descriptor from text, a whole number from 0;
 * says what is wrong and returns false on anything else (atoi would read
 * "abc" as 0, the standard input). */
static bool set_passphrase_fd(struct cli *cli, const char *name, const char *text)
{
    long fd;

    if (number_parse_long(&cli->ctx, name, text, 0, INT_MAX, &fd) != AT_OK) {
        fprintf(stderr, "attest: %s\n", cli->ctx.message);
        return false;
    }
    cli->passphrase_fd = (int)fd;
    return true;
}

int main(int argc, char **argv)
{
    struct cli cli = { 0 };
    const struct command *cmd;
    const char *env;
    int i = 1, rc;

    setlocale(LC_CTYPE, "C.UTF-8");
    cli.archive = getenv("ATTEST_ARCHIVE");
    if (cli.archive == NULL || *cli.archive == '\0')
        cli.archive = "archive";
    set_user(&cli);
    env = getenv("ATTEST_PASSPHRASE_FD");
    cli.passphrase_fd = -1;
    if (env && *env && !set_passphrase_fd(&cli, "ATTEST_PASSPHRASE_FD", env))
        return EXIT_USAGE;
    /* Global options may stand before the command or anywhere after it. */
    for (int j = 1; j < argc; j++) {
        const char *a = argv[j];
        bool archive = strcmp(a, "-A") == 0 || strcmp(a, "--archive") == 0;
        bool user = strcmp(a, "-u") == 0 || strcmp(a, "--user") == 0;
        bool fd = strcmp(a, "--passphrase-fd") == 0;
        if (!archive && !user && !fd)
            continue;
        if (j + 1 >= argc) {
            fprintf(stderr, "attest: %s needs a value\n", a);
            return EXIT_USAGE;
        }
        if (archive)
            cli.archive = argv[j + 1];
        else if (user)
            snprintf(cli.user, sizeof cli.user, "%s", argv[j + 1]);
        else if (!set_passphrase_fd(&cli, a, argv[j + 1]))
            return EXIT_USAGE;
        memmove(argv + j, argv + j + 2, sizeof(char *) * (size_t)(argc - j - 1));
        argc -= 2;
        j--;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : EXIT_OK;
    }
    if ((cmd = cmd_find(argv[i])) == NULL) {
        fprintf(stderr, "attest: '%s' is not a command; see 'attest help'\n", argv[i]);
        return EXIT_USAGE;
    }
    if (cli_wants_help(argc - i - 1, argv + i + 1)) {
        printf("usage: %s\n", cmd->usage);
        return EXIT_OK;
    }
    /* Not logging in (no archive, an unencrypted one, no passphrase, a
     * wrong one) is a failure, exit 1, for every command alike. */
    if ((cmd->needs & NEEDS_ARCHIVE) && cli_login(&cli) != AT_OK)
        rc = cli_fail(&cli, AT_ERR);
    else
        rc = cmd->run(&cli, argc - i - 1, argv + i + 1);
    store_close(cli.st);
    access_session_free(&cli.session);
    return rc;
}
