/* server.h: starting and stopping the HTTP server (`attest serve`). */
#ifndef SERVER_H
#define SERVER_H

#include "../core/attest.h"
#include "../core/access.h"

struct serve_options {
    const char *archive;
    const char *bind;        /* address to listen on; 127.0.0.1 by default */
    unsigned port;
    const char *tls_cert;    /* PEM files; both or neither */
    const char *tls_key;
    unsigned threads;        /* worker threads, each with its own SQLite connection */
    unsigned max_connections;
    unsigned timeout_s;      /* idle or slow connections are closed after this */
    const char *tile_url;    /* optional online map tiles, allowed by the CSP */
    const struct session *keys; /* the unlocked user who starts the server */
};

/* Runs until SIGTERM or SIGINT, then lets requests in flight finish.
 * Prints its address on stderr once listening. */
int serve_run(struct at_ctx *ctx, const struct serve_options *o);

#endif
