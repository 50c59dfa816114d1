/*
 * check_sched_contract.c -- the contract every registered scheduler keeps,
 * checked by looping over soc_sched_list() (a new scheduler is covered
 * without new test code), in its default mode and, where it has them, its
 * ":static" and ":late" (late binding) modes:
 *  - on chains, fork-join, diamonds and random DAGs from igraph's G(n, m)
 *    generator, on a platform where some PEs run only some task types, in
 *    PE-to-PE and shared-memory communication, single jobs and multi-job
 *    Poisson workloads, every schedule passes the independent checker
 *    (tests/support/schedule_check.h): PE capability, durations, one task
 *    per PE at a time, inputs arrived (communication included), arrival,
 *    completeness, critical-path bound;
 *  - the same seed gives the same schedule, record for record.
 * A scheduler may refuse an instance beyond its documented limits with
 * SOC_ELIMIT (bnb), never with anything else; all run the small shapes.
 * Only the schedulers listed by sc_needs_argument (a platform-specific
 * argument is mandatory) are skipped.
 */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule_check.h"
#include "soc/schedulers.h"
#include "test_support.h"

#define N_TYPES 4

/* Heterogeneous platform: "big" runs everything, "little" not t2, "acc"
 * only t0 and t2; links of two speeds.  shared: transfers through a
 * memory cluster instead. */
static soc_config_t *platform(int shared)
{
    soc_config_t *cfg = ts_cfg_new(N_TYPES);
    const double big[N_TYPES] = {4, 6, 5, 7};
    const double little[N_TYPES] = {8, 12, -1, 14};
    const double acc[N_TYPES] = {1, -1, 2, -1};
    ts_cfg_cluster(cfg, "big", 2, big);
    ts_cfg_cluster(cfg, "little", 2, little);
    ts_cfg_cluster(cfg, "acc", 1, acc);
    soc_platform_t *p = &cfg->platform;
    p->bw_default = 2;
    p->latency_us = 0.5;
    p->bw = calloc(9, sizeof *p->bw);
    ck_assert_ptr_nonnull(p->bw);
    p->bw[0 * 3 + 2] = p->bw[2 * 3 + 0] = 8; /* big <-> acc is fast */
    if (shared) {
        const double none[N_TYPES] = {-1, -1, -1, -1};
        int m = ts_cfg_cluster(cfg, "mem", 1, none);
        p->clusters[m].is_memory = 1;
        free(p->bw);
        p->bw = NULL;
        p->comm_mode = SOC_COMM_SHARED_MEMORY;
        p->memory_cluster = m;
    }
    return cfg;
}

typedef struct dag {
    int n, ne;
    int types[64];
    double e[256][3];
} dag_t;

static void add_edge(dag_t *d, int s, int t, double vol)
{
    ck_assert_int_lt(d->ne, 256);
    d->e[d->ne][0] = s;
    d->e[d->ne][1] = t;
    d->e[d->ne++][2] = vol;
}

static void chain(dag_t *d, int n)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    for (int i = 0; i < n; i++) {
        d->types[i] = i % N_TYPES;
        if (i > 0)
            add_edge(d, i - 1, i, 3 + i);
    }
}

static void fork_join(dag_t *d, int width)
{
    memset(d, 0, sizeof *d);
    d->n = width + 2;
    for (int i = 0; i < d->n; i++)
        d->types[i] = (i * 3) % N_TYPES;
    for (int i = 1; i <= width; i++) {
        add_edge(d, 0, i, 2 * i);
        add_edge(d, i, width + 1, 10 - i);
    }
}

static void diamond(dag_t *d)
{
    memset(d, 0, sizeof *d);
    d->n = 4;
    d->types[0] = 0;
    d->types[1] = 2;
    d->types[2] = 1;
    d->types[3] = 3;
    add_edge(d, 0, 1, 6);
    add_edge(d, 0, 2, 0);
    add_edge(d, 1, 3, 4);
    add_edge(d, 2, 3, 9);
}

