/*
 * corroboration.c: counting an event's independent sources and checking
 * whether its accounts agree (corroboration.h says what counts).
 *
 * Sources are joined by union-find over record ids: a same_household or
 * heard_from relation joins its two ends, and an interview with a "group"
 * joins its witness to the group's label.  Two sources are independent
 * when they end in different sets.  Only what the store's session may
 * read is loaded or counted, so a reader is never told more by a count
 * than the records they may open.
 */
#include "attest.h"
#include "corroboration.h"
#include "access.h"
#include "date.h"
#include "geo.h"
#include "model.h"
#include "record.h"
#include "sites.h"
#include "union_find.h"
#include "vocab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct corroboration {
    struct store *st;
    struct union_find joined;   /* record ids and "group:LABEL" keys counted as one */
    json_t *source;   /* an account's source id -> the witness or document it counts as, or null */
};

int corroboration_basis_rank(const char *basis)
{
    const struct vocab *v = vocab_find("basis_of_knowledge");
    int i = basis ? vocab_index(v, basis) : -1;

    return i >= 0 ? i : (int)v->nterms - 1;
}

/* Joins the ends of each readable same_household and heard_from relation,
 * and each readable interview's witness with its group. */
static int load_joins(struct at_ctx *ctx, struct corroboration *c)
{
    static const char sql[] =
        "SELECT doc FROM record_current WHERE NOT retracted AND clearance <= ?1 AND"
        " ((type = 'relation' AND json_extract(doc, '$.data.kind') IN ('same_household', 'heard_from'))"
        "  OR (type = 'interview' AND json_extract(doc, '$.data.group') IS NOT NULL))";
    sqlite3_stmt *stmt = store_stmt(ctx, c->st, sql);
    int step;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, access_session_clearance(store_session(c->st)));
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        json_t *data = json_object_get(doc, "data");
        const char *group = json_string_value(json_object_get(data, "group"));
        if (group) {
            struct buf key = BUF_INIT;
            buf_printf(&key, "group:%s", group);
            union_find_join(&c->joined, json_string_value(json_object_get(data, "witness")), buf_str(&key));
            buf_free(&key);
        } else {
            union_find_join(&c->joined, json_string_value(json_object_get(data, "from")),
                            json_string_value(json_object_get(data, "to")));
        }
        json_decref(doc);
    }
    sqlite3_reset(stmt);
    return step == SQLITE_DONE ? AT_OK : store_error(ctx, c->st, "reading the sources' relations");
}

