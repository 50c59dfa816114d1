/*
 * cli_sweep.c -- `socsim sweep`: run the Cartesian product of axes (plus
 * explicit points) over a base config in worker processes, stream one
 * checked CSV row per point, resume what is missing, summarize over seeds.
 *
 * Crash safety: only the parent writes results.csv, one whole row per
 * write(2) on an O_APPEND descriptor, synced at most every 200 ms.  Every
 * row ends with a checksum of its text, so a torn last line (power loss,
 * full disk) is recognized and dropped on the next start; a kill at any
 * moment therefore loses at most the points still running.  Determinism:
 * a point's result depends only on the point, rows carry their point id,
 * and a finished sweep rewrites results.csv sorted by id -- so -j N,
 * interruptions and shards all end in the same bytes.
 */
#define _GNU_SOURCE /* fdopen, getline, O_DIRECTORY, fdatasync */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "cli.h"
#include "cli_sweep.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"

/* ============================================================ strings */

void cli_buf_add(cli_buf_t *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (ns == NULL) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void cli_buf_str(cli_buf_t *b, const char *s) { cli_buf_add(b, s, strlen(s)); }

void cli_buf_fmt(cli_buf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        cli_buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    cli_buf_add(b, big, (size_t)n);
    free(big);
}

void cli_buf_csv(cli_buf_t *b, const char *cell)
{
    if (strpbrk(cell, ",\"\r\n") == NULL && cell[0] != ' ') {
        cli_buf_str(b, cell);
        return;
    }
    cli_buf_str(b, "\"");
    for (const char *p = cell; *p; p++) {
        if (*p == '"')
            cli_buf_str(b, "\"\"");
        else if (*p == '\n' || *p == '\r')
            cli_buf_str(b, " ");
        else
            cli_buf_add(b, p, 1);
    }
    cli_buf_str(b, "\"");
}

void cli_buf_free(cli_buf_t *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

char *cli_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

char *cli_path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int cli_csv_split(const char *line, char ***cells, char **store)
{
    size_t len = strlen(line);
    char *st = malloc(len + 1);
    int cap = 16, n = 0;
    char **c = malloc(sizeof *c * (size_t)cap);
    if (st == NULL || c == NULL)
        goto fail;
    const char *p = line;
    char *o = st;
    for (;;) {
        if (n == cap) {
            char **nc = realloc(c, sizeof *nc * (size_t)(cap *= 2));
            if (nc == NULL)
                goto fail;
            c = nc;
        }
        c[n++] = o;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    goto fail; /* unterminated quote */
                if (*p == '"' && p[1] == '"') {
                    *o++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *o++ = *p++;
                }
            }
            if (*p != ',' && *p != '\0')
                goto fail;
        } else {
            while (*p != ',' && *p != '\0')
                *o++ = *p++;
        }
        *o++ = '\0';
        if (*p == '\0')
            break;
        p++; /* the comma */
    }
    *cells = c;
    *store = st;
    return n;
fail:
    free(st);
    free(c);
    *cells = NULL;
    *store = NULL;
    return -1;
}

int cli_csv_next(FILE *f, char **line, size_t *cap, int *lineno, char ***cells, char **store)
{
    ssize_t len;
    while ((len = getline(line, cap, f)) > 0) {
        if (lineno != NULL)
            (*lineno)++;
        char *l = *line;
        while (len > 0 && (l[len - 1] == '\n' || l[len - 1] == '\r'))
            l[--len] = '\0';
        if (len > 0)
            return cli_csv_split(l, cells, store);
    }
    return -2;
}

/* ============================================================ metrics */

const char *const cli_metric_names[] = {
    "injected_jobs",   "completed_jobs",   "tasks_completed",     "avg_latency_us",
    "p50_latency_us",  "p95_latency_us",   "p99_latency_us",      "max_latency_us",
    "makespan_us",     "sim_time_us",      "throughput_jobs_per_s", "cumulative_latency_us",
    "avg_concurrent_jobs", "deadline_jobs", "deadline_misses",    "avg_utilization",
    "energy_j",        "edp",              "avg_power_w",         "peak_temp_c",
    NULL};

static void cell_num(cli_buf_t *b, double x)
{
    char t[32];
    cli_buf_str(b, ",");
    if (!isnan(x) && !isinf(x))
        cli_buf_str(b, cli_num(t, x));
}

void cli_metric_cells(cli_buf_t *b, const soc_metrics_t *m)
{
    double u = 0;
    for (int i = 0; i < m->n_pes && m->pe_utilization != NULL; i++)
        u += m->pe_utilization[i];
    cli_buf_fmt(b, ",%" PRId64 ",%" PRId64 ",%" PRId64, m->injected_jobs, m->completed_jobs,
                m->tasks_completed);
    cell_num(b, m->avg_latency_us);
    cell_num(b, m->p50_latency_us);
    cell_num(b, m->p95_latency_us);
    cell_num(b, m->p99_latency_us);
    cell_num(b, m->max_latency_us);
    cell_num(b, m->makespan_us);
    cell_num(b, m->sim_time_us);
    cell_num(b, m->throughput_jobs_per_s);
    cell_num(b, m->cumulative_latency_us);
    cell_num(b, m->avg_concurrent_jobs);
    cli_buf_fmt(b, ",%" PRId64 ",%" PRId64, m->deadline_jobs, m->deadline_misses);
    cell_num(b, m->n_pes > 0 ? u / m->n_pes : NAN);
    double nan = NAN;
    cell_num(b, m->has_energy ? m->energy_j : nan);
    cell_num(b, m->has_energy ? m->edp : nan);
    cell_num(b, m->has_energy ? m->avg_power_w : nan);
    cell_num(b, m->has_energy ? m->peak_temp_c : nan);
}

/* ======================================================= checked rows */

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void cli_row_seal(cli_buf_t *line, const char *body)
{
    cli_buf_str(line, body);
    cli_buf_fmt(line, ",%08" PRIx32 "\n", fnv1a(body, strlen(body)));
}

int cli_row_valid(const char *line, size_t len, size_t *body_len)
{
    if (len < 10 || line[len - 9] != ',')
        return 0;
    char hex[9];
    memcpy(hex, line + len - 8, 8);
    hex[8] = '\0';
    char *end;
    unsigned long v = strtoul(hex, &end, 16);
    if (*end != '\0' || (uint32_t)v != fnv1a(line, len - 9))
        return 0;
    *body_len = len - 9;
    return 1;
}

/* ========================================================= statistics */

void cli_mean_ci95(const double *x, int n, double *mean, double *ci)
{
    *mean = n > 0 ? gsl_stats_mean(x, 1, (size_t)n) : NAN;
    *ci = NAN;
    if (n >= 2) {
        double sd = gsl_stats_sd_m(x, 1, (size_t)n, *mean);
        *ci = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    }
}

/* ============================================================== runs */

int cli_ds3_runs(const soc_config_t *cfg, int64_t **scales, int **iters)
{
    soc_ds3_options_t def;
    const soc_ds3_options_t *o = cfg->ds3;
    if (o == NULL) {
        soc_ds3_options_default(&def);
        o = &def;
    }
    int ns = o->validation || o->n_scale_values <= 0 ? 1 : o->n_scale_values;
    int ni = o->validation || o->num_of_iterations <= 0 ? 1 : o->num_of_iterations;
    int n = ns * ni;
    *scales = malloc(sizeof **scales * (size_t)n);
    *iters = malloc(sizeof **iters * (size_t)n);
    if (*scales == NULL || *iters == NULL) {
        free(*scales);
        free(*iters);
        *scales = NULL;
        *iters = NULL;
        return 0;
    }
    for (int s = 0; s < ns; s++)
        for (int i = 0; i < ni; i++) {
            (*scales)[s * ni + i] =
                o->validation || o->n_scale_values <= 0 ? o->scale : o->scale_values[s];
            (*iters)[s * ni + i] = i;
        }
    return n;
}

void cli_ds3_select(soc_config_t *cfg, int64_t scale, int iteration)
{
    if (cfg->ds3 != NULL && cfg->ds3->validation)
        return; /* one run; the engine takes its scale from the options */
    if (cfg->ds3 == NULL) {
        cfg->ds3 = calloc(1, sizeof *cfg->ds3);
        if (cfg->ds3 == NULL)
            return;
        soc_ds3_options_default(cfg->ds3);
    }
    cfg->ds3->run_scale = scale;
    cfg->ds3->run_iteration = iteration;
}

/* ======================================================== worker pool */

