/*
 * dist.h -- distributions of durations and counts (library-internal; the
 * public part, soc_dist_t and its helpers, is in soc/model.h).
 *
 * A soc__sampler_t is a distribution prepared for drawing: derived
 * parameters computed once (lognormal's zeta and sigma, the gamma shape, the
 * hyperexponential's branch probability, the empirical CDF).  Every draw
 * takes its variates from the caller's GSL generator in the order documented
 * in docs/semantics.md ("Randomness and draw order"), so runs stay
 * deterministic.
 *
 * Also here: the config-level helpers model.c calls to free, copy and check
 * the stochastic parts of a soc_config_t (execution-time distributions,
 * renewal/MMPP arrivals, batches, on_full).
 */
#ifndef SOC_DIST_H
#define SOC_DIST_H

#include <gsl/gsl_rng.h>

#include "soc/model.h"

/* Largest value a time draw gives (µs; larger draws are clamped), and the
 * largest batch of jobs one arrival brings. */
#define SOC__DIST_MAX_US 1e12
#define SOC__DIST_MAX_BATCH 1000000

typedef struct soc__sampler {
    soc_dist_kind_t kind;
    double a, b, c;    /* kind-specific, see soc__sampler_init */
    int n;
    const double *values; /* EMPIRICAL: borrowed from the soc_dist_t */
    double *cdf;          /* EMPIRICAL: [n], owned, last entry 1 */
} soc__sampler_t;

/* Prepare d (checked) for drawing; d must outlive the sampler (empirical
 * values are borrowed).  SOC_OK or SOC_ENOMEM. */
int soc__sampler_init(soc__sampler_t *s, const soc_dist_t *d);
void soc__sampler_free(soc__sampler_t *s);
/* One draw in µs, clamped to [0, SOC__DIST_MAX_US]. */
double soc__sampler_draw(const soc__sampler_t *s, gsl_rng *r);
/* One draw as a count: the draw rounded to the nearest integer, at least 1
 * and at most SOC__DIST_MAX_BATCH. */
int64_t soc__sampler_count(const soc__sampler_t *s, gsl_rng *r);

/* ---- config-level helpers (model.c) ---- */

/* Free the stochastic parts of cfg (clusters' exec_dist, the injection's
 * distributions and MMPP arrays). */
void soc__dist_cfg_free(soc_config_t *cfg);
/* After a shallow copy *dst = *src: forget the injection's pointers that
 * still point into src (the clusters' exec_dist are cleared by the cluster
 * copy itself). */
void soc__dist_cfg_detach(soc_config_t *dst);
/* Deep-copy the stochastic parts of src into dst (clusters already copied,
 * their exec_dist NULL).  SOC_OK or SOC_ENOMEM. */
int soc__dist_cfg_copy(soc_config_t *dst, const soc_config_t *src);
/* Validate them (parameters, and that only native semantics uses them).
 * SOC_OK or SOC_ECONFIG with a message naming the cluster / key. */
int soc__dist_cfg_check(const soc_config_t *cfg, soc_error_t *err);

#endif
