/*
 * test_sync_pack.c: a pack is for one archive and one sender: another
 * archive cannot read it, a changed byte or a missing end is refused
 * before anything is applied, and importing it twice changes nothing.
 * A pack whose evidence files are wrong (cut inside a file, a byte
 * changed, another file's bytes, authentic chunks of other plaintext,
 * fewer bytes than its item says, an item without its file's key) is
 * refused whole, the file of an item held already included; one of
 * another format is refused naming both formats.
 */
#include "../../src/core/attest.h"
#include "../../src/core/canonical.h"
#include "../../src/core/evlog.h"
#include "../../src/core/layer.h"
#include "../../src/core/merkle.h"
#include "../../src/core/record.h"
#include "../../src/core/schema.h"
#include "../../src/core/search.h"
#include "../../src/core/sync.h"
#include "../../src/core/unlock.h"
#include "../../src/core/vault.h"
#include "../../src/core/vaultfile.h"
#include "../../src/core/verify.h"
#include "fixture.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int pin(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char **a = arg;

    return sync_peer_add(ctx, st, a[0], a[1], a[2]);
}

static uint64_t log_size(struct store *st)
{
    struct at_ctx ctx = { 0 };
    uint64_t n = 0;

    evlog_size(&ctx, st, &n);
    return n;
}

/* Imports the first len bytes of path, with byte flip (if >= 0) changed. */
/* Set: import_bytes gives the pack through a pipe, which is read in
 * order; otherwise as a regular file, whose vault files are written ahead
 * (sync_ahead.c). */
static bool import_piped;

static int import_bytes(struct at_ctx *ctx, struct store *st, const char *path, off_t len,
                        off_t flip)
{
    char copy[512];
    uint8_t b;
    int in = open(path, O_RDONLY), out, rc;

    snprintf(copy, sizeof copy, "%s/changed", unit_tmpdir());
    out = open(copy, O_RDWR | O_CREAT | O_TRUNC, 0600);
    for (off_t i = 0; i < len && read(in, &b, 1) == 1; i++) {
        if (i == flip)
            b ^= 0x10;
        if (write(out, &b, 1) != 1)
            break;
    }
    close(in);
    lseek(out, 0, SEEK_SET);
    if (import_piped) {
        char cat[600];
        snprintf(cat, sizeof cat, "cat '%s'", copy);
        FILE *pipe = popen(cat, "r");
        rc = pipe ? sync_import(ctx, st, fileno(pipe), NULL) : AT_ERR;
        if (pipe)
            pclose(pipe);
    } else {
        rc = sync_import(ctx, st, out, NULL);
    }
    close(out);
    return rc;
}

UNIT_TEST(sync_pack_refusals)
{
    struct at_ctx ctx = { 0 };
    struct session sa, sb, sc;
    struct store *a = unit_archive(&ctx, "pa", &sa), *b = unit_archive(&ctx, "pb", &sb),
                 *c = unit_archive(&ctx, "pc", &sc);
    struct buf la = BUF_INIT, lb = BUF_INIT, lc = BUF_INIT;
    struct sync_stats s = { 0 };
    char path[512];
    struct stat info;
    uint64_t before;
    int fd;

    REQUIRE(a && b && c);
    REQUIRE(sync_key_line(&ctx, a, &la) == AT_OK && sync_key_line(&ctx, b, &lb) == AT_OK
            && sync_key_line(&ctx, c, &lc) == AT_OK);
    REQUIRE(evlog_write(&ctx, a, pin, (const char *[]){ "b", buf_str(&lb), "team" }) == AT_OK);
    REQUIRE(evlog_write(&ctx, b, pin, (const char *[]){ "a", buf_str(&la), "team" }) == AT_OK);
    REQUIRE(evlog_write(&ctx, c, pin, (const char *[]){ "a", buf_str(&la), "team" }) == AT_OK);
    for (int i = 0; i < 5; i++)
        REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL event\"}", -1, NULL) == AT_OK);
    snprintf(path, sizeof path, "%s/pack", unit_tmpdir());
    REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    CHECK(sync_export(&ctx, a, "b", NULL, fd, &s) == AT_OK);
    CHECK(s.versions == 5);
    close(fd);
    REQUIRE(stat(path, &info) == 0);
    before = log_size(b);
    CHECK(import_bytes(&ctx, c, path, info.st_size, -1) == AT_EINVAL); /* for b, not c */
    CHECK(strstr(ctx.message, "this pack is for archive") != NULL);
    CHECK(import_bytes(&ctx, b, path, info.st_size / 2, -1) == AT_EINVAL);
    CHECK(strstr(ctx.message, "truncated") != NULL);
    CHECK(import_bytes(&ctx, b, path, info.st_size, info.st_size - 100) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "does not decrypt") != NULL); /* the frame is refused */
    CHECK(log_size(b) == before);
    CHECK(import_bytes(&ctx, b, path, info.st_size, -1) == AT_OK);
    before = log_size(b);
    s = (struct sync_stats){ 0 };
    REQUIRE((fd = open(path, O_RDONLY)) >= 0);
    CHECK(sync_import(&ctx, b, fd, &s) == AT_OK);
    close(fd);
    CHECK(s.versions == 0 && s.skipped_already == 5);
    CHECK(log_size(b) == before); /* nothing new: nothing logged */
    buf_free(&la);
    buf_free(&lb);
    buf_free(&lc);
    store_close(a);
    store_close(b);
    store_close(c);
    access_session_free(&sa);
    access_session_free(&sb);
    access_session_free(&sc);
}

/*
 * Packs a pinned sender could make wrongly (or on purpose): the frames of
 * a good pack, read back as its recipient, then written again by the
 * sender's own pack writer with one change (sync_pack_read,
 * sync_pack_begin).  Each decrypts and passes
 * the signature; the frames themselves must be refused, with nothing
 * applied and no file left in the vault.
 */
struct frames {
    uint8_t *plain[16];
    size_t len[16];
    off_t at[16];       /* where each frame's length is in the pack */
    int n;
};

static int keep_frame(void *arg, const uint8_t *plain, size_t len)
{
    struct frames *f = arg;

    if (f->n == 16)
        return AT_ERR;
    f->plain[f->n] = malloc(len);
    memcpy(f->plain[f->n], plain, len);
    f->len[f->n++] = len;
    return AT_OK;
}

/* The frames of the pack in path, read as st (its recipient) reads them,
 * and where each one's length is in the file. */
static int read_frames(struct at_ctx *ctx, struct store *st, const char *path, struct frames *f)
{
    uint8_t n[4];
    off_t pos;
    int fd = open(path, O_RDONLY), rc;

    if (fd < 0)
        return AT_ERR;
    rc = sync_pack_read(ctx, st, fd, keep_frame, f);
    /* The magic line, the header's length and the header, the signature. */
    pos = pread(fd, n, 4, 14) == 4 ? 18 + (off_t)(n[0] << 24 | n[1] << 16 | n[2] << 8 | n[3]) + 64 : 0;
    for (int i = 0; i < f->n && pread(fd, n, 4, pos) == 4; i++) {
        f->at[i] = pos;
        pos += 4 + (off_t)((uint32_t)n[0] << 24 | (uint32_t)n[1] << 16 | (uint32_t)n[2] << 8 | n[3]);
    }
    close(fd);
    return rc;
}

/* The pack from st to peer of f's frames but its last (the end), with
 * frame `which` changed by change(), into path. */
static int write_frames(struct at_ctx *ctx, struct store *st, const char *peer,
                        const struct frames *f, int which, void (*change)(uint8_t *, size_t *),
                        const char *path)
{
    struct sync_pack_writer *po = NULL;
    uint8_t *copy = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), rc;

    if (fd < 0 || (rc = sync_pack_begin(ctx, st, peer, fd, &po)) != AT_OK)
        goto out;
    for (int i = 0; i < f->n - 1 && rc == AT_OK; i++) {
        size_t len = f->len[i];
        copy = realloc(copy, len);
        memcpy(copy, f->plain[i], len);
        if (i == which)
            change(copy, &len);
        rc = sync_pack_frame(ctx, po, copy, len);
    }
    if (rc == AT_OK)
        rc = sync_pack_end(ctx, po);
