/*
 * sim.c -- the native discrete-event engine.
 *
 * The clock jumps from event to event (job arrivals, task completions, PE
 * wake-ups when input data arrives); it never visits empty instants.  Events
 * are ordered by (time, sequence number) in a binary heap, so equal times
 * replay in insertion order.  Time is an int64 count of nanoseconds: exact
 * integer arithmetic, bit-identical runs on every machine.
 *
 * After all events of one instant are processed, the instant is a decision
 * point if some task is ready and unassigned: the scheduler (or an RL agent
 * through the step interface) assigns tasks to PEs.  Each PE runs its
 * assigned tasks in key order (see soc/sched.h).
 *
 * Memory: jobs are allocated at arrival and freed at completion; schedule
 * records are streamed to a callback, latencies go to bounded statistics.
 * So memory is bounded by the jobs in flight, not by the jobs simulated.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "power_internal.h"
#include "sim_internal.h"
#include "soc/sim.h"
#include "stats.h"

/* ------------------------------------------------------------ events */

enum { EV_ARRIVAL = 0, EV_FINISH = 1, EV_WAKE = 2 };

typedef struct event {
    soc_time_t t;
    uint64_t seq;
    int kind;
    int pe;          /* FINISH, WAKE */
    uint64_t aux;    /* WAKE: PE wake version */
} event_t;

typedef struct heap {
    event_t *a;
    size_t n, cap;
} heap_t;

static int ev_less(const event_t *x, const event_t *y)
{
    if (x->t != y->t)
        return x->t < y->t;
    return x->seq < y->seq;
}

static int heap_push(heap_t *h, event_t e)
{
    if (h->n == h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 64;
        event_t *na = realloc(h->a, nc * sizeof *na);
        if (na == NULL)
            return SOC_ENOMEM;
        h->a = na;
        h->cap = nc;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&e, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
    return SOC_OK;
}

static event_t heap_pop(heap_t *h)
{
    event_t top = h->a[0];
    event_t last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const event_t *best = &last;
        if (l < h->n && ev_less(&h->a[l], best)) {
            m = l;
            best = &h->a[l];
        }
        if (r < h->n && ev_less(&h->a[r], best))
            m = r;
        if (m == i)
            break;
        h->a[i] = h->a[m];
        i = m;
    }
    if (h->n > 0)
        h->a[i] = last;
    return top;
}

/* ------------------------------------------------------------- jobs */

typedef struct tinst {
    soc_task_status_t status;
    int npred_left;
    int pe;
    soc_time_t start, finish;   /* planned while ASSIGNED, actual after */
    soc_time_t ready_at;
} tinst_t;

typedef struct job {
    uint64_t id;
    int app;
    int measured;
    int left;                   /* tasks not finished */
    soc_time_t arrival;
    tinst_t *t;
} job_t;

/* Open-addressing map job id -> job (linear probing, backward-shift
 * deletion); capacity a power of two, load <= 1/2. */
typedef struct jobmap {
    job_t **slot;
    size_t cap, n;
} jobmap_t;

static size_t jm_hash(uint64_t id, size_t cap)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id & (cap - 1);
}

static job_t *jm_get(const jobmap_t *m, uint64_t id)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = jm_hash(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
        job_t *j = m->slot[i];
        if (j == NULL)
            return NULL;
        if (j->id == id)
            return j;
    }
}

static int jm_put(jobmap_t *m, job_t *j);

static int jm_grow(jobmap_t *m)
{
    size_t nc = m->cap ? 2 * m->cap : 64;
    job_t **old = m->slot;
    size_t oc = m->cap;
    m->slot = calloc(nc, sizeof *m->slot);
    if (m->slot == NULL) {
        m->slot = old;
        return SOC_ENOMEM;
    }
    m->cap = nc;
    m->n = 0;
    for (size_t i = 0; i < oc; i++)
        if (old[i] != NULL)
            jm_put(m, old[i]);
    free(old);
    return SOC_OK;
}

static int jm_put(jobmap_t *m, job_t *j)
{
    if (2 * (m->n + 1) > m->cap) {
        int rc = jm_grow(m);
        if (rc != SOC_OK)
            return rc;
    }
    size_t i = jm_hash(j->id, m->cap);
    while (m->slot[i] != NULL)
        i = (i + 1) & (m->cap - 1);
    m->slot[i] = j;
    m->n++;
    return SOC_OK;
}

static void jm_del(jobmap_t *m, uint64_t id)
{
    size_t mask = m->cap - 1, i = jm_hash(id, m->cap);
    while (m->slot[i] != NULL && m->slot[i]->id != id)
        i = (i + 1) & mask;
    if (m->slot[i] == NULL)
        return;
    m->slot[i] = NULL;
    m->n--;
    /* backward shift: re-place the rest of the cluster */
    for (size_t k = (i + 1) & mask; m->slot[k] != NULL; k = (k + 1) & mask) {
        job_t *j = m->slot[k];
        m->slot[k] = NULL;
        size_t h = jm_hash(j->id, m->cap);
        while (m->slot[h] != NULL)
            h = (h + 1) & mask;
        m->slot[h] = j;
    }
}

/* -------------------------------------------------------------- PEs */

typedef struct pe_priv {
    int cap;               /* capacity of pes[i].slots */
    soc_slot_t *slots;     /* running task (if busy) first, then queue */
    uint64_t wake_version; /* WAKE events with another version are stale */
    uint64_t fin_version;  /* FINISH events too (a frequency change moves
                              the finish of the running task) */
    soc_time_t busy_since;
} pe_priv_t;

/* ------------------------------------------------------------ the sim */

struct soc_sim {
    const soc_config_t *cfg;
    soc_sim_options_t opts;
    soc_ds3_engine_t *ds3;      /* DS3 semantics: everything forwards */
    void *sched_state;
    int sched_live;
    gsl_rng *rng;
    uint64_t seed;

