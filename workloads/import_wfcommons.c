/*
 * import_wfcommons.c -- WfCommons workflow instances (WfFormat JSON) as an
 * intermediate task graph (dag_internal.h).  JSON is read by libyaml (YAML
 * 1.1 reads JSON) into the plain YAML tree, so positions come for free.
 *
 * Layouts (docs/workloads.md):
 *  - 1.5 and 1.6: workflow.specification {tasks [{name, id, parents,
 *    children, inputFiles, outputFiles}], files [{id, sizeInBytes}]} and
 *    workflow.execution {tasks [{id, runtimeInSeconds, category, machines}],
 *    machines [{nodeName, cpu {coreCount, speedInMHz}}]};
 *  - 1.4 and earlier: workflow.tasks (1.0/1.1: workflow.jobs) [{name, id,
 *    category, parents, children, files [{name, sizeInBytes | size, link}],
 *    runtimeInSeconds | runtime, machine}], workflow.machines [{nodeName,
 *    cpu {count | coreCount, speed | speedInMHz}}].
 * A task's category is its execution `category` (1.4: `category`), else its
 * name without a trailing "_<digits>" / "_ID<digits>" ("task" when the
 * name is only an id such as "ID0000001").  Dependencies are the
 * union of the parents and children lists; an edge's volume is the total
 * size of the files the parent writes and the child reads.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "soc/yaml_tree.h"
#include "soc_util.h"
#include "yaml_internal.h"

/* JSON node budget: a 64 MiB WfFormat file holds about 2 million nodes. */
#define WF_MAX_NODES 4000000L

typedef struct wf {
    soc__dag_t *d;
    soc_error_t *err;
    double scale;
    /* files: id -> index, sizes (NaN = not listed) */
    soc__smap_t fmap;
    double *fsize;
    int nf, fcap;
    /* per task: input / output file indices (CSR built from lists) */
    int *in_off, *out_off; /* [n + 1] */
    int *in_f, *out_f;
    const soc_ynode_t **out_node; /* where each output reference is written */
    double *out_size;      /* 1.4: the size given with the output entry */
    soc__smap_t ids;       /* 1.4: id -> index (parents may use ids) */
} wf_t;

