/*
 * store.c: opening, creating and upgrading an archive, and the small
 * wrappers over SQLite that the rest of core uses (statement cache,
 * transactions, error messages).
 *
 * The database is SQLCipher: every page of attest.db, its WAL and its
 * journals is encrypted (AES-256 with an HMAC per page) under a page key
 * derived from the archive's master key, given to SQLCipher as a raw key so
 * that no second slow derivation runs.  Temporary tables never leave memory
 * (the build sets SQLITE_TEMP_STORE=3).  A copy on read-only media opens
 * read-only, without the writes an ordinary open makes.
 */
#include "attest.h"
#include "store.h"
#include "schema.h"
#include "search_text.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STMT_CACHE_SIZE 64    /* statements kept prepared, least recently used let go first */

struct cached_stmt {
    const char *sql;
    sqlite3_stmt *stmt;
};

#define KEPT_MAX 4            /* store_keep's slots: one module uses one */

struct kept {
    const void *key;
    void *data;
    void (*free_fn)(void *);
};

struct store {
    char *dir;
    sqlite3 *db;
    bool read_only;
    struct cached_stmt cache[STMT_CACHE_SIZE];
    int ncache;
    const struct session *session;
    struct kept kept[KEPT_MAX];
};

void store_set_session(struct store *st, const struct session *s)
{
    st->session = s;
}

const struct session *store_session(const struct store *st)
{
    return st->session;
}

int store_error(struct at_ctx *ctx, struct store *st, const char *doing)
{
    return ctx_error(ctx, AT_ERR, "%s: %s", doing, sqlite3_errmsg(st->db));
}

int store_exec(struct at_ctx *ctx, struct store *st, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        ctx_error(ctx, AT_ERR, "database: %s", err ? err : "unknown error");
        sqlite3_free(err);
        return AT_ERR;
    }
    return AT_OK;
}

/* Moves the cache's entry i to its end, the most recently used. */
static void cache_touch(struct store *st, int i)
{
    struct cached_stmt used = st->cache[i];

    memmove(st->cache + i, st->cache + i + 1, sizeof st->cache[0] * (size_t)(st->ncache - i - 1));
    st->cache[st->ncache - 1] = used;
}

sqlite3_stmt *store_stmt(struct at_ctx *ctx, struct store *st, const char *sql)
{
    sqlite3_stmt *stmt;

    for (int i = 0; i < st->ncache; i++) {
        if (st->cache[i].sql == sql) {
            stmt = st->cache[i].stmt;
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            cache_touch(st, i);
            return stmt;
        }
    }
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
        store_error(ctx, st, "preparing a statement");
        return NULL;
    }
    if (st->ncache == STMT_CACHE_SIZE) {
        /* Full: the least recently used statement goes, unless a caller
         * is stepping through it (a list whose callback prepares others):
         * then the next least recently used. */
        int i = 0;
        while (i < st->ncache && sqlite3_stmt_busy(st->cache[i].stmt))
            i++;
        if (i == st->ncache) {
            sqlite3_finalize(stmt);
            ctx_error(ctx, AT_ERR, "more than %d statements in use at once", STMT_CACHE_SIZE);
            return NULL;
        }
        sqlite3_finalize(st->cache[i].stmt);
        cache_touch(st, i);
        st->ncache--;
    }
    st->cache[st->ncache++] = (struct cached_stmt){ sql, stmt };
    return stmt;
}

int store_begin(struct at_ctx *ctx, struct store *st)
{
    if (st->read_only)
        return ctx_error(ctx, AT_EDENIED, "archive %s is read-only here (a write-blocked "
                         "copy?): it can be read and verified, not changed", st->dir);
    return store_exec(ctx, st, "BEGIN IMMEDIATE");
}

int store_begin_now(struct at_ctx *ctx, struct store *st)
{
    int rc;

    sqlite3_busy_timeout(st->db, 0);
    rc = store_begin(ctx, st);
    sqlite3_busy_timeout(st->db, STORE_LOCK_WAIT_MS);
    return rc;
}

int store_commit(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st, "COMMIT");
}

void store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A bulk write (a large import, a pack) writes far more pages than the
 * everyday page cache holds: the B-trees of random ids and the full-text
 * segments would spill to the WAL before the commit and be read back.  For
 * its length the cache is 256 MiB, set back at its end; durability is
 * unchanged (the one commit at the end is as synchronous as any other). */
#define BULK_CACHE_KIB 262144

/* Sets the page cache to n (PRAGMA cache_size's units); quiet: a cache
 * left as it was slows a write, it does not fail it. */
