/*
 * api_sync_jobs.c: a push to or pull from a peer's server, or the restore
 * after travel (which delivers the travel pack and pulls), as a job, so
 * that the browser can watch one that takes minutes (a vault of gigabytes).
 *
 * POST /api/v1/sync/peers/{name}/jobs {kind: "push"|"pull"|"restore", token[,
 * url, chunk_size]} checks what POST .../push|pull checks (api_sync_connect),
 * starts the exchange on a thread of its own with its own connection to the
 * archive and the caller's session, and answers 202 with the job; GET
 * .../jobs/{id} tells how far it is: the stage sync_net reports
 * (exporting, resuming, uploading, applying; downloading, importing), the
 * bytes done of the pack's total, the record versions imported of the
 * pack's (versions: {done, total}, as the import reads them), the offset an interrupted transfer
 * resumed at, what was packed, and once ended what was applied or imported
 * or the error with its message.  POST .../push|pull|restore run the same
 * job within the request and answer with its end.
 *
 * One job at a time per peer, whichever route starts it: a second is
 * refused with 409, as both would write the peer's outbox or inbox.  A
 * running job lives in the server's memory (its bytes change with each
 * chunk) and in the archive (sync_jobs.c: saved as it starts and at
 * each change of stage when the write lock is free at once, and at its
 * end), so that a page left and opened again, or a server restarted,
 * finds it (GET .../jobs lists a peer's jobs; GET /api/v1/sync/status
 * shows each peer's last).  Its end is never lost: it stays in memory,
 * and is answered from there, until the archive took it (job_keep_end
 * tries again while another holds the archive's write lock, the end set
 * aside meanwhile where the next start finds it should the server stop
 * first).  A job that ran when the
 * server stopped is marked interrupted as the server starts again
 * (api_sync_jobs_recover), its error saying what to do; a push or pull
 * started again resumes from the outbox or inbox it left.  A job holds no
 * token (the Authorization header is wiped when its exchange ends); it
 * names the user who started it (started_by), never a witness.
 *
 * Travel with a token delivers its pack as a job too (kind "deliver",
 * api_sync_job_deliver, started by api_travel.c), which removes the pack
 * once the centre applied it.
 *
 * Connecting to a peer's server (api_sync_connect: the peer pinned, its
 * address and certificate kept with it, the token) and the figures of an
 * exchange (api_sync_stats_json, which the replies of api_sync.c,
 * api_sync_files.c and api_travel.c use too) live here too.
 */
#include "http.h"
#include "../core/canonical.h"
#include "../core/sync.h"
#include "../core/sync_jobs.h"
#include "../core/sync_net.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define JOB_ID_BYTES 16
#define JOB_STAGE_LEN 16
/* Seconds between attempts to save a job's end, doubling up to the most
 * (each attempt itself waits for the archive's lock: STORE_LOCK_WAIT_MS). */
#define JOB_SAVE_RETRY_FIRST 1
#define JOB_SAVE_RETRY_MAX 30
/* How long a stop waits for the ends being saved: one wait for the lock,
 * and some. */
#define JOB_STOP_WAIT (STORE_LOCK_WAIT_MS / 1000 + 5)

enum job_state { JOB_RUNNING, JOB_DONE, JOB_FAILED };
/* What a job does: `attest sync push`, `sync pull`, `travel restore`, and
 * the delivery of a travel pack (`travel` with a token).  POST .../jobs
 * starts the first JOB_KINDS_STARTED. */
enum job_kind { JOB_PUSH, JOB_PULL, JOB_RESTORE, JOB_DELIVER };
static const char *const kinds[] = { "push", "pull", "restore", "deliver" };
#define JOB_KINDS_STARTED 3

struct sync_job {
    char id[2 * JOB_ID_BYTES + 1];
    char peer[64];
    enum job_kind kind;
    /* Under jobs_lock: what GET tells. */
    enum job_state state;
    char stage[JOB_STAGE_LEN];
    uint64_t done, total;       /* bytes of the pack */
    uint64_t versions_done, versions_total; /* while importing: record versions read */
    int64_t resumed_at;         /* where a transfer resumed, or -1 */
    struct sync_stats packed;   /* a push: what went into the pack */
    json_t *notes;              /* sync_net's notes, in order */
    json_t *result;             /* once done: what the synchronous route answers */
    json_t *error;              /* once failed: {status, code, message} */
    char started_at[21], ended_at[21];
    char started_by[64];        /* the user's login name */
    /* The job's own, while it runs. */
    struct store *st;           /* where its changes of stage are saved */
    struct sync_net net;
    struct session keys;        /* the caller's, for the thread */
    char *url;                  /* a copy of the address given in the request */
};

