/*
 * document.c: text, Markdown and HTML files as document records (see
 * document.h).
 *
 * Every format is first turned into blocks: paragraphs and headings of
 * plain text, each with the one link it consists of, if it is a link.
 * One splitter then reads the blocks the same way for every format: a
 * block that is an attribution ("[Yonhap]", a lone link, or "[Yonhap]" at
 * the end of a paragraph) ends an article.
 */
#include "attest.h"
#include "document.h"
#include "access.h"
#include "canonical.h"
#include "model.h"
#include "record.h"
#include "tagger.h"
#include "tags.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/utf8.h>

/* The longest attribution: a publisher's name, not a sentence. */
#define ATTRIBUTION_MAX 100
/* The longest first paragraph taken as a headline. */
#define HEADLINE_MAX 200

static const char *const format_names[] = { "text", "markdown", "html" };

const char *document_format_name(enum document_format f)
{
    return format_names[f];
}

int document_format_parse(struct at_ctx *ctx, const char *name, enum document_format *out)
{
    for (size_t i = 0; i < ARRAY_LEN(format_names); i++)
        if (strcmp(name, format_names[i]) == 0) {
            *out = (enum document_format)i;
            return AT_OK;
        }
    return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a document format; valid: text, markdown, html", name);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

enum document_format document_sniff(const char *name, const char *data, size_t len)
{
    static const char *const tags[] = { "<!doctype html", "<html", "<head", "<body", "<p>", "<div",
                                        "<h1", "<h2", "<article" };
    size_t i = 0;

    if (name && (ends_with(name, ".html") || ends_with(name, ".htm")))
        return DOCUMENT_HTML;
    if (name && (ends_with(name, ".md") || ends_with(name, ".markdown")))
        return DOCUMENT_MARKDOWN;
    if (name && ends_with(name, ".txt"))
        return DOCUMENT_TEXT;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    for (size_t t = 0; t < ARRAY_LEN(tags); t++)
        if (len - i >= strlen(tags[t]) && strncasecmp(data + i, tags[t], strlen(tags[t])) == 0)
            return DOCUMENT_HTML;
    return DOCUMENT_TEXT;
}

int document_read(struct at_ctx *ctx, FILE *in, const char *name, struct buf *out)
{
    char chunk[65536];
    size_t n;

    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        buf_append(out, chunk, n);
        if (out->len > DOCUMENT_MAX_BYTES)
            return ctx_error(ctx, AT_EINVAL, "%s: larger than %zu MiB; a document import takes a "
                             "text, Markdown or HTML file of at most %zu MiB: split it into "
                             "several", name, DOCUMENT_MAX_BYTES >> 20, DOCUMENT_MAX_BYTES >> 20);
    }
    if (ferror(in))
        return ctx_error(ctx, AT_ERR, "%s: cannot read", name);
    return AT_OK;
}

/* ---- blocks ---------------------------------------------------------------------- */

struct block {
    char *text;
    int heading;   /* 1-6, 0 for a paragraph */
    char *link;    /* the URL when the block is one link and nothing else */
};

struct blocks {
    struct block *b;
    size_t n, cap;
};

/* Appends text to out with runs of white space made one space. */
static void put_text(struct buf *out, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (isspace((unsigned char)text[i])) {
            if (out->len && out->data[out->len - 1] != ' ')
                buf_putc(out, ' ');
        } else {
            buf_putc(out, text[i]);
        }
    }
}

/* Adds the text in cur (trimmed) as a block, unless it is empty. */
static void add_block(struct blocks *bs, struct buf *cur, int heading, const char *link)
{
    size_t len = cur->len;

    while (len && cur->data[len - 1] == ' ')
        len--;
    size_t start = 0;
    while (start < len && cur->data[start] == ' ')
        start++;
    if (start < len) {
        if (bs->n == bs->cap) {
            bs->cap = bs->cap ? 2 * bs->cap : 32;
            bs->b = xrealloc(bs->b, bs->cap * sizeof *bs->b);
        }
        char *text = xmalloc(len - start + 1);
        memcpy(text, cur->data + start, len - start);
        text[len - start] = '\0';
        bs->b[bs->n++] = (struct block){ text, heading, link ? xstrdup(link) : NULL };
    }
    buf_reset(cur);
}

static void blocks_free(struct blocks *bs)
{
    for (size_t i = 0; i < bs->n; i++) {
        free(bs->b[i].text);
        free(bs->b[i].link);
    }
    free(bs->b);
}

