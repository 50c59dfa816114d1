/*
 * env.c -- the RL environment on top of the engine's step interface
 * (soc/gym.h).
 *
 * Rewards need the time integral of the number of jobs in the system over a
 * step.  With A(t) = sum of the ages of the jobs in the system (which the
 * engine maintains exactly), that integral over [t0, t1] is
 *     A(t1) - A(t0) + sum of the latencies of the jobs that left in between,
 * so the environment follows job completions through the engine's task
 * record stream and keeps everything in integer nanoseconds: the rewards of
 * an episode then add up to -(total latency) / norm up to rounding of the
 * final division only.
 *
 * Measured jobs only (reward_jobs=measured, the default): jobs arrive only
 * at decision points (their entry tasks are ready at once), so over a step
 * [t0, t1] the measured jobs in the system are those present at t0, minus
 * those completing at f in between:
 *     integral = n0 (t1 - t0) - sum over those completions of (t1 - f).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "soc/gym.h"

enum env_state { ENV_NEW = 0, ENV_RUNNING, ENV_ENDED, ENV_FAILED };

/* Completion tracking: finished-task counts of the jobs in the system, in a
 * ring indexed by job serial number (jobs are numbered 0, 1, 2... and the
 * ring spans the oldest unfinished job to the newest one seen). */
#define JOB_DONE UINT32_MAX

struct soc_env {
    soc_config_t cfg;
    soc_env_options_t opt;     /* resolved */
    soc_obs_t *enc;
    soc_sim_t *sim;
    float *low, *high;
    int state;
    uint64_t seed;
    int64_t step;
    double episode_reward;
    soc_time_t limit_ns;       /* time limit, SOC_TIME_NEVER if none */

    uint32_t *ring;
    uint64_t ring_cap;         /* power of two */
    uint64_t base;             /* oldest job that may be unfinished */
    int oom;                   /* the record sink could not grow the ring */
    int64_t completed;         /* measured jobs */
    int64_t lat_sum_ns;
    int64_t completed_all;     /* all jobs */
    int64_t lat_sum_all_ns;
    double lat_sum_us, lat_sum_all_us; /* as the engine sums: µs per job, in order */
    uint64_t jobs_seen;        /* 1 + highest job serial number seen */
    uint64_t meas_first;       /* serial of the first measured job, or UINT64_MAX */
    soc_time_t warmup_ns;
    /* measured completions of the current step: count and sum of finishes */
    int64_t step_meas_n, step_meas_fin_ns;
    soc_env_completion_t *comp; /* completions of the current step */
    int n_comp, cap_comp;
    uint64_t *jobs_buf;        /* jobs in the system (graph) */
    size_t cap_jobs;
    int has_energy;
};

/* ------------------------------------------------------------ options */

void soc_env_options_default(soc_env_options_t *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    soc_obs_params_default(&o->obs);
    o->reward = SOC_REWARD_LATENCY;
    o->reward_norm = 1000.0;
    o->invalid_penalty = 0.0;
    o->time_us = -1;
    o->jobs = -1;
    o->reward_jobs = SOC_REWARD_JOBS_MEASURED;
    o->energy_norm = 1e-3;
    o->expert = SOC_EXPERT_NONE;
    o->graph = 0;
}

#define N_REWARDS 5
static const char *const reward_names[N_REWARDS] = {"latency", "makespan", "compbonus", "energy",
                                                    "edp"};
static const char *const reward_jobs_names[2] = {"measured", "all"};

const char *soc_reward_kind_name(soc_reward_kind_t k)
{
    return (unsigned)k < N_REWARDS ? reward_names[k] : "?";
}

const char *soc_reward_jobs_name(soc_reward_jobs_t j)
{
    return (unsigned)j < 2 ? reward_jobs_names[j] : "?";
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    *out = (int64_t)x;
    return 0;
}

