/*
 * vaultfile.c: encrypts and decrypts one evidence file of the vault, chunk
 * by chunk, with ChaCha20-Poly1305, and hashes its plaintext with SHA-256
 * at the same time (docs/formats-vault.md gives the format and why this
 * cipher).
 *
 * A pass is a pipeline over a ring of NSLOTS chunk buffers (WRITER_SLOTS
 * for the writer, whose caller fills them).  The calling thread reads
 * chunks into free slots; a crypt thread encrypts or decrypts
 * each slot in order and writes the result; a hash thread feeds the
 * plaintext of each slot, in order, to SHA-256.  Encrypting, the two
 * workers run side by side on the plaintext that was read; decrypting, the
 * hash thread follows the crypt thread, since only it makes plaintext.  A
 * slot is free again once all three have done with it, so memory stays at
 * two chunk buffers a slot however long the file.
 *
 * The first stage to fail records the chunk it failed at; the other
 * stages finish the chunks before that one and stop, so the message the
 * caller gets is always about the earliest bad chunk.
 */
#include "attest.h"
#include "vaultfile.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const uint8_t vault_magic[8] = { 0x89, 'A', 'T', 'V', 'A', 'U', 'L', 'T' };

enum {
    VAULT_VERSION = 1,
    VAULT_AEAD_CHACHA20_POLY1305 = 1,

    /* Header offsets. */
    HDR_VERSION = 8,
    HDR_AEAD = 9,
    HDR_RESERVED = 10,
    HDR_CHUNK_SIZE = 12,
    HDR_FILE_ID = 16,
    HDR_TAG = 32,       /* the header tag covers the bytes before it */

    /* The nonce: six bytes of the file id, a kind, a 40-bit chunk index. */
    NONCE_BYTES = 12,
    NONCE_ID_BYTES = 6,
    NONCE_CHUNK = 0,
    NONCE_FINAL = 1,
    NONCE_HEADER = 2,

    NSLOTS = 4,
    WRITER_SLOTS = 2,   /* one filled by the caller while the threads work on the other */

    /* Which stages have finished with a slot; 0 means the slot is free. */
    DONE_READ = 1,
    DONE_CRYPT = 2,
    DONE_HASH = 4,
    DONE_ALL = 7,
};

#define MAX_CHUNKS ((uint64_t)1 << 40)

struct slot {
    uint8_t *in;        /* what was read: plaintext, or a chunk and its tag */
    uint8_t *out;       /* what the crypt stage made from it */
    size_t in_len, out_len;
    bool final;         /* the last chunk of the file */
    uint64_t index;     /* chunk index, from 0; guarded by the lock */
    unsigned done;      /* DONE_* bits; guarded by the lock */
};

struct stream {
    bool decrypt;
    bool keep_sealed;   /* decrypting to check and hash: writes the chunks as read */
    const uint8_t *key;
    uint8_t header[VAULTFILE_HEADER_BYTES];
    uint32_t chunk_size;
    int in_fd, out_fd;
    const char *name;   /* of the vault file, when decrypting */

    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct slot slots[NSLOTS];
    unsigned nslots;    /* in use: NSLOTS unless set before stream_start */
    uint64_t fail_at;   /* chunk index of the first failure, or UINT64_MAX */
    int fail_code;
    char fail_message[sizeof ((struct at_ctx *)0)->message];

    pthread_t crypt_thread, hash_thread;
    bool crypt_started, hash_started;

    /* Each written by one stage only, and read after the threads end. */
    EVP_MD_CTX *sha;
    uint8_t sha256[VAULTFILE_SHA256_BYTES];
    uint64_t plain_bytes, vault_bytes, chunks;
};

int vaultfile_key_generate(struct at_ctx *ctx, uint8_t key[VAULTFILE_KEY_BYTES])
{
    if (RAND_bytes(key, VAULTFILE_KEY_BYTES) != 1)
        return ctx_error(ctx, AT_ERR, "the random number generator failed");
    return AT_OK;
}

void vaultfile_wipe(void *p, size_t len)
{
    OPENSSL_cleanse(p, len);
}

/* Reads until len bytes or end of file.  Returns the count, or -1 with
 * errno set. */
static ssize_t read_full(int fd, uint8_t *p, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Writes all len bytes.  Returns 0, or -1 with errno set. */
static int write_full(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void nonce_make(uint8_t nonce[NONCE_BYTES], const uint8_t *header,
                       int kind, uint64_t index)
{
    memcpy(nonce, header + HDR_FILE_ID, NONCE_ID_BYTES);
    nonce[NONCE_ID_BYTES] = (uint8_t)kind;
    for (int k = 0; k < 5; k++)
        nonce[NONCE_BYTES - 1 - k] = (uint8_t)(index >> (8 * k));
}

/* Returns a cipher context keyed for sealing (enc 1) or opening (enc 0),
 * or NULL if the library fails.  The caller frees it. */
static EVP_CIPHER_CTX *aead_new(const uint8_t *key, int enc)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

    if (c != NULL &&
        EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, key, NULL, enc) != 1) {
        EVP_CIPHER_CTX_free(c);
        c = NULL;
    }
    return c;
}