out:
    free(copy);
    sync_pack_free(po);
    if (fd >= 0)
        close(fd);
    return fd < 0 ? AT_ERR : rc;
}

/* The bytes other_file() puts in place of a frame's, as many. */
static const uint8_t *replacement;

static void other_file(uint8_t *plain, size_t *len)
{
    memcpy(plain + 1, replacement + 1, *len - 1);
}

static void not_json(uint8_t *plain, size_t *len)
{
    (void)len;
    plain[1] = 'x';
}

static void fewer_bytes(uint8_t *plain, size_t *len)
{
    (void)plain;
    *len -= 10;
}

/* An evidence item's frame without its file's key and length. */
static void no_key(uint8_t *plain, size_t *len)
{
    (void)plain;
    *len -= VAULTFILE_KEY_BYTES + 8;
}

/* Cuts the first file in the archive's vault directory by a byte. */
static int cut_a_vault_file(const char *archive)
{
    char path[1200];
    struct dirent *e;
    struct stat info;
    DIR *d;
    int rc = -1;

    snprintf(path, sizeof path, "%s/%s/vault", unit_tmpdir(), archive);
    if ((d = opendir(path)) == NULL)
        return -1;
    while (rc != 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/vault/%s", unit_tmpdir(), archive, e->d_name);
        rc = chmod(path, 0600) == 0 && stat(path, &info) == 0 ? truncate(path, info.st_size - 1)
                                                              : -1;
    }
    closedir(d);
    return rc;
}

static int add_file(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct vault_add a = { arg, NULL, NULL, NULL, NULL, -1, NULL };
    char id[VAULT_ID_MAX];
    bool existed;

    return vault_add_file(ctx, st, &a, id, &existed);
}

/* Writes a random file of n bytes at path. */
static bool random_file(const char *path, size_t n)
{
    uint8_t *bytes = malloc(n);
    FILE *out = fopen(path, "wb");
    bool ok = bytes && out && (randombytes_buf(bytes, n), fwrite(bytes, 1, n, out) == n);

    if (out)
        fclose(out);
    free(bytes);
    return ok;
}

/* The frame of the vault file after evidence item frame `item`, sealed
 * again from other plaintext of the same length under the same key (the
 * item's frame ends with the key and the file's length): every chunk
 * authentic, the SHA-256 another. */
static uint8_t *resealed(const struct frames *f, int item, const char *plain_path)
{
    const uint8_t *key = f->plain[item] + f->len[item] - 8 - VAULTFILE_KEY_BYTES;
    size_t len = f->len[item + 1];
    uint8_t *out = malloc(len);
    char path[600];
    struct at_ctx ctx = { 0 };
    struct vaultfile_result res;
    int in = open(plain_path, O_RDONLY), fd;

    snprintf(path, sizeof path, "%s/resealed", unit_tmpdir());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    out[0] = 'F';
    if (in < 0 || fd < 0 || vaultfile_encrypt(&ctx, key, in, fd, 0, &res) != AT_OK
        || res.vault_bytes != len - 1 || pread(fd, out + 1, len - 1, 0) != (ssize_t)(len - 1)) {
        free(out);
        out = NULL;
    }
    if (in >= 0)
        close(in);
    if (fd >= 0)
        close(fd);
    return out;
}

/* Writes to out the text, then the bytes of the file at in. */
static bool write_after(const char *out, const char *text, const char *in)
{
    FILE *to = fopen(out, "wb"), *from = fopen(in, "rb");
    bool ok = to && from && fputs(text, to) >= 0;
    char chunk[65536];
    size_t n;

    while (ok && from && (n = fread(chunk, 1, sizeof chunk, from)) > 0)
        ok = fwrite(chunk, 1, n, to) == n;
    if (from)
        fclose(from);
    return to && fclose(to) == 0 && ok;
}

