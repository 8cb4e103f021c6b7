/*
 * hangul.c: Revised Romanization, McCune-Reischauer (with and without
 * marks) and DPRK-style romanisation of Hangul, and the spelling variants
 * of Korean personal names that a screening index needs.
 *
 * A syllable U+AC00 + (initial * 21 + medial) * 28 + final is split into
 * its jamo.  Each seam between two syllables of a word is first resolved
 * into sounds (the final consonant either moves to the next syllable,
 * assimilates to the next initial, or stays as one of seven coda sounds);
 * then each system spells those sounds with its own letters.  RR spells
 * the consonants the same wherever they stand; MR and the DPRK voice
 * k/t/p/ch between voiced sounds and mark aspiration.
 */
#include "attest.h"
#include "hangul.h"

#include <stdlib.h>
#include <string.h>

/* Initial consonants, in Unicode order. */
enum {
    L_G, L_KK, L_N, L_D, L_TT, L_R, L_M, L_B, L_PP, L_S, L_SS, L_ZERO,
    L_J, L_JJ, L_CH, L_K, L_T, L_P, L_H
};

/* The medials that change a neighbouring consonant. */
enum { V_YEO = 6, V_WI = 16, V_I = 20 };

/* Final consonants, in Unicode order (0 is none). */
enum {
    T_NONE, T_G, T_GG, T_GS, T_N, T_NJ, T_NH, T_D, T_L, T_LG, T_LM, T_LB,
    T_LS, T_LT, T_LP, T_LH, T_M, T_B, T_BS, T_S, T_SS, T_NG, T_J, T_CH,
    T_K, T_T, T_P, T_H
};

/* The sound a syllable ends in, and C_START for "no syllable before":
 * the seven coda sounds of Korean plus an open syllable (C_NONE). */
enum { C_NONE, C_K, C_N, C_T, C_L, C_M, C_P, C_NG, C_START };

/* An internal fifth system: the common South Korean spelling of given
 * names (RR consonants, eo written u: Myung-bak, Il Sung). */
enum { SYS_POPULAR = HANGUL_DPRK + 1 };

#define SYL_FIRST 0xAC00u
#define SYL_LAST 0xD7A3u

struct syl {
    uint32_t cp;
    unsigned char l, v, t;
};

/* How two syllables of a romanised word meet. */
enum seam_kind {
    SEAM_SOUND,   /* one word: sound changes apply */
    SEAM_SPELLED, /* no change, but the next initial is voiced or not
                   * after the coda as written: Myŏng-bak, Ho-jin */
    SEAM_WORD,    /* no change; the next syllable starts a word */
    SEAM_VOICED,  /* no change; the next syllable is spelled as after a vowel */
};

struct seam {
    enum seam_kind kind;
    const char *join; /* written between the two syllables */
    bool cap;         /* capitalise the next syllable */
};

static const unsigned char coda_class[28] = {
    C_NONE, C_K, C_K, C_K, C_N, C_N, C_N, C_T, C_L, C_K, C_M, C_L, C_L, C_L,
    C_P, C_L, C_M, C_P, C_P, C_T, C_T, C_NG, C_T, C_T, C_K, C_T, C_P, C_T,
};

/* Before a vowel-initial syllable: what stays behind and what moves on. */
static const struct {
    unsigned char coda, onset;
} liaison[28] = {
    [T_G] = { C_NONE, L_G },   [T_GG] = { C_NONE, L_KK },
    [T_GS] = { C_K, L_SS },    [T_N] = { C_NONE, L_N },
    [T_NJ] = { C_N, L_J },     [T_NH] = { C_NONE, L_N },
    [T_D] = { C_NONE, L_D },   [T_L] = { C_NONE, L_R },
    [T_LG] = { C_L, L_G },     [T_LM] = { C_L, L_M },
    [T_LB] = { C_L, L_B },     [T_LS] = { C_L, L_SS },
    [T_LT] = { C_L, L_T },     [T_LP] = { C_L, L_P },
    [T_LH] = { C_NONE, L_R },  [T_M] = { C_NONE, L_M },
    [T_B] = { C_NONE, L_B },   [T_BS] = { C_P, L_SS },
    [T_S] = { C_NONE, L_S },   [T_SS] = { C_NONE, L_SS },
    [T_NG] = { C_NG, L_ZERO }, [T_J] = { C_NONE, L_J },
    [T_CH] = { C_NONE, L_CH }, [T_K] = { C_NONE, L_K },
    [T_T] = { C_NONE, L_T },   [T_P] = { C_NONE, L_P },
    [T_H] = { C_NONE, L_ZERO },
};

