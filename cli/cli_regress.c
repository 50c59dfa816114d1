/*
 * cli_regress.c -- `socsim regress`: options and output around the
 * library's regression suite (soc/study.h: soc_regress_*;
 * docs/regression.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

enum { OPT_UPDATE = 256, OPT_DIR, OPT_REPORT, OPT_JOBS_ALIAS };

static const cli_opt_t regress_opts[] = {
    {"dir", OPT_DIR, 1, "DIR", "the suite (default tests/regress): suite.yaml, workloads, golden.csv"},
    {"update", OPT_UPDATE, 0, NULL, "accept the current results: rewrite DIR/golden.csv"},
    {"workers", 'j', 1, "N", "worker processes (default: all cores)"},
    {"jobs", OPT_JOBS_ALIAS, 1, "N", NULL}, /* deprecated spelling */
    {"report", OPT_REPORT, 1, "FILE", "also write the markdown report to FILE"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct regress_args {
    const char *dir, *report;
    int update, workers;
} regress_args_t;

static int regress_opt(void *user, int key, const char *arg)
{
    regress_args_t *a = user;
    switch (key) {
    case OPT_DIR:
        a->dir = arg;
        return 0;
    case OPT_UPDATE:
        a->update = 1;
        return 0;
    case OPT_REPORT:
        a->report = arg;
        return 0;
    case OPT_JOBS_ALIAS:
        fprintf(stderr, "socsim: warning: --jobs is a deprecated spelling of -j/--workers "
                        "here (in 'socsim run', --jobs is the number of measured jobs)\n");
        return cli_parse_workers(arg, &a->workers);
    case 'j':
        return cli_parse_workers(arg, &a->workers);
    default:
        return -1;
    }
}

int cli_cmd_regress(int argc, char **argv)
{
    static const char usage[] = "socsim regress [--dir DIR] [--update] [-j N] [--report FILE]";
    regress_args_t a = {0};
    a.dir = "tests/regress";
    int first = cli_parse(argc, argv, regress_opts, usage,
                          "Run the scheduler regression suite (every registered scheduler on the\n"
                          "suite's workloads and seeds), compare each metric exactly with the\n"
                          "goldens, print a markdown table; exit 1 on any difference.",
                          regress_opt, &a);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc != first) {
        fprintf(stderr, "usage: %s\n", usage);
        return CLI_USAGE;
    }
    soc_regress_t *R = NULL;
    soc_error_t err = {0};
    int code;
    if (soc_regress_load(&R, a.dir, soc_sched_catalog(), &err) != SOC_OK)
        return cli_report(&err);
    if (soc_regress_run(R, a.workers, &err) != SOC_OK) {
        code = cli_report(&err);
    } else if (a.update) {
        code = soc_regress_write_golden(R, &err) == SOC_OK ? CLI_OK : cli_report(&err);
        if (code == CLI_OK) {
            int nw, ns, nk;
            soc_regress_size(R, &nw, &ns, &nk);
            printf("wrote %s/golden.csv: %d runs (%d workloads x %d schedulers x %d seeds)\n",
                   a.dir, nw * ns * nk, nw, ns, nk);
        }
    } else {
        int n_diff = 0;
        int rc = soc_regress_compare(R, stdout, &n_diff, &err);
        code = rc != SOC_OK ? cli_report(&err) : n_diff ? CLI_FAIL : CLI_OK;
        if (rc == SOC_OK && a.report != NULL) {
            FILE *f = fopen(a.report, "w");
            if (f == NULL) {
                fprintf(stderr, "socsim regress: %s: cannot write\n", a.report);
                code = CLI_FAIL;
            } else {
                soc_regress_compare(R, f, &n_diff, &err);
                if (fclose(f) != 0) {
                    fprintf(stderr, "socsim regress: %s: write error\n", a.report);
                    code = CLI_FAIL;
                }
            }
        }
    }
    soc_regress_free(R);
    return code;
}
