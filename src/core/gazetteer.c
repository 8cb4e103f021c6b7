/*
 * gazetteer.c: finding places by any spelling and by position.  See
 * gazetteer.h; the table itself is generated (gazetteer_data.c).
 *
 * Every spelling of every place is folded once into a key: decomposed
 * (NFD), combining marks, spaces and punctuation (apostrophes, hyphens)
 * dropped, lower case.  "Hoeryŏng", "Hoeryong", "hoe-ryong" and
 * "Hoeryeong" each meet one of 회령's keys; a query is folded the same way.
 */
#include "attest.h"
#include "gazetteer.h"
#include "geo.h"
#include "hangul.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

const char *gazetteer_kind_name(enum gazetteer_kind k)
{
    static const char *const names[] = { "province", "city", "district", "county", "town",
                                         "border_city", "reference" };
    return (size_t)k < ARRAY_LEN(names) ? names[k] : "place";
}

void gazetteer_id(const struct gazetteer_place *p, char out[GAZETTEER_ID_MAX])
{
    if (p->geonames_id > 0)
        snprintf(out, GAZETTEER_ID_MAX, "%s:%ld", gazetteer_kind_name(p->kind), p->geonames_id);
    else
        snprintf(out, GAZETTEER_ID_MAX, "%s:%s", gazetteer_kind_name(p->kind), p->hangul);
}

const struct gazetteer_place *gazetteer_by_id(const char *id)
{
    char mine[GAZETTEER_ID_MAX];

    for (size_t i = 0; i < gazetteer_nplaces; i++) {
        gazetteer_id(&gazetteer_places[i], mine);
        if (strcmp(mine, id) == 0)
            return &gazetteer_places[i];
    }
    return NULL;
}

json_t *gazetteer_place_json(const struct gazetteer_place *p, double dist_m)
{
    const struct gazetteer_place *prov = gazetteer_province(p);
    struct at_ctx ctx = { 0 };
    struct hangul_place r;
    char id[GAZETTEER_ID_MAX];
    json_t *o;

    gazetteer_id(p, id);
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:I}", "id", id, "name", p->name,
                  "hangul", p->hangul, "kind", gazetteer_kind_name(p->kind), "country", p->country,
                  "lat", p->lat, "lon", p->lon, "geonames_id", (json_int_t)p->geonames_id);
    if (hangul_place(&ctx, p->hangul, strlen(p->hangul), HANGUL_ADMIN_HYPHEN, &r) == AT_OK) {
        json_object_set_new(o, "rr", json_string(r.rr));
        json_object_set_new(o, "mr", json_string(r.mr));
        json_object_set_new(o, "mr_plain", json_string(r.mr_plain));
        json_object_set_new(o, "dprk", json_string(r.dprk));
        hangul_place_free(&r);
    }
    if (prov && prov != p)
        json_object_set_new(o, "province", json_string(prov->name));
    if (p->point == GAZ_POINT_CENTROID)
        json_object_set_new(o, "point_of", json_string("the centroid of its outline"));
    else if (p->point == GAZ_POINT_CITY)
        json_object_set_new(o, "point_of", json_string("its city's point (the district is not placed)"));
    else if (strcmp(p->seat, p->name) != 0)
        json_object_set_new(o, "point_of", json_string(p->seat));
    if (dist_m >= 0)
        json_object_set_new(o, "distance_km", json_real(round(dist_m / 100) / 10));
    return o;
}

const struct gazetteer_place *gazetteer_province(const struct gazetteer_place *p)
{
    if (p->admin1[0] == '\0')
        return NULL;
    for (size_t i = 0; i < gazetteer_nplaces; i++)
        if (gazetteer_places[i].kind == GAZ_PROVINCE
            && strcmp(gazetteer_places[i].admin1, p->admin1) == 0)
            return &gazetteer_places[i];
    return NULL;
}

/* Appends the folded key of s (UTF-8) to out; with marks, the combining
 * marks are kept (the breves of McCune-Reischauer's ŏ and ŭ). */
