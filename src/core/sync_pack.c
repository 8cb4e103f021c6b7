/*
 * sync_pack.c: packs, written and read as streams, each in one pass
 * (docs/formats-pack.md).
 *
 * On the wire: the magic line, the header (canonical JSON: sender,
 * recipient, the stream key sealed to the recipient's box key, the
 * secretstream header), the sender's Ed25519 signature over those bytes,
 * then frames (a length, then one secretstream message whose additional
 * data is the hash of the signed bytes: a type byte and its body), and a
 * zero length.  The signature vouches for the key, and only the sender
 * and the recipient hold the key, so every frame that decrypts is the
 * sender's, in the sender's order; the last carries the stream's FINAL
 * tag.  An import checks the signature before it decrypts anything, then
 * decrypts and applies frame by frame in one transaction, rolled back at
 * the first frame that fails.
 *
 * Frames are binary where the bulk is: a version's identity, bases and
 * inclusion proof are fixed-width fields (the proof is kept, in the same
 * form, only once it has been checked).  An evidence file travels as the
 * sender's vault keeps it, outside the stream, right after its item's
 * frame, which holds the file's key: sealed already, it is not sealed
 * again, and the receiver checks each chunk and the plaintext's SHA-256
 * as it writes the file into its vault unchanged (vaultfile.h, the sealed
 * writer).  Frames come in the sender's log order, so what a version
 * refers to comes before it.
 */
#include "attest.h"
#include "sync.h"
#include "sync_int.h"
#include "sync_ahead.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "identity.h"
#include "keys.h"
#include "merkle.h"
#include "model.h"
#include "record.h"
#include "search.h"
#include "tier.h"
#include "vault.h"
#include "vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACK_FORMAT 3
#define MAGIC_PREFIX "ATTEST-PACK "
#define MAGIC "ATTEST-PACK 3\n"
#define MAGIC_LEN (sizeof MAGIC - 1)
#define HEADER_MAX 4096
#define SIG_DOMAIN "attest pack signature 3"
#define FRAME_MAX SYNC_FRAME_MAX         /* plaintext of one frame, its type byte included */
#define PIECE_MAX (FRAME_MAX - 1)        /* a vault file's bytes handed to the writer at once */
#define CT_MAX SYNC_CT_MAX
#define IO_CHUNK (1u << 20)
#define ARCHIVE_LEN 32                   /* an archive id: 32 hex digits */
#define GID_LEN (ARCHIVE_LEN + 8)        /* an identity in a frame: the origin's id, its u64 sequence */
#define SENT_FILE SYNC_SENT_FILE

enum frame_type {
    FRAME_VERSION = 'V',  /* gid, bases, proof */
    FRAME_ITEM = 'I',     /* gid, proof, {kind, ...}; an evidence item's file follows */
    FRAME_MARK = 'M',     /* {mark}: what the sender holds */
    FRAME_END = 'Z',      /* the last frame (secretstream's FINAL tag) */
    /* Not on the wire: bytes of an evidence item's vault file, given to
     * the writer (and by sync_pack_read) as a frame, written as they are. */
    FRAME_FILE = SYNC_FRAME_FILE,
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

static void buf_u8(struct buf *b, uint8_t v)
{
    buf_append(b, &v, 1);
}

static void buf_u32(struct buf *b, uint32_t v)
{
    uint8_t p[4];

    put_u32(p, v);
    buf_append(b, p, sizeof p);
}

static void buf_u64(struct buf *b, uint64_t v)
{
    buf_u32(b, (uint32_t)(v >> 32));
    buf_u32(b, (uint32_t)v);
}

/* A frame's body as it is read: fields taken in order; bad once one was
 * missing. */
struct cursor {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
    const uint8_t *p = c->p;

    if (c->bad || c->left < n) {
        c->bad = true;
        return NULL;
    }
    c->p += n, c->left -= n;
    return p;
}

static uint32_t take_u32(struct cursor *c)
{
    const uint8_t *p = take(c, 4);

    return p ? get_u32(p) : 0;
}

static uint64_t take_u64(struct cursor *c)
{
    uint64_t hi = take_u32(c);

    return hi << 32 | take_u32(c);
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

/* ---- proofs ------------------------------------------------------------- */

/* An inclusion proof (struct wire_proof, sync_int.h) on the wire: u64
 * size, root, signature, u8 length and signed_at, key, u8 count and the
 * path's hashes, u32 length and text. */
static void put_proof(struct buf *b, const struct wire_proof *p)
{
    buf_u64(b, p->head.size);
    buf_append(b, p->head.root, sizeof p->head.root);
    buf_append(b, p->head.signature, sizeof p->head.signature);
    buf_u8(b, (uint8_t)strlen(p->head.signed_at));
    buf_puts(b, p->head.signed_at);
    buf_append(b, p->sign_pk, sizeof p->sign_pk);
    buf_u8(b, (uint8_t)p->path.len);
    for (size_t i = 0; i < p->path.len; i++)
        buf_append(b, p->path.hash[i], MERKLE_HASH_LEN);
    buf_u32(b, (uint32_t)p->text_len);
    buf_append(b, p->text, p->text_len);
}

/* False when the body does not hold a whole proof. */
static bool take_proof(struct cursor *c, struct wire_proof *p)
{
    const uint8_t *f;
    size_t n;

    p->head.size = take_u64(c);
    if ((f = take(c, sizeof p->head.root)) != NULL)
        memcpy(p->head.root, f, sizeof p->head.root);
    if ((f = take(c, sizeof p->head.signature)) != NULL)
        memcpy(p->head.signature, f, sizeof p->head.signature);
    n = (f = take(c, 1)) != NULL ? *f : 0;
    if (n >= sizeof p->head.signed_at || (f = take(c, n)) == NULL)
        return false;
    memcpy(p->head.signed_at, f, n);
    p->head.signed_at[n] = '\0';
    if ((f = take(c, sizeof p->sign_pk)) != NULL)
        memcpy(p->sign_pk, f, sizeof p->sign_pk);
    n = (f = take(c, 1)) != NULL ? *f : 0;
    if (n > MERKLE_MAX_PROOF || (f = take(c, n * MERKLE_HASH_LEN)) == NULL)
        return false;
    memcpy(p->path.hash, f, n * MERKLE_HASH_LEN);
    p->path.len = n;
    p->text_len = take_u32(c);
    p->text = (const char *)take(c, p->text_len);
    return !c->bad;
}

/* A V frame after its type: its identity, the number of its bases (u16)
 * and each base's identity, then its proof.  Takes all but the proof out
 * of c, into cursors over the identity (gid) and the bases' identities
 * (bases, nbases of them), each bad when c was too short for it. */
static void take_version_head(struct cursor *c, struct cursor *gid, struct cursor *bases,
                              uint32_t *nbases)
{
    const uint8_t *g = take(c, GID_LEN), *nb = take(c, 2), *b;

    *nbases = nb ? (uint32_t)nb[0] << 8 | nb[1] : 0;
    b = take(c, (size_t)*nbases * GID_LEN);
    *gid = (struct cursor){ g, g ? GID_LEN : 0, g == NULL };
    *bases = (struct cursor){ b, b ? (size_t)*nbases * GID_LEN : 0, b == NULL };
}

/* The proof as it is kept beside what it proves (record_version.proof,
 * sync_item.proof; docs/schema.md) and sent on from, in one of two forms.
 * Whole: a BLOB of u64 index, the proof as it travels (put_proof), then
 * u16 length and the salt of an evidence item's commitment (empty for
 * anything else).  Binary, as on the wire: a version's proof is kept with
 * each version, and as hex in JSON it was twice the size, a row too long
 * to share a page.  Stored (sync_proof_store, a version's as an import
 * keeps it): u8 KEPT_STORED, u64 the id of its tree head in proof_head,
 * u64 index, u32 length and text, u16 0; its path's hashes are in
 * proof_node, each once for all the proofs under the head (a pack's
 * versions share the head and most of their paths, which were two thirds
 * of a version's proof).  Stored, a version's proof is kept without its
 * text when the version stored beside it gives the text back
 * (record_logged_text): the text's length is then 0 (no text on the wire
 * is empty) and the BLOB ends with u64 the version number the text holds.
 * A whole proof's first byte is its index's highest, below KEPT_STORED. */
#define KEPT_STORED 0x80

void sync_proof_keep(const struct wire_proof *p, const char *salt, struct buf *out)
{
    size_t n = salt ? strlen(salt) : 0;

    buf_reset(out);
    buf_reserve(out, sizeof p->index + sizeof p->head + sizeof p->sign_pk + 2
                         + p->path.len * MERKLE_HASH_LEN + sizeof(uint32_t) + p->text_len + 2 + n);
    buf_u64(out, p->index);
    put_proof(out, p);
    buf_u8(out, (uint8_t)(n >> 8));
    buf_u8(out, (uint8_t)n);
    buf_append(out, salt, n);
}

/* The leaves [lo, hi) of the tree of size leaves whose hash each element
 * of leaf index's path is (RFC 6962 2.1.1's PATH: the subtree beside each
 * split on the way down to the leaf), leaf end first; their count. */
static size_t path_ranges(uint64_t index, uint64_t size, uint64_t lo[MERKLE_MAX_PROOF],
                          uint64_t hi[MERKLE_MAX_PROOF])
{
    uint64_t a = 0, b = size, down_lo[MERKLE_MAX_PROOF], down_hi[MERKLE_MAX_PROOF];
    size_t n = 0;

    while (b - a > 1 && n < MERKLE_MAX_PROOF) {
        uint64_t k = 1;
        while (k < (b - a + 1) / 2)
            k <<= 1; /* the largest power of two below b - a */
        if (index < a + k)
            down_lo[n] = a + k, down_hi[n] = b, b = a + k;
        else
            down_lo[n] = a, down_hi[n] = a + k, a += k;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        lo[i] = down_lo[n - 1 - i], hi[i] = down_hi[n - 1 - i];
    return n;
}

static bool same_head(const struct sync_proof_cache *pc, const struct tree_head *h,
                      const uint8_t *sign_pk)
{
    return pc->head_id != 0 && pc->head.size == h->size
           && memcmp(pc->head.root, h->root, sizeof h->root) == 0
           && memcmp(pc->head.signature, h->signature, sizeof h->signature) == 0
           && strcmp(pc->head.signed_at, h->signed_at) == 0
           && memcmp(pc->sign_pk, sign_pk, sizeof pc->sign_pk) == 0;
}

/* The hash of [lo, hi) in the path pc holds, or NULL. */
static const uint8_t *cached_node(const struct sync_proof_cache *pc, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < pc->len; i++)
        if (pc->lo[i] == lo && pc->hi[i] == hi)
            return pc->hash[i];
    return NULL;
}

/* The path of n hashes over the leaves [lo[i], hi[i]), as pc's last. */
static void remember_path(struct sync_proof_cache *pc, size_t n, const uint64_t *lo,
                          const uint64_t *hi, const uint8_t (*hash)[MERKLE_HASH_LEN])
{
    pc->len = n;
    memcpy(pc->lo, lo, n * sizeof *lo);
    memcpy(pc->hi, hi, n * sizeof *hi);
    memcpy(pc->hash, hash, n * MERKLE_HASH_LEN);
}

/* p's tree head in proof_head (found, or added), as pc's. */
static int store_head(struct at_ctx *ctx, struct store *st, struct sync_proof_cache *pc,
                      const struct wire_proof *p)
{
    static const char find_sql[] =
        "SELECT id FROM proof_head WHERE root = ?1 AND size = ?2 AND signature = ?3"
        " AND signed_at = ?4 AND sign_pk = ?5";
    static const char add_sql[] =
        "INSERT INTO proof_head(root, size, signature, signed_at, sign_pk)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    int64_t id = 0;

    if (same_head(pc, &p->head, p->sign_pk))
        return AT_OK;
    for (int pass = 0; pass < 2 && id == 0; pass++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, pass == 0 ? find_sql : add_sql);
        if (stmt == NULL)
            return AT_ERR;
        sqlite3_bind_blob(stmt, 1, p->head.root, sizeof p->head.root, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)p->head.size);
        sqlite3_bind_blob(stmt, 3, p->head.signature, sizeof p->head.signature, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, p->head.signed_at, -1, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 5, p->sign_pk, sizeof p->sign_pk, SQLITE_STATIC);
        int step = sqlite3_step(stmt);
        if (pass == 0 && step == SQLITE_ROW)
            id = sqlite3_column_int64(stmt, 0);
        else if (pass == 1 && step == SQLITE_DONE)
            id = sqlite3_last_insert_rowid(store_db(st));
        sqlite3_reset(stmt);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return store_error(ctx, st, "keeping a proof's tree head");
    }
    pc->head_id = id;
    pc->head = p->head;
    memcpy(pc->sign_pk, p->sign_pk, sizeof pc->sign_pk);
    pc->len = 0;
    return AT_OK;
}

