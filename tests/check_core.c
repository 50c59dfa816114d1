/*
 * check_core.c -- unit tests of the native engine (sim/): status codes,
 * config validation, event ordering, communication, PE key order, the step
 * interface, injection limits, warm-up, determinism, stalls, statistics.
 * Schedulers here are tiny inline ones so that the engine is tested alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

/* ------------------------------------------------- tiny test schedulers */

/* "first": every ready task to the lowest-index PE that can run it. */
static int first_schedule(void *st, soc_view_t *v)
{
    for (int i = 0; i < v->n_ready; i++)
        for (int pe = 0; pe < v->n_pes; pe++)
            if (v->api->exec_time(v, v->ready[i].type, pe) >= 0) {
                ck_assert_int_eq(v->api->assign(v, v->ready[i].ref, pe, SOC_APPEND), SOC_OK);
                break;
            }
    return SOC_OK;
}
static const soc_sched_ops_t first_ops = {SOC_SCHED_ABI_VERSION, sizeof(soc_sched_ops_t),
                                          "first", "test", 0, NULL, NULL, NULL,
                                          first_schedule, NULL};

/* "rnd": a random supporting PE from the simulation RNG. */
static int rnd_schedule(void *st, soc_view_t *v)
{
    for (int i = 0; i < v->n_ready; i++) {
        int pe;
        do {
            pe = (int)v->api->uniform_int(v, (uint64_t)v->n_pes);
        } while (v->api->exec_time(v, v->ready[i].type, pe) < 0);
        ck_assert_int_eq(v->api->assign(v, v->ready[i].ref, pe, SOC_APPEND), SOC_OK);
    }
    return SOC_OK;
}
static const soc_sched_ops_t rnd_ops = {SOC_SCHED_ABI_VERSION, sizeof(soc_sched_ops_t),
                                        "rnd", "test", 0, NULL, NULL, NULL,
                                        rnd_schedule, NULL};

static int lazy_schedule(void *st, soc_view_t *v) { return SOC_OK; }
static const soc_sched_ops_t lazy_ops = {SOC_SCHED_ABI_VERSION, sizeof(soc_sched_ops_t),
                                         "lazy", "never assigns", 0, NULL, NULL, NULL,
                                         lazy_schedule, NULL};

static soc_sim_t *make_sim(const soc_config_t *cfg, const soc_sched_ops_t *ops,
                           ts_records_t *rec)
{
    soc_sim_options_t o = {sizeof o, ops, NULL, rec ? ts_records_add : NULL, rec, NULL, NULL};
    soc_sim_t *sim = NULL;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_sim_create(&sim, cfg, &o, &err);
    ck_assert_msg(rc == SOC_OK, "create: %s", soc_error_format(&err, buf, sizeof buf));
    return sim;
}

static void run_ok(soc_sim_t *sim)
{
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_sim_run(sim, &err);
    ck_assert_msg(rc == SOC_OK, "run: %s", soc_error_format(&err, buf, sizeof buf));
}

static const soc_task_record_t *find_rec(const ts_records_t *r, uint64_t job, int task)
{
    for (int i = 0; i < r->n; i++)
        if (r->r[i].job == job && r->r[i].task == task)
            return &r->r[i];
    ck_abort_msg("no record for job %llu task %d", (unsigned long long)job, task);
    return NULL;
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_status_strings)
{
    ck_assert_str_eq(soc_strerror(SOC_OK), "success");
    for (int c = -1; c > -SOC__IDX_COUNT; c--) {
        ck_assert_str_ne(soc_strerror(c), "unknown error");
        ck_assert_str_ne(soc_status_name(c), "SOC_UNKNOWN");
    }
    ck_assert_str_eq(soc_strerror(-SOC__IDX_COUNT), "unknown error");
    ck_assert_str_eq(soc_status_name(SOC_EPARSE), "SOC_EPARSE");
    soc_error_t e = {0};
    char buf[256];
    soc_error_set(&e, SOC_EPARSE, "a.yaml", 3, 7, "bad %s", "thing");
    soc_error_set(&e, SOC_EIO, "b", 1, 1, "second error must not overwrite");
    ck_assert_str_eq(soc_error_format(&e, buf, sizeof buf), "a.yaml:3:7: bad thing");
}
END_TEST

