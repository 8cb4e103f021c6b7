/*
 * sync.c: the archive's key line for peers, the pinned peers themselves,
 * marks (what each archive is known to hold), the conflicts list and
 * the one check of a proof that a version or item is in its origin's log
 * (for an import and for `attest verify`).  The pack (export and import)
 * is in sync_pack.c, which reads peers through sync_int.h.
 */
#include "attest.h"
#include "sync.h"
#include "sync_int.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "keys.h"
#include "merkle.h"
#include "record.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define LINE_TAG "attest-peer"
#define LINE_VERSION "1"

void sync_b64(const uint8_t *bin, size_t len, struct buf *out)
{
    char text[256];

    sodium_bin2base64(text, sizeof text, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    buf_puts(out, text);
}

/* Decodes exactly len bytes of base64 (URL-safe, no padding). */
static int b64_key(const char *text, size_t tlen, uint8_t *out, size_t len)
{
    size_t got;

    return sodium_base642bin(out, len, text, tlen, NULL, &got, NULL,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && got == len
               ? AT_OK : AT_EINVAL;
}

int sync_box_keys(struct at_ctx *ctx, struct store *st, uint8_t pk[crypto_box_PUBLICKEYBYTES],
                  uint8_t sk[crypto_box_SECRETKEYBYTES])
{
    const struct session *s = store_session(st);
    uint8_t seed[crypto_box_SEEDBYTES];

    if (s == NULL || sodium_is_zero(s->master, sizeof s->master))
        return ctx_error(ctx, AT_EDENIED, "the archive's key for receiving packs comes from its "
                         "master key: log in as a user who holds it");
    crypto_kdf_derive_from_key(seed, sizeof seed, 1, "syncbox_", s->master);
    crypto_box_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
    return AT_OK;
}

int sync_key_line(struct at_ctx *ctx, struct store *st, struct buf *out)
{
    static const char officers_sql[] =
        "SELECT box_pk FROM user WHERE role = 'officer' ORDER BY name";
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES], box_pk[crypto_box_PUBLICKEYBYTES];
    uint8_t box_sk[crypto_box_SECRETKEYBYTES];
    struct buf id = BUF_INIT;
    json_t *team = NULL, *key;
    sqlite3_stmt *stmt;
    size_t i;
    int rc, n = 0;

    if ((rc = store_meta_get(ctx, st, "archive_id", &id)) != AT_OK
        || (rc = keys_sign_pk(ctx, st, sign_pk)) != AT_OK
        || (rc = sync_box_keys(ctx, st, box_pk, box_sk)) != AT_OK)
        goto out;
    sodium_memzero(box_sk, sizeof box_sk);
    buf_printf(out, LINE_TAG " " LINE_VERSION " %s ", buf_str(&id));
    sync_b64(sign_pk, sizeof sign_pk, out);
    buf_putc(out, ' ');
    sync_b64(box_pk, sizeof box_pk, out);
    if ((stmt = store_stmt(ctx, st, officers_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW && n < SYNC_OFFICERS_MAX) {
        if (sqlite3_column_bytes(stmt, 0) != crypto_box_PUBLICKEYBYTES)
            continue;
        buf_putc(out, n++ ? ',' : ' ');
        sync_b64(sqlite3_column_blob(stmt, 0), crypto_box_PUBLICKEYBYTES, out);
    }
    sqlite3_reset(stmt);
    /* Then the officers of its team peers: an identity sealed to them
     * here can be passed on to them, still sealed. */
    if ((rc = sync_team_officer_keys(ctx, st, &team)) != AT_OK)
        goto out;
    json_array_foreach(team, i, key) {
        if (n == SYNC_OFFICERS_MAX)
            break;
        buf_putc(out, n++ ? ',' : ' ');
        buf_puts(out, json_string_value(key));
    }
out:
    json_decref(team);
    buf_free(&id);
    return rc;
}

int sync_line_parse(struct at_ctx *ctx, const char *line, struct sync_peer *p)
{
    char *copy = xstrdup(line), *save = NULL, *word[6] = { 0 };
    int n = 0, rc = AT_EINVAL;

    memset(p, 0, sizeof *p);
    for (char *w = strtok_r(copy, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save))
        if (n < 6)
            word[n++] = w;
    if (n < 5 || n > 6 || strcmp(word[0], LINE_TAG) != 0) {
        ctx_error(ctx, AT_EINVAL, "line: not a peer's key line (\"" LINE_TAG " 1 ARCHIVE-ID "
                  "SIGN-KEY BOX-KEY [OFFICER-KEYS]\", as `attest key show` prints it)");
        goto out;
    }
    if (strcmp(word[1], LINE_VERSION) != 0) {
        ctx_error(ctx, AT_EINVAL, "line: version %s of the key line; this attest reads "
                  "version " LINE_VERSION, word[1]);
        goto out;
    }
    if (strlen(word[2]) != 32 || strspn(word[2], "0123456789abcdef") != 32) {
        ctx_error(ctx, AT_EINVAL, "line: the archive id must be 32 lowercase hex digits");
        goto out;
    }
    memcpy(p->archive, word[2], 33);
    if (b64_key(word[3], strlen(word[3]), p->sign_pk, sizeof p->sign_pk) != AT_OK
        || b64_key(word[4], strlen(word[4]), p->box_pk, sizeof p->box_pk) != AT_OK) {
        ctx_error(ctx, AT_EINVAL, "line: the signing key and the box key must be %d and %d "
                  "bytes in base64", crypto_sign_PUBLICKEYBYTES, crypto_box_PUBLICKEYBYTES);
        goto out;
    }
    for (const char *o = n == 6 ? word[5] : NULL; o && *o;) {
        size_t len = strcspn(o, ",");
        if (p->nofficers == SYNC_OFFICERS_MAX
            || b64_key(o, len, p->officers[p->nofficers], crypto_box_PUBLICKEYBYTES) != AT_OK) {
            ctx_error(ctx, AT_EINVAL, "line: the officers' keys must be at most %d keys of %d "
                      "bytes in base64, separated by commas", SYNC_OFFICERS_MAX,
                      crypto_box_PUBLICKEYBYTES);
            goto out;
        }
        p->nofficers++;
        o += len + (o[len] == ',');
    }
    rc = AT_OK;
out:
    free(copy);
    return rc;
}

/* A peer's name: what `peers add` and `sync export --to` are given. */
static int check_name(struct at_ctx *ctx, const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 40 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != len)
        return ctx_error(ctx, AT_EINVAL, "name \"%s\": a peer's name is 1 to 40 characters of "
                         "a-z, 0-9, '-', '_' and '.'", name);
    return AT_OK;
}

static int tier_check(struct at_ctx *ctx, const char *tier)
{
    if (strcmp(tier, "team") != 0 && strcmp(tier, "partner") != 0)
        return ctx_error(ctx, AT_EINVAL, "tier \"%s\": valid: team (everything, identities "
                         "sealed to its officers), partner (what the partner tier allows)", tier);
    return AT_OK;
}

/* Logs a change of peers. */
static int log_peer(struct at_ctx *ctx, struct store *st, const char *event, const char *name,
                    const char *archive, const char *tier)
{
    char now[21];
    json_t *doc;
    int64_t seq;
    int rc;

    canonical_now(now);
    doc = json_pack("{s:s, s:s, s:s*, s:s*, s:s, s:s}", "event", event, "name", name,
                    "archive", archive, "tier", tier, "by", store_session(st)->user, "at", now);
    rc = evlog_append_item(ctx, st, "peer", name, doc, &seq);
    json_decref(doc);
    return rc;
}

int sync_peer_add(struct at_ctx *ctx, struct store *st, const char *name, const char *line,
                  const char *tier)
{
    static const char sql[] =
        "INSERT INTO peer(name, archive, tier, line, added_by, added_at) VALUES (?1, ?2, ?3, ?4,"
        " ?5, ?6) ON CONFLICT(name) DO UPDATE SET archive = excluded.archive,"
        " tier = excluded.tier, line = excluded.line, added_by = excluded.added_by,"
        " added_at = excluded.added_at,"
        " mark = CASE WHEN archive = excluded.archive THEN mark END";
    struct sync_peer p;
    struct buf self = BUF_INIT;
    sqlite3_stmt *stmt;
    char now[21];
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_MANAGE_PEERS, 0)) != AT_OK
        || (rc = check_name(ctx, name)) != AT_OK || (rc = tier_check(ctx, tier)) != AT_OK
        || (rc = sync_line_parse(ctx, line, &p)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK)
        goto out;
    if (strcmp(p.archive, buf_str(&self)) == 0) {
        rc = ctx_error(ctx, AT_EINVAL, "line: that is this archive's own key line");
        goto out;
    }
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    canonical_now(now);
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, p.archive, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, tier, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, line, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, store_session(st)->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = sqlite3_extended_errcode(store_db(st)) == SQLITE_CONSTRAINT_UNIQUE
                 ? ctx_error(ctx, AT_ECONFLICT, "line: archive %s is pinned already under "
                             "another name (see `attest peers list`)", p.archive)
                 : store_error(ctx, st, "pinning a peer");
        sqlite3_reset(stmt);
        goto out;
    }
    sqlite3_reset(stmt);
    rc = log_peer(ctx, st, "pinned", name, p.archive, tier);