/* ---- HTML -------------------------------------------------------------------------- */

struct html_walk {
    struct blocks *bs;
    struct buf cur;
    char *link;          /* the first link's URL in the current block */
    int links;           /* links in the current block */
    bool outside;        /* text outside any link in the current block */
    int in_link;
};

static bool html_is(const xmlNode *n, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (xmlStrcasecmp(n->name, (const xmlChar *)names[i]) == 0)
            return true;
    return false;
}

static void html_flush(struct html_walk *w, int heading)
{
    const char *link = w->links == 1 && !w->outside ? w->link : NULL;

    add_block(w->bs, &w->cur, heading, link);
    free(w->link);
    w->link = NULL;
    w->links = 0;
    w->outside = false;
}

static void html_walk(struct html_walk *w, xmlNode *node)
{
    static const char *const skipped[] = { "head", "script", "style", "noscript", "template", "nav" };
    static const char *const blocks[] = { "p", "div", "li", "blockquote", "pre", "td", "th", "section",
                                          "article", "header", "footer", "ul", "ol", "table", "tr",
                                          "dd", "dt", "figure", "figcaption", "aside", "main", "hr",
                                          "h1", "h2", "h3", "h4", "h5", "h6", "br", "body" };

    for (xmlNode *n = node; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            const char *text = (const char *)n->content;
            if (text == NULL)
                continue;
            put_text(&w->cur, text, strlen(text));
            for (const char *p = text; *p && !w->in_link; p++)
                if (!isspace((unsigned char)*p)) {
                    w->outside = true;
                    break;
                }
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || html_is(n, skipped, ARRAY_LEN(skipped)))
            continue;
        bool block = html_is(n, blocks, ARRAY_LEN(blocks));
        int heading = n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0'
                          ? n->name[1] - '0' : 0;
        bool link = xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0;
        if (block)
            html_flush(w, 0);
        if (link) {
            xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
            if (w->links++ == 0 && href)
                w->link = xstrdup((const char *)href);
            xmlFree(href);
            w->in_link++;
        }
        html_walk(w, n->children);
        if (link)
            w->in_link--;
        if (block)
            html_flush(w, heading);
    }
}

static int html_blocks(struct at_ctx *ctx, const char *name, const char *data, size_t len,
                       struct blocks *bs)
{
    struct html_walk w = { bs, BUF_INIT, NULL, 0, false, 0 };
    htmlParserCtxtPtr pc;
    htmlDocPtr doc;

    if (len > INT32_MAX)
        return ctx_error(ctx, AT_EINVAL, "%s: too large", name);
    xmlInitParser();
    if ((pc = htmlNewParserCtxt()) == NULL)
        return ctx_error(ctx, AT_ERR, "out of memory");
    doc = htmlCtxtReadMemory(pc, data, (int)len, name, "UTF-8",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                                 | HTML_PARSE_RECOVER | HTML_PARSE_NOIMPLIED);
    htmlFreeParserCtxt(pc);
    if (doc == NULL)
        return ctx_error(ctx, AT_EINVAL, "%s: not HTML that can be read; give an HTML page, or "
                         "import it as text with --format text", name);
    html_walk(&w, xmlDocGetRootElement(doc) ? doc->children : NULL);
    html_flush(&w, 0);
    buf_free(&w.cur);
    xmlFreeDoc(doc);
    return AT_OK;
}

/* ---- text and Markdown ------------------------------------------------------------- */

/* Markdown's inline marks out of a line: [text](url) becomes text, ** and
 * __ go; the URL of a line that is one link is kept in *link. */
static void md_inline(const char *s, size_t len, struct buf *out, char **link)
{
    size_t i = 0;

    if (len > 4 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close && close + 1 < s + len && close[1] == '(' && s[len - 1] == ')'
            && memchr(close + 2, ')', (size_t)(s + len - 1 - (close + 2))) == NULL) {
            *link = xmalloc((size_t)(s + len - 1 - (close + 2)) + 1);
            memcpy(*link, close + 2, (size_t)(s + len - 1 - (close + 2)));
            (*link)[s + len - 1 - (close + 2)] = '\0';
        }
    }
    while (i < len) {
        if (s[i] == '[') {
            const char *close = memchr(s + i, ']', len - i);
            if (close && close + 1 < s + len && close[1] == '(') {
                const char *end = memchr(close, ')', (size_t)(s + len - close));
                if (end) {
                    put_text(out, s + i + 1, (size_t)(close - (s + i + 1)));
                    i = (size_t)(end - s) + 1;
                    continue;
                }
            }
        }
        if (i + 1 < len && (s[i] == '*' || s[i] == '_') && s[i + 1] == s[i]) {
            i += 2;
            continue;
        }
        put_text(out, s + i, 1);
        i++;
    }
}

