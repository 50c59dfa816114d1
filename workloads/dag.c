/*
 * dag.c -- the importers' intermediate task graph (dag_internal.h): a
 * string map, building, checking (duplicates, self-dependencies, cycles,
 * connectivity) and the mapping onto a platform as a finalized config.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "soc_util.h"
#include "yaml_internal.h"

/* ------------------------------------------------------------- helpers */

const char *soc__dag_num(char buf[40], double x)
{
    if (isnan(x))
        return "unknown";
    if (x == 0)
        return "0";
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, 40, "%.0f", x);
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

char *soc__file_stem(const char *path)
{
    if (path == NULL)
        return NULL;
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    return soc__strndup(b, n);
}

/* ------------------------------------------------------------- the dag */

void soc__dag_init(soc__dag_t *d, const char *file)
{
    memset(d, 0, sizeof *d);
    d->file = file;
    d->time_default = 1;
    d->bw_default = 1;
}

void soc__dag_free(soc__dag_t *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < d->n; i++) {
        free(d->names[i]);
        free(d->cats[i]);
    }
    free(d->names);
    free(d->cats);
    free(d->cost);
    free(d->raw);
    free(d->line);
    free(d->col);
    free(d->machine);
    free(d->edges);
    free(d->eline);
    free(d->ecol);
    for (int i = 0; i < d->n_mach; i++)
        free(d->mach[i].name);
    free(d->mach);
    free(d->het);
    free(d->name);
    soc__smap_free(&d->index);
    memset(d, 0, sizeof *d);
}

#define GROW(ptr, cap)                                                         \
    do {                                                                       \
        void *np_ = realloc((ptr), sizeof *(ptr) * (size_t)(cap));             \
        if (np_ == NULL)                                                       \
            return -2;                                                         \
        (ptr) = np_;                                                           \
    } while (0)

int soc__dag_add_task(soc__dag_t *d, const char *name, const char *cat, double cost,
                      double raw, int line, int col, int *dup)
{
    if (d->n == d->cap) {
        int nc = d->cap ? 2 * d->cap : 64;
        GROW(d->names, nc);
        GROW(d->cats, nc);
        GROW(d->cost, nc);
        GROW(d->raw, nc);
        GROW(d->line, nc);
        GROW(d->col, nc);
        if (d->machine != NULL)
            GROW(d->machine, nc);
        d->cap = nc;
    }
    int got = soc__smap_put(&d->index, name, d->n);
    if (got == -2)
        return -2;
    if (got != d->n) {
        if (dup != NULL)
            *dup = got;
        return -1;
    }
    int i = d->n;
    d->names[i] = soc__strdup(name);
    d->cats[i] = soc__strdup(cat != NULL && cat[0] ? cat : "task");
    if (d->names[i] == NULL || d->cats[i] == NULL) {
        free(d->names[i]);
        free(d->cats[i]);
        return -2;
    }
    d->cost[i] = cost;
    d->raw[i] = raw;
    d->line[i] = line;
    d->col[i] = col;
    if (d->machine != NULL)
        d->machine[i] = -1;
    d->n++;
    return i;
}

int soc__dag_add_edge(soc__dag_t *d, int src, int dst, double volume, int line, int col)
{
    if (d->ne == d->ecap) {
        int nc = d->ecap ? 2 * d->ecap : 64;
        GROW(d->edges, nc);
        GROW(d->eline, nc);
        GROW(d->ecol, nc);
        d->ecap = nc;
    }
    d->edges[d->ne].src = src;
    d->edges[d->ne].dst = dst;
    d->edges[d->ne].volume = volume;
    d->eline[d->ne] = line;
    d->ecol[d->ne] = col;
    d->ne++;
    return 0;
}

/* ------------------------------------------------------------- checks */

