/*
 * api_sync.c: /api/v1/sync: packs between archives over the network.
 *
 * A push is a resumable upload of one pack (the same bytes `attest sync
 * export` writes, already signed by the sending archive and encrypted to
 * this one): POST /uploads declares its length and returns an id and the
 * offset received so far (0); PUT /uploads/{id} appends one chunk at the
 * offset it names (?offset=N or Content-Range: bytes A-B/TOTAL), refusing
 * a gap or an overlap with 409 and the offset the server holds; GET (or
 * HEAD) /uploads/{id} tells that offset after an interruption; POST
 * /uploads/{id}/apply imports the complete pack (sync_import, one
 * transaction) and answers with this archive's mark, which the client
 * records as what this archive holds.
 *
 * Uploads are spooled in sync-uploads/ inside the archive directory (mode
 * 0700, files 0600), each as ID.pack with ID.meta beside it (the user who
 * made it and the declared length).  A chunk is one request body, so at
 * most HTTP_MAX_BODY bytes.  The upload limits of `attest serve` bound
 * what is spooled per user and in all; an upload untouched for
 * SYNC_UPLOAD_TTL_S is removed by the next one made.
 *
 * A pull (GET /pack?archive=ID[&since=MARK]) exports for the peer whose
 * archive id the caller gives, since the mark it says it holds (or the
 * mark this archive last heard from it), into a file in the spool that is
 * then streamed with a tag (ETag); the file is kept for
 * SYNC_UPLOAD_TTL_S, so that a pull cut short asks for the rest of those
 * same bytes (Range: bytes=N-, If-Range: TAG; answered 206).
 *
 * Who may push or pull is the route's action (ACTION_SYNC); which archive
 * a pack came from is decided by its signature alone (sync_import).
 */
#include "http.h"
#include "server.h"
#include "../core/evlog.h"
#include "../core/sync.h"
#include "../core/sync_net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define SYNC_SPOOL "sync-uploads"
#define SYNC_UPLOAD_TTL_S (24 * 60 * 60)
#define SYNC_ID_BYTES 16
#define SYNC_ID_LEN (2 * SYNC_ID_BYTES)

/* One lock for the spool: creating, appending and applying are each
 * checked and done under it, so that two requests for one upload cannot
 * both append at one offset. */
static pthread_mutex_t spool_lock = PTHREAD_MUTEX_INITIALIZER;

/* An upload as its meta file records it. */
struct spooled {
    char id[SYNC_ID_LEN + 1];
    char user[64];
    uint64_t length;   /* declared */
    uint64_t offset;   /* received: the pack file's size */
    time_t touched;    /* the pack file's last change */
};

static void spool_path(struct buf *out, const char *id, const char *ext)
{
    buf_printf(out, "%s/" SYNC_SPOOL, server_archive());
    if (id)
        buf_printf(out, "/%s.%s", id, ext);
}

/* Makes the spool directory, private to the server's user. */
static int spool_dir(struct request *r)
{
    struct buf dir = BUF_INIT;
    int rc = 0;

    spool_path(&dir, NULL, NULL);
    if (mkdir(buf_str(&dir), 0700) != 0 && errno != EEXIST)
        rc = http_error(r, 500, "internal", NULL, "cannot make the upload spool: %s", strerror(errno));
    else
        chmod(buf_str(&dir), 0700);
    buf_free(&dir);
    return rc;
}

static bool valid_id(const char *id)
{
    return strlen(id) == SYNC_ID_LEN && strspn(id, "0123456789abcdef") == SYNC_ID_LEN;
}

