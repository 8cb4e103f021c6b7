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
