/*
 * soc/metrics.h -- the one table of metric fields.
 *
 * Every per-run scalar of soc_metrics_t that socsim reports is described
 * once here: name, type, unit, description.  The JSON line of `run --json`,
 * the metric columns of sweep results and summaries, the regression table
 * and the plots are all generated from this table, so a new metric is added
 * in one place (sim/metrics.c) and appears everywhere.
 *
 * Arrays (per-PE utilisation, per-cluster energy, per-link utilisation)
 * are not fields; JSON writes them after the fields.
 */
#ifndef SOC_METRICS_H
#define SOC_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "soc/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum soc_metric_type {
    SOC_METRIC_INT = 0,  /* int64_t member */
    SOC_METRIC_REAL = 1  /* double member (or derived) */
} soc_metric_type_t;

/* A field is present in every run unless a flag says otherwise. */
#define SOC_METRIC_ENERGY 1u   /* only when has_energy (power model on) */
#define SOC_METRIC_WINDOW 2u   /* only when has_window (native semantics) */
#define SOC_METRIC_NET 4u      /* only when has_net (a contention model) */

typedef struct soc_metric_field {
    const char *name;        /* column / JSON key, e.g. "avg_latency_us" */
    soc_metric_type_t type;
    const char *unit;        /* "us", "jobs", "J", "1" (dimensionless)... */
    const char *description; /* one line */
    unsigned flags;          /* SOC_METRIC_* */
    const char *alias;       /* DS3's name of the same value, also written
                                in JSON ("exec_time_us"); NULL = none */
} soc_metric_field_t;

/* The fields in their canonical order (the order of JSON keys and CSV
 * columns); *n receives the count.  Static storage. */
SOC_API const soc_metric_field_t *soc_metric_fields(int *n);
/* Index of a field by name (or alias), -1 if there is none. */
SOC_API int soc_metric_find(const char *name);
/* Value of field i of m as a double: NaN when the field is absent from
 * this run (energy without the power model) or i is out of range. */
SOC_API double soc_metric_value(const soc_metrics_t *m, int i);

/* m as one JSON object on one line, without a newline: "scheduler",
 * "seed", then `extra` verbatim when not NULL (members without braces,
 * e.g. "\"scale\":100,\"iteration\":0"), the fields (absent = null), the
 * DS3 aliases, the arrays pe_utilization, cluster_energy_j and
 * pe_energy_j (the energy arrays only with the power model), the lists
 * per_app, per_cluster and per_pe of the measured window (objects, see
 * soc_app_metrics_t etc. in soc/sim.h; when has_window), and with a
 * contention model the object link_utilization {"link": utilisation}.  Numbers are
 * written in their shortest exact form.  Malloc'ed; NULL when out of
 * memory. */
SOC_API char *soc_metrics_json(const soc_metrics_t *m, const char *extra);
/* The field names as CSV cells, each preceded by a comma
 * (",injected_jobs,...").  Static storage. */
SOC_API const char *soc_metrics_csv_header(void);
/* The values as CSV cells in the same order, each preceded by a comma;
 * absent values are empty cells.  Malloc'ed; NULL when out of memory. */
SOC_API char *soc_metrics_csv(const soc_metrics_t *m);

#ifdef __cplusplus
}
#endif
#endif
