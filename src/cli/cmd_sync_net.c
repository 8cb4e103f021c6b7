/*
 * cmd_sync_net.c: `attest sync push URL --to NAME` and `attest sync pull
 * URL --from NAME`: packs exchanged with another archive's server over its
 * API (src/http/api_sync.c), run by cmd_sync.c; the same calls bring a
 * travelled laptop back (`attest travel restore URL`, cmd_travel.c).
 *
 * A push asks the server what it holds (its mark), exports the rest into
 * sync-outbox/NAME.pack in the archive directory, and uploads that file
 * in chunks; the upload's id is kept beside it (NAME.pack.upload), so
 * that a push cut short resumes from the offset the server reports when
 * run again, with the same bytes.  When the server has applied the pack,
 * its reply's mark is recorded as what NAME holds and the outbox is
 * emptied.  A pull downloads a pack of what this archive lacks (by its
 * own mark) into an unlinked file and imports it in one transaction.
 *
 * TLS: the server's certificate is always verified (the system's CAs, or
 * --cacert for a server with its own); redirects are never followed; a
 * token is sent over plain http only to a loopback address.
 */
#include "cli.h"
#include "../core/evlog.h"
#include "../core/sync.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NET_CHUNK_MAX (1 << 20)      /* the server's HTTP_MAX_BODY */
#define NET_CHUNK_MIN 1024

static const char usage_text[] =
    "usage: attest sync push URL --to NAME [--token-file F] [--cacert F] [--chunk-size BYTES]\n"
    "                        [--max-chunks N]\n"
    "       attest sync pull URL --from NAME [--token-file F] [--cacert F]\n";

/* One exchange with the server. */
struct net_call {
    long status;
    struct buf body;       /* the reply, when not written to fd */
    int fd;                /* or the file the reply goes to (-1: body) */
    bool write_failed;
};

static size_t net_take(char *data, size_t size, size_t n, void *arg)
{
    struct net_call *c = arg;
    size_t len = size * n;

    if (c->fd >= 0) {
        for (size_t done = 0; done < len;) {
            ssize_t w = write(c->fd, data + done, len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                c->write_failed = true;
                return 0;
            }
            done += (size_t)w;
        }
        return len;
    }
    buf_append(&c->body, data, len);
    return len;
}

/* True when host is a loopback name or address. */
static bool loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0
           || strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

int sync_net_open(struct cli *cli, struct sync_net *n)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    struct buf token = BUF_INIT;
    int rc = AT_OK;

    if (curl_url_set(u, CURLUPART_URL, n->url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = ctx_error(&cli->ctx, AT_EINVAL, "URL \"%s\": give the server's address, such as "
                       "https://archive.example.org:8443", n->url);
    else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
        rc = ctx_error(&cli->ctx, AT_EINVAL, "URL \"%s\": use https:// (or http:// to this "
                       "machine)", n->url);
    else if (strcmp(scheme, "http") == 0 && !loopback(host))
        rc = ctx_error(&cli->ctx, AT_EINVAL, "URL \"%s\": plain http would send the token "
                       "readable to anyone on the way; use https:// (with --cacert for a "
                       "server's own certificate)", n->url);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    if (rc != AT_OK)
        return rc;
    if (n->token_file == NULL)
        n->token_file = getenv("ATTEST_TOKEN_FILE");
    if (n->token_file == NULL)
        return ctx_error(&cli->ctx, AT_EINVAL, "give --token-file F: a file holding an API token "
                         "of the server (POST /api/v1/tokens) for a user with the sync right");
    if (cli_read_file(cli, n->token_file, &token) != EXIT_OK)
        return ctx_error(&cli->ctx, AT_EINVAL, "cannot read the token file %s", n->token_file);
    while (token.len > 0 && strchr(" \t\r\n", token.data[token.len - 1]))
        token.len--;
    buf_putc(&token, '\0');
    token.len--;
    if (token.len == 0 || strspn(buf_str(&token), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                   "vwxyz0123456789-_.") != token.len)
        rc = ctx_error(&cli->ctx, AT_EINVAL, "the token file %s does not hold a token", n->token_file);
    else
        snprintf(n->auth, sizeof n->auth, "Authorization: Bearer %s", buf_str(&token));
    sodium_memzero(token.data, token.cap);
    buf_free(&token);
    return rc;
}

/* The server's error message in a reply, or the status. */
static void net_error(struct cli *cli, const char *what, const struct net_call *c)
{
    json_t *j = c->body.len ? json_loadb(c->body.data, c->body.len, 0, NULL) : NULL;
    const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));

    ctx_error(&cli->ctx, c->status == 403 || c->status == 401 ? AT_EDENIED
                         : c->status == 404 ? AT_ENOTFOUND : AT_ERR,
              "%s: the server answered %ld%s%s", what, c->status, m ? ": " : "", m ? m : "");
    json_decref(j);
}

