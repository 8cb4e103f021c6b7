/* test_canonical.c: the canonical text of a document (what hashes and
 * signatures cover) and the timestamp form. */
#include "../../src/core/canonical.h"
#include "unit.h"

#include <stdlib.h>
#include <time.h>

UNIT_TEST(canonical_text_sorts_keys_and_is_compact)
{
    json_t *a = json_loads("{\"b\": 1, \"a\": {\"d\": [1, 2], \"c\": \"x\"}, \"e\": 0.1}", 0, NULL);
    json_t *b = json_loads("{\"e\": 0.1, \"a\": {\"c\": \"x\", \"d\": [1, 2]}, \"b\": 1}", 0, NULL);
    char *ta, *tb;

    REQUIRE(a && b);
    ta = canonical_text(a);
    tb = canonical_text(b);
    CHECK_STR(ta, "{\"a\":{\"c\":\"x\",\"d\":[1,2]},\"b\":1,\"e\":0.1}");
    CHECK_STR(tb, ta);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
}

UNIT_TEST(canonical_now_is_utc_to_the_second)
{
    char now[21];
    struct tm tm = { 0 };
    const char *end;

    canonical_now(now);
    CHECK(strlen(now) == 20 && now[19] == 'Z');
    end = strptime(now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    CHECK(end && *end == '\0' && tm.tm_year >= 126);
}