static const char *const coda_letters[8] = {
    "", "k", "n", "t", "l", "m", "p", "ng",
};

static const char *const rr_onset[19] = {
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "",
    "j", "jj", "ch", "k", "t", "p", "h",
};

/* MR and DPRK initials where they are not voiced. */
static const char *const mr_onset[19] = {
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "",
    "ch", "tch", "ch'", "k'", "t'", "p'", "h",
};

static const char *const mr_plain_onset[19] = {
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "",
    "ch", "tch", "ch", "k", "t", "p", "h",
};

static const char *const dprk_onset[19] = {
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "",
    "j", "jj", "ch", "kh", "th", "ph", "h",
};

static const char *const rr_vowel[21] = {
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
};

static const char *const mr_vowel[21] = {
    "a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i",
};

static const char *const plain_vowel[21] = {
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i",
};

static const char *const popular_vowel[21] = {
    "a", "ae", "ya", "yae", "u", "e", "yu", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
};

/*
 * Resolves the seam between a syllable ending in final t and one starting
 * with initial l and medial v: sets the coda sound left on the first and
 * the initial sounded on the second.
 */
static void seam_sounds(int t, int l, int v, int *coda, int *onset)
{
    int c = coda_class[t];

    *coda = c;
    *onset = l;
    if (t == T_NONE)
        return;
    if (l == L_ZERO) {
        *coda = liaison[t].coda;
        *onset = liaison[t].onset;
        if (v == V_I && t == T_D)
            *onset = L_J;       /* 굳이 guji */
        else if (v == V_I && t == T_T)
            *onset = L_CH;      /* 같이 gachi */
        return;
    }
    if (t == T_H || t == T_NH || t == T_LH) {
        int left = t == T_H ? C_NONE : t == T_NH ? C_N : C_L;
        int aspirated = l == L_G ? L_K : l == L_D ? L_T : l == L_J ? L_CH
                      : l == L_S ? L_SS : -1;
        if (aspirated >= 0) {
            *coda = left;
            *onset = aspirated;
            return;
        }
    }
    if (l == L_R && (c == C_L || c == C_N)) {
        *coda = C_L;            /* 신라 Silla, 별로 byeollo */
        return;
    }
    if (l == L_N && c == C_L) {
        *onset = L_R;           /* 설날 seollal */
        return;
    }
    if (l == L_R)
        *onset = L_N;           /* 종로 Jongno, 심리 simni */
    if (*onset == L_N || *onset == L_M) {
        if (c == C_K)
            *coda = C_NG;       /* 백마 Baengma, 독립 Dongnip */
        else if (c == C_T)
            *coda = C_N;
        else if (c == C_P)
            *coda = C_M;        /* 압록 Amnok */
    }
}

/* True for the sounds after which MR and the DPRK voice k, t, p, ch. */
static bool voiced_before(int prev)
{
    return prev == C_NONE || prev == C_N || prev == C_M || prev == C_NG
        || prev == C_L;
}

/* Appends the letters of initial l (before medial v), after a syllable that
 * ended in sound prev.  tight is false when a hyphen or space separates
 * them. */
