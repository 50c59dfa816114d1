/*
 * cli_run_cmd.c -- `socsim run`: one configuration (socsim YAML, or DS3's
 * config_file.ini with --ds3), one or more schedulers, every output option
 * in both semantics: metrics as text, a table or JSON lines; the schedule
 * CSV, the Gantt chart, the Perfetto trace and the power time series.
 *
 * Runs go through soc_study_run_config (soc/study.h), which runs a native
 * config once and a DS3 one as DS3 does (every scale value x iteration, the
 * DVFS state carried over), so both semantics share every path here.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_trace.h"
#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"

enum { OPT_SCHED = 's', OPT_SEED = 256, OPT_JOBS, OPT_JSON, OPT_SCHEDULE, OPT_DS3, OPT_GANTT,
       OPT_TRACE, OPT_POWER_TRACE, OPT_SET, OPT_RUN };

static const cli_opt_t run_opts[] = {
    {"scheduler", 's', 1, "NAME[,NAME...]",
     "scheduler(s) (override the config's); several, comma separated, give one table; "
     "see 'socsim schedulers'"},
    {"seed", OPT_SEED, 1, "N", "random seed (overrides the config)"},
    {"jobs", OPT_JOBS, 1, "N", "measured jobs to run (overrides stop.jobs; not workers)"},
    {"set", OPT_SET, 1, "KEY=VALUE",
     "override a config key by its dotted path (injection.mean_interarrival_us=200), or a "
     "DS3 ini option with --ds3 (max_jobs=200, semantics=native); repeatable"},
    {"json", OPT_JSON, 0, NULL, "print one JSON object per run on its own line"},
    {"schedule", OPT_SCHEDULE, 1, "FILE.csv", "write the per-task schedule as CSV"},
    {"gantt", OPT_GANTT, 1, "FILE.png|svg|pdf", "draw the schedule as a Gantt chart (gnuplot)"},
    {"trace", OPT_TRACE, 1, "FILE.json",
     "write the schedule as a Perfetto/Chrome trace (dependencies, power counters)"},
    {"power-trace", OPT_POWER_TRACE, 1, "FILE.csv",
     "write the power time series (frequency, power, temperature; needs the power model)"},
    {"ds3", OPT_DS3, 1, "INI", "run DS3's files: config_file.ini (SoC and job files under "
                               "config_SoC/ and config_Jobs/ next to it)"},
    {"run", OPT_RUN, 1, "N",
     "with --gantt/--trace and several DS3 runs (scale x iteration): draw run N (default 1)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char run_usage[] =
    "socsim run CONFIG.yaml [-s NAME[,NAME...]] [--seed N] [--jobs N] [--set KEY=VALUE]...\n"
    "                  [--json] [--schedule FILE.csv] [--gantt FILE.png] [--trace FILE.json]\n"
    "                  [--power-trace FILE.csv]\n"
    "       socsim run --ds3 PATH/config_file.ini [the same options] [--run N]";

static const char run_about[] =
    "Run CONFIG.yaml (or DS3's config_file.ini with --ds3) and print its metrics: one\n"
    "scheduler in detail, several (-s heft,etf,peft) as one table.  A DS3 configuration\n"
    "runs as DS3 does: every scale value x iteration, or the one validation run.\n"
    "Outputs (--schedule, --gantt, --trace, --power-trace) work in both semantics; a\n"
    "missing folder is created, and a failed run leaves no partial file.";

typedef struct run_args {
    const char *sched;
    uint64_t seed, jobs, run;
    int have_seed, have_jobs;
    int json;
    const char *schedule, *gantt, *trace, *power_trace, *ds3;
    const char **sets; /* NULL-terminated */
    int n_sets, oom;
} run_args_t;

