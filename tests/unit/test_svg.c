/* test_svg.c: SVG charts are well-formed XML with nothing active in them,
 * hostile labels stay text, ticks are round, output is deterministic. */
#include "../../src/core/attest.h"
#include "../../src/core/svg.h"
#include "unit.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>

static const char hostile[] =
    "</text><script>alert(1)</script><a href=\"javascript:x\">&amp;\"'\x01\x1b[31m"
    "\xff\xfe\xc0\xaf bad \xe2\x80\xae" "evil";

/* Elements a chart may hold; anything else (script, a, image, foreignObject,
 * use, style) fails the test. */
static bool element_allowed(const char *name)
{
    static const char *const ok[] = { "svg", "title", "desc", "rect", "text", "line", "path",
                                      "circle", "g" };

    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        if (strcmp(name, ok[i]) == 0)
            return true;
    return false;
}

/* Counts elements that are not allowed and attributes that could act
 * (on*, href, style) in the tree under n. */
static int active_parts(xmlNode *n)
{
    int bad = 0;

    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!element_allowed((const char *)n->name))
            bad++;
        for (xmlAttr *a = n->properties; a; a = a->next)
            if (strncmp((const char *)a->name, "on", 2) == 0
                || strstr((const char *)a->name, "href") || strcmp((const char *)a->name, "style") == 0)
                bad++;
        bad += active_parts(n->children);
    }
    return bad;
}

