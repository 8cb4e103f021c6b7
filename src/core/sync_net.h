/*
 * sync_net.h: packs exchanged with another archive's server over its API
 * (src/http/api_sync.c), by libcurl: the one client of `attest sync
 * push|pull`, `attest travel restore URL` and the server's own push and
 * pull to a peer (POST /api/v1/sync/peers/{name}/push|pull).
 *
 * A push asks the server what it holds (its mark), exports the rest into
 * sync-outbox/NAME.pack in the archive directory and uploads that file in
 * chunks; the upload's id is kept beside it (NAME.pack.upload), so that a
 * push cut short resumes from the offset the server reports, with the
 * same bytes.  A pull downloads a pack of what this archive lacks (by its
 * own mark) into sync-inbox/NAME.pack, with the server's tag for that
 * pack beside it (NAME.pack.pull); a pull cut short asks for the rest
 * with an HTTP Range for the same pack (If-Range), and imports it in one
 * transaction once whole.
 *
 * TLS: the server's certificate is always verified (the system's CAs, or
 * cacert for a server with its own: the one given, else the one kept with
 * the peer, held in an in-memory file); redirects are never followed; a
 * token is sent over plain http only to a loopback address.  Nothing is
 * printed: what a caller may want to tell is passed to n->note, and
 * how far an exchange is to n->progress.
 */
#ifndef SYNC_NET_H
#define SYNC_NET_H

#include "attest.h"
#include "store.h"
#include "sync.h"

#include <jansson.h>

#define SYNC_NET_CHUNK_MAX (1 << 20)   /* the server's HTTP_MAX_BODY */
#define SYNC_NET_CHUNK_MIN 1024

/* One exchange's settings and what came of it. */
struct sync_net {
    /* Given. */
    const char *url, *peer, *cacert;
    size_t chunk_size;      /* bytes per upload request (0: SYNC_NET_CHUNK_MAX) */
    unsigned max_chunks;    /* upload chunks per run, 0 for all */
    uint64_t max_bytes;     /* pull: bytes downloaded per run, 0 for all */
    void (*note)(void *arg, const char *text);  /* progress, or NULL */
    /* Where it is, or NULL: the stage ("exporting", "resuming", "uploading",
     * "applying"; "downloading", "importing") with bytes done of total (0
     * when not known), as it changes and after each chunk.  Also note_arg. */
    void (*progress)(void *arg, const char *stage, uint64_t done, uint64_t total);
    /* A pull's import (stage "importing"): the record versions read of
     * the pack's total (struct sync_watch), or NULL.  Also note_arg. */
    void (*imported)(void *arg, uint64_t done, uint64_t total);
    void *note_arg;
    /* Set by sync_net_peer_kept and sync_net_open. */
    char *kept_url, *kept_cacert; /* kept with the peer (freed by sync_net_close) */
    char auth[256];         /* the Authorization header (wiped by sync_net_close) */
    int cacert_fd;          /* kept_cacert in an in-memory file, when cacert_held */
    bool cacert_held;       /* (closed by sync_net_close) */
    /* Results. */
    json_t *applied;        /* after a push: what the server applied (sync_net_close frees) */
    bool done;              /* the pack was applied (push) or imported (pull) */
    uint64_t offset, length; /* bytes sent or received of the pack's length */
    struct sync_stats packed; /* a push: what went into the pack */
};

/* Checks a server's address: https, or http to a loopback address (a
 * token never crosses a network readable). */
int sync_net_url_check(struct at_ctx *ctx, const char *url);

/* Takes what is kept with n->peer, which must be a pinned peer: the
 * address of its server when n->url is not given, and the certificate of
 * its server (sync_net_peer_cacert) when n->cacert is not given.  Before
 * sync_net_open; the command line and the server alike. */
int sync_net_peer_kept(struct at_ctx *ctx, struct store *st, struct sync_net *n);
/* Checks n->url and takes token (an API token of the server) into
 * n->auth. */
int sync_net_open(struct at_ctx *ctx, struct sync_net *n, const char *token);
/* Wipes the token and frees the results. */
void sync_net_close(struct sync_net *n);

/* Uploads the pack file at pack_path to n's server, resuming an earlier
 * upload of it (kept in PATH.upload), and has the server apply it; then
 * records the server's reply as what n->peer holds.  n->done says whether
 * it was applied (a run limited by max_chunks may stop before). */
int sync_net_push_pack(struct at_ctx *ctx, struct store *st, struct sync_net *n,
                       const char *pack_path);
/* Exports what the server lacks into the outbox (unless an earlier push
 * left a pack there) and uploads it; the outbox is emptied once applied
 * and the exchange recorded with the peer. */
int sync_net_push(struct at_ctx *ctx, struct store *st, struct sync_net *n);
/* Downloads and imports a pack of what this archive lacks, since the
 * given mark (NULL: this archive's own mark), resuming a download that
 * stopped; n->done says whether it was imported (a run limited by
 * max_bytes may stop before). */
int sync_net_pull(struct at_ctx *ctx, struct store *st, struct sync_net *n, const char *since,
                  struct sync_stats *stats);

/* Keeps with peer the certificate, in PEM, of its server or of the CA
 * that signed it, for a server no system CA vouches for (NULL forgets
 * it); checked to hold at least one certificate.  An admin's decision
 * (ACTION_MANAGE_PEERS).  Inside a transaction. */
int sync_net_peer_cacert(struct at_ctx *ctx, struct store *st, const char *name, const char *pem);

/* `attest travel restore URL`: delivers the travel pack at pack (when not
 * NULL; resumed as sync_net_push_pack resumes), then pulls everything the
 * server holds that this archive may receive (from SYNC_MARK_NOTHING: the
 * archive's own mark still counts what travelled) and imports it.  An
 * error unless both are whole. */
int sync_net_restore(struct at_ctx *ctx, struct store *st, struct sync_net *n, const char *pack,
                     struct sync_stats *stats);

/* Where the server keeps the travel pack it made for peer (the browser's
 * travel: sync-travel/PEER.pack in the archive directory, made 0700 when
 * missing), until it is delivered. */
int sync_net_travel_path(struct at_ctx *ctx, struct store *st, const char *peer, struct buf *out);

/* Keeps the address of peer's server (checked by sync_net_url_check;
 * NULL forgets it) with the pinned peer, for a push or pull from the
 * server itself.  An admin's decision (ACTION_MANAGE_PEERS).  Inside a
 * transaction. */
int sync_net_peer_url(struct at_ctx *ctx, struct store *st, const char *name, const char *url);

/* What waits for peer in the archive directory: the outbox's pack and how
 * much of it the server acknowledged, the inbox's partial download, a
 * travel pack not yet delivered.  A new object {outbox: {bytes, upload} |
 * null, inbox: {bytes} | null, travel: {bytes} | null}. */
json_t *sync_net_waiting(struct store *st, const char *peer);

#endif