static int run_opt(void *user, int key, const char *arg)
{
    run_args_t *r = user;
    switch (key) {
    case OPT_SCHED:
        r->sched = arg;
        return 0;
    case OPT_SEED:
        r->have_seed = 1;
        return cli_parse_u64("--seed", arg, &r->seed);
    case OPT_JOBS:
        r->have_jobs = 1;
        return cli_parse_jobs(arg, &r->jobs);
    case OPT_RUN:
        if (cli_parse_u64("--run", arg, &r->run) != 0 || r->run == 0) {
            fprintf(stderr, "socsim: --run expects a run number from 1\n");
            return -1;
        }
        return 0;
    case OPT_JSON:
        r->json = 1;
        return 0;
    case OPT_SCHEDULE:
        r->schedule = arg;
        return 0;
    case OPT_GANTT:
        r->gantt = arg;
        return 0;
    case OPT_TRACE:
        r->trace = arg;
        return 0;
    case OPT_POWER_TRACE:
        r->power_trace = arg;
        return 0;
    case OPT_DS3:
        r->ds3 = arg;
        return 0;
    case OPT_SET: {
        if (strchr(arg, '=') == NULL || arg[0] == '=') {
            fprintf(stderr, "socsim: --set expects KEY=VALUE, got '%s'\n", arg);
            return -1;
        }
        const char **ns = realloc(r->sets, sizeof *ns * (size_t)(r->n_sets + 2));
        if (ns == NULL) {
            r->oom = 1;
            return -1;
        }
        r->sets = ns;
        r->sets[r->n_sets++] = arg;
        r->sets[r->n_sets] = NULL;
        return 0;
    }
    default:
        return -1;
    }
}

/* A DS3 config_file.ini given without --ds3: its first meaningful line is
 * an ini section header ("[DEFAULT]"). */
static int looks_like_ini(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char line[512];
    int ini = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        const char *p = line + strspn(line, " \t\r\n");
        if (*p == '\0' || *p == '#' || *p == ';')
            continue;
        ini = *p == '[' && strchr(p, ']') != NULL && strchr(p, ',') == NULL &&
              strchr(p, ':') == NULL;
        break;
    }
    fclose(f);
    return ini;
}

/* ------------------------------------------------------------ printing */

/* The measured window: Little's L, the door, energy per job, per
 * application and per cluster. */
static void print_window(FILE *out, const soc_config_t *cfg, const soc_metrics_t *m)
{
    char a[32], d[32], e[32], f[32];
    if (!m->has_window)
        return;
    fprintf(out, "measured window (µs) %s\n", cli_fmt(a, m->window_us));
    fprintf(out, "jobs in system (L)   %s\n", cli_fmt(a, m->avg_jobs_in_system));
    if (cfg->injection.max_in_flight > 0) {
        fprintf(out, "admission wait (µs)  %s avg, %" PRId64 " jobs waited\n",
                cli_fmt(a, m->avg_admission_wait_us), m->blocked_arrivals);
        if (cfg->injection.on_full == SOC_ON_FULL_DROP)
            fprintf(out, "dropped jobs         %" PRId64 " (loss ratio %s)\n", m->dropped_jobs,
                    cli_fmt(a, m->loss_ratio));
    }
    if (m->has_energy)
        fprintf(out, "energy per job (J)   %s\n", cli_fmt(a, m->energy_per_job_j));
    fprintf(out, "per application      completed  avg_µs  p95_µs  p99_µs  deadline_misses\n");
    for (int i = 0; m->per_app != NULL && i < m->n_apps; i++) {
        const soc_app_metrics_t *x = &m->per_app[i];
        fprintf(out, "  %-18s %9" PRId64 "  %s  %s  %s  ", x->name, x->completed,
                cli_fmt(a, x->avg_latency_us), cli_fmt(d, x->p95_latency_us),
                cli_fmt(e, x->p99_latency_us));
        if (isnan(x->deadline_miss_rate))
            fprintf(out, "-\n");
        else
            fprintf(out, "%" PRId64 " (%s)\n", x->deadline_misses,
                    cli_fmt(f, x->deadline_miss_rate));
    }
    fprintf(out, "per cluster (window) utilization  busy_µs%s\n",
            m->has_energy ? "  energy_j" : "");
    for (int i = 0; m->per_cluster != NULL && i < m->n_clusters; i++) {
        const soc_cluster_metrics_t *x = &m->per_cluster[i];
        fprintf(out, "  %-18s %.4f  %s%s%s\n", x->name, x->utilization,
                cli_fmt(a, x->busy_us), m->has_energy ? "  " : "",
                m->has_energy ? cli_fmt(d, x->energy_j) : "");
    }
}

