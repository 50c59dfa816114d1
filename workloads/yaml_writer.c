/*
 * yaml_writer.c -- a soc_config_t written as socsim YAML (docs/config.md),
 * platform and applications inline, such that soc_load_yaml reads back an
 * equal config.
 *
 * Numbers are printed with the fewest digits that strtod turns back into the
 * same double (integers as integers), so nothing is lost.  The type universe
 * is written explicitly (platform.types) because the loader would otherwise
 * number types in order of first appearance, which need not be the order
 * of the config being written.  Fields that the loader ignores for the
 * chosen arrival process (the mean of a trace, say) are not written.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/ds3.h"
#include "soc/workload.h"
#include "soc_util.h"
#include "yaml_internal.h"

#define W_WIDTH 96 /* wrap flow collections beyond this column */

typedef struct writer {
    FILE *out;
    int col;        /* column of the next character */
    int rc;         /* first failure, SOC_OK while fine */
    soc_error_t *err;
} writer_t;

static void w_puts(writer_t *w, const char *s)
{
    if (w->rc != SOC_OK)
        return;
    if (fputs(s, w->out) == EOF) {
        w->rc = soc_error_set(w->err, SOC_EIO, NULL, 0, 0, "cannot write the YAML output");
        return;
    }
    const char *nl = strrchr(s, '\n');
    w->col = nl ? (int)strlen(nl + 1) : w->col + (int)strlen(s);
}

static void w_indent(writer_t *w, int n)
{
    static const char sp[] = "                                ";
    while (n > 0) {
        int k = n < (int)sizeof sp - 1 ? n : (int)sizeof sp - 1;
        w_puts(w, sp + sizeof sp - 1 - k);
        n -= k;
    }
}

static int w_fail(writer_t *w, int code, const char *msg)
{
    if (w->rc == SOC_OK)
        w->rc = soc_error_set(w->err, code, NULL, 0, 0, "%s", msg);
    return w->rc;
}

/* -------------------------------------------------------------- numbers */

/* Shortest decimal text that reads back as exactly x. */
static const char *fmt_num(double x, char *buf, size_t size)
{
    if (isnan(x))
        return ".nan";
    if (isinf(x))
        return x > 0 ? ".inf" : "-.inf";
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, size, "%.0f", x);
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

static void w_num(writer_t *w, double x)
{
    char buf[40];
    w_puts(w, fmt_num(x, buf, sizeof buf));
}

static void w_i64(writer_t *w, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    w_puts(w, buf);
}

/* -------------------------------------------------------------- strings */

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

static int eq_nocase(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

/* Can s be written as a plain scalar that reads back as the same string
 * (and not as a number, boolean or null)?  Deliberately conservative. */
static int plain_ok(const char *s)
{
    static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off",
                                           "null", "y", "n", NULL};
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || (c0 >= '0' && c0 <= '9') ||
          c0 == '_' || c0 == '/'))
        return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '/' || c == '+'))
            return 0;
    }
    for (int i = 0; reserved[i]; i++)
        if (eq_nocase(s, reserved[i]))
            return 0;
    /* anything strtod accepts entirely would be read as a number */
    char *end;
    (void)strtod(s, &end);
    if (end != s && *end == '\0')
        return 0;
    return 1;
}

static void w_str(writer_t *w, const char *s)
{
    if (s[0] != '\0' && plain_ok(s)) {
        w_puts(w, s);
        return;
    }
    w_puts(w, "\"");
    char buf[8];
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '"':
            w_puts(w, "\\\"");
            break;
        case '\\':
            w_puts(w, "\\\\");
            break;
        case '\n':
            w_puts(w, "\\n");
            break;
        case '\t':
            w_puts(w, "\\t");
            break;
        case '\r':
            w_puts(w, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(buf, sizeof buf, "\\x%02x", c);
                w_puts(w, buf);
            } else {
                buf[0] = (char)c;
                buf[1] = '\0';
                w_puts(w, buf);
            }
        }
    }
    w_puts(w, "\"");
}

/* --------------------------------------------------- flow collections */

/* A flow collection ("[a, b]" / "{a: 1}") that wraps to `cont` spaces. */
typedef struct flow {
    writer_t *w;
    int cont;
    int n;
} flow_t;

