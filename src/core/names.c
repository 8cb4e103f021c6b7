/*
 * names.c: normalisation, Korean variant folding, word classes and
 * Jaro-Winkler (see names.h).  ASCII names take a fast path that needs no
 * ICU; other text goes through ICU's NFKC case folding, its Any-Latin
 * transliterator when a script other than Latin is present, and an NFD
 * pass that drops marks.  Hangul is romanised by hangul.c before that.
 */
#include "attest.h"
#include "hangul.h"
#include "names.h"
#include "names_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

void names_forms_free(struct name_forms *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->form[i]);
    f->n = 0;
}

static bool is_apostrophe(UChar32 c)
{
    return c == '\'' || c == '`' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x02BB
        || c == 0x00B4;
}

/* Appends the words of ASCII text s, lower case, single-spaced. */
static void ascii_form(const char *s, struct buf *out)
{
    bool space = false;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c)) {
            if (space && out->len)
                buf_putc(out, ' ');
            space = false;
            buf_putc(out, (char)tolower(c));
        } else if (!is_apostrophe(c)) {
            space = true;
        }
    }
}

static pthread_mutex_t translit_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *translit;

/* Transliterates u (capacity cap, length *len) to Latin in place. */
static int to_latin(UChar *u, int32_t *len, int32_t cap)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t limit = *len;

    pthread_mutex_lock(&translit_lock);
    if (translit == NULL) {
        static const UChar id[] = u"Any-Latin";
        translit = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
    }
    if (translit && U_SUCCESS(err))
        utrans_transUChars(translit, u, len, cap, 0, &limit, &err);
    pthread_mutex_unlock(&translit_lock);
    return U_SUCCESS(err) && translit ? AT_OK : AT_ERR;
}

static bool needs_transliteration(const UChar *u, int32_t n)
{
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        UErrorCode err = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &err);
        if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED && sc != USCRIPT_LATIN)
            return true;
    }
    return false;
}

/* Appends the Latin words of UTF-8 text s (any script but Hangul), or,
 * when native, its words in their own script (case folded, NFKC). */
static int unicode_form(struct at_ctx *ctx, const char *s, bool native, struct buf *out)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0, cap;
    UChar *u, *v = NULL;
    int rc = AT_OK;

    u_strFromUTF8(NULL, 0, &n, s, -1, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        return ctx_error(ctx, AT_EINVAL, "the name is not valid UTF-8");
    cap = n * 4 + 16;
    u = xmalloc((size_t)cap * sizeof *u);
    err = U_ZERO_ERROR;
    u_strFromUTF8(u, cap, &n, s, -1, &err);
    if (U_FAILURE(err)) {
        rc = ctx_error(ctx, AT_EINVAL, "the name is not valid UTF-8");
        goto out;
    }
    if (!native && needs_transliteration(u, n) && to_latin(u, &n, cap) != AT_OK) {
        rc = ctx_error(ctx, AT_ERR, "ICU transliteration failed");
        goto out;
    }
    const UNormalizer2 *fold = unorm2_getNFKCCasefoldInstance(&err);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
    int32_t vcap = n * 4 + 16, m;
    v = xmalloc((size_t)vcap * sizeof *v);
    m = unorm2_normalize(fold, u, n, v, vcap, &err);
    if (native && U_SUCCESS(err)) {
        memcpy(u, v, (size_t)m * sizeof *u);
        n = m;
    } else {
        n = U_SUCCESS(err) ? unorm2_normalize(nfd, v, m, u, cap, &err) : 0;
    }
    if (U_FAILURE(err)) {
        rc = ctx_error(ctx, AT_ERR, "ICU normalisation failed: %s", u_errorName(err));
        goto out;
    }
    bool space = false;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        if (u_charType(c) == U_NON_SPACING_MARK || is_apostrophe(c))
            continue;
        if (!u_isalnum(c)) {
            space = true;
            continue;
        }
        if (space && out->len)
            buf_putc(out, ' ');
        space = false;
        char utf8[4];
        int32_t k = 0;
        UBool bad = false;
        U8_APPEND((uint8_t *)utf8, k, 4, c, bad);
        if (!bad)
            buf_append(out, utf8, (size_t)k);
    }
out:
    free(u);
    free(v);
    return rc;
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* Adds form s (normalised from Latin, or other scripts; in its own
 * script when native) unless present. */
