/*
 * stats.c: the archive's counts (see stats.h), their CSV and their charts.
 *
 * Each count is made in two steps: a query reads the current records of
 * one kind that the reader may see (every query binds the read limit as
 * ?1), and a tally gathers them by key in C, where fuzzy dates, age bands
 * and half-years are worked out.  The tallies then become JSON tables, in
 * one shape for all of them; witness tables pass through withhold() when
 * the reader is below confidential.  Charts and CSV are drawn from the
 * JSON tables only, so that the CLI, the server and the dashboard show the
 * same numbers.
 */
#include "attest.h"
#include "stats.h"
#include "access.h"
#include "casework.h"
#include "date.h"
#include "model.h"
#include "number.h"
#include "svg.h"
#include "vocab.h"
#include "csv.h"

#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 4
#define MAX_YEAR_SPAN 150   /* years filled in between the first and the last */

/* Keys that sort after every real one, whatever their count. */
#define KEY_NOT_GIVEN "not_given"
#define KEY_UNCERTAIN "uncertain"
#define KEY_GROUP "group"

/* Withheld witness counts: under STATS_MIN_CELL, and the second cell
 * hidden so that a total does not give the first back. */
#define WITHHELD_SMALL "<5"
#define WITHHELD_OTHER "withheld"

static const char sample_note[] =
    "These are the witnesses interviewed for this archive, a convenience sample, not all who "
    "left: where they come from and when they left shapes every other count.";

/* ---- tallies ---- */

struct tally_row {
    char *key, *label;
    long v[MAX_COLS];
};

struct tally {
    struct tally_row *rows;
    size_t n, cap;
};

/* The counts of key, a new row of zeros (labelled label, or key) when
 * there is none yet. */
static long *tally_at(struct tally *t, const char *key, const char *label)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].key, key) == 0)
            return t->rows[i].v;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
    }
    memset(&t->rows[t->n], 0, sizeof t->rows[t->n]);
    t->rows[t->n].key = xstrdup(key);
    t->rows[t->n].label = xstrdup(label ? label : key);
    return t->rows[t->n++].v;
}

static void tally_free(struct tally *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].key), free(t->rows[i].label);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static bool key_last(const char *key)
{
    return strcmp(key, KEY_NOT_GIVEN) == 0 || strcmp(key, KEY_UNCERTAIN) == 0
           || strcmp(key, KEY_GROUP) == 0;
}

/* Most first, ties by key; the rows that are not a category last. */
static int by_count(const void *a, const void *b)
{
    const struct tally_row *x = a, *y = b;
    bool lx = key_last(x->key), ly = key_last(y->key);

    if (lx != ly)
        return lx - ly;
    if (x->v[0] != y->v[0])
        return x->v[0] < y->v[0] ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* In key order (years and periods); the rows that are not a period last. */
static int by_key(const void *a, const void *b)
{
    const struct tally_row *x = a, *y = b;
    bool lx = key_last(x->key), ly = key_last(y->key);

    if (lx != ly)
        return lx - ly;
    return strcmp(x->key, y->key);
}

/* Fills in the years (or half-years) between the first and the last row
 * with zeros, so that a gap shows as a gap. */
static void tally_fill_periods(struct tally *t, enum stats_period period)
{
    int lo = 0, hi = 0, y, h, k;
    bool any = false;
    char key[16];

    for (size_t i = 0; i < t->n; i++) {
        if (key_last(t->rows[i].key))
            continue;
        k = atoi(t->rows[i].key) * 2 + (strstr(t->rows[i].key, "H2") != NULL);
        if (!any || k < lo)
            lo = k;
        if (!any || k > hi)
            hi = k;
        any = true;
    }
    if (!any || hi - lo > 2 * MAX_YEAR_SPAN)
        return;
    for (k = lo; k <= hi; k++) {
        y = k / 2, h = k % 2;
        if (period == STATS_YEAR && h)
            continue;
        if (period == STATS_YEAR)
            snprintf(key, sizeof key, "%d", y);
        else
            snprintf(key, sizeof key, "%d H%d", y, h + 1);
        tally_at(t, key, NULL);
    }
}

/* ---- tables ---- */

struct table_spec {
    const char *name, *title, *key;
    const char *columns[MAX_COLS];
    size_t ncols;
    bool witnesses, over_time;
    const char *note;
};

static json_t *table_json(const struct table_spec *s, struct tally *t)
{
    json_t *table, *cols = json_array(), *rows = json_array(), *values;
    char note[1024];

    if (t->n)   /* qsort may not be given a NULL array, even empty */
        qsort(t->rows, t->n, sizeof *t->rows, s->over_time ? by_key : by_count);
    for (size_t c = 0; c < s->ncols; c++)
        json_array_append_new(cols, json_string(s->columns[c]));
    for (size_t i = 0; i < t->n; i++) {
        values = json_array();
        for (size_t c = 0; c < s->ncols; c++)
            json_array_append_new(values, json_integer(t->rows[i].v[c]));
        json_array_append_new(rows, json_pack("{s:s, s:s, s:o}", "key", t->rows[i].key, "label",
                                              t->rows[i].label, "values", values));
    }
    table = json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:b}", "name", s->name, "title", s->title,
                      "key", s->key, "columns", cols, "rows", rows, "witnesses", s->witnesses,
                      "over_time", s->over_time);
    snprintf(note, sizeof note, "%s%s%s", s->witnesses ? sample_note : "",
             s->witnesses && s->over_time ? " " : "", s->over_time ? STATS_NOT_TRENDS : "");
    if (s->note)
        snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s", *note ? " " : "",
                 s->note);
    if (*note)
        json_object_set_new(table, "note", json_string(note));
    return table;
}

static bool is_count(const json_t *v, long *out)
{
    if (!json_is_integer(v))
        return false;
    *out = (long)json_integer_value(v);
    return true;
}

