/*
 * ds3_power.c -- DS3's power model, bit-exact (see ds3_power.h and
 * docs/power.md).  Every formula keeps DS3's evaluation order: the results
 * must equal DS3's to the last bit, not just to 6 digits, because small
 * differences change which throttling/ondemand decisions are taken.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ds3_power.h"
#include "power_internal.h"

enum { M_NONE = 0, M_PERF, M_SAVE, M_OD, M_CONST };

typedef struct hist {
    double start, finish;
    int64_t id;
} hist_t;

typedef struct dcl {
    const soc_cluster_t *c;
    const soc_cluster_power_t *pw;
    int mem, acc, little, governed; /* governed: DVFS mode string != "none" */
    int mode;
    double const_mhz;
    int n_opps;
    soc_opp_t *opps;        /* sorted by (freq, volt) */
    double f, v;            /* current MHz, mV (DS3 ints) */
    double P;               /* P_cluster, persists across runs */
    double eval_t;
    int n_busy;             /* PEs with idle == false */
    double lk_v;            /* leakage cache: value for voltage lk_v at */
    uint64_t lk_tv;         /* temperature version lk_tv */
    double lk;
} dcl_t;

typedef struct dpe {
    int c;
    int held, idle, running;
    double leak, util, eval_t;
    double start, R, e, dyn_task, stat_task, finish, freq;
    int64_t id;
    hist_t *h;
    int nh, caph;
    double e_cum, e_tot;
} dpe_t;

struct soc_ds3_power {
    const soc_config_t *cfg;
    soc_ds3_options_t o;
    soc__leak_params_t lp;
    int validation;
    double warmup;
    double SR, SRT;
    int n_cl, n_pe;
    dcl_t *cl;
    dpe_t *pe;
    double T[SOC__NHOT];
    uint64_t t_version;     /* bumped at every thermal update */
    uint64_t ex_tv;         /* tk, ex = 273 + max(T), exp(-C2/tk) at */
    double tk, ex;          /* temperature version ex_tv */
    double peak;
    int state;              /* throttling_state */
    double cur_t;
    int n_eval;
    double e_cum, e_tot;
    double parts[4];        /* E_cum split: dynamic, busy leakage, idle
                               leakage, base (memory + GPU) */
    double base_power, base_energy;
    int n_p;
    double *P;
    const double **bcol;
    double *in_f, *tf;      /* throttling scratch (compact lists) */
    double *cl_out, *pe_out, *s_freq, *s_pow;
    soc_power_fn sink;
    void *sink_user;
};

/* ------------------------------------------------------------ helpers */

static int mode_of(const char *g, double *mhz)
{
    if (g == NULL || strcmp(g, "none") == 0)
        return M_NONE;
    if (strcmp(g, "performance") == 0)
        return M_PERF;
    if (strcmp(g, "powersave") == 0)
        return M_SAVE;
    if (strcmp(g, "ondemand") == 0)
        return M_OD;
    if (strncmp(g, "constant-", 9) == 0 && soc__dvfs_parse_num(g + 9, NULL, mhz) == 0)
        return M_CONST;
    return M_NONE; /* DS3 treats anything else like "no governor" */
}

static int opp_sort_cmp(const void *a, const void *b)
{
    const soc_opp_t *x = a, *y = b;
    if (x->freq_mhz != y->freq_mhz)
        return x->freq_mhz < y->freq_mhz ? -1 : 1;
    if (x->volt_mv != y->volt_mv)
        return x->volt_mv < y->volt_mv ? -1 : 1;
    return 0;
}

static int gate(const soc_ds3_power_t *p, double now)
{
    return p->validation || now >= p->warmup;
}

/* Set (f, V) from an exact operating-point match. */
static int set_freq(soc_ds3_power_t *p, dcl_t *k, double f, soc_error_t *err)
{
    int i = soc__opp_exact(k->opps, k->n_opps, f);
    if (i < 0)
        return soc_error_set(err, SOC_ECONFIG, p->cfg->source, 0, 0,
                             "cluster '%s': frequency %g MHz is not one of its operating points "
                             "(DS3 stops here)",
                             k->c->name, f);
    k->f = k->opps[i].freq_mhz;
    k->v = k->opps[i].volt_mv;
    return SOC_OK;
}

