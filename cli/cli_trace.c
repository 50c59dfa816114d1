/*
 * cli_trace.c -- collect a run's schedule (and power samples) and export
 * it as a Chrome/Perfetto trace-event JSON file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "soc_util.h"
#include "cli_trace.h"

/* Index of a name in a growable list, appended when new; -1 on ENOMEM.
 * Lists are short (applications, types, task names): a linear search that
 * starts with the last hit. */
static int intern(char ***list, int *n, const char *name)
{
    for (int i = *n - 1; i >= 0; i--)
        if (strcmp((*list)[i], name) == 0)
            return i;
    char **nl = realloc(*list, sizeof *nl * (size_t)(*n + 1));
    if (nl == NULL)
        return -1;
    *list = nl;
    if ((nl[*n] = soc__strdup(name)) == NULL)
        return -1;
    return (*n)++;
}

int cli_sched_init(cli_sched_t *s, const soc_config_t *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    const soc_platform_t *p = &cfg->platform;
    s->n_clusters = p->n_clusters;
    if (p->n_pes > 0 && (s->pe_names = calloc((size_t)p->n_pes, sizeof *s->pe_names)) == NULL)
        s->oom = 1;
    for (int pe = 0; pe < p->n_pes && !s->oom; pe++) {
        char name[300];
        cli_pe_name(name, sizeof name, cfg, pe);
        if ((s->pe_names[pe] = soc__strdup(name)) == NULL)
            s->oom = 1;
        else
            s->n_pes = pe + 1;
    }
    for (int a = 0; a < cfg->n_apps && !s->oom; a++) {
        char **nl = realloc(s->app_names, sizeof *nl * (size_t)(a + 1));
        if (nl == NULL || (nl[a] = soc__strdup(cfg->apps[a].name)) == NULL) {
            s->app_names = nl ? nl : s->app_names;
            s->oom = 1;
            break;
        }
        s->app_names = nl;
        s->n_apps = a + 1;
    }
    for (int t = 0; t < p->n_types && !s->oom; t++)
        if (intern(&s->types, &s->n_types, p->type_names[t]) < 0)
            s->oom = 1;
    if (s->oom) {
        fprintf(stderr, "socsim: out of memory\n");
        return CLI_FAIL;
    }
    return 0;
}

static cli_bar_t *bar_new(cli_sched_t *s)
{
    if (s->n == s->cap) {
        int nc = s->cap ? 2 * s->cap : 1024;
        cli_bar_t *nb = realloc(s->bars, sizeof *nb * (size_t)nc);
        if (nb == NULL) {
            s->oom = 1;
            return NULL;
        }
        s->bars = nb;
        s->cap = nc;
    }
    return &s->bars[s->n++];
}

void cli_sched_record(void *user, const soc_task_record_t *r)
{
    cli_sched_t *s = user;
    cli_bar_t *b = bar_new(s);
    if (b == NULL)
        return;
    b->pe = r->pe;
    b->start_us = r->start_us;
    b->finish_us = r->finish_us;
    b->arrival_us = r->arrival_us;
    b->job = (long long)r->job;
    b->task = r->task;
    b->app = r->app;
    b->type = r->type >= 0 && r->type < s->n_types ? s->types[r->type] : "";
    b->name = "";
    const soc_app_t *app = s->cfg && r->app >= 0 && r->app < s->cfg->n_apps ? &s->cfg->apps[r->app]
                                                                            : NULL;
    if (app != NULL && r->task >= 0 && r->task < app->n_tasks && app->tasks[r->task].name) {
        int k = intern(&s->names, &s->n_names, app->tasks[r->task].name);
        if (k < 0)
            s->oom = 1;
        else
            b->name = s->names[k];
    }
}

void cli_sched_power(void *user, const soc_power_sample_t *x)
{
    cli_sched_t *s = user;
    int w = 2 + 2 * s->n_clusters;
    if (x->n_clusters != s->n_clusters)
        return;
    if (s->n_samples == s->cap_samples) {
        int nc = s->cap_samples ? 2 * s->cap_samples : 256;
        double *ns = realloc(s->samples, sizeof *ns * (size_t)nc * (size_t)w);
        if (ns == NULL) {
            s->oom = 1;
            return;
        }
        s->samples = ns;
        s->cap_samples = nc;
    }
    double *row = s->samples + (size_t)s->n_samples++ * (size_t)w;
    row[0] = x->time_us;
    for (int c = 0; c < s->n_clusters; c++) {
        row[1 + c] = x->freq_mhz[c];
        row[1 + s->n_clusters + c] = x->power_w[c];
    }
    row[w - 1] = x->max_temp_c;
}

