/*
 * runs.c -- the runs of one configuration (DS3's repeat rules) and running
 * them in order with DVFS carry-over (soc/study.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "soc/ds3.h"
#include "soc/metrics.h"
#include "soc/study.h"
#include "soc_util.h"

int soc_study_runs(const soc_config_t *cfg, soc_run_id_t **runs, int *n, soc_error_t *err)
{
    *runs = NULL;
    *n = 0;
    soc_ds3_options_t def;
    const soc_ds3_options_t *o = NULL;
    if (cfg->semantics == SOC_SEM_DS3) {
        o = cfg->ds3;
        if (o == NULL) {
            soc_ds3_options_from_config(&def, cfg);
            o = &def;
        }
    }
    int ns = 1, ni = 1;
    if (o != NULL && !o->validation) {
        const char *src = cfg->source ? cfg->source : "";
        if (o->num_of_iterations < 1)
            return soc_error_set(err, SOC_ECONFIG, src, 0, 0,
                                 "num_of_iterations is %d: DS3 would run nothing (give 1 or more)",
                                 o->num_of_iterations);
        if (o->scale_values != NULL && o->n_scale_values == 0)
            return soc_error_set(err, SOC_ECONFIG, src, 0, 0,
                                 "scale_values is empty: DS3 would run nothing (give at least "
                                 "one scale, e.g. 100-101-1)");
        ns = o->n_scale_values > 0 ? o->n_scale_values : 1;
        ni = o->num_of_iterations;
    }
    soc_run_id_t *r = malloc(sizeof *r * (size_t)ns * (size_t)ni);
    if (r == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int s = 0; s < ns; s++)
        for (int i = 0; i < ni; i++) {
            soc_run_id_t *x = &r[s * ni + i];
            x->scale = 0;
            x->iteration = 0;
            if (o != NULL && !o->validation) {
                x->scale = o->n_scale_values > 0 ? o->scale_values[s] : o->scale;
                x->iteration = i;
            }
        }
    *runs = r;
    *n = ns * ni;
    return SOC_OK;
}

int soc_study_run_config(const soc_config_t *cfg, const soc_sched_ops_t *ops, const char *arg,
                         const soc_study_hooks_t *hooks, soc_error_t *err)
{
    soc_run_id_t *runs;
    int n;
    int rc = soc_study_runs(cfg, &runs, &n, err);
    if (rc != SOC_OK)
        return rc;
    soc_sim_options_t o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.sched = ops;
    o.sched_arg = arg;
    if (hooks != NULL) {
        o.on_record = hooks->on_record;
        o.record_user = hooks->record_user;
        o.on_power = hooks->on_power;
        o.power_user = hooks->power_user;
    }
    soc_sim_t *prev = NULL;
    for (int i = 0; i < n && rc == SOC_OK; i++) {
        soc_sim_t *sim = NULL;
        if (cfg->semantics == SOC_SEM_DS3) {
            soc_ds3_run_t run = {sizeof run, runs[i].scale, runs[i].iteration, prev};
            rc = soc_ds3_sim_create(&sim, cfg, &o, &run, err);
        } else {
            rc = soc_sim_create(&sim, cfg, &o, err);
        }
        if (rc == SOC_OK)
            rc = soc_sim_run(sim, err);
        if (rc == SOC_OK && hooks != NULL && hooks->on_run != NULL)
            rc = hooks->on_run(hooks->run_user, i, &runs[i], sim);
        /* the DVFS state carries from the previous run only */
        soc_sim_destroy(prev);
        prev = sim;
    }
    soc_sim_destroy(prev);
    free(runs);
    return rc;
}

char *soc_study_run_json(const soc_sim_t *sim)
{
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    int64_t scale;
    int it;
    char extra[64];
    const char *x = NULL;
    /* a DS3 performance run names its coordinates (validation: scale 0) */
    if (soc_ds3_sim_run_info(sim, &scale, &it) == SOC_OK && scale > 0) {
        snprintf(extra, sizeof extra, "\"scale\":%" PRId64 ",\"iteration\":%d", scale, it);
        x = extra;
    }
    return soc_metrics_json(&m, x);
}

void soc_stats_mean_ci95(const double *x, int n, double *mean, double *ci)
{
    *mean = n > 0 ? gsl_stats_mean(x, 1, (size_t)n) : NAN;
    *ci = NAN;
    if (n >= 2) {
        double sd = gsl_stats_sd_m(x, 1, (size_t)n, *mean);
        *ci = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    }
}
