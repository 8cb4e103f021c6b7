/*
 * rng.c: xoshiro256** seeded by splitmix64, and the samplers built on it.
 * See rng.h for the algorithms and their sources; each function below
 * names the steps it follows.
 */
#include "attest.h"
#include "rng.h"

#include <math.h>
#include <pthread.h>

/* Below this mean, Poisson and binomial draws invert the distribution
 * function; above, transformed rejection is faster. */
#define INVERSION_MEAN 10.0

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The samplers' tables (the ziggurat, log k!, 1/k), filled once, when the
 * first generator is seeded: every draw comes after a seed. */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static void tables_init(void);

void rng_seed(struct rng *r, uint64_t seed)
{
    pthread_once(&tables_once, tables_init);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

/* The ziggurat of Marsaglia and Tsang (2000) in Doornik's form (2005):
 * 128 strips of equal area v under exp(-x^2/2), the base strip reaching
 * to r with the tail beyond it.  Strip i spans [0, x[i]]; a point inside
 * x[i+1] is under the curve outright, one in the wedge is tested, and the
 * tail is sampled by Marsaglia's exponential rejection. */
#define ZIG_N 128
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

static double zig_x[ZIG_N + 1], zig_ratio[ZIG_N];

static void zig_init(void)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);

    zig_x[0] = ZIG_V / f;
    zig_x[1] = ZIG_R;
    for (int i = 2; i < ZIG_N; i++) {
        zig_x[i] = sqrt(-2 * log(ZIG_V / zig_x[i - 1] + f));
        f = exp(-0.5 * zig_x[i] * zig_x[i]);
    }
    zig_x[ZIG_N] = 0;
    for (int i = 0; i < ZIG_N; i++)
        zig_ratio[i] = zig_x[i + 1] / zig_x[i];
}

static double zig_tail(struct rng *r, int negative)
{
    double x, y;

    do {
        x = log(rng_uniform(r)) / ZIG_R;
        y = log(rng_uniform(r));
    } while (-2 * y < x * x);
    return negative ? x - ZIG_R : ZIG_R - x;
}

double rng_normal(struct rng *r)
{
    for (;;) {
        uint64_t bits = rng_next(r);
        double u = 2.0 * (((double)(bits >> 11) + 0.5) * 0x1.0p-53) - 1.0;
        int i = (int)(bits & (ZIG_N - 1));
        double x = u * zig_x[i], f0, f1;

        if (fabs(u) < zig_ratio[i])
            return x;
        if (i == 0)
            return zig_tail(r, u < 0);
        f0 = exp(-0.5 * (zig_x[i] * zig_x[i] - x * x));
        f1 = exp(-0.5 * (zig_x[i + 1] * zig_x[i + 1] - x * x));
        if (f1 + rng_uniform(r) * (f0 - f1) < 1.0)
            return x;
    }
}

/* Marsaglia and Tsang (2000) for shape >= 1: d = a - 1/3, c = 1/sqrt(9d);
 * v = (1 + c x)^3 for a normal x; accept d v when the cheap squeeze
 * u < 1 - 0.0331 x^4 holds, or when log u < x^2/2 + d - d v + d log v. */
