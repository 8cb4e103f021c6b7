/*
 * vault.c: evidence items over vaultfile.c's encrypted format.  See vault.h.
 *
 * Three keys are derived from the master key, one per purpose: the name
 * key (vault file names), the metadata key (what the archive knows of an
 * item and its custody) and the wrapping key (per-file keys).
 */
#include "attest.h"
#include "vault.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "keys.h"
#include "model.h"
#include "record.h"
#include "vaultfile.h"
#include "vocab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum subkey { KEY_NAME = 1, KEY_META = 2, KEY_WRAP = 3 };

static void subkey(const struct session *s, enum subkey which, uint8_t out[32])
{
    crypto_kdf_derive_from_key(out, 32, which, "attvault", s->master);
}

static const struct session *need(struct at_ctx *ctx, struct store *st, enum action a, int clearance)
{
    const struct session *s = store_session(st);

    /* access_check refuses everything without a session (fail closed). */
    return access_check(ctx, s, a, clearance) == AT_OK ? s : NULL;
}

/* base64 of secretbox(json) under the metadata key. */
static json_t *seal_meta(const struct session *s, json_t *meta)
{
    uint8_t key[32];
    struct buf box = BUF_INIT;
    char *text = canonical_text(meta);
    size_t b64len;
    char *b64;
    json_t *out;

    subkey(s, KEY_META, key);
    keys_wrap((const uint8_t *)text, strlen(text), key, &box);
    sodium_memzero(key, sizeof key);
    sodium_memzero(text, strlen(text));
    free(text);
    b64len = sodium_base64_encoded_len(box.len, sodium_base64_VARIANT_ORIGINAL);
    b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, (const uint8_t *)box.data, box.len, sodium_base64_VARIANT_ORIGINAL);
    out = json_string(b64);
    free(b64);
    buf_free(&box);
    return out;
}

