/*
 * lookahead.c -- Lookahead-HEFT (Bittencourt, Sakellariou, Madeira, PDP
 * 2010), one level deep.
 *
 * HEFT's order (upward rank, mean costs, ties to the lower index).  For
 * each candidate PE p of task t: place t on p (insertion EST), then place
 * every child of t HEFT-style -- in non-increasing rank (ties: lower index),
 * each on its minimal insertion-EFT PE, seeing the children placed before
 * it -- where a child's other parents that are not placed yet are ignored
 * for its ready time.  The metric of p is the largest EFT among the
 * children (t's own EFT for an exit task); t is committed to the PE of
 * smallest metric (ties: lower PE), and the trial placements are undone.
 * Cost O(v * q * d * q) insertion searches for out-degree d.
 *
 * Arriving jobs: planned whole at arrival against the existing reservations
 * (insertion), like heft.
 *
 * Work bound: planning one job takes at most W = sum over tasks t of
 * P(t) * ((1 + in(t)) + sum over the children c of t of P(c) * (1 + in(c)))
 * steps, P(x) = the PEs that can run x's type and in(x) its in-degree:
 * t on each candidate PE, then each child on each of its PEs, every
 * placement one insertion search plus a visit of the task's predecessors
 * for its ready time.  An application whose W exceeds the bound -- 5*10^7
 * steps by default, several seconds of planning per job, or `lookahead:N`
 * -- is refused when the simulation starts (SOC_ELIMIT, with W and the
 * bound in the message), as bnb refuses instances beyond its limits,
 * instead of running for hours.
 */
#include <stdlib.h>

#include "sched_internal.h"

#define SOC_LOOKAHEAD_WORK 50000000ULL

typedef struct la_log {
    int task, pos;
} la_log_t;

/* Stable merge sort of ids by (prio desc, id asc); tmp has n slots. */
static void sort_by_prio(int *ids, int *tmp, int n, const double *prio)
{
    if (n < 2)
        return;
    int h = n / 2;
    sort_by_prio(ids, tmp, h, prio);
    sort_by_prio(ids + h, tmp, n - h, prio);
    int i = 0, j = h, k = 0;
    while (i < h && j < n) {
        int x = ids[i], y = ids[j];
        int take_y = prio[y] > prio[x] || (prio[y] == prio[x] && y < x);
        tmp[k++] = take_y ? ids[j++] : ids[i++];
    }
    while (i < h)
        tmp[k++] = ids[i++];
    while (j < n)
        tmp[k++] = ids[j++];
    for (k = 0; k < n; k++)
        ids[k] = tmp[k];
}

static int la_fill(soc__static_t *st, const soc_app_t *a, soc__app_cache_t *ac)
{
    int n = a->n_tasks, ne = a->n_edges;
    ac->prio = malloc(sizeof(double) * (size_t)n);
    ac->order = malloc(sizeof(int) * (size_t)n);
    ac->iaux = malloc(sizeof(int) * (size_t)(ne > 0 ? ne : 1));
    int *tmp = malloc(sizeof(int) * (size_t)(ne > 0 ? ne : 1));
    if (ac->prio == NULL || ac->order == NULL || ac->iaux == NULL || tmp == NULL) {
        free(tmp);
        return SOC_ENOMEM;
    }
    soc__rank_upward(&st->costs, a, SOC__COST_MEAN, ac->prio);
    for (int i = 0; i < n; i++)
        ac->prio[i] = soc__prio_round(ac->prio[i]);
    for (int i = 0; i < n; i++) {
        int *kids = &ac->iaux[a->succ_off[i]];
        int d = a->succ_off[i + 1] - a->succ_off[i];
        for (int k = 0; k < d; k++)
            kids[k] = a->edges[a->succ_edge[a->succ_off[i] + k]].dst;
        sort_by_prio(kids, tmp, d, ac->prio);
    }
    free(tmp);
    return soc__priority_order(a, ac->prio, ac->order);
}

/* Steps of planning one job of a (see the file comment). */
static double la_work(const soc_platform_t *p, const soc_app_t *a)
{
    double w = 0;
    for (int t = 0; t < a->n_tasks; t++) {
        double pt = 0, kids = 0;
        for (int c = 0; c < p->n_clusters; c++) {
            const soc_cluster_t *cl = &p->clusters[c];
            if (cl->is_memory || cl->exec_us == NULL)
                continue;
            if (cl->exec_us[a->tasks[t].type] >= 0)
                pt += cl->count;
            for (int s = a->succ_off[t]; s < a->succ_off[t + 1]; s++) {
                int k = a->edges[a->succ_edge[s]].dst;
                if (cl->exec_us[a->tasks[k].type] >= 0)
                    kids += (double)cl->count * (1 + a->pred_off[k + 1] - a->pred_off[k]);
            }
        }
        w += pt * ((1 + a->pred_off[t + 1] - a->pred_off[t]) + kids);
    }
    return w;
}

