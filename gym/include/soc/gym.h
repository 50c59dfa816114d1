/*
 * soc/gym.h -- the reinforcement-learning environment: one step per
 * scheduling decision of the native engine.
 *
 * An environment owns a copy of a (native-semantics) configuration and one
 * simulation.  reset(seed) starts an episode and returns the observation of
 * its first decision point; step(action) assigns one ready task to one PE
 * (soc/obs.h decodes the action), lets the simulation run to the next
 * decision point and returns the new observation, the reward earned over the
 * elapsed simulated time, and whether the episode ended:
 *   - terminated: every job of a finite episode (option `jobs`) completed,
 *     or a finite arrival trace ran out and every job completed;
 *   - truncated: otherwise -- the time limit (option `time_us`) cut an
 *     episode whose arrivals would have continued, even when the system
 *     happened to be empty at the last event before the limit.
 * Same seed and same actions give bit-identical observations, rewards and
 * infos.  Invalid actions never fail (see soc/obs.h: fallback + flag).
 *
 * gym/PROTOCOL.md §4 documents observation, actions, options and info for
 * clients of the socket server, which wraps this API.
 */
#ifndef SOC_GYM_H
#define SOC_GYM_H

#include <stdint.h>
#include "soc/obs.h"
#include "soc/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum soc_reward_kind {
    SOC_REWARD_LATENCY = 0, /* -(integral of jobs in system dt) / norm */
    SOC_REWARD_MAKESPAN,    /* -dt / norm */
    SOC_REWARD_COMPBONUS,   /* -0.5 per µs + 50 per completed job */
    SOC_REWARD_ENERGY,      /* -(energy of the step, J) / energy_norm */
    SOC_REWARD_EDP          /* -(increase of energy x time) / (energy_norm x norm) */
} soc_reward_kind_t;

/* Which jobs the latency reward and the latency infos count. */
typedef enum soc_reward_jobs {
    SOC_REWARD_JOBS_MEASURED = 0, /* jobs arriving after the warm-up (as socsim run) */
    SOC_REWARD_JOBS_ALL           /* warm-up jobs too */
} soc_reward_jobs_t;

/* Options of an environment.  Set fields directly or with
 * soc_env_options_set("key=value"). */
typedef struct soc_env_options {
    soc_obs_params_t obs;     /* slots, action mode, time scale */
    soc_reward_kind_t reward; /* default SOC_REWARD_LATENCY */
    double reward_norm;       /* µs, > 0; default 1000 */
    double invalid_penalty;   /* >= 0; default 0 */
    double time_us;           /* episode time limit; < 0 = the config's */
    int64_t jobs;             /* jobs of a finite episode; < 0 = the config's */
    soc_reward_jobs_t reward_jobs; /* default SOC_REWARD_JOBS_MEASURED */
    double energy_norm;       /* J, > 0; default 1e-3 (energy and EDP rewards) */
    soc_expert_kind_t expert; /* info.expert: default SOC_EXPERT_NONE */
    int graph;                /* 1 = graph observations (soc_env_graph) */
} soc_env_options_t;

/* Defaults (gym/PROTOCOL.md §4.3). */
SOC_API void soc_env_options_default(soc_env_options_t *o);
/* Apply one "key=value" (keys: slots, action_mode, reward, reward_norm,
 * invalid_penalty, time_us, jobs, time_scale_us, reward_jobs, energy_norm,
 * expert, graph).  SOC_EINVAL with a message
 * naming the key on an unknown key or a bad value; *o unchanged then.
 * action_mode=plan (soc/obs.h SOC_ACTION_PLAN): each step places one task
 * of a job being planned at its arrival, HEFT-style; such steps stay at
 * the job's arrival instant (dt_us = 0) until the job is planned whole.
 * soc_env_create refuses an expert the action mode does not define
 * (soc_obs_expert_supported). */
SOC_API int soc_env_options_set(soc_env_options_t *o, const char *kv,
                                soc_error_t *err);
/* Name of a reward kind ("latency", "makespan", "compbonus", "energy",
 * "edp") and of a reward_jobs value ("measured", "all"). */
SOC_API const char *soc_reward_kind_name(soc_reward_kind_t k);
SOC_API const char *soc_reward_jobs_name(soc_reward_jobs_t j);

/* Per-step information (gym/PROTOCOL.md §4.5). */
typedef struct soc_env_info {
    double t_us;              /* simulated time now */
    double dt_us;             /* simulated time elapsed by this step */
    int64_t step;             /* steps in this episode */
    int invalid_action;       /* the fallback was applied */
    int64_t job;              /* task assigned by this step (-1 at reset) */
    int task, pe;
    int n_ready;              /* ready unassigned tasks now */
    int jobs_in_system;
    int64_t completed_jobs;   /* measured jobs completed in this episode
                                 (SOC_REWARD_JOBS_ALL: all jobs) */
    int64_t injected_jobs;    /* measured (or all) jobs injected */
    double cum_latency_us;    /* sum of those completed jobs' latencies */
    double avg_latency_us;    /* what socsim run reports (measured jobs) */
    double episode_reward;
    int done;                 /* the episode is over */
    uint64_t seed;            /* of this episode */
    int64_t completed_jobs_all; /* every job, warm-up included */
    int64_t injected_jobs_all;
    int64_t expert;           /* the expert's action (option expert), else -1 */
    double energy_j;          /* platform energy since time 0 (0 without power) */
    int n_completions;        /* jobs completed during this step (soc_env_completions) */
} soc_env_info_t;

