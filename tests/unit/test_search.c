/*
 * test_search.c: full-text search over current records: hits with their
 * snippet marks, the type filter, records above the reader's clearance
 * left out, an empty query refused, a place found by any spelling, and
 * several words ranked: the same hits as ranking every match, having
 * scored only the matches that could be among them; the same answers from
 * indexes with no copy of the text as from the ones that kept it.
 */
#include "../../src/core/attest.h"
#include "../../src/core/record.h"
#include "../../src/core/schema.h"
#include "../../src/core/search.h"
#include "../../src/core/unlock.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

struct hits {
    int n;
    char snippet[256];
    char why[256];
    char ids[4][RECORD_ID_MAX];
};

static int collect(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct hits *h = arg;
    if (h->n < 4)
        snprintf(h->ids[h->n], RECORD_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
    snprintf(h->snippet, sizeof h->snippet, "%s", snippet);
    snprintf(h->why, sizeof h->why, "%s", why ? why : "");
    h->n++;
    return AT_OK;
}

UNIT_TEST(search_finds_marks_and_filters)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0 };
    char ev[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood at Quonsel\"}", CLEARANCE_PUBLIC, ev)
            == AT_OK);
    REQUIRE(unit_add(&ctx, st, "document", "{\"title\": \"FICTIONAL report on Quonsel\"}", CLEARANCE_PUBLIC,
                     NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL fire at Vantrel\"}", CLEARANCE_PUBLIC, NULL)
            == AT_OK);

    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 2);
    CHECK(strstr(h.snippet, "[Quonsel]") != NULL);
    memset(&h, 0, sizeof h);
    o.type = "event";
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 1);
    CHECK_STR(h.ids[0], ev);
    memset(&h, 0, sizeof h);
    REQUIRE(search_query(&ctx, st, "nowhere", &o, collect, &h) == AT_OK);
    CHECK(h.n == 0);
    store_close(st);
}

UNIT_TEST(search_stops_at_clearance)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0 };

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL Quonsel camp\"}", CLEARANCE_CONFIDENTIAL,
                     NULL) == AT_OK);
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 1);
    memset(&h, 0, sizeof h);
    o.max_clearance = CLEARANCE_RESTRICTED;
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 0);
    /* No session: nothing, whatever the filter asks. */
    memset(&h, 0, sizeof h);
    o.max_clearance = -1;
    store_set_session(st, NULL);
    REQUIRE(search_query(&ctx, st, "quonsel", &o, collect, &h) == AT_OK);
    CHECK(h.n == 0);
    store_close(st);
}

UNIT_TEST(search_refuses_empty_query)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    struct hits h = { 0 };

    REQUIRE(st != NULL);
    CHECK(search_query(&ctx, st, "   ", &o, collect, &h) == AT_EINVAL);
    CHECK(strstr(ctx.message, "empty") != NULL);
    CHECK(h.n == 0);
    store_close(st);
}

/* Issue 10: `attest search 회령` found nothing when the county was typed
 * "Hoeryong". */
UNIT_TEST(search_finds_a_place_by_any_spelling)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 0, "[", "]" };
    static const char *const spellings[] = { "회령", "Hoeryŏng", "hoeryeong", "會寧", "Hoeryong" };
    char ev[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL meeting\", \"county\": \"Hoeryong\"}",
                     CLEARANCE_PUBLIC, ev) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood at Quonsel\"}",
                     CLEARANCE_PUBLIC, NULL) == AT_OK);
    for (size_t i = 0; i < ARRAY_LEN(spellings); i++) {
        struct hits h = { 0 };
        REQUIRE(search_query(&ctx, st, spellings[i], &o, collect, &h) == AT_OK);
        CHECK(h.n == 1);
        CHECK_STR(h.ids[0], ev);
        if (strcmp(spellings[i], "Hoeryong") == 0)
            CHECK_STR(h.why, "");
        else
            CHECK_STR(h.why, "found as \"Hoeryong\", a spelling of 회령시 (Hoeryŏng)");
    }
    store_close(st);
}

struct ordered {
    int n, total;
    char ids[64][RECORD_ID_MAX];
};

