/*
 * sync_jobs.c: the server's sync jobs kept in table sync_job; see
 * sync_jobs.h.  The JSON columns (counts, notes, result, error) hold the
 * job's parts as the API shows them.
 */
#include "attest.h"
#include "sync_jobs.h"
#include "canonical.h"
#include "sync_int.h"
#include "sync_net.h"
#include "vocab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const sync_jobs_counts[] = { "packed", "versions", NULL };

#define JOB_COLUMNS \
    "id, peer, kind, state, stage, done, total, resumed_at, counts, notes, result, error, " \
    "started_by, started_at, ended_at"

/* A JSON value as text for a column, or NULL for null or missing; the
 * caller frees. */
static char *json_text(const json_t *v)
{
    return v == NULL || json_is_null(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, i);
}

static int save_row(struct at_ctx *ctx, struct store *st, const json_t *job)
{
    static const char *const sql =
        "INSERT OR REPLACE INTO sync_job (" JOB_COLUMNS ") "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    static const char *const prune =
        "DELETE FROM sync_job WHERE peer = ?1 AND state <> 'running' AND id NOT IN "
        "(SELECT id FROM sync_job WHERE peer = ?1 AND state <> 'running' "
        " ORDER BY ended_at DESC, rowid DESC LIMIT ?2)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *counts = json_object(), *resumed = json_object_get(job, "resumed_at");
    char *texts[5];
    const char *peer = json_string_value(json_object_get(job, "peer"));
    const char *state = json_string_value(json_object_get(job, "state"));
    int rc = AT_OK;

    if (stmt == NULL) {
        json_decref(counts);
        return AT_ERR;
    }
    for (size_t i = 0; sync_jobs_counts[i]; i++)
        if (json_object_get(job, sync_jobs_counts[i]))
            json_object_set(counts, sync_jobs_counts[i], json_object_get(job, sync_jobs_counts[i]));
    texts[0] = json_text(counts);
    texts[1] = json_text(json_object_get(job, "notes"));
    texts[2] = json_text(json_object_get(job, "result"));
    texts[3] = json_text(json_object_get(job, "error"));
    texts[4] = NULL;
    bind_text(stmt, 1, json_string_value(json_object_get(job, "id")));
    bind_text(stmt, 2, peer);
    bind_text(stmt, 3, json_string_value(json_object_get(job, "kind")));
    bind_text(stmt, 4, state);
    bind_text(stmt, 5, json_string_value(json_object_get(job, "stage")));
    sqlite3_bind_int64(stmt, 6, json_integer_value(json_object_get(job, "done")));
    sqlite3_bind_int64(stmt, 7, json_integer_value(json_object_get(job, "total")));
    if (json_is_integer(resumed))
        sqlite3_bind_int64(stmt, 8, json_integer_value(resumed));
    bind_text(stmt, 9, texts[0]);
    bind_text(stmt, 10, texts[1] ? texts[1] : "[]");
    bind_text(stmt, 11, texts[2]);
    bind_text(stmt, 12, texts[3]);
    bind_text(stmt, 13, json_string_value(json_object_get(job, "started_by")));
    bind_text(stmt, 14, json_string_value(json_object_get(job, "started_at")));
    bind_text(stmt, 15, json_string_value(json_object_get(job, "ended_at")));
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_error(ctx, st, "saving a sync job");
    for (size_t i = 0; i < 4; i++)
        free(texts[i]);
    json_decref(counts);
    if (rc == AT_OK && state && strcmp(state, "running") != 0) {
        if ((stmt = store_stmt(ctx, st, prune)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, SYNC_JOBS_KEPT);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            rc = store_error(ctx, st, "pruning old sync jobs");
    }
    return rc;
}

/* dir/sync-jobs/ID.end: where the end of job ID waits while the archive's
 * write lock keeps it out; the id checked first (it names a file). */
static int end_path(struct at_ctx *ctx, struct store *st, const char *id, struct buf *out)
{
    size_t len = id ? strlen(id) : 0;

    if (len == 0 || len > 64 || strspn(id, "0123456789abcdef") != len)
        return ctx_error(ctx, AT_EINVAL, "sync job id \"%s\": 1 to 64 characters of 0-9 and a-f",
                         id ? id : "");
    buf_printf(out, "%s/" SYNC_JOBS_ENDS_DIR "/%s.end", store_dir(st), id);
    return AT_OK;
}

/* Saves job; wait: for the write lock, as long as any write does. */
static int save(struct at_ctx *ctx, struct store *st, const json_t *job, bool wait)
{
    const char *id = json_string_value(json_object_get(job, "id"));
    const char *state = json_string_value(json_object_get(job, "state"));
    int rc;

    if (id == NULL || json_string_value(json_object_get(job, "peer")) == NULL || state == NULL)
        return ctx_error(ctx, AT_EINVAL, "a sync job needs an id, a peer and a state");
    if ((rc = wait ? store_begin(ctx, st) : store_begin_now(ctx, st)) != AT_OK)
        return rc;
    if ((rc = save_row(ctx, st, job)) == AT_OK)
        rc = store_commit(ctx, st);
    if (rc != AT_OK) {
        store_rollback(st);
    } else if (strcmp(state, "running") != 0) {
        struct buf path = BUF_INIT;

        if (end_path(ctx, st, id, &path) == AT_OK)
            unlink(buf_str(&path));   /* an end set aside is kept now */
        buf_free(&path);
    }
    return rc;
}

int sync_jobs_save(struct at_ctx *ctx, struct store *st, const json_t *job)
{
    return save(ctx, st, job, true);
}

int sync_jobs_save_now(struct at_ctx *ctx, struct store *st, const json_t *job)
{
    return save(ctx, st, job, false);
}

/* The key that seals ends set aside, from the master key. */
static int end_key(struct at_ctx *ctx, struct store *st, uint8_t key[crypto_secretbox_KEYBYTES])
{
    const struct session *s = store_session(st);

    if (s == NULL || sodium_is_zero(s->master, sizeof s->master))
        return ctx_error(ctx, AT_EDENIED, "a sync job's end is sealed under the archive's master "
                         "key: log in as a user who holds it");
    crypto_kdf_derive_from_key(key, crypto_secretbox_KEYBYTES, 1, "syncjob_", s->master);
    return AT_OK;
}

int sync_jobs_set_aside(struct at_ctx *ctx, struct store *st, const json_t *job)
{
    struct buf path = BUF_INIT, tmp = BUF_INIT, dir = BUF_INIT;
    uint8_t key[crypto_secretbox_KEYBYTES];
    char *text = NULL;
    unsigned char *sealed = NULL;
    size_t len = 0;
    int fd = -1, rc;

    if ((rc = end_path(ctx, st, json_string_value(json_object_get(job, "id")), &path)) != AT_OK
        || (rc = end_key(ctx, st, key)) != AT_OK)
        goto out;
    buf_printf(&dir, "%s/" SYNC_JOBS_ENDS_DIR, store_dir(st));
    if (mkdir(buf_str(&dir), 0700) != 0 && errno != EEXIST) {
        rc = ctx_error(ctx, AT_ERR, "cannot make %s: %s", buf_str(&dir), strerror(errno));
        goto out;
    }
    text = json_dumps(job, JSON_COMPACT);
    len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + strlen(text);
    sealed = xmalloc(len);
    randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, (const unsigned char *)text,
                          strlen(text), sealed, key);
    /* Whole or not at all: written beside it, then renamed over it. */
    buf_printf(&tmp, "%s.tmp", buf_str(&path));
    if ((fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0
        || write(fd, sealed, len) != (ssize_t)len || fsync(fd) != 0
        || rename(buf_str(&tmp), buf_str(&path)) != 0) {
        rc = ctx_error(ctx, AT_ERR, "cannot write %s: %s", buf_str(&path), strerror(errno));
        unlink(buf_str(&tmp));
    }
out:
    if (fd >= 0)
        close(fd);
    if (text)
        sodium_memzero(text, strlen(text));
    free(text);
    free(sealed);
    sodium_memzero(key, sizeof key);
    buf_free(&path);
    buf_free(&tmp);
    buf_free(&dir);
    return rc;
}

/* The whole file at path into out; -1 with errno set when it cannot be read. */
static int read_whole(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    int failed;

    if (f == NULL)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    failed = ferror(f);
    fclose(f);
    return failed ? -1 : 0;
}

/* The end set aside in the file at path, saved (which removes the file). */
static int save_set_aside(struct at_ctx *ctx, struct store *st, const char *path,
                          const uint8_t key[crypto_secretbox_KEYBYTES])
{
    struct buf sealed = BUF_INIT;
    unsigned char *text = NULL;
    json_t *job = NULL;
    size_t len = 0;
    int rc = AT_OK;

    if (read_whole(path, &sealed) != 0)
        rc = ctx_error(ctx, AT_ERR, "cannot read %s: %s", path, strerror(errno));
    else if (sealed.len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        rc = ctx_error(ctx, AT_ECORRUPT, "%s: cut short (%zu bytes)", path, sealed.len);
    if (rc == AT_OK) {
        len = sealed.len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
        text = xmalloc(len + 1);
        if (crypto_secretbox_open_easy(text, (unsigned char *)sealed.data + crypto_secretbox_NONCEBYTES,
                                       sealed.len - crypto_secretbox_NONCEBYTES,
                                       (unsigned char *)sealed.data, key) != 0)
            rc = ctx_error(ctx, AT_ECORRUPT, "%s: damaged, or sealed under another archive's key", path);
    }
    if (rc == AT_OK && (job = json_loadb((const char *)text, len, 0, NULL)) == NULL)
        rc = ctx_error(ctx, AT_ECORRUPT, "%s: not a sync job", path);
    if (rc == AT_OK)
        rc = sync_jobs_save(ctx, st, job);
    if (text) {
        sodium_memzero(text, len);
        free(text);
    }
    json_decref(job);
    buf_free(&sealed);
    return rc;
}

int sync_jobs_restore_set_aside(struct at_ctx *ctx, struct store *st, long *count)
{
    struct buf dir = BUF_INIT;
    uint8_t key[crypto_secretbox_KEYBYTES];
    struct dirent *e;
    DIR *d;
    int rc = AT_OK;

    *count = 0;
    buf_printf(&dir, "%s/" SYNC_JOBS_ENDS_DIR, store_dir(st));
    if ((d = opendir(buf_str(&dir))) == NULL) {
        buf_free(&dir);
        return errno == ENOENT ? AT_OK
                               : ctx_error(ctx, AT_ERR, "cannot read %s: %s", buf_str(&dir), strerror(errno));
    }
    if ((rc = end_key(ctx, st, key)) == AT_OK) {
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            struct buf path = BUF_INIT;
            struct at_ctx one = { 0 };

            if (len <= 4 || strcmp(e->d_name + len - 4, ".end") != 0)
                continue;
            buf_printf(&path, "%s/%s", buf_str(&dir), e->d_name);
            /* One damaged file keeps none of the others out. */
            if (save_set_aside(&one, st, buf_str(&path), key) == AT_OK)
                (*count)++;
            else if (rc == AT_OK)
                rc = ctx_error(ctx, one.code, "%s", one.message);
            buf_free(&path);
        }
    }
    closedir(d);
    sodium_memzero(key, sizeof key);
    buf_free(&dir);
    return rc;
}

/* Column i's JSON text parsed, or null. */
static json_t *column_json(sqlite3_stmt *stmt, int i)
{
    const char *text = (const char *)sqlite3_column_text(stmt, i);
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

    return v ? v : json_null();
}

static json_t *column_string(sqlite3_stmt *stmt, int i)
{
    const char *text = (const char *)sqlite3_column_text(stmt, i);

    return text ? json_string(text) : json_null();
}

/* The row stmt stands on, as the job's object. */
static json_t *row_job(sqlite3_stmt *stmt)
{
    json_t *counts = column_json(stmt, 8);
    json_t *job = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I}",
                            "id", column_string(stmt, 0), "peer", column_string(stmt, 1),
                            "kind", column_string(stmt, 2), "state", column_string(stmt, 3),
                            "stage", column_string(stmt, 4),
                            "done", (json_int_t)sqlite3_column_int64(stmt, 5),
                            "total", (json_int_t)sqlite3_column_int64(stmt, 6));

    json_object_set_new(job, "resumed_at", sqlite3_column_type(stmt, 7) == SQLITE_NULL
                                               ? json_null() : json_integer(sqlite3_column_int64(stmt, 7)));
    for (size_t i = 0; sync_jobs_counts[i]; i++) {
        json_t *v = json_object_get(counts, sync_jobs_counts[i]);
        json_object_set(job, sync_jobs_counts[i], v ? v : json_null());
    }
    json_decref(counts);
    json_object_set_new(job, "notes", column_json(stmt, 9));
    json_object_set_new(job, "result", column_json(stmt, 10));
    json_object_set_new(job, "error", column_json(stmt, 11));
    json_object_set_new(job, "started_by", column_string(stmt, 12));
    json_object_set_new(job, "started_at", column_string(stmt, 13));
    if (sqlite3_column_type(stmt, 14) != SQLITE_NULL)
        json_object_set_new(job, "ended_at", column_string(stmt, 14));
    return job;
}

