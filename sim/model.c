/*
 * model.c -- lifetime, copying and validation of the plain data model
 * (soc_config_t and friends).  igraph validates every application DAG.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <igraph.h>

#include "dist.h"
#include "soc/dvfs.h"
#include "soc/model.h"
#include "sim_internal.h"
#include "soc/ds3.h"

soc_time_t soc_time_from_us(double us)
{
    /* soc_config_finalize keeps every duration far inside int64 (at most
     * SOC_MAX_DURATION_US); saturate instead of the undefined llround of an
     * out-of-range value should a library user pass something else.  The
     * rounding is llround's (sim_internal.h). */
    return soc__time_from_us(us);
}

void soc_ds3_options_default(soc_ds3_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->inject_fixed_num_jobs = 1;
    o->max_jobs = 100;
    o->simulation_length = 100000;
    o->clock = 1;
    o->max_jobs_in_parallel = 12;
    o->random_seed = 1;
    o->scale = 100;
    o->num_of_iterations = 1;
    o->sampling_rate = 10;
    o->sampling_rate_temperature = 20;
    o->util_high_threshold = 0.8;
    o->util_low_threshold = 0.3;
    o->n_trip = 3;
    o->trip_temperature[0] = 85;
    o->trip_temperature[1] = 90;
    o->trip_temperature[2] = 95;
    o->trip_hysteresis[0] = 3;
    o->trip_hysteresis[1] = 3;
    o->trip_hysteresis[2] = 3;
    o->n_dtpm_trip = 3;
    o->dtpm_trip_temperature[0] = 95;
    o->dtpm_trip_temperature[1] = 100;
    o->dtpm_trip_temperature[2] = 105;
    o->C1 = 0.002488;
    o->C2 = 2660;
    o->Igate = 0.000519;
    o->T_ambient = 42;
}

void soc_config_init(soc_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->semantics = SOC_SEM_NATIVE;
    cfg->platform.bw_default = 1.0;
    cfg->platform.bw_self = 0.0;
    cfg->platform.memory_cluster = -1;
    cfg->injection.kind = SOC_ARRIVAL_POISSON;
}

static void free_rows(soc_power_row_t *rows, int n)
{
    if (rows == NULL)
        return;
    for (int i = 0; i < n; i++)
        free(rows[i].watts);
    free(rows);
}

static void free_power(soc_cluster_power_t *pw)
{
    if (pw == NULL)
        return;
    free(pw->governor);
    free(pw->opps);
    free(pw->trip_freq_mhz);
    free(pw->dtpm_trip_freq_mhz);
    free_rows(pw->profiles, pw->n_profiles);
    free_rows(pw->pg_profiles, pw->n_pg_profiles);
    free(pw);
}

static void free_app_derived(soc_app_t *a)
{
    free(a->pred_off);
    free(a->pred_edge);
    free(a->succ_off);
    free(a->succ_edge);
    free(a->topo);
    a->pred_off = a->pred_edge = a->succ_off = a->succ_edge = a->topo = NULL;
}

void soc_config_free(soc_config_t *cfg)
{
    if (cfg == NULL)
        return;
    soc_platform_t *p = &cfg->platform;
    soc__dist_cfg_free(cfg); /* distributions, renewal/MMPP arrivals (dist.c) */
    for (int i = 0; i < p->n_types; i++)
        free(p->type_names[i]);
    free(p->type_names);
    for (int c = 0; c < p->n_clusters; c++) {
        free(p->clusters[c].name);
        free(p->clusters[c].kind);
        free(p->clusters[c].exec_us);
        free_power(p->clusters[c].power);
    }
    free(p->clusters);
    free(p->bw);
    free(p->name);
    free(p->pe_cluster);
    soc_contention_free(p->contention);
    for (int a = 0; a < cfg->n_apps; a++) {
        soc_app_t *app = &cfg->apps[a];
        for (int t = 0; t < app->n_tasks; t++)
            free(app->tasks[t].name);
        free(app->tasks);
        free(app->edges);
        free(app->name);
        free_app_derived(app);
    }
    free(cfg->apps);
    free(cfg->injection.times_us);
    free(cfg->injection.trace_apps);
    free(cfg->scheduler);
    free(cfg->source);
    free(cfg->name);
    for (int i = 0; i < cfg->n_settings; i++) {
        free(cfg->settings[i].key);
        free(cfg->settings[i].value);
    }
    free(cfg->settings);
    if (cfg->ds3 != NULL) {
        free(cfg->ds3->scale_values);
        for (int i = 0; i < cfg->ds3->n_job_list; i++)
            free(cfg->ds3->job_list[i]);
        free(cfg->ds3->job_list);
        free(cfg->ds3);
    }
    memset(cfg, 0, sizeof *cfg);
}

void soc_contention_free(soc_contention_t *c)
{
    if (c == NULL)
        return;
    free(c->port_bw);
    free(c->at);
    free(c);
}

/* ------------------------------------------------------------ deep copy */

#define DUP_ARRAY(dst, src, n)                                                 \
    do {                                                                       \
        (dst) = NULL;                                                          \
        if ((src) != NULL && (n) > 0) {                                        \
            (dst) = malloc(sizeof *(src) * (size_t)(n));                       \
            if ((dst) == NULL)                                                 \
                goto fail;                                                     \
            memcpy((dst), (src), sizeof *(src) * (size_t)(n));                 \
        }                                                                      \
    } while (0)

#define DUP_STR(dst, src)                                                      \
    do {                                                                       \
        (dst) = NULL;                                                          \
        if ((src) != NULL && ((dst) = soc__strdup(src)) == NULL)               \
            goto fail;                                                         \
    } while (0)

static int copy_rows(soc_power_row_t **dst, const soc_power_row_t *src, int n,
                     int count)
{
    *dst = NULL;
    if (src == NULL || n == 0)
        return 0;
    soc_power_row_t *r = calloc((size_t)n, sizeof *r);
    if (r == NULL)
        return -1;
    *dst = r;
    for (int i = 0; i < n; i++) {
        r[i].freq_mhz = src[i].freq_mhz;
        if (src[i].watts != NULL) {
            r[i].watts = malloc(sizeof(double) * (size_t)count);
            if (r[i].watts == NULL)
                return -1;
            memcpy(r[i].watts, src[i].watts, sizeof(double) * (size_t)count);
        }
    }
    return 0;
}

static soc_cluster_power_t *copy_power(const soc_cluster_power_t *s, int count)
{
    soc_cluster_power_t *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    *d = *s;
    d->governor = NULL;
    d->opps = NULL;
    d->trip_freq_mhz = d->dtpm_trip_freq_mhz = NULL;
    d->profiles = d->pg_profiles = NULL;
    DUP_STR(d->governor, s->governor);
    DUP_ARRAY(d->opps, s->opps, s->n_opps);
    DUP_ARRAY(d->trip_freq_mhz, s->trip_freq_mhz, s->n_trip);
    DUP_ARRAY(d->dtpm_trip_freq_mhz, s->dtpm_trip_freq_mhz, s->n_dtpm_trip);
    if (copy_rows(&d->profiles, s->profiles, s->n_profiles, count) != 0)
        goto fail;
    if (copy_rows(&d->pg_profiles, s->pg_profiles, s->n_pg_profiles, count) != 0)
        goto fail;
    return d;
fail:
    free_power(d);
    return NULL;
}

