/*
 * search.c: the full-text index and its queries.  See search.h.  A query
 * that is a spelling of a place of the gazetteer is run again for each of
 * the place's other spellings, so that 회령 finds "Hoeryong".
 */
#include "attest.h"
#include "search.h"
#include "search_text.h"
#include "gazetteer.h"
#include "record_filter.h"
#include "referrers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Number of Unicode characters in a UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
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

int search_forget(struct at_ctx *ctx, struct store *st, sqlite3_int64 rowid)
{
    static const char del_words[] = "DELETE FROM search_words WHERE rowid = ?1";
    static const char del_cjk[] = "DELETE FROM search_cjk WHERE rowid = ?1";
    static const char del_short[] = "DELETE FROM search_short WHERE rowid = ?1";
    int rc;

    if ((rc = insert(ctx, st, del_words, rowid, NULL)) == AT_OK
        && (rc = insert(ctx, st, del_cjk, rowid, NULL)) == AT_OK)
        rc = insert(ctx, st, del_short, rowid, NULL);
    return rc;
}

int search_index_record(struct at_ctx *ctx, struct store *st, sqlite3_int64 rowid,
                        const struct type_spec *t, json_t *doc)
{
    static const char ins_short[] = "INSERT INTO search_short(rowid, grams) VALUES (?1, ?2)";
    static const char ins_words[] = "INSERT INTO search_words(rowid, text) VALUES (?1, ?2)";
    static const char ins_cjk[] = "INSERT INTO search_cjk(rowid, text) VALUES (?1, ?2)";
    struct search_texts x;
    int rc;

    search_texts_make(&x, t, doc);
    if ((rc = insert(ctx, st, ins_words, rowid, buf_str(&x.words))) == AT_OK && x.cjk.len
        && (rc = insert(ctx, st, ins_cjk, rowid, buf_str(&x.cjk))) == AT_OK)
        rc = insert(ctx, st, ins_short, rowid, buf_str(&x.grams));
    search_texts_free(&x);
    return rc;
}

