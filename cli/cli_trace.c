/*
 * cli_trace.c -- collect a run's schedule and export it as a
 * Chrome/Perfetto trace-event JSON file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "soc_util.h"
#include "cli_trace.h"

/* Index of a name in a growable list, appended when new; -1 on ENOMEM. */
static int intern(char ***list, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
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

int cli_sched_init(cli_sched_t *s, const soc_config_t *cfg, cli_sink_t *forward)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->forward = forward;
    const soc_platform_t *p = &cfg->platform;
    for (int pe = 0; pe < p->n_pes; pe++) {
        char name[300];
        snprintf(name, sizeof name, "%s_%d", p->clusters[p->pe_cluster[pe]].name, pe);
        if (intern(&s->pe_names, &s->n_pes, name) < 0)
            s->oom = 1;
    }
    for (int a = 0; a < cfg->n_apps; a++) {
        char **nl = realloc(s->app_names, sizeof *nl * (size_t)(a + 1));
        if (nl == NULL || (nl[a] = soc__strdup(cfg->apps[a].name)) == NULL) {
            s->app_names = nl ? nl : s->app_names;
            s->oom = 1;
            break;
        }
        s->app_names = nl;
        s->n_apps = a + 1;
    }
    for (int t = 0; t < p->n_types; t++)
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
    if (s->forward != NULL && s->forward->f != NULL)
        cli_schedule_row(s->forward, r);
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
}

int cli_sched_read_csv(cli_sched_t *s, const char *path)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot read: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    char *line = NULL, **cells, *store;
    size_t cap = 0;
    int lineno = 0, code = 0, nc;
    int ix[9];
    static const char *const want[] = {"job", "task", "task_type", "pe", "start_us",
                                       "finish_us", "app", "pe_name", "arrival_us"};
    while (code == 0 && (nc = soc__csv_next(f, &line, &cap, &lineno, &cells, &store)) != -2) {
        if (nc < 0) {
            fprintf(stderr, "socsim: %s:%d: malformed CSV line\n", path, lineno);
            code = CLI_USAGE;
            break;
        }
        if (lineno == 1) {
            for (int w = 0; w < 9; w++) {
                ix[w] = -1;
                for (int c = 0; c < nc; c++)
                    if (strcmp(cells[c], want[w]) == 0)
                        ix[w] = c;
                if (ix[w] < 0 && w < 8) {
                    fprintf(stderr, "socsim: %s: not a schedule CSV (no column '%s'; write one "
                                    "with 'socsim run ... --schedule FILE')\n",
                            path, want[w]);
                    code = CLI_USAGE;
                }
            }
        } else {
            int ok = 1;
            for (int w = 0; w < 8; w++)
                ok &= ix[w] < nc;
            char *e1, *e2, *e3;
            double st = ok ? strtod(cells[ix[4]], &e1) : 0, fi = ok ? strtod(cells[ix[5]], &e2) : 0;
            long pe = ok ? strtol(cells[ix[3]], &e3, 10) : -1;
            if (!ok || *e1 || *e2 || *e3 || pe < 0 || pe > 1000000 || fi < st) {
                fprintf(stderr, "socsim: %s:%d: bad schedule row\n", path, lineno);
                code = CLI_USAGE;
            } else {
                cli_bar_t *b = bar_new(s);
                int app = intern(&s->app_names, &s->n_apps, cells[ix[6]]);
                int ty = intern(&s->types, &s->n_types, cells[ix[2]]);
                while (b != NULL && s->n_pes <= pe) {
                    char name[32];
                    snprintf(name, sizeof name, "PE_%d", s->n_pes);
                    char **nl = realloc(s->pe_names, sizeof *nl * (size_t)(s->n_pes + 1));
                    if (nl == NULL || (nl[s->n_pes] = soc__strdup(name)) == NULL) {
                        s->pe_names = nl ? nl : s->pe_names;
                        b = NULL;
                        break;
                    }
                    s->pe_names = nl;
                    s->n_pes++;
                }
                if (b == NULL || app < 0 || ty < 0) {
                    s->oom = 1;
                    code = CLI_FAIL;
                } else {
                    free(s->pe_names[pe]);
                    s->pe_names[pe] = soc__strdup(cells[ix[7]]);
                    b->pe = (int)pe;
                    b->start_us = st;
                    b->finish_us = fi;
                    b->arrival_us = ix[8] >= 0 && ix[8] < nc ? strtod(cells[ix[8]], NULL) : 0;
                    b->job = strtoll(cells[ix[0]], NULL, 10);
                    b->task = (int)strtol(cells[ix[1]], NULL, 10);
                    b->app = app;
                    b->type = s->types[ty];
                    if (s->pe_names[pe] == NULL)
                        code = CLI_FAIL;
                }
            }
        }
        free(cells);
        free(store);
    }
    free(line);
    fclose(f);
    if (code == 0 && s->n == 0) {
        fprintf(stderr, "socsim: %s: the schedule has no tasks\n", path);
        code = CLI_USAGE;
    }
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
    free(s->pe_names);
    free(s->app_names);
    free(s->types);
    free(s->bars);
    memset(s, 0, sizeof *s);
}