/* G(n, m) from igraph, edges oriented from the lower to the higher vertex
 * (acyclic), then every other weak component tied to vertex 0. */
static void random_dag(dag_t *d, int n, int m, unsigned long seed)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    igraph_rng_seed(igraph_rng_default(), seed);
    igraph_t g;
    ck_assert_int_eq(igraph_erdos_renyi_game_gnm(&g, n, m, IGRAPH_UNDIRECTED, IGRAPH_NO_LOOPS),
                     IGRAPH_SUCCESS);
    for (igraph_integer_t e = 0; e < igraph_ecount(&g); e++) {
        int a = (int)IGRAPH_FROM(&g, e), b = (int)IGRAPH_TO(&g, e);
        double vol = (double)igraph_rng_get_integer(igraph_rng_default(), 0, 20);
        add_edge(d, a < b ? a : b, a < b ? b : a, vol);
    }
    igraph_vector_int_t memb;
    igraph_integer_t nc;
    igraph_vector_int_init(&memb, 0);
    ck_assert_int_eq(igraph_connected_components(&g, &memb, NULL, &nc, IGRAPH_WEAK),
                     IGRAPH_SUCCESS);
    int *seen = calloc((size_t)nc, sizeof *seen);
    ck_assert_ptr_nonnull(seen);
    seen[VECTOR(memb)[0]] = 1;
    for (int v = 1; v < n; v++)
        if (!seen[VECTOR(memb)[v]]) {
            seen[VECTOR(memb)[v]] = 1;
            add_edge(d, 0, v, 5);
        }
    free(seen);
    igraph_vector_int_destroy(&memb);
    igraph_destroy(&g);
    for (int i = 0; i < n; i++)
        d->types[i] = (int)igraph_rng_get_integer(igraph_rng_default(), 0, N_TYPES - 1);
}

static void add_app(soc_config_t *cfg, const char *name, double prob, const dag_t *d)
{
    ts_cfg_app(cfg, name, prob, d->n, d->types, d->ne, (const double(*)[3])d->e);
}

static void single_job(soc_config_t *cfg)
{
    double t0 = 0;
    ts_cfg_trace(cfg, 1, &t0);
    ts_cfg_finalize(cfg);
}

/* The shapes every scheduler must run (small enough for bnb). */
enum { SHAPE_CHAIN, SHAPE_FORK, SHAPE_DIAMOND, SHAPE_RANDOM1, SHAPE_RANDOM2, SHAPE_COUNT };

static soc_config_t *shape_cfg(int shape, int shared)
{
    soc_config_t *cfg = platform(shared);
    dag_t d;
    switch (shape) {
    case SHAPE_CHAIN:
        chain(&d, 6);
        break;
    case SHAPE_FORK:
        fork_join(&d, 5);
        break;
    case SHAPE_DIAMOND:
        diamond(&d);
        break;
    case SHAPE_RANDOM1:
        random_dag(&d, 9, 14, 11);
        break;
    default:
        random_dag(&d, 10, 12, 23);
        break;
    }
    add_app(cfg, "dag", 1.0, &d);
    single_job(cfg);
    return cfg;
}

/* ------------------------------------------------------------- running */

typedef struct outcome {
    int rc;
    ts_records_t rec;
    soc_metrics_t m;
    char err[1024];
} outcome_t;

static void run(const soc_config_t *cfg, const soc_sched_ops_t *ops, const char *arg,
                outcome_t *o)
{
    memset(o, 0, sizeof *o);
    soc_error_t err = {0};
    soc_sim_t *sim = NULL;
    soc_sim_options_t opt = {sizeof opt, ops, arg, ts_records_add, &o->rec, NULL, NULL};
    o->rc = soc_sim_create(&sim, cfg, &opt, &err);
    if (o->rc == SOC_OK)
        o->rc = soc_sim_run(sim, &err);
    if (sim != NULL)
        soc_sim_metrics(sim, &o->m);
    soc_error_format(&err, o->err, sizeof o->err);
    soc_sim_destroy(sim);
}

