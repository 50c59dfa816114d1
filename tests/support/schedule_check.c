/*
 * schedule_check.c -- see schedule_check.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule_check.h"

typedef struct sc_ctx {
    int violations;
    char *msg;
    size_t msg_size;
} sc_ctx_t;

static void violation(sc_ctx_t *c, const char *fmt, ...) SOC_PRINTF(2, 3);

static void violation(sc_ctx_t *c, const char *fmt, ...)
{
    if (c->violations++ == 0 && c->msg != NULL && c->msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->msg, c->msg_size, fmt, ap);
        va_end(ap);
    }
}

static double tol(double x)
{
    return 1e-3 + 1e-9 * fabs(x);
}

static double cluster_bw(const soc_platform_t *p, int a, int b)
{
    if (p->bw != NULL && p->bw[a * p->n_clusters + b] > 0)
        return p->bw[a * p->n_clusters + b];
    return p->bw_default;
}

double sc_comm_us(const soc_config_t *cfg, double volume, int src, int dst)
{
    const soc_platform_t *p = &cfg->platform;
    if (volume <= 0)
        return 0;
    if (src == dst)
        return p->bw_self > 0 ? volume / p->bw_self : 0;
    int a = p->pe_cluster[src], b = p->pe_cluster[dst];
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        int m = p->memory_cluster;
        return p->latency_us + volume / cluster_bw(p, a, m) + volume / cluster_bw(p, m, b);
    }
    return p->latency_us + volume / cluster_bw(p, a, b);
}

static double exec_us(const soc_platform_t *p, int type, int pe)
{
    const soc_cluster_t *c = &p->clusters[p->pe_cluster[pe]];
    if (c->is_memory || c->exec_us == NULL)
        return -1;
    return c->exec_us[type];
}

int sc_needs_argument(const char *sched_name)
{
    static const char *const need[] = {"neural", NULL};
    for (int i = 0; need[i] != NULL; i++)
        if (sched_name != NULL && strcmp(sched_name, need[i]) == 0)
            return 1;
    return 0;
}

double sc_job_makespan(const soc_task_record_t *recs, int n, uint64_t job)
{
    double m = -1;
    for (int i = 0; i < n; i++)
        if (recs[i].job == job && recs[i].finish_us - recs[i].arrival_us > m)
            m = recs[i].finish_us - recs[i].arrival_us;
    return m;
}

static int by_job_task(const void *x, const void *y)
{
    const soc_task_record_t *a = *(const soc_task_record_t *const *)x;
    const soc_task_record_t *b = *(const soc_task_record_t *const *)y;
    if (a->job != b->job)
        return a->job < b->job ? -1 : 1;
    return (a->task > b->task) - (a->task < b->task);
}

static int by_pe_start(const void *x, const void *y)
{
    const soc_task_record_t *a = *(const soc_task_record_t *const *)x;
    const soc_task_record_t *b = *(const soc_task_record_t *const *)y;
    if (a->pe != b->pe)
        return a->pe - b->pe;
    if (a->start_us != b->start_us)
        return a->start_us < b->start_us ? -1 : 1;
    return (a->finish_us > b->finish_us) - (a->finish_us < b->finish_us);
}

/* One job's records r[0..k) sorted by task: precedence and completeness. */
static void check_job(sc_ctx_t *c, const soc_config_t *cfg,
                      const soc_task_record_t *const *r, int k, unsigned flags)
{
    const soc_app_t *a = &cfg->apps[r[0]->app];
    const soc_task_record_t **by_task = calloc((size_t)a->n_tasks, sizeof *by_task);
    if (by_task == NULL) {
        violation(c, "checker out of memory");
        return;
    }
    for (int i = 0; i < k; i++) {
        if (r[i]->app != r[0]->app)
            violation(c, "job %llu: records name applications %d and %d",
                      (unsigned long long)r[0]->job, r[0]->app, r[i]->app);
        else if (by_task[r[i]->task] != NULL)
            violation(c, "job %llu task %d executed twice", (unsigned long long)r[0]->job,
                      r[i]->task);
        else
            by_task[r[i]->task] = r[i];
    }
    int complete = 1;
    for (int t = 0; t < a->n_tasks; t++)
        if (by_task[t] == NULL)
            complete = 0;
    if ((flags & SC_COMPLETE) && !complete)
        violation(c, "job %llu (%s) has %d of its %d tasks", (unsigned long long)r[0]->job,
                  a->name, k, a->n_tasks);
    for (int e = 0; e < a->n_edges; e++) {
        const soc_task_record_t *s = by_task[a->edges[e].src], *d = by_task[a->edges[e].dst];
        if (d == NULL)
            continue;
        if (s == NULL) {
            violation(c, "job %llu: task %d ran before its predecessor %d",
                      (unsigned long long)d->job, d->task, a->edges[e].src);
            continue;
        }
        double need = s->finish_us + sc_comm_us(cfg, a->edges[e].volume, s->pe, d->pe);
        if (d->start_us < need - tol(need))
            violation(c, "job %llu: task %d starts at %.6f on PE %d, but the data of task %d "
                      "(PE %d, finished %.6f) arrives at %.6f",
                      (unsigned long long)d->job, d->task, d->start_us, d->pe, s->task, s->pe,
                      s->finish_us, need);
    }
    if ((flags & SC_BOUND) && complete) {
        double cp = soc_app_critical_path_us(&cfg->platform, a);
        double mk = 0;
        for (int i = 0; i < k; i++)
            if (r[i]->finish_us - r[i]->arrival_us > mk)
                mk = r[i]->finish_us - r[i]->arrival_us;
        if (mk < cp - tol(cp))
            violation(c, "job %llu: makespan %.6f beats the critical-path bound %.6f",
                      (unsigned long long)r[0]->job, mk, cp);
    }
    free(by_task);
}