    soc_time_t now;
    uint64_t seq;
    heap_t heap;
    jobmap_t jobs;
    int done;
    int passed;
    int in_callback;

    /* injection */
    uint64_t next_job_id;
    int64_t injected_total;     /* all jobs injected */
    int64_t injected_measured;
    int arrival_pending;        /* an arrival event is in the heap */
    int blocked;                /* an arrival waits for a free slot */
    soc_time_t next_arrival;
    int next_app;               /* app of the blocked arrival */
    int trace_pos;
    soc_time_t warmup, end_time;
    int64_t max_jobs;
    soc_time_t *exec;           /* [n_pes * n_types] in ns, -1 unsupported */
    double *app_cdf;            /* [n_apps] cumulative mix */

    /* ready list: entries ordered by (job, task); assigned ones are
     * compacted away at the next decision point */
    soc_ready_t *ready;
    int n_ready, cap_ready, n_ready_live;

    /* PEs */
    int n_pes;
    soc_pe_state_t *pes;
    pe_priv_t *pp;

    /* metrics */
    soc_lat_stats_t lat;
    int64_t completed_measured;
    int64_t tasks_completed;
    int64_t deadline_misses, deadline_jobs;
    int jobs_in_system;
    double conc_sum;
    int64_t conc_n;
    soc_time_t first_measured_arrival, last_measured_completion;
    int have_first;
    double *util;
    soc_time_t age_base_sum;    /* sum of arrival times of jobs in system */

    /* power model (cfg->power_model), NULL when off */
    soc_power_t *pw;
    unsigned char *pw_changed;  /* [n_clusters] scratch */
    soc_error_t pw_err;

    soc_sim_api_t api;
    soc_view_t view;
    char sched_name[64];
};

static const soc_sim_api_t engine_api; /* defined below */

#define SIM(v) ((soc_sim_t *)(v)->engine)

/* ------------------------------------------------------------ helpers */

static soc_time_t exec_ns(const soc_sim_t *s, int type, int pe)
{
    return s->exec[(size_t)pe * (size_t)s->cfg->platform.n_types + (size_t)type];
}

static soc_time_t comm_ns(const soc_sim_t *s, double vol, int src, int dst)
{
    const soc_platform_t *p = &s->cfg->platform;
    if (vol <= 0)
        return 0;
    if (src == dst) {
        if (p->bw_self <= 0)
            return 0;
        return soc_time_from_us(vol / p->bw_self);
    }
    double lat = p->latency_us;
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        int mem = p->clusters[p->memory_cluster].first_pe;
        return soc_time_from_us(lat + vol / soc_platform_bandwidth(p, src, mem) +
                                vol / soc_platform_bandwidth(p, mem, dst));
    }
    return soc_time_from_us(lat + vol / soc_platform_bandwidth(p, src, dst));
}

static int push_event(soc_sim_t *s, soc_time_t t, int kind, int pe, uint64_t aux)
{
    event_t e = {t, s->seq++, kind, pe, aux};
    return heap_push(&s->heap, e);
}

/* Earliest arrival of t's inputs on pe (see soc_sim_api_t.data_ready). */
static soc_time_t data_ready_ns(const soc_sim_t *s, const job_t *j, int task,
                                int pe, int *unplaced)
{
    const soc_app_t *a = &s->cfg->apps[j->app];
    soc_time_t r = j->arrival;
    int miss = 0;
    for (int k = a->pred_off[task]; k < a->pred_off[task + 1]; k++) {
        const soc_edge_t *e = &a->edges[a->pred_edge[k]];
        const tinst_t *p = &j->t[e->src];
        if (p->pe < 0) {
            miss++;
            continue;
        }
        soc_time_t x = p->finish + comm_ns(s, e->volume, p->pe, pe);
        if (x > r)
            r = x;
    }
    if (unplaced != NULL)
        *unplaced = miss;
    return r;
}

static void pe_recompute_end(soc_sim_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    soc_time_t e = ps->busy ? ps->busy_until : s->now;
    for (int i = 0; i < ps->n_slots; i++)
        if (s->pp[pe].slots[i].finish > e)
            e = s->pp[pe].slots[i].finish;
    ps->plan_end = e;
}

static int ready_add(soc_sim_t *s, const job_t *j, int task)
{
    if (s->n_ready == s->cap_ready) {
        int nc = s->cap_ready ? 2 * s->cap_ready : 64;
        soc_ready_t *nr = realloc(s->ready, (size_t)nc * sizeof *nr);
        if (nr == NULL)
            return SOC_ENOMEM;
        s->ready = nr;
        s->cap_ready = nc;
        s->view.ready = nr;
    }
    /* keep (job, task) order: new entries usually go last */
    int i = s->n_ready;
    while (i > 0 && (s->ready[i - 1].ref.job > j->id ||
                     (s->ready[i - 1].ref.job == j->id &&
                      s->ready[i - 1].ref.task > task)))
        i--;
    memmove(&s->ready[i + 1], &s->ready[i], (size_t)(s->n_ready - i) * sizeof *s->ready);
    soc_ready_t *r = &s->ready[i];
    r->ref.job = j->id;
    r->ref.task = task;
    r->app = j->app;
    r->type = s->cfg->apps[j->app].tasks[task].type;
    r->ready_at = s->now;
    r->arrival = j->arrival;
    s->n_ready++;
    s->n_ready_live++;
    return SOC_OK;
}

/* Drop ready entries that were assigned since the last compaction. */
static void ready_compact(soc_sim_t *s)
{
    int w = 0;
    for (int i = 0; i < s->n_ready; i++) {
        job_t *j = jm_get(&s->jobs, s->ready[i].ref.job);
        if (j != NULL && j->t[s->ready[i].ref.task].status == SOC_TASK_READY)
            s->ready[w++] = s->ready[i];
    }
    s->n_ready = w;
    s->n_ready_live = w;
    s->view.n_ready = w;
}

