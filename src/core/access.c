/*
 * access.c: roles, and the decision of who may do what.  Every rule is in
 * the table below.
 */
#include "attest.h"
#include "access.h"
#include "vocab.h"

#include <string.h>

static const struct {
    const char *name;
    int clearance;
    unsigned actions; /* bit per enum action */
} roles[] = {
#define A(x) (1u << ACTION_##x)
    [ROLE_ADMIN] = { "admin", CLEARANCE_CONFIDENTIAL,
                     A(READ) | A(WRITE) | A(MANAGE_USERS) | A(ADD_EVIDENCE) | A(GET_EVIDENCE)
                     | A(EXPORT_BUNDLE) | A(DECLASSIFY) | A(MANAGE_PEERS) | A(SYNC) },
    [ROLE_OFFICER] = { "officer", CLEARANCE_CONFIDENTIAL,
                       A(READ) | A(WRITE) | A(REVEAL_IDENTITY) | A(ADD_EVIDENCE)
                       | A(GET_EVIDENCE) | A(EXPORT_BUNDLE) | A(DECLASSIFY) | A(SYNC) },
    [ROLE_INVESTIGATOR] = { "investigator", CLEARANCE_CONFIDENTIAL,
                            A(READ) | A(WRITE) | A(ADD_EVIDENCE) | A(GET_EVIDENCE)
                            | A(EXPORT_BUNDLE) | A(DECLASSIFY) | A(SYNC) },
    [ROLE_ANALYST] = { "analyst", CLEARANCE_RESTRICTED,
                       A(READ) | A(WRITE) | A(GET_EVIDENCE) | A(EXPORT_BUNDLE) },
    [ROLE_PARTNER] = { "partner", CLEARANCE_PARTNER, A(READ) | A(GET_EVIDENCE) },
    [ROLE_PUBLIC] = { "public", CLEARANCE_PUBLIC, A(READ) },
#undef A
};

static const char *const action_names[] = {
    [ACTION_READ] = "read this record",
    [ACTION_WRITE] = "write records",
    [ACTION_MANAGE_USERS] = "manage users",
    [ACTION_REVEAL_IDENTITY] = "reveal a witness's identity",
    [ACTION_ADD_EVIDENCE] = "add evidence",
    [ACTION_GET_EVIDENCE] = "read this evidence file",
    [ACTION_EXPORT_BUNDLE] = "export evidence bundles",
    [ACTION_DECLASSIFY] = "lower a record's clearance",
    [ACTION_MANAGE_PEERS] = "manage the archives this one syncs with",
    [ACTION_SYNC] = "export or import sync packs",
};

int access_session_clearance(const struct session *s)
{
    if (s == NULL || (size_t)s->role >= ARRAY_LEN(roles)
        || !(roles[s->role].actions & (1u << ACTION_READ)))
        return CLEARANCE_NONE;
    return s->clearance;
}

int access_read_limit(const struct session *s, int wanted)
{
    int top = access_session_clearance(s);

    return wanted >= 0 && wanted < top ? wanted : top;
}

void access_session_free(struct session *s)
{
    if (s)
        sodium_memzero(s, sizeof *s);
}

int access_role_parse(struct at_ctx *ctx, const char *name, enum role *out)
{
    for (size_t i = 0; i < ARRAY_LEN(roles); i++) {
        if (strcmp(roles[i].name, name) == 0) {
            *out = (enum role)i;
            return AT_OK;
        }
    }
    return ctx_error(ctx, AT_EINVAL, "unknown role \"%s\"; valid: admin, officer, investigator, "
                     "analyst, partner, public", name);
}

const char *access_role_name(enum role r)
{
    return (size_t)r < ARRAY_LEN(roles) ? roles[r].name : "unknown";
}

int access_role_clearance(enum role r)
{
    return (size_t)r < ARRAY_LEN(roles) ? roles[r].clearance : CLEARANCE_PUBLIC;
}

int access_check(struct at_ctx *ctx, const struct session *s, enum action action, int clearance)
{
    bool reads = action == ACTION_READ || action == ACTION_GET_EVIDENCE;

    if (s == NULL)
        return ctx_error(ctx, AT_EDENIED, "to %s, log in: give your user name (-u NAME or "
                         "ATTEST_USER) and passphrase", action_names[action]);
    if (!(roles[s->role].actions & (1u << action)))
        return ctx_error(ctx, AT_EDENIED, "user %s (%s) may not %s", s->user,
                         roles[s->role].name, action_names[action]);
    if (reads && clearance > s->clearance)
        return ctx_error(ctx, AT_EDENIED, "user %s (%s, cleared to %s) may not %s: it is %s",
                         s->user, roles[s->role].name, vocab_clearance_name(s->clearance),
                         action_names[action], vocab_clearance_name(clearance));
    return AT_OK;
}

int access_check_version(struct at_ctx *ctx, const struct session *s, const char *id,
                         int version, int version_clearance, int current_clearance)
{
    int top = access_session_clearance(s);

    if (current_clearance > top)
        return ctx_error(ctx, AT_ENOTFOUND, "no record %s", id);
    if (version_clearance > top)
        return ctx_error(ctx, AT_ENOTFOUND, "%s has no version %d", id, version);
    return AT_OK;
}
