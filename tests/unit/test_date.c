/* test_date.c: fuzzy dates: every form, the calendar, printing back,
 * ordering, overlap, filter bounds and the wording of refusals. */
#include "../../src/core/date.h"
#include "unit.h"

#include <stdlib.h>

/* Parses text, which must succeed, and returns the date. */
static struct fuzzy_date parsed(const char *text)
{
    struct at_ctx ctx = { 0 };
    struct fuzzy_date d = { 0 };

    if (date_parse(&ctx, text, &d) != AT_OK) {
        char m[1200];
        snprintf(m, sizeof m, "date_parse(\"%s\"): %s", text, ctx.message);
        unit_fail(__FILE__, __LINE__, m);
    }
    return d;
}

/* Parses text, which must fail, and returns the message. */
static const char *refused(const char *text)
{
    static struct at_ctx ctx;
    struct fuzzy_date d;

    ctx_clear(&ctx);
    if (date_parse(&ctx, text, &d) != AT_EINVAL || ctx.code != AT_EINVAL) {
        char m[300];
        snprintf(m, sizeof m, "date_parse(\"%s\") was accepted", text);
        unit_fail(__FILE__, __LINE__, m);
    }
    return ctx.message;
}

static char *formatted(const struct fuzzy_date *d)
{
    struct buf b = BUF_INIT;

    date_format(d, &b);
    return buf_detach(&b);
}

static bool interval_is(const char *text, int32_t lo, int32_t hi)
{
    struct fuzzy_date d = parsed(text);

    if (d.lo == lo && d.hi == hi)
        return true;
    fprintf(stderr, "    %s: [%ld, %ld]\n", text, (long)d.lo, (long)d.hi);
    return false;
}

UNIT_TEST(date_exact_forms)
{
    struct fuzzy_date d = parsed("1997");

    CHECK(d.precision == DATE_YEAR && d.end_precision == DATE_YEAR);
    CHECK(!d.approx && !d.range);
    CHECK(d.lo == 19970101 && d.hi == 19971231);

    d = parsed("1997-03");
    CHECK(d.precision == DATE_MONTH && !d.approx && !d.range);
    CHECK(d.lo == 19970301 && d.hi == 19970331);

    d = parsed("1997-03-12");
    CHECK(d.precision == DATE_DAY && !d.approx && !d.range);
    CHECK(d.lo == 19970312 && d.hi == 19970312);

    CHECK(interval_is("1997-04", 19970401, 19970430));
    CHECK(interval_is("1000-01-01", 10000101, 10000101));
    CHECK(interval_is("2999", 29990101, 29991231));
}

UNIT_TEST(date_approximate_widths)
{
    struct fuzzy_date d = parsed("~1997");

    CHECK(d.approx && !d.range && d.precision == DATE_YEAR);
    CHECK(d.lo == 19960101 && d.hi == 19981231);

    d = parsed("~1997-03");
    CHECK(d.approx && d.precision == DATE_MONTH);
    CHECK(d.lo == 19970201 && d.hi == 19970430);

    d = parsed("~1997-03-12");
    CHECK(d.approx && d.precision == DATE_DAY);
    CHECK(d.lo == 19970305 && d.hi == 19970319);

    /* Widening crosses months and years, and knows leap Februaries. */
    CHECK(interval_is("~1997-01", 19961201, 19970228));
    CHECK(interval_is("~1996-01", 19951201, 19960229));
    CHECK(interval_is("~1997-12", 19971101, 19980131));
    CHECK(interval_is("~1997-01-03", 19961227, 19970110));
    CHECK(interval_is("~2000-03-03", 20000225, 20000310));
    CHECK(interval_is("~1900-03-03", 19000224, 19000310));
    /* ... and may reach a year past the years a date may name. */
    CHECK(interval_is("~1000", 9990101, 10011231));
    CHECK(interval_is("~2999-12-31", 29991224, 30000107));
}

