/* server.h: starting and stopping the HTTP server (`attest serve`). */
#ifndef SERVER_H
#define SERVER_H

#include "../core/attest.h"
#include "../core/access.h"

/* Defaults: room for a thousand idle keep-alive connections and more; an
 * idle connection kept for a minute and a quarter. */
#define SERVE_MAX_CONNECTIONS 4096
#define SERVE_TIMEOUT_S 75

/* What one client address may hold: a quarter of the connections. */
#define SERVE_PER_IP(max) ((max) / 4 > 0 ? (max) / 4 : 1)

/* Uploads: what one user may have in progress at once (uploads, and the
 * bytes they declare), and uploads in progress in all.  Each takes a
 * chunk of memory (about 1 MiB) while it lasts. */
#define SERVE_UPLOADS_PER_USER 4
#define SERVE_UPLOADS_TOTAL 32
#define SERVE_UPLOAD_BYTES_PER_USER ((uint64_t)16 << 30)

struct upload_limits {
    unsigned per_user;       /* uploads in progress per user */
    unsigned total;          /* uploads in progress in all */
    uint64_t bytes_per_user; /* bytes declared by one user's uploads in progress */
};

struct serve_options {
    const char *archive;
    const char *bind;        /* address to listen on; 127.0.0.1 by default */
    unsigned port;
    const char *tls_cert;    /* PEM files; both or neither */
    const char *tls_key;
    unsigned threads;        /* worker threads, each with its own SQLite connection */
    unsigned max_connections; /* in all; one address may hold SERVE_PER_IP of them */
    unsigned timeout_s;      /* idle or slow connections are closed after this */
    const char *tile_url;    /* optional online map tiles, allowed by the CSP */
    struct upload_limits uploads;
    const struct session *keys; /* the unlocked user who starts the server */
};

/* The settings the server runs with (server_settings.c), set once by
 * server_run; the accessors of the others are in http.h. */
void server_settings_set(const struct serve_options *o);
/* The upload limits the server runs with. */
const struct upload_limits *server_upload_limits(void);

/* Runs until SIGTERM or SIGINT, then lets requests in flight finish.
 * Prints its address on stderr once listening. */
int server_run(struct at_ctx *ctx, const struct serve_options *o);

#endif
