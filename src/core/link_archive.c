/*
 * link_archive.c: record linkage on the archive.  A run reads the current
 * persons or events the session may read into a table (with the events
 * and act types each person is a victim of, and each event's placements,
 * act types and victim count), links it (link.c), and stores the run:
 * one log item, the pairs scored and each record's cluster.  The derived
 * table link_cluster then holds the clusters of those records.
 *
 * Stable cluster ids: a cluster takes the id most of its members had
 * before (each old id going to the cluster that holds most of its
 * members); a cluster with none takes the smallest record id among its
 * members that names no other cluster.  Records are never changed.
 */
#include "attest.h"
#include "link_int.h"
#include "access.h"
#include "canonical.h"
#include "evlog.h"
#include "record.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int link_type_parse(struct at_ctx *ctx, const char *text, enum link_type *out)
{
    if (text && (strcmp(text, "persons") == 0 || strcmp(text, "person") == 0))
        *out = LINK_PERSON;
    else if (text && (strcmp(text, "events") == 0 || strcmp(text, "event") == 0))
        *out = LINK_EVENT;
    else
        return ctx_error(ctx, AT_EINVAL, "type \"%s\": valid: persons, events", text ? text : "");
    return AT_OK;
}

const char *link_type_name(enum link_type t)
{
    return t == LINK_PERSON ? "person" : "event";
}

/* ---- the table of the archive's records --------------------------------- */

static const char *const person_fields[] = { "names", "sex", "birth_date", "home_province",
                                             "home_county", "events", "act_types" };
static const char *const event_fields[] = { "title", "date", "place", "county", "province",
                                            "act_types", "victims" };

struct gather {
    enum link_type type;
    json_t *rows;     /* id -> {field: text} */
    json_t *acts;     /* [data of each act] */
    json_t *points;   /* [data of each pinpoint with an event] */
};

static void append(json_t *row, const char *field, const char *value)
{
    const char *have = json_string_value(json_object_get(row, field));
    struct buf b = BUF_INIT;

    if (value == NULL || *value == '\0')
        return;
    if (have && *have) {
        if (strstr(have, value)) /* already listed */
            return;
        buf_printf(&b, "%s | %s", have, value);
    } else {
        buf_puts(&b, value);
    }
    json_object_set_new(row, field, json_string(buf_str(&b)));
    buf_free(&b);
}

static int take_record(void *arg, json_t *doc)
{
    struct gather *g = arg;
    json_t *data = json_object_get(doc, "data"), *row = json_object(), *v;
    const char *id = json_string_value(json_object_get(doc, "id"));
    size_t i;

    if (g->type == LINK_PERSON) {
        json_array_foreach(json_object_get(data, "names"), i, v)
            append(row, "names", json_string_value(json_object_get(v, "name")));
        for (i = 1; i < 5; i++)
            append(row, person_fields[i], json_string_value(json_object_get(data, person_fields[i])));
    } else {
        char point[96];
        append(row, "title", json_string_value(json_object_get(data, "title")));
        append(row, "date", json_string_value(json_object_get(data, "date")));
        append(row, "county", json_string_value(json_object_get(data, "county")));
        append(row, "province", json_string_value(json_object_get(data, "province")));
        if (json_is_number(json_object_get(data, "lat")) && json_is_number(json_object_get(data, "lon"))) {
            snprintf(point, sizeof point, "%.6f,%.6f", json_number_value(json_object_get(data, "lat")),
                     json_number_value(json_object_get(data, "lon")));
            append(row, "place", point);
        }
    }
    json_object_set_new(g->rows, id, row);
    return AT_OK;
}

static int take_data(void *arg, json_t *doc)
{
    json_array_append(arg, json_object_get(doc, "data"));
    return AT_OK;
}

