/*
 * common.c -- helpers shared by the built-in schedulers: cost summaries and
 * ranks (priorities), PE timelines with binary-searched insertion, the
 * whole-job EFT planner of the HEFT family, and the ready-list helpers of the
 * dynamic heuristics.  See sched_internal.h for the contracts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"
#include "soc_util.h"

/* ---------------------------------------------------------------- names */

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int soc__name_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0;
    for (; *a && *b; a++, b++)
        if (lower((unsigned char)*a) != lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int soc__name_eqn(const char *a, size_t n, const char *b)
{
    if (a == NULL || b == NULL || strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] == '\0' || lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------- cost summaries */

void soc__costs_free(soc__costs_t *c)
{
    if (c == NULL)
        return;
    free(c->w);
    free(c->count);
    free(c->w_mean);
    free(c->w_best);
    free(c->w_worst);
    memset(c, 0, sizeof *c);
}

/* ns per data unit between two distinct PEs of clusters a and b, following
 * the engine's rule: direct link, or write to and read from memory. */
static double pair_unit(const soc_platform_t *p, int pa, int pb)
{
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        int mem = p->clusters[p->memory_cluster].first_pe;
        return 1000.0 / soc_platform_bandwidth(p, pa, mem) +
               1000.0 / soc_platform_bandwidth(p, mem, pb);
    }
    return 1000.0 / soc_platform_bandwidth(p, pa, pb);
}

int soc__costs_init(soc__costs_t *c, const soc_platform_t *p)
{
    memset(c, 0, sizeof *c);
    int nt = p->n_types, nc = p->n_clusters;
    c->n_types = nt;
    c->n_clusters = nc;
    c->w = malloc(sizeof *c->w * (size_t)nt * (size_t)nc);
    c->count = calloc((size_t)nc, sizeof *c->count);
    c->w_mean = malloc(sizeof(double) * (size_t)nt);
    c->w_best = malloc(sizeof(double) * (size_t)nt);
    c->w_worst = malloc(sizeof(double) * (size_t)nt);
    if (c->w == NULL || c->count == NULL || c->w_mean == NULL || c->w_best == NULL ||
        c->w_worst == NULL) {
        soc__costs_free(c);
        return SOC_ENOMEM;
    }
    for (int k = 0; k < nc; k++) {
        const soc_cluster_t *cl = &p->clusters[k];
        int runs = !cl->is_memory && cl->exec_us != NULL;
        c->count[k] = runs ? cl->count : 0;
        for (int t = 0; t < nt; t++) {
            double us = runs ? cl->exec_us[t] : -1;
            c->w[(size_t)k * (size_t)nt + (size_t)t] = us < 0 ? -1 : (double)soc_time_from_us(us);
        }
    }
    for (int t = 0; t < nt; t++) {
        double sum = 0, n = 0, lo = -1, hi = -1;
        for (int k = 0; k < nc; k++) {
            double w = soc__cost_wc(c, t, k);
            if (w < 0 || c->count[k] == 0)
                continue;
            sum += w * c->count[k];
            n += c->count[k];
            if (lo < 0 || w < lo)
                lo = w;
            if (w > hi)
                hi = w;
        }
        c->w_mean[t] = n > 0 ? sum / n : 0;
        c->w_best[t] = lo < 0 ? 0 : lo;
        c->w_worst[t] = hi < 0 ? 0 : hi;
    }
    /* links: over ordered pairs of distinct task-running PEs, weighted by
     * the number of such pairs between two clusters */
    double pairs = 0, bw_sum = 0, ulo = -1, uhi = -1;
    for (int a = 0; a < nc; a++) {
        for (int b = 0; b < nc; b++) {
            double na = c->count[a], nb = c->count[b];
            double np = a == b ? na * (nb - 1) : na * nb;
            if (np <= 0)
                continue;
            int pa = p->clusters[a].first_pe;
            int pb = p->clusters[b].first_pe + (a == b ? 1 : 0);
            double u = pair_unit(p, pa, pb);
            pairs += np;
            bw_sum += np / u;
            if (ulo < 0 || u < ulo)
                ulo = u;
            if (u > uhi)
                uhi = u;
        }
    }
    if (pairs > 0) {
        c->lat_ns = p->latency_us * 1000.0;
        c->unit_mean = pairs / bw_sum;
        c->unit_best = ulo;
        c->unit_worst = uhi;
    }
    return SOC_OK;
}

double soc__cost_w(const soc__costs_t *c, int type, soc__cost_kind_t k)
{
    switch (k) {
    case SOC__COST_BEST:
        return c->w_best[type];
    case SOC__COST_WORST:
        return c->w_worst[type];
    case SOC__COST_MEAN:
    default:
        return c->w_mean[type];
    }
}

double soc__cost_c(const soc__costs_t *c, double volume, soc__cost_kind_t k)
{
    if (volume <= 0)
        return 0;
    double u = k == SOC__COST_BEST ? c->unit_best
             : k == SOC__COST_WORST ? c->unit_worst : c->unit_mean;
    if (u <= 0 && c->lat_ns <= 0)
        return 0;
    return c->lat_ns + volume * u;
}

double soc__prio_round(double x)
{
    return nearbyint(x * 4096.0) / 4096.0;
}

/* ----------------------------------------------------------------- ranks */

int soc__rank_upward(const soc__costs_t *c, const soc_app_t *a,
                     soc__cost_kind_t k, double *out)
{
    for (int idx = a->n_tasks - 1; idx >= 0; idx--) {
        int i = a->topo[idx];
        double best = 0;
        for (int s = a->succ_off[i]; s < a->succ_off[i + 1]; s++) {
            const soc_edge_t *e = &a->edges[a->succ_edge[s]];
            double v = soc__cost_c(c, e->volume, k) + out[e->dst];
            if (v > best)
                best = v;
        }
        out[i] = soc__cost_w(c, a->tasks[i].type, k) + best;
    }
    return SOC_OK;
}

int soc__rank_downward(const soc__costs_t *c, const soc_app_t *a,
                       soc__cost_kind_t k, double *out)
{
    for (int idx = 0; idx < a->n_tasks; idx++) {
        int i = a->topo[idx];
        double best = 0;
        for (int s = a->pred_off[i]; s < a->pred_off[i + 1]; s++) {
            const soc_edge_t *e = &a->edges[a->pred_edge[s]];
            double v = out[e->src] + soc__cost_w(c, a->tasks[e->src].type, k) +
                       soc__cost_c(c, e->volume, k);
            if (v > best)
                best = v;
        }
        out[i] = best;
    }
    return SOC_OK;
}

int soc__oct_table(const soc__costs_t *c, const soc_app_t *a, double *oct,
                   double *rank)
{
    int nc = c->n_clusters;
    for (int idx = a->n_tasks - 1; idx >= 0; idx--) {
        int i = a->topo[idx];
        double *row = &oct[(size_t)i * (size_t)nc];
        for (int k = 0; k < nc; k++)
            row[k] = 0;
        for (int s = a->succ_off[i]; s < a->succ_off[i + 1]; s++) {
            const soc_edge_t *e = &a->edges[a->succ_edge[s]];
            int j = e->dst, tj = a->tasks[j].type;
            const double *rj = &oct[(size_t)j * (size_t)nc];
            double cbar = soc__cost_c(c, e->volume, SOC__COST_MEAN);
            /* min over PEs p_w of OCT(j, p_w) + w(j, p_w) [+ c-bar unless
             * p_w is p_k itself]: the overall minimum m1 (cluster k1) serves
             * every other cluster with the transfer added */
            double m1 = INFINITY;
            int k1 = -1;
            for (int k = 0; k < nc; k++) {
                double w = soc__cost_wc(c, tj, k);
                if (w < 0 || c->count[k] == 0)
                    continue;
                if (rj[k] + w < m1) {
                    m1 = rj[k] + w;
                    k1 = k;
                }
            }
            if (k1 < 0)
                continue;
            for (int k = 0; k < nc; k++) {
                double v;
                if (k == k1) {
                    v = m1;
                } else {
                    v = m1 + cbar;
                    double w = soc__cost_wc(c, tj, k);
                    if (w >= 0 && c->count[k] > 0 && rj[k] + w < v)
                        v = rj[k] + w;
                }
                if (v > row[k])
                    row[k] = v;
            }
        }
        double sum = 0, n = 0;
        int ti = a->tasks[i].type;
        for (int k = 0; k < nc; k++)
            if (c->count[k] > 0 && soc__cost_wc(c, ti, k) >= 0) {
                sum += row[k] * c->count[k];
                n += c->count[k];
            }
        rank[i] = n > 0 ? sum / n : 0;
    }
    return SOC_OK;
}

/* max-heap of task ids by (prio desc, id asc) */
static int prio_before(const double *prio, int x, int y)
{
    if (prio[x] != prio[y])
        return prio[x] > prio[y];
    return x < y;
}

static void heap_up(int *h, int i, const double *prio)
{
    int x = h[i];
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!prio_before(prio, x, h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

static void heap_down(int *h, int n, int i, const double *prio)
{
    int x = h[i];
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = -1;
        if (l < n)
            m = l;
        if (r < n && prio_before(prio, h[r], h[l]))
            m = r;
        if (m < 0 || !prio_before(prio, h[m], x))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

int soc__priority_order(const soc_app_t *a, const double *prio, int *order)
{
    int n = a->n_tasks;
    int *left = malloc(sizeof(int) * (size_t)n);
    int *heap = malloc(sizeof(int) * (size_t)n);
    if (left == NULL || heap == NULL) {
        free(left);
        free(heap);
        return SOC_ENOMEM;
    }
    int hn = 0;
    for (int i = 0; i < n; i++) {
        left[i] = a->pred_off[i + 1] - a->pred_off[i];
        if (left[i] == 0) {
            heap[hn] = i;
            heap_up(heap, hn++, prio);
        }
    }
    int k = 0;
    while (hn > 0) {
        int t = heap[0];
        heap[0] = heap[--hn];
        if (hn > 0)
            heap_down(heap, hn, 0, prio);
        order[k++] = t;
        for (int s = a->succ_off[t]; s < a->succ_off[t + 1]; s++) {
            int j = a->edges[a->succ_edge[s]].dst;
            if (--left[j] == 0) {
                heap[hn] = j;
                heap_up(heap, hn++, prio);
            }
        }
    }
    free(left);
    free(heap);
    return k == n ? SOC_OK : SOC_ECYCLE;
}

/* --------------------------------------------------------- identical PEs */

void soc__groups_free(soc__groups_t *g)
{
    if (g == NULL)
        return;
    free(g->first);
    free(g->count);
    free(g->of_pe);
    free(g->mark);
    free(g->hosts);
    memset(g, 0, sizeof *g);
}

/* Transfers between PEs depend only on their clusters (see soc__groups_t):
 * every PE x against the first (other) PE of each cluster, both ways, at
 * two volumes, equals the cluster pair's reference. */
static int groups_transfers_by_cluster(const soc__groups_t *g, const soc_view_t *v)
{
    static const double vol[2] = {1.0, 4099.5};
    for (int a = 0; a < g->n; a++)
        for (int b = 0; b < g->n; b++) {
            /* reference pair (xr, yr), distinct PEs */
            int xr = g->first[a], yr = g->first[b];
            if (xr == yr) {
                if (g->count[b] < 2)
                    continue;
                yr++;
            }
            for (int x = g->first[a]; x < g->first[a] + g->count[a]; x++) {
                int y = g->first[b] == x ? x + 1 : g->first[b];
                if (y == x || y >= g->first[b] + g->count[b])
                    continue;
                for (int k = 0; k < 2; k++)
                    if (v->api->comm_time(v, vol[k], x, y) != v->api->comm_time(v, vol[k], xr, yr) ||
                        v->api->comm_time(v, vol[k], y, x) != v->api->comm_time(v, vol[k], yr, xr))
                        return 0;
            }
        }
    return 1;
}

int soc__groups_build(soc__groups_t *g, const soc_view_t *v)
{
    if (g->built)
        return SOC_OK;
    const soc_platform_t *p = v->platform;
    int never = g->never;
    soc__groups_free(g);
    g->never = never;
    int q = v->n_pes, nc = p->n_clusters;
    g->first = malloc(sizeof *g->first * (size_t)nc);
    g->count = malloc(sizeof *g->count * (size_t)nc);
    g->of_pe = malloc(sizeof *g->of_pe * (size_t)q);
    g->mark = calloc((size_t)q, sizeof *g->mark);
    g->hosts = malloc(sizeof *g->hosts * (size_t)q);
    if (g->first == NULL || g->count == NULL || g->of_pe == NULL || g->mark == NULL ||
        g->hosts == NULL) {
        soc__groups_free(g);
        g->never = never;
        return SOC_ENOMEM;
    }
    for (int pe = 0; pe < q; pe++)
        g->of_pe[pe] = -1;
    for (int c = 0; c < nc; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        if (cl->is_memory || cl->exec_us == NULL)
            continue;
        g->first[g->n] = cl->first_pe;
        g->count[g->n] = cl->count;
        for (int k = 0; k < cl->count; k++)
            g->of_pe[cl->first_pe + k] = g->n;
        g->n++;
    }
    if (!groups_transfers_by_cluster(g, v)) {
        /* transfers differ inside a cluster: every PE is a group of its own */
        int *nf = realloc(g->first, sizeof *nf * (size_t)q);
        int *ncnt = nf != NULL ? realloc(g->count, sizeof *ncnt * (size_t)q) : NULL;
        if (nf != NULL)
            g->first = nf;
        if (ncnt == NULL) {
            soc__groups_free(g);
            g->never = never;
            return SOC_ENOMEM;
        }
        g->count = ncnt;
        g->n = 0;
        for (int pe = 0; pe < q; pe++)
            if (g->of_pe[pe] >= 0) {
                g->first[g->n] = pe;
                g->count[g->n] = 1;
                g->of_pe[pe] = g->n++;
            }
    }
    g->built = 1;
    g->use = !never;
    return SOC_OK;
}

/* Start a new task's host set (PEs holding one of its predecessors). */
static void hosts_begin(soc__groups_t *g, int q)
{
    if (++g->cur == 0) {
        memset(g->mark, 0, sizeof *g->mark * (size_t)q);
        g->cur = 1;
    }
    g->n_hosts = 0;
}

static void hosts_add(soc__groups_t *g, int pe)
{
    if (pe >= 0 && g->mark[pe] != g->cur) {
        g->mark[pe] = g->cur;
        g->hosts[g->n_hosts++] = pe;
    }
}

/* (k1, p1) before (k2, p2): smaller key, then lower PE. */
static inline int kp_less(soc_time_t k1, int p1, soc_time_t k2, int p2)
{
    return k1 < k2 || (k1 == k2 && p1 < p2);
}

/* ------------------------------------------------------------- timelines */

/* The idle gap before reservation k (k >= 1) as a candidate: its length,
 * or -1 when it is empty (even a zero-length task cannot use it, since an
 * equal key would queue behind the reservation). */
static soc_time_t fit_gap(const soc__tl_t *tl, int k)
{
    if (k <= 0)
        return -1;
    soc_time_t g = tl->start[k] - tl->end[k - 1];
    return g > 0 ? g : -1;
}

/* Recompute the suffix maxima gmax[k] for k = hi down to 0 after a change
 * at or above index lo; below lo, stop as soon as a value is unchanged. */
static void tl_fix(soc__tl_t *tl, int hi, int lo)
{
    for (int k = hi < tl->n - 1 ? hi : tl->n - 1; k >= 0; k--) {
        soc_time_t g = fit_gap(tl, k), nx = tl->gmax[k + 1];
        soc_time_t v = g > nx ? g : nx;
        if (k < lo && v == tl->gmax[k])
            break;
        tl->gmax[k] = v;
    }
}

/* The block bounds covering gaps klo..khi (relative indices) from the
 * live gaps of each block: after a change of those gaps. */
static void tl_blocks(soc__tl_t *tl, int klo, int khi)
{
    if (klo < 1)
        klo = 1;
    if (khi > tl->n - 1)
        khi = tl->n - 1;
    if (klo > khi)
        return;
    for (int b = (tl->off + klo) / SOC__TL_BLOCK; b <= (tl->off + khi) / SOC__TL_BLOCK; b++) {
        int k0 = b * SOC__TL_BLOCK - tl->off, k1 = k0 + SOC__TL_BLOCK;
        soc_time_t m = -1;
        for (int k = k0 < 1 ? 1 : k0; k < k1 && k < tl->n; k++) {
            soc_time_t g = fit_gap(tl, k);
            m = g > m ? g : m;
        }
        tl->bmax[b] = m;
    }
}

int soc__tl_check(const soc__tl_t *tl)
{
    soc_time_t next = -1;
    for (int k = tl->n - 1; k >= 0; k--) {
        soc_time_t g = fit_gap(tl, k);
        next = g > next ? g : next;
        if (tl->gmax[k] != next)
            return -1;
        if (k >= 1 && tl->bmax[(tl->off + k) / SOC__TL_BLOCK] < g)
            return -1;
    }
    return 0;
}

soc_time_t soc__tl_find(const soc__tl_t *tl, soc_time_t ready, soc_time_t dur,
                        int insert, int *pos)
{
    int n = tl->n;
    if (n == 0 || ready >= tl->end[n - 1]) {
        if (pos != NULL)
            *pos = n;
        return n > 0 && tl->end[n - 1] > ready ? tl->end[n - 1] : ready;
    }
    if (insert) {
        /* first reservation that ends after `ready`: everything before it
         * is over by then, so the first candidate gap starts at `ready` */
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (tl->end[mid] > ready)
                hi = mid;
            else
                lo = mid + 1;
        }
        /* t < start also for dur == 0: an equal key would queue behind */
        if (ready + dur <= tl->start[lo] && ready < tl->start[lo]) {
            if (pos != NULL)
                *pos = lo;
            return ready;
        }
        /* later gaps are whole gaps between reservations; the suffix
         * maxima end the walk as soon as none of the rest can fit, and a
         * block whose bound is below dur is passed whole */
        for (int k = lo + 1; k < n && tl->gmax[k] >= dur;) {
            int a = tl->off + k;
            if (a % SOC__TL_BLOCK == 0 && tl->bmax[a / SOC__TL_BLOCK] < dur) {
                k += SOC__TL_BLOCK;
                continue;
            }
            if (fit_gap(tl, k) >= dur) {
                if (pos != NULL)
                    *pos = k;
                return tl->end[k - 1];
            }
            k++;
        }
    }
    if (pos != NULL)
        *pos = n;
    return tl->end[n - 1];
}

/* Point the arrays at element `off` of the allocations. */
static void tl_point(soc__tl_t *tl)
{
    if (tl->start0 == NULL)
        return;
    tl->start = tl->start0 + tl->off;
    tl->end = tl->end0 + tl->off;
    tl->gmax = tl->gmax0 + tl->off;
    tl->fin = tl->fin0 + tl->off;
    tl->ref = tl->ref0 + tl->off;
}

/* Room for n reservations from offset 0 or the current offset. */
static int tl_reserve(soc__tl_t *tl, int n)
{
    if (tl->off + n <= tl->cap)
        return SOC_OK;
    if (tl->off > 0) {
        /* move the live part down first (amortised by the drops) */
        size_t k = (size_t)tl->n;
        memmove(tl->start0, tl->start, k * sizeof *tl->start);
        memmove(tl->end0, tl->end, k * sizeof *tl->end);
        memmove(tl->gmax0, tl->gmax, (k + 1) * sizeof *tl->gmax);
        memmove(tl->fin0, tl->fin, k * sizeof *tl->fin);
        memmove(tl->ref0, tl->ref, k * sizeof *tl->ref);
        tl->off = 0;
        tl_point(tl);
        tl_blocks(tl, 1, tl->n - 1);
        if (n <= tl->cap)
            return SOC_OK;
    }
    int nc = tl->cap ? 2 * tl->cap : 16;
    if (nc < n)
        nc = n;
    soc_time_t *ns = realloc(tl->start0, sizeof *ns * (size_t)nc);
    if (ns == NULL)
        return SOC_ENOMEM;
    tl->start0 = ns;
    soc_time_t *ne = realloc(tl->end0, sizeof *ne * (size_t)nc);
    if (ne == NULL)
        return SOC_ENOMEM;
    tl->end0 = ne;
    soc_time_t *ng = realloc(tl->gmax0, sizeof *ng * (size_t)(nc + 1));
    if (ng == NULL)
        return SOC_ENOMEM;
    tl->gmax0 = ng;
    soc_time_t *nf = realloc(tl->fin0, sizeof *nf * (size_t)nc);
    if (nf == NULL)
        return SOC_ENOMEM;
    tl->fin0 = nf;
    soc_task_ref_t *nr = realloc(tl->ref0, sizeof *nr * (size_t)nc);
    if (nr == NULL)
        return SOC_ENOMEM;
    tl->ref0 = nr;
    int nb = nc / SOC__TL_BLOCK + 1, ob = tl->cap > 0 ? tl->cap / SOC__TL_BLOCK + 1 : 0;
    soc_time_t *nbm = realloc(tl->bmax, sizeof *nbm * (size_t)nb);
    if (nbm == NULL)
        return SOC_ENOMEM;
    tl->bmax = nbm;
    for (int b = ob; b < nb; b++)
        nbm[b] = -1;
    tl->cap = nc;
    tl_point(tl);
    return SOC_OK;
}

void soc__tl_free(soc__tl_t *tl)
{
    if (tl == NULL)
        return;
    free(tl->start0);
    free(tl->end0);
    free(tl->gmax0);
    free(tl->fin0);
    free(tl->ref0);
    free(tl->bmax);
    memset(tl, 0, sizeof *tl);
}

int soc__tl_insert_ref(soc__tl_t *tl, int pos, soc_time_t start, soc_time_t end,
                       soc_task_ref_t ref)
{
    int rc = tl_reserve(tl, tl->n + 1);
    if (rc != SOC_OK)
        return rc;
    if (tl->n == 0)
        tl->gmax[0] = -1;
    size_t tail = (size_t)(tl->n - pos);
    memmove(&tl->start[pos + 1], &tl->start[pos], tail * sizeof *tl->start);
    memmove(&tl->end[pos + 1], &tl->end[pos], tail * sizeof *tl->end);
    memmove(&tl->gmax[pos + 1], &tl->gmax[pos], (tail + 1) * sizeof *tl->gmax);
    memmove(&tl->fin[pos + 1], &tl->fin[pos], tail * sizeof *tl->fin);
    memmove(&tl->ref[pos + 1], &tl->ref[pos], tail * sizeof *tl->ref);
    tl->start[pos] = start;
    tl->end[pos] = (pos > 0 && tl->end[pos - 1] > end) ? tl->end[pos - 1] : end;
    tl->fin[pos] = end;
    tl->ref[pos] = ref;
    tl->n++;
    tl->ver_ok = 0;
    tl_fix(tl, pos + 1, pos);
    tl_blocks(tl, pos, tl->n - 1);
    return SOC_OK;
}

int soc__tl_insert(soc__tl_t *tl, int pos, soc_time_t start, soc_time_t end)
{
    soc_task_ref_t none = {0, -1};
    return soc__tl_insert_ref(tl, pos, start, end, none);
}

void soc__tl_remove(soc__tl_t *tl, int pos)
{
    size_t tail = (size_t)(tl->n - pos - 1);
    memmove(&tl->start[pos], &tl->start[pos + 1], tail * sizeof *tl->start);
    memmove(&tl->end[pos], &tl->end[pos + 1], tail * sizeof *tl->end);
    memmove(&tl->gmax[pos], &tl->gmax[pos + 1], (tail + 1) * sizeof *tl->gmax);
    memmove(&tl->fin[pos], &tl->fin[pos + 1], tail * sizeof *tl->fin);
    memmove(&tl->ref[pos], &tl->ref[pos + 1], tail * sizeof *tl->ref);
    tl->n--;
    tl->ver_ok = 0;
    tl_fix(tl, pos, pos);
    tl_blocks(tl, pos, tl->n - 1);
}

/* ------------------------------------------------------------ job plans */

void soc__plan_free(soc__plan_t *pl)
{
    if (pl == NULL)
        return;
    if (pl->tl != NULL)
        for (int p = 0; p < pl->n_pes; p++)
            soc__tl_free(&pl->tl[p]);
    free(pl->tl);
    free(pl->pe);
    free(pl->start);
    free(pl->finish);
    soc__groups_free(&pl->groups);
    memset(pl, 0, sizeof *pl);
}

int soc__plan_begin(soc__plan_t *pl, const soc_view_t *v, uint64_t job, int n_tasks)
{
    if (pl->tl == NULL || pl->n_pes != v->n_pes) {
        int never = pl->groups.never;
        soc__plan_free(pl);
        pl->groups.never = never;
        pl->tl = calloc((size_t)v->n_pes, sizeof *pl->tl);
        if (pl->tl == NULL) {
            soc__plan_free(pl);
            return SOC_ENOMEM;
        }
        pl->n_pes = v->n_pes;
    }
    if (n_tasks > pl->cap_tasks) {
        int *np = realloc(pl->pe, sizeof *np * (size_t)n_tasks);
        if (np == NULL)
            return SOC_ENOMEM;
        pl->pe = np;
        soc_time_t *ns = realloc(pl->start, sizeof *ns * (size_t)n_tasks);
        if (ns == NULL)
            return SOC_ENOMEM;
        pl->start = ns;
        soc_time_t *nf = realloc(pl->finish, sizeof *nf * (size_t)n_tasks);
        if (nf == NULL)
            return SOC_ENOMEM;
        pl->finish = nf;
        pl->cap_tasks = n_tasks;
    }
    for (int t = 0; t < n_tasks; t++) {
        pl->pe[t] = -1;
        pl->start[t] = pl->finish[t] = 0;
    }
    /* the last planning did not reach the engine whole: copy every queue */
    if (!pl->committed)
        for (int p = 0; p < pl->n_pes; p++)
            pl->tl[p].valid = 0;
    pl->committed = 0;
    pl->oom = 0;
    pl->epoch++;
    pl->v = v;
    pl->job = job;
    pl->now = v->now;
    return SOC_OK;
}

void soc__plan_commit(soc__plan_t *pl)
{
    pl->committed = !pl->oom;
}

static int ref_eq(soc_task_ref_t x, soc_task_ref_t y)
{
    return x.job == y.job && x.task == y.task;
}

static int slot_eq(const soc__tl_t *tl, int i, const soc_slot_t *s)
{
    return ref_eq(tl->ref[i], s->ref) && tl->start[i] == s->start && tl->fin[i] == s->finish;
}

/* Copy the engine's queue of ps into tl. */
static int tl_copy(soc__tl_t *tl, const soc_pe_state_t *ps)
{
    tl->n = 0;
    tl->off = 0;
    tl_point(tl);
    int rc = tl_reserve(tl, ps->n_slots > 0 ? ps->n_slots : 1);
    if (rc != SOC_OK)
        return rc;
    soc_time_t run = INT64_MIN;
    for (int i = 0; i < ps->n_slots; i++) {
        const soc_slot_t *sl = &ps->slots[i];
        if (sl->finish > run)
            run = sl->finish;
        tl->start[i] = sl->start;
        tl->end[i] = run;
        tl->fin[i] = sl->finish;
        tl->ref[i] = sl->ref;
    }
    tl->n = ps->n_slots;
    tl->gmax[tl->n] = -1;
    tl_fix(tl, tl->n - 1, 0);
    tl_blocks(tl, 1, tl->n - 1);
    return SOC_OK;
}

/* Bring a valid mirror up to date: the engine dropped `drop` finished
 * reservations from the front and may have moved its head.  Returns 0 when
 * the queue does not look like the mirror (then it is copied). */
static int tl_follow(soc__tl_t *tl, const soc_pe_state_t *ps)
{
    int m = ps->n_slots, drop = tl->n - m;
    if (drop < 0)
        return 0;
    if (m > 0) {
        const soc_slot_t *sl = ps->slots;
        if (!ref_eq(tl->ref[drop], sl[0].ref) || !slot_eq(tl, tl->n - 1, &sl[m - 1]) ||
            (m > 2 && !slot_eq(tl, drop + 1, &sl[1])))
            return 0;
    }
    tl->off += drop;
    tl->n = m;
    tl_point(tl);
    if (m == 0) {
        tl->gmax[0] = -1;
        return 1;
    }
    int hi = 0;
    if (drop > 0 || tl->start[0] != ps->slots[0].start || tl->fin[0] != ps->slots[0].finish) {
        tl->start[0] = ps->slots[0].start;
        tl->fin[0] = ps->slots[0].finish;
        /* running maxima from the (new) head until they agree again: the
         * dropped reservations and the head's old finish are gone */
        soc_time_t run = INT64_MIN;
        for (hi = 0; hi < m; hi++) {
            soc_time_t e = tl->fin[hi] > run ? tl->fin[hi] : run;
            if (hi > 0 && e == tl->end[hi])
                break;
            tl->end[hi] = e;
            run = e;
        }
    }
    /* gaps 1..hi changed, and gmax[0] (the first gap is no gap) */
    tl_fix(tl, hi, 1);
    tl_blocks(tl, 1, hi);
    return 1;
}

soc__tl_t *soc__plan_tl(soc__plan_t *pl, int pe)
{
    soc__tl_t *tl = &pl->tl[pe];
    if (tl->epoch == pl->epoch)
        return tl;
    tl->epoch = pl->epoch;
    const soc_view_t *v = pl->v;
    const soc_pe_state_t *ps = &v->pes[pe];
    /* the engine's queue version: unchanged since the last sync (and the
     * mirror not edited since) means nothing to do */
    int has_ver = v->api != NULL && SOC_API_HAS(v->api, pe_version);
    uint64_t ver = has_ver ? v->api->pe_version(v, pe) : 0;
    if (tl->valid && has_ver && tl->ver_ok && tl->ver == ver) {
        pl->same++;
        return tl;
    }
    tl->ver = ver;
    if (tl->valid && tl_follow(tl, ps)) {
        pl->updates++;
        tl->ver_ok = has_ver;
        return tl;
    }
    pl->copies++;
    if (tl_copy(tl, ps) != SOC_OK) {
        pl->oom = 1;
        tl->valid = 0;
        tl->n = 0;
        tl->epoch = 0;
        return tl;
    }
    tl->valid = 1;
    tl->ver_ok = has_ver;
    return tl;
}

int soc__plan_sync_all(soc__plan_t *pl)
{
    for (int p = 0; p < pl->n_pes; p++)
        soc__plan_tl(pl, p);
    return pl->oom ? SOC_ENOMEM : SOC_OK;
}

soc_time_t soc__plan_ready(const soc__plan_t *pl, const soc_view_t *v,
                           const soc_app_t *a, int task, int pe,
                           soc_time_t floor)
{
    soc_time_t r = floor > pl->now ? floor : pl->now;
    for (int k = a->pred_off[task]; k < a->pred_off[task + 1]; k++) {
        const soc_edge_t *e = &a->edges[a->pred_edge[k]];
        int pp = pl->pe[e->src];
        if (pp < 0)
            continue;
        soc_time_t x = pl->finish[e->src] + v->api->comm_time(v, e->volume, pp, pe);
        if (x > r)
            r = x;
    }
    return r;
}

int soc__plan_put(soc__plan_t *pl, int task, int pe, int pos, soc_time_t start,
                  soc_time_t finish)
{
    soc_task_ref_t ref = {pl->job, task};
    int rc = soc__tl_insert_ref(soc__plan_tl(pl, pe), pos, start, finish, ref);
    if (rc == SOC_OK && pl->oom)
        rc = SOC_ENOMEM;
    if (rc != SOC_OK)
        return rc;
    pl->pe[task] = pe;
    pl->start[task] = start;
    pl->finish[task] = finish;
    return SOC_OK;
}

void soc__plan_take(soc__plan_t *pl, int task, int pos)
{
    soc__tl_remove(soc__plan_tl(pl, pl->pe[task]), pos);
    pl->pe[task] = -1;
}

/* Score of placing task on p starting at st (insertion search done). */
static double plan_score(const soc_view_t *v, int task, int p, soc_time_t ft,
                         const soc__eft_rule_t *rule)
{
    double score = (double)ft;
    if (rule->bias != NULL)
        score = soc__prio_round(score + rule->bias[(size_t)task * (size_t)v->platform->n_clusters +
                                                   (size_t)v->platform->pe_cluster[p]]);
    return score;
}

typedef struct plan_best {
    int pe, pos;
    soc_time_t st, ft;
    double score;
} plan_best_t;

static void plan_offer(plan_best_t *b, int p, int pos, soc_time_t st, soc_time_t ft, double score)
{
    if (b->pe < 0 || score < b->score || (score == b->score && p < b->pe)) {
        b->pe = p;
        b->pos = pos;
        b->st = st;
        b->ft = ft;
        b->score = score;
    }
}

/* Cluster path of soc__plan_best_pe: PEs hosting a placed predecessor one
 * by one; the others of a cluster share one ready time r, and the scan in
 * index order stops at the first PE where the task can start at r (the
 * earliest possible start there; the score is non-decreasing in the finish
 * within a cluster, and later PEs lose ties). */
static void plan_best_groups(soc__plan_t *pl, const soc_view_t *v, const soc_app_t *a, int task,
                             soc_time_t floor, const soc__eft_rule_t *rule, plan_best_t *b)
{
    soc__groups_t *g = &pl->groups;
    int type = a->tasks[task].type;
    hosts_begin(g, v->n_pes);
    for (int k = a->pred_off[task]; k < a->pred_off[task + 1]; k++)
        hosts_add(g, pl->pe[a->edges[a->pred_edge[k]].src]);
    for (int gi = 0; gi < g->n; gi++) {
        int f = g->first[gi], end = f + g->count[gi];
        soc_time_t d = v->api->exec_time(v, type, f);
        if (d < 0)
            continue;
        for (int h = 0; h < g->n_hosts; h++) {
            int p = g->hosts[h];
            if (g->of_pe[p] != gi)
                continue;
            soc_time_t r = soc__plan_ready(pl, v, a, task, p, floor);
            int pos;
            soc_time_t st = soc__tl_find(soc__plan_tl(pl, p), r, d, rule->insert, &pos);
            plan_offer(b, p, pos, st, st + d, plan_score(v, task, p, st + d, rule));
        }
        soc_time_t r = -1;
        for (int p = f; p < end; p++) {
            if (g->mark[p] == g->cur)
                continue;
            if (r < 0)
                r = soc__plan_ready(pl, v, a, task, p, floor);
            int pos;
            soc_time_t st = soc__tl_find(soc__plan_tl(pl, p), r, d, rule->insert, &pos);
            plan_offer(b, p, pos, st, st + d, plan_score(v, task, p, st + d, rule));
            if (st == r)
                break;
        }
    }
}

int soc__plan_best_pe(soc__plan_t *pl, const soc_view_t *v,
                      const soc_app_t *a, int task, soc_time_t floor,
                      const soc__eft_rule_t *rule, soc_time_t *start,
                      soc_time_t *finish, int *pos)
{
    int type = a->tasks[task].type;
    int lo = 0, hi = v->n_pes;
    plan_best_t b = {-1, 0, 0, 0, 0};
    int pinned = rule->pin != NULL && rule->pin[task] >= 0 &&
                 v->api->exec_time(v, type, rule->pin[task]) >= 0;
    if (pinned) {
        lo = rule->pin[task];
        hi = lo + 1;
    } else if (soc__groups_build(&pl->groups, v) != SOC_OK) {
        pl->oom = 1;
        return -1;
    }
    if (!pinned && pl->groups.use) {
        plan_best_groups(pl, v, a, task, floor, rule, &b);
    } else {
        for (int p = lo; p < hi; p++) {
            soc_time_t d = v->api->exec_time(v, type, p);
            if (d < 0)
                continue;
            soc_time_t r = soc__plan_ready(pl, v, a, task, p, floor);
            int ps;
            soc_time_t st = soc__tl_find(soc__plan_tl(pl, p), r, d, rule->insert, &ps);
            plan_offer(&b, p, ps, st, st + d, plan_score(v, task, p, st + d, rule));
        }
    }
    if (start != NULL)
        *start = b.st;
    if (finish != NULL)
        *finish = b.ft;
    if (pos != NULL)
        *pos = b.pos;
    return b.pe;
}

int soc__plan_job(soc__plan_t *pl, soc_view_t *v, uint64_t job, int app,
                  const int *order, const soc__eft_rule_t *rule)
{
    const soc_app_t *a = &v->apps[app];
    int rc = soc__plan_begin(pl, v, job, a->n_tasks);
    if (rc != SOC_OK)
        return rc;
    soc_time_t floor = v->api->job_arrival(v, job);
    for (int k = 0; k < a->n_tasks; k++) {
        int t = order[k];
        soc_time_t st, ft;
        int pos;
        int p = soc__plan_best_pe(pl, v, a, t, floor, rule, &st, &ft, &pos);
        if (p < 0)
            return pl->oom ? SOC_ENOMEM : SOC_ESCHED;
        if ((rc = soc__plan_put(pl, t, p, pos, st, ft)) != SOC_OK)
            return rc;
        soc_task_ref_t ref = {job, t};
        if ((rc = v->api->assign(v, ref, p, st)) != SOC_OK)
            return rc;
    }
    soc__plan_commit(pl);
    return SOC_OK;
}

/* ------------------------------------------------- static scheduler base */

static void cache_clear(soc__app_cache_t *ac)
{
    free(ac->order);
    free(ac->prio);
    free(ac->aux);
    free(ac->iaux);
    memset(ac, 0, sizeof *ac);
    ac->cp_pe = -1;
}

int soc__static_create(soc__static_t **out, const soc_sched_init_t *init,
                       soc__cost_kind_t kind, soc__cache_fn fill)
{
    *out = NULL;
    if (init == NULL || init->platform == NULL || init->n_apps < 0)
        return SOC_EINVAL;
    soc__static_t *st = calloc(1, sizeof *st);
    if (st == NULL)
        return SOC_ENOMEM;
    st->platform = init->platform;
    st->n_apps = init->n_apps;
    st->apps = init->apps;
    st->kind = kind;
    st->fill = fill;
    st->cache = calloc((size_t)(init->n_apps > 0 ? init->n_apps : 1), sizeof *st->cache);
    if (st->cache == NULL || soc__costs_init(&st->costs, init->platform) != SOC_OK) {
        free(st->cache);
        free(st);
        return SOC_ENOMEM;
    }
    for (int a = 0; a < init->n_apps; a++)
        st->cache[a].cp_pe = -1;
    *out = st;
    return SOC_OK;
}

void soc__static_destroy(void *state)
{
    soc__static_t *st = state;
    if (st == NULL)
        return;
    for (int a = 0; a < st->n_apps; a++)
        cache_clear(&st->cache[a]);
    free(st->cache);
    soc__costs_free(&st->costs);
    soc__plan_free(&st->plan);
    free(st->ext);
    free(st);
}

soc__app_cache_t *soc__static_cache(soc__static_t *st, int app)
{
    if (app < 0 || app >= st->n_apps)
        return NULL;
    soc__app_cache_t *ac = &st->cache[app];
    if (ac->ready)
        return ac;
    if (st->fill(st, &st->apps[app], ac) != SOC_OK) {
        cache_clear(ac);
        return NULL;
    }
    ac->ready = 1;
    return ac;
}

int soc__static_schedule(void *state, soc_view_t *v)
{
    soc__static_t *self = state;
    /* tasks no planning covered are queued behind the plan's back: the next
     * planning copies the queues afresh */
    if (self != NULL && v->n_ready > 0)
        self->plan.committed = 0;
    for (int i = 0; i < v->n_ready; i++) {
        const soc_ready_t *r = &v->ready[i];
        int best = -1;
        soc_time_t bst = 0, bft = 0;
        for (int p = 0; p < v->n_pes; p++) {
            soc_time_t d = v->api->exec_time(v, r->type, p);
            if (d < 0)
                continue;
            soc_time_t dr = v->api->data_ready(v, r->ref, p, NULL);
            soc_time_t st = v->api->find_slot(v, p, dr, d, 1);
            if (best < 0 || st + d < bft) {
                best = p;
                bst = st;
                bft = st + d;
            }
        }
        if (best < 0)
            return SOC_ESCHED;
        int rc = v->api->assign(v, r->ref, best, bst);
        if (rc != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

/* ------------------------------------------------------ list heuristics */

struct soc__big;
static void big_free(struct soc__big *b);

/* mode: 0 dynamic, 1 static, 2 late */
static int ws_new(void **state, soc__pick_t pick, int mode)
{
    soc__ws_t *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return SOC_ENOMEM;
    ws->pick = pick;
    ws->is_static = mode == 1;
    ws->late = mode == 2;
    *state = ws;
    return SOC_OK;
}

int soc__ws_create(void **state, const soc_sched_init_t *init)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL;
    return ws_new(state, SOC__PICK_OTHER, 0);
}

int soc__ws_create_mode(void **state, const soc_sched_init_t *init,
                        soc__pick_t pick)
{
    int mode = 0;
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0') {
        if (soc__name_eq(init->arg, "static"))
            mode = 1;
        else if (soc__name_eq(init->arg, "late"))
            mode = 2;
        else if (!soc__name_eq(init->arg, "dynamic"))
            return SOC_EINVAL;
    }
    return ws_new(state, pick, mode);
}

void soc__ws_destroy(void *state)
{
    soc__ws_t *ws = state;
    if (ws == NULL)
        return;
    free(ws->avail);
    free(ws->row);
    free(ws->ids);
    free(ws->done);
    free(ws->left);
    free(ws->astamp);
    free(ws->idle);
    free(ws->top);
    free(ws->top_st);
    soc__plan_free(&ws->plan);
    soc__groups_free(&ws->groups);
    big_free(ws->big);
    free(ws);
}

#define GROW(ptr, n)                                                           \
    do {                                                                       \
        void *np_ = realloc((ptr), sizeof *(ptr) * (size_t)(n));               \
        if (np_ == NULL)                                                       \
            return SOC_ENOMEM;                                                 \
        (ptr) = np_;                                                           \
    } while (0)

int soc__ws_prepare(soc__ws_t *ws, const soc_view_t *v)
{
    return soc__ws_prepare_n(ws, v, v->n_ready);
}

/* Size the arrays for v's PEs and n items (avail[] not loaded). */
static int ws_size(soc__ws_t *ws, const soc_view_t *v, int n)
{
    if (v->n_pes > ws->cap_pes) {
        GROW(ws->avail, v->n_pes);
        uint64_t *na = realloc(ws->astamp, sizeof *na * (size_t)v->n_pes);
        if (na == NULL)
            return SOC_ENOMEM;
        for (int p = ws->cap_pes; p < v->n_pes; p++)
            na[p] = 0;
        ws->astamp = na;
        GROW(ws->idle, v->n_pes);
        ws->cap_pes = v->n_pes;
    }
    if (n > ws->cap_ready) {
        GROW(ws->row, n);
        GROW(ws->ids, n);
        GROW(ws->done, n);
        GROW(ws->left, n);
        ws->cap_ready = n;
    }
    return SOC_OK;
}

int soc__ws_prepare_n(soc__ws_t *ws, const soc_view_t *v, int n)
{
    int rc = ws_size(ws, v, n);
    if (rc != SOC_OK)
        return rc;
    for (int p = 0; p < v->n_pes; p++) {
        soc_time_t e = v->pes[p].plan_end;
        ws->avail[p] = e > v->now ? e : v->now;
    }
    return SOC_OK;
}

soc_time_t soc__eft_append(const soc_view_t *v, const soc_ready_t *r, int pe,
                           const soc_time_t *avail)
{
    soc_time_t d = v->api->exec_time(v, r->type, pe);
    if (d < 0)
        return -1;
    soc_time_t st = v->api->data_ready(v, r->ref, pe, NULL);
    if (st < avail[pe])
        st = avail[pe];
    return st + d;
}

int soc__commit_append(soc_view_t *v, const soc_ready_t *r, int pe,
                       soc_time_t *avail)
{
    soc_time_t ft = soc__eft_append(v, r, pe, avail);
    if (ft < 0)
        return SOC_ESCHED;
    int rc = v->api->assign(v, r->ref, pe, SOC_APPEND);
    if (rc == SOC_OK)
        avail[pe] = ft;
    return rc;
}

int soc__append_each(soc__ws_t *ws, soc_view_t *v, soc__pe_pick_fn pick)
{
    int rc = soc__ws_prepare(ws, v);
    if (rc != SOC_OK)
        return rc;
    for (int i = 0; i < v->n_ready; i++) {
        const soc_ready_t *r = &v->ready[i];
        int pe = pick(ws, v, r);
        if (pe < 0)
            return SOC_ESCHED;
        if ((rc = soc__commit_append(v, r, pe, ws->avail)) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

/* Keep the best and second-best (key, PE) of item i, by (key, PE): offered
 * in PE order this is strict <, the lower PE index winning ties. */
static void row_offer(soc__ws_t *ws, int i, int p, soc_time_t key)
{
    if (ws->row[i].best_pe < 0 || kp_less(key, p, ws->row[i].best, ws->row[i].best_pe)) {
        ws->row[i].second = ws->row[i].best;
        ws->row[i].second_pe = ws->row[i].best_pe;
        ws->row[i].best = key;
        ws->row[i].best_pe = p;
    } else if (ws->row[i].second_pe < 0 ||
               kp_less(key, p, ws->row[i].second, ws->row[i].second_pe)) {
        ws->row[i].second = key;
        ws->row[i].second_pe = p;
    }
}

/* A row's best two being built in registers (what row_offer keeps). */
typedef struct row_acc {
    soc_time_t k1, k2;
    int p1, p2;
} row_acc_t;

static inline void acc_offer(row_acc_t *r, int p, soc_time_t key)
{
    if (r->p1 < 0 || kp_less(key, p, r->k1, r->p1)) {
        r->k2 = r->k1;
        r->p2 = r->p1;
        r->k1 = key;
        r->p1 = p;
    } else if (r->p2 < 0 || kp_less(key, p, r->k2, r->p2)) {
        r->k2 = key;
        r->p2 = p;
    }
}

static void acc_store(soc__ws_t *ws, int i, const row_acc_t *r)
{
    ws->row[i].best = r->k1;
    ws->row[i].second = r->k2;
    ws->row[i].best_pe = r->p1;
    ws->row[i].second_pe = r->p2;
}

static void acc_load(const soc__ws_t *ws, int i, row_acc_t *r)
{
    r->k1 = ws->row[i].best;
    r->k2 = ws->row[i].second;
    r->p1 = ws->row[i].best_pe;
    r->p2 = ws->row[i].second_pe;
}

static void row_clear(soc__ws_t *ws, int i)
{
    ws->row[i].best = ws->row[i].second = SOC_TIME_NEVER;
    ws->row[i].best_pe = ws->row[i].second_pe = -1;
}

/* max(now, plan end) of PE p, or its value after this decision's commits. */
static inline soc_time_t avail_get(soc__ws_t *ws, const soc_view_t *v, int p)
{
    if (ws->astamp[p] != ws->dstamp) {
        soc_time_t e = v->pes[p].plan_end;
        ws->avail[p] = e > v->now ? e : v->now;
        ws->astamp[p] = ws->dstamp;
    }
    return ws->avail[p];
}

/* Appended finish of r on pe (soc__eft_append with the lazy avail). */
static soc_time_t ws_eft(soc__ws_t *ws, const soc_view_t *v, const soc_ready_t *r, int pe)
{
    soc_time_t d = v->api->exec_time(v, r->type, pe);
    if (d < 0)
        return -1;
    soc_time_t st = v->api->data_ready(v, r->ref, pe, NULL);
    soc_time_t av = avail_get(ws, v, pe);
    return (st < av ? av : st) + d;
}

/* ------------------------------------- earliest availability (engine)
 * For clusters of many PEs the rows below find what the scan in index
 * order finds through the engine's searches over the PEs' availability
 * max(now, plan_end), which is avail[] while `tree` holds (see tree_min in
 * soc__ws_t): api->pe_first_free (the first PE available by t) and
 * api->pe_earliest (least (availability, PE)). */

static void cl_build(soc__ws_t *ws, const soc_view_t *v);

/* The decision may use the engine's searches (set per decision). */
static int tree_begin(soc__ws_t *ws, const soc_view_t *v)
{
    ws->tree = ws->groups.use && SOC_API_HAS(v->api, pe_first_free) &&
               SOC_API_HAS(v->api, pe_earliest);
    if (ws->tree && ws->groups.n > ws->cap_top) {
        int *nt = realloc(ws->top, sizeof *nt * 2 * (size_t)ws->groups.n);
        if (nt == NULL)
            return SOC_ENOMEM;
        ws->top = nt;
        uint64_t *ns = realloc(ws->top_st, sizeof *ns * (size_t)ws->groups.n);
        if (ns == NULL)
            return SOC_ENOMEM;
        ws->top_st = ns;
        for (int k = ws->cap_top; k < ws->groups.n; k++) {
            ns[k] = 0;
            nt[2 * k] = nt[2 * k + 1] = -1;
        }
        ws->cap_top = ws->groups.n;
    }
    return SOC_OK;
}

/* Group gi is searched rather than scanned (with `hosts` hosts in all). */
static int tree_group(const soc__ws_t *ws, int gi, int hosts)
{
    int cnt = ws->groups.count[gi];
    return ws->tree && cnt >= (ws->tree_min > 0 ? ws->tree_min : SOC__TREE_MIN) &&
           (ws->tree_min == 1 || hosts <= cnt / 4);
}

/* After a commit to pe: the engine's view must still be avail[]; if not
 * (power model), scan for the rest of the decision.  pe's group may have
 * new earliest PEs. */
static void tree_check(soc__ws_t *ws, const soc_view_t *v, int pe)
{
    if (!ws->tree)
        return;
    int gi = ws->groups.of_pe[pe];
    if (gi >= 0 && ws->top_st[gi] == ws->dstamp &&
        (ws->top[2 * gi] == pe || ws->top[2 * gi + 1] == pe))
        ws->top_st[gi] = 0; /* another PE got later: the two stay */
    soc_time_t e = v->pes[pe].plan_end;
    if ((e > v->now ? e : v->now) != ws->avail[pe]) {
        ws->tree = 0;
        ws->tree_lost++;
        if (ws->in_big)
            cl_build(ws, v); /* the heaps of the groups that had none */
    }
}

/* Excluded from a search: a host of the current task (marks) or `skip`. */
static int tr_out(const soc__groups_t *g, int p, int hosts, int skip)
{
    return p == skip || (hosts && g->mark[p] == g->cur);
}

/* The first PE of [lo, hi), in index order, with avail <= t. */
static int tr_first_free(soc__ws_t *ws, const soc_view_t *v, int lo, int hi, soc_time_t t,
                         int hosts)
{
    if (t < v->now)
        return -1;
    while (lo < hi) {
        int p = v->api->pe_first_free(v, lo, hi, t);
        if (p < 0 || !tr_out(&ws->groups, p, hosts, -1))
            return p;
        lo = p + 1;
    }
    return -1;
}

/* The PE of least (avail, PE) in [lo, hi), none excluded. */
static int tr_least_all(const soc_view_t *v, int lo, int hi)
{
    return lo < hi ? v->api->pe_earliest(v, lo, hi) : -1;
}

/* The PE of least (avail, PE) in [lo, hi) but the excluded ones: split at
 * an excluded answer (calls: at most twice the excluded PEs in the range,
 * plus one). */
static int tr_least(soc__ws_t *ws, const soc_view_t *v, int lo, int hi, int hosts, int skip)
{
    int p = tr_least_all(v, lo, hi);
    if (p < 0 || !tr_out(&ws->groups, p, hosts, skip))
        return p;
    int a = tr_least(ws, v, lo, p, hosts, skip), b = tr_least(ws, v, p + 1, hi, hosts, skip);
    if (a < 0 || b < 0)
        return a < 0 ? b : a;
    soc_time_t va = avail_get(ws, v, a), vb = avail_get(ws, v, b);
    return kp_less(vb, b, va, a) ? b : a;
}

/* The two PEs of group gi of least (avail, PE), the second -1 for a group
 * of one: kept per decision until a commit changes the group. */
static const int *tree_top(soc__ws_t *ws, const soc_view_t *v, int gi)
{
    int *t = &ws->top[2 * gi];
    if (ws->top_st[gi] != ws->dstamp) {
        int f = ws->groups.first[gi], end = f + ws->groups.count[gi];
        t[0] = tr_least_all(v, f, end);
        t[1] = tr_least(ws, v, f, end, 0, t[0]);
        ws->top_st[gi] = ws->dstamp;
    }
    return t;
}

/* What the scan of group gi in index order offers to row i -- every PE
 * that is no host (hosts != 0: the marked ones are evaluated apart), up
 * to the need-th one free by the shared ready time dr, key max(dr, avail)
 * + w -- reduced to its best two by (key, PE): the free PEs come first
 * (key dr + w, in index order), then the busy ones by (avail, PE). */
static void tree_row(soc__ws_t *ws, const soc_view_t *v, int i, int gi, soc_time_t dr,
                     soc_time_t w, int need, int hosts)
{
    const soc__groups_t *g = &ws->groups;
    int f = g->first[gi], end = f + g->count[gi];
    /* a short scan first (unless the group's earliest PEs, known for this
     * decision, are busy): at light load the need-th free PE is among the
     * first few, and the scan's offers up to it are the whole answer */
    int probe = ws->tree_probe < 0 ? 0 : ws->tree_probe > 0 ? ws->tree_probe : SOC__TREE_PROBE;
    int seen = ws->top_st[gi] == ws->dstamp && avail_get(ws, v, ws->top[2 * gi]) > dr ? probe : 0;
    int free_found = 0, p = f;
    for (; p < end && seen < probe; p++) {
        if (tr_out(g, p, hosts, -1))
            continue;
        seen++;
        if (avail_get(ws, v, p) <= dr && ++free_found >= need)
            break;
    }
    if (free_found >= need) {
        for (int q = f; q <= p; q++) {
            if (tr_out(g, q, hosts, -1))
                continue;
            soc_time_t av = avail_get(ws, v, q);
            row_offer(ws, i, q, (dr > av ? dr : av) + w);
        }
        return;
    }
    /* the group's two earliest PEs answer most rows without a search: when
     * the earliest is busy, all are; they are the least busy ones unless
     * one is a host */
    const int *top = tree_top(ws, v, gi);
    int tops_in = !tr_out(g, top[0], hosts, -1) && (top[1] < 0 || !tr_out(g, top[1], hosts, -1));
    if (avail_get(ws, v, top[0]) > dr && tops_in) {
        row_offer(ws, i, top[0], avail_get(ws, v, top[0]) + w);
        if (top[1] >= 0)
            row_offer(ws, i, top[1], avail_get(ws, v, top[1]) + w);
        return;
    }
    int p1 = tr_first_free(ws, v, f, end, dr, hosts);
    if (p1 < 0) { /* all busy: the scan offered every one */
        int c1 = tr_least(ws, v, f, end, hosts, -1);
        if (c1 < 0)
            return;
        row_offer(ws, i, c1, avail_get(ws, v, c1) + w);
        int c2 = tr_least(ws, v, f, end, hosts, c1);
        if (c2 >= 0)
            row_offer(ws, i, c2, avail_get(ws, v, c2) + w);
        return;
    }
    row_offer(ws, i, p1, dr + w);
    if (need >= 2) {
        int p2 = tr_first_free(ws, v, p1 + 1, end, dr, hosts);
        if (p2 >= 0) {
            row_offer(ws, i, p2, dr + w);
            return;
        }
    }
    /* the busy ones offered: before p1 (need 1), else all but p1; the
     * group's earliest if it is one of them (a non-host before p1 is
     * busy) */
    int c;
    if (need < 2 && top[0] < p1 && !tr_out(g, top[0], hosts, -1))
        c = top[0];
    else
        c = need >= 2 ? tr_least(ws, v, f, end, hosts, p1) : tr_least(ws, v, f, p1, hosts, -1);
    if (c >= 0)
        row_offer(ws, i, c, avail_get(ws, v, c) + w);
}

static int ws_commit(soc__ws_t *ws, soc_view_t *v, const soc_ready_t *r, int pe)
{
    soc_time_t ft = ws_eft(ws, v, r, pe);
    if (ft < 0)
        return SOC_ESCHED;
    int rc = v->api->assign(v, r->ref, pe, SOC_APPEND);
    if (rc == SOC_OK) {
        ws->avail[pe] = ft;
        tree_check(ws, v, pe);
    }
    return rc;
}

/* Row of ready entry i: appended finish time per PE (MET: execution time),
 * every PE. */
static void dyn_row_all(soc__ws_t *ws, const soc_view_t *v, int i)
{
    const soc_ready_t *r = &v->ready[i];
    row_clear(ws, i);
    for (int p = 0; p < v->n_pes; p++) {
        soc_time_t key = ws->pick == SOC__PICK_MET ? v->api->exec_time(v, r->type, p)
                                                   : ws_eft(ws, v, r, p);
        if (key >= 0)
            row_offer(ws, i, p, key);
    }
}

/* The same row by clusters (see soc__groups_t): MET needs one PE per
 * cluster; the others evaluate the PEs holding a predecessor, then scan
 * each cluster in index order up to the need-th PE free by the shared
 * ready time (a finish max(ready, avail) + w cannot be smaller there, and
 * later PEs lose ties).  need = 1 for the best only, 2 with the second. */
static void dyn_row_groups(soc__ws_t *ws, const soc_view_t *v, int i, int need)
{
    const soc_ready_t *r = &v->ready[i];
    soc__groups_t *g = &ws->groups;
    row_clear(ws, i);
    if (ws->pick == SOC__PICK_MET) {
        for (int gi = 0; gi < g->n; gi++) {
            soc_time_t w = v->api->exec_time(v, r->type, g->first[gi]);
            if (w >= 0)
                row_offer(ws, i, g->first[gi], w);
        }
        return;
    }
    hosts_begin(g, v->n_pes);
    const soc_app_t *a = &v->apps[r->app];
    for (int k = a->pred_off[r->ref.task]; k < a->pred_off[r->ref.task + 1]; k++) {
        soc_task_ref_t pr = {r->ref.job, a->edges[a->pred_edge[k]].src};
        soc_task_info_t ti;
        if (v->api->task_info(v, pr, &ti) == SOC_OK)
            hosts_add(g, ti.pe);
    }
    for (int gi = 0; gi < g->n; gi++) {
        int f = g->first[gi], end = f + g->count[gi];
        soc_time_t w = v->api->exec_time(v, r->type, f);
        if (w < 0)
            continue;
        for (int h = 0; h < g->n_hosts; h++) {
            int p = g->hosts[h];
            if (g->of_pe[p] != gi)
                continue;
            row_offer(ws, i, p, ws_eft(ws, v, r, p));
        }
        if (tree_group(ws, gi, g->n_hosts)) {
            int p = f;
            while (p < end && g->mark[p] == g->cur)
                p++;
            if (p < end)
                tree_row(ws, v, i, gi, v->api->data_ready(v, r->ref, p, NULL), w, need, 1);
            continue;
        }
        soc_time_t dr = -1;
        int free_found = 0;
        for (int p = f; p < end; p++) {
            if (g->mark[p] == g->cur)
                continue;
            if (dr < 0)
                dr = v->api->data_ready(v, r->ref, p, NULL);
            soc_time_t av = avail_get(ws, v, p);
            row_offer(ws, i, p, (dr > av ? dr : av) + w);
            if (av <= dr && ++free_found >= need)
                break;
        }
    }
}

static void dyn_row(soc__ws_t *ws, const soc_view_t *v, int i, int need)
{
    if (ws->groups.use)
        dyn_row_groups(ws, v, i, need);
    else
        dyn_row_all(ws, v, i);
}

/* Position in ids[0..m) of the next item; ties go to the earlier one. */
static int pick_next(const soc__ws_t *ws, const int *ids, int m)
{
    int pick = -1;
    soc_time_t key = 0;
    for (int k = 0; k < m; k++) {
        int i = ids[k];
        soc_time_t x;
        int better;
        switch (ws->pick) {
        case SOC__PICK_MINMIN:
            x = ws->row[i].best;
            better = x < key;
            break;
        case SOC__PICK_MAXMIN:
            x = ws->row[i].best;
            better = x > key;
            break;
        case SOC__PICK_SUFFERAGE:
            /* a task only one PE can run suffers without bound */
            x = ws->row[i].second_pe < 0 ? SOC_TIME_NEVER : ws->row[i].second - ws->row[i].best;
            better = x > key;
            break;
        default:
            return 0;
        }
        if (pick < 0 || better) {
            pick = k;
            key = x;
        }
    }
    return pick;
}

/* ------------------------------------------- pair selection, many tasks
 * (see soc__list_schedule in sched_internal.h).  Items 0..n-1 are the ready
 * rows, n + t the class of type t (its saturated tasks and those whose row
 * is the class's for now); ws->row[] holds every item's row. */

typedef struct big_inv {
    int item;
    unsigned ver;
} big_inv_t;

typedef struct big_list {
    big_inv_t *a;
    int n, cap;
    uint64_t stamp;      /* entries belong to decision `stamp` */
} big_list_t;

/* A member that joined its class before saturation (max-min, sufferage),
 * with its inputs' latest arrival: it leaves when the class's best PEs are
 * free before that. */
typedef struct big_dm {
    soc_time_t dmax;
    int pos;
    unsigned cver;
} big_dm_t;

/* latest arrival first (ties: the earlier position) */
#define DM_BEFORE(x, y) ((x)->dmax > (y)->dmax || ((x)->dmax == (y)->dmax && (x)->pos < (y)->pos))
SOC__HEAP_DEFINE(big_dmheap, big_dm_t, DM_BEFORE)

#define BITS_LEVELS 6
typedef struct big_bits {
    uint64_t *w;         /* level l's words at w + off[l] */
    int off[BITS_LEVELS], nlev, cap;
} big_bits_t;

typedef struct big_cls {
    big_bits_t set;      /* the members' ready positions */
    int m;               /* members */
    big_dmheap_t dm;     /* the members that joined before saturation
                            (max-min, sufferage), latest arrival first */
} big_cls_t;

/* An entry of the selection heap: the item with its pick key (smaller
 * first: see item_key) and ready position, kept in the entry so that the
 * heap's comparisons read adjacent memory. */
typedef struct big_hent {
    soc_time_t key;
    int rep, item;
} big_hent_t;

/* What the selection keeps per item (ready row or class), together. */
typedef struct big_item {
    int hpos;            /* its place in the heap, -1 = out */
    unsigned ver;        /* registrations older than ver are stale */
    int rep;             /* the ready position standing for the item */
    int hoff, hend;      /* rows: its hosts in hpe/hdr [hoff, hend) */
    int type;            /* rows: the task type */
    soc_time_t dmax;     /* rows: latest arrival of its inputs over all PEs */
    unsigned cver;       /* rows: times it joined its class (big_dm_t) */
    unsigned char incls; /* rows: a member of its type's class */
} big_item_t;

/* Per task type: big_sweep's threshold, and values kept for one epoch
 * (valid while their stamp is the epoch). */
typedef struct big_type {
    soc_time_t thr;
    uint64_t tmst;       /* type_min_avail's ... */
    soc_time_t tmin;     /* ... least availability over the type's PEs */
    uint64_t thst;       /* class_theta's ... */
    soc_time_t theta;    /* ... value (max-min, sufferage) */
} big_type_t;

/* A small group's two least (avail, PE) from its heap, for one epoch. */
typedef struct big_gcache {
    uint64_t st;
    soc_time_t a0, a1;   /* the least availability, the second's */
    int p1;              /* the second's PE */
} big_gcache_t;

typedef struct soc__big {
    int cap_items, n_types, q;
    big_hent_t *heap;    /* [items] selection heap ... */
    int hn;
    int bulk;            /* sifts deferred: the heap is rebuilt after */
    /* per-commit caches: valid while their stamp is `epoch` (a new one
     * after every commit and at every decision) */
    uint64_t epoch;
    big_type_t *ty;      /* [n_types] */
    big_gcache_t *gc;    /* [q] per small group, at its first PE */
    int admits;          /* min-min: rows that joined a class from the heap
                            since the last sweep (big_sweep) */
    /* min-min (lazy): chg[p] counts the commits to PE p (never reset);
     * seen[item] = chg[best PE] when the item's row was computed */
    uint64_t *chg, *seen;
    unsigned char *evicted; /* [items] min-min: times the row left its class */
    big_cls_t *cls;      /* [n_types] */
    big_list_t *inv;     /* [q] items whose best or second is that PE */
    big_inv_t *spare;    /* an array for the list being refilled */
    int spare_cap;
    int *cheap, *cpos;   /* [q] per group, a heap of its PEs by (avail, PE)
                            in cheap[first .. first + count); cpos = index */
    /* what a row's recomputation needs, fixed during a decision: */
    int cap_rows, n_groups, cap_w, cap_hosts;
    soc_time_t *w;       /* [n_types * groups] exec time ... */
    uint64_t *wst;       /* ... looked up in decision wst */
    soc_time_t *dr;      /* [rows * groups] inputs' arrival on the group's PEs
                            that hold no predecessor; -1 = all do */
    big_item_t *it;      /* [max(items, rows)] */
    int cap_it;
    int *hpe;            /* hosts: PE */
    soc_time_t *hdr;     /* hosts: inputs' arrival there */
    int n_hosts;
} soc__big_t;

static void big_free(soc__big_t *b)
{
    if (b == NULL)
        return;
    free(b->heap);
    free(b->it);
    free(b->evicted);
    free(b->ty);
    free(b->gc);
    free(b->chg);
    free(b->seen);
    for (int t = 0; b->cls != NULL && t < b->n_types; t++) {
        free(b->cls[t].set.w);
        big_dmheap_free(&b->cls[t].dm);
    }
    free(b->cls);
    for (int p = 0; b->inv != NULL && p < b->q; p++)
        free(b->inv[p].a);
    free(b->inv);
    free(b->spare);
    free(b->cheap);
    free(b->cpos);
    free(b->w);
    free(b->wst);
    free(b->dr);
    free(b->hpe);
    free(b->hdr);
    free(b);
}

static int big_size(soc__ws_t *ws, const soc_view_t *v, int items)
{
    soc__big_t *b = ws->big;
    if (b == NULL) {
        if ((b = calloc(1, sizeof *b)) == NULL)
            return SOC_ENOMEM;
        ws->big = b;
        b->n_types = v->platform->n_types;
        b->q = v->n_pes;
        b->cls = calloc((size_t)b->n_types, sizeof *b->cls);
        b->inv = calloc((size_t)b->q, sizeof *b->inv);
        b->cheap = malloc(sizeof *b->cheap * (size_t)b->q);
        b->cpos = malloc(sizeof *b->cpos * (size_t)b->q);
        b->chg = calloc((size_t)b->q, sizeof *b->chg);
        b->ty = calloc((size_t)b->n_types, sizeof *b->ty);
        b->gc = calloc((size_t)b->q, sizeof *b->gc);
        if (b->ty == NULL || b->gc == NULL || b->cls == NULL || b->inv == NULL ||
            b->cheap == NULL || b->cpos == NULL || b->chg == NULL)
            return SOC_ENOMEM;
    }
    if (items > b->cap_items) {
        GROW(b->heap, items);
        GROW(b->evicted, items);
        GROW(b->seen, items);
        b->cap_items = items;
    }
    int ng = ws->groups.n, rows = v->n_ready, nit = items > rows ? items : rows;
    if (nit > b->cap_it) {
        GROW(b->it, nit);
        for (int k = b->cap_it; k < nit; k++)
            b->it[k].ver = 0;
        b->cap_it = nit;
    }
    if (b->n_types * ng > b->cap_w) {
        GROW(b->w, b->n_types * ng);
        GROW(b->wst, b->n_types * ng);
        for (int k = 0; k < b->n_types * ng; k++)
            b->wst[k] = 0;
        b->cap_w = b->n_types * ng;
    }
    if (rows > b->cap_rows || ng != b->n_groups) {
        GROW(b->dr, (size_t)rows * (size_t)ng);
        b->cap_rows = rows;
        b->n_groups = ng;
    }
    return SOC_OK;
}

/* Append a host to the row being cached. */
static int big_host(soc__big_t *b, int pe, soc_time_t dr)
{
    if (b->n_hosts == b->cap_hosts) {
        int nc = b->cap_hosts ? 2 * b->cap_hosts : 64;
        int *np = realloc(b->hpe, sizeof *np * (size_t)nc);
        if (np == NULL)
            return SOC_ENOMEM;
        b->hpe = np;
        soc_time_t *nd = realloc(b->hdr, sizeof *nd * (size_t)nc);
        if (nd == NULL)
            return SOC_ENOMEM;
        b->hdr = nd;
        b->cap_hosts = nc;
    }
    b->hpe[b->n_hosts] = pe;
    b->hdr[b->n_hosts++] = dr;
    return SOC_OK;
}

/* Look up once what row i's recomputations need (rows are cached in
 * order 0, 1, ..., n - 1 at the start of the decision). */
static int big_cache_row(soc__ws_t *ws, const soc_view_t *v, int i)
{
    soc__big_t *b = ws->big;
    soc__groups_t *g = &ws->groups;
    const soc_ready_t *r = &v->ready[i];
    const soc_app_t *a = &v->apps[r->app];
    soc_time_t dmax = INT64_MIN;
    hosts_begin(g, v->n_pes);
    for (int k = a->pred_off[r->ref.task]; k < a->pred_off[r->ref.task + 1]; k++) {
        soc_task_ref_t pr = {r->ref.job, a->edges[a->pred_edge[k]].src};
        soc_task_info_t ti;
        if (v->api->task_info(v, pr, &ti) == SOC_OK)
            hosts_add(g, ti.pe);
    }
    if (i == 0)
        b->n_hosts = 0;
    b->it[i].hoff = b->n_hosts;
    b->it[i].type = r->type;
    for (int gi = 0; gi < g->n; gi++) {
        soc_time_t *w = &b->w[r->type * g->n + gi];
        if (b->wst[r->type * g->n + gi] != ws->dstamp) {
            b->wst[r->type * g->n + gi] = ws->dstamp;
            *w = v->api->exec_time(v, r->type, g->first[gi]);
        }
        soc_time_t *dr = &b->dr[(size_t)i * (size_t)g->n + (size_t)gi];
        *dr = -1;
        if (*w < 0)
            continue;
        for (int p = g->first[gi]; p < g->first[gi] + g->count[gi]; p++)
            if (g->mark[p] != g->cur) {
                *dr = v->api->data_ready(v, r->ref, p, NULL);
                dmax = *dr > dmax ? *dr : dmax;
                break;
            }
    }
    for (int h = 0; h < g->n_hosts; h++) {
        int p = g->hosts[h];
        if (b->w[r->type * g->n + g->of_pe[p]] < 0)
            continue;
        soc_time_t dr = v->api->data_ready(v, r->ref, p, NULL);
        dmax = dr > dmax ? dr : dmax;
        if (big_host(b, p, dr) != SOC_OK)
            return SOC_ENOMEM;
    }
    b->it[i].hend = b->n_hosts;
    b->it[i].dmax = dmax;
    return SOC_OK;
}

/* Row i's inputs' arrival on pe, from the cache (-1: cannot run there). */
static soc_time_t big_dr(const soc__ws_t *ws, int i, int pe)
{
    const soc__big_t *b = ws->big;
    const soc__groups_t *g = &ws->groups;
    soc_time_t dr = b->dr[(size_t)i * (size_t)g->n + (size_t)g->of_pe[pe]];
    for (int h = b->it[i].hoff; h < b->it[i].hend; h++)
        if (b->hpe[h] == pe)
            dr = b->hdr[h];
    return dr;
}

/* Commit ready row i to pe: its appended finish from the cache. */
static int big_commit(soc__ws_t *ws, soc_view_t *v, int i, int pe)
{
    const soc__big_t *b = ws->big;
    const soc__groups_t *g = &ws->groups;
    soc_time_t w = b->w[v->ready[i].type * g->n + g->of_pe[pe]], dr = big_dr(ws, i, pe);
    if (w < 0 || dr < 0)
        return SOC_ESCHED;
    soc_time_t av = avail_get(ws, v, pe);
    int rc = v->api->assign(v, v->ready[i].ref, pe, SOC_APPEND);
    if (rc == SOC_OK) {
        ws->avail[pe] = (dr > av ? dr : av) + w;
        tree_check(ws, v, pe);
    }
    return rc;
}

static int cl_less(soc__ws_t *ws, const soc_view_t *v, int x, int y);

/* Row i from its cache: dyn_row_groups without a call to the engine. */
static void big_row(soc__ws_t *ws, const soc_view_t *v, int i, int need)
{
    soc__big_t *b = ws->big;
    soc__groups_t *g = &ws->groups;
    int type = b->it[i].type;
    const soc_time_t *wt = &b->w[type * g->n];
    row_acc_t r = {SOC_TIME_NEVER, SOC_TIME_NEVER, -1, -1};
    hosts_begin(g, v->n_pes);
    for (int h = b->it[i].hoff; h < b->it[i].hend; h++) {
        int p = b->hpe[h];
        g->mark[p] = g->cur;
        soc_time_t av = avail_get(ws, v, p);
        acc_offer(&r, p, (b->hdr[h] > av ? b->hdr[h] : av) + wt[g->of_pe[p]]);
    }
    const soc_time_t *drs = &b->dr[(size_t)i * (size_t)g->n];
    int nh = b->it[i].hend - b->it[i].hoff;
    for (int gi = 0; gi < g->n; gi++) {
        soc_time_t w = wt[gi], dr = drs[gi];
        if (w < 0 || dr < 0)
            continue;
        if (tree_group(ws, gi, nh)) {
            acc_store(ws, i, &r);
            tree_row(ws, v, i, gi, dr, w, need, nh > 0);
            acc_load(ws, i, &r);
            continue;
        }
        if (ws->in_big && g->count[gi] > 2) {
            /* the group's heap: when its least (avail, PE) is busy by dr,
             * all are, and its two least are what the scan keeps (unless
             * one is a host, evaluated apart) */
            int f = g->first[gi], h0 = b->cheap[f];
            if (b->gc[f].st != b->epoch) {
                const int *h = b->cheap + f;
                int s2 = cl_less(ws, v, h[2], h[1]) ? h[2] : h[1];
                b->gc[f].a0 = avail_get(ws, v, h0);
                b->gc[f].a1 = avail_get(ws, v, s2);
                b->gc[f].p1 = s2;
                b->gc[f].st = b->epoch;
            }
            int s2 = b->gc[f].p1;
            if (b->gc[f].a0 > dr && g->mark[h0] != g->cur && g->mark[s2] != g->cur) {
                acc_offer(&r, h0, b->gc[f].a0 + w);
                acc_offer(&r, s2, b->gc[f].a1 + w);
                continue;
            }
        }
        int free_found = 0;
        for (int p = g->first[gi], end = p + g->count[gi]; p < end; p++) {
            if (g->mark[p] == g->cur)
                continue;
            soc_time_t av = avail_get(ws, v, p);
            acc_offer(&r, p, (dr > av ? dr : av) + w);
            if (av <= dr && ++free_found >= need)
                break;
        }
    }
    acc_store(ws, i, &r);
}

/* --- per-group heaps of PEs by (avail, PE) */

static int cl_less(soc__ws_t *ws, const soc_view_t *v, int x, int y)
{
    soc_time_t ax = avail_get(ws, v, x), ay = avail_get(ws, v, y);
    return ax < ay || (ax == ay && x < y);
}

static void cl_down(soc__ws_t *ws, const soc_view_t *v, int f, int cnt, int i)
{
    soc__big_t *b = ws->big;
    int *h = b->cheap + f;
    int x = h[i];
    for (;;) {
        int l = 2 * i + 1, m = l;
        if (l >= cnt)
            break;
        if (l + 1 < cnt && cl_less(ws, v, h[l + 1], h[l]))
            m = l + 1;
        if (!cl_less(ws, v, h[m], x))
            break;
        h[i] = h[m];
        b->cpos[h[i]] = i;
        i = m;
    }
    h[i] = x;
    b->cpos[x] = i;
}

static void cl_build(soc__ws_t *ws, const soc_view_t *v)
{
    const soc__groups_t *g = &ws->groups;
    soc__big_t *b = ws->big;
    for (int gi = 0; gi < g->n; gi++) {
        int f = g->first[gi], cnt = g->count[gi];
        if (tree_group(ws, gi, 0))
            continue; /* searched in the engine instead */
        for (int k = 0; k < cnt; k++) {
            b->cheap[f + k] = f + k;
            b->cpos[f + k] = k;
        }
        for (int k = cnt / 2 - 1; k >= 0; k--)
            cl_down(ws, v, f, cnt, k);
    }
}

/* --- the selection heap, ordered by the pick rule then the ready position */

/* The pick rule as one key, smaller first: min-min the least best finish,
 * max-min the largest, sufferage the largest second-best minus best (a
 * row without a second PE first).  Ties: the earlier ready position. */
static soc_time_t item_key(const soc__ws_t *ws, int x)
{
    switch (ws->pick) {
    case SOC__PICK_MINMIN:
        return ws->row[x].best;
    case SOC__PICK_MAXMIN:
        return -ws->row[x].best;
    default: /* SOC__PICK_SUFFERAGE */
        return ws->row[x].second_pe < 0 ? -SOC_TIME_NEVER : -(ws->row[x].second - ws->row[x].best);
    }
}

static int hent_before(const big_hent_t *x, const big_hent_t *y)
{
    return x->key < y->key || (x->key == y->key && x->rep < y->rep);
}

static void hp_set(soc__big_t *b, int i, big_hent_t e)
{
    b->heap[i] = e;
    b->it[e.item].hpos = i;
}

/* A 4-ary heap: half the levels of a binary one, and a node's children
 * share a cache line. */
#define HP_D 4

static void hp_up(soc__ws_t *ws, int i)
{
    soc__big_t *b = ws->big;
    if (b->bulk)
        return;
    big_hent_t x = b->heap[i];
    while (i > 0) {
        int p = (i - 1) / HP_D;
        if (!hent_before(&x, &b->heap[p]))
            break;
        hp_set(b, i, b->heap[p]);
        i = p;
    }
    hp_set(b, i, x);
}

static void hp_down(soc__ws_t *ws, int i)
{
    soc__big_t *b = ws->big;
    if (b->bulk)
        return;
    big_hent_t x = b->heap[i];
    for (;;) {
        int l = HP_D * i + 1, m = l;
        if (l >= b->hn)
            break;
        int end = l + HP_D < b->hn ? l + HP_D : b->hn;
        for (int c = l + 1; c < end; c++)
            if (hent_before(&b->heap[c], &b->heap[m]))
                m = c;
        if (!hent_before(&b->heap[m], &x))
            break;
        hp_set(b, i, b->heap[m]);
        i = m;
    }
    hp_set(b, i, x);
}

/* The entry of `item` as its row and representative are now. */
static big_hent_t hp_entry(const soc__ws_t *ws, int item)
{
    big_hent_t e = {item_key(ws, item), ws->big->it[item].rep, item};
    return e;
}

static void hp_insert(soc__ws_t *ws, int item)
{
    soc__big_t *b = ws->big;
    hp_set(b, b->hn++, hp_entry(ws, item));
    hp_up(ws, b->hn - 1);
}

/* item's row or representative changed: its entry, then its place. */
static void hp_fix(soc__ws_t *ws, int item)
{
    soc__big_t *b = ws->big;
    int i = b->it[item].hpos;
    b->heap[i] = hp_entry(ws, item);
    hp_up(ws, i);
    hp_down(ws, b->it[item].hpos);
}

static void hp_remove(soc__ws_t *ws, int item)
{
    soc__big_t *b = ws->big;
    int i = b->it[item].hpos;
    b->it[item].hpos = -1;
    b->it[item].ver++;
    big_hent_t last = b->heap[--b->hn];
    if (i < b->hn) {
        hp_set(b, i, last);
        hp_up(ws, i);
        hp_down(ws, b->it[last.item].hpos);
    }
}

/* --- invalidation lists */

static int inv_add(soc__ws_t *ws, int pe, int item)
{
    soc__big_t *b = ws->big;
    big_list_t *l = &b->inv[pe];
    if (l->stamp != ws->dstamp) {
        l->stamp = ws->dstamp;
        l->n = 0;
    }
    if (l->n == l->cap) {
        int nc = l->cap ? 2 * l->cap : 8;
        big_inv_t *na = realloc(l->a, sizeof *na * (size_t)nc);
        if (na == NULL)
            return SOC_ENOMEM;
        l->a = na;
        l->cap = nc;
    }
    l->a[l->n].item = item;
    l->a[l->n++].ver = b->it[item].ver;
    return SOC_OK;
}

/* Rows needed per item: min-min and max-min pick by the best (key, PE)
 * alone, which changes only when its own PE gets later; sufferage needs the
 * second as well. */
static int big_need(const soc__ws_t *ws)
{
    return ws->pick == SOC__PICK_SUFFERAGE ? 2 : 1;
}

/* Min-min picks the least best finish, and a commit only makes PEs later:
 * a row's best can only grow, so a row whose best PE took a task keeps its
 * old best as a lower bound and is brought up to date only when it reaches
 * the top of the heap (then the top is exact: every other key is a lower
 * bound of its row, and ties go to the earlier ready position either
 * way).  Max-min and sufferage are not monotone: their rows are
 * recomputed when their best (or second) PE takes a task. */
static int big_lazy(const soc__ws_t *ws)
{
    return ws->pick == SOC__PICK_MINMIN && !ws->big_eager;
}

/* Register an item's current row (a new version of it). */
static int item_register(soc__ws_t *ws, int item)
{
    if (big_lazy(ws)) {
        ws->big->seen[item] = ws->big->chg[ws->row[item].best_pe];
        return SOC_OK;
    }
    ws->big->it[item].ver++;
    int rc = inv_add(ws, ws->row[item].best_pe, item);
    if (rc == SOC_OK && big_need(ws) == 2 && ws->row[item].second_pe >= 0)
        rc = inv_add(ws, ws->row[item].second_pe, item);
    return rc;
}

/* --- classes: the saturated tasks of a type, and those whose row is the
 * class's for now (class_fits) */

/* Row of saturated tasks of type t: avail + w on every PE, whose best two
 * per group are the two least (avail, PE) of the group's heap. */
static void class_top2(soc__ws_t *ws, const soc_view_t *v, int type, row_acc_t *r)
{
    const soc__groups_t *g = &ws->groups;
    const soc__big_t *b = ws->big;
    r->k1 = r->k2 = SOC_TIME_NEVER;
    r->p1 = r->p2 = -1;
    for (int gi = 0; gi < g->n; gi++) {
        int f = g->first[gi], cnt = g->count[gi];
        soc_time_t w = b->w[type * g->n + gi];
        if (w < 0)
            continue;
        if (tree_group(ws, gi, 0)) {
            const int *top = tree_top(ws, v, gi);
            acc_offer(r, top[0], avail_get(ws, v, top[0]) + w);
            if (top[1] >= 0)
                acc_offer(r, top[1], avail_get(ws, v, top[1]) + w);
            continue;
        }
        const int *h = b->cheap + f;
        acc_offer(r, h[0], avail_get(ws, v, h[0]) + w);
        if (cnt > 1) {
            int s = cnt > 2 && cl_less(ws, v, h[2], h[1]) ? h[2] : h[1];
            acc_offer(r, s, avail_get(ws, v, s) + w);
        }
    }
}

static void class_row(soc__ws_t *ws, const soc_view_t *v, int item, int type)
{
    row_acc_t r;
    class_top2(ws, v, type, &r);
    acc_store(ws, item, &r);
}

/* Max-min, sufferage: a row is its class's row while its inputs are on the
 * class's best PE -- and second (sufferage) -- by the time they are free;
 * theta is the earlier of those times (kept until the next commit). */
static soc_time_t class_theta(soc__ws_t *ws, const soc_view_t *v, int type)
{
    soc__big_t *b = ws->big;
    if (b->ty[type].thst != b->epoch) {
        row_acc_t r;
        class_top2(ws, v, type, &r);
        soc_time_t th = r.p1 >= 0 ? avail_get(ws, v, r.p1) : INT64_MIN;
        if (big_need(ws) == 2 && r.p2 >= 0) {
            soc_time_t a2 = avail_get(ws, v, r.p2);
            th = a2 < th ? a2 : th;
        }
        b->ty[type].theta = th;
        b->ty[type].thst = b->epoch;
    }
    return b->ty[type].theta;
}

/* Least availability over the PEs that run type. */
static soc_time_t type_min_avail(soc__ws_t *ws, const soc_view_t *v, int type)
{
    const soc__groups_t *g = &ws->groups;
    soc__big_t *b = ws->big;
    if (b->ty[type].tmst == b->epoch)
        return b->ty[type].tmin;
    soc_time_t m = SOC_TIME_NEVER;
    for (int gi = 0; gi < g->n; gi++)
        if (ws->big->w[type * g->n + gi] >= 0) {
            int p = tree_group(ws, gi, 0) ? tree_top(ws, v, gi)[0] : ws->big->cheap[g->first[gi]];
            soc_time_t a = avail_get(ws, v, p);
            m = a < m ? a : m;
        }
    b->ty[type].tmst = b->epoch;
    b->ty[type].tmin = m;
    return m;
}

/* The best (key, PE) of the class of type t as the PEs are now: each
 * group's least (avail, PE) plus the group's time, the least of those. */
static void class_best(soc__ws_t *ws, const soc_view_t *v, int type, soc_time_t *key, int *pe)
{
    const soc__groups_t *g = &ws->groups;
    *key = SOC_TIME_NEVER;
    *pe = -1;
    for (int gi = 0; gi < g->n; gi++) {
        soc_time_t w = ws->big->w[type * g->n + gi];
        if (w < 0)
            continue;
        int p = tree_group(ws, gi, 0) ? tree_top(ws, v, gi)[0] : ws->big->cheap[g->first[gi]];
        soc_time_t k = avail_get(ws, v, p) + w;
        if (*pe < 0 || kp_less(k, p, *key, *pe)) {
            *key = k;
            *pe = p;
        }
    }
}

/* Times a row may leave its class before only saturation lets it in. */
#define SOC__EVICT_MAX 8

/* Row i (computed) may stand in its type's class: 1 saturated (its inputs
 * are there before every PE that runs it is free, so its row is the
 * class's for good); 2 (max-min, sufferage) its inputs are there before
 * the class's best PEs are free (class_theta), so its row is the class's
 * until those PEs change (class_prune); or 1 -- min-min, lazy rows -- its
 * best (key, PE) is the class's now.  Any row's key is at least its class's (max(dr, avail) + w
 * >= avail + w on every PE), so the class's key stays a lower bound of
 * such a row; it is checked again when it stands for the class at the top
 * (class_exact), and one that fails leaves the class for good. */
static int class_fits(soc__ws_t *ws, const soc_view_t *v, int i, int type)
{
    soc__big_t *b = ws->big;
    if (b->it[i].dmax <= type_min_avail(ws, v, type))
        return 1;
    if (b->evicted[i] >= SOC__EVICT_MAX)
        return 0;
    if (!big_lazy(ws)) /* exact now; kept exact by class_prune */
        return b->it[i].dmax <= class_theta(ws, v, type) ? 2 : 0;
    soc_time_t k;
    int p;
    class_best(ws, v, type, &k, &p);
    return p == ws->row[i].best_pe && k == ws->row[i].best;
}

/* --- a class's members: a set of ready positions as bits, with a bit per
 * word of the level below (least member, add, remove in O(levels)) */

static int bits_ctz(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_ctzll(x);
#else
    int k = 0;
    while (!(x & 1)) {
        x >>= 1;
        k++;
    }
    return k;
#endif
}

/* An empty set of positions 0 .. n - 1. */
static int bits_reset(big_bits_t *bs, int n)
{
    int words = 0, lev = 0, len = n > 0 ? n : 1;
    do {
        len = (len + 63) / 64;
        bs->off[lev++] = words;
        words += len;
    } while (len > 1 && lev < BITS_LEVELS);
    if (len > 1)
        return SOC_ENOMEM; /* beyond 64^BITS_LEVELS positions */
    if (words > bs->cap) {
        uint64_t *nw = realloc(bs->w, sizeof *nw * (size_t)words);
        if (nw == NULL)
            return SOC_ENOMEM;
        bs->w = nw;
        bs->cap = words;
    }
    memset(bs->w, 0, sizeof *bs->w * (size_t)words);
    bs->nlev = lev;
    return SOC_OK;
}

static void bits_add(big_bits_t *bs, int i)
{
    for (int l = 0; l < bs->nlev; l++, i >>= 6)
        bs->w[bs->off[l] + (i >> 6)] |= (uint64_t)1 << (i & 63);
}

static void bits_del(big_bits_t *bs, int i)
{
    for (int l = 0; l < bs->nlev; l++, i >>= 6) {
        uint64_t *w = &bs->w[bs->off[l] + (i >> 6)];
        *w &= ~((uint64_t)1 << (i & 63));
        if (*w != 0)
            break;
    }
}

/* The least position in the set, -1 if empty. */
static int bits_min(const big_bits_t *bs)
{
    int top = bs->nlev - 1, i = 0;
    if (bs->w[bs->off[top]] == 0)
        return -1;
    for (int l = top; l >= 0; l--)
        i = (i << 6) | bits_ctz(bs->w[bs->off[l] + i]);
    return i;
}

/* Row i joins the class of its type (how: class_fits). */
static int cls_add(soc__big_t *b, int type, int i, int how)
{
    big_cls_t *c = &b->cls[type];
    big_item_t *it = &b->it[i];
    int rc = SOC_OK;
    bits_add(&c->set, i);
    if (how == 2) {
        big_dm_t e = {it->dmax, i, ++it->cver};
        rc = big_dmheap_push(&c->dm, e) == 0 ? SOC_OK : SOC_ENOMEM;
    }
    if (rc == SOC_OK) {
        it->incls = 1;
        c->m++;
    }
    return rc;
}

/* The least ready position of the class's members (-1: none). */
static int cls_first(soc__big_t *b, big_cls_t *c)
{
    (void)b;
    return bits_min(&c->set);
}

/* That member leaves the class. */
static int cls_take(soc__big_t *b, big_cls_t *c)
{
    int x = cls_first(b, c);
    bits_del(&c->set, x);
    b->it[x].incls = 0;
    c->m--;
    return x;
}

/* The class's item after its members changed: its representative, or out
 * of the heap when it has none. */
static void cls_rep(soc__ws_t *ws, int item, big_cls_t *c)
{
    soc__big_t *b = ws->big;
    int r = cls_first(b, c);
    if (r < 0) {
        if (b->it[item].hpos >= 0)
            hp_remove(ws, item);
        return;
    }
    if (r != b->it[item].rep && b->it[item].hpos >= 0) {
        b->it[item].rep = r;
        b->heap[b->it[item].hpos].rep = r;
        hp_up(ws, b->it[item].hpos);
        hp_down(ws, b->it[item].hpos);
    }
    b->it[item].rep = r;
}

static int big_place(soc__ws_t *ws, const soc_view_t *v, int n, int i);

/* Max-min, sufferage: after the class row of type t changed, the members
 * whose inputs arrive after its best PEs are free leave it (on their own
 * with their exact rows). */
static int class_prune(soc__ws_t *ws, const soc_view_t *v, int n, int t)
{
    soc__big_t *b = ws->big;
    big_cls_t *c = &b->cls[t];
    soc_time_t th = class_theta(ws, v, t);
    int rc = SOC_OK, left = 0;
    while (rc == SOC_OK && c->dm.n > 0 && c->dm.a[0].dmax > th) {
        big_dm_t e = big_dmheap_pop(&c->dm);
        big_item_t *it = &b->it[e.pos];
        if (!it->incls || it->cver != e.cver)
            continue;
        it->incls = 0;
        bits_del(&c->set, e.pos);
        c->m--;
        left = 1;
        b->evicted[e.pos]++;
        ws->big_evictions++;
        big_row(ws, v, e.pos, big_need(ws));
        rc = big_place(ws, v, n, e.pos);
    }
    if (left)
        cls_rep(ws, n + t, c);
    return rc;
}

/* Row i (computed, with its inputs' latest arrival dmax) enters the
 * selection: into its type's class when it fits (class_fits), else on its
 * own. */
static int big_place(soc__ws_t *ws, const soc_view_t *v, int n, int i)
{
    soc__big_t *b = ws->big;
    int type = b->it[i].type, how = class_fits(ws, v, i, type);
    if (how) {
        int item = n + type;
        if (b->it[i].hpos >= 0)
            hp_remove(ws, i);
        int rc = cls_add(b, type, i, how);
        if (rc != SOC_OK)
            return rc;
        if (b->it[item].hpos < 0) {
            b->it[item].rep = i;
            class_row(ws, v, item, type);
            hp_insert(ws, item);
            return item_register(ws, item);
        }
        if (i < b->it[item].rep) {
            b->it[item].rep = i;
            b->heap[b->it[item].hpos].rep = i;
            hp_up(ws, b->it[item].hpos);
        }
        return SOC_OK;
    }
    b->it[i].rep = i;
    if (b->it[i].hpos < 0)
        hp_insert(ws, i);
    else
        hp_fix(ws, i);
    return item_register(ws, i);
}

/* The row standing for class `item` leaves it for good: the class's next
 * row stands for it (or the class leaves the heap), the row goes on its
 * own with its exact row. */
static int class_evict(soc__ws_t *ws, const soc_view_t *v, int n, int item)
{
    soc__big_t *b = ws->big;
    big_cls_t *c = &b->cls[item - n];
    int x = cls_take(b, c);
    cls_rep(ws, item, c);
    b->evicted[x]++;
    ws->big_evictions++;
    big_row(ws, v, x, 1);
    return big_place(ws, v, n, x);
}

/* Min-min: every row still on its own in the heap whose inputs arrive on
 * every PE before its class's best PE is free (dmax <= that PE's avail:
 * its row is then the class's) joins its class at once, and the heap is
 * rebuilt.  Run when rows have been joining one at a time (the PEs got
 * busy): a scan of the heap instead of a removal per row. */
static int big_sweep(soc__ws_t *ws, const soc_view_t *v, int n)
{
    soc__big_t *b = ws->big;
    int nt = b->n_types, m = 0, rc;
    for (int t = 0; t < nt; t++) {
        soc_time_t k;
        int p;
        class_best(ws, v, t, &k, &p);
        b->ty[t].thr = p >= 0 ? avail_get(ws, v, p) : INT64_MIN;
    }
    for (int j = 0; j < b->hn; j++) {
        big_hent_t e = b->heap[j];
        int it = e.item;
        if (it < n && b->evicted[it] < SOC__EVICT_MAX &&
            b->it[it].dmax <= b->ty[b->it[it].type].thr) {
            b->it[it].hpos = -1;
            b->it[it].ver++;
            if ((rc = cls_add(b, b->it[it].type, it, 1)) != SOC_OK)
                return rc;
            continue;
        }
        hp_set(b, m++, e);
    }
    b->hn = m;
    for (int t = 0; t < nt; t++) {
        int item = n + t;
        big_cls_t *c = &b->cls[t];
        int r = cls_first(b, c);
        if (r < 0)
            continue;
        b->it[item].rep = r;
        if (b->it[item].hpos < 0) {
            class_row(ws, v, item, t);
            hp_set(b, b->hn++, hp_entry(ws, item));
            if ((rc = item_register(ws, item)) != SOC_OK)
                return rc;
        } else {
            b->heap[b->it[item].hpos].rep = r;
        }
    }
    for (int j = (b->hn - 2) / HP_D; j >= 0; j--)
        hp_down(ws, j);
    b->admits = 0;
    ws->big_sweeps++;
    return SOC_OK;
}

/* Item `it` (registered to a PE that took a task) brought up to date. */
static int big_refresh(soc__ws_t *ws, const soc_view_t *v, int n, int it)
{
    if (it < n) {
        big_row(ws, v, it, big_need(ws));
        return big_place(ws, v, n, it);
    }
    class_row(ws, v, it, it - n);
    hp_fix(ws, it);
    int rc = item_register(ws, it);
    return rc == SOC_OK && !big_lazy(ws) ? class_prune(ws, v, n, it - n) : rc;
}

/* PE p got later: every item whose best or second was p (registered to p
 * in its current version) brought up to date.  When they are many, the
 * heap is rebuilt once instead of sifted per item. */
static int big_invalidate(soc__ws_t *ws, const soc_view_t *v, int n, int p)
{
    soc__big_t *b = ws->big;
    big_list_t *l = &b->inv[p];
    if (l->stamp != ws->dstamp)
        return SOC_OK;
    /* the list is read while p's new one fills the spare array */
    big_inv_t *a = l->a;
    int na = l->n, acap = l->cap, rc = SOC_OK;
    l->a = b->spare;
    l->cap = b->spare_cap;
    l->n = 0;
    b->bulk = na >= 64 && na >= b->hn / 4;
    for (int k = 0; k < na && rc == SOC_OK; k++) {
        int it = a[k].item;
        if (a[k].ver == b->it[it].ver && b->it[it].hpos >= 0)
            rc = big_refresh(ws, v, n, it);
    }
    if (b->bulk) {
        b->bulk = 0;
        for (int j = (b->hn - 2) / HP_D; j >= 0; j--)
            hp_down(ws, j);
    }
    b->spare = a;
    b->spare_cap = acap;
    return rc;
}

static int big_schedule_run(soc__ws_t *ws, soc_view_t *v);

static int big_schedule(soc__ws_t *ws, soc_view_t *v)
{
    ws->in_big = 1;
    int rc = big_schedule_run(ws, v);
    ws->in_big = 0;
    return rc;
}

static int big_schedule_run(soc__ws_t *ws, soc_view_t *v)
{
    int n = v->n_ready, nt = v->platform->n_types, rc;
    if ((rc = ws_size(ws, v, n + nt)) != SOC_OK || (rc = big_size(ws, v, n + nt)) != SOC_OK)
        return rc;
    soc__big_t *b = ws->big;
    b->hn = 0;
    b->admits = 0;
    b->epoch++;
    for (int k = 0; k < n + nt; k++) {
        b->it[k].hpos = -1;
        b->it[k].ver++;
        b->evicted[k] = 0;
        b->it[k].incls = 0;
    }
    for (int t = 0; t < nt; t++) {
        b->cls[t].m = 0;
        b->cls[t].dm.n = 0;
        if ((rc = bits_reset(&b->cls[t].set, n)) != SOC_OK)
            return rc;
    }
    cl_build(ws, v);
    for (int i = 0; i < n; i++) {
        if ((rc = big_cache_row(ws, v, i)) != SOC_OK)
            return rc;
        big_row(ws, v, i, big_need(ws));
        if (ws->row[i].best_pe < 0)
            return SOC_ESCHED;
        if ((rc = big_place(ws, v, n, i)) != SOC_OK)
            return rc;
    }
    while (b->hn > 0) {
        int item = b->heap[0].item, x, p = ws->row[item].best_pe;
        if (big_lazy(ws) && b->seen[item] != b->chg[p]) {
            /* its best PE took a task since: the row now, then its place */
            if (item < n) {
                big_row(ws, v, item, 1);
                rc = big_place(ws, v, n, item);
                /* joined its class: many may be ready to */
                if (rc == SOC_OK && b->it[item].hpos < 0 && ++b->admits >= 16 + (b->hn >> 6))
                    rc = big_sweep(ws, v, n);
            } else {
                class_row(ws, v, item, item - n);
                hp_fix(ws, item);
                rc = item_register(ws, item);
            }
            if (rc != SOC_OK)
                return rc;
            continue;
        }
        if (item < n) {
            x = item;
            hp_remove(ws, item);
        } else {
            big_cls_t *c = &b->cls[item - n];
            if (big_lazy(ws) && big_dr(ws, cls_first(b, c), p) > avail_get(ws, v, p)) {
                /* the class's best PE is not free for the row standing
                 * for it by its inputs' arrival: the row on its own */
                if ((rc = class_evict(ws, v, n, item)) != SOC_OK)
                    return rc;
                continue;
            }
            x = cls_take(b, c);
            cls_rep(ws, item, c);
        }
        if ((rc = big_commit(ws, v, x, p)) != SOC_OK)
            return rc;
        b->chg[p]++;
        /* p got later: its place in its group's heap, then every item
         * whose best or second was p */
        int gi = ws->groups.of_pe[p];
        if (!tree_group(ws, gi, 0))
            cl_down(ws, v, ws->groups.first[gi], ws->groups.count[gi], b->cpos[p]);
        b->epoch++;
        if ((rc = big_invalidate(ws, v, n, p)) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

static int list_order_pick(soc__pick_t k)
{
    return k == SOC__PICK_MET || k == SOC__PICK_MCT || k == SOC__PICK_OTHER;
}

/* ----------------------------------------------------------- late mode
 * The plain scan of every PE with eager availabilities (soc__ws_prepare_n),
 * ties between equal keys going to an idle PE, and commits that assign only
 * to idle PEs (see soc__list_schedule in sched_internal.h). */

static void late_offer(soc__ws_t *ws, int i, int p, soc_time_t key)
{
    /* on equal keys an idle PE beats a busy one; else strict <, offered in
     * PE order, so the lower index wins ties */
    int idle_wins = ws->row[i].best_pe >= 0 && key == ws->row[i].best && ws->idle[p] &&
                    !ws->idle[ws->row[i].best_pe];
    if (ws->row[i].best_pe < 0 || key < ws->row[i].best || idle_wins) {
        ws->row[i].second = ws->row[i].best;
        ws->row[i].second_pe = ws->row[i].best_pe;
        ws->row[i].best = key;
        ws->row[i].best_pe = p;
    } else if (ws->row[i].second_pe < 0 || key < ws->row[i].second) {
        ws->row[i].second = key;
        ws->row[i].second_pe = p;
    }
}

static void late_row(soc__ws_t *ws, const soc_view_t *v, int i)
{
    const soc_ready_t *r = &v->ready[i];
    row_clear(ws, i);
    for (int p = 0; p < v->n_pes; p++) {
        soc_time_t key = ws->pick == SOC__PICK_MET ? v->api->exec_time(v, r->type, p)
                                                   : soc__eft_append(v, r, p, ws->avail);
        if (key >= 0)
            late_offer(ws, i, p, key);
    }
}

/* Commit ready entry i to p: assigned only when p is idle; either way p's
 * availability advances for the rest of this decision point. */
static int late_commit(soc__ws_t *ws, soc_view_t *v, int i, int p)
{
    soc_time_t ft = soc__eft_append(v, &v->ready[i], p, ws->avail);
    if (ft < 0)
        return SOC_ESCHED;
    if (ws->idle[p]) {
        int rc = v->api->assign(v, v->ready[i].ref, p, SOC_APPEND);
        if (rc != SOC_OK)
            return rc;
        ws->idle[p] = 0;
        ws->n_idle--;
    }
    ws->avail[p] = ft;
    return SOC_OK;
}

static int list_schedule_late(soc__ws_t *ws, soc_view_t *v)
{
    int n = v->n_ready;
    int rc = soc__ws_prepare_n(ws, v, n);
    if (rc != SOC_OK)
        return rc;
    ws->n_idle = 0;
    for (int p = 0; p < v->n_pes; p++) {
        ws->idle[p] = !v->pes[p].busy && v->pes[p].n_slots == 0;
        ws->n_idle += ws->idle[p];
    }
    if (ws->n_idle == 0)
        return SOC_OK; /* nothing can be assigned before a PE is idle */
    if (list_order_pick(ws->pick)) {
        for (int i = 0; i < n && ws->n_idle > 0; i++) {
            late_row(ws, v, i);
            if (ws->row[i].best_pe < 0)
                return SOC_ESCHED;
            if ((rc = late_commit(ws, v, i, ws->row[i].best_pe)) != SOC_OK)
                return rc;
        }
        return SOC_OK;
    }
    for (int i = 0; i < n; i++) {
        late_row(ws, v, i);
        if (ws->row[i].best_pe < 0)
            return SOC_ESCHED;
        ws->ids[i] = i;
    }
    for (int m = n; m > 0 && ws->n_idle > 0; m--) {
        int k = pick_next(ws, ws->ids, m), i = ws->ids[k];
        int p = ws->row[i].best_pe;
        if ((rc = late_commit(ws, v, i, p)) != SOC_OK)
            return rc;
        memmove(&ws->ids[k], &ws->ids[k + 1], sizeof *ws->ids * (size_t)(m - 1 - k));
        /* only p got later: rows whose best or second best was p can
         * change, the others keep both */
        for (int j = 0; j < m - 1; j++) {
            int x = ws->ids[j];
            if (ws->row[x].best_pe == p || ws->row[x].second_pe == p)
                late_row(ws, v, x);
        }
    }
    return SOC_OK;
}

int soc__list_schedule(soc__ws_t *ws, soc_view_t *v)
{
    if (ws->late)
        return list_schedule_late(ws, v);
    int n = v->n_ready;
    int rc = ws_size(ws, v, n);
    if (rc == SOC_OK)
        rc = soc__groups_build(&ws->groups, v);
    if (rc != SOC_OK)
        return rc;
    ws->dstamp++;
    if ((rc = tree_begin(ws, v)) != SOC_OK)
        return rc;
    /* rows from the per-decision cache of their inputs' arrival (one
     * data_ready per cluster and predecessor PE, none per recomputation);
     * MET needs none of it */
    int cached = ws->groups.use && ws->pick != SOC__PICK_MET;
    if (cached && (rc = big_size(ws, v, 0)) != SOC_OK)
        return rc;
    if (list_order_pick(ws->pick)) {
        for (int i = 0; i < n; i++) {
            if (cached) {
                if ((rc = big_cache_row(ws, v, i)) != SOC_OK)
                    return rc;
                big_row(ws, v, i, 1);
            } else {
                dyn_row(ws, v, i, 1);
            }
            if (ws->row[i].best_pe < 0)
                return SOC_ESCHED;
            rc = cached ? big_commit(ws, v, i, ws->row[i].best_pe)
                        : ws_commit(ws, v, &v->ready[i], ws->row[i].best_pe);
            if (rc != SOC_OK)
                return rc;
        }
        return SOC_OK;
    }
    if (cached && n >= (ws->big_min > 0 ? ws->big_min : SOC__BIG_READY))
        return big_schedule(ws, v);
    for (int i = 0; i < n; i++) {
        if (cached) {
            if ((rc = big_cache_row(ws, v, i)) != SOC_OK)
                return rc;
            big_row(ws, v, i, 2);
        } else {
            dyn_row(ws, v, i, 2);
        }
        if (ws->row[i].best_pe < 0)
            return SOC_ESCHED;
        ws->ids[i] = i;
    }
    for (int m = n; m > 0; m--) {
        int k = pick_next(ws, ws->ids, m), i = ws->ids[k];
        int p = ws->row[i].best_pe;
        rc = cached ? big_commit(ws, v, i, p) : ws_commit(ws, v, &v->ready[i], p);
        if (rc != SOC_OK)
            return rc;
        memmove(&ws->ids[k], &ws->ids[k + 1], sizeof *ws->ids * (size_t)(m - 1 - k));
        /* only p got later: rows whose best or second best was p can
         * change, the others keep both */
        for (int j = 0; j < m - 1; j++) {
            int x = ws->ids[j];
            if (ws->row[x].best_pe == p || ws->row[x].second_pe == p) {
                if (cached)
                    big_row(ws, v, x, 2);
                else
                    dyn_row(ws, v, x, 2);
            }
        }
    }
    return SOC_OK;
}

int soc__ws_schedule(void *state, soc_view_t *v)
{
    soc__ws_t *ws = state;
    /* static mode: tasks no planning covered get queued behind the plan's
     * back, so the next planning copies the queues afresh */
    if (ws->is_static && v->n_ready > 0)
        ws->plan.committed = 0;
    return soc__list_schedule(state, v);
}

/* Static mode row of task t: appended finish behind the PE's last
 * reservation, inputs from the planned predecessors (MET: exec time). */
static void static_row(soc__ws_t *ws, const soc_view_t *v, const soc_app_t *a,
                       int t, soc_time_t floor)
{
    int type = a->tasks[t].type;
    row_clear(ws, t);
    for (int p = 0; p < v->n_pes; p++) {
        soc_time_t d = v->api->exec_time(v, type, p);
        if (d < 0)
            continue;
        soc_time_t key = d;
        if (ws->pick != SOC__PICK_MET) {
            soc_time_t r = soc__plan_ready(&ws->plan, v, a, t, p, floor);
            key = soc__tl_find(soc__plan_tl(&ws->plan, p), r, d, 0, NULL) + d;
        }
        row_offer(ws, t, p, key);
    }
}

/* Insert task id t into the sorted ids[0..m). */
static void ids_insert(int *ids, int m, int t)
{
    int k = m;
    while (k > 0 && ids[k - 1] > t) {
        ids[k] = ids[k - 1];
        k--;
    }
    ids[k] = t;
}

int soc__ws_arrival(void *state, soc_view_t *v, uint64_t job)
{
    soc__ws_t *ws = state;
    if (!ws->is_static)
        return SOC_OK;
    int app = v->api->job_app(v, job);
    if (app < 0)
        return SOC_EINVAL;
    const soc_app_t *a = &v->apps[app];
    int n = a->n_tasks, m = 0, rc;
    if ((rc = ws_size(ws, v, n)) != SOC_OK)
        return rc;
    soc__plan_t *pl = &ws->plan;
    if ((rc = soc__plan_begin(pl, v, job, n)) != SOC_OK)
        return rc;
    soc_time_t floor = v->api->job_arrival(v, job);
    for (int t = 0; t < n; t++) {
        ws->left[t] = a->pred_off[t + 1] - a->pred_off[t];
        if (ws->left[t] == 0) {
            ws->ids[m++] = t;
            static_row(ws, v, a, t, floor);
        }
    }
    while (m > 0) {
        int k = pick_next(ws, ws->ids, m), t = ws->ids[k];
        if (list_order_pick(ws->pick))
            static_row(ws, v, a, t, floor);
        int p = ws->row[t].best_pe;
        if (p < 0)
            return SOC_ESCHED;
        soc_time_t d = v->api->exec_time(v, a->tasks[t].type, p);
        soc_time_t r = soc__plan_ready(pl, v, a, t, p, floor);
        int pos;
        soc_time_t s = soc__tl_find(soc__plan_tl(pl, p), r, d, 0, &pos);
        if ((rc = soc__plan_put(pl, t, p, pos, s, s + d)) != SOC_OK)
            return rc;
        soc_task_ref_t ref = {job, t};
        if ((rc = v->api->assign(v, ref, p, s)) != SOC_OK)
            return rc;
        memmove(&ws->ids[k], &ws->ids[k + 1], sizeof *ws->ids * (size_t)(m - 1 - k));
        m--;
        if (!list_order_pick(ws->pick))
            for (int j = 0; j < m; j++) {
                int x = ws->ids[j];
                if (ws->row[x].best_pe == p || ws->row[x].second_pe == p)
                    static_row(ws, v, a, x, floor);
            }
        for (int e = a->succ_off[t]; e < a->succ_off[t + 1]; e++) {
            int j = a->edges[a->succ_edge[e]].dst;
            if (--ws->left[j] == 0) {
                ids_insert(ws->ids, m++, j);
                static_row(ws, v, a, j, floor);
            }
        }
    }
    if (pl->oom)
        return SOC_ENOMEM;
    soc__plan_commit(pl);
    return SOC_OK;
}