static int same_records(const ts_records_t *a, const ts_records_t *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++) {
        const soc_task_record_t *x = &a->r[i], *y = &b->r[i];
        if (x->job != y->job || x->task != y->task || x->pe != y->pe ||
            x->start_us != y->start_us || x->finish_us != y->finish_us ||
            x->arrival_us != y->arrival_us)
            return 0;
    }
    return 1;
}

/* Run twice, check the schedule and the determinism.  Returns 0 when the
 * scheduler refused (SOC_ELIMIT) or has no such mode (SOC_EINVAL for
 * ":static"), 1 when it ran. */
static int check_run(const soc_config_t *cfg, const soc_sched_ops_t *ops, const char *arg,
                     const char *what, int64_t want_jobs)
{
    outcome_t a, b;
    run(cfg, ops, arg, &a);
    if ((a.rc == SOC_ELIMIT) || (arg != NULL && a.rc == SOC_EINVAL)) {
        ts_records_free(&a.rec);
        return 0;
    }
    ck_assert_msg(a.rc == SOC_OK, "%s%s%s on %s: %s", ops->name, arg ? ":" : "", arg ? arg : "",
                  what, a.err);
    char msg[1024];
    int bad = sc_check_schedule(cfg, a.rec.r, a.rec.n, SC_ALL, msg, sizeof msg);
    ck_assert_msg(bad == 0, "%s%s%s on %s: %d violations, first: %s", ops->name,
                  arg ? ":" : "", arg ? arg : "", what, bad, msg);
    ck_assert_msg(a.m.completed_jobs == want_jobs, "%s on %s: %lld of %lld jobs completed",
                  ops->name, what, (long long)a.m.completed_jobs, (long long)want_jobs);
    run(cfg, ops, arg, &b);
    ck_assert_int_eq(b.rc, SOC_OK);
    ck_assert_msg(same_records(&a.rec, &b.rec), "%s on %s: same seed, different schedule",
                  ops->name, what);
    ts_records_free(&a.rec);
    ts_records_free(&b.rec);
    return 1;
}

static const soc_sched_ops_t *nth(int i)
{
    const soc_sched_ops_t *const *l = soc_sched_list();
    return l[i];
}

static int registry_size(void)
{
    int n = 0;
    while (soc_sched_list()[n] != NULL)
        n++;
    return n;
}

/* ----------------------------------------------------------- the loops */

START_TEST(test_shapes)
{
    const soc_sched_ops_t *ops = nth(_i);
    if (sc_needs_argument(ops->name))
        return;
    for (int shared = 0; shared < 2; shared++)
        for (int s = 0; s < SHAPE_COUNT; s++) {
            soc_config_t *cfg = shape_cfg(s, shared);
            char what[64];
            snprintf(what, sizeof what, "shape %d%s", s, shared ? " (shared memory)" : "");
            ck_assert_msg(check_run(cfg, ops, NULL, what, 1), "%s refused %s", ops->name, what);
            check_run(cfg, ops, "static", what, 1);
            check_run(cfg, ops, "late", what, 1);
            ts_cfg_destroy(cfg);
        }
}
END_TEST

/* Larger random DAGs: may be refused with SOC_ELIMIT, nothing else. */
START_TEST(test_random_dags)
{
    const soc_sched_ops_t *ops = nth(_i);
    if (sc_needs_argument(ops->name))
        return;
    for (unsigned long seed = 1; seed <= 3; seed++) {
        soc_config_t *cfg = platform(0);
        dag_t d;
        random_dag(&d, 30 + 10 * (int)seed, 60 + 25 * (int)seed, seed);
        add_app(cfg, "big_dag", 1.0, &d);
        single_job(cfg);
        char what[64];
        snprintf(what, sizeof what, "random DAG, seed %lu", seed);
        check_run(cfg, ops, NULL, what, 1);
        check_run(cfg, ops, "static", what, 1);
        check_run(cfg, ops, "late", what, 1);
        ts_cfg_destroy(cfg);
    }
}
END_TEST

