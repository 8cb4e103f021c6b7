/*
 * link_block.c: candidate pairs by blocking.  Each rule is an AND of
 * derived keys (a field's folded family name, its year, its grid cell
 * ...); two records are candidates when, under some rule, they share a
 * value of every key: an OR of AND-rules.  A record with several values of
 * a key (several names, a date spanning two years, several placements)
 * enters the block of each combination.
 *
 * Each rule gives (hash of the key values, record) entries, packed into
 * 64-bit integers and radix-sorted, so that a block is a run of equal
 * hashes; the pairs of every block of at most max_block records are
 * emitted, and the union over rules is sorted and made distinct.  A block
 * larger than max_block (a key too common to block on) is skipped and
 * counted: its pairs may still come from another rule.
 */
#include "attest.h"
#include "link_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grid cells for LINK_KEY_CELL, in degrees: two placements within half a
 * cell (about 5.5 km) share at least one of the cells near each. */
#define CELL_DEG 0.1

#define MAX_VALUES 16  /* values of one key for one record */
#define MAX_COMBOS 64  /* combinations of one rule for one record */

struct growing {
    uint64_t *v;
    size_t n, cap;
};

static void push(struct growing *g, uint64_t x)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 1u << 16;
        g->v = xrealloc(g->v, g->cap * sizeof *g->v);
    }
    g->v[g->n++] = x;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static size_t add_value(uint64_t *vals, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (vals[i] == v)
            return n;
    if (n < MAX_VALUES)
        vals[n++] = v;
    return n;
}

/* A hash of the first len bytes of s (all of s when shorter). */
static uint64_t prefix_hash(const char *s, size_t len)
{
    uint64_t h = 0x51ed270b27a3ef1bull;

    for (size_t x = 0; x < len && s[x]; x++)
        h = mix(h, (unsigned char)s[x]);
    return h;
}

/* The values of key k for record i, into vals; returns their count. */
static size_t key_values(const struct link_prep *p, const struct link_rule_key *k, size_t i,
                         uint64_t *vals)
{
    const struct link_column *c = link_prep_column(p, k->field, link_key_derive(k->key));
    size_t n = 0;

    switch (k->key) {
    case LINK_KEY_VALUE:
        if (c->id[i])
            vals[n++] = c->id[i];
        break;
    case LINK_KEY_PREFIX:
        if (c->id[i])
            vals[n++] = prefix_hash(c->strs.s[c->id[i]], (size_t)k->arg);
        break;
    case LINK_KEY_FAMILY:
    case LINK_KEY_PLACE:
    case LINK_KEY_GIVEN: {
        const uint32_t *ids = (k->key == LINK_KEY_GIVEN ? c->given_id : c->id) + i * c->slots;
        const struct link_strings *strs = k->key == LINK_KEY_GIVEN ? &c->given : &c->strs;
        for (size_t s = 0; s < c->slots; s++)
            if (ids[s])
                n = add_value(vals, n, k->arg ? prefix_hash(strs->s[ids[s]], (size_t)k->arg) : ids[s]);
        break;
    }
    case LINK_KEY_YEAR:
        if (c->lo[i] <= c->hi[i] && c->yhi[i] - c->ylo[i] <= 2)
            for (int y = c->ylo[i]; y <= c->yhi[i]; y++)
                vals[n++] = (uint64_t)y;
        break;
    case LINK_KEY_CELL:
        for (uint32_t x = 0; x < c->cnt[i]; x++) {
            const double *v = c->pts[c->off[i] + x].v;
            double lat = asin(fmax(-1, fmin(1, v[2]))) * 180 / M_PI, lon = atan2(v[1], v[0]) * 180 / M_PI;
            for (int a = -1; a <= 1; a += 2)
                for (int b = -1; b <= 1; b += 2) {
                    int64_t cy = (int64_t)floor((lat + a * CELL_DEG / 2) / CELL_DEG);
                    int64_t cx = (int64_t)floor((lon + b * CELL_DEG / 2) / CELL_DEG);
                    n = add_value(vals, n, (uint64_t)(cy * 7919 + cx) ^ 0x5bd1e995u);
                }
        }
        break;
    case LINK_KEY_MEMBER:
        for (int bit = 0; bit < 64; bit++)
            if (c->set[i] >> bit & 1)
                n = add_value(vals, n, (uint64_t)bit + 1);
        break;
    }
    return n;
}

