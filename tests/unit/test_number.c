/* test_number.c: range-checked numbers from text. */
#include "../../src/core/attest.h"
#include "../../src/core/number.h"
#include "unit.h"

#include <limits.h>

UNIT_TEST(number_parse_long_checks_the_whole_text_and_range)
{
    struct at_ctx ctx = { 0 };
    long x = 7;

    CHECK(number_parse_long(&ctx, "limit", "1000", 1, 1000, &x) == AT_OK && x == 1000);
    CHECK(number_parse_long(&ctx, "limit", "-3", -5, 5, &x) == AT_OK && x == -3);
    CHECK(number_parse_long(&ctx, "limit", "+3", -5, 5, &x) == AT_OK && x == 3);
    static const char *const bad[] = { "", "abc", "10abc", " 5", "5 ", "0x10", "1e3", "1.0",
                                       "+-1", "-", "1001", "0", "99999999999999999999" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        x = 7;
        CHECK(number_parse_long(&ctx, "limit", bad[i], 1, 1000, &x) == AT_EINVAL);
        CHECK(x == 7);
    }
    number_parse_long(&ctx, "version", "99999999999", 1, INT_MAX, &x);
    CHECK_STR(ctx.message, "version: \"99999999999\" is not a whole number from 1 to 2147483647");
}

UNIT_TEST(number_parse_double_refuses_nan_inf_and_hex)
{
    struct at_ctx ctx = { 0 };
    double x = 7;

    CHECK(number_parse_double(&ctx, "lat", "-12.5", -90, 90, &x) == AT_OK && x == -12.5);
    CHECK(number_parse_double(&ctx, "lat", ".5", -90, 90, &x) == AT_OK && x == 0.5);
    CHECK(number_parse_double(&ctx, "lat", "5.", -90, 90, &x) == AT_OK && x == 5);
    CHECK(number_parse_double(&ctx, "lat", "1e1", -90, 90, &x) == AT_OK && x == 10);
    static const char *const bad[] = { "nan", "-nan", "NaN", "inf", "-infinity", "0x10", "1e999",
                                       "90.0001", "", ".", "e5", "1e", "1,5", " 1" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        x = 7;
        CHECK(number_parse_double(&ctx, "lat", bad[i], -90, 90, &x) == AT_EINVAL);
        CHECK(x == 7);
    }
    number_parse_double(&ctx, "--lat", "nan", -90, 90, &x);
    CHECK_STR(ctx.message, "--lat: \"nan\" is not a number from -90 to 90");
}
