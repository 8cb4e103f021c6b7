/*
 * test_access.c: roles and the one table of who may do what: role names,
 * each role's clearance, actions granted and refused, reads above a
 * clearance, no session at all, and version reads that need both the
 * version's and the record's clearance.
 */
#include "../../src/core/access.h"
#include "../../src/core/attest.h"
#include "../../src/core/vocab.h"
#include "unit.h"

static struct session as(enum role r)
{
    struct session s = { .role = r, .clearance = access_role_clearance(r) };
    snprintf(s.user, sizeof s.user, "%s-user", access_role_name(r));
    return s;
}

UNIT_TEST(access_roles_round_trip)
{
    struct at_ctx ctx = { 0 };
    enum role r;

    for (int i = ROLE_ADMIN; i <= ROLE_PUBLIC; i++) {
        CHECK(access_role_parse(&ctx, access_role_name((enum role)i), &r) == AT_OK);
        CHECK((int)r == i);
    }
    CHECK(access_role_clearance(ROLE_ANALYST) == CLEARANCE_RESTRICTED);
    CHECK(access_role_clearance(ROLE_PARTNER) == CLEARANCE_PARTNER);
    CHECK(access_role_parse(&ctx, "superuser", &r) == AT_EINVAL);
    CHECK(strstr(ctx.message, "superuser") != NULL && strstr(ctx.message, "analyst") != NULL);
}

UNIT_TEST(access_check_actions)
{
    struct at_ctx ctx = { 0 };
    struct session admin = as(ROLE_ADMIN), officer = as(ROLE_OFFICER), analyst = as(ROLE_ANALYST),
                   partner = as(ROLE_PARTNER), public = as(ROLE_PUBLIC);

    CHECK(access_check(&ctx, &admin, ACTION_MANAGE_USERS, 0) == AT_OK);
    CHECK(access_check(&ctx, &officer, ACTION_MANAGE_USERS, 0) == AT_EDENIED);
    CHECK(access_check(&ctx, &officer, ACTION_REVEAL_IDENTITY, 0) == AT_OK);
    CHECK(access_check(&ctx, &admin, ACTION_REVEAL_IDENTITY, 0) == AT_EDENIED);
    CHECK(access_check(&ctx, &analyst, ACTION_WRITE, 0) == AT_OK);
    CHECK(access_check(&ctx, &analyst, ACTION_DECLASSIFY, 0) == AT_EDENIED);
    CHECK(access_check(&ctx, &partner, ACTION_WRITE, 0) == AT_EDENIED);
    CHECK(strstr(ctx.message, "partner-user") != NULL && strstr(ctx.message, "write records") != NULL);
    CHECK(access_check(&ctx, &public, ACTION_GET_EVIDENCE, CLEARANCE_PUBLIC) == AT_EDENIED);
    /* Pushing and pulling packs: those who gather and guard the records. */
    CHECK(access_check(&ctx, &admin, ACTION_SYNC, 0) == AT_OK);
    CHECK(access_check(&ctx, &officer, ACTION_SYNC, 0) == AT_OK);
    CHECK(access_check(&ctx, &analyst, ACTION_SYNC, 0) == AT_EDENIED);
    CHECK(access_check(&ctx, &partner, ACTION_SYNC, 0) == AT_EDENIED);
    CHECK(strstr(ctx.message, "sync packs") != NULL);
}

UNIT_TEST(access_reads_stop_at_clearance)
{
    struct at_ctx ctx = { 0 };
    struct session analyst = as(ROLE_ANALYST), partner = as(ROLE_PARTNER);

    CHECK(access_check(&ctx, &analyst, ACTION_READ, CLEARANCE_RESTRICTED) == AT_OK);
    CHECK(access_check(&ctx, &analyst, ACTION_READ, CLEARANCE_CONFIDENTIAL) == AT_EDENIED);
    CHECK(strstr(ctx.message, "confidential") != NULL);
    CHECK(access_check(&ctx, &partner, ACTION_GET_EVIDENCE, CLEARANCE_RESTRICTED) == AT_EDENIED);
    CHECK(access_read_limit(&analyst, -1) == CLEARANCE_RESTRICTED);
    CHECK(access_read_limit(&analyst, CLEARANCE_PUBLIC) == CLEARANCE_PUBLIC);
    CHECK(access_read_limit(&partner, CLEARANCE_CONFIDENTIAL) == CLEARANCE_PARTNER);
}

UNIT_TEST(access_no_session_may_do_nothing)
{
    struct at_ctx ctx = { 0 };

    CHECK(access_session_clearance(NULL) == CLEARANCE_NONE);
    CHECK(access_read_limit(NULL, -1) == CLEARANCE_NONE);
    CHECK(access_read_limit(NULL, CLEARANCE_PUBLIC) == CLEARANCE_NONE);
    CHECK(access_check(&ctx, NULL, ACTION_READ, CLEARANCE_PUBLIC) == AT_EDENIED);
    CHECK(strstr(ctx.message, "log in") != NULL);
}

UNIT_TEST(access_version_needs_both_clearances)
{
    struct at_ctx ctx = { 0 };
    struct session partner = as(ROLE_PARTNER);

    CHECK(access_check_version(&ctx, &partner, "ev-1", 1, CLEARANCE_PUBLIC, CLEARANCE_PARTNER) == AT_OK);
    CHECK(access_check_version(&ctx, &partner, "ev-1", 1, CLEARANCE_PUBLIC, CLEARANCE_RESTRICTED)
          == AT_ENOTFOUND);
    CHECK_STR(ctx.message, "no record ev-1");
    CHECK(access_check_version(&ctx, &partner, "ev-1", 2, CLEARANCE_RESTRICTED, CLEARANCE_PUBLIC)
          == AT_ENOTFOUND);
    CHECK_STR(ctx.message, "ev-1 has no version 2");
}
