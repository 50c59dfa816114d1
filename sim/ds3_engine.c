/*
 * ds3_engine.c -- the DS3-semantics engine: a bit-exact, event-driven
 * emulation of DS3 (DASH-Sim, SimPy 3) for one (scale, iteration) run.
 *
 * DS3 is a tick simulator: a manager process wakes every `clock` µs.  What
 * it computes depends on the order of SimPy's event queue inside one µs
 * (time, priority, insertion sequence), so this engine keeps such a queue
 * for the events that matter (job generator wake-ups, resource grants of
 * dispatched tasks, execution pieces, the stop markers) and treats the two
 * periodic pollers -- the manager and the throttled generator -- as
 * "virtual" entries: their next wake-up is a key computed on the fly, and
 * runs of ticks at which they could do nothing are skipped in O(1) with the
 * keys they would have had (see advance_virtual).  Nothing is computed for
 * an empty tick.
 *
 * Key order: entries compare by (time, priority, insertion time, seq).  For
 * real entries (insertion time, seq) orders like SimPy's global counter.  A
 * virtual entry at t was "inserted" at t - clock, during its own previous
 * run; its seq is the counter value of that run.  When a run of skipped
 * ticks is jumped over, the virtual entries are first brought level (the
 * one behind runs its period alone), then jump together with fresh seqs in
 * their key order, which is the order SimPy's periods would have kept.
 *
 * Semantics follow the DS3 spec (shared/spec/ds3.md, especially §11): the
 * manager's tick, ready/executable queues, PE queues of capacity 1, DS3's
 * completed-list lookups and trimming, warm-up, job_list snippets, PE_to_PE
 * and shared-memory communication, DS3's random streams (pyrand.c).
 * Memory is bounded by the jobs in flight plus one byte per finished job
 * still waiting in DS3's completed list (it is trimmed slowly, by design).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ds3_power.h"
#include "engine.h"
#include "soc/ds3.h"
#include "soc/pyrand.h"
#include "sim_internal.h"
#include "stats.h"

#define PRIO_URGENT 0
#define PRIO_NORMAL 1

/* scripts/bench_power.sh builds a second socsim with -DSOC_DS3_BENCH_NO_POWER:
 * the same engine without DS3's power model (no sampling ticks, no energy
 * hooks; the clusters keep their initial frequencies), the reference the
 * model's cost is measured against.  Its energies are meaningless. */
#ifdef SOC_DS3_BENCH_NO_POWER
#define POWER_HOOKS 0
#else
#define POWER_HOOKS 1
#endif

enum ev_kind {
    EV_GEN = 0, /* generator wake-up (epoch in tag) */
    EV_GRANT,   /* PE resource granted: the task starts */
    EV_PIECE,   /* end of an execution piece */
    EV_STOP,    /* run(until=simulation_length) marker (URGENT) */
    EV_DONE,    /* sim_done.succeed() */
    EV_INTR     /* generator interrupt (inject_jobs_asap, URGENT) */
};

typedef struct ev {
    double time;
    double ins;     /* time of insertion */
    uint64_t seq;
    int prio;
    int kind;
    void *ptr;
    uint64_t tag;
} ev_t;

static inline int ev_less(const ev_t *a, const ev_t *b)
{
    if (a->time != b->time)
        return a->time < b->time;
    if (a->prio != b->prio)
        return a->prio < b->prio;
    return a->seq < b->seq;
}

SOC__HEAP_DEFINE(d3heap, ev_t, ev_less)

/* A periodic poller (manager, throttled generator) as a virtual entry. */
typedef struct vproc {
    int active;
    double time, ins;
    int prio;
    uint64_t seq;
} vproc_t;

/* Where a task is (kept for inspection in a debugger; the queues decide). */
enum task_where { W_OUT = 0, W_READY, W_WAITREADY, W_EXEC, W_DISP, W_RUN, W_DONE };

typedef struct d3job d3job_t;

typedef struct d3task {
    soc_ds3_task_t pub;  /* first member: the view's pointers cast back */
    d3job_t *job;
    int npred_left;
    int where;
    int present;         /* in DS3's completed list (not trimmed) */
    int last_piece;
    double ts;           /* DS3 time_stamp */
    double ready_wait;   /* shared memory: max(ready_wait_times) */
    double start, finish;
    double exec, elapsed;/* table time R and time done at fmax */
} d3task_t;

struct d3job {
    int64_t id;
    int app;
    int64_t first_id;
    double gen;          /* generation time (DS3 job_start of the HEAD) */
    int n_tasks, n_done;
    int n_present;
    int *order;          /* present entries in completion order */
    d3task_t *tasks;
    soc_ds3_pred_t *preds; /* per task, at app->pred_off[task] */
    d3job_t *next;       /* live list, by id */
};

/* Per-application data in DS3 order. */
typedef struct d3app {
    int *succ_off, *succ;       /* successors sorted by task index */
    int *succ_edge;
    int head, tail;             /* HEAD / TAIL task, -1 = none */
} d3app_t;

/* A growable array of task pointers. */
typedef struct tvec {
    soc_ds3_task_t **v;
    int n, cap;
} tvec_t;

#define TRIM_LIVE 255u

typedef struct soc_ds3_engine soc_ds3_engine_t;

struct soc_ds3_engine {
    const soc_config_t *cfg;
    soc_sim_options_t opts;
    const soc_sched_ops_t *ops;
    const soc_ds3_sched_ops_t *ds3ops; /* the scheduler's DS3 extension */
    void *sched_state;

    /* options of this run */
    int validation, fixed, asap, fixed_rate, shared;
    int64_t clock, sim_len, warmup, scale, max_num_jobs, snippet_size;
    int cap_parallel, iteration;
    int64_t py_seed;
    uint32_t np_seed;
    double sr;                  /* sampling_rate */
    int sample_ticks;           /* visit every sampling tick (power model) */
    int64_t sample_l;           /* lcm(clock, sampling_rate): the manager's
                                   ticks that sample are its multiples */
    double inv_sr;              /* 1 / sr */
    soc_ds3_power_t *pw;        /* DS3's power model (ds3_power.c) */
    soc_error_t pw_err;         /* its error, for callers without err */
    const soc_ds3_options_t *o;
    soc_ds3_options_t o_default;

    /* platform */
    int n_pes, n_types, n_apps;
    double *exec;               /* [n_pes * n_types] */
    double *bw;                 /* [n_pes * n_pes] */
    soc_ds3_pe_t *pes;
    d3task_t **pe_task;         /* DS3 PE.queue (capacity 1) */
    double *avail;
    int64_t *lb_assigned;
    double *cl_freq;            /* cluster frequency (MHz), 0 = none */
    double *busy_us;            /* per PE */
    d3app_t *apps;
    double *probs;

    /* random streams */
    soc_mt19937_t py, np;

    /* event queue */
    d3heap_t heap;
    uint64_t seq;
    vproc_t mgr, gpoll;
    double now;
    int stopped;

    /* generator */
    enum { G_WAIT, G_POLL, G_DONE } gstate;
    uint64_t gen_epoch;
    int64_t next_job_id, next_task_id;
    int64_t job_counter, sum_counter, n_injections, num_jobs;
    int *snip_counts;
    int64_t inj_snip, exec_snip;

    /* queues */
    tvec_t ready, waitready, execq;
    tvec_t dispatched;          /* started by the current tick */

    /* jobs in flight and DS3's completed list */
    d3job_t *live_head, *live_tail;
    uint8_t *trims;             /* [trim_base, next_job_id) */
    int64_t trim_base;
    size_t trims_head, trims_cap;
    int64_t l_max;              /* last jobID in the completed list */

    /* view scratch */
    soc_ds3_view_t view;
    int *iwork;
    double *dwork;
    soc_ds3_task_t **twork;
    int cap_work;

    /* results */
    int64_t injected, completed, tasks_completed;
    double cumul, exec_time;
    soc_lat_stats_t lat;
    double *util;
    int ran;
};

