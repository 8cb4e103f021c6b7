/*
 * canonical.h: the forms that are signed and hashed, in one place.  The
 * canonical text of a JSON document (what a log leaf, a bundle and a
 * signature cover) and the UTC timestamp every written thing carries.
 * Record versions, the log, keys, the vault and bundles all use these,
 * so that the same document always gives the same bytes.
 */
#ifndef CANONICAL_H
#define CANONICAL_H

#include <jansson.h>

/* Canonical text of a JSON document (sorted keys, compact, reals to 15
 * significant digits); caller frees. */
char *canonical_text(json_t *doc);

/* A member of an object, for canonical_text_merged. */
struct canonical_member {
    const char *key;
    json_t *value;
};

/* The canonical text of an object given its canonical text (len bytes)
 * and members to put in (n, sorted as canonical_text sorts keys), each
 * replacing the member of its key or added: the other members' bytes
 * copied from text, not written again (a version stored from one
 * received: its data as it came, its author, time and number its own).
 * NULL when text is not an object's canonical text as this reads it (a
 * key with an escape, say): then canonical_text of the object itself. */
char *canonical_text_merged(const char *text, size_t len, const struct canonical_member *set,
                            size_t n);

/* The document a canonical text holds (len bytes, not NUL-terminated):
 * the same as json_loadb(text, len, 0, NULL) gives, a new reference, or
 * NULL where that fails.  Read directly when the text keeps to the form
 * canonical_text writes, through json_loadb otherwise. */
json_t *canonical_parse(const char *text, size_t len);

/* The real a canonical text gives back for v: v at 15 significant
 * digits.  A document holding it is the document its text reads as. */
double canonical_real(double v);

/* Writes the current UTC time as 2026-11-28T01:50:12Z into out[21]. */
void canonical_now(char out[21]);

#endif