static void cache_set(struct store *st, int n)
{
    struct at_ctx quiet = { 0 };
    char sql[64];

    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", n);
    store_exec(&quiet, st, sql);
}

int store_bulk_cache(struct store *st)
{
    struct at_ctx quiet = { 0 };
    sqlite3_stmt *stmt = store_stmt(&quiet, st, "PRAGMA cache_size");
    int was = 0;

    if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
        was = sqlite3_column_int(stmt, 0);
    if (stmt)
        sqlite3_reset(stmt);
    if (was != 0)
        cache_set(st, -BULK_CACHE_KIB);
    return was;
}

void store_bulk_cache_restore(struct store *st, int was)
{
    if (was != 0)
        cache_set(st, was);
}

const char *store_dir(const struct store *st)
{
    return st->dir;
}

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

bool store_read_only(const struct store *st)
{
    return st->read_only;
}

int store_meta_get(struct at_ctx *ctx, struct store *st, const char *key, struct buf *out)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        buf_reset(out);
        buf_puts(out, (const char *)sqlite3_column_text(stmt, 0));
        sqlite3_reset(stmt);
        return AT_OK;
    }
    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE)
        return ctx_error(ctx, AT_ENOTFOUND, "the archive has no setting '%s'", key);
    return store_error(ctx, st, "reading archive settings");
}

int store_meta_set(struct at_ctx *ctx, struct store *st, const char *key, const char *value)
{
    static const char sql[] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "writing archive settings");
    sqlite3_reset(stmt);
    return AT_OK;
}

static int int_pragma(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt;
    int value = -1;

    if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

void store_page_key(const uint8_t master[32], uint8_t page_key[STORE_KEY_BYTES])
{
    crypto_kdf_derive_from_key(page_key, STORE_KEY_BYTES, 1, "attestdb", master);
}

/* The sizes of the database's pages, in the order an archive is opened
 * with them.  Archives are made with the first, 16 KiB: a version kept
 * with its proof is a row of about 1.5 KB, which left a third of a 4 KiB
 * page empty, and every page written is encrypted and authenticated again;
 * fuller, fewer pages made an import a fifth cheaper in CPU and reads of
 * every record and searches no dearer (docs/scaling.md).  Archives made
 * before have SQLCipher's 4 KiB.  SQLCipher keeps no page size in clear
 * (the first page is encrypted whole), so an archive whose first page does
 * not decrypt at one size is opened again at the next: a wrong key or a
 * damaged file fails at each, with one message.  A failed try writes
 * nothing: SQLite refuses to checkpoint a WAL of another page size. */
static const int page_sizes[] = { STORE_PAGE_SIZE, 4096 };

/* Gives SQLCipher the page key and the size of the pages, before anything
 * reads the file. */
static int apply_key(struct at_ctx *ctx, struct store *st, const uint8_t *page_key, int page_size)
{
    char pragma[2 * STORE_KEY_BYTES + 32];
    int rc;

#ifdef ATTEST_STORE_PLAINTEXT
    (void)page_key;                 /* the benchmarks' unencrypted build: the same pages */
    snprintf(pragma, sizeof pragma, "PRAGMA page_size = %d", page_size);
    rc = sqlite3_exec(st->db, pragma, NULL, NULL, NULL);
#else
    char hex[2 * STORE_KEY_BYTES + 1];

    if (page_key == NULL)
        return AT_OK;               /* an archive written before encryption */
    sodium_bin2hex(hex, sizeof hex, page_key, STORE_KEY_BYTES);
    snprintf(pragma, sizeof pragma, "PRAGMA key = \"x'%s'\"", hex);
    sodium_memzero(hex, sizeof hex);
    rc = sqlite3_exec(st->db, pragma, NULL, NULL, NULL);
    sodium_memzero(pragma, sizeof pragma);
    if (rc == SQLITE_OK) {
        snprintf(pragma, sizeof pragma, "PRAGMA cipher_page_size = %d", page_size);
        rc = sqlite3_exec(st->db, pragma, NULL, NULL, NULL);
    }
#endif
    if (rc != SQLITE_OK)
        return ctx_error(ctx, AT_ERR, "the database refused its key");
    return AT_OK;
}

/* True when the file cannot be written here: a write-blocked copy, a
 * read-only mount, or a file without write permission. */
static bool file_is_read_only(const char *path)
{
    return access(path, W_OK) != 0 && (errno == EROFS || errno == EACCES || errno == EPERM);
}

/* Where the database cannot be written, SQLite cannot make the WAL's
 * shared-memory file either; with no WAL beside it (the archive was closed
 * cleanly), the file is opened as immutable, which needs neither.  A copy
 * taken with its WAL and shared-memory files opens read-only as it is. */
static void read_only_uri(struct buf *path)
{
    struct buf wal = BUF_INIT, uri = BUF_INIT;

    buf_printf(&wal, "%s-wal", buf_str(path));
    if (access(buf_str(&wal), F_OK) != 0) {
        buf_puts(&uri, "file:");
        for (const char *c = buf_str(path); *c; c++) {
            if (*c == '%' || *c == '?' || *c == '#')
                buf_printf(&uri, "%%%02X", (unsigned char)*c);
            else
                buf_putc(&uri, *c);
        }
        buf_puts(&uri, "?immutable=1");
        buf_reset(path);
        buf_puts(path, buf_str(&uri));
    }
    buf_free(&wal);
    buf_free(&uri);
}

/* Opens path as st->db, its pages read at page_size with page_key. */
static int open_pages(struct at_ctx *ctx, struct store *st, const char *path, int flags,
                      const uint8_t *page_key, int page_size)
{
    /* NOMUTEX: a connection is only ever used by the thread that holds it
     * (the server opens one for each thread), so SQLite need not lock it
     * on every call: a map read of thousands of rows spent a fifth of its
     * time taking and giving back that lock for each column. */
    if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK)
        return ctx_error(ctx, AT_ENOTFOUND, "cannot open archive %s: %s", st->dir,
                         st->db ? sqlite3_errmsg(st->db) : "out of memory");
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, STORE_LOCK_WAIT_MS);
    if (search_text_connect(st->db) != SQLITE_OK)
        return ctx_error(ctx, AT_ERR, "cannot open archive %s: %s", st->dir,
                         sqlite3_errmsg(st->db));
    return apply_key(ctx, st, page_key, page_size);
}

