/*
 * http.h: what the server's files share: one request as the handlers see
 * it, the JSON and error replies, and the route table.  The server parses
 * HTTP, checks who may do what (one gate, route.c), calls core, and writes
 * JSON; no domain logic lives here.
 */
#ifndef HTTP_H
#define HTTP_H

#include "../core/attest.h"
#include "../core/access.h"
#include "../core/store.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>

/* Limits: a request beyond them is refused without disturbing others. */
#define HTTP_MAX_BODY (1 << 20)              /* JSON bodies; uploads: see server.h */
#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_LIMIT 1000                  /* ?limit= of a listing or a search */

struct http_session;
struct vault_upload;
struct basemap_upload;
struct memupload;
struct uploader;

/* One request.  The handler fills status and reply (or file_fd). */
struct request {
    struct MHD_Connection *conn;
    const char *method, *url;
    char ip[64];
    struct buf body;               /* JSON bodies (bounded by HTTP_MAX_BODY) */
    struct vault_upload *upload;   /* an evidence upload, encrypted as it arrives, or NULL */
    struct uploader *uploader;     /* its place under the upload limits, or NULL */
    uint64_t upload_length;        /* its declared length */
    bool upload_failed;            /* storing it failed (r->ctx says why) */
    uint64_t upload_bytes;
    struct basemap_upload *basemap_upload; /* a basemap upload, spooled to a file as it arrives, or NULL */
    struct memupload *memupload;           /* a file kept in memory only (memupload.c), or NULL */
    bool too_big;
    const char *params[HTTP_MAX_PARAMS]; /* {id} parts of the path, in order */
    char param_buf[256];
    struct at_ctx ctx;
    struct store *st;              /* this worker thread's connection */
    struct http_session *session;  /* the logged-in user, or NULL */
    struct session keys;           /* the user's role and unlocked keys for this request */
    bool logged_in;
    /* The reply. */
    unsigned status;
    json_t *reply;
    const char *content_type;      /* for non-JSON replies */
    const void *raw;               /* static bytes (assets), */
    size_t raw_len;
    void (*raw_release)(void *cls); /* or bytes held until raw_release(raw_cls) */
    void *raw_cls;
    char *owned;                   /* or owned bytes, freed after */
    size_t owned_len;
    int file_fd;                   /* or a file to stream, closed after */
    MHD_ContentReaderCallback stream; /* or bytes made as they are sent, */
    MHD_ContentReaderFreeCallback stream_free; /* which frees stream_arg after */
    void *stream_arg;
    uint64_t file_len;             /* of the file or the stream */
    uint64_t file_offset;          /* where in file_fd the reply starts */
    char content_range[96];        /* Content-Range of a 206 reply, or "" */
    const char *disposition;       /* Content-Disposition, or NULL */
    const char *cache_control;     /* Cache-Control, or NULL for the default */
    const char *csp;               /* Content-Security-Policy, or NULL for the application's */
    char etag[32];                 /* ETag (quoted), or "" for none */
    char set_cookie[256];
    int64_t started_us;
};

/* Bytes a cache keeps and replies send, counted so that the last holder
 * frees them (reply.c): a new block has one reference; a reply made with
 * http_reply_bytes takes over the reference it is given. */
struct http_bytes {
    atomic_int refs;
    size_t len;
    const char *type;              /* the Content-Type to send them as */
    char *data;
};
struct http_bytes *http_bytes_new(char *data, size_t len, const char *type); /* takes data */
void http_bytes_ref(struct http_bytes *b);
void http_bytes_release(void *b);
int http_reply_bytes(struct request *r, struct http_bytes *b);

/* Reading a request and replying (reply.c). */

/* Sets an error reply {"error":{"code","message","field"}} and returns
 * status, so that a handler can `return http_error(...)`. */
