/*
 * sync_pack.c: packs, written and read as streams (docs/formats-pack.md).
 *
 * On the wire: the magic line, the header (canonical JSON: sender,
 * recipient, the stream key sealed to the recipient's box key, the
 * secretstream header), frames (a length, then one secretstream message:
 * a type byte and its body), a zero length, and the sender's Ed25519
 * signature over a BLAKE2b-512 hash of everything before it.  Frames come
 * in the sender's log order, so what a version refers to comes before it.
 * An import reads the whole pack once to check the signature (spooling a
 * pipe to an unlinked file: ciphertext only), then decrypts and applies
 * it in one transaction.
 */
#include "attest.h"
#include "sync.h"
#include "sync_int.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "identity.h"
#include "keys.h"
#include "merkle.h"
#include "record.h"
#include "tier.h"
#include "vault.h"
#include "vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "ATTEST-PACK 1\n"
#define MAGIC_LEN (sizeof MAGIC - 1)
#define HEADER_MAX 4096
#define FRAME_MAX (1u << 20)   /* plaintext bytes of one frame, type byte included */
#define CT_MAX (FRAME_MAX + crypto_secretstream_xchacha20poly1305_ABYTES)
#define SIG_DOMAIN "attest pack signature 1"
#define IO_CHUNK (1u << 20)

enum frame_type {
    FRAME_VERSION = 'V',  /* {gid, base, proof} */
    FRAME_ITEM = 'I',     /* {gid, kind, proof, ...}; an evidence item's file follows */
    FRAME_DATA = 'D',     /* raw bytes of the file being sent */
    FRAME_FILE_END = 'E', /* the file is whole */
    FRAME_MARK = 'M',     /* {mark}: what the sender holds */
    FRAME_END = 'Z',      /* the last frame (secretstream's FINAL tag) */
};

typedef crypto_secretstream_xchacha20poly1305_state stream_state;

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int write_all(struct at_ctx *ctx, int fd, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ctx_error(ctx, AT_ERR, "cannot write the pack: %s", strerror(errno));
        p += n, len -= (size_t)n;
    }
    return AT_OK;
}

/* ---- writing ------------------------------------------------------------ */

struct pack_out {
    int fd;
    stream_state ss;
    crypto_generichash_state hash;
    struct buf wire;       /* bytes not yet written */
    uint8_t *plain, *ct;   /* FRAME_MAX, CT_MAX */
    uint64_t bytes;
};

static int out_raw(struct at_ctx *ctx, struct pack_out *po, const void *data, size_t len)
{
    crypto_generichash_update(&po->hash, data, len);
    buf_append(&po->wire, data, len);
    po->bytes += len;
    if (po->wire.len < IO_CHUNK)
        return AT_OK;
    int rc = write_all(ctx, po->fd, po->wire.data, po->wire.len);
    po->wire.len = 0;
    return rc;
}

/* One frame: type and body, encrypted as one message of the stream. */
static int out_frame(struct at_ctx *ctx, struct pack_out *po, char type, const void *body,
                     size_t len)
{
    unsigned long long ctlen;
    uint8_t n[4];
    int rc;

    if (len + 1 > FRAME_MAX)
        return ctx_error(ctx, AT_ERR, "a pack frame of %zu bytes is too long", len);
    po->plain[0] = (uint8_t)type;
    if (len)
        memcpy(po->plain + 1, body, len);
    crypto_secretstream_xchacha20poly1305_push(
        &po->ss, po->ct, &ctlen, po->plain, len + 1, NULL, 0,
        type == FRAME_END ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    put_u32(n, (uint32_t)ctlen);
    if ((rc = out_raw(ctx, po, n, sizeof n)) != AT_OK)
        return rc;
    return out_raw(ctx, po, po->ct, (size_t)ctlen);
}

static int out_json(struct at_ctx *ctx, struct pack_out *po, char type, json_t *doc)
{
    char *text = canonical_text(doc);
    int rc = out_frame(ctx, po, type, text, strlen(text));

    free(text);
    return rc;
}

/* The head every proof of this archive's own objects is against. */
struct own_head {
    char archive[33];
    struct tree_head head;
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
};

/* The proof that text is entry seq of this archive's log, against h. */
static int own_proof(struct at_ctx *ctx, struct store *st, const struct own_head *h,
                     const char *text, int64_t seq, json_t **out)
{
    struct merkle_proof p;
    char root[2 * MERKLE_HASH_LEN + 1], sig[129];
    struct buf pk = BUF_INIT;
    int rc;

    if ((uint64_t)seq > h->head.size)
        return ctx_error(ctx, AT_ERR, "log entry %lld is not under a signed tree head yet",
                         (long long)seq);
    if ((rc = evlog_inclusion_proof(ctx, st, (uint64_t)seq - 1, h->head.size, &p)) != AT_OK)
        return rc;
    merkle_hash_hex(h->head.root, root);
    sodium_bin2hex(sig, sizeof sig, h->head.signature, sizeof h->head.signature);
    sync_b64(h->sign_pk, sizeof h->sign_pk, &pk);
    *out = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:o, s:s}", "text", text,
                     "index", (json_int_t)seq - 1, "size", (json_int_t)h->head.size, "root", root,
                     "signed_at", h->head.signed_at, "signature", sig,
                     "hashes", evlog_proof_json(&p), "sign_pk", buf_str(&pk));
    buf_free(&pk);
    return AT_OK;
}

/* What the pack holds of a thing written at (origin, oseq): the proof
 * stored with it when it came from elsewhere, or one made now. */
static int proof_of(struct at_ctx *ctx, struct store *st, const struct own_head *h,
                    const char *origin, int64_t oseq, const char *stored, const char *text,
                    json_t **out)
{
    if (strcmp(origin, h->archive) == 0)
        return own_proof(ctx, st, h, text, oseq, out);
    if (stored == NULL || (*out = json_loads(stored, 0, NULL)) == NULL)
        return ctx_error(ctx, AT_ECORRUPT, "the proof kept for %s/%lld is missing or not JSON",
                         origin, (long long)oseq);
    return AT_OK;
}

struct exporter {
    struct at_ctx *ctx;
    struct store *st;
    struct pack_out *po;
    struct own_head own;
    const struct sync_peer *peer;
    struct sync_stats *stats;
};

/* Whether a version may go to the peer: everything to the team; to a
 * partner, what tier.c lets out at the partner tier, and not redacted
 * (a redacted copy would not match its proof). */
