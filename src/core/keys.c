/*
 * keys.c: master key, signing key and users.  See keys.h.
 */
#include "attest.h"
#include "keys.h"
#include "canonical.h"
#include "evlog.h"
#include "keyfile.h"

#include <string.h>
#include <time.h>

static const struct {
    const char *name;
    unsigned long long ops;
    size_t mem;
} kdf_levels[] = {
    { "interactive", crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE },
    { "moderate", crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE },
    { "sensitive", crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE },
};

int keys_kdf_parse(struct at_ctx *ctx, const char *name, struct kdf *out)
{
    for (size_t i = 0; i < ARRAY_LEN(kdf_levels); i++) {
        if (strcmp(kdf_levels[i].name, name) == 0) {
            out->ops = kdf_levels[i].ops;
            out->mem = kdf_levels[i].mem;
            return AT_OK;
        }
    }
    return ctx_error(ctx, AT_EINVAL, "unknown key-derivation cost \"%s\"; valid: interactive, "
                     "moderate, sensitive", name);
}

struct kdf keys_kdf_default(void)
{
    return (struct kdf){ crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE };
}

void keys_wrap(const uint8_t *secret, size_t len, const uint8_t key[32], struct buf *out)
{
    uint8_t nonce[crypto_secretbox_NONCEBYTES];
    uint8_t *box = xmalloc(len + crypto_secretbox_MACBYTES);

    randombytes_buf(nonce, sizeof nonce);
    crypto_secretbox_easy(box, secret, len, nonce, key);
    buf_reset(out);
    buf_append(out, nonce, sizeof nonce);
    buf_append(out, box, len + crypto_secretbox_MACBYTES);
    free(box);
}

int keys_unwrap(struct at_ctx *ctx, const void *wrapped, size_t wlen, const uint8_t key[32],
                uint8_t *secret, size_t len)
{
    const uint8_t *w = wrapped;

    if (wlen != crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len
        || crypto_secretbox_open_easy(secret, w + crypto_secretbox_NONCEBYTES,
                                      wlen - crypto_secretbox_NONCEBYTES, w, key) != 0)
        return ctx_error(ctx, AT_EDENIED, "a key does not open");
    return AT_OK;
}