static int add_form_as(struct at_ctx *ctx, const char *s, bool native, struct name_forms *out)
{
    struct buf b = BUF_INIT;
    int rc = AT_OK;

    if (is_ascii(s))
        ascii_form(s, &b);
    else
        rc = unicode_form(ctx, s, native, &b);
    if (rc == AT_OK && b.len && !native)
        names_legal_forms(&b);
    if (rc == AT_OK && b.len) {
        for (size_t i = 0; i < out->n; i++)
            if (strcmp(out->form[i], b.data) == 0)
                goto out;
        if (out->n < NAMES_MAX_FORMS)
            out->form[out->n++] = buf_detach(&b);
    }
out:
    buf_free(&b);
    return rc;
}

static int add_form(struct at_ctx *ctx, const char *s, struct name_forms *out)
{
    return add_form_as(ctx, s, false, out);
}

/* Counts Hangul syllables in s and whether anything but syllables and
 * single spaces is there. */
static size_t hangul_syllables(const char *s, bool *only)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;

    *only = true;
    while (*p) {
        if (p[0] == 0xEA || (p[0] >= 0xEB && p[0] <= 0xED)) {
            uint32_t c = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            if (c >= 0xAC00 && c <= 0xD7A3 && p[1] && p[2]) {
                n++;
                p += 3;
                continue;
            }
        }
        if (*p != ' ')
            *only = false;
        p++;
    }
    return n;
}

/* ---- Cyrillic --------------------------------------------------------- */

/* ICU's Cyrillic-Latin is ISO 9 (ж ž, ч č, й j, я â), which loses letters
 * once marks are dropped (ч and ц both become c), so Cyrillic letters are
 * read by attest's own tables, twice: the English reading of Russian
 * (Путин putin, Хабаров khabarov, Джон jon), and the Korean reading of
 * names written in the Russian system for Korean (Ким Чен Ын kim chon un,
 * Пак Мён Хо pak myon ho): х h, ы u, э ae, е and ё after ч ж ш щ o, в
 * after a consonant w, чж j, and the aspirated кх тх пх чх as k t p ch. */
static const char *const cyr_english[32] = {
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
};

/* The letters of Kazakh, Ukrainian and Belarusian beyond Russian's, lower
 * case, with their Latin: the national romanisations' (Kazakh қ k, ұ ү u,
 * ғ g, ң ng, ө o, ә a, һ h; Ukrainian і i, ї yi, є ye, ґ g; Belarusian ў u). */
static const struct { uint32_t upper, lower; const char *latin; } cyr_more[] = {
    { 0x406, 0x456, "i" }, { 0x407, 0x457, "yi" }, { 0x404, 0x454, "ye" }, { 0x490, 0x491, "g" },
    { 0x40E, 0x45E, "u" }, { 0x49A, 0x49B, "k" }, { 0x4B0, 0x4B1, "u" }, { 0x4AE, 0x4AF, "u" },
    { 0x492, 0x493, "g" }, { 0x4A2, 0x4A3, "ng" }, { 0x4E8, 0x4E9, "o" }, { 0x4D8, 0x4D9, "a" },
    { 0x4BA, 0x4BB, "h" },
};

static bool has_cyrillic(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] >= 0xD0 && p[0] <= 0xD3 && (p[1] & 0xC0) == 0x80)
            return true;
    return false;
}

/* Lower-case Cyrillic letter c (0 when c is not one attest reads). */
static uint32_t cyr_lower(uint32_t c)
{
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c == 0x401)
        return 0x451;
    if ((c >= 0x430 && c <= 0x44F) || c == 0x451)
        return c;
    for (size_t i = 0; i < ARRAY_LEN(cyr_more); i++)
        if (c == cyr_more[i].upper || c == cyr_more[i].lower)
            return cyr_more[i].lower;
    return 0;
}

/* Ukrainian or Belarusian text (і ї є ґ ў): г is h there, и y, and й i. */
static bool cyr_ukrainian(const char *s)
{
    int32_t i = 0, len = (int32_t)strlen(s);

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        uint32_t l = c < 0 ? 0 : cyr_lower((uint32_t)c);
        if (l == 0x456 || l == 0x457 || l == 0x454 || l == 0x491 || l == 0x45E)
            return true;
    }
    return false;
}

/* Whether lower-case Cyrillic letter l is a consonant (other than в). */
static bool cyr_consonant(uint32_t l)
{
    static const uint32_t vowels[] = { 0x430, 0x435, 0x451, 0x438, 0x439, 0x43E, 0x443, 0x44A,
                                       0x44B, 0x44C, 0x44D, 0x44E, 0x44F, 0x432 };

    if (l < 0x430 || l > 0x44F)
        return false;
    for (size_t i = 0; i < ARRAY_LEN(vowels); i++)
        if (vowels[i] == l)
            return false;
    return true;
}

/* Appends s with its Cyrillic letters read in Latin: the English reading
 * of Russian, or the Korean one. */
