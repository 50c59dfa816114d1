/*
 * soc/ds3.h -- DS3 semantics: DS3's options, running (scale, iteration) runs
 * with DVFS carry-over, and what a scheduler sees (see docs/ds3.md).
 *
 * A scheduler takes part in DS3 semantics through an extension
 * (SOC_SCHED_EXT_DS3, soc_ds3_sched_ops_t below).  The engine calls its
 * schedule callback once per manager tick
 * at which the ready list is not empty, with the WHOLE ready list in DS3's
 * order.  The scheduler must set `pe` of every task of the list; it may also
 * permute view->ready (DS3's ETF does), which then decides the order in
 * which the tasks enter DS3's executable queue.  PE choices are final: DS3
 * never re-schedules a task.
 *
 * The engine owns everything in the view; it is valid only during the call.
 * The DS3 scheduler state that persists between calls (the PEs'
 * `available_time` estimates, ETF_LB's per-PE counters) lives in the engine
 * and is reached through the view, so DS3 policies can be stateless.
 *
 * Times are DS3's: microseconds as doubles holding integers (fractional only
 * under DVFS slow-downs).  "Supported" means the PE's functionality table
 * lists the task type; when a table lists a type twice DS3 uses the FIRST
 * line, and so does soc_ds3_exec_us.
 */
#ifndef SOC_DS3_H
#define SOC_DS3_H

#include <math.h>
#include <stdint.h>
#include "soc/model.h"
#include "soc/sched.h"
#include "soc/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- options */

/* DS3-semantics options (config_file.ini); defaults = DS3's defaults.
 * soc_config_t.ds3 points to one of these (owned by the config). */
typedef struct soc_ds3_options {
    int validation;            /* simulation_mode = validation */
    int inject_fixed_num_jobs; /* yes */
    int64_t max_jobs;          /* 100 */
    int64_t simulation_length; /* µs, 100000 */
    int64_t clock;             /* 1 */
    int inject_jobs_asap;      /* no */
    int fixed_injection_rate;  /* no */
    int max_jobs_in_parallel;  /* 12 */
    int64_t random_seed;       /* 1 (validation mode only) */
    int64_t scale;             /* validation-mode scale, 100 */
    int64_t warmup_period;     /* 0 */
    int num_of_iterations;     /* 1 */
    int n_scale_values;
    int64_t *scale_values;     /* performance-mode scales */
    int n_job_list;            /* job_list snippets */
    int **job_list;            /* [n_job_list][n_apps] */
    /* power management */
    int64_t sampling_rate;             /* 10 */
    int64_t sampling_rate_temperature; /* 20 */
    double util_high_threshold, util_low_threshold; /* 0.8, 0.3 */
    int enable_throttling, enable_dtpm_throttling;
    int n_trip;
    double trip_temperature[8], trip_hysteresis[8];
    int n_dtpm_trip;
    double dtpm_trip_temperature[8];
    double C1, C2, Igate, T_ambient;
} soc_ds3_options_t;

/* Fill *o with DS3's defaults. */
SOC_API void soc_ds3_options_default(soc_ds3_options_t *o);

/* --------------------------------------------------------- running DS3 */

/* Which run of a DS3 configuration a simulation is.  DS3 runs a
 * performance-mode config once per scale value x iteration (in that
 * order; soc_study_runs in soc/study.h lists them), and its clusters are
 * global, so each run starts from the DVFS state (frequency, voltage,
 * cluster power) the previous run ended with. */
typedef struct soc_ds3_run {
    uint32_t struct_size;        /* sizeof(soc_ds3_run_t) */
    int64_t scale;               /* the scale (mean inter-arrival, us) of this
                                    run; 0 = the first scale value (or the
                                    validation-mode scale) */
    int iteration;               /* 0-based; seeds DS3's generators */
    const soc_sim_t *carry_from; /* a finished DS3 run of the same config
                                    whose DVFS state this run starts from;
                                    NULL = fresh.  Borrowed. */
} soc_ds3_run_t;

/* Create a simulation of `cfg` in DS3 semantics as run `run` (NULL = the
 * first run, fresh).  cfg->semantics must be SOC_SEM_DS3; soc_sim_create
 * on such a config equals this with run NULL.  The scheduler must have a
 * DS3 extension (SOC_SCHED_EXT_DS3).  Errors as soc_sim_create, and
 * SOC_EINVAL when carry_from is not a DS3 simulation. */
SOC_API int soc_ds3_sim_create(soc_sim_t **out, const soc_config_t *cfg,
                               const soc_sim_options_t *opts, const soc_ds3_run_t *run,
                               soc_error_t *err);
/* The (scale, iteration) a DS3 simulation runs.  SOC_OK, or
 * SOC_EUNSUPPORTED when sim is not a DS3 simulation. */
SOC_API int soc_ds3_sim_run_info(const soc_sim_t *sim, int64_t *scale, int *iteration);

/* ----------------------------------------------------- what policies see */

