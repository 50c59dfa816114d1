/*
 * soc/import.h -- task graphs from other tools: WfCommons workflow instances
 * (WfFormat JSON 1.0 to 1.6), the Standard Task Graph set (STG), Graphviz
 * DOT; a platform for them (the platform map); DOT output of an application
 * with its critical path.  docs/workloads.md describes the formats, the
 * options and the rules.
 *
 * An import yields a finalized soc_config_t holding the platform and ONE
 * application (one job arriving at t = 0, scheduler "heft"), ready for
 * soc_sim_create or for soc_write_app_yaml / soc_write_platform_yaml.
 *
 * Costs.  Every format gives each task a cost (WfCommons: runtimeInSeconds;
 * STG: the cost column; DOT: the `cost` attribute), scaled by
 * options.time_scale to microseconds: the task's *reference time*.  A task's
 * execution time on a cluster is its reference time times the cluster's
 * factor (the platform map), unless the map gives an explicit time for the
 * task's category.  socsim's execution times belong to task types (one time
 * per type and cluster), so tasks become types as follows:
 *   SOC_IMPORT_TYPES_EXACT (default): one type per (category, reference
 *     time); the type is named after the category when the category has a
 *     single time, else "category@time" (time in the file's units).  Every
 *     task keeps its exact time; total work and critical path are those of
 *     the file.
 *   SOC_IMPORT_TYPES_CATEGORY: one type per category, with the mean time of
 *     the category's tasks (total work kept, per-task variation lost).
 *
 * Ownership: the caller owns *cfg (soc_config_free) and the platform map
 * (soc_platform_map_free); options only borrow the map and strings.
 *
 * Errors: SOC_EPARSE (malformed file, with file:line:col), SOC_ECONFIG
 * (invalid content: unknown parents, negative or missing costs, cycles are
 * SOC_ECYCLE), SOC_ELIMIT (file over 64 MiB, values beyond the loader's
 * limits), SOC_EIO, SOC_ENOMEM.  On failure *cfg is left empty.
 */
#ifndef SOC_IMPORT_H
#define SOC_IMPORT_H

#include <stdio.h>
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum soc_import_format {
    SOC_IMPORT_WFCOMMONS = 0, /* WfFormat JSON */
    SOC_IMPORT_STG,           /* Standard Task Graph text */
    SOC_IMPORT_DOT            /* Graphviz DOT subset */
} soc_import_format_t;

/* "wfcommons" (also "wfformat", "json"), "stg", "dot" (also "gv");
 * SOC_EINVAL for anything else. */
SOC_API int soc_import_format_parse(const char *name, soc_import_format_t *out);
SOC_API const char *soc_import_format_name(soc_import_format_t f);

typedef enum soc_import_types {
    SOC_IMPORT_TYPES_EXACT = 0,
    SOC_IMPORT_TYPES_CATEGORY
} soc_import_types_t;

/* ----------------------------------------------------------- platform map
 * Which clusters the platform has and how fast each runs each category.
 * Built from "NAME[:COUNT[:FACTOR]]" specs and/or a small YAML file:
 *
 *   clusters:
 *     - name: big                   # required, unique
 *       kind: cpu                   # optional free text
 *       count: 4                    # PEs, default 1
 *       factor: 1.0                 # time = reference time x factor (default 1;
 *                                   #   ~ = runs only the categories listed below)
 *       factors: {mAdd: 2, mJPEG: ~}    # per category (or type) factor; ~ = cannot run
 *       exec_us: {mConcatFit: 120}      # per category explicit time in µs (wins)
 *   communication:                  # all optional
 *     bandwidth_default: 125        # data units per µs
 *     bandwidth_self: 0
 *     latency_us: 0
 *     bandwidth: [[big, gpu, 10]]   # cluster pairs
 */
typedef struct soc_platform_map soc_platform_map_t;

