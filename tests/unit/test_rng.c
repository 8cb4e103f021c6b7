/* test_rng.c: the generator and its samplers against their exact
 * distributions: moments, and the Kolmogorov-Smirnov distance of 20,000
 * draws from the exact distribution function, held to the 0.1% critical
 * value (1.95 / sqrt(n)).  The seeds are fixed, so each run draws the
 * same numbers; a sampler with a wrong shape, scale or tail fails. */
#include "../../src/core/attest.h"
#include "../../src/core/rng.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>

#define DRAWS 20000
#define KS_CRIT (1.95 / sqrt(DRAWS))

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The regularised lower incomplete gamma P(a, x): its series below a + 1,
 * else one minus the continued fraction of Q (Lentz's method). */
static double gamma_p(double a, double x)
{
    double lead;

    if (x <= 0)
        return 0;
    lead = exp(-x + a * log(x) - lgamma(a));
    if (x < a + 1) {
        double term = 1 / a, sum = term;

        for (int n = 1; n < 10000 && fabs(term) > 1e-16 * fabs(sum); n++) {
            term *= x / (a + n);
            sum += term;
        }
        return lead * sum;
    }
    {
        double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;

        for (int i = 1; i < 10000; i++) {
            double an = -i * (i - a), del;

            b += 2;
            d = an * d + b;
            c = b + an / c;
            d = 1 / d;
            del = d * c;
            h *= del;
            if (fabs(del - 1) < 1e-15)
                break;
        }
        return 1 - lead * h;
    }
}

/* The continued fraction of the incomplete beta function. */
static double beta_cf(double a, double b, double x)
{
    double c = 1, d = 1 - (a + b) * x / (a + 1), h;

    d = 1 / d;
    h = d;
    for (int m = 1; m < 10000; m++) {
        double m2 = 2 * m, aa, del;

        aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
        d = 1 / (1 + aa * d);
        c = 1 + aa / c;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
        d = 1 / (1 + aa * d);
        c = 1 + aa / c;
        del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            break;
    }
    return h;
}

/* The regularised incomplete beta I_x(a, b). */
static double beta_i(double a, double b, double x)
{
    double bt;

    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2))
        return bt * beta_cf(a, b, x) / a;
    return 1 - bt * beta_cf(b, a, 1 - x) / b;
}

static double normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2));
}

struct moments {
    double mean, var;
};

static struct moments moments_of(const double *x, int n)
{
    struct moments m = { 0, 0 };

    for (int i = 0; i < n; i++)
        m.mean += x[i];
    m.mean /= n;
    for (int i = 0; i < n; i++)
        m.var += (x[i] - m.mean) * (x[i] - m.mean);
    m.var /= n - 1;
    return m;
}

/* The KS distance of continuous draws (sorted here) from cdf(a, b, x). */
static double ks_continuous(double *x, int n, double (*cdf)(double, double, double), double a, double b)
{
    double d = 0;

    qsort(x, (size_t)n, sizeof *x, by_value);
    for (int i = 0; i < n;) {
        double f = cdf(a, b, x[i]);
        int j = i;

        /* Equal draws (rounding near 0 or 1) step the empirical function once. */
        while (j < n && x[j] == x[i])
            j++;
        d = fmax(d, fmax(fabs(f - (double)i / n), fabs((double)j / n - f)));
        i = j;
    }
    return d;
}

/* The largest gap between the empirical and the exact distribution
 * function of integer draws, the pmf given in log form. */
static double ks_discrete(double *x, int n, double (*logpmf)(double, double, double), double a, double b)
{
    double d = 0, cdf = 0;
    int i = 0;

    qsort(x, (size_t)n, sizeof *x, by_value);
    for (double k = 0; i < n; k++) {
        cdf += exp(logpmf(k, a, b));
        while (i < n && x[i] <= k)
            i++;
        d = fmax(d, fabs((double)i / n - cdf));
    }
    return d;
}