/* ---------------------------------------------------------- dispatch */

/* Start the head of pe's queue if the PE is free and the head's inputs are
 * there; if they arrive later, schedule a wake-up at that time. */
static int pe_try_start(soc_sim_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    pe_priv_t *pp = &s->pp[pe];
    if (ps->busy || ps->n_slots == 0)
        return SOC_OK;
    soc_slot_t *head = &pp->slots[0];
    job_t *j = jm_get(&s->jobs, head->ref.job);
    tinst_t *ti = &j->t[head->ref.task];
    if (ti->npred_left > 0)
        return SOC_OK; /* re-tried when its last predecessor finishes */
    soc_time_t r = data_ready_ns(s, j, head->ref.task, pe, NULL);
    if (r > s->now) {
        pp->wake_version++;
        return push_event(s, r, EV_WAKE, pe, pp->wake_version);
    }
    const soc_app_t *a = &s->cfg->apps[j->app];
    soc_time_t d = exec_ns(s, a->tasks[head->ref.task].type, pe);
    if (s->pw != NULL)
        d = soc__power_task_start(s->pw, s->now, pe, d);
    soc_time_t planned_finish = head->finish;
    ti->status = SOC_TASK_RUNNING;
    ti->start = s->now;
    ti->finish = s->now + d;
    head->start = ti->start;
    head->finish = ti->finish;
    ps->busy = 1;
    ps->busy_until = ti->finish;
    pp->busy_since = s->now;
    /* plan_end is the latest planned finish: only a head that finishes
     * earlier than it was planned can lower it, then rescan */
    if (ti->finish > ps->plan_end)
        ps->plan_end = ti->finish;
    else if (ti->finish < planned_finish && planned_finish == ps->plan_end)
        pe_recompute_end(s, pe);
    return push_event(s, ti->finish, EV_FINISH, pe, pp->fin_version);
}

static int do_assign(soc_sim_t *s, soc_task_ref_t ref, int pe, soc_time_t start)
{
    job_t *j = jm_get(&s->jobs, ref.job);
    if (j == NULL || ref.task < 0 || ref.task >= s->cfg->apps[j->app].n_tasks)
        return SOC_ESCHED;
    tinst_t *ti = &j->t[ref.task];
    if (ti->status != SOC_TASK_WAITING && ti->status != SOC_TASK_READY)
        return SOC_ESCHED;
    if (pe < 0 || pe >= s->n_pes)
        return SOC_ESCHED;
    int type = s->cfg->apps[j->app].tasks[ref.task].type;
    soc_time_t d = exec_ns(s, type, pe);
    if (d < 0)
        return SOC_ESCHED;
    soc_pe_state_t *ps = &s->pes[pe];
    pe_priv_t *pp = &s->pp[pe];
    soc_time_t key;
    if (start == SOC_APPEND || start < 0) {
        key = data_ready_ns(s, j, ref.task, pe, NULL);
        if (key < ps->plan_end)
            key = ps->plan_end;
        if (key < s->now)
            key = s->now;
    } else {
        key = start < s->now ? s->now : start;
    }
    if (ps->n_slots == pp->cap) {
        int nc = pp->cap ? 2 * pp->cap : 8;
        soc_slot_t *ns = realloc(pp->slots, (size_t)nc * sizeof *ns);
        if (ns == NULL)
            return SOC_ENOMEM;
        pp->slots = ns;
        pp->cap = nc;
        ps->slots = ns;
    }
    /* upper bound on key: equal keys keep assignment order; never before
     * the running task */
    int lo = ps->busy ? 1 : 0, hi = ps->n_slots;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (pp->slots[mid].start <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&pp->slots[lo + 1], &pp->slots[lo], (size_t)(ps->n_slots - lo) * sizeof *pp->slots);
    pp->slots[lo].start = key;
    pp->slots[lo].finish = key + d;
    pp->slots[lo].ref = ref;
    ps->n_slots++;
    if (key + d > ps->plan_end)
        ps->plan_end = key + d;
    if (ti->status == SOC_TASK_READY)
        s->n_ready_live--;
    ti->status = SOC_TASK_ASSIGNED;
    ti->pe = pe;
    ti->start = key;
    ti->finish = key + d;
    return pe_try_start(s, pe);
}

/* ---------------------------------------------------------- injection */

static int draw_app(soc_sim_t *s)
{
    int n = s->cfg->n_apps;
    if (n == 1)
        return 0;
    double u = gsl_rng_uniform(s->rng);
    for (int a = 0; a < n - 1; a++)
        if (u < s->app_cdf[a])
            return a;
    return n - 1;
}

/* Time of the next arrival after one at `t`, or SOC_TIME_NEVER. */
static soc_time_t next_arrival_time(soc_sim_t *s, soc_time_t t)
{
    const soc_injection_t *in = &s->cfg->injection;
    switch (in->kind) {
    case SOC_ARRIVAL_POISSON:
        return t + soc_time_from_us(gsl_ran_exponential(s->rng, in->mean_us));
    case SOC_ARRIVAL_PERIODIC:
        return t + soc_time_from_us(in->mean_us);
    case SOC_ARRIVAL_TRACE:
    default:
        if (s->trace_pos >= in->n_times)
            return SOC_TIME_NEVER;
        return soc_time_from_us(in->times_us[s->trace_pos]);
    }
}

static int pick_app(soc_sim_t *s)
{
    const soc_injection_t *in = &s->cfg->injection;
    if (in->kind == SOC_ARRIVAL_TRACE && in->trace_apps != NULL &&
        in->trace_apps[s->trace_pos] >= 0)
        return in->trace_apps[s->trace_pos];
    return draw_app(s);
}

