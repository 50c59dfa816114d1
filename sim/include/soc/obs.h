/*
 * soc/obs.h -- the observation and action encoding of a decision point,
 * shared by the RL environment (gym/) and the neural-policy scheduler.
 *
 * An encoder (soc_obs_t) is built once from a platform, its applications and
 * a few parameters; it then turns any soc_view_t of that platform into
 *  - a fixed-size float32 observation, every element in [0, 1],
 *  - an action mask (uint8, 1 = valid) over a flat Discrete action space,
 * and maps an action index back to (ready task, PE).  gym/PROTOCOL.md §4
 * documents the layout for clients; the definitions below are normative.
 *
 * Ready tasks ("slots"): the view's ready tasks that are still unassigned,
 * in view order (job arrival, task index); slot i is the i-th of them, for
 * i < slots.  Tasks assigned earlier in the same scheduler callback are
 * skipped, so a scheduler that assigns one task and re-encodes sees exactly
 * what an environment step would show.
 *
 * Times are squashed with sq(x) = x / (x + S), S = time_scale_us, counts
 * with n / (n + c); nothing is clipped and everything stays finite.
 *
 * Layout (K = slots, C = clusters, P = PEs):
 *   K slot blocks of 5 + C + P:  valid, age, wait, rank, succ,
 *                                exec.<cluster> (C), eft.<pe> (P)
 *   P PE blocks of 5:            busy, left, backlog, queue, util
 *   4 globals:                   jobs, ready, overflow, idle
 *
 * Actions by mode:
 *   SOC_ACTION_PAIR  K*P  a = slot * P + pe
 *   SOC_ACTION_PE    P    slot 0 on PE a
 *   SOC_ACTION_TASK  K    slot a on its earliest-finish PE
 * An invalid action maps to the fallback: slot 0 on its earliest-finish PE
 * (ties: lowest PE index).
 *
 * An encoder keeps scratch space, so one encoder must not be used from two
 * threads at once.  It borrows the platform and applications, which must
 * outlive it.
 */
#ifndef SOC_OBS_H
#define SOC_OBS_H

#include <stddef.h>
#include <stdint.h>
#include "soc/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum soc_action_mode {
    SOC_ACTION_PAIR = 0, /* (slot, PE) pairs */
    SOC_ACTION_PE = 1,   /* PE for the oldest ready task */
    SOC_ACTION_TASK = 2  /* slot; PE by earliest finish */
} soc_action_mode_t;

#define SOC_OBS_MAX_SLOTS 1024

typedef struct soc_obs_params {
    int slots;                /* K, 1..SOC_OBS_MAX_SLOTS; default 8 */
    soc_action_mode_t mode;   /* default SOC_ACTION_PAIR */
    double time_scale_us;     /* S > 0; <= 0 = automatic (default): the mean
                                 over all tasks of all applications of the
                                 mean execution time over capable PEs */
} soc_obs_params_t;

typedef struct soc_obs soc_obs_t;

/* Fill *p with the defaults. */
SOC_API void soc_obs_params_default(soc_obs_params_t *p);

/* Name of a mode ("pair", "pe", "task") and back (-1 if unknown). */
SOC_API const char *soc_action_mode_name(soc_action_mode_t m);
SOC_API int soc_action_mode_parse(const char *name);

/* Build an encoder for a finalized platform and its applications (both
 * borrowed).  Errors: SOC_EINVAL (bad parameters, no PE), SOC_ENOMEM. */
SOC_API int soc_obs_create(soc_obs_t **out, const soc_platform_t *platform,
                           int n_apps, const soc_app_t *apps,
                           const soc_obs_params_t *params, soc_error_t *err);
/* Destroy (NULL is fine). */
SOC_API void soc_obs_destroy(soc_obs_t *o);

/* Observation length, action count, and the resolved parameters (the
 * automatic time scale filled in). */
SOC_API int soc_obs_dim(const soc_obs_t *o);
SOC_API int soc_obs_n_actions(const soc_obs_t *o);
SOC_API void soc_obs_get_params(const soc_obs_t *o, soc_obs_params_t *out);

/* Element-wise bounds: low[dim], high[dim] (either may be NULL). */
SOC_API void soc_obs_bounds(const soc_obs_t *o, float *low, float *high);

/* Name of element i ("slot3.eft.A15_2", "pe0.busy", "g.jobs") into buf;
 * returns SOC_OK or SOC_EINVAL for i out of range (buf then ""). */
SOC_API int soc_obs_feature_name(const soc_obs_t *o, int i, char *buf,
                                 size_t size);

/* Encode the view: obs[dim] and mask[n_actions] (either may be NULL).
 * Returns the number of valid actions (0 when no task is ready), or a
 * negative soc_status_t (SOC_EINVAL on NULL o/v). */
SOC_API int soc_obs_encode(soc_obs_t *o, const soc_view_t *v, float *obs,
                           uint8_t *mask);

/* An all-zero mask of n_actions entries (end of an episode). */
SOC_API void soc_obs_mask_none(const soc_obs_t *o, uint8_t *mask);

/* Map action to the task and PE it designates in view v.  Returns 1 if the
 * action is valid, 0 if it is not (then *ref and *pe hold the fallback), or
 * SOC_ESTATE when no task is ready (nothing to decide). */
SOC_API int soc_obs_decode(soc_obs_t *o, const soc_view_t *v, int64_t action,
                           soc_task_ref_t *ref, int *pe);

/* The fallback decision: slot 0 on its earliest-finish PE.  SOC_OK, or
 * SOC_ESTATE when no task is ready. */
SOC_API int soc_obs_fallback(soc_obs_t *o, const soc_view_t *v,
                             soc_task_ref_t *ref, int *pe);

#ifdef __cplusplus
}
#endif
#endif
