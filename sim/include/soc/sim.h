/*
 * soc/sim.h -- a simulation: create from a finalized config and a scheduler,
 * run to the end (or step decision by decision), read metrics.
 *
 * All state lives in the opaque soc_sim_t; any number of simulations may
 * coexist in one process.  Same config + seed + scheduler => identical
 * results, bit for bit.
 */
#ifndef SOC_SIM_H
#define SOC_SIM_H

#include <stdint.h>
#include "soc/model.h"
#include "soc/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct soc_sim soc_sim_t;

/* One executed task, streamed to the record sink as it finishes. */
typedef struct soc_task_record {
    uint64_t job;
    int app;
    int task;           /* index within the application */
    int type;
    int pe;
    double arrival_us;  /* job arrival (DS3: generation) */
    double start_us;
    double finish_us;
    double freq_mhz;    /* PE cluster frequency at start, 0 if no model */
} soc_task_record_t;

typedef void (*soc_record_fn)(void *user, const soc_task_record_t *rec);

/* One power/thermal sample, streamed to the power sink (optional). */
typedef struct soc_power_sample {
    double time_us;
    int n_clusters;
    const double *freq_mhz;   /* [n_clusters] */
    const double *power_w;    /* [n_clusters] */
    double max_temp_c;
} soc_power_sample_t;

typedef void (*soc_power_fn)(void *user, const soc_power_sample_t *s);

typedef struct soc_sim_options {
    uint32_t struct_size;
    const soc_sched_ops_t *sched; /* required */
    const char *sched_arg;        /* passed to sched->create */
    soc_record_fn on_record;      /* may be NULL */
    void *record_user;
    soc_power_fn on_power;        /* may be NULL */
    void *power_user;
} soc_sim_options_t;

/* Results of one application over the measured jobs (soc_metrics_t.per_app). */
typedef struct soc_app_metrics {
    const char *name;
    int64_t completed;        /* measured jobs of this application completed */
    double avg_latency_us, p95_latency_us, p99_latency_us;
    int64_t deadline_jobs;    /* completed jobs that had a deadline */
    int64_t deadline_misses;
    double deadline_miss_rate;/* misses / completed; NaN without a deadline */
} soc_app_metrics_t;

/* A cluster over the measured window (soc_metrics_t.per_cluster). */
typedef struct soc_cluster_metrics {
    const char *name;
    int count;                /* its PEs */
    double busy_us;           /* busy time of its PEs in the window, summed */
    double utilization;       /* busy_us / (count x window_us) */
    double energy_j;          /* cluster_energy_j; NaN without power model */
} soc_cluster_metrics_t;

/* A PE over the measured window (soc_metrics_t.per_pe). */
typedef struct soc_pe_metrics {
    const char *name;         /* "<cluster>_<PE index>", as in schedules */
    int cluster;
    double busy_us;
    double utilization;       /* busy_us / window_us */
} soc_pe_metrics_t;

/* Results of a run.  Latencies in µs.  Quantiles are exact while fewer than
 * SOC_LATENCY_EXACT_MAX jobs completed, else from a log-linear histogram with
 * relative error below 1e-4 (deterministic either way). */
#define SOC_LATENCY_EXACT_MAX 65536
typedef struct soc_metrics {
    const char *scheduler;
    uint64_t seed;
    int64_t injected_jobs;   /* measured jobs injected (after warm-up) */
    int64_t completed_jobs;  /* measured jobs completed */
    int64_t tasks_completed; /* all tasks completed (measured jobs or not) */
    double avg_latency_us, p50_latency_us, p95_latency_us, p99_latency_us;
    double max_latency_us;
    double makespan_us;      /* last measured completion - warm-up
                                (DS3 "execution time") */
    double sim_time_us;      /* simulated time at the end */
    double throughput_jobs_per_s;
    double cumulative_latency_us;
    double avg_concurrent_jobs; /* mean jobs in system at injections */
    int64_t deadline_misses;
    int64_t deadline_jobs;   /* measured jobs that had a deadline */
    int n_pes;
    const char *const *pe_names;  /* [n_pes] "<cluster>_<PE index>", as in
                                     schedules; valid until destroy */
    const double *pe_utilization; /* [n_pes], busy time / measured span;
                                     valid until destroy/reset */
    int has_energy;
    double energy_j, edp, avg_power_w, peak_temp_c;
    int n_clusters;
    const double *cluster_energy_j; /* [n_clusters] or NULL */
    const double *pe_energy_j;      /* [n_pes] or NULL */
    /* The measured window [warm-up end, last measured completion] (native
     * semantics: has_window; see docs/semantics.md).  Arrays valid until
     * destroy/reset. */
    int has_window;
    double window_us;             /* its length */
    double avg_jobs_in_system;    /* time average of measured jobs in the
                                     system over the window (Little's L) */
    double energy_per_job_j;      /* energy_j / completed_jobs (power on) */
    double avg_admission_wait_us; /* mean wait at the door (max_in_flight)
                                     of measured jobs, zeros included */
    int64_t blocked_arrivals;     /* measured jobs that waited at the door */
    int64_t dropped_jobs;         /* measured arrivals lost (on_full: drop) */
    double loss_ratio;            /* dropped / (dropped + injected) */
    int n_apps;
    const soc_app_metrics_t *per_app;         /* [n_apps] or NULL */
    const soc_cluster_metrics_t *per_cluster; /* [n_clusters] or NULL */
    const soc_pe_metrics_t *per_pe;           /* [n_pes] or NULL */
    /* interconnect contention (communication.contention bus or flow;
     * has_net = 0 without one).  Transfers: inter-PE data of measured
     * jobs, timed from request to delivery (docs/semantics.md). */
    int has_net;
    int64_t transfers;          /* transfers delivered */
    double avg_transfer_us, p95_transfer_us;
    double data_moved;          /* their total volume (data units) */
    double max_link_utilization;/* busiest link (or the bus) */
    double net_energy_j;        /* energy_pj_per_unit x volume x links
                                   crossed, after the warm-up */
    int n_links;
    const char *const *link_names;  /* [n_links], valid until destroy/reset */
    const double *link_utilization;/* [n_links] carried / (capacity x time) */
} soc_metrics_t;

