/*
 * mse_archive.c: estimates from the archive's own records.  The analyst
 * names lists as sets of sources ("NGO-A=interview,interviewer:NGO-A*");
 * a victim is on a list when an act against them was recorded from one of
 * the list's sources (the "source" of any version of the act).  Victims
 * are persons, one per cluster of the record linkage (link_cluster) when
 * it has clusters, else one per person record.  The records are read as
 * they were at a signed tree head, as the session may read them, so that
 * the estimate names the archive state it came from and can be computed
 * again from it (--at); each estimate is stored as a versioned log entry
 * of kind "estimate", whose id is a hash of its definition.
 */
#include "attest.h"
#include "access.h"
#include "canonical.h"
#include "date.h"
#include "evlog.h"
#include "model.h"
#include "mse.h"
#include "store.h"
#include "vocab.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define SOURCES_MAX 8
#define FILTERS_MAX 8
#define VALUE_MAX 128
#define STRATUM_MAX 128

struct filter {
    char field[40];
    char value[VALUE_MAX];
    bool prefix;
};

struct source_def {
    const struct type_spec *type;
    int nfilters;
    struct filter f[FILTERS_MAX];
};

struct list_def {
    char name[MSE_NAME_MAX];
    int nsources;
    struct source_def s[SOURCES_MAX];
};

struct lists_def {
    int n;
    struct list_def l[MSE_MAX_LISTS];
};

/* id -> something, in a sorted array for bsearch. */
struct keyed {
    char id[RECORD_ID_MAX];
    char text[STRATUM_MAX];  /* events: province; clusters: cluster id */
    char year[16];           /* events: their year */
    unsigned mask;           /* sources: the lists they belong to */
};

struct keyed_set {
    struct keyed *v;
    size_t n, cap;
};

/* One victim's documentation within a stratum. */
struct sighting {
    char stratum[STRATUM_MAX];
    char victim[STRATUM_MAX];  /* the cluster id, or the person's own */
    unsigned mask;
};

static const char *const strata_names[] = {
    [MSE_STRATA_NONE] = "none",
    [MSE_STRATA_PROVINCE] = "province",
    [MSE_STRATA_PERIOD] = "period",
    [MSE_STRATA_ACT] = "act",
};

int mse_strata_parse(struct at_ctx *ctx, const char *text, enum mse_strata *out)
{
    for (size_t i = 1; i < ARRAY_LEN(strata_names); i++)
        if (strcmp(text, strata_names[i]) == 0) {
            *out = (enum mse_strata)i;
            return AT_OK;
        }
    return ctx_error(ctx, AT_EINVAL, "strata \"%.40s\": use province, period or act", text);
}

/* ---- the lists ---- */

static int parse_source(struct at_ctx *ctx, const char *list, char *text, struct source_def *s)
{
    char *save = NULL, *part = strtok_r(text, ",", &save);

    memset(s, 0, sizeof *s);
    if (!part || (strcmp(part, "interview") != 0 && strcmp(part, "document") != 0))
        return ctx_error(ctx, AT_EINVAL, "list \"%s\": a source is interview or document, then ,FIELD:VALUE filters; not \"%.40s\"",
                         list, part ? part : "");
    s->type = model_type(part);
    while ((part = strtok_r(NULL, ",", &save)) != NULL) {
        char *colon = strchr(part, ':');
        struct filter *f = &s->f[s->nfilters];
        size_t len;

        if (s->nfilters == FILTERS_MAX)
            return ctx_error(ctx, AT_EINVAL, "list \"%s\": at most %d filters per source", list, FILTERS_MAX);
        if (!colon || colon == part || !colon[1])
            return ctx_error(ctx, AT_EINVAL, "list \"%s\": a filter is FIELD:VALUE, not \"%.40s\"", list, part);
        *colon = 0;
        if (strcmp(part, "id") != 0 && !model_field(s->type, part))
            return ctx_error(ctx, AT_EINVAL, "list \"%s\": %s has no field \"%.40s\" (see attest add %s --fields)",
                             list, s->type->name, part, s->type->name);
        len = strlen(colon + 1);
        if (strlen(part) >= sizeof f->field || len >= sizeof f->value)
            return ctx_error(ctx, AT_EINVAL, "list \"%s\": a filter's value has at most %d bytes", list, VALUE_MAX - 1);
        strcpy(f->field, part);
        f->prefix = colon[len] == '*';
        memcpy(f->value, colon + 1, len - f->prefix);
        f->value[len - f->prefix] = 0;
        s->nfilters++;
    }
    return AT_OK;
}