/*
 * Seals or opens len bytes at in into out, under nonce, with ad as the
 * associated data.  Sealing writes the tag to tag; opening checks it.
 * Returns 1 on success, 0 when the tag does not match, -1 when the
 * library fails.
 */
static int aead_run(EVP_CIPHER_CTX *c, int enc, const uint8_t *nonce,
                    const uint8_t *ad, size_t ad_len,
                    const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    uint8_t spare[32];
    int n;

    if (EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, enc) != 1)
        return -1;
    if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
                                    VAULTFILE_TAG_BYTES, tag) != 1)
        return -1;
    if (EVP_CipherUpdate(c, NULL, &n, ad, (int)ad_len) != 1)
        return -1;
    if (len > 0 && EVP_CipherUpdate(c, out, &n, in, (int)len) != 1)
        return -1;
    if (EVP_CipherFinal_ex(c, spare, &n) != 1)
        return enc ? -1 : 0;
    if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
                                   VAULTFILE_TAG_BYTES, tag) != 1)
        return -1;
    return 1;
}

/* Seals (enc 1) or checks (enc 0) the header tag, which authenticates the
 * header's fields and shows that the key is right.  Returns as aead_run. */
static int header_tag(const uint8_t *key, uint8_t *header, int enc)
{
    uint8_t nonce[NONCE_BYTES];
    EVP_CIPHER_CTX *c = aead_new(key, enc);
    int r;

    if (c == NULL)
        return -1;
    nonce_make(nonce, header, NONCE_HEADER, 0);
    r = aead_run(c, enc, nonce, header, HDR_TAG, NULL, 0, NULL, header + HDR_TAG);
    EVP_CIPHER_CTX_free(c);
    return r;
}

/* Records a failure at chunk index i unless an earlier one is already
 * recorded, and wakes every stage so that those past it stop. */