/* Jobs of three applications arriving as a Poisson process, overlapping. */
START_TEST(test_poisson_jobs)
{
    const soc_sched_ops_t *ops = nth(_i);
    if (sc_needs_argument(ops->name))
        return;
    for (int shared = 0; shared < 2; shared++) {
        soc_config_t *cfg = platform(shared);
        dag_t d;
        chain(&d, 5);
        add_app(cfg, "chain", 0.3, &d);
        fork_join(&d, 4);
        add_app(cfg, "fork", 0.3, &d);
        random_dag(&d, 10, 14, 5);
        add_app(cfg, "random", 0.4, &d);
        ts_cfg_poisson(cfg, 12.0, 30);
        cfg->seed = 42;
        ts_cfg_finalize(cfg);
        ck_assert_msg(check_run(cfg, ops, NULL, "Poisson jobs", 30), "%s refused a Poisson mix",
                      ops->name);
        check_run(cfg, ops, "static", "Poisson jobs", 30);
        check_run(cfg, ops, "late", "Poisson jobs", 30);
        ts_cfg_destroy(cfg);
    }
}
END_TEST

/* Another seed may change the arrivals, the run stays valid and
 * reproducible; a reset to the first seed replays the first run. */
START_TEST(test_reset_replays)
{
    const soc_sched_ops_t *ops = nth(_i);
    if (sc_needs_argument(ops->name))
        return;
    soc_config_t *cfg = platform(0);
    dag_t d;
    random_dag(&d, 8, 10, 9);
    add_app(cfg, "random", 0.5, &d);
    diamond(&d);
    add_app(cfg, "diamond", 0.5, &d);
    ts_cfg_poisson(cfg, 6.0, 15);
    cfg->seed = 3;
    ts_cfg_finalize(cfg);
    ts_records_t a = {0}, b = {0};
    soc_error_t err = {0};
    soc_sim_t *sim = NULL;
    soc_sim_options_t opt = {sizeof opt, ops, NULL, ts_records_add, &a, NULL, NULL};
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &opt, &err), SOC_OK);
    ck_assert_msg(soc_sim_run(sim, &err) == SOC_OK, "%s: %s", ops->name, err.msg);
    ck_assert_int_eq(soc_sim_reset(sim, 99, &err), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
    int n99 = a.n;
    ck_assert_int_eq(soc_sim_reset(sim, 3, &err), SOC_OK);
    a.n = 0;
    ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
    soc_sim_destroy(sim);
    opt.record_user = &b;
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &opt, &err), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
    soc_sim_destroy(sim);
    ck_assert_msg(n99 > 0, "%s: nothing ran", ops->name);
    ck_assert_msg(same_records(&a, &b), "%s: reset to the same seed does not replay",
                  ops->name);
    char msg[1024];
    ck_assert_msg(sc_check_schedule(cfg, a.r, a.n, SC_ALL, msg, sizeof msg) == 0, "%s: %s",
                  ops->name, msg);
    ts_records_free(&a);
    ts_records_free(&b);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Interconnect contention (communication.contention): every scheduler
 * runs on a bus with one channel and on a flow crossbar, both at the
 * slowest pair bandwidth (2), so that a transfer never beats the
 * contention-free time the checker assumes; the schedule stays valid and
 * reproducible, in PE-to-PE and shared-memory mode. */