int sync_proof_store(struct at_ctx *ctx, struct store *st, struct sync_proof_cache *pc,
                     const struct wire_proof *p, int64_t text_version, struct buf *out)
{
    static const char node_sql[] =
        "INSERT OR IGNORE INTO proof_node(head, lo, hi, hash) VALUES (?1, ?2, ?3, ?4)";
    uint64_t lo[MERKLE_MAX_PROOF], hi[MERKLE_MAX_PROOF];
    size_t n = path_ranges(p->index, p->head.size, lo, hi);
    sqlite3_stmt *stmt;
    int rc;

    if (n != p->path.len || p->index >= p->head.size)
        return ctx_error(ctx, AT_ECORRUPT, "a proof's path does not fit its tree");
    if ((rc = store_head(ctx, st, pc, p)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, node_sql)) == NULL)
        return AT_ERR;
    /* Only the hashes the last proof under the head did not have: a
     * neighbour's path differs from it in a node or two. */
    for (size_t i = 0; i < n; i++) {
        if (cached_node(pc, lo[i], hi[i]) != NULL)
            continue;
        sqlite3_bind_int64(stmt, 1, pc->head_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)lo[i]);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)hi[i]);
        sqlite3_bind_blob(stmt, 4, p->path.hash[i], MERKLE_HASH_LEN, SQLITE_STATIC);
        int step = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if (step != SQLITE_DONE)
            return store_error(ctx, st, "keeping a proof's path");
    }
    remember_path(pc, n, lo, hi, p->path.hash);

    buf_reset(out);
    buf_u8(out, KEPT_STORED);
    buf_u64(out, (uint64_t)pc->head_id);
    buf_u64(out, p->index);
    buf_u32(out, text_version > 0 ? 0 : (uint32_t)p->text_len);
    if (text_version == 0)
        buf_append(out, p->text, p->text_len);
    buf_u8(out, 0);
    buf_u8(out, 0);
    if (text_version > 0)
        buf_u64(out, (uint64_t)text_version);
    return AT_OK;
}

/* A stored proof's tree head, as r's. */
static bool read_head(struct sync_proof_reader *r, int64_t id)
{
    static const char sql[] =
        "SELECT size, root, signature, signed_at, sign_pk FROM proof_head WHERE id = ?1";
    struct sync_proof_cache *pc = &r->last;
    struct at_ctx quiet = { 0 };
    sqlite3_stmt *stmt;
    bool ok;

    if (pc->head_id == id)
        return true;
    if (r->st == NULL || (stmt = store_stmt(&quiet, r->st, sql)) == NULL)
        return false;
    sqlite3_bind_int64(stmt, 1, id);
    const char *at;
    ok = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_bytes(stmt, 1) == MERKLE_HASH_LEN
         && sqlite3_column_bytes(stmt, 2) == sizeof pc->head.signature
         && (at = (const char *)sqlite3_column_text(stmt, 3)) != NULL
         && strlen(at) < sizeof pc->head.signed_at
         && sqlite3_column_bytes(stmt, 4) == sizeof pc->sign_pk;
    if (ok) {
        pc->head.size = (uint64_t)sqlite3_column_int64(stmt, 0);
        memcpy(pc->head.root, sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN);
        memcpy(pc->head.signature, sqlite3_column_blob(stmt, 2), sizeof pc->head.signature);
        strcpy(pc->head.signed_at, at);
        memcpy(pc->sign_pk, sqlite3_column_blob(stmt, 4), sizeof pc->sign_pk);
        pc->head_id = id;
        pc->len = 0;
    }
    sqlite3_reset(stmt);
    return ok;
}

/* A stored proof's path, for leaf p->index under r's head, into p (and r). */
static bool read_path(struct sync_proof_reader *r, struct wire_proof *p)
{
    static const char sql[] = "SELECT hash FROM proof_node WHERE head = ?1 AND lo = ?2 AND hi = ?3";
    struct sync_proof_cache *pc = &r->last;
    uint64_t lo[MERKLE_MAX_PROOF], hi[MERKLE_MAX_PROOF];
    size_t n = path_ranges(p->index, pc->head.size, lo, hi);
    struct at_ctx quiet = { 0 };
    sqlite3_stmt *stmt = store_stmt(&quiet, r->st, sql);

    if (stmt == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *h = cached_node(pc, lo[i], hi[i]);
        if (h != NULL) {
            memcpy(p->path.hash[i], h, MERKLE_HASH_LEN);
            continue;
        }
        sqlite3_bind_int64(stmt, 1, pc->head_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)lo[i]);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)hi[i]);
        bool found = sqlite3_step(stmt) == SQLITE_ROW
                     && sqlite3_column_bytes(stmt, 0) == MERKLE_HASH_LEN;
        if (found)
            memcpy(p->path.hash[i], sqlite3_column_blob(stmt, 0), MERKLE_HASH_LEN);
        sqlite3_reset(stmt);
        if (!found) {
            pc->len = 0;
            return false;
        }
    }
    p->path.len = n;
    remember_path(pc, n, lo, hi, p->path.hash);
    return true;
}

/* The text a proof kept without it holds, made again from doc, the
 * version stored beside it, and the number the text gave it; or NULL. */
static char *logged_again(const char *doc, uint64_t text_version)
{
    json_t *stored = doc && text_version >= 1 && text_version <= INT64_MAX
                         ? canonical_parse(doc, strlen(doc))
                         : NULL;
    char *again = stored ? record_logged_text(stored, (json_int_t)text_version) : NULL;

    json_decref(stored);
    return again;
}

/* The text a proof was kept without, made again (logged_again) into r's,
 * for p. */
static bool text_again(struct sync_proof_reader *r, const char *doc, uint64_t text_version,
                       struct wire_proof *p)
{
    char *again = logged_again(doc, text_version);

    if (again == NULL)
        return false;
    buf_reset(&r->text);
    buf_puts(&r->text, again);
    free(again);
    p->text = buf_str(&r->text);
    p->text_len = r->text.len;
    return true;
}

bool sync_proof_read(struct sync_proof_reader *r, const void *kept, size_t len, const char *doc,
                     struct wire_proof *p, const char **salt, size_t *salt_len)
{
    struct cursor c = { kept, len, false };
    bool stored = len > 0 && *(const uint8_t *)kept == KEPT_STORED;
    const uint8_t *n, *s;
    size_t sl;

    if (stored) {
        take(&c, 1);
        int64_t head = (int64_t)take_u64(&c);
        p->index = take_u64(&c);
        p->text_len = take_u32(&c);
        p->text = (const char *)take(&c, p->text_len);
        if (c.bad || !read_head(r, head) || p->index >= r->last.head.size)
            return false;
        p->head = r->last.head;
        memcpy(p->sign_pk, r->last.sign_pk, sizeof p->sign_pk);
        if (!read_path(r, p))
            return false;
    } else {
        p->index = take_u64(&c);
        if (!take_proof(&c, p))
            return false;
    }
    sl = (n = take(&c, 2)) != NULL ? (size_t)n[0] << 8 | n[1] : 0;
    s = take(&c, sl);
    if (salt)
        *salt = (const char *)s, *salt_len = sl;
    /* Only a stored proof is kept without its text. */
    if (p->text_len == 0 && (!stored || c.bad || !text_again(r, doc, take_u64(&c), p)))
        return false;
    return !c.bad && c.left == 0;
}

void sync_proof_reader_free(struct sync_proof_reader *r)
{
    buf_free(&r->text);
}

static int b64_exact(const char *text, uint8_t *out, size_t len)
{
    size_t got;

    return text && sodium_base642bin(out, len, text, strlen(text), NULL, &got, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0
                   && got == len ? AT_OK : AT_EINVAL;
}

/* A proof in the JSON of sync_proof_json read back (j must outlive p,
 * whose text is j's); false when it is not a whole one. */
static bool proof_parse(json_t *j, struct wire_proof *p)
{
    const char *root = json_string_value(json_object_get(j, "root"));
    const char *sig = json_string_value(json_object_get(j, "signature"));
    const char *at = json_string_value(json_object_get(j, "signed_at"));
    const char *pk = json_string_value(json_object_get(j, "sign_pk"));
    json_t *hashes = json_object_get(j, "hashes"), *hx;
    struct at_ctx quiet = { 0 };
    size_t i, siglen;

    p->text = json_string_value(json_object_get(j, "text"));
    if (p->text == NULL || root == NULL || sig == NULL || at == NULL || pk == NULL
        || strlen(at) >= sizeof p->head.signed_at || !json_is_array(hashes)
        || json_array_size(hashes) > MERKLE_MAX_PROOF
        || !json_is_integer(json_object_get(j, "index"))
        || merkle_hash_parse(root, p->head.root, &quiet) != AT_OK
        || sodium_hex2bin(p->head.signature, sizeof p->head.signature, sig, strlen(sig), NULL,
                          &siglen, NULL) != 0 || siglen != sizeof p->head.signature
        || b64_exact(pk, p->sign_pk, sizeof p->sign_pk) != AT_OK)
        return false;
    p->text_len = json_string_length(json_object_get(j, "text"));
    p->head.size = (uint64_t)json_integer_value(json_object_get(j, "size"));
    p->index = (uint64_t)json_integer_value(json_object_get(j, "index"));
    snprintf(p->head.signed_at, sizeof p->head.signed_at, "%s", at);
    json_array_foreach(hashes, i, hx)
        if (merkle_hash_parse(json_string_value(hx) ?: "", p->path.hash[i], &quiet) != AT_OK)
            return false;
    p->path.len = json_array_size(hashes);
    return true;
}

int sync_proof_from_json(json_t *j, struct buf *out)
{
    const char *salt = json_string_value(json_object_get(j, "salt"));
    struct wire_proof p;

    if (!proof_parse(j, &p) || (salt && strlen(salt) > UINT16_MAX))
        return AT_EINVAL;
    sync_proof_keep(&p, salt, out);
    return AT_OK;
}

json_t *sync_proof_json(struct store *st, const void *proof, size_t len, const char *doc)
{
    char hex[2 * crypto_sign_BYTES + 1];
    struct sync_proof_reader r = { .st = st };
    struct buf pk = BUF_INIT;
    struct wire_proof p;
    const char *salt;
    size_t salt_len;
    json_t *j, *hashes;

    if (!sync_proof_read(&r, proof, len, doc, &p, &salt, &salt_len)) {
        sync_proof_reader_free(&r);
        return NULL;
    }
    hashes = json_array();
    for (size_t i = 0; i < p.path.len; i++) {
        merkle_hash_hex(p.path.hash[i], hex);
        json_array_append_new(hashes, json_string(hex));
    }
    merkle_hash_hex(p.head.root, hex);
    sync_b64(p.sign_pk, sizeof p.sign_pk, &pk);
    j = json_pack("{s:o, s:I, s:s, s:s, s:s, s:I, s:s%}", "hashes", hashes,
                  "index", (json_int_t)p.index, "root", hex, "sign_pk", buf_str(&pk),
                  "signed_at", p.head.signed_at, "size", (json_int_t)p.head.size,
                  "text", p.text, p.text_len);
    sodium_bin2hex(hex, sizeof hex, p.head.signature, sizeof p.head.signature);
    json_object_set_new(j, "signature", json_string(hex));
    if (salt_len > 0)
        json_object_set_new(j, "salt", json_stringn(salt, salt_len));
    buf_free(&pk);
    sync_proof_reader_free(&r);
    return j;
}

/* Runs update (?1 the proof, ?2 the rowid) for the proof kept in row. */
static int keep_in_row(struct at_ctx *ctx, struct store *st, sqlite3_stmt *update, int64_t row,
                       const struct buf *kept)
{
    int step;

    sqlite3_bind_blob(update, 1, kept->data, (int)kept->len, SQLITE_STATIC);
    sqlite3_bind_int64(update, 2, row);
    step = sqlite3_step(update);
    sqlite3_reset(update);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "keeping a converted proof");
}

/* Each proof of table's rows still kept as JSON, in the kept form. */
static int convert_proofs(struct at_ctx *ctx, struct store *st, const char *select_sql,
                          const char *update_sql)
{
    sqlite3_stmt *rows = store_stmt(ctx, st, select_sql), *update = store_stmt(ctx, st, update_sql);
    struct buf kept = BUF_INIT;
    int rc = AT_OK, step;

    if (rows == NULL || update == NULL)
        return AT_ERR;
    while (rc == AT_OK && (step = sqlite3_step(rows)) == SQLITE_ROW) {
        json_t *j = json_loads((const char *)sqlite3_column_text(rows, 1), 0, NULL);
        if (sync_proof_from_json(j, &kept) != AT_OK)
            rc = ctx_error(ctx, AT_ECORRUPT, "the proof kept in row %lld is damaged: it is "
                           "not the JSON of a proof", (long long)sqlite3_column_int64(rows, 0));
        json_decref(j);
        if (rc == AT_OK)
            rc = keep_in_row(ctx, st, update, sqlite3_column_int64(rows, 0), &kept);
    }
    sqlite3_reset(rows);
    buf_free(&kept);
    return rc;
}

