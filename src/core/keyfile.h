/*
 * keyfile.h: the key file beside the database (attest.keys), which holds
 * each user's slot: the archive's master key wrapped under a key derived
 * from their passphrase.  Users are named in it only by a keyed hash.
 * keys.c rewrites it when users change; unlock.c reads it to open the
 * archive.
 */
#ifndef KEYFILE_H
#define KEYFILE_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

/* The key file of dir, parsed and checked; NULL with ctx set when it is
 * missing (AT_ENOTFOUND) or malformed (AT_ECORRUPT). */
json_t *keyfile_load(struct at_ctx *ctx, const char *dir);

/* Rewrites attest.keys from the user table as the open transaction sees
 * it.  Slots of earlier passphrases are kept until prune is true (a later
 * successful unlock), so that a crash between this file and the commit
 * locks no one out. */
int keyfile_sync(struct at_ctx *ctx, struct store *st, bool prune);

/* The slots of user in doc, in file order (the current one first), as a
 * new array. */
json_t *keyfile_user_slots(json_t *doc, const char *user);

/* Decodes the hex string field of obj into exactly len bytes; false when
 * it is missing or of another length. */
bool keyfile_bin(json_t *obj, const char *field, uint8_t *bin, size_t len);

#endif
