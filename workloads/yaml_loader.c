/*
 * yaml_loader.c -- the socsim YAML configuration (docs/config.md) read with
 * libyaml's document API into a soc_config_t.
 *
 * The file is first composed into a node tree; the tree is then walked in a
 * fixed order (semantics, platform, applications, injection, stop, ds3, the
 * top-level scalars), so the result never depends on the order of keys.
 * Every complaint carries the file:line:col of the node at fault, semantic
 * ones included.  The few problems that only soc_config_finalize detects
 * are moved to the application or cluster their message names.
 *
 * Nothing here trusts the input: every node is type-checked before use,
 * every number is range-checked (NaN, infinities and absurd magnitudes are
 * refused), list sizes are capped, and a node budget bounds the work that
 * YAML aliases could otherwise multiply.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "soc/dvfs.h"
#include "soc/ds3.h"
#include "soc/workload.h"
#include "yaml_internal.h"
#include "soc_util.h"

const char *const soc__yaml_arrival_names[] = {"poisson", "periodic", "trace", "renewal", "mmpp",
                                               NULL};
const char *const soc__yaml_on_full_names[] = {"wait", "drop", NULL};
const char *const soc__yaml_semantics_names[] = {"native", "ds3", NULL};
const char *const soc__yaml_comm_mode_names[] = {"pe_to_pe", "shared_memory", NULL};
const char *const soc__yaml_net_model_names[] = {"none", "bus", "flow", NULL};
const char *const soc__yaml_topology_names[] = {"crossbar", "shared_bus", "mesh", NULL};

#define LD_MAX_FILE_BYTES ((size_t)64 << 20)
#define LD_BUDGET 20000000L /* nodes visited, aliases counted each time */
#define LD_MAX_CLUSTERS 4096
#define LD_MAX_APPS 100000
#define LD_MAX_TASKS 1000000
#define LD_MAX_EDGES 10000000
#define LD_MAX_LIST 10000000
#define LD_MAX_TYPES 1000000
#define LD_PROB_TOL 1e-6 /* same tolerance as soc_config_finalize */
#define LD_MAX_FLOW_DEPTH 64

/* ------------------------------------------------------------ utilities */

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

static int ascii_casecmp(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return lower((unsigned char)*a) - lower((unsigned char)*b);
}

/* The candidate closest to s, or NULL when none is close enough to be a
 * plausible typo (soc__closest). */
static const char *closest(const char *s, const char *const *list, size_t n)
{
    return soc__closest(s, list, n);
}

static size_t list_len(const char *const *list)
{
    size_t n = 0;
    while (list[n] != NULL)
        n++;
    return n;
}

/* String -> int maps are soc__smap_t (soc_util.h) with borrowed keys: the
 * YAML document's scalars outlive every map of the loader. */

/* --------------------------------------------------------- loader state */

typedef struct ld_mark {
    const char *file; /* a ld_doc_t name: lives as long as the loader */
    int line, col;
} ld_mark_t;

typedef struct ld_doc {
    yaml_document_t doc;
    int loaded;
    char *name; /* file name for messages */
    char *dir;  /* resolves the references it makes ("" = cwd) */
} ld_doc_t;

typedef struct ld_exec {
    int type;
    double us;
    soc_dist_t dist; /* kind NONE: us is exact (issue 13) */
} ld_exec_t;

typedef struct ld_cluster {
    ld_exec_t *exec;
    int n_exec;
    ld_mark_t mark;
} ld_cluster_t;

typedef struct ld_app {
    ld_mark_t mark;
    int has_prob;
} ld_app_t;

typedef struct ld_type {
    ld_mark_t use; /* first task of this type; line 0 = no task uses it */
    int app, task;
    ld_mark_t def; /* first exec_us entry naming it; line 0 = none */
    int def_cluster;
} ld_type_t;

typedef struct ld {
    soc_config_t *cfg;
    soc_error_t *err;
    ld_doc_t *cur; /* document the nodes being read belong to */
    ld_doc_t **docs;
    int n_docs, cap_docs;
    long budget;
    soc__smap_t types; /* type name -> index */
    ld_type_t *tinfo;
    int cap_types;
    ld_cluster_t *clusters;
    soc__smap_t cluster_names;
    ld_app_t *apps;
    soc__smap_t app_names;
    const soc_warn_sink_t *warn; /* may be NULL */
} ld_t;

/* ------------------------------------------------------------ reporting */

static ld_mark_t mark_of(const ld_t *L, const yaml_node_t *n);
/* A warning at node n (the loader's warning sink; nothing without one). */
static void warn_at(const ld_t *L, const yaml_node_t *n, const char *msg)
{
    ld_mark_t m = mark_of(L, n);
    soc_warn(L->warn, m.file, m.line, m.col, "%s", msg);
}

static ld_mark_t mark_of(const ld_t *L, const yaml_node_t *n)
{
    ld_mark_t m;
    m.file = L->cur->name;
    m.line = n ? (int)n->start_mark.line + 1 : 0;
    m.col = n ? (int)n->start_mark.column + 1 : 0;
    return m;
}

static int vfail_at(ld_t *L, ld_mark_t m, int code, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return soc_error_set(L->err, code, m.file, m.line, m.col, "%s", msg);
}

static int fail_at(ld_t *L, ld_mark_t m, int code, const char *fmt, ...) SOC_PRINTF(4, 5);
static int fail_at(ld_t *L, ld_mark_t m, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(L, m, code, fmt, ap);
    va_end(ap);
    return rc;
}

static int fail(ld_t *L, const yaml_node_t *n, int code, const char *fmt, ...) SOC_PRINTF(4, 5);
static int fail(ld_t *L, const yaml_node_t *n, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(L, mark_of(L, n), code, fmt, ap);
    va_end(ap);
    return rc;
}

static int oom(ld_t *L)
{
    return soc_error_set(L->err, SOC_ENOMEM, L->cur ? L->cur->name : NULL, 0, 0,
                         "out of memory");
}

/* ----------------------------------------------------------- node access */

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int is_null(const yaml_node_t *n)
{
    if (!is_plain(n))
        return 0;
    const char *s = sval(n);
    return n->data.scalar.length == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        if (is_null(n))
            return "nothing (null)";
        snprintf(buf, size, "'%.40s%s'", sval(n), n->data.scalar.length > 40 ? "..." : "");
        return buf;
    default:
        return "nothing";
    }
}

/* Charge k visited nodes to the budget. */
static int tick(ld_t *L, const yaml_node_t *n, size_t k)
{
    if ((size_t)L->budget < k) {
        L->budget = 0;
        return fail(L, n, SOC_ELIMIT,
                    "document too large: more than %ld nodes (after alias expansion)",
                    LD_BUDGET);
    }
    L->budget -= (long)k;
    return SOC_OK;
}

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_at(ld_t *L, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(&L->cur->doc, n->data.sequence.items.start[i]);
}

static size_t map_len(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static yaml_node_t *map_key(ld_t *L, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(&L->cur->doc, n->data.mapping.pairs.start[i].key);
}

static yaml_node_t *map_val(ld_t *L, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(&L->cur->doc, n->data.mapping.pairs.start[i].value);
}

/* Value of a key in a mapping already checked by want_map, or NULL. */
static yaml_node_t *map_get(ld_t *L, const yaml_node_t *map, const char *key)
{
    size_t n = map_len(map);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = map_key(L, map, i);
        if (k != NULL && k->type == YAML_SCALAR_NODE && strcmp(sval(k), key) == 0)
            return map_val(L, map, i);
    }
    return NULL;
}

/* A key of a mapping: a non-empty scalar without NUL bytes. */
static int check_key(ld_t *L, const yaml_node_t *k, const char *what)
{
    char buf[64];
    if (k == NULL || k->type != YAML_SCALAR_NODE || is_null(k))
        return fail(L, k, SOC_ECONFIG, "%s: expected a key name, got %s", what,
                    k ? describe(k, buf, sizeof buf) : "nothing");
    if (strlen(sval(k)) != k->data.scalar.length)
        return fail(L, k, SOC_ECONFIG, "%s: a key contains a NUL character", what);
    return SOC_OK;
}

/* n must be a mapping whose keys all come from `keys` (at most 64), each
 * at most once. */
static int want_map(ld_t *L, const yaml_node_t *n, const char *what, const char *const *keys)
{
    char buf[64];
    if (n->type != YAML_MAPPING_NODE)
        return fail(L, n, SOC_ECONFIG, "%s must be a mapping (key: value), got %s", what,
                    describe(n, buf, sizeof buf));
    size_t np = map_len(n), nk = list_len(keys);
    int rc = tick(L, n, np);
    if (rc != SOC_OK)
        return rc;
    int first_line[64] = {0};
    for (size_t i = 0; i < np; i++) {
        yaml_node_t *k = map_key(L, n, i);
        if ((rc = check_key(L, k, what)) != SOC_OK)
            return rc;
        size_t j = 0;
        while (j < nk && strcmp(keys[j], sval(k)) != 0)
            j++;
        if (j == nk) {
            const char *s = closest(sval(k), keys, nk);
            if (s != NULL)
                return fail(L, k, SOC_ECONFIG, "unknown key '%.60s' in %s; did you mean '%s'?",
                            sval(k), what, s);
            char valid[320] = "";
            size_t used = 0;
            for (size_t q = 0; q < nk && used < sizeof valid; q++)
                used += (size_t)snprintf(valid + used, sizeof valid - used, "%s%s",
                                         q ? ", " : "", keys[q]);
            return fail(L, k, SOC_ECONFIG, "unknown key '%.60s' in %s (valid keys: %s)",
                        sval(k), what, valid);
        }
        if (first_line[j] != 0)
            return fail(L, k, SOC_ECONFIG, "duplicate key '%s' in %s (first given at line %d)",
                        keys[j], what, first_line[j]);
        first_line[j] = (int)k->start_mark.line + 1;
    }
    return SOC_OK;
}

/* n must be a list of min..max entries; *len receives its length. */
static int want_seq(ld_t *L, const yaml_node_t *n, const char *what, size_t min, size_t max,
                    size_t *len)
{
    char buf[64];
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(L, n, SOC_ECONFIG, "%s: expected a list, got %s", what,
                    describe(n, buf, sizeof buf));
    size_t k = seq_len(n);
    if (k < min && k == 0)
        return fail(L, n, SOC_ECONFIG, "%s: the list is empty", what);
    if (k < min)
        return fail(L, n, SOC_ECONFIG, "%s: needs at least %zu entries, got %zu", what, min, k);
    if (k > max)
        return fail(L, n, k > LD_MAX_LIST / 2 ? SOC_ELIMIT : SOC_ECONFIG,
                    "%s: too many entries (%zu, at most %zu)", what, k, max);
    *len = k;
    return tick(L, n, k);
}

/* -------------------------------------------------------------- scalars */

/* 0 ok, -1 not a number, -2 not finite. */
static int parse_double(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (ascii_casecmp(p, ".inf") == 0 || ascii_casecmp(p, ".nan") == 0)
        return -2;
    if (*s == '\0' || *s == ' ' || *s == '\t')
        return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0')
        return -1;
    if (!isfinite(x))
        return -2;
    *out = x;
    return 0;
}

/* 0 ok, -1 not a number, -2 not finite, -3 out of int64 range,
 * -4 not integral. */
static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end != s && *end == '\0' && *s != ' ' && *s != '\t') {
        if (errno == ERANGE)
            return -3;
        *out = (int64_t)v;
        return 0;
    }
    double d;
    int r = parse_double(s, &d);
    if (r != 0)
        return r;
    if (d != floor(d))
        return -4;
    if (d < -9.2e18 || d > 9.2e18)
        return -3;
    *out = (int64_t)d;
    return 0;
}

static int get_str(ld_t *L, const yaml_node_t *n, const char *key, char **out)
{
    char buf[64];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail(L, n, SOC_ECONFIG, "%s: expected a string, got %s", key,
                    describe(n, buf, sizeof buf));
    if (strlen(sval(n)) != n->data.scalar.length)
        return fail(L, n, SOC_ECONFIG, "%s: the string contains a NUL character", key);
    if (n->data.scalar.length == 0)
        return fail(L, n, SOC_ECONFIG, "%s: must not be empty", key);
    char *d = soc__strdup(sval(n));
    if (d == NULL)
        return oom(L);
    free(*out);
    *out = d;
    return SOC_OK;
}

/* A number in [lo, hi] (lo excluded when lo_open). */
static int get_num(ld_t *L, const yaml_node_t *n, const char *key, double lo, int lo_open,
                   double hi, double *out)
{
    char buf[64];
    double x = 0;
    if (!is_plain(n) || is_null(n))
        return fail(L, n, SOC_ECONFIG, "%s: expected a number, got %s", key,
                    describe(n, buf, sizeof buf));
    int r = parse_double(sval(n), &x);
    if (r == -1)
        return fail(L, n, SOC_ECONFIG, "%s: expected a number, got %s", key,
                    describe(n, buf, sizeof buf));
    if (r == -2)
        return fail(L, n, SOC_ECONFIG, "%s: %s is not a finite number", key,
                    describe(n, buf, sizeof buf));
    if (x < lo || (lo_open && x == lo)) {
        if (lo == 0 && lo_open)
            return fail(L, n, SOC_ECONFIG, "%s: must be positive, got %s", key, sval(n));
        if (lo == 0)
            return fail(L, n, SOC_ECONFIG, "%s: must not be negative, got %s", key, sval(n));
        return fail(L, n, SOC_ECONFIG, "%s: must be at least %g, got %s", key, lo, sval(n));
    }
    if (x > hi)
        return fail(L, n, SOC_ECONFIG, "%s: %s is absurdly large (at most %g)", key, sval(n),
                    hi);
    *out = x;
    return SOC_OK;
}

static int get_i64(ld_t *L, const yaml_node_t *n, const char *key, int64_t lo, int64_t hi,
                   int64_t *out)
{
    char buf[64];
    int64_t v = 0;
    if (!is_plain(n) || is_null(n))
        return fail(L, n, SOC_ECONFIG, "%s: expected an integer, got %s", key,
                    describe(n, buf, sizeof buf));
    switch (parse_int64(sval(n), &v)) {
    case 0:
        break;
    case -2:
        return fail(L, n, SOC_ECONFIG, "%s: %s is not a finite number", key,
                    describe(n, buf, sizeof buf));
    case -3:
        return fail(L, n, SOC_ECONFIG, "%s: %s is absurdly large (at most %lld)", key,
                    describe(n, buf, sizeof buf), (long long)hi);
    default:
        return fail(L, n, SOC_ECONFIG, "%s: expected an integer, got %s", key,
                    describe(n, buf, sizeof buf));
    }
    if (v < lo) {
        if (lo == 0)
            return fail(L, n, SOC_ECONFIG, "%s: must not be negative, got %s", key, sval(n));
        return fail(L, n, SOC_ECONFIG, "%s: must be at least %lld, got %s", key,
                    (long long)lo, sval(n));
    }
    if (v > hi)
        return fail(L, n, SOC_ECONFIG, "%s: %s is absurdly large (at most %lld)", key, sval(n),
                    (long long)hi);
    *out = v;
    return SOC_OK;
}

static int get_int(ld_t *L, const yaml_node_t *n, const char *key, int lo, int hi, int *out)
{
    int64_t v;
    int rc = get_i64(L, n, key, lo, hi, &v);
    if (rc == SOC_OK)
        *out = (int)v;
    return rc;
}

