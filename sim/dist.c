/*
 * dist.c -- distributions of execution times, inter-arrival times and batch
 * sizes: the public helpers of soc/model.h (mean, check, copy, names), the
 * samplers the native engine draws from (dist.h), and the config-level
 * free/copy/check of everything stochastic in a soc_config_t.
 *
 * Parameterisations (docs/config.md, "Distributions"):
 *   exponential   mean m                 one uniform: -m log(1 - u)
 *   uniform       [min, max]             one uniform
 *   normal        mean m, sd s           N(m, s^2) drawn again while negative
 *                                        (the normal conditioned on x >= 0)
 *   lognormal     mean m, cv v           exp(N(zeta, sigma^2)) with
 *                                        sigma^2 = ln(1 + v^2), zeta = ln m - sigma^2/2
 *   gamma         mean m, cv v           shape 1/v^2, scale m v^2 (Erlang-k
 *                                        when 1/v^2 = k is an integer)
 *   hyperexponential  mean m, cv v >= 1  two exponential phases with balanced
 *                                        means: p1 = (1 + sqrt((v^2-1)/(v^2+1)))/2,
 *                                        phase i has mean m / (2 p_i)
 *   empirical     values, weights        one uniform against the cumulative
 *                                        weights, in the order given
 * A cv of 0 (lognormal, gamma) is the constant m and draws nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "dist.h"
#include "soc_util.h"

#define MAX_CV 100.0
#define MAX_VALUES 1000000
#define MAX_STATES 256
#define MAX_RATE 1e6 /* per µs */
#define WEIGHT_TOL 1e-6

/* ------------------------------------------------------------- names */

static const char *const names[] = {
    [SOC_DIST_NONE] = NULL,
    [SOC_DIST_CONSTANT] = "constant",
    [SOC_DIST_EXPONENTIAL] = "exponential",
    [SOC_DIST_UNIFORM] = "uniform",
    [SOC_DIST_NORMAL] = "normal",
    [SOC_DIST_LOGNORMAL] = "lognormal",
    [SOC_DIST_GAMMA] = "gamma",
    [SOC_DIST_HYPEREXP] = "hyperexponential",
    [SOC_DIST_EMPIRICAL] = "empirical",
};
#define N_KINDS ((int)(sizeof names / sizeof names[0]))

const char *soc_dist_name(soc_dist_kind_t kind)
{
    return (int)kind > 0 && (int)kind < N_KINDS ? names[kind] : NULL;
}

soc_dist_kind_t soc_dist_kind_of(const char *name)
{
    for (int k = 1; name != NULL && k < N_KINDS; k++)
        if (strcmp(names[k], name) == 0)
            return (soc_dist_kind_t)k;
    return SOC_DIST_NONE;
}

/* -------------------------------------------------------------- mean */

double soc_dist_mean(const soc_dist_t *d)
{
    if (d == NULL)
        return NAN;
    switch (d->kind) {
    case SOC_DIST_CONSTANT:
    case SOC_DIST_EXPONENTIAL:
    case SOC_DIST_LOGNORMAL:
    case SOC_DIST_GAMMA:
    case SOC_DIST_HYPEREXP:
        return d->mean;
    case SOC_DIST_UNIFORM:
        return 0.5 * (d->min + d->max);
    case SOC_DIST_NORMAL: {
        /* E[X | X >= 0] = m + s phi(m/s) / Phi(m/s) */
        if (!(d->sd > 0))
            return d->mean;
        double a = d->mean / d->sd;
        return d->mean + d->sd * gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_P(a);
    }
    case SOC_DIST_EMPIRICAL: {
        if (d->n <= 0 || d->values == NULL || d->weights == NULL)
            return NAN;
        double m = 0;
        for (int i = 0; i < d->n; i++)
            m += d->weights[i] * d->values[i];
        return m;
    }
    default:
        return NAN;
    }
}

/* ------------------------------------------------------------- check */

#define BAD(...)                                                               \
    do {                                                                       \
        if (msg != NULL && size > 0)                                           \
            snprintf(msg, size, __VA_ARGS__);                                  \
        return SOC_ECONFIG;                                                    \
    } while (0)

