/*
 * sim_internal.h -- library-internal declarations shared by the files of
 * sim/.  Never installed.
 */
#ifndef SOC_SIM_INTERNAL_H
#define SOC_SIM_INTERNAL_H

#include "soc/model.h"
#include "soc/sim.h"

#include "soc_util.h"

#include <gsl/gsl_rng.h>

/* rng.c: seed GSL's MT19937 from all 64 bits of `seed` (SplitMix64 fills
 * the state; see rng.c).  SOC_OK, or SOC_EMATH when r is not MT19937. */
int soc__rng_seed(gsl_rng *r, uint64_t seed);
/* One SplitMix64 step: advances *x and returns the next output. */
uint64_t soc__splitmix64(uint64_t *x);

#endif
