/*
 * casework.h: what a caseworker does to a case beyond adding and amending
 * it: a sale put into its chain at a position or taken out, an ILO
 * indicator set on its checklist; and a case read with what belongs to
 * it, for `attest case show`, the API and the case page.
 *
 * A case's chain of sales is an ordered list inside the case (model.c,
 * FIELD_SALES): the order is the list's, so it is kept exactly by every
 * version, export and import.  Each change here is one new version of the
 * case, written by record_amend inside the caller's transaction (these
 * functions run under evlog_write), so it passes the one access check and
 * the one validator.
 */
#ifndef CASEWORK_H
#define CASEWORK_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

/* A sale put into a case's chain: evlog_write(ctx, st,
 * casework_sale_add_write, &(struct casework_sale){ ... }). */
struct casework_sale {
    const char *case_id;
    json_t *sale;          /* {seller, buyer, broker, place, date, price, currency, note} */
    size_t before;         /* put it before sale number `before` (from 1); 0 appends */
    size_t remove;         /* casework_sale_remove_write: the number of the sale to take out */
    const char *reason;    /* NULL: a default */
    const char *source;    /* an interview or document id, or NULL */
    size_t position;       /* out: where the sale now is (from 1) */
};
int casework_sale_add_write(struct at_ctx *ctx, struct store *st, void *arg);
int casework_sale_remove_write(struct at_ctx *ctx, struct store *st, void *arg);

/* An indicator set on a case's checklist.  indicator and status may be
 * written as people write them ("withheld wages", "passport held",
 * "observed", "yes"): vocab_match finds the code; otherwise the error
 * lists the valid codes and the nearest. */
struct casework_indicator {
    const char *case_id;
    const char *indicator;
    const char *status;
    const char *note;      /* NULL: none */
    const char *source;    /* an interview, document or witness id, or NULL */
    const char *reason;
    char code[48];         /* out: the indicator's code */
};
int casework_indicator_set_write(struct at_ctx *ctx, struct store *st, void *arg);

/*
 * The case id as the store's session may see it (record_read: the same
 * "no record" for one above its clearance): the version document with,
 * added,
 *   "chain": the sales in order, each with "n" (from 1), and where the
 *            gazetteer knows its place "lat", "lon" and "region";
 *   "checklist": all eleven indicators in the ILO's order, each {code,
 *            label, label_ko, status ("unknown" when not recorded), note,
 *            source};
 *   "dependants", "referrals": the version documents of those that refer
 *            to the case and that the session may read (referrals are
 *            confidential by default, so most readers see none).
 * *out is the caller's.
 */
int casework_read(struct at_ctx *ctx, struct store *st, const char *id, json_t **out);

/* The region of a place as words: the province of a place in North Korea,
 * the country of another place the gazetteer knows, else the words as
 * written ("not given" when place is NULL or empty).  Sets *lat and *lon
 * (when not NULL) and returns true when the gazetteer knows the place. */
bool casework_region(const char *place, struct buf *region, double *lat, double *lon);

#endif
