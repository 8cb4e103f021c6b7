/*
 * keyfile.c: the key file beside the database, attest.keys: the slots
 * that open the archive's master key, one per user passphrase.  It is
 * JSON:
 *   {"attest_keys": 1, "archive_id": HEX, "name_key": HEX,
 *    "slots": [{"user": HEX, "kdf_salt": HEX, "kdf_ops": N, "kdf_mem": N,
 *               "wrapped_master": HEX}, ...]}
 * where "user" is BLAKE2b(name_key, user name), so that the file does not
 * list the staff of the organisation.  The file is replaced by rename,
 * never written in place.
 */
#include "attest.h"
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEYFILE_FORMAT 1
#define NAME_KEY_BYTES 32
#define NAME_HASH_BYTES 16

static void keyfile_path(const char *dir, struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s/attest.keys", dir);
}

static void hex_of(const uint8_t *bin, size_t len, struct buf *out)
{
    char *hex = xmalloc(2 * len + 1);

    sodium_bin2hex(hex, 2 * len + 1, bin, len);
    buf_reset(out);
    buf_puts(out, hex);
    free(hex);
}

bool keyfile_bin(json_t *obj, const char *field, uint8_t *bin, size_t len)
{
    const char *hex = json_string_value(json_object_get(obj, field));
    size_t got;

    return hex && sodium_hex2bin(bin, len, hex, strlen(hex), NULL, &got, NULL) == 0 && got == len;
}

json_t *keyfile_load(struct at_ctx *ctx, const char *dir)
{
    struct buf path = BUF_INIT;
    json_error_t err;
    uint8_t name_key[NAME_KEY_BYTES];
    json_t *doc;

    keyfile_path(dir, &path);
    doc = json_load_file(buf_str(&path), 0, &err);
    if (doc == NULL && access(buf_str(&path), F_OK) != 0)
        ctx_error(ctx, AT_ENOTFOUND, "archive %s has no key file (attest.keys): without it the "
                  "database cannot be opened; restore it from a copy of the archive directory",
                  dir);
    else if (doc == NULL)
        ctx_error(ctx, AT_ECORRUPT, "%s: line %d: %s", buf_str(&path), err.line, err.text);
    else if (json_integer_value(json_object_get(doc, "attest_keys")) != KEYFILE_FORMAT
             || !json_is_string(json_object_get(doc, "archive_id"))
             || !keyfile_bin(doc, "name_key", name_key, sizeof name_key)
             || !json_is_array(json_object_get(doc, "slots"))) {
        ctx_error(ctx, AT_ECORRUPT, "%s is not an attest key file of format %d (it needs "
                  "attest_keys, archive_id, name_key and slots)", buf_str(&path), KEYFILE_FORMAT);
        json_decref(doc);
        doc = NULL;
    }
    buf_free(&path);
    return doc;
}

/* The keyed hash that stands for a user name in the key file. */
static void name_hash(const uint8_t name_key[NAME_KEY_BYTES], const char *user, struct buf *out)
{
    uint8_t h[NAME_HASH_BYTES];

    crypto_generichash(h, sizeof h, (const uint8_t *)user, strlen(user), name_key, NAME_KEY_BYTES);
    hex_of(h, sizeof h, out);
}

/* Writes doc to dir's key file: a new file, synced, renamed over the old. */
static int keyfile_write(struct at_ctx *ctx, const char *dir, json_t *doc)
{
    struct buf path = BUF_INIT, tmp = BUF_INIT;
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    int fd, rc = AT_OK;

    keyfile_path(dir, &path);
    buf_printf(&tmp, "%s.XXXXXX", buf_str(&path));
    fd = mkstemp(tmp.data);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) != 0
        || close(fd) != 0 || rename(buf_str(&tmp), buf_str(&path)) != 0) {
        rc = ctx_error(ctx, AT_ERR, "writing %s: %s", buf_str(&path), strerror(errno));
        if (fd >= 0)
            unlink(buf_str(&tmp));
    } else if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
        fsync(fd);          /* the rename itself survives a crash */
        close(fd);
    }
    free(text);
    buf_free(&path);
    buf_free(&tmp);
    return rc;
}