/* A job that completed during the last step (or reset). */
typedef struct soc_env_completion {
    uint64_t job;             /* serial number */
    int app;
    int measured;             /* arrived after the warm-up: counted by socsim run */
    double arrival_us, finish_us;
    double latency_us;        /* exactly what the engine adds to its latency sum */
} soc_env_completion_t;

/* Result of a step. */
typedef struct soc_env_step {
    double reward;
    int terminated, truncated;
    soc_env_info_t info;
} soc_env_step_t;

/* Spaces of an environment (borrowed pointers, valid while env lives). */
typedef struct soc_env_spaces {
    int obs_dim;
    int n_actions;
    const float *low, *high;  /* [obs_dim] */
    int n_pes, n_clusters;
} soc_env_spaces_t;

typedef struct soc_env soc_env_t;

/* Create an environment.  cfg must be finalized and in native semantics; it
 * is copied (the caller keeps ownership of cfg).  The options' episode
 * limits override the config's (PROTOCOL.md §4.3).  Errors: SOC_EINVAL (bad
 * options), SOC_EUNSUPPORTED (DS3 semantics), SOC_ECONFIG (no episode
 * limit), SOC_ENOMEM.  The episode is not started: call soc_env_reset. */
SOC_API int soc_env_create(soc_env_t **out, const soc_config_t *cfg,
                           const soc_env_options_t *opts, soc_error_t *err);
/* Destroy (NULL is fine). */
SOC_API void soc_env_destroy(soc_env_t *env);

/* Spaces, resolved options (automatic time scale filled in, episode limits
 * in force), and the configuration the environment simulates. */
SOC_API void soc_env_spaces(const soc_env_t *env, soc_env_spaces_t *out);
SOC_API void soc_env_get_options(const soc_env_t *env, soc_env_options_t *out);
SOC_API const soc_config_t *soc_env_config(const soc_env_t *env);
/* Name of observation element i (see soc_obs_feature_name). */
SOC_API int soc_env_feature_name(const soc_env_t *env, int i, char *buf,
                                 size_t size);

/* Start an episode with seed; obs[obs_dim] and mask[n_actions] (either may
 * be NULL) receive the first decision point, *info (may be NULL) its info.
 * If the episode is over at once, info->done is set and the mask is all
 * zeros.  Errors: simulation errors (err says why); the environment must
 * then be reset again. */
SOC_API int soc_env_reset(soc_env_t *env, uint64_t seed, float *obs,
                          uint8_t *mask, soc_env_info_t *info, soc_error_t *err);

/* Apply action (any value: invalid ones get the fallback) and run to the
 * next decision point.  obs/mask as for reset; *out receives reward,
 * terminated, truncated and info.  Errors: SOC_ESTATE before reset or after
 * the episode ended; simulation errors (the environment must then be
 * reset). */
SOC_API int soc_env_step(soc_env_t *env, int64_t action, float *obs,
                         uint8_t *mask, soc_env_step_t *out, soc_error_t *err);

/* Jobs that completed during the last reset or step, in completion order
 * (the engine's order): *n receives the count.  Borrowed until the next
 * reset or step.  Summing latency_us of the measured ones in this order
 * gives socsim run's cumulative latency bit for bit. */
SOC_API const soc_env_completion_t *soc_env_completions(const soc_env_t *env, int *n);

/* Graph observation of the current decision point (soc/obs.h
 * soc_obs_graph: unfinished tasks of the jobs in the system, DAG edges, PE
 * features).  Works whether or not option graph is set (the option tells
 * clients to fetch it).  Arrays borrowed until the next call on env. */
SOC_API int soc_env_graph(soc_env_t *env, soc_obs_graph_t *out);
/* Name of node feature i (soc_obs_node_feature_name). */
SOC_API int soc_env_node_feature_name(const soc_env_t *env, int i, char *buf, size_t size);

/* Seed of episode `episode` of sub-environment `index` of a vector env
 * reset with `base`:  base XOR mix((index << 40) | episode), mix = the
 * SplitMix64 finaliser (a bijection with mix(0) = 0).  Distinct for all
 * index < 2^24, episode < 2^40 of one base, and index 0 episode 0 is base
 * itself (same as socsim run --seed base).  Python: socsim_gym.episode_seed. */
SOC_API uint64_t soc_env_episode_seed(uint64_t base, uint64_t index, uint64_t episode);

/* 1 while an episode is running (reset done, not ended, no error). */
SOC_API int soc_env_running(const soc_env_t *env);
/* Seed of the current (or last) episode. */
SOC_API uint64_t soc_env_seed(const soc_env_t *env);
/* Final metrics of the simulation so far (see soc_sim_metrics; sorting the
 * latency sample makes this O(n log n): call it at episode end). */
SOC_API void soc_env_metrics(const soc_env_t *env, soc_metrics_t *out);

#ifdef __cplusplus
}
#endif
#endif
