/*
 * server.c: the HTTP server over libmicrohttpd: a pool of worker threads,
 * each with its own SQLite connection to the archive (WAL lets them read
 * while one writes); who may make a request decided from its head, before
 * its body is read; limits on body size, connections and time; an access
 * log without personal data; a signer that keeps the log's signed head at
 * most a minute old; graceful shutdown on SIGTERM.
 */
#include "http.h"
#include "server.h"
#include "../core/canonical.h"
#include "../core/evlog.h"
#include "../core/vault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

static struct buf csp = BUF_INIT;
static __thread struct store *thread_store;

/* Stores opened by worker threads, closed at shutdown. */
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store **stores;
static size_t nstores;

/* The scheme and host of a tile URL template such as
 * https://tiles.example.org/{z}/{x}/{y}.png, for the CSP, which takes
 * origins and not templates. */
static void csp_tile_origin(struct buf *b, const char *url)
{
    const char *host = strstr(url, "://");
    size_t n = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/") : 0;

    if (n > 0 && memchr(url, '{', n) == NULL && strcspn(url, " ;,'\"") >= n)
        buf_printf(b, " %.*s", (int)n, url);
}

static int64_t now_us(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static struct store *worker_store(struct at_ctx *ctx)
{
    if (thread_store == NULL && server_store_open(ctx, &thread_store) == AT_OK) {
        pthread_mutex_lock(&stores_lock);
        stores = xrealloc(stores, sizeof *stores * (nstores + 1));
        stores[nstores++] = thread_store;
        pthread_mutex_unlock(&stores_lock);
    }
    return thread_store;
}

static void add_security_headers(struct MHD_Response *resp, bool api, const char *cache,
                                 const char *policy)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", policy ? policy : buf_str(&csp));
    MHD_add_response_header(resp, "Cache-Control", cache ? cache : api ? "no-store" : "no-cache");
}

static enum MHD_Result send_reply(struct request *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char *text = NULL;

    if (r->file_fd >= 0) {
        resp = MHD_create_response_from_fd_at_offset64(r->file_len, r->file_fd, r->file_offset);
        r->file_fd = -1; /* the response closes it */
    } else if (r->stream) {
        resp = MHD_create_response_from_callback(r->file_len, 64 * 1024, r->stream, r->stream_arg,
                                                 r->stream_free);
        if (resp)
            r->stream = NULL; /* the response frees its argument */
    } else if (r->raw && r->raw_release) {
        resp = MHD_create_response_from_buffer_with_free_callback_cls(r->raw_len, (void *)r->raw,
                                                                      r->raw_release, r->raw_cls);
        if (resp)
            r->raw_release = NULL; /* the response releases them */
    } else if (r->raw) {
        resp = MHD_create_response_from_buffer(r->raw_len, (void *)r->raw, MHD_RESPMEM_PERSISTENT);
    } else if (r->owned) {
        resp = MHD_create_response_from_buffer(r->owned_len, r->owned, MHD_RESPMEM_MUST_FREE);
        r->owned = NULL;
    } else {
        if (r->reply == NULL)
            http_error(r, 500, "internal", NULL, "the handler gave no reply");
        text = json_dumps(r->reply, JSON_COMPACT | JSON_REAL_PRECISION(15));
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        r->content_type = "application/json; charset=utf-8";
    }
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type
                                                                  : "application/octet-stream");
    if (r->disposition)
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->etag[0])
        MHD_add_response_header(resp, "ETag", r->etag);
    if (r->content_range[0])
        MHD_add_response_header(resp, "Content-Range", r->content_range);
    add_security_headers(resp, strncmp(r->url, "/api/", 5) == 0, r->cache_control, r->csp);
    ret = MHD_queue_response(r->conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Appends s to b as the access log shows a field: visible ASCII as it is;
 * a backslash, \t, \n and \r as C writes them; every other byte (a space,
 * control characters, DEL, the bytes of non-ASCII text) as \xHH.  A
 * decoded %0A or %1B in a path can then neither forge a line nor reach a
 * terminal, and a space still ends a field. */
static void log_field(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        switch (c) {
        case '\\': buf_puts(b, "\\\\"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        default:
            if (c > 0x20 && c < 0x7F)
                buf_putc(b, (char)c);
            else
                buf_printf(b, "\\x%02x", c);
        }
    }
}

/* The access log: when, who (IP), what path, the status and time, one line
 * per request.  Never query strings or bodies, which may hold names. */
static void access_log(struct request *r)
{
    struct buf line = BUF_INIT;
    char when[21];

    canonical_now(when);
    buf_printf(&line, "%s ", when);
    log_field(&line, r->ip);
    buf_putc(&line, ' ');
    log_field(&line, r->method);
    buf_putc(&line, ' ');
    log_field(&line, r->url);
    buf_printf(&line, " %u %.1fms\n", r->status, (double)(now_us() - r->started_us) / 1000.0);
    fputs(buf_str(&line), stderr);
    buf_free(&line);
}

static bool is_upload(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/evidence") == 0;
}

/* A basemap's file, spooled to disk as it arrives (api_basemap.c). */
static bool is_basemap_upload(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/basemaps") == 0;
}

/* A file to import, a list to load, a bundle to check or a pack to import,
 * kept in memory as it arrives (memupload.c, api_import.c, api_lists.c,
 * api_verify.c, api_sync_files.c). */
static bool is_import_upload(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/import") == 0;
}

static bool is_lists_upload(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/lists") == 0;
}

static bool is_bundle_upload(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/verify/bundle") == 0;
}

static bool is_pack_upload(const char *method, const char *url)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/sync/import") == 0;
}

