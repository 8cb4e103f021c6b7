/*
 * fuzz_canonical.c: canonical_parse on arbitrary bytes, beside json_loadb
 * (flags 0), whose reading it stands in for on the sync import's path.
 * Both must refuse the same texts; what both accept must be the same
 * document (json_equal) with the same canonical text.  And
 * canonical_text_merged on the same bytes: whatever they are, it reads
 * none past them; when they are an object's canonical text, it gives the
 * canonical text of the object with its members put in.
 */
#include "../../src/core/canonical.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* canonical_text_merged on data, and against canonical_text when data is
 * the canonical text of doc, an object. */
static void check_merged(const uint8_t *data, size_t size, json_t *doc)
{
    struct canonical_member set[] = { { "a", json_integer(7) }, { "m", json_string("x\"y") },
                                      { "version", json_integer(2) } };
    char *merged = canonical_text_merged((const char *)data, size, set, 3);
    char *text = json_is_object(doc) ? canonical_text(doc) : NULL;

    if (text && strlen(text) == size && memcmp(text, data, size) == 0) {
        json_t *want_doc = json_copy(doc);
        char *want;
        for (size_t i = 0; i < 3; i++)
            json_object_set(want_doc, set[i].key, set[i].value);
        want = canonical_text(want_doc);
        /* NULL only for a key with an escape, which it does not read. */
        if (merged ? strcmp(merged, want) != 0 : memchr(data, '\\', size) == NULL)
            abort();
        free(want);
        json_decref(want_doc);
    }
    for (size_t i = 0; i < 3; i++)
        json_decref(set[i].value);
    free(text);
    free(merged);
}

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
    check_merged(data, size, fast);
    json_decref(fast);
    json_decref(slow);
    return 0;
}