static void stream_fail(struct stream *s, uint64_t i, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void stream_fail(struct stream *s, uint64_t i, int code, const char *fmt, ...)
{
    va_list ap;

    pthread_mutex_lock(&s->lock);
    if (i < s->fail_at) {
        s->fail_at = i;
        s->fail_code = code;
        va_start(ap, fmt);
        vsnprintf(s->fail_message, sizeof s->fail_message, fmt, ap);
        va_end(ap);
    }
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/*
 * Waits until the slot for chunk i is ready for a stage: free, when need
 * is 0 (the reader); otherwise holding chunk i with the stages in need
 * done.  Returns the slot, or NULL when a failure at or before chunk i
 * means the stage should stop.
 */
static struct slot *stream_wait(struct stream *s, uint64_t i, unsigned need)
{
    struct slot *sl = &s->slots[i % s->nslots];
    bool ready = false;

    pthread_mutex_lock(&s->lock);
    while (i < s->fail_at) {
        ready = need == 0 ? sl->done == 0
                          : sl->index == i && (sl->done & need) == need;
        if (ready)
            break;
        pthread_cond_wait(&s->changed, &s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return ready ? sl : NULL;
}

/* Marks a stage done with a slot, freeing it when all are. */
static void stream_mark(struct stream *s, struct slot *sl, uint64_t i, unsigned bit)
{
    pthread_mutex_lock(&s->lock);
    sl->index = i;
    sl->done |= bit;
    if (sl->done == DONE_ALL)
        sl->done = 0;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/* Writes to msg why a piece of n bytes read for chunk i of vault file
 * name cannot be a chunk, and returns true; false when it can. */
static bool piece_problem(char *msg, size_t cap, const char *name, uint64_t i, size_t n)
{
    if (n == 0 && i == 0)
        snprintf(msg, cap, "vault file %s ends after its header, before any chunk: truncated",
                 name);
    else if (n == 0)
        snprintf(msg, cap, "vault file %s ends after chunk %" PRIu64
                 " without the final-chunk marker: truncated", name, i);
    else if (n < VAULTFILE_TAG_BYTES)
        snprintf(msg, cap, "chunk %" PRIu64 " of vault file %s is %zu bytes, shorter than"
                 " its %d-byte tag: truncated", i + 1, name, n, VAULTFILE_TAG_BYTES);
    return n < VAULTFILE_TAG_BYTES;
}

/* Checks what the reader got for chunk i of a vault file.  Returns false,
 * having recorded the failure, when the file stops where it may not. */
static bool stream_check_piece(struct stream *s, uint64_t i, size_t n)
{
    char msg[sizeof s->fail_message];

    if (!piece_problem(msg, sizeof msg, s->name, i, n))
        return true;
    stream_fail(s, i, AT_ECORRUPT, "%s", msg);
    return false;
}

/* The reading stage, run by the calling thread.  A chunk shorter than a
 * full one is the final chunk, and reading stops after it. */
static void stream_read(struct stream *s)
{
    size_t want = s->chunk_size + (s->decrypt ? VAULTFILE_TAG_BYTES : 0);

    for (uint64_t i = 0;; i++) {
        struct slot *sl = stream_wait(s, i, 0);
        if (sl == NULL)
            return;
        if (i == MAX_CHUNKS) {
            stream_fail(s, i, s->decrypt ? AT_ECORRUPT : AT_EINVAL,
                        "more than 2^40 chunks of %" PRIu32 " bytes: too long for"
                        " the vault format", s->chunk_size);
            return;
        }
        ssize_t n = read_full(s->in_fd, sl->in, want);
        if (n < 0) {
            if (s->decrypt)
                stream_fail(s, i, AT_ERR, "cannot read vault file %s: %s",
                            s->name, strerror(errno));
            else
                stream_fail(s, i, AT_ERR, "cannot read the file to encrypt: %s",
                            strerror(errno));
            return;
        }
        if (s->decrypt && !stream_check_piece(s, i, (size_t)n))
            return;
        sl->in_len = (size_t)n;
        sl->final = (size_t)n < want;
        stream_mark(s, sl, i, DONE_READ);
        if ((size_t)n < want)
            return;
    }
}

/* Seals or opens the chunk in slot sl and writes the result.  Returns
 * false, having recorded the failure, if any of that fails. */
static bool stream_crypt_slot(struct stream *s, EVP_CIPHER_CTX *c,
                              struct slot *sl, uint64_t i)
{
    uint8_t nonce[NONCE_BYTES];
    size_t len = s->decrypt ? sl->in_len - VAULTFILE_TAG_BYTES : sl->in_len;
    int r;

    nonce_make(nonce, s->header, sl->final ? NONCE_FINAL : NONCE_CHUNK, i);
    if (s->decrypt)
        r = aead_run(c, 0, nonce, s->header, VAULTFILE_HEADER_BYTES,
                     sl->in, len, sl->out, sl->in + len);
    else
        r = aead_run(c, 1, nonce, s->header, VAULTFILE_HEADER_BYTES,
                     sl->in, len, sl->out, sl->out + len);
    sl->out_len = s->decrypt ? len : len + VAULTFILE_TAG_BYTES;
    if (r < 0) {
        stream_fail(s, i, AT_ERR, "the crypto library failed on chunk %" PRIu64, i + 1);
        return false;
    }
    if (r == 0) {
        stream_fail(s, i, AT_ECORRUPT,
                    "chunk %" PRIu64 " of vault file %s fails authentication",
                    i + 1, s->name);
        return false;
    }
    const uint8_t *put = s->keep_sealed ? sl->in : sl->out;
    size_t put_len = s->keep_sealed ? sl->in_len : sl->out_len;
    if (s->out_fd >= 0 && write_full(s->out_fd, put, put_len) < 0) {
        if (s->decrypt && !s->keep_sealed)
            stream_fail(s, i, AT_ERR, "cannot write the plaintext of vault file %s: %s",
                        s->name, strerror(errno));
        else
            stream_fail(s, i, AT_ERR, "cannot write the vault file: %s",
                        strerror(errno));
        return false;
    }
    return true;
}

static void *stream_crypt_main(void *arg)
{
    struct stream *s = arg;
    EVP_CIPHER_CTX *c = aead_new(s->key, !s->decrypt);

    if (c == NULL) {
        stream_fail(s, 0, AT_ERR, "the crypto library cannot set up ChaCha20-Poly1305");
        return NULL;
    }
    for (uint64_t i = 0;; i++) {
        struct slot *sl = stream_wait(s, i, DONE_READ);
        if (sl == NULL || !stream_crypt_slot(s, c, sl, i))
            break;
        bool final = sl->final;
        s->vault_bytes += s->decrypt ? sl->in_len : sl->out_len;
        s->chunks++;
        stream_mark(s, sl, i, DONE_CRYPT);
        if (final)
            break;
    }
    EVP_CIPHER_CTX_free(c);
    return NULL;
}

static void *stream_hash_main(void *arg)
{
    struct stream *s = arg;
    unsigned need = s->decrypt ? DONE_READ | DONE_CRYPT : DONE_READ;

    for (uint64_t i = 0;; i++) {
        struct slot *sl = stream_wait(s, i, need);
        if (sl == NULL)
            break;
        const uint8_t *p = s->decrypt ? sl->out : sl->in;
        size_t len = s->decrypt ? sl->out_len : sl->in_len;
        bool final = sl->final;
        bool ok = EVP_DigestUpdate(s->sha, p, len) == 1;
        if (ok && final)
            ok = EVP_DigestFinal_ex(s->sha, s->sha256, NULL) == 1;
        if (!ok) {
            stream_fail(s, i, AT_ERR, "the crypto library failed to hash chunk %" PRIu64,
                        i + 1);
            break;
        }
        s->plain_bytes += len;
        stream_mark(s, sl, i, DONE_HASH);
        if (final)
            break;
    }
    return NULL;
}

/* Sets up s, whose header is set and already written or checked, and
 * starts its crypt and hash stages on two threads, to be fed chunks by a
 * reading stage (stream_read, or a writer's caller).  A failure to start
 * is recorded as the failure at chunk 0, which stream_stop reports. */
static void stream_start(struct stream *s)
{
    size_t cap = (size_t)s->chunk_size + VAULTFILE_TAG_BYTES;
    int err;

    s->fail_at = UINT64_MAX;
    s->vault_bytes = VAULTFILE_HEADER_BYTES;
    if (s->nslots == 0 || s->nslots > NSLOTS)
        s->nslots = NSLOTS;
    for (unsigned k = 0; k < s->nslots; k++) {
        s->slots[k].in = xmalloc(cap);
        s->slots[k].out = xmalloc(cap);
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    s->sha = EVP_MD_CTX_new();
    if (s->sha == NULL || EVP_DigestInit_ex(s->sha, EVP_sha256(), NULL) != 1) {
        stream_fail(s, 0, AT_ERR, "the crypto library cannot set up SHA-256");
    } else if ((err = pthread_create(&s->hash_thread, NULL, stream_hash_main, s)) != 0) {
        stream_fail(s, 0, AT_ERR, "cannot start a thread: %s", strerror(err));
    } else {
        s->hash_started = true;
        if ((err = pthread_create(&s->crypt_thread, NULL, stream_crypt_main, s)) != 0)
            stream_fail(s, 0, AT_ERR, "cannot start a thread: %s", strerror(err));
        else
            s->crypt_started = true;
    }
}

/* Waits for s's stages to end (after its final chunk or a failure),
 * reports the outcome on ctx and in res, and frees what stream_start
 * took, its buffers wiped. */
static int stream_stop(struct at_ctx *ctx, struct stream *s, struct vaultfile_result *res)
{
    size_t cap = (size_t)s->chunk_size + VAULTFILE_TAG_BYTES;
    int rc;

    if (s->crypt_started)
        pthread_join(s->crypt_thread, NULL);
    if (s->hash_started)
        pthread_join(s->hash_thread, NULL);
    s->crypt_started = s->hash_started = false;

    if (s->fail_at != UINT64_MAX) {
        rc = ctx_error(ctx, s->fail_code, "%s", s->fail_message);
    } else {
        memcpy(res->sha256, s->sha256, sizeof res->sha256);
        res->plain_bytes = s->plain_bytes;
        res->vault_bytes = s->vault_bytes;
        res->chunks = s->chunks;
        rc = AT_OK;
    }

    EVP_MD_CTX_free(s->sha);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    for (unsigned k = 0; k < s->nslots; k++) {
        vaultfile_wipe(s->slots[k].in, cap);
        vaultfile_wipe(s->slots[k].out, cap);
        free(s->slots[k].in);
        free(s->slots[k].out);
    }
    return rc;
}

/* Runs the pipeline over s, reading on the calling thread. */
static int stream_run(struct at_ctx *ctx, struct stream *s, struct vaultfile_result *res)
{
    stream_start(s);
    if (s->crypt_started)
        stream_read(s);
    return stream_stop(ctx, s, res);
}

/* Makes the header of a new vault file (a fresh file id, sealed) and
 * writes it to out_fd.  chunk_size 0 means the default; *chunk_size is
 * set to the size used.  Returns AT_OK or the failure, set on ctx. */
static int header_write(struct at_ctx *ctx, const uint8_t *key, uint8_t *h, uint32_t *chunk_size,
                        int out_fd)
{
    if (*chunk_size == 0)
        *chunk_size = VAULTFILE_CHUNK_DEFAULT;
    if (*chunk_size < VAULTFILE_CHUNK_MIN || *chunk_size > VAULTFILE_CHUNK_MAX)
        return ctx_error(ctx, AT_EINVAL, "chunk size %" PRIu32 " is outside %u..%u bytes",
                         *chunk_size, VAULTFILE_CHUNK_MIN, VAULTFILE_CHUNK_MAX);
    memcpy(h, vault_magic, sizeof vault_magic);
    h[HDR_VERSION] = VAULT_VERSION;
    h[HDR_AEAD] = VAULT_AEAD_CHACHA20_POLY1305;
    h[HDR_RESERVED] = h[HDR_RESERVED + 1] = 0;
    for (int k = 0; k < 4; k++)
        h[HDR_CHUNK_SIZE + k] = (uint8_t)(*chunk_size >> (24 - 8 * k));
    if (RAND_bytes(h + HDR_FILE_ID, HDR_TAG - HDR_FILE_ID) != 1)
        return ctx_error(ctx, AT_ERR, "the random number generator failed");
    if (header_tag(key, h, 1) != 1)
        return ctx_error(ctx, AT_ERR, "the crypto library cannot seal the header");
    if (write_full(out_fd, h, VAULTFILE_HEADER_BYTES) < 0)
        return ctx_error(ctx, AT_ERR, "cannot write the vault file: %s", strerror(errno));
    return AT_OK;
}

int vaultfile_encrypt(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                      int in_fd, int out_fd, uint32_t chunk_size,
                      struct vaultfile_result *res)
{
    struct stream s = { .key = key, .in_fd = in_fd, .out_fd = out_fd, .chunk_size = chunk_size };
    int rc = header_write(ctx, key, s.header, &s.chunk_size, out_fd);

    return rc != AT_OK ? rc : stream_run(ctx, &s, res);
}

/* Checks the header of a vault file, read into s->header, and sets
 * s->chunk_size from it.  Returns AT_OK or the failure, set on ctx. */
static int header_check(struct at_ctx *ctx, struct stream *s)
{
    const uint8_t *h = s->header;

    if (memcmp(h, vault_magic, sizeof vault_magic) != 0)
        return ctx_error(ctx, AT_ECORRUPT, "%s is not a vault file: it does not start"
                         " with the vault magic bytes", s->name);
    if (h[HDR_VERSION] != VAULT_VERSION)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s has format version %u;"
                         " this build reads version %d", s->name, h[HDR_VERSION],
                         VAULT_VERSION);
    if (h[HDR_AEAD] != VAULT_AEAD_CHACHA20_POLY1305)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s names cipher %u; this build"
                         " knows only %d (ChaCha20-Poly1305)", s->name, h[HDR_AEAD],
                         VAULT_AEAD_CHACHA20_POLY1305);

    int r = header_tag(s->key, s->header, 0);
    if (r < 0)
        return ctx_error(ctx, AT_ERR, "the crypto library cannot check the header"
                         " of vault file %s", s->name);
    if (r == 0)
        return ctx_error(ctx, AT_ECORRUPT, "the header of vault file %s fails"
                         " authentication: wrong key, or the header was altered",
                         s->name);

    s->chunk_size = get_be32(h + HDR_CHUNK_SIZE);
    if (h[HDR_RESERVED] != 0 || h[HDR_RESERVED + 1] != 0 ||
        s->chunk_size < VAULTFILE_CHUNK_MIN || s->chunk_size > VAULTFILE_CHUNK_MAX)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s has an authentic but invalid"
                         " header (reserved bytes %02x%02x, chunk size %" PRIu32 ")",
                         s->name, h[HDR_RESERVED], h[HDR_RESERVED + 1], s->chunk_size);
    return AT_OK;
}

/* Checks the header of a vault file after a read of it into s->header
 * gave n (-1 with errno set when the read failed).  Returns AT_OK or the
 * failure, set on ctx. */
static int header_got(struct at_ctx *ctx, struct stream *s, ssize_t n)
{
    if (n < 0)
        return ctx_error(ctx, AT_ERR, "cannot read vault file %s: %s",
                         s->name, strerror(errno));
    if (n < VAULTFILE_HEADER_BYTES)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s is %zd bytes long, shorter"
                         " than the %d-byte header: truncated",
                         s->name, n, VAULTFILE_HEADER_BYTES);
    return header_check(ctx, s);
}

/* Reads and checks the header of a vault file into s. */
static int header_read(struct at_ctx *ctx, struct stream *s)
{
    return header_got(ctx, s, read_full(s->in_fd, s->header, VAULTFILE_HEADER_BYTES));
}

int vaultfile_check_sealed(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES], int fd,
                           const char *name, uint64_t plain_bytes, uint64_t *length)
{
    struct stream s = { .key = key, .name = name };
    struct stat sb;
    int rc;

    if (fstat(fd, &sb) != 0)
        return ctx_error(ctx, AT_ERR, "cannot read vault file %s: %s", name, strerror(errno));
    if ((rc = header_got(ctx, &s, pread(fd, s.header, VAULTFILE_HEADER_BYTES, 0))) != AT_OK)
        return rc;
    *length = VAULTFILE_HEADER_BYTES + plain_bytes
              + (plain_bytes / s.chunk_size + 1) * VAULTFILE_TAG_BYTES;
    if ((uint64_t)sb.st_size != *length)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s is %lld bytes long, not the %" PRIu64
                         " that %" PRIu64 " bytes in chunks of %" PRIu32 " bytes make",
                         name, (long long)sb.st_size, *length, plain_bytes, s.chunk_size);
    return AT_OK;
}

