/*
 * sync_net.c: the network client of sync, shared by the command line and
 * the server (a push or pull to a peer from the browser).  See
 * sync_net.h for the exchange; docs/commands/sync.md for its use.
 */
#include "attest.h"
#include "sync_net.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "sync_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NET_OUTBOX "sync-outbox"
#define NET_INBOX "sync-inbox"
#define NET_TRAVEL "sync-travel"

/* One exchange with the server.  A reply goes into body, or (fd >= 0) a
 * 200 or 206 reply's bytes go to fd: a 200 replaces what fd held, a 206
 * is appended; an error reply still goes into body. */
struct net_call {
    long status;
    struct buf body;
    int fd;
    CURL *h;
    bool started, to_file, write_failed, stopped;
    uint64_t written, max_bytes;   /* to fd in this call; stop after max_bytes (0: never) */
    char etag[80];
    const struct sync_net *n;      /* told the download's progress, or NULL */
    uint64_t base, total;          /* the bytes fd held before, and all it will */
};

static void note(const struct sync_net *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(const struct sync_net *n, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    if (n->note == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    n->note(n->note_arg, text);
}

static void progress(const struct sync_net *n, const char *stage, uint64_t done, uint64_t total)
{
    if (n->progress)
        n->progress(n->note_arg, stage, done, total);
}

static size_t net_take(char *data, size_t size, size_t nmemb, void *arg)
{
    struct net_call *c = arg;
    size_t len = size * nmemb, keep = len;

    if (!c->started) {
        c->started = true;
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &c->status);
        c->to_file = c->fd >= 0 && (c->status == 200 || c->status == 206);
        if (c->to_file && c->status == 200
            && (ftruncate(c->fd, 0) != 0 || lseek(c->fd, 0, SEEK_SET) != 0)) {
            c->write_failed = true;
            return 0;
        }
        if (c->to_file && c->n) {
            curl_off_t length = -1;
            off_t at = lseek(c->fd, 0, SEEK_CUR);
            curl_easy_getinfo(c->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
            c->base = at > 0 ? (uint64_t)at : 0;
            c->total = length >= 0 ? c->base + (uint64_t)length : 0;
            progress(c->n, c->status == 206 ? "resuming" : "downloading", c->base, c->total);
        }
    }
    if (!c->to_file) {
        buf_append(&c->body, data, len);
        return len;
    }
    if (c->max_bytes && c->written + len > c->max_bytes) {
        keep = (size_t)(c->max_bytes - c->written);
        c->stopped = true;
    }
    for (size_t done = 0; done < keep;) {
        ssize_t w = write(c->fd, data + done, keep - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            c->write_failed = true;
            return 0;
        }
        done += (size_t)w;
    }
    c->written += keep;
    if (c->n)
        progress(c->n, "downloading", c->base + c->written, c->total);
    return c->stopped ? 0 : len;
}

/* Keeps the reply's ETag. */
static size_t net_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct net_call *c = arg;
    size_t len = size * nmemb;

    if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
        size_t from = 5, to = len;
        while (from < to && (data[from] == ' ' || data[from] == '\t'))
            from++;
        while (to > from && strchr(" \t\r\n", data[to - 1]))
            to--;
        if (to - from < sizeof c->etag)
            snprintf(c->etag, sizeof c->etag, "%.*s", (int)(to - from), data + from);
    }
    return len;
}

