/*
 * cli_ds3.c -- `socsim run --ds3 config_file.ini` and `socsim convert-ds3`:
 * DS3's own input files, run in DS3 semantics, one result per (scale,
 * iteration) in DS3's order (or the single validation run).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"

enum { OPT_DS3 = 256, OPT_JSON, OPT_SCHEDULE, OPT_SET, OPT_POWER_TRACE, OPT_SCHED = 's',
       OPT_OUT = 'o' };

typedef struct ds3_args {
    const char *ini;
    const char *sched;
    const char *schedule;
    const char *out;
    const char *power_trace;
    int json;
    const char **sets;  /* NULL-terminated */
    int n_sets;
    int oom;
} ds3_args_t;

static int ds3_opt(void *user, int key, const char *arg)
{
    ds3_args_t *a = user;
    switch (key) {
    case OPT_DS3:
        a->ini = arg;
        return 0;
    case OPT_JSON:
        a->json = 1;
        return 0;
    case OPT_SCHED:
        a->sched = arg;
        return 0;
    case OPT_SCHEDULE:
        a->schedule = arg;
        return 0;
    case OPT_OUT:
        a->out = arg;
        return 0;
    case OPT_POWER_TRACE:
        a->power_trace = arg;
        return 0;
    case OPT_SET: {
        if (strchr(arg, '=') == NULL) {
            fprintf(stderr, "socsim: --set expects KEY=VALUE, got '%s'\n", arg);
            return -1;
        }
        const char **ns = realloc(a->sets, sizeof *ns * (size_t)(a->n_sets + 2));
        if (ns == NULL) {
            a->oom = 1;
            return -1;
        }
        a->sets = ns;
        a->sets[a->n_sets++] = arg;
        a->sets[a->n_sets] = NULL;
        return 0;
    }
    default:
        return -1;
    }
}

/* DS3-like text report of one run (DS3 prints these with info_job = yes). */
static void print_ds3_text(FILE *out, const soc_metrics_t *m, const soc_run_id_t *run,
                           int validation)
{
    char a[32];
    if (validation)
        fprintf(out, "[I] Validation run, scheduler %s\n", m->scheduler);
    else
        fprintf(out, "[I] Scale %" PRId64 ", iteration %d, scheduler %s\n", run->scale,
                run->iteration, m->scheduler);
    fprintf(out, "[I] Number of injected jobs: %" PRId64 "\n", m->injected_jobs);
    fprintf(out, "[I] Number of completed jobs: %" PRId64 "\n", m->completed_jobs);
    fprintf(out, "[I] Ave latency: %s\n", soc__num(a, m->avg_latency_us));
    fprintf(out, "[I] Execution time(us)             : %s\n", soc__num(a, m->makespan_us));
    fprintf(out, "[I] Cumulative Execution time(us)  : %s\n",
            soc__num(a, m->cumulative_latency_us));
    fprintf(out, "[I] Total energy consumption(J)    : %s\n", soc__num(a, m->energy_j));
    fprintf(out, "[I] EDP                            : %s\n", soc__num(a, m->edp));
    fprintf(out, "[I] Average concurrent jobs        : %s\n",
            soc__num(a, m->avg_concurrent_jobs));
    fprintf(out, "[I] Tasks completed                : %" PRId64 "\n", m->tasks_completed);
}

static int is_cp(const char *s)
{
    return (s[0] == 'c' || s[0] == 'C') && (s[1] == 'p' || s[1] == 'P') && s[2] == '\0';
}

typedef struct ds3_print {
    const soc_config_t *cfg;
    int json;
    cli_power_sink_t *ps;
} ds3_print_t;

