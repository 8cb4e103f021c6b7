/*
 * test_sync_net.c: the network client's checks before anything is sent
 * (a server's address: https, or http only to this machine; a token of
 * the characters tokens have), what waits in the outbox and the inbox, and
 * a refused connection named in the message with nothing imported.  The
 * exchanges with a real server are in tests/http/test_sync.sh.
 */
#include "../../src/core/attest.h"
#include "../../src/core/sync_net.h"
#include "fixture.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

UNIT_TEST(sync_net_checks_the_address_and_the_token)
{
    struct at_ctx ctx = { 0 };
    struct sync_net n = { 0 };

    CHECK(sync_net_url_check(&ctx, "https://archive.example.org:8443") == AT_OK);
    CHECK(sync_net_url_check(&ctx, "http://127.0.0.1:8080") == AT_OK);
    CHECK(sync_net_url_check(&ctx, "http://localhost:8080/") == AT_OK);
    CHECK(sync_net_url_check(&ctx, "http://archive.example.org") == AT_EINVAL);
    CHECK(strstr(ctx.message, "plain http") != NULL);
    CHECK(sync_net_url_check(&ctx, "ftp://archive.example.org") == AT_EINVAL);
    CHECK(strstr(ctx.message, "https://") != NULL);
    CHECK(sync_net_url_check(&ctx, "not an address") == AT_EINVAL);
    CHECK(sync_net_url_check(&ctx, NULL) == AT_EINVAL);

    n.url = "https://archive.example.org";
    CHECK(sync_net_open(&ctx, &n, "") == AT_EINVAL);
    CHECK(strncmp(ctx.message, "token:", 6) == 0);
    CHECK(sync_net_open(&ctx, &n, "two words") == AT_EINVAL);
    CHECK(sync_net_open(&ctx, &n, "abc\r\nX-Injected: 1") == AT_EINVAL);
    REQUIRE(sync_net_open(&ctx, &n, "FICTIONAL-token_0.9\n") == AT_OK);
    CHECK_STR(n.auth, "Authorization: Bearer FICTIONAL-token_0.9");
    CHECK(n.chunk_size == SYNC_NET_CHUNK_MAX);
    sync_net_close(&n);
    CHECK(n.auth[0] == '\0');
}

UNIT_TEST(sync_net_tells_what_waits_and_names_a_refused_connection)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct sync_net n = { .url = "http://127.0.0.1:1", .peer = "centre" };
    struct sync_stats stats = { 0 };
    char path[1024];
    json_t *w;
    int fd;

    REQUIRE(st != NULL);
    w = sync_net_waiting(st, "centre");
    CHECK(json_is_null(json_object_get(w, "outbox")) && json_is_null(json_object_get(w, "inbox")));
    json_decref(w);

    snprintf(path, sizeof path, "%s/sync-outbox", store_dir(st));
    REQUIRE(mkdir(path, 0700) == 0);
    snprintf(path, sizeof path, "%s/sync-outbox/centre.pack", store_dir(st));
    REQUIRE((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
    REQUIRE(write(fd, "FICTIONAL", 9) == 9);
    close(fd);
    w = sync_net_waiting(st, "centre");
    CHECK(json_integer_value(json_object_get(json_object_get(w, "outbox"), "bytes")) == 9);
    CHECK(json_is_false(json_object_get(json_object_get(w, "outbox"), "upload")));
    json_decref(w);

    /* Nothing listens on port 1: the message names the address; nothing
     * is imported and nothing waits in the inbox. */
    REQUIRE(sync_net_open(&ctx, &n, "FICTIONAL-token") == AT_OK);
    CHECK(sync_net_pull(&ctx, st, &n, NULL, &stats) == AT_ERR);
    CHECK(strstr(ctx.message, "127.0.0.1") != NULL);
    CHECK(!n.done && stats.versions == 0);
    w = sync_net_waiting(st, "centre");
    CHECK(json_is_null(json_object_get(w, "inbox")));
    json_decref(w);
    sync_net_close(&n);
    store_close(st);
}