static void cyrillic_latin(const char *s, bool korean, struct buf *out)
{
    int32_t i = 0, len = (int32_t)strlen(s);
    uint32_t prev = 0;
    bool ukr = !korean && cyr_ukrainian(s);

    while (i < len) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT(s, i, len, c);
        uint32_t l = c < 0 ? 0 : cyr_lower((uint32_t)c);
        if (l == 0) {
            buf_append(out, s + at, (size_t)(i - at));
            prev = 0;
            continue;
        }
        /* the next letter, for дж and the aspirated pairs */
        int32_t j = i;
        UChar32 d = 0;
        if (j < len)
            U8_NEXT(s, j, len, d);
        uint32_t nl = d < 0 ? 0 : cyr_lower((uint32_t)d);
        bool hush = prev == 0x447 || prev == 0x436 || prev == 0x448 || prev == 0x449;
        const char *lat;
        if ((l == 0x434 || (korean && l == 0x447)) && nl == 0x436) {   /* дж, and чж */
            lat = "j";
            i = j;
        } else if (korean && nl == 0x445 && (l == 0x43A || l == 0x442 || l == 0x43F || l == 0x447)) {
            lat = l == 0x43A ? "k" : l == 0x442 ? "t" : l == 0x43F ? "p" : "ch";   /* кх тх пх чх */
            i = j;
        } else if (l == 0x451) {
            lat = korean && hush ? "o" : "yo";
        } else if (l > 0x44F) {
            lat = "";
            for (size_t m = 0; m < ARRAY_LEN(cyr_more); m++)
                if (cyr_more[m].lower == l)
                    lat = cyr_more[m].latin;
        } else if (ukr && (l == 0x433 || l == 0x438 || l == 0x439)) {
            lat = l == 0x433 ? "h" : l == 0x438 ? "y" : "i";      /* г и й */
        } else if (ukr && (l == 0x44E || l == 0x44F) && prev != 0) {
            lat = l == 0x44E ? "iu" : "ia";   /* ю я after a consonant: Yuliia */
        } else if (korean && l == 0x445) {
            lat = "h";
        } else if (korean && l == 0x44B) {
            lat = "u";
        } else if (korean && l == 0x44D) {
            lat = "ae";
        } else if (korean && l == 0x435 && hush) {
            lat = "o";
        } else if (korean && l == 0x436) {
            lat = "j";
        } else if (korean && l == 0x432 && (cyr_consonant(prev) || prev == 0)) {
            lat = "w";      /* кван kwan, хван hwan, чхве chwe, ван wan */
        } else {
            lat = cyr_english[l - 0x430];
        }
        buf_puts(out, lat);
        prev = l;
    }
    buf_puts(out, "");
}

/* ---- shapes and native forms ------------------------------------------- */

/* Whether the word around p (in text beginning at start) is capitalised
 * words run together: all of it a capital followed by small letters,
 * twice or more (KimJongUn). */
static bool camel_word(const char *start, const char *p)
{
    const char *s = p, *e = p;
    int parts = 0;

    while (s > start && isalpha((unsigned char)s[-1]))
        s--;
    while (isalpha((unsigned char)*e))
        e++;
    for (const char *q = s; q < e;) {
        if (!isupper((unsigned char)*q++))
            return false;
        if (q == e && parts >= 2)
            break;  /* a last initial: TubaigySalahA */
        if (q == e || !islower((unsigned char)*q))
            return false;
        while (q < e && islower((unsigned char)*q))
            q++;
        parts++;
    }
    return parts >= 2;
}

/* The length in bytes of the letter (any script) at p followed by a dot,
 * or 0. */
static int32_t dotted_letter(const char *p)
{
    int32_t i = 0, len = (int32_t)strnlen(p, 8);
    UChar32 c;

    U8_NEXT(p, i, len, c);
    return c > 0 && u_isalpha(c) && p[i] == '.' ? i : 0;
}

/* Whether the byte before p (in text s) ends a letter or digit. */
static bool after_alnum(const char *s, const char *p)
{
    if (p == s)
        return false;
    int32_t i = (int32_t)(p - s);
    UChar32 c;
    U8_PREV(s, 0, i, c);
    return c > 0 && u_isalnum(c);
}

