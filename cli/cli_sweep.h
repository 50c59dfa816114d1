/*
 * cli_sweep.h -- pieces of `socsim sweep` shared with `socsim regress` and
 * `socsim plot`: a worker-process pool, CSV rows with checksums, the metric
 * columns, and confidence intervals.
 */
#ifndef SOC_CLI_SWEEP_H
#define SOC_CLI_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "soc/sim.h"

/* ---- growable string ---- */
typedef struct cli_buf {
    char *s;
    size_t n, cap;
    int oom;
} cli_buf_t;
void cli_buf_add(cli_buf_t *b, const char *s, size_t n);
void cli_buf_str(cli_buf_t *b, const char *s);
void cli_buf_fmt(cli_buf_t *b, const char *fmt, ...) SOC_PRINTF(2, 3);
/* One CSV cell (quoted when it holds a comma, quote or leading space). */
void cli_buf_csv(cli_buf_t *b, const char *cell);
void cli_buf_free(cli_buf_t *b);
/* malloc'ed copy of s / of "dir/name" (NULL when out of memory). */
char *cli_strdup(const char *s);
char *cli_path_in(const char *dir, const char *name);

/* Split one CSV line (no newline) into cells; returns the count, -1 on a
 * malformed line.  *cells is malloc'ed (cells point into the returned
 * storage *store); free both. */
int cli_csv_split(const char *line, char ***cells, char **store);
/* Read the next non-empty line of f (getline buffer *line of *cap bytes,
 * line ending stripped) and split it like cli_csv_split.  *lineno (may be
 * NULL) counts every line read, empty ones included.  Returns the cell
 * count, -1 on a malformed line (*cells and *store NULL), -2 at the end of
 * the file. */
int cli_csv_next(FILE *f, char **line, size_t *cap, int *lineno, char ***cells, char **store);

/* ---- metric columns ---- */
/* Names of the metric columns, in file order (NULL-terminated). */
extern const char *const cli_metric_names[];
/* Append the metric cells of m, each preceded by a comma. */
void cli_metric_cells(cli_buf_t *b, const soc_metrics_t *m);

/* ---- checked rows: BODY,CHECK where CHECK = 8 hex digits of FNV-1a(BODY) */
void cli_row_seal(cli_buf_t *line, const char *body);
/* 1 when line (without its newline) is a complete, sealed row; *body_len
 * receives the length of BODY. */
int cli_row_valid(const char *line, size_t len, size_t *body_len);

/* ---- statistics ---- */
/* Mean and half-width of the 95% confidence interval (Student t) of x[n];
 * ci = NaN when n < 2. */
void cli_mean_ci95(const double *x, int n, double *mean, double *ci);

/* ---- worker pool ----
 * job(user, idx, row, err) runs in a worker process and fills *row (a
 * malloc'ed one-line text) or err; returns 0 or -1.  done(user, idx, row,
 * error) runs in the parent for each finished index, in completion order
 * (exactly one of row/error is non-NULL).  Indices are handed out in the
 * order of todo[].  Returns 0, or -1 when the pool could not start. */
typedef int (*cli_job_fn)(void *user, int idx, char **row, char *err, size_t errsize);
typedef void (*cli_done_fn)(void *user, int idx, const char *row, const char *error);
int cli_pool_run(int workers, const int *todo, int n_todo, cli_job_fn job, cli_done_fn done,
                 void *user);
/* Number of online CPUs (>= 1). */
int cli_ncpus(void);

/* DS3 semantics: the (scale, iteration) runs a config describes (one run
 * for validation mode).  Returns the count (>= 1) with malloc'ed arrays. */
int cli_ds3_runs(const soc_config_t *cfg, int64_t **scales, int **iters);
/* Select run (scale, iteration) of a DS3-semantics config. */
void cli_ds3_select(soc_config_t *cfg, int64_t scale, int iteration);

#endif
