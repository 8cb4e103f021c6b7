/* test_tagger.c: the name automaton (overlaps, longest match, word
 * boundaries, Unicode spans), dates and quantities. */
#include "../../src/core/attest.h"
#include "../../src/core/tagger.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* The text of mention m, from its byte span. */
static char *span(const char *text, const struct tagger_mention *m)
{
    char *s = xmalloc(m->end - m->start + 1);
    memcpy(s, text + m->start, m->end - m->start);
    s[m->end - m->start] = '\0';
    return s;
}

/* Checks that mention i is kind with span text want and target. */
static bool mention_is(const char *text, const struct tagger_mention *ms, size_t n, size_t i,
                       enum tag_kind kind, const char *want, const char *target)
{
    if (i >= n)
        return false;
    char *got = span(text, &ms[i]);
    bool ok = ms[i].kind == kind && strcmp(got, want) == 0 && strcmp(ms[i].target, target) == 0;
    if (!ok)
        fprintf(stderr, "  mention %zu: %s \"%s\" -> %s\n", i, tagger_kind_name(ms[i].kind), got,
                ms[i].target);
    free(got);
    return ok;
}

UNIT_TEST(tagger_longest_match_wins_and_mentions_do_not_overlap)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "The Korea Mining Development Trading Corporation and Korea Mining met.";

    tagger_add(t, "Korea Mining", TAG_ORGANISATION, "or-a", "KM");
    tagger_add(t, "Korea Mining Development Trading Corporation", TAG_ORGANISATION, "or-b", "KOMID");
    tagger_add(t, "Mining Development", TAG_ORGANISATION, "or-c", "MD");
    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 2);
    CHECK(mention_is(text, ms, n, 0, TAG_ORGANISATION, "Korea Mining Development Trading Corporation", "or-b"));
    CHECK(mention_is(text, ms, n, 1, TAG_ORGANISATION, "Korea Mining", "or-a"));
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_needs_word_boundaries_in_latin_text)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "Hoeryongese Hoeryong2 xHoeryong, Hoeryong.";

    CHECK(!tagger_add(t, "Ri", TAG_PLACE, "리", "Ri"));   /* too short to tell from words */
    tagger_add(t, "Hoeryong", TAG_PLACE, "회령시", "Hoeryong");
    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 1);
    CHECK(mention_is(text, ms, n, 0, TAG_PLACE, "Hoeryong", "회령시"));
    CHECK(n == 1 && ms[0].start == strlen(text) - 9);
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_folds_case_marks_hyphens_and_spaces)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "From HOERYŎNG to Hoe-ryong, Chongjin and Ch'ŏngjin, then Kim Chaek.";

    tagger_add(t, "Hoeryong", TAG_PLACE, "회령시", "Hoeryong");
    tagger_add(t, "Chongjin", TAG_PLACE, "청진시", "Chongjin");
    tagger_add(t, "Kimchaek", TAG_PLACE, "김책시", "Kimchaek");
    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 5);
    CHECK(mention_is(text, ms, n, 0, TAG_PLACE, "HOERYŎNG", "회령시"));
    CHECK(mention_is(text, ms, n, 1, TAG_PLACE, "Hoe-ryong", "회령시"));
    CHECK(mention_is(text, ms, n, 2, TAG_PLACE, "Chongjin", "청진시"));
    CHECK(mention_is(text, ms, n, 3, TAG_PLACE, "Ch'ŏngjin", "청진시"));
    CHECK(mention_is(text, ms, n, 4, TAG_PLACE, "Kim Chaek", "김책시"));
    /* code points: "From " is 5; HOERYŎNG is 8 code points (9 bytes) */
    CHECK(n == 5 && ms[0].cp_start == 5 && ms[0].cp_end == 13 && ms[0].end - ms[0].start == 9);
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_matches_hangul_before_particles_with_exact_spans)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "그는 회령에서 청진시로 갔다. 회";

    tagger_add(t, "회령", TAG_PLACE, "회령시", "Hoeryong");
    tagger_add(t, "청진시", TAG_PLACE, "청진시", "Chongjin");
    tagger_add(t, "청진", TAG_PLACE, "청진시", "Chongjin");
    CHECK(!tagger_add(t, "회", TAG_PLACE, "x", "x"));
    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 2);
    CHECK(mention_is(text, ms, n, 0, TAG_PLACE, "회령", "회령시"));
    CHECK(mention_is(text, ms, n, 1, TAG_PLACE, "청진시", "청진시"));
    CHECK(n == 2 && ms[0].cp_start == 3 && ms[0].cp_end == 5 && ms[1].cp_start == 8 && ms[1].cp_end == 11);
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_gives_one_mention_per_target_of_a_shared_name)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "Sinpo shipyard";

    tagger_add(t, "Sinpo", TAG_PLACE, "신포시", "Sinpo");
    tagger_add(t, "Sinpo", TAG_ORGANISATION, "or-x", "Sinpo company");
    CHECK(tagger_size(t) == 1);
    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 2);
    CHECK(mention_is(text, ms, n, 0, TAG_PLACE, "Sinpo", "신포시"));
    CHECK(mention_is(text, ms, n, 1, TAG_ORGANISATION, "Sinpo", "or-x"));
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_finds_dates_in_several_forms)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "On 12 March 2019, then March 3, 2020, in June 2021, on 2022-05-01, "
                       "2023년 4월 5일 and 2019 alone.";

    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 5);
    CHECK(mention_is(text, ms, n, 0, TAG_DATE, "12 March 2019", "2019-03-12"));
    CHECK(mention_is(text, ms, n, 1, TAG_DATE, "March 3, 2020", "2020-03-03"));
    CHECK(mention_is(text, ms, n, 2, TAG_DATE, "June 2021", "2021-06"));
    CHECK(mention_is(text, ms, n, 3, TAG_DATE, "2022-05-01", "2022-05-01"));
    CHECK(mention_is(text, ms, n, 4, TAG_DATE, "2023년 4월 5일", "2023-04-05"));
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_finds_quantities_with_units)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char *text = "About 50,000 North Korean workers earn $120 million a year; 593 arrivals, "
                       "down 20.8%, or 12.5 percent; sold for 5,000 yuan, 300 km and 40 miles away; "
                       "fifty thousand people; 3만 명; 1,2345 things and 7 apples.";

    size_t n = tagger_scan(t, text, strlen(text), &ms);
    CHECK(n == 10);
    CHECK(mention_is(text, ms, n, 0, TAG_QUANTITY, "50,000 North Korean workers", "50000 workers"));
    CHECK(mention_is(text, ms, n, 1, TAG_QUANTITY, "$120 million", "120000000 usd"));
    CHECK(mention_is(text, ms, n, 2, TAG_QUANTITY, "593 arrivals", "593 arrivals"));
    CHECK(mention_is(text, ms, n, 3, TAG_QUANTITY, "20.8%", "20.8 percent"));
    CHECK(mention_is(text, ms, n, 4, TAG_QUANTITY, "12.5 percent", "12.5 percent"));
    CHECK(mention_is(text, ms, n, 5, TAG_QUANTITY, "5,000 yuan", "5000 cny"));
    CHECK(mention_is(text, ms, n, 6, TAG_QUANTITY, "300 km", "300 km"));
    CHECK(mention_is(text, ms, n, 7, TAG_QUANTITY, "40 miles", "40 miles"));
    CHECK(mention_is(text, ms, n, 8, TAG_QUANTITY, "fifty thousand people", "50000 people"));
    CHECK(mention_is(text, ms, n, 9, TAG_QUANTITY, "3만 명", "30000 people"));
    free(ms);
    tagger_free(t);
}

UNIT_TEST(tagger_survives_invalid_utf8_and_empty_text)
{
    struct tagger *t = tagger_new();
    struct tagger_mention *ms;
    const char text[] = "\xff\xfe Hoeryong \xc3";

    tagger_add(t, "Hoeryong", TAG_PLACE, "회령시", "Hoeryong");
    CHECK(tagger_scan(t, "", 0, &ms) == 0);
    free(ms);
    size_t n = tagger_scan(t, text, sizeof text - 1, &ms);
    CHECK(n == 1 && ms[0].start == 3 && ms[0].end == 11);
    free(ms);
    tagger_free(t);
}