/* Withholds the small witness counts of column col of table: each from 1
 * to STATS_MIN_CELL - 1 becomes "<5"; if that hides exactly one cell, the
 * smallest other non-zero cell is withheld too. */
static void withhold_column(json_t *table, size_t col)
{
    json_t *rows = json_object_get(table, "rows"), *row, *v;
    size_t i, hidden = 0, other = (size_t)-1;
    long n, least = 0;

    json_array_foreach(rows, i, row) {
        v = json_array_get(json_object_get(row, "values"), col);
        if (!is_count(v, &n) || n == 0)
            continue;
        if (n < STATS_MIN_CELL) {
            json_array_set_new(json_object_get(row, "values"), col, json_string(WITHHELD_SMALL));
            hidden++;
        }
    }
    if (hidden != 1)
        return;
    json_array_foreach(rows, i, row) {
        v = json_array_get(json_object_get(row, "values"), col);
        if (is_count(v, &n) && n > 0 && (other == (size_t)-1 || n < least))
            other = i, least = n;
    }
    if (other != (size_t)-1)
        json_array_set_new(json_object_get(json_array_get(rows, other), "values"), col,
                           json_string(WITHHELD_OTHER));
}

/* ---- reading ---- */

/* The year of a day interval when it lies within one year, else 0. */
static int one_year(sqlite3_int64 lo, sqlite3_int64 hi)
{
    if (lo <= DATE_UNKNOWN_LO || hi >= DATE_UNKNOWN_HI || lo / 10000 != hi / 10000)
        return 0;
    return (int)(lo / 10000);
}

/* The age band of someone born in birth_year at an act in year. */
static const char *age_band(int birth_year, int year)
{
    static const struct {
        int below;
        const char *band;
    } bands[] = { { 18, "0-17" }, { 30, "18-29" }, { 45, "30-44" }, { 60, "45-59" } };
    int age = year - birth_year;

    if (birth_year == 0 || year == 0 || age < 0)
        return KEY_NOT_GIVEN;
    for (size_t i = 0; i < ARRAY_LEN(bands); i++)
        if (age < bands[i].below)
            return bands[i].band;
    return "60+";
}

static const char *term_label(const char *vocab, const char *code)
{
    const struct vocab *v = vocab_find(vocab);
    int i = code ? vocab_index(v, code) : -1;

    return i < 0 ? code : v->terms[i].label;
}

/* The year of the fuzzy date text when it lies within one year, else 0. */
static int text_year(const char *text)
{
    struct fuzzy_date d;

    if (text == NULL || date_parse(NULL, text, &d) != AT_OK)
        return 0;
    return one_year(d.lo, d.hi);
}

static json_t *doc_data(sqlite3_stmt *stmt, int col)
{
    const char *text = (const char *)sqlite3_column_text(stmt, col);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    json_t *data = json_incref(json_object_get(doc, "data"));

    json_decref(doc);
    return data;
}

static const char *str(json_t *data, const char *field)
{
    const char *s = json_string_value(json_object_get(data, field));

    return s && *s ? s : NULL;
}

enum { ACT_TYPE, ACT_YEAR, ACT_PROVINCE, VICTIM_SEX, VICTIM_AGE, ACT_TALLIES };

/* Acts by type, year and province, and their victims by sex and age. */
static int count_acts(struct at_ctx *ctx, struct store *st, int limit, struct tally *t,
                      long *acts)
{
    static const char sql[] =
        "SELECT a.doc, a.date_lo, a.date_hi, e.doc, e.date_lo, e.date_hi, p.doc"
        " FROM record_current a"
        " LEFT JOIN record_current e ON e.id = json_extract(a.doc, '$.data.event')"
        "  AND NOT e.retracted AND e.clearance <= ?1"
        " LEFT JOIN record_current p ON p.id = json_extract(a.doc, '$.data.victim')"
        "  AND NOT p.retracted AND p.clearance <= ?1"
        " WHERE a.type = 'act' AND NOT a.retracted AND a.clearance <= ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *act, *event, *person;
    const char *type, *province, *sex;
    char year_key[16];
    long victims;
    int year, rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        act = doc_data(stmt, 0);
        event = doc_data(stmt, 3);
        person = doc_data(stmt, 6);
        victims = json_integer_value(json_object_get(act, "victim_count"));
        victims = victims > 0 ? victims : 1;
        type = str(act, "act_type") ?: KEY_NOT_GIVEN;
        tally_at(&t[ACT_TYPE], type, term_label("act_type", type))[0]++;
        tally_at(&t[ACT_TYPE], type, NULL)[1] += victims;
        year = sqlite3_column_type(stmt, 1) != SQLITE_NULL
                   ? one_year(sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2))
               : sqlite3_column_type(stmt, 4) != SQLITE_NULL
                   ? one_year(sqlite3_column_int64(stmt, 4), sqlite3_column_int64(stmt, 5))
                   : -1;
        if (year > 0)
            snprintf(year_key, sizeof year_key, "%d", year);
        else
            snprintf(year_key, sizeof year_key, "%s", year == 0 ? KEY_UNCERTAIN : KEY_NOT_GIVEN);
        tally_at(&t[ACT_YEAR], year_key, NULL)[0]++;
        tally_at(&t[ACT_YEAR], year_key, NULL)[1] += victims;
        province = str(event, "province") ?: KEY_NOT_GIVEN;
        tally_at(&t[ACT_PROVINCE], province, NULL)[0]++;
        tally_at(&t[ACT_PROVINCE], province, NULL)[1] += victims;
        if (json_object_get(act, "victim_count")) {
            tally_at(&t[VICTIM_SEX], KEY_GROUP, NULL)[0] += victims;
            tally_at(&t[VICTIM_AGE], KEY_GROUP, NULL)[0] += victims;
        } else {
            sex = str(person, "sex") ?: KEY_NOT_GIVEN;
            tally_at(&t[VICTIM_SEX], sex, term_label("sex", sex))[0]++;
            tally_at(&t[VICTIM_AGE],
                     age_band(text_year(str(person, "birth_date")), year > 0 ? year : 0),
                     NULL)[0]++;
        }
        ++*acts;
        json_decref(act);
        json_decref(event);
        json_decref(person);
    }
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? AT_OK : store_error(ctx, st, "counting acts");
}

