/*
 * soc/pyrand.h -- bit-exact ports of the two random streams DS3 uses:
 * CPython's `random` module (MT19937 seeded with init_by_array, random()
 * with 53 bits, expovariate) and NumPy's legacy RandomState (MT19937 seeded
 * with init_genrand, random_sample, choice with and without p, randint).
 *
 * The DS3-semantics engine uses them to reproduce DS3's job arrivals and
 * application draws bit for bit.  They are public so that tests (and users
 * who want to reproduce other Python tools) can check them directly.
 * A generator is a plain value: no allocation, no global state.
 */
#ifndef SOC_PYRAND_H
#define SOC_PYRAND_H

#include <stddef.h>
#include <stdint.h>
#include "soc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOC_MT_N 624

/* MT19937 state (the same generator behind both Python and NumPy). */
typedef struct soc_mt19937 {
    uint32_t mt[SOC_MT_N];
    int mti;
} soc_mt19937_t;

/* Reference MT19937 seeding with one 32-bit word (init_genrand). */
SOC_API void soc_mt_init_genrand(soc_mt19937_t *r, uint32_t s);
/* Reference MT19937 seeding with a key of n words (init_by_array);
 * n == 0 is treated as the one-word key {0}. */
SOC_API void soc_mt_init_by_array(soc_mt19937_t *r, const uint32_t *key, size_t n);
/* Next 32-bit output (genrand_int32). */
SOC_API uint32_t soc_mt_next_u32(soc_mt19937_t *r);
/* Double in [0, 1) from two outputs, 53 bits: (a>>5 * 2^26 + b>>6) / 2^53.
 * This is both Python's random.random() and NumPy's random_sample(). */
SOC_API double soc_mt_next_double(soc_mt19937_t *r);

/* ---- CPython `random` -------------------------------------------------- */

/* random.seed(n) for a Python int n: the key is |n| as little-endian
 * 32-bit words (one word {0} for 0).  Covers every int64 value. */
SOC_API void soc_py_seed(soc_mt19937_t *r, int64_t n);
/* random.random(). */
SOC_API double soc_py_random(soc_mt19937_t *r);
/* random.expovariate(lambd) = -log(1 - random()) / lambd. */
SOC_API double soc_py_expovariate(soc_mt19937_t *r, double lambd);

/* ---- NumPy legacy RandomState ------------------------------------------ */

/* np.random.seed(s) for an integer 0 <= s < 2^32 (init_genrand). */
SOC_API void soc_np_seed(soc_mt19937_t *r, uint32_t s);
/* np.random.random_sample(). */
SOC_API double soc_np_random_sample(soc_mt19937_t *r);
/* Check p the way RandomState.choice does: n > 0, every p[i] >= 0 and
 * finite, |sum - 1| <= sqrt(DBL_EPSILON) (compensated sum).  SOC_OK or
 * SOC_EINVAL. */
SOC_API int soc_np_check_p(const double *p, int n);
/* np.random.choice(n, p=p): cdf = cumsum(p) / cdf[-1], then the first
 * index whose cdf value is > random_sample() (searchsorted side='right').
 * p must pass soc_np_check_p.  Consumes one double. */
SOC_API int soc_np_choice_p(soc_mt19937_t *r, const double *p, int n);
/* np.random.randint(low, high) (legacy, int64): masked rejection sampling
 * on 32-bit (or 64-bit, for ranges >= 2^32) outputs; a range of one value
 * consumes nothing.  Requires low < high. */
SOC_API int64_t soc_np_randint(soc_mt19937_t *r, int64_t low, int64_t high);
/* np.random.choice(n) without p: randint(0, n).  Requires n > 0. */
SOC_API int soc_np_choice(soc_mt19937_t *r, int n);

#ifdef __cplusplus
}
#endif
#endif
