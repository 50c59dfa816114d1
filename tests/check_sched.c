/*
 * check_sched.c -- the scheduler registry, spec resolution, the helpers of
 * schedulers/common.c, tie-breaking rules, the Topcuoglu test vectors, the
 * exact branch and bound against brute force, and plug-in loading.
 *
 * Test vectors on the Topcuoglu DAG (spec/schedulers.md section 2; times
 * in the paper's units = µs here).  Each states the semantics it checks:
 *  - heft 80, cpop 86: published makespans and schedules (Topcuoglu 2002).
 *  - peft 85 (ready list by rank_oct, insertion, O_EFT = EFT + OCT) and
 *    lookahead 76 (depth 1, a child's unplaced parents ignored): the
 *    reference implementation's schedules, same semantics.
 *  - "static" mode of the list heuristics (whole job planned at arrival,
 *    ready = predecessors planned, ties to the lower task index, appended):
 *    met 82, mct 88, minmin 76, maxmin 97, sufferage 76, etf 76 (min-EFT
 *    pairs one at a time): the reference's values for that semantics.
 *  - dynamic eft and etf (the native default: ready = predecessors done,
 *    decisions at event times): exactly the schedules DS3 itself printed
 *    for EFT and ETF on this DAG (80 each, spec section 2.7).
 *  - dynamic met 89: derived by hand in test_topcuoglu_met_dynamic.
 *  - etf_hwang 93 (Hwang's min-EST ETF, sl ties, event-driven, no
 *    insertion): the reference value, schedule from an independent model.
 *  - bnb 73: the optimum proved by two independent searches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedule_check.h"
#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "test_support.h"

#include "../schedulers/sched_internal.h"

/* ------------------------------------------------------------- helpers */

typedef struct run {
    int rc;
    ts_records_t rec;
    soc_metrics_t m;
    char err[1024];
} run_t;

/* Run cfg with a scheduler spec ("name[:arg]" or "plugin:..."). */
static void run_spec(const soc_config_t *cfg, const char *spec, run_t *out)
{
    memset(out, 0, sizeof *out);
    soc_error_t err = {0};
    soc_sched_handle_t *h = NULL;
    soc_sim_t *sim = NULL;
    out->rc = soc_sched_resolve(spec, &h, &err);
    if (out->rc == SOC_OK) {
        soc_sim_options_t o = {sizeof o, soc_sched_handle_ops(h), soc_sched_handle_arg(h),
                               ts_records_add, &out->rec, NULL, NULL};
        out->rc = soc_sim_create(&sim, cfg, &o, &err);
        if (out->rc == SOC_OK)
            out->rc = soc_sim_run(sim, &err);
        if (sim != NULL)
            soc_sim_metrics(sim, &out->m);
    }
    if (out->rc != SOC_OK)
        soc_error_format(&err, out->err, sizeof out->err);
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
}

static void run_free(run_t *r)
{
    ts_records_free(&r->rec);
}

static const soc_task_record_t *find_rec(const run_t *r, uint64_t job, int task)
{
    for (int i = 0; i < r->rec.n; i++)
        if (r->rec.r[i].job == job && r->rec.r[i].task == task)
            return &r->rec.r[i];
    return NULL;
}

static void assert_valid(const soc_config_t *cfg, const run_t *r, const char *what)
{
    char msg[1024];
    ck_assert_msg(r->rc == SOC_OK, "%s: run failed: %s", what, r->err);
    int bad = sc_check_schedule(cfg, r->rec.r, r->rec.n, SC_ALL, msg, sizeof msg);
    ck_assert_msg(bad == 0, "%s: %d schedule violations, first: %s", what, bad, msg);
}

/* Expected placement of task n(i+1): PE index (P1 = 0), start, finish. */
typedef struct want {
    int pe;
    double s, f;
} want_t;

static void assert_schedule(const soc_config_t *cfg, const char *spec, const want_t *w,
                            double makespan)
{
    run_t r;
    run_spec(cfg, spec, &r);
    assert_valid(cfg, &r, spec);
    ck_assert_msg(r.rec.n == 10, "%s: %d tasks ran", spec, r.rec.n);
    for (int t = 0; t < 10; t++) {
        const soc_task_record_t *x = find_rec(&r, 0, t);
        ck_assert_msg(x != NULL, "%s: n%d missing", spec, t + 1);
        ck_assert_msg(x->pe == w[t].pe && fabs(x->start_us - w[t].s) < 1e-9 &&
                          fabs(x->finish_us - w[t].f) < 1e-9,
                      "%s: n%d on P%d [%g, %g], expected P%d [%g, %g]", spec, t + 1, x->pe + 1,
                      x->start_us, x->finish_us, w[t].pe + 1, w[t].s, w[t].f);
    }
    ck_assert_msg(fabs(r.m.makespan_us - makespan) < 1e-9, "%s: makespan %g, expected %g", spec,
                  r.m.makespan_us, makespan);
    run_free(&r);
}

static double makespan_of(const soc_config_t *cfg, const char *spec)
{
    run_t r;
    run_spec(cfg, spec, &r);
    assert_valid(cfg, &r, spec);
    double m = r.m.makespan_us;
    run_free(&r);
    return m;
}

/* ------------------------------------------------------------- registry */

static const char *const required[] = {
    "met", "eft", "etf", "mct", "minmin", "maxmin", "sufferage", "olb", "rr", "random",
    "heft", "heft_best", "heft_worst", "cpop", "peft", "lookahead", "bnb", NULL};