static int more_arrivals_wanted(const soc_sim_t *s)
{
    return s->max_jobs == 0 || s->injected_measured < s->max_jobs;
}

/* Schedule the arrival that follows one at time t. */
static int plan_next_arrival(soc_sim_t *s, soc_time_t t)
{
    if (!more_arrivals_wanted(s))
        return SOC_OK;
    soc_time_t nt = next_arrival_time(s, t);
    if (nt == SOC_TIME_NEVER || nt >= s->end_time)
        return SOC_OK;
    s->next_arrival = nt;
    s->arrival_pending = 1;
    return push_event(s, nt, EV_ARRIVAL, -1, 0);
}

static void release_task(soc_sim_t *s, job_t *j, int task, int *rc);

static int inject(soc_sim_t *s, int app)
{
    const soc_app_t *a = &s->cfg->apps[app];
    job_t *j = malloc(sizeof *j);
    if (j == NULL)
        return SOC_ENOMEM;
    j->t = calloc((size_t)a->n_tasks, sizeof *j->t);
    if (j->t == NULL) {
        free(j);
        return SOC_ENOMEM;
    }
    j->id = s->next_job_id++;
    j->app = app;
    j->arrival = s->now;
    j->left = a->n_tasks;
    j->measured = s->now >= s->warmup;
    int rc = jm_put(&s->jobs, j);
    if (rc != SOC_OK) {
        free(j->t);
        free(j);
        return rc;
    }
    s->injected_total++;
    if (j->measured) {
        s->injected_measured++;
        if (!s->have_first) {
            s->have_first = 1;
            s->first_measured_arrival = s->now;
        }
    }
    s->jobs_in_system++;
    s->age_base_sum += s->now;
    s->conc_sum += s->jobs_in_system;
    s->conc_n++;
    for (int t = 0; t < a->n_tasks; t++) {
        j->t[t].pe = -1;
        j->t[t].status = SOC_TASK_WAITING;
        j->t[t].npred_left = a->pred_off[t + 1] - a->pred_off[t];
    }
    for (int k = 0; k < a->n_tasks && rc == SOC_OK; k++) {
        int t = a->topo[k];
        if (j->t[t].npred_left == 0)
            release_task(s, j, t, &rc);
    }
    if (rc != SOC_OK)
        return rc;
    if (s->opts.sched != NULL && s->opts.sched->on_job_arrival != NULL) {
        ready_compact(s);
        s->in_callback = 1;
        rc = s->opts.sched->on_job_arrival(s->sched_state, &s->view, j->id);
        s->in_callback = 0;
        if (rc != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

static int handle_arrival(soc_sim_t *s)
{
    s->arrival_pending = 0;
    const soc_injection_t *in = &s->cfg->injection;
    int app = pick_app(s);
    if (in->kind == SOC_ARRIVAL_TRACE)
        s->trace_pos++;
    if (in->max_in_flight > 0 && s->jobs_in_system >= in->max_in_flight) {
        /* admission blocked: the job enters when a job leaves */
        s->blocked = 1;
        s->next_app = app;
        return SOC_OK;
    }
    int rc = inject(s, app);
    if (rc != SOC_OK)
        return rc;
    return plan_next_arrival(s, s->now);
}

/* ------------------------------------------------------- completions */

/* All predecessors of task are done: queue it or wake its PE. */
static void release_task(soc_sim_t *s, job_t *j, int task, int *rc)
{
    tinst_t *ti = &j->t[task];
    ti->ready_at = s->now;
    if (ti->status == SOC_TASK_WAITING) {
        ti->status = SOC_TASK_READY;
        *rc = ready_add(s, j, task);
    } else if (ti->status == SOC_TASK_ASSIGNED) {
        *rc = pe_try_start(s, ti->pe);
    }
}

static int job_complete(soc_sim_t *s, job_t *j)
{
    const soc_app_t *a = &s->cfg->apps[j->app];
    soc_time_t lat = s->now - j->arrival;
    int rc = SOC_OK;
    if (j->measured) {
        s->completed_measured++;
        s->last_measured_completion = s->now;
        rc = soc__lat_add(&s->lat, lat);
        if (a->deadline_us > 0) {
            s->deadline_jobs++;
            if (lat > soc_time_from_us(a->deadline_us))
                s->deadline_misses++;
        }
    }
    s->jobs_in_system--;
    s->age_base_sum -= j->arrival;
    jm_del(&s->jobs, j->id);
    free(j->t);
    free(j);
    if (rc != SOC_OK)
        return rc;
    if (s->max_jobs > 0 && s->completed_measured >= s->max_jobs)
        s->done = 1;
    if (s->blocked && !s->done) {
        s->blocked = 0;
        rc = inject(s, s->next_app);
        if (rc == SOC_OK)
            rc = plan_next_arrival(s, s->now);
    }
    return rc;
}

static int handle_finish(soc_sim_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    pe_priv_t *pp = &s->pp[pe];
    if (s->pw != NULL)
        soc__power_task_end(s->pw, s->now, pe);
    soc_slot_t done = pp->slots[0];
    memmove(&pp->slots[0], &pp->slots[1], (size_t)(ps->n_slots - 1) * sizeof *pp->slots);
    ps->n_slots--;
    ps->busy = 0;
    ps->busy_until = s->now;
    ps->busy_total += s->now - pp->busy_since;
    job_t *j = jm_get(&s->jobs, done.ref.job);
    const soc_app_t *a = &s->cfg->apps[j->app];
    tinst_t *ti = &j->t[done.ref.task];
    ti->status = SOC_TASK_DONE;
    s->tasks_completed++;
    if (s->opts.on_record != NULL) {
        soc_task_record_t rec = {
            .job = j->id, .app = j->app, .task = done.ref.task,
            .type = a->tasks[done.ref.task].type, .pe = pe,
            .arrival_us = soc_time_to_us(j->arrival),
            .start_us = soc_time_to_us(ti->start),
            .finish_us = soc_time_to_us(ti->finish),
            .global_id = -1, .freq_mhz = s->pw ? soc__power_task_freq(s->pw, pe) : 0};
        s->opts.on_record(s->opts.record_user, &rec);
    }
    int rc = SOC_OK;
    for (int k = a->succ_off[done.ref.task]; k < a->succ_off[done.ref.task + 1] && rc == SOC_OK; k++) {
        int succ = a->edges[a->succ_edge[k]].dst;
        if (--j->t[succ].npred_left == 0)
            release_task(s, j, succ, &rc);
    }
    if (rc != SOC_OK)
        return rc;
    /* the finished head ended now, so no later planned finish changed */
    if (ps->plan_end < s->now)
        ps->plan_end = s->now;
    rc = pe_try_start(s, pe);
    if (rc != SOC_OK)
        return rc;
    if (--j->left == 0)
        rc = job_complete(s, j);
    return rc;
}

/* A frequency change moved the running task of pe: new finish event. */
static int retime(soc_sim_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    pe_priv_t *pp = &s->pp[pe];
    if (!ps->busy)
        return SOC_OK;
    soc_time_t f = soc__power_retime(s->pw, s->now, pe);
    soc_slot_t *head = &pp->slots[0];
    job_t *j = jm_get(&s->jobs, head->ref.job);
    j->t[head->ref.task].finish = f;
    head->finish = f;
    ps->busy_until = f;
    pe_recompute_end(s, pe);
    pp->fin_version++;
    return push_event(s, f, EV_FINISH, pe, pp->fin_version);
}

/* Power steps (thermal model, governor epochs) due before the next event;
 * they come first at equal times.  Only while events remain: the run ends
 * with its last event. */
static int power_steps(soc_sim_t *s)
{
    const soc_platform_t *p = &s->cfg->platform;
    while (s->heap.n > 0) {
        soc_time_t tp = soc__power_next(s->pw);
        if (tp > s->heap.a[0].t || tp >= s->end_time)
            return SOC_OK;
        s->now = tp;
        int rc = soc__power_step(s->pw, tp, s->pw_changed, &s->pw_err);
        if (rc < 0)
            return rc;
        for (int c = 0; c < p->n_clusters && rc > 0; c++) {
            if (!s->pw_changed[c])
                continue;
            s->pw_changed[c] = 0;
            rc--;
            for (int k = 0; k < p->clusters[c].count; k++) {
                int r = retime(s, p->clusters[c].first_pe + k);
                if (r != SOC_OK)
                    return r;
            }
        }
    }
    return SOC_OK;
}

/* Process every event of the next instant.  Returns 0 when none is left
 * before the end of the run. */
static int advance(soc_sim_t *s, int *rc)
{
    *rc = SOC_OK;
    if (s->done || s->heap.n == 0)
        return 0;
    if (s->pw != NULL && (*rc = power_steps(s)) != SOC_OK)
        return 0;
    soc_time_t t = s->heap.a[0].t;
    if (t >= s->end_time) {
        s->now = s->end_time;
        return 0;
    }
    s->now = t;
    while (s->heap.n > 0 && s->heap.a[0].t == t && *rc == SOC_OK && !s->done) {
        event_t e = heap_pop(&s->heap);
        switch (e.kind) {
        case EV_ARRIVAL:
            *rc = handle_arrival(s);
            break;
        case EV_FINISH:
            if (e.aux == s->pp[e.pe].fin_version)
                *rc = handle_finish(s, e.pe);
            break;
        case EV_WAKE:
            if (e.aux == s->pp[e.pe].wake_version)
                *rc = pe_try_start(s, e.pe);
            break;
        }
    }
    return *rc == SOC_OK;
}

/* ----------------------------------------------------------- lifecycle */

static void free_state(soc_sim_t *s)
{
    if (s->sched_live && s->opts.sched->destroy != NULL)
        s->opts.sched->destroy(s->sched_state);
    s->sched_live = 0;
    s->sched_state = NULL;
    for (size_t i = 0; i < s->jobs.cap; i++)
        if (s->jobs.slot[i] != NULL) {
            free(s->jobs.slot[i]->t);
            free(s->jobs.slot[i]);
        }
    free(s->jobs.slot);
    memset(&s->jobs, 0, sizeof s->jobs);
    free(s->heap.a);
    memset(&s->heap, 0, sizeof s->heap);
    if (s->pp != NULL)
        for (int i = 0; i < s->n_pes; i++)
            free(s->pp[i].slots);
    free(s->pp);
    free(s->pes);
    s->pp = NULL;
    s->pes = NULL;
    free(s->ready);
    s->ready = NULL;
    s->n_ready = s->cap_ready = s->n_ready_live = 0;
    soc__lat_free(&s->lat);
    free(s->util);
    s->util = NULL;
}

static int init_state(soc_sim_t *s, uint64_t seed, soc_error_t *err)
{
    const soc_config_t *cfg = s->cfg;
    const soc_injection_t *in = &cfg->injection;
    s->seed = seed;
    gsl_rng_set(s->rng, (unsigned long)seed);
    s->now = 0;
    s->seq = 0;
    s->done = s->passed = s->in_callback = 0;
    s->next_job_id = 0;
    s->injected_total = s->injected_measured = 0;
    s->arrival_pending = s->blocked = 0;
    s->trace_pos = 0;
    s->completed_measured = s->tasks_completed = 0;
    s->deadline_misses = s->deadline_jobs = 0;
    s->jobs_in_system = 0;
    s->conc_sum = 0;
    s->conc_n = 0;
    s->first_measured_arrival = s->last_measured_completion = 0;
    s->have_first = 0;
    s->age_base_sum = 0;
    s->warmup = soc_time_from_us(in->warmup_us);
    s->end_time = in->sim_time_us > 0 ? soc_time_from_us(in->sim_time_us) : SOC_TIME_NEVER;
    s->max_jobs = in->max_jobs;
    soc__lat_init(&s->lat);
    memset(&s->pw_err, 0, sizeof s->pw_err);
    if (s->pw != NULL) {
        int rc = soc__power_reset(s->pw, err);
        if (rc != SOC_OK)
            return rc;
    }
    s->n_pes = cfg->platform.n_pes;
    s->pes = calloc((size_t)s->n_pes, sizeof *s->pes);
    s->pp = calloc((size_t)s->n_pes, sizeof *s->pp);
    s->util = calloc((size_t)s->n_pes, sizeof *s->util);
    if (s->pes == NULL || s->pp == NULL || s->util == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < s->n_pes; i++)
        s->pes[i].cluster = cfg->platform.pe_cluster[i];

    s->view.now = 0;
    s->view.platform = &cfg->platform;
    s->view.n_apps = cfg->n_apps;
    s->view.apps = cfg->apps;
    s->view.n_pes = s->n_pes;
    s->view.pes = s->pes;
    s->view.n_ready = 0;
    s->view.ready = NULL;
    s->view.api = &s->api;
    s->view.engine = s;

    if (s->opts.sched != NULL && s->opts.sched->create != NULL) {
        soc_sched_init_t init = {sizeof init, &cfg->platform, cfg->n_apps,
                                 cfg->apps, s->opts.sched_arg, seed, err};
        int rc = s->opts.sched->create(&s->sched_state, &init);
        if (rc != SOC_OK)
            return soc_error_set(err, rc, NULL, 0, 0,
                                 "scheduler '%s' could not start: %s",
                                 s->opts.sched->name, soc_strerror(rc));
        s->sched_live = 1;
    }
    /* first arrival */
    soc_time_t t0;
    if (in->kind == SOC_ARRIVAL_TRACE)
        t0 = next_arrival_time(s, 0);
    else
        t0 = soc_time_from_us(in->start_us);
    if (t0 != SOC_TIME_NEVER && t0 < s->end_time) {
        s->arrival_pending = 1;
        s->next_arrival = t0;
        if (push_event(s, t0, EV_ARRIVAL, -1, 0) != SOC_OK)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return SOC_OK;
}

int soc_sim_create(soc_sim_t **out, const soc_config_t *cfg,
                   const soc_sim_options_t *opts, soc_error_t *err)
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
                        ops->struct_size < offsetof(soc_sched_ops_t, ds3_schedule)))
        return soc_error_set(err, SOC_EPLUGIN_ABI, NULL, 0, 0,
                             "scheduler ops have ABI %u, expected %u",
                             ops->abi_version, SOC_SCHED_ABI_VERSION);
    soc_sim_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    s->cfg = cfg;
    s->opts = *opts;
    snprintf(s->sched_name, sizeof s->sched_name, "%s", ops ? ops->name : "external");
    if (cfg->semantics == SOC_SEM_DS3) {
        const soc_ds3_engine_t *carry = NULL;
        if (opts->struct_size >= offsetof(soc_sim_options_t, carry_from) + sizeof(void *) &&
            opts->carry_from != NULL)
            carry = opts->carry_from->ds3;
        int rc = soc__ds3_create(&s->ds3, cfg, opts, carry, err);
        if (rc != SOC_OK) {
            free(s);
            return rc;
        }
        *out = s;
        return SOC_OK;
    }
    if (ops != NULL && ops->schedule == NULL && ops->on_job_arrival == NULL) {
        free(s);
        return soc_error_set(err, SOC_EPLUGIN_ABI, NULL, 0, 0,
                             "scheduler '%s' has no schedule callback", ops->name);
    }
    s->api = engine_api;
    const soc_platform_t *p = &cfg->platform;
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    s->exec = malloc(sizeof *s->exec * (size_t)p->n_pes * (size_t)p->n_types);
    s->app_cdf = malloc(sizeof *s->app_cdf * (size_t)cfg->n_apps);
    if (s->rng == NULL || s->exec == NULL || s->app_cdf == NULL) {
        soc_sim_destroy(s);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int pe = 0; pe < p->n_pes; pe++)
        for (int t = 0; t < p->n_types; t++) {
            double us = soc_platform_exec_us(p, t, pe);
            s->exec[(size_t)pe * (size_t)p->n_types + (size_t)t] = us < 0 ? -1 : soc_time_from_us(us);
        }
    double acc = 0;
    for (int a = 0; a < cfg->n_apps; a++) {
        acc += cfg->apps[a].probability;
        s->app_cdf[a] = acc;
    }
    int rc;
    if (cfg->power_model) {
        rc = soc__power_create(&s->pw, cfg, opts->on_power, opts->power_user, err);
        if (rc == SOC_OK && (s->pw_changed = calloc((size_t)p->n_clusters, 1)) == NULL)
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        if (rc != SOC_OK) {
            soc_sim_destroy(s);
            return rc;
        }
    }
    rc = init_state(s, cfg->seed, err);
    if (rc != SOC_OK) {
        soc_sim_destroy(s);
        return rc;
    }
    *out = s;
    return SOC_OK;
}

void soc_sim_destroy(soc_sim_t *s)
{
    if (s == NULL)
        return;
    if (s->ds3 != NULL) {
        soc__ds3_destroy(s->ds3);
    } else {
        free_state(s);
    }
    if (s->rng != NULL)
        gsl_rng_free(s->rng);
    soc__power_destroy(s->pw);
    free(s->pw_changed);
    free(s->exec);
    free(s->app_cdf);
    free(s);
}

int soc_sim_reset(soc_sim_t *s, uint64_t seed, soc_error_t *err)
{
    if (s == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no simulation");
    if (s->ds3 != NULL)
        return soc_error_set(err, SOC_EUNSUPPORTED, NULL, 0, 0,
                             "reset is not available in DS3 semantics");
    free_state(s);
    return init_state(s, seed, err);
}

/* ------------------------------------------------------- stepping API */

int soc_sim_next_decision(soc_sim_t *s, soc_view_t **view, soc_error_t *err)
{
    if (s->ds3 != NULL)
        return soc_error_set(err, SOC_EUNSUPPORTED, NULL, 0, 0,
                             "stepping is not available in DS3 semantics");
    if (s->in_callback)
        return soc_error_set(err, SOC_ESTATE, NULL, 0, 0,
                             "soc_sim_next_decision called from a scheduler callback");
    int rc;
    for (;;) {
        if (s->done)
            break;
        if (!s->passed && s->n_ready_live > 0) {
            ready_compact(s);
            s->view.now = s->now;
            s->view.jobs_in_system = s->jobs_in_system;
            if (view != NULL)
                *view = &s->view;
            return 1;
        }
        s->passed = 0;
        if (!advance(s, &rc)) {
            if (rc != SOC_OK && s->pw_err.code != 0 && err != NULL && err->code == 0)
                *err = s->pw_err;
            if (rc != SOC_OK)
                return soc_error_set(err, rc, NULL, 0, 0,
                                     "simulation failed at t=%.3f us: %s",
                                     soc_time_to_us(s->now), soc_strerror(rc));
            break;
        }
    }
    /* the run is over: by its limits, or because nothing can happen */
    int stalled = !s->done && s->now < s->end_time && s->jobs_in_system > 0;
    s->done = 1;
    if (s->pw != NULL)
        soc__power_finish(s->pw, s->now);
    ready_compact(s);
    s->view.now = s->now;
    s->view.jobs_in_system = s->jobs_in_system;
    if (stalled)
        return soc_error_set(err, SOC_ESTALL, NULL, 0, 0,
                             "no progress possible at t=%.3f us: %d job(s) in the "
                             "system, %d ready task(s) never assigned by '%s'",
                             soc_time_to_us(s->now), s->jobs_in_system,
                             s->n_ready, s->sched_name);
    return 0;
}

int soc_sim_assign(soc_sim_t *s, soc_task_ref_t t, int pe, soc_time_t start)
{
    if (s == NULL || s->ds3 != NULL || s->done)
        return SOC_ESTATE;
    return do_assign(s, t, pe, start);
}

void soc_sim_pass(soc_sim_t *s)
{
    if (s != NULL)
        s->passed = 1;
}

soc_view_t *soc_sim_view(soc_sim_t *s)
{
    return s->ds3 != NULL ? NULL : &s->view;
}

double soc_sim_now_us(const soc_sim_t *s)
{
    return soc_time_to_us(s->now);
}

int soc_sim_done(const soc_sim_t *s)
{
    return s->done;
}

double soc_sim_jobs_age_sum_us(const soc_sim_t *s)
{
    return soc_time_to_us((soc_time_t)s->jobs_in_system * s->now - s->age_base_sum);
}

double soc_sim_energy_j(const soc_sim_t *s)
{
    if (s == NULL || s->ds3 != NULL || s->pw == NULL)
        return -1.0;
    return soc__power_energy_at(s->pw, s->now);
}

int soc_sim_run(soc_sim_t *s, soc_error_t *err)
{
    if (s == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no simulation");
    if (s->ds3 != NULL)
        return soc__ds3_run(s->ds3, err);
    if (s->opts.sched == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no scheduler");
    soc_view_t *v;
    int rc;
    while ((rc = soc_sim_next_decision(s, &v, err)) == 1) {
        if (s->opts.sched->schedule != NULL) {
            s->in_callback = 1;
            rc = s->opts.sched->schedule(s->sched_state, v);
            s->in_callback = 0;
            if (rc != SOC_OK)
                return soc_error_set(err, rc, NULL, 0, 0,
                                     "scheduler '%s' failed at t=%.3f us: %s",
                                     s->sched_name, soc_time_to_us(s->now),
                                     soc_strerror(rc));
        }
        soc_sim_pass(s);
    }
    return rc;
}

void soc_sim_metrics(const soc_sim_t *cs, soc_metrics_t *m)
{
    memset(m, 0, sizeof *m);
    if (cs->ds3 != NULL) {
        soc__ds3_metrics(cs->ds3, m);
        if (m->scheduler == NULL)
            m->scheduler = cs->sched_name;
        return;
    }
    soc_sim_t *s = (soc_sim_t *)cs; /* quantiles sort the sample in place */
    m->scheduler = s->sched_name;
    m->seed = s->seed;
    m->injected_jobs = s->injected_measured;
    m->completed_jobs = s->completed_measured;
    m->tasks_completed = s->tasks_completed;
    m->cumulative_latency_us = s->lat.sum_us;
    m->avg_latency_us = s->lat.n ? s->lat.sum_us / (double)s->lat.n : 0;
    m->p50_latency_us = soc__lat_quantile_us(&s->lat, 0.50);
    m->p95_latency_us = soc__lat_quantile_us(&s->lat, 0.95);
    m->p99_latency_us = soc__lat_quantile_us(&s->lat, 0.99);
    m->max_latency_us = s->lat.max_us;
    if (s->completed_measured > 0)
        m->makespan_us = soc_time_to_us(s->last_measured_completion - s->first_measured_arrival);
    m->sim_time_us = soc_time_to_us(s->now);
    m->throughput_jobs_per_s = m->makespan_us > 0
                                   ? (double)s->completed_measured / (m->makespan_us * 1e-6)
                                   : 0;
    m->avg_concurrent_jobs = s->conc_n ? s->conc_sum / (double)s->conc_n : 0;
    m->deadline_misses = s->deadline_misses;
    m->deadline_jobs = s->deadline_jobs;
    m->n_pes = s->n_pes;
    for (int i = 0; i < s->n_pes; i++) {
        soc_time_t busy = s->pes[i].busy_total;
        if (s->pes[i].busy)
            busy += s->now - s->pp[i].busy_since;
        s->util[i] = s->now > 0 ? (double)busy / (double)s->now : 0;
    }
    m->pe_utilization = s->util;
    m->n_clusters = s->cfg->platform.n_clusters;
    if (s->pw != NULL)
        soc__power_metrics(s->pw, m);
}

/* ----------------------------------------------------- view services */

static soc_time_t api_exec_time(const soc_view_t *v, int type, int pe)
{
    const soc_sim_t *s = SIM(v);
    if (type < 0 || type >= s->cfg->platform.n_types || pe < 0 || pe >= s->n_pes)
        return -1;
    return exec_ns(s, type, pe);
}

static soc_time_t api_comm_time(const soc_view_t *v, double volume, int src, int dst)
{
    const soc_sim_t *s = SIM(v);
    if (src < 0 || dst < 0 || src >= s->n_pes || dst >= s->n_pes)
        return 0;
    return comm_ns(s, volume, src, dst);
}

static soc_time_t api_data_ready(const soc_view_t *v, soc_task_ref_t t, int pe,
                                 int *unplaced)
{
    const soc_sim_t *s = SIM(v);
    const job_t *j = jm_get(&s->jobs, t.job);
    if (j == NULL || t.task < 0 || t.task >= s->cfg->apps[j->app].n_tasks || pe < 0 ||
        pe >= s->n_pes)
        return SOC_TIME_NEVER;
    return data_ready_ns(s, j, t.task, pe, unplaced);
}

static soc_time_t api_find_slot(const soc_view_t *v, int pe, soc_time_t ready,
                                soc_time_t dur, int insert)
{
    const soc_sim_t *s = SIM(v);
    if (pe < 0 || pe >= s->n_pes)
        return SOC_TIME_NEVER;
    const soc_pe_state_t *ps = &s->pes[pe];
    soc_time_t at = ready > s->now ? ready : s->now;
    if (!insert)
        return at > ps->plan_end ? at : ps->plan_end;
    soc_time_t prev_end = s->now;
    for (int i = 0; i < ps->n_slots; i++) {
        const soc_slot_t *sl = &ps->slots[i];
        soc_time_t st = at > prev_end ? at : prev_end;
        if (st + dur <= sl->start)
            return st;
        if (sl->finish > prev_end)
            prev_end = sl->finish;
    }
    return at > prev_end ? at : prev_end;
}

static int api_assign(soc_view_t *v, soc_task_ref_t t, int pe, soc_time_t start)
{
    return do_assign(SIM(v), t, pe, start);
}

static int api_task_info(const soc_view_t *v, soc_task_ref_t t, soc_task_info_t *out)
{
    const soc_sim_t *s = SIM(v);
    const job_t *j = jm_get(&s->jobs, t.job);
    if (j == NULL || t.task < 0 || t.task >= s->cfg->apps[j->app].n_tasks)
        return SOC_EINVAL;
    const tinst_t *ti = &j->t[t.task];
    out->status = ti->status;
    out->pe = ti->pe;
    out->start = ti->pe >= 0 ? ti->start : 0;
    out->finish = ti->pe >= 0 ? ti->finish : 0;
    return SOC_OK;
}

static int api_job_app(const soc_view_t *v, uint64_t job)
{
    const job_t *j = jm_get(&SIM(v)->jobs, job);
    return j ? j->app : -1;
}

static soc_time_t api_job_arrival(const soc_view_t *v, uint64_t job)
{
    const job_t *j = jm_get(&SIM(v)->jobs, job);
    return j ? j->arrival : SOC_TIME_NEVER;
}

static double api_uniform(const soc_view_t *v)
{
    return gsl_rng_uniform(SIM(v)->rng);
}

static uint64_t api_uniform_int(const soc_view_t *v, uint64_t n)
{
    if (n == 0)
        return 0;
    if (n <= gsl_rng_max(SIM(v)->rng))
        return gsl_rng_uniform_int(SIM(v)->rng, (unsigned long)n);
    return (uint64_t)(gsl_rng_uniform(SIM(v)->rng) * (double)n);
}

static const soc_sim_api_t engine_api = {
    sizeof(soc_sim_api_t), api_exec_time, api_comm_time, api_data_ready,
    api_find_slot, api_assign, api_task_info, api_job_app, api_job_arrival,
    api_uniform, api_uniform_int,
};

/* ------------------------------------------------------------- misc */

double soc_app_critical_path_us(const soc_platform_t *p, const soc_app_t *a)
{
    if (p == NULL || a == NULL || a->topo == NULL)
        return -1;
    double *eft = calloc((size_t)a->n_tasks, sizeof *eft);
    if (eft == NULL)
        return -1;
    double best = 0;
    for (int k = 0; k < a->n_tasks; k++) {
        int t = a->topo[k];
        double w = -1;
        for (int pe = 0; pe < p->n_pes; pe++) {
            double x = soc_platform_exec_us(p, a->tasks[t].type, pe);
            if (x >= 0 && (w < 0 || x < w))
                w = x;
        }
        double st = 0;
        for (int i = a->pred_off[t]; i < a->pred_off[t + 1]; i++) {
            double f = eft[a->edges[a->pred_edge[i]].src];
            if (f > st)
                st = f;
        }
        eft[t] = st + (w < 0 ? 0 : w);
        if (eft[t] > best)
            best = eft[t];
    }
    free(eft);
    return best;
}
