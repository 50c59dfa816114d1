/*
 * mct.c -- MCT, Minimum Completion Time (Maheswaran et al., JPDC 59(2),
 * 1999; Braun et al., JPDC 61(6), 2001) applied to the ready set.
 *
 * Each ready task in ready-list order goes to the PE of minimal completion
 * time, communication included: max(data ready, PE plan end) + execution,
 * ties to the lower PE index, appended.  The same rule as the native `eft`;
 * kept under its literature name (it has no DS3 variant).
 */
#include "sched_internal.h"

static int mct_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_MCT);
}

const soc_sched_ops_t soc_sched_mct = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "mct",
    .description = "MCT: ready-list order, minimal completion time, appended",
    .flags = 0,
    .create = mct_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
};
