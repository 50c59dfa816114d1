/*
 * fuzz_weights.c -- the neural scheduler's weights loader and forward pass:
 * the input is a weights file for a fixed 3-PE platform; it is refused with
 * a message, or a short run with it completes (or stops with a status).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "fuzz_common.h"
#include "soc/schedulers.h"
#include "soc/sim.h"
#include "soc/workload.h"

static const char PLATFORM[] =
    "platform:\n"
    "  clusters:\n"
    "    - {name: a, count: 2, exec_us: {x: 5, y: 7}}\n"
    "    - {name: b, count: 1, exec_us: {x: 3}}\n"
    "applications:\n"
    "  - {name: app, tasks: [x, y, x], edges: [[0, 1, 10], [0, 2, 5]]}\n"
    "injection: {arrival: periodic, period_us: 4}\n"
    "stop: {jobs: 6}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static soc_config_t cfg;
    static int loaded;
    if (!loaded) {
        if (soc_load_yaml_string(&cfg, PLATFORM, "platform", NULL, NULL) != SOC_OK)
            abort();
        loaded = 1;
    }
    const char *path = fz_write("w.weights", data, size);
    char spec[600];
    snprintf(spec, sizeof spec, "neural:%s", path);
    soc_sched_handle_t *h = NULL;
    soc_error_t err = {0};
    if (soc_sched_resolve(spec, &h, &err) != SOC_OK)
        abort();
    soc_sim_options_t so = {sizeof so, soc_sched_handle_ops(h), soc_sched_handle_arg(h),
                            NULL, NULL, NULL, NULL};
    soc_sim_t *sim = NULL;
    int rc = soc_sim_create(&sim, &cfg, &so, &err);
    if (rc == SOC_OK)
        rc = soc_sim_run(sim, &err);
    if (rc != SOC_OK && (rc >= 0 || err.msg[0] == '\0'))
        abort();
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
    return 0;
}
