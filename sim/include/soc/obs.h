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
 *   SOC_ACTION_PLAN  P    the offered task on PE a, inserted (see below)
 * An invalid action maps to the fallback: slot 0 on its earliest-finish PE
 * (ties: lowest PE index); in plan mode the offered task on its
 * insertion-based earliest-finish PE (HEFT's choice).
 *
 * Plan mode (SOC_ACTION_PLAN) makes HEFT's decisions with a policy: the
 * jobs that arrived at this instant (those with a ready, unassigned task)
 * are planned whole, one after another in job order, and each job's tasks
 * are offered one at a time in HEFT's order (upward rank with mean costs,
 * ties to the lower task index, always a task whose predecessors are
 * placed -- the `heft` scheduler's order, bit for bit).  The action picks
 * the PE; the task is assigned with the key `start` of soc_obs_decode_key:
 * its earliest insertion-based start on that PE (an idle gap of the PE's
 * timeline that fits, else after the last reservation), from the planned
 * finishes of its placed predecessors -- what the `heft` scheduler assigns.
 * While a job still has unplanned tasks the decision point stays at the
 * same instant, although its remaining tasks may not be ready.  The
 * observation has its own layout (see soc_obs_feature_name; K = `slots` is
 * not used):
 *   P PE blocks of 14:  can, eft, best, regret, exec, ready, wait, job,
 *                       job_regret, busy, left, backlog, queue, util
 *   task block of 8:    rank, done, size, succ, preds, age, span, crit
 *   A app one-hot:      app.<name> (A = applications)
 *   4 globals:          jobs, pending, idle, load
 * `job` is a rollout: the job's planned completion if the task goes to that
 * PE and the job's remaining tasks are then placed by HEFT's rule.
 * Planning happens at the decision point of the arrival instant (after the
 * instant's events), not inside the arrival event as the heft scheduler's
 * on_job_arrival: the same decisions with fixed execution times; with
 * execution-time distributions the random draws come in another order.
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
    SOC_ACTION_TASK = 2, /* slot; PE by earliest finish */
    SOC_ACTION_PLAN = 3  /* PE of the offered task of a job planned at arrival */
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

/* Name of a mode ("pair", "pe", "task", "plan") and back (-1 if unknown). */
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

/* The same, with the key to assign with (soc_sim_api_t.assign's start):
 * SOC_APPEND in the slot modes, the insertion-based start on *pe in plan
 * mode.  Returns as soc_obs_decode. */
SOC_API int soc_obs_decode_key(soc_obs_t *o, const soc_view_t *v, int64_t action,
                               soc_task_ref_t *ref, int *pe, soc_time_t *key);

/* 1 when view v still holds a decision of the encoder's mode: a live ready
 * task (slot modes) or a task to offer (plan mode: a job of v->ready with
 * an unassigned task); 0 otherwise.  Plan-mode drivers assign and ask
 * again before advancing the simulation (soc_sim_next_decision only knows
 * about ready tasks). */
SOC_API int soc_obs_has_decision(soc_obs_t *o, const soc_view_t *v);

/* The fallback decision: slot 0 on its earliest-finish PE (plan mode: the
 * offered task on its insertion-based earliest-finish PE).  SOC_OK, or
 * SOC_ESTATE when no task is ready. */
SOC_API int soc_obs_fallback(soc_obs_t *o, const soc_view_t *v,
                             soc_task_ref_t *ref, int *pe);

/* ---- expert actions (behaviour cloning, DAgger) ---------------------
 * The action a list-scheduling heuristic would take at this decision point,
 * restricted to what the action space can express (the K slots, SOC_APPEND):
 *   EFT   slot 0 (the oldest ready task) on its earliest-finish PE -- the
 *         fallback, and the `eft` scheduler's rule;
 *   ETF   the (slot, PE) pair of minimal appended finish time, ties to the
 *         lower slot, then the lower PE -- the `etf` scheduler's rule while
 *         at most K tasks are ready;
 *   HEFT  the slot of highest upward rank (the encoder's rank: mean
 *         execution time over capable PEs plus the longest path to the
 *         exit), ties to the lower slot, on its earliest-finish PE -- the
 *         run-time ("HEFT_RT") form of HEFT; the `heft` scheduler itself
 *         plans each job at arrival with insertion, which one appended
 *         action cannot express;
 *   SUFFERAGE  the slot that loses most if denied its best PE (second-best
 *         minus best appended finish; a task only one PE runs loses without
 *         bound), ties to the lower slot, on its earliest-finish PE -- the
 *         `sufferage` scheduler's rule while at most K tasks are ready.
 *   ROLLOUT  (plan mode only) the PE of the smallest planned completion of
 *         the job when the rest of it is placed by HEFT's rule (the
 *         observation's `job` feature), ties to the smaller insertion-based
 *         finish of the task, then the lower PE.
 * In `pe` mode only slot 0 can be chosen, so every expert gives slot 0's
 * earliest-finish PE; in `task` mode the expert's slot.  In plan mode HEFT
 * is the PE of least insertion-based finish (the `heft` scheduler's rule)
 * and ROLLOUT as above; EFT, ETF and SUFFERAGE are slot rules and give -1
 * there (soc_obs_expert_supported). */
typedef enum soc_expert_kind {
    SOC_EXPERT_NONE = 0,
    SOC_EXPERT_EFT,
    SOC_EXPERT_ETF,
    SOC_EXPERT_HEFT,
    SOC_EXPERT_SUFFERAGE,
    SOC_EXPERT_ROLLOUT
} soc_expert_kind_t;

/* "none", "eft", "etf", "heft", "sufferage", "rollout" and back (-1 if
 * unknown). */
SOC_API const char *soc_expert_kind_name(soc_expert_kind_t k);
SOC_API int soc_expert_kind_parse(const char *name);

/* The expert's action index (>= 0) at view v; -1 for SOC_EXPERT_NONE or
 * when no task is ready; SOC_EINVAL on NULL arguments. */
SOC_API int64_t soc_obs_expert(soc_obs_t *o, const soc_view_t *v,
                               soc_expert_kind_t kind);
/* 1 when expert `kind` is defined in action mode `mode` (NONE always;
 * ROLLOUT in plan mode only; EFT, ETF, SUFFERAGE not in plan mode). */
SOC_API int soc_obs_expert_supported(soc_action_mode_t mode, soc_expert_kind_t kind);

/* ---- graph observation (GNN policies) ---------------------------------
 * The unfinished tasks of the given jobs (in the order given, tasks by
 * index) as nodes, the DAG edges between them, and the PEs.  Node features
 * (SOC_OBS_NODE_FIXED + C per node, all in [0, 1]):
 *   waiting, ready, assigned, running   status one-hot
 *   slot      (k + 1) / K when the node is ready slot k, else 0
 *   age       sq(now - job arrival)
 *   rank      sq(upward rank), as the flat observation's slot rank
 *   succ      n_successors / (n_successors + 2)
 *   preds     unfinished predecessors n / (n + 2)
 *   finish    sq(planned or actual finish - now) once assigned, else 0
 *   exec.<cluster> (C)  as the flat observation (1 = cannot run)
 * Edge feature (1): sq(estimated transfer time: latency + volume x mean
 * unit cost, 0 for pure precedence).  PE features: the flat observation's
 * PE block (P x 5).  Arrays are owned by the encoder and valid until its
 * next soc_obs_graph call. */
#define SOC_OBS_NODE_FIXED 10
#define SOC_OBS_PE_FEATURES 5
typedef struct soc_obs_graph {
    int n_nodes, node_dim;
    const float *nodes;        /* [n_nodes * node_dim] */
    const uint64_t *node_job;  /* [n_nodes] job serial */
    const int32_t *node_task;  /* [n_nodes] task index */
    int n_edges;
    const float *edges;        /* [n_edges] (one feature per edge) */
    const int64_t *edge_links; /* [n_edges * 2] (src node, dst node) */
    int n_pes;
    const float *pes;          /* [n_pes * SOC_OBS_PE_FEATURES] */
} soc_obs_graph_t;

/* Encode the graph of jobs[0..n_jobs) (jobs no longer in the system are
 * skipped).  SOC_OK, SOC_ENOMEM, SOC_EINVAL. */
SOC_API int soc_obs_graph(soc_obs_t *o, const soc_view_t *v, const uint64_t *jobs,
                          int n_jobs, soc_obs_graph_t *out);
/* Name of node feature i ("waiting", ..., "exec.A7"), as soc_obs_feature_name. */
SOC_API int soc_obs_node_feature_name(const soc_obs_t *o, int i, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
