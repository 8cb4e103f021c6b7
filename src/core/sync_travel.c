/*
 * sync_travel.c: `attest travel`: a laptop made safe to carry across a
 * border.  What the centre does not yet hold (by the mark last heard from
 * it) is written as one pack, signed by the laptop and encrypted to the
 * centre, which the laptop itself cannot open; then every witness datum is
 * removed from the archive: record versions and everything derived from
 * them, the log items that are not keys, users, tokens, peers or lists
 * (identities, evidence, custody, reads, linkage, estimates), the vault's
 * index and its files (overwritten, then unlinked).  SQLite's secure
 * delete zeroes the freed pages, VACUUM rewrites the file, and the WAL is
 * truncated.  Keys, users and peers stay, so that the laptop can log in
 * and be restored from the centre.
 *
 * The Merkle log keeps its leaves (hashes, which reveal nothing of what
 * they hash) so that its signed heads stay valid and every version's
 * global identity (archive, log sequence) is never given twice; the texts
 * are gone, and a signed log item of kind "travel" says which entries
 * travelled (upto) and the hash of the pack they went in.  `attest verify`
 * accepts an entry without a text only below a travel item's upto
 * (sync_travel_upto, in sync.c, which an import's check of the archive's
 * own entries reads too).  docs/commands/travel.md has the design.
 */
#include "attest.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "link.h"
#include "record.h"
#include "sync.h"
#include "sync_int.h"
#include "vault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The log items that are no witness's and stay: the archive's keys, its
 * users and tokens, its peers and the sanctions lists, and earlier
 * travels. */
#define TRAVEL_KEEP_ITEMS "('keys', 'user', 'token', 'list', 'travel', 'peer')"

/* What goes, in an order the foreign keys allow.  Derived tables are
 * emptied by their rebuilds, from the emptied versions and items. */
static const char *const travel_sql[] = {
    "DELETE FROM site_candidate_member",
    "DELETE FROM site_candidate",
    "DELETE FROM link_member",
    "DELETE FROM link_pair",
    "DELETE FROM link_cluster",
    "DELETE FROM link_decision",
    "DELETE FROM link_run",
    "DELETE FROM vault_item",
    "DELETE FROM record_base",
    "DELETE FROM record_conflict",
    "DELETE FROM record_version",
    "DELETE FROM proof_node", /* the versions' proofs' heads and hashes */
    "DELETE FROM proof_head",
    /* parenthesised: one element each, not a missing comma */
    ("DELETE FROM sync_item WHERE seq IN (SELECT seq FROM log_item WHERE kind NOT IN "
        TRAVEL_KEEP_ITEMS ")"),
    ("DELETE FROM log_item WHERE kind NOT IN " TRAVEL_KEEP_ITEMS),
};

/* The SHA-256 of what fd holds, read from its start, as hex. */
static int pack_digest(struct at_ctx *ctx, int fd, char hex[65], uint64_t *bytes)
{
    crypto_hash_sha256_state h;
    uint8_t chunk[1 << 16], digest[crypto_hash_sha256_BYTES];
    off_t at = 0;
    ssize_t n;

    crypto_hash_sha256_init(&h);
    while ((n = pread(fd, chunk, sizeof chunk, at)) > 0) {
        crypto_hash_sha256_update(&h, chunk, (size_t)n);
        at += n;
    }
    if (n < 0)
        return ctx_error(ctx, AT_ERR, "cannot read the travel pack back: %s", strerror(errno));
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    *bytes = (uint64_t)at;
    return AT_OK;
}

static int count(struct at_ctx *ctx, struct store *st, const char *sql, uint64_t *out)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    *out = sqlite3_step(stmt) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    return AT_OK;
}

struct travel_write {
    const char *centre;
    const char *digest;
    uint64_t pack_bytes;
    struct travel_report *removed;
};

/* The removal, in one transaction, ended by a signed "travel" item. */
static int travel_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct travel_write *w = arg;
    uint64_t upto = 0;
    char now[21];
    int64_t seq;
    json_t *doc;
    int rc;

    if ((rc = count(ctx, st, "SELECT count(*) FROM record_version", &w->removed->versions)) != AT_OK
        || (rc = count(ctx, st, "SELECT count(*) FROM log_item WHERE kind NOT IN "
                       TRAVEL_KEEP_ITEMS, &w->removed->items)) != AT_OK
        || (rc = count(ctx, st, "SELECT count(*) FROM vault_item", &w->removed->files)) != AT_OK
        || (rc = count(ctx, st, "SELECT coalesce(max(seq), 0) FROM log_entry", &upto)) != AT_OK)
        return rc;
    for (size_t i = 0; i < ARRAY_LEN(travel_sql); i++)
        if ((rc = store_exec(ctx, st, travel_sql[i])) != AT_OK)
            return ctx_prefix(ctx, "removing what travelled: ");
    if ((rc = record_rebuild(ctx, st)) != AT_OK || (rc = link_archive_rebuild(ctx, st)) != AT_OK
        || (rc = vault_rebuild(ctx, st)) != AT_OK)
        return rc;
    /* The entries whose texts are gone keep their leaves; when each was
     * written goes too. */
    canonical_now(now);
    {
        sqlite3_stmt *stmt = store_stmt(ctx, st,
            "UPDATE log_entry SET written_at = ?1 WHERE seq NOT IN (SELECT seq FROM log_item)");
        if (stmt == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? AT_OK : store_error(ctx, st, "clearing the log's times");
        sqlite3_reset(stmt);
        if (rc != AT_OK)
            return rc;
    }
    w->removed->upto = upto;
    doc = json_pack("{s:s, s:s, s:I, s:{s:I, s:s}, s:{s:I, s:I, s:I}, s:s, s:s}",
                    "event", "travel", "to", w->centre, "upto", (json_int_t)upto,
                    "pack", "bytes", (json_int_t)w->pack_bytes, "sha256", w->digest,
                    "removed", "versions", (json_int_t)w->removed->versions,
                    "items", (json_int_t)w->removed->items, "files", (json_int_t)w->removed->files,
                    "by", store_session(st)->user, "at", now);
    rc = evlog_append_item(ctx, st, "travel", w->centre, doc, &seq);
    json_decref(doc);
    return rc;
}

