/*
 * cmd_serve.c: `attest serve` runs the web application and JSON API.
 */
#include "cli.h"
#include "../core/number.h"
#include "../http/server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A size in bytes: digits, then K, M, G or T for powers of 1024; at least
 * one byte, into *out; false if s is not one. */
static bool parse_bytes(const char *s, uint64_t *out)
{
    static const char units[] = "KMGT";
    const char *unit;
    char *end;
    unsigned long long n;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    n = strtoull(s, &end, 10);
    if (errno || n == 0)
        return false;
    if (*end) {
        if (end[1] || (unit = strchr(units, *end)) == NULL)
            return false;
        for (long k = 0; k <= unit - units; k++) {
            if (n > UINT64_MAX / 1024)
                return false;
            n *= 1024;
        }
    }
    *out = n;
    return true;
}

static int serve_cmd(struct cli *cli, int argc, char **argv)
{
    struct serve_options o = {
        .archive = cli->archive, .bind = "127.0.0.1", .port = 8080, .threads = 4,
        .max_connections = SERVE_MAX_CONNECTIONS, .timeout_s = SERVE_TIMEOUT_S,
        .uploads = { SERVE_UPLOADS_PER_USER, SERVE_UPLOADS_TOTAL, SERVE_UPLOAD_BYTES_PER_USER },
    };
    const char *port = NULL, *threads = NULL, *max_conns = NULL, *timeout = NULL;
    const char *per_user = NULL, *total = NULL, *bytes = NULL;

    for (int i = 0; i < argc; i++) {
        int got;
        if ((got = cli_option(&serve_command, argc, argv, &i, "bind", &o.bind)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "port", &port)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "tls-cert", &o.tls_cert)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "tls-key", &o.tls_key)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "threads", &threads)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "max-connections", &max_conns)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "timeout", &timeout)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "tiles", &o.tile_url)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "uploads-per-user", &per_user)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "uploads-total", &total)) ||
            (got = cli_option(&serve_command, argc, argv, &i, "upload-bytes-per-user", &bytes))) {
            if (got < 0)
                return EXIT_USAGE;
        } else {
            return cli_usage(&serve_command, "unexpected argument \"%s\"", argv[i]);
        }
    }
    const struct {
        const char *option, *text;
        long min, max;
        unsigned *out;
    } numbers[] = {
        { "--port", port, 1, 65535, &o.port },
        { "--threads", threads, 1, 64, &o.threads },
        { "--max-connections", max_conns, 4, 65536, &o.max_connections },
        { "--timeout", timeout, 1, 3600, &o.timeout_s },
        { "--uploads-per-user", per_user, 1, 1024, &o.uploads.per_user },
        { "--uploads-total", total, 1, 65536, &o.uploads.total },
    };
    for (size_t k = 0; k < ARRAY_LEN(numbers); k++) {
        long n;
        if (numbers[k].text == NULL)
            continue;
        if (number_parse_long(&cli->ctx, numbers[k].option, numbers[k].text, numbers[k].min,
                              numbers[k].max, &n) != AT_OK)
            return cli_fail(cli, AT_EINVAL);
        *numbers[k].out = (unsigned)n;
    }
    if (bytes && !parse_bytes(bytes, &o.uploads.bytes_per_user))
        return cli_usage(&serve_command, "--upload-bytes-per-user takes a size in bytes, "
                         "optionally with K, M, G or T (such as 16G)");
    o.keys = &cli->session;
    if (server_run(&cli->ctx, &o) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    return EXIT_OK;
}

const struct command serve_command = {
    .name = "serve",
    .summary = "run the web application and JSON API",
    .usage =
        "attest serve [--bind 127.0.0.1] [--port 8080] [--tls-cert F --tls-key F]\n"
        "             [--threads 4] [--max-connections 4096] [--timeout 75] [--tiles URL]\n"
        "             [--uploads-per-user 4] [--uploads-total 32] [--upload-bytes-per-user 16G]\n"
        "Serves the archive to browsers and scripts: the map, intake forms, records,\n"
        "search and exports, and the JSON API under /api/v1/ (described at\n"
        "/api/v1/openapi.json).  The -u user's passphrase unlocks the archive at start:\n"
        "their keys sign the log's heads.  Binds to 127.0.0.1 unless told otherwise;\n"
        "speaks HTTPS when given a certificate and key (PEM).  --tiles allows an online\n"
        "tile server for the map (the map works offline without it).  Stops cleanly on\n"
        "SIGTERM or Ctrl-C, finishing the requests in flight.\n"
        "--max-connections caps open connections (4 to 65536); one client address may\n"
        "hold at most a quarter of them, so that one slow or idle client cannot keep\n"
        "others out.  --timeout closes a connection idle (or too slow) for that many\n"
        "seconds (1 to 3600).\n"
        "Evidence uploads are refused from their headers, before any of the file is\n"
        "read, unless the user is logged in, may add evidence and gives the size; one\n"
        "user may have --uploads-per-user in progress at once, declaring at most\n"
        "--upload-bytes-per-user bytes between them (K, M, G, T: powers of 1024), and\n"
        "the server --uploads-total.  Each upload is encrypted as it arrives; what one\n"
        "cut short leaves in the vault is removed when the server starts.",
    .run = serve_cmd,
    .needs = NEEDS_ARCHIVE,
};
