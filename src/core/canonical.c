/*
 * canonical.c: the canonical text of a JSON document and the archive's
 * clock (canonical.h).  Changing either changes every hash and signature
 * over what is written from then on.
 *
 * The canonical text is, byte for byte, what jansson's
 * json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))
 * makes, which archives written before were hashed over; it is written
 * here directly into one buffer because an import makes one for every
 * record, and json_dumps spends most of its time on what a document of
 * the archive does not need: a hash table of the containers it is inside
 * (to refuse a cycle, which a parsed or built document cannot have; a
 * depth limit stands in for it), a look-up of each key again after
 * sorting, and a call and a copy for every token.  tests/unit's
 * canonical tests hold the two to the same bytes.
 */
#include "attest.h"
#include "canonical.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Deeper than any document attest writes; past it, no text (as a cycle). */
#define CANONICAL_MAX_DEPTH 2048

struct member {
    const char *key;
    size_t len;
    json_t *value;
};

/* jansson's key order: bytes compared, a prefix first. */
static int member_order(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* A string between quotes, with jansson's escapes: backslash, quote and
 * the control characters; every other byte as it is (UTF-8, checked when
 * the string was made). */
static void put_string(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;

    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            buf_append(out, u, sizeof u);
        }
        }
    }
    buf_append(out, s + run, len - run);
    buf_putc(out, '"');
}

/* A real as jansson writes it at 15 significant digits: %.15g with a '.'
 * for the locale's decimal point, ".0" if it would read as an integer,
 * and no '+' or leading zeros in the exponent. */
static bool put_real(struct buf *out, double v)
{
    char text[64], *e, *from;
    int n = snprintf(text, sizeof text, "%.15g", v);
    char point = *localeconv()->decimal_point;

    if (n < 0 || (size_t)n >= sizeof text - 3)
        return false;
    if (point != '.' && (e = strchr(text, point)) != NULL)
        *e = '.';
    if (strchr(text, '.') == NULL && strchr(text, 'e') == NULL) {
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    if ((e = strchr(text, 'e')) != NULL) {
        char *start = e + 1;
        from = start + 1;
        if (*start == '-')
            start++;
        while (*from == '0')
            from++;
        if (from != start) {
            memmove(start, from, (size_t)(text + n - from) + 1);
            n -= (int)(from - start);
        }
    }
    buf_append(out, text, (size_t)n);
    return true;
}

static bool put_value(struct buf *out, json_t *v, int depth)
{
    char number[32];
    size_t i, n;

    if (depth > CANONICAL_MAX_DEPTH)
        return false;
    switch (json_typeof(v)) {
    case JSON_NULL: buf_puts(out, "null"); return true;
    case JSON_TRUE: buf_puts(out, "true"); return true;
    case JSON_FALSE: buf_puts(out, "false"); return true;
    case JSON_INTEGER:
        n = (size_t)snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        buf_append(out, number, n);
        return true;
    case JSON_REAL: return put_real(out, json_real_value(v));
    case JSON_STRING: put_string(out, json_string_value(v), json_string_length(v)); return true;
    case JSON_ARRAY:
        buf_putc(out, '[');
        for (i = 0, n = json_array_size(v); i < n; i++) {
            if (i)
                buf_putc(out, ',');
            if (!put_value(out, json_array_get(v, i), depth + 1))
                return false;
        }
        buf_putc(out, ']');
        return true;
    case JSON_OBJECT: {
        struct member small[16], *m = small;
        const char *key;
        size_t len;
        json_t *value;
        bool ok = true;

        n = json_object_size(v);
        if (n > ARRAY_LEN(small))
            m = xmalloc(n * sizeof *m);
        i = 0;
        json_object_keylen_foreach(v, key, len, value)
            m[i++] = (struct member){ key, len, value };
        qsort(m, n, sizeof *m, member_order);
        buf_putc(out, '{');
        for (i = 0; ok && i < n; i++) {
            if (i)
                buf_putc(out, ',');
            put_string(out, m[i].key, m[i].len);
            buf_putc(out, ':');
            ok = put_value(out, m[i].value, depth + 1);
        }
        buf_putc(out, '}');
        if (m != small)
            free(m);
        return ok;
    }
    }
    return false;
}

char *canonical_text(json_t *doc)
{
    struct buf out = BUF_INIT;

    if ((json_is_object(doc) || json_is_array(doc)) && put_value(&out, doc, 0))
        return buf_detach(&out);
    buf_free(&out);
    return NULL;
}

void canonical_now(char out[21])
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
