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
    o.keep = c->review_lo < o.threshold ? c->review_lo : o.threshold;
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
    for (size_t i = 0; t && i < t->n; i++) {
        if (prev)
            free(prev[i]);
        if (names)
            free(names[i]);
    }
    free(prev);
    free(names);
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

int link_archive_rebuild(struct at_ctx *ctx, struct store *st)
{
    return store_exec(ctx, st,
                      "DELETE FROM link_cluster;"
                      "INSERT INTO link_cluster(record_id, type, cluster_id)"
                      " SELECT m.record_id, r.type, m.cluster_id FROM link_member m"
                      " JOIN link_run r ON r.run = m.run"
                      " WHERE m.run = (SELECT max(m2.run) FROM link_member m2 WHERE m2.record_id = m.record_id);");
}
