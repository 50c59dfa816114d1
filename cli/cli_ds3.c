/*
 * cli_ds3.c -- `socsim convert-ds3`: DS3's own input files (ini, SoC, jobs)
 * as one socsim YAML file.  (`socsim run --ds3` is in cli_run_cmd.c, with
 * every other run.)
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"

enum { OPT_SET = 256, OPT_NATIVE, OPT_OUT = 'o' };

typedef struct conv_args {
    const char *out;
    const char **sets; /* NULL-terminated */
    int n_sets;
    int oom, native;
} conv_args_t;

static int conv_opt(void *user, int key, const char *arg)
{
    conv_args_t *a = user;
    switch (key) {
    case OPT_OUT:
        a->out = arg;
        return 0;
    case OPT_NATIVE:
        a->native = 1;
        return 0;
    case OPT_SET: {
        if (strchr(arg, '=') == NULL) {
            fprintf(stderr, "socsim: --set expects KEY=VALUE, got '%s'\n", arg);
            return -1;
        }
        const char **ns = realloc(a->sets, sizeof *ns * (size_t)(a->n_sets + 3));
        if (ns == NULL) {
            a->oom = 1;
            return -1;
        }
        a->sets = ns;
        a->sets[a->n_sets++] = arg;
        a->sets[a->n_sets] = NULL;
        return 0;
    }
    default:
        return -1;
    }
}

static const cli_opt_t conv_opts[] = {
    {"output", OPT_OUT, 1, "FILE", "write the YAML here (default: standard output)"},
    {"set", OPT_SET, 1, "KEY=VALUE", "override an ini option (repeatable)"},
    {"native", OPT_NATIVE, 0, NULL,
     "write the workload in native semantics (for heft, peft, ...; no DS3 energy)"},
    {NULL, 0, 0, NULL, NULL},
};

int cli_cmd_convert_ds3(int argc, char **argv)
{
    static const char usage[] = "socsim convert-ds3 PATH/config_file.ini [-o OUT.yaml] "
                                "[--set KEY=VALUE]... [--native]";
    conv_args_t a = {0};
    int first = cli_parse(argc, argv, conv_opts, usage,
                          "Convert DS3 input files (ini, SoC, jobs) to one socsim YAML file "
                          "with `semantics: ds3`;\n`socsim run OUT.yaml` then gives the same "
                          "results as `socsim run --ds3`.  With --native\nthe same workload "
                          "in socsim's native semantics, for every scheduler.",
                          conv_opt, &a);
    int code = CLI_OK;
    FILE *out = NULL;
    cli_out_t file = {0};
    soc_config_t cfg;
    int loaded = 0;
    if (first == -2)
        goto done;
    if (first < 0 || argc - first != 1) {
        if (first >= 0)
            fprintf(stderr, "usage: %s\n", usage);
        code = a.oom ? CLI_FAIL : CLI_USAGE;
        goto done;
    }
    if (a.native) {
        static char native[] = "semantics=native";
        const char **ns = realloc(a.sets, sizeof *ns * (size_t)(a.n_sets + 2));
        if (ns == NULL) {
            code = CLI_FAIL;
            goto done;
        }
        a.sets = ns;
        a.sets[a.n_sets++] = native;
        a.sets[a.n_sets] = NULL;
    }
    soc_error_t err = {0};
    soc_load_options_t lo = {sizeof lo, (const char *const *)a.sets, {cli_warning, NULL}};
    if (soc_load_ds3_opts(&cfg, argv[first], &lo, &err) != SOC_OK) {
        code = cli_report(&err);
        goto done;
    }
    loaded = 1;
    if (a.out == NULL || strcmp(a.out, "-") == 0) {
        out = stdout;
    } else {
        if ((code = cli_out_open(&file, a.out)) != 0)
            goto done;
        out = file.f;
    }
    if (soc_write_yaml(&cfg, out, &err) != SOC_OK)
        code = cli_report(&err);
    if (cli_out_close(&file, code == CLI_OK) != 0 && code == CLI_OK)
        code = CLI_FAIL;
done:
    if (loaded)
        soc_config_free(&cfg);
    free(a.sets);
    return code;
}
