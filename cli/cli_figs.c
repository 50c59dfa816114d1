/*
 * cli_figs.c -- the figures of a finished sweep (cli_figs.h): results.csv
 * grouped over seeds, then curves (numeric x axis) or grouped bar charts
 * (categorical x axis) drawn by gnuplot.  The data (plot.dat or bars.dat)
 * and the script (plots.gp) stay next to the figures, so a figure can be
 * restyled and redrawn with plain gnuplot.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_figs.h"
#include "cli_trace.h"
#include "soc/metrics.h"

const cli_figmetric_t cli_figmetrics[CLI_FM_COUNT] = {
    {"avg_latency_us", "latency", "average job latency", "average latency (µs)", "µs", 1},
    {"p95_latency_us", "latency_p95", "95th percentile job latency", "p95 latency (µs)", "µs", 1},
    {"p99_latency_us", "latency_p99", "99th percentile job latency", "p99 latency (µs)", "µs", 1},
    {"throughput_jobs_per_s", "throughput", "throughput", "completed jobs per second", "jobs/s",
     1},
    {"deadline_miss_rate", "deadline_miss_rate", "deadline-miss rate",
     "jobs that missed their deadline (%)", "%", 100},
    {"energy_per_job_j", "energy_per_job", "energy per job", "energy per completed job (mJ)",
     "mJ", 1e3},
    {"avg_power_w", "power", "average power", "average power (W)", "W", 1},
    {"avg_utilization", "utilization", "average PE utilisation", "mean PE utilisation (%)", "%",
     100},
};

/* ------------------------------------------------------------- the table */

typedef struct table {
    int n_cols, n_rows;
    char **head;   /* [n_cols] */
    char ***rows;  /* [n_rows][n_cols] */
    char **stores; /* [n_rows + 1] */
} table_t;

static void table_free(table_t *t)
{
    for (int r = 0; r < t->n_rows; r++)
        free(t->rows[r]);
    for (int r = 0; r <= t->n_rows && t->stores; r++)
        free(t->stores[r]);
    free(t->head);
    free(t->rows);
    free(t->stores);
    memset(t, 0, sizeof *t);
}

static int table_read(table_t *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot read: %s (run the sweep to its end first)\n", path,
                strerror(errno));
        return CLI_USAGE;
    }
    char *line = NULL, **cells, *store;
    size_t cap = 0;
    int code = 0, nc;
    while ((nc = soc__csv_next(f, &line, &cap, NULL, &cells, &store)) != -2) {
        if (nc < 0 || (t->head != NULL && nc != t->n_cols)) {
            free(cells);
            free(store);
            fprintf(stderr, "socsim: %s: malformed line %d\n", path, t->n_rows + 2);
            code = CLI_USAGE;
            break;
        }
        char ***nr = realloc(t->rows, sizeof *nr * (size_t)(t->n_rows + 1));
        char **ns = realloc(t->stores, sizeof *ns * (size_t)(t->n_rows + 2));
        if (nr != NULL)
            t->rows = nr;
        if (ns != NULL)
            t->stores = ns;
        if (nr == NULL || ns == NULL) {
            free(cells);
            free(store);
            code = CLI_FAIL;
            break;
        }
        if (t->head == NULL) {
            t->head = cells;
            t->n_cols = nc;
            t->stores[0] = store;
        } else {
            t->rows[t->n_rows] = cells;
            t->stores[++t->n_rows] = store;
        }
    }
    free(line);
    fclose(f);
    if (code == 0 && t->head == NULL) {
        fprintf(stderr, "socsim: %s is empty\n", path);
        code = CLI_USAGE;
    }
    return code;
}

static int col_of(const table_t *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->head[c], name) == 0)
            return c;
    return -1;
}

static int numeric(const char *s, double *x)
{
    char *end;
    if (s == NULL || *s == '\0')
        return 0;
    *x = strtod(s, &end);
    return *end == '\0' && isfinite(*x);
}

static double cell(const table_t *t, int r, int c)
{
    double x;
    return c >= 0 && numeric(t->rows[r][c], &x) ? x : NAN;
}

/* ------------------------------------------------------------- the data */

