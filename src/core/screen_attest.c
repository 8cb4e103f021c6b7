/*
 * screen_attest.c: the attest scorer (see screen.h), its query forms and
 * its candidates.
 *
 * Words are folded across romanisations and paired one to one by
 * Jaro-Winkler, best pair first; each pair weighs by how rare its words
 * are on the lists, company-form words weigh less, unmatched query words
 * cost more than unmatched list words, and numbers are decisive.
 *
 * A query marks, on every name reached from one of its informative words
 * (all words when it has only company-form words), which of its words
 * found a similar key there.  From that mark alone a name's best possible
 * score is known (the words it cannot pair count as unmatched); only the
 * names whose bound reaches the threshold are scored in full, and word
 * similarities are computed once per query word and listed word.
 */
#include "attest.h"
#include "names.h"
#include "screen.h"
#include "screen_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether b is a with one letter deleted (nb == na - 1). */
static bool one_deleted(const char *a, size_t na, const char *b, size_t nb)
{
    size_t p = 0;

    if (nb + 1 != na)
        return false;
    while (p < nb && a[p] == b[p])
        p++;
    return memcmp(a + p + 1, b + p, nb - p) == 0;
}

/* Whether a without its letter i equals b without its letter j (both of
 * length n). */
static bool equal_without(const char *a, size_t i, const char *b, size_t j, size_t n)
{
    for (size_t x = 0, y = 0; x < n && y < n; x++, y++) {
        x += x == i;
        y += y == j;
        if (x < n && y < n && a[x] != b[y])
            return false;
    }
    return true;
}

/* Whether a and b (both of length n) become equal with one letter deleted
 * from each.  One of the deletions is at or before the first difference. */
static bool share_deletion(const char *a, const char *b, size_t n)
{
    size_t p = 0;

    while (p < n && a[p] == b[p])
        p++;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if ((i <= p || j <= p) && equal_without(a, i, b, j, n))
                return true;
    return false;
}

/* Whether the index leads from query key a to listed key b (see
 * reach_word): the same first three letters (or the whole key when
 * shorter), or, for keys of three letters or more, one edit apart (a
 * letter more, a letter less, or both having a deletion in common: one
 * replaced, two swapped).  Words pair only when it does, so that the
 * candidates hold every name a query can score against. */
static bool keys_reachable(const char *a, size_t na, const char *b, size_t nb)
{
    size_t pa = na < PREFIX_LEN ? na : PREFIX_LEN, pb = nb < PREFIX_LEN ? nb : PREFIX_LEN;

    if (pa == pb && memcmp(a, b, pa) == 0)
        return true;
    if (na < 3 || na >= 256)
        return false;
    if (nb == na + 1)
        return one_deleted(b, nb, a, na);
    if (nb + 1 == na)
        return one_deleted(a, na, b, nb);
    return nb == na && share_deletion(a, b, na);
}

static double word_sim(const struct q_word *a, const struct s_word *b)
{
    bool exact = a->cls == NAME_WORD_NUMBER || b->cls == NAME_WORD_NUMBER
              || (a->rawlen && (unsigned char)a->raw[0] >= 0x80)
              || (b->rawlen && (unsigned char)b->raw[0] >= 0x80);

    /* numbers, and words in their own script (Hangul, Chinese), pair
     * only when equal: 용호 and 영호 are two names */
    if (exact)
        return a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0 ? 1.0 : 0.0;
    if (a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0)
        return 1.0;
    if (a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0)
        return 0.97;
    /* two runs of Korean syllables that differ are two names (Yongu is
     * not Ryong) */
    if (a->korean && b->korean)
        return 0.0;
    size_t shorter = a->keylen < b->keylen ? a->keylen : b->keylen;
    /* an abbreviation: corp / corporation, intl / international */
    if (shorter >= 3 && strncmp(a->key, b->key, shorter) == 0
        && (a->cls == NAME_WORD_FORM || b->cls == NAME_WORD_FORM))
        return 0.9;
    double s = names_jaro_winkler_bytes(a->key, a->keylen, b->key, b->keylen, 0.7);
    double min = shorter <= 3 ? 0.9 : PAIR_MIN;
    if (s < min || !keys_reachable(a->key, a->keylen, b->key, b->keylen))
        return 0.0;
    /* Spread what is left above the cut-off over 0.5 .. 0.95, so that two
     * merely similar words count for half a match, not nearly a whole;
     * but a word of four letters or more one slip off (a letter more,
     * less, replaced, or two swapped) is a misspelling: ONE_SLIP. */
    double spread = 0.5 + 0.45 * (s - min) / (1.0 - min);
    if (shorter >= 4 && spread < ONE_SLIP && names_one_edit(a->key, a->keylen, b->key, b->keylen))
        return ONE_SLIP;
    return spread;
}

/* Word similarities computed once per query word and listed word. */
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

/* The share of the pairs of plain words (query word i with listed word
 * at[i], -1 when unpaired) that stand in the other order, 0 .. 1. */
