/*
 * screen.c: the in-memory screen index, the two name scorers and the
 * query (see screen.h).
 *
 * Index: every name form of every entry of the newest list versions is
 * split into words; each distinct word is interned once with its folded
 * key, word class and rarity weight (IDF over name forms).  Each folded
 * key has the list of names holding it, and two blocks lead from a query
 * word to the keys worth comparing with it: the keys sharing its first
 * three letters, and the keys one edit away (through the keys with one
 * letter deleted).  Identifiers are looked up exactly.
 *
 * A query marks, on every name reached from one of its informative words
 * (all words when it has only company-form words), which of its words
 * found a similar key there.  From that mark alone a name's best possible
 * score is known (the words it cannot pair count as unmatched); only the
 * names whose bound reaches the threshold are scored in full, and word
 * similarities are computed once per query word and listed word.  The
 * per-query arrays live in scratch space kept with the index and reused.
 *
 * The OFAC scorer has its own candidates, OFAC's gate: every distinct OFAC
 * token of the listed names, ordered by first letter and length, with the
 * names holding it.  A query word looks only at the tokens of its first
 * letter whose length allows 50 % edit similarity, and the names holding
 * those within that many edits are scored once each.
 */
#include "attest.h"
#include "lists.h"
#include "names.h"
#include "screen.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#define MAX_WORDS 24
#define PREFIX_LEN 3

/* ---- a string -> uint32 hash map -------------------------------------- */

struct strmap {
    char **keys;
    uint32_t *vals;
    uint64_t *hashes;
    size_t cap, n;
};

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static size_t strmap_slot(const struct strmap *m, const char *s, size_t n, uint64_t h)
{
    size_t i = h & (m->cap - 1);

    while (m->keys[i] && (m->hashes[i] != h || memcmp(m->keys[i], s, n) != 0 || m->keys[i][n] != '\0'))
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* The value of s[0..n), or UINT32_MAX. */
static uint32_t strmap_get(const struct strmap *m, const char *s, size_t n)
{
    if (m->cap == 0)
        return UINT32_MAX;
    size_t i = strmap_slot(m, s, n, hash_str(s, n));
    return m->keys[i] ? m->vals[i] : UINT32_MAX;
}

static void strmap_put(struct strmap *m, const char *s, size_t n, uint32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct strmap old = *m;
        m->cap = old.cap ? old.cap * 2 : 1024;
        m->keys = xcalloc(m->cap, sizeof *m->keys);
        m->vals = xcalloc(m->cap, sizeof *m->vals);
        m->hashes = xcalloc(m->cap, sizeof *m->hashes);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) {
                size_t j = strmap_slot(m, old.keys[i], strlen(old.keys[i]), old.hashes[i]);
                m->keys[j] = old.keys[i];
                m->vals[j] = old.vals[i];
                m->hashes[j] = old.hashes[i];
                m->n++;
            }
        free(old.keys);
        free(old.vals);
        free(old.hashes);
    }
    uint64_t h = hash_str(s, n);
    size_t i = strmap_slot(m, s, n, h);
    if (m->keys[i] == NULL) {
        m->hashes[i] = h;
        m->keys[i] = xmalloc(n + 1);
        memcpy(m->keys[i], s, n);
        m->keys[i][n] = '\0';
        m->n++;
    }
    m->vals[i] = v;
}

static void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    free(m->hashes);
}

/* A growable array of uint32. */
struct u32vec {
    uint32_t *v;
    size_t n, cap;
};

static void u32_push(struct u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

/* Blocks of values by the 64-bit hash of a string, packed: the values of
 * bucket b are start[b] .. start[b+1]; a lookup keeps those whose hash is
 * equal (a rare collision only adds a value the caller checks anyway). */
struct hblocks {
    uint32_t mask;
    uint32_t *start;
    uint64_t *hash;
    uint32_t *val;
};

struct hpair {
    uint64_t hash;
    uint32_t val;
};

static void hblocks_build(struct hblocks *hb, const struct hpair *pairs, size_t n)
{
    size_t nb = 1024;

    while (nb < n)
        nb *= 2;
    hb->mask = (uint32_t)(nb - 1);
    hb->start = xcalloc(nb + 1, sizeof *hb->start);
    hb->hash = xmalloc((n ? n : 1) * sizeof *hb->hash);
    hb->val = xmalloc((n ? n : 1) * sizeof *hb->val);
    for (size_t i = 0; i < n; i++)
        hb->start[(pairs[i].hash & hb->mask) + 1]++;
    for (size_t b = 0; b < nb; b++)
        hb->start[b + 1] += hb->start[b];
    uint32_t *fill = xmalloc(nb * sizeof *fill);
    memcpy(fill, hb->start, nb * sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        uint32_t at = fill[pairs[i].hash & hb->mask]++;
        hb->hash[at] = pairs[i].hash;
        hb->val[at] = pairs[i].val;
    }
    free(fill);
}

static void hblocks_free(struct hblocks *hb)
{
    free(hb->start);
    free(hb->hash);
    free(hb->val);
}

/* ---- the index ---------------------------------------------------------- */

struct s_word {
    char *raw, *key;
    uint16_t rawlen, keylen;
    uint8_t cls;          /* enum name_word_class */
    uint32_t key_id;
};

struct s_name {
    uint32_t entry;
    float max_wr;         /* weight of its heaviest word */
    const char *text;     /* the name as listed (owned by names_text) */
    const char *quality;
    uint32_t *words;      /* word ids of the form */
    uint16_t nwords;
    uint32_t *joined;     /* the form with the given-name words joined, or NULL */
    uint16_t njoined;
    uint32_t *cp;         /* OFAC tokens: code points, tokens separated by ' ' */
    uint32_t ncp;
    uint64_t cpmask;      /* the letters of cp, one bit each (mod 64) */
    uint32_t *gtok;       /* its distinct OFAC tokens (gate token ids), or NULL */
    uint16_t ngtok;
};

struct s_entry {
    char *list, *key, *type, *name;
    uint8_t tcode;        /* enum s_type */
};

enum s_type { T_OTHER, T_PERSON, T_COMPANY, T_VESSEL, T_AIRCRAFT };

static uint8_t type_code(const char *t)
{
    static const char *const names[] = { "", "person", "company", "vessel", "aircraft" };

    for (uint8_t i = 1; i < ARRAY_LEN(names); i++)
        if (strcmp(t, names[i]) == 0)
            return i;
    return T_OTHER;
}

/* OFAC's candidate gate (FAQ 249: candidates are selected "based on the
 * first letter of input search terms" and by being at least 50 % similar
 * by edit distance).  Each distinct OFAC token of the listed names is kept
 * once, with the names holding it; the tokens are ordered by first letter,
 * then length, so that a query word only looks at the listed words that
 * share its first letter and whose length could be within half of it. */
struct ofac_gate {
    struct strmap map;          /* token (UTF-8) -> token id */
    uint32_t *cp;               /* the tokens' code points, packed */
    size_t ncp, capcp;
    uint32_t *off;              /* token id -> its code points in cp */
    uint16_t *len;
    uint64_t *mask;             /* token id -> its letters, one bit each (mod 64) */
    size_t ntok, captok;
    struct u32vec pairs;        /* (token, name) pairs while loading: 2 per pair */
    uint64_t *order;            /* (first letter, length, token id), sorted */
    uint32_t *name_start;       /* token id -> its names in name_ids */
    uint32_t *name_ids;
};

struct scratch;

struct screen_index {
    struct s_entry *entries;
    size_t nentries;
    struct s_name *names;
    size_t nnames, capnames;
    char **texts;
    size_t ntexts, captexts;
    struct s_word *words;
    size_t nwords, capwords;
    struct strmap word_map;     /* raw word -> word id */
    struct strmap key_map;      /* folded key -> key id */
    uint32_t *key_df;           /* names holding each key */
    const char **key_str;       /* key id -> the key (owned by a word) */
    uint16_t *key_len;
    uint64_t *key_mask;         /* key id -> its letters, one bit each (mod 64) */
    float *key_idf;
    float *key_w;               /* key id -> heaviest weight of its words */
    float max_key_w;
    size_t nkeys, capkeys;
    uint32_t *key_name_start;   /* key id -> its names in key_name_ids */
    uint32_t *key_name_ids;
    struct hblocks prefix_blocks;   /* first three letters of a key -> keys */
    struct hblocks del_blocks;      /* a key with one letter deleted -> keys */
    struct ofac_gate gate;      /* OFAC's candidate gate over the OFAC tokens */
    struct strmap id_map;       /* "kind:norm" -> posting list id of entries */
    struct u32vec *id_postings;
    size_t nid_postings;
    char **id_labels;
    float max_idf;
    pthread_mutex_t pool_lock;  /* scratch spaces not in use */
    struct scratch **pool;
    size_t npool, cappool;
};

static uint32_t intern_key(struct screen_index *ix, const char *k, size_t n)
{
    uint32_t id = strmap_get(&ix->key_map, k, n);

    if (id != UINT32_MAX)
        return id;
    if (ix->nkeys == ix->capkeys) {
        ix->capkeys = ix->capkeys ? ix->capkeys * 2 : 1024;
        ix->key_df = xrealloc(ix->key_df, ix->capkeys * sizeof *ix->key_df);
    }
    id = (uint32_t)ix->nkeys++;
    ix->key_df[id] = 0;
    strmap_put(&ix->key_map, k, n, id);
    return id;
}

/* Interns a raw normalised word with its key and class. */
static uint32_t intern_word(struct screen_index *ix, const char *w, size_t n)
{
    uint32_t id = strmap_get(&ix->word_map, w, n);
    struct buf key = BUF_INIT;

    if (id != UINT32_MAX)
        return id;
    if (ix->nwords == ix->capwords) {
        ix->capwords = ix->capwords ? ix->capwords * 2 : 1024;
        ix->words = xrealloc(ix->words, ix->capwords * sizeof *ix->words);
    }
    id = (uint32_t)ix->nwords++;
    struct s_word *sw = &ix->words[id];
    sw->raw = xmalloc(n + 1);
    memcpy(sw->raw, w, n);
    sw->raw[n] = '\0';
    sw->rawlen = (uint16_t)n;
    sw->cls = (uint8_t)names_word_class(w, n);
    names_fold_token(w, n, &key);
    buf_puts(&key, "");
    sw->keylen = (uint16_t)key.len;
    sw->key = buf_detach(&key);
    sw->key_id = intern_key(ix, sw->key, sw->keylen);
    strmap_put(&ix->word_map, w, n, id);
    return id;
}

/* Splits a normalised form into word ids (at most MAX_WORDS). */
static size_t split_words(struct screen_index *ix, const char *form, uint32_t *ids)
{
    size_t n = 0;

    while (*form && n < MAX_WORDS) {
        size_t len = strcspn(form, " ");
        if (len)
            ids[n++] = intern_word(ix, form, len);
        form += len;
        while (*form == ' ')
            form++;
    }
    return n;
}

/* "kim yong chol" -> "kim yongchol": the given-name syllables written
 * apart, as one word, so that Kim Jong Un meets Kim Jong-un written
 * Kim Jongun.  Only when every word after the first is short. */
static size_t join_given(struct screen_index *ix, const uint32_t *ids, size_t n, uint32_t *out)
{
    struct buf b = BUF_INIT;

    if (n < 3)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (ix->words[ids[i]].rawlen > 5 || ix->words[ids[i]].cls != NAME_WORD_PLAIN)
            return 0;
    for (size_t i = 1; i < n; i++)
        buf_append(&b, ix->words[ids[i]].raw, ix->words[ids[i]].rawlen);
    out[0] = ids[0];
    out[1] = intern_word(ix, b.data, b.len);
    buf_free(&b);
    return 2;
}

/* OFAC's tokens of s as code points: some characters dropped, others
 * separators, upper case; tokens joined by single spaces. */
static uint32_t *ofac_codepoints(const char *s, uint32_t *n_out)
{
    size_t cap = strlen(s) + 1, n = 0;
    uint32_t *out = xmalloc(cap * sizeof *out);
    int32_t i = 0, len = (int32_t)strlen(s);
    bool space = false;

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0)
            continue;
        if (c == '.' || c == '\'' || c == 0x2019)
            continue;
        int8_t t = u_charType(c);
        switch (t) {
        case U_FORMAT_CHAR: case U_PRIVATE_USE_CHAR: case U_UNASSIGNED: case U_MODIFIER_LETTER:
        case U_NON_SPACING_MARK: case U_ENCLOSING_MARK: case U_OTHER_NUMBER:
        case U_CURRENCY_SYMBOL: case U_MODIFIER_SYMBOL:
            continue;
        case U_CONTROL_CHAR: case U_COMBINING_SPACING_MARK: case U_SPACE_SEPARATOR:
        case U_LINE_SEPARATOR: case U_PARAGRAPH_SEPARATOR: case U_DASH_PUNCTUATION:
        case U_START_PUNCTUATION: case U_END_PUNCTUATION: case U_CONNECTOR_PUNCTUATION:
        case U_OTHER_PUNCTUATION: case U_INITIAL_PUNCTUATION: case U_FINAL_PUNCTUATION:
        case U_MATH_SYMBOL: case U_OTHER_SYMBOL:
            space = true;
            continue;
        default:
            break;
        }
        if (space && n)
            out[n++] = ' ';
        space = false;
        out[n++] = (uint32_t)u_toupper(c);
    }
    *n_out = (uint32_t)n;
    return out;
}

