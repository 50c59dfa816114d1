/*
 * check_yaml.c -- the YAML configuration format (workloads/yaml_*.c):
 * every key lands in its field, write -> load gives back an equal config,
 * referenced files resolve, the shipped workloads, examples and the embedded
 * default load and carry DS3's figures, and every kind of bad input gives
 * its own message at the right file:line:col (never a crash).
 *
 * Expected figures come from the sources the files were made from (the DS3
 * spec, the Topcuoglu paper's table), never from this program's output.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/ds3.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "test_support.h"

#define DATA SOC_TEST_DATA "/yaml"

static char *path_of(const char *root, const char *rel)
{
    char *p = ts_path(root, rel);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void load_ok(soc_config_t *cfg, const char *path)
{
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_load_yaml(cfg, path, &err);
    ck_assert_msg(rc == SOC_OK, "%s: %s", path, soc_error_format(&err, buf, sizeof buf));
}

static void load_str_ok(soc_config_t *cfg, const char *text, const char *basedir)
{
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_load_yaml_string(cfg, text, "<test>", basedir, &err);
    ck_assert_msg(rc == SOC_OK, "%s", soc_error_format(&err, buf, sizeof buf));
}

static int find_cluster(const soc_platform_t *p, const char *name)
{
    for (int c = 0; c < p->n_clusters; c++)
        if (strcmp(p->clusters[c].name, name) == 0)
            return c;
    ck_abort_msg("no cluster %s", name);
    return -1;
}

static int find_app(const soc_config_t *cfg, const char *name)
{
    for (int a = 0; a < cfg->n_apps; a++)
        if (strcmp(cfg->apps[a].name, name) == 0)
            return a;
    ck_abort_msg("no application %s", name);
    return -1;
}

/* Execution time of a type (by name) on a cluster (by name), -1 if none. */
static double exec_of(const soc_platform_t *p, const char *cluster, const char *type)
{
    int t = soc_platform_type_index(p, type);
    ck_assert_msg(t >= 0, "no type %s", type);
    return p->clusters[find_cluster(p, cluster)].exec_us[t];
}

/* Cluster-pair bandwidth as the engine sees it (first PE of each). */
static double bw_of(const soc_platform_t *p, const char *a, const char *b)
{
    const soc_cluster_t *ca = &p->clusters[find_cluster(p, a)];
    const soc_cluster_t *cb = &p->clusters[find_cluster(p, b)];
    int pa = ca->first_pe, pb = cb->first_pe + (ca == cb ? 1 : 0);
    ck_assert_int_lt(pb, cb->first_pe + cb->count);
    return soc_platform_bandwidth(p, pa, pb);
}

/* ------------------------------------------------------ deep comparison */

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* exec tables: NULL and "all unsupported" mean the same, as do all < 0 */
static int exec_eq(const double *a, const double *b, int n)
{
    for (int t = 0; t < n; t++) {
        double x = a ? a[t] : -1, y = b ? b[t] : -1;
        if ((x < 0) != (y < 0) || (x >= 0 && x != y))
            return 0;
    }
    return 1;
}

static int rows_eq(const soc_power_row_t *a, const soc_power_row_t *b, int n, int count)
{
    for (int i = 0; i < n; i++) {
        if (a[i].freq_mhz != b[i].freq_mhz)
            return 0;
        for (int k = 0; k < count; k++)
            if (a[i].watts[k] != b[i].watts[k])
                return 0;
    }
    return 1;
}

static int power_eq(const soc_cluster_power_t *a, const soc_cluster_power_t *b, int count)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (!str_eq(a->governor, b->governor) || a->n_opps != b->n_opps || a->n_trip != b->n_trip ||
        a->n_dtpm_trip != b->n_dtpm_trip || a->n_profiles != b->n_profiles ||
        a->n_pg_profiles != b->n_pg_profiles || a->idle_w != b->idle_w)
        return 0;
    for (int i = 0; i < a->n_opps; i++)
        if (a->opps[i].freq_mhz != b->opps[i].freq_mhz || a->opps[i].volt_mv != b->opps[i].volt_mv)
            return 0;
    for (int i = 0; i < a->n_trip; i++)
        if (a->trip_freq_mhz[i] != b->trip_freq_mhz[i])
            return 0;
    for (int i = 0; i < a->n_dtpm_trip; i++)
        if (a->dtpm_trip_freq_mhz[i] != b->dtpm_trip_freq_mhz[i])
            return 0;
    return rows_eq(a->profiles, b->profiles, a->n_profiles, count) &&
           rows_eq(a->pg_profiles, b->pg_profiles, a->n_pg_profiles, count);
}

static int ds3_eq(const soc_ds3_options_t *a, const soc_ds3_options_t *b, int n_apps)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->validation != b->validation || a->inject_fixed_num_jobs != b->inject_fixed_num_jobs ||
        a->max_jobs != b->max_jobs || a->simulation_length != b->simulation_length ||
        a->clock != b->clock || a->inject_jobs_asap != b->inject_jobs_asap ||
        a->fixed_injection_rate != b->fixed_injection_rate ||
        a->max_jobs_in_parallel != b->max_jobs_in_parallel || a->random_seed != b->random_seed ||
        a->scale != b->scale || a->warmup_period != b->warmup_period ||
        a->num_of_iterations != b->num_of_iterations ||
        a->n_scale_values != b->n_scale_values || a->n_job_list != b->n_job_list ||
        a->sampling_rate != b->sampling_rate ||
        a->sampling_rate_temperature != b->sampling_rate_temperature ||
        a->util_high_threshold != b->util_high_threshold ||
        a->util_low_threshold != b->util_low_threshold ||
        a->enable_throttling != b->enable_throttling ||
        a->enable_dtpm_throttling != b->enable_dtpm_throttling || a->n_trip != b->n_trip ||
        a->n_dtpm_trip != b->n_dtpm_trip || a->C1 != b->C1 || a->C2 != b->C2 ||
        a->Igate != b->Igate || a->T_ambient != b->T_ambient)
        return 0;
    for (int i = 0; i < a->n_scale_values; i++)
        if (a->scale_values[i] != b->scale_values[i])
            return 0;
    for (int i = 0; i < a->n_job_list; i++)
        for (int k = 0; k < n_apps; k++)
            if (a->job_list[i][k] != b->job_list[i][k])
                return 0;
    for (int i = 0; i < a->n_trip; i++)
        if (a->trip_temperature[i] != b->trip_temperature[i] ||
            a->trip_hysteresis[i] != b->trip_hysteresis[i])
            return 0;
    for (int i = 0; i < a->n_dtpm_trip; i++)
        if (a->dtpm_trip_temperature[i] != b->dtpm_trip_temperature[i])
            return 0;
    return 1;
}