static int open_meta(struct at_ctx *ctx, const struct session *s, const char *b64, json_t **out)
{
    size_t n = strlen(b64), len;
    uint8_t *box = xmalloc(n), key[32];
    char *text;
    int rc = AT_ECORRUPT;

    *out = NULL;
    if (sodium_base642bin(box, n, b64, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0
        && len > crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        size_t plain = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
        text = xcalloc(plain + 1, 1);
        subkey(s, KEY_META, key);
        if (keys_unwrap(ctx, box, len, key, (uint8_t *)text, plain) == AT_OK
            && (*out = json_loads(text, 0, NULL)) != NULL)
            rc = AT_OK;
        sodium_memzero(key, sizeof key);
        sodium_memzero(text, plain);
        free(text);
    }
    free(box);
    if (rc != AT_OK)
        ctx_error(ctx, AT_ECORRUPT, "vault metadata does not open with the master key");
    return rc;
}

/* The logged document of an evidence item, by id. */
static int item_doc(struct at_ctx *ctx, struct store *st, const char *id, json_t **doc)
{
    char *text;
    int64_t seq;
    int rc = vault_entry(ctx, st, id, &text, &seq);

    if (rc != AT_OK)
        return rc;
    *doc = json_loads(text, 0, NULL);
    free(text);
    return *doc ? AT_OK : ctx_error(ctx, AT_ECORRUPT, "evidence item %s: its entry is not JSON", id);
}

static int file_key(struct at_ctx *ctx, const struct session *s, json_t *doc,
                    uint8_t key[VAULTFILE_KEY_BYTES])
{
    const char *b64 = json_string_value(json_object_get(doc, "key"));
    uint8_t wrapped[128], wrap[32];
    size_t len;
    int rc;

    if (b64 == NULL || sodium_base642bin(wrapped, sizeof wrapped, b64, strlen(b64), NULL, &len,
                                         NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return ctx_error(ctx, AT_ECORRUPT, "an evidence item's wrapped key is malformed");
    subkey(s, KEY_WRAP, wrap);
    rc = keys_unwrap(ctx, wrapped, len, wrap, key, VAULTFILE_KEY_BYTES);
    sodium_memzero(wrap, sizeof wrap);
    return rc == AT_OK ? AT_OK : ctx_error(ctx, AT_ECORRUPT, "an evidence item's key does not "
                                           "open with the master key");
}

static void vault_path(struct store *st, const char *name, struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s/vault/%s", store_dir(st), name);
}

static int existing_item(struct at_ctx *ctx, struct store *st, const char *name, char id[VAULT_ID_MAX])
{
    static const char sql[] = "SELECT id FROM vault_item WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int found;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(stmt) == SQLITE_ROW;
    if (found)
        snprintf(id, VAULT_ID_MAX, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    return found ? AT_OK : AT_ENOTFOUND;
}

static int index_item(struct at_ctx *ctx, struct store *st, const char *id, const char *name,
                      int64_t seq)
{
    static const char sql[] = "INSERT OR REPLACE INTO vault_item(id, name, seq) VALUES (?1, ?2, ?3)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, seq);
    return sqlite3_step(stmt) == SQLITE_DONE ? AT_OK : store_error(ctx, st, "indexing the vault");
}

/* Checks that a link or parent names something that exists. */
static int check_link(struct at_ctx *ctx, struct store *st, const struct vault_add *a)
{
    json_t *doc = NULL;
    int rc = AT_OK;

    if (a->link) {
        const struct type_spec *t = model_type_of_id(a->link);
        if (t == NULL || (strcmp(t->name, "interview") != 0 && strcmp(t->name, "document") != 0))
            return ctx_error(ctx, AT_EINVAL, "\"%s\" is not an interview or document id", a->link);
        if ((rc = record_get(ctx, st, a->link, 0, &doc)) != AT_OK)
            return rc;
        json_decref(doc);
    }
    if (a->parent && (rc = item_doc(ctx, st, a->parent, &doc)) == AT_OK)
        json_decref(doc);
    return rc;
}

/* Makes the vault directory's entries durable (a rename is only safe
 * once its directory is synced). */
static int sync_vault_dir(struct at_ctx *ctx, struct store *st)
{
    struct buf dir = BUF_INIT;
    int fd, rc = AT_OK;

    buf_printf(&dir, "%s/vault", store_dir(st));
    fd = open(dir.data, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0)
        rc = ctx_error(ctx, AT_ERR, "cannot sync the vault directory: %s", strerror(errno));
    if (fd >= 0)
        close(fd);
    buf_free(&dir);
    return rc;
}

/*
 * Staging files.  A vault file is written under a temporary name,
 * vault/.incoming-XXXXXX, already encrypted (vaultfile.c), and renamed to
 * its final name once its SHA-256 is known and its item logged.  While it
 * is open, its writer holds an exclusive flock() on it: a staging file
 * that nobody holds was left by a process that stopped before finishing,
 * and is swept.  Locks vanish with the process that held them, however it
 * ended, and conflict between two opens in one process too, so a sweep
 * never takes an upload still in progress in a running server.
 */
#define STAGING_PREFIX ".incoming-"

struct staging {
    struct buf path;      /* empty once renamed into place */
    int fd;
    uint8_t key[VAULTFILE_KEY_BYTES];
    struct vaultfile_result res;
};

/* True for the name of a staging file: ours, and the .upload- and
 * .download- files of earlier versions, which held plaintext. */
static bool staging_name(const char *name)
{
    return strncmp(name, STAGING_PREFIX, strlen(STAGING_PREFIX)) == 0
           || strncmp(name, ".upload-", 8) == 0 || strncmp(name, ".download-", 10) == 0;
}

/* Removes the staging file unless it was renamed into place; wipes the key. */
static void staging_close(struct staging *sf)
{
    if (sf->path.len)
        unlink(sf->path.data); /* before the lock goes, so no sweep races it */
    if (sf->fd >= 0)
        close(sf->fd);
    sf->fd = -1;
    vaultfile_wipe(sf->key, sizeof sf->key);
    buf_free(&sf->path);
}

/* Makes a new staging file, locked, and its key. */
static int staging_open(struct at_ctx *ctx, struct store *st, struct staging *sf)
{
    struct stat sb;

    sf->fd = -1;
    for (int tries = 0; tries < 16; tries++) {
        buf_reset(&sf->path);
        buf_printf(&sf->path, "%s/vault/" STAGING_PREFIX "XXXXXX", store_dir(st));
        if ((sf->fd = mkstemp(sf->path.data)) < 0) {
            buf_reset(&sf->path);
            return ctx_error(ctx, AT_ERR, "cannot write in the vault: %s", strerror(errno));
        }
        /* Locked and still linked: ours.  Otherwise a sweep took the new
         * file for a dead one between mkstemp and flock, and removes it. */
        if (flock(sf->fd, LOCK_EX | LOCK_NB) == 0) {
            if (fstat(sf->fd, &sb) == 0 && sb.st_nlink > 0)
                return vaultfile_key_generate(ctx, sf->key);
        } else if (errno != EWOULDBLOCK) {
            int err = errno;
            staging_close(sf);
            return ctx_error(ctx, AT_ERR, "cannot lock a file in the vault: %s", strerror(err));
        }
        close(sf->fd);
        sf->fd = -1;
    }
    buf_reset(&sf->path);
    return ctx_error(ctx, AT_ERR, "cannot make a staging file in the vault: each one made was "
                     "taken by a sweep");
}

/* True, having removed it when remove is set, if the staging file at path
 * is left over: no one holds its lock. */
static bool staging_left(const char *path, bool remove)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat held, named;
    bool left;

    if (fd < 0)
        return false; /* gone meanwhile */
    left = flock(fd, LOCK_EX | LOCK_NB) == 0;
    /* Removed only while locked, and only if the name is still this file. */
    if (left && remove)
        left = fstat(fd, &held) == 0 && lstat(path, &named) == 0 && held.st_ino == named.st_ino
               && held.st_dev == named.st_dev && unlink(path) == 0;
    close(fd);
    return left;
}

/* The id of a new item: the one asked for, unless another item has it
 * (only its bytes would differ: the same bytes are found by name first),
 * else a random one. */
static int new_item_id(struct at_ctx *ctx, struct store *st, const char *wanted,
                       char id[VAULT_ID_MAX])
{
    static const char sql[] = "SELECT 1 FROM vault_item WHERE id = ?1";
    sqlite3_stmt *stmt;
    int taken;

    if (wanted == NULL) {
        model_random_id("ei", id);
        return AT_OK;
    }
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, wanted, -1, SQLITE_STATIC);
    taken = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    if (taken)
        return ctx_error(ctx, AT_ECONFLICT, "its id %s is already another item's here, with "
                         "other bytes", wanted);
    snprintf(id, VAULT_ID_MAX, "%s", wanted);
    return AT_OK;
}

/* The session that adds a, once it may, at a's clearance, and a's link
 * and parent exist; NULL with the failure on ctx. */
static const struct session *add_allowed(struct at_ctx *ctx, struct store *st, const struct vault_add *a)
{
    int clearance = a->clearance >= 0 ? a->clearance : CLEARANCE_CONFIDENTIAL;
    const struct session *s = need(ctx, st, ACTION_ADD_EVIDENCE, clearance);

    if (s != NULL && a->path == NULL && (a->filename == NULL || *a->filename == '\0')) {
        ctx_error(ctx, AT_EINVAL, "field \"filename\": give the file's name");
        return NULL;
    }
    return s != NULL && check_link(ctx, st, a) == AT_OK ? s : NULL;
}

/* Stores the complete staging file sf, encrypted from the plaintext that
 * sf->res describes, as a new item with a's details: logs it, then
 * renames the file into place.  When the same bytes are already there,
 * writes nothing, gives their id and sets *existed. */
static int staging_commit(struct at_ctx *ctx, struct store *st, const struct session *s,
                          const struct vault_add *a, struct staging *sf,
                          char id_out[VAULT_ID_MAX], bool *existed)
{
    int clearance = a->clearance >= 0 ? a->clearance : CLEARANCE_CONFIDENTIAL;
    const struct vaultfile_result *res = &sf->res;
    const char *base = a->path ? strrchr(a->path, '/') : NULL;
    uint8_t name_key[32], wrap[32], mac[32];
    struct buf final = BUF_INIT, wrapped = BUF_INIT;
    char name[65], sha[65], now[21], b64[128];
    json_t *meta = NULL, *doc = NULL;
    int rc;
    int64_t seq;

    *existed = false;
    if (fsync(sf->fd) != 0)
        return ctx_error(ctx, AT_ERR, "cannot flush the vault file: %s", strerror(errno));
    subkey(s, KEY_NAME, name_key);
    crypto_generichash(mac, sizeof mac, res->sha256, sizeof res->sha256, name_key, sizeof name_key);
    sodium_memzero(name_key, sizeof name_key);
    sodium_bin2hex(name, sizeof name, mac, sizeof mac);
    if (existing_item(ctx, st, name, id_out) == AT_OK) {
        *existed = true;
        return AT_OK;
    }
    if ((rc = new_item_id(ctx, st, a->id, id_out)) != AT_OK)
        return rc;
    sodium_bin2hex(sha, sizeof sha, res->sha256, sizeof res->sha256);
    canonical_now(now);
    /* The log commits to the file's SHA-256 without revealing it: the
     * commitment is SHA-256(salt || SHA-256 of the file), the salt kept in
     * the encrypted metadata and shown only in bundles. */
    uint8_t salt[32], commit_in[64], commitment[32];
    char salt_hex[65], commit_hex[65];
    randombytes_buf(salt, sizeof salt);
    memcpy(commit_in, salt, 32);
    memcpy(commit_in + 32, res->sha256, 32);
    crypto_hash_sha256(commitment, commit_in, sizeof commit_in);
    sodium_bin2hex(salt_hex, sizeof salt_hex, salt, sizeof salt);
    sodium_bin2hex(commit_hex, sizeof commit_hex, commitment, sizeof commitment);
    meta = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s*, s:b, s:s*, s:s*, s:s, s:s, s:s}",
                     "id", id_out, "sha256", sha, "salt", salt_hex,
                     "size", (json_int_t)res->plain_bytes,
                     "filename", a->filename ? a->filename : base ? base + 1 : a->path,
                     "media_type", a->media_type, "original", a->parent == NULL,
                     "parent", a->parent, "link", a->link,
                     "clearance", vocab_clearance_name(clearance), "added_by", s->user, "added_at", now);
    subkey(s, KEY_WRAP, wrap);
    keys_wrap(sf->key, sizeof sf->key, wrap, &wrapped);
    sodium_memzero(wrap, sizeof wrap);
    sodium_bin2base64(b64, sizeof b64, (const uint8_t *)wrapped.data, wrapped.len,
                      sodium_base64_VARIANT_ORIGINAL);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", id_out, "name", name, "key", b64,
                    "commitment", commit_hex, "meta", seal_meta(s, meta));
    if ((rc = evlog_append_item(ctx, st, "evidence", id_out, doc, &seq)) != AT_OK
        || (rc = index_item(ctx, st, id_out, name, seq)) != AT_OK)
        goto out;
    /* Write-once: the file is read-only, and renamed into place only now,
     * so a committed item always has its file. */
    vault_path(st, name, &final);
    if (fchmod(sf->fd, 0400) != 0 || rename(sf->path.data, final.data) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot store the vault file: %s", strerror(errno));
        goto out;
    }
    buf_reset(&sf->path);
    rc = sync_vault_dir(ctx, st);