int search_clear(struct at_ctx *ctx, struct store *st)
{
    /* 'delete-all', not DELETE: the rows' external content may be gone. */
    return store_exec(ctx, st, "INSERT INTO search_words(search_words) VALUES ('delete-all');"
                               " INSERT INTO search_cjk(search_cjk) VALUES ('delete-all');"
                               " INSERT INTO search_short(search_short) VALUES ('delete-all');");
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

/* Four plans: several words (Latin text), best matches first, of which
 * only the ones returned are ranked (below); one word, newest records
 * first (ranking every record that holds a common word would read them
 * all); a trigram phrase (non-Latin text of three characters or more),
 * newest first for the same reason (a common Korean word is in a tenth of
 * the records, and ranking them took 130 ms in a million); a character or
 * pair look-up (one or two non-Latin characters, fewer than a trigram).
 * The ranked plan reads its matches with ranked_sql, each hit's record
 * with ranked_hit_sql and its snippet with ranked_snippet_sql (below). */
static const char ranked_sql[] =
    "SELECT search_topk(search_words, ?20) FROM search_words WHERE search_words MATCH ?17";
static const char ranked_length_sql[] = "SELECT sz FROM search_words_docsize WHERE id = ?1";
static const char ranked_hit_sql[] =
    "SELECT c.doc, c.id FROM record_current c WHERE c.rowid = ?20 AND " RECORD_FILTER_WHERE;
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

/*
 * Ranking several words: only the k best are ranked.
 *
 * FTS5 answers ORDER BY rank by scoring every match with bm25() and
 * sorting them all: the statement it sorts with has no LIMIT, whether the
 * query has one or not.  Scoring a match reads its length in tokens (a
 * look-up in the index's document sizes), and taking the best that pass
 * the record filter reads each one's record; in a million records a
 * multi-word query has tens of thousands of matches.
 *
 * Here the matches are read once, in the index's order, by the
 * auxiliary function search_topk: the query's term frequencies in the
 * match, from the positions FTS5 already holds, give a bound on its score
 * (BM25 falls as a document grows, and a document is at least as long as
 * the offset of its last hit plus one).  A match whose bound cannot enter
 * the k best so far is passed over; the others are kept as candidates,
 * with their hits for the snippet.  Every TOPK_BATCH candidates, and at
 * the end, topk_rank takes them best bound first:
 *   1. a candidate whose bound cannot enter the k best kept so far ends
 *      the ranking: no later bound can, nor any exact score below it;
 *   2. otherwise its length is read and its exact score computed; if that
 *      cannot enter, it is passed over;
 *   3. otherwise the record filter (type, clearance, retraction:
 *      ranked_hit_sql) decides, and only a record the reader may see
 *      enters the k best, with where its hits are, putting out the worst.
 * Taken in the index's order, every match better than those before it was
 * scored and had its record read (16% of the matches at a million
 * records); best bound first, a batch's scores raise the bar before its
 * weaker bounds are looked at (9%).  Keeping every match instead of a
 * batch scored a little fewer, but the memory it took cost more than it
 * saved (a page fault is dear).  A record the reader may not see never
 * takes a place among the k nor raises the bar, and nothing counts
 * matches.  The snippets of the k are
 * made last (search_snippet), from those hits: the same ten-token window
 * as FTS5's snippet() of the other plans, with the hits FTS5 found
 * marked, without running the query again (which would expand its last
 * word, a prefix, once for each hit).
 *
 * The inverse document frequencies need each word's number of documents,
 * which FTS5 does not store: bm25() counts them by reading every document
 * of each word once a query.  Those counts are kept on the connection
 * (search_df) for as long as the index is unchanged: no commit by another
 * connection (PRAGMA data_version) and no change by this one
 * (sqlite3_total_changes64); inside a transaction they are counted afresh.
 *
 * The score is FTS5's bm25() with its defaults (k1 1.2, b 0.75, one weight
 * for the column; the inverse document frequencies and the mean length
 * over the whole index, as bm25() takes them), computed by the same
 * arithmetic in the same order, so that the k hits are exactly the first k
 * of ORDER BY bm25(search_words), rowid DESC among the records that pass
 * the filter: best first, and between equal scores the record added later
 * (the larger row of record_current) first.  The bound is the same
 * expression with a length no greater, and IEEE arithmetic is monotone,
 * so it never passes over a match that belongs in the k.
 */
#define TOPK_FUNCTION "search_topk"
#define TOPK_POINTER "attest search ranking"
#define SNIPPET_FUNCTION "search_snippet"
#define SNIPPET_POINTER "attest search snippet"
#define SNIPPET_TOKENS 10

/* A hit: an instance of a phrase of the query in the words index's
 * text, from its first token to its last. */
struct span {
    int phrase, first, last;
};
#define BM25_K1 1.2
#define BM25_B 0.75

struct ranked {
    double score;           /* bm25(): lower is better */
    sqlite3_int64 rowid;
    struct span *hits;      /* in the order FTS5 gives them */
    int nhits;
};

/* A match as the index gives it: the best score its length allows (its
 * bound, in .score), where its term frequencies and hits are kept. */
struct candidate {
    struct ranked bound;    /* .hits NULL: its .nhits hits are spans[span..] */
    size_t span;
    size_t index;           /* its term frequencies: topk_tf(t, index) */
};

/* The k best matches so far, as a heap with the worst at heap[0], and
 * what search_topk keeps between matches. */
struct topk {
    struct ranked *heap;
    size_t n, cap, k;
    bool ready;             /* the query's statistics below are known */
    int nphrase;
    double *idf, avgdl;
    struct candidate *cand; /* matches that may enter, as search_topk read them */
    size_t ncand, cand_cap;
    double *cand_tf;        /* nphrase term frequencies a candidate */
    struct span *spans;     /* the candidates' hits, each one's in a run */
    size_t nspans, spans_cap;
    json_t *df;             /* search_df's counts, or NULL */
    const char *phrases;    /* the query's phrases, space-separated (words_query) */
    struct search_run *run; /* the search, for topk_rank */
    int rc;                 /* AT_OK, or what topk_rank failed with */
};

/* Candidates kept before they are ranked: enough to take them best
 * bound first, few enough to stay in memory already mapped. */
#define TOPK_BATCH 1024

struct search_run;
static int topk_rank(struct topk *t);

#define SEARCH_DF "attest search_df"
#define SEARCH_DF_MAX 4096  /* phrases kept on a connection */

/* Documents holding each phrase of the words index, by phrase as
 * words_query writes it, while the index stays as it was counted. */
struct search_df {
    json_t *df;
    sqlite3_int64 data_version, changes;
};

static void search_df_free(void *p)
{
    struct search_df *c = p;

    json_decref(c->df);
    free(c);
}

/* The connection's counts, emptied if the index may have changed since
 * they were counted; NULL inside a transaction (count afresh). */
static json_t *search_df(struct at_ctx *ctx, struct store *st)
{
    static const char version_sql[] = "PRAGMA data_version";
    sqlite3 *db = store_db(st);
    struct search_df *c = sqlite3_get_clientdata(db, SEARCH_DF);
    sqlite3_stmt *stmt;
    sqlite3_int64 version = -1, changes = sqlite3_total_changes64(db);

    if (!sqlite3_get_autocommit(db) || (stmt = store_stmt(ctx, st, version_sql)) == NULL)
        return NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    if (version < 0)
        return NULL;
    if (c == NULL) {
        c = xcalloc(1, sizeof *c);
        c->df = json_object();
        if (sqlite3_set_clientdata(db, SEARCH_DF, c, search_df_free) != SQLITE_OK)
            return NULL;    /* SQLite freed c */
    }
    if (c->data_version != version || c->changes != changes
        || json_object_size(c->df) >= SEARCH_DF_MAX) {
        json_object_clear(c->df);
        c->data_version = version;
        c->changes = changes;
    }
    return c->df;
}

/* The number of phrases in a query written by words_query. */
static int phrase_count(const char *phrases)
{
    int n = 1;

    for (const char *p = phrases; (p = strchr(p, ' ')) != NULL; p++)
        n++;
    return n;
}

/* Phrase i of the query, as the key of search_df, into key. */
static bool topk_phrase(const struct topk *t, int i, char *key, size_t size)
{
    const char *p = t->phrases;

    for (; p && i > 0; i--)
        p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
    if (p == NULL || strcspn(p, " ") >= size)
        return false;
    memcpy(key, p, strcspn(p, " "));
    key[strcspn(p, " ")] = '\0';
    return true;
}

/* True when a is returned before b. */
static bool ranked_before(const struct ranked *a, const struct ranked *b)
{
    return a->score < b->score || (a->score == b->score && a->rowid > b->rowid);
}

static bool topk_admits(const struct topk *t, const struct ranked *r)
{
    return t->n < t->k || ranked_before(r, &t->heap[0]);
}

/* Puts r among the k best (it must be admitted), putting out the worst
 * when there are k already.  The heap takes r's hits. */
static void topk_push(struct topk *t, struct ranked r)
{
    size_t i;

    if (t->n < t->k) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            t->heap = xrealloc(t->heap, t->cap * sizeof *t->heap);
        }
        for (i = t->n++; i > 0 && ranked_before(&t->heap[(i - 1) / 2], &r); i = (i - 1) / 2)
            t->heap[i] = t->heap[(i - 1) / 2];
        t->heap[i] = r;
        return;
    }
    free(t->heap[0].hits);
    for (i = 0;;) {
        size_t c = 2 * i + 1;
        if (c >= t->n)
            break;
        if (c + 1 < t->n && ranked_before(&t->heap[c], &t->heap[c + 1]))
            c++;    /* the worse child */
        if (!ranked_before(&r, &t->heap[c]))
            break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    t->heap[i] = r;
}

