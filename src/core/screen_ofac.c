/*
 * screen_ofac.c: OFAC's method (see screen.h): its tokens, its candidate
 * gate and its scorer.
 *
 * The gate keeps every distinct OFAC token of the listed names, ordered
 * by first letter and length, with the names holding it.  A query word
 * looks only at the tokens of its first letter whose length allows 50 %
 * edit similarity, and the names holding those within that many edits are
 * scored once each: Jaro-Winkler of the whole name and of each word, the
 * higher of the two.
 */
#include "attest.h"
#include "names.h"
#include "screen.h"
#include "screen_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

/* ---- OFAC's tokens ------------------------------------------------------ */

/* OFAC's tokens of s as code points: some characters dropped, others
 * separators, upper case; tokens joined by single spaces. */
uint32_t *screen_ofac_codepoints(const char *s, uint32_t *n_out)
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

uint64_t screen_letter_mask(const uint32_t *w, size_t n)
{
    uint64_t m = 0;

    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)1 << (w[i] & 63);
    return m;
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
size_t screen_ofac_query_words(const uint32_t *q, size_t nq, size_t *qs, size_t *ql)
{
    size_t nt = screen_cp_tokens(q, nq, qs, ql, MAX_WORDS), k = 0;
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

/* ---- the OFAC-parity scorer -------------------------------------------- */

/* Splits code points at spaces: token starts and lengths. */
size_t screen_cp_tokens(const uint32_t *cp, size_t n, size_t *start, size_t *len, size_t max)
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

void screen_cp_utf8(const uint32_t *cp, size_t n, struct buf *out)
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

double screen_ofac_cp_score(const uint32_t *q, size_t nq, const uint32_t *c, size_t nc,
                            json_t *explain)
{
    size_t qs[MAX_WORDS], ql[MAX_WORDS], cs[MAX_WORDS], cl[MAX_WORDS];
    size_t nqt = screen_cp_tokens(q, nq, qs, ql, MAX_WORDS), nct = screen_cp_tokens(c, nc, cs, cl, MAX_WORDS);
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
            screen_cp_utf8(q + qs[i], ql[i], &a);
            if (nct)
                screen_cp_utf8(c + cs[arg], cl[arg], &b);
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
    uint32_t *q = screen_ofac_codepoints(query, &nq), *c = screen_ofac_codepoints(name, &nc);

    if (explain)
        *explain = json_object();
    double s = screen_ofac_cp_score(q, nq, c, nc, explain ? *explain : NULL);
    free(q);
    free(c);
    return s;
}

bool screen_ofac_cp_gate(const uint32_t *q, size_t nq, const uint32_t *c, size_t nc)
{
    size_t qs[MAX_WORDS], ql[MAX_WORDS], cs[MAX_WORDS], cl[MAX_WORDS];
    size_t nqt = screen_ofac_query_words(q, nq, qs, ql), nct = screen_cp_tokens(c, nc, cs, cl, MAX_WORDS);
    bool pass = false;

    for (size_t i = 0; i < nqt && !pass; i++)
        for (size_t j = 0; j < nct && !pass; j++)
            pass = gate_pass(q + qs[i], ql[i], c + cs[j], cl[j]);
    return pass;
}

bool screen_ofac_gate(const char *query, const char *name)
{
    uint32_t nq, nc;
    uint32_t *q = screen_ofac_codepoints(query, &nq), *c = screen_ofac_codepoints(name, &nc);
    bool pass = screen_ofac_cp_gate(q, nq, c, nc);

    free(q);
    free(c);
    return pass;
}

/* The names that pass OFAC's gate for query code points q, in
 * sc->touched: for each query word, the listed words of the same first
 * letter whose length allows 50 % similarity are checked by edit
 * distance, and the names holding those that pass are taken. */
void screen_ofac_gate_names(const struct screen_index *ix, struct scratch *sc, const uint32_t *q,
                            size_t nq, uint32_t st)
{
    const struct ofac_gate *g = &ix->gate;
    size_t qs[MAX_WORDS], ql[MAX_WORDS], nqt = screen_ofac_query_words(q, nq, qs, ql);
    const uint64_t id_mask = ((uint64_t)1 << GATE_ID_BITS) - 1;

    sc->ntouched = 0;
    for (size_t i = 0; i < nqt; i++) {
        const uint32_t *w = q + qs[i];
        size_t n = ql[i], lo_len = (n + 1) / 2, hi_len = 2 * n;
        if (hi_len > UINT16_MAX)
            hi_len = UINT16_MAX;
        uint64_t qmask = screen_letter_mask(w, n);
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
double screen_ofac_fast_score(const struct screen_index *ix, struct scratch *sc, uint32_t st,
                              const uint32_t *q, size_t nq, uint64_t qmask, const size_t *qs,
                              const size_t *ql, size_t nqw, const struct s_name *sn, double threshold)
{
    const struct ofac_gate *g = &ix->gate;
    double sum = 0, per, whole = 0;

    if (sn->gtok == NULL)
        return screen_ofac_cp_score(q, nq, sn->cp, sn->ncp, NULL);
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
