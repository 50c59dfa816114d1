/*
 * cli_regress.c -- `socsim regress`: run the scheduler regression suite
 * (DIR/suite.yaml: workloads x every registered scheduler x seeds), compare
 * every metric with DIR/golden.csv exactly, print a markdown report with
 * the schedulers side by side, exit 1 on any difference.  --update
 * rewrites the goldens (docs/regression.md).
 *
 * Exact comparison is sound because runs are deterministic and every
 * number is written as the shortest text that reads back to the same
 * double: a changed cell is a changed result.
 */
#define _GNU_SOURCE /* getline */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_sweep.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"

typedef struct suite {
    char *dir;
    int n_w;
    char **work;      /* workload file names, relative to dir */
    int n_seeds;
    uint64_t *seeds;
    int n_s;
    const char **sched;
    int n_runs;       /* n_w * n_s * n_seeds, workload outermost */
    char **rows;      /* [n_runs] "status,metrics..." (no key cells) */
    soc_config_t *cfg;/* [n_w] loaded in the parent, inherited by workers */
} suite_t;


static void suite_free(suite_t *S)
{
    for (int i = 0; i < S->n_w; i++) {
        free(S->work[i]);
        if (S->cfg != NULL)
            soc_config_free(&S->cfg[i]);
    }
    for (int i = 0; S->rows != NULL && i < S->n_runs; i++)
        free(S->rows[i]);
    free(S->rows);
    free(S->cfg);
    free(S->work);
    free(S->seeds);
    free(S->sched);
    free(S->dir);
}

static int fail_at(const char *file, const soc_ynode_t *n, const char *msg)
{
    if (n != NULL)
        fprintf(stderr, "socsim: %s:%d:%d: %s\n", file, n->line, n->col, msg);
    else
        fprintf(stderr, "socsim: %s: %s\n", file, msg);
    return -1;
}

static int in_list(const soc_ynode_t *list, const char *name)
{
    for (int i = 0; list != NULL && list->kind == SOC_YNODE_SEQUENCE && i < list->n; i++)
        if (list->items[i]->kind == SOC_YNODE_SCALAR && strcasecmp(list->items[i]->value, name) == 0)
            return 1;
    return 0;
}

static int suite_load(suite_t *S, const char *dir)
{
    memset(S, 0, sizeof *S);
    S->dir = cli_strdup(dir);
    char *file = cli_path_in(dir, "suite.yaml");
    soc_ynode_t *root = NULL;
    soc_error_t err = {0};
    int rc = -1;
    if (S->dir == NULL || file == NULL)
        goto out;
    if (soc_ytree_load(&root, file, &err) != SOC_OK) {
        cli_report(&err);
        goto out;
    }
    const soc_ynode_t *w = soc_ytree_get(root, "workloads"), *sd = soc_ytree_get(root, "seeds"),
                      *ex = soc_ytree_get(root, "exclude");
    if (root->kind != SOC_YNODE_MAPPING || w == NULL || w->kind != SOC_YNODE_SEQUENCE || w->n == 0) {
        fail_at(file, w ? w : root, "suite.yaml needs 'workloads', a non-empty list of YAML files");
        goto out;
    }
    if (sd == NULL || sd->kind != SOC_YNODE_SEQUENCE || sd->n == 0) {
        fail_at(file, sd ? sd : root, "suite.yaml needs 'seeds', a non-empty list of integers");
        goto out;
    }
    for (int i = 0; i < root->n; i++) {
        const char *k = root->keys[i]->value;
        if (strcmp(k, "workloads") && strcmp(k, "seeds") && strcmp(k, "exclude")) {
            fail_at(file, root->keys[i], "unknown key (valid keys: workloads, seeds, exclude)");
            goto out;
        }
    }
    S->work = calloc((size_t)w->n, sizeof *S->work);
    S->cfg = calloc((size_t)w->n, sizeof *S->cfg);
    S->seeds = calloc((size_t)sd->n, sizeof *S->seeds);
    if (S->work == NULL || S->cfg == NULL || S->seeds == NULL)
        goto out;
    for (int i = 0; i < w->n; i++) {
        if (w->items[i]->kind != SOC_YNODE_SCALAR) {
            fail_at(file, w->items[i], "a workload is a file name");
            goto out;
        }
        if ((S->work[i] = cli_strdup(w->items[i]->value)) == NULL)
            goto out;
        S->n_w = i + 1;
        char *path = cli_path_in(dir, S->work[i]);
        soc_error_clear(&err);
        int lrc = path ? soc_load_yaml(&S->cfg[i], path, &err) : SOC_ENOMEM;
        free(path);
        if (lrc != SOC_OK) {
            soc_config_init(&S->cfg[i]);
            cli_report(&err);
            goto out;
        }
    }
    for (int i = 0; i < sd->n; i++) {
        if (sd->items[i]->kind != SOC_YNODE_SCALAR ||
            cli_parse_u64("seeds", sd->items[i]->value, &S->seeds[i]) != 0) {
            fail_at(file, sd->items[i], "a seed is a non-negative integer");
            goto out;
        }
        S->n_seeds = i + 1;
    }
    int n = 0;
    for (const soc_sched_ops_t *const *s = soc_sched_list(); *s != NULL; s++)
        n++;
    S->sched = calloc((size_t)(n ? n : 1), sizeof *S->sched);
    if (S->sched == NULL)
        goto out;
    for (const soc_sched_ops_t *const *s = soc_sched_list(); *s != NULL; s++)
        if (!in_list(ex, (*s)->name))
            S->sched[S->n_s++] = (*s)->name;
    S->n_runs = S->n_w * S->n_s * S->n_seeds;
    if ((S->rows = calloc((size_t)(S->n_runs ? S->n_runs : 1), sizeof *S->rows)) == NULL)
        goto out;
    rc = 0;
out:
    soc_ytree_free(root);
    free(file);
    return rc;
}

