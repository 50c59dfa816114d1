/*
 * check_sched_scale.c -- the data structures that keep the schedulers'
 * cost flat at scale (issue 12) give exactly the results of the plain
 * algorithms they replace:
 *  - persistent planner timelines (soc__plan_tl): after any sequence of
 *    plannings and engine steps (finished tasks dropped from the front of a
 *    queue, the head started or retimed, reservations queued behind the
 *    planner's back) a timeline equals a fresh copy of the engine's queue,
 *    entry by entry, suffix maxima included; and a reservation lands where
 *    the engine's upper-bound insertion puts it;
 *  - the cluster path of the schedulers (soc__groups_t: a cluster scanned in
 *    index order up to its first free PE, PEs holding a predecessor one by
 *    one) against the scan of every PE: the same schedule, task by task, for
 *    every list heuristic and planner, on random platforms (clusters of 1 to
 *    5 PEs, per-pair bandwidths, latency, a transfer cost on one PE,
 *    shared-memory transfers), random DAGs and light to heavy load; the
 *    groups fall back to one PE each where transfers differ inside a
 *    cluster;
 *  - the engine's earliest-availability searches (api->pe_first_free,
 *    pe_earliest) against a scan of the PEs' availability at every decision
 *    and after every assignment, and its queue versions (api->pe_version)
 *    change whenever a queue or a plan end does; the list heuristics'
 *    rows through those searches (tree_min) against the scan, also with
 *    the power model, whose rescaled starts make the engine's plan end
 *    differ from the appended finish (the searches are then dropped for
 *    the rest of the decision);
 *  - lookahead's work bound (refused like bnb beyond it).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/schedulers.h"
#include "soc/sim.h"
#include "soc/workload.h"
#include "test_support.h"

#include "../schedulers/sched_internal.h"

static unsigned rnd_state = 12345;
static int rnd(int m)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (int)((rnd_state >> 16) % (unsigned)m);
}

/* -------------------------------------------------- planner timelines */

typedef struct fake_pe {
    soc_slot_t *s;
    int n, cap;
    uint64_t ver; /* the engine's queue version */
} fake_pe_t;

static fake_pe_t *fake_pes;

static uint64_t fake_version(const soc_view_t *v, int pe)
{
    (void)v;
    return fake_pes[pe].ver;
}

static void fake_insert(fake_pe_t *f, int at, soc_slot_t x)
{
    f->ver++;
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 8;
        f->s = realloc(f->s, sizeof *f->s * (size_t)f->cap);
        ck_assert_ptr_nonnull(f->s);
    }
    memmove(&f->s[at + 1], &f->s[at], sizeof *f->s * (size_t)(f->n - at));
    f->s[at] = x;
    f->n++;
}

/* The timeline a fresh copy of ps gives, checked entry by entry. */
static void check_mirror(const soc__tl_t *tl, const soc_pe_state_t *ps, int round, int p)
{
    ck_assert_msg(tl->n == ps->n_slots, "round %d PE %d: %d entries, queue has %d", round, p,
                  tl->n, ps->n_slots);
    soc_time_t run = INT64_MIN;
    for (int i = 0; i < tl->n; i++) {
        const soc_slot_t *s = &ps->slots[i];
        run = s->finish > run ? s->finish : run;
        ck_assert_msg(tl->start[i] == s->start && tl->fin[i] == s->finish && tl->end[i] == run &&
                          tl->ref[i].job == s->ref.job && tl->ref[i].task == s->ref.task,
                      "round %d PE %d entry %d differs", round, p, i);
    }
    /* suffix maxima of the usable gaps */
    soc_time_t g = -1;
    ck_assert(tl->gmax[tl->n] == -1);
    for (int k = tl->n - 1; k >= 0; k--) {
        soc_time_t gap = k > 0 ? tl->start[k] - tl->end[k - 1] : -1;
        if (gap > 0 && gap > g)
            g = gap;
        ck_assert_msg(tl->gmax[k] == g, "round %d PE %d gmax[%d] = %lld, want %lld", round, p, k,
                      (long long)tl->gmax[k], (long long)g);
    }
}

