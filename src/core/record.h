/*
 * record.h: writing and reading records.  A record is never changed in
 * place: each write appends a version, enters it in the log, and refreshes
 * the derived current view and search index, all in the caller's
 * transaction.
 *
 * A version is a JSON object (the "version document"):
 *   {"id", "type", "version", "clearance", "retracted", "reason",
 *    "author", "written_at", "source", "data": {fields},
 *    "origin": {"author", "written_at"}}
 * "author" and "written_at" are always the user who stored the version in
 * this archive and when; "origin", present on a version imported from a
 * pinned archive's pack only, says who wrote it first and when, elsewhere
 * (a JSON Lines import never carries one).  "version" numbers a record's
 * versions in the order they arrived here; each version's global identity
 * and the versions it was based on are kept beside it (record_version's
 * origin and oseq, record_base).
 * Its canonical text (sorted keys, no white space, UTF-8) is what the log
 * hashes and what `export jsonl` writes, one per line.
 */
#ifndef RECORD_H
#define RECORD_H

#include "attest.h"
#include "merkle.h"
#include "model.h"
#include "record_filter.h"
#include "store.h"

#include <jansson.h>

/* Why a version is written.  Fields left NULL / -1 take their defaults.
 * The author is the store's session user: writing needs one. */
struct record_write {
    const char *reason;   /* why this version; required to amend or retract */
    const char *source;   /* provenance: an interview or document id */
    int clearance;        /* CLEARANCE_*, or -1 for the type's default / the previous */
    const char *id;       /* a chosen id for a new record (imports); NULL for a fresh one */
};
#define RECORD_WRITE_INIT { NULL, NULL, -1, NULL }

/* Adds a new record of type t with fields data (validated and made
 * canonical in place; the caller keeps its reference).  Writes the new id
 * into id_out.  Must run inside a store transaction. */
int record_add(struct at_ctx *ctx, struct store *st, const struct type_spec *t, json_t *data,
               const struct record_write *w, char id_out[RECORD_ID_MAX]);

/* A bulk write: many new records in a row inside one transaction (a large
 * import), each exactly as record_add writes it, with the work that does
 * not depend on the record done once for all of them: the log's cached
 * subtrees are computed in one pass at the end (evlog_batch_*), and the
 * references' indexes are dropped at the start and made again, each in
 * one sorted pass, at the end.
 * Between begin and end nothing else may write to st; a record that fails
 * may be rolled back to a savepoint taken before record_bulk_add. */
struct record_bulk;

/* Starts a bulk write inside the transaction: *out is the caller's, freed
 * by record_bulk_end or, after a rollback, record_bulk_free. */
int record_bulk_begin(struct at_ctx *ctx, struct store *st, struct record_bulk **out);

/* As record_add, inside the bulk write. */
int record_bulk_add(struct at_ctx *ctx, struct store *st, struct record_bulk *b,
                    const struct type_spec *t, json_t *data, const struct record_write *w,
                    char id_out[RECORD_ID_MAX]);

/* Ends the bulk write (its log's subtrees, its indexes) and frees b. */
int record_bulk_end(struct at_ctx *ctx, struct store *st, struct record_bulk *b);

/* Frees b without ending it: after its transaction was rolled back. */
void record_bulk_free(struct record_bulk *b);

/* Writes a new version of id with changes applied to its fields (a JSON
 * null removes a field).  Inside a transaction. */
int record_amend(struct at_ctx *ctx, struct store *st, const char *id, json_t *changes,
                 const struct record_write *w);

/* Writes a new version of id marked retracted.  Inside a transaction. */
int record_retract(struct at_ctx *ctx, struct store *st, const char *id,
                   const struct record_write *w);

/* record_add, record_amend and record_retract in the form evlog_write
 * runs, each in its own transaction: evlog_write(ctx, st,
 * record_amend_write, &(struct record_change){ .id = id, .data = changes,
 * .w = &w }).  data is the fields of an add, the changes of an amend. */