out:
    json_decref(meta);
    json_decref(doc);
    buf_free(&final);
    buf_free(&wrapped);
    return rc;
}

int vault_add_file(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                   char id_out[VAULT_ID_MAX], bool *existed)
{
    const struct session *s = add_allowed(ctx, st, a);
    struct staging sf = { .path = BUF_INIT, .fd = -1 };
    int in = -1, rc;

    *existed = false;
    if (s == NULL)
        return ctx->code;
    if ((in = open(a->path, O_RDONLY)) < 0)
        return ctx_error(ctx, AT_ENOTFOUND, "cannot open %s: %s", a->path, strerror(errno));
    if ((rc = staging_open(ctx, st, &sf)) == AT_OK
        && (rc = vaultfile_encrypt(ctx, sf.key, in, sf.fd, 0, &sf.res)) == AT_OK)
        rc = staging_commit(ctx, st, s, a, &sf, id_out, existed);
    close(in);
    staging_close(&sf);
    return rc;
}

int vault_add_check(struct at_ctx *ctx, struct store *st, const struct vault_add *a)
{
    return add_allowed(ctx, st, a) ? AT_OK : ctx->code;
}

struct vault_upload {
    struct staging file;
    struct vaultfile_writer *writer;
    char expect[65];      /* the SHA-256 the bytes must have, or "" */
    bool written;         /* the writer finished: file.res is the file's */
};

