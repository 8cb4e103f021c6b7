/* test_csv.c: the CSV reader and writer, their messages and a round trip. */
#include "../../src/core/attest.h"
#include "../../src/core/csv.h"
#include "unit.h"

#include <stdlib.h>

/* Reads every record of s[0..len) and returns them as text, one record a
 * line: "LINE:field|field|...".  On an error the text ends with
 * "error: MESSAGE".  The caller frees the result. */
static char *parse_n(const char *s, size_t len, const struct csv_options *opt)
{
    struct buf out = BUF_INIT;
    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    FILE *f = tmpfile();
    int rc;

    if (f == NULL || fwrite(s, 1, len, f) != len) {
        buf_puts(&out, "error: tmpfile");
        return buf_detach(&out);
    }
    rewind(f);
    if (csv_open(&r, f, "people.csv", opt, &ctx) != AT_OK) {
        buf_printf(&out, "error: %s", ctx.message);
        fclose(f);
        return buf_detach(&out);
    }
    while ((rc = csv_read(r, &rec, &ctx)) == 1) {
        buf_printf(&out, "%lu:", rec.line);
        for (size_t i = 0; i < rec.n; i++) {
            if (strlen(rec.fields[i]) != rec.lens[i])
                buf_puts(&out, "(bad length)");
            buf_printf(&out, "%s%s", i ? "|" : "", rec.fields[i]);
        }
        buf_putc(&out, '\n');
    }
    if (rc < 0)
        buf_printf(&out, "error: %s", ctx.message);
    csv_close(r);
    fclose(f);
    return buf_detach(&out);
}

static char *parse(const char *s, const struct csv_options *opt)
{
    return parse_n(s, strlen(s), opt);
}

#define CHECK_PARSE(input, opt, want)                                \
    do {                                                             \
        char *got_ = parse(input, opt);                              \
        CHECK_STR(got_, want);                                       \
        free(got_);                                                  \
    } while (0)

UNIT_TEST(csv_reads_simple_records)
{
    CHECK_PARSE("name,age\nAda,36\n", NULL, "1:name|age\n2:Ada|36\n");
    CHECK_PARSE("name,age\nAda,36", NULL, "1:name|age\n2:Ada|36\n");
    CHECK_PARSE("", NULL, "");
    CHECK_PARSE("\n\r\n", NULL, "");
    CHECK_PARSE("a\n\n\nb\n\n", NULL, "1:a\n4:b\n");
    CHECK_PARSE(" a , b \n", NULL, "1: a | b \n");
}

UNIT_TEST(csv_line_ends)
{
    CHECK_PARSE("a,b\r\nc,d\r\n", NULL, "1:a|b\n2:c|d\n");
    CHECK_PARSE("a,b\rc,d\r", NULL, "1:a|b\n2:c|d\n");
    CHECK_PARSE("a,b\rc,d", NULL, "1:a|b\n2:c|d\n");
    CHECK_PARSE("a\r\n\r\nb\n\rc\r\r\nd", NULL, "1:a\n3:b\n5:c\n7:d\n");
}

UNIT_TEST(csv_byte_order_mark)
{
    char *got = parse("\xEF\xBB\xBFid,name\n1,x\n", NULL);
    CHECK_STR(got, "1:id|name\n2:1|x\n");
    free(got);
    CHECK_PARSE("\xEF\xBB\xBF", NULL, "");
    CHECK_PARSE("\xEF\xBB\xBF\"a\"\"\",b", NULL, "1:a\"|b\n");
    /* Only at the very start is it a mark; elsewhere it is text. */
    CHECK_PARSE("a\n\xEF\xBB\xBF" "b\n", NULL, "1:a\n2:\xEF\xBB\xBF" "b\n");
    /* The column does not count it. */
    CHECK_PARSE("\xEF\xBB\xBF" "ab\"", NULL,
                "error: people.csv:1:3: a quote inside an unquoted field; enclose "
                "the field in double quotes and double the quote (\"\")");
}