/* ---- OFAC's candidate gate --------------------------------------------- */

static size_t cp_tokens(const uint32_t *cp, size_t n, size_t *start, size_t *len, size_t max);
static void cp_utf8(const uint32_t *cp, size_t n, struct buf *out);

#define GATE_ID_BITS 27
#define GATE_LEN_SHIFT GATE_ID_BITS
#define GATE_FIRST_SHIFT (GATE_ID_BITS + 16)

static uint64_t letter_mask(const uint32_t *w, size_t n)
{
    uint64_t m = 0;

    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)1 << (w[i] & 63);
    return m;
}

/* Adds the OFAC tokens of name `name` (each distinct token once), and
 * gives the name their ids when every token could be kept. */
static void gate_add(struct ofac_gate *g, struct s_name *sn, uint32_t name, const uint32_t *cp,
                     size_t ncp)
{
    size_t st[MAX_WORDS], ln[MAX_WORDS], nt = cp_tokens(cp, ncp, st, ln, MAX_WORDS);
    uint32_t ids[MAX_WORDS];
    size_t nids = 0;
    struct buf b = BUF_INIT;
    bool all = true;

    for (size_t i = 0; i < nt; i++) {
        if (ln[i] > UINT16_MAX || g->ntok >= (1u << GATE_ID_BITS) - 1) {
            all = false;
            continue;
        }
        buf_reset(&b);
        cp_utf8(cp + st[i], ln[i], &b);
        if (b.len == 0) {
            all = false;
            continue;
        }
        uint32_t id = strmap_get(&g->map, b.data, b.len);
        if (id == UINT32_MAX) {
            if (g->ntok == g->captok) {
                g->captok = g->captok ? g->captok * 2 : 4096;
                g->off = xrealloc(g->off, g->captok * sizeof *g->off);
                g->len = xrealloc(g->len, g->captok * sizeof *g->len);
                g->mask = xrealloc(g->mask, g->captok * sizeof *g->mask);
            }
            while (g->ncp + ln[i] > g->capcp) {
                g->capcp = g->capcp ? g->capcp * 2 : 65536;
                g->cp = xrealloc(g->cp, g->capcp * sizeof *g->cp);
            }
            id = (uint32_t)g->ntok++;
            g->off[id] = (uint32_t)g->ncp;
            g->len[id] = (uint16_t)ln[i];
            g->mask[id] = letter_mask(cp + st[i], ln[i]);
            memcpy(g->cp + g->ncp, cp + st[i], ln[i] * sizeof *cp);
            g->ncp += ln[i];
            strmap_put(&g->map, b.data, b.len, id);
        }
        bool seen = false;
        for (size_t j = 0; j < nids; j++)
            seen |= ids[j] == id;
        if (seen)
            continue;
        ids[nids++] = id;
        u32_push(&g->pairs, id);
        u32_push(&g->pairs, name);
    }
    buf_free(&b);
    sn->gtok = NULL;
    sn->ngtok = 0;
    if (all && nids) {
        sn->gtok = xmalloc(nids * sizeof *sn->gtok);
        memcpy(sn->gtok, ids, nids * sizeof *ids);
        sn->ngtok = (uint16_t)nids;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Orders the tokens by first letter and length, and packs their names. */
static void gate_finish(struct ofac_gate *g)
{
    size_t nt = g->ntok, np = g->pairs.n / 2;

    uint64_t *keys = g->order = xmalloc((nt ? nt : 1) * sizeof *keys);
    for (size_t i = 0; i < nt; i++)
        keys[i] = ((uint64_t)g->cp[g->off[i]] << GATE_FIRST_SHIFT)
                | ((uint64_t)g->len[i] << GATE_LEN_SHIFT) | i;
    qsort(keys, nt, sizeof *keys, cmp_u64);
    g->name_start = xcalloc(nt + 1, sizeof *g->name_start);
    for (size_t i = 0; i < np; i++)
        g->name_start[g->pairs.v[2 * i] + 1]++;
    for (size_t i = 0; i < nt; i++)
        g->name_start[i + 1] += g->name_start[i];
    g->name_ids = xmalloc((np ? np : 1) * sizeof *g->name_ids);
    uint32_t *fill = xmalloc((nt ? nt : 1) * sizeof *fill);
    memcpy(fill, g->name_start, nt * sizeof *fill);
    for (size_t i = 0; i < np; i++)
        g->name_ids[fill[g->pairs.v[2 * i]]++] = g->pairs.v[2 * i + 1];
    free(fill);
    free(g->pairs.v);
    g->pairs = (struct u32vec){ 0 };
}

static void gate_free(struct ofac_gate *g)
{
    strmap_free(&g->map);
    free(g->cp);
    free(g->off);
    free(g->len);
    free(g->mask);
    free(g->pairs.v);
    free(g->order);
    free(g->name_start);
    free(g->name_ids);
}

/* Whether a and b are at least 50 % similar by edit distance: no more
 * edits (Levenshtein) than half the longer one's length. */
static bool edit_close(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t k = (na > nb ? na : nb) / 2, stack[2][64], *prev = stack[0], *cur = stack[1];
    size_t *heap = NULL;
    bool ok = true;

    if ((na > nb ? na - nb : nb - na) > k)
        return false;
    if (nb + 1 > 64) {
        heap = xmalloc(2 * (nb + 1) * sizeof *heap);
        prev = heap;
        cur = heap + nb + 1;
    }
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na && ok; i++) {
        size_t low = cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            cur[j] = d;
            if (d < low)
                low = d;
        }
        ok = low <= k;
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    ok = ok && prev[nb] <= k;
    free(heap);
    return ok;
}

/* The query words the gate and the word score use: those longer than two
 * letters, or all of them when none is. */
static size_t ofac_query_words(const uint32_t *q, size_t nq, size_t *qs, size_t *ql)
{
    size_t nt = cp_tokens(q, nq, qs, ql, MAX_WORDS), k = 0;
    bool long_only = false;

    for (size_t i = 0; i < nt; i++)
        long_only |= ql[i] > 2;
    for (size_t i = 0; i < nt; i++)
        if (!long_only || ql[i] > 2) {
            qs[k] = qs[i];
            ql[k++] = ql[i];
        }
    return k;
}

/* Whether query word w passes the gate with listed word c: the same first
 * letter and at least 50 % similar. */
static bool gate_pass(const uint32_t *w, size_t nw, const uint32_t *c, size_t nc)
{
    return nw && nc && w[0] == c[0] && edit_close(w, nw, c, nc);
}

static void add_name_form(struct screen_index *ix, uint32_t entry, const char *text,
                          const char *quality, const char *form, uint32_t *cp, uint32_t ncp)
{
    uint32_t ids[MAX_WORDS], joined[2];
    size_t n = split_words(ix, form, ids);

    if (n == 0) {
        free(cp);
        return;
    }
    if (ix->nnames == ix->capnames) {
        ix->capnames = ix->capnames ? ix->capnames * 2 : 4096;
        ix->names = xrealloc(ix->names, ix->capnames * sizeof *ix->names);
    }
    struct s_name *sn = &ix->names[ix->nnames++];
    sn->entry = entry;
    sn->text = text;
    sn->quality = quality;
    sn->nwords = (uint16_t)n;
    sn->words = xmalloc(n * sizeof *sn->words);
    memcpy(sn->words, ids, n * sizeof *ids);
    sn->njoined = (uint16_t)join_given(ix, ids, n, joined);
    sn->joined = NULL;
    if (sn->njoined) {
        sn->joined = xmalloc(2 * sizeof *sn->joined);
        memcpy(sn->joined, joined, sizeof joined);
    }
    sn->cp = cp;
    sn->ncp = ncp;
    sn->gtok = NULL;
    sn->ngtok = 0;
    sn->cpmask = cp ? letter_mask(cp, ncp) : 0;
    if (cp)
        gate_add(&ix->gate, sn, (uint32_t)(ix->nnames - 1), cp, ncp);
}

static const char *intern_quality(const char *q)
{
    static const char *const known[] = { "primary", "strong", "weak", "fka" };

    for (size_t i = 0; i < ARRAY_LEN(known); i++)
        if (strcmp(known[i], q) == 0)
            return known[i];
    return "strong";
}

static const char *keep_text(struct screen_index *ix, const char *s)
{
    if (ix->ntexts == ix->captexts) {
        ix->captexts = ix->captexts ? ix->captexts * 2 : 4096;
        ix->texts = xrealloc(ix->texts, ix->captexts * sizeof *ix->texts);
    }
    return ix->texts[ix->ntexts++] = xstrdup(s);
}

static void add_id(struct screen_index *ix, uint32_t entry, const char *kind, const char *norm)
{
    struct buf k = BUF_INIT;

    buf_printf(&k, "%s:%s", strcmp(kind, "national_id") == 0 ? "passport" : kind, norm);
    uint32_t p = strmap_get(&ix->id_map, k.data, k.len);
    if (p == UINT32_MAX) {
        p = (uint32_t)ix->nid_postings++;
        ix->id_postings = xrealloc(ix->id_postings, ix->nid_postings * sizeof *ix->id_postings);
        ix->id_labels = xrealloc(ix->id_labels, ix->nid_postings * sizeof *ix->id_labels);
        memset(&ix->id_postings[p], 0, sizeof ix->id_postings[p]);
        ix->id_labels[p] = xstrdup(k.data);
        strmap_put(&ix->id_map, k.data, k.len, p);
    }
    struct u32vec *v = &ix->id_postings[p];
    if (v->n == 0 || v->v[v->n - 1] != entry)
        u32_push(v, entry);
    buf_free(&k);
}

static int load_version(struct at_ctx *ctx, struct store *st, struct screen_index *ix,
                        const char *version)
{
    static const char names_sql[] =
        "SELECT e.key, e.type, e.name, n.name, n.quality FROM list_entry e "
        "JOIN list_name n ON n.version = e.version AND n.key = e.key "
        "WHERE e.version = ?1 ORDER BY e.key, n.rowid";
    static const char ids_sql[] =
        "SELECT key, kind, norm FROM list_attr WHERE version = ?1 AND kind IN "
        "('imo', 'swift', 'phone', 'email', 'registration', 'passport', 'national_id', 'mmsi')";
    sqlite3_stmt *stmt = store_stmt(ctx, st, names_sql);
    struct name_forms forms;
    struct strmap by_key = { 0 };
    size_t first = ix->nentries;
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(stmt, 0);
        if (ix->nentries == first || strcmp(ix->entries[ix->nentries - 1].key, key) != 0) {
            ix->entries = xrealloc(ix->entries, (ix->nentries + 1) * sizeof *ix->entries);
            struct s_entry *e = &ix->entries[ix->nentries++];
            e->list = xstrdup(version);
            e->key = xstrdup(key);
            e->type = xstrdup((const char *)sqlite3_column_text(stmt, 1));
            e->name = xstrdup((const char *)sqlite3_column_text(stmt, 2));
            e->tcode = type_code(e->type);
            strmap_put(&by_key, key, strlen(key), (uint32_t)(ix->nentries - 1));
        }
        const char *text = keep_text(ix, (const char *)sqlite3_column_text(stmt, 3));
        const char *quality = intern_quality((const char *)sqlite3_column_text(stmt, 4));
        struct at_ctx quiet = { 0 };
        if (names_normalise(&quiet, text, &forms) != AT_OK)
            continue;
        for (size_t f = 0; f < forms.n; f++) {
            uint32_t ncp = 0, *cp = f == 0 ? ofac_codepoints(text, &ncp) : NULL;
            add_name_form(ix, (uint32_t)(ix->nentries - 1), text, quality, forms.form[f], cp, ncp);
        }
        names_forms_free(&forms);
    }
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        strmap_free(&by_key);
        return store_error(ctx, st, "reading list names");
    }
    if ((stmt = store_stmt(ctx, st, ids_sql)) == NULL) {
        strmap_free(&by_key);
        return AT_ERR;
    }
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(stmt, 0);
        uint32_t e = strmap_get(&by_key, key, strlen(key));
        if (e != UINT32_MAX)
            add_id(ix, e, (const char *)sqlite3_column_text(stmt, 1),
                   (const char *)sqlite3_column_text(stmt, 2));
    }
    sqlite3_reset(stmt);
    strmap_free(&by_key);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading list identifiers");
}