/* Reads the upload id from the spool into *u; false when there is none. */
static bool spool_read(const char *id, struct spooled *u)
{
    struct buf path = BUF_INIT;
    struct stat sb;
    FILE *f;
    bool ok = false;

    memset(u, 0, sizeof *u);
    if (!valid_id(id))
        return false;
    snprintf(u->id, sizeof u->id, "%s", id);
    spool_path(&path, id, "meta");
    if ((f = fopen(buf_str(&path), "r")) != NULL) {
        ok = fscanf(f, "%63s %" SCNu64, u->user, &u->length) == 2;
        fclose(f);
    }
    buf_reset(&path);
    spool_path(&path, id, "pack");
    if (ok && stat(buf_str(&path), &sb) == 0) {
        u->offset = (uint64_t)sb.st_size;
        u->touched = sb.st_mtime;
    } else {
        ok = false;
    }
    buf_free(&path);
    return ok;
}

static void spool_remove(const char *id)
{
    struct buf path = BUF_INIT;

    spool_path(&path, id, "pack");
    unlink(buf_str(&path));
    buf_reset(&path);
    spool_path(&path, id, "meta");
    unlink(buf_str(&path));
    buf_free(&path);
}

/* Removes stale uploads and counts what the others hold, in all and for
 * user.  Under the lock. */
struct spool_use {
    unsigned uploads, user_uploads;
    uint64_t bytes, user_bytes;
};

static void spool_sweep(const char *user, struct spool_use *use)
{
    struct buf dir = BUF_INIT;
    struct dirent *e;
    time_t now = time(NULL);
    DIR *d;

    memset(use, 0, sizeof *use);
    spool_path(&dir, NULL, NULL);
    if ((d = opendir(buf_str(&dir))) != NULL) {
        while ((e = readdir(d)) != NULL) {
            char id[SYNC_ID_LEN + 1];
            struct spooled u;
            size_t n = strlen(e->d_name);

            if (strncmp(e->d_name, "pull-", 5) == 0) {
                struct buf kept = BUF_INIT;
                struct stat sb;
                buf_printf(&kept, "%s/%s", buf_str(&dir), e->d_name);
                if (stat(buf_str(&kept), &sb) == 0 && now - sb.st_mtime > SYNC_UPLOAD_TTL_S)
                    unlink(buf_str(&kept));
                buf_free(&kept);
                continue;
            }
            if (n != SYNC_ID_LEN + 5 || strcmp(e->d_name + SYNC_ID_LEN, ".meta") != 0)
                continue;
            snprintf(id, sizeof id, "%.*s", SYNC_ID_LEN, e->d_name);
            if (!spool_read(id, &u) || now - u.touched > SYNC_UPLOAD_TTL_S) {
                spool_remove(id);
                continue;
            }
            use->uploads++;
            use->bytes += u.length;
            if (strcmp(u.user, user) == 0) {
                use->user_uploads++;
                use->user_bytes += u.length;
            }
        }
        closedir(d);
    }
    buf_free(&dir);
}

static json_t *upload_json(const struct spooled *u)
{
    return json_pack("{s:s, s:I, s:I, s:b}", "id", u->id, "offset", (json_int_t)u->offset,
                     "length", (json_int_t)u->length, "complete", u->offset == u->length);
}

/* The upload named in the path, made by the caller: 0, or the status set. */
static int upload_of(struct request *r, struct spooled *u)
{
    if (!spool_read(r->params[0], u) || strcmp(u->user, r->keys.user) != 0)
        return http_error(r, 404, "not_found", NULL, "no upload %s (it may have expired after "
                          "%d hours untouched): start again with POST /api/v1/sync/uploads",
                          r->params[0], SYNC_UPLOAD_TTL_S / 3600);
    return 0;
}

