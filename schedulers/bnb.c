/*
 * bnb.c -- exact branch and bound: a schedule of minimal makespan for each
 * job (non-preemptive, no task duplication, the engine's communication
 * model), found by depth-first search.
 *
 * Search space.  Every feasible schedule can be left-shifted into a
 * semi-active one, where each task starts at the earliest time that fits
 * after its inputs arrived and after the job's previous task on its PE
 * (in an idle gap of earlier jobs' reservations).  Replaying a semi-active
 * schedule in order of (start, topological position) rebuilds it exactly,
 * so the search only extends a partial schedule by (ready task, PE) pairs
 * whose start keeps that key non-decreasing.  This is complete and removes
 * the permutations of independent tasks.  Identical PEs (same cluster,
 * same earlier reservations) not used yet by the job are interchangeable:
 * only the first is tried.
 *
 * Bounds.  The incumbent starts as the HEFT plan.  A node is cut when
 * max(placed finishes, for every unplaced task its earliest possible
 * finish plus its cheapest path to an exit, the work-over-PEs bound) is
 * not below the incumbent.  Children are explored by increasing finish.
 *
 * Limits (documented in docs/schedulers.md): at most SOC_BNB_MAX_TASKS
 * tasks per application and SOC_BNB_MAX_PES PEs, checked at create
 * (SOC_ELIMIT); and a node budget per job (default SOC_BNB_NODES, or the
 * argument "bnb:N"); a job whose proof needs more fails the run with
 * SOC_ELIMIT rather than returning a schedule that is not proven optimal.
 *
 * Arriving jobs: each job is solved at arrival against the reservations
 * already made (its makespan is minimal given them).
 */
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

#define SOC_BNB_MAX_TASKS 24
#define SOC_BNB_MAX_PES 16
#define SOC_BNB_NODES 20000000ull

typedef struct cand {
    soc_time_t s, f;
    int t, p;
} cand_t;

typedef struct bnb {
    soc__static_t *base;
    uint64_t limit;
    /* the job being solved */
    soc_view_t *v;
    const soc_app_t *a;
    soc__plan_t *pl;      /* prior reservations + own placements */
    int n, q;
    soc_time_t floor;
    soc_time_t *w;        /* [n * q] exec ns, -1 = unsupported */
    soc_time_t *minw, *tail, *eft_lb, *own_end;
    int *topopos, *left, *own_cnt, *sym;
    cand_t *cands;        /* [n][n * q] per depth */
    soc_time_t ub;
    int *best_pe;
    soc_time_t *best_start;
    uint64_t nodes;
    int found;
} bnb_t;

static int bnb_fill(soc__static_t *st, const soc_app_t *a, soc__app_cache_t *ac)
{
    ac->prio = malloc(sizeof(double) * (size_t)a->n_tasks);
    ac->order = malloc(sizeof(int) * (size_t)a->n_tasks);
    if (ac->prio == NULL || ac->order == NULL)
        return SOC_ENOMEM;
    soc__rank_upward(&st->costs, a, SOC__COST_MEAN, ac->prio);
    for (int i = 0; i < a->n_tasks; i++)
        ac->prio[i] = soc__prio_round(ac->prio[i]);
    return soc__priority_order(a, ac->prio, ac->order);
}