START_TEST(test_time_conversion)
{
    ck_assert_int_eq(soc_time_from_us(1.0), 1000);
    ck_assert_int_eq(soc_time_from_us(0.0004), 0);
    ck_assert_int_eq(soc_time_from_us(0.0005), 1);
    ck_assert_int_eq(soc_time_from_us(123456.789), 123456789);
    ck_assert_int_eq(soc_time_from_us(-0.0005), -1);
    ck_assert_int_eq(soc_time_from_us(-0.0015), -2);
    ck_assert_int_eq(soc_time_from_us(NAN), 0);
    ck_assert_int_eq(soc_time_from_us(1e300), SOC_TIME_NEVER);
    /* the conversion rounds as llround (halves away from zero) without
     * calling it: against llround on halves, their neighbours, integers
     * and random values of every magnitude up to 2^62 ns, both signs */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 400000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double ns;
        int kind = i % 4, e = (int)(x % 63);
        double m = (double)(x >> 11) * 0x1.0p-53; /* [0, 1) */
        if (kind == 0)
            ns = ldexp(m, e);                            /* any value */
        else if (kind == 1)
            ns = floor(ldexp(m, e)) + 0.5;               /* a half */
        else if (kind == 2)
            ns = nextafter(floor(ldexp(m, e)) + 0.5, (x & 1) ? INFINITY : -INFINITY);
        else
            ns = floor(ldexp(m, e));                     /* an integer */
        if (x & 2)
            ns = -ns;
        double us = ns / 1000.0;
        double back = us * 1000.0; /* what the conversion rounds */
        ck_assert_msg(soc_time_from_us(us) == (soc_time_t)llround(back), "%.17g", us);
    }
}
END_TEST

/* Finalizing c must fail with `code` and, when msg != NULL, a message
 * containing msg; c is destroyed. */
static void expect_rejected(soc_config_t *c, int code, const char *msg)
{
    soc_error_t err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(soc_config_finalize(c, &err), code);
    if (msg != NULL)
        ck_assert_ptr_nonnull(strstr(err.msg, msg));
    ts_cfg_destroy(c);
}

START_TEST(test_finalize_rejects)
{
    static const double ex2[2] = {1, 1};
    static const double exu[2] = {1, -1};
    int types2[2] = {0, 0};
    int typesu[2] = {0, 1};
    static const double cyc[2][3] = {{0, 1, 0}, {1, 0, 0}};
    static const double one[1][3] = {{0, 1, 0}};
    static const double nan_e[1][3] = {{0, 1, NAN}};

    soc_config_t *c = ts_cfg_new(2); /* cycle */
    ts_cfg_cluster(c, "P", 1, ex2);
    ts_cfg_app(c, "a", 1.0, 2, types2, 2, cyc);
    ts_cfg_poisson(c, 10, 5);
    expect_rejected(c, SOC_ECYCLE, "cycle");

    c = ts_cfg_new(2); /* unsupported type */
    ts_cfg_cluster(c, "P", 1, exu);
    ts_cfg_app(c, "a", 1.0, 2, typesu, 1, one);
    ts_cfg_poisson(c, 10, 5);
    expect_rejected(c, SOC_ECONFIG, "no PE can run");

    c = ts_cfg_new(2); /* probabilities */
    ts_cfg_cluster(c, "P", 1, ex2);
    ts_cfg_app(c, "a", 0.5, 2, types2, 1, one);
    ts_cfg_app(c, "b", 0.4, 2, types2, 1, one);
    ts_cfg_poisson(c, 10, 5);
    expect_rejected(c, SOC_ECONFIG, "sum to");

    c = ts_cfg_new(2); /* NaN volume */
    ts_cfg_cluster(c, "P", 1, ex2);
    ts_cfg_app(c, "a", 1.0, 2, types2, 1, nan_e);
    ts_cfg_poisson(c, 10, 5);
    expect_rejected(c, SOC_ECONFIG, NULL);

    c = ts_cfg_new(2); /* disconnected DAG: refused in DS3 semantics only */
    ts_cfg_cluster(c, "P", 1, ex2);
    ts_cfg_app(c, "a", 1.0, 2, types2, 0, NULL);
    ts_cfg_poisson(c, 10, 5);
    c->semantics = SOC_SEM_DS3;
    expect_rejected(c, SOC_ECONFIG, "not connected");

    c = ts_cfg_new(2); /* open process without a limit */
    ts_cfg_cluster(c, "P", 1, ex2);
    ts_cfg_app(c, "a", 1.0, 2, types2, 1, one);
    ts_cfg_poisson(c, 10, 0);
    expect_rejected(c, SOC_ECONFIG, NULL);

    c = ts_cfg_new(2); /* negative inter-arrival */
    ts_cfg_cluster(c, "P", 1, ex2);
    ts_cfg_app(c, "a", 1.0, 2, types2, 1, one);
    ts_cfg_poisson(c, -3, 5);
    expect_rejected(c, SOC_ECONFIG, NULL);
}
END_TEST