static int collect_ordered(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct ordered *h = arg;
    (void)snippet, (void)why;
    h->total++;
    if (h->n < 64)
        snprintf(h->ids[h->n++], RECORD_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
    return AT_OK;
}

/* Several words: the hits, in order, are the best-ranked matches that
 * pass the record filter, also when the filter turns the best ones away
 * (any plan that ranks fewer than every match must keep this). */
UNIT_TEST(search_words_ranked_past_the_filter)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, CLEARANCE_PUBLIC, false, 10, "", "" };
    struct ordered h = { 0 };
    struct buf json = BUF_INIT;
    sqlite3_stmt *stmt;
    int n = 0;

    REQUIRE(st != NULL);
    for (int i = 0; i < 120; i++) {
        /* The 60 best-ranked (shortest) titles above the public
         * clearance; a title with " river" ties the next one. */
        buf_reset(&json);
        buf_printf(&json, "{\"title\": \"FICTIONAL flood at Quonsel%s", i % 7 ? "" : " river");
        for (int j = 0; j < i; j++)
            buf_puts(&json, " report");
        buf_puts(&json, "\"}");
        REQUIRE(unit_add(&ctx, st, "event", buf_str(&json),
                         i < 60 ? CLEARANCE_CONFIDENTIAL : CLEARANCE_PUBLIC, NULL) == AT_OK);
    }
    buf_free(&json);
    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &h) == AT_OK);
    CHECK(h.n == 10);
    REQUIRE(sqlite3_prepare_v2(store_db(st),
                               "SELECT c.id FROM search_words s JOIN record_current c ON c.rowid = s.rowid"
                               " WHERE search_words MATCH '\"flood\" \"quonsel\"*' AND c.clearance <= ?1"
                               " AND NOT c.retracted ORDER BY s.rank, s.rowid DESC LIMIT 10", -1, &stmt,
                               NULL) == SQLITE_OK);
    sqlite3_bind_int(stmt, 1, CLEARANCE_PUBLIC);
    while (sqlite3_step(stmt) == SQLITE_ROW && n < h.n) {
        CHECK_STR(h.ids[n], (const char *)sqlite3_column_text(stmt, 0));
        n++;
    }
    CHECK(n == 10);
    sqlite3_finalize(stmt);
    memset(&h, 0, sizeof h);
    o.max_clearance = -1;   /* every match: fewer than the limit */
    o.limit = 200;
    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &h) == AT_OK);
    CHECK(h.total == 120);
    store_close(st);
}

/* A seeded title of FICTIONAL words from a small vocabulary, so that
 * matches repeat words, tie, and hold the query's words anywhere. */
static void ranked_title(struct buf *b, uint64_t *seed, int words)
{
    static const char *const vocab[] = {
        "flood", "quonsel", "river", "camp", "report", "north", "vantrel", "guards",
        "market", "winter", "quarry", "bridge",
    };

    buf_puts(b, "{\"title\": \"FICTIONAL");
    for (int w = 0; w < words; w++) {
        *seed = *seed * 6364136223846793005u + 1442695040888963407u;
        buf_printf(b, " %s", vocab[(*seed >> 33) % ARRAY_LEN(vocab)]);
    }
    buf_puts(b, "\"}");
}

/* The first k of every match of the FTS5 query match that the reader at
 * clearance may see, ranked by FTS5's own bm25(), ties newest first. */
static int full_ranking(struct store *st, const char *match, int clearance, const char *type,
                        int k, struct ordered *want)
{
    sqlite3_stmt *stmt;

    memset(want, 0, sizeof *want);
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT c.id FROM search_words s JOIN record_current c ON c.rowid = s.rowid"
                           " WHERE search_words MATCH ?1 AND c.clearance <= ?2 AND NOT c.retracted"
                           " AND (?4 IS NULL OR c.type = ?4)"
                           " ORDER BY bm25(search_words), s.rowid DESC LIMIT ?3", -1, &stmt, NULL)
        != SQLITE_OK)
        return -1;
    sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, clearance);
    sqlite3_bind_int(stmt, 3, k);
    if (type)
        sqlite3_bind_text(stmt, 4, type, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW && want->n < 64)
        snprintf(want->ids[want->n++], RECORD_ID_MAX, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return want->n;
}

/* Issue 17: several words are ranked only as far as the hits returned;
 * the hits must be those of ranking every match, in the same order (ties:
 * the record added later first), among the records the reader may see,
 * whichever of them the filter turns away. */