void cli_figdata_free(cli_figdata_t *d)
{
    for (int g = 0; g < d->n_groups; g++)
        free(d->groups[g].keys);
    free(d->groups);
    free(d->key_names);
    free(d->dir);
    if (d->table != NULL) {
        table_free(d->table);
        free(d->table);
    }
    memset(d, 0, sizeof *d);
}

/* One run's value of figure metric m (shown units), NaN when absent. */
static double run_value(const table_t *t, int r, int m, const int *col, int *from_column)
{
    double v = NAN;
    switch (m) {
    case CLI_FM_MISS_RATE: {
        double jobs = cell(t, r, col[CLI_FM_COUNT + 0]), miss = cell(t, r, col[CLI_FM_COUNT + 1]);
        v = jobs > 0 ? miss / jobs : NAN;
        break;
    }
    case CLI_FM_ENERGY_PER_JOB:
        /* the metric when the table has it (issue 13), else energy_j over
         * the jobs completed: energy_j alone falls as the load rises with a
         * fixed job count */
        v = cell(t, r, col[m]);
        if (!isnan(v)) {
            *from_column = 1;
        } else {
            double e = cell(t, r, col[CLI_FM_COUNT + 2]), n = cell(t, r, col[CLI_FM_COUNT + 3]);
            v = n > 0 ? e / n : NAN;
        }
        break;
    default:
        v = cell(t, r, col[m]);
        break;
    }
    return isnan(v) ? v : v * cli_figmetrics[m].scale;
}

/* The rows' groups (the points without their seed and iteration: equal
 * key columns keys[0 .. n_keys)), in first-appearance order; grow[r] =
 * the group of row r.  -1: out of memory. */
static int group_rows(cli_figdata_t *d, const table_t *t, const int *keys, int *grow)
{
    for (int r = 0; r < t->n_rows; r++) {
        int g;
        for (g = 0; g < d->n_groups; g++) {
            int same = 1;
            for (int k = 0; k < d->n_keys && same; k++)
                same = strcmp(d->groups[g].keys[k], t->rows[r][keys[k]]) == 0;
            if (same)
                break;
        }
        if (g == d->n_groups) {
            cli_group_t *G = &d->groups[d->n_groups++];
            if ((G->keys = malloc(sizeof(char *) * (size_t)(d->n_keys ? d->n_keys : 1))) == NULL)
                return -1;
            for (int k = 0; k < d->n_keys; k++)
                G->keys[k] = t->rows[r][keys[k]];
        }
        d->groups[g].runs++;
        grow[r] = g;
    }
    return 0;
}

/* Each group's mean and 95% confidence half-width of every metric over
 * its runs (vals: scratch of n_rows); have[m] when some run has it. */
static void group_stats(cli_figdata_t *d, const table_t *t, const int *col, const int *grow,
                        double *vals)
{
    for (int m = 0; m < CLI_FM_COUNT; m++)
        for (int g = 0; g < d->n_groups; g++) {
            int nv = 0;
            for (int r = 0; r < t->n_rows; r++) {
                if (grow[r] != g)
                    continue;
                double v = run_value(t, r, m, col, &d->energy_from_column);
                if (!isnan(v))
                    vals[nv++] = v;
            }
            soc_stats_mean_ci95(vals, nv, &d->groups[g].mean[m], &d->groups[g].ci[m]);
            if (nv > 0)
                d->have[m] = 1;
        }
}

