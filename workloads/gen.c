/*
 * gen.c -- synthetic task graphs (soc/gen.h): structures, costs,
 * heterogeneity and communication; mapped like an import
 * (dag_internal.h).  The closed forms of the counts are in
 * docs/workloads.md and in soc_gen_counts below.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "dag_internal.h"
#include "soc/gen.h"
#include "soc_util.h"
#include "soc/rng.h"

#define GEN_MAX_TASKS 1000000
#define GEN_MAX_EDGES 20000000

static const char *const KIND_NAMES[] = {"random", "layered",  "fork-join", "series-parallel",
                                         "gauss",  "fft",      "cholesky",  "lu"};

int soc_gen_kind_parse(const char *name, soc_gen_kind_t *out)
{
    for (int k = 0; name != NULL && k < 8; k++)
        if (strcmp(name, KIND_NAMES[k]) == 0) {
            *out = (soc_gen_kind_t)k;
            return SOC_OK;
        }
    if (name != NULL && strcmp(name, "topcuoglu") == 0) {
        *out = SOC_GEN_RANDOM;
        return SOC_OK;
    }
    return SOC_EINVAL;
}

const char *soc_gen_kind_name(soc_gen_kind_t k)
{
    return (int)k >= 0 && (int)k < 8 ? KIND_NAMES[k] : "?";
}

void soc_gen_params_default(soc_gen_params_t *p, soc_gen_kind_t kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->seed = 1;
    p->tasks = 100;
    p->out_degree = 3;
    p->alpha = 1;
    p->levels = 5;
    p->width = 4;
    p->degree = 0;
    p->p_parallel = 0.5;
    p->size = kind == SOC_GEN_GAUSS ? 10 : kind == SOC_GEN_FFT ? 16 : 5;
    p->w_dag = 100;
    p->ccr = 1;
    p->beta = 0.5;
    p->costs = SOC_GEN_COSTS_DEFAULT;
    p->procs = 4;
}

/* ------------------------------------------------------------- counts */

#define bad(err, ...) soc_error_set((err), SOC_EINVAL, NULL, 0, 0, __VA_ARGS__)

/* Counts step 1: the cost, communication and platform parameters shared
 * by every kind. */
static int check_common(const soc_gen_params_t *p, const char *k, soc_error_t *err)
{
    if (!(p->w_dag >= 0 && p->w_dag <= 1e12))
        return bad(err, "gen %s: w_dag must be in 0 .. 1e12 µs, got %g", k, p->w_dag);
    if (!(p->ccr >= 0 && p->ccr <= 1e6))
        return bad(err, "gen %s: ccr must be in 0 .. 1e6, got %g", k, p->ccr);
    if (!(p->beta >= 0 && p->beta <= 2))
        return bad(err, "gen %s: beta must be in 0 .. 2, got %g", k, p->beta);
    if (p->procs < 1 || p->procs > 4096)
        return bad(err, "gen %s: procs must be in 1 .. 4096, got %g", k, (double)p->procs);
    return SOC_OK;
}

/* Counts step 2a: the structures (random, layered, fork-join,
 * series-parallel): their parameters, tasks *n and edges *e (-1: random). */
