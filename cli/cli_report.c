/*
 * cli_report.c -- `socsim report`: one self-contained HTML file of a sweep
 * directory and/or runs (`socsim run --json` lines), with a chosen run's
 * Gantt chart.
 *
 * Every chart is drawn by gnuplot (the same figures as `socsim plot`,
 * cli_figs.c) as SVG and embedded in the page, so the file needs nothing
 * at view time: no network, no other file.  The Gantt chart is gnuplot's
 * interactive SVG (`set terminal svg mouse standalone`: gnuplot's own
 * mousing script inside the SVG) -- wheel to zoom, drag to pan, hover a
 * task for its name and times.  A Content-Security-Policy forbids every
 * fetch, so a page opened anywhere stays offline.  docs/sweeps.md says why
 * gnuplot rather than a JavaScript charting library.
 */
#define _GNU_SOURCE /* mkdtemp, realpath */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_figs.h"
#include "cli_trace.h"
#include "protocol.h" /* the gym's JSON reader */
#include "soc/metrics.h"

/* ---------------------------------------------------------------- runs */

/* One run: a line of `socsim run --json`. */
typedef struct rrun {
    char *source; /* file it came from (borrowed) */
    char *scheduler;
    int64_t scale; /* -1: not a DS3 performance run */
    int iteration;
    uint64_t seed;
    double *fields; /* [soc_metric_fields() count], NaN = null */
    int n_pes;
    double *pe_util;
    char **pe_names;
    int n_cl;
    double *cl_energy;
} rrun_t;

typedef struct runs {
    rrun_t *v;
    int n, cap;
} runs_t;