/* Copy step 1: *dst = *src with every owned pointer cleared (and the
 * counts that go with them zeroed, returned in *n_types, *n_clusters,
 * *n_apps), so that a failure in a later step leaves a config
 * soc_config_free can release. */
static void copy_shallow(soc_config_t *dst, const soc_config_t *src, int *n_types,
                         int *n_clusters, int *n_apps)
{
    soc_config_init(dst);
    *dst = *src;
    soc_platform_t *p = &dst->platform;
    p->type_names = NULL;
    p->clusters = NULL;
    p->bw = NULL;
    p->name = NULL;
    p->pe_cluster = NULL;
    p->contention = NULL;
    *n_types = p->n_types;
    *n_clusters = p->n_clusters;
    *n_apps = dst->n_apps;
    p->n_types = 0;
    p->n_clusters = 0;
    dst->apps = NULL;
    dst->n_apps = 0;
    dst->injection.times_us = NULL;
    dst->injection.trace_apps = NULL;
    soc__dist_cfg_detach(dst);
    dst->scheduler = NULL;
    dst->source = NULL;
    dst->name = NULL;
    dst->settings = NULL;
    dst->n_settings = 0;
    dst->ds3 = NULL;
}

/* A cluster (dc holds a shallow copy of sc on entry): name, kind,
 * execution times, power model. */
static int copy_cluster(soc_cluster_t *dc, const soc_cluster_t *sc, int n_types)
{
    *dc = *sc;
    dc->name = dc->kind = NULL;
    dc->exec_us = NULL;
    dc->exec_dist = NULL;
    dc->power = NULL;
    DUP_STR(dc->name, sc->name);
    DUP_STR(dc->kind, sc->kind);
    DUP_ARRAY(dc->exec_us, sc->exec_us, n_types);
    if (sc->power != NULL && (dc->power = copy_power(sc->power, sc->count)) == NULL)
        goto fail;
    return 0;
fail:
    return -1;
}

/* Copy step 2: the platform -- name, types, clusters, bandwidth table, PE
 * map, contention model. */
static int copy_platform(soc_platform_t *p, const soc_platform_t *sp, int n_types, int n_clusters)
{
    DUP_STR(p->name, sp->name);
    if (n_types > 0) {
        p->type_names = calloc((size_t)n_types, sizeof(char *));
        if (p->type_names == NULL)
            goto fail;
        p->n_types = n_types;
        for (int i = 0; i < n_types; i++)
            DUP_STR(p->type_names[i], sp->type_names[i]);
    }
    if (n_clusters > 0) {
        p->clusters = calloc((size_t)n_clusters, sizeof *p->clusters);
        if (p->clusters == NULL)
            goto fail;
        p->n_clusters = n_clusters;
        for (int c = 0; c < n_clusters; c++)
            if (copy_cluster(&p->clusters[c], &sp->clusters[c], n_types) != 0)
                goto fail;
    }
    DUP_ARRAY(p->bw, sp->bw, n_clusters * n_clusters);
    DUP_ARRAY(p->pe_cluster, sp->pe_cluster, sp->n_pes);
    if (sp->contention != NULL) {
        const soc_contention_t *sc = sp->contention;
        if ((p->contention = malloc(sizeof *p->contention)) == NULL)
            goto fail;
        *p->contention = *sc;
        p->contention->port_bw = NULL;
        p->contention->at = NULL;
        DUP_ARRAY(p->contention->port_bw, sc->port_bw, n_clusters);
        DUP_ARRAY(p->contention->at, sc->at, 2 * sc->n_at);
    }
    return 0;
fail:
    return -1;
}

/* An application: name, tasks, edges and, once finalized, its CSR
 * adjacency and topological order. */
static int copy_app(soc_app_t *da, const soc_app_t *sa)
{
    *da = *sa;
    da->name = NULL;
    da->tasks = NULL;
    da->edges = NULL;
    da->pred_off = da->pred_edge = da->succ_off = da->succ_edge = da->topo = NULL;
    int nt = da->n_tasks;
    da->n_tasks = 0;
    DUP_STR(da->name, sa->name);
    if (nt > 0) {
        da->tasks = calloc((size_t)nt, sizeof *da->tasks);
        if (da->tasks == NULL)
            goto fail;
        da->n_tasks = nt;
        for (int t = 0; t < nt; t++) {
            da->tasks[t].type = sa->tasks[t].type;
            DUP_STR(da->tasks[t].name, sa->tasks[t].name);
        }
    }
    DUP_ARRAY(da->edges, sa->edges, sa->n_edges);
    if (sa->pred_off != NULL) {
        DUP_ARRAY(da->pred_off, sa->pred_off, nt + 1);
        DUP_ARRAY(da->succ_off, sa->succ_off, nt + 1);
        DUP_ARRAY(da->pred_edge, sa->pred_edge, sa->n_edges);
        DUP_ARRAY(da->succ_edge, sa->succ_edge, sa->n_edges);
        DUP_ARRAY(da->topo, sa->topo, nt);
    }
    return 0;
fail:
    return -1;
}

/* Copy step 4: the DS3 options (scale values, job list). */
static int copy_ds3(soc_config_t *dst, const soc_config_t *src)
{
    dst->ds3 = malloc(sizeof *dst->ds3);
    if (dst->ds3 == NULL)
        goto fail;
    *dst->ds3 = *src->ds3;
    dst->ds3->scale_values = NULL;
    dst->ds3->job_list = NULL;
    int njl = dst->ds3->n_job_list;
    dst->ds3->n_job_list = 0;
    DUP_ARRAY(dst->ds3->scale_values, src->ds3->scale_values, src->ds3->n_scale_values);
    if (njl > 0) {
        dst->ds3->job_list = calloc((size_t)njl, sizeof(int *));
        if (dst->ds3->job_list == NULL)
            goto fail;
        dst->ds3->n_job_list = njl;
        for (int i = 0; i < njl; i++)
            DUP_ARRAY(dst->ds3->job_list[i], src->ds3->job_list[i], src->n_apps);
    }
    return 0;
fail:
    return -1;
}

