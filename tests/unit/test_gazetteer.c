/*
 * test_gazetteer.c: the compiled-in gazetteer: spellings, search by name
 * (Hangul or romanised, marks ignored), places near a point, the country
 * whose outline holds a point.
 */
#include "../../src/core/attest.h"
#include "../../src/core/gazetteer.h"
#include "unit.h"

#include <string.h>

UNIT_TEST(gazetteer_search_by_spelling)
{
    struct gazetteer_match m[8];
    size_t n = gazetteer_search("회령시", m, 8);

    REQUIRE(n >= 1);
    CHECK_STR(m[0].place->hangul, "회령시");
    CHECK(m[0].rank == 0);
    CHECK_STR(m[0].place->country, "KP");
    n = gazetteer_search("hoeryong", m, 8);
    REQUIRE(n >= 1);
    CHECK_STR(m[0].place->hangul, "회령시");
    CHECK(gazetteer_search("zzqxv no such place", m, 8) == 0);
    /* The romanisations the output shows, suffix apart, are spellings too:
     * 삼석구역 is Samsŏk-kuyŏk romanised whole, Samsok-guyok in DPRK use. */
    n = gazetteer_search("Samsok-guyok", m, 8);
    REQUIRE(n >= 1);
    CHECK_STR(m[0].place->hangul, "삼석구역");
    CHECK(m[0].rank == 0);
}

/* Ŭnsan (은산) and Unsan (운산) are one word once marks are dropped: the
 * query's marks tell them apart, and without marks both are spellings. */
UNIT_TEST(gazetteer_marks_tell_places_apart)
{
    struct gazetteer_match m[8];
    const struct gazetteer_place *named[4];
    size_t n = gazetteer_search("Ŭnsan", m, 8);

    REQUIRE(n >= 2);
    CHECK_STR(m[0].place->hangul, "은산군");
    CHECK(m[0].rank == 0);
    CHECK(m[1].rank > 0);
    REQUIRE(gazetteer_named("Ŭnsan-gun", named, 4, NULL) == 1);
    CHECK_STR(named[0]->hangul, "은산군");
    REQUIRE(gazetteer_named("Unsan", named, 4, NULL) >= 1);
    CHECK_STR(named[0]->hangul, "운산군");
    /* A marked query no place is spelled with keeps the places it folds to. */
    REQUIRE(gazetteer_named("Hŏeryŏng", named, 4, NULL) == 1);
    CHECK_STR(named[0]->hangul, "회령시");
}

UNIT_TEST(gazetteer_near_and_country)
{
    struct gazetteer_match m[4];
    size_t n = gazetteer_near(39.03, 125.75, 0, m, 4);

    REQUIRE(n >= 1);
    CHECK(m[0].dist_m < 30000);
    for (size_t i = 1; i < n; i++)
        CHECK(m[i].dist_m >= m[i - 1].dist_m);
    CHECK_STR(gazetteer_country_at(39.03, 125.75), "KP");   /* Pyongyang */
    CHECK_STR(gazetteer_country_at(37.57, 126.98), "KR");   /* Seoul */
    CHECK(gazetteer_country_at(0.0, -30.0) == NULL);         /* the Atlantic */
}

UNIT_TEST(gazetteer_kinds_and_provinces)
{
    struct buf b = BUF_INIT;

    CHECK_STR(gazetteer_kind_name(GAZ_PROVINCE), "province");
    CHECK_STR(gazetteer_kind_name(GAZ_COUNTY), "county");
    for (size_t i = 0; i < gazetteer_nplaces; i++) {
        const struct gazetteer_place *p = &gazetteer_places[i];
        if (p->kind == GAZ_COUNTY && strcmp(p->country, "KP") == 0) {
            const struct gazetteer_place *prov = gazetteer_province(p);
            REQUIRE(prov != NULL);
            CHECK(prov->kind == GAZ_PROVINCE);
            gazetteer_spellings(p, &b);
            CHECK(strstr(buf_str(&b), p->hangul) != NULL);
            break;
        }
    }
    buf_free(&b);
}

UNIT_TEST(gazetteer_ids_unique_and_found)
{
    char id[GAZETTEER_ID_MAX], other[GAZETTEER_ID_MAX];
    const struct gazetteer_place *yodok = NULL;
    struct gazetteer_match m[2];

    for (size_t i = 0; i < gazetteer_nplaces; i++) {
        gazetteer_id(&gazetteer_places[i], id);
        CHECK(gazetteer_by_id(id) == &gazetteer_places[i]);
        for (size_t k = i + 1; k < gazetteer_nplaces; k++) {
            gazetteer_id(&gazetteer_places[k], other);
            CHECK(strcmp(id, other) != 0);
        }
    }
    /* A province and its capital share a GeoNames id, not an id. */
    REQUIRE(gazetteer_search("요덕군", m, 2) >= 1);
    yodok = m[0].place;
    gazetteer_id(yodok, id);
    CHECK_STR(id, "county:요덕군");
    CHECK(gazetteer_by_id("county:no such place") == NULL);
    CHECK(gazetteer_by_id("") == NULL);
}
