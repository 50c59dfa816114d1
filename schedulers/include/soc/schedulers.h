/*
 * soc/schedulers.h -- the registry of built-in schedulers and the plug-in
 * loader.  docs/schedulers.md describes every scheduler; soc/sched.h is the
 * interface they implement (and the whole ABI of a plug-in).
 */
#ifndef SOC_SCHEDULERS_H
#define SOC_SCHEDULERS_H

#include "soc/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The built-in schedulers, in display order, as a NULL-terminated array of
 * static tables (never freed, valid for the life of the process).  Every
 * entry has a lower-case unique name, a description and a schedule
 * callback. */
SOC_API const soc_sched_ops_t *const *soc_sched_list(void);

/* The built-in named `name`, compared case-insensitively; NULL if there is
 * none (or name is NULL).  Arguments ("heft:best") are not parsed here: use
 * soc_sched_resolve. */
SOC_API const soc_sched_ops_t *soc_sched_find(const char *name);

/* The arguments the built-in `name` accepts after a colon ("heft:best"),
 * for help texts and listings: "" = none, "#" = a positive integer, else
 * the '|'-separated words, the behaviour without an argument first
 * ("mean|best|worst").  NULL when there is no such
 * built-in or it checks its own argument (neural:WEIGHTS).  Static. */
SOC_API const char *soc_sched_arg_choices(const char *name);

/* A resolved scheduler spec, owning what the spec needed: the argument
 * string and, for a plug-in, its dlopen handle.  Opaque. */
typedef struct soc_sched_handle soc_sched_handle_t;

/* Resolve a scheduler spec:
 *   "name"              a built-in (case-insensitive), no argument;
 *   "name:arg"          a built-in with an argument (e.g. "heft:best",
 *                       "minmin:static", "bnb:1000000");
 *   "plugin:PATH[:arg]" a shared object loaded with soc_sched_load_plugin;
 *                       the path ends at the first ':' after its last '/'.
 * On success *out is a new handle (free with soc_sched_handle_free, after
 * every simulation using its ops is destroyed).  Errors, with a message in
 * err: SOC_EINVAL (empty spec, empty plug-in path, an argument the built-in
 * does not accept), SOC_ENOSCHED (no such built-in), SOC_ENOMEM, and the
 * loader's codes.  *out is NULL on failure. */
SOC_API int soc_sched_resolve(const char *spec, soc_sched_handle_t **out,
                              soc_error_t *err);
/* The ops of a handle (borrowed; valid until soc_sched_handle_free). */
SOC_API const soc_sched_ops_t *soc_sched_handle_ops(const soc_sched_handle_t *h);
/* The argument of a handle, or NULL when the spec had none (borrowed).
 * Pass it as soc_sim_options_t.sched_arg. */
SOC_API const char *soc_sched_handle_arg(const soc_sched_handle_t *h);
/* Free a handle and close its plug-in.  NULL is fine. */
SOC_API void soc_sched_handle_free(soc_sched_handle_t *h);

/* The built-in catalog (soc_sched_catalog_t in soc/sched.h): resolve is
 * soc_sched_resolve, list is soc_sched_list.  Static storage. */
SOC_API const soc_sched_catalog_t *soc_sched_catalog(void);

/* Load a scheduler plug-in from `path` (a path without '/' is relative to
 * the current directory): dlopen(RTLD_NOW | RTLD_LOCAL), look up
 * SOC_SCHED_ENTRY_SYMBOL, call it, and accept the table only if
 * abi_version == SOC_SCHED_ABI_VERSION, struct_size >=
 * sizeof(soc_sched_ops_t), and it has a name and a schedule callback.
 * On success *dl_handle is the open object (close it through a handle, or
 * keep it open while the ops are used) and *ops its table.  Errors, with the
 * path in err->file and the reason in err->msg: SOC_EINVAL (no path),
 * SOC_EPLUGIN_OPEN (missing file, not a shared object, unresolved
 * symbols), SOC_EPLUGIN_SYMBOL (no entry symbol), SOC_EPLUGIN_ABI (NULL
 * table, other ABI version, table too small, no name, no schedule),
 * SOC_EUNSUPPORTED (built without plug-in support).  On failure nothing
 * stays open and both outputs are NULL. */
SOC_API int soc_sched_load_plugin(const char *path, void **dl_handle,
                                  const soc_sched_ops_t **ops, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
