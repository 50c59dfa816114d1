/*
 * soc/model.h -- the plain data model of a simulation: platform (SoC),
 * applications (task DAGs), injection and run options.
 *
 * These are value types, filled by the loaders in workloads/ (YAML, DS3
 * files) or by hand.  All strings and arrays are heap-allocated with
 * malloc and owned by the enclosing soc_config_t; soc_config_free releases
 * everything.  soc_config_finalize() validates a filled config (igraph checks
 * every DAG) and computes the derived fields marked "derived".
 *
 * Units: times in microseconds (double), data volumes in arbitrary data
 * units (DS3 says bits), bandwidths in data units per microsecond, so
 * communication time = volume / bandwidth microseconds.
 */
#ifndef SOC_MODEL_H
#define SOC_MODEL_H

#include <stdint.h>
#include "soc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exact simulated time of the native engine: integer nanoseconds. */
typedef int64_t soc_time_t;
#define SOC_NS_PER_US 1000
#define SOC_TIME_NEVER INT64_MAX
/* Limits soc_config_finalize enforces: every time, configured or derived
 * (a transfer's latency + volume / bandwidth, an execution time at the
 * lowest frequency), is at most SOC_MAX_DURATION_US (11.5 days, so any sum
 * the engine forms stays far inside int64 nanoseconds); a mean inter-arrival
 * time or period is at least SOC_MIN_INTERVAL_US (1 ns, the time step). */
#define SOC_MAX_DURATION_US 1e12
#define SOC_MIN_INTERVAL_US 0.001

/* Convert microseconds to soc_time_t (round half away from zero). */
SOC_API soc_time_t soc_time_from_us(double us);
static inline double soc_time_to_us(soc_time_t t) { return (double)t / SOC_NS_PER_US; }

/* -------------------------------------------------------- distributions */

/* A probability distribution of a duration (µs) or of a count (jobs per
 * arrival).  Parameterisation, sampling and truncation rules are in
 * docs/config.md ("Distributions") and docs/semantics.md; samples come from
 * the simulation's one random generator, drawn by the native engine only
 * (sim/dist.c).  Arrays are owned (soc_dist_free). */
typedef enum soc_dist_kind {
    SOC_DIST_NONE = 0,       /* no distribution: the plain number applies */
    SOC_DIST_CONSTANT,       /* always `mean` (with an estimate of its own) */
    SOC_DIST_EXPONENTIAL,    /* mean */
    SOC_DIST_UNIFORM,        /* min, max */
    SOC_DIST_NORMAL,         /* mean, sd of the untruncated normal; drawn
                                again while negative (truncated at 0) */
    SOC_DIST_LOGNORMAL,      /* mean, cv */
    SOC_DIST_GAMMA,          /* mean, cv (Erlang-k when 1/cv^2 = k) */
    SOC_DIST_HYPEREXP,       /* mean, cv >= 1: two phases, balanced means */
    SOC_DIST_EMPIRICAL       /* values with weights (summing to 1) */
} soc_dist_kind_t;

typedef struct soc_dist {
    soc_dist_kind_t kind;
    double mean;       /* CONSTANT (the value), EXPONENTIAL, NORMAL,
                          LOGNORMAL, GAMMA, HYPEREXP */
    double sd;         /* NORMAL */
    double cv;         /* LOGNORMAL, GAMMA, HYPEREXP: sd / mean */
    double min, max;   /* UNIFORM */
    int n;             /* EMPIRICAL */
    double *values;    /* [n] */
    double *weights;   /* [n], >= 0, sum 1 */
} soc_dist_t;

/* The mean of the distribution as drawn (NORMAL: of the normal truncated at
 * 0); NaN for NONE or invalid parameters. */
SOC_API double soc_dist_mean(const soc_dist_t *d);
/* Check d's parameters; `count` != 0 for a number of jobs (values must be
 * integers >= 1 where they are given).  SOC_OK, or SOC_ECONFIG with a
 * message (without position) in msg. */
