/*
 * check_gym.c -- the RL environment (gym/env.c, soc/gym.h): options,
 * bit-identical replays, terminated versus truncated, invalid actions and
 * their penalty, the latency reward against the engine's latency totals,
 * the other reward kinds, and parity of "always the fallback" with the
 * built-in EFT scheduler (an independent implementation of the same rule).
 * Plan mode (action_mode=plan): following its HEFT expert is the `heft`
 * scheduler (schedulers/common.c, an independent implementation), tasks
 * come in the order of the schedulers' HEFT helpers, the rollout expert is
 * the argmin of its feature, and `neural` runs plan-mode networks exactly
 * as an agent stepping the env.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soc/gym.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "test_support.h"

#include "../schedulers/sched_internal.h" /* HEFT's order, for plan mode */

/* Topcuoglu's DAG (with communication) arriving as a Poisson stream: jobs
 * overlap, so decisions compete for PEs. */
static soc_config_t *stream_cfg(int64_t jobs)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_poisson(cfg, 40.0, jobs);
    ts_cfg_finalize(cfg);
    return cfg;
}

static soc_env_t *make_env(const soc_config_t *cfg, const char *const *kv)
{
    soc_env_options_t o;
    soc_env_options_default(&o);
    soc_error_t err = {0};
    char buf[800];
    for (; kv != NULL && *kv != NULL; kv++) {
        int rc = soc_env_options_set(&o, *kv, &err);
        ck_assert_msg(rc == SOC_OK, "%s: %s", *kv, soc_error_format(&err, buf, sizeof buf));
    }
    soc_env_t *env = NULL;
    int rc = soc_env_create(&env, cfg, &o, &err);
    ck_assert_msg(rc == SOC_OK, "env: %s", soc_error_format(&err, buf, sizeof buf));
    return env;
}

typedef struct bufs {
    int dim, na;
    float *obs;
    uint8_t *mask;
} bufs_t;

static bufs_t bufs_for(const soc_env_t *env)
{
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    bufs_t b = {sp.obs_dim, sp.n_actions, malloc(sizeof(float) * (size_t)sp.obs_dim),
                malloc((size_t)sp.n_actions)};
    ck_assert(b.obs != NULL && b.mask != NULL);
    return b;
}

static void bufs_free(bufs_t *b)
{
    free(b->obs);
    free(b->mask);
}

/* A deterministic policy: mostly a valid action picked by an LCG among the
 * mask's ones, sometimes an arbitrary (maybe invalid) index. */
static int64_t pick(uint64_t *lcg, const uint8_t *mask, int na)
{
    *lcg = *lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = *lcg >> 33;
    if (r % 10 == 0)
        return (int64_t)(r % (uint64_t)(na + 3)) - 2;
    int n = 0;
    for (int a = 0; a < na; a++)
        n += mask[a];
    if (n == 0)
        return 0;
    int k = (int)((r / 10) % (uint64_t)n);
    for (int a = 0; a < na; a++)
        if (mask[a] && k-- == 0)
            return a;
    return 0;
}

START_TEST(test_options)
{
    soc_env_options_t o;
    soc_env_options_default(&o);
    soc_error_t err = {0};
    ck_assert_int_eq(o.obs.slots, 8);
    ck_assert_int_eq(o.reward, SOC_REWARD_LATENCY);
    ck_assert_int_eq(soc_env_options_set(&o, "slots=12", &err), SOC_OK);
    ck_assert_int_eq(o.obs.slots, 12);
    ck_assert_int_eq(soc_env_options_set(&o, "action_mode=task", &err), SOC_OK);
    ck_assert_int_eq(o.obs.mode, SOC_ACTION_TASK);
    ck_assert_int_eq(soc_env_options_set(&o, "reward=compbonus", &err), SOC_OK);
    ck_assert_int_eq(soc_env_options_set(&o, "reward_norm=250.5", &err), SOC_OK);
    ck_assert_double_eq(o.reward_norm, 250.5);
    ck_assert_int_eq(soc_env_options_set(&o, "jobs=7", &err), SOC_OK);
    ck_assert_int_eq(soc_env_options_set(&o, "time_us=1e4", &err), SOC_OK);
    ck_assert_double_eq(o.time_us, 1e4);
    const char *bad[] = {"slots=0", "slots=abc", "slots=2000", "reward=speed", "reward_norm=0",
                         "reward_norm=nan", "invalid_penalty=-1", "jobs=-3", "time_us=inf",
                         "action_mode=both", "colour=red", "noequals", "=5", NULL};
    soc_env_options_t before = o;
    for (int i = 0; bad[i] != NULL; i++) {
        soc_error_clear(&err);
        ck_assert_msg(soc_env_options_set(&o, bad[i], &err) == SOC_EINVAL, "%s accepted", bad[i]);
        ck_assert_msg(err.msg[0] != '\0', "%s: no message", bad[i]);
        ck_assert(memcmp(&o, &before, sizeof o) == 0);
    }
}
END_TEST

START_TEST(test_create_errors)
{
    soc_config_t *cfg = stream_cfg(5);
    soc_env_t *env = NULL;
    soc_error_t err = {0};
    soc_env_options_t o;
    soc_env_options_default(&o);
    o.jobs = 0; /* removes the only limit */
    ck_assert_int_eq(soc_env_create(&env, cfg, &o, &err), SOC_ECONFIG);
    ck_assert_ptr_null(env);
    ck_assert(strstr(err.msg, "limit") != NULL);
    cfg->semantics = SOC_SEM_DS3;
    soc_error_clear(&err);
    ck_assert_int_eq(soc_env_create(&env, cfg, NULL, &err), SOC_EUNSUPPORTED);
    cfg->semantics = SOC_SEM_NATIVE;
    soc_env_options_default(&o);
    o.obs.slots = -1;
    ck_assert_int_eq(soc_env_create(&env, cfg, &o, &err), SOC_EINVAL);
    ck_assert_int_eq(soc_env_create(NULL, cfg, NULL, &err), SOC_EINVAL);

    /* step before reset */
    env = make_env(cfg, NULL);
    soc_env_step_t st;
    bufs_t b = bufs_for(env);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_env_step(env, 0, b.obs, b.mask, &st, &err), SOC_ESTATE);
    ck_assert(!soc_env_running(env));
    bufs_free(&b);
    soc_env_destroy(env);
    soc_env_destroy(NULL);
    ts_cfg_destroy(cfg);
}
END_TEST

/* One whole episode; records everything an agent sees. */
typedef struct trace {
    int n, cap, dim, na;
    float *obs;
    uint8_t *mask;
    double *reward;
    soc_env_info_t *info;
    int terminated, truncated;
} trace_t;

static void trace_add(trace_t *t, const bufs_t *b, double r, const soc_env_info_t *info)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->obs = realloc(t->obs, sizeof *t->obs * (size_t)t->cap * (size_t)b->dim);
        t->mask = realloc(t->mask, (size_t)t->cap * (size_t)b->na);
        t->reward = realloc(t->reward, sizeof *t->reward * (size_t)t->cap);
        t->info = realloc(t->info, sizeof *t->info * (size_t)t->cap);
        ck_assert(t->obs && t->mask && t->reward && t->info);
    }
    t->dim = b->dim;
    t->na = b->na;
    memcpy(t->obs + (size_t)t->n * (size_t)b->dim, b->obs, sizeof(float) * (size_t)b->dim);
    memcpy(t->mask + (size_t)t->n * (size_t)b->na, b->mask, (size_t)b->na);
    t->reward[t->n] = r;
    t->info[t->n] = *info;
    t->n++;
}

static void trace_free(trace_t *t)
{
    free(t->obs);
    free(t->mask);
    free(t->reward);
    free(t->info);
    memset(t, 0, sizeof *t);
}