/* NULL when equal, else the name of the first field that differs. */
static const char *cfg_diff(const soc_config_t *x, const soc_config_t *y)
{
    const soc_platform_t *p = &x->platform, *q = &y->platform;
    if (x->seed != y->seed)
        return "seed";
    if (!str_eq(x->scheduler, y->scheduler))
        return "scheduler";
    if (x->semantics != y->semantics)
        return "semantics";
    if (x->power_model != y->power_model)
        return "power";
    if (!str_eq(p->name, q->name))
        return "platform.name";
    if (p->n_types != q->n_types)
        return "n_types";
    for (int t = 0; t < p->n_types; t++)
        if (strcmp(p->type_names[t], q->type_names[t]) != 0)
            return "type_names";
    if (p->n_clusters != q->n_clusters)
        return "n_clusters";
    for (int c = 0; c < p->n_clusters; c++) {
        const soc_cluster_t *a = &p->clusters[c], *b = &q->clusters[c];
        if (!str_eq(a->name, b->name) || !str_eq(a->kind, b->kind) || a->count != b->count ||
            a->is_memory != b->is_memory)
            return "cluster";
        if (!exec_eq(a->exec_us, b->exec_us, p->n_types))
            return "exec_us";
        for (int t = 0; t < p->n_types; t++) {
            soc_dist_t none = {0};
            const soc_dist_t *da = a->exec_dist ? &a->exec_dist[t] : &none;
            const soc_dist_t *db = b->exec_dist ? &b->exec_dist[t] : &none;
            if (!soc_dist_equal(da, db))
                return "exec_us distribution";
        }
        if (!power_eq(a->power, b->power, a->count))
            return "power block";
    }
    if (p->bw_self != q->bw_self || p->bw_default != q->bw_default ||
        p->latency_us != q->latency_us || p->comm_mode != q->comm_mode ||
        p->memory_cluster != q->memory_cluster)
        return "communication";
    for (int i = 0; i < p->n_clusters * p->n_clusters; i++) {
        double a = p->bw ? p->bw[i] : 0, b = q->bw ? q->bw[i] : 0;
        if ((a > 0 || b > 0) && a != b)
            return "bandwidth";
    }
    if (x->n_apps != y->n_apps)
        return "n_apps";
    for (int i = 0; i < x->n_apps; i++) {
        const soc_app_t *a = &x->apps[i], *b = &y->apps[i];
        if (!str_eq(a->name, b->name) || a->probability != b->probability ||
            a->deadline_us != b->deadline_us || a->head != b->head || a->tail != b->tail)
            return "application";
        if (a->n_tasks != b->n_tasks || a->n_edges != b->n_edges)
            return "application size";
        for (int t = 0; t < a->n_tasks; t++)
            if (!str_eq(a->tasks[t].name, b->tasks[t].name) || a->tasks[t].type != b->tasks[t].type)
                return "task";
        for (int e = 0; e < a->n_edges; e++)
            if (a->edges[e].src != b->edges[e].src || a->edges[e].dst != b->edges[e].dst ||
                a->edges[e].volume != b->edges[e].volume)
                return "edge";
    }
    const soc_injection_t *u = &x->injection, *v = &y->injection;
    if (u->kind != v->kind || u->start_us != v->start_us || u->max_in_flight != v->max_in_flight ||
        u->warmup_us != v->warmup_us || u->max_jobs != v->max_jobs ||
        u->sim_time_us != v->sim_time_us)
        return "injection";
    if ((u->kind == SOC_ARRIVAL_POISSON || u->kind == SOC_ARRIVAL_PERIODIC) &&
        u->mean_us != v->mean_us)
        return "inter-arrival";
    if (!soc_dist_equal(&u->interarrival, &v->interarrival) ||
        !soc_dist_equal(&u->batch, &v->batch) || u->on_full != v->on_full)
        return "interarrival, batch or on_full";
    if (u->n_states != v->n_states)
        return "mmpp states";
    for (int i = 0; i < u->n_states; i++) {
        if (u->state_mean_us[i] != v->state_mean_us[i])
            return "mmpp state mean";
        for (int j = 0; j < u->n_states; j++)
            if (u->switch_rate[i * u->n_states + j] != v->switch_rate[i * u->n_states + j])
                return "mmpp switch rate";
    }
    if (u->kind == SOC_ARRIVAL_TRACE) {
        if (u->n_times != v->n_times || (u->trace_apps == NULL) != (v->trace_apps == NULL))
            return "trace";
        for (int i = 0; i < u->n_times; i++)
            if (u->times_us[i] != v->times_us[i] ||
                (u->trace_apps && u->trace_apps[i] != v->trace_apps[i]))
                return "trace entry";
    }
    if (!ds3_eq(x->ds3, y->ds3, x->n_apps))
        return "ds3";
    return NULL;
}

/* Write cfg to a string (malloc'ed). */
static char *write_str(const soc_config_t *cfg)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_write_yaml(cfg, f, &err);
    ck_assert_msg(rc == SOC_OK, "write: %s", soc_error_format(&err, buf, sizeof buf));
    long n = ftell(f);
    ck_assert_int_gt(n, 0);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* load(write(cfg)) == cfg, and writing that again gives the same text. */
static void assert_roundtrip(const soc_config_t *cfg)
{
    char *text = write_str(cfg);
    soc_config_t back;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_load_yaml_string(&back, text, "<written>", NULL, &err);
    ck_assert_msg(rc == SOC_OK, "reload: %s\n%s", soc_error_format(&err, buf, sizeof buf), text);
    const char *d = cfg_diff(cfg, &back);
    ck_assert_msg(d == NULL, "round trip changed %s\n%s", d ? d : "", text);
    char *again = write_str(&back);
    ck_assert_str_eq(text, again);
    free(again);
    free(text);
    soc_config_free(&back);
}

/* ------------------------------------------------------------ good input */

START_TEST(test_every_key)
{
    char *path = path_of(DATA, "good/full.yaml");
    soc_config_t cfg;
    load_ok(&cfg, path);
    const soc_platform_t *p = &cfg.platform;
    ck_assert(cfg.seed == UINT64_MAX);
    ck_assert_str_eq(cfg.scheduler, "plugin:./libmy.so");
    ck_assert_int_eq(cfg.semantics, SOC_SEM_DS3);
    ck_assert_int_eq(cfg.power_model, 1);
    ck_assert_str_eq(cfg.source, path);
    ck_assert_str_eq(p->name, "full_soc");
    /* types: the explicit list first, then in order of first use */
    ck_assert_int_eq(p->n_types, 3);
    ck_assert_str_eq(p->type_names[0], "zz_unused");
    ck_assert_str_eq(p->type_names[1], "a");
    ck_assert_str_eq(p->type_names[2], "b");
    ck_assert_int_eq(p->n_clusters, 2);
    const soc_cluster_t *big = &p->clusters[0], *mem = &p->clusters[1];
    ck_assert_str_eq(big->kind, "BIG");
    ck_assert_int_eq(big->count, 2);
    ck_assert(big->exec_us[0] < 0);
    ck_assert_double_eq(big->exec_us[1], 1.5);
    ck_assert_double_eq(big->exec_us[2], 2);
    ck_assert_int_eq(mem->is_memory, 1);
    ck_assert_int_eq(mem->count, 1);
    const soc_cluster_power_t *pw = big->power;
    ck_assert_ptr_nonnull(pw);
    ck_assert_ptr_null(mem->power);
    ck_assert_str_eq(pw->governor, "constant-1200");
    ck_assert_int_eq(pw->n_opps, 2);
    ck_assert_double_eq(pw->opps[1].freq_mhz, 1200);
    ck_assert_double_eq(pw->opps[1].volt_mv, 1000.5);
    ck_assert_int_eq(pw->n_trip, 3);
    ck_assert_double_eq(pw->trip_freq_mhz[0], -1);
    ck_assert_double_eq(pw->trip_freq_mhz[2], 600);
    ck_assert_int_eq(pw->n_dtpm_trip, 2);
    ck_assert_double_eq(pw->dtpm_trip_freq_mhz[1], 800);
    ck_assert_int_eq(pw->n_profiles, 2);
    ck_assert_double_eq(pw->profiles[1].freq_mhz, 1200);
    ck_assert_double_eq(pw->profiles[1].watts[1], 0.45);
    ck_assert_int_eq(pw->n_pg_profiles, 2);
    ck_assert_double_eq(pw->pg_profiles[0].watts[0], 0.05);
    ck_assert_double_eq(pw->pg_profiles[1].watts[1], 0.3);
    ck_assert_double_eq(pw->idle_w, 0.01);
    ck_assert_int_eq(p->comm_mode, SOC_COMM_SHARED_MEMORY);
    ck_assert_int_eq(p->memory_cluster, 1);
    ck_assert_double_eq(p->bw_self, 0);
    ck_assert_double_eq(p->bw_default, 3);
    ck_assert_double_eq(p->latency_us, 0.25);
    ck_assert_double_eq(bw_of(p, "big", "mem"), 16);
    ck_assert_double_eq(bw_of(p, "mem", "big"), 16); /* pairs are symmetric */
    ck_assert_double_eq(bw_of(p, "big", "big"), 32);
    ck_assert_double_eq(soc_platform_bandwidth(p, 0, 0), 0); /* same PE: bw_self */
    ck_assert_int_eq(p->n_pes, 3);

    ck_assert_int_eq(cfg.n_apps, 2);
    const soc_app_t *x = &cfg.apps[0], *y = &cfg.apps[1];
    ck_assert_str_eq(x->name, "x");
    ck_assert_double_eq(x->probability, 0.75);
    ck_assert_double_eq(x->deadline_us, 100);
    ck_assert_int_eq(x->head, 0);
    ck_assert_int_eq(x->tail, 1);
    ck_assert_str_eq(x->tasks[1].name, "second");
    ck_assert_int_eq(x->tasks[0].type, 1);
    ck_assert_int_eq(x->tasks[1].type, 2);
    ck_assert_int_eq(x->n_edges, 1);
    ck_assert_double_eq(x->edges[0].volume, 0); /* two-element edge: no data */
    ck_assert_ptr_null(y->tasks[0].name);          /* a task given by type only */
    ck_assert_int_eq(y->tasks[0].type, 1);
    ck_assert_int_eq(x->head, 0);
    ck_assert_int_eq(y->head, -1);

    const soc_injection_t *in = &cfg.injection;
    ck_assert_int_eq(in->kind, SOC_ARRIVAL_TRACE);
    ck_assert_int_eq(in->n_times, 4);
    ck_assert_double_eq(in->times_us[1], 2.5);
    ck_assert_int_eq(in->trace_apps[0], 0);
    ck_assert_int_eq(in->trace_apps[1], -1);
    ck_assert_int_eq(in->trace_apps[2], 1);
    ck_assert_int_eq(in->max_in_flight, 4);
    ck_assert_double_eq(in->warmup_us, 1);
    ck_assert_int_eq(in->max_jobs, 3);
    ck_assert_double_eq(in->sim_time_us, 1000);

    const soc_ds3_options_t *o = cfg.ds3;
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->validation, 1);
    ck_assert_int_eq(o->inject_fixed_num_jobs, 0);
    ck_assert_int_eq(o->max_jobs, 7);
    ck_assert_int_eq(o->simulation_length, 5000);
    ck_assert_int_eq(o->clock, 2);
    ck_assert_int_eq(o->inject_jobs_asap, 1);
    ck_assert_int_eq(o->fixed_injection_rate, 1);
    ck_assert_int_eq(o->max_jobs_in_parallel, 3);
    ck_assert_int_eq(o->random_seed, -5);
    ck_assert_int_eq(o->scale, 50);
    ck_assert_int_eq(o->warmup_period, 10);
    ck_assert_int_eq(o->num_of_iterations, 2);
    ck_assert_int_eq(o->n_scale_values, 2);
    ck_assert_int_eq(o->scale_values[1], 200);
    ck_assert_int_eq(o->n_job_list, 2);
    ck_assert_int_eq(o->job_list[1][1], 3);
    ck_assert_int_eq(o->sampling_rate, 5);
    ck_assert_int_eq(o->sampling_rate_temperature, 10);
    ck_assert_double_eq(o->util_high_threshold, 0.9);
    ck_assert_double_eq(o->util_low_threshold, 0.2);
    ck_assert_int_eq(o->enable_throttling, 1);
    ck_assert_int_eq(o->enable_dtpm_throttling, 0);
    ck_assert_int_eq(o->n_trip, 3);
    ck_assert_double_eq(o->trip_temperature[1], 90);
    ck_assert_double_eq(o->trip_hysteresis[2], 3);
    ck_assert_double_eq(o->trip_hysteresis[1], 2.5);
    ck_assert_int_eq(o->n_dtpm_trip, 1);
    ck_assert_double_eq(o->dtpm_trip_temperature[0], 99);
    ck_assert_double_eq(o->C1, 0.001);
    ck_assert_double_eq(o->C2, 2000);
    ck_assert_double_eq(o->Igate, 0.0005);
    ck_assert_double_eq(o->T_ambient, 40);

    assert_roundtrip(&cfg);
    soc_config_free(&cfg);
    free(path);
}
END_TEST