int keys_derive(struct at_ctx *ctx, const char *passphrase, const uint8_t *salt,
                  unsigned long long ops, size_t mem, uint8_t kek[32])
{
    if (crypto_pwhash(kek, 32, passphrase, strlen(passphrase), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ctx_error(ctx, AT_ERR, "not enough memory to derive the key from the passphrase "
                         "(%zu MiB needed)", mem >> 20);
    return AT_OK;
}

static int check_passphrase(struct at_ctx *ctx, const char *passphrase)
{
    if (strlen(passphrase) < PASSPHRASE_MIN)
        return ctx_error(ctx, AT_EINVAL, "the passphrase must have at least %d characters",
                         PASSPHRASE_MIN);
    return AT_OK;
}

static int check_name(struct at_ctx *ctx, const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 40 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
        return ctx_error(ctx, AT_EINVAL, "user name \"%s\": use 1 to 40 of a-z 0-9 . _ -", name);
    return AT_OK;
}

/* Logs what a user change did (no secrets): the user's public key and role. */
static int log_user(struct at_ctx *ctx, struct store *st, const char *name, enum role role,
                    const uint8_t *box_pk, const char *event, const char *by, int64_t *seq)
{
    char pk[2 * crypto_box_PUBLICKEYBYTES + 1], now[21];
    json_t *doc;
    int rc;

    sodium_bin2hex(pk, sizeof pk, box_pk, crypto_box_PUBLICKEYBYTES);
    canonical_now(now);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "user", name, "role", access_role_name(role),
                    "box_pk", pk, "event", event, "by", by, "at", now);
    rc = evlog_append_item(ctx, st, "user", name, doc, seq);
    json_decref(doc);
    return rc;
}

/* Writes a user row with keys wrapped under passphrase. */
static int put_user(struct at_ctx *ctx, struct store *st, const char *name, enum role role,
                    const char *passphrase, const struct kdf *kdf, const uint8_t master[32],
                    const uint8_t box_pk[32], const uint8_t box_sk[32], int64_t seq)
{
    static const char sql[] =
        "INSERT INTO user(name, role, kdf_salt, kdf_ops, kdf_mem, wrapped_master,"
        " box_pk, wrapped_box_sk, log_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT(name) DO UPDATE SET role = excluded.role, kdf_salt = excluded.kdf_salt,"
        " kdf_ops = excluded.kdf_ops, kdf_mem = excluded.kdf_mem,"
        " wrapped_master = excluded.wrapped_master, box_pk = excluded.box_pk,"
        " wrapped_box_sk = excluded.wrapped_box_sk, log_seq = excluded.log_seq";
    uint8_t salt[crypto_pwhash_SALTBYTES], kek[32];
    struct buf wm = BUF_INIT, wsk = BUF_INIT;
    sqlite3_stmt *stmt;
    int rc;

    randombytes_buf(salt, sizeof salt);
    if ((rc = keys_derive(ctx, passphrase, salt, kdf->ops, kdf->mem, kek)) != AT_OK)
        return rc;
    keys_wrap(master, 32, kek, &wm);
    keys_wrap(box_sk, 32, kek, &wsk);
    sodium_memzero(kek, sizeof kek);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, access_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 3, salt, sizeof salt, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)kdf->ops);
    sqlite3_bind_int64(stmt, 5, (sqlite3_int64)kdf->mem);
    sqlite3_bind_blob(stmt, 6, wm.data, (int)wm.len, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 7, box_pk, 32, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 8, wsk.data, (int)wsk.len, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 9, seq);
    rc = sqlite3_step(stmt) == SQLITE_DONE ? AT_OK : store_error(ctx, st, "storing a user");
    if (rc == AT_OK)
        rc = keyfile_sync(ctx, st, false);
out:
    buf_free(&wm);
    buf_free(&wsk);
    return rc;
}

static int user_exists(struct at_ctx *ctx, struct store *st, const char *name, bool *exists)
{
    static const char sql[] = "SELECT 1 FROM user WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    *exists = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    return AT_OK;
}

static int add_user(struct at_ctx *ctx, struct store *st, const char *by, const char *name,
                    enum role role, const char *passphrase, const struct kdf *kdf,
                    const uint8_t master[32], struct session *out)
{
    uint8_t box_pk[32], box_sk[32];
    int64_t seq;
    bool exists;
    int rc;

    if ((rc = check_name(ctx, name)) != AT_OK || (rc = check_passphrase(ctx, passphrase)) != AT_OK
        || (rc = user_exists(ctx, st, name, &exists)) != AT_OK)
        return rc;
    if (exists)
        return ctx_error(ctx, AT_ECONFLICT, "user %s already exists", name);
    crypto_box_keypair(box_pk, box_sk);
    if ((rc = log_user(ctx, st, name, role, box_pk, "added", by, &seq)) == AT_OK)
        rc = put_user(ctx, st, name, role, passphrase, kdf, master, box_pk, box_sk, seq);
    if (rc == AT_OK && out) {
        memset(out, 0, sizeof *out);
        snprintf(out->user, sizeof out->user, "%s", name);
        out->role = role;
        out->clearance = access_role_clearance(role);
        memcpy(out->master, master, 32);
        memcpy(out->box_pk, box_pk, 32);
        memcpy(out->box_sk, box_sk, 32);
    }
    sodium_memzero(box_sk, sizeof box_sk);
    return rc;
}

void keys_new_master(uint8_t master[32])
{
    crypto_secretbox_keygen(master);
}