START_TEST(test_plan_follows_engine)
{
    enum { Q = 5, ROUNDS = 400 };
    fake_pe_t f[Q];
    soc_pe_state_t pes[Q];
    memset(f, 0, sizeof f);
    memset(pes, 0, sizeof pes);
    int busy[Q] = {0};
    soc_view_t v;
    memset(&v, 0, sizeof v);
    v.n_pes = Q;
    v.pes = pes;
    /* _i == 1: an engine with queue versions (unchanged queues are not
     * looked at); _i == 0: without (every queue compared) */
    soc_sim_api_t api;
    memset(&api, 0, sizeof api);
    api.struct_size = sizeof api;
    api.pe_version = _i == 1 ? fake_version : NULL;
    v.api = &api;
    fake_pes = f;
    soc__plan_t pl;
    memset(&pl, 0, sizeof pl);
    soc_time_t now = 0;
    int64_t copies_expected_min = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int p = 0; p < Q; p++) {
            pes[p].n_slots = f[p].n;
            pes[p].slots = f[p].s;
        }
        v.now = now;
        ck_assert_int_eq(soc__plan_begin(&pl, &v, (uint64_t)round, 8), SOC_OK);
        int foreign = rnd(15) == 0, skip_commit = rnd(12) == 0;
        /* PEs the planning looks at without placing anything there */
        for (int k = 0; k < 2; k++) {
            int p = rnd(Q);
            check_mirror(soc__plan_tl(&pl, p), &pes[p], round, p);
        }
        int n_put = 1 + rnd(8);
        for (int k = 0; k < n_put; k++) {
            int p = rnd(Q);
            soc__tl_t *tl = soc__plan_tl(&pl, p);
            ck_assert(!pl.oom);
            check_mirror(tl, &pes[p], round, p);
            soc_time_t ready = now + rnd(300), dur = rnd(40);
            int pos;
            soc_time_t st = soc__tl_find(tl, ready, dur, rnd(3) != 0, &pos);
            ck_assert_int_eq(soc__plan_put(&pl, k, p, pos, st, st + dur), SOC_OK);
            /* the engine: upper bound of the key, never before a running head */
            int lo = busy[p] ? 1 : 0, hi = f[p].n;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (f[p].s[mid].start <= st)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            ck_assert_msg(lo == pos, "round %d: engine inserts at %d, plan at %d", round, lo, pos);
            soc_slot_t x = {st, st + dur, {(uint64_t)round, k}};
            fake_insert(&f[p], lo, x);
            pes[p].n_slots = f[p].n;
            pes[p].slots = f[p].s;
        }
        if (!skip_commit)
            soc__plan_commit(&pl);
        /* the engine moves on: finishes, starts, retimes */
        now += rnd(120);
        for (int p = 0; p < Q; p++) {
            if (rnd(2) == 0)
                continue; /* nothing happened on p */
            int drop = f[p].n > 0 ? rnd(f[p].n + 1) : 0;
            if (rnd(3) == 0)
                drop = 0;
            if (drop > 0) {
                memmove(f[p].s, f[p].s + drop, sizeof *f[p].s * (size_t)(f[p].n - drop));
                f[p].n -= drop;
                f[p].ver++;
            }
            if (f[p].n > 0 && rnd(2) == 0) {
                f[p].ver++;
                /* the head starts (or is retimed): now, with its own length */
                busy[p] = 1;
                f[p].s[0].start = now - rnd(5);
                f[p].s[0].finish = now + rnd(400);
            } else if (f[p].n == 0 || drop > 0) {
                busy[p] = 0;
            }
        }
        if (foreign) {
            /* a reservation the planner never saw (another assigner) */
            int p = rnd(Q);
            soc_slot_t x = {now + 1000, now + 1010, {999999, 1}};
            fake_insert(&f[p], f[p].n, x);
            copies_expected_min++;
        }
    }
    /* every timeline once more, after the last engine step */
    for (int p = 0; p < Q; p++) {
        pes[p].n_slots = f[p].n;
        pes[p].slots = f[p].s;
    }
    ck_assert_int_eq(soc__plan_begin(&pl, &v, ROUNDS, 8), SOC_OK);
    for (int p = 0; p < Q; p++)
        check_mirror(soc__plan_tl(&pl, p), &pes[p], ROUNDS, p);
    /* most syncs were incremental, and the foreign reservations forced
     * copies */
    ck_assert_int_gt(pl.updates, pl.copies);
    ck_assert_int_ge(pl.copies, copies_expected_min);
    if (_i == 1)
        ck_assert_int_gt(pl.same, ROUNDS / 10);
    else
        ck_assert_int_eq(pl.same, 0);
    soc__plan_free(&pl);
    for (int p = 0; p < Q; p++)
        free(f[p].s);
}
END_TEST