static void run_key(const suite_t *S, int i, int *w, int *s, int *k)
{
    *k = i % S->n_seeds;
    *s = (i / S->n_seeds) % S->n_s;
    *w = i / (S->n_seeds * S->n_s);
}

static int regress_job(void *user, int i, char **row, char *errbuf, size_t es)
{
    suite_t *S = user;
    int w, s, k;
    run_key(S, i, &w, &s, &k);
    soc_config_t *cfg = &S->cfg[w];
    uint64_t keep = cfg->seed;
    cfg->seed = S->seeds[k];
    soc_sim_t *sim = NULL;
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    cli_buf_t b = {0};
    int rc = cli_run_config(cfg, S->sched[s], NULL, &sim, &h, &err);
    if (rc == SOC_OK) {
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        cli_buf_str(&b, "ok");
        cli_metric_cells(&b, &m);
    } else {
        /* the status name only: messages may carry paths */
        cli_buf_str(&b, soc_status_name(rc));
        for (const char *const *m = cli_metric_names; *m; m++)
            cli_buf_str(&b, ",");
    }
    cli_run_cleanup(sim, h);
    cfg->seed = keep;
    if (b.oom) {
        snprintf(errbuf, es, "out of memory");
        cli_buf_free(&b);
        return -1;
    }
    *row = b.s;
    return 0;
}

static void regress_done(void *user, int i, const char *row, const char *error)
{
    suite_t *S = user;
    if (row != NULL) {
        S->rows[i] = cli_strdup(row);
        return;
    }
    fprintf(stderr, "socsim regress: run %d failed: %s\n", i, error);
}

static void header(cli_buf_t *b)
{
    cli_buf_str(b, "workload,scheduler,seed,status");
    for (const char *const *m = cli_metric_names; *m; m++)
        cli_buf_fmt(b, ",%s", *m);
    cli_buf_str(b, "\n");
}

static void row_text(const suite_t *S, int i, cli_buf_t *b)
{
    int w, s, k;
    run_key(S, i, &w, &s, &k);
    cli_buf_csv(b, S->work[w]);
    cli_buf_fmt(b, ",%s,%llu,%s\n", S->sched[s], (unsigned long long)S->seeds[k],
                S->rows[i] ? S->rows[i] : "MISSING");
}

/* ---- golden ---- */

typedef struct golden {
    int n;
    char **line;   /* full line without newline */
    char ***cells;
    char **store;
    int *used;
} golden_t;

static void golden_free(golden_t *g)
{
    for (int i = 0; i < g->n; i++) {
        free(g->line[i]);
        free(g->cells[i]);
        free(g->store[i]);
    }
    free(g->line);
    free(g->cells);
    free(g->store);
    free(g->used);
}

