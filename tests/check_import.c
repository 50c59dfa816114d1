/*
 * check_import.c -- importers (STG, DOT, WfCommons JSON), platform maps,
 * DAG generators, critical paths and DOT export (soc/import.h, soc/gen.h).
 *
 * Expected values come from the hand-written inputs themselves (critical
 * paths and total work worked out by hand below each graph), from the
 * closed forms of the generators' task and edge counts (re-derived here by
 * enumerating the algorithms' loops), from Topcuoglu et al. (2002): rank_u
 * of the entry task of their Fig. 2 DAG is 108 along n1 n2 n9 n10, and from
 * the statistics of uniform draws (the expected range of q uniforms is
 * (q-1)/(q+1) of their interval).
 */
#define _GNU_SOURCE /* open_memstream, mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soc/gen.h"
#include "soc/import.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "test_support.h"

/* ------------------------------------------------------------- helpers */

static int import_text(soc_import_format_t f, const char *text, const soc_import_options_t *o,
                       soc_config_t *cfg, soc_import_stats_t *st, soc_error_t *err)
{
    soc_error_clear(err);
    return soc_import_string(f, text, strlen(text), "in", o, cfg, st, err);
}

static void import_ok(soc_import_format_t f, const char *text, const soc_import_options_t *o,
                      soc_config_t *cfg, soc_import_stats_t *st)
{
    soc_error_t err = {0};
    char buf[1024];
    int rc = import_text(f, text, o, cfg, st, &err);
    ck_assert_msg(rc == SOC_OK, "import: %s", soc_error_format(&err, buf, sizeof buf));
}

/* An import that must fail with `code` at line:col (col 0 = any) and a
 * message containing `what`; nothing may be left in cfg. */
static void import_bad(soc_import_format_t f, const char *text, const soc_import_options_t *o,
                       int code, int line, int col, const char *what)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    char buf[1024];
    int rc = import_text(f, text, o, &cfg, NULL, &err);
    soc_error_format(&err, buf, sizeof buf);
    ck_assert_msg(rc == code, "expected %s, got %s: %s", soc_status_name(code),
                  soc_status_name(rc), buf);
    ck_assert_msg(err.line == line, "line %d expected, got %s", line, buf);
    if (col > 0)
        ck_assert_msg(err.col == col, "column %d expected, got %s", col, buf);
    ck_assert_msg(strstr(err.msg, what) != NULL, "'%s' expected in: %s", what, buf);
    ck_assert_int_eq(cfg.n_apps, 0);
    ck_assert_ptr_null(cfg.platform.clusters);
}

/* Makespan of the single job of cfg under `sched`. */
static double makespan(const soc_config_t *cfg, const char *sched)
{
    soc_error_t err = {0};
    soc_sched_handle_t *h = NULL;
    soc_sim_t *sim = NULL;
    char buf[1024];
    int rc = soc_sched_resolve(sched, &h, &err);
    if (rc == SOC_OK) {
        soc_sim_options_t o = {sizeof o, soc_sched_handle_ops(h), soc_sched_handle_arg(h), NULL,
                               NULL, NULL, NULL};
        rc = soc_sim_create(&sim, cfg, &o, &err);
        if (rc == SOC_OK)
            rc = soc_sim_run(sim, &err);
    }
    ck_assert_msg(rc == SOC_OK, "run: %s", soc_error_format(&err, buf, sizeof buf));
    soc_metrics_t m;
    soc_sim_metrics(sim, &m);
    ck_assert_int_eq(m.completed_jobs, 1);
    double x = m.makespan_us;
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
    return x;
}

/* One cluster "pe" of n PEs, factor 1. */
static soc_platform_map_t *pes(int n)
{
    soc_platform_map_t *m = NULL;
    char spec[32];
    soc_error_t err = {0};
    ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
    snprintf(spec, sizeof spec, "pe:%d:1", n);
    ck_assert_int_eq(soc_platform_map_add_cluster(m, spec, &err), SOC_OK);
    return m;
}

static double exec_of(const soc_config_t *cfg, int task, int cluster)
{
    return cfg->platform.clusters[cluster].exec_us[cfg->apps[0].tasks[task].type];
}

static int task_index(const soc_config_t *cfg, const char *name)
{
    const soc_app_t *a = &cfg->apps[0];
    for (int t = 0; t < a->n_tasks; t++)
        if (strcmp(a->tasks[t].name, name) == 0)
            return t;
    ck_abort_msg("no task '%s'", name);
    return -1;
}

/* Volume of the edge a -> b, -1 when absent. */
static double edge_volume(const soc_config_t *cfg, const char *a, const char *b)
{
    int x = task_index(cfg, a), y = task_index(cfg, b);
    const soc_app_t *app = &cfg->apps[0];
    for (int e = 0; e < app->n_edges; e++)
        if (app->edges[e].src == x && app->edges[e].dst == y)
            return app->edges[e].volume;
    return -1;
}

static char *tmpdir(void)
{
    char *d = strdup("/tmp/socsim_check_import_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static char *write_file(const char *dir, const char *name, const char *text)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* ------------------------------------------------------------------ STG */

/* 8 real tasks (+ entry 0, exit 9), a processor count on the first line,
 * a predecessor list wrapped over two lines, comments.  By hand, without
 * communication and with a PE per task: t1 4, t2 3, t3 6, t4 = max(4, 3) + 2
 * = 6, t5 = max(3, 6) + 5 = 11, t6 = 6 + 7 = 13, t7 = max(6, 11, 13) + 1 = 14,
 * t8 = max(11, 14) + 3 = 17: critical path 17 (t1 t4 t6 t7 t8); total work
 * 4+3+6+2+5+7+1+3 = 31; 1+1+1+2+2+1+3+2+2 = 15 edges. */
static const char STG8[] = "  8   2\n"
                           "  0  0  0\n"
                           "  1  4  1  0\n"
                           "  2  3  1  0\n"
                           "  3  6  1  0\n"
                           "  4  2  2  1  2\n"
                           "  5  5  2  2  3\n"
                           "  6  7  1  4\n"
                           "  7  1  3  4  5\n"
                           "        6\n"
                           "  8  3  2  5  7\n"
                           "  9  0  2  6  8\n"
                           "#--------------------\n"
                           "# Critical path 17, total work 31\n";

START_TEST(stg_counts_work_and_critical_path)
{
    soc_import_options_t o;
    soc_import_options_default(&o);
    soc_platform_map_t *one = pes(1), *many = pes(10);
    soc_config_t cfg;
    soc_import_stats_t st;
    o.map = one;
    import_ok(SOC_IMPORT_STG, STG8, &o, &cfg, &st);
    ck_assert_int_eq(cfg.apps[0].n_tasks, 10);
    ck_assert_int_eq(cfg.apps[0].n_edges, 15);
    ck_assert_int_eq(st.n_virtual, 0);
    ck_assert_double_eq(st.total_ref_us, 31);
    ck_assert_double_eq(st.critical_path_us, 17);
    ck_assert_double_eq(exec_of(&cfg, task_index(&cfg, "t6"), 0), 7);
    ck_assert_double_eq(edge_volume(&cfg, "t4", "t6"), 0);
    ck_assert_double_eq(edge_volume(&cfg, "t6", "t7"), 0);
    ck_assert_double_eq(edge_volume(&cfg, "t6", "t4"), -1);
    /* HEFT on one PE: the total work; the estimate's critical path too */
    ck_assert_double_eq(makespan(&cfg, "heft"), 31);
    int path[10], n = 0;
    double len = 0;
    ck_assert_int_eq(soc_app_critical_path(&cfg.platform, &cfg.apps[0], SOC_ESTIMATE_MEAN, path,
                                           &n, &len),
                     SOC_OK);
    ck_assert_double_eq(len, 17);
    ck_assert_int_eq(n, 7); /* t0 t1 t4 t6 t7 t8 t9 */
    const char *want[] = {"t0", "t1", "t4", "t6", "t7", "t8", "t9"};
    for (int k = 0; k < 7; k++)
        ck_assert_str_eq(cfg.apps[0].tasks[path[k]].name, want[k]);
    soc_config_free(&cfg);
    /* HEFT on as many identical PEs as tasks, no communication: the critical path */
    o.map = many;
    import_ok(SOC_IMPORT_STG, STG8, &o, &cfg, &st);
    ck_assert_double_eq(makespan(&cfg, "heft"), 17);
    soc_config_free(&cfg);
    /* time scale: costs in ms */
    o.time_scale = 1000;
    import_ok(SOC_IMPORT_STG, STG8, &o, &cfg, &st);
    ck_assert_double_eq(st.total_ref_us, 31000);
    ck_assert_double_eq(makespan(&cfg, "heft"), 17000);
    soc_config_free(&cfg);
    soc_platform_map_free(one);
    soc_platform_map_free(many);
}
END_TEST

START_TEST(stg_types_by_cost)
{
    /* tasks of equal cost share a type (exact mode): costs 0, 4, 3, 6, 2, 5,
     * 7, 1, 3 -> 8 distinct */
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_STG, STG8, NULL, &cfg, &st);
    ck_assert_int_eq(st.n_types, 8);
    ck_assert_int_eq(cfg.platform.n_types, 8);
    ck_assert_int_eq(cfg.apps[0].tasks[2].type, cfg.apps[0].tasks[8].type); /* both 3 */
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[8].type], "task@3");
    /* the default platform: one cluster "cpu" of 4 PEs */
    ck_assert_int_eq(cfg.platform.n_clusters, 1);
    ck_assert_str_eq(cfg.platform.clusters[0].name, "cpu");
    ck_assert_int_eq(cfg.platform.clusters[0].count, 4);
    soc_config_free(&cfg);
    /* category mode: one type with the mean cost (31 / 10) */
    soc_import_options_t o;
    soc_import_options_default(&o);
    o.types = SOC_IMPORT_TYPES_CATEGORY;
    import_ok(SOC_IMPORT_STG, STG8, &o, &cfg, &st);
    ck_assert_int_eq(cfg.platform.n_types, 1);
    ck_assert_double_eq_tol(exec_of(&cfg, 3, 0), 3.1, 1e-12);
    soc_config_free(&cfg);
}
END_TEST

