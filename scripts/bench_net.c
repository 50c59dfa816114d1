/*
 * bench_net.c -- cost of the flow model's events (sim/net.c): transfers per
 * CPU second with N flows always in flight (a closed loop: every flow that
 * ends is replaced at once by a new one between random PEs, volumes uniform
 * in [1000, 2000]), for N = 10, 100, 1000, on several topologies; each run
 * once recomputing only the component of the sharing graph around the
 * started/finished flow (socsim's rule) and once recomputing every flow
 * (the naive rule), with the mean number of flows one event touched.
 * Prints figures; it is not a test.
 *
 *   bench_net [--transfers M] [--topology I]
 *     M: transfers per run (default 200000, and at most about 2 s of CPU
 *     time per run); I: only the I-th topology of the table below
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../sim/net.h"
#include "soc/workload.h"

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* robust on a shared machine */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A platform of n_pes PEs with the given contention block. */
static int load(soc_config_t *cfg, int n_pes, const char *contention)
{
    static char text[1 << 17];
    snprintf(text, sizeof text,
             "platform:\n  clusters: [{name: P, count: %d, exec_us: {t: 1}}]\n"
             "  communication:\n    bandwidth_default: 100\n    contention: %s\n"
             "applications: [{name: a, tasks: [t]}]\n"
             "injection: {arrival: periodic, period_us: 1}\nstop: {jobs: 1}\n",
             n_pes, contention);
    soc_error_t err = {0};
    if (soc_load_yaml_string(cfg, text, "bench", NULL, &err) != SOC_OK) {
        char buf[800];
        fprintf(stderr, "bench_net: %s\n", soc_error_format(&err, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static int start_one(soc__net_t *net, double t, int n_pes)
{
    int a = (int)(rnd() % (uint64_t)n_pes), b;
    do
        b = (int)(rnd() % (uint64_t)n_pes);
    while (b == a);
    double vol = 1000 + (double)(rnd() % 1001);
    return soc__net_start(net, t, a, b, vol, 0, 0, 0);
}

/* One closed-loop run; returns transfers per second (-1 on error). */
static double run(const soc_platform_t *p, int n_flows, int full, long transfers, double *touched)
{
    soc__net_t *net;
    soc_error_t err = {0};
    if (soc__net_create(&net, p, 1.0, 0, &err) != SOC_OK)
        return -1;
    soc__net_bench(net, full, NULL, NULL);
    rng_state = 88172645463325252ull;
    for (int i = 0; i < n_flows; i++)
        if (start_one(net, 0, p->n_pes) != SOC_OK)
            return -1;
    long done = 0;
    double t0 = now_s();
    while (done < transfers && (done % 256 != 0 || now_s() - t0 < 2.0)) {
        const soc__net_done_t *d;
        int nd;
        double at;
        if (soc__net_step(net, &d, &nd, &at) != SOC_OK)
            return -1;
        for (int i = 0; i < nd; i++)
            if (start_one(net, at, p->n_pes) != SOC_OK)
                return -1;
        done += nd;
    }
    double wall = now_s() - t0;
    uint64_t rec, tch;
    soc__net_bench(net, -1, &rec, &tch);
    *touched = rec ? (double)tch / (double)rec : 0;
    soc__net_destroy(net);
    return (double)done / wall;
}

int main(int argc, char **argv)
{
    long transfers = 200000;
    int only = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--transfers") == 0 && i + 1 < argc)
            transfers = atol(argv[++i]);
        else if (strcmp(argv[i], "--topology") == 0 && i + 1 < argc)
            only = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_net [--transfers M] [--topology I (0..4)]\n");
            return 2;
        }
    }
    static const struct {
        const char *name;
        int n_pes;
        const char *contention;
    } topo[] = {
        {"shared bus, 16 PEs", 16, "{model: flow, topology: shared_bus}"},
        {"crossbar, 16 PEs", 16, "{model: flow, topology: crossbar}"},
        {"crossbar, 4096 PEs", 4096, "{model: flow, topology: crossbar}"},
        {"mesh 8x8, 64 PEs", 64, NULL},
        {"mesh 32x32, 1024 PEs", 1024, NULL},
    };
    printf("# flow model: transfers per CPU second with N flows in flight; "
           "%ld transfers per run\n", transfers);
    printf("%-22s %6s %16s %10s %16s %10s %8s\n", "topology", "flows", "component:xfer/s",
           "flows/ev", "all:xfer/s", "flows/ev", "speedup");
    for (size_t k = 0; k < sizeof topo / sizeof topo[0]; k++) {
        if (only >= 0 && (size_t)only != k)
            continue;
        char buf[1 << 16];
        const char *cont = topo[k].contention;
        if (cont == NULL) { /* mesh: one PE per router, row by row */
            int side = topo[k].n_pes == 64 ? 8 : 32;
            size_t used = (size_t)snprintf(buf, sizeof buf,
                                           "{model: flow, topology: mesh, cols: %d, rows: %d, "
                                           "at: {P: [",
                                           side, side);
            for (int i = 0; i < topo[k].n_pes; i++)
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s[%d, %d]", i ? ", " : "",
                                         i % side, i / side);
            snprintf(buf + used, sizeof buf - used, "]}}");
            cont = buf;
        }
        soc_config_t cfg;
        if (load(&cfg, topo[k].n_pes, cont) != 0)
            return 1;
        for (int n = 10; n <= 1000; n *= 10) {
            double tc, ta, rc = run(&cfg.platform, n, 0, transfers, &tc);
            double ra = run(&cfg.platform, n, 1, transfers, &ta);
            if (rc < 0 || ra < 0) {
                fprintf(stderr, "bench_net: run failed\n");
                return 1;
            }
            printf("%-22s %6d %16.0f %10.1f %16.0f %10.1f %7.2fx\n", topo[k].name, n, rc, tc, ra,
                   ta, rc / ra);
            fflush(stdout);
        }
        soc_config_free(&cfg);
    }
    return 0;
}