START_TEST(test_registry_contents)
{
    const soc_sched_ops_t *const *l = soc_sched_list();
    ck_assert_ptr_nonnull(l);
    int n = 0;
    for (; l[n] != NULL; n++) {
        const soc_sched_ops_t *o = l[n];
        ck_assert_uint_eq(o->abi_version, SOC_SCHED_ABI_VERSION);
        ck_assert_uint_eq(o->struct_size, sizeof(soc_sched_ops_t));
        ck_assert_msg(o->name != NULL && o->name[0] != '\0', "entry %d has no name", n);
        ck_assert_msg(o->description != NULL && o->description[0] != '\0',
                      "%s has no description", o->name);
        ck_assert_msg(o->schedule != NULL, "%s has no schedule callback", o->name);
        for (const char *c = o->name; *c; c++)
            ck_assert_msg(!(*c >= 'A' && *c <= 'Z'), "%s: registry keys are lower case", o->name);
        for (int k = 0; k < n; k++)
            ck_assert_msg(strcmp(l[k]->name, o->name) != 0, "%s registered twice", o->name);
        const soc_sched_ext_t *x = soc_sched_ext_find(o, SOC_SCHED_EXT_DS3);
        if (x != NULL)
            ck_assert_msg(x->ops != NULL && x->struct_size >= sizeof(soc_ds3_sched_ops_t) &&
                              ((const soc_ds3_sched_ops_t *)x->ops)->schedule != NULL,
                          "%s: DS3 extension without a schedule callback", o->name);
        if (o->flags & SOC_SCHED_STATIC)
            ck_assert_msg(o->on_job_arrival != NULL, "%s: static without on_job_arrival",
                          o->name);
    }
    for (int i = 0; required[i] != NULL; i++)
        ck_assert_msg(soc_sched_find(required[i]) != NULL, "'%s' is not registered", required[i]);
    ck_assert_int_ge(n, 17);
}
END_TEST

START_TEST(test_registry_find)
{
    ck_assert_ptr_eq(soc_sched_find("heft"), &soc_sched_heft);
    ck_assert_ptr_eq(soc_sched_find("HEFT"), &soc_sched_heft);
    ck_assert_ptr_eq(soc_sched_find("Heft_Best"), &soc_sched_heft_best);
    ck_assert_ptr_eq(soc_sched_find("MinMin"), &soc_sched_minmin);
    ck_assert_ptr_null(soc_sched_find("hef"));
    ck_assert_ptr_null(soc_sched_find("heftx"));
    ck_assert_ptr_null(soc_sched_find(""));
    ck_assert_ptr_null(soc_sched_find(NULL));
    /* the DS3 variants sit in the same ops as the textbook ones */
    ck_assert(soc_sched_ext_find(soc_sched_find("met"), SOC_SCHED_EXT_DS3) != NULL);
    ck_assert(soc_sched_ext_find(soc_sched_find("etf"), SOC_SCHED_EXT_DS3) != NULL);
    ck_assert(soc_sched_ext_find(soc_sched_find("eft"), SOC_SCHED_EXT_DS3) != NULL);
    ck_assert(soc_sched_ext_find(soc_sched_find("heft"), SOC_SCHED_EXT_DS3) == NULL);
}
END_TEST

START_TEST(test_resolve)
{
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sched_resolve("heft", &h, &err), SOC_OK);
    ck_assert_ptr_eq(soc_sched_handle_ops(h), &soc_sched_heft);
    ck_assert_ptr_null(soc_sched_handle_arg(h));
    soc_sched_handle_free(h);

    ck_assert_int_eq(soc_sched_resolve("HeFt:best", &h, &err), SOC_OK);
    ck_assert_ptr_eq(soc_sched_handle_ops(h), &soc_sched_heft);
    ck_assert_str_eq(soc_sched_handle_arg(h), "best");
    soc_sched_handle_free(h);

    ck_assert_int_eq(soc_sched_resolve("bnb:1000", &h, &err), SOC_OK);
    ck_assert_str_eq(soc_sched_handle_arg(h), "1000");
    soc_sched_handle_free(h);

    /* arguments the built-ins do not accept are named at resolution */
    static const char *const bad_args[] = {"heft:median", "cpop:x", "bnb:lots", "bnb:0",
                                           "met:sometimes", "heft_best:worst", NULL};
    for (int i = 0; bad_args[i] != NULL; i++) {
        soc_error_clear(&err);
        ck_assert_int_eq(soc_sched_resolve(bad_args[i], &h, &err), SOC_EINVAL);
        ck_assert_ptr_null(h);
        ck_assert_msg(strstr(err.msg, strchr(bad_args[i], ':') + 1) != NULL, "%s: '%s'",
                      bad_args[i], err.msg);
    }
    ck_assert_int_eq(soc_sched_resolve("MET:Static", &h, &err), SOC_OK);
    soc_sched_handle_free(h);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sched_resolve("nosuch", &h, &err), SOC_ENOSCHED);
    ck_assert_ptr_null(h);
    ck_assert_ptr_nonnull(strstr(err.msg, "nosuch"));
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sched_resolve("", &h, &err), SOC_EINVAL);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sched_resolve(NULL, &h, &err), SOC_EINVAL);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sched_resolve("plugin:", &h, &err), SOC_EINVAL);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sched_resolve("plugin:/no/such/dir/x.so", &h, &err), SOC_EPLUGIN_OPEN);
    ck_assert_ptr_null(h);
    soc_sched_handle_free(NULL);
}
END_TEST

/* create() itself refuses an argument it does not know (for drivers that
 * pass ops and argument without soc_sched_resolve). */
