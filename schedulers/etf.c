/*
 * etf.c -- ETF, Earliest Time First, heterogeneous finish-time form (after
 * Hwang, Chow, Anger, Lee, SIAM J. Comput. 18(2), 1989; as DS3's "ETF").
 *
 * Native semantics: at each decision point, repeatedly commit the (ready
 * task, PE) pair of minimal appended finish time over all ready tasks, one
 * pair at a time, updating the PE's plan end; ties: earlier ready task,
 * then lower PE index.  O(|R| q) to start, then O(|R|) per pick plus a row
 * update for tasks whose best PE was taken.  DS3 semantics: soc__ds3_etf.
 */
#include "ds3_policies.h"
#include "sched_internal.h"

static int etf_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_MINMIN);
}

SOC__DS3_EXT(ds3_ext, soc__ds3_etf);

const soc_sched_ops_t soc_sched_etf = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "etf",
    .description = "ETF: repeatedly the (ready task, PE) pair of minimal finish time (DS3: ETF)",
    .create = etf_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
    .ext = &ds3_ext,
};
