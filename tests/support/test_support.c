#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_support.h"

int ts_have_shared(void)
{
    struct stat st;
    return stat(SOC_SHARED_DIR "/ds3", &st) == 0 && S_ISDIR(st.st_mode);
}

char *ts_path(const char *root, const char *rel)
{
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", root, rel);
    return p;
}

int ts_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

int ts_run_suite_parts(Suite *s, int argc, char **argv)
{
    int shared = argc > 1 && strcmp(argv[1], "--shared") == 0;
    if (shared && !ts_have_shared()) {
        fprintf(stderr, "%s: the reference data (%s) is absent: skipped\n", argv[0],
                SOC_SHARED_DIR);
        srunner_free(srunner_create(s));
        return 77;
    }
    SRunner *sr = srunner_create(s);
    srunner_run_tagged(sr, NULL, NULL, shared ? TS_SHARED_TAG : NULL,
                       shared ? NULL : TS_SHARED_TAG, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

/* ------------------------------------------------------ config builders */

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    ck_assert_msg(p != NULL, "out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = xcalloc(strlen(s) + 1, 1);
    memcpy(d, s, strlen(s));
    return d;
}

soc_config_t *ts_cfg_new(int n_types)
{
    soc_config_t *cfg = xcalloc(1, sizeof *cfg);
    soc_config_init(cfg);
    cfg->platform.n_types = n_types;
    cfg->platform.type_names = xcalloc((size_t)n_types, sizeof(char *));
    for (int i = 0; i < n_types; i++) {
        char b[32];
        snprintf(b, sizeof b, "t%d", i);
        cfg->platform.type_names[i] = xstrdup(b);
    }
    cfg->platform.bw_default = 1.0;
    cfg->platform.bw_self = 0.0;
    cfg->source = xstrdup("<test>");
    return cfg;
}

int ts_cfg_cluster(soc_config_t *cfg, const char *name, int count, const double *exec_us)
{
    soc_platform_t *p = &cfg->platform;
    soc_cluster_t *nc = realloc(p->clusters, sizeof *nc * (size_t)(p->n_clusters + 1));
    ck_assert_msg(nc != NULL, "out of memory");
    p->clusters = nc;
    soc_cluster_t *c = &p->clusters[p->n_clusters];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(name);
    c->kind = xstrdup("cpu");
    c->count = count;
    c->exec_us = xcalloc((size_t)p->n_types, sizeof(double));
    memcpy(c->exec_us, exec_us, sizeof(double) * (size_t)p->n_types);
    return p->n_clusters++;
}

int ts_cfg_app(soc_config_t *cfg, const char *name, double prob, int n_tasks,
               const int *types, int n_edges, const double (*edges)[3])
{
    soc_app_t *na = realloc(cfg->apps, sizeof *na * (size_t)(cfg->n_apps + 1));
    ck_assert_msg(na != NULL, "out of memory");
    cfg->apps = na;
    soc_app_t *a = &cfg->apps[cfg->n_apps];
    memset(a, 0, sizeof *a);
    a->name = xstrdup(name);
    a->probability = prob;
    a->head = a->tail = -1;
    a->n_tasks = n_tasks;
    a->tasks = xcalloc((size_t)n_tasks, sizeof *a->tasks);
    for (int t = 0; t < n_tasks; t++) {
        char b[32];
        snprintf(b, sizeof b, "%s_%d", name, t);
        a->tasks[t].name = xstrdup(b);
        a->tasks[t].type = types[t];
    }
    a->n_edges = n_edges;
    a->edges = xcalloc((size_t)n_edges, sizeof *a->edges);
    for (int e = 0; e < n_edges; e++) {
        a->edges[e].src = (int)edges[e][0];
        a->edges[e].dst = (int)edges[e][1];
        a->edges[e].volume = edges[e][2];
    }
    return cfg->n_apps++;
}

void ts_cfg_trace(soc_config_t *cfg, int n, const double *times_us)
{
    cfg->injection.kind = SOC_ARRIVAL_TRACE;
    cfg->injection.n_times = n;
    free(cfg->injection.times_us);
    cfg->injection.times_us = xcalloc((size_t)n, sizeof(double));
    memcpy(cfg->injection.times_us, times_us, sizeof(double) * (size_t)n);
}

void ts_cfg_poisson(soc_config_t *cfg, double mean_us, int64_t jobs)
{
    cfg->injection.kind = SOC_ARRIVAL_POISSON;
    cfg->injection.mean_us = mean_us;
    cfg->injection.max_jobs = jobs;
}

void ts_cfg_periodic(soc_config_t *cfg, double period_us, int64_t jobs)
{
    cfg->injection.kind = SOC_ARRIVAL_PERIODIC;
    cfg->injection.mean_us = period_us;
    cfg->injection.max_jobs = jobs;
}

soc_config_t *ts_cfg_topcuoglu(void)
{
    /* Topcuoglu, Hariri, Wu 2002, Fig. 2 (spec/schedulers.md section 2) */
    static const double w[10][3] = {{14, 16, 9},  {13, 19, 18}, {11, 13, 19}, {13, 8, 17},
                                    {12, 13, 10}, {13, 16, 9},  {7, 15, 11},  {5, 11, 14},
                                    {18, 12, 20}, {21, 7, 16}};
    static const double e[15][3] = {{0, 1, 18}, {0, 2, 12}, {0, 3, 9},  {0, 4, 11}, {0, 5, 14},
                                    {1, 7, 19}, {1, 8, 16}, {2, 6, 23}, {3, 7, 27}, {3, 8, 23},
                                    {4, 8, 13}, {5, 7, 15}, {6, 9, 17}, {7, 9, 11}, {8, 9, 13}};
    soc_config_t *cfg = ts_cfg_new(10);
    for (int p = 0; p < 3; p++) {
        double ex[10];
        char name[8];
        for (int t = 0; t < 10; t++)
            ex[t] = w[t][p];
        snprintf(name, sizeof name, "P%d", p + 1);
        ts_cfg_cluster(cfg, name, 1, ex);
    }
    int types[10];
    for (int t = 0; t < 10; t++)
        types[t] = t;
    ts_cfg_app(cfg, "topcuoglu", 1.0, 10, types, 15, e);
    double t0 = 0;
    ts_cfg_trace(cfg, 1, &t0);
    return cfg;
}

void ts_cfg_finalize(soc_config_t *cfg)
{
    soc_error_t err = {0};
    char buf[1024];
    int rc = soc_config_finalize(cfg, &err);
    ck_assert_msg(rc == SOC_OK, "finalize: %s", soc_error_format(&err, buf, sizeof buf));
}

void ts_cfg_destroy(soc_config_t *cfg)
{
    soc_config_free(cfg);
    free(cfg);
}

void ts_records_add(void *user, const soc_task_record_t *rec)
{
    ts_records_t *r = user;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->r = realloc(r->r, sizeof *r->r * (size_t)r->cap);
        ck_assert_msg(r->r != NULL, "out of memory");
    }
    r->r[r->n++] = *rec;
}

void ts_records_free(ts_records_t *r)
{
    free(r->r);
    memset(r, 0, sizeof *r);
}
