/*
 * sim.c -- the simulation handle: dispatch to the engine chosen at creation
 * (engine.h).  Each engine lives in its own file: native.c (the exact
 * event-driven engine), ds3_engine.c (DS3 semantics).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "sim_internal.h"

/* The engine registry: one engine per semantics (soc_semantics_t). */
static const soc__engine_ops_t *const engines[] = {
    [SOC_SEM_NATIVE] = &soc__native_engine,
    [SOC_SEM_DS3] = &soc__ds3_engine,
};

static void free_names(soc_sim_t *s)
{
    for (int i = 0; s->pe_names != NULL && i < s->n_pes; i++)
        free(s->pe_names[i]);
    free(s->pe_names);
    s->pe_names = NULL;
}

static int unsupported(const soc_sim_t *s, const char *what, soc_error_t *err)
{
    return soc_error_set(err, SOC_EUNSUPPORTED, NULL, 0, 0, "%s is not available in %s semantics",
                         what, s->ops->name);
}

int soc__sim_create_on(soc_sim_t **out, const soc__engine_ops_t *eng, const soc_config_t *cfg,
                       const soc_sim_options_t *opts, const void *ext, soc_error_t *err)
{
    soc_library_init();
    if (out == NULL || cfg == NULL || opts == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *out = NULL;
    if (cfg->platform.pe_cluster == NULL || cfg->n_apps == 0 || cfg->apps[0].topo == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "configuration is not finalized (soc_config_finalize)");
    const soc_sched_ops_t *ops = opts->sched;
    if (ops != NULL && (ops->abi_version != SOC_SCHED_ABI_VERSION ||
                        ops->struct_size < sizeof(soc_sched_ops_t)))
        return soc_error_set(err, SOC_EPLUGIN_ABI, NULL, 0, 0,
                             "scheduler ops have ABI %u, expected %u", ops->abi_version,
                             SOC_SCHED_ABI_VERSION);
    soc_sim_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    s->ops = eng;
    snprintf(s->sched_name, sizeof s->sched_name, "%s", ops ? ops->name : "external");
    const soc_platform_t *p = &cfg->platform;
    s->n_pes = p->n_pes;
    s->pe_names = calloc((size_t)(p->n_pes > 0 ? p->n_pes : 1), sizeof *s->pe_names);
    for (int i = 0; s->pe_names != NULL && i < p->n_pes; i++) {
        soc__buf_t b = {0};
        soc__buf_printf(&b, "%s_%d", p->clusters[p->pe_cluster[i]].name, i);
        if ((s->pe_names[i] = soc__buf_take(&b)) == NULL) {
            free_names(s);
            break;
        }
    }
    if (s->pe_names == NULL) {
        free(s);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = eng->create(&s->impl, cfg, opts, ext, err);
    if (rc != SOC_OK) {
        free_names(s);
        free(s);
        return rc;
    }
    *out = s;
    return SOC_OK;
}

int soc_sim_create(soc_sim_t **out, const soc_config_t *cfg, const soc_sim_options_t *opts,
                   soc_error_t *err)
{
    if (cfg != NULL && ((unsigned)cfg->semantics >= sizeof engines / sizeof engines[0] ||
                        engines[cfg->semantics] == NULL)) {
        if (out != NULL)
            *out = NULL;
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "unknown semantics %d",
                             (int)cfg->semantics);
    }
    return soc__sim_create_on(out, cfg ? engines[cfg->semantics] : NULL, cfg, opts, NULL, err);
}

void soc_sim_destroy(soc_sim_t *s)
{
    if (s == NULL)
        return;
    s->ops->destroy(s->impl);
    free_names(s);
    free(s);
}

int soc_sim_reset(soc_sim_t *s, uint64_t seed, soc_error_t *err)
{
    if (s == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no simulation");
    if (s->ops->reset == NULL)
        return unsupported(s, "reset", err);
    return s->ops->reset(s->impl, seed, err);
}

double soc_sim_energy_j(const soc_sim_t *s)
{
    if (s == NULL || s->ops->energy_j == NULL)
        return -1.0;
    return s->ops->energy_j(s->impl);
}

int soc_sim_run(soc_sim_t *s, soc_error_t *err)
{
    if (s == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no simulation");
    return s->ops->run(s->impl, err);
}

void soc_sim_metrics(const soc_sim_t *s, soc_metrics_t *m)
{
    memset(m, 0, sizeof *m);
    s->ops->metrics(s->impl, m);
    if (m->scheduler == NULL)
        m->scheduler = s->sched_name;
    m->pe_names = (const char *const *)s->pe_names;
}

int soc_sim_next_decision(soc_sim_t *s, soc_view_t **view, soc_error_t *err)
{
    if (s == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no simulation");
    if (s->ops->next_decision == NULL)
        return unsupported(s, "stepping", err);
    return s->ops->next_decision(s->impl, view, err);
}

int soc_sim_assign(soc_sim_t *s, soc_task_ref_t t, int pe, soc_time_t start)
{
    if (s == NULL || s->ops->assign == NULL)
        return s == NULL ? SOC_EINVAL : SOC_EUNSUPPORTED;
    return s->ops->assign(s->impl, t, pe, start);
}

void soc_sim_pass(soc_sim_t *s)
{
    if (s != NULL && s->ops->pass != NULL)
        s->ops->pass(s->impl);
}

soc_view_t *soc_sim_view(soc_sim_t *s)
{
    return s != NULL && s->ops->view != NULL ? s->ops->view(s->impl) : NULL;
}

double soc_sim_now_us(const soc_sim_t *s)
{
    return s->ops->now_us != NULL ? s->ops->now_us(s->impl) : 0;
}

int soc_sim_done(const soc_sim_t *s)
{
    return s->ops->done != NULL ? s->ops->done(s->impl) : 0;
}

double soc_sim_jobs_age_sum_us(const soc_sim_t *s)
{
    return s->ops->jobs_age_sum_us != NULL ? s->ops->jobs_age_sum_us(s->impl) : 0;
}

const char *soc_sim_engine_name(const soc_sim_t *s)
{
    return s != NULL ? s->ops->name : NULL;
}