/* Makes one request: method to path (under the URL), with body (len
 * bytes, or none), the reply to out_fd or into c->body.  AT_OK when the
 * exchange happened (whatever its status, in c->status). */
static int net_request(struct cli *cli, const struct sync_net *n, const char *method,
                       const char *path, const void *body, size_t len, struct net_call *c)
{
    struct curl_slist *headers = NULL;
    struct buf url = BUF_INIT;
    char err[CURL_ERROR_SIZE] = "";
    CURL *h = curl_easy_init();
    CURLcode cc;

    c->status = 0;
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
    curl_easy_setopt(h, CURLOPT_URL, buf_str(&url));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (n->cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, n->cacert);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, net_take);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    buf_free(&url);
    if (c->write_failed)
        return ctx_error(&cli->ctx, AT_ERR, "cannot write what the server sent: %s", strerror(errno));
    if (cc != CURLE_OK)
        return ctx_error(&cli->ctx, AT_ERR, "%s %s: %s", method, n->url,
                         err[0] ? err : curl_easy_strerror(cc));
    return AT_OK;
}

/* A JSON reply's member as an integer or text. */
static json_t *net_json(const struct net_call *c)
{
    return c->body.len ? json_loadb(c->body.data, c->body.len, 0, NULL) : NULL;
}

/* The server's mark, into out. */
static int net_server_mark(struct cli *cli, const struct sync_net *n, struct buf *out)
{
    struct net_call c = { .fd = -1 };
    json_t *j = NULL;
    int rc = net_request(cli, n, "GET", "/api/v1/sync/mark", NULL, 0, &c);

    if (rc == AT_OK && c.status != 200) {
        net_error(cli, "asking the server's mark", &c);
        rc = cli->ctx.code;
    } else if (rc == AT_OK) {
        j = net_json(&c);
        if (json_string_value(json_object_get(j, "mark")) == NULL)
            rc = ctx_error(&cli->ctx, AT_ERR, "the server's mark: not the reply of an attest server");
        else
            buf_puts(out, json_string_value(json_object_get(j, "mark")));
    }
    json_decref(j);
    buf_free(&c.body);
    return rc;
}

/* The upload of pack_path kept beside it (PATH.upload: "URL\nID\n"). */
static void upload_state_path(struct buf *out, const char *pack_path)
{
    buf_printf(out, "%s.upload", pack_path);
}

static bool upload_state_read(const char *pack_path, const char *url, char *id, size_t n)
{
    struct buf path = BUF_INIT;
    char line_url[2048], line_id[128];
    bool ok = false;
    FILE *f;

    upload_state_path(&path, pack_path);
    if ((f = fopen(buf_str(&path), "r")) != NULL) {
        ok = fscanf(f, "%2047s %127s", line_url, line_id) == 2 && strcmp(line_url, url) == 0;
        fclose(f);
    }
    buf_free(&path);
    if (ok)
        snprintf(id, n, "%s", line_id);
    return ok;
}