static int oom(soc_error_t *err)
{
    return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

typedef struct ekey {
    int src, dst, idx;
} ekey_t;

static int cmp_edge(const void *x, const void *y)
{
    const ekey_t *a = x, *b = y;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    if (a->dst != b->dst)
        return a->dst < b->dst ? -1 : 1;
    return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

/* Successor CSR of the edges: off[n + 1], adj[ne] = edge indices. */
static int build_succ(const soc__dag_t *d, int **offp, int **adjp)
{
    int *off = calloc((size_t)d->n + 1, sizeof *off);
    int *adj = malloc(sizeof *adj * ((size_t)d->ne + 1));
    if (off == NULL || adj == NULL) {
        free(off);
        free(adj);
        return -1;
    }
    for (int e = 0; e < d->ne; e++)
        off[d->edges[e].src + 1]++;
    for (int i = 0; i < d->n; i++)
        off[i + 1] += off[i];
    int *fill = calloc((size_t)d->n + 1, sizeof *fill);
    if (fill == NULL) {
        free(off);
        free(adj);
        return -1;
    }
    for (int e = 0; e < d->ne; e++) {
        int s = d->edges[e].src;
        adj[off[s] + fill[s]++] = e;
    }
    free(fill);
    *offp = off;
    *adjp = adj;
    return 0;
}

/* Kahn's algorithm: order[] (capacity n) gets a topological order; returns
 * how many tasks it holds (< n: there is a cycle). */
static int topo_order(const soc__dag_t *d, const int *off, const int *adj, int *order,
                      int *indeg)
{
    for (int i = 0; i < d->n; i++)
        indeg[i] = 0;
    for (int e = 0; e < d->ne; e++)
        indeg[d->edges[e].dst]++;
    int head = 0, tail = 0;
    for (int i = 0; i < d->n; i++)
        if (indeg[i] == 0)
            order[tail++] = i;
    while (head < tail) {
        int u = order[head++];
        for (int k = off[u]; k < off[u + 1]; k++) {
            int v = d->edges[adj[k]].dst;
            if (--indeg[v] == 0)
                order[tail++] = v;
        }
    }
    return tail;
}

/* A cycle among the tasks Kahn could not order (indeg > 0): walk forward
 * along edges into such tasks until a task repeats. */
static int report_cycle(const soc__dag_t *d, const int *off, const int *adj, const int *indeg,
                        soc_error_t *err)
{
    int start = -1;
    for (int i = 0; i < d->n && start < 0; i++)
        if (indeg[i] > 0)
            start = i;
    int *seen = malloc(sizeof *seen * (size_t)d->n);
    int *via = malloc(sizeof *via * (size_t)d->n); /* edge taken out of the task */
    if (seen == NULL || via == NULL) {
        free(seen);
        free(via);
        return oom(err);
    }
    for (int i = 0; i < d->n; i++)
        seen[i] = -1;
    int u = start, step = 0;
    while (seen[u] < 0) {
        seen[u] = step++;
        int next = -1;
        for (int k = off[u]; k < off[u + 1] && next < 0; k++)
            if (indeg[d->edges[adj[k]].dst] > 0) {
                next = d->edges[adj[k]].dst;
                via[u] = adj[k];
            }
        if (next < 0) /* cannot happen: every blocked task has a blocked successor path */
            break;
        u = next;
    }
    /* the cycle starts at u */
    soc__buf_t b = {0};
    int v = u, len = 0, close_edge = via[u];
    do {
        if (len < 12)
            soc__buf_printf(&b, "%s -> ", d->names[v]);
        else if (len == 12)
            soc__buf_puts(&b, "... -> ");
        close_edge = via[v];
        v = d->edges[via[v]].dst;
        len++;
    } while (v != u);
    soc__buf_puts(&b, d->names[u]);
    const char *txt = soc__buf_cstr(&b);
    int rc = soc_error_set(err, SOC_ECYCLE, d->file, d->eline[close_edge], d->ecol[close_edge],
                           "the task graph has a cycle: %s", txt ? txt : "?");
    soc__buf_free(&b);
    free(seen);
    free(via);
    return rc;
}

static int uf_find(int *p, int x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* Finish step 1: a dependency of a task on itself is an error (at the edge). */
static int check_self_deps(const soc__dag_t *d, soc_error_t *err)
{
    for (int e = 0; e < d->ne; e++)
        if (d->edges[e].src == d->edges[e].dst)
            return soc_error_set(err, SOC_ECYCLE, d->file, d->eline[e], d->ecol[e],
                                 "task '%s' depends on itself", d->names[d->edges[e].src]);
    return SOC_OK;
}

/* Finish step 2: repeated dependencies (same src, dst).  With merge_dups the
 * earliest edge of each run is kept and the others are dropped in place;
 * without, the first repetition is an error at its position. */
static int drop_duplicates(soc__dag_t *d, int merge_dups, soc_error_t *err)
{
    if (d->ne <= 1)
        return SOC_OK;
    /* sort (src, dst, index) keys */
    ekey_t *ix = malloc(sizeof *ix * (size_t)d->ne);
    char *drop = calloc((size_t)d->ne, 1);
    if (ix == NULL || drop == NULL) {
        free(ix);
        free(drop);
        return oom(err);
    }
    for (int e = 0; e < d->ne; e++)
        ix[e] = (ekey_t){d->edges[e].src, d->edges[e].dst, e};
    qsort(ix, (size_t)d->ne, sizeof *ix, cmp_edge);
    int ndrop = 0;
    for (int k = 1; k < d->ne; k++) {
        if (ix[k - 1].src != ix[k].src || ix[k - 1].dst != ix[k].dst)
            continue;
        if (!merge_dups) {
            /* sorted by (src, dst, index): the first equal pair met is the
             * earliest edge and its first repetition */
            int first = ix[k - 1].idx, again = ix[k].idx;
            int rc = soc_error_set(err, SOC_ECONFIG, d->file, d->eline[again], d->ecol[again],
                                   "the dependency %s -> %s is given twice (first at line %d)",
                                   d->names[ix[k].src], d->names[ix[k].dst], d->eline[first]);
            free(ix);
            free(drop);
            return rc;
        }
        drop[ix[k].idx] = 1; /* keep the earliest of a run */
        ndrop++;
    }
    if (ndrop > 0) {
        int w = 0;
        for (int e = 0; e < d->ne; e++) {
            if (drop[e])
                continue;
            d->edges[w] = d->edges[e];
            d->eline[w] = d->eline[e];
            d->ecol[w] = d->ecol[e];
            w++;
        }
        d->ne = w;
    }
    free(ix);
    free(drop);
    return SOC_OK;
}

/* Finish step 4: weak connectivity (union-find in par[], capacity n).  More
 * than one part: connect == 2 refuses, connect == 1 adds a virtual entry task
 * linked to every source; indeg[] (all 0 after Kahn) is scratch space. */
static int join_parts(soc__dag_t *d, int connect, int *par, int *indeg, soc_error_t *err)
{
    for (int i = 0; i < d->n; i++)
        par[i] = i;
    int comps = d->n;
    for (int e = 0; e < d->ne; e++) {
        int a = uf_find(par, d->edges[e].src), b = uf_find(par, d->edges[e].dst);
        if (a != b) {
            par[a < b ? b : a] = a < b ? a : b;
            comps--;
        }
    }
    if (comps <= 1 || connect == 0)
        return SOC_OK;
    if (connect == 2) {
        int other = -1;
        for (int i = 1; i < d->n && other < 0; i++)
            if (uf_find(par, i) != uf_find(par, 0))
                other = i;
        return soc_error_set(err, SOC_ECONFIG, d->file, d->line[other], d->col[other],
                             "the task graph is not connected (%d parts): task '%s' is not "
                             "linked to task '%s' (without --no-join the parts are kept; "
                             "--join links them with a virtual entry task)",
                             comps, d->names[other], d->names[0]);
    }
    /* sources: no incoming edge (indeg[] is 0 for all after Kahn) */
    for (int e = 0; e < d->ne; e++)
        indeg[d->edges[e].dst]++;
    char nm[64] = "virtual_entry";
    for (int k = 2; soc__smap_get(&d->index, nm) >= 0; k++)
        snprintf(nm, sizeof nm, "virtual_entry_%d", k);
    int n0 = d->n;
    int v = soc__dag_add_task(d, nm, "virtual_entry", 0, 0, 0, 0, NULL);
    if (v < 0)
        return oom(err);
    d->n_virtual = 1;
    for (int i = 0; i < n0; i++)
        if (indeg[i] == 0) {
            if (soc__dag_add_edge(d, v, i, 0, 0, 0) != 0)
                return oom(err);
            d->n_virtual_edges++;
        }
    return SOC_OK;
}

int soc__dag_finish(soc__dag_t *d, int merge_dups, int connect, soc_error_t *err)
{
    if (d->n == 0)
        return soc_error_set(err, SOC_ECONFIG, d->file, 0, 0, "the graph has no tasks");
    int rc = check_self_deps(d, err);
    if (rc == SOC_OK)
        rc = drop_duplicates(d, merge_dups, err);
    if (rc != SOC_OK)
        return rc;
    /* step 3: cycles (Kahn; a task left over lies on or behind a cycle) */
    int *off = NULL, *adj = NULL;
    if (build_succ(d, &off, &adj) != 0)
        return oom(err);
    int *order = malloc(sizeof *order * (size_t)d->n);
    int *indeg = malloc(sizeof *indeg * (size_t)d->n);
    if (order == NULL || indeg == NULL) {
        rc = oom(err);
        goto out;
    }
    if (topo_order(d, off, adj, order, indeg) < d->n) {
        rc = report_cycle(d, off, adj, indeg, err);
        goto out;
    }
    /* step 4: connectivity, reusing order[] as the parent array */
    rc = join_parts(d, connect, order, indeg, err);
out:
    free(off);
    free(adj);
    free(order);
    free(indeg);
    return rc;
}

/* ----------------------------------------------------- platform mapping */

typedef struct cl_spec {
    const char *name;
    const char *kind;
    int count;
    double factor;                  /* NaN = only listed */
    soc__map_cluster_t *map;        /* NULL for machine clusters */
    int mach;                       /* machine index, -1 */
} cl_spec_t;

typedef struct tclass {
    int cat;        /* category id, -1 = virtual */
    int task;       /* first task */
    int count;
    double cost;    /* µs (category mode: mean of the known) */
    double raw;
    double sum;
    int known;
} tclass_t;

/* Index of the entry for a category (first) or a type name, -1. */
static int find_entry(const soc__map_entry_t *v, int n, const char *cat, const char *type)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].key, cat) == 0)
            return i;
    for (int i = 0; type != NULL && i < n; i++)
        if (strcmp(v[i].key, type) == 0)
            return i;
    return -1;
}

