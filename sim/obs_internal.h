/*
 * obs_internal.h -- the encoder's state (soc/obs.h), shared by obs.c (slot
 * modes, experts, graph) and obs_plan.c (the planning action mode).  Never
 * installed.
 */
#ifndef SOC_OBS_INTERNAL_H
#define SOC_OBS_INTERNAL_H

#include "soc/obs.h"

enum { F_SLOT_FIXED = 5, F_PE = 5, F_GLOBAL = 4 };
/* count squashing constants: succ, queue, jobs */
#define SQ_SUCC 2.0
#define SQ_QUEUE 2.0
#define SQ_JOBS 4.0

/* plan mode layout: per-PE block, task block, then one-hot apps, globals */
enum { F_PLAN_PE = 14, F_PLAN_TASK = 8, F_PLAN_GLOBAL = 4 };

/* A PE's reservations as the engine holds them (sorted by start), plus the
 * running maximum of the finishes, for trial placements in plan mode. */
typedef struct soc__obs_tl {
    int n, cap;
    soc_time_t *start, *fin, *end; /* end[i] = max(fin[0..i]) */
} soc__obs_tl_t;

/* The decision of plan mode at one view (obs_plan.c). */
typedef struct soc__plan_dec {
    int have;                  /* a task is offered */
    uint64_t job;
    int app, k, task, n;       /* task = order[k] of the job's n tasks */
    int pending;               /* jobs of the view with unplanned tasks */
    soc_time_t arrival, span;  /* span: latest planned finish of the job so far */
    int best, rbest;           /* HEFT's PE; rollout's PE (-1 = not computed) */
} soc__plan_dec_t;

struct soc_obs {
    const soc_platform_t *p;
    int n_apps;
    const soc_app_t *apps;
    soc_obs_params_t prm;
    int K, P, C;
    int dim, n_actions, slot_w, pe_base, g_base;
    double s_ns;               /* time scale in ns */
    soc_time_t *exec;          /* [n_types * P] ns, -1 = unsupported */
    float *exec_feat;          /* [n_types * C] squashed per cluster, 1 = no */
    int *app_off;              /* [n_apps + 1] offsets into rank/succ */
    float *rank_feat;          /* [total tasks] squashed upward rank */
    double *rank_us;           /* [total tasks] upward rank (µs) */
    double unit_us, lat_us;    /* mean transfer cost per unit, latency */
    float *succ_feat;          /* [total tasks] */
    int n_capable;             /* PEs that run at least one type */
    unsigned char *capable;    /* [P] */
    /* scratch */
    int *live;                 /* [K] indices into view->ready */
    soc_time_t *eft;           /* [P] */
    /* graph scratch (grown on demand) */
    float *g_nodes, *g_edges, *g_pes;
    uint64_t *g_job;
    int32_t *g_task;
    int64_t *g_links;
    int g_cap_nodes, g_cap_edges;
    int *g_index;              /* [max tasks of an app] node of each task */
    int max_tasks;
    /* plan mode (obs_plan.c): HEFT's order and rank per application, the
     * layout, and the scratch of one decision */
    int pl_task_base, pl_app_base, pl_g_base;
    int *pl_order;             /* [total tasks] the apps' orders, by app_off */
    double *pl_rank;           /* [total tasks] HEFT's rounded rank (ns) */
    double *pl_rank_max;       /* [n_apps] */
    soc__obs_tl_t *pl_tl;      /* [P] */
    int *pl_jpe;               /* [max_tasks] PE of each task of the job, -1 */
    soc_time_t *pl_jfin;       /* [max_tasks] its planned finish */
    int *pl_log_task, *pl_log_pe, *pl_log_pos; /* [max_tasks] trial log */
    soc_time_t *pl_d, *pl_r, *pl_s, *pl_job; /* [P] exec, data ready, start, rollout */
    soc__plan_dec_t dec;
};

static inline double soc__obs_sq(double x, double s)
{
    return x <= 0 ? 0.0 : x / (x + s);
}

/* The PE block (P x F_PE) of view v into dst; returns the idle capable PEs.
 * _one: the F_PE features of one PE into f; 1 if it is idle and capable. */
int soc__obs_encode_pes(const soc_obs_t *o, const soc_view_t *v, float *dst);
int soc__obs_encode_pes_one(const soc_obs_t *o, const soc_view_t *v, int pe, float *f);

/* Plan mode (obs_plan.c). */
int soc__obs_plan_build(soc_obs_t *o, soc_error_t *err);
void soc__obs_plan_free(soc_obs_t *o);
int soc__obs_plan_feature_name(const soc_obs_t *o, int i, char *buf, size_t size);
int soc__obs_plan_encode(soc_obs_t *o, const soc_view_t *v, float *obs, uint8_t *mask);
int soc__obs_plan_decode(soc_obs_t *o, const soc_view_t *v, int64_t action,
                         soc_task_ref_t *ref, int *pe, soc_time_t *key);
int64_t soc__obs_plan_expert(soc_obs_t *o, const soc_view_t *v, soc_expert_kind_t kind);
int soc__obs_plan_has_decision(soc_obs_t *o, const soc_view_t *v);

#endif