static void print_text(FILE *out, const soc_config_t *cfg, const soc_metrics_t *m)
{
    char a[32];
    fprintf(out, "scheduler            %s\n", m->scheduler);
    fprintf(out, "seed                 %" PRIu64 "\n", m->seed);
    fprintf(out, "jobs injected        %" PRId64 "\n", m->injected_jobs);
    fprintf(out, "jobs completed       %" PRId64 "\n", m->completed_jobs);
    fprintf(out, "tasks completed      %" PRId64 "\n", m->tasks_completed);
    fprintf(out, "latency avg (µs)     %s\n", cli_fmt(a, m->avg_latency_us));
    fprintf(out, "latency p50 (µs)     %s\n", cli_fmt(a, m->p50_latency_us));
    fprintf(out, "latency p95 (µs)     %s\n", cli_fmt(a, m->p95_latency_us));
    fprintf(out, "latency p99 (µs)     %s\n", cli_fmt(a, m->p99_latency_us));
    fprintf(out, "latency max (µs)     %s\n", cli_fmt(a, m->max_latency_us));
    fprintf(out, "makespan (µs)        %s\n", cli_fmt(a, m->makespan_us));
    fprintf(out, "throughput (jobs/s)  %s\n", cli_fmt(a, m->throughput_jobs_per_s));
    if (m->deadline_jobs > 0)
        fprintf(out, "deadline misses      %" PRId64 " of %" PRId64 "\n", m->deadline_misses,
                m->deadline_jobs);
    if (m->has_energy) {
        fprintf(out, "energy (J)           %s\n", cli_fmt(a, m->energy_j));
        fprintf(out, "average power (W)    %s\n", cli_fmt(a, m->avg_power_w));
        fprintf(out, "EDP (J*µs)           %s\n", cli_fmt(a, m->edp));
    }
    if (m->has_net) { /* interconnect contention (docs/semantics.md) */
        int busiest = 0;
        for (int i = 1; i < m->n_links; i++)
            if (m->link_utilization[i] > m->link_utilization[busiest])
                busiest = i;
        fprintf(out, "transfers            %" PRId64 "\n", m->transfers);
        fprintf(out, "transfer avg (µs)    %s\n", cli_fmt(a, m->avg_transfer_us));
        fprintf(out, "transfer p95 (µs)    %s\n", cli_fmt(a, m->p95_transfer_us));
        if (m->n_links > 0)
            fprintf(out, "busiest link         %s=%.3f\n", m->link_names[busiest],
                    m->link_utilization[busiest]);
    }
    fprintf(out, "PE utilization      ");
    for (int i = 0; i < m->n_pes; i++) {
        char pe[300];
        cli_pe_name(pe, sizeof pe, cfg, i);
        fprintf(out, " %s=%.3f", pe, m->pe_utilization[i]);
    }
    fprintf(out, "\n");
    print_window(out, cfg, m);
}

