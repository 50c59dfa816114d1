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

/* soc_time_from_us inline (the engine's hot paths): us * 1000 rounded to
 * the nearest integer, halves away from zero -- llround's result, without
 * the library call.  Exact: (int64_t)x truncates; x - (double)t is exact
 * (below 2^53 both are multiples of ulp(t) and differ by less than 1; from
 * 2^52 on x is an integer and the difference is 0).  Out of range: as
 * soc_time_from_us. */
static inline soc_time_t soc__time_from_us(double us)
{
    double ns = us * SOC_NS_PER_US;
    if (!(ns > -9.2e18 && ns < 9.2e18))
        return ns != ns ? 0 : ns > 0 ? SOC_TIME_NEVER : -SOC_TIME_NEVER;
    int64_t t = (int64_t)ns;
    double f = ns - (double)t;
    if (f >= 0.5)
        t++;
    else if (f <= -0.5)
        t--;
    return t;
}

#endif
