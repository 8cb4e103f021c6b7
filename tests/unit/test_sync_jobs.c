/*
 * test_sync_jobs.c: sync jobs kept in the archive: a job saved reads back
 * as it was saved (its counts, notes, result, who started it); a peer's
 * ended jobs are pruned to SYNC_JOBS_KEPT, newest kept, a running one
 * never; a job left running when the server stopped becomes interrupted,
 * its error saying what waits to be resumed; an end set aside while the
 * write lock kept it out is sealed and saved at the next start; progress
 * is saved at once or not at all.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/sync.h"
#include "../../src/core/sync_jobs.h"
#include "fixture.h"
#include "unit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int pin(struct at_ctx *ctx, struct store *st, void *arg)
{
    return sync_peer_add(ctx, st, "centre", arg, "team");
}

/* Pins, in st, a new archive (dir name) as the peer "centre". */
static int pin_centre(struct at_ctx *ctx, struct store *st, const char *name)
{
    struct session other;
    struct store *centre = unit_archive(ctx, name, &other);
    struct buf line = BUF_INIT;
    int rc = centre ? sync_key_line(ctx, centre, &line) : AT_ERR;

    if (rc == AT_OK)
        rc = evlog_write(ctx, st, pin, (void *)buf_str(&line));
    buf_free(&line);
    if (centre)
        store_close(centre);
    return rc;
}

static json_t *job(const char *id, const char *peer, const char *kind, const char *state,
                   const char *started_at)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:n, s:{s:i, s:i, s:i}, "
                          "s:{s:i, s:i}, s:[s], s:n, s:n, s:s, s:s}",
                          "id", id, "peer", peer, "kind", kind, "state", state, "stage", "uploading",
                          "done", 1024, "total", 4096, "resumed_at",
                          "packed", "versions", 3, "items", 1, "files", 1,
                          "versions", "done", 2, "total", 5,
                          "notes", "FICTIONAL note", "result", "error",
                          "started_by", "admin", "started_at", started_at);

    if (strcmp(state, "running") != 0)
        json_object_set_new(j, "ended_at", json_string(started_at));
    return j;
}

UNIT_TEST(sync_jobs_read_back_as_saved)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "jobs", &admin);
    json_t *saved, *got = NULL, *list = NULL;

    REQUIRE(st != NULL);
    REQUIRE(pin_centre(&ctx, st, "jobs-centre") == AT_OK);
    saved = job("a1", "centre", "push", "running", "2026-01-01T00:00:00Z");
    json_object_set_new(saved, "resumed_at", json_integer(512));
    CHECK(sync_jobs_save(&ctx, st, saved) == AT_OK);
    CHECK(sync_jobs_get(&ctx, st, "centre", "a1", &got) == AT_OK);
    CHECK(json_equal(saved, got));
    json_decref(got);
    /* Its end replaces the row. */
    json_object_set_new(saved, "state", json_string("done"));
    json_object_set_new(saved, "ended_at", json_string("2026-01-01T00:05:00Z"));
    json_object_set_new(saved, "result", json_pack("{s:b}", "done", 1));
    CHECK(sync_jobs_save(&ctx, st, saved) == AT_OK);
    CHECK(sync_jobs_get(&ctx, st, "centre", "a1", &got) == AT_OK);
    CHECK(json_equal(saved, got));
    CHECK(sync_jobs_list(&ctx, st, "centre", &list) == AT_OK && json_array_size(list) == 1);
    json_decref(got);
    json_decref(list);
    CHECK(sync_jobs_get(&ctx, st, "laptop", "a1", &got) == AT_ENOTFOUND && got == NULL);
    json_decref(saved);
    saved = json_pack("{s:s}", "peer", "centre");
    CHECK(sync_jobs_save(&ctx, st, saved) == AT_EINVAL);
    json_decref(saved);
    store_close(st);
}

