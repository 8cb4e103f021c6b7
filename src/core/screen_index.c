/*
 * screen_index.c: the in-memory screen index (see screen.h and
 * screen_int.h).
 *
 * Every name form of every entry of the newest list versions is split
 * into words; each distinct word is interned once with its folded key,
 * word class and rarity weight (IDF over name forms).  Each folded key has
 * the list of names holding it, and two blocks lead from a query word to
 * the keys worth comparing with it: the keys sharing its first three
 * letters, and the keys one edit away (through the keys with one letter
 * deleted).  Identifiers are looked up exactly.  The OFAC tokens of each
 * name go to OFAC's gate (screen_ofac.c).  The per-query arrays live in
 * scratch space kept with the index and reused.
 */
#include "attest.h"
#include "lists.h"
#include "names.h"
#include "screen.h"
#include "screen_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

/* ---- a string -> uint32 hash map, growable arrays, hash blocks ---------- */

uint64_t screen_hash(const char *s, size_t n)
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
uint32_t screen_map_get(const struct strmap *m, const char *s, size_t n)
{
    if (m->cap == 0)
        return UINT32_MAX;
    size_t i = strmap_slot(m, s, n, screen_hash(s, n));
    return m->keys[i] ? m->vals[i] : UINT32_MAX;
}

void screen_map_put(struct strmap *m, const char *s, size_t n, uint32_t v)
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
    uint64_t h = screen_hash(s, n);
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

void screen_map_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    free(m->hashes);
}

void screen_u32_push(struct u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

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

uint8_t screen_type_code(const char *t)
{
    static const char *const names[] = { "", "person", "company", "vessel", "aircraft" };

    for (uint8_t i = 1; i < ARRAY_LEN(names); i++)
        if (strcmp(t, names[i]) == 0)
            return i;
    return T_OTHER;
}

static uint32_t intern_key(struct screen_index *ix, const char *k, size_t n)
{
    uint32_t id = screen_map_get(&ix->key_map, k, n);

    if (id != UINT32_MAX)
        return id;
    if (ix->nkeys == ix->capkeys) {
        ix->capkeys = ix->capkeys ? ix->capkeys * 2 : 1024;
        ix->key_df = xrealloc(ix->key_df, ix->capkeys * sizeof *ix->key_df);
    }
    id = (uint32_t)ix->nkeys++;
    ix->key_df[id] = 0;
    screen_map_put(&ix->key_map, k, n, id);
    return id;
}

/* Interns a raw normalised word with its key and class. */
static uint32_t intern_word(struct screen_index *ix, const char *w, size_t n)
{
    uint32_t id = screen_map_get(&ix->word_map, w, n);
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
    sw->syllables = names_korean_syllables(sw->key, sw->keylen);
    sw->korean = false;
    sw->in_korean = sw->in_all = 0;
    screen_map_put(&ix->word_map, w, n, id);
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

/* ---- OFAC's candidate gate (searched in screen_ofac.c) ------------------ */

/* Adds the OFAC tokens of name `name` (each distinct token once), and
 * gives the name their ids when every token could be kept. */
static void gate_add(struct ofac_gate *g, struct s_name *sn, uint32_t name, const uint32_t *cp,
                     size_t ncp)
{
    size_t st[MAX_WORDS], ln[MAX_WORDS], nt = screen_cp_tokens(cp, ncp, st, ln, MAX_WORDS);
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
        screen_cp_utf8(cp + st[i], ln[i], &b);
        if (b.len == 0) {
            all = false;
            continue;
        }
        uint32_t id = screen_map_get(&g->map, b.data, b.len);
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
            g->mask[id] = screen_letter_mask(cp + st[i], ln[i]);
            memcpy(g->cp + g->ncp, cp + st[i], ln[i] * sizeof *cp);
            g->ncp += ln[i];
            screen_map_put(&g->map, b.data, b.len, id);
        }
        bool seen = false;
        for (size_t j = 0; j < nids; j++)
            seen |= ids[j] == id;
        if (seen)
            continue;
        ids[nids++] = id;
        screen_u32_push(&g->pairs, id);
        screen_u32_push(&g->pairs, name);
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
    screen_map_free(&g->map);
    free(g->cp);
    free(g->off);
    free(g->len);
    free(g->mask);
    free(g->pairs.v);
    free(g->order);
    free(g->name_start);
    free(g->name_ids);
}

uint8_t screen_text_script(const char *text)
{
    int32_t i = 0, len = (int32_t)strlen(text);
    uint8_t script = SCRIPT_OTHER;

    while (i < len) {
        UChar32 c;
        U8_NEXT(text, i, len, c);
        if (c >= 0xAC00 && c <= 0xD7A3)
            return SCRIPT_HANGUL;
        if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF))
            script = SCRIPT_HAN;
        else if (c >= 0x3040 && c <= 0x30FF)
            return SCRIPT_OTHER; /* kana: Japanese, read by its tables */
    }
    return script;
}

