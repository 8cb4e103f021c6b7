/*
 * date.c: parsing, printing and comparing fuzzy dates.
 *
 * The grammar in digits is small and strict: YYYY, YYYY-MM or YYYY-MM-DD,
 * each optionally after "~", or two of them joined by "/", or the word
 * "unknown"; only white space around the whole text is forgiven.  Dates
 * in words, as witnesses give them, are read by a second grammar (see
 * parse_words): English seasons, decades and named periods, and the same
 * in Korean with years, months and days in Korean.  Every refusal quotes
 * what was given and names the part that is wrong.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

#define VALID_FORMS \
    "; valid forms: 1997, 1997-03, 1997-03-12, ~1997, 1996/1998, summer 1997, " \
    "early 1990s, the Arduous March, 1997년, 1997년 3월, 1997년경, 97년 봄, " \
    "1990년대 중반, 고난의 행군 때, unknown"
#define UNKNOWN_WORD "unknown"
#define QUOTE_MAX 40 /* bytes of the input repeated in a message */

/* One written date before it becomes an interval. */
struct point {
    enum date_precision prec;
    int y, m, d; /* m and d are 0 when not given */
};

/* The whole trimmed input, which every message quotes. */
struct input {
    const char *s;
    size_t n;
};

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
};

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int32_t ymd(int y, int m, int d)
{
    return (int32_t)y * 10000 + m * 100 + d;
}

/* Moves the day *y-*m-*d by delta days, across months and years. */
static void add_days(int *y, int *m, int *d, int delta)
{
    for (; delta > 0; delta--) {
        if (++*d > days_in_month(*y, *m)) {
            *d = 1;
            if (++*m > 12) {
                *m = 1;
                ++*y;
            }
        }
    }
    for (; delta < 0; delta++) {
        if (--*d < 1) {
            if (--*m < 1) {
                *m = 12;
                --*y;
            }
            *d = days_in_month(*y, *m);
        }
    }
}