/* ----------------------------------------------- same schedules, two paths */

/* A random platform and workload (see the file comment). */
static soc_config_t *rand_cfg(int heavy, int wide)
{
    int nt = 3 + rnd(3), nc = 2 + rnd(3);
    soc_config_t *cfg = ts_cfg_new(nt);
    double ex[8];
    for (int c = 0; c < nc; c++) {
        for (int t = 0; t < nt; t++)
            ex[t] = c == 0 || rnd(4) != 0 ? 1 + rnd(60) : -1;
        char name[16];
        snprintf(name, sizeof name, "c%d", c);
        ts_cfg_cluster(cfg, name, 1 + rnd(5), ex);
    }
    soc_platform_t *p = &cfg->platform;
    if (rnd(3) == 0) {
        /* a memory cluster for shared-memory transfers */
        for (int t = 0; t < nt; t++)
            ex[t] = -1;
        int m = ts_cfg_cluster(cfg, "mem", 1, ex);
        p->clusters[m].is_memory = 1;
        free(p->clusters[m].exec_us);
        p->clusters[m].exec_us = NULL;
        p->memory_cluster = m;
        p->comm_mode = SOC_COMM_SHARED_MEMORY;
        nc++;
    }
    p->bw = calloc((size_t)nc * (size_t)nc, sizeof *p->bw);
    ck_assert_ptr_nonnull(p->bw);
    for (int k = 0; k < nc * nc; k++)
        p->bw[k] = rnd(3) == 0 ? 0 : 0.5 + rnd(40) / 8.0;
    p->bw_default = 1 + rnd(4);
    p->bw_self = rnd(2) ? 0 : 20;
    p->latency_us = rnd(2) ? 0 : 0.25;
    int napps = 1 + rnd(2);
    for (int ai = 0; ai < napps; ai++) {
        int n = wide && ai == 0 ? (wide > 1 ? wide : 30) + rnd(40) : 2 + rnd(11);
        int *types = calloc((size_t)n, sizeof *types);
        ck_assert_ptr_nonnull(types);
        double (*e)[3] = calloc((size_t)n * (size_t)n, sizeof *e);
        ck_assert_ptr_nonnull(e);
        int ne = 0;
        for (int i = 0; i < n; i++)
            types[i] = rnd(nt);
        if (wide && ai == 0) {
            /* fork-join: source, n - 2 parallel tasks, sink */
            for (int i = 1; i < n - 1; i++) {
                e[ne][0] = 0, e[ne][1] = i, e[ne++][2] = rnd(4) ? 1 + rnd(30) : 0;
                e[ne][0] = i, e[ne][1] = n - 1, e[ne++][2] = rnd(30);
            }
        } else {
            for (int j = 1; j < n; j++) {
                int back = rnd(j);
                e[ne][0] = back, e[ne][1] = j, e[ne++][2] = rnd(4) ? 1 + rnd(30) : 0;
                for (int i = 0; i < j; i++)
                    if (rnd(5) == 0 && i != back)
                        e[ne][0] = i, e[ne][1] = j, e[ne++][2] = rnd(30);
            }
        }
        char name[16];
        snprintf(name, sizeof name, "app%d", ai);
        ts_cfg_app(cfg, name, 1.0 / napps, n, types, ne, (const double (*)[3])e);
        free(e);
        free(types);
    }
    ts_cfg_poisson(cfg, heavy ? 3 + rnd(10) : 200, wide ? 6 : 30);
    cfg->seed = (uint64_t)rnd(1000);
    ts_cfg_finalize(cfg);
    return cfg;
}

/* The scheduler wrapped so that its state can be told which path to take
 * (test program: file-scope state is fine here). */