UNIT_TEST(search_ranked_equals_full_ranking)
{
    static const struct { const char *q, *match; } queries[] = {
        { "flood quonsel", "\"flood\" \"quonsel\"*" },
        { "river camp", "\"river\" \"camp\"*" },
        { "flood riv", "\"flood\" \"riv\"*" },
        { "report north ca", "\"report\" \"north\" \"ca\"*" },
        { "quonsel q", "\"quonsel\" \"q\"*" },
    };
    static const int ks[] = { 1, 3, 10, 50 };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf json = BUF_INIT;
    uint64_t seed = 17;
    int compared = 0;

    REQUIRE(st != NULL);
    for (int i = 0; i < 240; i++) {
        buf_reset(&json);
        if (i % 5 == 4) /* a copy of an earlier title: an exact tie */
            seed = 17 + (uint64_t)i / 10;
        ranked_title(&json, &seed, 2 + (i * 7) % 19);
        REQUIRE(unit_add(&ctx, st, i % 4 ? "event" : "document", buf_str(&json), i % 3, NULL) == AT_OK);
    }
    buf_free(&json);
    for (size_t q = 0; q < ARRAY_LEN(queries); q++)
        for (size_t j = 0; j < ARRAY_LEN(ks); j++)
            for (int clearance = CLEARANCE_PUBLIC; clearance <= CLEARANCE_CONFIDENTIAL; clearance++) {
                const char *type = clearance == CLEARANCE_RESTRICTED ? "event" : NULL;
                struct search_options o = { type, clearance, false, ks[j], "", "" };
                struct ordered got = { 0 }, want;
                REQUIRE(full_ranking(st, queries[q].match, clearance, type, ks[j], &want) >= 0);
                REQUIRE(search_query(&ctx, st, queries[q].q, &o, collect_ordered, &got) == AT_OK);
                CHECK(got.n == want.n);
                for (int n = 0; n < got.n && n < want.n; n++)
                    CHECK_STR(got.ids[n], want.ids[n]);
                compared += want.n;
            }
    CHECK(compared > 1000);
    store_close(st);
}

/* The number of documents of each word, kept between searches, follows
 * the index: once "flood" is in most records it weighs less than
 * "quonsel", and the record with more "quonsel" comes first. */
UNIT_TEST(search_ranked_counts_follow_the_index)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct search_options o = { NULL, -1, false, 1, "", "" };
    struct ordered got = { 0 }, want;
    char floods[RECORD_ID_MAX], quonsels[RECORD_ID_MAX];

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood flood flood quonsel\"}",
                     CLEARANCE_PUBLIC, floods) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood quonsel quonsel quonsel\"}",
                     CLEARANCE_PUBLIC, quonsels) == AT_OK);
    for (int i = 0; i < 20; i++)
        REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL quonsel report\"}",
                         CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &got) == AT_OK);
    REQUIRE(got.n == 1);
    CHECK_STR(got.ids[0], floods);
    for (int i = 0; i < 60; i++)
        REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL flood report\"}",
                         CLEARANCE_PUBLIC, NULL) == AT_OK);
    memset(&got, 0, sizeof got);
    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &got) == AT_OK);
    REQUIRE(got.n == 1);
    CHECK_STR(got.ids[0], quonsels);
    REQUIRE(full_ranking(st, "\"flood\" \"quonsel\"*", CLEARANCE_CONFIDENTIAL, NULL, 1, &want) == 1);
    CHECK_STR(got.ids[0], want.ids[0]);
    store_close(st);
}

/* How many times FTS5 has read a document's length from search_words
 * (its statement on search_words_docsize): once for each match it
 * scores.  -1 when it has not read one yet. */
static long docsize_reads(struct store *st)
{
    long runs = -1;

    for (sqlite3_stmt *p = sqlite3_next_stmt(store_db(st), NULL); p; p = sqlite3_next_stmt(store_db(st), p))
        if (strstr(sqlite3_sql(p), "search_words_docsize") && strstr(sqlite3_sql(p), "SELECT"))
            runs = (runs < 0 ? 0 : runs) + sqlite3_stmt_status(p, SQLITE_STMTSTATUS_RUN, 0);
    return runs;
}

/* The five best records for "flood quonsel", as FTS5 ranks every match,
 * found by search_query reading at most most lengths of documents. */
static void top_five_reading_few_lengths(struct store *st, long most)
{
    struct at_ctx ctx = { 0 };
    struct search_options o = { NULL, -1, false, 5, "", "" };
    struct ordered got = { 0 }, want;
    long before = docsize_reads(st), after;

    REQUIRE(search_query(&ctx, st, "flood quonsel", &o, collect_ordered, &got) == AT_OK);
    after = docsize_reads(st);
    REQUIRE(after > 0);
    CHECK(after - (before < 0 ? 0 : before) <= most);
    REQUIRE(full_ranking(st, "\"flood\" \"quonsel\"*", CLEARANCE_CONFIDENTIAL, NULL, 5, &want) == 5);
    CHECK(got.n == 5);
    for (int n = 0; n < got.n; n++)
        CHECK_STR(got.ids[n], want.ids[n]);
}

