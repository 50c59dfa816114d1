/*
 * cli_gantt.c -- Gantt chart of a schedule (PNG, SVG or PDF), drawn by
 * gnuplot from a generated script kept next to the figure as FILE.gp; and
 * the gnuplot helpers every figure uses (terminals, quoting, the palette,
 * running gnuplot).
 */
#define _GNU_SOURCE /* fdopen, getline, flock, O_DIRECTORY, fdatasync */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "soc_util.h"
#include "cli_trace.h"

int cli_gnuplot(const char *script)
{
    /* gnuplot runs in the script's directory: the scripts name their data
     * and outputs by plain file names, so they stay usable where they are */
    const char *slash = strrchr(script, '/');
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "socsim: cannot start gnuplot: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    if (pid == 0) {
        if (slash != NULL) {
            size_t n = slash == script ? 1 : (size_t)(slash - script);
            char *dir = malloc(n + 1);
            if (dir == NULL)
                _exit(126);
            memcpy(dir, script, n);
            dir[n] = '\0';
            if (chdir(dir) != 0)
                _exit(126);
            free(dir);
        }
        execlp("gnuplot", "gnuplot", slash ? slash + 1 : script, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        fprintf(stderr, "socsim: gnuplot is not installed (apt-get install gnuplot-nox); the "
                        "script is in %s\n",
                script);
        return CLI_FAIL;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "socsim: gnuplot failed on %s\n", script);
        return CLI_FAIL;
    }
    return 0;
}

void cli_gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('\'', f);
}

const char *cli_format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return NULL;
    if (strcasecmp(dot, ".png") == 0)
        return "png";
    if (strcasecmp(dot, ".svg") == 0)
        return "svg";
    if (strcasecmp(dot, ".pdf") == 0)
        return "pdf";
    return NULL;
}

void cli_gp_terminal(FILE *f, const char *format, int w, int h, int interactive)
{
    fputs("set encoding utf8\n", f);
    if (format != NULL && strcmp(format, "svg") == 0)
        fprintf(f, "set terminal svg size %d,%d dynamic %sfont 'sans,11' noenhanced\n", w, h,
                interactive ? "mouse standalone " : "");
    else if (format != NULL && strcmp(format, "pdf") == 0)
        fprintf(f, "set terminal pdfcairo size %.2fin,%.2fin font 'sans,9' noenhanced\n",
                w / 100.0, h / 100.0);
    else
        fprintf(f, "set terminal pngcairo size %d,%d font 'sans,11' noenhanced\n", w, h);
}

const char *cli_color(int i)
{
    /* Okabe-Ito (colour-blind safe), then Tol's muted scheme */
    static const char *const pal[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                                      "#D55E00", "#F0E442", "#000000", "#882255", "#44AA99",
                                      "#999933", "#AA4499", "#332288", "#88CCEE", "#117733",
                                      "#DDCC77"};
    int n = (int)(sizeof pal / sizeof pal[0]);
    return pal[((i % n) + n) % n];
}

cli_gantt_opts_t cli_gantt_defaults(void)
{
    cli_gantt_opts_t o;
    memset(&o, 0, sizeof o);
    o.from_us = NAN;
    o.to_us = NAN;
    o.max_tasks = 2000;
    return o;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A bar's label: the task name (or type) and its job. */
static void bar_text(char *buf, size_t size, const cli_bar_t *b)
{
    const char *n = b->name && b->name[0] ? b->name : b->type && b->type[0] ? b->type : "task";
    snprintf(buf, size, "%s (job %lld)", n, b->job);
}

static void write_text_cell(FILE *f, const char *s)
{
    /* a gnuplot inline-data string: double quotes, none inside */
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : (unsigned char)*s < 0x20 ? ' ' : *s, f);
    fputc('"', f);
}

/* The time window of a Gantt chart. */
typedef struct gwin {
    double t0, t1;   /* the whole schedule's span */
    double from, to; /* the window drawn */
    int auto_window; /* chosen for a large schedule (the first max_tasks tasks) */
    int windowed;    /* less than the whole schedule */
    int shown;       /* bars in the window */
} gwin_t;

/* Gantt step 1: the window -- given, or everything, or for a large
 * schedule the span of its first max_tasks tasks (starts[]: scratch of
 * s->n); -1 (said on stderr) when it is empty. */
