/*
 * vaultfile.h: the encrypted-at-rest format of one evidence file in the
 * vault.  A file is encrypted under its own random 32-byte key in
 * authenticated chunks, streamed from one file descriptor to another with
 * bounded memory, while the SHA-256 of the plaintext is computed on the
 * way; decryption verifies every chunk, detects truncation, reordering and
 * appended data, and gives back the same SHA-256 for the caller to compare
 * with the one it recorded.  docs/formats-vault.md describes the bytes.
 *
 * Wrapping the per-file key under the archive's master key is the caller's
 * business; this module only makes and wipes keys.
 */
#ifndef VAULTFILE_H
#define VAULTFILE_H

#include "attest.h"

#define VAULTFILE_KEY_BYTES 32
#define VAULTFILE_SHA256_BYTES 32
#define VAULTFILE_HEADER_BYTES 48
#define VAULTFILE_TAG_BYTES 16

/* Plaintext bytes per chunk: the default, and the range a file may declare.
 * Memory in use while streaming is about 8 times the chunk size. */
#define VAULTFILE_CHUNK_DEFAULT (1u << 20)
#define VAULTFILE_CHUNK_MIN 64u
#define VAULTFILE_CHUNK_MAX (16u << 20)

/* What a pass over a file found.  Filled in on success only. */
struct vaultfile_result {
    uint8_t sha256[VAULTFILE_SHA256_BYTES]; /* of the plaintext */
    uint64_t plain_bytes;                   /* plaintext length */
    uint64_t vault_bytes;                   /* encrypted length, header included */
    uint64_t chunks;                        /* chunks, the final one included */
};

/* Fills key with VAULTFILE_KEY_BYTES random bytes from the system's
 * generator.  Returns AT_OK, or AT_ERR if the generator fails. */
int vaultfile_key_generate(struct at_ctx *ctx, uint8_t key[VAULTFILE_KEY_BYTES]);

/* Overwrites len bytes at p with zeros in a way the compiler cannot drop.
 * Call it on every copy of a file key once it is no longer needed. */
void vaultfile_wipe(void *p, size_t len);

/*
 * Reads in_fd to its end and writes the vault file to out_fd: a header
 * with a fresh random file id, then the chunks.  chunk_size is the
 * plaintext bytes per chunk, 0 for VAULTFILE_CHUNK_DEFAULT.  Neither
 * descriptor need be seekable; neither is closed.  Hashing and encryption
 * run on two threads beside the calling one, which reads.
 *
 * Returns AT_OK and fills res (sha256 of what was read), AT_EINVAL for a
 * chunk size out of range, or AT_ERR when reading, writing or the crypto
 * library fails.  On failure out_fd holds an incomplete file that the
 * caller must discard.
 */
int vaultfile_encrypt(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                      int in_fd, int out_fd, uint32_t chunk_size,
                      struct vaultfile_result *res);

/*
 * The same encryption fed piece by piece, for a file that arrives over
 * time (an upload): each chunk, as soon as it is full, is sealed and
 * written on one thread and hashed on another while the caller fills the
 * next, so that nothing but ciphertext reaches out_fd, and memory stays at
 * four chunks (two being filled or worked on, each with its ciphertext).
 * The bytes written are
 * those vaultfile_encrypt would write for the same input, key, chunk size
 * and file id.
 *
 * vaultfile_writer_new writes the header to out_fd (which need not be
 * seekable, and is not closed) and sets *out, which the caller frees with
 * vaultfile_writer_free (which stops the threads and wipes the key and
 * buffers); _write takes the next len plaintext bytes; _finish writes the
 * final chunk, waits for the threads and fills res.  Each returns AT_OK,
 * AT_EINVAL for a chunk size out of range or a file too long for the
 * format, or AT_ERR when writing or the crypto library fails (a thread's
 * failure is reported at the next _write that needs a free chunk, or at
 * _finish); after a failure the writer takes nothing more and out_fd
 * holds an incomplete file that the caller must discard.
 */
