/*
 * sync_int.h: what sync.c and sync_pack.c share: a pinned peer as read
 * from its key line, marks and proofs of origin.  Private to the sync* family.
 */
#ifndef SYNC_INT_H
#define SYNC_INT_H

#include "attest.h"
#include "evlog.h"
#include "merkle.h"
#include "store.h"
#include "sync.h"

#include <jansson.h>
#include <sodium.h>

#define SYNC_OFFICERS_MAX 64

/* A frame on the wire at most, sealed; a vault file in a pack, in messages. */
#define SYNC_CT_MAX (SYNC_FRAME_MAX + crypto_secretstream_xchacha20poly1305_ABYTES)
#define SYNC_SENT_FILE "sent in the pack"

struct sync_peer {
    char name[48];
    char archive[33];
    bool partner;
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t box_pk[crypto_box_PUBLICKEYBYTES];
    uint8_t officers[SYNC_OFFICERS_MAX][crypto_box_PUBLICKEYBYTES];
    size_t nofficers;
    char *mark;  /* the mark it was last known to hold, or NULL; sync_peer_free */
    char *url, *cacert; /* its server's address and certificate (PEM) kept with it, or NULL */
};

int sync_line_parse(struct at_ctx *ctx, const char *line, struct sync_peer *p);
/* By name, or (name NULL) by archive id. */
int sync_peer_get(struct at_ctx *ctx, struct store *st, const char *name, const char *archive,
                  struct sync_peer *out);
void sync_peer_free(struct sync_peer *p);
/* Runs sql, a change of the peer named name (?1) with value (?2, when sql
 * has it), as an admin's decision (ACTION_MANAGE_PEERS); AT_ENOTFOUND
 * when no peer has that name.  doing names it in an error. */
int sync_peer_change(struct at_ctx *ctx, struct store *st, const char *sql, const char *name,
                     const char *value, const char *doing);

/* This archive's key pair for receiving packs, derived from the master key. */
int sync_box_keys(struct at_ctx *ctx, struct store *st, uint8_t pk[crypto_box_PUBLICKEYBYTES],
                  uint8_t sk[crypto_box_SECRETKEYBYTES]);

/* The mark as a new JSON object; a mark's text checked and parsed. */
int sync_mark_json(struct at_ctx *ctx, struct store *st, json_t **out);
int sync_mark_parse(struct at_ctx *ctx, const char *text, json_t **out);

/* An inclusion proof as it travels and is checked: the text its origin
 * logged as entry oseq (index oseq - 1), a tree head the origin signed,
 * the origin's key, and the path.  Its wire form and the form kept beside
 * what it proves (sync_proof_keep) are in sync_pack.c. */
struct wire_proof {
    struct tree_head head;
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
    struct merkle_proof path;
    uint64_t index;
    const char *text;
    size_t text_len;
};

/* p as it is kept whole (sync_item.proof, and a proof read from JSON: a
 * BLOB), with the salt of an evidence item's commitment (or NULL), into
 * out. */
void sync_proof_keep(const struct wire_proof *p, const char *salt, struct buf *out);

/* p, the checked proof of a version, as an import keeps it
 * (record_version.proof): its tree head and path hashes into proof_head
 * and proof_node, where pc (the last proof so kept) does not show them
 * there already, and the BLOB naming them into out; without its text when
 * text_version is not 0 (p proves a version that record_put_synced stores
 * so that record_logged_text gives its text back with text_version, the
 * version number the text holds). */
int sync_proof_store(struct at_ctx *ctx, struct store *st, struct sync_proof_cache *pc,
                     const struct wire_proof *p, int64_t text_version, struct buf *out);

/* A kept proof read back, in either form, with r: in place where it can
 * be (kept must outlive p, whose text and *salt may point into it, or
 * into r until its next read); *salt_len is 0 when it has none; salt may
 * be NULL.  A proof kept without its text has it made again from doc, the
 * version kept beside it (NULL for an item).  False when it is not a whole
 * one, names a head or hash r->st does not hold, or its text cannot be
 * made again. */
bool sync_proof_read(struct sync_proof_reader *r, const void *kept, size_t len, const char *doc,
                     struct wire_proof *p, const char **salt, size_t *salt_len);

/* The one check of a proof (sync_proof_verify's), for an import and for
 * verify alike, also accepting the key of sender (a pack's pinned sender,
 * or NULL) for what sender wrote itself.  leaf is the leaf hash of p's
 * text when it was made already (merkle_leaf_hash, on the thread reading
 * ahead), else NULL. */
int sync_proof_check(struct at_ctx *ctx, struct store *st, const struct sync_peer *sender,
                     const struct wire_proof *p, const uint8_t *leaf, const char *origin,
                     int64_t oseq, struct sync_seen *seen);

/* Appends bin in base64 (URL-safe, no padding). */
void sync_b64(const uint8_t *bin, size_t len, struct buf *out);

#endif
