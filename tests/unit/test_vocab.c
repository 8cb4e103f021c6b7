/*
 * test_vocab.c: the controlled vocabularies and the clearance levels:
 * finding a vocabulary and a code in it, the list of valid codes that
 * error messages quote, and clearance codes in and out.
 */
#include "../../src/core/attest.h"
#include "../../src/core/vocab.h"
#include "unit.h"

UNIT_TEST(vocab_find_and_index)
{
    size_t n = 0;
    const struct vocab *all = vocab_all(&n), *v;

    REQUIRE(all != NULL && n > 0);
    for (size_t i = 0; i < n; i++) {
        CHECK(vocab_find(all[i].name) == &all[i]);
        for (size_t j = 0; j < all[i].nterms; j++)
            CHECK(vocab_index(&all[i], all[i].terms[j].code) == (int)j);
    }
    v = vocab_find("clearance");
    REQUIRE(v != NULL);
    CHECK(vocab_index(v, "restricted") == CLEARANCE_RESTRICTED);
    CHECK(vocab_index(v, "secret") == -1);
    CHECK(vocab_find("no_such_vocabulary") == NULL);
}

UNIT_TEST(vocab_list_codes_in_order)
{
    struct buf b = BUF_INIT;

    vocab_list_codes(vocab_find("clearance"), &b);
    CHECK_STR(buf_str(&b), "public, partner, restricted, confidential");
    buf_free(&b);
}

UNIT_TEST(vocab_clearance_round_trip)
{
    struct at_ctx ctx = { 0 };
    int level = -1;

    for (int i = CLEARANCE_PUBLIC; i <= CLEARANCE_CONFIDENTIAL; i++) {
        CHECK(vocab_clearance_parse(&ctx, vocab_clearance_name(i), &level) == AT_OK);
        CHECK(level == i);
    }
    CHECK_STR(vocab_clearance_name(CLEARANCE_PARTNER), "partner");
}

UNIT_TEST(vocab_clearance_unknown_names_the_valid_codes)
{
    struct at_ctx ctx = { 0 };
    int level = 99;

    CHECK(vocab_clearance_parse(&ctx, "secret", &level) == AT_EINVAL);
    CHECK(level == 99);
    CHECK(strstr(ctx.message, "secret") != NULL);
    CHECK(strstr(ctx.message, "confidential") != NULL);
}

/* Issue 10: the team's own words for types, in English and Korean. */
UNIT_TEST(vocab_match_takes_synonyms_and_labels)
{
    const struct vocab *v = vocab_find("site_type");
    static const char *const pairs[][2] = {
        { "killing site", "public_execution_site" }, { "Execution grounds", "public_execution_site" },
        { "처형장", "public_execution_site" }, { "처형 장", "public_execution_site" },
        { "burial site", "burial_site" }, { "매장지", "burial_site" }, { "Burial sites", "burial_site" },
        { "body site", "body_disposal_site" }, { "detention facility", "detention_facility" },
        { "Detention facilities", "detention_facility" }, { "구류장", "detention_facility" },
        { "#burial_site", "burial_site" }, { "POLITICAL_PRISON_CAMP", "political_prison_camp" },
    };

    for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
        CHECK_STR(vocab_match(v, pairs[i][0]), pairs[i][1]);
    CHECK(vocab_match(v, "pig farm") == NULL);
    CHECK(vocab_match(v, "") == NULL && vocab_match(v, NULL) == NULL);
    CHECK_STR(vocab_match(vocab_find("basis_of_knowledge"), "saw it"), "eyewitness");
}

UNIT_TEST(vocab_closest_names_the_nearest_codes)
{
    struct buf out = BUF_INIT;

    vocab_closest(vocab_find("site_type"), "burial sight", 2, &out);
    CHECK(strncmp(buf_str(&out), "burial_site, ", 13) == 0);
    buf_reset(&out);
    vocab_closest(vocab_find("basis_of_knowledge"), "eye witnes", 1, &out);
    CHECK_STR(buf_str(&out), "eyewitness");
    buf_free(&out);
}