START_TEST(stg_malformed)
{
    /* truncated: 2 real tasks announced, the exit record missing */
    import_bad(SOC_IMPORT_STG, "2\n0 0 0\n1 5 1 0\n2 5 1 0\n", NULL, SOC_EPARSE, 5, 1,
               "ends after 3 of the 4 task records");
    /* a predecessor list cut short */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 5 1 0\n2 0 2 1\n", NULL, SOC_EPARSE, 5, 1,
               "after 1 of its 2 predecessors");
    /* ids out of order */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n2 5 1 0\n1 0 1 2\n", NULL, SOC_EPARSE, 3, 1,
               "expected task id 1");
    /* unknown predecessor */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 5 1 7\n2 0 1 1\n", NULL, SOC_ECONFIG, 3, 7,
               "unknown predecessor 7");
    /* negative and malformed costs */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 -5 1 0\n2 0 1 1\n", NULL, SOC_ECONFIG, 3, 3,
               "must not be negative");
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 five 1 0\n2 0 1 1\n", NULL, SOC_EPARSE, 3, 3,
               "expected the cost");
    /* a cycle through forward references: 1 <- 2 <- 1 */
    import_bad(SOC_IMPORT_STG, "2\n0 0 0\n1 5 2 0 2\n2 5 1 1\n3 0 2 1 2\n", NULL, SOC_ECYCLE, 3,
               9, "cycle: t1 -> t2 -> t1");
    /* a task listed as its own predecessor */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 5 2 0 1\n2 0 1 1\n", NULL, SOC_ECYCLE, 3, 9,
               "depends on itself");
    /* a predecessor given twice */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 5 2 0 0\n2 0 1 1\n", NULL, SOC_ECONFIG, 3, 9,
               "given twice");
    /* text after the graph that is not a comment */
    import_bad(SOC_IMPORT_STG, "1\n0 0 0\n1 5 1 0\n2 0 1 1\nextra\n", NULL, SOC_EPARSE, 5, 1,
               "unexpected 'extra'");
    /* empty */
    import_bad(SOC_IMPORT_STG, "# nothing\n", NULL, SOC_EPARSE, 2, 1, "no task graph");
}
END_TEST

START_TEST(file_limits_and_missing)
{
    char *dir = tmpdir();
    size_t n = strlen(dir) + 16;
    char *big = malloc(n);
    snprintf(big, n, "%s/big.json", dir);
    FILE *f = fopen(big, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), (off_t)65 << 20), 0); /* sparse: no disk used */
    fclose(f);
    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_import(SOC_IMPORT_WFCOMMONS, big, NULL, &cfg, NULL, &err), SOC_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.msg, "too large"));
    ck_assert_str_eq(err.file, big);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_import(SOC_IMPORT_STG, "/nonexistent/x.stg", NULL, &cfg, NULL, &err),
                     SOC_EIO);
    unlink(big);
    rmdir(dir);
    free(big);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------ DOT */

/* decode (40) fans out to filter (25, the node default) and fft (90) with
 * 800 each; filter and "quoted name" (25) feed sink (1.5).  CP without
 * communication: decode fft = 130; total 40 + 25 + 90 + 1.5 + 25 = 181.5. */
static const char DOT1[] = "// a hand-drawn graph\n"
                           "digraph receive {\n"
                           "  rankdir = LR;\n"
                           "  node [type=filter, cost=25];\n"
                           "  decode [type=decode, cost=40];\n"
                           "  decode -> {filter fft} [volume=800];\n"
                           "  fft [type=\"fft\", cost=90]\n"
                           "  filter:out -> sink; sink [cost=1.5, type=out]\n"
                           "  /* a block\n"
                           "     comment */\n"
                           "  \"quoted \" + \"name\" -> sink [label=12]\n"
                           "  decode -> \"quoted name\"\n"
                           "}\n";

START_TEST(dot_reads_the_subset)
{
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_DOT, DOT1, NULL, &cfg, &st);
    ck_assert_str_eq(cfg.apps[0].name, "receive");
    ck_assert_int_eq(cfg.apps[0].n_tasks, 5);
    ck_assert_int_eq(cfg.apps[0].n_edges, 5);
    ck_assert_double_eq(st.total_ref_us, 181.5);
    ck_assert_double_eq(st.critical_path_us, 130);
    ck_assert_double_eq(st.total_volume, 1612);
    ck_assert_double_eq(edge_volume(&cfg, "decode", "fft"), 800);
    ck_assert_double_eq(edge_volume(&cfg, "quoted name", "sink"), 12);
    ck_assert_double_eq(edge_volume(&cfg, "filter", "sink"), 0);
    ck_assert_double_eq(exec_of(&cfg, task_index(&cfg, "quoted name"), 0), 25);
    ck_assert_double_eq(exec_of(&cfg, task_index(&cfg, "sink"), 0), 1.5);
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[task_index(&cfg, "sink")].type],
                     "out");
    /* filter and "quoted name" share the category and the cost: one type */
    ck_assert_int_eq(st.n_types, 4);
    soc_config_free(&cfg);
    /* DAGGEN-style size attributes and numerals with exponents */
    import_ok(SOC_IMPORT_DOT, "digraph { 1 [size=\"2e3\"]; 2 [size=1e+3]; 1 -> 2 [size=5] }",
              NULL, &cfg, &st);
    ck_assert_double_eq(st.total_ref_us, 3000);
    ck_assert_double_eq(edge_volume(&cfg, "1", "2"), 5);
    soc_config_free(&cfg);
    /* strict: repeated edges merge */
    import_ok(SOC_IMPORT_DOT, "strict digraph g { a [cost=1]; b [cost=1]; a -> b; a -> b }", NULL,
              &cfg, &st);
    ck_assert_int_eq(cfg.apps[0].n_edges, 1);
    soc_config_free(&cfg);
    /* a default cost for nodes without one */
    soc_import_options_t o;
    soc_import_options_default(&o);
    o.default_cost = 2;
    import_ok(SOC_IMPORT_DOT, "digraph { a -> b -> c }", &o, &cfg, &st);
    ck_assert_double_eq(st.total_ref_us, 6);
    ck_assert_double_eq(st.critical_path_us, 6);
    soc_config_free(&cfg);
}
END_TEST