static int within(const char *what, double got, double want, double tol)
{
    if (fabs(got - want) <= tol)
        return 1;
    fprintf(stderr, "    %s: got %.6g, want %.6g +- %.3g\n", what, got, want, tol);
    return 0;
}

static int ks_ok(const char *what, double d)
{
    if (d <= KS_CRIT)
        return 1;
    fprintf(stderr, "    %s: KS distance %.5f above %.5f\n", what, d, KS_CRIT);
    return 0;
}

static double uniform_cdf(double a, double b, double x)
{
    (void)a;
    (void)b;
    return x;
}

static double normal_cdf3(double a, double b, double x)
{
    (void)a;
    (void)b;
    return normal_cdf(x);
}

static double gamma_cdf(double a, double b, double x)
{
    (void)b;
    return gamma_p(a, x);
}

static double poisson_logpmf(double k, double mean, double unused)
{
    (void)unused;
    return -mean + k * log(mean) - lgamma(k + 1);
}

static double binomial_logpmf(double k, double n, double p)
{
    if (k > n)
        return -INFINITY;
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p);
}

static double negbin_logpmf(double k, double size, double p)
{
    return lgamma(size + k) - lgamma(k + 1) - lgamma(size) + size * log(p) + k * log1p(-p);
}

UNIT_TEST(rng_seed_names_one_stream)
{
    struct rng a, b;
    int same = 1, differ = 0;

    rng_seed(&a, 42);
    rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        same &= rng_next(&a) == rng_next(&b);
    rng_seed(&b, 43);
    for (int i = 0; i < 100; i++)
        differ += rng_next(&a) != rng_next(&b);
    CHECK(same);
    CHECK(differ == 100);
}

UNIT_TEST(rng_uniform_and_normal_match_their_distributions)
{
    static double x[DRAWS];
    struct rng r;
    struct moments m;

    rng_seed(&r, 1);
    for (int i = 0; i < DRAWS; i++) {
        x[i] = rng_uniform(&r);
        REQUIRE(x[i] > 0 && x[i] < 1);
    }
    m = moments_of(x, DRAWS);
    CHECK(within("uniform mean", m.mean, 0.5, 0.006));
    CHECK(within("uniform variance", m.var, 1.0 / 12, 0.002));
    CHECK(ks_ok("uniform", ks_continuous(x, DRAWS, uniform_cdf, 0, 0)));
    for (int i = 0; i < DRAWS; i++)
        x[i] = rng_normal(&r);
    m = moments_of(x, DRAWS);
    CHECK(within("normal mean", m.mean, 0, 0.025));
    CHECK(within("normal variance", m.var, 1, 0.04));
    CHECK(ks_ok("normal", ks_continuous(x, DRAWS, normal_cdf3, 0, 0)));
}

/* The ziggurat's tail and wedges, which a KS test of 20,000 draws barely
 * sees: the shares beyond 2, 3 and 4 standard deviations in 2,000,000
 * draws, within four binomial standard errors. */
UNIT_TEST(rng_normal_tails_have_their_mass)
{
    static const double cut[] = { 2, 3, 4 };
    long beyond[3] = { 0 };
    const long n = 2000000;
    struct rng r;

    rng_seed(&r, 11);
    for (long i = 0; i < n; i++) {
        double x = fabs(rng_normal(&r));

        for (int k = 0; k < 3; k++)
            beyond[k] += x > cut[k];
    }
    for (int k = 0; k < 3; k++) {
        double p = erfc(cut[k] / sqrt(2));

        CHECK(within("normal tail", (double)beyond[k], n * p, 4 * sqrt(n * p * (1 - p))));
    }
}