/* DS3-like text report of one run (DS3 prints these with info_job = yes). */
static void print_ds3_text(FILE *out, const soc_config_t *cfg, const soc_metrics_t *m,
                           const soc_run_id_t *run, int validation)
{
    char a[32];
    if (validation)
        fprintf(out, "[I] Validation run, scheduler %s\n", m->scheduler);
    else
        fprintf(out, "[I] Scale %" PRId64 ", iteration %d, scheduler %s\n", run->scale,
                run->iteration, m->scheduler);
    fprintf(out, "[I] Number of injected jobs: %" PRId64 "\n", m->injected_jobs);
    fprintf(out, "[I] Number of completed jobs: %" PRId64 "\n", m->completed_jobs);
    fprintf(out, "[I] Ave latency: %s\n", cli_fmt(a, m->avg_latency_us));
    fprintf(out, "[I] Execution time(us)             : %s\n", cli_fmt(a, m->makespan_us));
    fprintf(out, "[I] Cumulative Execution time(us)  : %s\n",
            cli_fmt(a, m->cumulative_latency_us));
    fprintf(out, "[I] Total energy consumption(J)    : %s\n", cli_fmt(a, m->energy_j));
    fprintf(out, "[I] EDP                            : %s\n", cli_fmt(a, m->edp));
    fprintf(out, "[I] Average concurrent jobs        : %s\n",
            cli_fmt(a, m->avg_concurrent_jobs));
    fprintf(out, "[I] Tasks completed                : %" PRId64 "\n", m->tasks_completed);
    fprintf(out, "[I] PE utilization                 :");
    for (int i = 0; i < m->n_pes; i++) {
        char pe[300];
        cli_pe_name(pe, sizeof pe, cfg, i);
        fprintf(out, " %s=%.3f", pe, m->pe_utilization[i]);
    }
    fprintf(out, "\n");
}

/* One row of the table of several schedulers. */
typedef struct row {
    char sched[64];
    int64_t scale;
    int iteration;
    int64_t completed;
    double avg, p50, p95, p99, makespan, tput, util, energy_per_job;
    int has_energy;
    int64_t misses, deadline_jobs;
} row_t;

typedef struct table {
    row_t *rows;
    int n, cap;
    int ds3_runs; /* rows carry scale/iteration */
} table_t;

static int table_add(table_t *t, const soc_metrics_t *m, const soc_run_id_t *run, int ds3)
{
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 16;
        row_t *nr = realloc(t->rows, sizeof *nr * (size_t)nc);
        if (nr == NULL)
            return -1;
        t->rows = nr;
        t->cap = nc;
    }
    row_t *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->sched, sizeof r->sched, "%s", m->scheduler ? m->scheduler : "?");
    r->scale = run->scale;
    r->iteration = run->iteration;
    t->ds3_runs |= ds3 && run->scale > 0;
    r->completed = m->completed_jobs;
    r->avg = m->avg_latency_us;
    r->p50 = m->p50_latency_us;
    r->p95 = m->p95_latency_us;
    r->p99 = m->p99_latency_us;
    r->makespan = m->makespan_us;
    r->tput = m->throughput_jobs_per_s;
    double u = 0;
    for (int i = 0; i < m->n_pes; i++)
        u += m->pe_utilization[i];
    r->util = m->n_pes ? u / m->n_pes : 0;
    r->has_energy = m->has_energy;
    r->energy_per_job = m->has_energy && m->completed_jobs > 0
                            ? m->energy_j / (double)m->completed_jobs
                            : NAN;
    r->misses = m->deadline_misses;
    r->deadline_jobs = m->deadline_jobs;
    return 0;
}

