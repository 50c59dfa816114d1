/*
 * cli_trace.h -- a run's schedule kept in memory, exported as a
 * Chrome/Perfetto trace (cli_trace.c) or drawn as a Gantt chart with
 * gnuplot (cli_gantt.c).
 */
#ifndef SOC_CLI_TRACE_H
#define SOC_CLI_TRACE_H

#include <math.h>

#include "cli.h"
#include "soc/schedulers.h"

/* One bar of a schedule, independent of where it came from. */
typedef struct cli_bar {
    int pe;
    double start_us, finish_us, arrival_us;
    long long job;
    int task;
    int app;          /* index into the app names */
    const char *type; /* task type name (borrowed from the schedule) */
    const char *name; /* task name (borrowed; "" when unknown) */
} cli_bar_t;

typedef struct cli_sched {
    int n, cap;
    cli_bar_t *bars;
    int n_pes;
    char **pe_names;  /* [n_pes] "A15_0" */
    int n_apps;
    char **app_names; /* [n_apps] */
    int n_types;
    char **types;     /* interned task type names */
    int n_names;
    char **names;     /* interned task names */
    int oom;
    /* the run's finalized config (the dependencies of the trace's flow
     * arrows, the clusters of its counters); NULL for a schedule read from
     * a CSV file.  Borrowed. */
    const soc_config_t *cfg;
    /* power samples of the run (trace counters): n_samples rows of
     * 2 + 2 * n_clusters values: time_us, freq_mhz[], power_w[], max_temp_c */
    int n_clusters;
    int n_samples, cap_samples;
    double *samples;
} cli_sched_t;

/* Start collecting the records of a run of cfg (borrowed; must outlive
 * the collector).  0, or CLI_FAIL after a message. */
int cli_sched_init(cli_sched_t *s, const soc_config_t *cfg);
/* soc_record_fn: user = cli_sched_t *. */
void cli_sched_record(void *user, const soc_task_record_t *rec);
/* soc_power_fn: user = cli_sched_t *. */
void cli_sched_power(void *user, const soc_power_sample_t *x);
/* Read a schedule CSV written by --schedule (PE names from its pe_name
 * column; a PE no task ran on is named after its neighbours' cluster when
 * they agree).  Returns 0, or an exit code after reporting. */
int cli_sched_read_csv(cli_sched_t *s, const char *path);
void cli_sched_free(cli_sched_t *s);
/* A title describing a schedule: "schedule: N tasks of J jobs, A
 * applications". */
void cli_sched_title(const cli_sched_t *s, char *buf, size_t size);

/* Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing: one
 * process per cluster, one thread per PE, one complete event per task
 * (named after the task, its application as category; µs timestamps);
 * with the run's config, flow arrows from each task to its successors
 * (category "transfer" when data moves between PEs, "dependency"
 * otherwise); with power samples, counter tracks of each cluster's
 * frequency and power and of the SoC's peak temperature.  Returns 0 or an
 * exit code after reporting. */
int cli_trace_write(const char *path, const cli_sched_t *s, const char *title);

/* How a Gantt chart is drawn. */
typedef struct cli_gantt_opts {
    const char *title;
    double from_us, to_us; /* the time window; NAN = the schedule's ends */
    int by_type;           /* colour by task type instead of application */
    int max_tasks;         /* without a window, more tasks than this draw
                              only the first ones' window (and say so) */
    const char *format;    /* "png", "svg", "pdf"; NULL = from the file
                              name's extension (default png) */
    int interactive;       /* svg: gnuplot's mousing (zoom, pan, hover)
                              embedded in the file */
    int quiet;             /* no note on stderr about the window */
} cli_gantt_opts_t;
cli_gantt_opts_t cli_gantt_defaults(void);

/* Gantt chart: one row per PE, a bar per task coloured by application (or
 * task type) with a legend, task names on the bars when they can be read,
 * no bar outlines when bars are dense.  Needs gnuplot; the gnuplot script
 * is kept next to the figure (FILE.gp) so the figure can be restyled.
 * Returns 0 or an exit code after reporting. */
int cli_gantt_write(const char *out, const cli_sched_t *s, const cli_gantt_opts_t *o);

/* Write s as a gnuplot single-quoted string. */
void cli_gp_quote(FILE *f, const char *s);
/* The gnuplot `set terminal` line for format "png", "svg" or "pdf" at
 * about w x h pixels (interactive: svg with gnuplot's mousing script
 * embedded). */
void cli_gp_terminal(FILE *f, const char *format, int w, int h, int interactive);
/* "png", "svg" or "pdf" from a file name's extension (NULL: none of them). */
const char *cli_format_of(const char *path);

/* Run gnuplot on a script file; 0 on success, else an exit code after a
 * message (gnuplot missing: install it with apt-get install gnuplot-nox). */
int cli_gnuplot(const char *script);

/* A colour-blind-safe palette (Okabe-Ito, then more), cycled: "#rrggbb". */
const char *cli_color(int i);

#endif