static int get_u64(ld_t *L, const yaml_node_t *n, const char *key, uint64_t *out)
{
    char buf[64];
    if (!is_plain(n) || is_null(n))
        return fail(L, n, SOC_ECONFIG, "%s: expected an integer, got %s", key,
                    describe(n, buf, sizeof buf));
    const char *s = sval(n);
    if (s[0] == '-')
        return fail(L, n, SOC_ECONFIG, "%s: must not be negative, got %s", key, s);
    const char *p = s[0] == '+' ? s + 1 : s;
    if (*p < '0' || *p > '9') {
        double d;
        if (parse_double(s, &d) == -2)
            return fail(L, n, SOC_ECONFIG, "%s: %s is not a finite number", key,
                        describe(n, buf, sizeof buf));
        return fail(L, n, SOC_ECONFIG, "%s: expected an integer, got %s", key,
                    describe(n, buf, sizeof buf));
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (*end != '\0')
        return fail(L, n, SOC_ECONFIG, "%s: expected an integer, got %s", key,
                    describe(n, buf, sizeof buf));
    if (errno == ERANGE)
        return fail(L, n, SOC_ECONFIG, "%s: %s does not fit in 64 bits", key, s);
    *out = (uint64_t)v;
    return SOC_OK;
}

static int get_bool(ld_t *L, const yaml_node_t *n, const char *key, int *out)
{
    static const char *const t[] = {"true", "yes", "on", NULL};
    static const char *const f[] = {"false", "no", "off", NULL};
    char buf[64];
    if (is_plain(n) && !is_null(n)) {
        for (int i = 0; t[i]; i++) {
            if (ascii_casecmp(sval(n), t[i]) == 0) {
                *out = 1;
                return SOC_OK;
            }
            if (ascii_casecmp(sval(n), f[i]) == 0) {
                *out = 0;
                return SOC_OK;
            }
        }
    }
    return fail(L, n, SOC_ECONFIG, "%s: expected true or false, got %s", key,
                describe(n, buf, sizeof buf));
}

/* One of the NULL-terminated choices; *out = its index. */
static int get_enum(ld_t *L, const yaml_node_t *n, const char *key, const char *const *choices,
                    int *out)
{
    char buf[64];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail(L, n, SOC_ECONFIG,
                    "%s: expected one of the names listed in docs/config.md, got %s", key,
                    describe(n, buf, sizeof buf));
    size_t nc = list_len(choices);
    for (size_t i = 0; i < nc; i++)
        if (strcmp(sval(n), choices[i]) == 0) {
            *out = (int)i;
            return SOC_OK;
        }
    char valid[200] = "";
    size_t used = 0;
    for (size_t q = 0; q < nc && used < sizeof valid; q++)
        used += (size_t)snprintf(valid + used, sizeof valid - used, "%s%s", q ? ", " : "",
                                 choices[q]);
    const char *s = closest(sval(n), choices, nc);
    if (s != NULL)
        return fail(L, n, SOC_ECONFIG, "%s: unknown value %s; did you mean '%s'? (choices: %s)",
                    key, describe(n, buf, sizeof buf), s, valid);
    return fail(L, n, SOC_ECONFIG, "%s: unknown value %s (choices: %s)", key,
                describe(n, buf, sizeof buf), valid);
}

/* ------------------------------------------------------------ documents */

static void offset_to_mark(const char *text, size_t len, size_t off, int *line, int *col)
{
    int l = 1;
    size_t start = 0;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = (int)(off - start) + 1;
}

static int parse_error(ld_t *L, const yaml_parser_t *p, const char *text, size_t len,
                       const char *name)
{
    int line, col;
    if (p->error == YAML_MEMORY_ERROR)
        return soc_error_set(L->err, SOC_ENOMEM, name, 0, 0, "out of memory while parsing YAML");
    if (p->error == YAML_READER_ERROR) {
        offset_to_mark(text, len, p->problem_offset, &line, &col);
        if (p->problem_value != -1)
            return soc_error_set(L->err, SOC_EPARSE, name, line, col,
                                 "malformed YAML: %s (byte 0x%02x)",
                                 p->problem ? p->problem : "unreadable input",
                                 (unsigned)p->problem_value & 0xffu);
        return soc_error_set(L->err, SOC_EPARSE, name, line, col, "malformed YAML: %s",
                             p->problem ? p->problem : "unreadable input");
    }
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
    if (p->context != NULL)
        return soc_error_set(L->err, SOC_EPARSE, name, line, col,
                             "malformed YAML: %s (%s at line %d, column %d)",
                             p->problem ? p->problem : "syntax error", p->context,
                             (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    return soc_error_set(L->err, SOC_EPARSE, name, line, col, "malformed YAML: %s",
                         p->problem ? p->problem : "syntax error");
}

/* libyaml spends time proportional to the flow nesting depth on every
 * token, so "[[[[...]]]]" a few hundred thousand deep takes minutes.  No
 * configuration needs more than a handful of levels: refuse deep nesting up
 * front.  The scan is approximate (it skips comments and quoted scalars,
 * and a bracket inside a plain scalar counts), which can only overestimate
 * the depth of pathological text. */
static int flow_too_deep(const char *text, size_t len, size_t *at)
{
    int depth = 0;
    char prev = '\n';
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        int start = prev == '\n' || prev == ' ' || prev == '\t' || prev == '[' || prev == '{' ||
                    prev == ',' || prev == ':';
        if (c == '#' && (prev == '\n' || prev == ' ' || prev == '\t')) {
            while (i + 1 < len && text[i + 1] != '\n')
                i++;
        } else if ((c == '\'' || c == '"') && start) {
            for (i++; i < len; i++) {
                if (c == '"' && text[i] == '\\') {
                    i++;
                    continue;
                }
                if (text[i] == c) {
                    if (c == '\'' && i + 1 < len && text[i + 1] == '\'') {
                        i++; /* '' is a quote inside '...' */
                        continue;
                    }
                    break;
                }
            }
        } else if (c == '[' || c == '{') {
            if (++depth > LD_MAX_FLOW_DEPTH) {
                *at = i;
                return 1;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
        prev = i < len ? text[i] : '\n';
    }
    return 0;
}

/* Parse text (exactly one YAML document) into a new document owned by L. */
static int open_doc(ld_t *L, const char *text, size_t len, const char *name, const char *dir,
                    ld_doc_t **out)
{
    if (L->n_docs == L->cap_docs) {
        int ncap = L->cap_docs ? 2 * L->cap_docs : 8;
        ld_doc_t **nd = realloc(L->docs, sizeof *nd * (size_t)ncap);
        if (nd == NULL)
            return oom(L);
        L->docs = nd;
        L->cap_docs = ncap;
    }
    ld_doc_t *d = calloc(1, sizeof *d);
    if (d == NULL)
        return oom(L);
    L->docs[L->n_docs++] = d;
    d->name = soc__strdup(name);
    d->dir = soc__strdup(dir);
    if (d->name == NULL || d->dir == NULL)
        return oom(L);

    size_t at;
    if (flow_too_deep(text, len, &at)) {
        int line, col;
        offset_to_mark(text, len, at, &line, &col);
        return soc_error_set(L->err, SOC_ELIMIT, d->name, line, col,
                             "nesting too deep: more than %d levels of [ ] and { }",
                             LD_MAX_FLOW_DEPTH);
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return oom(L);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int rc = SOC_OK;
    if (!yaml_parser_load(&p, &d->doc)) {
        rc = parse_error(L, &p, text, len, d->name);
        goto out;
    }
    d->loaded = 1;
    if (yaml_document_get_root_node(&d->doc) == NULL) {
        rc = soc_error_set(L->err, SOC_ECONFIG, d->name, 1, 1,
                           "the file holds no YAML document (it is empty)");
        goto out;
    }
    /* a second document would be silently ignored: refuse it */
    yaml_document_t extra;
    if (!yaml_parser_load(&p, &extra)) {
        rc = parse_error(L, &p, text, len, d->name);
        goto out;
    }
    yaml_node_t *xr = yaml_document_get_root_node(&extra);
    if (xr != NULL)
        rc = soc_error_set(L->err, SOC_ECONFIG, d->name, (int)xr->start_mark.line + 1,
                           (int)xr->start_mark.column + 1,
                           "a configuration file holds one YAML document; "
                           "a second one starts here");
    yaml_document_delete(&extra);
out:
    yaml_parser_delete(&p);
    if (rc == SOC_OK)
        *out = d;
    return rc;
}

/* Read a whole file.  0 ok; -1 I/O error (errno in *errnum); -2 too big. */
static int read_file(const char *path, char **buf, size_t *len, int *errnum)
{
    *buf = NULL;
    *len = 0;
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *errnum = errno ? errno : ENOENT;
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    if (b == NULL) {
        fclose(f);
        *errnum = ENOMEM;
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= LD_MAX_FILE_BYTES) {
                free(b);
                fclose(f);
                return -2;
            }
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                fclose(f);
                *errnum = ENOMEM;
                return -1;
            }
            b = nb;
            cap *= 2;
        }
        errno = 0;
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        *errnum = errno ? errno : EIO;
        free(b);
        fclose(f);
        return -1;
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 0;
}

/* Directory part of a path ("" when it has none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return soc__strdup("");
    size_t n = (size_t)(slash - path);
    if (n == 0)
        n = 1; /* "/x.yaml" -> "/" */
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* "dir/wifi_tx.yaml" -> "wifi_tx" */
static char *file_stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    return s;
}

static char *join_path(const char *dir, const char *ref)
{
    if (ref[0] == '/' || dir == NULL || dir[0] == '\0')
        return soc__strdup(ref);
    size_t a = strlen(dir), b = strlen(ref);
    int sep = dir[a - 1] != '/';
    char *p = malloc(a + (size_t)sep + b + 1);
    if (p != NULL) {
        memcpy(p, dir, a);
        if (sep)
            p[a] = '/';
        memcpy(p + a + (size_t)sep, ref, b + 1);
    }
    return p;
}

/* Load the file a scalar node refers to (relative to the current file). */
static int load_ref(ld_t *L, const yaml_node_t *ref, const char *what, ld_doc_t **out)
{
    char *rel = NULL;
    int rc = get_str(L, ref, what, &rel);
    if (rc != SOC_OK)
        return rc;
    char *path = join_path(L->cur->dir, rel);
    char *dir = path ? dir_of(path) : NULL;
    char *text = NULL;
    size_t len = 0;
    int errnum = 0;
    if (path == NULL || dir == NULL) {
        rc = oom(L);
        goto out;
    }
    switch (read_file(path, &text, &len, &errnum)) {
    case 0:
        break;
    case -2:
        rc = fail(L, ref, SOC_ELIMIT, "%s file '%s' is too large (over %zu MiB)", what, path,
                  LD_MAX_FILE_BYTES >> 20);
        goto out;
    default:
        rc = fail(L, ref, SOC_EIO, "cannot read %s file '%s': %s", what, path,
                  strerror(errnum));
        goto out;
    }
    rc = open_doc(L, text, len, path, dir, out);
out:
    free(text);
    free(dir);
    free(path);
    free(rel);
    return rc;
}

/* ---------------------------------------------------------------- types */

/* Index of a task type, added to the universe when new. */
static int add_type(ld_t *L, const yaml_node_t *at, const char *name, int *out)
{
    soc_platform_t *p = &L->cfg->platform;
    int idx = soc__smap_get(&L->types, name);
    if (idx >= 0) {
        *out = idx;
        return SOC_OK;
    }
    if (p->n_types >= LD_MAX_TYPES)
        return fail(L, at, SOC_ELIMIT, "too many task types (at most %d)", LD_MAX_TYPES);
    if (p->n_types == L->cap_types) {
        int ncap = L->cap_types ? 2 * L->cap_types : 32;
        char **nn = realloc(p->type_names, sizeof *nn * (size_t)ncap);
        if (nn == NULL)
            return oom(L);
        p->type_names = nn;
        ld_type_t *ni = realloc(L->tinfo, sizeof *ni * (size_t)ncap);
        if (ni == NULL)
            return oom(L);
        L->tinfo = ni;
        L->cap_types = ncap;
    }
    char *d = soc__strdup(name);
    if (d == NULL)
        return oom(L);
    p->type_names[p->n_types] = d;
    memset(&L->tinfo[p->n_types], 0, sizeof L->tinfo[0]);
    int created;
    int *slot = soc__smap_slot(&L->types, d, &created);
    if (slot == NULL) {
        free(d);
        return oom(L);
    }
    *slot = p->n_types;
    *out = p->n_types++;
    return SOC_OK;
}

static int type_supported(const soc_platform_t *p, const ld_t *L, int type)
{
    for (int c = 0; c < p->n_clusters; c++) {
        if (p->clusters[c].is_memory)
            continue;
        for (int i = 0; i < L->clusters[c].n_exec; i++)
            if (L->clusters[c].exec[i].type == type)
                return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- platform */

static const char *const PLATFORM_KEYS[] = {"name", "types", "clusters", "communication", NULL};
static const char *const CLUSTER_KEYS[] = {"name", "kind", "count", "memory", "exec_us", "power",
                                           NULL};
static const char *const POWER_KEYS[] = {"governor",      "opps",       "trip_freq_mhz",
                                         "dtpm_trip_freq_mhz", "power_profile", "pg_profile",
                                         "idle_w",        NULL};
static const char *const COMM_KEYS[] = {"mode",       "memory",     "bandwidth_self",
                                        "bandwidth_default", "latency_us", "bandwidth",
                                        "contention", NULL};
static const char *const CONTENTION_KEYS[] = {
    "model", "topology", "bandwidth", "channels", "port_bandwidth", "memory_bandwidth",
    "cols",  "rows",     "hop_latency_us", "at", "energy_pj_per_unit", NULL};

/* Governor specs are the power model's business (soc/dvfs.h); the loader
 * only adds the position and a spelling suggestion. */
static int check_governor(ld_t *L, const yaml_node_t *n, const char *g)
{
    soc_error_t ge;
    soc_error_clear(&ge);
    if (soc_dvfs_check_spec(g, &ge) == SOC_OK)
        return SOC_OK;
    const soc_dvfs_ops_t *const *list = soc_dvfs_list();
    size_t k = 0;
    while (list != NULL && list[k] != NULL)
        k++;
    const char **names = calloc(k + 1, sizeof *names);
    const char *s = NULL;
    if (names != NULL) {
        for (size_t i = 0; i < k; i++)
            names[i] = list[i]->name;
        names[k] = "none";
        s = closest(g, names, k + 1);
    }
    free(names);
    if (s != NULL)
        return fail(L, n, SOC_ECONFIG, "governor: %s; did you mean '%s'?", ge.msg, s);
    return fail(L, n, SOC_ECONFIG, "governor: %s", ge.msg);
}

/* A list of trip frequencies: MHz values or -1 (unchanged). */
static int get_trip_list(ld_t *L, const yaml_node_t *n, const char *key, double **out, int *count)
{
    size_t k;
    int rc = want_seq(L, n, key, 0, 1024, &k);
    if (rc != SOC_OK)
        return rc;
    double *v = malloc(sizeof *v * (k ? k : 1));
    if (v == NULL)
        return oom(L);
    *out = v;
    *count = (int)k;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = seq_at(L, n, i);
        if ((rc = get_num(L, e, key, -1, 0, SOC_YAML_MAX_MHZ, &v[i])) != SOC_OK)
            return rc;
        if (v[i] != -1 && v[i] <= 0)
            return fail(L, e, SOC_ECONFIG,
                        "%s: entries are frequencies in MHz or -1 (unchanged), got %s", key,
                        sval(e));
    }
    return SOC_OK;
}

/* power_profile / pg_profile: [[MHz, [W for 1..count busy PEs]], ...].
 * A row whose length does not fit the cluster's count is an error when the
 * power model is used; when it is not (native semantics, power: false) the
 * row is left without values and *misfit set, and the caller drops the
 * cluster's power block, so that scaling `count` needs no power edits. */
static int get_profile(ld_t *L, const yaml_node_t *n, const char *key, int count,
                       const char *cluster, soc_power_row_t **out, int *nrows, int *misfit)
{
    size_t k;
    int rc = want_seq(L, n, key, 0, 1024, &k);
    if (rc != SOC_OK)
        return rc;
    soc_power_row_t *rows = calloc(k ? k : 1, sizeof *rows);
    if (rows == NULL)
        return oom(L);
    *out = rows;
    *nrows = (int)k;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *row = seq_at(L, n, i), *w;
        size_t two, nw;
        if (row->type != YAML_SEQUENCE_NODE || seq_len(row) != 2)
            return fail(L, row, SOC_ECONFIG, "%s: each row is [MHz, [watts, ...]]", key);
        if ((rc = want_seq(L, row, key, 2, 2, &two)) != SOC_OK)
            return rc;
        if ((rc = get_num(L, seq_at(L, row, 0), key, 0, 1, SOC_YAML_MAX_MHZ, &rows[i].freq_mhz)) !=
            SOC_OK)
            return rc;
        if (L->cfg->semantics == SOC_SEM_NATIVE && i > 0 &&
            rows[i].freq_mhz <= rows[i - 1].freq_mhz)
            return fail(L, row, SOC_ECONFIG,
                        "%s: rows must be in ascending frequency (%g MHz after %g MHz)", key,
                        rows[i].freq_mhz, rows[i - 1].freq_mhz);
        w = seq_at(L, row, 1);
        if ((rc = want_seq(L, w, key, 0, (size_t)SOC_YAML_MAX_PES_PER_CLUSTER, &nw)) != SOC_OK)
            return rc;
        if ((int)nw != count) {
            if (L->cfg->semantics == SOC_SEM_NATIVE && !L->cfg->power_model) {
                *misfit = 1;
                continue;
            }
            return fail(L, w, SOC_ECONFIG,
                        "%s: the row has %zu values, but cluster '%s' has %d PEs (one value "
                        "per number of busy PEs): give every row %d values, or %s",
                        key, nw, cluster, count, count,
                        L->cfg->semantics == SOC_SEM_NATIVE
                            ? "set `power: false` (power blocks that do not fit their "
                              "cluster are then ignored)"
                            : "change the count (DS3 semantics always computes energy)");
        }
        rows[i].watts = malloc(sizeof(double) * (size_t)count);
        if (rows[i].watts == NULL)
            return oom(L);
        for (size_t j = 0; j < nw; j++)
            if ((rc = get_num(L, seq_at(L, w, j), key, 0, 0, SOC_YAML_MAX_WATTS,
                              &rows[i].watts[j])) != SOC_OK)
                return rc;
    }
    return SOC_OK;
}

static void free_power(soc_cluster_power_t *pw)
{
    free(pw->governor);
    free(pw->opps);
    free(pw->trip_freq_mhz);
    free(pw->dtpm_trip_freq_mhz);
    for (int i = 0; pw->profiles != NULL && i < pw->n_profiles; i++)
        free(pw->profiles[i].watts);
    for (int i = 0; pw->pg_profiles != NULL && i < pw->n_pg_profiles; i++)
        free(pw->pg_profiles[i].watts);
    free(pw->profiles);
    free(pw->pg_profiles);
    free(pw);
}

static int parse_power(ld_t *L, const yaml_node_t *n, soc_cluster_t *cl)
{
    int rc = want_map(L, n, "power", POWER_KEYS);
    if (rc != SOC_OK)
        return rc;
    soc_cluster_power_t *pw = calloc(1, sizeof *pw);
    if (pw == NULL)
        return oom(L);
    cl->power = pw;
    yaml_node_t *v;
    int misfit = 0;
    if ((v = map_get(L, n, "governor")) != NULL) {
        if ((rc = get_str(L, v, "governor", &pw->governor)) != SOC_OK)
            return rc;
        if ((rc = check_governor(L, v, pw->governor)) != SOC_OK)
            return rc;
    } else if ((pw->governor = soc__strdup("performance")) == NULL) {
        return oom(L);
    }
    if ((v = map_get(L, n, "opps")) != NULL) {
        size_t k;
        if ((rc = want_seq(L, v, "opps", 0, 1024, &k)) != SOC_OK)
            return rc;
        pw->opps = calloc(k ? k : 1, sizeof *pw->opps);
        if (pw->opps == NULL)
            return oom(L);
        pw->n_opps = (int)k;
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *o = seq_at(L, v, i);
            if (o->type != YAML_SEQUENCE_NODE || seq_len(o) != 2)
                return fail(L, o, SOC_ECONFIG, "opps: each entry is [MHz, mV]");
            if ((rc = get_num(L, seq_at(L, o, 0), "opps", 0, 1, SOC_YAML_MAX_MHZ,
                              &pw->opps[i].freq_mhz)) != SOC_OK ||
                (rc = get_num(L, seq_at(L, o, 1), "opps", 0, 0, SOC_YAML_MAX_MV,
                              &pw->opps[i].volt_mv)) != SOC_OK)
                return rc;
            /* DS3 sorts its opp lines itself; native tables must be ordered */
            if (L->cfg->semantics == SOC_SEM_NATIVE && i > 0 &&
                pw->opps[i].freq_mhz <= pw->opps[i - 1].freq_mhz)
                return fail(L, o, SOC_ECONFIG,
                            "opps: must be in ascending frequency (%g MHz after %g MHz)",
                            pw->opps[i].freq_mhz, pw->opps[i - 1].freq_mhz);
        }
    }
    if ((v = map_get(L, n, "trip_freq_mhz")) != NULL &&
        (rc = get_trip_list(L, v, "trip_freq_mhz", &pw->trip_freq_mhz, &pw->n_trip)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "dtpm_trip_freq_mhz")) != NULL &&
        (rc = get_trip_list(L, v, "dtpm_trip_freq_mhz", &pw->dtpm_trip_freq_mhz,
                            &pw->n_dtpm_trip)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "power_profile")) != NULL &&
        (rc = get_profile(L, v, "power_profile", cl->count, cl->name, &pw->profiles,
                          &pw->n_profiles, &misfit)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "pg_profile")) != NULL &&
        (rc = get_profile(L, v, "pg_profile", cl->count, cl->name, &pw->pg_profiles,
                          &pw->n_pg_profiles, &misfit)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "idle_w")) != NULL &&
        (rc = get_num(L, v, "idle_w", 0, 0, SOC_YAML_MAX_WATTS, &pw->idle_w)) != SOC_OK)
        return rc;
    if (misfit) {
        /* power off, and the profiles were written for another count */
        free_power(pw);
        cl->power = NULL;
    }
    return SOC_OK;
}