/* True when host is a loopback name or address. */
static bool loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0
           || strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int sync_net_url_check(struct at_ctx *ctx, const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = AT_OK;

    if (url == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = ctx_error(ctx, AT_EINVAL, "URL \"%s\": give the server's address, such as "
                       "https://archive.example.org:8443", url ? url : "");
    else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
        rc = ctx_error(ctx, AT_EINVAL, "URL \"%s\": use https:// (or http:// to this machine)", url);
    else if (strcmp(scheme, "http") == 0 && !loopback(host))
        rc = ctx_error(ctx, AT_EINVAL, "URL \"%s\": plain http would send the token readable to "
                       "anyone on the way; use https:// (with --cacert for a server's own "
                       "certificate)", url);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

int sync_net_peer_kept(struct at_ctx *ctx, struct store *st, struct sync_net *n)
{
    struct sync_peer p = { 0 };
    int rc = sync_peer_get(ctx, st, n->peer, NULL, &p);

    if (rc == AT_OK && (n->url == NULL || *n->url == '\0') && p.url) {
        n->url = n->kept_url = p.url;
        p.url = NULL;
    }
    if (rc == AT_OK && n->cacert == NULL && p.cacert) {
        n->kept_cacert = p.cacert;
        p.cacert = NULL;
    }
    sync_peer_free(&p);
    return rc;
}

int sync_net_open(struct at_ctx *ctx, struct sync_net *n, const char *token)
{
    size_t len = token ? strlen(token) : 0;
    int rc;

    pthread_once(&curl_once, curl_start);
    if (n->chunk_size == 0)
        n->chunk_size = SYNC_NET_CHUNK_MAX;
    if ((rc = sync_net_url_check(ctx, n->url)) != AT_OK)
        return rc;
    while (len > 0 && strchr(" \t\r\n", token[len - 1]))
        len--;
    if (len == 0 || len > 128
        || strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != len)
        return ctx_error(ctx, AT_EINVAL, "token: give an API token of the server (POST "
                         "/api/v1/tokens there) for a user with the sync right");
    snprintf(n->auth, sizeof n->auth, "Authorization: Bearer %.*s", (int)len, token);
    /* A certificate kept with the peer goes to libcurl from memory: an
     * anonymous in-memory file, named by its descriptor, as this libcurl's
     * TLS library (GnuTLS) does not take CURLOPT_CAINFO_BLOB.  Nothing is
     * written to disk; sync_net_close closes it. */
    if (n->kept_cacert && n->cacert == NULL) {
        size_t pem_len = strlen(n->kept_cacert);
        int fd = memfd_create("attest-cacert", MFD_CLOEXEC);

        if (fd < 0 || write(fd, n->kept_cacert, pem_len) != (ssize_t)pem_len) {
            rc = ctx_error(ctx, AT_ERR, "cannot hold the peer's certificate in memory: %s",
                           strerror(errno));
            if (fd >= 0)
                close(fd);
            return rc;
        }
        n->cacert_fd = fd;
        n->cacert_held = true;
    }
    return AT_OK;
}

void sync_net_close(struct sync_net *n)
{
    sodium_memzero(n->auth, sizeof n->auth);
    if (n->cacert_held) {
        close(n->cacert_fd);
        n->cacert_held = false;
    }
    if (n->url == n->kept_url)
        n->url = NULL;
    free(n->kept_url);
    free(n->kept_cacert);
    n->kept_url = n->kept_cacert = NULL;
    json_decref(n->applied);
    n->applied = NULL;
}

/* The server's error message in a reply, or the status. */
static int net_error(struct at_ctx *ctx, const char *what, const struct net_call *c)
{
    json_t *j = c->body.len ? json_loadb(c->body.data, c->body.len, 0, NULL) : NULL;
    const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    int rc = ctx_error(ctx, c->status == 403 || c->status == 401 ? AT_EDENIED
                            : c->status == 404 ? AT_ENOTFOUND : AT_ERR,
                       "%s: the server answered %ld%s%s", what, c->status, m ? ": " : "",
                       m ? m : "");

    json_decref(j);
    return rc;
}

/* Makes one request: method to path (under the URL), with body (len
 * bytes, or none) and extra headers (NULL-ended, or NULL).  AT_OK when
 * the exchange happened (whatever its status, in c->status); a transfer
 * stopped by c->max_bytes is AT_OK with c->stopped. */
static int net_request(struct at_ctx *ctx, const struct sync_net *n, const char *method,
                       const char *path, const void *body, size_t len, const char *const *extra,
                       struct net_call *c)
{
    struct curl_slist *headers = NULL;
    struct buf url = BUF_INIT;
    char err[CURL_ERROR_SIZE] = "";
    CURLcode cc;

    c->h = curl_easy_init();
    c->status = 0;
    c->started = c->to_file = c->write_failed = c->stopped = false;
    c->written = 0;
    c->etag[0] = '\0';
    buf_reset(&c->body);
    buf_puts(&url, n->url);
    while (url.len > 0 && url.data[url.len - 1] == '/')
        url.len--;
    buf_putc(&url, '\0');
    url.len--;
    buf_puts(&url, path);
    headers = curl_slist_append(headers, n->auth);
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    headers = curl_slist_append(headers, "Expect:");
    for (size_t i = 0; extra && extra[i]; i++)
        headers = curl_slist_append(headers, extra[i]);
    curl_easy_setopt(c->h, CURLOPT_URL, buf_str(&url));
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (n->cacert) {
        curl_easy_setopt(c->h, CURLOPT_CAINFO, n->cacert);
    } else if (n->cacert_held) {
        char held[32];
        snprintf(held, sizeof held, "/proc/self/fd/%d", n->cacert_fd);
        curl_easy_setopt(c->h, CURLOPT_CAINFO, held);   /* libcurl copies the string */
    }
    curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, net_take);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, net_header);
    curl_easy_setopt(c->h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    cc = curl_easy_perform(c->h);
    if (c->status == 0)
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &c->status);
    curl_easy_cleanup(c->h);
    c->h = NULL;
    curl_slist_free_all(headers);
    buf_free(&url);
    if (c->write_failed)
        return ctx_error(ctx, AT_ERR, "cannot write what the server sent: %s", strerror(errno));
    if (c->stopped)
        return AT_OK;
    if (cc != CURLE_OK)
        return ctx_error(ctx, AT_ERR, "%s %s: %s", method, n->url,
                         err[0] ? err : curl_easy_strerror(cc));
    return AT_OK;
}