static float class_factor(uint8_t cls);

static uint64_t byte_mask(const char *w, size_t n)
{
    uint64_t m = 0;

    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)1 << ((unsigned char)w[i] & 63);
    return m;
}

/* Document frequencies, IDF, the names of each key and the key blocks,
 * once all names are in. */
static void finish_index(struct screen_index *ix)
{
    size_t nk = ix->nkeys ? ix->nkeys : 1;
    uint32_t *seen = xcalloc(nk, sizeof *seen), *fill;

    /* the names of each key, packed: counted, then filled */
    ix->key_name_start = xcalloc(nk + 1, sizeof *ix->key_name_start);
    for (int pass = 0; pass < 2; pass++) {
        memset(seen, 0, nk * sizeof *seen);
        for (size_t i = 0; i < ix->nnames; i++) {
            const struct s_name *sn = &ix->names[i];
            for (size_t j = 0; j < (size_t)sn->nwords + sn->njoined; j++) {
                uint32_t kid = ix->words[j < sn->nwords ? sn->words[j] : sn->joined[j - sn->nwords]].key_id;
                if (seen[kid] == i + 1)
                    continue;
                seen[kid] = (uint32_t)i + 1;
                if (pass == 0) {
                    ix->key_name_start[kid + 1]++;
                    if (j < sn->nwords)
                        ix->key_df[kid]++;
                } else {
                    ix->key_name_ids[fill[kid]++] = (uint32_t)i;
                }
            }
        }
        if (pass == 0) {
            for (size_t k = 0; k < ix->nkeys; k++)
                ix->key_name_start[k + 1] += ix->key_name_start[k];
            ix->key_name_ids = xmalloc((ix->key_name_start[ix->nkeys] + 1) * sizeof *ix->key_name_ids);
            fill = xmalloc(nk * sizeof *fill);
            memcpy(fill, ix->key_name_start, nk * sizeof *fill);
        }
    }
    free(fill);
    ix->key_idf = xmalloc((ix->nkeys ? ix->nkeys : 1) * sizeof *ix->key_idf);
    ix->max_idf = 0;
    for (size_t k = 0; k < ix->nkeys; k++) {
        double idf = log(((double)ix->nnames + 1.0) / ((double)ix->key_df[k] + 1.0)) + 1.0;
        ix->key_idf[k] = (float)idf;
        if (idf > ix->max_idf)
            ix->max_idf = (float)idf;
    }
    ix->key_w = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *ix->key_w);
    ix->max_key_w = 0;
    for (size_t i = 0; i < ix->nwords; i++) {
        const struct s_word *w = &ix->words[i];
        float wr = ix->key_idf[w->key_id] * class_factor(w->cls);
        if (wr > ix->key_w[w->key_id])
            ix->key_w[w->key_id] = wr;
        if (wr > ix->max_key_w)
            ix->max_key_w = wr;
    }
    for (size_t i = 0; i < ix->nnames; i++) {
        struct s_name *sn = &ix->names[i];
        sn->max_wr = 0;
        for (size_t j = 0; j < sn->nwords + sn->njoined; j++) {
            const struct s_word *w = &ix->words[j < sn->nwords ? sn->words[j] : sn->joined[j - sn->nwords]];
            float wr = ix->key_idf[w->key_id] * class_factor(w->cls);
            if (wr > sn->max_wr)
                sn->max_wr = wr;
        }
    }
    /* the key blocks: by first three letters, and by each one-letter deletion */
    size_t npairs = 0, cappairs = ix->nkeys * 8 + 16;
    struct hpair *pairs = xmalloc(cappairs * sizeof *pairs);
    char del[256];
    const char **keys = ix->key_str = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *keys);
    uint16_t *lens = ix->key_len = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *lens);
    for (size_t i = 0; i < ix->nwords; i++) {
        keys[ix->words[i].key_id] = ix->words[i].key;
        lens[ix->words[i].key_id] = ix->words[i].keylen;
    }
    ix->key_mask = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *ix->key_mask);
    for (uint32_t k = 0; k < ix->nkeys; k++)
        ix->key_mask[k] = byte_mask(keys[k], lens[k]);
    for (uint32_t k = 0; k < ix->nkeys; k++) {
        size_t n = lens[k];
        pairs[npairs++] = (struct hpair){ hash_str(keys[k], n < PREFIX_LEN ? n : PREFIX_LEN), k };
    }
    hblocks_build(&ix->prefix_blocks, pairs, npairs);
    npairs = 0;
    for (uint32_t k = 0; k < ix->nkeys; k++) {
        size_t n = lens[k];
        if (n < 3 || n >= sizeof del)
            continue;
        for (size_t d = 0; d < n; d++) {
            if (d > 0 && keys[k][d] == keys[k][d - 1])
                continue; /* the same deletion as the one before */
            memcpy(del, keys[k], d);
            memcpy(del + d, keys[k] + d + 1, n - d - 1);
            if (npairs == cappairs)
                pairs = xrealloc(pairs, (cappairs *= 2) * sizeof *pairs);
            pairs[npairs++] = (struct hpair){ hash_str(del, n - 1), k };
        }
    }
    hblocks_build(&ix->del_blocks, pairs, npairs);
    free(pairs);
    free(seen);
    gate_finish(&ix->gate);
}

int screen_index_load(struct at_ctx *ctx, struct store *st, struct screen_index **out)
{
    struct screen_index *ix = xcalloc(1, sizeof *ix);
    json_t *current, *v;
    size_t i;
    int rc;

    *out = NULL;
    pthread_mutex_init(&ix->pool_lock, NULL);
    if ((rc = lists_current(ctx, st, &current)) != AT_OK) {
        screen_index_free(ix);
        return rc;
    }
    if (json_array_size(current) == 0) {
        json_decref(current);
        screen_index_free(ix);
        return ctx_error(ctx, AT_ENOTFOUND,
                         "no sanctions list has been imported; use 'attest lists import'");
    }
    json_array_foreach(current, i, v)
        if (rc == AT_OK)
            rc = load_version(ctx, st, ix, json_string_value(v));
    json_decref(current);
    if (rc != AT_OK) {
        screen_index_free(ix);
        return rc;
    }
    finish_index(ix);
    *out = ix;
    return AT_OK;
}

