/*
 * vocab.h: the controlled vocabularies (act types, site types, basis of
 * knowledge, reliability, clearance, ...).  Terms are stored by their
 * code; labels are for people.
 */
#ifndef VOCAB_H
#define VOCAB_H

#include "attest.h"

struct vocab_term {
    const char *code;     /* stored value, lower_snake_case */
    const char *label;    /* English label */
    const char *label_ko; /* Korean label */
};

struct vocab {
    const char *name;     /* e.g. "act_type" */
    const char *about;    /* one line: what the vocabulary classifies */
    const struct vocab_term *terms;
    size_t nterms;        /* terms are in their natural order (clearance: lowest first) */
};

/* All vocabularies, sorted by name. */
const struct vocab *vocab_all(size_t *count);
const struct vocab *vocab_find(const char *name);

/* The index of code in v, or -1. */
int vocab_index(const struct vocab *v, const char *code);

/* Appends "a, b, c" (the valid codes of v) to out, for error messages. */
void vocab_list_codes(const struct vocab *v, struct buf *out);

/*
 * The code of v that words name, as people write them: the code itself,
 * its English or Korean label, or one of its synonyms in either language
 * ("killing site", "execution ground", "처형장", "body site", "구류장"),
 * in any case, with "_", "-" and spaces alike, singular or plural, spaces
 * in Korean optional.  NULL when words name none.
 */
const char *vocab_match(const struct vocab *v, const char *words);

/* Appends the synonyms of code in v, "a | b | c", to out; nothing when it
 * has none. */
void vocab_synonyms(const struct vocab *v, const char *code, struct buf *out);

/* Appends "a, b, c": the (at most) n codes of v whose code, labels or
 * synonyms are spelled nearest to words, nearest first. */
void vocab_closest(const struct vocab *v, const char *words, size_t n, struct buf *out);

/* Clearance levels, lowest first: the order decides who may see what. */
enum clearance {
    CLEARANCE_PUBLIC,
    CLEARANCE_PARTNER,
    CLEARANCE_RESTRICTED,
    CLEARANCE_CONFIDENTIAL,
};

/* Parses a clearance code; AT_EINVAL listing the valid ones otherwise. */
int vocab_clearance_parse(struct at_ctx *ctx, const char *code, int *out);
const char *vocab_clearance_name(int level);

#endif