static int parse_lists(struct at_ctx *ctx, const char *spec, struct lists_def *out)
{
    char *text = xstrdup(spec), *save = NULL, *item;
    int rc = AT_OK;

    memset(out, 0, sizeof *out);
    for (item = strtok_r(text, ";", &save); item && rc == AT_OK; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '='), *save2 = NULL, *src;
        struct list_def *l = &out->l[out->n];

        while (*item == ' ')
            item++;
        if (out->n == MSE_MAX_LISTS) {
            rc = ctx_error(ctx, AT_EINVAL, "--lists: at most %d lists", MSE_MAX_LISTS);
            break;
        }
        if (!eq || eq == item || (size_t)(eq - item) >= sizeof l->name) {
            rc = ctx_error(ctx, AT_EINVAL, "--lists: each list is NAME=SOURCE[|SOURCE] (a name of 1 to %d bytes); not \"%.40s\"",
                           MSE_NAME_MAX - 1, item);
            break;
        }
        memcpy(l->name, item, (size_t)(eq - item));
        for (int i = 0; i < out->n; i++)
            if (strcmp(out->l[i].name, l->name) == 0)
                rc = ctx_error(ctx, AT_EINVAL, "--lists: the list \"%s\" is named twice", l->name);
        for (src = strtok_r(eq + 1, "|", &save2); src && rc == AT_OK; src = strtok_r(NULL, "|", &save2)) {
            if (l->nsources == SOURCES_MAX)
                rc = ctx_error(ctx, AT_EINVAL, "list \"%s\": at most %d sources", l->name, SOURCES_MAX);
            else
                rc = parse_source(ctx, l->name, src, &l->s[l->nsources++]);
        }
        if (rc == AT_OK && l->nsources == 0)
            rc = ctx_error(ctx, AT_EINVAL, "list \"%s\" names no source", l->name);
        out->n++;
    }
    if (rc == AT_OK && out->n < 2)
        rc = ctx_error(ctx, AT_EINVAL, "--lists: estimation needs 2 to %d lists, separated by ';'", MSE_MAX_LISTS);
    free(text);
    return rc;
}

/* The definition as JSON: each list with its sources in a normal form. */
static json_t *lists_json(const struct lists_def *d)
{
    json_t *a = json_array();

    for (int i = 0; i < d->n; i++) {
        json_t *sources = json_array();

        for (int k = 0; k < d->l[i].nsources; k++) {
            const struct source_def *s = &d->l[i].s[k];
            struct buf b = BUF_INIT;

            buf_puts(&b, s->type->name);
            for (int f = 0; f < s->nfilters; f++)
                buf_printf(&b, ",%s:%s%s", s->f[f].field, s->f[f].value, s->f[f].prefix ? "*" : "");
            json_array_append_new(sources, json_string(buf_str(&b)));
            buf_free(&b);
        }
        json_array_append_new(a, json_pack("{s:s, s:o}", "name", d->l[i].name, "sources", sources));
    }
    return a;
}

/* A field of a record's data as text, for filters: strings as they are,
 * numbers in decimal; nothing for other values. */
