/*
 * cli_plot.c -- `socsim plot`: figures of a finished sweep (latency with
 * its confidence band, throughput, energy against the swept quantity, one
 * line per scheduler) and Gantt charts of schedule CSV files, via gnuplot.
 *
 * The data (DIR/plot.dat) and the script (DIR/plots.gp) stay next to the
 * PNGs, so a figure can be restyled and redrawn with plain gnuplot.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "soc_util.h"
#include "cli_trace.h"

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
    if (*s == '\0')
        return 0;
    *x = strtod(s, &end);
    return *end == '\0' && isfinite(*x);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

typedef struct series {
    char label[256];
    int n;
    int *rows;
} series_t;

static double xval(const table_t *t, int r, int xc, int rate)
{
    double x = NAN;
    numeric(t->rows[r][xc], &x);
    return rate ? 1000.0 / x : x;
}

/* Plain insertion sort by x: series are short, and it keeps the file
 * order for equal x without a global comparator state. */
static void sort_rows(int *rows, int n, const table_t *t, int xc, int rate)
{
    for (int i = 1; i < n; i++) {
        int v = rows[i], j = i;
        double xv = xval(t, v, xc, rate);
        while (j > 0 && xval(t, rows[j - 1], xc, rate) > xv) {
            rows[j] = rows[j - 1];
            j--;
        }
        rows[j] = v;
    }
}

typedef struct fig {
    const char *metric;
    const char *file;
    const char *title;
    const char *ylabel;
} fig_t;

static const fig_t figs[] = {
    {"avg_latency_us", "latency.png", "average job latency", "average latency (us)"},
    {"p95_latency_us", "latency_p95.png", "95th percentile job latency", "p95 latency (us)"},
    {"throughput_jobs_per_s", "throughput.png", "throughput", "completed jobs per second"},
    {"energy_j", "energy.png", "energy", "energy (J)"},
    {"edp", "edp.png", "energy-delay product", "EDP (us*J)"},
};
#define N_FIGS (int)(sizeof figs / sizeof figs[0])

