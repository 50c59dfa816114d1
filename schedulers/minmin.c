/*
 * minmin.c -- Min-Min (Ibarra, Kim, JACM 24(2), 1977; Braun et al. 2001)
 * over the ready set.
 *
 * For every unmapped ready task its minimal appended completion time; the
 * task whose minimum is smallest is committed to that PE, the PE's plan end
 * advances, repeat.  Ties: earlier ready task, then lower PE.  In the
 * native engine this is the same pair selection as `etf`.
 */
#include "sched_internal.h"

static int minmin_create(void **state, const soc_sched_init_t *init)
{
    return soc__ws_create_mode(state, init, SOC__PICK_MINMIN);
}

const soc_sched_ops_t soc_sched_minmin = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "minmin",
    .description = "Min-Min over the ready set, appended",
    .flags = 0,
    .create = minmin_create,
    .destroy = soc__ws_destroy,
    .on_job_arrival = soc__ws_arrival,
    .schedule = soc__ws_schedule,
};