/* ------------------------------------------- distributions (issue 13) */

static const char *const DIST_KEYS[] = {"dist", "value", "mean", "sd", "cv", "min", "max",
                                        "values", "weights", "estimate_us", NULL};

enum { DIST_EXEC = 0, DIST_TIME = 1, DIST_COUNT = 2 };

/* The parameters each kind takes (after "dist"), NULL-terminated. */
static const char *const *dist_params(soc_dist_kind_t k)
{
    static const char *const constant[] = {"value", NULL}, *const mean[] = {"mean", NULL},
                             *const uniform[] = {"min", "max", NULL},
                             *const normal[] = {"mean", "sd", NULL},
                             *const cv[] = {"mean", "cv", NULL},
                             *const empirical[] = {"values", "weights", NULL};
    switch (k) {
    case SOC_DIST_CONSTANT:
        return constant;
    case SOC_DIST_EXPONENTIAL:
        return mean;
    case SOC_DIST_UNIFORM:
        return uniform;
    case SOC_DIST_NORMAL:
        return normal;
    case SOC_DIST_EMPIRICAL:
        return empirical;
    default:
        return cv;
    }
}

/* A value of a distribution: a number of µs in [lo, SOC_YAML_MAX_US], or
 * for a count an integer in [1, SOC__YAML_MAX_BATCH]. */
static int dist_value(ld_t *L, const yaml_node_t *n, const char *key, int purpose, double lo,
                      int lo_open, double *out)
{
    if (purpose == DIST_COUNT) {
        int64_t v;
        int rc = get_i64(L, n, key, 1, SOC_YAML_MAX_BATCH, &v);
        if (rc == SOC_OK)
            *out = (double)v;
        return rc;
    }
    return get_num(L, n, key, lo, lo_open, SOC_YAML_MAX_US, out);
}

static int dist_list(ld_t *L, const yaml_node_t *n, const char *key, int purpose, int weights,
                     double **out, int *count)
{
    size_t k;
    int rc = want_seq(L, n, key, 1, SOC_YAML_MAX_VALUES, &k);
    if (rc != SOC_OK)
        return rc;
    double *x = malloc(sizeof *x * k);
    if (x == NULL)
        return oom(L);
    *out = x;
    *count = (int)k;
    for (size_t i = 0; i < k && rc == SOC_OK; i++) {
        yaml_node_t *e = seq_at(L, n, i);
        rc = weights ? get_num(L, e, key, 0, 0, 1, &x[i])
                     : dist_value(L, e, key, purpose, 0, 0, &x[i]);
    }
    return rc;
}

/* The values of dist: in soc_dist_kind_of's spelling. */
static const char *const DIST_KIND_NAMES[] = {"constant",  "exponential",      "uniform",
                                              "normal",    "lognormal",        "gamma",
                                              "hyperexponential", "empirical", NULL};

/* Distribution step 1: the mapping's kind (dist: KIND, at *ki of
 * DIST_KIND_NAMES) into d->kind; every key given must belong to this kind
 * (estimate_us to DIST_EXEC) and every parameter is needed (an empirical's
 * weights are optional). */
static int dist_kind(ld_t *L, const yaml_node_t *n, const char *what, int purpose, soc_dist_t *d,
                     int *ki)
{
    const char *const *kinds = DIST_KIND_NAMES;
    int rc;
    if ((rc = want_map(L, n, what, DIST_KEYS)) != SOC_OK)
        return rc;
    if (L->cfg->semantics != SOC_SEM_NATIVE)
        return fail(L, n, SOC_ECONFIG, "%s: distributions need semantics: native", what);
    yaml_node_t *k = map_get(L, n, "dist");
    if (k == NULL)
        return fail(L, n, SOC_ECONFIG,
                    "%s: a distribution needs 'dist' (constant, exponential, uniform, normal, "
                    "lognormal, gamma, hyperexponential or empirical)", what);
    if ((rc = get_enum(L, k, "dist", kinds, ki)) != SOC_OK)
        return rc;
    d->kind = soc_dist_kind_of(kinds[*ki]);
    const char *const *want = dist_params(d->kind);
    /* every key given must belong to this kind; every parameter is needed */
    for (size_t i = 0; i < map_len(n); i++) {
        const char *key = sval(map_key(L, n, i));
        if (strcmp(key, "dist") == 0 || (strcmp(key, "estimate_us") == 0 && purpose == DIST_EXEC))
            continue;
        int ok = 0;
        for (int j = 0; want[j] != NULL; j++)
            ok |= strcmp(want[j], key) == 0;
        if (!ok && strcmp(key, "estimate_us") == 0)
            return fail(L, map_key(L, n, i), SOC_ECONFIG,
                        "estimate_us applies to execution times only (exec_us)");
        if (!ok)
            return fail(L, map_key(L, n, i), SOC_ECONFIG, "%s does not apply to dist: %s", key,
                        kinds[*ki]);
    }
    for (int j = 0; want[j] != NULL; j++)
        if (map_get(L, n, want[j]) == NULL && !(d->kind == SOC_DIST_EMPIRICAL &&
                                               strcmp(want[j], "weights") == 0))
            return fail(L, n, SOC_ECONFIG, "dist: %s needs %s", kinds[*ki], want[j]);
    return SOC_OK;
}

/* An empirical distribution's values and weights (default: equal), one
 * weight per value, summing to 1. */
static int dist_empirical(ld_t *L, const yaml_node_t *n, int purpose, soc_dist_t *d)
{
    yaml_node_t *v = map_get(L, n, "values");
    int rc = dist_list(L, v, "values", purpose, 0, &d->values, &d->n);
    yaml_node_t *wn = map_get(L, n, "weights");
    if (rc == SOC_OK && wn == NULL) {
        if ((d->weights = malloc(sizeof *d->weights * (size_t)d->n)) == NULL)
            return oom(L);
        for (int i = 0; i < d->n; i++)
            d->weights[i] = 1.0 / d->n;
    } else if (rc == SOC_OK) {
        int nw = 0;
        rc = dist_list(L, wn, "weights", purpose, 1, &d->weights, &nw);
        if (rc == SOC_OK && nw != d->n)
            rc = fail(L, wn, SOC_ECONFIG,
                      "weights has %d entries but values has %d (one weight per value)", nw,
                      d->n);
        double sum = 0;
        for (int i = 0; rc == SOC_OK && i < nw; i++)
            sum += d->weights[i];
        if (rc == SOC_OK && fabs(sum - 1) > LD_PROB_TOL)
            rc = fail(L, wn, SOC_ECONFIG, "weights sum to %.9g, not 1", sum);
    }
    return rc;
}

/* Distribution step 2: the parameters of d->kind, each checked at its
 * node. */
static int dist_params_read(ld_t *L, const yaml_node_t *n, int purpose, soc_dist_t *d)
{
    yaml_node_t *v;
    int rc;
    switch (d->kind) {
    case SOC_DIST_CONSTANT:
        return dist_value(L, map_get(L, n, "value"), "value", purpose, 0, 0, &d->mean);
    case SOC_DIST_EXPONENTIAL:
        return get_num(L, map_get(L, n, "mean"), "mean", 0, 1, SOC_YAML_MAX_US, &d->mean);
    case SOC_DIST_UNIFORM:
        rc = get_num(L, map_get(L, n, "min"), "min", 0, 0, SOC_YAML_MAX_US, &d->min);
        if (rc == SOC_OK) {
            v = map_get(L, n, "max");
            rc = get_num(L, v, "max", 0, 0, SOC_YAML_MAX_US, &d->max);
            if (rc == SOC_OK && d->max < d->min)
                rc = fail(L, v, SOC_ECONFIG, "max: must not be below min (%.17g), got %s",
                          d->min, sval(v));
        }
        return rc;
    case SOC_DIST_NORMAL:
        rc = get_num(L, map_get(L, n, "mean"), "mean", 0, 0, SOC_YAML_MAX_US, &d->mean);
        if (rc == SOC_OK)
            rc = get_num(L, map_get(L, n, "sd"), "sd", 0, 0, SOC_YAML_MAX_US, &d->sd);
        return rc;
    case SOC_DIST_EMPIRICAL:
        return dist_empirical(L, n, purpose, d);
    default: /* lognormal, gamma, hyperexponential */
        rc = get_num(L, map_get(L, n, "mean"), "mean", 0, 1, SOC_YAML_MAX_US, &d->mean);
        if (rc == SOC_OK) {
            v = map_get(L, n, "cv");
            rc = get_num(L, v, "cv", 0, 0, SOC_YAML_MAX_CV, &d->cv);
            if (rc == SOC_OK && d->kind == SOC_DIST_HYPEREXP && d->cv < 1)
                rc = fail(L, v, SOC_ECONFIG,
                          "cv: a hyperexponential needs cv >= 1 (below 1 use gamma or "
                          "lognormal), got %s", sval(v));
        }
        return rc;
    }
}

/* A distribution at n: a number (a constant; kind NONE for DIST_EXEC, where
 * *estimate is that number) or a mapping {dist: KIND, parameters...}.
 * estimate_us is accepted for DIST_EXEC only (default: the mean).  Every
 * complaint points at the node at fault. */
static int parse_dist(ld_t *L, const yaml_node_t *n, const char *what, int purpose,
                      soc_dist_t *d, double *estimate)
{
    memset(d, 0, sizeof *d);
    char buf[64];
    int rc;
    if (n->type == YAML_SCALAR_NODE) {
        double x;
        if ((rc = dist_value(L, n, what, purpose, 0, purpose == DIST_TIME, &x)) != SOC_OK)
            return rc;
        if (purpose == DIST_EXEC) {
            *estimate = x;
        } else {
            d->kind = SOC_DIST_CONSTANT;
            d->mean = x;
        }
        return SOC_OK;
    }
    if (n->type != YAML_MAPPING_NODE)
        return fail(L, n, SOC_ECONFIG,
                    "%s: expected a number or a distribution {dist: ...}, got %s", what,
                    describe(n, buf, sizeof buf));
    int ki;
    if ((rc = dist_kind(L, n, what, purpose, d, &ki)) != SOC_OK ||
        (rc = dist_params_read(L, n, purpose, d)) != SOC_OK)
        return rc;
    char msg[200];
    if (soc_dist_check(d, purpose == DIST_COUNT, msg, sizeof msg) != SOC_OK)
        return fail(L, n, SOC_ECONFIG, "%s: %s", what, msg);
    if (purpose == DIST_EXEC) {
        yaml_node_t *v;
        *estimate = soc_dist_mean(d);
        if ((v = map_get(L, n, "estimate_us")) != NULL &&
            (rc = get_num(L, v, "estimate_us", 0, 0, SOC_YAML_MAX_US, estimate)) != SOC_OK)
            return rc;
        if (!(*estimate >= 0 && *estimate <= SOC_YAML_MAX_US))
            return fail(L, n, SOC_ECONFIG, "%s: the mean %g is out of range; give estimate_us",
                        what, *estimate);
    }
    return SOC_OK;
}