SOC_API int soc_dist_check(const soc_dist_t *d, int count, char *msg, size_t size);
/* Name of a kind as written in YAML ("exponential"), NULL for NONE. */
SOC_API const char *soc_dist_name(soc_dist_kind_t kind);
/* Kind of a YAML name, SOC_DIST_NONE when unknown. */
SOC_API soc_dist_kind_t soc_dist_kind_of(const char *name);
/* Free what d owns (not d) and reset it to NONE; NULL is fine. */
SOC_API void soc_dist_free(soc_dist_t *d);
/* Deep copy (dst overwritten without being freed).  SOC_OK / SOC_ENOMEM. */
SOC_API int soc_dist_copy(soc_dist_t *dst, const soc_dist_t *src);
/* 1 when the two describe the same distribution (same kind, parameters). */
SOC_API int soc_dist_equal(const soc_dist_t *a, const soc_dist_t *b);

/* ---------------------------------------------------------------- power */

/* Operating point of a DVFS cluster. */
typedef struct soc_opp {
    double freq_mhz;
    double volt_mv;
} soc_opp_t;

/* A power profile row: total cluster power (W) at frequencies up to
 * freq_mhz, with 1..count busy cores (watts[count]). */
typedef struct soc_power_row {
    double freq_mhz;
    double *watts; /* [cluster count] */
} soc_power_row_t;

/* Per-cluster power description (optional; NULL = no power model). */
typedef struct soc_cluster_power {
    char *governor;        /* "performance", "powersave", "ondemand",
                              "constant-<MHz>", "none" */
    int n_opps;
    soc_opp_t *opps;       /* ascending frequency */
    int n_trip;
    double *trip_freq_mhz;      /* [n_trip], -1 = unchanged */
    int n_dtpm_trip;
    double *dtpm_trip_freq_mhz; /* [n_dtpm_trip] */
    int n_profiles;
    soc_power_row_t *profiles;    /* power_profile rows, ascending freq */
    int n_pg_profiles;
    soc_power_row_t *pg_profiles; /* power-gated rows */
    double idle_w;         /* native: per-PE idle power (W) */
} soc_cluster_power_t;

/* ------------------------------------------------------------- platform */

/* A cluster: `count` identical processing elements. */
typedef struct soc_cluster {
    char *name;    /* unique, e.g. "A15" */
    char *kind;    /* e.g. "cpu", "cpu_big", "dsp", "fpga", "gpu", "acc",
                      DS3 types "LTL", "BIG", "ACC_1", "MEM" */
    int count;     /* number of PEs, >= 1 */
    int is_memory; /* a memory resource: runs no tasks (DS3's MEM) */
    double *exec_us; /* [platform.n_types]; < 0 = type unsupported here.
                        With a distribution below: its estimate (what
                        schedulers see; default the distribution's mean) */
    soc_cluster_power_t *power; /* may be NULL */
    soc_dist_t *exec_dist; /* [platform.n_types] or NULL: drawn execution
                              times (native semantics); kind NONE = exec_us
                              is exact */
    /* derived */
    int first_pe;  /* global index of the first PE of this cluster */
} soc_cluster_t;

typedef enum soc_comm_mode {
    SOC_COMM_PE_TO_PE = 0,   /* pred PE -> succ PE transfer */
    SOC_COMM_SHARED_MEMORY = 1 /* through the memory cluster */
} soc_comm_mode_t;

/* Contention model of the interconnect (communication.contention; see
 * docs/semantics.md "Contention").  NULL in soc_platform_t = none: every
 * transfer takes its contention-free time, as in DS3. */
typedef enum soc_net_model {
    SOC_NET_NONE = 0, /* contention-free (the default) */
    SOC_NET_BUS = 1,  /* one shared medium, FIFO, `channels` servers */
    SOC_NET_FLOW = 2  /* flows over routes of links, max-min fair sharing */
} soc_net_model_t;

typedef enum soc_net_topology {
    SOC_TOPO_CROSSBAR = 0,   /* one in and one out port link per PE */
    SOC_TOPO_SHARED_BUS = 1, /* one link shared by every transfer */
    SOC_TOPO_MESH = 2        /* cols x rows routers, XY routing */
} soc_net_topology_t;

