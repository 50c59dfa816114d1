/*
 * window.c -- metrics of the measured window [warm-up end, last measured
 * completion] for the native engine (native_ext.h): Little's L as the time
 * integral of the number of measured jobs in the system, per-application
 * latency and deadline figures, per-PE and per-cluster busy time inside the
 * window, and the admission figures of max_in_flight.
 *
 * Busy time inside the window is B(end) - B(start), B(t) the PE's busy time
 * up to t.  Both are taken lazily: the hooks arrive in time order.  The
 * first hook later than the window's start (the warm-up end) evaluates B
 * there for every PE from the state in force, before that hook changes
 * anything (once per run).  B(end) at the latest measured completion is
 * taken per PE: the first change of a PE's state after that completion
 * keeps its B(end) first; a PE that has not changed since gives it from its
 * current state.  So a measured completion costs O(1), and nothing scans
 * the PEs at every event.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_ext.h"
#include "soc_util.h"

static soc_time_t busy_at(const soc__window_t *w, int pe, soc_time_t t)
{
    return w->total[pe] + (w->busy[pe] && t > w->since[pe] ? t - w->since[pe] : 0);
}

/* Take the snapshots due before anything happens at time t. */
static void sync(soc__window_t *w, soc_time_t t)
{
    if (!w->start_taken && t >= w->warmup) {
        for (int i = 0; i < w->n_pes; i++)
            w->b_start[i] = busy_at(w, i, w->warmup);
        w->start_taken = 1;
    }
}

/* B(t_end) of PE i. */
static soc_time_t busy_end(const soc__window_t *w, int i)
{
    return w->end_ep[i] == w->ep ? w->b_end[i] : busy_at(w, i, w->t_end);
}

static void area_to(soc__window_t *w, soc_time_t t)
{
    if (t > w->area_t) {
        w->area += (double)w->in_sys * (double)(t - w->area_t);
        w->area_t = t;
    }
}

int soc__window_init(soc__window_t *w, const soc_config_t *cfg)
{
    memset(w, 0, sizeof *w);
    const soc_platform_t *p = &cfg->platform;
    w->cfg = cfg;
    w->n_pes = p->n_pes;
    w->n_clusters = p->n_clusters;
    w->n_apps = cfg->n_apps;
    size_t np = (size_t)(w->n_pes ? w->n_pes : 1), na = (size_t)(w->n_apps ? w->n_apps : 1),
           nc = (size_t)(w->n_clusters ? w->n_clusters : 1);
    w->busy = calloc(np, 1);
    w->since = calloc(np, sizeof *w->since);
    w->total = calloc(np, sizeof *w->total);
    w->b_start = calloc(np, sizeof *w->b_start);
    w->b_end = calloc(np, sizeof *w->b_end);
    w->end_ep = calloc(np, sizeof *w->end_ep);
    w->lat = calloc(na, sizeof *w->lat);
    w->dl_jobs = calloc(na, sizeof *w->dl_jobs);
    w->dl_miss = calloc(na, sizeof *w->dl_miss);
    w->app_out = calloc(na, sizeof *w->app_out);
    w->cl_out = calloc(nc, sizeof *w->cl_out);
    w->pe_out = calloc(np, sizeof *w->pe_out);
    w->pe_names = calloc(np, sizeof *w->pe_names);
    if (w->busy == NULL || w->since == NULL || w->total == NULL || w->b_start == NULL ||
        w->b_end == NULL || w->end_ep == NULL || w->lat == NULL || w->dl_jobs == NULL || w->dl_miss == NULL ||
        w->app_out == NULL || w->cl_out == NULL || w->pe_out == NULL || w->pe_names == NULL) {
        soc__window_free(w);
        return SOC_ENOMEM;
    }
    for (int i = 0; i < w->n_pes; i++) {
        const char *cn = p->clusters[p->pe_cluster[i]].name;
        size_t len = strlen(cn) + 16;
        if ((w->pe_names[i] = malloc(len)) == NULL) {
            soc__window_free(w);
            return SOC_ENOMEM;
        }
        snprintf(w->pe_names[i], len, "%s_%d", cn, i);
    }
    for (int a = 0; a < w->n_apps; a++)
        soc__lat_init(&w->lat[a]);
    soc__window_reset(w);
    return SOC_OK;
}

void soc__window_free(soc__window_t *w)
{
    for (int a = 0; w->lat != NULL && a < w->n_apps; a++)
        soc__lat_free(&w->lat[a]);
    for (int i = 0; w->pe_names != NULL && i < w->n_pes; i++)
        free(w->pe_names[i]);
    free(w->busy);
    free(w->since);
    free(w->total);
    free(w->b_start);
    free(w->b_end);
    free(w->end_ep);
    free(w->lat);
    free(w->dl_jobs);
    free(w->dl_miss);
    free(w->app_out);
    free(w->cl_out);
    free(w->pe_out);
    free(w->pe_names);
    memset(w, 0, sizeof *w);
}