int keys_init(struct at_ctx *ctx, struct store *st, const char *admin, const char *passphrase,
              const struct kdf *kdf, const uint8_t master[32], struct session *out)
{
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES], sign_sk[crypto_sign_SECRETKEYBYTES];
    char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    struct buf wrapped = BUF_INIT;
    char whex[2 * 128 + 1];
    int64_t seq;
    json_t *doc;
    int rc;

    crypto_sign_keypair(sign_pk, sign_sk);
    sodium_bin2hex(hex, sizeof hex, sign_pk, sizeof sign_pk);
    keys_wrap(sign_sk, sizeof sign_sk, master, &wrapped);
    sodium_bin2hex(whex, sizeof whex, (const uint8_t *)wrapped.data, wrapped.len);
    doc = json_pack("{s:s, s:s}", "sign_pk", hex, "event", "archive keys created");
    if ((rc = store_meta_set(ctx, st, "sign_pk", hex)) == AT_OK
        && (rc = store_meta_set(ctx, st, "sign_sk_wrapped", whex)) == AT_OK
        && (rc = evlog_append_item(ctx, st, "keys", "archive", doc, &seq)) == AT_OK
        && (rc = add_user(ctx, st, admin, admin, ROLE_ADMIN, passphrase, kdf, master, out)) == AT_OK)
        memcpy(out->sign_sk, sign_sk, sizeof sign_sk);
    json_decref(doc);
    sodium_memzero(sign_sk, sizeof sign_sk);
    buf_free(&wrapped);
    return rc;
}

int keys_user_state(struct at_ctx *ctx, struct store *st, const char *name, int64_t *generation,
                    bool *enabled)
{
    static const char sql[] = "SELECT generation, disabled FROM user WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        *generation = sqlite3_column_int64(stmt, 0);
        *enabled = sqlite3_column_int(stmt, 1) == 0;
    } else {
        rc = ctx_error(ctx, AT_ENOTFOUND, "no user %s", name);
    }
    sqlite3_reset(stmt);
    return rc;
}

/* AT_EDENIED when user is disabled: checked once the passphrase is right,
 * so that it tells nothing to whoever does not know it. */
static int check_enabled(struct at_ctx *ctx, struct store *st, const char *user)
{
    int64_t generation;
    bool enabled;
    int rc = keys_user_state(ctx, st, user, &generation, &enabled);

    if (rc == AT_OK && !enabled)
        rc = ctx_error(ctx, AT_EDENIED, "user %s is disabled; an admin can enable them again "
                       "(attest user enable %s)", user, user);
    return rc;
}

/* Ends every session and API token of name: its generation grows. */
static int bump_generation(struct at_ctx *ctx, struct store *st, const char *name)
{
    static const char sql[] = "UPDATE user SET generation = generation + 1 WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    return sqlite3_step(stmt) == SQLITE_DONE ? AT_OK : store_error(ctx, st, "ending a user's sessions");
}

/* AT_ECONFLICT when name is the last enabled admin, whom a change would
 * leave the archive without: no one could manage users any more. */
static int check_not_last_admin(struct at_ctx *ctx, struct store *st, const char *name)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM user WHERE name = ?1 AND role = 'admin' AND disabled = 0),"
        " (SELECT count(*) FROM user WHERE name <> ?1 AND role = 'admin' AND disabled = 0)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    bool last;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    last = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0)
           && sqlite3_column_int64(stmt, 1) == 0;
    sqlite3_reset(stmt);
    if (last)
        return ctx_error(ctx, AT_ECONFLICT, "%s is the last enabled admin: make another user admin "
                         "first (attest user role NAME --role admin)", name);
    return AT_OK;
}

