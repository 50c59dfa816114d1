/*
 * ds3_power.c -- DS3's power model, bit-exact (see ds3_power.h and
 * docs/power.md).  Every formula keeps DS3's evaluation order: the results
 * must equal DS3's to the last bit, not just to 6 digits, because small
 * differences change which throttling/ondemand decisions are taken.
 */
#include <float.h>
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
    int first, count;       /* its PEs (c->first_pe, c->count) */
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
    double lk;              /* static power per core */
    /* derived from lk with DS3's expressions, for the idle sweep:
     * lk_e = lk * SR * 1e-6 (an idle PE's leakage energy per sample),
     * lk_s = lk_e + base_energy, P_idle = lk * count + base_power */
    double lk_e, lk_s, P_idle;
    /* charge cache: dynamic power pd and cluster power pd_P of a piece,
     * a pure function of (f, V, busy count, leakage); busy PEs of a
     * cluster start their pieces at the same ticks with the same key */
    int pd_ok, pd_n;
    double pd_f, pd_v, pd_lk, pd, pd_P;
    double sd_f, sd;        /* slowdown sd at frequency sd_f (-1: none) */
    double oi_f;            /* soc__opp_exact(opps, f) = oi for f = oi_f */
    int oi;
} dcl_t;

typedef struct dpe {
    int c;
    int held, idle, running;
    /* the PE's share of the reported accumulator: E_tot's additions in
     * validation mode, E_cum's otherwise (only that split is reported);
     * next to held, the other field of the sampling sweep */
    double e_rep;
    double util, eval_t;
    double start, R, e, dyn_task, stat_task, finish, freq;
    int64_t id;
    hist_t *h;
    int nh, caph;
} dpe_t;