static void text_blocks(const char *data, size_t len, bool markdown, struct blocks *bs)
{
    struct buf cur = BUF_INIT;
    char *link = NULL;
    size_t lines = 0;

    for (size_t i = 0; i <= len;) {
        size_t end = i;
        while (end < len && data[end] != '\n')
            end++;
        const char *s = data + i;
        size_t n = end - i;
        while (n && (s[n - 1] == '\r' || isspace((unsigned char)s[n - 1])))
            n--;
        size_t lead = 0;
        while (lead < n && isspace((unsigned char)s[lead]))
            lead++;
        int heading = 0;
        if (markdown)
            while (lead + (size_t)heading < n && s[lead + heading] == '#' && heading < 6)
                heading++;
        if (heading && (lead + heading == n || s[lead + heading] != ' '))
            heading = 0;
        size_t marks = lead;   /* a rule: "---", "***", "___"; data need not end in a NUL */
        while (marks < n && (s[marks] == '-' || s[marks] == '*' || s[marks] == '_'))
            marks++;
        bool rule = markdown && n - lead >= 3 && marks == n;
        if (lead == n || heading || rule) {
            add_block(bs, &cur, 0, lines == 1 ? link : NULL);
            free(link);
            link = NULL;
            lines = 0;
        }
        if (heading) {
            md_inline(s + lead + heading + 1, n - lead - heading - 1, &cur, &link);
            add_block(bs, &cur, heading, NULL);
            free(link);
            link = NULL;
        } else if (lead < n && !rule) {
            if (cur.len)
                buf_putc(&cur, ' ');
            free(link);
            link = NULL;
            if (markdown)
                md_inline(s + lead, n - lead, &cur, &link);
            else
                put_text(&cur, s + lead, n - lead);
            lines++;
        }
        i = end + 1;
    }
    add_block(bs, &cur, 0, lines == 1 ? link : NULL);
    free(link);
    buf_free(&cur);
}

/* ---- splitting into articles ------------------------------------------------------- */

/* The name inside "[NAME]" at the end of text (all of it when whole),
 * into name; returns where the attribution begins, or SIZE_MAX. */
static size_t attribution_at_end(const char *text, struct buf *name)
{
    size_t len = strlen(text);
    const char *open;

    if (len < 3 || text[len - 1] != ']' || (open = strrchr(text, '[')) == NULL)
        return SIZE_MAX;
    size_t inner = len - 1 - (size_t)(open - text) - 1;
    if (inner == 0 || inner > ATTRIBUTION_MAX || (open > text && open[-1] != ' '))
        return SIZE_MAX;
    bool letter = false;   /* "[1]" is a footnote, not a publisher */
    for (size_t i = 0; i < inner && !letter; i++)
        letter = isalpha((unsigned char)open[1 + i]) || (unsigned char)open[1 + i] >= 0x80;
    if (!letter)
        return SIZE_MAX;
    buf_reset(name);
    put_text(name, open + 1, inner);
    return (size_t)(open - text);
}

struct article_builder {
    struct buf text, title;
    size_t blocks;
};

static void article_add(struct article_builder *a, const struct block *b, const char *text, size_t len)
{
    if (len == 0)
        return;
    if (a->blocks++ == 0 && (b->heading || len <= HEADLINE_MAX))
        buf_append(&a->title, text, len);
    if (a->text.len)
        buf_puts(&a->text, "\n\n");
    buf_append(&a->text, text, len);
}

static void article_close(struct document_parsed *d, struct article_builder *a, const char *publisher,
                          const char *url)
{
    struct document_article *art;

    if (a->blocks == 0)
        return;
    d->articles = xrealloc(d->articles, (d->n + 1) * sizeof *d->articles);
    art = &d->articles[d->n++];
    if (a->title.len == 0) {   /* a long first paragraph: its first words */
        size_t n = a->text.len < 80 ? a->text.len : 80;
        while (n < a->text.len && (a->text.data[n] & 0xc0) == 0x80)
            n--;
        buf_append(&a->title, a->text.data, n);
        if (n < a->text.len)
            buf_puts(&a->title, "…");
    }
    art->title = buf_detach(&a->title);
    art->text = buf_detach(&a->text);
    art->publisher = publisher ? xstrdup(publisher) : NULL;
    art->url = url ? xstrdup(url) : NULL;
    a->blocks = 0;
}