/* "A15_3" -> "A15" (the PE names are CLUSTER_PE). */
static void cluster_of(const char *pe_name, char *out, size_t size)
{
    snprintf(out, size, "%s", pe_name);
    char *u = strrchr(out, '_');
    if (u != NULL && u != out)
        *u = '\0';
}

/* PEs no row named: CLUSTER_k when the named PEs around them belong to one
 * cluster, else "PE_k (no tasks)". */
static int name_idle_pes(cli_sched_t *s, const char *known)
{
    for (int pe = 0; pe < s->n_pes; pe++) {
        if (known[pe])
            continue;
        int lo = pe - 1, hi = pe + 1;
        while (lo >= 0 && !known[lo])
            lo--;
        while (hi < s->n_pes && !known[hi])
            hi++;
        char a[256] = "", b[256] = "", name[300];
        if (lo >= 0)
            cluster_of(s->pe_names[lo], a, sizeof a);
        if (hi < s->n_pes)
            cluster_of(s->pe_names[hi], b, sizeof b);
        if (a[0] != '\0' && (strcmp(a, b) == 0 || b[0] == '\0') && lo >= 0 && hi < s->n_pes)
            snprintf(name, sizeof name, "%s_%d", a, pe);
        else if (a[0] != '\0' && strcmp(a, b) == 0)
            snprintf(name, sizeof name, "%s_%d", a, pe);
        else
            snprintf(name, sizeof name, "PE_%d (no tasks)", pe);
        char *d = soc__strdup(name);
        if (d == NULL)
            return -1;
        free(s->pe_names[pe]);
        s->pe_names[pe] = d;
    }
    return 0;
}

/* The columns of a schedule CSV read back (the first N_REQUIRED needed). */
enum { N_WANT = 10, N_REQUIRED = 8 };
static const char *const want[N_WANT] = {"job",       "task", "task_type", "pe",
                                         "start_us",  "finish_us", "app", "pe_name",
                                         "arrival_us", "task_name"};

/* The header line: ix[w] = the column of want[w], -1 when absent (an
 * absent required column is an error). */
static int csv_header(const char *path, char **cells, int nc, int ix[N_WANT])
{
    int code = 0;
    for (int w = 0; w < N_WANT; w++) {
        ix[w] = -1;
        for (int c = 0; c < nc; c++)
            if (strcmp(cells[c], want[w]) == 0)
                ix[w] = c;
        if (ix[w] < 0 && w < N_REQUIRED && code == 0) {
            fprintf(stderr, "socsim: %s: not a schedule CSV (no column '%s'; write one "
                            "with 'socsim run ... --schedule FILE')\n",
                    path, want[w]);
            code = CLI_USAGE;
        }
    }
    return code;
}

/* PE slots up to pe (names "" until a row names them; *known: which are
 * named).  -1: out of memory. */
static int grow_pes(cli_sched_t *s, char **known, long pe)
{
    while (s->n_pes <= pe) {
        char **nl = realloc(s->pe_names, sizeof *nl * (size_t)(s->n_pes + 1));
        char *nk = realloc(*known, (size_t)(s->n_pes + 1));
        if (nl != NULL)
            s->pe_names = nl;
        if (nk != NULL)
            *known = nk;
        if (nl == NULL || nk == NULL || (nl[s->n_pes] = soc__strdup("")) == NULL)
            return -1;
        (*known)[s->n_pes++] = 0;
    }
    return 0;
}