UNIT_TEST(sync_jobs_keep_a_peers_newest_ended_jobs)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "jobs-prune", &admin);
    json_t *j, *list = NULL, *got = NULL;
    char id[16], at[21];

    REQUIRE(st != NULL);
    REQUIRE(pin_centre(&ctx, st, "jobs-prune-centre") == AT_OK);
    j = job("run", "centre", "pull", "running", "2025-12-31T00:00:00Z");
    CHECK(sync_jobs_save(&ctx, st, j) == AT_OK);
    json_decref(j);
    j = job("other", "partner", "push", "failed", "2025-12-31T00:00:00Z");
    CHECK(sync_jobs_save(&ctx, st, j) == AT_OK);
    json_decref(j);
    for (int i = 0; i < SYNC_JOBS_KEPT + 5; i++) {
        snprintf(id, sizeof id, "j%02d", i);
        snprintf(at, sizeof at, "2026-01-01T00:%02d:00Z", i);
        j = job(id, "centre", "push", "done", at);
        CHECK(sync_jobs_save(&ctx, st, j) == AT_OK);
        json_decref(j);
    }
    CHECK(sync_jobs_list(&ctx, st, "centre", &list) == AT_OK);
    CHECK(json_array_size(list) == SYNC_JOBS_KEPT + 1);   /* and the running one */
    snprintf(id, sizeof id, "j%02d", SYNC_JOBS_KEPT + 4);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "id")), id);
    json_decref(list);
    CHECK(sync_jobs_get(&ctx, st, "centre", "j04", &got) == AT_ENOTFOUND);
    CHECK(sync_jobs_get(&ctx, st, "centre", "j05", &got) == AT_OK);
    json_decref(got);
    CHECK(sync_jobs_get(&ctx, st, "centre", "run", &got) == AT_OK);
    json_decref(got);
    CHECK(sync_jobs_get(&ctx, st, "partner", "other", &got) == AT_OK);
    json_decref(got);
    store_close(st);
}

UNIT_TEST(sync_jobs_running_at_a_stop_are_interrupted_with_what_to_do)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "jobs-stop", &admin);
    json_t *j, *got = NULL;
    char path[600];
    long count = -1;
    FILE *f;

    REQUIRE(st != NULL);
    j = job("push1", "centre", "push", "running", "2026-01-01T00:00:00Z");
    CHECK(sync_jobs_save(&ctx, st, j) == AT_OK);
    json_decref(j);
    j = job("pull1", "laptop", "pull", "running", "2026-01-01T00:00:00Z");
    CHECK(sync_jobs_save(&ctx, st, j) == AT_OK);
    json_decref(j);
    j = job("done1", "laptop", "pull", "done", "2025-01-01T00:00:00Z");
    CHECK(sync_jobs_save(&ctx, st, j) == AT_OK);
    json_decref(j);
    /* The push left its pack in the outbox. */
    snprintf(path, sizeof path, "%s/sync-outbox", store_dir(st));
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sync-outbox/centre.pack", store_dir(st));
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("FICTIONAL pack bytes", f);
    fclose(f);
    CHECK(sync_jobs_interrupted(&ctx, st, &count) == AT_OK && count == 2);
    CHECK(sync_jobs_get(&ctx, st, "centre", "push1", &got) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(got, "state")), "interrupted");
    CHECK(json_object_get(got, "ended_at") != NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(got, "error"), "code")), "interrupted");
    CHECK(strstr(json_string_value(json_object_get(json_object_get(got, "error"), "message")),
                 "20 bytes) waits in the outbox; push again") != NULL);
    json_decref(got);
    CHECK(sync_jobs_get(&ctx, st, "laptop", "pull1", &got) == AT_OK);
    CHECK(strstr(json_string_value(json_object_get(json_object_get(got, "error"), "message")),
                 "pull again") != NULL);
    json_decref(got);
    CHECK(sync_jobs_get(&ctx, st, "laptop", "done1", &got) == AT_OK);
    CHECK_STR(json_string_value(json_object_get(got, "state")), "done");
    json_decref(got);
    CHECK(sync_jobs_interrupted(&ctx, st, &count) == AT_OK && count == 0);
    store_close(st);
}

/* The bytes of the file at path, or "" (the caller frees). */
static char *file_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text = xcalloc(1, 4096);

    *len = f ? fread(text, 1, 4095, f) : 0;
    if (f)
        fclose(f);
    return text;
}