static int parse_exec(ld_t *L, const yaml_node_t *n, int c)
{
    char buf[64];
    if (n->type != YAML_MAPPING_NODE)
        return fail(L, n, SOC_ECONFIG, "exec_us must be a mapping of task type to µs, got %s",
                    describe(n, buf, sizeof buf));
    size_t np = map_len(n);
    int rc = tick(L, n, np);
    if (rc != SOC_OK)
        return rc;
    ld_cluster_t *lc = &L->clusters[c];
    lc->exec = malloc(sizeof *lc->exec * (np ? np : 1));
    if (lc->exec == NULL)
        return oom(L);
    soc__smap_t seen = {.borrow = 1};
    for (size_t i = 0; i < np && rc == SOC_OK; i++) {
        yaml_node_t *k = map_key(L, n, i), *v = map_val(L, n, i);
        int type, created;
        if ((rc = check_key(L, k, "exec_us")) != SOC_OK)
            break;
        int *slot = soc__smap_slot(&seen, sval(k), &created);
        if (slot == NULL) {
            rc = oom(L);
            break;
        }
        if (!created) {
            rc = fail(L, k, SOC_ECONFIG,
                      "exec_us: task type '%s' is listed twice (first at line %d)", sval(k),
                      *slot);
            break;
        }
        *slot = (int)k->start_mark.line + 1;
        double us;
        soc_dist_t d; /* a number, or a distribution (issue 13) */
        if ((rc = parse_dist(L, v, "exec_us", DIST_EXEC, &d, &us)) != SOC_OK) {
            soc_dist_free(&d);
            break;
        }
        if ((rc = add_type(L, k, sval(k), &type)) != SOC_OK) {
            soc_dist_free(&d);
            break;
        }
        if (L->tinfo[type].def.line == 0) {
            L->tinfo[type].def = mark_of(L, k);
            L->tinfo[type].def_cluster = c;
        }
        lc->exec[lc->n_exec].type = type;
        lc->exec[lc->n_exec].us = us;
        lc->exec[lc->n_exec].dist = d;
        lc->n_exec++;
    }
    soc__smap_free(&seen);
    return rc;
}

static int parse_cluster(ld_t *L, const yaml_node_t *n, int c)
{
    soc_cluster_t *cl = &L->cfg->platform.clusters[c];
    int rc = want_map(L, n, "a cluster", CLUSTER_KEYS);
    if (rc != SOC_OK)
        return rc;
    L->clusters[c].mark = mark_of(L, n);
    yaml_node_t *v = map_get(L, n, "name");
    if (v == NULL)
        return fail(L, n, SOC_ECONFIG, "a cluster needs a name (missing key 'name')");
    if ((rc = get_str(L, v, "name", &cl->name)) != SOC_OK)
        return rc;
    int created;
    int *slot = soc__smap_slot(&L->cluster_names, cl->name, &created);
    if (slot == NULL)
        return oom(L);
    if (!created)
        return fail(L, v, SOC_ECONFIG, "cluster name '%s' is used twice (first at line %d)",
                    cl->name, L->clusters[*slot].mark.line);
    *slot = c;
    if ((v = map_get(L, n, "kind")) != NULL && (rc = get_str(L, v, "kind", &cl->kind)) != SOC_OK)
        return rc;
    cl->count = 1;
    if ((v = map_get(L, n, "count")) != NULL &&
        (rc = get_int(L, v, "count", 1, SOC_YAML_MAX_PES_PER_CLUSTER, &cl->count)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "memory")) != NULL &&
        (rc = get_bool(L, v, "memory", &cl->is_memory)) != SOC_OK)
        return rc;
    v = map_get(L, n, "exec_us");
    if (cl->is_memory && v != NULL)
        return fail(L, v, SOC_ECONFIG,
                    "cluster '%s' is a memory (memory: true) and runs no tasks; remove exec_us",
                    cl->name);
    if (!cl->is_memory && v == NULL)
        return fail(L, n, SOC_ECONFIG,
                    "cluster '%s' needs exec_us (task type -> µs), or memory: true", cl->name);
    if (v != NULL && (rc = parse_exec(L, v, c)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "power")) != NULL && !is_null(v) &&
        (rc = parse_power(L, v, cl)) != SOC_OK)
        return rc;
    return SOC_OK;
}

static int cluster_index(ld_t *L, const yaml_node_t *n, const char *key, int *out)
{
    char *name = NULL;
    int rc = get_str(L, n, key, &name);
    if (rc != SOC_OK)
        return rc;
    int c = soc__smap_get(&L->cluster_names, name);
    if (c < 0) {
        const soc_platform_t *p = &L->cfg->platform;
        const char **names = malloc(sizeof *names * (size_t)(p->n_clusters ? p->n_clusters : 1));
        const char *s = NULL;
        if (names != NULL) {
            for (int i = 0; i < p->n_clusters; i++)
                names[i] = p->clusters[i].name;
            s = closest(name, names, (size_t)p->n_clusters);
        }
        if (s != NULL)
            rc = fail(L, n, SOC_ECONFIG, "%s: unknown cluster '%.60s'; did you mean '%s'?", key,
                      name, s);
        else
            rc = fail(L, n, SOC_ECONFIG, "%s: unknown cluster '%.60s'", key, name);
        free(names);
        free(name);
        return rc;
    }
    free(name);
    *out = c;
    return SOC_OK;
}

/* ---------------------------------------------- communication.contention
 * (docs/config.md "Contention").  Keys that do not apply to the chosen
 * model are checked and kept but not used, so that one file can switch
 * models (a sweep axis over `model`). */

/* One router position [x, y] inside the cols x rows mesh. */
static int get_router(ld_t *L, const yaml_node_t *n, const soc_contention_t *c, int *xy)
{
    if (n->type != YAML_SEQUENCE_NODE || seq_len(n) != 2)
        return fail(L, n, SOC_ECONFIG, "at: a router position is [x, y]");
    int rc;
    if ((rc = get_int(L, seq_at(L, n, 0), "at", 0, c->cols - 1, &xy[0])) != SOC_OK ||
        (rc = get_int(L, seq_at(L, n, 1), "at", 0, c->rows - 1, &xy[1])) != SOC_OK)
        return rc;
    return SOC_OK;
}

/* at: {CLUSTER: [x, y]} (every PE of the cluster on one router) or
 * {CLUSTER: [[x, y], ...]} (one router per PE, `count` entries). */
static int parse_placement(ld_t *L, const yaml_node_t *n, soc_contention_t *c, int model)
{
    const soc_platform_t *p = &L->cfg->platform;
    char buf[64];
    if (n->type != YAML_MAPPING_NODE)
        return fail(L, n, SOC_ECONFIG, "at: expected a mapping cluster -> [x, y], got %s",
                    describe(n, buf, sizeof buf));
    int n_pes = 0, rc;
    for (int k = 0; k < p->n_clusters; k++)
        n_pes += p->clusters[k].count;
    c->at = malloc(sizeof *c->at * 2 * (size_t)n_pes);
    if (c->at == NULL)
        return oom(L);
    c->n_at = n_pes;
    for (int i = 0; i < 2 * n_pes; i++)
        c->at[i] = -1;
    size_t np = map_len(n);
    if ((rc = tick(L, n, np)) != SOC_OK)
        return rc;
    for (size_t i = 0; i < np; i++) {
        yaml_node_t *k = map_key(L, n, i), *v = map_val(L, n, i);
        int cl, first = 0;
        if ((rc = cluster_index(L, k, "at", &cl)) != SOC_OK)
            return rc;
        for (int q = 0; q < cl; q++)
            first += p->clusters[q].count;
        if (c->at[2 * first] >= 0)
            return fail(L, k, SOC_ECONFIG, "at: cluster '%s' is placed twice",
                        p->clusters[cl].name);
        int count = p->clusters[cl].count;
        if (v->type == YAML_SEQUENCE_NODE && seq_len(v) > 0 &&
            seq_at(L, v, 0)->type == YAML_SEQUENCE_NODE) {
            if (seq_len(v) != (size_t)count)
                return fail(L, v, SOC_ECONFIG,
                            "at: cluster '%s' has %d PEs; give one [x, y] or %d of them",
                            p->clusters[cl].name, count, count);
            for (int e = 0; e < count; e++)
                if ((rc = get_router(L, seq_at(L, v, (size_t)e), c, &c->at[2 * (first + e)])) !=
                    SOC_OK)
                    return rc;
        } else {
            int xy[2];
            if ((rc = get_router(L, v, c, xy)) != SOC_OK)
                return rc;
            for (int e = 0; e < count; e++) {
                c->at[2 * (first + e)] = xy[0];
                c->at[2 * (first + e) + 1] = xy[1];
            }
        }
    }
    if (model == SOC_NET_FLOW && c->topology == SOC_TOPO_MESH)
        for (int k = 0, pe = 0; k < p->n_clusters; pe += p->clusters[k++].count)
            if (c->at[2 * pe] < 0)
                return fail(L, n, SOC_ECONFIG, "at: cluster '%s' has no router (every cluster "
                            "needs one on a mesh)", p->clusters[k].name);
    return SOC_OK;
}

/* contention.port_bandwidth v: a mapping cluster -> bandwidth of the in and
 * out ports of that cluster's PEs. */
static int parse_port_bw(ld_t *L, const yaml_node_t *v, soc_contention_t *c)
{
    soc_platform_t *p = &L->cfg->platform;
    char buf[64];
    int rc;
    if (v->type != YAML_MAPPING_NODE)
        return fail(L, v, SOC_ECONFIG,
                    "port_bandwidth: expected a mapping cluster -> bandwidth, got %s",
                    describe(v, buf, sizeof buf));
    c->port_bw = calloc((size_t)p->n_clusters, sizeof *c->port_bw);
    if (c->port_bw == NULL)
        return oom(L);
    size_t np = map_len(v);
    if ((rc = tick(L, v, np)) != SOC_OK)
        return rc;
    for (size_t i = 0; i < np; i++) {
        int cl;
        if ((rc = cluster_index(L, map_key(L, v, i), "port_bandwidth", &cl)) != SOC_OK ||
            (rc = get_num(L, map_val(L, v, i), "port_bandwidth", 0, 1, SOC_YAML_MAX_BANDWIDTH,
                          &c->port_bw[cl])) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

static int parse_contention(ld_t *L, const yaml_node_t *n)
{
    soc_platform_t *p = &L->cfg->platform;
    soc_contention_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return oom(L);
    soc_contention_free(p->contention);
    p->contention = c;
    c->channels = 1;
    int rc, model = SOC_NET_NONE, topo = SOC_TOPO_CROSSBAR;
    const yaml_node_t *where = n;
    yaml_node_t *v;
    if (n->type == YAML_SCALAR_NODE) { /* contention: none | bus | flow */
        if ((rc = get_enum(L, n, "contention", soc__yaml_net_model_names, &model)) != SOC_OK)
            return rc;
    } else {
        if ((rc = want_map(L, n, "contention", CONTENTION_KEYS)) != SOC_OK)
            return rc;
        if ((v = map_get(L, n, "model")) == NULL)
            return fail(L, n, SOC_ECONFIG, "contention needs a model (none, bus or flow)");
        where = v;
        if ((rc = get_enum(L, v, "model", soc__yaml_net_model_names, &model)) != SOC_OK)
            return rc;
        if ((v = map_get(L, n, "topology")) != NULL &&
            (rc = get_enum(L, v, "topology", soc__yaml_topology_names, &topo)) != SOC_OK)
            return rc;
        c->topology = (soc_net_topology_t)topo;
        if ((v = map_get(L, n, "bandwidth")) != NULL &&
            (rc = get_num(L, v, "bandwidth", 0, 1, SOC_YAML_MAX_BANDWIDTH, &c->bandwidth)) !=
                SOC_OK)
            return rc;
        if ((v = map_get(L, n, "channels")) != NULL &&
            (rc = get_int(L, v, "channels", 1, 65536, &c->channels)) != SOC_OK)
            return rc;
        if ((v = map_get(L, n, "memory_bandwidth")) != NULL &&
            (rc = get_num(L, v, "memory_bandwidth", 0, 1, SOC_YAML_MAX_BANDWIDTH,
                          &c->memory_bw)) != SOC_OK)
            return rc;
        if ((v = map_get(L, n, "energy_pj_per_unit")) != NULL &&
            (rc = get_num(L, v, "energy_pj_per_unit", 0, 0, 1e12, &c->energy_pj_per_unit)) !=
                SOC_OK)
            return rc;
        if ((v = map_get(L, n, "port_bandwidth")) != NULL &&
            (rc = parse_port_bw(L, v, c)) != SOC_OK)
            return rc;
        int mesh = c->topology == SOC_TOPO_MESH;
        yaml_node_t *vc = map_get(L, n, "cols"), *vr = map_get(L, n, "rows");
        if (mesh && model == SOC_NET_FLOW && (vc == NULL || vr == NULL))
            return fail(L, n, SOC_ECONFIG, "a mesh needs its size: cols and rows");
        if (vc != NULL && (rc = get_int(L, vc, "cols", 1, 1024, &c->cols)) != SOC_OK)
            return rc;
        if (vr != NULL && (rc = get_int(L, vr, "rows", 1, 1024, &c->rows)) != SOC_OK)
            return rc;
        if ((v = map_get(L, n, "hop_latency_us")) != NULL &&
            (rc = get_num(L, v, "hop_latency_us", 0, 0, SOC_YAML_MAX_US, &c->hop_latency_us)) !=
                SOC_OK)
            return rc;
        v = map_get(L, n, "at");
        if (v != NULL && (vc == NULL || vr == NULL))
            return fail(L, v, SOC_ECONFIG, "at: router positions need the mesh size (cols, rows)");
        if (v == NULL && mesh && model == SOC_NET_FLOW)
            return fail(L, n, SOC_ECONFIG, "a mesh needs the router of every cluster: at");
        if (v != NULL && (rc = parse_placement(L, v, c, model)) != SOC_OK)
            return rc;
    }
    c->model = (soc_net_model_t)model;
    if (model != SOC_NET_NONE && L->cfg->semantics != SOC_SEM_NATIVE)
        return fail(L, where, SOC_ECONFIG,
                    "contention models need native semantics (DS3 semantics has no contention)");
    return SOC_OK;
}

static int parse_comm(ld_t *L, const yaml_node_t *n)
{
    soc_platform_t *p = &L->cfg->platform;
    int rc = want_map(L, n, "communication", COMM_KEYS);
    if (rc != SOC_OK)
        return rc;
    yaml_node_t *v;
    int mode = SOC_COMM_PE_TO_PE;
    if ((v = map_get(L, n, "mode")) != NULL &&
        (rc = get_enum(L, v, "mode", soc__yaml_comm_mode_names, &mode)) != SOC_OK)
        return rc;
    p->comm_mode = (soc_comm_mode_t)mode;
    if ((v = map_get(L, n, "memory")) != NULL) {
        if ((rc = cluster_index(L, v, "memory", &p->memory_cluster)) != SOC_OK)
            return rc;
    } else if (p->comm_mode == SOC_COMM_SHARED_MEMORY) {
        /* the one memory cluster is the obvious choice; more is ambiguous */
        for (int c = 0; c < p->n_clusters; c++) {
            if (!p->clusters[c].is_memory)
                continue;
            if (p->memory_cluster >= 0)
                return fail(L, n, SOC_ECONFIG,
                            "shared_memory mode: several memory clusters; name one with 'memory:'");
            p->memory_cluster = c;
        }
        if (p->memory_cluster < 0)
            return fail(L, n, SOC_ECONFIG,
                        "shared_memory mode needs a memory cluster (memory: true) named by "
                        "'memory:'");
    }
    if ((v = map_get(L, n, "bandwidth_self")) != NULL &&
        (rc = get_num(L, v, "bandwidth_self", 0, 0, SOC_YAML_MAX_BANDWIDTH, &p->bw_self)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "bandwidth_default")) != NULL &&
        (rc = get_num(L, v, "bandwidth_default", 0, 1, SOC_YAML_MAX_BANDWIDTH, &p->bw_default)) !=
            SOC_OK)
        return rc;
    if ((v = map_get(L, n, "latency_us")) != NULL &&
        (rc = get_num(L, v, "latency_us", 0, 0, SOC_YAML_MAX_US, &p->latency_us)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "contention")) != NULL && (rc = parse_contention(L, v)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "bandwidth")) != NULL) {
        size_t k, nc = (size_t)p->n_clusters;
        if ((rc = want_seq(L, v, "bandwidth", 0, nc * nc + nc, &k)) != SOC_OK)
            return rc;
        if (k == 0)
            return SOC_OK;
        p->bw = calloc(nc * nc, sizeof *p->bw);
        if (p->bw == NULL)
            return oom(L);
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *e = seq_at(L, v, i);
            int a, b;
            double bw;
            if (e->type != YAML_SEQUENCE_NODE || seq_len(e) != 3)
                return fail(L, e, SOC_ECONFIG,
                            "bandwidth: each entry is [cluster, cluster, data units per µs]");
            if ((rc = cluster_index(L, seq_at(L, e, 0), "bandwidth", &a)) != SOC_OK ||
                (rc = cluster_index(L, seq_at(L, e, 1), "bandwidth", &b)) != SOC_OK ||
                (rc = get_num(L, seq_at(L, e, 2), "bandwidth", 0, 0, SOC_YAML_MAX_BANDWIDTH,
                              &bw)) != SOC_OK)
                return rc;
            /* symmetric, like DS3's comm_band; a later entry overrides */
            p->bw[(size_t)a * nc + (size_t)b] = bw;
            p->bw[(size_t)b * nc + (size_t)a] = bw;
        }
    }
    return SOC_OK;
}