static void table_print(FILE *out, const table_t *t)
{
    int energy = 0, deadlines = 0;
    for (int i = 0; i < t->n; i++) {
        energy |= t->rows[i].has_energy;
        deadlines |= t->rows[i].deadline_jobs > 0;
    }
    fprintf(out, "%-14s", "scheduler");
    if (t->ds3_runs)
        fprintf(out, " %7s %4s", "scale", "iter");
    /* widths + 1 where "µ" takes two bytes */
    fprintf(out, " %9s %12s %12s %12s %12s %13s %11s %8s", "completed", "avg lat µs",
            "p50 µs", "p95 µs", "p99 µs", "makespan µs", "jobs/s", "avg util");
    if (energy)
        fprintf(out, " %11s", "mJ per job");
    if (deadlines)
        fprintf(out, " %9s", "missed %");
    fputc('\n', out);
    for (int i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        fprintf(out, "%-14s", r->sched);
        if (t->ds3_runs)
            fprintf(out, " %7" PRId64 " %4d", r->scale, r->iteration);
        fprintf(out, " %9" PRId64 " %11.2f %11.2f %11.2f %11.2f %12.1f %11.1f %8.3f",
                r->completed, r->avg, r->p50, r->p95, r->p99, r->makespan, r->tput, r->util);
        if (energy) {
            if (isnan(r->energy_per_job))
                fprintf(out, " %11s", "-");
            else
                fprintf(out, " %11.4f", 1e3 * r->energy_per_job);
        }
        if (deadlines)
            fprintf(out, " %9.2f", r->deadline_jobs ? 100.0 * (double)r->misses /
                                                          (double)r->deadline_jobs
                                                    : 0.0);
        fputc('\n', out);
    }
}

/* ---------------------------------------------------------------- runs */

typedef struct run_ctx {
    const soc_config_t *cfg;
    const run_args_t *a;
    int multi;          /* several schedulers: a table */
    int index;          /* run index of the current run (0-based) */
    int n_runs;
    cli_sink_t sink;    /* --schedule */
    cli_power_sink_t ps; /* --power-trace */
    cli_sched_t kept;   /* the run drawn by --gantt/--trace */
    int keep;           /* collect into kept */
    soc_run_id_t kept_run;
    table_t *table;
    int oom;
} run_ctx_t;

static void on_record(void *user, const soc_task_record_t *rec)
{
    run_ctx_t *c = user;
    if (c->sink.out.f != NULL)
        cli_schedule_row(&c->sink, rec);
    if (c->keep && c->index == (int)c->a->run - 1)
        cli_sched_record(&c->kept, rec);
}

static void on_power(void *user, const soc_power_sample_t *x)
{
    run_ctx_t *c = user;
    if (c->ps.out.f != NULL)
        cli_power_row(&c->ps, x);
    if (c->keep && c->index == (int)c->a->run - 1)
        cli_sched_power(&c->kept, x);
}

static int on_run(void *user, int index, const soc_run_id_t *run, soc_sim_t *sim)
{
    run_ctx_t *c = user;
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    int ds3 = c->cfg->semantics == SOC_SEM_DS3;
    int validation = ds3 && c->cfg->ds3 != NULL && c->cfg->ds3->validation;
    if (index == (int)c->a->run - 1)
        c->kept_run = *run;
    if (c->a->json)
        cli_print_json(stdout, sim, c->cfg);
    else if (c->multi) {
        if (table_add(c->table, &m, run, ds3) != 0)
            c->oom = 1;
    } else if (ds3)
        print_ds3_text(stdout, c->cfg, &m, run, validation);
    else
        print_text(stdout, c->cfg, &m);
    if (validation && m.completed_jobs < m.injected_jobs)
        fprintf(stderr, "socsim: warning: not all generated jobs completed within "
                        "simulation_length (DS3 stops with an error here)\n");
    fflush(stdout);
    c->index = index + 1;
    c->ps.run = index + 1;
    return SOC_OK;
}

static int is_cp(const char *s)
{
    return (s[0] == 'c' || s[0] == 'C') && (s[1] == 'p' || s[1] == 'P') &&
           (s[2] == '\0' || s[2] == ':');
}

/* The scheduler has no DS3 behaviour: say what runs, and how to run this
 * workload with it in the native semantics. */
static int explain_ds3_sched(const run_args_t *a, const char *path, const char *spec)
{
    fprintf(stderr,
            "socsim: scheduler '%s' has no DS3 behaviour: DS3 semantics runs met, eft, etf, "
            "stf, etf_lb and cpu_only.\n"
            "  The native schedulers (heft, peft, cpop, ...) run the same workload in socsim's\n"
            "  native semantics; add --set semantics=native:\n"
            "    socsim run %s%s --set semantics=native -s %s\n",
            spec, a->ds3 ? "--ds3 " : "", path, spec);
    if (a->ds3 != NULL)
        fprintf(stderr, "  or convert it once: socsim convert-ds3 --native %s -o native.yaml\n",
                path);
    return CLI_USAGE;
}

