/*
 * screen_decision.h: an analyst's decisions on screening hits: "record R
 * is not listed entry E".  A decision is a record of type dismissal
 * (model.c), so that it is versioned, entered in the log, checked by
 * access_check like any write (the analyst role or above) and read only by
 * those cleared for it; its clearance is at least the screened record's.
 * Withdrawing a decision is a new version with status "withdrawn";
 * dismissing again is one more with "dismissed".  Screening a record
 * (screen --record, screen --archive) sets its dismissed hits apart.
 */
#ifndef SCREEN_DECISION_H
#define SCREEN_DECISION_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

/* Records that record (an organisation, person or vessel id) is not the
 * listed entry named by entry ([SOURCE:]KEY, as lists_find_key reads it),
 * with an optional note; logged and committed.  The id of the dismissal
 * record is written into id (RECORD_ID_MAX bytes).  AT_ECONFLICT when the
 * hit is already dismissed (the message says by whom and when). */
int screen_dismiss(struct at_ctx *ctx, struct store *st, const char *record, const char *entry,
                   const char *note, char *id);

/* Withdraws that decision (a new version, status "withdrawn"; note, if
 * any, is the version's reason); logged and committed.  AT_ENOTFOUND when
 * no dismissal of that entry for that record is in force. */
int screen_undismiss(struct at_ctx *ctx, struct store *st, const char *record, const char *entry,
                     const char *note, char *id);

/* The decisions the session may read, of one record (NULL: of every
 * record), in force only or withdrawn ones too: a new array of
 *   {"id", "record", "list", "key", "entry_name", "status", "note",
 *    "by", "at", "version", "reason"}
 * in record id order; "by" and "at" are the author and time of the
 * current version, "reason" its reason. */
int screen_decisions(struct at_ctx *ctx, struct store *st, const char *record,
                     bool with_withdrawn, json_t **out);

/* Sets apart the hits of record that a decision in force dismissed:
 * decisions is what screen_decisions gave (for that record or for all);
 * hits is an array as screen_query gives ("list" being a list version
 * id).  Dismissed hits are moved from hits to *dismissed, a new array,
 * each with "dismissal": {"id", "by", "at", "note"} added. */
void screen_decisions_apply(json_t *decisions, const char *record, json_t *hits,
                            json_t **dismissed);

/* The list ("un") of a hit or list version id ("un-2026-02-27"). */
void screen_list_of(const char *version, char source[8]);

#endif