UNIT_TEST(csv_quoted_fields)
{
    CHECK_PARSE("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", NULL, "1:a,b|say \"hi\"|\n");
    CHECK_PARSE("\"\"", NULL, "1:\n");
    CHECK_PARSE("\"\"\"\"", NULL, "1:\"\n");
    CHECK_PARSE("x,\"\"\r\n\"\",y", NULL, "1:x|\n2:|y\n");
    CHECK_PARSE("\"a\",\"b\"", NULL, "1:a|b\n");
    CHECK_PARSE("\"a\"\r\"b\"\n", NULL, "1:a\n2:b\n");
}

UNIT_TEST(csv_empty_fields)
{
    CHECK_PARSE(",,\n,\n", NULL, "1:||\n2:|\n");
    CHECK_PARSE("a,", NULL, "1:a|\n");
    CHECK_PARSE(",a", NULL, "1:|a\n");
}

UNIT_TEST(csv_multiline_fields_keep_line_numbers)
{
    const char *in = "id,note\n"
                     "1,\"line one\nline two\"\n"
                     "2,x\n"
                     "3,\"a\r\nb\r\n\"\r\n"
                     "4,\"\rc\"\n"
                     "5,y\n";

    CHECK_PARSE(in, NULL,
                "1:id|note\n"
                "2:1|line one\nline two\n"
                "4:2|x\n"
                "5:3|a\r\nb\r\n\n"
                "8:4|\rc\n"
                "10:5|y\n");
    /* A column after a multi-line field counts from the start of its line. */
    CHECK_PARSE("\"a\nbc\"x\n", NULL,
                "error: people.csv:2:4: text after the closing quote of a quoted "
                "field; a quoted field must end at a comma or a line end, and a "
                "quote inside it must be doubled (\"\")");
}

UNIT_TEST(csv_other_delimiters)
{
    struct csv_options semi = { .delimiter = ';' }, tab = { .delimiter = '\t' };

    CHECK_PARSE("a;b,c;\"d;e\"\n", &semi, "1:a|b,c|d;e\n");
    CHECK_PARSE("a\tb c\t\n\"x\ty\"\tz", &tab, "1:a|b c|\n2:x\ty|z\n");
    CHECK_PARSE("\"a\" b", &tab,
                "error: people.csv:1:4: text after the closing quote of a quoted "
                "field; a quoted field must end at a tab or a line end, and a "
                "quote inside it must be doubled (\"\")");

    struct csv_options bad = { .delimiter = '"' };
    CHECK_PARSE("a", &bad, "error: people.csv: 0x22 cannot be a CSV delimiter; use a "
                "comma, a semicolon or a tab");
}

UNIT_TEST(csv_trailing_sub_byte)
{
    struct csv_options sub = { .stop_at_sub = true };

    CHECK_PARSE("a,b\r\nc,d\r\n\x1A", &sub, "1:a|b\n2:c|d\n");
    CHECK_PARSE("a,b\r\nc,d\r\n\x1A", NULL, "1:a|b\n2:c|d\n3:\x1A\n");
    CHECK_PARSE("a,b\x1A", &sub, "1:a|b\n");
    CHECK_PARSE("a,\"b\"\x1A", &sub, "1:a|b\n");
    CHECK_PARSE("a,\x1A", &sub, "1:a|\n");
    CHECK_PARSE("\x1A", &sub, "");
    /* Anywhere but at the very end it is data. */
    CHECK_PARSE("a\x1A" "b\n\x1A\n", &sub, "1:a\x1A" "b\n2:\x1A\n");
    CHECK_PARSE("\"a\x1A\"", &sub, "1:a\x1A\n");
    CHECK_PARSE("\"a\x1A", &sub,
                "error: people.csv:1:1: unterminated quoted field starting at line "
                "1: the file ends inside it; close the field with a double quote, "
                "and double any quote inside it (\"\")");
}