enum { V_DEFAULT = 0, V_PLAIN, V_BIG, V_SMALL, V_TREE_BIG, V_TREE_SMALL };
static const soc_sched_ops_t *w_inner;
static int w_variant;
static int w_probe; /* the searches' first scan: 0 default, -1 none */
static int w_eager; /* min-min's rows recomputed at once (not lazily) */
static soc__ws_t *w_ws;       /* the live list heuristic's state */
static uint64_t w_tree_lost;  /* its tree_lost when it was destroyed */
static uint64_t w_evictions, w_sweeps; /* min-min's class paths taken (all runs) */

static int w_create(void **state, const soc_sched_init_t *init)
{
    int rc = w_inner->create(state, init);
    if (rc != SOC_OK || w_variant == V_DEFAULT)
        return rc;
    if (w_inner->flags & SOC_SCHED_STATIC) {
        soc__static_t *st = *state;
        st->plan.groups.never = w_variant == V_PLAIN;
    } else {
        soc__ws_t *ws = *state;
        ws->groups.never = w_variant == V_PLAIN;
        ws->plan.groups.never = w_variant == V_PLAIN;
        ws->big_min = w_variant == V_BIG || w_variant == V_TREE_BIG ? 1
                      : w_variant == V_SMALL || w_variant == V_TREE_SMALL ? INT_MAX
                                                                          : 0;
        ws->tree_min = w_variant == V_TREE_BIG || w_variant == V_TREE_SMALL ? 1 : INT_MAX;
        ws->tree_probe = w_probe;
        ws->big_eager = w_eager;
        w_ws = ws;
    }
    return SOC_OK;
}

/* Every planner timeline of the state keeps its invariants (suffix
 * maxima, block bounds), checked after each callback. */
static uint64_t w_tl_checked;
static void w_check_plan(void *state)
{
    if (state == NULL)
        return;
    const soc__plan_t *pl = (w_inner->flags & SOC_SCHED_STATIC) ? &((soc__static_t *)state)->plan
                                                                 : &((soc__ws_t *)state)->plan;
    for (int p = 0; pl->tl != NULL && p < pl->n_pes; p++) {
        ck_assert_msg(soc__tl_check(&pl->tl[p]) == 0, "timeline of PE %d", p);
        w_tl_checked += (uint64_t)pl->tl[p].n;
    }
}

static int w_arrival(void *state, soc_view_t *v, uint64_t job)
{
    int rc = w_inner->on_job_arrival(state, v, job);
    w_check_plan(state);
    return rc;
}

static int w_schedule(void *state, soc_view_t *v)
{
    int rc = w_inner->schedule(state, v);
    w_check_plan(state);
    return rc;
}

static void w_destroy(void *state)
{
    if (state != NULL && state == (void *)w_ws) {
        w_tree_lost = w_ws->tree_lost;
        w_evictions += w_ws->big_evictions;
        w_sweeps += w_ws->big_sweeps;
        w_ws = NULL;
    }
    if (w_inner->destroy != NULL)
        w_inner->destroy(state);
}

/* Run cfg under spec with the scheduler's state in `variant`. */
static void run_variant(const soc_config_t *cfg, const char *spec, int variant,
                        ts_records_t *rec, soc_metrics_t *m)
{
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    ck_assert_msg(soc_sched_resolve(spec, &h, &err) == SOC_OK, "%s", err.msg);
    w_inner = soc_sched_handle_ops(h);
    w_variant = variant;
    soc_sched_ops_t ops = *w_inner;
    ops.create = w_create;
    ops.destroy = w_destroy;
    if (w_inner->on_job_arrival != NULL)
        ops.on_job_arrival = w_arrival;
    if (w_inner->schedule != NULL)
        ops.schedule = w_schedule;
    soc_sim_options_t o = {sizeof o, &ops, soc_sched_handle_arg(h), ts_records_add, rec,
                           NULL, NULL};
    soc_sim_t *sim = NULL;
    int rc = soc_sim_create(&sim, cfg, &o, &err);
    if (rc == SOC_OK)
        rc = soc_sim_run(sim, &err);
    ck_assert_msg(rc == SOC_OK, "%s: %s", spec, err.msg);
    soc_sim_metrics(sim, m);
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
}

/* The plain algorithm (every PE scanned, the ready list rescanned per
 * pick) against the structures, record by record. */