/*
 * The writer: the same format, fed piece by piece, through the same
 * pipeline.  The caller takes the reading stage's place: plaintext
 * collects in a free slot, and a full slot goes to the crypt and hash
 * threads as an ordinary chunk while the caller fills the next; what is
 * left at the end (possibly nothing) is the final chunk.  A full chunk is
 * never the final one, exactly as stream_read decides, so both make the
 * same bytes from the same input.  A stage's failure reaches the caller
 * at a later call (the next slot it waits for, or the finish).
 *
 * A sealed writer is fed a vault file already made (by another archive,
 * sent in a pack) and runs the pipeline as decryption does, writing each
 * chunk as it came once its tag checks, and hashing its plaintext.  Its
 * length is known from the start, so the chunk that ends it is the final
 * one; its stages start once its header is in and checked.
 */
struct vaultfile_writer {
    struct stream s;
    uint8_t key[VAULTFILE_KEY_BYTES];   /* s.key */
    struct slot *open;                  /* the slot being filled, or NULL */
    uint64_t index;                     /* of the chunk being filled */
    bool running;                       /* the stages are started, not yet stopped */
    bool failed;                        /* a failure was reported; the file is unusable */
    bool sealed;                        /* fed a vault file, not plaintext */
    size_t header_len;                  /* sealed: the header's bytes received */
    uint64_t left;                      /* sealed: the bytes after the header not yet in a slot */
};