/* Moves the month *y-*m by delta months. */
static void add_months(int *y, int *m, int delta)
{
    int t = *y * 12 + (*m - 1) + delta;

    *y = t / 12;
    *m = t % 12 + 1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t count_digits(const char *s, size_t n)
{
    size_t k = 0;

    while (k < n && is_digit(s[k]))
        k++;
    return k;
}

static int number(const char *s, size_t k)
{
    int v = 0;

    for (size_t i = 0; i < k; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool same_text(const char *s, size_t n, const char *word)
{
    return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* The length of the well-formed UTF-8 character at s[0..n) that is not
 * ASCII, or 0 when the bytes there are not one. */
static size_t utf8_char_len(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t len;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0; /* no overlong forms */
    else if (s[0] == 0xed)
        hi = 0x9f; /* no surrogates */
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f; /* nothing past U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/*
 * Writes the input into dst in double quotes, cut after about QUOTE_MAX
 * bytes.  Quotes, backslashes, control bytes and bytes that are not UTF-8
 * are escaped, so that the message is always valid UTF-8.
 */
static void quote_input(char *dst, size_t cap, const struct input *in)
{
    const unsigned char *s = (const unsigned char *)in->s;
    size_t i = 0, o = 0;

    dst[o++] = '"';
    while (i < in->n && i < QUOTE_MAX) {
        size_t len = s[i] >= 0x80 ? utf8_char_len(s + i, in->n - i) : 1;

        if (len > 1) {
            memcpy(dst + o, s + i, len);
            o += len;
            i += len;
        } else if (s[i] < 0x20 || s[i] >= 0x7f) {
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", s[i++]);
        } else if (s[i] == '"' || s[i] == '\\') {
            o += (size_t)snprintf(dst + o, cap - o, "\\%c", s[i++]);
        } else {
            dst[o++] = (char)s[i++];
        }
    }
    snprintf(dst + o, cap - o, "%s\"", i < in->n ? "..." : "");
}

/* Sets an AT_EINVAL message "<quoted input>: <reason>", with the list of
 * valid forms after it when forms is true. */
__attribute__((format(printf, 4, 5)))
static int refuse(struct at_ctx *ctx, const struct input *in, bool forms,
                  const char *fmt, ...)
{
    char quoted[(QUOTE_MAX + 4) * 4 + 8], reason[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    quote_input(quoted, sizeof quoted, in);
    return ctx_error(ctx, AT_EINVAL, "%s: %s%s", quoted, reason,
                     forms ? VALID_FORMS : "");
}

/* Refuses what stands at s[pos], after the date written in s[0..pos). */
static int refuse_byte(struct at_ctx *ctx, const struct input *in,
                       const char *s, size_t pos, size_t n)
{
    const unsigned char *u = (const unsigned char *)s + pos;
    size_t len = *u >= 0x80 ? utf8_char_len(u, n - pos) : 1;
    struct input before = { s, pos };
    char quoted[(QUOTE_MAX + 4) * 4 + 8];

    if (is_blank(s[pos]))
        return refuse(ctx, in, false, "white space is not allowed inside a date");
    if (pos == 0)
        return refuse(ctx, in, true, "not a date");
    quote_input(quoted, sizeof quoted, &before);   /* escaped: it may hold any byte */
    if (len > 1 || (*u > 0x20 && *u < 0x7f && *u != '"' && *u != '\\'))
        return refuse(ctx, in, true, "unexpected \"%.*s\" after %s", (int)len, s + pos, quoted);
    return refuse(ctx, in, true, "unexpected byte 0x%02x after %s", *u, quoted);
}

/* Parses one date, YYYY, YYYY-MM or YYYY-MM-DD, which is all of s[0..n). */
static int parse_point(struct at_ctx *ctx, const struct input *in,
                       const char *s, size_t n, struct point *pt)
{
    size_t k = count_digits(s, n), pos;

    *pt = (struct point){ DATE_YEAR, 0, 0, 0 };
    if (k == 0)
        return n == 0 ? refuse(ctx, in, true, "a date is missing")
                      : refuse_byte(ctx, in, s, 0, n);
    if (k != 4)
        return refuse(ctx, in, true, "the year must have four digits");
    pt->y = number(s, 4);
    if (pt->y < DATE_YEAR_MIN || pt->y > DATE_YEAR_MAX)
        return refuse(ctx, in, false, "the year must be from %d to %d",
                      DATE_YEAR_MIN, DATE_YEAR_MAX);
    if ((pos = 4) == n)
        return AT_OK;
    if (s[pos] != '-')
        return refuse_byte(ctx, in, s, pos, n);

    pos++;
    if (count_digits(s + pos, n - pos) != 2)
        return refuse(ctx, in, true, "the month must have two digits, 01 to 12");
    pt->m = number(s + pos, 2);
    if (pt->m < 1 || pt->m > 12)
        return refuse(ctx, in, false, "the month must be 01 to 12");
    pt->prec = DATE_MONTH;
    if ((pos += 2) == n)
        return AT_OK;
    if (s[pos] != '-')
        return refuse_byte(ctx, in, s, pos, n);

    pos++;
    if (count_digits(s + pos, n - pos) != 2)
        return refuse(ctx, in, true, "the day must have two digits, 01 to 31");
    pt->d = number(s + pos, 2);
    if (pt->d < 1)
        return refuse(ctx, in, false, "the day must be 01 to 31");
    if (pt->d > days_in_month(pt->y, pt->m))
        return refuse(ctx, in, false, "%s %d has %d days", month_names[pt->m - 1],
                      pt->y, days_in_month(pt->y, pt->m));
    pt->prec = DATE_DAY;
    if ((pos += 2) == n)
        return AT_OK;
    return refuse_byte(ctx, in, s, pos, n);
}

static int32_t point_lo(const struct point *pt)
{
    return ymd(pt->y, pt->m ? pt->m : 1, pt->d ? pt->d : 1);
}

static int32_t point_hi(const struct point *pt)
{
    int m = pt->m ? pt->m : 12;

    return ymd(pt->y, m, pt->d ? pt->d : days_in_month(pt->y, m));
}

static bool point_equal(const struct point *a, const struct point *b)
{
    return a->prec == b->prec && a->y == b->y && a->m == b->m && a->d == b->d;
}

/* The interval of pt, widened on each side when approx. */
static void point_interval(const struct point *pt, bool approx,
                           int32_t *lo, int32_t *hi)
{
    int y1 = pt->y, m1 = pt->m, d1 = pt->d, y2 = pt->y, m2 = pt->m, d2 = pt->d;

    if (!approx) {
        *lo = point_lo(pt);
        *hi = point_hi(pt);
        return;
    }
    switch (pt->prec) {
    case DATE_DAY:
        add_days(&y1, &m1, &d1, -DATE_APPROX_DAYS);
        add_days(&y2, &m2, &d2, DATE_APPROX_DAYS);
        *lo = ymd(y1, m1, d1);
        *hi = ymd(y2, m2, d2);
        break;
    case DATE_MONTH:
        add_months(&y1, &m1, -DATE_APPROX_MONTHS);
        add_months(&y2, &m2, DATE_APPROX_MONTHS);
        *lo = ymd(y1, m1, 1);
        *hi = ymd(y2, m2, days_in_month(y2, m2));
        break;
    default:
        *lo = ymd(pt->y - DATE_APPROX_YEARS, 1, 1);
        *hi = ymd(pt->y + DATE_APPROX_YEARS, 12, 31);
        break;
    }
}

static void set_unknown(struct fuzzy_date *d)
{
    *d = (struct fuzzy_date){ .precision = DATE_UNKNOWN, .end_precision = DATE_UNKNOWN,
                              .lo = DATE_UNKNOWN_LO, .hi = DATE_UNKNOWN_HI };
}

static int parse_range(struct at_ctx *ctx, const struct input *in,
                       const char *slash, struct fuzzy_date *out)
{
    const char *a = in->s, *b = slash + 1;
    size_t an = (size_t)(slash - a), bn = in->n - an - 1;
    struct point start, end;
    int rc;

    if (memchr(b, '/', bn) != NULL)
        return refuse(ctx, in, false, "a range has one \"/\", as in 1996/1998");
    if (an == 0 || bn == 0)
        return refuse(ctx, in, false,
                      "a range needs a start and an end, as in 1996/1998");
    if (a[0] == '~' || b[0] == '~')
        return refuse(ctx, in, false, "a range cannot be approximate; "
                      "give the widest range instead, as in 1995/1999");
    if (same_text(a, an, UNKNOWN_WORD) || same_text(b, bn, UNKNOWN_WORD))
        return refuse(ctx, in, false, "both ends of a range must be dates");
    if ((rc = parse_point(ctx, in, a, an, &start)) != AT_OK ||
        (rc = parse_point(ctx, in, b, bn, &end)) != AT_OK)
        return rc;
    if (point_lo(&start) > point_hi(&end))
        return refuse(ctx, in, false, "the range starts (%.*s) after it ends (%.*s)",
                      (int)an, a, (int)bn, b);

    *out = (struct fuzzy_date){ .precision = start.prec, .end_precision = end.prec,
                                .range = true, .lo = point_lo(&start), .hi = point_hi(&end) };
    if (point_equal(&start, &end))
        out->range = false;
    return AT_OK;
}

/* ---- dates in words ---- */

/* parse_words found no date in words there: the digits grammar decides. */
#define NOT_WORDS 1

/* A year of two digits ("97년") is 1930 to 2029. */
#define SHORT_YEAR_PIVOT 30

/* The seasons, in the order of EDTF's codes 21 to 24, are the northern
 * hemisphere's meteorological ones, Korea's: winter runs from December of
 * its year to the end of February of the next. */
static const struct {
    const char *en, *en_also, *ko;
    int first_month;
} seasons[4] = {
    { "spring", NULL, "봄", 3 },
    { "summer", NULL, "여름", 6 },
    { "autumn", "fall", "가을", 9 },
    { "winter", NULL, "겨울", 12 },
};

/* Parts of a decade, as years from..to of it: a witness's "mid-1990s"
 * overlaps the early and the late part by a year. */
static const struct {
    const char *en, *ko, *ko_also;
    int from, to;
} decade_parts[4] = {
    { NULL, NULL, NULL, 0, 9 },
    { "early", "초반", "초", 0, 3 },
    { "mid", "중반", NULL, 3, 6 },
    { "late", "후반", "말", 6, 9 },
};

/* Periods that people date their lives by.  Korean names are matched with
 * spaces left out, after any of period_suffixes ("고난의 행군 때"). */
static const struct {
    const char *en, *ko;
    const char *ko_also; /* |-separated, without spaces */
    int32_t lo, hi;
} periods[] = {
    { "the Arduous March", "고난의 행군", "고난의행군", 19940101, 19981231 },
    { "the Korean War", "한국전쟁", "한국전쟁|조국해방전쟁|6.25전쟁|6·25전쟁|6.25|6·25",
      19500625, 19530727 },
};
static const char *const period_suffixes[] = { "때", "시기", "기간", "당시", "중" };

/* A cursor over the input for the grammar in words. */
struct scan {
    const struct input *in;
    size_t pos;
};

static void skip_blanks(struct scan *sc)
{
    while (sc->pos < sc->in->n && is_blank(sc->in->s[sc->pos]))
        sc->pos++;
}

static bool at_end(const struct scan *sc)
{
    return sc->pos == sc->in->n;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Takes word at the cursor (ASCII letters in any case) when it is there. */
static bool eat(struct scan *sc, const char *word)
{
    size_t n = strlen(word);

    if (sc->in->n - sc->pos < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(sc->in->s[sc->pos + i]) != lower(word[i]))
            return false;
    sc->pos += n;
    return true;
}

/* Takes the digits at the cursor; their number, their value in *v. */
static size_t eat_digits(struct scan *sc, int *v)
{
    size_t k = count_digits(sc->in->s + sc->pos, sc->in->n - sc->pos);

    *v = k <= 4 ? number(sc->in->s + sc->pos, k) : 0;
    sc->pos += k;
    return k;
}

/* Refuses what is left at the cursor, when something is. */
static int expect_end(struct at_ctx *ctx, struct scan *sc)
{
    skip_blanks(sc);
    return at_end(sc) ? AT_OK : refuse_byte(ctx, sc->in, sc->in->s, sc->pos, sc->in->n);
}

static int check_year(struct at_ctx *ctx, const struct input *in, int y)
{
    if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
        return refuse(ctx, in, false, "the year must be from %d to %d", DATE_YEAR_MIN,
                      DATE_YEAR_MAX);
    return AT_OK;
}

static void set_season(struct fuzzy_date *out, int y, int season)
{
    int m1 = seasons[season].first_month, y2 = y, m2 = m1 + 2;

    if (m2 > 12) {
        m2 -= 12;
        y2++;
    }
    *out = (struct fuzzy_date){ .precision = DATE_SEASON, .end_precision = DATE_SEASON,
                                .lo = ymd(y, m1, 1), .hi = ymd(y2, m2, days_in_month(y2, m2)),
                                .part = season + 1 };
}

static int set_decade(struct at_ctx *ctx, const struct input *in, int y, int part,
                      struct fuzzy_date *out)
{
    if (y % 10 != 0)
        return refuse(ctx, in, false, "a decade is named by its first year, as in 1990s "
                      "or 1990년대");
    *out = (struct fuzzy_date){ .precision = DATE_DECADE, .end_precision = DATE_DECADE,
                                .lo = ymd(y + decade_parts[part].from, 1, 1),
                                .hi = ymd(y + decade_parts[part].to, 12, 31), .part = part };
    return AT_OK;
}

static void set_period(struct fuzzy_date *out, size_t i)
{
    *out = (struct fuzzy_date){ .precision = DATE_PERIOD, .end_precision = DATE_PERIOD,
                                .lo = periods[i].lo, .hi = periods[i].hi, .part = (int)i + 1 };
}

/* English: "summer 1997", "1990s", "early 1990s", "mid-1990s", "late
 * 1990s", "the Arduous March"; words in any case. */
static int parse_english(struct at_ctx *ctx, const struct input *in, struct fuzzy_date *out)
{
    struct scan sc = { in, 0 };
    int y, part = 0;
    size_t k;

    for (size_t i = 0; i < ARRAY_LEN(periods); i++) {
        const char *name = periods[i].en + strlen("the "); /* "the" is optional */
        sc.pos = 0;
        eat(&sc, "the ");
        if (eat(&sc, name) && at_end(&sc)) {
            set_period(out, i);
            out->words = DATE_ENGLISH;
            return AT_OK;
        }
    }
    sc.pos = 0;
    for (int i = 0; i < 4; i++) {
        if (!eat(&sc, seasons[i].en) && !(seasons[i].en_also && eat(&sc, seasons[i].en_also)))
            continue;
        if (at_end(&sc) || !is_blank(in->s[sc.pos]))
            return NOT_WORDS;
        skip_blanks(&sc);
        if ((k = eat_digits(&sc, &y)) != 4)
            return refuse(ctx, in, true, "the year of a season must have four digits");
        int rc = check_year(ctx, in, y);
        if (rc != AT_OK || (rc = expect_end(ctx, &sc)) != AT_OK)
            return rc;
        set_season(out, y, i);
        out->words = DATE_ENGLISH;
        return AT_OK;
    }
    for (int i = 1; i < 4; i++) {
        if (eat(&sc, decade_parts[i].en)) {
            if (at_end(&sc) || (!is_blank(in->s[sc.pos]) && in->s[sc.pos] != '-'))
                return NOT_WORDS;
            sc.pos++;
            skip_blanks(&sc);
            part = i;
            break;
        }
    }
    k = eat_digits(&sc, &y);
    if (k == 0 || at_end(&sc) || (in->s[sc.pos] != 's' && in->s[sc.pos] != '\'')) {
        if (part)
            return refuse(ctx, in, true, "a part of a decade is written as in early 1990s");
        return NOT_WORDS;
    }
    if (k != 4)
        return refuse(ctx, in, true, "a decade has four digits, as in 1990s");
    sc.pos += in->s[sc.pos] == '\'';
    if (!eat(&sc, "s"))
        return refuse_byte(ctx, in, in->s, sc.pos, in->n);
    int rc = check_year(ctx, in, y);
    if (rc != AT_OK || (rc = expect_end(ctx, &sc)) != AT_OK ||
        (rc = set_decade(ctx, in, y, part, out)) != AT_OK)
        return rc;
    out->words = DATE_ENGLISH;
    return AT_OK;
}

/* The Korean name of a period, spaces left out, with or without one of
 * period_suffixes: its index, or -1. */
static int korean_period(const struct input *in)
{
    char compact[128];
    size_t n = 0;

    for (size_t i = 0; i < in->n; i++) {
        if (is_blank(in->s[i]))
            continue;
        if (n + 1 >= sizeof compact)
            return -1;
        compact[n++] = in->s[i];
    }
    compact[n] = '\0';
    for (size_t k = 0; k < ARRAY_LEN(period_suffixes); k++) {
        size_t m = strlen(period_suffixes[k]);
        if (n > m && strcmp(compact + n - m, period_suffixes[k]) == 0) {
            compact[n - m] = '\0';
            break;
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(periods); i++)
        for (const char *s = periods[i].ko_also; *s;) {
            size_t m = strcspn(s, "|");
            if (m == strlen(compact) && memcmp(s, compact, m) == 0)
                return (int)i;
            s += m + (s[m] == '|');
        }
    return -1;
}

/* Korean: "1997년", "97년", "1997년 3월", "1997년 3월 12일", each with
 * "경" for about; "1997년 여름"; "1990년대", "90년대 중반"; "고난의 행군 때".
 * Spaces between the parts are optional. */
static int parse_korean(struct at_ctx *ctx, const struct input *in, struct fuzzy_date *out)
{
    struct scan sc = { in, 0 };
    struct point pt = { DATE_YEAR, 0, 0, 0 };
    int period = korean_period(in), rc;
    bool short_year;
    size_t k;

    if (period >= 0) {
        set_period(out, (size_t)period);
        out->words = DATE_KOREAN;
        return AT_OK;
    }
    k = eat_digits(&sc, &pt.y);
    skip_blanks(&sc);
    if (k == 0 || !eat(&sc, "년"))
        return NOT_WORDS;
    if (k != 2 && k != 4)
        return refuse(ctx, in, true, "a year has four digits, or two as in 97년");
    short_year = k == 2;
    if (short_year)
        pt.y += pt.y >= SHORT_YEAR_PIVOT ? 1900 : 2000;
    else if ((rc = check_year(ctx, in, pt.y)) != AT_OK)
        return rc;
    if (eat(&sc, "대")) {
        int part = 0;
        skip_blanks(&sc);
        for (int i = 1; i < 4 && part == 0; i++)
            if (eat(&sc, decade_parts[i].ko) || (decade_parts[i].ko_also
                                                 && eat(&sc, decade_parts[i].ko_also)))
                part = i;
        if ((rc = expect_end(ctx, &sc)) != AT_OK ||
            (rc = set_decade(ctx, in, pt.y, part, out)) != AT_OK)
            return rc;
        out->words = DATE_KOREAN;
        out->short_year = short_year;
        return AT_OK;
    }
    skip_blanks(&sc);
    for (int i = 0; i < 4; i++) {
        if (!eat(&sc, seasons[i].ko))
            continue;
        if ((rc = expect_end(ctx, &sc)) != AT_OK)
            return rc;
        set_season(out, pt.y, i);
        out->words = DATE_KOREAN;
        out->short_year = short_year;
        return AT_OK;
    }
    if (!at_end(&sc) && is_digit(in->s[sc.pos])) {
        if ((k = eat_digits(&sc, &pt.m)) > 2 || (skip_blanks(&sc), !eat(&sc, "월")))
            return refuse(ctx, in, true, "a month is written 1월 to 12월, as in 1997년 3월");
        if (pt.m < 1 || pt.m > 12)
            return refuse(ctx, in, false, "the month must be 1월 to 12월");
        pt.prec = DATE_MONTH;
        skip_blanks(&sc);
        if (!at_end(&sc) && is_digit(in->s[sc.pos])) {
            if ((k = eat_digits(&sc, &pt.d)) > 2 || (skip_blanks(&sc), !eat(&sc, "일")))
                return refuse(ctx, in, true, "a day is written 1일 to 31일, "
                              "as in 1997년 3월 12일");
            if (pt.d < 1 || pt.d > days_in_month(pt.y, pt.m))
                return refuse(ctx, in, false, "%s %d has %d days", month_names[pt.m - 1], pt.y,
                              days_in_month(pt.y, pt.m));
            pt.prec = DATE_DAY;
        }
    }
    skip_blanks(&sc);
    bool approx = eat(&sc, "경");
    if ((rc = expect_end(ctx, &sc)) != AT_OK)
        return rc;
    *out = (struct fuzzy_date){ .precision = pt.prec, .end_precision = pt.prec,
                                .approx = approx, .words = DATE_KOREAN,
                                .short_year = short_year };
    point_interval(&pt, approx, &out->lo, &out->hi);
    return AT_OK;
}

/* Dates in words: Korean when the text holds a byte past ASCII, English
 * when it holds a letter.  NOT_WORDS when it is no such form, so that the
 * grammar in digits gives its own answer. */
static int parse_words(struct at_ctx *ctx, const struct input *in, struct fuzzy_date *out)
{
    bool korean = false, letters = false;

    for (size_t i = 0; i < in->n; i++) {
        unsigned char c = (unsigned char)in->s[i];
        korean |= c >= 0x80;
        letters |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    if (korean)
        return parse_korean(ctx, in, out);
    if (letters)
        return parse_english(ctx, in, out);
    return NOT_WORDS;
}

int date_parse(struct at_ctx *ctx, const char *text, struct fuzzy_date *out)
{
    struct input in = { text, strlen(text) };
    struct fuzzy_date words;
    const char *slash;
    struct point pt;
    bool approx = false;
    int rc;

    while (in.n > 0 && is_blank(in.s[0])) {
        in.s++;
        in.n--;
    }
    while (in.n > 0 && is_blank(in.s[in.n - 1]))
        in.n--;

    if (in.n == 0)
        return refuse(ctx, &in, false,
                      "a date is missing; write \"unknown\" if no one knows it");
    if (same_text(in.s, in.n, UNKNOWN_WORD)) {
        set_unknown(out);
        return AT_OK;
    }
    if ((rc = parse_words(ctx, &in, &words)) != NOT_WORDS) {
        if (rc == AT_OK)
            *out = words;
        return rc;
    }
    if ((slash = memchr(in.s, '/', in.n)) != NULL)
        return parse_range(ctx, &in, slash, out);

    const char *s = in.s;
    size_t n = in.n;
    if (s[0] == '~') {
        approx = true;
        s++;
        n--;
        if (same_text(s, n, UNKNOWN_WORD))
            return refuse(ctx, &in, false, "\"unknown\" cannot be approximate");
    }
    if ((rc = parse_point(ctx, &in, s, n, &pt)) != AT_OK)
        return rc;
    *out = (struct fuzzy_date){ .precision = pt.prec, .end_precision = pt.prec,
                                .approx = approx };
    point_interval(&pt, approx, &out->lo, &out->hi);
    return AT_OK;
}

/* Appends the day v (yyyymmdd) written to precision p. */
static void put_day(struct buf *out, int32_t v, enum date_precision p)
{
    int y = (int)(v / 10000), m = (int)(v / 100 % 100), d = (int)(v % 100);

    if (p == DATE_YEAR)
        buf_printf(out, "%04d", y);
    else if (p == DATE_MONTH)
        buf_printf(out, "%04d-%02d", y, m);
    else
        buf_printf(out, "%04d-%02d-%02d", y, m, d);
}

/* The date that an approximate d was written as: its lo, widened back. */
static int32_t approx_centre(const struct fuzzy_date *d)
{
    int y = (int)(d->lo / 10000), m = (int)(d->lo / 100 % 100), day = (int)(d->lo % 100);

    switch (d->precision) {
    case DATE_DAY:
        add_days(&y, &m, &day, DATE_APPROX_DAYS);
        return ymd(y, m, day);
    case DATE_MONTH:
        add_months(&y, &m, DATE_APPROX_MONTHS);
        return ymd(y, m, 1);
    default:
        return ymd(y + DATE_APPROX_YEARS, 1, 1);
    }
}

/* The year of a Korean date: "1997" or, as written, "97". */
static void put_korean_year(struct buf *out, const struct fuzzy_date *d, int y)
{
    buf_printf(out, d->short_year ? "%02d" : "%04d", d->short_year ? y % 100 : y);
}

/* A year, month or day written in Korean: "1997년 3월 12일", "97년경". */
static void put_korean_day(struct buf *out, const struct fuzzy_date *d)
{
    int32_t v = d->approx ? approx_centre(d) : d->lo;

    put_korean_year(out, d, (int)(v / 10000));
    buf_puts(out, "년");
    if (d->precision != DATE_YEAR)
        buf_printf(out, " %d월", (int)(v / 100 % 100));
    if (d->precision == DATE_DAY)
        buf_printf(out, " %d일", (int)(v % 100));
    if (d->approx)
        buf_puts(out, "경");
}

void date_format(const struct fuzzy_date *d, struct buf *out)
{
    int y = (int)(d->lo / 10000), decade = y / 10 * 10;
    bool ko = d->words == DATE_KOREAN;

    if (d->precision == DATE_UNKNOWN) {
        buf_puts(out, UNKNOWN_WORD);
    } else if (d->precision == DATE_SEASON) {
        if (ko) {
            put_korean_year(out, d, y);
            buf_printf(out, "년 %s", seasons[d->part - 1].ko);
        } else {
            buf_printf(out, "%s %04d", seasons[d->part - 1].en, y);
        }
    } else if (d->precision == DATE_DECADE) {
        if (ko) {
            put_korean_year(out, d, decade);
            buf_printf(out, "년대%s%s", d->part ? " " : "", d->part ? decade_parts[d->part].ko : "");
        } else {
            buf_printf(out, "%s%s%04ds", d->part ? decade_parts[d->part].en : "",
                       d->part == 0 ? "" : d->part == 2 ? "-" : " ", decade);
        }
    } else if (d->precision == DATE_PERIOD) {
        if (ko)
            buf_printf(out, "%s 때", periods[d->part - 1].ko);
        else
            buf_puts(out, periods[d->part - 1].en);
    } else if (ko) {
        put_korean_day(out, d);
    } else if (d->range) {
        put_day(out, d->lo, d->precision);
        buf_putc(out, '/');
        put_day(out, d->hi, d->end_precision);
    } else if (d->approx) {
        buf_putc(out, '~');
        put_day(out, approx_centre(d), d->precision);
    } else {
        put_day(out, d->lo, d->precision);
    }
}

/* The days lo..hi as an EDTF interval, each end as precise as it needs. */
static void put_interval(struct buf *out, int32_t lo, int32_t hi)
{
    bool years = lo % 10000 == 101 && hi % 10000 == 1231;

    put_day(out, lo, years ? DATE_YEAR : DATE_DAY);
    buf_putc(out, '/');
    put_day(out, hi, years ? DATE_YEAR : DATE_DAY);
}

void date_edtf(const struct fuzzy_date *d, struct buf *out)
{
    switch (d->precision) {
    case DATE_UNKNOWN:
        buf_puts(out, "XXXX");
        break;
    case DATE_SEASON:
        buf_printf(out, "%04d-%d", (int)(d->lo / 10000), 20 + d->part);
        break;
    case DATE_DECADE:
        if (d->part == 0)
            buf_printf(out, "%03dX", (int)(d->lo / 100000));
        else
            put_interval(out, d->lo, d->hi);
        break;
    case DATE_PERIOD:
        put_interval(out, d->lo, d->hi);
        break;
    default:
        if (d->range) {
            put_day(out, d->lo, d->precision);
            buf_putc(out, '/');
            put_day(out, d->hi, d->end_precision);
        } else if (d->approx) {
            put_day(out, approx_centre(d), d->precision);
            buf_putc(out, '~');
        } else {
            put_day(out, d->lo, d->precision);
        }
    }
}

const char *date_precision_name(enum date_precision p)
{
    switch (p) {
    case DATE_YEAR:
        return "year";
    case DATE_MONTH:
        return "month";
    case DATE_DAY:
        return "day";
    case DATE_SEASON:
        return "season";
    case DATE_DECADE:
        return "decade";
    case DATE_PERIOD:
        return "period";
    default:
        return "unknown";
    }
}

bool date_equal(const struct fuzzy_date *a, const struct fuzzy_date *b)
{
    return date_compare(a, b) == 0;
}

static int cmp_int(long a, long b)
{
    return (a > b) - (a < b);
}

int date_compare(const struct fuzzy_date *a, const struct fuzzy_date *b)
{
    int c;

    if ((c = cmp_int(a->lo, b->lo)) != 0 || (c = cmp_int(a->hi, b->hi)) != 0 ||
        (c = cmp_int(a->range, b->range)) != 0 ||
        (c = cmp_int(a->approx, b->approx)) != 0 ||
        (c = cmp_int(a->precision, b->precision)) != 0 ||
        (c = cmp_int(a->end_precision, b->end_precision)) != 0 ||
        (c = cmp_int(a->words, b->words)) != 0 || (c = cmp_int(a->short_year, b->short_year)) != 0)
        return c;
    return cmp_int(a->part, b->part);
}

bool date_overlaps_days(const struct fuzzy_date *d, int32_t lo, int32_t hi)
{
    return d->lo <= hi && lo <= d->hi;
}

bool date_overlaps(const struct fuzzy_date *a, const struct fuzzy_date *b)
{
    return date_overlaps_days(a, b->lo, b->hi);
}

int date_parse_bound(struct at_ctx *ctx, const char *text, enum date_bound which,
                     int32_t *day)
{
    struct fuzzy_date d;
    int rc;

    if ((rc = date_parse(ctx, text, &d)) != AT_OK)
        return rc;
    if (d.precision == DATE_UNKNOWN)
        return ctx_error(ctx, AT_EINVAL, "\"unknown\" cannot bound a date filter; "
                         "give a year, month or day");
    *day = which == DATE_FROM ? d.lo : d.hi;
    return AT_OK;
}