UNIT_TEST(csv_error_messages)
{
    CHECK_PARSE("id,name\n1,Ab\"c\n", NULL,
                "1:id|name\n"
                "error: people.csv:2:5: a quote inside an unquoted field; enclose "
                "the field in double quotes and double the quote (\"\")");
    /* Columns count characters, not bytes. */
    CHECK_PARSE("é,ü\"\n", NULL,
                "error: people.csv:1:4: a quote inside an unquoted field; enclose "
                "the field in double quotes and double the quote (\"\")");
    CHECK_PARSE("a, \"b\"\n", NULL,
                "error: people.csv:1:4: spaces before the opening quote of a field; "
                "remove them, or enclose the whole field in double quotes and "
                "double the quote (\"\")");
    CHECK_PARSE("a\n\n\"abc\nd,e\n", NULL,
                "1:a\n"
                "error: people.csv:3:1: unterminated quoted field starting at line "
                "3: the file ends inside it; close the field with a double quote, "
                "and double any quote inside it (\"\")");
    CHECK_PARSE("x,\"a\"b\"\n", NULL,
                "error: people.csv:1:6: text after the closing quote of a quoted "
                "field; a quoted field must end at a comma or a line end, and a "
                "quote inside it must be doubled (\"\")");
    CHECK_PARSE("\xFF\xFEi\0d\0", NULL,
                "error: people.csv:1:1: the file is UTF-16; save it as UTF-8");
}

UNIT_TEST(csv_nul_byte)
{
    char *got = parse_n("a\nbc\0d\n", 7, NULL);
    CHECK_STR(got, "1:a\n" "error: people.csv:2:3: a NUL byte, which CSV text cannot "
              "contain; if this is a spreadsheet or a UTF-16 file, save it as CSV "
              "in UTF-8");
    free(got);
    got = parse_n("\"b\0\"", 4, NULL);
    CHECK(strstr(got, "people.csv:1:3: a NUL byte") != NULL);
    free(got);
}

UNIT_TEST(csv_invalid_utf8)
{
    CHECK_PARSE("a,b\nx,caf\xE9\n", NULL,
                "1:a|b\n"
                "error: people.csv:2: field 2 is not valid UTF-8; save the file as UTF-8");
    CHECK_PARSE("\xC0\xAF", NULL,
                "error: people.csv:1: field 1 is not valid UTF-8; save the file as UTF-8");
    CHECK_PARSE("\xED\xA0\x80", NULL,
                "error: people.csv:1: field 1 is not valid UTF-8; save the file as UTF-8");
    CHECK_PARSE("\xF4\x90\x80\x80", NULL,
                "error: people.csv:1: field 1 is not valid UTF-8; save the file as UTF-8");
    CHECK_PARSE("x,\"a\nb\xE2\x82\"", NULL,
                "error: people.csv:1: field 2 is not valid UTF-8; save the file as UTF-8");
    CHECK_PARSE("\xF0\x9F\x98\x80,\xE2\x82\xAC,\xC3\xA9", NULL,
                "1:\xF0\x9F\x98\x80|\xE2\x82\xAC|\xC3\xA9\n");
}

UNIT_TEST(csv_errors_are_sticky)
{
    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    FILE *f = fmemopen((void *)"a\"\nb\n", 5, "r");

    REQUIRE(f != NULL);
    REQUIRE(csv_open(&r, f, "x.csv", NULL, &ctx) == AT_OK);
    CHECK(csv_read(r, &rec, &ctx) == AT_EINVAL);
    CHECK(csv_read(r, &rec, &ctx) == AT_EINVAL);
    CHECK_STR(ctx.message, "x.csv: reading stopped at an earlier error");
    csv_close(r);
    fclose(f);
}

UNIT_TEST(csv_record_width)
{
    struct csv_options same = { .same_width = true };

    CHECK_PARSE("a,b\n1,2\n3\n", &same,
                "1:a|b\n2:1|2\n"
                "error: people.csv:3: 1 field, but the header has 2; every record "
                "needs as many fields as the header (look for a missing or extra "
                "delimiter, or a value containing one that is not in double quotes)");
    CHECK_PARSE("a,b\n1,2\n3\n", NULL, "1:a|b\n2:1|2\n3:3\n");

    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    FILE *f = fmemopen((void *)"a,b\n\"x\ny\",2,3\n", 14, "r");
    REQUIRE(f != NULL);
    REQUIRE(csv_open(&r, f, "list.csv", NULL, &ctx) == AT_OK);
    REQUIRE(csv_read(r, &rec, &ctx) == 1);
    CHECK(csv_check_width(r, &rec, 2, &ctx) == AT_OK);
    REQUIRE(csv_read(r, &rec, &ctx) == 1);
    CHECK(csv_check_width(r, &rec, 2, &ctx) == AT_EINVAL);
    CHECK(strncmp(ctx.message, "list.csv:2: 3 fields, but the header has 2;", 43) == 0);
    CHECK(csv_read(r, &rec, &ctx) == 0);
    csv_close(r);
    fclose(f);
}