/* Begins an upload of plaintext, or, when sealed_key is set, of a vault
 * file of length bytes sealed under it (named name in messages); checks
 * that the session may add a first, unless a is NULL (staged: checked at
 * the finish). */
static int upload_begin(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                        const uint8_t *sealed_key, uint64_t length, const char *name,
                        struct vault_upload **out)
{
    struct vault_upload *u;
    int rc;

    *out = NULL;
    if (a != NULL && add_allowed(ctx, st, a) == NULL)
        return ctx->code;
    u = xcalloc(1, sizeof *u);
    if ((rc = staging_open(ctx, st, &u->file)) == AT_OK) {
        if (sealed_key == NULL)
            rc = vaultfile_writer_new(ctx, u->file.key, u->file.fd, 0, &u->writer);
        else {
            memcpy(u->file.key, sealed_key, sizeof u->file.key); /* in place of the one made */
            rc = vaultfile_writer_new_sealed(ctx, u->file.key, u->file.fd, name, length,
                                             &u->writer);
        }
    }
    if (rc == AT_OK) {
        *out = u;
        return AT_OK;
    }
    vault_upload_free(u);
    return rc;
}

int vault_upload_begin(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                       struct vault_upload **out)
{
    return upload_begin(ctx, st, a, NULL, 0, NULL, out);
}

int vault_upload_begin_sealed(struct at_ctx *ctx, struct store *st, const struct vault_add *a,
                              const uint8_t key[VAULTFILE_KEY_BYTES], uint64_t length,
                              const char *name, struct vault_upload **out)
{
    return upload_begin(ctx, st, a, key, length, name, out);
}

int vault_upload_stage_sealed(struct at_ctx *ctx, struct store *st,
                              const uint8_t key[VAULTFILE_KEY_BYTES], uint64_t length,
                              const char *name, struct vault_upload **out)
{
    return upload_begin(ctx, st, NULL, key, length, name, out);
}

uint64_t vault_upload_bytes(const struct vault_upload *u)
{
    return u->file.res.plain_bytes;
}

int vault_upload_write(struct at_ctx *ctx, struct vault_upload *u, const void *data, size_t len)
{
    return vaultfile_writer_write(ctx, u->writer, data, len);
}

int vault_upload_written(struct at_ctx *ctx, struct vault_upload *u)
{
    int rc;

    if (u->written)
        return AT_OK;
    if ((rc = vaultfile_writer_finish(ctx, u->writer, &u->file.res)) != AT_OK)
        return rc;
    if (fsync(u->file.fd) != 0)
        return ctx_error(ctx, AT_ERR, "cannot flush the vault file: %s", strerror(errno));
    u->written = true;
    return AT_OK;
}

