/*
 * csv.c: the CSV reader and writer declared in csv.h.  The reader pulls
 * bytes through a fixed buffer, tracks the line and column of every byte
 * for its messages, and keeps the fields of the current record in one
 * buffer, each followed by a NUL.
 */
#include "attest.h"
#include "csv.h"
#include "number.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What peek returns besides a byte value. */
#define END (-1)

#define SUB 0x1A

struct csv_reader {
    FILE *f;               /* read from f when set, else from fd */
    int fd;
    char *name;
    struct csv_options opt;

    unsigned char in[65536];
    size_t pos, end;       /* unread bytes are in[pos..end) */
    bool eof;
    int io_errno;          /* set when a read failed */

    unsigned long line, col; /* where in[pos] is: line and character, from 1 */
    unsigned long line_start; /* where the current record starts */
    bool after_cr;         /* the last byte was CR, so an LF ends no new line */
    bool started;          /* the byte order mark has been looked for */
    int failed;            /* the AT_* code of an earlier error, or 0 */
    size_t width;          /* fields in the first record, for same_width */

    struct buf text;       /* the current record's fields, each NUL-ended */
    size_t *offs;          /* where each field starts in text */
    size_t *lens;
    const char **ptrs;
    size_t n, cap;
};

/* Makes at least k bytes readable, unless the input ends first, and
 * returns how many are. */
static size_t ensure(struct csv_reader *r, size_t k)
{
    while (r->end - r->pos < k && !r->eof) {
        if (r->pos > 0) {
            memmove(r->in, r->in + r->pos, r->end - r->pos);
            r->end -= r->pos;
            r->pos = 0;
        }
        size_t room = sizeof r->in - r->end;
        ssize_t got;
        if (r->f != NULL) {
            got = (ssize_t)fread(r->in + r->end, 1, room, r->f);
            if (got == 0 && ferror(r->f))
                got = -1;
        } else {
            do
                got = read(r->fd, r->in + r->end, room);
            while (got < 0 && errno == EINTR);
        }
        if (got < 0) {
            r->io_errno = errno ? errno : EIO;
            r->eof = true;
        } else if (got == 0) {
            r->eof = true;
        }
        if (got > 0)
            r->end += (size_t)got;
    }
    return r->end - r->pos < k ? r->end - r->pos : k;
}

/* Returns the next byte without consuming it, or END. */
static int peek(struct csv_reader *r)
{
    return ensure(r, 1) ? r->in[r->pos] : END;
}

/* Consumes the byte peek returned, keeping line and column right: CR, LF
 * and CRLF each end one line, and the column counts characters, not the
 * continuation bytes of UTF-8. */
static void skip(struct csv_reader *r)
{
    unsigned char c = r->in[r->pos++];

    if (c == '\n' || c == '\r') {
        if (!(c == '\n' && r->after_cr))
            r->line++;
        r->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        r->col++;
    }
    r->after_cr = c == '\r';
}

/* Whether the next byte is a 0x1A that ends the input and should be
 * dropped (only with stop_at_sub). */
static bool at_final_sub(struct csv_reader *r)
{
    return r->opt.stop_at_sub && peek(r) == SUB && ensure(r, 2) == 1;
}

/* Consumes a line end, CRLF as one. */
static void skip_line_end(struct csv_reader *r)
{
    int c = peek(r);

    skip(r);
    if (c == '\r' && peek(r) == '\n')
        skip(r);
}

/* Sets an AT_EINVAL message that starts "name:line:col: " (or "name:line: "
 * when col is 0), marks the reader failed and returns AT_EINVAL. */
static int fail(struct csv_reader *r, struct at_ctx *ctx, unsigned long line,
                unsigned long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(struct csv_reader *r, struct at_ctx *ctx, unsigned long line,
                unsigned long col, const char *fmt, ...)
{
    struct buf msg = BUF_INIT;
    va_list ap;

    buf_printf(&msg, "%s:%lu:", r->name, line);
    if (col > 0)
        buf_printf(&msg, "%lu:", col);
    buf_putc(&msg, ' ');
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    r->failed = ctx_error(ctx, AT_EINVAL, "%s", buf_str(&msg));
    buf_free(&msg);
    return AT_EINVAL;
}

/* The delimiter as a message shows it. */
static const char *delim_name(const struct csv_reader *r)
{
    switch (r->opt.delimiter) {
    case ',': return "a comma";
    case ';': return "a semicolon";
    case '\t': return "a tab";
    default: return "the delimiter";
    }
}

static int fail_nul(struct csv_reader *r, struct at_ctx *ctx)
{
    return fail(r, ctx, r->line, r->col,
                "a NUL byte, which CSV text cannot contain; if this is a "
                "spreadsheet or a UTF-16 file, save it as CSV in UTF-8");
}

/* Whether s[0..n) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t more;
        uint32_t cp, min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            more = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i <= more)
            return false;
        for (size_t j = 1; j <= more; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += more + 1;
    }
    return true;
}

/* Ends the field that started at text offset `start` on line `line`. */
static int end_field(struct csv_reader *r, size_t start, unsigned long line,
                     struct at_ctx *ctx)
{
    size_t len = r->text.len - start;

    buf_putc(&r->text, '\0');
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->offs = xrealloc(r->offs, r->cap * sizeof *r->offs);
        r->lens = xrealloc(r->lens, r->cap * sizeof *r->lens);
        r->ptrs = xrealloc(r->ptrs, r->cap * sizeof *r->ptrs);
    }
    r->offs[r->n] = start;
    r->lens[r->n] = len;
    r->n++;
    if (!utf8_valid((const unsigned char *)r->text.data + start, len))
        return fail(r, ctx, line, 0, "field %zu is not valid UTF-8; save the "
                    "file as UTF-8", r->n);
    return AT_OK;
}