int cli_figdata_load(cli_figdata_t *d, const char *dir)
{
    memset(d, 0, sizeof *d);
    table_t *t = calloc(1, sizeof *t);
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    int code = CLI_FAIL;
    double *vals = NULL;
    int *grow = NULL;
    if (t == NULL || path == NULL || (d->dir = soc__strdup(dir)) == NULL)
        goto out;
    d->table = t;
    snprintf(path, n, "%s/results.csv", dir);
    if ((code = table_read(t, path)) != 0)
        goto out;
    code = CLI_USAGE;
    /* point, the axes, the metrics (from the metric table), check */
    int first_metric = -1;
    for (int c = 1; c < t->n_cols && first_metric < 0; c++)
        if (soc_metric_find(t->head[c]) >= 0)
            first_metric = c;
    if (t->n_cols < 3 || strcmp(t->head[0], "point") != 0 || first_metric < 0) {
        fprintf(stderr, "socsim: %s: not a sweep's results (write one with socsim sweep)\n", path);
        goto out;
    }
    if (t->n_rows == 0) {
        fprintf(stderr, "socsim: %s: no finished points yet\n", path);
        goto out;
    }
    code = CLI_FAIL;
    int *keys = malloc(sizeof *keys * (size_t)first_metric);
    if (keys == NULL || (d->key_names = malloc(sizeof(char *) * (size_t)first_metric)) == NULL) {
        free(keys);
        goto out;
    }
    for (int c = 1; c < first_metric; c++)
        if (strcmp(t->head[c], "seed") != 0 && strcmp(t->head[c], "iteration") != 0) {
            keys[d->n_keys] = c;
            d->key_names[d->n_keys++] = t->head[c];
        }
    int col[CLI_FM_COUNT + 4];
    for (int m = 0; m < CLI_FM_COUNT; m++)
        col[m] = col_of(t, cli_figmetrics[m].id);
    col[CLI_FM_COUNT + 0] = col_of(t, "deadline_jobs");
    col[CLI_FM_COUNT + 1] = col_of(t, "deadline_misses");
    col[CLI_FM_COUNT + 2] = col_of(t, "energy_j");
    col[CLI_FM_COUNT + 3] = col_of(t, "completed_jobs");
    /* groups, in first-appearance order */
    grow = malloc(sizeof *grow * (size_t)t->n_rows);
    d->groups = calloc((size_t)t->n_rows, sizeof *d->groups);
    vals = malloc(sizeof *vals * (size_t)t->n_rows);
    if (grow == NULL || d->groups == NULL || vals == NULL) {
        free(keys);
        goto out;
    }
    int grouped = group_rows(d, t, keys, grow);
    free(keys);
    if (grouped != 0)
        goto out;
    group_stats(d, t, col, grow, vals);
    d->n_rows = t->n_rows;
    code = 0;
out:
    free(vals);
    free(grow);
    free(path);
    if (code != 0)
        cli_figdata_free(d);
    return code;
}

int cli_figdata_varies(const cli_figdata_t *d, int k)
{
    for (int g = 1; g < d->n_groups; g++)
        if (strcmp(d->groups[g].keys[k], d->groups[0].keys[k]) != 0)
            return 1;
    return 0;
}

int cli_figdata_numeric(const cli_figdata_t *d, int k)
{
    double x;
    for (int g = 0; g < d->n_groups; g++)
        if (!numeric(d->groups[g].keys[k], &x))
            return 0;
    return 1;
}

void cli_figlist_free(cli_figlist_t *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->files[i]);
        free(l->titles[i]);
    }
    free(l->x_label);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------- drawing */

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* A legend names values, not paths: "platform.clusters.A15.count" ->
 * "A15.count", "applications.wifi_tx.deadline_us" -> "wifi_tx.deadline_us",
 * "injection.mean_interarrival_us" -> "mean_interarrival_us". */
static const char *short_key(const char *k)
{
    const char *last = strrchr(k, '.');
    if (last == NULL)
        return k;
    const char *p = last;
    while (p > k && p[-1] != '.')
        p--;
    /* three or more parts: keep the one naming the item */
    return p > k ? p : last + 1;
}

typedef struct series {
    char label[256];
    int n;
    int *groups;
} series_t;

typedef struct plan {
    const cli_figdata_t *d;
    int xk;          /* the x axis (key index) */
    int rate;        /* x shown as 1000 / value (jobs/ms) */
    int categorical;
    int n_ser;
    series_t *ser;
    int n_cat;
    const char **cats; /* categorical: the x values in order */
    char xlabel[300];
} plan_t;

static double xval(const plan_t *P, int g)
{
    double x = NAN;
    numeric(P->d->groups[g].keys[P->xk], &x);
    return P->rate ? 1000.0 / x : x;
}

static void sort_groups(int *gs, int n, const plan_t *P)
{
    for (int i = 1; i < n; i++) {
        int v = gs[i], j = i;
        double xv = xval(P, v);
        while (j > 0 && xval(P, gs[j - 1]) > xv) {
            gs[j] = gs[j - 1];
            j--;
        }
        gs[j] = v;
    }
}

