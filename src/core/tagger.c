/*
 * tagger.c: names, dates and quantities found in running text (see
 * tagger.h).
 *
 * The text is folded once, code point by code point, into a stream of
 * bytes that keeps, for each byte, where its code point began in the text
 * and whether a mention may begin or end there.  Folding a code point is
 * a table lookup (the Basic Multilingual Plane is folded once, with ICU,
 * into a static table), so a text costs one pass plus one trie walk per
 * word start, and most walks end after a byte or two.
 */
#include "attest.h"
#include "tagger.h"
#include "date.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

static const char *const kind_names[] = { "place", "organisation", "person", "listed", "date",
                                          "quantity" };

const char *tagger_kind_name(enum tag_kind k)
{
    return kind_names[k];
}

int tagger_kind_parse(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(kind_names); i++)
        if (strcmp(kind_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* ---- folding ------------------------------------------------------------------ */

enum cls { CLS_SEP, CLS_DROP, CLS_WORD, CLS_CJK };

struct folded {
    uint8_t cls, len;
    char bytes[14];
};

static struct folded bmp[0x10000];
static pthread_once_t bmp_once = PTHREAD_ONCE_INIT;

static bool is_cjk(UChar32 c)
{
    return (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3130 && c <= 0x318f)
           || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af)
           || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff);
}

static bool is_mark(UChar32 c)
{
    int8_t t = u_charType(c);
    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK
           || t == U_MODIFIER_LETTER || t == U_MODIFIER_SYMBOL;
}

/* c as the gazetteer folds it: decomposed, marks dropped, lower case. */
static void fold_cp(UChar32 c, struct folded *f)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
    UChar in[2], out[16];
    int32_t n = 0, m;

    f->len = 0;
    if (c < 0x80) {
        f->cls = isalnum(c) ? CLS_WORD : CLS_SEP;
        if (f->cls == CLS_WORD)
            f->bytes[f->len++] = (char)tolower(c);
        return;
    }
    if (is_mark(c)) {
        f->cls = CLS_DROP;
        return;
    }
    if (!u_isalnum(c)) {
        f->cls = CLS_SEP;
        return;
    }
    f->cls = is_cjk(c) ? CLS_CJK : CLS_WORD;
    U16_APPEND_UNSAFE(in, n, c);
    m = U_SUCCESS(err) ? unorm2_normalize(nfd, in, n, out, (int32_t)ARRAY_LEN(out), &err) : 0;
    for (int32_t i = 0; U_SUCCESS(err) && i < m;) {
        UChar32 d;
        U16_NEXT(out, i, m, d);
        if (is_mark(d))
            continue;
        d = u_tolower(d);
        if (f->len + U8_LENGTH(d) > (int)sizeof f->bytes)
            break;
        U8_APPEND_UNSAFE(f->bytes, f->len, d);
    }
    if (f->len == 0)
        f->cls = CLS_DROP;
}

static void bmp_build(void)
{
    for (UChar32 c = 0; c < 0x10000; c++)
        if (c < 0xd800 || c > 0xdfff)
            fold_cp(c, &bmp[c]);
}

/* The folding of the code point at s[*i] (advancing *i); invalid UTF-8 is
 * a separator one byte long. */
static const struct folded *next_folded(const char *s, size_t len, size_t *i, struct folded *spare)
{
    UChar32 c;
    int32_t k = (int32_t)*i, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;

    if ((unsigned char)s[*i] < 0x80) {
        (*i)++;
        return &bmp[(unsigned char)s[*i - 1]];
    }
    U8_NEXT(s, k, n, c);
    *i = (size_t)k;
    if (c < 0) {
        spare->cls = CLS_SEP;
        spare->len = 0;
        return spare;
    }
    if (c < 0x10000)
        return &bmp[c];
    fold_cp(c, spare);
    return spare;
}

void tagger_fold(const char *name, struct buf *out)
{
    struct folded spare;
    size_t len = strlen(name);

    pthread_once(&bmp_once, bmp_build);
    for (size_t i = 0; i < len;) {
        const struct folded *f = next_folded(name, len, &i, &spare);
        buf_append(out, f->bytes, f->len);
    }
}

/* ---- the dictionary and its trie ------------------------------------------------ */

