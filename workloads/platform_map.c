/*
 * platform_map.c -- the platform map of imports and generators
 * (soc/import.h): clusters with time factors or explicit per-category
 * times, from "NAME[:COUNT[:FACTOR]]" specs or a small YAML file.
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

int soc_platform_map_new(soc_platform_map_t **out)
{
    if (out == NULL)
        return SOC_EINVAL;
    soc_platform_map_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return SOC_ENOMEM;
    m->bw_self = NAN;
    m->latency_us = NAN;
    *out = m;
    return SOC_OK;
}

static void free_entries(soc__map_entry_t *v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i].key);
    free(v);
}

void soc_platform_map_free(soc_platform_map_t *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < m->n; i++) {
        free(m->c[i].name);
        free(m->c[i].kind);
        free_entries(m->c[i].factors, m->c[i].n_factors);
        free_entries(m->c[i].exec, m->c[i].n_exec);
    }
    free(m->c);
    for (int i = 0; i < m->n_pairs; i++) {
        free(m->pairs[i].a);
        free(m->pairs[i].b);
    }
    free(m->pairs);
    free(m->file);
    free(m);
}

int soc_platform_map_clusters(const soc_platform_map_t *m) { return m ? m->n : 0; }

static soc__map_cluster_t *new_cluster(soc_platform_map_t *m)
{
    soc__map_cluster_t *nc = realloc(m->c, sizeof *nc * (size_t)(m->n + 1));
    if (nc == NULL)
        return NULL;
    m->c = nc;
    soc__map_cluster_t *c = &m->c[m->n++];
    memset(c, 0, sizeof *c);
    c->count = 1;
    c->factor = 1.0;
    return c;
}

/* A whole-string decimal number (strtod syntax), finite. */
static int parse_num(const char *s, double *out)
{
    char *end;
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int soc_platform_map_add_cluster(soc_platform_map_t *m, const char *spec, soc_error_t *err)
{
    if (m == NULL || spec == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no cluster given");
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t nl = c1 ? (size_t)(c1 - spec) : strlen(spec);
    double count = 1, factor = 1;
    char buf[64];
    if (nl == 0)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "cluster '%s': expected NAME[:COUNT[:FACTOR]]", spec);
    if (c1 != NULL) {
        size_t cl = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
        if (cl == 0 || cl >= sizeof buf)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "cluster '%s': expected NAME[:COUNT[:FACTOR]]", spec);
        memcpy(buf, c1 + 1, cl);
        buf[cl] = '\0';
        if (parse_num(buf, &count) != 0 || count != floor(count) || count < 1 ||
            count > SOC_YAML_MAX_PES_PER_CLUSTER)
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "cluster '%s': the count must be an integer from 1 to %d", spec,
                                 SOC_YAML_MAX_PES_PER_CLUSTER);
    }
    if (c2 != NULL && (parse_num(c2 + 1, &factor) != 0 || factor < 0 || factor > 1e12))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "cluster '%s': the factor must be a number >= 0", spec);
    soc__map_cluster_t *c = new_cluster(m);
    if (c == NULL || (c->name = soc__strndup(spec, nl)) == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    c->count = (int)count;
    c->factor = factor;
    return SOC_OK;
}

/* ----------------------------------------------------------- map files */

typedef struct mctx {
    const char *file;
    soc_error_t *err;
} mctx_t;

static int fail_at(mctx_t *X, const soc_ynode_t *n, int code, const char *fmt, ...)
    SOC_PRINTF(4, 5);