static int upload_state_write(struct cli *cli, const char *pack_path, const char *url, const char *id)
{
    struct buf path = BUF_INIT;
    int fd, rc = AT_OK;
    FILE *f;

    upload_state_path(&path, pack_path);
    fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        rc = ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", buf_str(&path), strerror(errno));
    } else {
        fprintf(f, "%s\n%s\n", url, id);
        if (fclose(f) != 0)
            rc = ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", buf_str(&path), strerror(errno));
    }
    buf_free(&path);
    return rc;
}

/* The offset the server holds for upload id, or -1 when it has no such
 * upload (expired, or applied). */
static int upload_offset(struct cli *cli, const struct sync_net *n, const char *id, int64_t *offset)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT;
    json_t *j = NULL;
    int rc;

    buf_printf(&path, "/api/v1/sync/uploads/%s", id);
    rc = net_request(cli, n, "GET", buf_str(&path), NULL, 0, &c);
    *offset = -1;
    if (rc == AT_OK && c.status == 200) {
        j = net_json(&c);
        *offset = json_integer_value(json_object_get(j, "offset"));
    } else if (rc == AT_OK && c.status != 404) {
        net_error(cli, "asking where the upload stopped", &c);
        rc = cli->ctx.code;
    }
    json_decref(j);
    buf_free(&c.body);
    buf_free(&path);
    return rc;
}

static int upload_create(struct cli *cli, const struct sync_net *n, uint64_t length, char *id,
                         size_t idn)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT;
    json_t *j = NULL;
    int rc;

    buf_printf(&path, "/api/v1/sync/uploads?length=%" PRIu64, length);
    rc = net_request(cli, n, "POST", buf_str(&path), NULL, 0, &c);
    if (rc == AT_OK && c.status != 201) {
        net_error(cli, "starting the upload", &c);
        rc = cli->ctx.code;
    } else if (rc == AT_OK) {
        j = net_json(&c);
        if (json_string_value(json_object_get(j, "id")) == NULL)
            rc = ctx_error(&cli->ctx, AT_ERR, "starting the upload: not the reply of an attest server");
        else
            snprintf(id, idn, "%s", json_string_value(json_object_get(j, "id")));
    }
    json_decref(j);
    buf_free(&c.body);
    buf_free(&path);
    return rc;
}

/* Sends the file from offset in chunks; at most max_chunks (0: all). */
static int upload_send(struct cli *cli, const struct sync_net *n, const char *id, int fd,
                       uint64_t length, int64_t offset, bool *done)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT;
    char *chunk = xmalloc(n->chunk_size);
    unsigned sent = 0;
    int rc = AT_OK;

    *done = false;
    while (rc == AT_OK && (uint64_t)offset < length) {
        size_t want = length - (uint64_t)offset < n->chunk_size ? (size_t)(length - (uint64_t)offset)
                                                                : n->chunk_size;
        ssize_t got = pread(fd, chunk, want, offset);
        json_t *j;

        if (n->max_chunks && sent == n->max_chunks)
            break;
        if (got != (ssize_t)want) {
            rc = ctx_error(&cli->ctx, AT_ERR, "cannot read the pack: %s",
                           got < 0 ? strerror(errno) : "it is shorter than when the upload began");
            break;
        }
        buf_reset(&path);
        buf_printf(&path, "/api/v1/sync/uploads/%s?offset=%" PRId64, id, offset);
        if ((rc = net_request(cli, n, "PUT", buf_str(&path), chunk, want, &c)) != AT_OK)
            break;
        j = net_json(&c);
        if (c.status == 200 || c.status == 409) {
            /* 409: the server holds another offset (a reply lost on the
             * way): go on from where it says. */
            json_t *o = json_object_get(j, "offset");
            if (!json_is_integer(o)) {
                net_error(cli, "sending a chunk", &c);
                rc = cli->ctx.code;
            } else {
                offset = json_integer_value(o);
            }
        } else {
            net_error(cli, "sending a chunk", &c);
            rc = cli->ctx.code;
        }
        json_decref(j);
        sent++;
    }
    if (rc == AT_OK)
        *done = (uint64_t)offset == length;
    if (rc == AT_OK && !*done)
        fprintf(stderr, "attest: sent %" PRId64 " of %" PRIu64 " bytes; run the same command "
                "again to send the rest\n", offset, length);
    free(chunk);
    buf_free(&c.body);
    buf_free(&path);
    return rc;
}

