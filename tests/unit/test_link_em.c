/*
 * test_link_em.c: the Fellegi-Sunter EM on agreement-pattern counts
 * recovers known parameters, and a null level counts in neither m nor u.
 */
#include "unit.h"
#include "link_data.h"
#include "../../src/core/attest.h"
#include "../../src/core/csv.h"
#include "../../src/core/link.h"

#include <math.h>

/* Levels: 0 = agree (gamma 1), 1 = disagree (gamma 0). */
static void start(struct link_params *p)
{
    memset(p, 0, sizeof *p);
    p->ncomp = 3;
    p->lambda = 0.3;
    for (int k = 0; k < 3; k++) {
        p->nlevels[k] = 2;
        p->m[k][0] = 0.9;
        p->m[k][1] = 0.1;
        p->u[k][0] = 0.2;
        p->u[k][1] = 0.8;
    }
}

static bool near(double got, double want, double tol)
{
    if (fabs(got - want) <= tol)
        return true;
    fprintf(stderr, "    got %.6f, want %.6f +- %g\n", got, want, tol);
    return false;
}

static void check_known(const struct link_params *p, double tol)
{
    const double m[3] = { 0.7, 0.9, 0.95 }, u[3] = { 0.1, 0.025, 0.2 };

    CHECK(near(p->lambda, 0.5, tol));
    for (int k = 0; k < 3; k++) {
        CHECK(near(p->m[k][0], m[k], tol));
        CHECK(near(p->u[k][0], u[k], tol));
    }
}

/* The pattern counts of known_params_comparison_vectors.csv (gamma 1..3). */
UNIT_TEST(link_em_known_params_from_counts)
{
    static const int counts[8] = { 1407, 408, 63, 522, 163, 172, 67, 1198 };
    uint8_t levels[8 * 3];
    double c[8];
    struct link_params p;
    struct at_ctx ctx = { 0 };
    int it;

    for (int i = 0; i < 8; i++) {
        for (int k = 0; k < 3; k++)
            levels[i * 3 + k] = (i >> (2 - k) & 1) ? 0 : 1;
        c[i] = counts[i];
    }
    start(&p);
    REQUIRE(link_em(&ctx, levels, c, 8, &p, 0, 1000, 1e-9, &it) == AT_OK);
    check_known(&p, 1e-3);
    CHECK(it > 1);
}

UNIT_TEST(link_em_known_params_csv)
{
    char path[512];
    FILE *f;
    struct csv_reader *r;
    struct csv_record rec;
    struct at_ctx ctx = { 0 };
    double c[8] = { 0 };
    uint8_t levels[8 * 3];
    struct link_params p;
    int rc;

    if (link_data_path("known_params_comparison_vectors.csv", path, sizeof path) == NULL) {
        unit_skip("known_params_comparison_vectors.csv is not here (../shared/data/linkage)");
        return;
    }
    REQUIRE((f = fopen(path, "r")) != NULL);
    REQUIRE(csv_open(&r, f, path, NULL, &ctx) == AT_OK);
    REQUIRE(csv_read(r, &rec, &ctx) == 1);
    REQUIRE(strcmp(rec.fields[0], "gamma_col_1") == 0);
    while ((rc = csv_read(r, &rec, &ctx)) == 1)
        c[(rec.fields[0][0] - '0') << 2 | (rec.fields[1][0] - '0') << 1 | (rec.fields[2][0] - '0')]++;
    CHECK(rc == 0);
    csv_close(r);
    fclose(f);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 3; k++)
            levels[i * 3 + k] = (i >> (2 - k) & 1) ? 0 : 1;
    start(&p);
    REQUIRE(link_em(&ctx, levels, c, 8, &p, 0, 1000, 1e-9, NULL) == AT_OK);
    check_known(&p, 0.005);
}

/* A comparison missing from half the pairs: its m and u come only from
 * the pairs that have it, and the others' estimates do not move. */
UNIT_TEST(link_em_null_is_neutral)
{
    static const int counts[8] = { 1407, 408, 63, 522, 163, 172, 67, 1198 };
    uint8_t levels[16 * 3];
    double c[16];
    struct link_params p;
    struct at_ctx ctx = { 0 };

    for (int i = 0; i < 8; i++)
        for (int copy = 0; copy < 2; copy++) {
            int x = i * 2 + copy;
            for (int k = 0; k < 3; k++)
                levels[x * 3 + k] = (i >> (2 - k) & 1) ? 0 : 1;
            if (copy)
                levels[x * 3 + 2] = LINK_NULL;
            c[x] = counts[i];
        }
    start(&p);
    REQUIRE(link_em(&ctx, levels, c, 16, &p, 0, 2000, 1e-10, NULL) == AT_OK);
    check_known(&p, 2e-3);
}

UNIT_TEST(link_em_refuses_bad_levels)
{
    uint8_t levels[3] = { 0, 2, 0 };
    double c[1] = { 1 };
    struct link_params p;
    struct at_ctx ctx = { 0 };

    start(&p);
    CHECK(link_em(&ctx, levels, c, 1, &p, 0, 10, 1e-9, NULL) == AT_EINVAL);
    CHECK(strstr(ctx.message, "level 2") != NULL);
}
