/*
 * sites.c: clustering runs over an archive's pinpoints, corroboration of
 * sites, and the analysts' confirm, split and merge decisions.
 *
 * Independent witnesses: witnesses joined by a same_household or
 * heard_from relation are one source; the count is of the connected
 * groups among the witnesses whose interviews placed the site.
 */
#include "attest.h"
#include "sites.h"
#include "access.h"
#include "corroboration.h"
#include "evlog.h"
#include "geo.h"
#include "union_find.h"
#include "vocab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The basis of knowledge of rank r (corroboration_basis_rank). */
static const char *basis_code(int r)
{
    return vocab_find("basis_of_knowledge")->terms[r].code;
}

static double pinpoint_sigma(json_t *data)
{
    json_t *u = json_object_get(data, "uncertainty_m");
    double r = u ? json_number_value(u) : SITES_DEFAULT_UNCERTAINTY_M;

    return fmax(r, 1.0) / CLUSTER_RADIUS_PER_SIGMA;
}

static int site_group(const char *site_type)
{
    return site_type ? vocab_index(vocab_find("site_type"), site_type) + 1 : 0;
}

/* Witness groups: union-find over witness ids joined by relations. */
struct net {
    struct union_find joined;   /* witness ids */
    json_t *witness_of;  /* interview id -> witness id (or null) */
};

static int net_load(struct at_ctx *ctx, struct store *st, struct net *w)
{
    static const char sql[] =
        "SELECT doc FROM record_current WHERE type = 'relation' AND NOT retracted";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    memset(w, 0, sizeof *w);
    union_find_init(&w->joined);
    w->witness_of = json_object();
    if (stmt == NULL)
        return AT_ERR;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
        json_t *data = json_object_get(doc, "data");
        const char *kind = json_string_value(json_object_get(data, "kind"));
        if (kind && (strcmp(kind, "same_household") == 0 || strcmp(kind, "heard_from") == 0)) {
            union_find_join(&w->joined, json_string_value(json_object_get(data, "from")),
                            json_string_value(json_object_get(data, "to")));
        }
        json_decref(doc);
    }
    sqlite3_reset(stmt);
    return AT_OK;
}

static void net_free(struct net *w)
{
    union_find_free(&w->joined);
    json_decref(w->witness_of);
}

/* The witness of an interview, or NULL; cached. */
static const char *net_witness(struct at_ctx *ctx, struct store *st, struct net *w,
                               const char *interview)
{
    json_t *v = json_object_get(w->witness_of, interview), *doc = NULL;
    struct at_ctx quiet = { 0 };

    (void)ctx;
    if (v == NULL) {
        const char *wid = NULL;
        if (record_get(&quiet, st, interview, 0, &doc) == AT_OK)
            wid = json_string_value(json_object_get(json_object_get(doc, "data"), "witness"));
        v = wid ? json_string(wid) : json_null();
        json_object_set_new(w->witness_of, interview, v);
        json_decref(doc);
    }
    return json_string_value(v);
}