static int mark_set(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char *const *pm = arg;

    return sync_peer_mark_set(ctx, st, pm[0], pm[1]);
}

int sync_net_push_pack(struct cli *cli, struct sync_net *n, const char *pack_path)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT;
    char id[128];
    struct stat sb;
    int64_t offset = -1;
    bool done = false;
    json_t *j = NULL;
    int rc, fd = open(pack_path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &sb) != 0) {
        rc = ctx_error(&cli->ctx, AT_ENOTFOUND, "cannot read the pack %s: %s", pack_path,
                       strerror(errno));
        goto out;
    }
    if (upload_state_read(pack_path, n->url, id, sizeof id)
        && (rc = upload_offset(cli, n, id, &offset)) != AT_OK)
        goto out;
    if (offset >= 0) {
        fprintf(stderr, "attest: resuming the upload at byte %" PRId64 " of %lld\n", offset,
                (long long)sb.st_size);
    } else {
        if ((rc = upload_create(cli, n, (uint64_t)sb.st_size, id, sizeof id)) != AT_OK
            || (rc = upload_state_write(cli, pack_path, n->url, id)) != AT_OK)
            goto out;
        offset = 0;
    }
    if ((rc = upload_send(cli, n, id, fd, (uint64_t)sb.st_size, offset, &done)) != AT_OK || !done)
        goto out;
    buf_printf(&path, "/api/v1/sync/uploads/%s/apply", id);
    if ((rc = net_request(cli, n, "POST", buf_str(&path), NULL, 0, &c)) != AT_OK)
        goto out;
    if (c.status != 200) {
        net_error(cli, "applying the pack", &c);
        rc = cli->ctx.code;
        if (c.status == 400 || c.status == 403 || c.status == 404) {
            buf_reset(&path);
            upload_state_path(&path, pack_path);
            unlink(buf_str(&path));  /* the server dropped it: a new try starts afresh */
        }
        goto out;
    }
    j = net_json(&c);
    buf_reset(&path);
    upload_state_path(&path, pack_path);
    unlink(buf_str(&path));
    n->applied = json_incref(json_object_get(j, "applied"));
    if (json_string_value(json_object_get(j, "mark")) && n->peer) {
        const char *pm[2] = { n->peer, json_string_value(json_object_get(j, "mark")) };
        rc = evlog_write(&cli->ctx, cli->st, mark_set, pm);
    }
out:
    n->done = rc == AT_OK && done;
    if (fd >= 0)
        close(fd);
    json_decref(j);
    buf_free(&c.body);
    buf_free(&path);
    return rc;
}

