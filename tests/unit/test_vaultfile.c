/*
 * test_vaultfile.c: the vault file format.  Round trips at the sizes where
 * chunking can go wrong, the plaintext SHA-256 against OpenSSL's one-shot
 * digest, and each kind of tampering, which must be caught with a message
 * that says what is wrong and where.
 */
#include "../../src/core/attest.h"
#include "../../src/core/vaultfile.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* Small chunks keep the tampering files small; 4096 + 16 bytes a chunk. */
#define SMALL 4096u
#define SMALL_STRIDE (SMALL + VAULTFILE_TAG_BYTES)

static const uint8_t test_key[VAULTFILE_KEY_BYTES] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/* Returns a path in this test's directory; the string is static. */
static const char *tmp_path(const char *leaf)
{
    static char path[4][300];
    static int next;
    char *p = path[next++ % 4];

    snprintf(p, sizeof path[0], "%s/%s", unit_tmpdir(), leaf);
    return p;
}

/* Returns len bytes from a seeded generator; the caller frees them. */
static uint8_t *make_bytes(size_t len, uint32_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    uint32_t x = seed * 2654435761u + 1;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

static void write_file(const char *path, const uint8_t *p, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    CHECK(fd >= 0 && write(fd, p, len) == (ssize_t)len);
    close(fd);
}

/* Returns the file's bytes and sets *len; the caller frees them. */
static uint8_t *read_file(const char *path, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    uint8_t *p;

    if (fd < 0 || fstat(fd, &st) != 0) {
        *len = 0;
        return calloc(1, 1);
    }
    *len = (size_t)st.st_size;
    p = malloc(*len ? *len : 1);
    CHECK(read(fd, p, *len) == (ssize_t)*len);
    close(fd);
    return p;
}

/* Encrypts the file at src into dst. */
static int encrypt_path(struct at_ctx *ctx, const uint8_t *key, const char *src,
                        const char *dst, uint32_t chunk, struct vaultfile_result *res)
{
    int in = open(src, O_RDONLY);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = vaultfile_encrypt(ctx, key, in, out, chunk, res);

    close(in);
    close(out);
    return rc;
}

/* Decrypts the file at src into dst, or only verifies it if dst is NULL.
 * The message names the vault file "ev.vault". */
static int decrypt_path(struct at_ctx *ctx, const uint8_t *key, const char *src,
                        const char *dst, struct vaultfile_result *res)
{
    int in = open(src, O_RDONLY);
    int out = dst ? open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
    int rc = dst ? vaultfile_decrypt(ctx, key, in, out, "ev.vault", res)
                 : vaultfile_verify(ctx, key, in, "ev.vault", res);

    close(in);
    if (out >= 0)
        close(out);
    return rc;
}

static void round_trip(size_t len, uint32_t chunk)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result enc, dec, ver;
    uint8_t *plain = make_bytes(len, (uint32_t)len);
    uint8_t want[32];
    size_t got_len, vault_len;
    uint32_t c = chunk ? chunk : VAULTFILE_CHUNK_DEFAULT;

    write_file(tmp_path("plain"), plain, len);
    CHECK(EVP_Digest(plain, len, want, NULL, EVP_sha256(), NULL) == 1);

    CHECK(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("ev.vault"),
                       chunk, &enc) == AT_OK);
    CHECK(memcmp(enc.sha256, want, 32) == 0);
    CHECK(enc.plain_bytes == len);
    CHECK(enc.chunks == len / c + 1);
    free(read_file(tmp_path("ev.vault"), &vault_len));
    CHECK(enc.vault_bytes == vault_len);
    CHECK(vault_len == VAULTFILE_HEADER_BYTES + len + enc.chunks * VAULTFILE_TAG_BYTES);

    CHECK(decrypt_path(&ctx, test_key, tmp_path("ev.vault"), tmp_path("back"), &dec) == AT_OK);
    uint8_t *got = read_file(tmp_path("back"), &got_len);
    CHECK(got_len == len && memcmp(got, plain, len) == 0);
    CHECK(memcmp(dec.sha256, want, 32) == 0);
    CHECK(dec.plain_bytes == len && dec.chunks == enc.chunks);
    CHECK(dec.vault_bytes == vault_len);

    CHECK(decrypt_path(&ctx, test_key, tmp_path("ev.vault"), NULL, &ver) == AT_OK);
    CHECK(memcmp(ver.sha256, want, 32) == 0);
    if (ctx.message[0])
        fprintf(stderr, "    size %zu: %s\n", len, ctx.message);
    free(got);
    free(plain);
}