static void topk_free(struct topk *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->heap[i].hits);
    free(t->heap);
    free(t->idf);
    free(t->cand);
    free(t->cand_tf);
    free(t->spans);
}

/* The term frequencies of candidate i. */
static double *topk_tf(const struct topk *t, size_t i)
{
    return &t->cand_tf[i * ((size_t)t->nphrase + 1)];
}

static int ranked_order(const void *a, const void *b)
{
    return ranked_before(a, b) ? -1 : ranked_before(b, a) ? 1 : 0;
}

/* bm25() of a match of term frequencies tf (one a phrase) in a document
 * of length tokens. */
static double topk_bm25(const struct topk *t, const double *tf, double length)
{
    const double k1 = BM25_K1, b = BM25_B;
    double score = 0.0;

    for (int i = 0; i < t->nphrase; i++)
        score += t->idf[i] * ((tf[i] * (k1 + 1.0)) / (tf[i] + k1 * (1 - b + b * length / t->avgdl)));
    return -1.0 * score;
}

static int topk_count(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)arg)++;
    return SQLITE_OK;
}

/* The query's statistics, as bm25() takes them: the mean document length
 * and each phrase's inverse document frequency over the whole index. */
static int topk_prepare(const Fts5ExtensionApi *api, Fts5Context *fts, struct topk *t)
{
    sqlite3_int64 rows = 0, tokens = 0;
    int rc;

    if ((rc = api->xRowCount(fts, &rows)) != SQLITE_OK
        || (rc = api->xColumnTotalSize(fts, -1, &tokens)) != SQLITE_OK)
        return rc;
    t->avgdl = (double)tokens / (double)rows;
    t->nphrase = api->xPhraseCount(fts);
    if (t->phrases == NULL || phrase_count(t->phrases) != t->nphrase)
        t->df = NULL;   /* a word FTS5 made no phrase of: no keys to trust */
    t->idf = xcalloc((size_t)t->nphrase + 1, sizeof *t->idf);
    for (int i = 0; i < t->nphrase; i++) {
        sqlite3_int64 hits = 0;
        char key[256];
        bool keyed = t->df && topk_phrase(t, i, key, sizeof key);
        json_t *known = keyed ? json_object_get(t->df, key) : NULL;
        if (known) {
            hits = json_integer_value(known);
        } else {
            if ((rc = api->xQueryPhrase(fts, i, &hits, topk_count)) != SQLITE_OK)
                return rc;
            if (keyed)
                json_object_set_new(t->df, key, json_integer(hits));
        }
        t->idf[i] = log((rows - hits + 0.5) / (hits + 0.5));
        if (t->idf[i] <= 0.0)
            t->idf[i] = 1e-6;
    }
    t->ready = true;
    return SQLITE_OK;
}