static int version_allowed(struct exporter *x, json_t *doc, bool *allowed)
{
    json_t *out = NULL;
    bool redacted = false;
    int rc;

    *allowed = true;
    if (!x->peer->partner)
        return AT_OK;
    if ((rc = tier_apply(x->ctx, x->st, TIER_PARTNER, doc, &out, &redacted)) != AT_OK)
        return rc;
    *allowed = out != NULL && !redacted;
    json_decref(out);
    return AT_OK;
}

static int export_version(struct exporter *x, sqlite3_stmt *row)
{
    static const char base_sql[] =
        "SELECT base_origin || '/' || base_oseq FROM record_base WHERE id = ?1 AND version = ?2"
        " ORDER BY 1";
    const char *id = (const char *)sqlite3_column_text(row, 2);
    const char *text = (const char *)sqlite3_column_text(row, 4);
    const char *origin = (const char *)sqlite3_column_text(row, 5);
    int64_t oseq = sqlite3_column_int64(row, 6);
    json_t *doc = json_loads(text, 0, NULL), *proof = NULL, *bases, *frame;
    sqlite3_stmt *stmt;
    bool allowed;
    int rc;

    if (doc == NULL)
        return ctx_error(x->ctx, AT_ECORRUPT, "%s: a stored version is not JSON", id);
    rc = version_allowed(x, doc, &allowed);
    json_decref(doc);
    if (rc != AT_OK || !allowed)
        return rc;
    if ((rc = proof_of(x->ctx, x->st, &x->own, origin, oseq,
                       (const char *)sqlite3_column_text(row, 7), text, &proof)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(x->ctx, x->st, base_sql)) == NULL) {
        json_decref(proof);
        return AT_ERR;
    }
    bases = json_array();
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, sqlite3_column_int(row, 3));
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(bases, json_string((const char *)sqlite3_column_text(stmt, 0)));
    sqlite3_reset(stmt);
    frame = json_pack("{s:s+++, s:o, s:o}", "gid", origin, "/",
                      (const char *)sqlite3_column_text(row, 6), "", "base", bases,
                      "proof", proof);
    rc = out_json(x->ctx, x->po, FRAME_VERSION, frame);
    json_decref(frame);
    x->stats->versions++;
    return rc;
}

/* The identity of the evidence item whose vault id is ref: its first
 * evidence entry's, as written here or as imported. */
static int evidence_gid(struct at_ctx *ctx, struct store *st, const char *self, const char *ref,
                        struct buf *out)
{
    static const char sql[] =
        "SELECT coalesce(s.origin, ?2), coalesce(s.oseq, i.seq) FROM log_item i"
        " LEFT JOIN sync_item s ON s.seq = i.seq AND s.held = 1"
        " WHERE i.kind = 'evidence' AND i.ref = ?1 ORDER BY i.seq LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, self, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        buf_printf(out, "%s/%lld", sqlite3_column_text(stmt, 0),
                   (long long)sqlite3_column_int64(stmt, 1));
    else
        rc = ctx_error(ctx, AT_ECORRUPT, "evidence item %s has no log entry", ref);
    sqlite3_reset(stmt);
    return rc;
}

static int export_file(struct exporter *x, const char *id)
{
    struct vault_reader *r = NULL;
    uint64_t size;
    ssize_t n;
    int rc;

    if ((rc = vault_open(x->ctx, x->st, id, &r, &size)) != AT_OK)
        return rc;
    /* Leave room for the type byte in each frame. */
    uint8_t *chunk = xmalloc(FRAME_MAX - 1);
    while ((n = vault_read(x->ctx, r, chunk, FRAME_MAX - 1)) > 0) {
        if ((rc = out_frame(x->ctx, x->po, FRAME_DATA, chunk, (size_t)n)) != AT_OK)
            break;
        x->stats->bytes += (uint64_t)n;
    }
    if (rc == AT_OK && n < 0)
        rc = x->ctx->code ? x->ctx->code : AT_ERR;
    free(chunk);
    vault_close(r);
    if (rc == AT_OK)
        rc = out_frame(x->ctx, x->po, FRAME_FILE_END, NULL, 0);
    x->stats->files += rc == AT_OK;
    return rc;
}

/* An evidence or custody item: the proof, what the receiver needs to
 * store it again (the file's metadata, or the custody event in clear,
 * inside the pack's encryption), and for evidence the file itself. */
static int export_item(struct exporter *x, sqlite3_stmt *row)
{
    static const char index_sql[] =
        "SELECT count(*) FROM log_item WHERE kind = 'custody' AND ref = ?1 AND seq < ?2";
    const char *kind = (const char *)sqlite3_column_text(row, 3);
    const char *ref = (const char *)sqlite3_column_text(row, 2);
    const char *origin = (const char *)sqlite3_column_text(row, 5);
    int64_t oseq = sqlite3_column_int64(row, 6);
    bool evidence = strcmp(kind, "evidence") == 0;
    json_t *item = NULL, *events = NULL, *proof = NULL, *frame = NULL;
    struct buf ev_gid = BUF_INIT;
    int clearance = CLEARANCE_CONFIDENTIAL, rc;

    if ((rc = vault_item(x->ctx, x->st, ref, &item)) != AT_OK)
        goto out;
    vocab_clearance_parse(x->ctx, json_string_value(json_object_get(item, "clearance")) ?: "",
                          &clearance);
    ctx_clear(x->ctx);
    if (x->peer->partner && clearance > CLEARANCE_PARTNER)
        goto out;
    if ((rc = proof_of(x->ctx, x->st, &x->own, origin, oseq,
                       (const char *)sqlite3_column_text(row, 7),
                       (const char *)sqlite3_column_text(row, 4), &proof)) != AT_OK
        || (rc = evidence_gid(x->ctx, x->st, x->own.archive, ref, &ev_gid)) != AT_OK)
        goto out;
    if (evidence) {
        struct buf parent = BUF_INIT;
        /* The commitment its origin logged is to the origin's salt. */
        json_t *salt = json_object_get(proof, "salt");
        if (strcmp(origin, x->own.archive) != 0 && json_is_string(salt))
            json_object_set(item, "salt", salt);
        const char *p = json_string_value(json_object_get(item, "parent"));
        if (p && (rc = evidence_gid(x->ctx, x->st, x->own.archive, p, &parent)) != AT_OK)
            goto out;
        json_object_set_new(item, "parent", p ? json_string(buf_str(&parent)) : json_null());
        buf_free(&parent);
        json_object_del(item, "id");
        frame = json_pack("{s:s+++, s:s, s:O, s:O}", "gid", origin, "/",
                          (const char *)sqlite3_column_text(row, 6), "", "kind", kind,
                          "proof", proof, "item", item);
    } else {
        sqlite3_stmt *stmt = store_stmt(x->ctx, x->st, index_sql);
        int k;
        if (stmt == NULL) {
            rc = AT_ERR;
            goto out;
        }
        sqlite3_bind_text(stmt, 1, ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, sqlite3_column_int64(row, 1));
        sqlite3_step(stmt);
        k = sqlite3_column_int(stmt, 0);
        sqlite3_reset(stmt);
        /* vault_custody lists the item's addition first, then its events. */
        if ((rc = vault_custody(x->ctx, x->st, ref, &events)) != AT_OK)
            goto out;
        json_t *event = json_array_get(events, (size_t)k + 1);
        if (event == NULL) {
            rc = ctx_error(x->ctx, AT_ECORRUPT, "custody event %d of %s cannot be read", k, ref);
            goto out;
        }
        json_object_del(event, "evidence");
        frame = json_pack("{s:s+++, s:s, s:O, s:s, s:O}", "gid", origin, "/",
                          (const char *)sqlite3_column_text(row, 6), "", "kind", kind,
                          "proof", proof, "evidence", buf_str(&ev_gid), "event", event);
    }
    if ((rc = out_json(x->ctx, x->po, FRAME_ITEM, frame)) != AT_OK)
        goto out;
    x->stats->items++;
    if (evidence)
        rc = export_file(x, ref);
out:
    json_decref(item);
    json_decref(events);
    json_decref(proof);
    json_decref(frame);
    buf_free(&ev_gid);
    return rc;
}