int keys_login(struct at_ctx *ctx, struct store *st, const char *user, const char *passphrase,
               struct session *out)
{
    static const char sql[] = "SELECT kdf_salt, kdf_ops, kdf_mem FROM user WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    uint8_t salt[crypto_pwhash_SALTBYTES] = { 0 }, kek[32];
    struct kdf k = keys_kdf_default();
    bool known;
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    memset(out, 0, sizeof *out);
    sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
    known = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == sizeof salt;
    if (known) {
        memcpy(salt, sqlite3_column_blob(stmt, 0), sizeof salt);
        k.ops = (unsigned long long)sqlite3_column_int64(stmt, 1);
        k.mem = (size_t)sqlite3_column_int64(stmt, 2);
    }
    sqlite3_reset(stmt);
    /* An unknown user costs the same derivation and gets the same message
     * as a wrong passphrase: no user enumeration. */
    rc = keys_derive(ctx, passphrase, salt, k.ops, k.mem, kek);
    if (rc == AT_OK)
        rc = known ? keys_login_with_key(ctx, st, user, kek, out)
                   : ctx_error(ctx, AT_EDENIED, "wrong user name or passphrase");
    sodium_memzero(kek, sizeof kek);
    return rc;
}

int keys_login_with_key(struct at_ctx *ctx, struct store *st, const char *user,
                        const uint8_t kek[32], struct session *out)
{
    static const char sql[] =
        "SELECT role, wrapped_master, box_pk, wrapped_box_sk FROM user WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    struct buf whex = BUF_INIT;
    uint8_t wrapped[256];
    size_t wlen;
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    memset(out, 0, sizeof *out);
    sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_EDENIED, "wrong user name or passphrase");
    }
    snprintf(out->user, sizeof out->user, "%s", user);
    rc = access_role_parse(ctx, (const char *)sqlite3_column_text(stmt, 0), &out->role);
    if (rc == AT_OK
        && (keys_unwrap(ctx, sqlite3_column_blob(stmt, 1), (size_t)sqlite3_column_bytes(stmt, 1),
                        kek, out->master, 32) != AT_OK
            || keys_unwrap(ctx, sqlite3_column_blob(stmt, 3), (size_t)sqlite3_column_bytes(stmt, 3),
                           kek, out->box_sk, 32) != AT_OK))
        rc = ctx_error(ctx, AT_EDENIED, "wrong user name or passphrase");
    if (rc == AT_OK && sqlite3_column_bytes(stmt, 2) == 32)
        memcpy(out->box_pk, sqlite3_column_blob(stmt, 2), 32);
    sqlite3_reset(stmt);
    out->clearance = access_role_clearance(out->role);
    if (rc == AT_OK && (rc = store_meta_get(ctx, st, "sign_sk_wrapped", &whex)) == AT_OK) {
        if (sodium_hex2bin(wrapped, sizeof wrapped, buf_str(&whex), whex.len, NULL, &wlen, NULL) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "the archive's signing key is malformed");
        else if (keys_unwrap(ctx, wrapped, wlen, out->master, out->sign_sk, sizeof out->sign_sk) != AT_OK)
            rc = ctx_error(ctx, AT_ECORRUPT, "the archive's signing key does not open with "
                           "the master key");
    }
    buf_free(&whex);
    if (rc == AT_OK)
        rc = check_enabled(ctx, st, user);
    if (rc != AT_OK)
        access_session_free(out);
    return rc;
}

int keys_user_add(struct at_ctx *ctx, struct store *st, const struct session *by, const char *name,
                  enum role role, const char *passphrase, const struct kdf *kdf)
{
    int rc = access_check(ctx, by, ACTION_MANAGE_USERS, 0);

    if (rc == AT_OK)
        rc = add_user(ctx, st, by->user, name, role, passphrase, kdf, by->master, NULL);
    return rc;
}

int keys_passwd(struct at_ctx *ctx, struct store *st, const struct session *self,
                const char *passphrase, const struct kdf *kdf)
{
    int64_t seq;
    int rc;

    if (self == NULL)
        return access_check(ctx, self, ACTION_WRITE, 0);
    if ((rc = check_passphrase(ctx, passphrase)) != AT_OK
        || (rc = log_user(ctx, st, self->user, self->role, self->box_pk, "passphrase changed",
                          self->user, &seq)) != AT_OK)
        return rc;
    if ((rc = put_user(ctx, st, self->user, self->role, passphrase, kdf, self->master,
                       self->box_pk, self->box_sk, seq)) != AT_OK)
        return rc;
    return bump_generation(ctx, st, self->user);
}

