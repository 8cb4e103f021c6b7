/*
 * sync_ahead.h: a pack's vault files written ahead of their frames, and its
 * frames read ahead of the import, each by a thread of its own
 * (sync_ahead.c), for the import of sync_pack.c.
 */
#ifndef SYNC_AHEAD_H
#define SYNC_AHEAD_H

#include "attest.h"
#include "store.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

/* What follows a frame when it is a vault file: its key (pointing into
 * the frame), its length, and its item's identity (origin archive and
 * sequence there). */
struct sync_file_info {
    const uint8_t *key;
    uint64_t length;
    char origin[64];
    int64_t oseq;
};

/* True, with file filled in, when plain (a frame's plaintext) is followed
 * by a vault file: how sync_pack.c finds the files in its frames. */
typedef bool sync_file_after(const uint8_t *plain, size_t len, struct sync_file_info *file);

/* Whether the item is held here already (its file is then only checked,
 * not written): asked on the import's own thread only, as it polls. */
typedef bool sync_item_held(void *arg, const char *origin, int64_t oseq);

/* A file as the thread left it for the import: written whole into a
 * staging file (upload), or only checked (checked, its plaintext's
 * SHA-256), or neither (the import reads it itself). */
struct sync_ahead_file {
    struct vault_upload *upload;
    bool checked;
    uint8_t sha256[32];
};

/* _start begins after the pack's header: fd a regular file, first_frame
 * its offset, ss the stream's state there and ad its additional data;
 * the files found with file_after, each item's held asked of held(arg).
 * NULL (every file read inline) for anything else than a regular file.
 * _poll answers the thread's question, if it has one: the import calls it
 * between frames (and _take while it waits).  _take gives the file at
 * offset (key and length as its frame says), or the failure of writing
 * it, on ctx; a NULL a gives neither.  _stop ends the thread and removes
 * every staging file not taken. */
struct sync_ahead;
struct vault_upload;
struct sync_ahead *sync_ahead_start(struct store *st, int fd, uint64_t first_frame,
                                    const crypto_secretstream_xchacha20poly1305_state *ss,
                                    const uint8_t *ad, sync_file_after *file_after,
                                    sync_item_held *held, void *arg);
void sync_ahead_poll(struct sync_ahead *a);
int sync_ahead_take(struct at_ctx *ctx, struct sync_ahead *a, uint64_t offset,
                    const uint8_t *key, uint64_t length, struct sync_ahead_file *out);
void sync_ahead_stop(struct sync_ahead *a);

/* A frame read ahead by a thread of its own (struct sync_frames), as the
 * import takes it: where it starts in the pack and its length there
 * (length prefix and ciphertext; a file after it not counted), its
 * plaintext's length, whether it is the last, the stream's state after it,
 * and what prepare made of it (NULL for nothing). */
struct sync_frame {
    uint64_t offset, length;
    size_t plen;
    bool last;
    crypto_secretstream_xchacha20poly1305_state ss_after;
    void *prepared;
};

/* What the thread makes of a frame's plaintext, besides decrypting it, so
 * that the import need not (NULL: nothing), given the arg the import
 * passed to _start; released with release on the thread once the import
 * gives it back (memory one thread allocates and another frees costs both
 * a lock in malloc, at every call). */
typedef void *sync_frame_prepare(void *arg, const uint8_t *plain, size_t len);
typedef void sync_frame_release(void *prepared);

/* _start, as sync_ahead_start, a thread that decrypts the pack's frames in
 * order, passing over the files after them (file_after), and holds a few
 * hundred ahead of the import with what prepare makes of each; NULL for
 * anything else than a regular file.  _take gives the next frame held, its
 * plaintext copied into plain (SYNC_CT_MAX bytes), when it is the one at
 * offset: false when it is not (the thread stopped before it, at something
 * the import then reads and reports itself), and the import then reads
 * every frame itself.  _give_back hands what prepare made of a frame taken
 * back to be released, once the import is done with it.  _stop ends the
 * thread and wipes and releases what it held. */
struct sync_frames;
struct sync_frames *sync_frames_start(int fd, uint64_t first_frame,
                                      const crypto_secretstream_xchacha20poly1305_state *ss,
                                      const uint8_t *ad, sync_file_after *file_after,
                                      sync_frame_prepare *prepare, void *prepare_arg,
                                      sync_frame_release *release);
bool sync_frames_take(struct sync_frames *r, uint64_t offset, uint8_t *plain,
                      struct sync_frame *out);
void sync_frames_give_back(struct sync_frames *r, void *prepared);
void sync_frames_stop(struct sync_frames *r);

#endif
