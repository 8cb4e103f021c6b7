/*
 * date.h: fuzzy dates, as witnesses give them.
 *
 * A witness may know the day, only the month or the year, roughly when
 * ("~1997"), a span ("1996/1998"), a season ("summer 1997", "1997년
 * 여름"), a part of a decade ("early 1990s", "1990년대 중반"), a period
 * everyone lived through ("고난의 행군 때", the Arduous March), or nothing
 * at all ("unknown").  Each form is kept with its precision and the words
 * it was written in, so that it prints back as it was written, and as an
 * inclusive interval of days, so that dates of any precision can be
 * compared, sorted and filtered together.  Days are yyyymmdd integers
 * (19970312), which order like the dates they stand for.  Where a standard
 * form is needed, date_edtf writes EDTF (ISO 8601-2).
 * docs/formats-dates.md describes the forms and the errors.
 */
#ifndef DATE_H
#define DATE_H

#include "attest.h"

/* Years a date may name.  Approximate dates widen past these by a year. */
#define DATE_YEAR_MIN 1000
#define DATE_YEAR_MAX 2999

/* The interval of the unknown date: it overlaps every other date. */
#define DATE_UNKNOWN_LO 0
#define DATE_UNKNOWN_HI 99991231

/* How far an approximate date ("~...") reaches on each side. */
#define DATE_APPROX_YEARS 1
#define DATE_APPROX_MONTHS 1
#define DATE_APPROX_DAYS 7

enum date_precision {
    DATE_UNKNOWN = 0,
    DATE_YEAR,
    DATE_MONTH,
    DATE_DAY,
    DATE_SEASON,  /* part: 1 spring, 2 summer, 3 autumn, 4 winter */
    DATE_DECADE,  /* part: 0 the whole decade, 1 early, 2 mid, 3 late */
    DATE_PERIOD,  /* part: which named period (the Arduous March, ...) */
};

/* The words a date was written in. */
enum date_words {
    DATE_DIGITS = 0, /* 1997, 1997-03, ~1997, 1996/1998, unknown */
    DATE_ENGLISH,    /* summer 1997, early 1990s, the Arduous March */
    DATE_KOREAN,     /* 1997년, 97년 봄, 1990년대 중반, 고난의 행군 때 */
};

/*
 * One fuzzy date.  lo and hi are the first and last day it may mean,
 * inclusive, widened for an approximate date.  A range keeps the precision
 * of each end; for a single date end_precision equals precision.  A range
 * is never approximate, and the unknown date is neither.  A range is
 * written in digits only; seasons, decades and periods are never ranges
 * nor approximate.
 */
struct fuzzy_date {
    enum date_precision precision;     /* of the date, or of a range's start */
    enum date_precision end_precision; /* of a range's end */
    bool approx;                       /* "~1997", "1997년경" */
    bool range;                        /* written as START/END */
    int32_t lo, hi;                    /* yyyymmdd, lo <= hi */
    enum date_words words;             /* how it was written */
    bool short_year;                   /* "97년": a year of two digits */
    int part;                          /* DATE_SEASON, DATE_DECADE, DATE_PERIOD */
};

/*
 * Parses text, ignoring white space around it, into *out.  Returns AT_OK,
 * or AT_EINVAL with a message that quotes the text and says what is wrong
 * (and, for text that is not a date at all, which forms are valid).  *out
 * is left alone on failure.  A range whose two ends are the same ("1997/
 * 1997") is stored as the single date.
 */
int date_parse(struct at_ctx *ctx, const char *text, struct fuzzy_date *out);

/* Appends the canonical text of d, which must be a date that date_parse
 * gave, to out.  For a date parsed from canonical text this is that text
 * again, and date_parse of the result always gives back d. */
void date_format(const struct fuzzy_date *d, struct buf *out);

/* Appends the date in EDTF (ISO 8601-2, levels 0 and 1): 1997, 1997-03,
 * 1997-03-12, 1997~ (approximate), 1996/1998, 1997-22 (summer; seasons
 * are codes 21-24), 199X (the 1990s), XXXX (unknown); a part of a decade
 * or a named period is the interval of years or days it stands for
 * ("1993/1996", "1994/1998"). */
void date_edtf(const struct fuzzy_date *d, struct buf *out);

/* "unknown", "year", "month", "day", "season", "decade" or "period". */
const char *date_precision_name(enum date_precision p);

/* True when a and b are the same date written the same way. */
bool date_equal(const struct fuzzy_date *a, const struct fuzzy_date *b);

/* Orders by lo, then hi; dates with the same interval are ordered by how
 * they were written, so that 0 means date_equal.  Unknown sorts first. */
int date_compare(const struct fuzzy_date *a, const struct fuzzy_date *b);

/* True when the two intervals share at least one day: the dates may be
 * the same day.  The unknown date overlaps everything. */
bool date_overlaps(const struct fuzzy_date *a, const struct fuzzy_date *b);

/* True when d may fall on a day from lo to hi (yyyymmdd, inclusive). */
bool date_overlaps_days(const struct fuzzy_date *d, int32_t lo, int32_t hi);

/*
 * For filters such as "--from 1995 --to 1999": parses text as date_parse
 * does and stores in *day its first day (DATE_FROM) or its last day
 * (DATE_TO), so that "--to 1999" takes in all of 1999.  "unknown" is
 * refused.  Pair the two bounds with date_overlaps_days.
 */
enum date_bound { DATE_FROM, DATE_TO };
int date_parse_bound(struct at_ctx *ctx, const char *text, enum date_bound which,
                     int32_t *day);

#endif
