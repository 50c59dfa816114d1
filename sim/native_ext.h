/*
 * native_ext.h -- parts of the native engine kept out of native.c
 * (library-internal): drawn execution times and the stochastic arrival
 * processes (arrivals.c), and the metrics of the measured window
 * (window.c).  native.c calls them through small, commented hooks.
 *
 * Randomness: every draw uses the simulation's one generator, in the order
 * docs/semantics.md documents; a configuration without distributions draws
 * nothing here, so its runs are those of the engine without these parts.
 */
#ifndef SOC_NATIVE_EXT_H
#define SOC_NATIVE_EXT_H

#include <gsl/gsl_rng.h>

#include "dist.h"
#include "soc/model.h"
#include "soc/sim.h"
#include "stats.h"

/* ------------------------------------------------ drawn execution times */

typedef struct soc__exec_draws {
    int n_types;
    size_t n;          /* samplers in s */
    soc__sampler_t *s; /* [n_clusters * n_types]; NULL = nothing is drawn */
} soc__exec_draws_t;

/* Samplers of the platform's exec_dist tables (s stays NULL when there are
 * none).  SOC_OK or SOC_ENOMEM. */
int soc__exec_draws_init(soc__exec_draws_t *x, const soc_platform_t *p);
void soc__exec_draws_free(soc__exec_draws_t *x);
/* 1 when a task of `type` on a PE of `cluster` has a drawn time. */
int soc__exec_drawn(const soc__exec_draws_t *x, int cluster, int type);
/* The actual execution time (ns) of a task starting now: a draw when the
 * (cluster, type) entry has a distribution, else `table` (the estimate). */
soc_time_t soc__exec_actual(const soc__exec_draws_t *x, gsl_rng *r, int cluster, int type,
                            soc_time_t table);
/* The visible (planned) finish of a drawn task after a frequency change
 * moved its actual finish from act_old to act_new at `now`: the remaining
 * planned time scales as the remaining actual time did. */
soc_time_t soc__exec_rescale(soc_time_t now, soc_time_t vis_old, soc_time_t act_old,
                             soc_time_t act_new);

/* -------------------------------------------------- arrival processes */

typedef struct soc__arrivals {
    const soc_injection_t *in;
    soc__sampler_t gap;   /* RENEWAL */
    soc__sampler_t batch; /* jobs per arrival, when has_batch */
    int has_gap, has_batch;
    int state;            /* MMPP: current state of the chain */
    double *out_rate;     /* MMPP: [n_states] total rate of leaving */
} soc__arrivals_t;

int soc__arrivals_init(soc__arrivals_t *a, const soc_injection_t *in);
void soc__arrivals_free(soc__arrivals_t *a);
/* Back to the start of a run (MMPP in state 0). */
void soc__arrivals_reset(soc__arrivals_t *a);
/* Time (µs) from one arrival to the next, RENEWAL and MMPP. */
double soc__arrivals_gap_us(soc__arrivals_t *a, gsl_rng *r);
/* Jobs the arrival brings: 1 without a batch distribution (no draw). */
int64_t soc__arrivals_batch(soc__arrivals_t *a, gsl_rng *r);

/* ---------------------------------------------------- measured window */

typedef struct soc__window {
    const soc_config_t *cfg;
    soc_time_t warmup;
    int n_pes, n_clusters, n_apps;
    /* PE busy time: B(t) = total + (busy ? t - since : 0) */
    unsigned char *busy;
    soc_time_t *since, *total;
    soc_time_t *b_start, *b_end; /* B at the window's start and end */
    uint64_t *end_ep, ep;        /* b_end[i] holds B(t_end) when end_ep[i]
                                    == ep (ep: one per t_end); else the PE
                                    has not changed since t_end */
    int start_taken;
    /* measured jobs in the system and the integral of their number */
    int64_t in_sys;
    soc_time_t area_t;
    double area, area_end;       /* ns x jobs; area_end at t_end */
    soc_time_t t_end;            /* last measured completion */
    int have_end;
    /* per application */
    soc_lat_stats_t *lat;
    int64_t *dl_jobs, *dl_miss;
    /* admission */
    double wait_sum_ns;
    int64_t wait_n, blocked, dropped;
    /* outputs */
    soc_app_metrics_t *app_out;
    soc_cluster_metrics_t *cl_out;
    soc_pe_metrics_t *pe_out;
    char **pe_names;
} soc__window_t;

/* Allocate for cfg (finalized).  SOC_OK or SOC_ENOMEM. */
int soc__window_init(soc__window_t *w, const soc_config_t *cfg);
void soc__window_free(soc__window_t *w);
/* Clear the counters for a new run (keeps the allocations). */
void soc__window_reset(soc__window_t *w);
/* PE pe starts (busy = 1) or ends (0) a task at now. */
void soc__window_busy(soc__window_t *w, int pe, soc_time_t now, int busy);
/* A job enters the system at now after waiting wait_ns at the door
 * (blocked: it found the door full). */
void soc__window_job_in(soc__window_t *w, soc_time_t now, int measured, soc_time_t wait_ns,
                        int blocked);
/* A job arriving at now was dropped (on_full: drop). */
void soc__window_drop(soc__window_t *w, soc_time_t now, int measured);
/* A job of app completed at now with latency lat_ns; deadline: 0 none,
 * 1 met, 2 missed.  SOC_OK or SOC_ENOMEM. */
int soc__window_job_out(soc__window_t *w, soc_time_t now, int app, int measured,
                        soc_time_t lat_ns, int deadline);
/* Fill m's window fields and lists; call after the energy figures are in
 * m (energy_per_job_j, per-cluster energy). */
void soc__window_metrics(soc__window_t *w, soc_time_t now, soc_metrics_t *m);

#endif