static void same_schedules(const soc_config_t *cfg, const char *spec, int round, int variant)
{
    ts_records_t a = {0}, b = {0};
    soc_metrics_t ma, mb;
    run_variant(cfg, spec, V_PLAIN, &a, &ma);
    run_variant(cfg, spec, variant, &b, &mb);
    ck_assert_msg(a.n == b.n && a.n > 0, "%s round %d: %d vs %d records", spec, round, a.n, b.n);
    for (int i = 0; i < a.n; i++) {
        const soc_task_record_t *x = &a.r[i], *y = &b.r[i];
        ck_assert_msg(x->job == y->job && x->task == y->task && x->pe == y->pe &&
                          x->start_us == y->start_us && x->finish_us == y->finish_us,
                      "%s round %d record %d: job %llu task %d on PE %d [%g, %g] vs job %llu "
                      "task %d on PE %d [%g, %g]",
                      spec, round, i, (unsigned long long)x->job, x->task, x->pe, x->start_us,
                      x->finish_us, (unsigned long long)y->job, y->task, y->pe, y->start_us,
                      y->finish_us);
    }
    ck_assert(ma.cumulative_latency_us == mb.cumulative_latency_us);
    ts_records_free(&a);
    ts_records_free(&b);
}

static const char *const SPECS[] = {
    "met",       "mct",       "eft",          "etf",           "minmin",      "maxmin",
    "sufferage", "heft",      "heft_best",    "cpop",          "peft",        "lookahead",
    "met:static", "etf:static", "maxmin:static", "sufferage:static"};

START_TEST(test_clusters_same_schedules)
{
    rnd_state = 777u + (unsigned)_i;
    w_tl_checked = 0;
    for (int round = 0; round < 6; round++) {
        soc_config_t *cfg = rand_cfg(round % 2, round % 3 == 2);
        for (size_t k = 0; k < sizeof SPECS / sizeof SPECS[0]; k++) {
            same_schedules(cfg, SPECS[k], round, V_DEFAULT);
            if (strchr(SPECS[k], ':') == NULL && strstr("etf minmin maxmin sufferage", SPECS[k]))
                for (int var = V_BIG; var <= V_TREE_SMALL; var++) {
                    same_schedules(cfg, SPECS[k], round, var);
                    if (var == V_BIG) { /* min-min's rows recomputed at once */
                        w_eager = 1;
                        same_schedules(cfg, SPECS[k], round, var);
                        w_eager = 0;
                    }
                    if (var >= V_TREE_BIG) { /* the searches without their first scan */
                        w_probe = -1;
                        same_schedules(cfg, SPECS[k], round, var);
                        w_probe = 0;
                    }
                }
            else if (strcmp(SPECS[k], "mct") == 0 || strcmp(SPECS[k], "eft") == 0) {
                same_schedules(cfg, SPECS[k], round, V_TREE_SMALL);
                w_probe = -1;
                same_schedules(cfg, SPECS[k], round, V_TREE_SMALL);
                w_probe = 0;
            }
        }
        ts_cfg_destroy(cfg);
    }
    ck_assert(w_tl_checked > 0); /* the planners' timelines were checked */
}
END_TEST

/* Wide fork-joins (hundreds of ready tasks in one decision, data volumes
 * from 30 values: ties) under the min-min family: the class paths of
 * min-min -- rows joining a class before they are saturated, leaving it
 * when its best PE is not free for them, sweeps of the heap -- give the
 * plain algorithm's schedules, and were taken. */
START_TEST(test_wide_classes)
{
    rnd_state = 4242u + (unsigned)_i;
    w_evictions = w_sweeps = 0;
    static const char *const specs[] = {"etf", "minmin", "maxmin", "sufferage"};
    for (int round = 0; round < 3; round++) {
        soc_config_t *cfg = rand_cfg(round % 2, 150 + 100 * round);
        for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
            same_schedules(cfg, specs[k], round, V_DEFAULT);
            same_schedules(cfg, specs[k], round, V_TREE_BIG);
        }
        ts_cfg_destroy(cfg);
    }
    ck_assert_msg(w_evictions > 0 && w_sweeps > 0, "evictions %llu, sweeps %llu",
                  (unsigned long long)w_evictions, (unsigned long long)w_sweeps);
}
END_TEST

/* The engine's searches against a scan, at every decision and after every
 * assignment (a wrapped api), and its queue versions: a queue or plan end
 * seen to change between two looks always comes with a new version. */