static double order_swapped(const struct screen_index *ix, const struct q_word *q, size_t nq,
                            const uint32_t *words, const int *at)
{
    size_t pairs = 0, swapped = 0;

    for (size_t i = 0; i < nq; i++) {
        if (at[i] < 0 || q[i].cls != NAME_WORD_PLAIN || ix->words[words[at[i]]].cls != NAME_WORD_PLAIN)
            continue;
        for (size_t k = i + 1; k < nq; k++) {
            if (at[k] < 0 || q[k].cls != NAME_WORD_PLAIN || ix->words[words[at[k]]].cls != NAME_WORD_PLAIN)
                continue;
            pairs++;
            swapped += at[k] < at[i];
        }
    }
    return pairs ? (double)swapped / (double)pairs : 0.0;
}

/* The attest score of query words q against listed words; ordered (a
 * company's or a vessel's name): words paired in the other order cost up
 * to ORDER_COST of the score, Ryong Tae Trading not being Tae Ryong
 * Trading. */
static double attest_score(const struct screen_index *ix, struct memo *m, const struct q_word *q,
                           const uint8_t *qidx, size_t nq, const uint32_t *words, size_t nw,
                           bool ordered, json_t *explain)
{
    double sim[MAX_WORDS][MAX_WORDS];
    bool qused[MAX_WORDS] = { false }, wused[MAX_WORDS] = { false };
    int at[MAX_WORDS];
    double num = 0, den = 0;
    bool number_clash = false;

    for (size_t i = 0; i < nq; i++)
        at[i] = -1;
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
        at[bi] = (int)bj;
        const struct s_word *w = &ix->words[words[bj]];
        double wr = w->weight;
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
            den += 2 * EXTRA_NAME * w->weight;
            number_clash |= q_number && w->cls == NAME_WORD_NUMBER;
            if (un)
                json_array_append_new(un, json_stringn(w->raw, w->rawlen));
        }
    double score = den > 0 ? 100.0 * num / den : 0;
    /* SAM JONG 1 is not SAM JONG 2. */
    if (number_clash)
        score *= 0.5;
    double swapped = ordered ? order_swapped(ix, q, nq, words, at) : 0.0;
    score *= 1.0 - ORDER_COST * swapped;
    if (explain) {
        json_object_set_new(explain, "pairs", pairs);
        json_object_set_new(explain, "unmatched_query", uq);
        json_object_set_new(explain, "unmatched_name", un);
        if (number_clash)
            json_object_set_new(explain, "number_mismatch", json_true());
        if (swapped > 0)
            json_object_set_new(explain, "order_swapped", json_real(round(swapped * 100) / 100));
    }
    return score;
}

/* ---- queries ------------------------------------------------------------- */

static void q_word_init(const struct screen_index *ix, struct q_word *qw, const char *raw,
                        size_t n, struct buf *keys)
{
    uint32_t id = screen_map_get(&ix->word_map, raw, n);

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
        qw->korean = false;
        qw->weight = w->weight;
        return;
    }
    size_t at = keys->len;
    names_fold_token(raw, n, keys);
    buf_putc(keys, '\0');
    qw->key = NULL; /* set from the offset once keys stops growing */
    qw->keylen = keys->len - at - 1;
    qw->cls = (uint8_t)names_word_class(raw, n);
    uint32_t kid = screen_map_get(&ix->key_map, keys->data + at, qw->keylen);
    qw->key_id = kid;
    qw->korean = false; /* set by screen_q_form_build for a Korean name */
    float idf = screen_key_idf(ix, keys->data + at, qw->keylen);
    qw->weight = screen_word_weight(idf, qw->cls);
    qw->raw = raw;
    qw->key = (const char *)(uintptr_t)at; /* offset, fixed below */
}

void screen_q_form_build(const struct screen_index *ix, const char *form, struct q_form *f)
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
            fixed[f->n] = screen_map_get(&ix->word_map, p, len) != UINT32_MAX;
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
        fixed[MAX_WORDS] = screen_map_get(&ix->word_map, f->joined_text.data, f->joined_text.len - 1) != UINT32_MAX;
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
    /* a Korean name: its syllable words compare as names, not spellings */
    if (names_korean_name(form)) {
        for (size_t i = 0; i < f->n; i++)
            f->w[i].korean = names_korean_syllables(f->w[i].key, f->w[i].keylen);
        for (size_t i = 0; i < f->njoined; i++)
            f->joined[i].korean = names_korean_syllables(f->joined[i].key, f->joined[i].keylen);
    }
}

