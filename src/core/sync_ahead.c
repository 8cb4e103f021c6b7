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
 * (sync_ahead_take) and goes on as if it had read the bytes itself.  The
 * file of an item held here already is only checked, as the import
 * would: the thread asks, and the import answers between its frames
 * (sync_ahead_poll), since the database is the import's alone.
 *
 * Nothing here decides anything: a frame read here is one the import
 * reads again, and what it says (the item's commitment, the session's
 * right to add it, the SHA-256 the file must have) is checked there, as
 * for a file the import reads itself.  The thread stops at the first
 * thing it cannot read or write and leaves the rest to the import, which
 * then reads those files inline and reports what is wrong in the pack's
 * order, as it would have without this.
 *
 * A second thread (sync_frames_start, below) reads the frames themselves
 * a few hundred ahead of the import, in the same way, and hands each over
 * decrypted, with the stream's state after it and what the import's
 * prepare made of it (a version's text parsed and checked), so that the
 * import's own thread, which writes every row, does less.  It too stops at
 * the first frame it cannot read, and the import reads on from there.
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

/* One file, written whole, checked or failed by the thread. */
struct ahead_file {
    uint64_t offset;                 /* of its first byte in the pack */
    uint64_t length;
    uint8_t key[VAULTFILE_KEY_BYTES];
    struct sync_ahead_file got;      /* cleared once taken */
    int rc;                          /* AT_OK, or why writing it failed (in ctx) */
    struct at_ctx ctx;
};

/* A walk over the pack's frames, at offsets of its own in its file and
 * with a copy of the stream's state: what each thread here does. */
struct walk {
    int fd;
    uint64_t size;                   /* of the pack */
    uint64_t offset;                 /* the next frame's */
    crypto_secretstream_xchacha20poly1305_state ss;
    uint8_t ad[crypto_generichash_BYTES];       /* the stream's additional data */
    uint8_t *plain, *ct, *buf;       /* a frame; READ_CHUNK bytes read at buf_at */
    uint64_t buf_at;
    size_t buf_len;
};

struct sync_ahead {
    struct store *st;
    sync_file_after *file_after;     /* the frame format's word on files */
    sync_item_held *held;            /* asked on the import's thread, with arg */
    void *arg;
    struct walk w;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;            /* guards what follows */
    pthread_cond_t moved;            /* told of each change below, either way */
    struct ahead_file *files;        /* in the pack's order */
    size_t n, cap;
    uint64_t passed;                 /* every file before this offset is in files */
    bool done;                       /* the thread looks no further */
    bool stop;                       /* asked to stop */
    const struct sync_file_info *asked; /* the item the thread asks about, or NULL */
    bool answered, answer;
};

/* len bytes of the pack at offset at into out, through a buffer of
 * READ_CHUNK bytes (frames are small; long reads bypass it).  False when
 * the pack ends first or cannot be read (errno, or 0 for its end). */
static bool read_at(struct walk *w, uint64_t at, void *out, size_t len)
{
    uint8_t *o = out;

    errno = 0;
    if (at + len > w->size)
        return false;
    while (len > 0) {
        if (at < w->buf_at || at >= w->buf_at + w->buf_len) {
            bool direct = len >= READ_CHUNK;
            ssize_t got;
            do
                got = pread(w->fd, direct ? o : w->buf, direct ? len : READ_CHUNK, (off_t)at);
            while (got < 0 && errno == EINTR);
            if (got <= 0)
                return false;
            if (direct) {
                o += got, at += (uint64_t)got, len -= (size_t)got;
                continue;
            }
            w->buf_at = at, w->buf_len = (size_t)got;
        }
        size_t from = (size_t)(at - w->buf_at);
        size_t n = w->buf_len - from < len ? w->buf_len - from : len;
        memcpy(o, w->buf + from, n);
        o += n, at += n, len -= n;
    }
    return true;
}

/* Decrypts the frame at w->offset into w->plain and moves past it: its
 * plaintext's length into *plen, whether it is the last into *last.  False
 * when it cannot be read or does not decrypt. */
static bool walk_next(struct walk *w, size_t *plen, bool *last)
{
    unsigned long long n_plain;
    uint8_t n[4], tag;
    uint32_t len;

    if (!read_at(w, w->offset, n, sizeof n))
        return false;
    len = (uint32_t)n[0] << 24 | (uint32_t)n[1] << 16 | (uint32_t)n[2] << 8 | n[3];
    if (len == 0 || len > SYNC_CT_MAX || !read_at(w, w->offset + 4, w->ct, len)
        || crypto_secretstream_xchacha20poly1305_pull(&w->ss, w->plain, &n_plain, &tag, w->ct,
                                                      len, w->ad, sizeof w->ad) != 0
        || n_plain == 0)
        return false;
    w->offset += 4 + (uint64_t)len;
    *plen = (size_t)n_plain;
    *last = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    return true;
}

/* Moves w past the file that follows the frame just read, if it has one;
 * false when the pack is too short for it (the import's to report). */
static bool walk_file(struct walk *w, sync_file_after *file_after, size_t plen,
                      struct sync_file_info *file)
{
    memset(file, 0, sizeof *file);
    if (!file_after(w->plain, plen, file))
        return true;
    return file->length <= w->size - w->offset;
}

static bool walk_begin(struct walk *w, int fd, uint64_t first_frame,
                       const crypto_secretstream_xchacha20poly1305_state *ss, const uint8_t *ad)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    w->fd = fd;
    w->size = (uint64_t)sb.st_size;
    w->offset = first_frame;
    w->ss = *ss;
    memcpy(w->ad, ad, sizeof w->ad);
    w->plain = xmalloc(SYNC_CT_MAX);
    w->ct = xmalloc(SYNC_CT_MAX);
    w->buf = xmalloc(READ_CHUNK);
    return true;
}