typedef struct pe_seen {
    uint64_t ver, sum;
    int n;
    soc_time_t end;
} pe_seen_t;

static const soc_sim_api_t *probe_real;
static pe_seen_t *probe_seen;
static int probe_q;
static long probe_checks, probe_versions;

static uint64_t slots_sum(const soc_pe_state_t *ps)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < ps->n_slots; i++) {
        const soc_slot_t *x = &ps->slots[i];
        uint64_t w[4] = {(uint64_t)x->start, (uint64_t)x->finish, x->ref.job,
                         (uint64_t)x->ref.task};
        for (int k = 0; k < 4; k++)
            h = (h ^ w[k]) * 1099511628211ULL;
    }
    return h;
}

/* In on_job_arrival callbacks view->now is the time of the last decision
 * point (the engine does not refresh it there), while the searches use the
 * engine's clock: they are compared in schedule callbacks only. */
static int probe_searches;

static void probe(const soc_view_t *v)
{
    ck_assert_int_eq(v->n_pes, probe_q);
    for (int p = 0; p < v->n_pes; p++) {
        pe_seen_t *o = &probe_seen[p];
        uint64_t ver = probe_real->pe_version(v, p), sum = slots_sum(&v->pes[p]);
        if (ver == o->ver)
            ck_assert_msg(sum == o->sum && v->pes[p].n_slots == o->n &&
                              v->pes[p].plan_end == o->end,
                          "PE %d changed at version %llu", p, (unsigned long long)ver);
        else
            probe_versions++;
        o->ver = ver;
        o->sum = sum;
        o->n = v->pes[p].n_slots;
        o->end = v->pes[p].plan_end;
    }
    for (int k = 0; k < 6 * probe_searches; k++) {
        int lo = rnd(v->n_pes + 1) - (k == 0), hi = lo + rnd(v->n_pes + 2);
        soc_time_t t = v->now + (rnd(3) - 1) * (soc_time_t)rnd(50000);
        int a = lo < 0 ? 0 : lo, b = hi > v->n_pes ? v->n_pes : hi;
        int first = -1, least = -1;
        soc_time_t la = 0;
        for (int p = a; p < b; p++) {
            soc_time_t av = v->pes[p].plan_end > v->now ? v->pes[p].plan_end : v->now;
            if (first < 0 && av <= t)
                first = p;
            if (least < 0 || av < la) {
                least = p;
                la = av;
            }
        }
        ck_assert_int_eq(probe_real->pe_first_free(v, lo, hi, t), first);
        ck_assert_int_eq(probe_real->pe_earliest(v, lo, hi), least);
        probe_checks++;
    }
}

static int probe_assign(soc_view_t *v, soc_task_ref_t t, int pe, soc_time_t start)
{
    int rc = probe_real->assign(v, t, pe, start);
    probe(v);
    return rc;
}

/* Call the scheduler with a view whose api checks after every assign. */
static int probe_call(soc_view_t *v, void *state, uint64_t job, int arrival)
{
    probe_real = v->api;
    ck_assert(SOC_API_HAS(v->api, pe_first_free) && SOC_API_HAS(v->api, pe_earliest) &&
              SOC_API_HAS(v->api, pe_version));
    probe_searches = !arrival;
    probe(v);
    soc_sim_api_t api = *v->api;
    api.assign = probe_assign;
    soc_view_t w = *v;
    w.api = &api;
    probe_searches = !arrival;
    return arrival ? w_inner->on_job_arrival(state, &w, job) : w_inner->schedule(state, &w);
}

static int probe_schedule(void *state, soc_view_t *v)
{
    return probe_call(v, state, 0, 0);
}

static int probe_arrival(void *state, soc_view_t *v, uint64_t job)
{
    return w_inner->on_job_arrival != NULL ? probe_call(v, state, job, 1) : SOC_OK;
}

