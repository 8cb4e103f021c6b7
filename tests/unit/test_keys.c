/* test_keys.c: users, passphrases, roles and who may write. */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keys.h"
#include "../../src/core/record.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

static const struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };

UNIT_TEST(keys_login_opens_the_same_master_key)
{
    struct at_ctx ctx = { 0 };
    struct session admin, again, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);

    REQUIRE(st != NULL);
    CHECK(keys_login(&ctx, st, "admin", UNIT_PASSPHRASE, &again) == AT_OK);
    CHECK(sodium_memcmp(admin.master, again.master, 32) == 0);
    CHECK(sodium_memcmp(admin.sign_sk, again.sign_sk, sizeof admin.sign_sk) == 0);
    CHECK(keys_login(&ctx, st, "admin", "not the passphrase", &again) == AT_EDENIED);
    CHECK_STR(ctx.message, "wrong user name or passphrase");
    CHECK(keys_login(&ctx, st, "nobody", UNIT_PASSPHRASE, &again) == AT_EDENIED);
    CHECK_STR(ctx.message, "wrong user name or passphrase");

    store_begin(&ctx, st);
    CHECK(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "short", &cheap) == AT_EINVAL);
    CHECK(keys_user_add(&ctx, st, &admin, "Ana!", ROLE_ANALYST, "long enough pass", &cheap) == AT_EINVAL);
    CHECK(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "long enough pass", &cheap) == AT_OK);
    CHECK(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "long enough pass", &cheap) == AT_ECONFLICT);
    CHECK(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(keys_login(&ctx, st, "ana", "long enough pass", &analyst) == AT_OK);
    CHECK(analyst.role == ROLE_ANALYST && analyst.clearance == access_role_clearance(ROLE_ANALYST));
    CHECK(sodium_memcmp(admin.master, analyst.master, 32) == 0);
    /* An analyst may not manage users, nor read confidential records. */
    store_begin(&ctx, st);
    CHECK(keys_user_add(&ctx, st, &analyst, "eve", ROLE_ADMIN, "long enough pass", &cheap) == AT_EDENIED);
    CHECK(keys_set_role(&ctx, st, &analyst, "ana", ROLE_ADMIN) == AT_EDENIED);
    CHECK(keys_passwd(&ctx, st, &analyst, "a new long passphrase", &cheap) == AT_OK);
    store_set_session(st, &analyst);
    CHECK(evlog_commit(&ctx, st) == AT_OK);
    CHECK(keys_login(&ctx, st, "ana", "long enough pass", &again) == AT_EDENIED);
    CHECK(keys_login(&ctx, st, "ana", "a new long passphrase", &again) == AT_OK);
    CHECK(access_check(&ctx, &analyst, ACTION_READ, 3) == AT_EDENIED);
    CHECK(access_check(&ctx, &analyst, ACTION_READ, 2) == AT_OK);
    CHECK(access_check(&ctx, &analyst, ACTION_REVEAL_IDENTITY, 0) == AT_EDENIED);
    store_close(st);
}

UNIT_TEST(keys_writing_needs_a_session)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_write w = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];
    json_t *data = json_pack("{s:s}", "code", "W-1");

    REQUIRE(st != NULL);
    store_set_session(st, NULL);
    store_begin(&ctx, st);
    CHECK(record_add(&ctx, st, model_type("witness"), data, &w, id) == AT_EDENIED);
    CHECK(strstr(ctx.message, "log in") != NULL);
    store_rollback(st);
    json_decref(data);
    store_close(st);
}

