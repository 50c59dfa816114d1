/*
 * sweep.c -- sweep files (docs/sweeps.md) expanded into points and units of
 * work, validated before anything runs, and run one unit at a time
 * (soc/study.h).
 */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/ds3.h"
#include "soc/metrics.h"
#include "soc/study.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "soc_util.h"
#include "study_internal.h"

enum { COL_CONFIG = 0, COL_SCHED, COL_SEED };

typedef struct col {
    char *key;
    int kind;
    int n, cap;
    char **text; /* CSV cell */
    char **ovr;  /* override text ("key=YAML") for config columns */
    int *line, *col;
    int *range;  /* [n] the range a value came from (its axis node's line),
                    0 = listed; only a range's ends are validated */
    int *hidx;   /* [hcap] open-addressing index of (text, ovr), -1 = empty */
    size_t hcap;
} col_t;

struct soc_sweep {
    char *path;      /* the sweep file */
    char *base;      /* base config path (resolved) */
    int base_ds3;    /* base is a DS3 config_file.ini */
    int n_set;
    char **set;      /* "key=value", NULL-terminated */
    int n_cols;
    col_t *cols;
    int n_prod;      /* columns of the product (axes) */
    int n_points, cap_points;
    int *pv;         /* [n_points * n_cols], value index or -1 */
    int ds3;         /* points carry DS3 (scale, iteration) */
    int64_t *scale;  /* [n_points] when ds3 */
    int *iter;       /* [n_points] when ds3 */
    int seed_col, sched_col;
    /* units: [n_units] first point and point count */
    int n_units;
    int *unit_first, *unit_n;
    const soc_sched_catalog_t *cat;
    soc_error_t *err;    /* where load reports (valid during soc_sweep_load) */
    soc_warn_sink_t warn;/* the base's warnings, handed on once */
    int warned;
    /* run cache: the config of the last unit run in this process */
    char *cache_key;
    soc_config_t cache_cfg;
    int cache_have;
    /* per-application columns (issue 13): the applications of the base
     * config (with the `set:` overrides), none for DS3 chains */
    int n_apps;
    char **apps;
};

static void spec_free(soc_sweep_t *s)
{
    for (int a = 0; a < s->n_apps; a++)
        free(s->apps[a]);
    free(s->apps);
    s->apps = NULL;
    s->n_apps = 0;
    for (int c = 0; c < s->n_cols; c++) {
        col_t *k = &s->cols[c];
        for (int i = 0; i < k->n; i++) {
            free(k->text[i]);
            free(k->ovr[i]);
        }
        free(k->text);
        free(k->ovr);
        free(k->line);
        free(k->col);
        free(k->range);
        free(k->hidx);
        free(k->key);
    }
    for (int i = 0; i < s->n_set; i++)
        free(s->set[i]);
    free(s->set);
    free(s->cols);
    free(s->pv);
    free(s->scale);
    free(s->iter);
    free(s->path);
    free(s->base);
    free(s->unit_first);
    free(s->unit_n);
    free(s->cache_key);
    if (s->cache_have)
        soc_config_free(&s->cache_cfg);
    memset(s, 0, sizeof *s);
}


/* Report a problem of the sweep file at line:col (0 = unknown); -1. */
static int sw_fail(const soc_sweep_t *s, int code, int line, int col, const char *fmt, ...)
    SOC_PRINTF(5, 6);
static int sw_fail(const soc_sweep_t *s, int code, int line, int col, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    soc_error_set(s->err, code, s->path, line, col, "%s", msg);
    return -1;
}

static char *join_rel(const char *sweep_path, const char *rel)
{
    if (rel[0] == '/')
        return soc__strdup(rel);
    const char *slash = strrchr(sweep_path, '/');
    size_t dn = slash ? (size_t)(slash - sweep_path) + 1 : 0;
    char *p = malloc(dn + strlen(rel) + 1);
    if (p != NULL) {
        memcpy(p, sweep_path, dn);
        strcpy(p + dn, rel);
    }
    return p;
}

static int col_find(const soc_sweep_t *s, const char *key)
{
    for (int c = 0; c < s->n_cols; c++)
        if (strcmp(s->cols[c].key, key) == 0)
            return c;
    return -1;
}

static int col_add(soc_sweep_t *s, const char *key)
{
    col_t *nc = realloc(s->cols, sizeof *nc * (size_t)(s->n_cols + 1));
    if (nc == NULL)
        return -1;
    s->cols = nc;
    col_t *k = &s->cols[s->n_cols];
    memset(k, 0, sizeof *k);
    if ((k->key = soc__strdup(key)) == NULL)
        return -1;
    k->kind = strcmp(key, "scheduler") == 0 ? COL_SCHED
              : strcmp(key, "seed") == 0    ? COL_SEED
                                            : COL_CONFIG;
    return s->n_cols++;
}

static size_t value_hash(const char *text, const char *yaml)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = text; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xFFu) * 1099511628211ull;
    for (const char *p = yaml; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (size_t)h;
}

/* Index of (text, yaml) in column k, -1 if absent; *slot receives where it
 * would go in the hash index. */
static int value_find(const col_t *k, const char *text, const char *yaml, size_t *slot)
{
    size_t mask = k->hcap - 1, i = value_hash(text, yaml) & mask;
    while (k->hidx[i] >= 0) {
        int v = k->hidx[i];
        if (strcmp(k->text[v], text) == 0 && strcmp(k->ovr[v], yaml) == 0)
            return v;
        i = (i + 1) & mask;
    }
    *slot = i;
    return -1;
}