static int platform_map(ld_t *L, const yaml_node_t *n)
{
    soc_platform_t *p = &L->cfg->platform;
    int rc = want_map(L, n, "the platform", PLATFORM_KEYS);
    if (rc != SOC_OK)
        return rc;
    yaml_node_t *v;
    if ((v = map_get(L, n, "name")) != NULL && (rc = get_str(L, v, "name", &p->name)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "types")) != NULL) {
        size_t k;
        if ((rc = want_seq(L, v, "types", 0, LD_MAX_TYPES, &k)) != SOC_OK)
            return rc;
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *t = seq_at(L, v, i);
            char *name = NULL;
            int idx;
            if ((rc = get_str(L, t, "types", &name)) != SOC_OK)
                return rc;
            int before = p->n_types;
            rc = add_type(L, t, name, &idx);
            free(name);
            if (rc != SOC_OK)
                return rc;
            if (idx < before)
                return fail(L, t, SOC_ECONFIG, "types: '%s' is listed twice", p->type_names[idx]);
        }
    }
    v = map_get(L, n, "clusters");
    if (v == NULL)
        return fail(L, n, SOC_ECONFIG, "the platform needs clusters (missing key 'clusters')");
    size_t nc;
    if ((rc = want_seq(L, v, "clusters", 1, LD_MAX_CLUSTERS, &nc)) != SOC_OK)
        return rc;
    p->clusters = calloc(nc, sizeof *p->clusters);
    L->clusters = calloc(nc, sizeof *L->clusters);
    if (p->clusters == NULL || L->clusters == NULL)
        return oom(L);
    p->n_clusters = (int)nc;
    for (size_t c = 0; c < nc; c++)
        if ((rc = parse_cluster(L, seq_at(L, v, c), (int)c)) != SOC_OK)
            return rc;
    if ((v = map_get(L, n, "communication")) != NULL && !is_null(v) &&
        (rc = parse_comm(L, v)) != SOC_OK)
        return rc;
    return SOC_OK;
}

static int parse_platform(ld_t *L, const yaml_node_t *v)
{
    if (v->type != YAML_SCALAR_NODE || is_null(v))
        return platform_map(L, v);
    ld_doc_t *d, *save = L->cur;
    int rc = load_ref(L, v, "platform", &d);
    if (rc != SOC_OK)
        return rc;
    L->cur = d;
    rc = platform_map(L, yaml_document_get_root_node(&d->doc));
    L->cur = save;
    return rc;
}

/* --------------------------------------------------------- applications */

static const char *const APP_KEYS[] = {"name", "file", "probability", "deadline_us", "head",
                                       "tail", "tasks", "edges", NULL};
static const char *const TASK_KEYS[] = {"name", "type", NULL};

static const char *task_label(const soc_app_t *a, int t, char *buf, size_t size)
{
    if (a->tasks[t].name != NULL)
        return a->tasks[t].name;
    snprintf(buf, size, "#%d", t);
    return buf;
}

/* name -> index over an application's tasks; repeated names map to -2. */
static int task_map(ld_t *L, const soc_app_t *a, soc__smap_t *m)
{
    for (int t = 0; t < a->n_tasks; t++) {
        if (a->tasks[t].name == NULL)
            continue;
        int created;
        int *slot = soc__smap_slot(m, a->tasks[t].name, &created);
        if (slot == NULL)
            return oom(L);
        *slot = created ? t : -2;
    }
    return SOC_OK;
}

/* A task reference: an index (plain integer) or a task name. */
static int resolve_task(ld_t *L, const yaml_node_t *n, const soc_app_t *a, const soc__smap_t *m,
                        const char *key, int *out)
{
    char buf[64];
    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail(L, n, SOC_ECONFIG, "%s: expected a task name or index, got %s", key,
                    describe(n, buf, sizeof buf));
    int64_t idx;
    if (is_plain(n) && parse_int64(sval(n), &idx) == 0) {
        if (idx < 0 || idx >= a->n_tasks)
            return fail(L, n, SOC_ECONFIG,
                        "%s: task index %lld is out of range (application '%s' has tasks 0..%d)",
                        key, (long long)idx, a->name, a->n_tasks - 1);
        *out = (int)idx;
        return SOC_OK;
    }
    int t = soc__smap_get(m, sval(n));
    if (t == -2)
        return fail(L, n, SOC_ECONFIG,
                    "%s: task name '%.60s' is not unique in application '%s'; use its index",
                    key, sval(n), a->name);
    if (t < 0) {
        const char **names = malloc(sizeof *names * (size_t)a->n_tasks);
        const char *s = NULL;
        if (names != NULL) {
            for (int i = 0; i < a->n_tasks; i++)
                names[i] = a->tasks[i].name;
            s = closest(sval(n), names, (size_t)a->n_tasks);
        }
        free(names);
        if (s != NULL)
            return fail(L, n, SOC_ECONFIG,
                        "%s: application '%s' has no task '%.60s'; did you mean '%s'?", key,
                        a->name, sval(n), s);
        return fail(L, n, SOC_ECONFIG, "%s: application '%s' has no task '%.60s'", key, a->name,
                    sval(n));
    }
    *out = t;
    return SOC_OK;
}

static int parse_task(ld_t *L, const yaml_node_t *n, int a, int t)
{
    soc_app_t *app = &L->cfg->apps[a];
    soc_task_def_t *td = &app->tasks[t];
    char *type = NULL;
    int rc;
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        /* shorthand: a bare name is a task whose type is its name */
        if ((rc = get_str(L, n, "tasks", &td->name)) != SOC_OK)
            return rc;
        type = soc__strdup(td->name);
        if (type == NULL)
            return oom(L);
    } else {
        if ((rc = want_map(L, n, "a task", TASK_KEYS)) != SOC_OK)
            return rc;
        yaml_node_t *nv = map_get(L, n, "name"), *tv = map_get(L, n, "type");
        if (nv == NULL && tv == NULL)
            return fail(L, n, SOC_ECONFIG, "a task needs a name or a type");
        if (nv != NULL && (rc = get_str(L, nv, "name", &td->name)) != SOC_OK)
            return rc;
        if (tv != NULL)
            rc = get_str(L, tv, "type", &type);
        else if ((type = soc__strdup(td->name)) == NULL)
            rc = oom(L);
        if (rc != SOC_OK) {
            free(type);
            return rc;
        }
    }
    rc = add_type(L, n, type, &td->type);
    free(type);
    if (rc != SOC_OK)
        return rc;
    ld_type_t *ti = &L->tinfo[td->type];
    if (ti->use.line == 0) {
        ti->use = mark_of(L, n);
        ti->app = a;
        ti->task = t;
    }
    return SOC_OK;
}

typedef struct ld_edge_ref {
    int src, dst, idx;
} ld_edge_ref_t;

static int cmp_edge_ref(const void *x, const void *y)
{
    const ld_edge_ref_t *a = x, *b = y;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    if (a->dst != b->dst)
        return a->dst < b->dst ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Work arrays of check_graph (n tasks, m edges). */
typedef struct ld_graph {
    const soc_app_t *app;
    int n, m;
    ld_edge_ref_t *er;
    int *indeg, *poff, *pedge, *queue, *soff, *sedge, *fill, *step;
} ld_graph_t;

static void graph_free(ld_graph_t *g)
{
    free(g->er);
    free(g->indeg);
    free(g->poff);
    free(g->pedge);
    free(g->queue);
    free(g->soff);
    free(g->sedge);
    free(g->fill);
    free(g->step);
}

static int graph_alloc(ld_graph_t *g, const soc_app_t *app)
{
    memset(g, 0, sizeof *g);
    int n = app->n_tasks, m = app->n_edges;
    g->app = app;
    g->n = n;
    g->m = m;
    g->er = malloc(sizeof *g->er * (size_t)(m ? m : 1));
    g->indeg = calloc((size_t)n, sizeof(int));
    g->poff = calloc((size_t)n + 1, sizeof(int));
    g->pedge = malloc(sizeof(int) * (size_t)(m ? m : 1));
    g->queue = malloc(sizeof(int) * (size_t)n);
    g->soff = calloc((size_t)n + 1, sizeof(int));
    g->sedge = malloc(sizeof(int) * (size_t)(m ? m : 1));
    g->fill = calloc((size_t)n + 1, sizeof(int));
    return g->er && g->indeg && g->poff && g->pedge && g->queue && g->soff && g->sedge && g->fill
               ? 0
               : -1;
}

/* An edge listed twice: reported at its second occurrence. */
static int graph_duplicates(ld_t *L, const yaml_node_t *edges, ld_graph_t *g)
{
    const soc_app_t *app = g->app;
    char b1[32], b2[32];
    for (int e = 0; e < g->m; e++) {
        g->er[e].src = app->edges[e].src;
        g->er[e].dst = app->edges[e].dst;
        g->er[e].idx = e;
    }
    qsort(g->er, (size_t)g->m, sizeof *g->er, cmp_edge_ref);
    for (int i = 1; i < g->m; i++)
        if (g->er[i].src == g->er[i - 1].src && g->er[i].dst == g->er[i - 1].dst) {
            yaml_node_t *first = seq_at(L, edges, (size_t)g->er[i - 1].idx);
            return fail(L, seq_at(L, edges, (size_t)g->er[i].idx), SOC_ECONFIG,
                        "application '%s': edge %s -> %s is listed twice (first at line %d)",
                        app->name, task_label(app, g->er[i].src, b1, sizeof b1),
                        task_label(app, g->er[i].dst, b2, sizeof b2),
                        (int)first->start_mark.line + 1);
        }
    return SOC_OK;
}

/* CSR of predecessors and successors, edges in file order. */
static void graph_adjacency(ld_graph_t *g)
{
    const soc_app_t *app = g->app;
    int n = g->n, m = g->m;
    for (int e = 0; e < m; e++) {
        g->poff[app->edges[e].dst + 1]++;
        g->soff[app->edges[e].src + 1]++;
    }
    for (int i = 0; i < n; i++) {
        g->poff[i + 1] += g->poff[i];
        g->soff[i + 1] += g->soff[i];
    }
    for (int e = 0; e < m; e++) {
        int d = app->edges[e].dst;
        g->pedge[g->poff[d] + g->fill[d]++] = e;
    }
    memset(g->fill, 0, sizeof(int) * ((size_t)n + 1));
    for (int e = 0; e < m; e++) {
        int s = app->edges[e].src;
        g->sedge[g->soff[s] + g->fill[s]++] = e;
    }
}

/* Kahn's algorithm; whatever is left sits on or behind a cycle, which is
 * then reported as a path of task names at its first edge. */
static int graph_acyclic(ld_t *L, const yaml_node_t *edges, ld_graph_t *g)
{
    const soc_app_t *app = g->app;
    int n = g->n, *indeg = g->indeg, *poff = g->poff, *queue = g->queue;
    int head = 0, tail = 0;
    char b1[32];
    for (int i = 0; i < n; i++) {
        indeg[i] = poff[i + 1] - poff[i];
        if (indeg[i] == 0)
            queue[tail++] = i;
    }
    while (head < tail) {
        int u = queue[head++];
        for (int k = g->soff[u]; k < g->soff[u + 1]; k++) {
            int d = app->edges[g->sedge[k]].dst;
            if (--indeg[d] == 0)
                queue[tail++] = d;
        }
    }
    if (tail == n)
        return SOC_OK;
    /* every task left has a predecessor that is also left: walk backwards
     * until a task repeats, which closes a cycle */
    int *step = g->step = malloc(sizeof(int) * (size_t)n);
    int *via = g->fill; /* reuse: edge used to leave each task */
    if (step == NULL)
        return oom(L);
    for (int i = 0; i < n; i++)
        step[i] = -1;
    int cur = 0;
    while (indeg[cur] == 0)
        cur++;
    for (int k = 0; step[cur] < 0; k++) {
        step[cur] = k;
        int e = -1;
        for (int q = poff[cur]; q < poff[cur + 1]; q++)
            if (indeg[app->edges[g->pedge[q]].src] > 0) {
                e = g->pedge[q];
                break;
            }
        via[cur] = e;
        cur = app->edges[e].src;
    }
    /* cycle (backwards): cur <- src(via[cur]) <- ... <- cur */
    int len = 0, first_edge = INT_MAX;
    for (int v = cur;;) {
        int e = via[v];
        queue[len++] = v;
        if (e < first_edge)
            first_edge = e;
        v = app->edges[e].src;
        if (v == cur)
            break;
    }
    char path[400];
    size_t used = 0;
    for (int i = len; i >= 0 && used < sizeof path - 8; i--) {
        int v = queue[i == len ? 0 : i];
        used += (size_t)snprintf(path + used, sizeof path - used, "%s%s",
                                 i == len ? "" : " -> ", task_label(app, v, b1, sizeof b1));
    }
    if (used >= sizeof path - 8)
        snprintf(path + sizeof path - 8, 8, " ...");
    return fail(L, seq_at(L, edges, (size_t)first_edge), SOC_ECYCLE,
                "application '%s': the task graph has a cycle: %s", app->name, path);
}

/* Weakly connected: union-find over the edges (reuses poff). */
static int graph_connected(ld_t *L, const yaml_node_t *tasks, ld_graph_t *g)
{
    const soc_app_t *app = g->app;
    int n = g->n, *parent = g->poff;
    char b1[32], b2[32];
    for (int i = 0; i < n; i++)
        parent[i] = i;
    for (int e = 0; e < g->m; e++) {
        int x = app->edges[e].src, y = app->edges[e].dst;
        while (parent[x] != x)
            x = parent[x] = parent[parent[x]];
        while (parent[y] != y)
            y = parent[y] = parent[parent[y]];
        if (x != y)
            parent[x > y ? x : y] = x < y ? x : y;
    }
    for (int i = 1; i < n; i++) {
        int x = i;
        while (parent[x] != x)
            x = parent[x];
        if (x != 0)
            return fail(L, seq_at(L, tasks, (size_t)i), SOC_ECONFIG,
                        "application '%s': the task graph is not connected: task '%s' has no "
                        "path to or from task '%s' (DS3 semantics needs one connected graph)",
                        app->name, task_label(app, i, b1, sizeof b1),
                        task_label(app, 0, b2, sizeof b2));
    }
    return SOC_OK;
}

/* Repeated edges, cycles and (in DS3 semantics) disconnected graphs, found here so that the
 * message can point at the edge or task at fault. */
static int check_graph(ld_t *L, const yaml_node_t *tasks, const yaml_node_t *edges, int a)
{
    ld_graph_t g;
    int rc = graph_alloc(&g, &L->cfg->apps[a]) != 0 ? oom(L) : SOC_OK;
    if (rc == SOC_OK)
        rc = graph_duplicates(L, edges, &g);
    if (rc == SOC_OK) {
        graph_adjacency(&g);
        rc = graph_acyclic(L, edges, &g);
    }
    /* native semantics runs a job of independent parts; DS3's jobs are one
     * graph from HEAD to TAIL */
    if (rc == SOC_OK && L->cfg->semantics == SOC_SEM_DS3)
        rc = graph_connected(L, tasks, &g);
    graph_free(&g);
    return rc;
}

static int parse_edges(ld_t *L, const yaml_node_t *n, int a, const soc__smap_t *tm)
{
    soc_app_t *app = &L->cfg->apps[a];
    size_t k;
    int rc = want_seq(L, n, "edges", 0, LD_MAX_EDGES, &k);
    if (rc != SOC_OK)
        return rc;
    app->edges = calloc(k ? k : 1, sizeof *app->edges);
    if (app->edges == NULL)
        return oom(L);
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = seq_at(L, n, i);
        soc_edge_t *ed = &app->edges[i];
        if (e->type != YAML_SEQUENCE_NODE || seq_len(e) < 2 || seq_len(e) > 3)
            return fail(L, e, SOC_ECONFIG, "edges: each edge is [source, destination] or "
                                           "[source, destination, volume]");
        if ((rc = resolve_task(L, seq_at(L, e, 0), app, tm, "edges", &ed->src)) != SOC_OK ||
            (rc = resolve_task(L, seq_at(L, e, 1), app, tm, "edges", &ed->dst)) != SOC_OK)
            return rc;
        if (seq_len(e) == 3 &&
            (rc = get_num(L, seq_at(L, e, 2), "edges", 0, 0, SOC_YAML_MAX_VOLUME, &ed->volume)) !=
                SOC_OK)
            return rc;
        if (ed->src == ed->dst) {
            char b[32];
            return fail(L, e, SOC_ECYCLE, "application '%s': task '%s' depends on itself",
                        app->name, task_label(app, ed->src, b, sizeof b));
        }
        app->n_edges = (int)i + 1;
    }
    return SOC_OK;
}

