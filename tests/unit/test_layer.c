/*
 * test_layer.c: a map layer's records by bounding box: the same records
 * as record_list gives for the box, as document text; retracted records
 * and records above the reader's clearance left out; a filter without a
 * box refused.  The grid of a zoomed-out map: its cells count exactly the
 * records the reader may list in the box, each in the cell that holds
 * it; the records alone in their cells; zoom and box checked.  The counts
 * kept on each write: after random writes, amendments and retractions
 * exactly a fresh count, the same after `attest rebuild`, and a grid read
 * from them the grid counted point by point, for readers of every
 * clearance.
 */
#include "../../src/core/attest.h"
#include "../../src/core/evlog.h"
#include "../../src/core/layer.h"
#include "../../src/core/rng.h"
#include "../../src/core/schema.h"
#include "../../src/core/unlock.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

#include <math.h>

struct seen {
    int n;
    bool inside, outside, secret;
};

static int take(void *arg, const char *doc, size_t len)
{
    struct seen *s = arg;
    (void)len;
    s->n++;
    s->inside |= strstr(doc, "FICTIONAL inside") != NULL;
    s->outside |= strstr(doc, "FICTIONAL outside") != NULL;
    s->secret |= strstr(doc, "FICTIONAL secret") != NULL;
    return AT_OK;
}

static int count_list(void *arg, json_t *doc)
{
    (void)doc;
    (*(int *)arg)++;
    return AT_OK;
}

UNIT_TEST(layer_list_by_box)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct seen s = { 0 };
    int listed = 0;

    REQUIRE(st != NULL);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL inside\", \"lat\": 42.0, \"lon\": 129.0}",
                     CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL outside\", \"lat\": 39.0, \"lon\": 125.7}",
                     CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE(unit_add(&ctx, st, "event", "{\"title\": \"FICTIONAL secret\", \"lat\": 42.1, \"lon\": 129.1}",
                     CLEARANCE_CONFIDENTIAL, NULL) == AT_OK);
    f.has_bbox = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    REQUIRE(layer_list(&ctx, st, &f, take, &s) == AT_OK);
    CHECK(s.n == 2 && s.inside && s.secret && !s.outside);
    REQUIRE(record_list(&ctx, st, &f, count_list, &listed) == AT_OK);
    CHECK(listed == s.n);
    memset(&s, 0, sizeof s);
    f.max_clearance = CLEARANCE_RESTRICTED;
    REQUIRE(layer_list(&ctx, st, &f, take, &s) == AT_OK);
    CHECK(s.n == 1 && s.inside && !s.secret);
    store_close(st);
}

UNIT_TEST(layer_needs_a_box)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct seen s = { 0 };

    REQUIRE(st != NULL);
    CHECK(layer_list(&ctx, st, &f, take, &s) == AT_EINVAL);
    CHECK(strstr(ctx.message, "bounding box") != NULL);
    f.has_bbox = true;
    f.include_retracted = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    CHECK(layer_list(&ctx, st, &f, take, &s) == AT_EINVAL);
    CHECK(s.n == 0);
    store_close(st);
}

/* Counts features the way the map lists them: layer by layer. */
static long listed_in_box(struct at_ctx *ctx, struct store *st, struct record_filter f)
{
    long n = 0;

    for (size_t k = 0; k < LAYER_NTYPES; k++) {
        struct seen s = { 0 };
        f.type = LAYER_TYPES[k];
        if (layer_list(ctx, st, &f, take, &s) != AT_OK)
            return -1;
        n += s.n;
    }
    return n;
}

/* Sums the grid's cells, checking that each holds its records' extent. */
static long grid_sum(const struct layer_grid *g, long by_type[LAYER_NTYPES])
{
    long sum = 0;

    for (size_t i = 0; i < (size_t)(g->rows * g->cols); i++) {
        const struct layer_cell *c = &g->cells[i];
        double south, west, north, east;
        if (c->count == 0)
            continue;
        layer_grid_cell_box(g, i, &south, &west, &north, &east);
        if (c->south < south - 1e-9 || c->north > north + 1e-9 || c->west < west - 1e-9
            || c->east > east + 1e-9)
            return -1;
        sum += c->count;
        for (size_t k = 0; k < LAYER_NTYPES; k++)
            by_type[k] += c->types[k];
    }
    return sum;
}

static struct store *points_archive(struct at_ctx *ctx, struct session *admin)
{
    struct store *st = unit_archive(ctx, "a", admin);
    char json[160];

    if (st == NULL)
        return NULL;
    /* 30 events and 30 pinpoints in a box, every third confidential; 5 outside it. */
    for (int i = 0; i < 30; i++) {
        int clearance = i % 3 == 0 ? CLEARANCE_CONFIDENTIAL : CLEARANCE_PUBLIC;
        snprintf(json, sizeof json, "{\"title\": \"FICTIONAL inside\", \"lat\": %.4f, \"lon\": %.4f}",
                 41.6 + i * 0.025, 128.6 + (i * 7 % 30) * 0.025);
        if (unit_add(ctx, st, "event", json, clearance, NULL) != AT_OK)
            return NULL;
        snprintf(json, sizeof json, "{\"lat\": %.4f, \"lon\": %.4f}", 42.4 - i * 0.02, 128.55 + i * 0.03);
        if (unit_add(ctx, st, "pinpoint", json, clearance, NULL) != AT_OK)
            return NULL;
    }
    for (int i = 0; i < 5; i++) {
        snprintf(json, sizeof json, "{\"title\": \"FICTIONAL outside\", \"lat\": %.4f, \"lon\": 125.7}",
                 39.0 + i * 0.1);
        if (unit_add(ctx, st, "event", json, CLEARANCE_PUBLIC, NULL) != AT_OK)
            return NULL;
    }
    return st;
}

