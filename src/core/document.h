/*
 * document.h: news articles, reports and digests as sources.  A file of
 * plain text, Markdown or HTML becomes document records that keep its
 * text; a digest of several articles, each ending with its attribution
 * ("[South China Morning Post]", or a line that is one link), becomes one
 * document per article that names the digest, beside a document for the
 * digest itself.  Each article's text is tagged (tags.h) as it is stored.
 */
#ifndef DOCUMENT_H
#define DOCUMENT_H

#include "attest.h"
#include "store.h"

#include <jansson.h>
#include <stdio.h>

/* The largest file a document import reads, and the largest text one
 * article may keep (a record's text field). */
#define DOCUMENT_MAX_BYTES ((size_t)16 << 20)
#define DOCUMENT_MAX_TEXT ((size_t)1 << 20)

enum document_format { DOCUMENT_TEXT, DOCUMENT_MARKDOWN, DOCUMENT_HTML };

/* "text", "markdown", "html". */
const char *document_format_name(enum document_format f);
/* Parses a format's name; AT_EINVAL listing the valid ones otherwise. */
int document_format_parse(struct at_ctx *ctx, const char *name, enum document_format *out);
/* The format of a file: by its name's extension (.html, .htm, .md,
 * .markdown, .txt), else by its first bytes (an HTML tag), else text. */
enum document_format document_sniff(const char *name, const char *data, size_t len);

/* Reads all of in into out, refusing (AT_EINVAL, naming the file) one
 * larger than DOCUMENT_MAX_BYTES after reading at most one byte past it. */
int document_read(struct at_ctx *ctx, FILE *in, const char *name, struct buf *out);

struct document_article {
    char *title;      /* the headline */
    char *publisher;  /* the attribution, or NULL */
    char *url;        /* the attribution's link, or NULL */
    char *text;       /* headline and paragraphs, a blank line between */
};

struct document_parsed {
    char *title;                        /* the file's own heading (an h1), or NULL */
    struct document_article *articles;  /* at least one */
    size_t n;                           /* more than one: a digest */
};

/*
 * Parses data (len bytes of the file called name) as fmt into articles.
 * Refused with AT_EINVAL and a message naming the file and saying what
 * would be valid: a NUL byte (binary data), bytes that are not UTF-8, a
 * file with no text, HTML that libxml2 cannot read (it is read with
 * recovery, no network and no external entities), an article text larger
 * than DOCUMENT_MAX_TEXT.  On success out holds what the caller frees with
 * document_parsed_free; on failure it is empty.
 */
int document_parse(struct at_ctx *ctx, const char *name, const char *data, size_t len,
                   enum document_format fmt, struct document_parsed *out);
void document_parsed_free(struct document_parsed *d);

/* Appends code points [start, end) of text to out; AT_EINVAL when the
 * span is empty or runs past the text's length in code points. */
int document_span(struct at_ctx *ctx, const char *text, size_t start, size_t end, struct buf *out);

/* What `attest import document` and POST /documents import.  Optional
 * strings are NULL when not given. */
struct document_import {
    const char *name;        /* the file's name, for messages and the default title */
    const char *data;
    size_t len;
    enum document_format format;
    const char *url, *published, *publisher, *title;
    /* results */
    char id[32];             /* the document (the digest when split) */
    size_t articles;         /* documents written for articles (0: not split) */
    size_t tags;             /* tags suggested */
    json_t *written;         /* a new array of {"id", "title", "publisher", "tags"}, one per
                              * document written (the digest first); the caller's */
};

/* Parses, stores and tags one file: an evlog_write function (arg is a
 * struct document_import), so that all of it is written or none. */
int document_import_write(struct at_ctx *ctx, struct store *st, void *arg);

#endif