int soc_env_options_set(soc_env_options_t *o, const char *kv, soc_error_t *err)
{
    if (o == NULL || kv == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    const char *eq = strchr(kv, '=');
    if (eq == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "env option '%.100s': expected key=value", kv);
    size_t kl = (size_t)(eq - kv);
    const char *val = eq + 1;
    char key[32];
    if (kl == 0 || kl >= sizeof key)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "env option '%.100s': unknown key", kv);
    memcpy(key, kv, kl);
    key[kl] = '\0';
    double d;
    int64_t i;
    if (strcmp(key, "slots") == 0) {
        if (parse_i64(val, &i) != 0 || i < 1 || i > SOC_OBS_MAX_SLOTS)
            goto bad;
        o->obs.slots = (int)i;
    } else if (strcmp(key, "action_mode") == 0) {
        int m = soc_action_mode_parse(val);
        if (m < 0)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "env option action_mode: '%.60s' is not pair, pe, task or plan",
                                 val);
        o->obs.mode = (soc_action_mode_t)m;
    } else if (strcmp(key, "reward") == 0) {
        int k = -1;
        for (int j = 0; j < N_REWARDS; j++)
            if (strcmp(val, reward_names[j]) == 0)
                k = j;
        if (k < 0)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "env option reward: '%.60s' is not latency, makespan, "
                                 "compbonus, energy or edp", val);
        o->reward = (soc_reward_kind_t)k;
    } else if (strcmp(key, "reward_jobs") == 0) {
        if (strcmp(val, "measured") == 0)
            o->reward_jobs = SOC_REWARD_JOBS_MEASURED;
        else if (strcmp(val, "all") == 0)
            o->reward_jobs = SOC_REWARD_JOBS_ALL;
        else
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "env option reward_jobs: '%.60s' is not measured or all", val);
    } else if (strcmp(key, "energy_norm") == 0) {
        if (parse_double(val, &d) != 0 || !(d > 0))
            goto bad;
        o->energy_norm = d;
    } else if (strcmp(key, "expert") == 0) {
        int k = soc_expert_kind_parse(val);
        if (k < 0)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "env option expert: '%.60s' is not none, eft, etf, heft, "
                                 "sufferage or rollout", val);
        o->expert = (soc_expert_kind_t)k;
    } else if (strcmp(key, "graph") == 0) {
        if (parse_i64(val, &i) != 0 || i < 0 || i > 1)
            goto bad;
        o->graph = (int)i;
    } else if (strcmp(key, "reward_norm") == 0) {
        if (parse_double(val, &d) != 0 || !(d > 0))
            goto bad;
        o->reward_norm = d;
    } else if (strcmp(key, "invalid_penalty") == 0) {
        if (parse_double(val, &d) != 0 || d < 0)
            goto bad;
        o->invalid_penalty = d;
    } else if (strcmp(key, "time_us") == 0) {
        if (parse_double(val, &d) != 0 || d < 0)
            goto bad;
        o->time_us = d;
    } else if (strcmp(key, "jobs") == 0) {
        if (parse_i64(val, &i) != 0 || i < 0)
            goto bad;
        o->jobs = i;
    } else if (strcmp(key, "time_scale_us") == 0) {
        if (parse_double(val, &d) != 0 || d < 0)
            goto bad;
        o->obs.time_scale_us = d;
    } else {
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "unknown env option '%s' (slots, action_mode, reward, reward_norm, "
                             "invalid_penalty, time_us, jobs, time_scale_us, reward_jobs, "
                             "energy_norm, expert, graph)", key);
    }
    return SOC_OK;
bad:
    return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                         "env option %s: bad value '%.60s'", key, val);
}

/* ------------------------------------------------- completion tracking */

