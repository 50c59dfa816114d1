/*
 * net.c -- the contention model of the interconnect (net.h): topologies and
 * routes, the FIFO bus, flow-level max-min bandwidth sharing, transfers of
 * one or two phases, estimates, statistics; and soc_net_run_flows
 * (soc/net.h), which runs a given flow set through the same code.
 *
 * Max-min sharing (the fluid part).  Every active flow has a rate; a link's
 * flows share its capacity by max-min fairness, computed by progressive
 * filling: repeatedly take the link whose remaining capacity divided by its
 * unfixed flows is smallest (the bottleneck), fix those flows at that share
 * and subtract it from every link they cross.  Shares only grow as flows
 * are fixed elsewhere, so the links wait in a min-heap keyed by share whose
 * stale entries are pushed again when they come out.
 * When a flow starts (its route latency has elapsed) or ends, only the
 * flows connected to it through shared links -- its component of the
 * sharing graph -- can change rate; they are found by a depth-first
 * walk links -> flows -> links and only they are recomputed.  Each flow
 * keeps (remaining volume, time of that value, rate) and its projected end
 * in an indexed min-heap, so flows outside the component are not touched.
 * Rates are recomputed lazily, once per instant (soc__net_next), for all
 * the starts and ends of that instant.  Cost: O(F_c * R + L_c log L_c +
 * F_c log F) for F_c flows and L_c links in the component, R links per
 * route, F flows in all.
 *
 * Ties.  Flows whose projected ends lie within a relative 1e-12 of the
 * earliest end finish together; events at one instant are processed
 * together (latencies elapsing, then ends) with one recomputation.
 * Everything is deterministic: heaps break ties by sequence numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "soc/net.h"
#include "soc_util.h"
#include "stats.h"

#define END_TOL 1e-12 /* relative tolerance of simultaneous flow ends */

/* --------------------------------------------------------------- types */

typedef struct lflow {
    int flow; /* flow id */
    int idx;  /* index of this link in the flow's route */
} lflow_t;

typedef struct link {
    double cap;        /* volume per clock unit */
    double cap_us;     /* volume per µs (estimates) */
    int n, capn;       /* active flows on the link */
    lflow_t *fl;
    double carried;    /* volume of the finished flows that crossed it */
    /* progressive filling scratch */
    uint64_t mark;
    double rem;
    int unfixed;
    double key;        /* rem / unfixed: the fair share offered now */
} link_t;

enum { F_FREE = 0, F_PENDING, F_ACTIVE };

typedef struct flow {
    int state;
    int n_links, cap_links;
    int *lk;           /* route */
    int *lpos;         /* position of this flow in each route link's list */
    double vol, rem, rate, t_upd, tf;
    double nrate;      /* rate being computed */
    uint64_t seq;
    int hpos;          /* in the end heap, -1 = not */
    uint64_t mark;
    int fixed;
    int xfer;          /* the transfer it carries */
    int next_free;
} flow_t;

typedef struct xfer {
    uint64_t job;
    int edge;
    int measured;
    int src, dst, phase;
    double vol;
    double t_req;      /* request of the whole transfer (clock units) */
    int next_free;
} xfer_t;

typedef struct pend {
    double t;
    uint64_t seq;
    int flow;
} pend_t;

