/*
 * search_text.h: the texts a current record is indexed by in full text,
 * made in one place: for search_index_record (search.h), which writes
 * them, and for the SQL function search_text, through which the indexes'
 * external content (the views search_words_text, search_cjk_text and
 * search_short_text over record_current) gives the same texts back to
 * FTS5 for a snippet, a delete or a rebuild.  The indexes store no text.
 */
#ifndef SEARCH_TEXT_H
#define SEARCH_TEXT_H

#include "attest.h"
#include "model.h"

#include <jansson.h>
#include <sqlite3.h>

struct search_texts {
    struct buf words;   /* the id and every text field, a line each (search_words) */
    struct buf cjk;     /* the text fields with non-ASCII characters; empty if none (search_cjk) */
    struct buf grams;   /* their non-ASCII characters and pairs of them (search_short) */
};

/* Makes the texts of doc, a record of type t.  Free with search_texts_free. */
void search_texts_make(struct search_texts *x, const struct type_spec *t, json_t *doc);
void search_texts_free(struct search_texts *x);

/* Registers search_text(type, doc, which) on db: the text of which index
 * (0 words, 1 cjk, 2 short) for a row of record_current; NULL for 1 and 2
 * when the record has no non-ASCII text (it has no row there).  Every
 * connection needs it before it reads the indexes or migrates: the store
 * registers it as it connects.  Returns an SQLite code. */
int search_text_connect(sqlite3 *db);

/* True when s holds a byte past ASCII. */
bool search_has_non_ascii(const char *s);

/* The length in bytes of the UTF-8 character at s (short at a NUL). */
size_t search_utf8_len(const char *s);

#endif
