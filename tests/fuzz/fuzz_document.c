/*
 * fuzz_document.c: document_parse and the tagger on arbitrary bytes.  The
 * first byte picks the format.  Whatever is accepted must be at least one
 * article, each with a headline and a non-empty UTF-8 text within the
 * limit; whatever is refused must say why, naming the file, and leave
 * nothing.  Every mention the tagger finds in an article must lie inside
 * it, on whole code points, with code point spans that count them.
 */
#include "../../src/core/document.h"
#include "../../src/core/tagger.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool utf8(const char *s, size_t len)
{
    for (int32_t i = 0, n = (int32_t)len; i < n;) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            return false;
    }
    return true;
}

static size_t code_points(const char *s, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tagger *dict;
    struct at_ctx ctx = { 0 };
    struct document_parsed d;

    if (size == 0)
        return 0;
    if (dict == NULL) {
        dict = tagger_new();
        tagger_add(dict, "Hoeryong", TAG_PLACE, "회령시", "Hoeryong");
        tagger_add(dict, "회령", TAG_PLACE, "회령시", "Hoeryong");
        tagger_add(dict, "Korea Mining", TAG_ORGANISATION, "or-x", "Korea Mining");
    }
    enum document_format f = (enum document_format)(data[0] % 3);
    if (document_parse(&ctx, "fuzz.doc", (const char *)data + 1, size - 1, f, &d) != AT_OK) {
        if (ctx.code == AT_OK || strncmp(ctx.message, "fuzz.doc", 8) != 0 || d.n != 0 || d.articles)
            abort();
        return 0;
    }
    if (d.n == 0)
        abort();
    for (size_t i = 0; i < d.n; i++) {
        const struct document_article *a = &d.articles[i];
        size_t len = strlen(a->text);
        if (len == 0 || len > DOCUMENT_MAX_TEXT || !utf8(a->text, len) || a->title == NULL
            || !utf8(a->title, strlen(a->title)))
            abort();
        struct tagger_mention *ms;
        size_t n = tagger_scan(dict, a->text, len, &ms);
        for (size_t k = 0; k < n; k++) {
            if (ms[k].start >= ms[k].end || ms[k].end > len
                || ((unsigned char)a->text[ms[k].start] & 0xc0) == 0x80
                || (ms[k].end < len && ((unsigned char)a->text[ms[k].end] & 0xc0) == 0x80)
                || ms[k].cp_start != code_points(a->text, 0, ms[k].start)
                || ms[k].cp_end != code_points(a->text, 0, ms[k].end))
                abort();
        }
        free(ms);
    }
    document_parsed_free(&d);
    return 0;
}
