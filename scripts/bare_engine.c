/*
 * bare_engine.c -- the minimal DAG engine of bare_engine.h: the yardstick
 * that scripts/bench_scale.sh compares socsim with.  It follows the native
 * engine's execution model step by step (the same event order, so the same
 * schedule and the same number of events), but with the plainest data
 * structures: jobs in an array indexed by job number, PE queues as arrays
 * with a head index, the policies inlined.  Benchmark code (a program of
 * scripts/, not a test, not part of the library).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bare_engine.h"
#include "soc_util.h"

enum { EV_ARRIVAL = 0, EV_FINISH = 1, EV_WAKE = 2 };

typedef struct bev {
    soc_time_t t;
    uint64_t seq;
    int kind, pe;
    uint64_t aux;
} bev_t;

static inline int bev_less(const bev_t *x, const bev_t *y)
{
    return x->t != y->t ? x->t < y->t : x->seq < y->seq;
}

SOC__HEAP_DEFINE(bheap, bev_t, bev_less)

enum { T_WAITING = 0, T_READY, T_ASSIGNED, T_RUNNING, T_DONE };

typedef struct btask {
    int status, npred, pe;
    soc_time_t start, finish;
} btask_t;

typedef struct bjob {
    int app, left;
    soc_time_t arrival;
    btask_t *t;
} bjob_t;

typedef struct bslot {
    soc_time_t start, finish;
    int64_t job;
    int task;
} bslot_t;

typedef struct bpe {
    bslot_t *q;          /* q[head .. head + n) in key order */
    int head, n, cap;
    int busy;
    soc_time_t busy_until, plan_end;
    uint64_t wake_version;
} bpe_t;

typedef struct bref {
    int64_t job;
    int task;
} bref_t;

typedef struct bare {
    const soc_config_t *cfg;
    bare_policy_t pol;
    soc_time_t now;
    uint64_t seq;
    bheap_t heap;
    int n_pes, n_types;
    soc_time_t *exec;    /* [pe * n_types + type] */
    double *bw;          /* [cluster * n_clusters + cluster], distinct PEs */
    soc_time_t **cpair;  /* [app][(edge * nc + src cluster) * nc + dst cluster] */
    soc_time_t **cself;  /* [app][edge]: both ends on one PE */
    int *met_pe;         /* [type] PE of least execution time */
    bpe_t *pe;
    bjob_t **jobs;       /* [n_jobs] */
    int64_t n_jobs, next_job, done_jobs;
    bref_t *ready;
    int n_ready, cap_ready;
    soc_time_t *avail;   /* ETF scratch [n_pes] */
    soc_time_t *dr;      /* ETF scratch [n_ready * n_pes], -1 = cannot run */
    int *live;           /* ETF scratch [n_ready] */
    size_t cap_dr;
    double **rank;       /* HEFT: [app][task] */
    int **order;         /* HEFT: [app][n_tasks] */
    int failed;
    bare_result_t *res;
} bare_t;

static soc_time_t exec_ns(const bare_t *b, int type, int pe)
{
    return b->exec[(size_t)pe * (size_t)b->n_types + (size_t)type];
}

/* Transfer time of edge e of app from src to dst: looked up in the
 * per-edge table of cluster pairs filled at start (the engine's formula,
 * evaluated once per edge and pair instead of at every use). */
static soc_time_t comm_ns(const bare_t *b, int app, int e, int src, int dst)
{
    if (src == dst)
        return b->cself[app][e];
    int nc = b->cfg->platform.n_clusters;
    return b->cpair[app][((size_t)e * (size_t)nc + (size_t)b->cfg->platform.pe_cluster[src]) *
                             (size_t)nc +
                         (size_t)b->cfg->platform.pe_cluster[dst]];
}

static void push(bare_t *b, soc_time_t t, int kind, int pe, uint64_t aux)
{
    bev_t e = {t, b->seq++, kind, pe, aux};
    if (bheap_push(&b->heap, e) != 0)
        b->failed = 1;
}

