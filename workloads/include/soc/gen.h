/*
 * soc/gen.h -- synthetic task graphs: Topcuoglu-style random DAGs, layered,
 * fork-join and series-parallel graphs, and the structured kernels of
 * Gaussian elimination, FFT and tiled Cholesky / LU factorisation, with
 * controlled computation costs, communication-to-computation ratio (CCR)
 * and heterogeneity.  docs/workloads.md gives every structure, its task and
 * edge counts in closed form and the cost model.
 *
 * The result is a finalized soc_config_t (platform + one application, one
 * job at t = 0), like an import (soc/import.h).  Deterministic in the seed:
 * one GSL MT19937 generator draws, in this order, the structure, the mean
 * costs (task order), the heterogeneity factors (task-major) and the edge
 * volumes (edge order).
 *
 * Costs.  Each task i gets a mean cost w_i: random (uniform in [0, 2 w_dag],
 * Topcuoglu et al. 2002) or kernel (the kernel's operation count for the
 * task, scaled so that the mean over the tasks is w_dag exactly).  On
 * cluster c it takes w_i x factor_c x h_ic, where h_ic is uniform in
 * [1 - beta/2, 1 + beta/2] (beta = 0: h = 1).  Each edge carries a volume
 * whose transfer time at the platform's default bandwidth is uniform in
 * [0, 2 CCR w_dag] (random costs) or exactly CCR w_dag (kernel costs), so
 * the mean communication cost over the mean computation cost is CCR.
 */
#ifndef SOC_GEN_H
#define SOC_GEN_H

#include <stdint.h>
#include "soc/import.h"
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum soc_gen_kind {
    SOC_GEN_RANDOM = 0,      /* Topcuoglu: tasks v, out_degree, alpha */
    SOC_GEN_LAYERED,         /* levels x width, degree successors each */
    SOC_GEN_FORK_JOIN,       /* levels (stages) x width branches */
    SOC_GEN_SERIES_PARALLEL, /* tasks, p_parallel */
    SOC_GEN_GAUSS,           /* size = matrix size m */
    SOC_GEN_FFT,             /* size = points (a power of 2) */
    SOC_GEN_CHOLESKY,        /* size = tiles per side */
    SOC_GEN_LU               /* size = tiles per side */
} soc_gen_kind_t;

typedef enum soc_gen_costs {
    SOC_GEN_COSTS_DEFAULT = 0, /* random for the first four kinds, kernel for the rest */
    SOC_GEN_COSTS_RANDOM,
    SOC_GEN_COSTS_KERNEL
} soc_gen_costs_t;

typedef struct soc_gen_params {
    soc_gen_kind_t kind;
    uint64_t seed;
    int tasks;          /* random, series-parallel (default 100) */
    double out_degree;  /* random: mean out-degree (default 3) */
    double alpha;       /* random: shape; height ~ sqrt(v)/alpha (default 1) */
    int levels;         /* layered: levels; fork-join: stages (default 5) */
    int width;          /* layered: tasks per level; fork-join: branches (default 4) */
    int degree;         /* layered: successors in the next level; 0 = width */
    double p_parallel;  /* series-parallel: chance of a parallel split (0.5) */
    int size;           /* gauss m (10), fft points (16), cholesky / lu tiles (5) */
    double w_dag;       /* mean computation cost, µs (default 100) */
    double ccr;         /* communication-to-computation ratio (default 1) */
    double beta;        /* heterogeneity range, 0 .. 2 (default 0.5) */
    soc_gen_costs_t costs;
    int procs;          /* without a platform map: clusters p1..pQ of one PE
                           each (default 4) */
} soc_gen_params_t;

/* Defaults for `kind` (seed 1). */
SOC_API void soc_gen_params_default(soc_gen_params_t *p, soc_gen_kind_t kind);
/* "random", "layered", "fork-join", "series-parallel", "gauss", "fft",
 * "cholesky", "lu"; SOC_EINVAL otherwise. */
SOC_API int soc_gen_kind_parse(const char *name, soc_gen_kind_t *out);
SOC_API const char *soc_gen_kind_name(soc_gen_kind_t k);

/* Task and edge counts of the structure, in closed form (docs/workloads.md);
 * *edges = -1 where the count is random (random, series-parallel: see the
 * docs for what is fixed).  SOC_EINVAL when the parameters are invalid
 * (message in err). */
SOC_API int soc_gen_counts(const soc_gen_params_t *p, int64_t *tasks, int64_t *edges,
                           soc_error_t *err);

/* Generate into *cfg (finalized).  `o` (may be NULL) supplies the platform
 * map, name, bandwidth and latency as for an import; its default
 * bandwidth is 1 here, and the edge volumes are drawn for it.  stats may be
 * NULL. */
SOC_API int soc_gen_dag(const soc_gen_params_t *p, const soc_import_options_t *o,
                        soc_config_t *cfg, soc_import_stats_t *stats, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
