/*
 * bare_engine.h -- a minimal heap-based DAG engine, the yardstick of
 * scripts/bench_scale.sh ("socsim's time per event relative to a bare event
 * loop").  Benchmark code, not part of the library.
 *
 * It runs the jobs of a finalized configuration whose injection is a trace
 * (times and, for several applications, the application of every arrival)
 * with the native engine's execution model -- PE queues in key order, a
 * head starts when its PE is free and its inputs are there, wake-ups when
 * inputs arrive later, events ordered by (time, sequence) in the same binary
 * heap (SOC__HEAP_DEFINE) -- and one of three built-in policies written the
 * plain way: MET, ETF (min-min over the ready set) and HEFT (upward rank,
 * insertion EFT, each job planned at arrival).  No hash map (jobs by id in an
 * array), no function pointers, no views, no copies of PE timelines.  On the
 * same inputs it reproduces socsim's schedule (same finishes, same events),
 * which bench_scale checks through the summed latencies.
 */
#ifndef BARE_ENGINE_H
#define BARE_ENGINE_H

#include <stdint.h>

#include "soc/model.h"

typedef enum bare_policy { BARE_MET = 0, BARE_ETF, BARE_HEFT } bare_policy_t;

typedef struct bare_result {
    int64_t arrivals, finishes, wakes; /* events processed */
    int64_t jobs;                      /* jobs completed */
    double sum_latency_us;             /* over completed jobs */
    double end_us;                     /* time of the last event */
} bare_result_t;

/* Run cfg (native semantics, no power model, TRACE injection) under pol.
 * 0 on success, -1 on a configuration it does not handle or out of memory
 * (a message on stderr). */
int bare_run(const soc_config_t *cfg, bare_policy_t pol, bare_result_t *out);

#endif