static void field_text(json_t *v, struct buf *out)
{
    if (json_is_string(v))
        buf_puts(out, json_string_value(v));
    else if (json_is_integer(v))
        buf_printf(out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        buf_printf(out, "%.15g", json_real_value(v));
}

static bool source_matches(const struct source_def *s, const char *type, const char *id, json_t *data)
{
    if (strcmp(type, s->type->name) != 0)
        return false;
    for (int i = 0; i < s->nfilters; i++) {
        const struct filter *f = &s->f[i];
        struct buf b = BUF_INIT;
        bool ok;

        if (strcmp(f->field, "id") == 0)
            buf_puts(&b, id);
        else
            field_text(json_object_get(data, f->field), &b);
        ok = f->prefix ? strncmp(buf_str(&b), f->value, strlen(f->value)) == 0
                       : strcmp(buf_str(&b), f->value) == 0;
        buf_free(&b);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- records at a head ---- */

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->id, ((const struct keyed *)b)->id);
}

static struct keyed *keyed_add(struct keyed_set *s, const char *id)
{
    struct keyed *k;

    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    k = &s->v[s->n++];
    memset(k, 0, sizeof *k);
    snprintf(k->id, sizeof k->id, "%s", id);
    return k;
}

static const struct keyed *keyed_find(const struct keyed_set *s, const char *id)
{
    struct keyed key;

    if (!id || strlen(id) >= sizeof key.id)
        return NULL;
    strcpy(key.id, id);
    return s->n ? bsearch(&key, s->v, s->n, sizeof *s->v, by_id) : NULL;
}

/* Whether the session may read this version: its clearance and the
 * record's current one both within the session's. */
static bool visible(json_t *doc, int current_clearance, int limit)
{
    struct at_ctx quiet = { 0 };
    int c = CLEARANCE_CONFIDENTIAL;

    vocab_clearance_parse(&quiet, json_string_value(json_object_get(doc, "clearance")) ?: "", &c);
    return c <= limit && current_clearance <= limit && !json_is_true(json_object_get(doc, "retracted"));
}

/* The newest version at or before the head of every record of type; calls
 * fn for each one the session may read. */
static const char latest_sql[] =
    "SELECT v.id, v.doc, coalesce(c.clearance, 0) FROM record_version v"
    " LEFT JOIN record_current c ON c.id = v.id"
    " WHERE v.type = ?1 AND v.log_seq <= ?2 AND v.version ="
    "  (SELECT max(w.version) FROM record_version w WHERE w.id = v.id AND w.log_seq <= ?2)"
    " ORDER BY v.id";

typedef void (*latest_fn)(void *arg, const char *id, json_t *doc);

static int each_latest(struct at_ctx *ctx, struct store *st, const char *type, uint64_t size,
                       int limit, latest_fn fn, void *arg)
{
    sqlite3_stmt *stmt = store_stmt(ctx, st, latest_sql);
    int step;

    if (!stmt)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)size);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 1), 0, NULL);

        if (doc && visible(doc, sqlite3_column_int(stmt, 2), limit))
            fn(arg, (const char *)sqlite3_column_text(stmt, 0), doc);
        json_decref(doc);
    }
    if (step != SQLITE_DONE)
        return store_error(ctx, st, "reading records at the tree head");
    return AT_OK;
}

struct source_job {
    const struct lists_def *d;
    const char *type;
    struct keyed_set *out;
};

static void add_source(void *arg, const char *id, json_t *doc)
{
    struct source_job *j = arg;
    json_t *data = json_object_get(doc, "data");
    unsigned mask = 0;

    for (int i = 0; i < j->d->n; i++)
        for (int k = 0; k < j->d->l[i].nsources; k++)
            if (source_matches(&j->d->l[i].s[k], j->type, id, data))
                mask |= 1u << i;
    if (mask)
        keyed_add(j->out, id)->mask = mask;
}

/* The year label of a fuzzy date: "1999", "1998-2000", or "" when unknown. */
static void year_of(const char *text, char *out, size_t size)
{
    struct at_ctx quiet = { 0 };
    struct fuzzy_date d;

    out[0] = 0;
    if (!text || date_parse(&quiet, text, &d) != AT_OK || d.precision == DATE_UNKNOWN)
        return;
    if (d.lo / 10000 == d.hi / 10000)
        snprintf(out, size, "%d", (int)(d.lo / 10000));
    else
        snprintf(out, size, "%d-%d", (int)(d.lo / 10000), (int)(d.hi / 10000));
}

static void add_event(void *arg, const char *id, json_t *doc)
{
    json_t *data = json_object_get(doc, "data");
    struct keyed *k = keyed_add(arg, id);

    snprintf(k->text, sizeof k->text, "%s", json_string_value(json_object_get(data, "province")) ?: "");
    year_of(json_string_value(json_object_get(data, "date")), k->year, sizeof k->year);
}

static bool table_exists(struct store *st, const char *name)
{
    static const char sql[] = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";
    struct at_ctx quiet = { 0 };
    sqlite3_stmt *stmt = store_stmt(&quiet, st, sql);
    bool yes;

    if (!stmt)
        return false;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    yes = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);   /* a statement left open keeps its snapshot: the thread's next write fails */
    return yes;
}

/* The person clusters of the record linkage, and what identifies them:
 * the count, a SHA-256 of the sorted (record, cluster) pairs, and the
 * model version of the newest person run at or before the head. */
