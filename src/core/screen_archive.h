/*
 * screen_archive.h: screening the archive's own organisations, persons
 * and vessels with the analysts' decisions applied: one record, or all of
 * them, and, after a new list version, only what it newly hits.
 */
#ifndef SCREEN_ARCHIVE_H
#define SCREEN_ARCHIVE_H

#include "attest.h"
#include "screen.h"
#include "store.h"

#include <jansson.h>

/* One record screened as screen_record does, its dismissed hits set
 * apart: *out is a new object
 *   {"record", "type", "name", "hits": [...], "dismissed": [...]}
 * where dismissed hits carry "dismissal": {"id", "by", "at", "note"}. */
int screen_record_decided(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                          const char *id, const struct screen_query *q, json_t **out);

struct screen_archive_opts {
    const struct screen_query *q;      /* scorer, threshold, limit per record */
    const struct screen_index *before; /* NULL, or the lists to compare with: only hits
                                          on entries that did not hit the record there */
    /* called after each record, when not NULL */
    void (*progress)(void *arg, size_t done, size_t total);
    void *arg;
};

/* Screens every organisation, person and vessel the session may read
 * against ix: *out is a new array, in record id order, of the objects
 * screen_record_decided gives, for the records with hits or dismissed
 * hits.  With o->before, a hit counts only when the same list entry (by
 * list and key, whatever the version) did not hit that record against
 * o->before: what a new list version newly hits. */
int screen_archive(struct at_ctx *ctx, struct store *st, const struct screen_index *ix,
                   const struct screen_archive_opts *o, json_t **out);

/* The list versions that screening for new hits compares with, as a new
 * JSON array of ids in *before: with since (YYYY-MM-DD), those in force
 * that day (an empty array when no list had a version yet), last set to
 * ""; without, those current before the last import, whose version goes
 * into last.  AT_EINVAL naming "since" for a bad date. */
int screen_archive_before(struct at_ctx *ctx, struct store *st, const char *since, char last[64],
                          json_t **before);

#endif
