/* test_stats.c: the archive's counts, at the reader's limit, with small
 * witness counts withheld below confidential.  FICTIONAL records only. */
#include "../../src/core/attest.h"
#include "../../src/core/stats.h"
#include "../../src/core/vocab.h"
#include "unit.h"
#include "fixture.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

/* The value of column col in the row keyed key of table name. */
static json_t *cell(json_t *stats, const char *name, const char *key, size_t col)
{
    json_t *row;
    size_t i;

    json_array_foreach(json_object_get(stats_table(stats, name), "rows"), i, row)
        if (strcmp(json_string_value(json_object_get(row, "key")), key) == 0)
            return json_array_get(json_object_get(row, "values"), col);
    return NULL;
}

static long count(json_t *stats, const char *name, const char *key, size_t col)
{
    json_t *v = cell(stats, name, key, col);

    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static const char *mark(json_t *stats, const char *name, const char *key, size_t col)
{
    return json_string_value(cell(stats, name, key, col)) ?: "(not a mark)";
}

static double pct(json_t *stats, const char *name, const char *key, size_t col)
{
    json_t *v = cell(stats, name, key, col);

    return json_is_real(v) ? json_real_value(v) : NAN;
}

static int addf(struct at_ctx *ctx, struct store *st, const char *type, int clearance, char *id,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int addf(struct at_ctx *ctx, struct store *st, const char *type, int clearance, char *id,
                const char *fmt, ...)
{
    char json[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(json, sizeof json, fmt, ap);
    va_end(ap);
    return unit_add(ctx, st, type, json, clearance, id);
}

UNIT_TEST(stats_counts_acts_by_type_year_province_agency_sex_and_age)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    char ev[RECORD_ID_MAX], ev2[RECORD_ID_MAX], victim[RECORD_ID_MAX], act[RECORD_ID_MAX],
        act2[RECORD_ID_MAX], org[RECORD_ID_MAX], org2[RECORD_ID_MAX], perp[RECORD_ID_MAX];
    json_t *stats = NULL;
    char *text;

    REQUIRE(st != NULL);
    REQUIRE(addf(&ctx, st, "event", -1, ev, "{\"title\": \"FICTIONAL execution\", \"date\": "
                 "\"2015-03\", \"province\": \"North Hamgyong\"}") == AT_OK);
    REQUIRE(addf(&ctx, st, "event", -1, ev2, "{\"title\": \"FICTIONAL detention\", \"date\": "
                 "\"1996/1998\"}") == AT_OK);
    REQUIRE(addf(&ctx, st, "person", -1, victim, "{\"names\": [{\"name\": \"FICTIONAL Victim\"}],"
                 " \"sex\": \"female\", \"birth_date\": \"1980\"}") == AT_OK);
    REQUIRE(addf(&ctx, st, "act", -1, act, "{\"event\": \"%s\", \"act_type\": "
                 "\"public_execution\", \"victim\": \"%s\"}", ev, victim) == AT_OK);
    REQUIRE(addf(&ctx, st, "act", -1, act2, "{\"event\": \"%s\", \"act_type\": "
                 "\"arbitrary_detention\", \"victim_count\": 12}", ev2) == AT_OK);
    /* confidential: counted by those who may read it only */
    REQUIRE(addf(&ctx, st, "act", CLEARANCE_CONFIDENTIAL, NULL, "{\"event\": \"%s\", "
                 "\"act_type\": \"torture\", \"date\": \"2016\"}", ev) == AT_OK);
    REQUIRE(addf(&ctx, st, "organisation", -1, org, "{\"names\": [{\"name\": \"FICTIONAL "
                 "Agency A\"}]}") == AT_OK);
    REQUIRE(addf(&ctx, st, "organisation", -1, org2, "{\"names\": [{\"name\": \"FICTIONAL "
                 "Agency B\"}]}") == AT_OK);
    REQUIRE(addf(&ctx, st, "person", -1, perp, "{\"names\": [{\"name\": \"FICTIONAL Officer\"}]}")
            == AT_OK);
    REQUIRE(addf(&ctx, st, "relation", -1, NULL, "{\"kind\": \"involvement\", \"from\": \"%s\", "
                 "\"to\": \"%s\"}", org, act) == AT_OK);
    /* a person in the event, a member of agency B: both of its acts */
    REQUIRE(addf(&ctx, st, "relation", -1, NULL, "{\"kind\": \"involvement\", \"from\": \"%s\", "
                 "\"to\": \"%s\"}", perp, ev) == AT_OK);
    REQUIRE(addf(&ctx, st, "relation", -1, NULL, "{\"kind\": \"member_of\", \"from\": \"%s\", "
                 "\"to\": \"%s\"}", perp, org2) == AT_OK);

    REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK(count(stats, "acts_by_type", "public_execution", 0) == 1);
    CHECK(count(stats, "acts_by_type", "arbitrary_detention", 1) == 12);
    CHECK(count(stats, "acts_by_type", "torture", 0) == 1);
    CHECK(count(stats, "acts_by_year", "2015", 0) == 1);      /* the event's date */
    CHECK(count(stats, "acts_by_year", "2016", 0) == 1);      /* the act's own */
    CHECK(count(stats, "acts_by_year", "uncertain", 1) == 12);
    CHECK(count(stats, "acts_by_province", "North Hamgyong", 0) == 2);
    CHECK(count(stats, "acts_by_province", "not_given", 0) == 1);
    CHECK(count(stats, "acts_by_agency", "FICTIONAL Agency A", 0) == 1);
    CHECK(count(stats, "acts_by_agency", "FICTIONAL Agency B", 0) == 2);
    CHECK(count(stats, "acts_by_agency", "not_given", 0) == 1);
    CHECK(count(stats, "victims_by_sex", "female", 0) == 1);
    CHECK(count(stats, "victims_by_sex", "group", 0) == 12);
    CHECK(count(stats, "victims_by_age", "30-44", 0) == 1);   /* 2015 - 1980 */
    CHECK(json_is_true(json_object_get(stats, "exact_witness_counts")));
    CHECK(strstr(json_string_value(json_object_get(stats_table(stats, "acts_by_year"), "note")),
                 "are not trends") != NULL);
    /* the persons are never named, only the agencies */
    text = json_dumps(stats, 0);
    CHECK(strstr(text, "FICTIONAL Victim") == NULL && strstr(text, "FICTIONAL Officer") == NULL);
    free(text);
    json_decref(stats);

    /* a token limited to restricted counts no confidential act */
    REQUIRE(stats_compute(&ctx, st, CLEARANCE_RESTRICTED, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK(cell(stats, "acts_by_type", "torture", 0) == NULL);
    CHECK(cell(stats, "acts_by_year", "2016", 0) == NULL);
    json_decref(stats);
    /* and a public token no act at all, nor their types */
    REQUIRE(stats_compute(&ctx, st, CLEARANCE_PUBLIC, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK(json_array_size(json_object_get(stats_table(stats, "acts_by_type"), "rows")) == 0);
    CHECK(json_array_size(json_object_get(stats, "types")) == 0);
    json_decref(stats);
    store_close(st);
}

UNIT_TEST(stats_arrivals_per_half_year_with_change_and_share_of_women)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static const struct {
        const char *sex, *arrived;
    } w[] = { { "female", "2019-03" }, { "female", "2019-05-02" }, { "male", "2019-08" },
              { "female", "2020-02" }, { "male", "2020" }, { "female", NULL },
              { "female", "2021-11" } };
    json_t *stats = NULL;

    REQUIRE(st != NULL);
    for (size_t i = 0; i < ARRAY_LEN(w); i++) {
        if (w[i].arrived)
            REQUIRE(addf(&ctx, st, "witness", -1, NULL, "{\"code\": \"W-%zu\", \"sex\": \"%s\", "
                         "\"arrived\": \"%s\", \"year_left\": 2018}", i, w[i].sex, w[i].arrived)
                    == AT_OK);
        else
            REQUIRE(addf(&ctx, st, "witness", -1, NULL, "{\"code\": \"W-%zu\", \"sex\": \"%s\"}",
                         i, w[i].sex) == AT_OK);
    }
    REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK(count(stats, "arrivals", "2019 H1", 0) == 2);
    CHECK(json_is_null(cell(stats, "arrivals", "2019 H1", 1)));   /* nothing before */
    CHECK(count(stats, "arrivals", "2019 H1", 2) == 2);
    CHECK(pct(stats, "arrivals", "2019 H1", 3) == 100.0);
    CHECK(count(stats, "arrivals", "2019 H2", 0) == 1);
    CHECK(pct(stats, "arrivals", "2019 H2", 1) == -50.0);
    CHECK(pct(stats, "arrivals", "2019 H2", 3) == 0.0);
    CHECK(pct(stats, "arrivals", "2020 H1", 1) == 0.0);
    CHECK(count(stats, "arrivals", "2020 H2", 0) == 0);           /* gaps are shown */
    CHECK(json_is_null(cell(stats, "arrivals", "2021 H1", 1)));   /* from 0: no percent */
    CHECK(count(stats, "arrivals", "uncertain", 0) == 1);         /* "2020" */
    CHECK(count(stats, "witnesses_by_year_left", "2018", 0) == 6);
    CHECK(count(stats, "witnesses_by_year_left", "not_given", 0) == 1);
    CHECK(strstr(json_string_value(json_object_get(stats_table(stats, "arrivals"), "note")),
                 "1 witnesses have none") != NULL);
    json_decref(stats);

    REQUIRE(stats_compute(&ctx, st, -1, STATS_YEAR, &stats) == AT_OK);
    CHECK(count(stats, "arrivals", "2019", 0) == 3);
    CHECK(count(stats, "arrivals", "2020", 0) == 2);
    CHECK(pct(stats, "arrivals", "2020", 1) == -33.3);
    CHECK(pct(stats, "arrivals", "2019", 3) == 66.7);
    CHECK(cell(stats, "arrivals", "uncertain", 0) == NULL);
    CHECK(strcmp(json_string_value(json_object_get(stats_table(stats, "arrivals"), "title")),
                 "Arrivals per year") == 0);
    json_decref(stats);
    store_close(st);
}

UNIT_TEST(stats_withholds_small_witness_cells_below_confidential)
{
    struct at_ctx ctx = { 0 };
    struct session admin, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);
    static const struct {
        const char *province;
        int n;
    } w[] = { { "North Hamgyong", 7 }, { "Ryanggang", 6 }, { "Chagang", 1 } };
    json_t *stats = NULL;
    int k = 0;

    REQUIRE(st != NULL);
    for (size_t i = 0; i < ARRAY_LEN(w); i++)
        for (int j = 0; j < w[i].n; j++, k++)
            REQUIRE(addf(&ctx, st, "witness", CLEARANCE_RESTRICTED, NULL,
                         "{\"code\": \"W-%d\", \"home_province\": \"%s\", \"sex\": \"%s\", "
                         "\"arrived\": \"2019-0%d\"}", k, w[i].province,
                         k % 3 ? "female" : "male", 1 + k % 5) == AT_OK);
    /* the confidential reader sees every count */
    REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK(count(stats, "witnesses_by_province", "Chagang", 0) == 1);
    CHECK(count(stats, "arrivals", "2019 H1", 0) == 14);
    json_decref(stats);
    /* a token limited to restricted, or an analyst, does not */
    analyst = admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = CLEARANCE_RESTRICTED;
    store_set_session(st, &analyst);
    REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK(json_is_false(json_object_get(stats, "exact_witness_counts")));
    CHECK_STR(mark(stats, "witnesses_by_province", "Chagang", 0), "<5");
    /* one cell hidden: the next smallest too, or the total would tell it */
    CHECK_STR(mark(stats, "witnesses_by_province", "Ryanggang", 0), "withheld");
    CHECK(count(stats, "witnesses_by_province", "North Hamgyong", 0) == 7);
    CHECK(count(stats, "arrivals", "2019 H1", 0) == 14);
    CHECK(count(stats, "arrivals", "2019 H1", 2) == 9);           /* 9 women, 5 men */
    json_decref(stats);
    store_set_session(st, &admin);
    REQUIRE(stats_compute(&ctx, st, CLEARANCE_RESTRICTED, STATS_YEAR, &stats) == AT_OK);
    CHECK_STR(mark(stats, "witnesses_by_province", "Chagang", 0), "<5");
    json_decref(stats);
    /* one more man: 4 men beside the women would give the women back */
    REQUIRE(addf(&ctx, st, "witness", CLEARANCE_RESTRICTED, NULL, "{\"code\": \"W-x\", "
                 "\"sex\": \"male\", \"arrived\": \"2020-01\"}") == AT_OK);
    REQUIRE(stats_compute(&ctx, st, CLEARANCE_RESTRICTED, STATS_HALF_YEAR, &stats) == AT_OK);
    CHECK_STR(mark(stats, "arrivals", "2020 H1", 0), "<5");
    CHECK_STR(mark(stats, "arrivals", "2020 H1", 2), "<5");
    CHECK(json_is_null(cell(stats, "arrivals", "2020 H1", 1)));
    CHECK(json_is_null(cell(stats, "arrivals", "2020 H1", 3)));
    json_decref(stats);
    store_close(st);
}

UNIT_TEST(stats_charts_carry_the_warning_and_name_no_one)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf svg = BUF_INIT, csv = BUF_INIT;
    char ev[RECORD_ID_MAX];
    json_t *stats = NULL;

    REQUIRE(st != NULL);
    REQUIRE(addf(&ctx, st, "event", -1, ev, "{\"title\": \"FICTIONAL\", \"date\": \"2012\", "
                 "\"province\": \"=HYPERLINK(1)\"}") == AT_OK);
    REQUIRE(addf(&ctx, st, "act", -1, NULL, "{\"event\": \"%s\", \"act_type\": \"torture\"}", ev)
            == AT_OK);
    REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
    REQUIRE(stats_chart(&ctx, stats_table(stats, "acts_by_year"), SVG_EN, &svg) == AT_OK);
    CHECK(strstr(buf_str(&svg), "<svg xmlns=") == buf_str(&svg));
    CHECK(strstr(buf_str(&svg), "are not") != NULL && strstr(buf_str(&svg), "trends") != NULL);
    buf_reset(&svg);
    REQUIRE(stats_chart(&ctx, stats_table(stats, "acts_by_type"), SVG_EN, &svg) == AT_OK);
    CHECK(strstr(buf_str(&svg), "Torture") != NULL);
    CHECK(strstr(buf_str(&svg), "not trends") == NULL);
    buf_reset(&svg);
    CHECK(stats_chart(&ctx, stats_table(stats, "arrivals"), SVG_EN, &svg) == AT_ENOTFOUND);
    stats_csv(stats, &csv);
    CHECK(strncmp(buf_str(&csv), "table,key,column,value\n", 23) == 0);
    CHECK(strstr(buf_str(&csv), "acts_by_province,\"'=HYPERLINK(1)\",acts,1") != NULL);
    buf_free(&svg);
    buf_free(&csv);
    json_decref(stats);
    store_close(st);
}

/* Every chart of the dashboard drawn in Korean, at confidential and below
 * it (where the withheld cells' note is added): every word of the chart's
 * own comes from svg.c's table, so a word added without its Korean fails
 * here. */
UNIT_TEST(stats_charts_in_korean_lack_no_word)
{
    struct at_ctx ctx = { 0 };
    struct session admin, analyst;
    struct store *st = unit_archive(&ctx, "a", &admin);
    struct buf svg = BUF_INIT;
    char ev[RECORD_ID_MAX];
    json_t *stats = NULL, *table;
    size_t before = svg_word_misses(), i, drawn = 0;

    REQUIRE(st != NULL);
    REQUIRE(addf(&ctx, st, "event", -1, ev, "{\"title\": \"FICTIONAL\", \"date\": \"2012\", "
                 "\"province\": \"Chagang\"}") == AT_OK);
    REQUIRE(addf(&ctx, st, "act", -1, NULL, "{\"event\": \"%s\", \"act_type\": \"torture\"}", ev)
            == AT_OK);
    for (int k = 0; k < 7; k++)
        REQUIRE(addf(&ctx, st, "witness", CLEARANCE_RESTRICTED, NULL,
                     "{\"code\": \"W-%d\", \"home_province\": \"%s\", \"sex\": \"female\", "
                     "\"year_left\": 2015, \"arrived\": \"2019-0%d\"}", k, k < 6 ? "Ryanggang" : "Chagang",
                     1 + k % 5) == AT_OK);
    analyst = admin;
    analyst.role = ROLE_ANALYST;
    analyst.clearance = CLEARANCE_RESTRICTED;
    for (int pass = 0; pass < 2; pass++) {
        store_set_session(st, pass ? &analyst : &admin);
        REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
        json_array_foreach(json_object_get(stats, "tables"), i, table) {
            buf_reset(&svg);
            if (stats_chart(&ctx, table, SVG_KO, &svg) == AT_OK)
                drawn++;
        }
        json_decref(stats);
    }
    REQUIRE(stats_compute(&ctx, st, -1, STATS_HALF_YEAR, &stats) == AT_OK);
    buf_reset(&svg);
    REQUIRE(stats_chart(&ctx, stats_table(stats, "acts_by_year"), SVG_KO, &svg) == AT_OK);
    CHECK(strstr(buf_str(&svg), "연도별 행위") != NULL);
    CHECK(strstr(buf_str(&svg), "추세가 아닙니다") != NULL);
    CHECK(strstr(buf_str(&svg), "Acts by year") == NULL);
    json_decref(stats);
    CHECK(drawn >= 8);
    CHECK(svg_word_misses() == before);
    buf_free(&svg);
    store_set_session(st, &admin);
    store_close(st);
}