static int load_clusters(struct at_ctx *ctx, struct store *st, uint64_t size, struct keyed_set *out,
                         json_t *linkage)
{
    static const char sql[] =
        "SELECT record_id, cluster_id FROM link_cluster WHERE type = 'person' ORDER BY record_id";
    static const char run_sql[] =
        "SELECT run, model_version FROM link_run WHERE type = 'person' AND log_seq <= ?1"
        " ORDER BY run DESC LIMIT 1";
    crypto_hash_sha256_state h;
    uint8_t digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sqlite3_stmt *stmt;
    int step;

    crypto_hash_sha256_init(&h);
    if (table_exists(st, "link_cluster")) {
        if (!(stmt = store_stmt(ctx, st, sql)))
            return AT_ERR;
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *rid = (const char *)sqlite3_column_text(stmt, 0);
            const char *cid = (const char *)sqlite3_column_text(stmt, 1);
            struct keyed *k;

            if (strlen(rid) >= sizeof k->id)
                continue;
            k = keyed_add(out, rid);
            snprintf(k->text, sizeof k->text, "%s", cid);
            crypto_hash_sha256_update(&h, (const uint8_t *)rid, strlen(rid));
            crypto_hash_sha256_update(&h, (const uint8_t *)"\t", 1);
            crypto_hash_sha256_update(&h, (const uint8_t *)cid, strlen(cid));
            crypto_hash_sha256_update(&h, (const uint8_t *)"\n", 1);
        }
        if (step != SQLITE_DONE)
            return store_error(ctx, st, "reading the record linkage's clusters");
    }
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    json_object_set_new(linkage, "persons_clustered", json_integer((json_int_t)out->n));
    json_object_set_new(linkage, "clusters_sha256", json_string(hex));
    json_object_set_new(linkage, "model_version", json_null());
    if (table_exists(st, "link_run")) {
        if (!(stmt = store_stmt(ctx, st, run_sql)))
            return AT_ERR;
        sqlite3_bind_int64(stmt, 1, (sqlite3_int64)size);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            json_object_set_new(linkage, "run", json_integer(sqlite3_column_int64(stmt, 0)));
            json_object_set_new(linkage, "model_version",
                                json_string((const char *)sqlite3_column_text(stmt, 1)));
        }
        sqlite3_reset(stmt);
    }
    return AT_OK;
}

/* ---- the acts ---- */

struct collect {
    const struct lists_def *d;
    enum mse_strata strata;
    const struct keyed_set *sources, *events, *clusters;
    struct sighting *v;
    size_t n, cap;
    long groups, unlisted, unclustered, acts;
};

static void stratum_of(const struct collect *c, json_t *data, char *out, size_t size)
{
    const struct keyed *ev = keyed_find(c->events, json_string_value(json_object_get(data, "event")));

    out[0] = 0;
    switch (c->strata) {
    case MSE_STRATA_NONE:
        snprintf(out, size, "all");
        break;
    case MSE_STRATA_PROVINCE:
        snprintf(out, size, "%s", ev && ev->text[0] ? ev->text : "");
        break;
    case MSE_STRATA_PERIOD:
        year_of(json_string_value(json_object_get(data, "date")), out, size);
        if (!out[0] && ev)
            snprintf(out, size, "%s", ev->year);
        break;
    case MSE_STRATA_ACT:
        snprintf(out, size, "%s", json_string_value(json_object_get(data, "act_type")) ?: "");
        break;
    }
    if (!out[0])
        snprintf(out, size, "unknown");
}

/* One act, from its versions up to the head: the lists of its sources. */
static void collect_act(struct collect *c, json_t *latest, unsigned mask)
{
    json_t *data = json_object_get(latest, "data");
    const char *victim = json_string_value(json_object_get(data, "victim"));
    const struct keyed *cl;
    struct sighting *s;

    c->acts++;
    if (!victim) {
        c->groups++;
        return;
    }
    if (!mask) {
        c->unlisted++;
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    s = &c->v[c->n++];
    stratum_of(c, data, s->stratum, sizeof s->stratum);
    cl = keyed_find(c->clusters, victim);
    snprintf(s->victim, sizeof s->victim, "%s", cl ? cl->text : victim);
    c->unclustered += !cl;
    s->mask = mask;
}

static int collect_acts(struct at_ctx *ctx, struct store *st, uint64_t size, int limit, struct collect *c)
{
    static const char sql[] =
        "SELECT v.id, v.doc, coalesce(c.clearance, 0) FROM record_version v"
        " LEFT JOIN record_current c ON c.id = v.id"
        " WHERE v.type = 'act' AND v.log_seq <= ?1 ORDER BY v.id, v.version";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char current[RECORD_ID_MAX] = "";
    json_t *latest = NULL;
    unsigned mask = 0;
    int step, latest_clearance = 0;

    if (!stmt)
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)size);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 1), 0, NULL);
        const char *source;

        if (!doc)
            continue;
        if (strcmp(id, current) != 0) {
            if (latest && visible(latest, latest_clearance, limit))
                collect_act(c, latest, mask);
            json_decref(latest);
            latest = NULL;
            mask = 0;
            snprintf(current, sizeof current, "%s", id);
        }
        source = json_string_value(json_object_get(doc, "source"));
        if (source) {
            const struct keyed *k = keyed_find(c->sources, source);

            if (k)
                mask |= k->mask;
        }
        json_decref(latest);
        latest = doc;
        latest_clearance = sqlite3_column_int(stmt, 2);
    }
    if (latest && visible(latest, latest_clearance, limit))
        collect_act(c, latest, mask);
    json_decref(latest);
    if (step != SQLITE_DONE)
        return store_error(ctx, st, "reading acts at the tree head");
    return AT_OK;
}

