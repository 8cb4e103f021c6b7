/*
 * search_text.c: the texts a record is indexed by in full text, and the
 * SQL function that gives them to the indexes' external content.  See
 * search_text.h.
 */
#include "search_text.h"
#include "canonical.h"

#include <stdlib.h>
#include <string.h>

bool search_has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

size_t search_utf8_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

    for (size_t i = 1; i < n; i++)
        if (s[i] == '\0')
            return i;
    return n;
}

/* Appends to grams each non-ASCII character of text and each pair of
 * neighbours within a run of them, space-separated. */
static void add_grams(struct buf *grams, const char *text)
{
    const char *prev = NULL;

    for (const char *p = text; *p;) {
        size_t n = search_utf8_len(p);
        if ((unsigned char)*p < 0x80) {
            prev = NULL;
        } else {
            buf_append(grams, p, n);
            buf_putc(grams, ' ');
            if (prev) {
                buf_append(grams, prev, (size_t)(p - prev) + n);
                buf_putc(grams, ' ');
            }
            prev = p;
        }
        p += n;
    }
}

/* Appends text and a newline to b (not through printf: an import calls
 * this for every text field of every record). */
static void add_line(struct buf *b, const char *text)
{
    buf_puts(b, text ? text : "");
    buf_putc(b, '\n');
}

static void add_text(struct buf *words, struct buf *cjk, struct buf *grams, const char *text)
{
    add_line(words, text);
    if (search_has_non_ascii(text)) {
        add_line(cjk, text);
        add_grams(grams, text);
    }
}

void search_texts_make(struct search_texts *x, const struct type_spec *t, json_t *doc)
{
    json_t *data = json_object_get(doc, "data");

    *x = (struct search_texts){ BUF_INIT, BUF_INIT, BUF_INIT };
    add_line(&x->words, json_string_value(json_object_get(doc, "id")));
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_spec *f = &t->fields[i];
        json_t *v = json_object_get(data, f->name), *item;
        size_t k;

        if (v == NULL)
            continue;
        if (f->kind == FIELD_TEXT || f->kind == FIELD_IMO) {
            add_text(&x->words, &x->cjk, &x->grams, json_string_value(v));
        } else if (f->kind == FIELD_NAMES) {
            json_array_foreach(v, k, item)
                add_text(&x->words, &x->cjk, &x->grams,
                         json_string_value(json_object_get(item, "name")));
        }
    }
}

void search_texts_free(struct search_texts *x)
{
    buf_free(&x->words);
    buf_free(&x->cjk);
    buf_free(&x->grams);
}

/* The last record search_text made the texts of, on one connection: the
 * views of search_cjk and search_short call it twice a row (for the row
 * and to leave out a record without non-ASCII text), and a JSON parse is
 * most of its cost. */
struct text_cache {
    struct buf type, doc;
    struct search_texts x;
    bool full;
};

static void cache_free(void *p)
{
    struct text_cache *c = p;

    buf_free(&c->type);
    buf_free(&c->doc);
    if (c->full)
        search_texts_free(&c->x);
    free(c);
}

static bool cache_holds(const struct text_cache *c, const char *type, const char *doc,
                        size_t doc_len)
{
    return c->full && c->doc.len == doc_len && memcmp(buf_str(&c->doc), doc, doc_len) == 0
           && strcmp(buf_str(&c->type), type) == 0;
}

/* search_text(type, doc, which): see search_text.h.  FTS5 calls it through
 * the views for the rows it reads: a query's snippets, the row an amend
 * deletes, every row of a rebuild. */
static void text_function(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    struct text_cache *c = sqlite3_user_data(sc);
    const char *type = (const char *)sqlite3_value_text(argv[0]);
    const char *doc_text = (const char *)sqlite3_value_text(argv[1]);
    size_t doc_len = (size_t)sqlite3_value_bytes(argv[1]);
    int which = sqlite3_value_int(argv[2]);
    const struct type_spec *t = type ? model_type(type) : NULL;
    const struct buf *b;
    json_t *doc;

    (void)argc;
    if (t == NULL || doc_text == NULL || which < 0 || which > 2) {
        sqlite3_result_error(sc, "search_text: a current record of no known type", -1);
        return;
    }
    if (!cache_holds(c, type, doc_text, doc_len)) {
        if ((doc = canonical_parse(doc_text, doc_len)) == NULL) {
            sqlite3_result_error(sc, "search_text: a current record that is not JSON", -1);
            return;
        }
        if (c->full)
            search_texts_free(&c->x);
        search_texts_make(&c->x, t, doc);
        json_decref(doc);
        buf_reset(&c->type);
        buf_puts(&c->type, type);
        buf_reset(&c->doc);
        buf_append(&c->doc, doc_text, doc_len);
        c->full = true;
    }
    b = which == 0 ? &c->x.words : which == 1 ? &c->x.cjk : &c->x.grams;
    if (which == 0 || c->x.cjk.len)
        sqlite3_result_text(sc, buf_str(b), (int)b->len, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(sc);
}

int search_text_connect(sqlite3 *db)
{
    struct text_cache *c = xcalloc(1, sizeof *c);

    return sqlite3_create_function_v2(db, "search_text", 3,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, c,
                                      text_function, NULL, NULL, cache_free);
}