int sync_net_pull(struct cli *cli, struct sync_net *n, const char *since, struct sync_stats *stats)
{
    struct net_call c = { .fd = -1 };
    struct buf path = BUF_INIT, archive = BUF_INIT, mark = BUF_INIT;
    char *q_archive = NULL, *q_mark = NULL;
    int rc;

    if ((rc = store_meta_get(&cli->ctx, cli->st, "archive_id", &archive)) != AT_OK)
        goto out;
    if (since == NULL && (rc = sync_mark(&cli->ctx, cli->st, &mark)) != AT_OK)
        goto out;
    q_archive = curl_easy_escape(NULL, buf_str(&archive), 0);
    q_mark = curl_easy_escape(NULL, since ? since : buf_str(&mark), 0);
    buf_printf(&path, "/api/v1/sync/pack?archive=%s&since=%s", q_archive, q_mark);
    c.fd = open(store_dir(cli->st), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (c.fd < 0) {
        rc = ctx_error(&cli->ctx, AT_ERR, "cannot make a temporary file in %s: %s",
                       store_dir(cli->st), strerror(errno));
        goto out;
    }
    if ((rc = net_request(cli, n, "GET", buf_str(&path), NULL, 0, &c)) != AT_OK)
        goto out;
    if (c.status != 200) {
        /* The error reply went to the file: read it back for its message. */
        off_t len = lseek(c.fd, 0, SEEK_END);
        char text[4096];
        ssize_t got = len > 0 && len < (off_t)sizeof text ? pread(c.fd, text, (size_t)len, 0) : -1;

        buf_reset(&c.body);
        if (got > 0)
            buf_append(&c.body, text, (size_t)got);
        net_error(cli, "asking for a pack", &c);
        rc = cli->ctx.code;
        goto out;
    }
    if (lseek(c.fd, 0, SEEK_SET) != 0) {
        rc = ctx_error(&cli->ctx, AT_ERR, "cannot read the pack back: %s", strerror(errno));
        goto out;
    }
    rc = sync_import(&cli->ctx, cli->st, c.fd, stats);
out:
    if (c.fd >= 0)
        close(c.fd);
    curl_free(q_archive);
    curl_free(q_mark);
    buf_free(&c.body);
    buf_free(&path);
    buf_free(&archive);
    buf_free(&mark);
    return rc;
}

/* Whether name is a pinned peer. */
static int peer_known(struct cli *cli, const char *name)
{
    json_t *peers = NULL, *p;
    size_t i;
    bool found = false;
    int rc = sync_peer_list(&cli->ctx, cli->st, &peers);

    json_array_foreach(peers, i, p)
        found |= strcmp(json_string_value(json_object_get(p, "name")) ?: "", name) == 0;
    json_decref(peers);
    if (rc == AT_OK && !found)
        rc = ctx_error(&cli->ctx, AT_ENOTFOUND, "no peer named %s: pin the server's archive "
                       "first with `attest peers add %s LINE` (LINE from its `attest key show`)",
                       name, name);
    return rc;
}

/* Exports what the server lacks into the outbox (unless an earlier push
 * left a pack there), then uploads it. */
static int push(struct cli *cli, struct sync_net *n)
{
    struct sync_stats stats = { 0 };
    struct buf dir = BUF_INIT, pack = BUF_INIT, tmp = BUF_INIT, mark = BUF_INIT;
    struct stat sb;
    int rc, fd = -1;

    buf_printf(&dir, "%s/sync-outbox", store_dir(cli->st));
    buf_printf(&pack, "%s/%s.pack", buf_str(&dir), n->peer);
    buf_printf(&tmp, "%s.tmp", buf_str(&pack));
    if (mkdir(buf_str(&dir), 0700) != 0 && errno != EEXIST) {
        rc = ctx_error(&cli->ctx, AT_ERR, "cannot make %s: %s", buf_str(&dir), strerror(errno));
        goto out;
    }
    if (stat(buf_str(&pack), &sb) == 0) {
        fprintf(stderr, "attest: sending the pack an earlier push left (%lld bytes)\n",
                (long long)sb.st_size);
    } else {
        if ((rc = net_server_mark(cli, n, &mark)) != AT_OK)
            goto out;
        fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            rc = ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", buf_str(&tmp), strerror(errno));
            goto out;
        }
        rc = sync_export(&cli->ctx, cli->st, n->peer, buf_str(&mark), fd, &stats);
        if (rc == AT_OK && fsync(fd) != 0)
            rc = ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", buf_str(&tmp), strerror(errno));
        close(fd);
        if (rc == AT_OK && rename(buf_str(&tmp), buf_str(&pack)) != 0)
            rc = ctx_error(&cli->ctx, AT_ERR, "cannot write %s: %s", buf_str(&pack), strerror(errno));
        if (rc != AT_OK) {
            unlink(buf_str(&tmp));
            goto out;
        }
        fprintf(stderr, "attest: packed %" PRIu64 " versions, %" PRIu64 " items, %" PRIu64
                " files for %s\n", stats.versions, stats.items, stats.files, n->peer);
    }
    if ((rc = sync_net_push_pack(cli, n, buf_str(&pack))) == AT_OK && n->done) {
        unlink(buf_str(&pack));
        printf("pushed to %s: %" PRId64 " versions, %" PRId64 " items, %" PRId64 " files applied"
               " (%" PRId64 " already held)\n", n->peer,
               (int64_t)json_integer_value(json_object_get(n->applied, "versions")),
               (int64_t)json_integer_value(json_object_get(n->applied, "items")),
               (int64_t)json_integer_value(json_object_get(n->applied, "files")),
               (int64_t)json_integer_value(json_object_get(n->applied, "already_held")));
    }
out:
    json_decref(n->applied);
    n->applied = NULL;
    buf_free(&dir);
    buf_free(&pack);
    buf_free(&tmp);
    buf_free(&mark);
    return rc;
}

