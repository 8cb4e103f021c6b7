/*
 * sandbox.h: running an untrusted parser (poppler's pdftoppm) on bytes
 * from the vault, in a bubblewrap sandbox with resource limits.
 *
 * The child sees read-only /usr and an empty /tmp, no network (its own
 * empty network namespace), no other process, none of the archive; its
 * input comes on stdin (a sealed memfd, never a file on disk), its output
 * goes to a pipe, its errors nowhere.  docs/security.md explains why.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include "attest.h"

#include <stddef.h>
#include <stdint.h>

#define SANDBOX_BWRAP "/usr/bin/bwrap"
#define SANDBOX_ARGV_MAX 64

struct sandbox_limits {
    unsigned cpu_s;          /* RLIMIT_CPU: seconds of processor time */
    uint64_t memory;         /* RLIMIT_AS: bytes of address space */
    uint64_t file_size;      /* RLIMIT_FSIZE: bytes of any file written */
    unsigned processes;      /* RLIMIT_NPROC (counted per user) */
    unsigned timeout_ms;     /* wall clock, after which the child is killed */
    size_t output_max;       /* bytes of stdout taken; more is an error */
    const char *bwrap;       /* the bubblewrap binary; NULL: SANDBOX_BWRAP */
};

/* The limits a preview runs under unless told otherwise. */
extern const struct sandbox_limits sandbox_defaults;

/* Fills argv (SANDBOX_ARGV_MAX entries) with the bubblewrap command that
 * runs cmd (NULL-terminated; cmd[0] an absolute path under /usr) in the
 * sandbox, NULL-terminated; returns its count, or -1 when it does not fit. */
int sandbox_argv(const struct sandbox_limits *lim, const char *const *cmd, const char **argv);

/* AT_OK when the sandbox can run here: bubblewrap is installed and can
 * make its namespaces.  Otherwise AT_ERR with a message that starts
 * "the sandbox" and says what is missing. */
int sandbox_check(struct at_ctx *ctx, const struct sandbox_limits *lim);

/* Runs cmd in the sandbox under lim with the len bytes of in as its
 * stdin; appends its stdout to out.  AT_OK when it exits 0; AT_EINVAL
 * when it fails, is killed by a limit or writes more than output_max
 * (the message says which); AT_ERR when it cannot be started. */
int sandbox_run(struct at_ctx *ctx, const struct sandbox_limits *lim, const char *const *cmd,
                const void *in, size_t len, struct buf *out);

#endif
