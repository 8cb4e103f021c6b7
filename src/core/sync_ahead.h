/*
 * sync_ahead.h: a pack's vault files written ahead of their frames by a
 * thread of their own (sync_ahead.c), for the import of sync_pack.c.
 */
#ifndef SYNC_AHEAD_H
#define SYNC_AHEAD_H

#include "attest.h"
#include "store.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

/* True when plain (a frame's plaintext) is followed by a vault file, with
 * its key (pointing into plain) and length: how sync_pack.c finds the
 * files in its frames for sync_ahead.c. */
typedef bool sync_file_after(const uint8_t *plain, size_t len, const uint8_t **key,
                             uint64_t *length);

/* _start begins after the pack's header: fd a regular file, first_frame
 * its offset, ss the stream's state there and ad its additional data;
 * the files found with file_after.  NULL (every file read inline) for
 * anything else than a regular file.  _take gives the upload of the file
 * at offset (key and length as its frame says), written whole, or NULL
 * when it was not written ahead (the import reads it itself), or the
 * failure of writing it, on ctx; a NULL a takes nothing.  _stop ends the
 * thread and removes every staging file not taken. */
struct sync_ahead;
struct vault_upload;
struct sync_ahead *sync_ahead_start(struct store *st, int fd, uint64_t first_frame,
                                    const crypto_secretstream_xchacha20poly1305_state *ss,
                                    const uint8_t *ad, sync_file_after *file_after);
int sync_ahead_take(struct at_ctx *ctx, struct sync_ahead *a, uint64_t offset,
                    const uint8_t *key, uint64_t length, struct vault_upload **out);
void sync_ahead_stop(struct sync_ahead *a);

#endif
