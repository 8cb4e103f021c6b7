/*
 * test_identity.c: sealed witness identities.  An identity is sealed to
 * every protection officer and to no one else; only an officer opens it,
 * and each opening is logged; an officer added later can read it once it
 * is resealed; parse errors never quote the identity.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/identity.h"
#include "../../src/core/keys.h"
#include "../../src/core/model.h"
#include "../../src/core/record.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static const struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };

#define REAL_NAME "Vesstra Quillimor FICTIONAL 4410"
#define IDENTITY_TEXT "{\"real_name\": \"" REAL_NAME "\", \"address\": \"FICTIONAL 3 Ondrel Row\"}"

/* An archive with a witness (its id in witness) and the given officers
 * (passphrase "FICTIONAL pass for NAME"), all committed. */
static struct store *archive(struct at_ctx *ctx, struct session *admin, char witness[RECORD_ID_MAX],
                             const char *const *officers, size_t n)
{
    struct store *st = unit_archive(ctx, "a", admin);
    struct record_write w = RECORD_WRITE_INIT;
    json_t *data = json_pack("{s:s, s:s}", "code", "W-0001", "notes", "FICTIONAL witness");
    char pass[128];
    int rc;

    if (st == NULL)
        return NULL;
    rc = store_begin(ctx, st);
    if (rc == AT_OK)
        rc = record_add(ctx, st, model_type("witness"), data, &w, witness);
    for (size_t i = 0; rc == AT_OK && i < n; i++) {
        snprintf(pass, sizeof pass, "FICTIONAL pass for %s", officers[i]);
        rc = keys_user_add(ctx, st, admin, officers[i], ROLE_OFFICER, pass, &cheap);
    }
    if (rc == AT_OK)
        rc = evlog_commit(ctx, st);
    json_decref(data);
    if (rc != AT_OK) {
        store_close(st);
        return NULL;
    }
    return st;
}

static int login(struct at_ctx *ctx, struct store *st, const char *name, struct session *s)
{
    char pass[128];

    snprintf(pass, sizeof pass, "FICTIONAL pass for %s", name);
    return keys_login(ctx, st, name, pass, s);
}

/* Seals IDENTITY_TEXT for witness as the store's session. */
static int set_identity(struct at_ctx *ctx, struct store *st, const char *witness)
{
    json_t *identity;
    int rc;

    if ((rc = identity_parse(ctx, IDENTITY_TEXT, strlen(IDENTITY_TEXT), &identity)) != AT_OK)
        return rc;
    if ((rc = store_begin(ctx, st)) == AT_OK) {
        if ((rc = identity_set(ctx, st, witness, identity)) == AT_OK)
            rc = evlog_commit(ctx, st);
        else
            store_rollback(st);
    }
    json_decref(identity);
    return rc;
}

/* Reveals as the store's session, committing the logged reading. */
static int reveal(struct at_ctx *ctx, struct store *st, const char *witness, json_t **out)
{
    int rc;

    *out = NULL;
    if ((rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    if ((rc = identity_reveal(ctx, st, witness, out)) == AT_OK)
        return evlog_commit(ctx, st);
    store_rollback(st);
    return rc;
}

/* The newest logged identity entry of witness, as a new object. */
static json_t *latest_entry(struct at_ctx *ctx, struct store *st, const char *witness)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, "SELECT doc FROM log_item WHERE kind = 'identity'"
                                              " AND ref = ?1 ORDER BY seq DESC LIMIT 1");
    json_t *doc = NULL;

    if (stmt == NULL)
        return NULL;
    sqlite3_bind_text(stmt, 1, witness, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
    sqlite3_reset(stmt);
    return doc;
}

static long count_rows(struct at_ctx *ctx, struct store *st, const char *sql, const char *arg)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    long n = -1;

    if (stmt == NULL)
        return -1;
    sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return n;
}

