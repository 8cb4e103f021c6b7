/*
 * bundle.c: writing and checking evidence bundles.  See bundle.h.
 *
 * Layout of the tar:
 *   manifest.json     what is in the bundle, with the proofs
 *   tree-head.json    the exact bytes the head's signature covers
 *   tree-head.sig     the Ed25519 signature (64 bytes)
 *   signing-key.pem   the archive's public key
 *   VERIFY.md         how to check it
 *   files/ID/NAME     the decrypted evidence files
 */
#include "attest.h"
#include "bundle.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "keys.h"
#include "merkle.h"
#include "record.h"
#include "vault.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT "attest-bundle/1"

static const char verify_md[] =
    "# How to verify this bundle\n"
    "\n"
    "This bundle was exported from an attest archive. Everything in it can be\n"
    "checked without attest, with standard tools. `manifest.json` lists the records\n"
    "and files; each comes with a proof that it is an entry of the archive's\n"
    "append-only log, whose state at one moment (its size and root hash) the archive\n"
    "signed.\n"
    "\n"
    "1. **The signature.** `tree-head.json` holds the signed statement: the archive's\n"
    "   id, the log's size, its root hash and the time. Check the signature with the\n"
    "   archive's public key (compare `signing-key.pem` with the key the archive's\n"
    "   keepers published, `attest key show`):\n"
    "\n"
    "       openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin \\\n"
    "           -in tree-head.json -sigfile tree-head.sig\n"
    "\n"
    "2. **The files.** Each file's SHA-256 must equal the one in the manifest:\n"
    "\n"
    "       sha256sum files/*/*\n"
    "\n"
    "   The log entry of each file holds `commitment` = SHA-256 of the 32 bytes of\n"
    "   `salt` followed by the 32 bytes of the file's SHA-256 (both given in hex in\n"
    "   the manifest), so the archive committed to the file when it was added without\n"
    "   revealing its hash to anyone who did not hold the key.\n"
    "\n"
    "3. **The proofs.** For a record or file, the leaf hash is SHA-256 of one byte 0x00\n"
    "   followed by the bytes of its `entry` text. The `inclusion_proof` hashes combine\n"
    "   it with its neighbours up to the root, as RFC 6962 section 2.1.1 and RFC 9162\n"
    "   section 2.1.3.2 describe (an inner node is SHA-256 of 0x01, left child, right\n"
    "   child); the result must equal the signed root. `leaf_index` is the entry's\n"
    "   position in the log, counted from 0.\n"
    "\n"
    "4. **The entries.** Each record's `entry` is the exact version the archive logged:\n"
    "   JSON with its id, version, who entered it, when, from which source, and its\n"
    "   fields.\n"
    "\n"
    "Records marked `\"redacted\": true` were changed for this bundle's tier\n"
    "(coordinates coarsened for the public) and so carry no proof.\n"
    "\n"
    "`attest verify-bundle FILE` performs all of these checks at once.\n";

struct writer {
    struct at_ctx *ctx;
    struct archive *a;
};

static int add_bytes(struct writer *w, const char *name, const void *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    int rc = AT_OK;

    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, time(NULL), 0);
    if (archive_write_header(w->a, e) != ARCHIVE_OK
        || (len && archive_write_data(w->a, data, len) != (la_ssize_t)len))
        rc = ctx_error(w->ctx, AT_ERR, "writing %s into the bundle: %s", name,
                       archive_error_string(w->a));
    archive_entry_free(e);
    return rc;
}

/* Streams the file at fd (size bytes) into the tar as name. */
static int add_file(struct writer *w, const char *name, int fd, uint64_t size)
{
    struct archive_entry *e = archive_entry_new();
    char chunk[1 << 16];
    ssize_t n;
    int rc = AT_OK;

    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0444);
    archive_entry_set_mtime(e, time(NULL), 0);
    if (archive_write_header(w->a, e) != ARCHIVE_OK)
        rc = ctx_error(w->ctx, AT_ERR, "writing %s into the bundle: %s", name,
                       archive_error_string(w->a));
    while (rc == AT_OK && (n = read(fd, chunk, sizeof chunk)) > 0)
        if (archive_write_data(w->a, chunk, (size_t)n) != n)
            rc = ctx_error(w->ctx, AT_ERR, "writing %s into the bundle: %s", name,
                           archive_error_string(w->a));
    archive_entry_free(e);
    return rc;
}