out:
    buf_free(&self);
    return rc;
}

int sync_peer_change(struct at_ctx *ctx, struct store *st, const char *sql, const char *name,
                     const char *value, const char *doing)
{
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_MANAGE_PEERS, 0)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(stmt) > 1)
        sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return store_error(ctx, st, doing);
    if (sqlite3_changes(store_db(st)) == 0)
        return ctx_error(ctx, AT_ENOTFOUND, "no peer named \"%s\" (see `attest peers list`)",
                         name);
    return AT_OK;
}

int sync_peer_remove(struct at_ctx *ctx, struct store *st, const char *name)
{
    int rc = sync_peer_change(ctx, st, "DELETE FROM peer WHERE name = ?1", name, NULL,
                              "removing a peer");

    return rc == AT_OK ? log_peer(ctx, st, "unpinned", name, NULL, NULL) : rc;
}

int sync_peer_exchanged(struct at_ctx *ctx, struct store *st, const char *name, const char *kind)
{
    static const char sql[] = "UPDATE peer SET exchanged = ?2, exchanged_at = ?3 WHERE name = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char now[21];
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    canonical_now(now);
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? AT_OK : store_error(ctx, st, "recording an exchange with a peer");
}

/* Reads the peer named name (or, name NULL, the one of archive). */
int sync_peer_get(struct at_ctx *ctx, struct store *st, const char *name, const char *archive,
                  struct sync_peer *out)
{
    static const char by_name[] =
        "SELECT name, tier, line, mark, url, cacert FROM peer WHERE name = ?1";
    static const char by_archive[] =
        "SELECT name, tier, line, mark, url, cacert FROM peer WHERE archive = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, name ? by_name : by_archive);
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, name ? name : archive, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE)
            return store_error(ctx, st, "reading peers");
        if (name)
            return ctx_error(ctx, AT_ENOTFOUND, "no peer named \"%s\" (pin it with `attest peers "
                             "add NAME LINE`; see `attest peers list`)", name);
        return ctx_error(ctx, AT_ENOTFOUND, "archive %s is not a pinned peer", archive);
    }
    rc = sync_line_parse(ctx, (const char *)sqlite3_column_text(stmt, 2), out);
    snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(stmt, 0));
    out->partner = strcmp((const char *)sqlite3_column_text(stmt, 1), "partner") == 0;
    out->mark = sqlite3_column_type(stmt, 3) == SQLITE_NULL
                    ? NULL : xstrdup((const char *)sqlite3_column_text(stmt, 3));
    out->url = sqlite3_column_type(stmt, 4) == SQLITE_NULL
                   ? NULL : xstrdup((const char *)sqlite3_column_text(stmt, 4));
    out->cacert = sqlite3_column_type(stmt, 5) == SQLITE_NULL
                      ? NULL : xstrdup((const char *)sqlite3_column_text(stmt, 5));
    sqlite3_reset(stmt);
    return rc;
}

