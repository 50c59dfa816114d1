/*
 * bench_sched.c -- scheduling cost of the whole-DAG schedulers on random
 * DAGs: one job of v tasks (about 4v edges, igraph's G(n, m) oriented from
 * lower to higher index) on q unrelated PEs (one cluster each, execution
 * times uniform in [1, 100] µs, unit bandwidth, volumes uniform in [0, 50]).
 * Two figures per run, best of a few repetitions: the time spent inside the
 * scheduler's callbacks (planning, including the engine's bookkeeping of
 * each assignment) and the wall time of the whole simulation of that one
 * job; the dynamic `met` (O(q) per task) shows the engine's own share.
 * Prints figures; it is not a test.
 *
 *   bench_sched [--max-tasks N] [--reps R] [sched...]
 *
 * Default schedulers: heft cpop peft lookahead (and met).  Columns: ns of
 * scheduler time per e*q (HEFT's O(e q) keeps it roughly flat), the
 * makespan for sanity.
 * Lookahead is O(v q^2 d); runs whose estimated work exceeds 2e9 basic
 * steps are skipped unless --all is given.
 */
#include <igraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timed.h"
#include "soc/schedulers.h"
#include "soc/sim.h"

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d == NULL) {
        fprintf(stderr, "bench_sched: out of memory\n");
        exit(1);
    }
    memcpy(d, s, n);
    return d;
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (p == NULL) {
        fprintf(stderr, "bench_sched: out of memory\n");
        exit(1);
    }
    return p;
}