struct entry {
    char *key;
    uint32_t keylen, target;
};

struct target {
    enum tag_kind kind;
    char *target, *label;
};

struct node {
    uint32_t edge, nedge;
    int32_t out;        /* the first entry of the key ending here, or -1 */
};

struct edge {
    uint8_t label;
    uint32_t child;
};

struct tagger {
    struct entry *entries;
    size_t nentries, cap_entries;
    struct target *targets;
    size_t ntargets, cap_targets;
    size_t nkeys;
    bool built;
    struct node *nodes;
    size_t nnodes, cap_nodes;
    struct edge *edges;
    size_t nedges, cap_edges;
    uint32_t root[256];
    uint64_t *prefixes;  /* a filter of every key's first PREFIX bytes, hashed */
    /* the folded text, reused from scan to scan */
    uint8_t *fb, *flags;
    uint32_t *fo;
    size_t fcap;
};

/* Every key is at least PREFIX folded bytes long (four letters, or two
 * syllables of three bytes); a walk whose first PREFIX bytes begin no key
 * is not started.  The filter is a bit per hash, PREFIX_BITS of them. */
#define PREFIX 4
#define PREFIX_BITS 24

static uint32_t prefix_hash(const uint8_t *b)
{
    uint32_t x = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return (x * 2654435761u) >> (32 - PREFIX_BITS);
}

static bool prefix_may_begin(const struct tagger *t, const uint8_t *b)
{
    uint32_t h = prefix_hash(b);
    return t->prefixes[h >> 6] >> (h & 63) & 1;
}

struct tagger *tagger_new(void)
{
    pthread_once(&bmp_once, bmp_build);
    return xcalloc(1, sizeof(struct tagger));
}

void tagger_free(struct tagger *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nentries; i++)
        free(t->entries[i].key);
    for (size_t i = 0; i < t->ntargets; i++) {
        free(t->targets[i].target);
        free(t->targets[i].label);
    }
    free(t->entries);
    free(t->targets);
    free(t->nodes);
    free(t->edges);
    free(t->prefixes);
    free(t->fb);
    free(t->flags);
    free(t->fo);
    free(t);
}

bool tagger_add(struct tagger *t, const char *name, enum tag_kind kind, const char *target,
                const char *label)
{
    struct buf key = BUF_INIT;
    struct folded spare;
    size_t len = strlen(name), letters = 0, cjk = 0;

    for (size_t i = 0; i < len;) {
        const struct folded *f = next_folded(name, len, &i, &spare);
        letters += f->cls == CLS_WORD;
        cjk += f->cls == CLS_CJK;
        buf_append(&key, f->bytes, f->len);
    }
    if (key.len < PREFIX || (cjk < 2 && letters + 2 * cjk < 4) || key.len > UINT32_MAX) {
        buf_free(&key);
        return false;
    }
    if (t->ntargets == 0 || t->targets[t->ntargets - 1].kind != kind
        || strcmp(t->targets[t->ntargets - 1].target, target) != 0) {
        if (t->ntargets == t->cap_targets) {
            t->cap_targets = t->cap_targets ? 2 * t->cap_targets : 256;
            t->targets = xrealloc(t->targets, t->cap_targets * sizeof *t->targets);
        }
        t->targets[t->ntargets++] = (struct target){ kind, xstrdup(target), xstrdup(label) };
    }
    if (t->nentries == t->cap_entries) {
        t->cap_entries = t->cap_entries ? 2 * t->cap_entries : 1024;
        t->entries = xrealloc(t->entries, t->cap_entries * sizeof *t->entries);
    }
    t->entries[t->nentries].keylen = (uint32_t)key.len;
    t->entries[t->nentries].key = buf_detach(&key);
    t->entries[t->nentries++].target = (uint32_t)(t->ntargets - 1);
    return true;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp(x->key, y->key, n);

    if (c != 0)
        return c;
    if (x->keylen != y->keylen)
        return x->keylen < y->keylen ? -1 : 1;
    return x->target < y->target ? -1 : x->target > y->target;
}

static uint32_t new_node(struct tagger *t)
{
    if (t->nnodes == t->cap_nodes) {
        t->cap_nodes = t->cap_nodes ? 2 * t->cap_nodes : 1024;
        t->nodes = xrealloc(t->nodes, t->cap_nodes * sizeof *t->nodes);
    }
    t->nodes[t->nnodes] = (struct node){ 0, 0, -1 };
    return (uint32_t)t->nnodes++;
}