/* Run cfg with one scheduler spec, writing every output asked for. */
static int run_one(run_ctx_t *c, const char *spec, const char *path)
{
    const run_args_t *a = c->a;
    const soc_config_t *cfg = c->cfg;
    soc_error_t err = {0};
    soc_sched_handle_t *h = NULL;
    if (soc_sched_resolve(spec, &h, &err) != SOC_OK) {
        if (cfg->semantics == SOC_SEM_DS3 && is_cp(spec))
            snprintf(err.msg, sizeof err.msg,
                     "DS3's CP scheduler needs IBM CPLEX and is not supported; use met, eft, "
                     "etf, stf, etf_lb or cpu_only");
        return cli_report(&err);
    }
    if (cfg->semantics == SOC_SEM_DS3 &&
        soc_sched_ext_find(soc_sched_handle_ops(h), SOC_SCHED_EXT_DS3) == NULL) {
        soc_sched_handle_free(h);
        return explain_ds3_sched(a, path, spec);
    }
    int code = CLI_OK;
    c->index = 0;
    c->keep = a->gantt != NULL || a->trace != NULL;
    if (c->keep && cli_sched_init(&c->kept, cfg) != 0) {
        soc_sched_handle_free(h);
        return CLI_FAIL;
    }
    if (a->power_trace != NULL && (code = cli_power_open(&c->ps, a->power_trace, cfg)) != 0)
        goto out;
    if (a->schedule != NULL && (code = cli_schedule_open(&c->sink, a->schedule, cfg)) != 0)
        goto out;
    soc_study_hooks_t hooks = {on_record, c, on_power, c, on_run, c};
    if (a->schedule == NULL && !c->keep)
        hooks.on_record = NULL;
    if (a->power_trace == NULL && !c->keep)
        hooks.on_power = NULL;
    int rc = soc_study_run_config(cfg, soc_sched_handle_ops(h), soc_sched_handle_arg(h), &hooks,
                                  &err);
    if (rc != SOC_OK) {
        code = cli_report(&err);
        goto out;
    }
    if (c->oom || c->kept.oom) {
        fprintf(stderr, "socsim: out of memory\n");
        code = CLI_FAIL;
        goto out;
    }
    if (c->keep && (int)a->run > c->n_runs) {
        fprintf(stderr, "socsim: --run %" PRIu64 ": there are %d runs\n", a->run, c->n_runs);
        code = CLI_USAGE;
        goto out;
    }
    if (c->keep) {
        char title[700];
        const char *src = cfg->source ? cfg->source : "config";
        const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
        if (c->n_runs > 1)
            snprintf(title, sizeof title, "%s -- %s, seed %" PRIu64 ", run %" PRIu64
                                          " of %d (scale %" PRId64 ", iteration %d)",
                     base, spec, cfg->seed, a->run, c->n_runs, c->kept_run.scale,
                     c->kept_run.iteration);
        else
            snprintf(title, sizeof title, "%s -- %s, seed %" PRIu64, base, spec, cfg->seed);
        if (c->n_runs > 1 && a->run == 1)
            fprintf(stderr, "socsim: --gantt/--trace show run 1 of %d (scale %" PRId64
                            ", iteration %d); choose another with --run N\n",
                    c->n_runs, c->kept_run.scale, c->kept_run.iteration);
        int x;
        if (a->trace != NULL && (x = cli_trace_write(a->trace, &c->kept, title)) != 0)
            code = x;
        cli_gantt_opts_t go = cli_gantt_defaults();
        go.title = title;
        if (code == CLI_OK && a->gantt != NULL && (x = cli_gantt_write(a->gantt, &c->kept, &go)) != 0)
            code = x;
    }
out:
    if (cli_schedule_close(&c->sink, code == CLI_OK) != 0 && code == CLI_OK)
        code = CLI_FAIL;
    if (cli_power_close(&c->ps, code == CLI_OK) != 0 && code == CLI_OK)
        code = CLI_FAIL;
    if (c->keep)
        cli_sched_free(&c->kept);
    soc_sched_handle_free(h);
    return code;
}

