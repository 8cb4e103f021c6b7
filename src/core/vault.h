/*
 * vault.h: evidence files.  Each file is stored once, encrypted under its
 * own key (see vaultfile.h) in the archive's vault/ directory, under a
 * name that is a keyed hash of its SHA-256: without the master key, no
 * one can tell whether a given file is in the vault.  What the archive
 * knows of an item (SHA-256, size, file name, media type, original or
 * working copy, its source, its custody) is encrypted under the master
 * key too, and logged like every other write.
 */
#ifndef VAULT_H
#define VAULT_H

#include "attest.h"
#include "store.h"
#include "vaultfile.h"

#include <jansson.h>

#define VAULT_ID_MAX 32

struct vault_add {
    const char *path;          /* the file to add */
    const char *filename;      /* name to record; NULL: path's base name */
    const char *media_type;    /* e.g. video/mp4; NULL: unknown */
    const char *link;          /* interview or document id it came from, or NULL */
    const char *parent;        /* for a working copy: the item it derives from */
    int clearance;             /* -1: confidential */
    const char *id;            /* the id to give it (an import keeps the id its origin
                                * logged); NULL: a new random one */
};

/* Adds a file (streamed: memory stays bounded whatever its size).
 * Writes the item's id to id_out and sets *existed when the same bytes
 * were already there (then nothing new is written, whatever a->id says);
 * AT_ECONFLICT when a->id is another item's here.  Inside a
 * transaction, with a session that may add evidence. */
int vault_add_file(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                   char id_out[VAULT_ID_MAX], bool *existed);

/*
 * An evidence file received over time (an upload), encrypted as it
 * arrives: only sealed chunks reach the disk, in a staging file in the
 * vault that is already in the final format, and finishing renames it
 * into place once the SHA-256 of what was received is known.
 *
 * vault_upload_begin checks that the session may add a (as
 * vault_add_file does, a->path NULL and a->filename required) before
 * anything is written, and sets *out; _write takes the next bytes;
 * _finish, inside a transaction, checks again and stores the item as
 * vault_add_file does.  vault_upload_free removes the staging file unless
 * the upload was finished and wipes its key; call it in every case.  A
 * staging file whose process died is left locked by no one: the sweeps
 * below remove it and verify reports it.
 */
struct vault_upload;
/* What vault_upload_begin checks first, for a caller with more to decide
 * before it begins: AT_OK, or why not (AT_EDENIED, AT_EINVAL, ...). */
int vault_add_check(struct at_ctx *ctx, struct store *st, const struct vault_add *a);
int vault_upload_begin(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                       struct vault_upload **out);
int vault_upload_write(struct at_ctx *ctx, struct vault_upload *u, const void *data, size_t len);
int vault_upload_finish(struct at_ctx *ctx, struct store *st, struct vault_upload *u,
                        const struct vault_add *a, char id_out[VAULT_ID_MAX], bool *existed);
void vault_upload_free(struct vault_upload *u);
/* Names the SHA-256 (hex) the upload's bytes must have: _finish, which
 * knows it from encrypting them, then refuses other bytes (AT_ECORRUPT)
 * before storing anything, so that a caller need not hash them again. */
void vault_upload_expect(struct vault_upload *u, const char *sha256);
/* An upload of a file that arrives as another archive's vault stored it,
 * sealed under key (a sync pack, docs/formats-pack.md): _write takes the
 * length bytes of that vault file, each chunk checked as it comes, and
 * the item keeps the file as it came, under the same key (wrapped under
 * this archive's).  name identifies the file in messages and must
 * outlive the upload.  vault_upload_bytes gives an upload's plaintext
 * length once finished. */
int vault_upload_begin_sealed(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                              const uint8_t key[VAULTFILE_KEY_BYTES], uint64_t length,
                              const char *name, struct vault_upload **out);
uint64_t vault_upload_bytes(const struct vault_upload *u);
/* A sealed upload begun before anyone asks to add the item (a file a
 * sync import writes ahead of its frame, sync_ahead.c): nothing is
 * checked here, and vault_upload_finish checks the session and a as it
 * always does before storing anything. */
