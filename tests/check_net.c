/*
 * check_net.c -- the interconnect contention model (sim/net.c,
 * docs/semantics.md "Contention"):
 *  - closed forms of max-min sharing (n equal flows on one link, a flow
 *    crossing two bottlenecks, staggered starts, latency, XY routes on a
 *    mesh, the memory controller) and of the FIFO bus, through
 *    soc_net_run_flows;
 *  - the engine: `contention: none` is the model without contention, bit
 *    for bit; a bus with enough channels gives the contention-free schedule
 *    exactly; comm_time_now sees the queue; determinism;
 *  - queueing theory: the bus as an M/D/1 queue (Pollaczek-Khinchine) and
 *    a one-link flow network as M/D/1 processor sharing (S / (1 - rho)),
 *    over seeds, within the 95% confidence interval of the mean;
 *  - the YAML block: errors with positions, write/load round trip.
 * Every expected number is a closed form or an independent computation.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/metrics.h"
#include "soc/net.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "test_support.h"

/* ---------------------------------------------------------------- helpers */

/* A platform of clusters "P<i>" (count[i] PEs each, one task type "t"),
 * with the communication block `comm` (indented by 4) -- as a config. */
static soc_config_t *load_text(const char *text)
{
    soc_config_t *cfg = malloc(sizeof *cfg);
    ck_assert_ptr_nonnull(cfg);
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_load_yaml_string(cfg, text, "test.yaml", NULL, &err);
    ck_assert_msg(rc == SOC_OK, "load: %s\n%s", soc_error_format(&err, buf, sizeof buf), text);
    return cfg;
}

static void free_cfg(soc_config_t *cfg)
{
    soc_config_free(cfg);
    free(cfg);
}