START_TEST(test_defaults)
{
    /* what the format leaves out: DS3 options default to DS3's, the
     * probabilities of unweighted applications are equal shares */
    soc_config_t cfg;
    load_str_ok(&cfg,
                "platform: {clusters: [{name: c, exec_us: {a: 1}}]}\n"
                "applications: [{name: p, tasks: [a]}, {name: q, tasks: [a]},\n"
                "               {name: r, tasks: [a]}]\n"
                "semantics: ds3\n"
                "ds3: {}\n",
                NULL);
    ck_assert_int_eq(cfg.platform.clusters[0].count, 1);
    ck_assert_double_eq(cfg.platform.bw_default, 1);
    ck_assert_double_eq(cfg.platform.bw_self, 0);
    ck_assert_int_eq(cfg.platform.memory_cluster, -1);
    ck_assert(cfg.seed == 1);
    ck_assert_ptr_null(cfg.scheduler);
    for (int a = 0; a < 3; a++)
        ck_assert_double_eq_tol(cfg.apps[a].probability, 1.0 / 3, 1e-15);
    soc_ds3_options_t d;
    soc_ds3_options_default(&d);
    ck_assert(ds3_eq(cfg.ds3, &d, cfg.n_apps));
    assert_roundtrip(&cfg);
    soc_config_free(&cfg);
}
END_TEST

START_TEST(test_references)
{
    char *path = path_of(DATA, "good/refs.yaml");
    soc_config_t cfg;
    load_ok(&cfg, path);
    const soc_platform_t *p = &cfg.platform;
    ck_assert_str_eq(p->name, "two_cluster");
    ck_assert_int_eq(p->n_pes, 4);
    ck_assert_double_eq(bw_of(p, "big", "little"), 4);
    ck_assert_double_eq(bw_of(p, "big", "big"), 2); /* the default */
    ck_assert_int_eq(cfg.n_apps, 3);
    /* the entry's keys override the file's; a nameless file takes its stem */
    int c1 = find_app(&cfg, "chain"), c2 = find_app(&cfg, "chain2"), u = find_app(&cfg, "unnamed");
    ck_assert_double_eq(cfg.apps[c1].probability, 0.5);
    ck_assert_double_eq(cfg.apps[c2].probability, 0.25);
    ck_assert_double_eq(cfg.apps[c2].deadline_us, 500);
    ck_assert_double_eq(cfg.apps[c1].deadline_us, 0);
    ck_assert_int_eq(cfg.apps[c2].n_edges, 2);
    ck_assert_double_eq(cfg.apps[c2].edges[1].volume, 8);
    ck_assert_double_eq(cfg.apps[u].probability, 0.25);
    ck_assert_double_eq(exec_of(p, "little", "d"), 5);
    ck_assert(exec_of(p, "big", "d") < 0);
    ck_assert_int_eq(cfg.injection.kind, SOC_ARRIVAL_PERIODIC);
    ck_assert_double_eq(cfg.injection.mean_us, 50);
    assert_roundtrip(&cfg);
    soc_config_free(&cfg);

    /* from a string, references resolve against basedir */
    char *dir = path_of(DATA, "good");
    load_str_ok(&cfg,
                "platform: socs/two_cluster.yaml\n"
                "applications: [apps/chain.yaml]\n"
                "injection: {arrival: poisson, mean_interarrival_us: 10}\n"
                "stop: {time_us: 1000}\n",
                dir);
    ck_assert_int_eq(cfg.n_apps, 1);
    ck_assert_double_eq(cfg.apps[0].probability, 1);
    ck_assert_double_eq(cfg.injection.sim_time_us, 1000);
    soc_config_free(&cfg);
    free(dir);
    free(path);
}
END_TEST

/* A config built by hand with awkward values: names that need quoting,
 * doubles without a short decimal form, every optional block. */
/* Distributions, estimates, renewal and MMPP arrivals, batches and on_full
 * (issue 13): read as written, and written back equal. */
