/*
 * cli_flows.c -- `socsim flows CONFIG.yaml FLOWS.csv`: run a set of
 * transfers through the config's interconnect contention model alone
 * (soc_net_run_flows, soc/net.h) and print when each one is delivered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "soc/net.h"
#include "soc/workload.h"
#include "soc_util.h"

static const char flows_usage[] = "socsim flows CONFIG.yaml FLOWS.csv [--routes]";

static const cli_opt_t flows_opts[] = {
    {"routes", 'r', 0, NULL, "add the links each flow crosses (a column 'route')"},
    {NULL, 0, 0, NULL, NULL},
};

static int flows_opt(void *user, int key, const char *arg)
{
    (void)arg;
    if (key == 'r')
        *(int *)user = 1;
    return 0;
}

/* A PE by global index ("3") or as CLUSTER.K ("A15.2"); -1 if unknown. */
static int pe_of(const soc_platform_t *p, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end != s && *end == '\0' && errno == 0)
        return v >= 0 && v < p->n_pes ? (int)v : -1;
    const char *dot = strrchr(s, '.');
    if (dot == NULL)
        return -1;
    v = strtol(dot + 1, &end, 10);
    if (end == dot + 1 || *end != '\0' || v < 0)
        return -1;
    for (int c = 0; c < p->n_clusters; c++)
        if (strlen(p->clusters[c].name) == (size_t)(dot - s) &&
            strncmp(p->clusters[c].name, s, (size_t)(dot - s)) == 0)
            return v < p->clusters[c].count ? p->clusters[c].first_pe + (int)v : -1;
    return -1;
}

static int num_of(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno == 0;
}

/* FLOWS.csv: header src_pe,dst_pe,volume,start_us, then one flow a line. */
static int read_flows(const char *path, const soc_platform_t *p, soc_flow_t **out, int *n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "socsim: cannot read '%s': %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    char *line = NULL, **cells = NULL, *store = NULL;
    size_t cap = 0;
    int lineno = 0, k, code = CLI_OK, cap_f = 0;
    soc_flow_t *fl = NULL;
    *n = 0;
    k = soc__csv_next(f, &line, &cap, &lineno, &cells, &store);
    if (k != 4 || strcmp(cells[0], "src_pe") != 0 || strcmp(cells[1], "dst_pe") != 0 ||
        strcmp(cells[2], "volume") != 0 || strcmp(cells[3], "start_us") != 0) {
        fprintf(stderr, "socsim: %s:%d: expected the header src_pe,dst_pe,volume,start_us\n", path,
                lineno);
        code = CLI_USAGE;
    }
    while (code == CLI_OK) {
        free(cells);
        free(store);
        cells = NULL;
        store = NULL;
        k = soc__csv_next(f, &line, &cap, &lineno, &cells, &store);
        if (k == -2)
            break;
        soc_flow_t x = {0};
        if (k != 4 || (x.src_pe = pe_of(p, cells[0])) < 0 || (x.dst_pe = pe_of(p, cells[1])) < 0 ||
            !num_of(cells[2], &x.volume) || !num_of(cells[3], &x.start_us) ||
            !(x.volume >= 0 && x.volume <= 1e15) || !(x.start_us >= 0 && x.start_us <= 1e12) ||
            x.src_pe == x.dst_pe) {
            fprintf(stderr,
                    "socsim: %s:%d: expected SRC,DST,VOLUME,START_US with two different PEs "
                    "(index 0..%d or CLUSTER.K) and numbers >= 0\n",
                    path, lineno, p->n_pes - 1);
            code = CLI_USAGE;
            break;
        }
        if (*n == cap_f) {
            cap_f = cap_f ? 2 * cap_f : 64;
            soc_flow_t *nf = realloc(fl, sizeof *nf * (size_t)cap_f);
            if (nf == NULL) {
                fprintf(stderr, "socsim: out of memory\n");
                code = CLI_FAIL;
                break;
            }
            fl = nf;
        }
        fl[(*n)++] = x;
    }
    free(cells);
    free(store);
    free(line);
    fclose(f);
    if (code != CLI_OK) {
        free(fl);
        return code;
    }
    *out = fl;
    return CLI_OK;
}

int cli_cmd_flows(int argc, char **argv)
{
    int routes = 0;
    int first = cli_parse(argc, argv, flows_opts, flows_usage,
                          "Run the transfers of FLOWS.csv (header src_pe,dst_pe,volume,start_us; "
                          "PEs by index or CLUSTER.K)\nthrough the interconnect contention model "
                          "of CONFIG.yaml (communication.contention)\nalone, in exact continuous "
                          "time, and print when each is delivered.  See docs/semantics.md.",
                          flows_opt, &routes);
    if (first == -2)
        return CLI_OK;
    if (first < 0)
        return CLI_USAGE;
    if (argc - first != 2) {
        fprintf(stderr, "usage: %s\n", flows_usage);
        return CLI_USAGE;
    }
    soc_config_t cfg;
    soc_error_t err = {0};
    if (soc_load_yaml(&cfg, argv[first], &err) != SOC_OK)
        return cli_report(&err);
    soc_flow_t *fl = NULL;
    int n = 0, code = CLI_OK;
    const soc_platform_t *p = &cfg.platform;
    if (p->contention == NULL || p->contention->model == SOC_NET_NONE) {
        fprintf(stderr, "socsim: %s: no contention model (communication.contention: bus or flow)\n",
                argv[first]);
        code = CLI_USAGE;
    }
    if (code == CLI_OK)
        code = read_flows(argv[first + 1], p, &fl, &n);
    if (code == CLI_OK && soc_net_run_flows(p, fl, n, &err) != SOC_OK)
        code = cli_report(&err);
    if (code == CLI_OK) {
        printf("flow,src_pe,dst_pe,volume,start_us,finish_us%s\n", routes ? ",route" : "");
        for (int i = 0; i < n; i++) {
            char a[32], b[32], c[32];
            printf("%d,%d,%d,%s,%s,%s", i, fl[i].src_pe, fl[i].dst_pe, soc__num(a, fl[i].volume),
                   soc__num(b, fl[i].start_us), soc__num(c, fl[i].finish_us));
            if (routes) {
                char r[8192];
                if (soc_net_route(p, fl[i].src_pe, fl[i].dst_pe, r, sizeof r, &err) != SOC_OK)
                    r[0] = '\0';
                printf(",%s", r);
            }
            printf("\n");
        }
    }
    free(fl);
    soc_config_free(&cfg);
    return code;
}