/* clusters: "NAME:COUNT[:PORTBW]" list; contention: the block's body. */
static char *platform_yaml(const char *clusters, const char *comm, const char *contention)
{
    static char text[8192];
    char cl[4096] = "";
    size_t used = 0;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", clusters);
    for (char *save = NULL, *tok = strtok_r(tmp, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        char name[64];
        int count = 1;
        if (sscanf(tok, "%63[^:]:%d", name, &count) < 1)
            ck_abort_msg("bad cluster spec %s", tok);
        used += (size_t)snprintf(cl + used, sizeof cl - used,
                                 "    - {name: %s, count: %d, exec_us: {t: 1}}\n", name, count);
    }
    snprintf(text, sizeof text,
             "seed: 1\nscheduler: eft\nplatform:\n  clusters:\n%s"
             "  communication:\n%s    contention:\n%s"
             "applications:\n  - {name: a, tasks: [t]}\n"
             "injection: {arrival: periodic, period_us: 10}\nstop: {jobs: 1}\n",
             cl, comm, contention);
    return text;
}

static void run_flows(const soc_config_t *cfg, soc_flow_t *f, int n)
{
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_net_run_flows(&cfg->platform, f, n, &err);
    ck_assert_msg(rc == SOC_OK, "flows: %s", soc_error_format(&err, buf, sizeof buf));
}

#define ck_near(x, y)                                                                     \
    do {                                                                                  \
        double x_ = (x), y_ = (y);                                                        \
        ck_assert_msg(fabs(x_ - y_) <= 1e-9 * fmax(1.0, fabs(y_)), "%s = %.17g, expected %.17g", \
                      #x, x_, y_);                                                        \
    } while (0)

/* ------------------------------------------------------ flow closed forms */

START_TEST(test_equal_flows_one_link)
{
    /* n equal flows started together on one link of bandwidth B each end
     * at n V / B */
    soc_config_t *cfg = load_text(platform_yaml("P:6", "    bandwidth_default: 1\n",
                                                "      {model: flow, topology: shared_bus, "
                                                "bandwidth: 4}\n"));
    for (int n = 1; n <= 5; n++) {
        soc_flow_t f[5];
        for (int i = 0; i < n; i++)
            f[i] = (soc_flow_t){i, 5, 100, 0, -1};
        run_flows(cfg, f, n);
        for (int i = 0; i < n; i++)
            ck_near(f[i].finish_us, n * 100.0 / 4);
    }
    free_cfg(cfg);
}
END_TEST

START_TEST(test_staggered)
{
    /* A (V=100) at 0 alone at 4 until B starts at 10 (A has 60 left); both
     * at 2: A ends at 40, B has 40 left, alone at 4: ends at 50 */
    soc_config_t *cfg = load_text(platform_yaml(
        "P:3", "    bandwidth_default: 4\n", "      {model: flow, topology: shared_bus}\n"));
    soc_flow_t f[2] = {{0, 1, 100, 0, -1}, {1, 2, 100, 10, -1}};
    run_flows(cfg, f, 2);
    ck_near(f[0].finish_us, 40);
    ck_near(f[1].finish_us, 50);
    free_cfg(cfg);
}
END_TEST

START_TEST(test_two_bottlenecks)
{
    /* crossbar.  X: s -> t and Y: s -> u share s's out port (10); X, Z1, Z2
     * share t's in port (6), fair share 2 there.  X gets min(5, 2) = 2 and
     * leaves 8 on s's out port to Y.  V = 24: X, Z1, Z2 end at 12, Y at 3
     * (and X keeps rate 2 after Y ends: t's port still binds). */
    soc_config_t *cfg = load_text(platform_yaml(
        "S:1 T:1 U:1 V:2", "    bandwidth_default: 1\n",
        "      model: flow\n      topology: crossbar\n      bandwidth: 10\n"
        "      port_bandwidth: {T: 6}\n"));
    soc_flow_t f[4] = {{0, 1, 24, 0, -1}, {0, 2, 24, 0, -1}, {3, 1, 24, 0, -1}, {4, 1, 24, 0, -1}};
    run_flows(cfg, f, 4);
    ck_near(f[0].finish_us, 12);
    ck_near(f[1].finish_us, 3);
    ck_near(f[2].finish_us, 12);
    ck_near(f[3].finish_us, 12);
    free_cfg(cfg);
}
END_TEST

START_TEST(test_latency)
{
    /* latency first, then the data: 3 + 100 / 4; the latency phase takes
     * no bandwidth from a flow already running */
    soc_config_t *cfg = load_text(platform_yaml(
        "P:4", "    bandwidth_default: 4\n    latency_us: 3\n",
        "      {model: flow, topology: shared_bus}\n"));
    soc_flow_t f[2] = {{0, 1, 100, 0, -1}, {2, 3, 40, 20, -1}};
    /* A: 3 .. 28 alone; B requested at 20, on the link from 23: A has
     * 100 - 4 * 20 = 20 left at 23, then both at 2: A ends at 33, B has
     * 40 - 20 = 20 left, alone: 38 */
    run_flows(cfg, f, 2);
    ck_near(f[0].finish_us, 33);
    ck_near(f[1].finish_us, 38);
    free_cfg(cfg);
}
END_TEST

static const char *MESH3 =
    "      model: flow\n      topology: mesh\n      cols: 3\n      rows: 3\n"
    "      bandwidth: 8\n      port_bandwidth: {P: 1000}\n      hop_latency_us: 0.5\n"
    "      at:\n        P: [[0, 0], [2, 1], [1, 0], [2, 2], [0, 2], [1, 1]]\n";

START_TEST(test_mesh_xy)
{
    soc_config_t *cfg = load_text(platform_yaml("P:6", "    bandwidth_default: 1\n", MESH3));
    char buf[512];
    soc_error_t err = {0};
    /* (0,0) -> (2,1): X first, then Y */
    ck_assert_int_eq(soc_net_route(&cfg->platform, 0, 1, buf, sizeof buf, &err), SOC_OK);
    ck_assert_str_eq(buf, "P.0.out (0,0)>(1,0) (1,0)>(2,0) (2,0)>(2,1) P.1.in");
    /* (2,2) -> (0,2): west twice */
    ck_assert_int_eq(soc_net_route(&cfg->platform, 3, 4, buf, sizeof buf, &err), SOC_OK);
    ck_assert_str_eq(buf, "P.3.out (2,2)>(1,2) (1,2)>(0,2) P.4.in");
    /* A: (0,0) -> (2,1) and B: (1,0) -> (2,2) share (1,0)>(2,0): 4 each;
     * C: (1,1) -> (0,2) is disjoint: 8.  V = 80, latency 0.5 per hop:
     * A 3 hops: 1.5 + 20; B 3 hops: 1.5 + 20; C 2 hops: 1 + 10 */
    soc_flow_t f[3] = {{0, 1, 80, 0, -1}, {2, 3, 80, 0, -1}, {5, 4, 80, 0, -1}};
    run_flows(cfg, f, 3);
    ck_near(f[0].finish_us, 21.5);
    ck_near(f[1].finish_us, 21.5);
    ck_near(f[2].finish_us, 11);
    free_cfg(cfg);
}
END_TEST

START_TEST(test_memory_controller)
{
    /* shared memory, crossbar with fast ports, controller M = 5: two
     * transfers write together (M/2 each) until 2V/M, then read together
     * until 4V/M */
    soc_config_t *cfg = load_text(
        "seed: 1\nplatform:\n  clusters:\n"
        "    - {name: P, count: 4, exec_us: {t: 1}}\n    - {name: MEM, memory: true}\n"
        "  communication:\n    mode: shared_memory\n    bandwidth_default: 1000\n"
        "    contention: {model: flow, topology: crossbar, memory_bandwidth: 5}\n"
        "applications:\n  - {name: a, tasks: [t]}\n"
        "injection: {arrival: periodic, period_us: 10}\nstop: {jobs: 1}\n");
    soc_flow_t f[2] = {{0, 1, 50, 0, -1}, {2, 3, 50, 0, -1}};
    run_flows(cfg, f, 2);
    ck_near(f[0].finish_us, 40);
    ck_near(f[1].finish_us, 40);
    char buf[256];
    soc_error_t err = {0};
    ck_assert_int_eq(soc_net_route(&cfg->platform, 0, 1, buf, sizeof buf, &err), SOC_OK);
    ck_assert_str_eq(buf, "P.0.out MEM.0.in memory | memory MEM.0.out P.1.in");
    free_cfg(cfg);
}
END_TEST

/* --------------------------------------------------------------- the bus */

START_TEST(test_bus_fifo)
{
    /* service S = latency + V / B = 1 + 100 / 10 = 11 µs, FIFO in request
     * order (ties: array order) */
    for (int k = 1; k <= 2; k++) {
        char body[128];
        snprintf(body, sizeof body, "      {model: bus, bandwidth: 10, channels: %d}\n", k);
        soc_config_t *cfg = load_text(platform_yaml("P:4", "    latency_us: 1\n", body));
        soc_flow_t f[4] = {{0, 1, 100, 0, -1}, {1, 2, 100, 0, -1}, {2, 3, 100, 0, -1},
                           {3, 0, 100, 30, -1}};
        run_flows(cfg, f, 4);
        if (k == 1) { /* 11, 22, 33; the fourth waits for the third */
            ck_near(f[0].finish_us, 11);
            ck_near(f[1].finish_us, 22);
            ck_near(f[2].finish_us, 33);
            ck_near(f[3].finish_us, 44);
        } else { /* 11, 11, 22; the fourth starts at 30 on the free channel */
            ck_near(f[0].finish_us, 11);
            ck_near(f[1].finish_us, 11);
            ck_near(f[2].finish_us, 22);
            ck_near(f[3].finish_us, 41);
        }
        free_cfg(cfg);
    }
}
END_TEST

START_TEST(test_bus_shared_memory)
{
    /* two phases: write (latency + V/B), then read (V/B), queued again */
    soc_config_t *cfg = load_text(
        "seed: 1\nplatform:\n  clusters:\n"
        "    - {name: P, count: 4, exec_us: {t: 1}}\n    - {name: MEM, memory: true}\n"
        "  communication:\n    mode: shared_memory\n    latency_us: 2\n"
        "    contention: {model: bus, bandwidth: 10}\n"
        "applications:\n  - {name: a, tasks: [t]}\n"
        "injection: {arrival: periodic, period_us: 10}\nstop: {jobs: 1}\n");
    /* A write 0..12, B write 12..24 (queued), A read 24..34 (requested at
     * 12, behind B's write), B read 34..44 */
    soc_flow_t f[2] = {{0, 1, 100, 0, -1}, {2, 3, 100, 0, -1}};
    run_flows(cfg, f, 2);
    ck_near(f[0].finish_us, 34);
    ck_near(f[1].finish_us, 44);
    free_cfg(cfg);
}
END_TEST

/* ------------------------------------------------------------ the engine */

static soc_sim_t *sim_of(const soc_config_t *cfg, const char *sched, ts_records_t *rec)
{
    const soc_sched_ops_t *ops = soc_sched_find(sched);
    ck_assert_ptr_nonnull(ops);
    soc_sim_options_t o = {sizeof o, ops, NULL, rec ? ts_records_add : NULL, rec, NULL, NULL};
    soc_sim_t *sim = NULL;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_sim_create(&sim, cfg, &o, &err);
    ck_assert_msg(rc == SOC_OK, "create: %s", soc_error_format(&err, buf, sizeof buf));
    rc = soc_sim_run(sim, &err);
    ck_assert_msg(rc == SOC_OK, "run: %s", soc_error_format(&err, buf, sizeof buf));
    return sim;
}

static char *json_of(const soc_config_t *cfg, const char *sched)
{
    soc_sim_t *sim = sim_of(cfg, sched, NULL);
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    char *j = soc_metrics_json(&m, NULL);
    soc_sim_destroy(sim);
    return j;
}

/* A small heterogeneous SoC with DAGs of real volumes. */
static const char *SOC_HEAD =
    "seed: 3\nplatform:\n  clusters:\n"
    "    - {name: big, count: 2, exec_us: {a: 10, b: 14, c: 9, d: 12}}\n"
    "    - {name: lit, count: 3, exec_us: {a: 25, b: 30, c: 20, d: 28}}\n"
    "    - {name: acc, count: 1, exec_us: {b: 4, c: 3}}\n"
    "  communication:\n    bandwidth_default: 20\n    latency_us: 0.7\n";
static const char *SOC_TAIL =
    "applications:\n"
    "  - {name: fork, tasks: [a, b, c, d], edges: [[a, b, 300], [a, c, 170], [b, d, 90], "
    "[c, d, 233]]}\n"
    "  - {name: chain, tasks: [a, c, b], edges: [[a, c, 411], [c, b, 57]]}\n"
    "injection: {arrival: poisson, mean_interarrival_us: 30}\nstop: {jobs: 400}\n";

static soc_config_t *soc_with(const char *contention)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s%s", SOC_HEAD, contention, SOC_TAIL);
    return load_text(text);
}

START_TEST(test_none_is_contention_free)
{
    soc_config_t *a = soc_with("");
    soc_config_t *b = soc_with("    contention: none\n");
    soc_config_t *c = soc_with("    contention: {model: none, topology: mesh, cols: 2, rows: 2}\n");
    const char *scheds[] = {"heft", "etf", "met"};
    for (int i = 0; i < 3; i++) {
        char *ja = json_of(a, scheds[i]), *jb = json_of(b, scheds[i]), *jc = json_of(c, scheds[i]);
        ck_assert_str_eq(ja, jb);
        ck_assert_str_eq(ja, jc);
        ck_assert_ptr_null(strstr(ja, "\"link_utilization\":{"));
        ck_assert_ptr_nonnull(strstr(ja, "\"transfers\":null"));
        free(ja);
        free(jb);
        free(jc);
    }
    free_cfg(a);
    free_cfg(b);
    free_cfg(c);
}
END_TEST

static int records_equal(const ts_records_t *x, const ts_records_t *y)
{
    if (x->n != y->n)
        return 0;
    for (int i = 0; i < x->n; i++)
        if (x->r[i].job != y->r[i].job || x->r[i].task != y->r[i].task ||
            x->r[i].pe != y->r[i].pe || x->r[i].start_us != y->r[i].start_us ||
            x->r[i].finish_us != y->r[i].finish_us) {
            fprintf(stderr, "record %d: job %llu task %d pe %d %.3f..%.3f vs job %llu task %d pe %d %.3f..%.3f\n",
                    i, (unsigned long long)x->r[i].job, x->r[i].task, x->r[i].pe, x->r[i].start_us,
                    x->r[i].finish_us, (unsigned long long)y->r[i].job, y->r[i].task, y->r[i].pe,
                    y->r[i].start_us, y->r[i].finish_us);
            return 0;
        }
    return 1;
}

START_TEST(test_bus_without_queueing_is_contention_free)
{
    /* a bus as fast as every pair and with a channel per possible transfer
     * never queues: each transfer takes latency + V / B, as without
     * contention; schedulers that place every consumer before its
     * producers finish (the static planners, at job arrival) then give the
     * same schedule to the nanosecond.  (A dynamic scheduler places a task
     * once it is ready, so the data of its earlier predecessors starts
     * moving only then: later than the contention-free model assumes.) */
    soc_config_t *a = soc_with("");
    soc_config_t *b = soc_with("    contention: {model: bus, bandwidth: 20, channels: 4096}\n");
    const char *scheds[] = {"heft", "peft", "cpop"};
    for (int i = 0; i < 3; i++) {
        ts_records_t ra = {0}, rb = {0};
        soc_sim_t *sa = sim_of(a, scheds[i], &ra), *sb = sim_of(b, scheds[i], &rb);
        ck_assert_msg(records_equal(&ra, &rb), "%s: schedules differ", scheds[i]);
        soc_metrics_t ma, mb;
        soc_sim_metrics(sa, &ma);
        soc_sim_metrics(sb, &mb);
        ck_assert(ma.avg_latency_us == mb.avg_latency_us);
        ck_assert_int_eq(ma.has_net, 0);
        ck_assert_int_eq(mb.has_net, 1);
        ck_assert_int_gt(mb.transfers, 0);
        ck_assert_int_eq(mb.n_links, 1);
        ck_assert_str_eq(mb.link_names[0], "bus");
        soc_sim_destroy(sa);
        soc_sim_destroy(sb);
        ts_records_free(&ra);
        ts_records_free(&rb);
    }
    free_cfg(a);
    free_cfg(b);
}
END_TEST

START_TEST(test_contention_slows_and_is_deterministic)
{
    /* one channel: transfers queue, so latencies can only grow; the same
     * run twice is byte-identical; each model reports transfers */
    soc_config_t *a = soc_with("");
    soc_config_t *b = soc_with("    contention: {model: bus, bandwidth: 20, channels: 1}\n");
    soc_config_t *c = soc_with("    contention: {model: flow, topology: shared_bus, bandwidth: 20}\n");
    soc_config_t *d = soc_with("    contention:\n      model: flow\n      topology: mesh\n"
                               "      cols: 2\n      rows: 2\n      bandwidth: 20\n"
                               "      hop_latency_us: 0.1\n"
                               "      at: {big: [0, 0], lit: [[1, 0], [0, 1], [1, 1]], acc: [1, 1]}\n");
    soc_metrics_t ma;
    soc_sim_t *sa = sim_of(a, "heft", NULL);
    soc_sim_metrics(sa, &ma);
    soc_config_t *cs[] = {b, c, d};
    for (int i = 0; i < 3; i++) {
        char *j1 = json_of(cs[i], "heft"), *j2 = json_of(cs[i], "heft");
        ck_assert_str_eq(j1, j2);
        ck_assert_ptr_nonnull(strstr(j1, "link_utilization"));
        free(j1);
        free(j2);
        soc_sim_t *sb = sim_of(cs[i], "heft", NULL);
        soc_metrics_t mb;
        soc_sim_metrics(sb, &mb);
        ck_assert_int_eq(mb.completed_jobs, ma.completed_jobs);
        ck_assert_int_gt(mb.transfers, 0);
        ck_assert(mb.avg_transfer_us > 0 && mb.p95_transfer_us >= mb.avg_transfer_us * 0.5);
        ck_assert(mb.max_link_utilization > 0 && mb.max_link_utilization <= 1 + 1e-9);
        if (i < 2) /* one shared medium as fast as every pair was: slower */
            ck_assert(mb.avg_latency_us > ma.avg_latency_us);
        soc_sim_destroy(sb);
    }
    soc_sim_destroy(sa);
    free_cfg(a);
    free_cfg(b);
    free_cfg(c);
    free_cfg(d);
}
END_TEST

START_TEST(test_reset_replays)
{
    /* a reset to another seed and back replays the first run exactly,
     * network state included (bus and flow) */
    const char *blocks[] = {"    contention: {model: bus, bandwidth: 20, channels: 2}\n",
                            "    contention: {model: flow, topology: shared_bus, bandwidth: 20}\n"};
    for (int b = 0; b < 2; b++) {
        soc_config_t *cfg = soc_with(blocks[b]);
        char *fresh = json_of(cfg, "eft_net");
        soc_sim_t *sim = sim_of(cfg, "eft_net", NULL);
        soc_error_t err = {0};
        ck_assert_int_eq(soc_sim_reset(sim, 99, &err), SOC_OK);
        ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
        ck_assert_int_eq(soc_sim_reset(sim, cfg->seed, &err), SOC_OK);
        ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        char *again = soc_metrics_json(&m, NULL);
        ck_assert_str_eq(fresh, again);
        free(fresh);
        free(again);
        soc_sim_destroy(sim);
        free_cfg(cfg);
    }
}
END_TEST

/* comm_time_now: a scheduler placing producers' consumers across the bus
 * and asking, after each placement, what a new transfer would take. */
static soc_time_t seen_now[8], seen_free[8];
static int n_seen;
static int probe_schedule(void *st, soc_view_t *v)
{
    (void)st;
    ck_assert(SOC_API_HAS(v->api, comm_time_now));
    for (int i = 0; i < v->n_ready; i++) {
        int type = v->ready[i].type, pe = type == 0 ? 0 : 1; /* t on P.0, u on P.1 */
        ck_assert_int_eq(v->api->assign(v, v->ready[i].ref, pe, SOC_APPEND), SOC_OK);
        if (type == 1 && n_seen < 8) {
            seen_now[n_seen] = v->api->comm_time_now(v, 100, 0, 1);
            seen_free[n_seen] = v->api->comm_time(v, 100, 0, 1);
            n_seen++;
        }
    }
    return SOC_OK;
}
static const soc_sched_ops_t probe_ops = {SOC_SCHED_ABI_VERSION, sizeof(soc_sched_ops_t),
                                          "probe", "test", 0, NULL, NULL, NULL,
                                          probe_schedule, NULL};

START_TEST(test_comm_time_now)
{
    /* three jobs at t = 0, each t -> u with 100 units over a bus of 10
     * (service 10 µs): after the k-th consumer is placed, k transfers are
     * on the bus or queued, so a new one would take (k + 1) x 10 µs;
     * comm_time stays the contention-free 10 µs */
    soc_config_t *cfg = load_text(
        "seed: 1\nplatform:\n  clusters:\n    - {name: P, count: 2, exec_us: {t: 0, u: 0}}\n"
        "  communication:\n    contention: {model: bus, bandwidth: 10}\n"
        "applications:\n  - {name: a, tasks: [t, u], edges: [[t, u, 100]]}\n"
        "injection: {arrival: trace, times_us: [0, 0, 0]}\n");
    n_seen = 0;
    soc_sim_options_t o = {sizeof o, &probe_ops, NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *sim = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &o, &err), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
    ck_assert_int_eq(n_seen, 3);
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(seen_free[k], 10000);
        ck_assert_int_eq(seen_now[k], (k + 2) * 10000);
    }
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    /* waits 0, 10, 20: transfer times 10, 20, 30 */
    ck_assert_int_eq(m.transfers, 3);
    ck_near(m.avg_transfer_us, 20);
    soc_sim_destroy(sim);
    free_cfg(cfg);
}
END_TEST