START_TEST(dot_malformed)
{
    import_bad(SOC_IMPORT_DOT, "graph g { a -- b }", NULL, SOC_EPARSE, 1, 1, "undirected");
    import_bad(SOC_IMPORT_DOT, "digraph g {\n a [cost=1]\n a -- b\n}", NULL, SOC_EPARSE, 3, 4,
               "'--'");
    import_bad(SOC_IMPORT_DOT, "digraph g {\n a [cost=1];\n a -> b [volume=3];\n", NULL,
               SOC_EPARSE, 4, 1, "not closed");
    import_bad(SOC_IMPORT_DOT, "digraph g {\n a [label=\"x]\n}\n", NULL, SOC_EPARSE, 2, 11,
               "quoted string is not closed");
    import_bad(SOC_IMPORT_DOT, "digraph g { node [cost=1]\n a -> b -> c\n c -> a }", NULL,
               SOC_ECYCLE, 3, 4, "a -> b -> c -> a");
    import_bad(SOC_IMPORT_DOT, "digraph g {\n a [cost=1]\n b\n a -> b }", NULL, SOC_ECONFIG, 3, 2,
               "task 'b' has no cost attribute");
    import_bad(SOC_IMPORT_DOT, "digraph g {\n a [cost=-1]\n}", NULL, SOC_ECONFIG, 2, 10,
               "must not be negative");
    import_bad(SOC_IMPORT_DOT, "digraph g {\n a [cost=fast]\n}", NULL, SOC_EPARSE, 2, 10,
               "expected a number");
    import_bad(SOC_IMPORT_DOT, "digraph g { node [cost=1]\n a -> b\n a -> b }", NULL,
               SOC_ECONFIG, 3, 4, "given twice (first at line 2)");
    import_bad(SOC_IMPORT_DOT, "digraph g { a [cost=1] } digraph h { }", NULL, SOC_EPARSE, 1,
               26, "one graph per file");
    import_bad(SOC_IMPORT_DOT, "digraph g { a [cost=1] ; @ }", NULL, SOC_EPARSE, 1, 26,
               "unexpected '@'");
    import_bad(SOC_IMPORT_DOT, "", NULL, SOC_EPARSE, 1, 1, "expected 'digraph'");
}
END_TEST

/* ---------------------------------------------------------- WfCommons */

/* WfFormat 1.6 as the wfcommons package writes it.  Files: in.dat 100
 * (read by a, written by no task), a.out 10 and a.log 5 (written by a;
 * b reads a.out, c reads a.out and a.log), b.out 7 (b -> d), c.out 3
 * (c -> d).  Edges: a->b 10, a->c 15, b->d 7, c->d 3 = 35.  Runtimes a 1.5,
 * b 2, c 4, d 0.5 s: total 8 s; critical path a c d = 6 s. */
static const char WF16[] =
    "{\n"
    "  \"name\": \"tiny\",\n"
    "  \"schemaVersion\": \"1.6\",\n"
    "  \"workflow\": {\n"
    "    \"specification\": {\n"
    "      \"tasks\": [\n"
    "        {\"name\": \"split\", \"id\": \"split_00000001\", \"parents\": [],\n"
    "         \"children\": [\"work_00000002\", \"work_00000003\"],\n"
    "         \"inputFiles\": [\"in.dat\"], \"outputFiles\": [\"a.out\", \"a.log\"]},\n"
    "        {\"name\": \"work\", \"id\": \"work_00000002\", \"parents\": [\"split_00000001\"],\n"
    "         \"children\": [\"merge_00000004\"],\n"
    "         \"inputFiles\": [\"a.out\"], \"outputFiles\": [\"b.out\"]},\n"
    "        {\"name\": \"work\", \"id\": \"work_00000003\", \"parents\": [\"split_00000001\"],\n"
    "         \"children\": [\"merge_00000004\"],\n"
    "         \"inputFiles\": [\"a.out\", \"a.log\"], \"outputFiles\": [\"c.out\"]},\n"
    "        {\"name\": \"merge\", \"id\": \"merge_00000004\",\n"
    "         \"parents\": [\"work_00000002\", \"work_00000003\"], \"children\": [],\n"
    "         \"inputFiles\": [\"b.out\", \"c.out\"], \"outputFiles\": []}\n"
    "      ],\n"
    "      \"files\": [{\"id\": \"in.dat\", \"sizeInBytes\": 100}, {\"id\": \"a.out\", "
    "\"sizeInBytes\": 10},\n"
    "                {\"id\": \"a.log\", \"sizeInBytes\": 5}, {\"id\": \"b.out\", \"sizeInBytes\": "
    "7},\n"
    "                {\"id\": \"c.out\", \"sizeInBytes\": 3}]\n"
    "    },\n"
    "    \"execution\": {\n"
    "      \"makespanInSeconds\": 6.5, \"executedAt\": \"2024-01-01T00:00:00\",\n"
    "      \"tasks\": [\n"
    "        {\"id\": \"split_00000001\", \"runtimeInSeconds\": 1.5, \"coreCount\": 1},\n"
    "        {\"id\": \"work_00000002\", \"runtimeInSeconds\": 2, \"machines\": [\"n1\"]},\n"
    "        {\"id\": \"work_00000003\", \"runtimeInSeconds\": 4, \"category\": \"work\"},\n"
    "        {\"id\": \"merge_00000004\", \"runtimeInSeconds\": 0.5}\n"
    "      ],\n"
    "      \"machines\": [{\"nodeName\": \"n1\", \"cpu\": {\"coreCount\": 8, \"speedInMHz\": "
    "2000}},\n"
    "                   {\"nodeName\": \"n2\", \"cpu\": {\"coreCount\": 2}}]\n"
    "    }\n"
    "  }\n"
    "}\n";