void sync_peer_free(struct sync_peer *p)
{
    free(p->mark);
    free(p->url);
    free(p->cacert);
    p->mark = p->url = p->cacert = NULL;
}

int sync_peer_list(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] =
        "SELECT name, archive, tier, line, added_by, added_at, mark, url, exchanged, exchanged_at,"
        " cacert FROM peer ORDER BY name";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        struct at_ctx quiet = { 0 };
        struct sync_peer p;
        struct buf sign = BUF_INIT;
        json_t *mark = sqlite3_column_type(stmt, 6) == SQLITE_NULL
                           ? json_null()
                           : json_loads((const char *)sqlite3_column_text(stmt, 6), 0, NULL);
        if (sync_line_parse(&quiet, (const char *)sqlite3_column_text(stmt, 3), &p) == AT_OK)
            sync_b64(p.sign_pk, sizeof p.sign_pk, &sign);
        json_array_append_new(*out, json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:s?, s:s?, s:s?, s:s?}",
            "name", sqlite3_column_text(stmt, 0), "archive", sqlite3_column_text(stmt, 1),
            "tier", sqlite3_column_text(stmt, 2), "line", sqlite3_column_text(stmt, 3),
            "sign_pk", buf_str(&sign), "added_by", sqlite3_column_text(stmt, 4),
            "added_at", sqlite3_column_text(stmt, 5), "officers", (int)p.nofficers,
            "mark", mark ? mark : json_null(), "url", sqlite3_column_text(stmt, 7),
            "exchanged", sqlite3_column_text(stmt, 8), "exchanged_at", sqlite3_column_text(stmt, 9),
            "cacert", sqlite3_column_text(stmt, 10)));
        buf_free(&sign);
    }
    sqlite3_reset(stmt);
    return AT_OK;
}

