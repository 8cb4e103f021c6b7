/*
 * test_layer.c: a map layer's records by bounding box: the same records
 * as record_list gives for the box, as document text; retracted records
 * and records above the reader's clearance left out; a filter without a
 * box refused.  The grid of a zoomed-out map: its cells count exactly the
 * records the reader may list in the box, each in the cell that holds
 * it; the records alone in their cells; zoom and box checked.
 */
#include "../../src/core/attest.h"
#include "../../src/core/layer.h"
#include "../../src/core/vocab.h"
#include "fixture.h"
#include "unit.h"

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
    f.field = "title", f.value = "FICTIONAL inside";
    REQUIRE(layer_grid_init(&ctx, &g, &f, 8) == AT_OK);
    REQUIRE(layer_grid_count(&ctx, st, &f, &g) == AT_OK);
    CHECK(g.total == listed_in_box(&ctx, st, f) && g.total == 30);
    layer_grid_free(&g);
    f.field = f.value = NULL;
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