static int ring_grow(soc_env_t *e, uint64_t need)
{
    uint64_t nc = e->ring_cap ? e->ring_cap : 64;
    while (nc < need)
        nc *= 2;
    uint32_t *nr = calloc((size_t)nc, sizeof *nr);
    if (nr == NULL)
        return SOC_ENOMEM;
    for (uint64_t k = 0; k < e->ring_cap; k++)
        nr[(e->base + k) & (nc - 1)] = e->ring[(e->base + k) & (e->ring_cap - 1)];
    free(e->ring);
    e->ring = nr;
    e->ring_cap = nc;
    return SOC_OK;
}

static void on_record(void *user, const soc_task_record_t *rec)
{
    soc_env_t *e = user;
    if (rec->job < e->base || rec->app < 0 || rec->app >= e->cfg.n_apps)
        return;
    uint64_t off = rec->job - e->base;
    if (off >= e->ring_cap && ring_grow(e, off + 1) != SOC_OK) {
        e->oom = 1;
        return;
    }
    if (rec->job + 1 > e->jobs_seen)
        e->jobs_seen = rec->job + 1;
    uint32_t *c = &e->ring[rec->job & (e->ring_cap - 1)];
    if (*c == JOB_DONE)
        return;
    if (++*c < (uint32_t)e->cfg.apps[rec->app].n_tasks)
        return;
    *c = JOB_DONE;
    soc_time_t arr = soc_time_from_us(rec->arrival_us), fin = soc_time_from_us(rec->finish_us);
    int64_t lat = fin - arr > 0 ? fin - arr : 0;
    int measured = arr >= e->warmup_ns;
    e->completed_all++;
    e->lat_sum_all_ns += lat;
    e->lat_sum_all_us += (double)lat / SOC_NS_PER_US;
    if (measured) {
        e->completed++;
        e->lat_sum_ns += lat;
        e->lat_sum_us += (double)lat / SOC_NS_PER_US;
        e->step_meas_n++;
        e->step_meas_fin_ns += fin;
    }
    if (e->n_comp == e->cap_comp) {
        int nc = e->cap_comp ? 2 * e->cap_comp : 16;
        soc_env_completion_t *np = realloc(e->comp, sizeof *np * (size_t)nc);
        if (np == NULL) {
            e->oom = 1;
        } else {
            e->comp = np;
            e->cap_comp = nc;
        }
    }
    if (e->n_comp < e->cap_comp) {
        soc_env_completion_t *cp = &e->comp[e->n_comp++];
        cp->job = rec->job;
        cp->app = rec->app;
        cp->measured = measured;
        cp->arrival_us = rec->arrival_us;
        cp->finish_us = rec->finish_us;
        cp->latency_us = soc_time_to_us(lat);
    }
    while (e->ring[e->base & (e->ring_cap - 1)] == JOB_DONE) {
        e->ring[e->base & (e->ring_cap - 1)] = 0;
        e->base++;
    }
}

static void tracking_reset(soc_env_t *e)
{
    if (e->ring != NULL)
        memset(e->ring, 0, sizeof *e->ring * (size_t)e->ring_cap);
    e->base = 0;
    e->oom = 0;
    e->completed = 0;
    e->lat_sum_ns = 0;
    e->completed_all = 0;
    e->lat_sum_all_ns = 0;
    e->lat_sum_us = e->lat_sum_all_us = 0;
    e->jobs_seen = 0;
    e->meas_first = UINT64_MAX;
    e->step_meas_n = e->step_meas_fin_ns = 0;
    e->n_comp = 0;
}

/* -------------------------------------------------------------- create */

