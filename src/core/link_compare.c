/*
 * link_compare.c: the comparators of record linkage, and the derived
 * columns they read.
 *
 * Each field a comparison or a blocking key names is derived once into a
 * compact column: interned values, the folded family and given names of a
 * names field, date intervals as day numbers, placements as unit vectors
 * with their standard error, counts, small sets as bit masks.  Comparing
 * two records is then a few array reads, and no text is parsed in the
 * inner loop.
 *
 * link_prep_build derives every column a configuration needs, once.
 *
 * Names: each name of a record (in any script) is normalised by names.h
 * (Hangul gives its DPRK, McCune-Reischauer and Revised Romanization
 * readings), split into family and given name, and each part folded with
 * names_fold_token, so that Ri/Rhee/Lee/Yi, Pak/Park/Bak and Jong/Chong/
 * Jeong meet.  The family name is the first word when it is a known
 * surname, else the last word when that is one, else the first; when
 * both ends are known surnames and the last is the more common, both
 * readings are kept.  A name written in Hangul is read family name first.
 *
 * Term frequency: a family name's frequency blends the archive's own
 * count with the population's share from the reference table below, as
 * if tf_prior records had been drawn from the population:
 *   tf = (count + tf_prior * share) / (records with a name + tf_prior).
 * Other values use the archive's count alone.  At a comparison's exact
 * level the weight gains w * (log2 u_exact - log2 max(tf, tf_min)), where
 * u_exact is the chance that two random records agree: common names
 * (Kim, Ri, Pak) weigh less, rare ones more.
 */
#include "attest.h"
#include "link_int.h"
#include "cluster.h"
#include "date.h"
#include "geo.h"
#include "hangul.h"
#include "names.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A placement without a stated uncertainty is taken to be good to this
 * radius (metres). */
#define LINK_GEO_DEFAULT_RADIUS_M 2000.0

/*
 * Shares of the population by family name, in per cent: the twenty most
 * common Korean family names in the 2015 South Korean census (Statistics
 * Korea, population and housing census 2015, family names; figures as
 * commonly quoted and rounded to 0.1): Kim 21.5, Lee/Ri 14.7, Park/Pak
 * 8.4, Choi/Choe 4.7, Jeong/Jong 4.3, then Kang 2.4, Jo/Cho 2.1, Yoon 2.1,
 * Jang 2.0, Lim/Rim 1.7, Han 1.5, Oh 1.5, Seo 1.5, Shin 1.5, Kwon 1.4,
 * Hwang 1.4, Ahn 1.4, Song 1.3, Jeon/Jon 1.3, Hong 1.1.  North Korea has
 * no published figures; the distribution of family names is broadly the
 * same on both sides (the clans predate the division), which is why the
 * South's census serves.  Each entry lists spellings whose folded keys
 * take the share.
 */
