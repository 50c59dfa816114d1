/*
 * study_internal.h -- declarations shared by the files of the study layer.
 * Never installed.
 */
#ifndef SOC_STUDY_INTERNAL_H
#define SOC_STUDY_INTERNAL_H

#include "soc/study.h"

/* The identifying cells (indices after "point") that a summary groups by:
 * every column but the seed and, for DS3 chains, the iteration.  keep has
 * room for every cell; returns the count. */
int soc__sweep_group_cells(const soc_sweep_t *s, int *keep);
/* Metric columns of the results: the metric table's fields, then the
 * per-application columns "app.NAME.FIELD" (issue 13). */
int soc__sweep_n_metric_cols(const soc_sweep_t *s);

#endif