/* Issue 17: a multi-word search scored every match (about 1.25 us each)
 * to return the first 50.  Now a match that cannot be among the hits is
 * passed over by a bound from its term frequencies and positions, before
 * its length is read. */
UNIT_TEST(search_ranks_only_what_it_returns)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf json = BUF_INIT;
    uint64_t seed = 4;

    REQUIRE(st != NULL);
    for (int i = 0; i < 300; i++) {
        buf_reset(&json);   /* every record matches: both words, anywhere */
        buf_puts(&json, "{\"title\": \"FICTIONAL");
        for (int w = 0, words = 8 + (i * 13) % 40; w < words; w++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            buf_puts(&json, w == (int)((seed >> 40) % (uint64_t)words) || w == (i * 5) % words
                                ? (w % 2 ? " flood" : " quonsel") : " report");
        }
        buf_puts(&json, " flood quonsel\"}");
        REQUIRE(unit_add(&ctx, st, "event", buf_str(&json), CLEARANCE_PUBLIC, NULL) == AT_OK);
    }
    buf_free(&json);
    top_five_reading_few_lengths(st, 99);
    store_close(st);
}

/* Issue 17: matches were scored in the index's order, so that when each
 * one is better than the last (here each record shorter than the one
 * before, its words at its end) every one was scored.  Scored best bound
 * first, no more than the hits and the ties of their bounds are. */
UNIT_TEST(search_scores_matches_best_bound_first)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf json = BUF_INIT;

    REQUIRE(st != NULL);
    for (int i = 0; i < 200; i++) {
        buf_reset(&json);
        buf_puts(&json, "{\"title\": \"FICTIONAL");
        for (int w = 0; w < 200 - i; w++)
            buf_puts(&json, " report");
        buf_puts(&json, " flood quonsel\"}");
        REQUIRE(unit_add(&ctx, st, "event", buf_str(&json), CLEARANCE_PUBLIC, NULL) == AT_OK);
    }
    buf_free(&json);
    top_five_reading_few_lengths(st, 10);
    store_close(st);
}

struct snippets {
    int n;
    char id[64][RECORD_ID_MAX];
    char text[64][256];
};

static int collect_snippets(void *arg, json_t *doc, const char *snippet, const char *why)
{
    struct snippets *s = arg;
    (void)why;
    if (s->n < 64) {
        snprintf(s->id[s->n], RECORD_ID_MAX, "%s", json_string_value(json_object_get(doc, "id")));
        snprintf(s->text[s->n++], sizeof s->text[0], "%s", snippet);
    }
    return AT_OK;
}

/* The snippets of ranked hits are made from the hits the ranking found,
 * without running the query again: they must be FTS5's snippet() of the
 * same query, window and marks alike. */