static const struct {
    const char *hangul;
    double share;
    const char *spellings;
} surnames[] = {
    { "김", 21.5, "kim gim" },
    { "이", 14.7, "lee ri yi rhee i li" },
    { "박", 8.4, "park pak bak" },
    { "최", 4.7, "choi choe" },
    { "정", 4.3, "jeong jong chong chung jung" },
    { "강", 2.4, "kang gang" },
    { "조", 2.1, "jo cho" },
    { "윤", 2.1, "yoon yun" },
    { "장", 2.0, "jang chang" },
    { "임", 1.7, "lim rim im" },
    { "한", 1.5, "han" },
    { "오", 1.5, "oh o" },
    { "서", 1.5, "seo so suh" },
    { "신", 1.5, "shin sin" },
    { "권", 1.4, "kwon gwon" },
    { "황", 1.4, "hwang" },
    { "안", 1.4, "ahn an" },
    { "송", 1.3, "song" },
    { "전", 1.3, "jeon jon chon" },
    { "홍", 1.1, "hong" },
    /* Recognised as family names, without a share (0: the archive's own
     * counts alone weigh them). */
    { "유", 0, "yu yoo" }, { "고", 0, "ko go koh" }, { "문", 0, "moon mun" },
    { "양", 0, "yang ryang" }, { "손", 0, "son sohn" }, { "배", 0, "bae pae" },
    { "백", 0, "baek paek paik" }, { "허", 0, "heo ho hur" }, { "남", 0, "nam" },
    { "심", 0, "sim shim" }, { "노", 0, "no noh roh" }, { "하", 0, "ha" },
    { "곽", 0, "kwak gwak" }, { "성", 0, "sung seong" }, { "차", 0, "cha" },
    { "주", 0, "ju joo chu" }, { "우", 0, "woo u" }, { "구", 0, "koo gu ku" },
    { "민", 0, "min" }, { "류", 0, "ryu" }, { "나", 0, "na ra" },
    { "진", 0, "jin chin" }, { "지", 0, "ji chi" }, { "엄", 0, "eom um" },
    { "채", 0, "chae" }, { "원", 0, "won weon" }, { "천", 0, "cheon chon" },
    { "방", 0, "bang pang" }, { "공", 0, "gong kong" }, { "현", 0, "hyun hyeon hyon" },
    { "변", 0, "byun byeon pyon" }, { "염", 0, "yeom yom" }, { "여", 0, "yeo yo" },
    { "석", 0, "seok sok" }, { "설", 0, "seol sol" }, { "마", 0, "ma" },
    { "길", 0, "gil kil" }, { "연", 0, "yeon yon" }, { "위", 0, "wi" },
    { "표", 0, "pyo pyoh" }, { "명", 0, "myung myeong myong" }, { "기", 0, "ki gi" },
    { "반", 0, "ban pan" }, { "라", 0, "ra la" }, { "왕", 0, "wang" },
    { "금", 0, "keum geum kum" }, { "옥", 0, "ok" }, { "육", 0, "yuk ryuk" },
    { "인", 0, "in" }, { "맹", 0, "maeng" }, { "제", 0, "je" },
    { "모", 0, "mo" }, { "탁", 0, "tak" }, { "국", 0, "kook guk kuk" },
    { "남궁", 0, "namgung namkung" }, { "황보", 0, "hwangbo" }, { "선우", 0, "sunwoo seonu" },
};

#define MAX_SURNAME_KEYS 256
static struct {
    char key[16];
    double share;
} surname_keys[MAX_SURNAME_KEYS];
static size_t nsurname_keys;
static pthread_once_t surname_once = PTHREAD_ONCE_INIT;

static void surname_keys_init(void)
{
    for (size_t i = 0; i < ARRAY_LEN(surnames); i++) {
        const char *p = surnames[i].spellings;
        while (*p) {
            size_t n = strcspn(p, " ");
            struct buf key = BUF_INIT;
            size_t j;
            names_fold_token(p, n, &key);
            for (j = 0; j < nsurname_keys; j++)
                if (strcmp(surname_keys[j].key, buf_str(&key)) == 0)
                    break;
            if (j == nsurname_keys && nsurname_keys < MAX_SURNAME_KEYS && key.len < 16) {
                memcpy(surname_keys[j].key, buf_str(&key), key.len + 1);
                surname_keys[j].share = surnames[i].share / 100.0;
                nsurname_keys++;
            }
            buf_free(&key);
            p += n;
            while (*p == ' ')
                p++;
        }
    }
}

/* The entry of a folded family-name key, or -1. */
static long surname_entry(const char *key)
{
    pthread_once(&surname_once, surname_keys_init);
    for (size_t i = 0; i < nsurname_keys; i++)
        if (strcmp(surname_keys[i].key, key) == 0)
            return (long)i;
    return -1;
}

double link_surname_share(const char *key)
{
    long e = surname_entry(key);
    return e < 0 ? 0 : surname_keys[e].share;
}

/* ---- deriving columns ------------------------------------------------------- */

/* Calls fn for each " | "-separated value of cell, trimmed. */
static int each_value(const char *cell, int (*fn)(void *arg, const char *v, size_t n), void *arg)
{
    const char *p = cell;

    while (p && *p) {
        const char *bar = strchr(p, '|');
        const char *end = bar ? bar : p + strlen(p);
        const char *s = p;
        int rc;
        while (s < end && isspace((unsigned char)*s))
            s++;
        while (end > s && isspace((unsigned char)end[-1]))
            end--;
        if (end > s && (rc = fn(arg, s, (size_t)(end - s))) != AT_OK)
            return rc;
        p = bar ? bar + 1 : NULL;
    }
    return AT_OK;
}