void screen_index_counts(const struct screen_index *ix, size_t *entries, size_t *names)
{
    *entries = ix->nentries;
    *names = ix->nnames;
}

static void scratch_free(struct scratch *sc);

void screen_index_free(struct screen_index *ix)
{
    if (ix == NULL)
        return;
    for (size_t i = 0; i < ix->nentries; i++) {
        free(ix->entries[i].list);
        free(ix->entries[i].key);
        free(ix->entries[i].type);
        free(ix->entries[i].name);
    }
    free(ix->entries);
    for (size_t i = 0; i < ix->nnames; i++) {
        free(ix->names[i].words);
        free(ix->names[i].joined);
        free(ix->names[i].cp);
        free(ix->names[i].gtok);
    }
    free(ix->names);
    for (size_t i = 0; i < ix->ntexts; i++)
        free(ix->texts[i]);
    free(ix->texts);
    for (size_t i = 0; i < ix->nwords; i++) {
        free(ix->words[i].raw);
        free(ix->words[i].key);
    }
    free(ix->words);
    strmap_free(&ix->word_map);
    strmap_free(&ix->key_map);
    hblocks_free(&ix->prefix_blocks);
    hblocks_free(&ix->del_blocks);
    gate_free(&ix->gate);
    strmap_free(&ix->id_map);
    free(ix->key_name_start);
    free(ix->key_name_ids);
    free(ix->key_df);
    free(ix->key_idf);
    free(ix->key_str);
    free(ix->key_w);
    free(ix->key_len);
    free(ix->key_mask);

    for (size_t i = 0; i < ix->npool; i++)
        scratch_free(ix->pool[i]);
    free(ix->pool);
    pthread_mutex_destroy(&ix->pool_lock);
    for (size_t i = 0; i < ix->nid_postings; i++) {
        free(ix->id_postings[i].v);
        free(ix->id_labels[i]);
    }
    free(ix->id_postings);
    free(ix->id_labels);
    free(ix);
}

/* ---- the OFAC-parity scorer -------------------------------------------- */

/* Splits code points at spaces: token starts and lengths. */
static size_t cp_tokens(const uint32_t *cp, size_t n, size_t *start, size_t *len, size_t max)
{
    size_t k = 0;

    for (size_t i = 0; i < n && k < max;) {
        size_t j = i;
        while (j < n && cp[j] != ' ')
            j++;
        if (j > i) {
            start[k] = i;
            len[k++] = j - i;
        }
        i = j + 1;
    }
    return k;
}

static void cp_utf8(const uint32_t *cp, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t u[4];
        int32_t k = 0;
        UBool bad = false;
        U8_APPEND(u, k, 4, (UChar32)cp[i], bad);
        if (!bad)
            buf_append(out, u, (size_t)k);
    }
    buf_puts(out, "");
}

static double ofac_cp_score(const uint32_t *q, size_t nq, const uint32_t *c, size_t nc,
                            json_t *explain)
{
    size_t qs[MAX_WORDS], ql[MAX_WORDS], cs[MAX_WORDS], cl[MAX_WORDS];
    size_t nqt = cp_tokens(q, nq, qs, ql, MAX_WORDS), nct = cp_tokens(c, nc, cs, cl, MAX_WORDS);
    double whole = 0, sum = 0;
    size_t used = 0;
    bool long_only = false;
    json_t *parts = explain ? json_array() : NULL;

    if (nq && nc && q[0] == c[0])
        whole = names_jaro_winkler(q, nq, c, nc, 0.0);
    for (size_t i = 0; i < nqt; i++)
        if (ql[i] > 2)
            long_only = true;
    for (size_t i = 0; i < nqt; i++) {
        if (long_only && ql[i] <= 2)
            continue;
        double best = 0;
        size_t arg = 0;
        for (size_t j = 0; j < nct; j++) {
            double s = names_jaro_winkler(q + qs[i], ql[i], c + cs[j], cl[j], 0.7);
            if (s > best)
                best = s, arg = j;
        }
        if (best < 0.5)
            best = 0;
        sum += best;
        used++;
        if (parts) {
            struct buf a = BUF_INIT, b = BUF_INIT;
            cp_utf8(q + qs[i], ql[i], &a);
            if (nct)
                cp_utf8(c + cs[arg], cl[arg], &b);
            json_array_append_new(parts, json_pack("{s:s, s:s, s:f}", "query", buf_str(&a),
                                                   "name", buf_str(&b), "score", round(best * 1000) / 10));
            buf_free(&a);
            buf_free(&b);
        }
    }
    double per = used ? sum / (double)used : 0;
    double score = (whole > per ? whole : per) * 100.0;
    if (explain) {
        json_object_set_new(explain, "method", json_string(whole >= per ? "whole name" : "word by word"));
        json_object_set_new(explain, "whole", json_real(round(whole * 1000) / 10));
        json_object_set_new(explain, "words", json_real(round(per * 1000) / 10));
        json_object_set_new(explain, "pairs", parts);
    }
    return score;
}

double screen_ofac_score(const char *query, const char *name, json_t **explain)
{
    uint32_t nq, nc;
    uint32_t *q = ofac_codepoints(query, &nq), *c = ofac_codepoints(name, &nc);

    if (explain)
        *explain = json_object();
    double s = ofac_cp_score(q, nq, c, nc, explain ? *explain : NULL);
    free(q);
    free(c);
    return s;
}

bool screen_ofac_gate(const char *query, const char *name)
{
    uint32_t nq, nc;
    uint32_t *q = ofac_codepoints(query, &nq), *c = ofac_codepoints(name, &nc);
    size_t qs[MAX_WORDS], ql[MAX_WORDS], cs[MAX_WORDS], cl[MAX_WORDS];
    size_t nqt = ofac_query_words(q, nq, qs, ql), nct = cp_tokens(c, nc, cs, cl, MAX_WORDS);
    bool pass = false;

    for (size_t i = 0; i < nqt && !pass; i++)
        for (size_t j = 0; j < nct && !pass; j++)
            pass = gate_pass(q + qs[i], ql[i], c + cs[j], cl[j]);
    free(q);
    free(c);
    return pass;
}

/* ---- the attest scorer ------------------------------------------------- */

/* A query word: interned when the index has it, else standalone. */
struct q_word {
    const char *raw, *key;
    size_t rawlen, keylen;
    uint8_t cls;
    float weight;
    uint32_t word_id, key_id;   /* in the index, or UINT32_MAX */
};

#define EXTRA_QUERY 0.8   /* weight of an unmatched query word */
#define EXTRA_NAME 0.2    /* weight of an unmatched list word */
#define PAIR_MIN 0.80     /* word similarity below which words do not pair */

static float class_factor(uint8_t cls)
{
    return cls == NAME_WORD_FORM ? 0.25f : cls == NAME_WORD_NUMBER ? 1.5f : 1.0f;
}

static double word_sim(const struct q_word *a, const struct s_word *b)
{
    if (a->cls == NAME_WORD_NUMBER || b->cls == NAME_WORD_NUMBER)
        return a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0 ? 1.0 : 0.0;
    if (a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0)
        return 1.0;
    if (a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0)
        return 0.97;
    size_t shorter = a->keylen < b->keylen ? a->keylen : b->keylen;
    /* an abbreviation: corp / corporation, intl / international */
    if (shorter >= 3 && strncmp(a->key, b->key, shorter) == 0
        && (a->cls == NAME_WORD_FORM || b->cls == NAME_WORD_FORM))
        return 0.9;
    double s = names_jaro_winkler_bytes(a->key, a->keylen, b->key, b->keylen, 0.7);
    double min = shorter <= 3 ? 0.9 : PAIR_MIN;
    if (s < min)
        return 0.0;
    /* Spread what is left above the cut-off over 0.5 .. 0.95, so that two
     * merely similar words count for half a match, not nearly a whole. */
    return 0.5 + 0.45 * (s - min) / (1.0 - min);
}

/* Word similarities computed once per query word and listed word. */
#define MAX_QW (MAX_WORDS + 1)
struct memo {
    uint32_t stamp;        /* this query form's */
    uint32_t *wstamp;      /* word id -> stamp when it has a row */
    uint32_t *wslot;       /* word id -> row */
    float *rows;           /* MAX_QW similarities per row, -1 until computed */
    size_t nrows, caprows;
};

static double pair_sim(const struct screen_index *ix, struct memo *m, const struct q_word *q,
                       uint8_t qi, uint32_t wid)
{
    if (q->word_id == wid)
        return 1.0;
    if (m == NULL)
        return word_sim(q, &ix->words[wid]);
    if (m->wstamp[wid] != m->stamp) {
        if (m->nrows == m->caprows) {
            m->caprows = m->caprows ? m->caprows * 2 : 256;
            m->rows = xrealloc(m->rows, m->caprows * MAX_QW * sizeof *m->rows);
        }
        m->wstamp[wid] = m->stamp;
        m->wslot[wid] = (uint32_t)m->nrows;
        float *row = m->rows + m->nrows++ * MAX_QW;
        for (size_t i = 0; i < MAX_QW; i++)
            row[i] = -1.0f;
    }
    float *cell = m->rows + (size_t)m->wslot[wid] * MAX_QW + qi;
    if (*cell < 0)
        *cell = (float)word_sim(q, &ix->words[wid]);
    return *cell;
}

