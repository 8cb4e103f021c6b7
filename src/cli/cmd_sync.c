/*
 * cmd_sync.c: `attest sync export|import|mark|conflicts|resolve`: packs
 * that carry what a pinned archive lacks (signed by this archive,
 * encrypted to that one), and the records two archives changed at once.
 * The network's push and pull are run from cmd_sync_net.c.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/record.h"
#include "../core/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void print_stats(const char *what, const struct sync_stats *s)
{
    fprintf(stderr, "%s %llu versions, %llu log items, %llu files (%llu bytes); "
            "%llu already held; %llu records in conflict\n", what,
            (unsigned long long)s->versions, (unsigned long long)s->items,
            (unsigned long long)s->files, (unsigned long long)s->bytes,
            (unsigned long long)s->skipped_already, (unsigned long long)s->conflicts);
}

static int sync_export_cmd(struct cli *cli, int argc, char **argv)
{
    const char *to = NULL, *since = NULL, *path = NULL;
    struct sync_stats stats = { 0 };
    int fd = STDOUT_FILENO, rc;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(&sync_command, argc, argv, &i, "to", &to))
            || (got = cli_option(&sync_command, argc, argv, &i, "since", &since))
            || (got = cli_option(&sync_command, argc, argv, &i, "output", &path))) {
            if (got < 0)
                return EXIT_USAGE;
        } else {
            return cli_usage(&sync_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (to == NULL)
        return cli_usage(&sync_command, "export needs --to NAME (a pinned peer)");
    if (path == NULL && isatty(STDOUT_FILENO))
        return cli_usage(&sync_command, "a pack is binary: redirect it (> FILE) or give --output FILE");
    if (path && (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "attest: %s: cannot create: %s\n", path, strerror(errno));
        return EXIT_FAIL;
    }
    rc = sync_export(&cli->ctx, cli->st, to, since, fd, &stats);
    if (path && close(fd) != 0 && rc == AT_OK)
        rc = ctx_error(&cli->ctx, AT_ERR, "%s: cannot write: %s", path, strerror(errno));
    if (rc != AT_OK) {
        if (path)
            unlink(path);
        return cli_fail(cli, rc);
    }
    print_stats("exported", &stats);
    return EXIT_OK;
}

/* An import's count of record versions: on a terminal one line redrawn,
 * else (--progress to a file or pipe) a line each time. */
static void print_import_progress(void *arg, uint64_t done, uint64_t total)
{
    const bool *terminal = arg;

    fprintf(stderr, "%simporting: %llu of %llu record versions%s", *terminal ? "\r" : "",
            (unsigned long long)done, (unsigned long long)total, *terminal ? "" : "\n");
}

static int sync_import_cmd(struct cli *cli, int argc, char **argv)
{
    struct sync_stats stats = { 0 };
    bool terminal = isatty(STDERR_FILENO), progress = terminal;
    struct sync_watch watch = { print_import_progress, &terminal };
    const char *path = NULL;
    int fd = STDIN_FILENO, rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--progress") == 0)
            progress = true;
        else if (path == NULL)
            path = argv[i];
        else
            return cli_usage(&sync_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (path == NULL)
        return cli_usage(&sync_command, "import takes one pack file, or - for standard input");
    if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "attest: %s: cannot open: %s\n", path, strerror(errno));
        return EXIT_FAIL;
    }
    rc = sync_import_watched(&cli->ctx, cli->st, fd, &stats, progress ? &watch : NULL);
    if (progress && terminal)
        fputc('\n', stderr);
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc != AT_OK) {
        cli_fail(cli, rc);
        fprintf(stderr, "attest: nothing was imported\n");
        return rc == AT_EINVAL || rc == AT_ECORRUPT || rc == AT_EDENIED ? EXIT_USAGE : EXIT_FAIL;
    }
    print_stats("imported", &stats);
    return EXIT_OK;
}