/* One job of a random v-task DAG on q PEs; every task has its own type. */
static soc_config_t *make_cfg(int v, int q, unsigned long seed)
{
    soc_config_t *cfg = xcalloc(1, sizeof *cfg);
    soc_config_init(cfg);
    igraph_rng_seed(igraph_rng_default(), seed);
    soc_platform_t *p = &cfg->platform;
    p->name = xstrdup("bench");
    p->n_types = v;
    p->type_names = xcalloc((size_t)v, sizeof(char *));
    for (int t = 0; t < v; t++) {
        char b[32];
        snprintf(b, sizeof b, "t%d", t);
        p->type_names[t] = xstrdup(b);
    }
    p->n_clusters = q;
    p->clusters = xcalloc((size_t)q, sizeof *p->clusters);
    for (int c = 0; c < q; c++) {
        char b[32];
        snprintf(b, sizeof b, "pe%d", c);
        p->clusters[c].name = xstrdup(b);
        p->clusters[c].kind = xstrdup("cpu");
        p->clusters[c].count = 1;
        p->clusters[c].exec_us = xcalloc((size_t)v, sizeof(double));
        for (int t = 0; t < v; t++)
            p->clusters[c].exec_us[t] = (double)igraph_rng_get_integer(igraph_rng_default(), 1, 100);
    }
    p->bw_default = 1;
    p->bw_self = 0;

    igraph_t g;
    if (igraph_erdos_renyi_game_gnm(&g, v, 4 * (igraph_integer_t)v - v / 2, IGRAPH_UNDIRECTED,
                                    IGRAPH_NO_LOOPS) != IGRAPH_SUCCESS) {
        fprintf(stderr, "bench_sched: igraph failed\n");
        exit(1);
    }
    igraph_vector_int_t memb;
    igraph_integer_t nc;
    igraph_vector_int_init(&memb, 0);
    igraph_connected_components(&g, &memb, NULL, &nc, IGRAPH_WEAK);
    int ne = (int)igraph_ecount(&g);
    cfg->n_apps = 1;
    cfg->apps = xcalloc(1, sizeof *cfg->apps);
    soc_app_t *a = &cfg->apps[0];
    a->name = xstrdup("random");
    a->probability = 1;
    a->head = a->tail = -1;
    a->n_tasks = v;
    a->tasks = xcalloc((size_t)v, sizeof *a->tasks);
    for (int t = 0; t < v; t++) {
        char b[32];
        snprintf(b, sizeof b, "n%d", t);
        a->tasks[t].name = xstrdup(b);
        a->tasks[t].type = t;
    }
    a->edges = xcalloc((size_t)(ne + (int)nc), sizeof *a->edges);
    for (int e = 0; e < ne; e++) {
        int x = (int)IGRAPH_FROM(&g, e), y = (int)IGRAPH_TO(&g, e);
        a->edges[e].src = x < y ? x : y;
        a->edges[e].dst = x < y ? y : x;
        a->edges[e].volume = (double)igraph_rng_get_integer(igraph_rng_default(), 0, 50);
    }
    /* tie every other weak component to vertex 0 */
    char *seen = xcalloc((size_t)nc, 1);
    seen[VECTOR(memb)[0]] = 1;
    for (int t = 1; t < v; t++)
        if (!seen[VECTOR(memb)[t]]) {
            seen[VECTOR(memb)[t]] = 1;
            a->edges[ne].src = 0;
            a->edges[ne].dst = t;
            a->edges[ne++].volume = 1;
        }
    a->n_edges = ne;
    free(seen);
    igraph_vector_int_destroy(&memb);
    igraph_destroy(&g);

    cfg->injection.kind = SOC_ARRIVAL_TRACE;
    cfg->injection.n_times = 1;
    cfg->injection.times_us = xcalloc(1, sizeof(double));
    cfg->injection.max_jobs = 1;
    soc_error_t err = {0};
    char buf[700];
    if (soc_config_finalize(cfg, &err) != SOC_OK) {
        fprintf(stderr, "bench_sched: %s\n", soc_error_format(&err, buf, sizeof buf));
        exit(1);
    }
    return cfg;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double time_run(const soc_config_t *cfg, const char *spec, int reps, double *makespan,
                       double *sched_s)
{
    soc_sched_handle_t *h;
    soc_error_t err = {0};
    char buf[700];
    if (soc_sched_resolve(spec, &h, &err) != SOC_OK) {
        fprintf(stderr, "bench_sched: %s\n", soc_error_format(&err, buf, sizeof buf));
        exit(2);
    }
    soc_sched_ops_t wrap;
    bench_timed_wrap(soc_sched_handle_ops(h), now_s, &wrap);
    double best = -1;
    *sched_s = -1;
    for (int r = 0; r < reps; r++) {
        soc_sim_t *sim;
        soc_sim_options_t o = {sizeof o, &wrap, soc_sched_handle_arg(h), NULL, NULL, NULL, NULL};
        bench_timed_reset();
        double t0 = now_s();
        int rc = soc_sim_create(&sim, cfg, &o, &err);
        if (rc == SOC_OK)
            rc = soc_sim_run(sim, &err);
        double t = now_s() - t0;
        if (rc != SOC_OK) {
            fprintf(stderr, "bench_sched: %s: %s\n", spec,
                    soc_error_format(&err, buf, sizeof buf));
            soc_sim_destroy(sim);
            soc_sched_handle_free(h);
            return -1;
        }
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        *makespan = m.makespan_us;
        soc_sim_destroy(sim);
        if (best < 0 || t < best)
            best = t;
        if (*sched_s < 0 || bench_timed_seconds() < *sched_s)
            *sched_s = bench_timed_seconds();
    }
    soc_sched_handle_free(h);
    return best;
}

int main(int argc, char **argv)
{
    int max_tasks = 10000, reps = 3, all = 0, n_sched = 0;
    const char *sched[32];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max-tasks") == 0 && i + 1 < argc)
            max_tasks = atoi(argv[++i]);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_sched [--max-tasks N] [--reps R] [--all] [sched...]\n");
            return 2;
        } else if (n_sched < 31)
            sched[n_sched++] = argv[i];
    }
    if (n_sched == 0) {
        sched[n_sched++] = "heft";
        sched[n_sched++] = "cpop";
        sched[n_sched++] = "peft";
        sched[n_sched++] = "lookahead";
        sched[n_sched++] = "met";
    }
    if (reps < 1)
        reps = 1;
    soc_library_init();
    printf("%-10s %7s %7s %4s %10s %10s %11s %12s\n", "scheduler", "tasks", "edges", "PEs",
           "sched_ms", "total_ms", "ns_per_e*q", "makespan_us");
    static const int vs[] = {100, 1000, 10000};
    static const int qs[] = {4, 16, 64};
    for (size_t iv = 0; iv < sizeof vs / sizeof vs[0]; iv++) {
        if (vs[iv] > max_tasks)
            break;
        for (size_t iq = 0; iq < sizeof qs / sizeof qs[0]; iq++) {
            soc_config_t *cfg = make_cfg(vs[iv], qs[iq], 1000 + iv * 10 + iq);
            int e = cfg->apps[0].n_edges;
            for (int k = 0; k < n_sched; k++) {
                double work = (double)e * qs[iq];
                if (strncmp(sched[k], "lookahead", 9) == 0)
                    work *= (double)qs[iq];
                if (!all && work > 2e9) {
                    printf("%-10s %7d %7d %4d %10s\n", sched[k], vs[iv], e, qs[iq], "skipped");
                    continue;
                }
                double mk = 0, st = 0;
                int r = vs[iv] >= 10000 ? 1 : reps;
                double t = time_run(cfg, sched[k], r, &mk, &st);
                if (t < 0)
                    continue;
                printf("%-10s %7d %7d %4d %10.3f %10.3f %11.2f %12.1f\n", sched[k], vs[iv], e,
                       qs[iq], st * 1e3, t * 1e3, st * 1e9 / ((double)e * qs[iq]), mk);
                fflush(stdout);
            }
            soc_config_free(cfg);
            free(cfg);
        }
    }
    return 0;
}
