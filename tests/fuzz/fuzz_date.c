/*
 * fuzz_date.c: date_parse on arbitrary bytes.  Whatever it accepts must
 * be a proper interval, print as text that parses back to the same date,
 * and print the same way a second time; whatever it refuses must say why
 * in valid UTF-8 without control characters, so that it can go into JSON.
 */
#include "../../src/core/date.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when s is well-formed UTF-8 and holds no control character. */
static bool clean_utf8(const unsigned char *s)
{
    while (*s) {
        uint32_t cp = *s, min;
        int more;

        if (cp < 0x20 || cp == 0x7f)
            return false;
        if (cp < 0x80) {
            s++;
            continue;
        }
        if ((cp & 0xe0) == 0xc0)
            more = 1;
        else if ((cp & 0xf0) == 0xe0)
            more = 2;
        else if ((cp & 0xf8) == 0xf0)
            more = 3;
        else
            return false;
        cp &= 0x3fu >> more;
        min = more == 1 ? 0x80 : more == 2 ? 0x800 : 0x10000;
        for (s++; more > 0; more--, s++) {
            if ((*s & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (*s & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct at_ctx ctx = { 0 };
    struct fuzzy_date d, again;
    struct buf first = BUF_INIT, second = BUF_INIT;
    char *text = xmalloc(size + 1);

    memcpy(text, data, size);
    text[size] = '\0';
    if (date_parse(&ctx, text, &d) != AT_OK) {
        if (ctx.code != AT_EINVAL || ctx.message[0] == '\0' ||
            !clean_utf8((const unsigned char *)ctx.message))
            abort();
        goto out;
    }
    if (d.lo > d.hi || d.lo < DATE_UNKNOWN_LO || d.hi > DATE_UNKNOWN_HI)
        abort();
    if (d.range && d.approx)
        abort();
    date_format(&d, &first);
    if (date_parse(&ctx, buf_str(&first), &again) != AT_OK)
        abort();
    if (!date_equal(&d, &again) || date_compare(&d, &again) != 0 ||
        !date_overlaps(&d, &again))
        abort();
    date_format(&again, &second);
    if (strcmp(buf_str(&first), buf_str(&second)) != 0)
        abort();
out:
    buf_free(&first);
    buf_free(&second);
    free(text);
    return 0;
}