/* A witness identity, to a team peer: only the boxes sealed to that
 * peer's officers (entries "peer:KEY" of the logged item, KEY from its key
 * line: sealed here, or received sealed from another team archive to be
 * passed on); nothing when none is.  Never to a partner. */
static int export_identity(struct exporter *x, sqlite3_stmt *row)
{
    const char *origin = (const char *)sqlite3_column_text(row, 5);
    json_t *doc, *sealed, *boxes, *proof = NULL, *frame;
    int rc;

    if (x->peer->partner)
        return AT_OK;
    if ((doc = json_loads((const char *)sqlite3_column_text(row, 4), 0, NULL)) == NULL)
        return ctx_error(x->ctx, AT_ECORRUPT, "an identity entry is not JSON");
    sealed = json_object_get(doc, "sealed");
    boxes = json_object();
    for (size_t i = 0; i < x->peer->nofficers; i++) {
        struct buf key = BUF_INIT, name = BUF_INIT;
        sync_b64(x->peer->officers[i], crypto_box_PUBLICKEYBYTES, &key);
        buf_printf(&name, "peer:%s", buf_str(&key));
        json_t *box = json_object_get(sealed, buf_str(&name));
        if (box)
            json_object_set(boxes, buf_str(&key), box);
        buf_free(&key);
        buf_free(&name);
    }
    rc = json_object_size(boxes) == 0
             ? AT_OK
             : proof_of(x->ctx, x->st, &x->own, origin, sqlite3_column_int64(row, 6),
                        (const char *)sqlite3_column_text(row, 7),
                        (const char *)sqlite3_column_text(row, 4), &proof);
    if (rc == AT_OK && proof) {
        frame = json_pack("{s:s+++, s:s, s:o, s:s, s:O}", "gid", origin, "/",
                          (const char *)sqlite3_column_text(row, 6), "", "kind", "identity",
                          "proof", proof, "witness", (const char *)sqlite3_column_text(row, 2),
                          "boxes", boxes);
        rc = out_json(x->ctx, x->po, FRAME_ITEM, frame);
        json_decref(frame);
        x->stats->items += rc == AT_OK;
    }
    json_decref(boxes);
    json_decref(doc);
    return rc;
}

/* Everything above mark, in this archive's log order: versions, and the
 * evidence and custody items (this archive's own, and those imported). */
