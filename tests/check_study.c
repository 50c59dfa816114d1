/*
 * check_study.c -- the study layer (soc/study.h) and the pieces of the
 * engine it stands on: DS3's repeat rules, chains of runs with DVFS
 * carry-over, sweeps run in process and on workers, the metric table, and
 * 64-bit seeds.
 */
#define _GNU_SOURCE /* mkdtemp, strdup */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soc/ds3.h"
#include "soc/metrics.h"
#include "soc/schedulers.h"
#include "soc/study.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "test_support.h"

#define CHAIN "tests/data/study/ds3_chain.yaml"

/* The chain config with the CPU clusters under the ondemand governor, so
 * that a run's DVFS state depends on the run before it. */
static const char *const ONDEMAND[] = {"platform.clusters.A7.power.governor=ondemand",
                                       "platform.clusters.A15.power.governor=ondemand", NULL};

static soc_config_t *load_chain(const char *const *ov)
{
    soc_config_t *cfg = calloc(1, sizeof *cfg);
    char *path = ts_path(SOC_SOURCE_DIR, CHAIN);
    soc_error_t err = {0};
    char buf[1200];
    ck_assert_msg(soc_load_yaml_with_overrides(cfg, path, ov, &err) == SOC_OK, "%s",
                  soc_error_format(&err, buf, sizeof buf));
    ck_assert_int_eq(soc_config_finalize(cfg, &err), SOC_OK);
    free(path);
    return cfg;
}

static void free_cfg(soc_config_t *cfg)
{
    soc_config_free(cfg);
    free(cfg);
}

/* ------------------------------------------------------------- runs */

START_TEST(runs_native_is_one)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    soc_run_id_t *r;
    int n;
    ck_assert_int_eq(soc_study_runs(cfg, &r, &n, NULL), SOC_OK);
    ck_assert_int_eq(n, 1);
    ck_assert(r[0].scale == 0 && r[0].iteration == 0);
    free(r);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(runs_ds3_scale_major)
{
    soc_config_t *cfg = load_chain(NULL);
    soc_run_id_t *r;
    int n;
    ck_assert_int_eq(soc_study_runs(cfg, &r, &n, NULL), SOC_OK);
    ck_assert_int_eq(n, 6);
    static const int64_t scale[] = {300, 300, 300, 500, 500, 500};
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(r[i].scale, scale[i]);
        ck_assert_int_eq(r[i].iteration, i % 3);
    }
    free(r);
    /* validation mode: one run */
    cfg->ds3->validation = 1;
    ck_assert_int_eq(soc_study_runs(cfg, &r, &n, NULL), SOC_OK);
    ck_assert_int_eq(n, 1);
    free(r);
    free_cfg(cfg);
}
END_TEST

START_TEST(runs_nothing_is_an_error)
{
    soc_config_t *cfg = load_chain(NULL);
    soc_run_id_t *r = NULL;
    int n = -1;
    soc_error_t err = {0};
    cfg->ds3->num_of_iterations = 0;
    ck_assert_int_eq(soc_study_runs(cfg, &r, &n, &err), SOC_ECONFIG);
    ck_assert_ptr_null(r);
    ck_assert(strstr(err.msg, "num_of_iterations") != NULL);
    cfg->ds3->num_of_iterations = 2;
    cfg->ds3->n_scale_values = 0; /* given, and empty */
    soc_error_clear(&err);
    ck_assert_int_eq(soc_study_runs(cfg, &r, &n, &err), SOC_ECONFIG);
    ck_assert(strstr(err.msg, "scale_values") != NULL);
    free_cfg(cfg);
}
END_TEST

/* ----------------------------------------------------------- chains */

typedef struct collect {
    int n;
    double energy[8], latency[8];
    char *cells[8];
} collect_t;

static int collect_run(void *user, int index, const soc_run_id_t *run, soc_sim_t *sim)
{
    collect_t *c = user;
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    int64_t scale;
    int it;
    ck_assert_int_eq(soc_ds3_sim_run_info(sim, &scale, &it), SOC_OK);
    ck_assert(scale == run->scale && it == run->iteration);
    ck_assert_int_eq(index, c->n);
    c->energy[c->n] = m.energy_j;
    c->latency[c->n] = m.avg_latency_us;
    c->cells[c->n] = soc_metrics_csv(&m);
    c->n++;
    return SOC_OK;
}

