/* referrers.h: the records that refer to one record, each with what a
 * reader needs to name it, in one query. */
#ifndef REFERRERS_H
#define REFERRERS_H

#include "attest.h"
#include "store.h"

#include <jansson.h>

/* As record_referrers (the same records, the same order, up to the
 * session's clearance), each as {"id", "field", "type", "retracted",
 * "summary"}: summary holds the data fields the record's title is made
 * from (the first there of title, name, code, names; or by type, an act's
 * act_type and event, a relation's kind, from and to, an interview's
 * date, interviewer and place; or description or summary, cut to
 * SUMMARY_CHARS characters).
 * The confidential ones among them are appended to shown (version
 * documents) for the read log. */
#define SUMMARY_CHARS 120

/* The summary above of one record's data (a new object): what names it. */
json_t *referrers_summary_of(const char *type, json_t *data);

int referrers_summary(struct at_ctx *ctx, struct store *st, const char *id, json_t **out,
                      json_t *shown);

#endif