static int export_body(struct exporter *x, const char *mark)
{
    static const char sql[] =
        "SELECT 'v', v.log_seq, v.id, v.version, v.doc, v.origin, v.oseq, v.proof"
        " FROM record_version v"
        " WHERE v.oseq > coalesce(json_extract(?1, '$.\"' || v.origin || '\"'), 0)"
        " UNION ALL SELECT 'i', i.seq, i.ref, i.kind, i.doc, coalesce(s.origin, ?2),"
        " coalesce(s.oseq, i.seq), s.proof FROM log_item i"
        " LEFT JOIN sync_item s ON s.seq = i.seq AND s.held = 1"
        " WHERE i.kind IN ('evidence', 'custody', 'identity')"
        " AND coalesce(s.oseq, i.seq) > coalesce(json_extract(?1, '$.\"' ||"
        " coalesce(s.origin, ?2) || '\"'), 0)"
        " ORDER BY 2";
    sqlite3_stmt *stmt;
    int rc = AT_OK, step;

    /* Its own statement: the rows are read while others run. */
    if (sqlite3_prepare_v2(store_db(x->st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return store_error(x->ctx, x->st, "listing what to send");
    sqlite3_bind_text(stmt, 1, mark, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, x->own.archive, -1, SQLITE_STATIC);
    while (rc == AT_OK && (step = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = *sqlite3_column_text(stmt, 0) == 'v'
                 ? export_version(x, stmt)
                 : strcmp((const char *)sqlite3_column_text(stmt, 3), "identity") == 0
                       ? export_identity(x, stmt) : export_item(x, stmt);
    if (rc == AT_OK && step != SQLITE_DONE)
        rc = store_error(x->ctx, x->st, "listing what to send");
    sqlite3_finalize(stmt);
    return rc;
}

int sync_export(struct at_ctx *ctx, struct store *st, const char *peer, const char *since_mark,
                int fd, struct sync_stats *stats)
{
    struct sync_stats local = { 0 };
    struct sync_peer p = { 0 };
    struct pack_out po = { .fd = fd };
    struct exporter x = { .ctx = ctx, .st = st, .po = &po, .peer = &p,
                          .stats = stats ? stats : &local };
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    uint8_t sealed[sizeof key + crypto_box_SEALBYTES];
    uint8_t ssh[crypto_secretstream_xchacha20poly1305_HEADERBYTES], n[4], digest[64];
    uint8_t sig[crypto_sign_BYTES];
    struct buf self = BUF_INIT, b_sealed = BUF_INIT, b_ssh = BUF_INIT, msg = BUF_INIT;
    json_t *header = NULL, *mark = NULL;
    char now[21], *htext = NULL, *mtext = NULL;
    const struct session *s = store_session(st);
    bool begun = false;
    int rc;

    if ((rc = access_check(ctx, s, ACTION_SYNC, 0)) != AT_OK
        || (rc = sync_peer_get(ctx, st, peer, NULL, &p)) != AT_OK)
        goto out;
    if (since_mark) {
        json_t *m;
        if ((rc = sync_mark_parse(ctx, since_mark, &m)) != AT_OK)
            goto out;
        json_decref(m);
    }
    /* One snapshot of the archive for the whole pack. */
    if ((rc = store_exec(ctx, st, "BEGIN")) != AT_OK)
        goto out;
    begun = true;
    if ((rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK
        || (rc = keys_sign_pk(ctx, st, x.own.sign_pk)) != AT_OK
        || (rc = evlog_latest_head(ctx, st, &x.own.head)) != AT_OK
        || (rc = sync_mark_json(ctx, st, &mark)) != AT_OK)
        goto out;
    snprintf(x.own.archive, sizeof x.own.archive, "%s", buf_str(&self));
    crypto_secretstream_xchacha20poly1305_keygen(key);
    crypto_box_seal(sealed, key, sizeof key, p.box_pk);
    crypto_secretstream_xchacha20poly1305_init_push(&po.ss, ssh, key);
    sodium_memzero(key, sizeof key);
    sync_b64(sealed, sizeof sealed, &b_sealed);
    sync_b64(ssh, sizeof ssh, &b_ssh);
    canonical_now(now);
    header = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "format", 1,
                       "from", buf_str(&self), "to", p.archive, "created_at", now,
                       "tier", p.partner ? "partner" : "team",
                       "key", buf_str(&b_sealed), "stream", buf_str(&b_ssh));
    htext = canonical_text(header);
    po.plain = xmalloc(FRAME_MAX);
    po.ct = xmalloc(CT_MAX);
    crypto_generichash_init(&po.hash, NULL, 0, sizeof digest);
    put_u32(n, (uint32_t)strlen(htext));
    if ((rc = out_raw(ctx, &po, MAGIC, MAGIC_LEN)) != AT_OK
        || (rc = out_raw(ctx, &po, n, sizeof n)) != AT_OK
        || (rc = out_raw(ctx, &po, htext, strlen(htext))) != AT_OK
        || (rc = export_body(&x, since_mark ? since_mark : p.mark ? p.mark : "{}")) != AT_OK)
        goto out;
    json_t *mframe = json_pack("{s:O}", "mark", mark);
    rc = out_json(ctx, &po, FRAME_MARK, mframe);
    json_decref(mframe);
    if (rc != AT_OK || (rc = out_frame(ctx, &po, FRAME_END, NULL, 0)) != AT_OK)
        goto out;
    put_u32(n, 0);
    if ((rc = out_raw(ctx, &po, n, sizeof n)) != AT_OK)
        goto out;
    crypto_generichash_final(&po.hash, digest, sizeof digest);
    buf_append(&msg, SIG_DOMAIN, sizeof SIG_DOMAIN);
    buf_append(&msg, digest, sizeof digest);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg.data, msg.len, s->sign_sk);
    buf_append(&po.wire, sig, sizeof sig);
    rc = write_all(ctx, fd, po.wire.data, po.wire.len);
    po.wire.len = 0;
out:
    if (begun)
        store_exec(&(struct at_ctx){ 0 }, st, rc == AT_OK ? "COMMIT" : "ROLLBACK");
    free(po.plain);
    free(po.ct);
    free(htext);
    free(mtext);
    buf_free(&po.wire);
    buf_free(&self);
    buf_free(&b_sealed);
    buf_free(&b_ssh);
    buf_free(&msg);
    json_decref(header);
    json_decref(mark);
    sync_peer_free(&p);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* A buffered reader of the pack, hashing what it reads; while spool >= 0
 * it also copies the bytes there (a pipe is read twice that way). */
struct pack_in {
    int fd, spool;
    uint8_t *buf;
    size_t pos, len;
    uint64_t offset;
    bool hashing;
    crypto_generichash_state hash;
};

static int in_fill(struct at_ctx *ctx, struct pack_in *pi)
{
    ssize_t n;

    do
        n = read(pi->fd, pi->buf, IO_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return ctx_error(ctx, AT_ERR, "cannot read the pack: %s", strerror(errno));
    if (n > 0 && pi->spool >= 0 && write_all(ctx, pi->spool, pi->buf, (size_t)n) != AT_OK)
        return AT_ERR;
    pi->pos = 0;
    pi->len = (size_t)n;
    return AT_OK;
}

/* Reads exactly len bytes (out NULL: skips them); AT_EINVAL when the pack
 * ends first. */
static int in_read(struct at_ctx *ctx, struct pack_in *pi, void *out, size_t len)
{
    uint8_t *o = out;

    while (len > 0) {
        if (pi->pos == pi->len) {
            if (in_fill(ctx, pi) != AT_OK)
                return AT_ERR;
            if (pi->len == 0)
                return ctx_error(ctx, AT_EINVAL, "the pack is truncated: it ends at byte %llu, "
                                 "before its end and signature", (unsigned long long)pi->offset);
        }
        size_t take = pi->len - pi->pos < len ? pi->len - pi->pos : len;
        if (pi->hashing)
            crypto_generichash_update(&pi->hash, pi->buf + pi->pos, take);
        if (o) {
            memcpy(o, pi->buf + pi->pos, take);
            o += take;
        }
        pi->pos += take, pi->offset += take, len -= take;
    }
    return AT_OK;
}

/* What the header says. */
struct pack_header {
    char from[33], to[33], created_at[32], tier[16];
    uint8_t sealed[crypto_secretstream_xchacha20poly1305_KEYBYTES + crypto_box_SEALBYTES];
    uint8_t ssh[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
};

static int b64_exact(const char *text, uint8_t *out, size_t len)
{
    size_t got;

    return text && sodium_base642bin(out, len, text, strlen(text), NULL, &got, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0
                   && got == len ? AT_OK : AT_EINVAL;
}

static int read_header(struct at_ctx *ctx, struct pack_in *pi, struct pack_header *h)
{
    uint8_t magic[MAGIC_LEN], n[4];
    char *text = NULL;
    json_t *doc = NULL;
    uint32_t len;
    int rc;

    if ((rc = in_read(ctx, pi, magic, sizeof magic)) != AT_OK)
        return rc == AT_EINVAL ? ctx_error(ctx, AT_EINVAL, "not an attest pack (too short)") : rc;
    if (memcmp(magic, MAGIC, MAGIC_LEN) != 0)
        return ctx_error(ctx, AT_EINVAL, "not an attest pack (it does not begin with \"%.*s\")",
                         (int)MAGIC_LEN - 1, MAGIC);
    if ((rc = in_read(ctx, pi, n, sizeof n)) != AT_OK)
        return rc;
    if ((len = get_u32(n)) == 0 || len > HEADER_MAX)
        return ctx_error(ctx, AT_EINVAL, "the pack's header is damaged (length %u)", len);
    text = xmalloc(len + 1);
    if ((rc = in_read(ctx, pi, text, len)) != AT_OK)
        goto out;
    text[len] = '\0';
    doc = json_loads(text, 0, NULL);
    const char *from = json_string_value(json_object_get(doc, "from"));
    const char *to = json_string_value(json_object_get(doc, "to"));
    const char *at = json_string_value(json_object_get(doc, "created_at"));
    const char *tier = json_string_value(json_object_get(doc, "tier"));
    if (json_integer_value(json_object_get(doc, "format")) != 1 || from == NULL
        || strlen(from) != 32 || to == NULL || strlen(to) != 32 || at == NULL
        || strlen(at) >= sizeof h->created_at || tier == NULL || strlen(tier) >= sizeof h->tier
        || b64_exact(json_string_value(json_object_get(doc, "key")), h->sealed,
                     sizeof h->sealed) != AT_OK
        || b64_exact(json_string_value(json_object_get(doc, "stream")), h->ssh,
                     sizeof h->ssh) != AT_OK) {
        rc = ctx_error(ctx, AT_EINVAL, "the pack's header is damaged or of another format");
        goto out;
    }
    memcpy(h->from, from, 33);
    memcpy(h->to, to, 33);
    snprintf(h->created_at, sizeof h->created_at, "%s", at);
    snprintf(h->tier, sizeof h->tier, "%s", tier);
out:
    json_decref(doc);
    free(text);
    return rc;
}

/* Pass one: the header names this archive and a pinned sender, and the
 * sender's signature covers every byte.  Reads to the end. */
static int check_pack(struct at_ctx *ctx, struct store *st, struct pack_in *pi,
                      struct pack_header *h, struct sync_peer *sender)
{
    struct buf self = BUF_INIT, msg = BUF_INIT;
    uint8_t n[4], digest[64], sig[crypto_sign_BYTES], extra;
    uint32_t len;
    int rc;

    pi->hashing = true;
    crypto_generichash_init(&pi->hash, NULL, 0, sizeof digest);
    if ((rc = read_header(ctx, pi, h)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK)
        goto out;
    if (strcmp(h->to, buf_str(&self)) != 0) {
        rc = ctx_error(ctx, AT_EINVAL, "this pack is for archive %s, not this one (%s): "
                       "nothing in it was read", h->to, buf_str(&self));
        goto out;
    }
    if ((rc = sync_peer_get(ctx, st, NULL, h->from, sender)) != AT_OK) {
        rc = ctx_error(ctx, AT_EDENIED, "this pack is signed by archive %s, which is not a "
                       "pinned peer: pin its key line first (`attest peers add NAME LINE`)",
                       h->from);
        goto out;
    }
    for (;;) {
        if ((rc = in_read(ctx, pi, n, sizeof n)) != AT_OK)
            goto out;
        if ((len = get_u32(n)) == 0)
            break;
        if (len > CT_MAX) {
            rc = ctx_error(ctx, AT_EINVAL, "the pack is damaged: a frame of %u bytes at byte %llu",
                           len, (unsigned long long)pi->offset - 4);
            goto out;
        }
        if ((rc = in_read(ctx, pi, NULL, len)) != AT_OK)
            goto out;
    }
    crypto_generichash_final(&pi->hash, digest, sizeof digest);
    pi->hashing = false;
    if ((rc = in_read(ctx, pi, sig, sizeof sig)) != AT_OK)
        goto out;
    if (in_read(&(struct at_ctx){ 0 }, pi, &extra, 1) == AT_OK) {
        rc = ctx_error(ctx, AT_EINVAL, "the pack has bytes after its signature");
        goto out;
    }
    buf_append(&msg, SIG_DOMAIN, sizeof SIG_DOMAIN);
    buf_append(&msg, digest, sizeof digest);
    if (crypto_sign_verify_detached(sig, (const uint8_t *)msg.data, msg.len, sender->sign_pk) != 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "the pack's signature does not verify with the key "
                       "pinned for %s (%s): it was changed, or not signed by that archive",
                       sender->name, h->from);
out:
    buf_free(&self);
    buf_free(&msg);
    return rc;
}

/* ---- applying ----------------------------------------------------------- */

struct importer {
    struct at_ctx *ctx;
    struct store *st;
    struct pack_in *pi;
    stream_state ss;
    const struct sync_peer *sender;
    char self[33];
    uint8_t *plain, *ct;
    size_t plen;           /* of the last frame, type byte included */
    bool ended;
    struct sync_stats *stats;
    json_t *mark;
    struct sync_seen seen;
};

/* Reads and decrypts the next frame into im->plain. */
static int next_frame(struct importer *im)
{
    unsigned long long plen;
    uint8_t n[4], tag;
    uint32_t len;
    int rc;

    if (im->ended)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack goes on after its last frame");
    if ((rc = in_read(im->ctx, im->pi, n, sizeof n)) != AT_OK)
        return rc;
    if ((len = get_u32(n)) == 0 || len > CT_MAX)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack ends without its last frame");
    if ((rc = in_read(im->ctx, im->pi, im->ct, len)) != AT_OK)
        return rc;
    if (crypto_secretstream_xchacha20poly1305_pull(&im->ss, im->plain, &plen, &tag, im->ct, len,
                                                   NULL, 0) != 0 || plen == 0)
        return ctx_error(im->ctx, AT_ECORRUPT, "a frame of the pack does not decrypt (at byte "
                         "%llu): it was changed", (unsigned long long)im->pi->offset - len);
    im->plen = (size_t)plen;
    im->ended = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (im->ended != (im->plain[0] == FRAME_END))
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack's last frame is out of place");
    return AT_OK;
}

static json_t *frame_json(struct importer *im)
{
    json_error_t jerr;

    return json_loadb((const char *)im->plain + 1, im->plen - 1, 0, &jerr);
}

/* The gid of a frame, split; the proof checked against it. */
static int frame_origin(struct importer *im, json_t *frame, char origin[RECORD_GID_MAX],
                        int64_t *oseq)
{
    const char *gid = json_string_value(json_object_get(frame, "gid"));

    if (record_gid_parse(gid, origin, oseq) != AT_OK || strlen(origin) != 32)
        return ctx_error(im->ctx, AT_ECORRUPT, "a frame's identity \"%s\" is damaged", gid ?: "");
    return sync_proof_check(im->ctx, im->st, im->sender, json_object_get(frame, "proof"), origin,
                            *oseq, &im->seen);
}

static int apply_version(struct importer *im, json_t *frame)
{
    char origin[RECORD_GID_MAX];
    json_t *doc = NULL, *proof = json_object_get(frame, "proof");
    char *ptext = NULL;
    int64_t oseq;
    bool already;
    int rc;

    /* A version of this archive's own comes back after `attest travel`
     * removed it; record_put_synced says whether it is still held. */
    if ((rc = frame_origin(im, frame, origin, &oseq)) != AT_OK)
        return rc;
    if (!json_is_array(json_object_get(frame, "base"))
        || (doc = json_loads(json_string_value(json_object_get(proof, "text")), 0, NULL)) == NULL)
        return ctx_error(im->ctx, AT_ECORRUPT, "version %s/%lld is damaged", origin,
                         (long long)oseq);
    ptext = canonical_text(proof);
    rc = record_put_synced(im->ctx, im->st, doc,
                           &(struct record_origin){ .archive = origin, .seq = oseq,
                                                    .base = json_object_get(frame, "base"),
                                                    .proof = ptext }, &already);
    if (rc != AT_OK)
        ctx_prefix(im->ctx, "version %s/%lld: ", origin, (long long)oseq);
    else if (already)
        im->stats->skipped_already++;
    else
        im->stats->versions++;
    free(ptext);
    json_decref(doc);
    return rc;
}

/* The local vault id of the evidence item gid stands for. */
static int local_evidence(struct importer *im, const char *gid, char id[VAULT_ID_MAX])
{
    static const char own_sql[] =
        "SELECT ref FROM log_item WHERE seq = ?2 AND kind = 'evidence' AND ?1 = ?3";
    static const char other_sql[] =
        "SELECT l.ref FROM sync_item s JOIN log_item l ON l.seq = s.seq"
        " WHERE s.origin = ?1 AND s.oseq = ?2 AND ?3 IS NOT NULL";
    char origin[RECORD_GID_MAX];
    int64_t oseq;
    sqlite3_stmt *stmt;
    int step;

    if (record_gid_parse(gid, origin, &oseq) != AT_OK)
        return ctx_error(im->ctx, AT_ECORRUPT, "an evidence identity \"%s\" is damaged", gid);
    if ((stmt = store_stmt(im->ctx, im->st, strcmp(origin, im->self) == 0 ? own_sql : other_sql))
        == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, oseq);
    sqlite3_bind_text(stmt, 3, im->self, -1, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        snprintf(id, VAULT_ID_MAX, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    if (step != SQLITE_ROW)
        return ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s is not held here, and the "
                         "pack does not bring it first", gid);
    return AT_OK;
}

/* Notes that (origin, oseq) stands for the log item seq here. */
static int note_item(struct importer *im, const char *origin, int64_t oseq, int64_t seq,
                     bool held, json_t *proof)
{
    static const char sql[] =
        "INSERT INTO sync_item(origin, oseq, seq, held, proof) VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *stmt = store_stmt(im->ctx, im->st, sql);
    char *text = canonical_text(proof);
    int rc = AT_OK;

    if (stmt == NULL) {
        free(text);
        return AT_ERR;
    }
    sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, oseq);
    sqlite3_bind_int64(stmt, 3, seq);
    sqlite3_bind_int(stmt, 4, held);
    sqlite3_bind_text(stmt, 5, text, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(im->ctx, im->st, "noting an imported item");
    sqlite3_reset(stmt);
    free(text);
    return rc;
}

/* Whether the item origin/oseq is here: imported before, or this
 * archive's own and not removed by `attest travel`. */
static int item_held(struct importer *im, const char *origin, int64_t oseq, bool *held)
{
    static const char sql[] =
        "SELECT 1 FROM sync_item WHERE origin = ?1 AND oseq = ?2"
        " UNION ALL SELECT 1 FROM log_item WHERE ?1 = ?3 AND seq = ?2";
    sqlite3_stmt *stmt = store_stmt(im->ctx, im->st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, oseq);
    sqlite3_bind_text(stmt, 3, im->self, -1, SQLITE_STATIC);
    *held = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    return AT_OK;
}

/* The newest log item of kind about ref: what an add just wrote. */
static int last_item(struct importer *im, const char *kind, const char *ref, int64_t *seq)
{
    static const char sql[] = "SELECT max(seq) FROM log_item WHERE kind = ?1 AND ref = ?2";
    sqlite3_stmt *stmt = store_stmt(im->ctx, im->st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, ref, -1, SQLITE_STATIC);
    sqlite3_step(stmt);
    *seq = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return AT_OK;
}

/* An evidence item: its file follows in DATA frames, to a FILE_END.  The
 * file is stored as an upload is (encrypted as it arrives); its SHA-256
 * must be the one the item names, and that must match the commitment
 * its origin logged. */
static int apply_evidence(struct importer *im, json_t *frame, const char *origin, int64_t oseq,
                          bool held)
{
    json_t *item = json_object_get(frame, "item"), *logged = NULL, *got = NULL;
    const char *parent_gid = json_string_value(json_object_get(item, "parent"));
    const char *sha = json_string_value(json_object_get(item, "sha256"));
    const char *salt = json_string_value(json_object_get(item, "salt"));
    char parent[VAULT_ID_MAX], id[VAULT_ID_MAX];
    struct vault_upload *u = NULL;
    struct vault_add a = {
        .filename = json_string_value(json_object_get(item, "filename")),
        .media_type = json_string_value(json_object_get(item, "media_type")),
        .link = json_string_value(json_object_get(item, "link")),
        .clearance = -1,
    };
    bool existed = false;
    int64_t seq;
    int rc = AT_OK;

    if (vocab_clearance_parse(im->ctx, json_string_value(json_object_get(item, "clearance")) ?: "",
                              &a.clearance) != AT_OK || sha == NULL || salt == NULL
        || a.filename == NULL)
        return ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s/%lld is damaged", origin,
                         (long long)oseq);
    /* The commitment the origin logged binds this file's SHA-256. */
    logged = json_loads(json_string_value(json_object_get(json_object_get(frame, "proof"), "text")),
                        0, NULL);
    uint8_t in[64], commitment[32];
    char hex[65];
    size_t l1 = 0, l2 = 0;
    if (sodium_hex2bin(in, 32, salt, strlen(salt), NULL, &l1, NULL) != 0
        || sodium_hex2bin(in + 32, 32, sha, strlen(sha), NULL, &l2, NULL) != 0 || l1 != 32
        || l2 != 32) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s/%lld is damaged", origin,
                       (long long)oseq);
        goto out;
    }
    crypto_hash_sha256(commitment, in, sizeof in);
    sodium_bin2hex(hex, sizeof hex, commitment, sizeof commitment);
    if (strcmp(hex, json_string_value(json_object_get(logged, "commitment")) ?: "") != 0) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s/%lld does not match what its "
                       "origin logged", origin, (long long)oseq);
        goto out;
    }
    if (!held) {
        if (parent_gid && (rc = local_evidence(im, parent_gid, parent)) != AT_OK)
            goto out;
        a.parent = parent_gid ? parent : NULL;
        if ((rc = vault_upload_begin(im->ctx, im->st, &a, &u)) != AT_OK)
            goto out;
    }
    for (;;) {
        if ((rc = next_frame(im)) != AT_OK)
            goto out;
        if (im->plain[0] == FRAME_FILE_END)
            break;
        if (im->plain[0] != FRAME_DATA) {
            rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s/%lld: its file is cut short",
                           origin, (long long)oseq);
            goto out;
        }
        if (u && (rc = vault_upload_write(im->ctx, u, im->plain + 1, im->plen - 1)) != AT_OK)
            goto out;
        im->stats->bytes += im->plen - 1;
    }
    if (u == NULL) {
        im->stats->skipped_already++;
        goto out;
    }
    if ((rc = vault_upload_finish(im->ctx, im->st, u, &a, id, &existed)) != AT_OK
        || (rc = vault_item(im->ctx, im->st, id, &got)) != AT_OK)
        goto out;
    if (strcmp(json_string_value(json_object_get(got, "sha256")) ?: "", sha) != 0) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s/%lld: the file received is not "
                       "the one its origin logged", origin, (long long)oseq);
        goto out;
    }
    /* Kept with the proof: the salt of the commitment it proves. */
    json_object_set_new(json_object_get(frame, "proof"), "salt", json_string(salt));
    if ((rc = last_item(im, "evidence", id, &seq)) == AT_OK)
        rc = note_item(im, origin, oseq, seq, !existed, json_object_get(frame, "proof"));
    im->stats->items++;
    im->stats->files++;
out:
    vault_upload_free(u);
    json_decref(logged);
    json_decref(got);
    return rc;
}

static int apply_custody(struct importer *im, json_t *frame, const char *origin, int64_t oseq)
{
    json_t *e = json_object_get(frame, "event");
    const char *ev = json_string_value(json_object_get(frame, "evidence"));
    char id[VAULT_ID_MAX];
    struct buf note = BUF_INIT;
    int64_t seq;
    int rc;

    if (ev == NULL || !json_is_object(e))
        return ctx_error(im->ctx, AT_ECORRUPT, "custody item %s/%lld is damaged", origin,
                         (long long)oseq);
    if ((rc = local_evidence(im, ev, id)) != AT_OK)
        return rc;
    const char *n = json_string_value(json_object_get(e, "note"));
    buf_printf(&note, "%s%srecorded by %s at %s in archive %s", n ? n : "", n ? "; " : "",
               json_string_value(json_object_get(e, "recorded_by")) ?: "?",
               json_string_value(json_object_get(e, "recorded_at")) ?: "?", origin);
    struct custody_event c = {
        .action = json_string_value(json_object_get(e, "action")),
        .from = json_string_value(json_object_get(e, "from")),
        .to = json_string_value(json_object_get(e, "to")),
        .how = json_string_value(json_object_get(e, "how")),
        .at = json_string_value(json_object_get(e, "at")),
        .note = buf_str(&note),
    };
    if ((rc = vault_custody_add(im->ctx, im->st, id, &c)) == AT_OK
        && (rc = last_item(im, "custody", id, &seq)) == AT_OK)
        rc = note_item(im, origin, oseq, seq, true, json_object_get(frame, "proof"));
    im->stats->items += rc == AT_OK;
    buf_free(&note);
    return rc;
}

/* A witness identity, sealed by its origin to the officers' keys in this
 * archive's key line: each box must be one its origin logged ("peer:KEY"
 * of the item its proof holds).  A box for one of this archive's officers
 * is filed under that officer; one for a team peer's officer is kept as
 * "peer:KEY", to be passed on still sealed.  Nothing here opens it; kept
 * only when one of this archive's officers can. */
static int apply_identity(struct importer *im, json_t *frame, const char *origin, int64_t oseq)
{
    static const char sql[] = "SELECT name, box_pk FROM user WHERE role = 'officer'";
    const char *witness = json_string_value(json_object_get(frame, "witness")), *key;
    json_t *boxes = json_object_get(frame, "boxes"), *sealed = json_object(), *team = NULL, *box;
    json_t *logged = json_loads(json_string_value(json_object_get(json_object_get(frame, "proof"),
                                                                  "text")) ?: "", 0, NULL);
    sqlite3_stmt *stmt = NULL;
    size_t i, own;
    int64_t seq;
    int rc = AT_OK;

    if (witness == NULL || !json_is_object(boxes)) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "identity item %s/%lld is damaged", origin,
                       (long long)oseq);
        goto out;
    }
    json_object_foreach(boxes, key, box) {
        struct buf name = BUF_INIT;
        buf_printf(&name, "peer:%s", key);
        bool logged_so = json_equal(box, json_object_get(json_object_get(logged, "sealed"),
                                                         buf_str(&name)));
        buf_free(&name);
        if (!logged_so) {
            rc = ctx_error(im->ctx, AT_ECORRUPT, "identity item %s/%lld: a sealed box is not "
                           "one its origin logged", origin, (long long)oseq);
            goto out;
        }
    }
    if ((stmt = store_stmt(im->ctx, im->st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        struct buf b64 = BUF_INIT;
        if (sqlite3_column_bytes(stmt, 1) == crypto_box_PUBLICKEYBYTES) {
            sync_b64(sqlite3_column_blob(stmt, 1), crypto_box_PUBLICKEYBYTES, &b64);
            box = json_object_get(boxes, buf_str(&b64));
            if (json_is_string(box))
                json_object_set(sealed, (const char *)sqlite3_column_text(stmt, 0), box);
        }
        buf_free(&b64);
    }
    sqlite3_reset(stmt);
    own = json_object_size(sealed);
    if ((rc = sync_team_officer_keys(im->ctx, im->st, &team)) != AT_OK)
        goto out;
    json_array_foreach(team, i, box) {
        json_t *b = json_object_get(boxes, json_string_value(box));
        struct buf name = BUF_INIT;
        buf_printf(&name, "peer:%s", json_string_value(box));
        if (json_is_string(b))
            json_object_set(sealed, buf_str(&name), b);
        buf_free(&name);
    }
    if (own == 0)
        im->stats->skipped_already++; /* sealed to no officer of this archive */
    else if ((rc = identity_put_sealed(im->ctx, im->st, witness, sealed)) == AT_OK
             && (rc = last_item(im, "identity", witness, &seq)) == AT_OK
             && (rc = note_item(im, origin, oseq, seq, true, json_object_get(frame, "proof")))
                    == AT_OK)
        im->stats->items++;
out:
    json_decref(sealed);
    json_decref(team);
    json_decref(logged);
    return rc;
}

static int apply_item(struct importer *im, json_t *frame)
{
    const char *kind = json_string_value(json_object_get(frame, "kind"));
    char origin[RECORD_GID_MAX];
    int64_t oseq;
    bool held;
    int rc;

    if ((rc = frame_origin(im, frame, origin, &oseq)) != AT_OK
        || (rc = item_held(im, origin, oseq, &held)) != AT_OK)
        return rc;
    if (kind && strcmp(kind, "evidence") == 0)
        return apply_evidence(im, frame, origin, oseq, held);
    if (kind == NULL || (strcmp(kind, "custody") != 0 && strcmp(kind, "identity") != 0))
        return ctx_error(im->ctx, AT_ECORRUPT, "an item of unknown kind \"%s\"", kind ?: "");
    if (held) {
        im->stats->skipped_already++;
        return AT_OK;
    }
    if (strcmp(kind, "identity") == 0)
        return apply_identity(im, frame, origin, oseq);
    return apply_custody(im, frame, origin, oseq);
}

/* Pass two, inside the write transaction: every frame, in order. */
static int apply_frames(struct importer *im)
{
    int rc;

    while ((rc = next_frame(im)) == AT_OK && !im->ended) {
        json_t *frame;
        char type = (char)im->plain[0];
        if (type != FRAME_VERSION && type != FRAME_ITEM && type != FRAME_MARK)
            return ctx_error(im->ctx, AT_ECORRUPT, "a frame of unknown type '%c' in the pack", type);
        if ((frame = frame_json(im)) == NULL)
            return ctx_error(im->ctx, AT_ECORRUPT, "a frame of the pack is not JSON");
        if (type == FRAME_VERSION)
            rc = apply_version(im, frame);
        else if (type == FRAME_ITEM)
            rc = apply_item(im, frame);
        else if (im->mark == NULL)
            im->mark = json_incref(json_object_get(frame, "mark"));
        json_decref(frame);
        if (rc != AT_OK)
            return rc;
    }
    return rc;
}

static int count_conflicts(struct at_ctx *ctx, struct store *st, uint64_t *out)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, "SELECT count(*) FROM record_conflict");

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_step(stmt);
    *out = (uint64_t)sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return AT_OK;
}