static int sync_mark_cmd(struct cli *cli, int argc, char **argv)
{
    struct buf mark = BUF_INIT;
    int rc;

    if (argc == 1)
        rc = sync_mark(&cli->ctx, cli->st, &mark);
    else if (argc == 3 && strcmp(argv[1], "--peer") == 0)
        rc = sync_peer_mark(&cli->ctx, cli->st, argv[2], &mark);
    else
        return cli_usage(&sync_command, "mark takes no argument, or --peer NAME");
    if (rc == AT_OK)
        printf("%s\n", buf_str(&mark));
    buf_free(&mark);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

static int sync_conflicts_cmd(struct cli *cli, int argc, char **argv)
{
    bool as_json = argc == 2 && strcmp(argv[1], "--json") == 0;
    json_t *list, *c, *h;
    struct table tab;
    size_t i, k;

    if (argc > 2 || (argc == 2 && !as_json))
        return cli_usage(&sync_command, "conflicts takes only --json");
    if (sync_conflicts(&cli->ctx, cli->st, &list) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(list);
    } else if (json_array_size(list) == 0) {
        fprintf(stderr, "no record is in conflict\n");
    } else {
        cli_table_init(&tab, 6, "RECORD", "VERSION", "CURRENT", "AUTHOR", "WRITTEN", "ARCHIVE");
        json_array_foreach(list, i, c) {
            json_array_foreach(json_object_get(c, "heads"), k, h) {
                char v[16];
                snprintf(v, sizeof v, "%lld",
                         (long long)json_integer_value(json_object_get(h, "version")));
                cli_table_row(&tab, k ? "" : json_string_value(json_object_get(c, "id")), v,
                              k ? "" : "yes", json_string_value(json_object_get(h, "author")),
                              json_string_value(json_object_get(h, "written_at")),
                              json_string_value(json_object_get(h, "origin_archive")));
            }
        }
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
    }
    json_decref(list);
    return EXIT_OK;
}

/* resolve ID --reason R [FIELDS]: a version based on every head, with the
 * current version's fields and the changes given: an amend, which bases
 * each new version on all heads. */
static int sync_resolve_cmd(struct cli *cli, int argc, char **argv)
{
    struct record_write w = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];
    json_t *heads = NULL;
    int rc;

    if (argc < 2 || argv[1][0] == '-')
        return cli_usage(&sync_command, "resolve needs the id of a record in conflict");
    if (record_resolve(&cli->ctx, cli->st, argv[1], id) != AT_OK
        || record_heads(&cli->ctx, cli->st, id, &heads) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    rc = json_array_size(heads) > 1 ? AT_OK
                                     : ctx_error(&cli->ctx, AT_EINVAL, "%s is not in conflict "
                                                 "(see `attest sync conflicts`)", id);
    json_decref(heads);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    if (argc == 4 && strcmp(argv[2], "--reason") == 0)
        w.reason = argv[3];
    else if (argc == 3 && strncmp(argv[2], "--reason=", 9) == 0)
        w.reason = argv[2] + 9;
    else if (argc > 2)
        return amend_command.run(cli, argc - 1, argv + 1);
    if (w.reason == NULL || *w.reason == '\0')
        return cli_usage(&sync_command, "resolve needs --reason TEXT");
    rc = evlog_write(&cli->ctx, cli->st, record_amend_write,
                     &(struct record_change){ .id = id, .data = NULL, .w = &w });
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("%s\n", id);
    return EXIT_OK;
}

static int sync_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";

    if (strcmp(sub, "export") == 0)
        return sync_export_cmd(cli, argc, argv);
    if (strcmp(sub, "import") == 0)
        return sync_import_cmd(cli, argc, argv);
    if (strcmp(sub, "mark") == 0)
        return sync_mark_cmd(cli, argc, argv);
    if (strcmp(sub, "conflicts") == 0)
        return sync_conflicts_cmd(cli, argc, argv);
    if (strcmp(sub, "resolve") == 0)
        return sync_resolve_cmd(cli, argc, argv);
    if (strcmp(sub, "push") == 0 || strcmp(sub, "pull") == 0)
        return sync_net_run(cli, argc, argv);
    return cli_usage(&sync_command, "give export, import, mark, conflicts, resolve, push or pull");
}

const struct command sync_command = {
    .name = "sync",
    .summary = "exchange packs with pinned archives, by file or over the network; resolve conflicts",
    .usage =
        "attest sync export --to NAME [--since MARK] [--output FILE] > PACK\n"
        "attest sync import [--progress] PACK|-\n"
        "attest sync mark [--peer NAME]\n"
        "attest sync conflicts [--json]\n"
        "attest sync resolve ID --reason TEXT [--FIELD VALUE ...]\n"
        "attest sync push URL --to NAME [--token-file F] [--cacert F]\n"
        "attest sync pull URL --from NAME [--token-file F] [--cacert F]\n"
        "export writes everything peer NAME lacks (by the mark it last sent, or MARK),\n"
        "signed by this archive and encrypted to NAME.  import checks that a pack is for\n"
        "this archive, signed by a pinned peer and whole, then applies all of it or\n"
        "nothing; importing it again changes nothing.  It counts the record versions\n"
        "read on standard error when that is a terminal, or with --progress.  mark\n"
        "prints what this archive holds (or what NAME was last known to hold).  When two archives changed a\n"
        "record at once, both versions are kept and the current one follows a fixed\n"
        "rule (docs/commands/sync.md); conflicts lists them and resolve (or amend)\n"
        "writes a version based on all of them.  push and pull do export and import\n"
        "over a server's API (TLS), a push resuming where an interrupted one stopped.",
    .run = sync_cmd,
    .needs = NEEDS_ARCHIVE,
};