static int finite_in(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

static int is_count(double x)
{
    return isfinite(x) && x >= 1 && x <= SOC__DIST_MAX_BATCH && x == floor(x);
}

int soc_dist_check(const soc_dist_t *d, int count, char *msg, size_t size)
{
    if (d == NULL)
        BAD("no distribution");
    const char *nm = soc_dist_name(d->kind);
    double hi = count ? SOC__DIST_MAX_BATCH : SOC__DIST_MAX_US;
    switch (d->kind) {
    case SOC_DIST_CONSTANT:
        if (count ? !is_count(d->mean) : !finite_in(d->mean, 0, hi))
            BAD("constant: value must be %s, got %g",
                count ? "an integer >= 1" : "a non-negative number of µs", d->mean);
        return SOC_OK;
    case SOC_DIST_EXPONENTIAL:
    case SOC_DIST_LOGNORMAL:
    case SOC_DIST_GAMMA:
    case SOC_DIST_HYPEREXP:
        if (!(isfinite(d->mean) && d->mean > 0 && d->mean <= hi))
            BAD("%s: mean must be positive (at most %g), got %g", nm, hi, d->mean);
        if (d->kind == SOC_DIST_EXPONENTIAL)
            return SOC_OK;
        if (d->kind == SOC_DIST_HYPEREXP && !finite_in(d->cv, 1, MAX_CV))
            BAD("hyperexponential: cv must be in [1, %g] (below 1 use gamma or lognormal), got %g",
                MAX_CV, d->cv);
        if (!finite_in(d->cv, 0, MAX_CV))
            BAD("%s: cv must be in [0, %g], got %g", nm, MAX_CV, d->cv);
        return SOC_OK;
    case SOC_DIST_UNIFORM:
        if (!finite_in(d->min, 0, hi))
            BAD("uniform: min must be a non-negative number (at most %g), got %g", hi, d->min);
        if (!finite_in(d->max, d->min, hi))
            BAD("uniform: max must be at least min (%g) and at most %g, got %g", d->min, hi,
                d->max);
        return SOC_OK;
    case SOC_DIST_NORMAL:
        if (!finite_in(d->mean, 0, hi))
            BAD("normal: mean must be a non-negative number (at most %g), got %g", hi, d->mean);
        if (!finite_in(d->sd, 0, hi))
            BAD("normal: sd must be a non-negative number (at most %g), got %g", hi, d->sd);
        return SOC_OK;
    case SOC_DIST_EMPIRICAL: {
        if (d->n < 1 || d->n > MAX_VALUES || d->values == NULL || d->weights == NULL)
            BAD("empirical: needs 1 to %d values, each with a weight", MAX_VALUES);
        double sum = 0;
        for (int i = 0; i < d->n; i++) {
            if (count ? !is_count(d->values[i]) : !finite_in(d->values[i], 0, hi))
                BAD("empirical: value %d must be %s, got %g", i + 1,
                    count ? "an integer >= 1" : "a non-negative number of µs", d->values[i]);
            if (!finite_in(d->weights[i], 0, 1))
                BAD("empirical: weight %d must be in [0, 1], got %g", i + 1, d->weights[i]);
            sum += d->weights[i];
        }
        if (fabs(sum - 1) > WEIGHT_TOL)
            BAD("empirical: weights sum to %.9g, not 1", sum);
        return SOC_OK;
    }
    default:
        BAD("unknown distribution");
    }
}

/* ------------------------------------------------------ free, copy */

void soc_dist_free(soc_dist_t *d)
{
    if (d == NULL)
        return;
    free(d->values);
    free(d->weights);
    memset(d, 0, sizeof *d);
}

int soc_dist_copy(soc_dist_t *dst, const soc_dist_t *src)
{
    *dst = *src;
    dst->values = dst->weights = NULL;
    if (src->kind != SOC_DIST_EMPIRICAL || src->n <= 0)
        return SOC_OK;
    size_t bytes = sizeof(double) * (size_t)src->n;
    dst->values = malloc(bytes);
    dst->weights = malloc(bytes);
    if (dst->values == NULL || dst->weights == NULL) {
        soc_dist_free(dst);
        return SOC_ENOMEM;
    }
    if (src->values != NULL)
        memcpy(dst->values, src->values, bytes);
    if (src->weights != NULL)
        memcpy(dst->weights, src->weights, bytes);
    return SOC_OK;
}

int soc_dist_equal(const soc_dist_t *a, const soc_dist_t *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case SOC_DIST_NONE:
        return 1;
    case SOC_DIST_CONSTANT:
    case SOC_DIST_EXPONENTIAL:
        return a->mean == b->mean;
    case SOC_DIST_UNIFORM:
        return a->min == b->min && a->max == b->max;
    case SOC_DIST_NORMAL:
        return a->mean == b->mean && a->sd == b->sd;
    case SOC_DIST_LOGNORMAL:
    case SOC_DIST_GAMMA:
    case SOC_DIST_HYPEREXP:
        return a->mean == b->mean && a->cv == b->cv;
    case SOC_DIST_EMPIRICAL:
        if (a->n != b->n)
            return 0;
        for (int i = 0; i < a->n; i++)
            if (a->values[i] != b->values[i] || a->weights[i] != b->weights[i])
                return 0;
        return 1;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------- sampling */

int soc__sampler_init(soc__sampler_t *s, const soc_dist_t *d)
{
    memset(s, 0, sizeof *s);
    s->kind = d->kind;
    switch (d->kind) {
    case SOC_DIST_CONSTANT:
    case SOC_DIST_EXPONENTIAL:
        s->a = d->mean;
        break;
    case SOC_DIST_UNIFORM:
        s->a = d->min;
        s->b = d->max;
        break;
    case SOC_DIST_NORMAL:
        s->a = d->mean;
        s->b = d->sd;
        break;
    case SOC_DIST_LOGNORMAL: {
        double s2 = log1p(d->cv * d->cv);
        s->a = log(d->mean) - 0.5 * s2; /* zeta */
        s->b = sqrt(s2);                /* sigma */
        s->c = d->mean;
        break;
    }
    case SOC_DIST_GAMMA:
        s->a = d->cv > 0 ? 1.0 / (d->cv * d->cv) : 0;  /* shape */
        s->b = d->mean * d->cv * d->cv;                /* scale */
        s->c = d->mean;
        break;
    case SOC_DIST_HYPEREXP: {
        double v2 = d->cv * d->cv;
        double p1 = 0.5 * (1 + sqrt((v2 - 1) / (v2 + 1)));
        s->a = p1;
        s->b = d->mean / (2 * p1);       /* phase 1 mean */
        s->c = d->mean / (2 * (1 - p1)); /* phase 2 mean */
        break;
    }
    case SOC_DIST_EMPIRICAL: {
        s->n = d->n;
        s->values = d->values;
        s->cdf = malloc(sizeof *s->cdf * (size_t)(d->n > 0 ? d->n : 1));
        if (s->cdf == NULL)
            return SOC_ENOMEM;
        double acc = 0;
        for (int i = 0; i < d->n; i++) {
            acc += d->weights[i];
            s->cdf[i] = acc;
        }
        if (d->n > 0)
            s->cdf[d->n - 1] = 1.0 + 1e-9; /* u < 1 always lands */
        break;
    }
    default: /* NONE: nothing to draw */
        s->kind = SOC_DIST_NONE;
        break;
    }
    return SOC_OK;
}

void soc__sampler_free(soc__sampler_t *s)
{
    if (s == NULL)
        return;
    free(s->cdf);
    s->cdf = NULL;
}

static double raw_draw(const soc__sampler_t *s, gsl_rng *r)
{
    switch (s->kind) {
    case SOC_DIST_CONSTANT:
        return s->a;
    case SOC_DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, s->a);
    case SOC_DIST_UNIFORM:
        return gsl_ran_flat(r, s->a, s->b);
    case SOC_DIST_NORMAL: {
        /* conditioned on x >= 0; mean >= 0 keeps the acceptance >= 1/2 */
        double x;
        do
            x = s->a + gsl_ran_gaussian(r, s->b);
        while (x < 0);
        return x;
    }
    case SOC_DIST_LOGNORMAL:
        return s->b > 0 ? gsl_ran_lognormal(r, s->a, s->b) : s->c;
    case SOC_DIST_GAMMA:
        return s->a > 0 ? gsl_ran_gamma(r, s->a, s->b) : s->c;
    case SOC_DIST_HYPEREXP: {
        double u = gsl_rng_uniform(r);
        return gsl_ran_exponential(r, u < s->a ? s->b : s->c);
    }
    case SOC_DIST_EMPIRICAL: {
        double u = gsl_rng_uniform(r);
        int lo = 0, hi = s->n - 1; /* first i with u < cdf[i] */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (u < s->cdf[mid])
                hi = mid;
            else
                lo = mid + 1;
        }
        return s->values[lo];
    }
    default:
        return 0;
    }
}