/* The running jobs, and those ended whose end is not yet saved
 * (job_keep_end); any other is read from the archive. */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sync_job **jobs;
static size_t njobs;
/* Under jobs_lock: signalled as a job leaves memory and as the server
 * stops (jobs_stopping), which ends the waits between saves of an end. */
static pthread_cond_t jobs_changed = PTHREAD_COND_INITIALIZER;
static bool jobs_stopping;

static void job_free(struct sync_job *j)
{
    json_decref(j->notes);
    json_decref(j->result);
    json_decref(j->error);
    free(j);
}

/* The job as JSON.  Under the lock. */
static json_t *job_json(const struct sync_job *j)
{
    static const char *const states[] = { "running", "done", "failed" };
    json_t *copy, *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:O, s:s, s:s}",
                          "id", j->id, "peer", j->peer, "kind", kinds[j->kind],
                          "state", states[j->state], "stage", j->stage,
                          "done", (json_int_t)j->done, "total", (json_int_t)j->total,
                          "notes", j->notes, "started_at", j->started_at,
                          "started_by", j->started_by);

    if (j->state != JOB_RUNNING)
        json_object_set_new(o, "ended_at", json_string(j->ended_at));
    json_object_set_new(o, "versions", json_pack("{s:I, s:I}", "done", (json_int_t)j->versions_done,
                                                 "total", (json_int_t)j->versions_total));
    json_object_set_new(o, "resumed_at", j->resumed_at >= 0 ? json_integer(j->resumed_at) : json_null());
    json_object_set_new(o, "packed", j->kind == JOB_PUSH ? api_sync_stats_json(&j->packed) : json_null());
    json_object_set(o, "result", j->result ? j->result : json_null());
    json_object_set(o, "error", j->error ? j->error : json_null());
    copy = json_deep_copy(o);   /* shares nothing with the job's own */
    json_decref(o);
    return copy;
}

/* sync_net's note and progress, kept on the job. */
static void job_note(void *arg, const char *text)
{
    struct sync_job *j = arg;

    pthread_mutex_lock(&jobs_lock);
    json_array_append_new(j->notes, json_string(text));
    pthread_mutex_unlock(&jobs_lock);
}

/* Passes the job j as it is now to keep (one of sync_jobs.h's ways of
 * keeping it), through st; a failure is said on stderr, with what keep
 * does ("keep it as it is now", "set its end aside").  The one body of
 * job_save and job_set_aside. */
static int job_keep(struct store *st, struct sync_job *j,
                    int (*keep)(struct at_ctx *, struct store *, const json_t *), const char *what)
{
    struct at_ctx ctx = { 0 };
    json_t *o;
    int rc;

    pthread_mutex_lock(&jobs_lock);
    o = job_json(j);
    pthread_mutex_unlock(&jobs_lock);
    if ((rc = keep(&ctx, st, o)) != AT_OK)
        fprintf(stderr, "attest: sync job %s: cannot %s: %s\n", j->id, what, ctx.message);
    json_decref(o);
    return rc;
}

/* Saves the job as it is now in the archive, through st: waiting for
 * the write lock as any write does, or (wait false) at once or not at
 * all: a start or a change of stage is progress, which the job answers
 * from memory and its next change or its end saves; an end is set aside
 * and saved again until it is (job_keep_end).  A failure is told on
 * stderr. */
static int job_save(struct store *st, struct sync_job *j, bool wait)
{
    return job_keep(st, j, wait ? sync_jobs_save : sync_jobs_save_now, "keep it as it is now");
}

static void job_progress(void *arg, const char *stage, uint64_t done, uint64_t total)
{
    struct sync_job *j = arg;
    bool moved;

    pthread_mutex_lock(&jobs_lock);
    moved = strcmp(j->stage, stage) != 0;
    snprintf(j->stage, sizeof j->stage, "%s", stage);
    j->done = done;
    j->total = total;
    if (strcmp(stage, "resuming") == 0)
        j->resumed_at = (int64_t)done;
    if (j->kind == JOB_PUSH)
        j->packed = j->net.packed;   /* set by then: exporting comes first */
    pthread_mutex_unlock(&jobs_lock);
    if (moved)
        job_save(j->st, j, false);
}