UNIT_TEST(vaultfile_round_trip_default_chunk)
{
    size_t c = VAULTFILE_CHUNK_DEFAULT;
    size_t sizes[] = { 0, 1, c - 1, c, c + 1, 5 * c + 12345 };

    for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
        round_trip(sizes[i], 0);
}

UNIT_TEST(vaultfile_round_trip_small_chunks)
{
    size_t sizes[] = { 0, 1, 63, 64, 65, 64 * 9, 100000 };

    for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
        round_trip(sizes[i], VAULTFILE_CHUNK_MIN);
    round_trip(3 * SMALL + 7, SMALL);
}

UNIT_TEST(vaultfile_encrypts_from_a_pipe_with_a_fresh_file_id)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result a, b;
    uint8_t *plain = make_bytes(10000, 7), want[32];
    int fds[2];

    for (int pass = 0; pass < 2; pass++) {
        REQUIRE(pipe(fds) == 0);
        CHECK(write(fds[1], plain, 10000) == 10000);
        close(fds[1]);
        int out = open(tmp_path(pass ? "b.vault" : "a.vault"),
                       O_WRONLY | O_CREAT | O_TRUNC, 0600);
        CHECK(vaultfile_encrypt(&ctx, test_key, fds[0], out, SMALL, pass ? &b : &a) == AT_OK);
        close(out);
        close(fds[0]);
    }
    CHECK(EVP_Digest(plain, 10000, want, NULL, EVP_sha256(), NULL) == 1);
    CHECK(memcmp(a.sha256, want, 32) == 0 && memcmp(b.sha256, want, 32) == 0);

    size_t la, lb;
    uint8_t *va = read_file(tmp_path("a.vault"), &la);
    uint8_t *vb = read_file(tmp_path("b.vault"), &lb);
    CHECK(la == lb && memcmp(va, vb, 16) == 0);
    CHECK(memcmp(va + 16, vb + 16, la - 16) != 0);
    free(va);
    free(vb);
    free(plain);
}

/* Feeds len bytes to a writer in pieces of 1, 2, 3, ... bytes (crossing
 * chunk boundaries everywhere) and checks the result against
 * vaultfile_encrypt's and the plaintext. */
static void writer_round_trip(size_t len, uint32_t chunk)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result wres, eres, dec;
    struct vaultfile_writer *w;
    uint8_t *plain = make_bytes(len, (uint32_t)len + 11);
    size_t got_len, wlen, elen;
    int out = open(tmp_path("w.vault"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

    REQUIRE(vaultfile_writer_new(&ctx, test_key, out, chunk, &w) == AT_OK);
    for (size_t at = 0, piece = 1; at < len; at += piece, piece++)
        CHECK(vaultfile_writer_write(&ctx, w, plain + at, len - at < piece ? len - at : piece) == AT_OK);
    CHECK(vaultfile_writer_finish(&ctx, w, &wres) == AT_OK);
    struct at_ctx after = { 0 };
    CHECK(vaultfile_writer_write(&after, w, plain, 1) == AT_ERR);
    vaultfile_writer_free(w);
    close(out);

    write_file(tmp_path("plain"), plain, len);
    CHECK(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("e.vault"), chunk, &eres) == AT_OK);
    CHECK(memcmp(wres.sha256, eres.sha256, 32) == 0);
    CHECK(wres.plain_bytes == len && wres.chunks == eres.chunks && wres.vault_bytes == eres.vault_bytes);
    free(read_file(tmp_path("w.vault"), &wlen));
    free(read_file(tmp_path("e.vault"), &elen));
    CHECK(wlen == elen && wlen == wres.vault_bytes);

    CHECK(decrypt_path(&ctx, test_key, tmp_path("w.vault"), tmp_path("back"), &dec) == AT_OK);
    uint8_t *got = read_file(tmp_path("back"), &got_len);
    CHECK(got_len == len && memcmp(got, plain, len) == 0);
    CHECK(memcmp(dec.sha256, wres.sha256, 32) == 0);
    if (ctx.message[0])
        fprintf(stderr, "    size %zu: %s\n", len, ctx.message);
    free(got);
    free(plain);
}