double soc__sampler_draw(const soc__sampler_t *s, gsl_rng *r)
{
    double x = raw_draw(s, r);
    if (!(x > 0))
        return 0; /* also NaN */
    return x > SOC__DIST_MAX_US ? SOC__DIST_MAX_US : x;
}

int64_t soc__sampler_count(const soc__sampler_t *s, gsl_rng *r)
{
    double x = raw_draw(s, r);
    if (!(x >= 1.5))
        return 1;
    if (x >= SOC__DIST_MAX_BATCH)
        return SOC__DIST_MAX_BATCH;
    return (int64_t)llround(x);
}

/* ------------------------------------------------- config-level parts */

void soc__dist_cfg_free(soc_config_t *cfg)
{
    soc_platform_t *p = &cfg->platform;
    for (int c = 0; p->clusters != NULL && c < p->n_clusters; c++) {
        soc_dist_t *x = p->clusters[c].exec_dist;
        for (int t = 0; x != NULL && t < p->n_types; t++)
            soc_dist_free(&x[t]);
        free(x);
        p->clusters[c].exec_dist = NULL;
    }
    soc_injection_t *in = &cfg->injection;
    soc_dist_free(&in->interarrival);
    soc_dist_free(&in->batch);
    free(in->state_mean_us);
    free(in->switch_rate);
    in->state_mean_us = in->switch_rate = NULL;
    in->n_states = 0;
}