int sync_jobs_get(struct at_ctx *ctx, struct store *st, const char *peer, const char *id,
                  json_t **out)
{
    static const char *const sql = "SELECT " JOB_COLUMNS " FROM sync_job WHERE peer = ?1 AND id = ?2";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int step;

    *out = NULL;
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, id, -1, SQLITE_STATIC);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        *out = row_job(stmt);
    sqlite3_reset(stmt);
    if (step == SQLITE_DONE)
        return ctx_error(ctx, AT_ENOTFOUND, "no job %s with %s", id, peer);
    return *out ? AT_OK : store_error(ctx, st, "reading a sync job");
}

int sync_jobs_list(struct at_ctx *ctx, struct store *st, const char *peer, json_t **out)
{
    static const char *const sql = "SELECT " JOB_COLUMNS " FROM sync_job WHERE peer = ?1 "
                                   "ORDER BY started_at DESC, rowid DESC";
    struct sync_peer p = { 0 };
    sqlite3_stmt *stmt;
    int step, rc = sync_peer_get(ctx, st, peer, NULL, &p);

    *out = NULL;
    sync_peer_free(&p);
    if (rc != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, sql)) == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        json_array_append_new(*out, row_job(stmt));
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return store_error(ctx, st, "listing sync jobs");
    }
    return AT_OK;
}

