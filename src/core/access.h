/*
 * access.h: users' roles and the one place that decides who may do what.
 * The CLI and the HTTP server ask access_check before acting; the record
 * and vault layers ask it again, so that no path forgets.
 */
#ifndef ACCESS_H
#define ACCESS_H

#include "attest.h"

#include <sodium.h>

enum role {
    ROLE_ADMIN,
    ROLE_OFFICER,       /* witness-protection officer: may reveal identities */
    ROLE_INVESTIGATOR,
    ROLE_ANALYST,
    ROLE_PARTNER,
    ROLE_PUBLIC,
};

enum action {
    ACTION_READ,            /* read a record of a given clearance */
    ACTION_WRITE,           /* add or change records */
    ACTION_MANAGE_USERS,
    ACTION_REVEAL_IDENTITY, /* unseal a witness's identity */
    ACTION_ADD_EVIDENCE,
    ACTION_GET_EVIDENCE,    /* decrypt a vault file of a given clearance */
    ACTION_EXPORT_BUNDLE,
    ACTION_DECLASSIFY,      /* lower a record's clearance */
    ACTION_MANAGE_PEERS,    /* pin or unpin the archives this one syncs with */
    ACTION_SYNC,            /* export a pack of everything, or import one */
};

/* An unlocked user: who, with what role, and the archive keys their
 * passphrase opened.  Secret keys are wiped by access_session_free. */
struct session {
    char user[64];
    enum role role;
    int clearance;                                 /* highest level they may read */
    uint8_t master[32];                            /* the archive master key */
    uint8_t sign_sk[crypto_sign_SECRETKEYBYTES];   /* the archive signing key */
    uint8_t box_pk[crypto_box_PUBLICKEYBYTES];     /* the user's sealing key pair */
    uint8_t box_sk[crypto_box_SECRETKEYBYTES];
};

void access_session_free(struct session *s);

int access_role_parse(struct at_ctx *ctx, const char *name, enum role *out);
const char *access_role_name(enum role r);
/* The highest clearance a role may read. */
int access_role_clearance(enum role r);

/* Below every clearance: what no session may read. */
#define CLEARANCE_NONE (-1)

/* The highest clearance s may read; CLEARANCE_NONE without a session.
 * There is no trusted "no session": the CLI and the server always log a
 * user in, and work that reads no record for anyone (rebuilding derived
 * tables) does not ask. */
int access_session_clearance(const struct session *s);

/* The highest clearance a listing for s may show: wanted (a filter's
 * maximum; -1 for none) capped at access_session_clearance(s).  Every query that
 * lists records binds this, so "clearance <= limit" shows nothing to no
 * session. */
int access_read_limit(const struct session *s, int wanted);

/* AT_OK if s may do action on something of the given clearance (ignored
 * where it does not apply); AT_EDENIED with a message otherwise.  No
 * session may do nothing. */
int access_check(struct at_ctx *ctx, const struct session *s, enum action action, int clearance);

/* AT_OK if s may read a version of clearance version_clearance of a record
 * whose current clearance is current_clearance: it needs both.  Otherwise
 * AT_ENOTFOUND with the message the reader gets for no record at all
 * ("no record ID", or "ID has no version N" when the record itself is
 * readable), so that a refusal tells nothing of the record. */
int access_check_version(struct at_ctx *ctx, const struct session *s, const char *id,
                         int version, int version_clearance, int current_clearance);

#endif
