/*
 * engine.h -- the internal engine interface.  Never installed.
 *
 * A simulation (soc_sim_t, sim.c) is a thin handle over one engine: an
 * implementation of soc__engine_ops_t chosen once, at creation, from the
 * config's semantics (the engine registry in sim.c).  The native engine
 * (native.c) implements every entry; the DS3-semantics engine
 * (ds3_engine.c) runs whole runs only.  An entry an engine does not
 * implement is NULL, and the dispatcher answers SOC_EUNSUPPORTED with a
 * message naming the operation and the engine -- no engine-specific checks
 * anywhere else.
 *
 * `impl` is the engine's private state; `ext` at creation carries
 * engine-specific parameters (soc_ds3_run_t for DS3, NULL for native).
 */
#ifndef SOC_ENGINE_H
#define SOC_ENGINE_H

#include "soc/sim.h"

typedef struct soc__engine_ops {
    const char *name; /* "native", "ds3": used in messages */
    int (*create)(void **impl, const soc_config_t *cfg, const soc_sim_options_t *opts,
                  const void *ext, soc_error_t *err);
    void (*destroy)(void *impl);
    /* run to the end with the configured scheduler */
    int (*run)(void *impl, soc_error_t *err);
    void (*metrics)(void *impl, soc_metrics_t *out);
    /* optional entries (NULL = not supported by this engine) */
    int (*reset)(void *impl, uint64_t seed, soc_error_t *err);
    int (*next_decision)(void *impl, soc_view_t **view, soc_error_t *err);
    int (*assign)(void *impl, soc_task_ref_t t, int pe, soc_time_t start);
    void (*pass)(void *impl);
    soc_view_t *(*view)(void *impl);
    double (*now_us)(const void *impl);
    int (*done)(const void *impl);
    double (*jobs_age_sum_us)(const void *impl);
    /* energy so far (J), < 0 without a power model */
    double (*energy_j)(const void *impl);
} soc__engine_ops_t;

/* The handle behind soc_sim_t. */
struct soc_sim {
    const soc__engine_ops_t *ops;
    void *impl;
    char sched_name[64];
    int n_pes;
    char **pe_names;  /* [n_pes] "<cluster>_<PE index>" (soc_metrics_t) */
};

extern const soc__engine_ops_t soc__native_engine;
extern const soc__engine_ops_t soc__ds3_engine;

/* Create a simulation on a given engine (soc_sim_create picks the engine
 * from cfg->semantics; soc_ds3_sim_create passes its run parameters). */
int soc__sim_create_on(soc_sim_t **out, const soc__engine_ops_t *eng, const soc_config_t *cfg,
                       const soc_sim_options_t *opts, const void *ext, soc_error_t *err);

#endif
