/*
 * rr.c -- round robin.
 *
 * A cursor walks the PEs cyclically over the whole run; each ready task in
 * ready-list order goes to the next PE at or after the cursor that can run
 * it, and the cursor moves past that PE.  Appended.
 */
#include "sched_internal.h"

static int rr_schedule(void *state, soc_view_t *v)
{
    soc__ws_t *ws = state;
    int rc = soc__ws_prepare(ws, v);
    if (rc != SOC_OK)
        return rc;
    for (int i = 0; i < v->n_ready; i++) {
        const soc_ready_t *r = &v->ready[i];
        int pick = -1;
        for (int k = 0; k < v->n_pes && pick < 0; k++) {
            int p = (int)((ws->rr_next + (uint64_t)k) % (uint64_t)v->n_pes);
            if (v->api->exec_time(v, r->type, p) >= 0)
                pick = p;
        }
        if (pick < 0)
            return SOC_ESCHED;
        if ((rc = soc__commit_append(v, r, pick, ws->avail)) != SOC_OK)
            return rc;
        ws->rr_next = (uint64_t)pick + 1;
    }
    return SOC_OK;
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