static int bnb_create(void **state, const soc_sched_init_t *init)
{
    if (init == NULL || init->platform == NULL)
        return SOC_EINVAL;
    uint64_t limit = SOC_BNB_NODES;
    if (init->arg != NULL && init->arg[0] != '\0') {
        char *end;
        unsigned long long x = strtoull(init->arg, &end, 10);
        if (*end != '\0' || x == 0 || init->arg[0] == '-') {
            if (SOC_SCHED_INIT_HAS_ERR(init))
                soc_error_set(init->err, SOC_EINVAL, NULL, 0, 0,
                              "bnb: node budget '%s' is not a positive integer", init->arg);
            return SOC_EINVAL;
        }
        limit = x;
    }
    int q = 0;
    for (int c = 0; c < init->platform->n_clusters; c++)
        if (!init->platform->clusters[c].is_memory)
            q += init->platform->clusters[c].count;
    if (q > SOC_BNB_MAX_PES) {
        if (SOC_SCHED_INIT_HAS_ERR(init))
            soc_error_set(init->err, SOC_ELIMIT, NULL, 0, 0,
                          "bnb: the platform has %d PEs; exact search is limited to %d",
                          q, SOC_BNB_MAX_PES);
        return SOC_ELIMIT;
    }
    for (int i = 0; i < init->n_apps; i++)
        if (init->apps[i].n_tasks > SOC_BNB_MAX_TASKS) {
            if (SOC_SCHED_INIT_HAS_ERR(init))
                soc_error_set(init->err, SOC_ELIMIT, NULL, 0, 0,
                              "bnb: application '%s' has %d tasks; exact search is limited "
                              "to %d tasks per job", init->apps[i].name, init->apps[i].n_tasks,
                              SOC_BNB_MAX_TASKS);
            return SOC_ELIMIT;
        }
    soc__static_t *st;
    int rc = soc__static_create(&st, init, SOC__COST_MEAN, bnb_fill);
    if (rc != SOC_OK)
        return rc;
    bnb_t *b = calloc(1, sizeof *b);
    if (b == NULL) {
        soc__static_destroy(st);
        return SOC_ENOMEM;
    }
    b->base = st;
    b->limit = limit;
    st->ext = b;
    *state = st;
    return SOC_OK;
}

static void bnb_free_job(bnb_t *b)
{
    free(b->w);
    free(b->minw);
    free(b->tail);
    free(b->eft_lb);
    free(b->own_end);
    free(b->topopos);
    free(b->left);
    free(b->own_cnt);
    free(b->sym);
    free(b->cands);
    free(b->best_pe);
    free(b->best_start);
    b->w = b->minw = b->tail = b->eft_lb = b->own_end = b->best_start = NULL;
    b->topopos = b->left = b->own_cnt = b->sym = b->best_pe = NULL;
    b->cands = NULL;
}

static void bnb_destroy(void *state)
{
    soc__static_t *st = state;
    if (st != NULL && st->ext != NULL)
        bnb_free_job(st->ext);
    soc__static_destroy(state);
}

static soc_time_t tmax(soc_time_t x, soc_time_t y)
{
    return x > y ? x : y;
}

/* Data-ready time of t on p from its placed predecessors. */
static soc_time_t ready_on(const bnb_t *b, int t, int p)
{
    const soc_app_t *a = b->a;
    soc_time_t r = b->floor;
    for (int k = a->pred_off[t]; k < a->pred_off[t + 1]; k++) {
        const soc_edge_t *e = &a->edges[a->pred_edge[k]];
        soc_time_t x = b->pl->finish[e->src] +
                       b->v->api->comm_time(b->v, e->volume, b->pl->pe[e->src], p);
        if (x > r)
            r = x;
    }
    return r;
}

/* Lower bound on the makespan of any completion of the current node. */
static soc_time_t bound(bnb_t *b, soc_time_t s_last, soc_time_t cur)
{
    const soc_app_t *a = b->a;
    soc_time_t lb = cur, work = 0;
    for (int k = 0; k < b->n; k++) {
        int t = a->topo[k];
        if (b->pl->pe[t] >= 0)
            continue;
        soc_time_t best = SOC_TIME_NEVER;
        for (int p = 0; p < b->q; p++) {
            soc_time_t d = b->w[(size_t)t * (size_t)b->q + (size_t)p];
            if (d < 0)
                continue;
            soc_time_t r = tmax(tmax(s_last, b->own_end[p]), b->floor);
            for (int i = a->pred_off[t]; i < a->pred_off[t + 1]; i++) {
                const soc_edge_t *e = &a->edges[a->pred_edge[i]];
                int pp = b->pl->pe[e->src];
                soc_time_t x = pp >= 0 ? b->pl->finish[e->src] +
                                             b->v->api->comm_time(b->v, e->volume, pp, p)
                                       : b->eft_lb[e->src];
                if (x > r)
                    r = x;
            }
            if (r + d < best)
                best = r + d;
        }
        b->eft_lb[t] = best;
        lb = tmax(lb, best + b->tail[t]);
        work += b->minw[t];
    }
    soc_time_t base = 0;
    int usable = 0;
    for (int p = 0; p < b->q; p++) {
        int runs = 0;
        for (int t = 0; t < b->n && !runs; t++)
            runs = b->w[(size_t)t * (size_t)b->q + (size_t)p] >= 0;
        if (runs) {
            base += tmax(tmax(s_last, b->own_end[p]), b->floor);
            usable++;
        }
    }
    if (usable > 0) {
        soc_time_t load = (base + work + usable - 1) / usable;
        lb = tmax(lb, load);
    }
    return lb;
}