typedef struct soc_contention {
    soc_net_model_t model;
    soc_net_topology_t topology; /* flow model only */
    double bandwidth;        /* the bus, or every link; <= 0 = bw_default */
    int channels;            /* bus: transfers served at once (>= 1) */
    double *port_bw;         /* [n_clusters] bandwidth of the port links of
                                each cluster's PEs (crossbar, mesh); <= 0 =
                                `bandwidth`; may be NULL */
    double memory_bw;        /* flow, shared_memory mode: the memory
                                controller link crossed by every write and
                                read; <= 0 = no such link (unbounded) */
    int cols, rows;          /* mesh size */
    double hop_latency_us;   /* mesh: latency of one router-to-router hop */
    int n_at;                /* entries of `at` (= n_pes of the platform) */
    int *at;                 /* mesh: [2 * n_at] router (x, y) of each PE */
    double energy_pj_per_unit; /* energy of one data unit crossing one link
                                  (flow) or the bus, pJ; 0 = none */
} soc_contention_t;

typedef struct soc_platform {
    char *name;
    int n_types;
    char **type_names;       /* [n_types]; the task-type universe */
    int n_clusters;
    soc_cluster_t *clusters; /* [n_clusters] */
    double bw_self;          /* same PE; <= 0 means transfer is free */
    double bw_default;       /* pairs not given in bw; > 0 */
    double *bw;              /* [n_clusters * n_clusters] cluster-pair
                                bandwidth, <= 0 = use bw_default; may be NULL */
    double latency_us;       /* fixed start-up latency of a transfer between
                                different PEs (native semantics; default 0) */
    soc_comm_mode_t comm_mode;
    int memory_cluster;      /* cluster index used in shared-memory mode,
                                -1 = none */
    /* derived */
    int n_pes;
    int *pe_cluster;         /* [n_pes] */
    /* contention model, NULL = none (owned; appended to keep the layout
     * that schedulers and plug-ins read) */
    soc_contention_t *contention;
} soc_platform_t;

/* --------------------------------------------------------- applications */

typedef struct soc_edge {
    int src, dst;     /* task indices within the application */
    double volume;    /* data units; 0 = pure precedence */
} soc_edge_t;

typedef struct soc_task_def {
    char *name;
    int type;         /* index into platform.type_names */
} soc_task_def_t;

typedef struct soc_app {
    char *name;
    int n_tasks;
    soc_task_def_t *tasks;
    int n_edges;
    soc_edge_t *edges;
    double probability;   /* share of the injection mix */
    double deadline_us;   /* relative to arrival; 0 = none */
    int head, tail;       /* DS3 HEAD/TAIL task, -1 = not given */
    /* derived by soc_config_finalize (CSR adjacency, edge indices) */
    int *pred_off;        /* [n_tasks + 1] */
    int *pred_edge;       /* [n_edges], edges into task i at pred_off[i].. */
    int *succ_off;        /* [n_tasks + 1] */
    int *succ_edge;       /* [n_edges] */
    int *topo;            /* [n_tasks] a topological order (igraph) */
    int n_entry, n_exit;
} soc_app_t;

/* ------------------------------------------------------------ injection */

typedef enum soc_arrival_kind {
    SOC_ARRIVAL_POISSON = 0, /* exponential inter-arrival, mean mean_us */
    SOC_ARRIVAL_PERIODIC,    /* fixed inter-arrival mean_us */
    SOC_ARRIVAL_TRACE,       /* explicit arrival times */
    SOC_ARRIVAL_RENEWAL,     /* i.i.d. inter-arrival times from `interarrival` */
    SOC_ARRIVAL_MMPP         /* Markov-modulated Poisson process */
} soc_arrival_kind_t;

/* What an arrival that finds max_in_flight jobs in the system does. */
typedef enum soc_on_full {
    SOC_ON_FULL_WAIT = 0,    /* waits at the door; the source pauses */
    SOC_ON_FULL_DROP = 1     /* is lost (loss model) */
} soc_on_full_t;