static void split(const struct blocks *bs, struct document_parsed *d)
{
    struct article_builder a = { BUF_INIT, BUF_INIT, 0 };
    struct buf name = BUF_INIT;

    for (size_t i = 0; i < bs->n; i++) {
        const struct block *b = &bs->b[i];
        size_t at, len = strlen(b->text);
        if (b->heading == 1 && d->title == NULL && d->n == 0 && a.blocks == 0) {
            d->title = xstrdup(b->text);
            continue;
        }
        if (b->heading == 0 && b->link && len <= ATTRIBUTION_MAX && a.blocks > 0) {
            article_close(d, &a, b->text, b->link);
            continue;
        }
        if (b->heading == 0 && (at = attribution_at_end(b->text, &name)) != SIZE_MAX) {
            while (at > 0 && b->text[at - 1] == ' ')
                at--;
            article_add(&a, b, b->text, at);
            if (a.blocks > 0) {
                article_close(d, &a, name.data, NULL);
                continue;
            }
        }
        article_add(&a, b, b->text, len);
    }
    article_close(d, &a, NULL, NULL);
    buf_free(&a.text);
    buf_free(&a.title);
    buf_free(&name);
}

/* ---- parsing ------------------------------------------------------------------------ */

void document_parsed_free(struct document_parsed *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->articles[i].title);
        free(d->articles[i].publisher);
        free(d->articles[i].url);
        free(d->articles[i].text);
    }
    free(d->articles);
    free(d->title);
    memset(d, 0, sizeof *d);
}

/* Refuses what is not text: a NUL byte, or bytes that are not UTF-8. */
static int check_text(struct at_ctx *ctx, const char *name, const char *data, size_t len)
{
    const char *nul = memchr(data, '\0', len);
    int32_t i = 0, n = (int32_t)len;

    if (nul)
        return ctx_error(ctx, AT_EINVAL, "%s: binary data (a NUL byte at offset %zu); a document "
                         "import takes UTF-8 text, Markdown or HTML", name, (size_t)(nul - data));
    while (i < n) {
        UChar32 c;
        int32_t at = i;
        U8_NEXT(data, i, n, c);
        if (c < 0)
            return ctx_error(ctx, AT_EINVAL, "%s: not UTF-8 (an invalid byte at offset %d); a "
                             "document import takes UTF-8 text, Markdown or HTML: convert it "
                             "first (iconv -t UTF-8)", name, at);
    }
    return AT_OK;
}

int document_parse(struct at_ctx *ctx, const char *name, const char *data, size_t len,
                   enum document_format fmt, struct document_parsed *out)
{
    struct blocks bs = { 0 };
    int rc;

    memset(out, 0, sizeof *out);
    if (len > DOCUMENT_MAX_BYTES)
        return ctx_error(ctx, AT_EINVAL, "%s: larger than %zu MiB; split it into several", name,
                         DOCUMENT_MAX_BYTES >> 20);
    if ((rc = check_text(ctx, name, data, len)) != AT_OK)
        return rc;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (fmt == DOCUMENT_HTML)
        rc = html_blocks(ctx, name, data, len, &bs);
    else
        text_blocks(data, len, fmt == DOCUMENT_MARKDOWN, &bs);
    if (rc == AT_OK)
        split(&bs, out);
    blocks_free(&bs);
    if (rc == AT_OK && out->n == 0)
        rc = ctx_error(ctx, AT_EINVAL, "%s: an empty document: no text to import; give a text, "
                       "Markdown or HTML file with at least one paragraph", name);
    for (size_t i = 0; rc == AT_OK && i < out->n; i++)
        if (strlen(out->articles[i].text) > DOCUMENT_MAX_TEXT)
            rc = ctx_error(ctx, AT_EINVAL, "%s: article %zu (\"%.40s\") has more than %zu MiB of "
                           "text; split the file", name, i + 1, out->articles[i].title,
                           DOCUMENT_MAX_TEXT >> 20);
    if (rc != AT_OK)
        document_parsed_free(out);
    return rc;
}

