/*
 * attest.h: the first include of every core file.
 *
 * The core library never prints and never exits.  Each function that can
 * fail returns an AT_* result code and leaves a human-readable message on
 * the context it was given; the CLI and the HTTP server decide how to show
 * it.  Strings that grow are built in a length-tracked struct buf.
 */
#ifndef ATTEST_H
#define ATTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Result codes.  Zero is success; every failure is negative. */
enum {
    AT_OK = 0,
    AT_ERR = -1,       /* unexpected failure (I/O, SQLite, out of memory) */
    AT_EINVAL = -2,    /* the input is not valid; the message says why */
    AT_ENOTFOUND = -3, /* the named record, file or user does not exist */
    AT_ECONFLICT = -4, /* the write contradicts what the archive holds */
    AT_EDENIED = -5,   /* the user may not do this */
    AT_ECORRUPT = -6,  /* the archive fails an integrity check */
};

/* Where an error is reported.  One per thread of work. */
struct at_ctx {
    int code;          /* last AT_* code set */
    char message[1024];
};

/* Sets ctx's message from a printf format and returns code, so that a
 * failing function can end with `return ctx_error(ctx, AT_EINVAL, ...)`. */
int ctx_error(struct at_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the current message with more context ("line 3: " + message). */
int ctx_prefix(struct at_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void ctx_clear(struct at_ctx *ctx);

/* A growable byte string, always NUL-terminated once anything is in it.
 * The struct owns data; release it with buf_free.  BUF_INIT is empty. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }

void buf_append(struct buf *b, const void *data, size_t len);
/* Makes room for extra more bytes and the NUL after them, for a writer
 * that fills data + len itself, then adds to len and ends with the NUL. */
void buf_reserve(struct buf *b, size_t extra);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* Returns the string (never NULL: "" when empty); the buffer keeps owning it. */
const char *buf_str(const struct buf *b);
/* Hands the string to the caller, who frees it; the buffer becomes empty. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

/* Allocation that aborts on exhaustion: the process cannot go on sanely. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
