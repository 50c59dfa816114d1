/*
 * yaml_internal.h -- pieces shared by the YAML loader and writer of
 * workloads/ (never installed).  The spellings of enumerated values live
 * here once so that what the writer emits is exactly what the loader
 * accepts.
 */
#ifndef SOC_YAML_INTERNAL_H
#define SOC_YAML_INTERNAL_H

#include <stddef.h>
#include "soc/model.h"
#include "soc/yaml_tree.h"

/* NULL-terminated spellings, indexed by the matching enum value. */
extern const char *const soc__yaml_arrival_names[];   /* soc_arrival_kind_t */
extern const char *const soc__yaml_semantics_names[]; /* soc_semantics_t */
extern const char *const soc__yaml_comm_mode_names[]; /* soc_comm_mode_t */
extern const char *const soc__yaml_on_full_names[];   /* soc_on_full_t */
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
/* distributions and arrival processes (issue 13) */
#define SOC_YAML_MAX_BATCH 1000000 /* jobs per arrival */
#define SOC_YAML_MAX_VALUES 1000000 /* values of an empirical distribution */
#define SOC_YAML_MAX_CV 100
#define SOC_YAML_MAX_STATES 256   /* MMPP */
#define SOC_YAML_MAX_RATE 1e6     /* MMPP switching rate, per µs */

/* The whole file at `path` into a malloc'ed buffer (*buf, *len; a NUL is
 * not appended).  Files over 64 MiB are refused (SOC_ELIMIT); SOC_EIO when
 * unreadable.  yaml_override.c. */
int soc__read_text(const char *path, char **buf, size_t *len, soc_error_t *err);
/* soc_ytree_parse with a node budget of its own (soc_ytree_parse allows
 * 1,000,000 nodes; importers of big JSON instances need more). */
int soc__ytree_parse_budget(soc_ynode_t **out, const char *text, size_t len, const char *name,
                            long max_nodes, soc_error_t *err);

/* The loaders behind soc_load_yaml / soc_load_yaml_string, with a warning
 * sink (NULL = warnings dropped): yaml_loader.c. */
int soc__load_yaml_warn(soc_config_t *cfg, const char *path, const soc_warn_sink_t *warn,
                        soc_error_t *err);
int soc__load_yaml_string_warn(soc_config_t *cfg, const char *text, const char *name,
                               const char *basedir, const soc_warn_sink_t *warn,
                               soc_error_t *err);

#endif
