/*
 * unlock.c: the kernel keyring and the one way an encrypted archive is
 * opened, from the key file (keyfile.c).  See unlock.h.
 */
#include "attest.h"
#include "unlock.h"
#include "evlog.h"
#include "keyfile.h"
#include "keys.h"
#include "layer.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <keyutils.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SALT_BYTES crypto_pwhash_SALTBYTES

/* The keyring holds the salt of the slot a key was derived for, then the key. */
#define KEPT_BYTES (SALT_BYTES + 32)

struct archive_init {
    const char *admin, *passphrase;
    const struct kdf *kdf;
    const uint8_t *master;
    struct session *out;
    bool logged_in;
};

/* The first write of an archive: its keys and first user, who then signs
 * the log. */
static int init_archive(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct archive_init *a = arg;
    int rc = keys_init(ctx, st, a->admin, a->passphrase, a->kdf, a->master, a->out);

    if (rc == AT_OK) {
        a->logged_in = true;
        store_set_session(st, a->out);
    }
    return rc;
}

int unlock_create(struct at_ctx *ctx, const char *dir, const char *admin, const char *passphrase,
                  const struct kdf *kdf, struct store **st, struct session *out)
{
    uint8_t master[32], page_key[STORE_KEY_BYTES];
    struct archive_init a = { admin, passphrase, kdf, master, out, false };
    int rc;

    keys_new_master(master);
    store_page_key(master, page_key);
    if ((rc = store_create(ctx, dir, page_key, st)) != AT_OK || (rc = layer_count_fill(ctx, *st)) != AT_OK)
        goto out;
    if ((rc = evlog_write(ctx, *st, init_archive, &a)) != AT_OK && a.logged_in)
        access_session_free(out);
out:
    if (rc != AT_OK && *st) {
        store_close(*st);
        *st = NULL;
    }
    sodium_memzero(master, sizeof master);
    sodium_memzero(page_key, sizeof page_key);
    return rc;
}

/* Opens slot's wrapped master key with kek. */
static bool slot_open(json_t *slot, const uint8_t kek[32], uint8_t master[32])
{
    uint8_t wrapped[32 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES];
    struct at_ctx ignored = { 0 };

    return keyfile_bin(slot, "wrapped_master", wrapped, sizeof wrapped)
           && keys_unwrap(&ignored, wrapped, sizeof wrapped, kek, master, 32) == AT_OK;
}

/* Derives kek from passphrase for the first of slots it opens, leaving
 * the master key in master and that slot's salt in salt. */
static int open_with_passphrase(struct at_ctx *ctx, json_t *slots, const char *passphrase,
                                uint8_t kek[32], uint8_t salt[SALT_BYTES], uint8_t master[32])
{
    struct kdf dflt = keys_kdf_default();
    json_t *s;
    size_t i;
    int rc;

    json_array_foreach(slots, i, s) {
        if (!keyfile_bin(s, "kdf_salt", salt, SALT_BYTES))
            continue;
        rc = keys_derive(ctx, passphrase, salt,
                         (unsigned long long)json_integer_value(json_object_get(s, "kdf_ops")),
                         (size_t)json_integer_value(json_object_get(s, "kdf_mem")), kek);
        if (rc != AT_OK)
            return rc;
        if (slot_open(s, kek, master))
            return AT_OK;
    }
    if (json_array_size(slots) == 0) {
        /* An unknown user costs what a wrong passphrase costs. */
        memset(salt, 0, SALT_BYTES);
        keys_derive(ctx, passphrase, salt, dflt.ops, dflt.mem, kek);
    }
    return ctx_error(ctx, AT_EDENIED, "wrong user name or passphrase");
}

/* The keyring's name for user's key to the archive archive_id. */
static void kept_name(const char *archive_id, const char *user, struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "attest:%s:%s", archive_id, user);
}