int soc_env_create(soc_env_t **out, const soc_config_t *cfg,
                   const soc_env_options_t *opts, soc_error_t *err)
{
    if (out == NULL || cfg == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *out = NULL;
    soc_library_init();
    if (cfg->semantics != SOC_SEM_NATIVE)
        return soc_error_set(err, SOC_EUNSUPPORTED, NULL, 0, 0,
                             "the environment needs native semantics (DS3 semantics "
                             "has no step interface)");
    soc_env_options_t o;
    if (opts != NULL)
        o = *opts;
    else
        soc_env_options_default(&o);
    if (!(o.reward_norm > 0) || !isfinite(o.reward_norm) || !(o.invalid_penalty >= 0) ||
        !isfinite(o.invalid_penalty) || (unsigned)o.reward > SOC_REWARD_EDP ||
        !isfinite(o.time_us) || (unsigned)o.reward_jobs > SOC_REWARD_JOBS_ALL ||
        !(o.energy_norm > 0) || !isfinite(o.energy_norm) ||
        (unsigned)o.expert > SOC_EXPERT_ROLLOUT || (unsigned)o.graph > 1)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "invalid environment options");
    if (!soc_obs_expert_supported(o.obs.mode, o.expert))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "env option expert=%s is not defined with action_mode=%s (%s)",
                             soc_expert_kind_name(o.expert), soc_action_mode_name(o.obs.mode),
                             o.obs.mode == SOC_ACTION_PLAN ? "plan mode: heft or rollout"
                                                           : "rollout needs action_mode=plan");

    soc_env_t *e = calloc(1, sizeof *e);
    if (e == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = soc_config_copy(&e->cfg, cfg);
    if (rc != SOC_OK) {
        free(e);
        return soc_error_set(err, rc, NULL, 0, 0, "cannot copy the configuration");
    }
    soc_injection_t *in = &e->cfg.injection;
    if (o.jobs >= 0 && o.time_us < 0) {
        in->max_jobs = o.jobs;
        in->sim_time_us = 0;
    } else if (o.time_us >= 0 && o.jobs < 0) {
        in->sim_time_us = o.time_us;
        in->max_jobs = 0;
    } else if (o.time_us >= 0 && o.jobs >= 0) {
        in->sim_time_us = o.time_us;
        in->max_jobs = o.jobs;
    }
    if (in->max_jobs <= 0 && !(in->sim_time_us > 0) && in->kind != SOC_ARRIVAL_TRACE) {
        rc = soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                           "an episode needs a limit: option jobs=N or time_us=T "
                           "(or stop.jobs / stop.time_us in the config)");
        goto fail;
    }
    rc = soc_config_finalize(&e->cfg, err);
    if (rc != SOC_OK)
        goto fail;
    if ((o.reward == SOC_REWARD_ENERGY || o.reward == SOC_REWARD_EDP) && !e->cfg.power_model) {
        rc = soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                           "env option reward=%s needs the power model (power: true in the "
                           "config)", soc_reward_kind_name(o.reward));
        goto fail;
    }
    e->has_energy = e->cfg.power_model != 0;
    e->warmup_ns = in->warmup_us > 0 ? soc_time_from_us(in->warmup_us) : 0;
    o.time_us = in->sim_time_us > 0 ? in->sim_time_us : 0;
    o.jobs = in->max_jobs > 0 ? in->max_jobs : 0;
    e->limit_ns = in->sim_time_us > 0 ? soc_time_from_us(in->sim_time_us) : SOC_TIME_NEVER;

    rc = soc_obs_create(&e->enc, &e->cfg.platform, e->cfg.n_apps, e->cfg.apps, &o.obs, err);
    if (rc != SOC_OK)
        goto fail;
    soc_obs_get_params(e->enc, &o.obs);
    e->opt = o;
    int dim = soc_obs_dim(e->enc);
    e->low = malloc(sizeof *e->low * (size_t)dim);
    e->high = malloc(sizeof *e->high * (size_t)dim);
    if (e->low == NULL || e->high == NULL || ring_grow(e, 64) != SOC_OK) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    soc_obs_bounds(e->enc, e->low, e->high);

    soc_sim_options_t so = {0};
    so.struct_size = sizeof so;
    so.sched = NULL;
    so.on_record = on_record;
    so.record_user = e;
    rc = soc_sim_create(&e->sim, &e->cfg, &so, err);
    if (rc != SOC_OK)
        goto fail;
    e->seed = e->cfg.seed;
    e->state = ENV_NEW;
    *out = e;
    return SOC_OK;