/* Logs the import itself in this archive's log, unless it brought
 * nothing new: then it changes nothing (the sender's mark aside). */
static int log_import(struct importer *im, const struct pack_header *h)
{
    char now[21], *mark = im->mark ? canonical_text(im->mark) : NULL;
    json_t *doc;
    int64_t seq;
    int rc = AT_OK;

    if (mark && (rc = sync_peer_mark_set(im->ctx, im->st, im->sender->name, mark)) != AT_OK)
        goto out;
    if (im->stats->versions == 0 && im->stats->items == 0 && im->stats->files == 0)
        goto out;
    canonical_now(now);
    doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "event", "pack imported",
                    "from", h->from, "peer", im->sender->name, "created_at", h->created_at,
                    "versions", (json_int_t)im->stats->versions,
                    "items", (json_int_t)im->stats->items, "files", (json_int_t)im->stats->files,
                    "by", store_session(im->st)->user, "at", now);
    rc = evlog_append_item(im->ctx, im->st, "sync", h->from, doc, &seq);
    json_decref(doc);
out:
    free(mark);
    return rc;
}

/* A file to read the pack from twice: fd itself when it can seek, else
 * a nameless file in the archive that pass one copies it to. */
static int open_spool(struct at_ctx *ctx, struct store *st, int fd, int *spool)
{
    *spool = -1;
    if (lseek(fd, 0, SEEK_CUR) >= 0)
        return AT_OK;
    if (sync_tmpfile(ctx, store_dir(st), 0, spool) != AT_OK)
        return ctx_prefix(ctx, "cannot keep the pack while checking it: ");
    return AT_OK;
}