int sync_mark_json(struct at_ctx *ctx, struct store *st, json_t **out)
{
    /* This archive's own objects are numbered by its log; another's by
     * what arrived of it, versions and items alike. */
    static const char sql[] =
        "SELECT (SELECT value FROM meta WHERE key = 'archive_id'),"
        " (SELECT coalesce(max(seq), 0) FROM log_entry)"
        " UNION ALL SELECT origin, max(oseq) FROM (SELECT origin, oseq FROM record_version"
        " UNION ALL SELECT origin, oseq FROM sync_item)"
        " WHERE origin != (SELECT value FROM meta WHERE key = 'archive_id') GROUP BY origin";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    *out = json_object();
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        json_object_set_new(*out, (const char *)sqlite3_column_text(stmt, 0),
                            json_integer(sqlite3_column_int64(stmt, 1)));
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        json_decref(*out);
        return store_error(ctx, st, "reading what the archive holds");
    }
    return AT_OK;
}

int sync_mark(struct at_ctx *ctx, struct store *st, struct buf *out)
{
    json_t *mark;
    char *text;
    int rc;

    if ((rc = sync_mark_json(ctx, st, &mark)) != AT_OK)
        return rc;
    text = canonical_text(mark);
    buf_puts(out, text);
    free(text);
    json_decref(mark);
    return AT_OK;
}

int sync_mark_parse(struct at_ctx *ctx, const char *text, json_t **out)
{
    json_t *mark = json_loads(text, 0, NULL), *v;
    const char *key;

    if (!json_is_object(mark))
        goto bad;
    json_object_foreach(mark, key, v)
        if (strlen(key) != 32 || strspn(key, "0123456789abcdef") != 32 || !json_is_integer(v)
            || json_integer_value(v) < 0)
            goto bad;
    *out = mark;
    return AT_OK;
bad:
    json_decref(mark);
    return ctx_error(ctx, AT_EINVAL, "mark: must be what `attest sync mark` prints, a JSON "
                     "object of archive id -> sequence number");
}

int sync_peer_mark(struct at_ctx *ctx, struct store *st, const char *peer, struct buf *out)
{
    struct sync_peer p;
    int rc;

    if ((rc = sync_peer_get(ctx, st, peer, NULL, &p)) != AT_OK)
        return rc;
    if (p.mark == NULL)
        rc = ctx_error(ctx, AT_ENOTFOUND, "what peer \"%s\" holds is not known yet", peer);
    else
        buf_puts(out, p.mark);
    sync_peer_free(&p);
    return rc;
}

int sync_peer_mark_set(struct at_ctx *ctx, struct store *st, const char *peer, const char *mark)
{
    /* A mark only grows: each origin's number is the higher of the two. */
    static const char sql[] = "UPDATE peer SET mark = ?2 WHERE name = ?1";
    struct sync_peer p;
    json_t *old = NULL, *now = NULL, *v;
    const char *key;
    sqlite3_stmt *stmt;
    char *text = NULL;
    int rc;

    if ((rc = sync_peer_get(ctx, st, peer, NULL, &p)) != AT_OK)
        return rc;
    if ((rc = sync_mark_parse(ctx, mark, &now)) != AT_OK)
        goto out;
    if (p.mark && sync_mark_parse(ctx, p.mark, &old) == AT_OK)
        json_object_foreach(old, key, v)
            if (json_integer_value(json_object_get(now, key)) < json_integer_value(v))
                json_object_set(now, key, v);
    ctx_clear(ctx);
    text = canonical_text(now);
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(ctx, st, "recording a peer's mark");
    sqlite3_reset(stmt);
out:
    free(text);
    json_decref(old);
    json_decref(now);
    sync_peer_free(&p);
    return rc;
}

