/*
 * pyrand.c -- MT19937 with the seeding and sampling rules of CPython's
 * `random` module and of NumPy's legacy RandomState, bit for bit.
 *
 * Both libraries wrap the reference MT19937 of Matsumoto and Nishimura; they
 * differ only in how an integer seed becomes a state (CPython: init_by_array
 * over the 32-bit words of |seed|; NumPy: init_genrand) and in how samples
 * are drawn from the 32-bit outputs.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "soc/pyrand.h"

#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu

void soc_mt_init_genrand(soc_mt19937_t *r, uint32_t s)
{
    r->mt[0] = s;
    for (int i = 1; i < SOC_MT_N; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = SOC_MT_N;
}

void soc_mt_init_by_array(soc_mt19937_t *r, const uint32_t *key, size_t n)
{
    static const uint32_t zero = 0;
    if (n == 0) {
        key = &zero;
        n = 1;
    }
    soc_mt_init_genrand(r, 19650218u);
    size_t i = 1, j = 0;
    size_t k = SOC_MT_N > n ? SOC_MT_N : n;
    for (; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] +
                   (uint32_t)j;
        i++;
        j++;
        if (i >= SOC_MT_N) {
            r->mt[0] = r->mt[SOC_MT_N - 1];
            i = 1;
        }
        if (j >= n)
            j = 0;
    }
    for (k = SOC_MT_N - 1; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) -
                   (uint32_t)i;
        i++;
        if (i >= SOC_MT_N) {
            r->mt[0] = r->mt[SOC_MT_N - 1];
            i = 1;
        }
    }
    r->mt[0] = 0x80000000u; /* MSB is 1, assuring a non-zero initial array */
    r->mti = SOC_MT_N;
}

static void mt_refill(soc_mt19937_t *r)
{
    uint32_t y;
    int kk;
    for (kk = 0; kk < SOC_MT_N - MT_M; kk++) {
        y = (r->mt[kk] & MT_UPPER) | (r->mt[kk + 1] & MT_LOWER);
        r->mt[kk] = r->mt[kk + MT_M] ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX_A : 0u);
    }
    for (; kk < SOC_MT_N - 1; kk++) {
        y = (r->mt[kk] & MT_UPPER) | (r->mt[kk + 1] & MT_LOWER);
        r->mt[kk] = r->mt[kk + (MT_M - SOC_MT_N)] ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX_A : 0u);
    }
    y = (r->mt[SOC_MT_N - 1] & MT_UPPER) | (r->mt[0] & MT_LOWER);
    r->mt[SOC_MT_N - 1] = r->mt[MT_M - 1] ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX_A : 0u);
    r->mti = 0;
}

uint32_t soc_mt_next_u32(soc_mt19937_t *r)
{
    if (r->mti >= SOC_MT_N)
        mt_refill(r);
    uint32_t y = r->mt[r->mti++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    return y;
}

double soc_mt_next_double(soc_mt19937_t *r)
{
    uint32_t a = soc_mt_next_u32(r) >> 5, b = soc_mt_next_u32(r) >> 6;
    return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

/* ---------------------------------------------------------------- CPython */

void soc_py_seed(soc_mt19937_t *r, int64_t n)
{
    /* |INT64_MIN| does not fit an int64, but it does fit a uint64 */
    uint64_t mag = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    uint32_t key[2] = {(uint32_t)(mag & 0xffffffffu), (uint32_t)(mag >> 32)};
    soc_mt_init_by_array(r, key, key[1] != 0 ? 2 : 1);
}

double soc_py_random(soc_mt19937_t *r)
{
    return soc_mt_next_double(r);
}

double soc_py_expovariate(soc_mt19937_t *r, double lambd)
{
    return -log(1.0 - soc_py_random(r)) / lambd;
}

/* ------------------------------------------------------------------ NumPy */

void soc_np_seed(soc_mt19937_t *r, uint32_t s)
{
    soc_mt_init_genrand(r, s);
}

double soc_np_random_sample(soc_mt19937_t *r)
{
    return soc_mt_next_double(r);
}

int soc_np_check_p(const double *p, int n)
{
    if (p == NULL || n <= 0)
        return SOC_EINVAL;
    for (int i = 0; i < n; i++)
        if (!(p[i] >= 0) || !isfinite(p[i]))
            return SOC_EINVAL;
    /* NumPy's kahan_sum, then the tolerance sqrt(eps) */
    double sum = p[0], c = 0.0;
    for (int i = 1; i < n; i++) {
        double y = p[i] - c;
        double t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    if (fabs(sum - 1.0) > sqrt(DBL_EPSILON))
        return SOC_EINVAL;
    return SOC_OK;
}

int soc_np_choice_p(soc_mt19937_t *r, const double *p, int n)
{
    /* cdf = p.cumsum(); cdf /= cdf[-1]: a sequential sum, then one division
     * per element, exactly as NumPy evaluates it */
    double total = 0;
    for (int i = 0; i < n; i++)
        total += p[i];
    double u = soc_np_random_sample(r);
    double acc = 0;
    for (int i = 0; i < n; i++) {
        acc += p[i];
        if (acc / total > u)
            return i;
    }
    /* searchsorted may return n only if u >= 1, which random_sample never
     * gives; NumPy would then index past the end.  Clamp. */
    return n - 1;
}

int64_t soc_np_randint(soc_mt19937_t *r, int64_t low, int64_t high)
{
    uint64_t rng = (uint64_t)high - (uint64_t)low - 1u;
    if (rng == 0)
        return low;
    uint64_t mask = rng;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t val;
    if (rng <= 0xffffffffu) {
        if (rng == 0xffffffffu)
            return (int64_t)((uint64_t)low + soc_mt_next_u32(r));
        while ((val = (soc_mt_next_u32(r) & mask)) > rng)
            ;
    } else {
        do {
            uint64_t hi = soc_mt_next_u32(r);
            uint64_t lo = soc_mt_next_u32(r);
            val = ((hi << 32) | lo) & mask;
        } while (val > rng);
    }
    return (int64_t)((uint64_t)low + val);
}

int soc_np_choice(soc_mt19937_t *r, int n)
{
    return (int)soc_np_randint(r, 0, n);
}