struct record_change {
    const struct type_spec *type;  /* add */
    const char *id;                /* amend, retract */
    json_t *data;                  /* add, amend */
    const struct record_write *w;
    char *id_out;                  /* add: RECORD_ID_MAX bytes for the new id */
};
int record_add_write(struct at_ctx *ctx, struct store *st, void *change);
int record_amend_write(struct at_ctx *ctx, struct store *st, void *change);
int record_retract_write(struct at_ctx *ctx, struct store *st, void *change);

/* Stores a version document (an import of an export): the next version
 * of its record, or one already present with the same content and origin
 * (then *already is set and nothing is written).  The stored version's
 * author and time are the session's and now; the document's own (or its
 * origin) become the origin.  Refused (AT_EDENIED) when the version is
 * above the session's clearance, when the record is, and when it lowers
 * the record's clearance without ACTION_DECLASSIFY.  Inside a transaction. */
int record_put_version(struct at_ctx *ctx, struct store *st, json_t *doc, bool *already);

/* A version's global identity is "ARCHIVE/SEQUENCE": the archive it was
 * first written in and its log sequence number there.  RECORD_GID_MAX
 * holds one. */
#define RECORD_GID_MAX 64
/* Splits a version identity; AT_EINVAL when gid is not one. */
int record_gid_parse(const char *gid, char origin[RECORD_GID_MAX], int64_t *seq);

/* What record_put_synced stores for a version doc (passed by
 * record_synced_check): doc numbered version here, written at now by user
 * (who imports), its origin's author and time kept as its "origin"; with
 * its canonical text and that text's leaf hash in the log
 * (merkle_leaf_hash).  text, when not NULL, is doc's own canonical text
 * (len bytes), which the stored text is then made from.  Made on the
 * import's own thread, or on another ahead of it for the number and
 * second it guesses (o->made), which record_put_synced takes when they
 * are its own.  On any thread. */
struct record_stored {
    json_t *doc;
    char *text;
    uint8_t leaf[MERKLE_HASH_LEN];
};
struct record_stored *record_stored_make(json_t *doc, const char *text, size_t len,
                                         const char *user, int version, const char now[21]);
void record_stored_free(struct record_stored *s);

/* Where an imported version comes from: its identity, the identities of
 * the versions it was based on (a JSON array of text; empty for a
 * record's first), and the proof of its inclusion in its origin's log
 * (proof_len bytes in the form sync_proof_keep makes, kept to be checked
 * and passed on).  written_at is filled by record_put_synced. */
struct record_origin {
    const char *archive;
    int64_t seq;
    json_t *base;
    const void *proof;
    size_t proof_len;
    const char *written_at;
    struct record_pending *pending; /* NULL: the current view now (see below) */
    bool checked;                   /* record_synced_check passed on the doc already */
    const struct record_stored *made; /* made ahead (record_stored_make), or NULL */
};

/* The records whose current view waits while many versions arrive (a
 * pack): a version put by record_put_synced with o->pending set leaves
 * its record's current view, conflict and derived rows to
 * record_pending_settle, which derives each record once, from the
 * version the rule picks over all its heads, in the order the records
 * were first touched (so that new records get the rows they would have
 * got one version at a time).  The view is then the same as after the
 * same versions put one by one.  Settle before anything reads the
 * current view of the records touched. */
struct record_pending;
struct record_pending *record_pending_new(void);
int record_pending_settle(struct at_ctx *ctx, struct store *st, struct record_pending *p);

/* Settles what is left after the last version, and makes the map's
 * counts again if settling so many records left them to the end
 * (record.c's map_bulk: the same rule as a bulk import's).  Before the
 * transaction commits; p may then be used again. */
int record_pending_end(struct at_ctx *ctx, struct store *st, struct record_pending *p);
void record_pending_free(struct record_pending *p);

/* Stores doc, a version as its origin archive logged it, as the next
 * local version of its record, keeping its origin (author, time, archive,
 * identity, bases, proof).  The record's current view follows the rule
 * over its heads.  The caller has checked the pack it came in (and the
 * right to import it) and that no version with this identity is held; the
 * session must be cleared for the version.  Inside a transaction. */
int record_put_synced(struct at_ctx *ctx, struct store *st, json_t *doc,
                      const struct record_origin *o);