static int by_stratum_victim(const void *a, const void *b)
{
    const struct sighting *x = a, *y = b;
    int c = strcmp(x->stratum, y->stratum);

    return c ? c : strcmp(x->victim, y->victim);
}

/* ---- the estimate ---- */

static void warn_count(json_t *warnings, const char *fmt, long n) __attribute__((format(printf, 2, 0)));

static void warn_count(json_t *warnings, const char *fmt, long n)
{
    struct buf b = BUF_INIT;

    buf_printf(&b, fmt, n);
    json_array_append_new(warnings, json_string(buf_str(&b)));
    buf_free(&b);
}

/* Whether two JSON values have the same canonical text (numbers compared
 * as stored, to the digits the log keeps). */
static bool same_text(json_t *a, json_t *b)
{
    char *x = a ? canonical_text(a) : NULL, *y = b ? canonical_text(b) : NULL;
    bool same = x && y && strcmp(x, y) == 0;

    free(x);
    free(y);
    return same;
}

static json_t *method_json(const struct mse_method *m)
{
    json_t *o = json_pack("{s:s}", "name", mse_method_name(m->kind));

    if (m->kind == MSE_LOGLINEAR)
        json_object_set_new(o, "criterion", json_string(m->criterion == MSE_AIC ? "aic" : "bic"));
    if (m->kind == MSE_LCMCR) {
        json_object_set_new(o, "classes", json_integer(m->lcmcr.classes));
        json_object_set_new(o, "a_alpha", json_real(m->lcmcr.a_alpha));
        json_object_set_new(o, "b_alpha", json_real(m->lcmcr.b_alpha));
        json_object_set_new(o, "burnin", json_integer(m->lcmcr.burnin));
        json_object_set_new(o, "samples", json_integer(m->lcmcr.samples));
        json_object_set_new(o, "thinning", json_integer(m->lcmcr.thinning));
        json_object_set_new(o, "seed", json_integer((json_int_t)m->lcmcr.seed));
    }
    return o;
}

static int method_from_json(struct at_ctx *ctx, json_t *o, struct mse_method *m)
{
    int rc;

    memset(m, 0, sizeof *m);
    mse_lcmcr_defaults(&m->lcmcr);
    if ((rc = mse_method_parse(ctx, json_string_value(json_object_get(o, "name")) ?: "", &m->kind)) != AT_OK)
        return rc;
    m->criterion = strcmp(json_string_value(json_object_get(o, "criterion")) ?: "bic", "aic") == 0 ? MSE_AIC : MSE_BIC;
    if (m->kind == MSE_LCMCR) {
        m->lcmcr.classes = (int)json_integer_value(json_object_get(o, "classes"));
        m->lcmcr.a_alpha = json_number_value(json_object_get(o, "a_alpha"));
        m->lcmcr.b_alpha = json_number_value(json_object_get(o, "b_alpha"));
        m->lcmcr.burnin = (long)json_integer_value(json_object_get(o, "burnin"));
        m->lcmcr.samples = (long)json_integer_value(json_object_get(o, "samples"));
        m->lcmcr.thinning = (long)json_integer_value(json_object_get(o, "thinning"));
        m->lcmcr.seed = (uint64_t)json_integer_value(json_object_get(o, "seed"));
    }
    return AT_OK;
}

