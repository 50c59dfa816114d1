/*
 * sim_internal.h -- library-internal declarations shared by the files of
 * sim/.  Never installed.
 */
#ifndef SOC_SIM_INTERNAL_H
#define SOC_SIM_INTERNAL_H

#include "soc/model.h"
#include "soc/sim.h"

#include "soc_util.h"

/* ---- DS3-semantics engine (ds3_engine.c) ------------------------------
 * soc_sim_create dispatches here when cfg->semantics == SOC_SEM_DS3; the
 * soc_sim_t then only forwards run/metrics/destroy. */
typedef struct soc_ds3_engine soc_ds3_engine_t;
int soc__ds3_create(soc_ds3_engine_t **out, const soc_config_t *cfg,
                    const soc_sim_options_t *opts, const soc_ds3_engine_t *carry,
                    soc_error_t *err);
void soc__ds3_destroy(soc_ds3_engine_t *e);
int soc__ds3_run(soc_ds3_engine_t *e, soc_error_t *err);
void soc__ds3_metrics(const soc_ds3_engine_t *e, soc_metrics_t *out);

#endif
