/*
 * test_screen.c: the list readers, list versions and diffs, name
 * normalisation and folding, Jaro-Winkler, and screening with
 * explanations (the OFAC-parity scorer: test_screen_ofac.c).  Data: small
 * slices of the real UN and OFAC files in tests/data/sanctions/.
 */
#include "../../src/core/attest.h"
#include "../../src/core/csv.h"
#include "../../src/core/lists.h"
#include "../../src/core/names.h"
#include "../../src/core/screen.h"
#include "fixture.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

#define DATA "tests/data/sanctions"

UNIT_TEST(jaro_winkler_vectors)
{
    /* Winkler's and the common textbook pairs. */
    CHECK(fabs(names_jaro_winkler_bytes("MARTHA", 6, "MARHTA", 6, 0.7) - 0.9611) < 0.0005);
    CHECK(fabs(names_jaro_winkler_bytes("DWAYNE", 6, "DUANE", 5, 0.7) - 0.84) < 0.0005);
    CHECK(fabs(names_jaro_winkler_bytes("DIXON", 5, "DICKSONX", 8, 0.7) - 0.8133) < 0.0005);
    CHECK(fabs(names_jaro_winkler_bytes("abc", 3, "abc", 3, 0.7) - 1.0) < 1e-9);
    CHECK(names_jaro_winkler_bytes("abc", 3, "xyz", 3, 0.7) == 0.0);
    /* below the boost threshold no prefix bonus */
    double j = names_jaro((const uint32_t[]){ 'a', 'b', 'x', 'y', 'z', 'q' }, 6,
                          (const uint32_t[]){ 'a', 'b', 'm', 'n', 'o', 'p' }, 6);
    CHECK(names_jaro_winkler((const uint32_t[]){ 'a', 'b', 'x', 'y', 'z', 'q' }, 6,
                             (const uint32_t[]){ 'a', 'b', 'm', 'n', 'o', 'p' }, 6, 0.7) == j);
}

static void fold(const char *w, struct buf *out)
{
    buf_reset(out);
    names_fold_token(w, strlen(w), out);
    buf_puts(out, "");
}

UNIT_TEST(names_fold_korean_variants)
{
    static const char *const same[][2] = {
        { "ri", "lee" }, { "rhee", "yi" }, { "pak", "park" }, { "bak", "pak" }, { "kim", "gim" },
        { "jong", "chong" }, { "jeong", "jong" }, { "ryonbong", "yonbong" }, { "daedong", "taedong" },
        { "daesong", "taesong" }, { "hojin", "hochin" }, { "cheson", "jeson" }, { "chol", "cheol" },
        { "young", "yong" }, { "amroggang", "amrogang" },
    };
    struct buf a = BUF_INIT, b = BUF_INIT;

    for (size_t i = 0; i < ARRAY_LEN(same); i++) {
        fold(same[i][0], &a);
        fold(same[i][1], &b);
        CHECK_STR(a.data, b.data);
    }
    fold("kim", &a);
    fold("pak", &b);
    CHECK(strcmp(a.data, b.data) != 0);
    buf_free(&a);
    buf_free(&b);
}

UNIT_TEST(names_normalise_scripts)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f;
    bool found = false;

    REQUIRE(names_normalise(&ctx, "KIM, Jong-Un", &f) == AT_OK);
    REQUIRE(f.n == 1);
    CHECK_STR(f.form[0], "kim jong un");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "MUN CHO'NG-CH'O'L", &f) == AT_OK);
    CHECK_STR(f.form[0], "mun chong chol");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "김정은", &f) == AT_OK);
    for (size_t i = 0; i < f.n; i++)
        found |= strcmp(f.form[i], "kim jong un") == 0;
    CHECK(found);
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "金铁三", &f) == AT_OK);
    CHECK_STR(f.form[0], "jin tie san");
    names_forms_free(&f);
    /* Cyrillic: the English reading of Russian, then the Korean reading */
    REQUIRE(names_normalise(&ctx, "Пак Мён Хо", &f) == AT_OK);
    REQUIRE(f.n == 2);
    CHECK_STR(f.form[0], "pak myon kho");
    CHECK_STR(f.form[1], "pak myon ho");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Ким Чен Ын", &f) == AT_OK);
    REQUIRE(f.n == 2);
    CHECK_STR(f.form[1], "kim chon un");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "КИМ ДЖОНГ УН / Пхеньян", &f) == AT_OK);
    REQUIRE(f.n == 2);
    CHECK_STR(f.form[0], "kim jong un pkhenyan");
    CHECK_STR(f.form[1], "kim jong un penyan");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Чхве Рён Хэ; Пак Пон Чжу; Хван", &f) == AT_OK);
    REQUIRE(f.n == 2);
    CHECK_STR(f.form[1], "chwe ryon hae pak pon ju hwan");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Владимир Путин, ЧОЕ РЙОНГ ХАЕ", &f) == AT_OK);
    CHECK_STR(f.form[0], "vladimir putin choe ryong khae");
    /* the Korean reading: в starting a word is w (Ван Wan, Вон Won) */
    CHECK_STR(f.form[1], "wladimir putin choe ryong hae");
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "ＳＯＮＧ　Ｉｌ－ｈｏ", &f) == AT_OK);
    CHECK_STR(f.form[0], "song il ho");
    names_forms_free(&f);
    CHECK(names_word_class("ltd", 3) == NAME_WORD_FORM);
    CHECK(names_word_class("choson", 6) == NAME_WORD_FORM);
    CHECK(names_word_class("12", 2) == NAME_WORD_NUMBER);
    CHECK(names_word_class("ryonbong", 8) == NAME_WORD_PLAIN);
}