/* Archives fa and fb, or, piped, pfa and pfb. */
static void refuses_wrong_files(bool piped)
{
    const char *sender = piped ? "pfa" : "fa", *receiver = piped ? "pfb" : "fb";
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    int opened = unit_peers_open(&ctx, &p, sender, receiver);
    struct store *a = p.a, *b = p.b;
    struct frames f = { 0 };
    char path[512], file[2][512], other[512], bad[512];
    struct stat info;
    uint64_t before;
    uint8_t *again = NULL;
    int fd, item[2] = { -1, -1 }, items = 0;

    REQUIRE(opened == AT_OK);
    import_piped = piped;
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL event\"}", -1, NULL) == AT_OK);
    for (int i = 0; i < 2; i++) {
        snprintf(file[i], sizeof file[i], "%s/clip%d.bin", unit_tmpdir(), i);
        REQUIRE(random_file(file[i], 3000000));
        REQUIRE(evlog_write(&ctx, a, add_file, file[i]) == AT_OK);
    }
    snprintf(other, sizeof other, "%s/other.bin", unit_tmpdir());
    REQUIRE(random_file(other, 3000000));
    snprintf(path, sizeof path, "%s/good.pack", unit_tmpdir());
    snprintf(bad, sizeof bad, "%s/bad.pack", unit_tmpdir());
    REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    REQUIRE(sync_export(&ctx, a, "b", NULL, fd, NULL) == AT_OK);
    close(fd);
    REQUIRE(read_frames(&ctx, b, path, &f) == AT_OK);
    /* Each file follows its item, in one piece. */
    for (int i = 0; i < f.n; i++)
        if (f.plain[i][0] == 'I' && items < 2)
            item[items++] = i;
    REQUIRE(items == 2 && f.plain[item[0] + 1][0] == 'F' && f.plain[item[1] + 1][0] == 'F');
    REQUIRE(f.len[item[0] + 1] == f.len[item[1] + 1] && f.plain[item[1] + 2][0] == 'M');
    before = log_size(b);

    /* The vault file goes as it is kept: nothing of it in clear. */
    CHECK(memcmp(f.plain[item[0] + 1] + 1, "\x89" "ATVAULT", 8) == 0);
    /* Cut inside the file's bytes. */
    REQUIRE(stat(path, &info) == 0);
    CHECK(import_bytes(&ctx, b, path, f.at[item[0] + 1] + 1000000, -1) == AT_EINVAL);
    CHECK(strstr(ctx.message, "truncated") != NULL);
    /* A byte of the file changed: its chunk does not check. */
    CHECK(import_bytes(&ctx, b, path, info.st_size, f.at[item[0] + 1] + 2000000)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "chunk 2 of vault file sent in the pack fails authentication")
          != NULL);
    /* The second file's bytes where the first one's belong: sealed under
     * another key, its header does not check. */
    replacement = f.plain[item[1] + 1];
    REQUIRE(write_frames(&ctx, a, "b", &f, item[0] + 1, other_file, bad) == AT_OK);
    CHECK(import_bytes(&ctx, b, bad, (off_t)1 << 30, -1) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "the header of vault file sent in the pack fails authentication")
          != NULL);
    /* Other plaintext sealed under the file's own key: every chunk checks,
     * and the SHA-256 made on the way into the vault does not match. */
    REQUIRE((again = resealed(&f, item[0], other)) != NULL);
    replacement = again;
    REQUIRE(write_frames(&ctx, a, "b", &f, item[0] + 1, other_file, bad) == AT_OK);
    CHECK(import_bytes(&ctx, b, bad, (off_t)1 << 30, -1) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "expected: nothing was stored") != NULL);
    /* Fewer bytes than the item says: the frames after it are read as the
     * file's end, which does not check. */
    REQUIRE(write_frames(&ctx, a, "b", &f, item[0] + 1, fewer_bytes, bad) == AT_OK);
    CHECK(import_bytes(&ctx, b, bad, (off_t)1 << 30, -1) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "fails authentication") != NULL);
    /* An evidence item without its file's key. */
    REQUIRE(write_frames(&ctx, a, "b", &f, item[0], no_key, bad) == AT_OK);
    CHECK(import_bytes(&ctx, b, bad, (off_t)1 << 30, -1) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "is damaged") != NULL);
    /* A frame after the files fails: the files stored meanwhile go too. */
    REQUIRE(write_frames(&ctx, a, "b", &f, item[1] + 2, not_json, bad) == AT_OK);
    CHECK(import_bytes(&ctx, b, bad, (off_t)1 << 30, -1) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "mark is not JSON") != NULL);
    CHECK(log_size(b) == before);
    CHECK(unit_vault_files(receiver, NULL) == 0 && unit_vault_files(receiver, ".incoming") == 0);
    /* And the pack as it was is taken whole: b keeps each file as a keeps it;
     * from a regular file, both written ahead of their frames, also where
     * the pack starts past the file's start (standard input read on). */
    struct sync_stats stats = { 0 };
    if (piped) {
        CHECK(import_bytes(&ctx, b, path, (off_t)1 << 30, -1) == AT_OK);
    } else {
        REQUIRE(write_after(bad, "bytes before the pack", path));
        REQUIRE((fd = open(bad, O_RDONLY)) >= 0);
        REQUIRE(lseek(fd, 21, SEEK_SET) == 21);
        CHECK(sync_import(&ctx, b, fd, &stats) == AT_OK && stats.files_ahead == 2);
        close(fd);
    }
    CHECK(unit_vault_files(receiver, NULL) == 2);
    uint64_t checked_files = 0, checked_bytes = 0;
    bool checked = false;
    CHECK(vault_verify_all(&ctx, b, &checked_files, &checked_bytes, &checked) == AT_OK);
    CHECK(checked && checked_files == 2 && checked_bytes == 6000000);
    /* Items held already: their files are not stored again, but checked. */
    before = log_size(b);
    CHECK(import_bytes(&ctx, b, path, info.st_size, f.at[item[1] + 1] + 2000000)
          == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "fails authentication") != NULL);
    replacement = again;
    REQUIRE(write_frames(&ctx, a, "b", &f, item[0] + 1, other_file, bad) == AT_OK);
    CHECK(import_bytes(&ctx, b, bad, (off_t)1 << 30, -1) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "not the") != NULL && strstr(ctx.message, "its item names"));
    CHECK(import_bytes(&ctx, b, path, (off_t)1 << 30, -1) == AT_OK);
    CHECK(log_size(b) == before && unit_vault_files(receiver, NULL) == 2
          && unit_vault_files(receiver, ".incoming") == 0);
    /* A file cut short in the sender's vault is found before it is sent. */
    REQUIRE(cut_a_vault_file(sender) == 0);
    REQUIRE((fd = open(bad, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    CHECK(sync_export(&ctx, a, "b", NULL, fd, NULL) == AT_ECORRUPT);
    close(fd);
    CHECK(strstr(ctx.message, "evidence item ei-") && strstr(ctx.message, "bytes long, not the"));
    free(again);
    for (int i = 0; i < f.n; i++)
        free(f.plain[i]);
    unit_peers_close(&p);
    import_piped = false;
}

UNIT_TEST(sync_pack_refuses_wrong_files)
{
    refuses_wrong_files(false);
}

UNIT_TEST(sync_pack_refuses_wrong_files_read_in_order_from_a_pipe)
{
    refuses_wrong_files(true);
}

UNIT_TEST(sync_pack_names_both_formats)
{
    struct at_ctx ctx = { 0 };
    struct session sb;
    struct store *b = unit_archive(&ctx, "vb", &sb);
    char path[512];
    FILE *out;

    REQUIRE(b);
    snprintf(path, sizeof path, "%s/old.pack", unit_tmpdir());
    for (int format = 1; format <= 2; format++) {
        char want[100];
        REQUIRE((out = fopen(path, "wb")) != NULL);
        fprintf(out, "ATTEST-PACK %d\n", format);
        fclose(out);
        CHECK(import_bytes(&ctx, b, path, 100, -1) == AT_EINVAL);
        snprintf(want, sizeof want, "this pack is of format %d, and this attest reads packs of "
                 "format 3 only", format);
        CHECK(strstr(ctx.message, want) != NULL);
    }
    store_close(b);
    access_session_free(&sb);
}

/*
 * A pack holding several versions of the same records (amended on two
 * archives, in conflict, moved on the map, retracted) gives the receiver
 * the current view, conflicts, references, map counts and search hits
 * that the same versions give when they arrive one by one (a pack of one
 * version each): the view derived once per record is the one derived
 * after each version.
 */
struct all_frames {
    uint8_t **plain;
    size_t *len;
    int n;
};

static int keep_any(void *arg, const uint8_t *plain, size_t len)
{
    struct all_frames *f = arg;

    f->plain = realloc(f->plain, (size_t)(f->n + 1) * sizeof *f->plain);
    f->len = realloc(f->len, (size_t)(f->n + 1) * sizeof *f->len);
    f->plain[f->n] = malloc(len);
    memcpy(f->plain[f->n], plain, len);
    f->len[f->n++] = len;
    return AT_OK;
}

static void all_frames_free(struct all_frames *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->plain[i]);
    free(f->plain);
    free(f->len);
}

/* Exports what from holds for peer into a file (counted in s, if not
 * NULL) and imports it into to. */
static int pass_pack(struct at_ctx *ctx, struct store *from, const char *peer, struct store *to,
                     struct sync_stats *s)
{
    char path[512];
    int fd, rc;

    snprintf(path, sizeof path, "%s/pass-pack", unit_tmpdir());
    if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
        return AT_ERR;
    rc = sync_export(ctx, from, peer, NULL, fd, s);
    lseek(fd, 0, SEEK_SET);
    if (rc == AT_OK)
        rc = sync_import(ctx, to, fd, NULL);
    close(fd);
    return rc;
}

/* Imports into to the versions of what from holds for peer, each in a
 * pack of its own: the number of versions, or -1. */
static int pass_one_by_one(struct at_ctx *ctx, struct store *from, const char *peer,
                           struct store *to)
{
    char path[512], one[512];
    struct all_frames f = { 0 };
    int fd, versions = 0, rc;

    snprintf(path, sizeof path, "%s/pass-pack", unit_tmpdir());
    snprintf(one, sizeof one, "%s/pass-one", unit_tmpdir());
    if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
        return -1;
    rc = sync_export(ctx, from, peer, NULL, fd, NULL);
    lseek(fd, 0, SEEK_SET);
    if (rc == AT_OK)
        rc = sync_pack_read(ctx, to, fd, keep_any, &f);
    close(fd);
    for (int i = 0; i < f.n && rc == AT_OK; i++) {
        struct sync_pack_writer *po = NULL;
        if (f.plain[i][0] != 'V')
            continue;
        versions++;
        if ((fd = open(one, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
            rc = AT_ERR;
            break;
        }
        if ((rc = sync_pack_begin(ctx, from, peer, fd, &po)) == AT_OK
            && (rc = sync_pack_frame(ctx, po, f.plain[i], f.len[i])) == AT_OK)
            rc = sync_pack_end(ctx, po);
        sync_pack_free(po);
        lseek(fd, 0, SEEK_SET);
        if (rc == AT_OK)
            rc = sync_import(ctx, to, fd, NULL);
        close(fd);
    }
    all_frames_free(&f);
    return rc == AT_OK ? versions : -1;
}

static int change_event(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char **a = arg;
    struct record_write w = RECORD_WRITE_INIT;
    json_t *changes = json_loads(a[1], 0, NULL);
    int rc;

    w.reason = "FICTIONAL change";
    rc = a[1][0] == '-' ? record_retract(ctx, st, a[0], &w)
                        : record_amend(ctx, st, a[0], changes, &w);
    json_decref(changes);
    return rc;
}

/* What the receiver derived, as text: the current rows (without the
 * local time of the import), conflicts, references, map counts, points,
 * dates and values, and the hits of a few searches. */
static int search_hit(void *arg, json_t *doc, const char *snippet, const char *why)
{
    (void)snippet, (void)why;
    buf_printf(arg, " %s", json_string_value(json_object_get(doc, "id")));
    return AT_OK;
}

static char *derived_text(struct at_ctx *ctx, struct store *st)
{
    static const char *const sql[] = {
        "SELECT group_concat(x, ' ') FROM (SELECT rowid || ':' || id || '@' || version || '='"
        " || json_remove(doc, '$.written_at') AS x FROM record_current ORDER BY id)",
        "SELECT group_concat(id, ' ') FROM (SELECT id FROM record_conflict ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || '>' || field || '>' || target AS x"
        " FROM record_ref ORDER BY 1)",
        "SELECT group_concat(x, ' ') FROM (SELECT level || '/' || y || '/' || x || '/' || type"
        " || '/' || clearance || '=' || n || ',' || rid_sum AS x FROM layer_count ORDER BY 1)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || '=' || lat || ',' || lon AS x"
        " FROM geo_rtree ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || lo || '-' || hi || '/' || lmin"
        " AS x FROM layer_date ORDER BY 1)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || site_type || '/' || confidence"
        " || '/' || province AS x FROM layer_value ORDER BY 1)",
    };
    static const char *const words[] = { "market", "river", "bridge", "school", "FICTIONAL" };
    struct search_options o = { .max_clearance = -1, .include_retracted = true };
    struct buf out = BUF_INIT;

    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql[i]);
        if (stmt == NULL)
            break;
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
            buf_printf(&out, "%s\n", (const char *)sqlite3_column_text(stmt, 0));
        sqlite3_reset(stmt);
    }
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        buf_printf(&out, "%s:", words[i]);
        search_query(ctx, st, words[i], &o, search_hit, &out);
        buf_putc(&out, '\n');
    }
    return buf_detach(&out);
}

