/*
 * obs_plan.c -- the planning action mode of the encoder (SOC_ACTION_PLAN,
 * soc/obs.h): a policy makes HEFT's decisions.
 *
 * The jobs of a view that still have unassigned tasks are planned one after
 * another (job order); each job's tasks are offered one at a time in HEFT's
 * order, and the action is the PE.  Nothing is remembered between calls:
 * the offered task is found from the view alone (the first job of
 * view->ready with an unassigned task, and its first unassigned task in
 * HEFT's order), so an environment step and the `neural` scheduler, which
 * both assign and re-encode, see the same decisions.  This needs the view's
 * ready list as it was at the start of the decision point: the engine
 * compacts it only when the simulation advances, and plan-mode drivers
 * advance only once soc_obs_has_decision says the instant is planned.
 *
 * HEFT's order is computed here exactly as the `heft` scheduler computes it
 * (schedulers/common.c: soc__costs_init with mean costs, soc__rank_upward,
 * soc__prio_round, soc__priority_order).  The engine layer cannot call the
 * schedulers layer, so the few lines are repeated; tests/check_obs.c holds
 * the two orders equal on every application it loads.
 *
 * Timelines: each decision copies the engine's PE reservations (running and
 * queued tasks, sorted by their keys) so that trial placements can be made
 * and undone (the `job` rollout feature).  The earliest start of a task of
 * length d at or after `ready` follows soc__tl_find of the HEFT family: the
 * first idle gap between reservations that holds d (and starts strictly
 * before the next reservation, so an equal key never queues behind it),
 * else after the last reservation.  The key handed to the engine is that
 * start, so the engine's queue order is the plan's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs_internal.h"

static const char *const pe_feat[F_PLAN_PE] = {"can",  "eft",        "best", "regret", "exec",
                                               "ready", "wait",      "job",  "job_regret",
                                               "busy", "left",       "backlog", "queue", "util"};
static const char *const task_feat[F_PLAN_TASK] = {"rank", "done",  "size", "succ",
                                                   "preds", "age",  "span", "crit"};
static const char *const glob_feat[F_PLAN_GLOBAL] = {"jobs", "pending", "idle", "load"};

static double sq_ns(soc_time_t x, double s)
{
    return soc__obs_sq((double)x, s);
}

/* ------------------------------------------------------ HEFT's order */

/* ns per data unit between distinct PEs pa, pb (schedulers/common.c
 * pair_unit: a direct link, or through memory in shared-memory mode). */
static double pair_unit(const soc_platform_t *p, int pa, int pb)
{
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        int mem = p->clusters[p->memory_cluster].first_pe;
        return 1000.0 / soc_platform_bandwidth(p, pa, mem) +
               1000.0 / soc_platform_bandwidth(p, mem, pb);
    }
    return 1000.0 / soc_platform_bandwidth(p, pa, pb);
}

/* max-heap of task ids by (prio desc, id asc) */
static int before(const double *prio, int x, int y)
{
    return prio[x] != prio[y] ? prio[x] > prio[y] : x < y;
}