static soc_time_t data_ready(const bare_t *b, const bjob_t *j, int task, int pe)
{
    const soc_app_t *a = &b->cfg->apps[j->app];
    soc_time_t r = j->arrival;
    for (int k = a->pred_off[task]; k < a->pred_off[task + 1]; k++) {
        const soc_edge_t *e = &a->edges[a->pred_edge[k]];
        const btask_t *p = &j->t[e->src];
        if (p->pe < 0)
            continue;
        soc_time_t x = p->finish + comm_ns(b, j->app, a->pred_edge[k], p->pe, pe);
        if (x > r)
            r = x;
    }
    return r;
}

static void try_start(bare_t *b, int pe)
{
    bpe_t *ps = &b->pe[pe];
    if (ps->busy || ps->n == 0)
        return;
    bslot_t *h = &ps->q[ps->head];
    bjob_t *j = b->jobs[h->job];
    btask_t *ti = &j->t[h->task];
    if (ti->npred > 0)
        return;
    soc_time_t r = data_ready(b, j, h->task, pe);
    if (r > b->now) {
        ps->wake_version++;
        push(b, r, EV_WAKE, pe, ps->wake_version);
        return;
    }
    soc_time_t d = exec_ns(b, b->cfg->apps[j->app].tasks[h->task].type, pe);
    soc_time_t planned = h->finish;
    ti->status = T_RUNNING;
    ti->start = b->now;
    ti->finish = b->now + d;
    h->start = ti->start;
    h->finish = ti->finish;
    ps->busy = 1;
    ps->busy_until = ti->finish;
    if (ti->finish > ps->plan_end) {
        ps->plan_end = ti->finish;
    } else if (ti->finish < planned && planned == ps->plan_end) {
        soc_time_t e = ps->busy_until;
        for (int i = 0; i < ps->n; i++)
            if (ps->q[ps->head + i].finish > e)
                e = ps->q[ps->head + i].finish;
        ps->plan_end = e;
    }
    push(b, ti->finish, EV_FINISH, pe, 0);
}

/* Queue (job, task) on pe with key start (-1: append), as the engine. */
static void assign(bare_t *b, int64_t job, int task, int pe, soc_time_t start)
{
    bjob_t *j = b->jobs[job];
    btask_t *ti = &j->t[task];
    soc_time_t d = exec_ns(b, b->cfg->apps[j->app].tasks[task].type, pe);
    bpe_t *ps = &b->pe[pe];
    soc_time_t key;
    if (start < 0) {
        key = data_ready(b, j, task, pe);
        if (key < ps->plan_end)
            key = ps->plan_end;
        if (key < b->now)
            key = b->now;
    } else {
        key = start < b->now ? b->now : start;
    }
    if (ps->head + ps->n == ps->cap) {
        if (ps->head > 0 && ps->head >= ps->n) {
            memmove(ps->q, ps->q + ps->head, sizeof *ps->q * (size_t)ps->n);
            ps->head = 0;
        } else {
            int nc = ps->cap ? 2 * ps->cap : 8;
            bslot_t *nq = realloc(ps->q, sizeof *nq * (size_t)nc);
            if (nq == NULL) {
                b->failed = 1;
                return;
            }
            ps->q = nq;
            ps->cap = nc;
        }
    }
    bslot_t *q = ps->q + ps->head;
    int lo = ps->busy ? 1 : 0, hi = ps->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (q[mid].start <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&q[lo + 1], &q[lo], sizeof *q * (size_t)(ps->n - lo));
    q[lo].start = key;
    q[lo].finish = key + d;
    q[lo].job = job;
    q[lo].task = task;
    ps->n++;
    if (key + d > ps->plan_end)
        ps->plan_end = key + d;
    ti->status = T_ASSIGNED;
    ti->pe = pe;
    ti->start = key;
    ti->finish = key + d;
    try_start(b, pe);
}

