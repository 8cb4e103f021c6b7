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

static const struct command *self(void)
{
    return &places_command;
}

static int print_places(const struct gazetteer_match *m, size_t n, bool as_json, bool with_dist)
{
    json_t *all = json_array(), *o;
    struct table tab;
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(all, gazetteer_place_json(m[i].place, with_dist ? m[i].dist_m : -1));
    if (as_json) {
        cli_print_json(all);
        json_decref(all);
        return EXIT_OK;
    }
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
    json_decref(all);
    return EXIT_OK;
}

static int places_cmd(struct cli *cli, int argc, char **argv)
{
    const char *what = NULL, *limit = NULL;
    bool as_json = false;
    struct gazetteer_match m[64];
    long k = 10;
    char *end;

    if (argc < 1 || (strcmp(argv[0], "search") != 0 && strcmp(argv[0], "at") != 0))
        return cli_usage(self(), "give a subcommand: search NAME or at LAT,LON");
    for (int i = 1; i < argc; i++) {
        int got = cli_option(self(), argc, argv, &i, "limit", &limit);
        if (got < 0)
            return EXIT_USAGE;
        if (got)
            continue;
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (what == NULL)
            what = argv[i];
        else
            return cli_usage(self(), "unexpected argument \"%s\"", argv[i]);
    }
    if (limit && ((k = strtol(limit, &end, 10)), *end || k < 1 || k > (long)ARRAY_LEN(m)))
        return cli_usage(self(), "--limit takes a number from 1 to %zu", ARRAY_LEN(m));
    if (what == NULL)
        return cli_usage(self(), "%s needs %s", argv[0],
                         strcmp(argv[0], "at") == 0 ? "LAT,LON" : "a name");
    if (strcmp(argv[0], "search") == 0) {
        size_t n = gazetteer_search(what, m, (size_t)k);
        if (n == 0) {
            fprintf(stderr, "attest: no place is spelled like \"%s\"\n", what);
            return EXIT_FAIL;
        }
        return print_places(m, n, as_json, false);
    }

    double lat, lon;
    if (geo_parse_point(&cli->ctx, what, &lat, &lon) != AT_OK)
        return cli_fail(cli, AT_EINVAL);
    const char *country = gazetteer_country_at(lat, lon);
    const struct gazetteer_place *county = gazetteer_county_of(NULL, lat, lon);
    size_t n = gazetteer_near(lat, lon, ~(1u << GAZ_PROVINCE), m, (size_t)k);
    const struct gazetteer_place *prov = NULL;
    for (size_t i = 0; i < n && prov == NULL; i++)
        if (country && strcmp(country, "KP") == 0 && strcmp(m[i].place->country, "KP") == 0)
            prov = gazetteer_province(m[i].place);
    if (as_json) {
        json_t *o = json_pack("{s:f, s:f, s:o, s:o, s:o}", "lat", lat, "lon", lon,
                              "country", country ? json_string(country) : json_null(),
                              "province", prov ? gazetteer_place_json(prov, -1) : json_null(),
                              "county", county ? gazetteer_place_json(county, geo_distance_m(lat, lon,
                                  county->lat, county->lon)) : json_null());
        json_t *near = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(near, gazetteer_place_json(m[i].place, m[i].dist_m));
        json_object_set_new(o, "nearest", near);
        cli_print_json(o);
        json_decref(o);
        return EXIT_OK;
    }
    printf("country:  %s\n", country ? country : "(none of the countries around Korea)");
    if (prov)
        printf("province: %s (%s)\n", prov->name, prov->hangul);
    if (county)
        printf("county:   %s (%s), %s %.1f km away\n", county->name, county->hangul,
               county->centroid ? "its centre" : "seat",
               geo_distance_m(lat, lon, county->lat, county->lon) / 1000);
    printf("\n");
    return print_places(m, n, false, true);
}

const struct command places_command = {
    .name = "places",
    .summary = "find places of North Korea and the border by any spelling, or by position",
    .usage =
        "attest places search NAME [--limit N] [--json]\n"
        "       attest places at LAT,LON [--limit N] [--json]\n"
        "search finds places whatever the spelling: Hangul, McCune-Reischauer with or\n"
        "without marks, Revised Romanization, DPRK spelling, or a common one\n"
        "(Hoeryŏng, Hoeryong, Hoeryeong, 회령).  at gives the country of a point\n"
        "(Natural Earth outlines), its province and county as near as the gazetteer\n"
        "knows them, and the nearest places (default 10).  The gazetteer is built from\n"
        "GeoNames and Natural Earth; see docs/commands/places.md.",
    .run = places_cmd,
    .needs = NEEDS_NOTHING,
};