struct soc_ds3_power {
    const soc_config_t *cfg;
    soc_ds3_options_t o;
    soc__leak_params_t lp;
    int validation;
    double warmup;
    double SR, SRT;
    int64_t sr_i, srt_i;    /* the same as integers */
    double inv_sr, inv_srt; /* 1 / SR, 1 / SRT (multiple tests only) */
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
    /* thermal step: the columns of A, the memory + GPU part of B P
     * (constant: those two powers are, and they come first in DS3's sum) */
    double At[SOC__NHOT][SOC__NHOT]; /* At[j][i] = A[i][j] */
    double b0[SOC__NHOT];
    int *bnz, n_bnz;        /* the columns k >= 2 that are not all zero */
    int b_pos;              /* b0 > 0 and those columns >= 0 (see
                               thermal_step) */
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

/* Largest temperature, the first one on ties (soc__max_temp). */
static inline double max_temp(const double T[SOC__NHOT])
{
    double m = T[0];
    for (int i = 1; i < SOC__NHOT; i++)
        if (T[i] > m)
            m = T[i];
    return m;
}

/* Recompute the leakage cache of cluster k (see leak). */
static void leak_compute(soc_ds3_power_t *p, dcl_t *k)
{
    double lk = 0; /* accelerators draw no static power in DS3 */
    if (!k->acc) {
        if (p->ex_tv != p->t_version) {
            /* exp(-C2/TK) depends on the temperatures only: once per update */
            p->tk = 273 + max_temp(p->T);
            p->ex = exp(-p->lp.C2 / p->tk);
            p->ex_tv = p->t_version;
        }
        double v = k->v * 1e-3;
        /* soc__leak_raw's expression, DS3's order, with the shared exp */
        double pcl = v * p->lp.C1 * p->tk * p->tk * p->ex + p->lp.Igate * v;
        if (k->little)
            pcl = pcl / 4;
        lk = pcl / 4;
    }
    k->lk = lk;
    /* the same expressions as DS3's per-PE ones, evaluated once */
    k->lk_e = lk * p->SR * 1e-6;
    k->lk_s = k->lk_e + p->base_energy;
    k->P_idle = lk * k->c->count + p->base_power;
    k->lk_v = k->v;
    k->lk_tv = p->t_version;
}

/* DS3 static power per core of cluster k (DTPM_power_models).  A pure
 * function of (V, T): cached per cluster until either changes, with the
 * values derived from it. */
static inline double leak(soc_ds3_power_t *p, dcl_t *k)
{
    if (k->lk_tv != p->t_version || k->lk_v != k->v)
        leak_compute(p, k);
    return k->lk;
}

/* Number of the cluster's PEs whose idle flag is false (kept up to date
 * where the flag changes: task_begin, task_end, begin). */
static int busy_count(const soc_ds3_power_t *p, const dcl_t *k)
{
    (void)p;
    return k->n_busy;
}

/* t % m == 0 as Python computes it for a time t >= 0 and a sampling rate
 * m >= 1 (m_i == m, inv == 1 / m): fmod only for fractional times.  For
 * integral times the quotient estimate t * inv is off by less than one,
 * so t is a multiple iff q * m or (q + 1) * m equals it -- a multiply
 * where a 64-bit division would cost tens of cycles, once per tick. */
static inline int is_multiple(double t, double m, int64_t m_i, double inv)
{
    if (t < 0x1p52 && t == (double)(int64_t)t) {
        int64_t ti = (int64_t)t;
        int64_t q = (int64_t)(t * inv);
        return q * m_i == ti || (q + 1) * m_i == ti;
    }
    return fmod(t, m) == 0;
}

static inline int is_mult_sr(const soc_ds3_power_t *p, double t)
{
    return is_multiple(t, p->SR, p->sr_i, p->inv_sr);
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

/* soc__thermal_step, the same operations in the same order for every row,
 * minus the ones that cannot change a bit.  The memory + GPU terms come
 * precomputed (b0).  A zero column adds 0 * P, which is +-0 for a finite P
 * and leaves a non-zero partial sum unchanged; the partial sums are > 0
 * when b0 > 0, the other columns are >= 0 and every P is >= 0 (b_pos and
 * the check below), so zero columns are skipped then.  Otherwise (a
 * negative or non-finite power) the full sum runs. */
_Static_assert(SOC__NHOT == 5, "thermal_step is written out for 5 hotspots");

static void thermal_step(soc_ds3_power_t *p)
{
    int fast = p->b_pos;
    for (int k = 2; k < p->n_p && fast; k++)
        fast = p->P[k] >= 0 && p->P[k] <= DBL_MAX;
    if (!fast) {
        soc__thermal_step(p->T, p->o.T_ambient, p->n_p, p->P, p->bcol);
        return;
    }
    /* five named sums: kept in registers (arrays went through memory) */
    const double ta = p->o.T_ambient;
    const double *T = p->T;
    double d = T[0] - ta;
    const double *r = p->At[0];
    double a0 = r[0] * d, a1 = r[1] * d, a2 = r[2] * d, a3 = r[3] * d, a4 = r[4] * d;
    for (int j = 1; j < SOC__NHOT; j++) {
        d = T[j] - ta;
        r = p->At[j];
        a0 += r[0] * d;
        a1 += r[1] * d;
        a2 += r[2] * d;
        a3 += r[3] * d;
        a4 += r[4] * d;
    }
    double b0 = p->b0[0], b1 = p->b0[1], b2 = p->b0[2], b3 = p->b0[3], b4 = p->b0[4];
    for (int n = 0; n < p->n_bnz; n++) {
        int k = p->bnz[n];
        double pk = p->P[k];
        const double *col = p->bcol[k];
        b0 += col[0] * pk;
        b1 += col[1] * pk;
        b2 += col[2] * pk;
        b3 += col[3] * pk;
        b4 += col[4] * pk;
    }
    p->T[0] = a0 + b0 + ta;
    p->T[1] = a1 + b1 + ta;
    p->T[2] = a2 + b2 + ta;
    p->T[3] = a3 + b3 + ta;
    p->T[4] = a4 + b4 + ta;
}

static int thermal(soc_ds3_power_t *p, double t, soc_error_t *err)
{
    int j = 2;
    for (int c = 0; c < p->n_cl; c++)
        if (!p->cl[c].mem)
            p->P[j++] = p->cl[c].P;
    thermal_step(p);
    p->t_version++;
    double tm = max_temp(p->T);
    if (tm > p->peak)
        p->peak = tm;
    int rc = SOC_OK;
    if (p->o.enable_throttling || p->o.enable_dtpm_throttling)
        rc = throttle(p, err);
    /* Every free PE's next sampling needs its cluster's leakage at the new
     * temperatures: computed here side by side rather than one by one
     * inside the sweep.  A pure function of (V, T), so computing it early
     * changes nothing (a cluster whose V still changes recomputes it). */
    p->tk = 273 + tm;
    p->ex = exp(-p->lp.C2 / p->tk);
    p->ex_tv = p->t_version;
    const dcl_t *prev = NULL;
    for (int c = 0; c < p->n_cl; c++) {
        dcl_t *k = &p->cl[c];
        if (k->mem)
            continue;
        if (prev != NULL && prev->v == k->v && prev->acc == k->acc &&
            prev->little == k->little) {
            /* the same (V, T, kind): the same per-core values */
            k->lk = prev->lk;
            k->lk_e = prev->lk_e;
            k->lk_s = prev->lk_s;
            k->P_idle = k->lk * k->count + p->base_power;
            k->lk_v = k->v;
            k->lk_tv = p->t_version;
        } else {
            leak_compute(p, k);
        }
        prev = k;
    }
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
    for (int i = 0; i < k->count; i++)
        sum += p->pe[k->first + i].util;
    double u = sum / k->count * k->count; /* DS3's mean times count */
    if (k->n_opps == 0)
        return;
    if (u > p->o.util_high_threshold) {
        if (p->state == -1) {
            k->f = k->opps[k->n_opps - 1].freq_mhz;
            k->v = k->opps[k->n_opps - 1].volt_mv;
        }
    } else if (u < p->o.util_low_threshold) {
        if (k->oi_f != k->f) { /* the OPP table search once per frequency */
            k->oi = soc__opp_exact(k->opps, k->n_opps, k->f);
            k->oi_f = k->f;
        }
        int i = k->oi;
        if (i > 0) {
            k->f = k->opps[i - 1].freq_mhz;
            k->v = k->opps[i - 1].volt_mv;
        }
    }
}

/* The cluster half of evaluate: once per cluster and tick.  Returns 1 when
 * the thermal model steps now (the caller calls thermal: kept out of this
 * small function, which runs for every cluster at every tick). */
static inline int evaluate_cluster(soc_ds3_power_t *p, dcl_t *k, double t)
{
    k->eval_t = t;
    if (p->cur_t != t) {
        p->cur_t = t;
        p->n_eval = 0;
    }
    p->n_eval++;
    if (k->mode == M_OD)
        ondemand(p, k);
    return p->n_eval == p->n_cl - 1 && is_multiple(t, p->SRT, p->srt_i, p->inv_srt);
}

/* The per-PE half of evaluate (t != 0). */
static inline void evaluate_pe(soc_ds3_power_t *p, dpe_t *d, const dcl_t *k, double t)
{
    /* eval_t only guards the utilisation: nothing to do for the others */
    if (k->mode == M_OD && d->eval_t != t) {
        d->eval_t = t;
        /* only ondemand reads utilisations (DS3's traces aside), so only
         * ondemand clusters keep a completed list (spec §11 C2) */
        d->util = utilization(p, d, t);
    }
}

static int evaluate(soc_ds3_power_t *p, int pe, double t, soc_error_t *err)
{
    if (t == 0)
        return SOC_OK;
    dpe_t *d = &p->pe[pe];
    dcl_t *k = &p->cl[d->c];
    evaluate_pe(p, d, k, t);
    if (k->eval_t == t || !evaluate_cluster(p, k, t))
        return SOC_OK;
    return thermal(p, t, err);
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
    free(p->bnz);
    free(p->in_f);
    free(p->tf);
    free(p->cl_out);
    free(p->pe_out);
    free(p->s_freq);
    free(p->s_pow);
    free(p);
}

/* Create step 1: DS3's options (or its defaults) and the constants derived
 * from them: leakage, warm-up, sampling periods, base power and energy. */
static void ds3p_options(soc_ds3_power_t *p, const soc_config_t *cfg)
{
    const soc_platform_t *pl = &cfg->platform;
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
    p->sr_i = p->o.sampling_rate;
    p->srt_i = p->o.sampling_rate_temperature;
    p->inv_sr = 1.0 / p->SR;
    p->inv_srt = 1.0 / p->SRT;
    p->base_power = SOC__P_MEM_W + SOC__P_GPU_W;
    /* DS3: base_power * SR * 1e-6 / (number of PEs - 1) */
    p->base_energy = p->base_power * p->SR * 1e-6 / (pl->n_pes - 1);
    p->n_cl = pl->n_clusters;
    p->n_pe = pl->n_pes;
}

/* Create step 2: the per-cluster and per-PE arrays (-1: out of memory). */
static int ds3p_alloc(soc_ds3_power_t *p)
{
    size_t nc = (size_t)p->n_cl, np = (size_t)p->n_pe;
    p->cl = calloc(nc, sizeof *p->cl);
    p->pe = calloc(np, sizeof *p->pe);
    p->P = calloc(nc + 2, sizeof *p->P);
    p->bcol = calloc(nc + 2, sizeof *p->bcol);
    p->bnz = calloc(nc + 2, sizeof *p->bnz);
    p->in_f = calloc(nc, sizeof(double));
    p->tf = calloc(nc, sizeof(double));
    p->cl_out = calloc(nc, sizeof(double));
    p->s_freq = calloc(nc, sizeof(double));
    p->s_pow = calloc(nc, sizeof(double));
    p->pe_out = calloc(np, sizeof(double));
    if (!p->cl || !p->pe || !p->P || !p->bcol || !p->bnz || !p->in_f || !p->tf || !p->cl_out ||
        !p->s_freq || !p->s_pow || !p->pe_out)
        return -1;
    return 0;
}

/* Create step 3: each cluster's state (kind, governor, sorted operating
 * points) and the thermal input column of every non-memory cluster after
 * the memory's and the GPU's (-1: out of memory). */
static int ds3p_clusters(soc_ds3_power_t *p, const soc_platform_t *pl)
{
    p->bcol[0] = soc__thermal_B_mem;
    p->bcol[1] = soc__thermal_B_gpu;
    p->P[0] = SOC__P_MEM_W;
    p->P[1] = SOC__P_GPU_W;
    p->n_p = 2;
    for (int c = 0; c < p->n_cl; c++) {
        dcl_t *k = &p->cl[c];
        const soc_cluster_t *cl = &pl->clusters[c];
        const char *kind = cl->kind ? cl->kind : "";
        k->c = cl;
        k->first = cl->first_pe;
        k->count = cl->count;
        k->pw = cl->power;
        k->mem = strcmp(kind, "MEM") == 0 || cl->is_memory;
        k->acc = strcmp(kind, "ACC") == 0;
        k->little = strcmp(kind, "LTL") == 0;
        k->eval_t = -1;
        k->sd_f = -1;
        k->oi_f = -1;
        const char *g = k->pw ? k->pw->governor : NULL;
        k->governed = g != NULL && strcmp(g, "none") != 0;
        k->mode = mode_of(g, &k->const_mhz);
        if (k->pw != NULL && k->pw->n_opps > 0) {
            k->opps = malloc(sizeof *k->opps * (size_t)k->pw->n_opps);
            if (k->opps == NULL)
                return -1;
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
    return 0;
}

/* Create step 4: the thermal model's fixed parts -- the non-zero input
 * columns, A transposed, the memory's and GPU's constant input b0 -- and
 * whether every input is non-negative (b_pos). */
static void ds3p_thermal(soc_ds3_power_t *p)
{
    p->b_pos = 1;
    for (int k = 2; k < p->n_p; k++) {
        int zero = 1;
        for (int i = 0; i < SOC__NHOT; i++)
            zero &= p->bcol[k][i] == 0;
        if (zero)
            continue;
        p->bnz[p->n_bnz++] = k;
        for (int i = 0; i < SOC__NHOT; i++)
            p->b_pos &= p->bcol[k][i] >= 0;
    }
    for (int i = 0; i < SOC__NHOT; i++) {
        for (int j = 0; j < SOC__NHOT; j++)
            p->At[j][i] = soc__thermal_A[i][j];
        /* soc__thermal_step's first two terms, in its order */
        double b = soc__thermal_B_mem[i] * SOC__P_MEM_W;
        b += soc__thermal_B_gpu[i] * SOC__P_GPU_W;
        p->b0[i] = b;
        p->b_pos &= b > 0;
    }
}

int soc__ds3p_create(soc_ds3_power_t **out, const soc_config_t *cfg, soc_error_t *err)
{
    *out = NULL;
    const soc_platform_t *pl = &cfg->platform;
    soc_ds3_power_t *p = calloc(1, sizeof *p);
    if (p == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    ds3p_options(p, cfg);
    if (ds3p_alloc(p) != 0) {
        soc__ds3p_destroy(p);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (p->SR <= 0 || p->SRT <= 0 || p->n_pe < 2 || p->n_cl < 2) {
        soc__ds3p_destroy(p);
        return soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0,
                             "DS3 power model: needs positive sampling rates, a memory PE "
                             "and at least one other cluster");
    }
    if (ds3p_clusters(p, pl) != 0) {
        soc__ds3p_destroy(p);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ds3p_thermal(p);
    /* the idle sweep walks clusters in order and their PEs in order, which
     * is PE order only for clusters of consecutive PEs (as soc_platform
     * numbers them) */
    for (int c = 0, next = 0; c < p->n_cl; c++) {
        if (pl->clusters[c].first_pe != next) {
            soc__ds3p_destroy(p);
            return soc_error_set(err, SOC_EINVAL, cfg->source, 0, 0,
                                 "DS3 power model: PEs are not numbered cluster by cluster");
        }
        next += pl->clusters[c].count;
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
        d->util = 0;
        d->eval_t = -1;
        d->nh = 0;
        d->e_rep = 0;
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

/* One sampling tick: DS3's evaluate_idle_PEs.  The hot loop of a DS3 run
 * (every sampling_rate µs, every PE), so it runs on the per-cluster values
 * of leak_compute; the energies receive DS3's additions in DS3's order.
 * Within a cluster only its first PE not holding a task can change state
 * (its evaluation may step the governor and the thermal model); the
 * cluster's other PEs then see fixed values. */
static inline int sample_one(soc_ds3_power_t *p, double t, soc_error_t *err)
{
    const double be = p->base_energy;
    const int g = gate(p, t); /* always 1 in validation mode */
    double e_tot = p->e_tot, e_cum = p->e_cum;
    double idle_e = p->parts[2], base_e = p->parts[3];
    int rc = SOC_OK;
    for (int c = 0; c < p->n_cl; c++) {
        dcl_t *k = &p->cl[c];
        if (k->mem)
            continue;
        dpe_t *d = &p->pe[k->first];
        dpe_t *end = d + k->count;
        /* held PEs up to the cluster's first free one */
        for (; d < end && d->held; d++) {
            e_tot += be;
            if (g) {
                base_e += be;
                e_cum += be;
                d->e_rep += be;
            }
        }
        if (d == end)
            continue;
        if (t != 0) {
            evaluate_pe(p, d, k, t);
            /* may step the thermal model, which reads nothing held in
             * the locals above */
            if (k->eval_t != t && evaluate_cluster(p, k, t) &&
                (rc = thermal(p, t, err)) != SOC_OK)
                goto out;
        }
        leak(p, k);
        if (k->n_busy == 0)
            k->P = k->P_idle;
        /* from the first free PE on: fixed cluster values */
        const double ls = k->lk_s, le = k->lk_e;
        if (t != 0 && k->mode == M_OD)
            for (dpe_t *x = d; x < end; x++)
                if (!x->held)
                    evaluate_pe(p, x, k, t);
        if (g) {
            for (; d < end; d++) {
                double s = be;
                if (!d->held) {
                    s = ls;
                    idle_e += le;
                }
                base_e += be;
                e_tot += s;
                e_cum += s;
                d->e_rep += s;
            }
        } else {
            for (; d < end; d++)
                e_tot += d->held ? be : ls;
        }
    }
out:
    p->e_tot = e_tot;
    p->e_cum = e_cum;
    p->parts[2] = idle_e;
    p->parts[3] = base_e;
    return rc;
}

int soc__ds3p_sample(soc_ds3_power_t *p, double t, soc_error_t *err)
{
    return sample_one(p, t, err);
}

int soc__ds3p_sample_ticks(soc_ds3_power_t *p, int64_t t0, int64_t step, double t_end,
                           soc_error_t *err)
{
    for (int64_t t = t0; (double)t < t_end; t += step) {
        int rc = sample_one(p, (double)t, err);
        if (rc != SOC_OK)
            return rc;
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

double soc__ds3p_slowdown(const soc_ds3_power_t *cp, int pe)
{
    /* read for every piece and by ETF_LB for every PE: the division only
     * when the frequency changed (sd is a cache inside p) */
    dcl_t *k = &((soc_ds3_power_t *)cp)->cl[cp->pe[pe].c];
    if (k->sd_f != k->f) {
        k->sd = k->f == 0 || k->n_opps == 0 ? 0 : k->opps[k->n_opps - 1].freq_mhz / k->f - 1;
        k->sd_f = k->f;
    }
    return k->sd;
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
    if (k->pd_ok && k->pd_n == n && k->pd_lk == lk && k->pd_f == k->f && k->pd_v == k->v)
        goto charge;
    const soc_cluster_power_t *pw = k->pw;
    const soc_power_row_t *row = NULL;
    int cnt = k->c->count;
    double pdyn = 0;
    if (pw == NULL)
        goto cache; /* no power data at all (not a DS3 file): draws nothing */
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
cache:
    k->pd = pdyn;
    k->pd_P = pdyn * n + lk * cnt;
    k->pd_n = n;
    k->pd_lk = lk;
    k->pd_f = k->f;
    k->pd_v = k->v;
    k->pd_ok = 1;
charge:
    pdyn = k->pd;
    d->dyn_task += pdyn * step * 1e-6;
    d->stat_task += lk * step * 1e-6;
    k->P = k->pd_P;
    if (gate(p, now)) {
        double e = (pdyn + lk) * step * 1e-6;
        p->e_cum += e;
        if (!p->validation)
            d->e_rep += e;
        p->parts[0] += pdyn * step * 1e-6;
        p->parts[1] += lk * step * 1e-6;
    }
    return SOC_OK;
}

int soc__ds3p_piece_end(soc_ds3_power_t *p, int pe, double now, soc_error_t *err)
{
    if (is_mult_sr(p, now))
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
    if (p->validation)
        d->e_rep += e;
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
    if (is_mult_sr(p, now))
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
        p->pe_out[i] = p->pe[i].e_rep;
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

void soc__ds3p_carry(soc_ds3_power_t *dst, const soc_ds3_power_t *src)
{
    if (dst == NULL || src == NULL || dst->n_cl != src->n_cl)
        return;
    for (int c = 0; c < dst->n_cl; c++) {
        dst->cl[c].f = src->cl[c].f;
        dst->cl[c].v = src->cl[c].v;
        dst->cl[c].P = src->cl[c].P;
    }
}