static double attest_score(const struct screen_index *ix, struct memo *m, const struct q_word *q,
                           const uint8_t *qidx, size_t nq, const uint32_t *words, size_t nw,
                           json_t *explain)
{
    double sim[MAX_WORDS][MAX_WORDS];
    bool qused[MAX_WORDS] = { false }, wused[MAX_WORDS] = { false };
    double num = 0, den = 0;
    bool number_clash = false;
    json_t *pairs = explain ? json_array() : NULL;

    for (size_t i = 0; i < nq; i++)
        for (size_t j = 0; j < nw; j++)
            sim[i][j] = pair_sim(ix, m, &q[i], qidx[i], words[j]);
    /* Greedy one-to-one pairing, best pair first. */
    for (;;) {
        double best = 0;
        size_t bi = 0, bj = 0;
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; !qused[i] && j < nw; j++)
                if (!wused[j] && sim[i][j] > best)
                    best = sim[i][j], bi = i, bj = j;
        if (best <= 0)
            break;
        qused[bi] = wused[bj] = true;
        const struct s_word *w = &ix->words[words[bj]];
        double wr = ix->key_idf[w->key_id] * class_factor(w->cls);
        double wq = q[bi].weight;
        num += best * (wq + wr);
        den += wq + wr;
        if (pairs)
            json_array_append_new(pairs, json_pack("{s:s#, s:s#, s:f, s:f}", "query", q[bi].raw,
                                                   (int)q[bi].rawlen, "name", w->raw, (int)w->rawlen,
                                                   "score", round(best * 1000) / 10,
                                                   "weight", round((wq + wr) * 100) / 100));
    }
    json_t *uq = explain ? json_array() : NULL, *un = explain ? json_array() : NULL;
    bool q_number = false;
    for (size_t i = 0; i < nq; i++)
        if (!qused[i]) {
            den += 2 * EXTRA_QUERY * q[i].weight;
            q_number |= q[i].cls == NAME_WORD_NUMBER;
            if (uq)
                json_array_append_new(uq, json_stringn(q[i].raw, q[i].rawlen));
        }
    for (size_t j = 0; j < nw; j++)
        if (!wused[j]) {
            const struct s_word *w = &ix->words[words[j]];
            den += 2 * EXTRA_NAME * ix->key_idf[w->key_id] * class_factor(w->cls);
            number_clash |= q_number && w->cls == NAME_WORD_NUMBER;
            if (un)
                json_array_append_new(un, json_stringn(w->raw, w->rawlen));
        }
    double score = den > 0 ? 100.0 * num / den : 0;
    /* SAM JONG 1 is not SAM JONG 2. */
    if (number_clash)
        score *= 0.5;
    if (explain) {
        json_object_set_new(explain, "pairs", pairs);
        json_object_set_new(explain, "unmatched_query", uq);
        json_object_set_new(explain, "unmatched_name", un);
        if (number_clash)
            json_object_set_new(explain, "number_mismatch", json_true());
    }
    return score;
}

/* ---- queries ------------------------------------------------------------- */

struct q_form {
    struct q_word w[MAX_WORDS];
    size_t n;
    struct q_word joined[2];
    size_t njoined;
    uint8_t idx[MAX_WORDS], jidx[2];  /* memo columns of w and joined */
    bool informative;                 /* has a word that is not a company form */
    struct buf joined_text, key_text;
};

static void q_word_init(const struct screen_index *ix, struct q_word *qw, const char *raw,
                        size_t n, struct buf *keys)
{
    uint32_t id = strmap_get(&ix->word_map, raw, n);

    qw->raw = raw;
    qw->rawlen = n;
    qw->word_id = id;
    qw->key_id = UINT32_MAX;
    if (id != UINT32_MAX) {
        const struct s_word *w = &ix->words[id];
        qw->key_id = w->key_id;
        qw->key = w->key;
        qw->keylen = w->keylen;
        qw->cls = w->cls;
        qw->weight = ix->key_idf[w->key_id] * class_factor(w->cls);
        return;
    }
    size_t at = keys->len;
    names_fold_token(raw, n, keys);
    buf_putc(keys, '\0');
    qw->key = NULL; /* set from the offset once keys stops growing */
    qw->keylen = keys->len - at - 1;
    qw->cls = (uint8_t)names_word_class(raw, n);
    uint32_t kid = strmap_get(&ix->key_map, keys->data + at, qw->keylen);
    qw->key_id = kid;
    float idf = kid != UINT32_MAX ? ix->key_idf[kid] : ix->max_idf;
    qw->weight = idf * class_factor(qw->cls);
    qw->raw = raw;
    qw->key = (const char *)(uintptr_t)at; /* offset, fixed below */
}