UNIT_TEST(keys_only_some_roles_lower_a_clearance)
{
    static const struct kdf cheaper = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
    struct at_ctx ctx = { 0 };
    struct session admin, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_write w = RECORD_WRITE_INIT;
    char id[RECORD_ID_MAX];
    json_t *data = json_pack("{s:s}", "title", "FICTIONAL event"), *none = json_object(), *history;

    REQUIRE(st != NULL);
    store_begin(&ctx, st);
    REQUIRE(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "long enough pass", &cheaper) == AT_OK);
    w.clearance = CLEARANCE_RESTRICTED;
    REQUIRE(record_add(&ctx, st, model_type("event"), data, &w, id) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(keys_login(&ctx, st, "ana", "long enough pass", &analyst) == AT_OK);

    store_set_session(st, &analyst);
    store_begin(&ctx, st);
    w.reason = "FICTIONAL: publish";
    w.clearance = CLEARANCE_PUBLIC;
    CHECK(record_amend(&ctx, st, id, none, &w) == AT_EDENIED);
    w.clearance = CLEARANCE_CONFIDENTIAL;  /* raising is anyone's to do */
    CHECK(record_amend(&ctx, st, id, none, &w) == AT_OK);
    CHECK(evlog_commit(&ctx, st) == AT_OK);
    /* Once the record is above what the analyst may read, none of its
     * versions is theirs to read, and it is as if it were not there. */
    CHECK(record_history(&ctx, st, id, &history) == AT_ENOTFOUND);
    CHECK(strncmp(ctx.message, "no record ", 10) == 0 && strstr(ctx.message, id) != NULL);

    store_set_session(st, &admin);
    store_begin(&ctx, st);
    w.clearance = CLEARANCE_PUBLIC;
    CHECK(record_amend(&ctx, st, id, none, &w) == AT_OK);
    CHECK(evlog_commit(&ctx, st) == AT_OK);
    CHECK(record_history(&ctx, st, id, &history) == AT_OK && json_array_size(history) == 3);
    json_decref(history);
    json_decref(data);
    json_decref(none);
    store_close(st);
}

static int64_t generation_of(struct at_ctx *ctx, struct store *st, const char *name, bool *enabled)
{
    int64_t g = -1;

    return keys_user_state(ctx, st, name, &g, enabled) == AT_OK ? g : -1;
}