START_TEST(test_bad_arguments)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    static const char *const bad[][2] = {{"heft", "median"}, {"cpop", "x"}, {"peft", "x"},
                                         {"lookahead", "two"}, {"met", "sometimes"},
                                         {"bnb", "lots"}, {"bnb", "0"}, {"rr", "x"},
                                         {"heft_best", "worst"}, {NULL, NULL}};
    for (int i = 0; bad[i][0] != NULL; i++) {
        soc_sim_t *sim = NULL;
        soc_error_t err = {0};
        soc_sim_options_t o = {sizeof o, soc_sched_find(bad[i][0]), bad[i][1], NULL, NULL,
                               NULL, NULL};
        ck_assert_msg(soc_sim_create(&sim, cfg, &o, &err) == SOC_EINVAL, "%s:%s", bad[i][0],
                      bad[i][1]);
        ck_assert_ptr_null(sim);
    }
    static const char *const good[] = {"heft:mean", "heft:WORST", "met:static", "met:dynamic",
                                       "bnb:5000000", NULL};
    for (int i = 0; good[i] != NULL; i++) {
        run_t r;
        run_spec(cfg, good[i], &r);
        assert_valid(cfg, &r, good[i]);
        run_free(&r);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

/* --------------------------------------------------------------- helpers */

START_TEST(test_timeline_insertion)
{
    soc__tl_t tl = {0};
    int pos;
    ck_assert_int_eq(soc__tl_find(&tl, 5, 3, 1, &pos), 5);
    ck_assert_int_eq(pos, 0);
    ck_assert_int_eq(soc__tl_insert(&tl, 0, 10, 20), SOC_OK);
    ck_assert_int_eq(soc__tl_insert(&tl, 1, 30, 40), SOC_OK);
    /* gap [0,10) takes 10 units from 0, not 11 */
    ck_assert_int_eq(soc__tl_find(&tl, 0, 10, 1, &pos), 0);
    ck_assert_int_eq(pos, 0);
    ck_assert_int_eq(soc__tl_find(&tl, 0, 11, 1, &pos), 40);
    ck_assert_int_eq(pos, 2);
    ck_assert_int_eq(soc__tl_find(&tl, 12, 10, 1, &pos), 20);
    ck_assert_int_eq(pos, 1);
    ck_assert_int_eq(soc__tl_find(&tl, 22, 8, 1, &pos), 22);
    ck_assert_int_eq(soc__tl_find(&tl, 22, 9, 1, &pos), 40);
    ck_assert_int_eq(pos, 2);
    ck_assert_int_eq(soc__tl_find(&tl, 0, 1, 0, &pos), 40);   /* append */
    ck_assert_int_eq(soc__tl_find(&tl, 50, 1, 1, &pos), 50);
    /* a zero-length task never shares a start with a reservation */
    ck_assert_int_eq(soc__tl_find(&tl, 30, 0, 1, &pos), 40);
    ck_assert_int_eq(soc__tl_find(&tl, 29, 0, 1, &pos), 29);
    soc__tl_remove(&tl, 0);
    ck_assert_int_eq(soc__tl_find(&tl, 0, 25, 1, &pos), 0);
    soc__tl_free(&tl);
}
END_TEST

/* The timeline against a naive earliest-fit search over its own list of
 * intervals, with random inserts and removals in between (the suffix
 * maxima that cut the search short must stay exact). */
START_TEST(test_timeline_random)
{
    soc__tl_t tl = {0};
    soc_time_t rs[800], rf[800];
    int nr = 0;
    unsigned x = 12345;
#define RND(m) ((int)(((x = x * 1103515245u + 12345u) >> 16) % (unsigned)(m)))
    for (int step = 0; step < 800; step++) {
        soc_time_t ready = RND(1200), dur = 1 + RND(30);
        /* naive: the earliest of ready and the finishes after it at which
         * [t, t + dur) meets no interval */
        soc_time_t want = -1;
        for (int c = -1; c < nr; c++) {
            soc_time_t t = c < 0 ? ready : rf[c];
            if (t < ready || (want >= 0 && t >= want))
                continue;
            int clash = 0;
            for (int i = 0; i < nr && !clash; i++)
                clash = t < rf[i] && rs[i] < t + dur;
            if (!clash)
                want = t;
        }
        int pos;
        soc_time_t got = soc__tl_find(&tl, ready, dur, 1, &pos);
        ck_assert_msg(got == want, "step %d: found %lld, naive %lld", step, (long long)got,
                      (long long)want);
        if (RND(4) == 0 && nr > 0) {
            int k = RND(tl.n);
            /* drop the same interval from the naive list */
            for (int i = 0; i < nr; i++)
                if (rs[i] == tl.start[k]) {
                    rs[i] = rs[nr - 1];
                    rf[i] = rf[nr - 1];
                    nr--;
                    break;
                }
            soc__tl_remove(&tl, k);
        } else {
            ck_assert_int_eq(soc__tl_insert(&tl, pos, got, got + dur), SOC_OK);
            rs[nr] = got;
            rf[nr++] = got + dur;
        }
        ck_assert_int_eq(tl.n, nr);
    }
#undef RND
    soc__tl_free(&tl);
}
END_TEST

/* Published ranks of the Topcuoglu DAG (paper; spec section 2.3) and the
 * OCT table of Arabnejad & Barbosa's definition (spec section 2.6). */
START_TEST(test_topcuoglu_ranks)
{
    static const double ru[10] = {108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667};
    static const double rd[10] = {0, 31, 25, 22, 24, 27, 62.333, 66.667, 63.667, 93.333};
    static const double oct1[3] = {48, 38, 53};
    static const double oct9[3] = {20, 7, 16};
    static const double roct[10] = {46.333, 29.667, 25.667, 31, 27.667,
                                    23.667, 14.667, 13.667, 14.333, 0};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    soc__costs_t c;
    ck_assert_int_eq(soc__costs_init(&c, &cfg->platform), SOC_OK);
    const soc_app_t *a = &cfg->apps[0];
    double u[10], d[10], oct[30], ro[10];
    soc__rank_upward(&c, a, SOC__COST_MEAN, u);
    soc__rank_downward(&c, a, SOC__COST_MEAN, d);
    soc__oct_table(&c, a, oct, ro);
    for (int i = 0; i < 10; i++) {
        ck_assert_msg(fabs(u[i] / 1000 - ru[i]) < 1e-3, "rank_u n%d = %g", i + 1, u[i] / 1000);
        ck_assert_msg(fabs(d[i] / 1000 - rd[i]) < 1e-3, "rank_d n%d = %g", i + 1, d[i] / 1000);
        ck_assert_msg(fabs(ro[i] / 1000 - roct[i]) < 1e-3, "rank_oct n%d = %g", i + 1,
                      ro[i] / 1000);
    }
    for (int k = 0; k < 3; k++) {
        ck_assert_msg(fabs(oct[0 * 3 + k] / 1000 - oct1[k]) < 1e-9, "OCT(n1, P%d)", k + 1);
        ck_assert_msg(fabs(oct[8 * 3 + k] / 1000 - oct9[k]) < 1e-9, "OCT(n9, P%d)", k + 1);
    }
    /* HEFT order: non-increasing rank, the n3/n4 tie (80 = 80) to n3 */
    static const int heft_order[10] = {0, 2, 3, 1, 4, 5, 8, 6, 7, 9};
    static const int peft_order[10] = {0, 3, 1, 4, 2, 5, 6, 8, 7, 9};
    int order[10];
    for (int i = 0; i < 10; i++)
        u[i] = soc__prio_round(u[i]);
    ck_assert_int_eq(soc__priority_order(a, u, order), SOC_OK);
    for (int i = 0; i < 10; i++)
        ck_assert_msg(order[i] == heft_order[i], "HEFT order position %d: n%d", i, order[i] + 1);
    for (int i = 0; i < 10; i++)
        ro[i] = soc__prio_round(ro[i]);
    ck_assert_int_eq(soc__priority_order(a, ro, order), SOC_OK);
    for (int i = 0; i < 10; i++)
        ck_assert_msg(order[i] == peft_order[i], "PEFT order position %d: n%d", i, order[i] + 1);
    /* best / worst variants use min / max costs */
    soc__rank_upward(&c, a, SOC__COST_BEST, u);
    ck_assert_msg(fabs(u[9] / 1000 - 7) < 1e-9, "best-case rank of n10 = its fastest time");
    soc__rank_upward(&c, a, SOC__COST_WORST, u);
    ck_assert_msg(fabs(u[9] / 1000 - 21) < 1e-9, "worst-case rank of n10 = its slowest time");
    soc__costs_free(&c);
    ts_cfg_destroy(cfg);
}
END_TEST

/* CPOP's critical path {n1, n2, n9, n10} on P2 (paper, spec 2.5). */
START_TEST(test_cpop_critical_path)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    soc_sched_init_t init = {sizeof init, &cfg->platform, cfg->n_apps, cfg->apps, NULL, 1, NULL};
    void *state = NULL;
    ck_assert_int_eq(soc_sched_cpop.create(&state, &init), SOC_OK);
    soc__app_cache_t *ac = soc__static_cache(state, 0);
    ck_assert_ptr_nonnull(ac);
    ck_assert_int_eq(ac->cp_pe, 1);
    static const int on_cp[10] = {1, 1, 0, 0, 0, 0, 0, 0, 1, 1};
    for (int i = 0; i < 10; i++)
        ck_assert_msg((ac->iaux[i] == 1) == on_cp[i], "n%d critical-path flag", i + 1);
    soc_sched_cpop.destroy(state);
    ts_cfg_destroy(cfg);
}
END_TEST

