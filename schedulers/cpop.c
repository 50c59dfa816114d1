/*
 * cpop.c -- CPOP, Critical Path On a Processor (Topcuoglu, Hariri, Wu,
 * IEEE TPDS 13(3), 2002).
 *
 * priority = rank_u + rank_d (mean costs; rank_d adds the predecessor's
 * mean cost).  |CP| = the priority of the entry task of highest priority
 * (ties: lower index); the critical path walks from it through the successor
 * whose priority equals |CP| (ties: lower index).  p_CP is the PE that
 * minimises the summed execution time of the critical-path tasks among the
 * PEs that can run all of them (ties: lower PE index; none: no pinning).
 * Tasks are taken from a ready queue by priority (ties: lower index); a
 * critical-path task goes to p_CP at its insertion EST, any other to the PE
 * of minimal insertion EFT (ties: lower PE).
 *
 * Arriving jobs: planned whole at arrival against the existing reservations
 * (insertion).  p_CP is fixed per application, so the critical paths of
 * concurrent jobs of one application share that PE, as in the paper.
 */
#include <math.h>
#include <stdlib.h>

#include "sched_internal.h"

static int cpop_fill(soc__static_t *st, const soc_app_t *a, soc__app_cache_t *ac)
{
    int n = a->n_tasks, rc = SOC_ENOMEM;
    double *rd = malloc(sizeof(double) * (size_t)n);
    ac->prio = malloc(sizeof(double) * (size_t)n);
    ac->order = malloc(sizeof(int) * (size_t)n);
    ac->iaux = malloc(sizeof(int) * (size_t)n);
    if (rd == NULL || ac->prio == NULL || ac->order == NULL || ac->iaux == NULL)
        goto out;
    soc__rank_upward(&st->costs, a, SOC__COST_MEAN, ac->prio);
    soc__rank_downward(&st->costs, a, SOC__COST_MEAN, rd);
    for (int i = 0; i < n; i++) {
        ac->prio[i] = soc__prio_round(ac->prio[i] + rd[i]);
        ac->iaux[i] = -1;
    }
    if ((rc = soc__priority_order(a, ac->prio, ac->order)) != SOC_OK)
        goto out;

    int cur = -1;
    for (int i = 0; i < n; i++)
        if (a->pred_off[i + 1] == a->pred_off[i] && (cur < 0 || ac->prio[i] > ac->prio[cur]))
            cur = i;
    double cp = ac->prio[cur];
    /* mark the path in iaux (1), then turn marks into the pinned PE */
    while (cur >= 0) {
        ac->iaux[cur] = 1;
        int next = -1;
        for (int s = a->succ_off[cur]; s < a->succ_off[cur + 1]; s++) {
            int j = a->edges[a->succ_edge[s]].dst;
            if (ac->prio[j] == cp && (next < 0 || j < next))
                next = j;
        }
        cur = next;
    }
    const soc_platform_t *p = st->platform;
    double best = INFINITY;
    int bc = -1;
    for (int c = 0; c < p->n_clusters; c++) {
        if (st->costs.count[c] == 0)
            continue;
        double sum = 0;
        for (int i = 0; i < n && sum >= 0; i++)
            if (ac->iaux[i] == 1) {
                double w = soc__cost_wc(&st->costs, a->tasks[i].type, c);
                sum = w < 0 ? -1 : sum + w;
            }
        if (sum >= 0 && sum < best) {
            best = sum;
            bc = c;
        }
    }
    ac->cp_pe = bc < 0 ? -1 : p->clusters[bc].first_pe;
    for (int i = 0; i < n; i++)
        ac->iaux[i] = ac->iaux[i] == 1 ? ac->cp_pe : -1;
    rc = SOC_OK;
out:
    free(rd);
    return rc;
}

static int cpop_create(void **state, const soc_sched_init_t *init)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL;
    soc__static_t *st;
    int rc = soc__static_create(&st, init, SOC__COST_MEAN, cpop_fill);
    if (rc == SOC_OK)
        *state = st;
    return rc;
}

static int cpop_arrival(void *state, soc_view_t *v, uint64_t job)
{
    soc__static_t *st = state;
    int app = v->api->job_app(v, job);
    soc__app_cache_t *ac = soc__static_cache(st, app);
    if (ac == NULL)
        return app < 0 ? SOC_EINVAL : SOC_ENOMEM;
    soc__eft_rule_t rule = {1, NULL, ac->iaux};
    return soc__plan_job(&st->plan, v, job, app, ac->order, &rule);
}

const soc_sched_ops_t soc_sched_cpop = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "cpop",
    .description = "CPOP: rank_u + rank_d priority, critical path on one PE, insertion EFT",
    .flags = SOC_SCHED_STATIC,
    .create = cpop_create,
    .destroy = soc__static_destroy,
    .on_job_arrival = cpop_arrival,
    .schedule = soc__static_schedule,
};
