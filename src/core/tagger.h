/*
 * tagger.h: finding mentions in a text: names from a dictionary (places,
 * organisations, persons, listed entries), dates and quantities with
 * their unit.
 *
 * Names are matched by one automaton, a trie over the folded names (case,
 * diacritics, apostrophes, hyphens and spaces ignored, as the gazetteer
 * folds spellings), walked from every place where a word may begin: a
 * mention begins and ends at a word boundary, or anywhere inside Hangul
 * and Han text, where words run on into particles.  At one place the
 * longest name wins and mentions never overlap; the cost is one walk per
 * word start, never one pattern per name.
 *
 * Spans are given both in bytes of the UTF-8 text and in code points
 * (what the CLI, the API and the claims use), end exclusive, and always
 * cover whole code points of the original text.
 */
#ifndef TAGGER_H
#define TAGGER_H

#include "attest.h"

#include <stddef.h>

enum tag_kind {
    TAG_PLACE,        /* a gazetteer place; target: its Hangul name */
    TAG_ORGANISATION, /* an organisation record; target: its id */
    TAG_PERSON,       /* a person record; target: its id */
    TAG_LISTED,       /* a sanctions list entry; target: "VERSION KEY" */
    TAG_DATE,         /* target: the date in canonical form */
    TAG_QUANTITY,     /* target: "VALUE UNIT" (a quantity_unit code) */
};

/* "place", "organisation", ... */
const char *tagger_kind_name(enum tag_kind k);
/* Parses a kind's name; -1 when it names none. */
int tagger_kind_parse(const char *name);

struct tagger;

struct tagger_mention {
    size_t start, end;       /* bytes of the text */
    size_t cp_start, cp_end; /* code points */
    enum tag_kind kind;
    const char *target;      /* borrowed from the tagger, or from the mention's own buffer */
    const char *label;       /* what the target is called */
    char value[64];          /* dates and quantities: the target and label */
};

/* A new empty dictionary; tagger_free releases it. */
struct tagger *tagger_new(void);
void tagger_free(struct tagger *t);

/* Adds name as a spelling of target.  Names too short to be told from
 * ordinary words (fewer than 4 letters, or one Hangul or Han syllable) are
 * left out; returns whether it was added.  Copies the strings. */
bool tagger_add(struct tagger *t, const char *name, enum tag_kind kind, const char *target,
                const char *label);

/* Number of distinct folded names added. */
size_t tagger_size(struct tagger *t);

/* Every mention in text (UTF-8, len bytes) in order of start: names (one
 * mention per target a name has), dates and quantities.  *out is a new
 * array the caller frees (free); returns the count.  Builds the automaton
 * on first use; after that tagger_add must not be called. */
size_t tagger_scan(struct tagger *t, const char *text, size_t len, struct tagger_mention **out);

/* The folded key of name (case, marks, separators dropped), as the tagger
 * matches it, appended to out. */
void tagger_fold(const char *name, struct buf *out);

#endif
