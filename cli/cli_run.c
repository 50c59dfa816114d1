/*
 * cli_run.c -- `socsim run`, `socsim validate`, `socsim schedulers` and the
 * default comparison (`socsim` without arguments).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "cli_trace.h"
#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"



/* ------------------------------------------------------------ helpers */

static void print_text(FILE *out, const soc_config_t *cfg, const soc_metrics_t *m)
{
    char a[32];
    fprintf(out, "scheduler            %s\n", m->scheduler);
    fprintf(out, "seed                 %" PRIu64 "\n", m->seed);
    fprintf(out, "jobs injected        %" PRId64 "\n", m->injected_jobs);
    fprintf(out, "jobs completed       %" PRId64 "\n", m->completed_jobs);
    fprintf(out, "tasks completed      %" PRId64 "\n", m->tasks_completed);
    fprintf(out, "latency avg (us)     %s\n", soc__num(a, m->avg_latency_us));
    fprintf(out, "latency p50 (us)     %s\n", soc__num(a, m->p50_latency_us));
    fprintf(out, "latency p95 (us)     %s\n", soc__num(a, m->p95_latency_us));
    fprintf(out, "latency p99 (us)     %s\n", soc__num(a, m->p99_latency_us));
    fprintf(out, "latency max (us)     %s\n", soc__num(a, m->max_latency_us));
    fprintf(out, "makespan (us)        %s\n", soc__num(a, m->makespan_us));
    fprintf(out, "throughput (jobs/s)  %.10g\n", m->throughput_jobs_per_s);
    if (m->deadline_jobs > 0)
        fprintf(out, "deadline misses      %" PRId64 " of %" PRId64 "\n",
                m->deadline_misses, m->deadline_jobs);
    if (m->has_energy) {
        fprintf(out, "energy (J)           %s\n", soc__num(a, m->energy_j));
        fprintf(out, "EDP (us*J)           %s\n", soc__num(a, m->edp));
    }
    if (m->has_net) { /* interconnect contention (docs/semantics.md) */
        int busiest = 0;
        for (int i = 1; i < m->n_links; i++)
            if (m->link_utilization[i] > m->link_utilization[busiest])
                busiest = i;
        fprintf(out, "transfers            %" PRId64 "\n", m->transfers);
        fprintf(out, "transfer avg (us)    %s\n", soc__num(a, m->avg_transfer_us));
        fprintf(out, "transfer p95 (us)    %s\n", soc__num(a, m->p95_transfer_us));
        if (m->n_links > 0)
            fprintf(out, "busiest link         %s=%.3f\n", m->link_names[busiest],
                    m->link_utilization[busiest]);
    }
    fprintf(out, "PE utilization      ");
    const soc_platform_t *p = &cfg->platform;
    for (int i = 0; i < m->n_pes; i++)
        fprintf(out, " %s_%d=%.3f", p->clusters[p->pe_cluster[i]].name, i,
                m->pe_utilization[i]);
    fprintf(out, "\n");
}

/* ---------------------------------------------------------------- run */

enum { OPT_SCHED = 's', OPT_SEED = 256, OPT_JOBS, OPT_JSON, OPT_SCHEDULE, OPT_DS3, OPT_GANTT, OPT_TRACE,
       OPT_POWER_TRACE };