static void fold(const char *s, struct buf *out, bool marks)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0, m;
    UChar *u, *d;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);

    u_strFromUTF8(NULL, 0, &n, s, -1, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        return;
    err = U_ZERO_ERROR;
    u = xmalloc(((size_t)n + 1) * sizeof *u);
    u_strFromUTF8(u, n + 1, NULL, s, -1, &err);
    d = xmalloc(((size_t)n * 4 + 1) * sizeof *d);
    m = U_SUCCESS(err) ? unorm2_normalize(nfd, u, n, d, n * 4 + 1, &err) : 0;
    for (int32_t i = 0; U_SUCCESS(err) && i < m;) {
        UChar32 c;
        U16_NEXT(d, i, m, c);
        int8_t type = u_charType(c);
        if ((type == U_NON_SPACING_MARK && !marks) || type == U_MODIFIER_LETTER
            || type == U_MODIFIER_SYMBOL || u_isUWhiteSpace(c) || u_ispunct(c))
            continue;
        c = u_tolower(c);
        char utf8[4];
        int32_t k = 0;
        U8_APPEND_UNSAFE(utf8, k, c);
        buf_append(out, utf8, (size_t)k);
    }
    free(u);
    free(d);
}

/* The Hangul name without its administrative suffix, when two syllables
 * or more are left: 회령시 -> 회령, 함경북도 -> 함경북. */
static size_t stem_len(const char *hangul)
{
    static const char *const suffixes[] = { "직할시", "특별시", "구역", "시", "군", "도", "리" };
    size_t n = strlen(hangul);

    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        size_t m = strlen(suffixes[i]);
        if (n >= m + 6 && strcmp(hangul + n - m, suffixes[i]) == 0)
            return n - m;
    }
    return n;
}

static void romanisations(const char *hangul, size_t len, unsigned flags, struct buf *out)
{
    struct at_ctx ctx = { 0 };
    struct hangul_place r;

    if (hangul_place(&ctx, hangul, len, flags, &r) != AT_OK)
        return;
    buf_printf(out, "%s\n%s\n%s\n%s\n", r.rr, r.mr, r.mr_plain, r.dprk);
    hangul_place_free(&r);
}

/* The spelling s (n bytes), and with the word for its kind of place after
 * it, as English and Han text write it: "Yodok County", "耀德郡",
 * "Hoeryong City", "會寧市".  Other scripts, and kinds without such a word,
 * only as they are. */
static void with_kind(enum gazetteer_kind kind, const char *s, size_t n, struct buf *out)
{
    static const struct { enum gazetteer_kind kind; const char *en, *han; } words[] = {
        { GAZ_PROVINCE, " Province", "道" }, { GAZ_CITY, " City", "市" },
        { GAZ_DISTRICT, " District", "區域" }, { GAZ_COUNTY, " County", "郡" },
    };
    const unsigned char c = n ? (unsigned char)s[0] : 0;
    /* Han: the CJK Unified Ideographs, U+4E00 to U+9FFF, lead byte E4 to E9. */
    bool han = n >= 3 && c >= 0xE4 && c <= 0xE9, latin = c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');

    buf_printf(out, "%.*s\n", (int)n, s);
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (words[i].kind == kind && (han || latin))
            buf_printf(out, "%.*s%s\n", (int)n, s, han ? words[i].han : words[i].en);
}

void gazetteer_spellings(const struct gazetteer_place *p, struct buf *out)
{
    size_t stem = stem_len(p->hangul);
    struct buf plain = BUF_INIT;

    buf_printf(out, "%s\n", p->hangul);
    if (stem < strlen(p->hangul))
        buf_printf(out, "%.*s\n", (int)stem, p->hangul);
    with_kind(p->kind, p->name, strlen(p->name), out);
    for (const char *s = p->also; *s;) {
        size_t n = strcspn(s, "|");
        with_kind(p->kind, s, n, out);
        s += n + (s[n] == '|');
    }
    /* The name romanised whole, and with its suffix apart as the output
     * shows it (삼석구역: Samsŏk-kuyŏk whole, DPRK Samsok-guyok apart). */
    romanisations(p->hangul, strlen(p->hangul), 0, out);
    romanisations(p->hangul, strlen(p->hangul), HANGUL_ADMIN_HYPHEN, out);
    if (stem < strlen(p->hangul)) {
        romanisations(p->hangul, stem, 0, &plain);
        for (const char *s = buf_str(&plain); *s; s += strcspn(s, "\n") + 1)
            with_kind(p->kind, s, strcspn(s, "\n"), out);
    }
    buf_free(&plain);
}