UNIT_TEST(date_ranges)
{
    struct fuzzy_date d = parsed("1996/1998");

    CHECK(d.range && !d.approx);
    CHECK(d.precision == DATE_YEAR && d.end_precision == DATE_YEAR);
    CHECK(d.lo == 19960101 && d.hi == 19981231);

    d = parsed("1997-03/1997-05");
    CHECK(d.range && d.precision == DATE_MONTH && d.end_precision == DATE_MONTH);
    CHECK(d.lo == 19970301 && d.hi == 19970531);

    d = parsed("1997-03-12/1997-04");
    CHECK(d.range && d.precision == DATE_DAY && d.end_precision == DATE_MONTH);
    CHECK(d.lo == 19970312 && d.hi == 19970430);

    /* An end may lie inside the start, so long as the start is not after it. */
    CHECK(interval_is("1997-03-12/1997-03", 19970312, 19970331));
    CHECK(interval_is("1997/1997-02-01", 19970101, 19970201));

    /* Two equal ends make the single date. */
    d = parsed("1997-03/1997-03");
    CHECK(!d.range && d.precision == DATE_MONTH);
    CHECK(date_equal(&d, &(struct fuzzy_date){ .precision = DATE_MONTH,
                                               .end_precision = DATE_MONTH,
                                               .lo = 19970301, .hi = 19970331 }));
}

UNIT_TEST(date_unknown_and_blanks)
{
    struct fuzzy_date d = parsed("unknown");

    CHECK(d.precision == DATE_UNKNOWN && !d.approx && !d.range);
    CHECK(d.lo == DATE_UNKNOWN_LO && d.hi == DATE_UNKNOWN_HI);
    CHECK_STR(date_precision_name(d.precision), "unknown");

    d = parsed("  \t1997-03-12\r\n");
    CHECK(d.precision == DATE_DAY && d.lo == 19970312);
    d = parsed(" unknown ");
    CHECK(d.precision == DATE_UNKNOWN);

    CHECK_STR(refused(""), "\"\": a date is missing; write \"unknown\" if no one knows it");
    CHECK_STR(refused("  \n"), "\"\": a date is missing; write \"unknown\" if no one knows it");
    CHECK(strstr(refused("Unknown"), "not a date; valid forms:") != NULL);
    CHECK_STR(refused("~unknown"), "\"~unknown\": \"unknown\" cannot be approximate");
}

UNIT_TEST(date_leap_years)
{
    CHECK(interval_is("2000-02-29", 20000229, 20000229));
    CHECK(interval_is("1996-02-29", 19960229, 19960229));
    CHECK(interval_is("2000-02", 20000201, 20000229));
    CHECK(interval_is("1900-02", 19000201, 19000228));
    CHECK_STR(refused("1900-02-29"), "\"1900-02-29\": February 1900 has 28 days");
    CHECK_STR(refused("1997-02-29"), "\"1997-02-29\": February 1997 has 28 days");
    CHECK_STR(refused("1996-02-30"), "\"1996-02-30\": February 1996 has 29 days");
    CHECK_STR(refused("1997-04-31"), "\"1997-04-31\": April 1997 has 30 days");
    CHECK(interval_is("1997-12-31", 19971231, 19971231));
}

UNIT_TEST(date_refusals_name_the_problem)
{
    CHECK_STR(refused("1997-13"), "\"1997-13\": the month must be 01 to 12");
    CHECK_STR(refused("1997-00"), "\"1997-00\": the month must be 01 to 12");
    CHECK_STR(refused("1997-03-00"), "\"1997-03-00\": the day must be 01 to 31");
    CHECK_STR(refused("0000"), "\"0000\": the year must be from 1000 to 2999");
    CHECK_STR(refused("3000"), "\"3000\": the year must be from 1000 to 2999");
    CHECK_STR(refused("97"), "\"97\": the year must have four digits; valid forms: "
              "1997, 1997-03, 1997-03-12, ~1997, 1996/1998, summer 1997, early 1990s, "
              "the Arduous March, 1997년, 1997년 3월, 1997년경, 97년 봄, 1990년대 중반, "
              "고난의 행군 때, unknown");
    CHECK(strstr(refused("19970312"), "the year must have four digits") != NULL);
    CHECK(strstr(refused("1997-3"), "the month must have two digits") != NULL);
    CHECK(strstr(refused("1997-"), "the month must have two digits") != NULL);
    CHECK(strstr(refused("1997-03-5"), "the day must have two digits") != NULL);
    CHECK(strstr(refused("1997-03-12T10:00"),
                 ": unexpected \"T\" after \"1997-03-12\"; valid forms:") != NULL);
    CHECK(strstr(refused("1997.03"), "unexpected \".\" after \"1997\"") != NULL);
    CHECK_STR(refused("1997 - 03"), "\"1997 - 03\": white space is not allowed inside a date");
    CHECK(strstr(refused("circa 1997"), "\"circa 1997\": not a date; valid forms:") != NULL);
    CHECK(strstr(refused("~"), "\"~\": a date is missing") != NULL);
    CHECK(strstr(refused("~~1997"), "not a date") != NULL);
    CHECK(strstr(refused("1997\x01"), "\"1997\\x01\": unexpected byte 0x01") != NULL);
}