static int fail_at(mctx_t *X, const soc_ynode_t *n, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return soc_error_set(X->err, code, X->file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

/* A number in [lo, hi], or null (~) when allow_null (-> NaN). */
static int get_num(mctx_t *X, const soc_ynode_t *n, const char *what, double lo, int lo_open,
                   double hi, int allow_null, double *out)
{
    if (allow_null && soc_ytree_is_null(n)) {
        *out = NAN;
        return SOC_OK;
    }
    double v;
    if (n->kind != SOC_YNODE_SCALAR || n->quoted || parse_num(n->value, &v) != 0)
        return fail_at(X, n, SOC_ECONFIG, "%s: expected a number%s, got %s", what,
                       allow_null ? " or ~" : "",
                       n->kind == SOC_YNODE_SCALAR ? n->value : "a list or mapping");
    if (v < lo || (lo_open && v == lo) || v > hi)
        return fail_at(X, n, SOC_ECONFIG, "%s: %s is out of range (%s%g .. %g)", what, n->value,
                       lo_open ? "> " : "", lo, hi);
    *out = v;
    return SOC_OK;
}

static int get_str(mctx_t *X, const soc_ynode_t *n, const char *what, char **out)
{
    if (n->kind != SOC_YNODE_SCALAR || n->value[0] == '\0' || (!n->quoted && soc_ytree_is_null(n)))
        return fail_at(X, n, SOC_ECONFIG, "%s: expected a name", what);
    if ((*out = soc__strdup(n->value)) == NULL)
        return fail_at(X, NULL, SOC_ENOMEM, "out of memory");
    return SOC_OK;
}

static int check_keys(mctx_t *X, const soc_ynode_t *n, const char *what,
                      const char *const *keys)
{
    if (n->kind != SOC_YNODE_MAPPING)
        return fail_at(X, n, SOC_ECONFIG, "%s: expected a mapping", what);
    for (int i = 0; i < n->n; i++) {
        int ok = 0;
        for (int k = 0; keys[k] && !ok; k++)
            ok = strcmp(n->keys[i]->value, keys[k]) == 0;
        if (!ok) {
            soc__buf_t b = {0};
            for (int k = 0; keys[k]; k++)
                soc__buf_printf(&b, "%s%s", k ? ", " : "", keys[k]);
            int rc = fail_at(X, n->keys[i], SOC_ECONFIG, "unknown key '%s' in %s (valid keys: %s)",
                             n->keys[i]->value, what, b.d ? soc__buf_cstr(&b) : "");
            soc__buf_free(&b);
            return rc;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(n->keys[j]->value, n->keys[i]->value) == 0)
                return fail_at(X, n->keys[i], SOC_ECONFIG,
                               "duplicate key '%s' in %s (first given at line %d)",
                               n->keys[i]->value, what, n->keys[j]->line);
    }
    return SOC_OK;
}

static int get_table(mctx_t *X, const soc_ynode_t *n, const char *what, double hi,
                     soc__map_entry_t **out, int *count)
{
    if (n->kind != SOC_YNODE_MAPPING)
        return fail_at(X, n, SOC_ECONFIG, "%s: expected a mapping category -> number", what);
    soc__map_entry_t *v = calloc((size_t)n->n + 1, sizeof *v);
    if (v == NULL)
        return fail_at(X, NULL, SOC_ENOMEM, "out of memory");
    *out = v;
    for (int i = 0; i < n->n; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(n->keys[j]->value, n->keys[i]->value) == 0)
                return fail_at(X, n->keys[i], SOC_ECONFIG,
                               "%s: '%s' is given twice (first at line %d)", what,
                               n->keys[i]->value, n->keys[j]->line);
        if ((v[i].key = soc__strdup(n->keys[i]->value)) == NULL)
            return fail_at(X, NULL, SOC_ENOMEM, "out of memory");
        *count = i + 1;
        v[i].line = n->keys[i]->line;
        v[i].col = n->keys[i]->col;
        int rc = get_num(X, n->items[i], what, 0, 0, hi, 1, &v[i].value);
        if (rc != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

static const char *const ROOT_KEYS[] = {"name", "clusters", "communication", NULL};
static const char *const CLUSTER_KEYS[] = {"name", "kind", "count", "factor", "factors",
                                           "exec_us", NULL};
static const char *const COMM_KEYS[] = {"bandwidth_default", "bandwidth_self", "latency_us",
                                        "bandwidth", NULL};

static int load_cluster(mctx_t *X, soc_platform_map_t *m, const soc_ynode_t *n)
{
    int rc = check_keys(X, n, "a cluster of the platform map", CLUSTER_KEYS);
    if (rc != SOC_OK)
        return rc;
    const soc_ynode_t *v = soc_ytree_get(n, "name");
    if (v == NULL)
        return fail_at(X, n, SOC_ECONFIG, "a cluster of the platform map needs a name");
    soc__map_cluster_t *c = new_cluster(m);
    if (c == NULL)
        return fail_at(X, NULL, SOC_ENOMEM, "out of memory");
    c->line = n->line;
    c->col = n->col;
    if ((rc = get_str(X, v, "name", &c->name)) != SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "kind")) != NULL && (rc = get_str(X, v, "kind", &c->kind)) != SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "count")) != NULL) {
        double x;
        if ((rc = get_num(X, v, "count", 1, 0, SOC_YAML_MAX_PES_PER_CLUSTER, 0, &x)) != SOC_OK)
            return rc;
        if (x != floor(x))
            return fail_at(X, v, SOC_ECONFIG, "count: expected an integer, got %s", v->value);
        c->count = (int)x;
    }
    if ((v = soc_ytree_get(n, "factor")) != NULL &&
        (rc = get_num(X, v, "factor", 0, 0, SOC_YAML_MAX_US, 1, &c->factor)) != SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "factors")) != NULL &&
        (rc = get_table(X, v, "factors", SOC_YAML_MAX_US, &c->factors, &c->n_factors)) != SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "exec_us")) != NULL &&
        (rc = get_table(X, v, "exec_us", SOC_YAML_MAX_US, &c->exec, &c->n_exec)) != SOC_OK)
        return rc;
    return SOC_OK;
}