/* Create a simulation.  cfg must be finalized; it is borrowed and must
 * outlive the simulation.  The engine is chosen once, here, from
 * cfg->semantics: the native engine, or DS3 semantics (soc/ds3.h, which
 * also has soc_ds3_sim_create for a given run of a DS3 sweep).  An
 * operation the chosen engine does not offer (stepping and reset in DS3
 * semantics) answers SOC_EUNSUPPORTED.  Errors: SOC_EINVAL, SOC_ENOMEM,
 * SOC_ECONFIG, errors of sched->create. */
SOC_API int soc_sim_create(soc_sim_t **out, const soc_config_t *cfg,
                           const soc_sim_options_t *opts, soc_error_t *err);
/* Destroy (NULL is fine). */
SOC_API void soc_sim_destroy(soc_sim_t *sim);
/* Restart from time 0 with a new seed (scheduler state recreated). */
SOC_API int soc_sim_reset(soc_sim_t *sim, uint64_t seed, soc_error_t *err);

/* Run to the end with the scheduler.  SOC_OK, or SOC_ESTALL / SOC_ESCHED /
 * scheduler errors (then err says why). */
SOC_API int soc_sim_run(soc_sim_t *sim, soc_error_t *err);

/* Metrics so far (final after soc_sim_run). */
SOC_API void soc_sim_metrics(const soc_sim_t *sim, soc_metrics_t *out);

/* ---- step interface (RL, custom drivers) ------------------------------
 * soc_sim_next_decision advances the simulation to the next decision point
 * (a time with ready, unassigned tasks that some PE can run) and returns 1
 * with *view set (borrowed until the next call), or 0 when the run is over.
 * The caller assigns through view->api->assign (or soc_sim_assign) any
 * number of tasks; calling soc_sim_next_decision again returns the same
 * instant while assignable ready tasks remain, unless soc_sim_pass() was
 * called, which lets time advance.  The configured scheduler's
 * on_job_arrival is still called (NULL ops = none). */
SOC_API int soc_sim_next_decision(soc_sim_t *sim, soc_view_t **view,
                                  soc_error_t *err);
SOC_API int soc_sim_assign(soc_sim_t *sim, soc_task_ref_t t, int pe,
                           soc_time_t start);
SOC_API void soc_sim_pass(soc_sim_t *sim);
/* Current view without advancing. */
SOC_API soc_view_t *soc_sim_view(soc_sim_t *sim);
/* Current simulated time (µs), and whether the run is over. */
SOC_API double soc_sim_now_us(const soc_sim_t *sim);
SOC_API int soc_sim_done(const soc_sim_t *sim);
/* Sum over jobs in the system of their age (µs) -- used by RL rewards. */
SOC_API double soc_sim_jobs_age_sum_us(const soc_sim_t *sim);
/* Energy (J) of the whole platform from time 0 to now, warm-up included
 * (native power model); -1 without a power model (power: false) or in DS3
 * semantics.  Used by the RL energy/EDP rewards. */
SOC_API double soc_sim_energy_j(const soc_sim_t *sim);

/* The engine a simulation runs on: "native" or "ds3". */
SOC_API const char *soc_sim_engine_name(const soc_sim_t *sim);

/* Lower bound of a DAG's makespan on the platform: the longest path using
 * each task's fastest PE and no communication (µs).  -1 on error. */
SOC_API double soc_app_critical_path_us(const soc_platform_t *p,
                                        const soc_app_t *app);

#ifdef __cplusplus
}
#endif
#endif
