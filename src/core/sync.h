/*
 * sync.h: archives that exchange what they hold.  Each archive pins its
 * peers (their signing key and their key for receiving packs); a pack is
 * everything a peer lacks (record versions, custody and evidence items,
 * vault files, sealed identities for a team peer), signed by the sender
 * and encrypted to the recipient, applied in one transaction or not at
 * all.  Every version carries a global identity (the archive it was first
 * written in and that archive's log sequence number) and the versions it
 * was based on, so that concurrent changes to one record are all kept and
 * every archive shows the same current version.  docs/formats-pack.md
 * has the details.
 */
#ifndef SYNC_H
#define SYNC_H

#include "attest.h"
#include "evlog.h"
#include "merkle.h"
#include "store.h"

#include <jansson.h>
#include <sodium.h>

/* One line another archive pins:
 * "attest-peer 1 ARCHIVE-ID SIGN-PK BOX-PK [OFFICER-BOX-PK,...]" (its
 * officers, then its team peers' officers)
 * (keys in base64); it round-trips through sync_peer_add.  The box key is
 * derived from the master key: the session must hold it. */
int sync_key_line(struct at_ctx *ctx, struct store *st, struct buf *out);

/* Pins (or re-pins under the same name) a peer; tier is "team" (every
 * version, identities sealed to that archive's officers) or "partner"
 * (what tier.c's partner tier allows, never sealed identities).  Managing
 * peers is an admin's decision (ACTION_MANAGE_PEERS).  Inside a
 * transaction; logged. */
int sync_peer_add(struct at_ctx *ctx, struct store *st, const char *name, const char *line,
                  const char *tier);
int sync_peer_remove(struct at_ctx *ctx, struct store *st, const char *name);
/* Records that an exchange of kind ("push", "pull") with peer succeeded,
 * now.  Inside a transaction. */
int sync_peer_exchanged(struct at_ctx *ctx, struct store *st, const char *name, const char *kind);
/* A new array of {name, archive, tier, line, sign_pk, officers, added_at,
 * added_by, mark, url, exchanged, exchanged_at, cacert} (the last four
 * null when unknown; the address is set by sync_net_peer_url, the
 * certificate by sync_net_peer_cacert). */
int sync_peer_list(struct at_ctx *ctx, struct store *st, json_t **out);

/* The sealing keys of every team peer's officers (base64, from their key
 * lines; each once, this archive's own officers' left out), as a new
 * array: identities are sealed to them too, and the key line names them
 * after this archive's own officers, so that an identity recorded on one
 * team archive reaches another through this one, still sealed. */
int sync_team_officer_keys(struct at_ctx *ctx, struct store *st, json_t **out);

/* What an export or an import did. */
struct sync_stats {
    uint64_t versions, items, files, bytes, skipped_already, conflicts;
    uint64_t files_ahead; /* of the files (held ones too), those written ahead of their frames */
};

/* Writes to fd a pack of everything peer lacks (by its last acknowledged
 * mark, or since_mark when not NULL), signed with this archive's key and
 * encrypted to peer's box key.  Streaming: memory bounded whatever the
 * vault size.  stats may be NULL. */
int sync_export(struct at_ctx *ctx, struct store *st, const char *peer, const char *since_mark,
                int fd, struct sync_stats *stats);

/* Reads a pack from fd: checks that it is for this archive, signed by a
 * pinned peer and whole, then applies all of it in one transaction or
 * nothing.  Idempotent: what the archive holds already is skipped. */
int sync_import(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats);

/* Who watches an import: versions(arg, done, total) is told the record
 * versions read so far of the total the pack's header says (never less
 * than done; 0 when neither is known), every SYNC_WATCH_EVERY versions
 * and once after the last.  Called on the importing thread, inside the
 * import's transaction: it must not touch the archive. */
#define SYNC_WATCH_EVERY 500
struct sync_watch {
    void (*versions)(void *arg, uint64_t done, uint64_t total);
    void *arg;
};
/* As sync_import, watched by watch (or NULL). */
int sync_import_watched(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats,
                        const struct sync_watch *watch);

