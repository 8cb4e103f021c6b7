/*
 * search.c: the full-text index and its queries.  See search.h.  A query
 * that is a spelling of a place of the gazetteer is run again for each of
 * the place's other spellings, so that 회령 finds "Hoeryong".
 */
#include "attest.h"
#include "search.h"
#include "gazetteer.h"
#include "record_filter.h"
#include "referrers.h"

#include <stdlib.h>
#include <string.h>

static bool has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* Number of Unicode characters in a UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Length in bytes of the UTF-8 character at s. */
static size_t utf8_len(const char *s)
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
        size_t n = utf8_len(p);
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
    if (has_non_ascii(text)) {
        add_line(cjk, text);
        add_grams(grams, text);
    }
}

static int insert(struct at_ctx *ctx, struct store *st, const char *sql, sqlite3_int64 rowid,
                  const char *text)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    if (text)
        sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "updating the search index");
    return AT_OK;
}

int search_index_record(struct at_ctx *ctx, struct store *st, sqlite3_int64 rowid,
                        const struct type_spec *t, json_t *doc, bool replace)
{
    static const char del_words[] = "DELETE FROM search_words WHERE rowid = ?1";
    static const char del_cjk[] = "DELETE FROM search_cjk WHERE rowid = ?1";
    static const char del_short[] = "DELETE FROM search_short WHERE rowid = ?1";
    static const char ins_short[] = "INSERT INTO search_short(rowid, grams) VALUES (?1, ?2)";
    static const char ins_words[] = "INSERT INTO search_words(rowid, text) VALUES (?1, ?2)";
    static const char ins_cjk[] = "INSERT INTO search_cjk(rowid, text) VALUES (?1, ?2)";
    json_t *data = json_object_get(doc, "data");
    struct buf words = BUF_INIT, cjk = BUF_INIT, grams = BUF_INIT;
    int rc = AT_OK;

    add_line(&words, json_string_value(json_object_get(doc, "id")));
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_spec *f = &t->fields[i];
        json_t *v = json_object_get(data, f->name), *item;
        size_t k;

        if (v == NULL)
            continue;
        if (f->kind == FIELD_TEXT || f->kind == FIELD_IMO) {
            add_text(&words, &cjk, &grams, json_string_value(v));
        } else if (f->kind == FIELD_NAMES) {
            json_array_foreach(v, k, item)
                add_text(&words, &cjk, &grams, json_string_value(json_object_get(item, "name")));
        }
    }
    if (replace && ((rc = insert(ctx, st, del_words, rowid, NULL)) != AT_OK
                    || (rc = insert(ctx, st, del_cjk, rowid, NULL)) != AT_OK
                    || (rc = insert(ctx, st, del_short, rowid, NULL)) != AT_OK))
        goto out;
    if ((rc = insert(ctx, st, ins_words, rowid, buf_str(&words))) != AT_OK)
        goto out;
    if (cjk.len && (rc = insert(ctx, st, ins_cjk, rowid, buf_str(&cjk))) == AT_OK)
        rc = insert(ctx, st, ins_short, rowid, buf_str(&grams));
out:
    buf_free(&words);
    buf_free(&cjk);
    buf_free(&grams);
    return rc;
}

int search_clear(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st, "DELETE FROM search_words; DELETE FROM search_cjk;"
                               " DELETE FROM search_short;");
}

/* FTS5 keeps the terms of the rows written since its last flush in
 * memory and flushes them as a new segment when they pass 'hashsize'
 * (1 MiB by default), merging segments as they pile up.  In a bulk write
 * a larger buffer makes a sixteenth as many segments and so much less
 * merging; the index it builds answers every query the same.  The
 * setting is kept in each index's config table, so it is written back to
 * FTS5's default when the bulk write ends. */
#define SEARCH_BULK_HASHSIZE "16777216"
#define SEARCH_HASHSIZE "1048576"

int search_bulk(struct at_ctx *ctx, struct store *st, bool bulk)
{
    static const char *const on[] = {
        "INSERT INTO search_words(search_words, rank) VALUES ('hashsize', " SEARCH_BULK_HASHSIZE ")",
        "INSERT INTO search_cjk(search_cjk, rank) VALUES ('hashsize', " SEARCH_BULK_HASHSIZE ")",
        "INSERT INTO search_short(search_short, rank) VALUES ('hashsize', " SEARCH_BULK_HASHSIZE ")",
    };
    static const char *const off[] = {
        "INSERT INTO search_words(search_words, rank) VALUES ('hashsize', " SEARCH_HASHSIZE ")",
        "INSERT INTO search_cjk(search_cjk, rank) VALUES ('hashsize', " SEARCH_HASHSIZE ")",
        "INSERT INTO search_short(search_short, rank) VALUES ('hashsize', " SEARCH_HASHSIZE ")",
    };
    int rc = AT_OK;

    for (size_t i = 0; rc == AT_OK && i < ARRAY_LEN(on); i++)
        rc = store_exec(ctx, st, bulk ? on[i] : off[i]);
    return rc;
}