/* Runs trip at the lengths where chunking can go wrong: none, less than a
 * chunk, one, one and a byte, several, several and some. */
static void at_chunk_edges(void (*trip)(size_t len, uint32_t chunk))
{
    size_t sizes[] = { 0, 1, 63, 64, 65, 64 * 9, 5000 };

    for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
        trip(sizes[i], VAULTFILE_CHUNK_MIN);
    trip(3 * SMALL, SMALL);
    trip(3 * SMALL + 7, SMALL);
    trip(VAULTFILE_CHUNK_DEFAULT + 1, 0);
}

UNIT_TEST(vaultfile_writer_matches_encrypt_piece_by_piece)
{
    at_chunk_edges(writer_round_trip);
}

/* Feeds the vault file of len plaintext bytes, made by vaultfile_encrypt,
 * to a sealed writer in pieces of 1, 2, 3, ... bytes: it writes the same
 * bytes (or, for odd lengths, only checks them) and gives the plaintext's
 * hash. */
static void sealed_round_trip(size_t len, uint32_t chunk)
{
    bool keep = len % 2 == 0;
    struct at_ctx ctx = { 0 };
    struct vaultfile_result eres, sres;
    struct vaultfile_writer *w;
    uint8_t *plain = make_bytes(len, (uint32_t)len + 5);
    size_t vlen, slen;
    int out = keep ? open(tmp_path("s.vault"), O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;

    write_file(tmp_path("plain"), plain, len);
    REQUIRE(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("e.vault"), chunk, &eres)
            == AT_OK);
    uint8_t *vault = read_file(tmp_path("e.vault"), &vlen);
    REQUIRE(vaultfile_writer_new_sealed(&ctx, test_key, out, "sent.vault", vlen, &w) == AT_OK);
    for (size_t at = 0, piece = 1; at < vlen; at += piece, piece++)
        CHECK(vaultfile_writer_write(&ctx, w, vault + at, vlen - at < piece ? vlen - at : piece)
              == AT_OK);
    CHECK(vaultfile_writer_finish(&ctx, w, &sres) == AT_OK);
    vaultfile_writer_free(w);
    CHECK(memcmp(sres.sha256, eres.sha256, 32) == 0);
    CHECK(sres.plain_bytes == len && sres.chunks == eres.chunks && sres.vault_bytes == vlen);
    if (keep) {
        close(out);
        uint8_t *kept = read_file(tmp_path("s.vault"), &slen);
        CHECK(slen == vlen && memcmp(kept, vault, vlen) == 0);
        free(kept);
    }
    if (ctx.message[0])
        fprintf(stderr, "    size %zu: %s\n", len, ctx.message);
    free(vault);
    free(plain);
}

UNIT_TEST(vaultfile_sealed_writer_keeps_a_vault_file_as_it_came)
{
    at_chunk_edges(sealed_round_trip);
}

/* Feeds the first len bytes of vault (changed at byte flip, if not
 * SIZE_MAX) to a sealed writer told the file is length bytes long, and
 * returns what the writes and the finish returned first. */
static int sealed_feed(struct at_ctx *ctx, const uint8_t *vault, size_t len, size_t flip,
                       uint64_t length, const uint8_t *key)
{
    struct vaultfile_result res;
    struct vaultfile_writer *w;
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    memcpy(copy, vault, len);
    if (flip != SIZE_MAX)
        copy[flip] ^= 0x40;
    if ((rc = vaultfile_writer_new_sealed(ctx, key, -1, "sent.vault", length, &w)) != AT_OK) {
        free(copy);
        return rc;
    }
    for (size_t at = 0; rc == AT_OK && at < len; at += 1000)
        rc = vaultfile_writer_write(ctx, w, copy + at, len - at < 1000 ? len - at : 1000);
    if (rc == AT_OK)
        rc = vaultfile_writer_finish(ctx, w, &res);
    vaultfile_writer_free(w);
    free(copy);
    return rc;
}

