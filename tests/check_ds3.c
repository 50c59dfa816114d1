/*
 * check_ds3.c -- DS3 compatibility: the readers of DS3's files (incl.
 * malformed ones), the DS3-semantics engine on hand-checked cases, and --
 * when ../shared is present -- DS3's own reference runs, task by task
 * against the schedules DS3 recorded (shared/ds3/traces).
 *
 * Expected values and where they come from:
 *  - tests/ds3/mini (written for this test): worked out by hand from the
 *    DS3 rules of the spec (§2, §11-A2's event order: a piece of >= 2 µs
 *    ends ahead of the manager's tick, a 1-µs piece keeps its state, a
 *    0-µs piece and a newly dispatched task are behind).
 *  - Topcuoglu validation runs, default ETF, WiFi TX MET: printed by DS3
 *    itself (spec §6) and its per-task traces.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "soc/ds3.h"
#include "soc/schedulers.h"
#include "soc/workload.h"
#include "test_support.h"

#define MINI SOC_SOURCE_DIR "/tests/ds3/mini/config_file.ini"
#define SHARED_DS3 SOC_SHARED_DIR "/ds3"

/* ------------------------------------------------------------- helpers */

typedef struct run_out {
    soc_metrics_t m;
    ts_records_t rec;
    int64_t scale;  /* soc_ds3_sim_run_info */
    int iteration;
} run_out_t;

/* Load (with overrides) and run one DS3 run; returns the status. */
static int run_ds3(const char *ini, const char *const *ov, const char *sched, run_out_t *out,
                   soc_error_t *err)
{
    soc_config_t cfg;
    memset(out, 0, sizeof *out);
    int rc = soc_load_ds3(&cfg, ini, ov, err);
    if (rc != SOC_OK)
        return rc;
    const soc_sched_ops_t *ops = soc_sched_find(sched ? sched : cfg.scheduler);
    ck_assert_msg(ops != NULL, "no scheduler %s", sched ? sched : cfg.scheduler);
    soc_sim_options_t o = {0};
    o.struct_size = sizeof o;
    o.sched = ops;
    o.on_record = ts_records_add;
    o.record_user = &out->rec;
    soc_sim_t *sim = NULL;
    rc = soc_sim_create(&sim, &cfg, &o, err);
    if (rc == SOC_OK)
        rc = soc_sim_run(sim, err);
    if (rc == SOC_OK) {
        soc_sim_metrics(sim, &out->m);
        out->m.pe_utilization = NULL; /* owned by the simulation */
        out->m.scheduler = NULL;
        ck_assert_int_eq(soc_ds3_sim_run_info(sim, &out->scale, &out->iteration), SOC_OK);
    }
    soc_sim_destroy(sim);
    soc_config_free(&cfg);
    return rc;
}

static const soc_task_record_t *find_rec(const ts_records_t *r, uint64_t job, int task)
{
    for (int i = 0; i < r->n; i++)
        if (r->r[i].job == job && r->r[i].task == task)
            return &r->r[i];
    return NULL;
}

static void expect_task(const ts_records_t *r, int task, int pe, double start, double finish)
{
    const soc_task_record_t *x = find_rec(r, 0, task);
    ck_assert_msg(x != NULL, "task %d did not run", task);
    ck_assert_msg(x->pe == pe && x->start_us == start && x->finish_us == finish,
                  "task %d: PE %d %g-%g, expected PE %d %g-%g", task, x->pe, x->start_us,
                  x->finish_us, pe, start, finish);
}

/* Compare the records with a DS3 trace CSV (task_id,job_id,base_id,
 * task_name,pe_id,pe_name,start,finish,...): same set of tasks, same PE,
 * start, finish and global id. */
static void compare_trace(const ts_records_t *r, const char *trace)
{
    char *path = ts_path(SHARED_DS3 "/traces", trace);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[512];
    ck_assert(fgets(line, sizeof line, f) != NULL); /* header */
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        long long id, job;
        int base, pe;
        double start, finish;
        char name[128], pename[128];
        int k = sscanf(line, "%lld,%lld,%d,%127[^,],%d,%127[^,],%lf,%lf", &id, &job, &base, name,
                       &pe, pename, &start, &finish);
        ck_assert_int_eq(k, 8);
        const soc_task_record_t *x = find_rec(r, (uint64_t)job, base);
        ck_assert_msg(x != NULL, "%s: job %lld task %d did not run", trace, job, base);
        ck_assert_msg(x->pe == pe && x->start_us == start && x->finish_us == finish,
                      "%s: job %lld task %d (id %lld): socsim PE %d %g-%g, DS3 PE %d %g-%g", trace,
                      job, base, id, x->pe, x->start_us, x->finish_us, pe, start, finish);
        n++;
    }
    fclose(f);
    free(path);
    ck_assert_int_eq(n, r->n);
}

/* A scratch copy of the mini files where one file can be replaced. */
typedef struct scratch {
    char dir[256];
} scratch_t;

