/*
 * peft.c -- PEFT, Predict Earliest Finish Time (Arabnejad, Barbosa, IEEE
 * TPDS 25(3), 2014).
 *
 * Optimistic cost table OCT(t, p) over the PEs (mean communication cost,
 * none on the same PE), rank_oct = mean OCT over the PEs that can run t.
 * Ready list by rank_oct (ties: lower task index); each task goes to the PE
 * minimising O_EFT = insertion EFT + OCT (ties: lower PE).  OCT is kept per
 * cluster: PEs of one cluster have equal OCT rows, which makes the table
 * O(e * clusters) to build and v * clusters to store.
 *
 * Arriving jobs: planned whole at arrival against the existing reservations
 * (insertion); the OCT table is cached per application.
 */
#include <stdlib.h>

#include "sched_internal.h"

static int peft_fill(soc__static_t *st, const soc_app_t *a, soc__app_cache_t *ac)
{
    int n = a->n_tasks, nc = st->costs.n_clusters;
    ac->prio = malloc(sizeof(double) * (size_t)n);
    ac->order = malloc(sizeof(int) * (size_t)n);
    ac->aux = malloc(sizeof(double) * (size_t)n * (size_t)nc);
    if (ac->prio == NULL || ac->order == NULL || ac->aux == NULL)
        return SOC_ENOMEM;
    soc__oct_table(&st->costs, a, ac->aux, ac->prio);
    for (int i = 0; i < n; i++)
        ac->prio[i] = soc__prio_round(ac->prio[i]);
    return soc__priority_order(a, ac->prio, ac->order);
}

static int peft_create(void **state, const soc_sched_init_t *init)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL;
    soc__static_t *st;
    int rc = soc__static_create(&st, init, SOC__COST_MEAN, peft_fill);
    if (rc == SOC_OK)
        *state = st;
    return rc;
}

static int peft_arrival(void *state, soc_view_t *v, uint64_t job)
{
    soc__static_t *st = state;
    int app = v->api->job_app(v, job);
    soc__app_cache_t *ac = soc__static_cache(st, app);
    if (ac == NULL)
        return app < 0 ? SOC_EINVAL : SOC_ENOMEM;
    soc__eft_rule_t rule = {1, ac->aux, NULL};
    return soc__plan_job(&st->plan, v, job, app, ac->order, &rule);
}

const soc_sched_ops_t soc_sched_peft = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "peft",
    .description = "PEFT: optimistic cost table rank, insertion EFT + OCT",
    .flags = SOC_SCHED_STATIC,
    .create = peft_create,
    .destroy = soc__static_destroy,
    .on_job_arrival = peft_arrival,
    .schedule = soc__static_schedule,
};