static void run_chain(const soc_config_t *cfg, collect_t *c)
{
    memset(c, 0, sizeof *c);
    soc_study_hooks_t h = {NULL, NULL, NULL, NULL, collect_run, c};
    soc_error_t err = {0};
    ck_assert_int_eq(soc_study_run_config(cfg, soc_sched_find("etf"), NULL, &h, &err), SOC_OK);
}

static void collect_free(collect_t *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->cells[i]);
}

/* Each run of a chain on its own, fresh: what the chain must NOT equal. */
static double fresh_energy(const soc_config_t *cfg, int64_t scale, int iteration)
{
    soc_sim_options_t o = {sizeof o, soc_sched_find("etf"), NULL, NULL, NULL, NULL, NULL};
    soc_ds3_run_t run = {sizeof run, scale, iteration, NULL};
    soc_sim_t *sim;
    ck_assert_int_eq(soc_ds3_sim_create(&sim, cfg, &o, &run, NULL), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, NULL), SOC_OK);
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    double e = m.energy_j;
    soc_sim_destroy(sim);
    return e;
}

START_TEST(chain_carries_dvfs_state)
{
    soc_config_t *cfg = load_chain(ONDEMAND);
    collect_t c;
    run_chain(cfg, &c);
    ck_assert_int_eq(c.n, 6);
    /* the first run starts fresh; a later one does not (ondemand) */
    ck_assert_double_eq(c.energy[0], fresh_energy(cfg, 300, 0));
    int differs = 0;
    for (int i = 1; i < 6; i++)
        differs |= c.energy[i] != fresh_energy(cfg, i < 3 ? 300 : 500, i % 3);
    ck_assert_msg(differs, "carry-over made no difference under ondemand");
    /* and the chain is deterministic */
    collect_t d;
    run_chain(cfg, &d);
    for (int i = 0; i < 6; i++)
        ck_assert_str_eq(c.cells[i], d.cells[i]);
    collect_free(&c);
    collect_free(&d);
    free_cfg(cfg);
}
END_TEST

START_TEST(carry_needs_a_ds3_sim)
{
    soc_config_t *ds3 = load_chain(NULL), *nat = ts_cfg_topcuoglu();
    ts_cfg_finalize(nat);
    soc_sim_options_t o = {sizeof o, soc_sched_find("etf"), NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *native = NULL, *sim = NULL;
    ck_assert_int_eq(soc_sim_create(&native, nat, &o, NULL), SOC_OK);
    ck_assert_str_eq(soc_sim_engine_name(native), "native");
    soc_ds3_run_t run = {sizeof run, 300, 0, native};
    soc_error_t err = {0};
    ck_assert_int_eq(soc_ds3_sim_create(&sim, ds3, &o, &run, &err), SOC_EINVAL);
    ck_assert_ptr_null(sim);
    /* a native config is not a DS3 one */
    ck_assert_int_eq(soc_ds3_sim_create(&sim, nat, &o, NULL, &err), SOC_EINVAL);
    /* and the DS3 engine answers what it does not offer */
    ck_assert_int_eq(soc_sim_create(&sim, ds3, &o, NULL), SOC_OK);
    ck_assert_str_eq(soc_sim_engine_name(sim), "ds3");
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sim_next_decision(sim, NULL, &err), SOC_EUNSUPPORTED);
    ck_assert(strstr(err.msg, "ds3") != NULL);
    ck_assert_int_eq(soc_sim_reset(sim, 3, NULL), SOC_EUNSUPPORTED);
    ck_assert_int_eq(soc_ds3_sim_run_info(native, NULL, NULL), SOC_EUNSUPPORTED);
    soc_sim_destroy(sim);
    soc_sim_destroy(native);
    free_cfg(ds3);
    ts_cfg_destroy(nat);
}
END_TEST

/* A sweep over the chain's config gives the chain's rows, in process and
 * on 1 or 3 workers: each chain stays whole and in order on one worker. */