/* Wiped: the frames held plaintext, the state the stream's key. */
static void walk_end(struct walk *w)
{
    sodium_memzero(w->plain, SYNC_CT_MAX);
    sodium_memzero(&w->ss, sizeof w->ss);
    free(w->plain);
    free(w->ct);
    free(w->buf);
}

static bool stopping(struct sync_ahead *a)
{
    pthread_mutex_lock(&a->lock);
    bool stop = a->stop;
    pthread_mutex_unlock(&a->lock);
    return stop;
}

/* Whether the item of file is held, as the import answers (false when
 * stopped: nothing is taken then). */
static bool ask_held(struct sync_ahead *a, const struct sync_file_info *file)
{
    bool held;

    pthread_mutex_lock(&a->lock);
    a->asked = file;
    a->answered = false;
    pthread_cond_broadcast(&a->moved);
    while (!a->answered && !a->stop)
        pthread_cond_wait(&a->moved, &a->lock);
    held = a->answered && a->answer;
    a->asked = NULL;
    pthread_mutex_unlock(&a->lock);
    return held;
}

/* Answers the thread's question, if any; a->lock held. */
static void answer(struct sync_ahead *a)
{
    if (a->asked && !a->answered) {
        a->answer = a->held(a->arg, a->asked->origin, a->asked->oseq);
        a->answered = true;
        pthread_cond_broadcast(&a->moved);
    }
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

/* Feeds the file of f->length bytes at f->offset to write(w, ...). */
static int feed(struct sync_ahead *a, struct ahead_file *f,
                int (*write)(struct at_ctx *, void *, const void *, size_t), void *w)
{
    int rc = AT_OK;

    for (uint64_t done = 0; rc == AT_OK && done < f->length;) {
        size_t n = f->length - done < SYNC_CT_MAX ? (size_t)(f->length - done) : SYNC_CT_MAX;
        if (stopping(a))
            rc = ctx_error(&f->ctx, AT_ERR, "stopped");
        else if (!read_at(&a->w, f->offset + done, a->w.ct, n))
            rc = ctx_error(&f->ctx, AT_ERR, "cannot read the pack: %s",
                           errno ? strerror(errno) : "it is shorter than it was");
        else
            rc = write(&f->ctx, w, a->w.ct, n);
        done += n;
    }
    return rc;
}

static int upload_write(struct at_ctx *ctx, void *u, const void *data, size_t len)
{
    return vault_upload_write(ctx, u, data, len);
}

static int check_write(struct at_ctx *ctx, void *w, const void *data, size_t len)
{
    return vaultfile_writer_write(ctx, w, data, len);
}

/* Writes f's file into a staging file, flushed; or, held, only checks it. */
static void take_file(struct sync_ahead *a, struct ahead_file *f, bool held)
{
    struct vaultfile_writer *check = NULL;
    struct vaultfile_result res;

    if (held) {
        if ((f->rc = vaultfile_writer_new_sealed(&f->ctx, f->key, -1, SYNC_SENT_FILE, f->length,
                                                 &check)) == AT_OK
            && (f->rc = feed(a, f, check_write, check)) == AT_OK
            && (f->rc = vaultfile_writer_finish(&f->ctx, check, &res)) == AT_OK) {
            memcpy(f->got.sha256, res.sha256, sizeof res.sha256);
            f->got.checked = true;
        }
        vaultfile_writer_free(check);
        return;
    }
    if ((f->rc = vault_upload_stage_sealed(&f->ctx, a->st, f->key, f->length, SYNC_SENT_FILE,
                                           &f->got.upload)) == AT_OK
        && (f->rc = feed(a, f, upload_write, f->got.upload)) == AT_OK)
        f->rc = vault_upload_written(&f->ctx, f->got.upload);
    if (f->rc != AT_OK) {
        vault_upload_free(f->got.upload);
        f->got.upload = NULL;
    }
}

static void *ahead_thread(void *arg)
{
    struct sync_ahead *a = arg;

    while (!stopping(a)) {
        struct ahead_file f = { 0 };
        struct sync_file_info file;
        size_t plen;
        bool last;
        if (!walk_next(&a->w, &plen, &last) || last || !walk_file(&a->w, a->file_after, plen, &file))
            break;
        /* Published only with a file: the import waits for nothing else. */
        if (file.key == NULL)
            continue;
        f.offset = a->w.offset;
        f.length = file.length;
        memcpy(f.key, file.key, sizeof f.key);
        take_file(a, &f, ask_held(a, &file));
        a->w.offset += f.length;
        publish(a, &f, a->w.offset, f.rc != AT_OK);
        if (f.rc != AT_OK)
            return NULL;
    }
    publish(a, NULL, a->w.offset, true);
    return NULL;
}

struct sync_ahead *sync_ahead_start(struct store *st, int fd, uint64_t first_frame,
                                    const crypto_secretstream_xchacha20poly1305_state *ss,
                                    const uint8_t *ad, sync_file_after *file_after,
                                    sync_item_held *held, void *arg)
{
    struct sync_ahead *a = xcalloc(1, sizeof *a);

    if (!walk_begin(&a->w, fd, first_frame, ss, ad)) {
        free(a);
        return NULL;
    }
    a->st = st;
    a->file_after = file_after;
    a->held = held;
    a->arg = arg;
    a->passed = first_frame;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->moved, NULL);
    if (!(a->started = pthread_create(&a->thread, NULL, ahead_thread, a) == 0))
        a->done = true; /* no thread: every file is read inline */
    return a;
}

