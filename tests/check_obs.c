/*
 * check_obs.c -- the observation / action encoding (sim/obs.c, soc/obs.h):
 * sizes, bounds and finiteness over whole runs, feature values derived by
 * hand on a tiny platform, the action mask against the execution tables,
 * decoding, the fallback against the engine's own earliest-finish search,
 * the three action modes, and re-encoding inside a scheduler callback.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "soc/obs.h"
#include "soc/workload.h"
#include "test_support.h"

static soc_config_t *load_default(void)
{
    soc_config_t *cfg = calloc(1, sizeof *cfg);
    ck_assert_ptr_nonnull(cfg);
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_load_yaml_string(cfg, soc_default_config_yaml(), "default", NULL, &err);
    ck_assert_msg(rc == SOC_OK, "default config: %s", soc_error_format(&err, buf, sizeof buf));
    /* a short run is enough */
    cfg->injection.warmup_us = 0;
    cfg->injection.max_jobs = 40;
    cfg->injection.sim_time_us = 0;
    return cfg;
}

/* Two PEs of one cluster (type 0 runs on both at 10 us; type 1 only on
 * cluster B at 5 us), an app t0 -> t1, no communication volume. */
static soc_config_t *tiny(void)
{
    soc_config_t *cfg = ts_cfg_new(2);
    const double a[2] = {10, -1}, b[2] = {10, 5};
    ts_cfg_cluster(cfg, "A", 2, a);
    ts_cfg_cluster(cfg, "B", 1, b);
    const int types[2] = {0, 1};
    const double e[1][3] = {{0, 1, 0}};
    ts_cfg_app(cfg, "chain", 1.0, 2, types, 1, e);
    double t[2] = {0, 0};
    ts_cfg_trace(cfg, 2, t);
    ts_cfg_finalize(cfg);
    return cfg;
}

static soc_sim_t *make_sim(const soc_config_t *cfg)
{
    soc_sim_options_t o = {sizeof o, NULL, NULL, NULL, NULL, NULL, NULL};
    soc_sim_t *sim = NULL;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_sim_create(&sim, cfg, &o, &err);
    ck_assert_msg(rc == SOC_OK, "sim: %s", soc_error_format(&err, buf, sizeof buf));
    return sim;
}

static soc_obs_t *make_obs(const soc_config_t *cfg, int slots, soc_action_mode_t mode)
{
    soc_obs_params_t p;
    soc_obs_params_default(&p);
    p.slots = slots;
    p.mode = mode;
    soc_obs_t *o = NULL;
    soc_error_t err = {0};
    char buf[800];
    int rc = soc_obs_create(&o, &cfg->platform, cfg->n_apps, cfg->apps, &p, &err);
    ck_assert_msg(rc == SOC_OK, "obs: %s", soc_error_format(&err, buf, sizeof buf));
    return o;
}

/* Earliest appended finish of ready entry r: the engine's find_slot. */
static soc_time_t engine_eft(const soc_view_t *v, const soc_ready_t *r, int pe)
{
    soc_time_t d = v->api->exec_time(v, r->type, pe);
    if (d < 0)
        return -1;
    soc_time_t dr = v->api->data_ready(v, r->ref, pe, NULL);
    return v->api->find_slot(v, pe, dr, d, 0) + d;
}

static int engine_best_pe(const soc_view_t *v, const soc_ready_t *r)
{
    int best = -1;
    soc_time_t bt = 0;
    for (int pe = 0; pe < v->n_pes; pe++) {
        soc_time_t f = engine_eft(v, r, pe);
        if (f >= 0 && (best < 0 || f < bt)) {
            best = pe;
            bt = f;
        }
    }
    return best;
}

