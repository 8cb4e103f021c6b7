/* test_document.c: formats, digests split by attribution, refusals of
 * what is not text, spans in code points, and an import that is all or
 * nothing. */
#include "../../src/core/attest.h"
#include "../../src/core/document.h"
#include "../../src/core/evlog.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static int parse(struct at_ctx *ctx, const char *text, enum document_format f, struct document_parsed *d)
{
    return document_parse(ctx, "t.txt", text, strlen(text), f, d);
}

UNIT_TEST(document_sniff_by_name_then_by_content)
{
    CHECK(document_sniff("a.HTML", "x", 1) == DOCUMENT_HTML);
    CHECK(document_sniff("a.md", "<p>", 3) == DOCUMENT_MARKDOWN);
    CHECK(document_sniff("a.txt", "<p>", 3) == DOCUMENT_TEXT);
    CHECK(document_sniff("stdin", "\xef\xbb\xbf  <!DOCTYPE html>", 21) == DOCUMENT_HTML);
    CHECK(document_sniff("stdin", "Hello <b>", 9) == DOCUMENT_TEXT);
}

UNIT_TEST(document_splits_a_digest_at_each_attribution)
{
    struct at_ctx ctx = { 0 };
    struct document_parsed d;
    const char *text =
        "FICTIONAL headline one\n\nFirst paragraph,\nstill first.\n\n[Paper One]\n\n"
        "FICTIONAL headline two\n\nIts text, with a footnote [1]\n\nMore text. [Wire Two]\n\n"
        "Trailing note without attribution.\n";

    REQUIRE(parse(&ctx, text, DOCUMENT_TEXT, &d) == AT_OK);
    CHECK(d.n == 3 && d.title == NULL);
    CHECK_STR(d.articles[0].title, "FICTIONAL headline one");
    CHECK_STR(d.articles[0].publisher, "Paper One");
    CHECK_STR(d.articles[0].text, "FICTIONAL headline one\n\nFirst paragraph, still first.");
    CHECK_STR(d.articles[1].publisher, "Wire Two");
    CHECK_STR(d.articles[1].text, "FICTIONAL headline two\n\nIts text, with a footnote [1]\n\nMore text.");
    CHECK(d.articles[2].publisher == NULL);
    document_parsed_free(&d);
}

UNIT_TEST(document_markdown_headings_and_link_attributions)
{
    struct at_ctx ctx = { 0 };
    struct document_parsed d;
    const char *text = "# FICTIONAL digest\n\n## One\n\nText **bold** and [a link](http://x).\n\n"
                       "[Daily Paper](https://example.org/p)\n\n## Two\n\nMore.\n\n---\n\n[Other]\n";

    REQUIRE(parse(&ctx, text, DOCUMENT_MARKDOWN, &d) == AT_OK);
    CHECK_STR(d.title, "FICTIONAL digest");
    REQUIRE(d.n == 2);
    CHECK_STR(d.articles[0].title, "One");
    CHECK_STR(d.articles[0].text, "One\n\nText bold and a link.");
    CHECK_STR(d.articles[0].publisher, "Daily Paper");
    CHECK_STR(d.articles[0].url, "https://example.org/p");
    CHECK_STR(d.articles[1].publisher, "Other");
    document_parsed_free(&d);
}

UNIT_TEST(document_html_keeps_blocks_and_drops_scripts)
{
    struct at_ctx ctx = { 0 };
    struct document_parsed d;
    const char *html = "<html><head><style>p{}</style></head><body><h2>FICTIONAL</h2>"
                       "<p>A &amp; B<br>C</p><script>evil()</script><p><a href='u'>Paper</a></p>"
                       "<p>Single <a href='v'>linked</a> word</p></body></html>";

    REQUIRE(parse(&ctx, html, DOCUMENT_HTML, &d) == AT_OK);
    REQUIRE(d.n == 2);
    CHECK_STR(d.articles[0].text, "FICTIONAL\n\nA & B\n\nC");
    CHECK_STR(d.articles[0].publisher, "Paper");
    CHECK_STR(d.articles[0].url, "u");
    CHECK_STR(d.articles[1].text, "Single linked word");
    document_parsed_free(&d);
}

