/*
 * sync_jobs.h: the server's sync jobs kept in the archive (table
 * sync_job), so that they outlive a restart: a push, pull, restore or a
 * travel pack's delivery with a peer's server, as the server's
 * api_sync_jobs.c runs them.
 *
 * A job is saved as the JSON object GET /api/v1/sync/peers/{name}/jobs/{id}
 * answers with ({id, peer, kind, state, stage, done, total, resumed_at,
 * notes, started_by, started_at, ended_at, result, error} and its counts:
 * "packed", "versions"), and read back in the same shape.  It holds no token and no
 * witness datum: started_by is the user's login name.
 *
 * Pruning (the one rule): once a job with a peer ends, only that peer's
 * SYNC_JOBS_KEPT newest ended jobs are kept; a running job is never
 * pruned.
 */
#ifndef SYNC_JOBS_H
#define SYNC_JOBS_H

#include "attest.h"
#include "access.h"
#include "store.h"

#include <jansson.h>

#define SYNC_JOBS_KEPT 20

/* The keys of a job's object kept together in its counts (what was
 * packed, the record versions a pull imported; room for more counts without a new column). */
extern const char *const sync_jobs_counts[];

/* Saves job (inserted, or replacing the row with its id) in a
 * transaction of its own; an ended job prunes its peer's old ones and
 * removes its end set aside (sync_jobs_set_aside), if any.
 * sync_jobs_save waits for the archive's write lock as every write does;
 * sync_jobs_save_now fails at once while another holds it (a job's
 * progress: the next change saves what is current). */
int sync_jobs_save(struct at_ctx *ctx, struct store *st, const json_t *job);
int sync_jobs_save_now(struct at_ctx *ctx, struct store *st, const json_t *job);

/* Where an ended job waits while the archive's write lock keeps it out:
 * a file of the archive's directory, SYNC_JOBS_ENDS_DIR/ID.end, the job
 * sealed (secretbox) under a key derived from the master key, so that a
 * stop of the server before it is saved loses nothing:
 * sync_jobs_restore_set_aside saves every end set aside (*count says how
 * many) as the server starts, before sync_jobs_interrupted. */
#define SYNC_JOBS_ENDS_DIR "sync-jobs"
int sync_jobs_set_aside(struct at_ctx *ctx, struct store *st, const json_t *job);
int sync_jobs_restore_set_aside(struct at_ctx *ctx, struct store *st, long *count);
/* The job id with peer in *out (a new object), or AT_ENOTFOUND. */
int sync_jobs_get(struct at_ctx *ctx, struct store *st, const char *peer, const char *id,
                  json_t **out);
/* peer's jobs, newest first, in *out (a new array); AT_ENOTFOUND when
 * no peer of that name is pinned. */
int sync_jobs_list(struct at_ctx *ctx, struct store *st, const char *peer, json_t **out);
/* When the server starts: every job still "running" ran when the server
 * stopped; each becomes "interrupted", its error saying what to do (and
 * what of the transfer waits to be resumed: sync_net_waiting).  *count
 * says how many. */
int sync_jobs_interrupted(struct at_ctx *ctx, struct store *st, long *count);

/* AT_OK if s may follow job: an administrator (who manages peers) any
 * job, a user with the sync right the jobs they started themselves (a
 * traveller's delivery).  Otherwise AT_ENOTFOUND, word for word as for a
 * job that is not there, so that a refusal tells nothing of others' jobs. */
int sync_jobs_check_reader(struct at_ctx *ctx, const struct session *s, const json_t *job);

#endif