static void ready_add(bare_t *b, int64_t job, int task)
{
    if (b->n_ready == b->cap_ready) {
        int nc = b->cap_ready ? 2 * b->cap_ready : 64;
        bref_t *nr = realloc(b->ready, sizeof *nr * (size_t)nc);
        if (nr == NULL) {
            b->failed = 1;
            return;
        }
        b->ready = nr;
        b->cap_ready = nc;
    }
    int i = b->n_ready;
    while (i > 0 && (b->ready[i - 1].job > job ||
                     (b->ready[i - 1].job == job && b->ready[i - 1].task > task)))
        i--;
    memmove(&b->ready[i + 1], &b->ready[i], sizeof *b->ready * (size_t)(b->n_ready - i));
    b->ready[i].job = job;
    b->ready[i].task = task;
    b->n_ready++;
}

static void release(bare_t *b, int64_t job, int task)
{
    btask_t *ti = &b->jobs[job]->t[task];
    if (ti->status == T_WAITING) {
        ti->status = T_READY;
        ready_add(b, job, task);
    } else if (ti->status == T_ASSIGNED) {
        try_start(b, ti->pe);
    }
}

/* ------------------------------------------------------------- HEFT */

/* Earliest start >= ready of a task of length dur on pe's queue, inserted
 * into the first idle gap that fits (the rule of soc__tl_find over the
 * queue's starts and running maximum of finishes), by a plain walk. */
static soc_time_t find_gap(const bpe_t *ps, soc_time_t ready, soc_time_t dur)
{
    const bslot_t *q = ps->q + ps->head;
    int n = ps->n;
    if (n == 0)
        return ready;
    soc_time_t end = INT64_MIN;
    int k = 0;
    /* first reservation that ends (running maximum) after ready */
    for (; k < n; k++) {
        if (q[k].finish > end)
            end = q[k].finish;
        if (end > ready)
            break;
    }
    if (k == n)
        return ready;
    if (ready + dur <= q[k].start && ready < q[k].start)
        return ready;
    for (k = k + 1; k < n; k++) {
        soc_time_t g = q[k].start - end;
        if (g > 0 && g >= dur)
            return end;
        if (q[k].finish > end)
            end = q[k].finish;
    }
    return end;
}

static int prio_before(const double *prio, int x, int y)
{
    return prio[x] != prio[y] ? prio[x] > prio[y] : x < y;
}