/* A chain a -> b with volume 10 on two single-PE clusters, bandwidth 2:
 * on different PEs b waits 5 us for its data, on the same PE none. */
START_TEST(test_comm_delay_and_same_pe)
{
    static const double ex[2] = {3, 4};
    static const double e[1][3] = {{0, 1, 10}};
    int types[2] = {0, 1};
    for (int same = 0; same < 2; same++) {
        soc_config_t *c = ts_cfg_new(2);
        ts_cfg_cluster(c, "A", 1, ex);
        ts_cfg_cluster(c, "B", 1, ex);
        c->platform.bw_default = 2;
        ts_cfg_app(c, "chain", 1.0, 2, types, 1, e);
        double t0 = 0;
        ts_cfg_trace(c, 1, &t0);
        ts_cfg_finalize(c);
        ts_records_t rec = {0};
        soc_sim_t *sim = make_sim(c, NULL, &rec);
        soc_view_t *v;
        soc_error_t err = {0};
        ck_assert_int_eq(soc_sim_next_decision(sim, &v, &err), 1);
        ck_assert_int_eq(v->n_ready, 1);
        ck_assert_int_eq(soc_sim_assign(sim, v->ready[0].ref, 0, SOC_APPEND), SOC_OK);
        /* b is not ready yet but may be planned now (static planning) */
        soc_task_ref_t b = {v->ready[0].ref.job, 1};
        ck_assert_int_eq(soc_sim_assign(sim, b, same ? 0 : 1, SOC_APPEND), SOC_OK);
        ck_assert_int_eq(soc_sim_assign(sim, b, 0, SOC_APPEND), SOC_ESCHED); /* twice */
        ck_assert_int_eq(soc_sim_next_decision(sim, &v, &err), 0);
        ck_assert_int_eq(rec.n, 2);
        const soc_task_record_t *rb = find_rec(&rec, 0, 1);
        ck_assert(rb->start_us == (same ? 3.0 : 8.0));
        ck_assert(rb->finish_us == (same ? 7.0 : 12.0));
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        ck_assert_int_eq(m.completed_jobs, 1);
        ck_assert(m.makespan_us == (same ? 7.0 : 12.0));
        ck_assert(m.avg_latency_us == m.makespan_us);
        soc_sim_destroy(sim);
        ts_records_free(&rec);
        ts_cfg_destroy(c);
    }
}
END_TEST

/* Independent tasks on one PE run in key order, not assignment order;
 * an unsupported PE is refused. */