START_TEST(wfcommons_16)
{
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_WFCOMMONS, WF16, NULL, &cfg, &st);
    ck_assert_str_eq(st.version, "1.6");
    ck_assert_str_eq(cfg.apps[0].name, "tiny");
    ck_assert_int_eq(cfg.apps[0].n_tasks, 4);
    ck_assert_int_eq(cfg.apps[0].n_edges, 4); /* parents and children name the same 4 */
    ck_assert_double_eq(st.total_ref_us, 8e6);
    ck_assert_double_eq(st.critical_path_us, 6e6);
    ck_assert_double_eq(st.total_volume, 35);
    ck_assert_double_eq(st.input_volume, 100);
    ck_assert_double_eq(edge_volume(&cfg, "split_00000001", "work_00000003"), 15);
    ck_assert_double_eq(edge_volume(&cfg, "work_00000003", "merge_00000004"), 3);
    /* categories: split, work (two runtimes -> two types), merge */
    ck_assert_int_eq(st.n_categories, 3);
    ck_assert_int_eq(st.n_types, 4);
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[1].type], "work@2");
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[0].type], "split");
    /* the file's machines become the clusters: n1 (8 PEs), n2 (2) */
    ck_assert_int_eq(st.n_machines, 2);
    ck_assert_int_eq(cfg.platform.n_clusters, 2);
    ck_assert_str_eq(cfg.platform.clusters[0].name, "n1");
    ck_assert_int_eq(cfg.platform.clusters[0].count, 8);
    ck_assert_int_eq(cfg.platform.clusters[1].count, 2);
    ck_assert_double_eq(cfg.platform.bw_default, 125); /* 1 Gbit/s in bytes per µs */
    soc_config_free(&cfg);
    /* one PE: HEFT = total work; many PEs, no data: the critical path */
    soc_import_options_t o;
    soc_import_options_default(&o);
    soc_platform_map_t *one = pes(1), *many = pes(4);
    o.map = one;
    import_ok(SOC_IMPORT_WFCOMMONS, WF16, &o, &cfg, &st);
    ck_assert_double_eq(makespan(&cfg, "heft"), 8e6);
    soc_config_free(&cfg);
    o.map = many;
    o.data_scale = 0;
    import_ok(SOC_IMPORT_WFCOMMONS, WF16, &o, &cfg, &st);
    ck_assert_double_eq(st.total_volume, 0);
    ck_assert_double_eq(makespan(&cfg, "heft"), 6e6);
    soc_config_free(&cfg);
    /* category types: work's two runtimes become their mean, 3 s */
    o.types = SOC_IMPORT_TYPES_CATEGORY;
    o.time_scale = 1;
    import_ok(SOC_IMPORT_WFCOMMONS, WF16, &o, &cfg, &st);
    ck_assert_int_eq(st.n_types, 3);
    ck_assert_double_eq(exec_of(&cfg, 1, 0), 3);
    ck_assert_double_eq(exec_of(&cfg, 2, 0), 3);
    soc_config_free(&cfg);
    soc_platform_map_free(one);
    soc_platform_map_free(many);
}
END_TEST

/* WfFormat 1.4: tasks under workflow, parents by name, files with links;
 * the names imply the categories.  Edges a->b (a.out 1000), a->c (0: c
 * reads nothing of a's), b->c (b.out 50); runtimes 3, 4, 5 s. */
static const char WF14[] =
    "{\"name\": \"old\", \"schemaVersion\": \"1.4\",\n"
    " \"workflow\": {\"makespanInSeconds\": 12, \"executedAt\": \"x\",\n"
    "  \"machines\": [{\"nodeName\": \"h\", \"cpu\": {\"count\": 3, \"speed\": 1000}}],\n"
    "  \"tasks\": [\n"
    "   {\"name\": \"prep_ID0000001\", \"id\": \"ID0000001\", \"type\": \"compute\",\n"
    "    \"parents\": [], \"runtimeInSeconds\": 3, \"machine\": \"h\",\n"
    "    \"files\": [{\"name\": \"a.out\", \"sizeInBytes\": 1000, \"link\": \"output\"}]},\n"
    "   {\"name\": \"run_ID0000002\", \"id\": \"ID0000002\", \"type\": \"compute\",\n"
    "    \"parents\": [\"prep_ID0000001\"], \"runtime\": 4,\n"
    "    \"files\": [{\"name\": \"a.out\", \"sizeInBytes\": 1000, \"link\": \"input\"},\n"
    "              {\"name\": \"b.out\", \"size\": 50, \"link\": \"output\"}]},\n"
    "   {\"name\": \"run_ID0000003\", \"category\": \"final\", \"type\": \"compute\",\n"
    "    \"parents\": [\"ID0000001\", \"run_ID0000002\"], \"runtimeInSeconds\": 5,\n"
    "    \"files\": [{\"name\": \"b.out\", \"sizeInBytes\": 50, \"link\": \"input\"}]}\n"
    "  ]}}\n";

START_TEST(wfcommons_14)
{
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_WFCOMMONS, WF14, NULL, &cfg, &st);
    ck_assert_int_eq(cfg.apps[0].n_tasks, 3);
    ck_assert_int_eq(cfg.apps[0].n_edges, 3);
    ck_assert_double_eq(edge_volume(&cfg, "prep_ID0000001", "run_ID0000002"), 1000);
    ck_assert_double_eq(edge_volume(&cfg, "prep_ID0000001", "run_ID0000003"), 0);
    ck_assert_double_eq(edge_volume(&cfg, "run_ID0000002", "run_ID0000003"), 50);
    ck_assert_double_eq(st.total_ref_us, 12e6);
    ck_assert_double_eq(st.critical_path_us, 12e6);
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[0].type], "prep");
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[1].type], "run");
    ck_assert_str_eq(cfg.platform.type_names[cfg.apps[0].tasks[2].type], "final");
    ck_assert_int_eq(cfg.platform.clusters[0].count, 3);
    soc_config_free(&cfg);
}
END_TEST

/* A JSON text with one part replaced (the malformed variants). */
static char *patch(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    memcpy(s, text, (size_t)(at - text));
    strcpy(s + (at - text), to);
    strcat(s, at + strlen(from));
    return s;
}

START_TEST(wfcommons_malformed)
{
    char *t;
    /* truncated in the middle of the execution tasks */
    size_t cut = (size_t)(strstr(WF16, "{\"id\": \"merge_00000004\", \"runtime") - WF16);
    t = strndup(WF16, cut);
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_EPARSE, 30, 9, "malformed YAML"); /* the end */
    free(t);
    /* an unknown parent, at the position of its name */
    t = patch(WF16, "\"parents\": [\"split_00000001\"],\n         \"children\": [\"merge",
              "\"parents\": [\"spilt_00000001\"],\n         \"children\": [\"merge");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 10, 61,
               "unknown parent 'spilt_00000001'");
    free(t);
    /* negative runtime */
    t = patch(WF16, "\"runtimeInSeconds\": 4,", "\"runtimeInSeconds\": -4,");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 29, 53, "must not be negative");
    free(t);
    /* missing runtime key */
    t = patch(WF16, "\"runtimeInSeconds\": 0.5}", "\"coreCount\": 1}");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 30, 9,
               "'merge_00000004' has no runtimeInSeconds");
    free(t);
    /* a task without an execution entry: no runtime at all */
    t = patch(WF16, ",\n        {\"id\": \"merge_00000004\", \"runtimeInSeconds\": 0.5}", "");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 16, 9,
               "task 'merge_00000004' has no runtime");
    free(t);
    /* a cycle: merge is also split's parent */
    t = patch(WF16, "\"id\": \"split_00000001\", \"parents\": []",
              "\"id\": \"split_00000001\", \"parents\": [\"merge_00000004\"]");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECYCLE, 7, 63,
               "cycle: split_00000001 -> work_00000002 -> merge_00000004 -> split_00000001");
    free(t);
    /* a duplicate id */
    t = patch(WF16, "\"id\": \"work_00000003\", \"parents\"", "\"id\": \"work_00000002\", \"parents\"");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 13, 32,
               "'work_00000002' is used twice (first at line 10)");
    free(t);
    /* a file on an edge without a size */
    t = patch(WF16, "{\"id\": \"a.log\", \"sizeInBytes\": 5}, ", "");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 9, 61, "file 'a.log'");
    free(t);
    /* runtime as a string */
    t = patch(WF16, "\"runtimeInSeconds\": 2,", "\"runtimeInSeconds\": \"2\",");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_EPARSE, 28, 53, "expected a number");
    free(t);
    /* an unsupported schema */
    t = patch(WF16, "\"1.6\"", "\"2.0\"");
    import_bad(SOC_IMPORT_WFCOMMONS, t, NULL, SOC_ECONFIG, 3, 20, "schemaVersion 2.0");
    free(t);
    import_bad(SOC_IMPORT_WFCOMMONS, "[1, 2]", NULL, SOC_EPARSE, 1, 1, "expected an object");
    import_bad(SOC_IMPORT_WFCOMMONS, "{\"name\": \"x\"}", NULL, SOC_ECONFIG, 1, 1,
               "no 'workflow' object");
}
END_TEST