static void put_date(json_t *obj, const char *key, int32_t ymd)
{
    char text[16];

    snprintf(text, sizeof text, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    json_object_set_new(obj, key, json_string(text));
}

static const char *confidence_label(size_t witnesses, int basis, double spread_m)
{
    bool saw = basis <= corroboration_basis_rank("eyewitness");
    bool heard = basis <= corroboration_basis_rank("heard_from_witness");

    if (witnesses >= 3 && saw && spread_m <= 1000)
        return "confirmed";
    if (witnesses >= 2 && saw)
        return "probable";
    if ((witnesses >= 1 && heard) || witnesses >= 2)
        return "possible";
    return "unverified";
}

static int corroborate(struct at_ctx *ctx, struct store *st, struct net *w,
                       const char *const *ids, size_t n, double lat, double lon, json_t **out)
{
    static const char date_sql[] = "SELECT date_lo, date_hi FROM record_current WHERE id = ?1";
    json_t *groups = json_object(), *people = json_object();
    int best = corroboration_basis_rank(NULL), rc = AT_OK;
    int32_t lo = 0, hi = 0;
    size_t unattributed = 0;
    double spread = 0;

    for (size_t i = 0; i < n && rc == AT_OK; i++) {
        json_t *doc = NULL;
        if ((rc = record_get(ctx, st, ids[i], 0, &doc)) != AT_OK)
            break;
        json_t *data = json_object_get(doc, "data");
        const char *iv = json_string_value(json_object_get(data, "interview"));
        const char *wid = iv ? net_witness(ctx, st, w, iv) : NULL;
        const char *ev = json_string_value(json_object_get(data, "event"));
        spread = fmax(spread, geo_distance_m(lat, lon,
                                             json_number_value(json_object_get(data, "lat")),
                                             json_number_value(json_object_get(data, "lon"))));
        int rank = corroboration_basis_rank(json_string_value(json_object_get(data, "basis")));
        best = rank < best ? rank : best;
        if (wid) {
            char room[32];
            json_object_set_new(groups, union_find_label(&w->joined, wid, room), json_true());
            json_object_set_new(people, wid, json_true());
        } else {
            unattributed++;
        }
        sqlite3_stmt *stmt;
        if (ev && (stmt = store_stmt(ctx, st, date_sql)) != NULL) {
            sqlite3_bind_text(stmt, 1, ev, -1, SQLITE_STATIC);
            if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
                int32_t a = sqlite3_column_int(stmt, 0), b = sqlite3_column_int(stmt, 1);
                lo = lo == 0 || a < lo ? a : lo;
                hi = b > hi ? b : hi;
            }
            sqlite3_reset(stmt);
        }
        json_decref(doc);
    }
    if (rc == AT_OK) {
        size_t witnesses = json_object_size(groups);
        *out = json_pack("{s:I, s:I, s:I, s:I, s:s, s:f, s:s}",
                         "placements", (json_int_t)n, "witnesses", (json_int_t)witnesses,
                         "witness_records", (json_int_t)json_object_size(people),
                         "unattributed", (json_int_t)unattributed, "basis", basis_code(best),
                         "spread_m", round(spread * 10) / 10,
                         "confidence", confidence_label(witnesses, best, spread));
        if (lo) {
            put_date(*out, "date_from", lo);
            put_date(*out, "date_to", hi);
        }
    }
    json_decref(groups);
    json_decref(people);
    return rc;
}

int sites_corroboration(struct at_ctx *ctx, struct store *st, const char *const *ids, size_t n,
                        double lat, double lon, json_t **out)
{
    struct net w;
    int rc = net_load(ctx, st, &w);

    if (rc == AT_OK)
        rc = corroborate(ctx, st, &w, ids, n, lat, lon, out);
    net_free(&w);
    return rc;
}

/* The current sites with a point, as anchors, and the pinpoints. */
struct load {
    struct cluster_anchor *anchors;
    char (*anchor_id)[RECORD_ID_MAX];
    size_t nanchors;
    struct cluster_point *pts;
    char (*pt_id)[RECORD_ID_MAX];
    size_t npts;
};

static void load_free(struct load *l)
{
    free(l->anchors);
    free(l->anchor_id);
    free(l->pts);
    free(l->pt_id);
}

