/*
 * soc/rng.h -- the simulator's random generator for code outside a
 * simulation (DAG generators, tools): GSL's MT19937 with its state filled
 * from all 64 bits of a seed by SplitMix64, exactly as a simulation seeds
 * its own generator, so every seed in 0 .. 2^64-1 gives its own stream.
 */
#ifndef SOC_RNG_H
#define SOC_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "soc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new generator seeded with `seed` (free it with gsl_rng_free); NULL when
 * out of memory. */
SOC_API gsl_rng *soc_rng_new(uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