/* search_topk(search_words, state): keeps the current match as a
 * candidate of state, with its hits, its term frequencies and the bound
 * on its score they give (its length is not read here), if that bound
 * can enter the k best so far; ranks the candidates kept when there are
 * TOPK_BATCH (topk_rank); 1. */
static void topk_function(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sc,
                          int argc, sqlite3_value **argv)
{
    struct topk *t = argc == 1 ? sqlite3_value_pointer(argv[0], TOPK_POINTER) : NULL;
    struct candidate *c;
    double *tf, least = 1.0;    /* the document's least possible length */
    int n = 0, rc = SQLITE_OK;

    if (t == NULL) {
        sqlite3_result_error(sc, TOPK_FUNCTION " needs the ranking state", -1);
        return;
    }
    if (!t->ready)
        rc = topk_prepare(api, fts, t);
    if (rc == SQLITE_OK)
        rc = api->xInstCount(fts, &n);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(sc, rc);
        return;
    }
    if (t->ncand == t->cand_cap) {
        t->cand_cap = t->cand_cap ? 2 * t->cand_cap : 256;
        t->cand = xrealloc(t->cand, t->cand_cap * sizeof *t->cand);
        t->cand_tf = xrealloc(t->cand_tf, t->cand_cap * ((size_t)t->nphrase + 1) * sizeof *t->cand_tf);
    }
    if (t->nspans + (size_t)n > t->spans_cap) {
        t->spans_cap = 2 * (t->nspans + (size_t)n);
        t->spans = xrealloc(t->spans, t->spans_cap * sizeof *t->spans);
    }
    c = &t->cand[t->ncand];
    *c = (struct candidate){ { 0, api->xRowid(fts), NULL, 0 }, t->nspans, t->ncand };
    tf = topk_tf(t, t->ncand);
    memset(tf, 0, (size_t)t->nphrase * sizeof *tf);
    for (int i = 0; rc == SQLITE_OK && i < n; i++) {
        int phrase, column, offset;
        if ((rc = api->xInst(fts, i, &phrase, &column, &offset)) == SQLITE_OK) {
            tf[phrase] += 1.0;
            if (offset + 1.0 > least)
                least = offset + 1.0;
            if (column == 0) {
                int size = api->xPhraseSize(fts, phrase);
                t->spans[t->nspans++] = (struct span){ phrase, offset, offset + size - 1 };
                c->bound.nhits++;
            }
        }
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(sc, rc);
        return;
    }
    c->bound.score = topk_bm25(t, tf, least);
    if (!topk_admits(t, &c->bound))
        t->nspans = c->span;    /* nor will it ever: the bar only rises */
    else if (++t->ncand == TOPK_BATCH && (t->rc = topk_rank(t)) != AT_OK) {
        sqlite3_result_error(sc, "ranking search hits", -1);
        return;
    }
    sqlite3_result_int(sc, 1);
}

/* What search_snippet marks, and how. */
struct snippet {
    const struct span *hits;    /* in the order of their first token */
    int nhits, nphrase;
    const char *open, *close;
};

/* The text's tokens (byte ranges) and the first token of each sentence
 * (the first token, and each after a '.' or ':' and white space). */
struct tokens {
    const char *text;
    struct span *at;
    int n, cap;
    int *sentence, nsentence;
};