/* Bytes free on the archive's file system. */
static uint64_t disk_free(void)
{
    struct statvfs vfs;

    if (statvfs(server_archive(), &vfs) != 0)
        return UINT64_MAX;
    return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

/* The spool's limits for a new upload of length bytes: 0, or the status set. */
static int spool_admit(struct request *r, uint64_t length, const struct spool_use *use)
{
    const struct upload_limits *lim = server_upload_limits();

    if (length > lim->bytes_per_user)
        return http_error(r, 413, "too_large", "length", "the pack is %" PRIu64 " bytes; this "
                          "server takes at most %" PRIu64 " bytes of uploads from one user",
                          length, lim->bytes_per_user);
    if (use->uploads >= lim->total)
        return http_error(r, 429, "too_many_uploads", NULL, "the server holds %u unfinished "
                          "uploads, as many as it takes; try again later", use->uploads);
    if (use->user_uploads >= lim->per_user || use->user_bytes + length > lim->bytes_per_user)
        return http_error(r, 429, "too_many_uploads", NULL, "you have %u unfinished uploads "
                          "(%" PRIu64 " bytes); finish or delete one first (DELETE "
                          "/api/v1/sync/uploads/ID)", use->user_uploads, use->user_bytes);
    if (use->bytes + length > disk_free())
        return http_error(r, 507, "insufficient_storage", NULL, "the server's disk has no room "
                          "for %" PRIu64 " more bytes", length);
    return 0;
}

int api_sync_upload_create(struct request *r)
{
    const char *text = http_arg(r, "length");
    uint8_t raw[SYNC_ID_BYTES];
    struct spooled u = { 0 };
    struct spool_use use;
    struct buf path = BUF_INIT;
    char *end = NULL;
    int fd, status;
    FILE *f;

    if (text && *text >= '0' && *text <= '9') {
        errno = 0;
        u.length = strtoull(text, &end, 10);
    }
    if (end == NULL || *end != '\0' || errno != 0 || u.length == 0)
        return http_error(r, 400, "invalid", "length", "give the pack's size in bytes in "
                          "?length= (a whole number above 0)");
    if ((status = spool_dir(r)) != 0)
        return status;
    pthread_mutex_lock(&spool_lock);
    spool_sweep(r->keys.user, &use);
    if ((status = spool_admit(r, u.length, &use)) != 0)
        goto out;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(u.id, sizeof u.id, raw, sizeof raw);
    snprintf(u.user, sizeof u.user, "%s", r->keys.user);
    spool_path(&path, u.id, "pack");
    if ((fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        status = http_error(r, 500, "internal", NULL, "cannot make the upload: %s", strerror(errno));
        goto out;
    }
    close(fd);
    buf_reset(&path);
    spool_path(&path, u.id, "meta");
    fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        spool_remove(u.id);
        status = http_error(r, 500, "internal", NULL, "cannot make the upload: %s", strerror(errno));
        goto out;
    }
    fprintf(f, "%s %" PRIu64 "\n", u.user, u.length);
    if (fclose(f) != 0) {
        spool_remove(u.id);
        status = http_error(r, 500, "internal", NULL, "cannot make the upload: %s", strerror(errno));
        goto out;
    }
    status = http_json(r, 201, upload_json(&u));
out:
    pthread_mutex_unlock(&spool_lock);
    buf_free(&path);
    return status;
}

int api_sync_upload_get(struct request *r)
{
    struct spooled u;
    int status;

    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) == 0)
        status = http_json(r, 200, upload_json(&u));
    pthread_mutex_unlock(&spool_lock);
    return status;
}

int api_sync_upload_delete(struct request *r)
{
    struct spooled u;
    int status;

    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) == 0) {
        spool_remove(u.id);
        status = http_json(r, 200, json_pack("{s:s, s:b}", "id", u.id, "deleted", 1));
    }
    pthread_mutex_unlock(&spool_lock);
    return status;
}

/* Where the chunk says it starts: ?offset=N or Content-Range: bytes A-B/T
 * (B the last byte, T the pack's length or *).  0, or the status set. */
