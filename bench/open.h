/*
 * open.h: how a benchmark program opens the archive it measures: as
 * $ATTEST_USER, with the passphrase on fd $ATTEST_PASSPHRASE_FD (the
 * benchmark scripts set both), through the same unlock every command uses.
 */
#ifndef BENCH_OPEN_H
#define BENCH_OPEN_H

#include "../src/core/unlock.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Opens dir into *st with the user's session in *s (which must outlive
 * *st); AT_OK or an error on ctx. */
static inline int bench_open(struct at_ctx *ctx, const char *dir, struct store **st,
                             struct session *s)
{
    const char *user = getenv("ATTEST_USER"), *fd = getenv("ATTEST_PASSPHRASE_FD");
    char pass[256];
    ssize_t n;
    int rc;

    if (user == NULL || fd == NULL)
        return ctx_error(ctx, AT_EINVAL, "set ATTEST_USER and ATTEST_PASSPHRASE_FD");
    n = pread(atoi(fd), pass, sizeof pass - 1, 0);
    pass[n > 0 ? n : 0] = '\0';
    pass[strcspn(pass, "\r\n")] = '\0';
    rc = unlock_open(ctx, dir, user, pass, st, s);
    if (rc == AT_OK)
        store_set_session(*st, s);
    memset(pass, 0, sizeof pass);
    return rc;
}

#endif