/* --------------------------------------------------------- queueing */

/* Jobs of two zero-time tasks (producer on P, consumer on C) joined by one
 * edge of volume V, Poisson arrivals of mean 1/lambda: the transfers form
 * a single queue.  Mean over `seeds` runs of avg_transfer_us, and the 95%
 * half-width (Student t) of that mean. */
static void queue_runs(const char *contention, double mean_us, int seeds, int64_t jobs,
                       double *mean, double *half)
{
    char text[2048];
    snprintf(text, sizeof text,
             "seed: 1\nplatform:\n  clusters:\n"
             "    - {name: P, count: 1, exec_us: {src: 0}}\n"
             "    - {name: C, count: 1, exec_us: {dst: 0}}\n"
             "  communication:\n    bandwidth_default: 10\n    contention: %s\n"
             "applications:\n  - {name: j, tasks: [src, dst], edges: [[src, dst, 100]]}\n"
             "injection: {arrival: poisson, mean_interarrival_us: %g, warmup_us: 5000}\n"
             "stop: {jobs: %lld}\n",
             contention, mean_us, (long long)jobs);
    soc_config_t *cfg = load_text(text);
    double x[64], s = 0, ss = 0;
    ck_assert_int_le(seeds, 64);
    for (int i = 0; i < seeds; i++) {
        cfg->seed = 1000 + (uint64_t)i;
        soc_sim_t *sim = sim_of(cfg, "eft", NULL);
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        ck_assert_int_eq(m.transfers, jobs);
        x[i] = m.avg_transfer_us;
        s += x[i];
        soc_sim_destroy(sim);
    }
    *mean = s / seeds;
    for (int i = 0; i < seeds; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    /* t quantiles 0.975 for 9 and 19 degrees of freedom */
    double t = seeds == 10 ? 2.262157 : seeds == 20 ? 2.093024 : 2.0;
    *half = t * sqrt(ss / (seeds - 1)) / sqrt(seeds);
    free_cfg(cfg);
}

START_TEST(test_bus_md1)
{
    /* M/D/1: S = V / B = 10 µs; rho = lambda S.  Pollaczek-Khinchine:
     * Wq = lambda S^2 / (2 (1 - rho)); transfer time = Wq + S */
    const double S = 10, means[2] = {20, 12.5}; /* rho 0.5, 0.8 */
    for (int r = 0; r < 2; r++) {
        double lambda = 1 / means[r], rho = lambda * S;
        double wq = lambda * S * S / (2 * (1 - rho));
        double mean, half;
        queue_runs("{model: bus, bandwidth: 10}", means[r], 10, 20000, &mean, &half);
        fprintf(stderr, "M/D/1 rho=%.1f: Wq PK %.4f us, measured %.4f +- %.4f (rel err %.2f%%)\n",
                rho, wq, mean - S, half, 100 * fabs(mean - S - wq) / wq);
        ck_assert_msg(fabs(mean - S - wq) <= half,
                      "rho %.1f: waiting %.4f outside PK %.4f +- %.4f", rho, mean - S, wq, half);
        ck_assert(half < 0.1 * wq); /* the interval itself is tight */
    }
}
END_TEST

START_TEST(test_flow_ps)
{
    /* one link, max-min sharing among all transfers = processor sharing:
     * M/G/1-PS mean sojourn S / (1 - rho) (insensitive to the service law) */
    const double S = 10, mean_us = 20;
    double rho = S / mean_us, want = S / (1 - rho), mean, half;
    queue_runs("{model: flow, topology: shared_bus, bandwidth: 10}", mean_us, 10, 20000, &mean,
               &half);
    fprintf(stderr, "M/D/1-PS rho=%.1f: sojourn %.4f us, measured %.4f +- %.4f (rel err %.2f%%)\n",
            rho, want, mean, half, 100 * fabs(mean - want) / want);
    ck_assert_msg(fabs(mean - want) <= half, "PS sojourn %.4f outside %.4f +- %.4f", mean, want,
                  half);
}
END_TEST

/* ------------------------------------------------------------------ YAML */

static void expect_error(const char *text, const char *needle, int line)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    int rc = soc_load_yaml_string(&cfg, text, "bad.yaml", NULL, &err);
    ck_assert_int_ne(rc, SOC_OK);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "message '%s' lacks '%s'", err.msg, needle);
    if (line > 0)
        ck_assert_int_eq(err.line, line);
}