static struct request *request_new(struct MHD_Connection *conn, const char *url, const char *method)
{
    struct request *r = xcalloc(1, sizeof *r);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    r->conn = conn;
    r->url = url;
    r->method = method;
    r->file_fd = -1;
    r->started_us = now_us();
    snprintf(r->ip, sizeof r->ip, "-");
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)info->client_addr)->sin_addr, r->ip, sizeof r->ip);
    else if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)info->client_addr)->sin6_addr, r->ip, sizeof r->ip);
    return r;
}

/* Takes a chunk of the body: an evidence upload's goes to its handler, to
 * be encrypted as it arrives; everything else to memory up to
 * HTTP_MAX_BODY. */
static void take_body(struct request *r, const char *data, size_t size)
{
    if (r->upload) {
        api_evidence_upload_take(r, data, size);
        return;
    }
    if (r->basemap_upload) {
        api_basemap_upload_take(r, data, size);
        return;
    }
    if (r->memupload) {
        memupload_take(r, data, size);
        return;
    }
    if (r->too_big || r->upload_bytes + size > HTTP_MAX_BODY) {
        r->too_big = true;
        return;
    }
    r->upload_bytes += size;
    buf_append(&r->body, data, size);
}

/* What is decided from the request's head alone, before a byte of its
 * body is read: who is asking and whether they may (route.c), then the
 * body's declared size or, for an evidence upload, whether it may start.
 * Returns false when it has set a reply. */