static void put(const char *dir, const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    ck_assert_msg(f != NULL, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    char *buf = calloc(1, 1 << 16);
    ck_assert(buf != NULL);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void scratch_make(scratch_t *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/socsim-ds3-XXXXXX");
    ck_assert(mkdtemp(s->dir) != NULL);
    char p[512];
    snprintf(p, sizeof p, "%s/config_SoC", s->dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/config_Jobs", s->dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    static const char *const files[] = {"config_file.ini", "config_SoC/SoC.mini.txt",
                                        "config_Jobs/job_chain.txt", NULL};
    for (int i = 0; files[i]; i++) {
        char src[512];
        snprintf(src, sizeof src, "%s/tests/ds3/mini/%s", SOC_SOURCE_DIR, files[i]);
        char *t = slurp(src);
        put(s->dir, files[i], t);
        free(t);
    }
}

static void scratch_free(scratch_t *s)
{
    static const char *const files[] = {"config_file.ini", "config_SoC/SoC.mini.txt",
                                        "config_Jobs/job_chain.txt", "config_SoC", "config_Jobs",
                                        NULL};
    char p[512];
    for (int i = 0; files[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", s->dir, files[i]);
        remove(p);
    }
    rmdir(s->dir);
}

/* Replace the first line starting with `prefix` in file rel by `repl`
 * (repl NULL deletes the line). */
static void edit(scratch_t *s, const char *rel, const char *prefix, const char *repl)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", s->dir, rel);
    char *t = slurp(p);
    size_t n = strlen(t), pl = strlen(prefix);
    char *out = calloc(1, n + (repl ? strlen(repl) : 0) + 2);
    ck_assert(out != NULL);
    char *line = t, *o = out;
    int done = 0;
    while (*line) {
        char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line + 1) : strlen(line);
        if (!done && strncmp(line, prefix, pl) == 0) {
            done = 1;
            if (repl) {
                o += sprintf(o, "%s\n", repl);
            }
        } else {
            memcpy(o, line, len);
            o += len;
        }
        line += len;
    }
    ck_assert_msg(done, "no line '%s' in %s", prefix, rel);
    put(s->dir, rel, out);
    free(t);
    free(out);
}

static char *scratch_ini(scratch_t *s)
{
    return ts_path(s->dir, "config_file.ini");
}

/* Expect loading to fail with code, the error in `file_suffix` at line. */
static void expect_error(scratch_t *s, const char *const *ov, int code, const char *file_suffix,
                         int line, const char *msg_part)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    char *ini = scratch_ini(s);
    int rc = soc_load_ds3(&cfg, ini, ov, &err);
    char buf[1024];
    soc_error_format(&err, buf, sizeof buf);
    ck_assert_msg(rc == code, "expected %s, got %s: %s", soc_status_name(code),
                  soc_status_name(rc), buf);
    size_t fl = strlen(err.file), sl = strlen(file_suffix);
    ck_assert_msg(fl >= sl && strcmp(err.file + fl - sl, file_suffix) == 0,
                  "error in '%s', expected '%s': %s", err.file, file_suffix, buf);
    ck_assert_msg(err.line == line, "error at line %d, expected %d: %s", err.line, line, buf);
    if (msg_part != NULL)
        ck_assert_msg(strstr(err.msg, msg_part) != NULL, "message '%s' lacks '%s'", err.msg,
                      msg_part);
    free(ini);
}

/* -------------------------------------------------------------- readers */