/* A predecessor of a ready task as DS3's completed-list lookup returns it.
 * A record DS3 has already trimmed from its completed list reads as pe -1
 * and finish -1 (soc_ds3_band then uses the last PE's row, as DS3's
 * comm_band[-1] does). */
typedef struct soc_ds3_pred {
    int pe;
    double finish;
    double volume;   /* comm_vol[pred][task], 0 if the job file gave none */
} soc_ds3_pred_t;

/* A task of the ready list. */
typedef struct soc_ds3_task {
    int64_t id;      /* DS3 task ID: base_id + tasks of earlier jobs */
    int64_t job;     /* DS3 jobID (0, 1, ... in generation order) */
    int app;
    int base_id;     /* index in the application (job file) */
    int type;        /* task type (index into platform.type_names) */
    int is_head, is_tail;
    int n_preds;
    const soc_ds3_pred_t *preds;
    int pe;          /* OUT: the PE chosen by the scheduler (DS3 PE_ID) */
} soc_ds3_task_t;

/* A processing element (DS3 PE: capacity 1; a SoC line with capacity C
 * makes C of them with consecutive indices). */
typedef struct soc_ds3_pe {
    int cluster;
    int enabled;     /* DS3 PEs[p].enabled (1 unless power management turns
                        cores off) */
    int idle;        /* DS3 PE.idle: no task has started and not finished
                        on it (a task dispatched in this tick counts idle) */
    double slowdown; /* fmax / f_current - 1 of its cluster (0 at fmax) */
} soc_ds3_pe_t;

typedef struct soc_ds3_view soc_ds3_view_t;

struct soc_ds3_view {
    uint32_t struct_size;
    double now;              /* current tick, µs */
    const soc_platform_t *platform;
    int n_pes, n_types;
    const soc_ds3_pe_t *pes; /* [n_pes] */
    const double *exec;      /* [n_pes * n_types] table time µs, < 0 =
                                unsupported; use soc_ds3_exec_us */
    const double *bw;        /* [n_pes * n_pes] DS3's comm_band matrix */
    int memory_pe;           /* DS3's memory: the LAST PE of the SoC */
    int shared_memory;       /* 1: shared-memory mode, 0: PE_to_PE */
    double *avail;           /* [n_pes] DS3's PEs[p].available_time, 0 at
                                the start of a run, written by EFT/ETF/ETF_LB,
                                never reset by the engine */
    int64_t *lb_assigned;    /* [n_pes] ETF_LB's counters, 0 at the start
                                of a run (one DS3 scheduler object) */
    int n_ready;
    soc_ds3_task_t **ready;  /* [n_ready] the ready list; may be permuted */
    /* scratch for the policies, valid during the call */
    int *iwork;              /* >= 2 * n_pes + n_ready ints */
    double *dwork;           /* >= 2 * n_pes doubles */
    soc_ds3_task_t **twork;  /* >= n_ready pointers */
};

/* The DS3 extension of a scheduler (soc_sched_ext_t.ops when id is
 * SOC_SCHED_EXT_DS3): set the PE of every task of view->ready. */
#define SOC_SCHED_EXT_DS3 0x44533301u /* "DS3", version 1 */
typedef struct soc_ds3_sched_ops {
    int (*schedule)(void *state, soc_ds3_view_t *view);
} soc_ds3_sched_ops_t;

/* Table execution time of `type` on `pe` (µs), < 0 if unsupported. */
static inline double soc_ds3_exec_us(const soc_ds3_view_t *v, int type, int pe)
{
    return v->exec[(size_t)pe * (size_t)v->n_types + (size_t)type];
}

/* DS3's comm_band[src][dst]; src -1 (a trimmed predecessor) is the last
 * row, as Python's negative index makes it. */
static inline double soc_ds3_band(const soc_ds3_view_t *v, int src, int dst)
{
    if (src < 0)
        src += v->n_pes;
    return v->bw[(size_t)src * (size_t)v->n_pes + (size_t)dst];
}

/* int(volume / comm_band[src][dst]): DS3 truncates every transfer time. */
static inline double soc_ds3_comm_us(const soc_ds3_view_t *v, double volume, int src,
                                     int dst)
{
    return trunc(volume / soc_ds3_band(v, src, dst));
}

/* DS3 options equivalent to cfg's native injection and stop settings, for
 * a configuration in DS3 semantics without a `ds3` block: performance mode,
 * scale = the mean (or period) of the arrivals, fixed inter-arrival for a
 * periodic process, max_jobs / simulation_length from the stop limits,
 * max_jobs_in_parallel from max_in_flight (12 if 0), warm-up, and the
 * config's seed as random_seed; everything else DS3's defaults.  The
 * engine uses this when cfg->ds3 is NULL. */
SOC_API void soc_ds3_options_from_config(soc_ds3_options_t *o, const soc_config_t *cfg);

#ifdef __cplusplus
}
#endif
#endif
