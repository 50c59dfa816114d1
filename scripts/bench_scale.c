/*
 * bench_scale.c -- the scaling curves of scripts/bench_scale.sh: CPU time
 * per task as DAGs get wider and deeper, PE queues longer, platforms larger
 * and runs longer, and socsim's time per event against the minimal engine
 * of bare_engine.c on the same workload.  Prints figures; it is not a test.
 *
 *   bench_scale width|chain|queue [--sizes N,N,...] [--max-s S] [SCHED...]
 *   bench_scale pes|pesload [--root DIR] [--jobs N] [--max-s S] [SCHED...]
 *   bench_scale jobs --jobs N [--root DIR] SCHED        (one run, one line)
 *   bench_scale bare [--root DIR] [--jobs N] [SCHED...]  (met, etf, heft)
 *   bench_scale yaml [--sizes N,N,...]
 *
 * Workloads (all generated here, deterministic):
 *  - synthetic platform: 16 PEs in 4 clusters of 4 (big, little, dsp, gpu),
 *    4 task types (two of them not runnable everywhere), execution times 4
 *    to 90 us, bandwidth 1000 units/us, latency 0.1 us, free on one PE;
 *  - width: one job of a fork-join, source -> N-2 parallel tasks -> sink,
 *    types and volumes (1000..5000 units) mixed by a hash of the index;
 *  - chain: one job of an N-task chain, same mixing;
 *  - queue: saturated load: jobs of a 10-task DAG every 2 us (about five
 *    times what the 16 PEs serve), N/10 jobs, so queues grow to O(N);
 *  - pes: DS3's six-application mix on MULTIPLE_BAL (ROOT/examples/
 *    poisson_soc.yaml, light load: one job per 200 us) with every cluster's
 *    count multiplied by 1, 4, 16, 64, 256 (16 ... 4096 PEs in 5 clusters),
 *    power off; pesload: the same platforms at heavy load (one job per
 *    30 us / scale: the CPU clusters about 90% busy), 500 x scale jobs;
 *  - jobs: the same mix on the 16 PEs, N jobs, Poisson arrivals;
 *  - bare: the same mix, N jobs as a fixed trace (times and applications
 *    drawn here) run by socsim and by the bare engine in this process;
 *  - yaml: a YAML file of a layered DAG of N tasks (named tasks, edges by
 *    name) loaded with soc_load_yaml.
 * Times are CPU seconds of this process (CLOCK_PROCESS_CPUTIME_ID), best
 * of --reps runs (1 above 10^4 tasks), or with --median the median of
 * --reps runs at every size; a size whose time, extrapolated
 * from the last two sizes, would exceed --max-s is skipped and says so.
 */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bare_engine.h"
#include "bench_timed.h"
#include "soc/schedulers.h"
#include "soc/sim.h"
#include "soc/workload.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (p == NULL) {
        fprintf(stderr, "bench_scale: out of memory\n");
        exit(1);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = xcalloc(strlen(s) + 1, 1);
    memcpy(d, s, strlen(s) + 1);
    return d;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void die_err(const char *what, const soc_error_t *err)
{
    char buf[800];
    fprintf(stderr, "bench_scale: %s: %s\n", what, soc_error_format(err, buf, sizeof buf));
    exit(1);
}

/* ------------------------------------------------- synthetic workloads */

static void synth_platform(soc_config_t *cfg)
{
    static const char *const types[] = {"a", "b", "c", "d"};
    static const char *const names[] = {"big", "little", "dsp", "gpu"};
    static const double ex[4][4] = {
        {10, 20, 15, 40}, {25, 50, 30, 90}, {4, -1, -1, 8}, {-1, 6, -1, 12}};
    soc_platform_t *p = &cfg->platform;
    p->name = xstrdup("synth16");
    p->n_types = 4;
    p->type_names = xcalloc(4, sizeof(char *));
    for (int t = 0; t < 4; t++)
        p->type_names[t] = xstrdup(types[t]);
    p->n_clusters = 4;
    p->clusters = xcalloc(4, sizeof *p->clusters);
    for (int c = 0; c < 4; c++) {
        p->clusters[c].name = xstrdup(names[c]);
        p->clusters[c].kind = xstrdup("cpu");
        p->clusters[c].count = 4;
        p->clusters[c].exec_us = xcalloc(4, sizeof(double));
        for (int t = 0; t < 4; t++)
            p->clusters[c].exec_us[t] = ex[c][t];
    }
    p->bw_default = 1000;
    p->bw_self = 0;
    p->latency_us = 0.1;
    p->memory_cluster = -1;
}