/* The folded keys of all places: keys[i] belongs to place owner[i];
 * marked[i] is the same spelling folded with its marks kept. */
static struct {
    char **keys, **marked;
    size_t *owner;
    size_t n;
} index_;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    size_t cap = 0;

    for (size_t p = 0; p < gazetteer_nplaces; p++) {
        struct buf spellings = BUF_INIT;
        gazetteer_spellings(&gazetteer_places[p], &spellings);
        for (char *line = spellings.data, *nl; line && *line; line = nl + 1) {
            struct buf key = BUF_INIT, marked = BUF_INIT;
            nl = strchr(line, '\n');
            *nl = '\0';
            fold(line, &key, false);
            if (key.len == 0) {
                buf_free(&key);
                continue;
            }
            fold(line, &marked, true);
            if (index_.n == cap) {
                cap = cap ? 2 * cap : 1024;
                index_.keys = xrealloc(index_.keys, cap * sizeof *index_.keys);
                index_.marked = xrealloc(index_.marked, cap * sizeof *index_.marked);
                index_.owner = xrealloc(index_.owner, cap * sizeof *index_.owner);
            }
            index_.marked[index_.n] = buf_detach(&marked);
            index_.keys[index_.n] = buf_detach(&key);
            index_.owner[index_.n++] = p;
        }
        buf_free(&spellings);
    }
}

static int match_order(const void *pa, const void *pb)
{
    const struct gazetteer_match *a = pa, *b = pb;

    if (a->rank != b->rank)
        return a->rank - b->rank;
    if (a->dist_m != b->dist_m)
        return a->dist_m < b->dist_m ? -1 : 1;
    if (a->place->kind != b->place->kind)
        return (int)a->place->kind - (int)b->place->kind;
    return (a->place->population < b->place->population) - (a->place->population > b->place->population);
}

size_t gazetteer_search(const char *query, struct gazetteer_match *out, size_t max)
{
    struct buf q = BUF_INIT, qm = BUF_INIT;
    int *best = xmalloc((gazetteer_nplaces + 1) * sizeof *best);
    bool *as_marked = xcalloc(gazetteer_nplaces + 1, sizeof *as_marked), any_marked = false;
    struct gazetteer_match *all = xcalloc(gazetteer_nplaces + 1, sizeof *all);
    size_t n = 0;

    pthread_once(&index_once, build_index);
    fold(query, &q, false);
    fold(query, &qm, true);
    for (size_t p = 0; p < gazetteer_nplaces; p++)
        best[p] = 3;
    for (size_t i = 0; q.len && i < index_.n; i++) {
        const char *k = index_.keys[i], *hit = strstr(k, q.data);
        int rank = hit == NULL ? 3 : strcmp(k, q.data) == 0 ? 0 : hit == k ? 1 : q.len >= 3 ? 2 : 3;
        if (rank < best[index_.owner[i]])
            best[index_.owner[i]] = rank;
        if (rank == 0 && strcmp(index_.marked[i], qm.data) == 0)
            any_marked = as_marked[index_.owner[i]] = true;
    }
    /* Marks the query carries tell places apart that are one without them
     * (Ŭnsan 은산, Unsan 운산): where a place is spelled with the query's
     * own marks, a place that is the query only once marks are dropped
     * is the start of a spelling, not one. */
    for (size_t p = 0; any_marked && q.len != qm.len && p < gazetteer_nplaces; p++)
        if (best[p] == 0 && !as_marked[p])
            best[p] = 1;
    for (size_t p = 0; p < gazetteer_nplaces; p++)
        if (best[p] < 3)
            all[n++] = (struct gazetteer_match){ &gazetteer_places[p], best[p], 0 };
    qsort(all, n, sizeof *all, match_order);
    n = n < max ? n : max;
    memcpy(out, all, n * sizeof *out);
    free(all);
    free(best);
    free(as_marked);
    buf_free(&q);
    buf_free(&qm);
    return n;
}