/* Waits for the stages to end, once, and reports as stream_stop does
 * (res may be NULL); the writer takes nothing more after. */
static int writer_stop(struct at_ctx *ctx, struct vaultfile_writer *w, struct vaultfile_result *res)
{
    struct vaultfile_result unused;

    w->running = false;
    w->failed = true;
    return stream_stop(ctx, &w->s, res ? res : &unused);
}

/* Starts the writer's stages; AT_OK, or the failure to start on ctx. */
static int writer_start(struct at_ctx *ctx, struct vaultfile_writer *w)
{
    stream_start(&w->s);
    w->running = true;
    return w->s.crypt_started ? AT_OK : writer_stop(ctx, w, NULL);
}

int vaultfile_writer_new(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES], int out_fd,
                         uint32_t chunk_size, struct vaultfile_writer **out)
{
    struct vaultfile_writer *w = xcalloc(1, sizeof *w);
    int rc;

    *out = NULL;
    memcpy(w->key, key, VAULTFILE_KEY_BYTES);
    w->s = (struct stream){ .key = w->key, .in_fd = -1, .out_fd = out_fd,
                            .chunk_size = chunk_size, .nslots = WRITER_SLOTS };
    if ((rc = header_write(ctx, key, w->s.header, &w->s.chunk_size, out_fd)) != AT_OK
        || (rc = writer_start(ctx, w)) != AT_OK) {
        vaultfile_writer_free(w);
        return rc;
    }
    *out = w;
    return AT_OK;
}