/* Opens the database file with the settings every connection needs.  The
 * first read proves the key: a wrong key and a damaged file both fail
 * there, with one message. */
static int connect(struct at_ctx *ctx, const char *dir, const uint8_t *page_key, int flags,
                   struct store **out)
{
    struct store *st = xcalloc(1, sizeof *st);
    struct buf path = BUF_INIT;
    int rc = AT_OK;

    if (sodium_init() < 0)
        return ctx_error(ctx, AT_ERR, "libsodium could not initialise");
    st->dir = xstrdup(dir);
    buf_printf(&path, "%s/attest.db", dir);
    if (!(flags & SQLITE_OPEN_CREATE) && file_is_read_only(buf_str(&path))) {
        st->read_only = true;
        flags = SQLITE_OPEN_READONLY;
        read_only_uri(&path);
    }
    for (size_t i = 0; i < ARRAY_LEN(page_sizes); i++) {
        if ((rc = open_pages(ctx, st, buf_str(&path), flags, page_key, page_sizes[i])) != AT_OK)
            goto out;
        if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL)
            == SQLITE_OK)
            break;
        if (page_key == NULL || i + 1 == ARRAY_LEN(page_sizes)) {
            rc = ctx_error(ctx, AT_EDENIED, "cannot read archive %s: %s", dir,
                           page_key ? "the key does not open it (wrong key, or a damaged file)"
                                    : "it is encrypted; unlock it with a user's passphrase");
            goto out;
        }
        sqlite3_close(st->db);
        st->db = NULL;
    }
    rc = store_exec(ctx, st, st->read_only
                    ? "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA query_only = ON;"
                    : "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA cache_size = -65536;");
out:
    buf_free(&path);
    if (rc != AT_OK) {
        store_close(st);
        return rc;
    }
    *out = st;
    return AT_OK;
}

/* Applies every migration after the archive's version, in one transaction. */
static int upgrade(struct at_ctx *ctx, struct store *st)
{
    int have = int_pragma(st, "PRAGMA user_version");
    int want = schema_version();
    char pragma[64];

    if (have > want)
        return ctx_error(ctx, AT_EINVAL,
                         "archive %s has schema version %d, newer than this attest (%d); "
                         "upgrade attest", st->dir, have, want);
    if (have == want)
        return AT_OK;
    if (st->read_only)
        return ctx_error(ctx, AT_EINVAL,
                         "archive %s is read-only and has schema version %d, older than this "
                         "attest (%d); open a writable copy once to upgrade it", st->dir, have, want);
    if (store_begin(ctx, st) != AT_OK)
        return AT_ERR;
    for (int v = have; v < want; v++) {
        if (store_exec(ctx, st, schema_migration(v)) != AT_OK) {
            ctx_prefix(ctx, "upgrading schema %d to %d: ", v, v + 1);
            store_rollback(st);
            return AT_ERR;
        }
    }
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", want);
    if (store_exec(ctx, st, pragma) != AT_OK || store_commit(ctx, st) != AT_OK) {
        store_rollback(st);
        return AT_ERR;
    }
    return AT_OK;
}