/* What a sealed writer refuses: a length no vault file can have, a
 * header or chunk changed, the wrong key, fewer bytes than its length or
 * more; a writer abandoned halfway stops its threads when freed. */
UNIT_TEST(vaultfile_sealed_writer_refuses_what_does_not_check)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    uint8_t *plain = make_bytes(3 * SMALL + 100, 77), other_key[VAULTFILE_KEY_BYTES] = { 9 };
    size_t n;

    write_file(tmp_path("plain"), plain, 3 * SMALL + 100);
    REQUIRE(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("e.vault"), SMALL, &res)
            == AT_OK);
    uint8_t *v = read_file(tmp_path("e.vault"), &n);
    REQUIRE(n == VAULTFILE_HEADER_BYTES + 3 * SMALL_STRIDE + 100 + VAULTFILE_TAG_BYTES);

    CHECK(sealed_feed(&ctx, v, n, SIZE_MAX, n, test_key) == AT_OK);
    CHECK(sealed_feed(&ctx, v, 40, SIZE_MAX, 40, test_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "would be 40 bytes long") != NULL);
    /* A length that leaves the final chunk shorter than its tag. */
    CHECK(sealed_feed(&ctx, v, n - 110, SIZE_MAX, n - 110, test_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "cannot be") && strstr(ctx.message, "in chunks of 4096 bytes"));
    CHECK(sealed_feed(&ctx, v, n, 20, n, test_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "the header of vault file sent.vault fails authentication")
          != NULL);
    CHECK(sealed_feed(&ctx, v, n, SIZE_MAX, n, other_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "wrong key") != NULL);
    CHECK(sealed_feed(&ctx, v, n, VAULTFILE_HEADER_BYTES + SMALL_STRIDE + 5, n, test_key)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "chunk 2 of vault file sent.vault fails authentication") != NULL);
    CHECK(sealed_feed(&ctx, v, n, n - 1, n, test_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "chunk 4 of vault file sent.vault fails authentication") != NULL);
    /* Cut: the last chunk is taken for the final one only with the last byte. */
    CHECK(sealed_feed(&ctx, v, n - 30, SIZE_MAX, n, test_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "ends before its length: truncated") != NULL);
    /* Swapped chunks: each is authentic at its own place only. */
    uint8_t *swapped = malloc(n);
    memcpy(swapped, v, n);
    memcpy(swapped + VAULTFILE_HEADER_BYTES, v + VAULTFILE_HEADER_BYTES + SMALL_STRIDE,
           SMALL_STRIDE);
    memcpy(swapped + VAULTFILE_HEADER_BYTES + SMALL_STRIDE, v + VAULTFILE_HEADER_BYTES,
           SMALL_STRIDE);
    CHECK(sealed_feed(&ctx, swapped, n, SIZE_MAX, n, test_key) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "chunk 1 of vault file sent.vault fails authentication") != NULL);
    free(swapped);
    /* More than its length, in one write. */
    struct vaultfile_writer *w;
    REQUIRE(vaultfile_writer_new_sealed(&ctx, test_key, -1, "sent.vault", n - 1, &w) == AT_OK);
    CHECK(vaultfile_writer_write(&ctx, w, v, n) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "goes on past its length") != NULL);
    vaultfile_writer_free(w);
    /* Abandoned after two chunks. */
    REQUIRE(vaultfile_writer_new_sealed(&ctx, test_key, -1, "sent.vault", n, &w) == AT_OK);
    CHECK(vaultfile_writer_write(&ctx, w, v, VAULTFILE_HEADER_BYTES + 2 * SMALL_STRIDE) == AT_OK);
    vaultfile_writer_free(w);
    free(v);
    free(plain);
}

/* Before a vault file is sent as it is, its header and its length are
 * checked against the plaintext's recorded size. */