enum { SHAPE_FORKJOIN, SHAPE_CHAIN, SHAPE_TEN };

static int task_type(int i) { return (int)(mix64((uint64_t)i) % 4); }
static double edge_volume(int e) { return 1000.0 + (double)(mix64((uint64_t)e + 77) % 4001); }

static void synth_app(soc_app_t *a, int shape, int n)
{
    if (shape == SHAPE_TEN)
        n = 10;
    a->name = xstrdup(shape == SHAPE_CHAIN ? "chain" : shape == SHAPE_TEN ? "ten" : "forkjoin");
    a->probability = 1;
    a->head = a->tail = -1;
    a->n_tasks = n;
    a->tasks = xcalloc((size_t)n, sizeof *a->tasks);
    for (int i = 0; i < n; i++) {
        char b[32];
        snprintf(b, sizeof b, "t%d", i);
        a->tasks[i].name = xstrdup(b);
        a->tasks[i].type = task_type(i);
    }
    int ne = 0;
    a->edges = xcalloc((size_t)(2 * n), sizeof *a->edges);
#define EDGE(s, d)                                                                             \
    do {                                                                                       \
        a->edges[ne].src = (s);                                                                \
        a->edges[ne].dst = (d);                                                                \
        a->edges[ne].volume = edge_volume(ne);                                                 \
        ne++;                                                                                  \
    } while (0)
    if (shape == SHAPE_FORKJOIN) {
        a->tasks[0].type = a->tasks[n - 1].type = 0;
        for (int i = 1; i < n - 1; i++) {
            EDGE(0, i);
            EDGE(i, n - 1);
        }
    } else if (shape == SHAPE_CHAIN) {
        for (int i = 0; i + 1 < n; i++)
            EDGE(i, i + 1);
    } else {
        for (int i = 1; i <= 4; i++) {
            EDGE(0, i);
            EDGE(i, i + 4);
            EDGE(i + 4, 9);
        }
    }
#undef EDGE
    a->n_edges = ne;
}

/* One job of shape with n tasks (width, chain), or n/10 jobs of the 10-task
 * DAG every period_us (queue). */
static soc_config_t *synth_cfg(int shape, int n, double period_us)
{
    soc_config_t *cfg = xcalloc(1, sizeof *cfg);
    soc_config_init(cfg);
    synth_platform(cfg);
    cfg->n_apps = 1;
    cfg->apps = xcalloc(1, sizeof *cfg->apps);
    synth_app(&cfg->apps[0], shape, n);
    if (shape == SHAPE_TEN) {
        cfg->injection.kind = SOC_ARRIVAL_PERIODIC;
        cfg->injection.mean_us = period_us;
        cfg->injection.max_jobs = n / 10;
    } else {
        cfg->injection.kind = SOC_ARRIVAL_TRACE;
        cfg->injection.n_times = 1;
        cfg->injection.times_us = xcalloc(1, sizeof(double));
        cfg->injection.max_jobs = 1;
    }
    soc_error_t err = {0};
    if (soc_config_finalize(cfg, &err) != SOC_OK)
        die_err("synthetic config", &err);
    return cfg;
}

static void cfg_delete(soc_config_t *cfg)
{
    soc_config_free(cfg);
    free(cfg);
}

/* ------------------------------------------------------------ DS3 mix */