/* --------------------------------------------------------- test vectors */

static const want_t heft_w[10] = {{2, 0, 9},   {0, 27, 40}, {2, 9, 28},  {1, 18, 26},
                                  {2, 28, 38}, {1, 26, 42}, {2, 38, 49}, {0, 57, 62},
                                  {1, 56, 68}, {1, 73, 80}};

START_TEST(test_topcuoglu_heft)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "heft", heft_w, 80);
    ts_cfg_destroy(cfg);
}
END_TEST

/* The same through the shipped YAML example (the CLI's path). */
START_TEST(test_topcuoglu_yaml)
{
    char *path = ts_path(SOC_SOURCE_DIR, "examples/topcuoglu.yaml");
    soc_config_t cfg;
    soc_error_t err = {0};
    char buf[1024];
    int rc = soc_load_yaml(&cfg, path, &err);
    ck_assert_msg(rc == SOC_OK, "%s", soc_error_format(&err, buf, sizeof buf));
    assert_schedule(&cfg, "heft", heft_w, 80);
    ck_assert_msg(fabs(makespan_of(&cfg, "bnb") - 73) < 1e-9, "bnb on the YAML example");
    soc_config_free(&cfg);
    free(path);
}
END_TEST

START_TEST(test_topcuoglu_cpop)
{
    static const want_t w[10] = {{1, 0, 16},  {1, 16, 35}, {0, 28, 39}, {2, 25, 42},
                                 {1, 35, 48}, {2, 42, 51}, {0, 39, 46}, {2, 54, 68},
                                 {1, 65, 77}, {1, 79, 86}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "cpop", w, 86);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_topcuoglu_peft)
{
    static const want_t w[10] = {{1, 0, 16},  {1, 24, 43}, {0, 28, 39}, {1, 16, 24},
                                 {2, 27, 37}, {0, 39, 52}, {0, 52, 59}, {0, 62, 67},
                                 {1, 50, 62}, {1, 78, 85}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "peft", w, 85);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Hwang's ETF (min earliest start over ready tasks x free PEs, static-level
 * ties, commit only up to the next event, no insertion): 93, the reference
 * value of spec/schedulers.md 2.6.  The schedule was computed independently
 * by a 60-line Python event simulation of the same rules (not by socsim). */
START_TEST(test_topcuoglu_etf_hwang)
{
    static const want_t w[10] = {{0, 0, 14},  {0, 14, 27}, {0, 27, 38}, {1, 23, 31},
                                 {2, 25, 35}, {1, 31, 47}, {0, 38, 45}, {1, 47, 58},
                                 {0, 54, 72}, {0, 72, 93}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "etf_hwang", w, 93);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_topcuoglu_lookahead)
{
    static const want_t w[10] = {{2, 0, 9},   {2, 9, 27},  {0, 21, 32}, {1, 18, 26},
                                 {1, 26, 39}, {0, 32, 45}, {0, 45, 52}, {0, 53, 58},
                                 {1, 43, 55}, {1, 69, 76}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "lookahead", w, 76);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_topcuoglu_static_heuristics)
{
    static const want_t met[10] = {{2, 0, 9},   {0, 27, 40}, {0, 40, 51}, {1, 18, 26},
                                   {2, 9, 19},  {2, 19, 28}, {0, 51, 58}, {0, 58, 63},
                                   {1, 56, 68}, {1, 75, 82}};
    static const want_t mct[10] = {{2, 0, 9},   {2, 9, 27},  {0, 21, 32}, {1, 18, 26},
                                   {2, 27, 37}, {1, 26, 42}, {0, 32, 39}, {1, 46, 57},
                                   {0, 50, 68}, {1, 81, 88}};
    static const want_t minmin[10] = {{2, 0, 9},   {1, 27, 46}, {0, 21, 32}, {1, 18, 26},
                                      {2, 18, 28}, {2, 9, 18},  {0, 32, 39}, {1, 46, 57},
                                      {1, 57, 69}, {1, 69, 76}};
    static const want_t maxmin[10] = {{2, 0, 9},   {0, 27, 40}, {2, 9, 28},  {1, 39, 47},
                                      {2, 39, 49}, {1, 23, 39}, {2, 28, 39}, {0, 74, 79},
                                      {1, 62, 74}, {1, 90, 97}};
    static const want_t suff[10] = {{2, 0, 9},   {1, 27, 46}, {0, 21, 32}, {1, 18, 26},
                                    {2, 18, 28}, {2, 9, 18},  {0, 32, 39}, {1, 58, 69},
                                    {1, 46, 58}, {1, 69, 76}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "met:static", met, 82);
    assert_schedule(cfg, "mct:static", mct, 88);
    assert_schedule(cfg, "minmin:static", minmin, 76);
    assert_schedule(cfg, "etf:static", minmin, 76);
    assert_schedule(cfg, "maxmin:static", maxmin, 97);
    assert_schedule(cfg, "sufferage:static", suff, 76);
    ts_cfg_destroy(cfg);
}
END_TEST