UNIT_TEST(document_refuses_what_is_not_text)
{
    struct at_ctx ctx = { 0 };
    struct document_parsed d;

    CHECK(document_parse(&ctx, "f.bin", "ab\0cd", 5, DOCUMENT_TEXT, &d) == AT_EINVAL);
    CHECK_STR(ctx.message, "f.bin: binary data (a NUL byte at offset 2); a document import takes "
                           "UTF-8 text, Markdown or HTML");
    CHECK(document_parse(&ctx, "f.txt", "ok \xc3(", 5, DOCUMENT_TEXT, &d) == AT_EINVAL);
    CHECK(strstr(ctx.message, "f.txt: not UTF-8 (an invalid byte at offset 3)") != NULL);
    CHECK(document_parse(&ctx, "e.txt", " \n\n \t\n", 6, DOCUMENT_TEXT, &d) == AT_EINVAL);
    CHECK(strstr(ctx.message, "e.txt: an empty document") != NULL);
    CHECK(document_parse(&ctx, "e.html", "<script>x</script>", 18, DOCUMENT_HTML, &d) == AT_EINVAL);
    CHECK(d.n == 0 && d.articles == NULL);
}

UNIT_TEST(document_span_counts_code_points)
{
    struct at_ctx ctx = { 0 };
    struct buf out = BUF_INIT;

    REQUIRE(document_span(&ctx, "회령에서 Hoeryŏng 50", 0, 2, &out) == AT_OK);
    CHECK_STR(out.data, "회령");
    buf_reset(&out);
    REQUIRE(document_span(&ctx, "회령에서 Hoeryŏng 50", 5, 13, &out) == AT_OK);
    CHECK_STR(out.data, "Hoeryŏng");
    buf_reset(&out);
    REQUIRE(document_span(&ctx, "회령에서 Hoeryŏng 50", 14, 16, &out) == AT_OK);
    CHECK_STR(out.data, "50");
    CHECK(document_span(&ctx, "abc", 2, 4, &out) == AT_EINVAL);
    CHECK(document_span(&ctx, "abc", 2, 2, &out) == AT_EINVAL);
    CHECK(document_span(&ctx, "abc", 3, 4, &out) == AT_EINVAL);
    buf_free(&out);
}

UNIT_TEST(document_import_is_all_or_nothing)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "arc", &admin);
    const char *good = "FICTIONAL one in Hoeryong\n\n[A]\n\nFICTIONAL two, 5,000 yuan\n\n[B]\n";
    struct document_import im = { .name = "d.txt", .data = good, .len = strlen(good) };
    uint64_t size, size2;

    REQUIRE(st != NULL);
    REQUIRE(evlog_write(&ctx, st, document_import_write, &im) == AT_OK);
    CHECK(im.articles == 2 && im.tags == 2 && json_array_size(im.written) == 3);
    json_decref(im.written);
    REQUIRE(evlog_size(&ctx, st, &size) == AT_OK);
    /* an article too long for a record, after a good one: nothing of it is written */
    size_t n = DOCUMENT_MAX_TEXT + 10;
    char *big = xmalloc(n + 64);
    memcpy(big, "FICTIONAL good\n\n[A]\n\n", 21);
    memset(big + 21, 'x', n);
    memcpy(big + 21 + n, "\n\n[B]\n", 7);
    struct document_import bad = { .name = "big.txt", .data = big, .len = strlen(big) };
    CHECK(evlog_write(&ctx, st, document_import_write, &bad) == AT_EINVAL);
    CHECK(strstr(ctx.message, "big.txt: article 2") != NULL);
    REQUIRE(evlog_size(&ctx, st, &size2) == AT_OK);
    CHECK(size2 == size);
    json_decref(bad.written);
    free(big);
    store_close(st);
    access_session_free(&admin);
}
