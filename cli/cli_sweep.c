/*
 * cli_sweep.c -- `socsim sweep`: options, progress and the summary table
 * around the library's sweep runner (soc/study.h: soc_sweep_load,
 * soc_sweep_execute, soc_results_merge; docs/sweeps.md).
 */
#define _GNU_SOURCE /* clock_gettime */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { OPT_SHARD = 256, OPT_MERGE, OPT_QUIET, OPT_LIST, OPT_JOBS_ALIAS };

static const cli_opt_t sweep_opts[] = {
    {"workers", 'j', 1, "N", "worker processes (default: all cores)"},
    {"jobs", OPT_JOBS_ALIAS, 1, "N", NULL}, /* deprecated spelling */
    {"out", 'o', 1, "DIR", "output directory (default: sweep-out); results.csv, summary.csv"},
    {"shard", OPT_SHARD, 1, "I/N", "run only shard I of N (units with id % N == I-1)"},
    {"merge", OPT_MERGE, 0, NULL, "merge the shard directories given after the sweep file into --out"},
    {"quiet", OPT_QUIET, 0, NULL, "no progress and no summary table"},
    {"list", OPT_LIST, 0, NULL, "print the points (id and values) and exit without running"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct sweep_args {
    int workers;
    const char *out;
    int shard_i, shard_n;
    int merge, quiet, list;
} sweep_args_t;

static int sweep_opt(void *user, int key, const char *arg)
{
    sweep_args_t *a = user;
    switch (key) {
    case OPT_JOBS_ALIAS:
        fprintf(stderr, "socsim: warning: --jobs is a deprecated spelling of -j/--workers "
                        "here (in 'socsim run', --jobs is the number of measured jobs)\n");
        return cli_parse_workers(arg, &a->workers);
    case 'j':
        return cli_parse_workers(arg, &a->workers);
    case 'o':
        a->out = arg;
        return 0;
    case OPT_SHARD: {
        char *end;
        long i = strtol(arg, &end, 10);
        long n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
        if (*end != '\0' || n < 1 || n > 1000000 || i < 1 || i > n) {
            fprintf(stderr, "socsim: --shard expects I/N with 1 <= I <= N, got '%s'\n", arg);
            return -1;
        }
        a->shard_i = (int)i;
        a->shard_n = (int)n;
        return 0;
    }
    case OPT_MERGE:
        a->merge = 1;
        return 0;
    case OPT_QUIET:
        a->quiet = 1;
        return 0;
    case OPT_LIST:
        a->list = 1;
        return 0;
    default:
        return -1;
    }
}

static const char sweep_usage[] =
    "socsim sweep SWEEP.yaml [-j N] [--out DIR] [--shard I/N] [--quiet] [--list]\n"
    "       socsim sweep SWEEP.yaml --merge SHARD_DIR... --out DIR";

/* ------------------------------------------------------------ progress */

typedef struct prog {
    int tty, quiet, sharded;
    double t0, last_draw;
    int done_at_start, last_drawn;
} prog_t;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void draw(prog_t *P, int done, int total, int failed, int force)
{
    if (P->quiet || done == P->last_drawn)
        return;
    double now = mono();
    if (!force && now - P->last_draw < (P->tty ? 0.1 : 10.0) && done < total)
        return;
    P->last_draw = now;
    P->last_drawn = done;
    double el = now - P->t0;
    int ran = done - P->done_at_start;
    double rate = el > 0 ? ran / el : 0;
    double left = rate > 0 ? (total - done) / rate : 0;
    char eta[32] = "--:--";
    if (rate > 0)
        snprintf(eta, sizeof eta, "%d:%02d", (int)left / 60, (int)left % 60);
    if (P->tty) {
        int width = 30, fill = total ? (int)((double)width * done / total) : width;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r[%s] %d/%d points  %.1f/s  %s left%s  ", bar, done, total, rate, eta,
                failed ? "  (failures!)" : "");
        if (done == total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "sweep: %d/%d points (%d%%), %.1f points/s, %s left\n", done, total,
                total ? 100 * done / total : 100, rate, eta);
    }
    fflush(stderr);
}

static void on_progress(void *user, int done, int total, int failed)
{
    draw(user, done, total, failed, 0);
}

static void on_error(void *user, int point, const char *message)
{
    prog_t *P = user;
    if (P->tty && !P->quiet)
        fputc('\n', stderr);
    fprintf(stderr, "socsim: point %d failed: %s\n", point, message);
}

static void on_start(void *user, int total, int already, int to_run, int workers, int dropped)
{
    prog_t *P = user;
    P->done_at_start = P->last_drawn = already;
    if (dropped > 0 && !P->quiet)
        fprintf(stderr, "socsim sweep: results.csv: dropped %d incomplete row(s)\n", dropped);
    if (!P->quiet)
        fprintf(stderr, "socsim sweep: %d points%s, %d already done, %d to run on %d workers\n",
                total, P->sharded ? " in this shard" : "", already, to_run, workers);
}

/* ------------------------------------------------------- summary table */

static void print_summary(const soc_summary_t *sm)
{
    int lat = soc_metric_find("avg_latency_us"), thr = soc_metric_find("throughput_jobs_per_s"),
        en = soc_metric_find("energy_j");
    int wid[64];
    for (int q = 0; q < sm->n_keys && q < 64; q++) {
        wid[q] = (int)strlen(sm->key_names[q]);
        for (int g = 0; g < sm->n_groups; g++)
            if ((int)strlen(sm->groups[g].keys[q]) > wid[q])
                wid[q] = (int)strlen(sm->groups[g].keys[q]);
        if (wid[q] > 32)
            wid[q] = 32;
    }
    printf("\n");
    for (int q = 0; q < sm->n_keys && q < 64; q++)
        printf("%-*.*s ", wid[q], wid[q], sm->key_names[q]);
    printf("%5s %24s %22s %20s\n", "runs", "avg latency us (95% CI)", "jobs/s (95% CI)",
           "energy J (95% CI)");
    for (int g = 0; g < sm->n_groups; g++) {
        const soc_summary_group_t *G = &sm->groups[g];
        for (int q = 0; q < sm->n_keys && q < 64; q++)
            printf("%-*.*s ", wid[q], wid[q], G->keys[q]);
        printf("%5d", G->runs);
        const int shown[3] = {lat, thr, en}, width[3] = {24, 22, 20};
        for (int k = 0; k < 3; k++) {
            int m = shown[k];
            char cell[64];
            if (m < 0 || isnan(G->mean[m]))
                snprintf(cell, sizeof cell, "-");
            else if (isnan(G->ci95[m]))
                snprintf(cell, sizeof cell, "%.4g", G->mean[m]);
            else
                snprintf(cell, sizeof cell, "%.4g +- %.3g", G->mean[m], G->ci95[m]);
            printf(" %*s", width[k], cell);
        }
        printf("\n");
    }
}

/* ------------------------------------------------------------- command */

static int list_points(const soc_sweep_t *s)
{
    char *h = soc_sweep_header(s);
    if (h == NULL)
        return CLI_FAIL;
    /* the identifying columns only */
    char *m = strstr(h, soc_metrics_csv_header());
    if (m != NULL)
        *m = '\0';
    printf("%s\n", h);
    free(h);
    for (int p = 0; p < soc_sweep_n_points(s); p++) {
        char *c = soc_sweep_point_cells(s, p);
        if (c == NULL)
            return CLI_FAIL;
        printf("%s\n", c);
        free(c);
    }
    return CLI_OK;
}

static int merge(const soc_sweep_t *s, char **dirs, int n_dirs, const sweep_args_t *a)
{
    soc_error_t err = {0};
    soc_summary_t *sm = NULL;
    int missing = 0;
    int rc = soc_results_merge(s, (const char *const *)dirs, n_dirs, a->out, &missing, &sm, &err);
    if (rc != SOC_OK)
        return cli_report(&err);
    if (!a->quiet)
        print_summary(sm);
    soc_summary_free(sm);
    int n = soc_sweep_n_points(s);
    if (missing > 0) {
        fprintf(stderr, "socsim: merged %d of %d points: %d missing (run the missing shards, "
                        "then merge again)\n",
                n - missing, n, missing);
        return CLI_FAIL;
    }
    if (!a->quiet)
        fprintf(stderr, "socsim: merged %d points into %s/results.csv\n", n, a->out);
    return CLI_OK;
}

int cli_cmd_sweep(int argc, char **argv)
{
    sweep_args_t a = {0};
    a.out = "sweep-out";
    int first = cli_parse(argc, argv, sweep_opts, sweep_usage,
                          "Run every point of SWEEP.yaml (the product of its axes plus its explicit\n"
                          "points) in worker processes; rows go to DIR/results.csv as they finish.\n"
                          "Running the same command again resumes.  See docs/sweeps.md.",
                          sweep_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc - first < 1 || (!a.merge && argc - first != 1)) {
        fprintf(stderr, "usage: %s\n", sweep_usage);
        return CLI_USAGE;
    }
    if (a.merge && argc - first < 2) {
        fprintf(stderr, "socsim sweep --merge: name the shard directories after the sweep file\n");
        return CLI_USAGE;
    }
    struct stat ost;
    if (!a.list && stat(a.out, &ost) == 0 && !S_ISDIR(ost.st_mode)) {
        fprintf(stderr, "socsim sweep: --out %s is a file; --out names a folder (created when "
                        "missing) for results.csv and summary.csv, e.g. --out out/%s\n",
                a.out, "study");
        return CLI_USAGE;
    }
    soc_sweep_t *s = NULL;
    soc_error_t err = {0};
    soc_warn_sink_t warn = {cli_warning, NULL};
    if (soc_sweep_load(&s, argv[first], soc_sched_catalog(), &warn, &err) != SOC_OK)
        return cli_report(&err);
    int code;
    if (a.list) {
        code = list_points(s);
    } else if (a.merge) {
        code = merge(s, argv + first + 1, argc - first - 1, &a);
    } else {
        prog_t P = {isatty(2), a.quiet, a.shard_n > 1, mono(), 0, 0, 0};
        P.last_draw = P.t0;
        soc_sweep_exec_t x = {sizeof x,    a.workers, a.shard_i, a.shard_n,
                              on_progress, on_error,  on_start,  &P};
        soc_summary_t *sm = NULL;
        int rc = soc_sweep_execute(s, a.out, &x, &sm, &err);
        if (rc == SOC_OK) {
            if (!a.quiet) {
                print_summary(sm);
                fprintf(stderr, "socsim sweep: results in %s/results.csv, summary in "
                                "%s/summary.csv\n",
                        a.out, a.out);
            }
            code = CLI_OK;
        } else {
            code = rc == SOC_ESTATE ? CLI_FAIL : cli_report(&err);
            if (rc == SOC_ESTATE)
                fprintf(stderr, "socsim sweep: %s\n", err.msg);
        }
        soc_summary_free(sm);
    }
    soc_sweep_free(s);
    return code;
}
