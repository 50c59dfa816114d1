/*
 * power.c -- the native power, energy, DVFS and thermal model, and the
 * physics shared with DS3 semantics (ds3_power.c).
 *
 * Every cluster's power is piecewise constant between state changes: a PE
 * starting or finishing a task, a frequency change, a thermal step.  At each
 * change the elapsed interval is charged exactly (P x dt, dt in integer
 * nanoseconds), so there are no sampling artefacts.  Per-PE energy is
 * attributed with running integrals per cluster (dynamic power per busy core
 * and leakage per core), which keeps every transition O(1).
 *
 * Frequencies change only at power steps (governor epochs, thermal steps),
 * which the engine runs before the events of the same instant; the engine
 * then moves the finish events of the running tasks (soc__power_retime).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "power_internal.h"
#include "soc/ds3.h"
#include "sim_internal.h"

/* ------------------------------------------------------------ physics */

/* Odroid-XU3 thermal model (DS3's DTPM_power_models.py; rows = hotspots). */
const double soc__thermal_A[SOC__NHOT][SOC__NHOT] = {
    {0.9928, 0.000566, 0.004281, 0.0003725, 1.34e-5},
    {0.006084, 0.9909, 0, 0.001016, 8.863e-5},
    {0, 0.0008608, 0.993, 0, 0.0008842},
    {0.006844, -0.0005119, 0, 0.9904, 0.0003392},
    {0.0007488, 0.003932, 8.654e-5, 0.002473, 0.9905},
};
const double soc__thermal_B_mem[SOC__NHOT] = {0.07423, 0, 0.6708, 0, 0.01404};
const double soc__thermal_B_gpu[SOC__NHOT] = {6.898e-7, 0.001971, 2.108e-6, 0.01682, 0.03811};
const double soc__thermal_B_big[SOC__NHOT] = {0.0471, 0.01265, 0.113, 0.01646, 0.01476};
const double soc__thermal_B_little[SOC__NHOT] = {0.02399, 0, 0.02819, 0.007198, 0.03902};
const double soc__thermal_B_zero[SOC__NHOT] = {0, 0, 0, 0, 0};

double soc__leak_raw(const soc__leak_params_t *lp, double v_mv, double t_max_c)
{
    double tk = 273 + t_max_c;
    double v = v_mv * 1e-3;
    /* DS3: V*C1*TK*TK*exp(-C2/TK) + Igate*V, left to right */
    return v * lp->C1 * tk * tk * exp(-lp->C2 / tk) + lp->Igate * v;
}

void soc__thermal_step(double T[SOC__NHOT], double t_ambient, int n_p,
                       const double *P, const double *const *bcol)
{
    double d[SOC__NHOT], nt[SOC__NHOT];
    for (int i = 0; i < SOC__NHOT; i++)
        d[i] = T[i] - t_ambient;
    for (int i = 0; i < SOC__NHOT; i++) {
        double a = soc__thermal_A[i][0] * d[0];
        for (int j = 1; j < SOC__NHOT; j++)
            a += soc__thermal_A[i][j] * d[j];
        double b = n_p > 0 ? bcol[0][i] * P[0] : 0;
        for (int k = 1; k < n_p; k++)
            b += bcol[k][i] * P[k];
        nt[i] = a + b + t_ambient;
    }
    memcpy(T, nt, sizeof nt);
}

double soc__max_temp(const double T[SOC__NHOT])
{
    double m = T[0];
    for (int i = 1; i < SOC__NHOT; i++)
        if (T[i] > m)
            m = T[i];
    return m;
}

const double *soc__thermal_column(const char *kind)
{
    if (kind == NULL)
        return soc__thermal_B_zero;
    if (strcmp(kind, "BIG") == 0 || strcmp(kind, "big") == 0 || strcmp(kind, "cpu_big") == 0)
        return soc__thermal_B_big;
    if (soc__kind_little(kind))
        return soc__thermal_B_little;
    return soc__thermal_B_zero;
}

int soc__kind_little(const char *kind)
{
    return kind != NULL && (strcmp(kind, "LTL") == 0 || strcmp(kind, "little") == 0 ||
                            strcmp(kind, "cpu_little") == 0);
}

int soc__opp_exact(const soc_opp_t *opps, int n, double f)
{
    for (int i = 0; i < n; i++)
        if (opps[i].freq_mhz == f)
            return i;
    return -1;
}