/* Split "heft,etf,peft" (malloc'ed array of malloc'ed strings). */
static char **split_specs(const char *list, int *n)
{
    *n = 0;
    char **v = calloc(strlen(list) + 2, sizeof *v);
    if (v == NULL)
        return NULL;
    const char *p = list;
    while (1) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0 && (v[*n] = soc__strndup(p, len)) != NULL)
            (*n)++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return v;
}

static int load_config(soc_config_t *cfg, const run_args_t *a, const char *path)
{
    soc_error_t err = {0};
    soc_load_options_t lo = {sizeof lo, (const char *const *)a->sets, {cli_warning, NULL}};
    if (a->ds3 != NULL) {
        if (soc_load_ds3_opts(cfg, path, &lo, &err) != SOC_OK)
            return cli_report(&err);
        return 0;
    }
    if (soc_load_yaml_opts(cfg, path, &lo, &err) == SOC_OK)
        return 0;
    if ((err.code == SOC_EPARSE || err.code == SOC_ECONFIG) && looks_like_ini(path)) {
        fprintf(stderr,
                "socsim: %s looks like DS3's config_file.ini, not a socsim YAML config; run it "
                "with --ds3:\n  socsim run --ds3 %s\n(or convert it: socsim convert-ds3 %s -o "
                "config.yaml)\n",
                path, path, path);
        return CLI_USAGE;
    }
    return cli_report(&err);
}

/* Run step 1: the command line's --seed and --jobs, then the config's
 * outputs: section for what the command line left. */
static void apply_run_args(soc_config_t *cfg, run_args_t *a)
{
    if (a->have_seed)
        cfg->seed = a->seed;
    if (a->have_jobs)
        cfg->injection.max_jobs = (int64_t)a->jobs;
    /* the config's outputs: section fills in what the command line left */
    if (a->schedule == NULL)
        a->schedule = soc_config_setting(cfg, SOC_SETTING_SCHEDULE);
    if (a->gantt == NULL)
        a->gantt = soc_config_setting(cfg, SOC_SETTING_GANTT);
    if (a->trace == NULL)
        a->trace = soc_config_setting(cfg, SOC_SETTING_TRACE);
    if (a->power_trace == NULL)
        a->power_trace = soc_config_setting(cfg, SOC_SETTING_POWER_TRACE);
    a->json |= soc_config_setting(cfg, SOC_SETTING_JSON) != NULL;
}

/* Run step 2: DS3 options for a DS3-semantics config without them, the
 * finalized config, --power-trace's power model, and the number of runs
 * (scale values x iterations; none is an error). */
static int prepare_config(soc_config_t *cfg, const run_args_t *a, int *n_runs, soc_error_t *err)
{
    if (cfg->semantics == SOC_SEM_DS3 && cfg->ds3 == NULL) {
        if ((cfg->ds3 = malloc(sizeof *cfg->ds3)) == NULL)
            return CLI_FAIL;
        soc_ds3_options_from_config(cfg->ds3, cfg);
    }
    if (soc_config_finalize(cfg, err) != SOC_OK)
        return cli_report(err);
    if (a->power_trace != NULL && !cfg->power_model) {
        fprintf(stderr, "socsim: --power-trace needs the power model (power: true in the "
                        "config)\n");
        return CLI_USAGE;
    }
    /* zero iterations or an empty scale list: DS3 would run nothing */
    soc_run_id_t *runs;
    if (soc_study_runs(cfg, &runs, n_runs, err) != SOC_OK)
        return cli_report(err);
    free(runs);
    return CLI_OK;
}