/* Builds an FTS5 query of the words of q, each quoted (so that no
 * character of the user's text is FTS syntax), the last as a prefix.
 * Returns the number of words. */
static int words_query(const char *q, struct buf *out)
{
    const char *p = q;
    int n = 0;

    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        buf_putc(out, '"');
        for (const char *c = start; c < p; c++) {
            if (*c == '"')
                buf_putc(out, '"');
            buf_putc(out, *c);
        }
        buf_puts(out, "\" ");
        n++;
    }
    if (out->len) {
        out->len--; /* the last word matches as a prefix */
        buf_puts(out, "*");
    }
    return n;
}

static void phrase_query(const char *q, struct buf *out)
{
    buf_putc(out, '"');
    for (; *q; q++) {
        if (*q == '"')
            buf_putc(out, '"');
        buf_putc(out, *q);
    }
    buf_putc(out, '"');
}

/* Four plans: several words (Latin text), best matches first; one word,
 * newest records first (ranking every record that holds a common word
 * would read them all); a trigram phrase (non-Latin text of three
 * characters or more), newest first for the same reason (a common Korean
 * word is in a tenth of the records, and ranking them took 130 ms in a
 * million); a character or pair look-up (one or two non-Latin characters,
 * fewer than a trigram). */
static const char words_sql[] =
    "SELECT c.doc, snippet(search_words, 0, ?18, ?19, '…', 10), c.id FROM search_words s"
    " JOIN record_current c ON c.rowid = s.rowid"
    " WHERE search_words MATCH ?17 AND " RECORD_FILTER_WHERE
    " ORDER BY s.rank LIMIT ?7";
static const char word_sql[] =
    "SELECT c.doc, snippet(search_words, 0, ?18, ?19, '…', 10), c.id FROM search_words s"
    " JOIN record_current c ON c.rowid = s.rowid"
    " WHERE search_words MATCH ?17 AND " RECORD_FILTER_WHERE
    " ORDER BY s.rowid DESC LIMIT ?7";
static const char cjk_sql[] =
    "SELECT c.doc, snippet(search_cjk, 0, ?18, ?19, '…', 10), c.id FROM search_cjk s"
    " JOIN record_current c ON c.rowid = s.rowid"
    " WHERE search_cjk MATCH ?17 AND " RECORD_FILTER_WHERE
    " ORDER BY s.rowid DESC LIMIT ?7";
static const char short_cjk_sql[] =
    "SELECT c.doc, replace(substr(k.text, max(1, instr(k.text, ?20) - 20), 60),"
    "                      ?20, ?18 || ?20 || ?19), c.id FROM search_short s"
    " JOIN record_current c ON c.rowid = s.rowid"
    " JOIN search_cjk k ON k.rowid = s.rowid"
    " WHERE search_short MATCH ?17 AND " RECORD_FILTER_WHERE
    " ORDER BY s.rowid DESC LIMIT ?7";

/* True when s holds Hangul or Han characters, which the trigram indexes
 * find; other scripts (Latin with marks, Cyrillic) are words. */
static bool has_cjk(const char *s)
{
    for (; *s; s += utf8_len(s)) {
        const unsigned char *u = (const unsigned char *)s;
        uint32_t cp;
        if (u[0] < 0xE0 || u[0] >= 0xF0 || u[1] == '\0' || u[2] == '\0')
            continue;   /* CJK is three bytes in UTF-8 */
        cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
        if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F)
            || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x3400 && cp <= 0x9FFF)
            || (cp >= 0xF900 && cp <= 0xFAFF))
            return true;
    }
    return false;
}

/* One search: a query, the records it found so far (their ids), how many
 * more it may find. */
struct search_run {
    struct at_ctx *ctx;
    struct store *st;
    const struct search_options *o;
    json_t *seen;
    long left;
    int (*fn)(void *arg, json_t *doc, const char *snippet, const char *why);
    void *arg;
};

/* Runs one plan for text: as the user's words (words), or as one phrase
 * (a spelling of a place).  Records already found are not found again. */