/* ------------------------------------------------------------ params */

/* Native defaults when the config has no ds3 block (docs/power.md). */
#define NATIVE_EPOCH_US 1000
#define NATIVE_THERMAL_US 1000

void soc__power_params(const soc_config_t *cfg, soc__power_params_t *o)
{
    soc_ds3_options_t def;
    const soc_ds3_options_t *d = cfg != NULL ? cfg->ds3 : NULL;
    memset(o, 0, sizeof *o);
    if (d == NULL) {
        soc_ds3_options_default(&def);
        def.sampling_rate = NATIVE_EPOCH_US;
        def.sampling_rate_temperature = NATIVE_THERMAL_US;
        d = &def;
    }
    o->leak.C1 = d->C1;
    o->leak.C2 = d->C2;
    o->leak.Igate = d->Igate;
    o->t_ambient = d->T_ambient;
    o->epoch_ns = (soc_time_t)d->sampling_rate * SOC_NS_PER_US;
    o->thermal_ns = (soc_time_t)d->sampling_rate_temperature * SOC_NS_PER_US;
    o->util_low = d->util_low_threshold;
    o->util_high = d->util_high_threshold;
    if (d->enable_throttling) {
        o->throttle = 1;
        o->n_trip = d->n_trip;
        for (int i = 0; i < d->n_trip && i < 8; i++) {
            o->trip_c[i] = d->trip_temperature[i];
            o->hyst_c[i] = d->trip_hysteresis[i];
        }
    } else if (d->enable_dtpm_throttling) {
        o->throttle = 2;
        o->n_trip = d->n_dtpm_trip;
        for (int i = 0; i < d->n_dtpm_trip && i < 8; i++) {
            o->trip_c[i] = d->dtpm_trip_temperature[i];
            o->hyst_c[i] = i < d->n_trip ? d->trip_hysteresis[i] : 0;
        }
    }
}

/* ------------------------------------------------------------- state */

enum { COL_ZERO = 0, COL_BIG, COL_LITTLE, COL_GPU };

typedef struct pcl {
    const soc_cluster_t *c;
    const soc_cluster_power_t *pw; /* NULL: draws nothing */
    int mem;                /* memory cluster: constant count x idle_w */
    int pg;                 /* pg_profile rows given: idle cores gated */
    int col;                /* thermal input */
    double leak_div;        /* 4, 16; 0 = no leakage */
    double leak_mul;        /* 1 / leak_div */
    int n_opps;
    const soc_opp_t *opps;
    int none;               /* governor "none": fixed at fmax, no cap */
    soc_dvfs_handle_t *gh;
    const soc_dvfs_ops_t *gops;
    void *gstate;
    int glive;
    int gov_opp, opp, cap_opp;
    double fmax, ratio;
    double *dyn;            /* [count + 1]: dynamic cluster power, n busy */
    double leak_core;       /* per core, at the current V and T */
    double power;
    int n_busy;
    soc_time_t t_last;
    double energy;          /* J since time 0 */
    double e_thermal;       /* energy at the last thermal step */
    double dyn_int;         /* integral of dyn(n)/n: J per busy core */
    double leak_int;        /* integral of leak_core: J per core */
    int64_t busy_int;       /* integral of n_busy, PE x ns */
    int64_t busy_epoch;
} pcl_t;

typedef struct ppe {
    int c;
    int busy;
    soc_time_t since;       /* start of the open (unattributed) segment */
    double dyn0, leak0;     /* cluster integrals at `since` */
    double energy;          /* attributed so far */
    int64_t busy_ns;        /* closed busy time */
    int64_t busy_epoch;
    double work;            /* remaining work of the running task, fmax-ns */
    double rate;            /* f/fmax since seg */
    soc_time_t seg;
    double start_freq;
} ppe_t;

struct soc_power {
    const soc_config_t *cfg;
    soc__power_params_t pr;
    soc_power_fn on_power;
    void *power_user;
    int n_cl, n_pe;
    pcl_t *cl;
    ppe_t *pe;
    double T[SOC__NHOT];
    double peak;
    double factor, factor_amb; /* leak_factor at max(T) and at ambient */
    int level;
    int periodic;           /* some governor needs epochs */
    soc_time_t next_thermal, next_epoch, warmup;
    int warm_done;
    int n_changed;          /* clusters whose frequency changed this step */
    soc_time_t end;
    int finished;
    /* thermal input vector: memory, GPU, then one per non-memory cluster */
    int n_p;
    double *P;
    const double **bcol;
    /* snapshots at the warm-up mark, metric arrays, sample buffers */
    double *cl_warm, *pe_warm, *cl_out, *pe_out, *s_freq, *s_pow;
    double *pe_util;
};

