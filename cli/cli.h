/*
 * cli.h -- shared pieces of the socsim command-line tool: argument parsing,
 * wiring and printing over the library (studies, sweeps and regression
 * live in the library's study layer, soc/study.h).  The CLI uses the
 * public headers and the util layer (soc_util.h).
 */
#ifndef SOC_CLI_H
#define SOC_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "soc/metrics.h"
#include "soc/schedulers.h"
#include "soc/sim.h"
#include "soc/study.h"
#include "soc_util.h"

/* Exit codes of every subcommand. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Print an error as "socsim: file:line:col: message" to stderr and return
 * the exit code that goes with it (2 for input errors, 1 otherwise). */
int cli_report(const soc_error_t *err);
/* soc_warn_fn printing "socsim: warning: file:line: message" (cli_warn.c). */
void cli_warning(void *user, const soc_error_t *w);

/* A finished run's metrics as one JSON line (soc_study_run_json): every
 * metric, null where not available; DS3 runs with scale and iteration;
 * with cfg (may be NULL) also "pe_names", parallel to pe_utilization. */
void cli_print_json(FILE *out, const soc_sim_t *sim, const soc_config_t *cfg);
/* The name of PE pe of a finalized cfg: CLUSTER_INDEX ("A15_4"). */
void cli_pe_name(char *buf, size_t size, const soc_config_t *cfg, int pe);
/* x for text output: 7 significant digits without float noise
 * ("278.9578", "60139", "0.07233006"); JSON keeps full precision. */
const char *cli_fmt(char buf[32], double x);

/* Create the missing parent folders of a file path (mkdir -p); 0, or -1
 * after a message. */
int cli_make_parents(const char *path);
/* An output file written under a temporary name next to it and renamed
 * into place by a successful close, so a failed run leaves no half-written
 * (or header-only) file.  Missing parent folders are created. */
typedef struct cli_out {
    FILE *f;
    char *path, *tmp;
} cli_out_t;
/* 0, or an exit code after a message (a folder given as the path, an
 * unwritable place). */
int cli_out_open(cli_out_t *o, const char *path);
/* keep: rename into place (0, or CLI_FAIL after a message on a write
 * error); !keep: remove the temporary file.  A closed/zeroed o is fine. */
int cli_out_close(cli_out_t *o, int keep);

/* Per-task schedule CSV: job,task,task_type,pe,start_us,finish_us,app,
 * pe_name,arrival_us,task_name (one row per finished task, in completion
 * order). */
typedef struct cli_sink {
    cli_out_t out;
    const soc_config_t *cfg;
} cli_sink_t;
/* Open (header written).  Returns 0, or an exit code after reporting. */
int cli_schedule_open(cli_sink_t *sink, const char *path, const soc_config_t *cfg);
/* soc_record_fn writing one CSV row (user = cli_sink_t *). */
void cli_schedule_row(void *user, const soc_task_record_t *rec);
/* Close (never opened is fine): keep = the run succeeded.  0 or CLI_FAIL. */
int cli_schedule_close(cli_sink_t *sink, int keep);
/* What a run streams out; every member may be NULL. */
typedef struct cli_hooks {
    soc_record_fn on_record;
    void *record_user;
    soc_power_fn on_power;
    void *power_user;
} cli_hooks_t;
/* Create and run a simulation of the finalized cfg with a resolved
 * scheduler; *simp is set even on failure (soc_sim_destroy it).  hooks may
 * be NULL. */
int cli_run_with(const soc_config_t *cfg, const soc_sched_handle_t *h, const cli_hooks_t *hooks,
                 soc_sim_t **simp, soc_error_t *err);
/* Resolve the scheduler spec, then cli_run_with.  *simp and *hp are set
 * even on failure: release both with cli_run_cleanup. */
int cli_run_config(const soc_config_t *cfg, const char *spec, const cli_hooks_t *hooks,
                   soc_sim_t **simp, soc_sched_handle_t **hp, soc_error_t *err);
void cli_run_cleanup(soc_sim_t *sim, soc_sched_handle_t *h);