static void hexkey(char *buf, size_t size, int cat, double cost)
{
    if (isnan(cost))
        snprintf(buf, size, "%d:nan", cat);
    else
        snprintf(buf, size, "%d:%a", cat, cost);
}

/* Working state of soc__dag_to_config, shared by its steps.  Everything in
 * it is owned by the conversion and freed by tocfg_free, except type_names
 * once the platform took it (the pointer is then NULL here). */
typedef struct tocfg {
    soc__dag_t *d;
    const soc_import_options_t *o;
    const soc_platform_map_t *map;
    int n_map;
    int use_mach;        /* clusters from the graph's machines */
    cl_spec_t *cl;       /* [n_cl] cluster specs (names borrowed) */
    int n_cl;
    double smax;         /* fastest machine (MHz) with --speed-normalize, else 0 */
    soc__smap_t cats;    /* category -> id */
    soc__smap_t keys;    /* type class key -> class */
    soc__smap_t tnames;  /* type name -> class */
    tclass_t *cls;       /* [n_cls] type classes */
    int n_cls;
    int n_cats;
    int *task_cls;       /* [d->n] class of each task */
    char **type_names;   /* [n_cls] until handed to the platform */
    int *used_off;       /* which map entries were used (for the warning): */
    char *used;          /* [k][pass][j] flattened, offsets per map cluster */
    double data_scale;
    soc_error_t *err;
} tocfg_t;