int vault_upload_sha256(struct at_ctx *ctx, struct vault_upload *u, uint8_t sha256[32])
{
    int rc = vault_upload_written(ctx, u);

    if (rc == AT_OK)
        memcpy(sha256, u->file.res.sha256, sizeof u->file.res.sha256);
    return rc;
}

int vault_upload_finish(struct at_ctx *ctx, struct store *st, struct vault_upload *u,
                        const struct vault_add *a, char id_out[VAULT_ID_MAX], bool *existed)
{
    const struct session *s = add_allowed(ctx, st, a);
    int rc;

    *existed = false;
    if (s == NULL)
        return ctx->code;
    if ((rc = vault_upload_written(ctx, u)) != AT_OK)
        return rc;
    if (*u->expect) {
        char sha[65];
        sodium_bin2hex(sha, sizeof sha, u->file.res.sha256, sizeof u->file.res.sha256);
        if (strcmp(sha, u->expect) != 0)
            return ctx_error(ctx, AT_ECORRUPT, "the file received has SHA-256 %s, not the %s "
                             "expected: nothing was stored", sha, u->expect);
    }
    return staging_commit(ctx, st, s, a, &u->file, id_out, existed);
}

void vault_upload_expect(struct vault_upload *u, const char *sha256)
{
    snprintf(u->expect, sizeof u->expect, "%s", sha256);
}

void vault_upload_free(struct vault_upload *u)
{
    if (u == NULL)
        return;
    vaultfile_writer_free(u->writer);
    staging_close(&u->file);
    free(u);
}

/* The metadata of an item, after checking that s may see it.  An item
 * above s's clearance is answered as one that does not exist, word for
 * word (vault_entry's message), so that a refusal tells nothing. */
static int item_meta(struct at_ctx *ctx, struct store *st, const struct session *s, const char *id,
                     json_t **doc, json_t **meta)
{
    int clearance = CLEARANCE_CONFIDENTIAL, rc;

    *doc = *meta = NULL;
    if ((rc = item_doc(ctx, st, id, doc)) != AT_OK)
        return rc;
    if ((rc = open_meta(ctx, s, json_string_value(json_object_get(*doc, "meta")) ?: "", meta)) != AT_OK
        || (rc = vocab_clearance_parse(ctx, json_string_value(json_object_get(*meta, "clearance")) ?: "",
                                       &clearance)) != AT_OK
        || (rc = access_check(ctx, s, ACTION_GET_EVIDENCE, clearance)) != AT_OK) {
        if (rc == AT_EDENIED)
            rc = ctx_error(ctx, AT_ENOTFOUND, "no evidence item %s", id);
        json_decref(*doc);
        json_decref(*meta);
        *doc = *meta = NULL;
    }
    return rc;
}

int vault_item(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    const struct session *s = need(ctx, st, ACTION_GET_EVIDENCE, 0);
    json_t *doc = NULL;

    if (s == NULL)
        return ctx->code;
    int rc = item_meta(ctx, st, s, id, &doc, out);
    json_decref(doc);
    return rc;
}

int vault_list(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] = "SELECT id FROM vault_item ORDER BY seq";
    const struct session *s = need(ctx, st, ACTION_GET_EVIDENCE, 0);
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    if (s == NULL)
        return ctx->code;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "listing the vault");
    *out = json_array();
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *meta;
        rc = vault_item(ctx, st, (const char *)sqlite3_column_text(stmt, 0), &meta);
        if (rc == AT_OK)
            json_array_append_new(*out, meta);
        else if (rc == AT_ENOTFOUND)
            rc = AT_OK; /* above this user's clearance: not shown */
    }
    sqlite3_finalize(stmt);
    if (rc != AT_OK)
        json_decref(*out);
    return rc;
}

/* An item's vault file, opened for s: its key, descriptor and name, and
 * the SHA-256 and size recorded for it.  The caller closes *fd and wipes
 * key. */
struct item_file {
    uint8_t key[VAULTFILE_KEY_BYTES];
    uint8_t sha256[32];
    uint64_t size;
    char name[65];
    int fd;
};

static int item_file_open(struct at_ctx *ctx, struct store *st, const struct session *s,
                          const char *id, struct item_file *f)
{
    struct buf path = BUF_INIT;
    json_t *doc = NULL, *meta = NULL;
    const char *sha;
    int rc;

    f->fd = -1;
    if ((rc = item_meta(ctx, st, s, id, &doc, &meta)) != AT_OK)
        return rc;
    snprintf(f->name, sizeof f->name, "%s", json_string_value(json_object_get(doc, "name")) ?: "");
    sha = json_string_value(json_object_get(meta, "sha256")) ?: "";
    f->size = (uint64_t)json_integer_value(json_object_get(meta, "size"));
    vault_path(st, f->name, &path);
    if (sodium_hex2bin(f->sha256, sizeof f->sha256, sha, strlen(sha), NULL, NULL, NULL) != 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "evidence item %s: its recorded SHA-256 is malformed", id);
    else if ((rc = file_key(ctx, s, doc, f->key)) == AT_OK && (f->fd = open(path.data, O_RDONLY)) < 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "evidence item %s: its vault file %s is missing", id, f->name);
    json_decref(doc);
    json_decref(meta);
    buf_free(&path);
    return rc;
}