static void flow_open(flow_t *f, writer_t *w, const char *open, int cont)
{
    f->w = w;
    f->cont = cont;
    f->n = 0;
    w_puts(w, open);
}

/* Start an item whose text is about `len` characters long. */
static void flow_item(flow_t *f, int len)
{
    if (f->n > 0) {
        w_puts(f->w, ",");
        if (f->w->col + len + 2 > W_WIDTH) {
            w_puts(f->w, "\n");
            w_indent(f->w, f->cont);
        } else {
            w_puts(f->w, " ");
        }
    }
    f->n++;
}

static void flow_num(flow_t *f, double x)
{
    char buf[40];
    const char *s = fmt_num(x, buf, sizeof buf);
    flow_item(f, (int)strlen(s));
    w_puts(f->w, s);
}

static void flow_close(flow_t *f, const char *close) { w_puts(f->w, close); }

/* "key: [x, y, ...]" of doubles. */
static void w_num_list(writer_t *w, int indent, const char *key, const double *v, int n)
{
    flow_t f;
    w_indent(w, indent);
    w_puts(w, key);
    w_puts(w, ": ");
    flow_open(&f, w, "[", indent + 2);
    for (int i = 0; i < n; i++)
        flow_num(&f, v[i]);
    flow_close(&f, "]\n");
}

/* ------------------------------------------------------------- sections */

static void w_key_num(writer_t *w, int indent, const char *key, double x)
{
    w_indent(w, indent);
    w_puts(w, key);
    w_puts(w, ": ");
    w_num(w, x);
    w_puts(w, "\n");
}

static void w_key_i64(writer_t *w, int indent, const char *key, long long v)
{
    w_indent(w, indent);
    w_puts(w, key);
    w_puts(w, ": ");
    w_i64(w, v);
    w_puts(w, "\n");
}

static void w_key_str(writer_t *w, int indent, const char *key, const char *s)
{
    w_indent(w, indent);
    w_puts(w, key);
    w_puts(w, ": ");
    w_str(w, s);
    w_puts(w, "\n");
}

static void w_key_bool(writer_t *w, int indent, const char *key, int b)
{
    w_indent(w, indent);
    w_puts(w, key);
    w_puts(w, b ? ": true\n" : ": false\n");
}

static void w_profile(writer_t *w, int indent, const char *key, const soc_power_row_t *rows,
                      int n, int count)
{
    w_indent(w, indent);
    w_puts(w, key);
    w_puts(w, ":\n");
    for (int i = 0; i < n; i++) {
        flow_t f;
        w_indent(w, indent + 2);
        w_puts(w, "- [");
        w_num(w, rows[i].freq_mhz);
        w_puts(w, ", ");
        flow_open(&f, w, "[", indent + 6);
        for (int k = 0; k < count; k++)
            flow_num(&f, rows[i].watts ? rows[i].watts[k] : 0.0);
        flow_close(&f, "]]\n");
    }
}

/* A cluster's power block; "power:" at indent k. */
static void w_power(writer_t *w, const soc_cluster_power_t *pw, int count, int k)
{
    w_indent(w, k);
    w_puts(w, "power:\n");
    if (pw->governor != NULL)
        w_key_str(w, k + 2, "governor", pw->governor);
    if (pw->n_opps > 0) {
        flow_t f;
        w_indent(w, k + 2);
        w_puts(w, "opps: ");
        flow_open(&f, w, "[", k + 4);
        for (int i = 0; i < pw->n_opps; i++) {
            char a[40], b[40], item[90];
            snprintf(item, sizeof item, "[%s, %s]", fmt_num(pw->opps[i].freq_mhz, a, sizeof a),
                     fmt_num(pw->opps[i].volt_mv, b, sizeof b));
            flow_item(&f, (int)strlen(item));
            w_puts(w, item);
        }
        flow_close(&f, "]\n");
    }
    if (pw->n_trip > 0)
        w_num_list(w, k + 2, "trip_freq_mhz", pw->trip_freq_mhz, pw->n_trip);
    if (pw->n_dtpm_trip > 0)
        w_num_list(w, k + 2, "dtpm_trip_freq_mhz", pw->dtpm_trip_freq_mhz, pw->n_dtpm_trip);
    if (pw->n_profiles > 0)
        w_profile(w, k + 2, "power_profile", pw->profiles, pw->n_profiles, count);
    if (pw->n_pg_profiles > 0)
        w_profile(w, k + 2, "pg_profile", pw->pg_profiles, pw->n_pg_profiles, count);
    if (pw->idle_w != 0)
        w_key_num(w, k + 2, "idle_w", pw->idle_w);
}

