/*
 * test_sync_ahead.c: a pack's vault files written ahead of their frames.
 * The stream is made here in the pack's wire form (a u32 length and a
 * secretstream message a frame): a frame "F" names the vault file that
 * follows it (its key and u64 length), the others are anything.  The
 * thread must give each file at its offset written whole and checked,
 * nothing at another offset or under another key, the failure of a
 * damaged file, only the SHA-256 of a file whose item is held (asked on
 * the import's side, which answers as it polls or waits), nothing for a
 * file the pack is too short for or for a pipe, and leave no staging
 * file behind whatever was taken.
 */
#include "../../src/core/attest.h"
#include "../../src/core/sync_ahead.h"
#include "../../src/core/vault.h"
#include "../../src/core/vaultfile.h"
#include "fixture.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_BYTES 300000

/* A frame "F" is followed by a file; its item's sequence is the file's
 * length, its origin "test". */
static bool file_after(const uint8_t *plain, size_t len, struct sync_file_info *file)
{
    if (len != 1 + VAULTFILE_KEY_BYTES + 8 || plain[0] != 'F')
        return false;
    file->key = plain + 1;
    file->length = 0;
    for (int i = 0; i < 8; i++)
        file->length = file->length << 8 | plain[1 + VAULTFILE_KEY_BYTES + i];
    snprintf(file->origin, sizeof file->origin, "test");
    file->oseq = (int64_t)file->length;
    return true;
}

/* The items held: the one whose sequence is *arg (0: none); the number
 * of times asked is counted in asked. */
static int asked;

static bool held(void *arg, const char *origin, int64_t oseq)
{
    asked++;
    return strcmp(origin, "test") == 0 && oseq == *(const int64_t *)arg;
}

/* A pack being written, and the stream's state at its first frame. */
struct pack {
    int fd;
    uint64_t offset;
    crypto_secretstream_xchacha20poly1305_state push, at_first;
    uint8_t ad[crypto_generichash_BYTES];
};

static bool pack_new(struct pack *p, const char *path)
{
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];

    crypto_secretstream_xchacha20poly1305_keygen(key);
    randombytes_buf(p->ad, sizeof p->ad);
    crypto_secretstream_xchacha20poly1305_init_push(&p->push, header, key);
    crypto_secretstream_xchacha20poly1305_init_pull(&p->at_first, header, key);
    p->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    /* Something before the first frame, as a pack's header is. */
    p->offset = 7;
    return p->fd >= 0 && write(p->fd, "HEADER\n", 7) == 7;
}

static void pack_raw(struct pack *p, const void *data, size_t len)
{
    if (write(p->fd, data, len) == (ssize_t)len)
        p->offset += len;
}