UNIT_TEST(lists_read_un_slice)
{
    struct at_ctx ctx = { 0 };
    struct list_data d;
    json_t *e;
    size_t i;
    bool seen = false;

    REQUIRE(lists_read_un(&ctx, DATA "/un/un-2026-02-27.xml", &d) == AT_OK);
    CHECK_STR(d.published, "2026-02-27");
    CHECK(json_array_size(d.entries) == 8);
    json_array_foreach(d.entries, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "key")), "KPi.035") != 0)
            continue;
        seen = true;
        json_t *n;
        size_t j;
        bool han = false, reading = false;
        json_array_foreach(json_object_get(e, "names"), j, n) {
            han |= strcmp(json_string_value(json_object_get(n, "name")), "金铁三") == 0;
            reading |= strcmp(json_string_value(json_object_get(n, "name")), "Jin Tiesan") == 0;
        }
        CHECK(han && reading);
    }
    CHECK(seen);
    lists_data_free(&d);
    /* malformed: a name missing, and broken XML */
    const char *dir = unit_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/bad.xml", dir);
    FILE *f = fopen(path, "w");
    fputs("<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\">\n<ENTITIES>\n"
          "<ENTITY><DATAID>1</DATAID>\n<REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER></ENTITY>\n"
          "</ENTITIES></CONSOLIDATED_LIST>\n", f);
    fclose(f);
    CHECK(lists_read_un(&ctx, path, &d) == AT_EINVAL);
    CHECK(strstr(ctx.message, "bad.xml:4: FIRST_NAME") != NULL);
    f = fopen(path, "w");
    fputs("<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\">\n<ENTITIES>\n"
          "<ENTITY><DATAID>1</DATA>\n", f);
    fclose(f);
    CHECK(lists_read_un(&ctx, path, &d) == AT_EINVAL);
    CHECK(strstr(ctx.message, "bad.xml:4: not well-formed") != NULL);
}

UNIT_TEST(lists_read_ofac_slice)
{
    struct at_ctx ctx = { 0 };
    struct list_data d;
    json_t *e;
    size_t i;
    int checked = 0;

    REQUIRE(lists_read_ofac(&ctx, DATA "/ofac", "2021-07-07", &d) == AT_OK);
    CHECK(json_array_size(d.entries) == 6);
    json_array_foreach(d.entries, i, e) {
        const char *key = json_string_value(json_object_get(e, "key"));
        char *text = json_dumps(e, JSON_COMPACT);
        if (strcmp(key, "9345") == 0) {
            /* joined programs, weak alias from the remarks */
            CHECK(strstr(text, "\"programs\":[\"NPWMD\",\"DPRK2\"]") != NULL);
            CHECK(strstr(text, "{\"name\":\"KOMID\",\"quality\":\"weak\"}") != NULL);
            checked++;
        } else if (strcmp(key, "23163") == 0) {
            CHECK_STR(json_string_value(json_object_get(e, "type")), "vessel");
            CHECK(strstr(text, "\"kind\":\"imo\",\"value\":\"8705539\"") != NULL);
            checked++;
        } else if (strcmp(key, "28264") == 0) {
            /* remarks continued in sdn_comments.csv */
            CHECK(strstr(text, "LAZARUS GROUP") != NULL);
            CHECK(strstr(text, "{\"name\":\"khaleesi\",\"quality\":\"weak\"}") != NULL);
            checked++;
        }
        free(text);
    }
    CHECK(checked == 3);
    lists_data_free(&d);

    /* malformed sdn.csv: a field short, then a bad ent_num */
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s", unit_tmpdir());
    snprintf(path, sizeof path, "%s/sdn.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\",-0- \r\n", f);
    fclose(f);
    CHECK(lists_read_ofac(&ctx, dir, NULL, &d) == AT_EINVAL);
    CHECK(strstr(ctx.message, "sdn.csv:2: 3 fields, want 12") != NULL);
    f = fopen(path, "w");
    fputs("x1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n", f);
    fclose(f);
    CHECK(lists_read_ofac(&ctx, dir, NULL, &d) == AT_EINVAL);
    CHECK(strstr(ctx.message, "sdn.csv:1: field 1 (ent_num)") != NULL);
}