/* "A15_3" -> cluster "A15" (the PE names are CLUSTER_PE). */
static void cluster_of(const char *pe_name, char *out, size_t size)
{
    snprintf(out, size, "%s", pe_name);
    char *u = strrchr(out, '_');
    if (u != NULL && u != out)
        *u = '\0';
}

int cli_trace_write(const char *path, const cli_sched_t *s, const char *title)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "socsim: %s: cannot write: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    /* processes = clusters (in first-PE order), threads = PEs */
    int *pid = malloc(sizeof *pid * (size_t)(s->n_pes ? s->n_pes : 1));
    if (pid == NULL) {
        fclose(f);
        return CLI_FAIL;
    }
    fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"socsim\",\"title\":", f);
    cli_json_str(f, title);
    fputs("},\"traceEvents\":[\n", f);
    int first = 1, n_proc = 0;
    for (int pe = 0; pe < s->n_pes; pe++) {
        char cl[256], prev[256];
        cluster_of(s->pe_names[pe], cl, sizeof cl);
        pid[pe] = n_proc;
        int same = 0;
        if (pe > 0) {
            cluster_of(s->pe_names[pe - 1], prev, sizeof prev);
            same = strcmp(cl, prev) == 0;
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
        char name[400];
        snprintf(name, sizeof name, "%s j%lld t%d", app, x->job, x->task);
        cli_json_str(f, name);
        fprintf(f, ",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"dur\":%s,\"args\":{\"job\":%lld,\"task\":%d,"
                   "\"type\":",
                x->pe < s->n_pes ? pid[x->pe] : 0, x->pe, soc__num(a, x->start_us),
                soc__num(b, x->finish_us - x->start_us), x->job, x->task);
        cli_json_str(f, x->type);
        fprintf(f, ",\"arrival_us\":%s}}", soc__num(c, x->arrival_us));
        first = 0;
    }
    fputs("\n]}\n", f);
    free(pid);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "socsim: %s: write error\n", path);
        return CLI_FAIL;
    }
    return 0;
}

int cli_run_traced(const soc_config_t *cfg, const char *spec, cli_sink_t *sink,
                   cli_power_sink_t *ps, const char *gantt, const char *trace, soc_sim_t **simp,
                   soc_sched_handle_t **hp, soc_error_t *err, int *code)
{
    cli_sched_t s;
    if (cli_sched_init(&s, cfg, sink) != 0) {
        *code = CLI_FAIL;
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    cli_hooks_t hooks = cli_sink_hooks(NULL, ps);
    hooks.on_record = cli_sched_record;
    hooks.record_user = &s;
    int rc = cli_run_config(cfg, spec, &hooks, simp, hp, err);
    if (rc == SOC_OK && s.oom) {
        fprintf(stderr, "socsim: out of memory keeping the schedule\n");
        *code = CLI_FAIL;
    } else if (rc == SOC_OK) {
        char title[600];
        snprintf(title, sizeof title, "%s -- %s, seed %llu", cfg->source ? cfg->source : "config",
                 spec, (unsigned long long)cfg->seed);
        int c = 0;
        if (trace != NULL && (c = cli_trace_write(trace, &s, title)) != 0)
            *code = c;
        if (gantt != NULL && (c = cli_gantt_write(gantt, &s, title)) != 0)
            *code = c;
    }
    cli_sched_free(&s);
    return rc;
}