void soc__dist_cfg_detach(soc_config_t *dst)
{
    soc_injection_t *in = &dst->injection;
    in->interarrival.values = in->interarrival.weights = NULL;
    in->batch.values = in->batch.weights = NULL;
    in->state_mean_us = in->switch_rate = NULL;
}

int soc__dist_cfg_copy(soc_config_t *dst, const soc_config_t *src)
{
    const soc_platform_t *sp = &src->platform;
    soc_platform_t *p = &dst->platform;
    for (int c = 0; c < sp->n_clusters && c < p->n_clusters; c++) {
        const soc_dist_t *x = sp->clusters[c].exec_dist;
        if (x == NULL)
            continue;
        soc_dist_t *y = calloc((size_t)(sp->n_types ? sp->n_types : 1), sizeof *y);
        if (y == NULL)
            return SOC_ENOMEM;
        p->clusters[c].exec_dist = y;
        for (int t = 0; t < sp->n_types; t++)
            if (soc_dist_copy(&y[t], &x[t]) != SOC_OK)
                return SOC_ENOMEM;
    }
    const soc_injection_t *si = &src->injection;
    soc_injection_t *di = &dst->injection;
    if (soc_dist_copy(&di->interarrival, &si->interarrival) != SOC_OK ||
        soc_dist_copy(&di->batch, &si->batch) != SOC_OK)
        return SOC_ENOMEM;
    int n = si->n_states;
    if (n > 0 && si->state_mean_us != NULL) {
        di->state_mean_us = malloc(sizeof(double) * (size_t)n);
        if (di->state_mean_us == NULL)
            return SOC_ENOMEM;
        memcpy(di->state_mean_us, si->state_mean_us, sizeof(double) * (size_t)n);
    }
    if (n > 0 && si->switch_rate != NULL) {
        di->switch_rate = malloc(sizeof(double) * (size_t)n * (size_t)n);
        if (di->switch_rate == NULL)
            return SOC_ENOMEM;
        memcpy(di->switch_rate, si->switch_rate, sizeof(double) * (size_t)n * (size_t)n);
    }
    return SOC_OK;
}

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            return soc_error_set(err, SOC_ECONFIG, cfg->source, 0, 0, __VA_ARGS__); \
    } while (0)