int sc_check_schedule(const soc_config_t *cfg, const soc_task_record_t *recs,
                      int n, unsigned flags, char *msg, size_t msg_size)
{
    sc_ctx_t c = {0, msg, msg_size};
    if (msg != NULL && msg_size > 0)
        msg[0] = '\0';
    if (n == 0)
        return 0;
    const soc_platform_t *p = &cfg->platform;
    const soc_task_record_t **v = malloc(sizeof *v * (size_t)n);
    if (v == NULL) {
        violation(&c, "checker out of memory");
        return c.violations;
    }
    int ok = 0;
    for (int i = 0; i < n; i++) {
        const soc_task_record_t *r = &recs[i];
        if (r->app < 0 || r->app >= cfg->n_apps || r->task < 0 ||
            r->task >= cfg->apps[r->app].n_tasks || r->pe < 0 || r->pe >= p->n_pes) {
            violation(&c, "record %d names app %d task %d PE %d, out of range", i, r->app,
                      r->task, r->pe);
            continue;
        }
        if (r->type != cfg->apps[r->app].tasks[r->task].type)
            violation(&c, "job %llu task %d: record type %d, application says %d",
                      (unsigned long long)r->job, r->task, r->type,
                      cfg->apps[r->app].tasks[r->task].type);
        double w = exec_us(p, r->type, r->pe);
        if (w < 0)
            violation(&c, "job %llu task %d (type %s) ran on PE %d, which cannot run it",
                      (unsigned long long)r->job, r->task, p->type_names[r->type], r->pe);
        else if ((flags & SC_DURATION) &&
                 fabs((r->finish_us - r->start_us) - w) > tol(w))
            violation(&c, "job %llu task %d took %.6f us on PE %d, its execution time is %.6f",
                      (unsigned long long)r->job, r->task, r->finish_us - r->start_us, r->pe, w);
        if (r->finish_us < r->start_us)
            violation(&c, "job %llu task %d finishes before it starts", (unsigned long long)r->job,
                      r->task);
        if (r->start_us < r->arrival_us - tol(r->arrival_us))
            violation(&c, "job %llu task %d starts at %.6f, before its job arrived at %.6f",
                      (unsigned long long)r->job, r->task, r->start_us, r->arrival_us);
        v[ok++] = r;
    }
    qsort(v, (size_t)ok, sizeof *v, by_pe_start);
    for (int i = 1; i < ok; i++)
        if (v[i]->pe == v[i - 1]->pe && v[i]->start_us < v[i - 1]->finish_us - tol(v[i]->start_us))
            violation(&c, "PE %d runs job %llu task %d [%.6f, %.6f] and job %llu task %d "
                      "[%.6f, %.6f] at once",
                      v[i]->pe, (unsigned long long)v[i - 1]->job, v[i - 1]->task,
                      v[i - 1]->start_us, v[i - 1]->finish_us, (unsigned long long)v[i]->job,
                      v[i]->task, v[i]->start_us, v[i]->finish_us);
    qsort(v, (size_t)ok, sizeof *v, by_job_task);
    for (int i = 0; i < ok;) {
        int j = i;
        while (j < ok && v[j]->job == v[i]->job)
            j++;
        check_job(&c, cfg, &v[i], j - i, flags);
        i = j;
    }
    free(v);
    return c.violations;
}
