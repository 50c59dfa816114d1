/*
 * rr.c -- round robin.
 *
 * A cursor walks the PEs cyclically over the whole run; each ready task in
 * ready-list order goes to the next PE at or after the cursor that can run
 * it, and the cursor moves past that PE.  Appended.
 */
#include "sched_internal.h"

static int rr_pick(soc__ws_t *ws, const soc_view_t *v, const soc_ready_t *r)
{
    for (int k = 0; k < v->n_pes; k++) {
        int p = (int)((ws->rr_next + (uint64_t)k) % (uint64_t)v->n_pes);
        if (v->api->exec_time(v, r->type, p) >= 0) {
            /* the cursor moves past p before the commit; a failed commit
             * ends the run, so the order does not show */
            ws->rr_next = (uint64_t)p + 1;
            return p;
        }
    }
    return -1;
}

static int rr_schedule(void *state, soc_view_t *v)
{
    return soc__append_each(state, v, rr_pick);
}

const soc_sched_ops_t soc_sched_rr = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "rr",
    .description = "Round robin over the PEs that can run each task, appended",
    .flags = 0,
    .create = soc__ws_create,
    .destroy = soc__ws_destroy,
    .schedule = rr_schedule,
};