static void tocfg_free(tocfg_t *x)
{
    if (x->type_names != NULL)
        for (int k = 0; k < x->n_cls; k++)
            free(x->type_names[k]);
    free(x->type_names);
    free(x->cls);
    free(x->task_cls);
    free(x->cl);
    free(x->used);
    free(x->used_off);
    soc__smap_free(&x->cats);
    soc__smap_free(&x->keys);
    soc__smap_free(&x->tnames);
}

/* Step 1: the working arrays (cluster specs, task classes, used marks). */
static int tocfg_alloc(tocfg_t *x)
{
    int n_cl = x->n_cl, n_map = x->n_map;
    x->cl = calloc((size_t)(n_cl > 0 ? n_cl : 1), sizeof *x->cl);
    x->task_cls = malloc(sizeof *x->task_cls * (size_t)x->d->n);
    if (x->cl == NULL || x->task_cls == NULL)
        return oom(x->err);
    x->used_off = calloc((size_t)n_map + 1, sizeof *x->used_off);
    if (x->used_off == NULL)
        return oom(x->err);
    for (int k = 0; k < n_map; k++)
        x->used_off[k + 1] = x->used_off[k] + x->map->c[k].n_factors + x->map->c[k].n_exec;
    if ((x->used = calloc((size_t)x->used_off[n_map] + 1, 1)) == NULL)
        return oom(x->err);
    return SOC_OK;
}

/* Step 2: the cluster specs -- the graph's machines (with their speed
 * factors), then the map's clusters, else one default cpu cluster of 4 --
 * and their checks (PE count, unique names). */
static int plan_clusters(tocfg_t *x)
{
    const soc__dag_t *d = x->d;
    const soc_platform_map_t *map = x->map;
    cl_spec_t *cl = x->cl;
    if (x->use_mach) {
        if (x->o->speed_normalize) {
            for (int m = 0; m < d->n_mach; m++) {
                if (!(d->mach[m].speed_mhz > 0))
                    return soc_error_set(x->err, SOC_ECONFIG, d->file, 0, 0,
                                         "--speed-normalize: machine '%s' has no CPU speed",
                                         d->mach[m].name);
                if (d->mach[m].speed_mhz > x->smax)
                    x->smax = d->mach[m].speed_mhz;
            }
        }
        for (int m = 0; m < d->n_mach; m++) {
            cl[m].name = d->mach[m].name;
            cl[m].kind = "cpu";
            cl[m].count = d->mach[m].cores;
            cl[m].factor = x->smax > 0 ? x->smax / d->mach[m].speed_mhz : 1.0;
            cl[m].mach = m;
        }
    }
    for (int k = 0; k < x->n_map; k++) {
        cl_spec_t *c = &cl[(x->use_mach ? d->n_mach : 0) + k];
        c->name = map->c[k].name;
        c->kind = map->c[k].kind;
        c->count = map->c[k].count;
        c->factor = map->c[k].factor;
        c->map = &map->c[k];
        c->mach = -1;
    }
    if (x->n_cl == 0) {
        cl[0].name = "cpu";
        cl[0].kind = "cpu";
        cl[0].count = 4;
        cl[0].factor = 1.0;
        cl[0].mach = -1;
        x->n_cl = 1;
    }
    for (int a = 0; a < x->n_cl; a++) {
        if (cl[a].count < 1 || cl[a].count > SOC_YAML_MAX_PES_PER_CLUSTER)
            return soc_error_set(x->err, SOC_ELIMIT, d->file, 0, 0,
                                 "cluster '%s' would have %d PEs (1 to %d allowed)", cl[a].name,
                                 cl[a].count, SOC_YAML_MAX_PES_PER_CLUSTER);
        for (int b = 0; b < a; b++)
            if (strcmp(cl[a].name, cl[b].name) == 0) {
                int line = cl[a].map ? cl[a].map->line : 0, col = cl[a].map ? cl[a].map->col : 0;
                return soc_error_set(x->err, SOC_ECONFIG,
                                     cl[a].map && map->file ? map->file : NULL, line, col,
                                     "cluster name '%s' is used twice", cl[a].name);
            }
    }
    return SOC_OK;
}

