/*
 * sandbox.c: an untrusted parser run in bubblewrap under resource limits.
 * See sandbox.h; the design is in docs/security.md ("Previews of PDF").
 *
 * The child is made with fork and, between fork and exec, only system
 * calls (the server is threaded): a session of its own, the limits, its
 * three descriptors, every other descriptor closed.  Bubblewrap then
 * unshares every namespace (user, network, PID, IPC, UTS, cgroup), maps
 * the child to nobody, drops every capability and dies with its parent;
 * the parent kills it when the wall clock runs out.
 */
#include "attest.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const struct sandbox_limits sandbox_defaults = {
    .cpu_s = 10,
    .memory = (uint64_t)1 << 30,
    .file_size = (uint64_t)1 << 20,
    .processes = 256,
    .timeout_ms = 20000,
    .output_max = (size_t)32 << 20,
    .bwrap = NULL,
};

/* The top-level directories of a merged-/usr system: each a symlink into
 * /usr (recreated as one) or, elsewhere, a directory bound read-only. */
static const char *const system_links[][2] = {
    { "/bin", "usr/bin" }, { "/sbin", "usr/sbin" }, { "/lib", "usr/lib" }, { "/lib64", "usr/lib64" },
};

int sandbox_argv(const struct sandbox_limits *lim, const char *const *cmd, const char **argv)
{
    static const char *const head[] = {
        "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--ro-bind", "/usr", "/usr",
    };
    static const char *const tail[] = {
        "--ro-bind-try", "/etc/fonts", "/etc/fonts", "--tmpfs", "/tmp", "--chdir", "/tmp", "--",
    };
    struct stat sb;
    int n = 0;

    argv[n++] = lim->bwrap ? lim->bwrap : SANDBOX_BWRAP;
    for (size_t i = 0; i < ARRAY_LEN(head); i++)
        argv[n++] = head[i];
    for (size_t i = 0; i < ARRAY_LEN(system_links); i++) {
        if (lstat(system_links[i][0], &sb) != 0)
            continue;
        argv[n++] = S_ISLNK(sb.st_mode) ? "--symlink" : "--ro-bind";
        argv[n++] = S_ISLNK(sb.st_mode) ? system_links[i][1] : system_links[i][0];
        argv[n++] = system_links[i][0];
    }
    for (size_t i = 0; i < ARRAY_LEN(tail); i++)
        argv[n++] = tail[i];
    for (size_t i = 0; cmd[i]; i++) {
        if (n >= SANDBOX_ARGV_MAX - 1)
            return -1;
        argv[n++] = cmd[i];
    }
    argv[n] = NULL;
    return n;
}

/* In the child, between fork and exec: system calls only. */
static void child_exec(const struct sandbox_limits *lim, const char **argv, int in, int out,
                       int err)
{
    static char *const envp[] = { "PATH=/usr/bin:/bin", "LANG=C", "HOME=/tmp", NULL };
    const struct {
        int resource;
        rlim_t soft, hard;
    } limits[] = {
        { RLIMIT_CPU, lim->cpu_s, lim->cpu_s + 1 },
        { RLIMIT_AS, lim->memory, lim->memory },
        { RLIMIT_FSIZE, lim->file_size, lim->file_size },
        { RLIMIT_NPROC, lim->processes, lim->processes },
        { RLIMIT_CORE, 0, 0 },
    };
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    for (size_t i = 0; i < ARRAY_LEN(limits); i++) {
        struct rlimit rl = { limits[i].soft, limits[i].hard };

        if (setrlimit(limits[i].resource, &rl) != 0)
            _exit(126);
    }
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(126);
    close_range(3, ~0U, 0);
    execve(argv[0], (char *const *)argv, envp);
    _exit(127);
}