static inline int pend_less(const pend_t *a, const pend_t *b)
{
    return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

SOC__HEAP_DEFINE(pheap, pend_t, pend_less)

typedef struct shent {
    double key; /* the link's share when pushed */
    int l;
} shent_t;

static inline int shent_less(const shent_t *a, const shent_t *b)
{
    return a->key != b->key ? a->key < b->key : a->l < b->l;
}

SOC__HEAP_DEFINE(shheap, shent_t, shent_less)

struct soc__net {
    const soc_platform_t *p;
    const soc_contention_t *c;
    soc_net_model_t model;
    double scale;          /* clock units per µs */
    int integer_time;
    int shared;            /* shared_memory mode: two phases */
    int mem_pe;            /* the memory PE (shared_memory mode) */
    int ctrl;              /* memory controller link, -1 = none */
    double lat_us;         /* communication.latency_us */
    double bus_bw;         /* bus model: bandwidth (per µs) */
    double clock;

    /* links (flow model) */
    int n_links;
    link_t *links;
    char **names;          /* [n_links] */
    int n_pes;
    int *pe_xy;            /* mesh: [2 n_pes] */
    int cols, rows;
    int *mesh_link;        /* mesh: [cols*rows*4] link id per router and
                              direction (E, W, N, S), -1 = edge */
    /* route cache (flow model, n_pes <= PAIR_CACHE_PES): every ordered
     * pair's phases, built at creation; NULL = compute each time */
    struct pair_route *pairs;  /* [n_pes * n_pes * (1 + shared)] */
    int *pool;

    /* flows */
    flow_t *flows;
    int n_flows, cap_flows, free_flow;
    uint64_t seq;
    int *endh;             /* end heap of flow ids */
    int n_end, cap_end;
    pheap_t pend;          /* flows waiting out their latency */
    uint64_t epoch;
    int *stack, *cflows, *clinks;
    int cap_stack, cap_cflows, cap_clinks;
    struct shheap sh;      /* progressive filling's heap of links */
    int *seeds;
    int n_seeds, cap_seeds;
    int full;              /* benchmark knob: recompute every flow */
    int err;               /* a deferred recomputation failed */
    uint64_t n_recompute, n_touched; /* recomputations, flows they touched */

    /* bus model */
    int k;                 /* channels */
    double *busy_until;    /* [k], < 0 = idle */
    double *busy_from;     /* [k] start of the transaction in service */
    int *serving;          /* [k] xfer in service */
    int *q;                /* FIFO ring of xfer ids */
    int q_head, q_n, q_cap;
    double bus_busy;       /* channel time of finished transactions */
    uint64_t bus_version;  /* changes with every bus event (estimate cache) */
    uint64_t est_version;
    double est_now, est_start;
    double *freeat;        /* [k] scratch of the estimate */

    /* transfers */
    xfer_t *xf;
    int n_xf, cap_xf, free_xf;

    /* deliveries of the last step */
    soc__net_done_t *done;
    int n_done, cap_done;

    /* statistics (requester's deliveries) */
    soc_lat_stats_t st;
    int64_t transfers;
    double data_moved;
    double energy_units;   /* volume x links (or bus transactions) of the
                              phases that ended at or after the warm-up */
    double warmup;         /* clock units */
    double *util;          /* [n_links] metrics output */
};

/* ---------------------------------------------------------- small utils */

static int grow(void **a, int *cap, int need, size_t elt)
{
    if (need <= *cap)
        return SOC_OK;
    int nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *na = realloc(*a, (size_t)nc * elt);
    if (na == NULL)
        return SOC_ENOMEM;
    *a = na;
    *cap = nc;
    return SOC_OK;
}

#define GROW(arr, cap, need) grow((void **)&(arr), &(cap), (need), sizeof *(arr))

/* ------------------------------------------------------------- topology */

static int add_link(soc__net_t *n, double bw_us, const char *name)
{
    link_t *l = &n->links[n->n_links];
    memset(l, 0, sizeof *l);
    l->cap_us = bw_us;
    l->cap = bw_us / n->scale;
    if ((n->names[n->n_links] = soc__strdup(name)) == NULL)
        return -1;
    return n->n_links++;
}

static double port_bw(const soc__net_t *n, int pe)
{
    const soc_contention_t *c = n->c;
    int cl = n->p->pe_cluster[pe];
    if (c->port_bw != NULL && c->port_bw[cl] > 0)
        return c->port_bw[cl];
    return c->bandwidth > 0 ? c->bandwidth : n->p->bw_default;
}

static void pe_name(const soc__net_t *n, int pe, char *buf, size_t size)
{
    int cl = n->p->pe_cluster[pe];
    snprintf(buf, size, "%s.%d", n->p->clusters[cl].name, pe - n->p->clusters[cl].first_pe);
}

/* Links: crossbar and mesh -- out port 2 pe, in port 2 pe + 1, then the
 * mesh's router links; shared bus -- link 0; the memory controller last. */
static int build_links(soc__net_t *n)
{
    const soc_contention_t *c = n->c;
    double bw = c->bandwidth > 0 ? c->bandwidth : n->p->bw_default;
    int np = n->n_pes, max = 2 * np + 2;
    if (c->topology == SOC_TOPO_MESH)
        max += 4 * c->cols * c->rows;
    n->links = calloc((size_t)max, sizeof *n->links);
    n->names = calloc((size_t)max, sizeof *n->names);
    if (n->links == NULL || n->names == NULL)
        return SOC_ENOMEM;
    char name[160], a[64];
    if (c->topology == SOC_TOPO_SHARED_BUS) {
        if (add_link(n, bw, "bus") < 0)
            return SOC_ENOMEM;
    } else {
        for (int pe = 0; pe < np; pe++) {
            pe_name(n, pe, a, sizeof a);
            snprintf(name, sizeof name, "%s.out", a);
            if (add_link(n, port_bw(n, pe), name) < 0)
                return SOC_ENOMEM;
            snprintf(name, sizeof name, "%s.in", a);
            if (add_link(n, port_bw(n, pe), name) < 0)
                return SOC_ENOMEM;
        }
    }
    if (c->topology == SOC_TOPO_MESH) {
        n->cols = c->cols;
        n->rows = c->rows;
        n->pe_xy = c->at;
        n->mesh_link = malloc(sizeof *n->mesh_link * 4 * (size_t)(c->cols * c->rows));
        if (n->mesh_link == NULL)
            return SOC_ENOMEM;
        static const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
        for (int y = 0; y < c->rows; y++)
            for (int x = 0; x < c->cols; x++)
                for (int d = 0; d < 4; d++) {
                    int nx = x + dx[d], ny = y + dy[d], *slot = &n->mesh_link[(y * c->cols + x) * 4 + d];
                    *slot = -1;
                    if (nx < 0 || ny < 0 || nx >= c->cols || ny >= c->rows)
                        continue;
                    snprintf(name, sizeof name, "(%d,%d)>(%d,%d)", x, y, nx, ny);
                    if ((*slot = add_link(n, bw, name)) < 0)
                        return SOC_ENOMEM;
                }
    }
    n->ctrl = -1;
    if (n->shared && c->memory_bw > 0 && (n->ctrl = add_link(n, c->memory_bw, "memory")) < 0)
        return SOC_ENOMEM;
    return SOC_OK;
}

/* The links from PE a to PE b (a != b) in route order; *hops = mesh
 * router-to-router hops.  out must hold 2 + cols + rows entries. */
static int route_pe(const soc__net_t *n, int a, int b, int *out, int *hops)
{
    int k = 0;
    *hops = 0;
    switch (n->c->topology) {
    case SOC_TOPO_SHARED_BUS:
        out[k++] = 0;
        break;
    case SOC_TOPO_MESH: {
        int x = n->pe_xy[2 * a], y = n->pe_xy[2 * a + 1];
        int tx = n->pe_xy[2 * b], ty = n->pe_xy[2 * b + 1];
        out[k++] = 2 * a;
        while (x != tx) { /* X first */
            int d = tx > x ? 0 : 1;
            out[k++] = n->mesh_link[(y * n->cols + x) * 4 + d];
            x += d == 0 ? 1 : -1;
            ++*hops;
        }
        while (y != ty) {
            int d = ty > y ? 2 : 3;
            out[k++] = n->mesh_link[(y * n->cols + x) * 4 + d];
            y += d == 2 ? 1 : -1;
            ++*hops;
        }
        out[k++] = 2 * b + 1;
        break;
    }
    case SOC_TOPO_CROSSBAR:
    default:
        out[k++] = 2 * a;
        out[k++] = 2 * b + 1;
        break;
    }
    return k;
}

/* Route of one phase of a transfer src -> dst, with the memory controller
 * in shared_memory mode; *lat_us = its latency. */
static int route_phase(const soc__net_t *n, int src, int dst, int phase, int *out,
                       double *lat_us)
{
    int hops, k;
    if (!n->shared) {
        k = route_pe(n, src, dst, out, &hops);
        *lat_us = n->lat_us + hops * n->c->hop_latency_us;
        return k;
    }
    if (phase == 0) { /* write: src -> memory */
        k = route_pe(n, src, n->mem_pe, out, &hops);
        if (n->ctrl >= 0)
            out[k++] = n->ctrl;
        *lat_us = n->lat_us + hops * n->c->hop_latency_us;
    } else { /* read: memory -> dst */
        int off = n->ctrl >= 0;
        if (off)
            out[0] = n->ctrl;
        k = off + route_pe(n, n->mem_pe, dst, out + off, &hops);
        *lat_us = hops * n->c->hop_latency_us;
    }
    return k;
}

/* Longest route: two ports, (cols - 1) + (rows - 1) hops of a 1024 x 1024
 * mesh, the memory controller; buffers are sized for it. */
#define ROUTE_MAX (4 + 2 * 1024)
#define PAIR_CACHE_PES 256

typedef struct pair_route {
    int off, len;      /* links at pool[off .. off + len) */
    double lat_us;     /* latency of the phase */
    double min_bw_us;  /* its slowest link (INFINITY: no link) */
} pair_route_t;

static double min_bw(const soc__net_t *n, const int *route, int len)
{
    double bw = INFINITY;
    for (int k = 0; k < len; k++)
        if (n->links[route[k]].cap_us < bw)
            bw = n->links[route[k]].cap_us;
    return bw;
}

/* The route of one phase: from the cache, else computed into buf. */
static int phase_route(const soc__net_t *n, int src, int dst, int phase, int *buf,
                       const int **route, double *lat_us, double *bw_us)
{
    if (n->pairs != NULL) {
        const pair_route_t *pr =
            &n->pairs[((size_t)src * (size_t)n->n_pes + (size_t)dst) * (size_t)(1 + n->shared) +
                      (size_t)phase];
        *route = n->pool + pr->off;
        *lat_us = pr->lat_us;
        if (bw_us != NULL)
            *bw_us = pr->min_bw_us;
        return pr->len;
    }
    int len = route_phase(n, src, dst, phase, buf, lat_us);
    *route = buf;
    if (bw_us != NULL)
        *bw_us = min_bw(n, buf, len);
    return len;
}

static int build_pair_cache(soc__net_t *n)
{
    if (n->n_pes > PAIR_CACHE_PES)
        return SOC_OK;
    size_t np = (size_t)n->n_pes, nph = (size_t)(1 + n->shared), used = 0, cap = 1024;
    n->pairs = calloc(np * np * nph, sizeof *n->pairs);
    n->pool = malloc(sizeof *n->pool * cap);
    if (n->pairs == NULL || n->pool == NULL)
        return SOC_ENOMEM;
    int buf[ROUTE_MAX];
    for (size_t a = 0; a < np; a++)
        for (size_t b = 0; b < np; b++) {
            if (a == b)
                continue;
            for (size_t ph = 0; ph < nph; ph++) {
                pair_route_t *pr = &n->pairs[(a * np + b) * nph + ph];
                pr->len = route_phase(n, (int)a, (int)b, (int)ph, buf, &pr->lat_us);
                pr->min_bw_us = min_bw(n, buf, pr->len);
                if (used + (size_t)pr->len > cap) {
                    while (used + (size_t)pr->len > cap)
                        cap *= 2;
                    int *np2 = realloc(n->pool, sizeof *np2 * cap);
                    if (np2 == NULL)
                        return SOC_ENOMEM;
                    n->pool = np2;
                }
                memcpy(n->pool + used, buf, sizeof *buf * (size_t)pr->len);
                pr->off = (int)used;
                used += (size_t)pr->len;
            }
        }
    return SOC_OK;
}

/* ------------------------------------------------------------ end heap */

static inline int end_less(const soc__net_t *n, int a, int b)
{
    const flow_t *x = &n->flows[a], *y = &n->flows[b];
    return x->tf != y->tf ? x->tf < y->tf : x->seq < y->seq;
}

static void end_swap(soc__net_t *n, int i, int j)
{
    int a = n->endh[i], b = n->endh[j];
    n->endh[i] = b;
    n->endh[j] = a;
    n->flows[b].hpos = i;
    n->flows[a].hpos = j;
}

static void end_up(soc__net_t *n, int i)
{
    while (i > 0 && end_less(n, n->endh[i], n->endh[(i - 1) / 2])) {
        end_swap(n, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void end_down(soc__net_t *n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n->n_end && end_less(n, n->endh[l], n->endh[m]))
            m = l;
        if (r < n->n_end && end_less(n, n->endh[r], n->endh[m]))
            m = r;
        if (m == i)
            return;
        end_swap(n, i, m);
        i = m;
    }
}

static int end_push(soc__net_t *n, int f)
{
    if (GROW(n->endh, n->cap_end, n->n_end + 1) != SOC_OK)
        return SOC_ENOMEM;
    n->endh[n->n_end] = f;
    n->flows[f].hpos = n->n_end++;
    end_up(n, n->n_end - 1);
    return SOC_OK;
}

static void end_remove(soc__net_t *n, int f)
{
    int i = n->flows[f].hpos;
    if (i < 0)
        return;
    n->flows[f].hpos = -1;
    n->n_end--;
    if (i == n->n_end)
        return;
    n->endh[i] = n->endh[n->n_end];
    n->flows[n->endh[i]].hpos = i;
    end_up(n, i);
    end_down(n, n->flows[n->endh[i]].hpos);
}

static void end_update(soc__net_t *n, int f)
{
    int i = n->flows[f].hpos;
    end_up(n, i);
    end_down(n, n->flows[f].hpos);
}

/* ---------------------------------------------------- share heap (links) */

static inline void set_key(link_t *l) { l->key = l->rem > 0 ? l->rem / l->unfixed : 0; }


/* ----------------------------------------------------------- max-min */

static int link_add_flow(soc__net_t *n, int l, int f, int idx)
{
    link_t *lk = &n->links[l];
    if (GROW(lk->fl, lk->capn, lk->n + 1) != SOC_OK)
        return SOC_ENOMEM;
    lk->fl[lk->n].flow = f;
    lk->fl[lk->n].idx = idx;
    n->flows[f].lpos[idx] = lk->n++;
    return SOC_OK;
}

static void link_del_flow(soc__net_t *n, int l, int pos)
{
    link_t *lk = &n->links[l];
    lk->n--;
    if (pos != lk->n) {
        lk->fl[pos] = lk->fl[lk->n];
        n->flows[lk->fl[pos].flow].lpos[lk->fl[pos].idx] = pos;
    }
}

static int add_seed(soc__net_t *n, int l)
{
    if (GROW(n->seeds, n->cap_seeds, n->n_seeds + 1) != SOC_OK)
        return SOC_ENOMEM;
    n->seeds[n->n_seeds++] = l;
    return SOC_OK;
}

/* Recompute's last step: the component's nf flows whose rate changed --
 * volume moved so far, new projected end (an unchanged rate keeps its
 * projection), their place in the end heap. */
static void apply_rates(soc__net_t *n, int nf, double t)
{
    for (int i = 0; i < nf; i++) {
        int f = n->cflows[i];
        flow_t *fl = &n->flows[f];
        if (fl->nrate == fl->rate)
            continue;
        fl->rem -= fl->rate * (t - fl->t_upd);
        if (fl->rem < 0)
            fl->rem = 0;
        fl->t_upd = t;
        fl->rate = fl->nrate;
        fl->tf = fl->rate > 0 ? t + fl->rem / fl->rate : INFINITY;
        if (fl->rem <= 0)
            fl->tf = t;
        end_update(n, f);
    }
}

/* Recompute the max-min rates of every flow connected to the seed links,
 * at time t.  See the file comment. */
static int recompute(soc__net_t *n, double t)
{
    uint64_t ep = ++n->epoch;
    int ns = 0, nf = 0, nl = 0;
    if (n->full) { /* every link that carries flows seeds the walk */
        n->n_seeds = 0;
        for (int l = 0; l < n->n_links; l++)
            if (n->links[l].n > 0 && add_seed(n, l) != SOC_OK)
                return SOC_ENOMEM;
    }
    for (int i = 0; i < n->n_seeds; i++) {
        int l = n->seeds[i];
        if (n->links[l].mark == ep)
            continue;
        n->links[l].mark = ep;
        if (GROW(n->stack, n->cap_stack, ns + 1) != SOC_OK)
            return SOC_ENOMEM;
        n->stack[ns++] = l;
    }
    n->n_seeds = 0;
    while (ns > 0) {
        int l = n->stack[--ns];
        if (n->links[l].n == 0)
            continue;
        if (GROW(n->clinks, n->cap_clinks, nl + 1) != SOC_OK)
            return SOC_ENOMEM;
        n->clinks[nl++] = l;
        for (int i = 0; i < n->links[l].n; i++) {
            int f = n->links[l].fl[i].flow;
            flow_t *fl = &n->flows[f];
            if (fl->mark == ep)
                continue;
            fl->mark = ep;
            if (GROW(n->cflows, n->cap_cflows, nf + 1) != SOC_OK)
                return SOC_ENOMEM;
            n->cflows[nf++] = f;
            for (int k = 0; k < fl->n_links; k++) {
                int m = fl->lk[k];
                if (n->links[m].mark == ep)
                    continue;
                n->links[m].mark = ep;
                if (GROW(n->stack, n->cap_stack, ns + 1) != SOC_OK)
                    return SOC_ENOMEM;
                n->stack[ns++] = m;
            }
        }
    }
    n->n_recompute++;
    n->n_touched += (uint64_t)nf;
    for (int i = 0; i < nf; i++)
        n->flows[n->cflows[i]].fixed = 0;
    /* progressive filling.  The links wait in a min-heap of (share, link);
     * an entry goes stale when a link's share grows as flows are fixed
     * elsewhere (shares never shrink), and is pushed again with its current
     * share when it comes out.  A fresh minimum is the bottleneck; equal
     * shares go to the lower link index, as with an exact heap. */
    n->sh.n = 0;
    for (int i = 0; i < nl; i++) {
        link_t *lk = &n->links[n->clinks[i]];
        lk->rem = lk->cap;
        lk->unfixed = lk->n;
        set_key(lk);
        if (shheap_push(&n->sh, (shent_t){lk->key, n->clinks[i]}) != 0)
            return SOC_ENOMEM;
    }
    while (n->sh.n > 0) {
        shent_t top = shheap_pop(&n->sh);
        link_t *lk = &n->links[top.l];
        if (lk->unfixed == 0)
            continue;
        set_key(lk);
        if (lk->key > top.key) { /* stale: its share grew */
            if (shheap_push(&n->sh, (shent_t){lk->key, top.l}) != 0)
                return SOC_ENOMEM;
            continue;
        }
        double share = lk->key;
        for (int i = 0; i < lk->n; i++) {
            flow_t *fl = &n->flows[lk->fl[i].flow];
            if (fl->fixed)
                continue;
            fl->fixed = 1;
            fl->nrate = share;
            for (int k = 0; k < fl->n_links; k++) {
                link_t *m = &n->links[fl->lk[k]];
                m->rem -= share;
                m->unfixed--;
            }
        }
    }
    /* flows whose rate changed: new volumes and projected ends */
    apply_rates(n, nf, t);
    return SOC_OK;
}

/* --------------------------------------------------------- transfers */

static int new_xfer(soc__net_t *n)
{
    if (n->free_xf >= 0) {
        int x = n->free_xf;
        n->free_xf = n->xf[x].next_free;
        return x;
    }
    if (GROW(n->xf, n->cap_xf, n->n_xf + 1) != SOC_OK)
        return -1;
    return n->n_xf++;
}

static void free_xfer(soc__net_t *n, int x)
{
    n->xf[x].next_free = n->free_xf;
    n->free_xf = x;
}

static int new_flow(soc__net_t *n, int route_len)
{
    int f;
    if (n->free_flow >= 0) {
        f = n->free_flow;
        n->free_flow = n->flows[f].next_free;
    } else {
        if (GROW(n->flows, n->cap_flows, n->n_flows + 1) != SOC_OK)
            return -1;
        f = n->n_flows++;
        memset(&n->flows[f], 0, sizeof n->flows[f]);
    }
    flow_t *fl = &n->flows[f];
    if (fl->cap_links < route_len) {
        int *a = realloc(fl->lk, sizeof *a * (size_t)route_len);
        if (a == NULL)
            return -1;
        fl->lk = a;
        int *b = realloc(fl->lpos, sizeof *b * (size_t)route_len);
        if (b == NULL)
            return -1;
        fl->lpos = b;
        fl->cap_links = route_len;
    }
    fl->hpos = -1;
    return f;
}

static void bus_start_service(soc__net_t *n, int ch, int x, double t);

/* Flow f joins its links at time t; its rate comes with the next
 * recomputation (flush), which covers every change of the instant. */
static int activate(soc__net_t *n, int f, double t)
{
    flow_t *fl = &n->flows[f];
    int rc;
    fl->state = F_ACTIVE;
    fl->t_upd = t;
    fl->rate = 0;
    /* nothing to move or nothing to cross: ends now */
    fl->tf = fl->rem <= 0 || fl->n_links == 0 ? t : INFINITY;
    if ((rc = end_push(n, f)) != SOC_OK)
        return rc;
    for (int k = 0; k < fl->n_links; k++)
        if ((rc = link_add_flow(n, fl->lk[k], f, k)) != SOC_OK ||
            (rc = add_seed(n, fl->lk[k])) != SOC_OK)
            return rc;
    return SOC_OK;
}

/* Recompute the rates the changes of the current instant affect. */
static int flush(soc__net_t *n)
{
    if (n->n_seeds == 0 || n->model != SOC_NET_FLOW)
        return SOC_OK;
    int rc = recompute(n, n->clock);
    if (rc != SOC_OK)
        n->err = rc;
    return rc;
}

/* Service time of one bus transaction (clock units). */
static double bus_service(const soc__net_t *n, const xfer_t *x)
{
    double us = x->vol / n->bus_bw + (x->phase == 0 ? n->lat_us : 0);
    if (n->integer_time)
        return (double)soc_time_from_us(us) * (n->scale / SOC_NS_PER_US);
    return us * n->scale;
}

/* Begin phase x->phase of transfer x at time t. */
static int start_phase(soc__net_t *n, int x, double t)
{
    xfer_t *xp = &n->xf[x];
    if (n->model == SOC_NET_BUS) {
        n->bus_version++;
        if (n->q_n == 0)
            for (int ch = 0; ch < n->k; ch++)
                if (n->busy_until[ch] < 0) {
                    bus_start_service(n, ch, x, t);
                    return SOC_OK;
                }
        if (n->q_n == n->q_cap) { /* grow the ring, unrolled */
            int nc = n->q_cap ? 2 * n->q_cap : 64;
            int *nq = malloc(sizeof *nq * (size_t)nc);
            if (nq == NULL)
                return SOC_ENOMEM;
            for (int i = 0; i < n->q_n; i++)
                nq[i] = n->q[(n->q_head + i) % n->q_cap];
            free(n->q);
            n->q = nq;
            n->q_cap = nc;
            n->q_head = 0;
        }
        n->q[(n->q_head + n->q_n++) % n->q_cap] = x;
        return SOC_OK;
    }
    int buf[ROUTE_MAX];
    const int *route;
    double lat_us;
    int len = phase_route(n, xp->src, xp->dst, xp->phase, buf, &route, &lat_us, NULL);
    int f = new_flow(n, len);
    if (f < 0)
        return SOC_ENOMEM;
    flow_t *fl = &n->flows[f];
    fl->state = F_PENDING;
    fl->n_links = len;
    memcpy(fl->lk, route, sizeof *route * (size_t)len);
    fl->vol = fl->rem = xp->vol;
    fl->rate = 0;
    fl->xfer = x;
    fl->seq = n->seq++;
    fl->mark = 0;
    pend_t pd = {t + lat_us * n->scale, fl->seq, f};
    if (pd.t <= n->clock) /* no latency: on its links now */
        return activate(n, f, n->clock);
    return pheap_push(&n->pend, pd) == 0 ? SOC_OK : SOC_ENOMEM;
}

static int deliver(soc__net_t *n, int x)
{
    if (GROW(n->done, n->cap_done, n->n_done + 1) != SOC_OK)
        return SOC_ENOMEM;
    soc__net_done_t *d = &n->done[n->n_done++];
    d->job = n->xf[x].job;
    d->edge = n->xf[x].edge;
    d->measured = n->xf[x].measured;
    d->volume = n->xf[x].vol;
    d->t_request = n->xf[x].t_req;
    free_xfer(n, x);
    return SOC_OK;
}

/* A phase of transfer x ended at time t: the next phase, or delivery. */
static int phase_done(soc__net_t *n, int x, double t, int units)
{
    xfer_t *xp = &n->xf[x];
    if (t >= n->warmup)
        n->energy_units += xp->vol * units;
    if (n->shared && xp->phase == 0) {
        xp->phase = 1;
        return start_phase(n, x, t);
    }
    return deliver(n, x);
}

/* ---------------------------------------------------------------- bus */

static void bus_start_service(soc__net_t *n, int ch, int x, double t)
{
    n->serving[ch] = x;
    n->busy_from[ch] = t;
    n->busy_until[ch] = t + bus_service(n, &n->xf[x]);
}

static int bus_step(soc__net_t *n, double t)
{
    /* every channel whose transaction ends at t, in channel order; a
     * channel freed takes the head of the queue at once */
    n->bus_version++;
    for (int ch = 0; ch < n->k; ch++) {
        while (n->busy_until[ch] >= 0 && n->busy_until[ch] <= t) {
            int x = n->serving[ch];
            n->bus_busy += n->busy_until[ch] - n->busy_from[ch];
            n->busy_until[ch] = -1;
            n->serving[ch] = -1;
            int rc = phase_done(n, x, t, 1);
            if (rc != SOC_OK)
                return rc;
            if (n->q_n > 0) {
                int y = n->q[n->q_head];
                n->q_head = (n->q_head + 1) % n->q_cap;
                n->q_n--;
                bus_start_service(n, ch, y, t);
            }
        }
    }
    /* a second phase queued while a channel was idle */
    for (int ch = 0; ch < n->k && n->q_n > 0; ch++)
        if (n->busy_until[ch] < 0) {
            int y = n->q[n->q_head];
            n->q_head = (n->q_head + 1) % n->q_cap;
            n->q_n--;
            bus_start_service(n, ch, y, t);
        }
    return SOC_OK;
}

/* --------------------------------------------------------------- flows */

static int flow_step(soc__net_t *n, double t)
{
    int rc;
    /* latencies elapsed: the flows join their links */
    while (n->pend.n > 0 && pheap_top(&n->pend)->t <= t) {
        pend_t pd = pheap_pop(&n->pend);
        if ((rc = activate(n, pd.flow, t)) != SOC_OK)
            return rc;
    }
    /* ends at t (within the tolerance), in end-heap order */
    double lim = t + END_TOL * fabs(t);
    while (n->n_end > 0 && n->flows[n->endh[0]].tf <= lim) {
        int f = n->endh[0];
        flow_t *fl = &n->flows[f];
        end_remove(n, f);
        for (int k = fl->n_links - 1; k >= 0; k--) {
            link_t *lk = &n->links[fl->lk[k]];
            lk->carried += fl->vol;
            link_del_flow(n, fl->lk[k], fl->lpos[k]);
            if ((rc = add_seed(n, fl->lk[k])) != SOC_OK)
                return rc;
        }
        fl->state = F_FREE;
        fl->next_free = n->free_flow;
        n->free_flow = f;
        if ((rc = phase_done(n, fl->xfer, t, fl->n_links)) != SOC_OK)
            return rc;
    }
    return SOC_OK; /* rates: at the next flush, with the caller's starts */
}

/* -------------------------------------------------------------- public */

double soc__net_next(soc__net_t *n)
{
    double t = INFINITY;
    if (flush(n) != SOC_OK)
        return n->clock; /* soc__net_step reports the error */
    if (n->model == SOC_NET_BUS) {
        for (int ch = 0; ch < n->k; ch++)
            if (n->busy_until[ch] >= 0 && n->busy_until[ch] < t)
                t = n->busy_until[ch];
        return t;
    }
    if (n->pend.n > 0)
        t = n->pend.a[0].t;
    if (n->n_end > 0 && n->flows[n->endh[0]].tf < t)
        t = n->flows[n->endh[0]].tf;
    return t;
}

double soc__net_clock(const soc__net_t *n)
{
    return n->clock;
}

int soc__net_step(soc__net_t *n, const soc__net_done_t **done, int *n_done, double *at)
{
    n->n_done = 0;
    double t = soc__net_next(n);
    int rc = n->err;
    if (rc == SOC_OK && isfinite(t)) {
        if (t > n->clock)
            n->clock = t;
        rc = n->model == SOC_NET_BUS ? bus_step(n, n->clock) : flow_step(n, n->clock);
    }
    *done = n->done;
    *n_done = n->n_done;
    *at = n->clock;
    return rc;
}

int soc__net_start(soc__net_t *n, double t, int src, int dst, double volume, uint64_t job,
                   int edge, int measured)
{
    if (t > n->clock) {
        int rc = flush(n); /* the rates up to now hold until t */
        if (rc != SOC_OK)
            return rc;
        n->clock = t;
    }
    int x = new_xfer(n);
    if (x < 0)
        return SOC_ENOMEM;
    xfer_t *xp = &n->xf[x];
    xp->job = job;
    xp->edge = edge;
    xp->measured = measured;
    xp->src = src;
    xp->dst = dst;
    xp->phase = 0;
    xp->vol = volume;
    xp->t_req = n->clock;
    return start_phase(n, x, n->clock);
}

void soc__net_bench(soc__net_t *n, int full, uint64_t *recomputes, uint64_t *touched)
{
    if (full >= 0)
        n->full = full;
    if (recomputes != NULL)
        *recomputes = n->n_recompute;
    if (touched != NULL)
        *touched = n->n_touched;
}

void soc__net_set_warmup(soc__net_t *n, double warmup)
{
    n->warmup = warmup;
}

int soc__net_record(soc__net_t *n, double t_request, double t, double volume, int measured)
{
    if (!measured)
        return SOC_OK;
    n->transfers++;
    n->data_moved += volume;
    return soc__lat_add(&n->st, (int64_t)llround((t - t_request) * (SOC_NS_PER_US / n->scale)));
}

double soc__net_alone_us(const soc__net_t *n, double volume, int src, int dst)
{
    if (n->model == SOC_NET_BUS)
        return n->lat_us + volume / n->bus_bw * (n->shared ? 2 : 1);
    int buf[ROUTE_MAX];
    const int *route;
    double total = 0;
    for (int ph = 0; ph <= n->shared; ph++) {
        double lat, bw;
        int len = phase_route(n, src, dst, ph, buf, &route, &lat, &bw);
        total += lat + (len > 0 ? volume / bw : 0);
    }
    return total;
}

double soc__net_now_us(soc__net_t *n, double now, double volume, int src, int dst)
{
    if (now < n->clock)
        now = n->clock;
    if (n->model == SOC_NET_BUS) {
        /* start of a request made now: the FIFO queue replayed on the
         * channels (cached until the bus changes) */
        if (n->est_version != n->bus_version || n->est_now != now) {
            for (int ch = 0; ch < n->k; ch++)
                n->freeat[ch] = n->busy_until[ch] < 0 ? now : n->busy_until[ch];
            for (int i = 0; i < n->q_n; i++) {
                int m = 0;
                for (int ch = 1; ch < n->k; ch++)
                    if (n->freeat[ch] < n->freeat[m])
                        m = ch;
                n->freeat[m] += bus_service(n, &n->xf[n->q[(n->q_head + i) % n->q_cap]]);
            }
            double best = INFINITY;
            for (int ch = 0; ch < n->k; ch++)
                if (n->freeat[ch] < best)
                    best = n->freeat[ch];
            n->est_start = best;
            n->est_now = now;
            n->est_version = n->bus_version;
        }
        double wait_us = (n->est_start - now) / n->scale;
        return wait_us + soc__net_alone_us(n, volume, src, dst);
    }
    int buf[ROUTE_MAX];
    const int *route;
    double total = 0;
    for (int ph = 0; ph <= n->shared; ph++) {
        double lat;
        int len = phase_route(n, src, dst, ph, buf, &route, &lat, NULL);
        double r = INFINITY;
        for (int k = 0; k < len; k++) {
            const link_t *lk = &n->links[route[k]];
            double s = lk->cap_us / (lk->n + 1);
            if (s < r)
                r = s;
        }
        total += lat + (len > 0 ? volume / r : 0);
    }
    return total;
}

int soc__net_route_text(const soc__net_t *n, int src, int dst, int phase, char *buf, size_t size)
{
    if (phase > n->shared || n->model != SOC_NET_FLOW) {
        if (size > 0)
            snprintf(buf, size, "%s", n->model == SOC_NET_BUS && phase <= n->shared ? "bus" : "");
        return n->model == SOC_NET_BUS && phase <= n->shared ? 1 : -1;
    }
    int route[ROUTE_MAX];
    double lat;
    int len = route_phase(n, src, dst, phase, route, &lat);
    size_t used = 0;
    if (size > 0)
        buf[0] = '\0';
    for (int k = 0; k < len && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? " " : "",
                                 n->names[route[k]]);
    return len;
}

void soc__net_metrics(soc__net_t *n, double now, soc_metrics_t *m)
{
    double warmup = n->warmup;
    flush(n);
    m->has_net = 1;
    m->transfers = n->transfers;
    m->avg_transfer_us = n->st.n ? n->st.sum_us / (double)n->st.n : 0;
    m->p95_transfer_us = soc__lat_quantile_us(&n->st, 0.95);
    m->data_moved = n->data_moved;
    double e = n->energy_units * n->c->energy_pj_per_unit * 1e-12;
    m->net_energy_j = e;
    double maxu = 0;
    if (n->model == SOC_NET_BUS) {
        double busy = n->bus_busy;
        for (int ch = 0; ch < n->k; ch++)
            if (n->busy_until[ch] >= 0)
                busy += (now < n->busy_until[ch] ? now : n->busy_until[ch]) - n->busy_from[ch];
        n->util[0] = now > 0 ? busy / (n->k * now) : 0;
        maxu = n->util[0];
        m->n_links = 1;
    } else {
        for (int l = 0; l < n->n_links; l++)
            n->util[l] = n->links[l].carried;
        for (int f = 0; f < n->n_flows; f++) {
            const flow_t *fl = &n->flows[f];
            if (fl->state != F_ACTIVE)
                continue;
            double rem = fl->rem - fl->rate * (now - fl->t_upd);
            double moved = fl->vol - (rem > 0 ? rem : 0);
            for (int k = 0; k < fl->n_links; k++)
                n->util[fl->lk[k]] += moved;
        }
        for (int l = 0; l < n->n_links; l++) {
            n->util[l] = now > 0 ? n->util[l] / (n->links[l].cap * now) : 0;
            if (n->util[l] > maxu)
                maxu = n->util[l];
        }
        m->n_links = n->n_links;
    }
    m->max_link_utilization = maxu;
    m->link_names = (const char *const *)n->names;
    m->link_utilization = n->util;
    if (m->has_energy) {
        /* the same definitions as the power model (power.c) */
        m->energy_j += e;
        m->edp = m->makespan_us * m->energy_j;
        double span_s = (now - (warmup > 0 ? warmup : 0)) / n->scale * 1e-6;
        m->avg_power_w = span_s > 0 ? m->energy_j / span_s : 0;
    }
}

void soc__net_reset(soc__net_t *n)
{
    n->clock = 0;
    for (int f = 0; f < n->n_flows; f++) {
        flow_t *fl = &n->flows[f];
        fl->state = F_FREE;
        fl->hpos = -1;
        fl->mark = 0;
        fl->next_free = f + 1 < n->n_flows ? f + 1 : -1;
    }
    n->free_flow = n->n_flows > 0 ? 0 : -1;
    n->n_end = 0;
    n->pend.n = 0;
    n->n_seeds = 0;
    n->err = SOC_OK;
    n->epoch = 0;
    for (int l = 0; l < n->n_links; l++) {
        n->links[l].n = 0;
        n->links[l].carried = 0;
        n->links[l].mark = 0;
    }
    for (int ch = 0; n->busy_until != NULL && ch < n->k; ch++) {
        n->busy_until[ch] = -1;
        n->serving[ch] = -1;
    }
    n->q_head = n->q_n = 0;
    n->bus_busy = 0;
    n->bus_version++;
    n->n_xf = 0;
    n->free_xf = -1;
    n->n_done = 0;
    soc__lat_free(&n->st);
    soc__lat_init(&n->st);
    n->transfers = 0;
    n->data_moved = 0;
    n->energy_units = 0;
}

void soc__net_destroy(soc__net_t *n)
{
    if (n == NULL)
        return;
    for (int l = 0; l < n->n_links; l++) {
        free(n->links[l].fl);
        free(n->names[l]);
    }
    free(n->links);
    free(n->names);
    free(n->mesh_link);
    free(n->pairs);
    free(n->pool);
    for (int f = 0; f < n->n_flows; f++) {
        free(n->flows[f].lk);
        free(n->flows[f].lpos);
    }
    free(n->flows);
    free(n->endh);
    pheap_free(&n->pend);
    free(n->stack);
    free(n->cflows);
    free(n->clinks);
    shheap_free(&n->sh);
    free(n->seeds);
    free(n->busy_until);
    free(n->busy_from);
    free(n->serving);
    free(n->freeat);
    free(n->q);
    free(n->xf);
    free(n->done);
    free(n->util);
    soc__lat_free(&n->st);
    free(n);
}

int soc__net_create(soc__net_t **out, const soc_platform_t *p, double time_scale,
                    int integer_time, soc_error_t *err)
{
    *out = NULL;
    const soc_contention_t *c = p->contention;
    if (c == NULL || c->model == SOC_NET_NONE)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "the platform has no contention model");
    soc__net_t *n = calloc(1, sizeof *n);
    if (n == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    n->p = p;
    n->c = c;
    n->model = c->model;
    n->scale = time_scale;
    n->integer_time = integer_time;
    n->n_pes = p->n_pes;
    n->lat_us = p->latency_us;
    n->shared = p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0;
    n->mem_pe = n->shared ? p->clusters[p->memory_cluster].first_pe : -1;
    n->free_flow = -1;
    n->free_xf = -1;
    n->bus_bw = c->bandwidth > 0 ? c->bandwidth : p->bw_default;
    int rc = soc__lat_init(&n->st);
    if (rc == SOC_OK && n->model == SOC_NET_BUS) {
        /* the bus is link 0, for its name and capacity; no flows use it */
        n->k = c->channels > 0 ? c->channels : 1;
        n->busy_until = malloc(sizeof *n->busy_until * (size_t)n->k);
        n->busy_from = calloc((size_t)n->k, sizeof *n->busy_from);
        n->serving = malloc(sizeof *n->serving * (size_t)n->k);
        n->freeat = malloc(sizeof *n->freeat * (size_t)n->k);
        n->links = calloc(1, sizeof *n->links);
        n->names = calloc(1, sizeof *n->names);
        n->util = calloc(1, sizeof *n->util);
        if (n->busy_until == NULL || n->busy_from == NULL || n->serving == NULL ||
            n->freeat == NULL || n->links == NULL || n->names == NULL || n->util == NULL ||
            add_link(n, n->bus_bw, "bus") < 0)
            rc = SOC_ENOMEM;
    } else if (rc == SOC_OK) {
        rc = build_links(n);
        if (rc == SOC_OK)
            rc = build_pair_cache(n);
        if (rc == SOC_OK && (n->util = calloc((size_t)n->n_links + 1, sizeof *n->util)) == NULL)
            rc = SOC_ENOMEM;
    }
    if (rc != SOC_OK) {
        soc__net_destroy(n);
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    soc__net_reset(n);
    *out = n;
    return SOC_OK;
}

/* ------------------------------------------------- soc/net.h: flow sets */

static int check_pe_pair(const soc_platform_t *p, int a, int b, int i, soc_error_t *err)
{
    if (a < 0 || b < 0 || a >= p->n_pes || b >= p->n_pes)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "flow %d: PE %d -> %d out of range 0 .. %d", i, a, b, p->n_pes - 1);
    if (a == b)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "flow %d: source and destination are the same PE (%d)", i, a);
    return SOC_OK;
}

int soc_net_run_flows(const soc_platform_t *p, soc_flow_t *flows, int nf, soc_error_t *err)
{
    if (p == NULL || nf < 0 || (flows == NULL && nf > 0))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no flows");
    if (p->contention == NULL || p->contention->model == SOC_NET_NONE)
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                             "the platform has no contention model (communication.contention)");
    for (int i = 0; i < nf; i++) {
        int rc = check_pe_pair(p, flows[i].src_pe, flows[i].dst_pe, i, err);
        if (rc != SOC_OK)
            return rc;
        if (!(flows[i].volume >= 0) || !isfinite(flows[i].volume) || !(flows[i].start_us >= 0) ||
            !isfinite(flows[i].start_us))
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "flow %d: volume and start must be finite numbers >= 0", i);
    }
    soc__net_t *n;
    int rc = soc__net_create(&n, p, 1.0, 0, err);
    if (rc != SOC_OK)
        return rc;
    int *order = malloc(sizeof *order * (size_t)(nf > 0 ? nf : 1));
    if (order == NULL) {
        soc__net_destroy(n);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* stable insertion by start time (flow sets are small) */
    for (int i = 0; i < nf; i++) {
        int j = i;
        while (j > 0 && flows[order[j - 1]].start_us > flows[i].start_us) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    int next = 0;
    while (rc == SOC_OK) {
        double tn = soc__net_next(n);
        double ts = next < nf ? flows[order[next]].start_us : INFINITY;
        if (!isfinite(tn) && !isfinite(ts))
            break;
        if (ts <= tn) { /* requests first at equal times */
            soc_flow_t *f = &flows[order[next]];
            rc = soc__net_start(n, ts, f->src_pe, f->dst_pe, f->volume, (uint64_t)order[next], 0, 0);
            next++;
            continue;
        }
        const soc__net_done_t *done;
        int nd;
        double at;
        rc = soc__net_step(n, &done, &nd, &at);
        for (int i = 0; i < nd && rc == SOC_OK; i++)
            flows[done[i].job].finish_us = at;
    }
    free(order);
    soc__net_destroy(n);
    if (rc != SOC_OK)
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    return SOC_OK;
}

int soc_net_route(const soc_platform_t *p, int src, int dst, char *buf, size_t size,
                  soc_error_t *err)
{
    if (p == NULL || buf == NULL || size == 0)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no buffer");
    if (p->contention == NULL || p->contention->model == SOC_NET_NONE)
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                             "the platform has no contention model (communication.contention)");
    int rc = check_pe_pair(p, src, dst, 0, err);
    if (rc != SOC_OK)
        return rc;
    soc__net_t *n;
    if ((rc = soc__net_create(&n, p, 1.0, 0, err)) != SOC_OK)
        return rc;
    size_t used = 0;
    buf[0] = '\0';
    for (int ph = 0; ph <= n->shared && used < size; ph++) {
        if (ph > 0)
            used += (size_t)snprintf(buf + used, size - used, " | ");
        if (used < size)
            soc__net_route_text(n, src, dst, ph, buf + used, size - used);
        used = strlen(buf);
    }
    soc__net_destroy(n);
    return SOC_OK;
}