/* Four archives, a, b, c and d, named NAME followed by the letter: a and
 * b pin each other, c and d pin b, which pins them (b passes a's
 * versions on to both). */
struct four {
    struct store *st[4];
    struct session s[4];
};

static int four_open(struct at_ctx *ctx, struct four *f, const char *name)
{
    static const char *const peers[][2] = { { "a", "b" }, { "b", "a" }, { "b", "c" },
                                            { "b", "d" }, { "c", "b" }, { "d", "b" } };
    struct buf line[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
    int rc = AT_OK;

    *f = (struct four){ 0 };
    for (int i = 0; i < 4 && rc == AT_OK; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, "%s%c", name, 'a' + i);
        rc = (f->st[i] = unit_archive(ctx, dir, &f->s[i])) != NULL
                 ? sync_key_line(ctx, f->st[i], &line[i]) : AT_ERR;
    }
    for (size_t k = 0; k < sizeof peers / sizeof *peers && rc == AT_OK; k++) {
        int from = peers[k][0][0] - 'a', to = peers[k][1][0] - 'a';
        rc = evlog_write(ctx, f->st[from], pin,
                         (const char *[]){ peers[k][1], buf_str(&line[to]), "team" });
    }
    for (int i = 0; i < 4; i++)
        buf_free(&line[i]);
    return rc;
}

/* What c derived, when d derived the same (derived_text), else NULL. */
static char *views_alike(struct at_ctx *ctx, struct store *c, struct store *d)
{
    char *whole = derived_text(ctx, c), *single = derived_text(ctx, d);

    if (whole == NULL || single == NULL || strcmp(whole, single) != 0) {
        if (whole && single)
            fprintf(stderr, "# one pack:\n%s# one by one:\n%s", whole, single);
        free(whole);
        whole = NULL;
    }
    free(single);
    return whole;
}

static void four_close(struct four *f)
{
    for (int i = 0; i < 4; i++)
        if (f->st[i]) {
            store_close(f->st[i]);
            access_session_free(&f->s[i]);
        }
}

UNIT_TEST(sync_pack_versions_of_one_record_give_the_one_by_one_view)
{
    static const char *const first[] = {
        "{\"title\": \"FICTIONAL market fire\", \"lat\": 39.01, \"lon\": 125.75}",
        "{\"title\": \"FICTIONAL river crossing\", \"lat\": 41.80, \"lon\": 129.77}",
        "{\"title\": \"FICTIONAL bridge closure\"}",
        "{\"title\": \"FICTIONAL school visit\", \"lat\": 40.10, \"lon\": 124.40}",
        "{\"title\": \"FICTIONAL arrest\", \"lat\": 42.00, \"lon\": 130.00}",
    };
    struct at_ctx ctx = { 0 };
    struct four f;
    struct sync_stats s = { 0 };
    char id[7][RECORD_ID_MAX];
    char *whole = NULL;

    REQUIRE(four_open(&ctx, &f, "v") == AT_OK);
    struct store *a = f.st[0], *b = f.st[1], *c = f.st[2], *d = f.st[3];
    for (int i = 0; i < 5; i++)
        REQUIRE(unit_add(&ctx, a, "event", first[i], -1, id[i]) == AT_OK);
    /* b, c and d start with the first versions: the view is replaced. */
    REQUIRE(pass_pack(&ctx, a, "b", b, NULL) == AT_OK && pass_pack(&ctx, b, "c", c, NULL) == AT_OK
            && pass_pack(&ctx, b, "d", d, NULL) == AT_OK);
    /* Two records new to c and d, several versions of most records, on
     * both archives. */
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL new market\"}", -1, id[5])
            == AT_OK);
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL new river\", \"lat\": 40.5,"
                     " \"lon\": 127.1}", -1, id[6]) == AT_OK);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 7; i++) {
            if (i == 4)
                continue;
            char change[128];
            snprintf(change, sizeof change, "{\"title\": \"FICTIONAL %s %d\", \"lat\": %.2f,"
                     " \"lon\": 126.5}", round % 2 ? "bridge" : "school", round, 38.5 + i + round);
            CHECK(evlog_write(&ctx, a, change_event, (const char *[]){ id[i], change }) == AT_OK);
        }
    CHECK(evlog_write(&ctx, b, change_event,
                      (const char *[]){ id[1], "{\"title\": \"FICTIONAL river market\"}" })
          == AT_OK);
    CHECK(evlog_write(&ctx, b, change_event,
                      (const char *[]){ id[2], "{\"description\": \"FICTIONAL by b\"}" })
          == AT_OK);
    CHECK(evlog_write(&ctx, b, change_event, (const char *[]){ id[4], "-" }) == AT_OK);
    REQUIRE(pass_pack(&ctx, a, "b", b, NULL) == AT_OK);
    CHECK(evlog_write(&ctx, b, change_event,
                      (const char *[]){ id[3], "{\"title\": \"FICTIONAL school merged\"}" })
          == AT_OK);

    /* c: all of it in one pack; d: the same versions one by one. */
    CHECK(pass_pack(&ctx, b, "c", c, &s) == AT_OK && s.versions == 7 + 18 + 4);
    CHECK(pass_one_by_one(&ctx, b, "d", d) == 7 + 18 + 4);

    REQUIRE((whole = views_alike(&ctx, c, d)) != NULL);
    CHECK(strstr(whole, id[3]) != NULL && strstr(whole, "school merged") != NULL);
    CHECK(record_check_current(&ctx, c) == AT_OK && record_check_current(&ctx, d) == AT_OK);
    /* c settled at once more records with a point than a fifth of its
     * points: its map was made again at the end (record_pending_end); d's
     * was kept record by record.  Both count every point left (the arrest
     * was retracted; the bridge has one unless b's version of it is the one
     * picked), as the records give them. */
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *stmt = store_stmt(&ctx, k ? d : c, "SELECT count(*) FROM record_current"
                                        " WHERE lat IS NOT NULL AND NOT retracted");
        bool built = false;
        int64_t points = -1, want = -2;
        REQUIRE(stmt && sqlite3_step(stmt) == SQLITE_ROW);
        want = sqlite3_column_int64(stmt, 0);
        sqlite3_reset(stmt);
        CHECK(layer_count_points(&ctx, k ? d : c, &built, &points) == AT_OK && built
              && points == want && want >= 5);
        CHECK(layer_count_check(&ctx, k ? d : c) == AT_OK);
    }
    free(whole);
    four_close(&f);
}

/* Records new to the receiver, whose versions in one pack are a chain
 * (created, then amended on another archive) or are not (two archives
 * amended the same version): settling takes the last of a chain as the
 * one head without asking the archive (record.c, struct pending_record),
 * and asks it for the others, so that the record amended twice is in
 * conflict.  The view is the one the versions give one by one. */