void sync_ahead_poll(struct sync_ahead *a)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->lock);
    answer(a);
    pthread_mutex_unlock(&a->lock);
}

int sync_ahead_take(struct at_ctx *ctx, struct sync_ahead *a, uint64_t offset,
                    const uint8_t *key, uint64_t length, struct sync_ahead_file *out)
{
    int rc = AT_OK;

    memset(out, 0, sizeof *out);
    if (a == NULL)
        return AT_OK;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        answer(a); /* the thread may be asking about this very file */
        if (a->done || a->passed > offset)
            break;
        pthread_cond_wait(&a->moved, &a->lock);
    }
    for (size_t i = 0; i < a->n; i++) {
        struct ahead_file *f = &a->files[i];
        if (f->offset != offset || f->length != length
            || sodium_memcmp(f->key, key, sizeof f->key) != 0)
            continue;
        if (f->rc != AT_OK) {
            *ctx = f->ctx;
            rc = f->rc;
        }
        *out = f->got;
        memset(&f->got, 0, sizeof f->got);
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
    pthread_cond_broadcast(&a->moved);
    pthread_mutex_unlock(&a->lock);
    if (a->started)
        pthread_join(a->thread, NULL);
    for (size_t i = 0; i < a->n; i++) {
        vault_upload_free(a->files[i].got.upload);
        sodium_memzero(a->files[i].key, sizeof a->files[i].key);
    }
    walk_end(&a->w);
    free(a->files);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->moved);
    free(a);
}