START_TEST(test_roundtrip_stochastic)
{
    static const char *const text =
        "platform:\n"
        "  clusters:\n"
        "    - name: cpu\n"
        "      count: 2\n"
        "      exec_us: {a: {dist: exponential, mean: 100}, b: {dist: uniform, min: 1, max: 3},\n"
        "                c: {dist: normal, mean: 1, sd: 1, estimate_us: 2},\n"
        "                d: {dist: lognormal, mean: 50, cv: 1.5}, e: {dist: gamma, mean: 8, cv: 0.5},\n"
        "                f: {dist: hyperexponential, mean: 10, cv: 2}, g: 7,\n"
        "                h: {dist: empirical, values: [1, 2, 4]},\n"
        "                i: {dist: constant, value: 5, estimate_us: 4}}\n"
        "applications:\n"
        "  - {name: x, tasks: [a, b, c, d, e, f, g, h, i],\n"
        "     edges: [[a, b], [b, c], [c, d], [d, e], [e, f], [f, g], [g, h], [h, i]]}\n"
        "injection:\n"
        "  arrival: %s\n"
        "%s"
        "  max_in_flight: 5\n"
        "  on_full: drop\n"
        "stop: {jobs: 10}\n";
    const char *inj[3][2] = {
        {"renewal", "  interarrival: {dist: gamma, mean: 30, cv: 0.25}\n  batch: 2\n"},
        {"mmpp", "  states: [10, 100, 1000]\n  sojourn_us: [100, 200, 400]\n"
                 "  batch: {dist: empirical, values: [1, 3], weights: [0.25, 0.75]}\n"},
        {"mmpp", "  states: [10, 100]\n  switch: [[-0.5, 0.5], [0.25, 0]]\n"},
    };
    for (int k = 0; k < 3; k++) {
        char yaml[2048];
        snprintf(yaml, sizeof yaml, text, inj[k][0], inj[k][1]);
        soc_config_t cfg;
        soc_error_t err = {0};
        char buf[800];
        ck_assert_msg(soc_load_yaml_string(&cfg, yaml, "<stoch>", NULL, &err) == SOC_OK, "%s",
                      soc_error_format(&err, buf, sizeof buf));
        const soc_cluster_t *cl = &cfg.platform.clusters[0];
        ck_assert_ptr_nonnull(cl->exec_dist);
        ck_assert_int_eq(cl->exec_dist[0].kind, SOC_DIST_EXPONENTIAL);
        ck_assert_double_eq(cl->exec_us[0], 100);   /* estimate = mean */
        ck_assert_double_eq(cl->exec_us[1], 2);     /* (1 + 3) / 2 */
        ck_assert_double_eq(cl->exec_us[2], 2);     /* given */
        ck_assert_int_eq(cl->exec_dist[6].kind, SOC_DIST_NONE);
        ck_assert_double_eq(cl->exec_us[6], 7);
        ck_assert_int_eq(cl->exec_dist[7].n, 3);
        ck_assert_double_eq_tol(cl->exec_us[7], 7.0 / 3, 1e-12);
        ck_assert_double_eq(cl->exec_us[8], 4);
        ck_assert_double_eq(cl->exec_dist[8].mean, 5);
        ck_assert_int_eq(cfg.injection.on_full, SOC_ON_FULL_DROP);
        if (k == 1) { /* sojourn s_i, equal odds to each other state */
            ck_assert_int_eq(cfg.injection.n_states, 3);
            ck_assert_double_eq(cfg.injection.switch_rate[0 * 3 + 1], 1.0 / (100 * 2));
            ck_assert_double_eq(cfg.injection.switch_rate[2 * 3 + 0], 1.0 / (400 * 2));
            ck_assert_double_eq(cfg.injection.switch_rate[1 * 3 + 1], 0);
        }
        if (k == 2) /* the generator's diagonal is ignored */
            ck_assert_double_eq(cfg.injection.switch_rate[0], 0);
        assert_roundtrip(&cfg);
        soc_config_t copy;
        ck_assert_int_eq(soc_config_copy(&copy, &cfg), SOC_OK);
        ck_assert_ptr_null(cfg_diff(&cfg, &copy));
        ck_assert_ptr_ne(copy.platform.clusters[0].exec_dist, cl->exec_dist);
        soc_config_free(&copy);
        soc_config_free(&cfg);
    }
}
END_TEST

START_TEST(test_roundtrip_programmatic)
{
    soc_config_t *cfg = ts_cfg_new(4);
    free(cfg->platform.type_names[0]);
    cfg->platform.type_names[0] = strdup("needs: quoting");
    free(cfg->platform.type_names[1]);
    cfg->platform.type_names[1] = strdup("true");
    free(cfg->platform.type_names[2]);
    cfg->platform.type_names[2] = strdup("12");
    free(cfg->platform.type_names[3]);
    cfg->platform.type_names[3] = strdup("gr\xc3\xb6\xc3\x9f" "e \"x\"\\");
    double e1[4] = {1.0 / 3, 1e-7, 123456789.123456789, -1};
    double e2[4] = {0.1, -1, 2.5e11, 7};
    ts_cfg_cluster(cfg, "c 1", 2, e1);
    ts_cfg_cluster(cfg, "-dash", 1, e2);
    soc_platform_t *p = &cfg->platform;
    p->clusters[1].kind = (free(p->clusters[1].kind), NULL);
    p->bw_self = 1e-3;
    p->bw_default = 0.7;
    p->latency_us = 3.14159;
    p->bw = calloc(4, sizeof(double));
    ck_assert_ptr_nonnull(p->bw);
    p->bw[1] = p->bw[2] = 5.5;
    soc_cluster_power_t *pw = calloc(1, sizeof *pw);
    ck_assert_ptr_nonnull(pw);
    pw->governor = strdup("ondemand");
    pw->n_opps = 2;
    pw->opps = calloc(2, sizeof *pw->opps);
    pw->opps[0].freq_mhz = 500.5;
    pw->opps[0].volt_mv = 800;
    pw->opps[1].freq_mhz = 1000;
    pw->opps[1].volt_mv = 950.25;
    pw->n_profiles = 1;
    pw->profiles = calloc(1, sizeof *pw->profiles);
    pw->profiles[0].freq_mhz = 1000;
    pw->profiles[0].watts = calloc(2, sizeof(double));
    pw->profiles[0].watts[0] = 0.1;
    pw->profiles[0].watts[1] = 0.30000000000000004;
    pw->n_pg_profiles = 1;
    pw->pg_profiles = calloc(1, sizeof *pw->pg_profiles);
    pw->pg_profiles[0].freq_mhz = 1000;
    pw->pg_profiles[0].watts = calloc(2, sizeof(double));
    pw->pg_profiles[0].watts[0] = 0.05;
    pw->pg_profiles[0].watts[1] = 0.25;
    pw->n_trip = 3;
    pw->trip_freq_mhz = calloc(3, sizeof(double));
    pw->trip_freq_mhz[0] = -1;
    pw->trip_freq_mhz[1] = 1000;
    pw->trip_freq_mhz[2] = 500.5;
    pw->idle_w = 0.02;
    p->clusters[0].power = pw;

    int types_a[3] = {0, 1, 2};
    double edges_a[2][3] = {{0, 1, 0.1}, {0, 2, 1e9}};
    ts_cfg_app(cfg, "app one", 0.1, 3, types_a, 2, edges_a);
    int types_b[2] = {3, 0};
    double edges_b[1][3] = {{1, 0, 2}};
    ts_cfg_app(cfg, "yes", 0.9, 2, types_b, 1, edges_b);
    cfg->apps[0].deadline_us = 99.5;
    cfg->apps[0].head = 0;
    cfg->apps[0].tail = 2;
    free(cfg->apps[1].tasks[0].name); /* a task without a name */
    cfg->apps[1].tasks[0].name = NULL;
    double times[3] = {0, 0.5, 1e6};
    ts_cfg_trace(cfg, 3, times);
    cfg->injection.trace_apps = malloc(3 * sizeof(int));
    cfg->injection.trace_apps[0] = 1;
    cfg->injection.trace_apps[1] = -1;
    cfg->injection.trace_apps[2] = 0;
    cfg->injection.warmup_us = 0.25;
    cfg->injection.max_in_flight = 3;
    cfg->seed = 12345678901234567ull;
    cfg->scheduler = strdup("neural:w.bin");
    ts_cfg_finalize(cfg);
    assert_roundtrip(cfg);

    /* the comparison itself notices a change (so the round trip above is
     * not vacuous) */
    soc_config_t copy;
    ck_assert_int_eq(soc_config_copy(&copy, cfg), SOC_OK);
    ck_assert_ptr_null(cfg_diff(cfg, &copy));
    copy.apps[0].edges[1].volume = nextafter(1e9, 2e9);
    ck_assert_ptr_nonnull(cfg_diff(cfg, &copy));
    soc_config_free(&copy);

    /* the other arrival kinds, the DS3 block */
    ts_cfg_poisson(cfg, 1.0 / 7, 1000);
    cfg->injection.start_us = 2;
    cfg->injection.sim_time_us = 1e9;
    assert_roundtrip(cfg);
    ts_cfg_periodic(cfg, 33.3, 5);
    cfg->semantics = SOC_SEM_DS3;
    cfg->power_model = 1;
    cfg->ds3 = malloc(sizeof *cfg->ds3);
    soc_ds3_options_default(cfg->ds3);
    cfg->ds3->n_scale_values = 3;
    cfg->ds3->scale_values = malloc(3 * sizeof(int64_t));
    cfg->ds3->scale_values[0] = 100;
    cfg->ds3->scale_values[1] = 200;
    cfg->ds3->scale_values[2] = 500;
    cfg->ds3->n_job_list = 1;
    cfg->ds3->job_list = malloc(sizeof(int *));
    cfg->ds3->job_list[0] = malloc(2 * sizeof(int));
    cfg->ds3->job_list[0][0] = 4;
    cfg->ds3->job_list[0][1] = 1;
    cfg->ds3->C1 = 0.002488;
    cfg->ds3->random_seed = -3;
    assert_roundtrip(cfg);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_writer_errors)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    soc_error_t err = {0};
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(soc_write_yaml(NULL, f, &err), SOC_EINVAL);
    ck_assert_int_eq(soc_write_yaml(cfg, NULL, NULL), SOC_EINVAL);
    /* a one-way bandwidth cannot be said with symmetric pairs */
    soc_platform_t *p = &cfg->platform;
    p->bw = calloc((size_t)(p->n_clusters * p->n_clusters), sizeof(double));
    ck_assert_ptr_nonnull(p->bw);
    p->bw[1] = 2;
    p->bw[p->n_clusters] = 3;
    soc_error_clear(&err);
    ck_assert_int_eq(soc_write_yaml(cfg, f, &err), SOC_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.msg, "symmetric"));
    p->bw[p->n_clusters] = 0; /* one direction given: that is a pair */
    ck_assert_int_eq(soc_write_yaml(cfg, f, NULL), SOC_OK);
    cfg->apps[0].tasks[0].type = 99;
    soc_error_clear(&err);
    ck_assert_int_eq(soc_write_yaml(cfg, f, &err), SOC_EINVAL);
    fclose(f);
    ts_cfg_destroy(cfg);
}
END_TEST