int soc__dist_cfg_check(const soc_config_t *cfg, soc_error_t *err)
{
    const soc_platform_t *p = &cfg->platform;
    const soc_injection_t *in = &cfg->injection;
    int native = cfg->semantics == SOC_SEM_NATIVE;
    char m[200];
    for (int c = 0; c < p->n_clusters; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        for (int t = 0; cl->exec_dist != NULL && t < p->n_types; t++) {
            const soc_dist_t *d = &cl->exec_dist[t];
            if (d->kind == SOC_DIST_NONE)
                continue;
            CHECK(native, "cluster '%s': a distribution of execution times ('%s') needs "
                  "semantics: native", cl->name, p->type_names[t]);
            CHECK(cl->exec_us != NULL && cl->exec_us[t] >= 0,
                  "cluster '%s': task type '%s' has a distribution but no estimate", cl->name,
                  p->type_names[t]);
            CHECK(soc_dist_check(d, 0, m, sizeof m) == SOC_OK, "cluster '%s': exec_us of '%s': %s",
                  cl->name, p->type_names[t], m);
        }
    }
    if (in->kind == SOC_ARRIVAL_RENEWAL || in->kind == SOC_ARRIVAL_MMPP)
        CHECK(native, "arrival: %s needs semantics: native",
              in->kind == SOC_ARRIVAL_RENEWAL ? "renewal" : "mmpp");
    if (native && in->kind == SOC_ARRIVAL_RENEWAL) {
        CHECK(in->interarrival.kind != SOC_DIST_NONE, "arrival: renewal needs interarrival");
        CHECK(soc_dist_check(&in->interarrival, 0, m, sizeof m) == SOC_OK, "interarrival: %s", m);
        CHECK(soc_dist_mean(&in->interarrival) > 0,
              "interarrival: the mean time between arrivals must be positive");
    }
    if (native && in->kind == SOC_ARRIVAL_MMPP) {
        CHECK(in->n_states >= 1 && in->n_states <= MAX_STATES && in->state_mean_us != NULL,
              "arrival: mmpp needs 1 to %d states", MAX_STATES);
        for (int i = 0; i < in->n_states; i++)
            CHECK(isfinite(in->state_mean_us[i]) && in->state_mean_us[i] > 0 &&
                  in->state_mean_us[i] <= SOC__DIST_MAX_US,
                  "mmpp: state %d: the mean inter-arrival time must be positive", i);
        CHECK(in->n_states == 1 || in->switch_rate != NULL,
              "mmpp: %d states need switching rates", in->n_states);
        for (int i = 0; in->switch_rate != NULL && i < in->n_states * in->n_states; i++)
            CHECK(finite_in(in->switch_rate[i], 0, MAX_RATE),
                  "mmpp: switching rates must be in [0, %g] per µs", MAX_RATE);
    }
    if (in->batch.kind != SOC_DIST_NONE) {
        CHECK(native, "injection.batch needs semantics: native");
        CHECK(in->kind != SOC_ARRIVAL_TRACE, "injection.batch does not apply to arrival: trace");
        CHECK(soc_dist_check(&in->batch, 1, m, sizeof m) == SOC_OK, "batch: %s", m);
    }
    CHECK(in->on_full == SOC_ON_FULL_WAIT || in->on_full == SOC_ON_FULL_DROP,
          "injection.on_full must be wait or drop");
    CHECK(native || in->on_full == SOC_ON_FULL_WAIT, "on_full: drop needs semantics: native");
    return SOC_OK;
}