/* When the next byte ends a field (the delimiter, a line end, the end of
 * the input), consumes it, stores what ended the field in *stop (the
 * delimiter, '\n' for any line end, or END) and returns true. */
static bool at_field_end(struct csv_reader *r, int *stop)
{
    int c = peek(r);

    if (c == r->opt.delimiter) {
        skip(r);
        *stop = c;
    } else if (c == '\r' || c == '\n') {
        skip_line_end(r);
        *stop = '\n';
    } else if (c == END) {
        *stop = END;
    } else if (at_final_sub(r)) {
        skip(r);
        *stop = END;
    } else {
        return false;
    }
    return true;
}

/* Reads an unquoted field and what ends it (see at_field_end). */
static int read_plain(struct csv_reader *r, int *stop, struct at_ctx *ctx)
{
    size_t start = r->text.len;

    while (!at_field_end(r, stop)) {
        int c = peek(r);

        if (c == 0)
            return fail_nul(r, ctx);
        if (c == '"') {
            size_t len = r->text.len - start;
            if (len > 0 && strspn(r->text.data + start, " \t") == len)
                return fail(r, ctx, r->line, r->col,
                            "spaces before the opening quote of a field; remove "
                            "them, or enclose the whole field in double quotes "
                            "and double the quote (\"\")");
            return fail(r, ctx, r->line, r->col,
                        "a quote inside an unquoted field; enclose the field in "
                        "double quotes and double the quote (\"\")");
        }
        buf_putc(&r->text, (char)c);
        skip(r);
    }
    return AT_OK;
}

/* Reads a quoted field, the opening quote being next, and what ends it. */
static int read_quoted(struct csv_reader *r, int *stop, struct at_ctx *ctx)
{
    unsigned long line = r->line, col = r->col;
    int c;

    skip(r);
    for (;;) {
        c = peek(r);
        if (c == END)
            return fail(r, ctx, line, col,
                        "unterminated quoted field starting at line %lu: the "
                        "file ends inside it; close the field with a double "
                        "quote, and double any quote inside it (\"\")", line);
        if (c == 0)
            return fail_nul(r, ctx);
        skip(r);
        if (c == '"') {
            if (peek(r) != '"')
                break;
            skip(r);
        }
        buf_putc(&r->text, (char)c);
    }
    if (!at_field_end(r, stop))
        return fail(r, ctx, r->line, r->col,
                    "text after the closing quote of a quoted field; a quoted "
                    "field must end at %s or a line end, and a quote inside it "
                    "must be doubled (\"\")", delim_name(r));
    return AT_OK;
}

/* Looks for a byte order mark at the start of the input: UTF-8's is
 * dropped, UTF-16's refused. */
static int read_bom(struct csv_reader *r, struct at_ctx *ctx)
{
    size_t have = ensure(r, 3);
    const unsigned char *p = r->in + r->pos;

    r->started = true;
    if (have == 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        r->pos += 3;
    else if (have >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) ||
                           (p[0] == 0xFE && p[1] == 0xFF)))
        return fail(r, ctx, 1, 1, "the file is UTF-16; save it as UTF-8");
    return AT_OK;
}

/* Reads one record: returns 1, 0 at the end of the input, or AT_EINVAL. */
static int read_record(struct csv_reader *r, struct at_ctx *ctx)
{
    int c, rc, stop = END;

    r->n = 0;
    buf_reset(&r->text);
    while ((c = peek(r)) == '\r' || c == '\n')
        skip(r); /* blank lines hold no record */
    if (c == END)
        return 0;
    if (at_final_sub(r)) {
        skip(r);
        return 0;
    }
    r->line_start = r->line;
    do {
        size_t start = r->text.len;
        unsigned long line = r->line;

        if (peek(r) == '"')
            rc = read_quoted(r, &stop, ctx);
        else
            rc = read_plain(r, &stop, ctx);
        if (rc == AT_OK)
            rc = end_field(r, start, line, ctx);
        if (rc != AT_OK)
            return rc;
    } while (stop == r->opt.delimiter);
    return 1;
}