UNIT_TEST(sync_pack_records_new_to_the_receiver_settle_as_one_by_one)
{
    struct at_ctx ctx = { 0 };
    struct four f;
    char id[3][RECORD_ID_MAX];
    char *whole = NULL;

    REQUIRE(four_open(&ctx, &f, "n") == AT_OK);
    struct store *a = f.st[0], *b = f.st[1], *c = f.st[2], *d = f.st[3];
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL market fire\", \"lat\": 39.01,"
                     " \"lon\": 125.75}", -1, id[0]) == AT_OK);
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL river crossing\"}", -1, id[1])
            == AT_OK);
    REQUIRE(pass_pack(&ctx, a, "b", b, NULL) == AT_OK);
    /* The market amended on a and on b from the same version; the river
     * amended on b, then on a after it has b's version. */
    CHECK(evlog_write(&ctx, a, change_event,
                      (const char *[]){ id[0], "{\"title\": \"FICTIONAL market by a\"}" }) == AT_OK);
    CHECK(evlog_write(&ctx, b, change_event,
                      (const char *[]){ id[0], "{\"title\": \"FICTIONAL market by b\"}" }) == AT_OK);
    CHECK(evlog_write(&ctx, b, change_event,
                      (const char *[]){ id[1], "{\"title\": \"FICTIONAL river by b\"}" }) == AT_OK);
    REQUIRE(pass_pack(&ctx, b, "a", a, NULL) == AT_OK);
    CHECK(evlog_write(&ctx, a, change_event,
                      (const char *[]){ id[1], "{\"title\": \"FICTIONAL river by a\"}" }) == AT_OK);
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL bridge\"}", -1, id[2]) == AT_OK);
    REQUIRE(pass_pack(&ctx, a, "b", b, NULL) == AT_OK);
    CHECK(unit_sql_int(b, "SELECT count(*) FROM record_conflict") == 1);

    /* c: b's versions in one pack; d: one by one. */
    CHECK(pass_pack(&ctx, b, "c", c, NULL) == AT_OK);
    CHECK(pass_one_by_one(&ctx, b, "d", d) == 7);
    REQUIRE((whole = views_alike(&ctx, c, d)) != NULL);
    CHECK(strstr(whole, "river by a") != NULL);
    for (int k = 0; k < 2; k++) {
        struct store *st = k ? d : c;
        CHECK(unit_sql_int(st, "SELECT count(*) FROM record_conflict") == 1);
        CHECK(record_check_current(&ctx, st) == AT_OK);
        CHECK(layer_count_check(&ctx, st) == AT_OK);
    }
    free(whole);
    four_close(&f);
}

/* The map of st counts every current point, as made from scratch. */
static void check_map(struct at_ctx *ctx, struct store *st, int64_t want)
{
    bool built = false;
    int64_t points = -1;

    CHECK(layer_count_points(ctx, st, &built, &points) == AT_OK && built && points == want);
    CHECK(layer_count_check(ctx, st) == AT_OK);
    CHECK(record_check_current(ctx, st) == AT_OK);
}

/* A pack's settling keeps the map's counts or makes them again at its
 * end, by how many records with a point it brings against the points
 * held (record.c, map_bulk): fewer than a fifth kept, more made again,
 * even when they are fewer than the points held.  Either way the map is
 * the one the records give. */
UNIT_TEST(sync_pack_map_kept_or_made_again_by_the_points_a_pack_brings)
{
    static const int brought[] = { 12, 4, 2, 1 };  /* into 0, 12, 16 and 18 points held */
    struct at_ctx ctx = { 0 };
    struct session sa, sb;
    struct store *a = unit_archive(&ctx, "ma", &sa), *b = unit_archive(&ctx, "mb", &sb);
    struct buf la = BUF_INIT, lb = BUF_INIT;
    char id[RECORD_ID_MAX], path[512], data[160];
    int64_t points = 0;
    int fd, n = 0;

    REQUIRE(a && b);
    REQUIRE(sync_key_line(&ctx, a, &la) == AT_OK && sync_key_line(&ctx, b, &lb) == AT_OK);
    REQUIRE(evlog_write(&ctx, a, pin, (const char *[]){ "b", buf_str(&lb), "team" }) == AT_OK);
    REQUIRE(evlog_write(&ctx, b, pin, (const char *[]){ "a", buf_str(&la), "team" }) == AT_OK);
    snprintf(path, sizeof path, "%s/map-pack", unit_tmpdir());
    for (size_t k = 0; k < sizeof brought / sizeof *brought; k++) {
        /* Records with a point, one without, and an amendment that moves
         * the first record's point. */
        for (int i = 0; i < brought[k]; i++, n++) {
            snprintf(data, sizeof data, "{\"title\": \"FICTIONAL site visit %d\", \"date\": \"%d\","
                     " \"lat\": %.3f, \"lon\": %.3f}", n, 1995 + n % 20, 38.0 + n * 0.21,
                     125.0 + n * 0.17);
            REQUIRE(unit_add(&ctx, a, "event", data, -1, n == 0 ? id : NULL) == AT_OK);
        }
        REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL rumour, no place\"}", -1, NULL)
                == AT_OK);
        if (k > 0) {
            snprintf(data, sizeof data, "{\"lat\": %.3f}", 41.0 + k * 0.3);
            CHECK(evlog_write(&ctx, a, change_event, (const char *[]){ id, data }) == AT_OK);
        }
        points += brought[k];
        REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
        REQUIRE(sync_export(&ctx, a, "b", NULL, fd, NULL) == AT_OK);
        lseek(fd, 0, SEEK_SET);
        CHECK(sync_import(&ctx, b, fd, NULL) == AT_OK);
        close(fd);
        check_map(&ctx, b, points);
    }
    buf_free(&la);
    buf_free(&lb);
    store_close(a);
    store_close(b);
    access_session_free(&sa);
    access_session_free(&sb);
}

/* A proof kept as a BLOB gives back the JSON it was made from, salt and
 * all; a BLOB cut short, or one with bytes after it, is not a proof. */
UNIT_TEST(sync_pack_kept_proof_round_trip)
{
    static const char text[] =
        "{\"hashes\":[\"" "1111111111111111111111111111111111111111111111111111111111111111"
        "\",\"" "2222222222222222222222222222222222222222222222222222222222222222" "\"],"
        "\"index\":6,\"root\":\"" "3333333333333333333333333333333333333333333333333333333333333333"
        "\",\"salt\":\"" "4444444444444444444444444444444444444444444444444444444444444444"
        "\",\"sign_pk\":\"5l_WmjiqomDgnHJ3mArld8MdvuoHXq7DDP9ZMxQERm0\",\"signature\":\""
        "55555555555555555555555555555555555555555555555555555555555555555555555555555555"
        "555555555555555555555555555555555555555555555555\",\"signed_at\":\"2026-12-05T13:14:05Z\","
        "\"size\":9,\"text\":\"{\\\"id\\\":\\\"ev-FICTIONAL\\\",\\\"note\\\":\\\"\\u00e9\\\\n\\\"}\"}";
    json_t *in = json_loads(text, 0, NULL), *back;
    struct buf kept = BUF_INIT, longer = BUF_INIT;

    REQUIRE(in != NULL);
    REQUIRE(sync_proof_from_json(in, &kept) == AT_OK);
    back = sync_proof_json(NULL, kept.data, kept.len, NULL);
    CHECK(back != NULL && json_equal(in, back));
    json_decref(back);
    CHECK(sync_proof_json(NULL, kept.data, kept.len - 1, NULL) == NULL);
    CHECK(sync_proof_json(NULL, kept.data, 40, NULL) == NULL);
    buf_append(&longer, kept.data, kept.len);
    buf_putc(&longer, 'x');
    CHECK(sync_proof_json(NULL, longer.data, longer.len, NULL) == NULL);
    /* A whole proof never leaves its text out: an empty one is not a proof. */
    json_object_set_new(in, "text", json_string(""));
    REQUIRE(sync_proof_from_json(in, &kept) == AT_OK);
    buf_append(&kept, (const uint8_t[8]){ 0, 0, 0, 0, 0, 0, 0, 1 }, 8);
    CHECK(sync_proof_json(NULL, kept.data, kept.len,
                          "{\"origin\":{\"author\":\"FICTIONAL\",\"written_at\":\"2026\"}}")
          == NULL);
    json_object_set_new(in, "hashes", json_pack("[s]", "not a hash"));
    CHECK(sync_proof_from_json(in, &kept) == AT_EINVAL);
    json_decref(in);
    buf_free(&kept);
    buf_free(&longer);
}

