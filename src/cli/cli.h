/*
 * cli.h: what every command file shares: the command table entry, the
 * open archive, option helpers, and printing of errors and tables.
 * Commands print data on stdout and messages on stderr, and return an
 * exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef CLI_H
#define CLI_H

#include "../core/attest.h"
#include "../core/access.h"
#include "../core/store.h"

#include <jansson.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli {
    struct at_ctx ctx;
    const char *archive;   /* -A DIR, $ATTEST_ARCHIVE, or ./archive */
    struct store *st;      /* opened by cli_login */
    char user[64];         /* -u NAME, $ATTEST_USER, or the login name */
    int passphrase_fd;     /* --passphrase-fd N or $ATTEST_PASSPHRASE_FD; -1 for the terminal */
    struct session session;
    bool logged_in;
};

/* What a command needs before it runs: main provides it, so that a
 * command's run starts from what it needs. */
enum command_needs {
    NEEDS_NOTHING = 0,            /* no archive, or one it opens its own way */
    NEEDS_ARCHIVE = 1 << 0,       /* the archive open and cli->user logged in (cli_login) */
    NEEDS_ARCHIVE_SOMETIMES = 1 << 1, /* an archive for some arguments only: run calls
                                   * cli_login itself, for those */
};

/* One entry of the command table, with named fields:
 * { .name = "list", .summary = ..., .usage = ..., .run = list_cmd,
 *   .needs = NEEDS_ARCHIVE }. */
struct command {
    const char *name;
    const char *summary;   /* one line for `attest help` */
    const char *usage;     /* full help for `attest help NAME` and --help */
    int (*run)(struct cli *cli, int argc, char **argv);
    unsigned needs;        /* enum command_needs */
};

/* Each command, defined in its cmd_NAME.c. */
#define COMMAND(name) extern const struct command name##_command;
#include "commands.def"
#undef COMMAND

/* Subcommands kept in files of their own, run by their command:
 * `attest screen compare` (cmd_screen_compare.c). */
int cmd_screen_compare(struct cli *cli, int argc, char **argv);
/* `attest import document` (cmd_import_document.c). */
int cmd_import_document(struct cli *cli, int argc, char **argv);

/* `attest sync push|pull` (cmd_sync_net.c), run by cmd_sync.c with argv
 * from "push" or "pull" on. */
int sync_net_run(struct cli *cli, int argc, char **argv);

/* The network client (core/sync_net.h) as the command line opens it,
 * also for `attest travel restore`: checks n->url, takes the certificate
 * kept with the pinned peer n->peer unless n->cacert is given
 * (sync_net_peer_kept), reads the token from
 * token_file (or $ATTEST_TOKEN_FILE) and sends progress to stderr. */
struct sync_net;
int sync_net_cli_open(struct cli *cli, struct sync_net *n, const char *token_file);

/* The sorted command table (cmd.c). */
const struct command *const *cmd_all(size_t *count);
const struct command *cmd_find(const char *name);

/* Opens the archive named by cli->archive and unlocks cli->user's keys
 * (from the keyring kept by 'attest unlock', or their passphrase), making
 * them the store's session: every command that opens an archive acts as
 * a user, and what it reads is what that user may read.  Does nothing
 * when already logged in.  Sets the message on ctx on failure.  main
 * calls it for NEEDS_ARCHIVE; a NEEDS_ARCHIVE_SOMETIMES command calls it
 * itself. */
int cli_login(struct cli *cli);

/* Reads a passphrase from the passphrase fd (a file is read from its
 * start, so one fd serves many reads), or from the terminal without
 * echo, asking with prompt.  The caller wipes and frees out. */
int cli_read_passphrase(struct cli *cli, const char *prompt, struct buf *out);

/* Prints "attest: MESSAGE" from ctx to stderr and returns the exit code
 * for rc (EXIT_USAGE for bad input, EXIT_FAIL otherwise). */
int cli_fail(struct cli *cli, int rc);

/* Prints "attest CMD: fmt" and the usage hint; returns EXIT_USAGE. */
int cli_usage(const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True when argv[i] is "--help" or "-h" anywhere in argv. */
bool cli_wants_help(int argc, char **argv);

/* For option parsing by hand: if argv[*i] is --name VALUE or --name=VALUE,
 * stores VALUE, advances *i and returns 1; returns -1 when the value is
 * missing (after printing usage), 0 when argv[*i] is another option. */
int cli_option(const struct command *cmd, int argc, char **argv, int *i, const char *name,
               const char **value);

/* Parses a duration such as 90s, 15m, 8h or 90d (at most 400 days) into
 * seconds; AT_EINVAL when it is not one. */
int cli_duration(const char *text, unsigned *seconds);

/* Prints json to stdout, indented, with a final newline. */
void cli_print_json(json_t *json);

/* Aligned text tables, measured in terminal columns (Hangul is two wide). */
struct table {
    size_t ncols, nrows;
    char **cells;          /* nrows * ncols, row-major; owned */
};
void cli_table_init(struct table *t, size_t ncols, ...);   /* the header cells */
void cli_table_row(struct table *t, ...);                   /* ncols cells */
void cli_table_print(struct table *t, FILE *out);
void cli_table_free(struct table *t);

/* Reads a whole file (or stdin for "-") into out; prints the error. */
int cli_read_file(struct cli *cli, const char *path, struct buf *out);

/* Opens path for reading ("-" = stdin); prints the error and returns NULL. */
FILE *cli_fopen(struct cli *cli, const char *path);

#endif
