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

void cli_print_json(FILE *out, const soc_sim_t *sim)
{
    char *j = soc_study_run_json(sim);
    if (j == NULL) {
        fputs("socsim: out of memory\n", stderr);
        return;
    }
    fputs(j, out);
    fputc('\n', out);
    free(j);
}

int cli_schedule_open(cli_sink_t *sink, const char *path, const soc_config_t *cfg)
{
    sink->cfg = cfg;
    sink->f = fopen(path, "w");
    if (sink->f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    fputs("job,task,task_type,pe,start_us,finish_us,app,pe_name,arrival_us\n", sink->f);
    return 0;
}

void cli_schedule_row(void *user, const soc_task_record_t *r)
{
    cli_sink_t *sink = user;
    const soc_platform_t *p = &sink->cfg->platform;
    const soc_cluster_t *c = &p->clusters[p->pe_cluster[r->pe]];
    char a[32], b[32], d[32];
    fprintf(sink->f, "%" PRIu64 ",%d,%s,%d,%s,%s,%s,%s_%d,%s\n", r->job, r->task,
            p->type_names[r->type], r->pe, soc__num(a, r->start_us),
            soc__num(b, r->finish_us), sink->cfg->apps[r->app].name, c->name,
            r->pe, soc__num(d, r->arrival_us));
}

int cli_schedule_close(cli_sink_t *sink)
{
    if (sink->f == NULL)
        return 0;
    int bad = ferror(sink->f);
    if (fclose(sink->f) != 0)
        bad = 1;
    sink->f = NULL;
    if (bad) {
        fprintf(stderr, "socsim: error writing the schedule file\n");
        return CLI_FAIL;
    }
    return 0;
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
    ps->f = fopen(path, "w");
    if (ps->f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    const soc_platform_t *p = &cfg->platform;
    fputs("run,time_us", ps->f);
    for (int c = 0; c < p->n_clusters; c++)
        fprintf(ps->f, ",%s_freq_mhz", p->clusters[c].name);
    for (int c = 0; c < p->n_clusters; c++)
        fprintf(ps->f, ",%s_power_w", p->clusters[c].name);
    fputs(",max_temp_c\n", ps->f);
    return 0;
}

void cli_power_row(void *user, const soc_power_sample_t *x)
{
    cli_power_sink_t *ps = user;
    char b[32];
    fprintf(ps->f, "%d,%s", ps->run, soc__num(b, x->time_us));
    for (int c = 0; c < x->n_clusters; c++)
        fprintf(ps->f, ",%s", soc__num(b, x->freq_mhz[c]));
    for (int c = 0; c < x->n_clusters; c++)
        fprintf(ps->f, ",%s", soc__num(b, x->power_w[c]));
    fprintf(ps->f, ",%s\n", soc__num(b, x->max_temp_c));
}

int cli_power_close(cli_power_sink_t *ps)
{
    if (ps->f == NULL)
        return 0;
    int bad = ferror(ps->f);
    if (fclose(ps->f) != 0)
        bad = 1;
    ps->f = NULL;
    if (bad) {
        fprintf(stderr, "socsim: error writing the power trace\n");
        return CLI_FAIL;
    }
    return 0;
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
    if (sink != NULL && sink->f != NULL) {
        k.on_record = cli_schedule_row;
        k.record_user = sink;
    }
    if (ps != NULL && ps->f != NULL) {
        k.on_power = cli_power_row;
        k.power_user = ps;
    }
    return k;
}