/* The current cluster of an event id, for persons' "events". */
static void event_key(struct at_ctx *ctx, struct store *st, const char *event, struct buf *out)
{
    static const char sql[] = "SELECT cluster_id FROM link_cluster WHERE record_id = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    buf_reset(out);
    if (stmt) {
        sqlite3_bind_text(stmt, 1, event, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            buf_puts(out, (const char *)sqlite3_column_text(stmt, 0));
        sqlite3_reset(stmt);
    }
    if (out->len == 0)
        buf_puts(out, event);
}

static int build_table(struct at_ctx *ctx, struct store *st, enum link_type type,
                       struct link_table **out)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct gather g = { type, json_object(), json_array(), json_array() };
    const char *const *fields = type == LINK_PERSON ? person_fields : event_fields;
    size_t nfields = type == LINK_PERSON ? ARRAY_LEN(person_fields) : ARRAY_LEN(event_fields);
    struct link_table *t = NULL;
    struct buf key = BUF_INIT;
    const char *id;
    json_t *row, *v;
    size_t i;
    int rc;

    f.type = link_type_name(type);
    if ((rc = record_list(ctx, st, &f, take_record, &g)) != AT_OK)
        goto out;
    f.type = "act";
    if ((rc = record_list(ctx, st, &f, take_data, g.acts)) != AT_OK)
        goto out;
    f.type = "pinpoint";
    if (type == LINK_EVENT && (rc = record_list(ctx, st, &f, take_data, g.points)) != AT_OK)
        goto out;
    json_array_foreach(g.acts, i, v) {
        const char *event = json_string_value(json_object_get(v, "event"));
        const char *victim = json_string_value(json_object_get(v, "victim"));
        const char *act = json_string_value(json_object_get(v, "act_type"));
        if (type == LINK_PERSON && victim && (row = json_object_get(g.rows, victim))) {
            event_key(ctx, st, event, &key);
            append(row, "events", buf_str(&key));
            append(row, "act_types", act);
        } else if (type == LINK_EVENT && event && (row = json_object_get(g.rows, event))) {
            json_int_t n = json_integer_value(json_object_get(row, "_victims"));
            n += victim ? 1 : json_integer_value(json_object_get(v, "victim_count"));
            json_object_set_new(row, "_victims", json_integer(n));
            append(row, "act_types", act);
        }
    }
    json_array_foreach(g.points, i, v) {
        const char *event = json_string_value(json_object_get(v, "event"));
        char point[128];
        if (!event || !(row = json_object_get(g.rows, event)))
            continue;
        if (json_is_number(json_object_get(v, "uncertainty_m")))
            snprintf(point, sizeof point, "%.6f,%.6f,%.0f", json_number_value(json_object_get(v, "lat")),
                     json_number_value(json_object_get(v, "lon")),
                     json_number_value(json_object_get(v, "uncertainty_m")));
        else
            snprintf(point, sizeof point, "%.6f,%.6f", json_number_value(json_object_get(v, "lat")),
                     json_number_value(json_object_get(v, "lon")));
        append(row, "place", point);
    }
    if ((rc = link_table_new(ctx, fields, nfields, &t)) != AT_OK)
        goto out;
    json_object_foreach(g.rows, id, row) {
        const char *values[8];
        char victims[32] = "";
        if (json_integer_value(json_object_get(row, "_victims")) > 0)
            snprintf(victims, sizeof victims, "%lld",
                     (long long)json_integer_value(json_object_get(row, "_victims")));
        for (size_t k = 0; k < nfields; k++)
            values[k] = strcmp(fields[k], "victims") == 0
                            ? victims : json_string_value(json_object_get(row, fields[k]));
        if ((rc = link_table_add(ctx, t, id, values)) != AT_OK)
            goto out;
    }
out:
    buf_free(&key);
    json_decref(g.rows);
    json_decref(g.acts);
    json_decref(g.points);
    if (rc != AT_OK) {
        link_table_free(t);
        return rc;
    }
    *out = t;
    return AT_OK;
}

/* ---- parameters as JSON ----------------------------------------------------- */

static json_t *params_json(const struct link_config *c, const struct link_params *p)
{
    json_t *comps = json_array();

    for (size_t k = 0; k < p->ncomp; k++) {
        json_t *m = json_array(), *u = json_array();
        for (size_t l = 0; l < p->nlevels[k]; l++) {
            json_array_append_new(m, json_real(p->m[k][l]));
            json_array_append_new(u, json_real(p->u[k][l]));
        }
        json_array_append_new(comps, json_pack("{s:s, s:o, s:o}", "name", c->comp[k].name, "m", m, "u", u));
    }
    return json_pack("{s:f, s:o}", "lambda", p->lambda, "comparisons", comps);
}

/* ---- clusters and their ids --------------------------------------------------- */

struct named {
    uint32_t root;   /* the engine's cluster (smallest member) */
    size_t size;
};

static int by_size(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->root < y->root ? -1 : x->root > y->root;
}

/* Frees an array of n ids made by previous_ids or name_clusters (the
 * array and each id may be NULL). */
static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
}

