/*
 * vault_ingest.c: times the vault file format on one input file.  It
 * ingests the file (encrypts it into a vault file while hashing it), then
 * verifies the vault file (decrypts to nowhere, checks every tag and
 * hashes again), and prints one line per pass: the pass, MB/s, and the
 * plaintext SHA-256 so the caller can compare it with other tools.
 *
 * usage: vault_ingest INPUT VAULT_OUTPUT [CHUNK_SIZE]
 */
#include "../src/core/attest.h"
#include "../src/core/vaultfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void report(const char *pass, const struct vaultfile_result *res, double secs)
{
    printf("%-7s %.0f MB/s  ", pass, (double)res->plain_bytes / secs / 1e6);
    for (int i = 0; i < VAULTFILE_SHA256_BYTES; i++)
        printf("%02x", res->sha256[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    uint8_t key[VAULTFILE_KEY_BYTES];
    uint32_t chunk = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 0;
    double t;
    int in, out, rc;

    if (argc < 3) {
        fprintf(stderr, "usage: vault_ingest INPUT VAULT_OUTPUT [CHUNK_SIZE]\n");
        return 2;
    }
    if (vaultfile_key_generate(&ctx, key) != AT_OK)
        goto fail;
    in = open(argv[1], O_RDONLY);
    out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0) {
        perror("open");
        return 1;
    }
    t = now();
    rc = vaultfile_encrypt(&ctx, key, in, out, chunk, &res);
    t = now() - t;
    close(in);
    close(out);
    if (rc != AT_OK)
        goto fail;
    report("ingest", &res, t);

    in = open(argv[2], O_RDONLY);
    if (in < 0) {
        perror("open");
        return 1;
    }
    t = now();
    rc = vaultfile_verify(&ctx, key, in, argv[2], &res);
    t = now() - t;
    close(in);
    if (rc != AT_OK)
        goto fail;
    report("verify", &res, t);
    vaultfile_wipe(key, sizeof key);
    return 0;

fail:
    fprintf(stderr, "vault_ingest: %s\n", ctx.message);
    return 1;
}
