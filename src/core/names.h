/*
 * names.h: names made comparable across scripts and romanisations, for
 * sanctions screening and record linkage.
 *
 * names_normalise gives the Latin forms of a name: NFKC and case folding
 * (ICU), marks and apostrophes dropped, other punctuation made a space;
 * Cyrillic, Chinese and other scripts transliterated with ICU (Chinese
 * characters by their Mandarin reading); Hangul romanised by hangul.h in
 * the DPRK, McCune-Reischauer and Revised Romanization forms.  A name
 * gives one form, or several when it holds Hangul.
 *
 * names_fold_token folds one normalised word into a key on which Korean
 * romanisation variants meet: Ri/Rhee/Lee/Yi, Pak/Park/Bak, Kim/Gim,
 * Jong/Chong/Jeong, k/g, ch/j, t/d, p/b, eo/o, eu/u, and an initial r, l
 * or n before i or y (Ryonbong/Yonbong).
 *
 * names_word_class says how much a word can tell two names apart:
 * company-form and generic words (Co, Ltd, Corporation, Trading, General,
 * Korea, Choson...) weigh little, numbers much.
 */
#ifndef NAMES_H
#define NAMES_H

#include "attest.h"

/* Up to NAMES_MAX_FORMS forms, each a NUL-terminated lower-case string of
 * words separated by single spaces; owned by the struct. */
#define NAMES_MAX_FORMS 4
struct name_forms {
    char *form[NAMES_MAX_FORMS];
    size_t n;
};

/* Fills out with the normalised forms of name (UTF-8).  Returns AT_EINVAL
 * for text that is not valid UTF-8.  Release with names_forms_free. */
int names_normalise(struct at_ctx *ctx, const char *name, struct name_forms *out);
void names_forms_free(struct name_forms *f);

/* Writes s to out with the shapes of writing that hide words undone:
 * dotted initials of three letters or more (K.O.M.I.D., U. S. A.) joined
 * into one word, and words run together in mixed case (KimJongUn) split
 * where a small letter meets a capital.  names_normalise does this first. */
void names_reshape(const char *s, struct buf *out);

/* Appends the variant-folding key of one normalised word to out. */
void names_fold_token(const char *word, size_t len, struct buf *out);

enum name_word_class {
    NAME_WORD_PLAIN,
    NAME_WORD_FORM,     /* company form or generic word: weighed down */
    NAME_WORD_NUMBER,   /* digits, or a roman numeral: decisive */
};
enum name_word_class names_word_class(const char *word, size_t len);

/* Whether a folded key (names_fold_token) is Korean syllables run
 * together as romanised ("yongchol", "jong"): two such keys that differ
 * are two names, not two spellings of one. */
bool names_korean_syllables(const char *key, size_t len);

/* Whether a folded key is one of the commonest Korean family names
 * (Kim, Ri, Pak, Choe, Jong... as keys: gim, i, bag, joe, jong). */
bool names_korean_family(const char *key, size_t len);

/* Whether a normalised form reads as a Korean personal name: two words
 * or more, each Korean syllables, the first or the last a common Korean
 * family name (Kim Yong Chol, Ri Su Yong). */
bool names_korean_name(const char *form);


/* Whether a and b are one edit apart: a letter more or less, one
 * replaced, or two neighbours swapped (or equal). */
bool names_one_edit(const char *a, size_t na, const char *b, size_t nb);

/* Jaro and Jaro-Winkler similarity of two strings of code units (bytes or
 * code points), in [0, 1].  names_jaro_winkler applies the prefix bonus
 * (p = 0.1, up to 4 characters) only when the Jaro similarity reaches
 * boost_threshold (0.7 in Winkler's definition; 0 applies it always). */
double names_jaro(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
double names_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          double boost_threshold);
/* The same on bytes. */
double names_jaro_winkler_bytes(const char *a, size_t na, const char *b, size_t nb,
                                double boost_threshold);

#endif