/* DS3's initialize_frequency for one cluster (only while f == 0). */
static int init_freq(soc_ds3_power_t *p, dcl_t *k, soc_error_t *err)
{
    if (k->n_opps == 0)
        return SOC_OK;
    switch (k->mode) {
    case M_PERF:
    case M_OD:
        k->f = k->opps[k->n_opps - 1].freq_mhz;
        k->v = k->opps[k->n_opps - 1].volt_mv;
        return SOC_OK;
    case M_SAVE:
        k->f = k->opps[0].freq_mhz;
        k->v = k->opps[0].volt_mv;
        return SOC_OK;
    case M_CONST:
        return set_freq(p, k, k->const_mhz, err);
    default:
        return SOC_OK;
    }
}

/* DS3 static power per core of cluster k (DTPM_power_models).  A pure
 * function of (V, T): cached per cluster until either changes. */
static double leak(soc_ds3_power_t *p, dcl_t *k)
{
    if (k->acc)
        return 0;
    if (k->lk_tv == p->t_version && k->lk_v == k->v)
        return k->lk;
    if (p->ex_tv != p->t_version) {
        /* exp(-C2/TK) depends on the temperatures only: once per update */
        p->tk = 273 + soc__max_temp(p->T);
        p->ex = exp(-p->lp.C2 / p->tk);
        p->ex_tv = p->t_version;
    }
    double v = k->v * 1e-3;
    /* soc__leak_raw's expression, DS3's order, with the shared exp */
    double pcl = v * p->lp.C1 * p->tk * p->tk * p->ex + p->lp.Igate * v;
    if (k->little)
        pcl = pcl / 4;
    k->lk = pcl / 4;
    k->lk_v = k->v;
    k->lk_tv = p->t_version;
    return k->lk;
}

/* Number of the cluster's PEs whose idle flag is false (kept up to date
 * where the flag changes: task_begin, task_end, begin). */
static int busy_count(const soc_ds3_power_t *p, const dcl_t *k)
{
    (void)p;
    return k->n_busy;
}

/* t % m == 0 as Python computes it, without fmod on integral times (the
 * sampling ticks are integers). */
static int is_multiple(double t, double m)
{
    if (t == (double)(int64_t)t && m == (double)(int64_t)m)
        return (int64_t)t % (int64_t)m == 0;
    return fmod(t, m) == 0;
}

/* ------------------------------------------------------------ thermal */

