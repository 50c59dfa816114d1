/*
 * dot_export.c -- schedulers' cost estimates of an application, its
 * critical path, and DOT output (soc/import.h).
 *
 * The estimates follow docs/schedulers.md ("Costs"), written here from that
 * description: w(t) = mean (min, max) of t's type's execution time over the
 * task-running PEs that can run it, the mean weighted by cluster size; an
 * edge with data costs latency + volume x unit, where unit is the inverse
 * of the mean bandwidth over ordered pairs of distinct task-running PEs
 * (best: the fastest link, worst: the slowest; shared memory: both hops in
 * series); a pure precedence edge costs 0.  All in µs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "soc_util.h"

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return 0;
    }
    return *a == '\0' && *b == '\0';
}

static int iends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && ieq(s + n - k, suffix);
}

soc_estimate_t soc_estimate_for(const char *spec)
{
    if (spec == NULL)
        return SOC_ESTIMATE_MEAN;
    if (ieq(spec, "best") || iends(spec, ":best") || iends(spec, "_best"))
        return SOC_ESTIMATE_BEST;
    if (ieq(spec, "worst") || iends(spec, ":worst") || iends(spec, "_worst"))
        return SOC_ESTIMATE_WORST;
    return SOC_ESTIMATE_MEAN;
}

const char *soc_estimate_name(soc_estimate_t e)
{
    return e == SOC_ESTIMATE_BEST ? "best" : e == SOC_ESTIMATE_WORST ? "worst" : "mean";
}

/* µs per data unit between two distinct PEs (global indices). */
static double pair_unit(const soc_platform_t *p, int pa, int pb)
{
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0) {
        int mem = p->clusters[p->memory_cluster].first_pe;
        return 1.0 / soc_platform_bandwidth(p, pa, mem) + 1.0 / soc_platform_bandwidth(p, mem, pb);
    }
    return 1.0 / soc_platform_bandwidth(p, pa, pb);
}

int soc_app_costs(const soc_platform_t *p, const soc_app_t *a, soc_estimate_t est, double *w,
                  double *c)
{
    if (p == NULL || a == NULL)
        return SOC_EINVAL;
    int nc = p->n_clusters;
    if (w != NULL)
        for (int i = 0; i < a->n_tasks; i++) {
            int t = a->tasks[i].type;
            double sum = 0, n = 0, lo = -1, hi = -1;
            for (int k = 0; k < nc; k++) {
                const soc_cluster_t *cl = &p->clusters[k];
                if (cl->is_memory || cl->exec_us == NULL || t < 0 || t >= p->n_types)
                    continue;
                double x = cl->exec_us[t];
                if (x < 0)
                    continue;
                sum += x * cl->count;
                n += cl->count;
                if (lo < 0 || x < lo)
                    lo = x;
                if (x > hi)
                    hi = x;
            }
            w[i] = est == SOC_ESTIMATE_BEST ? (lo < 0 ? 0 : lo)
                 : est == SOC_ESTIMATE_WORST ? (hi < 0 ? 0 : hi)
                 : (n > 0 ? sum / n : 0);
        }
    if (c != NULL) {
        double pairs = 0, bw_sum = 0, ulo = -1, uhi = -1;
        for (int x = 0; x < nc; x++)
            for (int y = 0; y < nc; y++) {
                const soc_cluster_t *cx = &p->clusters[x], *cy = &p->clusters[y];
                double na = cx->is_memory || cx->exec_us == NULL ? 0 : cx->count;
                double nb = cy->is_memory || cy->exec_us == NULL ? 0 : cy->count;
                double np = x == y ? na * (nb - 1) : na * nb;
                if (np <= 0)
                    continue;
                double u = pair_unit(p, cx->first_pe, cy->first_pe + (x == y ? 1 : 0));
                pairs += np;
                bw_sum += np / u;
                if (ulo < 0 || u < ulo)
                    ulo = u;
                if (u > uhi)
                    uhi = u;
            }
        double unit = 0, lat = 0;
        if (pairs > 0) {
            lat = p->latency_us;
            unit = est == SOC_ESTIMATE_BEST ? ulo : est == SOC_ESTIMATE_WORST ? uhi : pairs / bw_sum;
        }
        for (int e = 0; e < a->n_edges; e++) {
            double v = a->edges[e].volume;
            c[e] = v > 0 && (unit > 0 || lat > 0) ? lat + v * unit : 0;
        }
    }
    return SOC_OK;
}