UNIT_TEST(date_range_refusals)
{
    CHECK_STR(refused("1998/1996"),
              "\"1998/1996\": the range starts (1998) after it ends (1996)");
    CHECK(strstr(refused("1997-05/1997-03-31"), "the range starts (1997-05) after") != NULL);
    CHECK_STR(refused("~1996/1998"), "\"~1996/1998\": a range cannot be approximate; "
              "give the widest range instead, as in 1995/1999");
    CHECK(strstr(refused("1996/~1998"), "cannot be approximate") != NULL);
    CHECK(strstr(refused("1996/"), "a range needs a start and an end") != NULL);
    CHECK(strstr(refused("/1998"), "a range needs a start and an end") != NULL);
    CHECK(strstr(refused("1996/1997/1998"), "a range has one \"/\"") != NULL);
    CHECK(strstr(refused("unknown/1998"), "both ends of a range must be dates") != NULL);
    CHECK(strstr(refused("1996 / 1998"), "white space is not allowed") != NULL);
    CHECK_STR(refused("1996/1998-02-30"), "\"1996/1998-02-30\": February 1998 has 28 days");
}

UNIT_TEST(date_long_input_is_quoted_short)
{
    char text[200];

    memset(text, '7', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    const char *m = refused(text);
    CHECK(strncmp(m, "\"7777777777", 11) == 0);
    CHECK(strstr(m, "...\": the year must have four digits") != NULL);
    CHECK(strstr(m, "...\":") != NULL && strstr(m, "...\":") - m < 50);
}

UNIT_TEST(date_messages_stay_utf8)
{
    char text[64] = "";

    CHECK(strstr(refused("1997년년"), "\"1997년년\": unexpected \"년\" after \"1997년\"") != NULL);
    CHECK(strstr(refused("\xff" "1997"), "\"\\xff1997\": not a date") != NULL);
    CHECK(strstr(refused("1997\xc3"), "\"1997\\xc3\": unexpected byte 0xc3") != NULL);
    /* An encoded surrogate is not UTF-8. */
    CHECK(strstr(refused("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"") != NULL);
    /* A long text is cut between characters, never inside one. */
    for (int i = 0; i < 20; i++)
        strcat(text, "년");
    const char *m = refused(text);
    CHECK(strncmp(m, "\"년년년년년년년년년년년년년년...\": not a date", 50) == 0);
}

UNIT_TEST(date_format_round_trips)
{
    static const char *const canonical[] = {
        "1997", "1997-03", "1997-03-12", "~1997", "~1997-03", "~1997-03-12",
        "~1997-01", "~1997-12", "~1997-01-02", "~1997-12-30", "~2000-02-29",
        "~1000", "~2999", "~2999-12-31", "~1000-01-01", "1996/1998",
        "1997-03/1997-05", "1997-03-12/1997-04", "1997-03-12/1997-03",
        "1997/1997-02-01", "1000-01-01/2999-12-31", "unknown",
    };

    for (size_t i = 0; i < ARRAY_LEN(canonical); i++) {
        struct fuzzy_date d = parsed(canonical[i]), again = { 0 };
        char *s = formatted(&d);
        struct at_ctx ctx = { 0 };

        CHECK_STR(s, canonical[i]);
        CHECK(date_parse(&ctx, s, &again) == AT_OK);
        CHECK(date_equal(&d, &again));
        free(s);
    }

    /* Text that is not canonical prints in canonical form. */
    struct fuzzy_date d = parsed(" 1997/1997 ");
    char *s = formatted(&d);
    CHECK_STR(s, "1997");
    free(s);
}

UNIT_TEST(date_compare_orders_by_interval)
{
    static const char *const sorted[] = {
        "unknown", "~1996", "1996/1998", "1997", "1997-01/1997-12",
        "~1997-03", "1997-03", "1997-03/1997-05", "~1997-03-12",
        "1997-03-12", "1997-03-12/1997-04", "1998",
    };

    for (size_t i = 0; i < ARRAY_LEN(sorted); i++) {
        struct fuzzy_date a = parsed(sorted[i]);

        CHECK(date_compare(&a, &a) == 0 && date_equal(&a, &a));
        for (size_t j = i + 1; j < ARRAY_LEN(sorted); j++) {
            struct fuzzy_date b = parsed(sorted[j]);

            if (date_compare(&a, &b) >= 0 || date_compare(&b, &a) <= 0)
                fprintf(stderr, "    %s vs %s\n", sorted[i], sorted[j]);
            CHECK(date_compare(&a, &b) < 0 && date_compare(&b, &a) > 0);
            CHECK(!date_equal(&a, &b));
        }
    }
}

UNIT_TEST(date_overlap)
{
    struct fuzzy_date y97 = parsed("1997"), y98 = parsed("1998");
    struct fuzzy_date mar = parsed("1997-03-12"), span = parsed("1996/1998");
    struct fuzzy_date near = parsed("~1997-12-28"), unknown = parsed("unknown");

    CHECK(date_overlaps(&y97, &mar) && date_overlaps(&mar, &y97));
    CHECK(!date_overlaps(&y97, &y98) && !date_overlaps(&y98, &y97));
    CHECK(date_overlaps(&span, &y98));
    CHECK(date_overlaps(&near, &y98) && date_overlaps(&near, &y97));
    CHECK(!date_overlaps(&near, &mar));
    CHECK(date_overlaps(&unknown, &mar) && date_overlaps(&y98, &unknown));
    CHECK(date_overlaps_days(&mar, 19970312, 19970312));
    CHECK(!date_overlaps_days(&mar, 19970313, 19991231));
}

UNIT_TEST(date_filter_bounds)
{
    struct at_ctx ctx = { 0 };
    int32_t from = 0, to = 0;

    CHECK(date_parse_bound(&ctx, "1995", DATE_FROM, &from) == AT_OK);
    CHECK(date_parse_bound(&ctx, "1999", DATE_TO, &to) == AT_OK);
    CHECK(from == 19950101 && to == 19991231);

    struct fuzzy_date in = parsed("1999-12-31"), out = parsed("2000-01");
    struct fuzzy_date straddles = parsed("1994/1995-01");
    CHECK(date_overlaps_days(&in, from, to));
    CHECK(!date_overlaps_days(&out, from, to));
    CHECK(date_overlaps_days(&straddles, from, to));

    CHECK(date_parse_bound(&ctx, "1997-02", DATE_TO, &to) == AT_OK && to == 19970228);
    CHECK(date_parse_bound(&ctx, "1996/1998", DATE_FROM, &from) == AT_OK &&
          from == 19960101);
    CHECK(date_parse_bound(&ctx, "~1997", DATE_TO, &to) == AT_OK && to == 19981231);

    to = 1;
    CHECK(date_parse_bound(&ctx, "unknown", DATE_TO, &to) == AT_EINVAL && to == 1);
    CHECK(strstr(ctx.message, "cannot bound a date filter") != NULL);
    CHECK(date_parse_bound(&ctx, "1997-13", DATE_FROM, &from) == AT_EINVAL);
    CHECK_STR(ctx.message, "\"1997-13\": the month must be 01 to 12");
}

/* Dates as witnesses give them, in Korean and in English words: each
 * form's interval, and how it prints back. */
static bool form_is(const char *text, enum date_precision p, enum date_words w, int32_t lo,
                    int32_t hi, const char *canonical, const char *edtf)
{
    struct fuzzy_date d = parsed(text), again = { 0 };
    struct buf f = BUF_INIT, e = BUF_INIT;
    struct at_ctx ctx = { 0 };
    bool ok;

    date_format(&d, &f);
    date_edtf(&d, &e);
    ok = d.precision == p && d.words == w && d.lo == lo && d.hi == hi
         && strcmp(buf_str(&f), canonical) == 0 && strcmp(buf_str(&e), edtf) == 0
         && date_parse(&ctx, buf_str(&f), &again) == AT_OK && date_equal(&d, &again);
    if (!ok)
        fprintf(stderr, "    %s: precision %s, words %d, [%ld, %ld], \"%s\", edtf \"%s\"\n", text,
                date_precision_name(d.precision), (int)d.words, (long)d.lo, (long)d.hi,
                buf_str(&f), buf_str(&e));
    buf_free(&f);
    buf_free(&e);
    return ok;
}

UNIT_TEST(date_korean_forms)
{
    CHECK(form_is("1997년", DATE_YEAR, DATE_KOREAN, 19970101, 19971231, "1997년", "1997"));
    CHECK(form_is("97년", DATE_YEAR, DATE_KOREAN, 19970101, 19971231, "97년", "1997"));
    CHECK(form_is("05년", DATE_YEAR, DATE_KOREAN, 20050101, 20051231, "05년", "2005"));
    CHECK(form_is("1997년 3월", DATE_MONTH, DATE_KOREAN, 19970301, 19970331, "1997년 3월",
                  "1997-03"));
    CHECK(form_is("1997년3월12일", DATE_DAY, DATE_KOREAN, 19970312, 19970312,
                  "1997년 3월 12일", "1997-03-12"));
    CHECK(form_is("1997년경", DATE_YEAR, DATE_KOREAN, 19960101, 19981231, "1997년경", "1997~"));
    CHECK(form_is("1997년 3월경", DATE_MONTH, DATE_KOREAN, 19970201, 19970430, "1997년 3월경",
                  "1997-03~"));
    CHECK(form_is("1997년 여름", DATE_SEASON, DATE_KOREAN, 19970601, 19970831, "1997년 여름",
                  "1997-22"));
    CHECK(form_is("97년 봄", DATE_SEASON, DATE_KOREAN, 19970301, 19970531, "97년 봄", "1997-21"));
    CHECK(form_is("1996년 겨울", DATE_SEASON, DATE_KOREAN, 19961201, 19970228, "1996년 겨울",
                  "1996-24"));
    CHECK(form_is("1999년 겨울", DATE_SEASON, DATE_KOREAN, 19991201, 20000229, "1999년 겨울",
                  "1999-24"));
    CHECK(form_is("1990년대", DATE_DECADE, DATE_KOREAN, 19900101, 19991231, "1990년대", "199X"));
    CHECK(form_is("1990년대 중반", DATE_DECADE, DATE_KOREAN, 19930101, 19961231,
                  "1990년대 중반", "1993/1996"));
    CHECK(form_is("90년대 초", DATE_DECADE, DATE_KOREAN, 19900101, 19931231, "90년대 초반",
                  "1990/1993"));
    CHECK(form_is("1980년대 말", DATE_DECADE, DATE_KOREAN, 19860101, 19891231, "1980년대 후반",
                  "1986/1989"));
    CHECK(form_is("고난의 행군 때", DATE_PERIOD, DATE_KOREAN, 19940101, 19981231,
                  "고난의 행군 때", "1994/1998"));
    CHECK(form_is("고난의행군", DATE_PERIOD, DATE_KOREAN, 19940101, 19981231, "고난의 행군 때",
                  "1994/1998"));
    CHECK(form_is("고난의 행군 시기", DATE_PERIOD, DATE_KOREAN, 19940101, 19981231,
                  "고난의 행군 때", "1994/1998"));
    CHECK(form_is("6.25 전쟁 때", DATE_PERIOD, DATE_KOREAN, 19500625, 19530727, "한국전쟁 때",
                  "1950-06-25/1953-07-27"));
}

UNIT_TEST(date_english_words)
{
    CHECK(form_is("summer 1997", DATE_SEASON, DATE_ENGLISH, 19970601, 19970831, "summer 1997",
                  "1997-22"));
    CHECK(form_is("Fall 1997", DATE_SEASON, DATE_ENGLISH, 19970901, 19971130, "autumn 1997",
                  "1997-23"));
    CHECK(form_is("winter 1997", DATE_SEASON, DATE_ENGLISH, 19971201, 19980228, "winter 1997",
                  "1997-24"));
    CHECK(form_is("1990s", DATE_DECADE, DATE_ENGLISH, 19900101, 19991231, "1990s", "199X"));
    CHECK(form_is("1990's", DATE_DECADE, DATE_ENGLISH, 19900101, 19991231, "1990s", "199X"));
    CHECK(form_is("early 1990s", DATE_DECADE, DATE_ENGLISH, 19900101, 19931231, "early 1990s",
                  "1990/1993"));
    CHECK(form_is("mid-1990s", DATE_DECADE, DATE_ENGLISH, 19930101, 19961231, "mid-1990s",
                  "1993/1996"));
    CHECK(form_is("Mid 1990s", DATE_DECADE, DATE_ENGLISH, 19930101, 19961231, "mid-1990s",
                  "1993/1996"));
    CHECK(form_is("late 1990s", DATE_DECADE, DATE_ENGLISH, 19960101, 19991231, "late 1990s",
                  "1996/1999"));
    CHECK(form_is("the Arduous March", DATE_PERIOD, DATE_ENGLISH, 19940101, 19981231,
                  "the Arduous March", "1994/1998"));
    CHECK(form_is("arduous march", DATE_PERIOD, DATE_ENGLISH, 19940101, 19981231,
                  "the Arduous March", "1994/1998"));
}

UNIT_TEST(date_edtf_of_digits)
{
    static const char *const pairs[][2] = {
        { "1997", "1997" }, { "1997-03", "1997-03" }, { "1997-03-12", "1997-03-12" },
        { "~1997", "1997~" }, { "~1997-03-12", "1997-03-12~" }, { "1996/1998", "1996/1998" },
        { "1997-03-12/1997-04", "1997-03-12/1997-04" }, { "unknown", "XXXX" },
    };

    for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
        struct fuzzy_date d = parsed(pairs[i][0]);
        struct buf e = BUF_INIT;
        date_edtf(&d, &e);
        CHECK_STR(buf_str(&e), pairs[i][1]);
        buf_free(&e);
    }
}

/* The same interval written two ways is two dates, each printed back as
 * it was given. */
UNIT_TEST(date_words_kept_apart)
{
    struct fuzzy_date a = parsed("1997"), b = parsed("1997년"), c = parsed("97년");
    struct fuzzy_date s1 = parsed("summer 1997"), s2 = parsed("1997년 여름");

    CHECK(date_compare(&a, &b) != 0 && date_compare(&b, &c) != 0 && date_compare(&a, &c) != 0);
    CHECK(date_compare(&s1, &s2) != 0 && date_overlaps(&s1, &s2));
    CHECK(date_compare(&a, &b) == -date_compare(&b, &a));
}

UNIT_TEST(date_words_refused_clearly)
{
    CHECK_STR(refused("1997년 13월"), "\"1997년 13월\": the month must be 1월 to 12월");
    CHECK_STR(refused("1997년 2월 30일"), "\"1997년 2월 30일\": February 1997 has 28 days");
    CHECK_STR(refused("1995년대"), "\"1995년대\": a decade is named by its first year, "
              "as in 1990s or 1990년대");
    CHECK(strstr(refused("997년"), "a year has four digits, or two as in 97년; valid forms:")
          != NULL);
    CHECK(strstr(refused("1997년 여름 3월"), "unexpected \"3\" after \"1997년 여름 \"")
          != NULL);
    CHECK(strstr(refused("summer 97"), "the year of a season must have four digits") != NULL);
    CHECK(strstr(refused("early 1997"), "a part of a decade is written as in early 1990s")
          != NULL);
    CHECK_STR(refused("0990s"), "\"0990s\": the year must be from 1000 to 2999");
    CHECK(strstr(refused("고난의 진군"), "not a date; valid forms:") != NULL);
    CHECK(strstr(refused("sometime in 1997"), "not a date; valid forms:") != NULL);
    CHECK(strstr(refused("1997년/1998년"), "unexpected \"/\"") != NULL);
    /* Found by the fuzzer: what comes before the bad byte may hold a tab,
     * which the message escapes like the rest of the input. */
    CHECK(strstr(refused("1990년대 \t\xa4\x91반"),
                 "unexpected byte 0xa4 after \"1990년대 \\x09\"") != NULL);
}