/* Reads the kept key for user from the keyring into kek and salt. */
static int open_with_kept(struct at_ctx *ctx, json_t *doc, json_t *slots, const char *user,
                          uint8_t kek[32], uint8_t salt[SALT_BYTES], uint8_t master[32])
{
    struct buf name = BUF_INIT;
    void *kept = NULL;
    uint8_t slot_salt[SALT_BYTES];
    key_serial_t key;
    long len = -1;
    json_t *s;
    size_t i;
    int rc = ctx_error(ctx, AT_ENOTFOUND, "no key kept for %s", user);

    kept_name(json_string_value(json_object_get(doc, "archive_id")), user, &name);
    key = keyctl_search(KEY_SPEC_USER_KEYRING, "user", buf_str(&name), 0);
    if (key >= 0)
        len = keyctl_read_alloc(key, &kept);
    if (len == KEPT_BYTES) {
        memcpy(salt, kept, SALT_BYTES);
        memcpy(kek, (uint8_t *)kept + SALT_BYTES, 32);
        json_array_foreach(slots, i, s) {
            if (keyfile_bin(s, "kdf_salt", slot_salt, SALT_BYTES)
                && memcmp(slot_salt, salt, SALT_BYTES) == 0 && slot_open(s, kek, master)) {
                rc = AT_OK;
                break;
            }
        }
        if (rc != AT_OK)
            keyctl_invalidate(key);     /* the passphrase has changed since */
    }
    if (kept) {
        sodium_memzero(kept, KEPT_BYTES);
        free(kept);
    }
    buf_free(&name);
    return rc;
}

bool unlock_is_plaintext(const char *dir)
{
    static const char magic[16] = "SQLite format 3";
    struct buf path = BUF_INIT;
    char head[16];
    bool plain = false;
    FILE *f;

    buf_printf(&path, "%s/attest.db", dir);
    if ((f = fopen(buf_str(&path), "rb")) != NULL) {
        plain = fread(head, 1, sizeof head, f) == sizeof head && memcmp(head, magic, 16) == 0;
        fclose(f);
    }
    buf_free(&path);
    return plain;
}

int unlock_check(struct at_ctx *ctx, const char *dir)
{
    struct buf path = BUF_INIT;
    int rc = AT_OK;

    buf_printf(&path, "%s/attest.db", dir);
    if (access(buf_str(&path), F_OK) != 0)
        rc = ctx_error(ctx, AT_ENOTFOUND, "%s is not an attest archive (no attest.db); "
                       "create one with 'attest init %s' or name another with -A DIR", dir, dir);
#ifndef ATTEST_STORE_PLAINTEXT     /* the benchmarks' unencrypted build */
    else if (unlock_is_plaintext(dir))
        rc = ctx_error(ctx, AT_EINVAL, "archive %s is not encrypted: it was written by an "
                       "earlier attest; encrypt it with 'attest upgrade'", dir);
#endif
    buf_free(&path);
    return rc;
}

/* Drops slots of earlier passphrases once the database confirms the
 * current ones, under the write lock so that no change of keys is half
 * done. */
static void prune_slots(struct store *st, json_t *doc)
{
    static const char sql[] = "SELECT count(*) FROM user";
    struct at_ctx ignored = { 0 };
    sqlite3_stmt *stmt;
    size_t users = 0;

    if (store_read_only(st) || (stmt = store_stmt(&ignored, st, sql)) == NULL)
        return;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        users = (size_t)sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    if (json_array_size(json_object_get(doc, "slots")) <= users
        || store_begin(&ignored, st) != AT_OK)
        return;
    if (keyfile_sync(&ignored, st, true) == AT_OK)
        store_commit(&ignored, st);
    store_rollback(st);
}

/* Opens the archive as user, from the passphrase or (when it is NULL) the
 * keyring; leaves the derived key and its slot's salt in kek and salt. */
static int open_archive(struct at_ctx *ctx, const char *dir, const char *user,
                        const char *passphrase, uint8_t kek[32], uint8_t salt[SALT_BYTES],
                        struct store **st, struct session *out)
{
    uint8_t master[32], page_key[STORE_KEY_BYTES];
    json_t *doc = NULL, *slots = NULL;
    int rc;

    *st = NULL;
    if ((rc = unlock_check(ctx, dir)) != AT_OK)
        return rc;
    if ((doc = keyfile_load(ctx, dir)) == NULL)
        return ctx->code;
    slots = keyfile_user_slots(doc, user);
    rc = passphrase ? open_with_passphrase(ctx, slots, passphrase, kek, salt, master)
                    : open_with_kept(ctx, doc, slots, user, kek, salt, master);
    if (rc != AT_OK)
        goto out;
    store_page_key(master, page_key);
    /* What an upgrade of the schema left to be derived again is made
     * before the archive is used. */
    if ((rc = store_open(ctx, dir, page_key, st)) != AT_OK || (rc = layer_count_fill(ctx, *st)) != AT_OK
        || (rc = sync_proofs_upgrade(ctx, *st)) != AT_OK)
        goto out;
    rc = keys_login_with_key(ctx, *st, user, kek, out);
    if (rc == AT_EDENIED && passphrase)     /* the key file lags a change of passphrase */
        rc = keys_login(ctx, *st, user, passphrase, out);
    if (rc == AT_OK)
        prune_slots(*st, doc);
out:
    if (rc != AT_OK && *st) {
        store_close(*st);
        *st = NULL;
    }
    sodium_memzero(master, sizeof master);
    sodium_memzero(page_key, sizeof page_key);
    json_decref(slots);
    json_decref(doc);
    return rc;
}