static void item_file_close(struct item_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    sodium_memzero(f->key, sizeof f->key);
}

/* AT_OK when what was decrypted (res) is the file recorded (f). */
static int item_file_check(struct at_ctx *ctx, const char *id, const struct item_file *f,
                           const struct vaultfile_result *res)
{
    char got[65], want[65];

    if (memcmp(f->sha256, res->sha256, 32) == 0)
        return AT_OK;
    sodium_bin2hex(got, sizeof got, res->sha256, 32);
    sodium_bin2hex(want, sizeof want, f->sha256, 32);
    return ctx_error(ctx, AT_ECORRUPT, "evidence item %s: vault file %s decrypts to SHA-256 %s, "
                     "not the recorded %s", id, f->name, got, want);
}

/* Decrypts item id to out_fd (or only checks it when out_fd < 0). */
static int decrypt_item(struct at_ctx *ctx, struct store *st, const struct session *s,
                        const char *id, int out_fd, uint64_t *bytes)
{
    struct item_file f;
    struct vaultfile_result res;
    int rc;

    if ((rc = item_file_open(ctx, st, s, id, &f)) == AT_OK) {
        rc = out_fd >= 0 ? vaultfile_decrypt(ctx, f.key, f.fd, out_fd, f.name, &res)
                         : vaultfile_verify(ctx, f.key, f.fd, f.name, &res);
        if (rc != AT_OK)
            ctx_prefix(ctx, "evidence item %s: ", id);
        else if ((rc = item_file_check(ctx, id, &f, &res)) == AT_OK)
            *bytes = res.plain_bytes;
    }
    item_file_close(&f);
    return rc;
}

int vault_get(struct at_ctx *ctx, struct store *st, const char *id, int out_fd)
{
    const struct session *s = need(ctx, st, ACTION_GET_EVIDENCE, 0);
    uint64_t bytes;

    return s ? decrypt_item(ctx, st, s, id, out_fd, &bytes) : ctx->code;
}

/*
 * Reading an item as it is sent.  Each chunk is given out only once the
 * chunk after it is authentic, so that the last bytes go only once the
 * final chunk is in and the whole file's SHA-256 matches the recorded
 * one: a reader never gives all of a file that is not the one recorded.
 */
struct vault_reader {
    struct item_file file;
    char id[VAULT_ID_MAX];
    struct vaultfile_reader *chunks;
    struct buf ready;     /* may go out; pos bytes of it have */
    size_t pos;
    struct buf held;      /* authentic, held until the next chunk is */
    bool end;             /* ready holds the end of the file */
};