/* Parses the chart; returns its root's document (caller frees) or NULL. */
static xmlDoc *parse(const struct buf *b)
{
    return xmlReadMemory(b->data, (int)b->len, "chart.svg", "UTF-8",
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Whether the chart is well-formed, an <svg> in the SVG namespace, and
 * holds nothing active. */
static bool safe_svg(const struct buf *b)
{
    xmlDoc *doc = parse(b);
    xmlNode *root;
    bool ok;

    if (doc == NULL)
        return false;
    root = xmlDocGetRootElement(doc);
    ok = root && strcmp((const char *)root->name, "svg") == 0 && root->ns
         && strcmp((const char *)root->ns->href, "http://www.w3.org/2000/svg") == 0
         && active_parts(root) == 0;
    xmlFreeDoc(doc);
    return ok;
}

UNIT_TEST(svg_escape_keeps_hostile_text_as_text)
{
    struct buf b = BUF_INIT;

    svg_escape(&b, "a<b>&\"c'\td\x01" "e\xff" "f\xe2\x80\xae" "g");
    CHECK_STR(buf_str(&b), "a&lt;b&gt;&amp;&quot;c&#39; de\xef\xbf\xbd" "fg");
    buf_reset(&b);
    svg_escape(&b, "\xed\xa0\x80|\xef\xbf\xbe|\xc0\xaf|\xf0\x9f\x98\x80|\xea\xb9\x80");
    /* a surrogate, U+FFFE, an overlong '/', then an emoji and Hangul kept */
    CHECK(strstr(buf_str(&b), "\xef\xbf\xbe") == NULL);
    CHECK(strstr(buf_str(&b), "\xc0\xaf") == NULL);
    CHECK(strstr(buf_str(&b), "\xf0\x9f\x98\x80|\xea\xb9\x80") != NULL);
    buf_reset(&b);
    svg_escape(&b, NULL);
    CHECK(b.len == 0);
    buf_free(&b);
}

UNIT_TEST(svg_ticks_are_round_and_cover_the_range)
{
    struct svg_axis a;
    double t[SVG_MAX_TICKS];
    size_t n;

    n = svg_ticks(0, 10356.5, 8, 0, &a, t);
    CHECK(n == 7 && a.step == 2000 && a.first == 0 && a.last == 12000 && t[6] == 12000);
    n = svg_ticks(9004, 13801, 6, 0, &a, t);
    CHECK(n == 6 && a.step == 1000 && a.first == 9000 && a.last == 14000);
    n = svg_ticks(0.02, 0.97, 6, 0, &a, t);
    CHECK(n == 6 && fabs(a.step - 0.2) < 1e-12 && a.first == 0 && fabs(a.last - 1) < 1e-12);
    n = svg_ticks(-3, 7, 12, 0, &a, t);
    CHECK(n == 11 && a.step == 1 && t[0] == -3 && t[10] == 7);
    /* whole numbers: years never get half steps */
    n = svg_ticks(2018, 2020, 12, 1, &a, t);
    CHECK(n == 3 && a.step == 1 && t[0] == 2018);
    n = svg_ticks(0, 3, 12, 0, &a, t);
    CHECK(a.step < 1);
    n = svg_ticks(0, 3, 12, 1, &a, t);
    CHECK(n == 4 && a.step == 1);
    n = svg_ticks(5, 5, 8, 0, &a, t);
    CHECK(n >= 2 && a.first <= 4 && a.last >= 6);
    n = svg_ticks(0, 0, 8, 0, &a, t);
    CHECK(n >= 2 && a.first == 0 && a.last >= 1);
    for (size_t max = 3; max <= SVG_MAX_TICKS; max++) {
        n = svg_ticks(-123.4, 98765.4, max, 0, &a, t);
        CHECK(n >= 2 && n <= max && a.first <= -123.4 && a.last >= 98765.4);
    }
    CHECK(svg_ticks(NAN, 1, 8, 0, &a, t) == 0);
    CHECK(svg_ticks(2, 1, 8, 0, &a, t) == 0);
    CHECK(svg_ticks(-1e308, 1e308, 8, 0, &a, t) == 0);
}

/* Ranges the tick search once took a logarithm of zero for, or stepped by
 * zero (UBSan in make check: an infinity or NaN converted to an integer):
 * equal values beyond where adding 1 changes them, and a range of a few
 * denormals. */
UNIT_TEST(svg_ticks_degenerate_ranges)
{
    struct svg_axis a;
    double t[SVG_MAX_TICKS];
    size_t n;

    CHECK(svg_ticks(1e17, 1e17, 8, 0, &a, t) == 0);
    n = svg_ticks(0, 1e-323, 8, 0, &a, t);
    CHECK(n >= 2 && a.first <= 0 && a.last >= 1e-323);
}

UNIT_TEST(svg_format_number_separates_thousands)
{
    struct buf b = BUF_INIT;
    struct {
        double v, step;
        bool plain;
        const char *want;
    } cases[] = {
        { 10356.5, 0, false, "10,356.5" }, { 12000, 2000, false, "12,000" },
        { 2019, 1, true, "2019" },         { 0.25, 0.05, false, "0.25" },
        { -1.5, 0.5, false, "-1.5" },      { -0.00001, 0.1, false, "0.0" },
        { -1234567, 1, false, "-1,234,567" }, { 731, 0, false, "731" },
        { 100, 100, false, "100" },
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        buf_reset(&b);
        svg_format_number(&b, cases[i].v, cases[i].step, cases[i].plain);
        CHECK_STR(buf_str(&b), cases[i].want);
    }
    buf_free(&b);
}

UNIT_TEST(svg_bars_with_hostile_labels_are_well_formed_and_inert)
{
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT, again = BUF_INIT;
    const char *labels[] = { "North Hamgyong", hostile, "\xeb\x9e\x91\xea\xb0\x95" };
    double y1[] = { 221, 37, NAN }, y2[] = { 12, 0, 4 };
    struct svg_series s[] = { { .name = hostile, .y = y1 }, { .name = "women", .y = y2 } };
    struct svg_rule rule = { SVG_AT_Y, 100, 100, hostile };
    struct svg_frame f = { .title = hostile, .desc = hostile, .x_label = hostile,
                           .y_label = "records", .note = hostile, .rules = &rule, .nrules = 1 };
    unsigned layouts[] = { 0, SVG_STACKED, SVG_HORIZONTAL, SVG_STACKED | SVG_HORIZONTAL };

    for (size_t i = 0; i < ARRAY_LEN(layouts); i++) {
        f.flags = layouts[i];
        buf_reset(&b);
        REQUIRE(svg_bars(&ctx, &b, &f, labels, 3, s, 2) == AT_OK);
        CHECK(safe_svg(&b));
        CHECK(strstr(buf_str(&b), "<script") == NULL);
        CHECK(strstr(buf_str(&b), "&lt;script&gt;") != NULL);
        CHECK(strstr(buf_str(&b), "\xe2\x80\xae") == NULL);
        CHECK(strstr(buf_str(&b), "\x1b") == NULL);
        buf_reset(&again);
        REQUIRE(svg_bars(&ctx, &again, &f, labels, 3, s, 2) == AT_OK);
        CHECK(b.len == again.len && memcmp(b.data, again.data, b.len) == 0);
    }
    CHECK(strstr(buf_str(&b), "221") != NULL);
    buf_free(&b);
    buf_free(&again);
}

UNIT_TEST(svg_points_lines_and_histogram_are_well_formed)
{
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;
    const char *strata[] = { "North Hamgyong", "Ryanggang", "South Pyongan" };
    double doc[] = { 120, 45, 12 }, est[] = { 410, 160, NAN }, lo[] = { 300, 90, NAN },
           hi[] = { 620, 300, NAN };
    struct svg_series s[] = { { .name = "documented", .y = doc },
                              { .name = "estimated", .y = est, .lo = lo, .hi = hi } };
    struct svg_rule rules[] = { { SVG_AT_X, 9004, 13801, "95% interval" },
                                { SVG_AT_X, 10416, 10416, "median" },
                                { SVG_AT_Y, 0.5, 0.5, NULL } };
    struct svg_frame f = { .title = "Estimated victims by province", .y_label = "victims",
                           .flags = SVG_Y_FROM_ZERO, .rules = rules + 2, .nrules = 1 };
    double years[] = { 2015, 2016, 2017, 2018, 2019 }, counts[] = { 3, 8, NAN, 5, 1 };
    struct svg_curve curve = { .name = "acts", .x = years, .y = counts, .n = 5 };
    double draws[2000];

    REQUIRE(svg_points(&ctx, &b, &f, strata, 3, s, 2) == AT_OK);
    CHECK(safe_svg(&b));
    CHECK(strstr(buf_str(&b), "<circle") != NULL);
    buf_reset(&b);
    f.flags |= SVG_HORIZONTAL;
    REQUIRE(svg_points(&ctx, &b, &f, strata, 3, s, 2) == AT_OK);
    CHECK(safe_svg(&b));

    buf_reset(&b);
    f = (struct svg_frame){ .title = "Acts by year", .flags = SVG_X_INTEGER | SVG_Y_INTEGER,
                            .note = "Documented counts from convenience samples are not trends." };
    REQUIRE(svg_lines(&ctx, &b, &f, &curve, 1) == AT_OK);
    CHECK(safe_svg(&b));
    CHECK(strstr(buf_str(&b), ">2017</text>") != NULL);      /* plain years */
    CHECK(strstr(buf_str(&b), "2,017") == NULL);
    CHECK(strstr(buf_str(&b), "are not trends.</text>") != NULL);
    CHECK(strstr(buf_str(&b), ">0.5</text>") == NULL);        /* whole ticks for counts */

    for (size_t i = 0; i < ARRAY_LEN(draws); i++)   /* a fixed, roughly bell-shaped sample */
        draws[i] = 10416 + 1200 * ((double)((i * 7919) % 1000) / 1000 + (double)((i * 104729) % 997) / 997 - 1);
    buf_reset(&b);
    f = (struct svg_frame){ .title = "Posterior of N", .flags = SVG_DENSITY, .rules = rules,
                            .nrules = 2 };
    REQUIRE(svg_histogram(&ctx, &b, &f, draws, ARRAY_LEN(draws), 0) == AT_OK);
    CHECK(safe_svg(&b));
    CHECK(strstr(buf_str(&b), "95% interval") != NULL);
    buf_free(&b);
}

UNIT_TEST(svg_refuses_bad_input_naming_it)
{
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;
    const char *labels[] = { "a", "b" };
    double y[] = { 1, INFINITY }, neg[] = { 1, -1 }, ok[] = { 1, 2 };
    struct svg_series s = { .y = y }, sn = { .y = neg }, half = { .y = ok, .lo = ok };
    struct svg_frame f = { .title = "t" }, notitle = { 0 };
    struct svg_rule xr = { SVG_AT_X, 1, 1, NULL };

    CHECK(svg_bars(&ctx, &b, &notitle, labels, 2, &s, 1) == AT_EINVAL);
    CHECK(strstr(ctx.message, "title") != NULL);
    CHECK(svg_bars(&ctx, &b, &f, labels, 2, &s, 1) == AT_EINVAL);
    CHECK(strstr(ctx.message, "finite") != NULL);
    CHECK(svg_bars(&ctx, &b, &f, labels, 0, &s, 1) == AT_EINVAL);
    CHECK(svg_bars(&ctx, &b, &f, labels, 2, &half, 1) == AT_EINVAL);
    f.flags = SVG_STACKED;
    CHECK(svg_bars(&ctx, &b, &f, labels, 2, &sn, 1) == AT_EINVAL);
    CHECK(strstr(ctx.message, ">= 0") != NULL);
    f = (struct svg_frame){ .title = "t", .rules = &xr, .nrules = 1 };
    CHECK(svg_points(&ctx, &b, &f, labels, 2, &sn, 1) == AT_EINVAL);
    CHECK(strstr(ctx.message, "x rule") != NULL);
    f = (struct svg_frame){ .title = "t", .width = 50 };
    CHECK(svg_histogram(&ctx, &b, &f, ok, 2, 0) == AT_EINVAL);
    f.width = 0;
    CHECK(svg_histogram(&ctx, &b, &f, ok, 0, 0) == AT_EINVAL);
    buf_free(&b);
}

/* Every word a chart draws of its own has its Korean, and each English
 * word is in the table once (a second entry would never be found). */
UNIT_TEST(svg_words_each_have_their_korean)
{
    size_t n;
    const struct svg_word_pair *w = svg_words(&n);
    struct at_ctx ctx = { 0 };
    enum svg_lang lang;

    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        bool hangul = false;

        REQUIRE(w[i].en && w[i].ko);
        for (const unsigned char *p = (const unsigned char *)w[i].ko; *p; p++)
            hangul |= *p == 0xea || *p == 0xeb || *p == 0xec || *p == 0xed;  /* U+AC00..U+D7A3 */
        if (!hangul && strcmp(w[i].en, " to ") != 0)
            fprintf(stderr, "    no Korean for \"%s\"\n", w[i].en);
        CHECK(hangul || strcmp(w[i].en, " to ") == 0);
        for (size_t j = i + 1; j < n; j++)
            CHECK(strcmp(w[i].en, w[j].en) != 0);
    }
    CHECK_STR(svg_word(SVG_KO, "95% interval"), "95% 구간");
    CHECK_STR(svg_word(SVG_EN, "95% interval"), "95% interval");
    {
        size_t before = svg_word_misses();
        CHECK_STR(svg_word(SVG_KO, "a word no chart has"), "a word no chart has");
        CHECK(svg_word_misses() == before + 1);
    }
    CHECK(svg_lang_parse(&ctx, "ko", &lang) == AT_OK && lang == SVG_KO);
    CHECK(svg_lang_parse(&ctx, NULL, &lang) == AT_OK && lang == SVG_EN);
    CHECK(svg_lang_parse(&ctx, "fr", &lang) == AT_EINVAL);
    CHECK_STR(ctx.message, "lang \"fr\": use en or ko");
}

/* Notes with figures or codes (arrivals, sale prices, an estimate's
 * warning under its curve) are Korean too, each figure in its place; a
 * sentence the table lacks stays as written and counts as a miss. */
UNIT_TEST(svg_note_puts_figures_back_in_korean)
{
    struct buf out = BUF_INIT;
    size_t before = svg_word_misses();

    svg_note(SVG_KO, "Counted from each witness's arrival date (field arrived); 12 witnesses have none.",
             &out);
    CHECK_STR(buf_str(&out), "증언자마다 입국 날짜(arrived 필드)로 셉니다. 입국 날짜가 없는 증언자는 12명입니다.");
    buf_reset(&out);
    svg_note(SVG_KO, "Each sale of a chain counts once, at its own date and place; prices are converted "
             "to KPW, the currency most sales were paid in (give --rate FROM:KPW=RATE to convert "
             "others). The region is the province in North Korea, else the country, of a place the "
             "gazetteer knows; otherwise the place as written.", &out);
    CHECK(strstr(buf_str(&out), "KPW(으)로 환산") != NULL && strstr(buf_str(&out), "--rate FROM:KPW=RATE로") != NULL);
    CHECK(strstr(buf_str(&out), "Each sale") == NULL && strstr(buf_str(&out), "The region") == NULL);
    buf_reset(&out);
    svg_note(SVG_KO, "The sampler may not have settled (Geweke z 2.31, split R-hat 1.042, 310 effective "
             "draws): run it longer, with more samples or more thinning, and compare seeds.", &out);
    CHECK(strstr(buf_str(&out), "Geweke z 2.31, 분할 R-hat 1.042, 유효 표본 310개") != NULL);
    CHECK(svg_word_misses() == before);
    buf_reset(&out);
    svg_note(SVG_KO, "FICTIONAL: a sentence no table holds, with 3 figures.", &out);
    CHECK_STR(buf_str(&out), "FICTIONAL: a sentence no table holds, with 3 figures.");
    CHECK(svg_word_misses() == before + 1);
    buf_reset(&out);
    svg_note(SVG_EN, "Counted from each witness's arrival date (field arrived); 12 witnesses have none.", &out);
    CHECK_STR(buf_str(&out), "Counted from each witness's arrival date (field arrived); 12 witnesses have none.");
    buf_free(&out);
}