void names_reshape(const char *s, struct buf *out)
{
    for (const char *p = s; *p;) {
        const char *q = p;
        size_t k = 0, at = out->len;
        int32_t n;
        if (!after_alnum(s, p))
            while (k < 64 && (n = dotted_letter(q)) > 0 && !after_alnum(s, q)) {
                buf_append(out, q, (size_t)n);
                k++;
                q += n + 1;
                if (*q == ' ' && dotted_letter(q + 1))
                    q++;
            }
        if (k >= 3) {
            p = q;
            continue;
        }
        out->len = at;
        if (out->len && isupper((unsigned char)*p) && islower((unsigned char)out->data[out->len - 1])
            && camel_word(s, p))
            buf_putc(out, ' ');
        buf_putc(out, *p++);
    }
    buf_puts(out, "");
}

static bool is_han(UChar32 c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF);
}

/* Whether s is Chinese characters only (with spaces and punctuation). */
static bool all_han(const char *s)
{
    int32_t i = 0, len = (int32_t)strlen(s);
    bool any = false;

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0 || (c > 0x7F && !is_han(c) && u_isalnum(c)) || (c < 0x80 && isalnum(c)))
            return false;
        any |= c > 0x7F && is_han(c);
    }
    return any;
}

static pthread_mutex_t simplify_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *simplify;

/* The native form of Chinese text: simplified characters, one word
 * each (金铁三 -> "金 铁 三"), so that two names in characters compare
 * character by character. */
static void han_words(const char *s, struct buf *out)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0, cap;
    UChar *u;

    u_strFromUTF8(NULL, 0, &n, s, -1, &err);
    cap = n * 2 + 16;
    u = xmalloc((size_t)cap * sizeof *u);
    err = U_ZERO_ERROR;
    u_strFromUTF8(u, cap, &n, s, -1, &err);
    pthread_mutex_lock(&simplify_lock);
    if (simplify == NULL) {
        static const UChar id[] = u"Traditional-Simplified";
        UErrorCode e2 = U_ZERO_ERROR;
        simplify = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e2);
    }
    int32_t limit = n;
    if (simplify && U_SUCCESS(err))
        utrans_transUChars(simplify, u, &n, cap, 0, &limit, &err);
    pthread_mutex_unlock(&simplify_lock);
    for (int32_t i = 0; U_SUCCESS(err) && i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        char utf8[4];
        int32_t k = 0;
        UBool bad = false;
        U8_APPEND((uint8_t *)utf8, k, 4, c, bad);
        if (bad)
            continue;
        buf_append(out, utf8, (size_t)k);
        if (is_han(c))
            buf_putc(out, ' ');
    }
    buf_puts(out, "");
    free(u);
}

/* The native form of a Korean personal name: its family name apart from
 * its given name (최용호 -> "최 용호"). */
static void hangul_person_words(const char *s, struct buf *out)
{
    if (strchr(s, ' ') == NULL && strlen(s) > 3) {
        buf_append(out, s, 3);
        buf_putc(out, ' ');
        buf_puts(out, s + 3);
    } else {
        buf_puts(out, s);
    }
    buf_puts(out, "");
}

int names_normalise(struct at_ctx *ctx, const char *name0, struct name_forms *out)
{
    static const enum hangul_system systems[] = { HANGUL_DPRK, HANGUL_MR_PLAIN, HANGUL_RR };
    struct buf pre = BUF_INIT, rom = BUF_INIT, tab = BUF_INIT;
    bool only;
    size_t syl;
    int rc = AT_OK;

    out->n = 0;
    names_reshape(name0, &pre);
    const char *name = buf_str(&pre);
    if (is_ascii(name)) {
        rc = add_form(ctx, name, out);
        goto out;
    }
    if ((syl = hangul_syllables(name, &only)) == 0) {
        if (has_cyrillic(name)) {
            /* Cyrillic: the English reading, then the Korean one */
            for (int korean = 0; korean < 2 && rc == AT_OK; korean++) {
                buf_reset(&rom);
                cyrillic_latin(name, korean, &rom);
                rc = add_form(ctx, buf_str(&rom), out);
            }
            goto out;
        }
        /* the tables' reading first (a Japanese name in kanji), then
         * ICU's (the same characters read as Chinese) */
        if (names_read_tables(name, &tab))
            rc = add_form(ctx, buf_str(&tab), out);
        if (rc == AT_OK)
            rc = add_form(ctx, name, out);
        if (rc == AT_OK && all_han(name)) {
            /* Pinyin writes the given name as one word: Mao Zedong */
            const char *latin = out->n ? out->form[out->n - 1] : "";
            const char *sp = strchr(latin, ' ');
            if (sp && strchr(sp + 1, ' ') && !strchr(name, ' ')) {
                buf_reset(&rom);
                buf_append(&rom, latin, (size_t)(sp - latin) + 1);
                for (const char *q = sp + 1; *q; q++)
                    if (*q != ' ')
                        buf_putc(&rom, *q);
                rc = add_form(ctx, buf_str(&rom), out);
            }
            buf_reset(&rom);
            han_words(name, &rom);
            if (rc == AT_OK)
                rc = add_form_as(ctx, buf_str(&rom), true, out);
        }
        goto out;
    }
    /* A Korean company: its company words in English.  A short run of
     * Hangul alone is read as a personal name, family name first; anything
     * else is romanised word by word. */
    bool company = names_hangul_company(name, &tab);
    const char *text = company ? buf_str(&tab) : name;
    bool person = !company && only && syl >= 2 && syl <= 5;
    for (size_t i = 0; i < ARRAY_LEN(systems) && rc == AT_OK; i++) {
        buf_reset(&rom);
        rc = person ? hangul_name(ctx, text, strlen(text), systems[i], 0, &rom)
                    : hangul_romanise(ctx, text, strlen(text), systems[i], 0, &rom);
        if (rc != AT_OK && person) {
            /* not a name after all: romanise it as text */
            ctx_clear(ctx);
            buf_reset(&rom);
            rc = hangul_romanise(ctx, text, strlen(text), systems[i], 0, &rom);
        }
        if (rc == AT_OK)
            rc = add_form(ctx, buf_str(&rom), out);
    }
    /* and the name in Hangul, to compare with names in Hangul first */
    if (rc == AT_OK) {
        buf_reset(&rom);
        if (person)
            hangul_person_words(name, &rom);
        else
            buf_puts(&rom, name);
        rc = add_form_as(ctx, buf_str(&rom), true, out);
    }
out:
    buf_free(&pre);
    buf_free(&rom);
    buf_free(&tab);
    if (rc != AT_OK)
        names_forms_free(out);
    return rc;
}

