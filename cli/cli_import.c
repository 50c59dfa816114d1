/*
 * cli_import.c -- `socsim import` (WfCommons, STG, DOT), `socsim gen dag`
 * (synthetic DAGs) and `socsim export dot` (docs/workloads.md).
 *
 * Outputs are written to temporary files next to their targets and renamed
 * into place only when everything succeeded: on any error nothing is
 * written (exit 2 for bad input, 1 for failures of the system).
 */
#define _GNU_SOURCE /* mkstemp, realpath, fdopen */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "soc/gen.h"
#include "soc/import.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"

/* ------------------------------------------------------- atomic outputs */

typedef struct outf {
    const char *path;
    char *tmp;
    FILE *f;
} outf_t;

static int out_open(outf_t *o, const char *path)
{
    o->path = path;
    o->f = NULL;
    size_t n = strlen(path) + 16;
    if ((o->tmp = malloc(n)) == NULL)
        return CLI_FAIL;
    snprintf(o->tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd >= 0) { /* mkstemp makes 0600: give the file the usual mode */
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0666 & ~mask) != 0) {
            close(fd);
            unlink(o->tmp);
            fd = -1;
        }
    }
    if (fd < 0 || (o->f = fdopen(fd, "w")) == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return CLI_USAGE;
    }
    return 0;
}

static void out_abort(outf_t *o)
{
    if (o->f != NULL)
        fclose(o->f);
    if (o->tmp != NULL)
        unlink(o->tmp);
    free(o->tmp);
    o->f = NULL;
    o->tmp = NULL;
}

/* Close every file, then rename them all (0), or remove them all. */
static int out_commit(outf_t *v, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (v[i].f == NULL)
            continue;
        if (ferror(v[i].f) | fclose(v[i].f))
            bad = 1;
        v[i].f = NULL;
    }
    for (int i = 0; i < n && !bad; i++)
        if (v[i].tmp != NULL && rename(v[i].tmp, v[i].path) != 0) {
            fprintf(stderr, "socsim: %s: cannot write: %s\n", v[i].path, strerror(errno));
            bad = 1;
        }
    for (int i = 0; i < n; i++) {
        if (bad && v[i].tmp != NULL)
            unlink(v[i].tmp);
        free(v[i].tmp);
        v[i].tmp = NULL;
    }
    if (bad) {
        fprintf(stderr, "socsim: error writing the output files; nothing was written\n");
        return CLI_FAIL;
    }
    return 0;
}

/* ----------------------------------------------------------- paths */

/* "DIR/stem.platform.yaml" for "DIR/stem.yaml" (malloc'ed). */
static char *sibling(const char *app, const char *suffix)
{
    size_t n = strlen(app);
    size_t cut = n;
    if (n > 5 && strcmp(app + n - 5, ".yaml") == 0)
        cut = n - 5;
    else if (n > 4 && strcmp(app + n - 4, ".yml") == 0)
        cut = n - 4;
    char *s = malloc(cut + strlen(suffix) + 1);
    if (s != NULL) {
        memcpy(s, app, cut);
        strcpy(s + cut, suffix);
    }
    return s;
}

/* The directory part of a path, resolved (malloc'ed; NULL on failure). */
static char *real_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return NULL;
    char *r = realpath(dir, NULL);
    free(dir);
    return r;
}

/* `target` as a path relative to the directory of `from` (both naming
 * files whose directories exist), malloc'ed. */
static char *relative(const char *from, const char *target)
{
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    char *fd = real_dir(from), *td = real_dir(target);
    char *res = NULL;
    if (fd == NULL || td == NULL) {
        res = strdup(target);
        goto out;
    }
    /* common leading components */
    size_t i = 0, common = 0;
    while (fd[i] && fd[i] == td[i]) {
        if (fd[i] == '/')
            common = i;
        i++;
    }
    if (fd[i] == '\0' && (td[i] == '/' || td[i] == '\0'))
        common = i;
    else if (td[i] == '\0' && fd[i] == '/')
        common = i;
    size_t ups = 0;
    for (const char *p = fd + common; *p; p++)
        if (*p == '/')
            ups++;
    const char *rest = td + common;
    if (*rest == '/')
        rest++;
    size_t n = ups * 3 + strlen(rest) + strlen(base) + 3;
    if ((res = malloc(n)) == NULL)
        goto out;
    res[0] = '\0';
    for (size_t k = 0; k < ups; k++)
        strcat(res, "../");
    if (*rest) {
        strcat(res, rest);
        strcat(res, "/");
    }
    strcat(res, base);
out:
    free(fd);
    free(td);
    return res;
}

