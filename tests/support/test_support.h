/*
 * test_support.h -- fixtures shared by the Check tests.
 */
#ifndef SOC_TEST_SUPPORT_H
#define SOC_TEST_SUPPORT_H

#include <check.h>
#include "soc/sim.h"

/* 1 when the shared reference folder (DS3 files, checks) is present. */
int ts_have_shared(void);
/* Path inside the source tree / shared folder / test data (static buffer
 * per call site is not used: the result is malloc'ed, caller frees). */
char *ts_path(const char *root, const char *rel);
/* Run a Check suite with the default runner; returns the process exit
 * code (0 all passed, 1 otherwise). */
int ts_run_suite(Suite *s);
/* Test cases that need the shared reference data carry this tag
 * (tcase_set_tags(tc, TS_SHARED_TAG)).  ts_run_suite_parts runs the
 * untagged cases, or with argv[1] == "--shared" the tagged ones -- and then
 * exits 77 (CTest: Skipped) when the data is absent, so a missing reference
 * never counts as a pass.  tests/CMakeLists.txt registers both parts. */
#define TS_SHARED_TAG "shared"
int ts_run_suite_parts(Suite *s, int argc, char **argv);

/* ---- programmatic configs (all helpers abort the test on ENOMEM) ----
 * ts_cfg_new: empty config with n_types task types named "t0", "t1"...;
 * bandwidth: default 1, same PE free. */
soc_config_t *ts_cfg_new(int n_types);
/* Add a cluster; exec_us[n_types], < 0 = unsupported.  Returns its index. */
int ts_cfg_cluster(soc_config_t *cfg, const char *name, int count, const double *exec_us);
/* Add an application: types[n_tasks]; edges[n_edges][3] = {src, dst, volume}. */
int ts_cfg_app(soc_config_t *cfg, const char *name, double prob, int n_tasks,
               const int *types, int n_edges, const double (*edges)[3]);
/* Injection helpers. */
void ts_cfg_trace(soc_config_t *cfg, int n, const double *times_us);
void ts_cfg_poisson(soc_config_t *cfg, double mean_us, int64_t jobs);
void ts_cfg_periodic(soc_config_t *cfg, double period_us, int64_t jobs);
/* The canonical Topcuoglu 10-task DAG on 3 processors (one job at t = 0):
 * types t0..t9 = n1..n10, clusters P1, P2, P3. */
soc_config_t *ts_cfg_topcuoglu(void);
/* Finalize or fail the test with the message. */
void ts_cfg_finalize(soc_config_t *cfg);
void ts_cfg_destroy(soc_config_t *cfg);

/* A growable list of task records (soc_record_fn: ts_records_add). */
typedef struct ts_records {
    soc_task_record_t *r;
    int n, cap;
} ts_records_t;
void ts_records_add(void *user, const soc_task_record_t *rec);
void ts_records_free(ts_records_t *r);

#endif