int vault_upload_stage_sealed(struct at_ctx *ctx, struct store *st,
                              const uint8_t key[VAULTFILE_KEY_BYTES], uint64_t length,
                              const char *name, struct vault_upload **out);
/* Finishes writing u's file and flushes it to the disk, once (_finish
 * does it when no one did): for a thread that writes ahead of the one
 * that stores.  _sha256 gives the SHA-256 of its plaintext, storing
 * nothing: for bytes that prove to be an item held already. */
int vault_upload_written(struct at_ctx *ctx, struct vault_upload *u);
int vault_upload_sha256(struct at_ctx *ctx, struct vault_upload *u, uint8_t sha256[32]);

/* The item's metadata as a new JSON object: id, sha256, salt, size,
 * filename, media_type, original, parent, link, clearance, added_by,
 * added_at.  The log entry of the item holds "commitment", the SHA-256 of
 * salt || sha256 (both as bytes). */
int vault_item(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* All items the session may see, oldest first, as a new array. */
int vault_list(struct at_ctx *ctx, struct store *st, json_t **out);

/* Decrypts item id into out_fd, checking every tag and that the output's
 * SHA-256 is the recorded one. */
int vault_get(struct at_ctx *ctx, struct store *st, const char *id, int out_fd);

/* Reads item id as it goes, for a caller that sends it on (a download):
 * vault_open checks that the session may, opens the file and sets *out
 * and *size (the recorded size); vault_read copies up to len more bytes of
 * plaintext to buf and returns their count, 0 at the end, or -1 with the
 * failure on ctx; vault_close frees the reader, in every case.  Bytes are
 * given out only once authentic, and the last only once the whole file's
 * SHA-256 is the recorded one.  Memory: about three chunks. */
struct vault_reader;
int vault_open(struct at_ctx *ctx, struct store *st, const char *id, struct vault_reader **out,
               uint64_t *size);
ssize_t vault_read(struct at_ctx *ctx, struct vault_reader *r, void *buf, size_t len);
void vault_close(struct vault_reader *r);

/* Item id's vault file as it is stored, to be sent on as it is (a sync
 * pack): after the same checks as vault_open, and its header and length
 * checked against the recorded size (vaultfile_check_sealed), its key into
 * key (which the caller wipes), a descriptor open on it into *fd (which
 * the caller closes) and its length into *length. */
int vault_open_sealed(struct at_ctx *ctx, struct store *st, const char *id,
                      uint8_t key[VAULTFILE_KEY_BYTES], int *fd, uint64_t *length);

/* Appends a custody event (action, from, to, how, at, note: any may be
 * NULL but action) to item id.  Inside a transaction. */
struct custody_event {
    const char *action;   /* received, copied, handed_over, examined, exported, ... */
    const char *from, *to, *how, *at, *note;
};
int vault_custody_add(struct at_ctx *ctx, struct store *st, const char *id,
                      const struct custody_event *e);
/* The item's custody events, oldest first, as a new array. */
int vault_custody(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* Decrypts and hashes every vault file, when the store's session holds
 * the master key; otherwise sets *checked false and checks nothing. */
int vault_verify_all(struct at_ctx *ctx, struct store *st, uint64_t *files, uint64_t *bytes,
                     bool *checked);

/* Removes what a crash during an add left in the vault: files renamed into
 * place whose transaction never committed, and unfinished staging files.
 * Inside the write transaction that is about to add files (so that no
 * other add runs); sets *removed. */
int vault_sweep(struct at_ctx *ctx, struct store *st, long *removed);

/* Removes only the unfinished staging files, those no live add or upload
 * is writing; safe at any time, outside a transaction.  Sets *removed. */
int vault_sweep_staging(struct at_ctx *ctx, struct store *st, long *removed);

/* AT_ECORRUPT, naming it, when an unfinished staging file is left in the
 * vault; AT_OK when there is none (uploads in progress are not left). */
int vault_check_staging(struct at_ctx *ctx, struct store *st);

/* Rebuilds vault_item from the log items. */
int vault_rebuild(struct at_ctx *ctx, struct store *st);

/* The canonical text of the item's newest log entry and its sequence
 * number, as a bundle proves it. */
int vault_entry(struct at_ctx *ctx, struct store *st, const char *id, char **text, int64_t *seq);

#endif