static int heft_prepare(bare_t *b)
{
    const soc_config_t *cfg = b->cfg;
    const soc_platform_t *p = &cfg->platform;
    int nc = p->n_clusters, nt = p->n_types;
    /* mean execution time per type over the PEs that run it, and the mean
     * bandwidth over ordered pairs of distinct PEs (Topcuoglu), as socsim */
    double *wm = calloc((size_t)nt, sizeof *wm);
    b->rank = calloc((size_t)cfg->n_apps, sizeof *b->rank);
    b->order = calloc((size_t)cfg->n_apps, sizeof *b->order);
    if (wm == NULL || b->rank == NULL || b->order == NULL) {
        free(wm);
        return -1;
    }
    for (int t = 0; t < nt; t++) {
        double sum = 0, n = 0;
        for (int c = 0; c < nc; c++) {
            const soc_cluster_t *cl = &p->clusters[c];
            if (cl->is_memory || cl->exec_us == NULL || cl->exec_us[t] < 0)
                continue;
            double w = (double)soc_time_from_us(cl->exec_us[t]);
            sum += w * cl->count;
            n += cl->count;
        }
        wm[t] = n > 0 ? sum / n : 0;
    }
    double pairs = 0, bw_sum = 0;
    for (int x = 0; x < nc; x++)
        for (int y = 0; y < nc; y++) {
            const soc_cluster_t *cx = &p->clusters[x], *cy = &p->clusters[y];
            double na = cx->is_memory || cx->exec_us == NULL ? 0 : cx->count;
            double nb = cy->is_memory || cy->exec_us == NULL ? 0 : cy->count;
            double np = x == y ? na * (nb - 1) : na * nb;
            if (np <= 0)
                continue;
            double u = 1000.0 / b->bw[x * nc + y];
            pairs += np;
            bw_sum += np / u;
        }
    double unit = pairs > 0 ? pairs / bw_sum : 0, lat = pairs > 0 ? p->latency_us * 1000.0 : 0;
    for (int ai = 0; ai < cfg->n_apps; ai++) {
        const soc_app_t *a = &cfg->apps[ai];
        int n = a->n_tasks;
        double *r = malloc(sizeof *r * (size_t)n);
        int *ord = malloc(sizeof *ord * (size_t)n), *left = malloc(sizeof *left * (size_t)n);
        int *heap = malloc(sizeof *heap * (size_t)n);
        b->rank[ai] = r;
        b->order[ai] = ord;
        if (r == NULL || ord == NULL || left == NULL || heap == NULL) {
            free(left);
            free(heap);
            free(wm);
            return -1;
        }
        for (int idx = n - 1; idx >= 0; idx--) {
            int i = a->topo[idx];
            double best = 0;
            for (int s = a->succ_off[i]; s < a->succ_off[i + 1]; s++) {
                const soc_edge_t *e = &a->edges[a->succ_edge[s]];
                double c = e->volume <= 0 || (unit <= 0 && lat <= 0) ? 0 : lat + e->volume * unit;
                double v = c + r[e->dst];
                if (v > best)
                    best = v;
            }
            r[i] = wm[a->tasks[i].type] + best;
        }
        for (int i = 0; i < n; i++)
            r[i] = nearbyint(r[i] * 4096.0) / 4096.0;
        /* highest rank first among tasks whose predecessors are taken:
         * a plain binary max-heap */
        int hn = 0, k = 0;
        for (int i = 0; i < n; i++) {
            left[i] = a->pred_off[i + 1] - a->pred_off[i];
            if (left[i] == 0) {
                int c = hn++;
                while (c > 0 && prio_before(r, i, heap[(c - 1) / 2])) {
                    heap[c] = heap[(c - 1) / 2];
                    c = (c - 1) / 2;
                }
                heap[c] = i;
            }
        }
        while (hn > 0) {
            int t = heap[0], x = heap[--hn], c = 0;
            for (;;) {
                int l = 2 * c + 1, m = l;
                if (l >= hn)
                    break;
                if (l + 1 < hn && prio_before(r, heap[l + 1], heap[l]))
                    m = l + 1;
                if (!prio_before(r, heap[m], x))
                    break;
                heap[c] = heap[m];
                c = m;
            }
            if (hn > 0)
                heap[c] = x;
            ord[k++] = t;
            for (int s = a->succ_off[t]; s < a->succ_off[t + 1]; s++) {
                int j = a->edges[a->succ_edge[s]].dst;
                if (--left[j] == 0) {
                    int c2 = hn++;
                    while (c2 > 0 && prio_before(r, j, heap[(c2 - 1) / 2])) {
                        heap[c2] = heap[(c2 - 1) / 2];
                        c2 = (c2 - 1) / 2;
                    }
                    heap[c2] = j;
                }
            }
        }
        free(left);
        free(heap);
    }
    free(wm);
    return 0;
}

static void heft_plan(bare_t *b, int64_t job)
{
    bjob_t *j = b->jobs[job];
    const soc_app_t *a = &b->cfg->apps[j->app];
    for (int k = 0; k < a->n_tasks && !b->failed; k++) {
        int t = b->order[j->app][k], type = a->tasks[t].type, best = -1;
        soc_time_t bs = 0, bf = 0;
        for (int p = 0; p < b->n_pes; p++) {
            soc_time_t d = exec_ns(b, type, p);
            if (d < 0)
                continue;
            soc_time_t r = j->arrival > b->now ? j->arrival : b->now;
            for (int e = a->pred_off[t]; e < a->pred_off[t + 1]; e++) {
                const soc_edge_t *ed = &a->edges[a->pred_edge[e]];
                const btask_t *pt = &j->t[ed->src];
                soc_time_t x = pt->finish + comm_ns(b, j->app, a->pred_edge[e], pt->pe, p);
                if (x > r)
                    r = x;
            }
            soc_time_t st = find_gap(&b->pe[p], r, d);
            if (best < 0 || st + d < bf) {
                best = p;
                bs = st;
                bf = st + d;
            }
        }
        assign(b, job, t, best, bs);
    }
}