int http_error(struct request *r, unsigned status, const char *code, const char *field,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Maps a core result (and the message on r->ctx) to an error reply:
 * AT_EINVAL 400, AT_EDENIED 403, AT_ENOTFOUND 404, AT_ECONFLICT 409,
 * AT_ECORRUPT and AT_ERR 500. */
int http_core_error(struct request *r, int rc);

/* Sets a JSON reply (taking the reference) and returns status. */
int http_json(struct request *r, unsigned status, json_t *reply);

/* A file made for a reply before it is sent (an export, a pack, a copy)
 * goes in an anonymous in-memory file (memfd_create): no name and no block
 * on disk.  http_memfile returns its descriptor, or -1 with a 500 reply
 * set; http_reply_fd sends fd whole as the reply's body (200), taking it. */
int http_memfile(struct request *r, const char *name);
int http_reply_fd(struct request *r, int fd, const char *content_type, const char *disposition);

/* The request's body as JSON (an object when want_object); on error sets
 * a 400 reply naming line and column and returns NULL. */
json_t *http_body_json(struct request *r, bool want_object);

/* Replaces from by to in the message on r->ctx: a core message naming
 * the server's own path for an upload names the user's file instead. */
void http_message_rename(struct request *r, const char *from, const char *to);

/* A query-string argument, or NULL. */
const char *http_arg(struct request *r, const char *name);

/* The query-string argument name as a whole number from min to max into
 * *out (fallback when it is absent); returns 0, or the 400 status it set
 * naming the argument and the range. */
int http_arg_long(struct request *r, const char *name, long min, long max, long fallback,
                  long *out);

/* Reads the list filters (type, from, to, place, limit, offset) from the
 * query into f, limited to the user's clearance; returns 0, or the error
 * status it set. */
struct record_filter;
int api_records_filter(struct request *r, struct record_filter *f);

/* Handlers return the HTTP status they set. */
typedef int (*http_handler)(struct request *r);

/* Who may call a route at all; what they may do with a given record is
 * core's decision (access.c), made again inside the handler's calls. */
enum route_need {
    NEED_NOTHING,   /* anyone, logged in or not */
    NEED_LOGIN,     /* a logged-in user or API token whose role may do .action */
};

/* One entry of the route table: every route's rights are in that one table. */
struct route {
    const char *method;
    const char *path;      /* "/api/v1/records/{id}/history" */
    enum route_need need;
    enum action action;    /* with NEED_LOGIN: ACTION_READ for any user */
    http_handler handler;
    const char *summary;   /* for the route list in docs and tests */
};

/* The sorted route table (route.c). */
const struct route *route_all(size_t *count);

/* Finds the route for r, checks login, the route's action and CSRF, and
 * runs it with the user as the store's session. */
int route_dispatch(struct request *r);
/* route_dispatch's checks alone, made from the request's head before a
 * byte of its body is read: 0, or the error status it set. */
int route_gate(struct request *r);

/* Sessions (auth.c). */
void auth_init(bool secure_cookies);
/* Sets r->session and r->keys from the cookie or a bearer token; AT_OK
 * when there is none (anonymous). */
int auth_identify(struct request *r);
/* True if the request carries the session's CSRF token. */
bool auth_csrf_ok(struct request *r);
int auth_login(struct request *r);
int auth_logout(struct request *r);
/* Checks pass, the body's member field, as the logged-in user's passphrase
 * now, slowed after a wrong one as logins are: 0, or the status of the
 * error reply it set (400 when missing, 403 when wrong, 429). */
int auth_recheck(struct request *r, const char *field, const char *pass);
int auth_me(struct request *r);
int auth_token_create(struct request *r);

/* The server's settings (server_settings.c).  Its own keys (the user who
 * started it): for signing tree heads and for requests authenticated by
 * API token. */
const struct session *server_keys(void);
/* The archive directory being served. */
const char *server_archive(void);
/* Opens another connection to that archive, for work of the server's own
 * (a sync job's thread); the caller sets its session and store_closes it. */
int server_store_open(struct at_ctx *ctx, struct store **st);
/* The online map tile URL template given with --tiles, or NULL. */
const char *server_tile_url(void);

/* Handlers, one file per resource. */
int api_records_list(struct request *r);
int api_records_create(struct request *r);
int api_records_get(struct request *r);
int api_records_history(struct request *r);
int api_records_amend(struct request *r);
int api_records_retract(struct request *r);
int api_cases_get(struct request *r);
int api_cases_sale_add(struct request *r);
int api_cases_sale_remove(struct request *r);
int api_cases_indicator_set(struct request *r);
int api_search(struct request *r);
int api_vocab(struct request *r);
int api_types(struct request *r);
int api_places(struct request *r);
int api_ring(struct request *r);
int api_stats(struct request *r);
int api_stats_chart(struct request *r);
int api_basemaps(struct request *r);
int api_tile(struct request *r);
/* Frees the replies the server threads kept for tiles asked for again; at shutdown. */
void api_tile_cache_free(void);
int api_map(struct request *r);
/* Frees the map answers the server threads kept; at shutdown. */
void api_map_cache_free(void);
int api_sites_list(struct request *r);
int api_sites_get(struct request *r);
int api_sites_candidates(struct request *r);
int api_sites_cluster(struct request *r);
int api_sites_decide(struct request *r);
int api_evidence_list(struct request *r);
int api_evidence_upload(struct request *r);
/* An upload's first steps, from its head: checks and a place under the
 * limits, then the staging file; 0, or the error status it set.  Then the
 * body, piece by piece; then, however the request ends, the end, which
 * gives back the place and removes an unfinished staging file. */
int api_evidence_upload_begin(struct request *r);
void api_evidence_upload_take(struct request *r, const char *data, size_t size);
void api_evidence_upload_end(struct request *r);
int api_evidence_get(struct request *r);
int api_evidence_file(struct request *r);
int api_evidence_preview(struct request *r);
int api_evidence_custody_add(struct request *r);
int api_users_list(struct request *r);
int api_users_add(struct request *r);
int api_users_change(struct request *r);
int api_users_passphrase(struct request *r);
int api_users_passwd(struct request *r);
int api_tokens_list(struct request *r);
int api_tokens_revoke(struct request *r);
int api_export(struct request *r);
int api_export_report(struct request *r);
int api_lists(struct request *r);
int api_screen_successors(struct request *r);
int api_lists_diff(struct request *r);
int api_lists_entry(struct request *r);
int api_lists_import(struct request *r);
int api_lists_upload_begin(struct request *r);
int api_identity_set(struct request *r);
int api_documents_import(struct request *r);
int api_documents_get(struct request *r);
int api_tags_decide(struct request *r);
int api_claims_list(struct request *r);
int api_claims_create(struct request *r);
int api_link_review(struct request *r);
int api_link_decisions(struct request *r);
int api_link_decide(struct request *r);
int assets_openapi(struct request *r);
int api_screen(struct request *r);
int api_screen_decisions(struct request *r);
int api_screen_dismiss(struct request *r);
int api_screen_withdraw(struct request *r);
int api_screen_record(struct request *r);
int api_screen_archive(struct request *r);
int api_screen_compare(struct request *r);
int api_screen_compare_file(struct request *r);
int api_sync_conflicts(struct request *r);
int api_sync_mark(struct request *r);
int api_sync_pack(struct request *r);
int api_sync_upload_create(struct request *r);
int api_sync_upload_delete(struct request *r);
int api_sync_upload_get(struct request *r);
int api_sync_upload_put(struct request *r);
int api_sync_upload_apply(struct request *r);
int api_sync_key(struct request *r);
int api_sync_peers(struct request *r);
int api_sync_peer_add(struct request *r);
int api_sync_peer_remove(struct request *r);
int api_sync_peer_push(struct request *r);
int api_sync_peer_pull(struct request *r);
int api_sync_status(struct request *r);
/* Packs as files (api_sync_files.c): an export downloaded, a pack uploaded
 * in memory (api_sync_import_begin from the head) and imported. */
int api_sync_export(struct request *r);
int api_sync_import_begin(struct request *r);
int api_sync_import(struct request *r);
/* What the sync handlers share (api_sync.c): n (its peer set) opened to
 * the peer's server at body's "url" or the address kept with the peer,
 * with body's "token", its notes going into notes (0, or the status of
 * the error reply); a struct sync_stats as JSON. */
struct sync_net;
struct sync_stats;
int api_sync_connect(struct request *r, json_t *body, struct sync_net *n, json_t *notes);
json_t *api_sync_stats_json(const struct sync_stats *s);
/* Pushes, pulls, restores and travel packs' deliveries run as jobs
 * (api_sync_jobs.c), kept in the archive: one at a time per peer, started
 * in the background and watched, or run within the request
 * (api_sync_peer_push|pull, api_sync_restore). */
int api_sync_job_start(struct request *r);
int api_sync_job_get(struct request *r);
int api_sync_job_list(struct request *r);
/* The running or last job with peer, as JSON (a new reference), or null. */
json_t *api_sync_job_latest(struct request *r, const char *peer);
/* Travel with a token: the delivery of the travel pack as a job, started
 * with body's token (and url); the job as it started (a new reference),
 * or NULL with the error reply set. */
json_t *api_sync_job_deliver(struct request *r, json_t *body);
/* As the server starts: the ends set aside before the last stop saved
 * (sync_jobs_restore_set_aside), then the jobs that still ran when it
 * stopped marked interrupted (sync_jobs_interrupted), said on stderr; st
 * has the server's session (the master key). */
void api_sync_jobs_recover(struct store *st);
/* As the server stops: the ends of jobs being saved stop waiting for the
 * archive's write lock (each is set aside, or saved by then); waits for
 * them a bounded time (a write's wait for the lock, and some). */
void api_sync_jobs_stop(void);
/* api_travel.c: the browser's `attest travel` and `travel restore URL`. */
int api_sync_travel(struct request *r);
int api_sync_travel_pack(struct request *r);
int api_sync_restore(struct request *r);
/* The browser's analysis workflows: estimates, linkage runs, basemaps added and removed. */
int api_estimates_run(struct request *r);
int api_estimates_list(struct request *r);
int api_estimates_get(struct request *r);
int api_estimates_chart(struct request *r);
int api_link_run(struct request *r);
int api_link_clusters(struct request *r);
int api_basemaps_add(struct request *r);
int api_basemaps_remove(struct request *r);
int api_basemaps_export(struct request *r);
/* A basemap upload's steps, as an evidence upload's: from the head, each
 * piece of the body, and the end however the request ends. */
int api_basemap_upload_begin(struct request *r);
void api_basemap_upload_take(struct request *r, const char *data, size_t size);
void api_basemap_upload_end(struct request *r);
/* Removes the basemap-upload-* files a crashed server left in the
 * archive's directory; at start, before the first request.  Returns how
 * many it removed, or -1 when the directory cannot be read. */
long api_basemap_sweep(void);
/* A request's body written to a file as it arrives (an upload): the size
 * its Content-Length declared, the user's name for the file (?filename=),
 * what arrived, and why it failed if it did.  memupload_head (memupload.c)
 * checks the head of an upload, the size (at most max, and what one user may
 * upload) and the name, into sp; 0, or the error status it set, its message
 * on a bad name ending with names (what the route takes, or "").
 * memupload_spool writes one piece, refusing more than declared. */
struct spool {
    int fd;
    uint64_t declared, received;
    bool failed;
    char why[128];
    char filename[256];
};
int memupload_head(struct request *r, uint64_t max, const char *names, struct spool *sp);
/* An upload's Content-Length into *n, at least least bytes: 0, or 411 set. */
int memupload_length(struct request *r, uint64_t least, uint64_t *n);
void memupload_spool(struct spool *sp, const char *data, size_t size);

/* Files read once from the browser, kept in memory only (memupload.c): from
 * the head, memupload_begin checks the size (at most max, and what one user
 * may upload) and the ?filename=, then memupload_take each piece of the body,
 * and memupload_end however the request ends.  memupload_complete: 0 when the
 * whole file arrived, or the error status it set. */
int memupload_begin(struct request *r, uint64_t max);
/* memupload_begin for a file whose ?filename= must end in ext (".tar"),
 * what saying what such a file is when it does not. */
int memupload_begin_file(struct request *r, uint64_t max, const char *ext, const char *what);
void memupload_take(struct request *r, const char *data, size_t size);
void memupload_end(struct request *r);
int memupload_complete(struct request *r);
const char *memupload_path(const struct request *r);     /* for core to open */
const char *memupload_filename(const struct request *r); /* the user's name for it */
int memupload_fd(const struct request *r);

/* Files of records imported from the browser, as `attest import`; the
 * checks made from the head before the upload begins. */
int api_import(struct request *r);
int api_import_upload_begin(struct request *r);
/* A record's proof, the archive verified, a bundle checked (api_verify.c). */
int api_records_proof(struct request *r);
int api_proof_consistency(struct request *r);
int api_verify(struct request *r);
int api_verify_bundle(struct request *r);
int api_verify_bundle_begin(struct request *r);
int assets_serve(struct request *r);

#endif