static double gamma_large(struct rng *r, double shape)
{
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);

    for (;;) {
        double x, v, u;

        do {
            x = rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        u = rng_uniform(r);
        if (u < 1.0 - 0.0331 * (x * x) * (x * x))
            return d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}

double rng_gamma(struct rng *r, double shape)
{
    if (shape >= 1.0)
        return gamma_large(r, shape);
    /* G(a) = G(a+1) U^(1/a) for a < 1. */
    return gamma_large(r, shape + 1.0) * pow(rng_uniform(r), 1.0 / shape);
}

double rng_log_gamma(struct rng *r, double shape)
{
    if (shape >= 1.0)
        return log(gamma_large(r, shape));
    return log(gamma_large(r, shape + 1.0)) + log(rng_uniform(r)) / shape;
}

double rng_beta(struct rng *r, double a, double b)
{
    double x, y;

    /* The cases with a closed-form inverse: Beta(1,1) is uniform, and
     * Beta(1,b) and Beta(a,1) are powers of a uniform. */
    if (a == 1.0 && b == 1.0)
        return rng_uniform(r);
    if (a == 1.0)
        return -expm1(log(rng_uniform(r)) / b);
    if (b == 1.0)
        return exp(log(rng_uniform(r)) / a);
    if (a < 1.0 || b < 1.0) {
        /* Small shapes: work with log gammas so that neither underflows. */
        double lx = rng_log_gamma(r, a), ly = rng_log_gamma(r, b);
        double m = lx > ly ? lx : ly;

        return exp(lx - (m + log(exp(lx - m) + exp(ly - m))));
    }
    x = gamma_large(r, a);
    y = gamma_large(r, b);
    return x / (x + y);
}

/* log k! for the exact tests of PTRS and BTRS: a table for small k
 * (filled once from lgamma), and beyond it Stirling's series, whose first
 * omitted term, 1/(1680 k^7), is below 1e-24 there. */
#define LOG_FACTORIALS 1024
static double log_factorial_table[LOG_FACTORIALS];

static void log_factorial_init(void)
{
    for (int k = 0; k < LOG_FACTORIALS; k++)
        log_factorial_table[k] = lgamma(k + 1.0);
}

static double log_factorial(double k)
{
    double r;

    if (k < LOG_FACTORIALS)
        return log_factorial_table[(int)k];
    r = 1.0 / (k * k);
    return (k + 0.5) * log(k) - k + 0.91893853320467274178 +
           (1.0 / 12.0 - r * (1.0 / 360.0 - r * (1.0 / 1260.0))) / k;
}

/* Knuth's multiplication method: the number of uniforms whose running
 * product stays above e^-mean. */
static long poisson_small(struct rng *r, double mean)
{
    double limit = exp(-mean), prod = rng_uniform(r);
    long k = 0;

    while (prod > limit) {
        prod *= rng_uniform(r);
        k++;
    }
    return k;
}

/* PTRS, Hörmann (1993), for mean >= 10. */
static long poisson_ptrs(struct rng *r, double mean)
{
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);

    for (;;) {
        double u = rng_uniform(r) - 0.5, v = rng_uniform(r), us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);

        if (us >= 0.07 && v <= vr)
            return (long)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -mean + k * loglam - log_factorial(k))
            return (long)k;
    }
}

long rng_poisson(struct rng *r, double mean)
{
    if (!(mean > 0.0))
        return 0;
    return mean < INVERSION_MEAN ? poisson_small(r, mean) : poisson_ptrs(r, mean);
}

/* 1/x for the first steps of inversion, which would otherwise divide at
 * every step. */
#define RECIPROCALS 64
static double reciprocal[RECIPROCALS];

static void reciprocal_init(void)
{
    for (int i = 1; i < RECIPROCALS; i++)
        reciprocal[i] = 1.0 / i;
}

static void tables_init(void)
{
    zig_init();
    log_factorial_init();
    reciprocal_init();
}

/* Inversion for n p < 10, p <= 1/2: walk up the distribution function
 * from P(0) = q^n with P(x) = P(x-1) (n-x+1)/x p/q.  Since q^n >= 1 - n p,
 * a uniform below 1 - n p is 0 without computing q^n (most draws, when
 * n p is small). */
static long binomial_inversion(struct rng *r, long n, double p)
{
    double q = 1.0 - p, s = p / q, a = (double)(n + 1) * s, f0 = -1;

    for (;;) {
        double u = rng_uniform(r), f;
        long x = 0;

        if (u < 1.0 - (double)n * p)
            return 0;
        if (f0 < 0)
            f0 = exp((double)n * log1p(-p));
        f = f0;

        while (u > f) {
            u -= f;
            x++;
            if (x > n)
                break;
            f *= a * (x < RECIPROCALS ? reciprocal[x] : 1.0 / (double)x) - s;
        }
        if (x <= n)
            return x;
    }
}

/* BTRS, Hörmann (1993), for n p >= 10, p <= 1/2.  The constants of the
 * exact test (h, log(p/q)) are computed only when the squeeze fails. */