/* ---- frames read ahead -------------------------------------------------- */

/* At most this many frames, or this many bytes of them past the first,
 * wait for the import: enough to keep the thread going through a pause
 * of the import's (a commit of the map's rows), little memory. */
#define FRAMES_AHEAD 256
#define FRAMES_AHEAD_BYTES (8u << 20)
/* A place's buffer is kept for the next frame up to this size; a larger
 * one is freed once its frame is taken (kept, a run of large frames would
 * leave every place of the ring holding one). */
#define FRAME_SLOT_KEEP (64u << 10)

/* A place in the ring: a frame, and its plaintext in a buffer that the
 * thread allocates and keeps for the place's next frame (memory one thread
 * allocates and another frees costs both a lock in malloc; only a large
 * buffer, rare, is freed by the import, FRAME_SLOT_KEEP). */
struct frame_slot {
    struct sync_frame f;
    uint8_t *plain;
    size_t cap;
};

struct sync_frames {
    struct walk w;
    sync_file_after *file_after;
    sync_frame_prepare *prepare;
    void *prepare_arg;
    sync_frame_release *release;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;            /* guards what follows */
    pthread_cond_t moved;            /* told of each change below, either way */
    struct frame_slot q[FRAMES_AHEAD]; /* a ring: n frames from head */
    size_t head, n, bytes;
    bool done, stop;
    /* Who waits for the other: each is woken only then, the thread once
     * the import has taken half of what it held (not at each frame: a
     * wake is a system call, dearer than a frame's work moved). */
    bool thread_waits, import_waits;
    void **given;                    /* what prepare made, given back to be released here */
    size_t ngiven, capgiven;
};

/* Releases, on the thread, what the import gave back since the last time. */
static void release_given(struct sync_frames *r)
{
    void **given;
    size_t n;

    pthread_mutex_lock(&r->lock);
    given = r->given, n = r->ngiven;
    r->given = NULL, r->ngiven = r->capgiven = 0;
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < n; i++)
        r->release(given[i]);
    free(given);
}

static bool frames_full(size_t n, size_t bytes)
{
    return n >= FRAMES_AHEAD || (n > 0 && bytes > FRAMES_AHEAD_BYTES);
}