static struct store *loaded_archive(struct at_ctx *ctx, struct session *admin)
{
    struct store *st = unit_archive(ctx, "lists", admin);
    struct list_data d;
    char version[64];
    bool already;

    if (st == NULL)
        return NULL;
    if (lists_read_un(ctx, DATA "/un/un-2018-10-29.xml", &d) != AT_OK
        || lists_import(ctx, st, &d, version, &already) != AT_OK)
        goto fail;
    lists_data_free(&d);
    if (lists_read_un(ctx, DATA "/un/un-2026-02-27.xml", &d) != AT_OK
        || lists_import(ctx, st, &d, version, &already) != AT_OK)
        goto fail;
    lists_data_free(&d);
    if (lists_read_ofac(ctx, DATA "/ofac", "2021-07-07", &d) != AT_OK
        || lists_import(ctx, st, &d, version, &already) != AT_OK)
        goto fail;
    lists_data_free(&d);
    return st;
fail:
    lists_data_free(&d);
    store_close(st);
    return NULL;
}

UNIT_TEST(lists_versions_and_diff)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = loaded_archive(&ctx, &admin);
    json_t *diff, *r;
    size_t i;
    char old[64], new[64], version[64];
    bool found = false, already;
    struct list_data d;

    REQUIRE(st != NULL);
    REQUIRE(lists_resolve(&ctx, st, "un@1", old) == AT_OK);
    REQUIRE(lists_resolve(&ctx, st, "un", new) == AT_OK);
    CHECK_STR(old, "un-2018-10-29");
    CHECK_STR(new, "un-2026-02-27");
    REQUIRE(lists_diff(&ctx, st, old, new, &diff) == AT_OK);
    json_array_foreach(json_object_get(diff, "entries"), i, r)
        if (strcmp(json_string_value(json_object_get(r, "key")), "KPe.029") == 0) {
            found = true;
            CHECK_STR(json_string_value(json_object_get(json_object_get(r, "renamed"), "new")),
                      "NATIONAL AEROSPACE TECHNOLOGY ADMINISTRATION");
        }
    CHECK(found);
    json_decref(diff);
    /* the same file again is not a new version */
    REQUIRE(lists_read_un(&ctx, DATA "/un/un-2026-02-27.xml", &d) == AT_OK);
    CHECK(lists_import(&ctx, st, &d, version, &already) == AT_OK);
    CHECK(already);
    lists_data_free(&d);
    store_close(st);
    access_session_free(&admin);
}

UNIT_TEST(screen_match_json_batch)
{
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = loaded_archive(&ctx, &admin);
    struct screen_index *ix;
    json_t *req, *resp;

    REQUIRE(st != NULL);
    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    req = json_loads("{\"queries\": {\"a\": {\"schema\": \"Vessel\", \"properties\": "
                     "{\"name\": [\"Pu Ryong\"], \"imoNumber\": [\"8705539\"]}},"
                     " \"b\": {\"schema\": \"Spaceship\", \"properties\": {}}},"
                     " \"threshold\": 0.8}", 0, NULL);
    REQUIRE(req != NULL);
    REQUIRE(screen_match_json(&ctx, ix, req, &resp) == AT_OK);
    json_t *a = json_object_get(json_object_get(resp, "responses"), "a");
    json_t *b = json_object_get(json_object_get(resp, "responses"), "b");
    CHECK(json_integer_value(json_object_get(a, "status")) == 200);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(a, "results"), 0), "key")), "23163");
    CHECK(json_integer_value(json_object_get(b, "status")) == 400);
    json_decref(req);
    json_decref(resp);
    screen_index_free(ix);
    store_close(st);
    access_session_free(&admin);
}

/* ---- pruning is exact ------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A variant of a listed name: letters dropped, added, replaced or swapped
 * anywhere (also within the first three), words dropped, swapped, joined,
 * or taken from another listed name. */