UNIT_TEST(rng_gamma_matches_its_distribution)
{
    static double x[DRAWS];
    static const double shapes[] = { 0.05, 0.3, 1, 2.5, 50, 4400 };
    struct rng r;

    rng_seed(&r, 2);
    for (size_t s = 0; s < ARRAY_LEN(shapes); s++) {
        double a = shapes[s];
        struct moments m;

        for (int i = 0; i < DRAWS; i++)
            x[i] = rng_gamma(&r, a);
        m = moments_of(x, DRAWS);
        CHECK(within("gamma mean", m.mean, a, 4 * sqrt(a / DRAWS)));
        CHECK(within("gamma variance", m.var, a, 0.1 * a + 4 * a * sqrt(2.0 / DRAWS)));
        CHECK(ks_ok("gamma", ks_continuous(x, DRAWS, gamma_cdf, a, 0)));
    }
    /* The log form agrees with the draw for a shape whose draws underflow. */
    for (int i = 0; i < DRAWS; i++)
        x[i] = exp(rng_log_gamma(&r, 0.5));
    CHECK(ks_ok("log gamma", ks_continuous(x, DRAWS, gamma_cdf, 0.5, 0)));
}

UNIT_TEST(rng_beta_matches_its_distribution)
{
    static double x[DRAWS];
    static const double shapes[][2] = { { 1, 1 }, { 0.5, 0.5 }, { 1, 3 }, { 4, 1 }, { 2, 5 },
                                        { 30, 70 }, { 0.2, 8 }, { 1, 0.3 }, { 0.05, 1 } };
    struct rng r;

    rng_seed(&r, 3);
    for (size_t s = 0; s < ARRAY_LEN(shapes); s++) {
        double a = shapes[s][0], b = shapes[s][1], mean = a / (a + b);
        double var = a * b / ((a + b) * (a + b) * (a + b + 1));
        struct moments m;

        for (int i = 0; i < DRAWS; i++) {
            x[i] = rng_beta(&r, a, b);
            REQUIRE(x[i] >= 0 && x[i] <= 1);
        }
        m = moments_of(x, DRAWS);
        CHECK(within("beta mean", m.mean, mean, 4 * sqrt(var / DRAWS)));
        CHECK(within("beta variance", m.var, var, 0.1 * var));
        if (!ks_ok("beta", ks_continuous(x, DRAWS, beta_i, a, b))) {
            fprintf(stderr, "    beta(%g, %g)\n", a, b);
            CHECK(0);
        }
    }
}

UNIT_TEST(rng_poisson_matches_its_distribution)
{
    static double x[DRAWS];
    static const double means[] = { 0.5, 3, 9.9, 10, 25, 1000, 6000 };
    struct rng r;

    rng_seed(&r, 4);
    for (size_t s = 0; s < ARRAY_LEN(means); s++) {
        double mu = means[s];
        struct moments m;

        for (int i = 0; i < DRAWS; i++)
            x[i] = (double)rng_poisson(&r, mu);
        m = moments_of(x, DRAWS);
        CHECK(within("poisson mean", m.mean, mu, 4 * sqrt(mu / DRAWS)));
        CHECK(within("poisson variance", m.var, mu, 0.08 * mu));
        CHECK(ks_ok("poisson", ks_discrete(x, DRAWS, poisson_logpmf, mu, 0)));
    }
}

/* Inversion and BTRS on both sides of their threshold; 3000 x 0.005 has
 * BTRS's exact test read log k! from the table and log (n-k)! from
 * Stirling's series. */
UNIT_TEST(rng_binomial_matches_its_distribution)
{
    static double x[DRAWS];
    static const double cases[][2] = { { 20, 0.3 }, { 1000, 0.004 }, { 1000, 0.4 }, { 50, 0.9 },
                                       { 1131, 0.75 }, { 100000, 0.001 }, { 5, 0.5 }, { 500, 0.0005 },
                                       { 3000, 0.005 } };
    struct rng r;

    rng_seed(&r, 5);
    for (size_t s = 0; s < ARRAY_LEN(cases); s++) {
        double n = cases[s][0], p = cases[s][1], var = n * p * (1 - p);
        struct moments m;

        for (int i = 0; i < DRAWS; i++) {
            x[i] = (double)rng_binomial(&r, (long)n, p);
            REQUIRE(x[i] >= 0 && x[i] <= n);
        }
        m = moments_of(x, DRAWS);
        CHECK(within("binomial mean", m.mean, n * p, 4 * sqrt(var / DRAWS)));
        CHECK(within("binomial variance", m.var, var, 0.08 * var));
        CHECK(ks_ok("binomial", ks_discrete(x, DRAWS, binomial_logpmf, n, p)));
    }
}