/* A field far longer than the reader's buffer, and many records, read from
 * a file descriptor. */
UNIT_TEST(csv_streams_large_input)
{
    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    FILE *f = tmpfile();
    size_t big = 300000;
    char *field = xmalloc(big + 1);
    int rc;

    REQUIRE(f != NULL);
    for (size_t i = 0; i < big; i++)
        field[i] = i % 1000 == 999 ? '\n' : (char)('a' + i % 26);
    field[big] = '\0';
    fputs("id,text\n", f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%d,\"x\"\"y\"\r\n", i);
    fprintf(f, "big,\"%s\"\nlast,z", field);
    fflush(f);
    rewind(f);

    REQUIRE(csv_open_fd(&r, fileno(f), "big.csv", NULL, &ctx) == AT_OK);
    REQUIRE(csv_read(r, &rec, &ctx) == 1);
    for (int i = 0; i < 20000; i++) {
        REQUIRE(csv_read(r, &rec, &ctx) == 1);
        CHECK(rec.line == (unsigned long)i + 2 && rec.n == 2);
        CHECK(atoi(rec.fields[0]) == i && strcmp(rec.fields[1], "x\"y") == 0);
    }
    REQUIRE(csv_read(r, &rec, &ctx) == 1);
    CHECK(rec.line == 20002 && rec.lens[1] == big);
    CHECK(memcmp(rec.fields[1], field, big) == 0);
    rc = csv_read(r, &rec, &ctx);
    CHECK(rc == 1 && rec.line == 20003 + big / 1000);
    CHECK_STR(rec.fields[1], "z");
    CHECK(csv_read(r, &rec, &ctx) == 0);
    CHECK(csv_read(r, &rec, &ctx) == 0);
    csv_close(r);
    fclose(f);
    free(field);
}

UNIT_TEST(csv_writer_quotes_only_when_needed)
{
    struct buf b = BUF_INIT;
    const char *plain[] = { "Ada", "36", "a;b", "é" };
    const char *hard[] = { "a,b", "say \"hi\"", "x\ny", "c\rd", " lead", "trail\t", "" };
    const char *one_empty[] = { "" };
    const char *bom[] = { "\xEF\xBB\xBFx" };
    struct csv_options semi = { .delimiter = ';', .crlf = true };

    csv_write_record(&b, plain, ARRAY_LEN(plain));
    CHECK_STR(buf_str(&b), "Ada,36,a;b,é\n");
    buf_reset(&b);
    csv_write_record(&b, hard, ARRAY_LEN(hard));
    CHECK_STR(buf_str(&b), "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"c\rd\",\" lead\",\"trail\t\",\n");
    buf_reset(&b);
    csv_write_record(&b, one_empty, 1);
    csv_write_record(&b, bom, 1);
    csv_write_record(&b, plain, 0);
    CHECK_STR(buf_str(&b), "\"\"\n\"\xEF\xBB\xBFx\"\n");
    buf_reset(&b);
    csv_write_record_opt(&b, plain, ARRAY_LEN(plain), &semi);
    CHECK_STR(buf_str(&b), "Ada;36;\"a;b\";é\r\n");
    buf_free(&b);
}

/* A small seeded generator, so that the round trip is the same each run. */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Writes random records, reads them back and compares, for one set of
 * options. */