START_TEST(test_reader_mini)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_load_ds3(&cfg, MINI, NULL, &err), SOC_OK);
    const soc_platform_t *p = &cfg.platform;
    ck_assert_int_eq(cfg.semantics, SOC_SEM_DS3);
    ck_assert_ptr_nonnull(cfg.ds3);
    ck_assert_int_eq(cfg.ds3->validation, 1);
    ck_assert_str_eq(cfg.scheduler, "etf");
    ck_assert_int_eq(p->n_clusters, 3);
    ck_assert_int_eq(p->n_pes, 4);
    ck_assert_str_eq(p->clusters[0].name, "C");
    ck_assert_str_eq(p->clusters[0].kind, "CPU"); /* despite "resoruce_type" */
    ck_assert_int_eq(p->clusters[0].count, 2);
    ck_assert(p->clusters[2].is_memory);
    ck_assert_int_eq(p->memory_cluster, 2);
    int a = soc_platform_type_index(p, "a"), b = soc_platform_type_index(p, "b");
    int c = soc_platform_type_index(p, "c");
    ck_assert(a >= 0 && b >= 0 && c >= 0);
    /* "None" (the memory's placeholder) is no task type unless a job uses it */
    ck_assert_int_eq(soc_platform_type_index(p, "None"), -1);
    ck_assert_double_eq(p->clusters[0].exec_us[b], 5); /* first of "b 5", "b 7" */
    ck_assert_double_eq(p->clusters[0].exec_us[c], 1); /* third column ignored */
    ck_assert_double_eq(p->clusters[1].exec_us[b], 20);
    ck_assert(p->clusters[1].exec_us[a] < 0);
    ck_assert_double_eq(p->bw_self, 100);
    ck_assert_double_eq(p->bw_default, 1);
    ck_assert_double_eq(p->bw[0 * 3 + 1], 4);
    ck_assert_double_eq(p->bw[1 * 3 + 0], 4); /* symmetric */
    ck_assert_double_eq(p->bw[0 * 3 + 0], 50);
    ck_assert_double_eq(p->bw[1 * 3 + 1], 0); /* never given: DS3's 1 */
    ck_assert_int_eq(p->comm_mode, SOC_COMM_PE_TO_PE);
    /* power data of the SoC file */
    ck_assert_ptr_nonnull(p->clusters[0].power);
    ck_assert_str_eq(p->clusters[0].power->governor, "performance");
    ck_assert_int_eq(p->clusters[0].power->n_opps, 1);
    ck_assert_int_eq(p->clusters[0].power->n_trip, 3);
    ck_assert_int_eq(p->clusters[0].power->n_profiles, 1);
    ck_assert_double_eq(p->clusters[0].power->profiles[0].watts[1], 0.2);
    ck_assert_str_eq(p->clusters[2].power->governor, "none");
    /* the job */
    ck_assert_int_eq(cfg.n_apps, 1);
    const soc_app_t *ap = &cfg.apps[0];
    ck_assert_str_eq(ap->name, "chain");
    ck_assert_int_eq(ap->n_tasks, 4);
    ck_assert_int_eq(ap->head, 0);
    ck_assert_int_eq(ap->tail, 3);
    ck_assert_int_eq(ap->n_edges, 3);
    ck_assert_int_eq(ap->edges[0].src, 0);
    ck_assert_int_eq(ap->edges[0].dst, 1);
    ck_assert_double_eq(ap->edges[0].volume, 40);
    ck_assert_double_eq(ap->edges[1].volume, 0); /* no comm_vol line */
    ck_assert_double_eq(ap->probability, 1);
    soc_config_free(&cfg);
}
END_TEST

START_TEST(test_reader_ini_forms)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    const char *ov1[] = {"scale_values=100-300-100,500", "PE_to_PE=no", "shared_memory=YES",
                         "scheduler=ETF_LB", "job_list=[[2], [1]]", NULL};
    ck_assert_int_eq(soc_load_ds3(&cfg, MINI, ov1, &err), SOC_OK);
    ck_assert_int_eq(cfg.ds3->n_scale_values, 3);
    ck_assert_int_eq(cfg.ds3->scale_values[0], 100);
    ck_assert_int_eq(cfg.ds3->scale_values[1], 200);
    ck_assert_int_eq(cfg.ds3->scale_values[2], 500);
    ck_assert_int_eq(cfg.platform.comm_mode, SOC_COMM_SHARED_MEMORY);
    ck_assert_str_eq(cfg.scheduler, "etf_lb");
    ck_assert_int_eq(cfg.ds3->n_job_list, 2);
    ck_assert_int_eq(cfg.ds3->job_list[0][0], 2);
    ck_assert_int_eq(cfg.ds3->job_list[1][0], 1);
    ck_assert_int_eq(cfg.ds3->inject_fixed_num_jobs, 1);
    soc_config_free(&cfg);
    const char *ov2[] = {"scale_values = [150, 400]", "warmup_period=30", NULL};
    ck_assert_int_eq(soc_load_ds3(&cfg, MINI, ov2, &err), SOC_OK);
    ck_assert_int_eq(cfg.ds3->n_scale_values, 2);
    ck_assert_int_eq(cfg.ds3->scale_values[1], 400);
    ck_assert_int_eq(cfg.ds3->warmup_period, 30);
    soc_config_free(&cfg);
    const char *ov3[] = {"scale_values=7", NULL};
    ck_assert_int_eq(soc_load_ds3(&cfg, MINI, ov3, &err), SOC_OK);
    ck_assert_int_eq(cfg.ds3->n_scale_values, 1);
    ck_assert_int_eq(cfg.ds3->scale_values[0], 7);
    soc_config_free(&cfg);
    const char *ov4[] = {"no_such_option=1", NULL};
    ck_assert_int_eq(soc_load_ds3(&cfg, MINI, ov4, &err), SOC_EINVAL);
}
END_TEST

