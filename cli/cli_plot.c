/*
 * cli_plot.c -- `socsim plot`: the figures of a finished sweep (curves
 * against a numeric axis, bar charts with error bars for schedulers or
 * other categories; cli_figs.c) and Gantt charts of schedule CSV files
 * (cli_gantt.c), via gnuplot, as PNG, SVG or PDF.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_figs.h"
#include "cli_trace.h"
#include "soc_util.h"

enum { OPT_GANTT = 256, OPT_X, OPT_RAWX, OPT_TRACE, OPT_FORMAT, OPT_BARS, OPT_FROM, OPT_TO,
       OPT_COLOR, OPT_OUT = 'o' };

static const cli_opt_t plot_opts[] = {
    {"x", OPT_X, 1, "KEY",
     "the axis on the x axis (default: the first numeric axis that varies, else scheduler); "
     "a non-numeric axis gives bar charts"},
    {"bars", OPT_BARS, 0, NULL, "bar charts even for a numeric x axis (its values as categories)"},
    {"raw-x", OPT_RAWX, 0, NULL, "plot an inter-arrival axis as is, not as injection rate"},
    {"format", OPT_FORMAT, 1, "png|svg|pdf", "figure format (default png; --gantt: from -o)"},
    {"gantt", OPT_GANTT, 1, "SCHEDULE.csv", "draw the Gantt chart of a schedule CSV instead"},
    {"output", 'o', 1, "FILE", "with --gantt: the figure (default: SCHEDULE.png)"},
    {"from", OPT_FROM, 1, "US", "with --gantt: start of the time window (µs)"},
    {"to", OPT_TO, 1, "US", "with --gantt: end of the time window (µs)"},
    {"color-by", OPT_COLOR, 1, "app|type", "with --gantt: colour by application (default) or "
                                           "task type"},
    {"trace", OPT_TRACE, 1, "FILE.json", "with --gantt: also write a Perfetto trace of it"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct plot_args {
    const char *x, *gantt, *out, *trace, *format;
    int raw_x, bars, by_type;
    double from, to;
} plot_args_t;

static int parse_us(const char *opt, const char *arg, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (*arg == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < 0) {
        fprintf(stderr, "socsim: %s expects a time in µs (>= 0), got '%s'\n", opt, arg);
        return -1;
    }
    *out = v;
    return 0;
}

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
    case OPT_BARS:
        a->bars = 1;
        return 0;
    case OPT_GANTT:
        a->gantt = arg;
        return 0;
    case OPT_TRACE:
        a->trace = arg;
        return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "png") != 0 && strcmp(arg, "svg") != 0 && strcmp(arg, "pdf") != 0) {
            fprintf(stderr, "socsim: --format expects png, svg or pdf, got '%s'\n", arg);
            return -1;
        }
        a->format = arg;
        return 0;
    case OPT_FROM:
        return parse_us("--from", arg, &a->from);
    case OPT_TO:
        return parse_us("--to", arg, &a->to);
    case OPT_COLOR:
        if (strcmp(arg, "app") != 0 && strcmp(arg, "type") != 0) {
            fprintf(stderr, "socsim: --color-by expects app or type, got '%s'\n", arg);
            return -1;
        }
        a->by_type = strcmp(arg, "type") == 0;
        return 0;
    case 'o':
        a->out = arg;
        return 0;
    default:
        return -1;
    }
}

static int plot_gantt(const plot_args_t *a)
{
    cli_sched_t s;
    int code = cli_sched_read_csv(&s, a->gantt);
    char *out = NULL;
    if (code == 0 && a->out == NULL) {
        /* SCHEDULE.csv -> SCHEDULE.png (or .svg, .pdf) */
        size_t n = strlen(a->gantt);
        out = malloc(n + 5);
        if (out == NULL)
            code = CLI_FAIL;
        else {
            snprintf(out, n + 5, "%s", a->gantt);
            if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
                out[n - 4] = '\0';
            strcat(out, ".");
            strcat(out, a->format ? a->format : "png");
        }
    }
    const char *path = a->out ? a->out : out;
    if (code == 0 && a->format == NULL && cli_format_of(path) == NULL) {
        fprintf(stderr, "socsim: %s: the figure's name should end in .png, .svg or .pdf (or "
                        "give --format)\n",
                path);
        code = CLI_USAGE;
    }
    /* a title from the schedule, not from its file name */
    char title[400];
    if (code == 0)
        cli_sched_title(&s, title, sizeof title);
    if (code == 0 && a->trace != NULL)
        code = cli_trace_write(a->trace, &s, title);
    if (code == 0) {
        cli_gantt_opts_t go = cli_gantt_defaults();
        go.title = title;
        go.from_us = a->from;
        go.to_us = a->to;
        go.by_type = a->by_type;
        go.format = a->format;
        if ((code = cli_gantt_write(path, &s, &go)) == 0)
            printf("%s\n", path);
    }
    free(out);
    cli_sched_free(&s);
    return code;
}

int cli_cmd_plot(int argc, char **argv)
{
    static const char usage[] =
        "socsim plot SWEEP_DIR [--x KEY] [--bars] [--raw-x] [--format png|svg|pdf]\n"
        "       socsim plot --gantt SCHEDULE.csv [-o FILE.png|svg|pdf] [--from US] [--to US]\n"
        "                   [--color-by app|type] [--trace FILE.json]";
    plot_args_t a = {0};
    a.from = a.to = NAN;
    int first = cli_parse(
        argc, argv, plot_opts, usage,
        "Draw figures with gnuplot.  For a finished sweep directory: job latency (mean, p95,\n"
        "p99), throughput, deadline-miss rate, energy per job and average power against the\n"
        "swept axis -- curves with 95% confidence bands, one per scheduler, for a numeric\n"
        "axis; grouped bar charts with 95% CI error bars for schedulers or other categories.\n"
        "The data (plot.dat or bars.dat) and the script (plots.gp) stay in the directory.\n"
        "With --gantt: the Gantt chart of a schedule CSV (a large schedule shows the window\n"
        "of its first 2000 tasks unless --from/--to say otherwise).",
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
        return plot_gantt(&a);
    }
    if (argc - first != 1) {
        fprintf(stderr, "usage: %s\n", usage);
        return CLI_USAGE;
    }
    if (!isnan(a.from) || !isnan(a.to) || a.out || a.trace) {
        fprintf(stderr, "socsim: --from, --to, -o and --trace go with --gantt\n");
        return CLI_USAGE;
    }
    cli_figdata_t d;
    int code = cli_figdata_load(&d, argv[first]);
    if (code != 0)
        return code;
    cli_fig_opts_t o = {a.x, a.raw_x, a.bars, a.format, 0, NULL, 0, 0};
    cli_figlist_t made;
    if ((code = cli_figs_draw(&d, &o, &made)) == 0) {
        for (int i = 0; i < made.n; i++)
            printf("%s/%s\n", argv[first], made.files[i]);
        cli_figlist_free(&made);
    }
    cli_figdata_free(&d);
    return code;
}
