/*
 * bench_queueing.c -- the acceptance check of issue 13, run by hand (it
 * prints figures; it is not a test):
 *
 *   M/M/1: one PE, scheduler eft, exec_us {t: {dist: exponential, mean:
 *   100}}, Poisson arrivals at rho = 0.7; M/M/4: four PEs, scheduler fcfs,
 *   rho = 0.8.  JOBS measured jobs (default 10^6) per seed, SEEDS seeds
 *   (default 5).  For each seed and pooled over the seeds it prints the
 *   error of the mean latency against 1/(mu - lambda) (Erlang C for c = 4),
 *   the error of avg_jobs_in_system against lambda W (lambda the configured
 *   rate, W the measured mean latency) and against the theoretical L, and
 *   checks that per_app and per_cluster add up to the totals (completions,
 *   busy time).
 *
 *   usage: bench_queueing [JOBS [SEEDS]]      (scripts/bench_queueing.sh)
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "soc/schedulers.h"
#include "soc/sim.h"
#include "soc/workload.h"

static double erlang_c(int c, double a)
{
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term / (1 - a / c);
    return top / (sum + top);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int run_case(int c, const char *sched, double rho, int64_t jobs, int seeds)
{
    const double mu = 0.01, lam = rho * c * mu;
    const double W = c == 1 ? 1 / (mu - lam) : erlang_c(c, lam / mu) / (c * mu - lam) + 1 / mu;
    char text[1024];
    snprintf(text, sizeof text,
             "platform:\n"
             "  clusters: [{name: srv, count: %d, exec_us: {t: {dist: exponential, mean: 100}}}]\n"
             "applications: [{name: one, tasks: [t]}]\n"
             "injection: {arrival: poisson, mean_interarrival_us: %.17g, warmup_us: 100000}\n"
             "stop: {jobs: %" PRId64 "}\n",
             c, 1 / lam, jobs);
    soc_config_t cfg;
    soc_error_t err = {0};
    char buf[800];
    if (soc_load_yaml_string(&cfg, text, "<bench>", NULL, &err) != SOC_OK) {
        fprintf(stderr, "%s\n", soc_error_format(&err, buf, sizeof buf));
        return 1;
    }
    const soc_sched_ops_t *ops = soc_sched_find(sched);
    printf("\nM/M/%d, scheduler %s, rho = %.2f, lambda = %.4g /us, mu = %.4g /us, %" PRId64
           " measured jobs per seed\n",
           c, sched, rho, lam, mu, jobs);
    printf("theory: W = %.6f us, L = lambda W = %.6f\n", W, lam * W);
    printf("%6s %14s %9s %12s %12s %12s %9s %6s %8s\n", "seed", "W (us)", "W err %", "L",
           "lambda*W", "L err %", "Lth err%", "lists", "wall s");
    double sw = 0, sl = 0;
    int bad = 0;
    for (int k = 1; k <= seeds; k++) {
        soc_sim_options_t o = {sizeof o, ops, NULL, NULL, NULL, NULL, NULL};
        soc_sim_t *sim = NULL;
        cfg.seed = (uint64_t)k;
        double t0 = now_s();
        if (soc_sim_create(&sim, &cfg, &o, &err) != SOC_OK || soc_sim_run(sim, &err) != SOC_OK) {
            fprintf(stderr, "%s\n", soc_error_format(&err, buf, sizeof buf));
            soc_sim_destroy(sim);
            soc_config_free(&cfg);
            return 1;
        }
        double wall = now_s() - t0;
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        /* per_app / per_cluster against the totals */
        int64_t done = 0;
        for (int a = 0; a < m.n_apps; a++)
            done += m.per_app[a].completed;
        double busy = 0;
        for (int i = 0; i < m.n_pes; i++)
            busy += m.per_pe[i].busy_us;
        int lists_ok = done == m.completed_jobs && m.n_clusters == 1 &&
                       fabs(m.per_cluster[0].busy_us - busy) <= 1e-9 * busy &&
                       fabs(m.per_cluster[0].utilization - busy / (c * m.window_us)) <= 1e-12;
        bad += !lists_ok;
        double lw = lam * m.avg_latency_us;
        printf("%6d %14.6f %+9.4f %12.6f %12.6f %+12.4f %+9.4f %6s %8.2f\n", k, m.avg_latency_us,
               100 * (m.avg_latency_us / W - 1), m.avg_jobs_in_system, lw,
               100 * (m.avg_jobs_in_system / lw - 1), 100 * (m.avg_jobs_in_system / (lam * W) - 1),
               lists_ok ? "ok" : "BAD", wall);
        sw += m.avg_latency_us;
        sl += m.avg_jobs_in_system;
        soc_sim_destroy(sim);
    }
    sw /= seeds;
    sl /= seeds;
    printf("%6s %14.6f %+9.4f %12.6f %12.6f %+12.4f %+9.4f\n", "pooled", sw, 100 * (sw / W - 1), sl,
           lam * sw, 100 * (sl / (lam * sw) - 1), 100 * (sl / (lam * W) - 1));
    soc_config_free(&cfg);
    return bad;
}

int main(int argc, char **argv)
{
    int64_t jobs = argc > 1 ? strtoll(argv[1], NULL, 10) : 1000000;
    int seeds = argc > 2 ? atoi(argv[2]) : 5;
    if (jobs < 1 || seeds < 1) {
        fprintf(stderr, "usage: bench_queueing [JOBS [SEEDS]]\n");
        return 2;
    }
    int bad = run_case(1, "eft", 0.7, jobs, seeds);
    bad += run_case(4, "fcfs", 0.8, jobs, seeds);
    printf("\nper_app / per_cluster consistent with the totals: %s\n", bad ? "NO" : "yes");
    return bad ? 1 : 0;
}