/* Step 3: with --speed-normalize, the reference times measured on each
 * task's machine become times on the fastest machine. */
static void normalize_speeds(tocfg_t *x)
{
    soc__dag_t *d = x->d;
    if (x->use_mach && x->smax > 0 && d->machine != NULL)
        for (int i = 0; i < d->n; i++) {
            int m = d->machine[i];
            if (m >= 0 && !isnan(d->cost[i])) {
                d->cost[i] *= d->mach[m].speed_mhz / x->smax;
                d->raw[i] *= d->mach[m].speed_mhz / x->smax;
            }
        }
}

/* Step 4: categories and type classes -- a class per category (category
 * mode: mean of the known costs), per (category, cost), or per task with a
 * heterogeneity matrix; the virtual entry is a class of its own. */
static int classify_tasks(tocfg_t *x)
{
    const soc__dag_t *d = x->d;
    int n_real = d->n - d->n_virtual;
    for (int i = 0; i < d->n; i++) {
        char key[96];
        int cat = -1;
        if (i < n_real) {
            cat = soc__smap_put(&x->cats, d->cats[i], x->n_cats);
            if (cat == -2)
                return oom(x->err);
            if (cat == x->n_cats)
                x->n_cats++;
        }
        if (cat < 0)
            snprintf(key, sizeof key, "virtual");
        else if (d->het != NULL)
            snprintf(key, sizeof key, "task:%d", i);
        else if (x->o->types == SOC_IMPORT_TYPES_CATEGORY)
            snprintf(key, sizeof key, "%d", cat);
        else
            hexkey(key, sizeof key, cat, d->cost[i]);
        int n_cls = x->n_cls;
        int k = soc__smap_put(&x->keys, key, n_cls);
        if (k == -2)
            return oom(x->err);
        if (k == n_cls) {
            if ((n_cls & (n_cls - 1)) == 0) {
                tclass_t *nc = realloc(x->cls, sizeof *nc * (size_t)(n_cls ? 2 * n_cls : 1));
                if (nc == NULL)
                    return oom(x->err);
                x->cls = nc;
            }
            tclass_t *c = &x->cls[n_cls];
            memset(c, 0, sizeof *c);
            c->cat = cat;
            c->task = i;
            c->cost = d->cost[i];
            c->raw = d->raw[i];
            x->n_cls++;
        }
        x->task_cls[i] = k;
        x->cls[k].count++;
        if (!isnan(d->cost[i])) {
            x->cls[k].sum += d->cost[i];
            x->cls[k].known++;
        }
    }
    if (x->o->types == SOC_IMPORT_TYPES_CATEGORY && d->het == NULL)
        for (int k = 0; k < x->n_cls; k++)
            x->cls[k].cost = x->cls[k].known > 0 ? x->cls[k].sum / x->cls[k].known : NAN;
    return SOC_OK;
}

/* Step 5: type names -- the category, or category@cost when a category has
 * several classes, or the task's name (heterogeneity matrix); "~2", "~3" ...
 * make them unique. */
static int name_types(tocfg_t *x)
{
    const soc__dag_t *d = x->d;
    int rc = SOC_OK;
    int *per_cat = calloc((size_t)x->n_cats + 1, sizeof *per_cat);
    /* (the guard only tells the compiler that n_cls, a count, is not negative) */
    x->type_names = calloc((size_t)(x->n_cls > 0 ? x->n_cls : 0), sizeof *x->type_names);
    if (per_cat == NULL || x->type_names == NULL) {
        free(per_cat);
        return oom(x->err);
    }
    for (int k = 0; k < x->n_cls; k++)
        if (x->cls[k].cat >= 0)
            per_cat[x->cls[k].cat]++;
    for (int k = 0; k < x->n_cls && rc == SOC_OK; k++) {
        const tclass_t *c = &x->cls[k];
        char buf[40];
        soc__buf_t b = {0};
        if (c->cat < 0)
            soc__buf_puts(&b, d->cats[c->task]);
        else if (d->het != NULL)
            soc__buf_puts(&b, d->names[c->task]);
        else if (per_cat[c->cat] == 1 || x->o->types == SOC_IMPORT_TYPES_CATEGORY)
            soc__buf_puts(&b, d->cats[c->task]);
        else
            soc__buf_printf(&b, "%s@%s", d->cats[c->task], soc__dag_num(buf, c->raw));
        size_t base = b.n;
        for (int s = 2; b.d != NULL && soc__smap_get(&x->tnames, soc__buf_cstr(&b)) >= 0; s++) {
            b.n = base;
            soc__buf_printf(&b, "~%d", s);
        }
        x->type_names[k] = soc__buf_take(&b);
        if (x->type_names[k] == NULL || soc__smap_put(&x->tnames, x->type_names[k], k) == -2)
            rc = oom(x->err);
    }
    free(per_cat);
    return rc;
}

