/*
 * cmd_places.c: `attest places search|at`: the gazetteer of North Korea
 * and the border cities, by any spelling or by position.  No archive is
 * needed: the gazetteer is compiled in.
 */
#include "cli.h"
#include "../core/gazetteer.h"
#include "../core/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The most places --limit may ask for, for each name or point. */
enum { PLACES_MAX = 64 };

static const struct command *self(void)
{
    return &places_command;
}

/* The places of m as JSON, each with its distance when with_dist. */
static json_t *places_json(const struct gazetteer_match *m, size_t n, bool with_dist)
{
    json_t *all = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(all, gazetteer_place_json(m[i].place, with_dist ? m[i].dist_m : -1));
    return all;
}

/* Prints places (the JSON of places_json) as a table. */
static void print_table(json_t *all, bool with_dist)
{
    struct table tab;
    json_t *o;
    size_t i;

    cli_table_init(&tab, 8, "name", "hangul", "mr", "rr", "kind", "province", "lat,lon",
                   with_dist ? "km" : "country");
    json_array_foreach(all, i, o) {
        char pos[64], last[32];
        snprintf(pos, sizeof pos, "%.5f,%.5f", json_real_value(json_object_get(o, "lat")),
                 json_real_value(json_object_get(o, "lon")));
        if (with_dist)
            snprintf(last, sizeof last, "%.1f", json_real_value(json_object_get(o, "distance_km")));
        else
            snprintf(last, sizeof last, "%s", json_string_value(json_object_get(o, "country")));
        cli_table_row(&tab, json_string_value(json_object_get(o, "name")),
                      json_string_value(json_object_get(o, "hangul")),
                      json_string_value(json_object_get(o, "mr")) ?: "",
                      json_string_value(json_object_get(o, "rr")) ?: "",
                      json_string_value(json_object_get(o, "kind")),
                      json_string_value(json_object_get(o, "province")) ?: "", pos, last);
    }
    cli_table_print(&tab, stdout);
    cli_table_free(&tab);
}

/* search NAME...: each name's places.  One name prints its places (a JSON
 * array); several print each under its name (a JSON array of {query,
 * places}), so that a list of names is looked up at once.  A name no place
 * is spelled like is said on stderr and makes the exit status 1, after the
 * others are printed. */
static int search_names(char **names, size_t nnames, size_t k, bool as_json)
{
    struct gazetteer_match m[PLACES_MAX];
    json_t *answers = json_array();
    int rc = EXIT_OK;

    for (size_t i = 0; i < nnames; i++) {
        size_t n = gazetteer_search(names[i], m, k);
        json_t *places = places_json(m, n, false);
        if (n == 0) {
            fprintf(stderr, "attest: no place is spelled like \"%s\"\n", names[i]);
            rc = EXIT_FAIL;
        }
        if (nnames == 1 && as_json) {
            if (n)
                cli_print_json(places);
            json_decref(places);
        } else if (as_json) {
            json_array_append_new(answers, json_pack("{s:s, s:o}", "query", names[i], "places", places));
        } else {
            if (nnames > 1)
                printf("%s%s:\n", i ? "\n" : "", names[i]);
            if (n)
                print_table(places, false);
            json_decref(places);
        }
    }
    if (nnames > 1 && as_json)
        cli_print_json(answers);
    json_decref(answers);
    return rc;
}

/* What the gazetteer knows of a point: its country, province, county and
 * the k nearest places, as JSON; *county is the county, for the text form. */
static json_t *at_json(double lat, double lon, size_t k, const struct gazetteer_place **county)
{
    struct gazetteer_match m[PLACES_MAX];
    const char *country = gazetteer_country_at(lat, lon);
    size_t n = gazetteer_near(lat, lon, ~(1u << GAZ_PROVINCE), m, k);
    const struct gazetteer_place *prov = NULL;

    *county = gazetteer_county_of(NULL, lat, lon);
    for (size_t i = 0; i < n && prov == NULL; i++)
        if (country && strcmp(country, "KP") == 0 && strcmp(m[i].place->country, "KP") == 0)
            prov = gazetteer_province(m[i].place);
    return json_pack("{s:f, s:f, s:o, s:o, s:o, s:o}", "lat", lat, "lon", lon,
                     "country", country ? json_string(country) : json_null(),
                     "province", prov ? gazetteer_place_json(prov, -1) : json_null(),
                     "county", *county ? gazetteer_place_json(*county, geo_distance_m(lat, lon,
                         (*county)->lat, (*county)->lon)) : json_null(),
                     "nearest", places_json(m, n, true));
}

