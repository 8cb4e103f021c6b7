/*
 * test_screen_ofac.c: the OFAC-parity scorer against the scores OFAC's
 * own search tool showed (tests/data/sanctions/ofac_search_fixtures.csv),
 * and OFAC's candidate gate on single words.
 */
#include "../../src/core/attest.h"
#include "../../src/core/csv.h"
#include "../../src/core/screen.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

#define DATA "tests/data/sanctions"

/* OFAC parity: the share of the fixture's positive rows within 5 points
 * of OFAC's own score, and negatives (not returned at 80) below 80.  Every
 * positive row passes OFAC's candidate gate (OFAC returned it), and a
 * negative counts as below 80 when the gate keeps it out. */
UNIT_TEST(ofac_parity_fixtures)
{
    struct at_ctx ctx = { 0 };
    struct csv_reader *r;
    struct csv_record rec;
    FILE *f = fopen(DATA "/ofac_search_fixtures.csv", "r");
    int pos = 0, close = 0, neg = 0, neg_ok = 0, gated = 0, neg_gated = 0;
    double sum = 0;

    REQUIRE(f != NULL);
    REQUIRE(csv_open(&r, f, "ofac_search_fixtures.csv", NULL, &ctx) == AT_OK);
    REQUIRE(csv_read(r, &rec, &ctx) == 1); /* header */
    while (csv_read(r, &rec, &ctx) == 1) {
        REQUIRE(rec.n == 3);
        double want = atof(rec.fields[2]);
        double got = screen_ofac_score(rec.fields[0], rec.fields[1], NULL);
        bool pass = screen_ofac_gate(rec.fields[0], rec.fields[1]);
        if (want < 0) {
            neg++;
            neg_gated += !pass;
            neg_ok += !pass || got < 80;
            continue;
        }
        if (!pass)
            printf("# not through the gate: %s | %s (OFAC %s)\n", rec.fields[0], rec.fields[1],
                   rec.fields[2]);
        pos++;
        gated += pass;
        close += fabs(got - want) <= 5.0;
        sum += fabs(got - want);
    }
    csv_close(r);
    fclose(f);
    printf("# OFAC parity: %d/%d within 5 points (%.1f%%), mean |diff| %.2f, %d/%d through the gate, "
           "%d/%d negatives below 80 (%d kept out by the gate)\n",
           close, pos, 100.0 * close / pos, sum / pos, gated, pos, neg_ok, neg, neg_gated);
    CHECK(pos > 150);
    CHECK(gated == pos);
    CHECK(close >= pos * 0.951);
    CHECK(sum / pos <= 2.0);
    CHECK(neg_ok >= neg - 1);
    /* the gate on single words: GEORGE reaches GEORGES wherever it stands,
     * a word of another first letter or less than half alike does not */
    CHECK(screen_ofac_gate("GEORGE BUSH", "OBEID, Boutros Georges"));
    CHECK(screen_ofac_gate("George Bush", "GEYE, Aroun"));
    CHECK(!screen_ofac_gate("ALQAEDA", "AL QAEDA"));
    CHECK(!screen_ofac_gate("VLADIMIR PUTIN", "KIM, Jong Un"));
    CHECK(!screen_ofac_gate("GEORGE BUSH", "GOLDBERG, Nikos"));
}