static long binomial_btrs(struct rng *r, long n, double p)
{
    double q = 1.0 - p, spq = sqrt((double)n * p * q);
    double b = 1.15 + 2.53 * spq, inv_b = 1.0 / b, a = -0.0873 + 0.0248 * b + 0.01 * p;
    double c = (double)n * p + 0.5, vr = 0.92 - 4.2 * inv_b, twice_a = 2.0 * a;
    double alpha = 0, lpq = 0, m = 0, h = 0, t;
    int setup = 0;

    for (;;) {
        double u = rng_uniform(r) - 0.5, v = rng_uniform(r), us = 0.5 - fabs(u);
        double k = floor((twice_a / us + b) * u + c);

        if (k < 0.0 || k > (double)n)
            continue;
        if (us >= 0.07 && v <= vr)
            return (long)k;
        if (!setup) {
            alpha = (2.83 + 5.1 * inv_b) * spq;
            lpq = log(p / q);
            m = floor((double)(n + 1) * p);
            h = log_factorial(m) + log_factorial((double)n - m);
            setup = 1;
        }
        v = v * alpha / (a / (us * us) + b);
        /* Accept when log v <= t; since 1 - 1/v <= log v <= v - 1, the
         * log is needed only between those bounds. */
        t = h - log_factorial(k) - log_factorial((double)n - k) + (k - m) * lpq;
        if (v - 1.0 <= t)
            return (long)k;
        if (1.0 - 1.0 / v <= t && log(v) <= t)
            return (long)k;
    }
}

long rng_binomial(struct rng *r, long n, double p)
{
    if (n <= 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    if (p > 0.5)
        return n - rng_binomial(r, n, 1.0 - p);
    return (double)n * p < INVERSION_MEAN ? binomial_inversion(r, n, p) : binomial_btrs(r, n, p);
}

long rng_negbin(struct rng *r, double size, double p)
{
    if (p >= 1.0)
        return 0;
    /* NB(size, p) = Poisson(G), G ~ Gamma(size, scale (1-p)/p). */
    return rng_poisson(r, rng_gamma(r, size) * (1.0 - p) / p);
}

int rng_categorical(struct rng *r, const double *weight, int k)
{
    double sum = 0, u;

    for (int i = 0; i < k; i++)
        sum += weight[i];
    u = rng_uniform(r) * sum;
    for (int i = 0; i < k - 1; i++) {
        if (u < weight[i])
            return i;
        u -= weight[i];
    }
    /* The last category with weight (rounding can run past the others). */
    for (int i = k - 1; i > 0; i--)
        if (weight[i] > 0)
            return i;
    return 0;
}

/* A multinomial places its draws one by one once no more than
 * PLACE_DRAWS (or no more than the categories left) remain, over at most
 * PLACE_MAX categories: cheaper then than the binomials. */
#define PLACE_DRAWS 16
#define PLACE_MAX 64

void rng_multinomial(struct rng *r, long n, const double *weight, int k, long *out)
{
    double rest = 0;
    int i;

    for (i = 0; i < k; i++)
        rest += weight[i];
    /* Conditional binomials: out[i] ~ Bin(left, w_i / (w_i + ... + w_k)),
     * until so few draws are left that placing each one by one over the
     * remaining categories is cheaper. */
    for (i = 0; i < k - 1 && n > 0; i++) {
        if ((n <= k - i || n <= PLACE_DRAWS) && k - i <= PLACE_MAX) {
            /* Each draw's category is the number of cumulative weights
             * at or below its uniform, counted without branches (a
             * category's luck defeats branch prediction). */
            double cum[PLACE_MAX];
            int left = k - i;

            cum[0] = weight[i];
            for (int j = 1; j < left; j++)
                cum[j] = cum[j - 1] + weight[i + j];
            for (int j = i; j < k; j++)
                out[j] = 0;
            for (; n > 0; n--) {
                double u = rng_uniform(r) * cum[left - 1];
                int j = 0;

                for (int l = 0; l < left - 1; l++)
                    j += u >= cum[l];
                out[i + j]++;
            }
            return;
        }
        double p = rest > 0 ? weight[i] / rest : 0;

        out[i] = rng_binomial(r, n, p > 1.0 ? 1.0 : p);
        n -= out[i];
        rest -= weight[i];
    }
    if (i < k) {
        out[i++] = n;
        n = 0;
    }
    for (; i < k; i++)
        out[i] = 0;
}
