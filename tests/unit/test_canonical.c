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

/* Whether a key's canonical text needs an escape. */
static bool key_escaped(const char *key)
{
    for (; *key; key++)
        if ((unsigned char)*key < 0x20 || *key == '"' || *key == '\\')
            return true;
    return false;
}

/* canonical_text_merged gives the canonical text of the document with the
 * members put in, from the text without them: for random documents and
 * members replacing some of theirs, added before, between and after
 * them; NULL only for a document with a key it cannot read (an escape). */
UNIT_TEST(canonical_text_merged_is_the_text_of_the_merged_document)
{
    static const char *const keys[] = { "", "a", "ab", "abc", "author", "origin", "version",
                                         "written_at", "z", "zz", "\xed\x9a\x8c" };
    struct rng r;
    int same = 0, compared = 0, escaped = 0;

    rng_seed(&r, 29);
    for (int i = 0; i < 3000; i++) {
        json_t *doc, *merged;
        struct canonical_member set[ARRAY_LEN(keys)];
        size_t n = 0;
        char *text, *ours, *want;
        /* json_is_object names its argument twice: not an assignment. */
        for (doc = random_value(&r, 3); !json_is_object(doc); doc = random_value(&r, 3))
            json_decref(doc);
        if (i % 4 != 0) {
            const char *key;
            json_t *value;
            void *tmp;
            json_object_foreach_safe(doc, tmp, key, value)
                if (key_escaped(key))
                    json_object_del(doc, key);
        }
        for (size_t k = 0; k < ARRAY_LEN(keys); k++)
            if (rng_next(&r) % 3 == 0)
                set[n++] = (struct canonical_member){ keys[k], random_value(&r, 2) };
        text = canonical_text(doc);
        merged = json_copy(doc);
        for (size_t k = 0; k < n; k++)
            json_object_set(merged, set[k].key, set[k].value);
        want = canonical_text(merged);
        ours = canonical_text_merged(text, strlen(text), set, n);
        if (ours == NULL) {
            const char *key;
            json_t *value;
            bool any = false;
            json_object_foreach(doc, key, value)
                any = any || key_escaped(key);
            escaped++;
            CHECK(any);
        } else {
            compared++;
            if (strcmp(ours, want) == 0)
                same++;
            else if (compared - same == 1)
                CHECK_STR(ours, want);
        }
        json_decref(merged);
        json_decref(doc);
        for (size_t k = 0; k < n; k++)
            json_decref(set[k].value);
        free(text);
        free(ours);
        free(want);
    }
    CHECK(compared > 2000 && escaped > 200);
    CHECK(same == compared);
    CHECK(canonical_text_merged("[1]", 3, NULL, 0) == NULL);
    CHECK(canonical_text_merged("{\"a\":1", 6, NULL, 0) == NULL);
}

/* canonical_parse gives what json_loadb gives: the same document with its
 * keys in the same order, or NULL for both. */
static bool parse_agrees(const char *text, size_t len)
{
    json_t *ours = canonical_parse(text, len), *theirs = json_loadb(text, len, 0, NULL);
    bool same = ours == NULL && theirs == NULL;

    if (ours && theirs && json_equal(ours, theirs)) {
        char *a = json_dumps(ours, JSON_COMPACT), *b = json_dumps(theirs, JSON_COMPACT);
        same = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
    }
    json_decref(ours);
    json_decref(theirs);
    return same;
}

/* Texts canonical_text writes, and each of them damaged: cut short, a
 * byte changed or put in (a quote, a backslash, an escape's letter, a
 * separator, white space, parts of numbers, bytes that are not UTF-8). */
UNIT_TEST(canonical_parse_reads_as_json_loadb_does)
{
    static const char bytes[] = "\"\\u/nbt,:{}[] \n.eE+-019xz\x01\x80\xc3\xa9\xff";
    struct rng r;
    int agree = 0, compared = 0;

    rng_seed(&r, 23);
    for (int i = 0; i < 2000; i++) {
        json_t *doc = json_object();
        json_object_set_new(doc, "data", random_value(&r, 0));
        json_object_set_new(doc, "n", json_integer(i));
        char *text = canonical_text(doc);
        size_t len = strlen(text);
        struct buf changed = BUF_INIT;
        for (int m = 0; m < 6; m++) {
            size_t at = (size_t)(rng_next(&r) % len);
            buf_reset(&changed);
            buf_append(&changed, text, len);
            if (m == 0)
                changed.len = at;
            else if (m % 2)
                changed.data[at] = bytes[rng_next(&r) % (sizeof bytes - 1)];
            else {
                buf_append(&changed, "", 1);
                memmove(changed.data + at + 1, changed.data + at, len - at);
                changed.data[at] = bytes[rng_next(&r) % (sizeof bytes - 1)];
            }
            compared++;
            if (parse_agrees(changed.data, changed.len))
                agree++;
            else if (compared - agree == 1)
                CHECK_STR(buf_str(&changed), "(read otherwise by json_loadb)");
        }
        compared++;
        agree += parse_agrees(text, len);
        buf_free(&changed);
        free(text);
        json_decref(doc);
    }
    CHECK(agree == compared);
}

/* The edges of the grammar, read directly or handed on, each as json_loadb
 * reads it. */
UNIT_TEST(canonical_parse_edges_as_json_loadb)
{
    static const char *const texts[] = {
        "{}", "[]", "{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}", "[-0,0,-0.0,1e400,-1e400,1e-400]",
        "[9223372036854775807,-9223372036854775808]", "[9223372036854775808]", "[01]", "[1.]",
        "[.5]", "[1e]", "[1e+]", "[-]", "[1E+2,2e-3,0.5]", "{\"a\\\"b\":\"\\\\\\/\\b\\f\\n\\r\\t\"}",
        "{\"\\u00e9\":\"\\u0000\"}", "[\"\\ud834\\udd1e\",\"\\ud834\"]", "{ \"a\" : [ 1 , 2 ] }",
        "[1] ", "[1]x", "[1,]", "{\"a\":1,}", "{\"a\"}", "{1:2}", "[tru]", "[true,false,null]",
        "\"text\"", "1", "[\"\x01\"]", "[\"\xc3\"]", "{\"\xff\":1}", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
        "{\"\":\"\"}", "[\"a\\qb\"]", "[\"a\\",
    };
    int agree = 0;

    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        if (parse_agrees(texts[i], strlen(texts[i])))
            agree++;
        else
            CHECK_STR(texts[i], "(read otherwise by json_loadb)");
    }
    CHECK(agree == (int)ARRAY_LEN(texts));
    {
        /* Nested past the direct reader's depth, read as json_loadb reads it. */
        struct buf deep = BUF_INIT;
        for (int i = 0; i < 100; i++)
            buf_putc(&deep, '[');
        for (int i = 0; i < 100; i++)
            buf_putc(&deep, ']');
        CHECK(parse_agrees(deep.data, deep.len));
        buf_free(&deep);
    }
}