static int chunk_offset(struct request *r, const struct spooled *u, uint64_t *offset)
{
    const char *range = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Range");
    const char *text = http_arg(r, "offset");
    uint64_t first, last, total;
    char tail[32];
    char *end = NULL;

    if (range) {
        if (sscanf(range, "bytes %" SCNu64 "-%" SCNu64 "/%31s", &first, &last, tail) != 3
            || last < first || last - first + 1 != r->body.len)
            return http_error(r, 400, "invalid", "Content-Range", "Content-Range must be "
                              "\"bytes FIRST-LAST/LENGTH\" with LAST-FIRST+1 the body's %zu "
                              "bytes", r->body.len);
        total = strcmp(tail, "*") == 0 ? u->length : strtoull(tail, NULL, 10);
        if (total != u->length)
            return http_error(r, 400, "invalid", "Content-Range", "the upload's length is %"
                              PRIu64 " bytes, not %s", u->length, tail);
        *offset = first;
        return 0;
    }
    if (text && *text >= '0' && *text <= '9') {
        errno = 0;
        *offset = strtoull(text, &end, 10);
    }
    if (end == NULL || *end != '\0' || errno != 0)
        return http_error(r, 400, "invalid", "offset", "say where the chunk starts: ?offset=N "
                          "or a Content-Range header");
    return 0;
}

int api_sync_upload_put(struct request *r)
{
    struct buf path = BUF_INIT;
    struct spooled u;
    uint64_t offset = 0;
    int status, fd = -1;

    if (r->body.len == 0)
        return http_error(r, 400, "invalid", "body", "a chunk needs a body of 1 to %d bytes",
                          HTTP_MAX_BODY);
    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) != 0 || (status = chunk_offset(r, &u, &offset)) != 0)
        goto out;
    if (offset != u.offset) {
        status = http_error(r, 409, "conflict", "offset", "the server holds %" PRIu64
                            " bytes of this upload; the next chunk must start at %" PRIu64
                            ", not %" PRIu64 " (%s)", u.offset, u.offset, offset,
                            offset < u.offset ? "it overlaps what was received" : "it leaves a gap");
        json_object_set_new(r->reply, "offset", json_integer((json_int_t)u.offset));
        goto out;
    }
    if (r->body.len > u.length - u.offset) {
        status = http_error(r, 400, "invalid", "body", "the chunk runs %" PRIu64 " bytes past "
                            "the upload's declared length of %" PRIu64,
                            (uint64_t)r->body.len - (u.length - u.offset), u.length);
        goto out;
    }
    spool_path(&path, u.id, "pack");
    if ((fd = open(buf_str(&path), O_WRONLY | O_APPEND | O_CLOEXEC)) < 0
        || write(fd, r->body.data, r->body.len) != (ssize_t)r->body.len || fdatasync(fd) != 0) {
        status = http_error(r, 500, "internal", NULL, "cannot store the chunk: %s", strerror(errno));
        /* A short write leaves the file longer than what was acknowledged:
         * cut it back, so that the client resumes where the server says. */
        if (fd >= 0 && ftruncate(fd, (off_t)u.offset) != 0)
            spool_remove(u.id);
        goto out;
    }
    u.offset += r->body.len;
    status = http_json(r, 200, upload_json(&u));
out:
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&spool_lock);
    buf_free(&path);
    return status;
}

