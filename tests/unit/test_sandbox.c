/* test_sandbox.c: the sandbox that previews run in: its command line
 * binds nothing but system directories, its input arrives on stdin, and
 * the child cannot read the test's files or reach a socket on the host's
 * loopback; each limit (processor time, wall clock, output) stops a child
 * that passes it; a missing bubblewrap is said, not worked around.  Skips
 * where bubblewrap cannot run. */
#include "../../src/core/attest.h"
#include "../../src/core/sandbox.h"
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static bool runnable(void)
{
    struct at_ctx ctx = { 0 };

    if (sandbox_check(&ctx, &sandbox_defaults) == AT_OK)
        return true;
    unit_skip(ctx.message);
    return false;
}

UNIT_TEST(sandbox_argv_binds_only_system_directories)
{
    static const char *const cmd[] = { "/usr/bin/true", NULL };
    const char *argv[SANDBOX_ARGV_MAX];
    bool unshare = false, die = false, session = false, nobody = false, caps = false;
    int n = sandbox_argv(&sandbox_defaults, cmd, argv);

    REQUIRE(n > 0 && argv[n] == NULL);
    CHECK_STR(argv[0], SANDBOX_BWRAP);
    CHECK_STR(argv[n - 1], "/usr/bin/true");
    for (int i = 1; i < n && strcmp(argv[i], "--") != 0; i++) {
        unshare |= strcmp(argv[i], "--unshare-all") == 0;
        die |= strcmp(argv[i], "--die-with-parent") == 0;
        session |= strcmp(argv[i], "--new-session") == 0;
        nobody |= strcmp(argv[i], "--uid") == 0 && strcmp(argv[i + 1], "65534") == 0;
        caps |= strcmp(argv[i], "--cap-drop") == 0 && strcmp(argv[i + 1], "ALL") == 0;
        /* Every bind is read-only, of /usr or the font configuration, or
         * a directory of the root that is not a link into /usr. */
        CHECK(strstr(argv[i], "bind") == NULL || strcmp(argv[i], "--ro-bind") == 0
              || strcmp(argv[i], "--ro-bind-try") == 0);
        if (strncmp(argv[i], "--ro-bind", 9) == 0)
            CHECK(strcmp(argv[i + 1], "/usr") == 0 || strcmp(argv[i + 1], "/etc/fonts") == 0
                  || strcmp(argv[i + 1], "/bin") == 0 || strcmp(argv[i + 1], "/sbin") == 0
                  || strcmp(argv[i + 1], "/lib") == 0 || strcmp(argv[i + 1], "/lib64") == 0);
        CHECK(strcmp(argv[i], "--share-net") != 0 && strcmp(argv[i], "--dev-bind") != 0
              && strcmp(argv[i], "--bind") != 0 && strcmp(argv[i], "--proc") != 0);
    }
    CHECK(unshare && die && session && nobody && caps);
}

UNIT_TEST(sandbox_input_comes_on_stdin)
{
    static const char *const cmd[] = { "/usr/bin/cat", NULL };
    struct at_ctx ctx = { 0 };
    struct buf out = BUF_INIT;

    if (!runnable())
        return;
    CHECK(sandbox_run(&ctx, &sandbox_defaults, cmd, "FICTIONAL bytes\n", 16, &out) == AT_OK);
    CHECK_STR(buf_str(&out), "FICTIONAL bytes\n");
    buf_free(&out);
}

UNIT_TEST(sandbox_cannot_read_the_archive)
{
    char path[512];
    const char *cmd[] = { "/usr/bin/cat", path, NULL };
    struct at_ctx ctx = { 0 };
    struct buf out = BUF_INIT;
    FILE *f;

    if (!runnable())
        return;
    snprintf(path, sizeof path, "%s/attest.db", unit_tmpdir());
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("FICTIONAL archive bytes\n", f);
    fclose(f);
    CHECK(sandbox_run(&ctx, &sandbox_defaults, cmd, "", 0, &out) == AT_EINVAL);
    CHECK(strstr(buf_str(&out), "FICTIONAL") == NULL);
    buf_free(&out);
}

UNIT_TEST(sandbox_has_no_network)
{
    struct sockaddr_in addr = { .sin_family = AF_INET };
    socklen_t len = sizeof addr;
    char script[256];
    const char *cmd[] = { "/usr/bin/python3", "-c", script, NULL };
    struct at_ctx ctx = { 0 };
    struct buf out = BUF_INIT;
    int listener, client;

    if (!runnable())
        return;
    if (access("/usr/bin/python3", X_OK) != 0) {
        unit_skip("no /usr/bin/python3 to try a connection with");
        return;
    }
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE((listener = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
    REQUIRE(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(listener, 4) == 0);
    REQUIRE(getsockname(listener, (struct sockaddr *)&addr, &len) == 0);
    /* Outside the sandbox the port answers... */
    REQUIRE((client = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
    CHECK(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0);
    close(client);
    /* ...inside, the same connection is refused, and no interface but
     * loopback exists. */
    snprintf(script, sizeof script, "import socket\nsocket.create_connection(('127.0.0.1', %u), 2)\n"
             "print('connected')\n", (unsigned)ntohs(addr.sin_port));
    CHECK(sandbox_run(&ctx, &sandbox_defaults, cmd, "", 0, &out) == AT_EINVAL);
    CHECK(strstr(buf_str(&out), "connected") == NULL);
    buf_reset(&out);
    snprintf(script, sizeof script, "import socket\nprint(sorted(n for _, n in socket.if_nameindex()))\n");
    CHECK(sandbox_run(&ctx, &sandbox_defaults, cmd, "", 0, &out) == AT_OK);
    CHECK_STR(buf_str(&out), "['lo']\n");
    buf_free(&out);
    close(listener);
}

UNIT_TEST(sandbox_limits_stop_the_child)
{
    static const char *const spin[] = { "/usr/bin/sh", "-c", "while :; do :; done", NULL };
    static const char *const sleeper[] = { "/usr/bin/sleep", "60", NULL };
    static const char *const chatter[] = { "/usr/bin/yes", NULL };
    struct sandbox_limits lim = sandbox_defaults;
    struct at_ctx ctx = { 0 };
    struct buf out = BUF_INIT;

    if (!runnable())
        return;
    lim.cpu_s = 1;
    CHECK(sandbox_run(&ctx, &lim, spin, "", 0, &out) == AT_EINVAL);
    CHECK(strstr(ctx.message, "processor time") != NULL);
    lim = sandbox_defaults;
    lim.timeout_ms = 200;
    CHECK(sandbox_run(&ctx, &lim, sleeper, "", 0, &out) == AT_EINVAL);
    CHECK(strstr(ctx.message, "time limit") != NULL);
    lim = sandbox_defaults;
    lim.output_max = 4096;
    CHECK(sandbox_run(&ctx, &lim, chatter, "", 0, &out) == AT_EINVAL);
    CHECK(strstr(ctx.message, "output limit") != NULL && out.len == 0);
    buf_free(&out);
}

UNIT_TEST(sandbox_without_bubblewrap_says_so)
{
    struct sandbox_limits lim = sandbox_defaults;
    struct at_ctx ctx = { 0 };

    lim.bwrap = "/nonexistent/bwrap";
    CHECK(sandbox_check(&ctx, &lim) == AT_ERR);
    CHECK(strncmp(ctx.message, "the sandbox", 11) == 0 && strstr(ctx.message, "bubblewrap") != NULL);
}