/* issue 13: a distribution as a flow mapping "{dist: KIND, ...}" (a count
 * or time of kind CONSTANT without an estimate as a plain number), with
 * estimate_us when given and different from the mean. */
static void dist_text(soc__buf_t *b, const soc_dist_t *d, int has_est, double est)
{
    char t[40];
    if (d->kind == SOC_DIST_CONSTANT && !has_est) {
        soc__buf_puts(b, fmt_num(d->mean, t, sizeof t));
        return;
    }
    soc__buf_printf(b, "{dist: %s", soc_dist_name(d->kind));
    switch (d->kind) {
    case SOC_DIST_CONSTANT:
        soc__buf_printf(b, ", value: %s", fmt_num(d->mean, t, sizeof t));
        break;
    case SOC_DIST_EXPONENTIAL:
        soc__buf_printf(b, ", mean: %s", fmt_num(d->mean, t, sizeof t));
        break;
    case SOC_DIST_UNIFORM:
        soc__buf_printf(b, ", min: %s", fmt_num(d->min, t, sizeof t));
        soc__buf_printf(b, ", max: %s", fmt_num(d->max, t, sizeof t));
        break;
    case SOC_DIST_NORMAL:
        soc__buf_printf(b, ", mean: %s", fmt_num(d->mean, t, sizeof t));
        soc__buf_printf(b, ", sd: %s", fmt_num(d->sd, t, sizeof t));
        break;
    case SOC_DIST_EMPIRICAL:
        for (int k = 0; k < 2; k++) {
            const double *x = k == 0 ? d->values : d->weights;
            soc__buf_puts(b, k == 0 ? ", values: [" : "], weights: [");
            for (int i = 0; x != NULL && i < d->n; i++)
                soc__buf_printf(b, "%s%s", i ? ", " : "", fmt_num(x[i], t, sizeof t));
        }
        soc__buf_putc(b, ']');
        break;
    default:
        soc__buf_printf(b, ", mean: %s", fmt_num(d->mean, t, sizeof t));
        soc__buf_printf(b, ", cv: %s", fmt_num(d->cv, t, sizeof t));
        break;
    }
    if (has_est && !(est == soc_dist_mean(d)))
        soc__buf_printf(b, ", estimate_us: %s", fmt_num(est, t, sizeof t));
    soc__buf_putc(b, '}');
}

static void w_dist(writer_t *w, const soc_dist_t *d, int has_est, double est)
{
    soc__buf_t b = {0};
    dist_text(&b, d, has_est, est);
    if (b.oom)
        w_fail(w, SOC_ENOMEM, "out of memory");
    else
        w_puts(w, soc__buf_cstr(&b));
    soc__buf_free(&b);
}

/* communication.contention, every field (docs/config.md "Contention"). */
static void w_contention(writer_t *w, const soc_platform_t *p, int ind)
{
    const soc_contention_t *c = p->contention;
    w_indent(w, ind);
    w_puts(w, "contention:\n");
    w_key_str(w, ind + 2, "model", soc__yaml_net_model_names[c->model]);
    w_key_str(w, ind + 2, "topology", soc__yaml_topology_names[c->topology]);
    if (c->bandwidth > 0)
        w_key_num(w, ind + 2, "bandwidth", c->bandwidth);
    w_key_i64(w, ind + 2, "channels", c->channels);
    if (c->memory_bw > 0)
        w_key_num(w, ind + 2, "memory_bandwidth", c->memory_bw);
    w_key_num(w, ind + 2, "energy_pj_per_unit", c->energy_pj_per_unit);
    if (c->port_bw != NULL) {
        int any = 0;
        for (int k = 0; k < p->n_clusters; k++) {
            if (!(c->port_bw[k] > 0))
                continue;
            if (!any) {
                w_indent(w, ind + 2);
                w_puts(w, "port_bandwidth:\n");
            }
            any = 1;
            w_indent(w, ind + 4);
            w_str(w, p->clusters[k].name);
            w_puts(w, ": ");
            w_num(w, c->port_bw[k]);
            w_puts(w, "\n");
        }
    }
    if (c->cols > 0 && c->rows > 0) {
        w_key_i64(w, ind + 2, "cols", c->cols);
        w_key_i64(w, ind + 2, "rows", c->rows);
    }
    w_key_num(w, ind + 2, "hop_latency_us", c->hop_latency_us);
    if (c->at != NULL && c->cols > 0 && c->rows > 0) {
        w_indent(w, ind + 2);
        w_puts(w, "at:\n");
        for (int k = 0, pe = 0; k < p->n_clusters; pe += p->clusters[k++].count) {
            if (pe >= c->n_at || c->at[2 * pe] < 0)
                continue;
            w_indent(w, ind + 4);
            w_str(w, p->clusters[k].name);
            w_puts(w, ": [");
            for (int e = 0; e < p->clusters[k].count && pe + e < c->n_at; e++) {
                char buf[48];
                snprintf(buf, sizeof buf, "%s[%d, %d]", e ? ", " : "", c->at[2 * (pe + e)],
                         c->at[2 * (pe + e) + 1]);
                w_puts(w, buf);
            }
            w_puts(w, "]\n");
        }
    }
}