/* ------------------------------------------------------------ utilities */

static int tvec_push(tvec_t *t, soc_ds3_task_t *x)
{
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 64;
        soc_ds3_task_t **nv = realloc(t->v, sizeof *nv * (size_t)nc);
        if (nv == NULL)
            return SOC_ENOMEM;
        t->v = nv;
        t->cap = nc;
    }
    t->v[t->n++] = x;
    return SOC_OK;
}

/* Greatest common divisor of two positive integers. */
static int64_t gcd64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* now % sampling_rate == 0 for a manager tick (an integral time >= 0):
 * the quotient estimate now * (1 / sr) is off by less than one, so a
 * multiply replaces a 64-bit division on every manager tick. */
static int is_sample_tick(const soc_ds3_engine_t *e)
{
    int64_t t = (int64_t)e->now, sr = (int64_t)e->sr;
    int64_t q = (int64_t)(e->now * e->inv_sr);
    return q * sr == t || (q + 1) * sr == t;
}

static d3task_t *T(soc_ds3_task_t *p)
{
    return (d3task_t *)(void *)p;
}

/* ---------------------------------------------------------- event queue */

static int push(soc_ds3_engine_t *e, double time, int prio, int kind, void *ptr, uint64_t tag)
{
    ev_t x = {time, e->now, e->seq++, prio, kind, ptr, tag};
    return d3heap_push(&e->heap, x) == 0 ? SOC_OK : SOC_ENOMEM;
}

/* Key order of a virtual entry against a real one / another virtual. */
static int v_before_ev(const vproc_t *v, const ev_t *r)
{
    if (v->time != r->time)
        return v->time < r->time;
    if (v->prio != r->prio)
        return v->prio < r->prio;
    if (v->ins != r->ins)
        return v->ins < r->ins;
    return v->seq < r->seq;
}

static int v_before_v(const vproc_t *a, const vproc_t *b)
{
    if (a->time != b->time)
        return a->time < b->time;
    if (a->prio != b->prio)
        return a->prio < b->prio;
    if (a->ins != b->ins)
        return a->ins < b->ins;
    return a->seq < b->seq;
}

/* ------------------------------------------------------- platform views */

static double exec_of(const soc_ds3_engine_t *e, int type, int pe)
{
    return e->exec[(size_t)pe * (size_t)e->n_types + (size_t)type];
}

static double band(const soc_ds3_engine_t *e, int src, int dst)
{
    if (src < 0)
        src += e->n_pes;
    return e->bw[(size_t)src * (size_t)e->n_pes + (size_t)dst];
}

static double comm_us(const soc_ds3_engine_t *e, double vol, int src, int dst)
{
    return trunc(vol / band(e, src, dst));
}

static const soc_app_t *app_of(const soc_ds3_engine_t *e, const d3job_t *j)
{
    return &e->cfg->apps[j->app];
}

/* ---------------------------------------------------------- jobs, trims */

/* Append the slot of job `id` (the newest) to the trim deque. */
static int trims_push(soc_ds3_engine_t *e, int64_t id, uint8_t v)
{
    size_t len = (size_t)(id - e->trim_base);
    if (e->trims_head + len == e->trims_cap) {
        if (e->trims_head > 0 && e->trims_head >= len) {
            memmove(e->trims, e->trims + e->trims_head, len);
            e->trims_head = 0;
        } else {
            size_t nc = e->trims_cap ? 2 * e->trims_cap : 1024;
            uint8_t *nt = realloc(e->trims, nc);
            if (nt == NULL)
                return SOC_ENOMEM;
            e->trims = nt;
            e->trims_cap = nc;
        }
    }
    e->trims[e->trims_head + len] = v;
    return SOC_OK;
}

static uint8_t *trim_slot(soc_ds3_engine_t *e, int64_t id)
{
    return &e->trims[e->trims_head + (size_t)(id - e->trim_base)];
}

/* Number of halvings that empty a block of k entries (DS3 deletes the
 * 1st, 3rd, 5th... entry of the oldest job at each trim). */
static uint8_t halvings(int k)
{
    uint8_t n = 0;
    while (k > 0) {
        k /= 2;
        n++;
    }
    return n;
}

static void job_free(d3job_t *j)
{
    if (j == NULL)
        return;
    free(j->order);
    free(j->tasks);
    free(j->preds);
    free(j);
}

/* DS3's update_completed_queue (§11-A3), on the bounded representation:
 * finished jobs only keep the number of trims left before their block is
 * gone; live jobs keep per-task presence. */
static void trim_completed(soc_ds3_engine_t *e)
{
    d3job_t *lj = e->live_head;
    int64_t f = -1;
    d3job_t *fjob = NULL;
    for (int64_t id = e->trim_base; id < e->next_job_id; id++) {
        uint8_t s = *trim_slot(e, id);
        if (s == TRIM_LIVE) {
            while (lj != NULL && lj->id < id)
                lj = lj->next;
            if (lj != NULL && lj->id == id && lj->n_present > 0) {
                f = id;
                fjob = lj;
                break;
            }
        } else if (s > 0) {
            f = id;
            break;
        } else if (id == e->trim_base) {
            /* a finished job with nothing left at the front: drop it */
            e->trim_base++;
            e->trims_head++;
        }
    }
    if (f < 0 || e->l_max - f <= 15)
        return;
    if (fjob == NULL) {
        (*trim_slot(e, f))--;
        return;
    }
    /* delete the entries at even positions of the job's block */
    int k = 0;
    for (int i = 0; i < fjob->n_present; i++) {
        int t = fjob->order[i];
        if (i % 2 == 0) {
            fjob->tasks[t].present = 0;
            soc__ds3p_forget(e->pw, fjob->tasks[t].pub.pe, fjob->tasks[t].pub.id);
        } else
            fjob->order[k++] = t;
    }
    fjob->n_present = k;
}

static void job_finished(soc_ds3_engine_t *e, d3job_t *j)
{
    if (!e->validation)
        *trim_slot(e, j->id) = halvings(j->n_present);
    /* unlink from the live list */
    d3job_t **pp = &e->live_head, *prev = NULL;
    while (*pp != NULL && *pp != j) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == j) {
        *pp = j->next;
        if (e->live_tail == j)
            e->live_tail = prev;
    }
    job_free(j);
}

/* --------------------------------------------------------------- inject */

static int inject(soc_ds3_engine_t *e, int app_idx)
{
    const soc_app_t *a = &e->cfg->apps[app_idx];
    d3job_t *j = calloc(1, sizeof *j);
    if (j == NULL)
        return SOC_ENOMEM;
    j->tasks = calloc((size_t)a->n_tasks, sizeof *j->tasks);
    j->order = malloc(sizeof *j->order * (size_t)a->n_tasks);
    j->preds = malloc(sizeof *j->preds * (size_t)(a->n_edges > 0 ? a->n_edges : 1));
    if (j->tasks == NULL || j->order == NULL || j->preds == NULL) {
        job_free(j);
        return SOC_ENOMEM;
    }
    j->id = e->next_job_id++;
    j->app = app_idx;
    j->first_id = e->next_task_id;
    e->next_task_id += a->n_tasks;
    j->gen = e->now;
    j->n_tasks = a->n_tasks;
    if (e->live_tail != NULL)
        e->live_tail->next = j;
    else
        e->live_head = j;
    e->live_tail = j;
    int rc = SOC_OK;
    if (!e->validation && (rc = trims_push(e, j->id, TRIM_LIVE)) != SOC_OK)
        return rc;
    e->job_counter++;
    e->sum_counter += e->job_counter;
    e->n_injections++;
    for (int i = 0; i < a->n_tasks; i++) {
        d3task_t *t = &j->tasks[i];
        t->job = j;
        t->pub.id = j->first_id + i;
        t->pub.job = j->id;
        t->pub.app = app_idx;
        t->pub.base_id = i;
        t->pub.type = a->tasks[i].type;
        t->pub.is_head = (i == e->apps[app_idx].head);
        t->pub.is_tail = (i == e->apps[app_idx].tail);
        t->pub.n_preds = a->pred_off[i + 1] - a->pred_off[i];
        t->pub.preds = &j->preds[a->pred_off[i]];
        t->pub.pe = -1;
        t->npred_left = t->pub.n_preds;
        t->ready_wait = -INFINITY;
        if (t->npred_left == 0) {
            t->where = W_READY;
            if ((rc = tvec_push(&e->ready, &t->pub)) != SOC_OK)
                return rc;
        }
    }
    return SOC_OK;
}