/* The signed head of the given size (0: the newest). */
static int find_head(struct at_ctx *ctx, struct store *st, uint64_t size, struct tree_head *h)
{
    static const char sql[] = "SELECT size, root, signed_at FROM tree_head WHERE size = ?1 ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *stmt;

    if (size == 0) {
        int rc = evlog_latest_head(ctx, st, h);

        if (rc == AT_ENOTFOUND)
            return ctx_error(ctx, AT_ENOTFOUND, "the archive has no signed tree head yet: add records first");
        return rc;
    }
    if (!(stmt = store_stmt(ctx, st, sql)))
        return AT_ERR;
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)size);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no signed tree head covers exactly %llu log entries",
                         (unsigned long long)size);
    }
    h->size = (uint64_t)sqlite3_column_int64(stmt, 0);
    memcpy(h->root, sqlite3_column_blob(stmt, 1), MERKLE_HASH_LEN);
    snprintf(h->signed_at, sizeof h->signed_at, "%s", (const char *)sqlite3_column_text(stmt, 2));
    sqlite3_reset(stmt);
    return AT_OK;
}

/* The estimate's id: "es-" and 16 hex digits of SHA-256 of its definition. */
static void estimate_id(json_t *definition, char out[RECORD_ID_MAX])
{
    char *text = canonical_text(definition);
    uint8_t digest[crypto_hash_sha256_BYTES];
    char hex[17];

    crypto_hash_sha256(digest, (const uint8_t *)text, strlen(text));
    sodium_bin2hex(hex, sizeof hex, digest, 8);
    snprintf(out, RECORD_ID_MAX, "es-%s", hex);
    free(text);
}

/* One stratum's report, or the reason it has none. */
static json_t *stratum_report(struct at_ctx *ctx, const struct lists_def *d, const struct mse_method *m,
                              const char *name, const struct sighting *v, size_t n)
{
    struct mse_table t;
    json_t *r = NULL;

    memset(&t, 0, sizeof t);
    t.nlists = d->n;
    for (int j = 0; j < d->n; j++)
        snprintf(t.names[j], sizeof t.names[j], "%s", d->l[j].name);
    for (size_t i = 0; i < n; i++)
        t.count[v[i].mask]++;
    if (mse_report(ctx, &t, m, &r) != AT_OK) {
        r = mse_table_describe(&t);
        json_object_set_new(r, "method", json_string(mse_method_name(m->kind)));
        json_object_set_new(r, "error", json_string(ctx->message));
        ctx_clear(ctx);
    }
    json_object_set_new(r, "stratum", json_string(name));
    return r;
}

int mse_archive_estimate(struct at_ctx *ctx, struct store *st, const struct mse_request *rq,
                         json_t **out)
{
    struct lists_def d;
    struct keyed_set sources = { 0 }, events = { 0 }, clusters = { 0 };
    struct collect c = { 0 };
    struct tree_head head;
    char root[2 * MERKLE_HASH_LEN + 1], id[RECORD_ID_MAX];
    json_t *doc = NULL, *definition, *linkage = json_object(), *strata = json_array(), *warnings = json_array();
    int limit = access_session_clearance(store_session(st)), rc;

    *out = NULL;
    if ((rc = parse_lists(ctx, rq->lists, &d)) != AT_OK || (rc = find_head(ctx, st, rq->at_size, &head)) != AT_OK)
        goto out;
    for (int k = 0; k < 2; k++) {
        struct source_job job = { &d, k ? "document" : "interview", &sources };

        if ((rc = each_latest(ctx, st, job.type, head.size, limit, add_source, &job)) != AT_OK)
            goto out;
    }
    if (sources.n)   /* qsort may not be given a NULL array, even empty */
        qsort(sources.v, sources.n, sizeof *sources.v, by_id);
    if ((rc = each_latest(ctx, st, "event", head.size, limit, add_event, &events)) != AT_OK)
        goto out;
    if (events.n)
        qsort(events.v, events.n, sizeof *events.v, by_id);
    if ((rc = load_clusters(ctx, st, head.size, &clusters, linkage)) != AT_OK)
        goto out;
    c = (struct collect){ .d = &d, .strata = rq->strata, .sources = &sources, .events = &events,
                          .clusters = &clusters };
    if ((rc = collect_acts(ctx, st, head.size, limit, &c)) != AT_OK)
        goto out;
    /* One sighting per victim and stratum: the union of their lists. */
    if (c.n)
        qsort(c.v, c.n, sizeof *c.v, by_stratum_victim);
    {
        size_t k = 0;

        for (size_t i = 0; i < c.n; i++) {
            if (k > 0 && by_stratum_victim(&c.v[k - 1], &c.v[i]) == 0)
                c.v[k - 1].mask |= c.v[i].mask;
            else
                c.v[k++] = c.v[i];
        }
        c.n = k;
    }
    for (size_t i = 0, j; i < c.n; i = j) {
        for (j = i; j < c.n && strcmp(c.v[j].stratum, c.v[i].stratum) == 0; j++)
            ;
        json_array_append_new(strata, stratum_report(ctx, &d, &rq->method, c.v[i].stratum, c.v + i, j - i));
    }
    if (clusters.n == 0)
        json_array_append_new(warnings, json_string(
            "No record linkage has clustered the victims yet: each person record counts as its own victim, so a victim recorded twice under two records counts twice, and overlaps between lists are missed (the estimate is then too high)."));
    if (clusters.n > 0 && c.unclustered > 0)
        warn_count(warnings, "%ld acts name a victim whose person record is in no linkage cluster (added since the last linkage run?): each such record counts as its own victim.", c.unclustered);
    if (c.groups > 0)
        warn_count(warnings, "%ld acts against a counted group name no person: they cannot be matched across lists and are left out.", c.groups);
    if (c.unlisted > 0)
        warn_count(warnings, "%ld acts against a person come from no source of these lists (or from sources you may not read) and are left out.", c.unlisted);
    if (json_array_size(strata) == 0)
        json_array_append_new(warnings, json_string("No victim is on any of these lists: check the sources each list names."));
    definition = json_pack("{s:o, s:s, s:o}", "lists", lists_json(&d), "strata", strata_names[rq->strata],
                           "method", method_json(&rq->method));
    estimate_id(definition, id);
    sodium_bin2hex(root, sizeof root, head.root, MERKLE_HASH_LEN);
    doc = json_pack("{s:s, s:s, s:o, s:{s:I, s:s, s:s}, s:o, s:s, s:I, s:o, s:o}", "id", id, "lists_spec", rq->lists,
                    "definition", definition, "tree_head", "size", (json_int_t)head.size, "root", root,
                    "signed_at", head.signed_at, "linkage", linkage, "clearance", vocab_clearance_name(limit),
                    "acts_read", (json_int_t)c.acts, "strata", strata, "warnings", warnings);
    linkage = strata = warnings = NULL;
    if (!doc)
        rc = ctx_error(ctx, AT_ERR, "could not describe the estimate");
    *out = doc;
out:
    json_decref(linkage);
    json_decref(strata);
    json_decref(warnings);
    free(sources.v);
    free(events.v);
    free(clusters.v);
    free(c.v);
    return rc;
}