int soc_config_copy(soc_config_t *dst, const soc_config_t *src)
{
    int n_types, n_clusters, n_apps;
    copy_shallow(dst, src, &n_types, &n_clusters, &n_apps);
    if (copy_platform(&dst->platform, &src->platform, n_types, n_clusters) != 0)
        goto fail;
    /* step 3: the applications, the workload's arrays and strings, the settings */
    if (n_apps > 0) {
        dst->apps = calloc((size_t)n_apps, sizeof *dst->apps);
        if (dst->apps == NULL)
            goto fail;
        dst->n_apps = n_apps;
        for (int a = 0; a < n_apps; a++)
            if (copy_app(&dst->apps[a], &src->apps[a]) != 0)
                goto fail;
    }
    DUP_ARRAY(dst->injection.times_us, src->injection.times_us, src->injection.n_times);
    DUP_ARRAY(dst->injection.trace_apps, src->injection.trace_apps, src->injection.n_times);
    DUP_STR(dst->scheduler, src->scheduler);
    DUP_STR(dst->source, src->source);
    DUP_STR(dst->name, src->name);
    for (int i = 0; i < src->n_settings; i++)
        if (soc_config_set_setting(dst, src->settings[i].key, src->settings[i].value) != SOC_OK)
            goto fail;
    if (src->ds3 != NULL && copy_ds3(dst, src) != 0)
        goto fail;
    if (soc__dist_cfg_copy(dst, src) != SOC_OK)
        goto fail;
    return SOC_OK;
fail:
    soc_config_free(dst);
    return SOC_ENOMEM;
}

/* ---------------------------------------------------------- validation */

int soc_platform_type_index(const soc_platform_t *p, const char *name)
{
    for (int i = 0; i < p->n_types; i++)
        if (strcmp(p->type_names[i], name) == 0)
            return i;
    return -1;
}

double soc_platform_bandwidth(const soc_platform_t *p, int src_pe, int dst_pe)
{
    if (src_pe == dst_pe)
        return p->bw_self;
    if (src_pe < 0 || dst_pe < 0 || src_pe >= p->n_pes || dst_pe >= p->n_pes)
        return p->bw_default;
    int a = p->pe_cluster[src_pe], b = p->pe_cluster[dst_pe];
    if (p->bw != NULL) {
        double v = p->bw[a * p->n_clusters + b];
        if (v > 0)
            return v;
    }
    return p->bw_default;
}

double soc_platform_exec_us(const soc_platform_t *p, int type, int pe)
{
    if (type < 0 || type >= p->n_types || pe < 0 || pe >= p->n_pes)
        return -1;
    const soc_cluster_t *c = &p->clusters[p->pe_cluster[pe]];
    if (c->is_memory)
        return -1;
    return c->exec_us[type];
}

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            return soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0, __VA_ARGS__); \
    } while (0)

static int finite_nonneg(double x) { return isfinite(x) && x >= 0; }

/* Absurd-value guard: 1e12 µs is 11.5 days of simulated time. */
#define SOC_MAX_US SOC_MAX_DURATION_US

/* communication.contention: the loaders check positions in the file; this
 * keeps hand-made configurations honest too. */
static int validate_contention(soc_config_t *cfg, int n_pes, soc_error_t *err)
{
    const soc_platform_t *p = &cfg->platform;
    const soc_contention_t *c = p->contention;
    CHECK(c->model >= SOC_NET_NONE && c->model <= SOC_NET_FLOW, "unknown contention model %d",
          (int)c->model);
    if (c->model == SOC_NET_NONE)
        return SOC_OK;
    CHECK(cfg->semantics == SOC_SEM_NATIVE,
          "contention models need native semantics (DS3 semantics has no contention)");
    CHECK(c->topology >= SOC_TOPO_CROSSBAR && c->topology <= SOC_TOPO_MESH,
          "unknown contention topology %d", (int)c->topology);
    CHECK(isfinite(c->bandwidth) && c->bandwidth >= 0,
          "contention bandwidth must be a finite number >= 0 (0 = bandwidth_default)");
    CHECK(c->model != SOC_NET_BUS || (c->channels >= 1 && c->channels <= 65536),
          "bus channels must be 1 .. 65536");
    CHECK(isfinite(c->memory_bw) && c->memory_bw >= 0,
          "memory_bandwidth must be a finite number >= 0");
    CHECK(finite_nonneg(c->energy_pj_per_unit), "energy_pj_per_unit must be a finite number >= 0");
    if (c->port_bw != NULL)
        for (int k = 0; k < p->n_clusters; k++)
            CHECK(isfinite(c->port_bw[k]) && c->port_bw[k] >= 0,
                  "port bandwidth of cluster '%s' must be a finite number >= 0", p->clusters[k].name);
    if (c->model == SOC_NET_FLOW && c->topology == SOC_TOPO_MESH) {
        CHECK(c->cols >= 1 && c->cols <= 1024 && c->rows >= 1 && c->rows <= 1024,
              "mesh size %d x %d out of range (1 .. 1024 each)", c->cols, c->rows);
        CHECK(finite_nonneg(c->hop_latency_us) && c->hop_latency_us <= SOC_MAX_US,
              "hop_latency_us must be a non-negative number");
        CHECK(c->at != NULL && c->n_at == n_pes,
              "mesh: every PE needs a router ('at' covers %d of %d PEs)", c->at ? c->n_at : 0,
              n_pes);
        for (int i = 0; i < n_pes; i++)
            CHECK(c->at[2 * i] >= 0 && c->at[2 * i] < c->cols && c->at[2 * i + 1] >= 0 &&
                      c->at[2 * i + 1] < c->rows,
                  "mesh: PE %d is placed at (%d, %d), outside the %d x %d mesh", i, c->at[2 * i],
                  c->at[2 * i + 1], c->cols, c->rows);
    }
    return SOC_OK;
}

static int finalize_platform(soc_config_t *cfg, soc_error_t *err)
{
    soc_platform_t *p = &cfg->platform;
    CHECK(p->n_clusters > 0, "platform has no processing elements");
    CHECK(p->n_types > 0, "platform knows no task types");
    int n_pes = 0;
    for (int c = 0; c < p->n_clusters; c++) {
        soc_cluster_t *cl = &p->clusters[c];
        CHECK(cl->name != NULL && cl->name[0], "cluster %d has no name", c);
        for (int d = 0; d < c; d++)
            CHECK(strcmp(p->clusters[d].name, cl->name) != 0,
                  "cluster name '%s' is used twice", cl->name);
        CHECK(cl->count >= 1 && cl->count <= 4096,
              "cluster '%s': count %d out of range 1..4096", cl->name, cl->count);
        CHECK(cl->exec_us != NULL || cl->is_memory,
              "cluster '%s' has no execution-time table", cl->name);
        if (cl->exec_us != NULL)
            for (int t = 0; t < p->n_types; t++) {
                double x = cl->exec_us[t];
                CHECK(!isnan(x) && x <= SOC_MAX_US,
                      "cluster '%s': execution time of '%s' is not a sane number",
                      cl->name, p->type_names[t]);
            }
        cl->first_pe = n_pes;
        n_pes += cl->count;
    }
    CHECK(n_pes <= 65536, "platform has %d PEs (limit 65536)", n_pes);
    CHECK(isfinite(p->bw_default) && p->bw_default > 0,
          "default bandwidth must be a positive number");
    CHECK(!isnan(p->bw_self), "self bandwidth is not a number");
    CHECK(finite_nonneg(p->latency_us) && p->latency_us <= SOC_MAX_US,
          "communication latency must be a non-negative number");
    if (p->bw != NULL)
        for (int i = 0; i < p->n_clusters * p->n_clusters; i++)
            CHECK(!isnan(p->bw[i]) && !isinf(p->bw[i]),
                  "bandwidth table holds a value that is not a finite number");
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY)
        CHECK(p->memory_cluster >= 0 && p->memory_cluster < p->n_clusters,
              "shared-memory communication needs a memory cluster");
    if (p->contention != NULL) {
        int rc = validate_contention(cfg, n_pes, err);
        if (rc != SOC_OK)
            return rc;
    }
    free(p->pe_cluster);
    p->pe_cluster = malloc(sizeof(int) * (size_t)n_pes);
    if (p->pe_cluster == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int c = 0; c < p->n_clusters; c++)
        for (int k = 0; k < p->clusters[c].count; k++)
            p->pe_cluster[p->clusters[c].first_pe + k] = c;
    p->n_pes = n_pes;
    return SOC_OK;
}