static void q_form_build(const struct screen_index *ix, const char *form, struct q_form *f)
{
    size_t offsets_unset[MAX_WORDS + 2] = { 0 };
    bool fixed[MAX_WORDS + 2] = { false };

    f->n = 0;
    buf_reset(&f->key_text);
    buf_reset(&f->joined_text);
    const char *p = form;
    while (*p && f->n < MAX_WORDS) {
        size_t len = strcspn(p, " ");
        if (len) {
            q_word_init(ix, &f->w[f->n], p, len, &f->key_text);
            fixed[f->n] = strmap_get(&ix->word_map, p, len) != UINT32_MAX;
            offsets_unset[f->n] = (size_t)(uintptr_t)f->w[f->n].key;
            f->n++;
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    /* the given-name words joined, as the index does */
    f->njoined = 0;
    bool short_tail = f->n >= 3;
    for (size_t i = 1; i < f->n; i++)
        if (f->w[i].rawlen > 5 || f->w[i].cls != NAME_WORD_PLAIN)
            short_tail = false;
    if (short_tail) {
        for (size_t i = 1; i < f->n; i++)
            buf_append(&f->joined_text, f->w[i].raw, f->w[i].rawlen);
        buf_putc(&f->joined_text, '\0');
        f->joined[0] = f->w[0];
        q_word_init(ix, &f->joined[1], f->joined_text.data, f->joined_text.len - 1, &f->key_text);
        fixed[MAX_WORDS] = strmap_get(&ix->word_map, f->joined_text.data, f->joined_text.len - 1) != UINT32_MAX;
        offsets_unset[MAX_WORDS] = (size_t)(uintptr_t)f->joined[1].key;
        f->njoined = 2;
    }
    for (size_t i = 0; i < f->n; i++)
        f->idx[i] = (uint8_t)i;
    f->jidx[0] = 0;
    f->jidx[1] = (uint8_t)f->n;
    f->informative = false;
    for (size_t i = 0; i < f->n; i++)
        f->informative |= f->w[i].cls != NAME_WORD_FORM;
    /* keys of words the index does not know live in key_text */
    for (size_t i = 0; i < f->n; i++)
        if (!fixed[i])
            f->w[i].key = f->key_text.data + offsets_unset[i];
    if (f->njoined && !fixed[MAX_WORDS])
        f->joined[1].key = f->key_text.data + offsets_unset[MAX_WORDS];
    if (f->njoined && fixed[0] == false)
        f->joined[0].key = f->w[0].key;
}

/* Identifier kinds recognised in query text. */
static void find_ids(const char *text, struct buf *name_out, json_t *ids)
{
    const char *p = text;

    while (*p) {
        size_t len = strcspn(p, " ,;");
        char word[64];
        if (len > 0 && len < sizeof word) {
            memcpy(word, p, len);
            word[len] = '\0';
            size_t digits = 0, alpha = 0, upper = 0;
            for (size_t i = 0; i < len; i++) {
                digits += isdigit((unsigned char)word[i]) != 0;
                alpha += isalpha((unsigned char)word[i]) != 0;
                upper += isupper((unsigned char)word[i]) != 0;
            }
            const char *kind = NULL;
            if (strcasecmp(word, "IMO") == 0) {
                p += len;
                while (*p == ' ' || *p == ':')
                    p++;
                continue;
            }
            if (digits == 7 && len == 7)
                kind = "imo";
            else if (strncasecmp(word, "IMO", 3) == 0 && digits == 7 && len == 10)
                kind = "imo";
            else if ((len == 8 || len == 11) && upper >= 6 && digits + upper == len
                     && isupper((unsigned char)word[4]) && isupper((unsigned char)word[5])
                     && alpha >= 6 && digits >= 1)
                kind = "swift";
            else if (strchr(word, '@'))
                kind = "email";
            else if (digits >= 8 && alpha == 0)
                kind = "phone";
            if (kind) {
                json_array_append_new(ids, json_string(word));
            } else {
                if (name_out->len)
                    buf_putc(name_out, ' ');
                buf_append(name_out, p, len);
            }
        }
        p += len;
        while (*p == ' ' || *p == ',' || *p == ';')
            p++;
    }
    buf_puts(name_out, "");
}

/* The identifier kinds a value might be, normalised, tried in turn. */
static void id_candidates(const char *value, json_t *keys)
{
    static const char *const kinds[] = { "imo", "swift", "phone", "email", "registration",
                                         "passport", "mmsi" };
    struct buf norm = BUF_INIT;

    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        buf_reset(&norm);
        buf_printf(&norm, "%s:", kinds[i]);
        size_t at = norm.len;
        lists_attr_norm(kinds[i], value, &norm);
        if (norm.len > at + 2)
            json_array_append_new(keys, json_string(buf_str(&norm)));
    }
    buf_free(&norm);
}

struct best {
    double score;
    uint32_t name;
    int variant;   /* 0: words, 1: joined query, 2: joined name, 3: both */
    int form;
};

static bool type_ok(const struct s_entry *e, uint8_t tcode, const char *type)
{
    if (type == NULL || *type == '\0')
        return true;
    if (tcode != T_OTHER)
        return e->tcode == tcode;
    return strcmp(e->type, type) == 0;
}

static double score_variants(const struct screen_index *ix, struct memo *m, const struct q_form *f,
                             const struct s_name *sn, int *variant, json_t *explain)
{
    double best = attest_score(ix, m, f->w, f->idx, f->n, sn->words, sn->nwords, NULL);
    *variant = 0;
    if (f->njoined) {
        double s = attest_score(ix, m, f->joined, f->jidx, f->njoined, sn->words, sn->nwords, NULL);
        if (s > best)
            best = s, *variant = 1;
    }
    if (sn->njoined) {
        double s = attest_score(ix, m, f->w, f->idx, f->n, sn->joined, sn->njoined, NULL);
        if (s > best)
            best = s, *variant = 2;
        if (f->njoined) {
            s = attest_score(ix, m, f->joined, f->jidx, f->njoined, sn->joined, sn->njoined, NULL);
            if (s > best)
                best = s, *variant = 3;
        }
    }
    if (explain) {
        const struct q_word *qw = *variant & 1 ? f->joined : f->w;
        const uint8_t *qi = *variant & 1 ? f->jidx : f->idx;
        size_t nq = *variant & 1 ? f->njoined : f->n;
        const uint32_t *w = *variant & 2 ? sn->joined : sn->words;
        size_t nw = *variant & 2 ? sn->njoined : sn->nwords;
        attest_score(ix, NULL, qw, qi, nq, w, nw, explain);
    }
    return best;
}

/* ---- scratch space for queries ------------------------------------------- */

struct scratch {
    uint32_t epoch;                 /* stamps below older than this are stale */
    uint32_t *nstamp, *nmask;       /* name -> stamp, bits of the query words found there */
    uint32_t *touched;              /* names reached by this form */
    size_t ntouched;
    uint32_t *estamp;               /* entry -> stamp when best[] holds this query's */
    struct best *best;
    uint32_t *etouched;             /* entries with a score or identifier */
    size_t netouched;
    uint32_t *idstamp;              /* entry -> stamp when an identifier hit it */
    const char **idlabel;
    uint32_t *kstamp;               /* key -> stamp of the query word that last saw it */
    uint32_t *kbstamp, *kbits;      /* key -> stamp of the form, bits of the words it is similar to */
    uint32_t *klist;                /* keys similar to each query word in turn */
    size_t nklist, capklist;
    struct memo memo;
    /* the OFAC scorer's word similarities, once per query word and listed token */
    uint32_t *tstamp, *tslot;       /* gate token -> stamp when it has a row, its row */
    double *trows;                  /* MAX_WORDS similarities per row, -1 until computed */
    size_t ntrows, captrows;
};

static struct scratch *scratch_new(const struct screen_index *ix)
{
    struct scratch *sc = xcalloc(1, sizeof *sc);
    size_t nn = ix->nnames ? ix->nnames : 1, ne = ix->nentries ? ix->nentries : 1;
    size_t nk = ix->nkeys ? ix->nkeys : 1, nw = ix->nwords ? ix->nwords : 1;

    sc->nstamp = xcalloc(nn, sizeof *sc->nstamp);
    sc->nmask = xcalloc(nn, sizeof *sc->nmask);
    sc->touched = xcalloc(nn, sizeof *sc->touched);
    sc->estamp = xcalloc(ne, sizeof *sc->estamp);
    sc->best = xcalloc(ne, sizeof *sc->best);
    sc->etouched = xcalloc(ne, sizeof *sc->etouched);
    sc->idstamp = xcalloc(ne, sizeof *sc->idstamp);
    sc->idlabel = xcalloc(ne, sizeof *sc->idlabel);
    sc->kstamp = xcalloc(nk, sizeof *sc->kstamp);
    sc->kbstamp = xcalloc(nk, sizeof *sc->kbstamp);
    sc->kbits = xcalloc(nk, sizeof *sc->kbits);
    sc->memo.wstamp = xcalloc(nw, sizeof *sc->memo.wstamp);
    sc->memo.wslot = xcalloc(nw, sizeof *sc->memo.wslot);
    size_t nt = ix->gate.ntok ? ix->gate.ntok : 1;
    sc->tstamp = xcalloc(nt, sizeof *sc->tstamp);
    sc->tslot = xcalloc(nt, sizeof *sc->tslot);
    return sc;
}

static void scratch_free(struct scratch *sc)
{
    if (sc == NULL)
        return;
    free(sc->nstamp);
    free(sc->nmask);
    free(sc->touched);
    free(sc->estamp);
    free(sc->best);
    free(sc->etouched);
    free(sc->idstamp);
    free(sc->idlabel);
    free(sc->kstamp);
    free(sc->kbstamp);
    free(sc->kbits);
    free(sc->klist);
    free(sc->memo.wstamp);
    free(sc->memo.wslot);
    free(sc->memo.rows);
    free(sc->tstamp);
    free(sc->tslot);
    free(sc->trows);
    free(sc);
}

/* A fresh stamp; every stamp array is cleared when the counter would wrap. */
static uint32_t scratch_stamp(const struct screen_index *ix, struct scratch *sc)
{
    if (sc->epoch >= UINT32_MAX - 1) {
        memset(sc->nstamp, 0, ix->nnames * sizeof *sc->nstamp);
        memset(sc->estamp, 0, ix->nentries * sizeof *sc->estamp);
        memset(sc->idstamp, 0, ix->nentries * sizeof *sc->idstamp);
        memset(sc->kstamp, 0, ix->nkeys * sizeof *sc->kstamp);
        memset(sc->kbstamp, 0, ix->nkeys * sizeof *sc->kbstamp);
        memset(sc->memo.wstamp, 0, ix->nwords * sizeof *sc->memo.wstamp);
        memset(sc->tstamp, 0, ix->gate.ntok * sizeof *sc->tstamp);
        sc->epoch = 0;
    }
    return ++sc->epoch;
}

/* Scratch space from the index's pool (the index itself is not changed:
 * the pool is only a cache, under its own lock). */
static struct scratch *scratch_get(const struct screen_index *cix)
{
    struct screen_index *ix = (struct screen_index *)cix;
    struct scratch *sc = NULL;

    pthread_mutex_lock(&ix->pool_lock);
    if (ix->npool)
        sc = ix->pool[--ix->npool];
    pthread_mutex_unlock(&ix->pool_lock);
    return sc ? sc : scratch_new(ix);
}

static void scratch_put(const struct screen_index *cix, struct scratch *sc)
{
    struct screen_index *ix = (struct screen_index *)cix;

    pthread_mutex_lock(&ix->pool_lock);
    if (ix->npool == ix->cappool) {
        ix->cappool = ix->cappool ? ix->cappool * 2 : 4;
        ix->pool = xrealloc(ix->pool, ix->cappool * sizeof *ix->pool);
    }
    ix->pool[ix->npool++] = sc;
    pthread_mutex_unlock(&ix->pool_lock);
}

/* ---- candidates ------------------------------------------------------------ */

/* Whether listed key kid can pair with query word q (generous: the scorer
 * decides).  qmask holds q's letters.  Before Jaro-Winkler, a bound from
 * the letters alone: the m matching letters are neither letters of q that
 * the key lacks nor letters of the key that q lacks, Jaro is at most
 * (m/a + m/b + 1)/3, and the prefix bonus is known exactly. */
static bool key_similar(const struct screen_index *ix, const struct q_word *q, uint64_t qmask,
                        uint32_t kid)
{
    const char *k = ix->key_str[kid];
    size_t kl = ix->key_len[kid];

    if (kid == q->key_id)
        return true;
    if (q->cls == NAME_WORD_NUMBER)
        return false;
    size_t shorter = q->keylen < kl ? q->keylen : kl, same = 0;
    while (same < shorter && q->key[same] == k[same])
        same++;
    if (shorter >= 3 && same == shorter)
        return true;
    double min = shorter <= 3 ? 0.9 : PAIR_MIN;
    uint64_t km = ix->key_mask[kid];
    size_t lack_q = 0, lack_k = (size_t)__builtin_popcountll(km & ~qmask);
    for (size_t i = 0; i < q->keylen; i++)
        lack_q += !((km >> ((unsigned char)q->key[i] & 63)) & 1);
    double a = (double)q->keylen, b = (double)kl;
    double m = a - (double)lack_q < b - (double)lack_k ? a - (double)lack_q : b - (double)lack_k;
    if (m <= 0)
        return false;
    double j = (m / a + m / b + 1.0) / 3.0;
    if (j + (double)(same < 4 ? same : 4) * 0.1 * (1.0 - j) + 1e-9 < min)
        return false;
    double s = names_jaro_winkler_bytes(q->key, q->keylen, k, kl, 0.7);
    return s >= min;
}

/* Lists the keys similar to query word q (memo column col) in the
 * scratch key list, sets the column's bit on each of them, and returns the
 * heaviest such key's weight and the names they hold. */
struct reach {
    const struct screen_index *ix;
    struct scratch *sc;
    const struct q_word *q;
    uint32_t bit, kst, fst;
    uint64_t qmask;
    float max_w;
    size_t names;
};

static void reach_key(struct reach *r, uint32_t kid)
{
    struct scratch *sc = r->sc;

    if (kid == UINT32_MAX || sc->kstamp[kid] == r->kst)
        return;
    sc->kstamp[kid] = r->kst;
    if (!key_similar(r->ix, r->q, r->qmask, kid))
        return;
    if (sc->kbstamp[kid] != r->fst) {
        sc->kbstamp[kid] = r->fst;
        sc->kbits[kid] = 0;
    }
    sc->kbits[kid] |= r->bit;
    if (sc->nklist == sc->capklist) {
        sc->capklist = sc->capklist ? sc->capklist * 2 : 256;
        sc->klist = xrealloc(sc->klist, sc->capklist * sizeof *sc->klist);
    }
    sc->klist[sc->nklist++] = kid;
    if (r->ix->key_w[kid] > r->max_w)
        r->max_w = r->ix->key_w[kid];
    r->names += r->ix->key_name_start[kid + 1] - r->ix->key_name_start[kid];
}

static void reach_block(struct reach *r, const struct hblocks *hb, const char *k, size_t n)
{
    uint64_t h = hash_str(k, n);
    uint32_t b = (uint32_t)(h & hb->mask);

    for (uint32_t j = hb->start[b]; j < hb->start[b + 1]; j++)
        if (hb->hash[j] == h)
            reach_key(r, hb->val[j]);
}

static void reach_word(const struct screen_index *ix, struct scratch *sc, const struct q_word *q,
                       size_t col, uint32_t fst, float *max_w, size_t *names)
{
    struct reach r = { ix, sc, q, 1u << col, scratch_stamp(ix, sc), fst,
                       byte_mask(q->key, q->keylen), 0, 0 };
    char del[256];
    size_t n = q->keylen;

    reach_key(&r, q->key_id);
    reach_block(&r, &ix->prefix_blocks, q->key, n < PREFIX_LEN ? n : PREFIX_LEN);
    if (n >= 3 && n < sizeof del && q->cls != NAME_WORD_NUMBER) {
        /* one edit away: a letter more (the query is a deletion of the key),
         * a letter less, or one replaced or two swapped (a shared deletion) */
        reach_block(&r, &ix->del_blocks, q->key, n);
        for (size_t d = 0; d < n; d++) {
            if (d > 0 && q->key[d] == q->key[d - 1])
                continue;
            memcpy(del, q->key, d);
            memcpy(del + d, q->key + d + 1, n - d - 1);
            reach_key(&r, strmap_get(&ix->key_map, del, n - 1));
            reach_block(&r, &ix->del_blocks, del, n - 1);
        }
    }
    *max_w = r.max_w;
    *names = r.names;
}

/* The best score a name could reach when the query words of mask pair
 * with its words and the others do not: each pair counts in full with the
 * heaviest weight its listed word could have (col_w, capped by max_wr). */
static double score_bound(const struct q_form *f, const float *col_w, float max_wr, uint32_t mask)
{
    double best = 0;

    for (int v = 0; v < (f->njoined ? 2 : 1); v++) {
        const struct q_word *w = v ? f->joined : f->w;
        const uint8_t *col = v ? f->jidx : f->idx;
        size_t n = v ? f->njoined : f->n;
        double x = 0, c = 0;
        for (size_t i = 0; i < n; i++) {
            float wr = col_w[col[i]] < max_wr ? col_w[col[i]] : max_wr;
            if (mask & (1u << col[i]))
                x += w[i].weight + wr;
            else
                c += 2 * EXTRA_QUERY * w[i].weight;
        }
        double b = x + c > 0 ? 100.0 * x / (x + c) : 0;
        if (b > best)
            best = b;
    }
    return best;
}

/* Candidates of query form f: sc->touched gets the names worth scoring
 * and sc->nmask their marks.  Words whose names could not reach the
 * threshold without a rarer word ("common" words: KIM, KOREA, TRADING)
 * do not add names; they only mark those the rarer words reached. */
static void candidates(const struct screen_index *ix, struct scratch *sc, const struct q_form *f,
                       uint32_t fst, double threshold, bool bounded, float *col_w)
{
    size_t ncol = f->n + (f->njoined ? 1 : 0), names[MAX_QW], start[MAX_QW + 1];
    uint32_t eligible = 0, common = 0, all = 0;

    sc->nklist = 0;
    sc->ntouched = 0;
    for (size_t k = 0; k < ncol; k++) {
        const struct q_word *w = k < f->n ? &f->w[k] : &f->joined[1];
        start[k] = sc->nklist;
        col_w[k] = ix->max_key_w;
        names[k] = 0;
        all |= 1u << k;
        /* company-form words stand for any listed word: they are not looked up */
        if (f->informative && w->cls == NAME_WORD_FORM)
            continue;
        eligible |= 1u << k;
        reach_word(ix, sc, w, k, fst, &col_w[k], &names[k]);
    }
    start[ncol] = sc->nklist;
    if (bounded) {
        /* the form words may pair with anything */
        uint32_t base = all & ~eligible;
        for (;;) {
            size_t most = 0, arg = MAX_QW;
            for (size_t k = 0; k < ncol; k++)
                if ((eligible & ~common) & (1u << k) && names[k] >= most)
                    most = names[k], arg = k;
            if (arg == MAX_QW || score_bound(f, col_w, ix->max_key_w, base | common | (1u << arg)) >= threshold)
                break;
            common |= 1u << arg;
        }
    }
    for (size_t k = 0; k < ncol; k++) {
        if (!(eligible & (1u << k)) || common & (1u << k))
            continue;
        for (size_t j = start[k]; j < start[k + 1]; j++) {
            uint32_t kid = sc->klist[j];
            for (uint32_t i = ix->key_name_start[kid]; i < ix->key_name_start[kid + 1]; i++) {
                uint32_t n = ix->key_name_ids[i];
                if (sc->nstamp[n] != fst) {
                    sc->nstamp[n] = fst;
                    sc->touched[sc->ntouched++] = n;
                }
            }
        }
    }
    /* the marks: which query words have a similar key in each name */
    for (size_t t = 0; t < sc->ntouched; t++) {
        uint32_t n = sc->touched[t], mask = all & ~eligible;
        const struct s_name *sn = &ix->names[n];
        for (size_t j = 0; j < sn->nwords + sn->njoined; j++) {
            uint32_t kid = ix->words[j < sn->nwords ? sn->words[j] : sn->joined[j - sn->nwords]].key_id;
            if (sc->kbstamp[kid] == fst)
                mask |= sc->kbits[kid];
        }
        sc->nmask[n] = mask;
    }
}

/* The names that pass OFAC's gate for query code points q, in
 * sc->touched: for each query word, the listed words of the same first
 * letter whose length allows 50 % similarity are checked by edit
 * distance, and the names holding those that pass are taken. */
static void ofac_gate_names(const struct screen_index *ix, struct scratch *sc, const uint32_t *q,
                            size_t nq, uint32_t st)
{
    const struct ofac_gate *g = &ix->gate;
    size_t qs[MAX_WORDS], ql[MAX_WORDS], nqt = ofac_query_words(q, nq, qs, ql);
    const uint64_t id_mask = ((uint64_t)1 << GATE_ID_BITS) - 1;

    sc->ntouched = 0;
    for (size_t i = 0; i < nqt; i++) {
        const uint32_t *w = q + qs[i];
        size_t n = ql[i], lo_len = (n + 1) / 2, hi_len = 2 * n;
        if (hi_len > UINT16_MAX)
            hi_len = UINT16_MAX;
        uint64_t qmask = letter_mask(w, n);
        uint64_t lo_key = ((uint64_t)w[0] << GATE_FIRST_SHIFT) | ((uint64_t)lo_len << GATE_LEN_SHIFT);
        uint64_t hi_key = ((uint64_t)w[0] << GATE_FIRST_SHIFT) | ((uint64_t)hi_len << GATE_LEN_SHIFT) | id_mask;
        size_t lo = 0, hi = g->ntok;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (g->order[mid] < lo_key)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < g->ntok && g->order[k] <= hi_key; k++) {
            uint32_t id = (uint32_t)(g->order[k] & id_mask);
            size_t len = g->len[id], edits = (len > n ? len : n) / 2;
            /* a cheap bound first: each letter of one word that the other
             * lacks costs an edit */
            uint64_t tm = g->mask[id];
            size_t lack = (size_t)__builtin_popcountll(tm & ~qmask);
            if (lack > edits)
                continue;
            lack = 0;
            for (size_t c = 0; c < n; c++)
                lack += !((tm >> (w[c] & 63)) & 1);
            if (lack > edits || !edit_close(w, n, g->cp + g->off[id], len))
                continue;
            for (uint32_t j = g->name_start[id]; j < g->name_start[id + 1]; j++) {
                uint32_t nm = g->name_ids[j];
                if (sc->nstamp[nm] != st) {
                    sc->nstamp[nm] = st;
                    sc->touched[sc->ntouched++] = nm;
                }
            }
        }
    }
}