UNIT_TEST(keys_changes_end_sessions_and_tokens)
{
    struct at_ctx ctx = { 0 };
    struct session admin, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char token[64], user[64];
    enum role role;
    bool enabled;
    int64_t g;

    REQUIRE(st != NULL);
    store_begin(&ctx, st);
    REQUIRE(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "long enough pass", &cheap) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(keys_login(&ctx, st, "ana", "long enough pass", &analyst) == AT_OK);
    g = generation_of(&ctx, st, "ana", &enabled);
    CHECK(g >= 0 && enabled);
    store_begin(&ctx, st);
    CHECK(keys_token_create(&ctx, st, &analyst, "FICTIONAL", 0, token) == AT_EINVAL);
    REQUIRE(keys_token_create(&ctx, st, &analyst, "FICTIONAL", 30, token) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(keys_token_user(&ctx, st, token, user, &role) == AT_OK && role == ROLE_ANALYST);

    /* A passphrase change keeps the user's row and grows the generation. */
    store_set_session(st, &analyst);
    store_begin(&ctx, st);
    REQUIRE(keys_passwd(&ctx, st, &analyst, "a new long passphrase", &cheap) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(generation_of(&ctx, st, "ana", &enabled) == g + 1);
    CHECK(keys_token_user(&ctx, st, token, user, &role) == AT_EDENIED);

    /* A role change and disabling grow it too; a disabled user cannot log in. */
    store_set_session(st, &admin);
    store_begin(&ctx, st);
    REQUIRE(keys_set_role(&ctx, st, &admin, "ana", ROLE_PARTNER) == AT_OK);
    REQUIRE(keys_user_enable(&ctx, st, &admin, "ana", false) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(generation_of(&ctx, st, "ana", &enabled) == g + 3 && !enabled);
    CHECK(keys_login(&ctx, st, "ana", "a new long passphrase", &analyst) == AT_EDENIED);
    CHECK(strstr(ctx.message, "disabled") != NULL);
    CHECK(keys_login(&ctx, st, "ana", "not the passphrase", &analyst) == AT_EDENIED);
    CHECK_STR(ctx.message, "wrong user name or passphrase");
    store_begin(&ctx, st);
    REQUIRE(keys_user_enable(&ctx, st, &admin, "ana", true) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(keys_login(&ctx, st, "ana", "a new long passphrase", &analyst) == AT_OK);

    /* The last enabled admin stays. */
    store_begin(&ctx, st);
    CHECK(keys_set_role(&ctx, st, &admin, "admin", ROLE_ANALYST) == AT_ECONFLICT);
    CHECK(keys_user_enable(&ctx, st, &admin, "admin", false) == AT_ECONFLICT);
    CHECK(keys_set_role(&ctx, st, &admin, "admin", ROLE_ADMIN) == AT_OK);
    store_rollback(st);
    store_close(st);
}

UNIT_TEST(keys_tokens_expire_and_are_revoked)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char token[64], other[64], user[64];
    json_t *list = NULL;
    const char *id;
    enum role role;

    REQUIRE(st != NULL);
    store_begin(&ctx, st);
    REQUIRE(keys_token_create(&ctx, st, &admin, "FICTIONAL one", 1, token) == AT_OK);
    REQUIRE(keys_token_create(&ctx, st, &admin, "FICTIONAL two", 90, other) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(keys_token_user(&ctx, st, token, user, &role) == AT_OK);
    /* As if its day had passed: its expiry moved into the past. */
    REQUIRE(sqlite3_exec(store_db(st), "UPDATE api_token SET expires_at = '2001-01-01T00:00:00Z'"
                         " WHERE label = 'FICTIONAL one'", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(keys_token_user(&ctx, st, token, user, &role) == AT_EDENIED);
    CHECK(keys_token_user(&ctx, st, other, user, &role) == AT_OK);
    REQUIRE(keys_token_list(&ctx, st, &admin, NULL, &list) == AT_OK && json_array_size(list) == 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "state")), "expired");
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "state")), "active");
    id = json_string_value(json_object_get(json_array_get(list, 1), "id"));
    REQUIRE(id && strlen(id) == TOKEN_ID_HEX);
    store_begin(&ctx, st);
    CHECK(keys_token_revoke(&ctx, st, &admin, "nothex") == AT_EINVAL);
    CHECK(keys_token_revoke(&ctx, st, &admin, id) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(keys_token_user(&ctx, st, other, user, &role) == AT_EDENIED);
    json_decref(list);
    store_close(st);
}

UNIT_TEST(keys_an_admin_resets_a_lost_passphrase)
{
    struct at_ctx ctx = { 0 };
    struct session admin, analyst, again;
    struct store *st = unit_archive(&ctx, "a", &admin);
    uint8_t old_pk[32];
    char token[64], user[64];
    enum role role;
    bool enabled;
    int64_t g;

    REQUIRE(st != NULL);
    store_begin(&ctx, st);
    REQUIRE(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "long enough pass", &cheap) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(keys_login(&ctx, st, "ana", "long enough pass", &analyst) == AT_OK);
    memcpy(old_pk, analyst.box_pk, 32);
    store_begin(&ctx, st);
    REQUIRE(keys_token_create(&ctx, st, &analyst, "FICTIONAL", 30, token) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    g = generation_of(&ctx, st, "ana", &enabled);

    /* Only an admin, never on themselves, only a known user, only a long passphrase. */
    store_begin(&ctx, st);
    CHECK(keys_passphrase_reset(&ctx, st, &analyst, "admin", "a reset passphrase", &cheap) == AT_EDENIED);
    CHECK(keys_passphrase_reset(&ctx, st, &admin, "admin", "a reset passphrase", &cheap) == AT_EINVAL);
    CHECK(keys_passphrase_reset(&ctx, st, &admin, "nobody", "a reset passphrase", &cheap) == AT_ENOTFOUND);
    CHECK(keys_passphrase_reset(&ctx, st, &admin, "ana", "short", &cheap) == AT_EINVAL);
    REQUIRE(keys_passphrase_reset(&ctx, st, &admin, "ana", "a reset passphrase", &cheap) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);

    /* The new passphrase opens the same master key; the old one nothing;
     * a new sealing key; tokens ended. */
    CHECK(keys_login(&ctx, st, "ana", "long enough pass", &again) == AT_EDENIED);
    REQUIRE(keys_login(&ctx, st, "ana", "a reset passphrase", &again) == AT_OK);
    CHECK(memcmp(again.master, admin.master, 32) == 0);
    CHECK(memcmp(again.box_pk, old_pk, 32) != 0);
    CHECK(again.role == ROLE_ANALYST);
    CHECK(generation_of(&ctx, st, "ana", &enabled) == g + 1 && enabled);
    CHECK(keys_token_user(&ctx, st, token, user, &role) == AT_EDENIED);
    access_session_free(&again);
    access_session_free(&analyst);
    store_close(st);
}