/* The version number the text of a proof holds, or 0. */
static int64_t text_version_of(const char *text, size_t len)
{
    json_t *doc = canonical_parse(text, len);
    json_int_t v = json_integer_value(json_object_get(doc, "version"));

    json_decref(doc);
    return v > 0 ? (int64_t)v : 0;
}

/* Each version's proof still kept whole (before schema 29) kept as an
 * import keeps one now (sync_proof_store): its head and path hashes in
 * proof_head and proof_node, and without its text when the version stored
 * gives it back.  Only a proof that holds (sync_proof_check) is stored so:
 * its path's hashes are then its tree's, the ones every other proof under
 * its head shares; one that does not stays whole, as it was, for `attest
 * verify` to report. */
static int store_whole_proofs(struct at_ctx *ctx, struct store *st)
{
    static const char rows_sql[] =
        "SELECT rowid, proof, doc, origin, oseq FROM record_version"
        " WHERE typeof(proof) = 'blob' AND substr(proof, 1, 1) != x'80' ORDER BY rowid";
    static const char update_sql[] = "UPDATE record_version SET proof = ?1 WHERE rowid = ?2";
    sqlite3_stmt *rows = store_stmt(ctx, st, rows_sql), *update;
    struct sync_proof_reader r = { .st = st };
    struct sync_proof_cache cache = { 0 };
    struct sync_seen seen = { 0 };
    struct buf kept = BUF_INIT;
    int rc = AT_OK, step;

    if (rows == NULL)
        return AT_ERR;
    while (rc == AT_OK && (step = sqlite3_step(rows)) == SQLITE_ROW) {
        const char *doc = (const char *)sqlite3_column_text(rows, 2);
        const char *origin = (const char *)sqlite3_column_text(rows, 3);
        int64_t oseq = sqlite3_column_int64(rows, 4), version;
        struct at_ctx check = { 0 };
        struct wire_proof p;
        char *again;

        if (!sync_proof_read(&r, sqlite3_column_blob(rows, 1), (size_t)sqlite3_column_bytes(rows, 1),
                             doc, &p, NULL, NULL)
            || sync_proof_check(&check, st, NULL, &p, NULL, origin ?: "", oseq, &seen) != AT_OK)
            continue;
        /* Without its text when the version stored gives it back whole. */
        version = text_version_of(p.text, p.text_len);
        again = logged_again(doc, (uint64_t)version);
        if (again == NULL || strlen(again) != p.text_len || memcmp(again, p.text, p.text_len) != 0)
            version = 0;
        free(again);
        if ((rc = sync_proof_store(ctx, st, &cache, &p, version, &kept)) == AT_OK)
            rc = (update = store_stmt(ctx, st, update_sql)) == NULL
                     ? AT_ERR : keep_in_row(ctx, st, update, sqlite3_column_int64(rows, 0), &kept);
    }
    sqlite3_reset(rows);
    sync_proof_reader_free(&r);
    buf_free(&kept);
    return rc;
}

/* Whether meta holds key (a migration's mark of work left for C). */
static int marked(struct at_ctx *ctx, struct store *st, const char *key, bool *set)
{
    struct buf value = BUF_INIT;
    int rc = store_meta_get(ctx, st, key, &value);

    buf_free(&value);
    *set = rc == AT_OK;
    if (rc == AT_ENOTFOUND) {
        ctx_clear(ctx);
        rc = AT_OK;
    }
    return rc;
}