/* A pack frame by frame, as export writes one (and as tests write packs
 * that are wrong in one frame): _begin writes the magic line, the header
 * for the peer named `to` and this archive's signature over them; _frame
 * gives one frame's plaintext (its type byte first; a 'Z' frame is the
 * last) to be encrypted and written, or _buffer gives the place to build
 * the next one (SYNC_FRAME_MAX bytes) and _submit its length; _end writes
 * the last frame and the end; _free in every case.  A frame of type
 * SYNC_FRAME_FILE is not sealed: the bytes after its type go into the
 * pack as they are (an evidence item's vault file, after its 'I' frame). */
#define SYNC_FRAME_MAX ((4u << 20) + 5)
#define SYNC_FRAME_FILE 'F'
struct sync_pack_writer;
int sync_pack_begin(struct at_ctx *ctx, struct store *st, const char *to, int fd,
                    struct sync_pack_writer **out);
int sync_pack_frame(struct at_ctx *ctx, struct sync_pack_writer *po, const void *plain,
                    size_t len);
uint8_t *sync_pack_buffer(struct sync_pack_writer *po);
int sync_pack_submit(struct at_ctx *ctx, struct sync_pack_writer *po, size_t len);
int sync_pack_end(struct at_ctx *ctx, struct sync_pack_writer *po);
void sync_pack_free(struct sync_pack_writer *po);

/* Reads a pack for this archive from fd as import does (its header and
 * signature checked first), giving each frame's plaintext to each() in
 * order, the last ('Z') included, and the vault file after an evidence
 * item as SYNC_FRAME_FILE frames (checked by nothing), applying nothing.  Stops at the
 * first failure, or when each() returns other than AT_OK. */
int sync_pack_read(struct at_ctx *ctx, struct store *st, int fd,
                   int (*each)(void *arg, const uint8_t *plain, size_t len), void *arg);

/* A mark that holds nothing: a restore after `attest travel` asks for
 * everything, since the archive's own mark still counts what travelled. */
#define SYNC_MARK_NOTHING "{}"

/* This archive's mark: what it holds, as text opaque to callers (a JSON
 * object of archive id -> highest origin sequence held). */
int sync_mark(struct at_ctx *ctx, struct store *st, struct buf *out);
/* The mark a peer was last known to hold (AT_ENOTFOUND if never). */
int sync_peer_mark(struct at_ctx *ctx, struct store *st, const char *peer, struct buf *out);
/* Records that peer holds what mark says (a push's reply, a travel
 * receipt, a pack from it).  Inside a transaction. */
int sync_peer_mark_set(struct at_ctx *ctx, struct store *st, const char *peer, const char *mark);

/* Records with more than one head (concurrent versions), readable by the
 * session, as a new array of {id, type, heads: [{version, gid,
 * origin_archive, author, written_at, base}], current}. */
int sync_conflicts(struct at_ctx *ctx, struct store *st, json_t **out);

/* ---- proofs of origin ---- */

/* What sync_proof_verify keeps between calls: this archive's id, signing
 * key and travel mark (sync_travel_upto), read once, and the last tree
 * head whose signature checked, whose and under which key, since most
 * proofs checked one after another are against one head, and the last
 * proof verified under it (merkle_verify_inclusion_after).  Zeroed to
 * start; it holds nothing to free. */
struct sync_seen {
    char self[33];
    uint8_t self_pk[crypto_sign_PUBLICKEYBYTES];
    int64_t upto;
    struct tree_head head;
    char origin[33];
    uint8_t key[crypto_sign_PUBLICKEYBYTES];
    struct merkle_verified verified; /* the last proof verified under head */
};

/* What reading kept proofs one after another keeps (a pack's versions,
 * read in the order they were kept, share a tree head and most of their
 * paths): the head last read or kept, with its id in proof_head, and its
 * path, each hash with the leaves [lo, hi) it covers.  Zeroed, it holds
 * none. */