static int make_series(plan_t *P)
{
    const cli_figdata_t *d = P->d;
    P->ser = calloc((size_t)d->n_groups, sizeof *P->ser);
    if (P->ser == NULL)
        return -1;
    for (int g = 0; g < d->n_groups; g++) {
        char label[256] = "";
        size_t used = 0;
        for (int k = 0; k < d->n_keys; k++) {
            if (k == P->xk || !cli_figdata_varies(d, k))
                continue;
            const char *v = d->groups[g].keys[k];
            if (strcmp(d->key_names[k], "scheduler") == 0)
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s",
                                         used ? ", " : "", v[0] ? v : "(config's)");
            else
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s=%s",
                                         used ? ", " : "", short_key(d->key_names[k]),
                                         v[0] ? v : "(base)");
            if (used >= sizeof label)
                used = sizeof label - 1;
        }
        if (label[0] == '\0')
            snprintf(label, sizeof label, "mean of the runs");
        int s;
        for (s = 0; s < P->n_ser && strcmp(P->ser[s].label, label) != 0; s++)
            ;
        if (s == P->n_ser) {
            snprintf(P->ser[s].label, sizeof P->ser[s].label, "%s", label);
            if ((P->ser[s].groups = malloc(sizeof(int) * (size_t)d->n_groups)) == NULL)
                return -1;
            P->n_ser++;
        }
        P->ser[s].groups[P->ser[s].n++] = g;
    }
    return 0;
}

/* Legend: inside at the top left when short, below the plot when long. */
static void key_position(FILE *f, const plan_t *P)
{
    size_t longest = 0;
    for (int s = 0; s < P->n_ser; s++)
        if (strlen(P->ser[s].label) > longest)
            longest = strlen(P->ser[s].label);
    if (longest > 16 || P->n_ser > 6)
        fputs("set key outside below center horizontal maxcols 4 samplen 3\n", f);
    else
        fputs("set key outside right top vertical samplen 3\n", f);
}

/* open markers (circle, square, triangles, diamond, pentagon), then
 * crosses: overlapping points stay visible, in black and white too */
static const int point_types[] = {6, 4, 8, 12, 10, 14, 1, 2, 3, 7, 5, 9, 11, 13, 15};
#define N_PT (int)(sizeof point_types / sizeof point_types[0])

static int add_fig(cli_figlist_t *l, const char *stem, const char *fmt, const char *title)
{
    size_t n = strlen(stem) + 8;
    char *f = malloc(n), *t = soc__strdup(title);
    if (f == NULL || t == NULL) {
        free(f);
        free(t);
        return -1;
    }
    snprintf(f, n, "%s.%s", stem, fmt);
    l->files[l->n] = f;
    l->titles[l->n] = t;
    l->n++;
    return 0;
}

static void set_output(FILE *f, const char *stem, const char *fmt)
{
    char name[200];
    snprintf(name, sizeof name, "%s.%s", stem, fmt);
    fputs("set output ", f);
    cli_gp_quote(f, name);
    fputc('\n', f);
}

/* Curves' data: per series a block of rows x, then per metric the mean
 * and its 95% CI band; *all_int, *xmin, *xmax describe the x values. */
static void curves_data(const plan_t *P, FILE *dat, int *all_int, double *xmin, double *xmax)
{
    const cli_figdata_t *d = P->d;
    fprintf(dat, "# socsim plot data: x, then per figure metric mean, lo, hi (95%% CI):");
    for (int m = 0; m < CLI_FM_COUNT; m++)
        fprintf(dat, " %s", cli_figmetrics[m].id);
    fputc('\n', dat);
    for (int s = 0; s < P->n_ser; s++) {
        sort_groups(P->ser[s].groups, P->ser[s].n, P);
        fprintf(dat, "# series %d: %s\n", s, P->ser[s].label);
        for (int i = 0; i < P->ser[s].n; i++) {
            int g = P->ser[s].groups[i];
            double x = xval(P, g);
            *all_int &= x == floor(x);
            if (x < *xmin)
                *xmin = x;
            if (x > *xmax)
                *xmax = x;
            fprintf(dat, "%.12g", x);
            for (int m = 0; m < CLI_FM_COUNT; m++) {
                double mu = d->groups[g].mean[m], ci = d->groups[g].ci[m];
                if (isnan(ci))
                    ci = 0;
                if (isnan(mu))
                    fprintf(dat, " NaN NaN NaN");
                else
                    fprintf(dat, " %.12g %.12g %.12g", mu, mu - ci, mu + ci);
            }
            fputc('\n', dat);
        }
        fputs("\n\n", dat);
    }
}