/* ---- variant folding -------------------------------------------------- */

void names_fold_token(const char *w, size_t len, struct buf *out)
{
    /* Whole-word spellings of family names that the rules below would not
     * bring together. */
    static const struct { const char *word, *key; } whole[] = {
        { "lee", "i" }, { "rhee", "i" }, { "yi", "i" }, { "rhie", "i" }, { "ree", "i" },
        { "li", "i" }, { "ri", "i" }, { "park", "bag" }, { "bahk", "bag" },
        { "choi", "joe" }, { "choe", "joe" }, { "chey", "joe" }, { "chwe", "joe" },
        { "roh", "no" }, { "noh", "no" }, { "ryu", "yu" }, { "yoo", "yu" }, { "rhyu", "yu" },
        /* Arabic names spelt many ways in English */
        { "mohammed", "muhamad" }, { "mohamed", "muhamad" }, { "mohammad", "muhamad" },
        { "muhammed", "muhamad" }, { "mohamad", "muhamad" }, { "mohd", "muhamad" },
        { "hussein", "husein" }, { "husayn", "husein" }, { "hussain", "husein" }, { "husain", "husein" },
        { "ahmed", "ahmad" }, { "youssef", "yusuf" }, { "yousef", "yusuf" }, { "yousuf", "yusuf" },
        { "umar", "omar" }, { "osama", "usama" }, { "usamah", "usama" }, { "abdallah", "abdulah" },
        { "abdullah", "abdulah" }, { "othman", "udman" }, { "uthman", "udman" },
        { "mostafa", "musdafa" }, { "moustafa", "musdafa" }, { "mustapha", "musdafa" },
    };
    size_t start = out->len;

    /* a word in its own script (Hangul, Chinese) is its own key */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)w[i] >= 0x80) {
            buf_append(out, w, len);
            return;
        }
    for (size_t i = 0; i < ARRAY_LEN(whole); i++)
        if (strlen(whole[i].word) == len && memcmp(whole[i].word, w, len) == 0) {
            buf_puts(out, whole[i].key);
            return;
        }
    /* a misspelling of one of the long ones (Moammed, Mohamued) is folded
     * as it is, or it would be further from its name than before */
    for (size_t i = 0; len >= 5 && i < ARRAY_LEN(whole); i++)
        if (strlen(whole[i].word) >= 6 && names_one_edit(w, len, whole[i].word, strlen(whole[i].word))) {
            buf_puts(out, whole[i].key);
            return;
        }
    size_t i = 0;
    /* An initial r, l or n before i or y is silent in the South's spelling
     * (Ryonbong / Yonbong, Ri / I, Nyongbyon / Yongbyon). */
    if (len >= 2 && (w[0] == 'r' || w[0] == 'l' || w[0] == 'n') && (w[1] == 'i' || w[1] == 'y'))
        i = 1;
    else if (len >= 3 && (w[0] == 'r' || w[0] == 'l') && w[1] == 'h' && (w[2] == 'i' || w[2] == 'y'))
        i = 2;
    for (; i < len; i++) {
        char c = w[i], d = i + 1 < len ? w[i + 1] : '\0';
        char k = c;
        if ((c == 'p' || c == 't' || c == 'k') && d == 'h') {
            k = c == 'p' ? 'b' : c == 't' ? 'd' : 'g';
            i++;
        } else if (c == 't' && d == 'c' && i + 2 < len && w[i + 2] == 'h') {
            k = 'j';
            i += 2;
        } else if ((c == 'c' && d == 'h') || (c == 's' && d == 'h')) {
            k = c == 'c' ? 'j' : 's';
            i++;
        } else if (c == 'e' && (d == 'o' || d == 'u')) {
            k = d;
            i++;
        } else if ((c == 'o' && d == 'o') || (c == 'o' && d == 'u')) {
            k = c == 'o' && d == 'o' ? 'u' : 'o';
            i++;
        } else if (c == 'k' || c == 'c' || c == 'q') {
            k = 'g';
        } else if (c == 't') {
            k = 'd';
        } else if (c == 'p' || c == 'f') {
            k = 'b';
        } else if (c == 'w' && d == 'o' && i > 0) {
            k = 'w';
        } else if ((c == 'r' || c == 'n' || c == 'l') && d == 'y' && i > 0 && i + 2 < len
                   && strchr("aeiou", w[i - 1]) == NULL) {
            /* after a consonant: Kumryong, Kumnyong */
            continue;
        }
        /* doubled letters count once: Amnokkang / Amroggang */
        if (out->len > start && out->data[out->len - 1] == k)
            continue;
        buf_putc(out, k);
    }
}