/* {"entry", "leaf_index", "inclusion_proof"} for log entry seq. */
static int proven(struct at_ctx *ctx, struct store *st, const char *text, int64_t seq,
                  uint64_t size, json_t *into)
{
    struct merkle_proof proof;
    int rc = evlog_inclusion_proof(ctx, st, (uint64_t)seq - 1, size, &proof);

    if (rc == AT_OK) {
        json_object_set_new(into, "entry", json_string(text));
        json_object_set_new(into, "leaf_index", json_integer(seq - 1));
        json_object_set_new(into, "inclusion_proof", evlog_proof_json(&proof));
    }
    return rc;
}

static int bundle_record(struct at_ctx *ctx, struct store *st, enum tier tier, const char *id,
                         uint64_t size, json_t *records, struct bundle_counts *c)
{
    json_t *doc = NULL, *out = NULL, *item;
    uint8_t leaf[MERKLE_HASH_LEN];
    bool redacted;
    int64_t seq;
    int rc;

    if ((rc = record_get(ctx, st, id, 0, &doc)) != AT_OK
        || (rc = tier_apply(ctx, st, tier, doc, &out, &redacted)) != AT_OK)
        goto out;
    if (out == NULL) {
        c->left_out++;
        goto out;
    }
    item = json_pack("{s:s}", "id", id);
    if (redacted) {
        json_object_set_new(item, "redacted", json_true());
        json_object_set(item, "record", out);
        c->redacted++;
    } else {
        char *text = canonical_text(doc);
        if ((rc = evlog_entry_of(ctx, st, id, 0, &seq, leaf)) == AT_OK)
            rc = proven(ctx, st, text, seq, size, item);
        free(text);
        c->records++;
    }
    json_array_append_new(records, item);
out:
    json_decref(doc);
    json_decref(out);
    return rc;
}

static void safe_name(const char *name, struct buf *out)
{
    for (const char *p = name; *p; p++)
        buf_putc(out, (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20) ? '_' : *p);
    if (out->len == 0 || strcmp(buf_str(out), ".") == 0 || strcmp(buf_str(out), "..") == 0)
        buf_puts(out, "_file");
}

static int bundle_file(struct at_ctx *ctx, struct store *st, struct writer *w, const char *id,
                       uint64_t size, json_t *files, struct bundle_counts *c)
{
    json_t *meta = NULL, *item = NULL;
    struct buf path = BUF_INIT, tmp = BUF_INIT;
    char *text = NULL;
    int64_t seq;
    int fd = -1, rc;
    uint64_t bytes;

    if ((rc = vault_item(ctx, st, id, &meta)) != AT_OK
        || (rc = vault_entry(ctx, st, id, &text, &seq)) != AT_OK)
        goto out;
    buf_printf(&path, "files/%s/", id);
    safe_name(json_string_value(json_object_get(meta, "filename")) ?: "file", &path);
    bytes = (uint64_t)json_integer_value(json_object_get(meta, "size"));
    item = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:O}", "id", id, "path", buf_str(&path),
                     "sha256", json_object_get(meta, "sha256"), "salt", json_object_get(meta, "salt"),
                     "size", json_object_get(meta, "size"),
                     "filename", json_object_get(meta, "filename"),
                     "original", json_object_get(meta, "original"));
    if ((rc = proven(ctx, st, text, seq, size, item)) != AT_OK)
        goto out;
    /* Decrypted (and checked) to an unlinked temporary file, then copied in. */
    buf_printf(&tmp, "%s/vault/.bundle-XXXXXX", store_dir(st));
    if ((fd = mkstemp(tmp.data)) < 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot make a temporary file: %s", strerror(errno));
        goto out;
    }
    unlink(tmp.data);
    if ((rc = vault_get(ctx, st, id, fd)) != AT_OK)
        goto out;
    lseek(fd, 0, SEEK_SET);
    if ((rc = add_file(w, buf_str(&path), fd, bytes)) != AT_OK)
        goto out;
    json_array_append(files, item);
    c->files++;
    c->file_bytes += bytes;