/* A curve figure's y axis for metric m: logarithmic when the means span
 * more than 30x, a range around flat data (not gnuplot's "empty y
 * range"). */
static void curve_yaxis(FILE *gp, const cli_figdata_t *d, int m)
{
    double lo = INFINITY, hi = 0;
    for (int g = 0; g < d->n_groups; g++) {
        double v = d->groups[g].mean[m];
        if (v > 0 && v < lo)
            lo = v;
        if (v > hi)
            hi = v;
    }
    /* curves that saturate dwarf the others: spread them out */
    fputs(lo > 0 && hi / lo > 30 ? "\nset logscale y\n" : "\nunset logscale y\n", gp);
    /* flat data (every value equal): a range around it, not gnuplot's
     * "empty y range" */
    double ymin = INFINITY, ymax = -INFINITY;
    for (int g = 0; g < d->n_groups; g++) {
        double v = d->groups[g].mean[m], ci = d->groups[g].ci[m];
        if (isnan(v))
            continue;
        ci = isnan(ci) ? 0 : ci;
        ymin = fmin(ymin, v - ci);
        ymax = fmax(ymax, v + ci);
    }
    if (ymin == ymax) {
        double pad = fabs(ymin) > 0 ? fabs(ymin) * 0.1 : 1;
        fprintf(gp, "set yrange [%.17g:%.17g]\n", ymin - pad, ymax + pad);
    } else {
        fputs("set yrange [*:*]\n", gp);
    }
}

/* A curve figure's plot command for metric m: the bands, then the lines
 * with markers. */
static void curve_plot(FILE *gp, const plan_t *P, int m)
{
    fputs("plot ", gp);
    int col = 2 + 3 * m;
    for (int s = 0; s < P->n_ser; s++)
        fprintf(gp, "%s'plot.dat' index %d using 1:%d:%d with filledcurves fc rgb '%s' "
                    "fs transparent solid 0.13 noborder notitle",
                s ? ", \\\n     " : "", s, col + 1, col + 2, cli_color(s));
    for (int s = 0; s < P->n_ser; s++) {
        /* sizes shrink with the series: equal curves show every marker */
        fprintf(gp, ", \\\n     'plot.dat' index %d using 1:%d with linespoints lw 2 lc rgb "
                    "'%s' dt %d pt %d ps %.2f title ",
                s, col, cli_color(s), 1 + s % 5, point_types[s % N_PT],
                1.9 - 0.2 * (s % 5));
        cli_gp_quote(gp, P->ser[s].label);
    }
    fputc('\n', gp);
}

/* Curves: one line per series against a numeric x. */
static int draw_curves(const plan_t *P, FILE *dat, FILE *gp, const cli_fig_opts_t *o,
                       const char *fmt, cli_figlist_t *made)
{
    const cli_figdata_t *d = P->d;
    int all_int = 1;
    double xmin = INFINITY, xmax = -INFINITY;
    curves_data(P, dat, &all_int, &xmin, &xmax);
    fputs("set xlabel ", gp);
    cli_gp_quote(gp, P->xlabel);
    fputc('\n', gp);
    if (all_int && xmax > xmin) {
        /* integer axes get integer ticks */
        double step = ceil((xmax - xmin) / 10.0);
        fprintf(gp, "set xtics %.17g\nset mxtics 1\nset format x '%%.0f'\n", step < 1 ? 1 : step);
    }
    key_position(gp, P);
    for (int m = 0; m < CLI_FM_COUNT; m++) {
        if (!d->have[m] || m == CLI_FM_UTIL)
            continue;
        char title[800];
        snprintf(title, sizeof title, "%s vs %s (mean; band = 95%% CI over seeds)",
                 cli_figmetrics[m].title, P->rate ? "injection rate" : P->xlabel);
        set_output(gp, cli_figmetrics[m].stem, fmt);
        fputs("set title ", gp);
        cli_gp_quote(gp, title);
        fputs("\nset ylabel ", gp);
        cli_gp_quote(gp, cli_figmetrics[m].ylabel);
        curve_yaxis(gp, d, m);
        curve_plot(gp, P, m);
        if (add_fig(made, cli_figmetrics[m].stem, fmt, title) != 0)
            return -1;
    }
    (void)o;
    return 0;
}