int mse_archive_store_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    static const char count_sql[] = "SELECT count(*) FROM log_item WHERE kind = 'estimate' AND ref = ?1";
    json_t *doc = arg;
    const struct session *s = store_session(st);
    const char *id = json_string_value(json_object_get(doc, "id"));
    sqlite3_stmt *stmt;
    char now[21];
    int64_t seq;
    int rc;

    if ((rc = access_check(ctx, s, ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if (!(stmt = store_stmt(ctx, st, count_sql)))
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return store_error(ctx, st, "counting an estimate's versions");
    }
    json_object_set_new(doc, "version", json_integer(sqlite3_column_int64(stmt, 0) + 1));
    sqlite3_reset(stmt);   /* left stepping, it would keep its snapshot past the commit */
    canonical_now(now);
    json_object_set_new(doc, "computed_at", json_string(now));
    json_object_set_new(doc, "computed_by", json_string(s->user));
    return evlog_append_item(ctx, st, "estimate", id, doc, &seq);
}

int mse_archive_keep(struct at_ctx *ctx, struct store *st, json_t *doc, bool *stored)
{
    json_t *r;
    size_t i;
    int rc;

    *stored = false;
    json_array_foreach(json_object_get(doc, "strata"), i, r)
        json_object_del(r, "curve");
    if (access_check(ctx, store_session(st), ACTION_WRITE, 0) != AT_OK) {
        ctx_clear(ctx);
        json_array_append_new(json_object_get(doc, "warnings"),
                              json_string("Not stored: your role may not write to the archive."));
        return AT_OK;
    }
    if ((rc = evlog_write(ctx, st, mse_archive_store_write, doc)) != AT_OK)
        return rc;
    *stored = true;
    return AT_OK;
}

int mse_archive_load(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    static const char sql[] =
        "SELECT doc FROM log_item WHERE kind = 'estimate' AND ref = ?1 ORDER BY seq DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    *out = NULL;
    if (!stmt)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no stored estimate \"%.40s\" (estimates are named es-...)", id);
    }
    *out = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
    sqlite3_reset(stmt);
    return *out ? AT_OK : ctx_error(ctx, AT_ECORRUPT, "stored estimate %s is not JSON", id);
}

/* Whether the store's session may see a stored estimate: it was computed
 * with a clearance at or below the session's. */