bool screen_form_native(const char *form)
{
    for (const unsigned char *p = (const unsigned char *)form; *p; p++)
        if (*p >= 0x80)
            return true;
    return false;
}

/* names_korean_name of a form's words: two or more, each Korean
 * syllables, the first or the last a common Korean family name. */
static bool korean_form(const struct screen_index *ix, const uint32_t *ids, size_t n)
{
    if (n < 2)
        return false;
    const struct s_word *first = &ix->words[ids[0]], *last = &ix->words[ids[n - 1]];
    if (!names_korean_family(first->key, first->keylen) && !names_korean_family(last->key, last->keylen))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ix->words[ids[i]].syllables)
            return false;
    return true;
}

static void add_name_form(struct screen_index *ix, uint32_t entry, const char *text,
                          const char *quality, const char *form, uint32_t *cp, uint32_t ncp)
{
    uint32_t ids[MAX_WORDS], joined[2];
    size_t n = split_words(ix, form, ids);
    bool korean = korean_form(ix, ids, n);

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
    sn->script = screen_text_script(text);
    sn->native = screen_form_native(form);
    sn->text = text;
    sn->quality = quality;
    sn->nwords = (uint16_t)n;
    sn->words = xmalloc(n * sizeof *sn->words);
    memcpy(sn->words, ids, n * sizeof *ids);
    sn->njoined = (uint16_t)join_given(ix, ids, n, joined);
    for (size_t i = 0; i < n + sn->njoined; i++) {
        struct s_word *w = &ix->words[i < n ? ids[i] : joined[i - n]];
        w->in_korean += korean;
        w->in_all++;
    }
    sn->joined = NULL;
    if (sn->njoined) {
        sn->joined = xmalloc(2 * sizeof *sn->joined);
        memcpy(sn->joined, joined, sizeof joined);
    }
    sn->cp = cp;
    sn->ncp = ncp;
    sn->gtok = NULL;
    sn->ngtok = 0;
    sn->cpmask = cp ? screen_letter_mask(cp, ncp) : 0;
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
    uint32_t p = screen_map_get(&ix->id_map, k.data, k.len);
    if (p == UINT32_MAX) {
        p = (uint32_t)ix->nid_postings++;
        ix->id_postings = xrealloc(ix->id_postings, ix->nid_postings * sizeof *ix->id_postings);
        ix->id_labels = xrealloc(ix->id_labels, ix->nid_postings * sizeof *ix->id_labels);
        memset(&ix->id_postings[p], 0, sizeof ix->id_postings[p]);
        ix->id_labels[p] = xstrdup(k.data);
        screen_map_put(&ix->id_map, k.data, k.len, p);
    }
    struct u32vec *v = &ix->id_postings[p];
    if (v->n == 0 || v->v[v->n - 1] != entry)
        screen_u32_push(v, entry);
    buf_free(&k);
}

static void add_entry(struct screen_index *ix, const char *list, const char *key, const char *type,
                      const char *name)
{
    ix->entries = xrealloc(ix->entries, (ix->nentries + 1) * sizeof *ix->entries);
    struct s_entry *e = &ix->entries[ix->nentries++];
    e->list = xstrdup(list);
    e->key = xstrdup(key);
    e->type = xstrdup(type);
    e->name = xstrdup(name);
    e->tcode = screen_type_code(e->type);
}

