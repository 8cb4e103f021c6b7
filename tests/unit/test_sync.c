/*
 * test_sync.c: key lines round-trip through peers add; a line that is not
 * one, an archive's own line and a second name for one archive are
 * refused; marks grow and are checked; two archives that change one
 * record at once keep both versions, list the conflict and show the same
 * current version; a version based on both heads ends it.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/record.h"
#include "../../src/core/sync.h"
#include "fixture.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int pin(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char **a = arg;

    return sync_peer_add(ctx, st, a[0], a[1], a[2]);
}

static int amend(struct at_ctx *ctx, struct store *st, void *arg)
{
    const char **a = arg;
    struct record_write w = RECORD_WRITE_INIT;
    json_t *changes = json_pack("{s:s}", "title", a[1]);
    int rc;

    w.reason = "FICTIONAL change";
    rc = record_amend(ctx, st, a[0], changes, &w);
    json_decref(changes);
    return rc;
}

/* A pack from one archive to another, through a file. */
static int send(struct at_ctx *ctx, struct store *from, const char *peer, struct store *to)
{
    char path[512];
    int fd, rc;

    snprintf(path, sizeof path, "%s/pack", unit_tmpdir());
    if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
        return AT_ERR;
    if ((rc = sync_export(ctx, from, peer, NULL, fd, NULL)) == AT_OK) {
        lseek(fd, 0, SEEK_SET);
        rc = sync_import(ctx, to, fd, NULL);
    }
    close(fd);
    return rc;
}

UNIT_TEST(sync_key_lines_and_peers)
{
    struct at_ctx ctx = { 0 };
    struct session sa, sb;
    struct store *a = unit_archive(&ctx, "a", &sa), *b = unit_archive(&ctx, "b", &sb);
    struct buf la = BUF_INIT, lb = BUF_INIT, mark = BUF_INIT;
    json_t *peers = NULL;

    REQUIRE(a && b);
    CHECK(sync_key_line(&ctx, a, &la) == AT_OK);
    CHECK(sync_key_line(&ctx, b, &lb) == AT_OK);
    CHECK(strncmp(buf_str(&la), "attest-peer 1 ", 14) == 0);
    CHECK(evlog_write(&ctx, a, pin, (const char *[]){ "b", buf_str(&lb), "team" }) == AT_OK);
    CHECK(evlog_write(&ctx, a, pin, (const char *[]){ "self", buf_str(&la), "team" }) == AT_EINVAL);
    CHECK(evlog_write(&ctx, a, pin, (const char *[]){ "b2", buf_str(&lb), "team" }) == AT_ECONFLICT);
    CHECK(evlog_write(&ctx, a, pin, (const char *[]){ "c", "attest-peer 2 x y z", "team" }) == AT_EINVAL);
    CHECK(evlog_write(&ctx, a, pin, (const char *[]){ "C D", buf_str(&lb), "team" }) == AT_EINVAL);
    CHECK(sync_peer_list(&ctx, a, &peers) == AT_OK);
    CHECK(json_array_size(peers) == 1);
    CHECK(sync_peer_mark(&ctx, a, "b", &mark) == AT_ENOTFOUND);
    CHECK(sync_peer_mark_set(&ctx, a, "b", "{\"0123456789abcdef0123456789abcdef\":5}") == AT_OK);
    CHECK(sync_peer_mark_set(&ctx, a, "b", "{\"0123456789abcdef0123456789abcdef\":3}") == AT_OK);
    buf_reset(&mark);
    CHECK(sync_peer_mark(&ctx, a, "b", &mark) == AT_OK);
    CHECK(strstr(buf_str(&mark), ":5") != NULL); /* a mark only grows */
    CHECK(sync_peer_mark_set(&ctx, a, "b", "[1]") == AT_EINVAL);
    json_decref(peers);
    buf_free(&la);
    buf_free(&lb);
    buf_free(&mark);
    store_close(a);
    store_close(b);
    access_session_free(&sa);
    access_session_free(&sb);
}

UNIT_TEST(sync_concurrent_edits_converge)
{
    struct at_ctx ctx = { 0 };
    struct unit_peers p;
    int opened = unit_peers_open(&ctx, &p, "ca", "cb");
    struct store *a = p.a, *b = p.b;
    json_t *conflicts = NULL, *ca = NULL, *cb = NULL;
    char id[RECORD_ID_MAX];

    REQUIRE(opened == AT_OK);
    REQUIRE(unit_add(&ctx, a, "event", "{\"title\": \"FICTIONAL event\"}", -1, id) == AT_OK);
    CHECK(send(&ctx, a, "b", b) == AT_OK);
    CHECK(evlog_write(&ctx, a, amend, (const char *[]){ id, "FICTIONAL from a" }) == AT_OK);
    CHECK(evlog_write(&ctx, b, amend, (const char *[]){ id, "FICTIONAL from b" }) == AT_OK);
    CHECK(send(&ctx, a, "b", b) == AT_OK);
    CHECK(send(&ctx, b, "a", a) == AT_OK);
    CHECK(sync_conflicts(&ctx, a, &conflicts) == AT_OK);
    CHECK(json_array_size(conflicts) == 1);
    CHECK(json_array_size(json_object_get(json_array_get(conflicts, 0), "heads")) == 2);
    CHECK(record_get(&ctx, a, id, 0, &ca) == AT_OK && record_get(&ctx, b, id, 0, &cb) == AT_OK);
    CHECK(ca && cb && json_equal(json_object_get(ca, "data"), json_object_get(cb, "data")));
    CHECK(record_check_current(&ctx, a) == AT_OK && record_check_current(&ctx, b) == AT_OK);
    /* An amend bases the new version on both heads: the conflict ends. */
    CHECK(evlog_write(&ctx, a, amend, (const char *[]){ id, "FICTIONAL merged" }) == AT_OK);
    CHECK(send(&ctx, a, "b", b) == AT_OK);
    json_decref(conflicts);
    CHECK(sync_conflicts(&ctx, b, &conflicts) == AT_OK);
    CHECK(json_array_size(conflicts) == 0);
    json_decref(conflicts);
    json_decref(ca);
    json_decref(cb);
    unit_peers_close(&p);
}