/* The sealed memfd holding the len bytes of in, at offset 0; -1 on failure. */
static int sealed_input(const void *in, size_t len)
{
    int fd = memfd_create("attest-sandbox-in", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    size_t done = 0;

    if (fd < 0)
        return -1;
    while (done < len) {
        ssize_t n = write(fd, (const char *)in + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0
        || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the child's stdout from fd into out until it closes, the
 * deadline passes (*timed_out) or it passes max bytes (*too_much). */
static void collect(int fd, struct buf *out, size_t max, int64_t deadline, bool *timed_out,
                    bool *too_much)
{
    size_t got = 0;
    char chunk[65536];

    for (;;) {
        int64_t left = deadline - now_ms();
        struct pollfd p = { fd, POLLIN, 0 };
        int ready;
        ssize_t n;

        if (left <= 0) {
            *timed_out = true;
            return;
        }
        ready = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        if (got + (size_t)n > max) {
            *too_much = true;
            return;
        }
        buf_append(out, chunk, (size_t)n);
        got += (size_t)n;
    }
}

/* Waits for pid until the deadline, then kills it (*timed_out) and
 * waits for that; sets *status. */
static void reap(pid_t pid, int64_t deadline, bool kill_now, bool *timed_out, int *status)
{
    const struct timespec tick = { 0, 5 * 1000 * 1000 };
    pid_t got;

    while (!kill_now) {
        got = waitpid(pid, status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR))
            return;
        if (now_ms() >= deadline) {
            *timed_out = true;
            break;
        }
        nanosleep(&tick, NULL);
    }
    kill(pid, SIGKILL); /* bubblewrap's children die with it */
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

int sandbox_run(struct at_ctx *ctx, const struct sandbox_limits *lim, const char *const *cmd,
                const void *in, size_t len, struct buf *out)
{
    const char *argv[SANDBOX_ARGV_MAX];
    int pipefd[2] = { -1, -1 }, in_fd = -1, null_fd = -1, status = 0, rc = AT_OK;
    bool timed_out = false, too_much = false;
    pid_t pid = -1;
    size_t start = out->len;
    int64_t deadline = now_ms() + lim->timeout_ms;

    if (sandbox_argv(lim, cmd, argv) < 0)
        return ctx_error(ctx, AT_ERR, "the sandbox's command is too long");
    if ((in_fd = sealed_input(in, len)) < 0 || pipe2(pipefd, O_CLOEXEC) != 0
        || (null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
        rc = ctx_error(ctx, AT_ERR, "the sandbox cannot be prepared: %s", strerror(errno));
        goto out;
    }
    if ((pid = fork()) < 0) {
        rc = ctx_error(ctx, AT_ERR, "the sandbox cannot be started: %s", strerror(errno));
        goto out;
    }
    if (pid == 0)
        child_exec(lim, argv, in_fd, pipefd[1], null_fd);
    close(pipefd[1]);
    pipefd[1] = -1;
    collect(pipefd[0], out, lim->output_max, deadline, &timed_out, &too_much);
    reap(pid, deadline, timed_out || too_much, &timed_out, &status);
    if (timed_out)
        rc = ctx_error(ctx, AT_EINVAL, "it was stopped after %u ms, the sandbox's time limit",
                       lim->timeout_ms);
    else if (too_much)
        rc = ctx_error(ctx, AT_EINVAL, "it wrote more than %zu bytes, the sandbox's output limit",
                       lim->output_max);
    else if (WIFSIGNALED(status))
        rc = ctx_error(ctx, AT_EINVAL, "it was killed by signal %d", WTERMSIG(status));
    else if (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)
        rc = ctx_error(ctx, AT_ERR, "the sandbox could not start %s", argv[0]);
    else if (WEXITSTATUS(status) == 128 + SIGXCPU || WEXITSTATUS(status) == 128 + SIGKILL)
        rc = ctx_error(ctx, AT_EINVAL, "it was stopped by the sandbox's limit of %u seconds of "
                       "processor time or %llu MiB of memory", lim->cpu_s,
                       (unsigned long long)(lim->memory >> 20));
    else if (WEXITSTATUS(status) != 0)
        rc = ctx_error(ctx, AT_EINVAL, "it failed (exit status %d)", WEXITSTATUS(status));
out:
    if (rc != AT_OK)
        out->len = start;
    if (out->data)
        out->data[out->len] = '\0';
    for (int i = 0; i < 2; i++)
        if (pipefd[i] >= 0)
            close(pipefd[i]);
    if (in_fd >= 0)
        close(in_fd);
    if (null_fd >= 0)
        close(null_fd);
    return rc;
}

int sandbox_check(struct at_ctx *ctx, const struct sandbox_limits *lim)
{
    static const char *const probe[] = { "/usr/bin/true", NULL };
    const char *bwrap = lim->bwrap ? lim->bwrap : SANDBOX_BWRAP;
    struct buf out = BUF_INIT;
    int rc;

    if (access(bwrap, X_OK) != 0) {
        return ctx_error(ctx, AT_ERR, "the sandbox needs bubblewrap (%s), which is not installed "
                         "(Debian package bubblewrap)", bwrap);
    }
    rc = sandbox_run(ctx, lim, probe, "", 0, &out);
    buf_free(&out);
    if (rc != AT_OK)
        return ctx_error(ctx, AT_ERR, "the sandbox cannot start here: bubblewrap cannot make its "
                         "namespaces (are unprivileged user namespaces enabled? `unshare -Ur "
                         "true` tells)");
    return AT_OK;
}