static int throttle(soc_ds3_power_t *p, soc_error_t *err)
{
    int dtpm = p->o.enable_dtpm_throttling;
    int n_trip = dtpm ? p->o.n_dtpm_trip : p->o.n_trip;
    const double *trip = dtpm ? p->o.dtpm_trip_temperature : p->o.trip_temperature;
    double tm = soc__max_temp(p->T);
    /* in_f: compact over governed clusters, indexed by overall position
     * below, as DS3 does (docs/power.md, DS3 quirks) */
    int n_in = 0;
    for (int c = 0; c < p->n_cl; c++) {
        const dcl_t *k = &p->cl[c];
        if (!k->governed)
            continue;
        double f = k->f;
        if (k->n_opps > 0 && k->mode == M_PERF)
            f = k->opps[k->n_opps - 1].freq_mhz;
        else if (k->n_opps > 0 && k->mode == M_SAVE)
            f = k->opps[0].freq_mhz;
        else if (k->mode == M_CONST)
            f = k->const_mhz;
        p->in_f[n_in++] = f;
    }
    for (int t = 0; t < n_trip; t++) {
        int take = tm > trip[t] && p->state < t;
        int release = !(tm > trip[t]) && p->state == t && tm < trip[t] - p->o.trip_hysteresis[t];
        if (!take && !release)
            continue;
        int col = take ? t : t - 1; /* trip column applied; -1 = none */
        if (col >= 0) {
            int m = 0;
            for (int c = 0; c < p->n_cl; c++) {
                const dcl_t *k = &p->cl[c];
                if (!k->governed)
                    continue;
                const double *l = dtpm ? k->pw->dtpm_trip_freq_mhz : k->pw->trip_freq_mhz;
                int nl = dtpm ? k->pw->n_dtpm_trip : k->pw->n_trip;
                if (col >= nl)
                    return soc_error_set(err, SOC_ECONFIG, p->cfg->source, 0, 0,
                                         "cluster '%s' has no %s entry for trip point %d "
                                         "(DS3 stops here)",
                                         k->c->name, dtpm ? "DTPM_trip_freq" : "trip_freq",
                                         col + 1);
                p->tf[m++] = l[col];
            }
        }
        p->state = take ? t : p->state - 1;
        for (int c = 0; c < p->n_cl; c++) {
            dcl_t *k = &p->cl[c];
            if (!k->governed)
                continue;
            if (c >= n_in)
                return soc_error_set(err, SOC_ECONFIG, p->cfg->source, 0, 0,
                                     "cluster '%s': DS3's throttling indexes governed clusters "
                                     "by position and fails when a 'none' cluster comes first",
                                     k->c->name);
            double f = p->in_f[c];
            if (col >= 0 && p->tf[c] != -1 && p->tf[c] < f)
                f = p->tf[c];
            /* DS3 passes the frequency through GHz and back */
            double ghz = f / 1000;
            double back = (double)(int64_t)(ghz * 1000);
            int rc = set_freq(p, k, back, err);
            if (rc != SOC_OK)
                return rc;
        }
    }
    return SOC_OK;
}

static int thermal(soc_ds3_power_t *p, double t, soc_error_t *err)
{
    int j = 2;
    p->P[0] = SOC__P_MEM_W;
    p->P[1] = SOC__P_GPU_W;
    for (int c = 0; c < p->n_cl; c++)
        if (!p->cl[c].mem)
            p->P[j++] = p->cl[c].P;
    soc__thermal_step(p->T, p->o.T_ambient, p->n_p, p->P, p->bcol);
    p->t_version++;
    double tm = soc__max_temp(p->T);
    if (tm > p->peak)
        p->peak = tm;
    int rc = SOC_OK;
    if (p->o.enable_throttling || p->o.enable_dtpm_throttling)
        rc = throttle(p, err);
    if (p->sink != NULL) {
        for (int c = 0; c < p->n_cl; c++) {
            p->s_freq[c] = p->cl[c].f;
            p->s_pow[c] = p->cl[c].P;
        }
        soc_power_sample_t s = {t, p->n_cl, p->s_freq, p->s_pow, tm};
        p->sink(p->sink_user, &s);
    }
    return rc;
}

/* -------------------------------------------------------- evaluate_PE */

static double utilization(soc_ds3_power_t *p, dpe_t *d, double t)
{
    double lo = t - p->SR, u = 0;
    int w = 0;
    for (int i = 0; i < d->nh; i++) {
        const hist_t *h = &d->h[i];
        if (h->start < lo && h->finish < lo)
            continue; /* skipped now and at every later (larger) t */
        d->h[w++] = *h;
        if (h->start < lo)
            u += h->finish - lo;
        else
            u += h->finish - h->start;
    }
    d->nh = w;
    if (d->running)
        u += t - (d->start > lo ? d->start : lo);
    return u / p->SR;
}

static void ondemand(soc_ds3_power_t *p, dcl_t *k)
{
    double sum = 0;
    for (int i = 0; i < k->c->count; i++)
        sum += p->pe[k->c->first_pe + i].util;
    double u = sum / k->c->count * k->c->count;
    if (k->n_opps == 0)
        return;
    if (u > p->o.util_high_threshold) {
        if (p->state == -1) {
            k->f = k->opps[k->n_opps - 1].freq_mhz;
            k->v = k->opps[k->n_opps - 1].volt_mv;
        }
    } else if (u < p->o.util_low_threshold) {
        int i = soc__opp_exact(k->opps, k->n_opps, k->f);
        if (i > 0) {
            k->f = k->opps[i - 1].freq_mhz;
            k->v = k->opps[i - 1].volt_mv;
        }
    }
}