START_TEST(test_contention)
{
    const soc_sched_ops_t *ops = nth(_i);
    if (sc_needs_argument(ops->name))
        return;
    for (int model = SOC_NET_BUS; model <= SOC_NET_FLOW; model++)
        for (int shared = 0; shared < 2; shared++) {
            soc_config_t *cfg = platform(shared);
            soc_contention_t *c = calloc(1, sizeof *c);
            ck_assert_ptr_nonnull(c);
            c->model = (soc_net_model_t)model;
            c->topology = SOC_TOPO_CROSSBAR;
            c->bandwidth = 2;
            c->channels = 1;
            cfg->platform.contention = c;
            dag_t d;
            fork_join(&d, 4);
            add_app(cfg, "fork", 0.5, &d);
            random_dag(&d, 10, 14, 5);
            add_app(cfg, "random", 0.5, &d);
            ts_cfg_poisson(cfg, 12.0, 20);
            cfg->seed = 7;
            ts_cfg_finalize(cfg);
            char what[64];
            snprintf(what, sizeof what, "%s contention%s", model == SOC_NET_BUS ? "bus" : "flow",
                     shared ? " (shared memory)" : "");
            ck_assert_msg(check_run(cfg, ops, NULL, what, 20), "%s refused %s", ops->name, what);
            check_run(cfg, ops, "static", what, 20);
            ts_cfg_destroy(cfg);
        }
}
END_TEST

/* The checker itself must catch what it claims to catch. */
START_TEST(test_checker_catches)
{
    soc_config_t *cfg = shape_cfg(SHAPE_DIAMOND, 0);
    outcome_t o;
    run(cfg, soc_sched_find("heft"), NULL, &o);
    ck_assert_int_eq(o.rc, SOC_OK);
    char msg[1024];
    ck_assert_int_eq(sc_check_schedule(cfg, o.rec.r, o.rec.n, SC_ALL, msg, sizeof msg), 0);
    soc_task_record_t *r = o.rec.r, saved;
    int last = -1;
    for (int i = 0; i < o.rec.n; i++)
        if (r[i].task == 3)
            last = i;
    ck_assert_int_ge(last, 0);
    saved = r[last];
    r[last].start_us -= 1;   /* before its inputs, and too long */
    ck_assert_int_gt(sc_check_schedule(cfg, r, o.rec.n, SC_ALL, msg, sizeof msg), 0);
    r[last] = saved;
    r[last].pe = 4;          /* acc cannot run t3 */
    ck_assert_int_gt(sc_check_schedule(cfg, r, o.rec.n, SC_ALL, msg, sizeof msg), 0);
    ck_assert_ptr_nonnull(strstr(msg, "cannot run"));
    r[last] = saved;
    ck_assert_int_gt(sc_check_schedule(cfg, r, o.rec.n - 1, SC_COMPLETE, msg, sizeof msg), 0);
    /* two tasks on one PE at once */
    for (int i = 0; i < o.rec.n; i++)
        if (i != last && r[i].pe != saved.pe) {
            soc_task_record_t s2 = r[i];
            r[i].pe = saved.pe;
            r[i].start_us = saved.start_us;
            r[i].finish_us = saved.start_us + (s2.finish_us - s2.start_us);
            ck_assert_int_gt(sc_check_schedule(cfg, r, o.rec.n, 0, msg, sizeof msg), 0);
            r[i] = s2;
            break;
        }
    ts_records_free(&o.rec);
    ts_cfg_destroy(cfg);
}
END_TEST

int main(void)
{
    int n = registry_size();
    Suite *s = suite_create("sched_contract");
    TCase *tc = tcase_create("contract");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_checker_catches);
    tcase_add_loop_test(tc, test_shapes, 0, n);
    tcase_add_loop_test(tc, test_random_dags, 0, n);
    tcase_add_loop_test(tc, test_poisson_jobs, 0, n);
    tcase_add_loop_test(tc, test_reset_replays, 0, n);
    tcase_add_loop_test(tc, test_contention, 0, n);
    suite_add_tcase(s, tc);
    return ts_run_suite(s);
}