out:
    if (fd >= 0)
        close(fd);
    json_decref(meta);
    json_decref(item);
    free(text);
    buf_free(&path);
    buf_free(&tmp);
    return rc;
}

/* signing-key.pem: the Ed25519 key in SubjectPublicKeyInfo form. */
static void public_key_pem(const uint8_t pk[32], struct buf *out)
{
    static const uint8_t spki_prefix[12] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                             0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
    uint8_t der[44];
    char b64[64];

    memcpy(der, spki_prefix, sizeof spki_prefix);
    memcpy(der + sizeof spki_prefix, pk, 32);
    sodium_bin2base64(b64, sizeof b64, der, sizeof der, sodium_base64_VARIANT_ORIGINAL);
    buf_printf(out, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b64);
}

int bundle_write_fd(struct at_ctx *ctx, struct store *st, const char *const *ids, size_t nids,
                    enum tier tier, int fd, struct bundle_counts *c)
{
    const struct session *s = store_session(st);
    struct tree_head head;
    struct buf archive_id = BUF_INIT, pem = BUF_INIT;
    uint8_t pk[32];
    char pk_hex[65], root_hex[65], sig_hex[129], now[21];
    json_t *manifest = NULL, *records = json_array(), *files = json_array();
    char *head_text = NULL, *manifest_text = NULL;
    struct writer w = { ctx, NULL };
    int rc;

    memset(c, 0, sizeof *c);
    if ((rc = access_check(ctx, s, ACTION_EXPORT_BUNDLE, 0)) != AT_OK
        || (rc = evlog_latest_head(ctx, st, &head)) != AT_OK
        || (rc = keys_sign_pk(ctx, st, pk)) != AT_OK
        || (rc = store_meta_get(ctx, st, "archive_id", &archive_id)) != AT_OK)
        goto out;
    w.a = archive_write_new();
    archive_write_set_format_pax_restricted(w.a);
    if (archive_write_open_fd(w.a, fd) != ARCHIVE_OK) {
        rc = ctx_error(ctx, AT_ERR, "cannot write the bundle: %s", archive_error_string(w.a));
        goto out;
    }
    for (size_t i = 0; i < nids && rc == AT_OK; i++) {
        if (strncmp(ids[i], "ei-", 3) == 0)
            rc = bundle_file(ctx, st, &w, ids[i], head.size, files, c);
        else
            rc = bundle_record(ctx, st, tier, ids[i], head.size, records, c);
    }
    if (rc != AT_OK)
        goto out;
    head_text = evlog_head_text(buf_str(&archive_id), &head);
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    merkle_hash_hex(head.root, root_hex);
    sodium_bin2hex(sig_hex, sizeof sig_hex, head.signature, sizeof head.signature);
    canonical_now(now);
    manifest = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s, s:s, s:s}, s:O, s:O}",
                         "format", FORMAT, "archive", buf_str(&archive_id), "tier", tier_name(tier),
                         "created_at", now, "created_by", s->user, "public_key", pk_hex,
                         "tree_head", "archive", buf_str(&archive_id), "size", (json_int_t)head.size,
                         "root", root_hex, "signed_at", head.signed_at, "signature", sig_hex,
                         "records", records, "files", files);
    manifest_text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    public_key_pem(pk, &pem);
    if ((rc = add_bytes(&w, "manifest.json", manifest_text, strlen(manifest_text))) != AT_OK
        || (rc = add_bytes(&w, "tree-head.json", head_text, strlen(head_text))) != AT_OK
        || (rc = add_bytes(&w, "tree-head.sig", head.signature, sizeof head.signature)) != AT_OK
        || (rc = add_bytes(&w, "signing-key.pem", pem.data, pem.len)) != AT_OK
        || (rc = add_bytes(&w, "VERIFY.md", verify_md, strlen(verify_md))) != AT_OK)
        goto out;
    if (archive_write_close(w.a) != ARCHIVE_OK)
        rc = ctx_error(ctx, AT_ERR, "writing the bundle: %s", archive_error_string(w.a));
