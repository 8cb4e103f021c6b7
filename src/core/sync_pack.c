/*
 * sync_pack.c: packs, written and read as streams.
 */
#include "attest.h"
#include "sync.h"
#include "sync_int.h"

int sync_export(struct at_ctx *ctx, struct store *st, const char *peer, const char *since_mark,
                int fd, struct sync_stats *stats)
{
    (void)st; (void)peer; (void)since_mark; (void)fd; (void)stats;
    return ctx_error(ctx, AT_ERR, "sync: not implemented yet");
}

int sync_import(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats)
{
    (void)st; (void)fd; (void)stats;
    return ctx_error(ctx, AT_ERR, "sync: not implemented yet");
}
