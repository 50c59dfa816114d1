/*
 * soc/study.h -- studies: everything that runs more than one simulation.
 * The CLI (`socsim run`, `sweep`, `regress`), the gym server and the Python
 * binding are thin front ends over these functions.
 *
 *   runs      the runs one configuration describes (DS3's repeat rules:
 *             scale values x iterations, each run starting from the
 *             previous one's DVFS state) and running them in order;
 *   sweeps    a sweep file expanded into points, and units of work (a
 *             point, or the chain of DS3 runs of one point, which must run
 *             in order on one worker);
 *   results   the crash-safe results store (checksummed rows, resume,
 *             shards, merge) and summaries with 95% confidence intervals;
 *   pool      a pool of worker processes;
 *   regress   the scheduler regression suite and its report.
 *
 * The study layer sits on the engine and the loaders (workloads/); it does
 * not depend on the schedulers layer: schedulers are resolved through a
 * soc_sched_catalog_t the caller passes (soc_sched_catalog() for the
 * built-ins).  Objects are not thread-safe: use one per thread.
 */
#ifndef SOC_STUDY_H
#define SOC_STUDY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "soc/model.h"
#include "soc/sched.h"
#include "soc/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* =============================================================== runs */

/* One run of a configuration: a DS3 scale value and iteration (scale 0,
 * iteration 0 for native semantics and DS3's validation mode). */
typedef struct soc_run_id {
    int64_t scale;
    int iteration;
} soc_run_id_t;

/* The runs cfg describes, in the order they run: one for native semantics
 * and for DS3's validation mode; for DS3's performance mode every scale
 * value x iteration, scale outermost (DS3's order).  *runs is malloc'ed.
 * Errors: SOC_ECONFIG when num_of_iterations < 1 or the scale list was
 * given and is empty (DS3 would run nothing); SOC_ENOMEM. */
SOC_API int soc_study_runs(const soc_config_t *cfg, soc_run_id_t **runs, int *n,
                           soc_error_t *err);

/* What soc_study_run_config streams out; every member may be NULL. */
typedef struct soc_study_hooks {
    soc_record_fn on_record; /* every finished task of every run */
    void *record_user;
    soc_power_fn on_power;   /* power/thermal samples of every run */
    void *power_user;
    /* after each run (sim valid during the call; index counts runs from
     * 0); return SOC_OK to go on, anything else stops with that code */
    int (*on_run)(void *user, int index, const soc_run_id_t *run, soc_sim_t *sim);
    void *run_user;
} soc_study_hooks_t;

/* Run every run of the finalized cfg (soc_study_runs) with the scheduler
 * `ops` and its argument, in order; a DS3 run starts from the DVFS state
 * the previous run of this call ended with, as in DS3.  hooks may be
 * NULL.  SOC_OK, or the first failing run's error (runs before it have
 * been reported through on_run). */
SOC_API int soc_study_run_config(const soc_config_t *cfg, const soc_sched_ops_t *ops,
                                 const char *arg, const soc_study_hooks_t *hooks,
                                 soc_error_t *err);

/* The metrics of a finished simulation as one JSON line (no newline),
 * malloc'ed: soc_metrics_json plus, for a DS3 run, its "scale" and
 * "iteration". */
SOC_API char *soc_study_run_json(const soc_sim_t *sim);

/* Mean and half-width of the 95% confidence interval (Student t) of
 * x[0..n); *ci is NaN when n < 2, both NaN when n == 0. */
SOC_API void soc_stats_mean_ci95(const double *x, int n, double *mean, double *ci);

/* ============================================================= sweeps */

typedef struct soc_sweep soc_sweep_t;

/* Load and expand a sweep file (docs/sweeps.md): a base (`base:` YAML or
 * `ds3:` ini), `set:` overrides, `axes:` (a product) and `points:`.  Every
 * value is validated before anything runs, schedulers through `cat`
 * (borrowed; must outlive the sweep).  The base's loader warnings go to
 * `warn` once (may be NULL).  Errors carry file:line:col of the offending
 * value. */
SOC_API int soc_sweep_load(soc_sweep_t **out, const char *path, const soc_sched_catalog_t *cat,
                           const soc_warn_sink_t *warn, soc_error_t *err);
SOC_API void soc_sweep_free(soc_sweep_t *s);