int sync_conflicts(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] =
        "SELECT k.id, c.type, c.version FROM record_conflict k JOIN record_current c"
        " ON c.id = k.id WHERE c.clearance <= ?1 ORDER BY k.id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_int(stmt, 1, access_session_clearance(store_session(st)));
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        json_t *heads;
        if ((rc = record_heads(ctx, st, id, &heads)) == AT_OK)
            json_array_append_new(*out, json_pack("{s:s, s:s, s:o, s:i}", "id", id,
                                                  "type", sqlite3_column_text(stmt, 1),
                                                  "heads", heads,
                                                  "current", sqlite3_column_int(stmt, 2)));
    }
    sqlite3_reset(stmt);
    if (rc != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* Whether the base64 key b64 is one of this archive's own officers'. */
static bool own_officer(struct store *st, const char *b64)
{
    static const char sql[] = "SELECT 1 FROM user WHERE role = 'officer' AND box_pk = ?1";
    uint8_t pk[crypto_box_PUBLICKEYBYTES];
    sqlite3_stmt *stmt;
    bool own;

    if (b64_key(b64, strlen(b64), pk, sizeof pk) != AT_OK
        || (stmt = store_stmt(&(struct at_ctx){ 0 }, st, sql)) == NULL)
        return false;
    sqlite3_bind_blob(stmt, 1, pk, sizeof pk, SQLITE_STATIC);
    own = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    return own;
}

int sync_team_officer_keys(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] = "SELECT line FROM peer WHERE tier = 'team' ORDER BY name";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *lines = json_array(), *line;
    size_t i;

    if (stmt == NULL) {
        json_decref(lines);
        return AT_ERR;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(lines, json_string((const char *)sqlite3_column_text(stmt, 0)));
    sqlite3_reset(stmt);
    *out = json_array();
    /* Each key once, and not this archive's own officers' (a team peer's
     * line names them too when it passes identities on). */
    json_array_foreach(lines, i, line) {
        struct at_ctx quiet = { 0 };
        struct sync_peer p;
        if (sync_line_parse(&quiet, json_string_value(line), &p) != AT_OK)
            continue;
        for (size_t k = 0; k < p.nofficers; k++) {
            struct buf b = BUF_INIT;
            json_t *have;
            size_t j;
            bool dup = false;
            sync_b64(p.officers[k], crypto_box_PUBLICKEYBYTES, &b);
            json_array_foreach(*out, j, have)
                dup = dup || strcmp(json_string_value(have), buf_str(&b)) == 0;
            if (!dup && !own_officer(st, buf_str(&b)))
                json_array_append_new(*out, json_string(buf_str(&b)));
            buf_free(&b);
        }
    }
    json_decref(lines);
    return AT_OK;
}

/* ---- proofs of origin ---------------------------------------------------- */

int sync_travel_upto(struct at_ctx *ctx, struct store *st, int64_t *upto)
{
    static const char sql[] =
        "SELECT coalesce(max(json_extract(doc, '$.upto')), 0) FROM log_item WHERE kind = 'travel'";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    *upto = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_reset(stmt);
    return AT_OK;
}

/* This archive's id, signing key and travel mark, read once into seen. */
static int seen_self(struct at_ctx *ctx, struct store *st, struct sync_seen *seen)
{
    struct buf self = BUF_INIT;
    int rc;

    if (seen->self[0] != '\0')
        return AT_OK;
    if ((rc = store_meta_get(ctx, st, "archive_id", &self)) == AT_OK
        && (rc = keys_sign_pk(ctx, st, seen->self_pk)) == AT_OK
        && (rc = sync_travel_upto(ctx, st, &seen->upto)) == AT_OK)
        snprintf(seen->self, sizeof seen->self, "%s", buf_str(&self));
    buf_free(&self);
    return rc;
}

/* An entry of this archive's own log that comes back from elsewhere
 * (after `attest travel`): its text must be the one whose leaf the log
 * kept, and unless its text is still here, at or below what a travel
 * sent away (upto). */
static int own_entry(struct at_ctx *ctx, struct store *st, const struct wire_proof *p,
                     const char *origin, int64_t oseq, int64_t upto)
{
    static const char sql[] =
        "SELECT leaf, EXISTS (SELECT 1 FROM log_item WHERE seq = ?1)"
        " OR EXISTS (SELECT 1 FROM record_version WHERE log_seq = ?1)"
        " FROM log_entry WHERE seq = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    uint8_t leaf[MERKLE_HASH_LEN];
    bool found, here = false, same = false;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, oseq);
    if ((found = sqlite3_step(stmt) == SQLITE_ROW)) {
        merkle_leaf_hash(p->text, p->text_len, leaf);
        same = sqlite3_column_bytes(stmt, 0) == MERKLE_HASH_LEN
               && memcmp(sqlite3_column_blob(stmt, 0), leaf, sizeof leaf) == 0;
        here = sqlite3_column_int(stmt, 1);
    }
    sqlite3_reset(stmt);
    if (!found || (!here && oseq > upto))
        return ctx_error(ctx, AT_ECORRUPT, "%s/%lld claims to be this archive's own, but it is "
                         "beyond what `attest travel` sent away (entries up to %lld): refused",
                         origin, (long long)oseq, (long long)upto);
    if (!same)
        return ctx_error(ctx, AT_ECORRUPT, "%s/%lld claims to be this archive's own, but it is "
                         "not what this archive's log holds at entry %lld: refused", origin,
                         (long long)oseq, (long long)oseq);
    return AT_OK;
}

