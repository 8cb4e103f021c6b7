/*
 * merkle.h: the Merkle hash tree of RFC 6962 section 2.1, on which the
 * archive's tamper-evident log is built.
 *
 * Leaves are hashed as SHA-256(0x00 || data), inner nodes as
 * SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at the
 * largest power of two below n.  The generators (root, inclusion proof,
 * consistency proof) never see the leaves themselves: they ask a
 * struct merkle_source for the hashes of *perfect* subtrees, those of
 * 2^level leaves starting at leaf index * 2^level.  Any prefix [0, n) of
 * the log is a row of such subtrees, so each answer costs O(log n)
 * lookups; the storage layer keeps the perfect nodes as they complete
 * (merkle_append_nodes says which).  The verifiers need no source: they
 * check a proof against the hashes a client was given.
 *
 * Proof hashes are ordered from the leaf end to the root end, as in the
 * RFC; docs/formats-log.md describes the text form.
 */
#ifndef MERKLE_H
#define MERKLE_H

#include "attest.h"

#define MERKLE_HASH_LEN 32
/* Tree sizes are 64-bit, so a tree has at most 64 levels above its leaves
 * and a proof at most 65 hashes (a consistency proof may hold one more
 * than the height). */
#define MERKLE_MAX_LEVELS 64
#define MERKLE_MAX_PROOF (MERKLE_MAX_LEVELS + 1)

/* An inclusion or consistency proof: len hashes, leaf end first. */
struct merkle_proof {
    size_t len;
    uint8_t hash[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
};

/* Where the generators find perfect subtree hashes.  get() writes the hash
 * of the perfect subtree at (level, index), level 0 being the leaf hashes,
 * and returns AT_OK; or returns a negative AT_* code after setting ctx's
 * message (AT_ENOTFOUND when the node is not stored).  The generators only
 * ask for nodes that lie wholly inside the tree size they were given. */
struct merkle_source {
    int (*get)(void *arg, unsigned level, uint64_t index,
               uint8_t out[MERKLE_HASH_LEN], struct at_ctx *ctx);
    void *arg;
};

/* A perfect subtree node, as reported by merkle_append_nodes. */
struct merkle_node {
    unsigned level;
    uint64_t index;
    uint8_t hash[MERKLE_HASH_LEN];
};

/* SHA-256(0x00 || data): the hash of one log entry. */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN]);
/* SHA-256(0x01 || left || right). */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
                      const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN]);
/* SHA-256 of the empty string: the root of the empty tree. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN]);

/* The root of the first size leaves (size 0 gives the empty root). */
int merkle_root(const struct merkle_source *src, uint64_t size,
                uint8_t root[MERKLE_HASH_LEN], struct at_ctx *ctx);

/* The audit path for leaf index in a tree of size leaves (RFC 6962
 * 2.1.1).  AT_EINVAL unless index < size. */
int merkle_inclusion_proof(const struct merkle_source *src, uint64_t index,
                           uint64_t size, struct merkle_proof *proof,
                           struct at_ctx *ctx);

/* Inclusion proofs of many leaves of one tree (a pack's versions, all
 * against one head), the same hashes merkle_inclusion_proof gives.  A tree
 * of size leaves is a row of perfect subtrees, its peaks, one per set bit
 * of size; the proof of a leaf is the siblings inside its peak, then the
 * fold of the peaks to its right, then the peaks to its left.
 * merkle_prover_init reads the peaks and folds once; each proof then asks
 * src only for the siblings inside its peak, lowest level first. */
struct merkle_prover {
    const struct merkle_source *src;          /* must outlive the prover */
    uint64_t size;
    unsigned npeaks;
    unsigned level[MERKLE_MAX_LEVELS];        /* peak j holds 2^level[j] leaves */
    uint64_t start[MERKLE_MAX_LEVELS];        /* its first leaf */
    uint8_t peak[MERKLE_MAX_LEVELS][MERKLE_HASH_LEN];
    uint8_t right[MERKLE_MAX_LEVELS][MERKLE_HASH_LEN]; /* the peaks after j, folded */
};
int merkle_prover_init(struct merkle_prover *p, const struct merkle_source *src, uint64_t size,
                       struct at_ctx *ctx);
/* As merkle_inclusion_proof(p->src, index, p->size, proof, ctx). */
int merkle_prover_proof(const struct merkle_prover *p, uint64_t index,
                        struct merkle_proof *proof, struct at_ctx *ctx);
/* The proof that the tree of old_size leaves is a prefix of the tree of
 * new_size leaves (RFC 6962 2.1.2).  Empty when old_size is 0 or equals
 * new_size.  AT_EINVAL if old_size > new_size. */
int merkle_consistency_proof(const struct merkle_source *src,
                             uint64_t old_size, uint64_t new_size,
                             struct merkle_proof *proof, struct at_ctx *ctx);

/* Checks that leaf_hash is leaf index of the tree of size leaves whose
 * root is root (RFC 9162 2.1.3.2).  AT_OK if it is; AT_EINVAL if
 * index >= size or the proof is longer than MERKLE_MAX_PROOF; AT_ECORRUPT
 * if the proof does not prove it. */
