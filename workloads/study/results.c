/*
 * results.c -- the crash-safe results store of a sweep, summaries, merging
 * shards, and running a whole sweep on the worker pool (soc/study.h).
 *
 * Crash safety: only the calling process writes results.csv, one whole row
 * per write(2) on an O_APPEND descriptor, data-synced at most every 200 ms.
 * Every row ends with a checksum of its text, so a torn last line (power
 * loss, full disk) is recognized and dropped on the next start; a kill at
 * any moment therefore loses at most the units still running.
 * Determinism: a point's result depends only on the point, rows carry their
 * point id, and a finished sweep rewrites results.csv sorted by id -- so
 * worker counts, interruptions and shards all end in the same bytes.
 */
#define _GNU_SOURCE /* getline, O_DIRECTORY, fdatasync */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "soc/metrics.h"
#include "soc/study.h"
#include "soc_util.h"
#include "study_internal.h"

struct soc_results {
    const soc_sweep_t *s;
    char *dir;
    char *path;     /* DIR/results.csv */
    int fd, lock_fd;
    char **rows;    /* [n_points] sealed line (with newline) per point, or NULL */
    int n_done, n_mine, dropped;
    int shard_i, shard_n;
    double last_sync;
};

/* ------------------------------------------------------------ rows */

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* BODY,CHECK\n where CHECK = 8 hex digits of FNV-1a(BODY) */
static char *seal(const char *body)
{
    soc__buf_t b = {0};
    soc__buf_puts(&b, body);
    soc__buf_printf(&b, ",%08" PRIx32 "\n", fnv1a(body, strlen(body)));
    return soc__buf_take(&b);
}

