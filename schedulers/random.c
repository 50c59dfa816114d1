/*
 * random.c -- uniformly random mapping, from the simulation's RNG (the
 * engine's seeded generator, view->api->uniform_int), so a run is a
 * function of the seed.
 *
 * At each decision point, until every ready task is assigned: a uniform
 * task among those left, then a uniform PE among those that can run it;
 * appended.
 */
#include <stdlib.h>

#include "sched_internal.h"

static int random_schedule(void *state, soc_view_t *v)
{
    soc__ws_t *ws = state;
    int rc = soc__ws_prepare(ws, v);
    if (rc != SOC_OK)
        return rc;
    int n = v->n_ready;
    int *left = ws->ids; /* the list of unassigned indices */
    for (int i = 0; i < n; i++)
        left[i] = i;
    for (int m = n; m > 0; m--) {
        int k = (int)v->api->uniform_int(v, (uint64_t)m);
        const soc_ready_t *r = &v->ready[left[k]];
        left[k] = left[m - 1];
        int eligible = 0;
        for (int p = 0; p < v->n_pes; p++)
            eligible += v->api->exec_time(v, r->type, p) >= 0;
        if (eligible == 0)
            return SOC_ESCHED;
        int pick = (int)v->api->uniform_int(v, (uint64_t)eligible), p = 0;
        for (;; p++)
            if (v->api->exec_time(v, r->type, p) >= 0 && pick-- == 0)
                break;
        if ((rc = soc__commit_append(v, r, p, ws->avail)) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

const soc_sched_ops_t soc_sched_random = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "random",
    .description = "Uniform random task and PE from the simulation's RNG, appended",
    .flags = 0,
    .create = soc__ws_create,
    .destroy = soc__ws_destroy,
    .schedule = random_schedule,
};
