/*
 * keys.h: the archive's keys and its users.
 *
 * The archive master key is 32 random bytes.  Each user holds a copy
 * wrapped (XSalsa20-Poly1305) under a key derived from their passphrase
 * by Argon2id, and a sealing key pair (X25519) whose secret half is
 * wrapped the same way: witness identities are sealed to the public halves
 * of the protection officers.  The archive's Ed25519 signing key, which
 * signs the log's tree heads, is wrapped under the master key.
 */
#ifndef KEYS_H
#define KEYS_H

#include "attest.h"
#include "access.h"
#include "store.h"

#include <jansson.h>

/* Argon2id cost: libsodium's named limits. */
struct kdf {
    unsigned long long ops;
    size_t mem;
};

/* "interactive", "moderate" (the default) or "sensitive". */
int keys_kdf_parse(struct at_ctx *ctx, const char *name, struct kdf *out);
struct kdf keys_kdf_default(void);

#define PASSPHRASE_MIN 10

/* A new random master key (the caller wipes it). */
void keys_new_master(uint8_t master[32]);

/* Stores the master key (made by keys_new_master; the store is encrypted
 * under its page key), creates the signing key and the first user, an
 * admin, and logs them; the caller commits.  On success *out is the
 * admin's session. */
int keys_init(struct at_ctx *ctx, struct store *st, const char *admin, const char *passphrase,
              const struct kdf *kdf, const uint8_t master[32], struct session *out);

/* The key a passphrase derives with Argon2id for the given salt and cost:
 * it unwraps the user's copy of the master key. */
int keys_derive(struct at_ctx *ctx, const char *passphrase, const uint8_t *salt,
                unsigned long long ops, size_t mem, uint8_t kek[32]);

/* Unlocks user's keys with passphrase.  A wrong passphrase and an unknown
 * user give the same message; a disabled user is refused (AT_EDENIED)
 * once the passphrase is right. */
int keys_login(struct at_ctx *ctx, struct store *st, const char *user, const char *passphrase,
               struct session *out);
/* The same with the key the passphrase derives (keys_derive), already
 * derived: unlocking from the keyring, or after opening the database. */
int keys_login_with_key(struct at_ctx *ctx, struct store *st, const char *user,
                        const uint8_t kek[32], struct session *out);

/* User administration (admin only, except passwd on oneself).  Inside a
 * transaction; each change is logged. */
int keys_user_add(struct at_ctx *ctx, struct store *st, const struct session *by, const char *name,
                  enum role role, const char *passphrase, const struct kdf *kdf);
int keys_passwd(struct at_ctx *ctx, struct store *st, const struct session *self,
                const char *passphrase, const struct kdf *kdf);
/* An admin sets a new passphrase for another user who lost theirs (the
 * old one is neither needed nor seen): the master key is wrapped afresh
 * from the admin's session, and since the user's sealing key was wrapped
 * under the old passphrase alone, they get a new sealing key pair (an
 * officer reads identities sealed before once another officer has run
 * `attest witness reseal`).  Their sessions and tokens end.  Logged as
 * "passphrase reset". */
int keys_passphrase_reset(struct at_ctx *ctx, struct store *st, const struct session *by,
                          const char *name, const char *passphrase, const struct kdf *kdf);
int keys_set_role(struct at_ctx *ctx, struct store *st, const struct session *by,
                  const char *name, enum role role);
/* Disables (enable false) or enables again a user; a disabled user cannot
 * log in or use a token.  The last enabled admin can be neither demoted
 * nor disabled (AT_ECONFLICT). */
int keys_user_enable(struct at_ctx *ctx, struct store *st, const struct session *by,
                     const char *name, bool enable);

/* A user's generation and whether they are enabled, read afresh from the
 * archive (AT_ENOTFOUND: no such user).  The generation grows at each
 * change of role or passphrase and at each disabling: a session or token
 * made under an older generation has ended. */
int keys_user_state(struct at_ctx *ctx, struct store *st, const char *name, int64_t *generation,
                    bool *enabled);

/* [{"name", "role", "box_pk", "enabled"}] in name order; a new array. */
int keys_user_list(struct at_ctx *ctx, struct store *st, json_t **out);

/* API tokens for scripts.  keys_token_create makes a random token for the
 * session's user that expires after days (1 to TOKEN_DAYS_MAX; logged;
 * only its hash is stored) and writes it to token_out (at least 64
 * bytes).  Inside a transaction. */
#define TOKEN_DAYS_DEFAULT 90
#define TOKEN_DAYS_MAX 3650
#define TOKEN_ID_HEX 12 /* a token's public id: hex digits of its hash */
int keys_token_create(struct at_ctx *ctx, struct store *st, const struct session *s,
                      const char *label, int days, char *token_out);
/* The user and role a token stands for; AT_EDENIED when it is unknown,
 * revoked or expired, its user is disabled, or its user's role or
 * passphrase changed since it was made. */
int keys_token_user(struct at_ctx *ctx, struct store *st, const char *token, char user[64],
                    enum role *role);
/* [{"id", "user", "label", "created_at", "expires_at", "state"}] of user's
 * tokens; state is active, expired, revoked, ended (by
 * a change of role or passphrase) or "user disabled".  Users see their
 * own (user NULL: theirs); admins anyone's (NULL: everyone's).  A new
 * array. */
int keys_token_list(struct at_ctx *ctx, struct store *st, const struct session *by,
                    const char *user, json_t **out);
/* Revokes the token whose id (TOKEN_ID_HEX hex digits) is given; logged.
 * Users revoke their own; admins anyone's.  Inside a transaction. */
int keys_token_revoke(struct at_ctx *ctx, struct store *st, const struct session *by,
                      const char *id);

/* The archive's public signing key. */
int keys_sign_pk(struct at_ctx *ctx, struct store *st, uint8_t pk[crypto_sign_PUBLICKEYBYTES]);

/* Encrypts / decrypts a small secret under key: nonce || secretbox. */
void keys_wrap(const uint8_t *secret, size_t len, const uint8_t key[32], struct buf *out);
int keys_unwrap(struct at_ctx *ctx, const void *wrapped, size_t wlen, const uint8_t key[32],
                uint8_t *secret, size_t len);

#endif
