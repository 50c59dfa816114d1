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
    int64_t completed;
    int64_t lat_sum_ns;
    uint64_t jobs_seen;        /* 1 + highest job serial number seen */
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
}

static const char *const reward_names[] = {"latency", "makespan", "compbonus"};

const char *soc_reward_kind_name(soc_reward_kind_t k)
{
    return (unsigned)k < 3 ? reward_names[k] : "?";
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
                                 "env option action_mode: '%.60s' is not pair, pe or task", val);
        o->obs.mode = (soc_action_mode_t)m;
    } else if (strcmp(key, "reward") == 0) {
        int k = -1;
        for (int j = 0; j < 3; j++)
            if (strcmp(val, reward_names[j]) == 0)
                k = j;
        if (k < 0)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "env option reward: '%.60s' is not latency, makespan or compbonus",
                                 val);
        o->reward = (soc_reward_kind_t)k;
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
                             "invalid_penalty, time_us, jobs, time_scale_us)", key);
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
    e->completed++;
    e->lat_sum_ns += soc_time_from_us(rec->finish_us) - soc_time_from_us(rec->arrival_us);
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
    e->jobs_seen = 0;
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
        !isfinite(o.invalid_penalty) || (unsigned)o.reward > SOC_REWARD_COMPBONUS ||
        !isfinite(o.time_us))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "invalid environment options");

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
    if (v->n_ready > 0 && v->ready[v->n_ready - 1].ref.job + 1 > e->jobs_seen)
        e->jobs_seen = v->ready[v->n_ready - 1].ref.job + 1;
}

static void fill_info(soc_env_t *e, const soc_view_t *v, soc_env_info_t *info)
{
    info->t_us = soc_time_to_us(v->now);
    info->step = e->step;
    info->n_ready = v->n_ready;
    /* the engine refreshes view->jobs_in_system at decision points only */
    info->jobs_in_system = e->state == ENV_RUNNING
                               ? v->jobs_in_system
                               : (int)((int64_t)e->jobs_seen - e->completed);
    info->completed_jobs = e->completed;
    info->injected_jobs = (int64_t)e->jobs_seen;
    info->cum_latency_us = soc_time_to_us(e->lat_sum_ns);
    info->avg_latency_us = e->completed > 0 ? info->cum_latency_us / (double)e->completed : 0;
    info->episode_reward = e->episode_reward;
    info->done = e->state != ENV_RUNNING;
    info->seed = e->seed;
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

/* The run ended (next_decision returned 0): terminated or truncated? */
static int ended_by_time(soc_env_t *e, soc_time_t now)
{
    if (e->limit_ns == SOC_TIME_NEVER || now < e->limit_ns)
        return 0;
    if (e->cfg.injection.max_jobs > 0) {
        soc_metrics_t m;
        soc_sim_metrics(e->sim, &m);
        if (m.completed_jobs >= e->cfg.injection.max_jobs)
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
    int valid = soc_obs_decode(e->enc, v, action, &ref, &pe);
    if (valid < 0) {
        e->state = ENV_FAILED;
        return soc_error_set(err, valid, NULL, 0, 0,
                             "no ready task at a decision point (t=%.3f us)",
                             soc_time_to_us(v->now));
    }
    int rc = soc_sim_assign(e->sim, ref, pe, SOC_APPEND);
    if (rc != SOC_OK) {
        e->state = ENV_FAILED;
        return soc_error_set(err, rc, NULL, 0, 0,
                             "engine refused job %" PRIu64 " task %d on PE %d",
                             ref.job, (int)ref.task, pe);
    }
    soc_time_t t0 = v->now;
    int64_t age0 = age_sum_ns(e), lat0 = e->lat_sum_ns, comp0 = e->completed;

    rc = soc_sim_next_decision(e->sim, &v, err);
    if (rc < 0) {
        e->state = ENV_FAILED;
        return rc;
    }
    if (e->oom) {
        e->state = ENV_FAILED;
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == 0)
        v = soc_sim_view(e->sim);
    note_jobs(e, v);
    soc_time_t dt = v->now - t0;
    int64_t integral = age_sum_ns(e) - age0 + (e->lat_sum_ns - lat0);
    double reward;
    switch (e->opt.reward) {
    case SOC_REWARD_MAKESPAN:
        reward = -soc_time_to_us(dt) / e->opt.reward_norm;
        break;
    case SOC_REWARD_COMPBONUS:
        reward = -0.5 * soc_time_to_us(dt) + 50.0 * (double)(e->completed - comp0);
        break;
    case SOC_REWARD_LATENCY:
    default:
        reward = -soc_time_to_us(integral) / e->opt.reward_norm;
        break;
    }
    if (valid == 0)
        reward -= e->opt.invalid_penalty;
    e->step++;
    e->episode_reward += reward;

    int terminated = 0, truncated = 0;
    if (rc == 0) {
        e->state = ENV_ENDED;
        truncated = ended_by_time(e, v->now);
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