double screen_score_variants(const struct screen_index *ix, struct memo *m, const struct q_form *f,
                             const struct s_name *sn, int *variant, json_t *explain)
{
    uint8_t tcode = ix->entries[sn->entry].tcode;
    bool ordered = tcode == T_COMPANY || tcode == T_VESSEL;
    double best = attest_score(ix, m, f->w, f->idx, f->n, sn->words, sn->nwords, ordered, NULL);
    *variant = 0;
    if (f->njoined) {
        double s = attest_score(ix, m, f->joined, f->jidx, f->njoined, sn->words, sn->nwords, ordered, NULL);
        if (s > best)
            best = s, *variant = 1;
    }
    if (sn->njoined) {
        double s = attest_score(ix, m, f->w, f->idx, f->n, sn->joined, sn->njoined, ordered, NULL);
        if (s > best)
            best = s, *variant = 2;
        if (f->njoined) {
            s = attest_score(ix, m, f->joined, f->jidx, f->njoined, sn->joined, sn->njoined, ordered, NULL);
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
        attest_score(ix, NULL, qw, qi, nq, w, nw, ordered, explain);
    }
    return best;
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

/* Marks a key reached by query word column bit (stamp fst) and lists it. */
static void mark_key(struct scratch *sc, uint32_t kid, uint32_t bit, uint32_t fst)
{
    if (sc->kbstamp[kid] != fst) {
        sc->kbstamp[kid] = fst;
        sc->kbits[kid] = 0;
    }
    sc->kbits[kid] |= bit;
    if (sc->nklist == sc->capklist) {
        sc->capklist = sc->capklist ? sc->capklist * 2 : 256;
        sc->klist = xrealloc(sc->klist, sc->capklist * sizeof *sc->klist);
    }
    sc->klist[sc->nklist++] = kid;
}

static void reach_key(struct reach *r, uint32_t kid)
{
    struct scratch *sc = r->sc;

    if (kid == UINT32_MAX || sc->kstamp[kid] == r->kst)
        return;
    sc->kstamp[kid] = r->kst;
    if (!key_similar(r->ix, r->q, r->qmask, kid))
        return;
    mark_key(sc, kid, r->bit, r->fst);
    if (r->ix->key_w[kid] > r->max_w)
        r->max_w = r->ix->key_w[kid];
    r->names += r->ix->key_name_start[kid + 1] - r->ix->key_name_start[kid];
}

static void reach_block(struct reach *r, const struct hblocks *hb, const char *k, size_t n)
{
    uint64_t h = screen_hash(k, n);
    uint32_t b = (uint32_t)(h & hb->mask);

    for (uint32_t j = hb->start[b]; j < hb->start[b + 1]; j++)
        if (hb->hash[j] == h)
            reach_key(r, hb->val[j]);
}

static void reach_word(const struct screen_index *ix, struct scratch *sc, const struct q_word *q,
                       size_t col, uint32_t fst, float *max_w, size_t *names)
{
    struct reach r = { ix, sc, q, 1u << col, screen_scratch_stamp(ix, sc), fst,
                       screen_byte_mask(q->key, q->keylen), 0, 0 };
    char del[256];
    size_t n = q->keylen, first = sc->nklist;

    /* a word seen before reaches the same keys: replay them */
    if (n + 2 > sizeof del)
        return;
    del[0] = (char)('0' + q->cls);
    memcpy(del + 1, q->key, n);
    uint32_t seen = screen_map_get(&sc->reach_map, del, n + 1);
    if (seen != UINT32_MAX) {
        const struct reach_memo *m = &sc->reach_memo[seen];
        for (uint32_t i = 0; i < m->len; i++)
            mark_key(sc, sc->reach_kids.v[m->start + i], r.bit, fst);
        *max_w = m->max_w;
        *names = m->names;
        return;
    }
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
            reach_key(&r, screen_map_get(&ix->key_map, del, n - 1));
            reach_block(&r, &ix->del_blocks, del, n - 1);
        }
    }
    *max_w = r.max_w;
    *names = r.names;
    /* remember it */
    if (sc->nreach >= REACH_MEMO_WORDS || sc->reach_kids.n + (sc->nklist - first) > REACH_MEMO_KEYS)
        screen_scratch_forget(sc);
    if (sc->nreach == sc->capreach) {
        sc->capreach = sc->capreach ? sc->capreach * 2 : 256;
        sc->reach_memo = xrealloc(sc->reach_memo, sc->capreach * sizeof *sc->reach_memo);
    }
    sc->reach_memo[sc->nreach] = (struct reach_memo){ (uint32_t)sc->reach_kids.n,
                                                      (uint32_t)(sc->nklist - first), r.max_w, r.names };
    for (size_t i = first; i < sc->nklist; i++)
        screen_u32_push(&sc->reach_kids, sc->klist[i]);
    del[0] = (char)('0' + q->cls);
    memcpy(del + 1, q->key, n);
    screen_map_put(&sc->reach_map, del, n + 1, (uint32_t)sc->nreach++);
}

/* The best score a name could reach when the query words of mask pair
 * with its words and the others do not: each pair counts in full with the
 * heaviest weight its listed word could have (col_w, capped by max_wr). */
double screen_score_bound(const struct q_form *f, const float *col_w, float max_wr, uint32_t mask)
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
void screen_candidates(const struct screen_index *ix, struct scratch *sc, const struct q_form *f,
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
            if (arg == MAX_QW || screen_score_bound(f, col_w, ix->max_key_w, base | common | (1u << arg)) >= threshold)
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