int api_sync_upload_apply(struct request *r)
{
    struct sync_stats stats = { 0 };
    struct buf path = BUF_INIT, mark = BUF_INIT;
    struct spooled u;
    int status, rc, fd = -1;

    pthread_mutex_lock(&spool_lock);
    if ((status = upload_of(r, &u)) == 0 && u.offset != u.length) {
        status = http_error(r, 409, "conflict", NULL, "the server holds %" PRIu64 " of the "
                            "pack's %" PRIu64 " bytes; send the rest from offset %" PRIu64
                            " first", u.offset, u.length, u.offset);
        json_object_set_new(r->reply, "offset", json_integer((json_int_t)u.offset));
    }
    if (status == 0) {
        spool_path(&path, u.id, "pack");
        if ((fd = open(buf_str(&path), O_RDONLY | O_CLOEXEC)) < 0)
            status = http_error(r, 500, "internal", NULL, "cannot read the upload: %s", strerror(errno));
    }
    /* The import may be long: other uploads go on meanwhile.  A complete
     * upload takes no more chunks, and importing is idempotent. */
    pthread_mutex_unlock(&spool_lock);
    if (status != 0)
        goto out;
    rc = sync_import(&r->ctx, r->st, fd, &stats);
    if (rc == AT_OK)
        rc = sync_mark(&r->ctx, r->st, &mark);
    /* A pack refused for what it is will never be taken: drop it.  Kept
     * on other failures, so that the client may apply it again. */
    if (rc == AT_OK || rc == AT_EINVAL || rc == AT_EDENIED || rc == AT_ECORRUPT) {
        pthread_mutex_lock(&spool_lock);
        spool_remove(u.id);
        pthread_mutex_unlock(&spool_lock);
    }
    if (rc != AT_OK)
        status = http_core_error(r, rc);
    else
        status = http_json(r, 200, json_pack("{s:s, s:s, s:o}", "id", u.id, "mark", buf_str(&mark),
                                             "applied", api_sync_stats_json(&stats)));
out:
    if (fd >= 0)
        close(fd);
    buf_free(&path);
    buf_free(&mark);
    return status;
}

int api_sync_mark(struct request *r)
{
    struct buf mark = BUF_INIT;
    int rc = sync_mark(&r->ctx, r->st, &mark);

    if (rc == AT_OK)
        rc = http_json(r, 200, json_pack("{s:s}", "mark", buf_str(&mark)));
    else
        rc = http_core_error(r, rc);
    buf_free(&mark);
    return rc;
}

/* The name this archive gives the peer whose archive id is archive, into
 * out: 0, or the status set. */
static int peer_named(struct request *r, const char *archive, char *out, size_t n)
{
    json_t *peers = NULL, *p;
    size_t i;
    int status = -1;

    if (archive == NULL || *archive == '\0')
        return http_error(r, 400, "invalid", "archive", "give your archive's id in ?archive= "
                          "(the id in your `attest key show` line)");
    if (sync_peer_list(&r->ctx, r->st, &peers) != AT_OK)
        return http_core_error(r, r->ctx.code ? r->ctx.code : AT_ERR);
    json_array_foreach(peers, i, p) {
        const char *id = json_string_value(json_object_get(p, "archive"));
        if (id && strcmp(id, archive) == 0) {
            snprintf(out, n, "%s", json_string_value(json_object_get(p, "name")) ?: "");
            status = 0;
            break;
        }
    }
    json_decref(peers);
    if (status != 0)
        status = http_error(r, 404, "not_found", "archive", "this archive has not pinned archive "
                            "%s: its administrator adds it with `attest peers add`", archive);
    return status;
}

/* A pull's pack is kept in the spool as pull-KEY.pack, with its tag
 * (the ETag, quoted) in pull-KEY.tag, KEY a hash of who asked, for which
 * archive and since which mark: a pull cut short asks for the rest of the
 * same bytes (Range, If-Range: TAG), since a pack made again would differ
 * (fresh nonces).  A pull without a Range always gets a pack made anew. */