START_TEST(test_sizes_and_names)
{
    soc_config_t *cfg = load_default();
    const soc_platform_t *p = &cfg->platform;
    soc_obs_t *o = make_obs(cfg, 8, SOC_ACTION_PAIR);
    int K = 8, C = p->n_clusters, P = p->n_pes;
    ck_assert_int_eq(soc_obs_dim(o), K * (5 + C + P) + 5 * P + 4);
    ck_assert_int_eq(soc_obs_n_actions(o), K * P);
    soc_obs_params_t rp;
    soc_obs_get_params(o, &rp);
    ck_assert(rp.time_scale_us > 0 && isfinite(rp.time_scale_us));
    int dim = soc_obs_dim(o);
    float *lo = malloc(sizeof *lo * (size_t)dim), *hi = malloc(sizeof *hi * (size_t)dim);
    soc_obs_bounds(o, lo, hi);
    char name[128], prev[128] = "";
    for (int i = 0; i < dim; i++) {
        ck_assert(lo[i] == 0.0f && hi[i] == 1.0f);
        ck_assert_int_eq(soc_obs_feature_name(o, i, name, sizeof name), SOC_OK);
        ck_assert(name[0] != '\0');
        ck_assert_str_ne(name, prev);
        strcpy(prev, name);
    }
    ck_assert_int_eq(soc_obs_feature_name(o, dim, name, sizeof name), SOC_EINVAL);
    ck_assert_int_eq(soc_obs_feature_name(o, 0, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "slot0.valid");
    ck_assert_int_eq(soc_obs_feature_name(o, dim - 1, name, sizeof name), SOC_OK);
    ck_assert_str_eq(name, "g.idle");
    free(lo);
    free(hi);
    soc_obs_destroy(o);

    o = make_obs(cfg, 5, SOC_ACTION_PE);
    ck_assert_int_eq(soc_obs_n_actions(o), P);
    soc_obs_destroy(o);
    o = make_obs(cfg, 5, SOC_ACTION_TASK);
    ck_assert_int_eq(soc_obs_n_actions(o), 5);
    soc_obs_destroy(o);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_bad_params)
{
    soc_config_t *cfg = tiny();
    soc_obs_params_t p;
    soc_obs_params_default(&p);
    soc_obs_t *o = NULL;
    soc_error_t err = {0};
    p.slots = 0;
    ck_assert_int_eq(soc_obs_create(&o, &cfg->platform, cfg->n_apps, cfg->apps, &p, &err), SOC_EINVAL);
    ck_assert_ptr_null(o);
    ck_assert(strstr(err.msg, "slots") != NULL);
    soc_obs_params_default(&p);
    p.time_scale_us = NAN;
    soc_error_clear(&err);
    ck_assert_int_eq(soc_obs_create(&o, &cfg->platform, cfg->n_apps, cfg->apps, &p, &err), SOC_EINVAL);
    soc_obs_params_default(&p);
    p.mode = (soc_action_mode_t)7;
    ck_assert_int_eq(soc_obs_create(&o, &cfg->platform, cfg->n_apps, cfg->apps, &p, NULL), SOC_EINVAL);
    ck_assert_int_eq(soc_obs_create(NULL, &cfg->platform, cfg->n_apps, cfg->apps, NULL, NULL), SOC_EINVAL);
    ck_assert_int_eq(soc_action_mode_parse("pe"), SOC_ACTION_PE);
    ck_assert_int_eq(soc_action_mode_parse("PE!"), -1);
    ck_assert_str_eq(soc_action_mode_name(SOC_ACTION_TASK), "task");
    ts_cfg_destroy(cfg);
}
END_TEST

/* Every feature of the first decision point of `tiny`, derived by hand:
 * S = mean over tasks of mean exec = (10 + 5) / 2 = 7.5 us. */
START_TEST(test_values_by_hand)
{
    soc_config_t *cfg = tiny();
    soc_sim_t *sim = make_sim(cfg);
    soc_obs_t *o = make_obs(cfg, 3, SOC_ACTION_PAIR);
    soc_obs_params_t rp;
    soc_obs_get_params(o, &rp);
    ck_assert_double_eq_tol(rp.time_scale_us, 7.5, 1e-12);
    soc_view_t *v;
    ck_assert_int_eq(soc_sim_next_decision(sim, &v, NULL), 1);
    ck_assert_int_eq(v->n_ready, 2); /* t0 of both jobs */
    int dim = soc_obs_dim(o), na = soc_obs_n_actions(o);
    ck_assert_int_eq(dim, 3 * (5 + 2 + 3) + 5 * 3 + 4);
    float *x = malloc(sizeof *x * (size_t)dim);
    uint8_t *m = malloc((size_t)na);
    int valid = soc_obs_encode(o, v, x, m);
    ck_assert_int_eq(valid, 2 * 3); /* type 0 runs everywhere */
    const double S = 7.5;
    /* slot 0: valid, age 0, wait 0, rank = 10 + 5 = 15 us, 1 successor */
    ck_assert_float_eq(x[0], 1.0f);
    ck_assert_float_eq(x[1], 0.0f);
    ck_assert_float_eq(x[2], 0.0f);
    ck_assert_float_eq(x[3], (float)(15.0 / (15.0 + S)));
    ck_assert_float_eq(x[4], (float)(1.0 / 3.0));
    ck_assert_float_eq(x[5], (float)(10.0 / (10.0 + S))); /* exec on A */
    ck_assert_float_eq(x[6], (float)(10.0 / (10.0 + S))); /* exec on B */
    for (int pe = 0; pe < 3; pe++)
        ck_assert_float_eq(x[7 + pe], (float)(10.0 / (10.0 + S)));
    /* slot 1 the same task of job 1, slot 2 empty */
    ck_assert_mem_eq(x + 10, x, 10 * sizeof *x);
    for (int i = 20; i < 30; i++)
        ck_assert_float_eq(x[i], 0.0f);
    /* PEs idle; globals: 2 jobs, 2 ready of 3 slots, no overflow, all idle */
    for (int i = 30; i < 45; i++)
        ck_assert_float_eq(x[i], 0.0f);
    ck_assert_float_eq(x[45], (float)(2.0 / 6.0));
    ck_assert_float_eq(x[46], (float)(2.0 / 5.0));
    ck_assert_float_eq(x[47], 0.0f);
    ck_assert_float_eq(x[48], 1.0f);

    /* put job 0's t0 on PE 0: job 1's t0 now finishes later there */
    soc_task_ref_t ref;
    int pe;
    ck_assert_int_eq(soc_obs_decode(o, v, 0, &ref, &pe), 1);
    ck_assert_int_eq((int)ref.job, 0);
    ck_assert_int_eq(ref.task, 0);
    ck_assert_int_eq(pe, 0);
    ck_assert_int_eq(soc_sim_assign(sim, ref, pe, SOC_APPEND), SOC_OK);
    ck_assert_int_eq(soc_sim_next_decision(sim, &v, NULL), 1);
    ck_assert_int_eq(v->n_ready, 1);
    ck_assert_int_eq(soc_obs_encode(o, v, x, m), 3);
    ck_assert_float_eq(x[7], (float)(20.0 / (20.0 + S)));
    ck_assert_float_eq(x[8], (float)(10.0 / (10.0 + S)));
    /* PE 0: busy, 10 us left, backlog 10 us, 1 task, util 0 at t = 0 */
    ck_assert_float_eq(x[30], 1.0f);
    ck_assert_float_eq(x[31], (float)(10.0 / (10.0 + S)));
    ck_assert_float_eq(x[32], (float)(10.0 / (10.0 + S)));
    ck_assert_float_eq(x[33], (float)(1.0 / 3.0));
    ck_assert_float_eq(x[34], 0.0f);
    ck_assert_float_eq(x[48], (float)(2.0 / 3.0));
    free(x);
    free(m);
    soc_obs_destroy(o);
    soc_sim_destroy(sim);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Whole runs of the default platform, driven by a fixed sequence of
 * pseudo-random valid and invalid actions. */
START_TEST(test_run_bounds_mask_decode)
{
    soc_config_t *cfg = load_default();
    ts_cfg_finalize(cfg);
    const soc_platform_t *p = &cfg->platform;
    for (int mode = 0; mode < 3; mode++) {
        soc_sim_t *sim = make_sim(cfg);
        const int K = 4;
        soc_obs_t *o = make_obs(cfg, K, (soc_action_mode_t)mode);
        int dim = soc_obs_dim(o), na = soc_obs_n_actions(o);
        float *x = malloc(sizeof *x * (size_t)dim);
        uint8_t *m = malloc((size_t)na);
        uint64_t lcg = 12345;
        soc_view_t *v;
        int steps = 0, invalid_seen = 0, overflow_seen = 0;
        while (soc_sim_next_decision(sim, &v, NULL) == 1 && steps < 20000) {
            steps++;
            int valid = soc_obs_encode(o, v, x, m);
            for (int i = 0; i < dim; i++)
                ck_assert_msg(isfinite(x[i]) && x[i] >= 0.0f && x[i] <= 1.0f,
                              "element %d = %g", i, (double)x[i]);
            int live = v->n_ready < K ? v->n_ready : K;
            overflow_seen |= v->n_ready > K;
            ck_assert_float_eq(x[dim - 2], v->n_ready > K ? 1.0f : 0.0f);
            /* the mask from the execution tables */
            int count = 0;
            for (int a = 0; a < na; a++) {
                int slot, pe;
                if (mode == SOC_ACTION_PAIR) {
                    slot = a / p->n_pes;
                    pe = a % p->n_pes;
                } else if (mode == SOC_ACTION_PE) {
                    slot = 0;
                    pe = a;
                } else {
                    slot = a;
                    pe = -1;
                }
                int want = slot < live &&
                           (pe < 0 || soc_platform_exec_us(p, v->ready[slot].type, pe) >= 0);
                ck_assert_int_eq(m[a], want);
                count += want;
            }
            ck_assert_int_eq(valid, count);
            ck_assert_int_eq(x[0] == 1.0f, live > 0);
            /* the fallback is the engine's earliest finish for slot 0 */
            soc_task_ref_t fr, ref;
            int fpe, pe;
            ck_assert_int_eq(soc_obs_fallback(o, v, &fr, &fpe), SOC_OK);
            ck_assert(fr.job == v->ready[0].ref.job && fr.task == v->ready[0].ref.task);
            ck_assert_int_eq(fpe, engine_best_pe(v, &v->ready[0]));
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            int64_t a = (int64_t)((lcg >> 33) % (uint64_t)(na + 2)) - 1; /* -1..na */
            int rc = soc_obs_decode(o, v, a, &ref, &pe);
            if (a >= 0 && a < na && m[a]) {
                ck_assert_int_eq(rc, 1);
                int slot = mode == SOC_ACTION_PAIR ? (int)a / p->n_pes
                           : mode == SOC_ACTION_PE ? 0 : (int)a;
                ck_assert(ref.job == v->ready[slot].ref.job && ref.task == v->ready[slot].ref.task);
                if (mode == SOC_ACTION_PAIR)
                    ck_assert_int_eq(pe, (int)a % p->n_pes);
                else if (mode == SOC_ACTION_PE)
                    ck_assert_int_eq(pe, (int)a);
                else
                    ck_assert_int_eq(pe, engine_best_pe(v, &v->ready[slot]));
            } else {
                ck_assert_int_eq(rc, 0);
                ck_assert(ref.job == fr.job && ref.task == fr.task && pe == fpe);
                invalid_seen++;
            }
            ck_assert_int_eq(soc_sim_assign(sim, ref, pe, SOC_APPEND), SOC_OK);
        }
        ck_assert(soc_sim_done(sim));
        ck_assert(steps > 100);
        ck_assert(invalid_seen > 0);
        if (mode == SOC_ACTION_PAIR)
            ck_assert(overflow_seen);
        /* nothing ready at the end */
        v = soc_sim_view(sim);
        soc_task_ref_t ref;
        int pe;
        if (v->n_ready == 0) {
            ck_assert_int_eq(soc_obs_encode(o, v, x, m), 0);
            ck_assert_int_eq(soc_obs_decode(o, v, 0, &ref, &pe), SOC_ESTATE);
        }
        soc_obs_mask_none(o, m);
        for (int a = 0; a < na; a++)
            ck_assert_int_eq(m[a], 0);
        free(x);
        free(m);
        soc_obs_destroy(o);
        soc_sim_destroy(sim);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

/* Inside a scheduler callback the view's ready list keeps assigned tasks;
 * the encoder must skip them so that slots match a fresh decision point. */
typedef struct cb_state {
    soc_obs_t *o;
    int dim, na;
    int checked;
} cb_state_t;

static int cb_schedule(void *st, soc_view_t *v)
{
    cb_state_t *cs = st;
    float *x = malloc(sizeof *x * (size_t)cs->dim);
    uint8_t *m = malloc((size_t)cs->na);
    int left = v->n_ready;
    while (left > 0) {
        int valid = soc_obs_encode(cs->o, v, x, m);
        ck_assert(valid > 0);
        /* the ready feature counts only unassigned tasks */
        int K = 2;
        ck_assert_float_eq(x[cs->dim - 3], (float)(left / (double)(left + K)));
        soc_task_ref_t ref;
        int pe;
        ck_assert_int_eq(soc_obs_decode(cs->o, v, -1, &ref, &pe), 0);
        /* the fallback is the first still-unassigned entry */
        for (int i = 0; i < v->n_ready; i++) {
            soc_task_info_t ti;
            ck_assert_int_eq(v->api->task_info(v, v->ready[i].ref, &ti), SOC_OK);
            if (ti.status == SOC_TASK_READY) {
                ck_assert(ref.job == v->ready[i].ref.job && ref.task == v->ready[i].ref.task);
                break;
            }
        }
        ck_assert_int_eq(v->api->assign(v, ref, pe, SOC_APPEND), SOC_OK);
        left--;
        cs->checked++;
    }
    ck_assert_int_eq(soc_obs_encode(cs->o, v, x, m), 0);
    free(x);
    free(m);
    return SOC_OK;
}

START_TEST(test_callback_skips_assigned)
{
    soc_config_t *cfg = load_default();
    ts_cfg_finalize(cfg);
    cb_state_t cs = {0};
    cs.o = make_obs(cfg, 2, SOC_ACTION_PAIR);
    cs.dim = soc_obs_dim(cs.o);
    cs.na = soc_obs_n_actions(cs.o);
    soc_sim_t *sim = make_sim(cfg);
    /* assign a whole instant without re-entering next_decision, exactly as
     * a scheduler callback does */
    soc_view_t *v;
    while (soc_sim_next_decision(sim, &v, NULL) == 1) {
        cb_schedule(&cs, v);
        soc_sim_pass(sim);
    }
    ck_assert(cs.checked > 100);
    soc_sim_destroy(sim);
    soc_obs_destroy(cs.o);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Plan mode driven by hand with pseudo-random PEs (not HEFT's): the mask
 * is the offered task's capable PEs, every element stays in [0, 1], the
 * decision stays at the instant until every job of it is planned, and the
 * key of a decision is the engine's own insertion search from the engine's
 * data-ready time (for tasks of non-zero length, where the engine's
 * search and HEFT's agree by construction). */
START_TEST(test_plan_key_is_engine_insertion)
{
    soc_config_t *cfg = load_default();
    cfg->injection.max_jobs = 60;
    cfg->injection.mean_us = 40; /* queues, so gaps get filled */
    ts_cfg_finalize(cfg);
    soc_sim_t *sim = make_sim(cfg);
    soc_obs_t *o = make_obs(cfg, 8, SOC_ACTION_PLAN);
    int dim = soc_obs_dim(o), na = soc_obs_n_actions(o), P = cfg->platform.n_pes;
    ck_assert_int_eq(na, P);
    ck_assert_int_eq(dim, 14 * P + 8 + cfg->n_apps + 4);
    float *x = malloc(sizeof *x * (size_t)dim);
    uint8_t *m = malloc((size_t)na);
    uint64_t lcg = 99;
    soc_view_t *v;
    int decisions = 0, inserted = 0, keyed = 0;
    while (soc_sim_next_decision(sim, &v, NULL) == 1) {
        ck_assert(soc_obs_has_decision(o, v));
        while (soc_obs_has_decision(o, v)) {
            int valid = soc_obs_encode(o, v, x, m);
            ck_assert(valid > 0);
            for (int i = 0; i < dim; i++)
                ck_assert(x[i] >= 0.0f && x[i] <= 1.0f);
            soc_task_ref_t ref;
            int pe;
            soc_time_t key;
            ck_assert_int_eq(soc_obs_decode_key(o, v, -1, &ref, &pe, &key), 0); /* fallback */
            int app = v->api->job_app(v, ref.job);
            int type = v->apps[app].tasks[ref.task].type;
            int n = 0;
            for (int p = 0; p < P; p++) {
                ck_assert_int_eq(m[p], v->api->exec_time(v, type, p) >= 0);
                n += m[p];
            }
            ck_assert_int_eq(valid, n);
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            int k = (int)((lcg >> 33) % (uint64_t)n), a = -1;
            for (int p = 0; p < P && a < 0; p++)
                if (m[p] && k-- == 0)
                    a = p;
            ck_assert_int_eq(soc_obs_decode_key(o, v, a, &ref, &pe, &key), 1);
            ck_assert_int_eq(pe, a);
            soc_time_t d = v->api->exec_time(v, type, pe);
            if (d > 0) {
                soc_time_t dr = v->api->data_ready(v, ref, pe, NULL);
                ck_assert_int_eq(key, v->api->find_slot(v, pe, dr, d, 1));
                inserted += key < v->api->find_slot(v, pe, dr, d, 0);
                keyed++;
            }
            ck_assert_int_eq(v->api->assign(v, ref, pe, key), SOC_OK);
            decisions++;
        }
    }
    ck_assert(soc_sim_done(sim));
    ck_assert(decisions > 500 && keyed > 300);
    ck_assert(inserted > 0); /* some tasks went into idle gaps */
    free(x);
    free(m);
    soc_obs_destroy(o);
    soc_sim_destroy(sim);
    ts_cfg_destroy(cfg);
}
END_TEST

static Suite *obs_suite(void)
{
    Suite *s = suite_create("obs");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sizes_and_names);
    tcase_add_test(tc, test_bad_params);
    tcase_add_test(tc, test_values_by_hand);
    tcase_add_test(tc, test_run_bounds_mask_decode);
    tcase_add_test(tc, test_callback_skips_assigned);
    tcase_add_test(tc, test_plan_key_is_engine_insertion);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    soc_library_init();
    return ts_run_suite(obs_suite());
}
