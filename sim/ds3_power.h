/*
 * ds3_power.h -- DS3's power, energy, DVFS and thermal model, exact to the
 * last bit (docs/power.md, "DS3 semantics").  Library-internal.
 *
 * The module holds all of DS3's power state (cluster frequency/voltage and
 * power, PE idle flags, leakage and utilisation, the 5 hotspot temperatures,
 * the throttling state, the energy accumulators); the DS3 engine calls the
 * hooks below at the points of its SimPy-ordered event stream where DS3's
 * Python code touches that state.  Times are DS3's `env.now` (µs, a double:
 * fractional under DVFS slowdowns).
 *
 * One object lives as long as the DS3 engine: cluster frequency, voltage and
 * power persist across the runs (scale values x iterations) of one engine,
 * as DS3's global cluster objects do; everything else is reset by
 * soc__ds3p_begin.
 *
 * Per task the engine calls, in DS3's order:
 *   task_begin (the PE body starts: idle = false)
 *   loop: piece -> (wait *step) -> last ? break : piece_end
 *   task_end (idle = true, E_tot += task energy)
 *   ... DS3's TAIL bookkeeping and update_ready_queue ...
 *   task_done (completed list, "Case 2" evaluation, resource released)
 * and at every manager tick t with t % sampling_rate == 0 (t = 0 included),
 * before the scheduler: sample.
 */
#ifndef SOC_DS3_POWER_H
#define SOC_DS3_POWER_H

#include <stdint.h>
#include "soc/model.h"
#include "soc/ds3.h"
#include "soc/sim.h"

typedef struct soc_ds3_power soc_ds3_power_t;

/* Create for a finalized DS3-semantics config (cfg->ds3 NULL = DS3's
 * defaults); cfg is borrowed.  Errors: SOC_ENOMEM, SOC_ECONFIG. */
int soc__ds3p_create(soc_ds3_power_t **out, const soc_config_t *cfg,
                     soc_error_t *err);
void soc__ds3p_destroy(soc_ds3_power_t *p);
/* Power time series: one sample per thermal update (may be NULL). */
void soc__ds3p_set_sink(soc_ds3_power_t *p, soc_power_fn fn, void *user);

/* DS3's clusters are global objects: their frequency, voltage and cluster
 * power survive from one run of an invocation to the next (temperatures and
 * the throttling state do not).  Copy that state from src, the model of the
 * previous run of the same config; call before soc__ds3p_begin. */
void soc__ds3p_carry(soc_ds3_power_t *dst, const soc_ds3_power_t *src);

/* Start of a run (DS3's manager start): temperatures, throttling state,
 * "evaluated at" markers, PE state and accumulators reset; clusters still at
 * f = 0 get their governor's initial frequency.  SOC_ECONFIG when DS3 would
 * stop (constant-<MHz> not an operating point). */
int soc__ds3p_begin(soc_ds3_power_t *p, soc_error_t *err);

/* The manager's sampling (evaluate_idle_PEs) at tick t. */
int soc__ds3p_sample(soc_ds3_power_t *p, double t, soc_error_t *err);
/* soc__ds3p_sample at t0, t0 + step, ... while < t_end: a run of manager
 * ticks at which nothing but the sampling happens (the engine knows no
 * event, task or poller acts before t_end).  Stops at the first error. */
int soc__ds3p_sample_ticks(soc_ds3_power_t *p, int64_t t0, int64_t step, double t_end,
                           soc_error_t *err);

/* The PE body starts a task with table time exec_us (at fmax). */
int soc__ds3p_task_begin(soc_ds3_power_t *p, int pe, double now, double exec_us,
                         int64_t task_id, soc_error_t *err);
/* Start the next execution piece at now: *step = its length (µs), *last = 1
 * when it completes the task.  Charges its energy.  SOC_ECONFIG when DS3
 * would stop (no power_profile threshold >= f, no OPP for it). */
int soc__ds3p_piece(soc_ds3_power_t *p, int pe, double now, double *step,
                    int *last, soc_error_t *err);
/* Only the charging half of soc__ds3p_piece, for an engine that splits
 * the pieces itself (same rule: ds3_engine.c next_piece): the energy of a
 * piece of length step starting at now. */
int soc__ds3p_charge(soc_ds3_power_t *p, int pe, double now, double step,
                     soc_error_t *err);
/* A piece that was not the last ended at now. */
int soc__ds3p_piece_end(soc_ds3_power_t *p, int pe, double now,
                        soc_error_t *err);
/* The last piece ended at now (before DS3's completion bookkeeping). */
void soc__ds3p_task_end(soc_ds3_power_t *p, int pe, double now);
/* After update_ready_queue: the task joins the completed list, "Case 2"
 * evaluation when now % SR == 0, the PE's resource is released. */
int soc__ds3p_task_done(soc_ds3_power_t *p, int pe, double now,
                        soc_error_t *err);
/* DS3 trimmed a task from its completed list (performance mode). */
void soc__ds3p_forget(soc_ds3_power_t *p, int pe, int64_t task_id);

/* DVFS slowdown fmax/f - 1 of pe's cluster (ETF_LB multiplies by 1 + s); p is
 * logically const (a per-frequency cache inside it is updated). */
double soc__ds3p_slowdown(const soc_ds3_power_t *p, int pe);
/* Current frequency (MHz) of pe's cluster, 0 without a governor. */
double soc__ds3p_freq_mhz(const soc_ds3_power_t *p, int pe);
/* Cluster frequency (MHz) when pe's current/last task started. */
double soc__ds3p_task_freq_mhz(const soc_ds3_power_t *p, int pe);
/* sampling_rate (µs). */
int64_t soc__ds3p_sampling_rate(const soc_ds3_power_t *p);
/* Energy metrics of the current run: energy_j = E_cum (performance) or
 * E_tot (validation), edp = m->makespan_us * energy_j (fill makespan_us
 * first), avg_power_w over [warm-up, m->sim_time_us], peak_temp_c, and the
 * per-PE / per-cluster split (arrays owned by p). */
void soc__ds3p_metrics(const soc_ds3_power_t *p, soc_metrics_t *m);
/* Both accumulators (tests): DS3's cumulative_energy_consumption and
 * energy_consumption. */
void soc__ds3p_totals(const soc_ds3_power_t *p, double *e_cum, double *e_tot);
/* E_cum split into dynamic, busy leakage, idle leakage, and base
 * (memory + GPU) energy, each summed in event order (tests, docs). */
void soc__ds3p_breakdown(const soc_ds3_power_t *p, double parts[4]);

#endif