/* name, probability, deadline_us, head, tail: keys an application file's
 * reference may set too. */
static int app_scalars(ld_t *L, const yaml_node_t *n, int a)
{
    soc_app_t *app = &L->cfg->apps[a];
    yaml_node_t *v;
    int rc;
    if ((v = map_get(L, n, "name")) != NULL && (rc = get_str(L, v, "name", &app->name)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "probability")) != NULL) {
        if ((rc = get_num(L, v, "probability", 0, 0, 1, &app->probability)) != SOC_OK)
            return rc;
        L->apps[a].has_prob = 1;
    }
    if ((v = map_get(L, n, "deadline_us")) != NULL &&
        (rc = get_num(L, v, "deadline_us", 0, 0, SOC_YAML_MAX_US, &app->deadline_us)) != SOC_OK)
        return rc;
    yaml_node_t *h = map_get(L, n, "head"), *t = map_get(L, n, "tail");
    if (h == NULL && t == NULL)
        return SOC_OK;
    soc__smap_t tm = {.borrow = 1};
    rc = task_map(L, app, &tm);
    if (rc == SOC_OK && h != NULL)
        rc = resolve_task(L, h, app, &tm, "head", &app->head);
    if (rc == SOC_OK && t != NULL)
        rc = resolve_task(L, t, app, &tm, "tail", &app->tail);
    soc__smap_free(&tm);
    return rc;
}

static int app_map(ld_t *L, const yaml_node_t *n, int a, int from_file)
{
    soc_app_t *app = &L->cfg->apps[a];
    int rc = want_map(L, n, from_file ? "an application file" : "an application", APP_KEYS);
    if (rc != SOC_OK)
        return rc;
    yaml_node_t *v;
    if (from_file && (v = map_get(L, n, "file")) != NULL)
        return fail(L, v, SOC_ECONFIG, "an application file cannot refer to another file");
    /* a file's application may go without a name: it defaults to the
     * file's stem (set by the caller) */
    if (!from_file && map_get(L, n, "name") == NULL)
        return fail(L, n, SOC_ECONFIG, "an application needs a name (missing key 'name')");
    yaml_node_t *tasks = map_get(L, n, "tasks"), *edges = map_get(L, n, "edges");
    if (tasks == NULL)
        return fail(L, n, SOC_ECONFIG, "an application needs tasks (missing key 'tasks')");
    if ((v = map_get(L, n, "name")) != NULL && (rc = get_str(L, v, "name", &app->name)) != SOC_OK)
        return rc;
    size_t nt;
    if (is_null(tasks) || (tasks->type == YAML_SEQUENCE_NODE && seq_len(tasks) == 0))
        return fail(L, tasks, SOC_ECONFIG, "application '%s' has no tasks", app->name);
    if ((rc = want_seq(L, tasks, "tasks", 1, LD_MAX_TASKS, &nt)) != SOC_OK)
        return rc;
    app->tasks = calloc(nt, sizeof *app->tasks);
    if (app->tasks == NULL)
        return oom(L);
    app->n_tasks = (int)nt;
    for (size_t t = 0; t < nt; t++)
        if ((rc = parse_task(L, seq_at(L, tasks, t), a, (int)t)) != SOC_OK)
            return rc;
    soc__smap_t tm = {.borrow = 1};
    rc = task_map(L, app, &tm);
    if (rc == SOC_OK && edges != NULL && !is_null(edges))
        rc = parse_edges(L, edges, a, &tm);
    soc__smap_free(&tm);
    if (rc == SOC_OK)
        rc = check_graph(L, tasks, edges, a);
    if (rc == SOC_OK)
        rc = app_scalars(L, n, a);
    return rc;
}

static int parse_app_item(ld_t *L, const yaml_node_t *n, int a)
{
    soc_app_t *app = &L->cfg->apps[a];
    app->head = app->tail = -1;
    L->apps[a].mark = mark_of(L, n);
    const yaml_node_t *ref = NULL;
    int rc;
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        ref = n;
    } else if (n->type == YAML_MAPPING_NODE) {
        if ((rc = want_map(L, n, "an application", APP_KEYS)) != SOC_OK)
            return rc;
        ref = map_get(L, n, "file");
        if (ref != NULL) {
            yaml_node_t *bad = map_get(L, n, "tasks");
            if (bad == NULL)
                bad = map_get(L, n, "edges");
            if (bad != NULL)
                return fail(L, bad, SOC_ECONFIG,
                            "tasks and edges come from the application file; remove them here");
        }
    } else {
        char buf[64];
        return fail(L, n, SOC_ECONFIG,
                    "an application is a mapping or the name of an application file, got %s",
                    describe(n, buf, sizeof buf));
    }
    if (ref == NULL) {
        rc = app_map(L, n, a, 0);
    } else {
        ld_doc_t *d, *save = L->cur;
        if ((rc = load_ref(L, ref, "application", &d)) != SOC_OK)
            return rc;
        if ((app->name = file_stem(d->name)) == NULL)
            return oom(L);
        L->cur = d;
        rc = app_map(L, yaml_document_get_root_node(&d->doc), a, 1);
        L->cur = save;
        /* the referencing entry may rename it or set its share/deadline */
        if (rc == SOC_OK && ref != n)
            rc = app_scalars(L, n, a);
    }
    if (rc != SOC_OK)
        return rc;
    int created;
    int *slot = soc__smap_slot(&L->app_names, app->name, &created);
    if (slot == NULL)
        return oom(L);
    if (!created)
        return fail_at(L, L->apps[a].mark, SOC_ECONFIG,
                       "application name '%s' is used twice (first at line %d)", app->name,
                       L->apps[*slot].mark.line);
    *slot = a;
    return SOC_OK;
}

static int parse_apps(ld_t *L, const yaml_node_t *v)
{
    soc_config_t *cfg = L->cfg;
    size_t n;
    if (v->type == YAML_SEQUENCE_NODE && seq_len(v) == 0)
        return fail(L, v, SOC_ECONFIG,
                    "applications: the list is empty; at least one application is needed");
    if (is_null(v))
        return fail(L, v, SOC_ECONFIG, "applications: empty; at least one application is needed");
    int rc = want_seq(L, v, "applications", 1, LD_MAX_APPS, &n);
    if (rc != SOC_OK)
        return rc;
    cfg->apps = calloc(n, sizeof *cfg->apps);
    L->apps = calloc(n, sizeof *L->apps);
    if (cfg->apps == NULL || L->apps == NULL)
        return oom(L);
    cfg->n_apps = (int)n;
    for (size_t a = 0; a < n; a++)
        cfg->apps[a].head = cfg->apps[a].tail = -1;
    for (size_t a = 0; a < n; a++)
        if ((rc = parse_app_item(L, seq_at(L, v, a), (int)a)) != SOC_OK)
            return rc;
    return SOC_OK;
}

static int app_index(ld_t *L, const yaml_node_t *n, const char *key, int *out)
{
    char *name = NULL;
    int rc = get_str(L, n, key, &name);
    if (rc != SOC_OK)
        return rc;
    int a = soc__smap_get(&L->app_names, name);
    if (a < 0) {
        const soc_config_t *cfg = L->cfg;
        const char **names = malloc(sizeof *names * (size_t)cfg->n_apps);
        const char *s = NULL;
        if (names != NULL) {
            for (int i = 0; i < cfg->n_apps; i++)
                names[i] = cfg->apps[i].name;
            s = closest(name, names, (size_t)cfg->n_apps);
        }
        free(names);
        if (s != NULL)
            rc = fail(L, n, SOC_ECONFIG, "%s: unknown application '%.60s'; did you mean '%s'?",
                      key, name, s);
        else
            rc = fail(L, n, SOC_ECONFIG, "%s: unknown application '%.60s'", key, name);
        free(name);
        return rc;
    }
    free(name);
    *out = a;
    return SOC_OK;
}

/* -------------------------------------------------------- probabilities */

static int settle_probabilities(ld_t *L, const yaml_node_t *mix, const yaml_node_t *apps_node)
{
    soc_config_t *cfg = L->cfg;
    const yaml_node_t *where = apps_node;
    char buf[64];
    int rc;
    if (mix != NULL && !is_null(mix)) {
        if (mix->type != YAML_MAPPING_NODE)
            return fail(L, mix, SOC_ECONFIG,
                        "mix must be a mapping of application to share, got %s",
                        describe(mix, buf, sizeof buf));
        size_t np = map_len(mix);
        if ((rc = tick(L, mix, np)) != SOC_OK)
            return rc;
        int *seen = calloc((size_t)cfg->n_apps, sizeof(int));
        if (seen == NULL)
            return oom(L);
        for (int a = 0; a < cfg->n_apps; a++)
            cfg->apps[a].probability = 0;
        for (size_t i = 0; i < np && rc == SOC_OK; i++) {
            yaml_node_t *k = map_key(L, mix, i);
            int a;
            if ((rc = app_index(L, k, "mix", &a)) != SOC_OK)
                break;
            if (seen[a]) {
                rc = fail(L, k, SOC_ECONFIG,
                          "mix: application '%s' is listed twice (first at line %d)",
                          cfg->apps[a].name, seen[a]);
                break;
            }
            seen[a] = (int)k->start_mark.line + 1;
            rc = get_num(L, map_val(L, mix, i), "mix", 0, 0, 1, &cfg->apps[a].probability);
        }
        free(seen);
        if (rc != SOC_OK)
            return rc;
        where = mix;
    } else {
        int given = 0;
        for (int a = 0; a < cfg->n_apps; a++)
            given += L->apps[a].has_prob;
        if (given == 0) {
            for (int a = 0; a < cfg->n_apps; a++)
                cfg->apps[a].probability = 1.0 / cfg->n_apps;
            return SOC_OK;
        }
        for (int a = 0; a < cfg->n_apps; a++)
            if (!L->apps[a].has_prob)
                return fail_at(L, L->apps[a].mark, SOC_ECONFIG,
                               "application '%s' has no probability while others have one: give "
                               "every application a probability, none (equal shares), or use "
                               "injection.mix",
                               cfg->apps[a].name);
    }
    double sum = 0;
    for (int a = 0; a < cfg->n_apps; a++)
        sum += cfg->apps[a].probability;
    if (fabs(sum - 1.0) > LD_PROB_TOL)
        return fail(L, where, SOC_ECONFIG, "application probabilities sum to %.9g, not 1", sum);
    return SOC_OK;
}

/* ------------------------------------------------------------ injection */

static const char *const INJ_KEYS[] = {"arrival",  "mean_interarrival_us", "period_us",
                                       "start_us", "times_us", "apps", "mix", "max_in_flight",
                                       "warmup_us", "interarrival", "states", "switch",
                                       "sojourn_us", "batch", "on_full", NULL};
static const char *const STOP_KEYS[] = {"jobs", "time_us", NULL};

