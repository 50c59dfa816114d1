/*
 * cli_common.c -- option parsing, error reporting and output formats shared
 * by the socsim subcommands.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_report(const soc_error_t *err)
{
    char buf[1024];
    fprintf(stderr, "socsim: %s\n", soc_error_format(err, buf, sizeof buf));
    switch (err->code) {
    case SOC_EINVAL:
    case SOC_EIO:
    case SOC_EPARSE:
    case SOC_ECONFIG:
    case SOC_ECYCLE:
    case SOC_ENOSCHED:
    case SOC_EPLUGIN_OPEN:
    case SOC_EPLUGIN_SYMBOL:
    case SOC_EPLUGIN_ABI:
    case SOC_ELIMIT:
    case SOC_EUNSUPPORTED:
        return CLI_USAGE;
    default:
        return CLI_FAIL;
    }
}

void cli_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void cli_print_json(FILE *out, const soc_sim_t *sim, const soc_config_t *cfg)
{
    char *j = soc_study_run_json(sim);
    if (j == NULL) {
        fputs("socsim: out of memory\n", stderr);
        return;
    }
    (void)cfg; /* the PE names are in the JSON (soc_metrics_t.pe_names) */
    fputs(j, out);
    fputc('\n', out);
    free(j);
}

void cli_pe_name(char *buf, size_t size, const soc_config_t *cfg, int pe)
{
    const soc_platform_t *p = &cfg->platform;
    snprintf(buf, size, "%s_%d", p->clusters[p->pe_cluster[pe]].name, pe);
}