static char *write_sweep(const char *dir)
{
    char *base = ts_path(SOC_SOURCE_DIR, CHAIN);
    char *path = malloc(strlen(dir) + 32);
    sprintf(path, "%s/sweep.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "base: %s\nset:\n  platform.clusters.A7.power.governor: ondemand\n"
            "  platform.clusters.A15.power.governor: ondemand\n"
            "axes:\n  scheduler: [etf, met]\n",
            base);
    fclose(f);
    free(base);
    return path;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

START_TEST(sweep_keeps_chains_whole)
{
    char tmpl[] = "/tmp/check_study_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char *sp = write_sweep(tmpl);
    soc_sweep_t *s;
    soc_error_t err = {0};
    char buf[1200];
    ck_assert_msg(soc_sweep_load(&s, sp, soc_sched_catalog(), NULL, &err) == SOC_OK, "%s",
                  soc_error_format(&err, buf, sizeof buf));
    ck_assert_int_eq(soc_sweep_n_points(s), 12);
    ck_assert_int_eq(soc_sweep_n_units(s), 2);
    int first, n;
    soc_sweep_unit(s, 1, &first, &n);
    ck_assert(first == 6 && n == 6);
    /* in process: unit 0 (etf) equals the chain run directly */
    soc_config_t *cfg = load_chain(ONDEMAND);
    collect_t c;
    run_chain(cfg, &c);
    char **cells;
    ck_assert_int_eq(soc_sweep_run_unit(s, 0, &cells, &err), SOC_OK);
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(cells[i], c.cells[i]);
        free(cells[i]);
    }
    free(cells);
    /* on workers: the same bytes with 1 and 3 workers */
    char d1[600], d3[600];
    snprintf(d1, sizeof d1, "%s/w1", tmpl);
    snprintf(d3, sizeof d3, "%s/w3", tmpl);
    soc_sweep_exec_t x1 = {sizeof x1, 1, 0, 0, NULL, NULL, NULL, NULL};
    soc_sweep_exec_t x3 = {sizeof x3, 3, 0, 0, NULL, NULL, NULL, NULL};
    ck_assert_int_eq(soc_sweep_execute(s, d1, &x1, NULL, &err), SOC_OK);
    ck_assert_int_eq(soc_sweep_execute(s, d3, &x3, NULL, &err), SOC_OK);
    char p1[700], p3[700];
    snprintf(p1, sizeof p1, "%s/results.csv", d1);
    snprintf(p3, sizeof p3, "%s/results.csv", d3);
    char *r1 = read_file(p1), *r3 = read_file(p3);
    ck_assert_str_eq(r1, r3);
    /* every etf row carries the chain's cells */
    for (int i = 0; i < 6; i++)
        ck_assert_msg(strstr(r1, c.cells[i]) != NULL, "run %d of the chain is not in the sweep", i);
    free(r1);
    free(r3);
    collect_free(&c);
    free_cfg(cfg);
    soc_sweep_free(s);
    free(sp);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(sweep_refuses_duplicate_set_keys)
{
    char tmpl[] = "/tmp/check_study_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char path[600];
    snprintf(path, sizeof path, "%s/dup.yaml", tmpl);
    char *base = ts_path(SOC_SOURCE_DIR, CHAIN);
    FILE *f = fopen(path, "w");
    fprintf(f, "base: %s\nset:\n  ds3.max_jobs: 10\n  ds3.max_jobs: 20\naxes: {scheduler: [etf]}\n",
            base);
    fclose(f);
    free(base);
    soc_sweep_t *s = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sweep_load(&s, path, soc_sched_catalog(), NULL, &err), SOC_ECONFIG);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err.line, 4);
    ck_assert(strstr(err.msg, "twice") != NULL);
    unlink(path);
    rmdir(tmpl);
}
END_TEST

/* A product of axes over the point limit (or the cell limit: points x
 * columns) is refused before any point is made, and a large legal one expands in linear time (fuzzing found the
 * quadratic growth). */
