/*
 * rng.h: a seeded pseudo-random generator and the samplers the estimation
 * methods draw from.  The generator is xoshiro256** (Blackman and Vigna,
 * 2018), whose 256-bit state is filled from a 64-bit seed by splitmix64,
 * so a seed names one stream on every machine.  The samplers are written
 * from their published algorithms: the ziggurat for normals,
 * Marsaglia and Tsang (2000) for gammas, beta from two gammas, Hörmann's
 * transformed rejection (1993) for large-mean Poisson and binomial draws
 * (PTRS and BTRS, log k! from a table or Stirling's series) with
 * inversion for small means, multinomials by conditional binomials with
 * the last few draws placed one by one, and the negative binomial as a
 * gamma mixture of Poissons.  Nothing here is for secrets: keys come
 * from libsodium.
 */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Seeds r: the same seed gives the same stream.  A generator is seeded
 * before its first draw (the first seed also fills the samplers' tables). */
void rng_seed(struct rng *r, uint64_t seed);

/* The next 64 random bits (inline: the samplers call it in their inner
 * loops). */
static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform on the open interval (0, 1), never 0 or 1: the top 53 bits,
 * centred in their cell. */
static inline double rng_uniform(struct rng *r)
{
    return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* Standard normal. */
double rng_normal(struct rng *r);

/* Gamma with the given shape (> 0) and scale 1. */
double rng_gamma(struct rng *r, double shape);

/* The logarithm of a Gamma(shape, 1) draw, accurate for shapes so small
 * that the draw itself underflows to 0 (log G(a) = log G(a+1) + log(U)/a). */
double rng_log_gamma(struct rng *r, double shape);

/* Beta(a, b), a and b > 0. */
double rng_beta(struct rng *r, double a, double b);

/* Poisson with the given mean (>= 0, below 2^52). */
long rng_poisson(struct rng *r, double mean);

/* Binomial: successes in n trials of probability p (0 <= p <= 1). */
long rng_binomial(struct rng *r, long n, double p);

/* The number of failures before size successes of probability p
 * (size > 0, 0 < p <= 1): mean size(1-p)/p. */
long rng_negbin(struct rng *r, double size, double p);

/* One index from 0 to k-1, drawn with probability weight[i] / sum; the
 * weights are >= 0 with a positive sum. */
int rng_categorical(struct rng *r, const double *weight, int k);

/* Spreads n draws over k categories with probabilities weight[i] / sum
 * into out[0..k-1].  Fastest with the heaviest categories first: once few
 * draws are left they are placed one by one. */
void rng_multinomial(struct rng *r, long n, const double *weight, int k, long *out);

#endif