const char *cli_fmt(char buf[32], double x)
{
    if (isnan(x))
        return "nan";
    if (isinf(x))
        return x > 0 ? "inf" : "-inf";
    double ax = fabs(x);
    if (ax == 0)
        return "0";
    if (ax >= 1e15 || ax < 1e-4) {
        snprintf(buf, 32, "%.6g", x);
        return buf;
    }
    /* 7 significant digits, no exponent, no trailing zeros */
    int int_digits = ax < 1 ? 0 : (int)floor(log10(ax)) + 1;
    int dec = int_digits >= 7 ? 0 : 7 - int_digits;
    if (ax < 1)
        dec = 6 - (int)floor(log10(ax)); /* 0.0723300564 -> 0.07233006 */
    if (dec > 12)
        dec = 12;
    snprintf(buf, 32, "%.*f", dec, x);
    if (strchr(buf, '.') != NULL) {
        char *e = buf + strlen(buf) - 1;
        while (*e == '0')
            *e-- = '\0';
        if (*e == '.')
            *e = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

/* ------------------------------------------------------------- outputs */

int cli_make_parents(const char *path)
{
    char *d = soc__strdup(path);
    if (d == NULL)
        return -1;
    char *slash = strrchr(d, '/');
    int rc = 0;
    if (slash != NULL && slash != d) {
        *slash = '\0';
        for (char *p = d + 1; rc == 0; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            struct stat st;
            if (stat(d, &st) != 0) {
                if (mkdir(d, 0777) != 0 && errno != EEXIST) {
                    fprintf(stderr, "socsim: %s: cannot create the folder: %s\n", d,
                            strerror(errno));
                    rc = -1;
                }
            } else if (!S_ISDIR(st.st_mode)) {
                fprintf(stderr, "socsim: %s: not a folder (in the path %s)\n", d, path);
                rc = -1;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    free(d);
    return rc;
}

int cli_out_open(cli_out_t *o, const char *path)
{
    memset(o, 0, sizeof o[0]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "socsim: %s: is a folder; give a file name\n", path);
        return CLI_USAGE;
    }
    if (cli_make_parents(path) != 0)
        return CLI_USAGE;
    size_t n = strlen(path) + 32;
    o->path = soc__strdup(path);
    o->tmp = malloc(n);
    if (o->path == NULL || o->tmp == NULL) {
        free(o->path);
        free(o->tmp);
        memset(o, 0, sizeof o[0]);
        fprintf(stderr, "socsim: out of memory\n");
        return CLI_FAIL;
    }
    /* a temporary name in the same folder: renamed into place on success */
    snprintf(o->tmp, n, "%s.tmp%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (o->f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", path, strerror(errno));
        free(o->path);
        free(o->tmp);
        memset(o, 0, sizeof o[0]);
        return CLI_USAGE;
    }
    return 0;
}

int cli_out_close(cli_out_t *o, int keep)
{
    if (o->f == NULL)
        return 0;
    int bad = ferror(o->f);
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    int code = 0;
    if (bad && keep) {
        fprintf(stderr, "socsim: %s: write error\n", o->path);
        code = CLI_FAIL;
    }
    if (keep && !bad && rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", o->path, strerror(errno));
        code = CLI_FAIL;
    }
    if (!keep || bad || code != 0)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return code;
}

int cli_schedule_open(cli_sink_t *sink, const char *path, const soc_config_t *cfg)
{
    sink->cfg = cfg;
    int code = cli_out_open(&sink->out, path);
    if (code != 0)
        return code;
    fputs("job,task,task_type,pe,start_us,finish_us,app,pe_name,arrival_us,task_name\n",
          sink->out.f);
    return 0;
}

void cli_schedule_row(void *user, const soc_task_record_t *r)
{
    cli_sink_t *sink = user;
    const soc_platform_t *p = &sink->cfg->platform;
    const soc_app_t *app = &sink->cfg->apps[r->app];
    char a[32], b[32], d[32], pe[300];
    cli_pe_name(pe, sizeof pe, sink->cfg, r->pe);
    fprintf(sink->out.f, "%" PRIu64 ",%d,%s,%d,%s,%s,%s,%s,%s,%s\n", r->job, r->task,
            p->type_names[r->type], r->pe, soc__num(a, r->start_us), soc__num(b, r->finish_us),
            app->name, pe, soc__num(d, r->arrival_us),
            app->tasks[r->task].name ? app->tasks[r->task].name : "");
}

int cli_schedule_close(cli_sink_t *sink, int keep)
{
    return cli_out_close(&sink->out, keep);
}

/* ------------------------------------------------------------ options */

void cli_print_help(FILE *out, const cli_opt_t *opts, const char *usage,
                    const char *about)
{
    fprintf(out, "usage: %s\n", usage);
    if (about != NULL)
        fprintf(out, "\n%s\n", about);
    fprintf(out, "\noptions:\n");
    for (const cli_opt_t *o = opts; o->name != NULL; o++) {
        char left[64];
        if (o->help == NULL)
            continue; /* a hidden alias */
        if (o->key < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name,
                     o->has_arg ? " " : "", o->has_arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name,
                     o->has_arg ? " " : "", o->has_arg ? o->arg : "");
        fprintf(out, "  %-30s %s\n", left, o->help);
    }
    fprintf(out, "  %-30s %s\n", "-h, --help", "show this help and exit");
}

int cli_parse(int argc, char **argv, const cli_opt_t *opts, const char *usage,
              const char *about, int (*fn)(void *user, int key, const char *arg),
              void *user)
{
    int n = 0;
    while (opts[n].name != NULL)
        n++;
    struct option *lo = calloc((size_t)n + 2, sizeof *lo);
    char shorts[128] = "h";
    size_t sl = 1;
    if (lo == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = opts[i].has_arg ? required_argument : no_argument;
        lo[i].val = opts[i].key;
        if (opts[i].key < 256 && sl + 3 < sizeof shorts) {
            shorts[sl++] = (char)opts[i].key;
            if (opts[i].has_arg)
                shorts[sl++] = ':';
        }
    }
    shorts[sl] = 0;
    lo[n].name = "help";
    lo[n].val = 'h';
    optind = 1;
    opterr = 0;
    int c, rc = 0;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (c == 'h') {
            cli_print_help(stdout, opts, usage, about);
            rc = -2;
            break;
        }
        if (c == '?' || c == ':') {
            if (optopt != 0 && optopt < 256)
                fprintf(stderr, "socsim %s: unknown option or missing argument: -%c\n",
                        argv[0], optopt);
            else
                fprintf(stderr, "socsim %s: unknown option or missing argument: %s\n",
                        argv[0], argv[optind - 1]);
            fprintf(stderr, "usage: %s\n(try 'socsim %s --help')\n", usage, argv[0]);
            rc = -1;
            break;
        }
        if (fn(user, c, optarg) != 0) {
            rc = -1;
            break;
        }
    }
    free(lo);
    return rc < 0 ? rc : optind;
}

int cli_parse_u64(const char *opt, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (text == NULL || *text == '\0' || *text == '-') {
        fprintf(stderr, "socsim: %s expects a non-negative integer, got '%s'\n", opt,
                text ? text : "");
        return -1;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0') {
        fprintf(stderr, "socsim: %s expects a non-negative integer, got '%s'\n", opt, text);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_jobs(const char *text, uint64_t *jobs)
{
    if (cli_parse_u64("--jobs", text, jobs) != 0)
        return -1;
    if (*jobs == 0 || *jobs > ((uint64_t)1 << 40)) {
        fprintf(stderr, "socsim: --jobs must be between 1 and 2^40 (measured jobs; worker "
                        "processes are -j/--workers of sweep and regress)\n");
        return -1;
    }
    return 0;
}

int cli_parse_workers(const char *text, int *workers)
{
    uint64_t v;
    if (cli_parse_u64("--workers", text, &v) != 0 || v < 1 || v > 1024) {
        fprintf(stderr, "socsim: -j/--workers expects 1..1024\n");
        return -1;
    }
    *workers = (int)v;
    return 0;
}

/* --------------------------------------------------------- power trace */

int cli_power_open(cli_power_sink_t *ps, const char *path, const soc_config_t *cfg)
{
    ps->run = 0;
    int code = cli_out_open(&ps->out, path);
    if (code != 0)
        return code;
    const soc_platform_t *p = &cfg->platform;
    fputs("run,time_us", ps->out.f);
    for (int c = 0; c < p->n_clusters; c++)
        fprintf(ps->out.f, ",%s_freq_mhz", p->clusters[c].name);
    for (int c = 0; c < p->n_clusters; c++)
        fprintf(ps->out.f, ",%s_power_w", p->clusters[c].name);
    fputs(",max_temp_c\n", ps->out.f);
    return 0;
}

void cli_power_row(void *user, const soc_power_sample_t *x)
{
    cli_power_sink_t *ps = user;
    FILE *f = ps->out.f;
    char b[32];
    fprintf(f, "%d,%s", ps->run, soc__num(b, x->time_us));
    for (int c = 0; c < x->n_clusters; c++)
        fprintf(f, ",%s", soc__num(b, x->freq_mhz[c]));
    for (int c = 0; c < x->n_clusters; c++)
        fprintf(f, ",%s", soc__num(b, x->power_w[c]));
    fprintf(f, ",%s\n", soc__num(b, x->max_temp_c));
}

int cli_power_close(cli_power_sink_t *ps, int keep)
{
    return cli_out_close(&ps->out, keep);
}

/* ----------------------------------------------------------------- runs */

int cli_run_with(const soc_config_t *cfg, const soc_sched_handle_t *h, const cli_hooks_t *hooks,
                 soc_sim_t **simp, soc_error_t *err)
{
    soc_sim_options_t o = {0};
    o.struct_size = sizeof o;
    o.sched = soc_sched_handle_ops(h);
    o.sched_arg = soc_sched_handle_arg(h);
    if (hooks != NULL) {
        o.on_record = hooks->on_record;
        o.record_user = hooks->record_user;
        o.on_power = hooks->on_power;
        o.power_user = hooks->power_user;
    }
    *simp = NULL;
    int rc = soc_sim_create(simp, cfg, &o, err);
    if (rc != SOC_OK)
        return rc;
    return soc_sim_run(*simp, err);
}

int cli_run_config(const soc_config_t *cfg, const char *spec, const cli_hooks_t *hooks,
                   soc_sim_t **simp, soc_sched_handle_t **hp, soc_error_t *err)
{
    *simp = NULL;
    *hp = NULL;
    int rc = soc_sched_resolve(spec, hp, err);
    if (rc != SOC_OK)
        return rc;
    return cli_run_with(cfg, *hp, hooks, simp, err);
}

void cli_run_cleanup(soc_sim_t *sim, soc_sched_handle_t *h)
{
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
}

cli_hooks_t cli_sink_hooks(cli_sink_t *sink, cli_power_sink_t *ps)
{
    cli_hooks_t k = {NULL, NULL, NULL, NULL};
    if (sink != NULL && sink->out.f != NULL) {
        k.on_record = cli_schedule_row;
        k.record_user = sink;
    }
    if (ps != NULL && ps->out.f != NULL) {
        k.on_power = cli_power_row;
        k.power_user = ps;
    }
    return k;
}
