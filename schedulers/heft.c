/*
 * heft.c -- HEFT, Heterogeneous Earliest Finish Time (Topcuoglu, Hariri,
 * Wu, IEEE TPDS 13(3), 2002), and its rank variants.
 *
 * Priority: upward rank with mean costs over the PEs that can run each task
 * (heft), or best / worst costs (heft_best, heft_worst; also "heft:best").
 * Tasks are taken in non-increasing rank, ties to the lower task index,
 * always among tasks whose predecessors are placed (so zero-cost ties can
 * never break precedence).  Each goes to the PE of minimal insertion-based
 * EFT, ties to the lower PE index.
 *
 * Arriving jobs: each job's whole DAG is planned when it arrives, against
 * the reservations already on the PE timelines (earlier jobs' plans),
 * inserting into their idle gaps.  Ranks are cached per application.
 */
#include <stdlib.h>

#include "sched_internal.h"

static int heft_fill(soc__static_t *st, const soc_app_t *a, soc__app_cache_t *ac)
{
    ac->prio = malloc(sizeof(double) * (size_t)a->n_tasks);
    ac->order = malloc(sizeof(int) * (size_t)a->n_tasks);
    if (ac->prio == NULL || ac->order == NULL)
        return SOC_ENOMEM;
    soc__rank_upward(&st->costs, a, st->kind, ac->prio);
    for (int i = 0; i < a->n_tasks; i++)
        ac->prio[i] = soc__prio_round(ac->prio[i]);
    return soc__priority_order(a, ac->prio, ac->order);
}

static int heft_create_kind(void **state, const soc_sched_init_t *init,
                            soc__cost_kind_t kind)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0') {
        if (soc__name_eq(init->arg, "mean"))
            kind = SOC__COST_MEAN;
        else if (soc__name_eq(init->arg, "best"))
            kind = SOC__COST_BEST;
        else if (soc__name_eq(init->arg, "worst"))
            kind = SOC__COST_WORST;
        else
            return SOC_EINVAL;
    }
    soc__static_t *st;
    int rc = soc__static_create(&st, init, kind, heft_fill);
    if (rc == SOC_OK)
        *state = st;
    return rc;
}

static int heft_create(void **state, const soc_sched_init_t *init)
{
    return heft_create_kind(state, init, SOC__COST_MEAN);
}

/* The named variants take no argument ("heft:best" is the spelled-out
 * form of heft_best). */
static int heft_best_create(void **state, const soc_sched_init_t *init)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL;
    return heft_create_kind(state, init, SOC__COST_BEST);
}

static int heft_worst_create(void **state, const soc_sched_init_t *init)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL;
    return heft_create_kind(state, init, SOC__COST_WORST);
}

static int heft_arrival(void *state, soc_view_t *v, uint64_t job)
{
    soc__static_t *st = state;
    int app = v->api->job_app(v, job);
    soc__app_cache_t *ac = soc__static_cache(st, app);
    if (ac == NULL)
        return app < 0 ? SOC_EINVAL : SOC_ENOMEM;
    soc__eft_rule_t rule = {1, NULL, NULL};
    return soc__plan_job(&st->plan, v, job, app, ac->order, &rule);
}

const soc_sched_ops_t soc_sched_heft = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "heft",
    .description = "HEFT: upward rank (mean costs), insertion EFT; each job planned at arrival",
    .flags = SOC_SCHED_STATIC,
    .create = heft_create,
    .destroy = soc__static_destroy,
    .on_job_arrival = heft_arrival,
    .schedule = soc__static_schedule,
};

const soc_sched_ops_t soc_sched_heft_best = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "heft_best",
    .description = "HEFT with upward rank from best-case (minimum) costs",
    .flags = SOC_SCHED_STATIC,
    .create = heft_best_create,
    .destroy = soc__static_destroy,
    .on_job_arrival = heft_arrival,
    .schedule = soc__static_schedule,
};

const soc_sched_ops_t soc_sched_heft_worst = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "heft_worst",
    .description = "HEFT with upward rank from worst-case (maximum) costs",
    .flags = SOC_SCHED_STATIC,
    .create = heft_worst_create,
    .destroy = soc__static_destroy,
    .on_job_arrival = heft_arrival,
    .schedule = soc__static_schedule,
};