START_TEST(test_engine_searches)
{
    rnd_state = 4242u + (unsigned)_i;
    static const char *const specs[] = {"etf", "heft", "sufferage", "met"};
    for (int round = 0; round < 4; round++) {
        soc_config_t *cfg = rand_cfg(round % 2, round == 3);
        soc_sched_handle_t *h = NULL;
        soc_error_t err = {0};
        ck_assert_int_eq(soc_sched_resolve(specs[round], &h, &err), SOC_OK);
        w_inner = soc_sched_handle_ops(h);
        soc_sched_ops_t ops = *w_inner;
        ops.schedule = w_inner->schedule != NULL ? probe_schedule : NULL;
        ops.on_job_arrival = probe_arrival;
        probe_q = cfg->platform.n_pes;
        probe_seen = calloc((size_t)probe_q, sizeof *probe_seen);
        ck_assert_ptr_nonnull(probe_seen);
        for (int p = 0; p < probe_q; p++)
            probe_seen[p].ver = UINT64_MAX;
        soc_sim_options_t o = {sizeof o, &ops, soc_sched_handle_arg(h), NULL, NULL, NULL, NULL};
        soc_sim_t *sim = NULL;
        int rc = soc_sim_create(&sim, cfg, &o, &err);
        if (rc == SOC_OK)
            rc = soc_sim_run(sim, &err);
        ck_assert_msg(rc == SOC_OK, "%s", err.msg);
        soc_sim_destroy(sim);
        soc_sched_handle_free(h);
        free(probe_seen);
        ts_cfg_destroy(cfg);
    }
    ck_assert_int_gt(probe_checks, 100);
    ck_assert_int_gt(probe_versions, 100);
}
END_TEST

/* The searches on DS3's mix with the power model (ondemand and powersave
 * governors): a task
 * that starts at once runs rescaled, its PE's plan end is not the appended
 * finish, and the heuristics drop the searches for the rest of the
 * decision -- the same schedules as the scan either way. */
START_TEST(test_tree_power)
{
    char *path = ts_path(SOC_SOURCE_DIR, "examples/poisson_soc.yaml");
    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_msg(soc_load_yaml(&cfg, path, &err) == SOC_OK, "%s", err.msg);
    free(path);
    cfg.power_model = 1;
    for (int c = 0; c < cfg.platform.n_clusters; c++) {
        soc_cluster_power_t *pw = cfg.platform.clusters[c].power;
        if (pw == NULL)
            continue;
        const char *gov = c % 2 ? "powersave" : "ondemand";
        free(pw->governor);
        pw->governor = malloc(strlen(gov) + 1);
        ck_assert_ptr_nonnull(pw->governor);
        memcpy(pw->governor, gov, strlen(gov) + 1);
    }
    cfg.injection.max_jobs = 150;
    cfg.injection.warmup_us = 0;
    cfg.injection.mean_us = 60;
    ck_assert_msg(soc_config_finalize(&cfg, &err) == SOC_OK, "%s", err.msg);
    static const char *const specs[] = {"etf", "minmin", "sufferage", "maxmin", "mct"};
    for (size_t k = 0; k < 5; k++)
        for (int var = V_TREE_BIG; var <= V_TREE_SMALL; var++) {
            if (var == V_TREE_BIG && strcmp(specs[k], "mct") == 0)
                continue;
            same_schedules(&cfg, specs[k], (int)k, var);
            /* the rescaled starts did end the searches (and often) */
            ck_assert_msg(w_tree_lost > 10, "%s: %llu", specs[k],
                          (unsigned long long)w_tree_lost);
        }
    /* the planners under the power model: the engine's queues move away
     * from their plans (rescaled starts), the mirrors follow them and keep
     * their invariants (checked after every callback) */
    static const char *const planners[] = {"heft", "peft", "cpop", "lookahead"};
    w_tl_checked = 0;
    for (size_t k = 0; k < 4; k++)
        same_schedules(&cfg, planners[k], (int)k, V_DEFAULT);
    ck_assert(w_tl_checked > 0);
    soc_config_free(&cfg);
}
END_TEST

/* lookahead's work bound: planning a Topcuoglu job takes W = 507 steps
 * (sum over tasks of 3 PEs x ((1 + in-degree) + sum over the children of 3
 * PEs x (1 + the child's in-degree)), in-degrees 0, 1 x 6, 3 x 3:
 * n1 93, n2 78, n3 24, n4 78, n5 42, n6 42, n7 42, n8 48, n9 48, n10 12);
 * a bound of 507 runs it (makespan 76, the published value), 506 refuses it
 * when the simulation starts, naming the steps, the bound and the argument. */