static void *frames_thread(void *arg)
{
    struct sync_frames *r = arg;
    struct sync_file_info file;
    bool last = false, whole = true;

    while (!last && whole) {
        release_given(r);
        pthread_mutex_lock(&r->lock);
        while (!r->stop && frames_full(r->n, r->bytes)) {
            r->thread_waits = true;
            pthread_cond_wait(&r->moved, &r->lock);
        }
        r->thread_waits = false;
        bool stop = r->stop;
        /* Free till the thread fills it: the import moves head and n together. */
        struct frame_slot *slot = &r->q[(r->head + r->n) % FRAMES_AHEAD];
        pthread_mutex_unlock(&r->lock);
        uint64_t offset = r->w.offset;
        size_t plen;
        if (stop || !walk_next(&r->w, &plen, &last))
            break;
        if (slot->cap < plen) {
            sodium_memzero(slot->plain, slot->cap);
            free(slot->plain);
            slot->plain = xmalloc(slot->cap = plen);
        }
        memcpy(slot->plain, r->w.plain, plen);
        slot->f = (struct sync_frame){ .offset = offset, .length = r->w.offset - offset,
                                       .plen = plen, .last = last, .ss_after = r->w.ss,
                                       .prepared = r->prepare(r->prepare_arg, slot->plain, plen) };
        /* A file after the frame is passed over (the import reads or takes
         * it); the frame still goes to the import, which reports a pack too
         * short for its file. */
        if (!last && (whole = walk_file(&r->w, r->file_after, plen, &file)))
            r->w.offset += file.length;
        pthread_mutex_lock(&r->lock);
        r->n++;
        r->bytes += plen;
        if (r->import_waits)
            pthread_cond_broadcast(&r->moved);
        pthread_mutex_unlock(&r->lock);
    }
    pthread_mutex_lock(&r->lock);
    r->done = true;
    pthread_cond_broadcast(&r->moved);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

struct sync_frames *sync_frames_start(int fd, uint64_t first_frame,
                                      const crypto_secretstream_xchacha20poly1305_state *ss,
                                      const uint8_t *ad, sync_file_after *file_after,
                                      sync_frame_prepare *prepare, void *prepare_arg,
                                      sync_frame_release *release)
{
    struct sync_frames *r = xcalloc(1, sizeof *r);

    if (!walk_begin(&r->w, fd, first_frame, ss, ad)) {
        free(r);
        return NULL;
    }
    r->file_after = file_after;
    r->prepare = prepare;
    r->prepare_arg = prepare_arg;
    r->release = release;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->moved, NULL);
    if (!(r->started = pthread_create(&r->thread, NULL, frames_thread, r) == 0)) {
        sync_frames_stop(r);
        return NULL;
    }
    return r;
}

bool sync_frames_take(struct sync_frames *r, uint64_t offset, uint8_t *plain, struct sync_frame *out)
{
    struct frame_slot *slot;
    bool got;

    pthread_mutex_lock(&r->lock);
    while (r->n == 0 && !r->done) {
        r->import_waits = true;
        pthread_cond_wait(&r->moved, &r->lock);
    }
    r->import_waits = false;
    slot = &r->q[r->head];
    if ((got = r->n > 0 && slot->f.offset == offset)) {
        *out = slot->f;
        slot->f.prepared = NULL;
        memcpy(plain, slot->plain, slot->f.plen);
        if (slot->cap > FRAME_SLOT_KEEP) {
            sodium_memzero(slot->plain, slot->cap);
            free(slot->plain);
            slot->plain = NULL, slot->cap = 0;
        }
        r->head = (r->head + 1) % FRAMES_AHEAD;
        r->n--;
        r->bytes -= out->plen;
        if (r->thread_waits && !frames_full(2 * r->n, 2 * r->bytes))
            pthread_cond_broadcast(&r->moved);
    }
    pthread_mutex_unlock(&r->lock);
    return got;
}

void sync_frames_give_back(struct sync_frames *r, void *prepared)
{
    pthread_mutex_lock(&r->lock);
    /* Once the thread is done it allocates nothing more: released here. */
    bool here = r->done;
    if (!here) {
        if (r->ngiven == r->capgiven)
            r->given = xrealloc(r->given, (r->capgiven = r->capgiven ? 2 * r->capgiven : 64)
                                              * sizeof *r->given);
        r->given[r->ngiven++] = prepared;
    }
    pthread_mutex_unlock(&r->lock);
    if (here)
        r->release(prepared);
}

void sync_frames_stop(struct sync_frames *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->moved);
    pthread_mutex_unlock(&r->lock);
    if (r->started)
        pthread_join(r->thread, NULL);
    release_given(r);
    for (; r->n > 0; r->n--, r->head = (r->head + 1) % FRAMES_AHEAD)
        if (r->q[r->head].f.prepared)
            r->release(r->q[r->head].f.prepared);
    for (size_t i = 0; i < FRAMES_AHEAD; i++) {
        sodium_memzero(r->q[i].plain, r->q[i].cap);
        free(r->q[i].plain);
    }
    sodium_memzero(r->q, sizeof r->q);
    walk_end(&r->w);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->moved);
    free(r);
}