/* ------------------------------------------------------- power data */

static int opp_index(const soc_cluster_power_t *pw, double f)
{
    for (int i = 0; i < pw->n_opps; i++)
        if (pw->opps[i].freq_mhz == f)
            return i;
    return -1;
}

static int runs_tasks(const soc_platform_t *p, const soc_cluster_t *cl)
{
    if (cl->is_memory || cl->exec_us == NULL)
        return 0;
    for (int t = 0; t < p->n_types; t++)
        if (cl->exec_us[t] >= 0)
            return 1;
    return 0;
}

static int check_rows(soc_config_t *cfg, const soc_cluster_t *cl, const char *what,
                      const soc_power_row_t *rows, int n, int ascending, soc_error_t *err)
{
    for (int r = 0; r < n; r++) {
        CHECK(isfinite(rows[r].freq_mhz) && rows[r].freq_mhz > 0,
              "cluster '%s': %s row %d: the frequency must be a positive number of MHz",
              cl->name, what, r + 1);
        CHECK(!ascending || r == 0 || rows[r].freq_mhz > rows[r - 1].freq_mhz,
              "cluster '%s': %s rows must be in ascending frequency (%g MHz after %g MHz)",
              cl->name, what, rows[r].freq_mhz, rows[r - 1].freq_mhz);
        CHECK(rows[r].watts != NULL,
              "cluster '%s': %s row %d (%g MHz) needs one power value per number of busy PEs "
              "(%d values)",
              cl->name, what, r + 1, rows[r].freq_mhz, cl->count);
        for (int k = 0; k < cl->count; k++)
            CHECK(finite_nonneg(rows[r].watts[k]),
                  "cluster '%s': %s row %d (%g MHz): power for %d busy PE(s) is %g; it must be "
                  "a finite number >= 0 W",
                  cl->name, what, r + 1, rows[r].freq_mhz, k + 1, rows[r].watts[k]);
    }
    return SOC_OK;
}

/* Power step 1: the power-management options (leakage, ambient, sampling,
 * ondemand thresholds, throttling and its trip points), when power is
 * modelled. */
static int check_pm_options(const soc_config_t *cfg, const soc_ds3_options_t *o, soc_error_t *err)
{
    CHECK(isfinite(o->C1) && isfinite(o->C2) && isfinite(o->Igate),
          "leakage constants C1, C2, Igate must be finite numbers");
    CHECK(isfinite(o->T_ambient) && o->T_ambient > -273,
          "T_ambient must be a temperature above -273 C");
    CHECK(o->sampling_rate >= 1 && o->sampling_rate_temperature >= 1,
          "sampling_rate and sampling_rate_temperature must be >= 1 us");
    CHECK(isfinite(o->util_low_threshold) && isfinite(o->util_high_threshold) &&
              o->util_low_threshold >= 0 && o->util_low_threshold <= o->util_high_threshold,
          "ondemand thresholds need 0 <= util_low_threshold <= util_high_threshold");
    CHECK(!(o->enable_throttling && o->enable_dtpm_throttling),
          "enable_throttling and enable_DTPM_throttling cannot both be on");
    CHECK(o->n_trip >= 0 && o->n_trip <= 8 && o->n_dtpm_trip >= 0 && o->n_dtpm_trip <= 8,
          "at most 8 trip points");
    for (int i = 0; i < o->n_trip; i++) {
        CHECK(isfinite(o->trip_temperature[i]) && o->trip_temperature[i] > -273,
              "trip_temperature %d is not a temperature", i + 1);
        CHECK(i == 0 || o->trip_temperature[i] > o->trip_temperature[i - 1],
              "trip temperatures must be strictly ascending (%g after %g)",
              o->trip_temperature[i], o->trip_temperature[i - 1]);
        CHECK(finite_nonneg(o->trip_hysteresis[i]),
              "trip_hysteresis %d must be a finite number >= 0", i + 1);
    }
    for (int i = 0; i < o->n_dtpm_trip; i++) {
        CHECK(isfinite(o->dtpm_trip_temperature[i]) && o->dtpm_trip_temperature[i] > -273,
              "DTPM_trip_temperature %d is not a temperature", i + 1);
        CHECK(i == 0 || o->dtpm_trip_temperature[i] > o->dtpm_trip_temperature[i - 1],
              "DTPM trip temperatures must be strictly ascending (%g after %g)",
              o->dtpm_trip_temperature[i], o->dtpm_trip_temperature[i - 1]);
    }
    CHECK(!o->enable_dtpm_throttling || o->n_dtpm_trip <= o->n_trip,
          "DTPM throttling reuses trip_hysteresis: it needs at least %d entries", o->n_dtpm_trip);
    return SOC_OK;
}

/* Power step 2a: a cluster's governor (known; in DS3 semantics one DS3
 * has) and operating points (ascending natively; a constant-<MHz>
 * governor's frequency among them). */
static int check_governor_opps(const soc_config_t *cfg, const soc_cluster_t *cl, const char *gov,
                               int ds3, soc_error_t *err)
{
    const soc_cluster_power_t *pw = cl->power;
    soc_error_t ge = {0};
    CHECK(soc_dvfs_check_spec(gov, &ge) == SOC_OK, "cluster '%s': %s", cl->name, ge.msg);
    if (ds3)
        CHECK(strcmp(gov, "performance") == 0 || strcmp(gov, "powersave") == 0 ||
                  strcmp(gov, "ondemand") == 0 || strcmp(gov, "none") == 0 ||
                  strncmp(gov, "constant-", 9) == 0,
              "cluster '%s': governor '%s' is not available in DS3 semantics (DS3 knows "
              "performance, powersave, ondemand, constant-<MHz>, none)",
              cl->name, gov);
    CHECK(pw->n_opps >= 0 && (pw->n_opps == 0 || pw->opps != NULL),
          "cluster '%s': operating points missing", cl->name);
    for (int i = 0; i < pw->n_opps; i++) {
        const soc_opp_t *op = &pw->opps[i];
        CHECK(isfinite(op->freq_mhz) && op->freq_mhz > 0 && finite_nonneg(op->volt_mv),
              "cluster '%s': operating point %d must be [MHz > 0, mV >= 0], got [%g, %g]",
              cl->name, i + 1, op->freq_mhz, op->volt_mv);
        /* DS3 sorts its opp lines itself; native tables must be ordered */
        CHECK(ds3 || i == 0 || op->freq_mhz > pw->opps[i - 1].freq_mhz,
              "cluster '%s': operating points must be in strictly ascending frequency "
              "(%g MHz after %g MHz)",
              cl->name, op->freq_mhz, pw->opps[i - 1].freq_mhz);
    }
    if (strncmp(gov, "constant-", 9) == 0) {
        double mhz = strtod(gov + 9, NULL);
        CHECK(opp_index(pw, mhz) >= 0,
              "cluster '%s': governor '%s' needs an operating point at %g MHz", cl->name,
              gov, mhz);
    }
    return SOC_OK;
}