static int evaluate(soc_ds3_power_t *p, int pe, double t, soc_error_t *err)
{
    if (t == 0)
        return SOC_OK;
    dpe_t *d = &p->pe[pe];
    dcl_t *k = &p->cl[d->c];
    if (d->eval_t != t) {
        d->eval_t = t;
        /* only ondemand reads utilisations (DS3's traces aside), so only
         * ondemand clusters keep a completed list (spec §11 C2) */
        if (k->mode == M_OD)
            d->util = utilization(p, d, t);
    }
    if (k->eval_t == t)
        return SOC_OK;
    k->eval_t = t;
    if (p->cur_t != t) {
        p->cur_t = t;
        p->n_eval = 0;
    }
    p->n_eval++;
    if (k->mode == M_OD)
        ondemand(p, k);
    if (p->n_eval == p->n_cl - 1 && is_multiple(t, p->SRT))
        return thermal(p, t, err);
    return SOC_OK;
}

/* ---------------------------------------------------------------- hooks */

void soc__ds3p_destroy(soc_ds3_power_t *p)
{
    if (p == NULL)
        return;
    if (p->cl != NULL)
        for (int c = 0; c < p->n_cl; c++)
            free(p->cl[c].opps);
    if (p->pe != NULL)
        for (int i = 0; i < p->n_pe; i++)
            free(p->pe[i].h);
    free(p->cl);
    free(p->pe);
    free(p->P);
    free(p->bcol);
    free(p->in_f);
    free(p->tf);
    free(p->cl_out);
    free(p->pe_out);
    free(p->s_freq);
    free(p->s_pow);
    free(p);
}