static void job_imported(void *arg, uint64_t done, uint64_t total)
{
    struct sync_job *j = arg;

    pthread_mutex_lock(&jobs_lock);
    j->versions_done = done;
    j->versions_total = total;
    pthread_mutex_unlock(&jobs_lock);
}

/* Takes a place in the table for a job with peer: NULL, with a 409 reply
 * set, when one runs already. */
static struct sync_job *job_claim(struct request *r, const char *peer, enum job_kind kind)
{
    struct sync_job *j = NULL;
    uint8_t raw[JOB_ID_BYTES];

    pthread_mutex_lock(&jobs_lock);
    for (size_t i = 0; i < njobs; i++) {
        if (strcmp(jobs[i]->peer, peer) == 0 && jobs[i]->state == JOB_RUNNING) {
            http_error(r, 409, "conflict", NULL, "a %s with %s is running (job %s, %s, %llu of "
                       "%llu bytes): wait for it to end", kinds[jobs[i]->kind],
                       peer, jobs[i]->id, jobs[i]->stage, (unsigned long long)jobs[i]->done,
                       (unsigned long long)jobs[i]->total);
            json_object_set_new(r->reply, "job", job_json(jobs[i]));
            goto out;
        }
    }
    j = xcalloc(1, sizeof *j);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(j->id, sizeof j->id, raw, sizeof raw);
    snprintf(j->peer, sizeof j->peer, "%s", peer);
    j->kind = kind;
    j->state = JOB_RUNNING;
    snprintf(j->stage, sizeof j->stage, "starting");
    j->resumed_at = -1;
    j->notes = json_array();
    canonical_now(j->started_at);
    snprintf(j->started_by, sizeof j->started_by, "%s", r->keys.user);
    jobs = xrealloc(jobs, sizeof *jobs * (njobs + 1));
    jobs[njobs++] = j;
out:
    pthread_mutex_unlock(&jobs_lock);
    return j;
}

/* travel restore: delivers the travel pack that waits for the peer (when
 * one does), then pulls everything; the pack goes once both are whole. */
static int job_restore(struct at_ctx *ctx, struct store *st, struct sync_net *n,
                       struct sync_stats *stats, bool *delivered)
{
    struct buf path = BUF_INIT;
    int rc = sync_net_travel_path(ctx, st, n->peer, &path);

    *delivered = rc == AT_OK && access(buf_str(&path), F_OK) == 0;
    if (rc == AT_OK)
        rc = sync_net_restore(ctx, st, n, *delivered ? buf_str(&path) : NULL, stats);
    if (rc == AT_OK && *delivered)
        unlink(buf_str(&path));
    buf_free(&path);
    return rc;
}

/* deliver: the travel pack that waits for the peer, removed once the
 * peer's server applied it. */
static int job_deliver(struct at_ctx *ctx, struct store *st, struct sync_net *n)
{
    struct buf path = BUF_INIT;
    int rc = sync_net_travel_path(ctx, st, n->peer, &path);

    if (rc == AT_OK && access(buf_str(&path), F_OK) != 0)
        rc = ctx_error(ctx, AT_ENOTFOUND, "no travel pack for %s waits here", n->peer);
    if (rc == AT_OK && (rc = sync_net_push_pack(ctx, st, n, buf_str(&path))) == AT_OK) {
        if (n->done)
            unlink(buf_str(&path));
        else
            rc = ctx_error(ctx, AT_ERR, "the travel pack is not yet all delivered: restore from "
                           "%s, which delivers the rest first", n->peer);
    }
    buf_free(&path);
    return rc;
}

/* Takes j out of the jobs in memory and frees it. */
static void job_remove(struct sync_job *j)
{
    size_t keep = 0;

    pthread_mutex_lock(&jobs_lock);
    for (size_t i = 0; i < njobs; i++)
        if (jobs[i] != j)
            jobs[keep++] = jobs[i];
    njobs = keep;
    pthread_cond_broadcast(&jobs_changed);
    pthread_mutex_unlock(&jobs_lock);
    job_free(j);
}

