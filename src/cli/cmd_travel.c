/*
 * cmd_travel.c: `attest travel --to CENTRE --out FILE` readies a laptop for
 * a border crossing (sync_travel: what the centre lacks goes into FILE, a
 * pack only the centre can open; every witness datum leaves the laptop);
 * `attest travel restore` brings the working set back afterwards, from the
 * centre's server (the travel pack pushed first when given, then a pull of
 * everything) or from a pack file the centre made.
 * docs/commands/travel.md has the design.
 */
#include "cli.h"
#include "../core/sync.h"
#include "../core/sync_net.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

static int travel_out(struct cli *cli, const char *centre, const char *out)
{
    struct sync_stats packed = { 0 };
    struct travel_report removed;
    int rc, fd = open(out, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0) {
        bool exists = errno == EEXIST;
        ctx_error(&cli->ctx, exists ? AT_EINVAL : AT_ERR, "--out %s: %s", out,
                  exists ? "the file exists; give a new name" : strerror(errno));
        return cli_fail(cli, cli->ctx.code);
    }
    rc = sync_travel(&cli->ctx, cli->st, centre, fd, &packed, &removed);
    close(fd);
    if (rc != AT_OK && removed.upto == 0)
        unlink(out);   /* nothing was removed: the pack is not needed */
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("travel pack for %s: %s (%" PRIu64 " versions, %" PRIu64 " items, %" PRIu64
           " files the centre lacked; only %s can open it)\n", centre, out, packed.versions,
           packed.items, packed.files, centre);
    printf("removed from this archive: %" PRIu64 " record versions, %" PRIu64 " log items, %"
           PRIu64 " vault files (overwritten)\n", removed.versions, removed.items, removed.shredded);
    printf("after the crossing: attest travel restore URL --from %s --pack %s\n", centre, out);
    return EXIT_OK;
}

static int restore_file(struct cli *cli, const char *path)
{
    struct sync_stats stats = { 0 };
    int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        ctx_error(&cli->ctx, AT_ENOTFOUND, "cannot read %s: %s", path, strerror(errno));
        return cli_fail(cli, AT_ENOTFOUND);
    }
    rc = sync_import(&cli->ctx, cli->st, fd, &stats);
    close(fd);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("restored from %s: %" PRIu64 " versions, %" PRIu64 " items, %" PRIu64 " files\n", path,
           stats.versions, stats.items, stats.files);
    return EXIT_OK;
}

static int restore_net(struct cli *cli, struct sync_net *n, const char *pack)
{
    struct sync_stats stats = { 0 };
    int rc = sync_net_restore(&cli->ctx, cli->st, n, pack, &stats);

    sync_net_close(n);
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    printf("restored from %s: %" PRIu64 " versions, %" PRIu64 " items, %" PRIu64 " files\n",
           n->peer, stats.versions, stats.items, stats.files);
    return EXIT_OK;
}

static int travel_cmd(struct cli *cli, int argc, char **argv)
{
    struct sync_net n = { .chunk_size = SYNC_NET_CHUNK_MAX };
    const char *to = NULL, *out = NULL, *from = NULL, *pack = NULL, *token_file = NULL;
    bool restore = argc > 0 && strcmp(argv[0], "restore") == 0;
    int i = restore ? 2 : 0;

    if (restore && (argc < 2 || argv[1][0] == '-'))
        return cli_usage(&travel_command, "restore needs the centre's URL or a pack file");
    for (; i < argc; i++) {
        int got = 0;
        if ((restore && ((got = cli_option(&travel_command, argc, argv, &i, "from", &from)) != 0
                         || (got = cli_option(&travel_command, argc, argv, &i, "pack", &pack)) != 0
                         || (got = cli_option(&travel_command, argc, argv, &i, "token-file",
                                              &token_file)) != 0
                         || (got = cli_option(&travel_command, argc, argv, &i, "cacert",
                                              &n.cacert)) != 0))
            || (!restore && ((got = cli_option(&travel_command, argc, argv, &i, "to", &to)) != 0
                             || (got = cli_option(&travel_command, argc, argv, &i, "out", &out)) != 0))) {
            if (got < 0)
                return EXIT_USAGE;
            continue;
        }
        return cli_usage(&travel_command, "unknown argument %s", argv[i]);
    }
    if (!restore) {
        if (to == NULL || out == NULL)
            return cli_usage(&travel_command, "give --to CENTRE (a pinned peer) and --out FILE "
                             "(where the travel pack goes)");
        return travel_out(cli, to, out);
    }
    if (strncmp(argv[1], "https://", 8) != 0 && strncmp(argv[1], "http://", 7) != 0)
        return restore_file(cli, argv[1]);
    if (from == NULL)
        return cli_usage(&travel_command, "restore from a server needs --from CENTRE (a pinned peer)");
    n.url = argv[1];
    n.peer = from;
    if (sync_net_cli_open(cli, &n, token_file) != AT_OK) {
        sync_net_close(&n);
        return cli_fail(cli, cli->ctx.code);
    }
    return restore_net(cli, &n, pack);
}

const struct command travel_command = {
    .name = "travel",
    .summary = "ready a laptop for a border crossing, and restore it after",
    .usage =
        "attest travel --to CENTRE --out FILE\n"
        "attest travel restore URL --from CENTRE [--pack FILE] [--token-file F] [--cacert F]\n"
        "attest travel restore FILE\n"
        "The first form writes to FILE a pack of everything the centre (a pinned\n"
        "peer) does not yet hold, encrypted to the centre (this laptop cannot open\n"
        "it), then removes every witness datum from this archive: records,\n"
        "identities, evidence and its vault files (overwritten), custody, reads.\n"
        "Keys, users and peers stay.  Carry FILE apart from the laptop, or send it\n"
        "to the centre (`attest sync import FILE` there).\n"
        "'restore URL' delivers the travel pack given with --pack to the centre's\n"
        "server (resuming an interrupted upload), then pulls everything back;\n"
        "'restore FILE' imports a pack the centre made (`attest sync export\n"
        "--to LAPTOP --since '{}'`).  See docs/commands/travel.md.",
    .run = travel_cmd,
    .needs = NEEDS_ARCHIVE,
};