static json_t *net_json(const struct net_call *c)
{
    return c->body.len ? json_loadb(c->body.data, c->body.len, 0, NULL) : NULL;
}

/* Asks the server (method on path) for a reply of status holding the
 * string field: its value into out.  doing names the request in an error. */
static int net_ask(struct at_ctx *ctx, const struct sync_net *n, const char *method,
                   const char *path, long status, const char *field, const char *doing,
                   struct buf *out)
{
    struct net_call c = { .fd = -1 };
    json_t *j = NULL;
    int rc = net_request(ctx, n, method, path, NULL, 0, NULL, &c);

    if (rc == AT_OK && c.status != status) {
        rc = net_error(ctx, doing, &c);
    } else if (rc == AT_OK) {
        j = net_json(&c);
        if (json_string_value(json_object_get(j, field)) == NULL)
            rc = ctx_error(ctx, AT_ERR, "%s: not the reply of an attest server", doing);
        else
            buf_puts(out, json_string_value(json_object_get(j, field)));
    }
    json_decref(j);
    buf_free(&c.body);
    return rc;
}

/* A small state file beside a pack: its lines, or false when it is
 * missing, unreadable or for another server (its first line). */
static bool state_read(const char *path, const char *url, char lines[][2048], int nlines)
{
    FILE *f = fopen(path, "r");
    bool ok = f != NULL;

    for (int i = 0; ok && i < nlines; i++) {
        ok = fgets(lines[i], 2048, f) != NULL && strchr(lines[i], '\n') != NULL;
        if (ok)
            *strchr(lines[i], '\n') = '\0';
    }
    if (f)
        fclose(f);
    return ok && strcmp(lines[0], url) == 0;
}

/* Writes the state file path: each of the NULL-ended lines. */
static int state_write(struct at_ctx *ctx, const char *path, const char *const *lines)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc = AT_OK;
    FILE *f;

    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return ctx_error(ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
    }
    for (size_t i = 0; lines[i]; i++)
        fprintf(f, "%s\n", lines[i]);
    if (fclose(f) != 0)
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
    return rc;
}

/* The offset the server holds for upload id, or -1 when it has no such
 * upload (expired, or applied). */