static int load_comm(mctx_t *X, soc_platform_map_t *m, const soc_ynode_t *n)
{
    int rc = check_keys(X, n, "communication", COMM_KEYS);
    if (rc != SOC_OK)
        return rc;
    const soc_ynode_t *v;
    if ((v = soc_ytree_get(n, "bandwidth_default")) != NULL &&
        (rc = get_num(X, v, "bandwidth_default", 0, 1, SOC_YAML_MAX_BANDWIDTH, 0,
                      &m->bw_default)) != SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "bandwidth_self")) != NULL &&
        (rc = get_num(X, v, "bandwidth_self", 0, 0, SOC_YAML_MAX_BANDWIDTH, 0, &m->bw_self)) !=
            SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "latency_us")) != NULL &&
        (rc = get_num(X, v, "latency_us", 0, 0, SOC_YAML_MAX_US, 0, &m->latency_us)) != SOC_OK)
        return rc;
    if ((v = soc_ytree_get(n, "bandwidth")) != NULL) {
        if (v->kind != SOC_YNODE_SEQUENCE)
            return fail_at(X, v, SOC_ECONFIG, "bandwidth: expected a list of [cluster, cluster, bw]");
        for (int i = 0; i < v->n; i++) {
            const soc_ynode_t *e = v->items[i];
            if (e->kind != SOC_YNODE_SEQUENCE || e->n != 3)
                return fail_at(X, e, SOC_ECONFIG, "bandwidth: expected [cluster, cluster, bw]");
            soc__map_pair_t *np = realloc(m->pairs, sizeof *np * (size_t)(m->n_pairs + 1));
            if (np == NULL)
                return fail_at(X, NULL, SOC_ENOMEM, "out of memory");
            m->pairs = np;
            soc__map_pair_t *pr = &m->pairs[m->n_pairs++];
            memset(pr, 0, sizeof *pr);
            pr->line = e->line;
            pr->col = e->col;
            if ((rc = get_str(X, e->items[0], "bandwidth", &pr->a)) != SOC_OK ||
                (rc = get_str(X, e->items[1], "bandwidth", &pr->b)) != SOC_OK ||
                (rc = get_num(X, e->items[2], "bandwidth", 0, 0, SOC_YAML_MAX_BANDWIDTH, 0,
                              &pr->bw)) != SOC_OK)
                return rc;
        }
    }
    return SOC_OK;
}

int soc_platform_map_load(soc_platform_map_t *m, const char *path, soc_error_t *err)
{
    if (m == NULL || path == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no platform map given");
    soc_ynode_t *root = NULL;
    int rc = soc_ytree_load(&root, path, err);
    if (rc != SOC_OK)
        return rc;
    char *file = soc__strdup(path);
    if (file == NULL) {
        soc_ytree_free(root);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    free(m->file);
    m->file = file;
    mctx_t X = {m->file, err};
    if ((rc = check_keys(&X, root, "the platform map", ROOT_KEYS)) != SOC_OK)
        goto out;
    const soc_ynode_t *cl = soc_ytree_get(root, "clusters");
    if (cl != NULL) {
        if (cl->kind != SOC_YNODE_SEQUENCE) {
            rc = fail_at(&X, cl, SOC_ECONFIG, "clusters: expected a list");
            goto out;
        }
        for (int i = 0; i < cl->n && rc == SOC_OK; i++)
            rc = load_cluster(&X, m, cl->items[i]);
        if (rc != SOC_OK)
            goto out;
    }
    const soc_ynode_t *cm = soc_ytree_get(root, "communication");
    if (cm != NULL)
        rc = load_comm(&X, m, cm);
out:
    soc_ytree_free(root);
    return rc;
}