/* --------------------------------------------------------- cluster power */

/* Temperature factor of the leakage, C1 TK^2 exp(-C2/TK): one exp per
 * thermal step, shared by every cluster (leak = V (factor + Igate)). */
static double leak_factor(const soc_power_t *p, double t)
{
    double tk = 273 + t;
    return p->pr.leak.C1 * tk * tk * exp(-p->pr.leak.C2 / tk);
}

static double leak_core(const soc_power_t *p, const pcl_t *k, double v_mv, double factor)
{
    if (k->leak_div == 0 || k->n_opps == 0)
        return 0;
    return v_mv * 1e-3 * (factor + p->pr.leak.Igate) * k->leak_mul;
}

/* Row of a profile for frequency f: the first with freq >= f, else the
 * last (rows ascend). */
static const soc_power_row_t *profile_row(const pcl_t *k, double f)
{
    const soc_power_row_t *rows = k->pg ? k->pw->pg_profiles : k->pw->profiles;
    int n = k->pg ? k->pw->n_pg_profiles : k->pw->n_profiles;
    if (n == 0)
        return NULL;
    for (int i = 0; i < n; i++)
        if (f <= rows[i].freq_mhz)
            return &rows[i];
    return &rows[n - 1];
}

static void recompute_power(pcl_t *k)
{
    int cnt = k->c->count;
    if (k->pw == NULL) {
        k->power = 0;
        return;
    }
    if (k->mem) {
        k->power = cnt * k->pw->idle_w;
        return;
    }
    int n = k->n_busy;
    k->power = k->dyn[n] + (k->pg ? n : cnt) * k->leak_core + (cnt - n) * k->pw->idle_w;
}

/* Dynamic power table and leakage at operating point i. */
static void set_opp(soc_power_t *p, pcl_t *k, int i)
{
    int cnt = k->c->count;
    k->opp = i;
    double f = k->n_opps ? k->opps[i].freq_mhz : 0, v = k->n_opps ? k->opps[i].volt_mv : 0;
    k->ratio = k->n_opps ? f / k->fmax : 1.0;
    k->leak_core = leak_core(p, k, v, p->factor);
    k->dyn[0] = 0;
    const soc_power_row_t *row = profile_row(k, k->n_opps ? f : HUGE_VAL);
    double vt = v, lref = 0;
    if (row != NULL && k->n_opps > 0) {
        int ti = soc__opp_exact(k->opps, k->n_opps, row->freq_mhz);
        if (ti >= 0)
            vt = k->opps[ti].volt_mv;
        lref = leak_core(p, k, vt, p->factor_amb);
    }
    for (int n = 1; n <= cnt; n++) {
        if (row == NULL || row->watts == NULL) {
            k->dyn[n] = 0;
            continue;
        }
        double w = row->watts[n - 1];
        if (k->n_opps == 0) {
            k->dyn[n] = w;
            continue;
        }
        /* the profile is measured at its own frequency, with leakage at the
         * ambient temperature included: remove that, scale by f V^2 */
        double base = w - (k->pg ? n : cnt) * lref;
        if (base < 0)
            base = 0;
        double scale = (f * v * v) / (row->freq_mhz * vt * vt);
        k->dyn[n] = base * (isfinite(scale) ? scale : 1.0);
    }
    recompute_power(k);
}

/* Charge the interval since the last change at the current power. */
static void touch(pcl_t *k, soc_time_t now)
{
    soc_time_t dt = now - k->t_last;
    if (dt <= 0)
        return;
    double x = (double)dt * 1e-9;
    k->energy += k->power * x;
    if (k->n_busy > 0)
        k->dyn_int += k->dyn[k->n_busy] / k->n_busy * x;
    k->leak_int += k->leak_core * x;
    k->busy_int += (int64_t)k->n_busy * dt;
    k->t_last = now;
}