int merkle_verify_inclusion(const uint8_t leaf_hash[MERKLE_HASH_LEN],
                            uint64_t index, uint64_t size,
                            const struct merkle_proof *proof,
                            const uint8_t root[MERKLE_HASH_LEN],
                            struct at_ctx *ctx);

/* The last inclusion proof verified under one root (the walk of
 * merkle_verify_inclusion, step by step), for the next proof under the
 * same root: its walk stops where it meets this one in the same state
 * with the same hashes left, since those lead to the same root.  Proofs
 * of neighbouring leaves (a pack's versions) meet after a node or two
 * rather than at the root.  Zeroed, it holds none (no tree has size 0). */
#define MERKLE_UNVERIFIED ((size_t)-1)
struct merkle_verified {
    uint64_t size;
    uint8_t root[MERKLE_HASH_LEN];
    size_t len;                              /* MERKLE_UNVERIFIED: none */
    struct {
        uint64_t fn, sn;                     /* the walk's position before the step */
        uint8_t node[MERKLE_HASH_LEN];       /* the hash it carried into it */
    } step[MERKLE_MAX_PROOF];
    uint8_t hash[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
};

/* As merkle_verify_inclusion, with last (or NULL) the proof last verified,
 * updated to this one when it verifies and left holding none when not. */
int merkle_verify_inclusion_after(const uint8_t leaf_hash[MERKLE_HASH_LEN],
                                  uint64_t index, uint64_t size,
                                  const struct merkle_proof *proof,
                                  const uint8_t root[MERKLE_HASH_LEN],
                                  struct merkle_verified *last, struct at_ctx *ctx);

/* Checks that the tree (old_size, old_root) is a prefix of the tree
 * (new_size, new_root) (RFC 9162 2.1.4.2).  With equal sizes the proof
 * must be empty and the roots equal; with old_size 0 the proof must be
 * empty and old_root the empty root.  AT_OK if consistent; AT_EINVAL if
 * old_size > new_size or the proof is too long; AT_ECORRUPT otherwise. */
int merkle_verify_consistency(uint64_t old_size,
                              const uint8_t old_root[MERKLE_HASH_LEN],
                              uint64_t new_size,
                              const uint8_t new_root[MERKLE_HASH_LEN],
                              const struct merkle_proof *proof,
                              struct at_ctx *ctx);

/* Appending leaf number leaf_index (0-based: the tree had leaf_index
 * leaves) whose hash is leaf_hash completes one perfect node on each level
 * for as long as the new node is a right child.  Writes those nodes,
 * lowest level first, to out and their number (0 when leaf_index is even)
 * to *n_out; the leaf itself is not among them.  Reads from src only the
 * left siblings, which completed earlier.  Leaf 3, for example, completes
 * (1, 1) and (2, 0). */
int merkle_append_nodes(const struct merkle_source *src, uint64_t leaf_index,
                        const uint8_t leaf_hash[MERKLE_HASH_LEN],
                        struct merkle_node out[MERKLE_MAX_LEVELS],
                        size_t *n_out, struct at_ctx *ctx);

/* Text form: a hash as 64 lowercase hex digits plus NUL. */
void merkle_hash_hex(const uint8_t hash[MERKLE_HASH_LEN], char out[2 * MERKLE_HASH_LEN + 1]);
/* Parses exactly 64 hex digits (either case) at s.  AT_EINVAL otherwise. */
int merkle_hash_parse(const char *s, uint8_t out[MERKLE_HASH_LEN], struct at_ctx *ctx);
/* Appends the proof to b, one hex hash per line, leaf end first. */
void merkle_proof_write(const struct merkle_proof *proof, struct buf *b);
/* Parses the form merkle_proof_write writes: hex hashes separated by
 * newlines (blank lines and a trailing newline allowed).  AT_EINVAL, with
 * the line number, on anything else. */
int merkle_proof_parse(const char *text, struct merkle_proof *proof, struct at_ctx *ctx);

/* An in-memory source: every leaf hash and every completed perfect node,
 * level by level.  For tests and tools; the archive keeps its nodes in
 * SQLite.  MERKLE_MEM_INIT is an empty tree; release with merkle_mem_free. */
struct merkle_mem {
    uint64_t size;                            /* leaves appended */
    uint8_t (*level[MERKLE_MAX_LEVELS])[MERKLE_HASH_LEN];
    uint64_t count[MERKLE_MAX_LEVELS];        /* nodes stored per level */
    uint64_t cap[MERKLE_MAX_LEVELS];
};
#define MERKLE_MEM_INIT { 0 }

/* Appends a leaf hash and stores the nodes it completes. */
int merkle_mem_append(struct merkle_mem *t, const uint8_t leaf_hash[MERKLE_HASH_LEN],
                      struct at_ctx *ctx);
/* A source reading t; valid while t is. */
struct merkle_source merkle_mem_source(struct merkle_mem *t);
void merkle_mem_free(struct merkle_mem *t);

#endif