/* Acts by the agency involved in them or in their event: an organisation
 * in an involvement relation, or one that a person involved is a member
 * of.  An act with two agencies counts under each. */
static int count_agencies(struct at_ctx *ctx, struct store *st, int limit, long acts,
                          struct tally *t)
{
    static const char sql[] =
        "WITH inv(act, actor) AS ("
        "  SELECT a.id, f.target FROM record_current a"
        "  JOIN record_ref tr ON tr.field = 'to'"
        "   AND tr.target IN (a.id, json_extract(a.doc, '$.data.event'))"
        "  JOIN record_current r ON r.id = tr.id AND r.type = 'relation' AND NOT r.retracted"
        "   AND r.clearance <= ?1 AND json_extract(r.doc, '$.data.kind') = 'involvement'"
        "  JOIN record_ref f ON f.id = r.id AND f.field = 'from'"
        "  WHERE a.type = 'act' AND NOT a.retracted AND a.clearance <= ?1),"
        " agency(act, org) AS ("
        "  SELECT act, actor FROM inv"
        "  UNION"
        "  SELECT inv.act, mt.target FROM inv"
        "  JOIN record_ref mf ON mf.field = 'from' AND mf.target = inv.actor"
        "  JOIN record_current m ON m.id = mf.id AND m.type = 'relation' AND NOT m.retracted"
        "   AND m.clearance <= ?1 AND json_extract(m.doc, '$.data.kind') = 'member_of'"
        "  JOIN record_ref mt ON mt.id = m.id AND mt.field = 'to')"
        " SELECT agency.act, o.id, o.doc FROM agency"
        " JOIN record_current o ON o.id = agency.org AND o.type = 'organisation'"
        "  AND NOT o.retracted AND o.clearance <= ?1"
        " ORDER BY agency.act, o.id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char last[RECORD_ID_MAX] = "";
    const char *act, *name;
    long with_agency = 0;
    json_t *org;
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        act = (const char *)sqlite3_column_text(stmt, 0);
        org = doc_data(stmt, 2);
        name = json_string_value(json_object_get(json_array_get(json_object_get(org, "names"), 0),
                                                 "name"));
        tally_at(t, name ? name : KEY_NOT_GIVEN, NULL)[0]++;
        if (strcmp(act, last) != 0) {
            with_agency++;
            snprintf(last, sizeof last, "%s", act);
        }
        json_decref(org);
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return store_error(ctx, st, "counting agencies");
    if (acts > with_agency)
        tally_at(t, KEY_NOT_GIVEN, NULL)[0] += acts - with_agency;
    return AT_OK;
}

enum { WIT_PROVINCE, WIT_YEAR_LEFT, WIT_SEX, WIT_ARRIVALS, WIT_TALLIES };

/* The period key of an arrival date ("2019 H1", or "2019"), or
 * KEY_UNCERTAIN when the date spans periods. */
static void arrival_key(const struct fuzzy_date *d, enum stats_period period, char *key,
                        size_t size)
{
    int y = one_year(d->lo, d->hi), h1 = (d->lo / 100) % 100 > 6, h2 = (d->hi / 100) % 100 > 6;

    if (y == 0 || (period == STATS_HALF_YEAR && h1 != h2))
        snprintf(key, size, "%s", KEY_UNCERTAIN);
    else if (period == STATS_YEAR)
        snprintf(key, size, "%d", y);
    else
        snprintf(key, size, "%d H%d", y, h1 + 1);
}

/* The witness sample by home province, year of exit and sex, and arrivals
 * (column 0 all, 2 women). */
static int count_witnesses(struct at_ctx *ctx, struct store *st, int limit,
                           enum stats_period period, struct tally *t, long *undated)
{
    static const char sql[] =
        "SELECT doc FROM record_current"
        " WHERE type = 'witness' AND NOT retracted AND clearance <= ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    struct fuzzy_date d;
    const char *sex, *arrived;
    char key[32];
    json_t *w;
    long *cell;
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        w = doc_data(stmt, 0);
        tally_at(&t[WIT_PROVINCE], str(w, "home_province") ?: KEY_NOT_GIVEN, NULL)[0]++;
        if (json_integer_value(json_object_get(w, "year_left")) > 0)
            snprintf(key, sizeof key, "%lld",
                     (long long)json_integer_value(json_object_get(w, "year_left")));
        else
            snprintf(key, sizeof key, "%s", KEY_NOT_GIVEN);
        tally_at(&t[WIT_YEAR_LEFT], key, NULL)[0]++;
        sex = str(w, "sex") ?: KEY_NOT_GIVEN;
        tally_at(&t[WIT_SEX], sex, term_label("sex", sex))[0]++;
        arrived = str(w, "arrived");
        if (arrived && date_parse(NULL, arrived, &d) == AT_OK) {
            arrival_key(&d, period, key, sizeof key);
            cell = tally_at(&t[WIT_ARRIVALS], key, NULL);
            cell[0]++;
            cell[2] += strcmp(sex, "female") == 0;
        } else {
            ++*undated;
        }
        json_decref(w);
    }
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? AT_OK : store_error(ctx, st, "counting witnesses");
}

/* One decimal of a percentage, as a JSON number. */
static json_t *percent(long part, long whole)
{
    return json_real(round(1000.0 * (double)part / (double)whole) / 10);
}

