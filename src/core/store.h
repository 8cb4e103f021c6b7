/*
 * store.h: an open archive: its directory, its SQLite connection and its
 * cached prepared statements.  Only core files use the connection; the CLI
 * and the server go through the record, search and import interfaces.
 */
#ifndef STORE_H
#define STORE_H

#include "attest.h"

#include <sqlite3.h>

struct store;

/* The database's pages are encrypted under a 32-byte key derived from the
 * archive's master key (keys.h); unlock.h finds the master key from a
 * user's passphrase. */
#define STORE_KEY_BYTES 32
void store_page_key(const uint8_t master[32], uint8_t page_key[STORE_KEY_BYTES]);

/* The size of a new archive's pages, in bytes (store.c says why; archives
 * made before have 4 KiB pages, and open as they are). */
#define STORE_PAGE_SIZE 16384

/* Creates the archive directory dir (which must not exist or be empty)
 * with a new database, encrypted under page_key, and vault.  On success
 * *out is an open store that the caller releases with store_close. */
int store_create(struct at_ctx *ctx, const char *dir, const uint8_t page_key[STORE_KEY_BYTES],
                 struct store **out);

/* Opens an existing archive with its page key, upgrading its schema if it
 * is older.  A NULL key opens only an archive written before encryption
 * (for 'attest upgrade').  A database that cannot be written here (a
 * write-blocked copy) opens read-only: reads and verification work,
 * writes fail. */
int store_open(struct at_ctx *ctx, const char *dir, const uint8_t *page_key, struct store **out);

/* True when the archive was opened read-only. */
bool store_read_only(const struct store *st);

void store_close(struct store *st);

const char *store_dir(const struct store *st);
sqlite3 *store_db(struct store *st);

/* Returns a prepared statement for sql, reset and with its bindings
 * cleared.  sql must be a string with static storage: its address is the
 * cache key.  The store owns the statement: it stays prepared while it is
 * being stepped, and otherwise until 63 other statements have been asked
 * for since (the cache lets the least recently used go).  NULL on error
 * (ctx set). */
sqlite3_stmt *store_stmt(struct at_ctx *ctx, struct store *st, const char *sql);

/* Runs one or more statements that take no parameters. */
int store_exec(struct at_ctx *ctx, struct store *st, const char *sql);

/* Sets ctx from the connection's last error, prefixed by what was being
 * done, and returns AT_ERR. */
int store_error(struct at_ctx *ctx, struct store *st, const char *doing);

/* Write transactions.  store_begin takes the write lock at once (BEGIN
 * IMMEDIATE), so that two writers never deadlock half-way; while another
 * connection holds it, it waits up to STORE_LOCK_WAIT_MS for it.
 * store_begin_now does not wait: it fails at once when the lock is held
 * (for what the next write saves anyway: a job's progress). */
#define STORE_LOCK_WAIT_MS 10000
int store_begin(struct at_ctx *ctx, struct store *st);
int store_begin_now(struct at_ctx *ctx, struct store *st);
int store_commit(struct at_ctx *ctx, struct store *st);
void store_rollback(struct store *st);

/* The page cache of a bulk write (a large import, a pack's import): 256
 * MiB while it lasts.  store_bulk_cache sets it and returns the setting it
 * replaced (0 when that could not be read: then it sets nothing);
 * store_bulk_cache_restore sets that back (nothing for 0), after a commit
 * or a rollback alike.  Both are quiet: the cache is a matter of speed. */
int store_bulk_cache(struct store *st);
void store_bulk_cache_restore(struct store *st, int was);

/* The unlocked user acting on the archive, or NULL.  The store borrows
 * the session; the caller keeps it alive while the store is open. */
struct session;
void store_set_session(struct store *st, const struct session *s);
const struct session *store_session(const struct store *st);

/* What a core module keeps beside one connection while it is open (layer.c:
 * its copy of the map's counts), found by a key of the module's own (the
 * address of something static of it).  store_keep hands data over to the
 * store, which releases it with free_fn at store_close, or when data is
 * kept again under the same key; store_kept gives it back, or NULL. */
void store_keep(struct store *st, const void *key, void *data, void (*free_fn)(void *));
void *store_kept(struct store *st, const void *key);

/* The value of meta key, copied into out; AT_ENOTFOUND when absent. */
int store_meta_get(struct at_ctx *ctx, struct store *st, const char *key, struct buf *out);
int store_meta_set(struct at_ctx *ctx, struct store *st, const char *key, const char *value);

#endif
