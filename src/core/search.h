/*
 * search.h: full-text search over every text field of the current records.
 * Words are found through SQLite FTS5's unicode61 tokenizer (with prefix
 * matching of the last word); Korean, Chinese and other non-Latin text is
 * also indexed by trigrams, so that a name is found inside a longer run of
 * Hangul written without spaces.  A place is found by any of its
 * spellings (gazetteer.h).  The index is derived data.
 */
#ifndef SEARCH_H
#define SEARCH_H

#include "attest.h"
#include "model.h"
#include "store.h"

#include <jansson.h>

/* Indexes the record doc stored at rowid of record_current, a row not
 * indexed yet (or forgotten), by the texts of search_text.h: the indexes
 * keep no copy of them.  Inside a transaction. */
int search_index_record(struct at_ctx *ctx, struct store *st, sqlite3_int64 rowid,
                        const struct type_spec *t, json_t *doc);

/* Drops what was indexed for rowid of record_current: before its doc
 * changes, since FTS5 reads the old text from the row to delete it. */
int search_forget(struct at_ctx *ctx, struct store *st, sqlite3_int64 rowid);

/* Empties the index (before a rebuild). */
int search_clear(struct at_ctx *ctx, struct store *st);

/* Sets (bulk) or restores the full-text indexes' write settings for a
 * bulk write inside the caller's transaction: see search.c. */
int search_bulk(struct at_ctx *ctx, struct store *st, bool bulk);

struct search_options {
    const char *type;        /* only records of this type; NULL for all */
    int max_clearance;       /* -1 for all the session may read; never above it */
    bool include_retracted;
    long limit;              /* 0: 50 */
    const char *mark_open;   /* put around each hit in the snippet */
    const char *mark_close;
};

/* Calls fn with each matching record (best first) and a snippet of the
 * text around the hit.  When the query is a spelling of a place of the
 * gazetteer, records that hold another of its spellings follow, each with
 * why: which spelling it was found as, and of which place ("found as
 * \"Hoeryong\", a spelling of 회령시 (Hoeryŏng)"); why is NULL for a
 * record that holds the query itself.  doc, snippet and why are borrowed
 * for the call. */
int search_query(struct at_ctx *ctx, struct store *st, const char *query,
                 const struct search_options *o,
                 int (*fn)(void *arg, json_t *doc, const char *snippet, const char *why),
                 void *arg);

/* What a record picker offers as one types: the records search_query
 * finds (the same gate: the session's clearance), each only as
 * {"id", "type", "clearance", "data": what names it (referrers.h's
 * summary)}, no snippet and no other field.  The caller logs the
 * confidential ones as offered (record_log_offers: once per user and
 * record), not read.  *out (an array) is the caller's. */
int search_offers(struct at_ctx *ctx, struct store *st, const char *query,
                  const struct search_options *o, json_t **out);

#endif