int soc_app_critical_path(const soc_platform_t *p, const soc_app_t *a, soc_estimate_t est,
                          int *path, int *n_path, double *length_us)
{
    if (p == NULL || a == NULL || a->topo == NULL || a->pred_off == NULL)
        return SOC_EINVAL;
    int n = a->n_tasks;
    double *w = malloc(sizeof *w * (size_t)n);
    double *c = malloc(sizeof *c * ((size_t)a->n_edges + 1));
    double *fin = malloc(sizeof *fin * (size_t)n);
    int *from = malloc(sizeof *from * (size_t)n);
    int rc = SOC_OK;
    if (w == NULL || c == NULL || fin == NULL || from == NULL) {
        rc = SOC_ENOMEM;
        goto out;
    }
    soc_app_costs(p, a, est, w, c);
    int end = -1;
    for (int k = 0; k < n; k++) {
        int i = a->topo[k];
        double best = 0;
        int arg = -1;
        for (int q = a->pred_off[i]; q < a->pred_off[i + 1]; q++) {
            int e = a->pred_edge[q], s = a->edges[e].src;
            double v = fin[s] + c[e];
            if (arg < 0 || v > best || (v == best && s < arg)) {
                best = v;
                arg = s;
            }
        }
        fin[i] = best + w[i];
        from[i] = arg;
    }
    for (int i = 0; i < n; i++) /* the latest-finishing exit task */
        if (a->succ_off[i + 1] == a->succ_off[i] && (end < 0 || fin[i] > fin[end]))
            end = i;
    int len = 0;
    for (int v = end; v >= 0; v = from[v])
        len++;
    if (path != NULL) {
        int k = len;
        for (int v = end; v >= 0; v = from[v])
            path[--k] = v;
    }
    if (n_path != NULL)
        *n_path = len;
    if (length_us != NULL)
        *length_us = fin[end];
out:
    free(w);
    free(c);
    free(fin);
    free(from);
    return rc;
}

/* ------------------------------------------------------------ DOT output */

static void dot_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"')
            fputs("\\\"", f);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fputc(' ', f);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* DOT step 1: the digraph line, the comment with the counts and the
 * estimate, and the graph attributes (the critical path's length as the
 * title). */
static void dot_header(FILE *out, const soc_app_t *a, const soc_dot_options_t *o,
                       const char *label, double cp, int n_path)
{
    fputs("digraph ", out);
    dot_str(out, a->name);
    fputs(" {\n", out);
    fprintf(out, "  // written by socsim %s: %d tasks, %d edges", soc_version(), a->n_tasks,
            a->n_edges);
    if (o->costs)
        fprintf(out, "; costs in µs under the %s estimate (%s)", soc_estimate_name(o->estimate),
                label);
    fputs("\n", out);
    fprintf(out, "  graph [rankdir=%s, labelloc=t", o->rankdir ? o->rankdir : "TB");
    if (o->critical_path) {
        soc__buf_t lb = {0};
        soc__buf_printf(&lb, "%s: critical path %.10g us under %s estimates (%d tasks)", a->name,
                        cp, label, n_path);
        fputs(", label=", out);
        dot_str(out, soc__buf_cstr(&lb) ? soc__buf_cstr(&lb) : "");
        soc__buf_free(&lb);
    }
    fputs("];\n  node [shape=box, style=rounded];\n", out);
}

/* DOT step 2: one node per task (its index when it has no name) with its
 * type, cost w[i] and a label; tasks with on[i] in red. */
static void dot_nodes(FILE *out, const soc_platform_t *p, const soc_app_t *a,
                      const soc_dot_options_t *o, const double *w, const char *on)
{
    char b1[40];
    for (int i = 0; i < a->n_tasks; i++) {
        const char *nm = a->tasks[i].name ? a->tasks[i].name : "";
        char idx[32];
        if (nm[0] == '\0') {
            snprintf(idx, sizeof idx, "%d", i);
            nm = idx;
        }
        const char *type = p->type_names[a->tasks[i].type];
        fputs("  ", out);
        dot_str(out, nm);
        fputs(" [type=", out);
        dot_str(out, type);
        if (o->costs)
            fprintf(out, ", cost=%s", soc__dag_num(b1, w[i]));
        soc__buf_t lb = {0};
        soc__buf_puts(&lb, nm);
        if (strcmp(type, nm) != 0)
            soc__buf_printf(&lb, "\n%s", type);
        if (o->costs)
            soc__buf_printf(&lb, "\n%.6g", w[i]);
        fputs(", label=", out);
        dot_str(out, soc__buf_cstr(&lb) ? soc__buf_cstr(&lb) : "");
        soc__buf_free(&lb);
        if (on[i])
            fputs(", color=red, penwidth=2.5", out);
        fputs("];\n", out);
    }
}