/* Keep the hash index at most half full. */
static int value_index_grow(col_t *k)
{
    if ((size_t)(k->n + 1) * 2 <= k->hcap)
        return 0;
    size_t nc = k->hcap ? k->hcap * 2 : 64;
    int *h = malloc(sizeof *h * nc);
    if (h == NULL)
        return -1;
    for (size_t i = 0; i < nc; i++)
        h[i] = -1;
    free(k->hidx);
    k->hidx = h;
    k->hcap = nc;
    for (int v = 0; v < k->n; v++) {
        size_t slot = 0;
        value_find(k, k->text[v], k->ovr[v], &slot);
        k->hidx[slot] = v;
    }
    return 0;
}

/* Room for more values in column k: the arrays double (a range of 10^5
 * values must not cost 10^5 copies of them). */
static int col_grow(col_t *k)
{
    size_t nc = k->cap ? 2 * (size_t)k->cap : 16;
    if (nc > INT_MAX)
        return -1;
    char **nt = realloc(k->text, sizeof *nt * nc);
    if (nt != NULL)
        k->text = nt;
    char **no = realloc(k->ovr, sizeof *no * nc);
    if (no != NULL)
        k->ovr = no;
    int *nl = realloc(k->line, sizeof *nl * nc);
    if (nl != NULL)
        k->line = nl;
    int *ncol = realloc(k->col, sizeof *ncol * nc);
    if (ncol != NULL)
        k->col = ncol;
    int *nr = realloc(k->range, sizeof *nr * nc);
    if (nr != NULL)
        k->range = nr;
    if (nt == NULL || no == NULL || nl == NULL || ncol == NULL || nr == NULL)
        return -1;
    k->cap = (int)nc;
    return 0;
}

/* Add a value to a column (deduplicated by text, in O(1)); returns its
 * index.  range: the line of the range node it comes from, 0 = listed. */
static int col_value(col_t *k, const char *text, const char *yaml, int line, int colno, int range)
{
    if (value_index_grow(k) != 0)
        return -1;
    size_t slot = 0;
    int found = value_find(k, text, yaml, &slot);
    if (found >= 0)
        return found;
    if (k->n == k->cap && col_grow(k) != 0)
        return -1;
    k->text[k->n] = soc__strdup(text);
    k->ovr[k->n] = soc__strdup(yaml);
    if (k->text[k->n] == NULL || k->ovr[k->n] == NULL) {
        free(k->text[k->n]);
        free(k->ovr[k->n]);
        return -1;
    }
    k->line[k->n] = line;
    k->col[k->n] = colno;
    k->range[k->n] = range;
    k->hidx[slot] = k->n;
    return k->n++;
}

/* Add the value node v (a scalar or a collection) to column k. */
static int col_node(const soc_sweep_t *s, col_t *k, const soc_ynode_t *v)
{
    char *flow = soc_ytree_to_flow(v);
    if (flow == NULL)
        return -1;
    const char *text = v->kind == SOC_YNODE_SCALAR ? v->value : flow;
    if (strchr(text, '\n') != NULL) {
        free(flow);
        return sw_fail(s, SOC_ECONFIG, v->line, v->col, "axis '%s': a value spans several lines", k->key);
    }
    int r = col_value(k, text, flow, v->line, v->col, 0);
    free(flow);
    return r;
}