UNIT_TEST(search_ranked_snippets_as_fts5)
{
    static const struct { const char *q, *match; } queries[] = {
        { "flood quonsel", "\"flood\" \"quonsel\"*" },
        { "river ca", "\"river\" \"ca\"*" },
        { "report north camp", "\"report\" \"north\" \"camp\"*" },
        { "o'brien flood", "\"o'brien\" \"flood\"*" },
        { "quonsel riv", "\"quonsel\" \"riv\"*" },
    };
    static const char *const punctuated[] = {
        "{\"title\": \"FICTIONAL report. The flood: quonsel camp, river O'Brien river.\","
        " \"description\": \"Winter at the quarry: flood after flood. Quonsel riverbank, O'Brien's camp.\"}",
        "{\"title\": \"FICTIONAL o'brien o'brien flood\", \"description\": \"a long account: guards,"
        " market, winter, bridge, quarry, vantrel, north, report, market. Then the flood at"
        " Quonsel; rivers rose.\"}",
        "{\"title\": \"FICTIONAL Flóod at Quonsel — riverside\"}",
    };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf json = BUF_INIT;
    sqlite3_stmt *stmt;
    uint64_t seed = 99;
    int compared = 0;

    REQUIRE(st != NULL);
    for (int i = 0; i < 80; i++) {
        buf_reset(&json);
        ranked_title(&json, &seed, 1 + (i * 11) % 37);
        REQUIRE(unit_add(&ctx, st, "event", buf_str(&json), CLEARANCE_PUBLIC, NULL) == AT_OK);
    }
    for (size_t i = 0; i < ARRAY_LEN(punctuated); i++)
        for (int copy = 0; copy < 3; copy++)
            REQUIRE(unit_add(&ctx, st, "event", punctuated[i], CLEARANCE_PUBLIC, NULL) == AT_OK);
    buf_free(&json);
    REQUIRE(sqlite3_prepare_v2(store_db(st),
                               "SELECT snippet(search_words, 0, '[', ']', '…', 10) FROM search_words s"
                               " JOIN record_current c ON c.rowid = s.rowid"
                               " WHERE search_words MATCH ?1 AND c.id = ?2", -1, &stmt, NULL) == SQLITE_OK);
    for (size_t q = 0; q < ARRAY_LEN(queries); q++) {
        struct search_options o = { NULL, -1, false, 64, "[", "]" };
        struct snippets got = { 0 };
        REQUIRE(search_query(&ctx, st, queries[q].q, &o, collect_snippets, &got) == AT_OK);
        for (int n = 0; n < got.n; n++) {
            sqlite3_bind_text(stmt, 1, queries[q].match, -1, SQLITE_STATIC);
            sqlite3_bind_text(stmt, 2, got.id[n], -1, SQLITE_STATIC);
            REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
            CHECK_STR(got.text[n], (const char *)sqlite3_column_text(stmt, 0));
            sqlite3_reset(stmt);
            compared++;
        }
    }
    sqlite3_finalize(stmt);
    CHECK(compared > 20);
    store_close(st);
}

/* Each hit of a set of queries (one of every plan: one word, several
 * ranked, a trigram phrase, one and two Hangul characters, Chinese, a
 * place by another spelling), with its snippet, one line each. */
static int answer_line(void *arg, json_t *doc, const char *snippet, const char *why)
{
    buf_printf(arg, "%s|%s|%s\n", json_string_value(json_object_get(doc, "id")), snippet,
               why ? why : "");
    return AT_OK;
}

static char *answers(struct at_ctx *ctx, struct store *st)
{
    static const char *const queries[] = {
        "quonsel", "flood quonsel", "flóod", "회령에서", "회", "회령", "小林", "hoeryong", "vantrel",
        "kim", "김영", "o'brien",
    };
    struct search_options o = { NULL, -1, true, 0, "[", "]" };
    struct buf b = BUF_INIT;
    char *out;

    for (size_t q = 0; q < ARRAY_LEN(queries); q++) {
        buf_printf(&b, "%s:\n", queries[q]);
        if (search_query(ctx, st, queries[q], &o, answer_line, &b) != AT_OK)
            buf_printf(&b, "error: %s\n", ctx->message);
    }
    out = xstrdup(buf_str(&b));
    buf_free(&b);
    return out;
}

/* How many of the three full-text indexes fail FTS5's integrity check
 * (which, for an external-content index, also compares it with the text
 * its content gives). */
static int fts_damaged(struct at_ctx *ctx, struct store *st)
{
    static const char *const checks[] = {
        "INSERT INTO search_words(search_words, rank) VALUES ('integrity-check', 1)",
        "INSERT INTO search_cjk(search_cjk, rank) VALUES ('integrity-check', 1)",
        "INSERT INTO search_short(search_short, rank) VALUES ('integrity-check', 1)",
    };
    int damaged = 0;

    for (size_t i = 0; i < ARRAY_LEN(checks); i++)
        damaged += store_exec(ctx, st, checks[i]) != AT_OK;
    return damaged;
}

static int amend_title(struct at_ctx *ctx, struct store *st, const char *id, const char *title)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *changes = json_pack("{s:s}", "title", title);
    int rc;

    w.reason = "FICTIONAL: the title corrected";
    if ((rc = store_begin(ctx, st)) == AT_OK && (rc = record_amend(ctx, st, id, changes, &w)) == AT_OK)
        rc = store_commit(ctx, st);
    json_decref(changes);
    return rc;
}

/* The indexes keep no text of their own (schema 27): they answer every
 * query as the indexes of schema 26, which stored it, did; an archive of
 * schema 26 is upgraded to the same answers; an amended or retracted
 * record leaves nothing of its old text behind. */
