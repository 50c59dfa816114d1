/*
 * schedule_check.h -- an independent checker of executed schedules, for
 * any test that collects soc_task_record_t rows (ts_records_add).
 *
 * The checker re-derives the model's rules from the configuration alone
 * (not from the engine): the PE can run the task's type, a task takes its
 * execution time, a PE runs one task at a time, every input arrived before
 * a task started (predecessor finish + transfer time: latency + volume /
 * bandwidth between distinct PEs, volume / bw_self on one PE when bw_self
 * > 0, through the memory cluster in shared-memory mode), nothing starts
 * before its job arrived, every job is complete and no job beats the
 * critical-path bound of its application.
 */
#ifndef SOC_SCHEDULE_CHECK_H
#define SOC_SCHEDULE_CHECK_H

#include <stddef.h>
#include "soc/sim.h"

/* What to check besides precedence, PE capability, overlap and arrival. */
#define SC_COMPLETE  1u  /* every job that appears has all its tasks, once */
#define SC_DURATION  2u  /* finish - start equals the execution time */
#define SC_BOUND     4u  /* job makespan >= critical path (needs COMPLETE) */
#define SC_ALL (SC_COMPLETE | SC_DURATION | SC_BOUND)

/* Check n records against cfg (finalized).  Returns the number of
 * violations; the first one is described in msg (may be NULL).  Times are
 * compared with a tolerance of 1 ns plus 1e-9 relative (the engine rounds
 * every duration to whole nanoseconds). */
int sc_check_schedule(const soc_config_t *cfg, const soc_task_record_t *recs,
                      int n, unsigned flags, char *msg, size_t msg_size);

/* Transfer time (µs) of `volume` between PEs src and dst of cfg, derived
 * from the platform description alone. */
double sc_comm_us(const soc_config_t *cfg, double volume, int src, int dst);

/* 1 for the registered schedulers that cannot start without an argument
 * fitted to the platform (neural: a weights file for one PE count); the
 * registry-wide loops skip exactly these, every other one must run. */
int sc_needs_argument(const char *sched_name);

/* Largest finish - arrival over the records of one job (-1 if none). */
double sc_job_makespan(const soc_task_record_t *recs, int n, uint64_t job);

#endif