/* -------------------------------------- shipped workloads, examples, default */

static const struct {
    const char *file, *name;
    int n_tasks;
} SHIPPED_APPS[] = {
    /* task counts: the DS3 spec, section 1.1 (add_new_tasks) */
    {"apps/wifi_tx.yaml", "wifi_tx", 27},
    {"apps/wifi_rx.yaml", "wifi_rx", 34},
    {"apps/lag_detection.yaml", "lag_detection", 7},
    {"apps/sct.yaml", "sct", 8},
    {"apps/scr.yaml", "scr", 8},
    {"apps/temporal_mitigation.yaml", "temporal_mitigation", 10},
};

static void load_soc_with_apps(soc_config_t *cfg, const char *soc, int with_top, const char *extra)
{
    char text[1024];
    size_t n = (size_t)snprintf(text, sizeof text, "%splatform: socs/%s\napplications:\n",
                                extra ? extra : "", soc);
    if (with_top)
        n += (size_t)snprintf(text + n, sizeof text - n, "  - apps/top.yaml\n");
    else
        for (size_t i = 0; i < sizeof SHIPPED_APPS / sizeof SHIPPED_APPS[0]; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "  - %s\n", SHIPPED_APPS[i].file);
    snprintf(text + n, sizeof text - n,
             "injection: {arrival: poisson, mean_interarrival_us: 100}\nstop: {jobs: 1}\n");
    char *dir = path_of(SOC_SOURCE_DIR, "workloads");
    load_str_ok(cfg, text, dir);
    free(dir);
}

START_TEST(test_shipped_multiple_bal)
{
    soc_config_t cfg;
    load_soc_with_apps(&cfg, "multiple_bal.yaml", 0, NULL);
    const soc_platform_t *p = &cfg.platform;
    /* DS3 spec 1.2: 17 PEs = 4 A7 + 4 A15 + 2 MM + 4 FFT + 2 VIT + memory */
    ck_assert_str_eq(p->name, "MULTIPLE_BAL");
    ck_assert_int_eq(p->n_pes, 17);
    static const char *const names[] = {"A7", "A15", "MM", "FFT", "VIT", "MEMORY"};
    static const int counts[] = {4, 4, 2, 4, 2, 1};
    for (int c = 0; c < 6; c++) {
        ck_assert_str_eq(p->clusters[c].name, names[c]);
        ck_assert_int_eq(p->clusters[c].count, counts[c]);
    }
    ck_assert_str_eq(p->clusters[0].kind, "LTL");
    ck_assert_str_eq(p->clusters[1].kind, "BIG");
    ck_assert_int_eq(p->clusters[5].is_memory, 1);
    ck_assert_str_eq(p->clusters[p->memory_cluster].name, "MEMORY");
    /* DS3 spec 11 A1: a repeated functionality keeps the FIRST value */
    ck_assert_double_eq(exec_of(p, "A7", "viterbi_decoder"), 1828);
    ck_assert_double_eq(exec_of(p, "A7", "descrambler"), 3);
    ck_assert_double_eq(exec_of(p, "A15", "viterbi_decoder"), 739);
    ck_assert_double_eq(exec_of(p, "VIT", "viterbi_decoder"), 2);
    ck_assert_double_eq(exec_of(p, "MM", "CMM_1"), 22); /* "CMM_1 22 22": 3rd column ignored */
    ck_assert_double_eq(exec_of(p, "A7", "scrambler_encoder"), 22);
    ck_assert(exec_of(p, "FFT", "scrambler_encoder") < 0);
    /* 94 functionality lines on A7, two of them repeats */
    int n = 0;
    for (int t = 0; t < p->n_types; t++)
        n += p->clusters[0].exec_us[t] >= 0;
    ck_assert_int_eq(n, 92);
    /* bandwidths (SoC.MULTIPLE_BAL.txt as quoted in the spec) */
    ck_assert_double_eq(p->bw_self, 10000);
    ck_assert_double_eq(bw_of(p, "A7", "A7"), 1000);
    ck_assert_double_eq(bw_of(p, "A7", "FFT"), 10);
    ck_assert_double_eq(bw_of(p, "FFT", "A15"), 10);
    ck_assert_double_eq(bw_of(p, "FFT", "FFT"), 1000);
    /* power data (spec 1.2 verbatim block) */
    const soc_cluster_power_t *a7 = p->clusters[0].power;
    ck_assert_ptr_nonnull(a7);
    ck_assert_str_eq(a7->governor, "performance");
    ck_assert_int_eq(a7->n_opps, 5);
    ck_assert_double_eq(a7->opps[4].freq_mhz, 1400);
    ck_assert_double_eq(a7->opps[4].volt_mv, 1300);
    ck_assert_int_eq(a7->n_trip, 3);
    ck_assert_double_eq(a7->trip_freq_mhz[0], -1);
    ck_assert_double_eq(a7->trip_freq_mhz[1], 1200);
    ck_assert_int_eq(a7->n_dtpm_trip, 3);
    ck_assert_int_eq(a7->n_profiles, 2);
    ck_assert_double_eq(a7->profiles[0].watts[3], 0.40);
    ck_assert_double_eq(a7->pg_profiles[1].watts[0], 0.27);
    ck_assert_int_eq(p->clusters[1].power->n_opps, 8);
    ck_assert_double_eq(p->clusters[1].power->opps[7].freq_mhz, 2000);
    /* the memory carries DS3's constant memory + GPU power, 0.0473 + 0.1201 W */
    ck_assert_ptr_nonnull(p->clusters[5].power);
    ck_assert_double_eq_tol(p->clusters[5].power->idle_w, 0.1674, 1e-12);
    ck_assert_int_eq(p->clusters[5].power->n_profiles, 0);

    ck_assert_int_eq(cfg.n_apps, 6);
    for (int a = 0; a < 6; a++) {
        ck_assert_str_eq(cfg.apps[a].name, SHIPPED_APPS[a].name);
        ck_assert_int_eq(cfg.apps[a].n_tasks, SHIPPED_APPS[a].n_tasks);
        ck_assert_int_ge(cfg.apps[a].head, 0);
        ck_assert_int_ge(cfg.apps[a].tail, 0);
        ck_assert_int_eq(cfg.apps[a].n_exit, 1); /* every DS3 job ends in its TAIL */
    }
    /* spec 1.1 verbatim: WiFi TX starts at scrambler_encoder, ends at end;
     * comm_vol 0 1 2000 */
    const soc_app_t *tx = &cfg.apps[0];
    ck_assert_str_eq(tx->tasks[tx->head].name, "scrambler_encoder");
    ck_assert_str_eq(tx->tasks[tx->tail].name, "end");
    ck_assert_int_eq(tx->edges[0].src, 0);
    ck_assert_int_eq(tx->edges[0].dst, 1);
    ck_assert_double_eq(tx->edges[0].volume, 2000);
    /* lag detection: xcorr_vector_complex_conj_mul joins tasks 3 and 2
     * (listed in that order), comm_vol 3 4 150 */
    const soc_app_t *lag = &cfg.apps[2];
    int seen = 0;
    for (int e = 0; e < lag->n_edges; e++)
        if (lag->edges[e].dst == 4) {
            ck_assert_int_eq(lag->edges[e].src, seen == 0 ? 3 : 2);
            ck_assert_double_eq(lag->edges[e].volume, 150);
            seen++;
        }
    ck_assert_int_eq(seen, 2);
    assert_roundtrip(&cfg);
    soc_config_free(&cfg);

    /* the power data passes the power model's checks in both semantics */
    load_soc_with_apps(&cfg, "multiple_bal.yaml", 0, "semantics: ds3\npower: true\n");
    soc_config_free(&cfg);
    load_soc_with_apps(&cfg, "multiple_bal.yaml", 0, "power: true\n");
    soc_config_free(&cfg);
}
END_TEST