START_TEST(sweep_size_limits)
{
    char tmpl[] = "/tmp/check_study_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    char path[600];
    snprintf(path, sizeof path, "%s/big.yaml", tmpl);
    char *base = ts_path(SOC_SOURCE_DIR, "examples/topcuoglu.yaml");
    FILE *f = fopen(path, "w");
    fprintf(f, "base: %s\naxes:\n  seed: {from: 1, to: 5000}\n  stop.jobs: {from: 1, to: 5000}\n",
            base);
    fclose(f);
    soc_sweep_t *s = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sweep_load(&s, path, soc_sched_catalog(), NULL, &err), SOC_ELIMIT);
    ck_assert(strstr(err.msg, "25000000 points") != NULL);
    ck_assert_int_eq(err.line, 3); /* the axes mapping */
    /* within the point limit, but not the cells' (points x columns) */
    f = fopen(path, "w");
    fprintf(f,
            "base: %s\naxes:\n  seed: {from: 1, to: 1000}\n  stop.jobs: {from: 1, to: 1000}\n"
            "  scheduler: [heft, etf, met, peft, cpop]\n  injection.max_in_flight: [1, 2]\n",
            base);
    fclose(f);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(soc_sweep_load(&s, path, soc_sched_catalog(), NULL, &err), SOC_ELIMIT);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, "10000000 points of 4 columns") != NULL, "%s", err.msg);
    ck_assert_int_eq(err.line, 3);
    f = fopen(path, "w");
    fprintf(f, "base: %s\naxes:\n  seed: {from: 1, to: 1000}\n  stop.jobs: {from: 1, to: 1000}\n",
            base);
    fclose(f);
    ck_assert_int_eq(soc_sweep_load(&s, path, soc_sched_catalog(), NULL, &err), SOC_OK);
    ck_assert_int_eq(soc_sweep_n_points(s), 1000000);
    char *c = soc_sweep_point_cells(s, 999999);
    ck_assert_str_eq(c, "999999,1000,1000");
    free(c);
    soc_sweep_free(s);
    free(base);
    unlink(path);
    rmdir(tmpl);
}
END_TEST

/* ------------------------------------------------------------ seeds */

static double latency_with_seed(soc_config_t *cfg, uint64_t seed, char **json)
{
    cfg->seed = seed;
    soc_sim_options_t o = {sizeof o, soc_sched_find("met"), NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *sim;
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &o, NULL), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, NULL), SOC_OK);
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    if (json != NULL)
        *json = soc_study_run_json(sim);
    soc_sim_destroy(sim);
    return m.avg_latency_us;
}

START_TEST(seeds_use_all_64_bits)
{
    /* a Poisson mix: every draw of the generator shows in the latency */
    soc_config_t *cfg = ts_cfg_new(2);
    const double ex[2] = {10, 15};
    ts_cfg_cluster(cfg, "c", 2, ex);
    const int types[2] = {0, 1};
    const double e[1][3] = {{0, 1, 0}};
    ts_cfg_app(cfg, "a", 0.5, 2, types, 1, e);
    ts_cfg_app(cfg, "b", 0.5, 1, types, 0, NULL);
    ts_cfg_poisson(cfg, 12, 400);
    ts_cfg_finalize(cfg);
    double l1 = latency_with_seed(cfg, 1, NULL);
    ck_assert(l1 == latency_with_seed(cfg, 1, NULL)); /* deterministic */
    ck_assert(l1 != latency_with_seed(cfg, 4294967297ull, NULL)); /* 2^32 + 1 */
    ck_assert(l1 != latency_with_seed(cfg, 2, NULL));
    /* 0 is a seed like any other, not GSL's default 4357 */
    ck_assert(latency_with_seed(cfg, 0, NULL) != latency_with_seed(cfg, 4357, NULL));
    double top = latency_with_seed(cfg, UINT64_MAX, NULL);
    ck_assert(top != latency_with_seed(cfg, UINT64_MAX >> 32, NULL));
    char *json;
    latency_with_seed(cfg, UINT64_MAX, &json);
    ck_assert(strstr(json, "\"seed\":18446744073709551615") != NULL);
    free(json);
    ts_cfg_destroy(cfg);
}
END_TEST

/* ----------------------------------------------------- metric table */