static const cli_opt_t run_opts[] = {
    {"scheduler", 's', 1, "NAME", "scheduler (overrides the config): see 'socsim schedulers'; plugin:PATH.so"},
    {"seed", OPT_SEED, 1, "N", "random seed (overrides the config)"},
    {"jobs", OPT_JOBS, 1, "N", "measured jobs to run (overrides stop.jobs)"},
    {"json", OPT_JSON, 0, NULL, "print one JSON object per run on its own line"},
    {"schedule", OPT_SCHEDULE, 1, "FILE", "write the per-task schedule as CSV"},
    {"ds3", OPT_DS3, 1, "INI", "run DS3 files (config_file.ini); see 'socsim run --ds3 x --help'"},
    {"gantt", OPT_GANTT, 1, "FILE.png", "draw the schedule as a Gantt chart (needs gnuplot)"},
    {"trace", OPT_TRACE, 1, "FILE.json", "write the schedule as a Chrome/Perfetto trace"},
    {"power-trace", OPT_POWER_TRACE, 1, "FILE.csv",
     "write the power time series (frequency, power, temperature; needs power: true)"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct run_args {
    const char *sched;
    uint64_t seed;
    int have_seed;
    uint64_t jobs;
    int have_jobs;
    int json;
    const char *schedule;
    const char *gantt, *trace;
    const char *power_trace;
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
        if (cli_parse_u64("--jobs", arg, &r->jobs) != 0)
            return -1;
        if (r->jobs == 0 || r->jobs > ((uint64_t)1 << 40)) {
            fprintf(stderr, "socsim: --jobs must be between 1 and 2^40\n");
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
    case OPT_POWER_TRACE:
        r->power_trace = arg;
        return 0;
    case OPT_TRACE:
        r->trace = arg;
        return 0;
    default:
        return -1;
    }
}

static const char run_usage[] =
    "socsim run CONFIG.yaml [--scheduler NAME] [--seed N] [--jobs N] [--json] [--schedule FILE]\n"
    "                  [--gantt FILE.png] [--trace FILE.json] [--power-trace FILE.csv]\n"
    "       socsim run --ds3 PATH/config_file.ini [--json] [--scheduler NAME] [--schedule FILE]";

int cli_cmd_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--ds3") == 0 || strncmp(argv[i], "--ds3=", 6) == 0)
            return cli_run_ds3(argc, argv);
    run_args_t r = {0};
    int first = cli_parse(argc, argv, run_opts, run_usage,
                          "Run one simulation of CONFIG.yaml and print its metrics.", run_opt, &r);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc - first != 1) {
        fprintf(stderr, "usage: %s\n", run_usage);
        return CLI_USAGE;
    }
    soc_config_t cfg;
    soc_error_t err = {0};
    if (soc_load_yaml(&cfg, argv[first], &err) != SOC_OK)
        return cli_report(&err);
    if (r.have_seed)
        cfg.seed = r.seed;
    if (r.have_jobs)
        cfg.injection.max_jobs = (int64_t)r.jobs;
    /* the config's outputs: section fills in what the command line left */
    if (r.schedule == NULL)
        r.schedule = soc_config_setting(&cfg, SOC_SETTING_SCHEDULE);
    if (r.gantt == NULL)
        r.gantt = soc_config_setting(&cfg, SOC_SETTING_GANTT);
    if (r.trace == NULL)
        r.trace = soc_config_setting(&cfg, SOC_SETTING_TRACE);
    if (r.power_trace == NULL)
        r.power_trace = soc_config_setting(&cfg, SOC_SETTING_POWER_TRACE);
    r.json |= soc_config_setting(&cfg, SOC_SETTING_JSON) != NULL;
    if (cfg.semantics == SOC_SEM_DS3) {
        int x = cli_ds3_run_loaded(&cfg, r.sched, r.json, r.schedule, r.power_trace);
        soc_config_free(&cfg);
        return x;
    }
    if (soc_config_finalize(&cfg, &err) != SOC_OK) {
        int x = cli_report(&err);
        soc_config_free(&cfg);
        return x;
    }
    const char *spec = r.sched ? r.sched : (cfg.scheduler ? cfg.scheduler : "heft");
    cli_sink_t sink = {0};
    int code = CLI_OK;
    cli_power_sink_t ps = {0};
    if (r.power_trace != NULL) {
        const char *why = !cfg.power_model ? "needs the power model (power: true in the config)"
                                           : NULL;
        if (why != NULL) {
            fprintf(stderr, "socsim: --power-trace %s\n", why);
            soc_config_free(&cfg);
            return CLI_USAGE;
        }
        if ((code = cli_power_open(&ps, r.power_trace, &cfg)) != 0) {
            soc_config_free(&cfg);
            return code;
        }
    }
    if (r.schedule != NULL && (code = cli_schedule_open(&sink, r.schedule, &cfg)) != 0) {
        cli_power_close(&ps);
        soc_config_free(&cfg);
        return code;
    }
    soc_sim_t *sim = NULL;
    soc_sched_handle_t *h = NULL;
    cli_hooks_t hooks = cli_sink_hooks(&sink, &ps);
    int rc = r.gantt != NULL || r.trace != NULL
                 ? cli_run_traced(&cfg, spec, &sink, &ps, r.gantt, r.trace, &sim, &h, &err, &code)
                 : cli_run_config(&cfg, spec, &hooks, &sim, &h, &err);
    if (cli_schedule_close(&sink) != 0)
        code = CLI_FAIL;
    if (cli_power_close(&ps) != 0)
        code = CLI_FAIL;
    if (rc != SOC_OK) {
        code = cli_report(&err);
    } else {
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        if (r.json)
            cli_print_json(stdout, sim);
        else
            print_text(stdout, &cfg, &m);
    }
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
    soc_config_free(&cfg);
    return code;
}