int sync_proofs_upgrade(struct at_ctx *ctx, struct store *st)
{
    bool to_convert, to_store;
    int rc;

    if (store_read_only(st))
        return AT_OK;
    if ((rc = marked(ctx, st, "proofs_to_convert", &to_convert)) != AT_OK
        || (rc = marked(ctx, st, "proofs_to_store", &to_store)) != AT_OK
        || (!to_convert && !to_store) || (rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    if (to_convert
        && ((rc = convert_proofs(ctx, st,
                                 "SELECT rowid, proof FROM record_version WHERE typeof(proof) = 'text'",
                                 "UPDATE record_version SET proof = ?1 WHERE rowid = ?2")) != AT_OK
            || (rc = convert_proofs(ctx, st,
                                    "SELECT rowid, proof FROM sync_item WHERE typeof(proof) = 'text'",
                                    "UPDATE sync_item SET proof = ?1 WHERE rowid = ?2")) != AT_OK))
        goto fail;
    if (to_store && (rc = store_whole_proofs(ctx, st)) != AT_OK)
        goto fail;
    if ((rc = store_exec(ctx, st, "DELETE FROM meta WHERE key IN ('proofs_to_convert',"
                         " 'proofs_to_store')")) != AT_OK)
        goto fail;
    return store_commit(ctx, st);
fail:
    store_rollback(st);
    return ctx_prefix(ctx, "converting the proofs kept with imported versions: ");
}

int sync_proof_verify(struct at_ctx *ctx, struct sync_proof_reader *r, const void *proof,
                      size_t len, const char *doc, const char *origin, int64_t oseq,
                      struct sync_seen *seen, const char **text, size_t *text_len)
{
    struct wire_proof p;
    int rc;

    if (!sync_proof_read(r, proof, len, doc, &p, NULL, NULL))
        return ctx_error(ctx, AT_ECORRUPT, "the proof of %s/%lld is damaged", origin,
                         (long long)oseq);
    if ((rc = sync_proof_check(ctx, r->st, NULL, &p, NULL, origin, oseq, seen)) == AT_OK)
        *text = p.text, *text_len = p.text_len;
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

/*
 * The writer encrypts and writes on a thread of its own, so that reading
 * the archive and the vault (the caller) and sealing and writing the pack
 * run side by side.  The caller fills a ring of SLOTS buffers with frames,
 * each after its length (u32), and hands each buffer over when the next
 * frame does not fit (a file's bytes are read from the vault straight into
 * one); the thread seals the frames in order.  Small frames (a version, an
 * item) go many to a buffer: handed over one by one, each woke the thread,
 * and at 100,000 versions those wake-ups were a seventh of an export's CPU.
 * The thread's first failure stops the writing and is given back at the
 * next frame or at the end.
 */
#define SLOTS 3
#define SLOT_SIZE (4 + FRAME_MAX)

struct sync_pack_writer {
    int fd;
    stream_state ss;
    uint8_t ad[crypto_generichash_BYTES]; /* every frame's additional data */
    struct buf wire;                       /* small writes, gathered */
    uint8_t *ct;                           /* CT_MAX */
    pthread_t thread;
    bool started, closing;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint8_t *slot[SLOTS];                  /* SLOT_SIZE each: frames, each after its length */
    size_t len[SLOTS];                     /* the bytes in each handed over */
    size_t open;                           /* the bytes in the one being filled */
    unsigned filled, written;              /* buffers handed over by the caller, written by the thread */
    int rc;                                /* the thread's first failure, with err */
    struct at_ctx err;
};

static int out_flush(struct at_ctx *ctx, struct sync_pack_writer *po)
{
    int rc = write_all(ctx, po->fd, po->wire.data, po->wire.len);

    po->wire.len = 0;
    return rc;
}

/* Bytes to the pack: gathered while small, written at once when large. */
static int out_raw(struct at_ctx *ctx, struct sync_pack_writer *po, const void *data, size_t len)
{
    int rc;

    if (po->wire.len + len <= IO_CHUNK) {
        buf_append(&po->wire, data, len);
        return AT_OK;
    }
    if ((rc = out_flush(ctx, po)) != AT_OK)
        return rc;
    if (len <= IO_CHUNK) {
        buf_append(&po->wire, data, len);
        return AT_OK;
    }
    return write_all(ctx, po->fd, data, len);
}

/* One frame sealed and written (on the thread). */
static int out_seal(struct at_ctx *ctx, struct sync_pack_writer *po, const uint8_t *plain, size_t len)
{
    unsigned long long ctlen;
    uint8_t n[4];
    int rc;

    crypto_secretstream_xchacha20poly1305_push(
        &po->ss, po->ct, &ctlen, plain, len, po->ad, sizeof po->ad,
        plain[0] == FRAME_END ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    put_u32(n, (uint32_t)ctlen);
    if ((rc = out_raw(ctx, po, n, sizeof n)) != AT_OK)
        return rc;
    return out_raw(ctx, po, po->ct, (size_t)ctlen);
}

/* The frames of a buffer, sealed and written in order, and the bytes of
 * vault files written as they are (on the thread). */
static int out_slot(struct at_ctx *ctx, struct sync_pack_writer *po, const uint8_t *slot, size_t len)
{
    int rc = AT_OK;

    for (size_t at = 0; at < len && rc == AT_OK;) {
        uint32_t n = get_u32(slot + at);
        const uint8_t *frame = slot + at + 4;
        rc = frame[0] == FRAME_FILE ? out_raw(ctx, po, frame + 1, n - 1)
                                    : out_seal(ctx, po, frame, n);
        at += 4 + (size_t)n;
    }
    return rc;
}

static void *out_thread(void *arg)
{
    struct sync_pack_writer *po = arg;

    pthread_mutex_lock(&po->lock);
    for (;;) {
        while (po->written == po->filled && !po->closing)
            pthread_cond_wait(&po->changed, &po->lock);
        if (po->written == po->filled)
            break;
        unsigned i = po->written % SLOTS;
        bool failed = po->rc != AT_OK;
        pthread_mutex_unlock(&po->lock);
        int rc = failed ? AT_OK : out_slot(&po->err, po, po->slot[i], po->len[i]);
        pthread_mutex_lock(&po->lock);
        if (rc != AT_OK)
            po->rc = rc;
        po->written++;
        pthread_cond_broadcast(&po->changed);
    }
    pthread_mutex_unlock(&po->lock);
    return NULL;
}

/* The thread's failure, if any, on ctx. */
static int out_failed(struct at_ctx *ctx, struct sync_pack_writer *po)
{
    int rc;

    pthread_mutex_lock(&po->lock);
    rc = po->rc;
    pthread_mutex_unlock(&po->lock);
    return rc == AT_OK ? AT_OK : ctx_error(ctx, rc, "%s", po->err.message);
}

/* Hands the buffer being filled to the thread, if it holds a frame. */
static void hand_over(struct sync_pack_writer *po)
{
    if (po->open == 0)
        return;
    pthread_mutex_lock(&po->lock);
    po->len[po->filled % SLOTS] = po->open;
    po->filled++;
    pthread_cond_broadcast(&po->changed);
    pthread_mutex_unlock(&po->lock);
    po->open = 0;
}

/* Where the next frame of at most len bytes goes: after those in the
 * buffer being filled, or, when it does not fit, at the start of the next
 * buffer, once the thread has written what that one held. */
static uint8_t *room_for(struct sync_pack_writer *po, size_t len)
{
    if (po->open + 4 + len > SLOT_SIZE)
        hand_over(po);
    if (po->open == 0) {
        pthread_mutex_lock(&po->lock);
        while (po->filled - po->written == SLOTS)
            pthread_cond_wait(&po->changed, &po->lock);
        pthread_mutex_unlock(&po->lock);
    }
    return po->slot[po->filled % SLOTS] + po->open + 4;
}

uint8_t *sync_pack_buffer(struct sync_pack_writer *po)
{
    return room_for(po, FRAME_MAX);
}

int sync_pack_submit(struct at_ctx *ctx, struct sync_pack_writer *po, size_t len)
{
    if (len == 0 || len > FRAME_MAX)
        return ctx_error(ctx, AT_ERR, "a pack frame of %zu bytes is out of bounds", len);
    put_u32(po->slot[po->filled % SLOTS] + po->open, (uint32_t)len);
    po->open += 4 + len;
    return out_failed(ctx, po);
}

int sync_pack_frame(struct at_ctx *ctx, struct sync_pack_writer *po, const void *plain, size_t len)
{
    if (len == 0 || len > FRAME_MAX)
        return ctx_error(ctx, AT_ERR, "a pack frame of %zu bytes is out of bounds", len);
    memcpy(room_for(po, len), plain, len);
    return sync_pack_submit(ctx, po, len);
}

static int out_json(struct at_ctx *ctx, struct sync_pack_writer *po, char type, json_t *doc)
{
    struct buf b = BUF_INIT;
    char *text = canonical_text(doc);
    int rc;

    buf_putc(&b, type);
    buf_puts(&b, text);
    rc = sync_pack_frame(ctx, po, b.data, b.len);
    buf_free(&b);
    free(text);
    return rc;
}

/* Begins a pack for to on fd, its header saying it holds at most versions
 * record versions (0: not said). */
static int writer_begin(struct at_ctx *ctx, struct store *st, const struct sync_peer *to, int fd,
                        uint64_t versions, struct sync_pack_writer **out)
{
    const struct session *s = store_session(st);
    struct sync_pack_writer *po = xcalloc(1, sizeof *po);
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    uint8_t sealed[sizeof key + crypto_box_SEALBYTES];
    uint8_t ssh[crypto_secretstream_xchacha20poly1305_HEADERBYTES], n[4];
    uint8_t sig[crypto_sign_BYTES];
    struct buf self = BUF_INIT, b_sealed = BUF_INIT, b_ssh = BUF_INIT, msg = BUF_INIT;
    json_t *header = NULL;
    char now[21], *htext = NULL;
    int rc;

    po->fd = fd;
    *out = po;
    pthread_mutex_init(&po->lock, NULL);
    pthread_cond_init(&po->changed, NULL);
    for (int i = 0; i < SLOTS; i++)
        po->slot[i] = xmalloc(SLOT_SIZE);
    if ((rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK)
        goto out;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    crypto_box_seal(sealed, key, sizeof key, to->box_pk);
    crypto_secretstream_xchacha20poly1305_init_push(&po->ss, ssh, key);
    sodium_memzero(key, sizeof key);
    sync_b64(sealed, sizeof sealed, &b_sealed);
    sync_b64(ssh, sizeof ssh, &b_ssh);
    canonical_now(now);
    header = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "format", PACK_FORMAT,
                       "from", buf_str(&self), "to", to->archive, "created_at", now,
                       "tier", to->partner ? "partner" : "team",
                       "key", buf_str(&b_sealed), "stream", buf_str(&b_ssh));
    if (versions > 0)
        json_object_set_new(header, "versions", json_integer((json_int_t)versions));
    htext = canonical_text(header);
    /* Signed: the domain, then the bytes so far; their hash binds each frame. */
    put_u32(n, (uint32_t)strlen(htext));
    buf_append(&msg, SIG_DOMAIN, sizeof SIG_DOMAIN);
    buf_append(&msg, MAGIC, MAGIC_LEN);
    buf_append(&msg, n, sizeof n);
    buf_puts(&msg, htext);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg.data, msg.len, s->sign_sk);
    crypto_generichash(po->ad, sizeof po->ad, (const uint8_t *)msg.data + sizeof SIG_DOMAIN,
                       msg.len - sizeof SIG_DOMAIN, NULL, 0);
    po->ct = xmalloc(CT_MAX);
    buf_append(&po->wire, msg.data + sizeof SIG_DOMAIN, msg.len - sizeof SIG_DOMAIN);
    buf_append(&po->wire, sig, sizeof sig);
    if (pthread_create(&po->thread, NULL, out_thread, po) != 0)
        rc = ctx_error(ctx, AT_ERR, "cannot start writing the pack: %s", strerror(errno));
    po->started = rc == AT_OK;
out:
    buf_free(&self);
    buf_free(&b_sealed);
    buf_free(&b_ssh);
    buf_free(&msg);
    json_decref(header);
    free(htext);
    return rc;
}

/* Lets the thread write what it was given, and waits for it. */
static void out_join(struct sync_pack_writer *po)
{
    if (!po->started)
        return;
    hand_over(po);
    pthread_mutex_lock(&po->lock);
    po->closing = true;
    pthread_cond_broadcast(&po->changed);
    pthread_mutex_unlock(&po->lock);
    pthread_join(po->thread, NULL);
    po->started = false;
}

int sync_pack_begin(struct at_ctx *ctx, struct store *st, const char *to, int fd,
                    struct sync_pack_writer **out)
{
    struct sync_peer p = { 0 };
    int rc;

    *out = NULL;
    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) == AT_OK
        && (rc = sync_peer_get(ctx, st, to, NULL, &p)) == AT_OK)
        rc = writer_begin(ctx, st, &p, fd, 0, out);
    sync_peer_free(&p);
    return rc;
}

int sync_pack_end(struct at_ctx *ctx, struct sync_pack_writer *po)
{
    uint8_t end = FRAME_END, n[4] = { 0 };
    int rc;

    if ((rc = sync_pack_frame(ctx, po, &end, 1)) != AT_OK)
        return rc;
    out_join(po);
    if ((rc = out_failed(ctx, po)) != AT_OK || (rc = out_raw(ctx, po, n, sizeof n)) != AT_OK)
        return rc;
    return out_flush(ctx, po);
}

void sync_pack_free(struct sync_pack_writer *po)
{
    if (po == NULL)
        return;
    out_join(po);
    pthread_mutex_destroy(&po->lock);
    pthread_cond_destroy(&po->changed);
    for (int i = 0; i < SLOTS; i++) {
        if (po->slot[i])
            sodium_memzero(po->slot[i], SLOT_SIZE);
        free(po->slot[i]);
    }
    free(po->ct);
    buf_free(&po->wire);
    sodium_memzero(&po->ss, sizeof po->ss);
    free(po);
}

/* The head every proof of this archive's own objects is against. */
struct own_head {
    char archive[33];
    struct tree_head head;
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
};

struct exporter {
    struct at_ctx *ctx;
    struct store *st;
    struct sync_pack_writer *po;
    struct own_head own;
    const struct sync_peer *peer;
    struct sync_stats *stats;
    struct buf frame;     /* the frame being built */
    struct sync_proof_reader kept; /* the proofs kept with versions, read in turn */
    struct evlog_prover *prover; /* proofs against own.head, made at the first */
};

/* What the pack holds of a thing written at (origin, oseq) whose logged
 * text is text: the proof kept with it (the row's column 7) when it came
 * from elsewhere, or came back after `attest travel` (whose text is what
 * the log kept, not the text stored again here) (read in place: p lives
 * as long as the row, or, kept without its text, until the next proof),
 * or one made now.  salt, when not NULL, is set to
 * the salt kept with an evidence item's proof (empty when none). */
static int proof_of(struct exporter *x, const char *origin, int64_t oseq, sqlite3_stmt *row,
                    const char *text, struct wire_proof *p, struct buf *salt)
{
    const struct own_head *h = &x->own;
    const void *kept = sqlite3_column_blob(row, 7);
    const char *s = NULL;
    size_t slen = 0;

    if (kept != NULL || strcmp(origin, h->archive) != 0) {
        if (kept == NULL
            || !sync_proof_read(&x->kept, kept, (size_t)sqlite3_column_bytes(row, 7), text, p,
                                &s, &slen)
            || p->index != (uint64_t)oseq - 1)
            return ctx_error(x->ctx, AT_ECORRUPT, "the proof kept for %s/%lld is missing or "
                             "damaged", origin, (long long)oseq);
        if (salt)
            buf_append(salt, s, slen);
        return AT_OK;
    }
    if ((uint64_t)oseq > h->head.size)
        return ctx_error(x->ctx, AT_ERR, "log entry %lld is not under a signed tree head yet",
                         (long long)oseq);
    p->head = h->head;
    memcpy(p->sign_pk, h->sign_pk, sizeof p->sign_pk);
    p->index = (uint64_t)oseq - 1;
    p->text = text;
    p->text_len = strlen(text);
    if (x->prover == NULL) {
        int rc = evlog_prover_begin(x->ctx, x->st, h->head.size, &x->prover);
        if (rc != AT_OK)
            return rc;
    }
    return evlog_prover_proof(x->ctx, x->prover, p->index, &p->path);
}

/* Starts a frame of type with the identity origin/oseq. */
static int frame_begin(struct exporter *x, char type, const char *origin, int64_t oseq)
{
    if (strlen(origin) != ARCHIVE_LEN)
        return ctx_error(x->ctx, AT_ECORRUPT, "an origin \"%s\" is not an archive id", origin);
    buf_reset(&x->frame);
    buf_putc(&x->frame, type);
    buf_append(&x->frame, origin, ARCHIVE_LEN);
    buf_u64(&x->frame, (uint64_t)oseq);
    return AT_OK;
}

/* Whether a version may go to the peer: everything to the team; to a
 * partner, what tier.c lets out at the partner tier, and not redacted
 * (a redacted copy would not match its proof). */
static int version_allowed(struct exporter *x, const char *id, const char *text, bool *allowed)
{
    json_t *doc, *out = NULL;
    bool redacted = false;
    int rc;

    *allowed = true;
    if (!x->peer->partner)
        return AT_OK;
    if ((doc = json_loads(text, 0, NULL)) == NULL)
        return ctx_error(x->ctx, AT_ECORRUPT, "%s: a stored version is not JSON", id);
    rc = tier_apply(x->ctx, x->st, TIER_PARTNER, doc, &out, &redacted);
    *allowed = rc == AT_OK && out != NULL && !redacted;
    json_decref(out);
    json_decref(doc);
    return rc;
}

/* V: origin, u64 oseq, u16 count and the bases (origin, u64 oseq each),
 * the proof. */
static int export_version(struct exporter *x, sqlite3_stmt *row)
{
    static const char base_sql[] =
        "SELECT base_origin, base_oseq FROM record_base WHERE id = ?1 AND version = ?2"
        " ORDER BY 1, 2";
    const char *id = (const char *)sqlite3_column_text(row, 2);
    const char *text = (const char *)sqlite3_column_text(row, 4);
    const char *origin = (const char *)sqlite3_column_text(row, 5);
    int64_t oseq = sqlite3_column_int64(row, 6);
    struct wire_proof p;
    sqlite3_stmt *stmt;
    size_t at;
    uint16_t nbases = 0;
    bool allowed;
    int rc;

    if ((rc = version_allowed(x, id, text, &allowed)) != AT_OK || !allowed)
        return rc;
    if ((rc = proof_of(x, origin, oseq, row, text, &p, NULL)) != AT_OK
        || (rc = frame_begin(x, FRAME_VERSION, origin, oseq)) != AT_OK)
        return rc;
    if ((stmt = store_stmt(x->ctx, x->st, base_sql)) == NULL)
        return AT_ERR;
    at = x->frame.len;
    buf_append(&x->frame, "\0", 2);
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, sqlite3_column_int(row, 3));
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *b = (const char *)sqlite3_column_text(stmt, 0);
        if (b == NULL || strlen(b) != ARCHIVE_LEN || nbases == UINT16_MAX) {
            rc = ctx_error(x->ctx, AT_ECORRUPT, "%s: a version's base is damaged", id);
            break;
        }
        buf_append(&x->frame, b, ARCHIVE_LEN);
        buf_u64(&x->frame, (uint64_t)sqlite3_column_int64(stmt, 1));
        nbases++;
    }
    sqlite3_reset(stmt);
    if (rc != AT_OK)
        return rc;
    x->frame.data[at] = (char)(nbases >> 8), x->frame.data[at + 1] = (char)nbases;
    put_proof(&x->frame, &p);
    if ((rc = sync_pack_frame(x->ctx, x->po, x->frame.data, x->frame.len)) == AT_OK)
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

/* The length bytes of an evidence item's vault file, open on fd, into
 * the pack as they are, after its item's frame. */
static int export_file(struct exporter *x, const char *id, int fd, uint64_t length)
{
    uint64_t sent = 0;
    int rc = AT_OK;

    while (rc == AT_OK && sent < length) {
        uint8_t *frame = sync_pack_buffer(x->po);
        size_t want = length - sent < PIECE_MAX ? (size_t)(length - sent) : PIECE_MAX, got = 0;
        ssize_t n = 1;
        frame[0] = FRAME_FILE;
        while (got < want && (n = read(fd, frame + 1 + got, want - got)) != 0) {
            if (n < 0 && errno != EINTR)
                return ctx_error(x->ctx, AT_ERR, "evidence item %s: cannot read its vault "
                                 "file: %s", id, strerror(errno));
            got += n > 0 ? (size_t)n : 0;
        }
        if (got < want)
            return ctx_error(x->ctx, AT_ECORRUPT, "evidence item %s: its vault file ends "
                             "after %llu of its %llu bytes", id,
                             (unsigned long long)(sent + got), (unsigned long long)length);
        rc = sync_pack_submit(x->ctx, x->po, 1 + got);
        sent += got;
    }
    return rc;
}

/* I: origin, u64 oseq, the proof, then u32 length and canonical JSON,
 * and for an evidence item (key not NULL) its vault file's key and u64
 * length. */