START_TEST(test_lookahead_bound)
{
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    ts_records_t rec = {0};
    soc_metrics_t m;
    run_variant(cfg, "lookahead:507", V_DEFAULT, &rec, &m);
    ck_assert_double_eq(m.makespan_us, 76);
    ts_records_free(&rec);
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_sched_resolve("lookahead:506", &h, &err), SOC_OK);
    soc_sim_options_t o = {sizeof o, soc_sched_handle_ops(h), soc_sched_handle_arg(h), NULL,
                           NULL, NULL, NULL};
    soc_sim_t *sim = NULL;
    ck_assert_int_eq(soc_sim_create(&sim, cfg, &o, &err), SOC_ELIMIT);
    ck_assert_ptr_null(sim);
    ck_assert_msg(strstr(err.msg, "needs 507 planning steps") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "the bound is 506") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "lookahead:N") != NULL, "%s", err.msg);
    soc_sched_handle_free(h);
    /* an argument that is no number is refused by name */
    soc_error_clear(&err);
    ck_assert_int_eq(soc_sched_resolve("lookahead:many", &h, &err), SOC_EINVAL);
    ts_cfg_destroy(cfg);
}
END_TEST

/* The cluster rule is checked against the engine: with transfers that
 * depend on the cluster pair only, the groups are the clusters; when one PE
 * of a cluster differs, every PE becomes a group of its own (the fallback
 * for a per-PE topology), and the memory cluster is no group. */
static int fake_odd; /* the PE whose transfers differ, -1 = none */

static soc_time_t fake_comm(const soc_view_t *v, double vol, int src, int dst)
{
    if (src == dst)
        return 0;
    soc_time_t t = (soc_time_t)(vol * 10) + 100 * v->platform->pe_cluster[src] +
                   7 * v->platform->pe_cluster[dst];
    return src == fake_odd || dst == fake_odd ? t + 1 : t;
}

START_TEST(test_groups_follow_transfers)
{
    soc_config_t *cfg = ts_cfg_new(1);
    const double ex[1] = {10};
    ts_cfg_cluster(cfg, "a", 3, ex);
    ts_cfg_cluster(cfg, "b", 2, ex);
    int m = ts_cfg_cluster(cfg, "mem", 1, ex);
    cfg->platform.clusters[m].is_memory = 1;
    const int types[1] = {0};
    ts_cfg_app(cfg, "one", 1, 1, types, 0, NULL);
    ts_cfg_poisson(cfg, 10, 1);
    ts_cfg_finalize(cfg);
    soc_sim_api_t api;
    memset(&api, 0, sizeof api);
    api.struct_size = sizeof api;
    api.comm_time = fake_comm;
    soc_view_t v;
    memset(&v, 0, sizeof v);
    v.platform = &cfg->platform;
    v.n_pes = cfg->platform.n_pes;
    v.api = &api;
    for (int odd = -1; odd < 5; odd++) {
        fake_odd = odd;
        soc__groups_t g;
        memset(&g, 0, sizeof g);
        ck_assert_int_eq(soc__groups_build(&g, &v), SOC_OK);
        ck_assert(g.use);
        if (odd < 0) {
            ck_assert_int_eq(g.n, 2);
            ck_assert_int_eq(g.first[1], 3);
            ck_assert_int_eq(g.count[1], 2);
        } else {
            ck_assert_int_eq(g.n, 5);
            for (int k = 0; k < 5; k++)
                ck_assert(g.first[k] == k && g.count[k] == 1 && g.of_pe[k] == k);
        }
        ck_assert_int_eq(g.of_pe[5], -1); /* memory */
        soc__groups_free(&g);
    }
    ts_cfg_destroy(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched_scale");
    TCase *tc = tcase_create("structures");
    tcase_add_loop_test(tc, test_plan_follows_engine, 0, 2);
    tcase_add_test(tc, test_groups_follow_transfers);
    suite_add_tcase(s, tc);
    tc = tcase_create("equivalence");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_clusters_same_schedules, 0, 8);
    tcase_add_loop_test(tc, test_engine_searches, 0, 2);
    tcase_add_loop_test(tc, test_wide_classes, 0, 4);
    tcase_add_test(tc, test_tree_power);
    tcase_add_test(tc, test_lookahead_bound);
    suite_add_tcase(s, tc);
    return ts_run_suite(s);
}
