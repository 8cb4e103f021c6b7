/*
 * cmd_sites.c: `attest sites near|within|cluster|candidates|confirm|split|merge`:
 * spatial queries over sites and pinpoints, clustering of pinpoints into
 * candidate sites, and the analysts' decisions on them.
 */
#include "cli.h"
#include "../core/cluster.h"
#include "../core/gazetteer.h"
#include "../core/geo.h"
#include "../core/number.h"
#include "../core/sites.h"
#include "../core/spatial.h"
#include "../core/vocab.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Limits of `sites near`: half the Earth's circumference, beyond which no
 * point is, and the most nearest neighbours one call lists. */
#define NEAR_KM_MAX 20038
#define NEAR_K_MAX 10000

static const struct command *self(void)
{
    return &sites_command;
}

static int print_hits(struct cli *cli, struct spatial_hits *h, bool as_json, bool with_dist)
{
    json_t *all = as_json ? json_array() : NULL;
    struct table tab;

    cli_table_init(&tab, 5, "id", "lat", "lon", with_dist ? "metres" : "", "name");
    for (size_t i = 0; i < h->n; i++) {
        json_t *doc = NULL;
        char lat[32], lon[32], dist[32] = "";
        if (record_get(&cli->ctx, cli->st, h->hits[i].id, 0, &doc) != AT_OK)
            continue;
        json_t *data = json_object_get(doc, "data");
        const struct type_spec *t = model_type(json_string_value(json_object_get(doc, "type")));
        struct buf summary = BUF_INIT;
        model_summary(t, data, &summary);
        if (all) {
            json_t *o = json_pack("{s:s, s:s, s:f, s:f, s:s}", "id", h->hits[i].id,
                                  "type", t->name, "lat", h->hits[i].lat, "lon", h->hits[i].lon,
                                  "summary", buf_str(&summary));
            if (with_dist)
                json_object_set_new(o, "distance_m", json_real(round(h->hits[i].dist_m * 10) / 10));
            json_array_append_new(all, o);
        } else {
            snprintf(lat, sizeof lat, "%.7f", h->hits[i].lat);
            snprintf(lon, sizeof lon, "%.7f", h->hits[i].lon);
            if (with_dist)
                snprintf(dist, sizeof dist, "%.1f", h->hits[i].dist_m);
            cli_table_row(&tab, h->hits[i].id, lat, lon, dist, buf_str(&summary));
        }
        buf_free(&summary);
        json_decref(doc);
    }
    if (all) {
        cli_print_json(all);
        json_decref(all);
    } else {
        cli_table_print(&tab, stdout);
    }
    cli_table_free(&tab);
    return EXIT_OK;
}