UNIT_TEST(vaultfile_check_sealed_finds_a_cut_file_before_it_is_sent)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    uint8_t *plain = make_bytes(3 * SMALL + 100, 78), other_key[VAULTFILE_KEY_BYTES] = { 9 };
    uint64_t length = 0, n = VAULTFILE_HEADER_BYTES + 3 * SMALL_STRIDE + 100 + 16;
    int fd;

    write_file(tmp_path("plain"), plain, 3 * SMALL + 100);
    REQUIRE(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("c.vault"), SMALL, &res)
            == AT_OK);
    REQUIRE((fd = open(tmp_path("c.vault"), O_RDWR)) >= 0);
    CHECK(vaultfile_check_sealed(&ctx, test_key, fd, "c.vault", 3 * SMALL + 100, &length)
          == AT_OK);
    CHECK(length == n && lseek(fd, 0, SEEK_CUR) == 0);
    CHECK(vaultfile_check_sealed(&ctx, test_key, fd, "c.vault", 3 * SMALL + 99, &length)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "is 12500 bytes long, not the 12499 that 12387 bytes in chunks "
                 "of 4096 bytes make") != NULL);
    CHECK(vaultfile_check_sealed(&ctx, other_key, fd, "c.vault", 3 * SMALL + 100, &length)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "wrong key") != NULL);
    CHECK(ftruncate(fd, (off_t)n - 1) == 0);
    CHECK(vaultfile_check_sealed(&ctx, test_key, fd, "c.vault", 3 * SMALL + 100, &length)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "is 12499 bytes long, not the 12500") != NULL);
    CHECK(ftruncate(fd, 20) == 0);
    CHECK(vaultfile_check_sealed(&ctx, test_key, fd, "c.vault", 3 * SMALL + 100, &length)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "shorter than the 48-byte header") != NULL);
    close(fd);
    free(plain);
}

/* The writer's sealing runs on a thread: a write that fails there (the
 * disk full, here /dev/full put under the writer's descriptor after its
 * header) comes back to the caller, at a later write or at the finish,
 * with what failed; a writer abandoned halfway stops its threads when
 * freed. */