static int upload_offset(struct at_ctx *ctx, const struct sync_net *n, const char *id,
                         int64_t *offset)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT;
    json_t *j = NULL;
    int rc;

    buf_printf(&path, "/api/v1/sync/uploads/%s", id);
    rc = net_request(ctx, n, "GET", buf_str(&path), NULL, 0, NULL, &c);
    *offset = -1;
    if (rc == AT_OK && c.status == 200) {
        j = net_json(&c);
        *offset = json_integer_value(json_object_get(j, "offset"));
    } else if (rc == AT_OK && c.status != 404) {
        rc = net_error(ctx, "asking where the upload stopped", &c);
    }
    json_decref(j);
    buf_free(&c.body);
    buf_free(&path);
    return rc;
}

static int upload_create(struct at_ctx *ctx, const struct sync_net *n, uint64_t length, char *id,
                         size_t idn)
{
    struct buf path = BUF_INIT, got = BUF_INIT;
    int rc;

    buf_printf(&path, "/api/v1/sync/uploads?length=%" PRIu64, length);
    if ((rc = net_ask(ctx, n, "POST", buf_str(&path), 201, "id", "starting the upload", &got)) == AT_OK)
        snprintf(id, idn, "%s", buf_str(&got));
    buf_free(&path);
    buf_free(&got);
    return rc;
}

/* Sends the file from offset in chunks; at most max_chunks (0: all). */
static int upload_send(struct at_ctx *ctx, struct sync_net *n, const char *id, int fd,
                       uint64_t length, int64_t offset, bool *done)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT;
    char *chunk = xmalloc(n->chunk_size);
    unsigned sent = 0;
    int rc = AT_OK;

    *done = false;
    progress(n, "uploading", (uint64_t)offset, length);
    while (rc == AT_OK && (uint64_t)offset < length) {
        size_t want = length - (uint64_t)offset < n->chunk_size ? (size_t)(length - (uint64_t)offset)
                                                                : n->chunk_size;
        ssize_t got;
        json_t *j, *o;

        if (n->max_chunks && sent == n->max_chunks)
            break;
        if ((got = pread(fd, chunk, want, offset)) != (ssize_t)want) {
            rc = ctx_error(ctx, AT_ERR, "cannot read the pack: %s",
                           got < 0 ? strerror(errno) : "it is shorter than when the upload began");
            break;
        }
        buf_reset(&path);
        buf_printf(&path, "/api/v1/sync/uploads/%s?offset=%" PRId64, id, offset);
        if ((rc = net_request(ctx, n, "PUT", buf_str(&path), chunk, want, NULL, &c)) != AT_OK)
            break;
        j = net_json(&c);
        /* 409: the server holds another offset (a reply lost on the way):
         * go on from where it says. */
        o = json_object_get(j, "offset");
        if ((c.status == 200 || c.status == 409) && json_is_integer(o))
            offset = json_integer_value(o);
        else
            rc = net_error(ctx, "sending a chunk", &c);
        json_decref(j);
        sent++;
        if (rc == AT_OK)
            progress(n, "uploading", (uint64_t)offset, length);
    }
    n->offset = (uint64_t)offset;
    n->length = length;
    if (rc == AT_OK)
        *done = (uint64_t)offset == length;
    if (rc == AT_OK && !*done)
        note(n, "sent %" PRId64 " of %" PRIu64 " bytes; run the same command again to send the "
             "rest", offset, length);
    free(chunk);
    buf_free(&c.body);
    buf_free(&path);
    return rc;
}

struct exchange {
    const char *peer, *mark, *kind;
};

/* Records an exchange with a peer: the mark it holds (when known) and
 * when and how it happened. */
static int exchanged(struct at_ctx *ctx, struct store *st, void *arg)
{
    const struct exchange *e = arg;
    int rc = AT_OK;

    if (e->mark)
        rc = sync_peer_mark_set(ctx, st, e->peer, e->mark);
    if (rc == AT_OK)
        rc = sync_peer_exchanged(ctx, st, e->peer, e->kind);
    return rc;
}