START_TEST(test_reader_errors)
{
    scratch_t s;
    scratch_make(&s);
    const char *soc = "config_SoC/SoC.mini.txt", *job = "config_Jobs/job_chain.txt";
    /* two spaces make an empty field (DS3 splits on single spaces) */
    edit(&s, soc, "a 9", "a  9");
    expect_error(&s, NULL, SOC_EPARSE, "SoC.mini.txt", 10, "exactly one space");
    edit(&s, soc, "a  9", "a 9");
    edit(&s, soc, "comm_band 0 1 4", "comm_bandwidth 0 1 4");
    expect_error(&s, NULL, SOC_EPARSE, "SoC.mini.txt", 29, "unknown keyword");
    edit(&s, soc, "comm_bandwidth", "comm_band 0 1 4");
    edit(&s, soc, "b 7", NULL); /* 4 of 5 functionalities, then a new resource */
    expect_error(&s, NULL, SOC_EPARSE, "SoC.mini.txt", 15, "declares 5 functionalities");
    edit(&s, soc, "d 0", "d 0\nb 7");
    edit(&s, soc, "add_new_resource resource_type ACC",
         "add_new_resource resource_type ACC resource_name X resource_ID 5 capacity 1 "
         "num_supported_functionalities 1 DVFS_mode performance");
    expect_error(&s, NULL, SOC_EPARSE, "SoC.mini.txt", 16, "resource_ID 5");
    scratch_free(&s);

    scratch_make(&s);
    edit(&s, job, "d earliest_start", NULL); /* the task list never closes */
    edit(&s, job, "comm_vol", NULL);
    expect_error(&s, NULL, SOC_EPARSE, "job_chain.txt", 0, "not closed");
    scratch_free(&s);
    scratch_make(&s);
    edit(&s, job, "c 2 1", "c 3 1");
    expect_error(&s, NULL, SOC_EPARSE, "job_chain.txt", 9, "out of order");
    edit(&s, job, "c 3 1", "c 2 1");
    edit(&s, job, "comm_vol 0 1 40", "comm_vol 0 1 40.5");
    expect_error(&s, NULL, SOC_EPARSE, "job_chain.txt", 14, "integer");
    edit(&s, job, "comm_vol", "comm_vol 0 9 40");
    expect_error(&s, NULL, SOC_EPARSE, "job_chain.txt", 14, "out of range");
    edit(&s, job, "comm_vol", "comm_vol 0 1 40");
    edit(&s, job, "b 1 0", "zzz 1 0");
    expect_error(&s, NULL, SOC_ECONFIG, "job_chain.txt", 7, "not a functionality");
    scratch_free(&s);

    scratch_make(&s);
    edit(&s, "config_file.ini", "max_jobs", "max_jobs = lots");
    expect_error(&s, NULL, SOC_EPARSE, "config_file.ini", 8, "max_jobs");
    edit(&s, "config_file.ini", "max_jobs", "max_jobs = 1");
    edit(&s, "config_file.ini", "job_probabilities", "job_probabilities = [0.5, 0.4]");
    expect_error(&s, NULL, SOC_EPARSE, "config_file.ini", 5, "2 values for 1 job files");
    edit(&s, "config_file.ini", "job_probabilities", "job_probabilities = [0.9]");
    expect_error(&s, NULL, SOC_EPARSE, "config_file.ini", 5, "sum");
    edit(&s, "config_file.ini", "job_probabilities", "job_probabilities = [1]");
    edit(&s, "config_file.ini", "inject_jobs_asap", "inject_jobs_asap = maybe");
    expect_error(&s, NULL, SOC_EPARSE, "config_file.ini", 12, "boolean");
    edit(&s, "config_file.ini", "inject_jobs_asap", "inject_jobs_asap = no");
    edit(&s, "config_file.ini", "# socsim test", "orphan = 1");
    expect_error(&s, NULL, SOC_EPARSE, "config_file.ini", 1, "section");
    edit(&s, "config_file.ini", "orphan", "# fine again");
    edit(&s, "config_file.ini", "resource_file", "resource_file = SoC.absent.txt");
    expect_error(&s, NULL, SOC_EIO, "SoC.absent.txt", 0, NULL);
    scratch_free(&s);

    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_load_ds3(&cfg, "/nonexistent/config_file.ini", NULL, &err), SOC_EIO);
}
END_TEST

/* Warnings reach the caller's sink, once each, with file:line. */
typedef struct warn_log {
    int n;
    soc_error_t last;
} warn_log_t;

static void log_warning(void *user, const soc_error_t *w)
{
    warn_log_t *l = user;
    l->n++;
    l->last = *w;
}

/* issue 11: a capacity below 1 is read as 1 (as DS3 does) with a warning;
 * devices, directories and oversized files are refused, never read. */
