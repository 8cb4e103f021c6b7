/*
 * test_screen_attest.c: the attest scorer through screening: names in
 * other scripts, romanisation variants, company words, identifiers that
 * decide whatever the name, and a name that is on no list.  Data: the
 * slices of the UN and OFAC lists in tests/data/sanctions/.
 */
#include "../../src/core/attest.h"
#include "../../src/core/screen.h"
#include "fixture.h"
#include "unit.h"

static json_t *screen1(const struct screen_index *ix, const char *name, enum screen_scorer s)
{
    struct at_ctx ctx = { 0 };
    struct screen_query q = { name, NULL, NULL, 0, s, 80.0, 5 };
    json_t *hits = NULL;

    if (screen_query(&ctx, ix, &q, &hits) != AT_OK)
        return NULL;
    return hits;
}

static const char *top_key(json_t *hits)
{
    return json_string_value(json_object_get(json_array_get(hits, 0), "key"));
}

UNIT_TEST(screen_names_scripts_and_ids)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "lists", &admin);
    struct screen_index *ix;
    json_t *hits;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    /* the Chinese reading stored as an alias */
    hits = screen1(ix, "金铁三", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK_STR(top_key(hits), "KPi.035");
    json_decref(hits);
    /* DPRK r/- initial */
    hits = screen1(ix, "Korea Ryonbong General Corp", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPe.002") == 0 || strcmp(top_key(hits), "9347") == 0);
    json_t *ex = json_object_get(json_array_get(hits, 0), "explain");
    CHECK(json_array_size(json_object_get(ex, "pairs")) >= 3);
    json_decref(hits);
    /* romanisation variants */
    hits = screen1(ix, "Gim Yeong-cheol", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPi.024") == 0 || strcmp(top_key(hits), "12211") == 0);
    json_decref(hits);
    /* the identifier decides whatever the name */
    hits = screen1(ix, "PU RYONG IMO 8705539", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK_STR(top_key(hits), "23163");
    CHECK(json_real_value(json_object_get(json_array_get(hits, 0), "score")) == 100.0);
    json_decref(hits);
    /* an unrelated name finds nothing */
    hits = screen1(ix, "Maria Fernanda Oliveira", SCREEN_ATTEST);
    REQUIRE(hits);
    CHECK(json_array_size(hits) == 0);
    json_decref(hits);
    /* the OFAC scorer through the index */
    hits = screen1(ix, "KOREA MINING DEVELOPMENT TRADING", SCREEN_OFAC);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPe.001") == 0 || strcmp(top_key(hits), "9345") == 0);
    json_decref(hits);
    screen_index_free(ix);
    store_close(st);
    access_session_free(&admin);
}

/* The attest score of name1 against name2 listed, with the default
 * weighting (type may be NULL). */
static double compare(const char *name1, const char *name2, const char *type)
{
    struct at_ctx ctx = { 0 };
    json_t *r = NULL;

    if (screen_compare(&ctx, NULL, name1, name2, type, &r) != AT_OK)
        return -1;
    double s = json_real_value(json_object_get(json_object_get(r, "attest"), "score"));
    json_decref(r);
    return s;
}

/* Names in other scripts meet their Latin spellings: Chinese in Pinyin
 * words, Japanese kanji read as Japanese, Arabic, Thai and Khmer names,
 * Kazakh letters. */
UNIT_TEST(screen_attest_scripts)
{
    CHECK(compare("毛泽东", "Mao Zedong", "person") >= 80);
    CHECK(compare("佐藤太郎", "Sato Taro", "person") >= 80);
    CHECK(compare("محمد علي حسن", "Mohammed Ali Hassan", "person") >= 80);
    CHECK(compare("สมชาย ทักษิณ", "Somchai Thaksin", "person") >= 80);
    CHECK(compare("ហ៊ុន សែន", "Hun Sen", "person") >= 80);
    CHECK(compare("Нұрсұлтан Назарбаев", "Nursultan Nazarbayev", "person") >= 80);
    CHECK(compare("Юлія Тимошенко", "Yuliia Tymoshenko", "person") >= 80);
}

/* Two names in Hangul compare in Hangul: one vowel apart is another
 * name, though both romanise to Choe Yong Ho. */
UNIT_TEST(screen_attest_hangul_in_hangul)
{
    CHECK(compare("최용호", "최영호", "person") < 80);
    CHECK(compare("최영호", "최용호", NULL) < 80);
    CHECK(compare("최용호", "최용호", "person") == 100);
    CHECK(compare("최용호", "Choe Yong Ho", "person") >= 80);
    CHECK(compare("김정은", "KIM Jong Un", "person") >= 80);
}

/* Legal forms meet their short forms, Korean company words their
 * English, and a company's words in the other order are another name. */
UNIT_TEST(screen_attest_companies)
{
    CHECK(compare("Siemens Aktiengesellschaft", "SIEMENS AG", "company") >= 80);
    CHECK(compare("Muster GmbH", "Muster Gesellschaft mit beschränkter Haftung", "company") >= 80);
    CHECK(compare("Acme Limited Liability Company", "ACME LLC", "company") >= 80);
    CHECK(compare("Huaxin Shipping Co., Ltd.", "HUAXIN SHIPPING COMPANY LIMITED", "company") >= 80);
    CHECK(compare("조선련봉총회사", "Korea Ryonbong General Corporation", "company") >= 80);
    CHECK(compare("금강은행", "KUMGANG BANK", "company") >= 80);
    CHECK(compare("Ryong Tae Trading", "Tae Ryong Trading", "company") < 80);
    CHECK(compare("Tae Ryong Trading", "Tae Ryong Trading", "company") == 100);
    /* a person's words may come in any order */
    CHECK(compare("Jong Un Kim", "KIM Jong Un", "person") >= 80);
}

/* Dotted acronyms and words run together. */
UNIT_TEST(screen_attest_shapes)
{
    CHECK(compare("K.O.M.I.D.", "KOMID", "company") >= 80);
    CHECK(compare("KimJongUn", "KIM Jong Un", "person") >= 80);
}

/* A made-up Korean name sharing a family name and a syllable with a
 * listed one is not it: Korean syllables compare as names. */
UNIT_TEST(screen_attest_unlisted_korean)
{
    CHECK(compare("Kang Yong U", "KANG RYONG", "person") < 80);
    CHECK(compare("Kim Yang Chol", "KIM YONG CHOL", "person") < 80);
    CHECK(compare("Ri Tong Mu", "RI YONG MU", "person") < 80);
    CHECK(compare("Kim Cholmin", "KIM CHOL MAN", "person") < 80);
    /* its spellings still meet */
    CHECK(compare("Kim Young-cheol", "KIM YONG CHOL", "person") >= 80);
    CHECK(compare("Rhee Su Yong", "RI SU YONG", "person") >= 80);
}

/* Through the index: the Korean name of a listed company finds it, and
 * so does its acronym written with dots. */
UNIT_TEST(screen_attest_index_finds_scripts_and_shapes)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "lists", &admin);
    struct screen_index *ix;
    json_t *hits;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    hits = screen1(ix, "조선련봉총회사", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPe.002") == 0 || strcmp(top_key(hits), "9347") == 0);
    json_decref(hits);
    hits = screen1(ix, "K.O.M.I.D.", SCREEN_ATTEST);
    REQUIRE(hits && json_array_size(hits) >= 1);
    CHECK(strcmp(top_key(hits), "KPe.001") == 0 || strcmp(top_key(hits), "9345") == 0);
    json_decref(hits);
    screen_index_free(ix);
    store_close(st);
    access_session_free(&admin);
}