/* Builds the trie breadth first from the sorted entries: the keys under a
 * node are a run of entries, and its children's runs follow each other,
 * so each node's edges are contiguous and sorted. */
static void build(struct tagger *t)
{
    struct job {
        uint32_t node;
        size_t lo, hi, depth;
    } *queue;
    size_t head = 0, tail = 0, cap = 1024;

    if (t->nentries)
        qsort(t->entries, t->nentries, sizeof *t->entries, entry_cmp);
    t->prefixes = xcalloc((size_t)1 << (PREFIX_BITS - 6), sizeof *t->prefixes);
    for (size_t i = 0; i < t->nentries; i++) {
        uint32_t h = prefix_hash((const uint8_t *)t->entries[i].key);
        t->prefixes[h >> 6] |= (uint64_t)1 << (h & 63);
    }
    queue = xmalloc(cap * sizeof *queue);
    queue[tail++] = (struct job){ new_node(t), 0, t->nentries, 0 };
    while (head < tail) {
        struct job j = queue[head++];
        size_t lo = j.lo;
        if (lo < j.hi && t->entries[lo].keylen == j.depth) {
            t->nodes[j.node].out = (int32_t)lo;
            t->nkeys++;
            while (lo < j.hi && t->entries[lo].keylen == j.depth)
                lo++;
        }
        t->nodes[j.node].edge = (uint32_t)t->nedges;
        while (lo < j.hi) {
            uint8_t b = (uint8_t)t->entries[lo].key[j.depth];
            size_t end = lo;
            while (end < j.hi && (uint8_t)t->entries[end].key[j.depth] == b)
                end++;
            uint32_t child = new_node(t);
            if (t->nedges == t->cap_edges) {
                t->cap_edges = t->cap_edges ? 2 * t->cap_edges : 1024;
                t->edges = xrealloc(t->edges, t->cap_edges * sizeof *t->edges);
            }
            t->edges[t->nedges++] = (struct edge){ b, child };
            t->nodes[j.node].nedge++;
            if (j.node == 0)
                t->root[b] = child;
            if (tail == cap) {
                cap *= 2;
                queue = xrealloc(queue, cap * sizeof *queue);
            }
            queue[tail++] = (struct job){ child, lo, end, j.depth + 1 };
            lo = end;
        }
    }
    free(queue);
    t->built = true;
}

size_t tagger_size(struct tagger *t)
{
    if (!t->built)
        build(t);
    return t->nkeys;
}

static uint32_t child_of(const struct tagger *t, uint32_t node, uint8_t b)
{
    const struct node *n = &t->nodes[node];
    size_t lo = n->edge, hi = (size_t)n->edge + n->nedge;

    if (node == 0)
        return t->root[b];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->edges[mid].label < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < (size_t)n->edge + n->nedge && t->edges[lo].label == b ? t->edges[lo].child : 0;
}

/* ---- mentions ------------------------------------------------------------------- */

struct mentions {
    struct tagger_mention *m;
    size_t n, cap;
};

static struct tagger_mention *push(struct mentions *ms, size_t start, size_t end, enum tag_kind kind)
{
    struct tagger_mention *m;

    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? 2 * ms->cap : 64;
        ms->m = xrealloc(ms->m, ms->cap * sizeof *ms->m);
    }
    m = &ms->m[ms->n++];
    memset(m, 0, sizeof *m);
    m->start = start;
    m->end = end;
    m->kind = kind;
    return m;
}

enum { F_START = 1, F_END = 2 };