int unlock_open(struct at_ctx *ctx, const char *dir, const char *user, const char *passphrase,
                struct store **st, struct session *out)
{
    uint8_t kek[32], salt[SALT_BYTES];
    int rc = open_archive(ctx, dir, user, passphrase, kek, salt, st, out);

    sodium_memzero(kek, sizeof kek);
    return rc;
}

int unlock_remember(struct at_ctx *ctx, const char *dir, const char *user,
                    const char *passphrase, unsigned seconds)
{
    uint8_t kek[32], salt[SALT_BYTES], kept[KEPT_BYTES];
    struct session session;
    struct store *st;
    struct buf name = BUF_INIT, id = BUF_INIT;
    key_serial_t key;
    int rc = open_archive(ctx, dir, user, passphrase, kek, salt, &st, &session);

    if (rc != AT_OK)
        goto wipe;
    rc = store_meta_get(ctx, st, "archive_id", &id);
    access_session_free(&session);
    store_close(st);
    if (rc != AT_OK)
        goto wipe;
    memcpy(kept, salt, SALT_BYTES);
    memcpy(kept + SALT_BYTES, kek, 32);
    kept_name(buf_str(&id), user, &name);
    key = add_key("user", buf_str(&name), kept, sizeof kept, KEY_SPEC_USER_KEYRING);
    if (key < 0
        || keyctl_setperm(key, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE
                                   | KEY_USR_SEARCH | KEY_USR_SETATTR) != 0
        || keyctl_set_timeout(key, seconds) != 0) {
        rc = ctx_error(ctx, AT_ERR, "the kernel keyring refused the key: %s", strerror(errno));
        if (key >= 0)
            keyctl_invalidate(key);
    }
wipe:
    sodium_memzero(kek, sizeof kek);
    sodium_memzero(kept, sizeof kept);
    buf_free(&name);
    buf_free(&id);
    return rc;
}

int unlock_forget(struct at_ctx *ctx, const char *dir, const char *user)
{
    json_t *doc = keyfile_load(ctx, dir);
    struct buf name = BUF_INIT;
    key_serial_t key;
    int rc = AT_OK;

    if (doc == NULL)
        return ctx->code;
    kept_name(json_string_value(json_object_get(doc, "archive_id")), user, &name);
    key = keyctl_search(KEY_SPEC_USER_KEYRING, "user", buf_str(&name), 0);
    if (key < 0)
        rc = ctx_error(ctx, AT_ENOTFOUND, "no key was kept for %s in %s", user, dir);
    else if (keyctl_invalidate(key) != 0)
        rc = ctx_error(ctx, AT_ERR, "the kernel keyring kept the key: %s", strerror(errno));
    buf_free(&name);
    json_decref(doc);
    return rc;
}

/* Overwrites path with zeros, syncs and removes it: the plaintext that
 * 'attest upgrade' replaced.  (Flash storage may still keep old blocks;
 * docs/security.md says so.) */
static void shred(const char *path)
{
    static const char zeros[65536];
    int fd = open(path, O_WRONLY);
    off_t size;

    if (fd >= 0) {
        size = lseek(fd, 0, SEEK_END);
        lseek(fd, 0, SEEK_SET);
        for (off_t done = 0; done < size; done += (off_t)sizeof zeros)
            if (write(fd, zeros, sizeof zeros) < 0)
                break;
        fsync(fd);
        close(fd);
    }
    unlink(path);
}