/* A YAML scalar for a path or name: plain when safe, else double-quoted. */
static void yaml_scalar(FILE *f, const char *s)
{
    int plain = s[0] != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("_-./", *p) != NULL;
    if (plain && (s[0] == '-' || s[0] == '.'))
        plain = 0;
    if (plain) {
        fputs(s, f);
        return;
    }
    cli_json_str(f, s);
}

/* ----------------------------------------------------- shared options */

enum {
    O_OUT = 'o',
    O_PLAT = 'p',
    O_CONFIG = 'c',
    O_QUIET = 'q',
    O_NAME = 300,
    O_CLUSTER,
    O_MAP,
    O_BANDWIDTH,
    O_LATENCY,
    O_JSON,
    O_TIME_SCALE,
    O_DATA_SCALE,
    O_TYPES,
    O_DEFAULT_COST,
    O_NO_JOIN,
    O_JOIN,
    O_MACHINES,
    O_NO_MACHINES,
    O_SPEED,
    O_SEED,
    O_TASKS,
    O_OUTDEG,
    O_ALPHA,
    O_LEVELS,
    O_WIDTH,
    O_DEGREE,
    O_PPAR,
    O_SIZE,
    O_WDAG,
    O_CCR,
    O_BETA,
    O_COSTS,
    O_PROCS,
    O_COUNTS,
    O_APP,
    O_CRIT,
    O_SCHED,
    O_EST,
    O_RANKDIR,
    O_NO_COSTS
};