int vaultfile_writer_new_sealed(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                                int out_fd, const char *name, uint64_t length,
                                struct vaultfile_writer **out)
{
    struct vaultfile_writer *w;

    *out = NULL;
    if (length < VAULTFILE_HEADER_BYTES + VAULTFILE_TAG_BYTES)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s would be %" PRIu64 " bytes long: "
                         "a vault file holds a %d-byte header and at least one %d-byte tag",
                         name, length, VAULTFILE_HEADER_BYTES, VAULTFILE_TAG_BYTES);
    w = xcalloc(1, sizeof *w);
    memcpy(w->key, key, VAULTFILE_KEY_BYTES);
    w->s = (struct stream){ .decrypt = true, .keep_sealed = true, .key = w->key, .in_fd = -1,
                            .out_fd = out_fd, .name = name, .nslots = WRITER_SLOTS };
    w->sealed = true;
    w->left = length - VAULTFILE_HEADER_BYTES;
    *out = w;
    return AT_OK;
}

/* A sealed writer's header, once its last byte is in: checked, written,
 * its length found to fit the chunk size it names, the stages started. */
static int writer_header(struct at_ctx *ctx, struct vaultfile_writer *w)
{
    uint64_t whole;
    int rc;

    if ((rc = header_check(ctx, &w->s)) != AT_OK)
        return rc;
    whole = (uint64_t)w->s.chunk_size + VAULTFILE_TAG_BYTES;
    /* Every chunk but the final one is whole; the final one holds a tag
     * and less than a chunk of plaintext. */
    if (w->left % whole < VAULTFILE_TAG_BYTES || w->left / whole >= MAX_CHUNKS)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s cannot be %" PRIu64 " bytes long "
                         "in chunks of %" PRIu32 " bytes", w->s.name,
                         w->left + VAULTFILE_HEADER_BYTES, w->s.chunk_size);
    if (w->s.out_fd >= 0 && write_full(w->s.out_fd, w->s.header, VAULTFILE_HEADER_BYTES) < 0)
        return ctx_error(ctx, AT_ERR, "cannot write the vault file: %s", strerror(errno));
    return writer_start(ctx, w);
}