static int item_frame(struct exporter *x, const char *origin, int64_t oseq,
                      const struct wire_proof *p, json_t *body, const uint8_t *key,
                      uint64_t length)
{
    char *text;
    int rc;

    if ((rc = frame_begin(x, FRAME_ITEM, origin, oseq)) != AT_OK)
        return rc;
    text = canonical_text(body);
    put_proof(&x->frame, p);
    buf_u32(&x->frame, (uint32_t)strlen(text));
    buf_puts(&x->frame, text);
    free(text);
    if (key) {
        buf_append(&x->frame, key, VAULTFILE_KEY_BYTES);
        buf_u64(&x->frame, length);
    }
    if ((rc = sync_pack_frame(x->ctx, x->po, x->frame.data, x->frame.len)) == AT_OK)
        x->stats->items++;
    sodium_memzero(x->frame.data, x->frame.len);
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
    json_t *item = NULL, *events = NULL, *body = NULL;
    struct buf ev_gid = BUF_INIT, salt = BUF_INIT;
    struct wire_proof p;
    uint8_t key[VAULTFILE_KEY_BYTES];
    uint64_t length = 0;
    int clearance = CLEARANCE_CONFIDENTIAL, fd = -1, rc;

    if ((rc = vault_item(x->ctx, x->st, ref, &item)) != AT_OK)
        goto out;
    vocab_clearance_parse(x->ctx, json_string_value(json_object_get(item, "clearance")) ?: "",
                          &clearance);
    ctx_clear(x->ctx);
    if (x->peer->partner && clearance > CLEARANCE_PARTNER)
        goto out;
    if ((rc = proof_of(x, origin, oseq, row, (const char *)sqlite3_column_text(row, 4), &p,
                       &salt)) != AT_OK
        || (rc = evidence_gid(x->ctx, x->st, x->own.archive, ref, &ev_gid)) != AT_OK)
        goto out;
    if (evidence) {
        struct buf parent = BUF_INIT;
        /* The commitment its origin logged is to the origin's salt. */
        if (salt.len > 0)
            json_object_set_new(item, "salt", json_stringn(salt.data, salt.len));
        const char *pid = json_string_value(json_object_get(item, "parent"));
        if (pid && (rc = evidence_gid(x->ctx, x->st, x->own.archive, pid, &parent)) != AT_OK)
            goto out;
        json_object_set_new(item, "parent", pid ? json_string(buf_str(&parent)) : json_null());
        buf_free(&parent);
        /* The id travels in the proof's text, as the origin logged it. */
        json_object_del(item, "id");
        body = json_pack("{s:s, s:O}", "kind", kind, "item", item);
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
        body = json_pack("{s:s, s:s, s:O}", "kind", kind, "evidence", buf_str(&ev_gid),
                         "event", event);
    }
    if (!evidence)
        rc = item_frame(x, origin, oseq, &p, body, NULL, 0);
    else if ((rc = vault_open_sealed(x->ctx, x->st, ref, key, &fd, &length)) == AT_OK
             && (rc = item_frame(x, origin, oseq, &p, body, key, length)) == AT_OK
             && (rc = export_file(x, ref, fd, length)) == AT_OK) {
        x->stats->bytes += (uint64_t)json_integer_value(json_object_get(item, "size"));
        x->stats->files++;
    }
out:
    sodium_memzero(key, sizeof key);
    if (fd >= 0)
        close(fd);
    json_decref(item);
    json_decref(events);
    json_decref(body);
    buf_free(&ev_gid);
    buf_free(&salt);
    return rc;
}

/* Adds to boxes, under each officer's key, the boxes of an identity this
 * archive sealed to its own officers (entries named by the officer): a team
 * peer keeps them for this archive, and gives them back after `attest
 * travel` removed them here. */
static int own_boxes(struct exporter *x, json_t *sealed, json_t *boxes)
{
    static const char sql[] = "SELECT name, box_pk FROM user WHERE role = 'officer'";
    sqlite3_stmt *stmt = store_stmt(x->ctx, x->st, sql);

    if (stmt == NULL)
        return AT_ERR;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *box = json_object_get(sealed, (const char *)sqlite3_column_text(stmt, 0));
        struct buf key = BUF_INIT;
        if (!json_is_string(box) || sqlite3_column_bytes(stmt, 1) != crypto_box_PUBLICKEYBYTES)
            continue;
        sync_b64(sqlite3_column_blob(stmt, 1), crypto_box_PUBLICKEYBYTES, &key);
        json_object_set(boxes, buf_str(&key), box);
        buf_free(&key);
    }
    sqlite3_reset(stmt);
    return AT_OK;
}

/* A witness identity, to a team peer: only the boxes sealed to that
 * peer's officers (entries "peer:KEY" of the logged item, KEY from its key
 * line: sealed here, or received sealed from another team archive to be
 * passed on), and, for an identity this archive recorded, its own
 * officers' boxes (own_boxes); nothing when none is.  Never to a
 * partner. */
static int export_identity(struct exporter *x, sqlite3_stmt *row)
{
    const char *origin = (const char *)sqlite3_column_text(row, 5);
    const char *text = (const char *)sqlite3_column_text(row, 4);
    int64_t oseq = sqlite3_column_int64(row, 6);
    json_t *doc, *sealed, *boxes, *body;
    struct wire_proof p;
    int rc = AT_OK;

    if (x->peer->partner)
        return AT_OK;
    if ((doc = json_loads(text, 0, NULL)) == NULL)
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
    if (strcmp(origin, x->own.archive) == 0 && (rc = own_boxes(x, sealed, boxes)) != AT_OK)
        goto out;
    if (json_object_size(boxes) > 0
        && (rc = proof_of(x, origin, oseq, row, text, &p, NULL)) == AT_OK) {
        body = json_pack("{s:s, s:s, s:O}", "kind", "identity",
                         "witness", (const char *)sqlite3_column_text(row, 2), "boxes", boxes);
        rc = item_frame(x, origin, oseq, &p, body, NULL, 0);
        json_decref(body);
    }
out:
    json_decref(boxes);
    json_decref(doc);
    return rc;
}

/* Everything above mark, in this archive's log order: versions, and the
 * evidence and custody items (this archive's own, and those imported). */
/* The versions written since mark: what a pack to a team peer holds (a
 * partner's may hold fewer, its tier allowing). */
#define SINCE_MARK_SQL(cols)                                                              \
    "SELECT " cols " FROM record_version v"                                               \
    " WHERE v.oseq > coalesce(json_extract(?1, '$.\"' || v.origin || '\"'), 0)"

static int count_since(struct at_ctx *ctx, struct store *st, const char *mark, uint64_t *out)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, SINCE_MARK_SQL("count(*)"));

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, mark, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        return store_error(ctx, st, "counting what to send");
    *out = (uint64_t)sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return AT_OK;
}

static int export_body(struct exporter *x, const char *mark)
{
    static const char sql[] =
        SINCE_MARK_SQL("'v', v.log_seq, v.id, v.version, v.doc, v.origin, v.oseq, v.proof")
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
    struct exporter x = { .ctx = ctx, .st = st, .peer = &p, .stats = stats ? stats : &local,
                          .frame = BUF_INIT, .kept = { .st = st } };
    struct buf self = BUF_INIT;
    json_t *mark = NULL, *mframe = NULL;
    const char *from;
    uint64_t versions = 0;
    bool begun = false;
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) != AT_OK
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
    from = since_mark ? since_mark : p.mark ? p.mark : "{}";
    if ((rc = count_since(ctx, st, from, &versions)) != AT_OK
        || (rc = writer_begin(ctx, st, &p, fd, versions, &x.po)) != AT_OK
        || (rc = export_body(&x, from)) != AT_OK)
        goto out;
    mframe = json_pack("{s:O}", "mark", mark);
    if ((rc = out_json(ctx, x.po, FRAME_MARK, mframe)) == AT_OK)
        rc = sync_pack_end(ctx, x.po);
out:
    if (begun)
        store_exec(&(struct at_ctx){ 0 }, st, rc == AT_OK ? "COMMIT" : "ROLLBACK");
    sync_pack_free(x.po);
    evlog_prover_free(x.prover);
    buf_free(&x.frame);
    sync_proof_reader_free(&x.kept);
    buf_free(&self);
    json_decref(mark);
    json_decref(mframe);
    sync_peer_free(&p);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* A buffered reader of the pack. */
struct pack_in {
    int fd;
    uint8_t *buf;
    size_t pos, len;
    uint64_t offset;
};

/* Passes over len bytes of a regular file that holds them (a vault file
 * written ahead, sync_ahead.c): what the buffer holds, then a seek. */
static int in_pass(struct at_ctx *ctx, struct pack_in *pi, uint64_t len)
{
    size_t held = pi->len - pi->pos < len ? pi->len - pi->pos : (size_t)len;

    pi->pos += held, pi->offset += held, len -= held;
    if (len > 0 && lseek(pi->fd, (off_t)len, SEEK_CUR) < 0)
        return ctx_error(ctx, AT_ERR, "cannot read the pack: %s", strerror(errno));
    pi->offset += len;
    return AT_OK;
}

/* Reads exactly len bytes (out NULL: skips them); AT_EINVAL when the pack
 * ends first.  A long read bypasses the buffer. */
static int in_read(struct at_ctx *ctx, struct pack_in *pi, void *out, size_t len)
{
    uint8_t *o = out;
    ssize_t n;

    while (len > 0) {
        if (pi->pos == pi->len) {
            bool direct = o != NULL && len >= IO_CHUNK;
            do
                n = read(pi->fd, direct ? o : pi->buf, direct ? len : IO_CHUNK);
            while (n < 0 && errno == EINTR);
            if (n < 0)
                return ctx_error(ctx, AT_ERR, "cannot read the pack: %s", strerror(errno));
            if (n == 0)
                return ctx_error(ctx, AT_EINVAL, "the pack is truncated: it ends at byte %llu, "
                                 "before its end", (unsigned long long)pi->offset);
            if (direct) {
                o += n, pi->offset += (uint64_t)n, len -= (size_t)n;
                continue;
            }
            pi->pos = 0;
            pi->len = (size_t)n;
        }
        size_t take_n = pi->len - pi->pos < len ? pi->len - pi->pos : len;
        if (o) {
            memcpy(o, pi->buf + pi->pos, take_n);
            o += take_n;
        }
        pi->pos += take_n, pi->offset += take_n, len -= take_n;
    }
    return AT_OK;
}