static int net_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "attest sync: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

int sync_net_run(struct cli *cli, int argc, char **argv)
{
    struct sync_net n = { .chunk_size = NET_CHUNK_MAX };
    const char *to = NULL, *from = NULL, *chunk = NULL, *max = NULL;
    bool pushing = argc > 0 && strcmp(argv[0], "push") == 0;
    struct sync_stats stats = { 0 };
    int rc;

    if (argc < 2 || argv[1][0] == '-')
        return net_usage("%s needs the server's URL", argc > 0 ? argv[0] : "push or pull");
    n.url = argv[1];
    /* Each option takes a value: two arguments a step. */
    for (int i = 2; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = strcmp(argv[i], "--to") == 0 && pushing ? &to
                          : strcmp(argv[i], "--from") == 0 && !pushing ? &from
                          : strcmp(argv[i], "--token-file") == 0 ? &n.token_file
                          : strcmp(argv[i], "--cacert") == 0 ? &n.cacert
                          : strcmp(argv[i], "--chunk-size") == 0 && pushing ? &chunk
                          : strcmp(argv[i], "--max-chunks") == 0 && pushing ? &max : NULL;
        if (slot == NULL)
            return net_usage("unknown option %s", argv[i]);
        if (v == NULL)
            return net_usage("%s needs a value", argv[i]);
        *slot = v;
    }
    n.peer = pushing ? to : from;
    if (n.peer == NULL)
        return net_usage("%s", pushing ? "push needs --to NAME (the server's archive, as pinned "
                                         "with `attest peers add`)"
                                       : "pull needs --from NAME (the server's archive, as "
                                         "pinned with `attest peers add`)");
    if (chunk) {
        char *end;
        unsigned long v = strtoul(chunk, &end, 10);
        if (*end != '\0' || v < NET_CHUNK_MIN || v > NET_CHUNK_MAX)
            return net_usage("--chunk-size %s: give a number of bytes from 1024 to 1048576", chunk);
        n.chunk_size = v;
    }
    if (max) {
        char *end;
        unsigned long v = strtoul(max, &end, 10);
        if (*end != '\0' || v < 1 || v > 1000000)
            return net_usage("--max-chunks %s: give a number from 1 to 1000000", max);
        n.max_chunks = (unsigned)v;
    }
    if ((rc = sync_net_open(cli, &n)) != AT_OK || (rc = peer_known(cli, n.peer)) != AT_OK)
        goto out;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (pushing) {
        rc = push(cli, &n);
    } else if ((rc = sync_net_pull(cli, &n, NULL, &stats)) == AT_OK) {
        printf("pulled from %s: %" PRIu64 " versions, %" PRIu64 " items, %" PRIu64 " files"
               " (%" PRIu64 " already held, %" PRIu64 " conflicts)\n", n.peer, stats.versions,
               stats.items, stats.files, stats.skipped_already, stats.conflicts);
    }
    curl_global_cleanup();
out:
    sodium_memzero(n.auth, sizeof n.auth);
    return rc == AT_OK ? EXIT_OK : cli_fail(cli, rc);
}
