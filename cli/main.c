/*
 * main.c -- the socsim command-line tool: subcommand dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "soc/status.h"

typedef struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} cmd_t;

static const cmd_t commands[] = {
    {"run", cli_cmd_run, "run a YAML config (or DS3 files with --ds3)"},
    {"validate", cli_cmd_validate, "check a YAML config and describe it"},
    {"schedulers", cli_cmd_schedulers, "list the available schedulers"},
    {"convert-ds3", cli_cmd_convert_ds3, "convert DS3 config_file.ini (+ SoC, jobs) to socsim YAML"},
    {"default", cli_cmd_default, "run the embedded default with every scheduler (same as no arguments)"},
    {"sweep", cli_cmd_sweep, "run a parameter sweep (SWEEP.yaml) on all cores; resumable"},
    {"plot", cli_cmd_plot, "draw figures (PNG, SVG, PDF) of a sweep directory or a schedule"},
    {"report", cli_cmd_report, "write a self-contained HTML report of sweeps, runs and a schedule"},
    {"regress", cli_cmd_regress, "rerun the scheduler regression suite and compare with its goldens"},
    {"import", cli_cmd_import, "import a task graph: WfCommons JSON, STG, Graphviz DOT"},
    {"gen", cli_cmd_gen, "generate a synthetic DAG (gen dag random|layered|fork-join|...)"},
    {"export", cli_cmd_export, "draw an application as Graphviz DOT (export dot), critical path"},
    {"serve", cli_cmd_serve, "serve RL environments over a Unix socket or loopback TCP (gym/PROTOCOL.md)"},
    {"flows", cli_cmd_flows, "run transfers through a config's interconnect contention model alone"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "socsim %s -- deterministic discrete-event simulator of DAG scheduling on\n"
            "heterogeneous systems-on-chip.\n\n"
            "usage: socsim                       run the embedded default, compare schedulers\n"
            "       socsim COMMAND [ARGS] [--help]     (or: socsim help COMMAND)\n\ncommands:\n",
            soc_version());
    for (const cmd_t *c = commands; c->name; c++)
        fprintf(out, "  %-14s %s\n", c->name, c->help);
    fprintf(out, "\nexit codes: 0 success, 1 simulation failure, 2 bad usage or bad input.\n"
                 "docs: README.md, docs/config.md, docs/semantics.md, docs/schedulers.md,\n"
                 "      docs/ds3.md, docs/power.md, docs/sweeps.md, docs/workloads.md, gym/PROTOCOL.md\n");
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        char name[] = "default";
        char *args[] = {name, NULL};
        return cli_cmd_default(1, args);
    }
    if (strcmp(argv[1], "help") == 0 && argc >= 3) {
        /* `socsim help run` = `socsim run --help` */
        for (const cmd_t *c = commands; c->name; c++)
            if (strcmp(argv[2], c->name) == 0) {
                char help[] = "--help";
                char *args[] = {argv[2], help, NULL};
                return c->fn(2, args);
            }
        fprintf(stderr, "socsim: no command '%s' (see 'socsim help')\n", argv[2]);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("socsim %s\n", soc_version());
        return CLI_OK;
    }
    for (const cmd_t *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "socsim: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    soc_library_init();
    /* a lost write to standard output fails the command (cli_stdout.c) */
    cli_stdout_init();
    return cli_stdout_close(dispatch(argc, argv));
}