static int snippet_token(void *arg, int flags, const char *token, int ntoken, int start, int end)
{
    struct tokens *tk = arg;
    int i = start - 1;

    (void)token;
    (void)ntoken;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;   /* a synonym at the same place */
    if (tk->n == tk->cap) {
        tk->cap = tk->cap ? 2 * tk->cap : 64;
        tk->at = xrealloc(tk->at, (size_t)tk->cap * sizeof *tk->at);
        tk->sentence = xrealloc(tk->sentence, (size_t)tk->cap * sizeof *tk->sentence);
    }
    while (i >= 0 && strchr(" \t\n\r", tk->text[i]) && tk->text[i] != '\0')
        i--;
    if (tk->n == 0 || (i != start - 1 && i >= 0 && (tk->text[i] == '.' || tk->text[i] == ':')))
        tk->sentence[tk->nsentence++] = tk->n;
    tk->at[tk->n++] = (struct span){ 0, start, end };
    return SQLITE_OK;
}

/* The score of the window of SNIPPET_TOKENS from token from: 1000 for
 * each phrase hit in it, 1 for each further hit of the same phrase; with
 * place, where to start for its hits to be in the middle of a text of
 * size tokens. */
static int snippet_score(const struct snippet *sn, unsigned char *seen, int from, int size,
                         int *place)
{
    int score = 0, first = -1, end = 0;

    memset(seen, 0, (size_t)sn->nphrase + 1);
    for (int i = 0; i < sn->nhits; i++)
        if (sn->hits[i].first >= from && sn->hits[i].first < from + SNIPPET_TOKENS) {
            score += seen[sn->hits[i].phrase] ? 1 : 1000;
            seen[sn->hits[i].phrase] = 1;
            if (first < 0)
                first = sn->hits[i].first;
            end = sn->hits[i].last + 1;
        }
    if (place) {
        int at = first - (SNIPPET_TOKENS - (end - first)) / 2;
        if (at + SNIPPET_TOKENS > size)
            at = size - SNIPPET_TOKENS;
        *place = at < 0 ? 0 : at;
    }
    return score;
}

/* The first token of the snippet: of the windows starting at a hit
 * (moved to centre their hits) or at the start of the sentence holding
 * it (worth a little more), the best; the first of equals. */
static int snippet_window(const struct snippet *sn, const struct tokens *tk, int size)
{
    unsigned char *seen = xmalloc((size_t)sn->nphrase + 1);
    int best = 0, start = 0;

    for (int i = 0; i < sn->nhits; i++) {
        int from = sn->hits[i].first, place, score = snippet_score(sn, seen, from, size, &place);
        int s = 0;
        if (score > best)
            best = score, start = place;
        if (tk->nsentence == 0 || size <= SNIPPET_TOKENS)
            continue;
        while (s < tk->nsentence - 1 && tk->sentence[s + 1] <= from)
            s++;
        if (tk->sentence[s] < from) {
            score = snippet_score(sn, seen, tk->sentence[s], size, NULL)
                    + (tk->sentence[s] == 0 ? 120 : 100);
            if (score > best)
                best = score, start = tk->sentence[s];
        }
    }
    free(seen);
    return start;
}

/* The next run of overlapping hits from hit *i: its first and last
 * tokens, or -1 when there are no more. */
static void snippet_run(const struct snippet *sn, int *i, int *first, int *last)
{
    *first = *last = -1;
    for (; *i < sn->nhits; (*i)++) {
        if (*first < 0) {
            *first = sn->hits[*i].first;
            *last = sn->hits[*i].last;
        } else if (sn->hits[*i].first <= *last) {
            if (sn->hits[*i].last > *last)
                *last = sn->hits[*i].last;
        } else {
            break;
        }
    }
}

/* search_snippet(search_words, snippet): the text of the current row cut
 * to SNIPPET_TOKENS tokens around the hits of sn, each run of hits
 * between the marks and '…' where text is left out: what FTS5's
 * snippet(search_words, 0, open, close, '…', SNIPPET_TOKENS) makes of the
 * same hits, chosen and written by the same rules. */