/* Platform step 1: types: [...] (every type named). */
static int w_types(writer_t *w, const soc_platform_t *p, int ind)
{
    flow_t f;
    w_indent(w, ind);
    w_puts(w, "types: ");
    flow_open(&f, w, "[", ind + 2);
    for (int t = 0; t < p->n_types; t++) {
        if (p->type_names == NULL || p->type_names[t] == NULL)
            return w_fail(w, SOC_EINVAL, "a task type has no name");
        flow_item(&f, (int)strlen(p->type_names[t]));
        w_str(w, p->type_names[t]);
    }
    flow_close(&f, "]\n");
    return SOC_OK;
}

/* A cluster's exec_us: {type: µs or distribution, ...} (types it cannot
 * run are left out). */
static void w_exec_us(writer_t *w, const soc_platform_t *p, const soc_cluster_t *cl, int ind)
{
    flow_t f;
    w_indent(w, ind);
    w_puts(w, "exec_us: ");
    flow_open(&f, w, "{", ind + 2);
    for (int t = 0; cl->exec_us != NULL && t < p->n_types; t++) {
        if (!(cl->exec_us[t] >= 0))
            continue; /* < 0: type unsupported here */
        if (cl->exec_dist != NULL && cl->exec_dist[t].kind != SOC_DIST_NONE) {
            soc__buf_t b = {0}; /* issue 13: a distribution */
            dist_text(&b, &cl->exec_dist[t], 1, cl->exec_us[t]);
            flow_item(&f, (int)(strlen(p->type_names[t]) + b.n + 2));
            w_str(w, p->type_names[t]);
            w_puts(w, ": ");
            if (b.oom)
                w_fail(w, SOC_ENOMEM, "out of memory");
            else
                w_puts(w, soc__buf_cstr(&b));
            soc__buf_free(&b);
            continue;
        }
        char buf[40];
        const char *num = fmt_num(cl->exec_us[t], buf, sizeof buf);
        flow_item(&f, (int)(strlen(p->type_names[t]) + strlen(num) + 2));
        w_str(w, p->type_names[t]);
        w_puts(w, ": ");
        w_puts(w, num);
    }
    flow_close(&f, "}\n");
}

/* Platform step 2: clusters: one item each (name, kind, count, memory or
 * exec_us, power). */
static int w_clusters(writer_t *w, const soc_platform_t *p, int ind)
{
    w_indent(w, ind);
    w_puts(w, "clusters:\n");
    for (int c = 0; c < p->n_clusters; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        if (cl->name == NULL)
            return w_fail(w, SOC_EINVAL, "a cluster has no name");
        w_indent(w, ind + 2);
        w_puts(w, "- name: ");
        w_str(w, cl->name);
        w_puts(w, "\n");
        if (cl->kind != NULL)
            w_key_str(w, ind + 4, "kind", cl->kind);
        w_key_i64(w, ind + 4, "count", cl->count);
        if (cl->is_memory)
            w_key_bool(w, ind + 4, "memory", 1);
        else
            w_exec_us(w, p, cl, ind + 4);
        if (cl->power != NULL)
            w_power(w, cl->power, cl->count, ind + 4);
    }
    return SOC_OK;
}