/* The previous cluster id of each record (NULL when none), by index. */
static char **previous_ids(struct at_ctx *ctx, struct store *st, const struct link_table *t)
{
    static const char sql[] = "SELECT cluster_id FROM link_cluster WHERE record_id = ?1";
    char **prev = xcalloc(t->n ? t->n : 1, sizeof *prev);

    for (size_t i = 0; i < t->n; i++) {
        sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
        if (stmt == NULL)
            break;
        sqlite3_bind_text(stmt, 1, t->ids[i], -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            prev[i] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        sqlite3_reset(stmt);
    }
    return prev;
}

/* Names each cluster of cluster[] (by smallest member): names[i] for
 * record i, owned by the returned array of n strings. */
static char **name_clusters(const struct link_table *t, const uint32_t *cluster, char **prev)
{
    size_t n = t->n, ncl = 0;
    struct named *cl = xcalloc(n ? n : 1, sizeof *cl);
    size_t *slot = xmalloc((n ? n : 1) * sizeof *slot);
    char **name = xcalloc(n ? n : 1, sizeof *name), **cname = xcalloc(n ? n : 1, sizeof *cname);
    json_t *claimed = json_object();

    for (size_t i = 0; i < n; i++)
        slot[i] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = cluster[i];
        if (slot[r] == SIZE_MAX) {
            slot[r] = ncl;
            cl[ncl++] = (struct named){ r, 0 };
        }
        cl[slot[r]].size++;
    }
    qsort(cl, ncl, sizeof *cl, by_size);
    for (size_t c = 0; c < ncl; c++)
        slot[cl[c].root] = c;
    for (size_t c = 0; c < ncl; c++) {
        /* the old id most members had, unclaimed */
        json_t *votes = json_object();
        const char *best = NULL, *k;
        json_int_t bestn = 0;
        json_t *v;
        for (size_t i = 0; i < n; i++)
            if (cluster[i] == cl[c].root && prev[i] && !json_object_get(claimed, prev[i])) {
                json_int_t x = json_integer_value(json_object_get(votes, prev[i])) + 1;
                json_object_set_new(votes, prev[i], json_integer(x));
            }
        json_object_foreach(votes, k, v)
            if (json_integer_value(v) > bestn || (json_integer_value(v) == bestn && best && strcmp(k, best) < 0)) {
                best = k;
                bestn = json_integer_value(v);
            }
        if (best)
            cname[c] = xstrdup(best);
        json_decref(votes);
        if (cname[c] == NULL) {
            for (size_t i = 0; i < n; i++)
                if (cluster[i] == cl[c].root && !json_object_get(claimed, t->ids[i])
                    && (cname[c] == NULL || strcmp(t->ids[i], cname[c]) < 0)) {
                    free(cname[c]);
                    cname[c] = xstrdup(t->ids[i]);
                }
        }
        if (cname[c] == NULL) /* every member's id names another cluster: take the first */
            for (size_t i = 0; i < n && cname[c] == NULL; i++)
                if (cluster[i] == cl[c].root)
                    cname[c] = xstrdup(t->ids[i]);
        json_object_set_new(claimed, cname[c], json_true());
    }
    for (size_t i = 0; i < n; i++)
        name[i] = xstrdup(cname[slot[cluster[i]]]);
    for (size_t c = 0; c < ncl; c++)
        free(cname[c]);
    free(cname);
    free(cl);
    free(slot);
    json_decref(claimed);
    return name;
}

/* ---- decisions ----------------------------------------------------------------- */

/* The latest decision on each pair of records of t, as constraints. */
static int load_constraints(struct at_ctx *ctx, struct store *st, enum link_type type,
                            const struct link_table *t, struct link_constraint **out, size_t *n)
{
    static const char sql[] =
        "SELECT d.a, d.b, d.decision FROM link_decision d WHERE d.type = ?1"
        " AND d.version = (SELECT max(version) FROM link_decision WHERE a = d.a AND b = d.b)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *index = json_object();
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    if (stmt == NULL) {
        json_decref(index);
        return AT_ERR;
    }
    for (size_t i = 0; i < t->n; i++)
        json_object_set_new(index, t->ids[i], json_integer((json_int_t)i));
    sqlite3_bind_text(stmt, 1, link_type_name(type), -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *a = json_object_get(index, (const char *)sqlite3_column_text(stmt, 0));
        json_t *b = json_object_get(index, (const char *)sqlite3_column_text(stmt, 1));
        if (!a || !b)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = (struct link_constraint){
            (uint32_t)json_integer_value(a), (uint32_t)json_integer_value(b),
            strcmp((const char *)sqlite3_column_text(stmt, 2), "accept") == 0 };
    }
    sqlite3_reset(stmt);
    json_decref(index);
    return AT_OK;
}

/* ---- a run ---------------------------------------------------------------------- */