UNIT_TEST(identity_is_sealed_to_every_officer)
{
    static const char *const officers[] = { "olga", "piet" };
    struct at_ctx ctx = { 0 };
    struct session admin, s;
    char witness[RECORD_ID_MAX];
    struct store *st = archive(&ctx, &admin, witness, officers, 2);
    json_t *entry, *sealed, *identity;
    const char *key;
    json_t *v;

    REQUIRE(st != NULL);
    REQUIRE(set_identity(&ctx, st, witness) == AT_OK);
    entry = latest_entry(&ctx, st, witness);
    REQUIRE(entry != NULL);
    sealed = json_object_get(entry, "sealed");
    CHECK(json_object_size(sealed) == 2);
    CHECK(json_object_get(sealed, "olga") != NULL && json_object_get(sealed, "piet") != NULL);
    CHECK(json_object_get(sealed, "admin") == NULL);
    CHECK_STR(json_string_value(json_object_get(entry, "witness")), witness);
    /* The entry holds only boxes: no identity text in the clear. */
    json_object_foreach(sealed, key, v)
        CHECK(strstr(json_string_value(v), "Vesstra") == NULL);
    char *text = json_dumps(entry, 0);
    CHECK(strstr(text, REAL_NAME) == NULL && strstr(text, "Ondrel") == NULL);
    free(text);
    json_decref(entry);

    for (size_t i = 0; i < ARRAY_LEN(officers); i++) {
        REQUIRE(login(&ctx, st, officers[i], &s) == AT_OK);
        store_set_session(st, &s);
        REQUIRE(reveal(&ctx, st, witness, &identity) == AT_OK);
        CHECK_STR(json_string_value(json_object_get(identity, "real_name")), REAL_NAME);
        CHECK_STR(json_string_value(json_object_get(identity, "address")), "FICTIONAL 3 Ondrel Row");
        json_decref(identity);
        access_session_free(&s);
    }
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(identity_does_not_open_for_a_non_officer)
{
    static const char *const officers[] = { "olga" };
    struct at_ctx ctx = { 0 };
    struct session admin, analyst, officer;
    char witness[RECORD_ID_MAX];
    struct store *st = archive(&ctx, &admin, witness, officers, 1);
    json_t *identity, *entry;
    const char *b64;
    uint8_t box[1024], plain[1024];
    size_t len;

    REQUIRE(st != NULL);
    REQUIRE(set_identity(&ctx, st, witness) == AT_OK);
    /* The admin, who set it, may not read it back. */
    CHECK(reveal(&ctx, st, witness, &identity) == AT_EDENIED);
    CHECK(identity == NULL);
    CHECK(strstr(ctx.message, "Vesstra") == NULL);

    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(keys_user_add(&ctx, st, &admin, "ana", ROLE_ANALYST, "FICTIONAL pass for ana", &cheap)
            == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(login(&ctx, st, "ana", &analyst) == AT_OK);
    store_set_session(st, &analyst);
    CHECK(reveal(&ctx, st, witness, &identity) == AT_EDENIED);
    CHECK(identity == NULL);

    /* Nor does the box open with any key but the officer's. */
    entry = latest_entry(&ctx, st, witness);
    REQUIRE(entry != NULL);
    b64 = json_string_value(json_object_get(json_object_get(entry, "sealed"), "olga"));
    REQUIRE(b64 != NULL);
    REQUIRE(sodium_base642bin(box, sizeof box, b64, strlen(b64), NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0);
    REQUIRE(len > crypto_box_SEALBYTES);
    CHECK(crypto_box_seal_open(plain, box, len, admin.box_pk, admin.box_sk) != 0);
    CHECK(crypto_box_seal_open(plain, box, len, analyst.box_pk, analyst.box_sk) != 0);
    REQUIRE(login(&ctx, st, "olga", &officer) == AT_OK);
    CHECK(crypto_box_seal_open(plain, box, len, officer.box_pk, officer.box_sk) == 0);
    json_decref(entry);

    /* An officer's role taken away takes the reveal away too. */
    store_set_session(st, &admin);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(keys_set_role(&ctx, st, &admin, "olga", ROLE_ANALYST) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(login(&ctx, st, "olga", &officer) == AT_OK);
    store_set_session(st, &officer);
    CHECK(reveal(&ctx, st, witness, &identity) == AT_EDENIED);
    store_close(st);
    access_session_free(&admin);
    access_session_free(&analyst);
    access_session_free(&officer);
}

UNIT_TEST(identity_needs_an_officer_and_a_witness)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    char witness[RECORD_ID_MAX];
    struct store *st = archive(&ctx, &admin, witness, NULL, 0);
    bool exists = true;

    REQUIRE(st != NULL);
    CHECK(set_identity(&ctx, st, witness) == AT_EINVAL);
    CHECK(strstr(ctx.message, "officer") != NULL);
    CHECK(identity_exists(&ctx, st, witness, &exists) == AT_OK);
    CHECK(!exists);
    CHECK(set_identity(&ctx, st, "iv-notawitness1") == AT_EINVAL);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(identity_reseal_reaches_a_new_officer)
{
    static const char *const officers[] = { "olga" };
    struct at_ctx ctx = { 0 };
    struct session admin, olga, quin;
    char witness[RECORD_ID_MAX];
    struct store *st = archive(&ctx, &admin, witness, officers, 1);
    json_t *identity, *entry;
    long count = -1;

    REQUIRE(st != NULL);
    REQUIRE(set_identity(&ctx, st, witness) == AT_OK);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(keys_user_add(&ctx, st, &admin, "quin", ROLE_OFFICER, "FICTIONAL pass for quin", &cheap)
            == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);

    /* Until resealed, the new officer cannot read it, and is told why. */
    REQUIRE(login(&ctx, st, "quin", &quin) == AT_OK);
    store_set_session(st, &quin);
    CHECK(reveal(&ctx, st, witness, &identity) == AT_EDENIED);
    CHECK(strstr(ctx.message, "reseal") != NULL);

    /* An officer who can read it reseals it for all. */
    REQUIRE(login(&ctx, st, "olga", &olga) == AT_OK);
    store_set_session(st, &olga);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    CHECK(identity_reseal_all(&ctx, st, &count) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(count == 1);
    entry = latest_entry(&ctx, st, witness);
    REQUIRE(entry != NULL);
    CHECK(json_object_size(json_object_get(entry, "sealed")) == 2);
    CHECK(json_integer_value(json_object_get(entry, "version")) == 2);
    json_decref(entry);

    store_set_session(st, &quin);
    REQUIRE(reveal(&ctx, st, witness, &identity) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(identity, "real_name")), REAL_NAME);
    json_decref(identity);

    /* Nothing left to reseal; and an admin may not reseal. */
    store_set_session(st, &olga);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    CHECK(identity_reseal_all(&ctx, st, &count) == AT_OK);
    CHECK(count == 0);
    store_rollback(st);
    store_set_session(st, &admin);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    CHECK(identity_reseal_all(&ctx, st, &count) == AT_EDENIED);
    store_rollback(st);
    store_close(st);
    access_session_free(&admin);
    access_session_free(&olga);
    access_session_free(&quin);
}

UNIT_TEST(identity_reveal_is_logged)
{
    static const char *const officers[] = { "olga" };
    static const char reveals_sql[] =
        "SELECT count(*) FROM log_item WHERE kind = 'reveal' AND ref = ?1";
    struct at_ctx ctx = { 0 };
    struct session admin, olga;
    char witness[RECORD_ID_MAX];
    struct store *st = archive(&ctx, &admin, witness, officers, 1);
    json_t *identity;
    sqlite3_stmt *stmt;
    uint64_t before, after;

    REQUIRE(st != NULL);
    REQUIRE(set_identity(&ctx, st, witness) == AT_OK);
    CHECK(count_rows(&ctx, st, reveals_sql, witness) == 0);

    /* A refused reveal logs nothing. */
    REQUIRE(evlog_size(&ctx, st, &before) == AT_OK);
    CHECK(reveal(&ctx, st, witness, &identity) == AT_EDENIED);
    REQUIRE(evlog_size(&ctx, st, &after) == AT_OK);
    CHECK(after == before);

    REQUIRE(login(&ctx, st, "olga", &olga) == AT_OK);
    store_set_session(st, &olga);
    REQUIRE(reveal(&ctx, st, witness, &identity) == AT_OK);
    json_decref(identity);
    REQUIRE(reveal(&ctx, st, witness, &identity) == AT_OK);
    json_decref(identity);
    REQUIRE(evlog_size(&ctx, st, &after) == AT_OK);
    CHECK(after == before + 2);
    CHECK(count_rows(&ctx, st, reveals_sql, witness) == 2);

    /* The entry says who read which version, and not what they read. */
    stmt = store_stmt(&ctx, st, "SELECT doc FROM log_item WHERE kind = 'reveal' AND ref = ?1"
                                " ORDER BY seq DESC LIMIT 1");
    REQUIRE(stmt != NULL);
    sqlite3_bind_text(stmt, 1, witness, -1, SQLITE_STATIC);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
    sqlite3_reset(stmt);
    REQUIRE(doc != NULL);
    CHECK_STR(json_string_value(json_object_get(doc, "revealed_to")), "olga");
    CHECK_STR(json_string_value(json_object_get(doc, "witness")), witness);
    CHECK(json_integer_value(json_object_get(doc, "identity_version")) == 1);
    char *text = json_dumps(doc, 0);
    CHECK(strstr(text, "Vesstra") == NULL);
    free(text);
    json_decref(doc);
    store_close(st);
    access_session_free(&admin);
    access_session_free(&olga);
}

UNIT_TEST(identity_replaced_only_by_an_officer_with_history_kept)
{
    static const char *const officers[] = { "olga" };
    static const char reveals_sql[] =
        "SELECT count(*) FROM log_item WHERE kind = 'reveal' AND ref = ?1";
    struct at_ctx ctx = { 0 };
    struct session admin, olga;
    char witness[RECORD_ID_MAX];
    struct store *st = archive(&ctx, &admin, witness, officers, 1);
    json_t *history = NULL, *second = json_pack("{s:s}", "real_name", "FICTIONAL Second Name");

    REQUIRE(st != NULL);
    REQUIRE(set_identity(&ctx, st, witness) == AT_OK);
    /* The admin recorded the first; replacing it is an officer's to do. */
    store_begin(&ctx, st);
    CHECK(identity_set(&ctx, st, witness, second) == AT_EDENIED);
    CHECK(strstr(ctx.message, "only a protection officer") && !strstr(ctx.message, "Vesstra"));
    store_rollback(st);
    REQUIRE(login(&ctx, st, "olga", &olga) == AT_OK);
    store_set_session(st, &olga);
    store_begin(&ctx, st);
    REQUIRE(identity_set(&ctx, st, witness, second) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);

    store_begin(&ctx, st);
    REQUIRE(identity_reveal_history(&ctx, st, witness, &history) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(json_array_size(history) == 2);
    CHECK(json_integer_value(json_object_get(json_array_get(history, 0), "version")) == 1);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(history, 0), "identity"),
                                                "real_name")), REAL_NAME);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(history, 1), "identity"),
                                                "real_name")), "FICTIONAL Second Name");
    /* Each version opened is one logged reading. */
    CHECK(count_rows(&ctx, st, reveals_sql, witness) == 2);
    json_decref(history);
    json_decref(second);
    store_close(st);
    access_session_free(&admin);
    access_session_free(&olga);
}