UNIT_TEST(layer_grid_counts_what_the_reader_sees)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = points_archive(&ctx, &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid g;

    REQUIRE(st != NULL);
    f.has_bbox = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    for (int zoom = 0; zoom <= 12; zoom += 4) {
        for (int limit = CLEARANCE_RESTRICTED; limit <= CLEARANCE_CONFIDENTIAL; limit++) {
            long by_type[LAYER_NTYPES] = { 0 };
            f.max_clearance = limit;
            f.type = NULL;
            REQUIRE(layer_grid_init(&ctx, &g, &f, zoom) == AT_OK);
            REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
            /* Every record the reader may see in the box, once, in its own cell. */
            CHECK(g.total == listed_in_box(&ctx, st, f));
            CHECK(g.total == (limit == CLEARANCE_CONFIDENTIAL ? 60 : 40));
            CHECK(grid_sum(&g, by_type) == g.total);
            CHECK(by_type[1] == g.total / 2 && by_type[2] == g.total / 2 && by_type[0] == 0);
            layer_grid_free(&g);
        }
    }
    /* A filter the R*Tree cannot answer (a field's value) reads the rows,
     * and counts what the list shows. */
    f.fields[0] = (struct record_filter_field){ "title", "FICTIONAL inside" };
    REQUIRE(layer_grid_init(&ctx, &g, &f, 8) == AT_OK);
    REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
    CHECK(g.total == listed_in_box(&ctx, st, f) && g.total == 30);
    layer_grid_free(&g);
    f.fields[0] = (struct record_filter_field){ NULL, NULL };
    /* The cells of one type alone count that type alone. */
    f.type = "pinpoint";
    REQUIRE(layer_grid_init(&ctx, &g, &f, 8) == AT_OK);
    REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
    CHECK(g.total == 30);
    layer_grid_free(&g);
    store_close(st);
}

UNIT_TEST(layer_grid_singles_are_the_lone_records)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = points_archive(&ctx, &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid g;
    struct seen s = { 0 };
    long lone = 0;

    REQUIRE(st != NULL);
    f.has_bbox = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    f.max_clearance = CLEARANCE_RESTRICTED;
    REQUIRE(layer_grid_init(&ctx, &g, &f, 12) == AT_OK);
    REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
    for (size_t i = 0; i < (size_t)(g.rows * g.cols); i++)
        lone += g.cells[i].count == 1;
    CHECK(lone > 0);
    REQUIRE(layer_grid_singles(&ctx, st, &g, take, &s) == AT_OK);
    CHECK(s.n == lone && s.inside && !s.secret && !s.outside);
    layer_grid_free(&g);
    store_close(st);
}

UNIT_TEST(layer_grid_box_and_zoom_checked)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = points_archive(&ctx, &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid g;
    long by_type[LAYER_NTYPES] = { 0 };

    REQUIRE(st != NULL);
    f.has_bbox = true;
    /* The whole world at street zoom is too many cells, and says so. */
    f.south = -80, f.west = -180, f.north = 80, f.east = 180;
    CHECK(layer_grid_init(&ctx, &g, &f, 18) == AT_EINVAL);
    CHECK(strstr(ctx.message, "zoom") != NULL);
    CHECK(layer_grid_init(&ctx, &g, &f, LAYER_ZOOM_MAX + 1) == AT_EINVAL);
    /* A box across the antimeridian, holding every longitude but a sliver. */
    f.west = 130, f.east = 128;
    REQUIRE(layer_grid_init(&ctx, &g, &f, 3) == AT_OK);
    CHECK(g.cols == 32);
    REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
    CHECK(g.total == 5);
    CHECK(grid_sum(&g, by_type) == 5);
    layer_grid_free(&g);
    store_close(st);
}

/* The kept counts (layer_count) as text, row by row, every column exact;
 * without the R*Tree ids when with_rids is false. */
static char *counts_text(struct at_ctx *ctx, struct store *st, bool with_rids)
{
    static const char sql[] =
        "SELECT group_concat(line, char(10)) FROM (SELECT printf('%d %d %d %s %d %d %d %d %s"
        " %.17g %.17g %.17g %.17g %d %d %d', level, y, x, type, clearance, n, lat_e7, lon_e7,"
        " CASE WHEN ?1 THEN rid_sum ELSE '' END, south, west, north, east, lo, hi, sign) AS line"
        " FROM layer_count ORDER BY level, y, x, type, clearance, site_type, confidence, province,"
        " lo, hi, sign)";
    sqlite3_stmt *stmt = store_stmt(ctx, st, sql);
    char *text = NULL;

    if (stmt == NULL)
        return NULL;
    sqlite3_bind_int(stmt, 1, with_rids);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        text = xstrdup(sqlite3_column_text(stmt, 0) ? (const char *)sqlite3_column_text(stmt, 0) : "");
    sqlite3_reset(stmt);
    return text;
}

/* The counts recreated from the spatial index, as the rebuild does. */
static int counts_rebuilt(struct at_ctx *ctx, struct store *st)
{
    int rc = store_begin(ctx, st);

    if (rc != AT_OK)
        return rc;
    if ((rc = layer_count_rebuild(ctx, st)) != AT_OK) {
        store_rollback(st);
        return rc;
    }
    return store_commit(ctx, st);
}

/* A point of a small lattice, so that points share cells, extents and
 * sometimes places. */
static void lattice_point(struct rng *r, double *lat, double *lon)
{
    *lat = 41.5 + 0.0025 * (double)(rng_next(r) % 400);
    *lon = 128.5 + 0.0025 * (double)(rng_next(r) % 400);
}

static int change(struct at_ctx *ctx, struct store *st, int (*fn)(struct at_ctx *, struct store *, void *),
                  const char *id, json_t *data, int clearance)
{
    struct record_write w = RECORD_WRITE_INIT;
    struct record_change c = { .id = id, .data = data, .w = &w };
    int rc;

    w.reason = "FICTIONAL correction";
    w.clearance = clearance;
    rc = evlog_write(ctx, st, fn, &c);
    json_decref(data);
    return rc;
}

/* Random adds, moves, clearance changes, amendments that leave the point
 * and retractions; after every few the kept counts are exactly what a
 * fresh count from the spatial index gives, and a grid read from them is
 * the grid counted point by point. */