START_TEST(test_yaml_errors)
{
    char t[4096];
    /* lines: seed, scheduler, platform:, clusters:, one line per cluster,
     * communication:, contention:, then the block (line 8 with one cluster) */
    snprintf(t, sizeof t, "%s", platform_yaml("P:2", "", "      {model: flw}\n"));
    expect_error(t, "did you mean 'flow'", 8);
    snprintf(t, sizeof t, "%s", platform_yaml("P:2", "", "      {model: flow, topology: mesh}\n"));
    expect_error(t, "cols and rows", 8);
    snprintf(t, sizeof t, "%s",
             platform_yaml("P:2", "", "      {model: flow, topology: mesh, cols: 2, rows: 2}\n"));
    expect_error(t, "router of every cluster", 8);
    snprintf(t, sizeof t, "%s",
             platform_yaml("P:2 Q:1", "",
                           "      {model: flow, topology: mesh, cols: 2, rows: 2, at: {P: [0, 0]}}\n"));
    expect_error(t, "cluster 'Q' has no router", 9);
    snprintf(t, sizeof t, "%s",
             platform_yaml("P:2", "",
                           "      {model: flow, topology: mesh, cols: 2, rows: 2, at: {P: [2, 0]}}\n"));
    expect_error(t, "at most 1", 8);
    snprintf(t, sizeof t, "%s",
             platform_yaml("P:2", "",
                           "      {model: flow, topology: mesh, cols: 2, rows: 2, at: {P: [[0, 0]]}}\n"));
    expect_error(t, "has 2 PEs", 8);
    snprintf(t, sizeof t, "%s", platform_yaml("P:2", "", "      {model: bus, channels: 0}\n"));
    expect_error(t, "channels: must be at least 1", 8);
    snprintf(t, sizeof t, "%s", platform_yaml("P:2", "", "      {model: bus, colour: red}\n"));
    expect_error(t, "unknown key 'colour'", 8);
    snprintf(t, sizeof t, "%s", platform_yaml("P:2", "", "      {model: bus, bandwidth: 0}\n"));
    expect_error(t, "must be positive", 8);
    snprintf(t, sizeof t, "semantics: ds3\n%s", platform_yaml("P:2", "", "      bus\n"));
    expect_error(t, "native semantics", 9);
}
END_TEST