/* ------------------------------------------------------------ generator */

static int gen_throttled(const soc_ds3_engine_t *e)
{
    if (e->job_counter >= e->cap_parallel)
        return 1;
    return e->o->n_job_list > 0 && e->inj_snip == e->exec_snip;
}

static const int *snip_targets(const soc_ds3_engine_t *e)
{
    int64_t k = e->exec_snip;
    if (k >= e->o->n_job_list)
        k = e->o->n_job_list - 1; /* DS3 would index past the list */
    return e->o->job_list[k];
}

static int gen_run(soc_ds3_engine_t *e)
{
    if (gen_throttled(e)) {
        e->gstate = G_POLL;
        e->gpoll.active = 1;
        e->gpoll.time = e->now + (double)e->clock;
        e->gpoll.ins = e->now;
        e->gpoll.prio = PRIO_NORMAL;
        e->gpoll.seq = e->seq++;
        return SOC_OK;
    }
    int app = -1;
    int n = e->n_apps;
    if (e->o->n_job_list > 0) {
        const int *tg = snip_targets(e);
        int *cand = e->iwork, nc = 0;
        for (int a = 0; a < n; a++)
            if (e->snip_counts[a] < tg[a])
                cand[nc++] = a;
        if (nc > 0)
            app = cand[soc_np_choice(&e->np, nc)];
    }
    if (app < 0)
        app = soc_np_choice_p(&e->np, e->probs, n);
    int rc = inject(e, app);
    if (rc != SOC_OK)
        return rc;
    if (e->validation || e->now >= (double)e->warmup) {
        e->num_jobs++;
        if (e->o->n_job_list > 0)
            e->snip_counts[app]++;
    }
    if (e->o->n_job_list > 0 && e->num_jobs < e->max_num_jobs) {
        const int *tg = snip_targets(e);
        int all = 1;
        for (int a = 0; a < n; a++)
            if (e->snip_counts[a] < tg[a])
                all = 0;
        if (all) {
            e->inj_snip++;
            soc_np_seed(&e->np, e->np_seed);
            memset(e->snip_counts, 0, sizeof(int) * (size_t)n);
        }
    }
    int stop = (e->validation || e->fixed) && e->num_jobs >= e->max_num_jobs;
    double wait = e->fixed_rate ? (double)e->scale
                                : trunc(soc_py_expovariate(&e->py, 1.0 / (double)e->scale));
    if (stop) {
        /* DS3 still sleeps once before leaving its loop; nothing can
         * observe that sleep, so it is not queued */
        e->gstate = G_DONE;
        return SOC_OK;
    }
    e->gstate = G_WAIT;
    return push(e, e->now + wait, PRIO_NORMAL, EV_GEN, NULL, e->gen_epoch);
}

/* ---------------------------------------------------- power hook points
 * DS3's power model (ds3_power.c, docs/power.md) charges energy per
 * execution piece at the piece start, samples idle PEs at every manager
 * tick with now % sampling_rate == 0, and evaluates a PE when one of its
 * pieces, or its task, ends on such a tick.  The engine runs DS3's pieces
 * and SimPy's order within a tick, so the model plugs in at these calls
 * (and task_begin in task_start); e->sample_ticks makes the manager sample
 * at every sampling tick (mgr_tick when it runs there anyway, otherwise
 * advance_virtual, in one batch up to the next event).  The model owns the
 * cluster frequencies: slowdowns come from it. */
static int hook_piece_start(soc_ds3_engine_t *e, const d3task_t *t, double step)
{
    if (!POWER_HOOKS)
        return SOC_OK;
    return soc__ds3p_charge(e->pw, t->pub.pe, e->now, step, &e->pw_err);
}

static int hook_piece_end(soc_ds3_engine_t *e, const d3task_t *t)
{
    if (!POWER_HOOKS)
        return SOC_OK;
    return soc__ds3p_piece_end(e->pw, t->pub.pe, e->now, &e->pw_err);
}

/* The task's last piece ended (DS3 marks the PE idle and adds the task's
 * energy) and the ready queue was updated ("Case 2" evaluation, release). */
static int hook_task_end(soc_ds3_engine_t *e, const d3task_t *t)
{
    if (!POWER_HOOKS)
        return SOC_OK;
    soc__ds3p_task_end(e->pw, t->pub.pe, e->now);
    return soc__ds3p_task_done(e->pw, t->pub.pe, e->now, &e->pw_err);
}

static int hook_sample(soc_ds3_engine_t *e, soc_error_t *err)
{
    return soc__ds3p_sample(e->pw, e->now, err);
}

/* -------------------------------------------------------------- manager */

static int grow_work(soc_ds3_engine_t *e, int n_ready)
{
    if (n_ready <= e->cap_work)
        return SOC_OK;
    int nc = e->cap_work ? e->cap_work : 64;
    while (nc < n_ready)
        nc *= 2;
    int *iw = realloc(e->iwork, sizeof *iw * (size_t)(2 * e->n_pes + nc + e->n_apps));
    if (iw == NULL)
        return SOC_ENOMEM;
    e->iwork = iw;
    soc_ds3_task_t **tw = realloc(e->twork, sizeof *tw * (size_t)nc);
    if (tw == NULL)
        return SOC_ENOMEM;
    e->twork = tw;
    e->cap_work = nc;
    return SOC_OK;
}

/* DS3's completed-list lookup of every predecessor of a ready task. */
static void fill_preds(soc_ds3_engine_t *e, d3task_t *t)
{
    const soc_app_t *a = app_of(e, t->job);
    int b = t->pub.base_id;
    soc_ds3_pred_t *out = &t->job->preds[a->pred_off[b]];
    for (int k = a->pred_off[b]; k < a->pred_off[b + 1]; k++, out++) {
        const soc_edge_t *ed = &a->edges[a->pred_edge[k]];
        const d3task_t *p = &t->job->tasks[ed->src];
        out->volume = ed->volume;
        if (p->present) {
            out->pe = p->pub.pe;
            out->finish = p->finish;
        } else {
            out->pe = -1;
            out->finish = -1;
        }
    }
}

/* DS3's update_execution_queue: data-ready time stamp of a scheduled task. */
static double time_stamp(const soc_ds3_engine_t *e, const d3task_t *t)
{
    double ts = -INFINITY;
    int pe = t->pub.pe;
    for (int i = 0; i < t->pub.n_preds; i++) {
        const soc_ds3_pred_t *p = &t->pub.preds[i];
        double x = e->shared ? e->now + comm_us(e, p->volume, e->n_pes - 1, pe)
                             : p->finish + comm_us(e, p->volume, p->pe, pe);
        if (x > ts)
            ts = x;
    }
    if (t->pub.is_head || t->pub.n_preds == 0)
        if (e->now > ts)
            ts = e->now;
    return ts;
}

/* Insert into the executable list, stable by jobID. */
static int exec_insert(soc_ds3_engine_t *e, d3task_t *t)
{
    int rc = tvec_push(&e->execq, &t->pub);
    if (rc != SOC_OK)
        return rc;
    int i = e->execq.n - 1;
    while (i > 0 && e->execq.v[i - 1]->job > t->pub.job) {
        e->execq.v[i] = e->execq.v[i - 1];
        i--;
    }
    e->execq.v[i] = &t->pub;
    return SOC_OK;
}

