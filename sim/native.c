/*
 * native.c -- the native discrete-event engine (soc__native_engine, see
 * engine.h).
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

#include "engine.h"
#include "native_ext.h"
#include "net.h"
#include "power_internal.h"
#include "sim_internal.h"
#include "soc/sim.h"
#include "stats.h"

/* ------------------------------------------------------------ events */

enum { EV_ARRIVAL = 0, EV_FINISH = 1, EV_WAKE = 2, EV_NET = 3 /* contention: net.c */ };

typedef struct event {
    soc_time_t t;
    uint64_t seq;
    int kind;
    int pe;          /* FINISH, WAKE */
    uint64_t aux;    /* WAKE: PE wake version */
} event_t;

static inline int ev_less(const event_t *x, const event_t *y)
{
    if (x->t != y->t)
        return x->t < y->t;
    return x->seq < y->seq;
}

SOC__HEAP_DEFINE(evheap, event_t, ev_less)

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
    soc_time_t *xin;            /* contention: delivery of each edge's data
                                   (SOC_TIME_NEVER = not yet); else NULL */
    struct job *next_free;      /* in its application's pool */
} job_t;

/* A job is one allocation (the job, its task instances, its deliveries);
 * a completed job goes to its application's pool and the next job of that
 * application reuses it, so a steady run allocates nothing per job.  The
 * pools hold at most the jobs that were once in flight together. */
typedef struct jobpool {
    job_t **free;               /* [n_apps] lists of completed jobs */
    int n_apps;
} jobpool_t;

static job_t *job_alloc(jobpool_t *jp, const soc_app_t *a, int app, int net)
{
    job_t *j = jp->free[app];
    if (j != NULL) {
        jp->free[app] = j->next_free;
    } else {
        size_t nt = (size_t)a->n_tasks, ne = net ? (size_t)a->n_edges : 0;
        j = malloc(sizeof *j + sizeof *j->t * nt + sizeof *j->xin * ne);
        if (j == NULL)
            return NULL;
        j->t = (tinst_t *)(j + 1);
        j->xin = net ? (soc_time_t *)(j->t + nt) : NULL;
    }
    memset(j->t, 0, sizeof *j->t * (size_t)a->n_tasks);
    j->next_free = NULL;
    return j;
}

static void job_release(jobpool_t *jp, job_t *j)
{
    j->next_free = jp->free[j->app];
    jp->free[j->app] = j;
}

static void jobpool_free(jobpool_t *jp)
{
    for (int a = 0; jp->free != NULL && a < jp->n_apps; a++)
        while (jp->free[a] != NULL) {
            job_t *j = jp->free[a];
            jp->free[a] = j->next_free;
            free(j);
        }
    free(jp->free);
    jp->free = NULL;
}

/* Open-addressing map job id -> job (linear probing, backward-shift
 * deletion); capacity a power of two, load <= 1/2. */
typedef struct jobmap {
    job_t **slot;
    size_t cap, n;
    job_t *last;                /* the last job found (a one-entry cache) */
} jobmap_t;

static size_t jm_hash(uint64_t id, size_t cap)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id & (cap - 1);
}

/* The map is const for its readers; the cache is the one thing a lookup
 * writes (every jobmap_t lives in a mutable native_t). */