static int random_writes(struct at_ctx *ctx, struct store *st, struct rng *r, int writes,
                         char (*ids)[RECORD_ID_MAX], bool *live, int *nids)
{
    static const char *const types[] = { "event", "pinpoint" };

    for (int i = 0; i < writes; i++) {
        int op = (int)(rng_next(r) % 10), k = *nids ? (int)(rng_next(r) % (uint64_t)*nids) : 0;
        int clearance = (int)(rng_next(r) % 4);
        double lat, lon;
        char json[160];
        int rc;

        lattice_point(r, &lat, &lon);
        if (op < 4 || *nids == 0 || !live[k]) {
            if (*nids == 200)
                continue;
            int t = (int)(rng_next(r) % 2);
            snprintf(json, sizeof json, "{\"%s\": \"FICTIONAL %d\", \"lat\": %.4f, \"lon\": %.4f}",
                     t ? "name" : "title", i, lat, lon);
            rc = unit_add(ctx, st, types[t], json, clearance, ids[*nids]);
            live[(*nids)++] = true;
        } else if (op < 7) {
            rc = change(ctx, st, record_amend_write, ids[k],
                        json_pack("{s:f, s:f}", "lat", lat, "lon", lon), op == 6 ? clearance : -1);
        } else if (op < 8) {
            rc = change(ctx, st, record_amend_write, ids[k],
                        json_pack("{s:s}", "description", "FICTIONAL amended"), -1);
        } else {
            rc = change(ctx, st, record_retract_write, ids[k], NULL, -1);
            live[k] = false;
        }
        if (rc != AT_OK) {
            fprintf(stderr, "    write %d (op %d): %s\n", i, op, ctx->message);
            return rc;
        }
    }
    return AT_OK;
}

UNIT_TEST(layer_counts_equal_a_fresh_count_after_random_writes)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char ids[200][RECORD_ID_MAX];
    bool live[200] = { false };
    int nids = 0;
    struct rng r;

    REQUIRE(st != NULL);
    rng_seed(&r, 17);
    for (int round = 0; round < 8; round++) {
        REQUIRE(random_writes(&ctx, st, &r, 30, ids, live, &nids) == AT_OK);
        char *kept = counts_text(&ctx, st, true);
        REQUIRE(kept != NULL);
        REQUIRE(counts_rebuilt(&ctx, st) == AT_OK);
        char *fresh = counts_text(&ctx, st, true);
        REQUIRE(fresh != NULL);
        CHECK(strlen(kept) > 0);
        CHECK(strcmp(kept, fresh) == 0);
        free(kept);
        free(fresh);
    }
    store_close(st);
}

UNIT_TEST(layer_counts_rebuild_equals_incremental)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char ids[200][RECORD_ID_MAX];
    bool live[200] = { false };
    int nids = 0;
    struct rng r;
    char *kept, *rebuilt;

    REQUIRE(st != NULL);
    rng_seed(&r, 23);
    REQUIRE(random_writes(&ctx, st, &r, 150, ids, live, &nids) == AT_OK);
    /* record_rebuild gives the records new rows (ids in the R*Tree), so
     * the sums of ids are left out; everything else is the same. */
    REQUIRE((kept = counts_text(&ctx, st, false)) != NULL);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(record_rebuild(&ctx, st) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    REQUIRE((rebuilt = counts_text(&ctx, st, false)) != NULL);
    CHECK(strlen(kept) > 0 && strcmp(kept, rebuilt) == 0);
    free(kept);
    free(rebuilt);
    store_close(st);
}

/* Compares the grid read from the kept counts with the grid counted point
 * by point, cell by cell. */
static bool grids_equal(const struct layer_grid *a, const struct layer_grid *b)
{
    if (a->total != b->total || a->rows != b->rows || a->cols != b->cols)
        return false;
    for (size_t i = 0; i < (size_t)(a->rows * a->cols); i++) {
        const struct layer_cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->count != y->count)
            return false;
        if (x->count == 0)
            continue;
        for (int k = 0; k < LAYER_NTYPES; k++)
            if (x->types[k] != y->types[k])
                return false;
        if (x->south != y->south || x->west != y->west || x->north != y->north || x->east != y->east
            || fabs(x->lat_sum - y->lat_sum) > 1e-6 * (double)x->count
            || fabs(x->lon_sum - y->lon_sum) > 1e-6 * (double)x->count
            || (x->count == 1 && x->rowid != y->rowid))
            return false;
    }
    return true;
}

UNIT_TEST(layer_grid_from_counts_equals_a_scan_and_hides_what_the_reader_cannot_see)
{
    struct at_ctx ctx = { 0 };
    struct session admin, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char ids[200][RECORD_ID_MAX];
    bool live[200] = { false };
    int nids = 0, compared = 0;
    struct rng r;

    REQUIRE(st != NULL);
    rng_seed(&r, 29);
    REQUIRE(random_writes(&ctx, st, &r, 200, ids, live, &nids) == AT_OK);
    analyst = admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = access_role_clearance(ROLE_ANALYST);
    for (int i = 0; i < 40; i++) {
        struct record_filter f = RECORD_FILTER_INIT;
        struct layer_grid kept, scan;
        double lat, lon;
        int zoom = 7 + (int)(rng_next(&r) % 6);
        lattice_point(&r, &lat, &lon);
        f.has_bbox = true;
        f.south = lat - 0.4, f.north = lat + 0.2, f.west = lon - 0.3, f.east = lon + 0.5;
        f.type = i % 3 == 0 ? "pinpoint" : NULL;
        /* Half as the analyst, whose clearance is below the confidential records'. */
        store_set_session(st, i % 2 ? &analyst : &admin);
        REQUIRE(layer_grid_init(&ctx, &kept, &f, zoom) == AT_OK);
        REQUIRE(layer_grid_init(&ctx, &scan, &f, zoom) == AT_OK);
        scan.scan = true;
        REQUIRE(layer_grid_count(&ctx, st, &f, &kept) == AT_OK);
        REQUIRE(layer_grid_count(&ctx, st, &f, &scan) == AT_OK);
        CHECK(grids_equal(&kept, &scan));
        /* What the analyst is shown counts nothing above their clearance. */
        if (f.type) {
            struct seen listed = { 0 };
            REQUIRE(layer_list(&ctx, st, &f, take, &listed) == AT_OK);
            CHECK(kept.total == listed.n);
        } else {
            CHECK(kept.total == listed_in_box(&ctx, st, f));
        }
        compared += kept.rows > 2 && kept.cols > 2;
        layer_grid_free(&kept);
        layer_grid_free(&scan);
    }
    CHECK(compared > 20);
    store_set_session(st, &admin);
    store_close(st);
}

