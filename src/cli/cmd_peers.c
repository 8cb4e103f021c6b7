/*
 * cmd_peers.c: `attest peers add|list|remove`: the archives this one
 * syncs with, pinned by their key lines (`attest key show`).  Pinning and
 * unpinning is an admin's decision (core checks it).
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/sync.h"
#include "../core/sync_net.h"

#include <string.h>

struct peer_change {
    const char *name, *line, *tier, *url, *cacert_file;
    struct buf cacert;   /* the PEM read from --cacert FILE */
};

static int add_peer(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct peer_change *c = arg;
    int rc = sync_peer_add(ctx, st, c->name, c->line, c->tier);

    if (rc == AT_OK && c->url)
        rc = sync_net_peer_url(ctx, st, c->name, c->url);
    return rc == AT_OK && c->cacert_file ? sync_net_peer_cacert(ctx, st, c->name, buf_str(&c->cacert))
                                         : rc;
}

static int remove_peer(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct peer_change *c = arg;

    return sync_peer_remove(ctx, st, c->name);
}

static int peers_list(struct cli *cli, bool as_json)
{
    json_t *peers, *p;
    struct table tab;
    size_t i;

    if (sync_peer_list(&cli->ctx, cli->st, &peers) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (as_json) {
        cli_print_json(peers);
    } else {
        cli_table_init(&tab, 6, "NAME", "ARCHIVE", "TIER", "SIGNING KEY", "ADDED", "LAST EXCHANGE");
        json_array_foreach(peers, i, p) {
            char last[64] = "never";
            if (json_string_value(json_object_get(p, "exchanged_at")))
                snprintf(last, sizeof last, "%s %s", json_string_value(json_object_get(p, "exchanged")),
                         json_string_value(json_object_get(p, "exchanged_at")));
            cli_table_row(&tab, json_string_value(json_object_get(p, "name")),
                          json_string_value(json_object_get(p, "archive")),
                          json_string_value(json_object_get(p, "tier")),
                          json_string_value(json_object_get(p, "sign_pk")),
                          json_string_value(json_object_get(p, "added_at")), last);
        }
        cli_table_print(&tab, stdout);
        cli_table_free(&tab);
    }
    json_decref(peers);
    return EXIT_OK;
}

static int peers_cmd(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    struct peer_change c = { .tier = "team", .cacert = BUF_INIT };
    const char *words[2] = { 0 };
    bool as_json = false;
    int nwords = 0, rc;

    for (int i = 1; i < argc; i++) {
        int got = cli_option(&peers_command, argc, argv, &i, "tier", &c.tier);
        if (got == 0)
            got = cli_option(&peers_command, argc, argv, &i, "url", &c.url);
        if (got == 0)
            got = cli_option(&peers_command, argc, argv, &i, "cacert", &c.cacert_file);
        if (got < 0)
            return EXIT_USAGE;
        if (got > 0)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (argv[i][0] != '-' && nwords < 2)
            words[nwords++] = argv[i];
        else
            return cli_usage(&peers_command, "unexpected argument \"%s\"", argv[i]);
    }
    c.name = words[0];
    c.line = words[1];
    if (strcmp(sub, "list") == 0 && nwords == 0)
        return peers_list(cli, as_json);
    if (strcmp(sub, "add") == 0 && nwords == 2) {
        if (c.cacert_file && cli_read_file(cli, c.cacert_file, &c.cacert) != AT_OK)
            return cli_fail(cli, cli->ctx.code);
        rc = evlog_write(&cli->ctx, cli->st, add_peer, &c);
        buf_free(&c.cacert);
    }
    else if (strcmp(sub, "remove") == 0 && nwords == 1)
        rc = evlog_write(&cli->ctx, cli->st, remove_peer, &c);
    else
        return cli_usage(&peers_command, "give add NAME LINE, list, or remove NAME");
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}

const struct command peers_command = {
    .name = "peers",
    .summary = "pin, list and unpin the archives this one syncs with",
    .usage =
        "attest peers add NAME LINE [--tier team|partner] [--url URL] [--cacert FILE]\n"
        "attest peers list [--json]\n"
        "attest peers remove NAME\n"
        "LINE is the other archive's key line, as its `attest key show` prints it (quote\n"
        "it).  A team peer receives everything, witness identities sealed to its\n"
        "protection officers; a partner receives what the partner tier allows and never\n"
        "an identity.  Only a pinned archive's packs are imported.  --url keeps the\n"
        "address of its server, for a push or pull from this archive's own server\n"
        "(the browser's Peers page); --cacert keeps the certificate (PEM) of that\n"
        "server or of its CA, for a server no system CA vouches for.  Admins only.",
    .run = peers_cmd,
    .needs = NEEDS_ARCHIVE,
};