/* What the header says. */
struct pack_header {
    char from[33], to[33], created_at[32], tier[16];
    uint64_t versions;                      /* at most, as it says; 0: not said */
    uint8_t sealed[crypto_secretstream_xchacha20poly1305_KEYBYTES + crypto_box_SEALBYTES];
    uint8_t ssh[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    uint8_t ad[crypto_generichash_BYTES];   /* the hash of the signed bytes */
    uint8_t sig[crypto_sign_BYTES];
    struct buf signed_bytes;                /* SIG_DOMAIN, magic, length, header */
};

/* The magic line: this format, or a clear word on which one it is. */
static int read_magic(struct at_ctx *ctx, struct pack_in *pi, struct buf *msg)
{
    uint8_t magic[MAGIC_LEN];
    int rc;

    if ((rc = in_read(ctx, pi, magic, sizeof magic)) != AT_OK)
        return rc == AT_EINVAL ? ctx_error(ctx, AT_EINVAL, "not an attest pack (too short)") : rc;
    if (memcmp(magic, MAGIC, MAGIC_LEN) == 0) {
        buf_append(msg, magic, sizeof magic);
        return AT_OK;
    }
    size_t digits = strlen(MAGIC_PREFIX);
    while (digits < sizeof magic && magic[digits] >= '0' && magic[digits] <= '9')
        digits++;
    if (memcmp(magic, MAGIC_PREFIX, strlen(MAGIC_PREFIX)) != 0 || digits == strlen(MAGIC_PREFIX))
        return ctx_error(ctx, AT_EINVAL, "not an attest pack (it does not begin with \"%.*s\")",
                         (int)MAGIC_LEN - 1, MAGIC);
    return ctx_error(ctx, AT_EINVAL, "this pack is of format %.*s, and this attest reads packs "
                     "of format %d only: make it again with the same version of attest on "
                     "both sides", (int)(digits - strlen(MAGIC_PREFIX)),
                     (const char *)magic + strlen(MAGIC_PREFIX), PACK_FORMAT);
}

static int read_header(struct at_ctx *ctx, struct pack_in *pi, struct pack_header *h)
{
    uint8_t n[4];
    char *text = NULL;
    json_t *doc = NULL;
    uint32_t len;
    int rc;

    buf_append(&h->signed_bytes, SIG_DOMAIN, sizeof SIG_DOMAIN);
    if ((rc = read_magic(ctx, pi, &h->signed_bytes)) != AT_OK
        || (rc = in_read(ctx, pi, n, sizeof n)) != AT_OK)
        return rc;
    if ((len = get_u32(n)) == 0 || len > HEADER_MAX)
        return ctx_error(ctx, AT_EINVAL, "the pack's header is damaged (length %u)", len);
    text = xmalloc(len + 1);
    if ((rc = in_read(ctx, pi, text, len)) != AT_OK
        || (rc = in_read(ctx, pi, h->sig, sizeof h->sig)) != AT_OK)
        goto out;
    text[len] = '\0';
    buf_append(&h->signed_bytes, n, sizeof n);
    buf_append(&h->signed_bytes, text, len);
    crypto_generichash(h->ad, sizeof h->ad,
                       (const uint8_t *)h->signed_bytes.data + sizeof SIG_DOMAIN,
                       h->signed_bytes.len - sizeof SIG_DOMAIN, NULL, 0);
    doc = json_loads(text, 0, NULL);
    json_int_t format = json_integer_value(json_object_get(doc, "format"));
    const char *from = json_string_value(json_object_get(doc, "from"));
    const char *to = json_string_value(json_object_get(doc, "to"));
    const char *at = json_string_value(json_object_get(doc, "created_at"));
    const char *tier = json_string_value(json_object_get(doc, "tier"));
    if (doc != NULL && format != PACK_FORMAT) {
        rc = ctx_error(ctx, AT_EINVAL, "the pack's header says format %lld, and this attest "
                       "reads packs of format %d only", (long long)format, PACK_FORMAT);
        goto out;
    }
    if (from == NULL || strlen(from) != ARCHIVE_LEN || to == NULL || strlen(to) != ARCHIVE_LEN
        || at == NULL || strlen(at) >= sizeof h->created_at || tier == NULL
        || strlen(tier) >= sizeof h->tier
        || b64_exact(json_string_value(json_object_get(doc, "key")), h->sealed,
                     sizeof h->sealed) != AT_OK
        || b64_exact(json_string_value(json_object_get(doc, "stream")), h->ssh,
                     sizeof h->ssh) != AT_OK) {
        rc = ctx_error(ctx, AT_EINVAL, "the pack's header is damaged or of another format");
        goto out;
    }
    memcpy(h->from, from, 33);
    memcpy(h->to, to, 33);
    json_int_t versions = json_integer_value(json_object_get(doc, "versions"));
    h->versions = versions > 0 ? (uint64_t)versions : 0;
    snprintf(h->created_at, sizeof h->created_at, "%s", at);
    snprintf(h->tier, sizeof h->tier, "%s", tier);
out:
    json_decref(doc);
    free(text);
    return rc;
}

/* The header names this archive and a pinned sender, whose signature
 * covers it (and so the stream's key, which binds every frame). */
static int check_header(struct at_ctx *ctx, struct store *st, struct pack_in *pi,
                        struct pack_header *h, struct sync_peer *sender)
{
    struct buf self = BUF_INIT;
    int rc;

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
    if (crypto_sign_verify_detached(h->sig, (const uint8_t *)h->signed_bytes.data,
                                    h->signed_bytes.len, sender->sign_pk) != 0)
        rc = ctx_error(ctx, AT_ECORRUPT, "the pack's signature does not verify with the key "
                       "pinned for %s (%s): it was changed, or not signed by that archive",
                       sender->name, h->from);
out:
    buf_free(&self);
    return rc;
}

/* ---- applying ----------------------------------------------------------- */

struct importer {
    struct at_ctx *ctx;
    struct store *st;
    struct pack_in *pi;
    stream_state ss;
    const uint8_t *ad;
    const struct sync_peer *sender;
    char self[33];
    uint8_t *plain, *ct;
    size_t plen;           /* of the last frame, type byte included */
    bool ended;
    uint32_t files;        /* evidence items met so far */
    struct sync_stats *stats;
    json_t *mark;
    struct sync_seen seen;  /* proofs checked (sync_proof_check) */
    struct sync_proof_cache kept; /* the last version's proof kept (sync_proof_store) */
    struct record_pending *pending; /* records whose view waits (record.h) */
    struct sync_ahead *ahead;       /* vault files written ahead, or NULL */
    struct sync_frames *frames;     /* frames read ahead, or NULL */
    struct version_ready *ready;    /* what it made of the frame in plain (version_prepare), or NULL */
    int64_t ahead_base;             /* where the pack starts in its file (its offsets count from there) */
    const struct sync_watch *watch; /* told of versions read, or NULL */
    uint64_t version_frames, versions_said; /* read so far; the header's count */
};

/* Tells the watcher how many version frames were read, every
 * SYNC_WATCH_EVERY and (last) after the last one, unless just told. */
static void watch_versions(struct importer *im, bool last)
{
    bool told = im->version_frames > 0 && im->version_frames % SYNC_WATCH_EVERY == 0;

    if (im->watch && im->watch->versions && (last ? !told : told))
        im->watch->versions(im->watch->arg, im->version_frames,
                            im->versions_said > im->version_frames ? im->versions_said
                                                                   : im->version_frames);
}

/* What the thread reading frames ahead (sync_frames_start) makes of a
 * version's frame, as apply_version would: its text parsed, when
 * record_synced_check passes it unchanged and the version stored gives the
 * text back (then the import need neither parse nor check it, nor keep the
 * text); and the version as it will be stored, numbered as its origin
 * numbered it (as a first import of a record mostly numbers it here too)
 * and stamped with this second (record_stored_make).  NULL for anything
 * else, which apply_version works out itself.  Given back once the version
 * is applied (it was allocated on that thread); arg is who imports. */
struct version_ready {
    json_t *doc;
    uint8_t proof_leaf[MERKLE_HASH_LEN]; /* the leaf hash of its proof's text */
    struct record_stored *made;
};

static void *version_prepare(void *arg, const uint8_t *plain, size_t len)
{
    struct cursor c = { plain + 1, len - 1, false }, gid, bases;
    struct version_ready *v;
    struct wire_proof p;
    uint32_t nbases;
    char now[21];
    json_t *doc;

    if (plain[0] != FRAME_VERSION)
        return NULL;
    take_version_head(&c, &gid, &bases, &nbases);
    if (!take_proof(&c, &p) || (doc = canonical_parse(p.text, p.text_len)) == NULL)
        return NULL;
    /* The text again from the checked document: the check changed nothing. */
    if (record_synced_check(&(struct at_ctx){ 0 }, doc) != AT_OK
        || !record_logged_text_again(doc, p.text, p.text_len)) {
        json_decref(doc);
        return NULL;
    }
    canonical_now(now);
    v = xmalloc(sizeof *v);
    v->doc = doc;
    merkle_leaf_hash(p.text, p.text_len, v->proof_leaf);
    v->made = record_stored_make(doc, p.text, p.text_len, arg,
                                 (int)json_integer_value(json_object_get(doc, "version")), now);
    return v;
}

static void version_release(void *prepared)
{
    struct version_ready *v = prepared;

    record_stored_free(v->made);
    json_decref(v->doc);
    free(v);
}

/* Done with what the thread reading ahead made of the last frame. */
static void give_back(struct importer *im)
{
    if (im->ready == NULL)
        return;
    if (im->frames)
        sync_frames_give_back(im->frames, im->ready);
    else
        version_release(im->ready);
    im->ready = NULL;
}

/* The next frame as the thread reading ahead left it, into im->plain;
 * AT_ENOTFOUND when it has none for here (the import then reads every
 * frame itself). */
static int frame_taken(struct importer *im)
{
    struct sync_frame f;

    if (!sync_frames_take(im->frames, im->pi->offset + (uint64_t)im->ahead_base, im->plain, &f)) {
        sync_frames_stop(im->frames);
        im->frames = NULL;
        return AT_ENOTFOUND;
    }
    im->ss = f.ss_after;
    sodium_memzero(&f.ss_after, sizeof f.ss_after);
    im->ready = f.prepared;
    im->plen = f.plen;
    im->ended = f.last;
    return in_pass(im->ctx, im->pi, f.length);
}

/* Reads and decrypts the frame at im->pi's offset into im->plain. */
static int frame_read(struct importer *im)
{
    unsigned long long plen;
    uint8_t n[4], tag;
    uint32_t len;
    int rc;

    if ((rc = in_read(im->ctx, im->pi, n, sizeof n)) != AT_OK)
        return rc;
    if ((len = get_u32(n)) == 0)
        return ctx_error(im->ctx, AT_EINVAL, "the pack is truncated: it ends at byte %llu, "
                         "before its last frame", (unsigned long long)im->pi->offset);
    if (len > CT_MAX)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack is damaged: a frame of %u bytes at "
                         "byte %llu", len, (unsigned long long)im->pi->offset - 4);
    if ((rc = in_read(im->ctx, im->pi, im->ct, len)) != AT_OK)
        return rc;
    if (crypto_secretstream_xchacha20poly1305_pull(&im->ss, im->plain, &plen, &tag, im->ct, len,
                                                   im->ad, crypto_generichash_BYTES) != 0
        || plen == 0)
        return ctx_error(im->ctx, AT_ECORRUPT, "a frame of the pack does not decrypt (at byte "
                         "%llu): it was changed, moved, or not made with this header",
                         (unsigned long long)im->pi->offset - len);
    im->plen = (size_t)plen;
    im->ended = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    return AT_OK;
}

/* The next frame into im->plain: as the thread reading ahead left it, or
 * read here. */
static int next_frame(struct importer *im)
{
    int rc;

    if (im->ended)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack goes on after its last frame");
    give_back(im);
    if ((im->frames == NULL || (rc = frame_taken(im)) == AT_ENOTFOUND)
        && (rc = frame_read(im)) != AT_OK)
        return rc;
    if (rc == AT_OK && im->ended != (im->plain[0] == FRAME_END))
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack's last frame is out of place");
    return rc;
}

/* A V or I frame's identity. */
static int frame_gid(struct importer *im, struct cursor *c, char origin[ARCHIVE_LEN + 1],
                     int64_t *oseq)
{
    const uint8_t *o = take(c, ARCHIVE_LEN);
    uint64_t n = take_u64(c);

    if (o != NULL) {
        memcpy(origin, o, ARCHIVE_LEN);
        origin[ARCHIVE_LEN] = '\0';
    }
    if (o == NULL || n < 1 || n > INT64_MAX || strspn(origin, "0123456789abcdef") != ARCHIVE_LEN)
        return ctx_error(im->ctx, AT_ECORRUPT, "a frame's identity is damaged");
    *oseq = (int64_t)n;
    return AT_OK;
}

/* The proof that comes next in c, checked against origin/oseq. */
static int frame_proof(struct importer *im, struct cursor *c, const char *origin, int64_t oseq,
                       struct wire_proof *p)
{
    if (!take_proof(c, p))
        return ctx_error(im->ctx, AT_ECORRUPT, "the proof of %s/%lld is damaged", origin,
                         (long long)oseq);
    p->index = (uint64_t)oseq - 1;
    return sync_proof_check(im->ctx, im->st, im->sender, p, im->ready ? im->ready->proof_leaf : NULL,
                            origin, oseq, &im->seen);
}

/* Whether the version origin/oseq is held here: a version of this
 * archive's own too, which comes back after `attest travel` removed it. */
static int version_held(struct importer *im, const char *origin, int64_t oseq, bool *held)
{
    static const char sql[] = "SELECT 1 FROM record_version WHERE origin = ?1 AND oseq = ?2";
    sqlite3_stmt *stmt = store_stmt(im->ctx, im->st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, oseq);
    step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    *held = step == SQLITE_ROW;
    return step == SQLITE_ROW || step == SQLITE_DONE ? AT_OK
                                                     : store_error(im->ctx, im->st, "reading a version");
}

/* V: the version its proof's text holds, stored with its identity, bases
 * and proof, unless it is held already. */
static int apply_version(struct importer *im, struct cursor *c)
{
    char origin[ARCHIVE_LEN + 1], base[ARCHIVE_LEN + 1];
    json_t *doc = NULL, *bases = json_array();
    struct cursor gid, base_gids;
    struct wire_proof p;
    struct buf kept = BUF_INIT;
    int64_t oseq, boseq;
    uint32_t nbases;
    bool held;
    int rc;

    take_version_head(c, &gid, &base_gids, &nbases);
    if ((rc = frame_gid(im, &gid, origin, &oseq)) != AT_OK)
        goto out;
    for (uint32_t i = 0; i < nbases && rc == AT_OK; i++)
        if ((rc = frame_gid(im, &base_gids, base, &boseq)) == AT_OK)
            json_array_append_new(bases, json_sprintf("%s/%lld", base, (long long)boseq));
    if (rc != AT_OK || (rc = frame_proof(im, c, origin, oseq, &p)) != AT_OK)
        goto out;
    /* Parsed by the thread reading ahead, mostly. */
    doc = im->ready ? im->ready->doc : canonical_parse(p.text, p.text_len);
    if (c->left != 0 || doc == NULL) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "version %s/%lld is damaged", origin,
                       (long long)oseq);
        goto out;
    }
    if ((rc = version_held(im, origin, oseq, &held)) != AT_OK)
        goto out;
    if (held) {
        im->stats->skipped_already++;
    } else {
        /* Checked first, as it will be stored; kept without its text when
         * the version stored gives it back.  The thread reading ahead
         * mostly found both already. */
        bool as_stored = im->ready != NULL;
        if (!as_stored && (rc = record_synced_check(im->ctx, doc)) == AT_OK)
            as_stored = record_logged_text_again(doc, p.text, p.text_len);
        if (rc == AT_OK)
            rc = sync_proof_store(im->ctx, im->st, &im->kept, &p,
                                  as_stored ? json_integer_value(json_object_get(doc, "version")) : 0,
                                  &kept);
        if (rc == AT_OK)
            rc = record_put_synced(im->ctx, im->st, doc,
                                   &(struct record_origin){ .archive = origin, .seq = oseq,
                                                            .base = bases, .proof = kept.data,
                                                            .proof_len = kept.len,
                                                            .pending = im->pending,
                                                            .checked = true,
                                                            .made = im->ready ? im->ready->made
                                                                              : NULL });
        if (rc != AT_OK)
            ctx_prefix(im->ctx, "version %s/%lld: ", origin, (long long)oseq);
        else
            im->stats->versions++;
    }
    if (rc == AT_OK) {
        im->version_frames++;
        watch_versions(im, false);
    }
