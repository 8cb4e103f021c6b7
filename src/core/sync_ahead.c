/*
 * sync_ahead.c: a pack's vault files written ahead of their frames.
 *
 * An import applies a pack's frames in order on one thread, and most of
 * its time goes to the record versions' rows; an evidence item's vault
 * file (docs/formats-pack.md, "Evidence files") costs what writing its
 * bytes costs.  When the pack is a regular file, a thread of its own
 * reads it from its first frame at offsets of its own, decrypting each
 * frame with a copy of the stream's state, and writes each evidence
 * file it finds into a staging file of the vault (checked chunk by
 * chunk, hashed) while the import applies the frames before it.  The
 * import takes each file so written when it reaches its frame
 * (sync_ahead_take) and goes on as if it had read the bytes itself.
 *
 * Nothing here decides anything: a frame read here is one the import
 * reads again, and what it says (the item's commitment, the session's
 * right to add it, the SHA-256 the file must have) is checked there, as
 * for a file the import reads itself.  The thread stops at the first
 * thing it cannot read or write and leaves the rest to the import, which
 * then reads those files inline and reports what is wrong in the pack's
 * order, as it would have without this.
 */
#include "attest.h"
#include "sync_int.h"
#include "sync_ahead.h"
#include "vault.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)

/* One file, written whole (or failed) by the thread. */
struct ahead_file {
    uint64_t offset;                 /* of its first byte in the pack */
    uint64_t length;
    uint8_t key[VAULTFILE_KEY_BYTES];
    struct vault_upload *upload;     /* written whole; NULL once taken or failed */
    int rc;                          /* AT_OK, or why writing it failed (in ctx) */
    struct at_ctx ctx;
};

struct sync_ahead {
    struct store *st;
    sync_file_after *file_after;     /* the frame format's word on files */
    int fd;
    uint64_t size;                   /* of the pack */
    uint64_t offset;                 /* the thread's next frame */
    crypto_secretstream_xchacha20poly1305_state ss; /* a copy of the import's, at the first frame */
    uint8_t ad[crypto_generichash_BYTES];       /* the stream's additional data */
    uint8_t *plain, *ct, *buf;       /* a frame; READ_CHUNK bytes read at buf_at */
    uint64_t buf_at;
    size_t buf_len;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;            /* guards what follows */
    pthread_cond_t moved;
    struct ahead_file *files;        /* in the pack's order */
    size_t n, cap;
    uint64_t passed;                 /* every file before this offset is in files */
    bool done;                       /* the thread looks no further */
    bool stop;                       /* asked to stop */
};

/* len bytes of the pack at offset at into out, through a buffer of
 * READ_CHUNK bytes (frames are small; long reads bypass it). */
static bool read_at(struct sync_ahead *a, uint64_t at, void *out, size_t len)
{
    uint8_t *o = out;

    if (at + len > a->size)
        return false;
    while (len > 0) {
        if (at < a->buf_at || at >= a->buf_at + a->buf_len) {
            ssize_t got;
            if (len >= READ_CHUNK) {
                do
                    got = pread(a->fd, o, len, (off_t)at);
                while (got < 0 && errno == EINTR);
                if (got <= 0)
                    return false;
                o += got, at += (uint64_t)got, len -= (size_t)got;
                continue;
            }
            do
                got = pread(a->fd, a->buf, READ_CHUNK, (off_t)at);
            while (got < 0 && errno == EINTR);
            if (got <= 0)
                return false;
            a->buf_at = at, a->buf_len = (size_t)got;
        }
        size_t from = (size_t)(at - a->buf_at), n = a->buf_len - from < len ? a->buf_len - from : len;
        memcpy(o, a->buf + from, n);
        o += n, at += n, len -= n;
    }
    return true;
}

static bool stopping(struct sync_ahead *a)
{
    pthread_mutex_lock(&a->lock);
    bool stop = a->stop;
    pthread_mutex_unlock(&a->lock);
    return stop;
}

/* Publishes f (when set) and that the thread got to offset. */
static void publish(struct sync_ahead *a, const struct ahead_file *f, uint64_t offset, bool done)
{
    pthread_mutex_lock(&a->lock);
    if (f) {
        if (a->n == a->cap) {
            a->cap = a->cap ? 2 * a->cap : 16;
            a->files = xrealloc(a->files, a->cap * sizeof *a->files);
        }
        a->files[a->n++] = *f;
    }
    a->passed = offset;
    a->done = done;
    pthread_cond_broadcast(&a->moved);
    pthread_mutex_unlock(&a->lock);
}