/* Adds a name of the last entry: each of its normalised forms. */
static void add_name(struct screen_index *ix, const char *name, const char *quality_name)
{
    const char *text = keep_text(ix, name);
    const char *quality = intern_quality(quality_name);
    struct at_ctx quiet = { 0 };
    struct name_forms forms;

    if (names_normalise(&quiet, text, &forms) != AT_OK)
        return;
    for (size_t f = 0; f < forms.n; f++) {
        uint32_t ncp = 0, *cp = f == 0 ? screen_ofac_codepoints(text, &ncp) : NULL;
        add_name_form(ix, (uint32_t)(ix->nentries - 1), text, quality, forms.form[f], cp, ncp);
    }
    names_forms_free(&forms);
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
    struct strmap by_key = { 0 };
    size_t first = ix->nentries;
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(stmt, 0);
        if (ix->nentries == first || strcmp(ix->entries[ix->nentries - 1].key, key) != 0) {
            add_entry(ix, version, key, (const char *)sqlite3_column_text(stmt, 1),
                      (const char *)sqlite3_column_text(stmt, 2));
            screen_map_put(&by_key, key, strlen(key), (uint32_t)(ix->nentries - 1));
        }
        add_name(ix, (const char *)sqlite3_column_text(stmt, 3),
                 (const char *)sqlite3_column_text(stmt, 4));
    }
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        screen_map_free(&by_key);
        return store_error(ctx, st, "reading list names");
    }
    if ((stmt = store_stmt(ctx, st, ids_sql)) == NULL) {
        screen_map_free(&by_key);
        return AT_ERR;
    }
    sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(stmt, 0);
        uint32_t e = screen_map_get(&by_key, key, strlen(key));
        if (e != UINT32_MAX)
            add_id(ix, e, (const char *)sqlite3_column_text(stmt, 1),
                   (const char *)sqlite3_column_text(stmt, 2));
    }
    sqlite3_reset(stmt);
    screen_map_free(&by_key);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, st, "reading list identifiers");
}

float screen_word_weight(float idf, uint8_t cls)
{
    return idf * (cls == NAME_WORD_FORM ? 0.25f : cls == NAME_WORD_NUMBER ? 1.5f : 1.0f);
}

float screen_key_idf(const struct screen_index *ix, const char *key, size_t len)
{
    if (ix == NULL)
        return SCREEN_DEFAULT_IDF;
    uint32_t kid = screen_map_get(&ix->key_map, key, len);
    if (kid != UINT32_MAX)
        return ix->key_idf[kid];
    return ix->borrowed ? screen_key_idf(ix->weights_from, key, len) : ix->max_idf;
}

uint64_t screen_byte_mask(const char *w, size_t n)
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
    ix->max_idf = !ix->borrowed ? 0 : ix->weights_from ? ix->weights_from->max_idf : SCREEN_DEFAULT_IDF;
    for (size_t k = 0; k < ix->nkeys; k++) {
        double idf = log(((double)ix->nnames + 1.0) / ((double)ix->key_df[k] + 1.0)) + 1.0;
        if (ix->borrowed) {
            ix->key_idf[k] = 0; /* set below, once the keys' strings are known */
            continue;
        }
        ix->key_idf[k] = (float)idf;
        if (idf > ix->max_idf)
            ix->max_idf = (float)idf;
    }
    ix->key_str = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *ix->key_str);
    ix->key_len = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *ix->key_len);
    for (size_t i = 0; i < ix->nwords; i++) {
        ix->key_str[ix->words[i].key_id] = ix->words[i].key;
        ix->key_len[ix->words[i].key_id] = ix->words[i].keylen;
    }
    for (size_t k = 0; ix->borrowed && k < ix->nkeys; k++)
        ix->key_idf[k] = screen_key_idf(ix->weights_from, ix->key_str[k], ix->key_len[k]);
    ix->key_w = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *ix->key_w);
    ix->max_key_w = 0;
    for (size_t i = 0; i < ix->nwords; i++) {
        struct s_word *w = &ix->words[i];
        float wr = w->weight = screen_word_weight(ix->key_idf[w->key_id], w->cls);
        w->korean = w->in_korean * 2 > w->in_all && w->syllables;
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
            if (w->weight > sn->max_wr)
                sn->max_wr = w->weight;
        }
    }
    /* the key blocks: by first three letters, and by each one-letter deletion */
    size_t npairs = 0, cappairs = ix->nkeys * 8 + 16;
    struct hpair *pairs = xmalloc(cappairs * sizeof *pairs);
    char del[256];
    const char **keys = ix->key_str;
    uint16_t *lens = ix->key_len;
    ix->key_mask = xcalloc(ix->nkeys ? ix->nkeys : 1, sizeof *ix->key_mask);
    for (uint32_t k = 0; k < ix->nkeys; k++)
        ix->key_mask[k] = screen_byte_mask(keys[k], lens[k]);
    for (uint32_t k = 0; k < ix->nkeys; k++) {
        size_t n = lens[k];
        pairs[npairs++] = (struct hpair){ screen_hash(keys[k], n < PREFIX_LEN ? n : PREFIX_LEN), k };
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
            pairs[npairs++] = (struct hpair){ screen_hash(del, n - 1), k };
        }
    }
    hblocks_build(&ix->del_blocks, pairs, npairs);
    free(pairs);
    free(seen);
    gate_finish(&ix->gate);
}