/* One row of the schedule: a bar (its PE named by the first row on it). */
static int csv_row(cli_sched_t *s, const char *path, int lineno, char **cells, int nc,
                   const int ix[N_WANT], char **known)
{
    int ok = 1;
    for (int w = 0; w < N_REQUIRED; w++)
        ok &= ix[w] < nc;
    char *e1 = NULL, *e2 = NULL, *e3 = NULL;
    double st = ok ? strtod(cells[ix[4]], &e1) : 0, fi = ok ? strtod(cells[ix[5]], &e2) : 0;
    long pe = ok ? strtol(cells[ix[3]], &e3, 10) : -1;
    if (!ok || *e1 || *e2 || *e3 || pe < 0 || pe > 1000000 || !(fi >= st) ||
        !isfinite(st) || !isfinite(fi)) {
        fprintf(stderr, "socsim: %s:%d: bad schedule row\n", path, lineno);
        return CLI_USAGE;
    }
    cli_bar_t *b = bar_new(s);
    int app = intern(&s->app_names, &s->n_apps, cells[ix[6]]);
    int ty = intern(&s->types, &s->n_types, cells[ix[2]]);
    int nm = ix[9] >= 0 && ix[9] < nc ? intern(&s->names, &s->n_names, cells[ix[9]])
                                      : intern(&s->names, &s->n_names, "");
    if (b != NULL && grow_pes(s, known, pe) != 0)
        b = NULL;
    if (b == NULL || app < 0 || ty < 0 || nm < 0) {
        s->oom = 1;
        return CLI_FAIL;
    }
    if (!(*known)[pe]) {
        free(s->pe_names[pe]);
        s->pe_names[pe] = soc__strdup(cells[ix[7]]);
        (*known)[pe] = 1;
    }
    b->pe = (int)pe;
    b->start_us = st;
    b->finish_us = fi;
    b->arrival_us = ix[8] >= 0 && ix[8] < nc ? strtod(cells[ix[8]], NULL) : 0;
    b->job = strtoll(cells[ix[0]], NULL, 10);
    b->task = (int)strtol(cells[ix[1]], NULL, 10);
    b->app = app;
    b->type = s->types[ty];
    b->name = s->names[nm];
    if (s->pe_names[pe] == NULL) {
        s->oom = 1;
        return CLI_FAIL;
    }
    return 0;
}

int cli_sched_read_csv(cli_sched_t *s, const char *path)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot read: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    char *line = NULL, **cells, *store, *known = NULL;
    size_t cap = 0;
    int lineno = 0, code = 0, nc;
    int ix[N_WANT];
    while (code == 0 && (nc = soc__csv_next(f, &line, &cap, &lineno, &cells, &store)) != -2) {
        if (nc < 0) {
            fprintf(stderr, "socsim: %s:%d: malformed CSV line\n", path, lineno);
            code = CLI_USAGE;
            break;
        }
        if (lineno == 1)
            code = csv_header(path, cells, nc, ix);
        else
            code = csv_row(s, path, lineno, cells, nc, ix, &known);
        free(cells);
        free(store);
    }
    free(line);
    fclose(f);
    if (code == 0 && s->n == 0) {
        fprintf(stderr, "socsim: %s: the schedule has no tasks\n", path);
        code = CLI_USAGE;
    }
    if (code == 0 && name_idle_pes(s, known) != 0) {
        fprintf(stderr, "socsim: out of memory\n");
        code = CLI_FAIL;
    }
    free(known);
    return code;
}

void cli_sched_free(cli_sched_t *s)
{
    for (int i = 0; i < s->n_pes; i++)
        free(s->pe_names[i]);
    for (int i = 0; i < s->n_apps; i++)
        free(s->app_names[i]);
    for (int i = 0; i < s->n_types; i++)
        free(s->types[i]);
    for (int i = 0; i < s->n_names; i++)
        free(s->names[i]);
    free(s->pe_names);
    free(s->app_names);
    free(s->types);
    free(s->names);
    free(s->bars);
    free(s->samples);
    memset(s, 0, sizeof *s);
}

static int cmp_ll(const void *x, const void *y)
{
    long long a = *(const long long *)x, b = *(const long long *)y;
    return (a > b) - (a < b);
}

void cli_sched_title(const cli_sched_t *s, char *buf, size_t size)
{
    /* distinct jobs (a DS3 file's several runs count apart only when their
     * job ids differ) */
    long long *v = malloc(sizeof *v * (size_t)(s->n ? s->n : 1)), jobs = 0;
    if (v != NULL) {
        for (int i = 0; i < s->n; i++)
            v[i] = s->bars[i].job;
        qsort(v, (size_t)s->n, sizeof *v, cmp_ll);
        for (int i = 0; i < s->n; i++)
            jobs += i == 0 || v[i] != v[i - 1];
        free(v);
    }
    snprintf(buf, size, "schedule: %d tasks of %lld job%s, %d application%s", s->n, jobs,
             jobs == 1 ? "" : "s", s->n_apps, s->n_apps == 1 ? "" : "s");
}

