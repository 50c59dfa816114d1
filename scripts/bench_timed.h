/* A scheduler's callbacks wrapped to add up the time spent in them, for the
 * benchmark programs of scripts/ (bench_scale, bench_sched).  One wrapped
 * scheduler at a time: benchmark programs are single-threaded, so the state
 * is file-scope in bench_timed.c (never in the library). */
#ifndef SOC_BENCH_TIMED_H
#define SOC_BENCH_TIMED_H

#include "soc/sched.h"

/* *out = *inner with create, destroy, on_job_arrival and schedule wrapped;
 * `clock` gives the time in seconds (CPU or monotonic).  Resets the sum. */
void bench_timed_wrap(const soc_sched_ops_t *inner, double (*clock)(void),
                      soc_sched_ops_t *out);

/* Seconds spent in the wrapped callbacks since the last wrap or reset. */
double bench_timed_seconds(void);
void bench_timed_reset(void);

#endif