static void round_trip(const struct csv_options *opt, uint32_t seed)
{
    static const char *const pieces[] = {
        "a", "Z", "0", ",", ";", "\t", " ", "\"", "\"\"", "\r", "\n", "\r\n",
        "\x1A", "é", "한", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "|", "'", "x y",
    };
    enum { RECORDS = 400, MAXF = 6 };
    char *want[RECORDS][MAXF];
    size_t nf[RECORDS];
    struct buf out = BUF_INIT, field = BUF_INIT;
    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    uint32_t s = seed;

    for (int i = 0; i < RECORDS; i++) {
        nf[i] = 1 + next_random(&s) % MAXF;
        for (size_t j = 0; j < nf[i]; j++) {
            size_t len = next_random(&s) % 8;
            buf_reset(&field);
            for (size_t k = 0; k < len; k++)
                buf_puts(&field, pieces[next_random(&s) % ARRAY_LEN(pieces)]);
            want[i][j] = xstrdup(buf_str(&field));
        }
        csv_write_record_opt(&out, (const char *const *)want[i], nf[i], opt);
    }

    FILE *f = fmemopen(out.data, out.len, "r");
    REQUIRE(f != NULL);
    REQUIRE(csv_open(&r, f, "random.csv", opt, &ctx) == AT_OK);
    for (int i = 0; i < RECORDS; i++) {
        int rc = csv_read(r, &rec, &ctx);
        if (rc != 1)
            fprintf(stderr, "    record %d: %s\n", i, ctx.message);
        REQUIRE(rc == 1);
        REQUIRE(rec.n == nf[i]);
        for (size_t j = 0; j < nf[i]; j++)
            CHECK(strcmp(rec.fields[j], want[i][j]) == 0);
    }
    CHECK(csv_read(r, &rec, &ctx) == 0);
    csv_close(r);
    fclose(f);
    for (int i = 0; i < RECORDS; i++)
        for (size_t j = 0; j < nf[i]; j++)
            free(want[i][j]);
    buf_free(&out);
    buf_free(&field);
}

UNIT_TEST(csv_round_trip_random_fields)
{
    struct csv_options opts[] = {
        { 0 },
        { .crlf = true },
        { .delimiter = ';', .stop_at_sub = true },
        { .delimiter = '\t', .crlf = true, .stop_at_sub = true },
        { .delimiter = '|' },
    };

    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        round_trip(&opts[i], 0x9E3779B9u + (uint32_t)i);
}

UNIT_TEST(csv_writer_guards_formulas)
{
    struct buf b = BUF_INIT;
    const char *cells[] = { "=1+1", "+a", "-a", "@SUM(A1)", "\tx", "\rx", "-12.5", "+3", "1e-4",
                            "-", "'=x", "''@x", "'-12.5", "'", "plain", "a=b", "" };
    struct csv_options guard = { .guard_formulas = true };

    csv_write_record_opt(&b, cells, ARRAY_LEN(cells), &guard);
    CHECK_STR(buf_str(&b), "\"'=1+1\",\"'+a\",\"'-a\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",-12.5,+3,1e-4,"
                           "\"'-\",\"''=x\",\"'''@x\",'-12.5,',plain,a=b,\n");
    buf_free(&b);
}

UNIT_TEST(csv_unguard_undoes_the_guard)
{
    const char *cells[] = { "=1+1", "@x", "-12.5", "'-12.5", "'=x", "''=x", "'", "''", "x", "",
                            "-inf", "+-1", "1e5", "'plain" };
    struct csv_options guard = { .guard_formulas = true };

    for (size_t i = 0; i < ARRAY_LEN(cells); i++) {
        struct buf b = BUF_INIT;
        char *back = NULL;
        csv_write_record_opt(&b, &cells[i], 1, &guard);
        back = parse(buf_str(&b), NULL);
        /* parse gives "1:FIELD\n" */
        REQUIRE(strncmp(back, "1:", 2) == 0);
        back[strlen(back) - 1] = '\0';
        CHECK_STR(csv_unguard(back + 2), cells[i]);
        CHECK(strchr("=+-@\t\r", (back + 2)[0]) == NULL || !csv_is_formula(back + 2));
        free(back);
        buf_free(&b);
    }
    CHECK(csv_is_formula("-2+3+cmd|' /C calc'!A0"));
    CHECK(!csv_is_formula("-45.25"));
    CHECK_STR(csv_unguard("'-45.25"), "'-45.25");
}