START_TEST(metric_table_drives_every_format)
{
    int n;
    const soc_metric_field_t *f = soc_metric_fields(&n);
    ck_assert_int_ge(n, 15);
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    soc_sim_options_t o = {sizeof o, soc_sched_find("heft"), NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *sim;
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &o, NULL), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, NULL), SOC_OK);
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    char *json = soc_metrics_json(&m, NULL), *csv = soc_metrics_csv(&m);
    const char *hdr = soc_metrics_csv_header();
    /* CSV: one cell per field, header and values alike */
    int commas = 0, hcommas = 0;
    for (const char *p = csv; *p; p++)
        commas += *p == ',';
    for (const char *p = hdr; *p; p++)
        hcommas += *p == ',';
    ck_assert_int_eq(commas, n);
    ck_assert_int_eq(hcommas, n);
    for (int i = 0; i < n; i++) {
        char key[80];
        snprintf(key, sizeof key, "\"%s\":", f[i].name);
        ck_assert_msg(strstr(json, key) != NULL, "%s missing from the JSON", f[i].name);
        ck_assert_msg(strstr(hdr, f[i].name) != NULL, "%s missing from the CSV header", f[i].name);
        ck_assert_int_eq(soc_metric_find(f[i].name), i);
        ck_assert(f[i].unit != NULL && f[i].description != NULL && f[i].description[0]);
        if (f[i].alias != NULL)
            ck_assert_int_eq(soc_metric_find(f[i].alias), i);
        /* a value present in the run reads back from the JSON exactly */
        double v = soc_metric_value(&m, i);
        if (!isnan(v)) {
            double back = strtod(strstr(json, key) + strlen(key), NULL);
            ck_assert_msg(back == v, "%s: %.17g vs %.17g", f[i].name, back, v);
        } else {
            /* no power model, no contention model here */
            ck_assert(f[i].flags & (SOC_METRIC_ENERGY | SOC_METRIC_NET));
            snprintf(key, sizeof key, "\"%s\":null", f[i].name);
            ck_assert(strstr(json, key) != NULL);
        }
    }
    ck_assert_double_eq(soc_metric_value(&m, soc_metric_find("makespan_us")), 80);
    ck_assert_double_eq(soc_metric_value(&m, soc_metric_find("exec_time_us")), 80);
    ck_assert(isnan(soc_metric_value(&m, n)));
    free(json);
    free(csv);
    soc_sim_destroy(sim);
    ts_cfg_destroy(cfg);
}
END_TEST

/* ------------------------------------------------------------- pool */

static int square_job(void *user, int idx, char **out, char *err, size_t es)
{
    (void)user;
    if (idx == 3) {
        snprintf(err, es, "three fails");
        return -1;
    }
    if (idx == 5)
        _exit(9); /* a worker that dies */
    char *s = malloc(32);
    snprintf(s, 32, "%d\nsq", idx * idx);
    *out = s;
    return 0;
}

typedef struct pool_seen {
    char *out[8];
    char *error[8];
} pool_seen_t;

static void pool_done(void *user, int idx, const char *out, const char *error)
{
    pool_seen_t *p = user;
    ck_assert(idx >= 0 && idx < 8);
    ck_assert((out == NULL) != (error == NULL));
    if (out != NULL)
        p->out[idx] = strdup(out);
    else
        p->error[idx] = strdup(error);
}

START_TEST(pool_reports_every_index)
{
    int todo[8] = {7, 6, 5, 4, 3, 2, 1, 0};
    pool_seen_t seen = {{0}, {0}};
    ck_assert_int_eq(soc_pool_run(3, todo, 8, square_job, pool_done, &seen), 0);
    for (int i = 0; i < 8; i++) {
        if (i == 3) {
            ck_assert_str_eq(seen.error[i], "three fails");
        } else if (i == 5) {
            ck_assert(strstr(seen.error[i], "status 9") != NULL);
        } else {
            char want[32];
            snprintf(want, sizeof want, "%d sq", i * i); /* line break replaced */
            ck_assert_str_eq(seen.out[i], want);
        }
        free(seen.out[i]);
        free(seen.error[i]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("study");
    TCase *t = tcase_create("runs");
    tcase_add_test(t, runs_native_is_one);
    tcase_add_test(t, runs_ds3_scale_major);
    tcase_add_test(t, runs_nothing_is_an_error);
    tcase_add_test(t, chain_carries_dvfs_state);
    tcase_add_test(t, carry_needs_a_ds3_sim);
    suite_add_tcase(s, t);
    t = tcase_create("sweeps");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, sweep_keeps_chains_whole);
    tcase_add_test(t, sweep_refuses_duplicate_set_keys);
    tcase_add_test(t, sweep_size_limits);
    tcase_add_test(t, pool_reports_every_index);
    suite_add_tcase(s, t);
    t = tcase_create("engine");
    tcase_add_test(t, seeds_use_all_64_bits);
    tcase_add_test(t, metric_table_drives_every_format);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return ts_run_suite(suite());
}