/* Power step 2b: a cluster's power profile rows, idle power and trip
 * frequencies. */
static int check_profiles_trips(soc_config_t *cfg, const soc_cluster_t *cl, int ds3,
                                soc_error_t *err)
{
    const soc_cluster_power_t *pw = cl->power;
    CHECK(pw->n_profiles >= 0 && (pw->n_profiles == 0 || pw->profiles != NULL) &&
              pw->n_pg_profiles >= 0 && (pw->n_pg_profiles == 0 || pw->pg_profiles != NULL),
          "cluster '%s': power profile rows missing", cl->name);
    int rc = check_rows(cfg, cl, "power_profile", pw->profiles, pw->n_profiles, !ds3, err);
    if (rc == SOC_OK)
        rc = check_rows(cfg, cl, "pg_profile", pw->pg_profiles, pw->n_pg_profiles, !ds3, err);
    if (rc != SOC_OK)
        return rc;
    CHECK(finite_nonneg(pw->idle_w), "cluster '%s': idle_w must be a finite number >= 0 W",
          cl->name);
    CHECK(pw->n_trip >= 0 && (pw->n_trip == 0 || pw->trip_freq_mhz != NULL) &&
              pw->n_dtpm_trip >= 0 &&
              (pw->n_dtpm_trip == 0 || pw->dtpm_trip_freq_mhz != NULL),
          "cluster '%s': trip frequencies missing", cl->name);
    for (int i = 0; i < pw->n_trip + pw->n_dtpm_trip; i++) {
        double f = i < pw->n_trip ? pw->trip_freq_mhz[i] : pw->dtpm_trip_freq_mhz[i - pw->n_trip];
        CHECK(f == -1 || (isfinite(f) && f > 0),
              "cluster '%s': trip frequencies are MHz > 0 or -1 (unchanged), got %g",
              cl->name, f);
    }
    return SOC_OK;
}

/* Power step 2c, DS3 semantics: DS3's own start-up checks
 * (DASH_Sim_v0.py) of a task-running cluster. */
static int check_ds3_power(const soc_config_t *cfg, const soc_cluster_t *cl, int governed,
                           const soc_ds3_options_t *o, soc_error_t *err)
{
    const soc_cluster_power_t *pw = cl->power;
    if (governed) {
        CHECK(pw->n_trip == o->n_trip,
              "cluster '%s': trip_freq has %d entries but there are %d trip "
              "temperatures (DS3 requires one per trip point)",
              cl->name, pw->n_trip, o->n_trip);
        CHECK(pw->n_pg_profiles == pw->n_profiles,
              "cluster '%s': %d power_profile lines but %d PG_profile lines (DS3 "
              "requires as many)",
              cl->name, pw->n_profiles, pw->n_pg_profiles);
    }
    /* every frequency the cluster can run at must find a profile
     * line whose frequency is an operating point, or DS3 stops at
     * the first task there */
    if (runs_tasks(&cfg->platform, cl)) {
        CHECK(pw->n_profiles > 0, "cluster '%s' runs tasks but has no power_profile",
              cl->name);
        int nf = governed ? pw->n_opps : 0;
        for (int i = -1; i < nf; i++) {
            double f = i < 0 ? 0 : pw->opps[i].freq_mhz;
            if (i < 0 && governed && pw->n_opps > 0)
                continue;
            int r = 0;
            while (r < pw->n_profiles && !(f <= pw->profiles[r].freq_mhz))
                r++;
            CHECK(r < pw->n_profiles,
                  "cluster '%s': no power_profile line at or above %g MHz", cl->name, f);
            CHECK(opp_index(pw, pw->profiles[r].freq_mhz) >= 0,
                  "cluster '%s': power_profile frequency %g MHz is not an operating "
                  "point (DS3 needs its voltage)",
                  cl->name, pw->profiles[r].freq_mhz);
        }
    }
    return SOC_OK;
}

/* Power step 2c, native semantics with the power model: profile rows at
 * operating points (up to the highest), a trip frequency per trip
 * temperature when throttling. */
static int check_native_power(const soc_config_t *cfg, const soc_cluster_t *cl, int governed,
                              int throttle, const soc_ds3_options_t *o, soc_error_t *err)
{
    const soc_cluster_power_t *pw = cl->power;
    int n = pw->n_pg_profiles > 0 ? pw->n_pg_profiles : pw->n_profiles;
    const soc_power_row_t *rows = pw->n_pg_profiles > 0 ? pw->pg_profiles : pw->profiles;
    if (pw->n_opps > 0 && n > 0) {
        for (int r = 0; r < n; r++)
            CHECK(opp_index(pw, rows[r].freq_mhz) >= 0,
                  "cluster '%s': profile frequency %g MHz is not an operating point "
                  "(the model needs its voltage)",
                  cl->name, rows[r].freq_mhz);
        CHECK(rows[n - 1].freq_mhz >= pw->opps[pw->n_opps - 1].freq_mhz,
              "cluster '%s': no power profile row at or above its highest operating "
              "point (%g MHz)",
              cl->name, pw->opps[pw->n_opps - 1].freq_mhz);
    }
    if (throttle && governed && pw->n_opps > 0) {
        int nt = o->enable_throttling ? pw->n_trip : pw->n_dtpm_trip;
        int want = o->enable_throttling ? o->n_trip : o->n_dtpm_trip;
        CHECK(nt == 0 || nt == want,
              "cluster '%s': %d trip frequencies for %d trip temperatures", cl->name,
              nt, want);
    }
    return SOC_OK;
}

/* Power data and power-management options: clear errors up front for what
 * would otherwise produce nonsense or stop DS3 in the middle of a run.
 * Errors name the cluster (loaders add file:line where they can). */