out:
    buf_free(&kept);
    json_decref(bases);
    if (im->ready == NULL)
        json_decref(doc);
    return rc;
}

/* The local vault id of the evidence item gid stands for: imported (an
 * archive's own item comes back so after `attest travel`), or this
 * archive's own entry. */
static int local_evidence(struct importer *im, const char *gid, char id[VAULT_ID_MAX])
{
    static const char sql[] =
        "SELECT l.ref FROM sync_item s JOIN log_item l ON l.seq = s.seq"
        " WHERE s.origin = ?1 AND s.oseq = ?2"
        " UNION ALL SELECT ref FROM log_item WHERE ?1 = ?3 AND seq = ?2 AND kind = 'evidence'";
    char origin[RECORD_GID_MAX];
    int64_t oseq;
    sqlite3_stmt *stmt;
    int step;

    if (record_gid_parse(gid, origin, &oseq) != AT_OK)
        return ctx_error(im->ctx, AT_ECORRUPT, "an evidence identity \"%s\" is damaged", gid);
    if ((stmt = store_stmt(im->ctx, im->st, sql)) == NULL)
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

/* Notes that (origin, oseq) stands for the log item seq here, with its
 * proof as it is kept (sync_proof_keep). */
static int note_item(struct importer *im, const char *origin, int64_t oseq, int64_t seq,
                     bool held, const struct buf *kept)
{
    static const char sql[] =
        "INSERT INTO sync_item(origin, oseq, seq, held, proof) VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *stmt = store_stmt(im->ctx, im->st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, oseq);
    sqlite3_bind_int64(stmt, 3, seq);
    sqlite3_bind_int(stmt, 4, held);
    sqlite3_bind_blob(stmt, 5, kept->data, (int)kept->len, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(im->ctx, im->st, "noting an imported item");
    sqlite3_reset(stmt);
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

/* The SHA-256 of the file sent (got) against the one its item names. */
static int same_file(struct importer *im, const uint8_t got[32], const char *sha)
{
    char hex[65];

    sodium_bin2hex(hex, sizeof hex, got, 32);
    if (strcmp(hex, sha) != 0)
        return ctx_error(im->ctx, AT_ECORRUPT, "the file sent has SHA-256 %s, not the %s its "
                         "item names", hex, sha);
    return AT_OK;
}

/* The vault file of an evidence item sent after its frame: the next
 * length bytes of the pack, sealed under key.  Into u, which checks each
 * chunk as it writes it and the plaintext's SHA-256 at the finish, or as
 * the thread that writes ahead left it (passed over here: in u, or only
 * checked).  When the item is held here already, only checked, its
 * plaintext's SHA-256 against sha (u is NULL unless written ahead): a
 * pack is taken whole or not at all. */
static int receive_file(struct importer *im, const char *gid, struct vault_upload *u,
                        const struct sync_ahead_file *ahead, bool held, const uint8_t *key,
                        uint64_t length, const char *sha)
{
    struct vaultfile_writer *check = NULL;
    struct vaultfile_result res;
    uint8_t got[32];
    int rc = AT_OK;

    if (ahead->upload || ahead->checked) {
        if ((rc = in_pass(im->ctx, im->pi, length)) == AT_OK && held) {
            if (ahead->checked)
                memcpy(got, ahead->sha256, sizeof got);
            else
                rc = vault_upload_sha256(im->ctx, u, got);
            if (rc == AT_OK)
                rc = same_file(im, got, sha);
        }
    } else {
        if (u == NULL)
            rc = vaultfile_writer_new_sealed(im->ctx, key, -1, SENT_FILE, length, &check);
        for (uint64_t left = length; rc == AT_OK && left > 0;) {
            size_t n = left < CT_MAX ? (size_t)left : CT_MAX;
            if ((rc = in_read(im->ctx, im->pi, im->ct, n)) != AT_OK)
                break;
            rc = u ? vault_upload_write(im->ctx, u, im->ct, n)
                   : vaultfile_writer_write(im->ctx, check, im->ct, n);
            left -= n;
        }
        if (rc == AT_OK && check && (rc = vaultfile_writer_finish(im->ctx, check, &res)) == AT_OK)
            rc = same_file(im, res.sha256, sha);
    }
    vaultfile_writer_free(check);
    if (rc != AT_OK && rc != AT_EINVAL) /* AT_EINVAL: the pack is truncated, said whole */
        ctx_prefix(im->ctx, "evidence item %s: ", gid);
    return rc;
}

/* An evidence item: its vault file follows, sealed under key, length
 * bytes.  It is written into this vault as it arrives, each chunk checked
 * and its plaintext hashed on the way, once: the vault stores it only if
 * that SHA-256 is the one the item names, and that must match the
 * commitment its origin logged. */
static int apply_evidence(struct importer *im, json_t *body, const struct wire_proof *p,
                          const char *origin, int64_t oseq, bool held, const uint8_t *key,
                          uint64_t length)
{
    json_t *item = json_object_get(body, "item"), *logged = NULL;
    const char *parent_gid = json_string_value(json_object_get(item, "parent"));
    const char *sha = json_string_value(json_object_get(item, "sha256"));
    const char *salt = json_string_value(json_object_get(item, "salt"));
    char parent[VAULT_ID_MAX], id[VAULT_ID_MAX], gid[ARCHIVE_LEN + 24];
    struct buf proof = BUF_INIT;
    struct vault_upload *u = NULL;
    struct vault_add a = {
        .filename = json_string_value(json_object_get(item, "filename")),
        .media_type = json_string_value(json_object_get(item, "media_type")),
        .link = json_string_value(json_object_get(item, "link")),
        .clearance = -1,
    };
    struct sync_ahead_file ahead;
    bool existed = false;
    int64_t seq;
    int rc = AT_OK;

    im->files++;
    snprintf(gid, sizeof gid, "%s/%lld", origin, (long long)oseq);
    if (vocab_clearance_parse(im->ctx, json_string_value(json_object_get(item, "clearance")) ?: "",
                              &a.clearance) != AT_OK || sha == NULL || salt == NULL
        || a.filename == NULL)
        return ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s is damaged", gid);
    /* The commitment the origin logged binds this file's SHA-256. */
    logged = json_loadb(p->text, p->text_len, 0, NULL);
    uint8_t in[64], commitment[32];
    char hex[65];
    size_t l1 = 0, l2 = 0;
    if (sodium_hex2bin(in, 32, salt, strlen(salt), NULL, &l1, NULL) != 0
        || sodium_hex2bin(in + 32, 32, sha, strlen(sha), NULL, &l2, NULL) != 0 || l1 != 32
        || l2 != 32) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s is damaged", gid);
        goto out;
    }
    crypto_hash_sha256(commitment, in, sizeof in);
    sodium_bin2hex(hex, sizeof hex, commitment, sizeof commitment);
    if (strcmp(hex, json_string_value(json_object_get(logged, "commitment")) ?: "") != 0) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s does not match what its "
                       "origin logged", gid);
        goto out;
    }
    /* The item keeps the id its origin logged, signed with the rest: an id
     * written down anywhere finds it on every archive. */
    a.id = json_string_value(json_object_get(logged, "id"));
    if (a.id && !model_random_id_valid("ei", a.id)) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "evidence item %s: its logged id \"%s\" is not an "
                       "evidence id (such as ei-7k2m9q4xd3ab)", gid, a.id);
        goto out;
    }
    /* Kept with the proof: the salt of the commitment it proves. */
    sync_proof_keep(p, salt, &proof);
    if (!held && parent_gid && (rc = local_evidence(im, parent_gid, parent)) != AT_OK)
        goto out;
    a.parent = !held && parent_gid ? parent : NULL;
    if ((rc = sync_ahead_take(im->ctx, im->ahead, im->pi->offset + (uint64_t)im->ahead_base, key,
                              length, &ahead)) != AT_OK) {
        ctx_prefix(im->ctx, "evidence item %s: ", gid);
        goto out;
    }
    /* Only checked, as held when the thread asked: held still, since an
     * import holds more as it goes, never less. */
    ahead.checked = ahead.checked && held;
    u = ahead.upload;
    im->stats->files_ahead += u != NULL || ahead.checked;
    if (!held && u == NULL
        && (rc = vault_upload_begin_sealed(im->ctx, im->st, &a, key, length, SENT_FILE, &u))
               != AT_OK)
        goto out;
    if ((rc = receive_file(im, gid, u, &ahead, held, key, length, sha)) != AT_OK)
        goto out;
    if (held) {
        im->stats->skipped_already++;
        goto out;
    }
    vault_upload_expect(u, sha);
    if ((rc = vault_upload_finish(im->ctx, im->st, u, &a, id, &existed)) != AT_OK) {
        ctx_prefix(im->ctx, "evidence item %s: ", gid);
        goto out;
    }
    if ((rc = last_item(im, "evidence", id, &seq)) == AT_OK)
        rc = note_item(im, origin, oseq, seq, !existed, &proof);
    im->stats->items++;
    im->stats->files++;
    im->stats->bytes += vault_upload_bytes(u);
out:
    vault_upload_free(u);
    json_decref(logged);
    buf_free(&proof);
    return rc;
}

static int apply_custody(struct importer *im, json_t *body, const struct wire_proof *p,
                         const char *origin, int64_t oseq)
{
    json_t *e = json_object_get(body, "event");
    const char *ev = json_string_value(json_object_get(body, "evidence"));
    char id[VAULT_ID_MAX];
    struct buf note = BUF_INIT, proof = BUF_INIT;
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
    sync_proof_keep(p, NULL, &proof);
    if ((rc = vault_custody_add(im->ctx, im->st, id, &c)) == AT_OK
        && (rc = last_item(im, "custody", id, &seq)) == AT_OK)
        rc = note_item(im, origin, oseq, seq, true, &proof);
    im->stats->items += rc == AT_OK;
    buf_free(&proof);
    buf_free(&note);
    return rc;
}

/* Whether box, sent for the officer's key KEY, is one the origin logged in
 * the identity item whose "sealed" is logged: as "peer:KEY", sealed to a
 * team peer's officer; or under the name of one of the origin's own
 * officers (whose keys only the origin maps to names: such a box goes
 * back to its origin after `attest travel`). */
static bool box_logged(json_t *logged, const char *key, json_t *box)
{
    struct buf name = BUF_INIT;
    const char *officer;
    json_t *v;
    bool found;

    buf_printf(&name, "peer:%s", key);
    found = json_equal(box, json_object_get(logged, buf_str(&name)));
    buf_free(&name);
    json_object_foreach(logged, officer, v)
        found = found || (strncmp(officer, "peer:", 5) != 0 && json_equal(box, v));
    return found;
}

/* A witness identity, sealed by its origin to the officers' keys in this
 * archive's key line or to its own officers: each box must be one its
 * origin logged (box_logged, against the item its proof holds).  A box for
 * one of this archive's officers is filed under that officer; one for a
 * team peer's officer (the origin's own, too) is kept as "peer:KEY", to be
 * passed on still sealed.  Nothing here opens it; kept when it holds a box
 * for anyone here or in the team (so that a centre with no officer of its
 * own still gives a travelled laptop its identities back). */
