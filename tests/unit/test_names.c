/*
 * test_names.c: names made comparable: normal forms across scripts, the
 * folding of Korean romanisation variants, word classes and Jaro-Winkler.
 */
#include "../../src/core/attest.h"
#include "../../src/core/names.h"
#include "unit.h"

#include <math.h>

static bool has_form(const struct name_forms *f, const char *want)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->form[i], want) == 0)
            return true;
    return false;
}

UNIT_TEST(names_normalise_latin)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f = { 0 };

    REQUIRE(names_normalise(&ctx, "  KIM Jong-Un's  Trading, Ltd. ", &f) == AT_OK);
    CHECK(f.n == 1);
    CHECK(has_form(&f, "kim jong uns trading ltd"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Müller", &f) == AT_OK);
    CHECK(has_form(&f, "muller"));
    names_forms_free(&f);
}

UNIT_TEST(names_normalise_hangul_gives_romanisations)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f = { 0 };

    REQUIRE(names_normalise(&ctx, "김정은", &f) == AT_OK);
    CHECK(f.n >= 3);
    /* the romanisations, then the name in Hangul, family name apart */
    for (size_t i = 0; i + 1 < f.n; i++)
        CHECK(strncmp(f.form[i], "kim ", 4) == 0 || strncmp(f.form[i], "gim ", 4) == 0
              || strncmp(f.form[i], "kim", 3) == 0);
    CHECK_STR(f.form[f.n - 1], "김 정은");
    names_forms_free(&f);
}

UNIT_TEST(names_normalise_refuses_bad_utf8)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f = { 0 };

    CHECK(names_normalise(&ctx, "Kim \xff\xfe", &f) == AT_EINVAL);
    CHECK(f.n == 0);
    CHECK(ctx.message[0] != '\0');
}

static void fold(const char *w, struct buf *b)
{
    buf_reset(b);
    names_fold_token(w, strlen(w), b);
}

UNIT_TEST(names_fold_variants_meet)
{
    struct buf a = BUF_INIT, b = BUF_INIT;

    fold("pak", &a); fold("park", &b);
    CHECK_STR(buf_str(&a), buf_str(&b));
    fold("ri", &a); fold("lee", &b);
    CHECK_STR(buf_str(&a), buf_str(&b));
    fold("ryonbong", &a); fold("yonbong", &b);
    CHECK_STR(buf_str(&a), buf_str(&b));
    fold("kim", &a); fold("pak", &b);
    CHECK(strcmp(buf_str(&a), buf_str(&b)) != 0);
    buf_free(&a);
    buf_free(&b);
}

UNIT_TEST(names_word_classes)
{
    CHECK(names_word_class("ltd", 3) == NAME_WORD_FORM);
    CHECK(names_word_class("trading", 7) == NAME_WORD_FORM);
    CHECK(names_word_class("17", 2) == NAME_WORD_NUMBER);
    CHECK(names_word_class("iii", 3) == NAME_WORD_NUMBER);
    CHECK(names_word_class("ryonbong", 8) == NAME_WORD_PLAIN);
}

UNIT_TEST(names_jaro_winkler_reference)
{
    /* Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840. */
    CHECK(fabs(names_jaro_winkler_bytes("MARTHA", 6, "MARHTA", 6, 0.7) - 0.961) < 0.001);
    CHECK(fabs(names_jaro_winkler_bytes("DWAYNE", 6, "DUANE", 5, 0.7) - 0.840) < 0.001);
    CHECK(names_jaro_winkler_bytes("abc", 3, "abc", 3, 0.7) == 1.0);
    CHECK(names_jaro_winkler_bytes("abc", 3, "xyz", 3, 0.7) == 0.0);
}

UNIT_TEST(names_normalise_cyrillic_letters_beyond_russian)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f = { 0 };

    /* Kazakh қ ұ ә, Ukrainian і ї є ґ (г h, и y), Belarusian ў */
    REQUIRE(names_normalise(&ctx, "Нұрсұлтан Назарбаев", &f) == AT_OK);
    CHECK(has_form(&f, "nursultan nazarbaev"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Қайрат Әбдірахманов", &f) == AT_OK);
    CHECK(has_form(&f, "kairat abdirakhmanov"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Їжакевич Ігор", &f) == AT_OK);
    CHECK(has_form(&f, "yizhakevych ihor"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Юлія Тимошенко", &f) == AT_OK);
    CHECK(has_form(&f, "yuliia tymoshenko"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "Ўладзімір Макей", &f) == AT_OK);
    CHECK(has_form(&f, "uladzimir makei"));
    names_forms_free(&f);
    /* Russian keeps its reading */
    REQUIRE(names_normalise(&ctx, "Игорь Гиркин", &f) == AT_OK);
    CHECK(has_form(&f, "igor girkin"));
    names_forms_free(&f);
}

UNIT_TEST(names_normalise_shapes)
{
    struct at_ctx ctx = { 0 };
    struct name_forms f = { 0 };

    /* dotted initials of three letters or more are one word */
    REQUIRE(names_normalise(&ctx, "K.O.M.I.D.", &f) == AT_OK);
    CHECK(has_form(&f, "komid"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "U. S. A. Trading", &f) == AT_OK);
    CHECK(has_form(&f, "usa trading"));
    names_forms_free(&f);
    REQUIRE(names_normalise(&ctx, "A.M. Gorky", &f) == AT_OK);
    CHECK(has_form(&f, "a m gorky"));
    names_forms_free(&f);
    /* words run together in mixed case are split */
    REQUIRE(names_normalise(&ctx, "KimJongUn", &f) == AT_OK);
    CHECK(has_form(&f, "kim jong un"));
    names_forms_free(&f);
    /* but not a word in capitals with a small letter in it (a typo) */
    REQUIRE(names_normalise(&ctx, "PRIEuO", &f) == AT_OK);
    CHECK(has_form(&f, "prieuo"));
    names_forms_free(&f);
}

/* Jaro-Winkler on bytes (bit-parallel up to 64 bytes) gives exactly what
 * the same strings give as code points (the window scan), on random
 * strings over small alphabets, short and long. */
UNIT_TEST(names_jaro_winkler_bytes_as_code_points)
{
    uint64_t s = 0x2545F4914F6CDD1DULL;
    char a[80], b[80];
    uint32_t ua[80], ub[80];
    int differ = 0;

    for (int t = 0; t < 20000; t++) {
        size_t na, nb, alphabet;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        na = s % 72, nb = (s >> 8) % 72, alphabet = 2 + (s >> 16) % 12;
        for (size_t i = 0; i < na || i < nb; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            if (i < na)
                ua[i] = (uint32_t)(unsigned char)(a[i] = (char)('a' + s % alphabet));
            if (i < nb)
                ub[i] = (uint32_t)(unsigned char)(b[i] = (char)('a' + (s >> 20) % alphabet));
        }
        differ += names_jaro_winkler_bytes(a, na, b, nb, 0.7) != names_jaro_winkler(ua, na, ub, nb, 0.7);
    }
    CHECK(differ == 0);
}
