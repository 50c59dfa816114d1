/*
 * eft_net.c -- EFT with load-aware transfer estimates ("eft_net"), the
 * built-in contention-aware scheduler (docs/schedulers.md, docs/semantics.md
 * "Contention").
 *
 * Ready tasks in ready-list order, each to the PE of least estimated finish
 * time, appended behind the PE's plan, ties to the lower PE index -- EFT --
 * but an input coming from another PE is estimated as
 *   now + api->comm_time_now(volume, producer's PE, candidate PE):
 * under contention a transfer starts when its consumer is placed (the
 * producers of a ready task have all finished), and comm_time_now prices
 * the network's current load (the bus queue; the flows on the route's
 * links).  Each placement starts its transfers at once, so the next task
 * of the same decision point already sees them.  Data on the same PE and
 * pure precedence keep the contention-free rules.  Without a contention
 * model (or on a host whose api lacks comm_time_now) this is EFT exactly.
 * O(q * in-degree) estimates per task, each O(route length).
 */
#include "sched_internal.h"

/* Estimated arrival of r's inputs on pe when placed now. */
static soc_time_t net_ready(const soc_view_t *v, const soc_ready_t *r, int pe)
{
    const soc_app_t *a = &v->apps[r->app];
    soc_time_t at = v->now > r->arrival ? v->now : r->arrival;
    for (int k = a->pred_off[r->ref.task]; k < a->pred_off[r->ref.task + 1]; k++) {
        const soc_edge_t *e = &a->edges[a->pred_edge[k]];
        soc_task_info_t pi;
        soc_task_ref_t pref = {r->ref.job, e->src};
        if (v->api->task_info(v, pref, &pi) != SOC_OK || pi.pe < 0)
            continue;
        soc_time_t x;
        if (e->volume <= 0)
            x = pi.finish;
        else if (pi.pe == pe)
            x = pi.finish + v->api->comm_time(v, e->volume, pi.pe, pe);
        else
            x = v->now + v->api->comm_time_now(v, e->volume, pi.pe, pe);
        if (x > at)
            at = x;
    }
    return at;
}

static int eft_net_schedule(void *state, soc_view_t *v)
{
    const soc_contention_t *c = v->platform->contention;
    if (c == NULL || c->model == SOC_NET_NONE || !SOC_API_HAS(v->api, comm_time_now))
        return soc__ws_schedule(state, v); /* no contention: EFT */
    soc__ws_t *ws = state;
    int rc = soc__ws_prepare(ws, v);
    if (rc != SOC_OK)
        return rc;
    for (int i = 0; i < v->n_ready; i++) {
        const soc_ready_t *r = &v->ready[i];
        int best = -1;
        soc_time_t best_f = 0;
        for (int pe = 0; pe < v->n_pes; pe++) {
            soc_time_t d = v->api->exec_time(v, r->type, pe);
            if (d < 0)
                continue;
            soc_time_t st = net_ready(v, r, pe);
            if (st < ws->avail[pe])
                st = ws->avail[pe];
            if (best < 0 || st + d < best_f) {
                best = pe;
                best_f = st + d;
            }
        }
        if (best < 0)
            return SOC_ESCHED;
        if ((rc = v->api->assign(v, r->ref, best, SOC_APPEND)) != SOC_OK)
            return rc;
        ws->avail[best] = best_f;
    }
    return SOC_OK;
}

static int eft_net_create(void **state, const soc_sched_init_t *init)
{
    if (init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL; /* no modes: transfers start at placement */
    return soc__ws_create_mode(state, init, SOC__PICK_MCT);
}

const soc_sched_ops_t soc_sched_eft_net = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "eft_net",
    .description = "EFT with transfers priced under the current network load (comm_time_now)",
    .create = eft_net_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = eft_net_schedule,
};