int keys_passphrase_reset(struct at_ctx *ctx, struct store *st, const struct session *by,
                          const char *name, const char *passphrase, const struct kdf *kdf)
{
    static const char get_sql[] = "SELECT role FROM user WHERE name = ?1";
    uint8_t box_pk[32], box_sk[32];
    sqlite3_stmt *stmt;
    enum role role;
    int64_t seq;
    int rc;

    if ((rc = access_check(ctx, by, ACTION_MANAGE_USERS, 0)) != AT_OK
        || (rc = check_passphrase(ctx, passphrase)) != AT_OK)
        return rc;
    if (strcmp(name, by->user) == 0)
        return ctx_error(ctx, AT_EINVAL, "name: %s is you; change your own passphrase with "
                         "`attest user passwd`, which keeps your sealing key", name);
    if ((stmt = store_stmt(ctx, st, get_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no user %s", name);
    }
    rc = access_role_parse(ctx, (const char *)sqlite3_column_text(stmt, 0), &role);
    sqlite3_reset(stmt);
    if (rc != AT_OK)
        return rc;
    /* The old sealing key is wrapped under the old passphrase, which the
     * admin never sees: the user gets a new one. */
    crypto_box_keypair(box_pk, box_sk);
    if ((rc = log_user(ctx, st, name, role, box_pk, "passphrase reset", by->user, &seq)) == AT_OK
        && (rc = put_user(ctx, st, name, role, passphrase, kdf, by->master, box_pk, box_sk,
                          seq)) == AT_OK)
        rc = bump_generation(ctx, st, name);
    sodium_memzero(box_sk, sizeof box_sk);
    return rc;
}

int keys_set_role(struct at_ctx *ctx, struct store *st, const struct session *by,
                  const char *name, enum role role)
{
    static const char get_sql[] = "SELECT box_pk FROM user WHERE name = ?1";
    static const char set_sql[] = "UPDATE user SET role = ?2, log_seq = ?3 WHERE name = ?1";
    sqlite3_stmt *stmt;
    uint8_t box_pk[32];
    int64_t seq;
    int rc;

    if ((rc = access_check(ctx, by, ACTION_MANAGE_USERS, 0)) != AT_OK
        || (role != ROLE_ADMIN && (rc = check_not_last_admin(ctx, st, name)) != AT_OK))
        return rc;
    if ((stmt = store_stmt(ctx, st, get_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_bytes(stmt, 0) != 32) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no user %s", name);
    }
    memcpy(box_pk, sqlite3_column_blob(stmt, 0), 32);
    sqlite3_reset(stmt);
    if ((rc = log_user(ctx, st, name, role, box_pk, "role changed", by->user, &seq)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, set_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, access_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, seq);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "changing a role");
    return bump_generation(ctx, st, name);
}

int keys_user_enable(struct at_ctx *ctx, struct store *st, const struct session *by,
                     const char *name, bool enable)
{
    static const char get_sql[] = "SELECT role, box_pk FROM user WHERE name = ?1";
    static const char set_sql[] = "UPDATE user SET disabled = ?2 WHERE name = ?1";
    sqlite3_stmt *stmt;
    uint8_t box_pk[32];
    enum role role;
    int64_t seq;
    int rc;

    if ((rc = access_check(ctx, by, ACTION_MANAGE_USERS, 0)) != AT_OK
        || (!enable && (rc = check_not_last_admin(ctx, st, name)) != AT_OK))
        return rc;
    if ((stmt = store_stmt(ctx, st, get_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_bytes(stmt, 1) != 32) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no user %s", name);
    }
    rc = access_role_parse(ctx, (const char *)sqlite3_column_text(stmt, 0), &role);
    memcpy(box_pk, sqlite3_column_blob(stmt, 1), 32);
    sqlite3_reset(stmt);
    if (rc != AT_OK || (rc = log_user(ctx, st, name, role, box_pk, enable ? "enabled" : "disabled",
                                      by->user, &seq)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, set_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, !enable);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "disabling a user");
    return bump_generation(ctx, st, name);
}

int keys_user_list(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] = "SELECT name, role, box_pk, disabled FROM user ORDER BY name";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char pk[65];

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        sodium_bin2hex(pk, sizeof pk, sqlite3_column_blob(stmt, 2), 32);
        json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:b}",
                                              "name", (const char *)sqlite3_column_text(stmt, 0),
                                              "role", (const char *)sqlite3_column_text(stmt, 1),
                                              "box_pk", pk,
                                              "enabled", sqlite3_column_int(stmt, 3) == 0));
    }
    sqlite3_reset(stmt);
    return AT_OK;
}