static void put_onset(struct buf *b, int sys, int prev, int l, int v,
                      bool tight)
{
    if (l == L_R) {
        buf_puts(b, prev == C_L ? "l" : "r");
        return;
    }
    if (sys == HANGUL_RR || sys == SYS_POPULAR) {
        buf_puts(b, rr_onset[l]);
        return;
    }
    if (voiced_before(prev)) {
        switch (l) {
        case L_G:
            buf_puts(b, sys == HANGUL_MR && prev == C_N && tight ? "'g" : "g");
            return;
        case L_B:
            buf_puts(b, "b");
            return;
        case L_D:
            /* after l, Sino-Korean t and ch are tense, not voiced */
            buf_puts(b, prev == C_L ? "t" : "d");
            return;
        case L_J:
            if (sys != HANGUL_DPRK) {
                buf_puts(b, prev == C_L ? "ch" : "j");
                return;
            }
            break;
        }
    }
    if (l == L_S && v == V_WI && sys != HANGUL_DPRK) {
        buf_puts(b, "sh");
        return;
    }
    buf_puts(b, sys == HANGUL_MR ? mr_onset[l]
              : sys == HANGUL_MR_PLAIN ? mr_plain_onset[l] : dprk_onset[l]);
}

static void put_vowel(struct buf *b, int sys, int l, int v)
{
    switch (sys) {
    case HANGUL_RR:
        buf_puts(b, rr_vowel[v]);
        break;
    case HANGUL_MR:
        buf_puts(b, mr_vowel[v]);
        break;
    case SYS_POPULAR:
        buf_puts(b, v == V_YEO && l == L_ZERO ? "you" : popular_vowel[v]);
        break;
    default:
        buf_puts(b, plain_vowel[v]);
        break;
    }
}

/* Makes the letter at b->data[at] a capital: ASCII, ŏ or ŭ. */
static void capitalise_at(struct buf *b, size_t at)
{
    unsigned char *p = (unsigned char *)b->data + at;

    if (at >= b->len)
        return;
    if (*p >= 'a' && *p <= 'z')
        *p = (unsigned char)(*p - 'a' + 'A');
    else if (*p == 0xC5 && at + 1 < b->len && (p[1] == 0x8F || p[1] == 0xAD))
        p[1]--;                 /* ŏ U+014F -> Ŏ, ŭ U+016D -> Ŭ */
}

/*
 * Appends syllables s[0..n) spelled in sys.  seams[i] says how s[i] meets
 * s[i+1]; NULL means one word with every sound change.  cap capitalises the
 * first syllable (and those after a seam asking for it).
 */
static void spell_word(struct buf *b, const struct syl *s, size_t n, int sys,
                       const struct seam *seams, bool cap)
{
    static const struct seam one_word = { SEAM_SOUND, "", false };
    int prev = C_START, onset = n ? s[0].l : L_ZERO;
    bool tight = true, cap_next = cap;

    for (size_t i = 0; i < n; i++) {
        const struct seam *sm = NULL;
        int coda = coda_class[s[i].t], next = L_ZERO;
        size_t at = b->len;

        if (i + 1 < n) {
            sm = seams ? &seams[i] : &one_word;
            next = s[i + 1].l;
            if (sm->kind == SEAM_SOUND)
                seam_sounds(s[i].t, s[i + 1].l, s[i + 1].v, &coda, &next);
        }
        put_onset(b, sys, prev, onset, s[i].v, tight);
        put_vowel(b, sys, onset, s[i].v);
        buf_puts(b, coda_letters[coda]);
        if (cap_next)
            capitalise_at(b, at);
        if (sm == NULL)
            break;
        buf_puts(b, sm->join);
        tight = sm->join[0] == '\0';
        cap_next = cap && sm->cap;
        prev = sm->kind == SEAM_WORD ? C_START
             : sm->kind == SEAM_VOICED ? C_NONE : coda;
        onset = next;
    }
}

/* Decodes one UTF-8 character at s[*i], advancing *i.  Returns false for
 * malformed, overlong, surrogate or out-of-range sequences and for NUL. */
