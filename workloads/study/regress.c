/*
 * regress.c -- the scheduler regression suite (soc/study.h,
 * docs/regression.md): DIR/suite.yaml names workloads and seeds; every
 * built-in scheduler of the catalog (minus `exclude`) runs every workload
 * with every seed; every metric is compared with DIR/golden.csv exactly,
 * and a markdown report shows the schedulers side by side.
 *
 * Exact comparison is sound because runs are deterministic and every
 * number is written as the shortest text that reads back to the same
 * double: a changed cell is a changed result.
 */
#define _GNU_SOURCE /* getline */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "soc/metrics.h"
#include "soc/study.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "soc_util.h"

struct soc_regress {
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
    const soc_sched_catalog_t *cat;
};

void soc_regress_free(soc_regress_t *S)
{
    if (S == NULL)
        return;
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
    free(S);
}

static int in_list(const soc_ynode_t *list, const char *name)
{
    for (int i = 0; list != NULL && list->kind == SOC_YNODE_SEQUENCE && i < list->n; i++)
        if (list->items[i]->kind == SOC_YNODE_SCALAR && strcasecmp(list->items[i]->value, name) == 0)
            return 1;
    return 0;
}

static int at(soc_error_t *err, const char *file, const soc_ynode_t *n, const char *msg)
{
    return soc_error_set(err, SOC_ECONFIG, file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

static int parse_seed(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (text[0] < '0' || text[0] > '9')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int suite_load(soc_regress_t *S, const char *dir, soc_error_t *err)
{
    S->dir = soc__strdup(dir);
    char *file = soc__path_join(dir, "suite.yaml");
    soc_ynode_t *root = NULL;
    int rc = SOC_ENOMEM;
    if (S->dir == NULL || file == NULL)
        goto oom;
    if ((rc = soc_ytree_load(&root, file, err)) != SOC_OK)
        goto out;
    const soc_ynode_t *w = soc_ytree_get(root, "workloads"), *sd = soc_ytree_get(root, "seeds"),
                      *ex = soc_ytree_get(root, "exclude");
    if (root->kind != SOC_YNODE_MAPPING || w == NULL || w->kind != SOC_YNODE_SEQUENCE || w->n == 0) {
        rc = at(err, file, w ? w : root, "suite.yaml needs 'workloads', a non-empty list of YAML files");
        goto out;
    }
    if (sd == NULL || sd->kind != SOC_YNODE_SEQUENCE || sd->n == 0) {
        rc = at(err, file, sd ? sd : root, "suite.yaml needs 'seeds', a non-empty list of integers");
        goto out;
    }
    for (int i = 0; i < root->n; i++) {
        const char *k = root->keys[i]->value;
        if (strcmp(k, "workloads") && strcmp(k, "seeds") && strcmp(k, "exclude")) {
            rc = at(err, file, root->keys[i], "unknown key (valid keys: workloads, seeds, exclude)");
            goto out;
        }
    }
    S->work = calloc((size_t)w->n, sizeof *S->work);
    S->cfg = calloc((size_t)w->n, sizeof *S->cfg);
    S->seeds = calloc((size_t)sd->n, sizeof *S->seeds);
    if (S->work == NULL || S->cfg == NULL || S->seeds == NULL)
        goto oom;
    for (int i = 0; i < w->n; i++) {
        if (w->items[i]->kind != SOC_YNODE_SCALAR) {
            rc = at(err, file, w->items[i], "a workload is a file name");
            goto out;
        }
        if ((S->work[i] = soc__strdup(w->items[i]->value)) == NULL)
            goto oom;
        S->n_w = i + 1;
        char *path = soc__path_join(dir, S->work[i]);
        rc = path ? soc_load_yaml(&S->cfg[i], path, err) : SOC_ENOMEM;
        free(path);
        if (rc == SOC_OK)
            rc = soc_config_finalize(&S->cfg[i], err);
        if (rc != SOC_OK) {
            soc_config_free(&S->cfg[i]);
            soc_config_init(&S->cfg[i]);
            goto out;
        }
    }
    for (int i = 0; i < sd->n; i++) {
        if (sd->items[i]->kind != SOC_YNODE_SCALAR || parse_seed(sd->items[i]->value, &S->seeds[i])) {
            rc = at(err, file, sd->items[i], "a seed is an integer in 0 .. 2^64-1");
            goto out;
        }
        S->n_seeds = i + 1;
    }
    const soc_sched_ops_t *const *list = S->cat->list != NULL ? S->cat->list() : NULL;
    int n = 0;
    for (const soc_sched_ops_t *const *s = list; s != NULL && *s != NULL; s++)
        n++;
    S->sched = calloc((size_t)(n ? n : 1), sizeof *S->sched);
    if (S->sched == NULL)
        goto oom;
    for (const soc_sched_ops_t *const *s = list; s != NULL && *s != NULL; s++)
        if (!in_list(ex, (*s)->name))
            S->sched[S->n_s++] = (*s)->name;
    S->n_runs = S->n_w * S->n_s * S->n_seeds;
    if ((S->rows = calloc((size_t)(S->n_runs ? S->n_runs : 1), sizeof *S->rows)) == NULL)
        goto oom;
    rc = SOC_OK;
    goto out;
oom:
    rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
out:
    soc_ytree_free(root);
    free(file);
    return rc;
}

int soc_regress_load(soc_regress_t **out, const char *dir, const soc_sched_catalog_t *cat,
                     soc_error_t *err)
{
    soc_library_init();
    *out = NULL;
    if (cat == NULL || cat->resolve == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no scheduler catalog");
    soc_regress_t *S = calloc(1, sizeof *S);
    if (S == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    S->cat = cat;
    int rc = suite_load(S, dir, err);
    if (rc != SOC_OK) {
        soc_regress_free(S);
        return rc;
    }
    *out = S;
    return SOC_OK;
}

void soc_regress_size(const soc_regress_t *S, int *n_workloads, int *n_schedulers, int *n_seeds)
{
    if (n_workloads != NULL)
        *n_workloads = S->n_w;
    if (n_schedulers != NULL)
        *n_schedulers = S->n_s;
    if (n_seeds != NULL)
        *n_seeds = S->n_seeds;
}

static void run_key(const soc_regress_t *S, int i, int *w, int *s, int *k)
{
    *k = i % S->n_seeds;
    *s = (i / S->n_seeds) % S->n_s;
    *w = i / (S->n_seeds * S->n_s);
}

static int n_metrics(void)
{
    int n;
    soc_metric_fields(&n);
    return n;
}

typedef struct first_run {
    char *cells;
} first_run_t;

static int keep_first(void *user, int index, const soc_run_id_t *run, soc_sim_t *sim)
{
    (void)run;
    first_run_t *f = user;
    if (index == 0) {
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        if ((f->cells = soc_metrics_csv(&m)) == NULL)
            return SOC_ENOMEM;
    }
    return SOC_OK;
}

static int regress_job(void *user, int i, char **row, char *errbuf, size_t es)
{
    soc_regress_t *S = user;
    int w, s, k;
    run_key(S, i, &w, &s, &k);
    soc_config_t *cfg = &S->cfg[w];
    uint64_t keep = cfg->seed;
    cfg->seed = S->seeds[k];
    soc_error_t err = {0};
    const soc_sched_ops_t *ops = NULL;
    const char *arg = NULL;
    void *token = NULL;
    first_run_t f = {NULL};
    int rc = S->cat->resolve(S->sched[s], &ops, &arg, &token, &err);
    if (rc == SOC_OK) {
        soc_study_hooks_t hooks;
        memset(&hooks, 0, sizeof hooks);
        hooks.on_run = keep_first;
        hooks.run_user = &f;
        rc = soc_study_run_config(cfg, ops, arg, &hooks, &err);
    }
    if (token != NULL && S->cat->release != NULL)
        S->cat->release(token);
    cfg->seed = keep;
    soc__buf_t b = {0};
    if (rc == SOC_OK && f.cells != NULL) {
        soc__buf_puts(&b, "ok");
        soc__buf_puts(&b, f.cells);
    } else {
        /* the status name only: messages may carry paths */
        soc__buf_puts(&b, soc_status_name(rc != SOC_OK ? rc : SOC_ESTATE));
        for (int m = 0; m < n_metrics(); m++)
            soc__buf_putc(&b, ',');
    }
    free(f.cells);
    if ((*row = soc__buf_take(&b)) == NULL) {
        snprintf(errbuf, es, "out of memory");
        return -1;
    }
    return 0;
}

static void regress_done(void *user, int i, const char *row, const char *error)
{
    (void)error;
    soc_regress_t *S = user;
    if (row != NULL)
        S->rows[i] = soc__strdup(row);
}

int soc_regress_run(soc_regress_t *S, int workers, soc_error_t *err)
{
    int *todo = malloc(sizeof *todo * (size_t)(S->n_runs ? S->n_runs : 1));
    if (todo == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < S->n_runs; i++)
        todo[i] = i;
    int rc = SOC_OK;
    if (soc_pool_run(workers > 0 ? workers : soc_ncpus(), todo, S->n_runs, regress_job,
                     regress_done, S) != 0)
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot start worker processes: %s",
                           strerror(errno));
    free(todo);
    for (int i = 0; rc == SOC_OK && i < S->n_runs; i++)
        if (S->rows[i] == NULL)
            rc = soc_error_set(err, SOC_ESTATE, NULL, 0, 0, "some runs did not finish");
    return rc;
}

static void header(soc__buf_t *b)
{
    soc__buf_puts(b, "workload,scheduler,seed,status");
    soc__buf_puts(b, soc_metrics_csv_header());
    soc__buf_putc(b, '\n');
}

static void row_text(const soc_regress_t *S, int i, soc__buf_t *b)
{
    int w, s, k;
    run_key(S, i, &w, &s, &k);
    soc__buf_csv(b, S->work[w]);
    soc__buf_printf(b, ",%s,%llu,%s\n", S->sched[s], (unsigned long long)S->seeds[k],
                    S->rows[i] ? S->rows[i] : "MISSING");
}

int soc_regress_write_golden(const soc_regress_t *S, soc_error_t *err)
{
    char *path = soc__path_join(S->dir, "golden.csv"), *tmp = soc__path_join(S->dir, ".golden.tmp");
    int rc = SOC_OK;
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    if (f == NULL) {
        rc = soc_error_set(err, SOC_EIO, tmp ? tmp : S->dir, 0, 0, "cannot write: %s",
                           strerror(errno));
        goto out;
    }
    soc__buf_t b = {0};
    header(&b);
    for (int i = 0; i < S->n_runs; i++)
        row_text(S, i, &b);
    int bad = b.oom || fwrite(b.d, 1, b.n, f) != b.n || ferror(f);
    bad |= fclose(f) != 0;
    soc__buf_free(&b);
    if (bad || rename(tmp, path) != 0) {
        rc = soc_error_set(err, SOC_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        remove(tmp);
    }
out:
    free(path);
    free(tmp);
    return rc;
}

/* ---- golden ---- */

typedef struct golden {
    int n;
    char ***cells;
    char **store;
    int *used;
} golden_t;

static void golden_free(golden_t *g)
{
    for (int i = 0; i < g->n; i++) {
        free(g->cells[i]);
        free(g->store[i]);
    }
    free(g->cells);
    free(g->store);
    free(g->used);
}

static int golden_read(golden_t *g, const char *path, int n_fields, soc_error_t *err)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return soc_error_set(err, SOC_EIO, path, 0, 0, "no goldens yet");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = SOC_OK;
    soc__buf_t h = {0};
    header(&h);
    const char *hs = soc__buf_cstr(&h);
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (lineno == 1) {
            if (hs == NULL || strcmp(line, hs) != 0) {
                rc = soc_error_set(err, SOC_ECONFIG, path, 1, 0,
                                   "its columns differ from this version's metrics; regenerate "
                                   "it with --update");
                break;
            }
            continue;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char **cells, *store;
        int nc = soc__csv_split(line, &cells, &store);
        if (nc != n_fields) {
            free(cells);
            free(store);
            rc = soc_error_set(err, SOC_ECONFIG, path, lineno, 0, "malformed row");
            break;
        }
        char ***ncl = realloc(g->cells, sizeof *ncl * (size_t)(g->n + 1));
        if (ncl != NULL)
            g->cells = ncl;
        char **ns = realloc(g->store, sizeof *ns * (size_t)(g->n + 1));
        if (ns != NULL)
            g->store = ns;
        if (ncl == NULL || ns == NULL) {
            free(cells);
            free(store);
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        g->cells[g->n] = cells;
        g->store[g->n] = store;
        g->n++;
    }
    free(line);
    fclose(f);
    soc__buf_free(&h);
    g->used = calloc((size_t)(g->n ? g->n : 1), sizeof *g->used);
    if (g->used == NULL && rc == SOC_OK)
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    return rc;
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

/* The per-workload tables: the mean over seeds of each shown metric per
 * scheduler; changed cells bold, with the golden mean after them. */
static void report_tables(const soc_regress_t *S, FILE *out, const golden_t *g, char ***now,
                          const int *gi, const unsigned char *chg, int nm)
{
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
            int m = soc_metric_find(shown[q].metric);
            int any = 0;
            for (int i = w * S->n_s * S->n_seeds; m >= 0 && i < (w + 1) * S->n_s * S->n_seeds && !any; i++)
                any = now[i] != NULL && now[i][1 + m][0] != '\0';
            if (m < 0 || !any)
                continue;
            fprintf(out, "| %s |", shown[q].label);
            for (int s = 0; s < S->n_s; s++) {
                int cnt = 0, gcnt = 0, changed = 0;
                for (int k = 0; k < S->n_seeds; k++) {
                    int i = (w * S->n_s + s) * S->n_seeds + k;
                    char *end;
                    if (now[i] != NULL && now[i][1 + m][0] != '\0')
                        x[cnt++] = strtod(now[i][1 + m], &end);
                    if (gi[i] >= 0 && g->cells[gi[i]][4 + m][0] != '\0')
                        gx[gcnt++] = strtod(g->cells[gi[i]][4 + m], &end);
                    changed |= chg[(size_t)i * (size_t)(nm + 1) + (size_t)(1 + m)] |
                               chg[(size_t)i * (size_t)(nm + 1)];
                }
                double mean = NAN, gmean = NAN, ci;
                if (cnt)
                    soc_stats_mean_ci95(x, cnt, &mean, &ci);
                if (gcnt)
                    soc_stats_mean_ci95(gx, gcnt, &gmean, &ci);
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
}

/* The comparison of the runs with the goldens: each run's cells, its
 * golden row, the changed cells and the rows of the differences table.
 * All owned by soc_regress_compare. */
typedef struct cmp {
    int nm;              /* metric fields */
    char ***now;         /* [n_runs] cells of each run (status, metrics); NULL = failed */
    char **nstore;       /* [n_runs] their storage */
    int *gi;             /* [n_runs] golden row of each run, -1 = none */
    unsigned char *chg;  /* [n_runs][nm + 1] changed cells (0: the status, or a new run) */
    soc__buf_t detail;   /* the rows of the differences table */
    int n_diff;
} cmp_t;

/* Run i against its golden row: a failed run, a run not in the goldens, or
 * every differing cell (marked in chg, listed in detail). */
static void compare_run(const soc_regress_t *S, golden_t *g, int i, cmp_t *C)
{
    const soc_metric_field_t *f = soc_metric_fields(NULL);
    int nm = C->nm, w, s, k;
    run_key(S, i, &w, &s, &k);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)S->seeds[k]);
    C->gi[i] = golden_find(g, S->work[w], S->sched[s], seed);
    if (S->rows[i] == NULL || soc__csv_split(S->rows[i], &C->now[i], &C->nstore[i]) != 1 + nm) {
        free(C->now[i]);
        free(C->nstore[i]);
        C->now[i] = NULL;
        C->nstore[i] = NULL;
        C->n_diff++;
        soc__buf_printf(&C->detail, "| %s | %s | %s | run | | failed |\n", S->work[w],
                        S->sched[s], seed);
        return;
    }
    if (C->gi[i] < 0) {
        C->n_diff++;
        C->chg[(size_t)i * (size_t)(nm + 1)] = 1;
        soc__buf_printf(&C->detail, "| %s | %s | %s | (all) | not in the goldens | new |\n",
                        S->work[w], S->sched[s], seed);
        return;
    }
    g->used[C->gi[i]] = 1;
    char **gc = g->cells[C->gi[i]] + 3;
    for (int m = 0; m <= nm; m++) {
        if (strcmp(gc[m], C->now[i][m]) == 0)
            continue;
        C->chg[(size_t)i * (size_t)(nm + 1) + (size_t)m] = 1;
        C->n_diff++;
        soc__buf_printf(&C->detail, "| %s | %s | %s | %s | %s | **%s** |\n", S->work[w],
                        S->sched[s], seed, m == 0 ? "status" : f[m - 1].name,
                        gc[m][0] ? gc[m] : "-", C->now[i][m][0] ? C->now[i][m] : "-");
    }
}

/* The Markdown report: the summary line, the tables per workload and the
 * differences with exact values. */
static void write_report(const soc_regress_t *S, FILE *out, const golden_t *g, const char *gpath,
                         cmp_t *C)
{
    int n_diff = C->n_diff;
    fprintf(out, "# Scheduler regression\n\n%d workloads x %d schedulers x %d seeds = %d runs, "
                 "compared exactly with `%s`: %s\n\n",
            S->n_w, S->n_s, S->n_seeds, S->n_runs, gpath,
            n_diff ? "**DIFFERENCES FOUND**" : "no differences.");
    if (n_diff)
        fprintf(out, "%d differing value(s); changed cells are **bold** with the golden value "
                     "after them. If the change is intended, accept it with `socsim regress "
                     "--update --dir %s` and commit `golden.csv` (docs/regression.md).\n\n",
                n_diff, S->dir);
    report_tables(S, out, g, C->now, C->gi, C->chg, C->nm);
    const char *d = soc__buf_cstr(&C->detail);
    if (n_diff)
        fprintf(out, "## Differences (exact values)\n\n| workload | scheduler | seed | metric | "
                     "golden | now |\n|---|---|---|---|---|---|\n%s\n",
                d != NULL ? d : "");
}

int soc_regress_compare(const soc_regress_t *S, FILE *out, int *n_diff_out, soc_error_t *err)
{
    int nm = n_metrics(), n_fields = 4 + nm;
    char *gpath = soc__path_join(S->dir, "golden.csv");
    golden_t g;
    if (gpath == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = golden_read(&g, gpath, n_fields, err);
    if (rc != SOC_OK) {
        if (rc == SOC_EIO && err != NULL)
            snprintf(err->msg, sizeof err->msg,
                     "no goldens yet; create them with 'socsim regress --update --dir %s'", S->dir);
        golden_free(&g);
        free(gpath);
        return rc;
    }
    int nr = S->n_runs ? S->n_runs : 1;
    cmp_t C = {.nm = nm};
    C.now = calloc((size_t)nr, sizeof *C.now);
    C.nstore = calloc((size_t)nr, sizeof *C.nstore);
    C.gi = calloc((size_t)nr, sizeof *C.gi);
    C.chg = calloc((size_t)nr * (size_t)(nm + 1), 1);
    if (C.now == NULL || C.nstore == NULL || C.gi == NULL || C.chg == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < S->n_runs; i++)
        compare_run(S, &g, i, &C);
    for (int j = 0; j < g.n; j++)
        if (!g.used[j]) {
            C.n_diff++;
            soc__buf_printf(&C.detail, "| %s | %s | %s | (all) | in the goldens | **gone** |\n",
                            g.cells[j][0], g.cells[j][1], g.cells[j][2]);
        }
    if (out != NULL)
        write_report(S, out, &g, gpath, &C);
out:
    for (int i = 0; C.now != NULL && i < S->n_runs; i++) {
        free(C.now[i]);
        free(C.nstore[i]);
    }
    free(C.now);
    free(C.nstore);
    free(C.gi);
    free(C.chg);
    soc__buf_free(&C.detail);
    golden_free(&g);
    free(gpath);
    if (n_diff_out != NULL)
        *n_diff_out = C.n_diff;
    return rc;
}
