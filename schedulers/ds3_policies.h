/*
 * ds3_policies.h -- DS3-exact scheduling policies (DS3 semantics), shared by
 * the scheduler files that offer a DS3 behaviour next to their textbook one.
 * Internal to schedulers/.  All DS3 scheduler state (PE availability
 * estimates, ETF_LB counters) lives in the engine-owned soc_ds3_view, so
 * these functions are stateless.
 */
#ifndef SOC_DS3_POLICIES_H
#define SOC_DS3_POLICIES_H

#include "soc/sched.h"

struct soc_ds3_view;
int soc__ds3_met(void *state, struct soc_ds3_view *v);
int soc__ds3_eft(void *state, struct soc_ds3_view *v);
int soc__ds3_etf(void *state, struct soc_ds3_view *v);
int soc__ds3_stf(void *state, struct soc_ds3_view *v);
int soc__ds3_etf_lb(void *state, struct soc_ds3_view *v);
int soc__ds3_cpu_only(void *state, struct soc_ds3_view *v);

#endif