/* The free slot for chunk w->index, into w->open; AT_OK, or a stage's
 * failure (the writer stopped) on ctx. */
static int writer_slot(struct at_ctx *ctx, struct vaultfile_writer *w)
{
    if (w->index == MAX_CHUNKS) {
        w->failed = true;
        return ctx_error(ctx, AT_EINVAL, "more than 2^40 chunks of %" PRIu32 " bytes: too long "
                         "for the vault format", w->s.chunk_size);
    }
    if ((w->open = stream_wait(&w->s, w->index, 0)) != NULL) {
        w->open->in_len = 0;
        return AT_OK;
    }
    return writer_stop(ctx, w, NULL);
}

/* Hands the open slot to the stages as chunk w->index. */
static void writer_hand_over(struct vaultfile_writer *w, bool final)
{
    w->open->final = final;
    stream_mark(&w->s, w->open, w->index, DONE_READ);
    w->open = NULL;
    w->index++;
}

/* How many bytes the open slot takes in all: a chunk of plaintext; for a
 * sealed writer, a whole chunk and its tag, or what is left, the final
 * chunk. */
static size_t writer_slot_size(const struct vaultfile_writer *w)
{
    uint64_t whole = (uint64_t)w->s.chunk_size + VAULTFILE_TAG_BYTES;

    if (!w->sealed)
        return w->s.chunk_size;
    return (size_t)(w->left + w->open->in_len < whole ? w->left + w->open->in_len : whole);
}

int vaultfile_writer_write(struct at_ctx *ctx, struct vaultfile_writer *w, const void *data,
                           size_t len)
{
    const uint8_t *p = data;

    if (w->failed)
        return ctx_error(ctx, AT_ERR, "the vault file failed earlier and cannot be continued");
    if (w->sealed && len > w->left + (VAULTFILE_HEADER_BYTES - w->header_len)) {
        w->failed = true;
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s goes on past its length", w->s.name);
    }
    while (len > 0) {
        if (w->sealed && w->header_len < VAULTFILE_HEADER_BYTES) {
            size_t n = VAULTFILE_HEADER_BYTES - w->header_len < len
                           ? VAULTFILE_HEADER_BYTES - w->header_len : len;
            memcpy(w->s.header + w->header_len, p, n);
            w->header_len += n, p += n, len -= n;
            if (w->header_len == VAULTFILE_HEADER_BYTES && writer_header(ctx, w) != AT_OK) {
                w->failed = true;
                return ctx->code;
            }
            continue;
        }
        if (w->open == NULL && writer_slot(ctx, w) != AT_OK)
            return ctx->code;
        struct slot *sl = w->open;
        size_t size = writer_slot_size(w);
        size_t n = size - sl->in_len < len ? size - sl->in_len : len;
        memcpy(sl->in + sl->in_len, p, n);
        sl->in_len += n;
        p += n;
        len -= n;
        if (w->sealed)
            w->left -= n;
        if (sl->in_len == size)
            writer_hand_over(w, w->sealed && w->left == 0);
    }
    return AT_OK;
}

int vaultfile_writer_finish(struct at_ctx *ctx, struct vaultfile_writer *w,
                            struct vaultfile_result *res)
{
    if (w->failed)
        return ctx_error(ctx, AT_ERR, "the vault file failed earlier and cannot be finished");
    if (w->sealed) {
        /* The final chunk went to the stages with the last byte. */
        if (w->left == 0 && w->header_len == VAULTFILE_HEADER_BYTES)
            return writer_stop(ctx, w, res);
        w->failed = true;
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s ends before its length: truncated",
                         w->s.name);
    }
    if (w->open == NULL && writer_slot(ctx, w) != AT_OK)
        return ctx->code;
    writer_hand_over(w, true);
    return writer_stop(ctx, w, res); /* nothing may follow the final chunk */
}

void vaultfile_writer_free(struct vaultfile_writer *w)
{
    struct at_ctx quiet = { 0 };

    if (w == NULL)
        return;
    if (w->running) {
        /* Abandoned before its end: the stages stop at chunk 0's failure. */
        stream_fail(&w->s, 0, AT_ERR, "the vault file was abandoned");
        writer_stop(&quiet, w, NULL);
    }
    vaultfile_wipe(w, sizeof *w);
    free(w);
}

/*
 * The reader: decryption one chunk at a time on the calling thread, for a
 * consumer that takes the plaintext as it goes (a download), with the
 * same checks as vaultfile_decrypt.
 */
