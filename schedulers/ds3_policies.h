/*
 * ds3_policies.h -- DS3-exact scheduling policies (DS3 semantics), shared by
 * the scheduler files that offer a DS3 behaviour next to their textbook one.
 * Internal to schedulers/.  All DS3 scheduler state (PE availability
 * estimates, ETF_LB counters) lives in the engine-owned soc_ds3_view, so
 * these functions are stateless.
 */
#ifndef SOC_DS3_POLICIES_H
#define SOC_DS3_POLICIES_H

#include "soc/ds3.h"
#include "soc/sched.h"

/* The DS3 extension of a scheduler table: SOC__DS3_EXT(ext_name, fn)
 * defines `static const soc_sched_ext_t ext_name` running fn in DS3
 * semantics; the scheduler's table points to it with `.ext = &ext_name`. */
#define SOC__DS3_EXT(ext_name, fn)                                                       \
    static const soc_ds3_sched_ops_t ext_name##_ops = {fn};                              \
    static const soc_sched_ext_t ext_name = {SOC_SCHED_EXT_DS3, sizeof(soc_ds3_sched_ops_t), \
                                             &ext_name##_ops, NULL}

struct soc_ds3_view;
int soc__ds3_met(void *state, struct soc_ds3_view *v);
int soc__ds3_eft(void *state, struct soc_ds3_view *v);
int soc__ds3_etf(void *state, struct soc_ds3_view *v);
int soc__ds3_stf(void *state, struct soc_ds3_view *v);
int soc__ds3_etf_lb(void *state, struct soc_ds3_view *v);
int soc__ds3_cpu_only(void *state, struct soc_ds3_view *v);

#endif
