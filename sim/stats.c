/*
 * stats.c -- latency statistics with bounded memory (see stats.h).
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "soc/sim.h"
#include "stats.h"

#define SUB_BITS 13
#define SUB_COUNT (1 << SUB_BITS)           /* 8192 */

int soc__lat_init(soc_lat_stats_t *s)
{
    memset(s, 0, sizeof *s);
    s->cap = SOC_LATENCY_EXACT_MAX;
    return SOC_OK;
}

void soc__lat_free(soc_lat_stats_t *s)
{
    free(s->exact);
    free(s->hist);
    memset(s, 0, sizeof *s);
}

static int msb64(uint64_t v)
{
    int m = 0;
    while (v >>= 1)
        m++;
    return m;
}

/* Bucket of a non-negative value: exact below 2*SUB_COUNT, then SUB_COUNT
 * buckets per power of two (the top SUB_BITS+1 bits of the value). */
static int64_t bucket_of(uint64_t v)
{
    if (v < 2 * SUB_COUNT)
        return (int64_t)v;
    int shift = msb64(v) - SUB_BITS;  /* >= 1 */
    uint64_t top = v >> shift;        /* in [SUB_COUNT, 2*SUB_COUNT) */
    return 2 * SUB_COUNT + (int64_t)(shift - 1) * SUB_COUNT +
           (int64_t)(top - SUB_COUNT);
}

/* Midpoint of a bucket, the value reported for ranks that fall in it. */
static double bucket_value(int64_t idx)
{
    if (idx < 2 * SUB_COUNT)
        return (double)idx;
    int64_t k = idx - 2 * SUB_COUNT;
    int shift = (int)(k / SUB_COUNT) + 1;
    uint64_t top = (uint64_t)(k % SUB_COUNT) + SUB_COUNT;
    double low = (double)(top << shift);
    return low + (double)((uint64_t)1 << shift) / 2.0;
}

static int fold_into_hist(soc_lat_stats_t *s)
{
    s->n_hist_buckets = 2 * SUB_COUNT + 51 * (int64_t)SUB_COUNT;
    s->hist = calloc((size_t)s->n_hist_buckets, sizeof *s->hist);
    if (s->hist == NULL)
        return SOC_ENOMEM;
    for (int64_t i = 0; i < s->n; i++)
        s->hist[bucket_of((uint64_t)s->exact[i])]++;
    free(s->exact);
    s->exact = NULL;
    return SOC_OK;
}

int soc__lat_add(soc_lat_stats_t *s, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    double us = (double)ns / SOC_NS_PER_US;
    if (s->hist == NULL) {
        if (s->n == s->cap) {
            int rc = fold_into_hist(s);
            if (rc != SOC_OK)
                return rc;
        } else {
            if (s->n == s->alloc) {
                /* grow geometrically: many small samples (one per
                 * application) stay small */
                int64_t na = s->alloc ? 2 * s->alloc : 256;
                if (na > s->cap)
                    na = s->cap;
                int64_t *ne = realloc(s->exact, sizeof *ne * (size_t)na);
                if (ne == NULL)
                    return SOC_ENOMEM;
                s->exact = ne;
                s->alloc = na;
            }
            s->exact[s->n++] = ns;
            s->sum_us += us;
            if (us > s->max_us)
                s->max_us = us;
            return SOC_OK;
        }
    }
    s->hist[bucket_of((uint64_t)ns)]++;
    s->n++;
    s->sum_us += us;
    if (us > s->max_us)
        s->max_us = us;
    return SOC_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

double soc__lat_quantile_us(soc_lat_stats_t *s, double q)
{
    if (s->n == 0)
        return 0.0;
    if (s->hist == NULL) {
        /* exact: GSL's interpolated quantile of the sorted sample */
        qsort(s->exact, (size_t)s->n, sizeof *s->exact, cmp_i64);
        double *d = malloc(sizeof(double) * (size_t)s->n);
        if (d == NULL)
            return 0.0;
        for (int64_t i = 0; i < s->n; i++)
            d[i] = (double)s->exact[i] / SOC_NS_PER_US;
        double v = gsl_stats_quantile_from_sorted_data(d, 1, (size_t)s->n, q);
        free(d);
        return v;
    }
    /* histogram: the bucket holding rank floor((n-1) q) */
    int64_t rank = (int64_t)((double)(s->n - 1) * q);
    int64_t seen = 0;
    for (int64_t i = 0; i < s->n_hist_buckets; i++) {
        seen += s->hist[i];
        if (seen > rank)
            return bucket_value(i) / SOC_NS_PER_US;
    }
    return s->max_us;
}
