/*
 * met.c -- MET, Minimum Execution Time (Braun et al., JPDC 61(6), 2001;
 * Maheswaran et al., JPDC 59(2), 1999).
 *
 * Native semantics: at each decision point, every ready task in ready-list
 * order (job, then task index) goes to the PE with the smallest execution
 * time for it, ties to the lower PE index, regardless of load, appended
 * behind that PE's plan.  O(q) per task.  DS3 semantics: soc__ds3_met.
 */
#include "ds3_policies.h"
#include "sched_internal.h"

static int met_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_MET);
}

SOC__DS3_EXT(ds3_ext, soc__ds3_met);

const soc_sched_ops_t soc_sched_met = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "met",
    .description = "MET: each ready task to its fastest PE, appended (DS3: MET)",
    .create = met_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
    .ext = &ds3_ext,
};