/* True when slots holds a slot equal in user and salt to slot. */
static bool has_slot(json_t *slots, json_t *slot)
{
    size_t i;
    json_t *s;

    json_array_foreach(slots, i, s) {
        if (json_equal(json_object_get(s, "user"), json_object_get(slot, "user"))
            && json_equal(json_object_get(s, "kdf_salt"), json_object_get(slot, "kdf_salt")))
            return true;
    }
    return false;
}

int keyfile_sync(struct at_ctx *ctx, struct store *st, bool prune)
{
    static const char sql[] =
        "SELECT name, kdf_salt, kdf_ops, kdf_mem, wrapped_master FROM user ORDER BY name";
    struct at_ctx ignored = { 0 };
    struct buf archive_id = BUF_INIT, hex = BUF_INIT, hash = BUF_INIT;
    json_t *old = keyfile_load(&ignored, store_dir(st));
    json_t *slots = json_array(), *doc = NULL, *s;
    uint8_t name_key[NAME_KEY_BYTES];
    sqlite3_stmt *stmt;
    size_t i;
    int rc;

    if ((rc = store_meta_get(ctx, st, "archive_id", &archive_id)) != AT_OK)
        goto out;
    if (old == NULL || !keyfile_bin(old, "name_key", name_key, sizeof name_key))
        randombytes_buf(name_key, sizeof name_key);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *slot = json_object();
        name_hash(name_key, (const char *)sqlite3_column_text(stmt, 0), &hash);
        json_object_set_new(slot, "user", json_string(buf_str(&hash)));
        hex_of(sqlite3_column_blob(stmt, 1), (size_t)sqlite3_column_bytes(stmt, 1), &hex);
        json_object_set_new(slot, "kdf_salt", json_string(buf_str(&hex)));
        json_object_set_new(slot, "kdf_ops", json_integer(sqlite3_column_int64(stmt, 2)));
        json_object_set_new(slot, "kdf_mem", json_integer(sqlite3_column_int64(stmt, 3)));
        hex_of(sqlite3_column_blob(stmt, 4), (size_t)sqlite3_column_bytes(stmt, 4), &hex);
        json_object_set_new(slot, "wrapped_master", json_string(buf_str(&hex)));
        json_array_append_new(slots, slot);
    }
    sqlite3_reset(stmt);
    if (old && !prune) {
        json_array_foreach(json_object_get(old, "slots"), i, s) {
            if (!has_slot(slots, s))
                json_array_append(slots, s);
        }
    }
    if (old && json_equal(json_object_get(old, "slots"), slots)
        && strcmp(json_string_value(json_object_get(old, "archive_id")), buf_str(&archive_id)) == 0)
        goto out;           /* nothing changed */
    hex_of(name_key, sizeof name_key, &hex);
    doc = json_pack("{s:i, s:s, s:s, s:O}", "attest_keys", KEYFILE_FORMAT, "archive_id",
                    buf_str(&archive_id), "name_key", buf_str(&hex), "slots", slots);
    rc = keyfile_write(ctx, store_dir(st), doc);
out:
    sodium_memzero(name_key, sizeof name_key);
    json_decref(old);
    json_decref(slots);
    json_decref(doc);
    buf_free(&archive_id);
    buf_free(&hex);
    buf_free(&hash);
    return rc;
}

json_t *keyfile_user_slots(json_t *doc, const char *user)
{
    uint8_t name_key[NAME_KEY_BYTES];
    struct buf hash = BUF_INIT;
    json_t *mine = json_array(), *s;
    size_t i;

    keyfile_bin(doc, "name_key", name_key, sizeof name_key);
    name_hash(name_key, user, &hash);
    json_array_foreach(json_object_get(doc, "slots"), i, s) {
        if (strcmp(json_string_value(json_object_get(s, "user")) ?: "", buf_str(&hash)) == 0)
            json_array_append(mine, s);
    }
    sodium_memzero(name_key, sizeof name_key);
    buf_free(&hash);
    return mine;
}