/* The text of the version at log entry seq of st, or NULL (a new string). */
static char *logged_doc(struct store *st, int64_t seq)
{
    sqlite3_stmt *stmt;
    char *doc = NULL;

    if (sqlite3_prepare_v2(store_db(st), "SELECT doc FROM record_version WHERE log_seq = ?1", -1,
                           &stmt, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(stmt, 1, seq);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        doc = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return doc;
}

/* How many of st's versions' kept proofs read back whole (with their
 * versions) as the proof origin's log gives for its entry under its head
 * of size entries, of the text the origin logged; *without counts those
 * that read back without their versions. */
static int proofs_as_logged(struct store *st, struct store *origin, uint64_t size, int *without)
{
    struct at_ctx ctx = { 0 };
    sqlite3_stmt *stmt;
    int same = 0;

    *without = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT proof, doc, oseq FROM record_version"
                           " WHERE proof IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const void *proof = sqlite3_column_blob(stmt, 0);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 0);
        int64_t oseq = sqlite3_column_int64(stmt, 2);
        json_t *j = sync_proof_json(st, proof, len, (const char *)sqlite3_column_text(stmt, 1));
        json_t *bare = sync_proof_json(st, proof, len, NULL);
        char *text = logged_doc(origin, oseq), hex[2 * MERKLE_HASH_LEN + 1];
        struct merkle_proof want;
        bool ok = j && text && json_integer_value(json_object_get(j, "size")) == (json_int_t)size
                  && strcmp(json_string_value(json_object_get(j, "text")) ?: "", text) == 0
                  && evlog_inclusion_proof(&ctx, origin, (uint64_t)oseq - 1, size, &want) == AT_OK
                  && json_array_size(json_object_get(j, "hashes")) == want.len;
        for (size_t i = 0; ok && i < want.len; i++) {
            merkle_hash_hex(want.hash[i], hex);
            ok = strcmp(json_string_value(json_array_get(json_object_get(j, "hashes"), i)), hex) == 0;
        }
        same += ok;
        *without += bare != NULL;
        json_decref(j);
        json_decref(bare);
        free(text);
    }
    sqlite3_finalize(stmt);
    return same;
}

/* The proofs of a pack's versions as an import keeps them: the tree head
 * once, each hash of their paths once, and the text not at all, the
 * version stored giving it back (record_logged_text); each reads back as
 * the origin's log gives it, and needs its version to; a hash gone fails
 * the proofs through it.  Texts a stored version would not give back are
 * kept. */
UNIT_TEST(sync_pack_kept_proofs_share_head_and_path)
{
    enum { EVENTS = 11 };
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    struct store *a, *b;
    struct tree_head head;
    char path[512], data[112], *text;
    json_t *doc;
    int fd, without;

    REQUIRE(unit_peers_open(&ctx, &p, "ka", "kb") == AT_OK);
    a = p.a, b = p.b;
    for (int i = 0; i < EVENTS; i++) {
        snprintf(data, sizeof data, "{\"title\": \"FICTIONAL \u00e9v\u00e9nement %d\", \"lat\": %.5f,"
                 " \"lon\": 125.5}", i, 38.123456 + i / 7.0);
        REQUIRE(unit_add(&ctx, a, "event", data, -1, NULL) == AT_OK);
    }
    snprintf(path, sizeof path, "%s/kept-pack", unit_tmpdir());
    REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    REQUIRE(sync_export(&ctx, a, "b", NULL, fd, NULL) == AT_OK);
    lseek(fd, 0, SEEK_SET);
    REQUIRE(sync_import(&ctx, b, fd, NULL) == AT_OK);
    close(fd);
    REQUIRE(evlog_latest_head(&ctx, a, &head) == AT_OK);

    CHECK(unit_sql_int(b, "SELECT count(*) FROM proof_head") == 1);
    /* u8, the head's id, the index, the text's length (0), no salt, the
     * text's version number. */
    CHECK(unit_sql_int(b, "SELECT count(*) FROM record_version WHERE length(proof) = 31") == EVENTS);
    /* Never more than the nodes of the tree but its root. */
    CHECK(unit_sql_int(b, "SELECT count(*) FROM proof_node") <= 2 * (int64_t)head.size - 2);
    CHECK(proofs_as_logged(b, a, head.size, &without) == EVENTS && without == 0);
    CHECK(store_exec(&ctx, b, "DELETE FROM proof_node WHERE lo = (SELECT max(lo) FROM proof_node)")
          == AT_OK);
    CHECK(proofs_as_logged(b, a, head.size, &without) < EVENTS);

    doc = json_pack("{s:s, s:s}", "author", "FICTIONAL", "written_at", "2026-01-02T03:04:05Z");
    text = canonical_text(doc);
    CHECK(record_logged_text_again(doc, text, strlen(text)));
    CHECK(!record_logged_text_again(doc, "{ }", 3));
    free(text);
    json_object_set_new(doc, "origin", json_pack("{s:s, s:s}", "author", "FICTIONAL first",
                                                 "written_at", "2025-01-01T00:00:00Z"));
    text = canonical_text(doc);
    CHECK(!record_logged_text_again(doc, text, strlen(text)));
    free(text);
    json_decref(doc);
    unit_peers_close(&p);
}

/* A pack of more frames than the thread reading ahead holds at once
 * (sync_frames_start): read from a file (the thread) and from a pipe (no
 * thread), the same versions are stored; with a frame past those changed,
 * both refuse it with the same words, to the byte: the import read on
 * itself from where the thread stopped. */
UNIT_TEST(sync_pack_frames_read_ahead_as_read_in_order)
{
    enum { EVENTS = 400 };
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    struct stat info;
    char path[512], data[96], message[2][512];
    int fd;

    REQUIRE(unit_peers_open(&ctx, &p, "ke", "kf") == AT_OK);
    REQUIRE(store_begin(&ctx, p.a) == AT_OK);
    for (int i = 0; i < EVENTS; i++) {
        struct record_write w = RECORD_WRITE_INIT;
        char id[RECORD_ID_MAX];
        snprintf(data, sizeof data, "{\"title\": \"FICTIONAL event %d read ahead\"}", i);
        json_t *fields = json_loads(data, 0, NULL);
        CHECK(record_add(&ctx, p.a, model_type("event"), fields, &w, id) == AT_OK);
        json_decref(fields);
    }
    REQUIRE(evlog_commit(&ctx, p.a) == AT_OK);
    snprintf(path, sizeof path, "%s/ahead-pack", unit_tmpdir());
    REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    REQUIRE(sync_export(&ctx, p.a, "b", NULL, fd, NULL) == AT_OK);
    close(fd);
    REQUIRE(stat(path, &info) == 0);
    for (int piped = 0; piped < 2; piped++) {
        import_piped = piped;
        CHECK(import_bytes(&ctx, p.b, path, info.st_size, info.st_size * 7 / 8) == AT_ECORRUPT);
        snprintf(message[piped], sizeof message[piped], "%s", ctx.message);
    }
    import_piped = false;
    CHECK(strstr(message[0], "does not decrypt") != NULL);
    CHECK(strcmp(message[0], message[1]) == 0);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version") == 0);
    REQUIRE(import_bytes(&ctx, p.b, path, info.st_size, -1) == AT_OK);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version") == EVENTS);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_current") == EVENTS);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE length(proof) = 31")
          == EVENTS);
    unit_peers_close(&p);
}

/* Exports everything a holds to b into a file and imports it there from
 * the file (so that the thread reading ahead runs). */