static bool request_start(struct request *r)
{
    const char *length = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");

    if ((r->st = worker_store(&r->ctx)) == NULL) {
        http_error(r, 503, "unavailable", NULL, "the archive cannot be opened");
        return false;
    }
    if (route_gate(r) != 0)
        return false;
    if (is_upload(r->method, r->url))
        return api_evidence_upload_begin(r) == 0;
    if (is_basemap_upload(r->method, r->url))
        return api_basemap_upload_begin(r) == 0;
    if (is_import_upload(r->method, r->url))
        return api_import_upload_begin(r) == 0;
    if (is_lists_upload(r->method, r->url))
        return api_lists_upload_begin(r) == 0;
    if (is_bundle_upload(r->method, r->url))
        return api_verify_bundle_begin(r) == 0;
    if (is_pack_upload(r->method, r->url))
        return api_sync_import_begin(r) == 0;
    if (length && strtoull(length, NULL, 10) > HTTP_MAX_BODY) {
        http_error(r, 413, "too_large", NULL, "the body is larger than the server accepts "
                   "(%d bytes for JSON)", HTTP_MAX_BODY);
        return false;
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct request *r = *con_cls;

    (void)cls;
    (void)version;
    if (r == NULL) {
        r = request_new(conn, url, method);
        *con_cls = r;
        return request_start(r) ? MHD_YES : send_reply(r);
    }
    if (*upload_data_size > 0) {
        take_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->status != 0)
        return MHD_YES; /* replied already, from the head */
    if (r->too_big) {
        http_error(r, 413, "too_large", NULL, "the body is larger than the server accepts");
        return send_reply(r);
    }
    route_dispatch(r);
    return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *r = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (r == NULL)
        return;
    if (r->status)
        access_log(r);
    api_evidence_upload_end(r);
    api_basemap_upload_end(r);
    memupload_end(r);
    if (r->file_fd >= 0)
        close(r->file_fd);
    if (r->stream)
        r->stream_free(r->stream_arg);
    if (r->raw_release)
        r->raw_release(r->raw_cls);
    access_session_free(&r->keys);
    json_decref(r->reply);
    free(r->owned);
    buf_free(&r->body);
    free(r);
    *con_cls = NULL;
}

/* Signs a new head once a minute when the log has grown, so that what the
 * server wrote is never long unsigned. */
static volatile sig_atomic_t stopping;

static void *signer(void *arg)
{
    struct store *st = NULL;
    struct at_ctx ctx = { 0 };

    (void)arg;
    if (server_store_open(&ctx, &st) != AT_OK)
        return NULL;
    store_set_session(st, server_keys());
    while (!stopping) {
        for (int i = 0; i < 60 && !stopping; i++)
            sleep(1);
        evlog_write(&ctx, st, NULL, NULL);
    }
    store_close(st);
    return NULL;
}

static int read_pem(struct at_ctx *ctx, const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;

    if (f == NULL)
        return ctx_error(ctx, AT_ENOTFOUND, "cannot read %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    fclose(f);
    return AT_OK;
}

/* Each connection takes a file descriptor: raises the soft limit so that
 * max_connections fit beside the archive's own files, or lowers
 * max_connections to what the hard limit allows. */
#define SERVE_FD_RESERVE 256

static unsigned fit_fd_limit(unsigned max_connections)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)max_connections + SERVE_FD_RESERVE;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return max_connections;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > 2 * SERVE_FD_RESERVE ? (unsigned)(rl.rlim_cur - SERVE_FD_RESERVE) : 16;
        fprintf(stderr, "attest: the open-file limit (%llu) allows %u connections, not %u\n",
                (unsigned long long)rl.rlim_cur, fit, max_connections);
        return fit;
    }
    return max_connections;
}

/* Removes what uploads and adds cut short (a crash, a kill) left in the
 * vault, before serving, and says so; a failure is only reported, since
 * every upload sweeps again. */
static void sweep_vault(void)
{
    struct at_ctx ctx = { 0 };
    struct store *st = NULL;
    long removed = 0;
    int rc;

    if ((rc = server_store_open(&ctx, &st)) == AT_OK) {
        if ((rc = store_begin(&ctx, st)) == AT_OK) {
            rc = vault_sweep(&ctx, st, &removed);
            store_rollback(st); /* it wrote nothing */
        }
        store_close(st);
    }
    if (rc != AT_OK)
        fprintf(stderr, "attest: cannot sweep the vault: %s\n", ctx.message);
    else if (removed > 0)
        fprintf(stderr, "attest: removed %ld unfinished upload%s from the vault\n", removed,
                removed == 1 ? "" : "s");
}

/* Marks the sync jobs the last stop cut short as interrupted. */
static void recover_sync_jobs(void)
{
    struct at_ctx ctx = { 0 };
    struct store *st = NULL;

    if (server_store_open(&ctx, &st) != AT_OK) {
        fprintf(stderr, "attest: cannot read the sync jobs: %s\n", ctx.message);
        return;
    }
    store_set_session(st, server_keys());   /* for the ends set aside, sealed under the master key */
    api_sync_jobs_recover(st);
    store_close(st);
}

