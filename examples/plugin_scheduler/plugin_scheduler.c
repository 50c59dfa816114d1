/*
 * plugin_scheduler.c -- an example external scheduler, loaded at run time:
 *
 *   socsim run examples/topcuoglu.yaml --scheduler plugin:build/examples/plugin_scheduler/example_scheduler.so
 *   socsim run ... --scheduler plugin:PATH.so:reverse     (argument "reverse")
 *   YAML:  scheduler: plugin:path/to/example_scheduler.so
 *
 * Policy ("earliest start"): every ready task goes to the PE where it can
 * start first -- max(its inputs' arrival, the PE's planned end) -- ties to
 * the shorter execution, then to the lower PE index; appended behind the
 * PE's plan.  With the argument "reverse" the ready list is taken from its
 * end (youngest job first).
 *
 * The rules a plug-in follows:
 *  - include only soc/sched.h, the whole scheduler ABI;
 *  - export exactly one symbol, SOC_SCHED_ENTRY_SYMBOL, returning a table
 *    whose abi_version is SOC_SCHED_ABI_VERSION and struct_size is
 *    sizeof(soc_sched_ops_t) (the loader refuses anything else);
 *  - call no host function: everything comes through the arguments (the
 *    view, its api table with the engine's services and RNG);
 *  - keep state in the object create() returns, never in globals, since
 *    several simulations may run in one process.
 * Built as a CMake MODULE with PREFIX "" and hidden visibility, so the
 * entry point (marked SOC_API) is its only exported symbol.
 */
#include <stdlib.h>
#include <string.h>

#include "soc/sched.h"

typedef struct example_state {
    int reverse;
    int n_pes;
    soc_time_t *avail; /* planned end of each PE during one decision */
} example_state_t;

static int example_create(void **state, const soc_sched_init_t *init)
{
    example_state_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return SOC_ENOMEM;
    if (init->arg != NULL && init->arg[0] != '\0') {
        if (strcmp(init->arg, "reverse") != 0) {
            free(s);
            return SOC_EINVAL;
        }
        s->reverse = 1;
    }
    s->n_pes = init->platform->n_pes;
    s->avail = calloc((size_t)(s->n_pes > 0 ? s->n_pes : 1), sizeof *s->avail);
    if (s->avail == NULL) {
        free(s);
        return SOC_ENOMEM;
    }
    *state = s;
    return SOC_OK;
}

static void example_destroy(void *state)
{
    example_state_t *s = state;
    if (s != NULL) {
        free(s->avail);
        free(s);
    }
}

static int example_schedule(void *state, soc_view_t *v)
{
    example_state_t *s = state;
    const soc_sim_api_t *api = v->api;
    if (v->n_pes > s->n_pes)
        return SOC_EINVAL;
    for (int p = 0; p < v->n_pes; p++)
        s->avail[p] = v->pes[p].plan_end > v->now ? v->pes[p].plan_end : v->now;
    for (int k = 0; k < v->n_ready; k++) {
        const soc_ready_t *r = &v->ready[s->reverse ? v->n_ready - 1 - k : k];
        int best = -1;
        soc_time_t bst = 0, bd = 0;
        for (int p = 0; p < v->n_pes; p++) {
            soc_time_t d = api->exec_time(v, r->type, p);
            if (d < 0)
                continue; /* this PE cannot run the task's type */
            soc_time_t st = api->data_ready(v, r->ref, p, NULL);
            if (st < s->avail[p])
                st = s->avail[p];
            if (best < 0 || st < bst || (st == bst && d < bd)) {
                best = p;
                bst = st;
                bd = d;
            }
        }
        if (best < 0)
            return SOC_ESCHED;
        int rc = api->assign(v, r->ref, best, SOC_APPEND);
        if (rc != SOC_OK)
            return rc;
        s->avail[best] = bst + bd;
    }
    return SOC_OK;
}

static const soc_sched_ops_t example_ops = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "example_est",
    .description = "example plug-in: earliest start, appended",
    .flags = 0,
    .create = example_create,
    .destroy = example_destroy,
    .on_job_arrival = NULL,
    .schedule = example_schedule,
};

SOC_API const soc_sched_ops_t *soc_sched_plugin_entry(void);

SOC_API const soc_sched_ops_t *soc_sched_plugin_entry(void)
{
    return &example_ops;
}