/* True when lines (one per line) holds line as one of them. */
static bool has_line(const struct buf *lines, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = buf_str(lines); (p = strstr(p, line)) != NULL; p += n)
        if ((p == lines->data || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

size_t gazetteer_named(const char *text, const struct gazetteer_place **out, size_t max,
                       struct buf *spellings)
{
    struct gazetteer_match m[16];
    size_t n = gazetteer_search(text, m, ARRAY_LEN(m)), k = 0;

    for (size_t i = 0; i < n && m[i].rank == 0 && k < max; i++)
        out[k++] = m[i].place;
    for (size_t i = 0; spellings && i < k; i++) {
        struct buf all = BUF_INIT;
        gazetteer_spellings(out[i], &all);
        for (char *line = all.data, *nl; line && *line; line = nl + 1) {
            nl = strchr(line, '\n');
            *nl = '\0';
            if (!has_line(spellings, line))
                buf_printf(spellings, "%s\n", line);
        }
        buf_free(&all);
    }
    return k;
}

bool gazetteer_placed(const struct gazetteer_place *p)
{
    return p->point != GAZ_POINT_CITY;
}

size_t gazetteer_near(double lat, double lon, unsigned kinds, struct gazetteer_match *out,
                      size_t max)
{
    struct gazetteer_match *all = xcalloc(gazetteer_nplaces + 1, sizeof *all);
    size_t n = 0;

    for (size_t p = 0; p < gazetteer_nplaces; p++) {
        const struct gazetteer_place *pl = &gazetteer_places[p];
        if ((kinds && !(kinds & (1u << pl->kind))) || !gazetteer_placed(pl))
            continue;
        all[n++] = (struct gazetteer_match){ pl, 0, geo_distance_m(lat, lon, pl->lat, pl->lon) };
    }
    qsort(all, n, sizeof *all, match_order);
    n = n < max ? n : max;
    memcpy(out, all, n * sizeof *out);
    free(all);
    return n;
}

size_t gazetteer_within(const struct geo_shape *shape, double lat, double lon,
                        struct gazetteer_match *out, size_t max)
{
    struct gazetteer_match *all = xcalloc(gazetteer_nplaces + 1, sizeof *all);
    size_t n = gazetteer_near(lat, lon, 0, all, gazetteer_nplaces), k = 0;

    for (size_t i = 0; i < n && k < max; i++)
        if (geo_shape_contains(shape, all[i].place->lat, all[i].place->lon))
            out[k++] = all[i];
    free(all);
    return k;
}

/* Even-odd test of one ring. */
static bool in_ring(const struct gazetteer_ring *r, double lat, double lon)
{
    const double *pt = gazetteer_border_points + 2 * r->first;
    bool in = false;

    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        double xi = pt[2 * i], yi = pt[2 * i + 1], xj = pt[2 * j], yj = pt[2 * j + 1];
        if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

const char *gazetteer_country_at(double lat, double lon)
{
    /* A country holds the point when an odd number of its rings do (its
     * holes count against it). */
    for (size_t i = 0; i < gazetteer_nrings; i++) {
        const char *code = gazetteer_rings[i].country;
        bool in = false, seen = false;
        for (size_t j = 0; j < gazetteer_nrings; j++) {
            if (strcmp(gazetteer_rings[j].country, code) != 0)
                continue;
            if (j < i) {
                seen = true;
                break;
            }
            if (in_ring(&gazetteer_rings[j], lat, lon))
                in = !in;
        }
        if (!seen && in)
            return code;
    }
    return NULL;
}

#define COUNTY_KINDS ((1u << GAZ_COUNTY) | (1u << GAZ_CITY) | (1u << GAZ_DISTRICT))

const struct gazetteer_place *gazetteer_county_of(const char *county, double lat, double lon)
{
    const char *country = gazetteer_country_at(lat, lon);
    struct gazetteer_match m[8];
    size_t n;

    /* Outside North Korea's outline only when on no land at all: the
     * 1:50m coast is a few hundred metres off in places. */
    if (country && strcmp(country, "KP") != 0)
        return NULL;
    if (county && *county) {
        n = gazetteer_search(county, m, ARRAY_LEN(m));
        for (size_t i = 0; i < n && m[i].rank <= 1; i++)
            if ((COUNTY_KINDS & (1u << m[i].place->kind)) && strcmp(m[i].place->country, "KP") == 0
                && geo_distance_m(lat, lon, m[i].place->lat, m[i].place->lon) <= 60000)
                return m[i].place;
    }
    n = gazetteer_near(lat, lon, COUNTY_KINDS, m, 1);
    if (n == 1 && m[0].dist_m <= 25000 && strcmp(m[0].place->country, "KP") == 0)
        return m[0].place;
    return NULL;
}