/* The key origin's tree heads are signed with (see sync_proof_verify). */
static void proof_key(struct store *st, const struct sync_peer *sender, const struct wire_proof *p,
                      const char *origin, const struct sync_seen *seen,
                      uint8_t key[crypto_sign_PUBLICKEYBYTES])
{
    struct sync_peer pinned;

    if (strcmp(origin, seen->self) == 0) {
        memcpy(key, seen->self_pk, crypto_sign_PUBLICKEYBYTES);
    } else if (sender && strcmp(origin, sender->archive) == 0) {
        memcpy(key, sender->sign_pk, crypto_sign_PUBLICKEYBYTES);
    } else if (sync_peer_get(&(struct at_ctx){ 0 }, st, NULL, origin, &pinned) == AT_OK) {
        memcpy(key, pinned.sign_pk, crypto_sign_PUBLICKEYBYTES);
        sync_peer_free(&pinned);
    } else {
        memcpy(key, p->sign_pk, crypto_sign_PUBLICKEYBYTES);
    }
}

int sync_proof_check(struct at_ctx *ctx, struct store *st, const struct sync_peer *sender,
                     const struct wire_proof *p, const uint8_t *leaf, const char *origin,
                     int64_t oseq, struct sync_seen *seen)
{
    uint8_t key[crypto_sign_PUBLICKEYBYTES], own_leaf[MERKLE_HASH_LEN];
    char *head_text;
    int rc;

    if (p->index != (uint64_t)oseq - 1)
        return ctx_error(ctx, AT_ECORRUPT, "the proof of %s/%lld is damaged", origin,
                         (long long)oseq);
    if ((rc = seen_self(ctx, st, seen)) != AT_OK)
        return rc;
    if (strcmp(origin, seen->self) == 0
        && (rc = own_entry(ctx, st, p, origin, oseq, seen->upto)) != AT_OK)
        return rc;
    proof_key(st, sender, p, origin, seen, key);
    if (strcmp(seen->origin, origin) != 0 || memcmp(seen->key, key, sizeof key) != 0
        || seen->head.size != p->head.size
        || memcmp(seen->head.root, p->head.root, sizeof p->head.root) != 0
        || strcmp(seen->head.signed_at, p->head.signed_at) != 0
        || memcmp(seen->head.signature, p->head.signature, sizeof p->head.signature) != 0) {
        head_text = evlog_head_text(origin, &p->head);
        int bad = crypto_sign_verify_detached(p->head.signature, (const uint8_t *)head_text,
                                              strlen(head_text), key);
        free(head_text);
        if (bad)
            return ctx_error(ctx, AT_ECORRUPT, "the tree head in the proof of %s/%lld is not "
                             "signed by archive %s", origin, (long long)oseq, origin);
        seen->head = p->head;
        snprintf(seen->origin, sizeof seen->origin, "%s", origin);
        memcpy(seen->key, key, sizeof key);
    }
    if (leaf == NULL) {
        merkle_leaf_hash(p->text, p->text_len, own_leaf);
        leaf = own_leaf;
    }
    if (merkle_verify_inclusion_after(leaf, p->index, p->head.size, &p->path, p->head.root,
                                      &seen->verified, ctx) != AT_OK)
        return ctx_error(ctx, AT_ECORRUPT, "%s/%lld is not in its origin's log: its inclusion "
                         "proof fails", origin, (long long)oseq);
    return AT_OK;
}