/* -------------------------------------------------------- MET and ETF */

static void schedule(bare_t *b)
{
    int n = b->n_ready;
    if (b->pol == BARE_MET) {
        for (int i = 0; i < n; i++) {
            const bjob_t *j = b->jobs[b->ready[i].job];
            int type = b->cfg->apps[j->app].tasks[b->ready[i].task].type, best = b->met_pe[type];
            assign(b, b->ready[i].job, b->ready[i].task, best, -1);
        }
    } else {
        /* min-min: repeatedly the (task, PE) pair of least appended finish,
         * ties to the earlier ready task, then the lower PE; the inputs'
         * arrival per (task, PE) does not change during a decision */
        if ((size_t)n * (size_t)b->n_pes > b->cap_dr) {
            size_t nc = (size_t)n * (size_t)b->n_pes * 2;
            soc_time_t *nd = realloc(b->dr, sizeof *nd * nc);
            int *nl = realloc(b->live, sizeof *nl * (size_t)n * 2);
            if (nd != NULL)
                b->dr = nd;
            if (nl != NULL)
                b->live = nl;
            if (nd == NULL || nl == NULL) {
                b->failed = 1;
                return;
            }
            b->cap_dr = nc;
        }
        for (int p = 0; p < b->n_pes; p++)
            b->avail[p] = b->pe[p].plan_end > b->now ? b->pe[p].plan_end : b->now;
        for (int i = 0; i < n; i++) {
            const bjob_t *j = b->jobs[b->ready[i].job];
            int task = b->ready[i].task, type = b->cfg->apps[j->app].tasks[task].type;
            b->live[i] = 1;
            for (int p = 0; p < b->n_pes; p++)
                b->dr[(size_t)i * (size_t)b->n_pes + (size_t)p] =
                    exec_ns(b, type, p) < 0 ? -1 : data_ready(b, j, task, p);
        }
        for (int m = n; m > 0; m--) {
            int bi = -1, bp = -1;
            soc_time_t bk = 0;
            for (int i = 0; i < n; i++) {
                if (!b->live[i])
                    continue;
                const bjob_t *j = b->jobs[b->ready[i].job];
                int type = b->cfg->apps[j->app].tasks[b->ready[i].task].type;
                const soc_time_t *dr = &b->dr[(size_t)i * (size_t)b->n_pes];
                for (int p = 0; p < b->n_pes; p++) {
                    if (dr[p] < 0)
                        continue;
                    soc_time_t st = dr[p] < b->avail[p] ? b->avail[p] : dr[p];
                    soc_time_t f = st + exec_ns(b, type, p);
                    if (bi < 0 || f < bk) {
                        bi = i;
                        bp = p;
                        bk = f;
                    }
                }
            }
            b->live[bi] = 0;
            assign(b, b->ready[bi].job, b->ready[bi].task, bp, -1);
            b->avail[bp] = bk;
        }
    }
    b->n_ready = 0;
}

/* ------------------------------------------------------------- events */

static void inject(bare_t *b, int app)
{
    const soc_app_t *a = &b->cfg->apps[app];
    bjob_t *j = malloc(sizeof *j);
    btask_t *t = j != NULL ? calloc((size_t)a->n_tasks, sizeof *t) : NULL;
    if (t == NULL) {
        free(j);
        b->failed = 1;
        return;
    }
    int64_t id = b->next_job++;
    j->app = app;
    j->left = a->n_tasks;
    j->arrival = b->now;
    j->t = t;
    b->jobs[id] = j;
    for (int i = 0; i < a->n_tasks; i++) {
        t[i].pe = -1;
        t[i].npred = a->pred_off[i + 1] - a->pred_off[i];
    }
    for (int k = 0; k < a->n_tasks; k++)
        if (t[a->topo[k]].npred == 0)
            release(b, id, a->topo[k]);
    if (b->pol == BARE_HEFT) {
        heft_plan(b, id);
        b->n_ready = 0;
    }
}