/* Command-line options: one table generates getopt_long and --help. */
typedef struct cli_opt {
    const char *name;   /* long name */
    int key;            /* short letter or an id >= 256 */
    int has_arg;        /* 0 or 1 */
    const char *arg;    /* argument name for the help */
    const char *help;   /* NULL: a hidden alias, left out of --help */
} cli_opt_t;
/* Parse argv (argv[0] = subcommand).  For every option calls
 * fn(user, key, optarg); returns the index of the first operand, or -1
 * after printing a usage error.  --help/-h prints usage and returns -2. */
int cli_parse(int argc, char **argv, const cli_opt_t *opts, const char *usage,
              const char *about, int (*fn)(void *user, int key, const char *arg),
              void *user);
void cli_print_help(FILE *out, const cli_opt_t *opts, const char *usage,
                    const char *about);
/* Parse an unsigned/positive integer option; -1 on error (reported). */
int cli_parse_u64(const char *opt, const char *text, uint64_t *out);
/* Parse --jobs (measured jobs, 1 .. 2^40) into *jobs; -1 on error
 * (reported, naming -j/--workers for worker processes). */
int cli_parse_jobs(const char *text, uint64_t *jobs);
/* Parse the worker-process count of -j/--workers (1..1024) into *workers;
 * -1 on error (reported). */
int cli_parse_workers(const char *text, int *workers);

/* Standard output that keeps the reason of a failed write (cli_stdout.c):
 * init once at start; close at the end returns `code`, or CLI_FAIL after
 * "socsim: write error: REASON" when anything written to stdout was lost
 * (a usage error's code 2 is kept). */
void cli_stdout_init(void);
int cli_stdout_close(int code);

/* Write s (NULL = "") as a JSON string literal, quotes included. */
void cli_json_str(FILE *out, const char *s);

/* Subcommands (argv[0] is the subcommand name). */
int cli_cmd_run(int argc, char **argv);
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_schedulers(int argc, char **argv);
int cli_cmd_default(int argc, char **argv);
/* DS3 (cli_ds3.c): convert-ds3. */
int cli_cmd_convert_ds3(int argc, char **argv);

/* --power-trace: the power time series as CSV, one row per thermal step of
 * the power model (native: every thermal period; DS3: every
 * sampling_rate_temperature µs); all runs of a DS3 sweep in one file (column
 * `run`).  Columns: run, time_us, per cluster <name>_freq_mhz, per cluster
 * <name>_power_w (native: mean power over the period; DS3: DS3's
 * instantaneous cluster power), max_temp_c.  scripts/plot_power.sh draws it. */
typedef struct cli_power_sink {
    cli_out_t out;
    int run;
} cli_power_sink_t;
/* Open (header written); 0 or an exit code after reporting. */
int cli_power_open(cli_power_sink_t *ps, const char *path, const soc_config_t *cfg);
/* soc_power_fn writing one row (user = cli_power_sink_t *). */
void cli_power_row(void *user, const soc_power_sample_t *x);
/* Close (never opened is fine): keep = the run succeeded.  0 or CLI_FAIL. */
int cli_power_close(cli_power_sink_t *ps, int keep);
/* Hooks writing to the schedule and power sinks (NULL or closed = none). */
cli_hooks_t cli_sink_hooks(cli_sink_t *sink, cli_power_sink_t *ps);

/* Sweeps, plots, scheduler regression (cli_sweep.c, cli_plot.c,
 * cli_regress.c; docs/sweeps.md, docs/regression.md). */
int cli_cmd_sweep(int argc, char **argv);
/* Interconnect contention model alone (cli_flows.c, soc/net.h). */
int cli_cmd_flows(int argc, char **argv);
int cli_cmd_plot(int argc, char **argv);
int cli_cmd_regress(int argc, char **argv);
/* HTML report of sweeps, runs and a schedule (cli_report.c). */
int cli_cmd_report(int argc, char **argv);

/* Workloads from elsewhere (cli_import.c; docs/workloads.md): import,
 * gen dag, export dot. */
int cli_cmd_import(int argc, char **argv);
int cli_cmd_gen(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);

/* RL environment server (cli_serve.c; gym/PROTOCOL.md). */
int cli_cmd_serve(int argc, char **argv);

#endif
