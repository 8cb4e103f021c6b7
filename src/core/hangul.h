/*
 * hangul.h: romanisation of Korean written in Hangul, for display and for
 * matching names across sources that spell them differently.
 *
 * Four systems are produced from the syllable decomposition (no ICU):
 * Revised Romanization, McCune-Reischauer with breves and apostrophes, the
 * same as commonly typed (o, u, no apostrophes), and the DPRK's practice
 * (MR sounds, j for the plain affricate, kh/th/ph/ch for the aspirates).
 * The rules implemented and their limits are in docs/romanisation.md.
 *
 * Every function takes UTF-8 with an explicit length.  Input that is not
 * valid UTF-8, or holds a NUL byte, is refused with AT_EINVAL and a
 * message naming the byte offset.
 */
#ifndef HANGUL_H
#define HANGUL_H

#include "attest.h"

enum hangul_system {
    HANGUL_RR,       /* Revised Romanization (South Korea, 2000) */
    HANGUL_MR,       /* McCune-Reischauer: ŏ, ŭ, k' t' p' ch', n'g */
    HANGUL_MR_PLAIN, /* McCune-Reischauer without breves or apostrophes */
    HANGUL_DPRK,     /* DPRK practice: Phyongyang, Jagang, Ri Sol Ju */
};

/* Flags, or-ed together. */
enum {
    /* Capital first letter of each romanised word. */
    HANGUL_CAPITALISE = 1u << 0,
    /* Hyphen before an administrative suffix (도 시 군 구 구역 읍 면 리 동
     * 가) that follows at least two syllables: Hamgyeongbuk-do.  RR and the
     * DPRK spell the suffix on its own, as the standards say; MR keeps the
     * sounds of the whole word and puts the hyphen before 남도/북도 as a
     * unit (Hamgyŏng-bukto). */
    HANGUL_ADMIN_HYPHEN = 1u << 1,
    /* In hangul_name: hyphen between the syllables of the given name
     * (Jeong-eun, Chŏng-ŭn, Jong-un). */
    HANGUL_NAME_HYPHEN = 1u << 2,
};

/*
 * Appends the romanisation of text[0..len) in system sys to out.  Runs of
 * Hangul syllables are romanised as words, with the sound changes across
 * syllable boundaries; everything else (Latin, digits, spaces, punctuation,
 * loose jamo, Han characters) is copied unchanged.  On failure out is left
 * as it was.
 */
int hangul_romanise(struct at_ctx *ctx, const char *text, size_t len,
                    enum hangul_system sys, unsigned flags, struct buf *out);

/* A place name in every system, capitalised.  Each string is owned by the
 * struct; release them with hangul_place_free. */
struct hangul_place {
    char *rr;       /* Pyeongyang, Hamgyeongbuk-do */
    char *mr;       /* P'yŏngyang, Hamgyŏng-bukto */
    char *mr_plain; /* Pyongyang, Hamgyong-bukto */
    char *dprk;     /* Phyongyang, Hamgyongbuk-do */
};

/* Fills out with the romanisations of a place name; flags may add
 * HANGUL_ADMIN_HYPHEN.  On failure out is all NULL. */
int hangul_place(struct at_ctx *ctx, const char *name, size_t len,
                 unsigned flags, struct hangul_place *out);
void hangul_place_free(struct hangul_place *p);

/*
 * Appends the romanisation of a personal name, family name first, to out:
 * the family name, a space, then the given name as one word.  The name is
 * Hangul syllables only, with at most one space after the family name; if
 * there is no space the family name is the first syllable, or the first
 * two for the two-syllable family names (남궁, 황보, 선우, 제갈, 독고,
 * 사공, 서문) when three or more syllables follow.
 *
 *   RR          Kim Jeongeun      conventional surname, no sound changes
 *   MR          Kim Chŏngŭn       sound changes within the given name
 *   MR_PLAIN    Kim Chongun
 *   DPRK        Kim Jong Un       each given-name syllable a word
 *
 * HANGUL_NAME_HYPHEN gives Jeong-eun, Chŏng-ŭn, Chong-un, Jong-un.
 */
int hangul_name(struct at_ctx *ctx, const char *name, size_t len,
                enum hangul_system sys, unsigned flags, struct buf *out);

/* A set of distinct strings, owned by the struct. */
struct hangul_names {
    char **v;
    size_t n;
};

/*
 * Fills out with every plausible romanisation of a personal name (same
 * input rules as hangul_name), for a screening index: each conventional and
 * systematic spelling of the family name with each form of the given name
 * (RR joined and hyphenated; MR joined, hyphenated, spaced, with and without
 * marks; DPRK spaced and hyphenated; the common South Korean eo->u spelling),
 * then a lower-case ASCII copy of each (marks and apostrophes removed).
 * No string appears twice; a name gives some 20 to 150 strings (이 has six
 * family-name spellings).  On failure out is empty.  Release with
 * hangul_names_free.
 */
int hangul_name_variants(struct at_ctx *ctx, const char *name, size_t len,
                         struct hangul_names *out);
void hangul_names_free(struct hangul_names *names);

/* True when s is one of the strings in names. */
bool hangul_names_contain(const struct hangul_names *names, const char *s);

#endif