/* One block of the bar data: per category, the label and each bar's mean
 * and CI half-width (bar b: series b, or with triple the metric ms[b] of
 * the one series). */
static void bars_block(const plan_t *P, FILE *dat, int fig, int triple, const int *ms,
                       int n_bars)
{
    const cli_figdata_t *d = P->d;
    for (int c = 0; c < P->n_cat; c++) {
        fputc('"', dat);
        for (const char *p = P->cats[c]; *p; p++)
            fputc(*p == '"' ? '\'' : *p, dat);
        fputc('"', dat);
        for (int b = 0; b < n_bars; b++) {
            int m = triple ? ms[b] : fig;
            double mu = NAN, ci = NAN;
            /* the group of (series b, category c) */
            const series_t *S = &P->ser[triple ? 0 : b];
            for (int i = 0; i < S->n; i++) {
                int g = S->groups[i];
                if (strcmp(d->groups[g].keys[P->xk], P->cats[c]) == 0) {
                    mu = d->groups[g].mean[m];
                    ci = d->groups[g].ci[m];
                }
            }
            if (isnan(mu))
                fprintf(dat, " NaN 0");
            else
                fprintf(dat, " %.12g %.12g", mu, isnan(ci) ? 0 : ci);
        }
        fputc('\n', dat);
    }
    fputs("\n\n", dat);
}

/* A bar figure's title: the metric per x (mean of how many runs). */
static void bars_title(const plan_t *P, int fig, int triple, char *title, size_t size)
{
    const cli_figdata_t *d = P->d;
    int runs = d->n_groups > 0 ? d->groups[0].runs : 0;
    int same_runs = 1;
    for (int g = 1; g < d->n_groups; g++)
        same_runs &= d->groups[g].runs == runs;
    char rn[64];
    if (same_runs)
        snprintf(rn, sizeof rn, "%d run%s each", runs, runs == 1 ? "" : "s");
    else
        snprintf(rn, sizeof rn, "several runs");
    snprintf(title, size, "%s per %s (mean of %s; error bars = 95%% CI)",
             triple ? "job latency" : cli_figmetrics[fig].title, P->xlabel, rn);
}

/* A bar figure's y range (from 0) and plot command for data block
 * `block`. */
static void bars_plot(FILE *gp, const plan_t *P, int fig, int triple, const int *ms, int n_bars,
                      int block)
{
    const cli_figdata_t *d = P->d;
    double top = 0;
    for (int g = 0; g < d->n_groups; g++)
        for (int b = 0; b < (triple ? 3 : 1); b++) {
            double v = d->groups[g].mean[triple ? ms[b] : fig];
            if (!isnan(v) && v > top)
                top = v;
        }
    fputs(top > 0 ? "\nset yrange [0:*]" : "\nset yrange [0:1]", gp);
    fputs("\nplot ", gp);
    for (int b = 0; b < n_bars; b++) {
        static const char *const trip[] = {"mean", "p95", "p99"};
        fprintf(gp, "%s'bars.dat' index %d using %d:%d%s lc rgb '%s' title ",
                b ? ", \\\n     " : "", block, 2 + 2 * b, 3 + 2 * b, b ? "" : ":xtic(1)",
                cli_color(b));
        cli_gp_quote(gp, triple ? trip[b] : P->ser[b].label);
    }
    fputc('\n', gp);
}

/* Bars: per category of x, one bar per series (or, with one series, the
 * mean, p95 and p99 latency side by side), 95% CI error bars. */