static bool dir_is_empty_or_absent(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool empty = true;

    if (d == NULL)
        return errno == ENOENT;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = false;
            break;
        }
    }
    closedir(d);
    return empty;
}

int store_create(struct at_ctx *ctx, const char *dir, const uint8_t page_key[STORE_KEY_BYTES],
                 struct store **out)
{
    struct store *st = NULL;
    struct buf sql = BUF_INIT, vault = BUF_INIT;
    unsigned char archive_id[16];
    char hex[33];
    int rc;

    if (!dir_is_empty_or_absent(dir))
        return ctx_error(ctx, AT_ECONFLICT, "%s already exists and is not empty; "
                         "choose a new directory for the archive", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ctx_error(ctx, AT_ERR, "cannot create %s: %s", dir, strerror(errno));
    buf_printf(&vault, "%s/vault", dir);
    if (mkdir(buf_str(&vault), 0700) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot create %s: %s", buf_str(&vault), strerror(errno));
        goto out;
    }
    rc = connect(ctx, dir, page_key, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &st);
    if (rc != AT_OK)
        goto out;
    randombytes_buf(archive_id, sizeof archive_id);
    sodium_bin2hex(hex, sizeof hex, archive_id, sizeof archive_id);
    buf_printf(&sql, "PRAGMA application_id = %d; PRAGMA user_version = 1; BEGIN;",
               schema_application_id);
    buf_puts(&sql, schema_create_sql());
    if ((rc = store_exec(ctx, st, buf_str(&sql))) != AT_OK
        || (rc = store_meta_set(ctx, st, "archive_id", hex)) != AT_OK
        || (rc = store_exec(ctx, st, "COMMIT")) != AT_OK
        || (rc = upgrade(ctx, st)) != AT_OK) {
        store_rollback(st);
        goto out;
    }
    *out = st;
    st = NULL;
out:
    if (st)
        store_close(st);
    buf_free(&sql);
    buf_free(&vault);
    return rc;
}

int store_open(struct at_ctx *ctx, const char *dir, const uint8_t *page_key, struct store **out)
{
    struct store *st;
    struct stat sb;
    struct buf path = BUF_INIT;
    int rc;

    buf_printf(&path, "%s/attest.db", dir);
    rc = stat(buf_str(&path), &sb);
    buf_free(&path);
    if (rc != 0)
        return ctx_error(ctx, AT_ENOTFOUND, "%s is not an attest archive (no attest.db); "
                         "create one with 'attest init %s' or name another with -A DIR",
                         dir, dir);
    if ((rc = connect(ctx, dir, page_key, SQLITE_OPEN_READWRITE, &st)) != AT_OK)
        return rc;
    if (int_pragma(st, "PRAGMA application_id") != schema_application_id) {
        store_close(st);
        return ctx_error(ctx, AT_EINVAL, "%s/attest.db is a SQLite file but not an attest archive", dir);
    }
    if ((rc = upgrade(ctx, st)) != AT_OK) {
        store_close(st);
        return rc;
    }
    *out = st;
    return AT_OK;
}

void store_keep(struct store *st, const void *key, void *data, void (*free_fn)(void *))
{
    struct kept *slot = NULL;

    for (int i = 0; i < KEPT_MAX && !slot; i++)
        if (st->kept[i].key == key)
            slot = &st->kept[i];
    for (int i = 0; i < KEPT_MAX && !slot; i++)
        if (st->kept[i].key == NULL)
            slot = &st->kept[i];
    if (slot == NULL)
        abort();                  /* more modules than slots: KEPT_MAX is too small */
    if (slot->key && slot->data != data)
        slot->free_fn(slot->data);
    *slot = (struct kept){ key, data, free_fn };
}

void *store_kept(struct store *st, const void *key)
{
    for (int i = 0; i < KEPT_MAX; i++)
        if (st->kept[i].key == key)
            return st->kept[i].data;
    return NULL;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < KEPT_MAX; i++)
        if (st->kept[i].key)
            st->kept[i].free_fn(st->kept[i].data);
    for (int i = 0; i < st->ncache; i++)
        sqlite3_finalize(st->cache[i].stmt);
    sqlite3_close(st->db);
    free(st->dir);
    free(st);
}
