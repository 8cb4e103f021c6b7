/*
 * fuzz_canonical.c: canonical_parse on arbitrary bytes, beside json_loadb
 * (flags 0), whose reading it stands in for on the sync import's path.
 * Both must refuse the same texts; what both accept must be the same
 * document (json_equal) with the same canonical text.
 */
#include "../../src/core/canonical.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *fast = canonical_parse((const char *)data, size);
    json_t *slow = json_loadb((const char *)data, size, 0, NULL);

    if ((fast == NULL) != (slow == NULL))
        abort();
    if (fast != NULL) {
        char *a = canonical_text(fast), *b = canonical_text(slow);
        if (!json_equal(fast, slow) || a == NULL || b == NULL || strcmp(a, b) != 0)
            abort();
        free(a);
        free(b);
    }
    json_decref(fast);
    json_decref(slow);
    return 0;
}