static int store_clusters(struct at_ctx *ctx, struct store *st, enum link_type type, int64_t run,
                          const struct link_table *t, char **names)
{
    static const char member_sql[] =
        "INSERT INTO link_member(run, record_id, cluster_id) VALUES (?1, ?2, ?3)";
    static const char cluster_sql[] =
        "INSERT OR REPLACE INTO link_cluster(record_id, type, cluster_id) VALUES (?1, ?2, ?3)";

    for (size_t i = 0; i < t->n; i++) {
        sqlite3_stmt *stmt;
        if (run > 0) {
            if ((stmt = store_stmt(ctx, st, member_sql)) == NULL)
                return AT_ERR;
            sqlite3_bind_int64(stmt, 1, run);
            sqlite3_bind_text(stmt, 2, t->ids[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(stmt, 3, names[i], -1, SQLITE_STATIC);
            if (sqlite3_step(stmt) != SQLITE_DONE)
                return store_error(ctx, st, "storing a link run");
        }
        if ((stmt = store_stmt(ctx, st, cluster_sql)) == NULL)
            return AT_ERR;
        sqlite3_bind_text(stmt, 1, t->ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, link_type_name(type), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, names[i], -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            return store_error(ctx, st, "storing clusters");
    }
    return AT_OK;
}

static void model_version(const struct link_config *c, json_t *params, char out[40])
{
    struct buf text = BUF_INIT;
    char *p = canonical_text(params);
    uint8_t h[crypto_hash_sha256_BYTES];

    link_config_text(c, &text);
    buf_puts(&text, p);
    crypto_hash_sha256(h, (const uint8_t *)text.data, text.len);
    snprintf(out, 40, "fs1-");
    sodium_bin2hex(out + 4, 36, h, 12);
    free(p);
    buf_free(&text);
}

int link_archive_run_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    static const char run_sql[] =
        "INSERT INTO link_run(type, model_version, threshold, config, params, author, created_at, log_seq)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    static const char pair_sql[] =
        "INSERT INTO link_pair(run, a, b, probability, weight) VALUES (?1, ?2, ?3, ?4, ?5)";
    struct link_archive_job *job = arg;
    const struct session *s = store_session(st);
    struct link_config *own = NULL;
    const struct link_config *c = job->options ? job->options->config : NULL;
    struct link_table *t = NULL;
    struct link_result r = { 0 };
    struct link_run_options o = LINK_RUN_OPTIONS_INIT;
    struct link_constraint *cons = NULL;
    struct link_archive_summary *sum = job->summary;
    struct buf config = BUF_INIT;
    char **prev = NULL, **names = NULL, now[21];
    json_t *params = NULL, *item = NULL;
    sqlite3_stmt *stmt;
    int64_t seq, run;
    int rc;

    if ((rc = access_check(ctx, s, ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if (c == NULL) {
        if ((rc = link_config_default(ctx, job->type, &own)) != AT_OK)
            return rc;
        c = own;
    }
    if ((rc = build_table(ctx, st, job->type, &t)) != AT_OK)
        goto out;
    if ((rc = load_constraints(ctx, st, job->type, t, &cons, &o.nconstraints)) != AT_OK)
        goto out;
    o.constraints = cons;
    o.threshold = job->options && job->options->threshold >= 0 ? job->options->threshold : c->threshold;
    o.keep = 0; /* every candidate pair: later clustering (decisions, rebuild) needs them */
    if ((rc = link_run(ctx, c, t, &o, &r)) != AT_OK)
        goto out;
    params = params_json(c, &r.params);
    memset(sum, 0, sizeof *sum);
    model_version(c, params, sum->model_version);
    link_config_text(c, &config);
    canonical_now(now);
    item = json_pack("{s:s, s:s, s:f, s:o, s:I, s:I, s:s, s:s}", "type", link_type_name(job->type),
                     "model_version", sum->model_version, "threshold", o.threshold,
                     "params", json_incref(params), "records", (json_int_t)t->n,
                     "pairs", (json_int_t)r.npairs, "author", s->user, "created_at", now);
    if ((rc = evlog_append_item(ctx, st, "link_run", link_type_name(job->type), item, &seq)) != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, run_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    {
        char *ptext = canonical_text(params);
        sqlite3_bind_text(stmt, 1, link_type_name(job->type), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, sum->model_version, -1, SQLITE_STATIC);
        sqlite3_bind_double(stmt, 3, o.threshold);
        sqlite3_bind_text(stmt, 4, buf_str(&config), -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, ptext, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 6, s->user, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 8, seq);
        free(ptext);
    }
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = store_error(ctx, st, "storing a link run");
        goto out;
    }
    run = sqlite3_last_insert_rowid(store_db(st));
    for (size_t x = 0; x < r.npairs; x++) {
        if ((stmt = store_stmt(ctx, st, pair_sql)) == NULL) {
            rc = AT_ERR;
            goto out;
        }
        sqlite3_bind_int64(stmt, 1, run);
        sqlite3_bind_text(stmt, 2, t->ids[r.pairs[x].a], -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, t->ids[r.pairs[x].b], -1, SQLITE_STATIC);
        sqlite3_bind_double(stmt, 4, r.pairs[x].probability);
        sqlite3_bind_double(stmt, 5, r.pairs[x].weight);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            rc = store_error(ctx, st, "storing a link run");
            goto out;
        }
    }
    prev = previous_ids(ctx, st, t);
    names = name_clusters(t, r.cluster, prev);
    if ((rc = store_clusters(ctx, st, job->type, run, t, names)) != AT_OK)
        goto out;
    sum->run = run;
    sum->records = t->n;
    sum->pairs_compared = r.pairs_compared;
    for (size_t x = 0; x < r.npairs; x++)
        sum->links += r.pairs[x].probability >= o.threshold;
    sum->clusters = r.nclusters;
    sum->decisions = o.nconstraints;
    sum->params = r.params;
out:
    free_ids(prev, t ? t->n : 0);
    free_ids(names, t ? t->n : 0);
    free(cons);
    json_decref(params);
    json_decref(item);
    buf_free(&config);
    link_result_free(&r);
    link_table_free(t);
    link_config_free(own);
    return rc;
}

int link_archive_clusters(struct at_ctx *ctx, struct store *st, enum link_type type,
                          int (*fn)(void *arg, const char *record_id, const char *cluster_id),
                          void *arg)
{
    static const char sql[] =
        "SELECT c.id, coalesce(l.cluster_id, c.id) FROM record_current c"
        " LEFT JOIN link_cluster l ON l.record_id = c.id"
        " WHERE c.type = ?1 AND c.clearance <= ?2 AND NOT c.retracted ORDER BY c.id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, link_type_name(type), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, access_session_clearance(store_session(st)));
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW)
        rc = fn(arg, (const char *)sqlite3_column_text(stmt, 0), (const char *)sqlite3_column_text(stmt, 1));
    sqlite3_reset(stmt);
    return rc;
}


/* ---- the latest run ------------------------------------------------------------ */

struct stored_run {
    int64_t run;
    double threshold;
    char model_version[40];
    struct link_config *config;
    struct link_params params;
};

static void stored_run_free(struct stored_run *r)
{
    link_config_free(r->config);
    r->config = NULL;
}

/* The latest run of type into *r; AT_ENOTFOUND when there is none. */
static int latest_run(struct at_ctx *ctx, struct store *st, enum link_type type, struct stored_run *r)
{
    static const char sql[] =
        "SELECT run, threshold, model_version, config, params FROM link_run WHERE type = ?1"
        " ORDER BY run DESC LIMIT 1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *params = NULL, *v;
    size_t k;
    int rc = AT_OK;

    memset(r, 0, sizeof *r);
    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, link_type_name(type), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no %s has been linked yet; run \"attest link %ss\" first",
                         link_type_name(type), link_type_name(type));
    }
    r->run = sqlite3_column_int64(stmt, 0);
    r->threshold = sqlite3_column_double(stmt, 1);
    snprintf(r->model_version, sizeof r->model_version, "%s", (const char *)sqlite3_column_text(stmt, 2));
    rc = link_config_parse(ctx, (const char *)sqlite3_column_text(stmt, 3), "stored configuration",
                           &r->config);
    if (rc == AT_OK && (params = json_loads((const char *)sqlite3_column_text(stmt, 4), 0, NULL)) == NULL)
        rc = ctx_error(ctx, AT_ECORRUPT, "link run %lld: its parameters are not JSON", (long long)r->run);
    sqlite3_reset(stmt);
    if (rc != AT_OK)
        goto out;
    r->params.lambda = json_number_value(json_object_get(params, "lambda"));
    r->params.ncomp = r->config->ncomp;
    json_array_foreach(json_object_get(params, "comparisons"), k, v) {
        json_t *m = json_object_get(v, "m"), *u = json_object_get(v, "u");
        if (k >= r->config->ncomp || json_array_size(m) != r->config->comp[k].nlevels
            || json_array_size(u) != r->config->comp[k].nlevels) {
            rc = ctx_error(ctx, AT_ECORRUPT, "link run %lld: its parameters do not fit its configuration",
                           (long long)r->run);
            goto out;
        }
        r->params.nlevels[k] = r->config->comp[k].nlevels;
        for (size_t l = 0; l < r->params.nlevels[k]; l++) {
            r->params.m[k][l] = json_number_value(json_array_get(m, l));
            r->params.u[k][l] = json_number_value(json_array_get(u, l));
        }
    }
out:
    json_decref(params);
    if (rc != AT_OK)
        stored_run_free(r);
    return rc;
}

/* ---- clusters from the latest run and the decisions ------------------------------- */

static int recluster(struct at_ctx *ctx, struct store *st, enum link_type type)
{
    static const char members_sql[] = "SELECT record_id FROM link_member WHERE run = ?1 ORDER BY record_id";
    static const char pairs_sql[] = "SELECT a, b, probability FROM link_pair WHERE run = ?1";
    static const char *const fields[] = { "none" };
    const char *none[1] = { NULL };
    struct stored_run r;
    struct link_table *t = NULL;
    struct link_constraint *cons = NULL;
    size_t ncons = 0, npairs = 0, cap = 0, nclusters, broken;
    uint64_t *pairs = NULL;
    float *prob = NULL;
    uint32_t *cluster = NULL;
    char **prev = NULL, **names = NULL;
    json_t *index = json_object();
    sqlite3_stmt *stmt;
    int rc;

    if ((rc = latest_run(ctx, st, type, &r)) != AT_OK) {
        json_decref(index);
        if (rc == AT_ENOTFOUND) {
            ctx_clear(ctx);
            return AT_OK;
        }
        return rc;
    }
    if ((rc = link_table_new(ctx, fields, 1, &t)) != AT_OK || (stmt = store_stmt(ctx, st, members_sql)) == NULL) {
        rc = rc ? rc : AT_ERR;
        goto out;
    }
    sqlite3_bind_int64(stmt, 1, r.run);
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        json_object_set_new(index, (const char *)sqlite3_column_text(stmt, 0), json_integer((json_int_t)t->n));
        rc = link_table_add(ctx, t, (const char *)sqlite3_column_text(stmt, 0), none);
    }
    sqlite3_reset(stmt);
    if (rc != AT_OK)
        goto out;
    if ((stmt = store_stmt(ctx, st, pairs_sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_int64(stmt, 1, r.run);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *a = json_object_get(index, (const char *)sqlite3_column_text(stmt, 0));
        json_t *b = json_object_get(index, (const char *)sqlite3_column_text(stmt, 1));
        if (!a || !b)
            continue;
        if (npairs == cap) {
            cap = cap ? 2 * cap : 1024;
            pairs = xrealloc(pairs, cap * sizeof *pairs);
            prob = xrealloc(prob, cap * sizeof *prob);
        }
        pairs[npairs] = (uint64_t)json_integer_value(a) << 32 | (uint64_t)json_integer_value(b);
        prob[npairs++] = (float)sqlite3_column_double(stmt, 2);
    }
    sqlite3_reset(stmt);
    if ((rc = load_constraints(ctx, st, type, t, &cons, &ncons)) != AT_OK)
        goto out;
    cluster = xmalloc((t->n ? t->n : 1) * sizeof *cluster);
    if ((rc = link_cluster_run(ctx, t->n, pairs, prob, npairs, cons, ncons, r.threshold,
                               r.config->split_below, r.config->max_cluster, cluster, &nclusters,
                               &broken)) != AT_OK)
        goto out;
    prev = previous_ids(ctx, st, t);
    names = name_clusters(t, cluster, prev);
    rc = store_clusters(ctx, st, type, 0, t, names);
out:
    free_ids(prev, t ? t->n : 0);
    free_ids(names, t ? t->n : 0);
    free(cluster);
    free(cons);
    free(pairs);
    free(prob);
    json_decref(index);
    link_table_free(t);
    stored_run_free(&r);
    return rc;
}

int link_archive_rebuild(struct at_ctx *ctx, struct store *st)
{
    int rc = store_exec(ctx, st,
                        "DELETE FROM link_cluster;"
                        "INSERT INTO link_cluster(record_id, type, cluster_id)"
                        " SELECT m.record_id, r.type, m.cluster_id FROM link_member m"
                        " JOIN link_run r ON r.run = m.run"
                        " WHERE m.run = (SELECT max(m2.run) FROM link_member m2"
                        "                WHERE m2.record_id = m.record_id);");

    if (rc == AT_OK)
        rc = recluster(ctx, st, LINK_PERSON);
    if (rc == AT_OK)
        rc = recluster(ctx, st, LINK_EVENT);
    return rc;
}

/* ---- decisions -------------------------------------------------------------------- */

int link_decision_parse(struct at_ctx *ctx, const char *text, enum link_decision *out)
{
    if (text && strcmp(text, "accept") == 0)
        *out = LINK_ACCEPT;
    else if (text && strcmp(text, "reject") == 0)
        *out = LINK_REJECT;
    else
        return ctx_error(ctx, AT_EINVAL, "decision \"%s\": valid: accept, reject", text ? text : "");
    return AT_OK;
}

const char *link_decision_name(enum link_decision d)
{
    return d == LINK_ACCEPT ? "accept" : "reject";
}

/* The link type of a record the session may read (record_read's refusal
 * otherwise). */
static int readable_type(struct at_ctx *ctx, struct store *st, const char *id, enum link_type *type)
{
    /* Not record_read: a decision runs inside its write, where logging the
     * read of a confidential record would begin a second transaction. */
    json_t *doc = record_visible(st, id);
    const char *t;
    int rc = AT_OK;

    if (doc == NULL)
        return ctx_error(ctx, AT_ENOTFOUND, "no record %s", id);
    t = json_string_value(json_object_get(doc, "type"));
    if (t && strcmp(t, "person") == 0)
        *type = LINK_PERSON;
    else if (t && strcmp(t, "event") == 0)
        *type = LINK_EVENT;
    else
        rc = ctx_error(ctx, AT_EINVAL, "%s is a %s; only persons and events are linked", id, t ? t : "record");
    json_decref(doc);
    return rc;
}

int link_decide_write(struct at_ctx *ctx, struct store *st, void *arg)
{
    static const char version_sql[] =
        "SELECT coalesce(max(version), 0) FROM link_decision WHERE a = ?1 AND b = ?2";
    static const char insert_sql[] =
        "INSERT INTO link_decision(a, b, version, type, decision, note, author, decided_at, log_seq)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    struct link_decide_job *job = arg;
    const struct session *s = store_session(st);
    const char *a = job->a, *b = job->b;
    enum link_type ta, tb;
    char now[21], ref[2 * RECORD_ID_MAX + 2];
    sqlite3_stmt *stmt;
    json_t *doc;
    int64_t seq;
    int version, rc;

    if ((rc = access_check(ctx, s, ACTION_WRITE, 0)) != AT_OK)
        return rc;
    if ((rc = readable_type(ctx, st, a, &ta)) != AT_OK || (rc = readable_type(ctx, st, b, &tb)) != AT_OK)
        return rc;
    if (strcmp(a, b) == 0)
        return ctx_error(ctx, AT_EINVAL, "a record is always the same as itself; give two records");
    if (ta != tb)
        return ctx_error(ctx, AT_EINVAL, "%s and %s are not of one type; link persons with persons "
                         "and events with events", a, b);
    if (strcmp(a, b) > 0) {
        a = job->b;
        b = job->a;
    }
    if ((stmt = store_stmt(ctx, st, version_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
    version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) + 1 : 1;
    sqlite3_reset(stmt);
    canonical_now(now);
    doc = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "a", a, "b", b, "version", version,
                    "type", link_type_name(ta), "decision", link_decision_name(job->decision),
                    "author", s->user, "decided_at", now);
    if (job->note && *job->note)
        json_object_set_new(doc, "note", json_string(job->note));
    snprintf(ref, sizeof ref, "%s %s", a, b);
    rc = evlog_append_item(ctx, st, "link_decision", ref, doc, &seq);
    json_decref(doc);
    if (rc != AT_OK)
        return rc;
    if ((stmt = store_stmt(ctx, st, insert_sql)) == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, version);
    sqlite3_bind_text(stmt, 4, link_type_name(ta), -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, link_decision_name(job->decision), -1, SQLITE_STATIC);
    if (job->note && *job->note)
        sqlite3_bind_text(stmt, 6, job->note, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 7, s->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 8, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 9, seq);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        return store_error(ctx, st, "storing a link decision");
    if (job->version_out)
        *job->version_out = version;
    return recluster(ctx, st, ta);
}

/* Records the session may read, for filtering pairs. */
static bool visible(struct store *st, const char *id)
{
    static const char sql[] =
        "SELECT 1 FROM record_current WHERE id = ?1 AND clearance <= ?2 AND NOT retracted";
    struct at_ctx quiet = { 0, "" };
    sqlite3_stmt *stmt = store_stmt(&quiet, st, sql);
    bool yes;

    if (stmt == NULL)
        return false;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, access_session_clearance(store_session(st)));
    yes = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_reset(stmt);
    return yes;
}

int link_decisions(struct at_ctx *ctx, struct store *st, enum link_type type, json_t **out)
{
    static const char sql[] =
        "SELECT d.a, d.b, d.decision, d.version, d.author, d.decided_at, d.note FROM link_decision d"
        " WHERE d.type = ?1 AND d.version = (SELECT max(version) FROM link_decision"
        "                                    WHERE a = d.a AND b = d.b) ORDER BY d.a, d.b";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *rows = json_array();

    if (stmt == NULL) {
        json_decref(rows);
        return AT_ERR;
    }
    sqlite3_bind_text(stmt, 1, link_type_name(type), -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *row = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}",
                                "a", (const char *)sqlite3_column_text(stmt, 0),
                                "b", (const char *)sqlite3_column_text(stmt, 1),
                                "decision", (const char *)sqlite3_column_text(stmt, 2),
                                "version", sqlite3_column_int(stmt, 3),
                                "author", (const char *)sqlite3_column_text(stmt, 4),
                                "decided_at", (const char *)sqlite3_column_text(stmt, 5));
        if (sqlite3_column_type(stmt, 6) != SQLITE_NULL)
            json_object_set_new(row, "note", json_string((const char *)sqlite3_column_text(stmt, 6)));
        json_array_append_new(rows, row);
    }
    sqlite3_reset(stmt);
    /* filtered after the statement is done: visible() uses another */
    for (size_t i = json_array_size(rows); i-- > 0;) {
        json_t *row = json_array_get(rows, i);
        if (!visible(st, json_string_value(json_object_get(row, "a")))
            || !visible(st, json_string_value(json_object_get(row, "b"))))
            json_array_remove(rows, i);
    }
    *out = rows;
    return AT_OK;
}