/* Run step 3: every scheduler name is checked before anything runs (and,
 * in DS3 semantics, that DS3 can run it). */
static int check_schedulers(const soc_config_t *cfg, const run_args_t *a, const char *path,
                            char **specs, int n_specs, soc_error_t *err)
{
    int code = CLI_OK;
    for (int i = 0; i < n_specs && code == CLI_OK; i++) {
        soc_sched_handle_t *h = NULL;
        if (soc_sched_resolve(specs[i], &h, err) != SOC_OK) {
            if (cfg->semantics == SOC_SEM_DS3 && is_cp(specs[i]))
                snprintf(err->msg, sizeof err->msg,
                         "DS3's CP scheduler needs IBM CPLEX and is not supported; use met, "
                         "eft, etf, stf, etf_lb or cpu_only");
            code = cli_report(err);
        } else if (cfg->semantics == SOC_SEM_DS3 &&
                   soc_sched_ext_find(soc_sched_handle_ops(h), SOC_SCHED_EXT_DS3) == NULL) {
            code = explain_ds3_sched(a, path, specs[i]);
        }
        soc_sched_handle_free(h);
    }
    return code;
}

int cli_cmd_run(int argc, char **argv)
{
    run_args_t a = {0};
    a.run = 1;
    soc_config_t cfg;
    int loaded = 0, code = CLI_OK, n_specs = 0, n_runs = 0;
    char **specs = NULL;
    table_t table = {0};
    int first = cli_parse(argc, argv, run_opts, run_usage, run_about, run_opt, &a);
    if (first == -2)
        goto done;
    if (first < 0) {
        code = a.oom ? CLI_FAIL : CLI_USAGE;
        goto done;
    }
    const char *path = a.ds3;
    if (path == NULL && argc - first == 1)
        path = argv[first++];
    if (path == NULL || argc != first) {
        fprintf(stderr, "usage: %s\n(try 'socsim run --help')\n", run_usage);
        code = CLI_USAGE;
        goto done;
    }
    if ((code = load_config(&cfg, &a, path)) != 0)
        goto done;
    loaded = 1;
    apply_run_args(&cfg, &a);
    soc_error_t err = {0};
    if ((code = prepare_config(&cfg, &a, &n_runs, &err)) != CLI_OK)
        goto done;
    const char *list = a.sched ? a.sched
                       : cfg.scheduler ? cfg.scheduler
                       : cfg.semantics == SOC_SEM_DS3 ? "etf" : "heft";
    if ((specs = split_specs(list, &n_specs)) == NULL || n_specs == 0) {
        fprintf(stderr, "socsim: --scheduler: no scheduler named\n");
        code = n_specs == 0 && specs ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    if (n_specs > 1 && (a.schedule || a.gantt || a.trace || a.power_trace)) {
        fprintf(stderr, "socsim: --schedule, --gantt, --trace and --power-trace (or the "
                        "config's outputs:) need a single scheduler; run the others "
                        "separately\n");
        code = CLI_USAGE;
        goto done;
    }
    code = check_schedulers(&cfg, &a, path, specs, n_specs, &err);
    /* a scheduler that fails on this workload does not stop the others */
    for (int i = 0; i < n_specs && (code == CLI_OK || (n_specs > 1 && code == CLI_FAIL)); i++) {
        run_ctx_t c;
        memset(&c, 0, sizeof c);
        c.cfg = &cfg;
        c.a = &a;
        c.multi = n_specs > 1;
        c.n_runs = n_runs;
        c.table = &table;
        int x = run_one(&c, specs[i], path);
        if (x != CLI_OK && code == CLI_OK)
            code = x;
    }
    if (n_specs > 1 && !a.json && table.n > 0)
        table_print(stdout, &table);
done:
    for (int i = 0; i < n_specs; i++)
        free(specs[i]);
    free(specs);
    free(table.rows);
    if (loaded)
        soc_config_free(&cfg);
    free(a.sets);
    return code;
}
