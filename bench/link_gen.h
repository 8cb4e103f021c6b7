/*
 * link_gen.h: a seeded generator of FICTIONAL Korean victim and event
 * records with known truth, for the linkage tests and benchmark.  Nothing
 * here describes a real person or event.
 *
 * Persons: households of one to four victims who share a family name, a
 * home county, an event and birth years a few apart (the hard negatives:
 * siblings are not the same victim).  Each victim is told of by one or
 * more witnesses (a geometric number of records); each record writes the
 * name in Hangul, the Revised Romanization, McCune-Reischauer without
 * marks or the DPRK's spelling (hangul.h), family name first or last,
 * sometimes hyphenated, now and then with a typing slip; gives the birth
 * date as a day, a month, a year, "~year" or a year off by one, or not at
 * all; the county in one of its spellings or not at all.  Witnesses from
 * one household tell the same story the same way: their records repeat
 * one rendering.
 *
 * Events: each is told by several witnesses, each of whom dates it to
 * the day, the month or the year (sometimes "~"), places it on imagery
 * scattered by the uncertainty they state, gives the act type and a
 * victim count with some error.
 *
 * The functions write CSV (header first) to a FILE and are deterministic
 * for a seed.  Included by the generator program and the unit tests.
 */
#ifndef LINK_GEN_H
#define LINK_GEN_H

#include "../src/core/attest.h"
#include "../src/core/csv.h"
#include "../src/core/hangul.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct link_gen {
    uint64_t s;
};