int document_span(struct at_ctx *ctx, const char *text, size_t start, size_t end, struct buf *out)
{
    size_t cp = 0, from = SIZE_MAX, i = 0, len = strlen(text);

    if (start >= end)
        return ctx_error(ctx, AT_EINVAL, "span %zu:%zu is empty; give START:END with START < END "
                         "(code points, END exclusive)", start, end);
    for (; i < len && cp < end; i++) {
        if (((unsigned char)text[i] & 0xc0) == 0x80)
            continue;
        if (cp++ == start)
            from = i;
    }
    while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
        i++;
    if (from == SIZE_MAX || cp < end)
        return ctx_error(ctx, AT_EINVAL, "span %zu:%zu runs past the end of the text (%zu code "
                         "points)", start, end, cp);
    buf_append(out, text + from, i - from);
    return AT_OK;
}

/* ---- storing ------------------------------------------------------------------------ */

static void sha256_hex(const char *data, size_t len, char hex[65])
{
    uint8_t d[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)(data ? data : ""), len, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void set_opt(json_t *data, const char *field, const char *value)
{
    if (value && *value)
        json_object_set_new(data, field, json_string(value));
}

/* Adds one document record with data; its id into id. */
static int add_document(struct at_ctx *ctx, struct store *st, json_t *data, const char *source,
                        char id[RECORD_ID_MAX])
{
    struct record_write w = RECORD_WRITE_INIT;

    w.source = source;
    int rc = record_add(ctx, st, model_type("document"), data, &w, id);
    json_decref(data);
    return rc;
}

static void written(struct document_import *im, const char *id, const char *title,
                    const char *publisher, size_t tags)
{
    json_t *w = json_pack("{s:s, s:s, s:I}", "id", id, "title", title, "tags", (json_int_t)tags);

    set_opt(w, "publisher", publisher);
    json_array_append_new(im->written, w);
}

int document_import_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct document_import *im = arg;
    struct document_parsed d;
    struct tagger *dict = NULL;
    char hex[65], now[21], day[11], id[RECORD_ID_MAX];
    const char *fmt = document_format_name(im->format);
    int rc;

    if ((rc = access_check(ctx, store_session(st), ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if ((rc = document_parse(ctx, im->name, im->data, im->len, im->format, &d)) != AT_OK)
        return rc;
    if ((rc = tags_dictionary(ctx, st, &dict)) != AT_OK)
        goto out;
    canonical_now(now);
    memcpy(day, now, 10);
    day[10] = '\0';
    sha256_hex(im->data, im->len, hex);
    im->articles = 0;
    im->tags = 0;
    json_decref(im->written);
    im->written = json_array();
    if (d.n > 1) {
        json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:i}", "title",
                                 im->title ? im->title : d.title ? d.title : im->name, "sha256", hex,
                                 "retrieved_at", day, "format", fmt, "articles", (json_int_t)d.n);
        set_opt(data, "url", im->url);
        set_opt(data, "date", im->published);
        set_opt(data, "publisher", im->publisher);
        if ((rc = add_document(ctx, st, data, NULL, im->id)) != AT_OK)
            goto out;
        written(im, im->id, im->title ? im->title : d.title ? d.title : im->name, im->publisher, 0);
    }
    for (size_t i = 0; i < d.n; i++) {
        const struct document_article *a = &d.articles[i];
        size_t tags;
        if (d.n > 1)
            sha256_hex(a->text, strlen(a->text), hex);
        json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title",
                                 d.n == 1 && im->title ? im->title : a->title, "sha256", hex,
                                 "retrieved_at", day, "format", fmt, "text", a->text);
        set_opt(data, "publisher", a->publisher ? a->publisher : im->publisher);
        set_opt(data, "url", a->url ? a->url : im->url);
        set_opt(data, "date", im->published);
        if (d.n > 1)
            json_object_set_new(data, "digest", json_string(im->id));
        if ((rc = add_document(ctx, st, data, d.n > 1 ? im->id : NULL, id)) != AT_OK) {
            if (d.n > 1)
                ctx_prefix(ctx, "article %zu (\"%.40s\"): ", i + 1, a->title);
            goto out;
        }
        if (d.n == 1)
            memcpy(im->id, id, sizeof id);
        else
            im->articles++;
        if ((rc = tags_suggest(ctx, st, dict, id, a->text, &tags)) != AT_OK)
            goto out;
        im->tags += tags;
        written(im, id, d.n == 1 && im->title ? im->title : a->title,
                a->publisher ? a->publisher : im->publisher, tags);
    }
out:
    tagger_free(dict);
    document_parsed_free(&d);
    return rc;
}
