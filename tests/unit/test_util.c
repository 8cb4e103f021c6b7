/* test_util.c: buffers and the error context. */
#include "../../src/core/attest.h"
#include "unit.h"

#include <stdlib.h>

UNIT_TEST(buf_grows_and_stays_terminated)
{
    struct buf b = BUF_INIT;

    CHECK_STR(buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i % 10);
    CHECK(b.len == 2000);
    CHECK(b.data[b.len] == '\0');
    buf_reset(&b);
    buf_puts(&b, "한국어");
    CHECK_STR(buf_str(&b), "한국어");
    char *s = buf_detach(&b);
    CHECK(b.data == NULL && b.len == 0);
    CHECK_STR(s, "한국어");
    free(s);
    buf_free(&b);
}

UNIT_TEST(ctx_error_and_prefix)
{
    struct at_ctx ctx = { 0 };

    CHECK(ctx_error(&ctx, AT_EINVAL, "field %s", "lat") == AT_EINVAL);
    ctx_prefix(&ctx, "line %d: ", 3);
    CHECK_STR(ctx.message, "line 3: field lat");
    CHECK(ctx.code == AT_EINVAL);
    ctx_clear(&ctx);
    CHECK_STR(ctx.message, "");
}