fail:
    soc_env_destroy(e);
    return rc;
}

void soc_env_destroy(soc_env_t *e)
{
    if (e == NULL)
        return;
    soc_sim_destroy(e->sim);
    soc_obs_destroy(e->enc);
    soc_config_free(&e->cfg);
    free(e->low);
    free(e->high);
    free(e->ring);
    free(e->comp);
    free(e->jobs_buf);
    free(e);
}

void soc_env_spaces(const soc_env_t *e, soc_env_spaces_t *out)
{
    if (e == NULL || out == NULL)
        return;
    out->obs_dim = soc_obs_dim(e->enc);
    out->n_actions = soc_obs_n_actions(e->enc);
    out->low = e->low;
    out->high = e->high;
    out->n_pes = e->cfg.platform.n_pes;
    out->n_clusters = e->cfg.platform.n_clusters;
}

void soc_env_get_options(const soc_env_t *e, soc_env_options_t *out)
{
    if (e != NULL && out != NULL)
        *out = e->opt;
}

const soc_config_t *soc_env_config(const soc_env_t *e)
{
    return e != NULL ? &e->cfg : NULL;
}

int soc_env_feature_name(const soc_env_t *e, int i, char *buf, size_t size)
{
    if (e == NULL)
        return SOC_EINVAL;
    return soc_obs_feature_name(e->enc, i, buf, size);
}

int soc_env_running(const soc_env_t *e)
{
    return e != NULL && e->state == ENV_RUNNING;
}

uint64_t soc_env_seed(const soc_env_t *e)
{
    return e != NULL ? e->seed : 0;
}

void soc_env_metrics(const soc_env_t *e, soc_metrics_t *out)
{
    if (e != NULL && out != NULL)
        soc_sim_metrics(e->sim, out);
}

/* ---------------------------------------------------------- stepping */

static int64_t age_sum_ns(const soc_env_t *e)
{
    return (int64_t)llround(soc_sim_jobs_age_sum_us(e->sim) * SOC_NS_PER_US);
}

/* Jobs seen so far: every job shows up in the ready list (its entry tasks)
 * at the instant it arrives. */
static void note_jobs(soc_env_t *e, const soc_view_t *v)
{
    if (v->n_ready == 0 || v->ready[v->n_ready - 1].ref.job + 1 <= e->jobs_seen)
        return;
    uint64_t top = v->ready[v->n_ready - 1].ref.job + 1;
    if (e->meas_first == UINT64_MAX)
        for (uint64_t j = e->jobs_seen; j < top; j++) {
            soc_time_t a = v->api->job_arrival(v, j);
            if (a != SOC_TIME_NEVER && a >= e->warmup_ns) {
                e->meas_first = j;
                break;
            }
        }
    e->jobs_seen = top;
}

/* Measured jobs injected so far and still in the system. */
static int64_t meas_injected(const soc_env_t *e)
{
    return e->meas_first == UINT64_MAX ? 0 : (int64_t)(e->jobs_seen - e->meas_first);
}