static job_t *jm_get(const jobmap_t *m, uint64_t id)
{
    if (m->last != NULL && m->last->id == id)
        return m->last;
    if (m->cap == 0)
        return NULL;
    for (size_t i = jm_hash(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
        job_t *j = m->slot[i];
        if (j == NULL)
            return NULL;
        if (j->id == id) {
            ((jobmap_t *)m)->last = j;
            return j;
        }
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
    if (m->last == m->slot[i])
        m->last = NULL;
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

/* A PE's queue is the contiguous array slots[0 .. n_slots) that schedulers
 * read through soc_pe_state_t.slots: it lives at buf[off ..] of an
 * allocation of cap slots, so that the finished head leaves by advancing
 * off (O(1)) and an insertion moves the shorter side (the slots before it
 * one place down when there is room in front, else the ones after it one
 * place up).  Room is made at the back by moving the queue to the front of
 * buf when it fills at most half of it, else by doubling buf: O(1)
 * amortised per operation. */
typedef struct pe_priv {
    int cap;               /* capacity of buf */
    int off;               /* slots == buf + off */
    soc_slot_t *buf;
    soc_slot_t *slots;     /* running task (if busy) first, then queue */
    uint64_t wake_version; /* WAKE events with another version are stale */
    uint64_t fin_version;  /* FINISH events too (a frequency change moves
                              the finish of the running task) */
    soc_time_t busy_since;
    /* issue 13: the running task's time was drawn (drawn = 1): its FINISH
     * event is at act_finish while the plan shows the estimate */
    int drawn;
    soc_time_t act_finish;
    uint64_t version;      /* api->pe_version: bumped by every change of
                              the queue or of plan_end */
} pe_priv_t;

/* Min-tree over the PEs' plan_end (api->pe_first_free, pe_earliest):
 * leaves at v[size + pe], padding INT64_MAX; built at the first query and
 * kept up to date from then on (pe_changed), so runs whose scheduler never
 * asks pay nothing. */
typedef struct soc__ptree {
    int size;              /* leaves: a power of two >= n_pes; 0 = off */
    soc_time_t *v;         /* [2 * size] */
} soc__ptree_t;

/* --------------------------------------------------- transfer times
 * The contention-free time of a transfer (docs/semantics.md): on the same
 * PE vol / bw_self, else latency + vol / bw(cluster pair) (shared memory:
 * + the write to and the read from the memory PE), rounded to the ns.
 * Bandwidths depend on the clusters only, so they are looked up once per
 * cluster pair; and data_ready, which evaluates the transfers of every
 * predecessor edge per call, reads the rounded times from a table per
 * application edge and ordered cluster pair (plus the same-PE value),
 * filled lazily: the values are the formula's own, bit for bit.  The
 * tables take at most SOC__XTAB_BUDGET entries in all; applications
 * beyond it (huge DAGs on many clusters) evaluate the formula. */

#ifndef SOC__XTAB_BUDGET
#define SOC__XTAB_BUDGET ((size_t)1 << 20)  /* int32 entries: 4 MiB */
#endif
/* An entry holds the time + 1; 0: not computed yet (calloc: pages never
 * read are never touched), SOC__XT_BIG: beyond int32, evaluated. */
#define SOC__XT_BIG (-1)

typedef struct soc__xfer {
    int nc, np;                 /* clusters; cluster pairs (nc * nc) */
    int shm;                    /* shared-memory mode with a memory PE */
    int mem_pe;                 /* that PE (the formula's special case), or -1 */
    int mem_cl;                 /* its cluster */
    double *cbw;                /* [nc * nc] bandwidth between distinct PEs */
    int32_t **tab;              /* [n_apps] per edge: np + 1 times, or NULL */
    unsigned char *tried;       /* [n_apps] tab[a] was sized (or refused) */
    size_t used;                /* entries allocated */
} soc__xfer_t;

/* ------------------------------------------------------------ the sim */

typedef struct native {
    const soc_config_t *cfg;
    soc_sim_options_t opts;
    void *sched_state;
    int sched_live;
    gsl_rng *rng;
    uint64_t seed;

    soc_time_t now;
    uint64_t seq;
    evheap_t heap;
    jobmap_t jobs;
    jobpool_t pool;
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
    soc__xfer_t xf;             /* contention-free transfer times */
    double *app_cdf;            /* [n_apps] cumulative mix */

    /* ready list: entries ordered by (job, task); assigned ones are
     * compacted away at the next decision point */
    soc_ready_t *ready;
    int n_ready, cap_ready, n_ready_live;
    job_t **ready_job;          /* [cap_ready] the job of each entry (pooled
                                   jobs stay allocated: an entry whose job
                                   completed sees another id) */

    /* PEs */
    int n_pes;
    soc_pe_state_t *pes;
    pe_priv_t *pp;
    soc__ptree_t pt;

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
    soc_error_t pw_err;         /* the power model's error, or the no-progress
                                   guard's (advance) */

    /* issue 13 (native_ext.h): drawn execution times, renewal/MMPP
     * arrivals and batches, the door (on_full), measured-window metrics */
    soc__exec_draws_t xd;
    soc__arrivals_t arr;
    soc__window_t win;
    int64_t door_left;          /* jobs of the current arrival not yet in */
    soc_time_t door_since;      /* when they arrived */

    /* interconnect contention (net.c), NULL with contention: none */
    soc__net_t *net;
    uint64_t net_version;       /* EV_NET events of other versions are stale */
    int net_pending;            /* a current EV_NET is in the heap */
    soc_time_t net_at;          /* ... at this time */
    int net_dirty;              /* transfers requested since the last
                                   net_schedule (done once per event) */

    soc_sim_api_t api;
    soc_view_t view;
    char sched_name[64];
} native_t;

static const soc_sim_api_t engine_api; /* defined below */

#define SIM(v) ((native_t *)(v)->engine)

/* ------------------------------------------------------------ helpers */

static soc_time_t exec_ns(const native_t *s, int type, int pe)
{
    return s->exec[(size_t)pe * (size_t)s->cfg->platform.n_types + (size_t)type];
}

/* The contention-free rule with soc_platform_bandwidth's values (the
 * reference; the memory PE's own transfers in shared-memory mode). */
static soc_time_t comm_ns_ref(const soc_platform_t *p, double vol, int src, int dst)
{
    double lat = p->latency_us;
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        int mem = p->clusters[p->memory_cluster].first_pe;
        return soc__time_from_us(lat + vol / soc_platform_bandwidth(p, src, mem) +
                                vol / soc_platform_bandwidth(p, mem, dst));
    }
    return soc__time_from_us(lat + vol / soc_platform_bandwidth(p, src, dst));
}

static soc_time_t comm_ns(const native_t *s, double vol, int src, int dst)
{
    const soc_platform_t *p = &s->cfg->platform;
    if (vol <= 0)
        return 0;
    if (src == dst) {
        if (p->bw_self <= 0)
            return 0;
        return soc__time_from_us(vol / p->bw_self);
    }
    if (s->net != NULL) /* contention: the transfer alone on the network */
        return soc__time_from_us(soc__net_alone_us(s->net, vol, src, dst));
    const soc__xfer_t *x = &s->xf;
    int a = p->pe_cluster[src], b = p->pe_cluster[dst];
    if (x->shm) {
        if (src == x->mem_pe || dst == x->mem_pe)
            return comm_ns_ref(p, vol, src, dst);
        return soc__time_from_us(p->latency_us + vol / x->cbw[a * x->nc + x->mem_cl] +
                                vol / x->cbw[x->mem_cl * x->nc + b]);
    }
    return soc__time_from_us(p->latency_us + vol / x->cbw[a * x->nc + b]);
}

static int xfer_init(soc__xfer_t *x, const soc_config_t *cfg)
{
    const soc_platform_t *p = &cfg->platform;
    memset(x, 0, sizeof *x);
    x->nc = p->n_clusters;
    x->np = x->nc * x->nc;
    x->mem_pe = -1;
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        x->shm = 1;
        x->mem_cl = p->memory_cluster;
        x->mem_pe = p->clusters[p->memory_cluster].first_pe;
    }
    x->cbw = malloc(sizeof *x->cbw * (size_t)(x->np > 0 ? x->np : 1));
    x->tab = calloc((size_t)(cfg->n_apps > 0 ? cfg->n_apps : 1), sizeof *x->tab);
    x->tried = calloc((size_t)(cfg->n_apps > 0 ? cfg->n_apps : 1), 1);
    if (x->cbw == NULL || x->tab == NULL || x->tried == NULL)
        return SOC_ENOMEM;
    /* soc_platform_bandwidth between distinct PEs of clusters a and b */
    for (int a = 0; a < x->nc; a++)
        for (int b = 0; b < x->nc; b++) {
            double v = p->bw != NULL ? p->bw[a * x->nc + b] : 0;
            x->cbw[a * x->nc + b] = v > 0 ? v : p->bw_default;
        }
    return SOC_OK;
}

static void xfer_free(soc__xfer_t *x, int n_apps)
{
    if (x->tab != NULL)
        for (int a = 0; a < n_apps; a++)
            free(x->tab[a]);
    free(x->tab);
    free(x->tried);
    free(x->cbw);
    memset(x, 0, sizeof *x);
}

/* The table of application `app`, sized at its first use; NULL with a
 * contention model, beyond the budget, or out of memory (then the formula
 * is evaluated: same values). */
static int32_t *xfer_tab(native_t *s, int app)
{
    soc__xfer_t *x = &s->xf;
    if (x->tried[app] || s->net != NULL)
        return x->tab[app];
    x->tried[app] = 1;
    size_t n = (size_t)s->cfg->apps[app].n_edges * (size_t)(x->np + 1);
    if (n == 0 || n > SOC__XTAB_BUDGET - x->used)
        return NULL;
    int32_t *t = calloc(n, sizeof *t);
    if (t == NULL)
        return NULL;
    x->tab[app] = t;
    x->used += n;
    return t;
}

/* Transfer time of edge k of application a from src to dst through its
 * table row (a PE pair of the general rule: not the memory PE). */
static inline soc_time_t xfer_edge(const native_t *s, int32_t *tab, const soc_app_t *a, int k,
                                   int src, int dst)
{
    const soc__xfer_t *x = &s->xf;
    const int *cl = s->cfg->platform.pe_cluster;
    int32_t *e = &tab[(size_t)k * (size_t)(x->np + 1) +
                      (size_t)(src == dst ? x->np : cl[src] * x->nc + cl[dst])];
    if (*e > 0)
        return *e - 1;
    soc_time_t v = comm_ns(s, a->edges[k].volume, src, dst);
    if (*e == 0)
        *e = v < INT32_MAX ? (int32_t)(v + 1) : SOC__XT_BIG;
    return v;
}

static int push_event(native_t *s, soc_time_t t, int kind, int pe, uint64_t aux)
{
    event_t e = {t, s->seq++, kind, pe, aux};
    return evheap_push(&s->heap, e) == 0 ? SOC_OK : SOC_ENOMEM;
}

/* pe's queue or plan_end changed: new version, and its leaf of the tree. */
static void pe_changed(native_t *s, int pe)
{
    s->pp[pe].version++;
    soc__ptree_t *pt = &s->pt;
    if (pt->size == 0)
        return;
    size_t i = (size_t)pt->size + (size_t)pe;
    if (pt->v[i] == s->pes[pe].plan_end)
        return;
    pt->v[i] = s->pes[pe].plan_end;
    for (i >>= 1; i > 0; i >>= 1) {
        soc_time_t m = pt->v[2 * i] < pt->v[2 * i + 1] ? pt->v[2 * i] : pt->v[2 * i + 1];
        if (pt->v[i] == m)
            break;
        pt->v[i] = m;
    }
}

static void pe_set_end(native_t *s, int pe, soc_time_t e)
{
    s->pes[pe].plan_end = e;
    pe_changed(s, pe);
}

/* Earliest arrival of t's inputs on pe (see soc_sim_api_t.data_ready). */
static soc_time_t data_ready_ns(const native_t *s, const job_t *j, int task,
                                int pe, int *unplaced)
{
    const soc_app_t *a = &s->cfg->apps[j->app];
    soc_time_t r = j->arrival;
    int miss = 0;
    int32_t *tab = s->xf.tab[j->app];
    if (pe == s->xf.mem_pe)
        tab = NULL;
    for (int k = a->pred_off[task]; k < a->pred_off[task + 1]; k++) {
        int ek = a->pred_edge[k];
        const soc_edge_t *e = &a->edges[ek];
        const tinst_t *p = &j->t[e->src];
        if (p->pe < 0) {
            miss++;
            continue;
        }
        soc_time_t x = p->finish + (tab != NULL && p->pe != s->xf.mem_pe
                                        ? xfer_edge(s, tab, a, ek, p->pe, pe)
                                        : comm_ns(s, e->volume, p->pe, pe));
        if (x > r)
            r = x;
    }
    if (unplaced != NULL)
        *unplaced = miss;
    return r;
}

static void pe_recompute_end(native_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    soc_time_t e = ps->busy ? ps->busy_until : s->now;
    for (int i = 0; i < ps->n_slots; i++)
        if (s->pp[pe].slots[i].finish > e)
            e = s->pp[pe].slots[i].finish;
    pe_set_end(s, pe, e);
}

static int ready_add(native_t *s, const job_t *j, int task)
{
    if (s->n_ready == s->cap_ready) {
        int nc = s->cap_ready ? 2 * s->cap_ready : 64;
        soc_ready_t *nr = realloc(s->ready, (size_t)nc * sizeof *nr);
        if (nr == NULL)
            return SOC_ENOMEM;
        s->ready = nr;
        job_t **nj = realloc(s->ready_job, (size_t)nc * sizeof *nj);
        if (nj == NULL)
            return SOC_ENOMEM;
        s->ready_job = nj;
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
    memmove(&s->ready_job[i + 1], &s->ready_job[i],
            (size_t)(s->n_ready - i) * sizeof *s->ready_job);
    s->ready_job[i] = (job_t *)j;
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
static void ready_compact(native_t *s)
{
    if (s->n_ready_live == s->n_ready) { /* none was assigned */
        s->view.n_ready = s->n_ready;
        return;
    }
    int w = 0;
    for (int i = 0; i < s->n_ready; i++) {
        const job_t *j = s->ready_job[i];
        if (j->id == s->ready[i].ref.job && j->t[s->ready[i].ref.task].status == SOC_TASK_READY) {
            s->ready_job[w] = s->ready_job[i];
            s->ready[w++] = s->ready[i];
        }
    }
    s->n_ready = w;
    s->n_ready_live = w;
    s->view.n_ready = w;
}

/* ------------------------------------------- contention hooks (net.c)
 * With a contention model, the data of an edge between two PEs is a
 * transfer through the network, requested as soon as the producer has
 * finished AND the consumer's PE is known (whichever comes last); the
 * consumer starts when every input has been delivered.  Data on the same
 * PE and pure precedence edges follow the contention-free rules.  See
 * docs/semantics.md "Contention". */

/* Keep one EV_NET event at the network's next instant (rounded to the
 * nearest nanosecond, never before now). */
static int net_schedule(native_t *s)
{
    s->net_dirty = 0;
    double t = soc__net_next(s->net);
    if (!isfinite(t))
        return SOC_OK;
    soc_time_t at = (soc_time_t)llround(t);
    if (at < s->now)
        at = s->now;
    if (s->net_pending && at == s->net_at)
        return SOC_OK;
    s->net_version++;
    s->net_pending = 1;
    s->net_at = at;
    return push_event(s, at, EV_NET, -1, s->net_version);
}

/* Request the transfer of edge k of job j (producer done, consumer placed)
 * when it crosses the network. */
static int net_request(native_t *s, job_t *j, int k)
{
    const soc_edge_t *e = &s->cfg->apps[j->app].edges[k];
    int src = j->t[e->src].pe, dst = j->t[e->dst].pe;
    if (e->volume <= 0 || src == dst)
        return SOC_OK;
    s->net_dirty = 1; /* EV_NET follows once the event or decision is done */
    return soc__net_start(s->net, (double)s->now, src, dst, e->volume, j->id, k, j->measured);
}

/* A task was placed: request its inputs whose producers are done. */
static int net_on_assign(native_t *s, job_t *j, int task)
{
    const soc_app_t *a = &s->cfg->apps[j->app];
    int rc = SOC_OK;
    for (int i = a->pred_off[task]; i < a->pred_off[task + 1] && rc == SOC_OK; i++)
        if (j->t[a->edges[a->pred_edge[i]].src].status == SOC_TASK_DONE)
            rc = net_request(s, j, a->pred_edge[i]);
    return rc;
}

/* A task finished: request its outputs to consumers already placed. */
static int net_on_finish(native_t *s, job_t *j, int task)
{
    const soc_app_t *a = &s->cfg->apps[j->app];
    int rc = SOC_OK;
    for (int i = a->succ_off[task]; i < a->succ_off[task + 1] && rc == SOC_OK; i++)
        if (j->t[a->edges[a->succ_edge[i]].dst].pe >= 0)
            rc = net_request(s, j, a->succ_edge[i]);
    return rc;
}

/* When every input of task is on pe (all predecessors done), else NEVER. */
static soc_time_t net_inputs_at(const native_t *s, const job_t *j, int task, int pe)
{
    const soc_app_t *a = &s->cfg->apps[j->app];
    soc_time_t r = j->arrival;
    for (int i = a->pred_off[task]; i < a->pred_off[task + 1]; i++) {
        int k = a->pred_edge[i];
        const soc_edge_t *e = &a->edges[k];
        const tinst_t *p = &j->t[e->src];
        soc_time_t x = e->volume <= 0 || p->pe == pe ? p->finish + comm_ns(s, e->volume, p->pe, pe)
                                                     : j->xin[k];
        if (x == SOC_TIME_NEVER)
            return SOC_TIME_NEVER;
        if (x > r)
            r = x;
    }
    return r;
}

static int pe_try_start(native_t *s, int pe);

/* EV_NET: deliver every transfer due now and wake the consumers' PEs. */
static int net_event(native_t *s)
{
    s->net_pending = 0;
    int rc = SOC_OK;
    for (;;) {
        double t = soc__net_next(s->net);
        if (!isfinite(t) || llround(t) > s->now || rc != SOC_OK)
            break;
        const soc__net_done_t *d;
        int nd;
        double at;
        rc = soc__net_step(s->net, &d, &nd, &at);
        for (int i = 0; i < nd && rc == SOC_OK; i++) {
            job_t *j = jm_get(&s->jobs, d[i].job);
            int c = s->cfg->apps[j->app].edges[d[i].edge].dst;
            j->xin[d[i].edge] = s->now;
            rc = soc__net_record(s->net, d[i].t_request, (double)s->now, d[i].volume,
                                 d[i].measured);
            if (rc == SOC_OK)
                rc = pe_try_start(s, j->t[c].pe);
        }
    }
    return rc == SOC_OK ? net_schedule(s) : rc;
}

/* ---------------------------------------------------------- dispatch */

/* Start the head of pe's queue if the PE is free and the head's inputs are
 * there; if they arrive later, schedule a wake-up at that time.  known_r:
 * the head's data-ready time on pe when the caller has it, else -1. */
static int pe_try_start_r(native_t *s, int pe, soc_time_t known_r)
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
    soc_time_t r = s->net != NULL ? net_inputs_at(s, j, head->ref.task, pe)
                   : known_r >= 0 ? known_r
                                  : data_ready_ns(s, j, head->ref.task, pe, NULL);
    if (r == SOC_TIME_NEVER)
        return SOC_OK; /* contention: re-tried when its data is delivered */
    if (r > s->now) {
        pp->wake_version++;
        return push_event(s, r, EV_WAKE, pe, pp->wake_version);
    }
    const soc_app_t *a = &s->cfg->apps[j->app];
    int type = a->tasks[head->ref.task].type;
    soc_time_t d = exec_ns(s, type, pe);
    /* issue 13: a distribution's actual time is drawn now (act); the plan
     * keeps showing the estimate d.  Without one, act == d. */
    soc_time_t act = soc__exec_actual(&s->xd, s->rng, ps->cluster, type, d);
    pp->drawn = soc__exec_drawn(&s->xd, ps->cluster, type);
    if (s->pw != NULL) {
        soc_time_t scaled = soc__power_task_start(s->pw, s->now, pe, act);
        d = pp->drawn ? soc__exec_rescale(0, d, act, scaled) : scaled;
        act = scaled;
    }
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
        pe_set_end(s, pe, ti->finish);
    else if (ti->finish < planned_finish && planned_finish == ps->plan_end)
        pe_recompute_end(s, pe);
    else
        pe_changed(s, pe); /* the head's slot changed */
    pp->act_finish = s->now + act;
    soc__window_busy(&s->win, pe, s->now, 1); /* issue 13 */
    return push_event(s, pp->act_finish, EV_FINISH, pe, pp->fin_version);
}

static int pe_try_start(native_t *s, int pe)
{
    return pe_try_start_r(s, pe, -1);
}

/* Open a free slot at index lo of pe's queue (0 <= lo <= n_slots): the
 * shorter side moves (see pe_priv_t).  The slots keep their order; slots
 * and pes[pe].slots may move. */
static int pe_slot_open(pe_priv_t *pp, soc_pe_state_t *ps, int lo)
{
    int n = ps->n_slots;
    if (pp->off > 0 && lo < n - lo) {
        /* the part before lo moves one place down */
        memmove(pp->slots - 1, pp->slots, (size_t)lo * sizeof *pp->slots);
        pp->off--;
    } else {
        if (pp->off + n == pp->cap) {
            if (pp->off > 0 && 2 * n <= pp->cap) {
                memmove(pp->buf, pp->slots, (size_t)n * sizeof *pp->slots);
                pp->off = 0;
            } else {
                int nc = pp->cap ? 2 * pp->cap : 8;
                soc_slot_t *nb = realloc(pp->buf, (size_t)nc * sizeof *nb);
                if (nb == NULL)
                    return SOC_ENOMEM;
                pp->buf = nb;
                pp->cap = nc;
            }
            pp->slots = pp->buf + pp->off;
        }
        memmove(&pp->slots[lo + 1], &pp->slots[lo], (size_t)(n - lo) * sizeof *pp->slots);
    }
    pp->slots = pp->buf + pp->off;
    ps->slots = pp->slots;
    ps->n_slots = n + 1;
    return SOC_OK;
}

/* The head of pe's queue leaves (O(1): the front offset advances). */
static soc_slot_t pe_slot_pop(pe_priv_t *pp, soc_pe_state_t *ps)
{
    soc_slot_t done = pp->slots[0];
    if (--ps->n_slots == 0)
        pp->off = 0;
    else
        pp->off++;
    pp->slots = pp->buf + pp->off;
    ps->slots = pp->slots;
    return done;
}

static int do_assign(native_t *s, soc_task_ref_t ref, int pe, soc_time_t start)
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
    soc_time_t key, dr = -1;
    if (start == SOC_APPEND || start < 0) {
        key = dr = data_ready_ns(s, j, ref.task, pe, NULL);
        if (key < ps->plan_end)
            key = ps->plan_end;
        if (key < s->now)
            key = s->now;
    } else {
        key = start < s->now ? s->now : start;
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
    if (pe_slot_open(pp, ps, lo) != SOC_OK)
        return SOC_ENOMEM;
    pp->slots[lo].start = key;
    pp->slots[lo].finish = key + d;
    pp->slots[lo].ref = ref;
    if (key + d > ps->plan_end)
        pe_set_end(s, pe, key + d);
    else
        pe_changed(s, pe);
    if (ti->status == SOC_TASK_READY)
        s->n_ready_live--;
    ti->status = SOC_TASK_ASSIGNED;
    ti->pe = pe;
    ti->start = key;
    ti->finish = key + d;
    if (s->net != NULL) { /* contention: the inputs start moving */
        int rc = net_on_assign(s, j, ref.task);
        if (rc != SOC_OK)
            return rc;
    }
    /* the new head's data-ready time is known (appended to an idle PE) */
    return pe_try_start_r(s, pe, lo == 0 ? dr : -1);
}

/* ---------------------------------------------------------- injection */

static int draw_app(native_t *s)
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
static soc_time_t next_arrival_time(native_t *s, soc_time_t t)
{
    const soc_injection_t *in = &s->cfg->injection;
    switch (in->kind) {
    case SOC_ARRIVAL_POISSON:
        return t + soc__time_from_us(gsl_ran_exponential(s->rng, in->mean_us));
    case SOC_ARRIVAL_PERIODIC:
        return t + soc__time_from_us(in->mean_us);
    case SOC_ARRIVAL_RENEWAL: /* issue 13 (arrivals.c) */
    case SOC_ARRIVAL_MMPP:
        return t + soc__time_from_us(soc__arrivals_gap_us(&s->arr, s->rng));
    case SOC_ARRIVAL_TRACE:
    default:
        if (s->trace_pos >= in->n_times)
            return SOC_TIME_NEVER;
        return soc__time_from_us(in->times_us[s->trace_pos]);
    }
}

static int pick_app(native_t *s)
{
    const soc_injection_t *in = &s->cfg->injection;
    if (in->kind == SOC_ARRIVAL_TRACE && in->trace_apps != NULL &&
        in->trace_apps[s->trace_pos] >= 0)
        return in->trace_apps[s->trace_pos];
    return draw_app(s);
}

static int more_arrivals_wanted(const native_t *s)
{
    return s->max_jobs == 0 || s->injected_measured < s->max_jobs;
}

/* Schedule the arrival that follows one at time t. */
static int plan_next_arrival(native_t *s, soc_time_t t)
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

static void release_task(native_t *s, job_t *j, int task, int *rc);

static int inject(native_t *s, int app)
{
    const soc_app_t *a = &s->cfg->apps[app];
    xfer_tab(s, app); /* its transfer table, at the first job of app */
    job_t *j = job_alloc(&s->pool, a, app, s->net != NULL);
    if (j == NULL)
        return SOC_ENOMEM;
    if (s->net != NULL) /* contention: no data delivered yet */
        for (int k = 0; k < a->n_edges; k++)
            j->xin[k] = SOC_TIME_NEVER;
    j->id = s->next_job_id++;
    j->app = app;
    j->arrival = s->now;
    j->left = a->n_tasks;
    j->measured = s->now >= s->warmup;
    int rc = jm_put(&s->jobs, j);
    if (rc != SOC_OK) {
        job_release(&s->pool, j);
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

/* The jobs of the current arrival go in one by one, each one's application
 * drawn when it reaches the door.  At a full door (max_in_flight) the job
 * waits and the source pauses until a job leaves (on_full: wait), or it is
 * lost (on_full: drop).  When all are in, the next arrival is planned.
 * With one job per arrival and no drops this is the admission of before
 * issue 13, draw for draw. */
static int admit(native_t *s)
{
    const soc_injection_t *in = &s->cfg->injection;
    while (s->door_left > 0 && more_arrivals_wanted(s)) {
        int app, waited = s->blocked;
        if (s->blocked) {
            app = s->next_app;
        } else {
            app = pick_app(s);
            if (in->kind == SOC_ARRIVAL_TRACE)
                s->trace_pos++;
        }
        if (in->max_in_flight > 0 && s->jobs_in_system >= in->max_in_flight) {
            if (in->on_full == SOC_ON_FULL_DROP) {
                soc__window_drop(&s->win, s->now, s->now >= s->warmup);
                s->door_left--;
                continue;
            }
            /* admission blocked: the job enters when a job leaves */
            s->blocked = 1;
            s->next_app = app;
            return SOC_OK;
        }
        s->blocked = 0;
        int rc = inject(s, app);
        if (rc != SOC_OK)
            return rc;
        soc__window_job_in(&s->win, s->now, s->now >= s->warmup, s->now - s->door_since,
                           waited || s->now > s->door_since);
        s->door_left--;
    }
    s->door_left = 0;
    return plan_next_arrival(s, s->now);
}

static int handle_arrival(native_t *s)
{
    s->arrival_pending = 0;
    s->door_left = soc__arrivals_batch(&s->arr, s->rng); /* issue 13: 1 without batch */
    s->door_since = s->now;
    return admit(s);
}

/* ------------------------------------------------------- completions */

/* All predecessors of task are done: queue it or wake its PE. */
static void release_task(native_t *s, job_t *j, int task, int *rc)
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

static int job_complete(native_t *s, job_t *j)
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
            if (lat > soc__time_from_us(a->deadline_us))
                s->deadline_misses++;
        }
    }
    if (rc == SOC_OK) /* issue 13: per-application figures, Little's L */
        rc = soc__window_job_out(&s->win, s->now, j->app, j->measured, lat,
                                 a->deadline_us > 0 ? 1 + (lat > soc__time_from_us(a->deadline_us))
                                                    : 0);
    s->jobs_in_system--;
    s->age_base_sum -= j->arrival;
    jm_del(&s->jobs, j->id);
    job_release(&s->pool, j);
    if (rc != SOC_OK)
        return rc;
    if (s->max_jobs > 0 && s->completed_measured >= s->max_jobs)
        s->done = 1;
    if (s->blocked && !s->done)
        rc = admit(s);
    return rc;
}

static int handle_finish(native_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    pe_priv_t *pp = &s->pp[pe];
    if (s->pw != NULL)
        soc__power_task_end(s->pw, s->now, pe);
    soc_slot_t done = pe_slot_pop(pp, ps);
    ps->busy = 0;
    ps->busy_until = s->now;
    ps->busy_total += s->now - pp->busy_since;
    soc__window_busy(&s->win, pe, s->now, 0); /* issue 13 */
    job_t *j = jm_get(&s->jobs, done.ref.job);
    const soc_app_t *a = &s->cfg->apps[j->app];
    tinst_t *ti = &j->t[done.ref.task];
    ti->status = SOC_TASK_DONE;
    ti->finish = s->now; /* the actual finish (a drawn task's plan showed its estimate) */
    s->tasks_completed++;
    if (s->net != NULL) { /* contention: outputs to placed consumers */
        int rc = net_on_finish(s, j, done.ref.task);
        if (rc != SOC_OK)
            return rc;
    }
    if (s->opts.on_record != NULL) {
        soc_task_record_t rec = {
            .job = j->id, .app = j->app, .task = done.ref.task,
            .type = a->tasks[done.ref.task].type, .pe = pe,
            .arrival_us = soc_time_to_us(j->arrival),
            .start_us = soc_time_to_us(ti->start),
            .finish_us = soc_time_to_us(ti->finish),
            .freq_mhz = s->pw ? soc__power_task_freq(s->pw, pe) : 0};
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
        pe_set_end(s, pe, s->now);
    else
        pe_changed(s, pe); /* the head left */
    if (pp->drawn) { /* issue 13: plan_end may still be its estimated finish */
        pp->drawn = 0;
        pe_recompute_end(s, pe);
    }
    rc = pe_try_start(s, pe);
    if (rc != SOC_OK)
        return rc;
    if (--j->left == 0)
        rc = job_complete(s, j);
    return rc;
}

/* A frequency change moved the running task of pe: new finish event. */
static int retime(native_t *s, int pe)
{
    soc_pe_state_t *ps = &s->pes[pe];
    pe_priv_t *pp = &s->pp[pe];
    if (!ps->busy)
        return SOC_OK;
    soc_time_t f = soc__power_retime(s->pw, s->now, pe);
    soc_slot_t *head = &pp->slots[0];
    job_t *j = jm_get(&s->jobs, head->ref.job);
    /* issue 13: a drawn task keeps showing its (rescaled) estimate */
    soc_time_t vis = pp->drawn ? soc__exec_rescale(s->now, head->finish, pp->act_finish, f) : f;
    pp->act_finish = f;
    j->t[head->ref.task].finish = vis;
    head->finish = vis;
    ps->busy_until = vis;
    pe_recompute_end(s, pe);
    pp->fin_version++;
    return push_event(s, f, EV_FINISH, pe, pp->fin_version);
}

/* Power steps (thermal model, governor epochs) due before the next event;
 * they come first at equal times.  Only while events remain: the run ends
 * with its last event. */
static int power_steps(native_t *s)
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
#define SOC__MAX_ARRIVALS_PER_INSTANT (1 << 20)

static int advance(native_t *s, int *rc)
{
    *rc = SOC_OK;
    if (s->net_dirty && (*rc = net_schedule(s)) != SOC_OK) /* requests of a decision */
        return 0;
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
    /* No-progress guard: the loader refuses periods and means below 1 ns,
     * but random inter-arrival draws (or a trace) could still put more
     * arrivals on one instant than any real run has -- stop rather than
     * fill memory without time ever advancing. */
    int64_t arrivals_here = 0;
    while (s->heap.n > 0 && s->heap.a[0].t == t && *rc == SOC_OK && !s->done) {
        event_t e = evheap_pop(&s->heap);
        switch (e.kind) {
        case EV_ARRIVAL:
            if (++arrivals_here > SOC__MAX_ARRIVALS_PER_INSTANT) {
                *rc = soc_error_set(&s->pw_err, SOC_ESTALL, NULL, 0, 0,
                                    "cannot make progress: more than %d arrivals at t=%.3f us "
                                    "and time does not advance (inter-arrival times round to "
                                    "0 ns)",
                                    SOC__MAX_ARRIVALS_PER_INSTANT, soc_time_to_us(t));
                break;
            }
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
        case EV_NET:
            if (e.aux == s->net_version)
                *rc = net_event(s);
            break;
        }
        if (s->net_dirty && *rc == SOC_OK) /* the event's requests */
            *rc = net_schedule(s);
    }
    return *rc == SOC_OK;
}

/* ----------------------------------------------------------- lifecycle */

static void free_state(native_t *s)
{
    if (s->sched_live && s->opts.sched->destroy != NULL)
        s->opts.sched->destroy(s->sched_state);
    s->sched_live = 0;
    s->sched_state = NULL;
    for (size_t i = 0; i < s->jobs.cap; i++)
        if (s->jobs.slot[i] != NULL)
            free(s->jobs.slot[i]);
    free(s->jobs.slot);
    memset(&s->jobs, 0, sizeof s->jobs);
    jobpool_free(&s->pool);
    evheap_free(&s->heap);
    if (s->pp != NULL)
        for (int i = 0; i < s->n_pes; i++)
            free(s->pp[i].buf);
    free(s->pp);
    free(s->pes);
    free(s->pt.v);
    memset(&s->pt, 0, sizeof s->pt);
    s->pp = NULL;
    s->pes = NULL;
    free(s->ready);
    free(s->ready_job);
    s->ready = NULL;
    s->ready_job = NULL;
    s->n_ready = s->cap_ready = s->n_ready_live = 0;
    soc__lat_free(&s->lat);
    free(s->util);
    s->util = NULL;
}

static int init_state(native_t *s, uint64_t seed, soc_error_t *err)
{
    const soc_config_t *cfg = s->cfg;
    const soc_injection_t *in = &cfg->injection;
    s->seed = seed;
    if (soc__rng_seed(s->rng, seed) != SOC_OK)
        return soc_error_set(err, SOC_EMATH, NULL, 0, 0, "cannot seed the random generator");
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
    s->warmup = soc__time_from_us(in->warmup_us);
    s->end_time = in->sim_time_us > 0 ? soc__time_from_us(in->sim_time_us) : SOC_TIME_NEVER;
    s->max_jobs = in->max_jobs;
    soc__lat_init(&s->lat);
    soc__window_reset(&s->win); /* issue 13 */
    soc__arrivals_reset(&s->arr);
    s->door_left = 0;
    if (s->net != NULL) {
        soc__net_reset(s->net);
        soc__net_set_warmup(s->net, (double)s->warmup);
    }
    s->net_pending = s->net_dirty = 0;
    memset(&s->pw_err, 0, sizeof s->pw_err);
    if (s->pw != NULL) {
        int rc = soc__power_reset(s->pw, err);
        if (rc != SOC_OK)
            return rc;
    }
    s->pool.n_apps = cfg->n_apps;
    s->pool.free = calloc((size_t)(cfg->n_apps > 0 ? cfg->n_apps : 1), sizeof *s->pool.free);
    s->n_pes = cfg->platform.n_pes;
    s->pes = calloc((size_t)s->n_pes, sizeof *s->pes);
    s->pp = calloc((size_t)s->n_pes, sizeof *s->pp);
    s->util = calloc((size_t)s->n_pes, sizeof *s->util);
    if (s->pes == NULL || s->pp == NULL || s->util == NULL || s->pool.free == NULL)
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
        t0 = soc__time_from_us(in->start_us);
    if (t0 != SOC_TIME_NEVER && t0 < s->end_time) {
        s->arrival_pending = 1;
        s->next_arrival = t0;
        if (push_event(s, t0, EV_ARRIVAL, -1, 0) != SOC_OK)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return SOC_OK;
}

static void native_destroy(void *impl);

static int native_create(void **impl, const soc_config_t *cfg, const soc_sim_options_t *opts,
                         const void *ext, soc_error_t *err)
{
    (void)ext;
    const soc_sched_ops_t *ops = opts->sched;
    if (ops != NULL && ops->schedule == NULL && ops->on_job_arrival == NULL)
        return soc_error_set(err, SOC_EPLUGIN_ABI, NULL, 0, 0,
                             "scheduler '%s' has no schedule callback", ops->name);
    native_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    s->cfg = cfg;
    s->opts = *opts;
    snprintf(s->sched_name, sizeof s->sched_name, "%s", ops ? ops->name : "external");
    s->api = engine_api;
    const soc_platform_t *p = &cfg->platform;
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    s->exec = malloc(sizeof *s->exec * (size_t)p->n_pes * (size_t)p->n_types);
    s->app_cdf = malloc(sizeof *s->app_cdf * (size_t)cfg->n_apps);
    if (s->rng == NULL || s->exec == NULL || s->app_cdf == NULL) {
        native_destroy(s);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int pe = 0; pe < p->n_pes; pe++)
        for (int t = 0; t < p->n_types; t++) {
            double us = soc_platform_exec_us(p, t, pe);
            s->exec[(size_t)pe * (size_t)p->n_types + (size_t)t] = us < 0 ? -1 : soc__time_from_us(us);
        }
    double acc = 0;
    for (int a = 0; a < cfg->n_apps; a++) {
        acc += cfg->apps[a].probability;
        s->app_cdf[a] = acc;
    }
    int rc;
    /* issue 13: drawn times, arrival processes, measured-window metrics */
    if (xfer_init(&s->xf, cfg) != SOC_OK ||
        soc__exec_draws_init(&s->xd, p) != SOC_OK ||
        soc__arrivals_init(&s->arr, &cfg->injection) != SOC_OK ||
        soc__window_init(&s->win, cfg) != SOC_OK) {
        native_destroy(s);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* issue 14: the interconnect's contention model */
    if (p->contention != NULL && p->contention->model != SOC_NET_NONE &&
        (rc = soc__net_create(&s->net, p, SOC_NS_PER_US, 1, err)) != SOC_OK) {
        native_destroy(s);
        return rc;
    }
    if (cfg->power_model) {
        rc = soc__power_create(&s->pw, cfg, opts->on_power, opts->power_user, err);
        if (rc == SOC_OK && (s->pw_changed = calloc((size_t)p->n_clusters, 1)) == NULL)
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        if (rc != SOC_OK) {
            native_destroy(s);
            return rc;
        }
    }
    rc = init_state(s, cfg->seed, err);
    if (rc != SOC_OK) {
        native_destroy(s);
        return rc;
    }
    *impl = s;
    return SOC_OK;
}

static void native_destroy(void *impl)
{
    native_t *s = impl;
    if (s == NULL)
        return;
    free_state(s);
    if (s->rng != NULL)
        gsl_rng_free(s->rng);
    soc__power_destroy(s->pw);
    soc__net_destroy(s->net);
    free(s->pw_changed);
    free(s->exec);
    xfer_free(&s->xf, s->cfg->n_apps);
    free(s->app_cdf);
    soc__exec_draws_free(&s->xd); /* issue 13 */
    soc__arrivals_free(&s->arr);
    soc__window_free(&s->win);
    free(s);
}

static int native_reset(void *impl, uint64_t seed, soc_error_t *err)
{
    native_t *s = impl;
    free_state(s);
    return init_state(s, seed, err);
}

/* ------------------------------------------------------- stepping API */

static int native_next_decision(void *impl, soc_view_t **view, soc_error_t *err)
{
    native_t *s = impl;
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

static int native_assign(void *impl, soc_task_ref_t t, int pe, soc_time_t start)
{
    native_t *s = impl;
    if (s->done)
        return SOC_ESTATE;
    return do_assign(s, t, pe, start);
}

static void native_pass(void *impl)
{
    ((native_t *)impl)->passed = 1;
}

static soc_view_t *native_view(void *impl)
{
    return &((native_t *)impl)->view;
}

static double native_now_us(const void *impl)
{
    return soc_time_to_us(((const native_t *)impl)->now);
}

static int native_done(const void *impl)
{
    return ((const native_t *)impl)->done;
}

static double native_jobs_age_sum_us(const void *impl)
{
    const native_t *s = impl;
    return soc_time_to_us((soc_time_t)s->jobs_in_system * s->now - s->age_base_sum);
}

static double native_energy_j(const void *impl)
{
    const native_t *s = impl;
    return s->pw != NULL ? soc__power_energy_at(s->pw, s->now) : -1.0;
}

static int native_run(void *impl, soc_error_t *err)
{
    native_t *s = impl;
    if (s->opts.sched == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no scheduler");
    soc_view_t *v;
    int rc;
    while ((rc = native_next_decision(s, &v, err)) == 1) {
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
        native_pass(s);
    }
    return rc;
}

static void native_metrics(void *impl, soc_metrics_t *m)
{
    native_t *s = impl; /* quantiles sort the sample in place */
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
    soc__window_metrics(&s->win, s->now, m); /* issue 13, after the energy */
    if (s->net != NULL)
        soc__net_metrics(s->net, (double)s->now, m);
}

/* ----------------------------------------------------- view services */

static soc_time_t api_exec_time(const soc_view_t *v, int type, int pe)
{
    const native_t *s = SIM(v);
    if (type < 0 || type >= s->cfg->platform.n_types || pe < 0 || pe >= s->n_pes)
        return -1;
    return exec_ns(s, type, pe);
}

static soc_time_t api_comm_time(const soc_view_t *v, double volume, int src, int dst)
{
    const native_t *s = SIM(v);
    if (src < 0 || dst < 0 || src >= s->n_pes || dst >= s->n_pes)
        return 0;
    return comm_ns(s, volume, src, dst);
}

/* Under the current load (contention); comm_time otherwise. */
static soc_time_t api_comm_time_now(const soc_view_t *v, double volume, int src, int dst)
{
    native_t *s = SIM(v);
    if (src < 0 || dst < 0 || src >= s->n_pes || dst >= s->n_pes)
        return 0;
    if (s->net == NULL || volume <= 0 || src == dst)
        return comm_ns(s, volume, src, dst);
    return soc__time_from_us(soc__net_now_us(s->net, (double)s->now, volume, src, dst));
}

static soc_time_t api_data_ready(const soc_view_t *v, soc_task_ref_t t, int pe,
                                 int *unplaced)
{
    const native_t *s = SIM(v);
    const job_t *j = jm_get(&s->jobs, t.job);
    if (j == NULL || t.task < 0 || t.task >= s->cfg->apps[j->app].n_tasks || pe < 0 ||
        pe >= s->n_pes)
        return SOC_TIME_NEVER;
    return data_ready_ns(s, j, t.task, pe, unplaced);
}

static soc_time_t api_find_slot(const soc_view_t *v, int pe, soc_time_t ready,
                                soc_time_t dur, int insert)
{
    const native_t *s = SIM(v);
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
    const native_t *s = SIM(v);
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

/* Build the tree over plan_end (at the first query). */
static int pt_build(native_t *s)
{
    soc__ptree_t *pt = &s->pt;
    int size = 1;
    while (size < s->n_pes)
        size *= 2;
    pt->v = malloc(sizeof *pt->v * 2 * (size_t)size);
    if (pt->v == NULL)
        return SOC_ENOMEM;
    for (int i = 0; i < size; i++)
        pt->v[size + i] = i < s->n_pes ? s->pes[i].plan_end : INT64_MAX;
    for (int i = size - 1; i > 0; i--)
        pt->v[i] = pt->v[2 * i] < pt->v[2 * i + 1] ? pt->v[2 * i] : pt->v[2 * i + 1];
    pt->size = size;
    return SOC_OK;
}

/* The nodes that cover leaves [lo, hi) exactly, left to right, into
 * c[] (at most 2 per level): those of the left edge as the walk goes up,
 * then those of the right edge in reverse.  Returns their number. */
static int pt_cover(const soc__ptree_t *pt, int lo, int hi, size_t *c)
{
    size_t right[64];
    int n = 0, nr = 0;
    for (size_t a = (size_t)pt->size + (size_t)lo, b = (size_t)pt->size + (size_t)hi; a < b;
         a >>= 1, b >>= 1) {
        if (a & 1)
            c[n++] = a++;
        if (b & 1)
            right[nr++] = --b;
    }
    while (nr > 0)
        c[n++] = right[--nr];
    return n;
}

/* The first leaf under the cover c[0..n) whose value is <= t, or -1: the
 * first covering node whose minimum is <= t, then down to its leaf. */
static int pt_first_in(const soc__ptree_t *pt, const size_t *c, int n, soc_time_t t)
{
    const soc_time_t *v = pt->v;
    int k = 0;
    while (k < n && v[c[k]] > t)
        k++;
    if (k == n)
        return -1;
    size_t node = c[k];
    while (node < (size_t)pt->size)
        node = v[2 * node] <= t ? 2 * node : 2 * node + 1;
    return (int)(node - (size_t)pt->size);
}

/* The tree, built if needed, with [lo, hi) clipped; NULL when the range is
 * empty or memory is short (then the callers scan). */
static const soc__ptree_t *pt_get(native_t *s, int *lo, int *hi)
{
    if (*lo < 0)
        *lo = 0;
    if (*hi > s->n_pes)
        *hi = s->n_pes;
    if (*lo >= *hi || (s->pt.size == 0 && pt_build(s) != SOC_OK))
        return NULL;
    return &s->pt;
}

/* The first PE of [lo, hi) with plan_end <= t (a scan without the tree). */
static int pe_first_scan(const native_t *s, int lo, int hi, soc_time_t t)
{
    for (int p = lo; p < hi; p++)
        if (s->pes[p].plan_end <= t)
            return p;
    return -1;
}

/* max(now, plan_end) <= t is plan_end <= t for t >= now, never below. */
static int api_pe_first_free(const soc_view_t *v, int lo, int hi, soc_time_t t)
{
    native_t *s = SIM(v);
    if (t < s->now)
        return -1;
    const soc__ptree_t *pt = pt_get(s, &lo, &hi);
    if (pt == NULL)
        return lo < hi ? pe_first_scan(s, lo, hi, t) : -1;
    size_t c[128];
    return pt_first_in(pt, c, pt_cover(pt, lo, hi, c), t);
}

/* The least max(now, plan_end) over the range is max(now, least plan_end);
 * its first PE is the first whose plan_end is <= that. */
static int api_pe_earliest(const soc_view_t *v, int lo, int hi)
{
    native_t *s = SIM(v);
    const soc__ptree_t *pt = pt_get(s, &lo, &hi);
    if (pt == NULL) {
        if (lo >= hi)
            return -1;
        soc_time_t m = INT64_MAX;
        for (int p = lo; p < hi; p++)
            m = s->pes[p].plan_end < m ? s->pes[p].plan_end : m;
        return pe_first_scan(s, lo, hi, m > s->now ? m : s->now);
    }
    size_t c[128];
    int n = pt_cover(pt, lo, hi, c);
    soc_time_t m = INT64_MAX;
    for (int k = 0; k < n; k++)
        m = pt->v[c[k]] < m ? pt->v[c[k]] : m;
    return pt_first_in(pt, c, n, m > s->now ? m : s->now);
}

static uint64_t api_pe_version(const soc_view_t *v, int pe)
{
    const native_t *s = SIM(v);
    return pe >= 0 && pe < s->n_pes ? s->pp[pe].version : 0;
}

static const soc_sim_api_t engine_api = {
    sizeof(soc_sim_api_t), api_exec_time, api_comm_time, api_data_ready,
    api_find_slot, api_assign, api_task_info, api_job_app, api_job_arrival,
    api_uniform, api_uniform_int, api_comm_time_now, api_pe_first_free,
    api_pe_earliest, api_pe_version,
};

const soc__engine_ops_t soc__native_engine = {
    .name = "native",
    .create = native_create,
    .destroy = native_destroy,
    .run = native_run,
    .metrics = native_metrics,
    .reset = native_reset,
    .next_decision = native_next_decision,
    .assign = native_assign,
    .pass = native_pass,
    .view = native_view,
    .now_us = native_now_us,
    .done = native_done,
    .jobs_age_sum_us = native_jobs_age_sum_us,
    .energy_j = native_energy_j,
};