/* DS3's own EFT and ETF schedules on this DAG (spec 2.7, DS3 at 056c930). */
START_TEST(test_topcuoglu_dynamic_ds3_traces)
{
    static const want_t eft[10] = {{2, 0, 9},   {2, 9, 27},  {0, 21, 32}, {1, 18, 26},
                                   {2, 27, 37}, {1, 26, 42}, {0, 32, 39}, {0, 57, 62},
                                   {1, 50, 62}, {1, 73, 80}};
    static const want_t etf[10] = {{2, 0, 9},   {0, 32, 45}, {0, 21, 32}, {1, 18, 26},
                                   {2, 18, 28}, {2, 9, 18},  {0, 45, 52}, {0, 53, 58},
                                   {1, 61, 73}, {1, 73, 80}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "eft", eft, 80);
    assert_schedule(cfg, "mct", eft, 80);
    assert_schedule(cfg, "etf", etf, 80);
    assert_schedule(cfg, "minmin", etf, 80);
    ts_cfg_destroy(cfg);
}
END_TEST

/* Dynamic MET by hand.  t=0: n1 -> P3 (9).  t=9, ready n2..n6 in index
 * order, each to its fastest PE, appended: n2 P1 (data 9+18) [27,40], n3 P1
 * behind it [40,51], n4 P2 (9+9) [18,26], n5 P3 [9,19], n6 P3 [19,28].  At
 * t=40 n8 and n9 are ready: n8 -> P1 (5), inputs 26+27 = 53 > plan end 51,
 * key 53 [53,58]; n9 -> P2 (12), inputs 40+16 = 56 [56,68].  At t=51 n7 ->
 * P1 queued behind n8: [58,65].  At t=68 n10 -> P2 (7), inputs 65+17 = 82:
 * [82,89]. */
START_TEST(test_topcuoglu_met_dynamic)
{
    static const want_t w[10] = {{2, 0, 9},   {0, 27, 40}, {0, 40, 51}, {1, 18, 26},
                                 {2, 9, 19},  {2, 19, 28}, {0, 58, 65}, {0, 53, 58},
                                 {1, 56, 68}, {1, 82, 89}};
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    assert_schedule(cfg, "met", w, 89);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_topcuoglu_bnb_optimum)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    ck_assert_msg(fabs(makespan_of(cfg, "bnb") - 73) < 1e-9, "bnb does not find 73");
    ts_cfg_destroy(cfg);
}
END_TEST