int vault_open(struct at_ctx *ctx, struct store *st, const char *id, struct vault_reader **out,
               uint64_t *size)
{
    const struct session *s = need(ctx, st, ACTION_GET_EVIDENCE, 0);
    struct vault_reader *r;
    int rc;

    *out = NULL;
    if (s == NULL)
        return ctx->code;
    r = xcalloc(1, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    if ((rc = item_file_open(ctx, st, s, id, &r->file)) == AT_OK
        && (rc = vaultfile_reader_new(ctx, r->file.key, r->file.fd, r->file.name, &r->chunks))
               != AT_OK)
        ctx_prefix(ctx, "evidence item %s: ", id);
    if (rc != AT_OK) {
        vault_close(r);
        return rc;
    }
    *size = r->file.size;
    *out = r;
    return AT_OK;
}

int vault_open_sealed(struct at_ctx *ctx, struct store *st, const char *id,
                      uint8_t key[VAULTFILE_KEY_BYTES], int *fd, uint64_t *length)
{
    const struct session *s = need(ctx, st, ACTION_GET_EVIDENCE, 0);
    struct item_file f;
    int rc;

    *fd = -1;
    if (s == NULL)
        return ctx->code;
    if ((rc = item_file_open(ctx, st, s, id, &f)) == AT_OK
        && (rc = vaultfile_check_sealed(ctx, f.key, f.fd, f.name, f.size, length)) != AT_OK)
        ctx_prefix(ctx, "evidence item %s: ", id);
    if (rc == AT_OK) {
        memcpy(key, f.key, sizeof f.key);
        *fd = f.fd;
        f.fd = -1; /* the caller's now */
    }
    item_file_close(&f);
    return rc;
}

/* Takes in the next chunk: what was held becomes ready. */
static int reader_advance(struct at_ctx *ctx, struct vault_reader *r)
{
    struct vaultfile_result res;
    const uint8_t *data;
    size_t len;
    bool final;
    int rc = vaultfile_reader_next(ctx, r->chunks, &data, &len, &final, &res);

    if (rc != AT_OK) {
        ctx_prefix(ctx, "evidence item %s: ", r->id);
        return rc;
    }
    if (final && (rc = item_file_check(ctx, r->id, &r->file, &res)) != AT_OK)
        return rc;
    struct buf was = r->ready;
    r->ready = r->held;
    r->held = was;
    buf_reset(&r->held);
    r->pos = 0;
    if (final)
        buf_append(&r->ready, data, len);
    else
        buf_append(&r->held, data, len);
    r->end = final;
    return AT_OK;
}

ssize_t vault_read(struct at_ctx *ctx, struct vault_reader *r, void *out, size_t len)
{
    size_t n;

    while (r->pos == r->ready.len) {
        if (r->end)
            return 0;
        if (reader_advance(ctx, r) != AT_OK)
            return -1;
    }
    n = r->ready.len - r->pos < len ? r->ready.len - r->pos : len;
    memcpy(out, r->ready.data + r->pos, n);
    r->pos += n;
    return (ssize_t)n;
}

void vault_close(struct vault_reader *r)
{
    if (r == NULL)
        return;
    vaultfile_reader_free(r->chunks);
    item_file_close(&r->file);
    sodium_memzero(r->ready.data, r->ready.cap);
    sodium_memzero(r->held.data, r->held.cap);
    buf_free(&r->ready);
    buf_free(&r->held);
    free(r);
}

int vault_custody_add(struct at_ctx *ctx, struct store *st, const char *id,
                      const struct custody_event *e)
{
    const struct session *s = need(ctx, st, ACTION_ADD_EVIDENCE, 0);
    json_t *doc = NULL, *meta = NULL, *event, *logged;
    char now[21];
    int64_t seq;
    int rc;

    if (s == NULL)
        return ctx->code;
    if (e->action == NULL || *e->action == '\0')
        return ctx_error(ctx, AT_EINVAL, "a custody event needs an action (received, copied, "
                         "handed_over, examined, exported, ...)");
    if ((rc = item_meta(ctx, st, s, id, &doc, &meta)) != AT_OK)
        return rc;
    canonical_now(now);
    event = json_pack("{s:s, s:s, s:s*, s:s*, s:s*, s:s, s:s*, s:s, s:s}",
                      "evidence", id, "action", e->action, "from", e->from, "to", e->to,
                      "how", e->how, "at", e->at ? e->at : now, "note", e->note,
                      "recorded_by", s->user, "recorded_at", now);
    logged = json_pack("{s:s, s:o}", "evidence", id, "meta", seal_meta(s, event));
    rc = evlog_append_item(ctx, st, "custody", id, logged, &seq);
    json_decref(event);
    json_decref(logged);
    json_decref(doc);
    json_decref(meta);
    return rc;
}

int vault_custody(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    static const char sql[] = "SELECT doc FROM log_item WHERE kind = 'custody' AND ref = ?1 ORDER BY seq";
    const struct session *s = need(ctx, st, ACTION_GET_EVIDENCE, 0);
    json_t *doc = NULL, *meta = NULL;
    sqlite3_stmt *stmt;
    int rc;

    if (s == NULL)
        return ctx->code;
    if ((rc = item_meta(ctx, st, s, id, &doc, &meta)) != AT_OK)
        return rc;
    json_decref(doc);
    *out = json_array();
    json_array_append_new(*out, json_pack("{s:s, s:s, s:O, s:O}", "action", "added to the vault",
                                          "evidence", id, "recorded_by",
                                          json_object_get(meta, "added_by"), "recorded_at",
                                          json_object_get(meta, "added_at")));
    json_decref(meta);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *item = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        json_t *event = NULL;
        rc = item ? open_meta(ctx, s, json_string_value(json_object_get(item, "meta")) ?: "", &event)
                  : ctx_error(ctx, AT_ECORRUPT, "a custody entry of %s is not JSON", id);
        if (rc == AT_OK)
            json_array_append_new(*out, event);
        json_decref(item);
    }
    sqlite3_reset(stmt);
    return rc;
}

int vault_verify_all(struct at_ctx *ctx, struct store *st, uint64_t *files, uint64_t *bytes,
                     bool *checked)
{
    static const char sql[] = "SELECT id FROM vault_item ORDER BY seq";
    static const char count_sql[] = "SELECT count(*) FROM log_item WHERE kind = 'evidence'";
    const struct session *s = store_session(st);
    sqlite3_stmt *stmt;
    int rc = AT_OK;

    *files = *bytes = 0;
    *checked = s != NULL;
    if (sqlite3_prepare_v2(store_db(st), count_sql, -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int64(stmt, 0) == 0)
        *checked = true; /* an empty vault is checked without a key */
    sqlite3_finalize(stmt);
    if (s == NULL)
        return AT_OK;
    if (access_check(ctx, s, ACTION_GET_EVIDENCE, CLEARANCE_CONFIDENTIAL) != AT_OK)
        return ctx_error(ctx, AT_EDENIED, "user %s may not read every evidence file; verify as "
                         "an admin or investigator", s->user);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(ctx, st, "reading the vault");
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        uint64_t n = 0;
        rc = decrypt_item(ctx, st, s, (const char *)sqlite3_column_text(stmt, 0), -1, &n);
        if (rc != AT_OK && rc != AT_ERR)
            rc = AT_ECORRUPT;
        (*files)++;
        *bytes += n;
    }
    sqlite3_finalize(stmt);
    return rc;
}