/* Folds text into t's stream; returns its length. */
static size_t fold_text(struct tagger *t, const char *s, size_t len)
{
    struct folded spare;
    size_t n = 0, last = SIZE_MAX;
    int prev = CLS_SEP;
    bool gap = true;

    if (len * 3 + 16 > t->fcap) {
        t->fcap = len * 3 + 16;
        t->fb = xrealloc(t->fb, t->fcap);
        t->flags = xrealloc(t->flags, t->fcap);
        t->fo = xrealloc(t->fo, t->fcap * sizeof *t->fo);
    }
    for (size_t i = 0; i < len;) {
        size_t at = i;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && bmp[c].cls == CLS_WORD && !gap && prev == CLS_WORD) {
            /* the common case, a letter inside a word: no flags to set */
            t->fb[n] = (uint8_t)bmp[c].bytes[0];
            t->fo[n] = (uint32_t)i++;
            t->flags[n] = 0;
            last = n++;
            continue;
        }
        const struct folded *f = next_folded(s, len, &i, &spare);
        if (f->cls == CLS_SEP) {
            gap = true;
            continue;
        }
        if (f->cls == CLS_DROP)
            continue;
        if (n + f->len > t->fcap)
            break;  /* cannot happen: a code point folds to at most 3 bytes per byte */
        bool boundary = gap || prev != f->cls;
        if (last != SIZE_MAX && (boundary || prev == CLS_CJK))
            t->flags[last] |= F_END;
        for (size_t k = 0; k < f->len; k++) {
            t->fb[n + k] = (uint8_t)f->bytes[k];
            t->fo[n + k] = (uint32_t)at;
            t->flags[n + k] = 0;
        }
        if (boundary || f->cls == CLS_CJK)
            t->flags[n] |= F_START;
        n += f->len;
        last = n - 1;
        prev = f->cls;
        gap = false;
    }
    if (last != SIZE_MAX)
        t->flags[last] |= F_END;
    return n;
}