static int reader_new(struct csv_reader **out, FILE *f, int fd, const char *name,
                      const struct csv_options *opt, struct at_ctx *ctx)
{
    struct csv_reader *r;
    struct csv_options o = { 0 };

    *out = NULL;
    if (opt != NULL)
        o = *opt;
    if (o.delimiter == 0)
        o.delimiter = ',';
    if (o.delimiter == '"' || o.delimiter == '\r' || o.delimiter == '\n' ||
        (unsigned char)o.delimiter >= 0x80)
        return ctx_error(ctx, AT_EINVAL, "%s: 0x%02X cannot be a CSV delimiter; "
                         "use a comma, a semicolon or a tab", name,
                         (unsigned char)o.delimiter);
    r = xcalloc(1, sizeof *r);
    r->f = f;
    r->fd = fd;
    r->name = xstrdup(name);
    r->opt = o;
    r->line = r->col = 1;
    *out = r;
    return AT_OK;
}

int csv_open(struct csv_reader **out, FILE *f, const char *name,
             const struct csv_options *opt, struct at_ctx *ctx)
{
    return reader_new(out, f, -1, name, opt, ctx);
}

int csv_open_fd(struct csv_reader **out, int fd, const char *name,
                const struct csv_options *opt, struct at_ctx *ctx)
{
    return reader_new(out, NULL, fd, name, opt, ctx);
}

int csv_read(struct csv_reader *r, struct csv_record *rec, struct at_ctx *ctx)
{
    int rc = AT_OK;

    if (r->failed)
        return ctx_error(ctx, r->failed, "%s: reading stopped at an earlier "
                         "error", r->name);
    if (!r->started)
        rc = read_bom(r, ctx);
    if (rc == AT_OK)
        rc = read_record(r, ctx);
    if (r->io_errno) {
        r->failed = AT_ERR;
        return ctx_error(ctx, AT_ERR, "%s:%lu: cannot read: %s", r->name,
                         r->line, strerror(r->io_errno));
    }
    if (rc != 1)
        return rc;
    for (size_t i = 0; i < r->n; i++)
        r->ptrs[i] = r->text.data + r->offs[i];
    rec->fields = r->ptrs;
    rec->lens = r->lens;
    rec->n = r->n;
    rec->line = r->line_start;
    if (r->opt.same_width) {
        if (r->width == 0)
            r->width = r->n;
        else if ((rc = csv_check_width(r, rec, r->width, ctx)) != AT_OK)
            return r->failed = rc;
    }
    return 1;
}

int csv_check_width(const struct csv_reader *r, const struct csv_record *rec,
                    size_t expected, struct at_ctx *ctx)
{
    if (rec->n == expected)
        return AT_OK;
    return ctx_error(ctx, AT_EINVAL, "%s:%lu: %zu field%s, but the header has "
                     "%zu; every record needs as many fields as the header (look "
                     "for a missing or extra delimiter, or a value containing "
                     "one that is not in double quotes)", r->name, rec->line,
                     rec->n, rec->n == 1 ? "" : "s", expected);
}

void csv_close(struct csv_reader *r)
{
    if (r == NULL)
        return;
    buf_free(&r->text);
    free(r->offs);
    free(r->lens);
    free(r->ptrs);
    free(r->name);
    free(r);
}

/* Whether a field must be quoted to read back the same. */
static bool needs_quotes(const char *f, size_t len, char delim, size_t n)
{
    if (len == 0)
        return n == 1; /* an unquoted lone empty field is a blank line */
    if (f[0] == ' ' || f[0] == '\t' || f[len - 1] == ' ' || f[len - 1] == '\t')
        return true;
    if (len >= 3 && memcmp(f, "\xEF\xBB\xBF", 3) == 0)
        return true;
    for (size_t i = 0; i < len; i++)
        if (f[i] == delim || f[i] == '"' || f[i] == '\r' || f[i] == '\n')
            return true;
    return false;
}

bool csv_is_formula(const char *f)
{
    f += strspn(f, "'");
    return *f != '\0' && strchr("=+-@\t\r", *f) != NULL && !number_is_decimal(f);
}

const char *csv_unguard(const char *f)
{
    return f[0] == '\'' && csv_is_formula(f) ? f + 1 : f;
}

void csv_write_record_opt(struct buf *out, const char *const *fields, size_t n,
                          const struct csv_options *opt)
{
    char delim = opt != NULL && opt->delimiter ? opt->delimiter : ',';
    bool guard = opt != NULL && opt->guard_formulas;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *f = fields[i];
        size_t len = strlen(f);
        bool formula = guard && csv_is_formula(f);

        if (i > 0)
            buf_putc(out, delim);
        if (!formula && !needs_quotes(f, len, delim, n)) {
            buf_append(out, f, len);
            continue;
        }
        buf_putc(out, '"');
        if (formula)
            buf_putc(out, '\'');
        for (const char *q; (q = memchr(f, '"', len)) != NULL; ) {
            buf_append(out, f, (size_t)(q - f) + 1);
            buf_putc(out, '"');
            len -= (size_t)(q - f) + 1;
            f = q + 1;
        }
        buf_append(out, f, len);
        buf_putc(out, '"');
    }
    buf_puts(out, opt != NULL && opt->crlf ? "\r\n" : "\n");
}

void csv_write_record(struct buf *out, const char *const *fields, size_t n)
{
    csv_write_record_opt(out, fields, n, NULL);
}