static void play(soc_env_t *env, uint64_t seed, uint64_t policy_seed, trace_t *t, int max_steps)
{
    bufs_t b = bufs_for(env);
    soc_env_info_t info;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_env_reset(env, seed, b.obs, b.mask, &info, &err);
    ck_assert_msg(rc == SOC_OK, "reset: %s", soc_error_format(&err, buf, sizeof buf));
    trace_add(t, &b, 0.0, &info);
    uint64_t lcg = policy_seed;
    for (int s = 0; s < max_steps && soc_env_running(env); s++) {
        int64_t a = pick(&lcg, b.mask, b.na);
        soc_env_step_t st;
        rc = soc_env_step(env, a, b.obs, b.mask, &st, &err);
        ck_assert_msg(rc == SOC_OK, "step: %s", soc_error_format(&err, buf, sizeof buf));
        ck_assert(isfinite(st.reward));
        for (int i = 0; i < b.dim; i++)
            ck_assert(isfinite(b.obs[i]) && b.obs[i] >= 0.0f && b.obs[i] <= 1.0f);
        trace_add(t, &b, st.reward, &st.info);
        t->terminated = st.terminated;
        t->truncated = st.truncated;
        ck_assert(!(st.terminated && st.truncated));
        ck_assert_int_eq(st.info.done, st.terminated || st.truncated);
    }
    bufs_free(&b);
}