static int gantt_window(const cli_sched_t *s, const cli_gantt_opts_t *o, double *starts, gwin_t *w)
{
    /* the whole schedule's span */
    double t0 = INFINITY, t1 = 0;
    for (int i = 0; i < s->n; i++) {
        if (s->bars[i].start_us < t0)
            t0 = s->bars[i].start_us;
        if (s->bars[i].finish_us > t1)
            t1 = s->bars[i].finish_us;
        starts[i] = s->bars[i].start_us;
    }
    if (s->n == 0)
        t0 = 0;
    /* the window: given, or everything, or -- for a large schedule -- the
     * span of the first max_tasks tasks (a readable chart, said so) */
    double from = isnan(o->from_us) ? t0 : o->from_us;
    double to = isnan(o->to_us) ? t1 : o->to_us;
    int auto_window = 0;
    if (isnan(o->from_us) && isnan(o->to_us) && o->max_tasks > 0 && s->n > o->max_tasks) {
        qsort(starts, (size_t)s->n, sizeof *starts, cmp_double);
        to = starts[o->max_tasks];
        if (!(to > from))
            to = from + 1;
        auto_window = 1;
    }
    /* a window past the schedule's ends shows the schedule's ends */
    if (to > t1 && t1 > from)
        to = t1;
    if (from < t0 && t0 < to)
        from = t0;
    if (!(to > from)) {
        fprintf(stderr, "socsim: the time window %g..%g µs is empty\n", from, to);
        return -1;
    }
    int shown = 0;
    for (int i = 0; i < s->n; i++)
        shown += s->bars[i].finish_us >= from && s->bars[i].start_us <= to;
    *w = (gwin_t){t0, t1, from, to, auto_window, auto_window || from > t0 || to < t1, shown};
    return 0;
}

/* Gantt step 2: the script's settings -- terminal, output, title (with the
 * window), axes, one y tic per PE, the colour of each class. */
static void gantt_settings(FILE *f, const char *gp, const char *out, const char *format,
                           const cli_sched_t *s, const cli_gantt_opts_t *o, const gwin_t *w)
{
    int rows = s->n_pes > 0 ? s->n_pes : 1;
    int height = 150 + 26 * rows;
    if (height > 4000)
        height = 4000;
    /* colour classes: applications or task types */
    int n_cls = o->by_type ? s->n_types : s->n_apps;
    fprintf(f, "# Gantt chart written by socsim; rerun in this directory with: gnuplot %s\n",
            strrchr(gp, '/') ? strrchr(gp, '/') + 1 : gp);
    cli_gp_terminal(f, format, 1400, height, o->interactive);
    fputs("set output ", f);
    cli_gp_quote(f, strrchr(out, '/') ? strrchr(out, '/') + 1 : out);
    char title[900];
    if (w->windowed)
        snprintf(title, sizeof title, "%s\n%d of %d tasks, window %g..%g µs of %g..%g µs",
                 o->title ? o->title : "schedule", w->shown, s->n, w->from, w->to, w->t0, w->t1);
    else
        snprintf(title, sizeof title, "%s\n%d tasks on %d PEs", o->title ? o->title : "schedule",
                 s->n, s->n_pes);
    fputs("\nset title ", f);
    /* a gnuplot string with a line break: double quotes */
    fputc('"', f);
    for (const char *c = title; *c; c++) {
        if (*c == '\n')
            fputs("\\n", f);
        else if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if ((unsigned char)*c >= 0x20)
            fputc(*c, f);
    }
    fputc('"', f);
    /* outlines only while bars are sparse enough to keep their colour */
    int dense = w->shown > 40 * rows || w->shown > 1500;
    fprintf(f, "\nset xlabel 'time (µs)'\nset ylabel 'processing element'\n"
               "set xrange [%.17g:%.17g]\nset yrange [%d.5:-0.5]\n"
               "set style fill solid %s\n"
               "set grid xtics lc rgb '#dddddd'\nset xtics out nomirror\n"
               "set ytics nomirror\n"
               "set key outside right top title '%s' box lc rgb '#bbbbbb'\n",
            w->from, w->to + (w->to - w->from) * 0.005, rows - 1,
            dense ? "1.0 noborder" : "0.9 border lc rgb '#505050'",
            o->by_type ? "task type" : "application");
    fputs("set ytics (", f);
    for (int pe = 0; pe < s->n_pes; pe++) {
        fprintf(f, "%s", pe ? ", " : "");
        cli_gp_quote(f, s->pe_names[pe]);
        fprintf(f, " %d", pe);
    }
    fputs(")\n", f);
    for (int c = 0; c < n_cls && c < 256; c++)
        fprintf(f, "c%d = 0x%s\n", c, cli_color(c) + 1);
}

/* Gantt step 3b: the inline data of the labels (pass 0: task names) or of
 * the hover texts (pass 1: task, job, application, times). */
