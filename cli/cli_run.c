/*
 * cli_run.c -- `socsim run`, `socsim validate`, `socsim schedulers` and the
 * default comparison (`socsim` without arguments).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "cli_trace.h"
#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"



enum { OPT_SEED = 256, OPT_JOBS, OPT_JSON };

typedef struct default_args {
    uint64_t seed, jobs;
    int have_seed, have_jobs, json;
} default_args_t;

static int default_opt(void *user, int key, const char *arg)
{
    default_args_t *r = user;
    switch (key) {
    case OPT_SEED:
        r->have_seed = 1;
        return cli_parse_u64("--seed", arg, &r->seed);
    case OPT_JOBS:
        r->have_jobs = 1;
        return cli_parse_jobs(arg, &r->jobs);
    case OPT_JSON:
        r->json = 1;
        return 0;
    default:
        return -1;
    }
}

/* ----------------------------------------------------------- validate */

static const cli_opt_t no_opts[] = {{NULL, 0, 0, NULL, NULL}};
static int no_opt(void *user, int key, const char *arg)
{
    (void)user;
    (void)key;
    (void)arg;
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

/* The variants a built-in accepts, e.g. "heft:mean (default), heft:best,
 * heft:worst"; "" when it takes no argument. */
static void variants(char *out, size_t size, const soc_sched_ops_t *s)
{
    const char *args = soc_sched_arg_choices(s->name);
    size_t used = 0;
    out[0] = '\0';
    if (strcmp(s->name, "neural") == 0) {
        snprintf(out, size, "neural:WEIGHTS (a trained policy, e.g. neural:examples/policies/"
                            "multiple_bal.weights; required)");
        return;
    }
    if (args == NULL || args[0] == '\0')
        return;
    if (strcmp(args, "#") == 0) {
        snprintf(out, size, "%s:N (a positive integer budget)", s->name);
        return;
    }
    for (const char *w = args; *w && used + 1 < size;) {
        const char *bar = strchr(w, '|');
        int n = bar ? (int)(bar - w) : (int)strlen(w);
        int first = w == args;
        /* the first word is the behaviour without an argument */
        used += (size_t)snprintf(out + used, size - used, "%s%s:%.*s%s", first ? "" : ", ",
                                 s->name, n, w, first ? " (default)" : "");
        if (used >= size)
            used = size - 1;
        w = bar ? bar + 1 : w + n;
    }
}

int cli_cmd_schedulers(int argc, char **argv)
{
    int first = cli_parse(argc, argv, no_opts, "socsim schedulers",
                          "List the built-in schedulers and their variants.  Any of them can be\n"
                          "given as --scheduler NAME[:ARG] (several, comma separated, with 'run'),\n"
                          "or `scheduler: NAME` in a config; external ones as plugin:PATH.so[:ARG].",
                          no_opt, NULL);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    for (const soc_sched_ops_t *const *s = soc_sched_list(); *s != NULL; s++) {
        char v[400];
        printf("%-12s %s%s\n", (*s)->name, (*s)->description ? (*s)->description : "",
               soc_sched_ext_find(*s, SOC_SCHED_EXT_DS3) ? " [DS3-exact in ds3 semantics]" : "");
        variants(v, sizeof v, *s);
        if (v[0] != '\0')
            printf("%-12s   variants: %s\n", "", v);
    }
    printf("\nplug-ins: plugin:PATH.so[:ARG] (examples/plugin_scheduler).  In DS3 semantics only\n"
           "the schedulers marked [DS3-exact] run; docs/schedulers.md describes every one.\n");
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
    default_args_t r = {0};
    int first = cli_parse(argc, argv, opts, "socsim [default] [--json] [--seed N] [--jobs N]",
                          "Run the embedded default (a heterogeneous SoC with DS3's six-application\n"
                          "mix under Poisson arrivals) with every scheduler and compare them.\n"
                          "neural* is the shipped policy examples/policies/default_plan.weights,\n"
                          "trained for this workload (-s neural alone needs weights: neural:FILE).",
                          default_opt, &r);
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
               "(mean %g µs), %" PRId64 " jobs, seed %" PRIu64 "\n\n",
               soc_version(), cfg.platform.name ? cfg.platform.name : "SoC", cfg.platform.n_pes,
               cfg.n_apps,
               cfg.injection.kind == SOC_ARRIVAL_POISSON ? "Poisson" : "periodic",
               cfg.injection.mean_us, cfg.injection.max_jobs, cfg.seed);
        /* widths + 1 where "µ" takes two bytes */
        printf("%-12s %9s %12s %12s %12s %12s %13s %12s %8s\n", "scheduler", "completed",
               "avg lat µs", "p50 µs", "p95 µs", "p99 µs", "makespan µs", "jobs/s", "avg util");
    }
    int code = CLI_OK, policy = 0;
    for (const soc_sched_ops_t *const *s = soc_sched_list(); *s != NULL; s++) {
        soc_sim_t *sim = NULL;
        soc_sched_handle_t *h = NULL;
        soc_error_t e = {0};
        char spec[1200];
        snprintf(spec, sizeof spec, "%s", (*s)->name);
#ifdef SOC_DEFAULT_POLICY
        /* the shipped policy trained for this very workload */
        if (strcmp((*s)->name, "neural") == 0 && access(SOC_DEFAULT_POLICY, R_OK) == 0) {
            snprintf(spec, sizeof spec, "neural:%s", SOC_DEFAULT_POLICY);
            policy = 1;
        }
#endif
        int named_policy = policy && strcmp((*s)->name, "neural") == 0;
        int rc = cli_run_config(&cfg, spec, NULL, &sim, &h, &e);
        if (rc == SOC_OK) {
            soc_metrics_t m;
            soc_sim_metrics(sim, &m);
            if (r.json) {
                cli_print_json(stdout, sim, &cfg);
            } else {
                double u = 0;
                for (int i = 0; i < m.n_pes; i++)
                    u += m.pe_utilization[i];
                printf("%-12s %9" PRId64 " %11.2f %11.2f %11.2f %11.2f %12.1f %12.1f %8.3f\n",
                       named_policy ? "neural*" : m.scheduler, m.completed_jobs, m.avg_latency_us, m.p50_latency_us,
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
    if (policy && !r.json)
        printf("\nneural* = neural:examples/policies/default_plan.weights, the shipped plan-mode "
               "policy trained\nfor this workload (examples/agents/README.md); another policy: "
               "socsim run ... -s neural:FILE\n");
    soc_config_free(&cfg);
    return code;
}
