/*
 * unlock.h: opening an encrypted archive as one of its users.
 *
 * Every page of attest.db is encrypted under a key derived from the
 * archive's master key (store.h), and each user's copy of the master key
 * is wrapped inside that database (keys.h).  To open the database, a small
 * key file beside it, attest.keys, holds each user's wrapped copy again:
 * the Argon2id salt and cost and the master key sealed under the key the
 * passphrase derives, exactly the bytes of the user table, with each user
 * name replaced by a keyed hash.  It holds nothing that opens without a
 * passphrase.  The file is rewritten from the user table inside every
 * transaction that changes a user's keys.
 *
 * A user's derived key can be kept for a while in the kernel's per-user
 * keyring (keyutils), so that one passphrase serves many commands:
 * `attest unlock --for 15m`, `attest lock`.  The kernel drops it when the
 * time is up; it never touches the disk.
 */
#ifndef UNLOCK_H
#define UNLOCK_H

#include "attest.h"
#include "access.h"
#include "store.h"

struct kdf;

/* Creates a new archive in dir: a random master key, the database
 * encrypted under its page key, the key file, and the first user, an
 * admin, all committed.  On success *st is open with *out, the admin's
 * session, set on it; the caller keeps *out alive while *st is open. */
int unlock_create(struct at_ctx *ctx, const char *dir, const char *admin, const char *passphrase,
                  const struct kdf *kdf, struct store **st, struct session *out);

/* Opens the archive in dir as user.  With passphrase NULL, uses the key
 * kept in the keyring, and returns AT_ENOTFOUND when there is none (the
 * caller then asks for the passphrase).  A wrong passphrase and an unknown
 * user give the same message.  On success *st is open (release it with
 * store_close) and *out is the user's session (access_session_free). */
int unlock_open(struct at_ctx *ctx, const char *dir, const char *user, const char *passphrase,
                struct store **st, struct session *out);

/* Checks passphrase by opening the archive, then keeps the user's derived
 * key in the kernel's per-user keyring for seconds. */
int unlock_remember(struct at_ctx *ctx, const char *dir, const char *user,
                    const char *passphrase, unsigned seconds);

/* Drops the user's key for dir from the keyring; AT_ENOTFOUND when none
 * was kept. */
int unlock_forget(struct at_ctx *ctx, const char *dir, const char *user);

/* AT_OK when dir holds an encrypted archive; otherwise says what it is
 * (nothing, or an archive to encrypt with 'attest upgrade'). */
int unlock_check(struct at_ctx *ctx, const char *dir);

/* True when dir holds an archive written before encryption (a plaintext
 * SQLite file and no key file). */
bool unlock_is_plaintext(const char *dir);

/* Encrypts the plaintext archive in dir in place, as user (who must be
 * able to log in to it): writes the key file, copies every table into a
 * new encrypted database, and replaces the old file with it (renamed into
 * place, then the old one overwritten and removed).  The caller verifies
 * before and after.  Not inside a transaction; nothing else may have the
 * archive open. */
int unlock_encrypt_plaintext(struct at_ctx *ctx, const char *dir, const char *user,
                             const char *passphrase);

#endif