static void lower_copy(const char *s, size_t n, struct buf *out)
{
    buf_reset(out);
    for (size_t i = 0; i < n; i++)
        buf_putc(out, (char)tolower((unsigned char)s[i]));
}

/* Days since 1 March of year 0 (proleptic Gregorian): differences of two
 * are differences in days. */
static int32_t day_number(int32_t yyyymmdd)
{
    int32_t y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;

    if (m < 1)
        m = 1;
    if (d < 1)
        d = 1;
    if (m <= 2) {
        y--;
        m += 12;
    }
    return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 1;
}

/* True when s[0..n) holds a Hangul syllable (UTF-8 lead bytes EA-ED). */
static bool has_hangul(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0xEA && (unsigned char)s[i] <= 0xED)
            return true;
    return false;
}

struct name_job {
    struct at_ctx *ctx;
    struct link_column *col;
    size_t rec, used;
};

/* The population share of a word as a family name: -1 when it is not a
 * known family name, else its share (0 when the table has none). */
static double surname_share_of(const char *w, size_t n)
{
    struct buf key = BUF_INIT;
    long e;

    names_fold_token(w, n, &key);
    e = surname_entry(buf_str(&key));
    buf_free(&key);
    return e < 0 ? -1 : surname_keys[e].share;
}

/* The family and given keys of a form read with word fam as the family
 * name (nw: none) into the record's next slot, unless it has them. */
static void add_reading(struct name_job *j, const char *const *w, const size_t *len, size_t nw,
                        size_t fam)
{
    struct buf given = BUF_INIT, fkey = BUF_INIT, gkey = BUF_INIT;
    struct link_column *c = j->col;
    uint32_t fid = 0, gid = 0;

    for (size_t i = 0; i < nw; i++)
        if (i != fam)
            buf_append(&given, w[i], len[i]);
    if (fam < nw) {
        names_fold_token(w[fam], len[fam], &fkey);
        fid = link_intern(&c->strs, buf_str(&fkey), fkey.len);
    }
    if (given.len) {
        names_fold_token(given.data, given.len, &gkey);
        gid = link_intern(&c->given, buf_str(&gkey), gkey.len);
    }
    for (size_t s = 0; s < j->used; s++)
        if (c->id[j->rec * c->slots + s] == fid && c->given_id[j->rec * c->slots + s] == gid)
            goto out;
    if (j->used < c->slots && (fid || gid)) {
        c->id[j->rec * c->slots + j->used] = fid;
        c->given_id[j->rec * c->slots + j->used] = gid;
        j->used++;
    }
out:
    buf_free(&given);
    buf_free(&fkey);
    buf_free(&gkey);
}

/* One form ("kim jong un", "jong un kim"): the family name is the first
 * word when it is a known surname, the last when that one is; when both
 * are, the last is read as the family name too if it is the more common
 * (Song Hyang Choe: both readings; Ri Sol Ju: Ri only). */