struct vaultfile_reader {
    struct stream s;      /* for its header, chunk size, key and name only */
    EVP_CIPHER_CTX *aead;
    EVP_MD_CTX *sha;
    uint8_t *buf;         /* one chunk and its tag */
    uint64_t index, plain_bytes, vault_bytes;
    bool done;
};

int vaultfile_reader_new(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES], int in_fd,
                         const char *name, struct vaultfile_reader **out)
{
    struct vaultfile_reader *r = xcalloc(1, sizeof *r);
    int rc;

    *out = NULL;
    r->s = (struct stream){ .decrypt = true, .key = key, .in_fd = in_fd, .name = name };
    r->vault_bytes = VAULTFILE_HEADER_BYTES;
    if ((rc = header_read(ctx, &r->s)) != AT_OK)
        goto fail;
    r->aead = aead_new(key, 0);
    r->sha = EVP_MD_CTX_new();
    if (r->aead == NULL || r->sha == NULL || EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL) != 1) {
        rc = ctx_error(ctx, AT_ERR, "the crypto library cannot set up ChaCha20-Poly1305 and SHA-256");
        goto fail;
    }
    r->buf = xmalloc((size_t)r->s.chunk_size + VAULTFILE_TAG_BYTES);
    *out = r;
    return AT_OK;
fail:
    vaultfile_reader_free(r);
    return rc;
}

int vaultfile_reader_next(struct at_ctx *ctx, struct vaultfile_reader *r, const uint8_t **data,
                          size_t *len, bool *final, struct vaultfile_result *res)
{
    size_t want = (size_t)r->s.chunk_size + VAULTFILE_TAG_BYTES, plain;
    uint8_t nonce[NONCE_BYTES];
    char msg[sizeof ctx->message];
    ssize_t n;
    int ok;

    if (r->done)
        return ctx_error(ctx, AT_ERR, "vault file %s was read to its end already", r->s.name);
    if (r->index == MAX_CHUNKS)
        return ctx_error(ctx, AT_ECORRUPT, "vault file %s has more than 2^40 chunks", r->s.name);
    if ((n = read_full(r->s.in_fd, r->buf, want)) < 0)
        return ctx_error(ctx, AT_ERR, "cannot read vault file %s: %s", r->s.name, strerror(errno));
    if (piece_problem(msg, sizeof msg, r->s.name, r->index, (size_t)n))
        return ctx_error(ctx, AT_ECORRUPT, "%s", msg);
    *final = (size_t)n < want;
    plain = (size_t)n - VAULTFILE_TAG_BYTES;
    nonce_make(nonce, r->s.header, *final ? NONCE_FINAL : NONCE_CHUNK, r->index);
    ok = aead_run(r->aead, 0, nonce, r->s.header, VAULTFILE_HEADER_BYTES, r->buf, plain, r->buf,
                  r->buf + plain);
    if (ok < 0)
        return ctx_error(ctx, AT_ERR, "the crypto library failed on chunk %" PRIu64, r->index + 1);
    if (ok == 0)
        return ctx_error(ctx, AT_ECORRUPT, "chunk %" PRIu64 " of vault file %s fails "
                         "authentication", r->index + 1, r->s.name);
    if (EVP_DigestUpdate(r->sha, r->buf, plain) != 1
        || (*final && EVP_DigestFinal_ex(r->sha, res->sha256, NULL) != 1))
        return ctx_error(ctx, AT_ERR, "the crypto library failed to hash chunk %" PRIu64,
                         r->index + 1);
    r->index++;
    r->plain_bytes += plain;
    r->vault_bytes += (size_t)n;
    if (*final) {
        r->done = true;
        res->plain_bytes = r->plain_bytes;
        res->vault_bytes = r->vault_bytes;
        res->chunks = r->index;
    }
    *data = r->buf;
    *len = plain;
    return AT_OK;
}

void vaultfile_reader_free(struct vaultfile_reader *r)
{
    if (r == NULL)
        return;
    if (r->buf) {
        vaultfile_wipe(r->buf, (size_t)r->s.chunk_size + VAULTFILE_TAG_BYTES);
        free(r->buf);
    }
    EVP_CIPHER_CTX_free(r->aead);
    EVP_MD_CTX_free(r->sha);
    free(r);
}

int vaultfile_decrypt(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                      int in_fd, int out_fd, const char *name,
                      struct vaultfile_result *res)
{
    struct stream s = { .decrypt = true, .key = key, .in_fd = in_fd,
                        .out_fd = out_fd, .name = name };
    int rc = header_read(ctx, &s);

    return rc != AT_OK ? rc : stream_run(ctx, &s, res);
}

int vaultfile_verify(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                     int in_fd, const char *name, struct vaultfile_result *res)
{
    return vaultfile_decrypt(ctx, key, in_fd, -1, name, res);
}
