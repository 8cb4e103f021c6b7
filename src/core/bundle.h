/*
 * bundle.h: evidence bundles, the tar a court or partner receives: the
 * chosen records and files, each with a Merkle inclusion proof against a
 * signed tree head, and VERIFY.md saying how to check it all with
 * standard tools.  docs/formats-bundle.md describes the layout.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include "attest.h"
#include "store.h"
#include "tier.h"

struct bundle_counts {
    long records;     /* with proofs */
    long redacted;    /* changed for the tier, so without proofs */
    long left_out;    /* not for this tier */
    long files;
    uint64_t file_bytes;
};

/* Writes the bundle of ids (record ids and evidence item ids) at tier to
 * path.  Needs a session allowed to export bundles.  Nothing is written at
 * path unless the whole bundle is. */
int bundle_write(struct at_ctx *ctx, struct store *st, const char *const *ids, size_t nids,
                 enum tier tier, const char *path, struct bundle_counts *counts);
/* The same, written to fd (the server's in-memory file: the evidence in a
 * bundle is plaintext); on failure fd holds part of a bundle. */
int bundle_write_fd(struct at_ctx *ctx, struct store *st, const char *const *ids, size_t nids,
                    enum tier tier, int fd, struct bundle_counts *c);

/* Checks a bundle with no archive: the head's signature (and that its key
 * is pinned_key_hex, when given), every record's and file's inclusion
 * proof, every file's SHA-256 and size, and each file's commitment in its
 * logged entry.  AT_ECORRUPT naming the first thing that fails. */
int bundle_verify(struct at_ctx *ctx, const char *path, const char *pinned_key_hex,
                  struct bundle_counts *counts);

#endif