START_TEST(disconnected_graphs_kept_or_joined)
{
    /* two independent chains a->b and c->d: kept as they are by default */
    const char *dot = "digraph { node [cost=1]; a -> b; c -> d }";
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_DOT, dot, NULL, &cfg, &st);
    ck_assert_int_eq(st.n_virtual, 0);
    ck_assert_int_eq(cfg.apps[0].n_tasks, 4);
    ck_assert_int_eq(cfg.apps[0].n_edges, 2);
    ck_assert_double_eq(st.total_ref_us, 4);
    ck_assert_double_eq(st.critical_path_us, 2);
    soc_config_free(&cfg);
    /* joined by a virtual entry on request */
    soc_import_options_t j;
    soc_import_options_default(&j);
    j.join = 1;
    import_ok(SOC_IMPORT_DOT, dot, &j, &cfg, &st);
    ck_assert_int_eq(st.n_virtual, 1);
    ck_assert_int_eq(st.n_virtual_edges, 2);
    ck_assert_int_eq(cfg.apps[0].n_tasks, 5);
    ck_assert_int_eq(cfg.apps[0].n_edges, 4);
    int v = task_index(&cfg, "virtual_entry");
    ck_assert_double_eq(exec_of(&cfg, v, 0), 0);
    ck_assert_double_eq(st.total_ref_us, 4);
    ck_assert_double_eq(st.critical_path_us, 2);
    soc_config_free(&cfg);
    soc_import_options_t o;
    soc_import_options_default(&o);
    o.no_join = 1;
    import_bad(SOC_IMPORT_DOT, dot, &o, SOC_ECONFIG, 1, 34, "not connected (2 parts)");
}
END_TEST

/* -------------------------------------------------------- platform maps */

START_TEST(platform_map_file)
{
    char *dir = tmpdir();
    char *map = write_file(dir, "map.yaml",
                           "clusters:\n"
                           "  - name: big\n"
                           "    count: 2\n"
                           "    factor: 1\n"
                           "  - name: dsp\n"
                           "    kind: dsp\n"
                           "    factor: ~\n"
                           "    factors: {filter: 0.25}\n"
                           "    exec_us: {fft: 9, decode: ~}\n"
                           "communication:\n"
                           "  bandwidth_default: 4\n"
                           "  latency_us: 2\n"
                           "  bandwidth: [[big, dsp, 8]]\n");
    soc_platform_map_t *m = NULL;
    soc_error_t err = {0};
    char buf[1024];
    ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
    ck_assert_msg(soc_platform_map_load(m, map, &err) == SOC_OK, "%s",
                  soc_error_format(&err, buf, sizeof buf));
    ck_assert_int_eq(soc_platform_map_clusters(m), 2);
    soc_import_options_t o;
    soc_import_options_default(&o);
    o.map = m;
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_DOT, DOT1, &o, &cfg, &st);
    const soc_platform_t *p = &cfg.platform;
    ck_assert_int_eq(p->n_clusters, 2);
    int dec = task_index(&cfg, "decode"), fil = task_index(&cfg, "filter"),
        fft = task_index(&cfg, "fft"), snk = task_index(&cfg, "sink");
    ck_assert_double_eq(exec_of(&cfg, dec, 0), 40);
    ck_assert_double_eq(exec_of(&cfg, dec, 1), -1); /* decode: ~ */
    ck_assert_double_eq(exec_of(&cfg, fil, 1), 6.25); /* 25 x 0.25 */
    ck_assert_double_eq(exec_of(&cfg, fft, 1), 9);    /* explicit */
    ck_assert_double_eq(exec_of(&cfg, snk, 1), -1);   /* factor ~: only listed */
    ck_assert_double_eq(p->bw_default, 4);
    ck_assert_double_eq(p->latency_us, 2);
    ck_assert_double_eq(soc_platform_bandwidth(p, 0, 2), 8);
    ck_assert_str_eq(st.map_warning, "");
    soc_config_free(&cfg);
    /* keys that match nothing are reported (not an error: maps are shared
     * between graphs); STG tasks are all "task": big runs them, dsp none */
    ck_assert_int_eq(soc_import_string(SOC_IMPORT_STG, STG8, strlen(STG8), "g.stg", &o, &cfg, &st,
                                       &err),
                     SOC_OK);
    ck_assert_msg(strstr(st.map_warning, ":8:15: cluster 'dsp': 'filter' is neither") != NULL,
                  "%s", st.map_warning);
    ck_assert_double_eq(exec_of(&cfg, 3, 1), -1);
    soc_config_free(&cfg);
    soc_platform_map_free(m);
    /* errors of map files carry positions */
    const char *bad[][3] = {
        {"clusters:\n  - name: a\n    colour: red\n", "3:5", "unknown key 'colour'"},
        {"clusters:\n  - name: a\n    count: 2.5\n", "3:12", "expected an integer"},
        {"clusters:\n  - name: a\n    factor: fast\n", "3:13", "expected a number"},
        {"clusters:\n  - name: a\n    factors: {x: -1}\n", "3:18", "out of range"},
        {"clusters:\n  - count: 3\n", "2:5", "needs a name"},
        {"communication:\n  bandwidth_default: 0\n", "2:22", "out of range"},
        {"clusters: [\n", "2:1", "malformed YAML"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *f = write_file(dir, "bad.yaml", bad[i][0]);
        ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
        soc_error_clear(&err);
        ck_assert_int_ne(soc_platform_map_load(m, f, &err), SOC_OK);
        char pos[32];
        snprintf(pos, sizeof pos, "%d:%d", err.line, err.col);
        ck_assert_msg(strcmp(pos, bad[i][1]) == 0, "case %zu: position %s, expected %s (%s)", i,
                      pos, bad[i][1], err.msg);
        ck_assert_msg(strstr(err.msg, bad[i][2]) != NULL, "case %zu: %s", i, err.msg);
        soc_platform_map_free(m);
        unlink(f);
        free(f);
    }
    /* cluster specs */
    ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
    const char *specs_bad[] = {"", ":3", "a:0", "a:1.5", "a:2:-1", "a:2:x", "a:5000"};
    for (size_t i = 0; i < sizeof specs_bad / sizeof specs_bad[0]; i++)
        ck_assert_msg(soc_platform_map_add_cluster(m, specs_bad[i], &err) == SOC_EINVAL, "%s",
                      specs_bad[i]);
    ck_assert_int_eq(soc_platform_map_add_cluster(m, "a", &err), SOC_OK);
    ck_assert_int_eq(soc_platform_map_add_cluster(m, "b:3:0.5", &err), SOC_OK);
    o.map = m;
    import_ok(SOC_IMPORT_STG, STG8, &o, &cfg, &st);
    ck_assert_int_eq(cfg.platform.clusters[1].count, 3);
    ck_assert_double_eq(exec_of(&cfg, 6, 1), 3.5);
    soc_config_free(&cfg);
    soc_platform_map_free(m);
    unlink(map);
    free(map);
    rmdir(dir);
    free(dir);
}
END_TEST