/* ----------------------------------------------------------- validate */

static const cli_opt_t no_opts[] = {{NULL, 0, 0, NULL, NULL}};
static int no_opt(void *user, int key, const char *arg)
{
    return -1;
}

int cli_cmd_validate(int argc, char **argv)
{
    static const char usage[] = "socsim validate CONFIG.yaml";
    int first = cli_parse(argc, argv, no_opts, usage,
                          "Load and check CONFIG.yaml (and the files it references); "
                          "describe it.\nExit 0 when valid, 2 with file:line:col otherwise.",
                          no_opt, NULL);
    if (first == -2)
        return CLI_OK;
    if (first < 0 || argc - first != 1) {
        if (first >= 0)
            fprintf(stderr, "usage: %s\n", usage);
        return CLI_USAGE;
    }
    soc_config_t cfg;
    soc_error_t err = {0};
    if (soc_load_yaml(&cfg, argv[first], &err) != SOC_OK)
        return cli_report(&err);
    if (soc_config_finalize(&cfg, &err) != SOC_OK) {
        int x = cli_report(&err);
        soc_config_free(&cfg);
        return x;
    }
    const soc_platform_t *p = &cfg.platform;
    printf("%s: valid\n", argv[first]);
    printf("semantics   %s\n", cfg.semantics == SOC_SEM_DS3 ? "ds3" : "native");
    printf("scheduler   %s\n", cfg.scheduler ? cfg.scheduler : "(default heft)");
    printf("platform    %s: %d PEs in %d clusters, %d task types\n",
           p->name ? p->name : "(unnamed)", p->n_pes, p->n_clusters, p->n_types);
    for (int c = 0; c < p->n_clusters; c++) {
        int sup = 0;
        for (int t = 0; t < p->n_types; t++)
            sup += p->clusters[c].exec_us != NULL && p->clusters[c].exec_us[t] >= 0;
        printf("  %-12s %-10s x%-3d %s%d task types\n", p->clusters[c].name,
               p->clusters[c].kind ? p->clusters[c].kind : "", p->clusters[c].count,
               p->clusters[c].is_memory ? "memory, " : "", sup);
    }
    const soc_contention_t *nc = p->contention;
    if (nc != NULL && nc->model == SOC_NET_BUS)
        printf("contention  bus, %d channel(s)\n", nc->channels);
    else if (nc != NULL && nc->model == SOC_NET_FLOW && nc->topology == SOC_TOPO_MESH)
        printf("contention  flow (max-min), %d x %d mesh\n", nc->cols, nc->rows);
    else if (nc != NULL && nc->model == SOC_NET_FLOW)
        printf("contention  flow (max-min), %s\n",
               nc->topology == SOC_TOPO_SHARED_BUS ? "shared bus" : "crossbar");
    printf("apps        %d\n", cfg.n_apps);
    for (int a = 0; a < cfg.n_apps; a++) {
        const soc_app_t *app = &cfg.apps[a];
        printf("  %-22s p=%-6g %3d tasks %3d edges, critical path >= %g us\n", app->name,
               app->probability, app->n_tasks, app->n_edges,
               soc_app_critical_path_us(p, app));
    }
    soc_config_free(&cfg);
    return CLI_OK;
}

/* --------------------------------------------------------- schedulers */

int cli_cmd_schedulers(int argc, char **argv)
{
    int first = cli_parse(argc, argv, no_opts, "socsim schedulers",
                          "List the built-in schedulers.  Any of them can be given as\n"
                          "--scheduler NAME or `scheduler: NAME`; external ones as plugin:PATH.so.",
                          no_opt, NULL);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    for (const soc_sched_ops_t *const *s = soc_sched_list(); *s != NULL; s++)
        printf("%-12s %s%s\n", (*s)->name, (*s)->description ? (*s)->description : "",
               soc_sched_ext_find(*s, SOC_SCHED_EXT_DS3) ? " [DS3-exact in ds3 semantics]" : "");
    return CLI_OK;
}

