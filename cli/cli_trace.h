/*
 * cli_trace.h -- a run's schedule kept in memory, exported as a
 * Chrome/Perfetto trace (cli_trace.c) or drawn as a Gantt chart PNG with
 * gnuplot (cli_gantt.c).
 */
#ifndef SOC_CLI_TRACE_H
#define SOC_CLI_TRACE_H

#include "cli.h"
#include "soc/schedulers.h"

/* One bar of a schedule, independent of where it came from. */
typedef struct cli_bar {
    int pe;
    double start_us, finish_us, arrival_us;
    long long job;
    int task;
    int app;          /* index into the app names */
    const char *type; /* task type name (borrowed) */
} cli_bar_t;

typedef struct cli_sched {
    int n, cap;
    cli_bar_t *bars;
    int n_pes;
    char **pe_names;  /* [n_pes] "A15_0" */
    int n_apps;
    char **app_names; /* [n_apps] */
    char **types;     /* interned type names, n_types */
    int n_types;
    int oom;
    cli_sink_t *forward; /* also write the CSV schedule (may be NULL) */
    const soc_config_t *cfg;
} cli_sched_t;

/* Start collecting the records of a run of cfg (borrowed; must outlive
 * the collector).  forward may be NULL. */
int cli_sched_init(cli_sched_t *s, const soc_config_t *cfg, cli_sink_t *forward);
/* soc_record_fn: user = cli_sched_t *. */
void cli_sched_record(void *user, const soc_task_record_t *rec);
/* Read a schedule CSV written by --schedule.  Returns 0, or an exit code
 * after reporting. */
int cli_sched_read_csv(cli_sched_t *s, const char *path);
void cli_sched_free(cli_sched_t *s);

/* Chrome trace-event JSON (one process per cluster, one thread per PE,
 * one complete event per task; timestamps in µs), for ui.perfetto.dev or
 * chrome://tracing.  Returns 0 or an exit code after reporting. */
int cli_trace_write(const char *path, const cli_sched_t *s, const char *title);

/* Gantt chart PNG: one row per PE, a bar per task coloured by
 * application.  Needs gnuplot; the gnuplot script is kept next to the PNG
 * (FILE.png.gp) so the figure can be restyled.  Returns 0 or an exit code
 * after reporting. */
int cli_gantt_write(const char *png, const cli_sched_t *s, const char *title);

/* `socsim run --gantt/--trace`: run cfg with spec, recording the schedule
 * (also forwarded to sink when it is open), then write the PNG and/or the
 * trace (either path may be NULL); ps (may be NULL) gets the power time
 * series.  Returns the run's status like
 * soc_sim_run; an output failure only sets *code (an exit code). */
int cli_run_traced(const soc_config_t *cfg, const char *spec, cli_sink_t *sink,
                   cli_power_sink_t *ps, const char *gantt, const char *trace, soc_sim_t **simp,
                   soc_sched_handle_t **hp, soc_error_t *err, int *code);

/* Write s as a gnuplot single-quoted string. */
void cli_gp_quote(FILE *f, const char *s);

/* Run gnuplot on a script file; 0 on success, else an exit code after a
 * message (gnuplot missing: install it with apt-get install gnuplot-nox). */
int cli_gnuplot(const char *script);

#endif