static void fill_info(soc_env_t *e, const soc_view_t *v, soc_env_info_t *info)
{
    info->t_us = soc_time_to_us(v->now);
    info->step = e->step;
    info->n_ready = v->n_ready;
    if (e->opt.obs.mode == SOC_ACTION_PLAN) {
        /* within a planned instant the view still lists the entries the
         * job's earlier steps assigned */
        info->n_ready = 0;
        for (int i = 0; i < v->n_ready; i++) {
            soc_task_info_t ti;
            info->n_ready += v->api->task_info(v, v->ready[i].ref, &ti) == SOC_OK &&
                             ti.status == SOC_TASK_READY;
        }
    }
    /* the engine refreshes view->jobs_in_system at decision points only */
    info->jobs_in_system = e->state == ENV_RUNNING
                               ? v->jobs_in_system
                               : (int)((int64_t)e->jobs_seen - e->completed_all);
    int all = e->opt.reward_jobs == SOC_REWARD_JOBS_ALL;
    int64_t done = all ? e->completed_all : e->completed;
    info->completed_jobs = done;
    info->injected_jobs = all ? (int64_t)e->jobs_seen : meas_injected(e);
    /* the engine's double sum (per-job µs added in completion order), so
     * that the average equals socsim run's bit for bit */
    info->cum_latency_us = all ? e->lat_sum_all_us : e->lat_sum_us;
    info->avg_latency_us = done > 0 ? info->cum_latency_us / (double)done : 0;
    info->episode_reward = e->episode_reward;
    info->done = e->state != ENV_RUNNING;
    info->seed = e->seed;
    info->completed_jobs_all = e->completed_all;
    info->injected_jobs_all = (int64_t)e->jobs_seen;
    info->expert = e->state == ENV_RUNNING ? soc_obs_expert(e->enc, v, e->opt.expert) : -1;
    if (info->expert < 0)
        info->expert = -1;
    info->energy_j = e->has_energy ? soc_sim_energy_j(e->sim) : 0.0;
    if (info->energy_j < 0)
        info->energy_j = 0;
    info->n_completions = e->n_comp;
}

/* Outputs of a decision point (or of the end of the episode). */
static int emit(soc_env_t *e, const soc_view_t *v, float *obs, uint8_t *mask)
{
    int rc = soc_obs_encode(e->enc, v, obs, e->state == ENV_RUNNING ? mask : NULL);
    if (rc < 0)
        return rc;
    if (e->state != ENV_RUNNING)
        soc_obs_mask_none(e->enc, mask);
    return SOC_OK;
}

/* The run ended (next_decision returned 0): terminated or truncated?
 * Terminated only when the episode reached a true end: every job of a
 * finite episode completed, or a finite arrival trace has no arrival left
 * and the system is empty.  Anything else ended by the time limit is a
 * truncation -- also when the system happened to be empty at the last event
 * before the limit (arrivals would have continued). */
static int ended_by_time(soc_env_t *e)
{
    if (e->limit_ns == SOC_TIME_NEVER)
        return 0;
    const soc_injection_t *in = &e->cfg.injection;
    if (in->max_jobs > 0 && e->completed >= in->max_jobs)
        return 0;
    if (in->kind == SOC_ARRIVAL_TRACE && e->completed_all >= (int64_t)e->jobs_seen) {
        /* all arrivals before the limit happened? */
        int later = 0;
        for (int k = 0; k < in->n_times && !later; k++)
            later = soc_time_from_us(in->times_us[k]) >= e->limit_ns;
        if (!later && (int64_t)e->jobs_seen >= in->n_times)
            return 0;
    }
    return 1;
}

