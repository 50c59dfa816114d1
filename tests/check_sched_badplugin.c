/*
 * check_sched_badplugin.c -- broken scheduler plug-ins for check_sched's
 * loader tests, one MODULE per defect (compiled with -DBAD_<KIND>):
 * NOSYM (entry symbol missing), NULLOPS (entry returns NULL), ABI (wrong
 * ABI version), SIZE (struct_size too small), NOSCHED (no schedule
 * callback), NONAME (no name).
 */
#include "soc/sched.h"

static int bad_schedule(void *state, soc_view_t *v)
{
    (void)state;
    (void)v;
    return SOC_OK;
}

static const soc_sched_ops_t bad_ops = {
#ifdef BAD_ABI
    .abi_version = SOC_SCHED_ABI_VERSION + 41,
#else
    .abi_version = SOC_SCHED_ABI_VERSION,
#endif
#ifdef BAD_SIZE
    .struct_size = 8,
#else
    .struct_size = sizeof(soc_sched_ops_t),
#endif
#ifdef BAD_NONAME
    .name = NULL,
#else
    .name = "bad",
#endif
    .description = "a deliberately broken plug-in",
#ifdef BAD_NOSCHED
    .schedule = NULL,
#else
    .schedule = bad_schedule,
#endif
};

#ifdef BAD_NOSYM
/* exported, but under the wrong name */
SOC_API const soc_sched_ops_t *soc_sched_plugin_entry_v0(void);
SOC_API const soc_sched_ops_t *soc_sched_plugin_entry_v0(void)
{
    return &bad_ops;
}
#else
SOC_API const soc_sched_ops_t *soc_sched_plugin_entry(void);
SOC_API const soc_sched_ops_t *soc_sched_plugin_entry(void)
{
#ifdef BAD_NULLOPS
    /* (bad_ops is referenced so the table exists in every variant) */
    return bad_ops.name == 0 ? &bad_ops : (const soc_sched_ops_t *)0;
#else
    return &bad_ops;
#endif
}
#endif
