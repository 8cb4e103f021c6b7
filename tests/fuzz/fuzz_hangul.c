/*
 * fuzz_hangul.c: romanises arbitrary bytes in every system, with and
 * without each flag, as text, as a place and as a personal name.  Valid
 * input must come back romanised, invalid input refused; nothing may
 * crash, leak or read out of bounds.
 */
#include "../../src/core/attest.h"
#include "../../src/core/hangul.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum hangul_system systems[] = {
        HANGUL_RR, HANGUL_MR, HANGUL_MR_PLAIN, HANGUL_DPRK,
    };
    const char *text = (const char *)data;
    struct at_ctx ctx = { 0 };
    struct buf b = BUF_INIT;
    struct hangul_place place;
    struct hangul_names names;

    for (size_t s = 0; s < ARRAY_LEN(systems); s++) {
        for (unsigned flags = 0; flags < 8; flags++) {
            buf_reset(&b);
            if (hangul_romanise(&ctx, text, size, systems[s], flags, &b) != AT_OK
                && b.len != 0)
                abort();        /* a refusal leaves the buffer as it was */
            buf_reset(&b);
            hangul_name(&ctx, text, size, systems[s], flags, &b);
        }
    }
    if (hangul_place(&ctx, text, size, HANGUL_ADMIN_HYPHEN, &place) == AT_OK)
        hangul_place_free(&place);
    else if (place.rr != NULL)
        abort();
    if (hangul_name_variants(&ctx, text, size, &names) == AT_OK) {
        for (size_t i = 0; i < names.n; i++)
            if (strlen(names.v[i]) == 0 && names.n > 1)
                abort();
        hangul_names_free(&names);
    } else if (names.n != 0) {
        abort();
    }
    buf_free(&b);
    return 0;
}