int screen_index_load(struct at_ctx *ctx, struct store *st, struct screen_index **out)
{
    json_t *current;
    int rc;

    *out = NULL;
    if ((rc = lists_current(ctx, st, &current)) != AT_OK)
        return rc;
    rc = screen_index_load_versions(ctx, st, current, out);
    json_decref(current);
    return rc;
}

int screen_index_load_versions(struct at_ctx *ctx, struct store *st, json_t *versions,
                               struct screen_index **out)
{
    struct screen_index *ix;
    json_t *v;
    size_t i;
    int rc = AT_OK;

    *out = NULL;
    if (json_array_size(versions) == 0)
        return ctx_error(ctx, AT_ENOTFOUND,
                         "no sanctions list has been imported; use 'attest lists import'");
    ix = xcalloc(1, sizeof *ix);
    pthread_mutex_init(&ix->pool_lock, NULL);
    json_array_foreach(versions, i, v)
        if (rc == AT_OK)
            rc = load_version(ctx, st, ix, json_string_value(v));
    if (rc != AT_OK) {
        screen_index_free(ix);
        return rc;
    }
    finish_index(ix);
    *out = ix;
    return AT_OK;
}

int screen_index_pair(struct at_ctx *ctx, const struct screen_index *weights_from,
                      const char *name, const char *type, struct screen_index **out)
{
    struct screen_index *ix = xcalloc(1, sizeof *ix);
    struct name_forms forms;

    *out = NULL;
    if (names_normalise(ctx, name, &forms) != AT_OK) {
        free(ix);
        return ctx->code;
    }
    names_forms_free(&forms);
    pthread_mutex_init(&ix->pool_lock, NULL);
    ix->borrowed = true;
    ix->weights_from = weights_from;
    add_entry(ix, "compare", "name2", type ? type : "", name);
    add_name(ix, name, "primary");
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
    screen_map_free(&ix->word_map);
    screen_map_free(&ix->key_map);
    hblocks_free(&ix->prefix_blocks);
    hblocks_free(&ix->del_blocks);
    gate_free(&ix->gate);
    screen_map_free(&ix->id_map);
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

/* ---- scratch space for queries ------------------------------------------- */

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
    screen_scratch_forget(sc);
    free(sc);
}

void screen_scratch_forget(struct scratch *sc)
{
    screen_map_free(&sc->reach_map);
    free(sc->reach_memo);
    free(sc->reach_kids.v);
    sc->reach_map = (struct strmap){ 0 };
    sc->reach_memo = NULL;
    sc->nreach = sc->capreach = 0;
    sc->reach_kids = (struct u32vec){ 0 };
}

/* A fresh stamp; every stamp array is cleared when the counter would wrap. */
uint32_t screen_scratch_stamp(const struct screen_index *ix, struct scratch *sc)
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
struct scratch *screen_scratch_get(const struct screen_index *cix)
{
    struct screen_index *ix = (struct screen_index *)cix;
    struct scratch *sc = NULL;

    pthread_mutex_lock(&ix->pool_lock);
    if (ix->npool)
        sc = ix->pool[--ix->npool];
    pthread_mutex_unlock(&ix->pool_lock);
    return sc ? sc : scratch_new(ix);
}

void screen_scratch_put(const struct screen_index *cix, struct scratch *sc)
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