static int dfs(bnb_t *b, int depth, soc_time_t s_last, int topo_last, soc_time_t cur)
{
    if (depth == b->n) {
        if (cur < b->ub) {
            b->ub = cur;
            b->found = 1;
            memcpy(b->best_pe, b->pl->pe, sizeof(int) * (size_t)b->n);
            memcpy(b->best_start, b->pl->start, sizeof(soc_time_t) * (size_t)b->n);
        }
        return SOC_OK;
    }
    if (++b->nodes > b->limit)
        return SOC_ELIMIT;
    if (bound(b, s_last, cur) >= b->ub)
        return SOC_OK;
    const soc_app_t *a = b->a;
    cand_t *cs = &b->cands[(size_t)depth * (size_t)b->n * (size_t)b->q];
    int nc = 0;
    for (int t = 0; t < b->n; t++) {
        if (b->pl->pe[t] >= 0 || b->left[t] > 0)
            continue;
        for (int p = 0; p < b->q; p++) {
            soc_time_t d = b->w[(size_t)t * (size_t)b->q + (size_t)p];
            if (d < 0)
                continue;
            /* an unused PE identical to an unused lower one adds nothing */
            if (b->own_cnt[p] == 0 && b->sym[p] != p && b->own_cnt[b->sym[p]] == 0)
                continue;
            soc_time_t r = tmax(ready_on(b, t, p), b->own_end[p]);
            soc_time_t s = soc__tl_find(&b->pl->tl[p], r, d, 1, NULL);
            if (s < s_last || (s == s_last && b->topopos[t] < topo_last))
                continue;
            if (tmax(cur, s + d + b->tail[t]) >= b->ub)
                continue;
            /* insertion by (finish, topological position, PE) */
            cand_t c = {s, s + d, t, p};
            int i = nc++;
            while (i > 0 && (cs[i - 1].f > c.f ||
                             (cs[i - 1].f == c.f && (b->topopos[cs[i - 1].t] > b->topopos[c.t] ||
                                                     (cs[i - 1].t == c.t && cs[i - 1].p > c.p))))) {
                cs[i] = cs[i - 1];
                i--;
            }
            cs[i] = c;
        }
    }
    for (int i = 0; i < nc; i++) {
        cand_t c = cs[i];
        if (tmax(cur, c.f + b->tail[c.t]) >= b->ub)
            continue;
        soc_time_t saved = b->own_end[c.p];
        b->pl->pe[c.t] = c.p;
        b->pl->start[c.t] = c.s;
        b->pl->finish[c.t] = c.f;
        b->own_end[c.p] = c.f;
        b->own_cnt[c.p]++;
        for (int k = a->succ_off[c.t]; k < a->succ_off[c.t + 1]; k++)
            b->left[a->edges[a->succ_edge[k]].dst]--;
        int rc = dfs(b, depth + 1, c.s, b->topopos[c.t], tmax(cur, c.f));
        for (int k = a->succ_off[c.t]; k < a->succ_off[c.t + 1]; k++)
            b->left[a->edges[a->succ_edge[k]].dst]++;
        b->own_cnt[c.p]--;
        b->own_end[c.p] = saved;
        b->pl->pe[c.t] = -1;
        if (rc != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

/* Identical PEs: same cluster and the same earlier reservations. */
static void find_symmetry(bnb_t *b)
{
    const soc_platform_t *p = b->v->platform;
    for (int x = 0; x < b->q; x++) {
        b->sym[x] = x;
        for (int y = 0; y < x && b->sym[x] == x; y++) {
            if (b->sym[y] != y || p->pe_cluster[x] != p->pe_cluster[y])
                continue;
            const soc__tl_t *tx = &b->pl->tl[x], *ty = &b->pl->tl[y];
            if (tx->n != ty->n)
                continue;
            int same = 1;
            for (int i = 0; i < tx->n && same; i++)
                same = tx->start[i] == ty->start[i] && tx->end[i] == ty->end[i];
            if (same)
                b->sym[x] = y;
        }
    }
}

/* Arrival step 1: the per-job arrays (freed by bnb_free_job). */
static int bnb_alloc(bnb_t *b, int n, int q)
{
    b->w = malloc(sizeof *b->w * (size_t)n * (size_t)q);
    b->minw = malloc(sizeof *b->minw * (size_t)n);
    b->tail = malloc(sizeof *b->tail * (size_t)n);
    b->eft_lb = malloc(sizeof *b->eft_lb * (size_t)n);
    b->own_end = malloc(sizeof *b->own_end * (size_t)q);
    b->topopos = malloc(sizeof *b->topopos * (size_t)n);
    b->left = malloc(sizeof *b->left * (size_t)n);
    b->own_cnt = calloc((size_t)q, sizeof *b->own_cnt);
    b->sym = malloc(sizeof *b->sym * (size_t)q);
    b->cands = malloc(sizeof *b->cands * (size_t)n * (size_t)n * (size_t)q);
    b->best_pe = malloc(sizeof *b->best_pe * (size_t)n);
    b->best_start = malloc(sizeof *b->best_start * (size_t)n);
    if (!b->w || !b->minw || !b->tail || !b->eft_lb || !b->own_end || !b->topopos ||
        !b->left || !b->own_cnt || !b->sym || !b->cands || !b->best_pe || !b->best_start)
        return SOC_ENOMEM;
    return SOC_OK;
}

/* Arrival step 2: the job's tables -- execution times (and the fastest of
 * each task), unplaced predecessors, the tail (longest fastest path after
 * a task), topological positions, the PEs' earliest start, identical
 * PEs. */
static int bnb_tables(bnb_t *b)
{
    soc_view_t *v = b->v;
    const soc_app_t *a = b->a;
    int n = b->n, q = b->q;
    for (int t = 0; t < n; t++) {
        b->minw[t] = SOC_TIME_NEVER;
        for (int p = 0; p < q; p++) {
            soc_time_t d = v->api->exec_time(v, a->tasks[t].type, p);
            b->w[(size_t)t * (size_t)q + (size_t)p] = d;
            if (d >= 0 && d < b->minw[t])
                b->minw[t] = d;
        }
        if (b->minw[t] == SOC_TIME_NEVER)
            return SOC_ESCHED;
        b->left[t] = a->pred_off[t + 1] - a->pred_off[t];
    }
    for (int k = n - 1; k >= 0; k--) {
        int t = a->topo[k];
        soc_time_t tl = 0;
        for (int s = a->succ_off[t]; s < a->succ_off[t + 1]; s++) {
            int j = a->edges[a->succ_edge[s]].dst;
            tl = tmax(tl, b->minw[j] + b->tail[j]);
        }
        b->tail[t] = tl;
        b->topopos[t] = k;
    }
    for (int p = 0; p < q; p++)
        b->own_end[p] = b->floor;
    find_symmetry(b);
    return SOC_OK;
}

/* Arrival step 3: the HEFT plan of the job (in the cached HEFT order) as
 * the incumbent -- its makespan the first upper bound -- on a scratch copy
 * of the plan arrays, which then go back to the earlier reservations
 * only. */
static int bnb_incumbent(bnb_t *b, soc__app_cache_t *ac, uint64_t job)
{
    soc__plan_t *pl = b->pl;
    soc_view_t *v = b->v;
    int n = b->n, rc;
    soc__eft_rule_t rule = {1, NULL, NULL};
    soc_time_t mk = 0;
    for (int k = 0; k < n; k++) {
        int t = ac->order[k], pos;
        soc_time_t s, f;
        int p = soc__plan_best_pe(pl, v, b->a, t, b->floor, &rule, &s, &f, &pos);
        if (p < 0)
            return SOC_ESCHED;
        if ((rc = soc__plan_put(pl, t, p, pos, s, f)) != SOC_OK)
            return rc;
        mk = tmax(mk, f);
    }
    b->ub = mk;
    memcpy(b->best_pe, pl->pe, sizeof(int) * (size_t)n);
    memcpy(b->best_start, pl->start, sizeof(soc_time_t) * (size_t)n);
    /* back to the earlier reservations only */
    if ((rc = soc__plan_begin(pl, v, job, n)) != SOC_OK ||
        (rc = soc__plan_sync_all(pl)) != SOC_OK)
        return rc;
    return SOC_OK;
}

/* Arrival step 5: hand the optimum over in start order (ties: topological
 * position), so equal keys keep it. */
static int bnb_hand_over(bnb_t *b, uint64_t job)
{
    soc_view_t *v = b->v;
    int n = b->n, rc;
    for (int k = 0; k < n; k++) {
        int t = -1;
        for (int i = 0; i < n; i++)
            if (b->best_pe[i] >= 0 &&
                (t < 0 || b->best_start[i] < b->best_start[t] ||
                 (b->best_start[i] == b->best_start[t] && b->topopos[i] < b->topopos[t])))
                t = i;
        soc_task_ref_t ref = {job, t};
        if ((rc = v->api->assign(v, ref, b->best_pe[t], b->best_start[t])) != SOC_OK)
            return rc;
        b->best_pe[t] = -1;
    }
    return SOC_OK;
}

static int bnb_arrival(void *state, soc_view_t *v, uint64_t job)
{
    soc__static_t *st = state;
    bnb_t *b = st->ext;
    int app = v->api->job_app(v, job);
    soc__app_cache_t *ac = soc__static_cache(st, app);
    if (ac == NULL)
        return app < 0 ? SOC_EINVAL : SOC_ENOMEM;
    const soc_app_t *a = &v->apps[app];
    int n = a->n_tasks, q = v->n_pes, rc;
    if (n > SOC_BNB_MAX_TASKS)
        return SOC_ELIMIT;

    /* incumbent: the HEFT plan (planned only, nothing assigned yet) */
    soc__plan_t *pl = &st->plan;
    if ((rc = soc__plan_begin(pl, v, job, n)) != SOC_OK ||
        (rc = soc__plan_sync_all(pl)) != SOC_OK)
        return rc;
    b->v = v;
    b->a = a;
    b->pl = pl;
    b->n = n;
    b->q = q;
    b->floor = v->api->job_arrival(v, job);
    if ((rc = bnb_alloc(b, n, q)) != SOC_OK || (rc = bnb_tables(b)) != SOC_OK ||
        (rc = bnb_incumbent(b, ac, job)) != SOC_OK)
        goto out;
    /* step 4: the search */
    b->nodes = 0;
    b->found = 0;
    rc = dfs(b, 0, b->floor, -1, b->floor);
    if (rc == SOC_OK)
        rc = bnb_hand_over(b, job);
out:
    bnb_free_job(b);
    return rc;
}

const soc_sched_ops_t soc_sched_bnb = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "bnb",
    .description = "Exact branch and bound per job (<= 24 tasks, <= 16 PEs); optimal makespan",
    .flags = SOC_SCHED_STATIC,
    .create = bnb_create,
    .destroy = bnb_destroy,
    .on_job_arrival = bnb_arrival,
    .schedule = soc__static_schedule,
};