/* at LAT,LON...: each point in turn.  One point prints its JSON object;
 * several a JSON array of them, or each text form under its point.  A
 * point that does not parse is refused before anything is printed. */
static int at_points(struct cli *cli, char **points, size_t npoints, size_t k, bool as_json)
{
    double *lat = xcalloc(npoints, sizeof *lat), *lon = xcalloc(npoints, sizeof *lon);
    json_t *answers = json_array();

    for (size_t i = 0; i < npoints; i++)
        if (geo_parse_point(&cli->ctx, points[i], &lat[i], &lon[i]) != AT_OK) {
            free(lat);
            free(lon);
            json_decref(answers);
            return cli_fail(cli, AT_EINVAL);
        }
    for (size_t i = 0; i < npoints; i++) {
        const struct gazetteer_place *county;
        json_t *o = at_json(lat[i], lon[i], k, &county);
        if (as_json) {
            json_array_append_new(answers, o);
            continue;
        }
        json_t *prov = json_object_get(o, "province");
        const char *country = json_string_value(json_object_get(o, "country"));
        if (npoints > 1)
            printf("%sat:       %s\n", i ? "\n" : "", points[i]);
        printf("country:  %s\n", country ? country : "(none of the countries around Korea)");
        if (json_is_object(prov))
            printf("province: %s (%s)\n", json_string_value(json_object_get(prov, "name")),
                   json_string_value(json_object_get(prov, "hangul")));
        if (county)
            printf("county:   %s (%s), %s %.1f km away\n", county->name, county->hangul,
                   county->point == GAZ_POINT_CENTROID ? "its centre" : "seat",
                   geo_distance_m(lat[i], lon[i], county->lat, county->lon) / 1000);
        printf("\n");
        print_table(json_object_get(o, "nearest"), true);
        json_decref(o);
    }
    if (as_json)
        cli_print_json(npoints == 1 ? json_array_get(answers, 0) : answers);
    json_decref(answers);
    free(lat);
    free(lon);
    return EXIT_OK;
}

static int places_cmd(struct cli *cli, int argc, char **argv)
{
    const char *limit = NULL;
    char **what = xcalloc((size_t)argc + 1, sizeof *what);
    size_t nwhat = 0;
    bool as_json = false;
    long k = 10;
    char *end;
    int rc;

    if (argc < 1 || (strcmp(argv[0], "search") != 0 && strcmp(argv[0], "at") != 0)) {
        free(what);
        return cli_usage(self(), "give a subcommand: search NAME or at LAT,LON");
    }
    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "limit", &limit);
        if (got < 0) {
            free(what);
            return EXIT_USAGE;
        }
        if (got)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else
            what[nwhat++] = argv[i];
    }
    if (limit && ((k = strtol(limit, &end, 10)), *end || k < 1 || k > PLACES_MAX))
        rc = cli_usage(self(), "--limit takes a number from 1 to %d", PLACES_MAX);
    else if (nwhat == 0)
        rc = cli_usage(self(), "%s needs %s", argv[0],
                       strcmp(argv[0], "at") == 0 ? "LAT,LON" : "a name");
    else if (strcmp(argv[0], "search") == 0)
        rc = search_names(what, nwhat, (size_t)k, as_json);
    else
        rc = at_points(cli, what, nwhat, (size_t)k, as_json);
    free(what);
    return rc;
}

const struct command places_command = {
    .name = "places",
    .summary = "find places of North Korea and the border by any spelling, or by position",
    .usage =
        "attest places search NAME... [--limit N] [--json]\n"
        "       attest places at LAT,LON... [--limit N] [--json]\n"
        "search finds places whatever the spelling: Hangul, McCune-Reischauer with or\n"
        "without marks, Revised Romanization, DPRK spelling, or a common one\n"
        "(Hoeryŏng, Hoeryong, Hoeryeong, 회령).  at gives the country of a point\n"
        "(Natural Earth outlines), its province and county as near as the gazetteer\n"
        "knows them, and the nearest places (default 10).  The gazetteer is built from\n"
        "GeoNames and Natural Earth; see docs/commands/places.md.  Several names or\n"
        "points are each answered in turn, under their own words (in JSON, search\n"
        "gives [{\"query\": NAME, \"places\": [...]}, ...] and at an array).",
    .run = places_cmd,
    .needs = NEEDS_NOTHING,
};
