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
 *
 * The same goes the other way: an import reads the canonical text of every
 * version it receives, and json_loadb, which takes a text one character at
 * a time through a stream with a call for each, spent 60,000 instructions
 * on a 400-byte version, more than the version's two SHA-256 hashes and
 * its signature check together.  canonical_parse reads the form
 * canonical_text writes (no white space, no \u escapes, numbers in
 * jansson's grammar) straight into jansson's values, and hands anything
 * else to json_loadb, so that what it gives, and what it refuses, is
 * json_loadb's; the tests hold the two to the same documents.
 */
#include "attest.h"
#include "canonical.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
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

double canonical_real(double v)
{
    char text[64];

    snprintf(text, sizeof text, "%.15g", v);
    return strtod(text, NULL);
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

/* The end of the value at p inside an object's text that ends at end
 * (its closing brace): the ',' or '}' after it, or NULL. */
static const char *value_end(const char *p, const char *end)
{
    int depth = 0;

    for (; p <= end; p++) {
        if (*p == '"') {
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\')
                    p++;
            if (p >= end)
                return NULL;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && depth-- == 0) {
            return p == end ? p : NULL;
        } else if (*p == ',' && depth == 0) {
            return p;
        }
    }
    return NULL;
}

char *canonical_text_merged(const char *text, size_t len, const struct canonical_member *set,
                            size_t n)
{
    const char *p, *end;
    struct buf out = BUF_INIT;
    size_t i = 0;

    if (len < 2 || text[0] != '{' || text[len - 1] != '}')
        return NULL;
    p = text + 1, end = text + len - 1;
    buf_reserve(&out, len + 256);
    buf_putc(&out, '{');
    while (p < end || i < n) {
        const char *key_end = NULL, *member_end = NULL;
        int order = -1; /* of set[i] against text's member at p: before it when none is left */
        if (p < end) {
            /* A member of text: "key":value, the key without escapes. */
            if (*p != '"')
                goto fail;
            for (key_end = p + 1; key_end < end && *key_end != '"' && *key_end != '\\'; key_end++)
                continue;
            if (key_end[0] != '"' || key_end[1] != ':'
                || (member_end = value_end(key_end + 2, end)) == NULL)
                goto fail;
            if (i < n)
                order = member_order(&(struct member){ set[i].key, strlen(set[i].key), NULL },
                                     &(struct member){ p + 1, (size_t)(key_end - p - 1), NULL });
        }
        if (out.len > 1)
            buf_putc(&out, ',');
        if (i < n && order <= 0) {
            put_string(&out, set[i].key, strlen(set[i].key));
            buf_putc(&out, ':');
            if (!put_value(&out, set[i].value, 1))
                goto fail;
            i++;
            if (order < 0)
                continue;
        } else {
            buf_append(&out, p, (size_t)(member_end - p));
        }
        p = member_end + (member_end < end);
    }
    buf_putc(&out, '}');
    return buf_detach(&out);
fail:
    buf_free(&out);
    return NULL;
}

/* ---- reading ---------------------------------------------------------- */

/* Deeper than this, json_loadb reads the text (its own limit is deeper). */
#define PARSE_MAX_DEPTH 64

struct reader {
    const char *p, *end;
    struct buf scratch; /* a string with escapes, decoded */
};

/* The string whose opening quote r is at, into *s and *len (in the text,
 * or in r->scratch when it has escapes), *ascii when it has no byte past
 * 0x7f (and so is UTF-8 without a check); false where json_loadb must
 * decide: a control byte, a \u escape, no closing quote. */
static bool read_string(struct reader *r, const char **s, size_t *len, bool *ascii)
{
    static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    const char *start = ++r->p;
    unsigned char high = 0;

    while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20)
        high |= (unsigned char)*r->p++;
    *ascii = high < 0x80;
    if (r->p < r->end && *r->p == '"') {
        *s = start, *len = (size_t)(r->p++ - start);
        return true;
    }
    buf_reset(&r->scratch);
    buf_append(&r->scratch, start, (size_t)(r->p - start));
    while (r->p < r->end && *r->p != '"') {
        unsigned char c = (unsigned char)*r->p++;
        const char *e;
        if (c < 0x20)
            return false;
        if (c != '\\') {
            *ascii = *ascii && c < 0x80;
            buf_putc(&r->scratch, (char)c);
            continue;
        }
        /* escapes holds pairs: the letter after the backslash, the byte. */
        if (r->p == r->end || *r->p == '\0' || (e = strchr(escapes, *r->p)) == NULL
            || (e - escapes) % 2 != 0)
            return false;
        buf_putc(&r->scratch, e[1]);
        r->p++;
    }
    if (r->p == r->end)
        return false;
    r->p++;
    *s = r->scratch.data ? r->scratch.data : "", *len = r->scratch.len;
    return true;
}

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* A number in jansson's grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?,
 * as jansson reads it: an integer without a fraction or exponent, a real
 * otherwise; NULL where json_loadb decides (a bad number, one out of
 * range, a locale whose decimal point strtod would not take). */
static json_t *read_number(struct reader *r)
{
    const char *start = r->p;
    char text[64], *end;
    bool real = false;

    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (!is_digit(r->p, r->end))
        return NULL;
    if (*r->p++ != '0')
        while (is_digit(r->p, r->end))
            r->p++;
    else if (is_digit(r->p, r->end))
        return NULL;
    if (r->p < r->end && *r->p == '.') {
        real = true;
        if (!is_digit(++r->p, r->end))
            return NULL;
        while (is_digit(r->p, r->end))
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        real = true;
        if (++r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!is_digit(r->p, r->end))
            return NULL;
        while (is_digit(r->p, r->end))
            r->p++;
    }
    if ((size_t)(r->p - start) >= sizeof text || (real && strcmp(localeconv()->decimal_point, ".")))
        return NULL;
    memcpy(text, start, (size_t)(r->p - start));
    text[r->p - start] = '\0';
    errno = 0;
    if (!real) {
        long long v = strtoll(text, &end, 10);
        return errno == ERANGE ? NULL : json_integer((json_int_t)v);
    }
    double v = strtod(text, &end);
    return errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL) ? NULL : json_real(v);
}