/* An archive upgraded with points in it has no counts till it is rebuilt:
 * its maps are counted point by point meanwhile, writes leave the counts
 * alone, and `attest rebuild` makes them. */
UNIT_TEST(layer_counts_unbuilt_till_rebuild)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char ids[200][RECORD_ID_MAX];
    bool live[200] = { false };
    int nids = 0;
    struct rng r;
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid g;
    char *fresh, *rebuilt;

    REQUIRE(st != NULL);
    rng_seed(&r, 37);
    REQUIRE(random_writes(&ctx, st, &r, 60, ids, live, &nids) == AT_OK);
    REQUIRE(store_exec(&ctx, st, "DELETE FROM layer_count; UPDATE layer_state SET built = 0") == AT_OK);
    REQUIRE(random_writes(&ctx, st, &r, 30, ids, live, &nids) == AT_OK);
    REQUIRE((fresh = counts_text(&ctx, st, true)) != NULL);
    CHECK(strcmp(fresh, "") == 0);
    free(fresh);
    f.has_bbox = true;
    f.south = 41.5, f.west = 128.5, f.north = 42.5, f.east = 129.5;
    REQUIRE(layer_grid_init(&ctx, &g, &f, 8) == AT_OK);
    REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
    CHECK(g.total == listed_in_box(&ctx, st, f) && g.total > 0);
    layer_grid_free(&g);
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(record_rebuild(&ctx, st) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    REQUIRE((rebuilt = counts_text(&ctx, st, true)) != NULL);
    REQUIRE(counts_rebuilt(&ctx, st) == AT_OK);
    REQUIRE((fresh = counts_text(&ctx, st, true)) != NULL);
    CHECK(strlen(rebuilt) > 0 && strcmp(rebuilt, fresh) == 0);
    free(fresh);
    free(rebuilt);
    store_close(st);
}

/* ---- The counts by dates (a date filter summed per cell). ---- */

/* Dates of events that overlap, nest, touch and leave gaps; filters
 * bounded by years, months and days (yyyymmdd, 0: open). */
static const char *const EVENT_DATES[] = { "1995", "1996", "1997", "1997-03", "1997-03-05", "1998",
                                           "2003", "2003-06-15", "2003-07", "2010" };
static const int32_t FILTER_FROM[] = { 0, 19940101, 19970301, 19970306, 19970401, 19990101, 20030616,
                                       20100101, 19961231 };
static const int32_t FILTER_TO[] = { 0, 19951231, 19970228, 19970305, 19970331, 19981231, 20030615,
                                     20021231, 20111231 };

/* Events, sites and pinpoints linked in every way the map dates a point
 * by (a pinpoint's event, a site's pinpoints' events, occurred_at), at
 * every clearance. */
static int dated_writes(struct at_ctx *ctx, struct store *st, struct rng *r,
                        char (*events)[RECORD_ID_MAX], char (*sites)[RECORD_ID_MAX],
                        char (*pinpoints)[RECORD_ID_MAX])
{
    char json[320], id[RECORD_ID_MAX];
    double lat, lon;
    int rc = AT_OK;

    for (int i = 0; i < 10 && rc == AT_OK; i++) {
        lattice_point(r, &lat, &lon);
        snprintf(json, sizeof json, "{\"title\": \"FICTIONAL event %d\", \"date\": \"%s\"%s}", i,
                 EVENT_DATES[i], i % 2 ? "" : ", \"lat\": 41.9, \"lon\": 128.9");
        rc = unit_add(ctx, st, "event", json, (int)(rng_next(r) % 4), events[i]);
    }
    for (int i = 0; i < 12 && rc == AT_OK; i++) {
        lattice_point(r, &lat, &lon);
        snprintf(json, sizeof json, "{\"name\": \"FICTIONAL site %d\", \"site_type\": \"%s\","
                 " \"lat\": %.4f, \"lon\": %.4f%s}", i, i % 3 ? "burial_site" : "workplace", lat, lon,
                 i == 5 ? ", \"date\": \"2004\"" : "");
        rc = unit_add(ctx, st, "site", json, (int)(rng_next(r) % 4), sites[i]);
    }
    for (int i = 0; i < 40 && rc == AT_OK; i++) {
        int s = (int)(rng_next(r) % 12), e = (int)(rng_next(r) % 10);
        /* Sites near their pinpoints, so that cells hold several. */
        lattice_point(r, &lat, &lon);
        snprintf(json, sizeof json, "{\"lat\": %.4f, \"lon\": %.4f, \"site\": \"%s\"%s%s%s}", lat, lon,
                 sites[s], i % 4 ? ", \"event\": \"" : "", i % 4 ? events[e] : "", i % 4 ? "\"" : "");
        rc = unit_add(ctx, st, "pinpoint", json, (int)(rng_next(r) % 4), pinpoints[i]);
    }
    for (int i = 0; i < 4 && rc == AT_OK; i++) {
        snprintf(json, sizeof json, "{\"kind\": \"occurred_at\", \"from\": \"%s\", \"to\": \"%s\"}",
                 events[rng_next(r) % 10], sites[rng_next(r) % 12]);
        rc = unit_add(ctx, st, "relation", json, 0, id);
    }
    return rc;
}

/* Events redated, pinpoints moved to other events and sites and in
 * space, an event and a pinpoint retracted. */
