/*
 * cmd_sync_net.c: `attest sync push URL --to NAME` and `attest sync pull
 * URL --from NAME`, run by cmd_sync.c: the options, the token file and
 * what is printed.  The exchange itself (resumable upload and download,
 * verified TLS) is core's (core/sync_net.c), which the server's push and
 * pull to a peer call too; `attest travel restore URL` (cmd_travel.c)
 * opens it here the same way.
 */
#include "cli.h"
#include "../core/sync.h"
#include "../core/sync_net.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: attest sync push URL --to NAME [--token-file F] [--cacert F] [--chunk-size BYTES]\n"
    "                        [--max-chunks N]\n"
    "       attest sync pull URL --from NAME [--token-file F] [--cacert F] [--max-bytes N]\n";

static void note_stderr(void *arg, const char *text)
{
    (void)arg;
    fprintf(stderr, "attest: %s\n", text);
}

int sync_net_cli_open(struct cli *cli, struct sync_net *n, const char *token_file)
{
    struct buf token = BUF_INIT;
    int rc;

    n->note = note_stderr;
    if ((rc = sync_net_url_check(&cli->ctx, n->url)) != AT_OK
        || (rc = sync_net_peer_kept(&cli->ctx, cli->st, n)) != AT_OK)
        return rc;
    if (token_file == NULL)
        token_file = getenv("ATTEST_TOKEN_FILE");
    if (token_file == NULL)
        return ctx_error(&cli->ctx, AT_EINVAL, "give --token-file F: a file holding an API token "
                         "of the server (POST /api/v1/tokens) for a user with the sync right");
    if (cli_read_file(cli, token_file, &token) != EXIT_OK)
        return ctx_error(&cli->ctx, AT_EINVAL, "cannot read the token file %s", token_file);
    buf_putc(&token, '\0');
    if (strlen(buf_str(&token)) + 1 != token.len
        || sync_net_open(&cli->ctx, n, buf_str(&token)) != AT_OK)
        rc = ctx_error(&cli->ctx, AT_EINVAL, "the token file %s does not hold a token", token_file);
    sodium_memzero(token.data, token.cap);
    buf_free(&token);
    return rc;
}

static int net_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "attest sync: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

/* A whole number from min to max, or false. */
static bool net_number(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end;

    if (text[0] < '0' || text[0] > '9')
        return false;
    *out = strtoul(text, &end, 10);
    return *end == '\0' && *out >= min && *out <= max;
}

static void print_push(const struct sync_net *n)
{
    printf("pushed to %s: %" PRId64 " versions, %" PRId64 " items, %" PRId64 " files applied"
           " (%" PRId64 " already held)\n", n->peer,
           (int64_t)json_integer_value(json_object_get(n->applied, "versions")),
           (int64_t)json_integer_value(json_object_get(n->applied, "items")),
           (int64_t)json_integer_value(json_object_get(n->applied, "files")),
           (int64_t)json_integer_value(json_object_get(n->applied, "already_held")));
}

int sync_net_run(struct cli *cli, int argc, char **argv)
{
    struct sync_net n = { .chunk_size = SYNC_NET_CHUNK_MAX };
    const char *to = NULL, *from = NULL, *chunk = NULL, *max = NULL, *max_bytes = NULL;
    const char *token_file = NULL;
    bool pushing = argc > 0 && strcmp(argv[0], "push") == 0;
    struct sync_stats stats = { 0 };
    unsigned long v;
    int rc;

    if (argc < 2 || argv[1][0] == '-')
        return net_usage("%s needs the server's URL", argc > 0 ? argv[0] : "push or pull");
    n.url = argv[1];
    /* Each option takes a value: two arguments a step. */
    for (int i = 2; i < argc; i += 2) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = strcmp(argv[i], "--to") == 0 && pushing ? &to
                          : strcmp(argv[i], "--from") == 0 && !pushing ? &from
                          : strcmp(argv[i], "--token-file") == 0 ? &token_file
                          : strcmp(argv[i], "--cacert") == 0 ? &n.cacert
                          : strcmp(argv[i], "--chunk-size") == 0 && pushing ? &chunk
                          : strcmp(argv[i], "--max-chunks") == 0 && pushing ? &max
                          : strcmp(argv[i], "--max-bytes") == 0 && !pushing ? &max_bytes : NULL;
        if (slot == NULL)
            return net_usage("unknown option %s", argv[i]);
        if (val == NULL)
            return net_usage("%s needs a value", argv[i]);
        *slot = val;
    }
    n.peer = pushing ? to : from;
    if (n.peer == NULL)
        return net_usage("%s", pushing ? "push needs --to NAME (the server's archive, as pinned "
                                         "with `attest peers add`)"
                                       : "pull needs --from NAME (the server's archive, as "
                                         "pinned with `attest peers add`)");
    if (chunk) {
        if (!net_number(chunk, SYNC_NET_CHUNK_MIN, SYNC_NET_CHUNK_MAX, &v))
            return net_usage("--chunk-size %s: give a number of bytes from 1024 to 1048576", chunk);
        n.chunk_size = v;
    }
    if (max) {
        if (!net_number(max, 1, 1000000, &v))
            return net_usage("--max-chunks %s: give a number from 1 to 1000000", max);
        n.max_chunks = (unsigned)v;
    }
    if (max_bytes) {
        if (!net_number(max_bytes, 1, (unsigned long)1 << 40, &v))
            return net_usage("--max-bytes %s: give a number of bytes from 1 to 2^40", max_bytes);
        n.max_bytes = v;
    }
    if ((rc = sync_net_cli_open(cli, &n, token_file)) != AT_OK)
        goto out;
    if (pushing) {
        if ((rc = sync_net_push(&cli->ctx, cli->st, &n)) == AT_OK && n.done)
            print_push(&n);
    } else if ((rc = sync_net_pull(&cli->ctx, cli->st, &n, NULL, &stats)) == AT_OK && n.done) {
        /* The conflicts are the archive's, not only the pull's: say so. */
        printf("pulled from %s: %" PRIu64 " versions, %" PRIu64 " items, %" PRIu64 " files"
               " (%" PRIu64 " already held); %" PRIu64 " records in conflict in this archive"
               " (attest sync conflicts)\n", n.peer, stats.versions,
               stats.items, stats.files, stats.skipped_already, stats.conflicts);
    }
out:
    sync_net_close(&n);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}