static int golden_read(golden_t *g, const char *path, int n_fields)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    cli_buf_t h = {0};
    header(&h);
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (lineno == 1) {
            if (strcmp(line, h.s ? h.s : "") != 0) {
                fprintf(stderr, "socsim regress: %s: its columns differ from this version's "
                                "metrics; regenerate it with --update\n",
                        path);
                rc = -2;
                break;
            }
            continue;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char **cells, *store;
        int nc = cli_csv_split(line, &cells, &store);
        if (nc != n_fields) {
            free(cells);
            free(store);
            fprintf(stderr, "socsim regress: %s:%d: malformed row\n", path, lineno);
            rc = -2;
            break;
        }
        char **nl = realloc(g->line, sizeof *nl * (size_t)(g->n + 1));
        char ***ncl = realloc(g->cells, sizeof *ncl * (size_t)(g->n + 1));
        char **ns = realloc(g->store, sizeof *ns * (size_t)(g->n + 1));
        if (nl)
            g->line = nl;
        if (ncl)
            g->cells = ncl;
        if (ns)
            g->store = ns;
        if (!nl || !ncl || !ns) {
            free(cells);
            free(store);
            rc = -2;
            break;
        }
        g->line[g->n] = cli_strdup(line);
        g->cells[g->n] = cells;
        g->store[g->n] = store;
        g->n++;
    }
    free(line);
    fclose(f);
    cli_buf_free(&h);
    g->used = calloc((size_t)(g->n ? g->n : 1), sizeof *g->used);
    return g->used == NULL ? -2 : rc;
}

static int golden_find(const golden_t *g, const char *w, const char *s, const char *seed)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->cells[i][0], w) == 0 && strcmp(g->cells[i][1], s) == 0 &&
            strcmp(g->cells[i][2], seed) == 0)
            return i;
    return -1;
}

/* ---- report ---- */

static const struct {
    const char *metric, *label;
} shown[] = {
    {"completed_jobs", "completed jobs"},     {"avg_latency_us", "avg latency (us)"},
    {"p95_latency_us", "p95 latency (us)"},   {"makespan_us", "makespan (us)"},
    {"throughput_jobs_per_s", "jobs/s"},      {"avg_utilization", "avg utilization"},
    {"energy_j", "energy (J)"},
};

static int metric_index(const char *name)
{
    for (int m = 0; cli_metric_names[m]; m++)
        if (strcmp(cli_metric_names[m], name) == 0)
            return m;
    return -1;
}

static int write_golden(const suite_t *S, const char *path)
{
    char *tmp = cli_path_in(S->dir, ".golden.tmp");
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "socsim regress: cannot write %s\n", tmp ? tmp : path);
        free(tmp);
        return CLI_FAIL;
    }
    cli_buf_t b = {0};
    header(&b);
    for (int i = 0; i < S->n_runs; i++)
        row_text(S, i, &b);
    fputs(b.s ? b.s : "", f);
    int bad = b.oom || ferror(f);
    bad |= fclose(f) != 0;
    cli_buf_free(&b);
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "socsim regress: cannot write %s: %s\n", path, strerror(errno));
        free(tmp);
        return CLI_FAIL;
    }
    free(tmp);
    return CLI_OK;
}