static void snippet_function(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sc,
                             int argc, sqlite3_value **argv)
{
    const struct snippet *sn = argc == 1 ? sqlite3_value_pointer(argv[0], SNIPPET_POINTER) : NULL;
    struct tokens tk = { NULL, NULL, 0, 0, NULL, 0 };
    struct buf out = BUF_INIT;
    const char *text = NULL;
    int ntext = 0, size = 0, rc, start, end, at = 0, next = 0, first, last;
    bool open = false;

    if (sn == NULL) {
        sqlite3_result_error(sc, SNIPPET_FUNCTION " needs the hits to mark", -1);
        return;
    }
    if ((rc = api->xColumnText(fts, 0, &text, &ntext)) == SQLITE_OK && text) {
        tk.text = text;
        rc = api->xTokenize(fts, text, ntext, &tk, snippet_token);
    }
    size = tk.n;    /* the column's length, as the index counts it */
    if (rc != SQLITE_OK || text == NULL) {
        free(tk.at);
        free(tk.sentence);
        if (rc != SQLITE_OK)
            sqlite3_result_error_code(sc, rc);
        else
            sqlite3_result_text(sc, "", 0, SQLITE_STATIC);
        return;
    }
    start = snippet_window(sn, &tk, size);
    end = start + SNIPPET_TOKENS - 1;
    if (start > 0)
        buf_puts(&out, "…");
    do
        snippet_run(sn, &next, &first, &last);
    while (first >= 0 && first < start);
    for (int i = start; i <= end && i < tk.n; i++) {
        int from = tk.at[i].first, to = tk.at[i].last;
        if (i == start && start > 0)
            at = from;
        if (open && (i <= first || first < 0) && from > at) {
            buf_puts(&out, sn->close);
            open = false;
        }
        if (i == first && !open) {
            buf_append(&out, text + at, (size_t)(from - at));
            buf_puts(&out, sn->open);
            at = from;
            open = true;
        }
        if (i == last) {
            if (!open) {
                buf_puts(&out, sn->open);
                open = true;
            }
            buf_append(&out, text + at, (size_t)(to - at));
            at = to;
            snippet_run(sn, &next, &first, &last);
        }
        if (i == end) {
            if (open) {
                if (first >= 0 && i >= first) {
                    buf_append(&out, text + at, (size_t)(to - at));
                    at = to;
                }
                buf_puts(&out, sn->close);
                open = false;
            }
            buf_append(&out, text + at, (size_t)(to - at));
            at = to;
        }
    }
    if (open)
        buf_puts(&out, sn->close);
    if (end >= size - 1)
        buf_append(&out, text + at, (size_t)(ntext - at));
    else
        buf_puts(&out, "…");
    sqlite3_result_text(sc, buf_str(&out), (int)out.len, SQLITE_TRANSIENT);
    buf_free(&out);
    free(tk.at);
    free(tk.sentence);
}

/* Registers search_topk and search_snippet on the store's connection,
 * once. */