UNIT_TEST(search_answers_the_same_without_its_own_copy_of_the_text)
{
    static const char *const events[] = {
        "{\"title\": \"FICTIONAL flood at Quonsel\", \"description\": \"회령에서 온 증언\"}",
        "{\"title\": \"FICTIONAL Flóod at Quonsel — riverside\", \"place\": \"Hoeryong\"}",
        "{\"title\": \"FICTIONAL 회령 시장의 화재\", \"description\": \"O'Brien saw the flood\"}",
        "{\"title\": \"FICTIONAL 小林 report\", \"description\": \"Quonsel camp, winter\"}",
        "{\"title\": \"FICTIONAL fire at Vantrel\"}",
    };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char ids[ARRAY_LEN(events)][RECORD_ID_MAX], dir[512], *fresh, *stored, *upgraded, *after;

    REQUIRE(st != NULL);
    for (size_t i = 0; i < ARRAY_LEN(events); i++)
        REQUIRE(unit_add(&ctx, st, "event", events[i], CLEARANCE_PUBLIC, ids[i]) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "person", "{\"names\": [{\"name\": \"FICTIONAL Kim Yong\"},"
                     " {\"name\": \"김영\"}]}", CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(amend_title(&ctx, st, ids[4], "FICTIONAL fire at Vantrel, 회령") == AT_OK);
    fresh = answers(&ctx, st);
    CHECK(fts_damaged(&ctx, st) == 0);

    /* Schema 26: the same indexes, each with its own copy of the text. */
    REQUIRE(store_exec(&ctx, st,
                       "CREATE TEMP TABLE old_text AS"
                       "  SELECT 'w' AS t, row, text FROM search_words_text"
                       "  UNION ALL SELECT 'c', row, text FROM search_cjk_text"
                       "  UNION ALL SELECT 's', row, grams FROM search_short_text;"
                       " DROP TABLE search_words; DROP TABLE search_cjk; DROP TABLE search_short;"
                       " DROP VIEW search_words_text; DROP VIEW search_cjk_text;"
                       " DROP VIEW search_short_text;"
                       " CREATE VIRTUAL TABLE search_words USING fts5("
                       "  text, tokenize = 'unicode61 remove_diacritics 2');"
                       " CREATE VIRTUAL TABLE search_cjk USING fts5(text, tokenize = 'trigram');"
                       " CREATE VIRTUAL TABLE search_short USING fts5(grams, tokenize = 'unicode61',"
                       "  columnsize = 0);"
                       " INSERT INTO search_words(rowid, text) SELECT row, text FROM old_text"
                       "  WHERE t = 'w' ORDER BY row;"
                       " INSERT INTO search_cjk(rowid, text) SELECT row, text FROM old_text"
                       "  WHERE t = 'c' ORDER BY row;"
                       " INSERT INTO search_short(rowid, grams) SELECT row, text FROM old_text"
                       "  WHERE t = 's' ORDER BY row;"
                       " PRAGMA user_version = 26;") == AT_OK);
    stored = answers(&ctx, st);
    CHECK_STR(stored, fresh);
    store_close(st);

    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(unlock_open(&ctx, dir, "admin", UNIT_PASSPHRASE, &st, &admin) == AT_OK);
    CHECK(unit_sql_int(st, "PRAGMA user_version") == schema_version());
    store_set_session(st, &admin);
    upgraded = answers(&ctx, st);
    CHECK_STR(upgraded, fresh);
    CHECK(fts_damaged(&ctx, st) == 0);

    /* Amended: found by its new words only.  Retracted: still found with
     * the retracted (include_retracted), by its last text. */
    REQUIRE(amend_title(&ctx, st, ids[0], "FICTIONAL fire at Vantrel") == AT_OK);
    store_begin(&ctx, st);
    {
        struct record_write w = RECORD_WRITE_INIT;
        w.reason = "FICTIONAL: entered twice";
        CHECK(record_retract(&ctx, st, ids[3], &w) == AT_OK);
    }
    store_commit(&ctx, st);
    CHECK(fts_damaged(&ctx, st) == 0);
    after = answers(&ctx, st);
    CHECK(strcmp(after, fresh) != 0);
    CHECK(strstr(after, "vantrel:\n") != NULL);
    {
        const char *v = strstr(after, "vantrel:\n"), *next = strstr(v, "kim:\n");
        const char *hit = strstr(v, ids[0]);
        CHECK(hit != NULL && hit < next);
    }
    {
        const char *q = strstr(after, "quonsel:\n"), *next = strstr(q, "flood quonsel:\n");
        const char *hit = strstr(q, ids[0]);
        CHECK(hit == NULL || hit > next);
    }
    free(fresh);
    free(stored);
    free(upgraded);
    free(after);
    store_close(st);
}