/* The per-pair bandwidth table as bandwidth: [[a, b, bw], ...] (it must be
 * symmetric; <= 0 entries are left to the default). */
static int w_bw_pairs(writer_t *w, const soc_platform_t *p, int ind)
{
    int any = 0, n = p->n_clusters;
    for (int a = 0; a < n; a++)
        for (int b = a; b < n; b++) {
            double ab = p->bw[a * n + b], ba = p->bw[b * n + a];
            if (!(ab > 0) && !(ba > 0))
                continue; /* <= 0: the default applies */
            if (ab > 0 && ba > 0 && ab != ba)
                return w_fail(w, SOC_EUNSUPPORTED,
                              "the bandwidth table is not symmetric; YAML pairs are");
            if (!any) {
                w_indent(w, ind);
                w_puts(w, "bandwidth:\n");
            }
            any = 1;
            w_indent(w, ind + 2);
            w_puts(w, "- [");
            w_str(w, p->clusters[a].name);
            w_puts(w, ", ");
            w_str(w, p->clusters[b].name);
            w_puts(w, ", ");
            w_num(w, ab > 0 ? ab : ba);
            w_puts(w, "]\n");
        }
    return SOC_OK;
}

/* Platform step 3: communication: mode, memory, bandwidths, latency, the
 * pair table and the contention model. */
static int w_communication(writer_t *w, const soc_platform_t *p, int ind)
{
    w_indent(w, ind);
    w_puts(w, "communication:\n");
    w_key_str(w, ind + 2, "mode", soc__yaml_comm_mode_names[p->comm_mode == SOC_COMM_SHARED_MEMORY]);
    if (p->memory_cluster >= 0 && p->memory_cluster < p->n_clusters)
        w_key_str(w, ind + 2, "memory", p->clusters[p->memory_cluster].name);
    w_key_num(w, ind + 2, "bandwidth_self", p->bw_self);
    w_key_num(w, ind + 2, "bandwidth_default", p->bw_default);
    w_key_num(w, ind + 2, "latency_us", p->latency_us);
    int rc;
    if (p->bw != NULL && (rc = w_bw_pairs(w, p, ind + 2)) != SOC_OK)
        return rc;
    if (p->contention != NULL)
        w_contention(w, p, ind + 2);
    return SOC_OK;
}

/* The platform mapping; its keys at indent `ind` (2 under "platform:", 0 in
 * a platform file of its own). */
static int w_platform_body(writer_t *w, const soc_platform_t *p, int ind)
{
    int rc;
    if (p->name != NULL)
        w_key_str(w, ind, "name", p->name);
    if (p->n_types > 0 && (rc = w_types(w, p, ind)) != SOC_OK)
        return rc;
    if ((rc = w_clusters(w, p, ind)) != SOC_OK || (rc = w_communication(w, p, ind)) != SOC_OK)
        return rc;
    return w->rc;
}

/* Can tasks be referred to by name (all named, names unique)? */
static int names_usable(const soc_app_t *a)
{
    for (int t = 0; t < a->n_tasks; t++) {
        if (a->tasks[t].name == NULL || a->tasks[t].name[0] == '\0')
            return 0;
        for (int u = 0; u < t; u++)
            if (strcmp(a->tasks[u].name, a->tasks[t].name) == 0)
                return 0;
    }
    return 1;
}

static void w_task_ref(writer_t *w, const soc_app_t *a, int t, int by_name)
{
    if (by_name)
        w_str(w, a->tasks[t].name);
    else
        w_i64(w, t);
}

/* An application: as an item of `applications:` (item = 1: "  - name:",
 * keys at indent 4) or as an application file of its own (item = 0: keys at
 * indent 0, no probability: the configuration that uses it decides). */