/* The OFAC score of name sn for query q (words qs/ql of nqw), as
 * ofac_cp_score gives it, with each word similarity computed once per
 * query and listed token (stamp st).  The whole-name Jaro-Winkler is
 * skipped when its bound from the lengths alone can neither beat the word
 * score nor reach the threshold: the score of a name that can reach the
 * threshold is exact. */
static double ofac_fast_score(const struct screen_index *ix, struct scratch *sc, uint32_t st,
                              const uint32_t *q, size_t nq, uint64_t qmask, const size_t *qs,
                              const size_t *ql, size_t nqw, const struct s_name *sn, double threshold)
{
    const struct ofac_gate *g = &ix->gate;
    double sum = 0, per, whole = 0;

    if (sn->gtok == NULL)
        return ofac_cp_score(q, nq, sn->cp, sn->ncp, NULL);
    for (size_t i = 0; i < nqw; i++) {
        double best = 0;
        for (size_t j = 0; j < sn->ngtok; j++) {
            uint32_t t = sn->gtok[j];
            if (sc->tstamp[t] != st) {
                if (sc->ntrows == sc->captrows) {
                    sc->captrows = sc->captrows ? sc->captrows * 2 : 1024;
                    sc->trows = xrealloc(sc->trows, sc->captrows * MAX_WORDS * sizeof *sc->trows);
                }
                sc->tstamp[t] = st;
                sc->tslot[t] = (uint32_t)sc->ntrows;
                double *row = sc->trows + sc->ntrows++ * MAX_WORDS;
                for (size_t k = 0; k < MAX_WORDS; k++)
                    row[k] = -1.0f;
            }
            double *cell = sc->trows + (size_t)sc->tslot[t] * MAX_WORDS + i;
            if (*cell < 0)
                *cell = names_jaro_winkler(q + qs[i], ql[i], g->cp + g->off[t], g->len[t], 0.7);
            if (*cell > best)
                best = *cell;
        }
        sum += best < 0.5 ? 0 : best;
    }
    per = nqw ? sum / (double)nqw : 0;
    if (nq && sn->ncp && q[0] == sn->cp[0]) {
        /* Jaro <= (m/a + m/b + 1)/3, where the m matching letters are
         * neither letters of the query that the name lacks nor letters of
         * the name that the query lacks; the prefix bonus adds at most 0.4
         * of what is left */
        size_t lack_q = 0, lack_c = (size_t)__builtin_popcountll(sn->cpmask & ~qmask);
        for (size_t i = 0; i < nq; i++)
            lack_q += !((sn->cpmask >> (q[i] & 63)) & 1);
        double a = (double)nq, b = (double)sn->ncp;
        double m = a - (double)lack_q < b - (double)lack_c ? a - (double)lack_q : b - (double)lack_c;
        double j = m > 0 ? (m / a + m / b + 1.0) / 3.0 : 0, bound = j + 0.4 * (1.0 - j) + 1e-9;
        if (bound > per && bound * 100.0 >= threshold)
            whole = names_jaro_winkler(q, nq, sn->cp, sn->ncp, 0.0);
    }
    return (whole > per ? whole : per) * 100.0;
}

/* Keeps score s of name n if it is its entry's best so far. */
static void note_best(const struct screen_index *ix, struct scratch *sc, uint32_t qst, uint32_t n,
                      double s, int variant, int form)
{
    const struct s_name *sn = &ix->names[n];
    struct best *b = &sc->best[sn->entry];

    if (sc->estamp[sn->entry] != qst) {
        sc->estamp[sn->entry] = qst;
        b->score = 0;
        sc->etouched[sc->netouched++] = sn->entry;
    }
    if (s > b->score) {
        b->score = s;
        b->name = n;
        b->variant = variant;
        b->form = form;
    }
}

static bool utf8_valid(const char *s)
{
    int32_t i = 0, len = (int32_t)strlen(s);

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0)
            return false;
    }
    return true;
}

int screen_scorer_parse(struct at_ctx *ctx, const char *name, enum screen_scorer *out)
{
    if (strcmp(name, "attest") == 0)
        *out = SCREEN_ATTEST;
    else if (strcmp(name, "ofac") == 0)
        *out = SCREEN_OFAC;
    else
        return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a scorer; valid: attest, ofac", name);
    return AT_OK;
}

static int cmp_hits(const void *a, const void *b)
{
    json_t *ha = *(json_t *const *)a, *hb = *(json_t *const *)b;
    double x = json_real_value(json_object_get(ha, "score"));
    double y = json_real_value(json_object_get(hb, "score"));
    if (x != y)
        return (x < y) - (x > y);
    int c = strcmp(json_string_value(json_object_get(ha, "list")), json_string_value(json_object_get(hb, "list")));
    return c ? c : strcmp(json_string_value(json_object_get(ha, "key")), json_string_value(json_object_get(hb, "key")));
}

static json_t *hit_of(const struct s_entry *e, double score, const char *scorer)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:s}", "list", e->list, "key", e->key,
                     "type", e->type, "name", e->name, "score", round(score * 10) / 10,
                     "scorer", scorer);
}