static int shape_counts(const soc_gen_params_t *p, const char *k, int64_t *n, int64_t *e,
                        soc_error_t *err)
{
    switch (p->kind) {
    case SOC_GEN_RANDOM:
        if (p->tasks < 1 || p->tasks > GEN_MAX_TASKS)
            return bad(err, "gen %s: tasks must be in 1 .. 1000000, got %g", k, (double)p->tasks);
        if (!(p->out_degree >= 1 && p->out_degree <= GEN_MAX_TASKS))
            return bad(err, "gen %s: out-degree must be >= 1, got %g", k, p->out_degree);
        if (!(p->alpha > 0 && p->alpha <= 1e6))
            return bad(err, "gen %s: alpha must be > 0, got %g", k, p->alpha);
        *n = p->tasks;
        if (p->out_degree * (double)*n > GEN_MAX_EDGES)
            return bad(err, "gen %s: about %g edges, more than the limit of 2e7", k,
                       p->out_degree * (double)*n);
        return SOC_OK;
    case SOC_GEN_LAYERED: {
        if (p->levels < 1 || p->width < 1)
            return bad(err, "gen %s: levels and width must be >= 1 (levels %g)", k, (double)p->levels);
        int d = p->degree > 0 ? p->degree : p->width;
        if (d > p->width)
            return bad(err, "gen %s: degree must be at most the width, got %g", k, (double)p->degree);
        if (p->width > 1 && (p->levels < 2 || d < 2))
            return bad(err,
                       "gen %s: with width >= 2 the graph is connected only with levels >= 2 "
                       "and degree >= 2 (degree %g)",
                       k, (double)d);
        *n = (int64_t)p->levels * p->width;
        *e = (int64_t)(p->levels - 1) * p->width * d;
        return SOC_OK;
    }
    case SOC_GEN_FORK_JOIN:
        if (p->levels < 1 || p->width < 1)
            return bad(err, "gen %s: stages (levels) and width must be >= 1 (stages %g)", k,
                       (double)p->levels);
        *n = 1 + (int64_t)p->levels * (p->width + 1);
        *e = 2 * (int64_t)p->levels * p->width;
        return SOC_OK;
    default: /* SOC_GEN_SERIES_PARALLEL */
        if (p->tasks < 1 || p->tasks > GEN_MAX_TASKS)
            return bad(err, "gen %s: tasks must be in 1 .. 1000000, got %g", k, (double)p->tasks);
        if (!(p->p_parallel >= 0 && p->p_parallel <= 1))
            return bad(err, "gen %s: p-parallel must be in 0 .. 1, got %g", k, p->p_parallel);
        *n = p->tasks; /* edges = tasks - 1 + forks */
        return SOC_OK;
    }
}

/* Counts step 2b: the kernels (gauss, fft, cholesky, lu): their size and
 * the closed forms of tasks *n and edges *e. */
static int kernel_counts(const soc_gen_params_t *p, const char *k, int64_t *n, int64_t *e,
                         soc_error_t *err)
{
    switch (p->kind) {
    case SOC_GEN_GAUSS: {
        int64_t m = p->size;
        if (m < 2 || m > 1400)
            return bad(err, "gen %s: the matrix size must be in 2 .. 1400, got %g", k, (double)p->size);
        *n = (m * m + m - 2) / 2;
        *e = m * m - m - 1;
        return SOC_OK;
    }
    case SOC_GEN_FFT: {
        int64_t pts = p->size, q = 0;
        if (pts < 2 || pts > 65536 || (pts & (pts - 1)) != 0)
            return bad(err, "gen %s: the points must be a power of 2 in 2 .. 65536, got %g", k,
                       (double)p->size);
        while (((int64_t)1 << q) < pts)
            q++;
        *n = 2 * pts - 1 + pts * q;
        *e = 2 * pts - 2 + 2 * pts * q;
        return SOC_OK;
    }
    case SOC_GEN_CHOLESKY: {
        int64_t t = p->size;
        if (t < 1 || t > 180)
            return bad(err, "gen %s: the tiles must be in 1 .. 180, got %g", k, (double)p->size);
        *n = t * (t + 1) * (t + 2) / 6;
        *e = (t - 1) * (2 * t - 1) + (t - 1) * (t - 1) * (t - 2) / 2;
        return SOC_OK;
    }
    default: { /* SOC_GEN_LU */
        int64_t t = p->size;
        if (t < 1 || t > 140)
            return bad(err, "gen %s: the tiles must be in 1 .. 140, got %g", k, (double)p->size);
        *n = t * (t + 1) * (2 * t + 1) / 6;
        int64_t s1 = (t - 1) * t * (2 * t - 1) / 6, s2 = t >= 2 ? (t - 2) * (t - 1) * (2 * t - 3) / 6 : 0;
        *e = (t - 1) + 2 * (t - 1) * (t - 1) + 2 * s1 + s2;
        return SOC_OK;
    }
    }
}