/* No scheduler in any mode beats the optimum 73 (spec 2.6). */
START_TEST(test_topcuoglu_nothing_below_73)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    const soc_sched_ops_t *const *l = soc_sched_list();
    char spec[96];
    for (int i = 0; l[i] != NULL; i++) {
        if (sc_needs_argument(l[i]->name))
            continue;
        for (int mode = 0; mode < 2; mode++) {
            snprintf(spec, sizeof spec, "%s%s", l[i]->name, mode ? ":static" : "");
            run_t r;
            run_spec(cfg, spec, &r);
            if (mode == 1 && r.rc == SOC_EINVAL) {
                run_free(&r); /* no static mode */
                continue;
            }
            assert_valid(cfg, &r, spec);
            ck_assert_msg(r.m.makespan_us >= 73 - 1e-9, "%s reports %g < 73", spec,
                          r.m.makespan_us);
            run_free(&r);
        }
    }
    for (uint64_t seed = 1; seed <= 40; seed++) {
        cfg->seed = seed;
        ck_assert(makespan_of(cfg, "random") >= 73 - 1e-9);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

/* ------------------------------------------------------- tie-breaking */

/* One task on three identical PEs: every deterministic rule keeps the
 * lowest PE index on ties. */
START_TEST(test_tie_lowest_pe)
{
    soc_config_t *cfg = ts_cfg_new(1);
    double ex[1] = {4};
    ts_cfg_cluster(cfg, "cpu", 3, ex);
    int types[1] = {0};
    ts_cfg_app(cfg, "one", 1.0, 1, types, 0, NULL);
    double t0 = 0;
    ts_cfg_trace(cfg, 1, &t0);
    ts_cfg_finalize(cfg);
    const soc_sched_ops_t *const *l = soc_sched_list();
    for (int i = 0; l[i] != NULL; i++) {
        if (strcmp(l[i]->name, "random") == 0 || sc_needs_argument(l[i]->name))
            continue;
        run_t r;
        run_spec(cfg, l[i]->name, &r);
        assert_valid(cfg, &r, l[i]->name);
        ck_assert_msg(r.rec.n == 1 && r.rec.r[0].pe == 0, "%s: PE %d", l[i]->name,
                      r.rec.r[0].pe);
        run_free(&r);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

/* e -> {a, b} -> x, with a and b identical, on two identical PEs and free
 * transfers: a (the lower index) goes first to PE 0, b to PE 1. */
START_TEST(test_tie_earlier_task)
{
    soc_config_t *cfg = ts_cfg_new(1);
    double ex[1] = {5};
    ts_cfg_cluster(cfg, "cpu", 2, ex);
    int types[4] = {0, 0, 0, 0};
    const double e[4][3] = {{0, 1, 0}, {0, 2, 0}, {1, 3, 0}, {2, 3, 0}};
    ts_cfg_app(cfg, "fork", 1.0, 4, types, 4, e);
    double t0 = 0;
    ts_cfg_trace(cfg, 1, &t0);
    ts_cfg_finalize(cfg);
    static const char *const names[] = {"eft", "mct", "etf", "minmin", "maxmin", "sufferage",
                                        "heft", "cpop", "peft", "lookahead", NULL};
    for (int i = 0; names[i] != NULL; i++) {
        run_t r;
        run_spec(cfg, names[i], &r);
        assert_valid(cfg, &r, names[i]);
        const soc_task_record_t *a = find_rec(&r, 0, 1), *b = find_rec(&r, 0, 2);
        ck_assert_msg(a->pe == 0 && b->pe == 1 && a->start_us == 5 && b->start_us == 5,
                      "%s: a on PE %d at %g, b on PE %d at %g", names[i], a->pe, a->start_us,
                      b->pe, b->start_us);
        run_free(&r);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

/* HEFT's rank ties go to the lower task index; a higher rank wins
 * regardless of index.  One PE, so the order is the schedule. */
START_TEST(test_tie_heft_rank)
{
    for (int variant = 0; variant < 2; variant++) {
        soc_config_t *cfg = ts_cfg_new(3);
        double ex[3] = {5, 4, variant ? 6 : 4};
        ts_cfg_cluster(cfg, "cpu", 1, ex);
        int types[4] = {0, 1, 2, 0};
        const double e[4][3] = {{0, 1, 0}, {0, 2, 0}, {1, 3, 0}, {2, 3, 0}};
        ts_cfg_app(cfg, "tie", 1.0, 4, types, 4, e);
        double t0 = 0;
        ts_cfg_trace(cfg, 1, &t0);
        ts_cfg_finalize(cfg);
        run_t r;
        run_spec(cfg, "heft", &r);
        assert_valid(cfg, &r, "heft");
        double s1 = find_rec(&r, 0, 1)->start_us, s2 = find_rec(&r, 0, 2)->start_us;
        if (variant == 0)
            ck_assert_msg(s1 < s2, "equal ranks: task 1 must run first (%g, %g)", s1, s2);
        else
            ck_assert_msg(s2 < s1, "higher rank of task 2 must win (%g, %g)", s1, s2);
        run_free(&r);
        ts_cfg_destroy(cfg);
    }
}
END_TEST

/* ------------------------------------------------------------ insertion */

/* x (P0 only) -> y (P1 only, data 20); z (P1 only, short, low rank); both
 * -> w (P1).  Ranks: x 41, y 11, z 6, w 1, so HEFT places y on P1 at
 * [30,40] before it looks at z, which fits the idle gap [0,30): z [0,5],
 * w [40,41], makespan 41 (appending z would give 46). */
static soc_config_t *insertion_cfg(int n_jobs)
{
    soc_config_t *cfg = ts_cfg_new(4);
    double p0[4] = {10, -1, -1, -1}, p1[4] = {-1, 10, 5, 1};
    ts_cfg_cluster(cfg, "P0", 1, p0);
    ts_cfg_cluster(cfg, "P1", 1, p1);
    int types[4] = {0, 1, 2, 3};
    const double e[3][3] = {{0, 1, 20}, {1, 3, 0}, {2, 3, 0}};
    ts_cfg_app(cfg, "ins", 1.0, 4, types, 3, e);
    double t[2] = {0, 1};
    ts_cfg_trace(cfg, n_jobs, t);
    ts_cfg_finalize(cfg);
    return cfg;
}

START_TEST(test_heft_inserts)
{
    soc_config_t *cfg = insertion_cfg(1);
    static const char *const names[] = {"heft", "cpop", "peft", "lookahead", "bnb", NULL};
    for (int i = 0; names[i] != NULL; i++) {
        run_t r;
        run_spec(cfg, names[i], &r);
        assert_valid(cfg, &r, names[i]);
        ck_assert_msg(find_rec(&r, 0, 2)->start_us == 0, "%s: z at %g", names[i],
                      find_rec(&r, 0, 2)->start_us);
        ck_assert_msg(fabs(r.m.makespan_us - 41) < 1e-9, "%s: makespan %g", names[i],
                      r.m.makespan_us);
        run_free(&r);
    }
    /* the append-only static MCT cannot use the gap */
    ck_assert(fabs(makespan_of(cfg, "mct:static") - 46) < 1e-9);
    ts_cfg_destroy(cfg);
}
END_TEST

/* A second job arriving at t=1 is planned against the first job's
 * reservations: on P1, z0 [0,5], y0 [30,40], w0 [40,41] are taken, so z1
 * goes into the gap [5,30), y1 (inputs at 20+20) after w0 at [41,51]. */
START_TEST(test_static_multi_job)
{
    soc_config_t *cfg = insertion_cfg(2);
    run_t r;
    run_spec(cfg, "heft", &r);
    assert_valid(cfg, &r, "heft, two jobs");
    ck_assert_int_eq(r.rec.n, 8);
    ck_assert(find_rec(&r, 1, 0)->start_us == 10);
    ck_assert(find_rec(&r, 1, 2)->start_us == 5);
    ck_assert(find_rec(&r, 1, 1)->start_us == 41);
    ck_assert(find_rec(&r, 1, 3)->start_us == 51);
    run_free(&r);
    ts_cfg_destroy(cfg);
}
END_TEST

/* ----------------------------------------------------------- random */

START_TEST(test_random_seeded)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    run_t a, b;
    cfg->seed = 7;
    run_spec(cfg, "random", &a);
    run_spec(cfg, "random", &b);
    assert_valid(cfg, &a, "random");
    ck_assert_int_eq(a.rec.n, b.rec.n);
    ck_assert(memcmp(a.rec.r, b.rec.r, sizeof *a.rec.r * (size_t)a.rec.n) == 0);
    run_free(&b);
    int differs = 0;
    for (uint64_t seed = 8; seed < 20 && !differs; seed++) {
        cfg->seed = seed;
        run_spec(cfg, "random", &b);
        for (int i = 0; i < a.rec.n; i++)
            differs |= a.rec.r[i].pe != b.rec.r[i].pe || a.rec.r[i].task != b.rec.r[i].task;
        run_free(&b);
    }
    ck_assert_msg(differs, "the random scheduler ignores the seed");
    run_free(&a);
    ts_cfg_destroy(cfg);
}
END_TEST

/* ------------------------------------------------------ branch and bound */

/* Exhaustive search of the optimum, independent of the library: every
 * order consistent with precedence and every PE per task, each task
 * appended at max(PE end, inputs); this covers every semi-active schedule. */
typedef struct brute {
    const soc_config_t *cfg;
    const soc_app_t *a;
    int pe[8];
    double fin[8];
    int placed[8];
    double pe_end[8];
    double best;
} brute_t;

static void brute_dfs(brute_t *b, int depth, double cur)
{
    const soc_app_t *a = b->a;
    const soc_platform_t *p = &b->cfg->platform;
    if (cur >= b->best)
        return;
    if (depth == a->n_tasks) {
        b->best = cur;
        return;
    }
    for (int t = 0; t < a->n_tasks; t++) {
        if (b->placed[t])
            continue;
        int ready = 1;
        for (int e = 0; e < a->n_edges; e++)
            if (a->edges[e].dst == t && !b->placed[a->edges[e].src])
                ready = 0;
        if (!ready)
            continue;
        for (int q = 0; q < p->n_pes; q++) {
            double w = p->clusters[p->pe_cluster[q]].exec_us[a->tasks[t].type];
            if (w < 0)
                continue;
            double s = b->pe_end[q];
            for (int e = 0; e < a->n_edges; e++)
                if (a->edges[e].dst == t) {
                    int u = a->edges[e].src;
                    double x = b->fin[u] + sc_comm_us(b->cfg, a->edges[e].volume, b->pe[u], q);
                    if (x > s)
                        s = x;
                }
            double saved = b->pe_end[q];
            b->placed[t] = 1;
            b->pe[t] = q;
            b->fin[t] = s + w;
            b->pe_end[q] = s + w;
            brute_dfs(b, depth + 1, cur > s + w ? cur : s + w);
            b->pe_end[q] = saved;
            b->placed[t] = 0;
        }
    }
}

/* Small random DAG on 3 unrelated clusters, some types unsupported
 * somewhere; every third seed doubles the first cluster (two identical
 * PEs, which bnb's symmetry rule must not get wrong). */
static soc_config_t *tiny_cfg(unsigned seed, int n)
{
    unsigned s = seed * 2654435761u + 12345u;
#define NEXT() (s = s * 1103515245u + 12345u, (s >> 16) & 0x7fff)
    soc_config_t *cfg = ts_cfg_new(n);
    for (int c = 0; c < 3; c++) {
        double ex[8];
        for (int t = 0; t < n; t++)
            ex[t] = (c > 0 && NEXT() % 5 == 0) ? -1 : (double)(1 + NEXT() % 9);
        char name[8];
        snprintf(name, sizeof name, "P%d", c);
        ts_cfg_cluster(cfg, name, (c == 0 && seed % 3 == 0) ? 2 : 1, ex);
    }
    int types[8];
    for (int t = 0; t < n; t++)
        types[t] = t;
    double e[32][3];
    int ne = 0;
    for (int j = 1; j < n; j++) {
        int i = (int)(NEXT() % (unsigned)j); /* connected: one parent below j */
        e[ne][0] = i;
        e[ne][1] = j;
        e[ne++][2] = (double)(NEXT() % 8);
        for (int k = 0; k < j; k++)
            if (k != i && NEXT() % 4 == 0) {
                e[ne][0] = k;
                e[ne][1] = j;
                e[ne++][2] = (double)(NEXT() % 8);
            }
    }
#undef NEXT
    ts_cfg_app(cfg, "tiny", 1.0, n, types, ne, (const double(*)[3])e);
    double t0 = 0;
    ts_cfg_trace(cfg, 1, &t0);
    ts_cfg_finalize(cfg);
    return cfg;
}

START_TEST(test_bnb_matches_brute_force)
{
    const soc_sched_ops_t *const *l = soc_sched_list();
    for (unsigned seed = 1; seed <= 12; seed++) {
        int n = 5 + (int)(seed % 2);
        soc_config_t *cfg = tiny_cfg(seed, n);
        brute_t b;
        memset(&b, 0, sizeof b);
        b.cfg = cfg;
        b.a = &cfg->apps[0];
        b.best = 1e300;
        brute_dfs(&b, 0, 0);
        double opt = makespan_of(cfg, "bnb");
        ck_assert_msg(fabs(opt - b.best) < 1e-9, "seed %u: bnb %g, exhaustive optimum %g", seed,
                      opt, b.best);
        for (int i = 0; l[i] != NULL; i++)
            ck_assert_msg(sc_needs_argument(l[i]->name) ||
                              makespan_of(cfg, l[i]->name) >= b.best - 1e-9,
                          "seed %u: %s beats the optimum", seed, l[i]->name);
        ts_cfg_destroy(cfg);
    }
}
END_TEST

START_TEST(test_bnb_limits)
{
    /* 25 tasks in a chain: above the documented 24-task limit */
    soc_config_t *cfg = ts_cfg_new(1);
    double ex[1] = {1};
    ts_cfg_cluster(cfg, "cpu", 2, ex);
    int types[25] = {0};
    double e[24][3];
    for (int i = 0; i < 24; i++) {
        e[i][0] = i;
        e[i][1] = i + 1;
        e[i][2] = 1;
    }
    ts_cfg_app(cfg, "long", 1.0, 25, types, 24, (const double(*)[3])e);
    double t0 = 0;
    ts_cfg_trace(cfg, 1, &t0);
    ts_cfg_finalize(cfg);
    run_t r;
    run_spec(cfg, "bnb", &r);
    ck_assert_int_eq(r.rc, SOC_ELIMIT);
    ck_assert_ptr_nonnull(strstr(r.err, "bnb"));
    run_free(&r);
    ts_cfg_destroy(cfg);

    /* a node budget too small to prove optimality refuses, too */
    cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    run_spec(cfg, "bnb:3", &r);
    ck_assert_int_eq(r.rc, SOC_ELIMIT);
    run_free(&r);
    ts_cfg_destroy(cfg);
}
END_TEST

/* ------------------------------------------------------------ plug-ins */

#ifdef SOC_TEST_PLUGIN_DIR

static int load_err(const char *path, soc_error_t *err)
{
    void *dl = (void *)1;
    const soc_sched_ops_t *ops = (const soc_sched_ops_t *)1;
    soc_error_clear(err);
    int rc = soc_sched_load_plugin(path, &dl, &ops, err);
    if (rc != SOC_OK) {
        ck_assert_ptr_null(dl);
        ck_assert_ptr_null(ops);
        ck_assert_int_eq(err->code, rc);
        ck_assert_msg(err->msg[0] != '\0', "no message for %s", path);
    }
    return rc;
}

START_TEST(test_plugin_example)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    char spec[4096];
    snprintf(spec, sizeof spec, "plugin:%s", SOC_EXAMPLE_PLUGIN);
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sched_resolve(spec, &h, &err), SOC_OK);
    ck_assert_str_eq(soc_sched_handle_ops(h)->name, "example_est");
    ck_assert_ptr_null(soc_sched_handle_arg(h));
    soc_sched_handle_free(h);
    run_t r;
    run_spec(cfg, spec, &r);
    assert_valid(cfg, &r, "example plug-in");
    ck_assert_int_eq(r.rec.n, 10);
    ck_assert(r.m.makespan_us >= 73);
    run_free(&r);
    /* its argument travels after the path */
    snprintf(spec, sizeof spec, "plugin:%s:reverse", SOC_EXAMPLE_PLUGIN);
    ck_assert_int_eq(soc_sched_resolve(spec, &h, &err), SOC_OK);
    ck_assert_str_eq(soc_sched_handle_arg(h), "reverse");
    soc_sched_handle_free(h);
    run_spec(cfg, spec, &r);
    assert_valid(cfg, &r, "example plug-in, reverse");
    run_free(&r);
    snprintf(spec, sizeof spec, "plugin:%s:nonsense", SOC_EXAMPLE_PLUGIN);
    run_spec(cfg, spec, &r);
    ck_assert_int_eq(r.rc, SOC_EINVAL);
    run_free(&r);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(test_plugin_errors)
{
    soc_error_t err;
    char path[4096];
    ck_assert_int_eq(load_err(SOC_TEST_PLUGIN_DIR "/does_not_exist.so", &err), SOC_EPLUGIN_OPEN);
    ck_assert_int_eq(load_err("", &err), SOC_EINVAL);

    /* not an ELF file */
    snprintf(path, sizeof path, "%s/not_elf_%ld.so", SOC_TEST_PLUGIN_DIR, (long)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is not a shared object\n", f);
    fclose(f);
    ck_assert_int_eq(load_err(path, &err), SOC_EPLUGIN_OPEN);
    remove(path);

    static const struct {
        const char *file;
        int rc;
        const char *words;
    } bad[] = {
        {"bad_plugin_nosym.so", SOC_EPLUGIN_SYMBOL, SOC_SCHED_ENTRY_SYMBOL},
        {"bad_plugin_nullops.so", SOC_EPLUGIN_ABI, "no scheduler"},
        {"bad_plugin_abi.so", SOC_EPLUGIN_ABI, "ABI version"},
        {"bad_plugin_size.so", SOC_EPLUGIN_ABI, "struct_size"},
        {"bad_plugin_nosched.so", SOC_EPLUGIN_ABI, "no schedule"},
        {"bad_plugin_noname.so", SOC_EPLUGIN_ABI, "no name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", SOC_TEST_PLUGIN_DIR, bad[i].file);
        int rc = load_err(path, &err);
        ck_assert_msg(rc == bad[i].rc, "%s: %s (%d), expected %s", bad[i].file,
                      soc_status_name(rc), rc, soc_status_name(bad[i].rc));
        ck_assert_msg(strstr(err.msg, bad[i].words) != NULL, "%s: message '%s'", bad[i].file,
                      err.msg);
        /* and through a spec, the same code */
        char spec[4200];
        snprintf(spec, sizeof spec, "plugin:%s:arg", path);
        soc_sched_handle_t *h = (soc_sched_handle_t *)1;
        soc_error_clear(&err);
        ck_assert_int_eq(soc_sched_resolve(spec, &h, &err), bad[i].rc);
        ck_assert_ptr_null(h);
    }
}
END_TEST

#endif

/* ---------------------------------------------------------------- main */

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, test_registry_contents);
    tcase_add_test(tc, test_registry_find);
    tcase_add_test(tc, test_resolve);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("helpers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_timeline_insertion);
    tcase_add_test(tc, test_timeline_random);
    tcase_add_test(tc, test_topcuoglu_ranks);
    tcase_add_test(tc, test_cpop_critical_path);
    suite_add_tcase(s, tc);

    tc = tcase_create("topcuoglu");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_topcuoglu_heft);
    tcase_add_test(tc, test_topcuoglu_yaml);
    tcase_add_test(tc, test_topcuoglu_cpop);
    tcase_add_test(tc, test_topcuoglu_peft);
    tcase_add_test(tc, test_topcuoglu_lookahead);
    tcase_add_test(tc, test_topcuoglu_static_heuristics);
    tcase_add_test(tc, test_topcuoglu_dynamic_ds3_traces);
    tcase_add_test(tc, test_topcuoglu_met_dynamic);
    tcase_add_test(tc, test_topcuoglu_etf_hwang);
    tcase_add_test(tc, test_topcuoglu_bnb_optimum);
    tcase_add_test(tc, test_topcuoglu_nothing_below_73);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tie_lowest_pe);
    tcase_add_test(tc, test_tie_earlier_task);
    tcase_add_test(tc, test_tie_heft_rank);
    tcase_add_test(tc, test_heft_inserts);
    tcase_add_test(tc, test_static_multi_job);
    tcase_add_test(tc, test_random_seeded);
    tcase_add_test(tc, test_bnb_matches_brute_force);
    tcase_add_test(tc, test_bnb_limits);
    suite_add_tcase(s, tc);

#ifdef SOC_TEST_PLUGIN_DIR
    tc = tcase_create("plugins");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_plugin_example);
    tcase_add_test(tc, test_plugin_errors);
    suite_add_tcase(s, tc);
#endif
    return ts_run_suite(s);
}