static int compare(const suite_t *S, const char *gpath, FILE *out)
{
    int nm = 0;
    while (cli_metric_names[nm])
        nm++;
    int n_fields = 4 + nm;
    golden_t g;
    int gr = golden_read(&g, gpath, n_fields);
    if (gr == -1) {
        fprintf(stderr, "socsim regress: %s: no goldens yet; create them with 'socsim regress "
                        "--update --dir %s'\n",
                gpath, S->dir);
        golden_free(&g);
        return CLI_USAGE;
    }
    if (gr < 0) {
        golden_free(&g);
        return CLI_FAIL;
    }
    /* per run: cells now, golden index, changed metric flags */
    int n_diff = 0;
    cli_buf_t detail = {0};
    char ***now = calloc((size_t)(S->n_runs ? S->n_runs : 1), sizeof *now);
    char **nstore = calloc((size_t)(S->n_runs ? S->n_runs : 1), sizeof *nstore);
    int *gi = calloc((size_t)(S->n_runs ? S->n_runs : 1), sizeof *gi);
    unsigned char *chg = calloc((size_t)(S->n_runs ? S->n_runs : 1) * (size_t)(nm + 1), 1);
    if (now == NULL || nstore == NULL || gi == NULL || chg == NULL) {
        free(now);
        free(nstore);
        free(gi);
        free(chg);
        golden_free(&g);
        return CLI_FAIL;
    }
    for (int i = 0; i < S->n_runs; i++) {
        int w, s, k;
        run_key(S, i, &w, &s, &k);
        char seed[32];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)S->seeds[k]);
        gi[i] = golden_find(&g, S->work[w], S->sched[s], seed);
        if (S->rows[i] == NULL || cli_csv_split(S->rows[i], &now[i], &nstore[i]) != 1 + nm) {
            n_diff++;
            cli_buf_fmt(&detail, "| %s | %s | %s | run | | failed |\n", S->work[w], S->sched[s], seed);
            continue;
        }
        if (gi[i] < 0) {
            n_diff++;
            chg[(size_t)i * (size_t)(nm + 1)] = 1;
            cli_buf_fmt(&detail, "| %s | %s | %s | (all) | not in the goldens | new |\n", S->work[w],
                        S->sched[s], seed);
            continue;
        }
        g.used[gi[i]] = 1;
        char **gc = g.cells[gi[i]] + 3;
        for (int m = 0; m <= nm; m++) {
            if (strcmp(gc[m], now[i][m]) == 0)
                continue;
            chg[(size_t)i * (size_t)(nm + 1) + (size_t)m] = 1;
            n_diff++;
            cli_buf_fmt(&detail, "| %s | %s | %s | %s | %s | **%s** |\n", S->work[w], S->sched[s],
                        seed, m == 0 ? "status" : cli_metric_names[m - 1], gc[m][0] ? gc[m] : "-",
                        now[i][m][0] ? now[i][m] : "-");
        }
    }
    for (int j = 0; j < g.n; j++)
        if (!g.used[j]) {
            n_diff++;
            cli_buf_fmt(&detail, "| %s | %s | %s | (all) | in the goldens | **gone** |\n",
                        g.cells[j][0], g.cells[j][1], g.cells[j][2]);
        }

    fprintf(out, "# Scheduler regression\n\n%d workloads x %d schedulers x %d seeds = %d runs, "
                 "compared exactly with `%s`: %s\n\n",
            S->n_w, S->n_s, S->n_seeds, S->n_runs, gpath,
            n_diff ? "**DIFFERENCES FOUND**" : "no differences.");
    if (n_diff)
        fprintf(out, "%d differing value(s); changed cells are **bold** with the golden value "
                     "after them. If the change is intended, accept it with `socsim regress "
                     "--update --dir %s` and commit `golden.csv` (docs/regression.md).\n\n",
                n_diff, S->dir);
    double *x = malloc(sizeof *x * (size_t)(S->n_seeds ? S->n_seeds : 1));
    double *gx = malloc(sizeof *gx * (size_t)(S->n_seeds ? S->n_seeds : 1));
    for (int w = 0; w < S->n_w && x != NULL && gx != NULL; w++) {
        fprintf(out, "## %s (mean over seeds)\n\n| metric |", S->work[w]);
        for (int s = 0; s < S->n_s; s++)
            fprintf(out, " %s |", S->sched[s]);
        fputs("\n|---|", out);
        for (int s = 0; s < S->n_s; s++)
            fputs("---:|", out);
        fputc('\n', out);
        for (size_t q = 0; q < sizeof shown / sizeof shown[0]; q++) {
            int m = metric_index(shown[q].metric);
            int any = 0;
            for (int i = w * S->n_s * S->n_seeds; i < (w + 1) * S->n_s * S->n_seeds && !any; i++)
                any = now[i] != NULL && now[i][1 + m][0] != '\0';
            if (m < 0 || !any)
                continue;
            fprintf(out, "| %s |", shown[q].label);
            for (int s = 0; s < S->n_s; s++) {
                int cnt = 0, gcnt = 0, changed = 0;
                for (int k = 0; k < S->n_seeds; k++) {
                    int i = (w * S->n_s + s) * S->n_seeds + k;
                    char *end;
                    if (now[i] != NULL && now[i][1 + m][0] != '\0') {
                        x[cnt] = strtod(now[i][1 + m], &end);
                        cnt++;
                    }
                    if (gi[i] >= 0 && g.cells[gi[i]][4 + m][0] != '\0') {
                        gx[gcnt] = strtod(g.cells[gi[i]][4 + m], &end);
                        gcnt++;
                    }
                    changed |= chg[(size_t)i * (size_t)(nm + 1) + (size_t)(1 + m)] |
                               chg[(size_t)i * (size_t)(nm + 1)];
                }
                double mean = NAN, gmean = NAN, ci;
                if (cnt)
                    cli_mean_ci95(x, cnt, &mean, &ci);
                if (gcnt)
                    cli_mean_ci95(gx, gcnt, &gmean, &ci);
                int i0 = (w * S->n_s + s) * S->n_seeds;
                const char *st = now[i0] != NULL ? now[i0][0] : "failed";
                if (cnt == 0 && !changed)
                    fprintf(out, " %s |", strcmp(st, "ok") == 0 ? "-" : st);
                else if (cnt == 0)
                    fprintf(out, " **%s** |", strcmp(st, "ok") == 0 ? "-" : st);
                else if (!changed)
                    fprintf(out, " %.6g |", mean);
                else if (gcnt)
                    fprintf(out, " **%.6g** (was %.6g) |", mean, gmean);
                else
                    fprintf(out, " **%.6g** (new) |", mean);
            }
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    free(x);
    free(gx);
    if (n_diff)
        fprintf(out, "## Differences (exact values)\n\n| workload | scheduler | seed | metric | golden "
                     "| now |\n|---|---|---|---|---|---|\n%s\n",
                detail.s ? detail.s : "");
    for (int i = 0; i < S->n_runs; i++) {
        free(now[i]);
        free(nstore[i]);
    }
    free(now);
    free(nstore);
    free(gi);
    free(chg);
    cli_buf_free(&detail);
    golden_free(&g);
    return n_diff ? CLI_FAIL : CLI_OK;
}

enum { OPT_UPDATE = 256, OPT_DIR, OPT_REPORT };

static const cli_opt_t regress_opts[] = {
    {"dir", OPT_DIR, 1, "DIR", "the suite (default tests/regress): suite.yaml, workloads, golden.csv"},
    {"update", OPT_UPDATE, 0, NULL, "accept the current results: rewrite DIR/golden.csv"},
    {"jobs", 'j', 1, "N", "worker processes (default: all cores)"},
    {"report", OPT_REPORT, 1, "FILE", "also write the markdown report to FILE"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct regress_args {
    const char *dir, *report;
    int update, jobs;
} regress_args_t;

static int regress_opt(void *user, int key, const char *arg)
{
    regress_args_t *a = user;
    switch (key) {
    case OPT_DIR:
        a->dir = arg;
        return 0;
    case OPT_UPDATE:
        a->update = 1;
        return 0;
    case OPT_REPORT:
        a->report = arg;
        return 0;
    case 'j':
        return cli_parse_workers(arg, &a->jobs);
    default:
        return -1;
    }
}

int cli_cmd_regress(int argc, char **argv)
{
    static const char usage[] = "socsim regress [--dir DIR] [--update] [-j N] [--report FILE]";
    regress_args_t a = {0};
    a.dir = "tests/regress";
    int first = cli_parse(argc, argv, regress_opts, usage,
                          "Run the scheduler regression suite (every registered scheduler on the\n"
                          "suite's workloads and seeds), compare each metric exactly with the\n"
                          "goldens, print a markdown table; exit 1 on any difference.",
                          regress_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc != first) {
        fprintf(stderr, "usage: %s\n", usage);
        return CLI_USAGE;
    }
    suite_t S;
    if (suite_load(&S, a.dir) != 0) {
        suite_free(&S);
        return CLI_USAGE;
    }
    int *todo = malloc(sizeof *todo * (size_t)(S.n_runs ? S.n_runs : 1));
    int code = CLI_FAIL;
    char *gpath = cli_path_in(a.dir, "golden.csv");
    if (todo == NULL || gpath == NULL)
        goto out;
    for (int i = 0; i < S.n_runs; i++)
        todo[i] = i;
    if (cli_pool_run(a.jobs ? a.jobs : cli_ncpus(), todo, S.n_runs, regress_job, regress_done, &S) != 0)
        goto out;
    for (int i = 0; i < S.n_runs; i++)
        if (S.rows[i] == NULL) {
            fprintf(stderr, "socsim regress: some runs did not finish\n");
            goto out;
        }
    if (a.update) {
        if ((code = write_golden(&S, gpath)) == CLI_OK)
            printf("wrote %s: %d runs (%d workloads x %d schedulers x %d seeds)\n", gpath, S.n_runs,
                   S.n_w, S.n_s, S.n_seeds);
        goto out;
    }
    code = compare(&S, gpath, stdout);
    if (a.report != NULL) {
        FILE *f = fopen(a.report, "w");
        if (f == NULL) {
            fprintf(stderr, "socsim regress: %s: cannot write\n", a.report);
        } else {
            compare(&S, gpath, f);
            fclose(f);
        }
    }
out:
    free(gpath);
    free(todo);
    suite_free(&S);
    return code;
}