static void runs_free(runs_t *r)
{
    for (int i = 0; i < r->n; i++) {
        rrun_t *x = &r->v[i];
        free(x->scheduler);
        free(x->fields);
        free(x->pe_util);
        for (int p = 0; p < x->n_pes && x->pe_names; p++)
            free(x->pe_names[p]);
        free(x->pe_names);
        free(x->cl_energy);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

static double jnum(const soc__json_t *j, int tok)
{
    if (tok < 0 || j->t[tok].type != SOC__J_NUM)
        return NAN;
    char buf[64];
    size_t n = j->t[tok].len < sizeof buf - 1 ? j->t[tok].len : sizeof buf - 1;
    memcpy(buf, j->src + j->t[tok].start, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

static int jarray(const soc__json_t *j, int tok, double **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (tok < 0 || j->t[tok].type != SOC__J_ARR)
        return 0;
    int k = j->t[tok].n;
    if ((*out = calloc((size_t)(k ? k : 1), sizeof **out)) == NULL)
        return -1;
    for (int i = 0; i < k; i++)
        (*out)[i] = jnum(j, soc__json_at(j, tok, i));
    *n = k;
    return 0;
}

static int read_runs(runs_t *R, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot read: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    int nf;
    const soc_metric_field_t *fields = soc_metric_fields(&nf);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, code = 0, got = 0;
    soc__json_t j = {0};
    while (code == 0 && (len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        char msg[200];
        if (soc__json_parse(&j, line, (size_t)len, msg, sizeof msg) != SOC_OK ||
            j.t[0].type != SOC__J_OBJ || soc__json_get(&j, 0, "scheduler") < 0) {
            fprintf(stderr, "socsim: %s:%d: not a line of 'socsim run --json'\n", path, lineno);
            code = CLI_USAGE;
            break;
        }
        if (R->n == R->cap) {
            int nc = R->cap ? 2 * R->cap : 16;
            rrun_t *nv = realloc(R->v, sizeof *nv * (size_t)nc);
            if (nv == NULL) {
                code = CLI_FAIL;
                break;
            }
            R->v = nv;
            R->cap = nc;
        }
        rrun_t *x = &R->v[R->n++];
        memset(x, 0, sizeof *x);
        x->source = (char *)path;
        x->scale = -1;
        if (soc__json_str_dup(&j, soc__json_get(&j, 0, "scheduler"), &x->scheduler) != SOC_OK ||
            (x->fields = malloc(sizeof(double) * (size_t)nf)) == NULL) {
            code = CLI_FAIL;
            break;
        }
        double v = jnum(&j, soc__json_get(&j, 0, "seed"));
        x->seed = isnan(v) ? 0 : (uint64_t)v;
        v = jnum(&j, soc__json_get(&j, 0, "scale"));
        if (!isnan(v)) {
            x->scale = (int64_t)v;
            x->iteration = (int)jnum(&j, soc__json_get(&j, 0, "iteration"));
        }
        for (int i = 0; i < nf; i++)
            x->fields[i] = jnum(&j, soc__json_get(&j, 0, fields[i].name));
        if (jarray(&j, soc__json_get(&j, 0, "pe_utilization"), &x->pe_util, &x->n_pes) != 0 ||
            jarray(&j, soc__json_get(&j, 0, "cluster_energy_j"), &x->cl_energy, &x->n_cl) != 0) {
            code = CLI_FAIL;
            break;
        }
        int names = soc__json_get(&j, 0, "pe_names");
        if (names >= 0 && j.t[names].type == SOC__J_ARR && j.t[names].n == x->n_pes &&
            x->n_pes > 0) {
            if ((x->pe_names = calloc((size_t)x->n_pes, sizeof *x->pe_names)) == NULL) {
                code = CLI_FAIL;
                break;
            }
            for (int p = 0; p < x->n_pes; p++)
                if (soc__json_str_dup(&j, soc__json_at(&j, names, p), &x->pe_names[p]) != SOC_OK)
                    x->pe_names[p] = NULL;
        }
        got++;
    }
    soc__json_free(&j);
    free(line);
    fclose(f);
    if (code == 0 && got == 0) {
        fprintf(stderr, "socsim: %s: no runs (write them with socsim run --json > FILE)\n", path);
        code = CLI_USAGE;
    }
    if (code == CLI_FAIL)
        fprintf(stderr, "socsim: out of memory\n");
    return code;
}

/* The runs as a sweep's results.csv in dir, so that they are grouped and
 * drawn like a sweep (one group per scheduler and DS3 scale). */
static int runs_as_results(const runs_t *R, const char *dir)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int nf, scale = 0;
    const soc_metric_field_t *fields = soc_metric_fields(&nf);
    for (int i = 0; i < R->n; i++)
        scale |= R->v[i].scale >= 0;
    fprintf(f, "point,scheduler%s,seed", scale ? ",scale" : "");
    for (int i = 0; i < nf; i++)
        fprintf(f, ",%s", fields[i].name);
    fputs(",check\n", f);
    for (int r = 0; r < R->n; r++) {
        const rrun_t *x = &R->v[r];
        fprintf(f, "%d,", r);
        for (const char *c = x->scheduler; *c; c++)
            fputc(*c == ',' || *c == '"' || *c == '\n' ? '_' : *c, f);
        if (scale)
            fprintf(f, ",%" PRId64, x->scale);
        fprintf(f, ",%" PRIu64, x->seed);
        for (int i = 0; i < nf; i++) {
            char b[32];
            fprintf(f, ",%s", isnan(x->fields[i]) ? "" : soc__num(b, x->fields[i]));
        }
        fputs(",0\n", f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- html */

static void html_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* A figure's SVG file inline (without its XML prolog). */
static int embed_svg(FILE *out, const char *path, const char *caption, const char *kind)
{
    char *text = NULL;
    size_t len = 0;
    soc_error_t err = {0};
    if (soc__read_file(path, (size_t)256 << 20, 1, &text, &len, &err) != SOC_OK) {
        fprintf(stderr, "socsim: %s: cannot read the figure\n", path);
        return -1;
    }
    const char *svg = strstr(text, "<svg");
    fprintf(out, "<figure class=\"chart %s\">\n", kind);
    if (svg != NULL)
        fputs(svg, out);
    fputs("<figcaption>", out);
    html_text(out, caption);
    fputs("</figcaption></figure>\n", out);
    free(text);
    return svg != NULL ? 0 : -1;
}

/* Remove the temporary directory and everything in it (flat). */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* A link from the report to a file: relative to the report's folder when
 * both resolve, else the path as given. */
static void link_to(FILE *f, const char *report, const char *target, const char *label)
{
    char rt[PATH_MAX], rr[PATH_MAX], dir[PATH_MAX];
    const char *href = target;
    char rel[PATH_MAX * 2];
    snprintf(dir, sizeof dir, "%s", report);
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (realpath(target, rt) != NULL && realpath(dir, rr) != NULL) {
        /* common prefix by whole components, then ../ per remaining one */
        size_t i = 0, last = 0;
        while (rt[i] && rr[i] && rt[i] == rr[i]) {
            if (rt[i] == '/')
                last = i;
            i++;
        }
        if (rr[i] == '\0' && rt[i] == '/')
            last = i;
        size_t used = 0;
        rel[0] = '\0';
        for (const char *p = rr + last; *p; p++)
            if (*p == '/')
                used += (size_t)snprintf(rel + used, sizeof rel - used, "../");
        snprintf(rel + used, sizeof rel - used, "%s", rt + last + 1);
        href = rel;
    }
    fputs("<a href=\"", f);
    html_text(f, href);
    fputs("\">", f);
    html_text(f, label);
    fputs("</a>", f);
}

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;"
    "padding:0 1em}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;"
    "margin-top:2em}table{border-collapse:collapse;font-size:.9em;margin:.5em 0}"
    "td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}"
    "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
    "figure{margin:1em 0}figure svg{width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:.85em;color:#555}.note{color:#666;font-size:.9em}"
    "code{background:#f5f5f5;padding:0 .2em}";

/* Marks every chart after load (a chart is rendered when its SVG has a
 * size and drawn elements) and counts blocked fetches: what the browser
 * test reads from the DOM. */
static const char check_js[] =
    "document.addEventListener('securitypolicyviolation',function(e){var b=document.body;"
    "b.setAttribute('data-blocked',String(1+parseInt(b.getAttribute('data-blocked')||'0')));"
    "});\n"
    "window.addEventListener('load',function(){setTimeout(function(){"
    "var figs=document.querySelectorAll("
    "'figure.chart'),ok=0;for(var i=0;i<figs.length;i++){var s=figs[i].querySelector('svg');"
    "var n=s?s.querySelectorAll('path,rect,polygon,polyline,use,circle').length:0;"
    "var r=s?s.getBoundingClientRect():null;var good=!!(s&&r.width>100&&r.height>50&&n>5);"
    "figs[i].setAttribute('data-rendered',good?'yes':'no');"
    "figs[i].setAttribute('data-elements',String(n));"
    "if(s&&s.gnuplot)figs[i].setAttribute('data-interactive','yes');if(good)ok++;}"
    "var b=document.body;b.setAttribute('data-charts',String(figs.length));"
    "b.setAttribute('data-charts-rendered',String(ok));"
    "b.setAttribute('data-resources',String(performance.getEntriesByType('resource')"
    ".length));b.setAttribute('data-ready','yes');},0);});\n";

typedef struct rep_args {
    const char *out, *schedule, *x, *title;
    int bars;
    double from, to;
} rep_args_t;

static void summary_table(FILE *f, const cli_figdata_t *d)
{
    static const int cols[] = {CLI_FM_AVG_LAT, CLI_FM_P95_LAT, CLI_FM_P99_LAT,
                               CLI_FM_THROUGHPUT, CLI_FM_MISS_RATE, CLI_FM_ENERGY_PER_JOB,
                               CLI_FM_POWER, CLI_FM_UTIL};
    fputs("<table><tr>", f);
    for (int k = 0; k < d->n_keys; k++) {
        fputs("<th>", f);
        html_text(f, d->key_names[k]);
        fputs("</th>", f);
    }
    fputs("<th>runs</th>", f);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        if (!d->have[cols[c]])
            continue;
        fputs("<th>", f);
        html_text(f, cli_figmetrics[cols[c]].title);
        fputs(" (", f);
        html_text(f, cli_figmetrics[cols[c]].unit);
        fputs(")</th>", f);
    }
    fputs("</tr>\n", f);
    for (int g = 0; g < d->n_groups; g++) {
        const cli_group_t *G = &d->groups[g];
        fputs("<tr>", f);
        for (int k = 0; k < d->n_keys; k++) {
            fputs("<td>", f);
            html_text(f, G->keys[k][0] ? G->keys[k] : "(base)");
            fputs("</td>", f);
        }
        fprintf(f, "<td>%d</td>", G->runs);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            int m = cols[c];
            if (!d->have[m])
                continue;
            char a[32], b[32];
            if (isnan(G->mean[m]))
                fputs("<td>&ndash;</td>", f);
            else if (isnan(G->ci[m]))
                fprintf(f, "<td>%s</td>", cli_fmt(a, G->mean[m]));
            else
                fprintf(f, "<td>%s &plusmn; %s</td>", cli_fmt(a, G->mean[m]),
                        cli_fmt(b, G->ci[m]));
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"note\">mean &plusmn; half-width of the 95% confidence "
          "interval over the runs (Student t); one run: no interval.</p>\n",
          f);
}

static void axes_summary(FILE *f, const cli_figdata_t *d)
{
    fputs("<table><tr><th>axis</th><th>values</th></tr>\n", f);
    for (int k = 0; k < d->n_keys; k++) {
        fputs("<tr><td>", f);
        html_text(f, d->key_names[k]);
        fputs("</td><td>", f);
        int shown = 0, distinct = 0;
        for (int g = 0; g < d->n_groups; g++) {
            int seen = 0;
            for (int h = 0; h < g && !seen; h++)
                seen = strcmp(d->groups[h].keys[k], d->groups[g].keys[k]) == 0;
            if (seen)
                continue;
            distinct++;
            if (shown < 12) {
                fputs(shown ? ", " : "", f);
                html_text(f, d->groups[g].keys[k][0] ? d->groups[g].keys[k] : "(base)");
                shown++;
            }
        }
        if (distinct > shown)
            fprintf(f, " &hellip; (%d values)", distinct);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* "A15_4" -> "A15" */
static void cluster_name(const char *pe, char *out, size_t size)
{
    snprintf(out, size, "%s", pe ? pe : "?");
    char *u = strrchr(out, '_');
    if (u != NULL && u != out)
        *u = '\0';
}

/* The clusters of a run: consecutive PEs with the same name stem (names,
 * and first[c] .. first[c + 1] their PEs); at most 64. */
static int cluster_groups(const rrun_t *ref, char names[64][128], int first[65])
{
    int nc = 0;
    for (int p = 0; p < ref->n_pes && nc < 64; p++) {
        char c[128];
        cluster_name(ref->pe_names[p], c, sizeof c);
        if (nc == 0 || strcmp(names[nc - 1], c) != 0) {
            snprintf(names[nc], sizeof names[nc], "%s", c);
            first[nc++] = p;
        }
    }
    first[nc] = ref->n_pes;
    return nc;
}

/* The table's rows: per run, each cluster's mean utilisation (kept in
 * util[run * nc + cluster], %) and energy. */
static void cluster_rows(FILE *f, const runs_t *R, const int *first, int nc, double *util)
{
    for (int i = 0; i < R->n; i++) {
        const rrun_t *x = &R->v[i];
        char label[200];
        if (x->scale >= 0)
            snprintf(label, sizeof label, "%s, scale %" PRId64 " it. %d", x->scheduler, x->scale,
                     x->iteration);
        else
            snprintf(label, sizeof label, "%s, seed %" PRIu64, x->scheduler, x->seed);
        fputs("<tr><td>", f);
        html_text(f, label);
        fputs("</td>", f);
        for (int c = 0; c < nc; c++) {
            double u = 0;
            int k = 0;
            for (int p = first[c]; p < first[c + 1] && p < x->n_pes; p++, k++)
                u += x->pe_util[p];
            util[i * nc + c] = k ? 100 * u / k : NAN;
            char a[32], b[32];
            fprintf(f, "<td>%s%%", cli_fmt(a, util[i * nc + c]));
            if (x->n_cl == nc)
                fprintf(f, ", %s J", cli_fmt(b, x->cl_energy[c]));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
}

/* The charts' data: a block of utilisation (and one of energy, mJ) with a
 * row per cluster and a column per run. */
static void cluster_data(FILE *d, const runs_t *R, char names[64][128], int nc,
                         const double *util, int energy)
{
    for (int blk = 0; blk < 1 + energy; blk++) {
        for (int c = 0; c < nc; c++) {
            fprintf(d, "\"%s\"", names[c]);
            for (int i = 0; i < R->n; i++) {
                double v = blk == 0 ? util[i * nc + c]
                                    : R->v[i].n_cl == nc ? R->v[i].cl_energy[c] * 1e3 : NAN;
                fprintf(d, " %.12g", isnan(v) ? 0 : v);
            }
            fputc('\n', d);
        }
        fputs("\n\n", d);
    }
}

/* The gnuplot script of the clustered bar charts (cluster_util.svg,
 * cluster_energy.svg), one bar per run (at most 16). */
static void cluster_script(FILE *g, const runs_t *R, int energy)
{
    cli_gp_terminal(g, "svg", 1000, 420, 0);
    fputs("set style data histograms\nset style histogram clustered gap 1.5\n"
          "set style fill solid 0.85 border rgb '#333333'\nset yrange [0:*]\n"
          "set grid ytics lc rgb '#dddddd'\nset xtics nomirror scale 0\nset border 3\n"
          "set key outside right top\n",
          g);
    for (int blk = 0; blk < 1 + energy; blk++) {
        fprintf(g, "set output 'cluster_%s.svg'\nset ylabel '%s'\nset title '%s'\nplot ",
                blk ? "energy" : "util",
                blk ? "energy (mJ)" : "mean PE utilisation (%)",
                blk ? "energy per cluster" : "utilisation per cluster");
        for (int i = 0; i < R->n && i < 16; i++) {
            char label[200];
            snprintf(label, sizeof label, "%s", R->v[i].scheduler);
            fprintf(g, "%s'clusters.dat' index %d using %d%s lc rgb '%s' title ", i ? ", " : "",
                    blk, 2 + i, i ? "" : ":xtic(1)", cli_color(i));
            cli_gp_quote(g, label);
        }
        fputc('\n', g);
    }
}

/* Per-cluster utilisation and energy of the runs: a table and two bar
 * charts (gnuplot SVG in tmp). */
static int cluster_section(FILE *f, const runs_t *R, const char *tmp)
{
    /* clusters from the first run with PE names */
    const rrun_t *ref = NULL;
    for (int i = 0; i < R->n && ref == NULL; i++)
        if (R->v[i].pe_names != NULL)
            ref = &R->v[i];
    if (ref == NULL) {
        fputs("<p class=\"note\">The runs carry no PE names (written by an older socsim).</p>\n",
              f);
        return 0;
    }
    char names[64][128];
    int first[65];
    int nc = cluster_groups(ref, names, first);
    int energy = 0;
    for (int i = 0; i < R->n; i++)
        energy |= R->v[i].n_cl == nc;
    char dat[PATH_MAX], gp[PATH_MAX];
    snprintf(dat, sizeof dat, "%s/clusters.dat", tmp);
    snprintf(gp, sizeof gp, "%s/clusters.gp", tmp);
    FILE *d = fopen(dat, "w");
    if (d == NULL)
        return -1;
    fputs("<table><tr><th>run</th>", f);
    for (int c = 0; c < nc; c++) {
        fputs("<th>", f);
        html_text(f, names[c]);
        fprintf(f, " (%d PE%s)</th>", first[c + 1] - first[c],
                first[c + 1] - first[c] == 1 ? "" : "s");
    }
    fputs("</tr>\n", f);
    /* utilisation block, then energy block: rows = clusters, columns = runs */
    double *util = calloc((size_t)(R->n * nc + 1), sizeof *util);
    if (util == NULL) {
        fclose(d);
        return -1;
    }
    cluster_rows(f, R, first, nc, util);
    fputs("</table>\n<p class=\"note\">mean utilisation of the cluster's PEs (busy time / "
          "measured span)",
          f);
    fputs(energy ? " and the cluster's energy.</p>\n" : ".</p>\n", f);
    cluster_data(d, R, names, nc, util, energy);
    int bad = fclose(d) != 0;
    FILE *g = fopen(gp, "w");
    if (g == NULL || bad) {
        if (g)
            fclose(g);
        free(util);
        return -1;
    }
    cluster_script(g, R, energy);
    free(util);
    if (fclose(g) != 0 || cli_gnuplot(gp) != 0)
        return -1;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/cluster_util.svg", tmp);
    if (embed_svg(f, p, "mean PE utilisation per cluster", "clusters") != 0)
        return -1;
    if (energy) {
        snprintf(p, sizeof p, "%s/cluster_energy.svg", tmp);
        if (embed_svg(f, p, "energy per cluster (mJ)", "clusters") != 0)
            return -1;
    }
    return 0;
}

static int figures_section(FILE *f, const cli_figdata_t *d, const rep_args_t *a,
                           const char *tmp, const char *what)
{
    cli_fig_opts_t o = {a->x, 0, a->bars, "svg", 0, tmp, 1000, 560};
    cli_figlist_t made;
    int code = cli_figs_draw(d, &o, &made);
    if (code != 0)
        return code;
    fprintf(f, "<p class=\"note\">%s against %s%s.</p>\n", what,
            made.x_label ? made.x_label : "the axis",
            made.categorical ? " (bars: mean, error bars: 95% CI)"
                             : " (curves: mean, bands: 95% CI)");
    for (int i = 0; i < made.n && code == 0; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", tmp, made.files[i]);
        if (embed_svg(f, p, made.titles[i], made.categorical ? "bars" : "curves") != 0)
            code = CLI_FAIL;
    }
    cli_figlist_free(&made);
    return code;
}

static int gantt_section(FILE *f, const rep_args_t *a, const char *tmp)
{
    cli_sched_t s;
    int code = cli_sched_read_csv(&s, a->schedule);
    if (code != 0)
        return code;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/gantt.svg", tmp);
    cli_gantt_opts_t go = cli_gantt_defaults();
    char title[400];
    cli_sched_title(&s, title, sizeof title);
    go.title = title;
    go.from_us = a->from;
    go.to_us = a->to;
    go.format = "svg";
    go.interactive = 1;
    go.max_tasks = 3000;
    go.quiet = 1; /* the page says it */
    if ((code = cli_gantt_write(p, &s, &go)) == 0) {
        fputs("<p class=\"note\">Mouse wheel: zoom; drag: pan; hover a task for its name and "
              "times; click a legend entry to hide it.",
              f);
        if (s.n > go.max_tasks && isnan(a->from) && isnan(a->to))
            fprintf(f, " The schedule has %d tasks: the chart shows the window of the first "
                       "%d (choose one with <code>--from/--to</code>).",
                    s.n, go.max_tasks);
        fputs("</p>\n", f);
        if (embed_svg(f, p, "Gantt chart", "gantt") != 0)
            code = CLI_FAIL;
    }
    cli_sched_free(&s);
    return code;
}

enum { OPT_OUT = 'o', OPT_SCHEDULE = 256, OPT_X, OPT_BARS, OPT_TITLE, OPT_FROM, OPT_TO };

static const cli_opt_t report_opts[] = {
    {"output", 'o', 1, "FILE.html", "the report (default: report.html)"},
    {"schedule", OPT_SCHEDULE, 1, "FILE.csv",
     "a run's schedule (socsim run --schedule) for the zoomable Gantt chart"},
    {"from", OPT_FROM, 1, "US", "the Gantt chart's time window: start (µs)"},
    {"to", OPT_TO, 1, "US", "the Gantt chart's time window: end (µs)"},
    {"x", OPT_X, 1, "KEY", "the sweep's axis on the x axis (as socsim plot --x)"},
    {"bars", OPT_BARS, 0, NULL, "bar charts even for a numeric axis"},
    {"title", OPT_TITLE, 1, "TEXT", "the report's title"},
    {NULL, 0, 0, NULL, NULL},
};

static int report_opt(void *user, int key, const char *arg)
{
    rep_args_t *a = user;
    char *end;
    switch (key) {
    case 'o':
        a->out = arg;
        return 0;
    case OPT_SCHEDULE:
        a->schedule = arg;
        return 0;
    case OPT_X:
        a->x = arg;
        return 0;
    case OPT_BARS:
        a->bars = 1;
        return 0;
    case OPT_TITLE:
        a->title = arg;
        return 0;
    case OPT_FROM:
    case OPT_TO: {
        double v = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !isfinite(v) || v < 0) {
            fprintf(stderr, "socsim: --%s expects a time in µs, got '%s'\n",
                    key == OPT_FROM ? "from" : "to", arg);
            return -1;
        }
        if (key == OPT_FROM)
            a->from = v;
        else
            a->to = v;
        return 0;
    }
    default:
        return -1;
    }
}

/* Report step 1: the operands -- sweep directories into dirs[], files of
 * run JSON lines into files[] (read into R). */
static int report_operands(int argc, char **argv, int first, const char **dirs, int *n_dirs,
                           const char **files, int *n_files, runs_t *R)
{
    int code = 0;
    for (int i = first; i < argc && code == 0; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "socsim: %s: %s\n", argv[i], strerror(errno));
            code = CLI_USAGE;
        } else if (S_ISDIR(st.st_mode)) {
            dirs[(*n_dirs)++] = argv[i];
        } else {
            files[(*n_files)++] = argv[i];
            code = read_runs(R, argv[i]);
        }
    }
    return code;
}

/* Report step 2: the page's head (security policy, style, the table-sort
 * script) and title. */
static void report_head(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    html_text(f, title);
    fprintf(f, "</title>\n<style>%s</style>\n<script>%s</script>\n</head>\n<body>\n<h1>", css,
            check_js);
    html_text(f, title);
    fprintf(f, "</h1>\n<p class=\"note\">written by socsim %s; every chart is inside this "
               "file (drawn by gnuplot); nothing is fetched when it is viewed.</p>\n",
            soc_version());
}

/* Report step 3: one sweep directory -- its configuration, scheduler
 * table, figures and links to its CSV files. */
static int sweep_section(FILE *f, const char *dir, const rep_args_t *a, const char *tmp,
                         const char *out)
{
    cli_figdata_t d;
    int code = cli_figdata_load(&d, dir);
    if (code != 0)
        return code;
    fputs("<h2>Sweep ", f);
    html_text(f, dir);
    fprintf(f, "</h2>\n<h3>Configuration</h3>\n<p>%d runs in %d groups (points without "
               "their seed).</p>\n",
            d.n_rows, d.n_groups);
    axes_summary(f, &d);
    fputs("<h3>Results</h3>\n", f);
    summary_table(f, &d);
    if (d.have[CLI_FM_ENERGY_PER_JOB] && !d.energy_from_column)
        fputs("<p class=\"note\">energy per job = energy_j / completed_jobs of each "
              "run.</p>\n",
              f);
    fputs("<h3>Figures</h3>\n", f);
    code = figures_section(f, &d, a, tmp, "The sweep's metrics");
    fputs("<h3>Data</h3>\n<ul>", f);
    static const char *const csvs[] = {"results.csv", "summary.csv"};
    for (int k = 0; k < 2; k++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, csvs[k]);
        if (access(p, R_OK) != 0)
            continue;
        fputs("<li>", f);
        link_to(f, out, p, p);
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
    cli_figdata_free(&d);
    return code;
}

/* The runs' configuration table: per file, its runs, schedulers and PEs. */
static void runs_files_table(FILE *f, const runs_t *R, const char **files, int n_files,
                             const char *out)
{
    fputs("<h2 id=\"runs\">Runs</h2>\n<h3>Configuration</h3>\n<table><tr><th>file</th><th>runs</th>"
          "<th>schedulers</th><th>PEs</th></tr>\n",
          f);
    for (int i = 0; i < n_files; i++) {
        int n = 0, pes = 0;
        char scheds[400] = "";
        size_t used = 0;
        for (int r = 0; r < R->n; r++) {
            if (strcmp(R->v[r].source, files[i]) != 0)
                continue;
            n++;
            pes = R->v[r].n_pes;
            if (!strstr(scheds, R->v[r].scheduler) && used < sizeof scheds)
                used += (size_t)snprintf(scheds + used, sizeof scheds - used, "%s%s",
                                         used ? ", " : "", R->v[r].scheduler);
        }
        fputs("<tr><td>", f);
        link_to(f, out, files[i], files[i]);
        fprintf(f, "</td><td>%d</td><td>", n);
        html_text(f, scheds);
        fprintf(f, "</td><td>%d</td></tr>\n", pes);
    }
    fputs("</table>\n", f);
}

/* Report step 4: the runs -- their files, the scheduler table and bar
 * charts (the runs written as a sweep's results in tmp/runs), per-cluster
 * utilisation and energy. */
static int runs_section(FILE *f, const runs_t *R, const char **files, int n_files,
                        const rep_args_t *a, const char *tmp, const char *out)
{
    runs_files_table(f, R, files, n_files, out);
    char rdir[PATH_MAX + 16];
    snprintf(rdir, sizeof rdir, "%s/runs", tmp);
    cli_figdata_t d;
    int code;
    if (mkdir(rdir, 0700) != 0 || runs_as_results(R, rdir) != 0) {
        code = CLI_FAIL;
    } else if ((code = cli_figdata_load(&d, rdir)) == 0) {
        fputs("<h3>Scheduler table</h3>\n", f);
        summary_table(f, &d);
        fputs("<h3>Figures</h3>\n", f);
        rep_args_t b = *a;
        b.x = NULL;
        b.bars = 1;
        code = figures_section(f, &d, &b, rdir, "The runs' metrics");
        cli_figdata_free(&d);
        remove_dir(rdir);
    }
    if (code == 0) {
        fputs("<h3>Per-cluster utilisation and energy</h3>\n", f);
        if (cluster_section(f, R, tmp) != 0)
            code = CLI_FAIL;
    }
    return code;
}

/* A fresh temporary folder for the charts (under $TMPDIR) into tmp. */
static int report_tmpdir(char tmp[PATH_MAX])
{
    const char *tmpenv = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "%s/socsim-report-XXXXXX",
             tmpenv && tmpenv[0] ? tmpenv : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        fprintf(stderr, "socsim: cannot create a temporary folder: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    snprintf(tmp, PATH_MAX, "%s", tmpl);
    return 0;
}

int cli_cmd_report(int argc, char **argv)
{
    static const char usage[] =
        "socsim report SWEEP_DIR|RUNS.json... [-o report.html] [--schedule FILE.csv]\n"
        "                     [--from US] [--to US] [--x KEY] [--bars] [--title TEXT]";
    rep_args_t a = {0};
    a.from = a.to = NAN;
    int first = cli_parse(
        argc, argv, report_opts, usage,
        "Write one self-contained HTML report (no network, no other file needed to view it):\n"
        "the configuration, the scheduler table with 95% confidence intervals, the sweep's\n"
        "curves or bar charts, per-cluster utilisation and energy of runs, a zoomable Gantt\n"
        "chart of a chosen run's schedule, and links to the CSV files.  Operands: sweep\n"
        "directories (results.csv) and files of 'socsim run --json' lines.  Charts are drawn\n"
        "by gnuplot as SVG inside the page.",
        report_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc == first && a.schedule == NULL) {
        fprintf(stderr, "usage: %s\n", usage);
        return CLI_USAGE;
    }
    const char *out = a.out ? a.out : "report.html";
    int code = CLI_OK, n_dirs = 0;
    runs_t R = {0};
    const char **dirs = calloc((size_t)(argc + 1), sizeof *dirs);
    const char **files = calloc((size_t)(argc + 1), sizeof *files);
    int n_files = 0;
    char tmp[PATH_MAX] = "";
    int have_tmp = 0;
    cli_out_t o = {0};
    if (dirs == NULL || files == NULL) {
        code = CLI_FAIL;
        goto done;
    }
    if ((code = report_operands(argc, argv, first, dirs, &n_dirs, files, &n_files, &R)) != 0 ||
        (code = report_tmpdir(tmp)) != 0)
        goto done;
    have_tmp = 1;
    if ((code = cli_out_open(&o, out)) != 0)
        goto done;
    FILE *f = o.f;
    report_head(f, a.title ? a.title : "socsim report");
    for (int i = 0; i < n_dirs && code == 0; i++)
        code = sweep_section(f, dirs[i], &a, tmp, out);
    if (code == 0 && R.n > 0)
        code = runs_section(f, &R, files, n_files, &a, tmp, out);
    /* a run's schedule */
    if (code == 0 && a.schedule != NULL) {
        fputs("<h2 id=\"schedule\">Schedule</h2>\n<p>", f);
        link_to(f, out, a.schedule, a.schedule);
        fputs("</p>\n", f);
        code = gantt_section(f, &a, tmp);
    }
    if (code == 0 && a.schedule == NULL)
        fputs("<p class=\"note\">No schedule given: add <code>--schedule FILE.csv</code> (from "
              "<code>socsim run ... --schedule FILE.csv</code>) for a zoomable Gantt "
              "chart.</p>\n",
              f);
    fputs("</body></html>\n", f);
done:
    if (o.f != NULL && cli_out_close(&o, code == 0) != 0 && code == 0)
        code = CLI_FAIL;
    if (code == 0)
        printf("%s\n", out);
    if (have_tmp)
        remove_dir(tmp);
    runs_free(&R);
    free(dirs);
    free(files);
    return code;
}