out:
    if (w.a)
        archive_write_free(w.a);
    json_decref(manifest);
    json_decref(records);
    json_decref(files);
    free(head_text);
    free(manifest_text);
    buf_free(&archive_id);
    buf_free(&pem);
    return rc;
}

int bundle_write(struct at_ctx *ctx, struct store *st, const char *const *ids, size_t nids,
                 enum tier tier, const char *path, struct bundle_counts *c)
{
    struct buf tmp = BUF_INIT;
    int fd, rc;

    buf_printf(&tmp, "%s.partial", path);
    if ((fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
    else {
        rc = bundle_write_fd(ctx, st, ids, nids, tier, fd, c);
        if (close(fd) != 0 && rc == AT_OK)
            rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
        if (rc == AT_OK && rename(buf_str(&tmp), path) != 0)
            rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", path, strerror(errno));
        if (rc != AT_OK)
            unlink(buf_str(&tmp));
    }
    buf_free(&tmp);
    return rc;
}

/* ---- checking ---- */

struct seen_file {
    char *path;
    uint8_t sha256[32];
    uint64_t size;
};

static int parse_proof(struct at_ctx *ctx, json_t *array, struct merkle_proof *p)
{
    json_t *h;
    size_t i;

    if (!json_is_array(array) || json_array_size(array) > MERKLE_MAX_PROOF)
        return ctx_error(ctx, AT_ECORRUPT, "an inclusion proof is not a list of hashes");
    p->len = json_array_size(array);
    json_array_foreach(array, i, h)
        if (merkle_hash_parse(json_string_value(h) ?: "", p->hash[i], ctx) != AT_OK)
            return ctx_error(ctx, AT_ECORRUPT, "an inclusion proof holds a malformed hash");
    return AT_OK;
}

/* Checks that item's entry is leaf leaf_index of the signed tree. */
static int check_inclusion(struct at_ctx *ctx, json_t *item, const char *what, uint64_t size,
                           const uint8_t root[32])
{
    const char *entry = json_string_value(json_object_get(item, "entry"));
    json_t *index = json_object_get(item, "leaf_index");
    struct merkle_proof proof;
    uint8_t leaf[MERKLE_HASH_LEN];

    if (entry == NULL || !json_is_integer(index) || json_integer_value(index) < 0)
        return ctx_error(ctx, AT_ECORRUPT, "%s: no entry or leaf index", what);
    if (parse_proof(ctx, json_object_get(item, "inclusion_proof"), &proof) != AT_OK)
        return ctx_prefix(ctx, "%s: ", what);
    merkle_leaf_hash(entry, strlen(entry), leaf);
    if (merkle_verify_inclusion(leaf, (uint64_t)json_integer_value(index), size, &proof, root, ctx)
        != AT_OK)
        return ctx_error(ctx, AT_ECORRUPT, "%s: its entry is not leaf %lld of the signed log (the proof "
                           "fails)", what, (long long)json_integer_value(index));
    return AT_OK;
}

static int check_file(struct at_ctx *ctx, json_t *f, struct seen_file *seen, size_t nseen,
                      uint64_t size, const uint8_t root[32])
{
    const char *id = json_string_value(json_object_get(f, "id")) ?: "?";
    const char *path = json_string_value(json_object_get(f, "path")) ?: "";
    const char *sha = json_string_value(json_object_get(f, "sha256")) ?: "";
    const char *salt = json_string_value(json_object_get(f, "salt")) ?: "";
    uint8_t want[32], salt_bin[32], commit_in[64], commitment[32];
    char commit_hex[65], what[96];
    json_t *entry;
    size_t k;

    snprintf(what, sizeof what, "file %s", id);
    for (k = 0; k < nseen && strcmp(seen[k].path, path) != 0; k++)
        ;
    if (k == nseen)
        return ctx_error(ctx, AT_ECORRUPT, "file %s: %s is missing from the bundle", id, path);
    if (sodium_hex2bin(want, 32, sha, strlen(sha), NULL, NULL, NULL) != 0
        || memcmp(want, seen[k].sha256, 32) != 0)
        return ctx_error(ctx, AT_ECORRUPT, "file %s: %s has been changed (its SHA-256 is not %s)", id, path, sha);
    if ((uint64_t)json_integer_value(json_object_get(f, "size")) != seen[k].size)
        return ctx_error(ctx, AT_ECORRUPT, "file %s: %s has %llu bytes, not the recorded %lld", id, path,
                           (unsigned long long)seen[k].size,
                           (long long)json_integer_value(json_object_get(f, "size")));
    if (sodium_hex2bin(salt_bin, 32, salt, strlen(salt), NULL, NULL, NULL) != 0)
        return ctx_error(ctx, AT_ECORRUPT, "file %s: its salt is malformed", id);
    memcpy(commit_in, salt_bin, 32);
    memcpy(commit_in + 32, want, 32);
    crypto_hash_sha256(commitment, commit_in, sizeof commit_in);
    sodium_bin2hex(commit_hex, sizeof commit_hex, commitment, 32);
    entry = json_loads(json_string_value(json_object_get(f, "entry")) ?: "", 0, NULL);
    bool committed = entry && strcmp(json_string_value(json_object_get(entry, "commitment")) ?: "",
                                     commit_hex) == 0
                     && strcmp(json_string_value(json_object_get(entry, "id")) ?: "", id) == 0;
    json_decref(entry);
    if (!committed)
        return ctx_error(ctx, AT_ECORRUPT, "file %s: its logged entry does not commit to this SHA-256", id);
    return check_inclusion(ctx, f, what, size, root);
}

static int read_members(struct at_ctx *ctx, const char *path, struct buf *manifest,
                        struct buf *head_text, struct seen_file **seen, size_t *nseen)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char chunk[1 << 16];
    la_ssize_t n;
    int rc = AT_OK, r;

    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        rc = ctx_error(ctx, AT_EINVAL, "%s is not a readable bundle: %s", path, archive_error_string(a));
        goto out;
    }
    while (rc == AT_OK && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (strcmp(name, "manifest.json") == 0 || strcmp(name, "tree-head.json") == 0) {
            struct buf *into = name[0] == 'm' ? manifest : head_text;
            while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0)
                buf_append(into, chunk, (size_t)n);
        } else if (strncmp(name, "files/", 6) == 0) {
            EVP_MD_CTX *md = EVP_MD_CTX_new();
            struct seen_file *f;
            *seen = xrealloc(*seen, sizeof **seen * (*nseen + 1));
            f = &(*seen)[(*nseen)++];
            f->path = xstrdup(name);
            f->size = 0;
            EVP_DigestInit_ex(md, EVP_sha256(), NULL);
            while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
                EVP_DigestUpdate(md, chunk, (size_t)n);
                f->size += (uint64_t)n;
            }
            EVP_DigestFinal_ex(md, f->sha256, NULL);
            EVP_MD_CTX_free(md);
        } else {
            archive_read_data_skip(a);
            continue;
        }
        if (n < 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "%s: %s is damaged: %s", path, name, archive_error_string(a));
    }
    if (rc == AT_OK && r != ARCHIVE_EOF)
        rc = ctx_error(ctx, AT_ECORRUPT, "%s is damaged: %s", path, archive_error_string(a));