UNIT_TEST(rng_negbin_matches_its_distribution)
{
    static double x[DRAWS];
    static const double cases[][2] = { { 5, 0.3 }, { 1, 0.5 }, { 4400, 0.42 } };
    struct rng r;

    rng_seed(&r, 6);
    for (size_t s = 0; s < ARRAY_LEN(cases); s++) {
        double size = cases[s][0], p = cases[s][1];
        double mean = size * (1 - p) / p, var = mean / p;
        struct moments m;

        for (int i = 0; i < DRAWS; i++)
            x[i] = (double)rng_negbin(&r, size, p);
        m = moments_of(x, DRAWS);
        CHECK(within("negbin mean", m.mean, mean, 4 * sqrt(var / DRAWS)));
        CHECK(within("negbin variance", m.var, var, 0.08 * var));
        CHECK(ks_ok("negbin", ks_discrete(x, DRAWS, negbin_logpmf, size, p)));
    }
}

/* 37 draws take binomials first and place the last few one by one; 12 and
 * 3 are placed one by one throughout. */
UNIT_TEST(rng_multinomial_and_categorical_match_their_probabilities)
{
    static const double w[] = { 0.5, 0.0, 2.0, 1.0, 0.25, 0.25 };
    static const int draws[] = { 37, 12, 3 };
    enum { K = 6, REPS = 20000 };
    double sum = 4.0;
    long out[K];
    struct rng r;

    rng_seed(&r, 7);
    for (size_t d = 0; d < ARRAY_LEN(draws); d++) {
        double N = draws[d], mean[K] = { 0 }, var[K] = { 0 }, freq[K] = { 0 };

        for (int i = 0; i < REPS; i++) {
            long total = 0;

            rng_multinomial(&r, draws[d], w, K, out);
            for (int k = 0; k < K; k++) {
                mean[k] += (double)out[k];
                var[k] += (double)out[k] * (double)out[k];
                total += out[k];
            }
            REQUIRE(total == draws[d] && out[1] == 0);
            freq[rng_categorical(&r, w, K)]++;
        }
        for (int k = 0; k < K; k++) {
            double p = w[k] / sum, m = mean[k] / REPS, v = var[k] / REPS - m * m;

            CHECK(within("multinomial mean", m, N * p, 4 * sqrt(N * p * (1 - p) / REPS) + 1e-9));
            CHECK(within("multinomial variance", v, N * p * (1 - p), 0.06 * N * p * (1 - p) + 1e-9));
            CHECK(within("categorical share", freq[k] / REPS, p, 4 * sqrt(p * (1 - p) / REPS) + 1e-9));
        }
    }
}

/* More categories than are placed one by one: 10 draws over 100 take
 * binomials until 64 categories are left. */
UNIT_TEST(rng_multinomial_of_many_categories_matches_its_probabilities)
{
    enum { K = 100, N = 10, REPS = 20000 };
    double w[K], mean[K] = { 0 }, sum = 0;
    long out[K];
    struct rng r;

    for (int k = 0; k < K; k++)
        sum += w[k] = 1 + k % 3;
    rng_seed(&r, 8);
    for (int i = 0; i < REPS; i++) {
        long total = 0;

        rng_multinomial(&r, N, w, K, out);
        for (int k = 0; k < K; k++) {
            mean[k] += (double)out[k];
            total += out[k];
        }
        REQUIRE(total == N);
    }
    for (int k = 0; k < K; k++) {
        double p = w[k] / sum;

        CHECK(within("multinomial mean", mean[k] / REPS, N * p, 4.5 * sqrt(N * p * (1 - p) / REPS)));
    }
}
