/*
 * fuzz_pack.c: feeds arbitrary bytes to a sync import (sync_import,
 * docs/formats-pack.md) into archive B, which pins archive A.  The first
 * byte says what the rest is:
 *  - even: a pack's bytes as they come, magic line, header and signature
 *    first: what anyone can hand an archive, read before anything in it is
 *    trusted;
 *  - odd: a pack's frames in plaintext, each a big-endian u16 length and
 *    its bytes (the last takes what is left), which the target seals and
 *    signs as A's pack for B (sync_pack_begin): what a pinned archive's
 *    signature lets in (versions, proofs, items, marks, files).
 * The keys come from a generator with a fixed seed, so that A and B are
 * the same archives on every run and the saved inputs' proofs (made by
 * FUZZ_PACK_SEEDS=DIR, see seed()) and signatures verify.  Errors are
 * expected; what must hold is:
 *  - every failure says why;
 *  - a refused pack leaves B as it was: its log, versions, items, vault
 *    files and no staging file left behind;
 *  - a pack taken is one `attest verify` passes.
 * After a pack is taken, B is put back as it was made (its files copied
 * back), so that every input starts from the same state.  Any breach
 * aborts.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keys.h"
#include "../../src/core/model.h"
#include "../../src/core/record.h"
#include "../../src/core/store.h"
#include "../../src/core/sync.h"
#include "../../src/core/unlock.h"
#include "../../src/core/verify.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASSPHRASE "FICTIONAL fuzz passphrase"

static struct store *a, *b;
static struct session sa, sb;
static char dir[64];

/* ---- keys from a fixed seed (splitmix64) --------------------------------- */

static uint64_t seed_state = 0x61747465737446ULL;

static uint32_t fixed_random(void)
{
    uint64_t z = (seed_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)(z ^ (z >> 31));
}

static void fixed_buf(void *const out, const size_t size)
{
    uint8_t *p = out;

    for (size_t i = 0; i < size; i++)
        p[i] = (uint8_t)fixed_random();
}

static const char *fixed_name(void)
{
    return "fixed seed, for fuzzing only";
}

static struct randombytes_implementation fixed = {
    .implementation_name = fixed_name, .random = fixed_random, .buf = fixed_buf,
};

/* ---- the two archives ----------------------------------------------------- */

static void fail(const char *what, const struct at_ctx *ctx)
{
    fprintf(stderr, "fuzz_pack: %s: %s\n", what, ctx ? ctx->message : "");
    abort();
}

static void path_of(char *out, size_t size, const char *archive, const char *file)
{
    snprintf(out, size, "%s/%s%s%s", dir, archive, file ? "/" : "", file ? file : "");
}

static int pin(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char **p = arg;

    return sync_peer_add(ctx, st, p[0], p[1], "team");
}

static struct store *make(const char *name, struct session *s)
{
    struct at_ctx ctx = { 0 };
    struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
    struct store *st = NULL;
    char path[160];

    path_of(path, sizeof path, name, NULL);
    if (unlock_create(&ctx, path, "fuzz", PASSPHRASE, &cheap, &st, s) != AT_OK)
        fail("making an archive", &ctx);
    return st;
}

/* B's files as made, and the copy they are put back from. */
static const char *const db_files[] = { "attest.db", "attest.db-wal", "attest.db-shm" };

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out;
    char buf[1 << 16];
    size_t n;

    unlink(to);
    if (in == NULL)
        return; /* a WAL not there is not copied */
    if ((out = fopen(to, "wb")) == NULL)
        abort();
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            abort();
    fclose(in);
    if (fclose(out) != 0)
        abort();
}

