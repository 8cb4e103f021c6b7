/*
 * test_keyfile.c: the key file: one slot per user, found by the keyed
 * hash of the name and never by the name itself; a slot added when a user
 * is; a missing file and a malformed one told apart.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keyfile.h"
#include "../../src/core/keys.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static const struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };

UNIT_TEST(keyfile_slots_by_user)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char dir[512];
    json_t *doc, *slots;
    uint8_t name_key[32], salt[64];
    char *text;

    REQUIRE(st != NULL);
    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE((doc = keyfile_load(&ctx, dir)) != NULL);
    CHECK(json_array_size(json_object_get(doc, "slots")) == 1);
    CHECK(keyfile_bin(doc, "name_key", name_key, sizeof name_key));
    CHECK(!keyfile_bin(doc, "name_key", salt, sizeof salt));
    CHECK(!keyfile_bin(doc, "no_such_field", name_key, sizeof name_key));
    slots = keyfile_user_slots(doc, "admin");
    CHECK(json_array_size(slots) == 1);
    json_decref(slots);
    slots = keyfile_user_slots(doc, "nobody");
    CHECK(json_array_size(slots) == 0);
    json_decref(slots);
    text = json_dumps(doc, 0);
    CHECK(strstr(text, "admin") == NULL);
    free(text);
    json_decref(doc);

    /* A new user: keys.c rewrites the file inside the transaction. */
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(keys_user_add(&ctx, st, &admin, "fictional-analyst", ROLE_ANALYST,
                          "FICTIONAL analyst passphrase", &cheap) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE((doc = keyfile_load(&ctx, dir)) != NULL);
    CHECK(json_array_size(json_object_get(doc, "slots")) == 2);
    slots = keyfile_user_slots(doc, "fictional-analyst");
    CHECK(json_array_size(slots) == 1);
    json_decref(slots);
    json_decref(doc);
    store_close(st);
}

UNIT_TEST(keyfile_missing_or_malformed)
{
    struct at_ctx ctx = { 0 };
    char path[600];
    FILE *f;

    CHECK(keyfile_load(&ctx, unit_tmpdir()) == NULL);
    CHECK(ctx.code == AT_ENOTFOUND);
    CHECK(strstr(ctx.message, "attest.keys") != NULL);
    snprintf(path, sizeof path, "%s/attest.keys", unit_tmpdir());
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("{\"attest_keys\": 1, \"slots\": []}\n", f);
    fclose(f);
    ctx_clear(&ctx);
    CHECK(keyfile_load(&ctx, unit_tmpdir()) == NULL);
    CHECK(ctx.code == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "name_key") != NULL);
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("{not json\n", f);
    fclose(f);
    CHECK(keyfile_load(&ctx, unit_tmpdir()) == NULL);
    CHECK(ctx.code == AT_ECORRUPT);
}
