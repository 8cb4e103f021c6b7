/*
 * sync.c: peers, their key lines and marks, and the conflicts list.  The
 * pack itself (export and import) is in sync_pack.c.
 */
#include "attest.h"
#include "sync.h"

int sync_key_line(struct at_ctx *ctx, struct store *st, struct buf *out)
{
    (void)st; (void)out;
    return ctx_error(ctx, AT_ERR, "sync: not yet");
}

#define NOT_YET(ctx) ctx_error(ctx, AT_ERR, "sync: not implemented yet")

int sync_peer_add(struct at_ctx *ctx, struct store *st, const char *name, const char *line,
                  const char *tier)
{
    (void)st; (void)name; (void)line; (void)tier;
    return NOT_YET(ctx);
}

int sync_peer_remove(struct at_ctx *ctx, struct store *st, const char *name)
{
    (void)st; (void)name;
    return NOT_YET(ctx);
}

int sync_peer_list(struct at_ctx *ctx, struct store *st, json_t **out)
{
    (void)st; (void)out;
    return NOT_YET(ctx);
}

int sync_export(struct at_ctx *ctx, struct store *st, const char *peer, const char *since_mark,
                int fd, struct sync_stats *stats)
{
    (void)st; (void)peer; (void)since_mark; (void)fd; (void)stats;
    return NOT_YET(ctx);
}

int sync_import(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats)
{
    (void)st; (void)fd; (void)stats;
    return NOT_YET(ctx);
}

int sync_mark(struct at_ctx *ctx, struct store *st, struct buf *out)
{
    (void)st; (void)out;
    return NOT_YET(ctx);
}

int sync_peer_mark(struct at_ctx *ctx, struct store *st, const char *peer, struct buf *out)
{
    (void)st; (void)peer; (void)out;
    return NOT_YET(ctx);
}

int sync_peer_mark_set(struct at_ctx *ctx, struct store *st, const char *peer, const char *mark)
{
    (void)st; (void)peer; (void)mark;
    return NOT_YET(ctx);
}

int sync_conflicts(struct at_ctx *ctx, struct store *st, json_t **out)
{
    (void)st; (void)out;
    return NOT_YET(ctx);
}