/* Files in B's vault (staging files too). */
static int vault_files(void)
{
    char path[160];
    struct dirent *e;
    DIR *d;
    int n = 0;

    path_of(path, sizeof path, "b", "vault");
    if ((d = opendir(path)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void empty_vault(void)
{
    char path[160], file[480];
    struct dirent *e;
    DIR *d;

    path_of(path, sizeof path, "b", "vault");
    if ((d = opendir(path)) == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            unlink(file);
        }
    closedir(d);
}

/* Copies B's database files to FILE.made, or (back) from there. */
static void b_files(bool back)
{
    char live[160], kept[200];

    for (size_t i = 0; i < ARRAY_LEN(db_files); i++) {
        path_of(live, sizeof live, "b", db_files[i]);
        snprintf(kept, sizeof kept, "%s.made", live);
        copy_file(back ? kept : live, back ? live : kept);
    }
}

static void open_b(void)
{
    struct at_ctx ctx = { 0 };
    char path[160];

    path_of(path, sizeof path, "b", NULL);
    access_session_free(&sb);
    if (unlock_open(&ctx, path, "fuzz", PASSPHRASE, &b, &sb) != AT_OK)
        fail("opening B again", &ctx);
    store_set_session(b, &sb);
    /* Durability is not under test here; speed is welcome. */
    store_exec(&ctx, b, "PRAGMA synchronous = OFF");
}

static void remove_all(void)
{
    char path[200];

    store_close(a);
    store_close(b);
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "b" : "a";
        for (size_t i = 0; i < ARRAY_LEN(db_files); i++) {
            path_of(path, sizeof path, name, db_files[i]);
            unlink(path);
            strcat(path, ".made");
            unlink(path);
        }
        if (k)
            empty_vault();
        path_of(path, sizeof path, name, "vault");
        rmdir(path);
        path_of(path, sizeof path, name, NULL);
        rmdir(path);
    }
    rmdir(dir);
}

static void open_archives(void)
{
    struct at_ctx ctx = { 0 };
    struct buf la = BUF_INIT, lb = BUF_INIT;
    const char *tmp = getenv("TMPDIR");

    if (randombytes_set_implementation(&fixed) != 0 || sodium_init() < 0)
        abort();
    snprintf(dir, sizeof dir, "%s/fuzz-pack-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    a = make("a", &sa);
    b = make("b", &sb);
    if (sync_key_line(&ctx, a, &la) != AT_OK || sync_key_line(&ctx, b, &lb) != AT_OK
        || evlog_write(&ctx, a, pin, (const char *[]){ "b", buf_str(&lb) }) != AT_OK
        || evlog_write(&ctx, b, pin, (const char *[]){ "a", buf_str(&la) }) != AT_OK)
        fail("pinning", &ctx);
    buf_free(&la);
    buf_free(&lb);
    /* B as made, to be put back after each pack it takes. */
    store_close(b);
    b_files(false);
    open_b();
    atexit(remove_all);
}

/* ---- one input ------------------------------------------------------------ */

struct state {
    int64_t log, versions, items;
    int files;
};

static struct state state_of(void)
{
    static const char sql[] = "SELECT (SELECT count(*) FROM log_entry),"
                              " (SELECT count(*) FROM record_version),"
                              " (SELECT count(*) FROM log_item)";
    struct at_ctx ctx = { 0 };
    sqlite3_stmt *stmt = store_stmt(&ctx, b, sql);
    struct state s;

    if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
        fail("reading B", &ctx);
    s.log = sqlite3_column_int64(stmt, 0);
    s.versions = sqlite3_column_int64(stmt, 1);
    s.items = sqlite3_column_int64(stmt, 2);
    sqlite3_reset(stmt);
    s.files = vault_files();
    return s;
}

/* A pack's file, empty (a regular file: the import reads it ahead). */
static int pack_file(void)
{
    char path[160];
    int fd;

    path_of(path, sizeof path, "pack", NULL);
    if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
        abort();
    unlink(path);
    return fd;
}

/* The frames of data, sealed and signed by A for B, into fd. */
static void seal_frames(int fd, const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    struct sync_pack_writer *po = NULL;

    if (sync_pack_begin(&ctx, a, "b", fd, &po) != AT_OK)
        fail("beginning a pack", &ctx);
    while (size > 0) {
        size_t len = size;
        if (size >= 2) {
            len = (size_t)data[0] << 8 | data[1];
            data += 2, size -= 2;
            if (len > size)
                len = size;
        }
        if (len > 0 && sync_pack_frame(&ctx, po, data, len) != AT_OK)
            fail("sealing a frame", &ctx);
        data += len, size -= len;
    }
    if (sync_pack_end(&ctx, po) != AT_OK)
        fail("ending a pack", &ctx);
    sync_pack_free(po);
}

static void put_b_back(void)
{
    store_close(b);
    empty_vault();
    b_files(true);
    open_b();
}

/* ---- the saved inputs ------------------------------------------------------ */

static int add_event(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *data = json_loads(arg, 0, NULL);
    char id[RECORD_ID_MAX];
    int rc = record_add(ctx, st, model_type("event"), data, &w, id);

    json_decref(data);
    return rc;
}

static int amend_first(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct record_write w = RECORD_WRITE_INIT;
    sqlite3_stmt *stmt = store_stmt(ctx, st, "SELECT id FROM record_current ORDER BY rowid");
    char id[RECORD_ID_MAX] = "";
    json_t *changes = json_loads(arg, 0, NULL);
    int rc;

    if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(stmt, 0));
    if (stmt)
        sqlite3_reset(stmt);
    w.reason = "FICTIONAL fuzz seed";
    rc = record_amend(ctx, st, id, changes, &w);
    json_decref(changes);
    return rc;
}

struct seed {
    struct buf frames;   /* odd first byte, then each frame as u16 length and bytes */
};

static int keep_frame(void *arg, const uint8_t *plain, size_t len)
{
    struct seed *s = arg;

    /* sync_pack_end writes the last frame itself. */
    if (len > 0 && plain[0] != 'Z' && len <= 0xffff) {
        uint8_t n[2] = { (uint8_t)(len >> 8), (uint8_t)len };
        buf_append(&s->frames, n, 2);
        buf_append(&s->frames, plain, len);
    }
    return AT_OK;
}

static void write_seed(const char *to, const char *name, const void *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", to, name);
    if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

/* FUZZ_PACK_SEEDS=DIR: writes into DIR a pack of A's for B (FICTIONAL
 * events, one with a point, one amended), as it travels and as its
 * frames, then exits.  The keys are the fixed seed's: these inputs verify
 * on every run of this target. */
static void seed(const char *to)
{
    static const char *const events[] = {
        "{\"title\": \"FICTIONAL DEMO DATA market fire\", \"date\": \"1997\","
        " \"lat\": 39.01, \"lon\": 125.75}",
        "{\"title\": \"FICTIONAL DEMO DATA river crossing\", \"description\":"
        " \"FICTIONAL DEMO DATA: nothing here is real\"}",
    };
    struct at_ctx ctx = { 0 };
    struct seed s = { BUF_INIT };
    struct buf raw = BUF_INIT;
    uint8_t chunk[4096];
    ssize_t n;
    int fd = pack_file();

    for (size_t i = 0; i < ARRAY_LEN(events); i++)
        if (evlog_write(&ctx, a, add_event, (void *)events[i]) != AT_OK)
            fail("adding an event", &ctx);
    if (evlog_write(&ctx, a, amend_first, "{\"title\": \"FICTIONAL DEMO DATA market fire, "
                    "amended\"}") != AT_OK
        || sync_export(&ctx, a, "b", NULL, fd, NULL) != AT_OK)
        fail("exporting", &ctx);
    buf_append(&raw, "", 1);
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        buf_append(&raw, chunk, (size_t)n);
    buf_append(&s.frames, "\1", 1);
    lseek(fd, 0, SEEK_SET);
    if (sync_pack_read(&ctx, b, fd, keep_frame, &s) != AT_OK)
        fail("reading the pack", &ctx);
    close(fd);
    write_seed(to, "seed-pack", raw.data, raw.len);
    write_seed(to, "seed-frames", s.frames.data, s.frames.len);
    buf_free(&raw);
    buf_free(&s.frames);
    exit(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    struct verify_report report;
    struct state before, after;
    int fd, rc;

    if (a == NULL) {
        open_archives();
        if (getenv("FUZZ_PACK_SEEDS"))
            seed(getenv("FUZZ_PACK_SEEDS"));
    }
    if (size == 0)
        return 0;
    fd = pack_file();
    if (data[0] & 1)
        seal_frames(fd, data + 1, size - 1);
    else if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
        abort();
    lseek(fd, 0, SEEK_SET);
    before = state_of();
    rc = sync_import(&ctx, b, fd, NULL);
    close(fd);
    if (rc != AT_OK) {
        if (ctx.message[0] == '\0')
            fail("a refusal that does not say why", NULL);
        after = state_of();
        if (after.log != before.log || after.versions != before.versions
            || after.items != before.items || after.files != before.files)
            fail("a refused pack changed the archive", &ctx);
        return 0;
    }
    if (verify_archive(&ctx, b, false, &report) != AT_OK)
        fail("a pack taken leaves an archive verify refuses", &ctx);
    put_b_back();
    return 0;
}