/* Arrivals per period: arrivals, the change from the period before in
 * percent, women and their share.  Withheld for a low clearance: arrivals
 * and women under STATS_MIN_CELL (and women when the others are, which
 * would give them back), the changes and shares that would tell them. */
static json_t *arrivals_table(struct tally *t, enum stats_period period, long undated,
                              bool exact)
{
    struct table_spec spec = {
        "arrivals", period == STATS_YEAR ? "Arrivals per year" : "Arrivals per half-year",
        "period", { "arrivals", "change_pct", "women", "women_pct" }, 4, true, true, NULL,
    };
    char note[256];
    json_t *table, *row, *v;
    long prev = 0, n, women;
    bool prev_shown = false, shown, women_shown;
    size_t i;

    tally_fill_periods(t, period);
    snprintf(note, sizeof note,
             "Counted from each witness's arrival date (field arrived)%s; %ld witnesses have "
             "none.",
             period == STATS_HALF_YEAR ? "; a date that does not fix the half-year is counted "
                                         "as uncertain (--period year counts it by year)"
                                       : "",
             undated);
    spec.note = note;
    table = table_json(&spec, t);
    json_array_foreach(json_object_get(table, "rows"), i, row) {
        v = json_object_get(row, "values");
        n = (long)json_integer_value(json_array_get(v, 0));
        women = (long)json_integer_value(json_array_get(v, 2));
        shown = exact || n == 0 || n >= STATS_MIN_CELL;
        women_shown = exact || ((women == 0 || women >= STATS_MIN_CELL)
                                && (n - women == 0 || n - women >= STATS_MIN_CELL));
        if (key_last(json_string_value(json_object_get(row, "key"))))
            json_array_set_new(v, 1, json_null());
        else
            json_array_set_new(v, 1, i > 0 && prev > 0 && shown && prev_shown
                                         ? percent(n - prev, prev) : json_null());
        json_array_set_new(v, 3, n > 0 && shown && women_shown ? percent(women, n) : json_null());
        if (!shown)
            json_array_set_new(v, 0, json_string(WITHHELD_SMALL));
        if (!women_shown || !shown)
            json_array_set_new(v, 2, json_string(WITHHELD_SMALL));
        prev = n;
        prev_shown = shown;
    }
    return table;
}

static int count_types(struct at_ctx *ctx, struct store *st, int limit, json_t **out)
{
    static const char sql[] =
        "SELECT type, sum(NOT retracted), sum(retracted), sum(version) FROM record_current"
        " WHERE clearance <= ?1 GROUP BY type ORDER BY type";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, limit);
    *out = json_array();
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(*out, json_pack("{s:s, s:I, s:I, s:I}",
                                              "type", (const char *)sqlite3_column_text(stmt, 0),
                                              "records", (json_int_t)sqlite3_column_int64(stmt, 1),
                                              "retracted", (json_int_t)sqlite3_column_int64(stmt, 2),
                                              "versions", (json_int_t)sqlite3_column_int64(stmt, 3)));
    sqlite3_reset(stmt);
    return AT_OK;
}

int stats_period_parse(struct at_ctx *ctx, const char *text, enum stats_period *out)
{
    if (strcmp(text, "half") == 0)
        *out = STATS_HALF_YEAR;
    else if (strcmp(text, "year") == 0)
        *out = STATS_YEAR;
    else
        return ctx_error(ctx, AT_EINVAL, "period: \"%s\" is not one of half, year", text);
    return AT_OK;
}

/* Labels the not-a-category rows of every tally in words. */
static void label_special(struct tally *t, size_t n)
{
    static const struct {
        const char *key, *label;
    } words[] = { { KEY_NOT_GIVEN, "not given" }, { KEY_UNCERTAIN, "date uncertain" },
                  { KEY_GROUP, "counted groups" } };

    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < t[i].n; r++)
            for (size_t w = 0; w < ARRAY_LEN(words); w++)
                if (strcmp(t[i].rows[r].key, words[w].key) == 0) {
                    free(t[i].rows[r].label);
                    t[i].rows[r].label = xstrdup(words[w].label);
                }
}

int stats_compute(struct at_ctx *ctx, struct store *st, int max_clearance,
                  enum stats_period period, json_t **out)
{
    static const struct table_spec act_specs[ACT_TALLIES] = {
        { "acts_by_type", "Acts by type", "act type", { "acts", "victims" }, 2, false, false,
          NULL },
        { "acts_by_year", "Acts by year", "year", { "acts", "victims" }, 2, false, true,
          "The year is the act's date, or its event's; a date not within one year is counted "
          "as uncertain." },
        { "acts_by_province", "Acts by province", "province", { "acts", "victims" }, 2, false,
          false, "The province is the act's event's." },
        { "victims_by_sex", "Victims by sex", "sex", { "victims" }, 1, false, false,
          "A victim is counted once for each act; counted groups have no sex recorded." },
        { "victims_by_age", "Victims by age at the act", "age band", { "victims" }, 1, false,
          false, "Age is the act's year less the year of birth, where both are known to the "
                 "year." },
    };
    static const struct table_spec agency_spec = {
        "acts_by_agency", "Acts by perpetrator agency", "agency", { "acts" }, 1, false, false,
        "An agency is an organisation involved in the act or its event, or one that a person "
        "involved belongs to; an act with several agencies counts under each.",
    };
    static const struct table_spec wit_specs[WIT_TALLIES - 1] = {
        { "witnesses_by_province", "Witnesses by home province", "home province",
          { "witnesses" }, 1, true, false, NULL },
        { "witnesses_by_year_left", "Witnesses by year of exit", "year left",
          { "witnesses" }, 1, true, true, NULL },
        { "witnesses_by_sex", "Witnesses by sex", "sex", { "witnesses" }, 1, true, false, NULL },
    };
    struct tally acts[ACT_TALLIES] = { 0 }, agencies = { 0 }, wit[WIT_TALLIES] = { 0 };
    int limit = access_read_limit(store_session(st), max_clearance);
    bool exact = limit >= CLEARANCE_CONFIDENTIAL;
    json_t *tables = json_array(), *types = NULL, *table;
    long nacts = 0, undated = 0;
    int rc;

