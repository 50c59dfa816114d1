/*
 * sufferage.c -- Sufferage (Maheswaran et al., JPDC 59(2), 1999) over the
 * ready set.
 *
 * The task with the largest sufferage (second-best minus best appended
 * completion time) is committed to its best PE first; a task only one PE
 * can run has unbounded sufferage.  Ties: earlier ready task, then lower PE.
 */
#include "sched_internal.h"

static int sufferage_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_SUFFERAGE);
}

const soc_sched_ops_t soc_sched_sufferage = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "sufferage",
    .description = "Sufferage over the ready set, appended",
    .flags = 0,
    .create = sufferage_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
};