UNIT_TEST(vaultfile_writer_reports_a_failed_write_and_stops_when_abandoned)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    struct vaultfile_writer *w;
    uint8_t *plain = make_bytes(8 * SMALL, 5);
    int out = open(tmp_path("full.vault"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int full = open("/dev/full", O_WRONLY), rc = AT_OK;

    REQUIRE(out >= 0 && full >= 0);
    REQUIRE(vaultfile_writer_new(&ctx, test_key, out, SMALL, &w) == AT_OK);
    REQUIRE(dup2(full, out) == out);
    for (int i = 0; i < 8 && rc == AT_OK; i++)
        rc = vaultfile_writer_write(&ctx, w, plain + (size_t)i * SMALL, SMALL);
    if (rc == AT_OK)
        rc = vaultfile_writer_finish(&ctx, w, &res);
    CHECK(rc == AT_ERR);
    CHECK(strstr(ctx.message, "cannot write the vault file") != NULL);
    CHECK(vaultfile_writer_write(&ctx, w, plain, 1) == AT_ERR);
    vaultfile_writer_free(w);
    close(out);
    close(full);

    /* Abandoned after five full chunks and part of a sixth. */
    out = open(tmp_path("abandoned.vault"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(vaultfile_writer_new(&ctx, test_key, out, SMALL, &w) == AT_OK);
    CHECK(vaultfile_writer_write(&ctx, w, plain, 5 * SMALL + 100) == AT_OK);
    vaultfile_writer_free(w);
    close(out);
    free(plain);
}

/* Decrypts the file at src with a reader; returns the result code, the
 * plaintext in a new buffer and its length. */
static int reader_path(struct at_ctx *ctx, const char *src, uint8_t **out, size_t *len,
                       struct vaultfile_result *res)
{
    int in = open(src, O_RDONLY), rc;
    struct vaultfile_reader *r;
    const uint8_t *data;
    size_t n;
    bool final = false;

    *out = NULL;
    *len = 0;
    if ((rc = vaultfile_reader_new(ctx, test_key, in, "ev.vault", &r)) == AT_OK) {
        while (!final && (rc = vaultfile_reader_next(ctx, r, &data, &n, &final, res)) == AT_OK) {
            *out = realloc(*out, *len + n + 1);
            memcpy(*out + *len, data, n);
            *len += n;
        }
        vaultfile_reader_free(r);
    }
    close(in);
    return rc;
}

UNIT_TEST(vaultfile_reader_reads_and_checks_as_decrypt_does)
{
    size_t sizes[] = { 0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL + 7 };

    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        struct at_ctx ctx = { 0 }, want_ctx = { 0 };
        struct vaultfile_result enc, res, want_res;
        uint8_t *plain = make_bytes(sizes[i], (uint32_t)i + 40), *got, *vault;
        size_t len, vault_len;

        write_file(tmp_path("plain"), plain, sizes[i]);
        REQUIRE(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("ev.vault"), SMALL, &enc)
                == AT_OK);
        CHECK(reader_path(&ctx, tmp_path("ev.vault"), &got, &len, &res) == AT_OK);
        CHECK(len == sizes[i] && (len == 0 || memcmp(got, plain, len) == 0));
        CHECK(memcmp(res.sha256, enc.sha256, 32) == 0 && res.chunks == enc.chunks
              && res.vault_bytes == enc.vault_bytes && res.plain_bytes == sizes[i]);
        free(got);

        /* Cut, flipped or lengthened: the same verdict as decryption. */
        vault = read_file(tmp_path("ev.vault"), &vault_len);
        for (int t = 0; t < 3; t++) {
            if (t == 0)
                write_file(tmp_path("bad.vault"), vault, vault_len - 1);
            else if (t == 1) {
                vault[vault_len - 1] ^= 1;
                write_file(tmp_path("bad.vault"), vault, vault_len);
                vault[vault_len - 1] ^= 1;
            } else {
                write_file(tmp_path("bad.vault"), vault, vault_len);
                FILE *f = fopen(tmp_path("bad.vault"), "ab");
                fputs("x", f);
                fclose(f);
            }
            int want = decrypt_path(&want_ctx, test_key, tmp_path("bad.vault"), NULL, &want_res);
            CHECK(want == AT_ECORRUPT);
            CHECK(reader_path(&ctx, tmp_path("bad.vault"), &got, &len, &res) == want);
            CHECK_STR(ctx.message, want_ctx.message);
            free(got);
        }
        free(vault);
        free(plain);
    }
}

UNIT_TEST(vaultfile_rejects_bad_chunk_sizes)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;

    write_file(tmp_path("plain"), (const uint8_t *)"x", 1);
    CHECK(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("v"),
                       VAULTFILE_CHUNK_MIN - 1, &res) == AT_EINVAL);
    CHECK_STR(ctx.message, "chunk size 63 is outside 64..16777216 bytes");
    CHECK(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("v"),
                       VAULTFILE_CHUNK_MAX + 1, &res) == AT_EINVAL);
}

UNIT_TEST(vaultfile_key_generate_and_wipe)
{
    struct at_ctx ctx = { 0 };
    uint8_t a[VAULTFILE_KEY_BYTES], b[VAULTFILE_KEY_BYTES], zero[VAULTFILE_KEY_BYTES] = { 0 };

    CHECK(vaultfile_key_generate(&ctx, a) == AT_OK);
    CHECK(vaultfile_key_generate(&ctx, b) == AT_OK);
    CHECK(memcmp(a, b, sizeof a) != 0);
    vaultfile_wipe(a, sizeof a);
    CHECK(memcmp(a, zero, sizeof a) == 0);
}

/*
 * Tampering.  vault_make writes a vault file of len plaintext bytes in
 * SMALL chunks and returns its bytes; expect_failure writes the altered
 * bytes back, decrypts them to a file and checks the code and message,
 * and that only the chunks before the bad one reached the output.
 */
static uint8_t *vault_make(size_t len, uint32_t seed, size_t *vault_len)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    uint8_t *plain = make_bytes(len, seed);

    write_file(tmp_path("plain"), plain, len);
    free(plain);
    CHECK(encrypt_path(&ctx, test_key, tmp_path("plain"), tmp_path("orig.vault"),
                       SMALL, &res) == AT_OK);
    return read_file(tmp_path("orig.vault"), vault_len);
}