    *out = NULL;
    if ((rc = count_types(ctx, st, limit, &types)) != AT_OK
        || (rc = count_acts(ctx, st, limit, acts, &nacts)) != AT_OK
        || (rc = count_agencies(ctx, st, limit, nacts, &agencies)) != AT_OK
        || (rc = count_witnesses(ctx, st, limit, period, wit, &undated)) != AT_OK)
        goto out;
    tally_fill_periods(&acts[ACT_YEAR], STATS_YEAR);
    tally_fill_periods(&wit[WIT_YEAR_LEFT], STATS_YEAR);
    label_special(acts, ACT_TALLIES);
    label_special(&agencies, 1);
    label_special(wit, WIT_TALLIES);
    for (size_t i = 0; i < ACT_TALLIES; i++)
        json_array_append_new(tables, table_json(&act_specs[i], &acts[i]));
    json_array_insert_new(tables, 3, table_json(&agency_spec, &agencies));
    for (size_t i = 0; i < WIT_TALLIES - 1; i++) {
        table = table_json(&wit_specs[i], &wit[i]);
        if (!exact)
            withhold_column(table, 0);
        json_array_append_new(tables, table);
    }
    json_array_append_new(tables, arrivals_table(&wit[WIT_ARRIVALS], period, undated, exact));
    *out = json_pack("{s:s, s:b, s:i, s:O, s:O}", "read_limit",
                     limit >= 0 ? vocab_clearance_name(limit) : "none", "exact_witness_counts",
                     exact, "min_cell", STATS_MIN_CELL, "types", types, "tables", tables);
out:
    for (size_t i = 0; i < ACT_TALLIES; i++)
        tally_free(&acts[i]);
    for (size_t i = 0; i < WIT_TALLIES; i++)
        tally_free(&wit[i]);
    tally_free(&agencies);
    json_decref(types);
    json_decref(tables);
    return rc;
}

/* ---- casework: sale prices, indicators, workers by country ---- */