static int dated_changes(struct at_ctx *ctx, struct store *st, struct rng *r,
                         char (*events)[RECORD_ID_MAX], char (*sites)[RECORD_ID_MAX],
                         char (*pinpoints)[RECORD_ID_MAX], int round)
{
    double lat, lon;
    int rc = AT_OK;

    for (int i = 0; i < 4 && rc == AT_OK; i++)
        rc = change(ctx, st, record_amend_write, events[rng_next(r) % 10],
                    json_pack("{s:s}", "date", EVENT_DATES[rng_next(r) % 10]), -1);
    for (int i = 0; i < 8 && rc == AT_OK; i++) {
        lattice_point(r, &lat, &lon);
        rc = change(ctx, st, record_amend_write, pinpoints[rng_next(r) % 40],
                    json_pack("{s:s, s:s, s:f, s:f}", "event", events[rng_next(r) % 10],
                              "site", sites[rng_next(r) % 12], "lat", lat, "lon", lon), -1);
    }
    for (int i = 0; i < 3 && rc == AT_OK; i++)
        rc = change(ctx, st, record_amend_write, sites[rng_next(r) % 12], json_pack("{}"),
                    (int)(rng_next(r) % 4));
    if (rc == AT_OK)
        rc = change(ctx, st, record_retract_write, events[round], NULL, -1);
    if (rc == AT_OK)
        rc = change(ctx, st, record_retract_write, pinpoints[round], NULL, -1);
    return rc;
}

/* Grids of random date filters (with and without a field filter and a
 * type) read from the counts by dates and counted point by point are the
 * same, cell by cell, for readers of every clearance; *compared counts
 * the grids with points. */
static void dated_grids_compare(struct at_ctx *ctx, struct store *st, struct rng *r,
                                const struct session *admin, int *compared)
{
    const struct record_filter_field burial = { "site_type", "burial_site" };
    struct session reader = *admin;

    for (int i = 0; i < 60; i++) {
        struct record_filter f = RECORD_FILTER_INIT;
        struct layer_grid kept, scan;
        int zoom = 5 + (int)(rng_next(r) % 6);
        f.has_bbox = true;
        /* The lattice's box, or one cutting through it. */
        f.south = 41.4, f.west = 128.4, f.north = 42.6, f.east = 129.6;
        if (i % 4 == 3)
            f.north = 42.0, f.east = 129.1;
        f.date_from = FILTER_FROM[rng_next(r) % (sizeof FILTER_FROM / sizeof *FILTER_FROM)];
        f.date_to = FILTER_TO[rng_next(r) % (sizeof FILTER_TO / sizeof *FILTER_TO)];
        if (!f.date_from && !f.date_to)
            f.date_to = 19971231;
        f.type = i % 5 == 0 ? "site" : i % 5 == 1 ? "pinpoint" : NULL;
        if (i % 3 == 0)
            f.fields[0] = burial;
        reader.clearance = i % 4;
        store_set_session(st, &reader);
        REQUIRE(layer_grid_init(ctx, &kept, &f, zoom) == AT_OK);
        REQUIRE(layer_grid_init(ctx, &scan, &f, zoom) == AT_OK);
        scan.scan = true;
        REQUIRE(layer_grid_count(ctx, st, &f, &kept) == AT_OK);
        REQUIRE(layer_grid_count(ctx, st, &f, &scan) == AT_OK);
        if (!grids_equal(&kept, &scan))
            fprintf(stderr, "    filter %d: from %d to %d, clearance %d, zoom %d: %ld kept, %ld scanned\n",
                    i, f.date_from, f.date_to, reader.clearance, zoom, kept.total, scan.total);
        CHECK(grids_equal(&kept, &scan));
        *compared += scan.total > 0;
        layer_grid_free(&kept);
        layer_grid_free(&scan);
    }
    store_set_session(st, admin);
}

/* The total of the lattice's box at zoom 8 under a date filter: read
 * from the counts, or counted point by point with scan. */
static long dated_total(struct at_ctx *ctx, struct store *st, bool scan)
{
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid g;
    long total = -1;

    f.has_bbox = true;
    f.south = 41.4, f.west = 128.4, f.north = 42.6, f.east = 129.6;
    f.date_from = 19960101, f.date_to = 20031231;
    if (layer_grid_init(ctx, &g, &f, 8) != AT_OK)
        return -1;
    g.scan = scan;
    if (layer_grid_count(ctx, st, &f, &g) == AT_OK)
        total = g.total;
    layer_grid_free(&g);
    return total;
}

/* The generation of the map grown, as every write to its counts grows
 * it. */
#define GROW_GENERATION "; UPDATE layer_state SET generation = generation + 1"

/* That a date filter is read from the counts by dates: a point added to
 * each of their rows of sign +1 shows. */
static void dated_read_from_counts(struct at_ctx *ctx, struct store *st)
{
    long scanned = dated_total(ctx, st, true);

    CHECK(scanned > 0 && dated_total(ctx, st, false) == scanned);
    REQUIRE(store_exec(ctx, st, "UPDATE layer_count SET n = n + 1 WHERE level >= 64 AND sign = 1"
                       GROW_GENERATION) == AT_OK);
    CHECK(dated_total(ctx, st, false) > scanned);
    REQUIRE(store_exec(ctx, st, "UPDATE layer_count SET n = n - 1 WHERE level >= 64 AND sign = 1"
                       GROW_GENERATION) == AT_OK);
}

UNIT_TEST(layer_grid_by_dates_equals_a_scan_for_every_reader_after_changes)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char events[10][RECORD_ID_MAX], sites[12][RECORD_ID_MAX], pinpoints[40][RECORD_ID_MAX];
    int compared = 0;
    struct rng r;
    char *kept, *fresh;

    REQUIRE(st != NULL);
    rng_seed(&r, 41);
    REQUIRE(dated_writes(&ctx, st, &r, events, sites, pinpoints) == AT_OK);
    for (int round = 0; round < 3; round++) {
        dated_grids_compare(&ctx, st, &r, &admin, &compared);
        REQUIRE(dated_changes(&ctx, st, &r, events, sites, pinpoints, round) == AT_OK);
    }
    dated_grids_compare(&ctx, st, &r, &admin, &compared);
    CHECK(compared > 100);
    /* Kept on each write exactly as made afresh, gaps and clearances too. */
    REQUIRE((kept = counts_text(&ctx, st, true)) != NULL);
    CHECK(strstr(kept, " -1\n") != NULL);
    REQUIRE(counts_rebuilt(&ctx, st) == AT_OK);
    REQUIRE((fresh = counts_text(&ctx, st, true)) != NULL);
    CHECK(strcmp(kept, fresh) == 0);
    dated_read_from_counts(&ctx, st);
    free(kept);
    free(fresh);
    store_close(st);
}