static void free_cluster_power(soc_cluster_power_t *pw)
{
    if (pw == NULL)
        return;
    free(pw->governor);
    free(pw->opps);
    free(pw->trip_freq_mhz);
    free(pw->dtpm_trip_freq_mhz);
    for (int i = 0; i < pw->n_profiles; i++)
        free(pw->profiles[i].watts);
    free(pw->profiles);
    for (int i = 0; i < pw->n_pg_profiles; i++)
        free(pw->pg_profiles[i].watts);
    free(pw->pg_profiles);
    free(pw);
}

/* DS3's mix on MULTIPLE_BAL from ROOT/examples/poisson_soc.yaml, power off,
 * no warm-up, every cluster `scale` times as large, `jobs` measured jobs. */
static soc_config_t *ds3_mix(const char *root, int scale, int64_t jobs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/poisson_soc.yaml", root);
    soc_config_t *cfg = xcalloc(1, sizeof *cfg);
    soc_error_t err = {0};
    if (soc_load_yaml(cfg, path, &err) != SOC_OK)
        die_err(path, &err);
    cfg->power_model = 0;
    cfg->injection.warmup_us = 0;
    cfg->injection.max_jobs = jobs;
    for (int c = 0; c < cfg->platform.n_clusters; c++) {
        soc_cluster_t *cl = &cfg->platform.clusters[c];
        free_cluster_power(cl->power);
        cl->power = NULL;
        if (!cl->is_memory)
            cl->count *= scale;
    }
    if (soc_config_finalize(cfg, &err) != SOC_OK)
        die_err("scaled DS3 mix", &err);
    return cfg;
}

/* Replace the Poisson injection by a trace of the same process (times and
 * applications drawn here), so that two engines see the same jobs. */
static void to_trace(soc_config_t *cfg)
{
    soc_injection_t *in = &cfg->injection;
    int64_t n = in->max_jobs;
    double *t = xcalloc((size_t)n, sizeof *t);
    int *app = xcalloc((size_t)n, sizeof *app);
    double now = in->start_us;
    uint64_t s = 12345;
    for (int64_t k = 0; k < n; k++) {
        t[k] = now;
        double u = (double)((s = mix64(s)) >> 11) * 0x1.0p-53;
        now += -in->mean_us * log1p(-u);
        now = (double)(int64_t)(now * 1000.0) / 1000.0; /* whole ns */
        double v = (double)((s = mix64(s)) >> 11) * 0x1.0p-53, acc = 0;
        app[k] = cfg->n_apps - 1;
        for (int a = 0; a < cfg->n_apps; a++) {
            acc += cfg->apps[a].probability;
            if (v < acc) {
                app[k] = a;
                break;
            }
        }
    }
    free(in->times_us);
    free(in->trace_apps);
    in->kind = SOC_ARRIVAL_TRACE;
    in->times_us = t;
    in->trace_apps = app;
    in->n_times = (int)n;
    soc_error_t err = {0};
    if (soc_config_finalize(cfg, &err) != SOC_OK)
        die_err("trace", &err);
}

/* ------------------------------------------------------------- running */

typedef struct runres {
    double cpu, sched;      /* seconds */
    int64_t tasks, jobs;
    double sum_latency_us, makespan_us;
} runres_t;

/* One simulation of cfg under spec; timed = time the callbacks too. */
static int run_once(const soc_config_t *cfg, const char *spec, int timed, runres_t *out)
{
    soc_sched_handle_t *h;
    soc_error_t err = {0};
    if (soc_sched_resolve(spec, &h, &err) != SOC_OK)
        die_err(spec, &err);
    soc_sched_ops_t wrap = *soc_sched_handle_ops(h);
    if (timed)
        bench_timed_wrap(soc_sched_handle_ops(h), cpu_s, &wrap);
    soc_sim_t *sim = NULL;
    soc_sim_options_t o = {sizeof o, &wrap, soc_sched_handle_arg(h), NULL, NULL, NULL, NULL};
    double t0 = cpu_s();
    int rc = soc_sim_create(&sim, cfg, &o, &err);
    if (rc == SOC_OK)
        rc = soc_sim_run(sim, &err);
    soc_metrics_t m;
    memset(&m, 0, sizeof m);
    if (rc == SOC_OK)
        soc_sim_metrics(sim, &m);
    soc_sim_destroy(sim);
    out->cpu = cpu_s() - t0;
    out->sched = timed ? bench_timed_seconds() : -1;
    soc_sched_handle_free(h);
    if (rc != SOC_OK) {
        char buf[800];
        fprintf(stderr, "bench_scale: %s: %s\n", spec, soc_error_format(&err, buf, sizeof buf));
        return rc;
    }
    out->tasks = m.tasks_completed;
    out->jobs = m.completed_jobs;
    out->sum_latency_us = m.cumulative_latency_us;
    out->makespan_us = m.makespan_us;
    return SOC_OK;
}

