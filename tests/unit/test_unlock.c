/*
 * test_unlock.c: opening an encrypted archive: the right passphrase opens
 * it as the user with their role, a wrong one is refused without saying
 * which part was wrong, the key file names no user in plaintext, and a
 * directory without an archive is named as such.
 */
#include "../../src/core/attest.h"
#include "../../src/core/unlock.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0;

    if (f == NULL)
        return NULL;
    if (getdelim(&text, &len, '\0', f) < 0) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

UNIT_TEST(unlock_open_with_passphrase)
{
    struct at_ctx ctx = { 0 };
    struct session admin, s;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char dir[512], path[600];
    char *keys;

    REQUIRE(st != NULL);
    store_close(st);
    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    CHECK(unlock_check(&ctx, dir) == AT_OK);
    CHECK(!unlock_is_plaintext(dir));
    REQUIRE(unlock_open(&ctx, dir, "admin", UNIT_PASSPHRASE, &st, &s) == AT_OK);
    CHECK_STR(s.user, "admin");
    CHECK(s.role == ROLE_ADMIN);
    store_close(st);
    access_session_free(&s);
    snprintf(path, sizeof path, "%s/attest.keys", dir);
    REQUIRE((keys = slurp(path)) != NULL);
    CHECK(strstr(keys, "\"slots\"") != NULL);
    CHECK(strstr(keys, "admin") == NULL);
    free(keys);
}

UNIT_TEST(unlock_refuses_wrong_passphrase)
{
    struct at_ctx ctx = { 0 };
    struct session admin, s;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char dir[512];

    REQUIRE(st != NULL);
    store_close(st);
    st = NULL;
    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    CHECK(unlock_open(&ctx, dir, "admin", "FICTIONAL wrong passphrase", &st, &s) == AT_EDENIED);
    CHECK_STR(ctx.message, "wrong user name or passphrase");
    CHECK(st == NULL);
}

UNIT_TEST(unlock_check_no_archive)
{
    struct at_ctx ctx = { 0 };

    CHECK(unlock_check(&ctx, unit_tmpdir()) == AT_ENOTFOUND);
    CHECK(strstr(ctx.message, "not an attest archive") != NULL);
    CHECK(strstr(ctx.message, unit_tmpdir()) != NULL);
}