/* An archive of schema 24, whose counts had no rows by dates and whose
 * dates were not kept (as one upgraded past 22 and never rebuilt), is
 * counted at once when it is opened: its date filters are read from the
 * counts by dates, the same as a scan. */
UNIT_TEST(layer_counts_made_when_an_archive_is_upgraded)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char events[10][RECORD_ID_MAX], sites[12][RECORD_ID_MAX], pinpoints[40][RECORD_ID_MAX];
    char dir[512], *kept, *fresh;
    int compared = 0;
    struct rng r;

    REQUIRE(st != NULL);
    rng_seed(&r, 43);
    REQUIRE(dated_writes(&ctx, st, &r, events, sites, pinpoints) == AT_OK);
    REQUIRE((fresh = counts_text(&ctx, st, true)) != NULL);
    REQUIRE(store_exec(&ctx, st,
                       "DROP TABLE layer_count;"
                       " CREATE TABLE layer_count (level INTEGER NOT NULL, y INTEGER NOT NULL,"
                       " x INTEGER NOT NULL, type TEXT NOT NULL, clearance INTEGER NOT NULL,"
                       " site_type NOT NULL, confidence NOT NULL, province NOT NULL,"
                       " n INTEGER NOT NULL CHECK (n > 0), lat_e7 INTEGER NOT NULL,"
                       " lon_e7 INTEGER NOT NULL, rid_sum INTEGER NOT NULL, south REAL NOT NULL,"
                       " west REAL NOT NULL, north REAL NOT NULL, east REAL NOT NULL,"
                       " PRIMARY KEY (level, y, x, type, clearance, site_type, confidence, province))"
                       " WITHOUT ROWID;"
                       " DELETE FROM layer_date; UPDATE layer_state SET dated = 0;"
                       " PRAGMA user_version = 24") == AT_OK);
    store_close(st);
    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(unlock_open(&ctx, dir, "admin", UNIT_PASSPHRASE, &st, &admin) == AT_OK);
    CHECK(unit_sql_int(st, "PRAGMA user_version") == schema_version());
    CHECK(unit_sql_int(st, "SELECT built AND dated FROM layer_state") == 1);
    CHECK(unit_sql_int(st, "SELECT count(*) FROM layer_date") > 0);
    REQUIRE((kept = counts_text(&ctx, st, true)) != NULL);
    CHECK(strcmp(kept, fresh) == 0);
    dated_grids_compare(&ctx, st, &r, &admin, &compared);
    CHECK(compared > 30);
    dated_read_from_counts(&ctx, st);
    free(kept);
    free(fresh);
    store_close(st);
}

/* The rows by values (levels 32 to 63) of the points with no value. */
#define NO_VALUE_ROWS                                                          \
    "SELECT count(*) FROM layer_count WHERE level >= 32 AND level < 64"        \
    " AND site_type = x'' AND confidence = x'' AND province = x''"

/* Only a point with a value is counted by values (no field filter
 * matches one without): a field filter's grid read from the counts is
 * still a scan's; and an archive of schema 28, which counted every point
 * by values, lets the rows of those without go when it is opened. */
UNIT_TEST(layer_counts_by_values_only_of_points_with_a_value)
{
    static const char *const records[][2] = {
        { "event", "{\"title\": \"FICTIONAL no value\", \"lat\": 41.9, \"lon\": 128.9}" },
        { "event", "{\"title\": \"FICTIONAL in a province\", \"lat\": 41.95, \"lon\": 128.95,"
                   " \"province\": \"North Hamgyong\"}" },
        { "pinpoint", "{\"lat\": 42.0, \"lon\": 129.0}" },
        { "pinpoint", "{\"lat\": 42.05, \"lon\": 129.05, \"site_type\": \"burial_site\"}" },
    };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid kept, scan;
    char dir[512], *before, *after;

    REQUIRE(st != NULL);
    for (size_t i = 0; i < sizeof records / sizeof *records; i++)
        REQUIRE(unit_add(&ctx, st, records[i][0], records[i][1], CLEARANCE_PUBLIC, NULL) == AT_OK);
    REQUIRE((before = counts_text(&ctx, st, true)) != NULL);
    CHECK(unit_sql_int(st, NO_VALUE_ROWS) == 0);
    CHECK(unit_sql_int(st, "SELECT total(n) FROM layer_count WHERE level = (SELECT min(level)"
                           " FROM layer_count WHERE level >= 32 AND level < 64)") == 2);
    CHECK(unit_sql_int(st, "SELECT total(n) FROM layer_count WHERE level = (SELECT min(level)"
                           " FROM layer_count)") == 4);
    CHECK(layer_count_check(&ctx, st) == AT_OK);
    /* A filter on province: the counts give what a scan gives. */
    f.has_bbox = true;
    f.south = 41.0, f.west = 128.0, f.north = 43.0, f.east = 130.0;
    f.fields[0] = (struct record_filter_field){ "province", "North Hamgyong" };
    REQUIRE(layer_grid_init(&ctx, &kept, &f, 9) == AT_OK);
    REQUIRE(layer_grid_init(&ctx, &scan, &f, 9) == AT_OK);
    scan.scan = true;
    REQUIRE(layer_grid_count(&ctx, st, &f, &kept) == AT_OK);
    REQUIRE(layer_grid_count(&ctx, st, &f, &scan) == AT_OK);
    CHECK(grids_equal(&kept, &scan) && kept.total == 1);
    layer_grid_free(&kept);
    layer_grid_free(&scan);

    /* Schema 28: the points without a value counted by values too. */
    REQUIRE(store_exec(&ctx, st,
                       "CREATE TEMP TABLE by_cell AS SELECT * FROM layer_count WHERE level < 32"
                       " AND ((type = 'event' AND south = 41.9)"
                       "  OR (type = 'pinpoint' AND south = 42.0 AND north = 42.0));"
                       " UPDATE by_cell SET level = level + 32;"
                       " INSERT INTO layer_count SELECT * FROM by_cell;"
                       " PRAGMA user_version = 28") == AT_OK);
    CHECK(unit_sql_int(st, NO_VALUE_ROWS) > 10);
    CHECK(layer_count_check(&ctx, st) == AT_ECORRUPT);
    store_close(st);
    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(unlock_open(&ctx, dir, "admin", UNIT_PASSPHRASE, &st, &admin) == AT_OK);
    CHECK(unit_sql_int(st, "PRAGMA user_version") == schema_version());
    CHECK(unit_sql_int(st, NO_VALUE_ROWS) == 0);
    CHECK(layer_count_check(&ctx, st) == AT_OK);
    REQUIRE((after = counts_text(&ctx, st, true)) != NULL);
    CHECK(strcmp(before, after) == 0);
    free(before);
    free(after);
    store_close(st);
}