out:
    archive_read_free(a);
    return rc;
}

int bundle_verify(struct at_ctx *ctx, const char *path, const char *pinned_key_hex,
                  struct bundle_counts *c)
{
    struct buf manifest_text = BUF_INIT, head_text = BUF_INIT;
    struct seen_file *seen = NULL;
    size_t nseen = 0, i;
    json_t *m = NULL, *head, *item;
    json_error_t jerr;
    struct tree_head h;
    uint8_t pk[32];
    const char *pk_hex;
    char *signed_text = NULL;
    int rc;

    memset(c, 0, sizeof *c);
    if ((rc = read_members(ctx, path, &manifest_text, &head_text, &seen, &nseen)) != AT_OK)
        goto out;
    if (manifest_text.len == 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "%s has no manifest.json", path);
        goto out;
    }
    if ((m = json_loads(buf_str(&manifest_text), 0, &jerr)) == NULL) {
        rc = ctx_error(ctx, AT_ECORRUPT, "manifest.json:%d:%d: %s", jerr.line, jerr.column, jerr.text);
        goto out;
    }
    if (strcmp(json_string_value(json_object_get(m, "format")) ?: "", FORMAT) != 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "manifest.json: not an %s bundle", FORMAT);
        goto out;
    }
    pk_hex = json_string_value(json_object_get(m, "public_key")) ?: "";
    head = json_object_get(m, "tree_head");
    if (sodium_hex2bin(pk, sizeof pk, pk_hex, strlen(pk_hex), NULL, NULL, NULL) != 0
        || merkle_hash_parse(json_string_value(json_object_get(head, "root")) ?: "", h.root, ctx) != AT_OK
        || sodium_hex2bin(h.signature, sizeof h.signature,
                          json_string_value(json_object_get(head, "signature")) ?: "", 128,
                          NULL, NULL, NULL) != 0
        || !json_is_integer(json_object_get(head, "size"))) {
        rc = ctx_error(ctx, AT_ECORRUPT, "manifest.json: the key or tree head is malformed");
        goto out;
    }
    if (pinned_key_hex && strcasecmp(pinned_key_hex, pk_hex) != 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "the bundle is signed by key %s, not the pinned %s", pk_hex, pinned_key_hex);
        goto out;
    }
    h.size = (uint64_t)json_integer_value(json_object_get(head, "size"));
    snprintf(h.signed_at, sizeof h.signed_at, "%s", json_string_value(json_object_get(head, "signed_at")) ?: "");
    signed_text = evlog_head_text(json_string_value(json_object_get(head, "archive")) ?: "", &h);
    if (crypto_sign_verify_detached(h.signature, (const uint8_t *)signed_text, strlen(signed_text), pk) != 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "the tree head's signature does not verify with the bundle's key");
        goto out;
    }
    if (head_text.len && strcmp(buf_str(&head_text), signed_text) != 0) {
        rc = ctx_error(ctx, AT_ECORRUPT, "tree-head.json differs from the head in manifest.json");
        goto out;
    }
    json_array_foreach(json_object_get(m, "records"), i, item) {
        const char *id = json_string_value(json_object_get(item, "id")) ?: "?";
        char what[64];
        json_t *entry;
        if (json_is_true(json_object_get(item, "redacted"))) {
            c->redacted++;
            continue;
        }
        snprintf(what, sizeof what, "record %s", id);
        if ((rc = check_inclusion(ctx, item, what, h.size, h.root)) != AT_OK)
            goto out;
        entry = json_loads(json_string_value(json_object_get(item, "entry")), 0, NULL);
        bool same = entry && strcmp(json_string_value(json_object_get(entry, "id")) ?: "", id) == 0;
        json_decref(entry);
        if (!same) {
            rc = ctx_error(ctx, AT_ECORRUPT, "record %s: its entry is about another record", id);
            goto out;
        }
        c->records++;
    }
    json_array_foreach(json_object_get(m, "files"), i, item) {
        if ((rc = check_file(ctx, item, seen, nseen, h.size, h.root)) != AT_OK)
            goto out;
        c->files++;
        c->file_bytes += (uint64_t)json_integer_value(json_object_get(item, "size"));
    }
out:
    for (i = 0; i < nseen; i++)
        free(seen[i].path);
    free(seen);
    free(signed_text);
    json_decref(m);
    buf_free(&manifest_text);
    buf_free(&head_text);
    return rc;
}