/* ---- Korean syllables ------------------------------------------------ */


/* The folded keys of every Hangul syllable romanised alone in the DPRK,
 * McCune-Reischauer and Revised systems, in an open-addressing set built
 * once. */
#define SYL_SET_SIZE 16384
static char syl_keys[SYL_SET_SIZE][8];
static pthread_once_t syl_once = PTHREAD_ONCE_INIT;

static uint32_t syl_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static bool syl_find(const char *k, size_t n, bool add)
{
    if (n == 0 || n >= sizeof syl_keys[0])
        return false;
    for (uint32_t i = syl_hash(k, n) & (SYL_SET_SIZE - 1);; i = (i + 1) & (SYL_SET_SIZE - 1)) {
        if (syl_keys[i][0] == '\0') {
            if (add) {
                memcpy(syl_keys[i], k, n);
                syl_keys[i][n] = '\0';
            }
            return add;
        }
        if (memcmp(syl_keys[i], k, n) == 0 && syl_keys[i][n] == '\0')
            return true;
    }
}

static void syl_build(void)
{
    static const enum hangul_system systems[] = { HANGUL_DPRK, HANGUL_MR_PLAIN, HANGUL_RR };
    struct buf rom = BUF_INIT, key = BUF_INIT;

    for (uint32_t c = 0xAC00; c <= 0xD7A3; c++) {
        char s[3] = { (char)(0xE0 | (c >> 12)), (char)(0x80 | ((c >> 6) & 0x3F)), (char)(0x80 | (c & 0x3F)) };
        for (size_t i = 0; i < ARRAY_LEN(systems); i++) {
            struct at_ctx quiet = { 0 };
            buf_reset(&rom);
            buf_reset(&key);
            if (hangul_romanise(&quiet, s, 3, systems[i], 0, &rom) != AT_OK)
                continue;
            names_fold_token(rom.data, rom.len, &key);
            syl_find(key.data, key.len, true);
        }
    }
    buf_free(&rom);
    buf_free(&key);
}

bool names_korean_syllables(const char *key, size_t len)
{
    /* can[i]: key[0..i) splits into syllables */
    bool can[64] = { true };

    if (len == 0 || len >= sizeof can)
        return false;
    pthread_once(&syl_once, syl_build);
    for (size_t i = 1; i <= len; i++) {
        can[i] = false;
        for (size_t j = i > 7 ? i - 7 : 0; j < i && !can[i]; j++)
            can[i] = can[j] && syl_find(key + j, i - j, false);
    }
    return can[len];
}

