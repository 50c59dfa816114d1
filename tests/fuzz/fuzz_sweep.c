/*
 * fuzz_sweep.c -- sweep files (soc_sweep_load).  The input is the sweep
 * file; its base may be `base.yaml`, a small configuration written next to
 * it once per process (or any other name, which then fails to load).  Every
 * input loads or fails with a message; a sweep that loads lists the
 * identifying cells of its first points and of its units, which must be
 * consistent with the point and unit counts.  Nothing is run: a fuzzed
 * `set:` could ask for any number of jobs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "fuzz_common.h"
#include "soc/schedulers.h"
#include "soc/study.h"

static const char BASE[] =
    "platform:\n"
    "  clusters:\n"
    "    - {name: big, count: 2, exec_us: {a: 10, b: 20}}\n"
    "    - {name: little, count: 1, exec_us: {a: 30}}\n"
    "applications:\n"
    "  - name: app\n"
    "    tasks: [{name: x, type: a}, {name: y, type: b}]\n"
    "    edges: [[x, y, 5]]\n"
    "injection: {arrival: poisson, mean_interarrival_us: 50}\n"
    "stop: {jobs: 5}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int made;
    if (!made) {
        fz_write("base.yaml", BASE, sizeof BASE - 1);
        made = 1;
    }
    const char *path = fz_write("sweep.yaml", data, size);
    soc_sweep_t *s = NULL;
    soc_error_t err = {0};
    int rc = soc_sweep_load(&s, path, soc_sched_catalog(), NULL, &err);
    if (rc != SOC_OK) {
        if (s != NULL || err.code == 0 || err.msg[0] == '\0')
            abort(); /* a failure must say why and leave nothing behind */
        return 0;
    }
    int np = soc_sweep_n_points(s), nu = soc_sweep_n_units(s), covered = 0;
    if (np < 1 || nu < 1 || nu > np)
        abort();
    for (int u = 0; u < nu; u++) {
        int first, n;
        soc_sweep_unit(s, u, &first, &n);
        if (first != covered || n < 1)
            abort(); /* units hold consecutive points, all of them */
        covered += n;
    }
    if (covered != np)
        abort();
    char *h = soc_sweep_header(s);
    if (h == NULL)
        abort();
    free(h);
    for (int p = 0; p < np && p < 64; p++) {
        char *c = soc_sweep_point_cells(s, p);
        if (c == NULL)
            abort();
        free(c);
    }
    soc_sweep_free(s);
    return 0;
}