static bool utf8_next(const unsigned char *s, size_t len, size_t *i,
                      uint32_t *cp)
{
    size_t k = *i, need;
    uint32_t c = s[k], min;

    if (c == 0)
        return false;
    if (c < 0x80) {
        *cp = c;
        *i = k + 1;
        return true;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, c &= 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, c &= 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, c &= 0x07, min = 0x10000;
    else
        return false;
    if (len - k <= need)
        return false;
    for (size_t j = 1; j <= need; j++) {
        if ((s[k + j] & 0xC0) != 0x80)
            return false;
        c = c << 6 | (s[k + j] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return false;
    *cp = c;
    *i = k + need + 1;
    return true;
}

static struct syl syl_of(uint32_t cp)
{
    uint32_t x = cp - SYL_FIRST;

    return (struct syl){ cp, (unsigned char)(x / 588),
                         (unsigned char)(x / 28 % 21), (unsigned char)(x % 28) };
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_syllable(uint32_t cp)
{
    return cp >= SYL_FIRST && cp <= SYL_LAST;
}

static int bad_utf8(struct at_ctx *ctx, size_t at)
{
    return ctx_error(ctx, AT_EINVAL, "invalid UTF-8 at byte %zu", at);
}

/* A growable array of syllables. */
struct syls {
    struct syl *v;
    size_t n, cap;
};

static void syls_push(struct syls *a, uint32_t cp)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = syl_of(cp);
}

/* If the word ends in an administrative suffix after at least two
 * syllables, returns the index of the suffix's first syllable; else 0. */
static size_t admin_suffix(const struct syl *s, size_t n)
{
    static const uint32_t one[] = {
        0xB3C4 /* 도 */, 0xC2DC /* 시 */, 0xAD70 /* 군 */, 0xAD6C /* 구 */,
        0xC74D /* 읍 */, 0xBA74 /* 면 */, 0xB9AC /* 리 */, 0xB3D9 /* 동 */,
        0xAC00 /* 가 */,
    };

    if (n >= 4 && s[n - 2].cp == 0xAD6C && s[n - 1].cp == 0xC5ED)
        return n - 2;                           /* 구역 */
    if (n < 3)
        return 0;
    for (size_t i = 0; i < ARRAY_LEN(one); i++)
        if (s[n - 1].cp == one[i])
            return n - 1;
    return 0;
}

/* Appends one Hangul run, capitalised or not, with the suffix hyphen when
 * asked.  seams is scratch space for n - 1 entries. */
static void spell_run(struct buf *b, const struct syl *s, size_t n, int sys,
                      unsigned flags, struct seam *seams)
{
    size_t k = 0;

    for (size_t i = 0; i + 1 < n; i++)
        seams[i] = (struct seam){ SEAM_SOUND, "", false };
    if (flags & HANGUL_ADMIN_HYPHEN)
        k = admin_suffix(s, n);
    if (k > 0) {
        if (sys == HANGUL_RR)
            seams[k - 1] = (struct seam){ SEAM_WORD, "-", false };
        else if (sys == HANGUL_DPRK)
            seams[k - 1] = (struct seam){ SEAM_VOICED, "-", false };
        else if (k >= 3 && s[k].cp == 0xB3C4
                 && (s[k - 1].cp == 0xB0A8 || s[k - 1].cp == 0xBD81))
            seams[k - 2].join = "-";            /* Hamgyŏng-bukto */
        else
            seams[k - 1].join = "-";
    }
    spell_word(b, s, n, sys, seams, flags & HANGUL_CAPITALISE);
}

/* Spells the pending run of syllables, if any, and empties it.  *seams is
 * scratch space that grows with the run. */
static void flush_run(struct buf *out, struct syls *run, struct seam **seams,
                      size_t *seams_cap, int sys, unsigned flags)
{
    if (run->n == 0)
        return;
    if (*seams_cap < run->n) {
        *seams_cap = run->cap;
        *seams = xrealloc(*seams, *seams_cap * sizeof **seams);
    }
    spell_run(out, run->v, run->n, sys, flags, *seams);
    run->n = 0;
}

int hangul_romanise(struct at_ctx *ctx, const char *text, size_t len,
                    enum hangul_system sys, unsigned flags, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)text;
    struct syls run = { NULL, 0, 0 };
    struct seam *seams = NULL;
    size_t seams_cap = 0, start = out->len, i = 0;
    unsigned run_flags = flags;
    int rc = AT_OK;

    if ((unsigned)sys > HANGUL_DPRK)
        return ctx_error(ctx, AT_EINVAL, "unknown romanisation system %d", (int)sys);
    while (i < len) {
        size_t at = i;
        uint32_t cp;

        if (!utf8_next(p, len, &i, &cp)) {
            rc = bad_utf8(ctx, at);
            out->len = start;
            if (out->data)
                out->data[start] = '\0';
            goto out;
        }
        if (is_syllable(cp)) {
            /* capitals start words: 2023년 gives 2023nyeon */
            if (run.n == 0)
                run_flags = at > 0 && is_alnum(p[at - 1])
                          ? flags & ~HANGUL_CAPITALISE : flags;
            syls_push(&run, cp);
            continue;
        }
        flush_run(out, &run, &seams, &seams_cap, sys, run_flags);
        buf_append(out, p + at, i - at);
    }
    flush_run(out, &run, &seams, &seams_cap, sys, run_flags);
out:
    free(run.v);
    free(seams);
    return rc;
}

int hangul_place(struct at_ctx *ctx, const char *name, size_t len,
                 unsigned flags, struct hangul_place *out)
{
    struct buf b[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
    static const enum hangul_system order[4] = {
        HANGUL_RR, HANGUL_MR, HANGUL_MR_PLAIN, HANGUL_DPRK,
    };
    int rc = AT_OK;

    memset(out, 0, sizeof *out);
    for (int k = 0; k < 4 && rc == AT_OK; k++)
        rc = hangul_romanise(ctx, name, len, order[k],
                             flags | HANGUL_CAPITALISE, &b[k]);
    if (rc != AT_OK) {
        for (int k = 0; k < 4; k++)
            buf_free(&b[k]);
        return rc;
    }
    out->rr = buf_detach(&b[0]);
    out->mr = buf_detach(&b[1]);
    out->mr_plain = buf_detach(&b[2]);
    out->dprk = buf_detach(&b[3]);
    return AT_OK;
}

void hangul_place_free(struct hangul_place *p)
{
    free(p->rr);
    free(p->mr);
    free(p->mr_plain);
    free(p->dprk);
    memset(p, 0, sizeof *p);
}

/* Family names of two syllables. */
static const char *const double_surnames[] = {
    "남궁", "독고", "사공", "서문", "선우", "제갈", "황보",
};

/*
 * Conventional spellings of common family names, the usual South Korean
 * one first.  The systematic RR, MR and DPRK spellings are added to these
 * when variants are listed.
 */
static const struct {
    const char *hangul;
    const char *latin[7];
} surnames[] = {
    { "강", { "Kang", "Gang" } },
    { "고", { "Ko", "Koh", "Go" } },
    { "곽", { "Kwak", "Gwak" } },
    { "구", { "Koo", "Ku", "Gu" } },
    { "권", { "Kwon", "Gwon", "Kweon" } },
    { "길", { "Gil", "Kil" } },
    { "김", { "Kim", "Gim" } },
    { "나", { "Na", "Ra" } },
    { "남", { "Nam" } },
    { "남궁", { "Namgung", "Namkung", "Namgoong" } },
    { "노", { "Noh", "No", "Roh", "Ro" } },
    { "독고", { "Dokgo", "Tokko" } },
    { "라", { "Ra", "Na" } },
    { "량", { "Ryang", "Yang" } },
    { "려", { "Ryo", "Yeo", "Yo" } },
    { "로", { "Ro", "Roh", "Noh", "No" } },
    { "류", { "Ryu", "Yu", "Yoo" } },
    { "리", { "Ri", "Li", "Lee", "Yi", "Rhee" } },
    { "림", { "Rim", "Lim", "Im" } },
    { "명", { "Myung", "Myong", "Myeong" } },
    { "문", { "Moon", "Mun" } },
    { "박", { "Park", "Pak", "Bak" } },
    { "방", { "Bang", "Pang" } },
    { "배", { "Bae", "Pae" } },
    { "백", { "Baek", "Paek", "Paik" } },
    { "변", { "Byun", "Byeon", "Pyon" } },
    { "사공", { "Sagong" } },
    { "서", { "Seo", "Suh", "So" } },
    { "서문", { "Seomun", "Somun" } },
    { "석", { "Seok", "Suk", "Sok" } },
    { "선우", { "Sunwoo", "Seonu", "Sonu" } },
    { "성", { "Sung", "Seong", "Song" } },
    { "손", { "Son", "Sohn" } },
    { "송", { "Song" } },
    { "신", { "Shin", "Sin" } },
    { "심", { "Shim", "Sim" } },
    { "안", { "Ahn", "An" } },
    { "양", { "Yang", "Ryang" } },
    { "여", { "Yeo", "Yo", "Ryo" } },
    { "오", { "Oh", "O" } },
    { "우", { "Woo", "U" } },
    { "원", { "Won" } },
    { "유", { "Yoo", "Yu", "Ryu" } },
    { "윤", { "Yoon", "Yun" } },
    { "이", { "Lee", "Yi", "Rhee", "Ri", "I", "Li" } },
    { "임", { "Lim", "Im", "Rim" } },
    { "장", { "Jang", "Chang" } },
    { "전", { "Jeon", "Chun", "Chon", "Jun" } },
    { "정", { "Jeong", "Chong", "Jung", "Chung", "Cheong" } },
    { "제갈", { "Jegal", "Chegal" } },
    { "조", { "Cho", "Jo", "Joe" } },
    { "주", { "Joo", "Ju", "Chu" } },
    { "지", { "Ji", "Chi" } },
    { "진", { "Jin", "Chin" } },
    { "차", { "Cha" } },
    { "천", { "Cheon", "Chun", "Chon" } },
    { "최", { "Choi", "Choe", "Chey" } },
    { "태", { "Tae", "Thae" } },
    { "하", { "Ha" } },
    { "한", { "Han" } },
    { "허", { "Heo", "Hur", "Ho" } },
    { "현", { "Hyun", "Hyon", "Hyeon" } },
    { "홍", { "Hong" } },
    { "황", { "Hwang" } },
    { "황보", { "Hwangbo" } },
};

/* A personal name split into family and given name. */
struct kname {
    struct syls all;
    size_t nsur;       /* family-name syllables at the start of all */
    char surname[16];  /* the family name in UTF-8 */
};

static void put_utf8(struct buf *b, uint32_t cp)
{
    char u[3] = {
        (char)(0xE0 | cp >> 12), (char)(0x80 | (cp >> 6 & 0x3F)),
        (char)(0x80 | (cp & 0x3F)),
    };

    buf_append(b, u, 3);
}

/* Splits a name into family and given name; on success the caller frees
 * k->all.v. */
static int parse_name(struct at_ctx *ctx, const char *name, size_t len,
                      struct kname *k)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t i = 0, space_at = 0;
    bool spaced = false;
    struct buf sur = BUF_INIT;
    int rc = AT_OK;

    memset(k, 0, sizeof *k);
    while (i < len) {
        size_t at = i;
        uint32_t cp;

        if (!utf8_next(p, len, &i, &cp)) {
            rc = bad_utf8(ctx, at);
            goto out;
        }
        if (cp == ' ') {
            spaced = k->all.n > 0;
            continue;
        }
        if (!is_syllable(cp)) {
            rc = ctx_error(ctx, AT_EINVAL, "a Korean name is Hangul "
                           "syllables; byte %zu is not one", at);
            goto out;
        }
        if (spaced && space_at == 0 && k->all.n > 2) {
            rc = ctx_error(ctx, AT_EINVAL, "a Korean name is a family name "
                           "of one or two syllables, a space, then the given "
                           "name; the family name before byte %zu is longer",
                           at);
            goto out;
        }
        if (spaced && space_at == 0)
            space_at = k->all.n;
        spaced = false;
        syls_push(&k->all, cp);
    }
    if (k->all.n == 0) {
        rc = ctx_error(ctx, AT_EINVAL, "empty name");
        goto out;
    }
    k->nsur = space_at ? space_at : 1;
    if (space_at == 0 && k->all.n >= 3) {
        put_utf8(&sur, k->all.v[0].cp);
        put_utf8(&sur, k->all.v[1].cp);
        for (size_t j = 0; j < ARRAY_LEN(double_surnames); j++)
            if (strcmp(buf_str(&sur), double_surnames[j]) == 0)
                k->nsur = 2;
        buf_reset(&sur);
    }
    for (size_t j = 0; j < k->nsur; j++)
        put_utf8(&sur, k->all.v[j].cp);
    memcpy(k->surname, sur.data, sur.len + 1);
out:
    buf_free(&sur);
    if (rc != AT_OK) {
        free(k->all.v);
        k->all.v = NULL;
    }
    return rc;
}

/* Returns the conventional spellings of a family name, or NULL. */
static const char *const *conventional(const char *surname)
{
    for (size_t i = 0; i < ARRAY_LEN(surnames); i++)
        if (strcmp(surnames[i].hangul, surname) == 0)
            return surnames[i].latin;
    return NULL;
}

/* Appends a given name of n syllables, capitalised, with every seam of the
 * given kind and syllables joined by join. */
static void spell_given(struct buf *b, const struct syl *s, size_t n,
                        int sys, enum seam_kind kind, const char *join)
{
    struct seam *seams = xmalloc(n * sizeof *seams);

    for (size_t i = 0; i + 1 < n; i++)
        seams[i] = (struct seam){ kind, join, join[0] == ' ' };
    spell_word(b, s, n, sys, seams, true);
    free(seams);
}

int hangul_name(struct at_ctx *ctx, const char *name, size_t len,
                enum hangul_system sys, unsigned flags, struct buf *out)
{
    struct kname k;
    const char *const *conv;
    const struct syl *given;
    size_t ngiven;
    bool hyphen = flags & HANGUL_NAME_HYPHEN;
    int rc;

    if ((unsigned)sys > HANGUL_DPRK)
        return ctx_error(ctx, AT_EINVAL, "unknown romanisation system %d", (int)sys);
    rc = parse_name(ctx, name, len, &k);
    if (rc != AT_OK)
        return rc;
    given = k.all.v + k.nsur;
    ngiven = k.all.n - k.nsur;
    conv = conventional(k.surname);
    if (sys == HANGUL_RR && conv != NULL)
        buf_puts(out, conv[0]);
    else
        spell_word(out, k.all.v, k.nsur, sys, NULL, true);
    if (ngiven > 0) {
        buf_putc(out, ' ');
        if (sys == HANGUL_RR)
            spell_given(out, given, ngiven, sys, SEAM_WORD, hyphen ? "-" : "");
        else if (sys == HANGUL_DPRK)
            spell_given(out, given, ngiven, sys, SEAM_WORD, hyphen ? "-" : " ");
        else if (hyphen)
            spell_given(out, given, ngiven, sys, SEAM_SPELLED, "-");
        else
            spell_given(out, given, ngiven, sys, SEAM_SOUND, "");
    }
    free(k.all.v);
    return AT_OK;
}

static void names_add(struct hangul_names *names, const char *s)
{
    if (hangul_names_contain(names, s))
        return;
    names->v = xrealloc(names->v, (names->n + 1) * sizeof *names->v);
    names->v[names->n++] = xstrdup(s);
}

/* Appends s in lower-case ASCII: ŏ/ŭ lose their breve, apostrophes go. */
static void put_folded(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0xC5 && (p[1] == 0x8E || p[1] == 0x8F)) {
            buf_putc(b, 'o');
            p++;
        } else if (*p == 0xC5 && (p[1] == 0xAC || p[1] == 0xAD)) {
            buf_putc(b, 'u');
            p++;
        } else if (*p >= 'A' && *p <= 'Z') {
            buf_putc(b, (char)(*p - 'A' + 'a'));
        } else if (*p != '\'') {
            buf_putc(b, (char)*p);
        }
    }
}