int keys_sign_pk(struct at_ctx *ctx, struct store *st, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
    struct buf hex = BUF_INIT;
    int rc = store_meta_get(ctx, st, "sign_pk", &hex);

    if (rc == AT_OK && sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, buf_str(&hex), hex.len,
                                      NULL, NULL, NULL) != 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "the archive's public signing key is malformed");
    buf_free(&hex);
    return rc;
}

/* A token's public id: the first TOKEN_ID_HEX hex digits of its hash. */
#define TOKEN_ID_SQL "lower(hex(substr(t.hash, 1, 6)))"

int keys_token_create(struct at_ctx *ctx, struct store *st, const struct session *s,
                      const char *label, int days, char *token_out)
{
    static const char sql[] =
        "INSERT INTO api_token(hash, user, label, created_at, expires_at, generation)"
        " SELECT ?1, ?2, ?3, ?4, ?5, generation FROM user WHERE name = ?2";
    uint8_t raw[32], hash[32];
    char now[21], expires[21];
    time_t until = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    sqlite3_stmt *stmt;
    json_t *logged;
    int64_t seq;
    int rc;

    if ((rc = access_check(ctx, s, ACTION_READ, 0)) != AT_OK || s == NULL)
        return rc != AT_OK ? rc : ctx_error(ctx, AT_EDENIED, "log in to make an API token");
    if (days < 1 || days > TOKEN_DAYS_MAX)
        return ctx_error(ctx, AT_EINVAL, "a token's lifetime must be 1 to %d days, not %d",
                         TOKEN_DAYS_MAX, days);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token_out, 64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const uint8_t *)token_out, strlen(token_out));
    canonical_now(now);
    gmtime_r(&until, &tm);
    strftime(expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_blob(stmt, 1, hash, sizeof hash, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, s->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, label ? label : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, expires, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE || sqlite3_changes(store_db(st)) != 1)
        return store_error(ctx, st, "storing a token");
    logged = json_pack("{s:s, s:s, s:s, s:s}", "token_for", s->user, "label", label ? label : "",
                       "at", now, "expires_at", expires);
    rc = evlog_append_item(ctx, st, "token", s->user, logged, &seq);
    json_decref(logged);
    return rc;
}

int keys_token_user(struct at_ctx *ctx, struct store *st, const char *token, char user[64],
                    enum role *role)
{
    static const char sql[] =
        "SELECT t.user, u.role FROM api_token t JOIN user u ON u.name = t.user"
        " WHERE t.hash = ?1 AND t.revoked = 0 AND u.disabled = 0 AND t.generation = u.generation"
        " AND t.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
    uint8_t hash[32];
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    crypto_hash_sha256(hash, (const uint8_t *)token, strlen(token));
    sqlite3_bind_blob(stmt, 1, hash, sizeof hash, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        snprintf(user, 64, "%s", (const char *)sqlite3_column_text(stmt, 0));
        rc = access_role_parse(ctx, (const char *)sqlite3_column_text(stmt, 1), role);
    } else {
        rc = ctx_error(ctx, AT_EDENIED, "the API token is not valid (unknown, revoked, expired, or "
                       "ended by a change to its user)");
    }
    sqlite3_reset(stmt);
    return rc;
}