static int load_points(struct at_ctx *ctx, struct store *st, struct load *l)
{
    static const char sql[] =
        "SELECT id, type, doc FROM record_current WHERE type IN ('site', 'pinpoint')"
        " AND NOT retracted AND lat IS NOT NULL ORDER BY type DESC, id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *site_slot = json_object();
    double *wsum = NULL;
    size_t cap_a = 0, cap_p = 0;

    memset(l, 0, sizeof *l);
    if (stmt == NULL)
        return AT_ERR;
    /* Sites come first (type DESC), so pinpoints find their anchors. */
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        bool is_site = strcmp((const char *)sqlite3_column_text(stmt, 1), "site") == 0;
        json_t *doc = json_loads((const char *)sqlite3_column_text(stmt, 2), 0, NULL);
        json_t *data = json_object_get(doc, "data");
        double lat = json_number_value(json_object_get(data, "lat"));
        double lon = json_number_value(json_object_get(data, "lon"));
        int group = site_group(json_string_value(json_object_get(data, "site_type")));
        if (is_site) {
            if (l->nanchors == cap_a) {
                cap_a = cap_a ? 2 * cap_a : 64;
                l->anchors = xrealloc(l->anchors, cap_a * sizeof *l->anchors);
                l->anchor_id = xrealloc(l->anchor_id, cap_a * sizeof *l->anchor_id);
                wsum = xrealloc(wsum, cap_a * sizeof *wsum);
            }
            l->anchors[l->nanchors] = (struct cluster_anchor){ lat, lon, 0, group };
            snprintf(l->anchor_id[l->nanchors], RECORD_ID_MAX, "%s", id);
            wsum[l->nanchors] = 0;
            json_object_set_new(site_slot, id, json_integer((json_int_t)l->nanchors++));
        } else {
            const char *site = json_string_value(json_object_get(data, "site"));
            double sigma = pinpoint_sigma(data);
            if (site) {
                json_t *slot = json_object_get(site_slot, site);
                if (slot)
                    wsum[json_integer_value(slot)] += 1 / (sigma * sigma);
            } else {
                if (l->npts == cap_p) {
                    cap_p = cap_p ? 2 * cap_p : 256;
                    l->pts = xrealloc(l->pts, cap_p * sizeof *l->pts);
                    l->pt_id = xrealloc(l->pt_id, cap_p * sizeof *l->pt_id);
                }
                l->pts[l->npts] = (struct cluster_point){ lat, lon, sigma, group };
                snprintf(l->pt_id[l->npts++], RECORD_ID_MAX, "%s", id);
            }
        }
        json_decref(doc);
    }
    sqlite3_reset(stmt);
    /* A site's precision is that of its placements; 100 m when it has none. */
    for (size_t a = 0; a < l->nanchors; a++)
        l->anchors[a].sigma_m = wsum[a] > 0 ? 1 / sqrt(wsum[a]) : 100 / CLUSTER_RADIUS_PER_SIGMA;
    free(wsum);
    json_decref(site_slot);
    return AT_OK;
}

static const char *group_code(int group)
{
    const struct vocab *v = vocab_find("site_type");

    return group > 0 ? v->terms[group - 1].code : "other";
}