int sync_import(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats)
{
    struct sync_stats local = { 0 };
    struct sync_peer sender = { 0 };
    struct pack_header h;
    struct pack_in pi = { .fd = fd, .spool = -1 };
    struct importer im = { .ctx = ctx, .st = st, .pi = &pi, .sender = &sender,
                           .stats = stats ? stats : &local };
    uint8_t pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    struct buf self = BUF_INIT;
    off_t start;
    bool begun = false;
    long swept;
    int rc, spool = -1;

    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK
        || (rc = open_spool(ctx, st, fd, &spool)) != AT_OK)
        goto out;
    snprintf(im.self, sizeof im.self, "%s", buf_str(&self));
    start = spool >= 0 ? 0 : lseek(fd, 0, SEEK_CUR);
    pi.buf = xmalloc(IO_CHUNK);
    pi.spool = spool;
    if ((rc = check_pack(ctx, st, &pi, &h, &sender)) != AT_OK)
        goto out;
    /* Pass two reads the same bytes again, from the start. */
    pi = (struct pack_in){ .fd = spool >= 0 ? spool : fd, .spool = -1, .buf = pi.buf };
    if (lseek(pi.fd, start, SEEK_SET) < 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot read the pack again: %s", strerror(errno));
        goto out;
    }
    if ((rc = read_header(ctx, &pi, &h)) != AT_OK || (rc = sync_box_keys(ctx, st, pk, sk)) != AT_OK)
        goto out;
    rc = crypto_box_seal_open(key, h.sealed, sizeof h.sealed, pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "the pack's key does not open with this archive's key");
        goto out;
    }
    rc = crypto_secretstream_xchacha20poly1305_init_pull(&im.ss, h.ssh, key);
    sodium_memzero(key, sizeof key);
    if (rc != 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "the pack's stream header is damaged");
        goto out;
    }
    im.plain = xmalloc(CT_MAX);
    im.ct = xmalloc(CT_MAX);
    if ((rc = store_begin(ctx, st)) != AT_OK)
        goto out;
    begun = true;
    if ((rc = vault_sweep(ctx, st, &swept)) != AT_OK
        || (rc = apply_frames(&im)) != AT_OK
        || (rc = count_conflicts(ctx, st, &im.stats->conflicts)) != AT_OK
        || (rc = log_import(&im, &h)) != AT_OK)
        goto out;
    rc = evlog_commit(ctx, st);
    begun = rc != AT_OK;
out:
    if (begun)
        store_rollback(st);
    if (spool >= 0)
        close(spool);
    free(pi.buf);
    free(im.plain);
    free(im.ct);
    json_decref(im.mark);
    sync_seen_free(&im.seen);
    buf_free(&self);
    sync_peer_free(&sender);
    return rc;
}