int stats_rate_parse(struct at_ctx *ctx, const char *text, struct stats_rates *rates)
{
    const struct vocab *currency = vocab_find("currency");
    char from[8] = "", to[8] = "", rest[64] = "";
    struct buf valid = BUF_INIT;
    double rate;
    int n = 0;

    if (sscanf(text, "%7[A-Za-z]:%7[A-Za-z]=%63s%n", from, to, rest, &n) != 3
        || text[n] != '\0' || number_parse_double(ctx, "rate", rest, 1e-12, 1e12, &rate) != AT_OK)
        return ctx_error(ctx, AT_EINVAL, "--rate \"%s\": give FROM:TO=RATE, such as CNY:USD=0.14 "
                         "(1 CNY is worth 0.14 USD), a positive number", text);
    for (char *c = from; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    for (char *c = to; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (vocab_index(currency, from) < 0 || vocab_index(currency, to) < 0) {
        vocab_list_codes(currency, &valid);
        ctx_error(ctx, AT_EINVAL, "--rate \"%s\": unknown currency \"%s\"; valid: %s", text,
                  vocab_index(currency, from) < 0 ? from : to, buf_str(&valid));
        buf_free(&valid);
        return AT_EINVAL;
    }
    if (strcmp(from, to) == 0 || (*rates->to && strcmp(rates->to, to) != 0))
        return ctx_error(ctx, AT_EINVAL, "--rate \"%s\": every rate must convert into one "
                         "other currency (%s so far)", text, *rates->to ? rates->to : "none");
    if (rates->n == STATS_MAX_RATES)
        return ctx_error(ctx, AT_EINVAL, "--rate: at most %d rates", STATS_MAX_RATES);
    snprintf(rates->to, sizeof rates->to, "%s", to);
    snprintf(rates->r[rates->n].from, sizeof rates->r[rates->n].from, "%s", from);
    rates->r[rates->n++].rate = rate;
    return AT_OK;
}

/* The prices of one key (a year, a region). */
struct price_group {
    char *key;
    double *v;
    size_t n, cap;
};

struct prices {
    struct price_group *g;
    size_t n, cap;
};

static void prices_add(struct prices *p, const char *key, double x)
{
    struct price_group *g = NULL;

    for (size_t i = 0; i < p->n && g == NULL; i++)
        if (strcmp(p->g[i].key, key) == 0)
            g = &p->g[i];
    if (g == NULL) {
        if (p->n == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 8;
            p->g = xrealloc(p->g, p->cap * sizeof *p->g);
        }
        g = &p->g[p->n++];
        *g = (struct price_group){ xstrdup(key), NULL, 0, 0 };
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 8;
        g->v = xrealloc(g->v, g->cap * sizeof *g->v);
    }
    g->v[g->n++] = x;
}

static void prices_free(struct prices *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->g[i].key);
        free(p->g[i].v);
    }
    free(p->g);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int by_group_key(const void *a, const void *b)
{
    const struct price_group *x = a, *y = b;
    bool lx = key_last(x->key), ly = key_last(y->key);

    return lx != ly ? lx - ly : strcmp(x->key, y->key);
}

static int by_group_size(const void *a, const void *b)
{
    const struct price_group *x = a, *y = b;

    if (key_last(x->key) != key_last(y->key))
        return key_last(x->key) - key_last(y->key);
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* A price as a JSON number, to the cent. */
static json_t *money(double x)
{
    return json_real(round(x * 100) / 100);
}

static json_t *price_table(const char *name, const char *title, const char *key, bool over_time,
                           struct prices *p, const char *rate_text, const char *currency,
                           const char *note)
{
    json_t *rows = json_array(), *table;
    char full_title[160];

    if (p->n)
        qsort(p->g, p->n, sizeof *p->g, over_time ? by_group_key : by_group_size);
    for (size_t i = 0; i < p->n; i++) {
        struct price_group *g = &p->g[i];
        double median;
        qsort(g->v, g->n, sizeof *g->v, by_double);
        median = g->n % 2 ? g->v[g->n / 2] : (g->v[g->n / 2 - 1] + g->v[g->n / 2]) / 2;
        json_array_append_new(rows, json_pack("{s:s, s:s, s:[I, o, o, o]}", "key", g->key,
                                              "label", strcmp(g->key, KEY_NOT_GIVEN) == 0
                                                           ? "not given" : g->key,
                                              "values", (json_int_t)g->n, money(median),
                                              money(g->v[0]), money(g->v[g->n - 1])));
    }
    snprintf(full_title, sizeof full_title, "%s, in %s%s%s%s", title, currency,
             *rate_text ? " (at " : "", rate_text, *rate_text ? ")" : "");
    table = json_pack("{s:s, s:s, s:s, s:[s, s, s, s], s:o, s:b, s:b, s:s, s:s, s:s}",
                      "name", name, "title", full_title, "key", key, "columns", "sales", "median",
                      "min", "max", "rows", rows, "witnesses", false, "over_time", over_time,
                      "currency", currency, "rate", rate_text, "note", note);
    return table;
}

/* The currency most sales were paid in (ties: the first in the vocabulary). */
static const char *most_used_currency(json_t *cases)
{
    const struct vocab *v = vocab_find("currency");
    size_t best = 0, count[64] = { 0 }, i, k;
    json_t *c, *sale;
    int idx;

    json_array_foreach(cases, i, c)
        json_array_foreach(json_object_get(c, "sales"), k, sale)
            if (json_object_get(sale, "price")
                && (idx = vocab_index(v, json_string_value(json_object_get(sale, "currency")) ?: "")) >= 0
                && (size_t)idx < ARRAY_LEN(count))
                count[idx]++;
    for (k = 1; k < v->nterms && k < ARRAY_LEN(count); k++)
        if (count[k] > count[best])
            best = k;
    return v->terms[best].code;
}

/* Median and range of sale prices by year and by region. */
static void sale_tables(json_t *cases, const struct stats_rates *rates, json_t *tables)
{
    const char *to = *rates->to ? rates->to : most_used_currency(cases);
    struct prices years = { 0 }, regions = { 0 };
    struct buf rate_text = BUF_INIT, note = BUF_INIT, region = BUF_INIT;
    json_t *c, *sale, *left = json_object(), *n;  /* left: {currency: sales left out} */
    const char *code;
    size_t i, k;

    for (size_t r = 0; r < rates->n; r++)
        buf_printf(&rate_text, "%s1 %s = %g %s", r ? ", " : "", rates->r[r].from,
                   rates->r[r].rate, rates->to);
    json_array_foreach(cases, i, c) {
        json_array_foreach(json_object_get(c, "sales"), k, sale) {
            const char *cur = json_string_value(json_object_get(sale, "currency"));
            double price = json_number_value(json_object_get(sale, "price")), rate = 0;
            char year[16];
            int y;
            if (!json_object_get(sale, "price") || cur == NULL)
                continue;
            if (strcmp(cur, to) == 0)
                rate = 1;
            for (size_t r = 0; r < rates->n && rate == 0; r++)
                if (strcmp(rates->r[r].from, cur) == 0)
                    rate = rates->r[r].rate;
            if (rate == 0) {
                n = json_object_get(left, cur);
                json_object_set_new(left, cur, json_integer(json_integer_value(n) + 1));
                continue;
            }
            if (!str(sale, "date"))
                snprintf(year, sizeof year, "%s", KEY_NOT_GIVEN);
            else if ((y = text_year(str(sale, "date"))) > 0)
                snprintf(year, sizeof year, "%d", y);
            else
                snprintf(year, sizeof year, "%s", KEY_UNCERTAIN);
            prices_add(&years, year, price * rate);
            buf_reset(&region);
            casework_region(str(sale, "place"), &region, NULL, NULL);
            prices_add(&regions, strcmp(buf_str(&region), "not given") == 0 ? KEY_NOT_GIVEN
                                                                             : buf_str(&region),
                       price * rate);
        }
    }
    /* One sentence for each rate and each currency left out, each of a
     * shape svg_note knows, so that the note reads in Korean too. */
    buf_printf(&note, "Each sale of a chain counts once, at its own date and place; prices are "
                      "converted to %s", to);
    if (rates->n)
        buf_puts(&note, " at the rates stated for this table.");
    else
        buf_printf(&note, ", the currency most sales were paid in (give --rate FROM:%s=RATE to "
                          "convert others).", to);
    for (size_t r = 0; r < rates->n; r++)
        buf_printf(&note, " Rate stated for this table: 1 %s = %g %s.", rates->r[r].from,
                   rates->r[r].rate, rates->to);
    json_object_foreach(left, code, n)
        buf_printf(&note, " %lld sale%s in %s, with no rate given, left out.",
                   (long long)json_integer_value(n), json_integer_value(n) == 1 ? "" : "s", code);
    buf_puts(&note, " The region is the province in North Korea, else the country, of a place "
                    "the gazetteer knows; otherwise the place as written.");
    json_array_append_new(tables, price_table("sale_prices_by_year", "Sale prices by year", "year",
                                              true, &years, buf_str(&rate_text), to,
                                              buf_str(&note)));
    json_array_append_new(tables, price_table("sale_prices_by_region", "Sale prices by region",
                                              "region", false, &regions, buf_str(&rate_text), to,
                                              buf_str(&note)));
    prices_free(&years);
    prices_free(&regions);
    buf_free(&rate_text);
    buf_free(&note);
    json_decref(left);
    buf_free(&region);
}

/* How many cases show each indicator, in the ILO's order. */
static json_t *indicator_table(json_t *cases)
{
    const struct vocab *v = vocab_find("ilo_indicator");
    json_t *rows = json_array(), *c;
    size_t i;

    for (size_t k = 0; k < v->nterms; k++) {
        json_int_t seen = 0, not_seen = 0;
        json_array_foreach(cases, i, c) {
            const char *status = str(json_object_get(json_object_get(c, "indicators"),
                                                     v->terms[k].code), "status");
            seen += status && strcmp(status, "observed") == 0;
            not_seen += status && strcmp(status, "not_observed") == 0;
        }
        json_array_append_new(rows, json_pack("{s:s, s:s, s:[I, I, I]}", "key", v->terms[k].code,
                                              "label", v->terms[k].label, "values", seen, not_seen,
                                              (json_int_t)json_array_size(cases) - seen - not_seen));
    }
    return json_pack("{s:s, s:s, s:s, s:[s, s, s], s:o, s:b, s:b, s:s}", "name", "indicators",
                     "title", "ILO indicators of forced labour in the cases", "key", "indicator",
                     "columns", "observed", "not_observed", "unknown", "rows", rows, "witnesses",
                     false, "over_time", false, "note",
                     "Cases of both kinds; unknown counts the cases where the indicator is "
                     "unknown or not recorded.");
}

/* Overseas-labour cases by country of work, with the median share taken. */
static json_t *country_table(json_t *cases)
{
    struct prices shares = { 0 }, all = { 0 };
    struct buf name = BUF_INIT;
    json_t *rows = json_array(), *c;
    size_t i;

    json_array_foreach(cases, i, c) {
        const char *country = str(c, "country") ?: KEY_NOT_GIVEN;
        if (strcmp(str(c, "kind") ?: "", "overseas_labour") != 0)
            continue;
        prices_add(&all, country, 0);
        if (json_object_get(c, "share_taken"))
            prices_add(&shares, country, json_number_value(json_object_get(c, "share_taken")));
    }
    if (all.n)
        qsort(all.g, all.n, sizeof *all.g, by_group_size);
    for (i = 0; i < all.n; i++) {
        json_t *median = json_null();
        for (size_t k = 0; k < shares.n; k++) {
            struct price_group *g = &shares.g[k];
            if (strcmp(g->key, all.g[i].key) != 0)
                continue;
            qsort(g->v, g->n, sizeof *g->v, by_double);
            median = money(g->n % 2 ? g->v[g->n / 2] : (g->v[g->n / 2 - 1] + g->v[g->n / 2]) / 2);
        }
        buf_reset(&name);
        if (strcmp(all.g[i].key, KEY_NOT_GIVEN) == 0)
            buf_puts(&name, "not given");
        else
            model_country_name(all.g[i].key, "en", &name);
        json_array_append_new(rows, json_pack("{s:s, s:s, s:[I, o]}", "key", all.g[i].key,
                                              "label", buf_str(&name), "values",
                                              (json_int_t)all.g[i].n, median));
    }
    prices_free(&shares);
    prices_free(&all);
    buf_free(&name);
    return json_pack("{s:s, s:s, s:s, s:[s, s], s:o, s:b, s:b, s:s}", "name", "workers_by_country",
                     "title", "Overseas workers by country of work", "key", "country", "columns",
                     "workers", "share_taken_median_pct", "rows", rows, "witnesses", false,
                     "over_time", false, "note",
                     "One overseas-labour case is one worker; the share is the median percent of "
                     "the stated wage taken, where recorded.");
}

/* Below confidential, a count of fewer than STATS_MIN_CELL people is
 * withheld (withhold_column), and so are the figures beside it, which
 * would tell a lone price or share. */
static void withhold_row_figures(json_t *table)
{
    json_t *row, *values;
    size_t i;

    withhold_column(table, 0);
    json_array_foreach(json_object_get(table, "rows"), i, row) {
        values = json_object_get(row, "values");
        if (json_is_string(json_array_get(values, 0)))
            for (size_t c = 1; c < json_array_size(values); c++)
                json_array_set(values, c, json_array_get(values, 0));
    }
}

int stats_casework(struct at_ctx *ctx, struct store *st, int max_clearance,
                   const struct stats_rates *rates, json_t *stats)
{
    static const char sql[] =
        "SELECT doc FROM record_current WHERE type = 'case' AND NOT retracted AND clearance <= ?1"
        " ORDER BY id";
    int limit = access_read_limit(store_session(st), max_clearance);
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *cases = json_array(), *tables = json_object_get(stats, "tables"), *table;
    size_t first = json_array_size(tables);
    int rc;

    if (stmt == NULL) {
        json_decref(cases);
        return AT_ERR;
    }
    sqlite3_bind_int(stmt, 1, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        json_array_append_new(cases, doc_data(stmt, 0));
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
        json_decref(cases);
        return store_error(ctx, st, "counting cases");
    }
    sale_tables(cases, rates, tables);
    json_array_append_new(tables, indicator_table(cases));
    json_array_append_new(tables, country_table(cases));
    json_decref(cases);
    if (limit < CLEARANCE_CONFIDENTIAL) {
        for (size_t i = first; i < json_array_size(tables); i++) {
            table = json_array_get(tables, i);
            if (strcmp(json_string_value(json_object_get(table, "name")), "indicators") == 0)
                for (size_t c = 0; c < 3; c++)
                    withhold_column(table, c);
            else
                withhold_row_figures(table);
        }
    }
    return AT_OK;
}
/* ---- end of casework ---- */

json_t *stats_table(json_t *stats, const char *name)
{
    json_t *table;
    size_t i;

    json_array_foreach(json_object_get(stats, "tables"), i, table)
        if (strcmp(json_string_value(json_object_get(table, "name")), name) == 0)
            return table;
    return NULL;
}

/* ---- output ---- */

/* A cell's text: a count, a percentage, "" for none, or a withheld mark. */
static void cell_text(const json_t *v, struct buf *out)
{
    if (json_is_integer(v))
        buf_printf(out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        buf_printf(out, "%.1f", json_real_value(v));
    else if (json_is_string(v))
        buf_puts(out, json_string_value(v));
}

void stats_csv(const json_t *stats, struct buf *out)
{
    static const char *const header[] = { "table", "key", "column", "value" };
    const struct csv_options opt = { .guard_formulas = true };
    const json_t *table, *row, *cols;
    struct buf value = BUF_INIT;
    const char *fields[4];
    size_t i, r, c;

    csv_write_record_opt(out, header, 4, &opt);
    json_array_foreach(json_object_get(stats, "tables"), i, table) {
        cols = json_object_get(table, "columns");
        json_array_foreach(json_object_get(table, "rows"), r, row) {
            for (c = 0; c < json_array_size(cols); c++) {
                buf_reset(&value);
                cell_text(json_array_get(json_object_get(row, "values"), c), &value);
                fields[0] = json_string_value(json_object_get(table, "name"));
                fields[1] = json_string_value(json_object_get(row, "label"));
                fields[2] = json_string_value(json_array_get(cols, c));
                fields[3] = buf_str(&value);
                csv_write_record_opt(out, fields, 4, &opt);
            }
        }
    }
    buf_free(&value);
}

/* Which columns of a table are drawn: counts, never percentages. */
static bool column_drawn(const json_t *table, const char *name)
{
    if (json_object_get(table, "currency"))   /* sale prices: the median alone */
        return strcmp(name, "median") == 0;
    return strstr(name, "_pct") == NULL;
}

/* A table's title in lang: a price table's names its currency after the
 * title's words ("Sale prices by year, in KPW (at ...)"). */
static void title_in(enum svg_lang lang, const json_t *table, struct buf *out)
{
    const char *title = json_string_value(json_object_get(table, "title")) ?: "";
    const char *in = json_object_get(table, "currency") ? strstr(title, ", in ") : NULL;

    if (lang == SVG_EN || in == NULL) {
        buf_puts(out, svg_word(lang, title));
        return;
    }
    {
        struct buf base = BUF_INIT;

        buf_printf(&base, "%.*s", (int)(in - title), title);
        buf_printf(out, "%s (%s)", svg_word(lang, buf_str(&base)), in + 5);
        buf_free(&base);
    }
}

int stats_chart(struct at_ctx *ctx, const json_t *table, enum svg_lang lang, struct buf *out)
{
    const json_t *rows = json_object_get(table, "rows"), *cols = json_object_get(table, "columns"),
                 *row, *v;
    bool over_time = json_is_true(json_object_get(table, "over_time")), withheld = false;
    const char *note = json_string_value(json_object_get(table, "note"));
    struct svg_series series[MAX_COLS];
    const char **labels = NULL;
    double *values[MAX_COLS] = { 0 };
    struct buf full_note = BUF_INIT, title = BUF_INIT;
    struct svg_frame f = { .lang = lang };
    size_t ncat = 0, ns = 0, r, c;
    int rc;

    if (json_array_size(rows) == 0)
        return ctx_error(ctx, AT_ENOTFOUND, "chart: %s has no rows to draw",
                         json_string_value(json_object_get(table, "name")));
    labels = xcalloc(json_array_size(rows), sizeof *labels);
    for (c = 0; c < json_array_size(cols) && c < MAX_COLS; c++)
        values[c] = xcalloc(json_array_size(rows), sizeof *values[c]);
    json_array_foreach(rows, r, row) {
        if (over_time && key_last(json_string_value(json_object_get(row, "key"))))
            continue;
        labels[ncat] = json_string_value(json_object_get(row, "label"));
        for (c = 0; c < json_array_size(cols) && c < MAX_COLS; c++) {
            v = json_array_get(json_object_get(row, "values"), c);
            values[c][ncat] = json_is_number(v) ? json_number_value(v) : NAN;
            withheld |= json_is_string(v);
        }
        ncat++;
    }
    for (c = 0; c < json_array_size(cols) && c < MAX_COLS; c++)
        if (column_drawn(table, json_string_value(json_array_get(cols, c))))
            series[ns++] = (struct svg_series){
                .name = svg_word(lang, json_string_value(json_array_get(cols, c))), .y = values[c] };
    f.y_label = ns == 1 ? series[0].name : svg_word(lang, "number");
    if (ns == 1)
        series[0].name = NULL;
    if (note)
        svg_note(lang, note, &full_note);
    if (withheld) {
        char withheld_note[160];

        snprintf(withheld_note, sizeof withheld_note, "Cells of fewer than %d witnesses are withheld "
                 "at this clearance and not drawn.", STATS_MIN_CELL);
        buf_printf(&full_note, "%s%s", note ? " " : "", svg_word(lang, withheld_note));
    }
    title_in(lang, table, &title);
    f.title = buf_str(&title);
    f.x_label = svg_word(lang, json_string_value(json_object_get(table, "key")));
    f.note = full_note.len ? buf_str(&full_note) : NULL;
    f.flags = SVG_Y_INTEGER | (over_time ? 0 : SVG_HORIZONTAL);
    if (ncat == 0)
        rc = ctx_error(ctx, AT_ENOTFOUND, "chart: %s has no %s to draw", f.title,
                       over_time ? "dated rows" : "categories");
    else
        rc = svg_bars(ctx, out, &f, labels, ncat, series, ns);
    for (c = 0; c < MAX_COLS; c++)
        free(values[c]);
    free(labels);
    buf_free(&full_note);
    buf_free(&title);
    return rc;
}