/* One cell of the execution-time table: type class k (named tn) on cluster
 * c.  An explicit exec_us of the map wins, else the class's cost times the
 * cluster's (or the map entry's) factor (and the heterogeneity column);
 * -1 = cannot run there.  Marks the map entries used. */
static int exec_time(tocfg_t *x, int c, int k, const char *tn, double *out)
{
    const soc__dag_t *d = x->d;
    const tclass_t *tc = &x->cls[k];
    const char *cat = d->cats[tc->task];
    const soc__map_cluster_t *mc = x->cl[c].map;
    int ex = -1, fe = -1;
    char *uf = NULL, *ue = NULL;
    if (mc != NULL) {
        uf = x->used + x->used_off[mc - x->map->c];
        ue = uf + mc->n_factors;
        ex = find_entry(mc->exec, mc->n_exec, cat, tn);
        fe = find_entry(mc->factors, mc->n_factors, cat, tn);
        if (ex >= 0)
            ue[ex] = 1;
        if (fe >= 0)
            uf[fe] = 1;
    }
    double t;
    if (ex >= 0) {
        t = isnan(mc->exec[ex].value) ? -1 : mc->exec[ex].value;
    } else {
        double f = x->cl[c].factor;
        if (fe >= 0)
            f = mc->factors[fe].value;
        if (isnan(f)) {
            t = -1;
        } else if (isnan(tc->cost)) {
            int ti = tc->task;
            return soc_error_set(x->err, SOC_ECONFIG, d->file, d->line[ti], d->col[ti],
                                 "task '%s' has no %s, and cluster '%s' gives no exec_us "
                                 "for its category '%s'",
                                 d->names[ti], d->cost_word ? d->cost_word : "cost",
                                 x->cl[c].name, cat);
        } else {
            t = tc->cost * f;
            if (d->het != NULL)
                t *= d->het[(size_t)tc->task * (size_t)d->n_het +
                            (size_t)(c < d->n_het ? c : d->n_het - 1)];
        }
    }
    if (t > SOC_YAML_MAX_US || isinf(t)) {
        int ti = tc->task;
        char b1[40];
        return soc_error_set(x->err, SOC_ELIMIT, d->file, d->line[ti], d->col[ti],
                             "task '%s' would take %s µs on cluster '%s', more than the "
                             "limit of 1e12 µs (scale times down with --time-scale)",
                             d->names[ti], soc__dag_num(b1, t), x->cl[c].name);
    }
    *out = t;
    return SOC_OK;
}

/* Step 6: the platform's types (takes type_names) and clusters with their
 * execution times; every type must run on some cluster. */
static int build_clusters(tocfg_t *x, soc_platform_t *p)
{
    const soc__dag_t *d = x->d;
    int n_cl = x->n_cl, n_cls = x->n_cls;
    p->n_types = n_cls;
    p->type_names = x->type_names;
    x->type_names = NULL;
    p->n_clusters = n_cl;
    if ((p->clusters = calloc((size_t)n_cl, sizeof *p->clusters)) == NULL)
        return oom(x->err);
    for (int c = 0; c < n_cl; c++) {
        soc_cluster_t *pc = &p->clusters[c];
        pc->name = soc__strdup(x->cl[c].name);
        pc->kind = x->cl[c].kind ? soc__strdup(x->cl[c].kind) : NULL;
        pc->count = x->cl[c].count;
        pc->exec_us = malloc(sizeof(double) * (size_t)n_cls);
        if (pc->name == NULL || (x->cl[c].kind && pc->kind == NULL) || pc->exec_us == NULL)
            return oom(x->err);
        for (int k = 0; k < n_cls; k++) {
            if (x->cls[k].cat < 0) {
                pc->exec_us[k] = 0; /* the virtual entry runs anywhere in no time */
                continue;
            }
            int rc = exec_time(x, c, k, p->type_names[k], &pc->exec_us[k]);
            if (rc != SOC_OK)
                return rc;
        }
    }
    for (int k = 0; k < n_cls; k++) {
        int ok = 0;
        for (int c = 0; c < n_cl && !ok; c++)
            ok = p->clusters[c].exec_us[k] >= 0;
        if (!ok) {
            int ti = x->cls[k].task;
            return soc_error_set(x->err, SOC_ECONFIG, d->file, d->line[ti], d->col[ti],
                                 "task '%s' (type '%s', category '%s') can run on no cluster "
                                 "of the platform map",
                                 d->names[ti], p->type_names[k], d->cats[ti]);
        }
    }
    return SOC_OK;
}