static int pack_through_file(struct at_ctx *ctx, struct unit_peers *p, const char *name)
{
    char path[512];
    struct stat info;
    int fd;

    snprintf(path, sizeof path, "%s/%s", unit_tmpdir(), name);
    if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
        return AT_ERR;
    if (sync_export(ctx, p->a, "b", NULL, fd, NULL) != AT_OK || fstat(fd, &info) != 0) {
        close(fd);
        return AT_ERR;
    }
    close(fd);
    return import_bytes(ctx, p->b, path, info.st_size, -1);
}

/* The thread reading ahead makes each version as it will be stored
 * (record_stored_make: its text and leaf hash) for the number its origin
 * gave it; the import takes that where it numbers the version so too,
 * and makes its own where it does not (here, the records b wrote a
 * version of first): either way each version's text is the one its log
 * leaf hashes, its proof holds, and verify passes. */
UNIT_TEST(sync_pack_versions_made_ahead_are_the_versions_stored)
{
    enum { EVENTS = 300, OWN = 100 };
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    struct verify_report vr;
    char ids[EVENTS][RECORD_ID_MAX], data[96];
    json_t *changes = json_pack("{s:s}", "description", "FICTIONAL: amended");
    struct record_write w = RECORD_WRITE_INIT;

    w.reason = "FICTIONAL: a second account";
    REQUIRE(unit_peers_open(&ctx, &p, "kg", "kh") == AT_OK);
    REQUIRE(store_begin(&ctx, p.a) == AT_OK);
    for (int i = 0; i < EVENTS; i++) {
        snprintf(data, sizeof data, "{\"title\": \"FICTIONAL event %d made ahead\"}", i);
        json_t *fields = json_loads(data, 0, NULL);
        CHECK(record_add(&ctx, p.a, model_type("event"), fields, &w, ids[i]) == AT_OK);
        json_decref(fields);
    }
    REQUIRE(evlog_commit(&ctx, p.a) == AT_OK);
    REQUIRE(pack_through_file(&ctx, &p, "ahead-first") == AT_OK);
    /* b's own second version of the first OWN records, a's of every one:
     * b numbers a's 3 where a numbered it 2. */
    REQUIRE(store_begin(&ctx, p.b) == AT_OK);
    for (int i = 0; i < OWN; i++)
        CHECK(record_amend(&ctx, p.b, ids[i], changes, &w) == AT_OK);
    REQUIRE(evlog_commit(&ctx, p.b) == AT_OK);
    REQUIRE(store_begin(&ctx, p.a) == AT_OK);
    for (int i = 0; i < EVENTS; i++)
        CHECK(record_amend(&ctx, p.a, ids[i], changes, &w) == AT_OK);
    REQUIRE(evlog_commit(&ctx, p.a) == AT_OK);
    REQUIRE(pack_through_file(&ctx, &p, "ahead-second") == AT_OK);
    /* Imported: stamped by b's importer, numbered here, a's author kept. */
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE version = 3"
                            " AND json_extract(doc, '$.origin.author') = 'admin'") == OWN);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version") == 2 * EVENTS + OWN);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE"
                            " version = json_extract(doc, '$.version')"
                            " AND json_extract(doc, '$.author') = 'admin'"
                            " AND json_extract(doc, '$.origin.written_at') IS NOT NULL")
          == 2 * EVENTS);
    CHECK(verify_archive(&ctx, p.b, true, &vr) == AT_OK);
    CHECK(vr.record_versions == 2 * EVENTS + OWN);
    json_decref(changes);
    unit_peers_close(&p);
}

/* The proofs of b's versions as a pack keeps them, in the order of their
 * rows: a fingerprint of record_version.proof. */
static char *proofs_text(struct store *st)
{
    sqlite3_stmt *stmt = store_stmt(&(struct at_ctx){ 0 }, st,
                                    "SELECT group_concat(hex(proof), ' ') FROM (SELECT proof"
                                    " FROM record_version WHERE proof IS NOT NULL ORDER BY rowid)");
    char *text = NULL;

    if (stmt && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        text = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    if (stmt)
        sqlite3_reset(stmt);
    return text;
}

/* Keeps each version's proof of st whole again, as before schema 28 (its
 * head, path and text in its row), the proof of the row damaged (if not 0)
 * with one hash of its path changed. */
static int keep_proofs_whole(struct at_ctx *ctx, struct store *st, int64_t damaged)
{
    static const char rows_sql[] =
        "SELECT rowid, proof, doc FROM record_version WHERE proof IS NOT NULL ORDER BY rowid";
    sqlite3_stmt *rows = store_stmt(ctx, st, rows_sql), *update;
    struct buf whole = BUF_INIT;
    int rc = AT_OK;

    if (rows == NULL)
        return AT_ERR;
    while (rc == AT_OK && sqlite3_step(rows) == SQLITE_ROW) {
        json_t *j = sync_proof_json(st, sqlite3_column_blob(rows, 1),
                                    (size_t)sqlite3_column_bytes(rows, 1),
                                    (const char *)sqlite3_column_text(rows, 2));
        if (j && sqlite3_column_int64(rows, 0) == damaged) {
            char hash[65];
            snprintf(hash, sizeof hash, "%s", json_string_value(json_array_get(
                                                  json_object_get(j, "hashes"), 0)));
            hash[0] = hash[0] == '0' ? '1' : '0';
            json_array_set_new(json_object_get(j, "hashes"), 0, json_string(hash));
        }
        rc = j ? sync_proof_from_json(j, &whole) : AT_ERR;
        json_decref(j);
        if (rc == AT_OK && (update = store_stmt(ctx, st, "UPDATE record_version SET proof = ?1"
                                                         " WHERE rowid = ?2")) != NULL) {
            sqlite3_bind_blob(update, 1, whole.data, (int)whole.len, SQLITE_STATIC);
            sqlite3_bind_int64(update, 2, sqlite3_column_int64(rows, 0));
            rc = sqlite3_step(update) == SQLITE_DONE ? AT_OK : AT_ERR;
            sqlite3_reset(update);
        }
    }
    sqlite3_reset(rows);
    buf_free(&whole);
    return rc == AT_OK ? store_exec(ctx, st, "DELETE FROM proof_node; DELETE FROM proof_head")
                       : rc;
}

/* An archive of schema 28 whose versions' proofs are kept whole (as an
 * import before 28 kept them) has them kept as an import keeps them now
 * when it is opened: the same bytes, heads and hashes as an import of
 * today gave (most of them without their text), and verify passes; a
 * proof that does not hold stays whole, for verify to report, and the
 * others under its head are stored all the same. */
UNIT_TEST(sync_pack_proofs_kept_whole_stored_when_an_archive_is_upgraded)
{
    enum { EVENTS = 40 };
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    struct verify_report vr;
    char id[RECORD_ID_MAX], data[96], dir[512], *stored, *again;
    int64_t nodes, damaged;

    REQUIRE(unit_peers_open(&ctx, &p, "wa", "wb") == AT_OK);
    for (int i = 0; i < EVENTS; i++) {
        snprintf(data, sizeof data, "{\"title\": \"FICTIONAL event %d kept whole\"}", i);
        REQUIRE(unit_add(&ctx, p.a, "event", data, -1, id) == AT_OK);
        if (i % 4 == 0)
            CHECK(evlog_write(&ctx, p.a, change_event,
                              (const char *[]){ id, "{\"description\": \"FICTIONAL: amended\"}" })
                  == AT_OK);
    }
    REQUIRE(pack_through_file(&ctx, &p, "whole") == AT_OK);
    REQUIRE((stored = proofs_text(p.b)) != NULL);
    nodes = unit_sql_int(p.b, "SELECT count(*) FROM proof_node");
    CHECK(nodes > EVENTS / 2);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE hex(substr(proof, -8))"
                            " = printf('%016X', json_extract(doc, '$.version'))") > EVENTS);

    /* Schema 28, every proof whole; the last but one damaged. */
    damaged = unit_sql_int(p.b, "SELECT rowid FROM record_version WHERE proof IS NOT NULL"
                                " ORDER BY rowid DESC LIMIT 1 OFFSET 1");
    REQUIRE(keep_proofs_whole(&ctx, p.b, damaged) == AT_OK);
    REQUIRE(store_exec(&ctx, p.b, "PRAGMA user_version = 28") == AT_OK);
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE proof IS NOT NULL"
                            " AND substr(proof, 1, 1) = x'80'") == 0);
    store_close(p.b);
    access_session_free(&p.sb);
    p.b = NULL;
    snprintf(dir, sizeof dir, "%s/wb", unit_tmpdir());
    REQUIRE(unlock_open(&ctx, dir, "admin", UNIT_PASSPHRASE, &p.b, &p.sb) == AT_OK);
    CHECK(unit_sql_int(p.b, "PRAGMA user_version") == schema_version());
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM meta WHERE key = 'proofs_to_store'") == 0);
    /* Every proof but the damaged one stored, byte for byte as imported. */
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE proof IS NOT NULL"
                            " AND substr(proof, 1, 1) != x'80'") == 1);
    /* All the hashes but the one only the damaged proof's path holds (the
     * leaf beside its own). */
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM proof_node") == nodes - 1);
    REQUIRE((again = proofs_text(p.b)) != NULL);
    {
        /* The damaged row's proof is whole; the rest are the same words. */
        char *a = stored, *b = again;
        int differ = 0, words = 0;
        while (*a && *b) {
            size_t la = strcspn(a, " "), lb = strcspn(b, " ");
            differ += la != lb || memcmp(a, b, la) != 0;
            words++;
            a += la + (a[la] == ' ');
            b += lb + (b[lb] == ' ');
        }
        CHECK(*a == 0 && *b == 0 && differ == 1 && words > EVENTS);
    }
    CHECK(verify_archive(&ctx, p.b, true, &vr) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "damaged") != NULL || strstr(ctx.message, "proof") != NULL);
    ctx_clear(&ctx);
    free(stored);
    free(again);
    unit_peers_close(&p);
}