/* --------------------------------------------------------------- trace */

static const cli_sched_t *sort_s;

/* bars by (job, task), for finding a task's predecessors */
static int by_job_task(const void *x, const void *y)
{
    const cli_bar_t *a = &sort_s->bars[*(const int *)x], *b = &sort_s->bars[*(const int *)y];
    if (a->job != b->job)
        return a->job < b->job ? -1 : 1;
    return (a->task > b->task) - (a->task < b->task);
}

static int find_bar(const cli_sched_t *s, const int *ord, long long job, int task)
{
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const cli_bar_t *b = &s->bars[ord[mid]];
        if (b->job == job && b->task == task)
            return ord[mid];
        if (b->job < job || (b->job == job && b->task < task))
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static const char *bar_label(const cli_sched_t *s, const cli_bar_t *x)
{
    (void)s;
    return x->name && x->name[0] ? x->name : x->type && x->type[0] ? x->type : "task";
}

static void write_flows(FILE *f, const cli_sched_t *s, const int *pid)
{
    int *ord = malloc(sizeof *ord * (size_t)(s->n ? s->n : 1));
    if (ord == NULL)
        return;
    for (int i = 0; i < s->n; i++)
        ord[i] = i;
    sort_s = s;
    qsort(ord, (size_t)s->n, sizeof *ord, by_job_task);
    sort_s = NULL;
    char a[32], b[32];
    long long id = 0;
    for (int i = 0; i < s->n; i++) {
        const cli_bar_t *x = &s->bars[i];
        if (x->app < 0 || x->app >= s->cfg->n_apps)
            continue;
        const soc_app_t *app = &s->cfg->apps[x->app];
        if (app->pred_off == NULL || x->task < 0 || x->task >= app->n_tasks)
            continue;
        for (int k = app->pred_off[x->task]; k < app->pred_off[x->task + 1]; k++) {
            const soc_edge_t *e = &app->edges[app->pred_edge[k]];
            int j = find_bar(s, ord, x->job, e->src);
            if (j < 0)
                continue;
            const cli_bar_t *p = &s->bars[j];
            int transfer = e->volume > 0 && p->pe != x->pe;
            char name[300];
            snprintf(name, sizeof name, "%s -> %s", bar_label(s, p), bar_label(s, x));
            id++;
            /* bound to the middle of both slices: the arrow joins the two */
            fprintf(f, ",\n{\"ph\":\"s\",\"id\":%lld,\"cat\":\"%s\",\"name\":", id,
                    transfer ? "transfer" : "dependency");
            cli_json_str(f, name);
            fprintf(f, ",\"pid\":%d,\"tid\":%d,\"ts\":%s", pid[p->pe], p->pe,
                    soc__num(a, (p->start_us + p->finish_us) / 2));
            if (transfer)
                fprintf(f, ",\"args\":{\"volume\":%s}", soc__num(b, e->volume));
            fprintf(f, "},\n{\"ph\":\"f\",\"bp\":\"e\",\"id\":%lld,\"cat\":\"%s\",\"name\":", id,
                    transfer ? "transfer" : "dependency");
            cli_json_str(f, name);
            fprintf(f, ",\"pid\":%d,\"tid\":%d,\"ts\":%s}", pid[x->pe], x->pe,
                    soc__num(a, (x->start_us + x->finish_us) / 2));
        }
    }
    free(ord);
}

static void write_counters(FILE *f, const cli_sched_t *s, const int *pid, int soc_pid)
{
    const soc_platform_t *p = &s->cfg->platform;
    int w = 2 + 2 * s->n_clusters;
    char a[32], b[32];
    fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,"
               "\"args\":{\"name\":\"SoC\"}}",
            soc_pid);
    /* at most about 2000 power and temperature samples (every stride-th
     * and the last); a frequency only when it changes */
    int stride = s->n_samples > 2000 ? (s->n_samples + 1999) / 2000 : 1;
    for (int i = 0; i < s->n_samples; i++) {
        const double *row = s->samples + (size_t)i * (size_t)w;
        const double *prev = i > 0 ? row - w : NULL;
        int take = i % stride == 0 || i == s->n_samples - 1;
        soc__num(a, row[0]);
        for (int c = 0; c < s->n_clusters; c++) {
            int cp = pid[p->clusters[c].first_pe];
            if (prev == NULL || prev[1 + c] != row[1 + c] || i == s->n_samples - 1)
                fprintf(f, ",\n{\"ph\":\"C\",\"name\":\"frequency (MHz)\",\"pid\":%d,\"ts\":%s,"
                           "\"args\":{\"MHz\":%s}}",
                        cp, a, soc__num(b, row[1 + c]));
            if (!take)
                continue;
            fprintf(f, ",\n{\"ph\":\"C\",\"name\":\"power (W)\",\"pid\":%d,\"ts\":%s,"
                       "\"args\":{\"W\":%s}}",
                    cp, a, soc__num(b, row[1 + s->n_clusters + c]));
        }
        if (take)
            fprintf(f, ",\n{\"ph\":\"C\",\"name\":\"peak temperature (C)\",\"pid\":%d,"
                       "\"ts\":%s,\"args\":{\"C\":%s}}",
                    soc_pid, a, soc__num(b, row[w - 1]));
    }
}