START_TEST(test_determinism)
{
    soc_config_t *cfg = stream_cfg(30);
    soc_env_t *e1 = make_env(cfg, NULL), *e2 = make_env(cfg, NULL);
    trace_t a = {0}, b = {0}, c = {0};
    play(e1, 42, 7, &a, 100000);
    play(e2, 42, 7, &b, 100000);
    ck_assert(a.terminated);
    ck_assert_int_eq(a.n, b.n);
    ck_assert(a.n > 100);
    ck_assert_mem_eq(a.obs, b.obs, sizeof(float) * (size_t)a.n * (size_t)a.dim);
    ck_assert_mem_eq(a.mask, b.mask, (size_t)a.n * (size_t)a.na);
    ck_assert_mem_eq(a.reward, b.reward, sizeof(double) * (size_t)a.n);
    ck_assert_mem_eq(a.info, b.info, sizeof(soc_env_info_t) * (size_t)a.n);
    int invalid = 0, zero_dt = 0;
    for (int i = 1; i < a.n; i++) {
        invalid += a.info[i].invalid_action;
        zero_dt += a.info[i].dt_us == 0.0;
        ck_assert_int_eq(a.info[i].step, i);
        ck_assert(a.info[i].t_us >= a.info[i - 1].t_us);
        ck_assert_double_eq_tol(a.info[i].t_us - a.info[i - 1].t_us, a.info[i].dt_us, 1e-9);
    }
    ck_assert(invalid > 0);
    ck_assert(zero_dt > 0); /* several decisions at one instant */

    /* the same env reset with the same seed replays; another seed differs */
    play(e1, 42, 7, &c, 100000);
    ck_assert_int_eq(c.n, a.n);
    ck_assert_mem_eq(c.obs, a.obs, sizeof(float) * (size_t)a.n * (size_t)a.dim);
    trace_free(&c);
    play(e1, 43, 7, &c, 100000);
    int n = c.n < a.n ? c.n : a.n;
    ck_assert(memcmp(c.obs, a.obs, sizeof(float) * (size_t)n * (size_t)a.dim) != 0);
    ck_assert_int_eq((int)soc_env_seed(e1), 43);
    trace_free(&a);
    trace_free(&b);
    trace_free(&c);
    soc_env_destroy(e1);
    soc_env_destroy(e2);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_terminated_and_latency_reward)
{
    const int N = 25;
    soc_config_t *cfg = stream_cfg(1000); /* the option overrides it */
    const char *kv[] = {"jobs=25", "reward_norm=123", NULL};
    soc_env_t *env = make_env(cfg, kv);
    soc_env_options_t ro;
    soc_env_get_options(env, &ro);
    ck_assert_int_eq((int)ro.jobs, N);
    ck_assert_double_eq(ro.time_us, 0);
    trace_t t = {0};
    play(env, 5, 99, &t, 100000);
    ck_assert(t.terminated && !t.truncated);
    const soc_env_info_t *last = &t.info[t.n - 1];
    ck_assert_int_eq((int)last->completed_jobs, N);
    ck_assert_int_eq(last->jobs_in_system, 0);
    ck_assert(last->done);
    ck_assert_uint_eq(t.mask[(size_t)(t.n - 1) * (size_t)t.na], 0);
    soc_metrics_t m;
    soc_env_metrics(env, &m);
    ck_assert_int_eq((int)m.completed_jobs, N);
    ck_assert_double_eq_tol(last->cum_latency_us, m.cumulative_latency_us, 1e-6);
    ck_assert_double_eq_tol(last->avg_latency_us, m.avg_latency_us, 1e-9);
    double sum = 0;
    for (int i = 0; i < t.n; i++)
        sum += t.reward[i];
    /* the rewards add up to -(total latency) / norm */
    ck_assert_double_eq_tol(sum * 123.0, -m.cumulative_latency_us,
                            1e-9 * m.cumulative_latency_us);
    ck_assert_double_eq_tol(last->episode_reward, sum, 1e-12 * fabs(sum));

    /* stepping after the end is refused, and reset brings it back */
    bufs_t b = bufs_for(env);
    soc_env_step_t st;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_env_step(env, 0, b.obs, b.mask, &st, &err), SOC_ESTATE);
    ck_assert(strstr(err.msg, "reset") != NULL);
    ck_assert_int_eq(soc_env_reset(env, 5, b.obs, b.mask, NULL, NULL), SOC_OK);
    ck_assert(soc_env_running(env));
    bufs_free(&b);
    trace_free(&t);
    soc_env_destroy(env);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_truncated)
{
    soc_config_t *cfg = stream_cfg(1000);
    const char *kv[] = {"time_us=900", NULL};
    soc_env_t *env = make_env(cfg, kv);
    soc_env_options_t ro;
    soc_env_get_options(env, &ro);
    ck_assert_double_eq(ro.time_us, 900);
    ck_assert_int_eq((int)ro.jobs, 0);
    trace_t t = {0};
    play(env, 11, 3, &t, 100000);
    ck_assert(t.truncated && !t.terminated);
    ck_assert_double_eq(t.info[t.n - 1].t_us, 900.0);
    ck_assert(t.info[t.n - 1].completed_jobs > 3);
    for (int i = 0; i < t.n - 1; i++)
        ck_assert(t.info[i].t_us < 900.0 && !t.info[i].done);
    trace_free(&t);
    soc_env_destroy(env);

    /* both limits: whichever comes first decides */
    const char *kv2[] = {"time_us=100000", "jobs=4", NULL};
    env = make_env(cfg, kv2);
    play(env, 11, 3, &t, 100000);
    ck_assert(t.terminated && !t.truncated);
    trace_free(&t);
    soc_env_destroy(env);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Task mode action 0 is slot 0 on its earliest-finish PE, which is also the
 * fallback: an env fed only invalid actions follows the same trajectory,
 * flags every step and pays the penalty. */
START_TEST(test_invalid_actions)
{
    soc_config_t *cfg = stream_cfg(20);
    const char *kv_ok[] = {"action_mode=task", NULL};
    const char *kv_bad[] = {"action_mode=task", "invalid_penalty=0.25", NULL};
    soc_env_t *ok = make_env(cfg, kv_ok), *bad = make_env(cfg, kv_bad);
    bufs_t b1 = bufs_for(ok), b2 = bufs_for(bad);
    ck_assert_int_eq(b1.na, 8);
    ck_assert_int_eq(soc_env_reset(ok, 3, b1.obs, b1.mask, NULL, NULL), SOC_OK);
    ck_assert_int_eq(soc_env_reset(bad, 3, b2.obs, b2.mask, NULL, NULL), SOC_OK);
    const int64_t invalid[] = {-1, 8, 1000000, INT64_MIN, INT64_MAX, 7};
    int steps = 0;
    while (soc_env_running(ok)) {
        soc_env_step_t s1, s2;
        int64_t a = invalid[steps % 6];
        /* slot 7 is valid only when 8 tasks are ready */
        int expect_invalid = a != 7 || !b2.mask[7];
        ck_assert_int_eq(soc_env_step(ok, 0, b1.obs, b1.mask, &s1, NULL), SOC_OK);
        if (!expect_invalid)
            a = -1;
        ck_assert_int_eq(soc_env_step(bad, a, b2.obs, b2.mask, &s2, NULL), SOC_OK);
        ck_assert(!s1.info.invalid_action);
        ck_assert(s2.info.invalid_action);
        ck_assert_double_eq(s1.reward - 0.25, s2.reward);
        ck_assert_mem_eq(b1.obs, b2.obs, sizeof(float) * (size_t)b1.dim);
        ck_assert(s1.info.job == s2.info.job && s1.info.task == s2.info.task &&
                  s1.info.pe == s2.info.pe);
        steps++;
    }
    ck_assert(!soc_env_running(bad));
    ck_assert(steps > 50);
    bufs_free(&b1);
    bufs_free(&b2);
    soc_env_destroy(ok);
    soc_env_destroy(bad);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Always taking the fallback is the EFT rule; the schedulers module has its
 * own implementation of it, which must give the same run. */
START_TEST(test_parity_with_eft_scheduler)
{
    soc_config_t *cfg = stream_cfg(60);
    cfg->seed = 17;
    const soc_sched_ops_t *eft = soc_sched_find("eft");
    if (eft == NULL)
        return; /* schedulers not built in: nothing to compare with */
    soc_sim_options_t so = {sizeof so, eft, NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *sim = NULL;
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &so, NULL), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, NULL), SOC_OK);
    soc_metrics_t ms;
    soc_sim_metrics(sim, &ms);

    const char *kv[] = {"action_mode=pe", NULL};
    soc_env_t *env = make_env(cfg, kv);
    bufs_t b = bufs_for(env);
    ck_assert_int_eq(soc_env_reset(env, 17, b.obs, b.mask, NULL, NULL), SOC_OK);
    while (soc_env_running(env)) {
        soc_env_step_t st;
        /* an all-masked index forces the fallback */
        ck_assert_int_eq(soc_env_step(env, -1, b.obs, b.mask, &st, NULL), SOC_OK);
    }
    soc_metrics_t me;
    soc_env_metrics(env, &me);
    ck_assert_int_eq((int)me.completed_jobs, (int)ms.completed_jobs);
    ck_assert_double_eq(me.avg_latency_us, ms.avg_latency_us);
    ck_assert_double_eq(me.makespan_us, ms.makespan_us);
    ck_assert_double_eq(me.p95_latency_us, ms.p95_latency_us);
    bufs_free(&b);
    soc_env_destroy(env);
    soc_sim_destroy(sim);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_other_rewards)
{
    soc_config_t *cfg = stream_cfg(15);
    for (int kind = 0; kind < 2; kind++) {
        const char *kv[] = {kind == 0 ? "reward=makespan" : "reward=compbonus", "reward_norm=10",
                            NULL};
        soc_env_t *env = make_env(cfg, kv);
        trace_t t = {0};
        play(env, 8, 1, &t, 100000);
        ck_assert(t.terminated);
        double sum = 0;
        for (int i = 1; i < t.n; i++)
            sum += t.reward[i];
        double span = t.info[t.n - 1].t_us - t.info[0].t_us;
        if (kind == 0)
            ck_assert_double_eq_tol(sum, -span / 10.0, 1e-9 * span);
        else
            ck_assert_double_eq_tol(sum, -0.5 * span + 50.0 * 15, 1e-9 * span);
        trace_free(&t);
        soc_env_destroy(env);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

/* The embedded default (warm-up, six applications, 17 PEs) runs too. */
START_TEST(test_default_config)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_load_yaml_string(&cfg, soc_default_config_yaml(), "default", NULL, &err),
                     SOC_OK);
    const char *kv[] = {"jobs=20", "slots=6", NULL};
    soc_env_t *env = make_env(&cfg, kv);
    soc_config_free(&cfg); /* the env keeps its own copy */
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    ck_assert_int_eq(sp.obs_dim, 6 * (5 + sp.n_clusters + sp.n_pes) + 5 * sp.n_pes + 4);
    ck_assert_int_eq(sp.n_actions, 6 * sp.n_pes);
    char name[128];
    ck_assert_int_eq(soc_env_feature_name(env, 5, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "slot0.exec.A7");
    trace_t t = {0};
    play(env, 1, 1, &t, 1000000);
    ck_assert(t.terminated);
    /* warm-up jobs run too, so at least the 20 measured ones completed */
    ck_assert(t.info[t.n - 1].completed_jobs >= 20);
    trace_free(&t);
    soc_env_destroy(env);
}
END_TEST


/* ------------------------------------------------------------ neural */

/* A small random MLP, written in gym/WEIGHTS.md format and evaluated here
 * with plain loops (an implementation independent of schedulers/neural.c). */
typedef struct mlp {
    int n;
    int in[3], out[3], act[3]; /* act: 0 linear, 1 tanh, 2 relu */
    double *w[3], *b[3];       /* w[l][o * in + i] */
} mlp_t;

static double lcg_unit(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void mlp_random(mlp_t *m, int dim, int na, uint64_t seed)
{
    const int widths[4] = {dim, 16, 12, na};
    const int acts[3] = {1, 2, 0};
    m->n = 3;
    for (int l = 0; l < 3; l++) {
        m->in[l] = widths[l];
        m->out[l] = widths[l + 1];
        m->act[l] = acts[l];
        m->w[l] = malloc(sizeof(double) * (size_t)m->in[l] * (size_t)m->out[l]);
        m->b[l] = malloc(sizeof(double) * (size_t)m->out[l]);
        for (int k = 0; k < m->in[l] * m->out[l]; k++)
            m->w[l][k] = lcg_unit(&seed) * 2.0;
        for (int k = 0; k < m->out[l]; k++)
            m->b[l][k] = lcg_unit(&seed) * 0.5;
    }
}

static void mlp_free(mlp_t *m)
{
    for (int l = 0; l < m->n; l++) {
        free(m->w[l]);
        free(m->b[l]);
    }
}

static void mlp_write(const mlp_t *m, const char *path, const soc_env_t *env)
{
    soc_env_options_t o;
    soc_env_spaces_t sp;
    soc_env_get_options(env, &o);
    soc_env_spaces(env, &sp);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "socsim-mlp 1  # written by check_gym\nslots %d\naction_mode %s\n", o.obs.slots,
            soc_action_mode_name(o.obs.mode));
    fprintf(f, "time_scale_us %.17g\nn_pes %d\nobs_dim %d\nn_actions %d\nlayers %d\n",
            o.obs.time_scale_us, sp.n_pes, sp.obs_dim, sp.n_actions, m->n);
    static const char *const an[3] = {"linear", "tanh", "relu"};
    for (int l = 0; l < m->n; l++) {
        fprintf(f, "dense %d %d %s\n", m->in[l], m->out[l], an[m->act[l]]);
        for (int o2 = 0; o2 < m->out[l]; o2++) {
            for (int i = 0; i < m->in[l]; i++)
                fprintf(f, "%.17g ", m->w[l][o2 * m->in[l] + i]);
            fprintf(f, "\n");
        }
        for (int o2 = 0; o2 < m->out[l]; o2++)
            fprintf(f, "%.17g ", m->b[l][o2]);
        fprintf(f, "\n");
    }
    fprintf(f, "end\n");
    ck_assert_int_eq(fclose(f), 0);
}

static int64_t mlp_act(const mlp_t *m, const float *obs, const uint8_t *mask)
{
    double x[512], y[512];
    ck_assert(m->in[0] <= 512);
    for (int i = 0; i < m->in[0]; i++)
        x[i] = obs[i];
    for (int l = 0; l < m->n; l++) {
        for (int o = 0; o < m->out[l]; o++) {
            double acc = 0;
            for (int i = 0; i < m->in[l]; i++)
                acc += m->w[l][o * m->in[l] + i] * x[i];
            acc += m->b[l][o];
            y[o] = m->act[l] == 1 ? tanh(acc) : m->act[l] == 2 ? (acc > 0 ? acc : 0) : acc;
        }
        memcpy(x, y, sizeof(double) * (size_t)m->out[l]);
    }
    int64_t best = -1;
    for (int a = 0; a < m->out[m->n - 1]; a++)
        if (mask[a] && (best < 0 || x[a] > x[best]))
            best = a;
    return best;
}

static soc_sim_t *run_spec(const soc_config_t *cfg, const char *spec, int *rc_out)
{
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    soc_sim_t *sim = NULL;
    int rc = soc_sched_resolve(spec, &h, &err);
    if (rc == SOC_OK) {
        soc_sim_options_t so = {sizeof so, soc_sched_handle_ops(h), soc_sched_handle_arg(h),
                                NULL, NULL, NULL, NULL};
        rc = soc_sim_create(&sim, cfg, &so, &err);
        if (rc == SOC_OK)
            rc = soc_sim_run(sim, &err);
    }
    soc_sched_handle_free(h);
    *rc_out = rc;
    return sim;
}

/* The neural scheduler decides exactly like an agent stepping the env with
 * the same network. */
START_TEST(test_neural_parity)
{
    if (soc_sched_find("neural") == NULL)
        return;
    soc_config_t cfg;
    ck_assert_int_eq(soc_load_yaml_string(&cfg, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    cfg.injection.max_jobs = 60;
    cfg.injection.warmup_us = 0;
    cfg.seed = 9;
    for (int mode = 0; mode < 4; mode++) {
        const char *kv[] = {mode == 0   ? "action_mode=pair"
                            : mode == 1 ? "action_mode=pe"
                            : mode == 2 ? "action_mode=task"
                                        : "action_mode=plan",
                            "slots=5", NULL};
        soc_env_t *env = make_env(&cfg, kv);
        bufs_t b = bufs_for(env);
        mlp_t m;
        mlp_random(&m, b.dim, b.na, 1000 + (uint64_t)mode);
        char path[] = "/tmp/socsim-mlp-XXXXXX";
        int fd = mkstemp(path);
        ck_assert(fd >= 0);
        close(fd);
        mlp_write(&m, path, env);

        char spec[64];
        snprintf(spec, sizeof spec, "neural:%s", path);
        int rc;
        soc_sim_t *sim = run_spec(&cfg, spec, &rc);
        ck_assert_int_eq(rc, SOC_OK);
        soc_metrics_t ms;
        soc_sim_metrics(sim, &ms);

        ck_assert_int_eq(soc_env_reset(env, 9, b.obs, b.mask, NULL, NULL), SOC_OK);
        int steps = 0;
        while (soc_env_running(env)) {
            int64_t a = mlp_act(&m, b.obs, b.mask);
            ck_assert(a >= 0);
            soc_env_step_t st;
            ck_assert_int_eq(soc_env_step(env, a, b.obs, b.mask, &st, NULL), SOC_OK);
            ck_assert(!st.info.invalid_action);
            steps++;
        }
        soc_metrics_t me;
        soc_env_metrics(env, &me);
        ck_assert(steps > 100);
        ck_assert_int_eq((int)me.completed_jobs, 60);
        ck_assert_int_eq((int)ms.completed_jobs, 60);
        ck_assert_double_eq(me.avg_latency_us, ms.avg_latency_us);
        ck_assert_double_eq(me.makespan_us, ms.makespan_us);
        ck_assert_double_eq(me.max_latency_us, ms.max_latency_us);
        soc_sim_destroy(sim);
        unlink(path);
        mlp_free(&m);
        bufs_free(&b);
        soc_env_destroy(env);
    }
    soc_config_free(&cfg);
}
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_neural_errors)
{
    if (soc_sched_find("neural") == NULL)
        return;
    soc_config_t *cfg = stream_cfg(5); /* 3 PEs, 3 clusters */
    int rc;
    soc_sim_t *sim = run_spec(cfg, "neural", &rc);
    ck_assert_int_eq(rc, SOC_EINVAL);
    soc_sim_destroy(sim);
    sim = run_spec(cfg, "neural:/nonexistent/w.txt", &rc);
    ck_assert_int_eq(rc, SOC_EIO);
    soc_sim_destroy(sim);
    {
        /* a directory: said so, not "larger than 1 GiB" */
        soc_sched_handle_t *h = NULL;
        soc_error_t err = {0};
        ck_assert_int_eq(soc_sched_resolve("neural:/tmp", &h, &err), SOC_OK);
        soc_sim_options_t so = {sizeof so, soc_sched_handle_ops(h), soc_sched_handle_arg(h),
                                NULL, NULL, NULL, NULL};
        sim = NULL;
        ck_assert_int_eq(soc_sim_create(&sim, cfg, &so, &err), SOC_EIO);
        ck_assert_msg(strstr(err.msg, "is a directory") != NULL, "%s", err.msg);
        soc_sim_destroy(sim);
        soc_sched_handle_free(h);
    }
    char path[] = "/tmp/socsim-mlp-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    /* K = 1: obs_dim = 1 * (5 + 3 + 3) + 15 + 4 = 30, pair actions 3 */
    static const char *const bad[] = {
        "socsim-mlp 2\n",
        "socsim-mlp 1 slots 1 action_mode diagonal\n",
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us -1\n",
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 3 obs_dim 30 n_actions 3 "
        "layers 1 dense 29 3 linear\n",
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 3 obs_dim 30 n_actions 3 "
        "layers 1 dense 30 3 sigmoid\n",
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 3 obs_dim 30 n_actions 3 "
        "layers 1 dense 30 3 linear 1 2 nan\n",
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 3 obs_dim 30 n_actions 3 "
        "layers 1 dense 30 2 linear\n",
        /* issue 11: weights that overflow the logits are refused at load */
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 3 obs_dim 30 n_actions 3 "
        "layers 1 dense 30 3 linear 1 -1e308\n",
        "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 3 obs_dim 30 n_actions 3 "
        "input_clip 1e13 layers 1 dense 30 3 linear\n",
        NULL};
    for (int i = 0; bad[i] != NULL; i++) {
        write_text(path, bad[i]);
        char spec[64];
        snprintf(spec, sizeof spec, "neural:%s", path);
        sim = run_spec(cfg, spec, &rc);
        ck_assert_msg(rc == SOC_EPARSE, "case %d: %s", i, soc_status_name(rc));
        soc_sim_destroy(sim);
    }
    /* well formed, but for another platform */
    write_text(path, "socsim-mlp 1 slots 1 action_mode pair time_scale_us 5 n_pes 4 obs_dim 30 "
                     "n_actions 3 layers 1 dense 30 3 linear\n");
    char spec[64];
    snprintf(spec, sizeof spec, "neural:%s", path);
    sim = run_spec(cfg, spec, &rc);
    ck_assert_int_eq(rc, SOC_EPARSE); /* truncated weights are reported first */
    soc_sim_destroy(sim);
    {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "socsim-mlp 1\nslots 1\naction_mode pair\ntime_scale_us 5\nn_pes 4\n"
                   "obs_dim 30\nn_actions 3\nlayers 1\ndense 30 3 linear\n");
        for (int k = 0; k < 93; k++)
            fprintf(f, "0.5 ");
        fprintf(f, "\nend\n");
        ck_assert_int_eq(fclose(f), 0);
    }
    sim = run_spec(cfg, spec, &rc);
    ck_assert_int_eq(rc, SOC_EINVAL);
    soc_sim_destroy(sim);
    unlink(path);
    ts_cfg_destroy(cfg);
}
END_TEST


/* ---------------------------------------------- issue 17 regressions */

/* One episode with the pick() policy and no per-element checks (cheap under
 * the sanitizers): the last info, the end flags and the reward sum. */
typedef struct quick {
    soc_env_info_t first, last;
    int terminated, truncated, steps;
    double reward_sum;
} quick_t;

static quick_t quick_play(soc_env_t *env, uint64_t seed, uint64_t policy_seed)
{
    quick_t q;
    memset(&q, 0, sizeof q);
    bufs_t b = bufs_for(env);
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_env_reset(env, seed, b.obs, b.mask, &q.first, &err);
    ck_assert_msg(rc == SOC_OK, "reset: %s", soc_error_format(&err, buf, sizeof buf));
    q.last = q.first;
    uint64_t lcg = policy_seed;
    int bad = 0;
    while (soc_env_running(env)) {
        soc_env_step_t st;
        rc = soc_env_step(env, pick(&lcg, b.mask, b.na), b.obs, b.mask, &st, &err);
        if (rc != SOC_OK || (st.terminated && st.truncated) ||
            st.info.done != (st.terminated || st.truncated))
            bad++;
        q.reward_sum += st.reward;
        q.last = st.info;
        q.terminated = st.terminated;
        q.truncated = st.truncated;
        q.steps++;
    }
    ck_assert_int_eq(bad, 0);
    bufs_free(&b);
    return q;
}

/* Defect 1: a time limit ends an episode truncated even when the system is
 * empty at the last event before the limit (periodic arrivals every 200 µs,
 * each job done well before the next: most limits fall into idle gaps). */
START_TEST(test_time_limit_always_truncated)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_periodic(cfg, 200.0, 0);
    cfg->injection.sim_time_us = 5000;
    ts_cfg_finalize(cfg);
    int idle_ends = 0;
    for (int T = 150; T <= 1600; T += 50) {
        char kv0[64];
        snprintf(kv0, sizeof kv0, "time_us=%d", T);
        const char *kv[] = {kv0, NULL};
        soc_env_t *env = make_env(cfg, kv);
        quick_t q = quick_play(env, 3, 5);
        ck_assert_msg(q.truncated && !q.terminated, "time_us=%d ended terminated", T);
        ck_assert(q.last.t_us <= T);
        if (q.last.t_us < T && q.last.jobs_in_system == 0)
            idle_ends++;
        soc_env_destroy(env);
    }
    ck_assert(idle_ends > 5); /* the case of the defect did occur */
    ts_cfg_destroy(cfg);

    /* a finite trace that runs out before the limit is a true end */
    cfg = ts_cfg_topcuoglu();
    const double times[] = {0, 10, 20};
    ts_cfg_trace(cfg, 3, times);
    cfg->injection.sim_time_us = 100000;
    ts_cfg_finalize(cfg);
    soc_env_t *env = make_env(cfg, NULL);
    quick_t q = quick_play(env, 1, 1);
    ck_assert(q.terminated && !q.truncated);
    soc_env_destroy(env);
    ts_cfg_destroy(cfg);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Defect 2: per-episode seeds of vector envs never repeat. */
START_TEST(test_episode_seeds_distinct)
{
    enum { N = 32, E = 200 };
    static uint64_t seen[N * E];
    int n = 0;
    for (uint64_t base = 0; base < 3; base++) {
        n = 0;
        for (uint64_t k = 0; k < N; k++)
            for (uint64_t ep = 0; ep < E; ep++)
                seen[n++] = soc_env_episode_seed(base, k, ep);
        ck_assert_uint_eq(seen[0], base); /* env 0, episode 0: the base seed */
        qsort(seen, (size_t)n, sizeof seen[0], cmp_u64);
        int repeats = 0;
        for (int i = 1; i < n; i++)
            repeats += seen[i] == seen[i - 1];
        ck_assert_int_eq(repeats, 0);
    }
    /* the old scheme (seed + 1 per episode) is what this replaces */
    ck_assert_uint_ne(soc_env_episode_seed(0, 0, 1), soc_env_episode_seed(0, 1, 0));
}
END_TEST

/* The default config with a warm-up: measured jobs only in the info and in
 * the reward; completions reproduce the engine's sums bit for bit. */
START_TEST(test_measured_jobs_only)
{
    soc_config_t cfg;
    ck_assert_int_eq(soc_load_yaml_string(&cfg, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    cfg.injection.max_jobs = 40;
    cfg.injection.warmup_us = 3000;
    cfg.seed = 4;
    const soc_sched_ops_t *eft = soc_sched_find("eft");
    ck_assert_ptr_nonnull(eft);
    soc_config_t *fin = malloc(sizeof *fin);
    ck_assert_int_eq(soc_config_copy(fin, &cfg), SOC_OK);
    ck_assert_int_eq(soc_config_finalize(fin, NULL), SOC_OK);
    soc_sim_options_t so = {sizeof so, eft, NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *sim = NULL;
    ck_assert_int_eq(soc_sim_create(&sim, fin, &so, NULL), SOC_OK);
    ck_assert_int_eq(soc_sim_run(sim, NULL), SOC_OK);
    soc_metrics_t ms;
    soc_sim_metrics(sim, &ms);

    for (int all = 0; all < 2; all++) {
        const char *kv[] = {"action_mode=pe", "reward_norm=7",
                            all ? "reward_jobs=all" : "reward_jobs=measured", NULL};
        soc_env_t *env = make_env(&cfg, kv);
        bufs_t b = bufs_for(env);
        soc_env_info_t info;
        ck_assert_int_eq(soc_env_reset(env, 4, b.obs, b.mask, &info, NULL), SOC_OK);
        double rsum = 0, cum_meas = 0, cum_all_ns = 0;
        int64_t n_meas = 0, n_all = 0;
        soc_env_step_t st;
        while (soc_env_running(env)) {
            ck_assert_int_eq(soc_env_step(env, -1, b.obs, b.mask, &st, NULL), SOC_OK);
            rsum += st.reward;
            int nc = 0;
            const soc_env_completion_t *c = soc_env_completions(env, &nc);
            ck_assert_int_eq(nc, st.info.n_completions);
            for (int k = 0; k < nc; k++) {
                ck_assert_double_eq_tol(c[k].latency_us, c[k].finish_us - c[k].arrival_us, 1e-9);
                ck_assert_int_eq(c[k].measured, c[k].arrival_us >= 3000.0);
                cum_all_ns += (double)soc_time_from_us(c[k].latency_us);
                n_all++;
                if (c[k].measured) {
                    cum_meas += c[k].latency_us;
                    n_meas++;
                }
            }
        }
        /* the native run's measured metrics, exactly */
        ck_assert_int_eq((int)n_meas, (int)ms.completed_jobs);
        ck_assert_double_eq(cum_meas, ms.cumulative_latency_us);
        ck_assert_int_eq((int)st.info.completed_jobs_all, (int)n_all);
        ck_assert(n_all > n_meas);
        if (!all) {
            ck_assert_int_eq((int)st.info.completed_jobs, (int)ms.completed_jobs);
            ck_assert_int_eq((int)st.info.injected_jobs, (int)ms.injected_jobs);
            ck_assert_double_eq(st.info.avg_latency_us, ms.avg_latency_us);
            ck_assert_double_eq(st.info.cum_latency_us, ms.cumulative_latency_us);
            /* rewards add up to -(measured latency) / norm */
            ck_assert_double_eq_tol(rsum * 7.0, -ms.cumulative_latency_us,
                                    1e-9 * ms.cumulative_latency_us);
        } else {
            ck_assert_int_eq((int)st.info.completed_jobs, (int)n_all);
            ck_assert_double_eq_tol(rsum * 7.0, -cum_all_ns / 1000.0, 1e-9 * cum_all_ns / 1000);
        }
        bufs_free(&b);
        soc_env_destroy(env);
    }
    soc_sim_destroy(sim);
    ts_cfg_destroy(fin);
    soc_config_free(&cfg);
}
END_TEST

/* Without a warm-up both reward_jobs settings give the same rewards: the
 * measured-jobs formula against the engine's age sums. */
START_TEST(test_measured_reward_formula)
{
    soc_config_t *cfg = stream_cfg(40);
    const char *k1[] = {"reward_jobs=measured", NULL}, *k2[] = {"reward_jobs=all", NULL};
    soc_env_t *e1 = make_env(cfg, k1), *e2 = make_env(cfg, k2);
    bufs_t b1 = bufs_for(e1), b2 = bufs_for(e2);
    ck_assert_int_eq(soc_env_reset(e1, 21, b1.obs, b1.mask, NULL, NULL), SOC_OK);
    ck_assert_int_eq(soc_env_reset(e2, 21, b2.obs, b2.mask, NULL, NULL), SOC_OK);
    uint64_t lcg = 4;
    int differ = 0, steps = 0;
    while (soc_env_running(e1)) {
        int64_t a = pick(&lcg, b1.mask, b1.na);
        soc_env_step_t s1, s2;
        ck_assert_int_eq(soc_env_step(e1, a, b1.obs, b1.mask, &s1, NULL), SOC_OK);
        ck_assert_int_eq(soc_env_step(e2, a, b2.obs, b2.mask, &s2, NULL), SOC_OK);
        differ += memcmp(&s1.reward, &s2.reward, sizeof s1.reward) != 0;
        steps++;
    }
    ck_assert(!soc_env_running(e2));
    ck_assert_int_eq(differ, 0);
    ck_assert(steps > 100);
    bufs_free(&b1);
    bufs_free(&b2);
    soc_env_destroy(e1);
    soc_env_destroy(e2);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Expert ETF with enough slots is the etf scheduler; expert EFT the eft
 * scheduler; expert HEFT picks the highest-rank slot on its EFT PE. */
static void follow_expert_vs(const char *expert, const char *sched)
{
    soc_config_t *cfg = stream_cfg(60);
    cfg->seed = 12;
    int rc;
    soc_sim_t *sim = run_spec(cfg, sched, &rc);
    ck_assert_int_eq(rc, SOC_OK);
    soc_metrics_t ms;
    soc_sim_metrics(sim, &ms);
    char kv0[40];
    snprintf(kv0, sizeof kv0, "expert=%s", expert);
    const char *kv[] = {kv0, "slots=64", NULL};
    soc_env_t *env = make_env(cfg, kv);
    bufs_t b = bufs_for(env);
    soc_env_info_t info;
    ck_assert_int_eq(soc_env_reset(env, 12, b.obs, b.mask, &info, NULL), SOC_OK);
    int64_t a = info.expert;
    while (soc_env_running(env)) {
        ck_assert(a >= 0 && a < b.na && b.mask[a]);
        soc_env_step_t st;
        ck_assert_int_eq(soc_env_step(env, a, b.obs, b.mask, &st, NULL), SOC_OK);
        ck_assert(!st.info.invalid_action);
        a = st.info.expert;
    }
    soc_metrics_t me;
    soc_env_metrics(env, &me);
    ck_assert_int_eq((int)me.completed_jobs, (int)ms.completed_jobs);
    ck_assert_double_eq(me.avg_latency_us, ms.avg_latency_us);
    ck_assert_double_eq(me.makespan_us, ms.makespan_us);
    bufs_free(&b);
    soc_env_destroy(env);
    soc_sim_destroy(sim);
    ts_cfg_destroy(cfg);
}

START_TEST(test_expert_parity)
{
    follow_expert_vs("etf", "etf");
    follow_expert_vs("eft", "eft");
    follow_expert_vs("sufferage", "sufferage");
}
END_TEST

START_TEST(test_expert_heft)
{
    soc_config_t *cfg = stream_cfg(30);
    const char *kv[] = {"expert=heft", "slots=6", NULL};
    soc_env_t *env = make_env(cfg, kv);
    bufs_t b = bufs_for(env);
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    int P = sp.n_pes, C = sp.n_clusters, w = 5 + C + P;
    soc_env_info_t info;
    ck_assert_int_eq(soc_env_reset(env, 2, b.obs, b.mask, &info, NULL), SOC_OK);
    int64_t a = info.expert;
    int checked = 0;
    while (soc_env_running(env)) {
        int slot = (int)(a / P), pe = (int)(a % P);
        ck_assert(b.obs[slot * w] == 1.0f);
        for (int k = 0; k < 6; k++)
            if (b.obs[k * w] == 1.0f)
                ck_assert(b.obs[slot * w + 3] >= b.obs[k * w + 3]); /* rank */
        for (int p = 0; p < P; p++)
            if (b.mask[slot * P + p])
                ck_assert(b.obs[slot * w + 5 + C + pe] <= b.obs[slot * w + 5 + C + p]);
        soc_env_step_t st;
        ck_assert_int_eq(soc_env_step(env, a, b.obs, b.mask, &st, NULL), SOC_OK);
        a = st.info.expert;
        checked++;
    }
    ck_assert(checked > 100);
    bufs_free(&b);
    soc_env_destroy(env);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Graph observation: nodes are the unfinished tasks of the jobs in the
 * system; ready nodes are the slots; edges join tasks of one job. */
START_TEST(test_graph_observation)
{
    soc_config_t *cfg = stream_cfg(30);
    const char *kv[] = {"graph=1", "slots=4", NULL};
    soc_env_t *env = make_env(cfg, kv);
    bufs_t b = bufs_for(env);
    soc_env_info_t info;
    ck_assert_int_eq(soc_env_reset(env, 6, b.obs, b.mask, &info, NULL), SOC_OK);
    uint64_t lcg = 3;
    int checked = 0, max_nodes = 0;
    while (soc_env_running(env)) {
        soc_obs_graph_t g;
        ck_assert_int_eq(soc_env_graph(env, &g), SOC_OK);
        ck_assert_int_eq(g.node_dim, SOC_OBS_NODE_FIXED + 3);
        int ready = 0, slots = 0, bad = 0;
        for (int i = 0; i < g.n_nodes; i++) {
            const float *f = g.nodes + (size_t)i * (size_t)g.node_dim;
            bad += f[0] + f[1] + f[2] + f[3] != 1.0f;
            for (int k = 0; k < g.node_dim; k++)
                bad += !(f[k] >= 0.0f && f[k] <= 1.0f);
            if (f[1] == 1.0f) {
                ready++;
                bad += f[8] != 0.0f; /* no unfinished predecessor */
            }
            if (f[4] > 0) {
                int k = (int)lrintf(f[4] * 4.0f) - 1;
                bad += !(k >= 0 && k < 4 && f[1] == 1.0f);
                if (k >= 0 && k < 4)
                    bad += b.obs[k * (5 + 3 + 3) + 0] != 1.0f; /* that slot is occupied */
                slots++;
            }
        }
        ck_assert_int_eq(bad, 0);
        ck_assert_int_eq(ready, info.n_ready);
        ck_assert_int_eq(slots, info.n_ready < 4 ? info.n_ready : 4);
        for (int m = 0; m < g.n_edges; m++) {
            int64_t s0 = g.edge_links[2 * m], d0 = g.edge_links[2 * m + 1];
            int ok = s0 >= 0 && s0 < g.n_nodes && d0 >= 0 && d0 < g.n_nodes;
            bad += !ok;
            if (ok) {
                bad += g.node_job[s0] != g.node_job[d0];
                bad += g.nodes[(size_t)d0 * (size_t)g.node_dim + 0] != 1.0f; /* waiting */
            }
        }
        ck_assert_int_eq(bad, 0);
        ck_assert_int_eq(g.n_pes, 3);
        if (g.n_nodes > max_nodes)
            max_nodes = g.n_nodes;
        soc_env_step_t st;
        ck_assert_int_eq(soc_env_step(env, pick(&lcg, b.mask, b.na), b.obs, b.mask, &st, NULL),
                         SOC_OK);
        info = st.info;
        checked++;
    }
    ck_assert(checked > 100 && max_nodes > 10);
    bufs_free(&b);
    soc_env_destroy(env);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Energy reward: the episode's rewards add up to the engine's energy. */
START_TEST(test_energy_reward)
{
    soc_config_t cfg;
    ck_assert_int_eq(soc_load_yaml_string(&cfg, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    cfg.injection.max_jobs = 30;
    cfg.injection.warmup_us = 0;
    {
        const char *kv[] = {"reward=energy", NULL};
        soc_env_options_t o;
        soc_env_options_default(&o);
        ck_assert_int_eq(soc_env_options_set(&o, kv[0], NULL), SOC_OK);
        soc_env_t *env = NULL;
        soc_error_t err = {0};
        ck_assert_int_eq(soc_env_create(&env, &cfg, &o, &err), SOC_EINVAL); /* power: false */
        ck_assert(strstr(err.msg, "power") != NULL);
    }
    cfg.power_model = 1;
    for (int edp = 0; edp < 2; edp++) {
        const char *kv[] = {edp ? "reward=edp" : "reward=energy", "energy_norm=0.5", NULL};
        soc_env_t *env = make_env(&cfg, kv);
        quick_t q = quick_play(env, 3, 3);
        double sum = q.reward_sum;
        soc_metrics_t m;
        soc_env_metrics(env, &m);
        ck_assert(m.has_energy && m.energy_j > 0);
        const soc_env_info_t *last = &q.last;
        ck_assert_double_eq_tol(last->energy_j, m.energy_j, 1e-12 * m.energy_j);
        if (!edp)
            ck_assert_double_eq_tol(sum * 0.5, -(m.energy_j - q.first.energy_j),
                                    1e-9 * m.energy_j);
        else
            ck_assert_double_eq_tol(sum * 0.5 * 1000.0, -m.energy_j * last->t_us,
                                    1e-9 * m.energy_j * last->t_us);
        soc_env_destroy(env);
    }
    soc_config_free(&cfg);
}
END_TEST

/* ------------------------------------------------------------ plan mode */

/* HEFT's planning order of every application, from the schedulers'
 * helpers (what the heft scheduler uses). */
static int **heft_orders(const soc_config_t *cfg)
{
    soc__costs_t c;
    ck_assert_int_eq(soc__costs_init(&c, &cfg->platform), SOC_OK);
    int **ord = calloc((size_t)cfg->n_apps, sizeof *ord);
    ck_assert_ptr_nonnull(ord);
    for (int a = 0; a < cfg->n_apps; a++) {
        const soc_app_t *ap = &cfg->apps[a];
        double *prio = malloc(sizeof *prio * (size_t)ap->n_tasks);
        ord[a] = malloc(sizeof **ord * (size_t)ap->n_tasks);
        ck_assert(prio != NULL && ord[a] != NULL);
        soc__rank_upward(&c, ap, SOC__COST_MEAN, prio);
        for (int i = 0; i < ap->n_tasks; i++)
            prio[i] = soc__prio_round(prio[i]);
        ck_assert_int_eq(soc__priority_order(ap, prio, ord[a]), SOC_OK);
        free(prio);
    }
    soc__costs_free(&c);
    return ord;
}

static void free_orders(int **ord, int n)
{
    for (int a = 0; a < n; a++)
        free(ord[a]);
    free(ord);
}

/* Follow the plan-mode HEFT expert on cfg (seed) and compare with the heft
 * scheduler: same metrics, bit for bit.  Along the way: the expert is the
 * PE the observation marks `best`, each job's tasks come consecutively in
 * HEFT's order, and time stands still while a job is planned. */
static void plan_follow_heft(soc_config_t *cfg, uint64_t seed)
{
    cfg->seed = seed;
    int rc;
    soc_sim_t *sim = run_spec(cfg, "heft", &rc);
    ck_assert_int_eq(rc, SOC_OK);
    soc_metrics_t ms;
    soc_sim_metrics(sim, &ms);
    const char *kv[] = {"action_mode=plan", "expert=heft", NULL};
    soc_env_t *env = make_env(cfg, kv);
    const soc_config_t *ec = soc_env_config(env);
    int **ord = heft_orders(ec);
    bufs_t b = bufs_for(env);
    enum { MAXJ = 4096, MAXT = 64 };
    int *cnt = calloc(MAXJ, sizeof *cnt);
    int *seq = malloc(sizeof *seq * MAXJ * MAXT);
    ck_assert(cnt != NULL && seq != NULL);
    soc_env_info_t info;
    ck_assert_int_eq(soc_env_reset(env, seed, b.obs, b.mask, &info, NULL), SOC_OK);
    int64_t a = info.expert, job = -1;
    int steps = 0, checked = 0;
    double prev_dt = 0;
    while (soc_env_running(env)) {
        ck_assert(a >= 0 && a < b.na && b.mask[a]);
        ck_assert(b.obs[a * 14 + 2] == 1.0f); /* pe<a>.best */
        soc_env_step_t st;
        ck_assert_int_eq(soc_env_step(env, a, b.obs, b.mask, &st, NULL), SOC_OK);
        ck_assert(!st.info.invalid_action);
        ck_assert_int_eq(st.info.pe, (int)a);
        int64_t j = st.info.job;
        ck_assert(j >= 0 && j < MAXJ && cnt[j] < MAXT);
        if (j != job) {
            ck_assert_int_eq(cnt[j], 0); /* jobs are planned one after another */
            job = j;
        } else {
            ck_assert(prev_dt == 0.0); /* time stood still within the job */
        }
        prev_dt = st.info.dt_us;
        seq[j * MAXT + cnt[j]++] = st.info.task;
        /* completed jobs: planned whole, in HEFT's order */
        int nc;
        const soc_env_completion_t *c = soc_env_completions(env, &nc);
        for (int i = 0; i < nc; i++) {
            const int *o = ord[c[i].app];
            int n = ec->apps[c[i].app].n_tasks;
            ck_assert(c[i].job < MAXJ);
            ck_assert_int_eq(cnt[c[i].job], n);
            for (int k = 0; k < n; k++)
                ck_assert_int_eq(seq[c[i].job * MAXT + k], o[k]);
            checked++;
        }
        steps++;
        a = st.info.expert;
    }
    ck_assert(checked > 50);
    free(cnt);
    free(seq);
    soc_metrics_t me;
    soc_env_metrics(env, &me);
    ck_assert(steps > 100);
    ck_assert_int_eq((int)me.completed_jobs, (int)ms.completed_jobs);
    ck_assert_double_eq(me.avg_latency_us, ms.avg_latency_us);
    ck_assert_double_eq(me.makespan_us, ms.makespan_us);
    ck_assert_double_eq(me.max_latency_us, ms.max_latency_us);
    free_orders(ord, ec->n_apps);
    bufs_free(&b);
    soc_env_destroy(env);
    soc_sim_destroy(sim);
}

START_TEST(test_plan_follows_heft)
{
    soc_config_t *cfg = stream_cfg(80);
    plan_follow_heft(cfg, 3);
    plan_follow_heft(cfg, 4);
    ts_cfg_destroy(cfg);
    soc_config_t d;
    ck_assert_int_eq(soc_load_yaml_string(&d, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    d.injection.max_jobs = 150;
    plan_follow_heft(&d, 5);
    d.injection.mean_us = 45; /* queues: insertion into gaps */
    plan_follow_heft(&d, 6);
    soc_config_free(&d);
}
END_TEST

START_TEST(test_plan_options)
{
    soc_config_t d;
    ck_assert_int_eq(soc_load_yaml_string(&d, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    const char *kv[] = {"action_mode=plan", "jobs=10", NULL};
    soc_env_t *env = make_env(&d, kv);
    soc_env_spaces_t sp;
    soc_env_spaces(env, &sp);
    ck_assert_int_eq(sp.n_actions, sp.n_pes);
    ck_assert_int_eq(sp.obs_dim, 14 * sp.n_pes + 8 + d.n_apps + 4);
    char name[128];
    ck_assert_int_eq(soc_env_feature_name(env, 0, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "pe0.A7_0.can");
    ck_assert_int_eq(soc_env_feature_name(env, 14 + 7, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "pe1.A7_1.job");
    ck_assert_int_eq(soc_env_feature_name(env, 14 * sp.n_pes, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "task.rank");
    ck_assert_int_eq(soc_env_feature_name(env, 14 * sp.n_pes + 8, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "app.wifi_tx");
    ck_assert_int_eq(soc_env_feature_name(env, sp.obs_dim - 1, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "g.load");
    soc_env_options_t o;
    soc_env_get_options(env, &o);
    ck_assert_str_eq(soc_action_mode_name(o.obs.mode), "plan");
    soc_env_destroy(env);
    /* experts the mode does not define are refused at creation */
    const char *bad[][2] = {{"action_mode=plan", "expert=etf"},
                            {"action_mode=plan", "expert=sufferage"},
                            {"action_mode=plan", "expert=eft"},
                            {"action_mode=pair", "expert=rollout"},
                            {"action_mode=task", "expert=rollout"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        soc_env_options_t x;
        soc_env_options_default(&x);
        soc_error_t err = {0};
        ck_assert_int_eq(soc_env_options_set(&x, bad[i][0], &err), SOC_OK);
        ck_assert_int_eq(soc_env_options_set(&x, bad[i][1], &err), SOC_OK);
        soc_env_t *e = NULL;
        ck_assert_int_eq(soc_env_create(&e, &d, &x, &err), SOC_EINVAL);
        ck_assert_ptr_null(e);
        ck_assert(strstr(err.msg, "not defined") != NULL);
    }
    soc_config_free(&d);
}
END_TEST

/* The rollout expert is the PE of least `job` (planned job completion),
 * ties to the least `eft`; invalid actions fall back to HEFT's PE; every
 * observation element stays in [0, 1]. */
START_TEST(test_plan_rollout_and_fallback)
{
    soc_config_t d;
    ck_assert_int_eq(soc_load_yaml_string(&d, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    d.injection.max_jobs = 40;
    d.injection.mean_us = 50;
    const char *kv[] = {"action_mode=plan", "expert=rollout", "invalid_penalty=1", NULL};
    soc_env_t *env = make_env(&d, kv);
    bufs_t b = bufs_for(env);
    soc_env_info_t info;
    ck_assert_int_eq(soc_env_reset(env, 8, b.obs, b.mask, &info, NULL), SOC_OK);
    int64_t a = info.expert;
    uint64_t lcg = 77;
    int differs = 0, invalid = 0, steps = 0;
    while (soc_env_running(env)) {
        for (int i = 0; i < b.dim; i++)
            ck_assert(b.obs[i] >= 0.0f && b.obs[i] <= 1.0f);
        int best = -1;
        for (int p = 0; p < b.na; p++) {
            ck_assert_int_eq(b.mask[p], b.obs[p * 14] == 1.0f);
            if (b.obs[p * 14 + 2] == 1.0f)
                best = p;
            if (b.mask[p]) {
                ck_assert(b.obs[a * 14 + 7] <= b.obs[p * 14 + 7]);
                if (b.obs[a * 14 + 7] == b.obs[p * 14 + 7])
                    ck_assert(b.obs[a * 14 + 1] <= b.obs[p * 14 + 1]);
            }
        }
        ck_assert(best >= 0);
        differs += best != a;
        ck_assert(b.obs[a * 14 + 8] == 0.0f); /* job_regret */
        int64_t act = a;
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        if ((lcg >> 33) % 7 == 0)
            act = (lcg >> 40) % 2 ? -1 : b.na + 3; /* invalid: HEFT's PE */
        soc_env_step_t st;
        ck_assert_int_eq(soc_env_step(env, act, b.obs, b.mask, &st, NULL), SOC_OK);
        if (act != a) {
            ck_assert(st.info.invalid_action);
            ck_assert_int_eq(st.info.pe, best);
            ck_assert(st.reward <= -1.0);
            invalid++;
        } else {
            ck_assert_int_eq(st.info.pe, (int)a);
        }
        a = st.info.expert;
        steps++;
    }
    ck_assert(steps > 200 && invalid > 10);
    ck_assert(differs > 0); /* the rollout is not HEFT */
    soc_metrics_t m;
    soc_env_metrics(env, &m);
    ck_assert_int_eq((int)m.completed_jobs, 40);
    bufs_free(&b);
    soc_env_destroy(env);
    soc_config_free(&d);
}
END_TEST

/* A one-layer network whose logit for PE p is its `best` feature runs as
 * the heft scheduler in `neural` (native planning at arrival). */
START_TEST(test_plan_neural_is_heft)
{
    if (soc_sched_find("neural") == NULL)
        return;
    soc_config_t d;
    ck_assert_int_eq(soc_load_yaml_string(&d, soc_default_config_yaml(), "default", NULL, NULL),
                     SOC_OK);
    d.injection.max_jobs = 150;
    d.seed = 21;
    const char *kv[] = {"action_mode=plan", NULL};
    soc_env_t *env = make_env(&d, kv);
    bufs_t b = bufs_for(env);
    mlp_t m = {0};
    m.n = 1;
    m.in[0] = b.dim;
    m.out[0] = b.na;
    m.act[0] = 0;
    m.w[0] = calloc((size_t)b.dim * (size_t)b.na, sizeof(double));
    m.b[0] = calloc((size_t)b.na, sizeof(double));
    ck_assert(m.w[0] != NULL && m.b[0] != NULL);
    for (int p = 0; p < b.na; p++)
        m.w[0][p * b.dim + p * 14 + 2] = 1.0;
    char path[] = "/tmp/socsim-mlp-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    mlp_write(&m, path, env);
    char spec[64];
    snprintf(spec, sizeof spec, "neural:%s", path);
    int rc;
    soc_sim_t *s1 = run_spec(&d, spec, &rc);
    ck_assert_int_eq(rc, SOC_OK);
    soc_sim_t *s2 = run_spec(&d, "heft", &rc);
    ck_assert_int_eq(rc, SOC_OK);
    soc_metrics_t m1, m2;
    soc_sim_metrics(s1, &m1);
    soc_sim_metrics(s2, &m2);
    ck_assert_int_eq((int)m1.completed_jobs, 150);
    ck_assert_double_eq(m1.avg_latency_us, m2.avg_latency_us);
    ck_assert_double_eq(m1.makespan_us, m2.makespan_us);
    ck_assert_double_eq(m1.p95_latency_us, m2.p95_latency_us);
    soc_sim_destroy(s1);
    soc_sim_destroy(s2);
    unlink(path);
    mlp_free(&m);
    bufs_free(&b);
    soc_env_destroy(env);
    soc_config_free(&d);
}
END_TEST

static Suite *gym_suite(void)
{
    Suite *s = suite_create("gym");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_create_errors);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_terminated_and_latency_reward);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_invalid_actions);
    tcase_add_test(tc, test_parity_with_eft_scheduler);
    tcase_add_test(tc, test_other_rewards);
    tcase_add_test(tc, test_default_config);
    tcase_add_test(tc, test_neural_parity);
    tcase_add_test(tc, test_neural_errors);
    tcase_add_test(tc, test_time_limit_always_truncated);
    tcase_add_test(tc, test_episode_seeds_distinct);
    tcase_add_test(tc, test_measured_jobs_only);
    tcase_add_test(tc, test_measured_reward_formula);
    tcase_add_test(tc, test_expert_parity);
    tcase_add_test(tc, test_expert_heft);
    tcase_add_test(tc, test_graph_observation);
    tcase_add_test(tc, test_energy_reward);
    tcase_add_test(tc, test_plan_options);
    tcase_add_test(tc, test_plan_follows_heft);
    tcase_add_test(tc, test_plan_rollout_and_fallback);
    tcase_add_test(tc, test_plan_neural_is_heft);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    soc_library_init();
    return ts_run_suite(gym_suite());
}