int cli_ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)(n > 1024 ? 1024 : n) : 1;
}

typedef struct worker {
    pid_t pid;
    int to_fd;    /* parent -> worker: "IDX\n" */
    int from_fd;  /* worker -> parent: "IDX OK|ERR TEXT\n" */
    int inflight; /* index being run, -1 = none */
    char *buf;
    size_t n, cap;
} worker_t;

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The body of a worker process: never returns. */
static void worker_main(int in_fd, int out_fd, cli_job_fn job, void *user)
{
    FILE *in = fdopen(in_fd, "r");
    char line[64];
    while (in != NULL && fgets(line, sizeof line, in) != NULL) {
        int idx = atoi(line);
        char *row = NULL, err[1024] = "";
        int rc = job(user, idx, &row, err, sizeof err);
        cli_buf_t b = {0};
        cli_buf_fmt(&b, "%d %s ", idx, rc == 0 && row != NULL ? "OK" : "ERR");
        const char *text = rc == 0 && row != NULL ? row : (err[0] ? err : "failed");
        for (const char *p = text; *p; p++)
            cli_buf_add(&b, *p == '\n' || *p == '\r' ? " " : p, 1);
        cli_buf_str(&b, "\n");
        free(row);
        if (b.oom || write_all(out_fd, b.s, b.n) != 0)
            _exit(3);
        cli_buf_free(&b);
    }
    _exit(0);
}