/* Step 7: communication -- the graph's default bandwidth, then the map's
 * (default, self, latency, per cluster pair), then the options. */
static int set_comm(tocfg_t *x, soc_platform_t *p)
{
    const soc_platform_map_t *map = x->map;
    int n_cl = x->n_cl;
    p->bw_self = 0;
    p->bw_default = x->d->bw_default;
    p->latency_us = 0;
    p->comm_mode = SOC_COMM_PE_TO_PE;
    p->memory_cluster = -1;
    if (map != NULL) {
        if (map->bw_default > 0)
            p->bw_default = map->bw_default;
        if (!isnan(map->bw_self))
            p->bw_self = map->bw_self;
        if (!isnan(map->latency_us))
            p->latency_us = map->latency_us;
        if (map->n_pairs > 0) {
            if ((p->bw = calloc((size_t)n_cl * (size_t)n_cl, sizeof *p->bw)) == NULL)
                return oom(x->err);
            for (int k = 0; k < map->n_pairs; k++) {
                const soc__map_pair_t *pr = &map->pairs[k];
                int a = -1, b = -1;
                for (int c = 0; c < n_cl; c++) {
                    if (strcmp(x->cl[c].name, pr->a) == 0)
                        a = c;
                    if (strcmp(x->cl[c].name, pr->b) == 0)
                        b = c;
                }
                if (a < 0 || b < 0)
                    return soc_error_set(x->err, SOC_ECONFIG, map->file, pr->line, pr->col,
                                         "bandwidth: no cluster named '%s'",
                                         a < 0 ? pr->a : pr->b);
                p->bw[a * n_cl + b] = p->bw[b * n_cl + a] = pr->bw;
            }
        }
    }
    if (x->o->bandwidth > 0)
        p->bw_default = x->o->bandwidth;
    if (x->o->latency_us >= 0)
        p->latency_us = x->o->latency_us;
    return SOC_OK;
}

/* Step 8: the names of the config and its platform -- the option, the
 * graph's own name, the file's stem, or "imported". */
static int name_config(tocfg_t *x, soc_config_t *cfg)
{
    char *stem = NULL;
    const char *an = x->o->name;
    if (an == NULL || an[0] == '\0')
        an = x->d->name;
    if (an == NULL || an[0] == '\0')
        an = stem = soc__file_stem(x->d->file);
    if (an == NULL || an[0] == '\0')
        an = "imported";
    cfg->name = soc__strdup(an);
    soc__buf_t pn = {0};
    soc__buf_printf(&pn, "%s_platform", an);
    cfg->platform.name = soc__buf_take(&pn);
    free(stem);
    if (cfg->name == NULL || cfg->platform.name == NULL)
        return oom(x->err);
    return SOC_OK;
}

/* Step 9: the one application (tasks with their types, edges with scaled
 * volumes) and its workload: one job at t = 0, scheduled by heft. */
static int build_app(tocfg_t *x, soc_config_t *cfg)
{
    const soc__dag_t *d = x->d;
    if ((cfg->apps = calloc(1, sizeof *cfg->apps)) == NULL)
        return oom(x->err);
    cfg->n_apps = 1;
    soc_app_t *a = &cfg->apps[0];
    a->head = a->tail = -1;
    a->probability = 1.0;
    if ((a->name = soc__strdup(cfg->name)) == NULL)
        return oom(x->err);
    if ((a->tasks = calloc((size_t)d->n, sizeof *a->tasks)) == NULL)
        return oom(x->err);
    a->n_tasks = d->n;
    for (int i = 0; i < d->n; i++) {
        if ((a->tasks[i].name = soc__strdup(d->names[i])) == NULL)
            return oom(x->err);
        a->tasks[i].type = x->task_cls[i];
    }
    if (d->ne > 0 && (a->edges = malloc(sizeof *a->edges * (size_t)d->ne)) == NULL)
        return oom(x->err);
    a->n_edges = d->ne;
    for (int e = 0; e < d->ne; e++) {
        a->edges[e] = d->edges[e];
        double v = d->edges[e].volume * x->data_scale;
        if (!(v <= SOC_YAML_MAX_VOLUME)) {
            char b1[40];
            return soc_error_set(x->err, SOC_ELIMIT, d->file, d->eline[e], d->ecol[e],
                                 "the data volume of %s -> %s would be %s, more than the limit "
                                 "of 1e15 (scale it down with --data-scale)",
                                 d->names[d->edges[e].src], d->names[d->edges[e].dst],
                                 soc__dag_num(b1, v));
        }
        a->edges[e].volume = v;
    }
    /* one job at t = 0 */
    cfg->injection.kind = SOC_ARRIVAL_TRACE;
    cfg->injection.n_times = 1;
    if ((cfg->injection.times_us = calloc(1, sizeof(double))) == NULL)
        return oom(x->err);
    if ((cfg->scheduler = soc__strdup("heft")) == NULL)
        return oom(x->err);
    if (d->file != NULL && (cfg->source = soc__strdup(d->file)) == NULL)
        return oom(x->err);
    return SOC_OK;
}

