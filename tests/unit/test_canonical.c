/* test_canonical.c: the canonical text of a document (what hashes and
 * signatures cover), the same bytes as jansson's sorted compact dump, and
 * the timestamp form. */
#include "../../src/core/attest.h"
#include "../../src/core/canonical.h"
#include "../../src/core/rng.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
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

/* A random document: objects with up to 40 keys (some prefixes of
 * others), arrays, strings with control characters, quotes, backslashes,
 * slashes and Korean, integers and reals of every magnitude. */
static json_t *random_value(struct rng *r, int depth)
{
    static const char *const pieces[] = {
        "a", "ab", "abc", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\b", "\f", "\r", "회령",
        "小林", "é", "\x7f", " ", "𝄞", "z",
    };
    unsigned kind = depth > 3 ? (unsigned)(rng_next(r) % 5) : (unsigned)(rng_next(r) % 7);

    switch (kind) {
    case 0: return json_null();
    case 1: return json_boolean(rng_next(r) & 1);
    case 2: return json_integer((json_int_t)(rng_next(r) >> (rng_next(r) % 64)) * ((rng_next(r) & 1) ? -1 : 1));
    case 3: {
        double magnitude = pow(10.0, (double)(int)(rng_next(r) % 80) - 40.0);
        double v = (rng_uniform(r) - 0.5) * magnitude;
        if (rng_next(r) % 4 == 0)
            v = trunc(v * 1000);   /* whole reals: "12.0", "1e+20" */
        return json_real(v);
    }
    case 4: {
        struct buf b = BUF_INIT;
        json_t *s;
        for (int n = (int)(rng_next(r) % 8); n > 0; n--)
            buf_puts(&b, pieces[rng_next(r) % ARRAY_LEN(pieces)]);
        s = json_string(buf_str(&b));
        buf_free(&b);
        return s;
    }
    case 5: {
        json_t *a = json_array();
        for (int n = (int)(rng_next(r) % 6); n > 0; n--)
            json_array_append_new(a, random_value(r, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (int n = (int)(rng_next(r) % 40); n > 0; n--) {
            struct buf k = BUF_INIT;
            for (int c = 1 + (int)(rng_next(r) % 3); c > 0; c--)
                buf_puts(&k, pieces[rng_next(r) % ARRAY_LEN(pieces)]);
            json_object_set_new(o, buf_str(&k), random_value(r, depth + 1));
            buf_free(&k);
        }
        return o;
    }
    }
}

/* The canonical text is the bytes jansson's sorted compact dump makes,
 * which every archive's leaves and signatures were computed over. */
UNIT_TEST(canonical_text_is_jansson_sorted_compact_dump)
{
    struct rng r;
    int same = 0, compared = 0;

    rng_seed(&r, 17);
    for (int i = 0; i < 3000; i++) {
        json_t *doc = json_object(), *v;
        char *ours, *theirs;
        json_object_set_new(doc, "data", random_value(&r, 0));
        json_object_set_new(doc, "version", json_integer(i));
        if ((v = random_value(&r, 1)) != NULL)
            json_object_set_new(doc, "extra", v);
        ours = canonical_text(doc);
        theirs = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
        compared++;
        if (ours && theirs && strcmp(ours, theirs) == 0)
            same++;
        else if (compared - same == 1)
            CHECK_STR(ours ? ours : "(null)", theirs ? theirs : "(null)");
        free(ours);
        free(theirs);
        json_decref(doc);
    }
    CHECK(same == compared);
    {
        json_t *s = json_string("not a document");
        CHECK(canonical_text(s) == NULL);
        json_decref(s);
    }
}
