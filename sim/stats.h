/*
 * stats.h -- bounded-memory latency statistics (internal).
 *
 * Values are kept exactly (sorted at the end, GSL quantiles) while there are
 * at most SOC_LATENCY_EXACT_MAX of them; past that they are folded into a
 * log-linear histogram (HDR-style, 2^13 sub-buckets per power of two:
 * relative error < 1.3e-4) so that memory stays bounded however long a run.
 */
#ifndef SOC_STATS_H
#define SOC_STATS_H

#include <stdint.h>

typedef struct soc_lat_stats {
    int64_t n;
    double sum_us;
    double max_us;
    int64_t *exact;     /* ns values while n <= cap */
    int64_t cap;
    int64_t alloc;      /* entries allocated in exact (grows up to cap) */
    uint32_t *hist;     /* allocated when the cap is exceeded */
    int64_t n_hist_buckets;
} soc_lat_stats_t;

int soc__lat_init(soc_lat_stats_t *s);
void soc__lat_free(soc_lat_stats_t *s);
int soc__lat_add(soc_lat_stats_t *s, int64_t ns);
/* q in [0,1]; 0 when empty.  Sorts the exact buffer in place (call once the
 * run is over or accept re-sorting). */
double soc__lat_quantile_us(soc_lat_stats_t *s, double q);

#endif