/* Attribute the open segment of a PE (its cluster already touched). */
static void flush_pe(soc_power_t *p, ppe_t *e, soc_time_t now)
{
    const pcl_t *k = &p->cl[e->c];
    if (k->pw == NULL) {
        e->since = now;
        return;
    }
    if (k->mem) {
        e->energy += k->pw->idle_w * ((double)(now - e->since) * 1e-9);
    } else if (e->busy) {
        e->energy += (k->dyn_int - e->dyn0) + (k->leak_int - e->leak0);
        e->busy_ns += now - e->since;
    } else {
        if (!k->pg)
            e->energy += k->leak_int - e->leak0;
        e->energy += k->pw->idle_w * ((double)(now - e->since) * 1e-9);
    }
    e->dyn0 = k->dyn_int;
    e->leak0 = k->leak_int;
    e->since = now;
}

/* Effective operating point: the governor's choice under the cap. */
static int apply(soc_power_t *p, int c, soc_time_t now, unsigned char *changed)
{
    pcl_t *k = &p->cl[c];
    if (k->pw == NULL || k->mem || k->n_opps == 0)
        return 0;
    int want = k->gov_opp < k->cap_opp ? k->gov_opp : k->cap_opp;
    if (want == k->opp)
        return 0;
    touch(k, now);
    set_opp(p, k, want);
    if (changed != NULL && !changed[c]) {
        changed[c] = 1;
        p->n_changed++;
    }
    return 1;
}

static int snap_opp(const pcl_t *k, double f)
{
    if (!(f == f))
        return k->n_opps - 1;
    for (int i = 0; i < k->n_opps; i++)
        if (k->opps[i].freq_mhz >= f)
            return i;
    return k->n_opps - 1;
}

/* --------------------------------------------------------------- governors */

static int governor_decide(soc_power_t *p, int c, soc_time_t now, soc_time_t window,
                           soc_error_t *err)
{
    pcl_t *k = &p->cl[c];
    int cnt = k->c->count;
    soc_dvfs_view_t v;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    v.now_us = soc_time_to_us(now);
    v.epoch_us = soc_time_to_us(window);
    v.cluster = c;
    v.platform = &p->cfg->platform;
    v.n_pes = cnt;
    v.n_busy = k->n_busy;
    int first = k->c->first_pe;
    if (window > 0) {
        v.utilization = (double)(k->busy_int - k->busy_epoch) / ((double)window * cnt);
        for (int i = 0; i < cnt; i++) {
            const ppe_t *e = &p->pe[first + i];
            int64_t b = e->busy_ns + (e->busy ? now - e->since : 0);
            p->pe_util[i] = (double)(b - e->busy_epoch) / (double)window;
        }
    } else {
        for (int i = 0; i < cnt; i++)
            p->pe_util[i] = 0;
    }
    v.pe_utilization = p->pe_util;
    v.n_opps = k->n_opps;
    v.opps = k->opps;
    v.cur_opp = k->opp;
    v.cap_mhz = k->opps[k->cap_opp].freq_mhz;
    v.throttled = k->cap_opp < k->n_opps - 1;
    v.max_temp_c = soc__max_temp(p->T);
    double f = k->opps[k->opp].freq_mhz;
    int rc = k->gops->decide(k->gstate, &v, &f);
    if (rc != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0,
                             "governor '%s' of cluster '%s' failed at t=%.3f us: %s",
                             k->gops->name, k->c->name, v.now_us, soc_strerror(rc));
    k->gov_opp = snap_opp(k, f);
    return SOC_OK;
}

static void governors_free(soc_power_t *p)
{
    for (int c = 0; c < p->n_cl; c++) {
        pcl_t *k = &p->cl[c];
        if (k->glive && k->gops->destroy != NULL)
            k->gops->destroy(k->gstate);
        k->glive = 0;
        k->gstate = NULL;
    }
}

static int governors_create(soc_power_t *p, soc_error_t *err)
{
    for (int c = 0; c < p->n_cl; c++) {
        pcl_t *k = &p->cl[c];
        if (k->gops == NULL)
            continue;
        soc_dvfs_init_t in = {sizeof in, &p->cfg->platform, c, soc_dvfs_handle_arg(k->gh),
                              p->pr.util_low, p->pr.util_high};
        k->gstate = NULL;
        if (k->gops->create != NULL) {
            int rc = k->gops->create(&k->gstate, &in);
            if (rc != SOC_OK)
                return soc_error_set(err, rc, p->cfg->source, 0, 0,
                                     "cluster '%s': governor '%s' could not start: %s",
                                     k->c->name, k->pw->governor, soc_strerror(rc));
        }
        k->glive = 1;
    }
    return SOC_OK;
}