int sites_cluster(struct at_ctx *ctx, struct store *st, const struct cluster_params *p,
                  size_t *count)
{
    static const char ins_sql[] =
        "INSERT INTO site_candidate(label, site_type, site, lat, lon, doc)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    static const char mem_sql[] =
        "INSERT INTO site_candidate_member(label, pinpoint) VALUES (?1, ?2)";
    struct load l;
    struct cluster_result r = { 0 };
    struct net w;
    size_t *start = NULL, *order = NULL;
    int rc;

    *count = 0;
    if ((rc = store_exec(ctx, st, "DELETE FROM site_candidate; DELETE FROM site_candidate_member;"))
            != AT_OK
        || (rc = load_points(ctx, st, &l)) != AT_OK)
        return rc;
    if ((rc = net_load(ctx, st, &w)) != AT_OK
        || (rc = cluster_points(ctx, l.pts, l.npts, l.anchors, l.nanchors, p, &r)) != AT_OK)
        goto out;
    /* Members of each cluster, by counting sort. */
    start = xcalloc(r.nclusters + 1, sizeof *start);
    order = xmalloc((l.npts ? l.npts : 1) * sizeof *order);
    for (size_t i = 0; i < l.npts; i++)
        start[r.label[i] + 1]++;
    for (size_t k = 0; k < r.nclusters; k++)
        start[k + 1] += start[k];
    size_t *fill = xmalloc((r.nclusters + 1) * sizeof *fill);
    memcpy(fill, start, (r.nclusters + 1) * sizeof *fill);
    for (size_t i = 0; i < l.npts; i++)
        order[fill[r.label[i]]++] = i;
    free(fill);
    for (size_t k = 0; k < r.nclusters && rc == AT_OK; k++) {
        size_t m = start[k + 1] - start[k];
        if (m == 0)
            continue;
        const char **ids = xmalloc(m * sizeof *ids);
        for (size_t j = 0; j < m; j++)
            ids[j] = l.pt_id[order[start[k] + j]];
        json_t *corr = NULL;
        char label[32];
        snprintf(label, sizeof label, "c%zu", ++*count);
        rc = corroborate(ctx, st, &w, ids, m, r.centre_lat[k], r.centre_lon[k], &corr);
        sqlite3_stmt *stmt = rc == AT_OK ? store_stmt(ctx, st, ins_sql) : NULL;
        if (stmt) {
            char *text = json_dumps(corr, JSON_COMPACT | JSON_SORT_KEYS);
            sqlite3_bind_text(stmt, 1, label, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(stmt, 2, group_code(l.pts[order[start[k]]].group), -1, SQLITE_STATIC);
            if (k < l.nanchors)
                sqlite3_bind_text(stmt, 3, l.anchor_id[k], -1, SQLITE_STATIC);
            sqlite3_bind_double(stmt, 4, r.centre_lat[k]);
            sqlite3_bind_double(stmt, 5, r.centre_lon[k]);
            sqlite3_bind_text(stmt, 6, text, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = store_error(ctx, st, "storing a candidate site");
            sqlite3_reset(stmt);
            free(text);
        } else if (rc == AT_OK) {
            rc = AT_ERR;
        }
        for (size_t j = 0; j < m && rc == AT_OK; j++) {
            if ((stmt = store_stmt(ctx, st, mem_sql)) == NULL) {
                rc = AT_ERR;
                break;
            }
            sqlite3_bind_text(stmt, 1, label, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(stmt, 2, ids[j], -1, SQLITE_STATIC);
            if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = store_error(ctx, st, "storing a candidate's pinpoint");
            sqlite3_reset(stmt);
        }
        json_decref(corr);
        free(ids);
    }
out:
    free(start);
    free(order);
    cluster_result_free(&r);
    net_free(&w);
    load_free(&l);
    return rc;
}

/* The pinpoints of a candidate, as a new array. */
static int candidate_members(struct at_ctx *ctx, struct store *st, const char *label, json_t **out)
{
    static const char sql[] =
        "SELECT pinpoint FROM site_candidate_member WHERE label = ?1 ORDER BY pinpoint";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_text(stmt, 1, label, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(*out, json_string((const char *)sqlite3_column_text(stmt, 0)));
    sqlite3_reset(stmt);
    return AT_OK;
}

int sites_candidates(struct at_ctx *ctx, struct store *st, json_t **out)
{
    /* Only the candidates whose pinpoints (and site) the session may all
     * read: a candidate's place and counts are made from each of them. */
    static const char sql[] =
        "SELECT label, site_type, site, lat, lon, doc FROM site_candidate s"
        " WHERE NOT EXISTS (SELECT 1 FROM site_candidate_member m"
        "                   JOIN record_current c ON c.id = m.pinpoint"
        "                   WHERE m.label = s.label AND c.clearance > ?1)"
        "   AND NOT EXISTS (SELECT 1 FROM record_current c WHERE c.id = s.site"
        "                   AND c.clearance > ?1)"
        " ORDER BY CAST(substr(label, 2) AS INTEGER)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    int rc = AT_OK;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_int(stmt, 1, access_session_clearance(store_session(st)));
    *out = json_array();
    while (rc == AT_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        json_t *c = json_pack("{s:s, s:s, s:f, s:f, s:o}",
                              "label", (const char *)sqlite3_column_text(stmt, 0),
                              "site_type", (const char *)sqlite3_column_text(stmt, 1),
                              "lat", sqlite3_column_double(stmt, 3),
                              "lon", sqlite3_column_double(stmt, 4),
                              "corroboration",
                              json_loads((const char *)sqlite3_column_text(stmt, 5), 0, NULL));
        if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
            json_object_set_new(c, "site", json_string((const char *)sqlite3_column_text(stmt, 2)));
        json_array_append_new(*out, c);
    }
    sqlite3_reset(stmt);
    size_t i;
    json_t *c;
    json_array_foreach(*out, i, c) {
        json_t *members = NULL;
        if (rc == AT_OK
            && (rc = candidate_members(ctx, st, json_string_value(json_object_get(c, "label")),
                                       &members)) == AT_OK)
            json_object_set_new(c, "pinpoints", members);
    }
    return rc;
}

int sites_pinpoints(struct at_ctx *ctx, struct store *st, const char *site, json_t **out)
{
    static const char sql[] =
        "SELECT r.id FROM record_ref r JOIN record_current c ON c.id = r.id"
        " WHERE r.target = ?1 AND r.field = 'site' AND c.type = 'pinpoint' AND NOT c.retracted"
        " ORDER BY r.id";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);

    if (stmt == NULL)
        return AT_ERR;
    *out = json_array();
    sqlite3_bind_text(stmt, 1, site, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        json_array_append_new(*out, json_string((const char *)sqlite3_column_text(stmt, 0)));
    sqlite3_reset(stmt);
    return AT_OK;
}

/* The inverse-variance weighted centre of pinpoints (a JSON array of ids). */
static int weighted_centre(struct at_ctx *ctx, struct store *st, json_t *ids, double *lat,
                           double *lon)
{
    double sum[3] = { 0, 0, 0 };
    size_t i;
    json_t *id;
    int rc;

    json_array_foreach(ids, i, id) {
        json_t *doc;
        double v[3];
        if ((rc = record_get(ctx, st, json_string_value(id), 0, &doc)) != AT_OK)
            return rc;
        json_t *data = json_object_get(doc, "data");
        double s = pinpoint_sigma(data);
        geo_unit_vector(json_number_value(json_object_get(data, "lat")),
                        json_number_value(json_object_get(data, "lon")), v);
        for (int d = 0; d < 3; d++)
            sum[d] += v[d] / (s * s);
        json_decref(doc);
    }
    *lat = atan2(sum[2], hypot(sum[0], sum[1])) * 180 / M_PI;
    *lon = atan2(sum[1], sum[0]) * 180 / M_PI;
    return AT_OK;
}

/* Points each pinpoint in ids at site, with reason. */
static int assign(struct at_ctx *ctx, struct store *st, json_t *ids, const char *site,
                  const char *reason)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *change = json_pack("{s:s}", "site", site), *id;
    size_t i;
    int rc = AT_OK;

    w.reason = reason;
    json_array_foreach(ids, i, id) {
        if ((rc = record_amend(ctx, st, json_string_value(id), change, &w)) != AT_OK)
            break;
    }
    json_decref(change);
    return rc;
}

/* Moves site to the weighted centre of its current pinpoints, if it has any. */
static int recentre(struct at_ctx *ctx, struct store *st, const char *site, const char *reason)
{
    struct record_write w = RECORD_WRITE_INIT;
    json_t *ids = NULL, *change;
    double lat, lon;
    int rc;

    if ((rc = sites_pinpoints(ctx, st, site, &ids)) != AT_OK || json_array_size(ids) == 0
        || (rc = weighted_centre(ctx, st, ids, &lat, &lon)) != AT_OK) {
        json_decref(ids);
        return rc;
    }
    w.reason = reason;
    change = json_pack("{s:f, s:f}", "lat", round(lat * 1e7) / 1e7, "lon", round(lon * 1e7) / 1e7);
    rc = record_amend(ctx, st, site, change, &w);
    json_decref(change);
    json_decref(ids);
    return rc;
}

int sites_confirm(struct at_ctx *ctx, struct store *st, const char *label, const char *name,
                  char site_out[RECORD_ID_MAX])
{
    static const char sql[] =
        "SELECT site_type, site, lat, lon, doc FROM site_candidate WHERE label = ?1";
    static const char del_sql[] =
        "DELETE FROM site_candidate WHERE label = ?1;";
    static const char del_members_sql[] =
        "DELETE FROM site_candidate_member WHERE label = ?1";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    json_t *members = NULL, *corr = NULL;
    struct buf reason = BUF_INIT;
    int rc;

    if (stmt == NULL)
        return AT_ERR;
    sqlite3_bind_text(stmt, 1, label, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_reset(stmt);
        return ctx_error(ctx, AT_ENOTFOUND, "no candidate %s; run 'attest sites cluster' and "
                         "see 'attest sites candidates'", label);
    }
    char type[64], site[RECORD_ID_MAX] = "";
    double lat = sqlite3_column_double(stmt, 2), lon = sqlite3_column_double(stmt, 3);
    snprintf(type, sizeof type, "%s", (const char *)sqlite3_column_text(stmt, 0));
    if (sqlite3_column_type(stmt, 1) != SQLITE_NULL)
        snprintf(site, sizeof site, "%s", (const char *)sqlite3_column_text(stmt, 1));
    corr = json_loads((const char *)sqlite3_column_text(stmt, 4), 0, NULL);
    sqlite3_reset(stmt);
    if ((rc = candidate_members(ctx, st, label, &members)) != AT_OK)
        goto out;
    buf_printf(&reason, "confirmed from candidate %s", label);
    if (site[0] == '\0') {
        struct record_write w = RECORD_WRITE_INIT;
        json_t *data = json_pack("{s:s, s:s, s:f, s:f, s:s, s:s}",
                                 "name", name ? name : label, "site_type", type,
                                 "lat", round(lat * 1e7) / 1e7, "lon", round(lon * 1e7) / 1e7,
                                 "confidence",
                                 json_string_value(json_object_get(corr, "confidence")),
                                 "tier", "court");
        w.reason = buf_str(&reason);
        rc = record_add(ctx, st, model_type("site"), data, &w, site);
        json_decref(data);
        if (rc != AT_OK)
            goto out;
    }
    snprintf(site_out, RECORD_ID_MAX, "%s", site);
    if ((rc = assign(ctx, st, members, site, buf_str(&reason))) != AT_OK)
        goto out;
    const char *const dels[] = { del_sql, del_members_sql };
    for (size_t i = 0; i < ARRAY_LEN(dels) && rc == AT_OK; i++) {
        if ((stmt = store_stmt(ctx, st, dels[i])) == NULL) {
            rc = AT_ERR;
            break;
        }
        sqlite3_bind_text(stmt, 1, label, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            rc = store_error(ctx, st, "removing the confirmed candidate");
        sqlite3_reset(stmt);
    }
out:
    json_decref(members);
    json_decref(corr);
    buf_free(&reason);
    return rc;
}

/* Checks that id is a current, unretracted site; *doc is a new reference. */
static int get_site(struct at_ctx *ctx, struct store *st, const char *id, json_t **doc)
{
    int rc = record_get(ctx, st, id, 0, doc);

    if (rc != AT_OK)
        return rc;
    if (strcmp(json_string_value(json_object_get(*doc, "type")), "site") != 0
        || json_is_true(json_object_get(*doc, "retracted"))) {
        json_decref(*doc);
        return ctx_error(ctx, AT_EINVAL, "%s is not a current site", id);
    }
    return AT_OK;
}

int sites_split(struct at_ctx *ctx, struct store *st, const char *site, const char *const *ids,
                size_t n, const char *name, char site_out[RECORD_ID_MAX])
{
    json_t *doc = NULL, *have = NULL, *moving = json_array();
    struct buf reason = BUF_INIT;
    int rc;

    if ((rc = get_site(ctx, st, site, &doc)) != AT_OK
        || (rc = sites_pinpoints(ctx, st, site, &have)) != AT_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        size_t k;
        json_t *h;
        json_array_foreach(have, k, h)
            found = found || strcmp(json_string_value(h), ids[i]) == 0;
        if (!found) {
            rc = ctx_error(ctx, AT_EINVAL, "%s is not a pinpoint of %s", ids[i], site);
            goto out;
        }
        json_array_append_new(moving, json_string(ids[i]));
    }
    if (n == 0 || n == json_array_size(have)) {
        rc = ctx_error(ctx, AT_EINVAL, "a split moves some of the site's pinpoints, not none "
                       "or all (%s has %zu)", site, json_array_size(have));
        goto out;
    }
    double lat, lon;
    if ((rc = weighted_centre(ctx, st, moving, &lat, &lon)) != AT_OK)
        goto out;
    buf_printf(&reason, "split from %s", site);
    json_t *old = json_object_get(doc, "data");
    json_t *data = json_pack("{s:s, s:O, s:f, s:f}", "name", name ? name : "split site",
                             "site_type", json_object_get(old, "site_type"),
                             "lat", round(lat * 1e7) / 1e7, "lon", round(lon * 1e7) / 1e7);
    static const char *const copied[] = { "confidence", "tier", "province", "county" };
    for (size_t i = 0; i < ARRAY_LEN(copied); i++)
        if (json_object_get(old, copied[i]))
            json_object_set(data, copied[i], json_object_get(old, copied[i]));
    struct record_write w = RECORD_WRITE_INIT;
    w.reason = buf_str(&reason);
    rc = record_add(ctx, st, model_type("site"), data, &w, site_out);
    json_decref(data);
    if (rc == AT_OK && (rc = assign(ctx, st, moving, site_out, buf_str(&reason))) == AT_OK) {
        buf_reset(&reason);
        buf_printf(&reason, "placements split off to %s", site_out);
        rc = recentre(ctx, st, site, buf_str(&reason));
    }
out:
    json_decref(doc);
    json_decref(have);
    json_decref(moving);
    buf_free(&reason);
    return rc;
}

int sites_merge(struct at_ctx *ctx, struct store *st, const char *into,
                const char *const *others, size_t n)
{
    struct buf reason = BUF_INIT;
    json_t *doc = NULL;
    int rc;

    if ((rc = get_site(ctx, st, into, &doc)) != AT_OK)
        return rc;
    json_decref(doc);
    buf_printf(&reason, "merged into %s", into);
    for (size_t i = 0; i < n && rc == AT_OK; i++) {
        json_t *ids = NULL;
        struct record_write w = RECORD_WRITE_INIT;
        if (strcmp(others[i], into) == 0) {
            rc = ctx_error(ctx, AT_EINVAL, "cannot merge %s into itself", into);
            break;
        }
        if ((rc = get_site(ctx, st, others[i], &doc)) != AT_OK)
            break;
        json_decref(doc);
        w.reason = buf_str(&reason);
        if ((rc = sites_pinpoints(ctx, st, others[i], &ids)) == AT_OK
            && (rc = assign(ctx, st, ids, into, buf_str(&reason))) == AT_OK)
            rc = record_retract(ctx, st, others[i], &w);
        json_decref(ids);
    }
    if (rc == AT_OK)
        rc = recentre(ctx, st, into, "placements merged in");
    buf_free(&reason);
    return rc;
}

int sites_verb_parse(struct at_ctx *ctx, const char *word, enum sites_verb *out)
{
    static const char *const words[] = { "confirm", "split", "merge" };

    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (word && strcmp(word, words[i]) == 0) {
            *out = (enum sites_verb)i;
            return AT_OK;
        }
    return ctx_error(ctx, AT_EINVAL, "\"%s\" is not a decision on sites; valid: confirm, split, "
                     "merge", word ? word : "");
}

struct decision {
    enum sites_verb verb;
    const char *const *ids;
    size_t n;
    const char *name;
    char *site;
};

static int decide(struct at_ctx *ctx, struct store *st, void *arg)
{
    struct decision *d = arg;

    if (d->verb == SITES_CONFIRM)
        return sites_confirm(ctx, st, d->ids[0], d->name, d->site);
    if (d->verb == SITES_SPLIT)
        return sites_split(ctx, st, d->ids[0], d->ids + 1, d->n - 1, d->name, d->site);
    return sites_merge(ctx, st, d->ids[0], d->ids + 1, d->n - 1);
}

int sites_decide(struct at_ctx *ctx, struct store *st, enum sites_verb verb,
                 const char *const *ids, size_t n, const char *name, char site_out[RECORD_ID_MAX])
{
    site_out[0] = '\0';
    if (verb == SITES_CONFIRM && n != 1)
        return ctx_error(ctx, AT_EINVAL, "confirm takes one candidate's label (c1, c2, ...)");
    if (verb == SITES_SPLIT && n < 2)
        return ctx_error(ctx, AT_EINVAL, "split takes a site and at least one of its pinpoints");
    if (verb == SITES_MERGE && n < 2)
        return ctx_error(ctx, AT_EINVAL, "merge takes the site to keep and at least one other site");
    return evlog_write(ctx, st, decide, &(struct decision){ verb, ids, n, name, site_out });
}