/* A version whose text the import's checks change (an empty value, which
 * no attest writes but an origin of other rules may have logged) is stored
 * as checked, and its proof keeps the text, which the version stored no
 * longer gives back.  The checks once came after that choice: the proof was
 * kept without its text and no longer held. */
UNIT_TEST(sync_pack_version_changed_by_checks_keeps_text)
{
    static const char insert[] =
        "INSERT INTO record_version(id, version, type, log_seq, doc, origin, oseq, origin_at)"
        " SELECT id, 2, type, ?2, ?3, origin, ?2, ?4 FROM record_version WHERE id = ?1;"
        " INSERT INTO record_base SELECT id, 2, origin, oseq FROM record_version"
        " WHERE id = ?1 AND version = 1";
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    struct tree_head head;
    sqlite3_stmt *stmt;
    const char *tail;
    char path[512], id[64], *text = NULL;
    json_t *doc = NULL;
    int64_t seq;
    int fd, without;

    REQUIRE(unit_peers_open(&ctx, &p, "kc", "kd") == AT_OK);
    REQUIRE(unit_add(&ctx, p.a, "event", "{\"title\": \"FICTIONAL first\"}", -1, id) == AT_OK);
    REQUIRE(record_get(&ctx, p.a, id, 1, &doc) == AT_OK);
    json_object_set_new(doc, "version", json_integer(2));
    json_object_set_new(json_object_get(doc, "data"), "description", json_string(""));
    REQUIRE((text = canonical_text(doc)) != NULL);
    /* Logged as its origin would, as the version's text. */
    REQUIRE(store_begin(&ctx, p.a) == AT_OK);
    REQUIRE(evlog_append(&ctx, p.a, text, &seq) == AT_OK);
    tail = insert;
    while (*tail) {
        REQUIRE(sqlite3_prepare_v2(store_db(p.a), tail, -1, &stmt, &tail) == SQLITE_OK);
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, seq);
        sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, json_string_value(json_object_get(doc, "written_at")), -1,
                          SQLITE_STATIC);
        CHECK(sqlite3_step(stmt) == SQLITE_DONE);
        sqlite3_finalize(stmt);
        tail += strspn(tail, " ");
    }
    REQUIRE(evlog_commit(&ctx, p.a) == AT_OK);

    snprintf(path, sizeof path, "%s/checked-pack", unit_tmpdir());
    REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    REQUIRE(sync_export(&ctx, p.a, "b", NULL, fd, NULL) == AT_OK);
    lseek(fd, 0, SEEK_SET);
    REQUIRE(sync_import(&ctx, p.b, fd, NULL) == AT_OK);
    close(fd);
    REQUIRE(evlog_latest_head(&ctx, p.a, &head) == AT_OK);
    /* Stored as checked: the empty value gone. */
    CHECK(unit_sql_int(p.b, "SELECT count(*) FROM record_version WHERE version = 2"
                            " AND json_extract(doc, '$.data.description') IS NULL") == 1);
    /* Both proofs hold; the second with its text. */
    CHECK(proofs_as_logged(p.b, p.a, head.size, &without) == 2);
    CHECK(without == 1);
    json_decref(doc);
    free(text);
    unit_peers_close(&p);
}

/* The frames of the writer's test below: frame i's bytes, the first one
 * never the end's type. */
static uint8_t writer_byte(int i, size_t j)
{
    return j == 0 ? 'x' : (uint8_t)(i * 31 + (int)j);
}

struct writer_check {
    int frames;             /* the frames written, the end aside */
    const size_t *len;      /* each one's length */
    int n;                  /* frames read so far */
    int wrong;              /* the first frame read otherwise than written, + 1 */
};

static int check_frame(void *arg, const uint8_t *plain, size_t len)
{
    struct writer_check *w = arg;
    int i = w->n++;
    bool same = i < w->frames ? len == w->len[i] : i == w->frames && len == 1;

    for (size_t j = 0; same && i < w->frames && j < len; j++)
        same = plain[j] == writer_byte(i, j);
    if (!same && w->wrong == 0)
        w->wrong = i + 1;
    return AT_OK;
}

/* The writer gathers small frames many to a buffer and hands a buffer
 * over when the next frame does not fit: 3,000 frames of up to 3,000
 * bytes (more than one buffer), a whole buffer's frame made in place
 * (sync_pack_buffer), then small ones again, come back each whole and in
 * the order written. */
UNIT_TEST(sync_pack_writer_keeps_frames_whole_and_in_order_across_buffers)
{
    enum { SMALL = 3000, AFTER = 5, FRAMES = SMALL + 1 + AFTER };
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    int opened = unit_peers_open(&ctx, &p, "wa", "wb");
    struct store *a = p.a, *b = p.b;
    struct sync_pack_writer *po = NULL;
    static size_t len[FRAMES];
    struct writer_check w = { .frames = FRAMES, .len = len };
    uint8_t *frame = malloc(3000);
    char path[512];
    int fd, rc = AT_OK;

    REQUIRE(opened == AT_OK && frame);
    snprintf(path, sizeof path, "%s/frames", unit_tmpdir());
    REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
    REQUIRE(sync_pack_begin(&ctx, a, "b", fd, &po) == AT_OK);
    for (int i = 0; i < FRAMES && rc == AT_OK; i++) {
        len[i] = i == SMALL ? SYNC_FRAME_MAX : 1 + (size_t)(i * 7919) % 3000;
        uint8_t *to = i == SMALL ? sync_pack_buffer(po) : frame;
        for (size_t j = 0; j < len[i]; j++)
            to[j] = writer_byte(i, j);
        rc = i == SMALL ? sync_pack_submit(&ctx, po, len[i])
                        : sync_pack_frame(&ctx, po, frame, len[i]);
    }
    CHECK(rc == AT_OK);
    CHECK(sync_pack_end(&ctx, po) == AT_OK);
    sync_pack_free(po);
    lseek(fd, 0, SEEK_SET);
    CHECK(sync_pack_read(&ctx, b, fd, check_frame, &w) == AT_OK);
    close(fd);
    CHECK(w.n == FRAMES + 1);
    CHECK(w.wrong == 0);
    if (w.wrong)
        fprintf(stderr, "# frame %d came back otherwise than written\n", w.wrong - 1);
    free(frame);
    unit_peers_close(&p);
}