static int w_app(writer_t *w, const soc_config_t *cfg, const soc_app_t *a, int item)
{
    const soc_platform_t *p = &cfg->platform;
    int k = item ? 4 : 0;
    if (a->name == NULL)
        return w_fail(w, SOC_EINVAL, "an application has no name");
    int by_name = a->n_tasks <= 5000 ? names_usable(a) : 0;
    w_puts(w, item ? "  - name: " : "name: ");
    w_str(w, a->name);
    w_puts(w, "\n");
    if (item)
        w_key_num(w, k, "probability", a->probability);
    if (a->deadline_us != 0)
        w_key_num(w, k, "deadline_us", a->deadline_us);
    if (a->head >= 0 && a->head < a->n_tasks) {
        w_indent(w, k);
        w_puts(w, "head: ");
        w_task_ref(w, a, a->head, by_name);
        w_puts(w, "\n");
    }
    if (a->tail >= 0 && a->tail < a->n_tasks) {
        w_indent(w, k);
        w_puts(w, "tail: ");
        w_task_ref(w, a, a->tail, by_name);
        w_puts(w, "\n");
    }
    w_indent(w, k);
    w_puts(w, "tasks:\n");
    for (int t = 0; t < a->n_tasks; t++) {
        const soc_task_def_t *td = &a->tasks[t];
        if (td->type < 0 || td->type >= p->n_types)
            return w_fail(w, SOC_EINVAL, "a task has no valid type");
        const char *type = p->type_names[td->type];
        w_indent(w, k + 2);
        w_puts(w, "- ");
        if (td->name != NULL && strcmp(td->name, type) == 0) {
            w_str(w, td->name);
        } else if (td->name != NULL) {
            w_puts(w, "{name: ");
            w_str(w, td->name);
            w_puts(w, ", type: ");
            w_str(w, type);
            w_puts(w, "}");
        } else {
            w_puts(w, "{type: ");
            w_str(w, type);
            w_puts(w, "}");
        }
        w_puts(w, "\n");
    }
    if (a->n_edges > 0) {
        w_indent(w, k);
        w_puts(w, "edges:\n");
        for (int e = 0; e < a->n_edges; e++) {
            const soc_edge_t *ed = &a->edges[e];
            if (ed->src < 0 || ed->src >= a->n_tasks || ed->dst < 0 || ed->dst >= a->n_tasks)
                return w_fail(w, SOC_EINVAL, "an edge refers to a missing task");
            w_indent(w, k + 2);
            w_puts(w, "- [");
            w_task_ref(w, a, ed->src, by_name);
            w_puts(w, ", ");
            w_task_ref(w, a, ed->dst, by_name);
            w_puts(w, ", ");
            w_num(w, ed->volume);
            w_puts(w, "]\n");
        }
    }
    return w->rc;
}

static int w_injection(writer_t *w, const soc_config_t *cfg)
{
    const soc_injection_t *in = &cfg->injection;
    int kind = in->kind;
    if (kind < SOC_ARRIVAL_POISSON || kind > SOC_ARRIVAL_MMPP)
        return w_fail(w, SOC_EINVAL, "unknown arrival process");
    w_puts(w, "injection:\n");
    w_key_str(w, 2, "arrival", soc__yaml_arrival_names[kind]);
    if (kind == SOC_ARRIVAL_POISSON)
        w_key_num(w, 2, "mean_interarrival_us", in->mean_us);
    else if (kind == SOC_ARRIVAL_PERIODIC)
        w_key_num(w, 2, "period_us", in->mean_us);
    else if (kind == SOC_ARRIVAL_RENEWAL) { /* issue 13 */
        w_puts(w, "  interarrival: ");
        w_dist(w, &in->interarrival, 0, 0);
        w_puts(w, "\n");
    } else if (kind == SOC_ARRIVAL_MMPP) {
        int n = in->n_states;
        w_num_list(w, 2, "states", in->state_mean_us, in->state_mean_us ? n : 0);
        if (n > 1 && in->switch_rate != NULL) {
            w_puts(w, "  switch:\n");
            for (int i = 0; i < n; i++) {
                flow_t f;
                w_puts(w, "    - ");
                flow_open(&f, w, "[", 7);
                for (int j = 0; j < n; j++)
                    flow_num(&f, in->switch_rate[(size_t)i * (size_t)n + (size_t)j]);
                flow_close(&f, "]\n");
            }
        }
    } else {
        w_num_list(w, 2, "times_us", in->times_us, in->times_us ? in->n_times : 0);
        if (in->trace_apps != NULL) {
            flow_t f;
            w_puts(w, "  apps: ");
            flow_open(&f, w, "[", 4);
            for (int i = 0; i < in->n_times; i++) {
                int a = in->trace_apps[i];
                if (a < -1 || a >= cfg->n_apps)
                    return w_fail(w, SOC_EINVAL, "an arrival names a missing application");
                const char *name = a < 0 ? "~" : cfg->apps[a].name;
                flow_item(&f, (int)strlen(name));
                if (a < 0)
                    w_puts(w, name);
                else
                    w_str(w, name);
            }
            flow_close(&f, "]\n");
        }
    }
    w_key_num(w, 2, "start_us", in->start_us);
    w_key_i64(w, 2, "max_in_flight", in->max_in_flight);
    w_key_num(w, 2, "warmup_us", in->warmup_us);
    if (in->batch.kind != SOC_DIST_NONE) { /* issue 13 */
        w_puts(w, "  batch: ");
        w_dist(w, &in->batch, 0, 0);
        w_puts(w, "\n");
    }
    if (in->on_full != SOC_ON_FULL_WAIT)
        w_key_str(w, 2, "on_full", soc__yaml_on_full_names[in->on_full == SOC_ON_FULL_DROP]);
    w_puts(w, "stop:\n");
    w_key_i64(w, 2, "jobs", (long long)in->max_jobs);
    w_key_num(w, 2, "time_us", in->sim_time_us);
    return w->rc;
}