START_TEST(test_key_order_and_refusal)
{
    static const double ex[3] = {5, 5, 5};
    static const double exb[3] = {-1, 1, 1};
    static const double e[2][3] = {{0, 1, 0}, {0, 2, 0}};
    int types[3] = {0, 1, 2};
    soc_config_t *c = ts_cfg_new(3);
    ts_cfg_cluster(c, "A", 1, ex);
    ts_cfg_cluster(c, "B", 1, exb);
    ts_cfg_app(c, "fork", 1.0, 3, types, 2, e);
    double t0 = 0;
    ts_cfg_trace(c, 1, &t0);
    ts_cfg_finalize(c);
    ts_records_t rec = {0};
    soc_sim_t *sim = make_sim(c, NULL, &rec);
    soc_view_t *v;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sim_next_decision(sim, &v, &err), 1);
    soc_task_ref_t r0 = v->ready[0].ref, r1 = {r0.job, 1}, r2 = {r0.job, 2};
    ck_assert_int_eq(soc_sim_assign(sim, r0, 1, SOC_APPEND), SOC_ESCHED); /* B cannot run t0 */
    ck_assert_int_eq(soc_sim_assign(sim, r0, 7, SOC_APPEND), SOC_ESCHED); /* no such PE */
    ck_assert_int_eq(soc_sim_assign(sim, r0, 0, 0), SOC_OK);
    ck_assert_int_eq(soc_sim_assign(sim, r1, 0, 20000), SOC_OK); /* key 20 us */
    ck_assert_int_eq(soc_sim_assign(sim, r2, 0, 10000), SOC_OK); /* key 10 us */
    ck_assert_int_eq(v->pes[0].n_slots, 3);
    ck_assert_int_eq(soc_sim_next_decision(sim, &v, &err), 0);
    ck_assert(find_rec(&rec, 0, 2)->start_us == 5.0);
    ck_assert(find_rec(&rec, 0, 1)->start_us == 10.0);
    soc_sim_destroy(sim);
    ts_records_free(&rec);
    ts_cfg_destroy(c);
}
END_TEST

/* Several ready tasks at one instant: consecutive decisions at the same
 * time until pass(); then time advances. */
START_TEST(test_step_interface)
{
    static const double ex[4] = {2, 2, 2, 2};
    static const double e[3][3] = {{0, 1, 0}, {0, 2, 0}, {0, 3, 0}};
    int types[4] = {0, 1, 2, 3};
    soc_config_t *c = ts_cfg_new(4);
    ts_cfg_cluster(c, "A", 3, ex);
    ts_cfg_app(c, "fork", 1.0, 4, types, 3, e);
    double t0 = 5;
    ts_cfg_trace(c, 1, &t0);
    ts_cfg_finalize(c);
    soc_sim_t *sim = make_sim(c, NULL, NULL);
    soc_view_t *v;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sim_next_decision(sim, &v, &err), 1);
    ck_assert(soc_sim_now_us(sim) == 5.0);
    ck_assert_int_eq(soc_sim_assign(sim, v->ready[0].ref, 0, SOC_APPEND), SOC_OK);
    ck_assert_int_eq(soc_sim_next_decision(sim, &v, &err), 1);
    ck_assert(soc_sim_now_us(sim) == 7.0);
    ck_assert_int_eq(v->n_ready, 3);
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(soc_sim_assign(sim, v->ready[0].ref, k, SOC_APPEND), SOC_OK);
        int more = soc_sim_next_decision(sim, &v, &err);
        if (k < 2) {
            ck_assert_int_eq(more, 1);
            ck_assert(soc_sim_now_us(sim) == 7.0); /* same instant */
            ck_assert_int_eq(v->n_ready, 2 - k);
        } else {
            ck_assert_int_eq(more, 0);
        }
    }
    ck_assert(soc_sim_now_us(sim) == 9.0);
    ck_assert(soc_sim_done(sim));
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    ck_assert(m.avg_latency_us == 4.0);
    soc_sim_destroy(sim);
    ts_cfg_destroy(c);
}
END_TEST

/* One PE, one application of a single task of exec_us, released every
 * 10 us for n_jobs jobs; finalized. */