/* DOT step 3: one edge per dependency with its volume and a label (cost
 * c[e]); the edges between consecutive tasks of the critical path (path,
 * n_path) in red. */
static void dot_edges(FILE *out, const soc_app_t *a, const soc_dot_options_t *o, const double *c,
                      const int *path, int n_path)
{
    char b1[40];
    int n = a->n_tasks;
    /* edges on the path: consecutive path tasks */
    int *pos = NULL;
    if (o->critical_path && (pos = malloc(sizeof *pos * (size_t)n)) != NULL) {
        for (int i = 0; i < n; i++)
            pos[i] = -1;
        for (int k = 0; k < n_path; k++)
            pos[path[k]] = k;
    }
    for (int e = 0; e < a->n_edges; e++) {
        const soc_edge_t *ed = &a->edges[e];
        char s1[32], s2[32];
        const char *x = a->tasks[ed->src].name, *y = a->tasks[ed->dst].name;
        if (x == NULL || !x[0]) {
            snprintf(s1, sizeof s1, "%d", ed->src);
            x = s1;
        }
        if (y == NULL || !y[0]) {
            snprintf(s2, sizeof s2, "%d", ed->dst);
            y = s2;
        }
        fputs("  ", out);
        dot_str(out, x);
        fputs(" -> ", out);
        dot_str(out, y);
        fprintf(out, " [volume=%s", soc__dag_num(b1, ed->volume));
        if (ed->volume > 0) { /* labels are for the eye: 6 digits */
            if (o->costs && c[e] > 0)
                fprintf(out, ", label=\"%.6g (%.6g us)\"", ed->volume, c[e]);
            else
                fprintf(out, ", label=\"%.6g\"", ed->volume);
        }
        if (pos != NULL && pos[ed->src] >= 0 && pos[ed->dst] == pos[ed->src] + 1)
            fputs(", color=red, penwidth=2.5", out);
        fputs("];\n", out);
    }
    free(pos);
}

int soc_write_dot(const soc_config_t *cfg, int app, const soc_dot_options_t *o, FILE *out,
                  soc_error_t *err)
{
    if (cfg == NULL || out == NULL || app < 0 || app >= cfg->n_apps)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no application or no output");
    soc_dot_options_t def = {0, SOC_ESTIMATE_MEAN, NULL, 1, NULL};
    if (o == NULL)
        o = &def;
    const soc_platform_t *p = &cfg->platform;
    const soc_app_t *a = &cfg->apps[app];
    if (a->topo == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "the configuration is not finalized");
    int n = a->n_tasks, rc = SOC_OK;
    double *w = malloc(sizeof *w * (size_t)n);
    double *c = malloc(sizeof *c * ((size_t)a->n_edges + 1));
    int *path = malloc(sizeof *path * (size_t)n);
    char *on = calloc((size_t)n, 1);
    if (w == NULL || c == NULL || path == NULL || on == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    soc_app_costs(p, a, o->estimate, w, c);
    int n_path = 0;
    double cp = 0;
    if (o->critical_path) {
        if ((rc = soc_app_critical_path(p, a, o->estimate, path, &n_path, &cp)) != SOC_OK) {
            rc = soc_error_set(err, rc, NULL, 0, 0, "cannot compute the critical path");
            goto out;
        }
        for (int k = 0; k < n_path; k++)
            on[path[k]] = 1;
    }
    const char *label = o->estimate_label ? o->estimate_label : soc_estimate_name(o->estimate);
    dot_header(out, a, o, label, cp, n_path);
    dot_nodes(out, p, a, o, w, on);
    dot_edges(out, a, o, c, path, n_path);
    fputs("}\n", out);
    if (fflush(out) != 0 || ferror(out))
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot write the DOT output");
out:
    free(w);
    free(c);
    free(path);
    free(on);
    return rc;
}