/* Overwrites each file under dir with zeros, flushes it and unlinks it;
 * subdirectories too.  Counts the files. */
static int shred_dir(struct at_ctx *ctx, const char *dir, uint64_t *files)
{
    static const uint8_t zeros[1 << 16];
    struct dirent *e;
    DIR *d = opendir(dir);
    int rc = AT_OK;

    if (d == NULL)
        return errno == ENOENT ? AT_OK
                               : ctx_error(ctx, AT_ERR, "cannot read %s: %s", dir, strerror(errno));
    while (rc == AT_OK && (e = readdir(d)) != NULL) {
        struct buf path = BUF_INIT;
        struct stat sb;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        buf_printf(&path, "%s/%s", dir, e->d_name);
        if (lstat(buf_str(&path), &sb) != 0) {
            rc = ctx_error(ctx, AT_ERR, "cannot read %s: %s", buf_str(&path), strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            rc = shred_dir(ctx, buf_str(&path), files);
        } else {
            int fd = S_ISREG(sb.st_mode) ? open(buf_str(&path), O_WRONLY | O_CLOEXEC) : -1;
            for (off_t at = 0; fd >= 0 && at < sb.st_size;) {
                size_t n = sb.st_size - at < (off_t)sizeof zeros ? (size_t)(sb.st_size - at)
                                                                  : sizeof zeros;
                ssize_t w = pwrite(fd, zeros, n, at);
                if (w <= 0) {
                    rc = ctx_error(ctx, AT_ERR, "cannot overwrite %s: %s", buf_str(&path),
                                   strerror(errno));
                    break;
                }
                at += w;
            }
            if (fd >= 0 && fsync(fd) != 0 && rc == AT_OK)
                rc = ctx_error(ctx, AT_ERR, "cannot overwrite %s: %s", buf_str(&path), strerror(errno));
            if (fd >= 0)
                close(fd);
            if (rc == AT_OK && unlink(buf_str(&path)) != 0)
                rc = ctx_error(ctx, AT_ERR, "cannot remove %s: %s", buf_str(&path), strerror(errno));
            if (rc == AT_OK)
                (*files)++;
        }
        buf_free(&path);
    }
    closedir(d);
    return rc;
}

/* The centre must be a pinned team peer: a partner receives only what its
 * tier allows and never a sealed identity, so what a laptop removed after
 * a pack for it would be lost. */
static int centre_check(struct at_ctx *ctx, struct store *st, const char *centre)
{
    struct sync_peer p = { 0 };
    int rc = sync_peer_get(ctx, st, centre, NULL, &p);

    if (rc == AT_OK && p.partner)
        rc = ctx_error(ctx, AT_EINVAL, "peer \"%s\" is a partner and cannot be the centre of a "
                       "travel (a partner receives only what its tier allows, never an identity); "
                       "give a team peer", centre);
    sync_peer_free(&p);
    return rc;
}

int sync_travel_remove(struct at_ctx *ctx, struct store *st, const char *centre,
                       const char *pack_sha256, uint64_t pack_bytes, struct travel_report *removed)
{
    struct travel_write w = { centre, pack_sha256, pack_bytes, removed };
    struct buf vault = BUF_INIT;
    uint64_t shredded = 0;
    int rc;

    memset(removed, 0, sizeof *removed);
    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) != AT_OK)
        return rc;
    if ((rc = store_exec(ctx, st, "PRAGMA secure_delete = ON")) != AT_OK
        || (rc = evlog_write(ctx, st, travel_write, &w)) != AT_OK)
        return rc;
    /* The vault's files: their keys went with the log items; the bytes go
     * now, each overwritten before it is unlinked. */
    buf_printf(&vault, "%s/vault", store_dir(st));
    rc = shred_dir(ctx, buf_str(&vault), &shredded);
    buf_free(&vault);
    if (rc == AT_OK)
        rc = store_exec(ctx, st, "VACUUM");
    if (rc == AT_OK)
        rc = store_exec(ctx, st, "PRAGMA wal_checkpoint(TRUNCATE)");
    removed->shredded = shredded;
    return rc;
}

int sync_travel(struct at_ctx *ctx, struct store *st, const char *centre, int fd,
                struct sync_stats *packed, struct travel_report *removed)
{
    char digest[65];
    uint64_t bytes = 0;
    int rc;

    memset(removed, 0, sizeof *removed);
    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) != AT_OK
        || (rc = centre_check(ctx, st, centre)) != AT_OK)
        return rc;
    /* Nothing is removed until the pack is whole on disk. */
    if ((rc = sync_export(ctx, st, centre, NULL, fd, packed)) != AT_OK)
        return ctx_prefix(ctx, "writing the travel pack: ");
    if (fsync(fd) != 0)
        return ctx_error(ctx, AT_ERR, "cannot write the travel pack to disk: %s", strerror(errno));
    if ((rc = pack_digest(ctx, fd, digest, &bytes)) != AT_OK)
        return rc;
    return sync_travel_remove(ctx, st, centre, digest, bytes, removed);
}