bool names_korean_family(const char *key, size_t len)
{
    static const char *const families[] = {
        "an", "bae", "bag", "baeg", "bang", "beom", "bong", "byon", "ja", "jae", "jang", "je", "ji",
        "jin", "jo", "joe", "jon", "jong", "ju", "gam", "gang", "gi", "gil", "gim", "go", "gong",
        "gu", "gug", "gum", "gwag", "gwon", "ha", "ham", "han", "ho", "hong", "hwang", "hyon",
        "i", "im", "in", "ma", "maeng", "min", "mo", "mun", "myong", "na", "nam", "no", "o",
        "og", "om", "ra", "rim", "ryang", "ryo", "so", "sim", "sin", "son", "song", "sol",
        "u", "wang", "won", "ya", "yang", "yo", "yom", "yu", "yug", "yun",
    };

    for (size_t i = 0; len && i < ARRAY_LEN(families); i++)
        if (families[i][0] == key[0] && strncmp(families[i], key, len) == 0 && families[i][len] == '\0')
            return true;
    return false;
}

bool names_korean_name(const char *form)
{
    struct buf key = BUF_INIT;
    const char *last = strrchr(form, ' ');
    bool korean = false;

    if (last == NULL)
        return false;
    /* a family name first or last, then every word syllables */
    names_fold_token(form, strcspn(form, " "), &key);
    korean = names_korean_family(key.data, key.len);
    if (!korean) {
        buf_reset(&key);
        names_fold_token(last + 1, strlen(last + 1), &key);
        korean = names_korean_family(key.data, key.len);
    }
    for (const char *p = form; *p && korean;) {
        size_t len = strcspn(p, " ");
        buf_reset(&key);
        names_fold_token(p, len, &key);
        korean = key.len && names_korean_syllables(key.data, key.len);
        p += len;
        while (*p == ' ')
            p++;
    }
    buf_free(&key);
    return korean;
}

enum name_word_class names_word_class(const char *w, size_t len)
{
    static const char *const form[] = {
        "ag", "and", "bank", "chosen", "choson", "chosun", "cjsc", "co", "company", "corp",
        "corporation", "de", "dprk", "dprkn", "enterprise", "enterprises", "gen", "general", "gmbh",
        "group", "hoesa", "holding", "holdings", "inc", "incorporated", "industrial",
        "international", "joson", "jsc", "jv", "korea", "korean", "limited", "llc", "llp", "ltd",
        "muyok", "north", "of", "ojsc", "pjsc", "plc", "pte", "pty", "pvt", "sa", "sarl",
        "shipping", "spa", "the", "trade", "trading",
    };
    bool digits = len > 0;

    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)w[i]))
            digits = false;
    if (digits)
        return NAME_WORD_NUMBER;
    if ((len == 2 && memcmp(w, "ii", 2) == 0) || (len == 3 && memcmp(w, "iii", 3) == 0)
        || (len == 2 && memcmp(w, "iv", 2) == 0))
        return NAME_WORD_NUMBER;
    size_t lo = 0, hi = ARRAY_LEN(form);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(form[mid], w, len);
        if (c == 0 && form[mid][len] != '\0')
            c = 1;
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return NAME_WORD_FORM;
    }
    return NAME_WORD_PLAIN;
}

/* ---- Jaro-Winkler ----------------------------------------------------- */

#define JARO_STACK 256

/* One Jaro body for both element types: NAME(a, na, b, nb). */
#define DEFINE_JARO(NAME, T)                                                        \
    static double NAME(const T *a, size_t na, const T *b, size_t nb)                \
    {                                                                               \
        bool stack_a[JARO_STACK], stack_b[JARO_STACK];                              \
        bool *ma, *mb;                                                              \
        size_t window, matches = 0, trans = 0;                                      \
                                                                                    \
        if (na == 0 && nb == 0)                                                     \
            return 1.0;                                                             \
        if (na == 0 || nb == 0)                                                     \
            return 0.0;                                                             \
        window = (na > nb ? na : nb) / 2;                                           \
        window = window > 0 ? window - 1 : 0;                                       \
        if (na <= 64 && nb <= 64) {                                                 \
            /* the usual case: the matched letters as bits, nothing to clear */    \
            uint64_t fa = 0, fb = 0;                                                \
            for (size_t i = 0; i < na; i++) {                                       \
                size_t lo = i > window ? i - window : 0;                            \
                size_t hi = i + window + 1 < nb ? i + window + 1 : nb;              \
                for (size_t j = lo; j < hi; j++)                                    \
                    if (!((fb >> j) & 1) && a[i] == b[j]) {                         \
                        fa |= (uint64_t)1 << i;                                     \
                        fb |= (uint64_t)1 << j;                                     \
                        matches++;                                                  \
                        break;                                                      \
                    }                                                               \
            }                                                                       \
            if (matches == 0)                                                       \
                return 0.0;                                                         \
            for (; fa; fa &= fa - 1, fb &= fb - 1)                                  \
                trans += a[__builtin_ctzll(fa)] != b[__builtin_ctzll(fb)];          \
            double m = (double)matches;                                             \
            return (m / (double)na + m / (double)nb + (m - (double)trans / 2.0) / m) / 3.0; \
        }                                                                           \
        ma = na <= JARO_STACK ? stack_a : xmalloc(na);                              \
        mb = nb <= JARO_STACK ? stack_b : xmalloc(nb);                              \
        memset(ma, 0, na);                                                          \
        memset(mb, 0, nb);                                                          \
        for (size_t i = 0; i < na; i++) {                                           \
            size_t lo = i > window ? i - window : 0;                                \
            size_t hi = i + window + 1 < nb ? i + window + 1 : nb;                  \
            for (size_t j = lo; j < hi; j++)                                        \
                if (!mb[j] && a[i] == b[j]) {                                       \
                    ma[i] = mb[j] = true;                                           \
                    matches++;                                                      \
                    break;                                                          \
                }                                                                   \
        }                                                                           \
        for (size_t i = 0, j = 0; matches && i < na; i++) {                         \
            if (!ma[i])                                                             \
                continue;                                                           \
            while (!mb[j])                                                          \
                j++;                                                                \
            trans += a[i] != b[j];                                                  \
            j++;                                                                    \
        }                                                                           \
        if (ma != stack_a)                                                          \
            free(ma);                                                               \
        if (mb != stack_b)                                                          \
            free(mb);                                                               \
        if (matches == 0)                                                           \
            return 0.0;                                                             \
        double m = (double)matches;                                                 \
        return (m / (double)na + m / (double)nb + (m - (double)trans / 2.0) / m) / 3.0; \
    }