START_TEST(map_warnings_and_coverage)
{
    soc_platform_map_t *m = NULL;
    soc_error_t err = {0};
    char *dir = tmpdir();
    char *map = write_file(dir, "m.yaml",
                           "clusters:\n"
                           "  - name: c\n"
                           "    factors: {filtr: 2}\n");
    ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
    ck_assert_int_eq(soc_platform_map_load(m, map, &err), SOC_OK);
    soc_import_options_t o;
    soc_import_options_default(&o);
    o.map = m;
    soc_config_t cfg;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_DOT, DOT1, &o, &cfg, &st);
    ck_assert_msg(strstr(st.map_warning, "m.yaml:3:15: cluster 'c': 'filtr'") != NULL, "%s",
                  st.map_warning);
    soc_config_free(&cfg);
    soc_platform_map_free(m);
    /* a category no cluster can run */
    unlink(map);
    free(map);
    map = write_file(dir, "m.yaml", "clusters:\n  - {name: c, factors: {fft: ~}}\n");
    ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
    ck_assert_int_eq(soc_platform_map_load(m, map, &err), SOC_OK);
    o.map = m;
    import_bad(SOC_IMPORT_DOT, DOT1, &o, SOC_ECONFIG, 7, 3,
               "task 'fft' (type 'fft', category 'fft') can run on no cluster");
    soc_platform_map_free(m);
    /* explicit times stand in for missing costs */
    unlink(map);
    free(map);
    map = write_file(dir, "m.yaml", "clusters:\n  - {name: c, exec_us: {x: 3, y: 4}}\n");
    ck_assert_int_eq(soc_platform_map_new(&m), SOC_OK);
    ck_assert_int_eq(soc_platform_map_load(m, map, &err), SOC_OK);
    o.map = m;
    import_ok(SOC_IMPORT_DOT, "digraph { a [type=x]; b [type=y]; a -> b }", &o, &cfg, &st);
    ck_assert_int_eq(st.n_unknown_cost, 2);
    ck_assert_double_eq(makespan(&cfg, "heft"), 7);
    soc_config_free(&cfg);
    soc_platform_map_free(m);
    unlink(map);
    free(map);
    rmdir(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------- critical path, DOT output */

START_TEST(critical_path_topcuoglu)
{
    /* Topcuoglu et al. 2002: rank_u(n1) = 108 along n1 n2 n9 n10 */
    soc_config_t *cfg = ts_cfg_topcuoglu();
    ts_cfg_finalize(cfg);
    int path[10], n = 0;
    double len = 0;
    ck_assert_int_eq(soc_app_critical_path(&cfg->platform, &cfg->apps[0], SOC_ESTIMATE_MEAN,
                                           path, &n, &len),
                     SOC_OK);
    ck_assert_double_eq_tol(len, 108, 1e-9);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(path[0], 0);
    ck_assert_int_eq(path[1], 1);
    ck_assert_int_eq(path[2], 8);
    ck_assert_int_eq(path[3], 9);
    /* best: the fastest PE per task, same links (all bandwidth 1) */
    double w[10];
    soc_app_costs(&cfg->platform, &cfg->apps[0], SOC_ESTIMATE_BEST, w, NULL);
    ck_assert_double_eq(w[0], 9);
    ck_assert_double_eq(w[9], 7);
    ck_assert_int_eq(soc_estimate_for("heft"), SOC_ESTIMATE_MEAN);
    ck_assert_int_eq(soc_estimate_for("heft:best"), SOC_ESTIMATE_BEST);
    ck_assert_int_eq(soc_estimate_for("HEFT_WORST"), SOC_ESTIMATE_WORST);
    ck_assert_int_eq(soc_estimate_for("cpop"), SOC_ESTIMATE_MEAN);
    /* DOT output: the path in red, and it reads back */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    soc_dot_options_t o = {1, SOC_ESTIMATE_MEAN, "heft", 1, NULL};
    soc_error_t err = {0};
    ck_assert_int_eq(soc_write_dot(cfg, 0, &o, f, &err), SOC_OK);
    fclose(f);
    ck_assert_msg(strstr(text, "critical path 108 us under heft estimates (4 tasks)") != NULL, "%s",
                  text);
    int red = 0;
    for (const char *p = text; (p = strstr(p, "color=red")) != NULL; p++)
        red++;
    ck_assert_int_eq(red, 4 + 3); /* 4 tasks, 3 edges */
    soc_config_t back;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_DOT, text, NULL, &back, &st);
    ck_assert_int_eq(back.apps[0].n_tasks, 10);
    ck_assert_int_eq(back.apps[0].n_edges, 15);
    for (int e = 0; e < 15; e++) {
        ck_assert_int_eq(back.apps[0].edges[e].src, cfg->apps[0].edges[e].src);
        ck_assert_int_eq(back.apps[0].edges[e].dst, cfg->apps[0].edges[e].dst);
        ck_assert_double_eq(back.apps[0].edges[e].volume, cfg->apps[0].edges[e].volume);
    }
    /* costs written are the mean estimate: n1 = (14 + 16 + 9) / 3 = 13 */
    ck_assert_double_eq(exec_of(&back, 0, 0), 13);
    soc_config_free(&back);
    free(text);
    ts_cfg_destroy(cfg);
}
END_TEST