static size_t cp_len(const char *s, size_t at)
{
    unsigned char c = (unsigned char)s[at];
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static void scan_names(struct tagger *t, const char *s, size_t len, struct mentions *ms)
{
    size_t n = fold_text(t, s, len);

    for (size_t i = 0; i < n;) {
        if (!(t->flags[i] & F_START) || i + PREFIX > n || !prefix_may_begin(t, t->fb + i)) {
            i++;
            continue;
        }
        uint32_t node = 0;
        size_t best = SIZE_MAX;
        int32_t out = -1;
        for (size_t j = i; j < n; j++) {
            if ((node = child_of(t, node, t->fb[j])) == 0)
                break;
            if (t->nodes[node].out >= 0 && (t->flags[j] & F_END)) {
                best = j;
                out = t->nodes[node].out;
            }
        }
        if (out < 0) {
            i++;
            continue;
        }
        const struct entry *e = &t->entries[out];
        for (size_t k = (size_t)out; k < t->nentries && t->entries[k].keylen == e->keylen
                                     && memcmp(t->entries[k].key, e->key, e->keylen) == 0; k++) {
            const struct target *tg = &t->targets[t->entries[k].target];
            if (k > (size_t)out && t->entries[k].target == t->entries[k - 1].target)
                continue;
            struct tagger_mention *m = push(ms, t->fo[i], t->fo[best] + cp_len(s, t->fo[best]), tg->kind);
            m->target = tg->target;
            m->label = tg->label;
        }
        i = best + 1;
    }
}

/* ---- dates ---------------------------------------------------------------------- */

static const char *const months[] = { "january", "february", "march", "april", "may", "june", "july",
                                      "august", "september", "october", "november", "december" };

/* Length of the word (ASCII letters) at s[i]. */
static size_t word_len(const char *s, size_t len, size_t i)
{
    size_t k = i;
    while (k < len && isalpha((unsigned char)s[k]))
        k++;
    return k - i;
}

/* The month (1-12) that the word at s[i] names in full or by its first
 * three letters (with an optional dot), or 0; *end is after it. */
static int month_at(const char *s, size_t len, size_t i, size_t *end)
{
    size_t n = word_len(s, len, i);

    if (n < 3 || n > 9)
        return 0;
    for (int m = 0; m < 12; m++) {
        if (tolower((unsigned char)s[i]) != months[m][0])
            continue;
        if ((n == strlen(months[m]) || n == 3 || (n == 4 && m == 8)) && n <= strlen(months[m])
            && strncasecmp(s + i, months[m], n) == 0) {
            *end = i + n + (n < strlen(months[m]) && i + n < len && s[i + n] == '.');
            return m + 1;
        }
    }
    return 0;
}

/* Digits at s[i], at most max of them, at least min: their value, or -1. */
static long digits_at(const char *s, size_t len, size_t i, size_t min, size_t max, size_t *end)
{
    long v = 0;
    size_t k = i;

    while (k < len && k - i < max && isdigit((unsigned char)s[k]))
        v = v * 10 + (s[k++] - '0');
    if (k - i < min || (k < len && isdigit((unsigned char)s[k])))
        return -1;
    *end = k;
    return v;
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ')
        i++;
    return i;
}

static bool starts_with(const char *s, size_t len, size_t i, const char *word)
{
    size_t n = strlen(word);
    return i + n <= len && memcmp(s + i, word, n) == 0;
}

/* A date at s[i]: its end, with its canonical form in value; 0 when none. */
static size_t date_at(const char *s, size_t len, size_t i, char value[64])
{
    long y = -1, mo = 0, d = 0;
    size_t e, k;
    int m;

    if (isdigit((unsigned char)s[i])) {
        long a = digits_at(s, len, i, 1, 4, &e);
        if (a < 0)
            return 0;
        if (e - i == 4 && e + 3 <= len && s[e] == '-' && (mo = digits_at(s, len, e + 1, 2, 2, &k)) > 0) {
            y = a;
            e = k;
            if (e + 3 <= len && s[e] == '-' && (d = digits_at(s, len, e + 1, 2, 2, &k)) > 0)
                e = k;
            else
                d = 0;
        } else if (e - i == 4 && starts_with(s, len, e, "년")) {  /* 2019년 3월 12일 */
            y = a;
            e += strlen("년");
            k = skip_spaces(s, len, e);
            size_t k2;
            if ((mo = digits_at(s, len, k, 1, 2, &k2)) > 0 && starts_with(s, len, k2, "월")) {
                e = k2 + strlen("월");
                k = skip_spaces(s, len, e);
                if ((d = digits_at(s, len, k, 1, 2, &k2)) > 0 && starts_with(s, len, k2, "일"))
                    e = k2 + strlen("일");
                else
                    d = 0;
            } else {
                mo = 0;
            }
        } else if (e - i <= 2 && e < len && s[e] == ' ' && (m = month_at(s, len, e + 1, &k)) > 0
                   && k < len && s[k] == ' ' && (y = digits_at(s, len, k + 1, 4, 4, &e)) > 0) {
            d = a;   /* 12 March 2019 */
            mo = m;
        } else {
            return 0;
        }
    } else if ((m = month_at(s, len, i, &e)) > 0 && e < len && s[e] == ' ') {
        mo = m;
        if ((d = digits_at(s, len, e + 1, 1, 2, &k)) > 0 && k + 2 < len && s[k] == ',' && s[k + 1] == ' '
            && (y = digits_at(s, len, k + 2, 4, 4, &k)) > 0) {
            e = k;   /* March 12, 2019 */
        } else if ((y = digits_at(s, len, e + 1, 4, 4, &k)) > 0) {
            d = 0;   /* March 2019 */
            e = k;
        } else {
            return 0;
        }
    } else {
        return 0;
    }
    if (y < 1900 || y > 2099)
        return 0;
    if (mo == 0)
        snprintf(value, 64, "%04ld", y);
    else if (d == 0)
        snprintf(value, 64, "%04ld-%02ld", y, mo);
    else
        snprintf(value, 64, "%04ld-%02ld-%02ld", y, mo, d);
    struct at_ctx quiet = { 0 };
    struct fuzzy_date fd;
    return date_parse(&quiet, value, &fd) == AT_OK ? e : 0;
}

/* ---- quantities ------------------------------------------------------------------ */

static const struct {
    const char *word;
    double value;
} number_words[] = {
    { "one", 1 }, { "two", 2 }, { "three", 3 }, { "four", 4 }, { "five", 5 }, { "six", 6 },
    { "seven", 7 }, { "eight", 8 }, { "nine", 9 }, { "ten", 10 }, { "eleven", 11 },
    { "twelve", 12 }, { "fifteen", 15 }, { "twenty", 20 }, { "thirty", 30 }, { "forty", 40 },
    { "fifty", 50 }, { "sixty", 60 }, { "seventy", 70 }, { "eighty", 80 }, { "ninety", 90 },
    { "hundred", 100 }, { "thousand", 1000 }, { "dozens", 12 },
};

static const struct {
    const char *word;
    double factor;
} multipliers[] = {
    { "hundred", 1e2 }, { "thousand", 1e3 }, { "million", 1e6 }, { "billion", 1e9 },
    { "mn", 1e6 }, { "bn", 1e9 }, { "만", 1e4 }, { "천", 1e3 }, { "억", 1e8 },
};

/* Words for units, the quantity_unit codes they stand for; several words
 * in a row are one entry.  Korean words may take a particle after them. */
static const struct {
    const char *word, *unit;
} units[] = {
    { "%", "percent" }, { "percent", "percent" }, { "per cent", "percent" },
    { "people", "people" }, { "persons", "people" }, { "person", "people" },
    { "individuals", "people" }, { "명", "people" },
    { "workers", "workers" }, { "worker", "workers" }, { "labourers", "workers" },
    { "laborers", "workers" }, { "defectors", "defectors" }, { "defector", "defectors" },
    { "refugees", "refugees" }, { "arrivals", "arrivals" }, { "women", "women" },
    { "children", "children" }, { "US dollars", "usd" }, { "dollars", "usd" }, { "USD", "usd" },
    { "달러", "usd" }, { "yuan", "cny" }, { "RMB", "cny" }, { "CNY", "cny" }, { "위안", "cny" },
    { "won", "won" }, { "KPW", "kpw" }, { "KRW", "krw" }, { "원", "won" },
    { "euros", "eur" }, { "roubles", "rub" }, { "rubles", "rub" },
    { "miles", "miles" }, { "mile", "miles" }, { "km", "km" }, { "kilometres", "km" },
    { "kilometers", "km" }, { "kilometre", "km" }, { "kilometer", "km" },
};

static bool is_word_char(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* The unit word at s[i] and the end of it, or NULL. */
static const char *unit_at(const char *s, size_t len, size_t i, size_t *end)
{
    for (size_t u = 0; u < ARRAY_LEN(units); u++) {
        size_t n = strlen(units[u].word);
        bool korean = (unsigned char)units[u].word[0] >= 0x80;
        if (i + n > len || strncasecmp(s + i, units[u].word, n) != 0)
            continue;
        if (!korean && units[u].word[0] != '%' && i + n < len && is_word_char((unsigned char)s[i + n]))
            continue;
        *end = i + n;
        return units[u].unit;
    }
    return NULL;
}

/* A number at s[i] in digits (1,234.5) or words: its value and end. */
static bool number_at(const char *s, size_t len, size_t i, double *value, size_t *end)
{
    char digits[64];
    size_t k = i, n = 0;

    if (i < len && isdigit((unsigned char)s[i])) {
        while (k < len && n < sizeof digits - 1) {
            if (isdigit((unsigned char)s[k])) {
                digits[n++] = s[k++];
            } else if (s[k] == ',' && k + 3 < len + 0 && isdigit((unsigned char)s[k + 1])
                       && isdigit((unsigned char)s[k + 2]) && isdigit((unsigned char)s[k + 3])
                       && (k + 4 >= len || !isdigit((unsigned char)s[k + 4]))) {
                k++;
            } else if (s[k] == '.' && k + 1 < len && isdigit((unsigned char)s[k + 1])
                       && memchr(digits, '.', n) == NULL) {
                digits[n++] = s[k++];
            } else {
                break;
            }
        }
        digits[n] = '\0';
        *value = strtod(digits, NULL);
        *end = k;
        return true;
    }
    size_t w = word_len(s, len, i);
    for (size_t u = 0; u < ARRAY_LEN(number_words) && w > 0; u++)
        if (tolower((unsigned char)s[i]) == number_words[u].word[0] && w == strlen(number_words[u].word) && strncasecmp(s + i, number_words[u].word, w) == 0) {
            *value = number_words[u].value;
            *end = i + w;
            return true;
        }
    return false;
}

/* A quantity with its unit at s[i]: its end, value "VALUE UNIT"; 0 when none. */
static size_t quantity_at(const char *s, size_t len, size_t i, char value[64])
{
    const char *unit = NULL;
    double v;
    size_t k = i, e;

    if (starts_with(s, len, k, "US$")) {
        unit = "usd";
        k += 3;
    } else if (starts_with(s, len, k, "$")) {
        unit = "usd";
        k += 1;
    } else if (starts_with(s, len, k, "¥")) {
        unit = "cny";
        k += strlen("¥");
    } else if (starts_with(s, len, k, "₩")) {
        unit = "won";
        k += strlen("₩");
    }
    if (!number_at(s, len, k, &v, &e))
        return 0;
    for (;;) {   /* multipliers: "120 million", "fifty thousand", "3만" */
        size_t at = e < len && s[e] == ' ' ? e + 1 : e, found = 0;
        for (size_t m = 0; m < ARRAY_LEN(multipliers) && !found; m++) {
            size_t n = strlen(multipliers[m].word);
            bool korean = (unsigned char)multipliers[m].word[0] >= 0x80;
            if ((korean ? at == e : at > e) && starts_with(s, len, at, multipliers[m].word)
                && (korean || at + n >= len || !is_word_char((unsigned char)s[at + n]))) {
                v *= multipliers[m].factor;
                found = at + n;
            }
        }
        if (!found)
            break;
        e = found;
    }
    if (unit == NULL) {
        /* the unit, after at most two capitalised words: "50,000 North Korean workers" */
        size_t at = e;
        for (int skipped = 0; skipped <= 2 && unit == NULL; skipped++) {
            size_t w;
            if (at < len && s[at] == '%') {
                unit = "percent";
                e = at + 1;
                break;
            }
            at = skip_spaces(s, len, at);
            if ((unit = unit_at(s, len, at, &e)) != NULL)
                break;
            if (at >= len || !isupper((unsigned char)s[at]) || (w = word_len(s, len, at)) == 0)
                break;
            at += w;
        }
    }
    if (unit == NULL)
        return 0;
    snprintf(value, 64, "%.15g %s", v, unit);
    return e;
}

/* Whether a date or a quantity may begin with c: a digit, a currency
 * sign, or the first letter of a month, a number word or "US$". */
static bool figure_start(unsigned char c)
{
    static const char letters[] = "0123456789$JFMASONDjfmasondTEFHUtefhu";
    return c >= 0x80 || memchr(letters, c, sizeof letters - 1) != NULL;
}

static void scan_figures(const char *s, size_t len, struct mentions *ms)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        bool start = (i == 0 || !is_word_char((unsigned char)s[i - 1])) && figure_start(c);
        char value[64];
        size_t e;
        if (start && i > 0 && isdigit(c) && (s[i - 1] == '.' || s[i - 1] == ','))
            start = false;
        if (start && (e = date_at(s, len, i, value)) > 0) {
            struct tagger_mention *m = push(ms, i, e, TAG_DATE);
            memcpy(m->value, value, sizeof m->value);
            i = e;
        } else if (start && (e = quantity_at(s, len, i, value)) > 0) {
            struct tagger_mention *m = push(ms, i, e, TAG_QUANTITY);
            memcpy(m->value, value, sizeof m->value);
            i = e;
        } else {
            i++;
            while (i < len && is_word_char((unsigned char)s[i]) && is_word_char((unsigned char)s[i - 1]))
                i++;
        }
    }
}

/* ---- the scan ------------------------------------------------------------------- */

static int mention_cmp(const void *a, const void *b)
{
    const struct tagger_mention *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

size_t tagger_scan(struct tagger *t, const char *text, size_t len, struct tagger_mention **out)
{
    struct mentions ms = { 0 };
    size_t cp = 0, at = 0;

    if (!t->built)
        build(t);
    scan_names(t, text, len, &ms);
    scan_figures(text, len, &ms);
    if (ms.n > 1)
        qsort(ms.m, ms.n, sizeof *ms.m, mention_cmp);
    /* code points: the starts are in order; each end is counted from its start */
    for (size_t i = 0; i < ms.n; i++) {
        struct tagger_mention *m = &ms.m[i];
        for (; at < m->start; at++)
            cp += ((unsigned char)text[at] & 0xc0) != 0x80;
        m->cp_start = cp;
        m->cp_end = cp;
        for (size_t k = m->start; k < m->end; k++)
            m->cp_end += ((unsigned char)text[k] & 0xc0) != 0x80;
        if (m->kind == TAG_DATE || m->kind == TAG_QUANTITY)
            m->target = m->label = m->value;
    }
    *out = ms.m;
    return ms.n;
}