int sync_net_push_pack(struct at_ctx *ctx, struct store *st, struct sync_net *n,
                       const char *pack_path)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT, state = BUF_INIT;
    char id[128], lines[2][2048];
    struct stat sb;
    int64_t offset = -1;
    bool done = false;
    json_t *j = NULL;
    int rc, fd = open(pack_path, O_RDONLY | O_CLOEXEC);

    n->done = false;
    buf_printf(&state, "%s.upload", pack_path);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        rc = ctx_error(ctx, AT_ENOTFOUND, "cannot read the pack %s: %s", pack_path, strerror(errno));
        goto out;
    }
    if (state_read(buf_str(&state), n->url, lines, 2)) {
        snprintf(id, sizeof id, "%s", lines[1]);
        if ((rc = upload_offset(ctx, n, id, &offset)) != AT_OK)
            goto out;
    }
    if (offset >= 0) {
        note(n, "resuming the upload at byte %" PRId64 " of %lld", offset, (long long)sb.st_size);
        progress(n, "resuming", (uint64_t)offset, (uint64_t)sb.st_size);
    } else {
        if ((rc = upload_create(ctx, n, (uint64_t)sb.st_size, id, sizeof id)) != AT_OK
            || (rc = state_write(ctx, buf_str(&state), (const char *[]){ n->url, id, NULL })) != AT_OK)
            goto out;
        offset = 0;
    }
    if ((rc = upload_send(ctx, n, id, fd, (uint64_t)sb.st_size, offset, &done)) != AT_OK || !done)
        goto out;
    buf_printf(&path, "/api/v1/sync/uploads/%s/apply", id);
    progress(n, "applying", (uint64_t)sb.st_size, (uint64_t)sb.st_size);
    if ((rc = net_request(ctx, n, "POST", buf_str(&path), NULL, 0, NULL, &c)) != AT_OK)
        goto out;
    if (c.status != 200) {
        rc = net_error(ctx, "applying the pack", &c);
        if (c.status == 400 || c.status == 403 || c.status == 404)
            unlink(buf_str(&state));  /* the server dropped it: a new try starts afresh */
        goto out;
    }
    j = net_json(&c);
    unlink(buf_str(&state));
    n->applied = json_incref(json_object_get(j, "applied"));
    if (n->peer) {
        struct at_ctx quiet = { 0 };
        /* Recording it is a courtesy, as after a pull: the peer holds the
         * pack's content, and a mark not recorded here only makes the next
         * export larger.  (The write lock held by another program must not
         * turn a push delivered into one that failed.) */
        if (evlog_write(&quiet, st, exchanged, &(struct exchange){
                            n->peer, json_string_value(json_object_get(j, "mark")), "push" }) != AT_OK)
            note(n, "%s applied the pack; this archive could not record the exchange (%s), so "
                 "its status still shows the one before", n->peer, quiet.message);
    }
out:
    n->done = rc == AT_OK && done;
    if (fd >= 0)
        close(fd);
    json_decref(j);
    buf_free(&c.body);
    buf_free(&path);
    buf_free(&state);
    return rc;
}

/* A peer's name as a file name in the outbox and the inbox: what
 * `peers add` takes (no '/'). */