static int plot_sweep(const char *dir, const char *xkey, int raw_x)
{
    table_t t;
    size_t dl = strlen(dir) + 32;
    char *sum = malloc(dl), *dat = malloc(dl), *gp = malloc(dl);
    int code = CLI_FAIL;
    series_t *ser = NULL;
    int n_ser = 0;
    memset(&t, 0, sizeof t);
    if (sum == NULL || dat == NULL || gp == NULL)
        goto out;
    snprintf(sum, dl, "%s/summary.csv", dir);
    snprintf(dat, dl, "%s/plot.dat", dir);
    snprintf(gp, dl, "%s/plots.gp", dir);
    if ((code = table_read(&t, sum)) != 0)
        goto out;
    code = CLI_USAGE;
    int runs = col_of(&t, "runs");
    if (runs < 0 || t.n_rows == 0) {
        fprintf(stderr, "socsim: %s: not a sweep summary (no 'runs' column or no rows)\n", sum);
        goto out;
    }
    /* the x axis: --x, else the first numeric key column that varies */
    int xc = -1;
    for (int c = 0; c < runs; c++) {
        if (xkey != NULL) {
            if (strcmp(t.head[c], xkey) == 0)
                xc = c;
            continue;
        }
        int ok = 1, varies = 0;
        double x0 = 0, x = 0;
        for (int r = 0; r < t.n_rows && ok; r++) {
            ok = numeric(t.rows[r][c], &x);
            if (r == 0)
                x0 = x;
            else if (x != x0)
                varies = 1;
        }
        if (ok && varies && strcmp(t.head[c], "scheduler") != 0 && strcmp(t.head[c], "point") != 0) {
            xc = c;
            break;
        }
    }
    if (xc < 0) {
        if (xkey != NULL)
            fprintf(stderr, "socsim: %s: no column '%s' among the sweep's axes\n", sum, xkey);
        else
            fprintf(stderr, "socsim: %s: no numeric axis that varies (choose one with --x KEY)\n",
                    sum);
        goto out;
    }
    /* a mean inter-arrival time is shown as its injection rate, like the
     * DS3 paper's figures */
    const char *xk = t.head[xc];
    int rate = !raw_x && (ends_with(xk, "interarrival_us") || ends_with(xk, "period_us") ||
                          strcmp(xk, "scale") == 0 || ends_with(xk, ".scale"));
    /* series: every other key column */
    ser = calloc((size_t)t.n_rows, sizeof *ser);
    if (ser == NULL)
        goto out;
    for (int r = 0; r < t.n_rows; r++) {
        char label[256] = "";
        size_t used = 0;
        for (int c = 0; c < runs; c++) {
            if (c == xc)
                continue;
            int varies = 0;
            for (int q = 0; q < t.n_rows && !varies; q++)
                varies = strcmp(t.rows[q][c], t.rows[0][c]) != 0;
            if (!varies)
                continue;
            if (strcmp(t.head[c], "scheduler") == 0)
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s", used ? ", " : "",
                                         t.rows[r][c]);
            else
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s=%s",
                                         used ? ", " : "", t.head[c], t.rows[r][c]);
            if (used >= sizeof label)
                used = sizeof label - 1;
        }
        if (label[0] == '\0')
            snprintf(label, sizeof label, "all");
        int s;
        for (s = 0; s < n_ser && strcmp(ser[s].label, label) != 0; s++)
            ;
        if (s == n_ser) {
            snprintf(ser[s].label, sizeof ser[s].label, "%s", label);
            if ((ser[s].rows = malloc(sizeof(int) * (size_t)t.n_rows)) == NULL)
                goto out;
            n_ser++;
        }
        ser[s].rows[ser[s].n++] = r;
    }
    FILE *f = fopen(dat, "w");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", dat, strerror(errno));
        goto out;
    }
    int mc[N_FIGS], cc[N_FIGS], have[N_FIGS];
    double lo[N_FIGS], hi[N_FIGS];
    for (int g = 0; g < N_FIGS; g++) {
        char name[64];
        snprintf(name, sizeof name, "%s_mean", figs[g].metric);
        mc[g] = col_of(&t, name);
        snprintf(name, sizeof name, "%s_ci95", figs[g].metric);
        cc[g] = col_of(&t, name);
        have[g] = 0;
        lo[g] = INFINITY;
        hi[g] = 0;
    }
    fprintf(f, "# socsim plot data: x then, per figure, mean lo hi (95%% CI)\n");
    for (int s = 0; s < n_ser; s++) {
        sort_rows(ser[s].rows, ser[s].n, &t, xc, rate);
        fprintf(f, "# series %d: %s\n", s, ser[s].label);
        for (int i = 0; i < ser[s].n; i++) {
            int r = ser[s].rows[i];
            fprintf(f, "%.12g", xval(&t, r, xc, rate));
            for (int g = 0; g < N_FIGS; g++) {
                double m = NAN, ci = 0;
                if (mc[g] >= 0 && numeric(t.rows[r][mc[g]], &m)) {
                    have[g] = 1;
                    if (m > 0 && m < lo[g])
                        lo[g] = m;
                    if (m > hi[g])
                        hi[g] = m;
                }
                if (cc[g] < 0 || !numeric(t.rows[r][cc[g]], &ci))
                    ci = 0;
                if (isnan(m))
                    fprintf(f, " NaN NaN NaN");
                else
                    fprintf(f, " %.12g %.12g %.12g", m, m - ci, m + ci);
            }
            fputc('\n', f);
        }
        fputs("\n\n", f);
    }
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || (f = fopen(gp, "w")) == NULL) {
        fprintf(stderr, "socsim: cannot write %s\n", bad ? dat : gp);
        code = CLI_FAIL;
        goto out;
    }
    fprintf(f, "# socsim plot script; redraw in this directory with: gnuplot plots.gp\n"
               "set terminal pngcairo size 1000,640 font 'sans,11' noenhanced\n"
               "set datafile missing 'NaN'\nset grid lc rgb '#dddddd'\n"
               "set key outside right top\nset style fill transparent solid 0.18 noborder\n");
    fputs("set xlabel ", f);
    if (rate)
        cli_gp_quote(f, "injection rate (jobs/ms)");
    else
        cli_gp_quote(f, xk);
    fputc('\n', f);
    for (int g = 0; g < N_FIGS; g++) {
        if (!have[g])
            continue;
        char title[300];
        snprintf(title, sizeof title, "%s vs %s (mean, band = 95%% CI over seeds)", figs[g].title,
                 rate ? "injection rate" : xk);
        fputs("set output ", f);
        cli_gp_quote(f, figs[g].file);
        fputs("\nset title ", f);
        cli_gp_quote(f, title);
        fputs("\nset ylabel ", f);
        cli_gp_quote(f, figs[g].ylabel);
        /* schedulers that saturate dwarf the others: spread them out */
        fputs(lo[g] > 0 && hi[g] / lo[g] > 30 ? "\nset logscale y" : "\nunset logscale y", f);
        fputs("\nplot ", f);
        int col = 2 + 3 * g;
        for (int s = 0; s < n_ser; s++)
            fprintf(f, "%s'plot.dat' index %d using 1:%d:%d with filledcurves lc %d notitle", s ? ", " : "",
                    s, col + 1, col + 2, s + 1);
        for (int s = 0; s < n_ser; s++) {
            fprintf(f, ", 'plot.dat' index %d using 1:%d with linespoints lw 2 pt 7 ps 0.8 lc %d title ",
                    s, col, s + 1);
            cli_gp_quote(f, ser[s].label);
        }
        fputc('\n', f);
    }
    bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "socsim: %s: write error\n", gp);
        code = CLI_FAIL;
        goto out;
    }
    if ((code = cli_gnuplot(gp)) == 0)
        for (int g = 0; g < N_FIGS; g++)
            if (have[g])
                printf("%s/%s\n", dir, figs[g].file);