/* What record_put_synced checks of doc before anything else (no session
 * needed): its shape, and its data as for any write, made clean in place
 * (an empty value removed, a value as its field keeps it), so that doc is
 * then as it will be stored.  On any thread. */
int record_synced_check(struct at_ctx *ctx, json_t *doc);

/* What an imported version's origin logged, made again from the version
 * as record_put_synced stored it (a version's proof is then kept without
 * its text: sync_pack.c): record_logged_text gives the canonical text
 * back from stored, with version the number the origin gave it (NULL when
 * stored has no origin); record_logged_text_again says whether that will
 * be text exactly when record_put_synced stores doc (text parsed, then
 * checked by record_synced_check, which may change it): when doc holds no
 * origin of its own and text is its canonical text. */
char *record_logged_text(json_t *stored, json_int_t version);
bool record_logged_text_again(json_t *doc, const char *text, size_t len);

/* The version document of id at version (0 = current), whoever asks: for
 * core's own work on records it has been told to write or has checked;
 * reads for a user go through record_read.  *out is a new reference the
 * caller releases. */
int record_get(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out);

/* The current version of id when the store's session may read it and it is
 * not retracted; NULL otherwise, as for a record that does not exist.  No
 * read is logged: for counts and panels built from records, never for
 * showing a record's text (that is record_read).  A new reference. */
json_t *record_visible(struct store *st, const char *id);

/* Resolves a full id or a unique prefix of one into id_out, among the
 * records the store's session may read. */
int record_resolve(struct at_ctx *ctx, struct store *st, const char *prefix,
                   char id_out[RECORD_ID_MAX]);

/* Every version of id that the store's session may read (cleared for the
 * version and for the record's current clearance), oldest first, as a new
 * JSON array; "no record" when it may not read the record. */
int record_history(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* Calls fn with each current record matching f, in id order; fn returns
 * AT_OK to go on.  The document is borrowed for the call. */
int record_list(struct at_ctx *ctx, struct store *st, const struct record_filter *f,
                int (*fn)(void *arg, json_t *doc), void *arg);

/* The current records that refer to id and that the store's session may
 * read, as a new JSON array of {"id", "field"}, in id order. */
int record_referrers(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* Reads version (0 = current) of a record for the store's session, who
 * must be cleared for both that version and the record's current
 * clearance.  Otherwise AT_ENOTFOUND, with the same message as for a
 * record (or version) that does not exist.  A confidential record's
 * reading is logged. */
int record_read(struct at_ctx *ctx, struct store *st, const char *id, int version, json_t **out);

/* Logs that the session was shown the confidential records among docs (an
 * array of version documents), in one entry; nothing when there are none. */
int record_log_reads(struct at_ctx *ctx, struct store *st, json_t *docs);

/* Logs that a record picker offered the session's user the confidential
 * records among docs, by their title alone (search_offers): each the first
 * time it is offered to this user, in one entry of kind "offer" naming
 * those; a record offered to them before logs nothing again, so that
 * typing in a picker does not fill the log.  Opening a record, a search's
 * hits with their text, exports: reads, logged each time (record_log_reads).
 * Who has been offered what is kept in record_offered, derived from the
 * "offer" entries (record_rebuild makes it again). */
int record_log_offers(struct at_ctx *ctx, struct store *st, json_t *docs);

/* Appends "imported; originally by AUTHOR at TIME" to out when doc is an
 * imported version; nothing otherwise. */
void record_origin_text(json_t *doc, struct buf *out);

/* The heads of id (versions no other version of it is based on), in the
 * order the current-view rule ranks them (the first is current), as a
 * new array of {version, gid, origin_archive, author, written_at,
 * retracted, base: [gid...], data}, whoever asks: the caller checks the
 * reader's clearance. */
int record_heads(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* AT_ECORRUPT, naming the record, when the current view (or the conflict
 * list) is not what the rule over each record's heads gives, or a base is
 * listed for a version that is not stored (`attest verify`). */
int record_check_current(struct at_ctx *ctx, struct store *st);

/* Recreates the derived tables from the versions (`attest rebuild`). */
int record_rebuild(struct at_ctx *ctx, struct store *st);

#endif