static int is_int_text(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int num_of(const soc_sweep_t *s, const soc_ynode_t *n, const char *what, double *out)
{
    char *end;
    if (n == NULL || n->kind != SOC_YNODE_SCALAR || n->quoted)
        return sw_fail(s, SOC_ECONFIG, n ? n->line : 0, n ? n->col : 0, "%s must be a number", what);
    errno = 0;
    *out = strtod(n->value, &end);
    if (*n->value == '\0' || *end != '\0' || errno != 0 || !isfinite(*out))
        return sw_fail(s, SOC_ECONFIG, n->line, n->col, "%s must be a number, got '%s'", what, n->value);
    return 0;
}

#define SWEEP_MAX_POINTS 10000000

/* A range {from, to, step} | {from, to, num[, scale: log]} into column k. */
static int col_range(const soc_sweep_t *s, col_t *k, const soc_ynode_t *r)
{
    static const char *const keys[] = {"from", "to", "step", "num", "scale", NULL};
    for (int i = 0; i < r->n; i++) {
        int ok = 0;
        for (const char *const *q = keys; *q; q++)
            ok |= strcmp(r->keys[i]->value, *q) == 0;
        if (!ok)
            return sw_fail(s, SOC_ECONFIG, r->keys[i]->line, r->keys[i]->col,
                             "axis '%s': unknown range key '%s' (a range has from, to and "
                             "step or num, optionally scale: log)",
                             k->key, r->keys[i]->value);
    }
    const soc_ynode_t *nf = soc_ytree_get(r, "from"), *nt = soc_ytree_get(r, "to"),
                      *ns = soc_ytree_get(r, "step"), *nn = soc_ytree_get(r, "num"),
                      *sc = soc_ytree_get(r, "scale");
    char what[160];
    int unit = nf != NULL && nt != NULL && ns == NULL && nn == NULL && nf->kind == SOC_YNODE_SCALAR &&
               nt->kind == SOC_YNODE_SCALAR && is_int_text(nf->value) && is_int_text(nt->value);
    if (nf == NULL || nt == NULL || (!unit && (ns == NULL) == (nn == NULL)) || (ns && nn))
        return sw_fail(s, SOC_ECONFIG, r->line, r->col,
                         "axis '%s': a range needs 'from', 'to' and either 'step' or 'num' "
                         "(step 1 may be left out between integers)",
                         k->key);
    double a, b, st = 0, num = 0;
    snprintf(what, sizeof what, "axis '%s': from", k->key);
    if (num_of(s, nf, what, &a) != 0)
        return -1;
    snprintf(what, sizeof what, "axis '%s': to", k->key);
    if (num_of(s, nt, what, &b) != 0)
        return -1;
    int logscale = 0;
    if (sc != NULL) {
        if (sc->kind != SOC_YNODE_SCALAR || (strcmp(sc->value, "log") && strcmp(sc->value, "linear")))
            return sw_fail(s, SOC_ECONFIG, sc->line, sc->col, "axis '%s': scale must be log or linear",
                             k->key);
        logscale = strcmp(sc->value, "log") == 0;
    }
    long count;
    int ints = is_int_text(nf->value) && is_int_text(nt->value);
    if (ns != NULL || unit) {
        snprintf(what, sizeof what, "axis '%s': step", k->key);
        if (unit)
            st = 1;
        else if (num_of(s, ns, what, &st) != 0)
            return -1;
        if (logscale)
            return sw_fail(s, SOC_ECONFIG, sc->line, sc->col, "axis '%s': scale: log goes with num, not step",
                             k->key);
        if (st == 0 || (b - a) / st < 0)
            return sw_fail(s, SOC_ECONFIG, ns ? ns->line : r->line, ns ? ns->col : r->col,
                             "axis '%s': step %g never gets from %g to %g", k->key, st, a, b);
        double span = (b - a) / st;
        if (span > SWEEP_MAX_POINTS)
            return sw_fail(s, SOC_ECONFIG, r->line, r->col, "axis '%s': too many values", k->key);
        count = (long)floor(span + 1e-9) + 1;
        ints = ints && (unit || is_int_text(ns->value));
    } else {
        snprintf(what, sizeof what, "axis '%s': num", k->key);
        if (num_of(s, nn, what, &num) != 0)
            return -1;
        if (num < 1 || num > SWEEP_MAX_POINTS || num != floor(num))
            return sw_fail(s, SOC_ECONFIG, nn->line, nn->col,
                             "axis '%s': num must be a whole number >= 1", k->key);
        if (logscale && (a <= 0 || b <= 0))
            return sw_fail(s, SOC_ECONFIG, r->line, r->col,
                             "axis '%s': a log range needs positive from and to", k->key);
        count = (long)num;
        ints = 0;
    }
    for (long i = 0; i < count; i++) {
        double x;
        if (ns != NULL || unit)
            x = a + (double)i * st;
        else if (count == 1)
            x = a;
        else if (logscale)
            x = a * pow(b / a, (double)i / (double)(count - 1));
        else
            x = a + (b - a) * (double)i / (double)(count - 1);
        char t[64];
        if (ints)
            snprintf(t, sizeof t, "%lld", (long long)llround(x));
        else if (logscale)
            snprintf(t, sizeof t, "%.4g", x); /* readable: 103.2, not 103.170075366 */
        else
            snprintf(t, sizeof t, "%.12g", x); /* 0.1 * 3 prints as 0.3 */
        if (col_value(k, t, t, r->line, r->col, r->line) < 0)
            return -1;
    }
    return 0;
}

/* An axis node: a list, a range, {values: [...]}, or one scalar. */
static int col_axis(const soc_sweep_t *s, col_t *k, const soc_ynode_t *v)
{
    if (v->kind == SOC_YNODE_SEQUENCE) {
        if (v->n == 0)
            return sw_fail(s, SOC_ECONFIG, v->line, v->col, "axis '%s' is empty: give at least one value",
                             k->key);
        for (int i = 0; i < v->n; i++)
            if (col_node(s, k, v->items[i]) < 0)
                return -1;
        return 0;
    }
    if (v->kind == SOC_YNODE_MAPPING) {
        const soc_ynode_t *vals = soc_ytree_get(v, "values");
        if (vals != NULL && v->n == 1)
            return col_axis(s, k, vals);
        return col_range(s, k, v);
    }
    if (soc_ytree_is_null(v))
        return sw_fail(s, SOC_ECONFIG, v->line, v->col, "axis '%s' is empty: give at least one value",
                         k->key);
    return col_node(s, k, v) < 0 ? -1 : 0;
}

static int check_keys(const soc_sweep_t *s, const soc_ynode_t *m, const char *const *keys)
{
    for (int i = 0; i < m->n; i++) {
        int ok = 0;
        for (const char *const *q = keys; *q; q++)
            ok |= strcmp(m->keys[i]->value, *q) == 0;
        if (!ok) {
            char list[200] = "";
            for (const char *const *q = keys; *q; q++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         q == keys ? "" : ", ", *q);
            return sw_fail(s, SOC_ECONFIG, m->keys[i]->line, m->keys[i]->col,
                             "unknown key '%s' in the sweep file (valid keys: %s)",
                             m->keys[i]->value, list);
        }
    }
    return 0;
}

/* Load the base with overrides (config columns only).  The first load
 * hands the loader's warnings on; later ones (every value, every unit)
 * would only repeat them. */
static int load_base(const soc_sweep_t *s, char **ovr, soc_config_t *cfg, soc_error_t *err)
{
    soc_sweep_t *m = (soc_sweep_t *)s; /* the warned flag only */
    soc_load_options_t lo;
    memset(&lo, 0, sizeof lo);
    lo.struct_size = sizeof lo;
    lo.overrides = (const char *const *)ovr;
    if (!s->warned)
        lo.warnings = s->warn;
    m->warned = 1;
    if (s->base_ds3)
        return soc_load_ds3_opts(cfg, s->base, &lo, err);
    return soc_load_yaml_opts(cfg, s->base, &lo, err);
}

/* Override list set + extra (NULL-terminated, strings borrowed). */
static char **ovr_list(const soc_sweep_t *s, int extra)
{
    char **o = calloc((size_t)(s->n_set + extra + 1), sizeof *o);
    if (o != NULL)
        for (int i = 0; i < s->n_set; i++)
            o[i] = s->set[i];
    return o;
}

static char *ovr_text(const soc_sweep_t *s, const col_t *k, int v)
{
    /* a DS3 ini takes plain text; YAML takes the value as YAML */
    const char *val = s->base_ds3 ? k->text[v] : k->ovr[v];
    size_t n = strlen(k->key) + strlen(val) + 2;
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s=%s", k->key, val);
    return t;
}


/* Resolve a scheduler spec through the catalog (the token is released by
 * the caller with cat->release). */
static int resolve(const soc_sweep_t *s, const char *spec, const soc_sched_ops_t **ops,
                   const char **arg, void **token, soc_error_t *err)
{
    *ops = NULL;
    *arg = NULL;
    *token = NULL;
    if (s->cat == NULL || s->cat->resolve == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no scheduler catalog");
    return s->cat->resolve(spec, ops, arg, token, err);
}

static void release(const soc_sweep_t *s, void *token)
{
    if (token != NULL && s->cat != NULL && s->cat->release != NULL)
        s->cat->release(token);
}

/* Every value on its own, before any run: unknown keys, type mismatches
 * and bad scheduler names are reported at the value's position. */
static int validate(soc_sweep_t *s)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    char **o = ovr_list(s, 1);
    char buf[1200];
    int bad = 0;
    if (o == NULL)
        return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
    if (load_base(s, o, &cfg, &err) != SOC_OK) {
        free(o);
        return sw_fail(s, err.code ? err.code : SOC_ECONFIG, 0, 0, "base %s: %s", s->base,
                       soc_error_format(&err, buf, sizeof buf));
    }
    soc_config_free(&cfg);
    for (int c = 0; c < s->n_cols && !bad; c++) {
        const col_t *k = &s->cols[c];
        for (int v = 0; v < k->n && !bad; v++) {
            /* a range's values share their type: its two ends stand for all
             * (a 10^6-value range would otherwise load the base 10^6 times) */
            if (k->range[v] != 0 && v > 0 && v + 1 < k->n && k->range[v - 1] == k->range[v] &&
                k->range[v + 1] == k->range[v])
                continue;
            soc_error_clear(&err);
            if (k->kind == COL_SCHED) {
                const soc_sched_ops_t *ops;
                const char *arg;
                void *token;
                if (resolve(s, k->text[v], &ops, &arg, &token, &err) != SOC_OK)
                    bad = sw_fail(s, SOC_ECONFIG, k->line[v], k->col[v], "axis scheduler: %s",
                                  err.msg);
                release(s, token);
            } else if (k->kind == COL_SEED) {
                errno = 0;
                char *end;
                (void)strtoull(k->text[v], &end, 10);
                if (!is_int_text(k->text[v]) || k->text[v][0] == '-' || errno != 0)
                    bad = sw_fail(s, SOC_ECONFIG, k->line[v], k->col[v],
                                  "axis seed: '%s' is not an integer in 0 .. 2^64-1", k->text[v]);
            } else {
                char *t = ovr_text(s, k, v);
                o[s->n_set] = t;
                if (t == NULL || load_base(s, o, &cfg, &err) != SOC_OK)
                    bad = sw_fail(s, SOC_ECONFIG, k->line[v], k->col[v], "axis '%s' = %s: %s",
                                  k->key, k->text[v], t ? err.msg : "out of memory");
                else
                    soc_config_free(&cfg);
                o[s->n_set] = NULL;
                free(t);
            }
        }
    }
    free(o);
    return bad ? -1 : 0;
}

#define SWEEP_MAX_POINTS_TOTAL 10000000
/* Points are kept as a table of value indices, points x columns: at most
 * 2^25 cells (128 MiB), whatever the number of columns. */
#define SWEEP_MAX_CELLS 33554432.0

/* n points of s's columns fit the point table. */
static int cells_fit(const soc_sweep_t *s, double n)
{
    return n * (s->n_cols > 0 ? s->n_cols : 1) <= SWEEP_MAX_CELLS;
}

static int add_point(soc_sweep_t *s, const int *vals)
{
    if (s->n_points >= SWEEP_MAX_POINTS_TOTAL)
        return sw_fail(s, SOC_ELIMIT, 0, 0, "the sweep has more than %d points",
                       SWEEP_MAX_POINTS_TOTAL);
    if (!cells_fit(s, (double)s->n_points + 1))
        return sw_fail(s, SOC_ELIMIT, 0, 0,
                       "the sweep has more than %d points of %d columns (at most 2^25 cells)",
                       s->n_points, s->n_cols);
    if (s->n_points == s->cap_points) { /* doubling: linear in the point count */
        int nc = s->cap_points ? 2 * s->cap_points : 64;
        int *np = realloc(s->pv, sizeof *np * (size_t)nc * (size_t)(s->n_cols ? s->n_cols : 1));
        if (np == NULL)
            return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
        s->pv = np;
        s->cap_points = nc;
    }
    memcpy(s->pv + (size_t)s->n_points * (size_t)s->n_cols, vals,
           sizeof *vals * (size_t)s->n_cols);
    s->n_points++;
    return 0;
}

/* The override list of point p's config columns (NULL-terminated; the
 * strings after the `set:` ones are malloc'ed: free with ovr_free). */
static char **point_ovr(const soc_sweep_t *s, const int *v)
{
    char **o = ovr_list(s, s->n_cols);
    if (o == NULL)
        return NULL;
    int no = s->n_set;
    for (int c = 0; c < s->n_cols; c++)
        if (s->cols[c].kind == COL_CONFIG && v[c] >= 0) {
            if ((o[no] = ovr_text(s, &s->cols[c], v[c])) == NULL) {
                for (int i = s->n_set; i < no; i++)
                    free(o[i]);
                free(o);
                return NULL;
            }
            no++;
        }
    o[no] = NULL;
    return o;
}

static void ovr_free(const soc_sweep_t *s, char **o)
{
    for (int i = s->n_set; o != NULL && o[i] != NULL; i++)
        free(o[i]);
    free(o);
}

/* The DS3 runs (scale, iteration) of point p's config: 0, -1 on an error
 * (said), -2 out of memory. */
static int point_runs(soc_sweep_t *s, int p, soc_run_id_t **runs, int *nr)
{
    char **o = point_ovr(s, s->pv + (size_t)p * (size_t)s->n_cols);
    if (o == NULL)
        return -2;
    soc_config_t cfg;
    soc_error_t err = {0};
    char buf[1200];
    int lrc = load_base(s, o, &cfg, &err);
    ovr_free(s, o);
    if (lrc == SOC_OK) {
        lrc = soc_study_runs(&cfg, runs, nr, &err);
        soc_config_free(&cfg);
    }
    if (lrc != SOC_OK) {
        sw_fail(s, err.code ? err.code : SOC_ECONFIG, 0, 0, "point %d: %s", p,
                soc_error_format(&err, buf, sizeof buf));
        return -1;
    }
    return 0;
}

/* Units of work.  Native: one point each.  DS3: every point becomes the
 * chain of (scale, iteration) runs of its config, one point per run, and
 * the chain is one unit (its runs carry DVFS state from one to the next,
 * so they run in order on one worker). */
static int make_units(soc_sweep_t *s)
{
    int cap = s->n_points + 1, n = 0, nu = 0;
    int *pv = NULL, *uf = malloc(sizeof *uf * (size_t)cap), *un = malloc(sizeof *un * (size_t)cap);
    int64_t *sc = NULL;
    int *it = NULL;
    int rc = -1;
    if (uf == NULL || un == NULL)
        goto oom;
    if (!s->ds3) {
        for (int p = 0; p < s->n_points; p++) {
            uf[p] = p;
            un[p] = 1;
        }
        s->n_units = s->n_points;
        s->unit_first = uf;
        s->unit_n = un;
        return 0;
    }
    int pcap = s->n_points * 2 + 4;
    pv = malloc(sizeof *pv * (size_t)pcap * (size_t)s->n_cols);
    sc = malloc(sizeof *sc * (size_t)pcap);
    it = malloc(sizeof *it * (size_t)pcap);
    if (pv == NULL || sc == NULL || it == NULL)
        goto oom;
    for (int p = 0; p < s->n_points; p++) {
        const int *v = s->pv + (size_t)p * (size_t)s->n_cols;
        soc_run_id_t *runs = NULL;
        int nr = 0, prc = point_runs(s, p, &runs, &nr);
        if (prc == -2)
            goto oom;
        if (prc < 0)
            goto out;
        uf[nu] = n;
        un[nu] = nr;
        nu++;
        if (!cells_fit(s, (double)n + nr)) {
            free(runs);
            sw_fail(s, SOC_ELIMIT, 0, 0,
                    "the sweep has more than %d runs of %d columns (at most 2^25 cells)", n,
                    s->n_cols);
            goto out;
        }
        for (int r = 0; r < nr; r++) {
            if (n == pcap) {
                pcap *= 2;
                int *a = realloc(pv, sizeof *a * (size_t)pcap * (size_t)s->n_cols);
                if (a != NULL)
                    pv = a;
                int64_t *b = realloc(sc, sizeof *b * (size_t)pcap);
                if (b != NULL)
                    sc = b;
                int *c = realloc(it, sizeof *c * (size_t)pcap);
                if (c != NULL)
                    it = c;
                if (a == NULL || b == NULL || c == NULL) {
                    free(runs);
                    goto oom;
                }
            }
            memcpy(pv + (size_t)n * (size_t)s->n_cols, v, sizeof *v * (size_t)s->n_cols);
            sc[n] = runs[r].scale;
            it[n] = runs[r].iteration;
            n++;
        }
        free(runs);
        if (n > SWEEP_MAX_POINTS_TOTAL) {
            sw_fail(s, SOC_ELIMIT, 0, 0, "the sweep has more than %d runs", SWEEP_MAX_POINTS_TOTAL);
            goto out;
        }
    }
    free(s->pv);
    s->pv = pv;
    s->cap_points = pcap;
    s->scale = sc;
    s->iter = it;
    s->n_points = n;
    s->n_units = nu;
    s->unit_first = uf;
    s->unit_n = un;
    return 0;
oom:
    sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
out:
    free(pv);
    free(sc);
    free(it);
    free(uf);
    free(un);
    return rc;
}

/* `set:` as "key=value" overrides; a key given twice is refused. */
static int load_set(soc_sweep_t *s, const soc_ynode_t *set)
{
    if (set == NULL || soc_ytree_is_null(set))
        return 0;
    if (set->kind != SOC_YNODE_MAPPING)
        return sw_fail(s, SOC_ECONFIG, set->line, set->col,
                       "'set' is a mapping of config keys to values");
    if ((s->set = calloc((size_t)set->n + 1, sizeof *s->set)) == NULL)
        return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
    for (int i = 0; i < set->n; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(set->keys[j]->value, set->keys[i]->value) == 0)
                return sw_fail(s, SOC_ECONFIG, set->keys[i]->line, set->keys[i]->col,
                               "'set' gives '%s' twice (first at line %d)", set->keys[i]->value,
                               set->keys[j]->line);
        char *flow = s->base_ds3 && set->items[i]->kind == SOC_YNODE_SCALAR
                         ? soc__strdup(set->items[i]->value)
                         : soc_ytree_to_flow(set->items[i]);
        soc__buf_t t = {0};
        if (flow != NULL)
            soc__buf_printf(&t, "%s=%s", set->keys[i]->value, flow);
        free(flow);
        char *kv = flow != NULL ? soc__buf_take(&t) : NULL;
        if (kv == NULL) {
            soc__buf_free(&t);
            return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
        }
        s->set[s->n_set++] = kv;
    }
    return 0;
}