/* Writes the file of f->length bytes at f->offset into a staging file. */
static void write_file(struct sync_ahead *a, struct ahead_file *f)
{
    f->rc = vault_upload_stage_sealed(&f->ctx, a->st, f->key, f->length, SYNC_SENT_FILE,
                                      &f->upload);
    for (uint64_t done = 0; f->rc == AT_OK && done < f->length;) {
        size_t n = f->length - done < SYNC_CT_MAX ? (size_t)(f->length - done) : SYNC_CT_MAX;
        if (stopping(a))
            f->rc = ctx_error(&f->ctx, AT_ERR, "stopped");
        else if (!read_at(a, f->offset + done, a->ct, n))
            f->rc = ctx_error(&f->ctx, AT_ERR, "cannot read the pack: %s", strerror(errno));
        else
            f->rc = vault_upload_write(&f->ctx, f->upload, a->ct, n);
        done += n;
    }
    if (f->rc == AT_OK)
        f->rc = vault_upload_written(&f->ctx, f->upload);
    if (f->rc != AT_OK) {
        vault_upload_free(f->upload);
        f->upload = NULL;
    }
}

static void *ahead_thread(void *arg)
{
    struct sync_ahead *a = arg;
    uint8_t n[4], tag;
    unsigned long long plen;

    while (!stopping(a)) {
        struct ahead_file f = { 0 };
        const uint8_t *key;
        uint32_t len;
        if (!read_at(a, a->offset, n, sizeof n))
            break;
        len = (uint32_t)n[0] << 24 | (uint32_t)n[1] << 16 | (uint32_t)n[2] << 8 | n[3];
        if (len == 0 || len > SYNC_CT_MAX || !read_at(a, a->offset + 4, a->ct, len)
            || crypto_secretstream_xchacha20poly1305_pull(&a->ss, a->plain, &plen, &tag, a->ct,
                                                          len, a->ad, sizeof a->ad) != 0
            || tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
            break;
        a->offset += 4 + (uint64_t)len;
        /* Published only with a file: the import waits for nothing else. */
        if (!a->file_after(a->plain, (size_t)plen, &key, &f.length))
            continue;
        /* A file the pack is too short for is the import's to report. */
        if (f.length > a->size - a->offset)
            break;
        f.offset = a->offset;
        memcpy(f.key, key, sizeof f.key);
        write_file(a, &f);
        a->offset += f.length;
        publish(a, &f, a->offset, f.rc != AT_OK);
        if (f.rc != AT_OK)
            return NULL;
    }
    publish(a, NULL, a->offset, true);
    return NULL;
}

struct sync_ahead *sync_ahead_start(struct store *st, int fd, uint64_t first_frame,
                                    const crypto_secretstream_xchacha20poly1305_state *ss,
                                    const uint8_t *ad, sync_file_after *file_after)
{
    struct sync_ahead *a;
    struct stat sb;

    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return NULL;
    a = xcalloc(1, sizeof *a);
    a->st = st;
    a->fd = fd;
    a->file_after = file_after;
    a->size = (uint64_t)sb.st_size;
    a->offset = a->passed = first_frame;
    a->ss = *ss;
    memcpy(a->ad, ad, sizeof a->ad);
    a->plain = xmalloc(SYNC_CT_MAX);
    a->ct = xmalloc(SYNC_CT_MAX);
    a->buf = xmalloc(READ_CHUNK);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->moved, NULL);
    if (!(a->started = pthread_create(&a->thread, NULL, ahead_thread, a) == 0))
        a->done = true; /* no thread: every file is read inline */
    return a;
}

int sync_ahead_take(struct at_ctx *ctx, struct sync_ahead *a, uint64_t offset,
                    const uint8_t *key, uint64_t length, struct vault_upload **out)
{
    int rc = AT_OK;

    *out = NULL;
    if (a == NULL)
        return AT_OK;
    pthread_mutex_lock(&a->lock);
    while (!a->done && a->passed <= offset)
        pthread_cond_wait(&a->moved, &a->lock);
    for (size_t i = 0; i < a->n; i++) {
        struct ahead_file *f = &a->files[i];
        if (f->offset != offset || f->length != length
            || sodium_memcmp(f->key, key, sizeof f->key) != 0)
            continue;
        if (f->rc != AT_OK) {
            *ctx = f->ctx;
            rc = f->rc;
        }
        *out = f->upload;
        f->upload = NULL;
        break;
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

void sync_ahead_stop(struct sync_ahead *a)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_mutex_unlock(&a->lock);
    if (a->started)
        pthread_join(a->thread, NULL);
    for (size_t i = 0; i < a->n; i++) {
        vault_upload_free(a->files[i].upload);
        sodium_memzero(a->files[i].key, sizeof a->files[i].key);
    }
    sodium_memzero(a->plain, SYNC_CT_MAX);
    sodium_memzero(&a->ss, sizeof a->ss);
    free(a->plain);
    free(a->ct);
    free(a->buf);
    free(a->files);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->moved);
    free(a);
}