static int cmp_cpu(const void *x, const void *y)
{
    double a = ((const runres_t *)x)->cpu, b = ((const runres_t *)y)->cpu;
    return (a > b) - (a < b);
}

/* Whether run_best reports the median of its runs (--median) instead of the
 * best.  Benchmark program: file-scope settings are fine here. */
static int use_median;

/* reps runs of cfg: the fastest, or with --median the run of median CPU
 * time (the lower middle one for an even count). */
/* `reps` runs of cfg; *out = the fastest or the median.  A run under 20 ms
 * is noisy (allocation, caches, the scheduler's first decisions weigh
 * more): such a point gets enough runs for about 0.1 s of CPU time, at
 * most 201. */
static int run_best(const soc_config_t *cfg, const char *spec, int timed, int reps, runres_t *out)
{
    runres_t first;
    if (run_once(cfg, spec, timed, &first) != SOC_OK)
        return -1;
    int n = reps;
    if (first.cpu < 0.02) {
        double want = 0.1 / (first.cpu > 1e-6 ? first.cpu : 1e-6);
        int more = want > 201 ? 201 : (int)want;
        if (more > n)
            n = more | 1; /* odd: one median */
    }
    runres_t *r = xcalloc((size_t)n, sizeof *r);
    r[0] = first;
    for (int i = 1; i < n; i++)
        if (run_once(cfg, spec, timed, &r[i]) != SOC_OK) {
            free(r);
            return -1;
        }
    qsort(r, (size_t)n, sizeof *r, cmp_cpu);
    *out = r[use_median ? (n - 1) / 2 : 0];
    free(r);
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* ------------------------------------------------------------- curves */

typedef struct opts {
    int sizes[16], n_sizes;
    double max_s;
    int reps;
    int64_t jobs;
    const char *root;
    const char *sched[32];
    int n_sched;
} opts_t;

static void header(void)
{
    printf("%-6s %-10s %9s %10s %12s %10s %10s %8s\n", "curve", "scheduler", "size", "tasks",
           "cpu_ms", "ns/task", "sched_ns", "x_first");
}

static void curve_synth(const opts_t *o, const char *curve, int shape)
{
    static const int def[] = {100, 1000, 10000, 100000};
    const int *sizes = o->n_sizes ? o->sizes : def;
    int ns = o->n_sizes ? o->n_sizes : 4;
    for (int k = 0; k < o->n_sched; k++) {
        double first = -1, t1 = -1, t2 = -1;
        int s1 = 0, s2 = 0, skipping = 0;
        for (int i = 0; i < ns; i++) {
            int n = sizes[i];
            if (t1 > 0 && !skipping) {
                /* extrapolate with the growth seen so far (at least linear) */
                double g = t2 > 0 ? t1 / t2 : (double)n / s1;
                double lin = (double)n / s1, gsz = t2 > 0 ? (double)s1 / s2 : lin;
                double expo = t2 > 0 && g > 1 ? log(g) / log(gsz) : 1;
                if (expo < 1)
                    expo = 1;
                double est = t1 * pow(lin, expo);
                if (est > o->max_s) {
                    printf("%-6s %-10s %9d %10s %12s  skipped: about %.0f s (growth n^%.1f)\n",
                           curve, o->sched[k], n, "-", "-", est, expo);
                    skipping = 1;
                }
            }
            if (skipping)
                continue;
            soc_config_t *cfg = synth_cfg(shape, n, 2.0);
            runres_t r = {0};
            int reps = n > 10000 && !use_median ? 1 : o->reps;
            if (run_best(cfg, o->sched[k], 1, reps, &r) != 0) {
                cfg_delete(cfg);
                break;
            }
            double per = r.cpu * 1e9 / (double)r.tasks;
            if (first < 0)
                first = per;
            printf("%-6s %-10s %9d %10lld %12.3f %10.0f %10.0f %8.2f\n", curve, o->sched[k], n,
                   (long long)r.tasks, r.cpu * 1e3, per, r.sched * 1e9 / (double)r.tasks,
                   per / first);
            fflush(stdout);
            t2 = t1;
            s2 = s1;
            t1 = r.cpu;
            s1 = n;
            cfg_delete(cfg);
        }
    }
}

/* heavy = 0: light load, 2000 jobs (or --jobs) at every size; heavy = 1:
 * one job per 30 us / scale (the CPU clusters about 90% busy at every
 * size), 500 x scale jobs (or --jobs x scale). */
static void curve_pes(const opts_t *o, int heavy)
{
    static const int scales[] = {1, 4, 16, 64, 256};
    int64_t jobs = o->jobs > 0 ? o->jobs : heavy ? 500 : 2000;
    const char *name = heavy ? "pesld" : "pes";
    for (int k = 0; k < o->n_sched; k++) {
        double first = -1;
        for (int i = 0; i < 5; i++) {
            soc_config_t *cfg = ds3_mix(o->root, scales[i], heavy ? jobs * scales[i] : jobs);
            if (heavy) {
                cfg->injection.mean_us = 30.0 / scales[i];
                soc_error_t err = {0};
                if (soc_config_finalize(cfg, &err) != SOC_OK)
                    die_err("heavy DS3 mix", &err);
            }
            int q = cfg->platform.n_pes;
            for (int c = 0; c < cfg->platform.n_clusters; c++)
                if (cfg->platform.clusters[c].is_memory)
                    q -= cfg->platform.clusters[c].count;
            runres_t r = {0};
            if (run_best(cfg, o->sched[k], 0, o->reps, &r) != 0) {
                cfg_delete(cfg);
                break;
            }
            double per = r.cpu * 1e9 / (double)r.tasks;
            if (first < 0)
                first = per;
            printf("%-6s %-10s %9d %10lld %12.3f %10.0f %10s %8.2f\n", name, o->sched[k], q,
                   (long long)r.tasks, r.cpu * 1e3, per, "-", per / first);
            fflush(stdout);
            cfg_delete(cfg);
            if (r.cpu * (heavy ? 16 : 4) * o->reps > o->max_s && i + 1 < 5) {
                printf("%-6s %-10s %9s  skipped: the next size would take over %.0f s\n", name,
                       o->sched[k], ">", o->max_s);
                break;
            }
        }
    }
}

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void one_jobs(const opts_t *o)
{
    soc_config_t *cfg = ds3_mix(o->root, 1, o->jobs > 0 ? o->jobs : 1000);
    runres_t r = {0};
    if (run_best(cfg, o->n_sched ? o->sched[0] : "met", 0, 1, &r) != 0)
        exit(1);
    printf("%-6s %-10s %9lld %10lld %12.1f %10.0f %10.1f\n", "jobs",
           o->n_sched ? o->sched[0] : "met", (long long)r.jobs, (long long)r.tasks, r.cpu * 1e3,
           r.cpu * 1e9 / (double)r.tasks, (double)maxrss_kb() / 1024.0);
    cfg_delete(cfg);
}

static void curve_bare(const opts_t *o)
{
    static const char *const def[] = {"met", "etf", "heft"};
    int64_t jobs = o->jobs > 0 ? o->jobs : 100000;
    soc_config_t *cfg = ds3_mix(o->root, 1, jobs);
    to_trace(cfg);
    printf("%-10s %10s %10s %10s %10s %10s %11s %11s %7s %s\n", "scheduler", "jobs", "tasks",
           "events", "socsim_ms", "bare_ms", "socsim_ns/e", "bare_ns/e", "ratio", "same");
    int n = o->n_sched ? o->n_sched : 3;
    for (int k = 0; k < n; k++) {
        const char *spec = o->n_sched ? o->sched[k] : def[k];
        bare_policy_t pol = strcmp(spec, "met") == 0   ? BARE_MET
                            : strcmp(spec, "etf") == 0 ? BARE_ETF
                            : strcmp(spec, "heft") == 0 ? BARE_HEFT
                                                        : (bare_policy_t)-1;
        if ((int)pol < 0) {
            fprintf(stderr, "bench_scale bare: met, etf or heft\n");
            exit(2);
        }
        runres_t r = {0};
        bare_result_t br = {0};
        double *bt = xcalloc((size_t)o->reps, sizeof *bt);
        if (run_best(cfg, spec, 0, o->reps, &r) != 0)
            exit(1);
        for (int i = 0; i < o->reps; i++) {
            double t0 = cpu_s();
            if (bare_run(cfg, pol, &br) != 0)
                exit(1);
            bt[i] = cpu_s() - t0;
        }
        qsort(bt, (size_t)o->reps, sizeof *bt, cmp_double);
        double best_bare = bt[use_median ? (o->reps - 1) / 2 : 0];
        free(bt);
        int64_t ev = br.arrivals + br.finishes + br.wakes;
        int same = br.jobs == r.jobs && br.finishes == r.tasks &&
                   fabs(br.sum_latency_us - r.sum_latency_us) <= 1e-9 * fabs(r.sum_latency_us);
        printf("%-10s %10lld %10lld %10lld %10.1f %10.1f %11.1f %11.1f %7.2f %s\n", spec,
               (long long)r.jobs, (long long)r.tasks, (long long)ev, r.cpu * 1e3,
               best_bare * 1e3, r.cpu * 1e9 / (double)ev, best_bare * 1e9 / (double)ev,
               r.cpu / best_bare, same ? "yes" : "NO (schedules differ)");
        fflush(stdout);
    }
    cfg_delete(cfg);
}

/* A layered DAG of n tasks (width 32, every task fed by up to 3 tasks of
 * the layer above), named tasks, edges by name, on the synthetic platform. */
static char *yaml_file(const char *dir, int n)
{
    char *path = xcalloc(strlen(dir) + 64, 1);
    sprintf(path, "%s/dag%d.yaml", dir, n);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fprintf(f, "seed: 1\nscheduler: met\nplatform:\n  clusters:\n"
               "    - {name: big, count: 4, exec_us: {a: 10, b: 20, c: 15, d: 40}}\n"
               "    - {name: little, count: 4, exec_us: {a: 25, b: 50, c: 30, d: 90}}\n"
               "    - {name: dsp, count: 4, exec_us: {a: 4, d: 8}}\n"
               "    - {name: gpu, count: 4, exec_us: {b: 6, d: 12}}\n"
               "  communication: {bandwidth_default: 1000}\n"
               "applications:\n  - name: dag\n    tasks:\n");
    static const char *const ty = "abcd";
    for (int i = 0; i < n; i++)
        fprintf(f, "      - {name: task_%d, type: %c}\n", i, ty[task_type(i)]);
    fprintf(f, "    edges:\n");
    const int w = 32;
    for (int i = w; i < n; i++) {
        int layer = i / w, base = (layer - 1) * w;
        int k = 1 + (int)(mix64((uint64_t)i) % 3);
        for (int j = 0; j < k; j++) {
            int src = base + (int)((i + 7 * j) % w);
            fprintf(f, "      - [task_%d, task_%d, %d]\n", src, i, 1000 + (int)(mix64((uint64_t)(i * 3 + j)) % 4000));
        }
    }
    fprintf(f, "injection: {arrival: periodic, period_us: 100}\nstop: {jobs: 1}\n");
    fclose(f);
    return path;
}

static void curve_yaml(const opts_t *o)
{
    static const int def[] = {1000, 10000, 100000};
    const int *sizes = o->n_sizes ? o->sizes : def;
    int ns = o->n_sizes ? o->n_sizes : 3;
    char dir[] = "/tmp/socsim-bench-yaml.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    printf("%-6s %9s %10s %10s %12s %10s %8s\n", "curve", "tasks", "edges", "bytes", "load_ms",
           "ns/task", "x_first");
    double first = -1;
    for (int i = 0; i < ns; i++) {
        char *path = yaml_file(dir, sizes[i]);
        struct stat st;
        stat(path, &st);
        double best = -1;
        int edges = 0;
        for (int r = 0; r < (sizes[i] > 10000 ? 1 : o->reps); r++) {
            soc_config_t cfg;
            soc_error_t err = {0};
            double t0 = cpu_s();
            if (soc_load_yaml(&cfg, path, &err) != SOC_OK)
                die_err(path, &err);
            double t = cpu_s() - t0;
            edges = cfg.apps[0].n_edges;
            soc_config_free(&cfg);
            if (best < 0 || t < best)
                best = t;
        }
        double per = best * 1e9 / sizes[i];
        if (first < 0)
            first = per;
        printf("%-6s %9d %10d %10lld %12.2f %10.0f %8.2f\n", "yaml", sizes[i], edges,
               (long long)st.st_size, best * 1e3, per, per / first);
        fflush(stdout);
        unlink(path);
        free(path);
    }
    rmdir(dir);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_scale width|chain|queue|pes|pesload|jobs|bare|yaml [--sizes N,N,..] "
            "[--max-s S] [--reps R] [--median] [--jobs N] [--root DIR] [SCHED...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *curve = argv[1];
    opts_t o;
    memset(&o, 0, sizeof o);
    o.max_s = 60;
    o.reps = 3;
    o.root = ".";
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
            char *s = argv[++i];
            while (*s && o.n_sizes < 16) {
                o.sizes[o.n_sizes++] = (int)strtol(s, &s, 10);
                if (*s == ',')
                    s++;
            }
        } else if (strcmp(argv[i], "--max-s") == 0 && i + 1 < argc) {
            o.max_s = atof(argv[++i]);
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            o.reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
            o.jobs = atoll(argv[++i]);
        } else if (strcmp(argv[i], "--median") == 0) {
            use_median = 1;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            o.root = argv[++i];
        } else if (argv[i][0] == '-') {
            usage();
        } else if (o.n_sched < 32) {
            o.sched[o.n_sched++] = argv[i];
        }
    }
    if (o.reps < 1)
        o.reps = 1;
    soc_library_init();
    if (strcmp(curve, "bare") == 0) {
        curve_bare(&o);
        return 0;
    }
    if (strcmp(curve, "jobs") == 0) {
        one_jobs(&o);
        return 0;
    }
    if (strcmp(curve, "yaml") == 0) {
        curve_yaml(&o);
        return 0;
    }
    if (o.n_sched == 0) {
        static const char *const def[] = {"etf", "minmin", "maxmin", "sufferage",
                                          "mct", "heft", "peft", "met"};
        for (size_t k = 0; k < sizeof def / sizeof def[0]; k++)
            o.sched[o.n_sched++] = def[k];
    }
    header();
    if (strcmp(curve, "width") == 0)
        curve_synth(&o, "width", SHAPE_FORKJOIN);
    else if (strcmp(curve, "chain") == 0)
        curve_synth(&o, "chain", SHAPE_CHAIN);
    else if (strcmp(curve, "queue") == 0)
        curve_synth(&o, "queue", SHAPE_TEN);
    else if (strcmp(curve, "pes") == 0)
        curve_pes(&o, 0);
    else if (strcmp(curve, "pesload") == 0)
        curve_pes(&o, 1);
    else
        usage();
    return 0;
}