/* Whether by may see and revoke the tokens of user: their own, or an
 * admin any. */
static int check_token_owner(struct at_ctx *ctx, const struct session *by, const char *user)
{
    if (by == NULL)
        return ctx_error(ctx, AT_EDENIED, "log in to manage API tokens");
    if (user && strcmp(user, by->user) == 0)
        return AT_OK;
    return access_check(ctx, by, ACTION_MANAGE_USERS, 0);
}

int keys_token_list(struct at_ctx *ctx, struct store *st, const struct session *by,
                    const char *user, json_t **out)
{
    static const char sql[] =
        "SELECT " TOKEN_ID_SQL ", t.user, t.label, t.created_at, t.expires_at,"
        " CASE WHEN t.revoked THEN 'revoked' WHEN u.disabled THEN 'user disabled'"
        " WHEN t.generation <> u.generation THEN 'ended'"
        " WHEN t.expires_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now') THEN 'expired'"
        " ELSE 'active' END"
        " FROM api_token t JOIN user u ON u.name = t.user"
        " WHERE ?1 IS NULL OR t.user = ?1 ORDER BY t.user, t.created_at";
    sqlite3_stmt *stmt;
    int rc;

    *out = NULL;
    if (user == NULL && by && access_check(ctx, by, ACTION_MANAGE_USERS, 0) != AT_OK)
        user = by->user; /* not an admin: their own */
    if ((rc = check_token_owner(ctx, by, user)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    if (user)
        sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
    *out = json_array();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *row = json_object();
        static const char *const keys[] = { "id", "user", "label", "created_at", "expires_at", "state" };
        for (int i = 0; i < (int)ARRAY_LEN(keys); i++)
            json_object_set_new(row, keys[i], json_string((const char *)sqlite3_column_text(stmt, i)));
        json_array_append_new(*out, row);
    }
    sqlite3_reset(stmt);
    return AT_OK;
}

int keys_token_revoke(struct at_ctx *ctx, struct store *st, const struct session *by,
                      const char *id)
{
    static const char find_sql[] =
        "SELECT t.user, t.label FROM api_token t WHERE " TOKEN_ID_SQL " = lower(?1)";
    static const char set_sql[] =
        "UPDATE api_token AS t SET revoked = 1 WHERE " TOKEN_ID_SQL " = lower(?1)";
    char user[64], label[256], now[21];
    sqlite3_stmt *stmt;
    json_t *logged;
    int64_t seq;
    int rc, found = 0;

    if (strlen(id) != TOKEN_ID_HEX || strspn(id, "0123456789abcdefABCDEF") != TOKEN_ID_HEX)
        return ctx_error(ctx, AT_EINVAL, "token id \"%s\": give the %d hex digits that "
                         "'attest user token list' shows", id, TOKEN_ID_HEX);
    if ((stmt = store_stmt(ctx, st, find_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW && ++found == 1) {
        snprintf(user, sizeof user, "%s", (const char *)sqlite3_column_text(stmt, 0));
        snprintf(label, sizeof label, "%s", (const char *)sqlite3_column_text(stmt, 1));
    }
    sqlite3_reset(stmt);
    if (found != 1)
        return ctx_error(ctx, found ? AT_ECONFLICT : AT_ENOTFOUND, found ? "token id %s is ambiguous"
                         : "no API token %s ('attest user token list' shows them)", id);
    if ((rc = check_token_owner(ctx, by, user)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, set_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "revoking a token");
    canonical_now(now);
    logged = json_pack("{s:s, s:s, s:s, s:s, s:s}", "token_of", user, "label", label,
                       "revoked_by", by->user, "at", now, "event", "token revoked");
    rc = evlog_append_item(ctx, st, "token", user, logged, &seq);
    json_decref(logged);
    return rc;
}