static void add_name_form(struct name_job *j, const char *form, bool from_hangul)
{
    const char *w[16];
    size_t len[16], nw = 0;
    double first, last;

    for (const char *p = form; *p && nw < 16;) {
        size_t n = strcspn(p, " ");
        if (n) {
            w[nw] = p;
            len[nw++] = n;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    if (nw == 0)
        return;
    if (from_hangul) { /* hangul.h reads the family name first */
        add_reading(j, w, len, nw, 0);
        return;
    }
    first = surname_share_of(w[0], len[0]);
    if (nw == 1) {
        add_reading(j, w, len, nw, first >= 0 ? 0 : nw);
        return;
    }
    last = surname_share_of(w[nw - 1], len[nw - 1]);
    if (first >= 0 || last < 0)
        add_reading(j, w, len, nw, 0);
    if (last >= 0 && last > first)
        add_reading(j, w, len, nw, nw - 1);
}

static int add_name(void *arg, const char *v, size_t n)
{
    struct name_job *j = arg;
    struct name_forms forms = { { NULL }, 0 };
    char *copy = xmalloc(n + 1);
    bool hangul = false;
    int rc;

    memcpy(copy, v, n);
    copy[n] = '\0';
    /* A hyphen joins the syllables of a given name (Kim Jong-un, Song-il
     * Choe): joined, the word is one, and the other word is the family
     * name even when a syllable looks like one. */
    for (char *p = copy, *q = copy;; p++) {
        if (*p != '-' || p == copy || p[1] == '\0' || p[-1] == ' ' || p[1] == ' ')
            *q++ = *p;
        if (*p == '\0')
            break;
    }
    hangul = has_hangul(copy, n);
    rc = names_normalise(j->ctx, copy, &forms);
    free(copy);
    if (rc != AT_OK) /* not text we can read: the name counts as missing */
        return AT_OK;
    for (size_t i = 0; i < forms.n; i++)
        add_name_form(j, forms.form[i], hangul);
    names_forms_free(&forms);
    return AT_OK;
}

/* One place name: each reading (Hangul gives its romanisations) folded
 * into a key of letters and digits. */
static void add_place_key(struct name_job *j, const char *text)
{
    struct buf word = BUF_INIT, key = BUF_INIT;
    struct link_column *c = j->col;
    uint32_t id;

    for (const char *p = text; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            buf_putc(&word, *p);
        else if (*p >= 'A' && *p <= 'Z')
            buf_putc(&word, (char)(*p - 'A' + 'a'));
    if (word.len) {
        names_fold_token(word.data, word.len, &key);
        id = link_intern(&c->strs, buf_str(&key), key.len);
        for (size_t s = 0; s < j->used; s++)
            if (c->id[j->rec * c->slots + s] == id)
                goto out;
        if (j->used < c->slots)
            c->id[j->rec * c->slots + j->used++] = id;
    }
out:
    buf_free(&word);
    buf_free(&key);
}

static int add_place(void *arg, const char *v, size_t n)
{
    struct name_job *j = arg;
    struct hangul_place p;
    struct at_ctx quiet = { 0, "" };
    bool hangul = false;
    char *copy = xmalloc(n + 1);

    memcpy(copy, v, n);
    copy[n] = '\0';
    hangul = has_hangul(copy, n);
    if (hangul && hangul_place(&quiet, copy, n, 0, &p) == AT_OK) {
        add_place_key(j, p.rr);
        add_place_key(j, p.mr_plain);
        add_place_key(j, p.dprk);
        hangul_place_free(&p);
    } else {
        struct name_forms forms = { { NULL }, 0 };
        if (names_normalise(&quiet, copy, &forms) == AT_OK) {
            for (size_t i = 0; i < forms.n; i++)
                add_place_key(j, forms.form[i]);
            names_forms_free(&forms);
        }
    }
    free(copy);
    return AT_OK;
}

struct set_job {
    struct link_column *col;
    size_t rec;
    struct buf tmp;
};

static int add_member(void *arg, const char *v, size_t n)
{
    struct set_job *j = arg;
    uint32_t id;

    lower_copy(v, n, &j->tmp);
    id = link_intern(&j->col->strs, buf_str(&j->tmp), j->tmp.len);
    j->col->set[j->rec] |= 1ull << ((id - 1) % 64);
    return AT_OK;
}

struct geo_job {
    struct link_column *col;
    size_t cap;
};

static int add_point(void *arg, const char *v, size_t n)
{
    struct geo_job *j = arg;
    struct link_column *c = j->col;
    double lat, lon, radius = LINK_GEO_DEFAULT_RADIUS_M;
    char text[128];
    int got;

    if (n >= sizeof text)
        return AT_OK;
    memcpy(text, v, n);
    text[n] = '\0';
    got = sscanf(text, "%lf , %lf , %lf", &lat, &lon, &radius);
    if (got < 2 || !geo_valid(lat, lon) || !(radius > 0))
        return AT_OK;
    if (c->npts == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 1024;
        c->pts = xrealloc(c->pts, j->cap * sizeof *c->pts);
    }
    geo_unit_vector(lat, lon, c->pts[c->npts].v);
    c->pts[c->npts].sigma = radius / CLUSTER_RADIUS_PER_SIGMA;
    c->npts++;
    return AT_OK;
}

/* Counts each distinct id among ids[0..n) once. */
static void count_once(const uint32_t *ids, size_t n, struct link_strings *strs)
{
    for (size_t s = 0; s < n; s++) {
        bool dup = ids[s] == 0;
        for (size_t q = 0; q < s && !dup; q++)
            dup = ids[q] == ids[s];
        if (!dup)
            strs->count[ids[s]]++;
    }
}

static void term_frequencies(const struct link_config *cfg, struct link_column *c)
{
    bool family = c->derive == LINK_DERIVE_NAME;
    double prior = family ? cfg->tf_prior : 0;

    c->share = xcalloc(c->strs.n + 1, sizeof *c->share);
    for (size_t id = 1; id <= c->strs.n; id++) {
        double pop = family ? link_surname_share(c->strs.s[id]) : 0;
        c->share[id] = ((double)c->strs.count[id] + prior * pop) / ((double)c->total + prior);
    }
}

int link_column_build(struct at_ctx *ctx, const struct link_config *cfg, const struct link_table *t,
                      size_t field, struct link_column *c)
{
    struct buf tmp = BUF_INIT;
    struct geo_job gj = { c, 0 };
    int rc = AT_OK;

    c->slots = c->derive == LINK_DERIVE_NAME || c->derive == LINK_DERIVE_PLACE ? LINK_NAME_SLOTS : 1;
    switch (c->derive) {
    case LINK_DERIVE_VALUE:
    case LINK_DERIVE_PLACE:
        c->id = xcalloc(t->n * c->slots, sizeof *c->id);
        break;
    case LINK_DERIVE_NAME:
        c->id = xcalloc(t->n * c->slots, sizeof *c->id);
        c->given_id = xcalloc(t->n * c->slots, sizeof *c->given_id);
        break;
    case LINK_DERIVE_DATE:
        c->lo = xmalloc(t->n * sizeof *c->lo);
        c->hi = xmalloc(t->n * sizeof *c->hi);
        c->ylo = xmalloc(t->n * sizeof *c->ylo);
        c->yhi = xmalloc(t->n * sizeof *c->yhi);
        break;
    case LINK_DERIVE_GEO:
        c->off = xcalloc(t->n, sizeof *c->off);
        c->cnt = xcalloc(t->n, sizeof *c->cnt);
        break;
    case LINK_DERIVE_COUNT:
        c->num = xmalloc(t->n * sizeof *c->num);
        break;
    case LINK_DERIVE_SET:
        c->set = xcalloc(t->n, sizeof *c->set);
        break;
    }
    for (size_t i = 0; i < t->n && rc == AT_OK; i++) {
        const char *v = link_table_cell(t, i, field);
        bool has = false;
        switch (c->derive) {
        case LINK_DERIVE_VALUE:
            if (v) {
                lower_copy(v, strlen(v), &tmp);
                c->id[i] = link_intern(&c->strs, buf_str(&tmp), tmp.len);
                c->strs.count[c->id[i]]++;
                has = true;
            }
            break;
        case LINK_DERIVE_NAME:
            if (v) {
                struct name_job j = { ctx, c, i, 0 };
                rc = each_value(v, add_name, &j);
                count_once(c->id + i * c->slots, j.used, &c->strs);
                count_once(c->given_id + i * c->slots, j.used, &c->given);
                has = j.used > 0;
            }
            break;
        case LINK_DERIVE_PLACE:
            if (v) {
                struct name_job j = { ctx, c, i, 0 };
                rc = each_value(v, add_place, &j);
                count_once(c->id + i * c->slots, j.used, &c->strs);
                has = j.used > 0;
            }
            break;
        case LINK_DERIVE_DATE: {
            struct fuzzy_date d;
            struct at_ctx quiet = { 0, "" };
            c->lo[i] = 1;
            c->hi[i] = 0;
            if (v && date_parse(&quiet, v, &d) == AT_OK && d.precision != DATE_UNKNOWN) {
                c->lo[i] = day_number(d.lo);
                c->hi[i] = day_number(d.hi);
                c->ylo[i] = (int16_t)(d.lo / 10000);
                c->yhi[i] = (int16_t)(d.hi / 10000);
                has = true;
            }
            break;
        }
        case LINK_DERIVE_GEO:
            c->off[i] = (uint32_t)c->npts;
            if (v)
                rc = each_value(v, add_point, &gj);
            c->cnt[i] = (uint32_t)(c->npts - c->off[i]);
            has = c->cnt[i] > 0;
            break;
        case LINK_DERIVE_COUNT: {
            char *end;
            long long n = v ? strtoll(v, &end, 10) : -1;
            c->num[i] = (v && *end == '\0' && n >= 0) ? n : -1;
            has = c->num[i] >= 0;
            break;
        }
        case LINK_DERIVE_SET:
            if (v) {
                struct set_job j = { c, i, BUF_INIT };
                rc = each_value(v, add_member, &j);
                buf_free(&j.tmp);
            }
            has = c->set[i] != 0;
            break;
        }
        c->total += has;
    }
    buf_free(&tmp);
    if (rc == AT_OK && (c->derive == LINK_DERIVE_VALUE || c->derive == LINK_DERIVE_NAME
                        || c->derive == LINK_DERIVE_PLACE))
        term_frequencies(cfg, c);
    return rc;
}

void link_column_free(struct link_column *c)
{
    free(c->id);
    free(c->given_id);
    free(c->lo);
    free(c->hi);
    free(c->ylo);
    free(c->yhi);
    free(c->off);
    free(c->cnt);
    free(c->pts);
    free(c->num);
    free(c->set);
    free(c->share);
    link_strings_free(&c->strs);
    link_strings_free(&c->given);
    memset(c, 0, sizeof *c);
}

/* ---- levels ---------------------------------------------------------------------- */

/* The level of a similarity against decreasing thresholds: 1 + the first
 * met, else nthresholds + 1. */
static int similarity_level(const struct link_comparison *k, double sim)
{
    for (size_t t = 0; t < k->nthresholds; t++)
        if (sim >= k->thresholds[t])
            return (int)t + 1;
    return (int)k->nthresholds + 1;
}

static double jw(const struct link_strings *s, uint32_t a, uint32_t b)
{
    return names_jaro_winkler_bytes(s->s[a], s->len[a], s->s[b], s->len[b], 0.7);
}

/* The best level over the name slots of i and j: ids from ids, strings
 * from strs. */
static int name_level(const struct link_comparison *k, const struct link_column *c,
                      const uint32_t *ids, const struct link_strings *strs, size_t i, size_t j)
{
    const uint32_t *a = ids + i * c->slots, *b = ids + j * c->slots;
    double best = -1;

    for (size_t x = 0; x < c->slots && a[x]; x++)
        for (size_t y = 0; y < c->slots && b[y]; y++)
            if (a[x] == b[y])
                return 0;
    /* slots may hold 0 for a form without this part: look at all */
    for (size_t x = 0; x < c->slots; x++)
        for (size_t y = 0; y < c->slots; y++) {
            if (a[x] == 0 || b[y] == 0)
                continue;
            if (a[x] == b[y])
                return 0;
            best = fmax(best, jw(strs, a[x], b[y]));
        }
    if (best < 0)
        return LINK_NULL;
    return similarity_level(k, best);
}

/* Similarity of two interned ids: 1 when the same, Jaro-Winkler
 * otherwise, -1 when either is missing. */
static double id_similarity(const struct link_strings *strs, uint32_t a, uint32_t b)
{
    if (a == 0 || b == 0)
        return -1;
    return a == b ? 1 : jw(strs, a, b);
}

/* The level of the family (family true) or given name of i and j, read
 * together: of all pairs of readings of the two records, the one whose
 * family and given names agree best gives both levels, so that a family
 * name from one reading is never matched with a given name from another. */
static int person_name_level(const struct link_prep *p, const struct link_comparison *k,
                             const struct link_column *c, bool family, size_t i, size_t j)
{
    struct link_name_memo *memo = p->memo;
    double best = -3, f_best = -1, g_best = -1, sim;

    if (memo->col == c && memo->i == i && memo->j == j) {
        f_best = memo->family;
        g_best = memo->given;
        goto level;
    }
    for (size_t x = 0; x < c->slots && best < 2; x++) {
        uint32_t fa = c->id[i * c->slots + x], ga = c->given_id[i * c->slots + x];
        if (!fa && !ga)
            continue;
        for (size_t y = 0; y < c->slots && best < 2; y++) {
            uint32_t fb = c->id[j * c->slots + y], gb = c->given_id[j * c->slots + y];
            double f, g, score;
            if (!fb && !gb)
                continue;
            f = id_similarity(&c->strs, fa, fb);
            g = id_similarity(&c->given, ga, gb);
            score = (f < 0 ? 0.5 : f) + (g < 0 ? 0.5 : g);
            if (score > best) {
                best = score;
                f_best = f;
                g_best = g;
            }
        }
    }
    *memo = (struct link_name_memo){ c, i, j, f_best, g_best };
level:
    sim = family ? f_best : g_best;
    if (sim < 0)
        return LINK_NULL;
    return sim >= 1 ? 0 : similarity_level(k, sim);
}

int link_compare_level(const struct link_prep *p, size_t k, size_t i, size_t j)
{
    const struct link_comparison *cmp = &p->cfg->comp[k];
    const struct link_column *c = &p->cols[p->comp_col[k]];

    switch (cmp->kind) {
    case LINK_KIND_EXACT:
        if (!c->id[i] || !c->id[j])
            return LINK_NULL;
        return c->id[i] == c->id[j] ? 0 : 1;
    case LINK_KIND_JW:
        if (!c->id[i] || !c->id[j])
            return LINK_NULL;
        if (c->id[i] == c->id[j])
            return 0;
        return similarity_level(cmp, jw(&c->strs, c->id[i], c->id[j]));
    case LINK_KIND_FAMILY:
    case LINK_KIND_GIVEN:
        return person_name_level(p, cmp, c, cmp->kind == LINK_KIND_FAMILY, i, j);
    case LINK_KIND_PLACE:
        return name_level(cmp, c, c->id, &c->strs, i, j);
    case LINK_KIND_DATE: {
        int32_t gap;
        if (c->lo[i] > c->hi[i] || c->lo[j] > c->hi[j])
            return LINK_NULL;
        gap = c->lo[j] > c->hi[i] ? c->lo[j] - c->hi[i] : c->lo[i] > c->hi[j] ? c->lo[i] - c->hi[j] : 0;
        if (gap <= 0) {
            /* overlapping: how precisely both say so */
            int32_t span = c->hi[i] - c->lo[i] > c->hi[j] - c->lo[j] ? c->hi[i] - c->lo[i]
                                                                   : c->hi[j] - c->lo[j];
            if (span == 0)
                return 0;           /* both the same day */
            return span <= 30 ? 1 : 2;  /* a month or a day in it; wider */
        }
        for (size_t t = 0; t < cmp->nthresholds; t++)
            if (gap <= cmp->thresholds[t])
                return (int)t + 3;
        return (int)cmp->nthresholds + 3;
    }
    case LINK_KIND_GEO: {
        double best = INFINITY;
        if (!c->cnt[i] || !c->cnt[j])
            return LINK_NULL;
        for (uint32_t x = 0; x < c->cnt[i]; x++)
            for (uint32_t y = 0; y < c->cnt[j]; y++) {
                const struct link_point *a = &c->pts[c->off[i] + x], *b = &c->pts[c->off[j] + y];
                double dx = a->v[0] - b->v[0], dy = a->v[1] - b->v[1], dz = a->v[2] - b->v[2];
                double d = GEO_MEAN_RADIUS_M * sqrt(dx * dx + dy * dy + dz * dz);
                best = fmin(best, d / sqrt(a->sigma * a->sigma + b->sigma * b->sigma));
            }
        for (size_t t = 0; t < cmp->nthresholds; t++)
            if (best <= cmp->thresholds[t])
                return (int)t;
        return (int)cmp->nthresholds;
    }
    case LINK_KIND_COUNT: {
        double lo, hi;
        if (c->num[i] < 0 || c->num[j] < 0)
            return LINK_NULL;
        if (c->num[i] == c->num[j])
            return 0;
        lo = fmax(1, (double)(c->num[i] < c->num[j] ? c->num[i] : c->num[j]));
        hi = (double)(c->num[i] > c->num[j] ? c->num[i] : c->num[j]);
        for (size_t t = 0; t < cmp->nthresholds; t++)
            if (hi / lo <= cmp->thresholds[t])
                return (int)t + 1;
        return (int)cmp->nthresholds + 1;
    }
    case LINK_KIND_SET:
        if (!c->set[i] || !c->set[j])
            return LINK_NULL;
        return c->set[i] == c->set[j] ? 0 : (c->set[i] & c->set[j]) ? 1 : 2;
    }
    return LINK_NULL;
}

/* The value two records share at a comparison's exact level. */
static uint32_t shared_id(const struct link_column *c, const uint32_t *ids, size_t i, size_t j)
{
    for (size_t x = 0; x < c->slots; x++)
        for (size_t y = 0; y < c->slots; y++)
            if (ids[i * c->slots + x] && ids[i * c->slots + x] == ids[j * c->slots + y])
                return ids[i * c->slots + x];
    return 0;
}

double link_compare_tf(const struct link_prep *p, size_t k, size_t i, size_t j)
{
    const struct link_comparison *cmp = &p->cfg->comp[k];
    const struct link_column *c = &p->cols[p->comp_col[k]];
    double tf;
    uint32_t id;

    if (!cmp->tf || p->u_exact[k] <= 0)
        return 0;
    if (cmp->kind == LINK_KIND_GIVEN) {
        if ((id = shared_id(c, c->given_id, i, j)) == 0 || c->total == 0)
            return 0;
        tf = (double)c->given.count[id] / (double)c->total;
    } else {
        if ((id = shared_id(c, c->id, i, j)) == 0)
            return 0;
        tf = c->share[id];
    }
    return cmp->tf_weight * (log2(p->u_exact[k]) - log2(fmax(tf, p->cfg->tf_min)));
}

/* ---- derived columns ----------------------------------------------------------- */

const struct link_column *link_prep_column(const struct link_prep *p, const char *field,
                                           enum link_derive d)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (p->cols[i].derive == d && strcmp(p->cols[i].field, field) == 0)
            return &p->cols[i];
    return NULL;
}

/* The column of (field, d), derived now if it is not yet; its index. */
static int column(struct at_ctx *ctx, struct link_prep *p, const char *field, enum link_derive d,
                  const char *user, int *index)
{
    const struct link_column *have = link_prep_column(p, field, d);
    long f;
    int rc;

    if (have) {
        *index = (int)(have - p->cols);
        return AT_OK;
    }
    if ((f = link_table_field(p->t, field)) < 0) {
        struct buf valid = BUF_INIT;
        for (size_t i = 0; i < p->t->nfields; i++)
            buf_printf(&valid, "%s%s", i ? ", " : "", p->t->fields[i]);
        ctx_error(ctx, AT_EINVAL, "%s: the records have no field \"%s\"; they have: %s", user,
                  field, buf_str(&valid));
        buf_free(&valid);
        return AT_EINVAL;
    }
    p->cols = xrealloc(p->cols, (p->ncols + 1) * sizeof *p->cols);
    memset(&p->cols[p->ncols], 0, sizeof p->cols[p->ncols]);
    snprintf(p->cols[p->ncols].field, sizeof p->cols[p->ncols].field, "%s", field);
    p->cols[p->ncols].derive = d;
    if ((rc = link_column_build(ctx, p->cfg, p->t, (size_t)f, &p->cols[p->ncols])) != AT_OK) {
        link_column_free(&p->cols[p->ncols]);
        return rc;
    }
    *index = (int)p->ncols++;
    return AT_OK;
}

int link_prep_build(struct at_ctx *ctx, const struct link_config *c, const struct link_table *t,
                    struct link_prep *p)
{
    int rc = AT_OK, ignored;

    memset(p, 0, sizeof *p);
    p->cfg = c;
    p->t = t;
    p->memo = xcalloc(1, sizeof *p->memo);
    for (size_t k = 0; k < c->ncomp && rc == AT_OK; k++)
        rc = column(ctx, p, c->comp[k].field, link_kind_derive(c->comp[k].kind), c->comp[k].name,
                    &p->comp_col[k]);
    for (size_t r = 0; r < c->nrules && rc == AT_OK; r++)
        for (size_t k = 0; k < c->rules[r].nkeys && rc == AT_OK; k++)
            rc = column(ctx, p, c->rules[r].keys[k].field, link_key_derive(c->rules[r].keys[k].key),
                        "blocking rule", &ignored);
    if (rc != AT_OK)
        link_prep_free(p);
    return rc;
}

void link_prep_free(struct link_prep *p)
{
    for (size_t i = 0; i < p->ncols; i++)
        link_column_free(&p->cols[i]);
    free(p->cols);
    free(p->memo);
    memset(p, 0, sizeof *p);
}