int soc_gen_counts(const soc_gen_params_t *p, int64_t *tasks, int64_t *edges, soc_error_t *err)
{
    if (p == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no parameters");
    const char *k = soc_gen_kind_name(p->kind);
    int64_t n = 0, e = -1;
    int rc = check_common(p, k, err);
    if (rc != SOC_OK)
        return rc;
    switch (p->kind) {
    case SOC_GEN_RANDOM:
    case SOC_GEN_LAYERED:
    case SOC_GEN_FORK_JOIN:
    case SOC_GEN_SERIES_PARALLEL:
        rc = shape_counts(p, k, &n, &e, err);
        break;
    case SOC_GEN_GAUSS:
    case SOC_GEN_FFT:
    case SOC_GEN_CHOLESKY:
    case SOC_GEN_LU:
        rc = kernel_counts(p, k, &n, &e, err);
        break;
    default:
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "unknown generator kind");
    }
    if (rc != SOC_OK)
        return rc;
    if (n > GEN_MAX_TASKS)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "gen %s: %lld tasks, more than the limit of 1000000", k, (long long)n);
    if (e > GEN_MAX_EDGES)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "gen %s: %lld edges, more than the limit of 2e7", k, (long long)e);
    if (tasks != NULL)
        *tasks = n;
    if (edges != NULL)
        *edges = e;
    return SOC_OK;
}

/* ---------------------------------------------------------- structures */

typedef struct gctx {
    soc__dag_t *d;
    gsl_rng *r;
    double *weight; /* kernel weight per task (grown with the dag) */
    int wcap;
    soc_error_t *err;
} gctx_t;

static int task(gctx_t *G, const char *cat, double weight, const char *fmt, ...) SOC_PRINTF(4, 5);
static int task(gctx_t *G, const char *cat, double weight, const char *fmt, ...)
{
    char name[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    int i = soc__dag_add_task(G->d, name, cat, NAN, NAN, 0, 0, NULL);
    if (i < 0)
        return -1;
    if (i >= G->wcap) {
        int nc = G->wcap ? 2 * G->wcap : 256;
        double *nw = realloc(G->weight, sizeof *nw * (size_t)nc);
        if (nw == NULL)
            return -1;
        G->weight = nw;
        G->wcap = nc;
    }
    G->weight[i] = weight;
    return i;
}

static int edge(gctx_t *G, int a, int b) { return soc__dag_add_edge(G->d, a, b, 0, 0, 0); }

#define T(expr)                                                                \
    do {                                                                       \
        if ((expr) < 0)                                                        \
            goto nomem;                                                        \
    } while (0)

static int uf_find(int *p, int x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* Random DAG step 1: the number of levels h, uniform in [ceil(H/2),
 * floor(1.5 H)] with H = sqrt(v)/alpha, at most v and at least 2 when
 * v >= 2 (one draw). */
static int random_height(gsl_rng *r, const soc_gen_params_t *p)
{
    int v = p->tasks;
    double H = sqrt((double)v) / p->alpha;
    int lo = (int)ceil(H / 2), hi = (int)floor(1.5 * H);
    if (lo < 1)
        lo = 1;
    if (hi < lo)
        hi = lo;
    int h = lo + (int)gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1));
    if (h > v)
        h = v;
    if (v >= 2 && h < 2)
        h = 2;
    return h;
}

/* Random DAG step 2: the width of each of the h levels -- shares
 * 0.5 + U(0, 1) of the v tasks, rounded down (at least 1 each), the rest
 * by largest remainder; q[] (h) is scratch space. */
static void level_widths(gsl_rng *r, int v, int h, int *width, double *q)
{
    double sum = 0;
    for (int l = 0; l < h; l++) {
        q[l] = 0.5 + gsl_rng_uniform(r);
        sum += q[l];
    }
    int total = 0;
    for (int l = 0; l < h; l++) {
        q[l] = q[l] * v / sum;
        width[l] = (int)floor(q[l]);
        if (width[l] < 1)
            width[l] = 1;
        q[l] -= floor(q[l]);
        total += width[l];
    }
    while (total < v) { /* largest remainder first (ties: lower level) */
        int best = 0;
        for (int l = 1; l < h; l++)
            if (q[l] > q[best])
                best = l;
        width[best]++;
        q[best] = -1;
        total++;
        int any = 0;
        for (int l = 0; l < h; l++)
            any |= q[l] >= 0;
        if (!any)
            for (int l = 0; l < h; l++)
                q[l] = 0;
    }
    while (total > v) { /* the minimum of 1 per level overshot: trim the widest */
        int best = 0;
        for (int l = 1; l < h; l++)
            if (width[l] > width[best])
                best = l;
        width[best]--;
        total--;
    }
}

/* Random DAG step 3: the out-edges of every task above the last level, 1
 * to 2 out_degree - 1 distinct children, the first in the next level, the
 * others anywhere below; then a parent in the level above for every task
 * that has none.  stamp[] and has_prev[] (v) are scratch space. */