static int run_scheduler(soc_ds3_engine_t *e, soc_error_t *err)
{
    int n = e->ready.n;
    int rc = grow_work(e, n);
    if (rc != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    for (int i = 0; i < n; i++) {
        d3task_t *t = T(e->ready.v[i]);
        fill_preds(e, t);
        t->pub.pe = -1;
    }
    for (int pe = 0; pe < e->n_pes; pe++) /* ETF_LB reads the DVFS slowdown */
        e->pes[pe].slowdown = soc__ds3p_slowdown(e->pw, pe);
    soc_ds3_view_t *v = &e->view;
    v->now = e->now;
    v->n_ready = n;
    v->ready = e->ready.v;
    v->iwork = e->iwork;
    v->dwork = e->dwork;
    v->twork = e->twork;
    rc = e->ds3ops->schedule(e->sched_state, v);
    if (rc != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0,
                             "scheduler '%s' failed at t=%.0f us: %s", e->ops->name, e->now,
                             soc_strerror(rc));
    for (int i = 0; i < n; i++) {
        d3task_t *t = T(e->ready.v[i]);
        int pe = t->pub.pe;
        if (pe < 0 || pe >= e->n_pes || exec_of(e, t->pub.type, pe) < 0)
            return soc_error_set(err, SOC_ESCHED, NULL, 0, 0,
                                 "scheduler '%s' put task %lld (%s) on PE %d, which cannot run it",
                                 e->ops->name, (long long)t->pub.id,
                                 e->cfg->platform.type_names[t->pub.type], pe);
    }
    for (int i = 0; i < n; i++) {
        d3task_t *t = T(e->ready.v[i]);
        t->ts = time_stamp(e, t);
        t->where = W_EXEC;
        if ((rc = exec_insert(e, t)) != SOC_OK)
            return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    e->ready.n = 0;
    return SOC_OK;
}

/* One manager tick at e->now (DS3 SimulationManager.run body).  *did is
 * set when the tick changed anything. */
static int mgr_tick(soc_ds3_engine_t *e, int *did, soc_error_t *err)
{
    int rc;
    *did = 0;
    /* 1. DTPM sampling (evaluate_idle_PEs): power model only, no timing */
    if (e->sample_ticks && is_sample_tick(e) &&
        (rc = hook_sample(e, err)) != SOC_OK)
        return rc;
    /* 2. shared memory: wait_ready -> ready */
    if (e->shared && e->waitready.n > 0) {
        int k = 0;
        for (int i = 0; i < e->waitready.n; i++) {
            d3task_t *t = T(e->waitready.v[i]);
            if (t->ts <= e->now) {
                t->where = W_READY;
                if ((rc = tvec_push(&e->ready, &t->pub)) != SOC_OK)
                    return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
                *did = 1;
            } else {
                e->waitready.v[k++] = &t->pub;
            }
        }
        e->waitready.n = k;
    }
    /* 3. schedule the whole ready list, move it to the executable list */
    if (e->ready.n > 0) {
        *did = 1;
        if ((rc = run_scheduler(e, err)) != SOC_OK)
            return rc;
    }
    /* 5. dispatch in executable order */
    int k = 0;
    for (int i = 0; i < e->execq.n; i++) {
        d3task_t *t = T(e->execq.v[i]);
        int pe = t->pub.pe;
        if (t->ts <= e->now && e->pe_task[pe] == NULL) {
            e->pe_task[pe] = t;
            t->where = W_DISP;
            /* DS3 spawns PE.run: an URGENT start event at now, which runs
             * right after this tick and requests the PE; see grant_dispatched */
            if ((rc = tvec_push(&e->dispatched, &t->pub)) != SOC_OK)
                return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
            *did = 1;
        } else {
            e->execq.v[k++] = &t->pub;
        }
    }
    e->execq.n = k;
    return SOC_OK;
}

/* The start events of the tasks the tick dispatched are URGENT: they run
 * right after the tick (after the manager queued its next tick) and each
 * queues its PE's resource grant (NORMAL, now).  Queueing the grants
 * directly, in dispatch order, gives them the same places. */
static int grant_dispatched(soc_ds3_engine_t *e)
{
    for (int i = 0; i < e->dispatched.n; i++) {
        int rc = push(e, e->now, PRIO_NORMAL, EV_GRANT, T(e->dispatched.v[i]), 0);
        if (rc != SOC_OK)
            return rc;
    }
    e->dispatched.n = 0;
    return SOC_OK;
}

/* Earliest time >= mgr.time at which the manager could act on its queues,
 * given the current state (real events re-evaluate it): INFINITY if none.
 * Sampling ticks are not counted here (advance_virtual runs them). */
static double mgr_work_time(const soc_ds3_engine_t *e)
{
    double mt = e->mgr.time;
    if (e->ready.n > 0)
        return mt;
    double w = INFINITY;
    for (int i = 0; i < e->execq.n; i++) {
        const d3task_t *t = T(e->execq.v[i]);
        if (e->pe_task[t->pub.pe] == NULL) {
            double x = t->ts > mt ? t->ts : mt;
            if (x < w)
                w = x;
        }
    }
    for (int i = 0; i < e->waitready.n; i++) {
        const d3task_t *t = T(e->waitready.v[i]);
        double x = t->ts > mt ? t->ts : mt;
        if (x < w)
            w = x;
    }
    return w;
}

/* One no-op period of a poller: it runs at its time and re-inserts
 * itself one clock later. */
static void vstep(soc_ds3_engine_t *e, vproc_t *v)
{
    v->ins = v->time;
    v->time += (double)e->clock;
    v->prio = PRIO_NORMAL;
    v->seq = e->seq++;
}

/* The virtual entry `cur` (the minimum, at e->now) did nothing.  Step it to
 * its next period, or, when nothing can happen before some time X, move
 * every virtual entry that is due before X to its first period >= X.
 *
 * With the power model, the manager's sampling ticks before X are the only
 * thing that happens until X: when the manager is `cur`, they are run here
 * in a tight loop (soc__ds3p_sample_ticks) instead of one loop turn, one
 * tick and one jump of the pollers each.  Nothing else can observe those
 * turns: the sampling changes only the power model's state (frequencies,
 * temperatures, energy), which no poller or queued event reads before X,
 * and the pollers keep their relative key order across no-op periods, so
 * they land on the same keys as after the step-by-step walk (only the
 * absolute values of the fresh seqs differ, and only their order is
 * compared).  Errors of the sampling are returned with err filled. */
static int advance_virtual(soc_ds3_engine_t *e, vproc_t *cur, soc_error_t *err)
{
    double x = e->heap.n > 0 ? e->heap.a[0].time : INFINITY;
    double w = mgr_work_time(e);
    if (w < x)
        x = w;
    if (e->gpoll.active && !gen_throttled(e) && e->gpoll.time < x)
        x = e->gpoll.time;
    double c = (double)e->clock;
    /* cur runs now: its next entry is inserted now, after everything
     * already queued (in particular after the other poller if that one
     * ran earlier at this time) */
    vstep(e, cur);
    /* Nothing but sampling ticks can ever happen: no event is queued, the
     * manager has no work and the generator waits for a completion that
     * cannot come.  DS3 would tick forever; the power model's sampling
     * changes nothing the pollers read, so stop here. */
    if (isinf(x))
        return SOC_ESTALL;
    if (e->sample_ticks) {
        if (cur == &e->mgr && !isinf(x)) {
            /* the manager runs at multiples of clock; it samples at those
             * that are multiples of sampling_rate, as mgr_tick does */
            int64_t l = e->sample_l;
            int64_t t0 = (int64_t)ceil(e->mgr.time / (double)l) * l;
            if ((double)t0 < x) {
                int rc = soc__ds3p_sample_ticks(e->pw, t0, l, x, err);
                if (rc != SOC_OK)
                    return rc;
            }
        } else {
            /* another poller steps: the manager's next sampling tick is
             * work it must not be jumped over */
            double ws = ceil(e->mgr.time / e->sr) * e->sr;
            if (ws < x)
                x = ws;
        }
    }
    if (x <= cur->time)
        return SOC_OK;
    if (isinf(x))
        return SOC_ESTALL;
    /* Every poller due before x only runs no-op periods until then.  A
     * period keeps the order of pollers that run at the same instants, so
     * once they are level they jump together, in key order, to their first
     * period >= x with fresh seqs.  A poller behind the other first runs
     * alone (at most one period: both have the same period). */
    for (;;) {
        vproc_t *vs[2];
        int nv = 0;
        if (e->mgr.active && e->mgr.time < x)
            vs[nv++] = &e->mgr;
        if (e->gpoll.active && e->gpoll.time < x)
            vs[nv++] = &e->gpoll;
        if (nv == 2 && v_before_v(vs[1], vs[0])) {
            vproc_t *tmp = vs[0];
            vs[0] = vs[1];
            vs[1] = tmp;
        }
        if (nv == 2 && vs[0]->time != vs[1]->time &&
            fmod(vs[1]->time - vs[0]->time, c) == 0) {
            vstep(e, vs[0]); /* same instants, not level yet */
            continue;
        }
        for (int i = 0; i < nv; i++) {
            vproc_t *v = vs[i];
            v->time += ceil((x - v->time) / c) * c;
            v->ins = v->time - c; /* inserted by its (skipped) previous run */
            v->prio = PRIO_NORMAL;
            v->seq = e->seq++;
        }
        break;
    }
    return SOC_OK;
}

/* ------------------------------------------------------------ PE process */

static double cluster_slowdown(const soc_ds3_engine_t *e, int pe)
{
    return soc__ds3p_slowdown(e->pw, pe);
}

static int next_piece(soc_ds3_engine_t *e, d3task_t *t)
{
    double s = cluster_slowdown(e, t->pub.pe);
    double rem = t->exec - t->elapsed;
    double pred = rem + rem * s;
    /* Python's now % sampling_rate; integral times take the integer path */
    double win;
    if (e->now == (double)(int64_t)e->now)
        win = e->sr - (double)((int64_t)e->now % (int64_t)e->sr);
    else
        win = e->sr - fmod(e->now, e->sr);
    double step;
    if (pred - win > 0) {
        step = win;
        t->elapsed += step / (s + 1);
        t->last_piece = 0;
    } else {
        step = pred;
        t->last_piece = 1;
    }
    int rc = hook_piece_start(e, t, step);
    if (rc != SOC_OK)
        return rc;
    return push(e, e->now + step, PRIO_NORMAL, EV_PIECE, t, 0);
}

static int task_start(soc_ds3_engine_t *e, d3task_t *t)
{
    int pe = t->pub.pe;
    e->pes[pe].idle = 0;
    t->where = W_RUN;
    t->start = e->now;
    if (t->pub.is_head && (e->validation || e->now >= (double)e->warmup))
        e->injected++;
    t->exec = exec_of(e, t->pub.type, pe);
    t->elapsed = 0;
    if (POWER_HOOKS) {
        int rc = soc__ds3p_task_begin(e->pw, pe, e->now, t->exec, t->pub.id, &e->pw_err);
        if (rc != SOC_OK)
            return rc;
    }
    return next_piece(e, t);
}

static int task_complete(soc_ds3_engine_t *e, d3task_t *t, soc_error_t *err)
{
    int rc;
    d3job_t *j = t->job;
    const soc_app_t *a = app_of(e, j);
    int pe = t->pub.pe;
    t->finish = trunc(e->now);
    e->pes[pe].idle = 1;
    e->busy_us[pe] += e->now - t->start;
    int tail = t->pub.is_tail;
    if (tail) {
        e->job_counter--;
        if (!e->validation)
            trim_completed(e);
        if (e->validation || e->now >= (double)e->warmup) {
            e->exec_time = e->now;
            e->completed++;
            int h = e->apps[j->app].head;
            if (h >= 0 && j->tasks[h].present) {
                double lat = e->now - j->gen;
                e->cumul += lat;
                if ((rc = soc__lat_add(&e->lat, llround(lat * SOC_NS_PER_US))) != SOC_OK)
                    return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
            }
        }
    }
    /* update_ready_queue */
    t->present = 1;
    j->order[j->n_present++] = t->pub.base_id;
    j->n_done++;
    e->tasks_completed++;
    if (j->id > e->l_max)
        e->l_max = j->id;
    e->pe_task[pe] = NULL;
    t->where = W_DONE;
    if (e->opts.on_record != NULL) {
        soc_task_record_t r = {
            .job = (uint64_t)j->id,
            .app = j->app,
            .task = t->pub.base_id,
            .type = t->pub.type,
            .pe = pe,
            .arrival_us = j->gen,
            .start_us = t->start,
            .finish_us = t->finish,
            .freq_mhz = soc__ds3p_task_freq_mhz(e->pw, pe),
        };
        e->opts.on_record(e->opts.record_user, &r);
    }
    const d3app_t *da = &e->apps[j->app];
    int b = t->pub.base_id;
    for (int k = da->succ_off[b]; k < da->succ_off[b + 1]; k++) {
        d3task_t *s = &j->tasks[da->succ[k]];
        if (e->shared) {
            double w = e->now + comm_us(e, a->edges[da->succ_edge[k]].volume, pe, e->n_pes - 1);
            if (w > s->ready_wait)
                s->ready_wait = w;
        }
        if (--s->npred_left == 0) {
            if (e->shared) {
                s->ts = s->ready_wait;
                s->where = W_WAITREADY;
                rc = tvec_push(&e->waitready, &s->pub);
            } else {
                s->where = W_READY;
                rc = tvec_push(&e->ready, &s->pub);
            }
            if (rc != SOC_OK)
                return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
        }
    }
    /* DS3's "Case 2" PE evaluation comes after the ready-queue update and
     * before the snippet / sim_done bookkeeping */
    if ((rc = hook_task_end(e, t)) != SOC_OK) {
        if (err != NULL && err->code == 0)
            *err = e->pw_err;
        return rc;
    }
    if (tail && (e->validation || e->now >= (double)e->warmup) &&
        e->completed % e->snippet_size == 0) {
        e->exec_snip++;
        /* sim_done ends the run only when it is run(until=sim_done):
         * performance mode with a fixed number of jobs */
        if (e->completed == e->max_num_jobs && e->fixed && !e->validation &&
            (rc = push(e, e->now, PRIO_NORMAL, EV_DONE, NULL, 0)) != SOC_OK)
            return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    if (tail && e->asap && e->gstate != G_DONE &&
        (rc = push(e, e->now, PRIO_URGENT, EV_INTR, NULL, 0)) != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    if (j->n_done == j->n_tasks)
        job_finished(e, j);
    return SOC_OK;
}

/* ------------------------------------------------------------- the loop */

static int handle(soc_ds3_engine_t *e, const ev_t *ev, soc_error_t *err)
{
    int rc = SOC_OK;
    switch (ev->kind) {
    case EV_GEN:
        if (ev->tag == e->gen_epoch && e->gstate == G_WAIT)
            rc = gen_run(e);
        break;
    case EV_GRANT:
        rc = task_start(e, ev->ptr);
        break;
    case EV_PIECE: {
        d3task_t *t = ev->ptr;
        if (!t->last_piece) {
            rc = hook_piece_end(e, t);
            if (rc == SOC_OK)
                rc = next_piece(e, t);
        }
        else
            return task_complete(e, t, err);
        break;
    }
    case EV_STOP:
    case EV_DONE:
        e->stopped = 1;
        break;
    case EV_INTR:
        if (e->gstate == G_WAIT) {
            e->gen_epoch++;
            rc = gen_run(e);
        } else if (e->gstate == G_POLL) {
            e->gpoll.active = 0;
            rc = gen_run(e);
        }
        break;
    default:
        break;
    }
    if (rc != SOC_OK && e->pw_err.code != 0 && err != NULL && err->code == 0)
        *err = e->pw_err;
    if (rc != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    return SOC_OK;
}

static int ds3_run(void *impl, soc_error_t *err)
{
    soc_ds3_engine_t *e = impl;
    if (e == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no simulation");
    if (e->ran)
        return soc_error_set(err, SOC_ESTATE, NULL, 0, 0, "the DS3 run is over already");
    e->ran = 1;
    int rc;
    e->now = 0;
    if ((rc = soc__ds3p_begin(e->pw, err)) != SOC_OK)
        return rc;
    /* SimPy start-up: the generator's and the manager's initialise events
     * (URGENT, in creation order), then run(until=...)'s stop marker */
    if ((rc = push(e, 0, PRIO_URGENT, EV_GEN, NULL, e->gen_epoch)) != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    e->gstate = G_WAIT;
    e->mgr.active = 1;
    e->mgr.time = 0;
    e->mgr.ins = 0;
    e->mgr.prio = PRIO_URGENT;
    e->mgr.seq = e->seq++;
    if ((e->validation || !e->fixed) &&
        (rc = push(e, (double)e->sim_len, PRIO_URGENT, EV_STOP, NULL, 0)) != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    while (!e->stopped) {
        const ev_t *top = d3heap_top(&e->heap);
        vproc_t *v = NULL;
        if (e->mgr.active && (top == NULL || v_before_ev(&e->mgr, top)))
            v = &e->mgr;
        if (e->gpoll.active && (top == NULL || v_before_ev(&e->gpoll, top)) &&
            (v == NULL || v_before_v(&e->gpoll, v)))
            v = &e->gpoll;
        if (v == NULL) {
            if (top == NULL)
                break;
            ev_t ev;
            ev = d3heap_pop(&e->heap);
            e->now = ev.time;
            if ((rc = handle(e, &ev, err)) != SOC_OK)
                return rc;
            continue;
        }
        e->now = v->time;
        if (v == &e->mgr) {
            int did;
            if ((rc = mgr_tick(e, &did, err)) != SOC_OK)
                return rc;
            if (did) {
                vstep(e, v);
                if ((rc = grant_dispatched(e)) != SOC_OK)
                    return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
                continue;
            }
        } else if (!gen_throttled(e)) {
            e->gpoll.active = 0;
            if ((rc = gen_run(e)) != SOC_OK)
                return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
            continue;
        }
        if ((rc = advance_virtual(e, v, err)) != SOC_OK) {
            if (rc == SOC_ESTALL)
                return soc_error_set(err, SOC_ESTALL, NULL, 0, 0,
                                     "DS3 run cannot make progress at t=%.0f us "
                                     "(%lld of %lld jobs completed; DS3 would tick forever)",
                                     e->now, (long long)e->completed,
                                     (long long)e->max_num_jobs);
            return rc; /* the power model's error, err filled */
        }
    }
    return SOC_OK;
}

/* ------------------------------------------------------- create/destroy */

static int build_apps(soc_ds3_engine_t *e)
{
    const soc_config_t *cfg = e->cfg;
    e->apps = calloc((size_t)cfg->n_apps, sizeof *e->apps);
    if (e->apps == NULL)
        return SOC_ENOMEM;
    for (int a = 0; a < cfg->n_apps; a++) {
        const soc_app_t *ap = &cfg->apps[a];
        d3app_t *d = &e->apps[a];
        int n = ap->n_tasks, m = ap->n_edges;
        d->succ_off = calloc((size_t)n + 1, sizeof(int));
        d->succ = malloc(sizeof(int) * (size_t)(m ? m : 1));
        d->succ_edge = malloc(sizeof(int) * (size_t)(m ? m : 1));
        if (d->succ_off == NULL || d->succ == NULL || d->succ_edge == NULL)
            return SOC_ENOMEM;
        for (int k = 0; k < m; k++)
            d->succ_off[ap->edges[k].src + 1]++;
        for (int i = 0; i < n; i++)
            d->succ_off[i + 1] += d->succ_off[i];
        /* DS3 releases successors in outstanding-queue order, i.e. by
         * task index: fill by destination order */
        int *fill = calloc((size_t)n, sizeof(int));
        if (fill == NULL)
            return SOC_ENOMEM;
        for (int dst = 0; dst < n; dst++)
            for (int k = ap->pred_off[dst]; k < ap->pred_off[dst + 1]; k++) {
                int ei = ap->pred_edge[k];
                int src = ap->edges[ei].src;
                int pos = d->succ_off[src] + fill[src]++;
                d->succ[pos] = dst;
                d->succ_edge[pos] = ei;
            }
        free(fill);
        /* DS3 job files name a HEAD and a TAIL.  An application from
         * elsewhere (native YAML) that names neither gets its first entry
         * task and its last exit task, so that its jobs can complete. */
        d->head = ap->head;
        d->tail = ap->tail;
        if (d->head < 0 && d->tail < 0) {
            for (int i = 0; i < n && d->head < 0; i++)
                if (ap->pred_off[i + 1] == ap->pred_off[i])
                    d->head = i;
            for (int i = n - 1; i >= 0 && d->tail < 0; i--)
                if (d->succ_off[i + 1] == d->succ_off[i])
                    d->tail = i;
        }
    }
    return SOC_OK;
}

/* Frequency DS3 starts a cluster at (performance/ondemand: fmax,
 * powersave: fmin, constant-<MHz>: that value, none/unknown: 0). */
static void init_freq(const soc_cluster_t *c, double *f, double *fmax)
{
    *f = 0;
    *fmax = 0;
    const soc_cluster_power_t *pw = c->power;
    if (pw == NULL || pw->n_opps == 0)
        return;
    double lo = pw->opps[0].freq_mhz, hi = pw->opps[0].freq_mhz;
    for (int i = 1; i < pw->n_opps; i++) {
        if (pw->opps[i].freq_mhz < lo)
            lo = pw->opps[i].freq_mhz;
        if (pw->opps[i].freq_mhz > hi)
            hi = pw->opps[i].freq_mhz;
    }
    *fmax = hi;
    const char *g = pw->governor ? pw->governor : "performance";
    if (strcmp(g, "performance") == 0 || strcmp(g, "ondemand") == 0)
        *f = hi;
    else if (strcmp(g, "powersave") == 0)
        *f = lo;
    else if (strncmp(g, "constant-", 9) == 0)
        *f = strtod(g + 9, NULL);
}

void soc_ds3_options_from_config(soc_ds3_options_t *o, const soc_config_t *cfg)
{
    soc_ds3_options_default(o);
    if (cfg == NULL)
        return;
    const soc_injection_t *in = &cfg->injection;
    if (in->kind != SOC_ARRIVAL_TRACE && in->mean_us > 0)
        o->scale = llround(in->mean_us);
    o->fixed_injection_rate = in->kind == SOC_ARRIVAL_PERIODIC;
    o->inject_fixed_num_jobs = in->max_jobs > 0;
    if (in->max_jobs > 0)
        o->max_jobs = in->max_jobs;
    if (in->sim_time_us > 0)
        o->simulation_length = llround(in->sim_time_us);
    if (in->max_in_flight > 0)
        o->max_jobs_in_parallel = in->max_in_flight;
    o->warmup_period = llround(in->warmup_us);
    o->random_seed = (int64_t)cfg->seed;
}

static void ds3_destroy(void *impl)
{
    soc_ds3_engine_t *e = impl;
    if (e == NULL)
        return;
    if (e->ops != NULL && e->ops->destroy != NULL && e->sched_state != NULL)
        e->ops->destroy(e->sched_state);
    d3job_t *j = e->live_head;
    while (j != NULL) {
        d3job_t *n = j->next;
        job_free(j);
        j = n;
    }
    if (e->apps != NULL)
        for (int a = 0; a < e->n_apps; a++) {
            free(e->apps[a].succ_off);
            free(e->apps[a].succ);
            free(e->apps[a].succ_edge);
        }
    free(e->apps);
    free(e->exec);
    free(e->bw);
    free(e->pes);
    free(e->pe_task);
    free(e->avail);
    free(e->lb_assigned);
    free(e->cl_freq);
    free(e->busy_us);
    free(e->util);
    free(e->probs);
    d3heap_free(&e->heap);
    free(e->snip_counts);
    free(e->ready.v);
    free(e->waitready.v);
    free(e->execq.v);
    free(e->dispatched.v);
    free(e->trims);
    free(e->iwork);
    free(e->dwork);
    free(e->twork);
    soc__ds3p_destroy(e->pw);
    soc__lat_free(&e->lat);
    free(e);
}

#define FAIL(code, ...)                                                        \
    do {                                                                       \
        rc = soc_error_set(err, (code), cfg->source, 0, 0, __VA_ARGS__);       \
        goto fail;                                                             \
    } while (0)

/* The scheduler's DS3 extension, and the run to carry DVFS state from. */
static int check_run_inputs(const soc_sim_options_t *opts, const soc_ds3_run_t *run,
                            const soc_ds3_sched_ops_t **dops, const soc_ds3_engine_t **carry,
                            soc_error_t *err)
{
    const soc_sched_ops_t *ops = opts->sched;
    if (ops == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "DS3 semantics needs a scheduler (no external driving)");
    const soc_sched_ext_t *x = soc_sched_ext_find(ops, SOC_SCHED_EXT_DS3);
    *dops = x != NULL ? x->ops : NULL;
    if (*dops == NULL || x->struct_size < sizeof **dops || (*dops)->schedule == NULL)
        return soc_error_set(err, SOC_EUNSUPPORTED, NULL, 0, 0,
                             "scheduler '%s' has no DS3 behaviour; DS3 semantics supports "
                             "met, eft, etf, stf, etf_lb and cpu_only",
                             ops->name ? ops->name : "?");
    *carry = NULL;
    if (run != NULL && run->carry_from != NULL) {
        if (run->carry_from->ops != &soc__ds3_engine)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "carry_from is not a DS3-semantics simulation");
        *carry = run->carry_from->impl;
    }
    return SOC_OK;
}

/* The options of this run: mode, limits, scale and seeds, checked. */
static int set_run_options(soc_ds3_engine_t *e, const soc_ds3_run_t *run, soc_error_t *err)
{
    const soc_config_t *cfg = e->cfg;
    const soc_ds3_options_t *o = e->o;
    int rc = SOC_OK;
    e->validation = o->validation;
    e->fixed = o->inject_fixed_num_jobs || o->n_job_list > 0;
    e->asap = o->inject_jobs_asap;
    e->fixed_rate = o->fixed_injection_rate;
    e->shared = cfg->platform.comm_mode == SOC_COMM_SHARED_MEMORY;
    e->clock = o->clock;
    e->sim_len = o->simulation_length;
    e->warmup = e->validation ? 0 : o->warmup_period;
    e->cap_parallel = o->max_jobs_in_parallel;
    e->sr = (double)o->sampling_rate;
    e->inv_sr = 1.0 / e->sr;
    if (e->validation) {
        e->scale = o->scale;
        e->iteration = 0;
        e->py_seed = o->random_seed;
        e->np_seed = 1; /* DS3's generator reseeds NumPy with iteration 1 */
    } else {
        int64_t rs = run != NULL ? run->scale : 0;
        int ri = run != NULL ? run->iteration : 0;
        e->scale = rs > 0 ? rs : o->n_scale_values > 0 ? o->scale_values[0] : o->scale;
        e->iteration = ri;
        e->py_seed = ri;
        e->np_seed = (uint32_t)ri;
    }
    if (e->clock < 1)
        FAIL(SOC_ECONFIG, "DS3: clock must be at least 1 us");
    if (o->sampling_rate < 1)
        FAIL(SOC_ECONFIG, "DS3: sampling_rate must be at least 1 us");
    e->sample_l = e->clock / gcd64(e->clock, o->sampling_rate) * o->sampling_rate;
    if (!e->fixed_rate && e->scale <= 0)
        FAIL(SOC_ECONFIG, "DS3: scale must be positive for exponential inter-arrival times");
    if (e->scale < 0)
        FAIL(SOC_ECONFIG, "DS3: scale must not be negative");
    if ((e->validation || !e->fixed) && e->sim_len <= 0)
        FAIL(SOC_ECONFIG, "DS3: simulation_length must be positive");
    if (o->n_job_list > 0) {
        int64_t sum = 0;
        for (int a = 0; a < cfg->n_apps; a++)
            sum += o->job_list[0][a];
        if (sum <= 0)
            FAIL(SOC_ECONFIG, "DS3: the first job_list snippet has no jobs");
        e->snippet_size = sum;
        e->max_num_jobs = sum * o->n_job_list;
    } else {
        if (e->fixed && !e->validation && o->max_jobs < 1)
            FAIL(SOC_ECONFIG, "DS3: max_jobs must be at least 1");
        e->max_num_jobs = o->max_jobs;
        e->snippet_size = o->max_jobs > 0 ? o->max_jobs : 1;
    }
    return SOC_OK;
fail:
    return rc;
}

/* The application mix, checked as NumPy's choice() does. */
static int set_mix(soc_ds3_engine_t *e, soc_error_t *err)
{
    const soc_config_t *cfg = e->cfg;
    int rc = SOC_OK;
    e->n_apps = cfg->n_apps;
    e->probs = malloc(sizeof(double) * (size_t)cfg->n_apps);
    e->snip_counts = calloc((size_t)cfg->n_apps, sizeof(int));
    if (e->probs == NULL || e->snip_counts == NULL)
        FAIL(SOC_ENOMEM, "out of memory");
    for (int a = 0; a < cfg->n_apps; a++)
        e->probs[a] = cfg->apps[a].probability;
    if (soc_np_check_p(e->probs, cfg->n_apps) != SOC_OK)
        FAIL(SOC_ECONFIG, "DS3: application probabilities must be >= 0 and sum to 1 "
                          "(NumPy's check, tolerance 1.5e-8)");
    for (int a = 0; a < cfg->n_apps; a++)
        if (cfg->apps[a].pred_off == NULL)
            FAIL(SOC_EINVAL, "configuration is not finalized");
    return SOC_OK;
fail:
    return rc;
}

/* Per-PE tables: execution times, initial DVFS slow-downs, DS3's PE-pair
 * bandwidth matrix. */
static int build_pe_tables(soc_ds3_engine_t *e, soc_error_t *err)
{
    const soc_config_t *cfg = e->cfg;
    const soc_platform_t *p = &cfg->platform;
    int rc = SOC_OK;
    int np = p->n_pes, nt = p->n_types;
    e->n_pes = np;
    e->n_types = nt;
    e->exec = malloc(sizeof(double) * (size_t)np * (size_t)nt);
    e->bw = malloc(sizeof(double) * (size_t)np * (size_t)np);
    e->pes = calloc((size_t)np, sizeof *e->pes);
    e->pe_task = calloc((size_t)np, sizeof *e->pe_task);
    e->avail = calloc((size_t)np, sizeof *e->avail);
    e->lb_assigned = calloc((size_t)np, sizeof *e->lb_assigned);
    e->busy_us = calloc((size_t)np, sizeof *e->busy_us);
    e->util = calloc((size_t)np, sizeof *e->util);
    e->cl_freq = calloc((size_t)p->n_clusters, sizeof *e->cl_freq);
    e->dwork = malloc(sizeof(double) * (size_t)(2 * np));
    if (!e->exec || !e->bw || !e->pes || !e->pe_task || !e->avail || !e->lb_assigned ||
        !e->busy_us || !e->util || !e->cl_freq || !e->dwork)
        FAIL(SOC_ENOMEM, "out of memory");
    for (int pe = 0; pe < np; pe++) {
        int c = p->pe_cluster[pe];
        const soc_cluster_t *cl = &p->clusters[c];
        for (int t = 0; t < nt; t++)
            e->exec[(size_t)pe * (size_t)nt + (size_t)t] =
                cl->exec_us != NULL && cl->exec_us[t] >= 0 ? cl->exec_us[t] : -1;
        double f, fmax;
        init_freq(cl, &f, &fmax);
        e->cl_freq[c] = f;
        e->pes[pe].cluster = c;
        e->pes[pe].enabled = 1;
        e->pes[pe].idle = 1;
        e->pes[pe].slowdown = f > 0 && fmax > 0 ? fmax / f - 1.0 : 0.0;
    }
    /* DS3's PE-pair bandwidth: a cluster pair given in the SoC file covers
     * every PE pair of the two clusters, the same PE gets comm_band_self
     * only where its cluster's own pair was given; everything else is 1
     * (bw_default).  A self bandwidth <= 0 means free transfers. */
    for (int a = 0; a < np; a++)
        for (int b = 0; b < np; b++) {
            int ca = p->pe_cluster[a], cb = p->pe_cluster[b];
            double given = p->bw != NULL ? p->bw[ca * p->n_clusters + cb] : 0;
            double v;
            if (a == b)
                v = given > 0 ? (p->bw_self > 0 ? p->bw_self : INFINITY) : p->bw_default;
            else
                v = given > 0 ? given : p->bw_default;
            e->bw[(size_t)a * (size_t)np + (size_t)b] = v;
        }
    return SOC_OK;
fail:
    return rc;
}

/* The constant parts of the scheduler view, and the scheduler instance. */
static int start_scheduler(soc_ds3_engine_t *e, soc_error_t *err)
{
    const soc_platform_t *p = &e->cfg->platform;
    soc_ds3_view_t *v = &e->view;
    v->struct_size = sizeof *v;
    v->platform = p;
    v->n_pes = e->n_pes;
    v->n_types = e->n_types;
    v->pes = e->pes;
    v->exec = e->exec;
    v->bw = e->bw;
    v->memory_pe = e->n_pes - 1;
    v->shared_memory = e->shared;
    v->avail = e->avail;
    v->lb_assigned = e->lb_assigned;
    const soc_sched_ops_t *ops = e->ops;
    if (ops->create == NULL)
        return SOC_OK;
    soc_sched_init_t init = {
        .struct_size = sizeof init,
        .platform = p,
        .n_apps = e->cfg->n_apps,
        .apps = e->cfg->apps,
        .arg = e->opts.sched_arg,
        .seed = (uint64_t)e->py_seed,
    };
    int rc = ops->create(&e->sched_state, &init);
    if (rc != SOC_OK)
        return soc_error_set(err, rc, e->cfg->source, 0, 0, "scheduler '%s' could not start: %s",
                             ops->name, soc_strerror(rc));
    return SOC_OK;
}

static int ds3_create(void **impl, const soc_config_t *cfg, const soc_sim_options_t *opts,
                      const void *ext, soc_error_t *err)
{
    const soc_ds3_run_t *run = ext;
    const soc_ds3_sched_ops_t *dops = NULL;
    const soc_ds3_engine_t *carry = NULL;
    int rc = check_run_inputs(opts, run, &dops, &carry, err);
    if (rc != SOC_OK)
        return rc;
    soc_ds3_engine_t *e = calloc(1, sizeof *e);
    if (e == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    e->cfg = cfg;
    e->opts = *opts;
    e->ops = opts->sched;
    e->ds3ops = dops;
    soc__lat_init(&e->lat);
    soc_ds3_options_from_config(&e->o_default, cfg);
    e->o = cfg->ds3 != NULL ? cfg->ds3 : &e->o_default;
    if ((rc = set_run_options(e, run, err)) != SOC_OK || (rc = set_mix(e, err)) != SOC_OK ||
        (rc = build_pe_tables(e, err)) != SOC_OK)
        goto fail;
    if ((rc = build_apps(e)) != SOC_OK || (rc = grow_work(e, 64)) != SOC_OK)
        FAIL(SOC_ENOMEM, "out of memory");
    /* random streams (DS3: random.seed / np.random.seed) */
    soc_py_seed(&e->py, e->py_seed);
    soc_np_seed(&e->np, e->np_seed);
    if ((rc = start_scheduler(e, err)) != SOC_OK)
        goto fail;
    /* DS3 always computes energy: the manager visits every sampling tick */
    if ((rc = soc__ds3p_create(&e->pw, cfg, err)) != SOC_OK)
        goto fail;
    soc__ds3p_set_sink(e->pw, opts->on_power, opts->power_user);
    if (carry != NULL && carry->pw != NULL)
        soc__ds3p_carry(e->pw, carry->pw);
    e->sample_ticks = POWER_HOOKS;
    e->l_max = -1;
    e->inj_snip = -1; /* DS3: the injection-snippet counter starts at -1 */
    *impl = e;
    return SOC_OK;
fail:
    ds3_destroy(e);
    return rc;
}

static void ds3_metrics(void *impl, soc_metrics_t *m)
{
    soc_ds3_engine_t *e = impl; /* quantiles sort in place */
    m->scheduler = e->ops->name;
    m->seed = (uint64_t)e->py_seed;
    m->injected_jobs = e->injected;
    m->completed_jobs = e->completed;
    m->tasks_completed = e->tasks_completed;
    m->avg_latency_us = e->completed > 0 ? e->cumul / (double)e->completed : 0;
    m->p50_latency_us = soc__lat_quantile_us(&e->lat, 0.50);
    m->p95_latency_us = soc__lat_quantile_us(&e->lat, 0.95);
    m->p99_latency_us = soc__lat_quantile_us(&e->lat, 0.99);
    m->max_latency_us = e->lat.max_us;
    m->makespan_us = e->exec_time - (double)e->warmup;
    m->sim_time_us = e->now;
    m->throughput_jobs_per_s = m->makespan_us > 0 ? (double)e->completed / m->makespan_us * 1e6 : 0;
    m->cumulative_latency_us = e->cumul;
    m->avg_concurrent_jobs = e->n_injections > 0 ? (double)e->sum_counter / (double)e->n_injections
                                                  : 0;
    m->n_pes = e->n_pes;
    for (int pe = 0; pe < e->n_pes; pe++)
        e->util[pe] = e->now > 0 ? e->busy_us[pe] / e->now : 0;
    m->pe_utilization = e->util;
    m->n_clusters = e->cfg->platform.n_clusters;
    soc__ds3p_metrics(e->pw, m);
}

const soc__engine_ops_t soc__ds3_engine = {
    .name = "ds3",
    .create = ds3_create,
    .destroy = ds3_destroy,
    .run = ds3_run,
    .metrics = ds3_metrics,
    /* whole runs only: no reset, no stepping (SOC_EUNSUPPORTED) */
};

int soc_ds3_sim_create(soc_sim_t **out, const soc_config_t *cfg, const soc_sim_options_t *opts,
                       const soc_ds3_run_t *run, soc_error_t *err)
{
    if (cfg != NULL && cfg->semantics != SOC_SEM_DS3) {
        if (out != NULL)
            *out = NULL;
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "soc_ds3_sim_create: the configuration is not in DS3 semantics");
    }
    if (run != NULL && run->struct_size < sizeof *run) {
        if (out != NULL)
            *out = NULL;
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "soc_ds3_run_t: bad struct_size");
    }
    return soc__sim_create_on(out, &soc__ds3_engine, cfg, opts, run, err);
}

int soc_ds3_sim_run_info(const soc_sim_t *sim, int64_t *scale, int *iteration)
{
    if (sim == NULL || sim->ops != &soc__ds3_engine)
        return SOC_EUNSUPPORTED;
    const soc_ds3_engine_t *e = sim->impl;
    if (scale != NULL)
        *scale = e->scale;
    if (iteration != NULL)
        *iteration = e->iteration;
    return SOC_OK;
}