int hangul_name_variants(struct at_ctx *ctx, const char *name, size_t len,
                         struct hangul_names *out)
{
    /* The forms of a given name: system, seams, and what joins syllables. */
    static const struct {
        int sys;
        enum seam_kind kind;
        const char *join;
    } forms[] = {
        { HANGUL_RR, SEAM_WORD, "" },
        { HANGUL_RR, SEAM_WORD, "-" },          /* Jeong-eun */
        { HANGUL_MR, SEAM_SOUND, "" },          /* Chŏngŭn */
        { HANGUL_MR, SEAM_SPELLED, "-" },       /* Myŏng-bak */
        { HANGUL_MR_PLAIN, SEAM_SOUND, "" },
        { HANGUL_MR_PLAIN, SEAM_SPELLED, "-" }, /* Ho-jin */
        { HANGUL_MR_PLAIN, SEAM_WORD, "-" },    /* Ho-chin */
        { HANGUL_MR_PLAIN, SEAM_WORD, " " },    /* Chong Un */
        { HANGUL_DPRK, SEAM_SOUND, "" },
        { HANGUL_DPRK, SEAM_WORD, "-" },        /* Jong-un */
        { HANGUL_DPRK, SEAM_WORD, " " },        /* Jong Un */
        { SYS_POPULAR, SEAM_WORD, "-" },        /* Myung-bak */
        { SYS_POPULAR, SEAM_WORD, " " },        /* Il Sung */
    };
    static const int systems[] = {
        HANGUL_RR, HANGUL_MR, HANGUL_MR_PLAIN, HANGUL_DPRK,
    };
    struct hangul_names sur = { NULL, 0 }, giv = { NULL, 0 };
    struct buf b = BUF_INIT;
    const char *const *conv;
    struct kname k;
    size_t ngiven;
    int rc;