static bool read_word(struct reader *r, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static json_t *read_value(struct reader *r, int depth);

/* The members of the object or the items of the array whose opening
 * bracket r is at, into c. */
static bool read_members(struct reader *r, json_t *c, int depth)
{
    char close = json_is_object(c) ? '}' : ']';

    if (++r->p < r->end && *r->p == close) {
        r->p++;
        return true;
    }
    for (;;) {
        const char *key = NULL;
        char *owned = NULL;
        size_t len = 0;
        json_t *v;
        bool ok, ascii = true;
        if (json_is_object(c)) {
            if (r->p >= r->end || *r->p != '"' || !read_string(r, &key, &len, &ascii)
                || r->p >= r->end || *r->p++ != ':')
                return false;
            if (key == r->scratch.data)  /* the value's strings reuse the scratch */
                key = owned = buf_detach(&r->scratch);
        }
        if ((v = read_value(r, depth + 1)) == NULL)
            ok = false;
        else if (json_is_object(c))
            ok = (ascii ? json_object_setn_new_nocheck : json_object_setn_new)(c, key, len, v) == 0;
        else
            ok = json_array_append_new(c, v) == 0;
        free(owned);
        if (!ok || r->p >= r->end)
            return false;
        if (*r->p++ == close)
            return true;
        if (r->p[-1] != ',')
            return false;
    }
}

static json_t *read_value(struct reader *r, int depth)
{
    const char *s;
    size_t len;
    json_t *v;
    bool ascii;

    if (r->p >= r->end || depth > PARSE_MAX_DEPTH)
        return NULL;
    switch (*r->p) {
    case '{':
    case '[':
        v = *r->p == '{' ? json_object() : json_array();
        if (!read_members(r, v, depth)) {
            json_decref(v);
            return NULL;
        }
        return v;
    case '"':
        if (!read_string(r, &s, &len, &ascii))
            return NULL;
        return ascii ? json_stringn_nocheck(s, len) : json_stringn(s, len);
    case 't': return read_word(r, "true") ? json_true() : NULL;
    case 'f': return read_word(r, "false") ? json_false() : NULL;
    case 'n': return read_word(r, "null") ? json_null() : NULL;
    default: return read_number(r);
    }
}

json_t *canonical_parse(const char *text, size_t len)
{
    struct reader r = { text, text + len, BUF_INIT };
    json_t *doc = NULL;

    if (len > 0 && (*text == '{' || *text == '['))
        doc = read_value(&r, 0);
    buf_free(&r.scratch);
    if (doc != NULL && r.p == r.end)
        return doc;
    json_decref(doc);
    return json_loadb(text, len, 0, NULL);
}

void canonical_now(char out[21])
{
    /* The last second's text, per thread: an import stamps each version it
     * stores, and strftime took longer than the stamp's row. */
    static _Thread_local time_t last = -1;
    static _Thread_local char text[21];
    time_t now = time(NULL);
    struct tm tm;

    if (now != last) {
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
        last = now;
    }
    memcpy(out, text, sizeof text);
}
