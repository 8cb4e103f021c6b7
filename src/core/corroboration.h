/*
 * corroboration.h: how well an event is corroborated, for one reader.
 *
 * An account is a record that places or describes the event: the event
 * itself when it names a source, its acts, the pinpoints that place it,
 * and the information relations to it or to its acts.  Each account
 * comes from a source: a witness (through an interview, or directly in an
 * information relation) or a document.  Sources that are not independent
 * count once: witnesses of one household (same_household), one who heard
 * it from another (heard_from, also through a third person both heard it
 * from), and witnesses interviewed together (interviews with the same
 * "group").  When record linkage has put the event in a cluster with
 * other event records (link_cluster), their accounts count too: they
 * tell of the same event.  Everything is counted for the store's session: an account,
 * a source or a relation it may not read does not count, and a source it
 * may not read leaves its account unattributed.  The result names no
 * witness: it holds counts, the strongest basis of knowledge, and whether
 * the accounts agree on date, place and number of victims.
 */
#ifndef CORROBORATION_H
#define CORROBORATION_H

#include "attest.h"
#include "store.h"

#include <jansson.h>
#include <stdio.h>

/* An approximate victim count ("count_approximate": 1) stands for this
 * share more or less: "about 20" agrees with anything from 15 to 25. */
#define CORROBORATION_APPROX_SHARE 0.25

/* The sources the store's session may see and what joins them, loaded
 * once for any number of events. */
struct corroboration;

/* Loads the network of sources for the store's session into a new *out
 * (freed with corroboration_free). */
int corroboration_open(struct at_ctx *ctx, struct store *st, struct corroboration **out);
void corroboration_free(struct corroboration *c);

/* The corroboration of event as a new object:
 *   {"linked_events": other event records linked to it that were counted,
 *    "accounts": N, "sources": independent sources, "source_records":
 *    witnesses and documents before joining, "unattributed": accounts
 *    without a source the reader may see, "direct_sources": independent
 *    sources with a present or eyewitness account, "strongest_basis":
 *    code (absent when none is stated),
 *    "date": {"accounts", "agree", "from", "to"},
 *    "place": {"accounts", "agree", "spread_m"},
 *    "victims": {"accounts", "agree", "min", "max"}}
 * "agree" is true or false from two accounts on, null below; "from" and
 * "to" span every dated account, "spread_m" is the largest distance
 * between two placements, "min" and "max" the lowest and highest count.
 * AT_ENOTFOUND when the session may not read the event. */
int corroboration_event(struct at_ctx *ctx, struct corroboration *c, const char *event,
                        json_t **out);

/* corroboration_open, corroboration_event and corroboration_free, for one event. */
int corroboration_of_event(struct at_ctx *ctx, struct store *st, const char *event, json_t **out);

/* A corroboration as flat columns (a CSV export of events): their names,
 * "corroboration_sources", "corroboration_date_agree", ... */
extern const char *const corroboration_columns[];
extern const size_t corroboration_ncolumns;

/* Appends column i of corroboration c to out: a number, a code, a date,
 * "yes" or "no"; nothing when absent or null. */
void corroboration_cell(json_t *c, size_t i, struct buf *out);

/* Writes the corroboration of every current event the store's session may
 * read as JSON Lines, {"event": ID, "corroboration": {...}}, in id order;
 * sets *count to the number of lines. */
int corroboration_export(struct at_ctx *ctx, struct store *st, FILE *out, long *count);

/* The rank of a basis of knowledge, strongest first (the vocabulary's
 * order: present, eyewitness, heard from the victim, ...); a missing or
 * unknown code ranks last. */
int corroboration_basis_rank(const char *basis);

#endif
