/*
 * yaml_internal.h -- pieces shared by the YAML loader and writer of
 * workloads/ (never installed).  The spellings of enumerated values live
 * here once so that what the writer emits is exactly what the loader
 * accepts.
 */
#ifndef SOC_YAML_INTERNAL_H
#define SOC_YAML_INTERNAL_H

#include "soc/model.h"

/* NULL-terminated spellings, indexed by the matching enum value. */
extern const char *const soc__yaml_arrival_names[];   /* soc_arrival_kind_t */
extern const char *const soc__yaml_semantics_names[]; /* soc_semantics_t */
extern const char *const soc__yaml_comm_mode_names[]; /* soc_comm_mode_t */
extern const char *const soc__yaml_net_model_names[]; /* soc_net_model_t */
extern const char *const soc__yaml_topology_names[];  /* soc_net_topology_t */

/* Largest magnitudes the loader accepts ("absurd value" guards).  Times are
 * in µs: 1e12 µs is 11.5 days of simulated time. */
#define SOC_YAML_MAX_US 1e12
#define SOC_YAML_MAX_VOLUME 1e15
#define SOC_YAML_MAX_BANDWIDTH 1e15
#define SOC_YAML_MAX_MHZ 1e6
#define SOC_YAML_MAX_MV 1e6
#define SOC_YAML_MAX_WATTS 1e6
#define SOC_YAML_MAX_PES_PER_CLUSTER 4096
#define SOC_YAML_MAX_JOBS ((int64_t)1 << 40)
#define SOC_YAML_MAX_TRIPS 8 /* size of soc_ds3_options_t trip arrays */

#endif
