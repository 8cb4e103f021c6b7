/*
 * test_vault.c: evidence items in the vault.  The same bytes are stored
 * once; vault file names do not give away a file's SHA-256; a working copy
 * points at its original; clearance keeps a partner from items above
 * theirs; custody events come back in the order they were recorded; an
 * upload is encrypted as it is received, and what one leaves unfinished is
 * reported and swept, but never one still in progress.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/keys.h"
#include "../../src/core/model.h"
#include "../../src/core/record.h"
#include "../../src/core/vault.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct kdf cheap = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };

/* A path in this test's directory; the string is static (four in turn). */
static const char *tmp_path(const char *leaf)
{
    static char path[4][300];
    static int next;
    char *p = path[next++ % 4];

    snprintf(p, sizeof path[0], "%s/%s", unit_tmpdir(), leaf);
    return p;
}

/* Writes len seeded pseudo-random bytes (a FICTIONAL test file) to path
 * and their SHA-256 in hex to sha. */
static void make_file(const char *path, size_t len, uint32_t seed, char sha[65])
{
    uint8_t *p = malloc(len), digest[32];
    uint32_t x = seed * 2654435761u + 7;
    int fd;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && write(fd, p, len) == (ssize_t)len);
    close(fd);
    crypto_hash_sha256(digest, p, len);
    sodium_bin2hex(sha, 65, digest, sizeof digest);
    free(p);
}

/* Adds path in its own transaction; returns the result code. */
static int add(struct at_ctx *ctx, struct store *st, const char *path, const char *parent,
               int clearance, char id[VAULT_ID_MAX], bool *existed)
{
    struct vault_add a = { path, NULL, NULL, NULL, parent, clearance, NULL };
    int rc;

    if ((rc = store_begin(ctx, st)) != AT_OK)
        return rc;
    if ((rc = vault_add_file(ctx, st, &a, id, existed)) != AT_OK) {
        store_rollback(st);
        return rc;
    }
    return evlog_commit(ctx, st);
}

/* The names in the archive's vault directory that do not start with a
 * dot, counted; each is passed to fn when it is not NULL. */