START_TEST(test_yaml_roundtrip)
{
    char text[8192];
    snprintf(text, sizeof text, "%s%s%s", SOC_HEAD,
             "    contention:\n      model: flow\n      topology: mesh\n      cols: 2\n"
             "      rows: 3\n      bandwidth: 20\n      port_bandwidth: {acc: 7.5}\n"
             "      hop_latency_us: 0.125\n      energy_pj_per_unit: 2.5\n"
             "      at: {big: [0, 0], lit: [[1, 0], [0, 1], [1, 2]], acc: [1, 1]}\n",
             SOC_TAIL);
    soc_config_t *a = load_text(text);
    char *out1 = NULL, *out2 = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *f = open_memstream(&out1, &n1);
    soc_error_t err = {0};
    ck_assert_int_eq(soc_write_yaml(a, f, &err), SOC_OK);
    fclose(f);
    soc_config_t *b = load_text(out1);
    f = open_memstream(&out2, &n2);
    ck_assert_int_eq(soc_write_yaml(b, f, &err), SOC_OK);
    fclose(f);
    ck_assert_str_eq(out1, out2);
    const soc_contention_t *c = b->platform.contention;
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->model, SOC_NET_FLOW);
    ck_assert_int_eq(c->topology, SOC_TOPO_MESH);
    ck_assert(c->port_bw[2] == 7.5 && c->hop_latency_us == 0.125 && c->energy_pj_per_unit == 2.5);
    ck_assert_int_eq(c->at[2 * 4], 1); /* lit's third PE (global 4) at (1, 2) */
    ck_assert_int_eq(c->at[2 * 4 + 1], 2);
    /* and the copy */
    soc_config_t cp;
    ck_assert_int_eq(soc_config_copy(&cp, b), SOC_OK);
    ck_assert_int_eq(cp.platform.contention->at[2 * 4 + 1], 2);
    ck_assert(cp.platform.contention->at != c->at);
    soc_config_free(&cp);
    free(out1);
    free(out2);
    free_cfg(a);
    free_cfg(b);
}
END_TEST