static void variant(uint64_t *s, const char *name, const char *other, struct buf *out)
{
    static const char letters[] = "abcdeghijklmnoprstuwyz";
    char w[256];
    size_t n = strlen(name) < sizeof w - 1 ? strlen(name) : sizeof w - 1;

    memcpy(w, name, n);
    w[n] = '\0';
    int edits = (int)(rng_next(s) % 4);
    for (int e = 0; e < edits && n > 1; e++) {
        size_t at = rng_next(s) % n;
        switch (rng_next(s) % 5) {
        case 0: memmove(w + at, w + at + 1, n - at); n--; break;
        case 1:
            if (n + 2 < sizeof w) {
                memmove(w + at + 1, w + at, n - at + 1);
                w[at] = letters[rng_next(s) % (sizeof letters - 1)];
                n++;
            }
            break;
        case 2: w[at] = letters[rng_next(s) % (sizeof letters - 1)]; break;
        case 3:
            if (at + 1 < n) {
                char c = w[at];
                w[at] = w[at + 1];
                w[at + 1] = c;
            }
            break;
        default: if (w[at] == ' ') { memmove(w + at, w + at + 1, n - at); n--; } break;
        }
    }
    buf_reset(out);
    switch (rng_next(s) % 4) {
    case 0: buf_printf(out, "%s", w); break;
    case 1: buf_printf(out, "%s %.*s", w, (int)strcspn(other, " "), other); break;
    case 2: {
        const char *sp = strrchr(w, ' ');
        if (sp)
            buf_printf(out, "%s %.*s", sp + 1, (int)(sp - w), w);
        else
            buf_printf(out, "%s", w);
        break;
    }
    default: buf_printf(out, "%.*s", (int)(strlen(w) / 2 + 1), w); break;
    }
    buf_puts(out, "");
}

static bool same_hits(json_t *a, json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
        if (!json_equal(json_object_get(x, "key"), json_object_get(y, "key"))
            || !json_equal(json_object_get(x, "list"), json_object_get(y, "list"))
            || json_real_value(json_object_get(x, "score")) != json_real_value(json_object_get(y, "score")))
            return false;
    }
    return true;
}

/* 10,000 queries screened through the index's candidates and pruning and
 * by scoring every listed name give the same hits at every threshold, for
 * both scorers. */
UNIT_TEST(screen_pruning_exact)
{
    static const double thresholds[] = { 40, 60, 70, 80, 90 };
    struct at_ctx ctx = { 0 };
    struct session admin;
    struct store *st = unit_archive(&ctx, "prune", &admin);
    struct screen_index *ix;
    char *names[512];
    size_t nnames = 0;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    struct buf q = BUF_INIT;
    int differ = 0, hits = 0;

    REQUIRE(st != NULL);
    REQUIRE(unit_lists(&ctx, st) == AT_OK);
    REQUIRE(screen_index_load(&ctx, st, &ix) == AT_OK);
    sqlite3_stmt *stmt = store_stmt(&ctx, st, "SELECT name FROM list_name ORDER BY rowid");
    REQUIRE(stmt != NULL);
    while (sqlite3_step(stmt) == SQLITE_ROW && nnames < ARRAY_LEN(names)) {
        struct at_ctx quiet = { 0 };
        struct name_forms f;
        /* the Latin form, lower case, of each listed name */
        if (names_normalise(&quiet, (const char *)sqlite3_column_text(stmt, 0), &f) == AT_OK && f.n) {
            names[nnames++] = xstrdup(f.form[0]);
            names_forms_free(&f);
        }
    }
    sqlite3_reset(stmt);
    REQUIRE(nnames > 20);
    for (int i = 0; i < 10000; i++) {
        variant(&seed, names[rng_next(&seed) % nnames], names[rng_next(&seed) % nnames], &q);
        enum screen_scorer scorer = i % 4 == 3 ? SCREEN_OFAC : SCREEN_ATTEST;
        struct screen_query sq = { q.data, NULL, NULL, 0, scorer,
                                   thresholds[rng_next(&seed) % ARRAY_LEN(thresholds)], 0 };
        json_t *pruned = NULL, *all = NULL;
        REQUIRE(screen_query(&ctx, ix, &sq, &pruned) == AT_OK);
        REQUIRE(screen_query_exhaustive(&ctx, ix, &sq, &all) == AT_OK);
        if (!same_hits(pruned, all)) {
            if (differ++ < 5)
                printf("# %s at %.0f (%s): %zu hits pruned, %zu by brute force\n", q.data,
                       sq.threshold, scorer == SCREEN_OFAC ? "ofac" : "attest",
                       json_array_size(pruned), json_array_size(all));
        }
        hits += (int)json_array_size(all);
        json_decref(pruned);
        json_decref(all);
    }
    printf("# %d of 10000 queries differ; %d hits in all\n", differ, hits);
    CHECK(differ == 0);
    CHECK(hits > 1000);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    buf_free(&q);
    screen_index_free(ix);
    store_close(st);
    access_session_free(&admin);
}