static int draw_bars(const plan_t *P, FILE *dat, FILE *gp, const char *fmt, cli_figlist_t *made)
{
    const cli_figdata_t *d = P->d;
    int block = 0;
    size_t longest = 0;
    for (int c = 0; c < P->n_cat; c++)
        if (strlen(P->cats[c]) > longest)
            longest = strlen(P->cats[c]);
    fputs("set style data histograms\nset style histogram errorbars gap 1.5 lw 1.2\n"
          "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.9\n"
          "set grid noxtics ytics lc rgb '#dddddd'\n"
          "set xtics nomirror scale 0\n",
          gp);
    if (P->n_cat > 6 || longest > 10)
        fputs("set xtics rotate by -30 left\n", gp);
    fputs("set xlabel ", gp);
    cli_gp_quote(gp, P->xlabel);
    fputc('\n', gp);
    key_position(gp, P);
    fprintf(dat, "# socsim bar data: per figure a block (index), one row per category: the "
                 "label, then per bar its mean and the half-width of its 95%% CI\n");
    for (int fig = 0; fig < CLI_FM_COUNT; fig++) {
        /* the latency triple shares one figure when there is one series */
        int triple = P->n_ser == 1 && fig == CLI_FM_AVG_LAT;
        if (P->n_ser == 1 && (fig == CLI_FM_P95_LAT || fig == CLI_FM_P99_LAT))
            continue;
        if (!d->have[fig])
            continue;
        int ms[3] = {fig, CLI_FM_P95_LAT, CLI_FM_P99_LAT};
        int n_bars = triple ? 3 : P->n_ser;
        fprintf(dat, "# block %d: %s\n", block, triple ? "job latency: mean, p95, p99"
                                                        : cli_figmetrics[fig].id);
        bars_block(P, dat, fig, triple, ms, n_bars);
        char title[800];
        bars_title(P, fig, triple, title, sizeof title);
        set_output(gp, cli_figmetrics[fig].stem, fmt);
        fputs("set title ", gp);
        cli_gp_quote(gp, title);
        fputs("\nset ylabel ", gp);
        cli_gp_quote(gp, triple ? "job latency (µs)" : cli_figmetrics[fig].ylabel);
        bars_plot(gp, P, fig, triple, ms, n_bars, block);
        if (add_fig(made, cli_figmetrics[fig].stem, fmt, title) != 0)
            return -1;
        block++;
    }
    return 0;
}

/* Figures step 1: the x axis -- --x, else the first numeric axis that
 * varies, else the scheduler, else the first axis that varies (0 or
 * CLI_USAGE, said on stderr). */
static int choose_x(plan_t *P, const cli_figdata_t *d, const cli_fig_opts_t *o)
{
    if (o->x != NULL) {
        for (int k = 0; k < d->n_keys; k++)
            if (strcmp(d->key_names[k], o->x) == 0)
                P->xk = k;
        if (P->xk < 0) {
            fprintf(stderr, "socsim: %s/results.csv: no axis '%s'; the axes are:", d->dir, o->x);
            for (int k = 0; k < d->n_keys; k++)
                fprintf(stderr, " %s", d->key_names[k]);
            fputc('\n', stderr);
            return CLI_USAGE;
        }
        return 0;
    }
    for (int k = 0; k < d->n_keys && P->xk < 0; k++)
        if (strcmp(d->key_names[k], "scheduler") != 0 && cli_figdata_varies(d, k) &&
            cli_figdata_numeric(d, k))
            P->xk = k;
    for (int k = 0; k < d->n_keys && P->xk < 0; k++)
        if (strcmp(d->key_names[k], "scheduler") == 0)
            P->xk = k;
    for (int k = 0; k < d->n_keys && P->xk < 0; k++)
        if (cli_figdata_varies(d, k))
            P->xk = k;
    if (P->xk < 0 && d->n_keys > 0)
        P->xk = 0;
    if (P->xk < 0) {
        fprintf(stderr, "socsim: %s/results.csv: the sweep has no axis to plot against\n",
                d->dir);
        return CLI_USAGE;
    }
    return 0;
}

/* Figures step 2: bars or curves, an inter-arrival axis as injection rate
 * (like the DS3 paper's figures), the x label. */