static void pack_frame(struct pack *p, const uint8_t *plain, size_t len, bool last)
{
    uint8_t ct[256];
    unsigned long long ctlen;
    uint8_t n[4];

    crypto_secretstream_xchacha20poly1305_push(
        &p->push, ct, &ctlen, plain, len, p->ad, sizeof p->ad,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    n[0] = (uint8_t)(ctlen >> 24), n[1] = (uint8_t)(ctlen >> 16), n[2] = (uint8_t)(ctlen >> 8);
    n[3] = (uint8_t)ctlen;
    pack_raw(p, n, sizeof n);
    pack_raw(p, ct, (size_t)ctlen);
}

/* The "F" frame for a vault file of length bytes under key, then (when
 * file is set) those bytes; *at is where they start. */
static void pack_file(struct pack *p, const uint8_t *key, uint64_t length, const uint8_t *file,
                      uint64_t *at)
{
    uint8_t plain[1 + VAULTFILE_KEY_BYTES + 8];

    plain[0] = 'F';
    memcpy(plain + 1, key, VAULTFILE_KEY_BYTES);
    for (int i = 0; i < 8; i++)
        plain[1 + VAULTFILE_KEY_BYTES + i] = (uint8_t)(length >> (56 - 8 * i));
    pack_frame(p, plain, sizeof plain, false);
    *at = p->offset;
    if (file)
        pack_raw(p, file, (size_t)length);
}

/* A vault file of FILE_BYTES random bytes under a new key: its bytes,
 * length, key and plaintext SHA-256. */
struct sealed {
    uint8_t *bytes;
    size_t len;
    uint8_t key[VAULTFILE_KEY_BYTES], sha256[32];
};

static bool seal(struct at_ctx *ctx, const char *path, struct sealed *s)
{
    uint8_t *plain = malloc(FILE_BYTES);
    struct vaultfile_writer *w = NULL;
    struct vaultfile_result res;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    bool ok;

    randombytes_buf(plain, FILE_BYTES);
    randombytes_buf(s->key, sizeof s->key);
    crypto_hash_sha256(s->sha256, plain, FILE_BYTES);
    ok = fd >= 0 && vaultfile_writer_new(ctx, s->key, fd, 0, &w) == AT_OK
         && vaultfile_writer_write(ctx, w, plain, FILE_BYTES) == AT_OK
         && vaultfile_writer_finish(ctx, w, &res) == AT_OK;
    vaultfile_writer_free(w);
    free(plain);
    if (ok) {
        s->len = (size_t)lseek(fd, 0, SEEK_END);
        s->bytes = malloc(s->len);
        ok = pread(fd, s->bytes, s->len, 0) == (ssize_t)s->len;
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

UNIT_TEST(sync_ahead_gives_each_file_written_at_its_offset_and_leaves_none_behind)
{
    struct at_ctx ctx = { 0 };
    struct session s;
    struct store *st = unit_archive(&ctx, "ahead", &s);
    struct sealed good = { 0 }, bad = { 0 };
    struct sync_ahead_file got;
    struct sync_ahead *a;
    int64_t none = 0, held_one;
    struct pack p;
    uint64_t at_good, at_bad;
    uint8_t sha[32], other[VAULTFILE_KEY_BYTES] = { 0 };
    char path[600], scratch[600];
    int pipe_fd[2];

    REQUIRE(st != NULL);
    snprintf(path, sizeof path, "%s/ahead.pack", unit_tmpdir());
    snprintf(scratch, sizeof scratch, "%s/ahead.file", unit_tmpdir());
    REQUIRE(seal(&ctx, scratch, &good) && seal(&ctx, scratch, &bad));
    bad.bytes[bad.len / 2] ^= 0x01;
    REQUIRE(pack_new(&p, path));
    pack_frame(&p, (const uint8_t *)"V a version", 11, false);
    pack_file(&p, good.key, good.len, good.bytes, &at_good);
    pack_frame(&p, (const uint8_t *)"V another", 9, false);
    pack_file(&p, bad.key, bad.len, bad.bytes, &at_bad);
    pack_frame(&p, (const uint8_t *)"Z", 1, true);

    /* Each file at its offset, written whole: its plaintext's SHA-256.
     * The first take waits, answering the thread's question. */
    REQUIRE((a = sync_ahead_start(st, p.fd, 7, &p.at_first, p.ad, file_after, held, &none))
            != NULL);
    CHECK(sync_ahead_take(&ctx, a, at_good + 1, good.key, good.len, &got) == AT_OK
          && got.upload == NULL && !got.checked);
    CHECK(sync_ahead_take(&ctx, a, at_good, other, good.len, &got) == AT_OK
          && got.upload == NULL);
    CHECK(sync_ahead_take(&ctx, a, at_good, good.key, good.len, &got) == AT_OK
          && got.upload != NULL && !got.checked);
    CHECK(got.upload && vault_upload_sha256(&ctx, got.upload, sha) == AT_OK
          && memcmp(sha, good.sha256, sizeof sha) == 0);
    vault_upload_free(got.upload);
    /* Taken once. */
    CHECK(sync_ahead_take(&ctx, a, at_good, good.key, good.len, &got) == AT_OK
          && got.upload == NULL);
    /* A changed byte: the failure, said where. */
    CHECK(sync_ahead_take(&ctx, a, at_bad, bad.key, bad.len, &got) == AT_ECORRUPT
          && got.upload == NULL && !got.checked);
    CHECK(strstr(ctx.message, "sent in the pack") && strstr(ctx.message, "fails authentication"));
    sync_ahead_stop(a);
    CHECK(asked == 2 && unit_vault_files("ahead", ".incoming") == 0);

    /* The item of the first file held: only checked, nothing staged; the
     * question answered by polling, as the import does between frames. */
    held_one = (int64_t)good.len;
    asked = 0;
    REQUIRE((a = sync_ahead_start(st, p.fd, 7, &p.at_first, p.ad, file_after, held, &held_one))
            != NULL);
    while (asked == 0)
        sync_ahead_poll(a);
    CHECK(sync_ahead_take(&ctx, a, at_good, good.key, good.len, &got) == AT_OK
          && got.upload == NULL && got.checked
          && memcmp(got.sha256, good.sha256, sizeof got.sha256) == 0);
    CHECK(unit_vault_files("ahead", ".incoming") == 0);
    sync_ahead_stop(a);

    /* Stopped before anything is taken, or while the thread asks:
     * nothing left either. */
    REQUIRE((a = sync_ahead_start(st, p.fd, 7, &p.at_first, p.ad, file_after, held, &none))
            != NULL);
    sync_ahead_stop(a);
    CHECK(unit_vault_files("ahead", ".incoming") == 0);
    close(p.fd);

    /* A file the pack is too short for is not written: the import reads
     * it, and says the pack is truncated. */
    REQUIRE(pack_new(&p, path));
    pack_file(&p, good.key, good.len, NULL, &at_good);
    pack_raw(&p, good.bytes, good.len - 1);
    REQUIRE((a = sync_ahead_start(st, p.fd, 7, &p.at_first, p.ad, file_after, held, &none))
            != NULL);
    CHECK(sync_ahead_take(&ctx, a, at_good, good.key, good.len, &got) == AT_OK
          && got.upload == NULL && !got.checked);
    sync_ahead_stop(a);
    close(p.fd);
    CHECK(unit_vault_files("ahead", ".incoming") == 0);

    /* A pipe is read in order, by the import alone. */
    REQUIRE(pipe(pipe_fd) == 0);
    CHECK(sync_ahead_start(st, pipe_fd[0], 0, &p.at_first, p.ad, file_after, held, &none)
          == NULL);
    CHECK(sync_ahead_take(&ctx, NULL, 0, good.key, good.len, &got) == AT_OK
          && got.upload == NULL && !got.checked);
    close(pipe_fd[0]);
    close(pipe_fd[1]);

    free(good.bytes);
    free(bad.bytes);
    store_close(st);
}
