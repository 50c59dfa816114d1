/*
 * eft.c -- EFT, Earliest Finish Time (the list-scheduling step of
 * Topcuoglu et al. without ranks; DS3's "EFT").
 *
 * Native semantics: each ready task in ready-list order goes to the PE of
 * minimal estimated finish time max(data ready, PE plan end) + execution,
 * ties to the lower PE index, appended.  O(q * in-degree) per task.  DS3
 * semantics: soc__ds3_eft.
 */
#include "ds3_policies.h"
#include "sched_internal.h"

static int eft_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_MCT);
}

SOC__DS3_EXT(ds3_ext, soc__ds3_eft);

const soc_sched_ops_t soc_sched_eft = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "eft",
    .description = "EFT: ready-list order, minimal appended finish time (DS3: EFT)",
    .create = eft_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
    .ext = &ds3_ext,
};