int corroboration_open(struct at_ctx *ctx, struct store *st, struct corroboration **out)
{
    struct corroboration *c = xcalloc(1, sizeof *c);
    int rc;

    c->st = st;
    union_find_init(&c->joined);
    c->source = json_object();
    if ((rc = load_joins(ctx, c)) != AT_OK) {
        corroboration_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

void corroboration_free(struct corroboration *c)
{
    if (c == NULL)
        return;
    union_find_free(&c->joined);
    json_decref(c->source);
    free(c);
}

/* The witness or document that an account's source id (an interview, a
 * witness or a document) counts as, when the reader may read that
 * record; NULL otherwise.  Borrowed from the cache. */
static const char *source_of(struct corroboration *c, const char *id)
{
    json_t *v, *doc;

    if (id == NULL)
        return NULL;
    if ((v = json_object_get(c->source, id)) == NULL) {
        const struct type_spec *t = model_type_of_id(id);
        const char *as = NULL;
        doc = record_visible(c->st, id);
        if (doc && t && strcmp(t->name, "interview") == 0)
            as = json_string_value(json_object_get(json_object_get(doc, "data"), "witness"));
        else if (doc && t && (strcmp(t->name, "witness") == 0 || strcmp(t->name, "document") == 0))
            as = id;
        v = as ? json_string(as) : json_null();
        json_object_set_new(c->source, id, v);
        json_decref(doc);
    }
    return json_string_value(v);
}

/* One event's accounts as they are read. */
struct tally {
    size_t accounts, unattributed;
    json_t *sources;   /* witness or document id -> true */
    json_t *direct;    /* the same, for present or eyewitness accounts */
    int best;          /* strongest basis rank; -1 when none stated */
    size_t dated;
    int32_t lo, hi, max_lo, min_hi;
    size_t placed;
    double *lat, *lon, *radius;
    json_t *victims;   /* the act's source id ("" for none) -> [count, approximate] */
};

static void tally_date(struct tally *t, const char *text)
{
    struct at_ctx quiet = { 0 };
    struct fuzzy_date d;

    if (text == NULL || date_parse(&quiet, text, &d) != AT_OK || d.precision == DATE_UNKNOWN)
        return;
    if (t->dated++ == 0) {
        t->lo = t->max_lo = d.lo;
        t->hi = t->min_hi = d.hi;
        return;
    }
    t->lo = d.lo < t->lo ? d.lo : t->lo;
    t->hi = d.hi > t->hi ? d.hi : t->hi;
    t->max_lo = d.lo > t->max_lo ? d.lo : t->max_lo;
    t->min_hi = d.hi < t->min_hi ? d.hi : t->min_hi;
}

static void tally_place(struct tally *t, json_t *data)
{
    json_t *lat = json_object_get(data, "lat"), *lon = json_object_get(data, "lon");
    json_t *u = json_object_get(data, "uncertainty_m");

    if (lat == NULL || lon == NULL)
        return;
    t->lat = xrealloc(t->lat, (t->placed + 1) * sizeof *t->lat);
    t->lon = xrealloc(t->lon, (t->placed + 1) * sizeof *t->lon);
    t->radius = xrealloc(t->radius, (t->placed + 1) * sizeof *t->radius);
    t->lat[t->placed] = json_number_value(lat);
    t->lon[t->placed] = json_number_value(lon);
    t->radius[t->placed] = u ? json_number_value(u) : SITES_DEFAULT_UNCERTAINTY_M;
    t->placed++;
}

/* An act's victims: its counted group, or one named victim. */
static void tally_victims(struct tally *t, const char *source, json_t *data)
{
    json_t *count = json_object_get(data, "victim_count"), *sum;
    json_int_t n = count ? json_integer_value(count) : json_object_get(data, "victim") ? 1 : 0;
    bool approx = json_integer_value(json_object_get(data, "count_approximate")) == 1;

    if (n == 0)
        return;
    if ((sum = json_object_get(t->victims, source ? source : "")) == NULL) {
        json_object_set_new(t->victims, source ? source : "", json_pack("[I, b]", n, approx));
        return;
    }
    json_array_set_new(sum, 0, json_integer(json_integer_value(json_array_get(sum, 0)) + n));
    if (approx)
        json_array_set_new(sum, 1, json_true());
}

/* One account: its record's data, the id of its source (or NULL) and
 * its stated basis of knowledge (or NULL). */
static void tally_account(struct corroboration *c, struct tally *t, const char *source,
                          const char *basis)
{
    const char *as = source_of(c, source);
    int rank;

    t->accounts++;
    if (as == NULL) {
        t->unattributed++;
        return;
    }
    json_object_set_new(t->sources, as, json_true());
    if (basis == NULL && strncmp(as, "dc-", 3) == 0)
        basis = "document";
    if (basis == NULL)
        return;
    rank = corroboration_basis_rank(basis);
    if (t->best < 0 || rank < t->best)
        t->best = rank;
    if (rank <= corroboration_basis_rank("eyewitness"))
        json_object_set_new(t->direct, as, json_true());
}

/* The number of independent sets among the ids (keys) of set. */
static json_int_t independent(struct corroboration *c, json_t *set)
{
    json_t *roots = json_object(), *v;
    const char *id;
    json_int_t n;

    json_object_foreach(set, id, v) {
        char room[32];
        json_object_set_new(roots, union_find_label(&c->joined, id, room), json_true());
    }
    n = (json_int_t)json_object_size(roots);
    json_decref(roots);
    return n;
}

/* true or false from two accounts on; null below. */
static json_t *agreement(size_t accounts, bool agree)
{
    return accounts < 2 ? json_null() : json_boolean(agree);
}

static json_t *day_text(int32_t ymd)
{
    char text[16];

    snprintf(text, sizeof text, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    return json_string(text);
}

static json_t *date_result(const struct tally *t)
{
    json_t *o = json_pack("{s:I, s:o}", "accounts", (json_int_t)t->dated, "agree",
                          agreement(t->dated, t->max_lo <= t->min_hi));

    if (t->dated) {
        json_object_set_new(o, "from", day_text(t->lo));
        json_object_set_new(o, "to", day_text(t->hi));
    }
    return o;
}

/* Placements agree when every two of them lie within their radii of
 * uncertainty of each other. */
static json_t *place_result(const struct tally *t)
{
    double spread = 0;
    bool agree = true;
    json_t *o;

    for (size_t i = 0; i < t->placed; i++)
        for (size_t j = i + 1; j < t->placed; j++) {
            double d = geo_distance_m(t->lat[i], t->lon[i], t->lat[j], t->lon[j]);
            spread = fmax(spread, d);
            agree = agree && d <= t->radius[i] + t->radius[j];
        }
    o = json_pack("{s:I, s:o}", "accounts", (json_int_t)t->placed, "agree",
                  agreement(t->placed, agree));
    if (t->placed > 1)
        json_object_set_new(o, "spread_m", json_real(round(spread)));
    return o;
}

/* Counts agree when one number lies within all of them, an approximate
 * count standing for CORROBORATION_APPROX_SHARE more or less. */
static json_t *victims_result(const struct tally *t)
{
    json_int_t min = 0, max = 0;
    double max_lo = 0, min_hi = 0;
    size_t k = 0;
    const char *source;
    json_t *sum, *o;

    json_object_foreach(t->victims, source, sum) {
        json_int_t n = json_integer_value(json_array_get(sum, 0));
        double share = json_is_true(json_array_get(sum, 1)) ? CORROBORATION_APPROX_SHARE : 0;
        double lo = floor((double)n * (1 - share)), hi = ceil((double)n * (1 + share));
        if (k++ == 0) {
            min = max = n;
            max_lo = lo;
            min_hi = hi;
            continue;
        }
        min = n < min ? n : min;
        max = n > max ? n : max;
        max_lo = fmax(max_lo, lo);
        min_hi = fmin(min_hi, hi);
    }
    o = json_pack("{s:I, s:o}", "accounts", (json_int_t)k, "agree", agreement(k, max_lo <= min_hi));
    if (k) {
        json_object_set_new(o, "min", json_integer(min));
        json_object_set_new(o, "max", json_integer(max));
    }
    return o;
}

/* The information relations the reader may read that point at id. */
static int tally_information(struct at_ctx *ctx, struct corroboration *c, struct tally *t,
                             const char *id)
{
    json_t *refs, *ref;
    size_t i;
    int rc = record_referrers(ctx, c->st, id, &refs);

    if (rc != AT_OK)
        return rc;
    json_array_foreach(refs, i, ref) {
        const char *rid = json_string_value(json_object_get(ref, "id"));
        json_t *doc, *data;
        if (strcmp(json_string_value(json_object_get(ref, "field")), "to") != 0
            || (doc = record_visible(c->st, rid)) == NULL)
            continue;
        data = json_object_get(doc, "data");
        if (strcmp(json_string_value(json_object_get(data, "kind")) ?: "", "information") == 0)
            tally_account(c, t, json_string_value(json_object_get(data, "from")),
                          json_string_value(json_object_get(data, "basis")));
        json_decref(doc);
    }
    json_decref(refs);
    return AT_OK;
}

/* Reads every account of event (its version document ev) into t. */
static int tally_event(struct at_ctx *ctx, struct corroboration *c, struct tally *t, json_t *ev)
{
    const char *id = json_string_value(json_object_get(ev, "id"));
    const char *ev_source = json_string_value(json_object_get(ev, "source"));
    json_t *refs, *ref;
    size_t i;
    int rc;

    if (ev_source) {
        json_t *data = json_object_get(ev, "data");
        tally_account(c, t, ev_source, NULL);
        tally_date(t, json_string_value(json_object_get(data, "date")));
        tally_place(t, data);
    }
    if ((rc = tally_information(ctx, c, t, id)) != AT_OK
        || (rc = record_referrers(ctx, c->st, id, &refs)) != AT_OK)
        return rc;
    json_array_foreach(refs, i, ref) {
        const char *rid = json_string_value(json_object_get(ref, "id"));
        const struct type_spec *type = model_type_of_id(rid);
        json_t *doc, *data;
        if (strcmp(json_string_value(json_object_get(ref, "field")), "event") != 0
            || (doc = record_visible(c->st, rid)) == NULL)
            continue;
        data = json_object_get(doc, "data");
        const char *source = json_string_value(json_object_get(doc, "source"));
        if (strcmp(type->name, "act") == 0) {
            source = source ? source : ev_source;
            tally_account(c, t, source, NULL);
            tally_date(t, json_string_value(json_object_get(data, "date")));
            tally_victims(t, source, data);
            rc = tally_information(ctx, c, t, rid);
        } else if (strcmp(type->name, "pinpoint") == 0) {
            const char *iv = json_string_value(json_object_get(data, "interview"));
            tally_account(c, t, iv ? iv : source, json_string_value(json_object_get(data, "basis")));
            tally_date(t, json_string_value(json_object_get(data, "date")));
            tally_place(t, data);
        }
        json_decref(doc);
        if (rc != AT_OK)
            break;
    }
    json_decref(refs);
    return rc;
}

/* The other event records that linkage put in event's cluster and that
 * the reader may read, tallied into t; *linked gets their number. */
static int tally_linked(struct at_ctx *ctx, struct corroboration *c, struct tally *t,
                        const char *event, size_t *linked)
{
    static const char sql[] =
        "SELECT o.record_id FROM link_cluster e JOIN link_cluster o ON o.cluster_id = e.cluster_id"
        " WHERE e.record_id = ?1 AND o.record_id <> ?1 AND o.type = 'event' ORDER BY o.record_id";
    sqlite3_stmt *stmt;
    json_t *ids = json_array(), *id;
    size_t i;
    int rc = AT_OK, step;

    *linked = 0;
    if ((stmt = store_stmt(ctx, c->st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    /* Gathered first: tallying uses other statements of the store. */
    sqlite3_bind_text(stmt, 1, event, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(stmt, 0)));
    sqlite3_reset(stmt);
    if (step != SQLITE_DONE) {
        rc = store_error(ctx, c->st, "reading the linked events");
        goto out;
    }
    json_array_foreach(ids, i, id) {
        json_t *doc = record_visible(c->st, json_string_value(id));
        if (doc && (rc = tally_event(ctx, c, t, doc)) == AT_OK)
            ++*linked;
        json_decref(doc);
        if (rc != AT_OK)
            break;
    }
out:
    json_decref(ids);
    return rc;
}

int corroboration_event(struct at_ctx *ctx, struct corroboration *c, const char *event,
                        json_t **out)
{
    struct tally t = { .best = -1 };
    const struct type_spec *type = model_type_of_id(event);
    json_t *ev = record_visible(c->st, event);
    size_t linked = 0;
    int rc;

    *out = NULL;
    if (ev == NULL || type == NULL || strcmp(type->name, "event") != 0) {
        json_decref(ev);
        return ctx_error(ctx, AT_ENOTFOUND, "no event %s", event);
    }
    t.sources = json_object();
    t.direct = json_object();
    t.victims = json_object();
    if ((rc = tally_event(ctx, c, &t, ev)) != AT_OK
        || (rc = tally_linked(ctx, c, &t, event, &linked)) != AT_OK)
        goto out;
    *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
                     "linked_events", (json_int_t)linked,
                     "accounts", (json_int_t)t.accounts,
                     "sources", independent(c, t.sources),
                     "source_records", (json_int_t)json_object_size(t.sources),
                     "unattributed", (json_int_t)t.unattributed,
                     "direct_sources", independent(c, t.direct),
                     "date", date_result(&t), "place", place_result(&t),
                     "victims", victims_result(&t));
    if (t.best >= 0)
        json_object_set_new(*out, "strongest_basis",
                            json_string(vocab_find("basis_of_knowledge")->terms[t.best].code));
out:
    json_decref(ev);
    json_decref(t.sources);
    json_decref(t.direct);
    json_decref(t.victims);
    free(t.lat);
    free(t.lon);
    free(t.radius);
    return rc;
}

int corroboration_of_event(struct at_ctx *ctx, struct store *st, const char *event, json_t **out)
{
    struct corroboration *c;
    int rc = corroboration_open(ctx, st, &c);

    *out = NULL;
    if (rc == AT_OK)
        rc = corroboration_event(ctx, c, event, out);
    corroboration_free(c);
    return rc;
}

/* Each column: the member of the corroboration (and of its part, when
 * part is not NULL) it shows. */
static const struct {
    const char *part, *key;
} columns[] = {
    { NULL, "sources" }, { NULL, "source_records" }, { NULL, "accounts" }, { NULL, "linked_events" },
    { NULL, "unattributed" }, { NULL, "direct_sources" }, { NULL, "strongest_basis" },
    { "date", "agree" }, { "date", "from" }, { "date", "to" },
    { "place", "agree" }, { "place", "spread_m" },
    { "victims", "agree" }, { "victims", "min" }, { "victims", "max" },
};

const char *const corroboration_columns[] = {
    "corroboration_sources", "corroboration_source_records", "corroboration_accounts",
    "corroboration_linked_events",
    "corroboration_unattributed", "corroboration_direct_sources", "corroboration_strongest_basis",
    "corroboration_date_agree", "corroboration_date_from", "corroboration_date_to",
    "corroboration_place_agree", "corroboration_place_spread_m",
    "corroboration_victims_agree", "corroboration_victims_min", "corroboration_victims_max",
};
const size_t corroboration_ncolumns = ARRAY_LEN(corroboration_columns);

_Static_assert(ARRAY_LEN(columns) == ARRAY_LEN(corroboration_columns), "one name per column");

void corroboration_cell(json_t *c, size_t i, struct buf *out)
{
    json_t *v = columns[i].part ? json_object_get(c, columns[i].part) : c;

    v = json_object_get(v, columns[i].key);
    if (json_is_boolean(v))
        buf_puts(out, json_is_true(v) ? "yes" : "no");
    else if (json_is_integer(v))
        buf_printf(out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        buf_printf(out, "%.0f", json_real_value(v));
    else if (json_is_string(v))
        buf_puts(out, json_string_value(v));
}

struct export {
    struct at_ctx *ctx;
    struct corroboration *c;
    FILE *out;
    long count;
};

static int export_one(void *arg, json_t *doc)
{
    struct export *e = arg;
    const char *id = json_string_value(json_object_get(doc, "id"));
    json_t *c, *line;
    char *text;
    int rc = corroboration_event(e->ctx, e->c, id, &c);

    if (rc != AT_OK)
        return rc;
    line = json_pack("{s:s, s:o}", "event", id, "corroboration", c);
    text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
    fputs(text, e->out);
    fputc('\n', e->out);
    free(text);
    json_decref(line);
    e->count++;
    return AT_OK;
}

int corroboration_export(struct at_ctx *ctx, struct store *st, FILE *out, long *count)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct export e = { ctx, NULL, out, 0 };
    int rc = corroboration_open(ctx, st, &e.c);

    f.type = "event";
    if (rc == AT_OK)
        rc = record_list(ctx, st, &f, export_one, &e);
    corroboration_free(e.c);
    *count = e.count;
    if (rc == AT_OK && (fflush(out) != 0 || ferror(out)))
        rc = ctx_error(ctx, AT_ERR, "writing the export failed");
    return rc;
}