/* Points are the rows of the results; a unit is what one worker runs: a
 * point, or all (scale, iteration) runs of one DS3 point (in order, for
 * the DVFS carry-over).  Units are numbered 0..n_units-1 and hold
 * consecutive points. */
SOC_API int soc_sweep_n_points(const soc_sweep_t *s);
SOC_API int soc_sweep_n_units(const soc_sweep_t *s);
SOC_API void soc_sweep_unit(const soc_sweep_t *s, int unit, int *first_point, int *n_points);
/* The sweep file's path (borrowed). */
SOC_API const char *soc_sweep_path(const soc_sweep_t *s);

/* The results header "point,KEY...,[scale,iteration,]METRICS...,check"
 * (METRICS: the metric table's fields, then for each application of the
 * base config app.NAME.completed, .avg_latency_us, .p95_latency_us,
 * .p99_latency_us, .deadline_misses, .deadline_miss_rate; none for DS3)
 * (no newline) and the identifying cells of a point "ID,v1,v2,..[,scale,
 * iteration]" (malloc'ed; NULL when out of memory). */
SOC_API char *soc_sweep_header(const soc_sweep_t *s);
SOC_API char *soc_sweep_point_cells(const soc_sweep_t *s, int point);

/* Run unit `unit` in this process.  On success cells[0..n) (n = the unit's
 * point count) are malloc'ed metric cells ",m1,m2,..." of its points, in
 * order (free each and the array).  Consecutive units that share a
 * configuration reuse it (a cache inside s). */
SOC_API int soc_sweep_run_unit(soc_sweep_t *s, int unit, char ***cells, soc_error_t *err);

/* ============================================================ results */

typedef struct soc_results soc_results_t;
typedef struct soc_summary soc_summary_t; /* below */

/* Open (or resume) the results directory of a sweep: creates dir, takes
 * its lock (one sweep per directory), reads results.csv keeping complete,
 * sealed rows of this sweep (a torn last row is dropped and the file
 * rewritten).  shard_n > 1 runs only shard shard_i (1-based) of shard_n:
 * the units with unit % shard_n == shard_i - 1.  Errors: SOC_EIO (cannot
 * create or lock: "in use by another sweep"), SOC_ECONFIG (the directory
 * holds another sweep's or another shard's rows). */
SOC_API int soc_results_open(soc_results_t **out, const soc_sweep_t *s, const char *dir,
                             int shard_i, int shard_n, soc_error_t *err);
SOC_API void soc_results_close(soc_results_t *r);
/* Rows dropped as torn when opening. */
SOC_API int soc_results_dropped(const soc_results_t *r);
/* Points of this shard, and how many of them have a row. */
SOC_API int soc_results_n_mine(const soc_results_t *r);
SOC_API int soc_results_n_done(const soc_results_t *r);
/* The units of this shard that still miss a row (malloc'ed, in order). */
SOC_API int soc_results_todo(const soc_results_t *r, int **units, int *n);
/* Record the cells of a finished unit (as soc_sweep_run_unit returns
 * them): one sealed row per point, appended with one write(2) each,
 * data-synced at most every 200 ms.  SOC_EIO on a write error. */
SOC_API int soc_results_add(soc_results_t *r, int unit, char *const *cells, soc_error_t *err);
/* When every point of the shard has a row: rewrite results.csv sorted by
 * point (the same bytes whatever the worker count and interruptions) and
 * write summary.csv.  *sum (may be NULL) receives the summary.  SOC_OK,
 * SOC_ESTATE when rows are missing, SOC_EIO. */
SOC_API int soc_results_finish(soc_results_t *r, soc_summary_t **sum, soc_error_t *err);

/* Merge the results.csv of shard directories into `out` (results.csv +
 * summary.csv).  *missing receives the count of points no directory had
 * (the files are written anyway).  *sum as soc_results_finish. */
SOC_API int soc_results_merge(const soc_sweep_t *s, const char *const *dirs, int n_dirs,
                              const char *out, int *missing, soc_summary_t **sum,
                              soc_error_t *err);

/* A summary: rows grouped by every point cell except the seed (and a DS3
 * iteration), with the mean and 95% CI of each metric over the group. */