static int parse_trace(ld_t *L, const yaml_node_t *times, const yaml_node_t *apps, int native)
{
    soc_injection_t *in = &L->cfg->injection;
    size_t k;
    int rc = want_seq(L, times, "times_us", native ? 1 : 0, LD_MAX_LIST, &k);
    if (rc != SOC_OK)
        return rc;
    in->times_us = malloc(sizeof(double) * (k ? k : 1));
    if (in->times_us == NULL)
        return oom(L);
    in->n_times = (int)k;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = seq_at(L, times, i);
        if ((rc = get_num(L, e, "times_us", 0, 0, SOC_YAML_MAX_US, &in->times_us[i])) != SOC_OK)
            return rc;
        if (i > 0 && in->times_us[i] < in->times_us[i - 1])
            return fail(L, e, SOC_ECONFIG,
                        "times_us must not decrease: %s comes after %.17g", sval(e),
                        in->times_us[i - 1]);
    }
    if (apps == NULL || is_null(apps))
        return SOC_OK;
    size_t ka;
    if ((rc = want_seq(L, apps, "apps", 0, LD_MAX_LIST, &ka)) != SOC_OK)
        return rc;
    if (ka != k)
        return fail(L, apps, SOC_ECONFIG,
                    "apps has %zu entries but times_us has %zu (one application per arrival)", ka,
                    k);
    in->trace_apps = malloc(sizeof(int) * (k ? k : 1));
    if (in->trace_apps == NULL)
        return oom(L);
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = seq_at(L, apps, i);
        if (is_null(e))
            in->trace_apps[i] = -1; /* drawn from the mix */
        else if ((rc = app_index(L, e, "apps", &in->trace_apps[i])) != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

/* issue 13: the keys of renewal and MMPP arrivals, batches and on_full. */
static const yaml_node_t *stoch_wrong_key(ld_t *L, const yaml_node_t *v, soc_arrival_kind_t kind,
                                          const char **key)
{
    static const char *const renewal[] = {"interarrival", NULL},
                             *const mmpp[] = {"states", "switch", "sojourn_us", NULL};
    for (int i = 0; renewal[i] != NULL; i++)
        if (kind != SOC_ARRIVAL_RENEWAL && map_get(L, v, renewal[i]) != NULL)
            return map_get(L, v, *key = renewal[i]);
    for (int i = 0; mmpp[i] != NULL; i++)
        if (kind != SOC_ARRIVAL_MMPP && map_get(L, v, mmpp[i]) != NULL)
            return map_get(L, v, *key = mmpp[i]);
    if (kind == SOC_ARRIVAL_TRACE && map_get(L, v, "batch") != NULL)
        return map_get(L, v, *key = "batch");
    return NULL;
}

/* Renewal arrivals: interarrival, a time distribution with a mean of at
 * least the engine's time step. */
static int parse_renewal(ld_t *L, const yaml_node_t *v)
{
    soc_injection_t *in = &L->cfg->injection;
    yaml_node_t *x;
    int rc;
    if ((x = map_get(L, v, "interarrival")) == NULL)
        return fail(L, v, SOC_ECONFIG,
                    "arrival: renewal needs interarrival (a number or {dist: ...})");
    if ((rc = parse_dist(L, x, "interarrival", DIST_TIME, &in->interarrival, NULL)) != SOC_OK)
        return rc;
    if (!(soc_dist_mean(&in->interarrival) >= SOC_MIN_INTERVAL_US))
        return fail(L, x, SOC_ECONFIG,
                    "interarrival: the mean (%.3g us) must be at least 1 ns, the engine's "
                    "time step",
                    soc_dist_mean(&in->interarrival));
    return SOC_OK;
}

/* MMPP switch: an n x n matrix of switching rates per µs (the diagonal,
 * perhaps the generator's -q_i, is ignored). */
static int mmpp_switch(ld_t *L, const yaml_node_t *sw, size_t n)
{
    soc_injection_t *in = &L->cfg->injection;
    size_t rows, cols;
    int rc;
    if ((rc = want_seq(L, sw, "switch", n, n, &rows)) != SOC_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *row = seq_at(L, sw, i);
        if ((rc = want_seq(L, row, "switch", n, n, &cols)) != SOC_OK)
            return rc;
        for (size_t j = 0; j < n; j++) {
            double r;
            /* the diagonal may hold the generator's -q_i: ignored */
            if ((rc = get_num(L, seq_at(L, row, j), "switch", i == j ? -1e6 : 0, 0,
                              SOC_YAML_MAX_RATE, &r)) != SOC_OK)
                return rc;
            in->switch_rate[i * n + j] = i == j ? 0 : r;
        }
    }
    return SOC_OK;
}

/* MMPP sojourn_us: the mean time in each of the n states; leaving a state,
 * each other state is equally likely. */
static int mmpp_sojourn(ld_t *L, const yaml_node_t *so, size_t n)
{
    soc_injection_t *in = &L->cfg->injection;
    size_t k;
    int rc;
    if ((rc = want_seq(L, so, "sojourn_us", n, n, &k)) != SOC_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double t;
        if ((rc = get_num(L, seq_at(L, so, i), "sojourn_us", 0, 1, SOC_YAML_MAX_US, &t)) !=
            SOC_OK)
            return rc;
        /* leaving state i, each other state is equally likely */
        for (size_t j = 0; j < n; j++)
            in->switch_rate[i * n + j] = i == j ? 0 : 1.0 / (t * (double)(n - 1));
    }
    return SOC_OK;
}

/* MMPP arrivals: states (mean inter-arrival time in each), and switch or
 * sojourn_us (one of them when there are several states); at most 1e6
 * switches per arrival on average. */
static int parse_mmpp(ld_t *L, const yaml_node_t *v)
{
    soc_injection_t *in = &L->cfg->injection;
    yaml_node_t *st = map_get(L, v, "states"), *sw = map_get(L, v, "switch"),
                *so = map_get(L, v, "sojourn_us");
    size_t n;
    int rc;
    if (st == NULL)
        return fail(L, v, SOC_ECONFIG,
                    "arrival: mmpp needs states (the mean inter-arrival time in each state)");
    if ((rc = want_seq(L, st, "states", 1, SOC_YAML_MAX_STATES, &n)) != SOC_OK)
        return rc;
    if ((in->state_mean_us = malloc(sizeof(double) * n)) == NULL ||
        (in->switch_rate = calloc(n * n, sizeof(double))) == NULL)
        return oom(L);
    in->n_states = (int)n;
    for (size_t i = 0; i < n; i++)
        if ((rc = get_num(L, seq_at(L, st, i), "states", 0, 1, SOC_YAML_MAX_US,
                          &in->state_mean_us[i])) != SOC_OK)
            return rc;
    for (size_t i = 0; i < n; i++)
        if (in->state_mean_us[i] < SOC_MIN_INTERVAL_US)
            return fail(L, seq_at(L, st, i), SOC_ECONFIG,
                        "states: %s us is below 1 ns, the engine's time step (the "
                        "smallest is 0.001)",
                        sval(seq_at(L, st, i)));
    if (sw != NULL && so != NULL)
        return fail(L, so, SOC_ECONFIG, "give either switch or sojourn_us, not both");
    if (n > 1 && sw == NULL && so == NULL)
        return fail(L, v, SOC_ECONFIG,
                    "arrival: mmpp with %zu states needs switch (rates per µs) or "
                    "sojourn_us (mean time in each state)", n);
    if (sw != NULL && (rc = mmpp_switch(L, sw, n)) != SOC_OK)
        return rc;
    if (so != NULL && (rc = mmpp_sojourn(L, so, n)) != SOC_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double q = 0;
        for (size_t j = 0; j < n; j++)
            q += in->switch_rate[i * n + j];
        if (q * in->state_mean_us[i] > 1e6)
            return fail(L, sw ? sw : so, SOC_ECONFIG,
                        "state %zu switches %.3g times per arrival on average (at most 1e6)",
                        i, q * in->state_mean_us[i]);
    }
    return SOC_OK;
}

/* issue 13: renewal and MMPP arrivals (native only), batches, on_full. */
static int parse_stoch_injection(ld_t *L, const yaml_node_t *v, int native)
{
    soc_injection_t *in = &L->cfg->injection;
    yaml_node_t *x;
    int rc;
    if (in->kind == SOC_ARRIVAL_RENEWAL || in->kind == SOC_ARRIVAL_MMPP) {
        if (!native)
            return fail(L, map_get(L, v, "arrival"), SOC_ECONFIG,
                        "arrival: %s needs semantics: native", soc__yaml_arrival_names[in->kind]);
    }
    if (in->kind == SOC_ARRIVAL_RENEWAL && (rc = parse_renewal(L, v)) != SOC_OK)
        return rc;
    if (in->kind == SOC_ARRIVAL_MMPP && (rc = parse_mmpp(L, v)) != SOC_OK)
        return rc;
    if ((x = map_get(L, v, "batch")) != NULL &&
        (rc = parse_dist(L, x, "batch", DIST_COUNT, &in->batch, NULL)) != SOC_OK)
        return rc;
    if (x != NULL && !native)
        return fail(L, x, SOC_ECONFIG, "batch needs semantics: native");
    int of = SOC_ON_FULL_WAIT;
    if ((x = map_get(L, v, "on_full")) != NULL &&
        (rc = get_enum(L, x, "on_full", soc__yaml_on_full_names, &of)) != SOC_OK)
        return rc;
    if (of == SOC_ON_FULL_DROP && !native)
        return fail(L, x, SOC_ECONFIG, "on_full: drop needs semantics: native");
    in->on_full = (soc_on_full_t)of;
    return SOC_OK;
}

/* The injection mapping v (arrival process, its parameters, start, warm-up,
 * max_in_flight); *mix = its mix node. */
static int parse_arrivals(ld_t *L, const yaml_node_t *v, const yaml_node_t **mix)
{
    soc_injection_t *in = &L->cfg->injection;
    int native = L->cfg->semantics == SOC_SEM_NATIVE, rc;
    yaml_node_t *x;
    if ((rc = want_map(L, v, "injection", INJ_KEYS)) != SOC_OK)
        return rc;
    yaml_node_t *arr = map_get(L, v, "arrival"), *mean = map_get(L, v, "mean_interarrival_us"),
                *period = map_get(L, v, "period_us"), *times = map_get(L, v, "times_us"),
                *apps = map_get(L, v, "apps");
    if (arr == NULL)
        return fail(L, v, SOC_ECONFIG,
                    "injection needs 'arrival' (poisson, periodic, trace, renewal or mmpp)");
    int kind;
    if ((rc = get_enum(L, arr, "arrival", soc__yaml_arrival_names, &kind)) != SOC_OK)
        return rc;
    in->kind = (soc_arrival_kind_t)kind;
    const yaml_node_t *wrong = NULL;
    const char *wrong_key = NULL;
    if (in->kind != SOC_ARRIVAL_POISSON && mean != NULL) {
        wrong = mean;
        wrong_key = "mean_interarrival_us";
    } else if (in->kind != SOC_ARRIVAL_PERIODIC && period != NULL) {
        wrong = period;
        wrong_key = "period_us";
    } else if (in->kind != SOC_ARRIVAL_TRACE && (times != NULL || apps != NULL)) {
        wrong = times ? times : apps;
        wrong_key = times ? "times_us" : "apps";
    }
    if (wrong == NULL)
        wrong = stoch_wrong_key(L, v, in->kind, &wrong_key);
    if (wrong != NULL)
        return fail(L, wrong, SOC_ECONFIG, "%s does not apply to arrival: %s", wrong_key,
                    soc__yaml_arrival_names[in->kind]);
    if ((rc = parse_stoch_injection(L, v, native)) != SOC_OK) /* issue 13 */
        return rc;
    switch (in->kind) {
    case SOC_ARRIVAL_POISSON:
    case SOC_ARRIVAL_PERIODIC: {
        const yaml_node_t *m = in->kind == SOC_ARRIVAL_POISSON ? mean : period;
        const char *key = in->kind == SOC_ARRIVAL_POISSON ? "mean_interarrival_us" : "period_us";
        if (m == NULL && native)
            return fail(L, v, SOC_ECONFIG, "arrival: %s needs %s",
                        soc__yaml_arrival_names[in->kind], key);
        if (m != NULL &&
            (rc = get_num(L, m, key, 0, native, SOC_YAML_MAX_US, &in->mean_us)) != SOC_OK)
            return rc;
        if (m != NULL && native && in->mean_us < SOC_MIN_INTERVAL_US)
            return fail(L, m, SOC_ECONFIG,
                        "%s: %s us is below 1 ns, the engine's time step (the smallest is "
                        "0.001)", key, sval(m));
        break;
    }
    case SOC_ARRIVAL_RENEWAL: /* parse_stoch_injection */
    case SOC_ARRIVAL_MMPP:
        break;
    default:
        if (times == NULL && native)
            return fail(L, v, SOC_ECONFIG, "arrival: trace needs times_us");
        if (times != NULL && (rc = parse_trace(L, times, apps, native)) != SOC_OK)
            return rc;
        break;
    }
    if ((x = map_get(L, v, "start_us")) != NULL &&
        (rc = get_num(L, x, "start_us", 0, 0, SOC_YAML_MAX_US, &in->start_us)) != SOC_OK)
        return rc;
    if ((x = map_get(L, v, "max_in_flight")) != NULL &&
        (rc = get_int(L, x, "max_in_flight", 0, 1000000000, &in->max_in_flight)) != SOC_OK)
        return rc;
    if ((x = map_get(L, v, "warmup_us")) != NULL &&
        (rc = get_num(L, x, "warmup_us", 0, 0, SOC_YAML_MAX_US, &in->warmup_us)) != SOC_OK)
        return rc;
    *mix = map_get(L, v, "mix");
    return SOC_OK;
}

/* The stop mapping s: jobs, time_us. */
static int parse_stop(ld_t *L, const yaml_node_t *s)
{
    soc_injection_t *in = &L->cfg->injection;
    yaml_node_t *x;
    int rc;
    if ((rc = want_map(L, s, "stop", STOP_KEYS)) != SOC_OK)
        return rc;
    if ((x = map_get(L, s, "jobs")) != NULL &&
        (rc = get_i64(L, x, "jobs", 0, SOC_YAML_MAX_JOBS, &in->max_jobs)) != SOC_OK)
        return rc;
    if ((x = map_get(L, s, "time_us")) != NULL &&
        (rc = get_num(L, x, "time_us", 0, 0, SOC_YAML_MAX_US, &in->sim_time_us)) != SOC_OK)
        return rc;
    if (x != NULL && in->sim_time_us > 0 && soc_time_from_us(in->sim_time_us) == 0)
        return fail(L, x, SOC_ECONFIG, "time_us: %s us rounds to 0 ns (the engine's time "
                    "step is 1 ns)", sval(x));
    return SOC_OK;
}

static int parse_injection(ld_t *L, const yaml_node_t *root, const yaml_node_t **mix)
{
    soc_injection_t *in = &L->cfg->injection;
    int native = L->cfg->semantics == SOC_SEM_NATIVE, rc;
    yaml_node_t *v = map_get(L, root, "injection"), *s = map_get(L, root, "stop");
    *mix = NULL;
    if (v == NULL || is_null(v)) {
        if (native)
            return fail(L, v ? v : root, SOC_ECONFIG,
                        "missing required key 'injection' (how jobs arrive)");
    } else if ((rc = parse_arrivals(L, v, mix)) != SOC_OK) {
        return rc;
    }
    if (s != NULL && !is_null(s) && (rc = parse_stop(L, s)) != SOC_OK)
        return rc;
    if (native && in->kind != SOC_ARRIVAL_TRACE && in->max_jobs == 0 && in->sim_time_us == 0)
        return fail(L, s ? s : v, SOC_ECONFIG,
                    "%s arrivals never end by themselves: set stop.jobs or stop.time_us",
                    soc__yaml_arrival_names[in->kind]);
    return SOC_OK;
}

/* ------------------------------------------------------------------ ds3 */

static const char *const DS3_KEYS[] = {
    "simulation_mode", "inject_fixed_num_jobs", "max_jobs", "simulation_length", "clock",
    "inject_jobs_asap", "fixed_injection_rate", "max_jobs_in_parallel", "random_seed", "scale",
    "warmup_period", "num_of_iterations", "scale_values", "job_list", "sampling_rate",
    "sampling_rate_temperature", "util_high_threshold", "util_low_threshold",
    "enable_throttling", "enable_dtpm_throttling", "trip_temperature", "trip_hysteresis",
    "dtpm_trip_temperature", "c1", "c2", "igate", "t_ambient", "run_scale", "run_iteration",
    NULL};
static const char *const DS3_MODES[] = {"performance", "validation", NULL};

#define SOC_YAML_MAX_TICKS ((int64_t)1000000000000)

static int get_temps(ld_t *L, const yaml_node_t *n, const char *key, double *arr, int *count)
{
    size_t k = 0;
    int rc = want_seq(L, n, key, 0, SOC_YAML_MAX_TRIPS, &k);
    if (rc != SOC_OK)
        return rc;
    for (size_t i = 0; i < k; i++)
        if ((rc = get_num(L, seq_at(L, n, i), key, -273.15, 0, 1e4, &arr[i])) != SOC_OK)
            return rc;
    *count = (int)k;
    return SOC_OK;
}

/* The scalar options of the ds3 block. */
static int ds3_scalars(ld_t *L, const yaml_node_t *n, soc_ds3_options_t *o)
{
    int rc = SOC_OK;
    yaml_node_t *v;
#define DS3_BOOL(key, field)                                                                    \
    if ((v = map_get(L, n, key)) != NULL && (rc = get_bool(L, v, key, &o->field)) != SOC_OK)    \
    return rc
#define DS3_I64(key, field, lo, hi)                                                             \
    if ((v = map_get(L, n, key)) != NULL &&                                                     \
        (rc = get_i64(L, v, key, lo, hi, &o->field)) != SOC_OK)                                 \
    return rc
#define DS3_INT(key, field, lo, hi)                                                             \
    if ((v = map_get(L, n, key)) != NULL &&                                                     \
        (rc = get_int(L, v, key, lo, hi, &o->field)) != SOC_OK)                                 \
    return rc
#define DS3_NUM(key, field, lo, hi)                                                             \
    if ((v = map_get(L, n, key)) != NULL &&                                                     \
        (rc = get_num(L, v, key, lo, 0, hi, &o->field)) != SOC_OK)                              \
    return rc
    if ((v = map_get(L, n, "simulation_mode")) != NULL &&
        (rc = get_enum(L, v, "simulation_mode", DS3_MODES, &o->validation)) != SOC_OK)
        return rc;
    DS3_BOOL("inject_fixed_num_jobs", inject_fixed_num_jobs);
    DS3_I64("max_jobs", max_jobs, 0, SOC_YAML_MAX_JOBS);
    DS3_I64("simulation_length", simulation_length, 0, SOC_YAML_MAX_TICKS);
    DS3_I64("clock", clock, 1, 1000000000);
    DS3_BOOL("inject_jobs_asap", inject_jobs_asap);
    DS3_BOOL("fixed_injection_rate", fixed_injection_rate);
    DS3_INT("max_jobs_in_parallel", max_jobs_in_parallel, 0, 1000000000);
    DS3_I64("random_seed", random_seed, INT64_MIN, INT64_MAX);
    DS3_I64("scale", scale, 0, SOC_YAML_MAX_TICKS);
    DS3_I64("warmup_period", warmup_period, 0, SOC_YAML_MAX_TICKS);
    DS3_INT("num_of_iterations", num_of_iterations, 1, 1000000);
    DS3_I64("sampling_rate", sampling_rate, 1, SOC_YAML_MAX_TICKS);
    DS3_I64("sampling_rate_temperature", sampling_rate_temperature, 1, SOC_YAML_MAX_TICKS);
    DS3_NUM("util_high_threshold", util_high_threshold, 0, 1e6);
    DS3_NUM("util_low_threshold", util_low_threshold, 0, 1e6);
    DS3_BOOL("enable_throttling", enable_throttling);
    DS3_BOOL("enable_dtpm_throttling", enable_dtpm_throttling);
    DS3_NUM("c1", C1, -1e12, 1e12);
    DS3_NUM("c2", C2, -1e12, 1e12);
    DS3_NUM("igate", Igate, -1e12, 1e12);
    DS3_NUM("t_ambient", T_ambient, -273.15, 1e4);
    /* run_scale / run_iteration were written by socsim 0.1's converter; the
     * run of a DS3 sweep is now chosen by whoever runs it (soc/ds3.h,
     * soc/study.h): accepted when well-formed, and ignored */
    int64_t ignored;
    if ((v = map_get(L, n, "run_scale")) != NULL &&
        (rc = get_i64(L, v, "run_scale", 0, SOC_YAML_MAX_TICKS, &ignored)) != SOC_OK)
        return rc;
    if ((v = map_get(L, n, "run_iteration")) != NULL &&
        (rc = get_i64(L, v, "run_iteration", 0, 1000000, &ignored)) != SOC_OK)
        return rc;
#undef DS3_BOOL
#undef DS3_I64
#undef DS3_INT
#undef DS3_NUM
    return rc;
}

/* scale_values: [ticks...] and job_list: [[count per application]...]. */
static int ds3_lists(ld_t *L, const yaml_node_t *n, soc_ds3_options_t *o)
{
    const soc_config_t *cfg = L->cfg;
    int rc;
    yaml_node_t *v;
    if ((v = map_get(L, n, "scale_values")) != NULL) {
        size_t k;
        if ((rc = want_seq(L, v, "scale_values", 0, 1000000, &k)) != SOC_OK)
            return rc;
        o->scale_values = malloc(sizeof(int64_t) * (k ? k : 1));
        if (o->scale_values == NULL)
            return oom(L);
        o->n_scale_values = (int)k;
        for (size_t i = 0; i < k; i++)
            if ((rc = get_i64(L, seq_at(L, v, i), "scale_values", 0, SOC_YAML_MAX_TICKS,
                              &o->scale_values[i])) != SOC_OK)
                return rc;
    }
    if ((v = map_get(L, n, "job_list")) != NULL) {
        size_t k;
        if ((rc = want_seq(L, v, "job_list", 0, 1000000, &k)) != SOC_OK)
            return rc;
        o->job_list = calloc(k ? k : 1, sizeof(int *));
        if (o->job_list == NULL)
            return oom(L);
        o->n_job_list = (int)k;
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *row = seq_at(L, v, i);
            size_t kr;
            if ((rc = want_seq(L, row, "job_list", 0, LD_MAX_APPS, &kr)) != SOC_OK)
                return rc;
            if (kr != (size_t)cfg->n_apps)
                return fail(L, row, SOC_ECONFIG,
                            "job_list: each snippet has one job count per application (%d), "
                            "got %zu",
                            cfg->n_apps, kr);
            o->job_list[i] = malloc(sizeof(int) * kr);
            if (o->job_list[i] == NULL)
                return oom(L);
            for (size_t j = 0; j < kr; j++)
                if ((rc = get_int(L, seq_at(L, row, j), "job_list", 0, 1000000000,
                                  &o->job_list[i][j])) != SOC_OK)
                    return rc;
        }
    }
    return SOC_OK;
}