/* After each (scale, iteration) run: its results, in DS3's order. */
static int on_run(void *user, int index, const soc_run_id_t *run, soc_sim_t *sim)
{
    ds3_print_t *p = user;
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    int validation = p->cfg->ds3 != NULL && p->cfg->ds3->validation;
    if (p->json)
        cli_print_json(stdout, sim);
    else
        print_ds3_text(stdout, &m, run, validation);
    if (validation && m.completed_jobs < m.injected_jobs)
        fprintf(stderr, "socsim: warning: not all generated jobs completed within "
                        "simulation_length (DS3 stops with an error here)\n");
    fflush(stdout);
    p->ps->run = index + 1;
    return SOC_OK;
}

int cli_ds3_run_loaded(soc_config_t *cfg, const char *sched_override, int json,
                       const char *schedule_path, const char *power_trace)
{
    soc_error_t err = {0};
    if (cfg->ds3 == NULL) {
        cfg->ds3 = malloc(sizeof *cfg->ds3);
        if (cfg->ds3 == NULL) {
            fprintf(stderr, "socsim: out of memory\n");
            return CLI_FAIL;
        }
        soc_ds3_options_from_config(cfg->ds3, cfg);
    }
    if (soc_config_finalize(cfg, &err) != SOC_OK)
        return cli_report(&err);
    /* zero iterations or an empty scale list: DS3 would run nothing */
    soc_run_id_t *runs;
    int n_runs;
    if (soc_study_runs(cfg, &runs, &n_runs, &err) != SOC_OK)
        return cli_report(&err);
    free(runs);
    const char *spec = sched_override ? sched_override : cfg->scheduler ? cfg->scheduler : "etf";
    soc_sched_handle_t *h = NULL;
    if (soc_sched_resolve(spec, &h, &err) != SOC_OK) {
        if (is_cp(spec))
            snprintf(err.msg, sizeof err.msg,
                     "DS3's CP scheduler needs IBM CPLEX and is not supported; use met, eft, "
                     "etf, stf, etf_lb or cpu_only");
        return cli_report(&err);
    }
    cli_sink_t sink = {0};
    cli_power_sink_t ps = {0};
    int code = CLI_OK;
    if (power_trace != NULL && (code = cli_power_open(&ps, power_trace, cfg)) != 0) {
        soc_sched_handle_free(h);
        return code;
    }
    if (schedule_path != NULL && (code = cli_schedule_open(&sink, schedule_path, cfg)) != 0) {
        cli_power_close(&ps);
        soc_sched_handle_free(h);
        return code;
    }
    cli_hooks_t k = cli_sink_hooks(&sink, &ps);
    ds3_print_t pr = {cfg, json, &ps};
    soc_study_hooks_t hooks = {k.on_record, k.record_user, k.on_power, k.power_user, on_run, &pr};
    int rc = soc_study_run_config(cfg, soc_sched_handle_ops(h), soc_sched_handle_arg(h), &hooks,
                                  &err);
    if (cli_schedule_close(&sink) != 0 && code == CLI_OK)
        code = CLI_FAIL;
    if (cli_power_close(&ps) != 0 && code == CLI_OK)
        code = CLI_FAIL;
    if (rc != SOC_OK)
        code = cli_report(&err);
    soc_sched_handle_free(h);
    return code;
}

static const cli_opt_t run_opts[] = {
    {"ds3", OPT_DS3, 1, "INI", "DS3 config_file.ini (SoC and job files under config_SoC/ and "
                               "config_Jobs/ next to it)"},
    {"json", OPT_JSON, 0, NULL, "one JSON object per (scale, iteration) run"},
    {"scheduler", OPT_SCHED, 1, "NAME", "override the ini's scheduler: met, eft, etf, stf, "
                                        "etf_lb, cpu_only"},
    {"schedule", OPT_SCHEDULE, 1, "FILE", "write every run's per-task schedule as CSV"},
    {"set", OPT_SET, 1, "KEY=VALUE", "override an ini option (repeatable)"},
    {"power-trace", OPT_POWER_TRACE, 1, "FILE.csv",
     "write the power time series of every run (frequency, power, temperature)"},
    {NULL, 0, 0, NULL, NULL},
};

