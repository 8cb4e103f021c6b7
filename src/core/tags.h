/*
 * tags.h: suggested links from a document's text to places, records,
 * listed entries, dates and quantities, and the analyst's review of them.
 *
 * A tag is found by the tagger (tagger.h) when a document is imported and
 * stored as "suggested" with its exact span (code points of the
 * document's text, end exclusive).  Nothing is linked until an analyst
 * accepts it: accepting a tag on an organisation or person adds an
 * information relation from the document to that record (rejecting it
 * later retracts the relation), and every decision is entered in the log
 * (kind "tag").  Tags live in the table doc_tag; they are read only by
 * those who may read their document, and a tag on a record the reader may
 * not see is left out.
 */
#ifndef TAGS_H
#define TAGS_H

#include "attest.h"
#include "store.h"
#include "tagger.h"

#include <jansson.h>

/* The dictionary for the store's session: every spelling of every
 * gazetteer place, the names of the organisations and persons it may read,
 * and the names of the entries of the newest version of each sanctions
 * list.  *out is the caller's (tagger_free). */
int tags_dictionary(struct at_ctx *ctx, struct store *st, struct tagger **out);

/* Adds the gazetteer's places to t (what tags_dictionary starts with). */
void tags_add_places(struct tagger *t);

/* Tags text, the text of document doc, with dict, storing each mention as
 * a suggested tag; *count is how many.  Inside a transaction. */
int tags_suggest(struct at_ctx *ctx, struct store *st, struct tagger *dict, const char *doc,
                 const char *text, size_t *count);

/* The tags of document doc (which the session must be able to read), in
 * order of span, as a new JSON array of {"id", "start", "end", "kind",
 * "target", "label", "text", "status", and when decided "decided_by",
 * "decided_at", and "relation" when accepting linked a record}. */
int tags_list(struct at_ctx *ctx, struct store *st, const char *doc, json_t **out);

/* A decision on tags: status "accepted" or "rejected". */
struct tags_decision {
    const long *ids;
    size_t n;
    const char *status;
    size_t changed;   /* result: tags whose status changed */
};

/* Decides every tag in arg (a struct tags_decision), all or none: an
 * evlog_write function. */
int tags_decide_write(struct at_ctx *ctx, struct store *st, void *arg);

#endif