int vault_rebuild(struct at_ctx *ctx, struct store *st)
{
    static const char sql[] =
        "INSERT INTO vault_item(id, name, seq) SELECT ref, json_extract(doc, '$.name'), seq"
        " FROM log_item WHERE kind = 'evidence' ORDER BY seq";
    return store_exec(ctx, st, "DELETE FROM vault_item") == AT_OK ? store_exec(ctx, st, sql) : AT_ERR;
}

int vault_entry(struct at_ctx *ctx, struct store *st, const char *id, char **text, int64_t *seq)
{
    static const char sql[] = "SELECT i.doc, i.seq FROM vault_item v JOIN log_item i ON i.seq = v.seq"
                              " WHERE v.id = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no evidence item %s", id);
    }
    *text = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    *seq = sqlite3_column_int64(stmt, 1);
    sqlite3_reset(stmt);
    return AT_OK;
}

/* True for the name of a vault file: 64 lower-case hex digits. */
static bool vault_file_name(const char *name)
{
    return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* Calls fn on each staging file of the vault that no one is writing
 * (removing it first when remove is set) until fn returns false.
 * Returns AT_OK, or AT_ERR when the vault cannot be read. */
static int staging_each(struct at_ctx *ctx, struct store *st, bool remove,
                        bool (*fn)(void *arg, const char *name), void *arg)
{
    struct buf dir = BUF_INIT, path = BUF_INIT;
    struct dirent *e;
    DIR *d;
    int rc = AT_OK;

    buf_printf(&dir, "%s/vault", store_dir(st));
    if ((d = opendir(buf_str(&dir))) == NULL) {
        rc = ctx_error(ctx, AT_ERR, "cannot read %s: %s", buf_str(&dir), strerror(errno));
        goto out;
    }
    while ((e = readdir(d)) != NULL) {
        if (!staging_name(e->d_name))
            continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", buf_str(&dir), e->d_name);
        if (staging_left(buf_str(&path), remove) && !fn(arg, e->d_name))
            break;
    }
    closedir(d);
out:
    buf_free(&dir);
    buf_free(&path);
    return rc;
}

static bool count_one(void *arg, const char *name)
{
    (void)name;
    ++*(long *)arg;
    return true;
}

int vault_sweep_staging(struct at_ctx *ctx, struct store *st, long *removed)
{
    *removed = 0;
    return staging_each(ctx, st, true, count_one, removed);
}

static bool first_name(void *arg, const char *name)
{
    snprintf(arg, 256, "%s", name);
    return false;
}

int vault_check_staging(struct at_ctx *ctx, struct store *st)
{
    char name[256] = "";
    int rc = staging_each(ctx, st, false, first_name, name);

    if (rc != AT_OK || name[0] == '\0')
        return rc;
    return ctx_error(ctx, AT_ECORRUPT, "vault/%s is an unfinished upload or add, left by a server "
                     "or command that stopped before it was complete; %s: delete it, or let "
                     "`attest serve` or the next `attest evidence add` remove it", name,
                     strncmp(name, STAGING_PREFIX, strlen(STAGING_PREFIX)) == 0
                         ? "it was encrypted as it arrived, under a key now lost, so nothing in "
                           "it can be recovered"
                         : "an earlier version of attest wrote it, and it may hold plaintext");
}

int vault_sweep(struct at_ctx *ctx, struct store *st, long *removed)
{
    static const char sql[] = "SELECT 1 FROM vault_item WHERE name = ?1";
    struct buf dir = BUF_INIT, path = BUF_INIT;
    struct dirent *e;
    DIR *d;
    int rc;

    if ((rc = vault_sweep_staging(ctx, st, removed)) != AT_OK)
        return rc;
    buf_printf(&dir, "%s/vault", store_dir(st));
    if ((d = opendir(buf_str(&dir))) == NULL) {
        rc = ctx_error(ctx, AT_ERR, "cannot read %s: %s", buf_str(&dir), strerror(errno));
        goto out;
    }
    while (rc == AT_OK && (e = readdir(d)) != NULL) {
        if (!vault_file_name(e->d_name))
            continue;
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL) {
            rc = AT_ERR;
            break;
        }
        sqlite3_bind_text(stmt, 1, e->d_name, -1, SQLITE_STATIC);
        bool orphan = sqlite3_step(stmt) != SQLITE_ROW;
        sqlite3_reset(stmt);
        if (!orphan)
            continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", buf_str(&dir), e->d_name);
        if (unlink(buf_str(&path)) == 0)
            (*removed)++;
    }
    closedir(d);
out:
    buf_free(&dir);
    buf_free(&path);
    return rc;
}