/* Trip points: temperatures, hysteresis (one per trip point), DTPM. */
static int ds3_trips(ld_t *L, const yaml_node_t *n, soc_ds3_options_t *o)
{
    int rc;
    yaml_node_t *v;
    yaml_node_t *tt = map_get(L, n, "trip_temperature"), *th = map_get(L, n, "trip_hysteresis");
    int n_hyst = o->n_trip;
    if (tt != NULL &&
        (rc = get_temps(L, tt, "trip_temperature", o->trip_temperature, &o->n_trip)) != SOC_OK)
        return rc;
    if (th != NULL && (rc = get_temps(L, th, "trip_hysteresis", o->trip_hysteresis, &n_hyst)) !=
                          SOC_OK)
        return rc;
    if (n_hyst != o->n_trip)
        return fail(L, th ? th : tt, SOC_ECONFIG,
                    "trip_hysteresis has %d entries but trip_temperature has %d (one per trip "
                    "point)",
                    n_hyst, o->n_trip);
    if ((v = map_get(L, n, "dtpm_trip_temperature")) != NULL &&
        (rc = get_temps(L, v, "dtpm_trip_temperature", o->dtpm_trip_temperature,
                        &o->n_dtpm_trip)) != SOC_OK)
        return rc;
    return SOC_OK;
}

static int parse_ds3(ld_t *L, const yaml_node_t *n)
{
    int rc = want_map(L, n, "ds3", DS3_KEYS);
    if (rc != SOC_OK)
        return rc;
    soc_ds3_options_t *o = malloc(sizeof *o);
    if (o == NULL)
        return oom(L);
    soc_ds3_options_default(o);
    L->cfg->ds3 = o;
    if ((rc = ds3_scalars(L, n, o)) != SOC_OK || (rc = ds3_lists(L, n, o)) != SOC_OK)
        return rc;
    return ds3_trips(L, n, o);
}

/* ----------------------------------------------------------------- root */

static const char *const ROOT_KEYS[] = {"name",     "seed",         "scheduler", "semantics",
                                        "power",    "platform",     "applications",
                                        "injection", "stop",        "ds3",       "outputs",
                                        NULL};
static const char *const OUTPUT_KEYS[] = {"schedule", "trace", "gantt", "power_trace", "json",
                                          NULL};

/* outputs: {schedule: FILE, trace: FILE, gantt: FILE, power_trace: FILE, json: BOOL}
 * becomes front-end settings "outputs.KEY" (soc/workload.h): the engine
 * never sees file names. */
static int parse_outputs(ld_t *L, const yaml_node_t *n)
{
    int rc = want_map(L, n, "outputs", OUTPUT_KEYS);
    yaml_node_t *v;
    if (rc != SOC_OK)
        return rc;
    static const char *const files[] = {"schedule", "trace", "gantt", "power_trace"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = NULL, key[64];
        if ((v = map_get(L, n, files[i])) == NULL)
            continue;
        if ((rc = get_str(L, v, files[i], &path)) != SOC_OK)
            return rc;
        snprintf(key, sizeof key, "outputs.%s", files[i]);
        rc = soc_config_set_setting(L->cfg, key, path);
        free(path);
        if (rc != SOC_OK)
            return oom(L);
    }
    int json = 0;
    if ((v = map_get(L, n, "json")) != NULL && (rc = get_bool(L, v, "json", &json)) != SOC_OK)
        return rc;
    if (json && soc_config_set_setting(L->cfg, SOC_SETTING_JSON, "true") != SOC_OK)
        return oom(L);
    return SOC_OK;
}

/* A task type that exec_us lists but no task uses, when a task type with a
 * close name is used and that cluster does not list it ({FFT: 8} with tasks
 * of type fft: the accelerator never gets work).  Types no task uses are
 * normal otherwise (a SoC file shared by several workloads). */
static void warn_unused_types(ld_t *L)
{
    const soc_platform_t *p = &L->cfg->platform;
    int nt = p->n_types;
    if (L->warn == NULL || L->warn->fn == NULL || nt == 0)
        return;
    const char **used = calloc((size_t)nt, sizeof *used);
    if (used == NULL)
        return;
    for (int t = 0; t < nt; t++)
        if (L->tinfo[t].use.line != 0)
            used[t] = p->type_names[t];
    for (int t = 0; t < nt; t++) {
        const ld_type_t *ti = &L->tinfo[t];
        if (ti->use.line != 0 || ti->def.line == 0)
            continue;
        const char *s = soc__closest(p->type_names[t], used, (size_t)nt);
        if (s == NULL)
            continue;
        int st = soc_platform_type_index(p, s);
        const soc_cluster_t *cl = &p->clusters[ti->def_cluster];
        if (st >= 0 && cl->exec_us != NULL && cl->exec_us[st] >= 0)
            continue; /* the cluster runs the used type too */
        soc_warn(L->warn, ti->def.file, ti->def.line, ti->def.col,
                 "cluster '%s': exec_us lists task type '%s', which no task uses (so it never "
                 "runs here); did you mean '%s'?",
                 cl->name, p->type_names[t], s);
    }
    free(used);
}

/* Dense execution tables once every type is known; then make sure each
 * task type has a PE that runs it, pointing at the first task using it. */
static int build_exec(ld_t *L)
{
    soc_platform_t *p = &L->cfg->platform;
    int nt = p->n_types;
    for (int c = 0; c < p->n_clusters; c++) {
        double *x = malloc(sizeof(double) * (size_t)(nt ? nt : 1));
        if (x == NULL)
            return oom(L);
        for (int t = 0; t < nt; t++)
            x[t] = -1;
        for (int i = 0; i < L->clusters[c].n_exec; i++)
            x[L->clusters[c].exec[i].type] = L->clusters[c].exec[i].us;
        p->clusters[c].exec_us = x;
        /* issue 13: distributions move into exec_dist */
        for (int i = 0; i < L->clusters[c].n_exec; i++) {
            ld_exec_t *e = &L->clusters[c].exec[i];
            if (e->dist.kind == SOC_DIST_NONE)
                continue;
            if (p->clusters[c].exec_dist == NULL &&
                (p->clusters[c].exec_dist = calloc((size_t)(nt ? nt : 1),
                                                   sizeof(soc_dist_t))) == NULL)
                return oom(L);
            p->clusters[c].exec_dist[e->type] = e->dist;
            memset(&e->dist, 0, sizeof e->dist);
        }
    }
    int worst = -1;
    for (int t = 0; t < nt; t++) {
        const ld_type_t *ti = &L->tinfo[t];
        if (ti->use.line == 0 || type_supported(p, L, t))
            continue;
        if (worst < 0 || ti->app < L->tinfo[worst].app ||
            (ti->app == L->tinfo[worst].app && ti->task < L->tinfo[worst].task))
            worst = t;
    }
    if (worst < 0) {
        warn_unused_types(L);
        return SOC_OK;
    }
    const ld_type_t *ti = &L->tinfo[worst];
    const soc_app_t *app = &L->cfg->apps[ti->app];
    const char **names = calloc((size_t)(nt ? nt : 1), sizeof *names);
    const char *s = NULL;
    char b[32];
    if (names != NULL) {
        for (int t = 0; t < nt; t++)
            if (type_supported(p, L, t))
                names[t] = p->type_names[t];
        s = closest(p->type_names[worst], names, (size_t)nt);
    }
    free(names);
    return fail_at(L, ti->use, SOC_ECONFIG,
                   "application '%s': task '%s' has type '%s', which no processing element can "
                   "run (no cluster lists it in exec_us)%s%s%s",
                   app->name, task_label(app, ti->task, b, sizeof b), p->type_names[worst],
                   s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
}

static int load_root(ld_t *L, const yaml_node_t *root)
{
    soc_config_t *cfg = L->cfg;
    int rc = want_map(L, root, "the configuration", ROOT_KEYS);
    if (rc != SOC_OK)
        return rc;
    yaml_node_t *v;
    int sem = SOC_SEM_NATIVE;
    if ((v = map_get(L, root, "semantics")) != NULL &&
        (rc = get_enum(L, v, "semantics", soc__yaml_semantics_names, &sem)) != SOC_OK)
        return rc;
    cfg->semantics = (soc_semantics_t)sem;
    /* before the platform: whether power blocks must fit their clusters */
    if ((v = map_get(L, root, "power")) != NULL &&
        (rc = get_bool(L, v, "power", &cfg->power_model)) != SOC_OK)
        return rc;
    if (cfg->semantics == SOC_SEM_DS3) {
        /* DS3 semantics always models power, as DS3 does */
        if (v != NULL && !cfg->power_model)
            warn_at(L, v, "power: false is ignored in DS3 semantics, which always computes "
                          "DS3's energy and power");
        cfg->power_model = 1;
    }

    if ((v = map_get(L, root, "platform")) == NULL)
        return fail(L, root, SOC_ECONFIG, "missing required key 'platform'");
    if ((rc = parse_platform(L, v)) != SOC_OK)
        return rc;
    yaml_node_t *apps = map_get(L, root, "applications");
    if (apps == NULL)
        return fail(L, root, SOC_ECONFIG, "missing required key 'applications'");
    if ((rc = parse_apps(L, apps)) != SOC_OK)
        return rc;
    if ((rc = build_exec(L)) != SOC_OK)
        return rc;
    const yaml_node_t *mix;
    if ((rc = parse_injection(L, root, &mix)) != SOC_OK)
        return rc;
    if ((rc = settle_probabilities(L, mix, apps)) != SOC_OK)
        return rc;
    if ((v = map_get(L, root, "ds3")) != NULL && !is_null(v) && (rc = parse_ds3(L, v)) != SOC_OK)
        return rc;
    if ((v = map_get(L, root, "seed")) != NULL &&
        (rc = get_u64(L, v, "seed", &cfg->seed)) != SOC_OK)
        return rc;
    if ((v = map_get(L, root, "scheduler")) != NULL &&
        (rc = get_str(L, v, "scheduler", &cfg->scheduler)) != SOC_OK)
        return rc;
    if ((v = map_get(L, root, "name")) != NULL &&
        (rc = get_str(L, v, "name", &cfg->name)) != SOC_OK)
        return rc;
    if ((v = map_get(L, root, "outputs")) != NULL && !is_null(v) &&
        (rc = parse_outputs(L, v)) != SOC_OK)
        return rc;
    return rc;
}

/* soc_config_finalize knows no positions; move its complaint to the
 * application or cluster it names. */
static void place_finalize_error(ld_t *L, soc_error_t *e)
{
    static const char *const what[] = {"application '", "cluster '"};
    for (int w = 0; w < 2; w++) {
        const char *p = strstr(e->msg, what[w]);
        if (p == NULL)
            continue;
        p += strlen(what[w]);
        const char *q = strchr(p, '\'');
        if (q == NULL || q - p >= 256)
            continue;
        char name[256];
        memcpy(name, p, (size_t)(q - p));
        name[q - p] = '\0';
        int idx = soc__smap_get(w == 0 ? &L->app_names : &L->cluster_names, name);
        if (idx < 0)
            continue;
        const ld_mark_t *m = w == 0 ? &L->apps[idx].mark : &L->clusters[idx].mark;
        snprintf(e->file, sizeof e->file, "%s", m->file);
        e->line = m->line;
        e->col = m->col;
        return;
    }
}

static void ld_cleanup(ld_t *L)
{
    for (int i = 0; i < L->n_docs; i++) {
        if (L->docs[i]->loaded)
            yaml_document_delete(&L->docs[i]->doc);
        free(L->docs[i]->name);
        free(L->docs[i]->dir);
        free(L->docs[i]);
    }
    free(L->docs);
    soc__smap_free(&L->types);
    soc__smap_free(&L->cluster_names);
    soc__smap_free(&L->app_names);
    free(L->tinfo);
    if (L->clusters != NULL)
        for (int c = 0; c < L->cfg->platform.n_clusters; c++) {
            for (int i = 0; i < L->clusters[c].n_exec; i++)
                soc_dist_free(&L->clusters[c].exec[i].dist);
            free(L->clusters[c].exec);
        }
    free(L->clusters);
    free(L->apps);
}

static int load_text(soc_config_t *cfg, const char *text, size_t len, const char *name,
                     const char *dir, const soc_warn_sink_t *warn, soc_error_t *err)
{
    soc_error_t e;
    soc_error_clear(&e);
    soc_config_init(cfg);
    ld_t L;
    memset(&L, 0, sizeof L);
    L.cfg = cfg;
    L.types.borrow = 1; /* the platform's type names */
    L.err = &e;
    L.budget = LD_BUDGET;
    L.warn = warn;
    ld_doc_t *doc = NULL;
    int rc = open_doc(&L, text, len, name, dir, &doc);
    if (rc == SOC_OK) {
        L.cur = doc;
        rc = load_root(&L, yaml_document_get_root_node(&doc->doc));
    }
    if (rc == SOC_OK && (cfg->source = soc__strdup(name)) == NULL)
        rc = oom(&L);
    if (rc == SOC_OK) {
        rc = soc_config_finalize(cfg, &e);
        if (rc != SOC_OK && e.line == 0)
            place_finalize_error(&L, &e);
    }
    /* L's maps borrow strings owned by cfg: clean up before freeing it */
    ld_cleanup(&L);
    if (rc != SOC_OK) {
        soc_config_free(cfg);
        soc_config_init(cfg);
        if (e.code == 0)
            soc_error_set(&e, rc, name, 0, 0, "%s", soc_strerror(rc));
        if (err != NULL && err->code == 0)
            *err = e;
    }
    return rc;
}

int soc__load_yaml_string_warn(soc_config_t *cfg, const char *text, const char *name,
                               const char *basedir, const soc_warn_sink_t *warn,
                               soc_error_t *err)
{
    if (cfg == NULL || text == NULL)
        return soc_error_set(err, SOC_EINVAL, name, 0, 0, "no configuration or no text given");
    return load_text(cfg, text, strlen(text), name ? name : "<string>", basedir ? basedir : "",
                     warn, err);
}

int soc_load_yaml_string(soc_config_t *cfg, const char *text, const char *name,
                         const char *basedir, soc_error_t *err)
{
    return soc__load_yaml_string_warn(cfg, text, name, basedir, NULL, err);
}

int soc__load_yaml_warn(soc_config_t *cfg, const char *path, const soc_warn_sink_t *warn,
                        soc_error_t *err)
{
    if (cfg == NULL || path == NULL)
        return soc_error_set(err, SOC_EINVAL, path, 0, 0, "no configuration or no path given");
    soc_config_init(cfg);
    char *text = NULL, *dir = NULL;
    size_t len = 0;
    int errnum = 0, rc;
    switch (read_file(path, &text, &len, &errnum)) {
    case 0:
        break;
    case -2:
        return soc_error_set(err, SOC_ELIMIT, path, 0, 0, "config file is too large (over %zu MiB)",
                             LD_MAX_FILE_BYTES >> 20);
    default:
        return soc_error_set(err, SOC_EIO, path, 0, 0, "cannot read config file: %s",
                             strerror(errnum));
    }
    if ((dir = dir_of(path)) == NULL) {
        free(text);
        return soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
    }
    rc = load_text(cfg, text, len, path, dir, warn, err);
    free(dir);
    free(text);
    return rc;
}

int soc_load_yaml(soc_config_t *cfg, const char *path, soc_error_t *err)
{
    return soc__load_yaml_warn(cfg, path, NULL, err);
}