static int search_text(struct search_run *r, const char *text, bool words, const char *why)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct buf match = BUF_INIT;
    const char *sql;
    sqlite3_stmt *stmt;
    int rc = AT_OK, step = SQLITE_DONE;

    if (words && !has_non_ascii(text)) {
        sql = words_query(text, &match) > 1 ? words_sql : word_sql;
    } else {
        sql = !has_cjk(text) && !words ? word_sql : utf8_chars(text) >= 3 ? cjk_sql : short_cjk_sql;
        phrase_query(text, &match);
    }
    if ((stmt = store_stmt(r->ctx, r->st, sql)) == NULL) {
        buf_free(&match);
        return AT_ERR;
    }
    f.type = r->o->type;
    f.max_clearance = r->o->max_clearance;
    f.include_retracted = r->o->include_retracted;
    f.limit = r->left + (long)json_object_size(r->seen);
    record_filter_bind(r->st, stmt, &f);
    sqlite3_bind_text(stmt, 17, buf_str(&match), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 18, r->o->mark_open ? r->o->mark_open : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 19, r->o->mark_close ? r->o->mark_close : "", -1, SQLITE_STATIC);
    if (sql == short_cjk_sql)
        sqlite3_bind_text(stmt, 20, text, -1, SQLITE_STATIC);
    while (rc == AT_OK && r->left > 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 2);
        if (json_object_get(r->seen, id))
            continue;
        json_object_set_new(r->seen, id, json_true());
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        const char *snip = (const char *)sqlite3_column_text(stmt, 1);
        rc = doc ? r->fn(r->arg, doc, snip ? snip : "", why) :
                   ctx_error(r->ctx, AT_ECORRUPT, "a current record is not JSON");
        json_decref(doc);
        r->left--;
    }
    if (rc == AT_OK && r->left > 0 && step != SQLITE_DONE)
        rc = store_error(r->ctx, r->st, "searching");
    sqlite3_reset(stmt);
    buf_free(&match);
    return rc;
}

int search_query(struct at_ctx *ctx, struct store *st, const char *query,
                 const struct search_options *o,
                 int (*fn)(void *arg, json_t *doc, const char *snippet, const char *why),
                 void *arg)
{
    struct search_run r = { ctx, st, o, json_object(), o->limit > 0 ? o->limit : 50, fn, arg };
    const struct gazetteer_place *named[4];
    struct buf spellings = BUF_INIT, why = BUF_INIT;
    size_t nnamed;
    int rc;

    while (*query == ' ')
        query++;
    if (*query == '\0') {
        json_decref(r.seen);
        return ctx_error(ctx, AT_EINVAL, "the search query is empty; give one or more words");
    }
    rc = search_text(&r, query, true, NULL);
    /* Then the other spellings of the place the query names, if it names
     * one: plain ASCII first, so that a hit is said to be found as the
     * spelling without marks that the words index found it by. */
    nnamed = gazetteer_named(query, named, ARRAY_LEN(named), &spellings);
    for (int pass = 0; pass < 2 && nnamed; pass++) {
        for (const char *line = buf_str(&spellings); rc == AT_OK && *line;) {
            size_t n = strcspn(line, "\n");
            char *one = xmalloc(n + 1);
            memcpy(one, line, n);
            one[n] = '\0';
            line += n + (line[n] == '\n');
            if (strcmp(one, query) != 0 && has_non_ascii(one) == (pass == 1)) {
                buf_reset(&why);
                buf_printf(&why, "found as \"%s\", a spelling of %s (%s)", one,
                           named[0]->hangul, named[0]->name);
                rc = search_text(&r, one, false, buf_str(&why));
            }
            free(one);
        }
    }
    buf_free(&spellings);
    buf_free(&why);
    json_decref(r.seen);
    return rc;
}

static int offer_one(void *arg, json_t *doc, const char *snippet, const char *why)
{
    const char *type = json_string_value(json_object_get(doc, "type")) ?: "";

    (void)snippet;
    (void)why;
    json_array_append_new(arg, json_pack("{s:O?, s:s, s:O?, s:o}", "id", json_object_get(doc, "id"), "type", type,
                                         "clearance", json_object_get(doc, "clearance"),
                                         "data", referrers_summary_of(type, json_object_get(doc, "data"))));
    return AT_OK;
}

int search_offers(struct at_ctx *ctx, struct store *st, const char *query,
                  const struct search_options *o, json_t **out)
{
    int rc;

    *out = json_array();
    if ((rc = search_query(ctx, st, query, o, offer_one, *out)) != AT_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