/* Waits seconds, or less when the server stops: false once it stops. */
static bool job_wait(unsigned seconds)
{
    struct timespec until;
    bool going_on;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&jobs_lock);
    while (!jobs_stopping && pthread_cond_timedwait(&jobs_changed, &jobs_lock, &until) != ETIMEDOUT)
        ;
    going_on = !jobs_stopping;
    pthread_mutex_unlock(&jobs_lock);
    return going_on;
}

/* Sets the ended job j aside in the archive's directory
 * (sync_jobs_set_aside), where the next start finds it; false, said on
 * stderr, when it cannot. */
static bool job_set_aside(struct store *st, struct sync_job *j)
{
    return job_keep(st, j, sync_jobs_set_aside, "set its end aside") == AT_OK;
}

/* Saves the ended job j through st, then frees it.  When another holds
 * the archive's write lock as it ends (a large import, a backup), its end
 * is set aside at once (job_set_aside) and saved again until it is, or
 * until the server stops: the next start saves it from where it was set
 * aside (api_sync_jobs_recover).  Until then j stays in
 * memory, where GET .../jobs finds it ended.  (POST .../push|pull|restore,
 * which run the job within the request, answer once it is saved or the
 * server stops.) */
static void job_keep_end(struct store *st, struct sync_job *j)
{
    unsigned wait = JOB_SAVE_RETRY_FIRST;
    bool saved = job_save(st, j, false) == AT_OK, aside = saved || job_set_aside(st, j);

    while (!saved) {
        fprintf(stderr, "attest: sync job %s ended; saving its end again in %u s\n", j->id, wait);
        if (!job_wait(wait)) {
            fprintf(stderr, aside ? "attest: sync job %s: the server stops before its end could be "
                                    "saved; it waits in " SYNC_JOBS_ENDS_DIR "/ and the next start "
                                    "saves it\n"
                                  : "attest: sync job %s: the server stops before its end could be "
                                    "saved or set aside; the next start marks it interrupted\n", j->id);
            break;
        }
        saved = job_save(st, j, true) == AT_OK;
        wait = wait * 2 > JOB_SAVE_RETRY_MAX ? JOB_SAVE_RETRY_MAX : wait * 2;
    }
    job_remove(j);
}

/* Runs the job's exchange on st (its session set) and records its end:
 * the result, or the error (a 502 when the peer's server failed); then wipes
 * the token and keeps the end (job_keep_end): *end, when end is not NULL,
 * is the job as it ended. */
static void job_run(struct at_ctx *ctx, struct store *st, struct sync_job *j, json_t **end)
{
    struct sync_net *n = &j->net;
    struct sync_stats stats = { 0 };
    json_t *result = NULL, *error = NULL;
    bool delivered = false;
    int rc;

    j->st = st;
    rc = j->kind == JOB_PUSH ? sync_net_push(ctx, st, n)
       : j->kind == JOB_PULL ? sync_net_pull(ctx, st, n, NULL, &stats)
       : j->kind == JOB_DELIVER ? job_deliver(ctx, st, n)
                                : job_restore(ctx, st, n, &stats, &delivered);

    if (rc != AT_OK) {
        /* The peer's server failing is not this server's error. */
        error = json_pack("{s:i, s:s, s:s}", "status", rc == AT_EINVAL ? 400 : 502,
                          "code", rc == AT_EINVAL ? "invalid" : "unavailable", "message", ctx->message);
    } else {
        json_t *applied = n->applied ? n->applied : json_null();
        result = j->kind == JOB_PUSH ? json_pack("{s:O, s:I, s:I, s:I}", "applied", applied,
                                                 "packed_versions", (json_int_t)n->packed.versions,
                                                 "packed_items", (json_int_t)n->packed.items,
                                                 "packed_files", (json_int_t)n->packed.files)
               : j->kind == JOB_DELIVER ? json_pack("{s:O}", "applied", applied)
                                        : json_pack("{s:o}", "imported", api_sync_stats_json(&stats));
        if (j->kind == JOB_RESTORE)
            json_object_set_new(result, "delivered", json_boolean(delivered));
        json_object_set_new(result, "peer", json_string(j->peer));
        json_object_set_new(result, "done", json_boolean(n->done));
    }
    sync_net_close(n);
    free(j->url);
    j->url = NULL;
    pthread_mutex_lock(&jobs_lock);
    if (result)
        json_object_set_new(result, "notes", json_deep_copy(j->notes));
    j->result = result;
    j->error = error;
    j->state = rc == AT_OK ? JOB_DONE : JOB_FAILED;
    if (rc == AT_OK)
        snprintf(j->stage, sizeof j->stage, "done");
    canonical_now(j->ended_at);
    if (end)
        *end = job_json(j);
    pthread_mutex_unlock(&jobs_lock);
    job_keep_end(st, j);
}