struct vaultfile_writer;

int vaultfile_writer_new(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES], int out_fd,
                         uint32_t chunk_size, struct vaultfile_writer **out);
int vaultfile_writer_write(struct at_ctx *ctx, struct vaultfile_writer *w, const void *data,
                           size_t len);
int vaultfile_writer_finish(struct at_ctx *ctx, struct vaultfile_writer *w,
                            struct vaultfile_result *res);
void vaultfile_writer_free(struct vaultfile_writer *w);

/*
 * A writer fed a vault file already made, of length bytes, sealed under
 * key: another archive's, sent on as it was stored (a sync pack).  Its
 * header is checked once in, and each chunk is authenticated, written to
 * out_fd as it came (nothing is written when out_fd < 0: the file is only
 * checked) and its plaintext hashed, on the same two threads; res gives
 * the plaintext's SHA-256 and length.  name identifies the file in
 * messages, as for vaultfile_decrypt, and must outlive the writer.
 * _write and _finish return as vaultfile_decrypt does: AT_ECORRUPT for a
 * length no vault file can have, a header or chunk that fails to check,
 * bytes past the length, or a finish before the length is in.
 */
/* Before a vault file on fd is sent on as it is: checks its header under
 * key and that its length is the one plain_bytes of plaintext make in the
 * header's chunks (into *length), without moving fd's offset.  Returns
 * AT_OK, AT_ECORRUPT naming what is wrong, or AT_ERR when reading fails.
 * The chunks themselves are left to the receiver's sealed writer. */
int vaultfile_check_sealed(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES], int fd,
                           const char *name, uint64_t plain_bytes, uint64_t *length);
int vaultfile_writer_new_sealed(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                                int out_fd, const char *name, uint64_t length,
                                struct vaultfile_writer **out);

/*
 * Reads the vault file on in_fd, checks its header and every chunk, and
 * writes the plaintext to out_fd.  name identifies the file in messages
 * ("chunk 3 of vault file NAME fails authentication"); chunks are counted
 * from 1 there.  Only authenticated chunks are written, in order, but a
 * failure can come after some have been: the caller writes to a temporary
 * file and renames it into place only on AT_OK, after comparing
 * res->sha256 with the hash it recorded at ingest.
 *
 * Returns AT_OK and fills res; AT_ECORRUPT when the file is not a vault
 * file, the key is wrong, or any chunk is altered, missing, reordered or
 * followed by extra bytes; AT_ERR for I/O or crypto library failures.
 */
int vaultfile_decrypt(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                      int in_fd, int out_fd, const char *name,
                      struct vaultfile_result *res);

/*
 * The same decryption one chunk at a time, for a consumer that takes the
 * plaintext as it goes (a download), in the calling thread.
 *
 * vaultfile_reader_new reads and checks the header on in_fd; key and name
 * must outlive the reader, which the caller frees with
 * vaultfile_reader_free.  Each call of _next reads, authenticates and
 * hashes the next chunk and points *data at its plaintext (*len bytes,
 * valid until the next call or the free); *final is set at the final
 * chunk, which also fills res.  Returns as vaultfile_decrypt; a chunk is
 * given only once authentic, but the whole file's SHA-256 is known only
 * at the final one, for the caller to compare before it lets the last
 * bytes go.
 */
struct vaultfile_reader;

int vaultfile_reader_new(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES], int in_fd,
                         const char *name, struct vaultfile_reader **out);
int vaultfile_reader_next(struct at_ctx *ctx, struct vaultfile_reader *r, const uint8_t **data,
                          size_t *len, bool *final, struct vaultfile_result *res);
void vaultfile_reader_free(struct vaultfile_reader *r);

/* vaultfile_decrypt that writes the plaintext nowhere: checks every tag
 * and computes the plaintext's SHA-256.  Same returns. */
int vaultfile_verify(struct at_ctx *ctx, const uint8_t key[VAULTFILE_KEY_BYTES],
                     int in_fd, const char *name, struct vaultfile_result *res);

#endif