static int net_peer_check(struct at_ctx *ctx, const char *peer)
{
    size_t len = peer ? strlen(peer) : 0;

    if (len == 0 || len > 40 || strspn(peer, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != len)
        return ctx_error(ctx, AT_EINVAL, "peer \"%s\": a peer's name is 1 to 40 characters of "
                         "a-z, 0-9, '-', '_' and '.'", peer ? peer : "");
    return AT_OK;
}

/* dir/NAME under the archive directory, made (0700) when missing. */
static int net_dir(struct at_ctx *ctx, struct store *st, const char *name, struct buf *out)
{
    buf_printf(out, "%s/%s", store_dir(st), name);
    if (mkdir(buf_str(out), 0700) != 0 && errno != EEXIST)
        return ctx_error(ctx, AT_ERR, "cannot make %s: %s", buf_str(out), strerror(errno));
    return AT_OK;
}

int sync_net_push(struct at_ctx *ctx, struct store *st, struct sync_net *n)
{
    struct buf dir = BUF_INIT, pack = BUF_INIT, tmp = BUF_INIT, mark = BUF_INIT;
    struct stat sb;
    int rc, fd = -1;

    memset(&n->packed, 0, sizeof n->packed);
    if ((rc = net_peer_check(ctx, n->peer)) != AT_OK || (rc = net_dir(ctx, st, NET_OUTBOX, &dir)) != AT_OK)
        goto out;
    buf_printf(&pack, "%s/%s.pack", buf_str(&dir), n->peer);
    buf_printf(&tmp, "%s.tmp", buf_str(&pack));
    if (stat(buf_str(&pack), &sb) == 0) {
        note(n, "sending the pack an earlier push left (%lld bytes)", (long long)sb.st_size);
    } else {
        if ((rc = net_ask(ctx, n, "GET", "/api/v1/sync/mark", 200, "mark", "asking the server's mark",
                          &mark)) != AT_OK)
            goto out;
        progress(n, "exporting", 0, 0);
        fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&tmp), strerror(errno));
            goto out;
        }
        rc = sync_export(ctx, st, n->peer, buf_str(&mark), fd, &n->packed);
        if (rc == AT_OK && fsync(fd) != 0)
            rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&tmp), strerror(errno));
        close(fd);
        if (rc == AT_OK && rename(buf_str(&tmp), buf_str(&pack)) != 0)
            rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&pack), strerror(errno));
        if (rc != AT_OK) {
            unlink(buf_str(&tmp));
            goto out;
        }
        note(n, "packed %" PRIu64 " versions, %" PRIu64 " items, %" PRIu64 " files for %s",
             n->packed.versions, n->packed.items, n->packed.files, n->peer);
    }
    if ((rc = sync_net_push_pack(ctx, st, n, buf_str(&pack))) == AT_OK && n->done)
        unlink(buf_str(&pack));
out:
    buf_free(&dir);
    buf_free(&pack);
    buf_free(&tmp);
    buf_free(&mark);
    return rc;
}

/* Where a pull from peer downloads: sync-inbox/PEER.pack (made when
 * missing) and its state PEER.pack.pull ("URL\nSINCE\nETAG\n"). */
static int inbox_paths(struct at_ctx *ctx, struct store *st, const char *peer, struct buf *pack,
                       struct buf *state)
{
    struct buf dir = BUF_INIT;
    int rc = net_peer_check(ctx, peer);

    if (rc == AT_OK)
        rc = net_dir(ctx, st, NET_INBOX, &dir);

    buf_printf(pack, "%s/%s.pack", buf_str(&dir), peer);
    buf_printf(state, "%s.pull", buf_str(pack));
    buf_free(&dir);
    return rc;
}