static void *job_thread(void *arg)
{
    struct sync_job *j = arg;
    struct session keys = j->keys;
    struct at_ctx ctx = { 0 };
    struct store *st = NULL;

    access_session_free(&j->keys);
    if (server_store_open(&ctx, &st) == AT_OK) {
        store_set_session(st, &keys);
        job_run(&ctx, st, j, NULL);
        store_close(st);
    } else {
        sync_net_close(&j->net);
        free(j->url);
        /* Its row stays "running" until the server starts again and
         * marks it interrupted. */
        fprintf(stderr, "attest: sync job %s could not open the archive: %s\n", j->id, ctx.message);
        job_remove(j);
    }
    access_session_free(&keys);
    return NULL;
}

/* A job to the peer in the path from the request's body, connected (its
 * token taken) and in the table; NULL with the error reply set. */
static struct sync_job *job_begin(struct request *r, json_t *body, enum job_kind kind)
{
    json_t *notes = json_array(), *chunk = json_object_get(body, "chunk_size");
    struct sync_net n = { .peer = r->params[0] };
    struct sync_job *j = NULL;

    if (chunk && (!json_is_integer(chunk) || json_integer_value(chunk) < SYNC_NET_CHUNK_MIN
                  || json_integer_value(chunk) > SYNC_NET_CHUNK_MAX)) {
        http_error(r, 400, "invalid", "chunk_size", "\"chunk_size\" is the bytes sent per "
                   "request of an upload: a whole number from %d to %d", SYNC_NET_CHUNK_MIN,
                   SYNC_NET_CHUNK_MAX);
        goto out;
    }
    n.chunk_size = chunk ? (size_t)json_integer_value(chunk) : 0;
    if (api_sync_connect(r, body, &n, notes) != 0
        || (j = job_claim(r, n.peer, kind)) == NULL) {
        sync_net_close(&n);
        goto out;
    }
    /* The job outlives body, which n's address may point into (one kept
     * with the peer is n's own, and moves with it). */
    if (n.url != n.kept_url) {
        j->url = xstrdup(n.url);
        n.url = j->url;
    }
    n.peer = j->peer;
    n.note = job_note;
    n.progress = job_progress;
    n.imported = job_imported;
    n.note_arg = j;
    j->net = n;
    sodium_memzero(&n, sizeof n);   /* the token is the job's alone */
    job_save(r->st, j, false);
out:
    json_decref(notes);
    return j;
}

/* Runs j on a thread of its own with the caller's session (or, with no
 * thread to spare, within the request); the job as it started (or
 * ended), a new reference. */
static json_t *job_spawn(struct request *r, struct sync_job *j)
{
    pthread_attr_t attr;
    pthread_t thread;
    json_t *reply;

    j->keys = r->keys;
    /* As it starts: once the thread runs, the job may end and go. */
    pthread_mutex_lock(&jobs_lock);
    reply = job_json(j);
    pthread_mutex_unlock(&jobs_lock);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, job_thread, j) != 0) {
        access_session_free(&j->keys);
        json_decref(reply);
        job_run(&r->ctx, r->st, j, &reply);
    }
    pthread_attr_destroy(&attr);
    return reply;
}

json_t *api_sync_job_deliver(struct request *r, json_t *body)
{
    struct sync_job *j = job_begin(r, body, JOB_DELIVER);

    return j ? job_spawn(r, j) : NULL;
}