/* Removes the basemap files a crash left half received. */
static void sweep_basemap_uploads(void)
{
    long removed = api_basemap_sweep();

    if (removed < 0)
        fprintf(stderr, "attest: cannot sweep the archive's directory for unfinished basemap "
                "uploads: %s\n", strerror(errno));
    else if (removed > 0)
        fprintf(stderr, "attest: removed %ld unfinished basemap upload%s\n", removed,
                removed == 1 ? "" : "s");
}

int server_run(struct at_ctx *ctx, const struct serve_options *o)
{
    struct sockaddr_in addr = { 0 };
    struct MHD_Daemon *d;
    struct buf cert = BUF_INIT, key = BUF_INIT;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    sigset_t sigs;
    pthread_t signer_thread;
    unsigned max_connections;
    int sig, rc = AT_OK;

    server_settings_set(o);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->bind, &addr.sin_addr) != 1)
        return ctx_error(ctx, AT_EINVAL, "--bind %s: not an IPv4 address", o->bind);
    if ((o->tls_cert == NULL) != (o->tls_key == NULL))
        return ctx_error(ctx, AT_EINVAL, "TLS needs both --tls-cert and --tls-key");
    if (o->tls_cert && ((rc = read_pem(ctx, o->tls_cert, &cert)) != AT_OK
                        || (rc = read_pem(ctx, o->tls_key, &key)) != AT_OK))
        goto out;
    buf_printf(&csp, "default-src 'self'; img-src 'self' data:");
    if (o->tile_url)
        csp_tile_origin(&csp, o->tile_url);
    buf_printf(&csp, "; style-src 'self'; script-src 'self'; connect-src 'self'; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    auth_init(o->tls_cert != NULL);
    sweep_vault();
    sweep_basemap_uploads();
    recover_sync_jobs();
    /* SIGTERM and SIGINT are taken by sigwait below, in this thread only. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (o->tls_cert)
        flags |= MHD_USE_TLS;
    max_connections = fit_fd_limit(o->max_connections);
    d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_THREAD_POOL_SIZE, o->threads,
                         MHD_OPTION_CONNECTION_LIMIT, max_connections,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, SERVE_PER_IP(max_connections),
                         MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         o->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, buf_str(&cert),
                         MHD_OPTION_HTTPS_MEM_KEY, buf_str(&key),
                         MHD_OPTION_END);
    if (d == NULL) {
        rc = ctx_error(ctx, AT_ERR, "cannot listen on %s:%u (in use, or not allowed)", o->bind, o->port);
        goto out;
    }
    pthread_create(&signer_thread, NULL, signer, NULL);
    fprintf(stderr, "attest: serving %s at %s://%s:%u/ (%u threads, %u connections, %u per "
            "address, %u s idle); stop with Ctrl-C\n", o->archive, o->tls_cert ? "https" : "http",
            o->bind, o->port, o->threads, max_connections, SERVE_PER_IP(max_connections), o->timeout_s);
    sigwait(&sigs, &sig);
    fprintf(stderr, "attest: stopping: finishing the requests in flight\n");
    stopping = 1;
    api_sync_jobs_stop();   /* before the workers, which may be saving a job's end */
    MHD_quiesce_daemon(d);  /* no new connections */
    MHD_stop_daemon(d);     /* waits for the workers */
    pthread_join(signer_thread, NULL);
    api_tile_cache_free();
    api_map_cache_free();
    pthread_mutex_lock(&stores_lock);
    for (size_t i = 0; i < nstores; i++)
        store_close(stores[i]);
    free(stores);
    stores = NULL;
    nstores = 0;
    pthread_mutex_unlock(&stores_lock);
    fprintf(stderr, "attest: stopped\n");
out:
    sodium_memzero(key.data, key.cap);
    buf_free(&cert);
    buf_free(&key);
    return rc;
}