START_TEST(test_shipped_bal_only_and_top)
{
    soc_config_t cfg;
    load_soc_with_apps(&cfg, "bal_only.yaml", 0, NULL);
    const soc_platform_t *p = &cfg.platform;
    ck_assert_int_eq(p->n_pes, 9); /* 4 A7 + 4 A15 + memory */
    ck_assert_double_eq(exec_of(p, "A7", "viterbi_decoder"), 1828);
    ck_assert_double_eq(p->clusters[1].power->dtpm_trip_freq_mhz[0], 1000);
    assert_roundtrip(&cfg);
    soc_config_free(&cfg);

    load_soc_with_apps(&cfg, "bal_only.yaml", 0, "semantics: ds3\npower: true\n");
    soc_config_free(&cfg);

    load_soc_with_apps(&cfg, "top.yaml", 1, "semantics: ds3\npower: true\n");
    soc_config_free(&cfg);
    load_soc_with_apps(&cfg, "top.yaml", 1, NULL);
    p = &cfg.platform;
    ck_assert_int_eq(p->n_pes, 4);
    /* Topcuoglu's table (schedulers spec 2.1), task_k = n_k */
    ck_assert_double_eq(exec_of(p, "P1", "task_1"), 14);
    ck_assert_double_eq(exec_of(p, "P2", "task_4"), 8);
    ck_assert_double_eq(exec_of(p, "P3", "task_9"), 20);
    ck_assert_double_eq(bw_of(p, "P1", "P2"), 1); /* spec 1.2: CPU<->CPU unspecified -> 1 */
    ck_assert_double_eq(bw_of(p, "P1", "M1"), 2);
    const soc_app_t *top = &cfg.apps[0];
    ck_assert_int_eq(top->n_tasks, 10);
    ck_assert_int_eq(top->n_edges, 15);
    ck_assert_int_eq(top->head, 0);
    ck_assert_int_eq(top->tail, 9);
    double vol = 0;
    for (int e = 0; e < top->n_edges; e++)
        vol += top->edges[e].volume;
    ck_assert_double_eq(vol, 241); /* 18+12+9+11+14+19+16+23+27+23+13+15+17+11+13 */
    soc_config_free(&cfg);
}
END_TEST

/* Topcuoglu et al. (2002) Fig. 2, as in the schedulers spec 2.1 / 2.2. */
static const double TOP_W[10][3] = {{14, 16, 9},  {13, 19, 18}, {11, 13, 19}, {13, 8, 17},
                                    {12, 13, 10}, {13, 16, 9},  {7, 15, 11},  {5, 11, 14},
                                    {18, 12, 20}, {21, 7, 16}};
static const int TOP_E[15][3] = {{1, 2, 18}, {1, 3, 12}, {1, 4, 9},   {1, 5, 11},  {1, 6, 14},
                                 {2, 8, 19}, {2, 9, 16}, {3, 7, 23},  {4, 8, 27},  {4, 9, 23},
                                 {5, 9, 13}, {6, 8, 15}, {7, 10, 17}, {8, 10, 11}, {9, 10, 13}};

START_TEST(test_example_topcuoglu)
{
    char *path = path_of(SOC_SOURCE_DIR, "examples/topcuoglu.yaml");
    soc_config_t cfg;
    load_ok(&cfg, path);
    const soc_platform_t *p = &cfg.platform;
    ck_assert_str_eq(cfg.scheduler, "heft");
    ck_assert_int_eq(p->n_pes, 3);
    ck_assert_int_eq(cfg.n_apps, 1);
    const soc_app_t *a = &cfg.apps[0];
    ck_assert_int_eq(a->n_tasks, 10);
    for (int t = 0; t < 10; t++) {
        char name[8];
        snprintf(name, sizeof name, "n%d", t + 1);
        ck_assert_str_eq(a->tasks[t].name, name);
        for (int pe = 0; pe < 3; pe++)
            ck_assert_double_eq(soc_platform_exec_us(p, a->tasks[t].type, pe), TOP_W[t][pe]);
    }
    ck_assert_int_eq(a->n_edges, 15);
    for (int e = 0; e < 15; e++) {
        ck_assert_int_eq(a->edges[e].src, TOP_E[e][0] - 1);
        ck_assert_int_eq(a->edges[e].dst, TOP_E[e][1] - 1);
        ck_assert_double_eq(a->edges[e].volume, TOP_E[e][2]);
    }
    /* cost = volume between different processors, nothing on the same one */
    for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++)
            ck_assert_double_eq(soc_platform_bandwidth(p, x, y), x == y ? 0 : 1);
    ck_assert_double_eq(p->latency_us, 0);
    ck_assert_int_eq(cfg.injection.kind, SOC_ARRIVAL_TRACE);
    ck_assert_int_eq(cfg.injection.n_times, 1);
    ck_assert_double_eq(cfg.injection.times_us[0], 0);
    soc_config_free(&cfg);
    free(path);
}
END_TEST

START_TEST(test_examples_load)
{
    char *dir = path_of(SOC_SOURCE_DIR, "examples");
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0 ||
            strstr(de->d_name, "sweep") != NULL)
            continue;
        char *path = path_of(dir, de->d_name);
        soc_config_t cfg;
        load_ok(&cfg, path);
        ck_assert_int_gt(cfg.n_apps, 0);
        assert_roundtrip(&cfg);
        soc_config_free(&cfg);
        free(path);
        n++;
    }
    closedir(d);
    ck_assert_int_ge(n, 3);
    free(dir);
}
END_TEST

START_TEST(test_default_config)
{
    const char *text = soc_default_config_yaml();
    ck_assert_ptr_nonnull(text);
    soc_config_t def, ref;
    load_str_ok(&def, text, NULL);
    ck_assert_int_eq(def.semantics, SOC_SEM_NATIVE);
    ck_assert(def.seed == 1);
    ck_assert_int_eq(def.platform.n_pes, 17);
    ck_assert_int_eq(def.n_apps, 6);
    /* DS3's default job_probabilities [0.2,0.2,0.2,0.1,0.1,0.2] */
    static const double share[6] = {0.2, 0.2, 0.2, 0.1, 0.1, 0.2};
    for (int a = 0; a < 6; a++) {
        ck_assert_str_eq(def.apps[a].name, SHIPPED_APPS[a].name);
        ck_assert_double_eq(def.apps[a].probability, share[a]);
    }
    ck_assert_int_eq(def.injection.kind, SOC_ARRIVAL_POISSON);
    ck_assert(def.injection.mean_us >= 100 && def.injection.mean_us <= 200);
    ck_assert_int_eq(def.injection.max_jobs, 2000);
    ck_assert(def.injection.warmup_us > 0);
    /* the same figures as the shipped SoC and application files */
    load_soc_with_apps(&ref, "multiple_bal.yaml", 0, NULL);
    ref.scheduler = def.scheduler ? strdup(def.scheduler) : NULL;
    ref.injection.mean_us = def.injection.mean_us;
    ref.injection.max_jobs = def.injection.max_jobs;
    ref.injection.warmup_us = def.injection.warmup_us;
    for (int a = 0; a < 6; a++)
        ref.apps[a].probability = share[a];
    const char *d = cfg_diff(&def, &ref);
    ck_assert_msg(d == NULL, "default differs from the shipped files in %s", d ? d : "");
    soc_config_free(&ref);
    soc_config_free(&def);
}
END_TEST

/* ------------------------------------------------------------- bad input */