/* Whether two grids are the same to the bit: every cell's counts, sums,
 * extent and lone record. */
static bool grids_identical(const struct layer_grid *a, const struct layer_grid *b)
{
    return a->total == b->total && a->rows == b->rows && a->cols == b->cols
        && memcmp(a->cells, b->cells, (size_t)(a->rows * a->cols) * sizeof *a->cells) == 0;
}

/* The boxes the copy is compared in: the lattice, one cutting through it
 * and one across the antimeridian (west > east). */
static const double COPY_BOXES[][4] = {
    { 41.4, 128.4, 42.6, 129.6 }, { 41.4, 128.4, 42.0, 129.1 }, { 40.0, 170.0, 43.0, -170.0 } };

/* Grids of every date filter of FILTER_FROM and FILTER_TO (none too), in
 * each box of COPY_BOXES, at zooms 5 to 9, of each type or all, for
 * readers of every clearance, read from the copy of the counts in memory
 * and from their table: the same to the bit.  compared counts the grids
 * with points, by box. */
static void copy_grids_compare(struct at_ctx *ctx, struct store *st, struct rng *r,
                               const struct session *admin, int compared[3])
{
    static const char *const types[] = { NULL, "site", "pinpoint", "event" };
    size_t nfrom = sizeof FILTER_FROM / sizeof *FILTER_FROM, nto = sizeof FILTER_TO / sizeof *FILTER_TO;
    struct session reader = *admin;

    for (size_t i = 0; i < nfrom * nto * 3; i++) {
        struct record_filter f = RECORD_FILTER_INIT;
        const double *box = COPY_BOXES[i % 3];
        struct layer_grid copy, table;
        int zoom = 5 + (int)(rng_next(r) % 5);
        f.has_bbox = true;
        f.south = box[0], f.west = box[1], f.north = box[2], f.east = box[3];
        f.date_from = FILTER_FROM[i / 3 % nfrom];
        f.date_to = FILTER_TO[i / 3 / nfrom];
        f.type = types[rng_next(r) % 4];
        reader.clearance = (int)(rng_next(r) % 4);
        store_set_session(st, &reader);
        REQUIRE(layer_grid_init(ctx, &copy, &f, zoom) == AT_OK);
        REQUIRE(layer_grid_init(ctx, &table, &f, zoom) == AT_OK);
        table.table = true;
        REQUIRE(layer_grid_count(ctx, st, &f, &copy) == AT_OK);
        REQUIRE(layer_grid_count(ctx, st, &f, &table) == AT_OK);
        if (!grids_identical(&copy, &table))
            fprintf(stderr, "    box %zu: from %d to %d, %s, clearance %d, zoom %d: %ld copied, "
                    "%ld from the table\n", i % 3, f.date_from, f.date_to, f.type ? f.type : "all",
                    reader.clearance, zoom, copy.total, table.total);
        CHECK(grids_identical(&copy, &table));
        compared[i % 3] += table.total > 0;
        layer_grid_free(&copy);
        layer_grid_free(&table);
    }
    store_set_session(st, admin);
}

/* Dated sites on both sides of the antimeridian. */
static int antimeridian_writes(struct at_ctx *ctx, struct store *st, struct rng *r,
                               char (*events)[RECORD_ID_MAX])
{
    char json[320], id[RECORD_ID_MAX];
    int rc = AT_OK;

    for (int i = 0; i < 12 && rc == AT_OK; i++) {
        snprintf(json, sizeof json, "{\"name\": \"FICTIONAL far site %d\", \"site_type\": \"workplace\","
                 " \"lat\": %.4f, \"lon\": %.4f, \"date\": \"%s\"}", i, 41.0 + 0.1 * i, i % 2 ? 179.5 + 0.01 * i : -179.5 - 0.01 * i,
                 EVENT_DATES[rng_next(r) % 10]);
        rc = unit_add(ctx, st, "site", json, (int)(rng_next(r) % 4), id);
    }
    for (int i = 0; i < 12 && rc == AT_OK; i++) {
        snprintf(json, sizeof json, "{\"lat\": %.4f, \"lon\": %.4f, \"event\": \"%s\"}", 41.05 + 0.1 * i,
                 i % 2 ? 179.55 : -179.55, events[rng_next(r) % 10]);
        rc = unit_add(ctx, st, "pinpoint", json, (int)(rng_next(r) % 4), id);
    }
    return rc;
}

/* The copy of the map's counts in memory answers as their table, for
 * every reader, date filter and box, on the connection that writes and on
 * another that only reads (as a server's workers), after each round of
 * writes: it is made again when the generation grows, and only then. */