static void gantt_texts(FILE *f, const cli_sched_t *s, const gwin_t *w, int pass)
{
    for (int i = 0; i < s->n; i++) {
        const cli_bar_t *b = &s->bars[i];
        if (b->finish_us < w->from || b->start_us > w->to)
            continue;
        char text[600];
        if (pass == 0) {
            snprintf(text, sizeof text, "%s", b->name && b->name[0] ? b->name : b->type);
        } else {
            char lab[400];
            bar_text(lab, sizeof lab, b);
            snprintf(text, sizeof text, "%s, %s: %g..%g µs", lab,
                     b->app >= 0 && b->app < s->n_apps ? s->app_names[b->app] : "?",
                     b->start_us, b->finish_us);
        }
        fprintf(f, "%.17g %.17g %d ", b->start_us, b->finish_us, b->pe);
        write_text_cell(f, text);
        fputc('\n', f);
    }
    fputs("e\n", f);
}

/* Gantt step 3: the plot command (bars, labels when they can be read,
 * hover texts in interactive SVG, the legend) and its inline data. */
static void gantt_plot(FILE *f, const char *format, const cli_sched_t *s,
                       const cli_gantt_opts_t *o, const gwin_t *w)
{
    int n_cls = o->by_type ? s->n_types : s->n_apps;
    char **cls = o->by_type ? s->types : s->app_names;
    /* task names on the bars only when they can be read */
    int labels = w->shown <= 60;
    int hover = o->interactive && strcmp(format, "svg") == 0 && w->shown <= 5000;
    fputs("plot '-' using (($1+$2)/2):3:(($2-$1)/2):(0.38):4 with boxxyerror lc rgb variable "
          "notitle",
          f);
    if (labels)
        fputs(", '-' using (($1+$2)/2):3:4 with labels font 'sans,8' notitle", f);
    if (hover)
        /* invisible points (alpha ff) that show the task on hover */
        fputs(", '-' using (($1+$2)/2):3:4 with labels hypertext point pt 7 ps 0.6 lc rgb "
              "'#ff000000' notitle",
              f);
    int legend = n_cls <= 40 ? n_cls : 40;
    for (int c = 0; c < legend; c++) {
        fprintf(f, ", NaN with boxes lc rgb '%s' title ", cli_color(c));
        cli_gp_quote(f, cls[c]);
    }
    fputc('\n', f);
    for (int i = 0; i < s->n; i++) {
        const cli_bar_t *b = &s->bars[i];
        if (b->finish_us < w->from || b->start_us > w->to)
            continue;
        int k = 0;
        if (o->by_type) {
            for (k = 0; k < s->n_types && s->types[k] != b->type; k++)
                ;
        } else {
            k = b->app;
        }
        unsigned rgb = (unsigned)strtoul(cli_color(k) + 1, NULL, 16);
        fprintf(f, "%.17g %.17g %d %u\n", b->start_us, b->finish_us, b->pe, rgb);
    }
    fputs("e\n", f);
    if (labels)
        gantt_texts(f, s, w, 0);
    if (hover)
        gantt_texts(f, s, w, 1);
}

int cli_gantt_write(const char *out, const cli_sched_t *s, const cli_gantt_opts_t *o)
{
    const char *format = o->format ? o->format : cli_format_of(out);
    if (format == NULL)
        format = "png";
    size_t n = strlen(out) + 4;
    char *gp = malloc(n);
    double *starts = malloc(sizeof(double) * (size_t)(s->n ? s->n : 1));
    int code = 0;
    if (gp == NULL || starts == NULL) {
        free(gp);
        free(starts);
        return CLI_FAIL;
    }
    snprintf(gp, n, "%s.gp", out);
    if (cli_make_parents(out) != 0) {
        free(gp);
        free(starts);
        return CLI_USAGE;
    }
    gwin_t w;
    int empty = gantt_window(s, o, starts, &w) != 0;
    free(starts);
    if (empty) {
        free(gp);
        return CLI_USAGE;
    }
    if (w.auto_window && !o->quiet)
        fprintf(stderr,
                "socsim: the schedule has %d tasks: the Gantt chart shows %g..%g µs (%d tasks) "
                "of %g..%g µs; choose a window with socsim plot --gantt FILE.csv --from/--to\n",
                s->n, w.from, w.to, w.shown, w.t0, w.t1);
    FILE *f = fopen(gp, "w");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", gp, strerror(errno));
        free(gp);
        return CLI_USAGE;
    }
    gantt_settings(f, gp, out, format, s, o, &w);
    gantt_plot(f, format, s, o, &w);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "socsim: %s: write error\n", gp);
        code = CLI_FAIL;
    } else {
        code = cli_gnuplot(gp);
    }
    free(gp);
    return code;
}