static soc_config_t *single_task_config(double exec_us, int n_jobs)
{
    const double ex[1] = {exec_us};
    int types[1] = {0};
    soc_config_t *c = ts_cfg_new(1);
    ts_cfg_cluster(c, "A", 1, ex);
    ts_cfg_app(c, "one", 1.0, 1, types, 0, NULL);
    ts_cfg_periodic(c, 10, n_jobs);
    ts_cfg_finalize(c);
    return c;
}

START_TEST(test_stall_is_reported)
{
    soc_config_t *c = single_task_config(1, 3);
    soc_sim_t *sim = make_sim(c, &lazy_ops, NULL);
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sim_run(sim, &err), SOC_ESTALL);
    ck_assert_ptr_nonnull(strstr(err.msg, "lazy"));
    soc_sim_destroy(sim);
    ts_cfg_destroy(c);
}
END_TEST

static soc_config_t *mix_config(void)
{
    static const double exa[3] = {10, 20, 5};
    static const double exb[3] = {15, -1, 8};
    static const double e1[2][3] = {{0, 1, 4}, {1, 2, 4}};
    static const double e2[2][3] = {{0, 1, 100}, {0, 2, 0}};
    int ta[3] = {0, 1, 2}, tb[3] = {2, 0, 0};
    soc_config_t *c = ts_cfg_new(3);
    ts_cfg_cluster(c, "big", 2, exa);
    ts_cfg_cluster(c, "acc", 2, exb);
    c->platform.bw_default = 8;
    ts_cfg_app(c, "chain", 0.7, 3, ta, 2, e1);
    ts_cfg_app(c, "fork", 0.3, 3, tb, 2, e2);
    ts_cfg_poisson(c, 12, 400);
    return c;
}

START_TEST(test_determinism)
{
    soc_config_t *c = mix_config();
    ts_cfg_finalize(c);
    ts_records_t a = {0}, b = {0}, d = {0};
    soc_sim_t *s1 = make_sim(c, &rnd_ops, &a);
    run_ok(s1);
    soc_sim_t *s2 = make_sim(c, &rnd_ops, &b);
    run_ok(s2);
    ck_assert_int_eq(a.n, b.n);
    ck_assert_int_eq(a.n, 3 * 400);
    ck_assert(memcmp(a.r, b.r, sizeof *a.r * (size_t)a.n) == 0);
    soc_metrics_t m1, m2;
    soc_sim_metrics(s1, &m1);
    soc_sim_metrics(s2, &m2);
    ck_assert(m1.avg_latency_us == m2.avg_latency_us);
    ck_assert(m1.p99_latency_us == m2.p99_latency_us);
    /* another seed: another run (arrivals and the scheduler's draws) */
    c->seed = 2;
    soc_sim_t *s3 = make_sim(c, &rnd_ops, &d);
    run_ok(s3);
    ck_assert_int_eq(d.n, a.n);
    ck_assert(memcmp(a.r, d.r, sizeof *a.r * (size_t)a.n) != 0);
    /* reset to seed 1 replays the first run exactly */
    soc_error_t err = {0};
    ts_records_free(&b);
    ck_assert_int_eq(soc_sim_reset(s2, 1, &err), SOC_OK);
    run_ok(s2);
    ck_assert_int_eq(b.n, a.n);
    ck_assert(memcmp(a.r, b.r, sizeof *a.r * (size_t)a.n) == 0);
    soc_sim_destroy(s1);
    soc_sim_destroy(s2);
    soc_sim_destroy(s3);
    ts_records_free(&a);
    ts_records_free(&b);
    ts_records_free(&d);
    ts_cfg_destroy(c);
}
END_TEST

/* Schedule invariants for any run of mix_config: precedence with
 * communication, one task per PE at a time, supported PEs only. */
