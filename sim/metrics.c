/*
 * metrics.c -- the table of metric fields (soc/metrics.h) and the writers
 * generated from it.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "soc/metrics.h"
#include "soc_util.h"

/* Where a field's value lives: a member (offset) or a derivation. */
enum { SRC_MEMBER = 0, SRC_AVG_UTIL };

typedef struct field_src {
    int src;
    size_t offset;
} field_src_t;

#define F_INT(member, unit, flags, alias, desc)                                            \
    {{#member, SOC_METRIC_INT, unit, desc, flags, alias}, {SRC_MEMBER, offsetof(soc_metrics_t, member)}}
#define F_REAL(member, unit, flags, alias, desc)                                           \
    {{#member, SOC_METRIC_REAL, unit, desc, flags, alias}, {SRC_MEMBER, offsetof(soc_metrics_t, member)}}

static const struct {
    soc_metric_field_t f;
    field_src_t s;
} table[] = {
    F_INT(injected_jobs, "jobs", 0, NULL, "measured jobs injected (arrivals after the warm-up)"),
    F_INT(completed_jobs, "jobs", 0, NULL, "measured jobs completed"),
    F_INT(tasks_completed, "tasks", 0, NULL, "tasks completed (of all jobs, warm-up included)"),
    F_REAL(avg_latency_us, "us", 0, NULL, "mean job latency (completion - arrival) of measured jobs"),
    F_REAL(p50_latency_us, "us", 0, NULL, "median job latency"),
    F_REAL(p95_latency_us, "us", 0, NULL, "95th percentile of job latency"),
    F_REAL(p99_latency_us, "us", 0, NULL, "99th percentile of job latency"),
    F_REAL(max_latency_us, "us", 0, NULL, "largest job latency"),
    F_REAL(makespan_us, "us", 0, "exec_time_us",
           "last measured completion - first measured arrival (DS3's execution time)"),
    F_REAL(sim_time_us, "us", 0, NULL, "simulated time at the end of the run"),
    F_REAL(throughput_jobs_per_s, "jobs/s", 0, NULL, "completed measured jobs per second of makespan"),
    F_REAL(cumulative_latency_us, "us", 0, "cumulative_exec_time_us",
           "sum of the latencies of measured jobs (DS3's cumulative execution time)"),
    F_REAL(avg_concurrent_jobs, "jobs", 0, NULL,
           "mean jobs in the system seen by arrivals, the arriving job included (DS3's definition)"),
    F_INT(deadline_jobs, "jobs", 0, NULL, "measured jobs that had a deadline"),
    F_INT(deadline_misses, "jobs", 0, NULL, "measured jobs that finished after their deadline"),
    {{"avg_utilization", SOC_METRIC_REAL, "1", "mean over PEs of busy time / simulated time", 0, NULL},
     {SRC_AVG_UTIL, 0}},
    F_REAL(energy_j, "J", SOC_METRIC_ENERGY, NULL, "energy of the whole run"),
    F_REAL(edp, "J*us", SOC_METRIC_ENERGY, NULL, "energy-delay product: energy_j x avg_latency_us"),
    F_REAL(avg_power_w, "W", SOC_METRIC_ENERGY, NULL, "energy_j / simulated time"),
    F_REAL(peak_temp_c, "C", SOC_METRIC_ENERGY, NULL, "highest hotspot temperature"),
    /* issue 13: the measured window [warm-up end, last measured completion] */
    F_REAL(window_us, "us", SOC_METRIC_WINDOW, NULL,
           "length of the measured window [warm-up end, last measured completion]"),
    F_REAL(avg_jobs_in_system, "jobs", SOC_METRIC_WINDOW, NULL,
           "time-average number of measured jobs in the system over the window (Little's L)"),
    F_REAL(energy_per_job_j, "J", SOC_METRIC_ENERGY | SOC_METRIC_WINDOW, NULL,
           "energy_j / completed_jobs"),
    F_REAL(avg_admission_wait_us, "us", SOC_METRIC_WINDOW, NULL,
           "mean wait of measured jobs at a full door (max_in_flight), zeros included"),
    F_INT(blocked_arrivals, "jobs", SOC_METRIC_WINDOW, NULL,
          "measured jobs that waited at a full door (max_in_flight, on_full: wait)"),
    F_INT(dropped_jobs, "jobs", SOC_METRIC_WINDOW, NULL,
          "measured arrivals lost at a full door (on_full: drop)"),
    F_REAL(loss_ratio, "1", SOC_METRIC_WINDOW, NULL,
           "dropped_jobs / (dropped_jobs + injected_jobs)"),
    /* interconnect contention (communication.contention bus or flow) */
    F_INT(transfers, "transfers", SOC_METRIC_NET, NULL,
          "inter-PE data transfers of measured jobs delivered through the network"),
    F_REAL(avg_transfer_us, "us", SOC_METRIC_NET, NULL,
           "mean transfer time, request to delivery (queueing and sharing included)"),
    F_REAL(p95_transfer_us, "us", SOC_METRIC_NET, NULL, "95th percentile of transfer time"),
    F_REAL(data_moved, "units", SOC_METRIC_NET, NULL, "data volume of those transfers"),
    F_REAL(max_link_utilization, "1", SOC_METRIC_NET, NULL,
           "utilisation of the busiest link (or of the bus): carried / (capacity x time)"),
    F_REAL(net_energy_j, "J", SOC_METRIC_NET, NULL,
           "interconnect energy after the warm-up (energy_pj_per_unit x volume x links)"),
};

#define N_FIELDS ((int)(sizeof table / sizeof table[0]))

const soc_metric_field_t *soc_metric_fields(int *n)
{
    /* a copy without the private source columns (per thread: no races) */
    static _Thread_local soc_metric_field_t fields[N_FIELDS];
    static _Thread_local int fields_ready;
    if (!fields_ready) {
        for (int i = 0; i < N_FIELDS; i++)
            fields[i] = table[i].f;
        fields_ready = 1;
    }
    if (n != NULL)
        *n = N_FIELDS;
    return fields;
}

int soc_metric_find(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < N_FIELDS; i++)
        if (strcmp(table[i].f.name, name) == 0 ||
            (table[i].f.alias != NULL && strcmp(table[i].f.alias, name) == 0))
            return i;
    return -1;
}

/* Whether field i exists in m's run (energy needs the power model, window
 * figures native semantics, interconnect figures a contention model). */
static int present(const soc_metrics_t *m, int i)
{
    return !((table[i].f.flags & SOC_METRIC_ENERGY) && !m->has_energy) &&
           !((table[i].f.flags & SOC_METRIC_WINDOW) && !m->has_window) &&
           !((table[i].f.flags & SOC_METRIC_NET) && !m->has_net);
}

double soc_metric_value(const soc_metrics_t *m, int i)
{
    if (m == NULL || i < 0 || i >= N_FIELDS)
        return NAN;
    if (!present(m, i))
        return NAN;
    if (table[i].s.src == SRC_AVG_UTIL) {
        if (m->n_pes <= 0)
            return NAN;
        double u = 0;
        for (int k = 0; k < m->n_pes && m->pe_utilization != NULL; k++)
            u += m->pe_utilization[k];
        return u / m->n_pes;
    }
    const char *p = (const char *)m + table[i].s.offset;
    if (table[i].f.type == SOC_METRIC_INT) {
        int64_t v;
        memcpy(&v, p, sizeof v);
        return (double)v;
    }
    double v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Integer fields are written exactly from the member, not through double. */
static void put_value(soc__buf_t *b, const soc_metrics_t *m, int i, const char *none)
{
    char t[32];
    if (!present(m, i)) {
        soc__buf_puts(b, none);
        return;
    }
    if (table[i].f.type == SOC_METRIC_INT && table[i].s.src == SRC_MEMBER) {
        int64_t v;
        memcpy(&v, (const char *)m + table[i].s.offset, sizeof v);
        soc__buf_i64(b, v);
        return;
    }
    double x = soc_metric_value(m, i);
    soc__buf_puts(b, isnan(x) || isinf(x) ? none : soc__num(t, x));
}

static void put_array(soc__buf_t *b, const char *key, const double *x, int n)
{
    char t[32];
    soc__buf_printf(b, ",\"%s\":[", key);
    for (int i = 0; x != NULL && i < n; i++) {
        if (i)
            soc__buf_putc(b, ',');
        soc__buf_puts(b, soc__num(t, x[i]));
    }
    soc__buf_putc(b, ']');
}

/* A number, or null when it is NaN (deadline_miss_rate without deadline,
 * energy without the power model). */
static void put_num(soc__buf_t *b, const char *key, double x)
{
    char t[32];
    soc__buf_printf(b, ",\"%s\":", key);
    soc__buf_puts(b, isnan(x) || isinf(x) ? "null" : soc__num(t, x));
}

/* issue 13: per_app, per_cluster, per_pe of the measured window. */
static void put_window_lists(soc__buf_t *b, const soc_metrics_t *m)
{
    soc__buf_puts(b, ",\"per_app\":[");
    for (int a = 0; m->per_app != NULL && a < m->n_apps; a++) {
        const soc_app_metrics_t *x = &m->per_app[a];
        soc__buf_puts(b, a ? ",{\"name\":" : "{\"name\":");
        soc__buf_json_str(b, x->name);
        soc__buf_puts(b, ",\"completed\":");
        soc__buf_i64(b, x->completed);
        put_num(b, "avg_latency_us", x->avg_latency_us);
        put_num(b, "p95_latency_us", x->p95_latency_us);
        put_num(b, "p99_latency_us", x->p99_latency_us);
        soc__buf_puts(b, ",\"deadline_misses\":");
        soc__buf_i64(b, x->deadline_misses);
        put_num(b, "deadline_miss_rate", x->deadline_miss_rate);
        soc__buf_putc(b, '}');
    }
    soc__buf_puts(b, "],\"per_cluster\":[");
    for (int c = 0; m->per_cluster != NULL && c < m->n_clusters; c++) {
        const soc_cluster_metrics_t *x = &m->per_cluster[c];
        soc__buf_puts(b, c ? ",{\"name\":" : "{\"name\":");
        soc__buf_json_str(b, x->name);
        put_num(b, "utilization", x->utilization);
        put_num(b, "busy_us", x->busy_us);
        put_num(b, "energy_j", x->energy_j);
        soc__buf_putc(b, '}');
    }
    soc__buf_puts(b, "],\"per_pe\":[");
    for (int i = 0; m->per_pe != NULL && i < m->n_pes; i++) {
        const soc_pe_metrics_t *x = &m->per_pe[i];
        soc__buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        soc__buf_json_str(b, x->name);
        put_num(b, "utilization", x->utilization);
        put_num(b, "busy_us", x->busy_us);
        soc__buf_putc(b, '}');
    }
    soc__buf_putc(b, ']');
}

char *soc_metrics_json(const soc_metrics_t *m, const char *extra)
{
    soc__buf_t b = {0};
    soc__buf_puts(&b, "{\"scheduler\":");
    soc__buf_json_str(&b, m->scheduler);
    soc__buf_puts(&b, ",\"seed\":");
    soc__buf_u64(&b, m->seed);
    if (extra != NULL && extra[0] != '\0') {
        soc__buf_putc(&b, ',');
        soc__buf_puts(&b, extra);
    }
    for (int i = 0; i < N_FIELDS; i++) {
        soc__buf_printf(&b, ",\"%s\":", table[i].f.name);
        put_value(&b, m, i, "null");
    }
    for (int i = 0; i < N_FIELDS; i++)
        if (table[i].f.alias != NULL) {
            soc__buf_printf(&b, ",\"%s\":", table[i].f.alias);
            put_value(&b, m, i, "null");
        }
    put_array(&b, "pe_utilization", m->pe_utilization, m->n_pes);
    if (m->pe_names != NULL) { /* parallel to pe_utilization and pe_energy_j */
        soc__buf_puts(&b, ",\"pe_names\":[");
        for (int i = 0; i < m->n_pes; i++) {
            if (i)
                soc__buf_putc(&b, ',');
            soc__buf_json_str(&b, m->pe_names[i]);
        }
        soc__buf_putc(&b, ']');
    }
    if (m->has_energy && m->cluster_energy_j != NULL)
        put_array(&b, "cluster_energy_j", m->cluster_energy_j, m->n_clusters);
    if (m->has_energy && m->pe_energy_j != NULL)
        put_array(&b, "pe_energy_j", m->pe_energy_j, m->n_pes);
    if (m->has_window)
        put_window_lists(&b, m);
    if (m->has_net && m->link_utilization != NULL) { /* {"link name": utilisation} */
        char t[32];
        soc__buf_puts(&b, ",\"link_utilization\":{");
        for (int i = 0; i < m->n_links; i++) {
            if (i)
                soc__buf_putc(&b, ',');
            soc__buf_json_str(&b, m->link_names != NULL ? m->link_names[i] : "");
            soc__buf_putc(&b, ':');
            soc__buf_puts(&b, soc__num(t, m->link_utilization[i]));
        }
        soc__buf_putc(&b, '}');
    }
    soc__buf_putc(&b, '}');
    return soc__buf_take(&b);
}

const char *soc_metrics_csv_header(void)
{
    static _Thread_local char header[4096];
    if (header[0] == '\0') {
        size_t n = 0;
        for (int i = 0; i < N_FIELDS; i++) {
            size_t l = strlen(table[i].f.name);
            if (n + l + 2 > sizeof header)
                break;
            header[n++] = ',';
            memcpy(header + n, table[i].f.name, l);
            n += l;
        }
        header[n] = '\0';
    }
    return header;
}

char *soc_metrics_csv(const soc_metrics_t *m)
{
    soc__buf_t b = {0};
    for (int i = 0; i < N_FIELDS; i++) {
        soc__buf_putc(&b, ',');
        put_value(&b, m, i, "");
    }
    return soc__buf_take(&b);
}