static uint64_t link_gen_next(struct link_gen *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double link_gen_unit(struct link_gen *g)
{
    return (double)(link_gen_next(g) >> 11) / 9007199254740992.0;
}

static size_t link_gen_below(struct link_gen *g, size_t n)
{
    return (size_t)(link_gen_unit(g) * (double)n);
}

static double link_gen_normal(struct link_gen *g)
{
    double u = link_gen_unit(g), v = link_gen_unit(g);
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* Family names with their population shares (per cent; the linkage
 * engine's reference table, and a tail of less common names). */
static const struct {
    const char *h;
    double share;
} link_gen_family[] = {
    { "김", 21.5 }, { "이", 14.7 }, { "박", 8.4 }, { "최", 4.7 }, { "정", 4.3 },
    { "강", 2.4 }, { "조", 2.1 }, { "윤", 2.1 }, { "장", 2.0 }, { "임", 1.7 },
    { "한", 1.5 }, { "오", 1.5 }, { "서", 1.5 }, { "신", 1.5 }, { "권", 1.4 },
    { "황", 1.4 }, { "안", 1.4 }, { "송", 1.3 }, { "전", 1.3 }, { "홍", 1.1 },
    { "유", 1.0 }, { "고", 0.9 }, { "문", 0.9 }, { "양", 0.9 }, { "손", 0.9 },
    { "배", 0.8 }, { "백", 0.8 }, { "허", 0.6 }, { "남", 0.5 }, { "심", 0.5 },
    { "노", 0.4 }, { "하", 0.4 }, { "곽", 0.4 }, { "성", 0.4 }, { "차", 0.4 },
    { "주", 0.4 }, { "우", 0.4 }, { "구", 0.4 }, { "민", 0.3 }, { "류", 0.3 },
    { "나", 0.3 }, { "진", 0.3 }, { "지", 0.3 }, { "엄", 0.3 }, { "채", 0.3 },
    { "원", 0.3 }, { "천", 0.2 }, { "방", 0.2 }, { "공", 0.2 }, { "현", 0.2 },
};

static const char *const link_gen_syllables[] = {
    "영", "수", "철", "호", "민", "정", "성", "진", "현", "준", "희", "숙", "자", "순",
    "옥", "남", "광", "명", "일", "동", "국", "혁", "선", "미", "경", "은", "혜", "지",
    "용", "석", "춘", "금", "향", "란", "화", "복", "길", "만", "덕", "학", "원", "재",
    "상", "태", "기", "봉", "식", "환", "훈", "우", "연", "주", "애", "실", "분", "월",
    "송", "림", "하", "창", "근", "범", "규", "세", "윤", "혁", "평", "섭", "찬", "걸",
    "필", "천", "강", "산", "옥", "빈", "란", "설", "청", "운", "송", "표", "웅", "열",
    "건", "무", "문", "삼", "봉", "택", "학", "배", "익", "억",
};

/* Counties (Hangul), their province and a point inside them (approximate,
 * for fictional placements). */
static const struct {
    const char *county, *province;
    double lat, lon;
} link_gen_county[] = {
    { "회령시", "함경북도", 42.44, 129.75 }, { "무산군", "함경북도", 42.23, 129.21 },
    { "온성군", "함경북도", 42.95, 129.99 }, { "청진시", "함경북도", 41.79, 129.78 },
    { "김책시", "함경북도", 40.67, 129.19 }, { "길주군", "함경북도", 40.96, 129.33 },
    { "함흥시", "함경남도", 39.92, 127.54 }, { "단천시", "함경남도", 40.46, 128.91 },
    { "요덕군", "함경남도", 39.75, 127.00 }, { "혜산시", "양강도", 41.40, 128.18 },
    { "삼지연시", "양강도", 41.82, 128.31 }, { "강계시", "자강도", 40.97, 126.59 },
    { "희천시", "자강도", 40.17, 126.28 }, { "신의주시", "평안북도", 40.10, 124.40 },
    { "개천시", "평안남도", 39.70, 125.90 }, { "순천시", "평안남도", 39.43, 125.93 },
    { "평성시", "평안남도", 39.25, 125.87 }, { "사리원시", "황해북도", 38.51, 125.76 },
    { "해주시", "황해남도", 38.04, 125.71 }, { "원산시", "강원도", 39.15, 127.44 },
    { "개성시", "황해북도", 37.97, 126.55 }, { "남포시", "평안남도", 38.74, 125.41 },
};

static const char *const link_gen_acts[] = {
    "arbitrary_detention", "enforced_disappearance", "execution", "torture", "forced_labour",
};

static size_t link_gen_family_pick(struct link_gen *g)
{
    double total = 0, x;

    for (size_t i = 0; i < ARRAY_LEN(link_gen_family); i++)
        total += link_gen_family[i].share;
    x = link_gen_unit(g) * total;
    for (size_t i = 0; i < ARRAY_LEN(link_gen_family); i++) {
        if (x < link_gen_family[i].share)
            return i;
        x -= link_gen_family[i].share;
    }
    return 0;
}

/* A typing slip in ASCII text: a letter dropped, doubled or swapped. */
static void link_gen_slip(struct link_gen *g, struct buf *b)
{
    size_t n = b->len, i;

    if (n < 4)
        return;
    i = 1 + link_gen_below(g, n - 2);
    if (b->data[i] == ' ' || b->data[i + 1] == ' ' || (unsigned char)b->data[i] >= 0x80)
        return;
    switch (link_gen_below(g, 3)) {
    case 0:
        memmove(b->data + i, b->data + i + 1, n - i);
        b->len--;
        break;
    case 1: {
        char c = b->data[i];
        b->data[i] = b->data[i + 1];
        b->data[i + 1] = c;
        break;
    }
    default: {
        char c = b->data[i];
        buf_putc(b, ' ');
        memmove(b->data + i + 1, b->data + i, n - i);
        b->data[i] = c;
        break;
    }
    }
}

/* A rendering of a Korean name (Hangul family + given) into out. */
static void link_gen_name(struct link_gen *g, const char *hangul, struct buf *out)
{
    static const enum hangul_system sys[] = { HANGUL_RR, HANGUL_MR_PLAIN, HANGUL_DPRK };
    struct at_ctx ctx = { 0, "" };
    struct buf rom = BUF_INIT;
    size_t pick = link_gen_below(g, 10);

    buf_reset(out);
    if (pick < 3) {
        buf_puts(out, hangul);
        return;
    }
    if (hangul_name(&ctx, hangul, strlen(hangul), sys[pick % 3],
                    HANGUL_CAPITALISE | (link_gen_below(g, 2) ? HANGUL_NAME_HYPHEN : 0), &rom) != AT_OK) {
        buf_puts(out, hangul);
        return;
    }
    if (link_gen_below(g, 5) == 0) {
        /* family name last, as in a Western form */
        const char *sp = strchr(buf_str(&rom), ' ');
        if (sp) {
            buf_printf(out, "%s %.*s", sp + 1, (int)(sp - rom.data), rom.data);
        } else {
            buf_puts(out, buf_str(&rom));
        }
    } else {
        buf_puts(out, buf_str(&rom));
    }
    if (link_gen_below(g, 12) == 0)
        link_gen_slip(g, out);
    buf_free(&rom);
}

static void link_gen_place(struct link_gen *g, const char *hangul, struct buf *out)
{
    struct at_ctx ctx = { 0, "" };
    struct hangul_place p;

    buf_reset(out);
    if (link_gen_below(g, 4) == 0 || hangul_place(&ctx, hangul, strlen(hangul), 0, &p) != AT_OK) {
        buf_puts(out, hangul);
        return;
    }
    switch (link_gen_below(g, 3)) {
    case 0:
        buf_puts(out, p.rr);
        break;
    case 1:
        buf_puts(out, p.mr_plain);
        break;
    default:
        buf_puts(out, p.dprk);
        break;
    }
    hangul_place_free(&p);
}

/* A fuzzy date text for a true day (year, month, day). */
static void link_gen_date(struct link_gen *g, int y, int m, int d, bool often_exact, struct buf *out)
{
    size_t r = link_gen_below(g, 20);

    buf_reset(out);
    if (often_exact && r < 8)
        buf_printf(out, "%04d-%02d-%02d", y, m, d);
    else if (r < 12)
        buf_printf(out, "%04d-%02d", y, m);
    else if (r < 16)
        buf_printf(out, "%04d", y);
    else if (r < 18)
        buf_printf(out, "~%04d", y);
    else if (r < 19)
        buf_printf(out, "%04d", y + (link_gen_below(g, 2) ? 1 : -1));
    /* else: not given */
}

/* Writes a CSV of about nrecords person records:
 * id,names,sex,birth_date,home_province,home_county,events,act_types,truth */
static void link_gen_persons(FILE *f, size_t nrecords, uint64_t seed)
{
    struct link_gen g = { seed };
    struct buf line = BUF_INIT, name = BUF_INIT, date = BUF_INIT, county = BUF_INIT,
               province = BUF_INIT, full = BUF_INIT, ev = BUF_INIT, id = BUF_INIT, truth = BUF_INIT;
    const char *header[] = { "id", "names", "sex", "birth_date", "home_province", "home_county",
                             "events", "act_types", "truth" };
    size_t written = 0, entity = 0, household = 0;

    csv_write_record(&line, header, ARRAY_LEN(header));
    fwrite(line.data, 1, line.len, f);
    while (written < nrecords) {
        size_t fam = link_gen_family_pick(&g), cty = link_gen_below(&g, ARRAY_LEN(link_gen_county));
        size_t members = 1 + (link_gen_below(&g, 3) == 0 ? link_gen_below(&g, 4) : 0);
        int base_year = 1930 + (int)link_gen_below(&g, 65);
        const char *act = link_gen_acts[link_gen_below(&g, ARRAY_LEN(link_gen_acts))];
        household++;
        for (size_t mbr = 0; mbr < members && written < nrecords; mbr++, entity++) {
            int y = base_year + (int)link_gen_below(&g, 13) - 6, mo = 1 + (int)link_gen_below(&g, 12),
                d = 1 + (int)link_gen_below(&g, 28);
            const char *sex = link_gen_below(&g, 2) ? "male" : "female";
            /* records per victim: 1 + geometric (mean about 2.4) */
            size_t nrec = 1;
            while (nrec < 12 && link_gen_unit(&g) < 0.58)
                nrec++;
            buf_reset(&full);
            buf_printf(&full, "%s%s%s", link_gen_family[fam].h,
                       link_gen_syllables[link_gen_below(&g, ARRAY_LEN(link_gen_syllables))],
                       link_gen_syllables[link_gen_below(&g, ARRAY_LEN(link_gen_syllables))]);
            for (size_t r = 0; r < nrec && written < nrecords; r++) {
                /* a second witness of the same household repeats the first */
                bool repeat = r > 0 && link_gen_below(&g, 4) == 0;
                const char *fields[9];
                if (!repeat) {
                    link_gen_name(&g, buf_str(&full), &name);
                    link_gen_date(&g, y, mo, d, true, &date);
                    if (link_gen_below(&g, 6) == 0)
                        buf_reset(&county);
                    else
                        link_gen_place(&g, link_gen_county[cty].county, &county);
                    if (link_gen_below(&g, 5) == 0)
                        buf_reset(&province);
                    else
                        link_gen_place(&g, link_gen_county[cty].province, &province);
                }
                buf_reset(&ev);
                if (link_gen_below(&g, 5) != 0)
                    buf_printf(&ev, "ev-h%zu", household);
                buf_reset(&id);
                buf_printf(&id, "p%zu", written);
                buf_reset(&truth);
                buf_printf(&truth, "%zu", entity);
                fields[0] = buf_str(&id);
                fields[1] = buf_str(&name);
                fields[2] = link_gen_below(&g, 10) == 0 ? "" : sex;
                fields[3] = buf_str(&date);
                fields[4] = buf_str(&province);
                fields[5] = buf_str(&county);
                fields[6] = buf_str(&ev);
                fields[7] = ev.len ? act : "";
                fields[8] = buf_str(&truth);
                buf_reset(&line);
                csv_write_record(&line, fields, 9);
                fwrite(line.data, 1, line.len, f);
                written++;
            }
        }
    }
    buf_free(&line);
    buf_free(&name);
    buf_free(&date);
    buf_free(&county);
    buf_free(&province);
    buf_free(&full);
    buf_free(&ev);
    buf_free(&id);
    buf_free(&truth);
}

/* Writes a CSV of about nrecords event records:
 * id,title,date,place,county,province,act_types,victims,truth */
static void link_gen_events(FILE *f, size_t nrecords, uint64_t seed)
{
    static const char *const what[] = { "Public execution", "Arrests", "Disappearance",
                                        "Beatings", "Forced labour" };
    static const char *const where[] = { "market", "river bank", "school yard", "station",
                                         "stadium", "detention centre" };
    struct link_gen g = { seed };
    struct buf line = BUF_INIT, date = BUF_INIT, place = BUF_INIT, county = BUF_INIT,
               province = BUF_INIT, title = BUF_INIT, id = BUF_INIT, victims = BUF_INIT,
               truth = BUF_INIT;
    const char *header[] = { "id", "title", "date", "place", "county", "province",
                             "act_types", "victims", "truth" };
    size_t written = 0, event = 0;

    csv_write_record(&line, header, ARRAY_LEN(header));
    fwrite(line.data, 1, line.len, f);
    while (written < nrecords) {
        size_t cty = link_gen_below(&g, ARRAY_LEN(link_gen_county)), a = link_gen_below(&g, 5);
        size_t w = link_gen_below(&g, ARRAY_LEN(where));
        double lat = link_gen_county[cty].lat + 0.1 * link_gen_normal(&g);
        double lon = link_gen_county[cty].lon + 0.1 * link_gen_normal(&g);
        int y = 1975 + (int)link_gen_below(&g, 45), mo = 1 + (int)link_gen_below(&g, 12),
            d = 1 + (int)link_gen_below(&g, 28);
        int count = 1 + (int)link_gen_below(&g, 40);
        size_t nrec = 1;
        while (nrec < 15 && link_gen_unit(&g) < 0.65)
            nrec++;
        for (size_t r = 0; r < nrec && written < nrecords; r++) {
            double unc = 200 + link_gen_unit(&g) * 3000, sigma = unc / 2.4477;
            double dn = sigma * link_gen_normal(&g), de = sigma * link_gen_normal(&g);
            double plat = lat + dn / 111320.0, plon = lon + de / (111320.0 * cos(lat * M_PI / 180));
            const char *fields[9];
            int c = count + (link_gen_below(&g, 3) == 0 ? (int)lround(count * 0.3 * link_gen_normal(&g)) : 0);
            link_gen_date(&g, y, mo, d, true, &date);
            buf_reset(&place);
            if (link_gen_below(&g, 8) != 0)
                buf_printf(&place, "%.5f,%.5f,%.0f", plat, plon, unc);
            if (link_gen_below(&g, 5) == 0)
                buf_reset(&county);
            else
                link_gen_place(&g, link_gen_county[cty].county, &county);
            link_gen_place(&g, link_gen_county[cty].province, &province);
            buf_reset(&title);
            buf_printf(&title, "%s at the %s", what[a], where[link_gen_below(&g, 4) ? w : link_gen_below(&g, ARRAY_LEN(where))]);
            buf_reset(&victims);
            if (link_gen_below(&g, 4) != 0)
                buf_printf(&victims, "%d", c < 1 ? 1 : c);
            buf_reset(&id);
            buf_printf(&id, "e%zu", written);
            buf_reset(&truth);
            buf_printf(&truth, "%zu", event);
            fields[0] = buf_str(&id);
            fields[1] = buf_str(&title);
            fields[2] = buf_str(&date);
            fields[3] = buf_str(&place);
            fields[4] = buf_str(&county);
            fields[5] = buf_str(&province);
            fields[6] = link_gen_below(&g, 10) == 0 ? "" : link_gen_acts[a];
            fields[7] = buf_str(&victims);
            fields[8] = buf_str(&truth);
            buf_reset(&line);
            csv_write_record(&line, fields, 9);
            fwrite(line.data, 1, line.len, f);
            written++;
        }
        event++;
    }
    buf_free(&line);
    buf_free(&date);
    buf_free(&place);
    buf_free(&county);
    buf_free(&province);
    buf_free(&title);
    buf_free(&id);
    buf_free(&victims);
    buf_free(&truth);
}

#endif
