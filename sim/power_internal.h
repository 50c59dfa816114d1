/*
 * power_internal.h -- the power, thermal and DVFS model of the native engine
 * (power.c), and the physics both semantics share (leakage formula, the
 * Odroid-XU3 thermal matrices).  Library-internal; never installed.
 *
 * The model is documented in docs/power.md.  In short: a cluster's power is
 * piecewise constant between state changes (a PE starts or finishes a task,
 * a frequency changes, the thermal model steps), so energy is integrated
 * exactly as sum(P x dt) with dt in integer nanoseconds.
 */
#ifndef SOC_POWER_INTERNAL_H
#define SOC_POWER_INTERNAL_H

#include "soc/dvfs.h"
#include "soc/model.h"
#include "soc/sim.h"

/* ------------------------------------------------------------ physics */

#define SOC__NHOT 5          /* hotspots of the thermal model */
#define SOC__P_MEM_W 0.0473  /* Odroid-XU3 memory power (DS3 constant) */
#define SOC__P_GPU_W 0.1201  /* Odroid-XU3 GPU power (DS3 constant) */

/* Thermal model T' = A (T - Ta) + B P + Ta, one step per thermal period. */
extern const double soc__thermal_A[SOC__NHOT][SOC__NHOT];
extern const double soc__thermal_B_mem[SOC__NHOT];
extern const double soc__thermal_B_gpu[SOC__NHOT];
extern const double soc__thermal_B_big[SOC__NHOT];
extern const double soc__thermal_B_little[SOC__NHOT];
extern const double soc__thermal_B_zero[SOC__NHOT];

/* Leakage constants (DS3 config_file.ini [POWER MANAGEMENT]). */
typedef struct soc__leak_params {
    double C1, C2, Igate;
} soc__leak_params_t;

/* Leakage power of one core before the per-core division:
 * V C1 TK^2 exp(-C2/TK) + Igate V, V = v_mv * 1e-3, TK = 273 + t_max_c,
 * evaluated in DS3's exact order (so DS3 semantics is bit-exact). */
double soc__leak_raw(const soc__leak_params_t *lp, double v_mv, double t_max_c);

/* One thermal step in place.  P[k] is the power feeding column bcol[k]
 * (each a SOC__NHOT vector); sums run left to right as DS3's. */
void soc__thermal_step(double T[SOC__NHOT], double t_ambient, int n_p,
                       const double *P, const double *const *bcol);

/* Largest element (the first one on ties). */
double soc__max_temp(const double T[SOC__NHOT]);

/* Column of the thermal B matrix for a cluster kind: big, little or zero.
 * Kinds are matched case-sensitively: "BIG"/"big"/"cpu_big",
 * "LTL"/"little"/"cpu_little". */
const double *soc__thermal_column(const char *kind);
/* 1 for little-core kinds (leakage / 16 instead of / 4). */
int soc__kind_little(const char *kind);

/* Frequency index helpers on an ascending OPP table: the index whose
 * frequency equals f exactly, or -1. */
int soc__opp_exact(const soc_opp_t *opps, int n, double f);

/* ------------------------------------------------------------- governors */

/* Built-in governors (dvfs.c) and spec helpers shared with the registry. */
extern const soc_dvfs_ops_t soc__dvfs_performance;
extern const soc_dvfs_ops_t soc__dvfs_powersave;
extern const soc_dvfs_ops_t soc__dvfs_constant;
extern const soc_dvfs_ops_t soc__dvfs_ondemand;
/* A finite number filling [s, end) (end NULL: to the NUL); 0 or -1. */
int soc__dvfs_parse_num(const char *s, const char *end, double *out);
/* "LOW:HIGH" with 0 <= LOW <= HIGH; 0 or -1. */
int soc__dvfs_parse_ondemand(const char *arg, double *lo, double *hi);

/* ------------------------------------------------------- native model */

typedef struct soc_power soc_power_t;

/* Native power parameters: from cfg->ds3 when present, else the defaults
 * of docs/power.md.  Exposed for tests. */
typedef struct soc__power_params {
    soc__leak_params_t leak;
    double t_ambient;
    soc_time_t epoch_ns;      /* governor epoch */
    soc_time_t thermal_ns;    /* thermal step */
    double util_low, util_high;
    int throttle;             /* 0 off, 1 trip_freq, 2 DTPM trip freqs */
    int n_trip;
    double trip_c[8], hyst_c[8];
} soc__power_params_t;

void soc__power_params(const soc_config_t *cfg, soc__power_params_t *out);

/* Create the model for a finalized native config with cfg->power_model set.
 * Resolves (and loads) every cluster's governor.  on_power may be NULL. */
int soc__power_create(soc_power_t **out, const soc_config_t *cfg,
                      soc_power_fn on_power, void *power_user,
                      soc_error_t *err);
void soc__power_destroy(soc_power_t *p);
/* Back to time 0 (temperatures, energies, governor instances). */
int soc__power_reset(soc_power_t *p, soc_error_t *err);

/* A task of fmax-duration d_ns starts on pe at now; returns its duration at
 * the cluster's current frequency. */
soc_time_t soc__power_task_start(soc_power_t *p, soc_time_t now, int pe,
                                 soc_time_t d_ns);
/* The task on pe finished at now. */
void soc__power_task_end(soc_power_t *p, soc_time_t now, int pe);
/* After a frequency change of pe's cluster at now: the new finish time of
 * the task running on pe. */
soc_time_t soc__power_retime(soc_power_t *p, soc_time_t now, int pe);
/* Cluster frequency (MHz) at the start of pe's current/last task. */
double soc__power_task_freq(const soc_power_t *p, int pe);

/* Time of the next power step (thermal, governor epoch, warm-up mark), or
 * SOC_TIME_NEVER. */
soc_time_t soc__power_next(const soc_power_t *p);
/* Do the steps due at now (== soc__power_next).  changed[c] is set to 1
 * for every cluster whose frequency changed (array of n_clusters, all 0 on
 * entry; the caller clears what it handled).  Returns the number of such
 * clusters (>= 0), or a governor's error (< 0, err filled). */
int soc__power_step(soc_power_t *p, soc_time_t now, unsigned char *changed,
                    soc_error_t *err);
/* Integrate up to the end of the run (idempotent for the same now). */
void soc__power_finish(soc_power_t *p, soc_time_t now);
/* Energy (J) of all clusters from time 0 to now (>= the last change),
 * without changing the model: what soc_sim_energy_j reports. */
double soc__power_energy_at(const soc_power_t *p, soc_time_t now);
/* Energy figures (energy_j, avg_power_w, peak_temp_c, per-PE/cluster
 * arrays owned by p); edp = m->makespan_us * energy_j, so the caller fills
 * makespan_us first. */
void soc__power_metrics(const soc_power_t *p, soc_metrics_t *m);

#endif