/* `axes:` (the product, first axis outermost) then `points:`. */
static int load_points(soc_sweep_t *s, const soc_ynode_t *axes, const soc_ynode_t *points)
{
    int *vals = NULL, rc = -1;
    if (axes != NULL && !soc_ytree_is_null(axes)) {
        if (axes->kind != SOC_YNODE_MAPPING || axes->n == 0)
            return sw_fail(s, SOC_ECONFIG, axes->line, axes->col,
                           "'axes' is a mapping from a config key (or scheduler, seed) to its values");
        for (int i = 0; i < axes->n; i++) {
            const char *key = axes->keys[i]->value;
            if (col_find(s, key) >= 0)
                return sw_fail(s, SOC_ECONFIG, axes->keys[i]->line, axes->keys[i]->col,
                               "axis '%s' given twice", key);
            int c = col_add(s, key);
            if (c < 0)
                return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
            if (col_axis(s, &s->cols[c], axes->items[i]) != 0)
                return -1;
        }
    }
    s->n_prod = s->n_cols;
    /* the product's size, before a single point is made */
    double prod = s->n_prod > 0 ? 1 : 0;
    for (int c = 0; c < s->n_prod; c++)
        prod *= s->cols[c].n;
    if (prod > SWEEP_MAX_POINTS_TOTAL)
        return sw_fail(s, SOC_ELIMIT, axes->line, axes->col,
                       "the axes make %.0f points; a sweep has at most %d (split it into "
                       "several sweeps, or use fewer values)",
                       prod, SWEEP_MAX_POINTS_TOTAL);
    if (!cells_fit(s, prod))
        return sw_fail(s, SOC_ELIMIT, axes->line, axes->col,
                       "the axes make %.0f points of %d columns: more than a sweep's 2^25 "
                       "cells (split it into several sweeps, or use fewer values)",
                       prod, s->n_cols);
    int have_points = points != NULL && !soc_ytree_is_null(points);
    if (have_points) {
        if (points->kind != SOC_YNODE_SEQUENCE || points->n == 0)
            return sw_fail(s, SOC_ECONFIG, points->line, points->col,
                           "'points' is a non-empty list of mappings (key: value)");
        for (int i = 0; i < points->n; i++) {
            const soc_ynode_t *pt = points->items[i];
            if (pt->kind != SOC_YNODE_MAPPING || pt->n == 0)
                return sw_fail(s, SOC_ECONFIG, pt->line, pt->col,
                               "a point is a non-empty mapping (key: value)");
            for (int j = 0; j < pt->n; j++)
                if (col_find(s, pt->keys[j]->value) < 0 && col_add(s, pt->keys[j]->value) < 0)
                    return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
        }
    }
    s->seed_col = col_find(s, "seed");
    s->sched_col = col_find(s, "scheduler");
    if ((vals = malloc(sizeof *vals * (size_t)(s->n_cols + 1))) == NULL)
        return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
    if (s->n_prod > 0) {
        for (int c = 0; c < s->n_cols; c++)
            vals[c] = c < s->n_prod ? 0 : -1;
        for (;;) {
            if (add_point(s, vals) != 0)
                goto out;
            int c = s->n_prod - 1;
            while (c >= 0 && ++vals[c] == s->cols[c].n)
                vals[c--] = 0;
            if (c < 0)
                break;
        }
    }
    for (int i = 0; have_points && i < points->n; i++) {
        const soc_ynode_t *pt = points->items[i];
        for (int c = 0; c < s->n_cols; c++)
            vals[c] = -1;
        for (int j = 0; j < pt->n; j++) {
            int c = col_find(s, pt->keys[j]->value);
            if (vals[c] >= 0) {
                sw_fail(s, SOC_ECONFIG, pt->keys[j]->line, pt->keys[j]->col,
                        "key '%s' given twice", pt->keys[j]->value);
                goto out;
            }
            if ((vals[c] = col_node(s, &s->cols[c], pt->items[j])) < 0)
                goto out;
        }
        if (add_point(s, vals) != 0)
            goto out;
    }
    rc = 0;
out:
    free(vals);
    return rc;
}