static bool estimate_visible(struct store *st, json_t *doc)
{
    struct at_ctx quiet = { 0 };
    int c = CLEARANCE_CONFIDENTIAL;

    if (vocab_clearance_parse(&quiet, json_string_value(json_object_get(doc, "clearance")) ?: "", &c) != AT_OK)
        return false;
    return c <= access_session_clearance(store_session(st));
}

int mse_archive_read(struct at_ctx *ctx, struct store *st, const char *id, json_t **out)
{
    int rc = mse_archive_load(ctx, st, id, out);

    if (rc == AT_OK && !estimate_visible(st, *out)) {
        json_decref(*out);
        *out = NULL;
        return ctx_error(ctx, AT_ENOTFOUND, "no stored estimate \"%.40s\" (estimates are named es-...)", id);
    }
    return rc;
}

int mse_archive_list(struct at_ctx *ctx, struct store *st, json_t **out)
{
    static const char sql[] =
        "SELECT doc FROM log_item WHERE seq IN "
        "(SELECT max(seq) FROM log_item WHERE kind = 'estimate' GROUP BY ref) ORDER BY seq DESC";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *doc;
    int rc;

    *out = NULL;
    if (!stmt)
        return AT_ERR;
    *out = json_array();
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL)) == NULL) {
            sqlite3_reset(stmt);
            json_decref(*out);
            *out = NULL;
            return ctx_error(ctx, AT_ECORRUPT, "a stored estimate is not JSON");
        }
        if (estimate_visible(st, doc))
            json_array_append_new(*out, json_pack(
                "{s:O?, s:O?, s:O?, s:I, s:O?, s:O?, s:O?, s:O?}", "id", json_object_get(doc, "id"),
                "version", json_object_get(doc, "version"),
                "method", json_object_get(json_object_get(json_object_get(doc, "definition"), "method"), "name"),
                "strata", (json_int_t)json_array_size(json_object_get(doc, "strata")),
                "lists_spec", json_object_get(doc, "lists_spec"), "computed_at", json_object_get(doc, "computed_at"),
                "computed_by", json_object_get(doc, "computed_by"), "clearance", json_object_get(doc, "clearance")));
        json_decref(doc);
    }
    if (rc != SQLITE_DONE) {
        json_decref(*out);
        *out = NULL;
        return store_error(ctx, st, "listing stored estimates");
    }
    return AT_OK;
}

int mse_archive_reproduce(struct at_ctx *ctx, struct store *st, const char *id, bool curve,
                          json_t **stored, json_t **again, bool *same)
{
    struct mse_request rq = { 0 };
    json_t *def, *warnings, *strata, *r;
    size_t i;
    int rc;

    *again = NULL;
    *same = false;
    if ((rc = mse_archive_load(ctx, st, id, stored)) != AT_OK)
        return rc;
    def = json_object_get(*stored, "definition");
    rq.lists = json_string_value(json_object_get(*stored, "lists_spec")) ?: "";
    if ((rc = method_from_json(ctx, json_object_get(def, "method"), &rq.method)) != AT_OK)
        return rc;
    rq.method.curve = curve;
    rq.strata = MSE_STRATA_NONE;
    if (strcmp(json_string_value(json_object_get(def, "strata")) ?: "none", "none") != 0 &&
        (rc = mse_strata_parse(ctx, json_string_value(json_object_get(def, "strata")), &rq.strata)) != AT_OK)
        return rc;
    rq.at_size = (uint64_t)json_integer_value(json_object_get(json_object_get(*stored, "tree_head"), "size"));
    if ((rc = mse_archive_estimate(ctx, st, &rq, again)) != AT_OK)
        return rc;
    strata = json_deep_copy(json_object_get(*again, "strata"));
    json_array_foreach(strata, i, r)
        json_object_del(r, "curve");
    *same = same_text(json_object_get(*stored, "strata"), strata);
    json_decref(strata);
    warnings = json_object_get(*again, "warnings");
    if (!json_equal(json_object_get(json_object_get(*stored, "linkage"), "clusters_sha256"),
                    json_object_get(json_object_get(*again, "linkage"), "clusters_sha256")))
        json_array_append_new(warnings, json_string(
            "The record linkage's clusters have changed since the estimate was stored; victims are identified by today's clusters."));
    if (!json_equal(json_object_get(*stored, "clearance"), json_object_get(*again, "clearance")))
        json_array_append_new(warnings, json_string(
            "The estimate was stored by a reader of another clearance: you read a different set of records."));
    return AT_OK;
}