/* POST /api/v1/sync/peers/{name}/jobs {kind, token[, url, chunk_size]} */
int api_sync_job_start(struct request *r)
{
    json_t *body = http_body_json(r, true);
    const char *kind;
    struct sync_job *j;
    size_t k;
    int status;

    if (body == NULL)
        return (int)r->status;
    kind = json_string_value(json_object_get(body, "kind"));
    for (k = 0; kind && k < JOB_KINDS_STARTED && strcmp(kind, kinds[k]) != 0; k++)
        ;
    if (kind == NULL || k == JOB_KINDS_STARTED) {
        status = http_error(r, 400, "invalid", "kind", "\"kind\" is \"push\" (send what %s "
                            "lacks), \"pull\" (fetch what this archive lacks) or \"restore\" "
                            "(deliver a travel pack, then pull everything)", r->params[0]);
        goto out;
    }
    if ((j = job_begin(r, body, (enum job_kind)k)) == NULL) {
        status = (int)r->status;
        goto out;
    }
    status = http_json(r, 202, job_spawn(r, j));
out:
    json_decref(body);
    return status;
}

/* The job id with peer in memory (id NULL: the newest), as JSON, or NULL. */
static json_t *live_job(const char *peer, const char *id)
{
    json_t *out = NULL;

    pthread_mutex_lock(&jobs_lock);
    for (size_t i = njobs; i-- > 0 && out == NULL;)
        if (strcmp(jobs[i]->peer, peer) == 0 && (id == NULL || strcmp(jobs[i]->id, id) == 0))
            out = job_json(jobs[i]);
    pthread_mutex_unlock(&jobs_lock);
    return out;
}

/* GET /api/v1/sync/peers/{name}/jobs/{id} */
int api_sync_job_get(struct request *r)
{
    json_t *reply = live_job(r->params[0], r->params[1]);
    int rc;

    if (reply == NULL)
        rc = sync_jobs_get(&r->ctx, r->st, r->params[0], r->params[1], &reply);
    else
        rc = AT_OK;
    if (rc == AT_OK && (rc = sync_jobs_check_reader(&r->ctx, &r->keys, reply)) != AT_OK)
        json_decref(reply);
    if (rc == AT_ENOTFOUND)
        return http_error(r, 404, "not_found", NULL, "no job %s with %s: the archive keeps a "
                          "peer's running jobs and its last %d ended ones", r->params[1],
                          r->params[0], SYNC_JOBS_KEPT);
    return rc == AT_OK ? http_json(r, 200, reply) : http_core_error(r, rc);
}

/* GET /api/v1/sync/peers/{name}/jobs: {jobs: [...]}, newest first, one
 * in memory as it is now (first when its row is not yet saved). */
int api_sync_job_list(struct request *r)
{
    json_t *list = NULL, *job;
    size_t i;
    int rc = sync_jobs_list(&r->ctx, r->st, r->params[0], &list);

    if (rc != AT_OK)
        return http_core_error(r, rc);
    pthread_mutex_lock(&jobs_lock);
    for (size_t k = 0; k < njobs; k++) {
        if (strcmp(jobs[k]->peer, r->params[0]) != 0)
            continue;
        json_array_foreach(list, i, job)
            if (strcmp(json_string_value(json_object_get(job, "id")), jobs[k]->id) == 0)
                break;
        if (i < json_array_size(list))
            json_array_set_new(list, i, job_json(jobs[k]));
        else
            json_array_insert_new(list, 0, job_json(jobs[k]));
    }
    pthread_mutex_unlock(&jobs_lock);
    return http_json(r, 200, json_pack("{s:o}", "jobs", list));
}

json_t *api_sync_job_latest(struct request *r, const char *peer)
{
    json_t *out = live_job(peer, NULL), *list = NULL;

    if (out == NULL && sync_jobs_list(&r->ctx, r->st, peer, &list) == AT_OK)
        out = json_incref(json_array_get(list, 0));
    json_decref(list);
    return out ? out : json_null();
}

void api_sync_jobs_recover(struct store *st)
{
    struct at_ctx ctx = { 0 };
    long count = 0;

    if (sync_jobs_restore_set_aside(&ctx, st, &count) != AT_OK)
        fprintf(stderr, "attest: cannot save a sync job's end set aside at the last stop: %s\n",
                ctx.message);
    if (count > 0)
        fprintf(stderr, "attest: saved the end of %ld sync job%s set aside at the last stop\n",
                count, count == 1 ? "" : "s");
    if (sync_jobs_interrupted(&ctx, st, &count) != AT_OK)
        fprintf(stderr, "attest: cannot mark the sync jobs the last stop cut short: %s\n", ctx.message);
    else if (count > 0)
        fprintf(stderr, "attest: %ld sync job%s cut short by the last stop, marked interrupted\n",
                count, count == 1 ? "" : "s");
}