int soc_env_reset(soc_env_t *e, uint64_t seed, float *obs, uint8_t *mask,
                  soc_env_info_t *info, soc_error_t *err)
{
    if (e == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no environment");
    e->state = ENV_FAILED;
    e->seed = seed;
    e->step = 0;
    e->episode_reward = 0;
    tracking_reset(e);
    e->n_comp = 0;
    int rc = soc_sim_reset(e->sim, seed, err);
    if (rc != SOC_OK)
        return rc;
    soc_view_t *v = NULL;
    rc = soc_sim_next_decision(e->sim, &v, err);
    if (rc < 0)
        return rc;
    if (e->oom)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    e->state = rc == 1 ? ENV_RUNNING : ENV_ENDED;
    if (v == NULL)
        v = soc_sim_view(e->sim);
    note_jobs(e, v);
    rc = emit(e, v, obs, mask);
    if (rc != SOC_OK) {
        e->state = ENV_FAILED;
        return soc_error_set(err, rc, NULL, 0, 0, "observation encoding failed");
    }
    if (info != NULL) {
        memset(info, 0, sizeof *info);
        fill_info(e, v, info);
        info->job = -1;
        info->task = -1;
        info->pe = -1;
    }
    return SOC_OK;
}

/* What a step's reward is measured against: the state right after the
 * action was assigned, before the engine advances. */
typedef struct {
    soc_time_t t0;
    int64_t age0, lat0, comp0, n_meas0;
    double en0;
} step_mark_t;

/* Take the step's starting marks and clear the per-step completion tallies. */
static void step_begin(soc_env_t *e, const soc_view_t *v, step_mark_t *m)
{
    m->t0 = v->now;
    m->age0 = age_sum_ns(e);
    m->lat0 = e->lat_sum_all_ns;
    m->comp0 = e->completed;
    m->n_meas0 = meas_injected(e) - e->completed;
    m->en0 = e->has_energy ? soc_sim_energy_j(e->sim) : 0;
    e->n_comp = 0;
    e->step_meas_n = e->step_meas_fin_ns = 0;
}

/* Run the engine to the next decision point: 1 there (*v its view), 0 when
 * the run ended (*v the final view), < 0 on failure (state set to failed). */
static int step_advance(soc_env_t *e, soc_view_t **v, soc_error_t *err)
{
    int rc;
    /* plan mode: the instant stays until its jobs are planned whole (the
     * engine only knows about ready tasks) */
    if (e->opt.obs.mode == SOC_ACTION_PLAN && soc_obs_has_decision(e->enc, *v))
        rc = 1;
    else
        rc = soc_sim_next_decision(e->sim, v, err);
    if (rc < 0) {
        e->state = ENV_FAILED;
        return rc;
    }
    if (e->oom) {
        e->state = ENV_FAILED;
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == 0)
        *v = soc_sim_view(e->sim);
    return rc;
}

/* The reward of a step from the marks m to the view v (dt = v->now - t0),
 * before the invalid-action penalty. */
static double step_reward(soc_env_t *e, const step_mark_t *m, const soc_view_t *v,
                          soc_time_t dt)
{
    double reward;
    switch (e->opt.reward) {
    case SOC_REWARD_MAKESPAN:
        reward = -soc_time_to_us(dt) / e->opt.reward_norm;
        break;
    case SOC_REWARD_COMPBONUS:
        reward = -0.5 * soc_time_to_us(dt) + 50.0 * (double)(e->completed - m->comp0);
        break;
    case SOC_REWARD_ENERGY: {
        double en1 = soc_sim_energy_j(e->sim);
        reward = -(en1 - m->en0) / e->opt.energy_norm;
        break;
    }
    case SOC_REWARD_EDP: {
        double en1 = soc_sim_energy_j(e->sim);
        double x1 = en1 * soc_time_to_us(v->now), x0 = m->en0 * soc_time_to_us(m->t0);
        reward = -(x1 - x0) / (e->opt.energy_norm * e->opt.reward_norm);
        break;
    }
    case SOC_REWARD_LATENCY:
    default: {
        int64_t integral;
        if (e->opt.reward_jobs == SOC_REWARD_JOBS_ALL)
            integral = age_sum_ns(e) - m->age0 + (e->lat_sum_all_ns - m->lat0);
        else
            integral = m->n_meas0 * (int64_t)dt -
                       (e->step_meas_n * (int64_t)v->now - e->step_meas_fin_ns);
        reward = -soc_time_to_us(integral) / e->opt.reward_norm;
        break;
    }
    }
    return reward;
}

int soc_env_step(soc_env_t *e, int64_t action, float *obs, uint8_t *mask,
                 soc_env_step_t *out, soc_error_t *err)
{
    if (e == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no environment");
    if (e->state != ENV_RUNNING)
        return soc_error_set(err, SOC_ESTATE, NULL, 0, 0, "%s",
                             e->state == ENV_NEW
                                 ? "step before reset"
                                 : "step after the end of the episode (reset first)");
    soc_view_t *v = soc_sim_view(e->sim);
    soc_task_ref_t ref;
    int pe;
    soc_time_t key;
    int valid = soc_obs_decode_key(e->enc, v, action, &ref, &pe, &key);
    if (valid < 0) {
        e->state = ENV_FAILED;
        return soc_error_set(err, valid, NULL, 0, 0,
                             "no ready task at a decision point (t=%.3f us)",
                             soc_time_to_us(v->now));
    }
    int rc = soc_sim_assign(e->sim, ref, pe, key);
    if (rc != SOC_OK) {
        e->state = ENV_FAILED;
        return soc_error_set(err, rc, NULL, 0, 0,
                             "engine refused job %" PRIu64 " task %d on PE %d",
                             ref.job, (int)ref.task, pe);
    }
    step_mark_t m;
    step_begin(e, v, &m);
    rc = step_advance(e, &v, err);
    if (rc < 0)
        return rc;
    note_jobs(e, v);
    soc_time_t dt = v->now - m.t0;
    double reward = step_reward(e, &m, v, dt);
    if (valid == 0)
        reward -= e->opt.invalid_penalty;
    e->step++;
    e->episode_reward += reward;

    int terminated = 0, truncated = 0;
    if (rc == 0) {
        e->state = ENV_ENDED;
        truncated = ended_by_time(e);
        terminated = !truncated;
    }
    rc = emit(e, v, obs, mask);
    if (rc != SOC_OK) {
        e->state = ENV_FAILED;
        return soc_error_set(err, rc, NULL, 0, 0, "observation encoding failed");
    }
    if (out != NULL) {
        memset(out, 0, sizeof *out);
        out->reward = reward;
        out->terminated = terminated;
        out->truncated = truncated;
        fill_info(e, v, &out->info);
        out->info.dt_us = soc_time_to_us(dt);
        out->info.invalid_action = valid == 0;
        out->info.job = (int64_t)ref.job;
        out->info.task = ref.task;
        out->info.pe = pe;
    }
    return SOC_OK;
}

/* ------------------------------------------------- completions, graph */

const soc_env_completion_t *soc_env_completions(const soc_env_t *e, int *n)
{
    if (n != NULL)
        *n = e != NULL ? e->n_comp : 0;
    return e != NULL ? e->comp : NULL;
}

int soc_env_graph(soc_env_t *e, soc_obs_graph_t *out)
{
    if (e == NULL || out == NULL || e->state == ENV_NEW)
        return SOC_EINVAL;
    /* the jobs still in the system: serials base .. jobs_seen - 1 not done */
    size_t n = 0, want = (size_t)(e->jobs_seen > e->base ? e->jobs_seen - e->base : 0);
    if (want > e->cap_jobs) {
        uint64_t *nb = realloc(e->jobs_buf, sizeof *nb * want);
        if (nb == NULL)
            return SOC_ENOMEM;
        e->jobs_buf = nb;
        e->cap_jobs = want;
    }
    for (uint64_t j = e->base; j < e->jobs_seen; j++)
        if (j - e->base >= e->ring_cap || e->ring[j & (e->ring_cap - 1)] != JOB_DONE)
            e->jobs_buf[n++] = j;
    return soc_obs_graph(e->enc, soc_sim_view(e->sim), e->jobs_buf, (int)n, out);
}

int soc_env_node_feature_name(const soc_env_t *e, int i, char *buf, size_t size)
{
    if (e == NULL)
        return SOC_EINVAL;
    return soc_obs_node_feature_name(e->enc, i, buf, size);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t soc_env_episode_seed(uint64_t base, uint64_t index, uint64_t episode)
{
    uint64_t key = ((index & 0xffffffULL) << 40) | (episode & ((1ULL << 40) - 1));
    return base ^ mix64(key);
}