/* ---------------------------------------------------------------- lifecycle */

void soc__power_destroy(soc_power_t *p)
{
    if (p == NULL)
        return;
    governors_free(p);
    if (p->cl != NULL)
        for (int c = 0; c < p->n_cl; c++) {
            free(p->cl[c].dyn);
            soc_dvfs_handle_free(p->cl[c].gh);
        }
    free(p->cl);
    free(p->pe);
    free(p->P);
    free(p->bcol);
    free(p->cl_warm);
    free(p->pe_warm);
    free(p->cl_out);
    free(p->pe_out);
    free(p->s_freq);
    free(p->s_pow);
    free(p->pe_util);
    free(p);
}

/* Create step 1: the per-cluster and per-PE arrays, and the utilisation
 * scratch of the largest cluster (-1: out of memory). */
static int power_alloc(soc_power_t *p, const soc_platform_t *pl)
{
    p->cl = calloc((size_t)p->n_cl, sizeof *p->cl);
    p->pe = calloc((size_t)p->n_pe, sizeof *p->pe);
    p->P = calloc((size_t)p->n_cl + 2, sizeof *p->P);
    p->bcol = calloc((size_t)p->n_cl + 2, sizeof *p->bcol);
    p->cl_warm = calloc((size_t)p->n_cl, sizeof(double));
    p->cl_out = calloc((size_t)p->n_cl, sizeof(double));
    p->s_freq = calloc((size_t)p->n_cl, sizeof(double));
    p->s_pow = calloc((size_t)p->n_cl, sizeof(double));
    p->pe_warm = calloc((size_t)p->n_pe, sizeof(double));
    p->pe_out = calloc((size_t)p->n_pe, sizeof(double));
    int maxcnt = 1;
    for (int c = 0; c < p->n_cl; c++)
        if (pl->clusters[c].count > maxcnt)
            maxcnt = pl->clusters[c].count;
    p->pe_util = calloc((size_t)maxcnt, sizeof(double));
    if (!p->cl || !p->pe || !p->P || !p->bcol || !p->cl_warm || !p->cl_out || !p->s_freq ||
        !p->s_pow || !p->pe_warm || !p->pe_out || !p->pe_util)
        return -1;
    return 0;
}

/* Create step 2: cluster c's state -- power data, leakage divisor by kind,
 * thermal column, and its governor (resolved; a non-static one makes the
 * model periodic). */
