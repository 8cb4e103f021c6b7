/*
 * identity.h: sealed witness identities.  A witness's real name, contacts,
 * address and relatives still in North Korea never enter the open record:
 * they are sealed (crypto_box_seal) to each protection officer's public
 * key, so that anyone may record them but only an officer, with their
 * passphrase, can read them back, and each reading is logged.  Error
 * messages about an identity never quote it.
 */
#ifndef IDENTITY_H
#define IDENTITY_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

/* The keys an identity may have; all text. */
#define IDENTITY_KEYS "real_name, other_names, contacts, address, relatives_in_north_korea, notes"

/* Parses an identity from JSON text without ever quoting it in messages. */
int identity_parse(struct at_ctx *ctx, const char *text, size_t len, json_t **out);

/* Seals identity to every protection officer and logs it as the newest
 * identity of witness.  Inside a transaction.  Recording a witness's
 * first identity needs ACTION_WRITE; replacing one needs
 * ACTION_REVEAL_IDENTITY (an officer), and the earlier versions stay in
 * the log (identity_reveal_history). */
int identity_set(struct at_ctx *ctx, struct store *st, const char *witness, json_t *identity);

/* identity_set in the form evlog_write runs, in its own transaction:
 * evlog_write(ctx, st, identity_set_write,
 * &(struct identity_change){ witness, identity }). */
struct identity_change {
    const char *witness;
    json_t *identity;
};
int identity_set_write(struct at_ctx *ctx, struct store *st, void *change);

/* Opens the newest identity of witness with the session's key (an
 * officer's) and logs the reading.  Inside a transaction. */
int identity_reveal(struct at_ctx *ctx, struct store *st, const char *witness, json_t **out);

/* Every identity version of witness, oldest first, as a new array of
 * {"version", "identity"}, or {"version", "sealed_to_you": false} for a
 * version sealed before the officer was added; each opening is logged.
 * Inside a transaction. */
int identity_reveal_history(struct at_ctx *ctx, struct store *st, const char *witness,
                            json_t **out);

/* Reseals every identity that some officer cannot open, for all officers
 * (after an officer was added, or an officer's passphrase was reset and
 * with it their sealing key, or a team peer was pinned after it was
 * sealed: its officers' boxes then travel in the next pack).  Sets *count
 * to how many were resealed. */
int identity_reseal_all(struct at_ctx *ctx, struct store *st, long *count);

/* Logs, as the newest identity of witness, boxes already sealed
 * elsewhere: {officer: base64} for this archive's officers (a team peer's
 * pack, whose sender sealed them to the officers' keys in this archive's
 * key line).  Nothing is opened.  Inside a transaction. */
int identity_put_sealed(struct at_ctx *ctx, struct store *st, const char *witness,
                        json_t *sealed);

/* Whether witness has a sealed identity. */
int identity_exists(struct at_ctx *ctx, struct store *st, const char *witness, bool *exists);

#endif