START_TEST(test_reader_hardening)
{
    scratch_t s;
    scratch_make(&s);
    const char *soc = "config_SoC/SoC.mini.txt";
    edit(&s, soc, "add_new_resource resource_type ACC",
         "add_new_resource resource_type ACC resource_name X resource_ID 1 capacity 0 "
         "num_supported_functionalities 1 DVFS_mode performance");
    char *ini = scratch_ini(&s);
    soc_config_t cfg;
    soc_error_t err = {0};
    warn_log_t log = {0};
    soc_load_options_t o = {0};
    o.struct_size = sizeof o;
    o.warnings.fn = log_warning;
    o.warnings.user = &log;
    ck_assert_int_eq(soc_load_ds3_opts(&cfg, ini, &o, &err), SOC_OK);
    ck_assert_int_eq(log.n, 1);
    ck_assert_int_eq(log.last.code, 0);
    ck_assert_int_eq(log.last.line, 16);
    ck_assert_ptr_nonnull(strstr(log.last.msg, "capacity 0 is read as 1"));
    char buf[1024];
    ck_assert_ptr_nonnull(strstr(soc_error_format(&log.last, buf, sizeof buf), "SoC.mini.txt:16:"));
    int x = -1;
    for (int c = 0; c < cfg.platform.n_clusters; c++)
        if (strcmp(cfg.platform.clusters[c].name, "X") == 0)
            x = c;
    ck_assert_int_ge(x, 0);
    ck_assert_int_eq(cfg.platform.clusters[x].count, 1);
    soc_config_free(&cfg);
    /* the plain form drops warnings and loads the same */
    ck_assert_int_eq(soc_load_ds3(&cfg, ini, NULL, &err), SOC_OK);
    soc_config_free(&cfg);
    free(ini);

    /* a job file that is a device: refused at once */
    char p[600];
    snprintf(p, sizeof p, "%s/config_Jobs/job_chain.txt", s.dir);
    ck_assert_int_eq(remove(p), 0);
    ck_assert_int_eq(symlink("/dev/zero", p), 0);
    expect_error(&s, NULL, SOC_EIO, "job_chain.txt", 0, "not a regular file");
    remove(p);
    /* a directory in its place */
    ck_assert_int_eq(mkdir(p, 0700), 0);
    expect_error(&s, NULL, SOC_EIO, "job_chain.txt", 0, "is a directory");
    rmdir(p);
    /* over 64 MiB: refused without reading it (a sparse file) */
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, (long)(65 << 20), SEEK_SET), 0);
    fputc('\n', f);
    fclose(f);
    expect_error(&s, NULL, SOC_ELIMIT, "job_chain.txt", 0, "too large");
    scratch_free(&s);
    err.code = 0;
    ck_assert_int_eq(soc_load_ds3(&cfg, "/dev/zero", NULL, &err), SOC_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
    soc_error_clear(&err);
    ck_assert_int_eq(soc_load_ds3(&cfg, "/tmp", NULL, &err), SOC_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
}
END_TEST

/* --------------------------------------------------------------- engine */

START_TEST(test_mini_chain)
{
    /* a(9 µs) -> b(5) -> c(1) -> d(0) on CPU PE 0, validation mode:
     *  a 0-9: one 9-µs piece, ends ahead of the tick at 9: b runs 9-14;
     *  b: pieces 9-10 (1 µs, newly dispatched: behind) and 10-14 (ahead);
     *  c 14-15: a 1-µs piece of a new task ends behind the tick at 15, so
     *  d is scheduled at 16 (spec §11-A2: "seen only at d+2");
     *  d: 0 µs at 16.  Latency 16 from generation at 0.
     * ETF, MET, EFT and STF all choose PE 0 (first index on ties; the
     * accelerator's b takes 20 µs + 10 µs of transfer).  ETF_LB breaks the
     * CPU ties by its counters instead: b and d go to PE 1 (a and c made
     * PE 0 the more used one), with the same times (C<->C transfers of
     * 40 at 50/µs truncate to 0). */
    static const char *const scheds[] = {"etf", "met", "eft", "stf", "etf_lb", "cpu_only", NULL};
    for (int i = 0; scheds[i]; i++) {
        run_out_t r;
        soc_error_t err = {0};
        ck_assert_int_eq(run_ds3(MINI, NULL, scheds[i], &r, &err), SOC_OK);
        ck_assert_int_eq(r.m.completed_jobs, 1);
        ck_assert_int_eq(r.m.injected_jobs, 1);
        ck_assert_int_eq(r.m.tasks_completed, 4);
        ck_assert_double_eq(r.m.avg_latency_us, 16);
        ck_assert_double_eq(r.m.makespan_us, 16);
        int lb = strcmp(scheds[i], "etf_lb") == 0;
        expect_task(&r.rec, 0, 0, 0, 9);
        expect_task(&r.rec, 1, lb, 9, 14);
        expect_task(&r.rec, 2, 0, 14, 15);
        expect_task(&r.rec, 3, lb, 16, 16);
        ts_records_free(&r.rec);
    }
}
END_TEST

START_TEST(test_mini_shared_memory)
{
    /* Shared memory: a ends at 9; b waits for the write a->MEM:
     * 9 + int(40 / 1) = 49 (no comm_band for C<->M: 1), is scheduled at 49
     * and must read MEM->C: 49 + 40 = 89.  b 89-90-94 (ahead), c 94-95
     * (behind: seen at 96), d at 96.  Latency 96. */
    const char *ov[] = {"shared_memory=yes", "PE_to_PE=no", NULL};
    run_out_t r;
    soc_error_t err = {0};
    ck_assert_int_eq(run_ds3(MINI, ov, "etf", &r, &err), SOC_OK);
    ck_assert_double_eq(r.m.avg_latency_us, 96);
    expect_task(&r.rec, 1, 0, 89, 94);
    expect_task(&r.rec, 2, 0, 94, 95);
    expect_task(&r.rec, 3, 0, 96, 96);
    ts_records_free(&r.rec);
}
END_TEST

START_TEST(test_mini_throttle)
{
    /* Performance mode, fixed inter-arrival 5 µs, at most 1 job in the
     * system, 2 jobs.  Job 0 as in test_mini_chain (tail at 16).  The
     * generator, throttled since 5, polls every µs AHEAD of the manager
     * (its first poll entry was inserted before the manager's); at 16 it
     * polls before d completes, so job 1 is generated at 17.  Job 1:
     * a 17-20-26 (pieces end at sampling boundaries), b 26-30-31, c 31-32
     * (behind), d 33.  Execution time 33, latencies 16 + 16. */
    const char *ov[] = {"simulation_mode=performance", "max_jobs_in_parallel=1",
                        "fixed_injection_rate=yes", "scale_values=5", "max_jobs=2", NULL};
    run_out_t r;
    soc_error_t err = {0};
    ck_assert_int_eq(run_ds3(MINI, ov, "etf", &r, &err), SOC_OK);
    ck_assert_int_eq(r.m.completed_jobs, 2);
    ck_assert_double_eq(r.m.makespan_us, 33);
    ck_assert_double_eq(r.m.cumulative_latency_us, 32);
    ck_assert_double_eq(r.m.avg_concurrent_jobs, 1);
    const soc_task_record_t *x = find_rec(&r.rec, 1, 0);
    ck_assert_ptr_nonnull(x);
    ck_assert_double_eq(x->arrival_us, 17);
    ck_assert_double_eq(x->start_us, 17);
    x = find_rec(&r.rec, 1, 3);
    ck_assert_ptr_nonnull(x);
    ck_assert_double_eq(x->start_us, 33);
    ts_records_free(&r.rec);
}
END_TEST

START_TEST(test_mini_warmup_and_limits)
{
    /* Fixed period 100, 3 measured jobs after a warm-up of 150 µs: jobs are
     * generated at 0, 100 (not counted) and 200, 300, 400 (counted); the
     * run ends with the 3rd counted tail at 416; "execution time" is
     * 416 - 150. */
    const char *ov[] = {"simulation_mode=performance", "fixed_injection_rate=yes",
                        "scale_values=100", "max_jobs=3", "warmup_period=150", NULL};
    run_out_t r;
    soc_error_t err = {0};
    ck_assert_int_eq(run_ds3(MINI, ov, "etf", &r, &err), SOC_OK);
    ck_assert_int_eq(r.m.injected_jobs, 3);
    ck_assert_int_eq(r.m.completed_jobs, 3);
    ck_assert_double_eq(r.m.makespan_us, 416 - 150);
    ck_assert_double_eq(r.m.avg_latency_us, 16);
    ck_assert_int_eq(r.m.tasks_completed, 20);
    ts_records_free(&r.rec);
    /* time-bounded (inject_fixed_num_jobs = no): nothing at t = 250 runs */
    const char *ov2[] = {"simulation_mode=performance", "fixed_injection_rate=yes",
                         "scale_values=100", "inject_fixed_num_jobs=no",
                         "simulation_length=216", NULL};
    ck_assert_int_eq(run_ds3(MINI, ov2, "etf", &r, &err), SOC_OK);
    ck_assert_int_eq(r.m.completed_jobs, 2); /* tail of job 2 would end at 216 */
    ck_assert_int_eq(r.m.injected_jobs, 3);
    ck_assert_double_eq(r.m.sim_time_us, 216);
    ts_records_free(&r.rec);
}
END_TEST

START_TEST(test_unsupported_scheduler)
{
    soc_config_t cfg;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_load_ds3(&cfg, MINI, NULL, &err), SOC_OK);
    soc_sim_options_t o = {0};
    o.struct_size = sizeof o;
    o.sched = soc_sched_find("heft");
    ck_assert_ptr_nonnull(o.sched);
    soc_sim_t *sim = NULL;
    ck_assert_int_eq(soc_sim_create(&sim, &cfg, &o, &err), SOC_EUNSUPPORTED);
    ck_assert(strstr(err.msg, "heft") != NULL);
    soc_config_free(&cfg);
}
END_TEST

