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

int soc__dag_finish(soc__dag_t *d, int merge_dups, int connect, soc_error_t *err)
{
    if (d->n == 0)
        return soc_error_set(err, SOC_ECONFIG, d->file, 0, 0, "the graph has no tasks");
    for (int e = 0; e < d->ne; e++)
        if (d->edges[e].src == d->edges[e].dst)
            return soc_error_set(err, SOC_ECYCLE, d->file, d->eline[e], d->ecol[e],
                                 "task '%s' depends on itself", d->names[d->edges[e].src]);
    /* duplicates: sort (src, dst, index) keys */
    if (d->ne > 1) {
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
    }
    /* cycles */
    int *off = NULL, *adj = NULL;
    if (build_succ(d, &off, &adj) != 0)
        return oom(err);
    int *order = malloc(sizeof *order * (size_t)d->n);
    int *indeg = malloc(sizeof *indeg * (size_t)d->n);
    int rc = SOC_OK;
    if (order == NULL || indeg == NULL) {
        rc = oom(err);
        goto out;
    }
    if (topo_order(d, off, adj, order, indeg) < d->n) {
        rc = report_cycle(d, off, adj, indeg, err);
        goto out;
    }
    /* weak connectivity (union-find, reusing order[] as the parent array) */
    int *par = order;
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
    if (comps > 1 && connect != 0) {
        if (connect == 2) {
            int other = -1;
            for (int i = 1; i < d->n && other < 0; i++)
                if (uf_find(par, i) != uf_find(par, 0))
                    other = i;
            rc = soc_error_set(err, SOC_ECONFIG, d->file, d->line[other], d->col[other],
                               "the task graph is not connected (%d parts): task '%s' is not "
                               "linked to task '%s' (without --no-join the parts are kept; "
                               "--join links them with a virtual entry task)",
                               comps, d->names[other], d->names[0]);
            goto out;
        }
        /* sources: no incoming edge (indeg[] is 0 for all after Kahn) */
        for (int e = 0; e < d->ne; e++)
            indeg[d->edges[e].dst]++;
        char nm[64] = "virtual_entry";
        for (int k = 2; soc__smap_get(&d->index, nm) >= 0; k++)
            snprintf(nm, sizeof nm, "virtual_entry_%d", k);
        int n0 = d->n;
        int v = soc__dag_add_task(d, nm, "virtual_entry", 0, 0, 0, 0, NULL);
        if (v < 0) {
            rc = oom(err);
            goto out;
        }
        d->n_virtual = 1;
        for (int i = 0; i < n0; i++)
            if (indeg[i] == 0) {
                if (soc__dag_add_edge(d, v, i, 0, 0, 0) != 0) {
                    rc = oom(err);
                    goto out;
                }
                d->n_virtual_edges++;
            }
    }
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

int soc__dag_to_config(soc__dag_t *d, const soc_import_options_t *o, soc_config_t *cfg,
                       soc_import_stats_t *stats, soc_error_t *err)
{
    soc_config_init(cfg);
    const soc_platform_map_t *map = o->map;
    int n_map = map != NULL ? map->n : 0;
    int use_mach = d->n_mach > 0 && (o->machines == 1 || (o->machines == 0 && n_map == 0));
    int n_cl = (use_mach ? d->n_mach : 0) + n_map;
    int rc = SOC_OK;
    cl_spec_t *cl = calloc((size_t)(n_cl > 0 ? n_cl : 1), sizeof *cl);
    soc__smap_t cats = {0}, keys = {0}, tnames = {0};
    tclass_t *cls = NULL;
    int *task_cls = malloc(sizeof *task_cls * (size_t)d->n);
    int n_cls = 0;
    char **type_names = NULL;
    int n_cats = 0;
    double smax = 0;
    int *used_off = NULL;
    char *used = NULL;
    if (cl == NULL || task_cls == NULL)
        goto nomem;
    /* which map entries were used (for the warning): [k][pass][j] flattened */
    used_off = calloc((size_t)n_map + 1, sizeof *used_off);
    if (used_off == NULL)
        goto nomem;
    for (int k = 0; k < n_map; k++)
        used_off[k + 1] = used_off[k] + map->c[k].n_factors + map->c[k].n_exec;
    if ((used = calloc((size_t)used_off[n_map] + 1, 1)) == NULL)
        goto nomem;
    /* ---- clusters */
    if (use_mach) {
        if (o->speed_normalize) {
            for (int m = 0; m < d->n_mach; m++) {
                if (!(d->mach[m].speed_mhz > 0)) {
                    rc = soc_error_set(err, SOC_ECONFIG, d->file, 0, 0,
                                       "--speed-normalize: machine '%s' has no CPU speed",
                                       d->mach[m].name);
                    goto fail;
                }
                if (d->mach[m].speed_mhz > smax)
                    smax = d->mach[m].speed_mhz;
            }
        }
        for (int m = 0; m < d->n_mach; m++) {
            cl[m].name = d->mach[m].name;
            cl[m].kind = "cpu";
            cl[m].count = d->mach[m].cores;
            cl[m].factor = smax > 0 ? smax / d->mach[m].speed_mhz : 1.0;
            cl[m].mach = m;
        }
    }
    for (int k = 0; k < n_map; k++) {
        cl_spec_t *c = &cl[(use_mach ? d->n_mach : 0) + k];
        c->name = map->c[k].name;
        c->kind = map->c[k].kind;
        c->count = map->c[k].count;
        c->factor = map->c[k].factor;
        c->map = &map->c[k];
        c->mach = -1;
    }
    if (n_cl == 0) {
        cl[0].name = "cpu";
        cl[0].kind = "cpu";
        cl[0].count = 4;
        cl[0].factor = 1.0;
        cl[0].mach = -1;
        n_cl = 1;
    }
    for (int a = 0; a < n_cl; a++) {
        if (cl[a].count < 1 || cl[a].count > SOC_YAML_MAX_PES_PER_CLUSTER) {
            rc = soc_error_set(err, SOC_ELIMIT, d->file, 0, 0,
                               "cluster '%s' would have %d PEs (1 to %d allowed)", cl[a].name,
                               cl[a].count, SOC_YAML_MAX_PES_PER_CLUSTER);
            goto fail;
        }
        for (int b = 0; b < a; b++)
            if (strcmp(cl[a].name, cl[b].name) == 0) {
                int line = cl[a].map ? cl[a].map->line : 0, col = cl[a].map ? cl[a].map->col : 0;
                rc = soc_error_set(err, SOC_ECONFIG, cl[a].map && map->file ? map->file : NULL,
                                   line, col, "cluster name '%s' is used twice", cl[a].name);
                goto fail;
            }
    }
    /* ---- speed normalisation of the reference times */
    if (use_mach && smax > 0 && d->machine != NULL)
        for (int i = 0; i < d->n; i++) {
            int m = d->machine[i];
            if (m >= 0 && !isnan(d->cost[i])) {
                d->cost[i] *= d->mach[m].speed_mhz / smax;
                d->raw[i] *= d->mach[m].speed_mhz / smax;
            }
        }
    /* ---- categories and type classes */
    int n_real = d->n - d->n_virtual;
    for (int i = 0; i < d->n; i++) {
        char key[96];
        int cat = -1;
        if (i < n_real) {
            cat = soc__smap_put(&cats, d->cats[i], n_cats);
            if (cat == -2)
                goto nomem;
            if (cat == n_cats)
                n_cats++;
        }
        if (cat < 0)
            snprintf(key, sizeof key, "virtual");
        else if (d->het != NULL)
            snprintf(key, sizeof key, "task:%d", i);
        else if (o->types == SOC_IMPORT_TYPES_CATEGORY)
            snprintf(key, sizeof key, "%d", cat);
        else
            hexkey(key, sizeof key, cat, d->cost[i]);
        int k = soc__smap_put(&keys, key, n_cls);
        if (k == -2)
            goto nomem;
        if (k == n_cls) {
            if ((n_cls & (n_cls - 1)) == 0) {
                tclass_t *nc = realloc(cls, sizeof *nc * (size_t)(n_cls ? 2 * n_cls : 1));
                if (nc == NULL)
                    goto nomem;
                cls = nc;
            }
            memset(&cls[n_cls], 0, sizeof cls[n_cls]);
            cls[n_cls].cat = cat;
            cls[n_cls].task = i;
            cls[n_cls].cost = d->cost[i];
            cls[n_cls].raw = d->raw[i];
            n_cls++;
        }
        task_cls[i] = k;
        cls[k].count++;
        if (!isnan(d->cost[i])) {
            cls[k].sum += d->cost[i];
            cls[k].known++;
        }
    }
    if (o->types == SOC_IMPORT_TYPES_CATEGORY && d->het == NULL)
        for (int k = 0; k < n_cls; k++)
            cls[k].cost = cls[k].known > 0 ? cls[k].sum / cls[k].known : NAN;
    /* ---- type names */
    {
        int *per_cat = calloc((size_t)n_cats + 1, sizeof *per_cat);
        type_names = calloc((size_t)n_cls, sizeof *type_names);
        if (per_cat == NULL || type_names == NULL) {
            free(per_cat);
            goto nomem;
        }
        for (int k = 0; k < n_cls; k++)
            if (cls[k].cat >= 0)
                per_cat[cls[k].cat]++;
        for (int k = 0; k < n_cls && rc == SOC_OK; k++) {
            const tclass_t *c = &cls[k];
            char buf[40];
            soc__buf_t b = {0};
            if (c->cat < 0)
                soc__buf_puts(&b, d->cats[c->task]);
            else if (d->het != NULL)
                soc__buf_puts(&b, d->names[c->task]);
            else if (per_cat[c->cat] == 1 || o->types == SOC_IMPORT_TYPES_CATEGORY)
                soc__buf_puts(&b, d->cats[c->task]);
            else
                soc__buf_printf(&b, "%s@%s", d->cats[c->task], soc__dag_num(buf, c->raw));
            size_t base = b.n;
            for (int s = 2; b.d != NULL && soc__smap_get(&tnames, soc__buf_cstr(&b)) >= 0; s++) {
                b.n = base;
                soc__buf_printf(&b, "~%d", s);
            }
            type_names[k] = soc__buf_take(&b);
            if (type_names[k] == NULL || soc__smap_put(&tnames, type_names[k], k) == -2)
                rc = oom(err);
        }
        free(per_cat);
        if (rc != SOC_OK)
            goto fail;
    }
    /* ---- the platform */
    soc_platform_t *p = &cfg->platform;
    p->n_types = n_cls;
    p->type_names = type_names;
    type_names = NULL;
    p->n_clusters = n_cl;
    if ((p->clusters = calloc((size_t)n_cl, sizeof *p->clusters)) == NULL)
        goto nomem;
    for (int c = 0; c < n_cl; c++) {
        soc_cluster_t *pc = &p->clusters[c];
        pc->name = soc__strdup(cl[c].name);
        pc->kind = cl[c].kind ? soc__strdup(cl[c].kind) : NULL;
        pc->count = cl[c].count;
        pc->exec_us = malloc(sizeof(double) * (size_t)n_cls);
        if (pc->name == NULL || (cl[c].kind && pc->kind == NULL) || pc->exec_us == NULL)
            goto nomem;
        for (int k = 0; k < n_cls; k++) {
            const tclass_t *tc = &cls[k];
            if (tc->cat < 0) {
                pc->exec_us[k] = 0; /* the virtual entry runs anywhere in no time */
                continue;
            }
            const char *cat = d->cats[tc->task], *tn = p->type_names[k];
            const soc__map_cluster_t *mc = cl[c].map;
            int ex = -1, fe = -1;
            char *uf = NULL, *ue = NULL;
            if (mc != NULL) {
                uf = used + used_off[mc - map->c];
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
                double f = cl[c].factor;
                if (fe >= 0)
                    f = mc->factors[fe].value;
                if (isnan(f)) {
                    t = -1;
                } else if (isnan(tc->cost)) {
                    int ti = tc->task;
                    rc = soc_error_set(err, SOC_ECONFIG, d->file, d->line[ti], d->col[ti],
                                       "task '%s' has no %s, and cluster '%s' gives no exec_us "
                                       "for its category '%s'",
                                       d->names[ti], d->cost_word ? d->cost_word : "cost",
                                       cl[c].name, cat);
                    goto fail;
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
                rc = soc_error_set(err, SOC_ELIMIT, d->file, d->line[ti], d->col[ti],
                                   "task '%s' would take %s µs on cluster '%s', more than the "
                                   "limit of 1e12 µs (scale times down with --time-scale)",
                                   d->names[ti], soc__dag_num(b1, t), cl[c].name);
                goto fail;
            }
            pc->exec_us[k] = t;
        }
    }
    for (int k = 0; k < n_cls; k++) {
        int ok = 0;
        for (int c = 0; c < n_cl && !ok; c++)
            ok = p->clusters[c].exec_us[k] >= 0;
        if (!ok) {
            int ti = cls[k].task;
            rc = soc_error_set(err, SOC_ECONFIG, d->file, d->line[ti], d->col[ti],
                               "task '%s' (type '%s', category '%s') can run on no cluster of "
                               "the platform map",
                               d->names[ti], p->type_names[k], d->cats[ti]);
            goto fail;
        }
    }
    /* communication */
    p->bw_self = 0;
    p->bw_default = d->bw_default;
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
                goto nomem;
            for (int k = 0; k < map->n_pairs; k++) {
                const soc__map_pair_t *pr = &map->pairs[k];
                int a = -1, b = -1;
                for (int c = 0; c < n_cl; c++) {
                    if (strcmp(cl[c].name, pr->a) == 0)
                        a = c;
                    if (strcmp(cl[c].name, pr->b) == 0)
                        b = c;
                }
                if (a < 0 || b < 0) {
                    rc = soc_error_set(err, SOC_ECONFIG, map->file, pr->line, pr->col,
                                       "bandwidth: no cluster named '%s'", a < 0 ? pr->a : pr->b);
                    goto fail;
                }
                p->bw[a * n_cl + b] = p->bw[b * n_cl + a] = pr->bw;
            }
        }
    }
    if (o->bandwidth > 0)
        p->bw_default = o->bandwidth;
    if (o->latency_us >= 0)
        p->latency_us = o->latency_us;
    /* ---- the application */
    {
        char *stem = NULL;
        const char *an = o->name;
        if (an == NULL || an[0] == '\0')
            an = d->name;
        if (an == NULL || an[0] == '\0')
            an = stem = soc__file_stem(d->file);
        if (an == NULL || an[0] == '\0')
            an = "imported";
        cfg->name = soc__strdup(an);
        soc__buf_t pn = {0};
        soc__buf_printf(&pn, "%s_platform", an);
        p->name = soc__buf_take(&pn);
        free(stem);
        if (cfg->name == NULL || p->name == NULL)
            goto nomem;
    }
    if ((cfg->apps = calloc(1, sizeof *cfg->apps)) == NULL)
        goto nomem;
    cfg->n_apps = 1;
    soc_app_t *a = &cfg->apps[0];
    a->head = a->tail = -1;
    a->probability = 1.0;
    if ((a->name = soc__strdup(cfg->name)) == NULL)
        goto nomem;
    if ((a->tasks = calloc((size_t)d->n, sizeof *a->tasks)) == NULL)
        goto nomem;
    a->n_tasks = d->n;
    for (int i = 0; i < d->n; i++) {
        if ((a->tasks[i].name = soc__strdup(d->names[i])) == NULL)
            goto nomem;
        a->tasks[i].type = task_cls[i];
    }
    if (d->ne > 0 && (a->edges = malloc(sizeof *a->edges * (size_t)d->ne)) == NULL)
        goto nomem;
    a->n_edges = d->ne;
    double data_scale = o->data_scale >= 0 ? o->data_scale : 1;
    for (int e = 0; e < d->ne; e++) {
        a->edges[e] = d->edges[e];
        double v = d->edges[e].volume * data_scale;
        if (!(v <= SOC_YAML_MAX_VOLUME)) {
            char b1[40];
            rc = soc_error_set(err, SOC_ELIMIT, d->file, d->eline[e], d->ecol[e],
                               "the data volume of %s -> %s would be %s, more than the limit of "
                               "1e15 (scale it down with --data-scale)",
                               d->names[d->edges[e].src], d->names[d->edges[e].dst],
                               soc__dag_num(b1, v));
            goto fail;
        }
        a->edges[e].volume = v;
    }
    /* one job at t = 0 */
    cfg->injection.kind = SOC_ARRIVAL_TRACE;
    cfg->injection.n_times = 1;
    if ((cfg->injection.times_us = calloc(1, sizeof(double))) == NULL)
        goto nomem;
    if ((cfg->scheduler = soc__strdup("heft")) == NULL)
        goto nomem;
    if (d->file != NULL && (cfg->source = soc__strdup(d->file)) == NULL)
        goto nomem;
    if ((rc = soc_config_finalize(cfg, err)) != SOC_OK)
        goto fail;
    /* ---- statistics */
    if (stats != NULL) {
        memset(stats, 0, sizeof *stats);
        stats->n_tasks = d->n;
        stats->n_edges = d->ne;
        stats->n_virtual = d->n_virtual;
        stats->n_virtual_edges = d->n_virtual_edges;
        stats->n_types = n_cls;
        stats->n_categories = n_cats;
        stats->n_clusters = n_cl;
        stats->n_machines = d->n_mach;
        stats->input_volume = d->input_volume * data_scale;
        snprintf(stats->version, sizeof stats->version, "%s", d->version);
        double *fin = calloc((size_t)d->n, sizeof *fin);
        if (fin == NULL)
            goto nomem;
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
        for (int k = 0; map != NULL && k < map->n && !stats->map_warning[0]; k++) {
            const soc__map_cluster_t *mc = &map->c[k];
            for (int pass = 0; pass < 2 && !stats->map_warning[0]; pass++) {
                const soc__map_entry_t *v = pass ? mc->exec : mc->factors;
                int nv = pass ? mc->n_exec : mc->n_factors;
                const char *u = used + used_off[k] + (pass ? mc->n_factors : 0);
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
    goto done;
nomem:
    rc = oom(err);
fail:
    soc_config_free(cfg);
done:
    if (type_names != NULL)
        for (int k = 0; k < n_cls; k++)
            free(type_names[k]);
    free(type_names);
    free(cls);
    free(task_cls);
    free(cl);
    free(used);
    free(used_off);
    soc__smap_free(&cats);
    soc__smap_free(&keys);
    soc__smap_free(&tnames);
    return rc;
}