static int topk_register(struct at_ctx *ctx, struct store *st)
{
    static const char api_sql[] = "SELECT fts5(?1)";
    sqlite3 *db = store_db(st);
    fts5_api *api = NULL;
    sqlite3_stmt *stmt;

    if (sqlite3_get_clientdata(db, TOPK_FUNCTION))
        return AT_OK;
    if ((stmt = store_stmt(ctx, st, api_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", NULL);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (api == NULL || api->iVersion < 2
        || api->xCreateFunction(api, TOPK_FUNCTION, NULL, topk_function, NULL) != SQLITE_OK
        || api->xCreateFunction(api, SNIPPET_FUNCTION, NULL, snippet_function, NULL) != SQLITE_OK)
        return ctx_error(ctx, AT_ERR, "ranking search hits: SQLite's FTS5 is missing or too old");
    return sqlite3_set_clientdata(db, TOPK_FUNCTION, (void *)api_sql, NULL) == SQLITE_OK
               ? AT_OK : store_error(ctx, st, "ranking search hits");
}

/* True when s holds Hangul or Han characters, which the trigram indexes
 * find; other scripts (Latin with marks, Cyrillic) are words. */
static bool has_cjk(const char *s)
{
    for (; *s; s += search_utf8_len(s)) {
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

/* Binds the run's filter, the FTS5 query match (?17) and the marks
 * (?18, ?19) to a statement of one of the plans. */
static void search_bind(struct search_run *r, sqlite3_stmt *stmt, const char *match)
{
    struct record_filter f = RECORD_FILTER_INIT;

    f.type = r->o->type;
    f.max_clearance = r->o->max_clearance;
    f.include_retracted = r->o->include_retracted;
    f.limit = r->left + (long)json_object_size(r->seen);
    record_filter_bind(r->st, stmt, &f);
    sqlite3_bind_text(stmt, 17, match, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 18, r->o->mark_open ? r->o->mark_open : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 19, r->o->mark_close ? r->o->mark_close : "", -1, SQLITE_STATIC);
}

/* Gives the caller the record id (its document's text doc) with its
 * snippet, unless an earlier plan found it. */
static int search_hit(struct search_run *r, const char *id, const char *doc, const char *snippet,
                      const char *why)
{
    json_t *d;
    int rc;

    if (json_object_get(r->seen, id))
        return AT_OK;
    json_object_set_new(r->seen, id, json_true());
    if ((d = json_loads(doc, 0, NULL)) == NULL)
        return ctx_error(r->ctx, AT_ECORRUPT, "a current record is not JSON");
    rc = r->fn(r->arg, d, snippet ? snippet : "", why);
    json_decref(d);
    r->left--;
    return rc;
}

static const char ranked_snippet_sql[] =
    "SELECT " SNIPPET_FUNCTION "(search_words, ?1) FROM search_words WHERE rowid = ?2";

/* Gives the caller a ranked hit: its record (the row of hit, a statement
 * of ranked_hit_sql) and its snippet. */
static int search_ranked_hit(struct search_run *r, sqlite3_stmt *hit, const struct ranked *h,
                             int nphrase)
{
    struct snippet sn = { h->hits, h->nhits, nphrase, r->o->mark_open ? r->o->mark_open : "",
                          r->o->mark_close ? r->o->mark_close : "" };
    sqlite3_stmt *stmt = store_stmt(r->ctx, r->st, ranked_snippet_sql);
    int rc, step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_pointer(stmt, 1, &sn, SNIPPET_POINTER, NULL);
    sqlite3_bind_int64(stmt, 2, h->rowid);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW || step == SQLITE_DONE)
        rc = search_hit(r, (const char *)sqlite3_column_text(hit, 1),
                        (const char *)sqlite3_column_text(hit, 0),
                        step == SQLITE_ROW ? (const char *)sqlite3_column_text(stmt, 0) : "", NULL);
    else
        rc = store_error(r->ctx, r->st, "making a search snippet");
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

/* Reads the record of rowid through the run's filter (ranked_hit_sql):
 * *shown when the reader may see it, its doc and id then the row of
 * *stmt, which the caller resets. */
static int ranked_hit_read(struct search_run *r, const char *match, sqlite3_int64 rowid,
                           sqlite3_stmt **stmt, bool *shown)
{
    int step, rc;

    *shown = false;
    if ((*stmt = store_stmt(r->ctx, r->st, ranked_hit_sql)) == NULL)
        return AT_ERR;
    search_bind(r, *stmt, match);
    sqlite3_bind_int64(*stmt, 20, rowid);
    if ((step = sqlite3_step(*stmt)) == SQLITE_ROW || step == SQLITE_DONE) {
        *shown = step == SQLITE_ROW;
        return AT_OK;
    }
    rc = store_error(r->ctx, r->st, "searching");
    sqlite3_reset(*stmt);
    *stmt = NULL;
    return rc;
}

/* The length in tokens of the words index's document rowid, as FTS5's
 * xColumnSize reads it: its row of the index's docsize table, a varint
 * (SQLite's encoding) for each column, here the one column. */
static int ranked_length(struct search_run *r, sqlite3_int64 rowid, double *length)
{
    sqlite3_stmt *stmt = store_stmt(r->ctx, r->st, ranked_length_sql);
    const unsigned char *p;
    uint64_t v = 0;
    int n, step, rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, rowid);
    if ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        p = sqlite3_column_blob(stmt, 0);
        n = sqlite3_column_bytes(stmt, 0);
        for (int i = 0; i < n && i < 9; i++) {
            if (i == 8) {
                v = v << 8 | p[i];  /* the ninth byte holds 8 bits */
                break;
            }
            v = v << 7 | (p[i] & 0x7F);
            if (!(p[i] & 0x80))
                break;
        }
        *length = (double)v;
    } else if (step == SQLITE_DONE) {
        rc = ctx_error(r->ctx, AT_ECORRUPT, "the words index has no length for one of its documents");
    } else {
        rc = store_error(r->ctx, r->st, "ranking search hits");
    }
    sqlite3_reset(stmt);
    return rc;
}

/* Moves candidate i of the n in c down to its place in a heap with the
 * best bound at c[0]. */
static void candidates_sift(struct candidate *c, size_t n, size_t i)
{
    for (;;) {
        size_t best = i, child = 2 * i + 1;
        for (size_t j = child; j < n && j <= child + 1; j++)
            if (ranked_before(&c[j].bound, &c[best].bound))
                best = j;
        if (best == i)
            return;
        struct candidate swap = c[i];
        c[i] = c[best];
        c[best] = swap;
        i = best;
    }
}

/* The k best of t's candidates that the reader may see, into t's heap:
 * the candidates best bound first (from a heap of them: sorting them all
 * would cost more than the few taken), each one's length read and its
 * exact score computed, until a bound cannot enter the k best (then no
 * later one can); a match that can enter them and passes the filter
 * does, with its hits.  The candidates are then dropped. */
static int topk_rank(struct topk *t)
{
    struct search_run *r = t->run;
    const char *match = t->phrases;
    size_t left = t->ncand;
    int rc = AT_OK;

    for (size_t i = left / 2; i-- > 0;)
        candidates_sift(t->cand, left, i);
    while (rc == AT_OK && left > 0 && topk_admits(t, &t->cand[0].bound)) {
        const struct candidate c = t->cand[0];
        struct ranked exact = c.bound;
        sqlite3_stmt *stmt;
        double length = 0;
        bool shown;

        t->cand[0] = t->cand[--left];
        candidates_sift(t->cand, left, 0);
        if ((rc = ranked_length(r, exact.rowid, &length)) != AT_OK)
            break;
        exact.score = topk_bm25(t, topk_tf(t, c.index), length);
        if (!topk_admits(t, &exact))
            continue;
        if ((rc = ranked_hit_read(r, match, exact.rowid, &stmt, &shown)) != AT_OK)
            break;
        sqlite3_reset(stmt);
        if (!shown)
            continue;
        exact.hits = xmalloc(((size_t)exact.nhits + 1) * sizeof *exact.hits);
        if (exact.nhits)
            memcpy(exact.hits, &t->spans[c.span], (size_t)exact.nhits * sizeof *exact.hits);
        topk_push(t, exact);
    }
    t->ncand = t->nspans = 0;
    return rc;
}

/* The ranked plan (search_topk above): every match read once with its
 * bound, the k best that pass the filter ranked from them (topk_rank),
 * then each one's record and snippet, best first. */
static int search_ranked(struct search_run *r, const char *match)
{
    struct topk t = { 0 };
    sqlite3_stmt *stmt;
    int rc = AT_OK, step;

    t.k = (size_t)(r->left + (long)json_object_size(r->seen));
    t.phrases = match;
    t.run = r;
    if (r->left <= 0)
        return AT_OK;
    t.df = search_df(r->ctx, r->st);
    if (topk_register(r->ctx, r->st) != AT_OK || (stmt = store_stmt(r->ctx, r->st, ranked_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 17, match, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(stmt, 20, &t, TOPK_POINTER, NULL);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (t.rc != AT_OK)
        rc = t.rc;
    else if (step != SQLITE_DONE)
        rc = store_error(r->ctx, r->st, "searching");
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc == AT_OK)
        rc = topk_rank(&t);
    if (t.n)
        qsort(t.heap, t.n, sizeof *t.heap, ranked_order);
    for (size_t i = 0; rc == AT_OK && i < t.n && r->left > 0; i++) {
        bool shown;
        if ((rc = ranked_hit_read(r, match, t.heap[i].rowid, &stmt, &shown)) != AT_OK)
            break;
        if (shown)
            rc = search_ranked_hit(r, stmt, &t.heap[i], t.nphrase);
        sqlite3_reset(stmt);
    }
    topk_free(&t);
    return rc;
}

/* Runs one plan for text: as the user's words (words), or as one phrase
 * (a spelling of a place).  Records already found are not found again. */
static int search_text(struct search_run *r, const char *text, bool words, const char *why)
{
    struct buf match = BUF_INIT;
    const char *sql;
    sqlite3_stmt *stmt;
    int rc = AT_OK, step = SQLITE_DONE;

    if (words && !search_has_non_ascii(text)) {
        if (words_query(text, &match) > 1) {
            rc = search_ranked(r, buf_str(&match));
            buf_free(&match);
            return rc;
        }
        sql = word_sql;
    } else {
        sql = !has_cjk(text) && !words ? word_sql : utf8_chars(text) >= 3 ? cjk_sql : short_cjk_sql;
        phrase_query(text, &match);
    }
    if ((stmt = store_stmt(r->ctx, r->st, sql)) == NULL) {
        buf_free(&match);
        return AT_ERR;
    }
    search_bind(r, stmt, buf_str(&match));
    if (sql == short_cjk_sql)
        sqlite3_bind_text(stmt, 20, text, -1, SQLITE_STATIC);
    while (rc == AT_OK && r->left > 0 && (step = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = search_hit(r, (const char *)sqlite3_column_text(stmt, 2),
                        (const char *)sqlite3_column_text(stmt, 0),
                        (const char *)sqlite3_column_text(stmt, 1), why);
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
            if (strcmp(one, query) != 0 && search_has_non_ascii(one) == (pass == 1)) {
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
