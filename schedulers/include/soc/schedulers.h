/*
 * soc/schedulers.h -- the registry of built-in schedulers and the plug-in
 * loader.
 */
#ifndef SOC_SCHEDULERS_H
#define SOC_SCHEDULERS_H

#include "soc/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

/* NULL-terminated list of the built-in schedulers, in display order. */
SOC_API const soc_sched_ops_t *const *soc_sched_list(void);
/* Find a built-in by name (case-insensitive), NULL if unknown. */
SOC_API const soc_sched_ops_t *soc_sched_find(const char *name);

/* A resolved scheduler spec: "name", "name:arg" (e.g. "neural:w.txt"),
 * or "plugin:PATH.so[:arg]". */
typedef struct soc_sched_handle soc_sched_handle_t;
SOC_API int soc_sched_resolve(const char *spec, soc_sched_handle_t **out,
                              soc_error_t *err);
SOC_API const soc_sched_ops_t *soc_sched_handle_ops(const soc_sched_handle_t *h);
SOC_API const char *soc_sched_handle_arg(const soc_sched_handle_t *h);
SOC_API void soc_sched_handle_free(soc_sched_handle_t *h);

/* Load a plug-in: dlopen + SOC_SCHED_ENTRY_SYMBOL + ABI checks. */
SOC_API int soc_sched_load_plugin(const char *path, void **dl_handle,
                                  const soc_sched_ops_t **ops, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