/* What to do about job, interrupted, given what waits for its peer. */
static void interrupted_advice(const json_t *job, const json_t *waiting, struct buf *out)
{
    const char *kind = json_string_value(json_object_get(job, "kind"));
    const char *peer = json_string_value(json_object_get(job, "peer"));
    json_int_t outbox = json_integer_value(json_object_get(json_object_get(waiting, "outbox"), "bytes"));
    json_int_t inbox = json_integer_value(json_object_get(json_object_get(waiting, "inbox"), "bytes"));
    json_int_t travel = json_integer_value(json_object_get(json_object_get(waiting, "travel"), "bytes"));
    bool has_outbox = json_is_object(json_object_get(waiting, "outbox"));

    buf_printf(out, "the server stopped while this %s with %s ran: ", kind, peer);
    if (strcmp(kind, "push") == 0 && has_outbox)
        buf_printf(out, "its pack (%lld bytes) waits in the outbox; push again and it resumes "
                   "from what %s's server has received", (long long)outbox, peer);
    else if (strcmp(kind, "push") == 0)
        buf_printf(out, "no pack was left; push again");
    else if (strcmp(kind, "pull") == 0 && inbox > 0)
        buf_printf(out, "%lld bytes of the pack were received; pull again and it resumes from "
                   "there", (long long)inbox);
    else if (strcmp(kind, "pull") == 0)
        buf_printf(out, "nothing was kept; pull again");
    else if (strcmp(kind, "deliver") == 0 && travel > 0)
        buf_printf(out, "the travel pack (%lld bytes) waits here; restore from %s, which delivers "
                   "it first, or download it and carry it apart", (long long)travel, peer);
    else if (strcmp(kind, "deliver") == 0)
        buf_printf(out, "no travel pack waits here any more: it was delivered");
    else if (travel > 0)
        buf_printf(out, "the travel pack (%lld bytes) still waits; restore again, which delivers "
                   "it first, then pulls everything", (long long)travel);
    else
        buf_printf(out, "restore again%s", inbox > 0 ? "; the pull resumes from what was received" : "");
}