typedef struct common {
    const char *out, *plat, *config;
    int quiet, json;
    soc_import_options_t io;
    soc_platform_map_t *map;
    int bad;
} common_t;

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (s == NULL || *s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo ||
        v > hi) {
        fprintf(stderr, "socsim: %s expects a number in %g .. %g, got '%s'\n", opt, lo, hi,
                s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out)
{
    double v;
    if (parse_double(opt, s, lo, hi, &v) != 0)
        return -1;
    if (v != floor(v)) {
        fprintf(stderr, "socsim: %s expects an integer, got '%s'\n", opt, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Options shared by import and gen; 1 = not one of them. */
static int common_opt(common_t *c, int key, const char *arg)
{
    soc_error_t err = {0};
    switch (key) {
    case O_OUT:
        c->out = arg;
        return 0;
    case O_PLAT:
        c->plat = arg;
        return 0;
    case O_CONFIG:
        c->config = arg;
        return 0;
    case O_QUIET:
        c->quiet = 1;
        return 0;
    case O_JSON:
        c->json = 1;
        return 0;
    case O_NAME:
        c->io.name = arg;
        return 0;
    case O_CLUSTER:
        if (soc_platform_map_add_cluster(c->map, arg, &err) != SOC_OK) {
            c->bad = cli_report(&err);
            return -1;
        }
        return 0;
    case O_MAP:
        if (soc_platform_map_load(c->map, arg, &err) != SOC_OK) {
            c->bad = cli_report(&err);
            return -1;
        }
        return 0;
    case O_BANDWIDTH:
        return parse_double("--bandwidth", arg, 1e-12, 1e15, &c->io.bandwidth);
    case O_LATENCY:
        return parse_double("--latency", arg, 0, 1e12, &c->io.latency_us);
    }
    return 1;
}

#define COMMON_OPTS                                                                                \
    {"output", O_OUT, 1, "APP.yaml", "the application file to write (required)"},                 \
        {"platform-out", O_PLAT, 1, "FILE", "the platform file (default: APP.platform.yaml)"},    \
        {"config-out", O_CONFIG, 1, "FILE",                                                        \
         "also write a runnable configuration: one job at t = 0, scheduler heft"},                 \
        {"name", O_NAME, 1, "NAME", "the application's name"},                                     \
        {"cluster", O_CLUSTER, 1, "NAME[:N[:F]]",                                                  \
         "a cluster of N PEs (1) running every type at F x its cost (1); repeatable"},             \
        {"map", O_MAP, 1, "FILE.yaml",                                                             \
         "platform map: clusters, per-category factors or times, communication"},                  \
        {"bandwidth", O_BANDWIDTH, 1, "B", "default bandwidth, data units per us"},                \
        {"latency", O_LATENCY, 1, "US", "transfer latency between different PEs, us"},             \
        {"json", O_JSON, 0, NULL, "print the summary as one JSON object"},                         \
    {                                                                                              \
        "quiet", O_QUIET, 0, NULL, "print nothing on success"                                      \
    }

/* Write the application, platform and (optional) config files. */
static int write_outputs(const common_t *c, const soc_config_t *cfg, const char *header,
                         const char *plat_path)
{
    outf_t f[3];
    memset(f, 0, sizeof f);
    soc_error_t err = {0};
    int rc = out_open(&f[0], c->out);
    if (rc == 0)
        rc = out_open(&f[1], plat_path);
    if (rc == 0 && c->config != NULL)
        rc = out_open(&f[2], c->config);
    if (rc != 0) {
        for (int i = 0; i < 3; i++)
            out_abort(&f[i]);
        return rc;
    }
    fputs(header, f[0].f);
    char *rel = relative(c->out, plat_path);
    fprintf(f[0].f, "# Its execution times are in the platform file %s.\n", rel ? rel : plat_path);
    free(rel);
    int wr = soc_write_app_yaml(cfg, 0, f[0].f, &err);
    if (wr == SOC_OK) {
        fprintf(f[1].f, "# Platform for the application '%s' (socsim %s, docs/workloads.md).\n",
                cfg->apps[0].name, soc_version());
        wr = soc_write_platform_yaml(&cfg->platform, f[1].f, &err);
    }
    if (wr == SOC_OK && f[2].f != NULL) {
        char *rp = relative(c->config, plat_path), *ra = relative(c->config, c->out);
        FILE *o = f[2].f;
        fprintf(o, "# One job of '%s' arriving at t = 0 on its platform (docs/workloads.md).\n"
                   "#   socsim run THIS_FILE --json [--scheduler NAME]\n",
                cfg->apps[0].name);
        fputs("name: ", o);
        yaml_scalar(o, cfg->apps[0].name);
        fputs("\nseed: 1\nscheduler: heft\nplatform: ", o);
        yaml_scalar(o, rp ? rp : plat_path);
        fputs("\napplications:\n  - ", o);
        yaml_scalar(o, ra ? ra : c->out);
        fputs("\ninjection:\n  arrival: trace\n  times_us: [0]\n", o);
        free(rp);
        free(ra);
    }
    if (wr != SOC_OK) {
        for (int i = 0; i < 3; i++)
            out_abort(&f[i]);
        return cli_report(&err);
    }
    return out_commit(f, 3);
}

static void print_summary(const common_t *c, const char *what, const soc_config_t *cfg,
                          const soc_import_stats_t *st, const char *plat_path)
{
    char a[32], b[32], d[32], e[32];
    if (st->map_warning[0])
        fprintf(stderr, "socsim: warning: %s\n", st->map_warning);
    if (c->quiet)
        return;
    if (c->json) {
        printf("{\"source\":");
        cli_json_str(stdout, what);
        printf(",\"application\":");
        cli_json_str(stdout, cfg->apps[0].name);
        printf(",\"app_file\":");
        cli_json_str(stdout, c->out);
        printf(",\"platform_file\":");
        cli_json_str(stdout, plat_path);
        printf(",\"schema_version\":");
        cli_json_str(stdout, st->version);
        printf(",\"tasks\":%d,\"edges\":%d,\"virtual_tasks\":%d,\"virtual_edges\":%d,"
               "\"types\":%d,\"categories\":%d,\"clusters\":%d,\"machines\":%d,"
               "\"unknown_costs\":%d,\"total_ref_us\":%s,\"total_volume\":%s,"
               "\"input_volume\":%s,\"critical_path_us\":%s}\n",
               st->n_tasks, st->n_edges, st->n_virtual, st->n_virtual_edges, st->n_types,
               st->n_categories, st->n_clusters, st->n_machines, st->n_unknown_cost,
               soc__num(a, st->total_ref_us), soc__num(b, st->total_volume),
               soc__num(d, st->input_volume), soc__num(e, st->critical_path_us));
        return;
    }
    printf("%s: %d tasks, %d edges, %d types (%d categories)", cfg->apps[0].name, st->n_tasks,
           st->n_edges, st->n_types, st->n_categories);
    if (st->n_virtual)
        printf("; +1 virtual entry task (the graph is not connected) feeding its %d sources",
               st->n_virtual_edges);
    printf("\n  total reference time %s us, critical path %s us (no communication), data %s\n",
           soc__num(a, st->total_ref_us), soc__num(b, st->critical_path_us),
           soc__num(d, st->total_volume));
    printf("  wrote %s, %s", c->out, plat_path);
    if (c->config)
        printf(", %s", c->config);
    printf("\n");
}

/* --------------------------------------------------------------- import */

static const cli_opt_t import_opts[] = {
    COMMON_OPTS,
    {"time-scale", O_TIME_SCALE, 1, "X", "us per time unit of the file (wfcommons 1e6, else 1)"},
    {"data-scale", O_DATA_SCALE, 1, "X", "data units per byte / volume unit (1; 0 = no data)"},
    {"types", O_TYPES, 1, "exact|category", "one type per (category, time) or per category"},
    {"default-cost", O_DEFAULT_COST, 1, "X", "cost of tasks the file gives none (DOT)"},
    {"join", O_JOIN, 0, NULL,
     "join the parts of a graph that is not connected with a virtual entry task of time 0"},
    {"no-join", O_NO_JOIN, 0, NULL, "refuse a graph that is not connected (default: keep its parts)"},
    {"machines", O_MACHINES, 0, NULL, "wfcommons: clusters from the file's machines too"},
    {"no-machines", O_NO_MACHINES, 0, NULL, "wfcommons: ignore the file's machines"},
    {"speed-normalize", O_SPEED, 0, NULL, "wfcommons: scale runtimes by machine CPU speeds"},
    {NULL, 0, 0, NULL, NULL},
};

static int import_opt(void *user, int key, const char *arg)
{
    common_t *c = user;
    int r = common_opt(c, key, arg);
    if (r != 1)
        return r;
    switch (key) {
    case O_TIME_SCALE:
        return parse_double("--time-scale", arg, 1e-12, 1e12, &c->io.time_scale);
    case O_DATA_SCALE:
        return parse_double("--data-scale", arg, 0, 1e12, &c->io.data_scale);
    case O_DEFAULT_COST:
        return parse_double("--default-cost", arg, 0, 1e12, &c->io.default_cost);
    case O_TYPES:
        if (strcmp(arg, "exact") == 0)
            c->io.types = SOC_IMPORT_TYPES_EXACT;
        else if (strcmp(arg, "category") == 0)
            c->io.types = SOC_IMPORT_TYPES_CATEGORY;
        else {
            fprintf(stderr, "socsim: --types expects exact or category, got '%s'\n", arg);
            return -1;
        }
        return 0;
    case O_NO_JOIN:
        c->io.no_join = 1;
        return 0;
    case O_JOIN:
        c->io.join = 1;
        return 0;
    case O_MACHINES:
        c->io.machines = 1;
        return 0;
    case O_NO_MACHINES:
        c->io.machines = -1;
        return 0;
    case O_SPEED:
        c->io.speed_normalize = 1;
        return 0;
    }
    return -1;
}

static int common_init(common_t *c)
{
    memset(c, 0, sizeof *c);
    soc_import_options_default(&c->io);
    if (soc_platform_map_new(&c->map) != SOC_OK)
        return -1;
    c->io.map = c->map;
    return 0;
}

static int finish_common(common_t *c, const char *cmd, const char *usage, char **plat)
{
    if (c->out == NULL) {
        fprintf(stderr, "socsim %s: -o APP.yaml is required\nusage: %s\n", cmd, usage);
        return CLI_USAGE;
    }
    *plat = c->plat ? strdup(c->plat) : sibling(c->out, ".platform.yaml");
    if (*plat == NULL)
        return CLI_FAIL;
    if (strcmp(*plat, c->out) == 0 || (c->config && (strcmp(c->config, c->out) == 0 ||
                                                     strcmp(c->config, *plat) == 0))) {
        fprintf(stderr, "socsim %s: the application, platform and config files must differ\n",
                cmd);
        return CLI_USAGE;
    }
    return 0;
}

int cli_cmd_import(int argc, char **argv)
{
    static const char usage[] = "socsim import wfcommons|stg|dot FILE -o APP.yaml [options]";
    static const char about[] =
        "Import a task graph: a WfCommons workflow instance (WfFormat JSON 1.0-1.6), a\n"
        "Standard Task Graph file (STG) or a Graphviz DOT digraph.  Writes the application\n"
        "file, the platform file holding its execution times (and with -c a runnable\n"
        "configuration).  Without --cluster/--map the platform is the file's machines\n"
        "(WfCommons) or one cluster 'cpu' of 4 PEs.  docs/workloads.md.";
    common_t c;
    if (common_init(&c) != 0)
        return CLI_FAIL;
    int rc = CLI_OK;
    char *plat = NULL;
    soc_config_t cfg;
    soc_config_init(&cfg);
    int first = cli_parse(argc, argv, import_opts, usage, about, import_opt, &c);
    if (first == -2)
        goto out;
    if (first < 0) {
        rc = c.bad ? c.bad : CLI_USAGE;
        goto out;
    }
    if (argc - first != 2) {
        fprintf(stderr, "socsim import: expected FORMAT and FILE\nusage: %s\n", usage);
        rc = CLI_USAGE;
        goto out;
    }
    soc_import_format_t fmt;
    if (soc_import_format_parse(argv[first], &fmt) != SOC_OK) {
        fprintf(stderr, "socsim import: unknown format '%s' (wfcommons, stg, dot)\n", argv[first]);
        rc = CLI_USAGE;
        goto out;
    }
    if ((rc = finish_common(&c, "import", usage, &plat)) != 0)
        goto out;
    soc_error_t err = {0};
    soc_import_stats_t st;
    if (soc_import(fmt, argv[first + 1], &c.io, &cfg, &st, &err) != SOC_OK) {
        rc = cli_report(&err);
        goto out;
    }
    char header[1024];
    char a[32], b[32], d[32];
    snprintf(header, sizeof header,
             "# %s: imported by socsim %s from %s (%s%s%s).\n"
             "# %d tasks%s, %d edges, %d task types in %d categories; total reference time %s us,\n"
             "# total data volume %s, critical path %s us without communication.\n",
             cfg.apps[0].name, soc_version(), argv[first + 1], soc_import_format_name(fmt),
             st.version[0] ? " " : "", st.version, st.n_tasks,
             st.n_virtual ? " (one of them a virtual entry of time 0 joining the parts)" : "",
             st.n_edges, st.n_types, st.n_categories, soc__num(a, st.total_ref_us),
             soc__num(b, st.total_volume), soc__num(d, st.critical_path_us));
    if ((rc = write_outputs(&c, &cfg, header, plat)) != 0)
        goto out;
    print_summary(&c, argv[first + 1], &cfg, &st, plat);
out:
    soc_config_free(&cfg);
    soc_platform_map_free(c.map);
    free(plat);
    return rc;
}

/* ------------------------------------------------------------------ gen */

typedef struct gen_args {
    common_t c;
    soc_gen_params_t p;
    int counts;
} gen_args_t;

static const cli_opt_t gen_opts[] = {
    COMMON_OPTS,
    {"seed", O_SEED, 1, "S", "random seed (1)"},
    {"tasks", O_TASKS, 1, "V", "random, series-parallel: number of tasks (100)"},
    {"out-degree", O_OUTDEG, 1, "D", "random: mean out-degree (3)"},
    {"alpha", O_ALPHA, 1, "A", "random: shape, height ~ sqrt(V)/A (1)"},
    {"levels", O_LEVELS, 1, "L", "layered: levels; fork-join: stages (5)"},
    {"width", O_WIDTH, 1, "W", "layered: tasks per level; fork-join: branches (4)"},
    {"degree", O_DEGREE, 1, "K", "layered: successors in the next level (W)"},
    {"p-parallel", O_PPAR, 1, "P", "series-parallel: chance of a parallel split (0.5)"},
    {"size", O_SIZE, 1, "N", "gauss: matrix size (10); fft: points (16); cholesky, lu: tiles (5)"},
    {"w-dag", O_WDAG, 1, "US", "mean computation cost (100 us)"},
    {"ccr", O_CCR, 1, "C", "communication-to-computation ratio (1)"},
    {"beta", O_BETA, 1, "B", "heterogeneity: times uniform in w x [1-B/2, 1+B/2] (0.5)"},
    {"costs", O_COSTS, 1, "random|kernel", "mean costs: uniform or the kernel's operation counts"},
    {"procs", O_PROCS, 1, "Q", "without --cluster/--map: Q clusters p1..pQ of one PE (4)"},
    {"counts", O_COUNTS, 0, NULL, "print the closed-form task and edge counts and exit"},
    {NULL, 0, 0, NULL, NULL},
};

static int gen_opt(void *user, int key, const char *arg)
{
    gen_args_t *g = user;
    int r = common_opt(&g->c, key, arg);
    if (r != 1)
        return r;
    soc_gen_params_t *p = &g->p;
    switch (key) {
    case O_SEED: {
        uint64_t s;
        if (cli_parse_u64("--seed", arg, &s) != 0)
            return -1;
        p->seed = s;
        return 0;
    }
    case O_TASKS:
        return parse_int("--tasks", arg, 1, 1000000, &p->tasks);
    case O_OUTDEG:
        return parse_double("--out-degree", arg, 1, 1e6, &p->out_degree);
    case O_ALPHA:
        return parse_double("--alpha", arg, 1e-6, 1e6, &p->alpha);
    case O_LEVELS:
        return parse_int("--levels", arg, 1, 1000000, &p->levels);
    case O_WIDTH:
        return parse_int("--width", arg, 1, 1000000, &p->width);
    case O_DEGREE:
        return parse_int("--degree", arg, 1, 1000000, &p->degree);
    case O_PPAR:
        return parse_double("--p-parallel", arg, 0, 1, &p->p_parallel);
    case O_SIZE:
        return parse_int("--size", arg, 1, 1000000, &p->size);
    case O_WDAG:
        return parse_double("--w-dag", arg, 0, 1e12, &p->w_dag);
    case O_CCR:
        return parse_double("--ccr", arg, 0, 1e6, &p->ccr);
    case O_BETA:
        return parse_double("--beta", arg, 0, 2, &p->beta);
    case O_PROCS:
        return parse_int("--procs", arg, 1, 4096, &p->procs);
    case O_COSTS:
        if (strcmp(arg, "random") == 0)
            p->costs = SOC_GEN_COSTS_RANDOM;
        else if (strcmp(arg, "kernel") == 0)
            p->costs = SOC_GEN_COSTS_KERNEL;
        else {
            fprintf(stderr, "socsim: --costs expects random or kernel, got '%s'\n", arg);
            return -1;
        }
        return 0;
    case O_COUNTS:
        g->counts = 1;
        return 0;
    }
    return -1;
}

/* gen --counts: the closed-form task and edge counts of the parameters. */
static int print_counts(const soc_gen_params_t *p, soc_error_t *err)
{
    int64_t n, e;
    if (soc_gen_counts(p, &n, &e, err) != SOC_OK)
        return cli_report(err);
    if (e >= 0)
        printf("%s: %lld tasks, %lld edges\n", soc_gen_kind_name(p->kind), (long long)n,
               (long long)e);
    else
        printf("%s: %lld tasks, edges random\n", soc_gen_kind_name(p->kind), (long long)n);
    return CLI_OK;
}

/* The comment at the top of a generated application: the command's
 * parameters and the graph's counts. */
static void gen_header(char *header, size_t size, const soc_config_t *cfg,
                       const soc_gen_params_t *p, const soc_import_stats_t *st)
{
    char a[32], b[32], d[32], e[32], f[32], h[32], k[32];
    snprintf(header, size,
             "# %s: generated by socsim %s: gen dag %s --seed %llu (tasks %d, out-degree %s, "
             "alpha %s,\n# levels %d, width %d, degree %d, p-parallel %s, size %d; w_dag %s us, "
             "ccr %s, beta %s, costs %s).\n"
             "# %d tasks, %d edges, %d task types; total mean cost %s us.\n",
             cfg->apps[0].name, soc_version(), soc_gen_kind_name(p->kind),
             (unsigned long long)p->seed, p->tasks, soc__num(a, p->out_degree),
             soc__num(b, p->alpha), p->levels, p->width, p->degree, soc__num(d, p->p_parallel),
             p->size, soc__num(e, p->w_dag), soc__num(f, p->ccr), soc__num(h, p->beta),
             p->costs == SOC_GEN_COSTS_RANDOM   ? "random"
             : p->costs == SOC_GEN_COSTS_KERNEL ? "kernel"
                                                : "default",
             st->n_tasks, st->n_edges, st->n_types, soc__num(k, st->total_ref_us));
}

int cli_cmd_gen(int argc, char **argv)
{
    static const char usage[] =
        "socsim gen dag KIND [params] [--seed S] -o APP.yaml [options]\n"
        "  KIND: random (Topcuoglu), layered, fork-join, series-parallel, gauss, fft, cholesky, lu";
    static const char about[] =
        "Generate a synthetic task graph with controlled shape, mean cost, communication-to-\n"
        "computation ratio and heterogeneity; writes the application and its platform\n"
        "(default: 4 processors p1..p4 of one PE each).  Deterministic in the seed.\n"
        "Task and edge counts in closed form: docs/workloads.md (--counts prints them).";
    if (argc < 2 || strcmp(argv[1], "dag") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            cli_print_help(stdout, gen_opts, usage, about);
            return CLI_OK;
        }
        fprintf(stderr, "socsim gen: expected 'dag'\nusage: %s\n", usage);
        return CLI_USAGE;
    }
    gen_args_t g;
    memset(&g, 0, sizeof g);
    if (common_init(&g.c) != 0)
        return CLI_FAIL;
    soc_gen_kind_t kind = SOC_GEN_RANDOM;
    int have_kind = argc >= 3 && argv[2][0] != '-';
    if (have_kind && soc_gen_kind_parse(argv[2], &kind) != SOC_OK) {
        fprintf(stderr,
                "socsim gen dag: unknown kind '%s' (random, layered, fork-join, "
                "series-parallel, gauss, fft, cholesky, lu)\n",
                argv[2]);
        soc_platform_map_free(g.c.map);
        return CLI_USAGE;
    }
    soc_gen_params_default(&g.p, kind);
    /* parse "dag KIND opts" as "KIND opts": argv[1] plays argv[0] */
    int rc = CLI_OK;
    char *plat = NULL;
    soc_config_t cfg;
    soc_config_init(&cfg);
    int first = cli_parse(argc - 1, argv + 1, gen_opts, usage, about, gen_opt, &g);
    if (first == -2)
        goto out;
    if (first < 0) {
        rc = g.c.bad ? g.c.bad : CLI_USAGE;
        goto out;
    }
    if (!have_kind || argc - 1 - first != 1) {
        fprintf(stderr, "socsim gen dag: expected one KIND\nusage: %s\n", usage);
        rc = CLI_USAGE;
        goto out;
    }
    soc_error_t err = {0};
    if (g.counts) {
        rc = print_counts(&g.p, &err);
        goto out;
    }
    if ((rc = finish_common(&g.c, "gen dag", usage, &plat)) != 0)
        goto out;
    soc_import_stats_t st;
    if (soc_gen_dag(&g.p, &g.c.io, &cfg, &st, &err) != SOC_OK) {
        rc = cli_report(&err);
        goto out;
    }
    char header[1024];
    gen_header(header, sizeof header, &cfg, &g.p, &st);
    if ((rc = write_outputs(&g.c, &cfg, header, plat)) != 0)
        goto out;
    print_summary(&g.c, soc_gen_kind_name(kind), &cfg, &st, plat);
out:
    soc_config_free(&cfg);
    soc_platform_map_free(g.c.map);
    free(plat);
    return rc;
}

/* --------------------------------------------------------------- export */

typedef struct export_args {
    const char *out, *app, *platform, *sched, *rankdir;
    int crit, no_costs, have_est;
    soc_estimate_t est;
} export_args_t;

static const cli_opt_t export_opts[] = {
    {"output", 'o', 1, "FILE.dot", "write here (default: standard output)"},
    {"app", O_APP, 1, "NAME", "the application to draw (a configuration with several)"},
    {"platform", 'p', 1, "FILE", "platform file for an application file (execution times)"},
    {"critical-path", O_CRIT, 0, NULL, "highlight the critical path"},
    {"scheduler", 's', 1, "NAME", "costs as this scheduler estimates them (heft: mean, heft_best...)"},
    {"estimate", O_EST, 1, "mean|best|worst", "cost estimate (default: the scheduler's, else mean)"},
    {"rankdir", O_RANKDIR, 1, "TB|LR", "layout direction"},
    {"no-costs", O_NO_COSTS, 0, NULL, "do not show costs"},
    {NULL, 0, 0, NULL, NULL},
};

static int export_opt(void *user, int key, const char *arg)
{
    export_args_t *x = user;
    switch (key) {
    case 'o':
        x->out = arg;
        return 0;
    case O_APP:
        x->app = arg;
        return 0;
    case 'p':
        x->platform = arg;
        return 0;
    case O_CRIT:
        x->crit = 1;
        return 0;
    case 's':
        x->sched = arg;
        return 0;
    case O_EST:
        if (strcmp(arg, "mean") && strcmp(arg, "best") && strcmp(arg, "worst")) {
            fprintf(stderr, "socsim: --estimate expects mean, best or worst, got '%s'\n", arg);
            return -1;
        }
        x->est = soc_estimate_for(arg);
        x->have_est = 1;
        return 0;
    case O_RANKDIR:
        if (strcmp(arg, "TB") && strcmp(arg, "LR") && strcmp(arg, "BT") && strcmp(arg, "RL")) {
            fprintf(stderr, "socsim: --rankdir expects TB, LR, BT or RL, got '%s'\n", arg);
            return -1;
        }
        x->rankdir = arg;
        return 0;
    case O_NO_COSTS:
        x->no_costs = 1;
        return 0;
    }
    return -1;
}

/* Is the YAML file a configuration (platform/applications keys)? */
static int is_config(const char *path, soc_error_t *err, int *yes)
{
    soc_ynode_t *root = NULL;
    int rc = soc_ytree_load(&root, path, err);
    if (rc != SOC_OK)
        return rc;
    *yes = soc_ytree_get(root, "applications") != NULL || soc_ytree_get(root, "platform") != NULL;
    soc_ytree_free(root);
    return SOC_OK;
}

/* Export step 1: -s names a scheduler (its options after ':' aside). */
static int check_export_sched(const char *sched)
{
    if (sched == NULL)
        return CLI_OK;
    char name[64];
    snprintf(name, sizeof name, "%s", sched);
    char *colon = strchr(name, ':');
    if (colon)
        *colon = '\0';
    if (soc_sched_find(name) == NULL) {
        fprintf(stderr, "socsim export dot: unknown scheduler '%s' (see 'socsim schedulers')\n",
                sched);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Export step 2: the file, a configuration or an application file (with
 * -p's platform: *have_times says whether execution times are known). */
static int export_load(soc_config_t *cfg, const char *file, const export_args_t *x,
                       int *have_times, soc_error_t *err)
{
    int conf = 0;
    if (is_config(file, err, &conf) != SOC_OK)
        return cli_report(err);
    if (conf) {
        if (x->platform != NULL) {
            fprintf(stderr, "socsim export dot: %s is a configuration; -p is for application "
                            "files\n",
                    file);
            return CLI_USAGE;
        }
        if (soc_load_yaml(cfg, file, err) != SOC_OK)
            return cli_report(err);
    } else {
        *have_times = x->platform != NULL;
        if (soc_load_app_yaml(cfg, file, x->platform, err) != SOC_OK)
            return cli_report(err);
    }
    return CLI_OK;
}

/* Export step 3: the application to draw -- --app, or the only one. */
static int export_app(const soc_config_t *cfg, const char *file, const char *name, int *app)
{
    *app = 0;
    if (name != NULL) {
        *app = -1;
        for (int a = 0; a < cfg->n_apps; a++)
            if (strcmp(cfg->apps[a].name, name) == 0)
                *app = a;
        if (*app < 0) {
            fprintf(stderr, "socsim export dot: %s has no application '%s'\n", file, name);
            return CLI_USAGE;
        }
    } else if (cfg->n_apps > 1) {
        fprintf(stderr, "socsim export dot: %s has %d applications; choose one with --app (", file,
                cfg->n_apps);
        for (int a = 0; a < cfg->n_apps; a++)
            fprintf(stderr, "%s%s", a ? ", " : "", cfg->apps[a].name);
        fprintf(stderr, ")\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cli_cmd_export(int argc, char **argv)
{
    static const char usage[] =
        "socsim export dot CONFIG.yaml|APP.yaml [-p PLATFORM.yaml] [--critical-path [-s SCHED]] "
        "[-o OUT.dot]";
    static const char about[] =
        "Write an application as a Graphviz digraph (dot -Tsvg OUT.dot > out.svg): tasks with\n"
        "their type and cost, edges with their data volume; --critical-path draws the longest\n"
        "path of task and transfer costs in red, the costs being those a scheduler's priorities\n"
        "use (docs/schedulers.md: mean over the PEs for heft, cpop, peft...; best/worst for\n"
        "heft_best/heft_worst).  The output reads back with 'socsim import dot'.";
    if (argc < 2 || strcmp(argv[1], "dot") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            cli_print_help(stdout, export_opts, usage, about);
            return CLI_OK;
        }
        fprintf(stderr, "socsim export: expected 'dot'\nusage: %s\n", usage);
        return CLI_USAGE;
    }
    export_args_t x;
    memset(&x, 0, sizeof x);
    int first = cli_parse(argc - 1, argv + 1, export_opts, usage, about, export_opt, &x);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc - 1 - first != 1) {
        fprintf(stderr, "socsim export dot: expected one file\nusage: %s\n", usage);
        return CLI_USAGE;
    }
    const char *file = argv[1 + first];
    soc_estimate_t est = x.have_est ? x.est : soc_estimate_for(x.sched);
    int rc = check_export_sched(x.sched), have_times = 1, app;
    if (rc != CLI_OK)
        return rc;
    soc_error_t err = {0};
    soc_config_t cfg;
    soc_config_init(&cfg);
    if ((rc = export_load(&cfg, file, &x, &have_times, &err)) != CLI_OK)
        return rc;
    if ((rc = export_app(&cfg, file, x.app, &app)) != CLI_OK)
        goto out;
    if (x.crit && !have_times) {
        fprintf(stderr, "socsim export dot: --critical-path needs execution times: give a "
                        "configuration, or the platform with -p\n");
        rc = CLI_USAGE;
        goto out;
    }
    soc_dot_options_t o = {x.crit, est, x.sched, have_times && !x.no_costs, x.rankdir};
    outf_t f;
    memset(&f, 0, sizeof f);
    FILE *out = stdout;
    if (x.out != NULL) {
        if ((rc = out_open(&f, x.out)) != 0)
            goto out;
        out = f.f;
    }
    if (soc_write_dot(&cfg, app, &o, out, &err) != SOC_OK) {
        out_abort(&f);
        rc = cli_report(&err);
        goto out;
    }
    if (x.out != NULL)
        rc = out_commit(&f, 1);
out:
    soc_config_free(&cfg);
    return rc;
}