static int spec_load(soc_sweep_t *s, const char *path)
{
    soc_ynode_t *root = NULL;
    int rc = -1;
    s->seed_col = s->sched_col = -1;
    if ((s->path = soc__strdup(path)) == NULL)
        return sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
    if (soc_ytree_load(&root, path, s->err) != SOC_OK)
        return -1;
    if (root->kind != SOC_YNODE_MAPPING) {
        sw_fail(s, SOC_ECONFIG, root->line, root->col,
                "a sweep file is a mapping (base, set, axes, points)");
        goto out;
    }
    static const char *const keys[] = {"base", "ds3", "set", "axes", "points", "name", NULL};
    if (check_keys(s, root, keys) != 0)
        goto out;
    const soc_ynode_t *base = soc_ytree_get(root, "base"), *ini = soc_ytree_get(root, "ds3");
    if ((base == NULL) == (ini == NULL)) {
        sw_fail(s, SOC_ECONFIG, root->line, root->col,
                "name exactly one base: 'base: CONFIG.yaml' or 'ds3: config_file.ini'");
        goto out;
    }
    const soc_ynode_t *b = base ? base : ini;
    if (b->kind != SOC_YNODE_SCALAR || b->value[0] == '\0') {
        sw_fail(s, SOC_ECONFIG, b->line, b->col,
                "the base must be a file name (relative to the sweep file)");
        goto out;
    }
    s->base_ds3 = ini != NULL;
    if ((s->base = join_rel(path, b->value)) == NULL) {
        sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
        goto out;
    }
    if (load_set(s, soc_ytree_get(root, "set")) != 0)
        goto out;
    const soc_ynode_t *axes = soc_ytree_get(root, "axes"), *points = soc_ytree_get(root, "points");
    if ((axes == NULL || soc_ytree_is_null(axes)) && (points == NULL || soc_ytree_is_null(points))) {
        sw_fail(s, SOC_ECONFIG, root->line, root->col,
                "the sweep has no 'axes' and no 'points': nothing to run");
        goto out;
    }
    if (load_points(s, axes, points) != 0 || validate(s) != 0)
        goto out;
    /* a DS3 base (or a YAML base in DS3 semantics) runs chains */
    soc_config_t probe;
    soc_error_t perr = {0};
    char **o = ovr_list(s, 0);
    if (o == NULL) {
        sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
        goto out;
    }
    int lrc = load_base(s, o, &probe, &perr);
    free(o);
    if (lrc != SOC_OK) {
        char buf[1200];
        sw_fail(s, perr.code, 0, 0, "base %s: %s", s->base, soc_error_format(&perr, buf, sizeof buf));
        goto out;
    }
    s->ds3 = probe.semantics == SOC_SEM_DS3;
    if (!s->ds3 && probe.n_apps > 0) {
        s->apps = calloc((size_t)probe.n_apps, sizeof *s->apps);
        for (int a = 0; s->apps != NULL && a < probe.n_apps; a++)
            if ((s->apps[a] = soc__strdup(probe.apps[a].name)) != NULL)
                s->n_apps = a + 1;
        if (s->n_apps != probe.n_apps) {
            soc_config_free(&probe);
            sw_fail(s, SOC_ENOMEM, 0, 0, "out of memory");
            goto out;
        }
    }
    soc_config_free(&probe);
    if (make_units(s) != 0)
        goto out;
    rc = 0;
out:
    soc_ytree_free(root);
    return rc;
}