UNIT_TEST(identity_parse_never_quotes_the_input)
{
    static const char *const bad[] = {
        "{\"real_name\": \"Vesstra Quillimor FICTIONAL",
        "{\"real_name\": [\"Vesstra Quillimor FICTIONAL\"]}",
        "{\"Vesstra Quillimor FICTIONAL\": \"x\"}",
        "{\"real_name\": \"Vesstra\", \"real_name\": \"Quillimor FICTIONAL\"}",
        "\"Vesstra Quillimor FICTIONAL\"",
        "{\"real_name\": \"Vesstra \\q Quillimor FICTIONAL\"}",
        "{}",
        "[\"Vesstra Quillimor FICTIONAL\"]",
    };
    struct at_ctx ctx = { 0 };
    json_t *out;

    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        out = (json_t *)1;
        CHECK(identity_parse(&ctx, bad[i], strlen(bad[i]), &out) == AT_EINVAL);
        CHECK(out == NULL);
        CHECK(strstr(ctx.message, "Vesstra") == NULL && strstr(ctx.message, "Quillimor") == NULL);
        CHECK(strstr(ctx.message, "real_name") != NULL);
    }
    CHECK(identity_parse(&ctx, IDENTITY_TEXT, strlen(IDENTITY_TEXT), &out) == AT_OK);
    json_decref(out);
}