typedef struct soc_summary_group {
    char **keys;      /* [n_keys] the group's cells */
    int runs;         /* rows in the group */
    double *mean;     /* [n_metrics], NaN where no row had a value */
    double *ci95;     /* [n_metrics], NaN with fewer than 2 values */
} soc_summary_group_t;

struct soc_summary {
    int n_keys;
    char **key_names;    /* [n_keys] */
    int n_metrics;       /* the fields of soc_metric_fields(), in order, then
                            the per-application columns "app.NAME.FIELD" */
    int n_groups;
    soc_summary_group_t *groups;
    char **metric_names; /* [n_metrics] */
};

SOC_API void soc_summary_free(soc_summary_t *s);

/* =============================================================== pool */

/* job(user, idx, &out, err, errsize) runs in a worker process and sets
 * *out to a malloc'ed one-line text (line breaks are replaced by spaces),
 * or fills err; returns 0 or -1.  done(user, idx, out, error) runs in the
 * calling process for each index in completion order (exactly one of out
 * and error is non-NULL; a worker that dies yields an error naming the
 * signal or status, and is replaced).  Indices are handed out in the
 * order of todo[].  Returns 0, or -1 when no worker could start. */
typedef int (*soc_pool_job_fn)(void *user, int idx, char **out, char *err, size_t errsize);
typedef void (*soc_pool_done_fn)(void *user, int idx, const char *out, const char *error);
SOC_API int soc_pool_run(int workers, const int *todo, int n_todo, soc_pool_job_fn job,
                         soc_pool_done_fn done, void *user);
/* Online CPUs (1..1024). */
SOC_API int soc_ncpus(void);

/* Run a whole sweep: open the results (resuming), run the missing units
 * of the shard on `workers` processes, finish.  progress (may be NULL) is
 * called in the calling process after each unit (done and total count
 * points of the shard); failed units are reported through on_error (may
 * be NULL) and leave their points missing.  SOC_OK when every point of
 * the shard has a row (then results.csv is sorted and summary.csv
 * written), SOC_ESTATE when points failed (run again to retry), other
 * codes for I/O and set-up errors. */
typedef struct soc_sweep_exec {
    uint32_t struct_size;
    int workers;          /* 0 = soc_ncpus() */
    int shard_i, shard_n; /* 0/0 = everything */
    void (*progress)(void *user, int done, int total, int failed);
    void (*on_error)(void *user, int point, const char *message);
    /* once the results are open: points of the shard, points already done,
     * points to run, workers, torn rows dropped from results.csv */
    void (*on_start)(void *user, int total, int already_done, int to_run, int workers,
                     int dropped);
    void *user;
} soc_sweep_exec_t;
SOC_API int soc_sweep_execute(soc_sweep_t *s, const char *dir, const soc_sweep_exec_t *x,
                              soc_summary_t **sum, soc_error_t *err);

/* ============================================================ regress */

typedef struct soc_regress soc_regress_t;

/* Load the regression suite in dir (suite.yaml: workloads, seeds,
 * exclude); the schedulers are every built-in of `cat` not excluded. */
SOC_API int soc_regress_load(soc_regress_t **out, const char *dir, const soc_sched_catalog_t *cat,
                             soc_error_t *err);
SOC_API void soc_regress_free(soc_regress_t *r);
/* Run every (workload, scheduler, seed) on `workers` processes (0 = all
 * CPUs).  SOC_ESTATE when some run did not finish. */
SOC_API int soc_regress_run(soc_regress_t *r, int workers, soc_error_t *err);
/* Write the results as dir/golden.csv (atomically). */
SOC_API int soc_regress_write_golden(const soc_regress_t *r, soc_error_t *err);
/* Compare with dir/golden.csv exactly and write the markdown report to out
 * (may be NULL).  *n_diff receives the number of differing values.
 * SOC_EIO when there are no goldens yet (err says how to create them),
 * SOC_ECONFIG when their columns differ from this version's. */
SOC_API int soc_regress_compare(const soc_regress_t *r, FILE *out, int *n_diff, soc_error_t *err);
/* Counts: workloads, schedulers, seeds, runs. */
SOC_API void soc_regress_size(const soc_regress_t *r, int *n_workloads, int *n_schedulers,
                              int *n_seeds);

#ifdef __cplusplus
}
#endif
#endif