static int wfail(wf_t *W, const soc_ynode_t *n, int code, const char *fmt, ...) SOC_PRINTF(4, 5);
static int wfail(wf_t *W, const soc_ynode_t *n, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return soc_error_set(W->err, code, W->d->file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

static int woom(wf_t *W) { return soc_error_set(W->err, SOC_ENOMEM, NULL, 0, 0, "out of memory"); }

static const char *kind_name(const soc_ynode_t *n)
{
    return n->kind == SOC_YNODE_MAPPING ? "a mapping" : n->kind == SOC_YNODE_SEQUENCE ? "a list" : n->value;
}

static int want(wf_t *W, const soc_ynode_t *n, soc_ynode_kind_t k, const char *what)
{
    if (n->kind == k)
        return SOC_OK;
    return wfail(W, n, SOC_EPARSE, "%s: expected %s, got %s", what,
                 k == SOC_YNODE_MAPPING ? "an object" : k == SOC_YNODE_SEQUENCE ? "an array" : "a value",
                 n->kind == SOC_YNODE_SCALAR ? "a value" : kind_name(n));
}

/* A string value (numbers are accepted as their text: ids such as 12). */
static int want_str(wf_t *W, const soc_ynode_t *n, const char *what)
{
    if (n->kind != SOC_YNODE_SCALAR || (!n->quoted && soc_ytree_is_null(n)) || n->value[0] == '\0')
        return wfail(W, n, SOC_EPARSE, "%s: expected a non-empty string", what);
    return SOC_OK;
}

static int want_num(wf_t *W, const soc_ynode_t *n, const char *what, double *out)
{
    char *end;
    if (n->kind != SOC_YNODE_SCALAR || n->quoted || n->value[0] == '\0')
        return wfail(W, n, SOC_EPARSE, "%s: expected a number, got %s", what,
                     n->kind == SOC_YNODE_SCALAR ? (n->value[0] ? n->value : "\"\"") : kind_name(n));
    errno = 0;
    double v = strtod(n->value, &end);
    if (*end != '\0' || !isfinite(v) || errno == ERANGE)
        return wfail(W, n, SOC_EPARSE, "%s: expected a number, got %s", what, n->value);
    if (v < 0)
        return wfail(W, n, SOC_ECONFIG, "%s must not be negative, got %s", what, n->value);
    *out = v;
    return SOC_OK;
}

/* The category a task name implies: the name without a trailing
 * "_<digits>" or "_ID<digits>" ("mProject_00000001" -> "mProject"). */
static char *name_prefix(const char *name)
{
    size_t n = strlen(name), k = n;
    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
        k--;
    if (k < n && k >= 2 && name[k - 1] == 'D' && name[k - 2] == 'I')
        k -= 2;
    if (k < n && k == 0)
        return soc__strdup("task"); /* "ID0000001", "42": no category in the name */
    if (k < n && k >= 2 && name[k - 1] == '_')
        return soc__strndup(name, k - 1);
    return soc__strdup(name);
}

static int file_index(wf_t *W, const char *id)
{
    int f = soc__smap_put(&W->fmap, id, W->nf);
    if (f == -2)
        return -2;
    if (f == W->nf) {
        if (W->nf == W->fcap) {
            int nc = W->fcap ? 2 * W->fcap : 64;
            double *ns = realloc(W->fsize, sizeof *ns * (size_t)nc);
            if (ns == NULL)
                return -2;
            W->fsize = ns;
            W->fcap = nc;
        }
        W->fsize[W->nf++] = NAN;
    }
    return f;
}

/* Growable int list + node list for the per-task file references. */
typedef struct refs {
    int *f;
    const soc_ynode_t **node;
    double *size;
    int n, cap;
} refs_t;

static int refs_push(refs_t *r, int f, const soc_ynode_t *node, double size)
{
    if (r->n == r->cap) {
        int nc = r->cap ? 2 * r->cap : 256;
        int *nf = realloc(r->f, sizeof *nf * (size_t)nc);
        if (nf == NULL)
            return -1;
        r->f = nf;
        const soc_ynode_t **nn = realloc(r->node, sizeof *nn * (size_t)nc);
        if (nn == NULL)
            return -1;
        r->node = nn;
        double *ns = realloc(r->size, sizeof *ns * (size_t)nc);
        if (ns == NULL)
            return -1;
        r->size = ns;
        r->cap = nc;
    }
    r->f[r->n] = f;
    r->node[r->n] = node;
    r->size[r->n] = size;
    r->n++;
    return 0;
}

static void refs_free(refs_t *r)
{
    free(r->f);
    free(r->node);
    free(r->size);
}

/* Edges from the parents and children lists of task i (mapping t). */
static int add_deps(wf_t *W, const soc_ynode_t *t, int i, const char *ctx)
{
    soc__dag_t *d = W->d;
    for (int pass = 0; pass < 2; pass++) {
        const char *key = pass ? "children" : "parents";
        const soc_ynode_t *l = soc_ytree_get(t, key);
        if (l == NULL || soc_ytree_is_null(l))
            continue;
        char what[96];
        snprintf(what, sizeof what, "%s.%s", ctx, key);
        int rc = want(W, l, SOC_YNODE_SEQUENCE, what);
        if (rc != SOC_OK)
            return rc;
        for (int k = 0; k < l->n; k++) {
            const soc_ynode_t *r = l->items[k];
            if ((rc = want_str(W, r, what)) != SOC_OK)
                return rc;
            int j = soc__smap_get(&d->index, r->value);
            if (j < 0)
                j = soc__smap_get(&W->ids, r->value);
            if (j < 0)
                return wfail(W, r, SOC_ECONFIG, "task '%s': unknown %s '%s'", d->names[i],
                             pass ? "child" : "parent", r->value);
            if (soc__dag_add_edge(d, pass ? i : j, pass ? j : i, 0, r->line, r->col) != 0)
                return woom(W);
        }
    }
    return SOC_OK;
}

/* File references of a 1.5+ task: a list of file ids. */
static int file_list(wf_t *W, const soc_ynode_t *t, const char *key, const char *ctx, refs_t *r)
{
    const soc_ynode_t *l = soc_ytree_get(t, key);
    if (l == NULL || soc_ytree_is_null(l))
        return SOC_OK;
    char what[96];
    snprintf(what, sizeof what, "%s.%s", ctx, key);
    int rc = want(W, l, SOC_YNODE_SEQUENCE, what);
    if (rc != SOC_OK)
        return rc;
    for (int k = 0; k < l->n; k++) {
        if ((rc = want_str(W, l->items[k], what)) != SOC_OK)
            return rc;
        int f = file_index(W, l->items[k]->value);
        if (f < 0 || refs_push(r, f, l->items[k], NAN) != 0)
            return woom(W);
    }
    return SOC_OK;
}

static int read_machines(wf_t *W, const soc_ynode_t *ms, const char *ctx)
{
    soc__dag_t *d = W->d;
    if (ms == NULL || soc_ytree_is_null(ms))
        return SOC_OK;
    int rc = want(W, ms, SOC_YNODE_SEQUENCE, ctx);
    if (rc != SOC_OK)
        return rc;
    for (int k = 0; k < ms->n; k++) {
        const soc_ynode_t *m = ms->items[k];
        if ((rc = want(W, m, SOC_YNODE_MAPPING, ctx)) != SOC_OK)
            return rc;
        const soc_ynode_t *nn = soc_ytree_get(m, "nodeName");
        if (nn == NULL)
            return wfail(W, m, SOC_ECONFIG, "%s: a machine without a nodeName", ctx);
        if ((rc = want_str(W, nn, "nodeName")) != SOC_OK)
            return rc;
        int dup = 0;
        for (int j = 0; j < d->n_mach && !dup; j++)
            dup = strcmp(d->mach[j].name, nn->value) == 0;
        if (dup)
            continue;
        double cores = 1, speed = 0;
        const soc_ynode_t *cpu = soc_ytree_get(m, "cpu");
        if (cpu != NULL && cpu->kind == SOC_YNODE_MAPPING) {
            const soc_ynode_t *c = soc_ytree_get(cpu, "coreCount");
            if (c == NULL)
                c = soc_ytree_get(cpu, "count");
            if (c != NULL && (rc = want_num(W, c, "coreCount", &cores)) != SOC_OK)
                return rc;
            const soc_ynode_t *s = soc_ytree_get(cpu, "speedInMHz");
            if (s == NULL)
                s = soc_ytree_get(cpu, "speed");
            if (s != NULL && (rc = want_num(W, s, "speedInMHz", &speed)) != SOC_OK)
                return rc;
        }
        if (cores < 1)
            cores = 1;
        if (cores > SOC_YAML_MAX_PES_PER_CLUSTER)
            cores = SOC_YAML_MAX_PES_PER_CLUSTER;
        soc__machine_t *nm = realloc(d->mach, sizeof *nm * (size_t)(d->n_mach + 1));
        if (nm == NULL)
            return woom(W);
        d->mach = nm;
        d->mach[d->n_mach].name = soc__strdup(nn->value);
        d->mach[d->n_mach].cores = (int)cores;
        d->mach[d->n_mach].speed_mhz = speed;
        if (d->mach[d->n_mach].name == NULL)
            return woom(W);
        d->n_mach++;
    }
    return SOC_OK;
}

static int machine_of(wf_t *W, int task, const soc_ynode_t *ref)
{
    soc__dag_t *d = W->d;
    if (ref == NULL || ref->kind != SOC_YNODE_SCALAR)
        return SOC_OK;
    for (int m = 0; m < d->n_mach; m++)
        if (strcmp(d->mach[m].name, ref->value) == 0) {
            if (d->machine == NULL) {
                d->machine = malloc(sizeof *d->machine * (size_t)(d->cap > 0 ? d->cap : 1));
                if (d->machine == NULL)
                    return woom(W);
                for (int i = 0; i < d->n; i++)
                    d->machine[i] = -1;
            }
            d->machine[task] = m;
            return SOC_OK;
        }
    return SOC_OK; /* a machine the file does not describe: no speed known */
}

/* Turn per-task refs (in task order, task index in a parallel array) into
 * CSR arrays. */
static int to_csr(wf_t *W, const refs_t *r, const int *owner, int **offp, int **fp,
                  const soc_ynode_t ***nodep, double **sizep)
{
    int n = W->d->n;
    int *off = calloc((size_t)n + 1, sizeof *off);
    int *f = malloc(sizeof *f * ((size_t)r->n + 1));
    if (off == NULL || f == NULL) {
        free(off);
        free(f);
        return woom(W);
    }
    for (int k = 0; k < r->n; k++)
        off[owner[k] + 1]++;
    for (int i = 0; i < n; i++)
        off[i + 1] += off[i];
    /* refs were pushed task by task, so they are already grouped in order */
    if (r->n > 0)
        memcpy(f, r->f, sizeof *f * (size_t)r->n);
    *offp = off;
    *fp = f;
    if (nodep != NULL) {
        *nodep = malloc(sizeof **nodep * ((size_t)r->n + 1));
        if (*nodep == NULL)
            return woom(W);
        if (r->n > 0)
            memcpy(*nodep, r->node, sizeof **nodep * (size_t)r->n);
    }
    if (sizep != NULL) {
        *sizep = malloc(sizeof **sizep * ((size_t)r->n + 1));
        if (*sizep == NULL)
            return woom(W);
        if (r->n > 0)
            memcpy(*sizep, r->size, sizeof **sizep * (size_t)r->n);
    }
    return SOC_OK;
}

/* The edges grouped by child, in edge order: byc[off[c] .. off[c + 1]). */
static int edges_by_child(wf_t *W, int **offp, int **bycp)
{
    soc__dag_t *d = W->d;
    int *byc_off = *offp = calloc((size_t)d->n + 1, sizeof *byc_off);
    int *byc = *bycp = malloc(sizeof *byc * ((size_t)d->ne + 1));
    if (byc_off == NULL || byc == NULL)
        return woom(W);
    for (int e = 0; e < d->ne; e++)
        byc_off[d->edges[e].dst + 1]++;
    for (int i = 0; i < d->n; i++)
        byc_off[i + 1] += byc_off[i];
    int *fill = calloc((size_t)d->n + 1, sizeof *fill);
    if (fill == NULL)
        return woom(W);
    for (int e = 0; e < d->ne; e++)
        byc[byc_off[d->edges[e].dst] + fill[d->edges[e].dst]++] = e;
    free(fill);
    return SOC_OK;
}

/* The workflow's input volume: files read and written by no task, each
 * counted once (seen[] is scratch space of nf). */
static void input_volume(wf_t *W, char *written, int *seen)
{
    soc__dag_t *d = W->d;
    for (int p = 0; p < d->n; p++)
        for (int k = W->out_off[p]; k < W->out_off[p + 1]; k++)
            written[W->out_f[k]] = 1;
    for (int f = 0; f < W->nf; f++)
        seen[f] = 0;
    for (int c = 0; c < d->n; c++)
        for (int k = W->in_off[c]; k < W->in_off[c + 1]; k++) {
            int f = W->in_f[k];
            if (written[f] || seen[f])
                continue;
            seen[f] = 1;
            double s = W->fsize[f];
            if (!isnan(s))
                d->input_volume += s;
        }
}

/* Edge volumes: the files the parent writes and the child reads (each
 * counted once per edge); the workflow's input volume. */
static int volumes(wf_t *W, int per_entry_size)
{
    soc__dag_t *d = W->d;
    int *mark = malloc(sizeof *mark * ((size_t)W->nf + 1));
    int *seen = malloc(sizeof *seen * ((size_t)W->nf + 1));
    char *written = calloc((size_t)W->nf + 1, 1);
    if (mark == NULL || seen == NULL || written == NULL) {
        free(mark);
        free(seen);
        free(written);
        return woom(W);
    }
    for (int f = 0; f < W->nf; f++)
        mark[f] = seen[f] = -1;
    /* edges grouped by child: iterate children in order */
    int *byc_off = NULL, *byc = NULL;
    int rc = edges_by_child(W, &byc_off, &byc);
    if (rc != SOC_OK)
        goto out;
    for (int c = 0; c < d->n; c++) {
        for (int k = W->in_off[c]; k < W->in_off[c + 1]; k++)
            mark[W->in_f[k]] = c;
        for (int q = byc_off[c]; q < byc_off[c + 1]; q++) {
            int e = byc[q], p = d->edges[e].src;
            double v = 0;
            for (int k = W->out_off[p]; k < W->out_off[p + 1]; k++) {
                int f = W->out_f[k];
                if (mark[f] != c || seen[f] == e)
                    continue;
                seen[f] = e;
                double s = per_entry_size ? W->out_size[k] : W->fsize[f];
                if (isnan(s)) {
                    rc = wfail(W, W->out_node[k], SOC_ECONFIG,
                               "file '%s' (written by '%s', read by '%s') has no size: it is "
                               "not in workflow.specification.files",
                               W->out_node[k]->value, d->names[p], d->names[c]);
                    goto out;
                }
                v += s;
            }
            d->edges[e].volume = v;
        }
    }
    input_volume(W, written, seen);
out:
    free(byc_off);
    free(byc);
    free(mark);
    free(seen);
    free(written);
    return rc;
}

/* ------------------------------------------------- file references */

/* The file references of all tasks, in task order, with the owning task of
 * each; refs_to_csr turns them into the CSR arrays of wf_t and frees them. */
typedef struct task_refs {
    refs_t in, out;
    int *in_owner, *out_owner;
    int cap_in, cap_out;
} task_refs_t;

/* Task k owns the references pushed since n0 (inputs) and m0 (outputs). */
static int own_refs(wf_t *W, task_refs_t *r, int k, int n0, int m0)
{
    if (r->in.n > r->cap_in) {
        r->cap_in = r->in.cap;
        int *no = realloc(r->in_owner, sizeof *no * (size_t)r->cap_in);
        if (no == NULL)
            return woom(W);
        r->in_owner = no;
    }
    if (r->out.n > r->cap_out) {
        r->cap_out = r->out.cap;
        int *no = realloc(r->out_owner, sizeof *no * (size_t)r->cap_out);
        if (no == NULL)
            return woom(W);
        r->out_owner = no;
    }
    for (int q = n0; q < r->in.n; q++)
        r->in_owner[q] = k;
    for (int q = m0; q < r->out.n; q++)
        r->out_owner[q] = k;
    return SOC_OK;
}

/* rc: the result of collecting r; on success, W's input and output CSR
 * arrays (with the per-entry output sizes when with_sizes).  Frees r. */
static int refs_to_csr(wf_t *W, task_refs_t *r, int rc, int with_sizes)
{
    if (rc == SOC_OK)
        rc = to_csr(W, &r->in, r->in_owner, &W->in_off, &W->in_f, NULL, NULL);
    if (rc == SOC_OK)
        rc = to_csr(W, &r->out, r->out_owner, &W->out_off, &W->out_f, &W->out_node,
                    with_sizes ? &W->out_size : NULL);
    free(r->in_owner);
    free(r->out_owner);
    refs_free(&r->in);
    refs_free(&r->out);
    return rc;
}

/* ------------------------------------------------------------- 1.5, 1.6 */

/* workflow.specification.tasks: one dag task per entry (id, else name), its
 * category from the name; runtimes come later from the execution. */
static int spec_tasks(wf_t *W, const soc_ynode_t *tasks)
{
    soc__dag_t *d = W->d;
    int rc;
    for (int k = 0; k < tasks->n; k++) {
        const soc_ynode_t *t = tasks->items[k];
        if ((rc = want(W, t, SOC_YNODE_MAPPING, "workflow.specification.tasks")) != SOC_OK)
            return rc;
        const soc_ynode_t *id = soc_ytree_get(t, "id"), *nm = soc_ytree_get(t, "name");
        if (id == NULL)
            id = nm;
        if (id == NULL)
            return wfail(W, t, SOC_ECONFIG, "a task without an id");
        if ((rc = want_str(W, id, "id")) != SOC_OK ||
            (nm != NULL && (rc = want_str(W, nm, "name")) != SOC_OK))
            return rc;
        char *cat = name_prefix(nm != NULL ? nm->value : id->value);
        int dup = -1;
        int i = cat ? soc__dag_add_task(d, id->value, cat, NAN, NAN, t->line, t->col, &dup) : -2;
        free(cat);
        if (i == -2)
            return woom(W);
        if (i == -1)
            return wfail(W, id, SOC_ECONFIG, "task id '%s' is used twice (first at line %d)",
                         id->value, d->line[dup]);
    }
    return SOC_OK;
}

/* workflow.specification.files: the size of each file id (sizeInBytes). */
static int spec_files(wf_t *W, const soc_ynode_t *spec)
{
    const soc_ynode_t *files = soc_ytree_get(spec, "files");
    if (files == NULL || soc_ytree_is_null(files))
        return SOC_OK;
    int rc;
    if ((rc = want(W, files, SOC_YNODE_SEQUENCE, "workflow.specification.files")) != SOC_OK)
        return rc;
    for (int k = 0; k < files->n; k++) {
        const soc_ynode_t *f = files->items[k];
        if ((rc = want(W, f, SOC_YNODE_MAPPING, "workflow.specification.files")) != SOC_OK)
            return rc;
        const soc_ynode_t *id = soc_ytree_get(f, "id"), *sz = soc_ytree_get(f, "sizeInBytes");
        if (id == NULL)
            id = soc_ytree_get(f, "name");
        if (sz == NULL)
            sz = soc_ytree_get(f, "size");
        if (id == NULL)
            return wfail(W, f, SOC_ECONFIG, "a file without an id");
        if ((rc = want_str(W, id, "file id")) != SOC_OK)
            return rc;
        if (sz == NULL)
            return wfail(W, f, SOC_ECONFIG, "file '%s' has no sizeInBytes", id->value);
        double s;
        if ((rc = want_num(W, sz, "sizeInBytes", &s)) != SOC_OK)
            return rc;
        int fi = file_index(W, id->value);
        if (fi < 0)
            return woom(W);
        if (!isnan(W->fsize[fi]) && W->fsize[fi] != s)
            return wfail(W, id, SOC_ECONFIG, "file '%s' is listed twice with different sizes",
                         id->value);
        W->fsize[fi] = s;
    }
    return SOC_OK;
}

/* One entry of workflow.execution.tasks: the runtime, category and machine
 * of a specified task (done[]: the tasks already seen). */
static int exec_task(wf_t *W, const soc_ynode_t *t, char *done)
{
    soc__dag_t *d = W->d;
    int rc;
    if ((rc = want(W, t, SOC_YNODE_MAPPING, "workflow.execution.tasks")) != SOC_OK)
        return rc;
    const soc_ynode_t *id = soc_ytree_get(t, "id");
    if (id == NULL)
        return wfail(W, t, SOC_ECONFIG, "an execution task without an id");
    if ((rc = want_str(W, id, "id")) != SOC_OK)
        return rc;
    int i = soc__smap_get(&d->index, id->value);
    if (i < 0)
        return wfail(W, id, SOC_ECONFIG,
                     "execution task '%s' is not in workflow.specification.tasks", id->value);
    if (done[i])
        return wfail(W, id, SOC_ECONFIG, "task '%s' is listed twice in "
                                         "workflow.execution.tasks", id->value);
    done[i] = 1;
    const soc_ynode_t *rt = soc_ytree_get(t, "runtimeInSeconds");
    if (rt == NULL)
        rt = soc_ytree_get(t, "runtime");
    if (rt == NULL)
        return wfail(W, t, SOC_ECONFIG, "task '%s' has no runtimeInSeconds", id->value);
    double r;
    if ((rc = want_num(W, rt, "runtimeInSeconds", &r)) != SOC_OK)
        return rc;
    d->raw[i] = r;
    d->cost[i] = r * W->scale;
    d->line[i] = t->line; /* runtime problems point here */
    d->col[i] = t->col;
    const soc_ynode_t *cat = soc_ytree_get(t, "category");
    if (cat != NULL && cat->kind == SOC_YNODE_SCALAR && cat->value[0] &&
        !soc_ytree_is_null(cat)) {
        char *c = soc__strdup(cat->value);
        if (c == NULL)
            return woom(W);
        free(d->cats[i]);
        d->cats[i] = c;
    }
    const soc_ynode_t *ms = soc_ytree_get(t, "machines");
    if (ms != NULL && ms->kind == SOC_YNODE_SEQUENCE && ms->n > 0)
        return machine_of(W, i, ms->items[0]);
    return SOC_OK;
}

/* workflow.execution: the machines, then each task's execution entry. */
static int spec_execution(wf_t *W, const soc_ynode_t *wfn)
{
    const soc_ynode_t *ex = soc_ytree_get(wfn, "execution");
    if (ex == NULL || soc_ytree_is_null(ex))
        return SOC_OK;
    int rc;
    if ((rc = want(W, ex, SOC_YNODE_MAPPING, "workflow.execution")) != SOC_OK)
        return rc;
    if ((rc = read_machines(W, soc_ytree_get(ex, "machines"), "workflow.execution.machines")) !=
        SOC_OK)
        return rc;
    const soc_ynode_t *et = soc_ytree_get(ex, "tasks");
    if (et == NULL || soc_ytree_is_null(et))
        return SOC_OK;
    if ((rc = want(W, et, SOC_YNODE_SEQUENCE, "workflow.execution.tasks")) != SOC_OK)
        return rc;
    char *done = calloc((size_t)W->d->n, 1);
    if (done == NULL)
        return woom(W);
    for (int k = 0; k < et->n && rc == SOC_OK; k++)
        rc = exec_task(W, et->items[k], done);
    free(done);
    return rc;
}

/* Dependencies and file references (inputFiles, outputFiles) of the
 * specified tasks. */
static int spec_refs(wf_t *W, const soc_ynode_t *tasks)
{
    const char *ctx = "workflow.specification.tasks";
    task_refs_t r = {0};
    int rc = SOC_OK;
    for (int k = 0; k < tasks->n && rc == SOC_OK; k++) {
        const soc_ynode_t *t = tasks->items[k];
        if ((rc = add_deps(W, t, k, ctx)) != SOC_OK)
            break;
        int n0 = r.in.n, m0 = r.out.n;
        if ((rc = file_list(W, t, "inputFiles", ctx, &r.in)) != SOC_OK ||
            (rc = file_list(W, t, "outputFiles", ctx, &r.out)) != SOC_OK)
            break;
        rc = own_refs(W, &r, k, n0, m0);
    }
    return refs_to_csr(W, &r, rc, 0);
}

static int read_spec(wf_t *W, const soc_ynode_t *wfn, const soc_ynode_t *spec)
{
    int rc = want(W, spec, SOC_YNODE_MAPPING, "workflow.specification");
    if (rc != SOC_OK)
        return rc;
    const soc_ynode_t *tasks = soc_ytree_get(spec, "tasks");
    if (tasks == NULL)
        return wfail(W, spec, SOC_ECONFIG, "workflow.specification has no tasks");
    if ((rc = want(W, tasks, SOC_YNODE_SEQUENCE, "workflow.specification.tasks")) != SOC_OK)
        return rc;
    if (tasks->n == 0)
        return wfail(W, tasks, SOC_ECONFIG, "workflow.specification.tasks is empty");
    if ((rc = spec_tasks(W, tasks)) != SOC_OK || (rc = spec_files(W, spec)) != SOC_OK ||
        (rc = spec_execution(W, wfn)) != SOC_OK || (rc = spec_refs(W, tasks)) != SOC_OK)
        return rc;
    return volumes(W, 0);
}

/* ------------------------------------------------------- 1.4 and earlier */

/* One task of workflow.tasks (jobs): name, id, category, runtime, machine. */
static int old_task(wf_t *W, const soc_ynode_t *t, const char *ctx)
{
    soc__dag_t *d = W->d;
    int rc;
    if ((rc = want(W, t, SOC_YNODE_MAPPING, ctx)) != SOC_OK)
        return rc;
    const soc_ynode_t *nm = soc_ytree_get(t, "name"), *id = soc_ytree_get(t, "id");
    if (nm == NULL)
        nm = id;
    if (nm == NULL)
        return wfail(W, t, SOC_ECONFIG, "a task without a name");
    if ((rc = want_str(W, nm, "name")) != SOC_OK ||
        (id != NULL && (rc = want_str(W, id, "id")) != SOC_OK))
        return rc;
    const soc_ynode_t *cn = soc_ytree_get(t, "category");
    char *cat = cn != NULL && cn->kind == SOC_YNODE_SCALAR && cn->value[0] &&
                        !soc_ytree_is_null(cn)
                    ? soc__strdup(cn->value)
                    : name_prefix(nm->value);
    double r = NAN;
    const soc_ynode_t *rt = soc_ytree_get(t, "runtimeInSeconds");
    if (rt == NULL)
        rt = soc_ytree_get(t, "runtime");
    if (rt != NULL && (rc = want_num(W, rt, "runtimeInSeconds", &r)) != SOC_OK) {
        free(cat);
        return rc;
    }
    int dup = -1;
    int i = cat ? soc__dag_add_task(d, nm->value, cat, r * W->scale, r, t->line, t->col, &dup)
                : -2;
    free(cat);
    if (i == -2)
        return woom(W);
    if (i == -1)
        return wfail(W, nm, SOC_ECONFIG, "task name '%s' is used twice (first at line %d)",
                     nm->value, d->line[dup]);
    if (id != NULL && soc__smap_put(&W->ids, id->value, i) == -2)
        return woom(W);
    return machine_of(W, i, soc_ytree_get(t, "machine"));
}

/* The files list of task k: {name, link: input | output, sizeInBytes}
 * entries, pushed to r's inputs or outputs with their sizes. */
static int old_files(wf_t *W, const soc_ynode_t *t, int k, task_refs_t *r)
{
    const soc_ynode_t *fl = soc_ytree_get(t, "files");
    if (fl == NULL || soc_ytree_is_null(fl))
        return SOC_OK;
    int rc;
    if ((rc = want(W, fl, SOC_YNODE_SEQUENCE, "files")) != SOC_OK)
        return rc;
    for (int q = 0; q < fl->n; q++) {
        const soc_ynode_t *f = fl->items[q];
        if ((rc = want(W, f, SOC_YNODE_MAPPING, "files")) != SOC_OK)
            return rc;
        const soc_ynode_t *fn = soc_ytree_get(f, "name"), *ln = soc_ytree_get(f, "link"),
                          *sz = soc_ytree_get(f, "sizeInBytes");
        if (fn == NULL)
            fn = soc_ytree_get(f, "id");
        if (sz == NULL)
            sz = soc_ytree_get(f, "size");
        if (fn == NULL || ln == NULL || sz == NULL)
            return wfail(W, f, SOC_ECONFIG, "task '%s': a file needs a name, a link and a "
                                            "sizeInBytes",
                         W->d->names[k]);
        double s;
        if ((rc = want_str(W, fn, "file name")) != SOC_OK ||
            (rc = want_str(W, ln, "link")) != SOC_OK ||
            (rc = want_num(W, sz, "sizeInBytes", &s)) != SOC_OK)
            return rc;
        int input = strcmp(ln->value, "input") == 0;
        if (!input && strcmp(ln->value, "output") != 0)
            return wfail(W, ln, SOC_ECONFIG, "link: expected input or output, got '%s'",
                         ln->value);
        int fi = file_index(W, fn->value);
        if (fi < 0 || refs_push(input ? &r->in : &r->out, fi, fn, s) != 0)
            return woom(W);
        if (input || isnan(W->fsize[fi]))
            W->fsize[fi] = s; /* input volume: the size a reader sees */
    }
    return SOC_OK;
}

/* Dependencies and file references of the 1.4 tasks. */
static int old_refs(wf_t *W, const soc_ynode_t *tasks, const char *ctx)
{
    task_refs_t r = {0};
    int rc = SOC_OK;
    for (int k = 0; k < tasks->n && rc == SOC_OK; k++) {
        const soc_ynode_t *t = tasks->items[k];
        if ((rc = add_deps(W, t, k, ctx)) != SOC_OK)
            break;
        int n0 = r.in.n, m0 = r.out.n;
        if ((rc = old_files(W, t, k, &r)) != SOC_OK)
            break;
        rc = own_refs(W, &r, k, n0, m0);
    }
    return refs_to_csr(W, &r, rc, 1);
}

static int read_old(wf_t *W, const soc_ynode_t *wfn, const soc_ynode_t *tasks, const char *key)
{
    char ctx[48];
    snprintf(ctx, sizeof ctx, "workflow.%s", key);
    int rc = want(W, tasks, SOC_YNODE_SEQUENCE, ctx);
    if (rc != SOC_OK)
        return rc;
    if (tasks->n == 0)
        return wfail(W, tasks, SOC_ECONFIG, "%s is empty", ctx);
    if ((rc = read_machines(W, soc_ytree_get(wfn, "machines"), "workflow.machines")) != SOC_OK)
        return rc;
    for (int k = 0; k < tasks->n; k++)
        if ((rc = old_task(W, tasks->items[k], ctx)) != SOC_OK)
            return rc;
    if ((rc = old_refs(W, tasks, ctx)) != SOC_OK)
        return rc;
    return volumes(W, 1);
}

/* libyaml puts the end of a file without a final newline on a line of its
 * own; a parse error there points at the real end instead (a truncated
 * file). */
static void fix_end_position(const char *text, size_t len, soc_error_t *err)
{
    int lines = 1, col = 1;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            lines++;
            col = 1;
        } else {
            col++;
        }
    }
    if (err->line == lines + 1 && err->col == 1) {
        err->line = lines;
        err->col = col;
    }
}