static void pull_path(struct buf *out, struct request *r, const char *archive, const char *since,
                      const char *ext)
{
    uint8_t key[16];
    char hex[2 * sizeof key + 1];
    crypto_generichash_state h;

    crypto_generichash_init(&h, NULL, 0, sizeof key);
    crypto_generichash_update(&h, (const uint8_t *)r->keys.user, strlen(r->keys.user) + 1);
    crypto_generichash_update(&h, (const uint8_t *)archive, strlen(archive) + 1);
    crypto_generichash_update(&h, (const uint8_t *)(since ? since : ""), strlen(since ? since : ""));
    crypto_generichash_final(&h, key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    buf_printf(out, "%s/" SYNC_SPOOL "/pull-%s.%s", server_archive(), hex, ext);
}

/* The kept pack whose tag is if_range, open at *fd with its size, or
 * false.  Under the lock. */
static bool pull_kept(const char *pack, const char *tag_path, const char *if_range, int *fd,
                      uint64_t *size)
{
    char tag[sizeof ((struct request *)0)->etag] = "";
    struct stat sb;
    FILE *f = fopen(tag_path, "r");
    bool ok = f && fgets(tag, sizeof tag, f) && strcmp(tag, if_range) == 0;

    if (f)
        fclose(f);
    if (ok && ((*fd = open(pack, O_RDONLY | O_CLOEXEC)) < 0 || fstat(*fd, &sb) != 0))
        ok = false;
    if (ok && time(NULL) - sb.st_mtime > SYNC_UPLOAD_TTL_S)
        ok = false;
    if (!ok && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    if (ok)
        *size = (uint64_t)sb.st_size;
    return ok;
}

/* Serves the rest of a kept pack from the Range's first byte: 0 and the
 * reply set, or -1 when the Range is not one this answers (the whole pack
 * is then sent anew). */
static int pull_rest(struct request *r, int fd, uint64_t size, const char *range)
{
    uint64_t first;
    char tail;

    if (sscanf(range, "bytes=%" SCNu64 "-%c", &first, &tail) != 1)
        return -1;
    if (first >= size) {
        close(fd);
        snprintf(r->content_range, sizeof r->content_range, "bytes */%" PRIu64, size);
        return http_error(r, 416, "range", "Range", "the pack has %" PRIu64 " bytes; ask "
                          "without a Range for it whole", size);
    }
    snprintf(r->content_range, sizeof r->content_range, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
             first, size - 1, size);
    r->file_fd = fd;
    r->file_offset = first;
    r->file_len = size - first;
    r->status = 206;
    return 206;
}

int api_sync_pack(struct request *r)
{
    const char *archive = http_arg(r, "archive"), *since = http_arg(r, "since");
    const char *range = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Range");
    const char *if_range = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Range");
    struct sync_stats stats = { 0 };
    struct spool_use use;
    struct buf pack = BUF_INIT, tag = BUF_INIT, tmp = BUF_INIT;
    uint8_t raw[12];
    char peer[128];
    uint64_t size = 0;
    struct stat sb;
    FILE *f;
    int status, rc, fd = -1;

    if ((status = peer_named(r, archive, peer, sizeof peer)) != 0
        || (status = spool_dir(r)) != 0)
        return status;
    pull_path(&pack, r, archive, since, "pack");
    pull_path(&tag, r, archive, since, "tag");
    r->content_type = "application/octet-stream";
    r->disposition = "attachment; filename=\"attest.pack\"";
    if (range && if_range) {
        pthread_mutex_lock(&spool_lock);
        if (pull_kept(buf_str(&pack), buf_str(&tag), if_range, &fd, &size)) {
            snprintf(r->etag, sizeof r->etag, "%s", if_range);
            status = pull_rest(r, fd, size, range);
            if (status == -1)
                close(fd);
        } else {
            status = -1;
        }
        fd = -1;
        pthread_mutex_unlock(&spool_lock);
        if (status != -1)
            goto out;
    }
    /* A new pack, written beside and put in place under the lock. */
    pthread_mutex_lock(&spool_lock);
    spool_sweep(r->keys.user, &use);   /* stale uploads and kept pulls go */
    pthread_mutex_unlock(&spool_lock);
    randombytes_buf(raw, sizeof raw);
    r->etag[0] = '"';
    sodium_bin2hex(r->etag + 1, sizeof r->etag - 2, raw, sizeof raw);
    strcat(r->etag, "\"");
    buf_printf(&tmp, "%s.%s", buf_str(&pack), r->etag + 1);
    tmp.len--;      /* without the closing quote */
    tmp.data[tmp.len] = '\0';
    fd = open(buf_str(&tmp), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        status = http_error(r, 500, "internal", NULL, "cannot make a temporary file: %s",
                            strerror(errno));
        goto out;
    }
    rc = sync_export(&r->ctx, r->st, peer, since, fd, &stats);
    if (rc != AT_OK) {
        status = http_core_error(r, rc);
        goto out;
    }
    if (fstat(fd, &sb) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        status = http_error(r, 500, "internal", NULL, "cannot read the pack back");
        goto out;
    }
    pthread_mutex_lock(&spool_lock);
    if ((f = fopen(buf_str(&tag), "w")) != NULL) {
        fputs(r->etag, f);
        if (fclose(f) != 0 || rename(buf_str(&tmp), buf_str(&pack)) != 0)
            unlink(buf_str(&tag));   /* then not resumable: the whole pack is still sent */
    }
    pthread_mutex_unlock(&spool_lock);
    r->file_fd = fd;
    fd = -1;
    r->file_len = (uint64_t)sb.st_size;
    r->status = 200;
    status = 200;
out:
    if (fd >= 0)
        close(fd);
    if (tmp.len)
        unlink(buf_str(&tmp));
    buf_free(&pack);
    buf_free(&tag);
    buf_free(&tmp);
    return status;
}

int api_sync_conflicts(struct request *r)
{
    json_t *list = NULL;
    int rc = sync_conflicts(&r->ctx, r->st, &list);   /* only what the reader may see */

    if (rc != AT_OK)
        return http_core_error(r, rc);
    return http_json(r, 200, json_pack("{s:o}", "conflicts", list));
}

/* ---- peers, the key line and status, for an admin in the browser ---------------
 * The same core calls as `attest key show`, `attest peers` and `attest sync
 * push|pull`; route.c lets only admins reach them (ACTION_MANAGE_PEERS),
 * and core checks again.  A peer's key line is what the admin gives, never
 * what the peer's server says; the token for a peer's server is taken from
 * the request and never stored. */

/* GET /api/v1/sync/key */
int api_sync_key(struct request *r)
{
    struct buf line = BUF_INIT;
    int rc = sync_key_line(&r->ctx, r->st, &line);

    rc = rc == AT_OK ? http_json(r, 200, json_pack("{s:s}", "line", buf_str(&line)))
                     : http_core_error(r, rc);
    buf_free(&line);
    return rc;
}

/* Replies with the peers. */
static int reply_peers(struct request *r, unsigned status)
{
    json_t *peers = NULL;
    int rc = sync_peer_list(&r->ctx, r->st, &peers);

    return rc == AT_OK ? http_json(r, status, json_pack("{s:o}", "peers", peers))
                       : http_core_error(r, rc);
}

/* GET /api/v1/sync/peers */
int api_sync_peers(struct request *r)
{
    return reply_peers(r, 200);
}

struct peer_change {
    const char *name, *line, *tier, *url, *cacert;
};

static int peer_add(struct at_ctx *ctx, struct store *st, void *arg)
{
    const struct peer_change *c = arg;
    int rc = sync_peer_add(ctx, st, c->name, c->line, c->tier);

    if (rc == AT_OK && c->url)
        rc = sync_net_peer_url(ctx, st, c->name, c->url);
    return rc == AT_OK && c->cacert ? sync_net_peer_cacert(ctx, st, c->name, c->cacert) : rc;
}

static int peer_remove(struct at_ctx *ctx, struct store *st, void *arg)
{
    const struct peer_change *c = arg;

    return sync_peer_remove(ctx, st, c->name);
}

/* POST /api/v1/sync/peers {name, line, tier, url, cacert} */
int api_sync_peer_add(struct request *r)
{
    json_t *body = http_body_json(r, true);
    struct peer_change c;
    int status, rc;

    if (body == NULL)
        return (int)r->status;
    c = (struct peer_change){ json_string_value(json_object_get(body, "name")),
                              json_string_value(json_object_get(body, "line")),
                              json_string_value(json_object_get(body, "tier")),
                              json_string_value(json_object_get(body, "url")),
                              json_string_value(json_object_get(body, "cacert")) };
    if (c.tier == NULL)
        c.tier = "team";
    if (c.url && *c.url == '\0')
        c.url = NULL;
    if (c.cacert && *c.cacert == '\0')
        c.cacert = NULL;
    if (c.name == NULL || *c.name == '\0')
        status = http_error(r, 400, "invalid", "name", "\"name\" is required: what this archive "
                            "calls the peer (a-z, 0-9, '-', '_', '.')");
    else if (c.line == NULL || *c.line == '\0')
        status = http_error(r, 400, "invalid", "line", "\"line\" is required: the peer's key "
                            "line, as its `attest key show` prints it (ask its administrator)");
    else if ((rc = evlog_write(&r->ctx, r->st, peer_add, &c)) != AT_OK)
        status = http_core_error(r, rc);
    else
        status = reply_peers(r, 201);
    json_decref(body);
    return status;
}

/* DELETE /api/v1/sync/peers/{name} */
int api_sync_peer_remove(struct request *r)
{
    int rc = evlog_write(&r->ctx, r->st, peer_remove, &(struct peer_change){ .name = r->params[0] });

    return rc == AT_OK ? api_sync_peers(r) : http_core_error(r, rc);
}

/* How many of the sequence numbers mark holds peer's mark lacks: the log
 * entries and versions a push would send, near enough to show. */
static json_int_t mark_ahead(json_t *mark, const char *peer_mark)
{
    json_t *theirs = peer_mark ? json_loads(peer_mark, 0, NULL) : NULL, *v;
    const char *key;
    json_int_t ahead = 0;

    json_object_foreach(mark, key, v) {
        json_int_t held = json_integer_value(json_object_get(theirs, key));
        if (json_integer_value(v) > held)
            ahead += json_integer_value(v) - held;
    }
    json_decref(theirs);
    return ahead;
}

/* GET /api/v1/sync/status: this archive's mark and conflicts; each
 * peer's mark, how far it is behind, what waits for it, the last
 * exchange and its running or last job (api_sync_jobs.c). */
int api_sync_status(struct request *r)
{
    json_t *peers = NULL, *conflicts = NULL, *mark = NULL, *p, *list;
    struct buf own = BUF_INIT;
    size_t i;
    int rc;

    if ((rc = sync_peer_list(&r->ctx, r->st, &peers)) != AT_OK
        || (rc = sync_conflicts(&r->ctx, r->st, &conflicts)) != AT_OK
        || (rc = sync_mark(&r->ctx, r->st, &own)) != AT_OK) {
        json_decref(peers);
        json_decref(conflicts);
        buf_free(&own);
        return http_core_error(r, rc);
    }
    mark = json_loads(buf_str(&own), 0, NULL);
    list = json_array();
    json_array_foreach(peers, i, p) {
        json_t *held = json_object_get(p, "mark");
        char *text = json_is_object(held) ? json_dumps(held, JSON_COMPACT) : NULL;
        json_t *s = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:I}", "name", json_object_get(p, "name"),
                              "tier", json_object_get(p, "tier"), "url", json_object_get(p, "url"),
                              "mark", held, "exchanged", json_object_get(p, "exchanged"),
                              "exchanged_at", json_object_get(p, "exchanged_at"),
                              "ahead", mark_ahead(mark, text));
        json_t *waiting = sync_net_waiting(r->st, json_string_value(json_object_get(p, "name")));
        json_object_update(s, waiting);
        json_decref(waiting);
        json_object_set_new(s, "job", api_sync_job_latest(r, json_string_value(json_object_get(p, "name"))));
        json_array_append_new(list, s);
        free(text);
    }
    rc = http_json(r, 200, json_pack("{s:o, s:I, s:o}", "mark", mark ? mark : json_object(),
                                     "conflicts", (json_int_t)json_array_size(conflicts),
                                     "peers", list));
    json_decref(peers);
    json_decref(conflicts);
    buf_free(&own);
    return rc;
}
