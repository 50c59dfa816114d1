/*
 * stf.c -- STF, Shortest Task First (DS3's "STF").
 *
 * Native semantics: at each decision point, repeatedly take the unassigned
 * ready task whose smallest execution time over the PEs is the shortest
 * (ties: earlier in the ready list) and append it to that fastest PE (ties:
 * lower PE index).  Load and communication are not considered, as in DS3.
 * O(|R|^2 + |R| q) per decision point.
 * DS3 semantics: soc__ds3_stf (each task to its fastest enabled PE; DS3's
 * pick order does not reach dispatch).
 */
#include "ds3_policies.h"
#include "sched_internal.h"

static int stf_schedule(void *state, soc_view_t *v)
{
    soc__ws_t *ws = state;
    int rc = soc__ws_prepare(ws, v);
    if (rc != SOC_OK)
        return rc;
    int n = v->n_ready;
    /* best[] = fastest execution time, best_pe[] = that PE */
    for (int i = 0; i < n; i++) {
        ws->done[i] = 0;
        ws->row[i].best_pe = -1;
        for (int p = 0; p < v->n_pes; p++) {
            soc_time_t d = v->api->exec_time(v, v->ready[i].type, p);
            if (d >= 0 && (ws->row[i].best_pe < 0 || d < ws->row[i].best)) {
                ws->row[i].best = d;
                ws->row[i].best_pe = p;
            }
        }
        if (ws->row[i].best_pe < 0)
            return SOC_ESCHED;
    }
    for (int left = n; left > 0; left--) {
        int pick = -1;
        for (int i = 0; i < n; i++)
            if (!ws->done[i] && (pick < 0 || ws->row[i].best < ws->row[pick].best))
                pick = i;
        ws->done[pick] = 1;
        if ((rc = soc__commit_append(v, &v->ready[pick], ws->row[pick].best_pe, ws->avail)) !=
            SOC_OK)
            return rc;
    }
    return SOC_OK;
}

SOC__DS3_EXT(ds3_ext, soc__ds3_stf);

const soc_sched_ops_t soc_sched_stf = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "stf",
    .description = "STF: shortest ready task first, each to its fastest PE, appended (DS3: STF)",
    .create = soc__ws_create,
    .destroy = soc__ws_destroy,
    .schedule = stf_schedule,
    .ext = &ds3_ext,
};