static int validate_power(soc_config_t *cfg, soc_error_t *err)
{
    const soc_platform_t *p = &cfg->platform;
    int ds3 = cfg->semantics == SOC_SEM_DS3;
    soc_ds3_options_t def;
    const soc_ds3_options_t *o = cfg->ds3;
    if (o == NULL) {
        soc_ds3_options_default(&def);
        o = &def;
    }
    int used = ds3 || cfg->power_model, any = 0, rc;
    int throttle = o->enable_throttling || o->enable_dtpm_throttling;
    if (used && (rc = check_pm_options(cfg, o, err)) != SOC_OK)
        return rc;
    for (int c = 0; c < p->n_clusters; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        const soc_cluster_power_t *pw = cl->power;
        if (pw == NULL)
            continue;
        any |= !cl->is_memory;
        const char *gov = pw->governor != NULL ? pw->governor : "performance";
        int governed = strcmp(gov, "none") != 0;
        if ((rc = check_governor_opps(cfg, cl, gov, ds3, err)) != SOC_OK ||
            (rc = check_profiles_trips(cfg, cl, ds3, err)) != SOC_OK)
            return rc;
        if (cl->is_memory)
            continue;
        if (ds3)
            rc = check_ds3_power(cfg, cl, governed, o, err);
        else if (used)
            rc = check_native_power(cfg, cl, governed, throttle, o, err);
        if (rc != SOC_OK)
            return rc;
    }
    if (!used)
        return SOC_OK;
    CHECK(!cfg->power_model || ds3 || any,
          "power: true, but no cluster has a power block (governor, opps, power_profile)");
    return SOC_OK;
}

static int type_supported(const soc_platform_t *p, int type)
{
    for (int c = 0; c < p->n_clusters; c++)
        if (!p->clusters[c].is_memory && p->clusters[c].exec_us != NULL &&
            p->clusters[c].exec_us[type] >= 0)
            return 1;
    return 0;
}

/* Finalize step 1: the application's own fields -- name, task count,
 * probability, deadline, task types (some PE runs each), edges. */
static int check_app_fields(soc_config_t *cfg, const soc_app_t *a, soc_error_t *err)
{
    const soc_platform_t *p = &cfg->platform;
    CHECK(a->name != NULL && a->name[0], "an application has no name");
    CHECK(a->n_tasks > 0, "application '%s' has no tasks", a->name);
    CHECK(a->n_tasks <= 1000000, "application '%s' has too many tasks", a->name);
    CHECK(finite_nonneg(a->probability) && a->probability <= 1.0,
          "application '%s': probability must be in [0, 1]", a->name);
    CHECK(finite_nonneg(a->deadline_us) && a->deadline_us <= SOC_MAX_US,
          "application '%s': deadline must be a non-negative number", a->name);
    CHECK(a->deadline_us == 0 || soc_time_from_us(a->deadline_us) > 0,
          "application '%s': deadline %g us rounds to 0 ns (the engine's time step is 1 ns)",
          a->name, a->deadline_us);
    for (int t = 0; t < a->n_tasks; t++) {
        int ty = a->tasks[t].type;
        CHECK(ty >= 0 && ty < p->n_types, "application '%s': task %d has no valid type",
              a->name, t);
        CHECK(type_supported(p, ty),
              "application '%s': task '%s' has type '%s', which no PE can run",
              a->name, a->tasks[t].name ? a->tasks[t].name : "?", p->type_names[ty]);
    }
    for (int e = 0; e < a->n_edges; e++) {
        const soc_edge_t *ed = &a->edges[e];
        CHECK(ed->src >= 0 && ed->src < a->n_tasks && ed->dst >= 0 && ed->dst < a->n_tasks,
              "application '%s': edge %d refers to a missing task", a->name, e);
        CHECK(ed->src != ed->dst, "application '%s': task %d depends on itself",
              a->name, ed->src);
        CHECK(finite_nonneg(ed->volume) && ed->volume <= 1e15,
              "application '%s': edge %d->%d has an invalid data volume", a->name,
              ed->src, ed->dst);
    }
    return SOC_OK;
}

/* Finalize step 3: the derived arrays of a (replacing earlier ones): the
 * topological order, the predecessor and successor CSR lists (edges in
 * file order inside each list: deterministic), the entry and exit
 * counts. */
static int build_adjacency(soc_app_t *a, const igraph_vector_int_t *order, soc_error_t *err)
{
    free_app_derived(a);
    size_t nt = (size_t)a->n_tasks, ne = (size_t)a->n_edges;
    a->topo = malloc(sizeof(int) * nt);
    a->pred_off = calloc(nt + 1, sizeof(int));
    a->succ_off = calloc(nt + 1, sizeof(int));
    a->pred_edge = malloc(sizeof(int) * (ne ? ne : 1));
    a->succ_edge = malloc(sizeof(int) * (ne ? ne : 1));
    if (!a->topo || !a->pred_off || !a->succ_off || !a->pred_edge || !a->succ_edge)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < nt; i++)
        a->topo[i] = (int)VECTOR(*order)[i];
    for (size_t e = 0; e < ne; e++) {
        a->pred_off[a->edges[e].dst + 1]++;
        a->succ_off[a->edges[e].src + 1]++;
    }
    for (size_t i = 0; i < nt; i++) {
        a->pred_off[i + 1] += a->pred_off[i];
        a->succ_off[i + 1] += a->succ_off[i];
    }
    int *pf = calloc(nt, sizeof(int)), *sf = calloc(nt, sizeof(int));
    if (pf == NULL || sf == NULL) {
        free(pf);
        free(sf);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* edges in file order inside each list: deterministic */
    for (size_t e = 0; e < ne; e++) {
        int d = a->edges[e].dst, s = a->edges[e].src;
        a->pred_edge[a->pred_off[d] + pf[d]++] = (int)e;
        a->succ_edge[a->succ_off[s] + sf[s]++] = (int)e;
    }
    free(pf);
    free(sf);
    a->n_entry = a->n_exit = 0;
    for (size_t i = 0; i < nt; i++) {
        if (a->pred_off[i + 1] == a->pred_off[i])
            a->n_entry++;
        if (a->succ_off[i + 1] == a->succ_off[i])
            a->n_exit++;
    }
    return SOC_OK;
}

/* Finalize step 2: the task graph through igraph -- simple, acyclic
 * (weakly connected in DS3 semantics) -- and its topological order, from
 * which build_adjacency derives the rest. */
static int app_graph(soc_config_t *cfg, soc_app_t *a, soc_error_t *err)
{
    igraph_t g;
    igraph_vector_int_t ev, order;
    int rc = SOC_OK;
    if (igraph_vector_int_init(&ev, 2 * (igraph_integer_t)a->n_edges) != IGRAPH_SUCCESS)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int e = 0; e < a->n_edges; e++) {
        VECTOR(ev)[2 * e] = a->edges[e].src;
        VECTOR(ev)[2 * e + 1] = a->edges[e].dst;
    }
    if (igraph_create(&g, &ev, a->n_tasks, IGRAPH_DIRECTED) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&ev);
        return soc_error_set(err, SOC_EGRAPH, cfg->source, 0, 0,
                             "application '%s': cannot build its graph", a->name);
    }
    igraph_vector_int_destroy(&ev);
    igraph_bool_t simple = 0, dag = 0, conn = 0;
    if (igraph_is_simple(&g, &simple) != IGRAPH_SUCCESS || !simple) {
        rc = soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                           "application '%s': an edge is listed twice", a->name);
        goto out;
    }
    if (igraph_is_dag(&g, &dag) != IGRAPH_SUCCESS || !dag) {
        rc = soc_error_set(err, SOC_ECYCLE, cfg->source, 0, 0,
                           "application '%s': the task graph has a cycle", a->name);
        goto out;
    }
    /* a job of independent parts is fine natively (it completes when all
     * its tasks have); DS3's jobs are one graph from HEAD to TAIL */
    if (cfg->semantics == SOC_SEM_DS3 &&
        (igraph_is_connected(&g, &conn, IGRAPH_WEAK) != IGRAPH_SUCCESS || !conn)) {
        rc = soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                           "application '%s': the task graph is not connected (DS3 semantics "
                           "needs one connected graph per application)",
                           a->name);
        goto out;
    }
    if (igraph_vector_int_init(&order, 0) != IGRAPH_SUCCESS) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    if (igraph_topological_sorting(&g, &order, IGRAPH_OUT) != IGRAPH_SUCCESS ||
        igraph_vector_int_size(&order) != a->n_tasks)
        rc = soc_error_set(err, SOC_ECYCLE, cfg->source, 0, 0,
                           "application '%s': no topological order", a->name);
    else
        rc = build_adjacency(a, &order, err);
    igraph_vector_int_destroy(&order);
