/*
 * verify.h: `attest verify`: recomputes everything the archive claims
 * and reports the first inconsistency precisely.
 */
#ifndef VERIFY_H
#define VERIFY_H

#include "attest.h"
#include "evlog.h"
#include "store.h"

#include <jansson.h>

struct verify_report {
    uint64_t log_entries;
    uint64_t record_versions;
    uint64_t log_items;       /* users, keys, identities, evidence, custody */
    uint64_t travelled;       /* entries whose texts a travel removed (sync_travel) */
    uint64_t heads;           /* signed tree heads checked */
    uint64_t vault_files;     /* vault files decrypted and hashed */
    uint64_t vault_bytes;
    bool vault_checked;       /* false when there was no key to check it with */
};

/* Checks, in order: SQLite's integrity (quick_check, or with full
 * integrity_check, which also matches every index to its table); that the log has no gaps and each
 * entry belongs to exactly one written thing; that each entry's leaf is
 * the hash of that thing's canonical text; that nothing written claims an
 * entry missing from the log; that versions are contiguous and the current
 * view matches the newest versions, and the map's tables (geo_point,
 * layer_count, layer_value) what a rebuild would make of it; the signing key and the users against
 * their logged changes; the tree against every signed head, and every
 * signature against the archive's key; the vault's index against the
 * log; that no unfinished upload or add left a staging file; and, when the store has a session, every vault file's tags and
 * SHA-256.  Returns AT_OK, or AT_ECORRUPT with
 * a message naming the first thing that differs and how. */
int verify_archive(struct at_ctx *ctx, struct store *st, bool full, struct verify_report *r);

/* The newest signed tree head, into head and as JSON {archive, size, root,
 * signed_at, signature, public_key} (`attest prove`'s "tree_head"). */
int verify_head_json(struct at_ctx *ctx, struct store *st, struct tree_head *head, json_t **out);

/* `attest prove ID --json`: that the newest version of id (or version,
 * when above 0; or the newest log entry about an evidence item) is a leaf
 * of the tree the newest signed head signs: {tree_head, id, leaf_index,
 * leaf_hash, inclusion_proof (RFC 6962, leaf end first), entry (the
 * version's canonical text, for a record)}.  A record is proven only to
 * those who may read that version (record_read). */
int verify_prove(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out);

/* `attest prove --consistency OLD_SIZE --json`: that the log of old_size
 * entries (given as text, as typed) is a prefix of the tree the newest
 * signed head signs: {tree_head, old_size, old_root, consistency_proof
 * (RFC 6962)}.  AT_EINVAL when old_size is not a number from 0 to the
 * head's size, the message saying which are valid. */
int verify_consistency(struct at_ctx *ctx, struct store *st, const char *old_size, json_t **out);

#endif