static void w_temps(writer_t *w, const char *key, const double *v, int n)
{
    w_num_list(w, 2, key, v, n < 0 ? 0 : (n > SOC_YAML_MAX_TRIPS ? SOC_YAML_MAX_TRIPS : n));
}

static int w_ds3(writer_t *w, const soc_config_t *cfg)
{
    const soc_ds3_options_t *o = cfg->ds3;
    w_puts(w, "ds3:\n");
    w_key_str(w, 2, "simulation_mode", o->validation ? "validation" : "performance");
    w_key_bool(w, 2, "inject_fixed_num_jobs", o->inject_fixed_num_jobs);
    w_key_i64(w, 2, "max_jobs", (long long)o->max_jobs);
    w_key_i64(w, 2, "simulation_length", (long long)o->simulation_length);
    w_key_i64(w, 2, "clock", (long long)o->clock);
    w_key_bool(w, 2, "inject_jobs_asap", o->inject_jobs_asap);
    w_key_bool(w, 2, "fixed_injection_rate", o->fixed_injection_rate);
    w_key_i64(w, 2, "max_jobs_in_parallel", o->max_jobs_in_parallel);
    w_key_i64(w, 2, "random_seed", (long long)o->random_seed);
    w_key_i64(w, 2, "scale", (long long)o->scale);
    w_key_i64(w, 2, "warmup_period", (long long)o->warmup_period);
    w_key_i64(w, 2, "num_of_iterations", o->num_of_iterations);
    {
        flow_t f;
        w_puts(w, "  scale_values: ");
        flow_open(&f, w, "[", 4);
        for (int i = 0; o->scale_values != NULL && i < o->n_scale_values; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", (long long)o->scale_values[i]);
            flow_item(&f, (int)strlen(buf));
            w_puts(w, buf);
        }
        flow_close(&f, "]\n");
    }
    if (o->n_job_list > 0 && o->job_list != NULL) {
        w_puts(w, "  job_list:\n");
        for (int i = 0; i < o->n_job_list; i++) {
            flow_t f;
            w_puts(w, "    - ");
            flow_open(&f, w, "[", 8);
            for (int a = 0; o->job_list[i] != NULL && a < cfg->n_apps; a++) {
                char buf[32];
                snprintf(buf, sizeof buf, "%d", o->job_list[i][a]);
                flow_item(&f, (int)strlen(buf));
                w_puts(w, buf);
            }
            flow_close(&f, "]\n");
        }
    }
    w_key_i64(w, 2, "sampling_rate", (long long)o->sampling_rate);
    w_key_i64(w, 2, "sampling_rate_temperature", (long long)o->sampling_rate_temperature);
    w_key_num(w, 2, "util_high_threshold", o->util_high_threshold);
    w_key_num(w, 2, "util_low_threshold", o->util_low_threshold);
    w_key_bool(w, 2, "enable_throttling", o->enable_throttling);
    w_key_bool(w, 2, "enable_dtpm_throttling", o->enable_dtpm_throttling);
    w_temps(w, "trip_temperature", o->trip_temperature, o->n_trip);
    w_temps(w, "trip_hysteresis", o->trip_hysteresis, o->n_trip);
    w_temps(w, "dtpm_trip_temperature", o->dtpm_trip_temperature, o->n_dtpm_trip);
    w_key_num(w, 2, "c1", o->C1);
    w_key_num(w, 2, "c2", o->C2);
    w_key_num(w, 2, "igate", o->Igate);
    w_key_num(w, 2, "t_ambient", o->T_ambient);
    return w->rc;
}