SOC_API int soc_platform_map_new(soc_platform_map_t **out);
SOC_API void soc_platform_map_free(soc_platform_map_t *m);
/* Add a cluster "NAME[:COUNT[:FACTOR]]" (SOC_EINVAL on a malformed spec). */
SOC_API int soc_platform_map_add_cluster(soc_platform_map_t *m, const char *spec,
                                         soc_error_t *err);
/* Read a map file (format above; errors with file:line:col).  Its clusters
 * come after those already in m; its communication keys replace earlier
 * ones. */
SOC_API int soc_platform_map_load(soc_platform_map_t *m, const char *path, soc_error_t *err);
/* Number of clusters in the map. */
SOC_API int soc_platform_map_clusters(const soc_platform_map_t *m);

/* --------------------------------------------------------------- options */

typedef struct soc_import_options {
    const char *name;        /* application name; NULL = the file's (or its stem) */
    double time_scale;       /* µs per cost unit of the file; 0 = the format's
                                default: 1e6 for WfCommons (seconds), 1 else */
    double data_scale;       /* data units per volume unit of the file (bytes
                                for WfCommons); default 1; 0 drops all data */
    double default_cost;     /* cost of a task the file gives none (DOT nodes
                                without `cost`); NaN (default) = none: an error
                                unless the map gives explicit times */
    soc_import_types_t types;
    const soc_platform_map_t *map; /* NULL or no clusters: the default platform
                                      (WfCommons machines when the file has
                                      them, else one cluster "cpu" of 4 PEs) */
    int machines;            /* WfCommons: 1 = clusters from the file's machines
                                even with a map (its clusters come after);
                                -1 = never; 0 = default (when no map) */
    int speed_normalize;     /* WfCommons machines with speeds: a task's
                                reference time = runtime x (its machine's
                                speed / fastest speed), cluster factor =
                                fastest speed / the machine's speed */
    double bandwidth;        /* bandwidth_default; 0 = the map's, else the
                                format's default (WfCommons 125 bytes/µs =
                                1 Gbit/s, else 1) */
    double latency_us;       /* < 0 = the map's (default 0) */
    int no_join;             /* 1: refuse a graph that is not connected */
    int join;                /* 1: join the parts of a graph that is not
                                connected with one virtual entry task of time 0
                                (default 0: keep the parts as they are; a job
                                of independent parts runs natively) */
} soc_import_options_t;

/* Defaults: everything 0/NULL, default_cost NaN, latency_us -1. */
SOC_API void soc_import_options_default(soc_import_options_t *o);

/* What an import found (all sums over the application as imported). */
typedef struct soc_import_stats {
    int n_tasks;             /* tasks in the application (file + virtual) */
    int n_edges;             /* dependencies (file + virtual entry edges) */
    int n_virtual;           /* tasks added to connect the graph (0, or 1 with
                                join) */
    int n_virtual_edges;
    int n_types;             /* task types (type classes) */
    int n_categories;
    int n_clusters;
    int n_machines;          /* WfCommons machines in the file */
    double total_ref_us;     /* sum of reference times */
    double total_volume;     /* sum of edge volumes (after data_scale) */
    double input_volume;     /* WfCommons: data read from files no task writes */
    double critical_path_us; /* longest path of reference times, no
                                communication */
    int n_unknown_cost;      /* tasks without a reference time (timed by the
                                map's exec_us); they count 0 in the sums */
    char version[16];        /* WfFormat schemaVersion ("" for other formats) */
    char map_warning[400];   /* "file:line:col: ..." when a key of the map
                                matched no category or type ("" = none) */
} soc_import_stats_t;

/* Import `path` (fmt) into *cfg (finalized; platform + one application).
 * stats may be NULL. */
SOC_API int soc_import(soc_import_format_t fmt, const char *path, const soc_import_options_t *o,
                       soc_config_t *cfg, soc_import_stats_t *stats, soc_error_t *err);