START_TEST(app_and_platform_files_round_trip)
{
    soc_config_t cfg, back;
    soc_import_stats_t st;
    import_ok(SOC_IMPORT_WFCOMMONS, WF16, NULL, &cfg, &st);
    char *dir = tmpdir();
    size_t n = strlen(dir) + 32;
    char *app = malloc(n), *plat = malloc(n);
    snprintf(app, n, "%s/app.yaml", dir);
    snprintf(plat, n, "%s/plat.yaml", dir);
    soc_error_t err = {0};
    char buf[1024];
    FILE *f = fopen(app, "w");
    ck_assert_int_eq(soc_write_app_yaml(&cfg, 0, f, &err), SOC_OK);
    fclose(f);
    f = fopen(plat, "w");
    ck_assert_int_eq(soc_write_platform_yaml(&cfg.platform, f, &err), SOC_OK);
    fclose(f);
    ck_assert_msg(soc_load_app_yaml(&back, app, plat, &err) == SOC_OK, "%s",
                  soc_error_format(&err, buf, sizeof buf));
    ck_assert_int_eq(back.apps[0].n_tasks, cfg.apps[0].n_tasks);
    ck_assert_int_eq(back.apps[0].n_edges, cfg.apps[0].n_edges);
    for (int t = 0; t < cfg.apps[0].n_tasks; t++)
        for (int c = 0; c < cfg.platform.n_clusters; c++)
            ck_assert_double_eq(exec_of(&back, t, c), exec_of(&cfg, t, c));
    for (int e = 0; e < cfg.apps[0].n_edges; e++)
        ck_assert_double_eq(back.apps[0].edges[e].volume, cfg.apps[0].edges[e].volume);
    ck_assert_double_eq(makespan(&back, "heft"), makespan(&cfg, "heft"));
    soc_config_free(&back);
    /* without a platform: a stub that runs every type in no time */
    ck_assert_int_eq(soc_load_app_yaml(&back, app, NULL, &err), SOC_OK);
    ck_assert_str_eq(back.platform.clusters[0].name, "any");
    soc_config_free(&back);
    soc_error_clear(&err);
    ck_assert_int_eq(soc_load_app_yaml(&back, "/nonexistent.yaml", NULL, &err), SOC_EIO);
    soc_config_free(&cfg);
    unlink(app);
    unlink(plat);
    rmdir(dir);
    free(app);
    free(plat);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------- generators */

static void gen(const soc_gen_params_t *p, soc_config_t *cfg)
{
    soc_error_t err = {0};
    char buf[1024];
    int rc = soc_gen_dag(p, NULL, cfg, NULL, &err);
    ck_assert_msg(rc == SOC_OK, "gen %s: %s", soc_gen_kind_name(p->kind),
                  soc_error_format(&err, buf, sizeof buf));
}

/* Counts by enumerating each algorithm's loops (independent of gen.c). */
static void expected_counts(soc_gen_kind_t k, int s, long *n, long *e)
{
    *n = *e = 0;
    switch (k) {
    case SOC_GEN_GAUSS: /* step k: pivot + (m - k) updates; pivot -> updates, updates -> next step */
        for (int j = 1; j < s; j++) {
            *n += 1 + (s - j);
            *e += s - j;
            if (j + 1 < s)
                *e += s - j;
        }
        break;
    case SOC_GEN_FFT: { /* 2n-1 tree tasks, n-1 inner nodes x 2 children; log2 n levels of n, 2 in-edges each */
        int q = 0;
        while ((1 << q) < s)
            q++;
        *n = 2 * s - 1 + (long)s * q;
        *e = 2 * (s - 1) + 2L * s * q;
        break;
    }
    case SOC_GEN_CHOLESKY: /* potrf k, trsm (i,k), syrk (i,k), gemm (i,j,k) */
        for (int kk = 0; kk < s; kk++) {
            *n += 1;
            *e += kk > 0;                      /* potrf <- syrk(k, k-1) */
            for (int i = kk + 1; i < s; i++) {
                *n += 2;                       /* trsm, syrk */
                *e += 1 + (kk > 0);            /* trsm <- potrf, gemm(i,k,k-1) */
                *e += 1 + (kk > 0);            /* syrk <- trsm, syrk(i,k-1) */
                for (int j = kk + 1; j < i; j++) {
                    *n += 1;
                    *e += 2 + (kk > 0);        /* gemm <- 2 trsm, gemm(i,j,k-1) */
                }
            }
        }
        break;
    case SOC_GEN_LU:
        for (int kk = 0; kk < s; kk++) {
            *n += 1;
            *e += kk > 0;
            for (int j = kk + 1; j < s; j++) {
                *n += 2;                       /* trsm_u(k,j), trsm_l(j,k) */
                *e += 2 * (1 + (kk > 0));
            }
            for (int i = kk + 1; i < s; i++)
                for (int j = kk + 1; j < s; j++) {
                    *n += 1;
                    *e += 2 + (kk > 0);
                }
        }
        break;
    default:
        break;
    }
}

START_TEST(generator_counts_closed_forms)
{
    soc_error_t err = {0};
    /* the kernels: enumeration = polynomial closed form = generated */
    const soc_gen_kind_t kinds[] = {SOC_GEN_GAUSS, SOC_GEN_FFT, SOC_GEN_CHOLESKY, SOC_GEN_LU};
    const int sizes[][6] = {{2, 3, 5, 8, 13, 20}, {2, 4, 8, 16, 32, 128},
                            {1, 2, 3, 5, 8, 12},  {1, 2, 3, 5, 8, 12}};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 6; i++) {
            soc_gen_params_t p;
            soc_gen_params_default(&p, kinds[k]);
            p.size = sizes[k][i];
            p.beta = 0;
            long n, e;
            expected_counts(kinds[k], p.size, &n, &e);
            long s = p.size, cf_n = 0, cf_e = 0;
            switch (kinds[k]) {
            case SOC_GEN_GAUSS:
                cf_n = (s * s + s - 2) / 2;
                cf_e = s * s - s - 1;
                break;
            case SOC_GEN_FFT: {
                long q = (long)lround(log2((double)s));
                cf_n = 2 * s - 1 + s * q;
                cf_e = 2 * s - 2 + 2 * s * q;
                break;
            }
            case SOC_GEN_CHOLESKY:
                cf_n = s * (s + 1) * (s + 2) / 6;
                cf_e = (s - 1) * (2 * s - 1) + (s - 1) * (s - 1) * (s - 2) / 2;
                break;
            default: /* LU: sum of squares; see docs/workloads.md */
                cf_n = s * (s + 1) * (2 * s + 1) / 6;
                cf_e = (s - 1) + 2 * (s - 1) * (s - 1) + (s - 1) * s * (2 * s - 1) / 3 +
                       (s - 2) * (s - 1) * (2 * s - 3) / 6;
                break;
            }
            ck_assert_int_eq(n, cf_n);
            ck_assert_int_eq(e, cf_e);
            int64_t ln, le;
            ck_assert_int_eq(soc_gen_counts(&p, &ln, &le, &err), SOC_OK);
            ck_assert_int_eq(ln, n);
            ck_assert_int_eq(le, e);
            soc_config_t cfg;
            gen(&p, &cfg);
            ck_assert_int_eq(cfg.apps[0].n_tasks, n);
            ck_assert_int_eq(cfg.apps[0].n_edges, e);
            ck_assert_int_eq(cfg.apps[0].n_entry, 1); /* one source, one sink */
            ck_assert_int_eq(cfg.apps[0].n_exit, kinds[k] == SOC_GEN_FFT ? s : 1);
            soc_config_free(&cfg);
        }
    /* Topcuoglu et al.'s figures: GE with m = 5 has 14 tasks, FFT of 4 points 15 */
    long n, e;
    expected_counts(SOC_GEN_GAUSS, 5, &n, &e);
    ck_assert_int_eq(n, 14);
    expected_counts(SOC_GEN_FFT, 4, &n, &e);
    ck_assert_int_eq(n, 15);
    /* layered: L x W tasks, (L-1) W K edges; fork-join: 1 + S (W + 1), 2 S W */
    for (int L = 1; L <= 6; L += 5)
        for (int W = 2; W <= 5; W++)
            for (int K = 2; K <= W; K++) {
                soc_gen_params_t p;
                soc_gen_params_default(&p, SOC_GEN_LAYERED);
                p.levels = L == 1 ? 2 : L;
                p.width = W;
                p.degree = K;
                soc_config_t cfg;
                gen(&p, &cfg);
                ck_assert_int_eq(cfg.apps[0].n_tasks, p.levels * W);
                ck_assert_int_eq(cfg.apps[0].n_edges, (p.levels - 1) * W * K);
                soc_config_free(&cfg);
            }
    for (int S = 1; S <= 4; S++)
        for (int W = 1; W <= 6; W += 2) {
            soc_gen_params_t p;
            soc_gen_params_default(&p, SOC_GEN_FORK_JOIN);
            p.levels = S;
            p.width = W;
            soc_config_t cfg;
            gen(&p, &cfg);
            ck_assert_int_eq(cfg.apps[0].n_tasks, 1 + S * (W + 1));
            ck_assert_int_eq(cfg.apps[0].n_edges, 2 * S * W);
            soc_config_free(&cfg);
        }
    /* invalid parameters are refused with a message */
    soc_gen_params_t p;
    soc_gen_params_default(&p, SOC_GEN_FFT);
    p.size = 12;
    ck_assert_int_eq(soc_gen_counts(&p, NULL, NULL, &err), SOC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "power of 2"));
    soc_gen_params_default(&p, SOC_GEN_LAYERED);
    p.degree = 1;
    ck_assert_int_eq(soc_gen_counts(&p, NULL, NULL, &err), SOC_EINVAL);
}
END_TEST

START_TEST(series_parallel_structure)
{
    for (uint64_t seed = 1; seed <= 40; seed++) {
        soc_gen_params_t p;
        soc_gen_params_default(&p, SOC_GEN_SERIES_PARALLEL);
        p.seed = seed;
        p.tasks = 3 + (int)(seed * 7 % 150);
        soc_config_t cfg;
        gen(&p, &cfg);
        const soc_app_t *a = &cfg.apps[0];
        ck_assert_int_eq(a->n_tasks, p.tasks);
        /* two-terminal; every fork (out-degree 2) adds one edge to a tree-like chain */
        ck_assert_int_eq(a->n_entry, 1);
        ck_assert_int_eq(a->n_exit, 1);
        int forks = 0;
        for (int t = 0; t < a->n_tasks; t++) {
            int out = a->succ_off[t + 1] - a->succ_off[t];
            ck_assert_int_le(out, 2);
            forks += out == 2;
        }
        ck_assert_int_eq(a->n_edges, a->n_tasks - 1 + forks);
        soc_config_free(&cfg);
    }
}
END_TEST

