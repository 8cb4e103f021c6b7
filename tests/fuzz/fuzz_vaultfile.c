/*
 * fuzz_vaultfile.c: decrypts arbitrary bytes as a vault file under a fixed
 * key.  Every input must end in success or a clean AT_ECORRUPT with a
 * message, and decrypting to a descriptor, verifying only, and the sealed
 * writer fed the bytes in pieces (as a pack delivers a vault file) must
 * agree.
 * The seed corpus holds small vault files made with this key, whole and
 * altered, so that mutations reach the chunks behind the header.
 */
#include "../../src/core/attest.h"
#include "../../src/core/vaultfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t fuzz_key[VAULTFILE_KEY_BYTES] = "attest fuzz key, fixed, 32 byte";

/* Puts the input in a scratch file and runs one pass over it.  Returns
 * the pass's result code, with ctx and res filled. */
static int run_pass(int fd, int out_fd, struct at_ctx *ctx, struct vaultfile_result *res)
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        abort();
    if (out_fd >= 0)
        return vaultfile_decrypt(ctx, fuzz_key, fd, out_fd, "fuzz", res);
    return vaultfile_verify(ctx, fuzz_key, fd, "fuzz", res);
}

/* The input fed to a sealed writer in pieces of 1, 2, 4, ... bytes. */
static int run_sealed(const uint8_t *data, size_t size, struct at_ctx *ctx,
                      struct vaultfile_result *res)
{
    struct vaultfile_writer *w;
    int rc = vaultfile_writer_new_sealed(ctx, fuzz_key, -1, "fuzz", size, &w);

    for (size_t at = 0, piece = 1; rc == AT_OK && at < size; at += piece, piece *= 2)
        rc = vaultfile_writer_write(ctx, w, data + at, size - at < piece ? size - at : piece);
    if (rc == AT_OK)
        rc = vaultfile_writer_finish(ctx, w, res);
    vaultfile_writer_free(w);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *scratch;
    static int null_fd = -1;
    struct at_ctx a = { 0 }, b = { 0 }, c = { 0 };
    struct vaultfile_result ra, rb, rs;

    if (scratch == NULL) {
        scratch = tmpfile();
        null_fd = open("/dev/null", O_WRONLY);
        if (scratch == NULL || null_fd < 0)
            abort();
    }
    int fd = fileno(scratch);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();

    int rc = run_pass(fd, null_fd, &a, &ra);
    if (rc != run_pass(fd, -1, &b, &rb) || strcmp(a.message, b.message) != 0)
        abort();
    if (rc != run_sealed(data, size, &c, &rs))
        abort();
    if (rc == AT_OK) {
        if (ra.vault_bytes != size || memcmp(ra.sha256, rb.sha256, sizeof ra.sha256) != 0
            || memcmp(ra.sha256, rs.sha256, sizeof ra.sha256) != 0)
            abort();
    } else if (rc != AT_ECORRUPT || a.message[0] == '\0' || c.message[0] == '\0') {
        abort();
    }
    return 0;
}