/* ---- explaining pairs ---------------------------------------------------------------- */

/* The comparisons of records i and j of t as JSON. */
static json_t *explained(struct link_model *m, size_t i, size_t j, double *weight, double *prob)
{
    struct link_term terms[LINK_MAX_COMPARISONS];
    size_t n = link_model_explain(m, i, j, terms, weight, prob);
    json_t *list = json_array();

    for (size_t k = 0; k < n; k++)
        json_array_append_new(list, json_pack("{s:s, s:o, s:s, s:f}", "name", terms[k].name,
                                              "level", terms[k].level == LINK_NULL
                                                           ? json_null() : json_integer(terms[k].level),
                                              "label", terms[k].label, "weight", terms[k].weight));
    return list;
}

int link_archive_explain(struct at_ctx *ctx, struct store *st, const char *a, const char *b,
                         const struct link_config *config, json_t **out)
{
    struct stored_run r = { 0 };
    struct link_table *t = NULL;
    struct link_model *m = NULL;
    struct link_result fresh = { 0 };
    enum link_type ta, tb;
    const struct link_params *params;
    const struct link_config *c;
    char version[40] = "";
    double weight, prob;
    long i, j;
    int rc;

    if ((rc = readable_type(ctx, st, a, &ta)) != AT_OK || (rc = readable_type(ctx, st, b, &tb)) != AT_OK)
        return rc;
    if (ta != tb)
        return ctx_error(ctx, AT_EINVAL, "%s and %s are not of one type", a, b);
    if ((rc = build_table(ctx, st, ta, &t)) != AT_OK)
        return rc;
    i = link_table_find(t, a);
    j = link_table_find(t, b);
    if (i < 0 || j < 0) {
        rc = ctx_error(ctx, AT_ENOTFOUND, "no record %s", i < 0 ? a : b);
        goto out;
    }
    if (config == NULL && (rc = latest_run(ctx, st, ta, &r)) == AT_OK) {
        c = r.config;
        params = &r.params;
        snprintf(version, sizeof version, "%s", r.model_version);
    } else {
        /* no run yet, or another configuration: fit one now, unstored */
        struct link_run_options o = LINK_RUN_OPTIONS_INIT;
        ctx_clear(ctx);
        if (config == NULL && (rc = link_config_default(ctx, ta, &r.config)) != AT_OK)
            goto out;
        c = config ? config : r.config;
        if ((rc = link_run(ctx, c, t, &o, &fresh)) != AT_OK)
            goto out;
        params = &fresh.params;
        snprintf(version, sizeof version, "unstored");
    }
    if ((rc = link_model_new(ctx, c, t, params, &m)) != AT_OK)
        goto out;
    {
        json_t *terms = explained(m, (size_t)i, (size_t)j, &weight, &prob);
        *out = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:o}", "a", a, "b", b, "type",
                         link_type_name(ta), "model_version", version, "prior_weight",
                         link_prior_weight(params), "weight", weight, "probability", prob,
                         "comparisons", terms);
    }