/* ------------------------------------------------ DS3's reference runs */

/* in the "ds3_reference" case, which check_ds3_shared runs only when the
 * data is there (ts_run_suite_parts): absent data is a failure here */
#define NEED_SHARED() ck_assert_msg(ts_have_shared(), "the DS3 reference data is absent")

static void copy_tree_file(const char *dst_dir, const char *rel)
{
    char src[512];
    snprintf(src, sizeof src, "%s/%s", SHARED_DS3, rel);
    char *t = slurp(src);
    put(dst_dir, rel, t);
    free(t);
}

START_TEST(test_top_validation)
{
    NEED_SHARED();
    /* config_Files/config_file_first_example.ini refers to config_SoC/ and
     * config_Jobs/ next to the ini, as DS3 does from its working directory:
     * run it from a copy with that layout */
    scratch_t s;
    snprintf(s.dir, sizeof s.dir, "/tmp/socsim-ds3top-XXXXXX");
    ck_assert(mkdtemp(s.dir) != NULL);
    char p[512];
    snprintf(p, sizeof p, "%s/config_SoC", s.dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/config_Jobs", s.dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    copy_tree_file(s.dir, "config_SoC/SoC.Top.txt");
    copy_tree_file(s.dir, "config_Jobs/job_Top.txt");
    char *t = slurp(SHARED_DS3 "/config_Files/config_file_first_example.ini");
    put(s.dir, "config_file.ini", t);
    free(t);
    char *ini = ts_path(s.dir, "config_file.ini");
    static const char *const scheds[] = {"ETF", "MET", "EFT", "STF"};
    for (int i = 0; i < 4; i++) {
        char ov0[64], trace[64], lower[8];
        snprintf(ov0, sizeof ov0, "scheduler=%s", scheds[i]);
        const char *ov[] = {ov0, NULL};
        run_out_t r;
        soc_error_t err = {0};
        ck_assert_int_eq(run_ds3(ini, ov, NULL, &r, &err), SOC_OK);
        /* DS3: makespan = latency = 80 for all four (spec §6) */
        ck_assert_int_eq(r.m.completed_jobs, 1);
        ck_assert_double_eq(r.m.avg_latency_us, 80);
        ck_assert_double_eq(r.m.makespan_us, 80);
        for (int k = 0; k < 4; k++)
            lower[k] = scheds[i][k];
        lower[3] = '\0';
        snprintf(trace, sizeof trace, "top_%s_schedule.csv", lower);
        compare_trace(&r.rec, trace);
        ts_records_free(&r.rec);
    }
    free(ini);
    snprintf(p, sizeof p, "%s/config_SoC/SoC.Top.txt", s.dir);
    remove(p);
    snprintf(p, sizeof p, "%s/config_Jobs/job_Top.txt", s.dir);
    remove(p);
    scratch_free(&s);
}
END_TEST

START_TEST(test_default_etf)
{
    NEED_SHARED();
    run_out_t r;
    soc_error_t err = {0};
    ck_assert_int_eq(run_ds3(SHARED_DS3 "/config_file.ini", NULL, NULL, &r, &err), SOC_OK);
    /* DS3 printed: 100 injected, 100 completed, exec time 60139, ave
     * latency 136.62 (spec §6) */
    ck_assert_int_eq(r.m.injected_jobs, 100);
    ck_assert_int_eq(r.m.completed_jobs, 100);
    ck_assert_int_eq(r.m.tasks_completed, 1700);
    ck_assert_double_eq(r.m.makespan_us, 60139);
    ck_assert_double_eq_tol(r.m.avg_latency_us, 136.62, 1e-9);
    ck_assert_int_eq(r.scale, 500);
    compare_trace(&r.rec, "default_ETF_schedule.csv");
    ts_records_free(&r.rec);
}
END_TEST

START_TEST(test_wifi_tx_met)
{
    NEED_SHARED();
    const char *ov[] = {"job_file=job_WIFI_5TXM.txt", "job_probabilities=[1]",
                        "scale_values=100-101-1", "scheduler=MET", NULL};
    run_out_t r;
    soc_error_t err = {0};
    ck_assert_int_eq(run_ds3(SHARED_DS3 "/config_file.ini", ov, NULL, &r, &err), SOC_OK);
    /* DS3: 100/100 jobs, 2700 tasks, exec time 12045, ave latency 80.04 */
    ck_assert_int_eq(r.m.completed_jobs, 100);
    ck_assert_int_eq(r.m.tasks_completed, 2700);
    ck_assert_double_eq(r.m.makespan_us, 12045);
    ck_assert_double_eq_tol(r.m.avg_latency_us, 80.04, 1e-9);
    compare_trace(&r.rec, "wifiTX_MET_schedule.csv");
    ts_records_free(&r.rec);
}
END_TEST

/* convert-ds3's YAML, loaded back, gives the same runs as the DS3 files. */
static void roundtrip(const char *ini, const char *const *ov)
{
    soc_config_t a, b;
    soc_error_t err = {0};
    ck_assert_int_eq(soc_load_ds3(&a, ini, ov, &err), SOC_OK);
    char path[] = "/tmp/socsim-ds3-rt-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(soc_write_yaml(&a, f, &err), SOC_OK);
    fclose(f);
    int rc = soc_load_yaml(&b, path, &err);
    char buf[1024];
    ck_assert_msg(rc == SOC_OK, "%s", soc_error_format(&err, buf, sizeof buf));
    remove(path);
    ck_assert_int_eq(b.semantics, SOC_SEM_DS3);
    ck_assert_ptr_nonnull(b.ds3);
    const soc_sched_ops_t *ops = soc_sched_find(a.scheduler);
    ck_assert_ptr_nonnull(ops);
    run_out_t r[2];
    soc_config_t *cfgs[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        memset(&r[k], 0, sizeof r[k]);
        soc_sim_options_t o = {0};
        o.struct_size = sizeof o;
        o.sched = ops;
        o.on_record = ts_records_add;
        o.record_user = &r[k].rec;
        soc_sim_t *sim = NULL;
        ck_assert_int_eq(soc_sim_create(&sim, cfgs[k], &o, &err), SOC_OK);
        ck_assert_int_eq(soc_sim_run(sim, &err), SOC_OK);
        soc_sim_metrics(sim, &r[k].m);
        soc_sim_destroy(sim);
    }
    ck_assert_int_eq(r[0].m.completed_jobs, r[1].m.completed_jobs);
    ck_assert_double_eq(r[0].m.avg_latency_us, r[1].m.avg_latency_us);
    ck_assert_double_eq(r[0].m.makespan_us, r[1].m.makespan_us);
    ck_assert_double_eq(r[0].m.avg_concurrent_jobs, r[1].m.avg_concurrent_jobs);
    ck_assert_int_eq(r[0].rec.n, r[1].rec.n);
    for (int i = 0; i < r[0].rec.n; i++) {
        const soc_task_record_t *x = &r[0].rec.r[i], *y = &r[1].rec.r[i];
        ck_assert(x->job == y->job && x->task == y->task && x->pe == y->pe &&
                  x->start_us == y->start_us && x->finish_us == y->finish_us);
    }
    ts_records_free(&r[0].rec);
    ts_records_free(&r[1].rec);
    soc_config_free(&a);
    soc_config_free(&b);
}

START_TEST(test_convert_roundtrip)
{
    const char *ov[] = {"simulation_mode=performance", "fixed_injection_rate=yes",
                        "scale_values=7", "max_jobs=20", "shared_memory=yes", "PE_to_PE=no",
                        "max_jobs_in_parallel=3", NULL};
    roundtrip(MINI, ov);
}
END_TEST

START_TEST(test_convert_roundtrip_reference)
{
    NEED_SHARED();
    roundtrip(SHARED_DS3 "/config_file.ini", NULL);
}
END_TEST

START_TEST(test_deterministic)
{
    const char *ov[] = {"simulation_mode=performance", "scale_values=6", "max_jobs=50",
                        "max_jobs_in_parallel=4", NULL};
    run_out_t r1, r2;
    soc_error_t err = {0};
    ck_assert_int_eq(run_ds3(MINI, ov, "met", &r1, &err), SOC_OK);
    ck_assert_int_eq(run_ds3(MINI, ov, "met", &r2, &err), SOC_OK);
    ck_assert_int_eq(r1.m.completed_jobs, 50);
    ck_assert_int_eq(r1.rec.n, r2.rec.n);
    for (int i = 0; i < r1.rec.n; i++) {
        const soc_task_record_t *x = &r1.rec.r[i], *y = &r2.rec.r[i];
        ck_assert(x->job == y->job && x->task == y->task && x->pe == y->pe &&
                  x->start_us == y->start_us && x->finish_us == y->finish_us);
    }
    ck_assert_double_eq(r1.m.avg_latency_us, r2.m.avg_latency_us);
    ck_assert_double_eq(r1.m.makespan_us, r2.m.makespan_us);
    ck_assert_double_eq(r1.m.p95_latency_us, r2.m.p95_latency_us);
    ts_records_free(&r1.rec);
    ts_records_free(&r2.rec);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ds3");
    TCase *tr = tcase_create("readers");
    tcase_add_test(tr, test_reader_mini);
    tcase_add_test(tr, test_reader_hardening);
    tcase_add_test(tr, test_reader_ini_forms);
    tcase_add_test(tr, test_reader_errors);
    suite_add_tcase(s, tr);
    TCase *te = tcase_create("engine");
    tcase_add_test(te, test_mini_chain);
    tcase_add_test(te, test_mini_shared_memory);
    tcase_add_test(te, test_mini_throttle);
    tcase_add_test(te, test_mini_warmup_and_limits);
    tcase_add_test(te, test_unsupported_scheduler);
    tcase_add_test(te, test_deterministic);
    tcase_add_test(te, test_convert_roundtrip);
    suite_add_tcase(s, te);
    TCase *td = tcase_create("ds3_reference");
    tcase_set_tags(td, TS_SHARED_TAG);
    tcase_add_test(td, test_convert_roundtrip_reference);
    tcase_add_test(td, test_top_validation);
    tcase_add_test(td, test_default_etf);
    tcase_add_test(td, test_wifi_tx_met);
    suite_add_tcase(s, td);
    return s;
}

int main(int argc, char **argv)
{
    return ts_run_suite_parts(suite(), argc, argv);
}
