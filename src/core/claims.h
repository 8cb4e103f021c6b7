/*
 * claims.h: figures stated in documents ("about 50,000 workers in Russia",
 * "at least $120 million a year"), recorded as claim records with their
 * quantity, unit, topic, period, place and the span of the document that
 * states them, so that the figures of many reports can be set side by
 * side.
 */
#ifndef CLAIMS_H
#define CLAIMS_H

#include "attest.h"
#include "model.h"
#include "store.h"

#include <jansson.h>

/* A claim to add: data holds its fields (document, span, quantity, unit,
 * topic, ...).  The span must lie inside the document's text; its text is
 * stored as "quote" (a quote given beforehand must be that text). */
struct claims_add {
    json_t *data;
    char id[RECORD_ID_MAX];   /* result */
};

/* Adds the claim in arg (a struct claims_add): an evlog_write function. */
int claims_add_write(struct at_ctx *ctx, struct store *st, void *arg);

/* The claims the session may read (with their documents), about topic (a
 * claim_topic code; NULL for all), ordered by topic, period and quantity:
 * a new JSON array of {"id", "document", "title", "publisher",
 * "document_date", "quantity", "unit", "qualifier", "topic", "period",
 * "place", "span", "quote"} (absent fields left out). */
int claims_list(struct at_ctx *ctx, struct store *st, const char *topic, json_t **out);

#endif