static void heap_push(int *h, int *n, int x, const double *prio)
{
    int i = (*n)++;
    while (i > 0 && before(prio, x, h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static int heap_pop(int *h, int *n, const double *prio)
{
    int top = h[0], x = h[--*n], i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        int mv = x;
        if (l < *n && before(prio, h[l], mv)) {
            m = l;
            mv = h[l];
        }
        if (r < *n && before(prio, h[r], mv))
            m = r;
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    if (*n > 0)
        h[i] = x;
    return top;
}

/* The topological order that always takes the eligible task of highest
 * priority, ties to the lower index. */
static int priority_order(const soc_app_t *a, const double *prio, int *order, int *left, int *heap)
{
    int n = a->n_tasks, hn = 0, k = 0;
    for (int i = 0; i < n; i++) {
        left[i] = a->pred_off[i + 1] - a->pred_off[i];
        if (left[i] == 0)
            heap_push(heap, &hn, i, prio);
    }
    while (hn > 0) {
        int t = heap_pop(heap, &hn, prio);
        order[k++] = t;
        for (int s = a->succ_off[t]; s < a->succ_off[t + 1]; s++) {
            int j = a->edges[a->succ_edge[s]].dst;
            if (--left[j] == 0)
                heap_push(heap, &hn, j, prio);
        }
    }
    return k == n ? SOC_OK : SOC_ECYCLE;
}

/* Allocate plan mode's tables and scratch in o (total = tasks over all
 * applications).  -1 if any allocation failed (soc__obs_plan_free frees
 * the others). */
static int plan_alloc(soc_obs_t *o, int total)
{
    o->pl_order = malloc(sizeof *o->pl_order * (size_t)(total > 0 ? total : 1));
    o->pl_rank = malloc(sizeof *o->pl_rank * (size_t)(total > 0 ? total : 1));
    o->pl_rank_max = calloc((size_t)(o->n_apps > 0 ? o->n_apps : 1), sizeof *o->pl_rank_max);
    o->pl_tl = calloc((size_t)o->P, sizeof *o->pl_tl);
    o->pl_jpe = malloc(sizeof *o->pl_jpe * (size_t)o->max_tasks);
    o->pl_jfin = malloc(sizeof *o->pl_jfin * (size_t)o->max_tasks);
    o->pl_log_task = malloc(sizeof *o->pl_log_task * (size_t)o->max_tasks);
    o->pl_log_pe = malloc(sizeof *o->pl_log_pe * (size_t)o->max_tasks);
    o->pl_log_pos = malloc(sizeof *o->pl_log_pos * (size_t)o->max_tasks);
    o->pl_d = malloc(sizeof *o->pl_d * (size_t)o->P);
    o->pl_r = malloc(sizeof *o->pl_r * (size_t)o->P);
    o->pl_s = malloc(sizeof *o->pl_s * (size_t)o->P);
    o->pl_job = malloc(sizeof *o->pl_job * (size_t)o->P);
    if (!o->pl_order || !o->pl_rank || !o->pl_rank_max || !o->pl_tl || !o->pl_jpe ||
        !o->pl_jfin || !o->pl_log_task || !o->pl_log_pe || !o->pl_log_pos || !o->pl_d ||
        !o->pl_r || !o->pl_s || !o->pl_job)
        return -1;
    return 0;
}

/* Execution costs: count[k] = task-running PEs of cluster k, w_mean[t] =
 * mean time of type t over those PEs, as whole ns (0 if none runs it). */
static void plan_exec_costs(const soc_platform_t *p, int *count, double *w_mean)
{
    int nt = p->n_types, nc = p->n_clusters;
    for (int k = 0; k < nc; k++) {
        const soc_cluster_t *cl = &p->clusters[k];
        count[k] = (!cl->is_memory && cl->exec_us != NULL) ? cl->count : 0;
    }
    for (int t = 0; t < nt; t++) {
        double sum = 0, n = 0;
        for (int k = 0; k < nc; k++) {
            if (count[k] == 0 || p->clusters[k].exec_us[t] < 0)
                continue;
            double w = (double)soc_time_from_us(p->clusters[k].exec_us[t]);
            sum += w * count[k];
            n += count[k];
        }
        w_mean[t] = n > 0 ? sum / n : 0;
    }
}

/* Communication: Topcuoglu's mean bandwidth over ordered pairs of distinct
 * task-running PEs (*unit, ns per data unit), plus the start-up latency
 * (*lat, ns); both 0 when there is no such pair. */
static void plan_comm_costs(const soc_platform_t *p, const int *count, double *unit,
                            double *lat)
{
    int nc = p->n_clusters;
    double pairs = 0, bw_sum = 0;
    *unit = 0;
    *lat = 0;
    for (int a = 0; a < nc; a++)
        for (int b = 0; b < nc; b++) {
            double na = count[a], nb = count[b];
            double np = a == b ? na * (nb - 1) : na * nb;
            if (np <= 0)
                continue;
            double u = pair_unit(p, p->clusters[a].first_pe,
                                 p->clusters[b].first_pe + (a == b ? 1 : 0));
            pairs += np;
            bw_sum += np / u;
        }
    if (pairs > 0) {
        *lat = p->latency_us * 1000.0;
        *unit = pairs / bw_sum;
    }
}

/* Rounded upward ranks, their maximum and HEFT's order of application ai
 * (left, heap: scratch of max_tasks).  SOC_ECYCLE (reported) on a cycle. */
static int plan_app_order(soc_obs_t *o, int ai, const double *w_mean, double unit, double lat,
                          int *left, int *heap, soc_error_t *err)
{
    int nt = o->p->n_types;
    const soc_app_t *a = &o->apps[ai];
    double *r = o->pl_rank + o->app_off[ai];
    for (int idx = a->n_tasks - 1; idx >= 0; idx--) {
        int i = a->topo[idx];
        double best = 0;
        for (int s = a->succ_off[i]; s < a->succ_off[i + 1]; s++) {
            const soc_edge_t *e = &a->edges[a->succ_edge[s]];
            double c = (e->volume <= 0 || (unit <= 0 && lat <= 0)) ? 0
                                                                   : lat + e->volume * unit;
            if (c + r[e->dst] > best)
                best = c + r[e->dst];
        }
        int type = a->tasks[i].type;
        r[i] = (type >= 0 && type < nt ? w_mean[type] : 0) + best;
    }
    for (int i = 0; i < a->n_tasks; i++) {
        r[i] = nearbyint(r[i] * 4096.0) / 4096.0; /* soc__prio_round */
        if (r[i] > o->pl_rank_max[ai])
            o->pl_rank_max[ai] = r[i];
    }
    if (priority_order(a, r, o->pl_order + o->app_off[ai], left, heap) != SOC_OK)
        return soc_error_set(err, SOC_ECYCLE, NULL, 0, 0,
                             "observation encoder: application '%s' has a cycle",
                             a->name ? a->name : "?");
    return SOC_OK;
}

int soc__obs_plan_build(soc_obs_t *o, soc_error_t *err)
{
    const soc_platform_t *p = o->p;
    int nt = p->n_types, nc = p->n_clusters, total = o->app_off[o->n_apps];
    int rc = SOC_ENOMEM;
    double *w_mean = calloc((size_t)(nt > 0 ? nt : 1), sizeof *w_mean);
    int *count = calloc((size_t)(nc > 0 ? nc : 1), sizeof *count);
    int *left = malloc(sizeof *left * (size_t)o->max_tasks);
    int *heap = malloc(sizeof *heap * (size_t)o->max_tasks);
    int pl_failed = plan_alloc(o, total);
    if (!w_mean || !count || !left || !heap || pl_failed)
        goto done;
    plan_exec_costs(p, count, w_mean);
    double unit, lat;
    plan_comm_costs(p, count, &unit, &lat);
    for (int ai = 0; ai < o->n_apps; ai++) {
        rc = plan_app_order(o, ai, w_mean, unit, lat, left, heap, err);
        if (rc != SOC_OK)
            goto done;
    }
    o->pl_task_base = o->P * F_PLAN_PE;
    o->pl_app_base = o->pl_task_base + F_PLAN_TASK;
    o->pl_g_base = o->pl_app_base + o->n_apps;
    o->dim = o->pl_g_base + F_PLAN_GLOBAL;
    rc = SOC_OK;
done:
    free(w_mean);
    free(count);
    free(left);
    free(heap);
    if (rc == SOC_ENOMEM)
        soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    return rc;
}

void soc__obs_plan_free(soc_obs_t *o)
{
    if (o->pl_tl != NULL)
        for (int p = 0; p < o->P; p++) {
            free(o->pl_tl[p].start);
            free(o->pl_tl[p].fin);
            free(o->pl_tl[p].end);
        }
    free(o->pl_tl);
    free(o->pl_order);
    free(o->pl_rank);
    free(o->pl_rank_max);
    free(o->pl_jpe);
    free(o->pl_jfin);
    free(o->pl_log_task);
    free(o->pl_log_pe);
    free(o->pl_log_pos);
    free(o->pl_d);
    free(o->pl_r);
    free(o->pl_s);
    free(o->pl_job);
}

int soc__obs_plan_feature_name(const soc_obs_t *o, int i, char *buf, size_t size)
{
    if (i < o->pl_task_base) {
        int pe = i / F_PLAN_PE;
        const char *cn = o->p->clusters[o->p->pe_cluster[pe]].name;
        snprintf(buf, size, "pe%d.%s_%d.%s", pe, cn ? cn : "pe", pe, pe_feat[i % F_PLAN_PE]);
    } else if (i < o->pl_app_base) {
        snprintf(buf, size, "task.%s", task_feat[i - o->pl_task_base]);
    } else if (i < o->pl_g_base) {
        const char *an = o->apps[i - o->pl_app_base].name;
        snprintf(buf, size, "app.%s", an ? an : "?");
    } else {
        snprintf(buf, size, "g.%s", glob_feat[i - o->pl_g_base]);
    }
    return SOC_OK;
}

/* ------------------------------------------------------- timelines */

static int tl_reserve(soc__obs_tl_t *tl, int n)
{
    if (n <= tl->cap)
        return SOC_OK;
    int nc = tl->cap ? 2 * tl->cap : 16;
    while (nc < n)
        nc *= 2;
    soc_time_t *a = realloc(tl->start, sizeof *a * (size_t)nc);
    if (a == NULL)
        return SOC_ENOMEM;
    tl->start = a;
    a = realloc(tl->fin, sizeof *a * (size_t)nc);
    if (a == NULL)
        return SOC_ENOMEM;
    tl->fin = a;
    a = realloc(tl->end, sizeof *a * (size_t)nc);
    if (a == NULL)
        return SOC_ENOMEM;
    tl->end = a;
    tl->cap = nc;
    return SOC_OK;
}

static void tl_fix(soc__obs_tl_t *tl, int from)
{
    for (int i = from; i < tl->n; i++)
        tl->end[i] = (i > 0 && tl->end[i - 1] > tl->fin[i]) ? tl->end[i - 1] : tl->fin[i];
}

/* Earliest start >= ready (>= now) of a task of length d; *pos = the index
 * its reservation takes. */
static soc_time_t tl_find(const soc__obs_tl_t *tl, soc_time_t ready, soc_time_t d, int *pos)
{
    int n = tl->n;
    if (n == 0 || ready >= tl->end[n - 1]) {
        *pos = n;
        return ready;
    }
    /* first reservation ending after ready: the gap before it starts at ready */
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (tl->end[mid] > ready)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (ready + d <= tl->start[lo] && ready < tl->start[lo]) {
        *pos = lo;
        return ready;
    }
    for (int k = lo + 1; k < n; k++) {
        soc_time_t g = tl->start[k] - tl->end[k - 1];
        if (g > 0 && g >= d) {
            *pos = k;
            return tl->end[k - 1];
        }
    }
    *pos = n;
    return tl->end[n - 1];
}

static int tl_put(soc__obs_tl_t *tl, int pos, soc_time_t s, soc_time_t f)
{
    if (tl_reserve(tl, tl->n + 1) != SOC_OK)
        return SOC_ENOMEM;
    size_t tail = (size_t)(tl->n - pos);
    memmove(&tl->start[pos + 1], &tl->start[pos], tail * sizeof *tl->start);
    memmove(&tl->fin[pos + 1], &tl->fin[pos], tail * sizeof *tl->fin);
    memmove(&tl->end[pos + 1], &tl->end[pos], tail * sizeof *tl->end);
    tl->start[pos] = s;
    tl->fin[pos] = f;
    tl->n++;
    tl_fix(tl, pos);
    return SOC_OK;
}

static void tl_take(soc__obs_tl_t *tl, int pos)
{
    size_t tail = (size_t)(tl->n - pos - 1);
    memmove(&tl->start[pos], &tl->start[pos + 1], tail * sizeof *tl->start);
    memmove(&tl->fin[pos], &tl->fin[pos + 1], tail * sizeof *tl->fin);
    memmove(&tl->end[pos], &tl->end[pos + 1], tail * sizeof *tl->end);
    tl->n--;
    tl_fix(tl, pos);
}

/* ------------------------------------------------------- decisions */

static int unassigned(const soc_view_t *v, uint64_t job, int task)
{
    soc_task_info_t ti;
    return v->api->task_info(v, (soc_task_ref_t){job, task}, &ti) == SOC_OK &&
           (ti.status == SOC_TASK_WAITING || ti.status == SOC_TASK_READY);
}

/* First task of `job` (application app) in HEFT's order that is not
 * assigned: its index in the order, or -1. */
static int first_unplanned(const soc_obs_t *o, const soc_view_t *v, uint64_t job, int app)
{
    const int *ord = o->pl_order + o->app_off[app];
    for (int k = 0; k < o->apps[app].n_tasks; k++)
        if (unassigned(v, job, ord[k]))
            return k;
    return -1;
}

/* Find the offered task of view v into o->dec (have = 0 if none); count
 * the jobs still to plan when count_all. */
static void find_offer(soc_obs_t *o, const soc_view_t *v, int count_all)
{
    soc__plan_dec_t *d = &o->dec;
    memset(d, 0, sizeof *d);
    d->best = d->rbest = -1;
    uint64_t last = 0;
    int seen = 0;
    for (int i = 0; i < v->n_ready; i++) {
        const soc_ready_t *r = &v->ready[i];
        if ((seen && r->ref.job == last) || r->app < 0 || r->app >= o->n_apps)
            continue;
        seen = 1;
        last = r->ref.job;
        if (d->have) {
            /* a later job: unplanned when any task is (its first in order
             * is, unless the planning of it started) */
            d->pending += first_unplanned(o, v, r->ref.job, r->app) >= 0;
            continue;
        }
        int k = first_unplanned(o, v, r->ref.job, r->app);
        if (k < 0)
            continue;
        d->have = 1;
        d->pending = 1;
        d->job = r->ref.job;
        d->app = r->app;
        d->k = k;
        d->n = o->apps[r->app].n_tasks;
        d->task = o->pl_order[o->app_off[r->app] + k];
        d->arrival = r->arrival;
        if (!count_all)
            return;
    }
}

/* Data ready time of task t of the offered job on pe from its placed
 * predecessors (pl_jpe/pl_jfin), never before now or the job's arrival. */
static soc_time_t ready_on(const soc_obs_t *o, const soc_view_t *v, const soc_app_t *a, int t,
                           int pe)
{
    soc_time_t r = o->dec.arrival > v->now ? o->dec.arrival : v->now;
    for (int k = a->pred_off[t]; k < a->pred_off[t + 1]; k++) {
        const soc_edge_t *e = &a->edges[a->pred_edge[k]];
        int pp = o->pl_jpe[e->src];
        if (pp < 0)
            continue;
        soc_time_t x = o->pl_jfin[e->src] + v->api->comm_time(v, e->volume, pp, pe);
        if (x > r)
            r = x;
    }
    return r;
}

static soc_time_t exec_on(const soc_obs_t *o, int type, int pe)
{
    if (type < 0 || type >= o->p->n_types)
        return -1;
    return o->exec[(size_t)type * (size_t)o->P + (size_t)pe];
}

/* HEFT's choice for task t in the trial state: PE of least insertion-based
 * finish (ties: lower PE), with its start, finish and timeline index. */
static int heft_pe(soc_obs_t *o, const soc_view_t *v, const soc_app_t *a, int t, soc_time_t *s,
                   soc_time_t *f, int *pos)
{
    int best = -1;
    for (int p = 0; p < o->P; p++) {
        soc_time_t d = exec_on(o, a->tasks[t].type, p);
        if (d < 0)
            continue;
        int ps;
        soc_time_t st = tl_find(&o->pl_tl[p], ready_on(o, v, a, t, p), d, &ps);
        if (best < 0 || st + d < *f) {
            best = p;
            *s = st;
            *f = st + d;
            *pos = ps;
        }
    }
    return best;
}

/* Evaluate the offered task on every PE: exec (pl_d, -1 = cannot), data
 * ready (pl_r), insertion start (pl_s), HEFT's PE (dec.best) and, with
 * rollout, the job's planned completion (pl_job) and its best PE
 * (dec.rbest).  SOC_OK, SOC_ESTATE (nothing offered), SOC_ENOMEM. */
static int evaluate(soc_obs_t *o, const soc_view_t *v, int rollout)
{
    find_offer(o, v, rollout);
    soc__plan_dec_t *dc = &o->dec;
    if (!dc->have)
        return SOC_ESTATE;
    const soc_app_t *a = &o->apps[dc->app];
    /* the job's placed tasks */
    dc->span = v->now;
    for (int t = 0; t < dc->n; t++) {
        soc_task_info_t ti;
        o->pl_jpe[t] = -1;
        o->pl_jfin[t] = 0;
        if (v->api->task_info(v, (soc_task_ref_t){dc->job, t}, &ti) == SOC_OK &&
            ti.status != SOC_TASK_WAITING && ti.status != SOC_TASK_READY && ti.pe >= 0) {
            o->pl_jpe[t] = ti.pe;
            o->pl_jfin[t] = ti.finish;
            if (ti.finish > dc->span)
                dc->span = ti.finish;
        }
    }
    /* the PE timelines, as the engine holds them */
    for (int p = 0; p < o->P; p++) {
        const soc_pe_state_t *ps = &v->pes[p];
        soc__obs_tl_t *tl = &o->pl_tl[p];
        if (tl_reserve(tl, ps->n_slots) != SOC_OK)
            return SOC_ENOMEM;
        for (int i = 0; i < ps->n_slots; i++) {
            tl->start[i] = ps->slots[i].start;
            tl->fin[i] = ps->slots[i].finish;
        }
        tl->n = ps->n_slots;
        tl_fix(tl, 0);
    }
    int t = dc->task, type = a->tasks[t].type;
    dc->best = -1;
    for (int p = 0; p < o->P; p++) {
        soc_time_t d = exec_on(o, type, p);
        o->pl_d[p] = d;
        o->pl_job[p] = -1;
        if (d < 0)
            continue;
        int pos;
        o->pl_r[p] = ready_on(o, v, a, t, p);
        o->pl_s[p] = tl_find(&o->pl_tl[p], o->pl_r[p], d, &pos);
        if (dc->best < 0 || o->pl_s[p] + d < o->pl_s[dc->best] + o->pl_d[dc->best])
            dc->best = p;
    }
    if (dc->best < 0)
        return SOC_ESTATE; /* no PE runs the task: the config loader forbids it */
    if (!rollout)
        return SOC_OK;
    const int *ord = o->pl_order + o->app_off[dc->app];
    for (int p = 0; p < o->P; p++) {
        if (o->pl_d[p] < 0)
            continue;
        int pos, nlog = 0, rc = SOC_OK;
        soc_time_t f = o->pl_s[p] + o->pl_d[p];
        (void)tl_find(&o->pl_tl[p], o->pl_r[p], o->pl_d[p], &pos);
        if (tl_put(&o->pl_tl[p], pos, o->pl_s[p], f) != SOC_OK)
            return SOC_ENOMEM;
        o->pl_jpe[t] = p;
        o->pl_jfin[t] = f;
        soc_time_t m = f > dc->span ? f : dc->span;
        for (int kk = dc->k + 1; kk < dc->n && rc == SOC_OK; kk++) {
            int c = ord[kk], cpos = 0;
            soc_time_t cs = 0, cf = 0;
            int cp = heft_pe(o, v, a, c, &cs, &cf, &cpos);
            if (cp < 0)
                break;
            if ((rc = tl_put(&o->pl_tl[cp], cpos, cs, cf)) != SOC_OK)
                break;
            o->pl_jpe[c] = cp;
            o->pl_jfin[c] = cf;
            o->pl_log_task[nlog] = c;
            o->pl_log_pe[nlog] = cp;
            o->pl_log_pos[nlog++] = cpos;
            if (cf > m)
                m = cf;
        }
        /* undo in reverse order: each index is still the one it was put at */
        while (nlog > 0) {
            nlog--;
            tl_take(&o->pl_tl[o->pl_log_pe[nlog]], o->pl_log_pos[nlog]);
            o->pl_jpe[o->pl_log_task[nlog]] = -1;
        }
        tl_take(&o->pl_tl[p], pos);
        o->pl_jpe[t] = -1;
        if (rc != SOC_OK)
            return rc;
        o->pl_job[p] = m;
        if (dc->rbest < 0 || m < o->pl_job[dc->rbest] ||
            (m == o->pl_job[dc->rbest] && f < o->pl_s[dc->rbest] + o->pl_d[dc->rbest]))
            dc->rbest = p;
    }
    return SOC_OK;
}

int soc__obs_plan_has_decision(soc_obs_t *o, const soc_view_t *v)
{
    find_offer(o, v, 0);
    return o->dec.have;
}

int soc__obs_plan_encode(soc_obs_t *o, const soc_view_t *v, float *obs, uint8_t *mask)
{
    const double s = o->s_ns;
    if (obs != NULL)
        memset(obs, 0, sizeof *obs * (size_t)o->dim);
    if (mask != NULL)
        memset(mask, 0, (size_t)o->n_actions);
    int rc = evaluate(o, v, obs != NULL);
    if (rc == SOC_ENOMEM)
        return rc;
    const soc__plan_dec_t *dc = &o->dec;
    int valid = 0;
    if (rc == SOC_OK)
        for (int p = 0; p < o->P; p++)
            if (o->pl_d[p] >= 0) {
                if (mask != NULL)
                    mask[p] = 1;
                valid++;
            }
    if (obs == NULL)
        return valid;
    /* PE state: the slot modes' PE block, 5 features at offset 9 */
    float pe5[F_PE];
    int idle = 0;
    double load = 0;
    for (int p = 0; p < o->P; p++) {
        float *f = obs + (size_t)p * F_PLAN_PE;
        idle += soc__obs_encode_pes_one(o, v, p, pe5);
        memcpy(f + 9, pe5, sizeof pe5);
        if (o->capable[p])
            load += pe5[2];
        if (rc != SOC_OK)
            continue;
        soc_time_t d = o->pl_d[p];
        if (d < 0) {
            for (int k = 1; k < 9; k++)
                f[k] = 1.0f;
            f[2] = 0.0f;
            continue;
        }
        soc_time_t fin = o->pl_s[p] + d;
        soc_time_t bfin = o->pl_s[dc->best] + o->pl_d[dc->best];
        f[0] = 1.0f;
        f[1] = (float)sq_ns(fin - v->now, s);
        f[2] = p == dc->best ? 1.0f : 0.0f;
        f[3] = (float)sq_ns(fin - bfin, s);
        f[4] = (float)sq_ns(d, s);
        f[5] = (float)sq_ns(o->pl_r[p] - v->now, s);
        f[6] = (float)sq_ns(o->pl_s[p] - o->pl_r[p], s);
        f[7] = (float)sq_ns(o->pl_job[p] - v->now, s);
        f[8] = (float)sq_ns(o->pl_job[p] - o->pl_job[dc->rbest], s);
    }
    if (rc == SOC_OK) {
        const soc_app_t *a = &o->apps[dc->app];
        float *f = obs + o->pl_task_base;
        int ti = o->app_off[dc->app] + dc->task;
        int ns = a->succ_off[dc->task + 1] - a->succ_off[dc->task];
        int np = a->pred_off[dc->task + 1] - a->pred_off[dc->task];
        f[0] = (float)soc__obs_sq(o->pl_rank[ti], s);
        f[1] = (float)((double)dc->k / (double)dc->n);
        f[2] = (float)((double)dc->n / (dc->n + 16.0));
        f[3] = (float)(ns / (ns + SQ_SUCC));
        f[4] = (float)(np / (np + SQ_SUCC));
        f[5] = (float)sq_ns(v->now - dc->arrival, s);
        f[6] = (float)sq_ns(dc->span - v->now, s);
        f[7] = o->pl_rank_max[dc->app] > 0 ? (float)(o->pl_rank[ti] / o->pl_rank_max[dc->app])
                                           : 0.0f;
        obs[o->pl_app_base + dc->app] = 1.0f;
    }
    float *g = obs + o->pl_g_base;
    int j = v->jobs_in_system < 0 ? 0 : v->jobs_in_system;
    g[0] = (float)(j / (j + SQ_JOBS));
    g[1] = (float)(dc->pending / (dc->pending + 1.0));
    g[2] = (float)((double)idle / (double)o->n_capable);
    g[3] = (float)(load / (double)o->n_capable);
    return valid;
}

int soc__obs_plan_decode(soc_obs_t *o, const soc_view_t *v, int64_t action,
                         soc_task_ref_t *ref, int *pe, soc_time_t *key)
{
    int rc = evaluate(o, v, 0);
    if (rc != SOC_OK)
        return rc;
    const soc__plan_dec_t *dc = &o->dec;
    int valid = action >= 0 && action < o->P && o->pl_d[action] >= 0;
    int p = valid ? (int)action : dc->best;
    ref->job = dc->job;
    ref->task = dc->task;
    *pe = p;
    if (key != NULL)
        *key = o->pl_s[p];
    return valid;
}

int64_t soc__obs_plan_expert(soc_obs_t *o, const soc_view_t *v, soc_expert_kind_t kind)
{
    int rc = evaluate(o, v, kind == SOC_EXPERT_ROLLOUT);
    if (rc != SOC_OK)
        return -1;
    return kind == SOC_EXPERT_ROLLOUT ? o->dec.rbest : o->dec.best;
}