DEFINE_JARO(jaro_u32, uint32_t)
DEFINE_JARO(jaro_bytes, unsigned char)

/* Jaro on bytes of strings of 64 bytes or fewer, bit-parallel: the
 * positions of each byte of b as a bit mask, so that the first unmatched
 * equal byte in a's window is the lowest bit of (its mask, less the
 * matched, within the window): the same matches as jaro_bytes, without
 * scanning the window. */
static double jaro_bytes_bits(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    uint64_t pm[256], fa = 0, fb = 0;
    size_t window, matches = 0, trans = 0;

    if (na == 0 && nb == 0)
        return 1.0;
    if (na == 0 || nb == 0)
        return 0.0;
    window = (na > nb ? na : nb) / 2;
    window = window > 0 ? window - 1 : 0;
    /* only the masks of the bytes of a and b are read: clear those */
    for (size_t i = 0; i < na; i++)
        pm[a[i]] = 0;
    for (size_t j = 0; j < nb; j++)
        pm[b[j]] = 0;
    for (size_t j = 0; j < nb; j++)
        pm[b[j]] |= (uint64_t)1 << j;
    for (size_t i = 0; i < na; i++) {
        unsigned c = a[i];
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < nb ? i + window + 1 : nb;
        if (lo >= hi)
            continue;
        uint64_t range = (hi - lo == 64 ? ~(uint64_t)0 : (((uint64_t)1 << (hi - lo)) - 1)) << lo;
        uint64_t cand = pm[c] & ~fb & range;
        if (cand) {
            fb |= cand & (~cand + 1);
            fa |= (uint64_t)1 << i;
            matches++;
        }
    }
    if (matches == 0)
        return 0.0;
    for (; fa; fa &= fa - 1, fb &= fb - 1)
        trans += a[__builtin_ctzll(fa)] != b[__builtin_ctzll(fb)];
    double m = (double)matches;
    return (m / (double)na + m / (double)nb + (m - (double)trans / 2.0) / m) / 3.0;
}

double names_jaro(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return jaro_u32(a, na, b, nb);
}

/* Winkler's prefix bonus on a Jaro score j. */
static double winkler(double j, size_t prefix, double boost_threshold)
{
    if (j < boost_threshold)
        return j;
    return j + (double)(prefix < 4 ? prefix : 4) * 0.1 * (1.0 - j);
}

double names_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          double boost_threshold)
{
    size_t l = 0;

    while (l < 4 && l < na && l < nb && a[l] == b[l])
        l++;
    return winkler(jaro_u32(a, na, b, nb), l, boost_threshold);
}

double names_jaro_winkler_bytes(const char *a, size_t na, const char *b, size_t nb,
                                double boost_threshold)
{
    size_t l = 0;

    while (l < 4 && l < na && l < nb && a[l] == b[l])
        l++;
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    double j = na <= 64 && nb <= 64 ? jaro_bytes_bits(ua, na, ub, nb) : jaro_bytes(ua, na, ub, nb);
    return winkler(j, l, boost_threshold);
}