START_TEST(test_energy)
{
    /* 2 pJ per unit per link: on a crossbar every transfer crosses two
     * links, so the interconnect energy is 2 x 2e-12 x data moved (no
     * warm-up, every job measured) */
    soc_config_t *cfg = soc_with("    contention: {model: flow, bandwidth: 20, energy_pj_per_unit: 2}\n");
    soc_sim_t *sim = sim_of(cfg, "heft", NULL);
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    ck_assert(m.data_moved > 0);
    ck_assert_msg(fabs(m.net_energy_j - 4e-12 * m.data_moved) <= 1e-9 * m.net_energy_j,
                  "%g vs %g", m.net_energy_j, 4e-12 * m.data_moved);
    soc_sim_destroy(sim);
    free_cfg(cfg);
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *tc = tcase_create("flows");
    tcase_add_test(tc, test_equal_flows_one_link);
    tcase_add_test(tc, test_staggered);
    tcase_add_test(tc, test_two_bottlenecks);
    tcase_add_test(tc, test_latency);
    tcase_add_test(tc, test_mesh_xy);
    tcase_add_test(tc, test_memory_controller);
    tcase_add_test(tc, test_bus_fifo);
    tcase_add_test(tc, test_bus_shared_memory);
    suite_add_tcase(s, tc);
    tc = tcase_create("engine");
    tcase_add_test(tc, test_none_is_contention_free);
    tcase_add_test(tc, test_bus_without_queueing_is_contention_free);
    tcase_add_test(tc, test_contention_slows_and_is_deterministic);
    tcase_add_test(tc, test_comm_time_now);
    tcase_add_test(tc, test_reset_replays);
    tcase_add_test(tc, test_energy);
    suite_add_tcase(s, tc);
    tc = tcase_create("queueing");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_bus_md1);
    tcase_add_test(tc, test_flow_ps);
    suite_add_tcase(s, tc);
    tc = tcase_create("yaml");
    tcase_add_test(tc, test_yaml_errors);
    tcase_add_test(tc, test_yaml_roundtrip);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    return ts_run_suite_parts(net_suite(), argc, argv);
}
