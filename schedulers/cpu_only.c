/*
 * cpu_only.c -- CPU_only (DS3's baseline): everything on one CPU.
 *
 * Native semantics: every ready task, in ready-list order, is appended to
 * the first PE (lowest index) of a CPU-kind cluster that can run it -- a
 * cluster whose kind starts with "cpu" (any case) or is DS3's "LTL"/"BIG"
 * -- and, failing that, to the first PE that can run it at all.
 * DS3 semantics: soc__ds3_cpu_only, PE 0 for every task (DS3's accidental
 * call into its CP solver at each injection is not reproduced).
 */
#include "ds3_policies.h"
#include "sched_internal.h"

static int is_cpu_kind(const char *kind)
{
    if (kind == NULL)
        return 0;
    if (soc__name_eqn(kind, 3, "cpu"))
        return 1;
    return soc__name_eq(kind, "LTL") || soc__name_eq(kind, "BIG");
}

static int first_pe(const soc_view_t *v, int type, int want_cpu)
{
    const soc_platform_t *p = v->platform;
    for (int pe = 0; pe < v->n_pes; pe++) {
        if (want_cpu && !is_cpu_kind(p->clusters[p->pe_cluster[pe]].kind))
            continue;
        if (v->api->exec_time(v, type, pe) >= 0)
            return pe;
    }
    return -1;
}

static int cpu_only_pick(soc__ws_t *ws, const soc_view_t *v, const soc_ready_t *r)
{
    (void)ws;
    int pe = first_pe(v, r->type, 1);
    return pe >= 0 ? pe : first_pe(v, r->type, 0);
}

static int cpu_only_schedule(void *state, soc_view_t *v)
{
    return soc__append_each(state, v, cpu_only_pick);
}

SOC__DS3_EXT(ds3_ext, soc__ds3_cpu_only);

const soc_sched_ops_t soc_sched_cpu_only = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "cpu_only",
    .description = "CPU_only: every task on the first CPU that runs it, appended (DS3: PE 0)",
    .create = soc__ws_create,
    .destroy = soc__ws_destroy,
    .schedule = cpu_only_schedule,
    .ext = &ds3_ext,
};