static void expect_failure(const uint8_t *key, const uint8_t *v, size_t len,
                           int code, const char *message, size_t plain_written)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    size_t out_len;

    write_file(tmp_path("ev.vault"), v, len);
    CHECK(decrypt_path(&ctx, key, tmp_path("ev.vault"), tmp_path("out"), &res) == code);
    CHECK_STR(ctx.message, message);
    free(read_file(tmp_path("out"), &out_len));
    CHECK(out_len == plain_written);

    ctx_clear(&ctx);
    CHECK(decrypt_path(&ctx, key, tmp_path("ev.vault"), NULL, &res) == code);
    CHECK_STR(ctx.message, message);
}

/* 5 full chunks and a final one of 100 bytes. */
#define TAMPER_LEN (5 * SMALL + 100)

static size_t chunk_at(int n)   /* offset of chunk n, counted from 1 */
{
    return VAULTFILE_HEADER_BYTES + (size_t)(n - 1) * SMALL_STRIDE;
}

UNIT_TEST(vaultfile_detects_altered_header)
{
    size_t len;
    uint8_t *v = vault_make(TAMPER_LEN, 1, &len);

    v[20] ^= 0x01;  /* in the file id */
    expect_failure(test_key, v, len, AT_ECORRUPT, "the header of vault file ev.vault"
                   " fails authentication: wrong key, or the header was altered", 0);
    v[20] ^= 0x01;
    v[14] ^= 0x10;  /* in the chunk size */
    expect_failure(test_key, v, len, AT_ECORRUPT, "the header of vault file ev.vault"
                   " fails authentication: wrong key, or the header was altered", 0);
    v[14] ^= 0x10;
    v[1] ^= 0x20;
    expect_failure(test_key, v, len, AT_ECORRUPT, "ev.vault is not a vault file:"
                   " it does not start with the vault magic bytes", 0);
    v[1] ^= 0x20;
    v[8] = 2;
    expect_failure(test_key, v, len, AT_ECORRUPT, "vault file ev.vault has format"
                   " version 2; this build reads version 1", 0);
    expect_failure(test_key, v, 30, AT_ECORRUPT, "vault file ev.vault is 30 bytes long,"
                   " shorter than the 48-byte header: truncated", 0);
    free(v);
}

UNIT_TEST(vaultfile_detects_wrong_key)
{
    size_t len;
    uint8_t *v = vault_make(TAMPER_LEN, 2, &len);
    uint8_t key[VAULTFILE_KEY_BYTES];

    memcpy(key, test_key, sizeof key);
    key[31] ^= 0x80;
    expect_failure(key, v, len, AT_ECORRUPT, "the header of vault file ev.vault"
                   " fails authentication: wrong key, or the header was altered", 0);
    free(v);
}

UNIT_TEST(vaultfile_detects_flipped_bits_in_chunks)
{
    size_t len;
    uint8_t *v = vault_make(TAMPER_LEN, 3, &len);

    v[chunk_at(3) + 100] ^= 0x04;                 /* chunk 3's body */
    expect_failure(test_key, v, len, AT_ECORRUPT,
                   "chunk 3 of vault file ev.vault fails authentication", 2 * SMALL);
    v[chunk_at(3) + 100] ^= 0x04;
    v[chunk_at(2) + SMALL + 5] ^= 0x80;           /* chunk 2's tag */
    expect_failure(test_key, v, len, AT_ECORRUPT,
                   "chunk 2 of vault file ev.vault fails authentication", SMALL);
    v[chunk_at(2) + SMALL + 5] ^= 0x80;
    v[len - 1] ^= 0x01;                           /* the final chunk's tag */
    expect_failure(test_key, v, len, AT_ECORRUPT,
                   "chunk 6 of vault file ev.vault fails authentication", 5 * SMALL);
    free(v);
}