void soc__window_reset(soc__window_t *w)
{
    w->warmup = soc_time_from_us(w->cfg->injection.warmup_us);
    size_t np = (size_t)w->n_pes;
    memset(w->busy, 0, np);
    memset(w->since, 0, np * sizeof *w->since);
    memset(w->total, 0, np * sizeof *w->total);
    memset(w->b_start, 0, np * sizeof *w->b_start);
    memset(w->b_end, 0, np * sizeof *w->b_end);
    memset(w->end_ep, 0, np * sizeof *w->end_ep);
    w->ep = 1;
    w->start_taken = 0;
    w->in_sys = 0;
    w->area_t = 0;
    w->area = w->area_end = 0;
    w->t_end = 0;
    w->have_end = 0;
    for (int a = 0; a < w->n_apps; a++) {
        soc__lat_free(&w->lat[a]);
        soc__lat_init(&w->lat[a]);
        w->dl_jobs[a] = w->dl_miss[a] = 0;
    }
    w->wait_sum_ns = 0;
    w->wait_n = w->blocked = w->dropped = 0;
}

void soc__window_busy(soc__window_t *w, int pe, soc_time_t now, int busy)
{
    sync(w, now);
    if (w->have_end && now > w->t_end && w->end_ep[pe] != w->ep) {
        w->b_end[pe] = busy_at(w, pe, w->t_end); /* before the change */
        w->end_ep[pe] = w->ep;
    }
    if (busy && !w->busy[pe]) {
        w->since[pe] = now;
    } else if (!busy && w->busy[pe]) {
        w->total[pe] += now - w->since[pe];
    }
    w->busy[pe] = (unsigned char)(busy != 0);
}

void soc__window_job_in(soc__window_t *w, soc_time_t now, int measured, soc_time_t wait_ns,
                        int blocked)
{
    sync(w, now);
    if (!measured)
        return;
    area_to(w, now);
    w->in_sys++;
    w->wait_sum_ns += (double)wait_ns;
    w->wait_n++;
    w->blocked += blocked != 0;
}

void soc__window_drop(soc__window_t *w, soc_time_t now, int measured)
{
    sync(w, now);
    w->dropped += measured != 0;
}

int soc__window_job_out(soc__window_t *w, soc_time_t now, int app, int measured,
                        soc_time_t lat_ns, int deadline)
{
    sync(w, now);
    if (!measured)
        return SOC_OK;
    area_to(w, now);
    w->in_sys--;
    w->area_end = w->area;
    w->t_end = now;
    w->have_end = 1;
    w->ep++; /* every PE's B(end) is taken afresh */
    if (deadline) {
        w->dl_jobs[app]++;
        w->dl_miss[app] += deadline == 2;
    }
    return soc__lat_add(&w->lat[app], lat_ns);
}

void soc__window_metrics(soc__window_t *w, soc_time_t now, soc_metrics_t *m)
{
    const soc_config_t *cfg = w->cfg;
    const soc_platform_t *p = &cfg->platform;
    sync(w, now); /* snapshots already due; the rest is read, not kept */
    soc_time_t span = w->have_end && w->t_end > w->warmup ? w->t_end - w->warmup : 0;
    double span_us = soc_time_to_us(span);
    m->has_window = 1;
    m->window_us = span_us;
    m->avg_jobs_in_system = span > 0 ? w->area_end / (double)span : 0;
    m->avg_admission_wait_us = w->wait_n > 0 ? w->wait_sum_ns / (double)w->wait_n / SOC_NS_PER_US
                                             : 0;
    m->blocked_arrivals = w->blocked;
    m->dropped_jobs = w->dropped;
    m->loss_ratio = w->dropped + w->wait_n > 0
                        ? (double)w->dropped / (double)(w->dropped + w->wait_n)
                        : 0;
    m->energy_per_job_j = m->has_energy && m->completed_jobs > 0
                              ? m->energy_j / (double)m->completed_jobs
                              : NAN;
    for (int a = 0; a < w->n_apps; a++) {
        soc_app_metrics_t *o = &w->app_out[a];
        soc_lat_stats_t *s = &w->lat[a];
        o->name = cfg->apps[a].name;
        o->completed = s->n;
        o->avg_latency_us = s->n ? s->sum_us / (double)s->n : 0;
        o->p95_latency_us = soc__lat_quantile_us(s, 0.95);
        o->p99_latency_us = soc__lat_quantile_us(s, 0.99);
        o->deadline_jobs = w->dl_jobs[a];
        o->deadline_misses = w->dl_miss[a];
        o->deadline_miss_rate = cfg->apps[a].deadline_us > 0
                                    ? (s->n ? (double)w->dl_miss[a] / (double)s->n : 0)
                                    : NAN;
    }
    for (int c = 0; c < w->n_clusters; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        soc_cluster_metrics_t *o = &w->cl_out[c];
        soc_time_t sum = 0;
        for (int i = cl->first_pe; i < cl->first_pe + cl->count; i++) {
            /* before the warm-up ended or with no measured completion the
             * window is empty */
            soc_time_t b = 0;
            if (span > 0) {
                b = busy_end(w, i) - w->b_start[i];
                if (b < 0)
                    b = 0;
            }
            soc_pe_metrics_t *q = &w->pe_out[i];
            q->name = w->pe_names[i];
            q->cluster = c;
            q->busy_us = soc_time_to_us(b);
            q->utilization = span > 0 ? (double)b / (double)span : 0;
            sum += b;
        }
        o->name = cl->name;
        o->count = cl->count;
        o->busy_us = soc_time_to_us(sum);
        o->utilization = span > 0 ? (double)sum / ((double)span * cl->count) : 0;
        o->energy_j = m->has_energy && m->cluster_energy_j != NULL ? m->cluster_energy_j[c] : NAN;
    }
    m->n_apps = w->n_apps;
    m->per_app = w->app_out;
    m->per_cluster = w->cl_out;
    m->per_pe = w->pe_out;
}