UNIT_TEST(sync_jobs_end_set_aside_is_sealed_and_saved_at_the_next_start)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "jobs-aside", &admin);
    json_t *running, *ended, *got = NULL;
    char path[600], *text;
    size_t len;
    long count = -1;
    FILE *f;

    REQUIRE(st != NULL);
    running = job("ab01", "centre", "push", "running", "2026-01-01T00:00:00Z");
    CHECK(sync_jobs_save(&ctx, st, running) == AT_OK);
    ended = job("ab01", "centre", "push", "failed", "2026-01-01T00:00:00Z");
    json_object_set_new(ended, "error", json_pack("{s:i, s:s, s:s}", "status", 502, "code",
                                                  "unavailable", "message", "FICTIONAL relay down"));
    CHECK(sync_jobs_set_aside(&ctx, st, ended) == AT_OK);
    snprintf(path, sizeof path, "%s/" SYNC_JOBS_ENDS_DIR "/ab01.end", store_dir(st));
    text = file_text(path, &len);
    CHECK(len > 0 && memmem(text, len, "centre", 6) == NULL && memmem(text, len, "FICTIONAL", 9) == NULL
          && memmem(text, len, "admin", 5) == NULL);
    free(text);
    /* A second one, damaged: reported by its file, the first saved all the same. */
    snprintf(path, sizeof path, "%s/" SYNC_JOBS_ENDS_DIR "/ab02.end", store_dir(st));
    REQUIRE((f = fopen(path, "w")) != NULL);
    fputs("FICTIONAL damaged end, longer than a nonce and a tag", f);
    fclose(f);
    CHECK(sync_jobs_restore_set_aside(&ctx, st, &count) == AT_ECORRUPT && count == 1);
    CHECK(strstr(ctx.message, "ab02.end: damaged") != NULL);
    CHECK(sync_jobs_get(&ctx, st, "centre", "ab01", &got) == AT_OK);
    CHECK(json_equal(got, ended));
    json_decref(got);
    snprintf(path, sizeof path, "%s/" SYNC_JOBS_ENDS_DIR "/ab01.end", store_dir(st));
    CHECK(access(path, F_OK) != 0);
    /* An end saved the ordinary way removes what was set aside for it. */
    json_object_set_new(ended, "id", json_string("ab03"));
    CHECK(sync_jobs_set_aside(&ctx, st, ended) == AT_OK);
    snprintf(path, sizeof path, "%s/" SYNC_JOBS_ENDS_DIR "/ab03.end", store_dir(st));
    CHECK(access(path, F_OK) == 0);
    CHECK(sync_jobs_save(&ctx, st, ended) == AT_OK);
    CHECK(access(path, F_OK) != 0);
    /* An id that would name another file is refused. */
    json_object_set_new(ended, "id", json_string("../ab04"));
    CHECK(sync_jobs_set_aside(&ctx, st, ended) == AT_EINVAL);
    json_decref(running);
    json_decref(ended);
    store_close(st);
}

UNIT_TEST(sync_jobs_progress_is_saved_at_once_or_not_at_all)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "jobs-now", &admin), *other = NULL;
    uint8_t page_key[STORE_KEY_BYTES];
    struct timespec t0, t1;
    json_t *j = job("ac01", "centre", "push", "running", "2026-01-01T00:00:00Z"), *got = NULL;

    REQUIRE(st != NULL);
    store_page_key(admin.master, page_key);
    REQUIRE(store_open(&ctx, store_dir(st), page_key, &other) == AT_OK);
    REQUIRE(store_begin(&ctx, other) == AT_OK);   /* another holds the write lock */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(sync_jobs_save_now(&ctx, st, j) != AT_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(t1.tv_sec - t0.tv_sec < 2);   /* not STORE_LOCK_WAIT_MS */
    store_rollback(other);
    CHECK(sync_jobs_get(&ctx, st, "centre", "ac01", &got) == AT_ENOTFOUND);
    CHECK(sync_jobs_save_now(&ctx, st, j) == AT_OK);
    CHECK(sync_jobs_get(&ctx, st, "centre", "ac01", &got) == AT_OK && json_equal(got, j));
    json_decref(got);
    json_decref(j);
    sodium_memzero(page_key, sizeof page_key);
    store_close(other);
    store_close(st);
}
