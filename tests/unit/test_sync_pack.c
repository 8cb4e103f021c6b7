/*
 * test_sync_pack.c: a pack is for one archive and one sender: another
 * archive cannot read it, a changed byte or a missing end is refused
 * before anything is applied, and importing it twice changes nothing.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/sync.h"
#include "fixture.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
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
    rc = sync_import(ctx, st, out, NULL);
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
    CHECK(strstr(ctx.message, "signature does not verify") != NULL);
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
