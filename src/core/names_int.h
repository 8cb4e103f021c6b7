/*
 * names_int.h: the readings of names_scripts.c, shared with names.c; not
 * for other modules.
 */
#ifndef NAMES_INT_H
#define NAMES_INT_H

#include "attest.h"

/* Writes s to out with the words that attest's tables know read in
 * Latin: Japanese names in kanji (only where the name is Japanese: kana
 * in it, a family name of two kanji or more at its start, or a family
 * name and a given name of the tables), Arabic
 * words of names (with the article al-), Thai and Khmer words of names.
 * Returns whether any word was read. */
bool names_read_tables(const char *s, struct buf *out);

/* A Korean company name in Hangul with its company words in English
 * (조선련봉총회사 -> "korea 련봉 general corporation"), into out; false
 * when it has none. */
bool names_hangul_company(const char *s, struct buf *out);

/* Brings the legal forms and company words of a normalised form to their
 * short forms (aktiengesellschaft ag, limited liability company llc,
 * corporation corp, choson korea), in place. */
void names_legal_forms(struct buf *form);

#endif