int cli_trace_write(const char *path, const cli_sched_t *s, const char *title)
{
    cli_out_t out;
    int code = cli_out_open(&out, path);
    if (code != 0)
        return code;
    FILE *f = out.f;
    /* processes = clusters (in first-PE order), threads = PEs */
    int *pid = malloc(sizeof *pid * (size_t)(s->n_pes ? s->n_pes : 1));
    if (pid == NULL) {
        cli_out_close(&out, 0);
        return CLI_FAIL;
    }
    fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"socsim\",\"title\":", f);
    cli_json_str(f, title);
    fputs("},\"traceEvents\":[\n", f);
    int first = 1, n_proc = 0;
    for (int pe = 0; pe < s->n_pes; pe++) {
        char cl[256], prev[256];
        if (s->cfg != NULL)
            snprintf(cl, sizeof cl, "%s",
                     s->cfg->platform.clusters[s->cfg->platform.pe_cluster[pe]].name);
        else
            cluster_of(s->pe_names[pe], cl, sizeof cl);
        pid[pe] = n_proc;
        int same = 0;
        if (pe > 0) {
            if (s->cfg != NULL)
                same = s->cfg->platform.pe_cluster[pe] == s->cfg->platform.pe_cluster[pe - 1];
            else {
                cluster_of(s->pe_names[pe - 1], prev, sizeof prev);
                same = strcmp(cl, prev) == 0;
            }
        }
        if (!same) {
            pid[pe] = ++n_proc;
            fprintf(f, "%s{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":",
                    first ? "" : ",\n", n_proc);
            cli_json_str(f, cl);
            fprintf(f, "}},\n{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%d,\"tid\":0,"
                       "\"args\":{\"sort_index\":%d}}",
                    n_proc, n_proc);
            first = 0;
        }
        fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
                pid[pe], pe);
        cli_json_str(f, s->pe_names[pe]);
        fprintf(f, "}},\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%d,"
                   "\"args\":{\"sort_index\":%d}}",
                pid[pe], pe, pe);
    }
    char a[32], b[32], c[32];
    for (int i = 0; i < s->n; i++) {
        const cli_bar_t *x = &s->bars[i];
        const char *app = x->app >= 0 && x->app < s->n_apps ? s->app_names[x->app] : "?";
        fprintf(f, "%s{\"ph\":\"X\",\"cat\":", first ? "" : ",\n");
        cli_json_str(f, app);
        fputs(",\"name\":", f);
        cli_json_str(f, bar_label(s, x));
        fprintf(f, ",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"dur\":%s,\"args\":{\"app\":",
                x->pe < s->n_pes ? pid[x->pe] : 0, x->pe, soc__num(a, x->start_us),
                soc__num(b, x->finish_us - x->start_us));
        cli_json_str(f, app);
        fprintf(f, ",\"job\":%lld,\"task\":%d,\"task_name\":", x->job, x->task);
        cli_json_str(f, x->name);
        fputs(",\"type\":", f);
        cli_json_str(f, x->type);
        fprintf(f, ",\"arrival_us\":%s}}", soc__num(c, x->arrival_us));
        first = 0;
    }
    if (s->cfg != NULL && s->n > 0)
        write_flows(f, s, pid);
    if (s->cfg != NULL && s->n_samples > 0 && s->n_pes > 0)
        write_counters(f, s, pid, n_proc + 1);
    fputs("\n]}\n", f);
    free(pid);
    return cli_out_close(&out, 1);
}
