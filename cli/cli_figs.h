/*
 * cli_figs.h -- the figures of a finished sweep (cli_figs.c): the data
 * (results.csv grouped over seeds, mean and 95% CI of each figure metric,
 * derived metrics included) and the gnuplot figures drawn from it, used by
 * `socsim plot` and `socsim report`.
 *
 *  - a numeric x axis (an injection rate, a count) gives curves: one per
 *    series (the other varying axes), distinct colours, point types and
 *    dash patterns, translucent 95% CI bands;
 *  - a categorical x axis (schedulers, names; or --bars) gives grouped bar
 *    charts with 95% CI error bars.
 */
#ifndef SOC_CLI_FIGS_H
#define SOC_CLI_FIGS_H

#include "cli.h"

/* A metric a figure shows: a column of results.csv, or one derived per
 * run from others (energy per job, deadline-miss rate). */
typedef struct cli_figmetric {
    const char *id;     /* column name, or a derived name */
    const char *stem;   /* file name without extension */
    const char *title;  /* "average job latency" */
    const char *ylabel; /* "latency (µs)" */
    const char *unit;   /* for tables: "µs" */
    double scale;       /* value shown = value x scale (J -> mJ) */
} cli_figmetric_t;

enum {
    CLI_FM_AVG_LAT,
    CLI_FM_P95_LAT,
    CLI_FM_P99_LAT,
    CLI_FM_THROUGHPUT,
    CLI_FM_MISS_RATE,
    CLI_FM_ENERGY_PER_JOB,
    CLI_FM_POWER,
    CLI_FM_UTIL,
    CLI_FM_COUNT
};
extern const cli_figmetric_t cli_figmetrics[CLI_FM_COUNT];

/* Runs grouped by every axis but the seed (and DS3's iteration). */
typedef struct cli_group {
    char **keys;   /* [n_keys] the group's axis values (borrowed) */
    int runs;
    double mean[CLI_FM_COUNT], ci[CLI_FM_COUNT]; /* shown units; NaN = none */
} cli_group_t;

typedef struct cli_figdata {
    char *dir;
    int n_keys;
    char **key_names;  /* [n_keys] axes (borrowed from the table) */
    int n_groups;
    cli_group_t *groups;
    int have[CLI_FM_COUNT]; /* some group has a value */
    int energy_from_column; /* energy_per_job_j came from results.csv */
    int n_rows;
    void *table; /* the parsed results.csv (private) */
} cli_figdata_t;

/* Read DIR/results.csv and group it.  0, or an exit code after a message. */
int cli_figdata_load(cli_figdata_t *d, const char *dir);
void cli_figdata_free(cli_figdata_t *d);
/* Does axis k vary over the groups?  Is every value of it a number? */
int cli_figdata_varies(const cli_figdata_t *d, int k);
int cli_figdata_numeric(const cli_figdata_t *d, int k);

typedef struct cli_fig_opts {
    const char *x;      /* the x axis; NULL = choose */
    int raw_x;          /* an inter-arrival axis as is, not as a rate */
    int bars;           /* categories even for a numeric axis */
    const char *format; /* png (default), svg, pdf */
    int interactive;    /* svg with gnuplot's mousing script */
    const char *workdir;/* where plot.dat, plots.gp and the figures go
                           (NULL = the sweep directory) */
    int width, height;  /* pixels (0 = 1000 x 640) */
} cli_fig_opts_t;

/* Figures made: file names (in workdir) and titles, in drawing order. */
typedef struct cli_figlist {
    int n;
    char *files[2 * CLI_FM_COUNT];
    char *titles[2 * CLI_FM_COUNT];
    int categorical;
    char *x_label;
} cli_figlist_t;
void cli_figlist_free(cli_figlist_t *l);

/* Write the data and the gnuplot script, run gnuplot.  0, or an exit code
 * after a message (an unknown --x: 2). */
int cli_figs_draw(const cli_figdata_t *d, const cli_fig_opts_t *o, cli_figlist_t *made);

#endif