static int power_cluster(soc_power_t *p, int c, soc_error_t *err)
{
    pcl_t *k = &p->cl[c];
    const soc_cluster_t *cl = &p->cfg->platform.clusters[c];
    k->c = cl;
    k->pw = cl->power;
    k->mem = cl->is_memory;
    k->dyn = calloc((size_t)cl->count + 1, sizeof(double));
    if (k->dyn == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    if (k->pw == NULL || k->mem)
        return SOC_OK;
    k->pg = k->pw->n_pg_profiles > 0;
    k->n_opps = k->pw->n_opps;
    k->opps = k->pw->opps;
    k->fmax = k->n_opps ? k->opps[k->n_opps - 1].freq_mhz : 0;
    k->leak_div = (cl->kind != NULL && strcmp(cl->kind, "ACC") == 0) ? 0
                  : soc__kind_little(cl->kind)                     ? 16
                                                                   : 4;
    k->leak_mul = k->leak_div > 0 ? 1 / k->leak_div : 0;
    if (cl->kind != NULL && (strcmp(cl->kind, "gpu") == 0 || strcmp(cl->kind, "GPU") == 0))
        k->col = COL_GPU;
    else if (soc__thermal_column(cl->kind) == soc__thermal_B_big)
        k->col = COL_BIG;
    else if (soc__thermal_column(cl->kind) == soc__thermal_B_little)
        k->col = COL_LITTLE;
    const char *g = k->pw->governor != NULL ? k->pw->governor : "performance";
    if (strcmp(g, "none") == 0 || k->n_opps == 0) {
        k->none = 1;
        return SOC_OK;
    }
    soc_error_t ge = {0};
    int rc = soc_dvfs_resolve(g, &k->gh, &ge);
    if (rc != SOC_OK)
        return soc_error_set(err, rc, ge.file[0] ? ge.file : p->cfg->source, 0, 0,
                             "cluster '%s': %.400s", cl->name, ge.msg);
    k->gops = soc_dvfs_handle_ops(k->gh);
    if (!(k->gops->flags & SOC_DVFS_STATIC))
        p->periodic = 1;
    return SOC_OK;
}

int soc__power_create(soc_power_t **out, const soc_config_t *cfg, soc_power_fn on_power,
                      void *power_user, soc_error_t *err)
{
    *out = NULL;
    const soc_platform_t *pl = &cfg->platform;
    soc_power_t *p = calloc(1, sizeof *p);
    if (p == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    p->cfg = cfg;
    p->on_power = on_power;
    p->power_user = power_user;
    soc__power_params(cfg, &p->pr);
    p->n_cl = pl->n_clusters;
    p->n_pe = pl->n_pes;
    if (power_alloc(p, pl) != 0) {
        soc__power_destroy(p);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = SOC_OK;
    for (int c = 0; c < p->n_cl && rc == SOC_OK; c++)
        rc = power_cluster(p, c, err);
    if (rc == SOC_OK && p->periodic && p->pr.epoch_ns <= 0)
        rc = soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                           "the governor epoch (sampling_rate) must be positive");
    if (rc == SOC_OK && p->pr.thermal_ns <= 0)
        rc = soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                           "the thermal period (sampling_rate_temperature) must be positive");
    /* thermal inputs: memory, GPU, then each non-memory cluster */
    if (rc == SOC_OK) {
        p->bcol[0] = soc__thermal_B_mem;
        p->bcol[1] = soc__thermal_B_gpu;
        p->n_p = 2;
        for (int c = 0; c < p->n_cl; c++) {
            const pcl_t *k = &p->cl[c];
            if (!k->mem && (k->col == COL_BIG || k->col == COL_LITTLE))
                p->bcol[p->n_p++] = k->col == COL_BIG ? soc__thermal_B_big : soc__thermal_B_little;
        }
        rc = soc__power_reset(p, err);
    }
    if (rc != SOC_OK) {
        soc__power_destroy(p);
        return rc;
    }
    *out = p;
    return SOC_OK;
}

int soc__power_reset(soc_power_t *p, soc_error_t *err)
{
    governors_free(p);
    for (int i = 0; i < SOC__NHOT; i++)
        p->T[i] = p->pr.t_ambient;
    p->peak = p->pr.t_ambient;
    p->factor = p->factor_amb = leak_factor(p, p->pr.t_ambient);
    p->level = -1;
    p->end = 0;
    p->finished = 0;
    p->warmup = soc_time_from_us(p->cfg->injection.warmup_us);
    if (p->cfg->semantics != SOC_SEM_NATIVE)
        p->warmup = 0;
    p->warm_done = p->warmup <= 0;
    p->next_thermal = p->pr.thermal_ns;
    p->next_epoch = p->periodic ? p->pr.epoch_ns : SOC_TIME_NEVER;
    memset(p->cl_warm, 0, sizeof(double) * (size_t)p->n_cl);
    memset(p->pe_warm, 0, sizeof(double) * (size_t)p->n_pe);
    for (int i = 0; i < p->n_pe; i++) {
        ppe_t *e = &p->pe[i];
        memset(e, 0, sizeof *e);
        e->c = p->cfg->platform.pe_cluster[i];
        e->rate = 1.0;
    }
    int rc = governors_create(p, err);
    if (rc != SOC_OK)
        return rc;
    for (int c = 0; c < p->n_cl; c++) {
        pcl_t *k = &p->cl[c];
        k->n_busy = 0;
        k->t_last = 0;
        k->energy = k->e_thermal = k->dyn_int = k->leak_int = 0;
        k->busy_int = k->busy_epoch = 0;
        k->ratio = 1.0;
        if (k->pw == NULL) {
            k->power = 0;
            continue;
        }
        if (k->mem) {
            recompute_power(k);
            continue;
        }
        k->cap_opp = k->gov_opp = k->n_opps ? k->n_opps - 1 : 0;
        if (k->gops != NULL && (rc = governor_decide(p, c, 0, 0, err)) != SOC_OK)
            return rc;
        int want = k->gov_opp < k->cap_opp ? k->gov_opp : k->cap_opp;
        set_opp(p, k, want);
    }
    return SOC_OK;
}

/* ----------------------------------------------------------------- tasks */

soc_time_t soc__power_task_start(soc_power_t *p, soc_time_t now, int pe, soc_time_t d_ns)
{
    ppe_t *e = &p->pe[pe];
    pcl_t *k = &p->cl[e->c];
    touch(k, now);
    flush_pe(p, e, now);
    e->busy = 1;
    e->dyn0 = k->dyn_int;
    k->n_busy++;
    recompute_power(k);
    e->work = (double)d_ns;
    e->rate = k->ratio;
    e->seg = now;
    e->start_freq = (k->pw != NULL && k->n_opps > 0) ? k->opps[k->opp].freq_mhz : 0;
    if (e->rate == 1.0)
        return d_ns;
    return (soc_time_t)llround(e->work / e->rate);
}

void soc__power_task_end(soc_power_t *p, soc_time_t now, int pe)
{
    ppe_t *e = &p->pe[pe];
    pcl_t *k = &p->cl[e->c];
    touch(k, now);
    flush_pe(p, e, now);
    e->busy = 0;
    if (k->n_busy > 0)
        k->n_busy--;
    recompute_power(k);
}

soc_time_t soc__power_retime(soc_power_t *p, soc_time_t now, int pe)
{
    ppe_t *e = &p->pe[pe];
    const pcl_t *k = &p->cl[e->c];
    e->work -= (double)(now - e->seg) * e->rate;
    if (e->work < 0)
        e->work = 0;
    e->rate = k->ratio;
    e->seg = now;
    return now + (soc_time_t)llround(e->work / e->rate);
}

double soc__power_task_freq(const soc_power_t *p, int pe)
{
    return p->pe[pe].start_freq;
}

/* ----------------------------------------------------------------- steps */

soc_time_t soc__power_next(const soc_power_t *p)
{
    soc_time_t t = p->next_thermal;
    if (p->next_epoch < t)
        t = p->next_epoch;
    if (!p->warm_done && p->warmup < t)
        t = p->warmup;
    return t;
}

static void touch_all(soc_power_t *p, soc_time_t now)
{
    for (int c = 0; c < p->n_cl; c++)
        if (p->cl[c].pw != NULL)
            touch(&p->cl[c], now);
}

static void throttle(soc_power_t *p, soc_time_t now, unsigned char *changed)
{
    double tm = soc__max_temp(p->T);
    int lv = p->level;
    for (int i = 0; i < p->pr.n_trip; i++) {
        if (tm > p->pr.trip_c[i]) {
            if (lv < i)
                lv = i;
        } else if (lv == i && tm < p->pr.trip_c[i] - p->pr.hyst_c[i]) {
            lv = i - 1;
        }
    }
    if (lv == p->level)
        return;
    p->level = lv;
    for (int c = 0; c < p->n_cl; c++) {
        pcl_t *k = &p->cl[c];
        if (k->pw == NULL || k->mem || k->none)
            continue;
        const double *tf = p->pr.throttle == 2 ? k->pw->dtpm_trip_freq_mhz : k->pw->trip_freq_mhz;
        int ntf = p->pr.throttle == 2 ? k->pw->n_dtpm_trip : k->pw->n_trip;
        int cap = k->n_opps - 1;
        if (lv >= 0 && lv < ntf && tf[lv] != -1) {
            cap = 0;
            for (int i = 0; i < k->n_opps; i++)
                if (k->opps[i].freq_mhz <= tf[lv])
                    cap = i;
        }
        k->cap_opp = cap;
        apply(p, c, now, changed);
    }
}

static void thermal(soc_power_t *p, soc_time_t now, unsigned char *changed)
{
    double inv = 1 / ((double)p->pr.thermal_ns * 1e-9);
    touch_all(p, now);
    double mem = 0, gpu = 0;
    int j = 2;
    /* zero columns of B are left out of P: they add nothing */
    for (int c = 0; c < p->n_cl; c++) {
        pcl_t *k = &p->cl[c];
        double avg = (k->energy - k->e_thermal) * inv;
        k->e_thermal = k->energy;
        p->s_pow[c] = avg;
        if (k->mem)
            mem += avg;
        else if (k->col == COL_GPU)
            gpu += avg;
        else if (k->col != COL_ZERO)
            p->P[j++] = avg;
    }
    p->P[0] = mem;
    p->P[1] = gpu;
    soc__thermal_step(p->T, p->pr.t_ambient, p->n_p, p->P, p->bcol);
    double tm = soc__max_temp(p->T);
    if (tm > p->peak)
        p->peak = tm;
    p->factor = leak_factor(p, tm);
    for (int c = 0; c < p->n_cl; c++) {
        pcl_t *k = &p->cl[c];
        if (k->pw == NULL || k->mem || k->leak_div == 0 || k->n_opps == 0)
            continue;
        k->leak_core = leak_core(p, k, k->opps[k->opp].volt_mv, p->factor);
        recompute_power(k);
    }
    if (p->pr.throttle)
        throttle(p, now, changed);
    if (p->on_power != NULL) {
        for (int c = 0; c < p->n_cl; c++) {
            const pcl_t *k = &p->cl[c];
            p->s_freq[c] = (k->pw != NULL && k->n_opps > 0 && !k->mem) ? k->opps[k->opp].freq_mhz
                                                                       : 0;
        }
        soc_power_sample_t s = {soc_time_to_us(now), p->n_cl, p->s_freq, p->s_pow, tm};
        p->on_power(p->power_user, &s);
    }
}

int soc__power_step(soc_power_t *p, soc_time_t now, unsigned char *changed, soc_error_t *err)
{
    p->n_changed = 0;
    if (!p->warm_done && now >= p->warmup) {
        touch_all(p, now);
        for (int i = 0; i < p->n_pe; i++)
            flush_pe(p, &p->pe[i], now);
        for (int c = 0; c < p->n_cl; c++)
            p->cl_warm[c] = p->cl[c].energy;
        for (int i = 0; i < p->n_pe; i++)
            p->pe_warm[i] = p->pe[i].energy;
        p->warm_done = 1;
    }
    if (now >= p->next_thermal) {
        thermal(p, now, changed);
        p->next_thermal += p->pr.thermal_ns;
    }
    if (now >= p->next_epoch) {
        touch_all(p, now);
        for (int c = 0; c < p->n_cl; c++) {
            pcl_t *k = &p->cl[c];
            if (k->gops != NULL && !(k->gops->flags & SOC_DVFS_STATIC)) {
                int rc = governor_decide(p, c, now, p->pr.epoch_ns, err);
                if (rc != SOC_OK)
                    return rc;
                apply(p, c, now, changed);
            }
            k->busy_epoch = k->busy_int;
        }
        for (int i = 0; i < p->n_pe; i++) {
            ppe_t *e = &p->pe[i];
            e->busy_epoch = e->busy_ns + (e->busy ? now - e->since : 0);
        }
        p->next_epoch += p->pr.epoch_ns;
    }
    return p->n_changed;
}

void soc__power_finish(soc_power_t *p, soc_time_t now)
{
    touch_all(p, now);
    for (int i = 0; i < p->n_pe; i++)
        flush_pe(p, &p->pe[i], now);
    p->end = now;
    p->finished = 1;
}

double soc__power_energy_at(const soc_power_t *p, soc_time_t now)
{
    double e = 0;
    for (int c = 0; c < p->n_cl; c++) {
        const pcl_t *k = &p->cl[c];
        e += k->energy;
        if (now > k->t_last)
            e += k->power * ((double)(now - k->t_last) * 1e-9);
    }
    return e;
}

void soc__power_metrics(const soc_power_t *cp, soc_metrics_t *m)
{
    soc_power_t *p = (soc_power_t *)cp; /* output arrays live in p */
    double e = 0;
    int counted = p->warm_done;
    for (int c = 0; c < p->n_cl; c++) {
        p->cl_out[c] = counted ? p->cl[c].energy - p->cl_warm[c] : 0;
        e += p->cl_out[c];
    }
    for (int i = 0; i < p->n_pe; i++)
        p->pe_out[i] = counted ? p->pe[i].energy - p->pe_warm[i] : 0;
    m->has_energy = 1;
    m->energy_j = e;
    m->edp = m->makespan_us * e;
    soc_time_t span = p->end - (p->warmup > 0 ? p->warmup : 0);
    m->avg_power_w = span > 0 ? e / ((double)span * 1e-9) : 0;
    m->peak_temp_c = p->peak;
    m->n_clusters = p->n_cl;
    m->cluster_energy_j = p->cl_out;
    m->pe_energy_j = p->pe_out;
}