/* 1 when line (without its newline) is a complete, sealed row. */
static int row_valid(const char *line, size_t len, size_t *body_len)
{
    if (len < 10 || line[len - 9] != ',')
        return 0;
    char hex[9];
    memcpy(hex, line + len - 8, 8);
    hex[8] = '\0';
    char *end;
    unsigned long v = strtoul(hex, &end, 16);
    if (*end != '\0' || (uint32_t)v != fnv1a(line, len - 9))
        return 0;
    *body_len = len - 9;
    return 1;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int unit_of_point(const soc_sweep_t *s, int p)
{
    /* units hold consecutive points: binary search on the first points */
    int lo = 0, hi = soc_sweep_n_units(s) - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2, first;
        soc_sweep_unit(s, mid, &first, NULL);
        if (first <= p)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int mine(int shard_i, int shard_n, int unit)
{
    return shard_n <= 1 || unit % shard_n == shard_i - 1;
}

/* Read file into rows[]: complete, sealed rows whose point cells match
 * this sweep.  Returns the count of torn rows dropped (*n_rows: rows
 * kept), or -1 with err set when the file belongs to another sweep. */
static int results_read(const soc_sweep_t *s, const char *file, char **rows, int *n_rows,
                        soc_error_t *err)
{
    *n_rows = 0;
    FILE *f = fopen(file, "rb");
    if (f == NULL)
        return 0;
    char *hdr = soc_sweep_header(s);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int first = 1, dropped = 0;
    while (hdr != NULL && (len = getline(&line, &cap, f)) > 0) {
        int complete = line[len - 1] == '\n';
        if (complete)
            line[--len] = '\0';
        if (first) {
            first = 0;
            if (!complete || strcmp(line, hdr) != 0) {
                soc_error_set(err, SOC_ECONFIG, file, 1, 0,
                              "its columns differ from this sweep's: it belongs to another "
                              "sweep (use another --out directory, or delete it)");
                dropped = -1;
                break;
            }
            continue;
        }
        size_t body;
        if (!complete || !row_valid(line, (size_t)len, &body)) {
            dropped++;
            continue;
        }
        int p = atoi(line);
        char *pre = p >= 0 && p < soc_sweep_n_points(s) ? soc_sweep_point_cells(s, p) : NULL;
        size_t pn = pre != NULL ? strlen(pre) : 0;
        if (pre == NULL || body <= pn || strncmp(line, pre, pn) != 0 || line[pn] != ',') {
            free(pre);
            soc_error_set(err, SOC_ECONFIG, file, 0, 0,
                          "its row of point %d does not match that point of this sweep: the "
                          "file belongs to another sweep (use another --out directory)",
                          p);
            dropped = -1;
            break;
        }
        free(pre);
        if (rows[p] != NULL)
            continue; /* a duplicate (merging overlapping shards) */
        soc__buf_t l = {0};
        soc__buf_put(&l, line, (size_t)len);
        soc__buf_putc(&l, '\n');
        if ((rows[p] = soc__buf_take(&l)) == NULL) {
            soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            dropped = -1;
            break;
        }
        (*n_rows)++;
    }
    if (hdr == NULL) {
        soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        dropped = -1;
    }
    free(hdr);
    free(line);
    fclose(f);
    return dropped;
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Write text to dir/name atomically (temporary file, fsync, rename). */
static int write_atomic(const char *dir, const char *name, const char *text, size_t n,
                        soc_error_t *err)
{
    char *final = soc__path_join(dir, name), tmpname[256];
    snprintf(tmpname, sizeof tmpname, ".%s.tmp", name);
    char *tmp = soc__path_join(dir, tmpname);
    int rc = SOC_EIO;
    FILE *f = tmp != NULL ? fopen(tmp, "wb") : NULL;
    if (f != NULL) {
        int bad = fwrite(text, 1, n, f) != n;
        bad |= fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
        bad |= fclose(f) != 0;
        if (!bad && rename(tmp, final) == 0) {
            fsync_dir(dir);
            rc = SOC_OK;
        } else {
            unlink(tmp);
        }
    }
    if (rc != SOC_OK)
        soc_error_set(err, SOC_EIO, final ? final : name, 0, 0, "cannot write: %s",
                      strerror(errno));
    free(final);
    free(tmp);
    return rc;
}

/* Header + the rows (in point order) to dir/results.csv atomically. */
static int write_sorted(const soc_sweep_t *s, const char *dir, char **rows, soc_error_t *err)
{
    soc__buf_t b = {0};
    char *h = soc_sweep_header(s);
    soc__buf_puts(&b, h != NULL ? h : "");
    soc__buf_putc(&b, '\n');
    free(h);
    for (int p = 0; p < soc_sweep_n_points(s); p++)
        if (rows[p] != NULL)
            soc__buf_puts(&b, rows[p]);
    int rc = h == NULL || b.oom ? soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory")
                                : write_atomic(dir, "results.csv", b.d, b.n, err);
    soc__buf_free(&b);
    return rc;
}

/* ---------------------------------------------------------- summaries */

void soc_summary_free(soc_summary_t *sm)
{
    if (sm == NULL)
        return;
    for (int g = 0; g < sm->n_groups; g++) {
        for (int k = 0; k < sm->n_keys; k++)
            free(sm->groups[g].keys[k]);
        free(sm->groups[g].keys);
        free(sm->groups[g].mean);
        free(sm->groups[g].ci95);
    }
    for (int k = 0; k < sm->n_keys; k++)
        free(sm->key_names[k]);
    free(sm->key_names);
    for (int m = 0; sm->metric_names != NULL && m < sm->n_metrics; m++)
        free(sm->metric_names[m]);
    free(sm->metric_names);
    free(sm->groups);
    free(sm);
}

static int parse_cell(const char *c, double *x)
{
    char *end;
    if (*c == '\0')
        return 0;
    *x = strtod(c, &end);
    return *end == '\0';
}

/* Split every row into cells and give it a group: rows with the same
 * cells at keep[0..nk) share one.  group[p] = -1 for a missing or
 * malformed row; first[g] is the first row of group g.  Returns the
 * group count, -1 when out of memory. */
static int group_rows(char **rows, int n, int nh, const int *keep, int nk, char ***cells,
                      char **stores, int *group, int *first)
{
    int ng = 0;
    for (int p = 0; p < n; p++) {
        group[p] = -1;
        if (rows[p] == NULL)
            continue;
        size_t L = strlen(rows[p]);
        char *tmp = soc__strndup(rows[p], L > 0 ? L - 1 : 0);
        if (tmp == NULL)
            return -1;
        int nc = soc__csv_split(tmp, &cells[p], &stores[p]);
        free(tmp);
        if (nc != nh)
            continue;
        int g;
        for (g = 0; g < ng; g++) {
            char **a = cells[first[g]], **b = cells[p];
            int same = 1;
            for (int q = 0; q < nk && same; q++)
                same = strcmp(a[1 + keep[q]], b[1 + keep[q]]) == 0;
            if (same)
                break;
        }
        if (g == ng)
            first[ng++] = p;
        group[p] = g;
    }
    return ng;
}

/* Group g of the summary: its key cells, run count, mean and CI per
 * metric.  SOC_OK or SOC_ENOMEM. */
static int fill_group(soc_summary_group_t *G, int g, char ***cells, const int *group, int n,
                      const int *keep, int nk, int nkey, int nm, const int *first, double *x)
{
    G->keys = calloc((size_t)(nk ? nk : 1), sizeof *G->keys);
    G->mean = malloc(sizeof *G->mean * (size_t)nm);
    G->ci95 = malloc(sizeof *G->ci95 * (size_t)nm);
    if (G->keys == NULL || G->mean == NULL || G->ci95 == NULL)
        return SOC_ENOMEM;
    for (int q = 0; q < nk; q++)
        if ((G->keys[q] = soc__strdup(cells[first[g]][1 + keep[q]])) == NULL)
            return SOC_ENOMEM;
    for (int p = 0; p < n; p++)
        G->runs += group[p] == g;
    for (int m = 0; m < nm; m++) {
        int cnt = 0;
        for (int p = 0; p < n; p++)
            if (group[p] == g && parse_cell(cells[p][1 + nkey + m], &x[cnt]))
                cnt++;
        G->mean[m] = G->ci95[m] = NAN;
        if (cnt > 0)
            soc_stats_mean_ci95(x, cnt, &G->mean[m], &G->ci95[m]);
    }
    return SOC_OK;
}

/* Group the rows by every identifying cell except seed and DS3 iteration;
 * mean and 95% CI of every metric per group. */
static int summarize(const soc_sweep_t *s, char **rows, soc_summary_t **out, soc_error_t *err)
{
    int nm = soc__sweep_n_metric_cols(s);
    int n = soc_sweep_n_points(s), rc = SOC_ENOMEM, n1 = n ? n : 1;
    char *hdr = soc_sweep_header(s);
    char **hcells = NULL, *hstore = NULL;
    int nh = hdr != NULL ? soc__csv_split(hdr, &hcells, &hstore) : -1;
    int nkey = nh - 2 - nm; /* cells between "point" and the metrics */
    int *group = malloc(sizeof(int) * (size_t)n1), *first = malloc(sizeof(int) * (size_t)n1);
    char ***cells = calloc((size_t)n1, sizeof *cells);
    char **stores = calloc((size_t)n1, sizeof *stores);
    double *x = malloc(sizeof *x * (size_t)n1);
    int *keep = malloc(sizeof *keep * (size_t)(nkey > 0 ? nkey : 1));
    soc_summary_t *sm = calloc(1, sizeof *sm);
    if (nh < 0 || nkey < 0 || group == NULL || first == NULL || cells == NULL ||
        stores == NULL || x == NULL || keep == NULL || sm == NULL)
        goto done;
    /* the key cells that identify a group: not the seed, not the iteration */
    int nk = soc__sweep_group_cells(s, keep);
    int ng = group_rows(rows, n, nh, keep, nk, cells, stores, group, first);
    if (ng < 0)
        goto done;
    sm->n_keys = nk;
    sm->n_metrics = nm;
    sm->key_names = calloc((size_t)(nk ? nk : 1), sizeof *sm->key_names);
    sm->groups = calloc((size_t)(ng ? ng : 1), sizeof *sm->groups);
    sm->metric_names = calloc((size_t)(nm ? nm : 1), sizeof *sm->metric_names);
    if (sm->key_names == NULL || sm->groups == NULL || sm->metric_names == NULL)
        goto done;
    for (int m = 0; m < nm; m++)
        if ((sm->metric_names[m] = soc__strdup(hcells[1 + nkey + m])) == NULL)
            goto done;
    for (int q = 0; q < nk; q++)
        if ((sm->key_names[q] = soc__strdup(hcells[1 + keep[q]])) == NULL)
            goto done;
    for (int g = 0; g < ng; g++) {
        sm->n_groups = g + 1;
        if (fill_group(&sm->groups[g], g, cells, group, n, keep, nk, nkey, nm, first, x) != SOC_OK)
            goto done;
    }
    rc = SOC_OK;
done:
    for (int p = 0; cells != NULL && p < n; p++) {
        free(cells[p]);
        free(stores[p]);
    }
    free(cells);
    free(stores);
    free(group);
    free(first);
    free(x);
    free(keep);
    free(hcells);
    free(hstore);
    free(hdr);
    if (rc != SOC_OK) {
        soc_summary_free(sm);
        return soc_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    *out = sm;
    return SOC_OK;
}

/* dir/summary.csv: the key cells, runs, then mean and ci95 per metric. */
static int write_summary(const soc_summary_t *sm, const char *dir, soc_error_t *err)
{
    soc__buf_t b = {0};
    char t[32];
    for (int q = 0; q < sm->n_keys; q++) {
        if (q)
            soc__buf_putc(&b, ',');
        soc__buf_csv(&b, sm->key_names[q]);
    }
    soc__buf_puts(&b, sm->n_keys ? ",runs" : "runs");
    for (int m = 0; m < sm->n_metrics; m++)
        for (int k = 0; k < 2; k++) {
            soc__buf_t c = {0};
            soc__buf_printf(&c, "%s_%s", sm->metric_names[m], k ? "ci95" : "mean");
            soc__buf_putc(&b, ',');
            soc__buf_csv(&b, soc__buf_cstr(&c));
            soc__buf_free(&c);
        }
    soc__buf_putc(&b, '\n');
    for (int g = 0; g < sm->n_groups; g++) {
        const soc_summary_group_t *G = &sm->groups[g];
        for (int q = 0; q < sm->n_keys; q++) {
            if (q)
                soc__buf_putc(&b, ',');
            soc__buf_csv(&b, G->keys[q]);
        }
        soc__buf_printf(&b, sm->n_keys ? ",%d" : "%d", G->runs);
        for (int m = 0; m < sm->n_metrics; m++) {
            soc__buf_printf(&b, ",%s", isnan(G->mean[m]) ? "" : soc__num(t, G->mean[m]));
            soc__buf_printf(&b, ",%s", isnan(G->ci95[m]) ? "" : soc__num(t, G->ci95[m]));
        }
        soc__buf_putc(&b, '\n');
    }
    int rc = b.oom ? soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory")
                   : write_atomic(dir, "summary.csv", b.d, b.n, err);
    soc__buf_free(&b);
    return rc;
}

/* results.csv sorted, summary computed and written. */
static int finish_dir(const soc_sweep_t *s, const char *dir, char **rows, soc_summary_t **sum,
                      soc_error_t *err)
{
    soc_summary_t *sm = NULL;
    int rc = write_sorted(s, dir, rows, err);
    if (rc == SOC_OK)
        rc = summarize(s, rows, &sm, err);
    if (rc == SOC_OK)
        rc = write_summary(sm, dir, err);
    if (rc == SOC_OK && sum != NULL) {
        *sum = sm;
        sm = NULL;
    }
    soc_summary_free(sm);
    return rc;
}

/* ------------------------------------------------------------- store */

static int mkdir_p(const char *dir)
{
    char *d = soc__strdup(dir);
    if (d == NULL)
        return -1;
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(d, 0777);
            *p = '/';
        }
    int rc = mkdir(d, 0777) == 0 || errno == EEXIST ? 0 : -1;
    free(d);
    return rc;
}

/* Lock dir/.lock: one sweep (or merge) per directory.  A POSIX record
 * lock: unlike flock, fork()ed workers do not inherit it, so workers
 * orphaned by a killed sweep never block its resumption. */
static int take_lock(const char *dir, int *fd, soc_error_t *err)
{
    char *lock = soc__path_join(dir, ".lock");
    if (lock == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    free(lock);
    if (*fd < 0)
        return soc_error_set(err, SOC_EIO, dir, 0, 0, "cannot write there: %s", strerror(errno));
    if (fcntl(*fd, F_SETLK, &fl) != 0)
        return soc_error_set(err, SOC_EIO, dir, 0, 0, "in use by another sweep");
    return SOC_OK;
}

void soc_results_close(soc_results_t *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0) {
        fdatasync(r->fd);
        close(r->fd);
    }
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    for (int p = 0; r->rows != NULL && p < soc_sweep_n_points(r->s); p++)
        free(r->rows[p]);
    free(r->rows);
    free(r->dir);
    free(r->path);
    free(r);
}

int soc_results_open(soc_results_t **out, const soc_sweep_t *s, const char *dir, int shard_i,
                     int shard_n, soc_error_t *err)
{
    *out = NULL;
    if (shard_n > 1 && (shard_i < 1 || shard_i > shard_n))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "shard %d/%d out of range", shard_i,
                             shard_n);
    soc_results_t *r = calloc(1, sizeof *r);
    if (r == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    r->s = s;
    r->fd = r->lock_fd = -1;
    r->shard_i = shard_i;
    r->shard_n = shard_n;
    int n = soc_sweep_n_points(s), rc = SOC_OK;
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        rc = soc_error_set(err, SOC_EIO, dir, 0, 0, "exists and is not a directory");
        goto fail;
    }
    if (mkdir_p(dir) != 0) {
        rc = soc_error_set(err, SOC_EIO, dir, 0, 0, "cannot create the directory: %s",
                           strerror(errno));
        goto fail;
    }
    r->dir = soc__strdup(dir);
    r->path = soc__path_join(dir, "results.csv");
    r->rows = calloc((size_t)(n ? n : 1), sizeof *r->rows);
    if (r->dir == NULL || r->path == NULL || r->rows == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    if ((rc = take_lock(dir, &r->lock_fd, err)) != SOC_OK)
        goto fail;
    /* strict: a sealed row of some other sweep means the directory holds
     * another study's results, which must not be silently dropped */
    int got = 0;
    r->dropped = results_read(s, r->path, r->rows, &got, err);
    if (r->dropped < 0) {
        rc = err != NULL && err->code ? err->code : SOC_ECONFIG;
        goto fail;
    }
    for (int p = 0; p < n; p++) {
        int u = unit_of_point(s, p);
        if (mine(shard_i, shard_n, u)) {
            r->n_mine++;
            r->n_done += r->rows[p] != NULL;
        } else if (r->rows[p] != NULL) {
            rc = soc_error_set(err, SOC_ECONFIG, r->path, 0, 0,
                               "holds rows of other shards (point %d); give each shard its own "
                               "--out directory",
                               p);
            goto fail;
        }
    }
    /* start from a clean file holding exactly the rows kept */
    if ((r->dropped > 0 || got == 0) && (rc = write_sorted(s, dir, r->rows, err)) != SOC_OK)
        goto fail;
    if ((r->fd = open(r->path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
        rc = soc_error_set(err, SOC_EIO, r->path, 0, 0, "cannot write: %s", strerror(errno));
        goto fail;
    }
    r->last_sync = mono();
    *out = r;
    return SOC_OK;
fail:
    soc_results_close(r);
    return rc;
}

int soc_results_dropped(const soc_results_t *r)
{
    return r->dropped;
}

int soc_results_n_mine(const soc_results_t *r)
{
    return r->n_mine;
}

int soc_results_n_done(const soc_results_t *r)
{
    return r->n_done;
}

int soc_results_todo(const soc_results_t *r, int **units, int *n)
{
    int nu = soc_sweep_n_units(r->s), k = 0;
    int *u = malloc(sizeof *u * (size_t)(nu ? nu : 1));
    if (u == NULL)
        return SOC_ENOMEM;
    for (int i = 0; i < nu; i++) {
        if (!mine(r->shard_i, r->shard_n, i))
            continue;
        int first, cnt, missing = 0;
        soc_sweep_unit(r->s, i, &first, &cnt);
        for (int p = first; p < first + cnt; p++)
            missing |= r->rows[p] == NULL;
        if (missing)
            u[k++] = i;
    }
    *units = u;
    *n = k;
    return SOC_OK;
}

int soc_results_add(soc_results_t *r, int unit, char *const *cells, soc_error_t *err)
{
    int first, cnt, rc = SOC_OK;
    soc_sweep_unit(r->s, unit, &first, &cnt);
    for (int i = 0; i < cnt && rc == SOC_OK; i++) {
        int p = first + i;
        if (r->rows[p] != NULL)
            continue; /* kept from an earlier attempt: the same bytes */
        char *pre = soc_sweep_point_cells(r->s, p);
        soc__buf_t body = {0};
        soc__buf_puts(&body, pre != NULL ? pre : "");
        soc__buf_puts(&body, cells[i] != NULL ? cells[i] : "");
        const char *b = soc__buf_cstr(&body);
        char *line = pre != NULL && b != NULL ? seal(b) : NULL;
        free(pre);
        soc__buf_free(&body);
        if (line == NULL) {
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        } else if (soc__write_all(r->fd, line, strlen(line)) != 0) {
            rc = soc_error_set(err, SOC_EIO, r->path, 0, 0, "write failed: %s", strerror(errno));
            free(line);
        } else {
            r->rows[p] = line;
            r->n_done++;
        }
    }
    double now = mono();
    if (now - r->last_sync > 0.2) {
        fdatasync(r->fd);
        r->last_sync = now;
    }
    return rc;
}

int soc_results_finish(soc_results_t *r, soc_summary_t **sum, soc_error_t *err)
{
    if (sum != NULL)
        *sum = NULL;
    if (r->n_done < r->n_mine)
        return soc_error_set(err, SOC_ESTATE, NULL, 0, 0, "%d of %d points have no result yet",
                             r->n_mine - r->n_done, r->n_mine);
    fdatasync(r->fd);
    return finish_dir(r->s, r->dir, r->rows, sum, err);
}

int soc_results_merge(const soc_sweep_t *s, const char *const *dirs, int n_dirs, const char *out,
                      int *missing, soc_summary_t **sum, soc_error_t *err)
{
    int n = soc_sweep_n_points(s), have = 0, rc = SOC_OK;
    char **rows = calloc((size_t)(n ? n : 1), sizeof *rows);
    if (sum != NULL)
        *sum = NULL;
    if (rows == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int d = 0; d < n_dirs && rc == SOC_OK; d++) {
        char *file = soc__path_join(dirs[d], "results.csv");
        struct stat st;
        if (file == NULL) {
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        } else if (stat(file, &st) != 0) {
            rc = soc_error_set(err, SOC_EIO, dirs[d], 0, 0,
                               "no results.csv there (has this shard run yet?)");
        } else {
            int got = 0;
            if (results_read(s, file, rows, &got, err) < 0)
                rc = err != NULL && err->code ? err->code : SOC_ECONFIG;
            have += got;
        }
        free(file);
    }
    if (rc == SOC_OK && mkdir_p(out) != 0)
        rc = soc_error_set(err, SOC_EIO, out, 0, 0, "cannot create the directory: %s",
                           strerror(errno));
    int lock_fd = -1;
    if (rc == SOC_OK)
        rc = take_lock(out, &lock_fd, err);
    if (rc == SOC_OK)
        rc = finish_dir(s, out, rows, sum, err);
    if (lock_fd >= 0)
        close(lock_fd);
    if (missing != NULL)
        *missing = n - have;
    for (int p = 0; p < n; p++)
        free(rows[p]);
    free(rows);
    return rc;
}

/* ------------------------------------------------- running a sweep */

typedef struct exec_ctx {
    soc_sweep_t *s;
    soc_results_t *r;
    const soc_sweep_exec_t *x;
    int failed;
    soc_error_t io;  /* the first write error */
} exec_ctx_t;

/* Worker side: the unit's metric cells, one point after another, joined
 * by tabs (cells never hold tabs or line breaks). */
static int exec_job(void *user, int unit, char **out, char *errbuf, size_t es)
{
    exec_ctx_t *c = user;
    char **cells = NULL;
    soc_error_t err = {0};
    if (soc_sweep_run_unit(c->s, unit, &cells, &err) != SOC_OK) {
        soc_error_format(&err, errbuf, es);
        return -1;
    }
    int first, n;
    soc_sweep_unit(c->s, unit, &first, &n);
    soc__buf_t b = {0};
    for (int i = 0; i < n; i++) {
        if (i)
            soc__buf_putc(&b, '\t');
        soc__buf_puts(&b, cells[i]);
        free(cells[i]);
    }
    free(cells);
    if ((*out = soc__buf_take(&b)) == NULL) {
        snprintf(errbuf, es, "out of memory");
        return -1;
    }
    return 0;
}

static void exec_done(void *user, int unit, const char *out, const char *error)
{
    exec_ctx_t *c = user;
    int first, n;
    soc_sweep_unit(c->s, unit, &first, &n);
    if (out == NULL) {
        c->failed += n;
        if (c->x != NULL && c->x->on_error != NULL)
            c->x->on_error(c->x->user, first, error);
    } else {
        char **cells = calloc((size_t)n, sizeof *cells);
        char *copy = soc__strdup(out), *cur = copy;
        int ok = cells != NULL && copy != NULL;
        for (int i = 0; ok && i < n; i++) {
            cells[i] = cur;
            char *tab = strchr(cur, '\t');
            if ((tab == NULL) != (i == n - 1))
                ok = 0;
            else if (tab != NULL) {
                *tab = '\0';
                cur = tab + 1;
            }
        }
        soc_error_t err = {0};
        if (!ok) {
            c->failed += n;
            if (c->x != NULL && c->x->on_error != NULL)
                c->x->on_error(c->x->user, first, "malformed answer from a worker");
        } else if (soc_results_add(c->r, unit, cells, &err) != SOC_OK) {
            c->failed += n;
            if (c->io.code == 0)
                c->io = err;
            if (c->x != NULL && c->x->on_error != NULL)
                c->x->on_error(c->x->user, first, err.msg);
        }
        free(cells);
        free(copy);
    }
    if (c->x != NULL && c->x->progress != NULL)
        c->x->progress(c->x->user, soc_results_n_done(c->r), soc_results_n_mine(c->r),
                       c->failed);
}

int soc_sweep_execute(soc_sweep_t *s, const char *dir, const soc_sweep_exec_t *x,
                      soc_summary_t **sum, soc_error_t *err)
{
    if (sum != NULL)
        *sum = NULL;
    int shard_i = x != NULL ? x->shard_i : 0, shard_n = x != NULL ? x->shard_n : 0;
    soc_results_t *r = NULL;
    int rc = soc_results_open(&r, s, dir, shard_i, shard_n, err);
    if (rc != SOC_OK)
        return rc;
    int *todo = NULL, n_todo = 0;
    if (soc_results_todo(r, &todo, &n_todo) != SOC_OK) {
        soc_results_close(r);
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int workers = x != NULL && x->workers > 0 ? x->workers : soc_ncpus();
    if (workers > n_todo)
        workers = n_todo > 0 ? n_todo : 1;
    if (x != NULL && x->on_start != NULL)
        x->on_start(x->user, soc_results_n_mine(r), soc_results_n_done(r),
                    soc_results_n_mine(r) - soc_results_n_done(r), workers,
                    soc_results_dropped(r));
    exec_ctx_t c = {s, r, x, 0, {0}};
    if (n_todo > 0 && soc_pool_run(workers, todo, n_todo, exec_job, exec_done, &c) != 0)
        rc = soc_error_set(err, SOC_EIO, NULL, 0, 0, "cannot start worker processes: %s",
                           strerror(errno));
    free(todo);
    if (rc == SOC_OK && c.io.code != 0) {
        if (err != NULL)
            *err = c.io;
        rc = c.io.code;
    }
    if (rc == SOC_OK) {
        if (soc_results_n_done(r) == soc_results_n_mine(r))
            rc = soc_results_finish(r, sum, err);
        else
            rc = soc_error_set(err, SOC_ESTATE, NULL, 0, 0,
                               "%d of %d points failed; run the command again to retry them",
                               soc_results_n_mine(r) - soc_results_n_done(r),
                               soc_results_n_mine(r));
    }
    soc_results_close(r);
    return rc;
}