int cli_run_ds3(int argc, char **argv)
{
    static const char usage[] =
        "socsim run --ds3 PATH/config_file.ini [--json] [--scheduler NAME] [--schedule FILE] "
        "[--set KEY=VALUE]... [--power-trace FILE.csv]";
    ds3_args_t a = {0};
    int first = cli_parse(argc, argv, run_opts, usage,
                          "Run DS3 (DASH-Sim) input files in DS3 semantics and report DS3's "
                          "results:\nperformance mode runs every scale value x iteration, "
                          "validation mode one run\nuntil simulation_length.  See docs/ds3.md.",
                          ds3_opt, &a);
    int code = CLI_OK;
    if (first == -2)
        goto out;
    if (first < 0) {
        code = a.oom ? CLI_FAIL : CLI_USAGE;
        goto out;
    }
    if (a.ini == NULL && argc - first == 1)
        a.ini = argv[first++];
    if (a.ini == NULL || argc != first) {
        fprintf(stderr, "usage: %s\n", usage);
        code = CLI_USAGE;
        goto out;
    }
    soc_config_t cfg;
    soc_error_t err = {0};
    soc_load_options_t lo = {sizeof lo, (const char *const *)a.sets, {cli_warning, NULL}};
    if (soc_load_ds3_opts(&cfg, a.ini, &lo, &err) != SOC_OK) {
        code = cli_report(&err);
        goto out;
    }
    code = cli_ds3_run_loaded(&cfg, a.sched, a.json, a.schedule, a.power_trace);
    soc_config_free(&cfg);
out:
    free(a.sets);
    return code;
}

static const cli_opt_t conv_opts[] = {
    {"output", OPT_OUT, 1, "FILE", "write the YAML here (default: standard output)"},
    {"set", OPT_SET, 1, "KEY=VALUE", "override an ini option (repeatable)"},
    {NULL, 0, 0, NULL, NULL},
};

int cli_cmd_convert_ds3(int argc, char **argv)
{
    static const char usage[] = "socsim convert-ds3 PATH/config_file.ini [-o OUT.yaml] "
                                "[--set KEY=VALUE]...";
    ds3_args_t a = {0};
    int first = cli_parse(argc, argv, conv_opts, usage,
                          "Convert DS3 input files (ini, SoC, jobs) to one socsim YAML file "
                          "with `semantics: ds3`;\n`socsim run OUT.yaml` then gives the same "
                          "results as `socsim run --ds3`.",
                          ds3_opt, &a);
    int code = CLI_OK;
    FILE *out = NULL;
    soc_config_t cfg;
    int loaded = 0;
    if (first == -2)
        goto done;
    if (first < 0 || argc - first != 1) {
        if (first >= 0)
            fprintf(stderr, "usage: %s\n", usage);
        code = a.oom ? CLI_FAIL : CLI_USAGE;
        goto done;
    }
    soc_error_t err = {0};
    soc_load_options_t lo = {sizeof lo, (const char *const *)a.sets, {cli_warning, NULL}};
    if (soc_load_ds3_opts(&cfg, argv[first], &lo, &err) != SOC_OK) {
        code = cli_report(&err);
        goto done;
    }
    loaded = 1;
    if (a.out == NULL || strcmp(a.out, "-") == 0) {
        out = stdout;
    } else if ((out = fopen(a.out, "w")) == NULL) {
        fprintf(stderr, "socsim: %s: cannot write\n", a.out);
        code = CLI_USAGE;
        goto done;
    }
    if (soc_write_yaml(&cfg, out, &err) != SOC_OK)
        code = cli_report(&err);
    if (out != stdout && fclose(out) != 0 && code == CLI_OK) {
        fprintf(stderr, "socsim: %s: write error\n", a.out);
        code = CLI_FAIL;
    }
done:
    if (loaded)
        soc_config_free(&cfg);
    free(a.sets);
    return code;
}
