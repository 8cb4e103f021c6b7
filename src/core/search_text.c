/*
 * search_text.c: the texts a record is indexed by in full text, and the
 * SQL function that gives them to the indexes' external content.  See
 * search_text.h.
 */
#include "search_text.h"

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

/* search_text(type, doc, which): see search_text.h.  FTS5 calls it through
 * the views for the rows it reads: a query's snippets, the row an amend
 * deletes, every row of a rebuild. */
static void text_function(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    const struct type_spec *t = model_type((const char *)sqlite3_value_text(argv[0]));
    const char *doc_text = (const char *)sqlite3_value_text(argv[1]);
    int which = sqlite3_value_int(argv[2]);
    const struct buf *b;
    struct search_texts x;
    json_t *doc;

    (void)argc;
    if (t == NULL || doc_text == NULL || which < 0 || which > 2
        || (doc = json_loads(doc_text, 0, NULL)) == NULL) {
        sqlite3_result_error(sc, "search_text: a current record of no known type, or not JSON", -1);
        return;
    }
    search_texts_make(&x, t, doc);
    json_decref(doc);
    b = which == 0 ? &x.words : which == 1 ? &x.cjk : &x.grams;
    if (which == 0 || x.cjk.len)
        sqlite3_result_text(sc, buf_str(b), (int)b->len, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(sc);
    search_texts_free(&x);
}

int search_text_connect(sqlite3 *db)
{
    return sqlite3_create_function(db, "search_text", 3,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   text_function, NULL, NULL);
}
