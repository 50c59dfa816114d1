/*
 * arrivals.c -- drawn execution times and the stochastic arrival processes
 * of the native engine (native_ext.h).
 *
 * Execution times: the engine keeps planning with the table time (the
 * estimate schedulers see); when a task with a distribution starts, one
 * actual time is drawn (soc__exec_actual).
 *
 * Arrivals: RENEWAL draws each inter-arrival time from its distribution.
 * MMPP is exact by memorylessness: in state i, the time to the next arrival
 * is exponential with mean m_i and the time to the next switch exponential
 * with rate q_i (the row sum of the switching rates); whichever comes first
 * happens.  Per step the draws are: the arrival time, then (if q_i > 0) the
 * switch time, then (if the switch comes first) one uniform choosing the
 * next state j with probability rate(i, j) / q_i.  The chain only moves
 * inside these draws, so while a job waits at a full door (on_full: wait)
 * the source and its chain pause.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "native_ext.h"

/* ------------------------------------------------ drawn execution times */

int soc__exec_draws_init(soc__exec_draws_t *x, const soc_platform_t *p)
{
    memset(x, 0, sizeof *x);
    x->n_types = p->n_types;
    int any = 0;
    for (int c = 0; c < p->n_clusters; c++)
        for (int t = 0; p->clusters[c].exec_dist != NULL && t < p->n_types; t++)
            any |= p->clusters[c].exec_dist[t].kind != SOC_DIST_NONE;
    if (!any)
        return SOC_OK;
    size_t n = (size_t)p->n_clusters * (size_t)p->n_types;
    x->s = calloc(n ? n : 1, sizeof *x->s);
    if (x->s == NULL)
        return SOC_ENOMEM;
    x->n = n;
    for (int c = 0; c < p->n_clusters; c++)
        for (int t = 0; p->clusters[c].exec_dist != NULL && t < p->n_types; t++)
            if (p->clusters[c].exec_dist[t].kind != SOC_DIST_NONE && /* else stays NONE */
                soc__sampler_init(&x->s[(size_t)c * (size_t)p->n_types + (size_t)t],
                                  &p->clusters[c].exec_dist[t]) != SOC_OK) {
                soc__exec_draws_free(x);
                return SOC_ENOMEM;
            }
    return SOC_OK;
}

void soc__exec_draws_free(soc__exec_draws_t *x)
{
    for (size_t i = 0; x->s != NULL && i < x->n; i++)
        soc__sampler_free(&x->s[i]);
    free(x->s);
    x->s = NULL;
    x->n = 0;
}

int soc__exec_drawn(const soc__exec_draws_t *x, int cluster, int type)
{
    return x->s != NULL &&
           x->s[(size_t)cluster * (size_t)x->n_types + (size_t)type].kind != SOC_DIST_NONE;
}

soc_time_t soc__exec_actual(const soc__exec_draws_t *x, gsl_rng *r, int cluster, int type,
                            soc_time_t table)
{
    if (!soc__exec_drawn(x, cluster, type))
        return table;
    const soc__sampler_t *s = &x->s[(size_t)cluster * (size_t)x->n_types + (size_t)type];
    return soc_time_from_us(soc__sampler_draw(s, r));
}

soc_time_t soc__exec_rescale(soc_time_t now, soc_time_t vis_old, soc_time_t act_old,
                             soc_time_t act_new)
{
    if (vis_old <= now || act_old <= now)
        return vis_old;
    double f = (double)(act_new - now) / (double)(act_old - now);
    return now + (soc_time_t)llround((double)(vis_old - now) * f);
}

/* -------------------------------------------------- arrival processes */

int soc__arrivals_init(soc__arrivals_t *a, const soc_injection_t *in)
{
    memset(a, 0, sizeof *a);
    a->in = in;
    if (in->kind == SOC_ARRIVAL_RENEWAL && in->interarrival.kind != SOC_DIST_NONE) {
        if (soc__sampler_init(&a->gap, &in->interarrival) != SOC_OK)
            return SOC_ENOMEM;
        a->has_gap = 1;
    }
    if (in->batch.kind != SOC_DIST_NONE && in->kind != SOC_ARRIVAL_TRACE) {
        if (soc__sampler_init(&a->batch, &in->batch) != SOC_OK) {
            soc__arrivals_free(a);
            return SOC_ENOMEM;
        }
        a->has_batch = 1;
    }
    if (in->kind == SOC_ARRIVAL_MMPP && in->n_states > 0) {
        int n = in->n_states;
        a->out_rate = calloc((size_t)n, sizeof *a->out_rate);
        if (a->out_rate == NULL) {
            soc__arrivals_free(a);
            return SOC_ENOMEM;
        }
        for (int i = 0; i < n && in->switch_rate != NULL; i++)
            for (int j = 0; j < n; j++)
                if (j != i)
                    a->out_rate[i] += in->switch_rate[(size_t)i * (size_t)n + (size_t)j];
    }
    return SOC_OK;
}

void soc__arrivals_free(soc__arrivals_t *a)
{
    soc__sampler_free(&a->gap);
    soc__sampler_free(&a->batch);
    free(a->out_rate);
    a->out_rate = NULL;
    a->has_gap = a->has_batch = 0;
}

void soc__arrivals_reset(soc__arrivals_t *a)
{
    a->state = 0;
}

static double mmpp_gap_us(soc__arrivals_t *a, gsl_rng *r)
{
    const soc_injection_t *in = a->in;
    int n = in->n_states;
    double t = 0;
    for (;;) {
        int i = a->state;
        double arr = gsl_ran_exponential(r, in->state_mean_us[i]);
        double q = a->out_rate[i];
        if (!(q > 0))
            return t + arr;
        double sw = gsl_ran_exponential(r, 1.0 / q);
        if (arr <= sw)
            return t + arr;
        t += sw;
        /* the next state: j with probability rate(i, j) / q, in index order */
        double u = gsl_rng_uniform(r) * q, acc = 0;
        int next = -1, last = -1;
        for (int j = 0; j < n; j++) {
            double x = j == i ? 0 : in->switch_rate[(size_t)i * (size_t)n + (size_t)j];
            if (!(x > 0))
                continue;
            last = j;
            acc += x;
            if (u < acc) {
                next = j;
                break;
            }
        }
        a->state = next >= 0 ? next : last;
    }
}

double soc__arrivals_gap_us(soc__arrivals_t *a, gsl_rng *r)
{
    double x;
    if (a->in->kind == SOC_ARRIVAL_MMPP)
        x = mmpp_gap_us(a, r);
    else if (a->has_gap)
        x = soc__sampler_draw(&a->gap, r);
    else
        x = a->in->mean_us;
    return x > SOC__DIST_MAX_US ? SOC__DIST_MAX_US : x;
}

int64_t soc__arrivals_batch(soc__arrivals_t *a, gsl_rng *r)
{
    return a->has_batch ? soc__sampler_count(&a->batch, r) : 1;
}