/* The hashes of every combination of rule r's key values for record i. */
static size_t rule_hashes(const struct link_prep *p, const struct link_rule *r, size_t i,
                          uint64_t *out)
{
    size_t n = 1;

    out[0] = 0x243f6a8885a308d3ull;
    for (size_t k = 0; k < r->nkeys; k++) {
        uint64_t vals[MAX_VALUES];
        size_t nv = key_values(p, &r->keys[k], i, vals), m = 0;
        uint64_t next[MAX_COMBOS];
        if (nv == 0)
            return 0;
        for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < nv && m < MAX_COMBOS; b++)
                next[m++] = mix(mix(out[a], k + 1), vals[b]);
        memcpy(out, next, m * sizeof *out);
        n = m;
    }
    return n;
}

static unsigned bits_for(size_t n)
{
    unsigned b = 1;

    while (b < 32 && ((size_t)1 << b) < n)
        b++;
    return b;
}

/* Adds the pairs of every block of rule r to pairs. */
static void rule_pairs(const struct link_prep *p, const struct link_rule *r, uint64_t mask,
                       struct growing *pairs, size_t *skipped)
{
    struct growing e = { 0 };

    for (size_t i = 0; i < p->t->n; i++) {
        uint64_t h[MAX_COMBOS];
        size_t nh = rule_hashes(p, r, i, h);
        for (size_t x = 0; x < nh; x++)
            push(&e, (h[x] & ~mask) | i);
    }
    link_sort_u64(e.v, e.n);
    for (size_t a = 0; a < e.n;) {
        size_t b = a;
        while (b < e.n && (e.v[b] & ~mask) == (e.v[a] & ~mask))
            b++;
        if (b - a > p->cfg->max_block) {
            (*skipped)++;
        } else {
            for (size_t x = a; x < b; x++)
                for (size_t y = x + 1; y < b; y++) {
                    uint64_t i = e.v[x] & mask, j = e.v[y] & mask;
                    if (i != j)
                        push(pairs, i << 32 | j); /* sorted by record within a block */
                }
        }
        a = b;
    }
    free(e.v);
}

/* Sorts g and drops repeats. */
static void distinct(struct growing *g)
{
    size_t m = 0;

    link_sort_u64(g->v, g->n);
    for (size_t x = 0; x < g->n; x++)
        if (m == 0 || g->v[m - 1] != g->v[x])
            g->v[m++] = g->v[x];
    g->n = m;
}

int link_block_pairs(struct at_ctx *ctx, const struct link_prep *p, uint64_t **pairs_out,
                     size_t *npairs_out, uint8_t **train_out, size_t *skipped)
{
    unsigned bits = bits_for(p->t->n);
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    struct growing pairs = { 0 }, train = { 0 };
    bool recall = false;

    (void)ctx;
    *skipped = 0;
    *train_out = NULL;
    for (size_t r = 0; r < p->cfg->nrules; r++)
        if (!p->cfg->rules[r].recall)
            rule_pairs(p, &p->cfg->rules[r], mask, &pairs, skipped);
        else
            recall = true;
    if (recall) {
        distinct(&pairs);
        train.v = xmalloc((pairs.n ? pairs.n : 1) * sizeof *train.v);
        if (pairs.n)   /* memcpy may not be given NULL, even for nothing */
            memcpy(train.v, pairs.v, pairs.n * sizeof *train.v);
        train.n = pairs.n;
        for (size_t r = 0; r < p->cfg->nrules; r++)
            if (p->cfg->rules[r].recall)
                rule_pairs(p, &p->cfg->rules[r], mask, &pairs, skipped);
    }
    distinct(&pairs);
    if (recall) {
        uint8_t *flag = xmalloc(pairs.n ? pairs.n : 1);
        for (size_t x = 0, y = 0; x < pairs.n; x++) {
            while (y < train.n && train.v[y] < pairs.v[x])
                y++;
            flag[x] = y < train.n && train.v[y] == pairs.v[x];
        }
        free(train.v);
        *train_out = flag;
    }
    *pairs_out = pairs.v;
    *npairs_out = pairs.n;
    return AT_OK;
}