UNIT_TEST(layer_copy_answers_as_the_table_and_is_renewed_after_each_write)
{
    struct at_ctx ctx = { 0 };
    struct session admin, reader_admin;
    struct store *st = unit_archive(&ctx, "a", &admin), *reader = NULL;
    static char events[10][RECORD_ID_MAX], sites[12][RECORD_ID_MAX], pinpoints[40][RECORD_ID_MAX];
    char dir[512];
    int compared[3] = { 0 };
    long before;
    struct rng r;

    REQUIRE(st != NULL);
    rng_seed(&r, 47);
    REQUIRE(dated_writes(&ctx, st, &r, events, sites, pinpoints) == AT_OK);
    REQUIRE(antimeridian_writes(&ctx, st, &r, events) == AT_OK);
    snprintf(dir, sizeof dir, "%s/a", unit_tmpdir());
    REQUIRE(unlock_open(&ctx, dir, "admin", UNIT_PASSPHRASE, &reader, &reader_admin) == AT_OK);
    for (int round = 0; round < 3; round++) {
        copy_grids_compare(&ctx, st, &r, &admin, compared);
        copy_grids_compare(&ctx, reader, &r, &reader_admin, compared);
        REQUIRE(dated_changes(&ctx, st, &r, events, sites, pinpoints, round) == AT_OK);
        REQUIRE(antimeridian_writes(&ctx, st, &r, events) == AT_OK);
    }
    copy_grids_compare(&ctx, reader, &r, &reader_admin, compared);
    copy_grids_compare(&ctx, st, &r, &admin, compared);
    for (int b = 0; b < 3; b++)
        CHECK(compared[b] > 150);
    /* The copy answers till the generation grows: the table changed
     * behind it is not seen, then is. */
    before = dated_total(&ctx, reader, false);
    CHECK(before > 0);
    REQUIRE(store_exec(&ctx, st, "UPDATE layer_count SET n = n + 1 WHERE level >= 64 AND sign = 1") == AT_OK);
    CHECK(dated_total(&ctx, reader, false) == before);
    REQUIRE(store_exec(&ctx, st, "UPDATE layer_state SET generation = generation + 1") == AT_OK);
    CHECK(dated_total(&ctx, reader, false) > before);
    store_close(reader);
    store_close(st);
}

/* The map's generation grows with every write that changes its counts
 * (and every write of a current record), and not with a read of them. */
UNIT_TEST(layer_generation_grows_with_each_write_to_the_counts_only)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static char events[10][RECORD_ID_MAX], sites[12][RECORD_ID_MAX], pinpoints[40][RECORD_ID_MAX];
    int64_t was, now;
    struct rng r;

    REQUIRE(st != NULL);
    rng_seed(&r, 53);
    REQUIRE(dated_writes(&ctx, st, &r, events, sites, pinpoints) == AT_OK);
    REQUIRE(layer_generation(&ctx, st, &was) == AT_OK);
    CHECK(dated_total(&ctx, st, false) > 0 && dated_total(&ctx, st, true) > 0);
    CHECK(layer_generation(&ctx, st, &now) == AT_OK && now == was);
    REQUIRE(change(&ctx, st, record_amend_write, pinpoints[3], json_pack("{s:f}", "lat", 41.6), -1) == AT_OK);
    CHECK(layer_generation(&ctx, st, &now) == AT_OK && now > was);
    /* A bulk write's dates made again at its end. */
    was = now;
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(layer_date_suspend(&ctx, st) == AT_OK && layer_date_resume(&ctx, st) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    CHECK(layer_generation(&ctx, st, &now) == AT_OK && now > was);
    /* The counts emptied, then made again. */
    was = now;
    REQUIRE(store_begin(&ctx, st) == AT_OK);
    REQUIRE(layer_count_clear(&ctx, st) == AT_OK);
    CHECK(layer_generation(&ctx, st, &now) == AT_OK && now > was);
    REQUIRE(layer_count_rebuild(&ctx, st) == AT_OK);
    REQUIRE(store_commit(&ctx, st) == AT_OK);
    CHECK(layer_generation(&ctx, st, &was) == AT_OK && was > now);
    store_close(st);
}

/* Counts every step of SQLite's machine (a progress handler of 1). */
static int count_step(void *arg)
{
    ++*(long *)arg;
    return 0;
}

/* A cell the box cuts is counted from its children, not point by point:
 * two clumps of 300 pinpoints in one cell at zoom 4, one inside the box
 * and one beyond its north edge, are counted exactly as a scan counts
 * them, with a fraction of the scan's work (the cell's children one zoom
 * finer at a time, till the clumps are in cells of their own; before,
 * the 300 inside were read one by one). */
UNIT_TEST(layer_cell_cut_by_the_box_counted_from_its_children)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct record_filter f = RECORD_FILTER_INIT;
    struct layer_grid kept, scan;
    long kept_steps = 0, scan_steps = 0;
    char json[96];

    REQUIRE(st != NULL);
    for (int i = 0; i < 600; i++) {
        snprintf(json, sizeof json, "{\"lat\": %.4f, \"lon\": %.4f}",
                 (i % 2 ? 41.80 : 41.60) + (i / 2 % 17) * 0.003, 128.60 + (i / 2 / 17) * 0.003);
        REQUIRE(unit_add(&ctx, st, "pinpoint", json, CLEARANCE_PUBLIC, NULL) == AT_OK);
    }
    f.has_bbox = true;
    f.south = 41.5, f.west = 128.5, f.north = 41.75, f.east = 128.75;
    REQUIRE(layer_grid_init(&ctx, &kept, &f, 4) == AT_OK);
    REQUIRE(layer_grid_init(&ctx, &scan, &f, 4) == AT_OK);
    scan.scan = true;
    sqlite3_progress_handler(store_db(st), 1, count_step, &kept_steps);
    REQUIRE(layer_grid_count(&ctx, st, &f, &kept) == AT_OK);
    sqlite3_progress_handler(store_db(st), 1, count_step, &scan_steps);
    REQUIRE(layer_grid_count(&ctx, st, &f, &scan) == AT_OK);
    sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
    CHECK(kept.total == 300);
    CHECK(grids_equal(&kept, &scan));
    if (kept_steps * 4 >= scan_steps)
        fprintf(stderr, "    %ld steps from the counts, %ld scanning\n", kept_steps, scan_steps);
    CHECK(kept_steps * 4 < scan_steps);
    layer_grid_free(&kept);
    layer_grid_free(&scan);
    store_close(st);
}