int soc_sweep_load(soc_sweep_t **out, const char *path, const soc_sched_catalog_t *cat,
                   const soc_warn_sink_t *warn, soc_error_t *err)
{
    soc_library_init();
    if (out == NULL || path == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *out = NULL;
    soc_sweep_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    soc_error_t local = {0};
    s->cat = cat;
    if (warn != NULL)
        s->warn = *warn;
    s->err = err != NULL ? err : &local;
    if (spec_load(s, path) != 0) {
        int code = s->err->code != 0 ? s->err->code : SOC_ECONFIG;
        spec_free(s);
        free(s);
        return code;
    }
    s->err = NULL;
    *out = s;
    return SOC_OK;
}

void soc_sweep_free(soc_sweep_t *s)
{
    if (s == NULL)
        return;
    spec_free(s);
    free(s);
}

int soc_sweep_n_points(const soc_sweep_t *s)
{
    return s->n_points;
}

int soc_sweep_n_units(const soc_sweep_t *s)
{
    return s->n_units;
}

void soc_sweep_unit(const soc_sweep_t *s, int unit, int *first_point, int *n_points)
{
    int ok = unit >= 0 && unit < s->n_units;
    if (first_point != NULL)
        *first_point = ok ? s->unit_first[unit] : 0;
    if (n_points != NULL)
        *n_points = ok ? s->unit_n[unit] : 0;
}

const char *soc_sweep_path(const soc_sweep_t *s)
{
    return s->path;
}

/* Per-application columns: "app.NAME.FIELD" for each application of the
 * base config and each of these fields of soc_app_metrics_t. */
static const char *const APP_FIELDS[] = {"completed", "avg_latency_us", "p95_latency_us",
                                         "p99_latency_us", "deadline_misses",
                                         "deadline_miss_rate"};
#define N_APP_FIELDS ((int)(sizeof APP_FIELDS / sizeof APP_FIELDS[0]))

int soc__sweep_n_metric_cols(const soc_sweep_t *s)
{
    int n;
    soc_metric_fields(&n);
    return n + s->n_apps * N_APP_FIELDS;
}

static void app_cells(soc__buf_t *b, const soc_sweep_t *s, const soc_metrics_t *m)
{
    char t[32];
    for (int a = 0; a < s->n_apps; a++) {
        const soc_app_metrics_t *x = NULL;
        for (int k = 0; m->per_app != NULL && k < m->n_apps && x == NULL; k++)
            if (m->per_app[k].name != NULL && strcmp(m->per_app[k].name, s->apps[a]) == 0)
                x = &m->per_app[k];
        if (x == NULL) { /* not in this point's config, or no window (DS3) */
            for (int f = 0; f < N_APP_FIELDS; f++)
                soc__buf_putc(b, ',');
            continue;
        }
        const double v[] = {(double)x->completed, x->avg_latency_us, x->p95_latency_us,
                            x->p99_latency_us, (double)x->deadline_misses,
                            x->deadline_miss_rate};
        soc__buf_putc(b, ',');
        soc__buf_i64(b, x->completed);
        for (int f = 1; f < N_APP_FIELDS; f++) {
            soc__buf_putc(b, ',');
            if (f == 4)
                soc__buf_i64(b, x->deadline_misses);
            else if (!isnan(v[f]))
                soc__buf_puts(b, soc__num(t, v[f]));
        }
    }
}

char *soc_sweep_header(const soc_sweep_t *s)
{
    soc__buf_t b = {0};
    soc__buf_puts(&b, "point");
    for (int c = 0; c < s->n_cols; c++) {
        soc__buf_putc(&b, ',');
        soc__buf_csv(&b, s->cols[c].key);
    }
    if (s->ds3)
        soc__buf_puts(&b, ",scale,iteration");
    soc__buf_puts(&b, soc_metrics_csv_header());
    for (int a = 0; a < s->n_apps; a++)
        for (int f = 0; f < N_APP_FIELDS; f++) {
            soc__buf_t c = {0};
            soc__buf_printf(&c, "app.%s.%s", s->apps[a], APP_FIELDS[f]);
            soc__buf_putc(&b, ',');
            soc__buf_csv(&b, soc__buf_cstr(&c));
            soc__buf_free(&c);
        }
    soc__buf_puts(&b, ",check");
    return soc__buf_take(&b);
}

char *soc_sweep_point_cells(const soc_sweep_t *s, int p)
{
    if (p < 0 || p >= s->n_points)
        return NULL;
    soc__buf_t b = {0};
    soc__buf_printf(&b, "%d", p);
    const int *v = s->pv + (size_t)p * (size_t)s->n_cols;
    for (int c = 0; c < s->n_cols; c++) {
        soc__buf_putc(&b, ',');
        if (v[c] >= 0)
            soc__buf_csv(&b, s->cols[c].text[v[c]]);
    }
    if (s->ds3)
        soc__buf_printf(&b, ",%" PRId64 ",%d", s->scale[p], s->iter[p]);
    return soc__buf_take(&b);
}

/* --------------------------------------------------------------- running */

typedef struct unit_run {
    const soc_sweep_t *s;
    int first, n;
    char **cells;
} unit_run_t;

static int on_unit_run(void *user, int index, const soc_run_id_t *run, soc_sim_t *sim)
{
    unit_run_t *u = user;
    if (index >= u->n)
        return SOC_ESTATE; /* the config describes more runs than at load time */
    if (u->s->ds3 && (run->scale != u->s->scale[u->first + index] ||
                      run->iteration != u->s->iter[u->first + index]))
        return SOC_ESTATE;
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    char *cells = soc_metrics_csv(&m);
    if (cells == NULL)
        return SOC_ENOMEM;
    if (u->s->n_apps == 0) {
        u->cells[index] = cells;
        return SOC_OK;
    }
    soc__buf_t b = {0};
    soc__buf_puts(&b, cells);
    free(cells);
    app_cells(&b, u->s, &m);
    if ((u->cells[index] = soc__buf_take(&b)) == NULL)
        return SOC_ENOMEM;
    return SOC_OK;
}

/* The unit's configuration, from the cache when the previous unit run in
 * this process had the same config overrides (schedulers and seeds vary
 * fastest in typical sweeps). */
static int unit_config(soc_sweep_t *s, const int *v, soc_config_t **cfg, soc_error_t *err)
{
    char **o = point_ovr(s, v);
    if (o == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    soc__buf_t key = {0};
    for (int i = s->n_set; o[i] != NULL; i++) {
        soc__buf_puts(&key, o[i]);
        soc__buf_putc(&key, '\n');
    }
    const char *k = soc__buf_cstr(&key);
    int rc = SOC_OK;
    if (k == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    } else if (!s->cache_have || strcmp(s->cache_key, k) != 0) {
        if (s->cache_have)
            soc_config_free(&s->cache_cfg);
        s->cache_have = 0;
        free(s->cache_key);
        s->cache_key = soc__strdup(k);
        if (s->cache_key == NULL)
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        else if ((rc = load_base(s, o, &s->cache_cfg, err)) == SOC_OK)
            s->cache_have = 1;
    }
    soc__buf_free(&key);
    ovr_free(s, o);
    *cfg = &s->cache_cfg;
    return rc;
}

int soc_sweep_run_unit(soc_sweep_t *s, int unit, char ***cells, soc_error_t *err)
{
    *cells = NULL;
    if (unit < 0 || unit >= s->n_units)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "unit %d out of range", unit);
    int first = s->unit_first[unit], n = s->unit_n[unit];
    const int *v = s->pv + (size_t)first * (size_t)s->n_cols;
    soc_config_t *cfg = NULL;
    int rc = unit_config(s, v, &cfg, err);
    if (rc != SOC_OK)
        return rc;
    uint64_t seed = cfg->seed;
    if (s->seed_col >= 0 && v[s->seed_col] >= 0)
        cfg->seed = strtoull(s->cols[s->seed_col].text[v[s->seed_col]], NULL, 10);
    const char *spec = s->sched_col >= 0 && v[s->sched_col] >= 0
                           ? s->cols[s->sched_col].text[v[s->sched_col]]
                       : cfg->scheduler                ? cfg->scheduler
                       : cfg->semantics == SOC_SEM_DS3 ? "etf" /* DS3's default */
                                                       : "heft";
    unit_run_t u = {s, first, n, calloc((size_t)n, sizeof(char *))};
    const soc_sched_ops_t *ops = NULL;
    const char *arg = NULL;
    void *token = NULL;
    if (u.cells == NULL)
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc == SOC_OK)
        rc = soc_config_finalize(cfg, err);
    if (rc == SOC_OK)
        rc = resolve(s, spec, &ops, &arg, &token, err);
    if (rc == SOC_OK) {
        soc_study_hooks_t hooks;
        memset(&hooks, 0, sizeof hooks);
        hooks.on_run = on_unit_run;
        hooks.run_user = &u;
        rc = soc_study_run_config(cfg, ops, arg, &hooks, err);
        if (rc == SOC_ESTATE)
            soc_error_set(err, rc, NULL, 0, 0, "the runs of point %d changed since the sweep was "
                                               "loaded", first);
    }
    release(s, token);
    cfg->seed = seed;
    for (int i = 0; rc == SOC_OK && i < n; i++)
        if (u.cells[i] == NULL)
            rc = soc_error_set(err, SOC_ESTATE, NULL, 0, 0, "point %d did not run", first + i);
    if (rc != SOC_OK) {
        for (int i = 0; u.cells != NULL && i < n; i++)
            free(u.cells[i]);
        free(u.cells);
        return rc;
    }
    *cells = u.cells;
    return SOC_OK;
}

int soc__sweep_group_cells(const soc_sweep_t *s, int *keep)
{
    int nk = 0, nkey = s->n_cols + (s->ds3 ? 2 : 0);
    for (int c = 0; c < nkey; c++)
        if (c != s->seed_col && !(s->ds3 && c == s->n_cols + 1))
            keep[nk++] = c;
    return nk;
}