out:
    igraph_destroy(&g);
    return rc;
}

static int finalize_app(soc_config_t *cfg, soc_app_t *a, soc_error_t *err)
{
    int rc = check_app_fields(cfg, a, err);
    if (rc == SOC_OK)
        rc = app_graph(cfg, a, err);
    if (rc != SOC_OK)
        return rc;
    if (a->head >= a->n_tasks || a->tail >= a->n_tasks)
        return soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                             "application '%s': HEAD/TAIL task out of range", a->name);
    return SOC_OK;
}

static int finalize_injection(soc_config_t *cfg, soc_error_t *err)
{
    soc_injection_t *in = &cfg->injection;
    CHECK(finite_nonneg(in->warmup_us) && in->warmup_us <= SOC_MAX_US,
          "warm-up must be a non-negative number");
    CHECK(finite_nonneg(in->sim_time_us) && in->sim_time_us <= SOC_MAX_US,
          "simulation time must be a non-negative number");
    CHECK(finite_nonneg(in->start_us) && in->start_us <= SOC_MAX_US,
          "first arrival time must be a non-negative number");
    CHECK(in->max_jobs >= 0 && in->max_jobs <= (int64_t)1 << 40,
          "jobs must be a non-negative number");
    CHECK(in->max_in_flight >= 0, "max_in_flight must be >= 0");
    switch (in->kind) {
    case SOC_ARRIVAL_POISSON:
    case SOC_ARRIVAL_PERIODIC:
        CHECK(isfinite(in->mean_us) && in->mean_us > 0 && in->mean_us <= SOC_MAX_US,
              "inter-arrival time must be a positive number");
        CHECK(in->mean_us >= SOC_MIN_INTERVAL_US,
              "%s %g us is below 1 ns, the engine's time step: the smallest is 0.001 us",
              in->kind == SOC_ARRIVAL_POISSON ? "mean inter-arrival time" : "arrival period",
              in->mean_us);
        CHECK(in->max_jobs > 0 || in->sim_time_us > 0,
              "an open arrival process needs a limit: jobs or sim_time");
        break;
    case SOC_ARRIVAL_RENEWAL: /* parameters: soc__dist_cfg_check */
    case SOC_ARRIVAL_MMPP:
        CHECK(in->max_jobs > 0 || in->sim_time_us > 0,
              "an open arrival process needs a limit: jobs or sim_time");
        break;
    case SOC_ARRIVAL_TRACE:
        CHECK(in->n_times > 0 && in->times_us != NULL, "arrival list is empty");
        for (int i = 0; i < in->n_times; i++) {
            CHECK(finite_nonneg(in->times_us[i]) && in->times_us[i] <= SOC_MAX_US,
                  "arrival time %d is not a non-negative number", i);
            CHECK(i == 0 || in->times_us[i] >= in->times_us[i - 1],
                  "arrival times must be non-decreasing (entry %d)", i);
            if (in->trace_apps != NULL)
                CHECK(in->trace_apps[i] >= -1 && in->trace_apps[i] < cfg->n_apps,
                      "arrival %d names an unknown application", i);
        }
        break;
    default:
        CHECK(0, "unknown arrival process");
    }
    return SOC_OK;
}

/* ----------------------------------------------- derived durations */

/* Effective bandwidth between PEs of clusters a and b (a == b: two PEs of
 * the same cluster), as soc_platform_bandwidth reads it. */
static double cluster_bw(const soc_platform_t *p, int a, int b)
{
    double v = p->bw != NULL ? p->bw[a * p->n_clusters + b] : 0;
    return v > 0 ? v : p->bw_default;
}

/* The slowest a transfer of one data unit can be (µs per unit) over any
 * pair of PEs that can run tasks (both engines' rules, taken together). */
static void worst_unit_transfer(const soc_platform_t *p, int ds3, double *legs, double *self,
                                int *wa, int *wb)
{
    *legs = 0;
    *wa = *wb = -1;
    *self = p->bw_self > 0 ? 1.0 / p->bw_self : 0;
    int mem = p->comm_mode == SOC_COMM_SHARED_MEMORY ? p->memory_cluster : -1;
    double up = 0, down = 0;
    for (int a = 0; a < p->n_clusters; a++) {
        if (p->clusters[a].is_memory)
            continue;
        if (mem >= 0) {
            double u = 1.0 / cluster_bw(p, a, mem), d = 1.0 / cluster_bw(p, mem, a);
            if (!(u <= up)) {
                up = u;
                *wa = a;
            }
            if (!(d <= down)) {
                down = d;
                *wb = a;
            }
            continue;
        }
        for (int b = 0; b < p->n_clusters; b++) {
            /* one PE to itself: bw_self, except in DS3 where a cluster
             * whose own pair is not given uses bw_default */
            if (p->clusters[b].is_memory || (a == b && p->clusters[a].count < 2 && !ds3))
                continue;
            double w = 1.0 / cluster_bw(p, a, b);
            if (!(w <= *legs)) {
                *legs = w;
                *wa = a;
                *wb = b;
            }
        }
    }
    if (mem >= 0)
        *legs = up + down;
}

/* Every transfer time (latency + volume / bandwidth) and every execution
 * time at the lowest frequency a cluster can run at must fit
 * SOC_MAX_DURATION_US: an unrepresentable duration must never turn into a
 * plausible number (llround of an out-of-range double) in either engine. */