typedef struct soc_injection {
    soc_arrival_kind_t kind;
    double mean_us;        /* POISSON mean / PERIODIC period */
    double start_us;       /* time of the first arrival (POISSON/PERIODIC) */
    int n_times;           /* TRACE */
    double *times_us;      /* TRACE: non-decreasing */
    int *trace_apps;       /* TRACE: app per arrival, -1 = draw; may be NULL */
    int max_in_flight;     /* cap on jobs in the system, 0 = none */
    double warmup_us;      /* jobs arriving before are not measured */
    int64_t max_jobs;      /* measured jobs to inject; the run ends when all
                              of them completed.  0 = no limit */
    double sim_time_us;    /* end of the run, 0 = none (one of the two
                              limits, or a finite TRACE, is required) */
    soc_dist_t interarrival; /* RENEWAL: inter-arrival time (µs) */
    int n_states;          /* MMPP: states of the modulating chain */
    double *state_mean_us; /* MMPP: [n_states] mean inter-arrival per state */
    double *switch_rate;   /* MMPP: [n_states^2] rate (per µs) of going from
                              state i (row) to j; the diagonal is ignored */
    soc_dist_t batch;      /* jobs per arrival (NONE = 1); not with TRACE */
    soc_on_full_t on_full; /* with max_in_flight */
} soc_injection_t;

/* ------------------------------------------------------------- semantics */

typedef enum soc_semantics {
    SOC_SEM_NATIVE = 0, /* exact event-driven model (nanosecond integers) */
    SOC_SEM_DS3 = 1     /* DS3-compatible tick semantics (integer µs) */
} soc_semantics_t;

/* ---------------------------------------------------------------- config */

/* DS3-semantics options (config_file.ini), defined in soc/ds3.h. */
struct soc_ds3_options;
/* A setting carried with a config that the engine does not interpret:
 * front-end choices such as the files a run should write (the YAML
 * `outputs:` section, keys listed in soc/workload.h). */
typedef struct soc_setting {
    char *key;
    char *value;
} soc_setting_t;

typedef struct soc_config {
    char *name;            /* informational; may be NULL */
    char *source;          /* file it was read from (for messages); may be NULL */
    soc_platform_t platform;
    int n_apps;
    soc_app_t *apps;
    soc_injection_t injection;
    char *scheduler;       /* "heft", "plugin:PATH.so", "neural:WEIGHTS" */
    uint64_t seed;
    soc_semantics_t semantics;
    struct soc_ds3_options *ds3; /* DS3 options (soc/ds3.h), NULL = defaults;
                                    owned, freed by soc_config_free */
    int power_model;       /* 1 = compute energy/power (needs cluster power) */
    int n_settings;
    soc_setting_t *settings; /* front-end settings, in the order set */
} soc_config_t;

/* Zero-initialise *cfg with defaults (seed 1, native semantics). */
SOC_API void soc_config_init(soc_config_t *cfg);
/* Free everything *cfg owns (not cfg itself).  Accepts NULL. */
SOC_API void soc_config_free(soc_config_t *cfg);
/* Free a contention description (NULL is fine). */
SOC_API void soc_contention_free(soc_contention_t *c);
/* Deep copy (dst is overwritten, caller frees with soc_config_free). */
SOC_API int soc_config_copy(soc_config_t *dst, const soc_config_t *src);
/* Validate and compute derived fields.  Errors name the offending
 * application/task/cluster; err->file is cfg->source.  Idempotent. */
SOC_API int soc_config_finalize(soc_config_t *cfg, soc_error_t *err);

/* Value of a front-end setting, NULL if it is not set (borrowed). */
SOC_API const char *soc_config_setting(const soc_config_t *cfg, const char *key);
/* Set (or replace) a front-end setting; value NULL removes it.  SOC_OK,
 * SOC_EINVAL (no key), SOC_ENOMEM. */
SOC_API int soc_config_set_setting(soc_config_t *cfg, const char *key, const char *value);

/* Index of a task type by name, -1 if absent. */
SOC_API int soc_platform_type_index(const soc_platform_t *p, const char *name);
/* Bandwidth between two PEs (global indices), following the rules above:
 * same PE -> bw_self, else cluster pair, else bw_default. */
SOC_API double soc_platform_bandwidth(const soc_platform_t *p, int src_pe,
                                      int dst_pe);
/* Execution time (µs) of a task type on a PE, < 0 if unsupported. */
SOC_API double soc_platform_exec_us(const soc_platform_t *p, int type, int pe);

#ifdef __cplusplus
}
#endif
#endif