static void check_invariants(const soc_config_t *c, const ts_records_t *r)
{
    for (int i = 0; i < r->n; i++) {
        const soc_task_record_t *x = &r->r[i];
        double ex = soc_platform_exec_us(&c->platform, x->type, x->pe);
        ck_assert(ex >= 0);
        ck_assert(fabs(x->finish_us - x->start_us - ex) < 1e-9);
        ck_assert(x->start_us >= x->arrival_us);
        const soc_app_t *a = &c->apps[x->app];
        for (int k = a->pred_off[x->task]; k < a->pred_off[x->task + 1]; k++) {
            const soc_edge_t *e = &a->edges[a->pred_edge[k]];
            const soc_task_record_t *p = find_rec(r, x->job, e->src);
            double comm = p->pe == x->pe ? 0 : e->volume / c->platform.bw_default;
            ck_assert_msg(x->start_us + 1e-9 >= p->finish_us + comm,
                          "job %llu task %d starts before its input arrives",
                          (unsigned long long)x->job, x->task);
        }
        for (int j = i + 1; j < r->n; j++) {
            const soc_task_record_t *y = &r->r[j];
            if (y->pe == x->pe)
                ck_assert(y->start_us >= x->finish_us || x->start_us >= y->finish_us);
        }
    }
}

START_TEST(test_invariants_random_scheduler)
{
    soc_config_t *c = mix_config();
    c->injection.max_jobs = 150;
    ts_cfg_finalize(c);
    ts_records_t a = {0};
    soc_sim_t *s = make_sim(c, &rnd_ops, &a);
    run_ok(s);
    ck_assert_int_eq(a.n, 3 * 150);
    check_invariants(c, &a);
    soc_sim_destroy(s);
    ts_records_free(&a);
    ts_cfg_destroy(c);
}
END_TEST

/* max_in_flight caps the jobs in the system; warm-up jobs are not counted. */
static int max_seen;
static int cap_schedule(void *st, soc_view_t *v)
{
    if (v->jobs_in_system > max_seen)
        max_seen = v->jobs_in_system;
    return first_schedule(st, v);
}
static const soc_sched_ops_t cap_ops = {SOC_SCHED_ABI_VERSION, sizeof(soc_sched_ops_t),
                                        "cap", "test", 0, NULL, NULL, NULL,
                                        cap_schedule, NULL};

START_TEST(test_in_flight_cap_and_warmup)
{
    soc_config_t *c = mix_config();
    c->injection.mean_us = 1; /* heavy overload */
    c->injection.max_in_flight = 3;
    c->injection.max_jobs = 50;
    c->injection.warmup_us = 100;
    ts_cfg_finalize(c);
    ts_records_t a = {0};
    max_seen = 0;
    soc_sim_t *s = make_sim(c, &cap_ops, &a);
    run_ok(s);
    ck_assert_int_le(max_seen, 3);
    ck_assert_int_eq(max_seen, 3);
    soc_metrics_t m;
    soc_sim_metrics(s, &m);
    ck_assert_int_eq(m.completed_jobs, 50);
    ck_assert_int_eq(m.injected_jobs, 50);
    /* jobs injected before t = 100 us ran but are not measured */
    int before = 0;
    for (int i = 0; i < a.n; i++)
        before += a.r[i].arrival_us < 100;
    ck_assert_int_gt(before, 0);
    ck_assert_int_ge(m.tasks_completed, 3 * 50 + before);
    ck_assert(m.avg_concurrent_jobs > 1 && m.avg_concurrent_jobs <= 3);
    check_invariants(c, &a);
    soc_sim_destroy(s);
    ts_records_free(&a);
    ts_cfg_destroy(c);
}
END_TEST

/* Past SOC_LATENCY_EXACT_MAX jobs the quantiles come from the histogram:
 * with a periodic workload on an idle PE every latency is exactly 7 us. */
START_TEST(test_many_jobs_quantiles)
{
    soc_config_t *c = single_task_config(7, SOC_LATENCY_EXACT_MAX + 1000);
    soc_sim_t *s = make_sim(c, &first_ops, NULL);
    run_ok(s);
    soc_metrics_t m;
    soc_sim_metrics(s, &m);
    ck_assert_int_eq(m.completed_jobs, SOC_LATENCY_EXACT_MAX + 1000);
    ck_assert(fabs(m.p50_latency_us - 7) / 7 < 1e-4);
    ck_assert(fabs(m.p99_latency_us - 7) / 7 < 1e-4);
    ck_assert(m.avg_latency_us == 7.0);
    ck_assert(fabs(m.pe_utilization[0] - 0.7) < 1e-3);
    soc_sim_destroy(s);
    ts_cfg_destroy(c);
}
END_TEST

