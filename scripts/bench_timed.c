/* A scheduler's callbacks timed (see bench_timed.h). */
#include "bench_timed.h"

#include <stddef.h>

static const soc_sched_ops_t *inner;
static double (*clk)(void);
static double spent;

static int w_create(void **state, const soc_sched_init_t *init)
{
    *state = NULL;
    return inner->create != NULL ? inner->create(state, init) : SOC_OK;
}

static void w_destroy(void *state)
{
    if (inner->destroy != NULL)
        inner->destroy(state);
}

static int w_arrival(void *state, soc_view_t *v, uint64_t job)
{
    if (inner->on_job_arrival == NULL)
        return SOC_OK;
    double t0 = clk();
    int rc = inner->on_job_arrival(state, v, job);
    spent += clk() - t0;
    return rc;
}

static int w_schedule(void *state, soc_view_t *v)
{
    double t0 = clk();
    int rc = inner->schedule(state, v);
    spent += clk() - t0;
    return rc;
}

void bench_timed_wrap(const soc_sched_ops_t *ops, double (*clock)(void), soc_sched_ops_t *out)
{
    inner = ops;
    clk = clock;
    spent = 0;
    *out = *ops;
    out->create = w_create;
    out->destroy = w_destroy;
    out->on_job_arrival = w_arrival;
    out->schedule = w_schedule;
}

double bench_timed_seconds(void)
{
    return spent;
}

void bench_timed_reset(void)
{
    spent = 0;
}
