/*
 * soc/dvfs.h -- the DVFS governor interface (native semantics).  This is
 * the ONLY header a governor (built-in or plug-in) needs.
 *
 * A governor is a const soc_dvfs_ops_t, a versioned table of callbacks, like
 * a scheduler (soc/sched.h).  The power model owns one governor instance per
 * cluster; it asks the instance for a frequency once at the start of a run
 * and then at every governor epoch (unless the governor declares itself
 * static).  The answer is snapped to an operating point and capped by thermal
 * throttling; the governor sees the cap in the next view.
 *
 * Governor specs, as written in a cluster's `governor:` (see docs/power.md):
 *   performance | powersave | ondemand | ondemand:LOW:HIGH |
 *   constant-<MHz> | none | plugin:PATH.so[:ARG]
 * "none" is not a governor: the cluster stays at its highest operating point
 * and is never throttled.
 *
 * DS3 semantics does not use this interface: it reproduces DS3's own four
 * governors exactly (docs/power.md).
 */
#ifndef SOC_DVFS_H
#define SOC_DVFS_H

#include <stdint.h>
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOC_DVFS_ABI_VERSION 1u
#define SOC_DVFS_ENTRY_SYMBOL "soc_dvfs_plugin_entry"

/* What a governor sees of its cluster.  Borrowed: valid only during the
 * callback. */
typedef struct soc_dvfs_view {
    uint32_t struct_size;
    double now_us;          /* simulated time */
    double epoch_us;        /* length of the window `utilization` covers
                               (0 at the initial decision) */
    int cluster;            /* index in platform->clusters */
    const soc_platform_t *platform;
    int n_pes;              /* PEs of the cluster */
    int n_busy;             /* PEs running a task now */
    double utilization;     /* mean busy fraction of the cluster's PEs over
                               the last epoch, in [0, 1] */
    const double *pe_utilization; /* [n_pes], same window, per PE */
    int n_opps;
    const soc_opp_t *opps;  /* ascending frequency, n_opps >= 1 */
    int cur_opp;            /* index of the operating point in use */
    double cap_mhz;         /* throttling cap; the highest OPP when none */
    int throttled;          /* 1 while a thermal trip point is active */
    double max_temp_c;      /* hottest hotspot of the thermal model */
} soc_dvfs_view_t;

/* Creation parameters of a governor instance (one per cluster). */
typedef struct soc_dvfs_init {
    uint32_t struct_size;
    const soc_platform_t *platform;
    int cluster;
    const char *arg;        /* text after the name ("1000" of constant-1000,
                               "0.2:0.9" of ondemand:0.2:0.9), or NULL */
    double util_low;        /* configured ondemand thresholds */
    double util_high;
} soc_dvfs_init_t;

/* Flags */
#define SOC_DVFS_STATIC 1u  /* decide() depends on nothing that changes: it
                               is called once, at the start of a run */

typedef struct soc_dvfs_ops {
    uint32_t abi_version;    /* SOC_DVFS_ABI_VERSION */
    uint32_t struct_size;    /* sizeof(soc_dvfs_ops_t) */
    const char *name;        /* registry key, lower case */
    const char *description; /* one line */
    uint32_t flags;
    /* Optional: per-instance state (NULL create = stateless).  Return
     * SOC_OK or a negative soc_status_t (SOC_ECONFIG for a bad arg). */
    int (*create)(void **state, const soc_dvfs_init_t *init);
    void (*destroy)(void *state);
    /* Required: set *freq_mhz to the wanted frequency.  The power model uses
     * the lowest operating point >= *freq_mhz (the highest one if none is),
     * then applies the throttling cap.  Return SOC_OK or a negative status
     * (the run stops with that error). */
    int (*decide)(void *state, const soc_dvfs_view_t *view, double *freq_mhz);
} soc_dvfs_ops_t;

/* Entry point a plug-in .so exports under SOC_DVFS_ENTRY_SYMBOL. */
typedef const soc_dvfs_ops_t *soc_dvfs_entry_fn(void);

/* NULL-terminated list of the built-in governors, in display order. */
SOC_API const soc_dvfs_ops_t *const *soc_dvfs_list(void);
/* A built-in by name (exact, lower case), NULL if unknown. */
SOC_API const soc_dvfs_ops_t *soc_dvfs_find(const char *name);

/* Check the syntax of a governor spec without loading anything: a built-in
 * name with a valid argument, "none", or "plugin:PATH".  SOC_OK, or
 * SOC_ECONFIG with a message in *err (may be NULL). */
SOC_API int soc_dvfs_check_spec(const char *spec, soc_error_t *err);

/* A resolved governor spec (see the top of this file).  "none" resolves to
 * SOC_EINVAL: it is not a governor.  A plug-in stays loaded until the handle
 * is freed.  Errors: SOC_ECONFIG (unknown name, bad argument),
 * SOC_EPLUGIN_OPEN / SOC_EPLUGIN_SYMBOL / SOC_EPLUGIN_ABI. */
typedef struct soc_dvfs_handle soc_dvfs_handle_t;
SOC_API int soc_dvfs_resolve(const char *spec, soc_dvfs_handle_t **out,
                             soc_error_t *err);
/* The ops and the argument (text after the name, may be NULL) of a handle;
 * both live as long as the handle. */
SOC_API const soc_dvfs_ops_t *soc_dvfs_handle_ops(const soc_dvfs_handle_t *h);
SOC_API const char *soc_dvfs_handle_arg(const soc_dvfs_handle_t *h);
/* Free a handle (unloads a plug-in); NULL is fine. */
SOC_API void soc_dvfs_handle_free(soc_dvfs_handle_t *h);

/* Load a governor plug-in: dlopen + SOC_DVFS_ENTRY_SYMBOL + ABI checks.
 * *dl_handle must be dlclose'd by the caller (soc_dvfs_handle_free does it
 * for resolved handles).  Errors: SOC_EPLUGIN_OPEN, SOC_EPLUGIN_SYMBOL,
 * SOC_EPLUGIN_ABI, SOC_EUNSUPPORTED (no dlopen on this platform). */
SOC_API int soc_dvfs_load_plugin(const char *path, void **dl_handle,
                                 const soc_dvfs_ops_t **ops, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