out:
    link_model_free(m);
    link_result_free(&fresh);
    link_table_free(t);
    stored_run_free(&r);
    return rc;
}

/* ---- the review queue ----------------------------------------------------------------- */

struct queued {
    char a[RECORD_ID_MAX], b[RECORD_ID_MAX];
    double p;
};

static int most_informative(const void *x, const void *y)
{
    const struct queued *a = x, *b = y;
    double da = a->p > 0.5 ? a->p - 0.5 : 0.5 - a->p, db = b->p > 0.5 ? b->p - 0.5 : 0.5 - b->p;

    if (da != db)
        return da < db ? -1 : 1;
    int c = strcmp(a->a, b->a);
    return c ? c : strcmp(a->b, b->b);
}

int link_review_queue(struct at_ctx *ctx, struct store *st, enum link_type type, double lo, double hi,
                      size_t limit, json_t **out)
{
    static const char sql[] =
        "SELECT p.a, p.b, p.probability FROM link_pair p WHERE p.run = ?1"
        " AND p.probability >= ?2 AND p.probability <= ?3"
        " AND NOT EXISTS (SELECT 1 FROM link_decision d WHERE d.a = p.a AND d.b = p.b)"
        " AND EXISTS (SELECT 1 FROM record_current c WHERE c.id = p.a AND c.clearance <= ?4 AND NOT c.retracted)"
        " AND EXISTS (SELECT 1 FROM record_current c WHERE c.id = p.b AND c.clearance <= ?4 AND NOT c.retracted)";
    struct stored_run r;
    struct link_table *t = NULL;
    struct link_model *m = NULL;
    struct queued *q = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *stmt;
    json_t *list = json_array();
    int rc;

    if ((rc = latest_run(ctx, st, type, &r)) != AT_OK) {
        json_decref(list);
        return rc;
    }
    if (lo < 0 || hi < 0) {
        lo = r.config->review_lo;
        hi = r.config->review_hi;
    }
    if ((stmt = store_stmt(ctx, st, sql)) == NULL) {
        rc = AT_ERR;
        goto out;
    }
    sqlite3_bind_int64(stmt, 1, r.run);
    sqlite3_bind_double(stmt, 2, lo);
    sqlite3_bind_double(stmt, 3, hi);
    sqlite3_bind_int(stmt, 4, access_session_clearance(store_session(st)));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            q = xrealloc(q, cap * sizeof *q);
        }
        snprintf(q[n].a, sizeof q[n].a, "%s", (const char *)sqlite3_column_text(stmt, 0));
        snprintf(q[n].b, sizeof q[n].b, "%s", (const char *)sqlite3_column_text(stmt, 1));
        q[n++].p = sqlite3_column_double(stmt, 2);
    }
    sqlite3_reset(stmt);
    if (n)   /* qsort may not be given a NULL array, even empty */
        qsort(q, n, sizeof *q, most_informative);
    if (limit && n > limit)
        n = limit;
    if (n > 0 && ((rc = build_table(ctx, st, type, &t)) != AT_OK
                  || (rc = link_model_new(ctx, r.config, t, &r.params, &m)) != AT_OK))
        goto out;
    for (size_t x = 0; x < n; x++) {
        long i = link_table_find(t, q[x].a), j = link_table_find(t, q[x].b);
        double weight, prob;
        json_t *terms;
        if (i < 0 || j < 0)
            continue;
        terms = explained(m, (size_t)i, (size_t)j, &weight, &prob);
        json_array_append_new(list, json_pack("{s:s, s:s, s:f, s:f, s:f, s:s, s:o}", "a", q[x].a,
                                              "b", q[x].b, "probability", q[x].p, "weight", weight,
                                              "prior_weight", link_prior_weight(&r.params),
                                              "model_version", r.model_version, "comparisons", terms));
    }
out:
    free(q);
    link_model_free(m);
    link_table_free(t);
    stored_run_free(&r);
    if (rc != AT_OK) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return AT_OK;
}