static const struct bad_case {
    const char *file;
    int code, line, col;
    const char *fragment;
    const char *in_file; /* the file the error is in, if not `file` */
} BAD[] = {
    {"syntax.yaml", SOC_EPARSE, 4, 1, "malformed YAML", NULL},
    {"deep.yaml", SOC_ELIMIT, 3, 75, "nesting too deep", NULL},
    {"tab.yaml", SOC_EPARSE, 6, 1, "malformed YAML", NULL},
    {"utf8.yaml", SOC_EPARSE, 10, 13, "UTF-8", NULL},
    {"two_docs.yaml", SOC_ECONFIG, 21, 1, "one YAML document", NULL},
    {"empty.yaml", SOC_ECONFIG, 1, 1, "no YAML document", NULL},
    {"broken_app_ref.yaml", SOC_EPARSE, 4, 6, "malformed YAML", "apps/broken.yaml"},
    {"unknown_key.yaml", SOC_ECONFIG, 3, 1, "did you mean 'scheduler'?", NULL},
    {"unknown_key_nested.yaml", SOC_ECONFIG, 8, 7, "did you mean 'exec_us'?", NULL},
    {"unknown_key_far.yaml", SOC_ECONFIG, 18, 3, "valid keys: arrival", NULL},
    {"ds3_unknown.yaml", SOC_ECONFIG, 21, 3, "did you mean 'max_jobs'?", NULL},
    {"duplicate_key.yaml", SOC_ECONFIG, 4, 1, "duplicate key 'seed'", NULL},
    {"missing_key.yaml", SOC_ECONFIG, 2, 1, "missing required key 'applications'", NULL},
    {"wrong_type.yaml", SOC_ECONFIG, 7, 14, "expected an integer, got 'four'", NULL},
    {"quoted_number.yaml", SOC_ECONFIG, 7, 14, "expected an integer", NULL},
    {"not_mapping.yaml", SOC_ECONFIG, 4, 11, "must be a mapping", NULL},
    {"alias_bomb.yaml", SOC_ECONFIG, 17, 14, "expected a number, got a list", NULL},
    {"bad_enum.yaml", SOC_ECONFIG, 4, 12, "did you mean 'native'?", NULL},
    {"governor.yaml", SOC_ECONFIG, 10, 19, "did you mean 'performance'?", NULL},
    {"negative.yaml", SOC_ECONFIG, 8, 27, "must not be negative", NULL},
    {"negative_seed.yaml", SOC_ECONFIG, 2, 7, "must not be negative", NULL},
    {"nan.yaml", SOC_ECONFIG, 8, 34, "not a finite number", NULL},
    {"inf.yaml", SOC_ECONFIG, 17, 25, "not a finite number", NULL},
    {"absurd.yaml", SOC_ECONFIG, 17, 25, "absurdly large", NULL},
    {"absurd_count.yaml", SOC_ECONFIG, 7, 14, "absurdly large", NULL},
    {"zero_period.yaml", SOC_ECONFIG, 17, 25, "must be positive", NULL},
    {"profile_len.yaml", SOC_ECONFIG, 14, 20, "has 3 values, but cluster 'cpu' has 2 PEs", NULL},
    {"empty_apps.yaml", SOC_ECONFIG, 9, 15, "the list is empty", NULL},
    {"no_tasks.yaml", SOC_ECONFIG, 11, 12, "has no tasks", NULL},
    {"cycle.yaml", SOC_ECYCLE, 13, 9, "cycle: a -> b -> c -> a", NULL},
    {"self_loop.yaml", SOC_ECYCLE, 15, 9, "task 'b' depends on itself", NULL},
    {"duplicate_edge.yaml", SOC_ECONFIG, 15, 9, "edge a -> b is listed twice (first at line 13)",
     NULL},
    {"disconnected.yaml", SOC_ECONFIG, 13, 19, "not connected: task 'c'", NULL},
    {"unknown_task.yaml", SOC_ECONFIG, 14, 13, "no task 'cc'; did you mean 'c'?", NULL},
    {"task_index.yaml", SOC_ECONFIG, 14, 13, "task index 7 is out of range", NULL},
    {"head_unknown.yaml", SOC_ECONFIG, 11, 11, "no task 'z'", NULL},
    {"unsupported_type.yaml", SOC_ECONFIG, 14, 9,
     "type 'vector_fft', which no processing element can run", NULL},
    {"memory_exec.yaml", SOC_ECONFIG, 11, 16, "runs no tasks", NULL},
    {"dup_app.yaml", SOC_ECONFIG, 15, 5, "application name 'app' is used twice", NULL},
    {"dup_cluster.yaml", SOC_ECONFIG, 9, 13, "cluster name 'cpu' is used twice", NULL},
    {"bw_cluster.yaml", SOC_ECONFIG, 11, 15, "unknown cluster 'gpu'", NULL},
    {"prob_sum.yaml", SOC_ECONFIG, 10, 3, "sum to 0.9, not 1", NULL},
    {"mix_sum.yaml", SOC_ECONFIG, 19, 8, "sum to 0.6, not 1", NULL},
    {"partial_prob.yaml", SOC_ECONFIG, 16, 5, "application 'other' has no probability", NULL},
    {"mix_unknown.yaml", SOC_ECONFIG, 17, 9, "unknown application 'ap'; did you mean 'app'?", NULL},
    {"no_limit.yaml", SOC_ECONFIG, 16, 3, "stop.jobs or stop.time_us", NULL},
    {"wrong_arrival_key.yaml", SOC_ECONFIG, 17, 14, "period_us does not apply to arrival: poisson",
     NULL},
    {"times_decrease.yaml", SOC_ECONFIG, 17, 21, "must not decrease", NULL},
    {"trace_apps.yaml", SOC_ECONFIG, 18, 9, "apps has 2 entries but times_us has 3", NULL},
    {"ds3_job_list.yaml", SOC_ECONFIG, 21, 14, "one job count per application", NULL},
    {"missing_platform_file.yaml", SOC_EIO, 4, 11, "socs/nowhere.yaml", NULL},
    /* distributions and arrival processes (issue 13) */
    {"dist_hyper_cv.yaml", SOC_ECONFIG, 8, 65, "hyperexponential needs cv >= 1", NULL},
    {"dist_weights.yaml", SOC_ECONFIG, 8, 70, "weights sum to 0.9, not 1", NULL},
    {"dist_wrong_key.yaml", SOC_ECONFIG, 8, 56, "cv does not apply to dist: exponential", NULL},
    {"dist_negative_mean.yaml", SOC_ECONFIG, 8, 51, "mean: must be positive", NULL},
    {"dist_unknown.yaml", SOC_ECONFIG, 8, 34, "did you mean 'exponential'?", NULL},
    {"dist_ds3.yaml", SOC_ECONFIG, 9, 27, "distributions need semantics: native", NULL},
    {"dist_uniform.yaml", SOC_ECONFIG, 8, 56, "must not be below min", NULL},
    {"mmpp_switch.yaml", SOC_ECONFIG, 16, 11, "too many entries (3, at most 2)", NULL},
    {"batch_trace.yaml", SOC_ECONFIG, 16, 10, "batch does not apply to arrival: trace", NULL},
    {"on_full.yaml", SOC_ECONFIG, 17, 12, "did you mean 'drop'?", NULL},
    {"renewal_missing.yaml", SOC_ECONFIG, 14, 3, "needs interarrival", NULL},
    {"estimate_interarrival.yaml", SOC_ECONFIG, 15, 48, "estimate_us applies to execution times",
     NULL},
    {"batch_fraction.yaml", SOC_ECONFIG, 16, 40, "expected an integer, got '2.5'", NULL},
    {"missing_app_file.yaml", SOC_EIO, 10, 5, "apps/nowhere.yaml", NULL},
    /* derived durations that int64 ns cannot hold, sub-ns intervals (issue 11) */
    {"tiny_bandwidth.yaml", SOC_ECONFIG, 8, 5, "take 1e+23 us at the lowest bandwidth", NULL},
    {"shm_bandwidth.yaml", SOC_ECONFIG, 9, 5, "through the memory", NULL},
    {"slow_frequency.yaml", SOC_ECONFIG, 4, 7, "takes 1e+15 us at 1 MHz", NULL},
    {"sub_ns_mean.yaml", SOC_ECONFIG, 6, 53, "below 1 ns", NULL},
    {"sub_ns_period.yaml", SOC_ECONFIG, 6, 43, "below 1 ns", NULL},
    {"sub_ns_stop.yaml", SOC_ECONFIG, 7, 17, "rounds to 0 ns", NULL},
    {"sub_ns_deadline.yaml", SOC_ECONFIG, 5, 5, "deadline 1e-07 us rounds to 0 ns", NULL},
};

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

START_TEST(test_bad_input)
{
    const struct bad_case *bc = &BAD[_i];
    char rel[128];
    snprintf(rel, sizeof rel, "bad/%s", bc->file);
    char *path = path_of(DATA, rel);
    soc_config_t cfg;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_load_yaml(&cfg, path, &err);
    soc_error_format(&err, buf, sizeof buf);
    ck_assert_msg(rc == bc->code, "%s: got %s, want %s (%s)", bc->file, soc_status_name(rc),
                  soc_status_name(bc->code), buf);
    ck_assert_int_eq(err.code, rc);
    ck_assert_msg(err.line == bc->line && err.col == bc->col, "%s: at %d:%d, want %d:%d (%s)",
                  bc->file, err.line, err.col, bc->line, bc->col, buf);
    ck_assert_msg(strstr(err.msg, bc->fragment) != NULL, "%s: message lacks \"%s\": %s", bc->file,
                  bc->fragment, buf);
    ck_assert_msg(ends_with(err.file, bc->in_file ? bc->in_file : bc->file), "%s: file is %s",
                  bc->file, err.file);
    /* a failed load leaves nothing behind */
    ck_assert_int_eq(cfg.n_apps, 0);
    ck_assert_ptr_null(cfg.apps);
    ck_assert_ptr_null(cfg.platform.clusters);
    ck_assert_ptr_null(cfg.source);
    /* without an error record it fails the same way */
    ck_assert_int_eq(soc_load_yaml(&cfg, path, NULL), bc->code);
    free(path);
}
END_TEST

