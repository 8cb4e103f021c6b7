/*
 * evlog.h: the archive's tamper-evident log.  Every write appends leaves
 * (the RFC 6962 leaf hash of the canonical text of what was written) in
 * the same transaction; complete Merkle subtrees are cached so that roots
 * and proofs cost O(log n); signed tree heads bind a size and a root to
 * the archive's Ed25519 key.  docs/formats-log.md has the details.
 */
#ifndef EVLOG_H
#define EVLOG_H

#include "attest.h"
#include "merkle.h"
#include "store.h"

#include <jansson.h>

/* Appends the leaf of doc (its canonical text) and returns its sequence
 * number (1-based: leaf index + 1) in *seq. */
int evlog_append(struct at_ctx *ctx, struct store *st, const char *doc, int64_t *seq);

/* As evlog_append, for a text whose leaf hash (merkle_leaf_hash) was made
 * already, on another thread say. */
int evlog_append_leaf(struct at_ctx *ctx, struct store *st, const uint8_t leaf[MERKLE_HASH_LEN],
                      int64_t *seq);

/* A batch of leaves appended in a row by one writer (a bulk import): each
 * leaf is stored as it comes, and the cached subtrees over all of them
 * are computed in one pass by evlog_batch_flush, which must run before
 * anything else reads or appends to the log.  Zero-initialised. */
struct evlog_batch {
    int64_t first;                       /* sequence number of leaves[0] */
    size_t n, cap;
    uint8_t (*leaves)[MERKLE_HASH_LEN];
};

/* As evlog_append, with the subtrees left to evlog_batch_flush. */
int evlog_batch_append(struct at_ctx *ctx, struct store *st, struct evlog_batch *b,
                       const char *doc, int64_t *seq);

/* Forgets the newest leaf, seq, when its entry was rolled back. */
void evlog_batch_drop(struct evlog_batch *b, int64_t seq);

/* Stores the cached subtrees the batch's leaves complete; the batch is
 * then empty and may be appended to again. */
int evlog_batch_flush(struct at_ctx *ctx, struct store *st, struct evlog_batch *b);

void evlog_batch_free(struct evlog_batch *b);

/* Appends a log entry that is not a record version: kind ("user",
 * "identity", "evidence", "custody", ...), the id it is about, and its
 * canonical JSON text. */
int evlog_append_item(struct at_ctx *ctx, struct store *st, const char *kind, const char *ref,
                      json_t *doc, int64_t *seq);

/* Number of leaves. */
int evlog_size(struct at_ctx *ctx, struct store *st, uint64_t *size);

/* The root of the first size leaves. */
int evlog_root(struct at_ctx *ctx, struct store *st, uint64_t size, uint8_t root[MERKLE_HASH_LEN]);

struct tree_head {
    uint64_t size;
    uint8_t root[MERKLE_HASH_LEN];
    char signed_at[21];
    uint8_t signature[64];
};

/* The canonical JSON that a head's signature covers:
 * {"archive":ID,"root":HEX,"signed_at":TIME,"size":N}.  Caller frees.
 * A head whose time or archive id is not text (bytes that are not UTF-8:
 * a damaged proof, bundle or row) gives the empty text, which no archive
 * signs: its signature then fails to verify, as a forged head's does. */
char *evlog_head_text(const char *archive_id, const struct tree_head *h);

/* Signs a head over the whole log with sign_sk and stores it, unless the
 * newest head already covers every leaf. Inside a transaction. */
int evlog_sign_head(struct at_ctx *ctx, struct store *st, const uint8_t *sign_sk);

/* The newest signed head; AT_ENOTFOUND when there is none. */
int evlog_latest_head(struct at_ctx *ctx, struct store *st, struct tree_head *out);

/* Signs the log with the store's session key and commits: how every write
 * transaction of the CLI and server ends. */
int evlog_commit(struct at_ctx *ctx, struct store *st);

/* A write: what fn does to st with arg, in its own transaction. */
typedef int (*evlog_write_fn)(struct at_ctx *ctx, struct store *st, void *arg);

/* Makes one write: begins a transaction, runs fn, and on AT_OK signs the
 * log and commits (evlog_commit); on any other result, or when signing or
 * committing fails, rolls back.  Returns the first result that was not
 * AT_OK, with ctx's message.  How every write of the CLI and the server
 * is made.  With fn NULL, only signs a head over what is logged. */
int evlog_write(struct at_ctx *ctx, struct store *st, evlog_write_fn fn, void *arg);

int evlog_inclusion_proof(struct at_ctx *ctx, struct store *st, uint64_t index, uint64_t size,
                          struct merkle_proof *proof);
/* Inclusion proofs of many leaves against one tree size, as
 * evlog_inclusion_proof gives them: the peaks read once
 * (merkle_prover_init), each level's nodes read in runs of consecutive
 * indexes, so that proofs asked for in log order (a pack's) read each
 * node about once.  Valid while the store's snapshot is; free with
 * evlog_prover_free. */
struct evlog_prover;
int evlog_prover_begin(struct at_ctx *ctx, struct store *st, uint64_t size,
                       struct evlog_prover **out);
int evlog_prover_proof(struct at_ctx *ctx, struct evlog_prover *p, uint64_t index,
                       struct merkle_proof *proof);
void evlog_prover_free(struct evlog_prover *p);
int evlog_consistency_proof(struct at_ctx *ctx, struct store *st, uint64_t old_size,
                            uint64_t new_size, struct merkle_proof *proof);

/* The newest log entry about ref (a record id, at version, or any version
 * when 0; or an evidence item): its sequence number and leaf hash. */
int evlog_entry_of(struct at_ctx *ctx, struct store *st, const char *ref, int version,
                   int64_t *seq, uint8_t leaf[MERKLE_HASH_LEN]);

/* A proof's hashes as a new JSON array of hex strings, leaf end first. */
json_t *evlog_proof_json(const struct merkle_proof *p);

/* Drops and recomputes the cached subtree hashes from the leaves. */
int evlog_rebuild_nodes(struct at_ctx *ctx, struct store *st);

#endif
