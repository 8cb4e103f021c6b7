/*
 * date.c: parsing, printing and comparing fuzzy dates.
 *
 * The grammar is small and strict: YYYY, YYYY-MM or YYYY-MM-DD, each
 * optionally after "~", or two of them joined by "/", or the word
 * "unknown".  Only white space around the whole text is forgiven.  Every
 * refusal quotes what was given and names the part that is wrong.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

#define VALID_FORMS \
    "; valid forms: 1997, 1997-03, 1997-03-12, ~1997, 1996/1998, unknown"
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

    if (is_blank(s[pos]))
        return refuse(ctx, in, false, "white space is not allowed inside a date");
    if (pos == 0)
        return refuse(ctx, in, true, "not a date");
    if (len > 1 || (*u > 0x20 && *u < 0x7f && *u != '"' && *u != '\\'))
        return refuse(ctx, in, true, "unexpected \"%.*s\" after \"%.*s\"",
                      (int)len, s + pos, (int)pos, s);
    return refuse(ctx, in, true, "unexpected byte 0x%02x after \"%.*s\"",
                  *u, (int)pos, s);
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
    *d = (struct fuzzy_date){ DATE_UNKNOWN, DATE_UNKNOWN, false, false,
                              DATE_UNKNOWN_LO, DATE_UNKNOWN_HI };
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

    *out = (struct fuzzy_date){ start.prec, end.prec, false, true,
                                point_lo(&start), point_hi(&end) };
    if (point_equal(&start, &end))
        out->range = false;
    return AT_OK;
}

int date_parse(struct at_ctx *ctx, const char *text, struct fuzzy_date *out)
{
    struct input in = { text, strlen(text) };
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
    *out = (struct fuzzy_date){ pt.prec, pt.prec, approx, false, 0, 0 };
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

void date_format(const struct fuzzy_date *d, struct buf *out)
{
    if (d->precision == DATE_UNKNOWN) {
        buf_puts(out, UNKNOWN_WORD);
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

const char *date_precision_name(enum date_precision p)
{
    switch (p) {
    case DATE_YEAR:
        return "year";
    case DATE_MONTH:
        return "month";
    case DATE_DAY:
        return "day";
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
        (c = cmp_int(a->precision, b->precision)) != 0)
        return c;
    return cmp_int(a->end_precision, b->end_precision);
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