/* One integer from a query of the open store. */
static int query_int(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt;
    int value = -1;

    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* Copies every table of the open plaintext store into a new database at
 * path, encrypted under page_key, with the same schema version. */
static int export_encrypted(struct at_ctx *ctx, struct store *st, const char *path,
                            const uint8_t page_key[STORE_KEY_BYTES])
{
    char hex[2 * STORE_KEY_BYTES + 1];
    struct buf sql = BUF_INIT;
    sqlite3_stmt *attach = NULL;
    int rc = AT_OK;

    /* ATTACH cannot create a file on a connection opened without
     * SQLITE_OPEN_CREATE; an empty file is an empty database. */
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0)
        return ctx_error(ctx, AT_ERR, "creating %s: %s", path, strerror(errno));
    close(fd);
    sodium_bin2hex(hex, sizeof hex, page_key, STORE_KEY_BYTES);
    buf_printf(&sql, "ATTACH DATABASE ?1 AS encrypted KEY \"x'%s'\"", hex);
    sodium_memzero(hex, sizeof hex);
    if (sqlite3_prepare_v2(store_db(st), buf_str(&sql), -1, &attach, NULL) != SQLITE_OK
        || sqlite3_bind_text(attach, 1, path, -1, SQLITE_STATIC) != SQLITE_OK
        || sqlite3_step(attach) != SQLITE_DONE) {
        rc = store_error(ctx, st, "creating the encrypted copy");
        goto out;
    }
    buf_reset(&sql);
    buf_printf(&sql, "PRAGMA encrypted.cipher_page_size = %d; SELECT sqlcipher_export('encrypted');"
               "PRAGMA encrypted.user_version = %d; PRAGMA encrypted.application_id = %d;"
               "PRAGMA encrypted.journal_mode = WAL; DETACH DATABASE encrypted;",
               STORE_PAGE_SIZE, query_int(st, "PRAGMA user_version"),
               query_int(st, "PRAGMA application_id"));
    rc = store_exec(ctx, st, buf_str(&sql));
    if (rc != AT_OK)
        ctx_prefix(ctx, "copying into the encrypted database: ");
out:
    sqlite3_finalize(attach);
    sodium_memzero(sql.data, sql.cap);
    buf_free(&sql);
    return rc;
}

/* Makes path durable: its data and its directory entry. */
static int sync_file(struct at_ctx *ctx, const char *path)
{
    int fd = open(path, O_RDONLY);
    int ok = fd >= 0 && fsync(fd) == 0;

    if (fd >= 0)
        close(fd);
    return ok ? AT_OK : ctx_error(ctx, AT_ERR, "syncing %s: %s", path, strerror(errno));
}

int unlock_encrypt_plaintext(struct at_ctx *ctx, const char *dir, const char *user,
                             const char *passphrase)
{
    static const char *const wal_files[] = { "-wal", "-shm" };
    struct buf db = BUF_INIT, fresh = BUF_INIT, old = BUF_INIT, side = BUF_INIT;
    uint8_t page_key[STORE_KEY_BYTES];
    struct session session;
    struct store *st = NULL;
    bool logged_in = false;
    int rc;

    if (!unlock_is_plaintext(dir))
        return ctx_error(ctx, AT_EINVAL, "archive %s is already encrypted (or is not an archive)",
                         dir);
    buf_printf(&db, "%s/attest.db", dir);
    buf_printf(&fresh, "%s/attest.db.encrypting", dir);
    buf_printf(&old, "%s/attest.db.plaintext", dir);
    unlink(buf_str(&fresh));        /* from an upgrade that stopped half-way */
    if ((rc = store_open(ctx, dir, NULL, &st)) != AT_OK
        || (rc = keys_login(ctx, st, user, passphrase, &session)) != AT_OK)
        goto out;
    logged_in = true;
    store_page_key(session.master, page_key);
    if ((rc = store_begin(ctx, st)) != AT_OK)
        goto out;
    rc = keyfile_sync(ctx, st, true);
    store_rollback(st);
    if (rc != AT_OK
        || (rc = store_exec(ctx, st, "PRAGMA wal_checkpoint(TRUNCATE)")) != AT_OK
        || (rc = export_encrypted(ctx, st, buf_str(&fresh), page_key)) != AT_OK)
        goto out;
    store_close(st);
    st = NULL;
    if ((rc = sync_file(ctx, buf_str(&fresh))) != AT_OK)
        goto out;
    /* Closing the last connection folded the WAL into the file; what may
     * remain beside it is plaintext. */
    for (size_t i = 0; i < ARRAY_LEN(wal_files); i++) {
        buf_reset(&side);
        buf_printf(&side, "%s%s", buf_str(&db), wal_files[i]);
        shred(buf_str(&side));
    }
    unlink(buf_str(&old));
    if (link(buf_str(&db), buf_str(&old)) != 0
        || rename(buf_str(&fresh), buf_str(&db)) != 0) {
        rc = ctx_error(ctx, AT_ERR, "replacing %s: %s", buf_str(&db), strerror(errno));
        goto out;
    }
    sync_file(ctx, dir);
    shred(buf_str(&old));
out:
    if (st)
        store_close(st);
    if (logged_in)
        access_session_free(&session);
    sodium_memzero(page_key, sizeof page_key);
    buf_free(&db);
    buf_free(&fresh);
    buf_free(&old);
    buf_free(&side);
    return rc;
}
