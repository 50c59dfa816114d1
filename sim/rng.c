/*
 * rng.c -- seeding the simulation's generator from all 64 bits of a seed.
 *
 * gsl_rng_set() on MT19937 keeps only the low 32 bits of the seed and maps
 * 0 to 4357, so seeds 1 and 2^32 + 1 (or 0 and 4357) would give the same
 * run.  Instead the 624-word state is filled from SplitMix64 (Steele, Lea
 * and Flood 2014) started at the seed: distinct seeds give distinct,
 * well-mixed states, and 0 is a seed like any other.  The generator itself
 * stays GSL's MT19937 (the same draws for a given state on every machine).
 */
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim_internal.h"
#include "soc/rng.h"

#define MT_N 624

/* The layout of GSL's MT19937 state (gsl/rng/mt.c), checked at run time
 * against gsl_rng_size(). */
typedef struct mt_state {
    unsigned long mt[MT_N];
    int mti;
} mt_state_t;

uint64_t soc__splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int soc__rng_seed(gsl_rng *r, uint64_t seed)
{
    if (r == NULL || r->type != gsl_rng_mt19937 || gsl_rng_size(r) != sizeof(mt_state_t))
        return SOC_EMATH;
    mt_state_t *st = gsl_rng_state(r);
    uint64_t x = seed;
    unsigned long any = 0;
    for (int i = 0; i < MT_N; i++) {
        uint64_t z = soc__splitmix64(&x);
        /* two 32-bit words per draw would also do; one keeps it simple */
        st->mt[i] = (unsigned long)(z >> 32);
        any |= st->mt[i];
    }
    if (any == 0)
        st->mt[0] = 0x80000000UL; /* the all-zero state is MT's only fixed point */
    st->mti = MT_N;               /* the next draw regenerates the whole block */
    return SOC_OK;
}

gsl_rng *soc_rng_new(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r != NULL && soc__rng_seed(r, seed) != SOC_OK) {
        gsl_rng_free(r);
        r = NULL;
    }
    return r;
}
