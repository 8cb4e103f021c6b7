/*
 * test_union_find.c: keys joined pair by pair share one label; a key never
 * joined is labelled by itself; a missing end joins nothing.
 */
#include "unit.h"
#include "../../src/core/attest.h"
#include "../../src/core/union_find.h"

#include <string.h>

static int same(struct union_find *u, const char *a, const char *b)
{
    char ra[32], rb[32];

    return strcmp(union_find_label(u, a, ra), union_find_label(u, b, rb)) == 0;
}

UNIT_TEST(union_find_joins_chains_and_keeps_the_rest_apart)
{
    struct union_find u;
    char room[32];

    union_find_init(&u);
    union_find_join(&u, "wt-a", "wt-b");
    union_find_join(&u, "wt-c", "wt-d");
    CHECK(same(&u, "wt-a", "wt-b"));
    CHECK(!same(&u, "wt-a", "wt-c"));
    union_find_join(&u, "wt-b", "wt-d");     /* the two sets become one */
    CHECK(same(&u, "wt-a", "wt-c"));
    CHECK(strcmp(union_find_label(&u, "wt-lone", room), "wt-lone") == 0);
    CHECK(!same(&u, "wt-a", "wt-lone"));
    union_find_join(&u, "wt-e", NULL);       /* nothing joined, nothing added */
    CHECK(strcmp(union_find_label(&u, "wt-e", room), "wt-e") == 0);
    CHECK(u.n == 4);
    /* Many keys: slots grow while a join holds indexes into them. */
    for (int i = 0; i < 1000; i++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "k%d", i);
        snprintf(b, sizeof b, "k%d", i + 1);
        union_find_join(&u, a, b);
    }
    CHECK(same(&u, "k0", "k1000"));
    union_find_free(&u);
}