static int check_durations(soc_config_t *cfg, soc_error_t *err)
{
    const soc_platform_t *p = &cfg->platform;
    double legs, self;
    int wa, wb;
    worst_unit_transfer(p, cfg->semantics == SOC_SEM_DS3, &legs, &self, &wa, &wb);
    for (int i = 0; i < cfg->n_apps; i++) {
        const soc_app_t *a = &cfg->apps[i];
        int worst = -1;
        for (int e = 0; e < a->n_edges; e++)
            if (worst < 0 || a->edges[e].volume > a->edges[worst].volume)
                worst = e;
        if (worst < 0 || a->edges[worst].volume <= 0)
            continue;
        const soc_edge_t *ed = &a->edges[worst];
        double t = p->latency_us + ed->volume * legs, ts = ed->volume * self;
        const char *sn = a->tasks[ed->src].name, *dn = a->tasks[ed->dst].name;
        CHECK(t <= SOC_MAX_DURATION_US,
              "application '%s': edge %s -> %s carries %g data units, which take %g us at "
              "the lowest bandwidth %s (clusters '%s' and '%s'); a transfer may take "
              "at most %g us: raise the bandwidth to at least %g or lower the volume",
              a->name, sn ? sn : "?", dn ? dn : "?", ed->volume, t,
              p->comm_mode == SOC_COMM_SHARED_MEMORY ? "through the memory" : "between PEs",
              wa >= 0 ? p->clusters[wa].name : "?", wb >= 0 ? p->clusters[wb].name : "?",
              SOC_MAX_DURATION_US,
              ed->volume / (SOC_MAX_DURATION_US - p->latency_us) *
                  (p->comm_mode == SOC_COMM_SHARED_MEMORY ? 2 : 1));
        CHECK(ts <= SOC_MAX_DURATION_US,
              "application '%s': edge %s -> %s carries %g data units, which take %g us at "
              "bandwidth_self %g; a transfer may take at most %g us",
              a->name, sn ? sn : "?", dn ? dn : "?", ed->volume, ts, p->bw_self,
              SOC_MAX_DURATION_US);
    }
    if (!cfg->power_model && cfg->semantics != SOC_SEM_DS3)
        return SOC_OK;
    for (int c = 0; c < p->n_clusters; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        const soc_cluster_power_t *pw = cl->power;
        if (pw == NULL || pw->n_opps <= 0 || cl->exec_us == NULL)
            continue;
        double lo = pw->opps[0].freq_mhz, hi = lo;
        for (int i = 1; i < pw->n_opps; i++) {
            lo = fmin(lo, pw->opps[i].freq_mhz);
            hi = fmax(hi, pw->opps[i].freq_mhz);
        }
        for (int i = 0; i < pw->n_trip + pw->n_dtpm_trip; i++) {
            double f = i < pw->n_trip ? pw->trip_freq_mhz[i] : pw->dtpm_trip_freq_mhz[i - pw->n_trip];
            if (f > 0)
                lo = fmin(lo, f);
        }
        double slow = hi / lo;
        for (int t = 0; t < p->n_types; t++) {
            double x = cl->exec_us[t];
            CHECK(x <= 0 || x * slow <= SOC_MAX_DURATION_US,
                  "cluster '%s': execution time of '%s' (%g us at %g MHz) takes %g us at %g MHz; "
                  "an execution may take at most %g us",
                  cl->name, p->type_names[t], x, hi, x * slow, lo, SOC_MAX_DURATION_US);
        }
    }
    return SOC_OK;
}

int soc_config_finalize(soc_config_t *cfg, soc_error_t *err)
{
    if (cfg == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no configuration");
    soc_library_init();
    int rc = finalize_platform(cfg, err);
    if (rc != SOC_OK)
        return rc;
    if ((rc = validate_power(cfg, err)) != SOC_OK)
        return rc;
    CHECK(cfg->n_apps > 0, "no applications");
    double psum = 0;
    for (int a = 0; a < cfg->n_apps; a++) {
        for (int b = 0; b < a; b++)
            CHECK(strcmp(cfg->apps[a].name ? cfg->apps[a].name : "",
                         cfg->apps[b].name ? cfg->apps[b].name : "") != 0,
                  "application name '%s' is used twice", cfg->apps[a].name);
        if ((rc = finalize_app(cfg, &cfg->apps[a], err)) != SOC_OK)
            return rc;
        psum += cfg->apps[a].probability;
    }
    CHECK(fabs(psum - 1.0) <= 1e-6,
          "application probabilities sum to %.9g, not 1", psum);
    if ((rc = check_durations(cfg, err)) != SOC_OK)
        return rc;
    if ((rc = soc__dist_cfg_check(cfg, err)) != SOC_OK)
        return rc;
    if (cfg->semantics == SOC_SEM_NATIVE)
        return finalize_injection(cfg, err);
    return SOC_OK;
}

/* ------------------------------------------------------- critical path */

double soc_app_critical_path_us(const soc_platform_t *p, const soc_app_t *a)
{
    if (p == NULL || a == NULL || a->topo == NULL)
        return -1;
    double *eft = calloc((size_t)a->n_tasks, sizeof *eft);
    if (eft == NULL)
        return -1;
    double best = 0;
    for (int k = 0; k < a->n_tasks; k++) {
        int t = a->topo[k];
        double w = -1;
        for (int pe = 0; pe < p->n_pes; pe++) {
            double x = soc_platform_exec_us(p, a->tasks[t].type, pe);
            if (x >= 0 && (w < 0 || x < w))
                w = x;
        }
        double st = 0;
        for (int i = a->pred_off[t]; i < a->pred_off[t + 1]; i++) {
            double f = eft[a->edges[a->pred_edge[i]].src];
            if (f > st)
                st = f;
        }
        eft[t] = st + (w < 0 ? 0 : w);
        if (eft[t] > best)
            best = eft[t];
    }
    free(eft);
    return best;
}

/* ------------------------------------------------------------ settings */

const char *soc_config_setting(const soc_config_t *cfg, const char *key)
{
    if (cfg == NULL || key == NULL)
        return NULL;
    for (int i = 0; i < cfg->n_settings; i++)
        if (strcmp(cfg->settings[i].key, key) == 0)
            return cfg->settings[i].value;
    return NULL;
}

int soc_config_set_setting(soc_config_t *cfg, const char *key, const char *value)
{
    if (cfg == NULL || key == NULL || key[0] == '\0')
        return SOC_EINVAL;
    for (int i = 0; i < cfg->n_settings; i++)
        if (strcmp(cfg->settings[i].key, key) == 0) {
            if (value == NULL) {
                free(cfg->settings[i].key);
                free(cfg->settings[i].value);
                memmove(&cfg->settings[i], &cfg->settings[i + 1],
                        sizeof *cfg->settings * (size_t)(cfg->n_settings - i - 1));
                cfg->n_settings--;
                return SOC_OK;
            }
            char *v = soc__strdup(value);
            if (v == NULL)
                return SOC_ENOMEM;
            free(cfg->settings[i].value);
            cfg->settings[i].value = v;
            return SOC_OK;
        }
    if (value == NULL)
        return SOC_OK;
    soc_setting_t *ns = realloc(cfg->settings, sizeof *ns * (size_t)(cfg->n_settings + 1));
    if (ns == NULL)
        return SOC_ENOMEM;
    cfg->settings = ns;
    char *k = soc__strdup(key), *v = soc__strdup(value);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return SOC_ENOMEM;
    }
    cfg->settings[cfg->n_settings].key = k;
    cfg->settings[cfg->n_settings].value = v;
    cfg->n_settings++;
    return SOC_OK;
}