static void x_axis_kind(plan_t *P, const cli_figdata_t *d, const cli_fig_opts_t *o)
{
    const char *xk = d->key_names[P->xk];
    P->categorical = o->bars || !cli_figdata_numeric(d, P->xk);
    /* a mean inter-arrival time is shown as its injection rate, like the
     * DS3 paper's figures */
    P->rate = !P->categorical && !o->raw_x &&
              (ends_with(xk, "interarrival_us") || ends_with(xk, "period_us") ||
               strcmp(xk, "scale") == 0 || ends_with(xk, ".scale"));
    snprintf(P->xlabel, sizeof P->xlabel, "%s",
             P->rate ? "injection rate (jobs/ms)"
             : strcmp(xk, "scheduler") == 0 ? "scheduler" : short_key(xk));
    if (!P->rate && ends_with(P->xlabel, "_us")) {
        P->xlabel[strlen(P->xlabel) - 3] = '\0';
        strncat(P->xlabel, " (µs)", sizeof P->xlabel - strlen(P->xlabel) - 1);
    }
}

/* Figures step 3 (bars): the categories, the distinct x values in
 * first-appearance order (-1: out of memory). */
static int collect_cats(plan_t *P)
{
    const cli_figdata_t *d = P->d;
    P->cats = malloc(sizeof *P->cats * (size_t)d->n_groups);
    if (P->cats == NULL)
        return -1;
    for (int g = 0; g < d->n_groups; g++) {
        const char *v = d->groups[g].keys[P->xk];
        int seen = 0;
        for (int c = 0; c < P->n_cat && !seen; c++)
            seen = strcmp(P->cats[c], v) == 0;
        if (!seen)
            P->cats[P->n_cat++] = v;
    }
    return 0;
}

int cli_figs_draw(const cli_figdata_t *d, const cli_fig_opts_t *o, cli_figlist_t *made)
{
    memset(made, 0, sizeof *made);
    const char *fmt = o->format ? o->format : "png";
    const char *wd = o->workdir ? o->workdir : d->dir;
    plan_t P;
    memset(&P, 0, sizeof P);
    P.d = d;
    P.xk = -1;
    int code;
    FILE *dat = NULL, *gp = NULL;
    char *datp = NULL, *gpp = NULL;
    if ((code = choose_x(&P, d, o)) != 0)
        goto out;
    code = CLI_FAIL;
    x_axis_kind(&P, d, o);
    if (make_series(&P) != 0 || (P.categorical && collect_cats(&P) != 0))
        goto out;
    /* step 4: the data and the script, then gnuplot */
    size_t n = strlen(wd) + 32;
    datp = malloc(n);
    gpp = malloc(n);
    if (datp == NULL || gpp == NULL)
        goto out;
    snprintf(datp, n, "%s/%s", wd, P.categorical ? "bars.dat" : "plot.dat");
    snprintf(gpp, n, "%s/plots.gp", wd);
    if ((dat = fopen(datp, "w")) == NULL || (gp = fopen(gpp, "w")) == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", dat ? gpp : datp, strerror(errno));
        goto out;
    }
    fprintf(gp, "# socsim plot script; redraw in this directory with: gnuplot plots.gp\n");
    cli_gp_terminal(gp, fmt, o->width ? o->width : 1000, o->height ? o->height : 640,
                    o->interactive);
    fputs("set datafile missing 'NaN'\nset grid lc rgb '#dddddd'\nset border 3\n"
          "set tics nomirror\n",
          gp);
    int rc = P.categorical ? draw_bars(&P, dat, gp, fmt, made)
                           : draw_curves(&P, dat, gp, o, fmt, made);
    made->categorical = P.categorical;
    made->x_label = soc__strdup(P.xlabel);
    int bad = rc != 0 || ferror(dat) || ferror(gp);
    bad |= fclose(dat) != 0;
    bad |= fclose(gp) != 0;
    dat = gp = NULL;
    if (bad) {
        fprintf(stderr, "socsim: %s: write error\n", wd);
        goto out;
    }
    if (made->n == 0) {
        fprintf(stderr, "socsim: %s: no metric to plot\n", d->dir);
        goto out;
    }
    code = cli_gnuplot(gpp);
out:
    if (dat != NULL)
        fclose(dat);
    if (gp != NULL)
        fclose(gp);
    for (int s = 0; P.ser != NULL && s < P.n_ser; s++)
        free(P.ser[s].groups);
    free(P.ser);
    free(P.cats);
    free(datp);
    free(gpp);
    if (code != 0)
        cli_figlist_free(made);
    return code;
}
