/*
 * fuzz_engine.c -- loader + native engine: a configuration that loads runs
 * to the end (or fails with a status) under several schedulers.  The run
 * is kept short (at most 8 measured jobs, 1 s of simulated time, small
 * platforms), so every input finishes quickly.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "fuzz_common.h"
#include "soc/schedulers.h"
#include "soc/sim.h"
#include "soc/workload.h"

static const char *const SCHEDS[] = {"heft", "met", "etf", "random", "olb", "minmin"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    soc_config_t cfg;
    if (soc_load_yaml_string(&cfg, text, "fuzz", fz_dir(), NULL) != SOC_OK) {
        free(text);
        return 0;
    }
    free(text);
    soc_injection_t *in = &cfg.injection;
    size_t tasks = 0;
    for (int a = 0; a < cfg.n_apps; a++)
        tasks += (size_t)cfg.apps[a].n_tasks;
    if (cfg.semantics != SOC_SEM_NATIVE || cfg.platform.n_pes > 64 || tasks > 256 ||
        (in->kind == SOC_ARRIVAL_TRACE && in->n_times > 64)) {
        soc_config_free(&cfg);
        return 0;
    }
    if (in->max_jobs == 0 || in->max_jobs > 8)
        in->max_jobs = 8;
    if (in->sim_time_us == 0 || in->sim_time_us > 1e6)
        in->sim_time_us = 1e6;
    if (in->warmup_us > 1e5)
        in->warmup_us = 1e5;
    for (size_t k = 0; k < sizeof SCHEDS / sizeof SCHEDS[0]; k++) {
        soc_sched_handle_t *h = NULL;
        soc_error_t err = {0};
        if (soc_sched_resolve(SCHEDS[k], &h, &err) != SOC_OK)
            abort();
        soc_sim_options_t so = {sizeof so, soc_sched_handle_ops(h), soc_sched_handle_arg(h),
                                NULL, NULL, NULL, NULL};
        soc_sim_t *sim = NULL;
        int rc = soc_sim_create(&sim, &cfg, &so, &err);
        if (rc == SOC_OK)
            rc = soc_sim_run(sim, &err);
        if (rc != SOC_OK && (rc >= 0 || err.msg[0] == '\0'))
            abort();
        if (rc == SOC_OK) {
            soc_metrics_t m;
            soc_sim_metrics(sim, &m);
            if (m.completed_jobs > m.injected_jobs)
                abort();
        }
        soc_sim_destroy(sim);
        soc_sched_handle_free(h);
    }
    soc_config_free(&cfg);
    return 0;
}
