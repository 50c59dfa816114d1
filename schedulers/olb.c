/*
 * olb.c -- OLB, Opportunistic Load Balancing (Braun et al., JPDC 61(6),
 * 2001).
 *
 * Each ready task in ready-list order goes to the PE (among those that can
 * run it) that becomes available first, max(now, plan end), regardless of
 * execution time; ties to the lower PE index; appended.
 */
#include "sched_internal.h"

static int olb_pick(soc__ws_t *ws, const soc_view_t *v, const soc_ready_t *r)
{
    int best = -1;
    for (int p = 0; p < v->n_pes; p++)
        if (v->api->exec_time(v, r->type, p) >= 0 &&
            (best < 0 || ws->avail[p] < ws->avail[best]))
            best = p;
    return best;
}

static int olb_schedule(void *state, soc_view_t *v)
{
    return soc__append_each(state, v, olb_pick);
}

const soc_sched_ops_t soc_sched_olb = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "olb",
    .description = "OLB: each ready task to the PE available first, appended",
    .flags = 0,
    .create = soc__ws_create,
    .destroy = soc__ws_destroy,
    .schedule = olb_schedule,
};