START_TEST(test_bad_api_use)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_load_yaml(NULL, "x.yaml", &err), SOC_EINVAL);
    ck_assert_int_eq(soc_load_yaml(&cfg, NULL, NULL), SOC_EINVAL);
    ck_assert_int_eq(soc_load_yaml_string(&cfg, NULL, "n", NULL, NULL), SOC_EINVAL);
    /* a missing top-level file names itself */
    soc_error_clear(&err);
    ck_assert_int_eq(soc_load_yaml(&cfg, DATA "/bad/no_such_file.yaml", &err), SOC_EIO);
    ck_assert(ends_with(err.file, "no_such_file.yaml"));
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read"));
    /* a directory is not a config file */
    soc_error_clear(&err);
    ck_assert_int_eq(soc_load_yaml(&cfg, DATA "/bad", &err), SOC_EIO);
    /* the first error wins: a set record is left alone */
    soc_error_clear(&err);
    soc_error_set(&err, SOC_EPROTO, "earlier", 1, 1, "earlier failure");
    ck_assert_int_eq(soc_load_yaml_string(&cfg, "seed: [", "s", NULL, &err), SOC_EPARSE);
    ck_assert_int_eq(err.code, SOC_EPROTO);
    ck_assert_str_eq(err.msg, "earlier failure");
    /* string input reports its name and positions too */
    soc_error_clear(&err);
    ck_assert_int_eq(soc_load_yaml_string(&cfg, "seed: 1\nfoo: 2\n", "mem.yaml", NULL, &err),
                     SOC_ECONFIG);
    ck_assert_str_eq(err.file, "mem.yaml");
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.col, 1);
}
END_TEST

/* Damaged copies of a real file (cut short, bytes overwritten) must each
 * load or fail cleanly with a message: never crash (ASan builds check the
 * memory side).  A fixed LCG keeps the damage the same on every run. */
START_TEST(test_damaged_input)
{
    const char *orig = soc_default_config_yaml();
    size_t len = strlen(orig);
    char *text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    uint64_t s = 42;
    int failed = 0, runs = 0;
    for (int k = 0; k < 160; k++) {
        memcpy(text, orig, len + 1);
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        size_t at = (size_t)(s >> 33) % len;
        if (k % 2 == 0) {
            text[at] = '\0'; /* cut short */
        } else {
            static const char junk[] = "{}[]:,-&*!|>'\"%@`#?\t\n 0.9e-";
            for (int j = 0; j < 4 && at + (size_t)j < len; j++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                text[at + (size_t)j] = junk[(s >> 33) % (sizeof junk - 1)];
            }
        }
        soc_config_t cfg;
        soc_error_t err = {0};
        int rc = soc_load_yaml_string(&cfg, text, "damaged", NULL, &err);
        runs++;
        if (rc != SOC_OK) {
            failed++;
            ck_assert_int_lt(rc, 0);
            ck_assert_int_eq(err.code, rc);
            ck_assert_int_gt((int)strlen(err.msg), 0);
        }
        soc_config_free(&cfg);
    }
    ck_assert_int_eq(runs, 160);
    ck_assert_int_gt(failed, 40); /* the damage is real, not cosmetic */
    free(text);
}
END_TEST

/* The duration limits sit exactly where docs/config.md says: a transfer of
 * 1000 units at bandwidth 1e-9 takes 1e12 us (accepted), a hair less
 * bandwidth is refused; a 1 ns period is accepted, less is refused; and
 * the library's own conversion saturates instead of wrapping. */
START_TEST(test_duration_limits)
{
    static const char *const fmt =
        "platform:\n"
        "  clusters:\n"
        "    - {name: a, count: 1, exec_us: {x: 10, y: 10}}\n"
        "    - {name: b, count: 1, exec_us: {y: 10}}\n"
        "  communication: {bandwidth_default: %s}\n"
        "applications:\n"
        "  - {name: app, tasks: [x, y], edges: [[x, y, 1000]]}\n"
        "injection: {arrival: periodic, period_us: %s}\n"
        "stop: {jobs: 2}\n";
    static const struct {
        const char *bw, *period;
        int ok;
    } C[] = {{"1e-9", "0.001", 1}, {"0.99e-9", "1", 0}, {"1", "0.00099", 0}, {"1e-300", "1", 0}};
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, fmt, C[i].bw, C[i].period);
        soc_config_t cfg;
        soc_error_t err = {0};
        int rc = soc_load_yaml_string(&cfg, text, "limits", NULL, &err);
        ck_assert_msg((rc == SOC_OK) == C[i].ok, "case %zu: rc %d (%s)", i, rc, err.msg);
        if (!C[i].ok)
            ck_assert_int_gt(err.line, 0);
        soc_config_free(&cfg);
    }
    ck_assert(soc_time_from_us(1e300) == SOC_TIME_NEVER);
    ck_assert(soc_time_from_us(-1e300) == -SOC_TIME_NEVER);
    ck_assert(soc_time_from_us(NAN) == 0);
    ck_assert(soc_time_from_us(1e12) == (soc_time_t)1000000000000000);
}
END_TEST

/* Scaling a cluster's count (a PE-count sweep) needs no edit of its power
 * block while power is off: the block, written for 4 PEs, is dropped for
 * that cluster only.  With power on, the error says what to change. */
START_TEST(test_count_without_power)
{
    char *path = path_of(SOC_SOURCE_DIR, "examples/poisson_soc.yaml");
    const char *const off[] = {"platform.clusters.A7.count=1024", "power=false", NULL};
    soc_config_t cfg;
    soc_error_t err = {0};
    int rc = soc_load_yaml_with_overrides(&cfg, path, off, &err);
    ck_assert_msg(rc == SOC_OK, "%s", err.msg);
    ck_assert_int_eq(cfg.platform.clusters[0].count, 1024);
    ck_assert_int_eq(cfg.platform.n_pes, 1024 + 4 + 2 + 4 + 2 + 1);
    ck_assert_ptr_null(cfg.platform.clusters[0].power);
    ck_assert_ptr_nonnull(cfg.platform.clusters[1].power); /* A15 keeps its block */
    ck_assert_int_eq(cfg.platform.clusters[1].power->profiles[0].freq_mhz > 0, 1);
    soc_config_free(&cfg);

    const char *const on[] = {"platform.clusters.A7.count=1024", "power=true", NULL};
    soc_error_clear(&err);
    ck_assert_int_eq(soc_load_yaml_with_overrides(&cfg, path, on, &err), SOC_ECONFIG);
    ck_assert_msg(strstr(err.msg, "has 1024 PEs") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "give every row 1024 values") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "power: false") != NULL, "%s", err.msg);
    /* the same count with power on and rows of the right length loads */
    const char *const same[] = {"platform.clusters.A7.count=4", "power=true", NULL};
    soc_error_clear(&err);
    rc = soc_load_yaml_with_overrides(&cfg, path, same, &err);
    ck_assert_msg(rc == SOC_OK, "%s", err.msg);
    ck_assert_ptr_nonnull(cfg.platform.clusters[0].power);
    soc_config_free(&cfg);
    free(path);
}
END_TEST

static Suite *yaml_suite(void)
{
    Suite *s = suite_create("yaml");
    TCase *tc = tcase_create("good");
    tcase_add_test(tc, test_every_key);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_references);
    tcase_add_test(tc, test_roundtrip_programmatic);
    tcase_add_test(tc, test_roundtrip_stochastic);
    tcase_add_test(tc, test_writer_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("shipped");
    tcase_add_test(tc, test_shipped_multiple_bal);
    tcase_add_test(tc, test_count_without_power);
    tcase_add_test(tc, test_shipped_bal_only_and_top);
    tcase_add_test(tc, test_example_topcuoglu);
    tcase_add_test(tc, test_examples_load);
    tcase_add_test(tc, test_default_config);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad");
    tcase_add_loop_test(tc, test_bad_input, 0, (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(tc, test_bad_api_use);
    tcase_add_test(tc, test_damaged_input);
    tcase_add_test(tc, test_duration_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ts_run_suite(yaml_suite()); }