    memset(out, 0, sizeof *out);
    rc = parse_name(ctx, name, len, &k);
    if (rc != AT_OK)
        return rc;
    conv = conventional(k.surname);
    for (size_t i = 0; conv != NULL && i < ARRAY_LEN(surnames[0].latin) && conv[i]; i++)
        names_add(&sur, conv[i]);
    for (size_t i = 0; i < ARRAY_LEN(systems); i++) {
        buf_reset(&b);
        spell_word(&b, k.all.v, k.nsur, systems[i], NULL, true);
        names_add(&sur, buf_str(&b));
    }
    ngiven = k.all.n - k.nsur;
    for (size_t i = 0; ngiven > 0 && i < ARRAY_LEN(forms); i++) {
        buf_reset(&b);
        spell_given(&b, k.all.v + k.nsur, ngiven, forms[i].sys,
                    forms[i].kind, forms[i].join);
        names_add(&giv, buf_str(&b));
    }
    for (size_t i = 0; i < sur.n; i++) {
        for (size_t j = 0; j < (ngiven ? giv.n : 1); j++) {
            buf_reset(&b);
            buf_puts(&b, sur.v[i]);
            if (ngiven)
                buf_printf(&b, " %s", giv.v[j]);
            names_add(out, buf_str(&b));
        }
    }
    for (size_t i = 0, n = out->n; i < n; i++) {
        buf_reset(&b);
        put_folded(&b, out->v[i]);
        names_add(out, buf_str(&b));
    }
    buf_free(&b);
    hangul_names_free(&sur);
    hangul_names_free(&giv);
    free(k.all.v);
    return AT_OK;
}

bool hangul_names_contain(const struct hangul_names *names, const char *s)
{
    for (size_t i = 0; i < names->n; i++)
        if (strcmp(names->v[i], s) == 0)
            return true;
    return false;
}

void hangul_names_free(struct hangul_names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->v[i]);
    free(names->v);
    names->v = NULL;
    names->n = 0;
}