struct sync_proof_cache {
    int64_t head_id;
    struct tree_head head;
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
    size_t len;
    uint64_t lo[MERKLE_MAX_PROOF], hi[MERKLE_MAX_PROOF];
    uint8_t hash[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
};

/* Reads kept proofs: st, the store their heads and hashes are kept in (a
 * version's proof names them there), the last read, and a text made again
 * for a proof kept without it.  Zeroed but for st to start;
 * sync_proof_reader_free. */
struct sync_proof_reader {
    struct store *st;
    struct sync_proof_cache last;
    struct buf text;
};
void sync_proof_reader_free(struct sync_proof_reader *r);

/* Checks proof, the inclusion proof kept with the version or item
 * origin/oseq: its text is entry oseq of origin's log, under a tree head
 * signed by origin's key: this archive's own for its own entries (whose
 * text must then be the one its log kept a leaf for, and that `attest
 * travel` sent away unless the entry is held here), the key pinned for
 * origin, else the one the proof names.  proof is the BLOB of len bytes
 * kept with the version or item (record_version.proof, sync_item.proof),
 * read with r (r->st the archive's store), doc the version's document kept
 * beside it (NULL for an item: a version's proof may be kept without its
 * text, made again from doc); *text and *text_len are set to the text it
 * proves (in proof or r).  AT_ECORRUPT naming origin/oseq otherwise.  For
 * `attest verify`; an import runs the same check on the proof as it
 * travels, with the sender's key too (sync_proof_check, sync_int.h). */
int sync_proof_verify(struct at_ctx *ctx, struct sync_proof_reader *r, const void *proof,
                      size_t len, const char *doc, const char *origin, int64_t oseq,
                      struct sync_seen *seen, const char **text, size_t *text_len);

/* A kept proof as JSON, to be read by a person ({"hashes", "index",
 * "root", "salt" (an evidence item's), "sign_pk", "signature",
 * "signed_at", "size", "text"}, hashes and signature in hex, the key in
 * base64), and back: new JSON, or NULL when proof is not a whole one (its
 * head and hashes read from st when it names them there, its text made
 * again from doc, the version beside it, when it was kept without); the
 * whole kept form, with its text, into out, or AT_EINVAL. */
json_t *sync_proof_json(struct store *st, const void *proof, size_t len, const char *doc);
int sync_proof_from_json(json_t *j, struct buf *out);

/* Converts the proofs an archive before schema 26 kept as JSON to the
 * kept form (meta key "proofs_to_convert"), then the versions' proofs an
 * archive before schema 29 kept whole to the form an import keeps them in
 * (meta key "proofs_to_store"), once, after the upgrade that marks them;
 * nothing when there is no mark or the archive is open read-only. */
int sync_proofs_upgrade(struct at_ctx *ctx, struct store *st);

/* ---- travel (sync_travel.c): `attest travel`, before a border crossing ---- */

/* What a travel removed: record versions, log items, vault index entries
 * and vault files, and the last log entry whose text went (upto). */
struct travel_report {
    uint64_t versions, items, files, shredded;
    uint64_t upto;
};
/* Writes to fd (open for reading and writing) a pack for centre of what
 * it lacks by the mark last heard from it, flushed to disk; then, only if
 * that succeeded, removes every witness datum from the archive in one
 * transaction ended by a signed "travel" log item, overwrites and unlinks
 * the vault's files, and rewrites the database (secure delete, VACUUM, WAL
 * truncated).  Keys, users, tokens, peers and lists stay.  Needs the sync
 * right.  Outside a transaction. */
int sync_travel(struct at_ctx *ctx, struct store *st, const char *centre, int fd,
                struct sync_stats *packed, struct travel_report *removed);
/* sync_travel's second half, for when the pack is on disk already (its
 * SHA-256 in hex and its size go into the travel item). */
int sync_travel_remove(struct at_ctx *ctx, struct store *st, const char *centre,
                       const char *pack_sha256, uint64_t pack_bytes, struct travel_report *removed);
/* The last log entry whose text a travel removed (0 if none): verify
 * accepts entries without a text up to it, and an import takes back the
 * archive's own entries only up to it.  In sync.c. */
int sync_travel_upto(struct at_ctx *ctx, struct store *st, int64_t *upto);

#endif