static int vault_names(const char *archive, void (*fn)(const char *name, void *arg), void *arg)
{
    char dir[400];
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(dir, sizeof dir, "%s/vault", archive);
    if ((d = opendir(dir)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        if (fn)
            fn(e->d_name, arg);
    }
    closedir(d);
    return n;
}

/* Reads a whole file into a new NUL-terminated buffer; *len its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    *len = 0;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    *len = fread(p, 1, (size_t)n, f);
    p[*len] = '\0';
    fclose(f);
    return p;
}

static bool file_holds(const char *path, const char *needle)
{
    size_t len;
    char *p = slurp(path, &len);
    bool found = p && memmem(p, len, needle, strlen(needle)) != NULL;

    free(p);
    return found;
}

static const char *meta_str(json_t *item, const char *key)
{
    return json_string_value(json_object_get(item, key));
}

UNIT_TEST(vault_stores_the_same_bytes_once)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char sha_a[65], sha_b[65], id_a[VAULT_ID_MAX], id_copy[VAULT_ID_MAX], id_b[VAULT_ID_MAX];
    bool existed = true;
    json_t *items, *item;

    REQUIRE(st != NULL);
    make_file(tmp_path("video.bin"), 300000, 1, sha_a);
    make_file(tmp_path("same-video-renamed.bin"), 300000, 1, sha_b);
    CHECK_STR(sha_a, sha_b);
    make_file(tmp_path("other.bin"), 300000, 2, sha_b);

    REQUIRE(add(&ctx, st, tmp_path("video.bin"), NULL, -1, id_a, &existed) == AT_OK);
    CHECK(!existed);
    REQUIRE(add(&ctx, st, tmp_path("same-video-renamed.bin"), NULL, -1, id_copy, &existed) == AT_OK);
    CHECK(existed);
    CHECK_STR(id_copy, id_a);
    REQUIRE(add(&ctx, st, tmp_path("other.bin"), NULL, -1, id_b, &existed) == AT_OK);
    CHECK(!existed);
    CHECK(strcmp(id_a, id_b) != 0);

    CHECK(vault_names(store_dir(st), NULL, NULL) == 2);
    REQUIRE(vault_list(&ctx, st, &items) == AT_OK);
    CHECK(json_array_size(items) == 2);
    item = json_array_get(items, 0);
    CHECK_STR(meta_str(item, "id"), id_a);
    CHECK_STR(meta_str(item, "sha256"), sha_a);
    CHECK_STR(meta_str(item, "filename"), "video.bin");
    CHECK(json_integer_value(json_object_get(item, "size")) == 300000);
    CHECK_STR(meta_str(item, "clearance"), "confidential");
    CHECK_STR(meta_str(item, "added_by"), "admin");
    json_decref(items);
    store_close(st);
    access_session_free(&admin);
}

struct name_check {
    const char *sha;
    int equal, contains;
};

static void compare_name(const char *name, void *arg)
{
    struct name_check *c = arg;

    if (strcasecmp(name, c->sha) == 0)
        c->equal++;
    if (strcasestr(name, c->sha) != NULL)
        c->contains++;
}

UNIT_TEST(vault_file_names_do_not_reveal_the_sha256)
{
    struct at_ctx ctx = { 0 };
    struct session admin, admin2;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct store *st2 = unit_archive(&ctx, "b", &admin2);
    char sha[65], id[VAULT_ID_MAX], id2[VAULT_ID_MAX], db[400], wal[400];
    struct name_check c = { sha, 0, 0 };
    bool existed;
    sqlite3_stmt *stmt;
    const char *name, *name2;

    REQUIRE(st != NULL && st2 != NULL);
    make_file(tmp_path("known.bin"), 70000, 3, sha);
    REQUIRE(add(&ctx, st, tmp_path("known.bin"), NULL, -1, id, &existed) == AT_OK);
    REQUIRE(add(&ctx, st2, tmp_path("known.bin"), NULL, -1, id2, &existed) == AT_OK);

    /* No file in vault/ is named by the hash, nor contains it. */
    CHECK(vault_names(store_dir(st), compare_name, &c) == 1);
    CHECK(c.equal == 0);
    CHECK(c.contains == 0);

    /* The indexed name is not the hash, and another archive (another
     * master key) names the same bytes differently. */
    stmt = store_stmt(&ctx, st, "SELECT name FROM vault_item WHERE id = ?1");
    REQUIRE(stmt != NULL);
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    name = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    stmt = store_stmt(&ctx, st2, "SELECT name FROM vault_item WHERE id = ?1");
    REQUIRE(stmt != NULL);
    sqlite3_bind_text(stmt, 1, id2, -1, SQLITE_STATIC);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    name2 = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_reset(stmt);
    CHECK(strcasecmp(name, sha) != 0);
    CHECK(strcmp(name, name2) != 0);

    /* Nor does the database hold the hash in the clear: the item's
     * metadata is encrypted. */
    snprintf(db, sizeof db, "%s/attest.db", store_dir(st));
    snprintf(wal, sizeof wal, "%s/attest.db-wal", store_dir(st));
    CHECK(!file_holds(db, sha));
    CHECK(access(wal, F_OK) != 0 || !file_holds(wal, sha));
    free((void *)name);
    free((void *)name2);
    store_close(st);
    store_close(st2);
    access_session_free(&admin);
    access_session_free(&admin2);
}