out:
    for (int s = 0; ser != NULL && s < n_ser; s++)
        free(ser[s].rows);
    free(ser);
    table_free(&t);
    free(sum);
    free(dat);
    free(gp);
    return code;
}

enum { OPT_GANTT = 256, OPT_X, OPT_RAWX, OPT_OUT = 'o', OPT_TRACE };

static const cli_opt_t plot_opts[] = {
    {"x", OPT_X, 1, "KEY", "the axis on the x axis (default: first numeric axis that varies)"},
    {"raw-x", OPT_RAWX, 0, NULL, "plot an inter-arrival axis as is, not as injection rate"},
    {"gantt", OPT_GANTT, 1, "SCHEDULE.csv", "draw the Gantt chart of a schedule CSV instead"},
    {"trace", OPT_TRACE, 1, "FILE.json", "with --gantt: also write a Perfetto trace of it"},
    {"output", 'o', 1, "FILE.png", "with --gantt: the PNG (default: SCHEDULE.png)"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct plot_args {
    const char *x, *gantt, *out, *trace;
    int raw_x;
} plot_args_t;

static int plot_opt(void *user, int key, const char *arg)
{
    plot_args_t *a = user;
    switch (key) {
    case OPT_X:
        a->x = arg;
        return 0;
    case OPT_RAWX:
        a->raw_x = 1;
        return 0;
    case OPT_GANTT:
        a->gantt = arg;
        return 0;
    case OPT_TRACE:
        a->trace = arg;
        return 0;
    case 'o':
        a->out = arg;
        return 0;
    default:
        return -1;
    }
}

int cli_cmd_plot(int argc, char **argv)
{
    static const char usage[] = "socsim plot SWEEP_DIR [--x KEY] [--raw-x]\n"
                                "       socsim plot --gantt SCHEDULE.csv [-o FILE.png] [--trace FILE.json]";
    plot_args_t a = {0};
    int first = cli_parse(argc, argv, plot_opts, usage,
                          "Draw PNG figures with gnuplot: for a finished sweep directory, latency\n"
                          "(with its 95% confidence band), throughput and energy against the swept\n"
                          "axis, one line per scheduler; or the Gantt chart of a schedule CSV.",
                          plot_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (a.gantt != NULL) {
        if (argc != first) {
            fprintf(stderr, "usage: %s\n", usage);
            return CLI_USAGE;
        }
        cli_sched_t s;
        int code = cli_sched_read_csv(&s, a.gantt);
        char *png = NULL;
        if (code == 0 && a.out == NULL) {
            size_t n = strlen(a.gantt);
            png = malloc(n + 5);
            if (png == NULL)
                code = CLI_FAIL;
            else {
                snprintf(png, n + 5, "%s", a.gantt);
                if (n > 4 && strcmp(png + n - 4, ".csv") == 0)
                    png[n - 4] = '\0';
                strcat(png, ".png");
            }
        }
        const char *out = a.out ? a.out : png;
        if (code == 0 && a.trace != NULL)
            code = cli_trace_write(a.trace, &s, a.gantt);
        if (code == 0 && (code = cli_gantt_write(out, &s, a.gantt)) == 0)
            printf("%s\n", out);
        free(png);
        cli_sched_free(&s);
        return code;
    }
    if (argc - first != 1) {
        fprintf(stderr, "usage: %s\n", usage);
        return CLI_USAGE;
    }
    return plot_sweep(argv[first], a.x, a.raw_x);
}