/* soc_import for one format. */
SOC_API int soc_import_wfcommons(const char *path, const soc_import_options_t *o,
                                 soc_config_t *cfg, soc_import_stats_t *stats, soc_error_t *err);
SOC_API int soc_import_stg(const char *path, const soc_import_options_t *o, soc_config_t *cfg,
                           soc_import_stats_t *stats, soc_error_t *err);
SOC_API int soc_import_dot(const char *path, const soc_import_options_t *o, soc_config_t *cfg,
                           soc_import_stats_t *stats, soc_error_t *err);
/* The same from text in memory (`name` is used in messages). */
SOC_API int soc_import_string(soc_import_format_t fmt, const char *text, size_t len,
                              const char *name, const soc_import_options_t *o,
                              soc_config_t *cfg, soc_import_stats_t *stats, soc_error_t *err);

/* ---------------------------------------------- critical path, DOT output */

/* How a scheduler summarizes a heterogeneous platform for priorities
 * (docs/schedulers.md "Costs"): a task costs the mean (best, worst) of its
 * type's execution time over the PEs that can run it (weighted by cluster
 * size); an edge with data costs latency + volume / mean bandwidth over
 * ordered pairs of distinct task-running PEs (best: fastest link, worst:
 * slowest); a pure precedence edge costs 0. */
typedef enum soc_estimate {
    SOC_ESTIMATE_MEAN = 0,   /* heft, cpop, peft and the rest */
    SOC_ESTIMATE_BEST,       /* heft_best, heft:best */
    SOC_ESTIMATE_WORST       /* heft_worst, heft:worst */
} soc_estimate_t;

/* The estimate a scheduler spec ranks by ("heft", "heft:best",
 * "heft_worst", ...; anything else -> MEAN), or the names "mean", "best",
 * "worst". */
SOC_API soc_estimate_t soc_estimate_for(const char *spec);
SOC_API const char *soc_estimate_name(soc_estimate_t e);

/* Task costs w[n_tasks] and edge costs c[n_edges] (µs) of a finalized
 * application under an estimate.  Either array may be NULL. */
SOC_API int soc_app_costs(const soc_platform_t *p, const soc_app_t *a, soc_estimate_t est,
                          double *w, double *c);

/* The critical path of a finalized application under an estimate: the
 * longest entry-to-exit path of task plus edge costs (ties: lower task
 * index).  path[] (capacity n_tasks, may be NULL) receives its tasks in
 * order, *n_path their number, *length_us its length. */
SOC_API int soc_app_critical_path(const soc_platform_t *p, const soc_app_t *a,
                                  soc_estimate_t est, int *path, int *n_path,
                                  double *length_us);

typedef struct soc_dot_options {
    int critical_path;       /* highlight the critical path (red, bold) */
    soc_estimate_t estimate; /* costs shown and used for the path */
    const char *estimate_label; /* shown in the graph label, e.g. the
                                   scheduler's name; NULL = the estimate's */
    int costs;               /* show task/edge costs (needs a platform that
                                runs the types; 1 by default in the CLI) */
    const char *rankdir;     /* "TB" (NULL) or "LR" */
} soc_dot_options_t;

/* Write application `app` of a finalized config as a DOT digraph that
 * `soc_import(SOC_IMPORT_DOT)` reads back: node attributes name, type and
 * cost (the estimate), edge attribute volume (and a label). */
SOC_API int soc_write_dot(const soc_config_t *cfg, int app, const soc_dot_options_t *o,
                          FILE *out, soc_error_t *err);

/* Load an application file (what an `applications:` entry names) into
 * *cfg, with the platform file `platform_path`, or -- NULL -- with a stub
 * platform (one cluster "any" that runs every type in 0 µs) so that the
 * graph alone can be drawn.  Errors carry the file's line:col. */
SOC_API int soc_load_app_yaml(soc_config_t *cfg, const char *app_path,
                              const char *platform_path, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