int soc__read_wfcommons(soc__dag_t *d, const char *text, size_t len,
                        const soc_import_options_t *o, soc_error_t *err)
{
    wf_t W;
    memset(&W, 0, sizeof W);
    W.d = d;
    W.err = err;
    d->time_default = 1e6;
    d->bw_default = 125;
    d->cost_word = "runtime (runtimeInSeconds)";
    W.scale = o->time_scale > 0 ? o->time_scale : 1e6;
    soc_ynode_t *root = NULL;
    int rc = soc__ytree_parse_budget(&root, text, len, d->file, WF_MAX_NODES, err);
    if (rc == SOC_EPARSE && err != NULL && len > 0 && text[len - 1] != '\n')
        fix_end_position(text, len, err);
    if (rc != SOC_OK)
        return rc;
    if ((rc = want(&W, root, SOC_YNODE_MAPPING, "the WfFormat instance")) != SOC_OK)
        goto out;
    const soc_ynode_t *sv = soc_ytree_get(root, "schemaVersion");
    if (sv != NULL) {
        if (sv->kind != SOC_YNODE_SCALAR || strncmp(sv->value, "1.", 2) != 0) {
            rc = wfail(&W, sv, SOC_ECONFIG,
                       "schemaVersion %s is not supported (WfFormat 1.0 to 1.6 are)",
                       sv->kind == SOC_YNODE_SCALAR ? sv->value : "(not a string)");
            goto out;
        }
        snprintf(d->version, sizeof d->version, "%s", sv->value);
    }
    const soc_ynode_t *nm = soc_ytree_get(root, "name");
    if (nm != NULL && nm->kind == SOC_YNODE_SCALAR && nm->value[0] && !soc_ytree_is_null(nm) &&
        (d->name = soc__strdup(nm->value)) == NULL) {
        rc = woom(&W);
        goto out;
    }
    const soc_ynode_t *wfn = soc_ytree_get(root, "workflow");
    if (wfn == NULL) {
        rc = wfail(&W, root, SOC_ECONFIG, "no 'workflow' object: is this a WfFormat instance?");
        goto out;
    }
    if ((rc = want(&W, wfn, SOC_YNODE_MAPPING, "workflow")) != SOC_OK)
        goto out;
    const soc_ynode_t *spec = soc_ytree_get(wfn, "specification");
    const soc_ynode_t *tasks = soc_ytree_get(wfn, "tasks");
    const char *key = "tasks";
    if (tasks == NULL) {
        tasks = soc_ytree_get(wfn, "jobs");
        key = "jobs";
    }
    if (spec != NULL)
        rc = read_spec(&W, wfn, spec);
    else if (tasks != NULL)
        rc = read_old(&W, wfn, tasks, key);
    else
        rc = wfail(&W, wfn, SOC_ECONFIG,
                   "workflow has neither a specification (WfFormat 1.5+) nor tasks (1.4 and "
                   "earlier)");
out:
    soc_ytree_free(root);
    soc__smap_free(&W.fmap);
    soc__smap_free(&W.ids);
    free(W.fsize);
    free(W.in_off);
    free(W.out_off);
    free(W.in_f);
    free(W.out_f);
    free(W.out_node);
    free(W.out_size);
    return rc;
}