/* near LAT,LON [--km K | --k N] and within W,S,E,N. */
static int query_cmd(struct cli *cli, int argc, char **argv, bool near)
{
    struct spatial_query q = { "site", -1 };
    const char *km = NULL, *k = NULL, *type = NULL, *where = NULL, *clearance = NULL;
    bool as_json = false;
    struct spatial_hits h;
    int rc;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(self(), argc, argv, &i, "km", &km)) ||
            (got = cli_option(self(), argc, argv, &i, "k", &k)) ||
            (got = cli_option(self(), argc, argv, &i, "type", &type)) ||
            (got = cli_option(self(), argc, argv, &i, "clearance", &clearance))) {
            if (got < 0)
                return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else if (where == NULL) {
            where = argv[i];
        } else {
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (where == NULL)
        return cli_usage(self(), near ? "give the point: LAT,LON" : "give the box: W,S,E,N");
    if (type && strcmp(type, "all") != 0 && model_type(type) == NULL)
        return cli_usage(self(), "--type: \"%s\" is not a record type (or all)", type);
    q.type = type == NULL ? "site" : strcmp(type, "all") == 0 ? NULL : type;
    if (clearance && vocab_clearance_parse(&cli->ctx, clearance, &q.max_clearance) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (cli_login(cli) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (near) {
        double lat, lon, radius = 5;
        long n;
        if (geo_parse_point(&cli->ctx, where, &lat, &lon) != AT_OK)
            return cli_fail(cli, AT_EINVAL);
        if (k) {
            if (number_parse_long(&cli->ctx, "--k", k, 1, NEAR_K_MAX, &n) != AT_OK)
                return cli_fail(cli, AT_EINVAL);
            rc = spatial_nearest(&cli->ctx, cli->st, &q, lat, lon, (size_t)n, &h);
        } else {
            if (km && number_parse_double(&cli->ctx, "--km", km, 0, NEAR_KM_MAX,
                                          &radius) != AT_OK)
                return cli_fail(cli, AT_EINVAL);
            rc = spatial_near(&cli->ctx, cli->st, &q, lat, lon, radius * 1000, &h);
        }
    } else {
        struct geo_bbox box;
        if (geo_parse_bbox(&cli->ctx, where, &box) != AT_OK)
            return cli_fail(cli, AT_EINVAL);
        rc = spatial_within(&cli->ctx, cli->st, &q, &box, &h);
    }
    if (rc != AT_OK)
        return cli_fail(cli, rc);
    rc = print_hits(cli, &h, as_json, near);
    spatial_hits_free(&h);
    return rc;
}

/* cluster --from-csv FILE: placements from a CSV of lat,lon,uncertainty_m[,group]
 * (a header line first), labels out, one per line; no archive needed. */
static int cluster_file(struct cli *cli, const char *path, const char *method,
                        const struct cluster_params *p, double eps_m, long min_pts)
{
    FILE *in = cli_fopen(cli, path);
    struct cluster_point *pts = NULL;
    size_t n = 0, cap = 0, line = 1;
    char text[512];
    int rc = EXIT_OK;

    if (in == NULL)
        return EXIT_FAIL;
    if (fgets(text, sizeof text, in) == NULL)
        text[0] = '\0';
    while (fgets(text, sizeof text, in)) {
        double v[4] = { 0, 0, 0, 0 };
        char *s = text, *end;
        int k = 0;
        line++;
        for (; k < 4; k++) {
            v[k] = strtod(s, &end);
            if (end == s)
                break;
            s = end + (*end == ',');
        }
        if (k < 3 || !geo_valid(v[0], v[1]) || !isfinite(v[2]) || v[2] < 0
            || !(fabs(v[3]) <= INT_MAX && v[3] == trunc(v[3]))) {
            ctx_error(&cli->ctx, AT_EINVAL, "%s:%zu: want lat,lon,uncertainty_m[,group]: latitude "
                      "-90..90, longitude -180..180, metres from 0, group a whole number "
                      "(within +-%d)", path, line, INT_MAX);
            rc = cli_fail(cli, AT_EINVAL);
            goto out;
        }
        if (n == cap)
            pts = xrealloc(pts, (cap = cap ? 2 * cap : 1024) * sizeof *pts);
        pts[n++] = (struct cluster_point){ v[0], v[1], v[2] / CLUSTER_RADIUS_PER_SIGMA, (int)v[3] };
    }
    int *label = xmalloc((n ? n : 1) * sizeof *label);
    size_t k = 0;
    struct cluster_result r = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int crc = strcmp(method, "dbscan") == 0
              ? cluster_dbscan(&cli->ctx, pts, n, eps_m, (size_t)min_pts, label, &k)
              : cluster_points(&cli->ctx, pts, n, NULL, 0, p, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (crc != AT_OK) {
        rc = cli_fail(cli, crc);
    } else {
        if (r.label) {
            memcpy(label, r.label, n * sizeof *label);
            k = r.nclusters;
        }
        fprintf(stderr, "clustered %zu placements into %zu clusters in %.3f s (%s)\n", n, k,
                (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, method);
        puts("cluster");
        for (size_t i = 0; i < n; i++)
            printf("%d\n", label[i]);
    }
    cluster_result_free(&r);
    free(label);
out:
    if (in != stdin)
        fclose(in);
    free(pts);
    return rc;
}

static int cluster_cmd(struct cli *cli, int argc, char **argv)
{
    struct cluster_params p = CLUSTER_PARAMS_INIT;
    const char *from = NULL, *method = "centre", *gate = NULL, *eps = NULL, *minpts = NULL;
    size_t count;
    int rc;

    for (int i = 1; i < argc; i++) {
        int got;
        if ((got = cli_option(self(), argc, argv, &i, "from-csv", &from)) ||
            (got = cli_option(self(), argc, argv, &i, "method", &method)) ||
            (got = cli_option(self(), argc, argv, &i, "gate", &gate)) ||
            (got = cli_option(self(), argc, argv, &i, "eps-m", &eps)) ||
            (got = cli_option(self(), argc, argv, &i, "min-pts", &minpts))) {
            if (got < 0)
                return EXIT_USAGE;
        } else {
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
        }
    }
    if (gate && (number_parse_double(&cli->ctx, "--gate", gate, 0, 100, &p.gate) != AT_OK
                 || !(p.gate > 0)))
        return cli_usage(self(), "--gate takes a number of standard errors above 0, up to 100");
    if (strcmp(method, "centre") != 0 && strcmp(method, "dbscan") != 0)
        return cli_usage(self(), "--method: \"%s\"; valid: centre, dbscan", method);
    if (from) {
        double eps_m = 2000;
        long mp = 3;
        if ((eps && number_parse_double(&cli->ctx, "--eps-m", eps, 0, 1e7, &eps_m) != AT_OK)
            || !(eps_m > 0)
            || (minpts && number_parse_long(&cli->ctx, "--min-pts", minpts, 1, 1000000, &mp) != AT_OK))
            return cli_usage(self(), "--eps-m takes metres above 0 (up to 1e7), --min-pts a count "
                             "from 1 to 1000000");
        return cluster_file(cli, from, method, &p, eps_m, mp);
    }
    if (strcmp(method, "centre") != 0)
        return cli_usage(self(), "an archive is clustered by the centre method; "
                         "dbscan is for --from-csv comparisons");
    if (cli_login(cli) != AT_OK)
        return cli_fail(cli, cli->ctx.code);
    if (store_begin(&cli->ctx, cli->st) != AT_OK
        || (rc = sites_cluster(&cli->ctx, cli->st, &p, &count)) != AT_OK
        || (rc = store_commit(&cli->ctx, cli->st)) != AT_OK) {
        store_rollback(cli->st);
        return cli_fail(cli, AT_ERR);
    }
    fprintf(stderr, "%zu candidate sites; see 'attest sites candidates'\n", count);
    return EXIT_OK;
}

static int candidates_cmd(struct cli *cli, int argc, char **argv)
{
    bool as_json = argc > 1 && strcmp(argv[1], "--json") == 0;
    json_t *all = NULL, *c;
    struct table tab;
    size_t i;

    if (argc > 1 + as_json)
        return cli_usage(self(), "candidates takes only --json");
    if (cli_login(cli) != AT_OK || sites_candidates(&cli->ctx, cli->st, &all) != AT_OK)
        return cli_fail(cli, AT_ERR);
    if (as_json) {
        cli_print_json(all);
        json_decref(all);
        return EXIT_OK;
    }
    cli_table_init(&tab, 9, "label", "type", "lat", "lon", "placements", "witnesses", "basis",
                   "spread m", "confidence");
    json_array_foreach(all, i, c) {
        json_t *k = json_object_get(c, "corroboration");
        char lat[32], lon[32], np[16], nw[16], spread[32];
        snprintf(lat, sizeof lat, "%.6f", json_number_value(json_object_get(c, "lat")));
        snprintf(lon, sizeof lon, "%.6f", json_number_value(json_object_get(c, "lon")));
        snprintf(np, sizeof np, "%lld", (long long)json_integer_value(json_object_get(k, "placements")));
        snprintf(nw, sizeof nw, "%lld", (long long)json_integer_value(json_object_get(k, "witnesses")));
        snprintf(spread, sizeof spread, "%.0f", json_number_value(json_object_get(k, "spread_m")));
        cli_table_row(&tab, json_string_value(json_object_get(c, "label")),
                      json_string_value(json_object_get(c, "site_type")), lat, lon, np, nw,
                      json_string_value(json_object_get(k, "basis")), spread,
                      json_string_value(json_object_get(k, "confidence")));
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(all);
    return EXIT_OK;
}

/* confirm LABEL [--name N] | split SITE PP... [--name N] | merge INTO OTHER... */
static int decide_cmd(struct cli *cli, int argc, char **argv)
{
    const char *name = NULL, **ids = xcalloc((size_t)argc, sizeof *ids);
    char resolved[64][RECORD_ID_MAX], site[RECORD_ID_MAX] = "";
    size_t n = 0;
    int rc = EXIT_USAGE;

    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "name", &name);
        if (got < 0)
            goto out;
        if (got == 0)
            ids[n++] = argv[i];
    }
    if (n == 0 || n > ARRAY_LEN(resolved)
        || (strcmp(argv[0], "confirm") == 0 ? n != 1 : n < 2)) {
        rc = cli_usage(self(), "%s: wrong number of arguments", argv[0]);
        goto out;
    }
    if (cli_login(cli) != AT_OK) {
        rc = cli_fail(cli, cli->ctx.code);
        goto out;
    }
    if (strcmp(argv[0], "confirm") != 0)
        for (size_t i = 0; i < n; i++) {
            if (record_resolve(&cli->ctx, cli->st, ids[i], resolved[i]) != AT_OK) {
                rc = cli_fail(cli, AT_EINVAL);
                goto out;
            }
            ids[i] = resolved[i];
        }
    enum sites_verb verb;
    int crc = sites_verb_parse(&cli->ctx, argv[0], &verb);
    if (crc == AT_OK)
        crc = sites_decide(&cli->ctx, cli->st, verb, ids, n, name, site);
    if (crc != AT_OK) {
        rc = cli_fail(cli, crc);
        goto out;
    }
    printf("%s\n", site[0] ? site : ids[0]);
    rc = EXIT_OK;
out:
    free(ids);
    return rc;
}

/* ring LAT,LON --km K: the geodesic circle as GeoJSON (RFC 7946). */
static void put_ring(const struct geo_ring *r)
{
    putchar('[');
    for (size_t i = 0; i < r->n; i++)
        printf("%s[%.7f,%.7f]", i ? "," : "", r->lon[i], r->lat[i]);
    putchar(']');
}

/* ring ... --places: the gazetteer's places inside the ring, nearest first. */
static void ring_places(const struct geo_shape *shape, double lat, double lon, bool as_json)
{
    struct gazetteer_match *m = xcalloc(gazetteer_nplaces + 1, sizeof *m);
    size_t n = gazetteer_within(shape, lat, lon, m, gazetteer_nplaces);
    json_t *all = json_array();
    struct table tab;

    cli_table_init(&tab, 5, "name", "hangul", "kind", "country", "km");
    for (size_t i = 0; i < n; i++) {
        const struct gazetteer_place *p = m[i].place;
        char km[32];
        snprintf(km, sizeof km, "%.1f", m[i].dist_m / 1000);
        cli_table_row(&tab, p->name, p->hangul, gazetteer_kind_name(p->kind), p->country, km);
        json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f}", "name",
                                             p->name, "hangul", p->hangul, "kind",
                                             gazetteer_kind_name(p->kind), "country", p->country,
                                             "lat", p->lat, "lon", p->lon, "distance_km",
                                             round(m[i].dist_m / 100) / 10));
    }
    if (as_json)
        cli_print_json(all);
    else
        cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(all);
    free(m);
}

static int ring_cmd(struct cli *cli, int argc, char **argv)
{
    const char *km = NULL, *where = NULL;
    struct geo_shape shape;
    double lat, lon, radius;
    bool places = false, as_json = false;

    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "km", &km);
        if (got < 0)
            return EXIT_USAGE;
        if (got == 0 && strcmp(argv[i], "--places") == 0)
            places = true;
        else if (got == 0 && strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (got == 0 && where == NULL)
            where = argv[i];
        else if (got == 0)
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
    }
    if (where == NULL || km == NULL)
        return cli_usage(self(), "ring needs LAT,LON and --km K");
    if (geo_parse_point(&cli->ctx, where, &lat, &lon) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (number_parse_double(&cli->ctx, "--km", km, 0, NEAR_KM_MAX, &radius) != AT_OK
        || geo_circle(&cli->ctx, lat, lon, radius * 1000, &shape) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    if (places) {
        ring_places(&shape, lat, lon, as_json);
        geo_shape_free(&shape);
        return EXIT_OK;
    }
    printf("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
           "\"properties\":{\"centre_lat\":%.7f,\"centre_lon\":%.7f,\"radius_km\":%g},"
           "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[", lat, lon, radius);
    for (size_t i = 0; i < shape.n; i++) {
        printf("%s[", i ? "," : "");
        put_ring(&shape.polys[i].outer);
        if (shape.polys[i].hole.n) {
            putchar(',');
            put_ring(&shape.polys[i].hole);
        }
        putchar(']');
    }
    printf("]}}]}\n");
    geo_shape_free(&shape);
    return EXIT_OK;
}

static int sites_cmd(struct cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage(self(), "give a subcommand");
    if (strcmp(argv[0], "near") == 0 || strcmp(argv[0], "within") == 0)
        return query_cmd(cli, argc, argv, strcmp(argv[0], "near") == 0);
    if (strcmp(argv[0], "ring") == 0)
        return ring_cmd(cli, argc, argv);
    if (strcmp(argv[0], "cluster") == 0)
        return cluster_cmd(cli, argc, argv);
    if (strcmp(argv[0], "candidates") == 0)
        return candidates_cmd(cli, argc, argv);
    if (strcmp(argv[0], "confirm") == 0 || strcmp(argv[0], "split") == 0
        || strcmp(argv[0], "merge") == 0)
        return decide_cmd(cli, argc, argv);
    return cli_usage(self(), "\"%s\" is not a subcommand; valid: near, within, cluster, "
                     "ring, candidates, confirm, split, merge", argv[0]);
}

const struct command sites_command = {
    .name = "sites",
    .summary = "find sites by place; cluster pinpoints into sites; confirm, split, merge",
    .usage =
        "attest sites near LAT,LON [--km K | --k N] [--type TYPE|all] [--clearance MAX] [--json]\n"
        "       attest sites within WEST,SOUTH,EAST,NORTH [--type TYPE|all] [--json]\n"
        "       attest sites ring LAT,LON --km K [--places [--json]]\n"
        "       attest sites cluster [--gate SIGMAS]\n"
        "       attest sites cluster --from-csv FILE [--method centre|dbscan] [--eps-m M] [--min-pts N]\n"
        "       attest sites candidates [--json]\n"
        "       attest sites confirm LABEL [--name NAME]\n"
        "       attest sites split SITE PINPOINT... [--name NAME]\n"
        "       attest sites merge INTO SITE...\n"
        "near lists sites within K km (default 5) of a point, nearest first, or the N\n"
        "nearest; within lists those in a box (WEST > EAST crosses the antimeridian).\n"
        "Distances are geodesic on WGS84.  --type pinpoint (or event, or all) looks\n"
        "at other records with a point.  ring prints the geodesic circle of radius K km\n"
        "(up to 20037.5) as GeoJSON, cut at the antimeridian and closed over a pole;\n"
        "with --places it lists the gazetteer's places inside the ring instead.\n"
        "cluster groups the pinpoints no site claims yet into candidate sites, by type\n"
        "and uncertainty, with the sites already confirmed as fixed centres; candidates\n"
        "shows them with their corroboration.  confirm makes a candidate a site (or\n"
        "adds its pinpoints to the site it matched); split moves pinpoints of a site to\n"
        "a new one; merge moves the pinpoints of sites into one and retracts the rest.\n"
        "Decisions are record versions that later runs keep.  --from-csv clusters a\n"
        "file of lat,lon,uncertainty_m[,group] rows without an archive and prints a\n"
        "label per row (dbscan: 0 is noise), for comparison with other tools.",
    .run = sites_cmd,
    /* ring and cluster --from-csv need no archive: the others log in. */
    .needs = NEEDS_ARCHIVE_SOMETIMES,
};