void api_sync_jobs_stop(void)
{
    struct timespec until;
    size_t ending;
    bool late = false;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += JOB_STOP_WAIT;
    pthread_mutex_lock(&jobs_lock);
    jobs_stopping = true;
    pthread_cond_broadcast(&jobs_changed);
    for (;;) {
        ending = 0;
        for (size_t i = 0; i < njobs; i++)
            ending += jobs[i]->state != JOB_RUNNING;
        if (ending == 0 || late)
            break;
        late = pthread_cond_timedwait(&jobs_changed, &jobs_lock, &until) == ETIMEDOUT;
    }
    pthread_mutex_unlock(&jobs_lock);
    if (ending > 0)
        fprintf(stderr, "attest: %zu sync job%s ended but not yet saved as the server stops\n", ending,
                ending == 1 ? "" : "s");
}

/* POST /api/v1/sync/peers/{name}/push|pull|restore {token[, url]}: the
 * exchange of the CLI, run as a job within the request, answered with its
 * end. */
static int peer_exchange(struct request *r, enum job_kind kind)
{
    json_t *body = http_body_json(r, true), *end = NULL, *error;
    struct sync_job *j;
    int status;

    if (body == NULL)
        return (int)r->status;
    if ((j = job_begin(r, body, kind)) == NULL) {
        json_decref(body);
        return (int)r->status;
    }
    job_run(&r->ctx, r->st, j, &end);
    error = json_object_get(end, "error");
    if (json_is_object(error)) {
        status = http_error(r, (unsigned)json_integer_value(json_object_get(error, "status")),
                            json_string_value(json_object_get(error, "code")), NULL, "%s",
                            json_string_value(json_object_get(error, "message")));
        json_object_set(r->reply, "notes", json_object_get(end, "notes"));
    } else {
        status = http_json(r, 200, json_incref(json_object_get(end, "result")));
    }
    json_decref(end);
    json_decref(body);
    return status;
}

int api_sync_peer_push(struct request *r)
{
    return peer_exchange(r, JOB_PUSH);
}

int api_sync_peer_pull(struct request *r)
{
    return peer_exchange(r, JOB_PULL);
}

int api_sync_restore(struct request *r)
{
    return peer_exchange(r, JOB_RESTORE);
}

json_t *api_sync_stats_json(const struct sync_stats *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "versions", (json_int_t)s->versions,
                     "items", (json_int_t)s->items, "files", (json_int_t)s->files,
                     "bytes", (json_int_t)s->bytes, "already_held", (json_int_t)s->skipped_already,
                     "conflicts", (json_int_t)s->conflicts);
}

/* Appends a progress note to the reply's notes. */
static void note_reply(void *arg, const char *text)
{
    json_array_append_new(arg, json_string(text));
}

int api_sync_connect(struct request *r, json_t *body, struct sync_net *n, json_t *notes)
{
    const char *token = json_string_value(json_object_get(body, "token"));
    int status = 0, rc;

    n->note = note_reply;
    n->note_arg = notes;
    n->url = json_string_value(json_object_get(body, "url"));
    /* The address and certificate kept with the peer, as the command
     * line takes them. */
    if ((rc = sync_net_peer_kept(&r->ctx, r->st, n)) == AT_ENOTFOUND)
        status = http_error(r, 404, "not_found", NULL, "no peer named %s: pin it first with its "
                            "key line", n->peer);
    else if (rc != AT_OK)
        status = http_core_error(r, rc);
    else if (n->url == NULL || *n->url == '\0')
        status = http_error(r, 400, "invalid", "url", "\"url\" is required: the address of %s's "
                            "server (https://…), unless it is kept with the peer", n->peer);
    else if (token == NULL || *token == '\0')
        status = http_error(r, 400, "invalid", "token", "\"token\" is required: an API token of "
                            "%s's server for a user with the sync right (it is not stored)", n->peer);
    else if ((rc = sync_net_open(&r->ctx, n, token)) != AT_OK)
        status = http_error(r, 400, "invalid", rc == AT_EINVAL && strncmp(r->ctx.message, "URL", 3) == 0
                                                   ? "url" : "token", "%s", r->ctx.message);
    return status;
}
