/*
 * minimal_sim.c -- embed libsocsim: load a YAML config, run it with HEFT,
 * print the makespan.  Build against an installed socsim:
 *   cc -std=c11 minimal_sim.c $(pkg-config --cflags --libs socsim)
 */
#include <stdio.h>
#include <soc/sim.h>
#include <soc/schedulers.h>
#include <soc/workload.h>
int main(int argc, char **argv)
{
    soc_config_t cfg; soc_error_t err = {0}; char buf[600];
    if (soc_load_yaml(&cfg, argv[1], &err) != SOC_OK) { puts(soc_error_format(&err, buf, sizeof buf)); return 2; }
    soc_sim_options_t o = { .struct_size = sizeof o, .sched = soc_sched_find("heft") };
    soc_sim_t *sim;
    if (soc_sim_create(&sim, &cfg, &o, &err) || soc_sim_run(sim, &err)) { puts(soc_error_format(&err, buf, sizeof buf)); return 1; }
    soc_metrics_t m; soc_sim_metrics(sim, &m);
    printf("makespan %g\n", m.makespan_us);
    soc_sim_destroy(sim); soc_config_free(&cfg);
    return 0;
}