START_TEST(test_time_limit)
{
    soc_config_t *c = mix_config();
    c->injection.max_jobs = 0;
    c->injection.sim_time_us = 500;
    ts_cfg_finalize(c);
    ts_records_t a = {0};
    soc_sim_t *s = make_sim(c, &first_ops, &a);
    run_ok(s);
    ck_assert(soc_sim_now_us(s) == 500.0);
    for (int i = 0; i < a.n; i++)
        ck_assert(a.r[i].finish_us < 500.0);
    soc_sim_destroy(s);
    ts_records_free(&a);
    ts_cfg_destroy(c);
}
END_TEST

START_TEST(test_critical_path_bound)
{
    soc_config_t *c = ts_cfg_topcuoglu();
    ts_cfg_finalize(c);
    /* min w over P1..P3 along n1 n2 n9 n10 etc.: published bound 41 */
    ck_assert(soc_app_critical_path_us(&c->platform, &c->apps[0]) == 41.0);
    ts_cfg_destroy(c);
}
END_TEST

/* "spread": ready task i on PE i (mod the PE count). */
static int spread_schedule(void *st, soc_view_t *v)
{
    for (int i = 0; i < v->n_ready; i++)
        ck_assert_int_eq(v->api->assign(v, v->ready[i].ref, i % v->n_pes, SOC_APPEND), SOC_OK);
    return SOC_OK;
}
static const soc_sched_ops_t spread_ops = {SOC_SCHED_ABI_VERSION, sizeof(soc_sched_ops_t),
                                           "spread", "test", 0, NULL, NULL, NULL,
                                           spread_schedule, NULL};

/* A job of two independent tasks (a disconnected DAG) runs natively: both
 * are ready at its arrival, start at once on two PEs, and the job ends
 * with the longer one. */
START_TEST(test_disconnected_job_runs)
{
    soc_config_t *c = ts_cfg_new(2);
    const double ex[2] = {10, 25};
    ts_cfg_cluster(c, "P", 2, ex);
    const int types[2] = {0, 1};
    ts_cfg_app(c, "a", 1.0, 2, types, 0, NULL);
    const double t0[1] = {0};
    ts_cfg_trace(c, 1, t0);
    ts_cfg_finalize(c);
    ts_records_t rec = {0};
    soc_sim_t *sim = make_sim(c, &spread_ops, &rec);
    run_ok(sim);
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    ck_assert_int_eq(m.completed_jobs, 1);
    ck_assert_int_eq(m.tasks_completed, 2);
    ck_assert_double_eq(m.avg_latency_us, 25);
    ck_assert_int_eq(rec.n, 2);
    ck_assert(rec.r[0].start_us == 0 && rec.r[1].start_us == 0);
    soc_sim_destroy(sim);
    ts_records_free(&rec);
    ts_cfg_destroy(c);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("engine");
    tcase_add_test(tc, test_status_strings);
    tcase_add_test(tc, test_time_conversion);
    tcase_add_test(tc, test_finalize_rejects);
    tcase_add_test(tc, test_comm_delay_and_same_pe);
    tcase_add_test(tc, test_key_order_and_refusal);
    tcase_add_test(tc, test_step_interface);
    tcase_add_test(tc, test_stall_is_reported);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_invariants_random_scheduler);
    tcase_add_test(tc, test_in_flight_cap_and_warmup);
    tcase_add_test(tc, test_many_jobs_quantiles);
    tcase_add_test(tc, test_time_limit);
    tcase_add_test(tc, test_critical_path_bound);
    tcase_add_test(tc, test_disconnected_job_runs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    soc_library_init();
    return ts_run_suite(core_suite());
}