UNIT_TEST(vaultfile_detects_truncation)
{
    size_t len;
    uint8_t *v = vault_make(TAMPER_LEN, 4, &len);

    expect_failure(test_key, v, chunk_at(5), AT_ECORRUPT, "vault file ev.vault ends"
                   " after chunk 4 without the final-chunk marker: truncated", 4 * SMALL);
    expect_failure(test_key, v, chunk_at(6), AT_ECORRUPT, "vault file ev.vault ends"
                   " after chunk 5 without the final-chunk marker: truncated", 5 * SMALL);
    expect_failure(test_key, v, chunk_at(1), AT_ECORRUPT, "vault file ev.vault ends"
                   " after its header, before any chunk: truncated", 0);
    expect_failure(test_key, v, chunk_at(3) + 1000, AT_ECORRUPT,
                   "chunk 3 of vault file ev.vault fails authentication", 2 * SMALL);
    expect_failure(test_key, v, chunk_at(3) + 5, AT_ECORRUPT, "chunk 3 of vault file"
                   " ev.vault is 5 bytes, shorter than its 16-byte tag: truncated",
                   2 * SMALL);
    expect_failure(test_key, v, len - 1, AT_ECORRUPT,
                   "chunk 6 of vault file ev.vault fails authentication", 5 * SMALL);
    free(v);
}

UNIT_TEST(vaultfile_detects_dropped_empty_final_chunk)
{
    size_t len;
    uint8_t *v = vault_make(4 * SMALL, 5, &len);  /* 4 full chunks + an empty final one */

    CHECK(len == chunk_at(5) + VAULTFILE_TAG_BYTES);
    expect_failure(test_key, v, chunk_at(5), AT_ECORRUPT, "vault file ev.vault ends"
                   " after chunk 4 without the final-chunk marker: truncated", 4 * SMALL);
    free(v);
}

UNIT_TEST(vaultfile_detects_swapped_chunks)
{
    size_t len;
    uint8_t *v = vault_make(TAMPER_LEN, 6, &len);
    uint8_t tmp[SMALL_STRIDE];

    memcpy(tmp, v + chunk_at(2), SMALL_STRIDE);
    memcpy(v + chunk_at(2), v + chunk_at(3), SMALL_STRIDE);
    memcpy(v + chunk_at(3), tmp, SMALL_STRIDE);
    expect_failure(test_key, v, len, AT_ECORRUPT,
                   "chunk 2 of vault file ev.vault fails authentication", SMALL);
    free(v);
}

UNIT_TEST(vaultfile_detects_appended_chunks)
{
    size_t len, other_len;
    uint8_t *other = vault_make(3 * SMALL, 7, &other_len);  /* same key, another file */
    uint8_t *v = vault_make(TAMPER_LEN, 8, &len);
    uint8_t *longer = malloc(len + SMALL_STRIDE);

    /* After a short final chunk: a full chunk of this file. */
    memcpy(longer, v, len);
    memcpy(longer + len, v + chunk_at(2), SMALL_STRIDE);
    expect_failure(test_key, longer, len + SMALL_STRIDE, AT_ECORRUPT,
                   "chunk 6 of vault file ev.vault fails authentication", 5 * SMALL);
    /* After a short final chunk: the final chunk of another file. */
    memcpy(longer + len, other + other_len - VAULTFILE_TAG_BYTES, VAULTFILE_TAG_BYTES);
    expect_failure(test_key, longer, len + VAULTFILE_TAG_BYTES, AT_ECORRUPT,
                   "chunk 6 of vault file ev.vault fails authentication", 5 * SMALL);
    free(v);

    /* After an empty final chunk: a chunk of another file. */
    v = vault_make(4 * SMALL, 9, &len);
    memcpy(longer, v, len);
    memcpy(longer + len, other + chunk_at(2), SMALL_STRIDE);
    expect_failure(test_key, longer, len + SMALL_STRIDE, AT_ECORRUPT,
                   "chunk 5 of vault file ev.vault fails authentication", 4 * SMALL);
    /* A chunk of another file in place of one of this file's. */
    memcpy(v + chunk_at(2), other + chunk_at(2), SMALL_STRIDE);
    expect_failure(test_key, v, len, AT_ECORRUPT,
                   "chunk 2 of vault file ev.vault fails authentication", SMALL);
    free(longer);
    free(v);
    free(other);
}
