/* test_mse_lcmcr.c: the latent-class sampler against the LCMCR package's
 * Kosovo figures (K = 10, a = b = 0.25): pooled over four fixed seeds, the
 * median within 2% of 10,416 and the 95% interval's ends within 5% of
 * 9,004 and 13,801 (the notes' catalogue, entry 9). */
#include "../../src/core/attest.h"
#include "../../src/core/mse.h"
#include "unit.h"
#include "mse_data.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define SEEDS 4

static int near(const char *what, double got, double want, double rel)
{
    if (fabs(got - want) <= rel * fabs(want))
        return 1;
    fprintf(stderr, "    %s: got %.1f, want %.1f +- %.0f%%\n", what, got, want, rel * 100);
    return 0;
}

UNIT_TEST(mse_lcmcr_kosovo_matches_the_reference_posterior)
{
    struct mse_table t;
    struct mse_lcmcr_options o;
    struct at_ctx ctx = { 0 };
    double *pooled;
    long n = 0;

    mse_data_kosovo(&t);
    mse_lcmcr_defaults(&o);
    o.burnin = 5000;
    o.samples = 5000;
    o.thinning = 20;
    pooled = malloc(SEEDS * (size_t)o.samples * sizeof *pooled);
    REQUIRE(pooled);
    for (int seed = 1; seed <= SEEDS; seed++) {
        struct mse_lcmcr_result r;

        o.seed = (uint64_t)seed;
        REQUIRE(mse_lcmcr_run(&ctx, &t, &o, &r) == AT_OK);
        CHECK(r.ndraws == o.samples);
        /* Each chain has mixed: its halves agree, and its 5,000 draws are
         * worth more than fifty independent ones (LCMCR's chains on N are
         * strongly autocorrelated). */
        if (!(r.split_rhat < 1.1 && r.ess > 50 && fabs(r.geweke_z) < 4)) {
            fprintf(stderr, "    seed %d: split R-hat %.3f, ESS %.0f, Geweke z %.2f\n", seed,
                    r.split_rhat, r.ess, r.geweke_z);
            CHECK(0);
        }
        CHECK(r.lower <= r.median && r.median <= r.upper);
        memcpy(pooled + n, r.draws, (size_t)r.ndraws * sizeof *pooled);
        n += r.ndraws;
        mse_lcmcr_result_free(&r);
    }
    CHECK(near("median", mse_quantile(pooled, (size_t)n, 0.5), 10416, 0.02));
    CHECK(near("2.5%", mse_quantile(pooled, (size_t)n, 0.025), 9004, 0.05));
    CHECK(near("97.5%", mse_quantile(pooled, (size_t)n, 0.975), 13801, 0.05));
    free(pooled);
}

UNIT_TEST(mse_lcmcr_same_seed_same_chain)
{
    struct mse_table t;
    struct mse_lcmcr_options o;
    struct at_ctx ctx = { 0 };
    struct mse_lcmcr_result a, b;

    mse_data_hiv(&t);
    mse_lcmcr_defaults(&o);
    o.burnin = 200;
    o.samples = 50;
    o.thinning = 2;
    o.seed = 19481210;
    REQUIRE(mse_lcmcr_run(&ctx, &t, &o, &a) == AT_OK);
    REQUIRE(mse_lcmcr_run(&ctx, &t, &o, &b) == AT_OK);
    CHECK(memcmp(a.draws, b.draws, (size_t)a.ndraws * sizeof *a.draws) == 0);
    o.seed++;
    mse_lcmcr_result_free(&b);
    REQUIRE(mse_lcmcr_run(&ctx, &t, &o, &b) == AT_OK);
    CHECK(memcmp(a.draws, b.draws, (size_t)a.ndraws * sizeof *a.draws) != 0);
    mse_lcmcr_result_free(&a);
    mse_lcmcr_result_free(&b);
}

UNIT_TEST(mse_lcmcr_refuses_bad_options)
{
    struct mse_table t;
    struct mse_lcmcr_options o;
    struct at_ctx ctx = { 0 };
    struct mse_lcmcr_result r;

    mse_data_kosovo(&t);
    mse_lcmcr_defaults(&o);
    o.classes = 0;
    CHECK(mse_lcmcr_run(&ctx, &t, &o, &r) == AT_EINVAL);
    mse_lcmcr_defaults(&o);
    o.thinning = 0;
    CHECK(mse_lcmcr_run(&ctx, &t, &o, &r) == AT_EINVAL);
}

/* A number of samples whose draws would not fit in memory's addresses is
 * refused: its size once wrapped to a few bytes, and the first draw was
 * written past them (ASan in make check). */
UNIT_TEST(mse_lcmcr_refuses_samples_beyond_memory)
{
    struct mse_table t;
    struct mse_lcmcr_options o;
    struct at_ctx ctx = { 0 };
    struct mse_lcmcr_result r;

    mse_data_kosovo(&t);
    mse_lcmcr_defaults(&o);
    o.burnin = 0;
    o.thinning = 1;
    o.samples = (long)(SIZE_MAX / sizeof(double)) + 1;
    CHECK(mse_lcmcr_run(&ctx, &t, &o, &r) == AT_EINVAL);
    CHECK(strstr(ctx.message, "samples") != NULL);
}