static int la_create(void **state, const soc_sched_init_t *init)
{
    if (init == NULL || init->platform == NULL)
        return SOC_EINVAL;
    unsigned long long bound = SOC_LOOKAHEAD_WORK;
    if (init->arg != NULL && init->arg[0] != '\0') {
        char *end;
        unsigned long long x = strtoull(init->arg, &end, 10);
        if (*end != '\0' || x == 0 || init->arg[0] == '-') {
            if (SOC_SCHED_INIT_HAS_ERR(init))
                soc_error_set(init->err, SOC_EINVAL, NULL, 0, 0,
                              "lookahead: work bound '%s' is not a positive integer "
                              "(planning steps per job)", init->arg);
            return SOC_EINVAL;
        }
        bound = x;
    }
    for (int i = 0; i < init->n_apps; i++) {
        double w = la_work(init->platform, &init->apps[i]);
        if (w > (double)bound) {
            if (SOC_SCHED_INIT_HAS_ERR(init))
                soc_error_set(init->err, SOC_ELIMIT, NULL, 0, 0,
                              "lookahead: application '%s' needs %.4g planning steps per job "
                              "(each task on each PE, then its children on theirs, each with "
                              "its predecessors); the bound is %llu (lookahead:N sets it)",
                              init->apps[i].name, w, bound);
            return SOC_ELIMIT;
        }
    }
    soc__static_t *st;
    int rc = soc__static_create(&st, init, SOC__COST_MEAN, la_fill);
    if (rc == SOC_OK)
        *state = st;
    return rc;
}

/* Metric of placing t on p at [s, f): the largest EFT of its children
 * placed HEFT-style after it; the plan is restored before returning. */
static int la_metric(soc__plan_t *pl, soc_view_t *v, const soc_app_t *a,
                     const soc__app_cache_t *ac, int t, int p, soc_time_t s,
                     soc_time_t f, int pos, soc_time_t floor, la_log_t *log,
                     soc_time_t *metric)
{
    int d = a->succ_off[t + 1] - a->succ_off[t];
    *metric = f;
    if (d == 0)
        return SOC_OK;
    int rc = soc__plan_put(pl, t, p, pos, s, f);
    if (rc != SOC_OK)
        return rc;
    const soc__eft_rule_t rule = {1, NULL, NULL};
    const int *kids = &ac->iaux[a->succ_off[t]];
    soc_time_t m = 0;
    int nlog = 0;
    for (int k = 0; k < d && rc == SOC_OK; k++) {
        int c = kids[k], cpos;
        soc_time_t cs, cf;
        int cp = soc__plan_best_pe(pl, v, a, c, floor, &rule, &cs, &cf, &cpos);
        if (cp < 0) {
            rc = SOC_ESCHED;
            break;
        }
        if ((rc = soc__plan_put(pl, c, cp, cpos, cs, cf)) != SOC_OK)
            break;
        log[nlog].task = c;
        log[nlog++].pos = cpos;
        if (cf > m)
            m = cf;
    }
    /* undo in reverse order: each removal finds the index it was given */
    while (nlog > 0) {
        nlog--;
        soc__plan_take(pl, log[nlog].task, log[nlog].pos);
    }
    soc__plan_take(pl, t, pos);
    *metric = m;
    return rc;
}

static int la_arrival(void *state, soc_view_t *v, uint64_t job)
{
    soc__static_t *st = state;
    int app = v->api->job_app(v, job);
    soc__app_cache_t *ac = soc__static_cache(st, app);
    if (ac == NULL)
        return app < 0 ? SOC_EINVAL : SOC_ENOMEM;
    const soc_app_t *a = &v->apps[app];
    soc__plan_t *pl = &st->plan;
    int rc = soc__plan_begin(pl, v, job, a->n_tasks);
    if (rc != SOC_OK)
        return rc;
    la_log_t *log = malloc(sizeof *log * (size_t)(a->n_edges > 0 ? a->n_edges : 1));
    if (log == NULL)
        return SOC_ENOMEM;
    soc_time_t floor = v->api->job_arrival(v, job);
    for (int k = 0; k < a->n_tasks && rc == SOC_OK; k++) {
        int t = ac->order[k], type = a->tasks[t].type;
        int best = -1, bpos = 0;
        soc_time_t bm = 0, bs = 0, bf = 0;
        for (int p = 0; p < v->n_pes && rc == SOC_OK; p++) {
            soc_time_t d = v->api->exec_time(v, type, p);
            if (d < 0)
                continue;
            int pos;
            soc_time_t r = soc__plan_ready(pl, v, a, t, p, floor);
            soc_time_t s = soc__tl_find(soc__plan_tl(pl, p), r, d, 1, &pos);
            soc_time_t m;
            rc = la_metric(pl, v, a, ac, t, p, s, s + d, pos, floor, log, &m);
            if (rc == SOC_OK && (best < 0 || m < bm)) {
                best = p;
                bm = m;
                bs = s;
                bf = s + d;
                bpos = pos;
            }
        }
        if (rc != SOC_OK)
            break;
        if (best < 0) {
            rc = SOC_ESCHED;
            break;
        }
        if ((rc = soc__plan_put(pl, t, best, bpos, bs, bf)) != SOC_OK)
            break;
        soc_task_ref_t ref = {job, t};
        rc = v->api->assign(v, ref, best, bs);
    }
    free(log);
    if (rc == SOC_OK && pl->oom)
        rc = SOC_ENOMEM;
    if (rc == SOC_OK)
        soc__plan_commit(pl);
    return rc;
}

const soc_sched_ops_t soc_sched_lookahead = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "lookahead",
    .description = "Lookahead-HEFT: PE chosen by the children's best EFT (depth 1)",
    .flags = SOC_SCHED_STATIC,
    .create = la_create,
    .destroy = soc__static_destroy,
    .on_job_arrival = la_arrival,
    .schedule = soc__static_schedule,
};