int soc_write_yaml(const soc_config_t *cfg, FILE *out, soc_error_t *err)
{
    if (cfg == NULL || out == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no configuration or no output");
    writer_t w = {out, 0, SOC_OK, err};
    if (cfg->semantics != SOC_SEM_NATIVE && cfg->semantics != SOC_SEM_DS3)
        return w_fail(&w, SOC_EINVAL, "unknown semantics");
    if (cfg->platform.n_clusters > 0 && cfg->platform.clusters == NULL)
        return w_fail(&w, SOC_EINVAL, "the platform's clusters are missing");
    w_puts(&w, "# socsim configuration (docs/config.md), written by socsim ");
    w_puts(&w, soc_version());
    w_puts(&w, "\n");
    if (cfg->name != NULL)
        w_key_str(&w, 0, "name", cfg->name);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->seed);
    w_puts(&w, "seed: ");
    w_puts(&w, seed);
    w_puts(&w, "\n");
    if (cfg->scheduler != NULL)
        w_key_str(&w, 0, "scheduler", cfg->scheduler);
    w_key_str(&w, 0, "semantics", soc__yaml_semantics_names[cfg->semantics]);
    /* DS3 semantics always models power */
    w_key_bool(&w, 0, "power", cfg->power_model || cfg->semantics == SOC_SEM_DS3);
    w_puts(&w, "platform:\n");
    if (w_platform_body(&w, &cfg->platform, 2) != SOC_OK)
        return w.rc;
    w_puts(&w, "applications:\n");
    for (int a = 0; a < cfg->n_apps; a++)
        if (w_app(&w, cfg, &cfg->apps[a], 1) != SOC_OK)
            return w.rc;
    if (w_injection(&w, cfg) != SOC_OK)
        return w.rc;
    if (cfg->ds3 != NULL && w_ds3(&w, cfg) != SOC_OK)
        return w.rc;
    static const char *const outs[] = {"schedule", "trace", "gantt", "power_trace"};
    int any = soc_config_setting(cfg, SOC_SETTING_JSON) != NULL;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "outputs.%s", outs[i]);
        any |= soc_config_setting(cfg, key) != NULL;
    }
    if (any) {
        w_puts(&w, "outputs:\n");
        for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
            char key[64];
            snprintf(key, sizeof key, "outputs.%s", outs[i]);
            const char *v = soc_config_setting(cfg, key);
            if (v != NULL)
                w_key_str(&w, 2, outs[i], v);
        }
        if (soc_config_setting(cfg, SOC_SETTING_JSON) != NULL)
            w_key_bool(&w, 2, "json", 1);
    }
    if (w.rc == SOC_OK && (fflush(out) != 0 || ferror(out)))
        w.rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot write the YAML output");
    return w.rc;
}

static int w_finish(writer_t *w, FILE *out, soc_error_t *err)
{
    if (w->rc == SOC_OK && (fflush(out) != 0 || ferror(out)))
        w->rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot write the YAML output");
    return w->rc;
}

int soc_write_app_yaml(const soc_config_t *cfg, int app, FILE *out, soc_error_t *err)
{
    if (cfg == NULL || out == NULL || app < 0 || app >= cfg->n_apps)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no application or no output");
    writer_t w = {out, 0, SOC_OK, err};
    if (w_app(&w, cfg, &cfg->apps[app], 0) != SOC_OK)
        return w.rc;
    return w_finish(&w, out, err);
}

int soc_write_platform_yaml(const soc_platform_t *p, FILE *out, soc_error_t *err)
{
    if (p == NULL || out == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no platform or no output");
    writer_t w = {out, 0, SOC_OK, err};
    if (p->n_clusters > 0 && p->clusters == NULL)
        return w_fail(&w, SOC_EINVAL, "the platform's clusters are missing");
    if (w_platform_body(&w, p, 0) != SOC_OK)
        return w.rc;
    return w_finish(&w, out, err);
}