static int spawn(worker_t *w, worker_t *all, int n_all, cli_job_fn job, void *user)
{
    int down[2], up[2];
    if (pipe(down) != 0)
        return -1;
    if (pipe(up) != 0) {
        close(down[0]);
        close(down[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(down[0]);
        close(down[1]);
        close(up[0]);
        close(up[1]);
        return -1;
    }
    if (pid == 0) {
        /* the other workers' pipe ends must not stay open here, or their
         * EOFs would never arrive */
        for (int i = 0; i < n_all; i++) {
            if (all[i].to_fd >= 0)
                close(all[i].to_fd);
            if (all[i].from_fd >= 0)
                close(all[i].from_fd);
        }
        close(down[1]);
        close(up[0]);
        signal(SIGPIPE, SIG_DFL);
        worker_main(down[0], up[1], job, user);
    }
    close(down[0]);
    close(up[1]);
    w->pid = pid;
    w->to_fd = down[1];
    w->from_fd = up[0];
    w->inflight = -1;
    w->n = 0;
    return 0;
}

static void reap(worker_t *w, char *why, size_t size)
{
    int st = 0;
    if (w->to_fd >= 0)
        close(w->to_fd);
    if (w->from_fd >= 0)
        close(w->from_fd);
    w->to_fd = w->from_fd = -1;
    while (w->pid > 0 && waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (why != NULL) {
        if (WIFSIGNALED(st))
            snprintf(why, size, "worker process killed by signal %d", WTERMSIG(st));
        else
            snprintf(why, size, "worker process exited with status %d",
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    w->pid = -1;
}

static int feed(worker_t *w, const int *todo, int n_todo, int *next)
{
    if (*next >= n_todo) {
        if (w->to_fd >= 0)
            close(w->to_fd); /* EOF: the worker exits */
        w->to_fd = -1;
        return 0;
    }
    char msg[32];
    int n = snprintf(msg, sizeof msg, "%d\n", todo[*next]);
    if (write_all(w->to_fd, msg, (size_t)n) != 0)
        return -1;
    w->inflight = todo[(*next)++];
    return 0;
}

int cli_pool_run(int workers, const int *todo, int n_todo, cli_job_fn job, cli_done_fn done,
                 void *user)
{
    if (n_todo <= 0)
        return 0;
    if (workers > n_todo)
        workers = n_todo;
    if (workers < 1)
        workers = 1;
    worker_t *w = calloc((size_t)workers, sizeof *w);
    struct pollfd *pf = calloc((size_t)workers, sizeof *pf);
    int next = 0, rc = 0, live = 0;
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    if (w == NULL || pf == NULL) {
        rc = -1;
        goto out;
    }
    for (int i = 0; i < workers; i++)
        w[i].to_fd = w[i].from_fd = w[i].pid = -1;
    for (int i = 0; i < workers; i++) {
        if (spawn(&w[i], w, workers, job, user) != 0) {
            if (i == 0) {
                fprintf(stderr, "socsim: cannot start worker processes: %s\n", strerror(errno));
                rc = -1;
                goto out;
            }
            break; /* run with the workers we have */
        }
        live++;
        feed(&w[i], todo, n_todo, &next);
    }
    while (live > 0) {
        int np = 0;
        int map[1024];
        for (int i = 0; i < workers && np < 1024; i++)
            if (w[i].from_fd >= 0) {
                pf[np].fd = w[i].from_fd;
                pf[np].events = POLLIN;
                pf[np].revents = 0;
                map[np++] = i;
            }
        if (poll(pf, (nfds_t)np, -1) < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        for (int k = 0; k < np; k++) {
            if (pf[k].revents == 0)
                continue;
            worker_t *x = &w[map[k]];
            if (x->cap - x->n < 4096) {
                size_t nc = x->cap ? x->cap * 2 : 8192;
                char *nb = realloc(x->buf, nc);
                if (nb == NULL) {
                    rc = -1;
                    goto out;
                }
                x->buf = nb;
                x->cap = nc;
            }
            ssize_t got = read(x->from_fd, x->buf + x->n, x->cap - x->n - 1);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                char why[128];
                int lost = x->inflight;
                reap(x, why, sizeof why);
                live--;
                if (lost >= 0) {
                    done(user, lost, NULL, why);
                    x->inflight = -1;
                }
                if (next < n_todo && spawn(x, w, workers, job, user) == 0) {
                    live++;
                    feed(x, todo, n_todo, &next);
                }
                continue;
            }
            x->n += (size_t)got;
            char *nl;
            while ((nl = memchr(x->buf, '\n', x->n)) != NULL) {
                *nl = '\0';
                char *sp = strchr(x->buf, ' ');
                int idx = atoi(x->buf);
                if (sp != NULL && strncmp(sp + 1, "OK ", 3) == 0)
                    done(user, idx, sp + 4, NULL);
                else
                    done(user, idx, NULL, sp != NULL && strlen(sp) > 5 ? sp + 5 : "failed");
                x->inflight = -1;
                size_t used = (size_t)(nl - x->buf) + 1;
                memmove(x->buf, nl + 1, x->n - used);
                x->n -= used;
                feed(x, todo, n_todo, &next);
            }
        }
    }
out:
    for (int i = 0; w != NULL && i < workers; i++) {
        if (w[i].pid > 0) {
            kill(w[i].pid, SIGTERM);
            reap(&w[i], NULL, 0);
        }
        free(w[i].buf);
    }
    free(w);
    free(pf);
    signal(SIGPIPE, old_pipe);
    return rc;
}

/* ========================================================= sweep spec */

enum { COL_CONFIG = 0, COL_SCHED, COL_SEED };

typedef struct col {
    char *key;
    int kind;
    int n;
    char **text; /* CSV cell */
    char **ovr;  /* override text ("key=YAML") for config columns */
    int *line, *col;
} col_t;

typedef struct spec {
    char *path;      /* the sweep file */
    char *base;      /* base config path (resolved) */
    int base_ds3;    /* base is a DS3 config_file.ini */
    int n_set;
    char **set;      /* "key=value", NULL-terminated */
    int n_cols;
    col_t *cols;
    int n_prod;      /* columns of the product (axes) */
    int n_points;
    int *pv;         /* [n_points * n_cols], value index or -1 */
    int ds3;         /* points carry DS3 (scale, iteration) */
    int64_t *scale;  /* [n_points] when ds3 */
    int *iter;       /* [n_points] when ds3 */
    int seed_col, sched_col;
} spec_t;

static void spec_free(spec_t *s)
{
    for (int c = 0; c < s->n_cols; c++) {
        col_t *k = &s->cols[c];
        for (int i = 0; i < k->n; i++) {
            free(k->text[i]);
            free(k->ovr[i]);
        }
        free(k->text);
        free(k->ovr);
        free(k->line);
        free(k->col);
        free(k->key);
    }
    for (int i = 0; i < s->n_set; i++)
        free(s->set[i]);
    free(s->set);
    free(s->cols);
    free(s->pv);
    free(s->scale);
    free(s->iter);
    free(s->path);
    free(s->base);
    memset(s, 0, sizeof *s);
}


static int spec_fail(const char *file, int line, int col, const char *fmt, ...) SOC_PRINTF(4, 5);
static int spec_fail(const char *file, int line, int col, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        fprintf(stderr, "socsim: %s:%d:%d: %s\n", file, line, col, msg);
    else
        fprintf(stderr, "socsim: %s: %s\n", file, msg);
    return -1;
}

static char *join_rel(const char *sweep_path, const char *rel)
{
    if (rel[0] == '/')
        return cli_strdup(rel);
    const char *slash = strrchr(sweep_path, '/');
    size_t dn = slash ? (size_t)(slash - sweep_path) + 1 : 0;
    char *p = malloc(dn + strlen(rel) + 1);
    if (p != NULL) {
        memcpy(p, sweep_path, dn);
        strcpy(p + dn, rel);
    }
    return p;
}

static int col_find(const spec_t *s, const char *key)
{
    for (int c = 0; c < s->n_cols; c++)
        if (strcmp(s->cols[c].key, key) == 0)
            return c;
    return -1;
}

static int col_add(spec_t *s, const char *key)
{
    col_t *nc = realloc(s->cols, sizeof *nc * (size_t)(s->n_cols + 1));
    if (nc == NULL)
        return -1;
    s->cols = nc;
    col_t *k = &s->cols[s->n_cols];
    memset(k, 0, sizeof *k);
    if ((k->key = cli_strdup(key)) == NULL)
        return -1;
    k->kind = strcmp(key, "scheduler") == 0 ? COL_SCHED
              : strcmp(key, "seed") == 0    ? COL_SEED
                                            : COL_CONFIG;
    return s->n_cols++;
}

/* Add a value to a column (deduplicated by text); returns its index. */
static int col_value(col_t *k, const char *text, const char *yaml, int line, int colno)
{
    for (int i = 0; i < k->n; i++)
        if (strcmp(k->text[i], text) == 0 && strcmp(k->ovr[i], yaml) == 0)
            return i;
    char **nt = realloc(k->text, sizeof *nt * (size_t)(k->n + 1));
    if (nt != NULL)
        k->text = nt;
    char **no = realloc(k->ovr, sizeof *no * (size_t)(k->n + 1));
    if (no != NULL)
        k->ovr = no;
    int *nl = realloc(k->line, sizeof *nl * (size_t)(k->n + 1));
    if (nl != NULL)
        k->line = nl;
    int *ncol = realloc(k->col, sizeof *ncol * (size_t)(k->n + 1));
    if (ncol != NULL)
        k->col = ncol;
    if (nt == NULL || no == NULL || nl == NULL || ncol == NULL)
        return -1;
    k->text[k->n] = cli_strdup(text);
    k->ovr[k->n] = cli_strdup(yaml);
    if (k->text[k->n] == NULL || k->ovr[k->n] == NULL) {
        free(k->text[k->n]);
        free(k->ovr[k->n]);
        return -1;
    }
    k->line[k->n] = line;
    k->col[k->n] = colno;
    return k->n++;
}

/* Add the value node v (a scalar or a collection) to column k. */
static int col_node(const spec_t *s, col_t *k, const soc_ynode_t *v)
{
    char *flow = soc_ytree_to_flow(v);
    if (flow == NULL)
        return -1;
    const char *text = v->kind == SOC_YNODE_SCALAR ? v->value : flow;
    if (strchr(text, '\n') != NULL) {
        free(flow);
        return spec_fail(s->path, v->line, v->col, "axis '%s': a value spans several lines", k->key);
    }
    int r = col_value(k, text, flow, v->line, v->col);
    free(flow);
    return r;
}

static int is_int_text(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int num_of(const spec_t *s, const soc_ynode_t *n, const char *what, double *out)
{
    char *end;
    if (n == NULL || n->kind != SOC_YNODE_SCALAR || n->quoted)
        return spec_fail(s->path, n ? n->line : 0, n ? n->col : 0, "%s must be a number", what);
    errno = 0;
    *out = strtod(n->value, &end);
    if (*n->value == '\0' || *end != '\0' || errno != 0 || !isfinite(*out))
        return spec_fail(s->path, n->line, n->col, "%s must be a number, got '%s'", what, n->value);
    return 0;
}

#define SWEEP_MAX_POINTS 10000000

/* A range {from, to, step} | {from, to, num[, scale: log]} into column k. */
static int col_range(const spec_t *s, col_t *k, const soc_ynode_t *r)
{
    static const char *const keys[] = {"from", "to", "step", "num", "scale", NULL};
    for (int i = 0; i < r->n; i++) {
        int ok = 0;
        for (const char *const *q = keys; *q; q++)
            ok |= strcmp(r->keys[i]->value, *q) == 0;
        if (!ok)
            return spec_fail(s->path, r->keys[i]->line, r->keys[i]->col,
                             "axis '%s': unknown range key '%s' (a range has from, to and "
                             "step or num, optionally scale: log)",
                             k->key, r->keys[i]->value);
    }
    const soc_ynode_t *nf = soc_ytree_get(r, "from"), *nt = soc_ytree_get(r, "to"),
                      *ns = soc_ytree_get(r, "step"), *nn = soc_ytree_get(r, "num"),
                      *sc = soc_ytree_get(r, "scale");
    char what[160];
    int unit = nf != NULL && nt != NULL && ns == NULL && nn == NULL && nf->kind == SOC_YNODE_SCALAR &&
               nt->kind == SOC_YNODE_SCALAR && is_int_text(nf->value) && is_int_text(nt->value);
    if (nf == NULL || nt == NULL || (!unit && (ns == NULL) == (nn == NULL)) || (ns && nn))
        return spec_fail(s->path, r->line, r->col,
                         "axis '%s': a range needs 'from', 'to' and either 'step' or 'num' "
                         "(step 1 may be left out between integers)",
                         k->key);
    double a, b, st = 0, num = 0;
    snprintf(what, sizeof what, "axis '%s': from", k->key);
    if (num_of(s, nf, what, &a) != 0)
        return -1;
    snprintf(what, sizeof what, "axis '%s': to", k->key);
    if (num_of(s, nt, what, &b) != 0)
        return -1;
    int logscale = 0;
    if (sc != NULL) {
        if (sc->kind != SOC_YNODE_SCALAR || (strcmp(sc->value, "log") && strcmp(sc->value, "linear")))
            return spec_fail(s->path, sc->line, sc->col, "axis '%s': scale must be log or linear",
                             k->key);
        logscale = strcmp(sc->value, "log") == 0;
    }
    long count;
    int ints = is_int_text(nf->value) && is_int_text(nt->value);
    if (ns != NULL || unit) {
        snprintf(what, sizeof what, "axis '%s': step", k->key);
        if (unit)
            st = 1;
        else if (num_of(s, ns, what, &st) != 0)
            return -1;
        if (logscale)
            return spec_fail(s->path, sc->line, sc->col, "axis '%s': scale: log goes with num, not step",
                             k->key);
        if (st == 0 || (b - a) / st < 0)
            return spec_fail(s->path, ns ? ns->line : r->line, ns ? ns->col : r->col,
                             "axis '%s': step %g never gets from %g to %g", k->key, st, a, b);
        double span = (b - a) / st;
        if (span > SWEEP_MAX_POINTS)
            return spec_fail(s->path, r->line, r->col, "axis '%s': too many values", k->key);
        count = (long)floor(span + 1e-9) + 1;
        ints = ints && (unit || is_int_text(ns->value));
    } else {
        snprintf(what, sizeof what, "axis '%s': num", k->key);
        if (num_of(s, nn, what, &num) != 0)
            return -1;
        if (num < 1 || num > SWEEP_MAX_POINTS || num != floor(num))
            return spec_fail(s->path, nn->line, nn->col,
                             "axis '%s': num must be a whole number >= 1", k->key);
        if (logscale && (a <= 0 || b <= 0))
            return spec_fail(s->path, r->line, r->col,
                             "axis '%s': a log range needs positive from and to", k->key);
        count = (long)num;
        ints = 0;
    }
    for (long i = 0; i < count; i++) {
        double x;
        if (ns != NULL || unit)
            x = a + (double)i * st;
        else if (count == 1)
            x = a;
        else if (logscale)
            x = a * pow(b / a, (double)i / (double)(count - 1));
        else
            x = a + (b - a) * (double)i / (double)(count - 1);
        char t[64];
        if (ints)
            snprintf(t, sizeof t, "%lld", (long long)llround(x));
        else if (logscale)
            snprintf(t, sizeof t, "%.4g", x); /* readable: 103.2, not 103.170075366 */
        else
            snprintf(t, sizeof t, "%.12g", x); /* 0.1 * 3 prints as 0.3 */
        if (col_value(k, t, t, r->line, r->col) < 0)
            return -1;
    }
    return 0;
}

/* An axis node: a list, a range, {values: [...]}, or one scalar. */
static int col_axis(const spec_t *s, col_t *k, const soc_ynode_t *v)
{
    if (v->kind == SOC_YNODE_SEQUENCE) {
        if (v->n == 0)
            return spec_fail(s->path, v->line, v->col, "axis '%s' is empty: give at least one value",
                             k->key);
        for (int i = 0; i < v->n; i++)
            if (col_node(s, k, v->items[i]) < 0)
                return -1;
        return 0;
    }
    if (v->kind == SOC_YNODE_MAPPING) {
        const soc_ynode_t *vals = soc_ytree_get(v, "values");
        if (vals != NULL && v->n == 1)
            return col_axis(s, k, vals);
        return col_range(s, k, v);
    }
    if (soc_ytree_is_null(v))
        return spec_fail(s->path, v->line, v->col, "axis '%s' is empty: give at least one value",
                         k->key);
    return col_node(s, k, v) < 0 ? -1 : 0;
}

static int check_keys(const spec_t *s, const soc_ynode_t *m, const char *const *keys)
{
    for (int i = 0; i < m->n; i++) {
        int ok = 0;
        for (const char *const *q = keys; *q; q++)
            ok |= strcmp(m->keys[i]->value, *q) == 0;
        if (!ok) {
            char list[200] = "";
            for (const char *const *q = keys; *q; q++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         q == keys ? "" : ", ", *q);
            return spec_fail(s->path, m->keys[i]->line, m->keys[i]->col,
                             "unknown key '%s' in the sweep file (valid keys: %s)",
                             m->keys[i]->value, list);
        }
    }
    return 0;
}

/* Load the base with overrides (config columns only). */
static int load_base(const spec_t *s, char **ovr, soc_config_t *cfg, soc_error_t *err)
{
    if (s->base_ds3)
        return soc_load_ds3(cfg, s->base, (const char *const *)ovr, err);
    return soc_load_yaml_with_overrides(cfg, s->base, (const char *const *)ovr, err);
}

/* Override list set + extra (NULL-terminated, strings borrowed). */
static char **ovr_list(const spec_t *s, int extra)
{
    char **o = calloc((size_t)(s->n_set + extra + 1), sizeof *o);
    if (o != NULL)
        for (int i = 0; i < s->n_set; i++)
            o[i] = s->set[i];
    return o;
}

static char *ovr_text(const spec_t *s, const col_t *k, int v)
{
    /* a DS3 ini takes plain text; YAML takes the value as YAML */
    const char *val = s->base_ds3 ? k->text[v] : k->ovr[v];
    size_t n = strlen(k->key) + strlen(val) + 2;
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s=%s", k->key, val);
    return t;
}

/* Every value on its own, before any run: unknown keys, type mismatches
 * and bad scheduler names are reported at the value's position. */
static int validate(const spec_t *s)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    char **o = ovr_list(s, 1);
    char buf[1200];
    int bad = 0;
    if (o == NULL)
        return -1;
    if (load_base(s, o, &cfg, &err) != SOC_OK) {
        free(o);
        return spec_fail(s->path, 0, 0, "base %s: %s", s->base, soc_error_format(&err, buf, sizeof buf));
    }
    soc_config_free(&cfg);
    for (int c = 0; c < s->n_cols && !bad; c++) {
        const col_t *k = &s->cols[c];
        for (int v = 0; v < k->n && !bad; v++) {
            soc_error_clear(&err);
            if (k->kind == COL_SCHED) {
                soc_sched_handle_t *h = NULL;
                if (soc_sched_resolve(k->text[v], &h, &err) != SOC_OK)
                    bad = spec_fail(s->path, k->line[v], k->col[v], "axis scheduler: %s", err.msg);
                soc_sched_handle_free(h);
            } else if (k->kind == COL_SEED) {
                if (!is_int_text(k->text[v]) || k->text[v][0] == '-')
                    bad = spec_fail(s->path, k->line[v], k->col[v],
                                    "axis seed: '%s' is not a non-negative integer", k->text[v]);
            } else {
                char *t = ovr_text(s, k, v);
                o[s->n_set] = t;
                if (t == NULL || load_base(s, o, &cfg, &err) != SOC_OK)
                    bad = spec_fail(s->path, k->line[v], k->col[v], "axis '%s' = %s: %s", k->key,
                                    k->text[v], t ? err.msg : "out of memory");
                else
                    soc_config_free(&cfg);
                o[s->n_set] = NULL;
                free(t);
            }
        }
    }
    free(o);
    return bad ? -1 : 0;
}

static int add_point(spec_t *s, const int *vals)
{
    if (s->n_points >= SWEEP_MAX_POINTS)
        return spec_fail(s->path, 0, 0, "the sweep has more than %d points", SWEEP_MAX_POINTS);
    int *np = realloc(s->pv, sizeof *np * (size_t)(s->n_points + 1) * (size_t)s->n_cols);
    if (np == NULL)
        return -1;
    s->pv = np;
    memcpy(s->pv + (size_t)s->n_points * (size_t)s->n_cols, vals, sizeof *vals * (size_t)s->n_cols);
    s->n_points++;
    return 0;
}

/* DS3: every point runs each (scale, iteration) of its config; expand. */
static int expand_ds3(spec_t *s)
{
    int n = 0, cap = s->n_points * 2 + 4;
    int *pv = malloc(sizeof *pv * (size_t)cap * (size_t)s->n_cols);
    int64_t *sc = malloc(sizeof *sc * (size_t)cap);
    int *it = malloc(sizeof *it * (size_t)cap);
    char **o = ovr_list(s, s->n_cols);
    int rc = -1;
    if (pv == NULL || sc == NULL || it == NULL || o == NULL)
        goto out;
    for (int p = 0; p < s->n_points; p++) {
        const int *v = s->pv + (size_t)p * (size_t)s->n_cols;
        int no = s->n_set;
        for (int c = 0; c < s->n_cols; c++)
            if (s->cols[c].kind == COL_CONFIG && v[c] >= 0)
                o[no++] = ovr_text(s, &s->cols[c], v[c]);
        o[no] = NULL;
        soc_config_t cfg;
        soc_error_t err = {0};
        int lrc = load_base(s, o, &cfg, &err);
        for (int i = s->n_set; i < no; i++)
            free(o[i]);
        o[s->n_set] = NULL;
        if (lrc != SOC_OK) {
            char buf[1200];
            spec_fail(s->path, 0, 0, "point %d: %s", p, soc_error_format(&err, buf, sizeof buf));
            goto out;
        }
        int64_t *rs = NULL;
        int *ri = NULL;
        int is_ds3 = cfg.semantics == SOC_SEM_DS3;
        int nr = is_ds3 ? cli_ds3_runs(&cfg, &rs, &ri) : 0;
        soc_config_free(&cfg);
        if (is_ds3 && nr == 0)
            goto out;
        for (int r = 0; r < (nr ? nr : 1); r++) {
            if (n == cap) {
                cap *= 2;
                int *a = realloc(pv, sizeof *a * (size_t)cap * (size_t)s->n_cols);
                if (a != NULL)
                    pv = a;
                int64_t *b = realloc(sc, sizeof *b * (size_t)cap);
                if (b != NULL)
                    sc = b;
                int *c = realloc(it, sizeof *c * (size_t)cap);
                if (c != NULL)
                    it = c;
                if (a == NULL || b == NULL || c == NULL) {
                    free(rs);
                    free(ri);
                    goto out;
                }
            }
            memcpy(pv + (size_t)n * (size_t)s->n_cols, v, sizeof *v * (size_t)s->n_cols);
            sc[n] = nr ? rs[r] : 0;
            it[n] = nr ? ri[r] : 0;
            n++;
        }
        free(rs);
        free(ri);
    }
    free(s->pv);
    s->pv = pv;
    s->scale = sc;
    s->iter = it;
    s->n_points = n;
    s->ds3 = 1;
    pv = NULL;
    sc = NULL;
    it = NULL;
    rc = 0;
out:
    free(pv);
    free(sc);
    free(it);
    free(o);
    return rc;
}

static int spec_load(spec_t *s, const char *path)
{
    soc_ynode_t *root = NULL;
    soc_error_t err = {0};
    int *vals = NULL, rc = -1;
    memset(s, 0, sizeof *s);
    s->seed_col = s->sched_col = -1;
    if ((s->path = cli_strdup(path)) == NULL)
        return -1;
    if (soc_ytree_load(&root, path, &err) != SOC_OK) {
        cli_report(&err);
        return -1;
    }
    if (root->kind != SOC_YNODE_MAPPING) {
        spec_fail(path, root->line, root->col, "a sweep file is a mapping (base, set, axes, points)");
        goto out;
    }
    static const char *const keys[] = {"base", "ds3", "set", "axes", "points", "name", NULL};
    if (check_keys(s, root, keys) != 0)
        goto out;
    const soc_ynode_t *base = soc_ytree_get(root, "base"), *ini = soc_ytree_get(root, "ds3");
    if ((base == NULL) == (ini == NULL)) {
        spec_fail(path, root->line, root->col,
                  "name exactly one base: 'base: CONFIG.yaml' or 'ds3: config_file.ini'");
        goto out;
    }
    const soc_ynode_t *b = base ? base : ini;
    if (b->kind != SOC_YNODE_SCALAR || b->value[0] == '\0') {
        spec_fail(path, b->line, b->col, "the base must be a file name (relative to the sweep file)");
        goto out;
    }
    s->base_ds3 = ini != NULL;
    if ((s->base = join_rel(path, b->value)) == NULL)
        goto out;
    const soc_ynode_t *set = soc_ytree_get(root, "set");
    if (set != NULL && !soc_ytree_is_null(set)) {
        if (set->kind != SOC_YNODE_MAPPING) {
            spec_fail(path, set->line, set->col, "'set' is a mapping of config keys to values");
            goto out;
        }
        if ((s->set = calloc((size_t)set->n + 1, sizeof *s->set)) == NULL)
            goto out;
        for (int i = 0; i < set->n; i++) {
            char *flow = s->base_ds3 && set->items[i]->kind == SOC_YNODE_SCALAR
                             ? cli_strdup(set->items[i]->value)
                             : soc_ytree_to_flow(set->items[i]);
            cli_buf_t t = {0};
            if (flow != NULL)
                cli_buf_fmt(&t, "%s=%s", set->keys[i]->value, flow);
            free(flow);
            if (flow == NULL || t.oom)
                goto out;
            s->set[s->n_set++] = t.s;
        }
    }
    const soc_ynode_t *axes = soc_ytree_get(root, "axes"), *points = soc_ytree_get(root, "points");
    if ((axes == NULL || soc_ytree_is_null(axes)) && (points == NULL || soc_ytree_is_null(points))) {
        spec_fail(path, root->line, root->col, "the sweep has no 'axes' and no 'points': nothing to run");
        goto out;
    }
    if (axes != NULL && !soc_ytree_is_null(axes)) {
        if (axes->kind != SOC_YNODE_MAPPING || axes->n == 0) {
            spec_fail(path, axes->line, axes->col,
                      "'axes' is a mapping from a config key (or scheduler, seed) to its values");
            goto out;
        }
        for (int i = 0; i < axes->n; i++) {
            const char *key = axes->keys[i]->value;
            if (col_find(s, key) >= 0) {
                spec_fail(path, axes->keys[i]->line, axes->keys[i]->col, "axis '%s' given twice", key);
                goto out;
            }
            int c = col_add(s, key);
            if (c < 0 || col_axis(s, &s->cols[c], axes->items[i]) != 0)
                goto out;
        }
    }
    s->n_prod = s->n_cols;
    if (points != NULL && !soc_ytree_is_null(points)) {
        if (points->kind != SOC_YNODE_SEQUENCE || points->n == 0) {
            spec_fail(path, points->line, points->col,
                      "'points' is a non-empty list of mappings (key: value)");
            goto out;
        }
        for (int i = 0; i < points->n; i++) {
            const soc_ynode_t *pt = points->items[i];
            if (pt->kind != SOC_YNODE_MAPPING || pt->n == 0) {
                spec_fail(path, pt->line, pt->col, "a point is a non-empty mapping (key: value)");
                goto out;
            }
            for (int j = 0; j < pt->n; j++)
                if (col_find(s, pt->keys[j]->value) < 0 && col_add(s, pt->keys[j]->value) < 0)
                    goto out;
        }
    }
    s->seed_col = col_find(s, "seed");
    s->sched_col = col_find(s, "scheduler");
    if ((vals = malloc(sizeof *vals * (size_t)(s->n_cols + 1))) == NULL)
        goto out;
    /* the product, first axis outermost */
    if (s->n_prod > 0) {
        for (int c = 0; c < s->n_cols; c++)
            vals[c] = c < s->n_prod ? 0 : -1;
        for (;;) {
            if (add_point(s, vals) != 0)
                goto out;
            int c = s->n_prod - 1;
            while (c >= 0 && ++vals[c] == s->cols[c].n)
                vals[c--] = 0;
            if (c < 0)
                break;
        }
    }
    if (points != NULL && !soc_ytree_is_null(points))
        for (int i = 0; i < points->n; i++) {
            const soc_ynode_t *pt = points->items[i];
            for (int c = 0; c < s->n_cols; c++)
                vals[c] = -1;
            for (int j = 0; j < pt->n; j++) {
                int c = col_find(s, pt->keys[j]->value);
                if (vals[c] >= 0) {
                    spec_fail(path, pt->keys[j]->line, pt->keys[j]->col, "key '%s' given twice",
                              pt->keys[j]->value);
                    goto out;
                }
                if ((vals[c] = col_node(s, &s->cols[c], pt->items[j])) < 0)
                    goto out;
            }
            if (add_point(s, vals) != 0)
                goto out;
        }
    if (validate(s) != 0)
        goto out;
    soc_config_t probe;
    char **o = ovr_list(s, 0);
    if (o == NULL)
        goto out;
    int lrc = load_base(s, o, &probe, &err);
    free(o);
    if (lrc != SOC_OK)
        goto out;
    int ds3 = probe.semantics == SOC_SEM_DS3;
    soc_config_free(&probe);
    if (ds3 && expand_ds3(s) != 0)
        goto out;
    rc = 0;
out:
    free(vals);
    soc_ytree_free(root);
    if (rc != 0)
        spec_free(s);
    return rc;
}

/* "point,KEY...,[scale,iteration,]METRICS...,check" */
static void spec_header(const spec_t *s, cli_buf_t *b)
{
    cli_buf_str(b, "point");
    for (int c = 0; c < s->n_cols; c++) {
        cli_buf_str(b, ",");
        cli_buf_csv(b, s->cols[c].key);
    }
    if (s->ds3)
        cli_buf_str(b, ",scale,iteration");
    for (const char *const *m = cli_metric_names; *m; m++)
        cli_buf_fmt(b, ",%s", *m);
    cli_buf_str(b, ",check\n");
}

/* The identifying cells of a point: "ID,v1,v2,..." */
static void point_prefix(const spec_t *s, int p, cli_buf_t *b)
{
    cli_buf_fmt(b, "%d", p);
    const int *v = s->pv + (size_t)p * (size_t)s->n_cols;
    for (int c = 0; c < s->n_cols; c++) {
        cli_buf_str(b, ",");
        if (v[c] >= 0)
            cli_buf_csv(b, s->cols[c].text[v[c]]);
    }
    if (s->ds3)
        cli_buf_fmt(b, ",%" PRId64 ",%d", s->scale[p], s->iter[p]);
}

/* ======================================================== worker side */

typedef struct runner {
    const spec_t *s;
    char *key;          /* config overrides of the cached config */
    soc_config_t cfg;
    int have;
} runner_t;

typedef struct results results_t;
static runner_t *results_runner(void *user);

static int sweep_job(void *user, int p, char **row, char *errbuf, size_t es)
{
    runner_t *R = results_runner(user);
    const spec_t *s = R->s;
    const int *v = s->pv + (size_t)p * (size_t)s->n_cols;
    char **o = ovr_list(s, s->n_cols);
    cli_buf_t key = {0};
    int rc = -1;
    if (o == NULL)
        return -1;
    int no = s->n_set;
    for (int c = 0; c < s->n_cols; c++)
        if (s->cols[c].kind == COL_CONFIG && v[c] >= 0) {
            o[no] = ovr_text(s, &s->cols[c], v[c]);
            cli_buf_str(&key, o[no] ? o[no] : "");
            cli_buf_add(&key, "\n", 1);
            no++;
        }
    o[no] = NULL;
    soc_error_t err = {0};
    /* consecutive points often share their config (schedulers, seeds) */
    if (!R->have || strcmp(R->key, key.s ? key.s : "") != 0) {
        if (R->have)
            soc_config_free(&R->cfg);
        R->have = 0;
        free(R->key);
        R->key = cli_strdup(key.s ? key.s : "");
        if (load_base(s, o, &R->cfg, &err) != SOC_OK) {
            soc_error_format(&err, errbuf, es);
            goto out;
        }
        R->have = 1;
    }
    soc_config_t *cfg = &R->cfg;
    uint64_t seed = cfg->seed;
    if (s->seed_col >= 0 && v[s->seed_col] >= 0)
        cfg->seed = strtoull(s->cols[s->seed_col].text[v[s->seed_col]], NULL, 10);
    if (s->ds3)
        cli_ds3_select(cfg, s->scale[p], s->iter[p]);
    const char *spec = s->sched_col >= 0 && v[s->sched_col] >= 0
                           ? s->cols[s->sched_col].text[v[s->sched_col]]
                           : (cfg->scheduler       ? cfg->scheduler
                              : cfg->semantics == SOC_SEM_DS3 ? "etf" /* DS3's default */
                                                             : "heft");
    soc_sim_t *sim = NULL;
    soc_sched_handle_t *h = NULL;
    int r = soc_config_finalize(cfg, &err);
    if (r == SOC_OK)
        r = cli_run_config(cfg, spec, NULL, &sim, &h, &err);
    if (r == SOC_OK) {
        soc_metrics_t m;
        soc_sim_metrics(sim, &m);
        cli_buf_t b = {0};
        cli_metric_cells(&b, &m);
        if (!b.oom) {
            *row = b.s;
            rc = 0;
        }
    } else {
        soc_error_format(&err, errbuf, es);
    }
    cli_run_cleanup(sim, h);
    cfg->seed = seed;
out:
    for (int i = s->n_set; i < no; i++)
        free(o[i]);
    free(o);
    cli_buf_free(&key);
    return rc;
}

/* ======================================================= results file */

struct results {
    const spec_t *s;
    runner_t *run;      /* worker-side state (each worker has its copy) */
    char *dir;
    char *path;         /* DIR/results.csv */
    int fd;
    char **rows;        /* [n_points] sealed line per finished point, or NULL */
    int n_done, n_mine, n_failed;
    int shard_i, shard_n;
    double t0, last_sync, last_draw;
    int tty, quiet;
    int done_at_start;
    int last_drawn;
};

static runner_t *results_runner(void *user) { return ((results_t *)user)->run; }

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int mine(const results_t *R, int p)
{
    return R->shard_n <= 1 || p % R->shard_n == R->shard_i - 1;
}


/* Read DIR/results.csv into rows[]: complete, sealed rows whose point
 * cells match this sweep.  Returns the count of torn rows dropped, or -1
 * when the file belongs to another sweep (other columns, or a sealed row
 * whose point differs). */
static int results_read(const spec_t *s, const char *file, char **rows, int *n_rows)
{
    FILE *f = fopen(file, "rb");
    if (f == NULL)
        return 0;
    cli_buf_t hdr = {0}, pre = {0};
    spec_header(s, &hdr);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int first = 1, dropped = 0;
    *n_rows = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        int complete = line[len - 1] == '\n';
        if (complete)
            line[--len] = '\0';
        if (first) {
            first = 0;
            if (!complete || hdr.s == NULL || strlen(line) + 1 != hdr.n ||
                strncmp(line, hdr.s, hdr.n - 1) != 0) {
                fprintf(stderr,
                        "socsim: %s: its columns differ from this sweep's: it belongs to another "
                        "sweep (use another --out directory, or delete it)\n",
                        file);
                dropped = -1;
                break;
            }
            continue;
        }
        size_t body;
        if (!complete || !cli_row_valid(line, (size_t)len, &body)) {
            dropped++;
            continue;
        }
        int p = atoi(line);
        pre.n = 0;
        if (pre.s)
            pre.s[0] = '\0';
        if (p >= 0 && p < s->n_points)
            point_prefix(s, p, &pre);
        if (p < 0 || p >= s->n_points || body <= pre.n || strncmp(line, pre.s, pre.n) != 0 ||
            line[pre.n] != ',') {
            fprintf(stderr,
                    "socsim: %s: its row of point %d does not match this sweep's point %d: "
                    "the file belongs to another sweep (use another --out directory)\n",
                    file, p, p);
            dropped = -1;
            break;
        }
        if (rows[p] != NULL) {
            continue; /* a duplicate (merging overlapping shards) */
        }
        cli_buf_t l = {0};
        cli_buf_add(&l, line, (size_t)len);
        cli_buf_str(&l, "\n");
        rows[p] = l.s;
        (*n_rows)++;
    }
    free(line);
    fclose(f);
    cli_buf_free(&hdr);
    cli_buf_free(&pre);
    return dropped;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    fsync(fd);
    close(fd);
    return 0;
}

/* Write header + the rows (in point order) to DIR/NAME atomically. */
static int write_sorted(const spec_t *s, const char *dir, const char *name, char **rows)
{
    char *final = cli_path_in(dir, name), *tmp = cli_path_in(dir, ".results.tmp");
    int rc = -1;
    FILE *f = tmp ? fopen(tmp, "wb") : NULL;
    if (f != NULL) {
        cli_buf_t h = {0};
        spec_header(s, &h);
        fputs(h.s ? h.s : "", f);
        cli_buf_free(&h);
        for (int p = 0; p < s->n_points; p++)
            if (rows[p] != NULL)
                fputs(rows[p], f);
        int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
        bad |= fclose(f) != 0;
        if (!bad && rename(tmp, final) == 0) {
            fsync_dir(dir);
            rc = 0;
        }
    }
    if (rc != 0)
        fprintf(stderr, "socsim: cannot write %s: %s\n", final ? final : name, strerror(errno));
    free(final);
    free(tmp);
    return rc;
}

static void progress(results_t *R, int force)
{
    if (R->quiet)
        return;
    double now = mono();
    int total = R->n_mine, done = R->n_done;
    if (done == R->last_drawn)
        return;
    if (!force && now - R->last_draw < (R->tty ? 0.1 : 10.0) && done < total)
        return;
    R->last_draw = now;
    R->last_drawn = done;
    double el = now - R->t0;
    int ran = done - R->done_at_start;
    double rate = el > 0 ? ran / el : 0;
    double left = rate > 0 ? (total - done) / rate : 0;
    char eta[32] = "--:--";
    if (rate > 0)
        snprintf(eta, sizeof eta, "%d:%02d", (int)left / 60, (int)left % 60);
    if (R->tty) {
        int width = 30, fill = total ? (int)((double)width * done / total) : width;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r[%s] %d/%d points  %.1f/s  %s left%s  ", bar, done, total, rate, eta,
                R->n_failed ? "  (failures!)" : "");
        if (done == total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "sweep: %d/%d points (%d%%), %.1f points/s, %s left\n", done, total,
                total ? 100 * done / total : 100, rate, eta);
    }
    fflush(stderr);
}

static void sweep_done(void *user, int p, const char *row, const char *error)
{
    results_t *R = user;
    if (row == NULL) {
        R->n_failed++;
        if (R->tty && !R->quiet)
            fputc('\n', stderr);
        fprintf(stderr, "socsim: point %d failed: %s\n", p, error);
        return;
    }
    cli_buf_t body = {0}, line = {0};
    point_prefix(R->s, p, &body);
    cli_buf_str(&body, row);
    cli_row_seal(&line, body.s ? body.s : "");
    if (body.oom || line.oom || write_all(R->fd, line.s, line.n) != 0) {
        fprintf(stderr, "socsim: %s: write failed: %s\n", R->path, strerror(errno));
        R->n_failed++;
        cli_buf_free(&line);
    } else {
        R->rows[p] = line.s;
        R->n_done++;
    }
    cli_buf_free(&body);
    double now = mono();
    if (now - R->last_sync > 0.2) {
        fdatasync(R->fd);
        R->last_sync = now;
    }
    progress(R, 0);
}

/* ========================================================== summaries */

static int parse_cell(const char *c, double *x)
{
    char *end;
    if (*c == '\0')
        return 0;
    *x = strtod(c, &end);
    return *end == '\0';
}

/* Group the rows by every point cell but seed (and DS3 iteration); write
 * DIR/summary.csv with mean and 95% CI per metric; print a table. */
static int summarize(const spec_t *s, char **rows, const char *dir, int print)
{
    int nm = 0;
    while (cli_metric_names[nm])
        nm++;
    int nkey = s->n_cols + (s->ds3 ? 2 : 0); /* cells after "point" */
    int skip_iter = s->ds3 ? s->n_cols + 1 : -1;
    int n = s->n_points, ng = 0, rc = -1;
    int *group = malloc(sizeof *group * (size_t)(n ? n : 1));
    int *first = malloc(sizeof *first * (size_t)(n ? n : 1));
    char ***cells = calloc((size_t)(n ? n : 1), sizeof *cells);
    char **stores = calloc((size_t)(n ? n : 1), sizeof *stores);
    double *x = malloc(sizeof *x * (size_t)(n ? n : 1));
    cli_buf_t out = {0};
    char *file = cli_path_in(dir, "summary.csv");
    if (group == NULL || first == NULL || cells == NULL || stores == NULL || x == NULL || file == NULL)
        goto done;
    for (int p = 0; p < n; p++) {
        group[p] = -1;
        if (rows[p] == NULL)
            continue;
        size_t L = strlen(rows[p]);
        char *tmp = malloc(L);
        if (tmp == NULL)
            goto done;
        memcpy(tmp, rows[p], L - 1);
        tmp[L - 1] = '\0';
        int nc = cli_csv_split(tmp, &cells[p], &stores[p]);
        free(tmp);
        if (nc != 1 + nkey + nm + 1)
            continue;
        int g;
        for (g = 0; g < ng; g++) {
            char **a = cells[first[g]], **b = cells[p];
            int same = 1;
            for (int c = 0; c < nkey && same; c++)
                if (c != s->seed_col && c != skip_iter)
                    same = strcmp(a[1 + c], b[1 + c]) == 0;
            if (same)
                break;
        }
        if (g == ng)
            first[ng++] = p;
        group[p] = g;
    }
    /* header */
    int nk = 0;
    for (int c = 0; c < nkey; c++) {
        if (c == s->seed_col || c == skip_iter)
            continue;
        const char *name = c < s->n_cols ? s->cols[c].key : (c == s->n_cols ? "scale" : "iteration");
        if (nk++)
            cli_buf_str(&out, ",");
        cli_buf_csv(&out, name);
    }
    cli_buf_str(&out, nk ? ",runs" : "runs");
    for (int m = 0; m < nm; m++)
        cli_buf_fmt(&out, ",%s_mean,%s_ci95", cli_metric_names[m], cli_metric_names[m]);
    cli_buf_str(&out, "\n");
    int lat = 3, thr = 10, en = 16; /* indices in cli_metric_names */
    int wid[64];
    for (int c = 0; c < nkey && c < 64; c++) {
        const char *name = c < s->n_cols ? s->cols[c].key : (c == s->n_cols ? "scale" : "iteration");
        wid[c] = (int)strlen(name);
        for (int g = 0; g < ng; g++)
            if ((int)strlen(cells[first[g]][1 + c]) > wid[c])
                wid[c] = (int)strlen(cells[first[g]][1 + c]);
        if (wid[c] > 32)
            wid[c] = 32;
    }
    if (print) {
        printf("\n");
        for (int c = 0; c < nkey && c < 64; c++)
            if (c != s->seed_col && c != skip_iter)
                printf("%-*.*s ", wid[c], wid[c],
                       c < s->n_cols ? s->cols[c].key : (c == s->n_cols ? "scale" : "iteration"));
        printf("%5s %24s %22s %20s\n", "runs", "avg latency us (95% CI)", "jobs/s (95% CI)",
               "energy J (95% CI)");
    }
    for (int g = 0; g < ng; g++) {
        char **a = cells[first[g]];
        int runs = 0;
        for (int p = 0; p < n; p++)
            runs += group[p] == g;
        int k = 0;
        for (int c = 0; c < nkey; c++) {
            if (c == s->seed_col || c == skip_iter)
                continue;
            if (k++)
                cli_buf_str(&out, ",");
            cli_buf_csv(&out, a[1 + c]);
            if (print && c < 64)
                printf("%-*.*s ", wid[c], wid[c], a[1 + c]);
        }
        cli_buf_fmt(&out, nk ? ",%d" : "%d", runs);
        if (print)
            printf("%5d", runs);
        for (int m = 0; m < nm; m++) {
            int cnt = 0;
            for (int p = 0; p < n; p++)
                if (group[p] == g && parse_cell(cells[p][1 + nkey + m], &x[cnt]))
                    cnt++;
            double mean = NAN, ci = NAN;
            char t1[32], t2[32];
            if (cnt > 0)
                cli_mean_ci95(x, cnt, &mean, &ci);
            cli_buf_fmt(&out, ",%s,%s", cnt ? cli_num(t1, mean) : "",
                        isnan(ci) ? "" : cli_num(t2, ci));
            if (print && (m == lat || m == thr || m == en)) {
                char cell[64];
                if (cnt == 0)
                    snprintf(cell, sizeof cell, "-");
                else if (isnan(ci))
                    snprintf(cell, sizeof cell, "%.4g", mean);
                else
                    snprintf(cell, sizeof cell, "%.4g +- %.3g", mean, ci);
                printf(" %*s", m == lat ? 24 : (m == thr ? 22 : 20), cell);
            }
        }
        cli_buf_str(&out, "\n");
        if (print)
            printf("\n");
    }
    if (out.oom)
        goto done;
    char *tmp = cli_path_in(dir, ".summary.tmp");
    FILE *f = tmp ? fopen(tmp, "wb") : NULL;
    if (f != NULL) {
        fputs(out.s, f);
        int bad = fflush(f) != 0 || ferror(f);
        bad |= fclose(f) != 0;
        if (!bad && rename(tmp, file) == 0)
            rc = 0;
    }
    if (rc != 0)
        fprintf(stderr, "socsim: cannot write %s: %s\n", file, strerror(errno));
    free(tmp);
done:
    for (int p = 0; cells != NULL && p < n; p++) {
        free(cells[p]);
        free(stores[p]);
    }
    free(cells);
    free(stores);
    free(group);
    free(first);
    free(x);
    free(file);
    cli_buf_free(&out);
    return rc;
}

/* ============================================================ command */

enum { OPT_JOBS = 'j', OPT_OUT = 'o', OPT_SHARD = 256, OPT_MERGE, OPT_QUIET, OPT_LIST };

static const cli_opt_t sweep_opts[] = {
    {"jobs", 'j', 1, "N", "worker processes (default: all cores)"},
    {"out", 'o', 1, "DIR", "output directory (default: sweep-out); results.csv, summary.csv"},
    {"shard", OPT_SHARD, 1, "I/N", "run only shard I of N (points with id % N == I-1)"},
    {"merge", OPT_MERGE, 0, NULL, "merge the shard directories given after the sweep file into --out"},
    {"quiet", OPT_QUIET, 0, NULL, "no progress and no summary table"},
    {"list", OPT_LIST, 0, NULL, "print the points (id and values) and exit without running"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct sweep_args {
    int jobs;
    const char *out;
    int shard_i, shard_n;
    int merge, quiet, list;
} sweep_args_t;

static int sweep_opt(void *user, int key, const char *arg)
{
    sweep_args_t *a = user;
    switch (key) {
    case 'j':
        return cli_parse_workers(arg, &a->jobs);
    case 'o':
        a->out = arg;
        return 0;
    case OPT_SHARD: {
        char *end;
        long i = strtol(arg, &end, 10);
        long n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
        if (*end != '\0' || n < 1 || n > 1000000 || i < 1 || i > n) {
            fprintf(stderr, "socsim: --shard expects I/N with 1 <= I <= N, got '%s'\n", arg);
            return -1;
        }
        a->shard_i = (int)i;
        a->shard_n = (int)n;
        return 0;
    }
    case OPT_MERGE:
        a->merge = 1;
        return 0;
    case OPT_QUIET:
        a->quiet = 1;
        return 0;
    case OPT_LIST:
        a->list = 1;
        return 0;
    default:
        return -1;
    }
}

static const char sweep_usage[] =
    "socsim sweep SWEEP.yaml [-j N] [--out DIR] [--shard I/N] [--quiet] [--list]\n"
    "       socsim sweep SWEEP.yaml --merge SHARD_DIR... --out DIR";

static int mkdir_p(const char *dir)
{
    char *d = cli_strdup(dir);
    if (d == NULL)
        return -1;
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(d, 0777);
            *p = '/';
        }
    int rc = mkdir(d, 0777) == 0 || errno == EEXIST ? 0 : -1;
    free(d);
    return rc;
}

static int do_merge(const spec_t *s, char **dirs, int n_dirs, const char *out, int quiet)
{
    char **rows = calloc((size_t)s->n_points, sizeof *rows);
    int code = CLI_OK, have = 0;
    if (rows == NULL)
        return CLI_FAIL;
    for (int d = 0; d < n_dirs; d++) {
        char *file = cli_path_in(dirs[d], "results.csv");
        struct stat st;
        if (file == NULL || stat(file, &st) != 0) {
            fprintf(stderr, "socsim: %s: no results.csv there\n", dirs[d]);
            free(file);
            code = CLI_USAGE;
            goto out;
        }
        int got = 0, dropped = results_read(s, file, rows, &got);
        free(file);
        if (dropped < 0) {
            code = CLI_USAGE;
            goto out;
        }
        if (dropped > 0)
            fprintf(stderr, "socsim: %s: %d incomplete row(s) ignored\n", dirs[d], dropped);
        have += got;
    }
    if (mkdir_p(out) != 0) {
        fprintf(stderr, "socsim: cannot create %s: %s\n", out, strerror(errno));
        code = CLI_FAIL;
        goto out;
    }
    if (write_sorted(s, out, "results.csv", rows) != 0 || summarize(s, rows, out, !quiet) != 0) {
        code = CLI_FAIL;
        goto out;
    }
    if (have < s->n_points) {
        fprintf(stderr, "socsim: merged %d of %d points: %d missing (run the missing shards, "
                        "then merge again)\n",
                have, s->n_points, s->n_points - have);
        code = CLI_FAIL;
    } else if (!quiet) {
        fprintf(stderr, "socsim: merged %d points into %s/results.csv\n", have, out);
    }
out:
    for (int p = 0; p < s->n_points; p++)
        free(rows[p]);
    free(rows);
    return code;
}

int cli_cmd_sweep(int argc, char **argv)
{
    sweep_args_t a = {0};
    a.out = "sweep-out";
    int first = cli_parse(argc, argv, sweep_opts, sweep_usage,
                          "Run every point of SWEEP.yaml (the product of its axes plus its explicit\n"
                          "points) in worker processes; rows go to DIR/results.csv as they finish.\n"
                          "Running the same command again resumes.  See docs/sweeps.md.",
                          sweep_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc - first < 1 || (!a.merge && argc - first != 1)) {
        fprintf(stderr, "usage: %s\n", sweep_usage);
        return CLI_USAGE;
    }
    if (a.merge && argc - first < 2) {
        fprintf(stderr, "socsim sweep --merge: name the shard directories after the sweep file\n");
        return CLI_USAGE;
    }
    spec_t s;
    if (spec_load(&s, argv[first]) != 0)
        return CLI_USAGE;
    if (a.list) {
        cli_buf_t h = {0};
        spec_header(&s, &h);
        char *comma = h.s ? strstr(h.s, cli_metric_names[0]) : NULL;
        if (comma != NULL)
            comma[-1] = '\0';
        printf("%s\n", h.s ? h.s : "");
        cli_buf_free(&h);
        for (int p = 0; p < s.n_points; p++) {
            cli_buf_t b = {0};
            point_prefix(&s, p, &b);
            printf("%s\n", b.s ? b.s : "");
            cli_buf_free(&b);
        }
        spec_free(&s);
        return CLI_OK;
    }
    if (a.merge) {
        int code = do_merge(&s, argv + first + 1, argc - first - 1, a.out, a.quiet);
        spec_free(&s);
        return code;
    }

    results_t R;
    memset(&R, 0, sizeof R);
    R.s = &s;
    R.fd = -1;
    R.shard_i = a.shard_i;
    R.shard_n = a.shard_n;
    R.quiet = a.quiet;
    R.tty = isatty(2);
    int code = CLI_OK, lock_fd = -1, *todo = NULL, n_todo = 0;
    runner_t run = {0};
    run.s = &s;
    R.run = &run;
    char *lock = NULL;
    if (mkdir_p(a.out) != 0) {
        fprintf(stderr, "socsim: cannot create %s: %s\n", a.out, strerror(errno));
        code = CLI_USAGE;
        goto out;
    }
    R.dir = cli_strdup(a.out);
    R.path = cli_path_in(a.out, "results.csv");
    lock = cli_path_in(a.out, ".lock");
    R.rows = calloc((size_t)s.n_points, sizeof *R.rows);
    todo = malloc(sizeof *todo * (size_t)s.n_points);
    if (R.dir == NULL || R.path == NULL || lock == NULL || R.rows == NULL || todo == NULL) {
        code = CLI_FAIL;
        goto out;
    }
    /* a POSIX record lock: unlike flock, fork()ed workers do not inherit
     * it, so workers orphaned by a killed sweep never block its resumption */
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock_fd < 0 || fcntl(lock_fd, F_SETLK, &fl) != 0) {
        fprintf(stderr, "socsim: %s is in use by another sweep (or not writable)\n", a.out);
        code = CLI_USAGE;
        goto out;
    }
    /* strict: a sealed row of some other sweep means the directory holds
     * another study's results, which must not be silently dropped */
    int got = 0, dropped = results_read(&s, R.path, R.rows, &got);
    if (dropped < 0) {
        code = CLI_USAGE;
        goto out;
    }
    for (int p = 0; p < s.n_points; p++)
        if (mine(&R, p)) {
            R.n_mine++;
            if (R.rows[p] != NULL)
                R.n_done++;
            else
                todo[n_todo++] = p;
        } else if (R.rows[p] != NULL) {
            fprintf(stderr, "socsim: %s holds rows of other shards (point %d); give each shard "
                            "its own --out directory\n",
                    R.path, p);
            code = CLI_USAGE;
            goto out;
        }
    /* start from a clean file holding exactly the rows kept */
    if ((dropped > 0 || got == 0) && write_sorted(&s, a.out, "results.csv", R.rows) != 0) {
        code = CLI_FAIL;
        goto out;
    }
    if (dropped > 0 && !a.quiet)
        fprintf(stderr, "socsim: %s: dropped %d incomplete row(s)\n", R.path, dropped);
    if ((R.fd = open(R.path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
        fprintf(stderr, "socsim: cannot write %s: %s\n", R.path, strerror(errno));
        code = CLI_FAIL;
        goto out;
    }
    R.done_at_start = R.n_done;
    if (!a.quiet)
        fprintf(stderr, "socsim sweep: %d points%s, %d already done, %d to run on %d workers\n",
                R.n_mine, s.n_points != R.n_mine ? " in this shard" : "", R.n_done, n_todo,
                n_todo < (a.jobs ? a.jobs : cli_ncpus()) ? n_todo : (a.jobs ? a.jobs : cli_ncpus()));
    R.t0 = R.last_sync = R.last_draw = mono();
    R.last_drawn = R.n_done;
    if (n_todo > 0 &&
        cli_pool_run(a.jobs ? a.jobs : cli_ncpus(), todo, n_todo, sweep_job, sweep_done, &R) != 0)
        code = CLI_FAIL;
    fdatasync(R.fd);
    if (n_todo > 0)
        progress(&R, 1);
    if (R.n_done == R.n_mine) {
        /* complete: same bytes whatever -j and interruptions were */
        if (write_sorted(&s, a.out, "results.csv", R.rows) != 0 ||
            summarize(&s, R.rows, a.out, !a.quiet) != 0)
            code = CLI_FAIL;
        else if (!a.quiet)
            fprintf(stderr, "socsim sweep: results in %s/results.csv, summary in %s/summary.csv\n",
                    a.out, a.out);
    } else {
        fprintf(stderr, "socsim sweep: %d of %d points failed; run the command again to retry them\n",
                R.n_mine - R.n_done, R.n_mine);
        code = CLI_FAIL;
    }
out:
    if (run.have)
        soc_config_free(&run.cfg);
    free(run.key);
    if (R.fd >= 0)
        close(R.fd);
    if (lock_fd >= 0)
        close(lock_fd);
    for (int p = 0; R.rows != NULL && p < s.n_points; p++)
        free(R.rows[p]);
    free(R.rows);
    free(R.dir);
    free(R.path);
    free(lock);
    free(todo);
    spec_free(&s);
    return code;
}
