/*
 * maxmin.c -- Max-Min (Ibarra, Kim, JACM 24(2), 1977; Braun et al. 2001)
 * over the ready set.
 *
 * Like Min-Min, but the task whose minimal appended completion time is the
 * largest is committed first (to its best PE).  Ties: earlier ready task,
 * then lower PE.
 */
#include "sched_internal.h"

static int maxmin_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_MAXMIN);
}

const soc_sched_ops_t soc_sched_maxmin = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "maxmin",
    .description = "Max-Min over the ready set, appended",
    .flags = 0,
    .create = maxmin_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
};