static int random_edges(gctx_t *G, const soc_gen_params_t *p, int h, const int *width,
                        const int *start, int *stamp, int *has_prev)
{
    gsl_rng *r = G->r;
    int v = p->tasks;
    for (int i = 0; i < v; i++)
        stamp[i] = -1;
    for (int l = 0; l + 1 < h; l++) {
        int later = v - start[l + 1];
        for (int u = start[l]; u < start[l + 1]; u++) {
            int k = 1 + (int)floor(gsl_rng_uniform(r) * (2 * p->out_degree - 1));
            if (k > later)
                k = later;
            /* the first child in the next level, the others anywhere below */
            int c = start[l + 1] + (int)gsl_rng_uniform_int(r, (unsigned long)width[l + 1]);
            stamp[c] = u;
            T(edge(G, u, c));
            has_prev[c] = 1;
            for (int m = 1; m < k; m++) {
                do
                    c = start[l + 1] + (int)gsl_rng_uniform_int(r, (unsigned long)later);
                while (stamp[c] == u);
                stamp[c] = u;
                T(edge(G, u, c));
                if (c < start[l + 2])
                    has_prev[c] = 1;
            }
        }
    }
    /* every task below the first level gets a parent in the level above */
    for (int l = 1; l < h; l++)
        for (int x = start[l]; x < start[l + 1]; x++)
            if (!has_prev[x])
                T(edge(G, start[l - 1] + (int)gsl_rng_uniform_int(r, (unsigned long)width[l - 1]),
                       x));
    return SOC_OK;
nomem:
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Random DAG step 4: join the weakly connected parts -- an edge from a
 * random first-level task of the part of t0 to a second-level task of each
 * other part (union-find in par[], v). */
static int join_random_parts(gctx_t *G, int v, int h, const int *start, int *par)
{
    gsl_rng *r = G->r;
    for (int i = 0; i < v; i++)
        par[i] = i;
    for (int e = 0; e < G->d->ne; e++) {
        int a = uf_find(par, G->d->edges[e].src), b = uf_find(par, G->d->edges[e].dst);
        if (a != b)
            par[a < b ? b : a] = a < b ? a : b;
    }
    for (int x = h > 1 ? start[1] : v; x < (h > 1 ? start[2] : v); x++) {
        if (uf_find(par, x) == uf_find(par, 0))
            continue;
        int cnt = 0;
        for (int u = 0; u < start[1]; u++)
            cnt += uf_find(par, u) == uf_find(par, 0);
        int pick = (int)gsl_rng_uniform_int(r, (unsigned long)cnt), u = 0;
        for (;; u++)
            if (uf_find(par, u) == uf_find(par, 0) && pick-- == 0)
                break;
        T(edge(G, u, x));
        int a = uf_find(par, u), b = uf_find(par, x);
        par[a < b ? b : a] = a < b ? a : b;
    }
    return SOC_OK;
nomem:
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Topcuoglu et al.'s random DAG: height ~ sqrt(v)/alpha, level widths
 * around alpha sqrt(v), out-degrees uniform with the given mean. */
static int gen_random(gctx_t *G, const soc_gen_params_t *p)
{
    int v = p->tasks, rc = SOC_OK;
    int h = random_height(G->r, p);
    int *width = calloc((size_t)h, sizeof *width);
    int *start = calloc((size_t)h + 1, sizeof *start);
    double *q = malloc(sizeof *q * (size_t)h);
    int *stamp = NULL, *par = NULL, *has_prev = NULL;
    if (width == NULL || start == NULL || q == NULL)
        goto nomem;
    level_widths(G->r, v, h, width, q);
    for (int l = 0; l < h; l++)
        start[l + 1] = start[l] + width[l];
    for (int l = 0; l < h; l++)
        for (int j = 0; j < width[l]; j++)
            T(task(G, "task", 1, "t%d", start[l] + j));
    stamp = malloc(sizeof *stamp * (size_t)v);
    has_prev = calloc((size_t)v, sizeof *has_prev);
    par = malloc(sizeof *par * (size_t)v);
    if (stamp == NULL || has_prev == NULL || par == NULL)
        goto nomem;
    if ((rc = random_edges(G, p, h, width, start, stamp, has_prev)) == SOC_OK)
        rc = join_random_parts(G, v, h, start, par);
    goto out;
nomem:
    rc = soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
out:
    free(width);
    free(start);
    free(q);
    free(stamp);
    free(has_prev);
    free(par);
    return rc;
}

static int gen_layered(gctx_t *G, const soc_gen_params_t *p)
{
    int L = p->levels, W = p->width, k = p->degree > 0 ? p->degree : p->width;
    for (int l = 0; l < L; l++)
        for (int j = 0; j < W; j++)
            T(task(G, "task", 1, "l%d_%d", l, j));
    for (int l = 0; l + 1 < L; l++)
        for (int j = 0; j < W; j++)
            for (int i = 0; i < k; i++)
                T(edge(G, l * W + j, (l + 1) * W + (j + i) % W));
    return SOC_OK;
nomem:
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

static int gen_fork_join(gctx_t *G, const soc_gen_params_t *p)
{
    int S = p->levels, W = p->width;
    int prev = task(G, "fork", 1, "f0");
    T(prev);
    for (int s = 1; s <= S; s++) {
        int first = G->d->n;
        for (int i = 0; i < W; i++)
            T(task(G, "work", 1, "w%d_%d", s, i));
        int j = task(G, "join", 1, "j%d", s);
        T(j);
        for (int i = 0; i < W; i++) {
            T(edge(G, prev, first + i));
            T(edge(G, first + i, j));
        }
        prev = j;
    }
    return SOC_OK;
nomem:
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

typedef struct spnode {
    int n, op; /* 0 leaf, 1 series, 2 parallel */
    int a, b;  /* child nodes */
    int src, snk;
} spnode_t;

/* A random two-terminal series-parallel DAG of exactly p->tasks tasks: a
 * block of n tasks is one task (n = 1), A then B (series: an edge from A's
 * sink to B's source), or a fork, A and B side by side, and a join
 * (parallel, n >= 4, with probability p_parallel); the split sizes are
 * uniform.  Built top-down (breadth first), joined bottom-up. */
static int gen_sp(gctx_t *G, const soc_gen_params_t *p)
{
    int cap = 2 * p->tasks + 1, nn = 0, rc = SOC_OK;
    spnode_t *v = malloc(sizeof *v * (size_t)cap);
    if (v == NULL)
        goto nomem;
    v[nn++] = (spnode_t){p->tasks, 0, -1, -1, -1, -1};
    for (int i = 0; i < nn; i++) {
        int n = v[i].n;
        if (n == 1) {
            int t = task(G, "task", 1, "t%d", G->d->n);
            T(t);
            v[i].src = v[i].snk = t;
            continue;
        }
        int par = n >= 4 && gsl_rng_uniform(G->r) < p->p_parallel;
        int m = par ? n - 2 : n;
        int a = 1 + (int)gsl_rng_uniform_int(G->r, (unsigned long)(m - 1));
        if (par) {
            int f = task(G, "fork", 1, "t%d", G->d->n);
            T(f);
            int j = task(G, "join", 1, "t%d", G->d->n);
            T(j);
            v[i].src = f;
            v[i].snk = j;
        }
        v[i].op = par ? 2 : 1;
        v[i].a = nn;
        v[nn++] = (spnode_t){a, 0, -1, -1, -1, -1};
        v[i].b = nn;
        v[nn++] = (spnode_t){m - a, 0, -1, -1, -1, -1};
    }
    for (int i = nn - 1; i >= 0; i--) {
        spnode_t *x = &v[i];
        if (x->op == 1) {
            T(edge(G, v[x->a].snk, v[x->b].src));
            x->src = v[x->a].src;
            x->snk = v[x->b].snk;
        } else if (x->op == 2) {
            T(edge(G, x->src, v[x->a].src));
            T(edge(G, x->src, v[x->b].src));
            T(edge(G, v[x->a].snk, x->snk));
            T(edge(G, v[x->b].snk, x->snk));
        }
    }
    goto out;
nomem:
    rc = soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
out:
    free(v);
    return rc;
}

/* Gaussian elimination of an m x m matrix (Topcuoglu et al. 2002, Fig. 8;
 * Wu & Gajski 1990): step k = 1..m-1 has a pivot task P(k) and updates
 * U(k, j), j = k+1..m; P(k) -> U(k, j); U(k, j) -> U(k+1, j) and
 * U(k, k+1) -> P(k+1). */
static int gen_gauss(gctx_t *G, const soc_gen_params_t *p)
{
    int m = p->size;
    int *id = malloc(sizeof *id * (size_t)(m + 1) * (size_t)(m + 1)); /* id[k][j] */
    if (id == NULL)
        goto nomem;
#define ID(k, j) id[(size_t)(k) * (size_t)(m + 1) + (size_t)(j)]
    for (int k = 1; k < m; k++) {
        T(ID(k, k) = task(G, "pivot", m - k + 1, "p%d", k));
        for (int j = k + 1; j <= m; j++)
            T(ID(k, j) = task(G, "update", 2.0 * (m - k + 1), "u%d_%d", k, j));
    }
    for (int k = 1; k < m; k++) {
        for (int j = k + 1; j <= m; j++)
            T(edge(G, ID(k, k), ID(k, j)));
        for (int j = k + 1; j <= m && k + 1 < m; j++)
            T(edge(G, ID(k, j), ID(k + 1, j)));
    }
#undef ID
    free(id);
    return SOC_OK;
nomem:
    free(id);
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* FFT of n = 2^q points (Topcuoglu et al. 2002, Fig. 9): a binary tree of
 * 2n - 1 recursive-call tasks (the root splits the input, the n leaves
 * hold single points), then q levels of n butterfly tasks; butterfly
 * (l, i) reads (l-1, i) and (l-1, i xor 2^(l-1)), level 0 being the
 * leaves left to right. */
static int gen_fft(gctx_t *G, const soc_gen_params_t *p)
{
    int n = p->size, q = 0;
    while ((1 << q) < n)
        q++;
    /* tree in heap order: node x (1-based) has children 2x, 2x+1; depth
     * d = floor(log2 x); leaves are x = n .. 2n-1 */
    int *tree = malloc(sizeof *tree * (size_t)(2 * n));
    int *prev = malloc(sizeof *prev * (size_t)n), *cur = malloc(sizeof *cur * (size_t)n);
    if (tree == NULL || prev == NULL || cur == NULL)
        goto nomem;
    for (int x = 1; x < 2 * n; x++) {
        int d = 0;
        while ((2 << d) <= x)
            d++;
        T(tree[x] = task(G, "fft_call", (double)(n >> d), "r%d", x));
    }
    for (int x = 1; x < n; x++) {
        T(edge(G, tree[x], tree[2 * x]));
        T(edge(G, tree[x], tree[2 * x + 1]));
    }
    for (int i = 0; i < n; i++)
        prev[i] = tree[n + i];
    for (int l = 1; l <= q; l++) {
        for (int i = 0; i < n; i++)
            T(cur[i] = task(G, "butterfly", 1, "b%d_%d", l, i));
        for (int i = 0; i < n; i++) {
            T(edge(G, prev[i], cur[i]));
            T(edge(G, prev[i ^ (1 << (l - 1))], cur[i]));
        }
        memcpy(prev, cur, sizeof *prev * (size_t)n);
    }
    free(tree);
    free(prev);
    free(cur);
    return SOC_OK;
nomem:
    free(tree);
    free(prev);
    free(cur);
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Tiled Cholesky / LU: the tasks of the right-looking algorithms and their
 * read-after-write dependencies on the tiles, found by tracking the last
 * writer of every tile while the sequential algorithm is replayed. */
static int gen_tiled(gctx_t *G, const soc_gen_params_t *p, int lu)
{
    int t = p->size;
    int *last = malloc(sizeof *last * (size_t)t * (size_t)t);
    if (last == NULL)
        goto nomem;
    for (int i = 0; i < t * t; i++)
        last[i] = -1;
#define LW(i, j) last[(size_t)(i) * (size_t)t + (size_t)(j)]
#define DEP(i, j, x)                                                           \
    do {                                                                       \
        if (LW(i, j) >= 0)                                                     \
            T(edge(G, LW(i, j), (x)));                                         \
    } while (0)
    for (int k = 0; k < t; k++) {
        int x;
        if (!lu) {
            T(x = task(G, "potrf", 1.0 / 3, "potrf_%d", k));
            DEP(k, k, x);
            LW(k, k) = x;
            for (int i = k + 1; i < t; i++) {
                T(x = task(G, "trsm", 1, "trsm_%d_%d", i, k));
                DEP(k, k, x);
                DEP(i, k, x);
                LW(i, k) = x;
            }
            for (int i = k + 1; i < t; i++) {
                T(x = task(G, "syrk", 1, "syrk_%d_%d", i, k));
                DEP(i, k, x);
                DEP(i, i, x);
                LW(i, i) = x;
                for (int j = k + 1; j < i; j++) {
                    T(x = task(G, "gemm", 2, "gemm_%d_%d_%d", i, j, k));
                    DEP(i, k, x);
                    DEP(j, k, x);
                    DEP(i, j, x);
                    LW(i, j) = x;
                }
            }
        } else {
            T(x = task(G, "getrf", 2.0 / 3, "getrf_%d", k));
            DEP(k, k, x);
            LW(k, k) = x;
            for (int j = k + 1; j < t; j++) {
                T(x = task(G, "trsm_u", 1, "trsmu_%d_%d", k, j));
                DEP(k, k, x);
                DEP(k, j, x);
                LW(k, j) = x;
            }
            for (int i = k + 1; i < t; i++) {
                T(x = task(G, "trsm_l", 1, "trsml_%d_%d", i, k));
                DEP(k, k, x);
                DEP(i, k, x);
                LW(i, k) = x;
            }
            for (int i = k + 1; i < t; i++)
                for (int j = k + 1; j < t; j++) {
                    T(x = task(G, "gemm", 2, "gemm_%d_%d_%d", i, j, k));
                    DEP(i, k, x);
                    DEP(k, j, x);
                    DEP(i, j, x);
                    LW(i, j) = x;
                }
        }
    }
#undef LW
#undef DEP
    free(last);
    return SOC_OK;
nomem:
    free(last);
    return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---------------------------------------------------------------- costs */

/* The platform map of a generated graph: the user's, or (none, or one
 * without clusters) *own = clusters p1..pQ of one PE keeping the user's
 * communication settings. */
static int default_map(const soc_gen_params_t *p, const soc_platform_map_t *um,
                       soc_platform_map_t **own, soc_error_t *err)
{
    int rc = SOC_OK;
    if (um != NULL && um->n > 0)
        return SOC_OK;
    if (soc_platform_map_new(own) != SOC_OK)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    if (um != NULL) {
        (*own)->bw_default = um->bw_default;
        (*own)->bw_self = um->bw_self;
        (*own)->latency_us = um->latency_us;
    }
    for (int k = 1; k <= p->procs && rc == SOC_OK; k++) {
        char spec[32];
        snprintf(spec, sizeof spec, "p%d:1:1", k);
        rc = soc_platform_map_add_cluster(*own, spec, err);
    }
    return rc;
}

/* The structure (tasks and edges) of the chosen kind. */
static int gen_structure(gctx_t *G, const soc_gen_params_t *p)
{
    switch (p->kind) {
    case SOC_GEN_RANDOM:
        return gen_random(G, p);
    case SOC_GEN_LAYERED:
        return gen_layered(G, p);
    case SOC_GEN_FORK_JOIN:
        return gen_fork_join(G, p);
    case SOC_GEN_SERIES_PARALLEL:
        return gen_sp(G, p);
    case SOC_GEN_GAUSS:
        return gen_gauss(G, p);
    case SOC_GEN_FFT:
        return gen_fft(G, p);
    case SOC_GEN_CHOLESKY:
        return gen_tiled(G, p, 0);
    case SOC_GEN_LU:
        return gen_tiled(G, p, 1);
    }
    return SOC_OK;
}

/* Costs: the mean cost of each task (kernel weights scaled to a mean of
 * w_dag, or uniform in [0, 2 w_dag]), its heterogeneity over the q
 * clusters (uniform in w x [1 - beta/2, 1 + beta/2]) and the edge volumes
 * (transfer time ccr x w_dag, fixed or uniform, at bandwidth bw).  The
 * draws come in this order. */
static int gen_costs(gctx_t *G, const soc_gen_params_t *p, int q, double bw)
{
    soc__dag_t *d = G->d;
    int kernel = p->costs == SOC_GEN_COSTS_KERNEL ||
                 (p->costs == SOC_GEN_COSTS_DEFAULT && p->kind >= SOC_GEN_GAUSS);
    if (kernel) {
        double sum = 0;
        for (int i = 0; i < d->n; i++)
            sum += G->weight[i];
        for (int i = 0; i < d->n; i++)
            d->cost[i] = sum > 0 ? p->w_dag * G->weight[i] * d->n / sum : p->w_dag;
    } else {
        for (int i = 0; i < d->n; i++)
            d->cost[i] = 2 * p->w_dag * gsl_rng_uniform(G->r);
    }
    for (int i = 0; i < d->n; i++)
        d->raw[i] = d->cost[i];
    /* heterogeneity */
    if (p->beta > 0) {
        d->n_het = q;
        d->het = malloc(sizeof *d->het * (size_t)d->n * (size_t)q);
        if (d->het == NULL)
            return soc_error_set(G->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        for (size_t k = 0; k < (size_t)d->n * (size_t)q; k++)
            d->het[k] = 1 - p->beta / 2 + p->beta * gsl_rng_uniform(G->r);
    }
    /* communication: transfer time at bandwidth bw */
    for (int e = 0; e < d->ne; e++) {
        double c = kernel ? p->ccr * p->w_dag : 2 * p->ccr * p->w_dag * gsl_rng_uniform(G->r);
        d->edges[e].volume = c * bw;
    }
    return SOC_OK;
}

/* The graph's name: the kind with '_' for '-'. */
static int name_dag(soc__dag_t *d, const soc_gen_params_t *p, soc_error_t *err)
{
    char nm[64];
    snprintf(nm, sizeof nm, "%s", soc_gen_kind_name(p->kind));
    for (char *c = nm; *c; c++)
        if (*c == '-')
            *c = '_';
    if ((d->name = soc__strdup(nm)) == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    return SOC_OK;
}

int soc_gen_dag(const soc_gen_params_t *p, const soc_import_options_t *opts, soc_config_t *cfg,
                soc_import_stats_t *stats, soc_error_t *err)
{
    if (p == NULL || cfg == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no parameters or no configuration");
    soc_config_init(cfg);
    int64_t want_n, want_e;
    int rc = soc_gen_counts(p, &want_n, &want_e, err);
    if (rc != SOC_OK)
        return rc;
    soc_library_init();
    soc_import_options_t o;
    if (opts != NULL)
        o = *opts;
    else
        soc_import_options_default(&o);
    /* the platform: the user's map, or p1..pQ */
    soc_platform_map_t *own = NULL;
    if ((rc = default_map(p, o.map, &own, err)) != SOC_OK) {
        soc_platform_map_free(own);
        return rc;
    }
    if (own != NULL)
        o.map = own;
    double bw = o.bandwidth > 0 ? o.bandwidth : o.map->bw_default > 0 ? o.map->bw_default : 1;
    soc__dag_t d;
    soc__dag_init(&d, NULL);
    /* seeded from all 64 bits, as a simulation seeds its generator */
    gctx_t G = {&d, soc_rng_new(p->seed), NULL, 0, err};
    if (G.r == NULL) {
        soc_platform_map_free(own);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if ((rc = gen_structure(&G, p)) != SOC_OK)
        goto out;
    if (d.n != want_n || (want_e >= 0 && d.ne != want_e)) {
        rc = soc_error_set(err, SOC_ESTATE, NULL, 0, 0,
                           "gen %s: internal error: %d tasks and %d edges, expected %lld and %lld",
                           soc_gen_kind_name(p->kind), d.n, d.ne, (long long)want_n,
                           (long long)want_e);
        goto out;
    }
    if ((rc = gen_costs(&G, p, o.map->n, bw)) != SOC_OK || (rc = name_dag(&d, p, err)) != SOC_OK)
        goto out;
    d.time_default = 1;
    d.bw_default = 1;
    o.time_scale = 1;
    o.data_scale = 1;
    o.machines = -1;
    if ((rc = soc__dag_finish(&d, 0, 0, err)) != SOC_OK)
        goto out;
    if (d.n_virtual > 0) {
        rc = soc_error_set(err, SOC_ESTATE, NULL, 0, 0, "gen %s: internal error: not connected",
                           soc_gen_kind_name(p->kind));
        goto out;
    }
    rc = soc__dag_to_config(&d, &o, cfg, stats, err);
out:
    gsl_rng_free(G.r);
    free(G.weight);
    soc__dag_free(&d);
    soc_platform_map_free(own);
    return rc;
}