/* The first map entry (factor or exec_us) that matched no category or type
 * of the graph goes into stats->map_warning. */
static void warn_unused_map(const tocfg_t *x, soc_import_stats_t *stats)
{
    const soc_platform_map_t *map = x->map;
    for (int k = 0; map != NULL && k < map->n && !stats->map_warning[0]; k++) {
        const soc__map_cluster_t *mc = &map->c[k];
        for (int pass = 0; pass < 2 && !stats->map_warning[0]; pass++) {
            const soc__map_entry_t *v = pass ? mc->exec : mc->factors;
            int nv = pass ? mc->n_exec : mc->n_factors;
            const char *u = x->used + x->used_off[k] + (pass ? mc->n_factors : 0);
            for (int j = 0; j < nv; j++)
                if (!u[j]) {
                    snprintf(stats->map_warning, sizeof stats->map_warning,
                             "%s:%d:%d: cluster '%s': '%s' is neither a category nor a "
                             "type of this graph",
                             map->file ? map->file : "map", v[j].line, v[j].col, mc->name,
                             v[j].key);
                    break;
                }
        }
    }
}

/* Step 10 (after finalize, which gives the topological order): the import
 * statistics -- counts, totals, the critical path on reference times, the
 * unused-map warning. */
static int fill_stats(const tocfg_t *x, const soc_app_t *a, soc_import_stats_t *stats)
{
    const soc__dag_t *d = x->d;
    memset(stats, 0, sizeof *stats);
    stats->n_tasks = d->n;
    stats->n_edges = d->ne;
    stats->n_virtual = d->n_virtual;
    stats->n_virtual_edges = d->n_virtual_edges;
    stats->n_types = x->n_cls;
    stats->n_categories = x->n_cats;
    stats->n_clusters = x->n_cl;
    stats->n_machines = d->n_mach;
    stats->input_volume = d->input_volume * x->data_scale;
    snprintf(stats->version, sizeof stats->version, "%s", d->version);
    double *fin = calloc((size_t)d->n, sizeof *fin);
    if (fin == NULL)
        return oom(x->err);
    for (int i = 0; i < d->n; i++) {
        if (isnan(d->cost[i]))
            stats->n_unknown_cost++;
        else
            stats->total_ref_us += d->cost[i];
    }
    for (int e = 0; e < a->n_edges; e++)
        stats->total_volume += a->edges[e].volume;
    for (int k = 0; k < a->n_tasks; k++) {
        int i = a->topo[k];
        double start = 0;
        for (int q = a->pred_off[i]; q < a->pred_off[i + 1]; q++) {
            double f = fin[a->edges[a->pred_edge[q]].src];
            if (f > start)
                start = f;
        }
        fin[i] = start + (isnan(d->cost[i]) ? 0 : d->cost[i]);
        if (fin[i] > stats->critical_path_us)
            stats->critical_path_us = fin[i];
    }
    free(fin);
    warn_unused_map(x, stats);
    return SOC_OK;
}

int soc__dag_to_config(soc__dag_t *d, const soc_import_options_t *o, soc_config_t *cfg,
                       soc_import_stats_t *stats, soc_error_t *err)
{
    soc_config_init(cfg);
    tocfg_t x = {.d = d, .o = o, .map = o->map, .err = err};
    x.n_map = x.map != NULL ? x.map->n : 0;
    x.use_mach = d->n_mach > 0 && (o->machines == 1 || (o->machines == 0 && x.n_map == 0));
    x.n_cl = (x.use_mach ? d->n_mach : 0) + x.n_map;
    x.data_scale = o->data_scale >= 0 ? o->data_scale : 1;
    int rc;
    if ((rc = tocfg_alloc(&x)) != SOC_OK || (rc = plan_clusters(&x)) != SOC_OK)
        goto fail;
    normalize_speeds(&x);
    if ((rc = classify_tasks(&x)) != SOC_OK || (rc = name_types(&x)) != SOC_OK ||
        (rc = build_clusters(&x, &cfg->platform)) != SOC_OK ||
        (rc = set_comm(&x, &cfg->platform)) != SOC_OK || (rc = name_config(&x, cfg)) != SOC_OK ||
        (rc = build_app(&x, cfg)) != SOC_OK || (rc = soc_config_finalize(cfg, err)) != SOC_OK)
        goto fail;
    if (stats != NULL && (rc = fill_stats(&x, &cfg->apps[0], stats)) != SOC_OK)
        goto fail;
    goto done;
fail:
    soc_config_free(cfg);
done:
    tocfg_free(&x);
    return rc;
}