int sync_net_pull(struct at_ctx *ctx, struct store *st, struct sync_net *n, const char *since,
                  struct sync_stats *stats)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT, archive = BUF_INIT, mark = BUF_INIT, pack = BUF_INIT;
    struct buf state = BUF_INIT, range = BUF_INIT, if_range = BUF_INIT;
    char *q_archive = NULL, *q_mark = NULL, lines[3][2048];
    const char *extra[3] = { NULL, NULL, NULL };
    struct stat sb;
    uint64_t offset = 0;
    int rc;

    n->done = false;
    if ((rc = store_meta_get(ctx, st, "archive_id", &archive)) != AT_OK
        || (since == NULL && (rc = sync_mark(ctx, st, &mark)) != AT_OK)
        || (rc = inbox_paths(ctx, st, n->peer, &pack, &state)) != AT_OK)
        goto out;
    if (since == NULL)
        since = buf_str(&mark);
    q_archive = curl_easy_escape(NULL, buf_str(&archive), 0);
    q_mark = curl_easy_escape(NULL, since, 0);
    buf_printf(&path, "/api/v1/sync/pack?archive=%s&since=%s", q_archive, q_mark);
    c.fd = open(buf_str(&pack), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (c.fd < 0 || fstat(c.fd, &sb) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&pack), strerror(errno));
        goto out;
    }
    /* The rest of the same pack, when a pull of it stopped. */
    if (sb.st_size > 0 && state_read(buf_str(&state), n->url, lines, 3)
        && strcmp(lines[1], since) == 0 && lines[2][0] == '"') {
        offset = (uint64_t)sb.st_size;
        buf_printf(&range, "Range: bytes=%" PRIu64 "-", offset);
        buf_printf(&if_range, "If-Range: %s", lines[2]);
        extra[0] = buf_str(&range);
        extra[1] = buf_str(&if_range);
    } else if (ftruncate(c.fd, 0) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&pack), strerror(errno));
        goto out;
    }
    if (lseek(c.fd, 0, SEEK_END) < 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&pack), strerror(errno));
        goto out;
    }
    c.max_bytes = n->max_bytes;
    c.n = n;
    progress(n, "downloading", 0, 0);
    rc = net_request(ctx, n, "GET", buf_str(&path), NULL, 0, extra, &c);
    if (rc == AT_OK && c.status == 416) {
        /* What was kept is the whole pack or more: fetch it afresh. */
        extra[0] = NULL;
        offset = 0;
        if (ftruncate(c.fd, 0) != 0 || lseek(c.fd, 0, SEEK_SET) != 0) {
            rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&pack), strerror(errno));
            goto out;
        }
        rc = net_request(ctx, n, "GET", buf_str(&path), NULL, 0, extra, &c);
    }
    if (c.status == 206)
        note(n, "resuming the download at byte %" PRIu64, offset);
    else
        offset = 0;
    if (c.to_file && c.etag[0] == '"'
        && state_write(ctx, buf_str(&state), (const char *[]){ n->url, since, c.etag, NULL }) != AT_OK)
        rc = ctx->code;
    if (rc != AT_OK)
        goto out;
    if (c.status != 200 && c.status != 206) {
        rc = net_error(ctx, "asking for a pack", &c);
        goto out;
    }
    if (fstat(c.fd, &sb) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot read %s: %s", buf_str(&pack), strerror(errno));
        goto out;
    }
    n->offset = (uint64_t)sb.st_size;
    n->length = n->offset;
    if (c.stopped) {
        n->length = 0;
        note(n, "received %" PRIu64 " bytes of the pack; run the same command again to fetch "
             "the rest", n->offset);
        goto out;
    }
    if (lseek(c.fd, 0, SEEK_SET) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot read the pack back: %s", strerror(errno));
        goto out;
    }
    progress(n, "importing", n->length, n->length);
    rc = sync_import_watched(ctx, st, c.fd, stats,
                             &(struct sync_watch){ n->imported, n->note_arg });
    /* A pack refused for what it is will never be taken: a new pull
     * starts afresh.  Kept on other failures, to be imported again. */
    if (rc == AT_OK || rc == AT_EINVAL || rc == AT_EDENIED || rc == AT_ECORRUPT) {
        unlink(buf_str(&pack));
        unlink(buf_str(&state));
    }
    if (rc == AT_OK && n->peer) {
        struct at_ctx quiet = { 0 };
        /* Recording when is a courtesy: the pack is in whatever it says. */
        evlog_write(&quiet, st, exchanged, &(struct exchange){ n->peer, NULL, "pull" });
    }
    n->done = rc == AT_OK;
out:
    if (c.fd >= 0)
        close(c.fd);
    curl_free(q_archive);
    curl_free(q_mark);
    buf_free(&c.body);
    buf_free(&path);
    buf_free(&archive);
    buf_free(&mark);
    buf_free(&pack);
    buf_free(&state);
    buf_free(&range);
    buf_free(&if_range);
    return rc;
}