/* ------------------------------------------------------------ default */

int cli_cmd_default(int argc, char **argv)
{
    static const cli_opt_t opts[] = {
        {"json", OPT_JSON, 0, NULL, "one JSON object per scheduler instead of the table"},
        {"seed", OPT_SEED, 1, "N", "random seed"},
        {"jobs", OPT_JOBS, 1, "N", "measured jobs per run"},
        {NULL, 0, 0, NULL, NULL},
    };
    run_args_t r = {0};
    int first = cli_parse(argc, argv, opts, "socsim [default] [--json] [--seed N] [--jobs N]",
                          "Run the embedded default (a heterogeneous SoC with DS3's six-application\n"
                          "mix under Poisson arrivals) with every scheduler and compare them.",
                          run_opt, &r);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    soc_config_t cfg;
    soc_error_t err = {0};
    if (soc_load_yaml_string(&cfg, soc_default_config_yaml(), "<embedded default>", NULL, &err) != SOC_OK)
        return cli_report(&err);
    if (r.have_seed)
        cfg.seed = r.seed;
    if (r.have_jobs)
        cfg.injection.max_jobs = (int64_t)r.jobs;
    if (soc_config_finalize(&cfg, &err) != SOC_OK) {
        int x = cli_report(&err);
        soc_config_free(&cfg);
        return x;
    }
    if (!r.json) {
        printf("socsim %s -- embedded default: %s, %d PEs, %d applications, %s arrivals "
               "(mean %g us), %" PRId64 " jobs, seed %" PRIu64 "\n\n",
               soc_version(), cfg.platform.name ? cfg.platform.name : "SoC", cfg.platform.n_pes,
               cfg.n_apps,
               cfg.injection.kind == SOC_ARRIVAL_POISSON ? "Poisson" : "periodic",
               cfg.injection.mean_us, cfg.injection.max_jobs, cfg.seed);
        printf("%-12s %9s %11s %11s %11s %11s %12s %12s %8s\n", "scheduler", "completed",
               "avg lat us", "p50 us", "p95 us", "p99 us", "makespan us", "jobs/s", "avg util");
    }
    int code = CLI_OK;
    for (const soc_sched_ops_t *const *s = soc_sched_list(); *s != NULL; s++) {
        soc_sim_t *sim = NULL;
        soc_sched_handle_t *h = NULL;
        soc_error_t e = {0};
        char spec[1200];
        snprintf(spec, sizeof spec, "%s", (*s)->name);
#ifdef SOC_DEFAULT_POLICY
        /* the shipped policy trained for this very workload */
        if (strcmp((*s)->name, "neural") == 0 && access(SOC_DEFAULT_POLICY, R_OK) == 0)
            snprintf(spec, sizeof spec, "neural:%s", SOC_DEFAULT_POLICY);
#endif
        int rc = cli_run_config(&cfg, spec, NULL, &sim, &h, &e);
        if (rc == SOC_OK) {
            soc_metrics_t m;
            soc_sim_metrics(sim, &m);
            if (r.json) {
                cli_print_json(stdout, sim);
            } else {
                double u = 0;
                for (int i = 0; i < m.n_pes; i++)
                    u += m.pe_utilization[i];
                printf("%-12s %9" PRId64 " %11.2f %11.2f %11.2f %11.2f %12.1f %12.1f %8.3f\n",
                       m.scheduler, m.completed_jobs, m.avg_latency_us, m.p50_latency_us,
                       m.p95_latency_us, m.p99_latency_us, m.makespan_us,
                       m.throughput_jobs_per_s, m.n_pes ? u / m.n_pes : 0);
            }
        } else if (!r.json) {
            char buf[600];
            printf("%-12s skipped: %s\n", (*s)->name, soc_error_format(&e, buf, sizeof buf));
        }
        soc_sim_destroy(sim);
        soc_sched_handle_free(h);
    }
    soc_config_free(&cfg);
    return code;
}