int screen_query(struct at_ctx *ctx, const struct screen_index *ix, const struct screen_query *q,
                 json_t **hits)
{
    struct buf name = BUF_INIT;
    json_t *ids = json_array(), *id_keys = json_array(), *v;
    struct name_forms forms = { { NULL }, 0 };
    struct scratch *sc = scratch_get(ix);
    struct q_form qf[NAMES_MAX_FORMS];
    uint8_t tcode = q->type ? type_code(q->type) : T_OTHER;
    uint32_t *q_cp = NULL, nq_cp = 0;
    size_t i;
    int rc = AT_OK;

    *hits = NULL;
    memset(qf, 0, sizeof qf);
    uint32_t qst = scratch_stamp(ix, sc);
    sc->netouched = 0;
    find_ids(q->name ? q->name : "", &name, ids);
    for (i = 0; i < q->nids; i++)
        json_array_append_new(ids, json_string(q->ids[i]));
    json_array_foreach(ids, i, v)
        id_candidates(json_string_value(v), id_keys);
    /* identifiers first */
    json_array_foreach(id_keys, i, v) {
        const char *k = json_string_value(v);
        uint32_t p = strmap_get(&ix->id_map, k, strlen(k));
        if (p == UINT32_MAX)
            continue;
        for (size_t j = 0; j < ix->id_postings[p].n; j++) {
            uint32_t e = ix->id_postings[p].v[j];
            if (!type_ok(&ix->entries[e], tcode, q->type))
                continue;
            if (sc->estamp[e] != qst) {
                sc->estamp[e] = qst;
                sc->best[e].score = 0;
                sc->etouched[sc->netouched++] = e;
            }
            sc->idstamp[e] = qst;
            sc->idlabel[e] = ix->id_labels[p];
        }
    }
    if (q->scorer == SCREEN_OFAC) {
        /* OFAC's own method: its gate, then each name that passes scored
         * once on the query as typed */
        if (!utf8_valid(buf_str(&name))) {
            rc = ctx_error(ctx, AT_EINVAL, "the name is not valid UTF-8");
            goto out;
        }
        size_t qs[MAX_WORDS], ql[MAX_WORDS], nqw;
        uint32_t gst = scratch_stamp(ix, sc);
        q_cp = ofac_codepoints(buf_str(&name), &nq_cp);
        nqw = ofac_query_words(q_cp, nq_cp, qs, ql);
        uint64_t qmask = letter_mask(q_cp, nq_cp);
        ofac_gate_names(ix, sc, q_cp, nq_cp, gst);
        sc->ntrows = 0;
        for (size_t t = 0; t < sc->ntouched; t++) {
            uint32_t n = sc->touched[t];
            const struct s_name *sn = &ix->names[n];
            if (sn->cp == NULL || !type_ok(&ix->entries[sn->entry], tcode, q->type))
                continue;
            double s = ofac_fast_score(ix, sc, gst, q_cp, nq_cp, qmask, qs, ql, nqw, sn, q->threshold);
            if (s > 0)
                note_best(ix, sc, qst, n, s, 0, 0);
        }
    } else if (name.len && (rc = names_normalise(ctx, buf_str(&name), &forms)) != AT_OK) {
        goto out;
    }
    for (size_t f = 0; q->scorer == SCREEN_ATTEST && f < forms.n; f++) {
        struct q_form *qff = &qf[f];
        q_form_build(ix, forms.form[f], qff);
        uint32_t fst = scratch_stamp(ix, sc);
        float col_w[MAX_QW];
        sc->memo.stamp = fst;
        sc->memo.nrows = 0;
        candidates(ix, sc, qff, fst, q->threshold, q->threshold > 0, col_w);
        for (size_t t = 0; t < sc->ntouched; t++) {
            uint32_t n = sc->touched[t];
            const struct s_name *sn = &ix->names[n];
            if (!type_ok(&ix->entries[sn->entry], tcode, q->type))
                continue;
            if (score_bound(qff, col_w, sn->max_wr, sc->nmask[n]) < q->threshold)
                continue;
            int variant = 0;
            double s = score_variants(ix, &sc->memo, qff, sn, &variant, NULL);
            if (s > 0)
                note_best(ix, sc, qst, n, s, variant, (int)f);
        }
    }
    *hits = json_array();
    for (size_t t = 0; t < sc->netouched; t++) {
        uint32_t e = sc->etouched[t];
        const struct best *b = &sc->best[e];
        bool id_hit = sc->idstamp[e] == qst;
        if (!id_hit && (b->score < q->threshold || b->score <= 0))
            continue;
        const char *scorer = q->scorer == SCREEN_OFAC ? "ofac" : "attest";
        json_t *hit = hit_of(&ix->entries[e], id_hit ? 100.0 : b->score, scorer);
        json_t *explain = NULL;
        if (b->score > 0) {
            const struct s_name *sn = &ix->names[b->name];
            json_object_set_new(hit, "matched_name", json_string(sn->text));
            json_object_set_new(hit, "quality", json_string(sn->quality));
            json_object_set_new(hit, "name_score", json_real(round(b->score * 10) / 10));
            if (q->scorer == SCREEN_OFAC) {
                explain = json_object();
                ofac_cp_score(q_cp, nq_cp, sn->cp, sn->ncp, explain);
            } else {
                int variant;
                explain = json_object();
                score_variants(ix, NULL, &qf[b->form], sn, &variant, explain);
                json_object_set_new(explain, "query_form", json_string(forms.form[b->form]));
            }
        }
        if (id_hit) {
            if (explain == NULL)
                explain = json_object();
            json_object_set_new(explain, "identifier", json_string(sc->idlabel[e]));
            json_object_set_new(hit, "match", json_string("identifier"));
        }
        if (explain)
            json_object_set_new(hit, "explain", explain);
        json_array_append_new(*hits, hit);
    }
    /* best first (ties in list order), then cut to the limit */
    size_t n = json_array_size(*hits);
    json_t **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    for (i = 0; i < n; i++)
        sorted[i] = json_incref(json_array_get(*hits, i));
    qsort(sorted, n, sizeof *sorted, cmp_hits);
    json_array_clear(*hits);
    for (i = 0; i < n; i++) {
        if (q->limit == 0 || i < q->limit)
            json_array_append(*hits, sorted[i]);
        json_decref(sorted[i]);
    }
    free(sorted);
out:
    free(q_cp);
    for (size_t f = 0; f < NAMES_MAX_FORMS; f++) {
        buf_free(&qf[f].joined_text);
        buf_free(&qf[f].key_text);
    }
    names_forms_free(&forms);
    json_decref(ids);
    json_decref(id_keys);
    buf_free(&name);
    scratch_put(ix, sc);
    return rc;
}

/* The screen type of a FollowTheMoney schema, or "" for any; NULL if unknown. */
static const char *schema_type(const char *schema)
{
    static const char *const map[][2] = {
        { "Company", "company" }, { "LegalEntity", "" }, { "Organization", "company" },
        { "Person", "person" }, { "Thing", "" }, { "Vessel", "vessel" }, { "Airplane", "aircraft" },
    };

    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strcmp(map[i][0], schema) == 0)
            return map[i][1];
    return NULL;
}

/* Screens one query of a batch into a response object. */
static json_t *match_one(const struct screen_index *ix, json_t *query, enum screen_scorer scorer,
                         double threshold, size_t limit)
{
    static const char *const id_props[] = { "imoNumber", "swiftBic", "phone", "email",
                                            "registrationNumber", "passportNumber", "mmsi" };
    struct at_ctx ctx = { 0 };
    const char *schema = json_string_value(json_object_get(query, "schema"));
    json_t *props = json_object_get(query, "properties"), *v, *hits = NULL, *results = json_array();
    const char *ids[32];
    size_t nids = 0, i;
    const char *type = schema_type(schema ? schema : "Thing");

    if (type == NULL || !json_is_object(props)) {
        json_decref(results);
        return json_pack("{s:i, s:s}", "status", 400, "error",
                         type == NULL ? "schema: not one of Person, Company, Organization, LegalEntity, Vessel, Airplane"
                                      : "properties: must be an object");
    }
    for (size_t k = 0; k < ARRAY_LEN(id_props); k++)
        json_array_foreach(json_object_get(props, id_props[k]), i, v)
            if (json_is_string(v) && nids < ARRAY_LEN(ids))
                ids[nids++] = json_string_value(v);
    json_t *names = json_object_get(props, "name");
    size_t nnames = json_array_size(names);
    for (size_t n = 0; n < (nnames ? nnames : 1); n++) {
        struct screen_query q = { nnames ? json_string_value(json_array_get(names, n)) : "",
                                  *type ? type : NULL, ids, nids, scorer, threshold, limit };
        if (screen_query(&ctx, ix, &q, &hits) != AT_OK) {
            json_decref(results);
            return json_pack("{s:i, s:s}", "status", 400, "error", ctx.message);
        }
        /* keep the best hit per entry over the query's names */
        json_array_foreach(hits, i, v) {
            json_t *r;
            size_t j;
            bool seen = false;
            json_array_foreach(results, j, r)
                if (json_equal(json_object_get(r, "key"), json_object_get(v, "key"))
                    && json_equal(json_object_get(r, "list"), json_object_get(v, "list")))
                    seen = true;
            if (!seen) {
                json_object_set_new(v, "match", json_boolean(json_real_value(json_object_get(v, "score")) >= threshold));
                json_array_append(results, v);
            }
        }
        json_decref(hits);
    }
    return json_pack("{s:i, s:o, s:I}", "status", 200, "results", results, "total",
                     (json_int_t)json_array_size(results));
}

int screen_match_json(struct at_ctx *ctx, const struct screen_index *ix, json_t *request,
                      json_t **response)
{
    json_t *queries = json_object_get(request, "queries"), *q, *responses;
    json_t *t = json_object_get(request, "threshold"), *l = json_object_get(request, "limit");
    const char *alg = json_string_value(json_object_get(request, "algorithm"));
    enum screen_scorer scorer = SCREEN_ATTEST;
    const char *id;

    *response = NULL;
    if (!json_is_object(queries))
        return ctx_error(ctx, AT_EINVAL, "queries: must be an object of query id -> query");
    if (alg && screen_scorer_parse(ctx, alg, &scorer) != AT_OK)
        return ctx_prefix(ctx, "algorithm: ");
    double threshold = t ? json_number_value(t) * 100.0 : 70.0;
    size_t limit = l ? (size_t)json_integer_value(l) : 5;
    responses = json_object();
    json_object_foreach(queries, id, q)
        json_object_set_new(responses, id, match_one(ix, q, scorer, threshold, limit));
    *response = json_pack("{s:o, s:I}", "responses", responses, "limit", (json_int_t)limit);
    return AT_OK;
}