static void finish(bare_t *b, int pe)
{
    bpe_t *ps = &b->pe[pe];
    bslot_t done = ps->q[ps->head];
    ps->head++;
    ps->n--;
    if (ps->n == 0)
        ps->head = 0;
    ps->busy = 0;
    ps->busy_until = b->now;
    bjob_t *j = b->jobs[done.job];
    const soc_app_t *a = &b->cfg->apps[j->app];
    j->t[done.task].status = T_DONE;
    for (int k = a->succ_off[done.task]; k < a->succ_off[done.task + 1]; k++) {
        int s = a->edges[a->succ_edge[k]].dst;
        if (--j->t[s].npred == 0)
            release(b, done.job, s);
    }
    if (ps->plan_end < b->now)
        ps->plan_end = b->now;
    try_start(b, pe);
    if (--j->left == 0) {
        b->res->jobs++;
        b->res->sum_latency_us += soc_time_to_us(b->now - j->arrival);
        free(j->t);
        free(j);
        b->jobs[done.job] = NULL;
        b->done_jobs++;
    }
}

int bare_run(const soc_config_t *cfg, bare_policy_t pol, bare_result_t *out)
{
    const soc_platform_t *p = &cfg->platform;
    const soc_injection_t *in = &cfg->injection;
    memset(out, 0, sizeof *out);
    if (cfg->semantics != SOC_SEM_NATIVE || cfg->power_model || in->kind != SOC_ARRIVAL_TRACE ||
        p->comm_mode != SOC_COMM_PE_TO_PE || in->max_in_flight > 0 || in->warmup_us > 0 ||
        (cfg->n_apps > 1 && in->trace_apps == NULL)) {
        fprintf(stderr, "bare_run: needs native semantics, no power, a trace with its "
                        "applications, point-to-point transfers, no warm-up\n");
        return -1;
    }
    bare_t b;
    memset(&b, 0, sizeof b);
    b.cfg = cfg;
    b.pol = pol;
    b.res = out;
    b.n_pes = p->n_pes;
    b.n_types = p->n_types;
    b.n_jobs = in->n_times;
    if (in->max_jobs > 0 && in->max_jobs < b.n_jobs)
        b.n_jobs = in->max_jobs;
    int nc = p->n_clusters;
    b.exec = malloc(sizeof *b.exec * (size_t)b.n_pes * (size_t)b.n_types);
    b.bw = malloc(sizeof *b.bw * (size_t)nc * (size_t)nc);
    b.pe = calloc((size_t)b.n_pes, sizeof *b.pe);
    b.avail = malloc(sizeof *b.avail * (size_t)b.n_pes);
    b.jobs = calloc((size_t)(b.n_jobs > 0 ? b.n_jobs : 1), sizeof *b.jobs);
    int rc = -1;
    if (b.exec == NULL || b.bw == NULL || b.pe == NULL || b.avail == NULL || b.jobs == NULL)
        goto out;
    for (int pe = 0; pe < b.n_pes; pe++)
        for (int t = 0; t < b.n_types; t++) {
            double us = soc_platform_exec_us(p, t, pe);
            b.exec[(size_t)pe * (size_t)b.n_types + (size_t)t] = us < 0 ? -1 : soc_time_from_us(us);
        }
    for (int x = 0; x < nc; x++)
        for (int y = 0; y < nc; y++) {
            double v = p->bw != NULL ? p->bw[x * nc + y] : 0;
            b.bw[x * nc + y] = v > 0 ? v : p->bw_default;
        }
    b.cpair = calloc((size_t)cfg->n_apps, sizeof *b.cpair);
    b.cself = calloc((size_t)cfg->n_apps, sizeof *b.cself);
    b.met_pe = malloc(sizeof *b.met_pe * (size_t)(b.n_types > 0 ? b.n_types : 1));
    if (b.cpair == NULL || b.cself == NULL || b.met_pe == NULL)
        goto out;
    for (int a = 0; a < cfg->n_apps; a++) {
        const soc_app_t *ap = &cfg->apps[a];
        size_t ne = (size_t)(ap->n_edges > 0 ? ap->n_edges : 1);
        b.cpair[a] = malloc(sizeof **b.cpair * ne * (size_t)nc * (size_t)nc);
        b.cself[a] = malloc(sizeof **b.cself * ne);
        if (b.cpair[a] == NULL || b.cself[a] == NULL)
            goto out;
        for (int e = 0; e < ap->n_edges; e++) {
            double vol = ap->edges[e].volume;
            b.cself[a][e] = vol <= 0 || p->bw_self <= 0 ? 0 : soc_time_from_us(vol / p->bw_self);
            for (int x = 0; x < nc * nc; x++)
                b.cpair[a][(size_t)e * (size_t)nc * (size_t)nc + (size_t)x] =
                    vol <= 0 ? 0 : soc_time_from_us(p->latency_us + vol / b.bw[x]);
        }
    }
    for (int t = 0; t < b.n_types; t++) {
        b.met_pe[t] = -1;
        for (int pe = 0; pe < b.n_pes; pe++) {
            soc_time_t d = exec_ns(&b, t, pe);
            if (d >= 0 && (b.met_pe[t] < 0 || d < exec_ns(&b, t, b.met_pe[t])))
                b.met_pe[t] = pe;
        }
    }
    if (pol == BARE_HEFT && heft_prepare(&b) != 0)
        goto out;
    int64_t next = 0;
    if (b.n_jobs > 0) {
        push(&b, soc_time_from_us(in->times_us[0]), EV_ARRIVAL, -1, 0);
        next = 1;
    }
    while (b.heap.n > 0 && !b.failed && b.done_jobs < b.n_jobs) {
        soc_time_t t = b.heap.a[0].t;
        b.now = t;
        while (b.heap.n > 0 && b.heap.a[0].t == t && !b.failed && b.done_jobs < b.n_jobs) {
            bev_t e = bheap_pop(&b.heap);
            switch (e.kind) {
            case EV_ARRIVAL: {
                out->arrivals++;
                int64_t k = b.next_job;
                inject(&b, cfg->n_apps > 1 ? in->trace_apps[k] : 0);
                if (next < b.n_jobs)
                    push(&b, soc_time_from_us(in->times_us[next++]), EV_ARRIVAL, -1, 0);
                break;
            }
            case EV_FINISH:
                out->finishes++;
                finish(&b, e.pe);
                break;
            case EV_WAKE:
                out->wakes++; /* stale ones too: socsim pops them as well */
                if (e.aux == b.pe[e.pe].wake_version)
                    try_start(&b, e.pe);
                break;
            }
        }
        if (b.n_ready > 0 && !b.failed && b.done_jobs < b.n_jobs)
            schedule(&b);
    }
    out->end_us = soc_time_to_us(b.now);
    rc = b.failed ? -1 : 0;
    if (b.failed)
        fprintf(stderr, "bare_run: out of memory\n");
out:
    for (int64_t k = 0; b.jobs != NULL && k < b.n_jobs; k++)
        if (b.jobs[k] != NULL) {
            free(b.jobs[k]->t);
            free(b.jobs[k]);
        }
    if (b.rank != NULL)
        for (int a = 0; a < cfg->n_apps; a++) {
            free(b.rank[a]);
            free(b.order[a]);
        }
    free(b.rank);
    free(b.order);
    for (int a = 0; a < cfg->n_apps; a++) {
        if (b.cpair != NULL)
            free(b.cpair[a]);
        if (b.cself != NULL)
            free(b.cself[a]);
    }
    free(b.cpair);
    free(b.cself);
    free(b.met_pe);
    for (int pe = 0; b.pe != NULL && pe < b.n_pes; pe++)
        free(b.pe[pe].q);
    free(b.pe);
    free(b.exec);
    free(b.bw);
    free(b.avail);
    free(b.dr);
    free(b.live);
    free(b.jobs);
    free(b.ready);
    bheap_free(&b.heap);
    return rc;
}