UNIT_TEST(vault_get_gives_back_the_bytes)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char sha[65], id[VAULT_ID_MAX];
    size_t len_in, len_out;
    char *in, *out;
    bool existed;
    int fd;

    REQUIRE(st != NULL);
    /* Over one default chunk, so that chunks are chained. */
    make_file(tmp_path("in.bin"), (1u << 20) + 12345, 4, sha);
    REQUIRE(add(&ctx, st, tmp_path("in.bin"), NULL, -1, id, &existed) == AT_OK);
    fd = open(tmp_path("out.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    CHECK(vault_get(&ctx, st, id, fd) == AT_OK);
    close(fd);
    in = slurp(tmp_path("in.bin"), &len_in);
    out = slurp(tmp_path("out.bin"), &len_out);
    CHECK(len_in == len_out && memcmp(in, out, len_in) == 0);
    free(in);
    free(out);
    CHECK(vault_get(&ctx, st, "ei-nosuchitem00", -1) == AT_ENOTFOUND);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(vault_working_copy_links_to_its_original)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char sha[65], orig[VAULT_ID_MAX], copy[VAULT_ID_MAX], none[VAULT_ID_MAX];
    json_t *item;
    bool existed;

    REQUIRE(st != NULL);
    make_file(tmp_path("original.bin"), 5000, 5, sha);
    make_file(tmp_path("cropped.bin"), 3000, 6, sha);
    REQUIRE(add(&ctx, st, tmp_path("original.bin"), NULL, -1, orig, &existed) == AT_OK);
    REQUIRE(add(&ctx, st, tmp_path("cropped.bin"), orig, -1, copy, &existed) == AT_OK);
    CHECK(strcmp(orig, copy) != 0);

    REQUIRE(vault_item(&ctx, st, copy, &item) == AT_OK);
    CHECK(json_is_false(json_object_get(item, "original")));
    CHECK_STR(meta_str(item, "parent"), orig);
    json_decref(item);
    REQUIRE(vault_item(&ctx, st, orig, &item) == AT_OK);
    CHECK(json_is_true(json_object_get(item, "original")));
    CHECK(meta_str(item, "parent") == NULL);
    json_decref(item);

    /* A working copy of nothing is refused, and nothing is stored. */
    make_file(tmp_path("orphan.bin"), 3000, 7, sha);
    CHECK(add(&ctx, st, tmp_path("orphan.bin"), "ei-nosuchitem00", -1, none, &existed)
          == AT_ENOTFOUND);
    CHECK(vault_names(store_dir(st), NULL, NULL) == 2);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(vault_clearance_keeps_a_partner_out)
{
    struct at_ctx ctx = { 0 };
    struct session admin, partner;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char sha[65], secret[VAULT_ID_MAX], shared[VAULT_ID_MAX], id[VAULT_ID_MAX];
    json_t *items, *item = NULL;
    bool existed;
    int fd;

    REQUIRE(st != NULL);
    make_file(tmp_path("secret.bin"), 4000, 8, sha);
    make_file(tmp_path("shared.bin"), 4000, 9, sha);
    REQUIRE(add(&ctx, st, tmp_path("secret.bin"), NULL, -1, secret, &existed) == AT_OK);
    REQUIRE(add(&ctx, st, tmp_path("shared.bin"), NULL, CLEARANCE_PARTNER, shared, &existed) == AT_OK);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(keys_user_add(&ctx, st, &admin, "pat", ROLE_PARTNER, "FICTIONAL partner pass", &cheap)
            == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(keys_login(&ctx, st, "pat", "FICTIONAL partner pass", &partner) == AT_OK);
    store_set_session(st, &partner);

    /* Above the partner's clearance an item is answered as one that does
     * not exist, word for word. */
    CHECK(vault_item(&ctx, st, secret, &item) == AT_ENOTFOUND);
    char hidden[sizeof ctx.message];
    snprintf(hidden, sizeof hidden, "%s", ctx.message);
    CHECK(vault_item(&ctx, st, "ei-000000000000", &item) == AT_ENOTFOUND);
    CHECK(strcmp(hidden + strlen("no evidence item "), secret) == 0);
    CHECK(strncmp(ctx.message, hidden, strlen("no evidence item ")) == 0);
    CHECK(item == NULL);
    fd = open(tmp_path("out.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    CHECK(vault_get(&ctx, st, secret, fd) == AT_ENOTFOUND);
    CHECK(lseek(fd, 0, SEEK_END) == 0);
    CHECK(vault_get(&ctx, st, shared, fd) == AT_OK);
    CHECK(lseek(fd, 0, SEEK_END) == 4000);
    close(fd);
    REQUIRE(vault_list(&ctx, st, &items) == AT_OK);
    CHECK(json_array_size(items) == 1);
    CHECK_STR(meta_str(json_array_get(items, 0), "id"), shared);
    json_decref(items);
    CHECK(vault_custody(&ctx, st, secret, &items) == AT_ENOTFOUND);

    /* Nor may a partner add evidence. */
    make_file(tmp_path("partner.bin"), 100, 10, sha);
    CHECK(add(&ctx, st, tmp_path("partner.bin"), NULL, CLEARANCE_PARTNER, id, &existed)
          == AT_EDENIED);
    store_close(st);
    access_session_free(&admin);
    access_session_free(&partner);
}

/* The dot files (staging files) in the archive's vault directory. */
static int staging_count(const char *archive)
{
    char dir[400];
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(dir, sizeof dir, "%s/vault", archive);
    if ((d = opendir(dir)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* True if any file of the archive's vault holds needle. */
static bool vault_holds(const char *archive, const char *needle)
{
    char dir[400], path[700];
    struct dirent *e;
    DIR *d;
    bool found = false;

    snprintf(dir, sizeof dir, "%s/vault", archive);
    if ((d = opendir(dir)) == NULL)
        return false;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        found |= file_holds(path, needle);
    }
    closedir(d);
    return found;
}

UNIT_TEST(vault_upload_encrypts_as_it_receives)
{
    static const char marker[] = "FICTIONAL-MARKER-of-an-upload ";
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct vault_add a = { NULL, "clip.bin", "video/mp4", NULL, NULL, CLEARANCE_RESTRICTED, NULL };
    struct vault_upload *u = NULL, *dropped = NULL;
    size_t len = 3 * (1u << 20) + 1000, half = len / 2, n;
    char *plain = malloc(len), sha[65], id[VAULT_ID_MAX], id2[VAULT_ID_MAX], dead[500];
    uint8_t digest[32];
    bool existed = true;
    json_t *item;
    long removed = -1;
    int fd;

    REQUIRE(st != NULL);
    for (n = 0; n < len; n++)
        plain[n] = marker[n % (sizeof marker - 1)];
    crypto_hash_sha256(digest, (uint8_t *)plain, len);
    sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);

    /* Half received: only ciphertext in the vault, and the staging file
     * is neither reported nor swept while the upload goes on. */
    REQUIRE(vault_upload_begin(&ctx, st, &a, &u) == AT_OK);
    CHECK(vault_upload_write(&ctx, u, plain, half) == AT_OK);
    CHECK(staging_count(store_dir(st)) == 1);
    CHECK(!vault_holds(store_dir(st), "FICTIONAL-MARKER"));
    CHECK(vault_check_staging(&ctx, st) == AT_OK);
    CHECK(vault_sweep_staging(&ctx, st, &removed) == AT_OK && removed == 0);

    /* One left by a process that died: reported, then swept. */
    snprintf(dead, sizeof dead, "%s/vault/.incoming-dead00", store_dir(st));
    fd = open(dead, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    close(fd);
    CHECK(vault_check_staging(&ctx, st) == AT_ECORRUPT);
    CHECK(strstr(ctx.message, "vault/.incoming-dead00 is an unfinished upload") != NULL);
    CHECK(vault_sweep_staging(&ctx, st, &removed) == AT_OK && removed == 1);
    CHECK(access(dead, F_OK) != 0);
    CHECK(staging_count(store_dir(st)) == 1);
    CHECK(vault_check_staging(&ctx, st) == AT_OK);

    /* The rest, then stored: the same item as the same bytes added. */
    CHECK(vault_upload_write(&ctx, u, plain + half, len - half) == AT_OK);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(vault_upload_finish(&ctx, st, u, &a, id, &existed) == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    CHECK(!existed);
    vault_upload_free(u);
    CHECK(staging_count(store_dir(st)) == 0);
    CHECK(!vault_holds(store_dir(st), "FICTIONAL-MARKER"));
    REQUIRE(vault_item(&ctx, st, id, &item) == AT_OK);
    CHECK_STR(meta_str(item, "sha256"), sha);
    CHECK_STR(meta_str(item, "filename"), "clip.bin");
    CHECK(json_integer_value(json_object_get(item, "size")) == (json_int_t)len);
    json_decref(item);
    fd = open(tmp_path("clip.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(write(fd, plain, len) == (ssize_t)len);
    close(fd);
    CHECK(add(&ctx, st, tmp_path("clip.bin"), NULL, -1, id2, &existed) == AT_OK);
    CHECK(existed);
    CHECK_STR(id2, id);
    fd = open(tmp_path("back.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(vault_get(&ctx, st, id, fd) == AT_OK);
    close(fd);
    CHECK(file_holds(tmp_path("back.bin"), marker));

    /* An upload given up leaves nothing; one without a name is refused. */
    REQUIRE(vault_upload_begin(&ctx, st, &a, &dropped) == AT_OK);
    CHECK(vault_upload_write(&ctx, dropped, plain, 100) == AT_OK);
    vault_upload_free(dropped);
    CHECK(staging_count(store_dir(st)) == 0);
    a.filename = NULL;
    CHECK(vault_upload_begin(&ctx, st, &a, &dropped) == AT_EINVAL && dropped == NULL);
    CHECK(strstr(ctx.message, "filename") != NULL);
    CHECK(staging_count(store_dir(st)) == 0);
    free(plain);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(vault_upload_refused_before_anything_is_written)
{
    struct at_ctx ctx = { 0 };
    struct session admin, partner;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct vault_add a = { NULL, "f.bin", NULL, NULL, NULL, CLEARANCE_PARTNER, NULL };
    struct vault_upload *u = NULL;

    REQUIRE(st != NULL);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(keys_user_add(&ctx, st, &admin, "pat", ROLE_PARTNER, "FICTIONAL partner pass", &cheap)
            == AT_OK);
    REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    REQUIRE(keys_login(&ctx, st, "pat", "FICTIONAL partner pass", &partner) == AT_OK);
    store_set_session(st, &partner);
    CHECK(vault_upload_begin(&ctx, st, &a, &u) == AT_EDENIED && u == NULL);
    store_set_session(st, NULL);
    CHECK(vault_upload_begin(&ctx, st, &a, &u) == AT_EDENIED && u == NULL);
    store_set_session(st, &admin);
    a.link = "iv-000000000000";
    CHECK(vault_upload_begin(&ctx, st, &a, &u) != AT_OK && u == NULL);
    CHECK(staging_count(store_dir(st)) == 0);
    store_close(st);
    access_session_free(&admin);
    access_session_free(&partner);
}

static void remember_name(const char *name, void *arg)
{
    snprintf(arg, 65, "%s", name);
}

/* Reads all a reader gives, in pieces of 100000 bytes, into a new buffer;
 * *len its length; *rc the last vault_read result (0 or -1). */
static char *read_all(struct at_ctx *ctx, struct vault_reader *r, size_t *len, ssize_t *rc)
{
    size_t cap = 8u << 20;
    char *p = malloc(cap);

    *len = 0;
    while ((*rc = vault_read(ctx, r, p + *len, cap - *len < 100000 ? cap - *len : 100000)) > 0)
        *len += (size_t)*rc;
    return p;
}

UNIT_TEST(vault_reader_gives_out_only_what_is_checked)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    size_t len = 3 * (1u << 20) + 1000, got_len;
    char sha[65], id[VAULT_ID_MAX], name[65] = "", path[600];
    struct vault_reader *r;
    uint64_t size = 0;
    bool existed;
    ssize_t last;
    size_t plain_len;
    char *plain, *got;
    int fd;

    REQUIRE(st != NULL);
    make_file(tmp_path("long.bin"), len, 21, sha);
    plain = slurp(tmp_path("long.bin"), &plain_len);
    REQUIRE(add(&ctx, st, tmp_path("long.bin"), NULL, -1, id, &existed) == AT_OK);

    REQUIRE(vault_open(&ctx, st, id, &r, &size) == AT_OK);
    CHECK(size == len);
    got = read_all(&ctx, r, &got_len, &last);
    CHECK(last == 0 && got_len == len && memcmp(got, plain, len) == 0);
    CHECK(vault_read(&ctx, r, got, 10) == 0);
    vault_close(r);
    free(got);

    /* The final chunk altered: the chunk before it is held back too. */
    vault_names(store_dir(st), remember_name, name);
    snprintf(path, sizeof path, "%s/vault/%s", store_dir(st), name);
    CHECK(chmod(path, 0600) == 0);
    fd = open(path, O_RDWR);
    REQUIRE(fd >= 0);
    /* Flip a bit of the last byte: writing a fixed byte would leave the
     * file unchanged whenever its last byte happened to be that one (one
     * run in 256, since each file has its own key). */
    {
        off_t end = lseek(fd, 0, SEEK_END);
        unsigned char last_byte;
        CHECK(pread(fd, &last_byte, 1, end - 1) == 1);
        last_byte ^= 1;
        CHECK(pwrite(fd, &last_byte, 1, end - 1) == 1);
    }
    close(fd);
    REQUIRE(vault_open(&ctx, st, id, &r, &size) == AT_OK);
    got = read_all(&ctx, r, &got_len, &last);
    CHECK(last == -1 && got_len == 2u << 20 && memcmp(got, plain, got_len) == 0);
    CHECK(strstr(ctx.message, "chunk 4 of vault file") != NULL);
    CHECK(strstr(ctx.message, "fails authentication") != NULL);
    vault_close(r);
    free(got);

    /* Not for a user without the right. */
    store_set_session(st, NULL);
    CHECK(vault_open(&ctx, st, id, &r, &size) == AT_EDENIED && r == NULL);
    free(plain);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(vault_custody_keeps_its_order)
{
    static const char *const actions[] = { "received", "copied", "examined", "handed_over" };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char sha[65], id[VAULT_ID_MAX];
    json_t *events, *ev;
    bool existed;

    REQUIRE(st != NULL);
    make_file(tmp_path("item.bin"), 2000, 11, sha);
    REQUIRE(add(&ctx, st, tmp_path("item.bin"), NULL, -1, id, &existed) == AT_OK);
    for (size_t i = 0; i < ARRAY_LEN(actions); i++) {
        struct custody_event e = { actions[i], "FICTIONAL field team", "FICTIONAL archive",
                                   "hand delivery", NULL, "FICTIONAL" };
        REQUIRE(store_begin(&ctx, st) == AT_OK);
        CHECK(vault_custody_add(&ctx, st, id, &e) == AT_OK);
        REQUIRE(evlog_commit(&ctx, st) == AT_OK);
    }
    REQUIRE(vault_custody(&ctx, st, id, &events) == AT_OK);
    REQUIRE(json_array_size(events) == 1 + ARRAY_LEN(actions));
    CHECK_STR(meta_str(json_array_get(events, 0), "action"), "added to the vault");
    for (size_t i = 0; i < ARRAY_LEN(actions); i++) {
        ev = json_array_get(events, i + 1);
        CHECK_STR(meta_str(ev, "action"), actions[i]);
        CHECK_STR(meta_str(ev, "from"), "FICTIONAL field team");
        CHECK_STR(meta_str(ev, "recorded_by"), "admin");
        CHECK(meta_str(ev, "at") != NULL);
    }
    json_decref(events);

    /* An event needs an action and an item that exists. */
    struct custody_event bad = { NULL, NULL, NULL, NULL, NULL, NULL };
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    CHECK(vault_custody_add(&ctx, st, id, &bad) == AT_EINVAL);
    bad.action = "copied";
    CHECK(vault_custody_add(&ctx, st, "ei-nosuchitem00", &bad) == AT_ENOTFOUND);
    store_rollback(st);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(vault_verify_all_reads_every_file)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char sha[65], id[VAULT_ID_MAX];
    uint64_t files, bytes;
    bool existed, checked;

    REQUIRE(st != NULL);
    make_file(tmp_path("one.bin"), 1000, 12, sha);
    make_file(tmp_path("two.bin"), 2345, 13, sha);
    REQUIRE(add(&ctx, st, tmp_path("one.bin"), NULL, -1, id, &existed) == AT_OK);
    REQUIRE(add(&ctx, st, tmp_path("two.bin"), NULL, -1, id, &existed) == AT_OK);
    CHECK(vault_verify_all(&ctx, st, &files, &bytes, &checked) == AT_OK);
    CHECK(checked && files == 2 && bytes == 3345);
    /* Without a key, nothing is checked (and nothing fails). */
    store_set_session(st, NULL);
    CHECK(vault_verify_all(&ctx, st, &files, &bytes, &checked) == AT_OK);
    CHECK(!checked && files == 0);
    store_close(st);
    access_session_free(&admin);
}