/* Longest path in tasks (the number of levels). */
static int depth(const soc_app_t *a)
{
    int *d = calloc((size_t)a->n_tasks, sizeof *d), best = 0;
    for (int k = 0; k < a->n_tasks; k++) {
        int i = a->topo[k];
        d[i] = 1;
        for (int q = a->pred_off[i]; q < a->pred_off[i + 1]; q++) {
            int s = a->edges[a->pred_edge[q]].src;
            if (d[s] + 1 > d[i])
                d[i] = d[s] + 1;
        }
        if (d[i] > best)
            best = d[i];
    }
    free(d);
    return best;
}

START_TEST(random_hits_ccr_beta_and_shape)
{
    /* 200 graphs of v = 100 on 16 processors: CCR 2, beta 1, w_dag 50,
     * alpha 1 (height ~ sqrt(100) / 1 = 10). */
    const int seeds = 200, q = 16;
    double ccr_sum = 0, range_sum = 0, w_sum = 0, depth_sum = 0, outdeg_sum = 0;
    long tasks = 0;
    for (int s = 1; s <= seeds; s++) {
        soc_gen_params_t p;
        soc_gen_params_default(&p, SOC_GEN_RANDOM);
        p.seed = (uint64_t)s;
        p.tasks = 100;
        p.alpha = 1;
        p.out_degree = 3;
        p.ccr = 2;
        p.beta = 1;
        p.w_dag = 50;
        p.procs = q;
        soc_config_t cfg;
        gen(&p, &cfg);
        const soc_app_t *a = &cfg.apps[0];
        ck_assert_int_eq(a->n_tasks, 100);
        double comp = 0, comm = 0;
        for (int t = 0; t < a->n_tasks; t++) {
            double lo = 1e300, hi = 0, sum = 0;
            for (int c = 0; c < q; c++) {
                double x = exec_of(&cfg, t, c);
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
                sum += x;
            }
            double mean = sum / q;
            comp += mean;
            w_sum += mean;
            if (mean > 0)
                range_sum += (hi - lo) / mean;
            tasks++;
        }
        for (int e = 0; e < a->n_edges; e++)
            comm += a->edges[e].volume / cfg.platform.bw_default;
        ccr_sum += (comm / a->n_edges) / (comp / a->n_tasks);
        depth_sum += depth(a);
        outdeg_sum += (double)a->n_edges / a->n_tasks;
        soc_config_free(&cfg);
    }
    double ccr = ccr_sum / seeds, w = w_sum / (double)tasks, dep = depth_sum / seeds;
    /* range of q uniforms on [1 - b/2, 1 + b/2]: (q - 1) / (q + 1) b */
    double beta = range_sum / (double)tasks * (q + 1) / (q - 1);
    ck_assert_msg(fabs(ccr - 2) < 0.1, "CCR %g, wanted 2", ccr);
    ck_assert_msg(fabs(beta - 1) < 0.03, "beta %g, wanted 1", beta);
    ck_assert_msg(fabs(w - 50) < 1.5, "mean cost %g, wanted 50", w);
    ck_assert_msg(fabs(dep - 10) < 0.5, "height %g, wanted 10", dep);
    ck_assert_msg(outdeg_sum / seeds > 2.2 && outdeg_sum / seeds < 3.2, "edges per task %g",
                  outdeg_sum / seeds);
}
END_TEST

static char *yaml_of(const soc_config_t *cfg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    soc_error_t err = {0};
    ck_assert_int_eq(soc_write_yaml(cfg, f, &err), SOC_OK);
    fclose(f);
    return text;
}

START_TEST(generators_deterministic_in_the_seed)
{
    for (int k = 0; k < 8; k++) {
        soc_gen_params_t p;
        soc_gen_params_default(&p, (soc_gen_kind_t)k);
        p.tasks = 60;
        soc_config_t a, b, c;
        p.seed = 7;
        gen(&p, &a);
        gen(&p, &b);
        p.seed = 8;
        gen(&p, &c);
        char *ta = yaml_of(&a), *tb = yaml_of(&b), *tc = yaml_of(&c);
        ck_assert_str_eq(ta, tb);
        ck_assert_msg(strcmp(ta, tc) != 0, "%s: seeds 7 and 8 gave the same graph",
                      soc_gen_kind_name(p.kind));
        /* kernel costs average w_dag exactly (before heterogeneity) */
        free(ta);
        free(tb);
        free(tc);
        soc_config_free(&a);
        soc_config_free(&b);
        soc_config_free(&c);
    }
    /* beta 0 and kernel costs: every task of a kind has the kernel's weight:
     * Cholesky potrf : trsm : syrk : gemm = 1/3 : 1 : 1 : 2, mean w_dag */
    soc_gen_params_t p;
    soc_gen_params_default(&p, SOC_GEN_CHOLESKY);
    p.size = 4; /* 4 potrf, 6 trsm, 6 syrk, 4 gemm: weight 4/3 + 6 + 6 + 8 = 64/3 over 20 */
    p.beta = 0;
    p.w_dag = 64;
    soc_config_t cfg;
    soc_import_stats_t st;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_gen_dag(&p, NULL, &cfg, &st, &err), SOC_OK);
    ck_assert_int_eq(st.n_types, 4);
    ck_assert_double_eq_tol(st.total_ref_us, 64 * 20, 1e-9);
    double unit = 64 * 20 / (64.0 / 3); /* time of weight 1 */
    ck_assert_double_eq_tol(exec_of(&cfg, task_index(&cfg, "gemm_2_1_0"), 0), 2 * unit, 1e-9);
    ck_assert_double_eq_tol(exec_of(&cfg, task_index(&cfg, "potrf_3"), 0), unit / 3, 1e-9);
    /* kernel communication: every edge CCR x w_dag */
    ck_assert_double_eq(edge_volume(&cfg, "potrf_0", "trsm_1_0"), 64);
    soc_config_free(&cfg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("stg");
    tcase_add_test(tc, stg_counts_work_and_critical_path);
    tcase_add_test(tc, stg_types_by_cost);
    tcase_add_test(tc, stg_malformed);
    tcase_add_test(tc, file_limits_and_missing);
    suite_add_tcase(s, tc);
    tc = tcase_create("dot");
    tcase_add_test(tc, dot_reads_the_subset);
    tcase_add_test(tc, dot_malformed);
    tcase_add_test(tc, disconnected_graphs_kept_or_joined);
    suite_add_tcase(s, tc);
    tc = tcase_create("wfcommons");
    tcase_add_test(tc, wfcommons_16);
    tcase_add_test(tc, wfcommons_14);
    tcase_add_test(tc, wfcommons_malformed);
    suite_add_tcase(s, tc);
    tc = tcase_create("maps");
    tcase_add_test(tc, platform_map_file);
    tcase_add_test(tc, map_warnings_and_coverage);
    suite_add_tcase(s, tc);
    tc = tcase_create("paths");
    tcase_add_test(tc, critical_path_topcuoglu);
    tcase_add_test(tc, app_and_platform_files_round_trip);
    suite_add_tcase(s, tc);
    tc = tcase_create("gen");
    tcase_add_test(tc, generator_counts_closed_forms);
    tcase_add_test(tc, series_parallel_structure);
    tcase_add_test(tc, random_hits_ccr_beta_and_shape);
    tcase_add_test(tc, generators_deterministic_in_the_seed);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return ts_run_suite(suite()); }