int sync_net_peer_url(struct at_ctx *ctx, struct store *st, const char *name, const char *url)
{
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_MANAGE_PEERS, 0)) != AT_OK
        || (url && (rc = sync_net_url_check(ctx, url)) != AT_OK))
        return rc;
    return sync_peer_change(ctx, st, "UPDATE peer SET url = ?2 WHERE name = ?1", name, url,
                            "recording a peer's address");
}

/* The most a kept certificate file may hold. */
#define NET_CACERT_MAX (64 * 1024)

int sync_net_peer_cacert(struct at_ctx *ctx, struct store *st, const char *name, const char *pem)
{
    X509 *cert = NULL;
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_MANAGE_PEERS, 0)) != AT_OK)
        return rc;
    if (pem) {
        BIO *bio = strlen(pem) <= NET_CACERT_MAX ? BIO_new_mem_buf(pem, -1) : NULL;
        if (bio)
            cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (cert == NULL)
            return ctx_error(ctx, AT_EINVAL, "field \"cacert\": not a certificate in PEM (\"-----BEGIN "
                             "CERTIFICATE-----\" ..., at most %d KiB): give the peer's server "
                             "certificate or its CA's", NET_CACERT_MAX / 1024);
        X509_free(cert);
    }
    return sync_peer_change(ctx, st, "UPDATE peer SET cacert = ?2 WHERE name = ?1", name, pem,
                            "recording a peer's certificate");
}

int sync_net_travel_path(struct at_ctx *ctx, struct store *st, const char *peer, struct buf *out)
{
    struct buf dir = BUF_INIT;
    int rc = net_peer_check(ctx, peer);

    if (rc == AT_OK && (rc = net_dir(ctx, st, NET_TRAVEL, &dir)) == AT_OK)
        buf_printf(out, "%s/%s.pack", buf_str(&dir), peer);
    buf_free(&dir);
    return rc;
}

int sync_net_restore(struct at_ctx *ctx, struct store *st, struct sync_net *n, const char *pack,
                     struct sync_stats *stats)
{
    int rc;

    if (pack) {
        if ((rc = sync_net_push_pack(ctx, st, n, pack)) != AT_OK)
            return rc;
        if (!n->done)
            return ctx_error(ctx, AT_ERR, "the travel pack is not yet all delivered");
        note(n, "travel pack delivered to %s", n->peer);
    }
    if ((rc = sync_net_pull(ctx, st, n, SYNC_MARK_NOTHING, stats)) == AT_OK && !n->done)
        rc = ctx_error(ctx, AT_ERR, "the pull from %s is not yet all received", n->peer);
    return rc;
}

json_t *sync_net_waiting(struct store *st, const char *peer)
{
    struct buf path = BUF_INIT;
    struct stat sb;
    json_t *out = json_object();

    buf_printf(&path, "%s/" NET_OUTBOX "/%s.pack", store_dir(st), peer);
    if (stat(buf_str(&path), &sb) == 0) {
        json_t *o = json_pack("{s:I}", "bytes", (json_int_t)sb.st_size);
        buf_puts(&path, ".upload");
        json_object_set_new(o, "upload", json_boolean(stat(buf_str(&path), &sb) == 0));
        json_object_set_new(out, "outbox", o);
    } else {
        json_object_set_new(out, "outbox", json_null());
    }
    buf_reset(&path);
    buf_printf(&path, "%s/" NET_INBOX "/%s.pack", store_dir(st), peer);
    if (stat(buf_str(&path), &sb) == 0 && sb.st_size > 0)
        json_object_set_new(out, "inbox", json_pack("{s:I}", "bytes", (json_int_t)sb.st_size));
    else
        json_object_set_new(out, "inbox", json_null());
    buf_reset(&path);
    buf_printf(&path, "%s/" NET_TRAVEL "/%s.pack", store_dir(st), peer);
    if (stat(buf_str(&path), &sb) == 0)
        json_object_set_new(out, "travel", json_pack("{s:I}", "bytes", (json_int_t)sb.st_size));
    else
        json_object_set_new(out, "travel", json_null());
    buf_free(&path);
    return out;
}