static int apply_identity(struct importer *im, json_t *body, const struct wire_proof *p,
                          const char *origin, int64_t oseq)
{
    static const char sql[] = "SELECT name, box_pk FROM user WHERE role = 'officer'";
    const char *witness = json_string_value(json_object_get(body, "witness")), *key;
    json_t *boxes = json_object_get(body, "boxes"), *sealed = json_object(), *team = NULL, *box;
    json_t *logged = json_loadb(p->text, p->text_len, 0, NULL);
    struct buf proof = BUF_INIT;
    sqlite3_stmt *stmt;
    size_t i;
    int64_t seq;
    int rc = AT_OK;

    if (witness == NULL || !json_is_object(boxes)) {
        rc = ctx_error(im->ctx, AT_ECORRUPT, "identity item %s/%lld is damaged", origin,
                       (long long)oseq);
        goto out;
    }
    json_object_foreach(boxes, key, box) {
        if (!box_logged(json_object_get(logged, "sealed"), key, box)) {
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
    if (json_object_size(sealed) == 0) {
        im->stats->skipped_already++; /* sealed to no officer here or in the team */
    } else {
        sync_proof_keep(p, NULL, &proof);
        if ((rc = identity_put_sealed(im->ctx, im->st, witness, sealed)) == AT_OK
            && (rc = last_item(im, "identity", witness, &seq)) == AT_OK
            && (rc = note_item(im, origin, oseq, seq, true, &proof)) == AT_OK)
            im->stats->items++;
    }
out:
    buf_free(&proof);
    json_decref(sealed);
    json_decref(team);
    json_decref(logged);
    return rc;
}

/* What an I frame holds after its identity and proof: u32 length and the
 * item in JSON, then, for an evidence item, its vault file's key and u64
 * length.  body is set (the caller frees it), and key and length for an
 * evidence item (key points into c's bytes); false when damaged. */
static bool item_parts(struct cursor *c, json_t **body, const uint8_t **key, uint64_t *length)
{
    uint32_t len = take_u32(c);
    const uint8_t *text = take(c, len);
    const char *kind;

    *body = NULL;
    *key = NULL;
    *length = 0;
    if (text == NULL || (*body = json_loadb((const char *)text, len, 0, NULL)) == NULL)
        return false;
    kind = json_string_value(json_object_get(*body, "kind"));
    if (kind && strcmp(kind, "evidence") == 0) {
        *key = take(c, VAULTFILE_KEY_BYTES);
        *length = take_u64(c);
    }
    return !c->bad && c->left == 0;
}

/* An evidence item's I frame, whose vault file follows (sync_file_after). */
static bool item_file_after(const uint8_t *plain, size_t len, struct sync_file_info *file)
{
    struct cursor c = { plain + 1, len - 1, false };
    const uint8_t *origin;
    struct wire_proof p;
    json_t *body = NULL;
    bool found;

    if (len < 1 || plain[0] != FRAME_ITEM || (origin = take(&c, ARCHIVE_LEN)) == NULL)
        return false;
    memcpy(file->origin, origin, ARCHIVE_LEN);
    file->origin[ARCHIVE_LEN] = '\0';
    file->oseq = (int64_t)take_u64(&c);
    found = take_proof(&c, &p) && item_parts(&c, &body, &file->key, &file->length)
            && file->key != NULL;
    json_decref(body);
    return found;
}

/* Whether the item is held here (sync_item_held), for the thread that
 * writes files ahead; a failure to tell is "no": the file is written, and
 * the item's frame decides. */
static bool ahead_held(void *arg, const char *origin, int64_t oseq)
{
    bool held = false;

    return item_held(arg, origin, oseq, &held) == AT_OK && held;
}

/* I: the identity, the proof, then the item (item_parts). */
static int apply_item(struct importer *im, struct cursor *c)
{
    char origin[ARCHIVE_LEN + 1];
    struct wire_proof p;
    json_t *body = NULL;
    const uint8_t *key;
    const char *kind;
    uint64_t length;
    int64_t oseq;
    bool held;
    int rc;

    if ((rc = frame_gid(im, c, origin, &oseq)) != AT_OK
        || (rc = frame_proof(im, c, origin, oseq, &p)) != AT_OK)
        return rc;
    if (!item_parts(c, &body, &key, &length)) {
        json_decref(body);
        return ctx_error(im->ctx, AT_ECORRUPT, "item %s/%lld is damaged", origin,
                         (long long)oseq);
    }
    kind = json_string_value(json_object_get(body, "kind"));
    if ((rc = item_held(im, origin, oseq, &held)) != AT_OK)
        goto out;
    if (key) {
        rc = apply_evidence(im, body, &p, origin, oseq, held, key, length);
        goto out;
    }
    if (kind == NULL || (strcmp(kind, "custody") != 0 && strcmp(kind, "identity") != 0))
        rc = ctx_error(im->ctx, AT_ECORRUPT, "an item of unknown kind \"%s\"", kind ?: "");
    else if (held)
        im->stats->skipped_already++;
    else if (strcmp(kind, "identity") == 0)
        rc = apply_identity(im, body, &p, origin, oseq);
    else
        rc = apply_custody(im, body, &p, origin, oseq);
out:
    json_decref(body);
    return rc;
}

/* Every frame, in order, inside the write transaction.  The current view
 * of the records the versions touch is derived once for each record
 * (record_pending_settle): before an item, which may read it (an
 * evidence item's link, an identity's witness), and after the last frame. */
static int apply_frames(struct importer *im)
{
    int rc;

    /* The pack need not start where its file does (standard input). */
    off_t at = lseek(im->pi->fd, 0, SEEK_CUR);
    im->ahead_base = (int64_t)at - (int64_t)(im->pi->len - im->pi->pos) - (int64_t)im->pi->offset;
    if (at >= 0 && im->ahead_base >= 0) {
        uint64_t first = im->pi->offset + (uint64_t)im->ahead_base;
        im->ahead = sync_ahead_start(im->st, im->pi->fd, first, &im->ss, im->ad, item_file_after,
                                     ahead_held, im);
        im->frames = sync_frames_start(im->pi->fd, first, &im->ss, im->ad, item_file_after,
                                       version_prepare, (void *)store_session(im->st)->user,
                                       version_release);
    }

    while ((rc = next_frame(im)) == AT_OK && !im->ended) {
        struct cursor c = { im->plain + 1, im->plen - 1, false };
        char type = (char)im->plain[0];
        json_t *m;
        if (type == FRAME_VERSION)
            rc = apply_version(im, &c);
        else if (type == FRAME_ITEM) {
            if ((rc = record_pending_settle(im->ctx, im->st, im->pending)) == AT_OK)
                rc = apply_item(im, &c);
        }
        else if (type != FRAME_MARK)
            rc = ctx_error(im->ctx, AT_ECORRUPT, "a frame of unknown type '%c' in the pack", type);
        else if ((m = json_loadb((const char *)c.p, c.left, 0, NULL)) == NULL)
            rc = ctx_error(im->ctx, AT_ECORRUPT, "the pack's mark is not JSON");
        else {
            if (im->mark == NULL)
                im->mark = json_incref(json_object_get(m, "mark"));
            json_decref(m);
        }
        if (rc != AT_OK)
            return rc;
        sync_ahead_poll(im->ahead);
    }
    if (rc == AT_OK && (rc = record_pending_end(im->ctx, im->st, im->pending)) == AT_OK)
        watch_versions(im, true);
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

/* After the last frame: the zero length, then nothing. */
static int read_end(struct importer *im)
{
    uint8_t n[4], extra;
    int rc;

    if ((rc = in_read(im->ctx, im->pi, n, sizeof n)) != AT_OK)
        return rc;
    if (get_u32(n) != 0)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack goes on after its last frame");
    if (in_read(&(struct at_ctx){ 0 }, im->pi, &extra, 1) == AT_OK)
        return ctx_error(im->ctx, AT_EINVAL, "the pack has bytes after its end");
    return AT_OK;
}

/* Opens the pack on im->pi for this archive: its header and signature
 * checked, the stream's key opened; then im reads frames. */
static int pack_open(struct importer *im, struct pack_header *h, struct sync_peer *sender)
{
    uint8_t pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    int rc;

    if ((rc = check_header(im->ctx, im->st, im->pi, h, sender)) != AT_OK
        || (rc = sync_box_keys(im->ctx, im->st, pk, sk)) != AT_OK)
        return rc;
    rc = crypto_box_seal_open(key, h->sealed, sizeof h->sealed, pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack's key does not open with this "
                         "archive's key");
    rc = crypto_secretstream_xchacha20poly1305_init_pull(&im->ss, h->ssh, key);
    sodium_memzero(key, sizeof key);
    if (rc != 0)
        return ctx_error(im->ctx, AT_ECORRUPT, "the pack's stream header is damaged");
    im->ad = h->ad;
    im->plain = xmalloc(CT_MAX);
    im->ct = xmalloc(CT_MAX);
    return AT_OK;
}

/* Frees what pack_open took for reading frames, wiped: they held the
 * frames' plaintext and the keys of the files sent. */
static void importer_free(struct importer *im)
{
    give_back(im);
    sync_frames_stop(im->frames);
    sync_ahead_stop(im->ahead);
    if (im->plain)
        sodium_memzero(im->plain, CT_MAX);
    if (im->ct)
        sodium_memzero(im->ct, CT_MAX);
    free(im->plain);
    free(im->ct);
    sodium_memzero(&im->ss, sizeof im->ss);
}

/* After a rollback: the files an import renamed into the vault before it
 * failed belong to no item; they go now rather than at the next add. */
static void sweep_after(struct store *st)
{
    struct at_ctx quiet = { 0 };
    long swept = 0;

    if (store_begin(&quiet, st) != AT_OK)
        return;
    vault_sweep(&quiet, st, &swept);
    store_rollback(st);
}

int sync_import(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats)
{
    return sync_import_watched(ctx, st, fd, stats, NULL);
}

/* The import runs as a bulk JSON Lines import does (import.c): with the
 * full-text indexes' larger write buffer (search_bulk, inside the
 * transaction: a rollback takes it back) and the store's bulk page cache
 * (store_bulk_cache), both set back at its end.  The cache is for the
 * map: a pack into an archive that has points already makes the map's
 * counts and dates again at its end from every point (map_bulk, record.c),
 * and with the everyday cache, full of the pack's pages by then, each
 * point's rows were read back through a spill (docs/scaling.md: 25,000
 * records into 50,000, the dates 3.5 s against 0.3 s). */
int sync_import_watched(struct at_ctx *ctx, struct store *st, int fd, struct sync_stats *stats,
                        const struct sync_watch *watch)
{
    struct sync_stats local = { 0 };
    struct sync_peer sender = { 0 };
    struct pack_header h = { .signed_bytes = BUF_INIT };
    struct pack_in pi = { .fd = fd };
    struct importer im = { .ctx = ctx, .st = st, .pi = &pi, .sender = &sender, .ad = h.ad,
                           .stats = stats ? stats : &local, .pending = record_pending_new(),
                           .watch = watch };
    struct buf self = BUF_INIT;
    bool begun = false;
    long swept;
    int cache = 0, rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &self)) != AT_OK)
        goto out;
    snprintf(im.self, sizeof im.self, "%s", buf_str(&self));
    pi.buf = xmalloc(IO_CHUNK);
    if ((rc = pack_open(&im, &h, &sender)) != AT_OK)
        goto out;
    im.versions_said = h.versions;
    if ((rc = store_begin(ctx, st)) != AT_OK)
        goto out;
    begun = true;
    cache = store_bulk_cache(st);
    if ((rc = search_bulk(ctx, st, true)) != AT_OK
        || (rc = vault_sweep(ctx, st, &swept)) != AT_OK
        || (rc = apply_frames(&im)) != AT_OK
        || (rc = read_end(&im)) != AT_OK
        || (rc = count_conflicts(ctx, st, &im.stats->conflicts)) != AT_OK
        || (rc = log_import(&im, &h)) != AT_OK
        || (rc = search_bulk(ctx, st, false)) != AT_OK)
        goto out;
    rc = evlog_commit(ctx, st);
    begun = rc != AT_OK;
out:
    if (begun) {
        store_rollback(st);
        if (im.files > 0)
            sweep_after(st);
    }
    store_bulk_cache_restore(st, cache);
    importer_free(&im);
    free(pi.buf);
    json_decref(im.mark);
    record_pending_free(im.pending);
    buf_free(&h.signed_bytes);
    buf_free(&self);
    sync_peer_free(&sender);
    return rc;
}

/* After an evidence item's frame (in im->plain), its vault file, given
 * to each() as FILE frames of at most PIECE_MAX bytes, checked by no one. */
static int read_file(struct importer *im, int (*each)(void *arg, const uint8_t *plain, size_t len),
                     void *arg)
{
    struct cursor c = { im->plain + 1, im->plen - 1, false };
    struct wire_proof p;
    const uint8_t *key = NULL;
    json_t *body = NULL;
    uint64_t length;
    int rc = AT_OK;

    if (im->plain[0] != FRAME_ITEM)
        return AT_OK;
    take(&c, GID_LEN);
    if (!take_proof(&c, &p) || !item_parts(&c, &body, &key, &length))
        rc = ctx_error(im->ctx, AT_ECORRUPT, "an item of the pack is damaged");
    json_decref(body);
    for (uint64_t left = key ? length : 0; rc == AT_OK && left > 0;) {
        size_t n = left < PIECE_MAX ? (size_t)left : PIECE_MAX;
        im->ct[0] = FRAME_FILE;
        if ((rc = in_read(im->ctx, im->pi, im->ct + 1, n)) == AT_OK)
            rc = each(arg, im->ct, 1 + n);
        left -= n;
    }
    return rc;
}

int sync_pack_read(struct at_ctx *ctx, struct store *st, int fd,
                   int (*each)(void *arg, const uint8_t *plain, size_t len), void *arg)
{
    struct sync_peer sender = { 0 };
    struct pack_header h = { .signed_bytes = BUF_INIT };
    struct pack_in pi = { .fd = fd, .buf = xmalloc(IO_CHUNK) };
    struct importer im = { .ctx = ctx, .st = st, .pi = &pi, .sender = &sender };
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_SYNC, 0)) == AT_OK
        && (rc = pack_open(&im, &h, &sender)) == AT_OK) {
        do
            if ((rc = next_frame(&im)) == AT_OK && (rc = each(arg, im.plain, im.plen)) == AT_OK)
                rc = read_file(&im, each, arg);
        while (rc == AT_OK && !im.ended);
        if (rc == AT_OK)
            rc = read_end(&im);
    }
    importer_free(&im);
    free(pi.buf);
    buf_free(&h.signed_bytes);
    sync_peer_free(&sender);
    return rc;
}