int sync_jobs_interrupted(struct at_ctx *ctx, struct store *st, long *count)
{
    static const char *const sql = "SELECT " JOB_COLUMNS " FROM sync_job WHERE state = 'running'";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *running = json_array(), *job;
    char now[21];
    size_t i;
    int step, rc = AT_OK;

    *count = 0;
    if (stmt == NULL) {
        json_decref(running);
        return AT_ERR;
    }
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        json_array_append_new(running, row_job(stmt));
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE)
        rc = store_error(ctx, st, "reading the running sync jobs");
    canonical_now(now);
    json_array_foreach(running, i, job) {
        struct buf advice = BUF_INIT;
        json_t *waiting;

        if (rc != AT_OK)
            break;
        waiting = sync_net_waiting(st, json_string_value(json_object_get(job, "peer")));
        interrupted_advice(job, waiting, &advice);
        json_decref(waiting);
        json_object_set_new(job, "state", json_string("interrupted"));
        json_object_set_new(job, "ended_at", json_string(now));
        json_object_set_new(job, "error", json_pack("{s:i, s:s, s:s}", "status", 503,
                                                     "code", "interrupted", "message", buf_str(&advice)));
        buf_free(&advice);
        if ((rc = sync_jobs_save(ctx, st, job)) == AT_OK)
            (*count)++;
    }
    json_decref(running);
    return rc;
}

int sync_jobs_check_reader(struct at_ctx *ctx, const struct session *s, const json_t *job)
{
    struct at_ctx scratch = { 0 };
    const char *starter = json_string_value(json_object_get(job, "started_by"));

    if (access_check(&scratch, s, ACTION_MANAGE_PEERS, CLEARANCE_PUBLIC) == AT_OK)
        return AT_OK;
    if (access_check(ctx, s, ACTION_SYNC, CLEARANCE_PUBLIC) != AT_OK)
        return ctx->code;
    if (starter != NULL && strcmp(starter, s->user) == 0)
        return AT_OK;
    return ctx_error(ctx, AT_ENOTFOUND, "no job %s with %s",
                     json_string_value(json_object_get(job, "id")),
                     json_string_value(json_object_get(job, "peer")));
}