int soc__ds3p_create(soc_ds3_power_t **out, const soc_config_t *cfg, soc_error_t *err)
{
    *out = NULL;
    const soc_platform_t *pl = &cfg->platform;
    soc_ds3_power_t *p = calloc(1, sizeof *p);
    if (p == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    p->cfg = cfg;
    if (cfg->ds3 != NULL)
        p->o = *cfg->ds3;
    else
        soc_ds3_options_default(&p->o);
    p->o.scale_values = NULL;
    p->o.job_list = NULL;
    p->lp.C1 = p->o.C1;
    p->lp.C2 = p->o.C2;
    p->lp.Igate = p->o.Igate;
    p->validation = p->o.validation;
    p->warmup = p->validation ? 0 : (double)p->o.warmup_period;
    p->SR = (double)p->o.sampling_rate;
    p->SRT = (double)p->o.sampling_rate_temperature;
    p->base_power = SOC__P_MEM_W + SOC__P_GPU_W;
    /* DS3: base_power * SR * 1e-6 / (number of PEs - 1) */
    p->base_energy = p->base_power * p->SR * 1e-6 / (pl->n_pes - 1);
    p->n_cl = pl->n_clusters;
    p->n_pe = pl->n_pes;
    size_t nc = (size_t)p->n_cl, np = (size_t)p->n_pe;
    p->cl = calloc(nc, sizeof *p->cl);
    p->pe = calloc(np, sizeof *p->pe);
    p->P = calloc(nc + 2, sizeof *p->P);
    p->bcol = calloc(nc + 2, sizeof *p->bcol);
    p->in_f = calloc(nc, sizeof(double));
    p->tf = calloc(nc, sizeof(double));
    p->cl_out = calloc(nc, sizeof(double));
    p->s_freq = calloc(nc, sizeof(double));
    p->s_pow = calloc(nc, sizeof(double));
    p->pe_out = calloc(np, sizeof(double));
    if (!p->cl || !p->pe || !p->P || !p->bcol || !p->in_f || !p->tf || !p->cl_out ||
        !p->s_freq || !p->s_pow || !p->pe_out) {
        soc__ds3p_destroy(p);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (p->SR <= 0 || p->SRT <= 0 || p->n_pe < 2 || p->n_cl < 2) {
        soc__ds3p_destroy(p);
        return soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                             "DS3 power model: needs positive sampling rates, a memory PE "
                             "and at least one other cluster");
    }
    p->bcol[0] = soc__thermal_B_mem;
    p->bcol[1] = soc__thermal_B_gpu;
    p->n_p = 2;
    for (int c = 0; c < p->n_cl; c++) {
        dcl_t *k = &p->cl[c];
        const soc_cluster_t *cl = &pl->clusters[c];
        const char *kind = cl->kind ? cl->kind : "";
        k->c = cl;
        k->pw = cl->power;
        k->mem = strcmp(kind, "MEM") == 0 || cl->is_memory;
        k->acc = strcmp(kind, "ACC") == 0;
        k->little = strcmp(kind, "LTL") == 0;
        k->eval_t = -1;
        const char *g = k->pw ? k->pw->governor : NULL;
        k->governed = g != NULL && strcmp(g, "none") != 0;
        k->mode = mode_of(g, &k->const_mhz);
        if (k->pw != NULL && k->pw->n_opps > 0) {
            k->opps = malloc(sizeof *k->opps * (size_t)k->pw->n_opps);
            if (k->opps == NULL) {
                soc__ds3p_destroy(p);
                return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            }
            memcpy(k->opps, k->pw->opps, sizeof *k->opps * (size_t)k->pw->n_opps);
            k->n_opps = k->pw->n_opps;
            qsort(k->opps, (size_t)k->n_opps, sizeof *k->opps, opp_sort_cmp);
        }
        if (k->mem)
            continue;
        p->bcol[p->n_p++] = strcmp(kind, "BIG") == 0   ? soc__thermal_B_big
                            : strcmp(kind, "LTL") == 0 ? soc__thermal_B_little
                                                       : soc__thermal_B_zero;
    }
    for (int i = 0; i < p->n_pe; i++)
        p->pe[i].c = pl->pe_cluster[i];
    *out = p;
    return SOC_OK;
}

void soc__ds3p_set_sink(soc_ds3_power_t *p, soc_power_fn fn, void *user)
{
    p->sink = fn;
    p->sink_user = user;
}

int soc__ds3p_begin(soc_ds3_power_t *p, soc_error_t *err)
{
    for (int i = 0; i < SOC__NHOT; i++)
        p->T[i] = p->o.T_ambient;
    p->t_version++;
    p->peak = p->o.T_ambient;
    p->state = -1;
    p->cur_t = -1;
    p->n_eval = 0;
    p->e_cum = p->e_tot = 0;
    memset(p->parts, 0, sizeof p->parts);
    for (int i = 0; i < p->n_pe; i++) {
        dpe_t *d = &p->pe[i];
        d->held = d->running = 0;
        d->idle = 1;
        d->leak = d->util = 0;
        d->eval_t = -1;
        d->nh = 0;
        d->e_cum = d->e_tot = 0;
    }
    for (int c = 0; c < p->n_cl; c++) {
        dcl_t *k = &p->cl[c];
        k->eval_t = -1;
        k->n_busy = 0;
        if (k->f == 0) {
            int rc = init_freq(p, k, err);
            if (rc != SOC_OK)
                return rc;
        }
    }
    return SOC_OK;
}

int soc__ds3p_sample(soc_ds3_power_t *p, double t, soc_error_t *err)
{
    double base_energy = p->base_energy;
    int g = gate(p, t);
    for (int i = 0; i < p->n_pe; i++) {
        dpe_t *d = &p->pe[i];
        dcl_t *k = &p->cl[d->c];
        if (k->mem)
            continue;
        if (!d->held) {
            int rc = evaluate(p, i, t, err);
            if (rc != SOC_OK)
                return rc;
            d->leak = leak(p, k);
            if (busy_count(p, k) == 0)
                k->P = d->leak * k->c->count + p->base_power;
        }
        double s = d->held ? base_energy : d->leak * p->SR * 1e-6 + base_energy;
        if (g) {
            if (!d->held)
                p->parts[2] += d->leak * p->SR * 1e-6;
            p->parts[3] += base_energy;
        }
        p->e_tot += s;
        d->e_tot += s;
        if (g) {
            p->e_cum += s;
            d->e_cum += s;
        }
    }
    return SOC_OK;
}

int soc__ds3p_task_begin(soc_ds3_power_t *p, int pe, double now, double exec_us,
                         int64_t task_id, soc_error_t *err)
{
    dpe_t *d = &p->pe[pe];
    dcl_t *k = &p->cl[d->c];
    if (k->f == 0 && (k->governed || k->n_opps > 0)) {
        int rc = init_freq(p, k, err);
        if (rc != SOC_OK)
            return rc;
    }
    d->held = 1;
    if (d->idle)
        k->n_busy++;
    d->idle = 0;
    d->running = 1;
    d->start = now;
    d->R = exec_us;
    d->e = 0;
    d->dyn_task = d->stat_task = 0;
    d->id = task_id;
    d->freq = k->f;
    return SOC_OK;
}

double soc__ds3p_slowdown(const soc_ds3_power_t *p, int pe)
{
    const dcl_t *k = &p->cl[p->pe[pe].c];
    if (k->f == 0 || k->n_opps == 0)
        return 0;
    return k->opps[k->n_opps - 1].freq_mhz / k->f - 1;
}

int soc__ds3p_piece(soc_ds3_power_t *p, int pe, double now, double *step, int *last,
                    soc_error_t *err)
{
    dpe_t *d = &p->pe[pe];
    double s = soc__ds3p_slowdown(p, pe);
    double rem = d->R - d->e;
    double pred = rem + rem * s;
    double win = p->SR - fmod(now, p->SR);
    if (pred - win > 0) {
        *step = win;
        *last = 0;
        d->e += win / (s + 1);
    } else {
        *step = pred;
        *last = 1;
    }
    return soc__ds3p_charge(p, pe, now, *step, err);
}

int soc__ds3p_charge(soc_ds3_power_t *p, int pe, double now, double step, soc_error_t *err)
{
    dpe_t *d = &p->pe[pe];
    dcl_t *k = &p->cl[d->c];
    /* power of this piece, frozen at its start */
    double lk = leak(p, k);
    int n = busy_count(p, k);
    const soc_cluster_power_t *pw = k->pw;
    const soc_power_row_t *row = NULL;
    int cnt = k->c->count;
    double pdyn = 0;
    if (pw == NULL)
        goto charge; /* no power data at all (not a DS3 file): draws nothing */
    for (int i = 0; i < pw->n_profiles; i++)
        if (k->f <= pw->profiles[i].freq_mhz) {
            row = &pw->profiles[i];
            break;
        }
    if (row == NULL || row->watts == NULL || n < 1)
        return soc_error_set(err, SOC_ECONFIG, p->cfg->source, 0, 0,
                             "cluster '%s': no power_profile line for %g MHz (DS3 stops here)",
                             k->c->name, k->f);
    double pmax = row->watts[(n <= cnt ? n : cnt) - 1];
    double pdyn_thr = pmax > 0 ? (pmax - lk * cnt) / n : 0;
    int ti = soc__opp_exact(k->opps, k->n_opps, row->freq_mhz);
    if (ti < 0)
        return soc_error_set(err, SOC_ECONFIG, p->cfg->source, 0, 0,
                             "cluster '%s': power_profile frequency %g MHz is not an operating "
                             "point (DS3 stops here)",
                             k->c->name, row->freq_mhz);
    double vt = k->opps[ti].volt_mv * 1e-3;
    double cdyn = pdyn_thr / ((row->freq_mhz * 1e6) * (vt * vt));
    double vc = k->v * 1e-3;
    pdyn = (cdyn * (k->f * 1e6)) * (vc * vc);
charge:
    d->dyn_task += pdyn * step * 1e-6;
    d->stat_task += lk * step * 1e-6;
    k->P = pdyn * n + lk * cnt;
    d->leak = lk;
    if (gate(p, now)) {
        double e = (pdyn + lk) * step * 1e-6;
        p->e_cum += e;
        d->e_cum += e;
        p->parts[0] += pdyn * step * 1e-6;
        p->parts[1] += lk * step * 1e-6;
    }
    return SOC_OK;
}

int soc__ds3p_piece_end(soc_ds3_power_t *p, int pe, double now, soc_error_t *err)
{
    if (is_multiple(now, p->SR))
        return evaluate(p, pe, now, err);
    return SOC_OK;
}

void soc__ds3p_task_end(soc_ds3_power_t *p, int pe, double now)
{
    dpe_t *d = &p->pe[pe];
    d->finish = (double)(int64_t)now;
    if (!d->idle)
        p->cl[d->c].n_busy--;
    d->idle = 1;
    double e = d->dyn_task + d->stat_task;
    p->e_tot += e;
    d->e_tot += e;
}

int soc__ds3p_task_done(soc_ds3_power_t *p, int pe, double now, soc_error_t *err)
{
    dpe_t *d = &p->pe[pe];
    if (p->cl[d->c].mode != M_OD)
        goto release;
    if (d->nh == d->caph) {
        int nc = d->caph ? 2 * d->caph : 8;
        hist_t *nh = realloc(d->h, (size_t)nc * sizeof *nh);
        if (nh == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        d->h = nh;
        d->caph = nc;
    }
    d->h[d->nh++] = (hist_t){d->start, d->finish, d->id};
release:
    d->running = 0;
    int rc = SOC_OK;
    if (is_multiple(now, p->SR))
        rc = evaluate(p, pe, now, err);
    d->held = 0;
    return rc;
}

void soc__ds3p_forget(soc_ds3_power_t *p, int pe, int64_t task_id)
{
    if (pe < 0 || pe >= p->n_pe)
        return;
    dpe_t *d = &p->pe[pe];
    for (int i = 0; i < d->nh; i++)
        if (d->h[i].id == task_id) {
            memmove(&d->h[i], &d->h[i + 1], (size_t)(d->nh - i - 1) * sizeof *d->h);
            d->nh--;
            return;
        }
}

double soc__ds3p_freq_mhz(const soc_ds3_power_t *p, int pe)
{
    return p->cl[p->pe[pe].c].f;
}

double soc__ds3p_task_freq_mhz(const soc_ds3_power_t *p, int pe)
{
    return p->pe[pe].freq;
}

int64_t soc__ds3p_sampling_rate(const soc_ds3_power_t *p)
{
    return p->o.sampling_rate;
}

void soc__ds3p_totals(const soc_ds3_power_t *p, double *e_cum, double *e_tot)
{
    if (e_cum != NULL)
        *e_cum = p->e_cum;
    if (e_tot != NULL)
        *e_tot = p->e_tot;
}

void soc__ds3p_breakdown(const soc_ds3_power_t *p, double parts[4])
{
    memcpy(parts, p->parts, sizeof p->parts);
}

void soc__ds3p_metrics(const soc_ds3_power_t *cp, soc_metrics_t *m)
{
    soc_ds3_power_t *p = (soc_ds3_power_t *)cp; /* output arrays live in p */
    double e = p->validation ? p->e_tot : p->e_cum;
    for (int c = 0; c < p->n_cl; c++)
        p->cl_out[c] = 0;
    for (int i = 0; i < p->n_pe; i++) {
        p->pe_out[i] = p->validation ? p->pe[i].e_tot : p->pe[i].e_cum;
        p->cl_out[p->pe[i].c] += p->pe_out[i];
    }
    m->has_energy = 1;
    m->energy_j = e;
    m->edp = m->makespan_us * e;
    double span = m->sim_time_us - p->warmup;
    m->avg_power_w = span > 0 ? e / (span * 1e-6) : 0;
    m->peak_temp_c = p->peak;
    m->n_clusters = p->n_cl;
    m->cluster_energy_j = p->cl_out;
    m->pe_energy_j = p->pe_out;
}
