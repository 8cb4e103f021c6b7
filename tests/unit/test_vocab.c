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
