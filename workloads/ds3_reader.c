/*
 * ds3_reader.c -- DS3's input files (config_file.ini, config_SoC/SoC.*.txt,
 * config_Jobs/job_*.txt) read exactly as DS3 reads them, into a
 * soc_config_t in DS3 semantics.
 *
 * DS3's rules that matter (shared/spec/ds3.md §1 and §11-A1/B1-B3):
 *  - SoC and job files: each line is stripped of spaces/CR/LF at both ends
 *    and split on single spaces; a line is skipped when it is empty or its
 *    first token contains '#'.  Tokens are positional (the keyword words of
 *    add_new_resource are not checked, so `resoruce_type` is fine).
 *  - A functionality listed twice on a resource: the FIRST line counts.
 *  - comm_band starts at 1 for every PE pair and is reset by every
 *    add_new_resource; `comm_band a b v` sets every PE pair of clusters a
 *    and b (both ways), the same PE getting comm_band_self (default 1); it
 *    is ignored unless a and b are below the number of PEs defined so far.
 *  - The memory DS3 uses in shared-memory mode is the LAST resource.
 *  - Job files: HEAD/TAIL/earliest_start lines apply to the last task
 *    defined; the earliest_start line of the N-th task ends the task list;
 *    comm_vol volumes are integers; missing volumes are 0.
 *  - config_file.ini: Python configparser ([DEFAULT] keys are seen by every
 *    section, keys are case-insensitive, no inline comments); scale_values
 *    `a-b-c` (range), comma lists, or a Python list.
 * Where DS3 would crash or misbehave on a malformed file, this reader stops
 * with `file:line: message` (SOC_EPARSE), or SOC_EIO for missing files.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/ds3.h"
#include "soc/workload.h"
#include "soc_util.h"

/* Limits that keep absurd input from exhausting memory. */
#define DS3_MAX_TOKENS 4096
#define DS3_MAX_TASKS 100000
#define DS3_MAX_PES 65536
#define DS3_MAX_LIST 1000000

/* ------------------------------------------------------------- helpers */

/* Room for element n of the doubling array *arrp (an array pointer, passed
 * by address) of *cap elements of size bytes, first allocating `first`.
 * Returns 0, or -1 when out of memory (the array is kept). */
static int grow(void *arrp, int n, int *cap, size_t size, int first)
{
    if (n < *cap)
        return 0;
    int nc = *cap ? 2 * *cap : first;
    void *old, *na;
    memcpy(&old, arrp, sizeof old);
    if ((na = realloc(old, size * (size_t)nc)) == NULL)
        return -1;
    memcpy(arrp, &na, sizeof na);
    *cap = nc;
    return 0;
}

/* DS3's text files are small; the cap keeps /dev/zero or a huge file from
 * tying the reader up (the same limit as the YAML loader's). */
#define DS3_MAX_FILE_BYTES ((size_t)64 << 20)

/* "dir of ini" + "/" + sub + "/" + name */
static char *join3(const char *dir, const char *sub, const char *name)
{
    size_t n = strlen(dir) + strlen(sub) + strlen(name) + 3;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s%s%s%s%s", dir, dir[0] ? "/" : "", sub, sub[0] ? "/" : "", name);
    return p;
}

/* Parse a whole string as a Python-style int (optional sign, digits). */
static int parse_i64(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return -1;
    uint64_t v = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_C(9223372036854775807) - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* Parse a whole string as a finite number (Python float()). */
static int parse_num(const char *s, double *out)
{
    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v) || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* ------------------------------------------------- tokenised text lines */

typedef struct tline {
    int line;
    int n;
    char **tok;
} tline_t;

typedef struct tfile {
    const char *path;
    char *text;
    tline_t *lines;
    int n_lines;
    char **tokbuf;
} tfile_t;

static void tfile_free(tfile_t *f)
{
    free(f->text);
    free(f->lines);
    free(f->tokbuf);
    memset(f, 0, sizeof *f);
}

/* Read a DS3 text file and split it the way DS3 does:
 * line.strip("\n\r ").split(" "), skipping empty lines and lines whose
 * first token contains '#'.  Tokens may be empty (two spaces in a row):
 * the users of a token reject that. */
static int tfile_read(tfile_t *f, const char *path, soc_error_t *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    size_t len;
    int rc = soc__read_file(path, DS3_MAX_FILE_BYTES, 1, &f->text, &len, err);
    if (rc != SOC_OK)
        return rc;
    if (memchr(f->text, '\0', len) != NULL)
        return soc_error_set(err, SOC_EPARSE, path, 0, 0, "not a text file (NUL byte)");
    size_t n_nl = 1, n_sp = 0;
    for (size_t i = 0; i < len; i++) {
        n_nl += f->text[i] == '\n';
        n_sp += f->text[i] == ' ';
    }
    f->lines = calloc(n_nl, sizeof *f->lines);
    f->tokbuf = malloc(sizeof(char *) * (n_sp + n_nl + 1));
    if (f->lines == NULL || f->tokbuf == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    char *p = f->text, **tb = f->tokbuf;
    int lineno = 0;
    while (*p != '\0' || lineno == 0) {
        lineno++;
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        if (eol != NULL)
            *eol = '\0';
        /* strip "\n\r " at both ends */
        char *s = p, *e = p + strlen(p);
        while (*s == ' ' || *s == '\r')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\r'))
            e--;
        *e = '\0';
        int blank = 1;
        for (char *q = s; *q; q++)
            if (!isspace((unsigned char)*q))
                blank = 0;
        if (!blank) {
            tline_t *tl = &f->lines[f->n_lines];
            tl->line = lineno;
            tl->tok = tb;
            char *q = s;
            for (;;) {
                char *sp = strchr(q, ' ');
                *tb++ = q;
                tl->n++;
                if (sp == NULL)
                    break;
                *sp = '\0';
                q = sp + 1;
            }
            if (strchr(tl->tok[0], '#') == NULL) {
                f->n_lines++;
            } else {
                tb = tl->tok; /* a comment: give its tokens back */
                tl->n = 0;
            }
        }
        p = next;
        if (eol == NULL)
            break;
    }
    return SOC_OK;
}

#define PERR(tl, ...) soc_error_set(err, SOC_EPARSE, f->path, (tl)->line, 0, __VA_ARGS__)

/* Token i of a line as a non-empty string, or an error. */
static int tok_str(const tfile_t *f, const tline_t *tl, int i, const char *what,
                   const char **out, soc_error_t *err)
{
    if (i >= tl->n)
        return PERR(tl, "missing %s (field %d)", what, i + 1);
    if (tl->tok[i][0] == '\0')
        return PERR(tl, "empty %s (field %d): fields must be separated by exactly one space",
                    what, i + 1);
    *out = tl->tok[i];
    return SOC_OK;
}

static int tok_i64(const tfile_t *f, const tline_t *tl, int i, const char *what,
                   int64_t lo, int64_t hi, int64_t *out, soc_error_t *err)
{
    const char *s = "";
    int rc = tok_str(f, tl, i, what, &s, err);
    if (rc != SOC_OK)
        return rc;
    if (parse_i64(s, out) != 0)
        return PERR(tl, "%s must be an integer, not '%s'", what, s);
    if (*out < lo || *out > hi)
        return PERR(tl, "%s %lld is out of range %lld..%lld", what, (long long)*out,
                    (long long)lo, (long long)hi);
    return SOC_OK;
}

static int tok_num(const tfile_t *f, const tline_t *tl, int i, const char *what, double *out,
                   soc_error_t *err)
{
    const char *s = "";
    int rc = tok_str(f, tl, i, what, &s, err);
    if (rc != SOC_OK)
        return rc;
    if (parse_num(s, out) != 0)
        return PERR(tl, "%s must be a number, not '%s'", what, s);
    return SOC_OK;
}

/* ---------------------------------------------------------- task types */

typedef struct names {
    char **v;
    int n, cap;
} names_t;

static int names_find(const names_t *nm, const char *s)
{
    for (int i = 0; i < nm->n; i++)
        if (strcmp(nm->v[i], s) == 0)
            return i;
    return -1;
}

/* Index of s, added if new; -1 on ENOMEM. */
static int names_add(names_t *nm, const char *s)
{
    int i = names_find(nm, s);
    if (i >= 0)
        return i;
    if (grow(&nm->v, nm->n, &nm->cap, sizeof *nm->v, 64) != 0 ||
        (nm->v[nm->n] = soc__strdup(s)) == NULL)
        return -1;
    return nm->n++;
}

static void names_free(names_t *nm)
{
    for (int i = 0; i < nm->n; i++)
        free(nm->v[i]);
    free(nm->v);
    memset(nm, 0, sizeof *nm);
}

/* ------------------------------------------------------------- SoC file */

typedef struct rfunc {
    int type;
    double us;
} rfunc_t;

typedef struct rres {
    int line;
    char *type, *name, *dvfs;
    int count, n_func_decl;
    rfunc_t *func;  /* in file order (duplicates kept) */
    int n_func;
    soc_cluster_power_t *pw;
} rres_t;

typedef struct soc_parse {
    rres_t *res;
    int n_res, cap_res;
    int n_pes;
    double *bw;        /* [n_res * n_res], 0 = not given */
    double *self;      /* [n_res] comm_band_self used on the PE diagonal, 0 = not covered */
    int *self_line;
    char self_text[64];
    int self_text_line;
} soc_parse_t;

static void soc_parse_free(soc_parse_t *sp)
{
    for (int i = 0; i < sp->n_res; i++) {
        rres_t *r = &sp->res[i];
        free(r->type);
        free(r->name);
        free(r->dvfs);
        free(r->func);
        if (r->pw != NULL) {
            free(r->pw->governor);
            free(r->pw->opps);
            free(r->pw->trip_freq_mhz);
            free(r->pw->dtpm_trip_freq_mhz);
            for (int k = 0; k < r->pw->n_profiles; k++)
                free(r->pw->profiles[k].watts);
            free(r->pw->profiles);
            for (int k = 0; k < r->pw->n_pg_profiles; k++)
                free(r->pw->pg_profiles[k].watts);
            free(r->pw->pg_profiles);
            free(r->pw);
        }
    }
    free(sp->res);
    free(sp->bw);
    free(sp->self);
    free(sp->self_line);
    memset(sp, 0, sizeof *sp);
}

static int num_list(const tfile_t *f, const tline_t *tl, int from, const char *what,
                    double **out, int *n, soc_error_t *err)
{
    int k = tl->n - from;
    free(*out);
    *out = NULL;
    *n = 0;
    if (k <= 0)
        return SOC_OK;
    *out = malloc(sizeof(double) * (size_t)k);
    if (*out == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < k; i++) {
        int rc = tok_num(f, tl, from + i, what, &(*out)[i], err);
        if (rc != SOC_OK)
            return rc;
    }
    *n = k;
    return SOC_OK;
}

static int profile_line(const tfile_t *f, const tline_t *tl, rres_t *r, int pg, soc_error_t *err)
{
    soc_cluster_power_t *pw = r->pw;
    soc_power_row_t **rows = pg ? &pw->pg_profiles : &pw->profiles;
    int *nrows = pg ? &pw->n_pg_profiles : &pw->n_profiles;
    const char *what = pg ? "PG_profile" : "power_profile";
    if (tl->n - 2 < r->count)
        return PERR(tl, "%s needs a frequency and %d power values (one per core)", what,
                    r->count);
    soc_power_row_t *nr = realloc(*rows, sizeof *nr * (size_t)(*nrows + 1));
    if (nr == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    *rows = nr;
    soc_power_row_t *row = &nr[*nrows];
    row->watts = malloc(sizeof(double) * (size_t)r->count);
    if (row->watts == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    (*nrows)++;
    int rc = tok_num(f, tl, 1, "frequency", &row->freq_mhz, err);
    for (int i = 0; rc == SOC_OK && i < r->count; i++)
        rc = tok_num(f, tl, 2 + i, "power value", &row->watts[i], err);
    return rc;
}

static int opp_cmp(const void *a, const void *b)
{
    const soc_opp_t *x = a, *y = b;
    if (x->freq_mhz != y->freq_mhz)
        return x->freq_mhz < y->freq_mhz ? -1 : 1;
    return (x->volt_mv > y->volt_mv) - (x->volt_mv < y->volt_mv);
}

/* One comm_band line (DS3's PE-pair writes, at the cluster level). */
static int comm_band_line(const tfile_t *f, const tline_t *tl, soc_parse_t *sp, soc_error_t *err)
{
    int64_t a, b;
    double v;
    int rc;
    if ((rc = tok_i64(f, tl, 1, "source resource ID", 0, INT32_MAX, &a, err)) != SOC_OK ||
        (rc = tok_i64(f, tl, 2, "destination resource ID", 0, INT32_MAX, &b, err)) != SOC_OK ||
        (rc = tok_num(f, tl, 3, "bandwidth", &v, err)) != SOC_OK)
        return rc;
    if (v < 0)
        return PERR(tl, "bandwidth must not be negative");
    /* DS3 compares the cluster IDs with the number of PEs (sic) */
    if (a >= sp->n_pes || b >= sp->n_pes || a >= sp->n_res || b >= sp->n_res)
        return SOC_OK;
    int n = sp->n_res;
    sp->bw[a * n + b] = v;
    sp->bw[b * n + a] = v;
    if (a == b) {
        double s;
        if (parse_num(sp->self_text, &s) != 0 || s <= 0)
            return soc_error_set(err, SOC_EPARSE, f->path,
                                 sp->self_text_line ? sp->self_text_line : tl->line, 0,
                                 "comm_band_self '%s' is not a positive number", sp->self_text);
        sp->self[a] = s;
        sp->self_line[a] = tl->line;
    }
    return SOC_OK;
}

/* An add_new_resource line: a new resource, whose functionality lines
 * follow (*cur).  DS3 re-creates comm_band (all ones) at every resource. */
static int add_resource(const tfile_t *f, const tline_t *tl, soc_parse_t *sp, rres_t **cur,
                        const soc_warn_sink_t *warn, soc_error_t *err)
{
    if (*cur != NULL)
        return soc_error_set(err, SOC_EPARSE, f->path, tl->line, 0,
                             "resource '%s' (line %d) declares %d functionalities but "
                             "lists %d", (*cur)->name, (*cur)->line, (*cur)->n_func_decl,
                             (*cur)->n_func);
    if (tl->n < 13)
        return PERR(tl, "add_new_resource needs 13 fields: add_new_resource resource_type "
                        "T resource_name N resource_ID I capacity C "
                        "num_supported_functionalities F DVFS_mode M");
    const char *ty = NULL, *nm = NULL, *dv = NULL;
    int64_t id, cap, nf;
    int rc;
    if ((rc = tok_str(f, tl, 2, "resource type", &ty, err)) != SOC_OK ||
        (rc = tok_str(f, tl, 4, "resource name", &nm, err)) != SOC_OK ||
        (rc = tok_i64(f, tl, 6, "resource ID", INT32_MIN, INT32_MAX, &id, err)) != SOC_OK ||
        (rc = tok_i64(f, tl, 8, "capacity", INT32_MIN, INT32_MAX, &cap, err)) != SOC_OK ||
        (rc = tok_i64(f, tl, 10, "number of functionalities", 1, 100000, &nf, err)) != SOC_OK ||
        (rc = tok_str(f, tl, 12, "DVFS mode", &dv, err)) != SOC_OK)
        return rc;
    if (id != sp->n_res)
        return PERR(tl, "resource_ID %lld: DS3 needs the resources numbered 0, 1, 2... "
                        "in file order (expected %d)", (long long)id, sp->n_res);
    if (cap < 1) {
        /* DS3: a capacity that is not > 1 is 1 */
        soc_warn(warn, f->path, tl->line, 0,
                 "resource '%s': capacity %lld is read as 1 (as DS3 does)", nm, (long long)cap);
        cap = 1;
    }
    if (sp->n_pes + cap > DS3_MAX_PES)
        return PERR(tl, "too many PEs (limit %d)", DS3_MAX_PES);
    if (grow(&sp->res, sp->n_res, &sp->cap_res, sizeof *sp->res, 8) != 0)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    rres_t *r = *cur = &sp->res[sp->n_res++];
    memset(r, 0, sizeof *r);
    r->line = tl->line;
    r->count = (int)cap;
    r->n_func_decl = (int)nf;
    r->type = soc__strdup(ty);
    r->name = soc__strdup(nm);
    r->dvfs = soc__strdup(dv);
    r->func = malloc(sizeof *r->func * (size_t)nf);
    r->pw = calloc(1, sizeof *r->pw);
    if (!r->type || !r->name || !r->dvfs || !r->func || !r->pw ||
        !(r->pw->governor = soc__strdup(dv)))
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    sp->n_pes += (int)cap;
    int n = sp->n_res;
    free(sp->bw);
    free(sp->self);
    free(sp->self_line);
    sp->bw = calloc((size_t)n * (size_t)n, sizeof *sp->bw);
    sp->self = calloc((size_t)n, sizeof *sp->self);
    sp->self_line = calloc((size_t)n, sizeof *sp->self_line);
    if (!sp->bw || !sp->self || !sp->self_line)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    return SOC_OK;
}

/* A functionality line "<task type> <µs>" of resource *cur; the last one
 * declared closes the resource (*cur = NULL). */
static int functionality_line(const tfile_t *f, const tline_t *tl, names_t *types, rres_t **cur,
                              soc_error_t *err)
{
    const char *kw = tl->tok[0];
    double us;
    int rc;
    if ((rc = tok_num(f, tl, 1, "execution time", &us, err)) != SOC_OK)
        return rc;
    if (us < 0)
        return PERR(tl, "execution time of '%s' must not be negative", kw);
    /* DS3's placeholder functionality of memories and caches:
     * a type only if some job names a task "None" (build_apps) */
    int ty = strcmp(kw, "None") == 0 ? -2 : names_add(types, kw);
    if (ty == -1)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    rres_t *r = *cur;
    r->func[r->n_func].type = ty;
    r->func[r->n_func].us = us;
    if (++r->n_func == r->n_func_decl)
        *cur = NULL;
    return SOC_OK;
}

/* A line inside a resource: power data (opp, trip frequencies, profiles),
 * NoC data (ignored) or a functionality. */
static int resource_line(const tfile_t *f, const tline_t *tl, names_t *types, rres_t **cur,
                         soc_error_t *err)
{
    const char *kw = tl->tok[0];
    soc_cluster_power_t *pw = (*cur)->pw;
    int rc;
    if (strcmp(kw, "opp") == 0) {
        soc_opp_t o;
        if ((rc = tok_num(f, tl, 1, "OPP frequency", &o.freq_mhz, err)) != SOC_OK ||
            (rc = tok_num(f, tl, 2, "OPP voltage", &o.volt_mv, err)) != SOC_OK)
            return rc;
        soc_opp_t *no = realloc(pw->opps, sizeof *no * (size_t)(pw->n_opps + 1));
        if (no == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        pw->opps = no;
        pw->opps[pw->n_opps++] = o;
        return SOC_OK;
    }
    if (strcmp(kw, "trip_freq") == 0)
        return num_list(f, tl, 1, "trip frequency", &pw->trip_freq_mhz, &pw->n_trip, err);
    if (strcmp(kw, "DTPM_trip_freq") == 0)
        return num_list(f, tl, 1, "DTPM trip frequency", &pw->dtpm_trip_freq_mhz,
                        &pw->n_dtpm_trip, err);
    if (strcmp(kw, "power_profile") == 0)
        return profile_line(f, tl, *cur, 0, err);
    if (strcmp(kw, "PG_profile") == 0)
        return profile_line(f, tl, *cur, 1, err);
    if (strcmp(kw, "mesh_information") == 0)
        return SOC_OK; /* NoC floorplan data: stored by DS3, used by nothing */
    return functionality_line(f, tl, types, cur, err);
}

static int parse_soc(const char *path, names_t *types, soc_parse_t *sp,
                     const soc_warn_sink_t *warn, soc_error_t *err)
{
    tfile_t tf, *f = &tf;
    int rc = tfile_read(f, path, err);
    memset(sp, 0, sizeof *sp);
    snprintf(sp->self_text, sizeof sp->self_text, "1");
    rres_t *cur = NULL; /* resource whose functionality lines are being read */
    for (int li = 0; rc == SOC_OK && li < f->n_lines; li++) {
        const tline_t *tl = &f->lines[li];
        const char *kw = tl->tok[0];
        if (strcmp(kw, "add_new_resource") == 0) {
            rc = add_resource(f, tl, sp, &cur, warn, err);
        } else if (cur != NULL) {
            rc = resource_line(f, tl, types, &cur, err);
        } else if (strcmp(kw, "comm_band_self") == 0) {
            const char *s = NULL;
            if ((rc = tok_str(f, tl, 1, "bandwidth", &s, err)) != SOC_OK)
                break;
            snprintf(sp->self_text, sizeof sp->self_text, "%s", s);
            sp->self_text_line = tl->line;
        } else if (strcmp(kw, "comm_band") == 0) {
            rc = comm_band_line(f, tl, sp, err);
        } else {
            rc = PERR(tl, "unknown keyword '%s' (expected add_new_resource, comm_band_self "
                          "or comm_band)", kw);
        }
    }
    if (rc == SOC_OK && cur != NULL)
        rc = soc_error_set(err, SOC_EPARSE, path, cur->line, 0,
                           "resource '%s' declares %d functionalities but the file ends after %d",
                           cur->name, cur->n_func_decl, cur->n_func);
    if (rc == SOC_OK && sp->n_res == 0)
        rc = soc_error_set(err, SOC_EPARSE, path, 0, 0, "no add_new_resource line");
    for (int i = 0; rc == SOC_OK && i < sp->n_res; i++)
        if (sp->res[i].pw->n_opps > 1)
            qsort(sp->res[i].pw->opps, (size_t)sp->res[i].pw->n_opps, sizeof(soc_opp_t), opp_cmp);
    tfile_free(f);
    return rc;
}

/* ------------------------------------------------------------- job file */

typedef struct rtask {
    char *name;
    int line;
    int *pred;
    int n_pred;
} rtask_t;

typedef struct rjob {
    char *name;
    int n_decl;
    rtask_t *tasks;
    int n_tasks;
    int head, tail;
    double *vol;   /* [n_decl * n_decl] */
} rjob_t;

static void rjob_free(rjob_t *j)
{
    for (int i = 0; i < j->n_tasks; i++) {
        free(j->tasks[i].name);
        free(j->tasks[i].pred);
    }
    free(j->tasks);
    free(j->vol);
    free(j->name);
    memset(j, 0, sizeof *j);
}

/* A line before the task list: job_name, add_new_tasks (opens the task
 * list: *task_mode = 1) or comm_vol. */
static int job_header_line(const tfile_t *f, const tline_t *tl, rjob_t *j, int *task_mode,
                           soc_error_t *err)
{
    const char *kw = tl->tok[0];
    int rc;
    if (strcmp(kw, "job_name") == 0) {
        const char *nm = NULL;
        if ((rc = tok_str(f, tl, 1, "job name", &nm, err)) != SOC_OK)
            return rc;
        if (j->name != NULL)
            return PERR(tl, "a second job_name in one file (DS3 would rename the first "
                            "application, not add one): one application per job file");
        if ((j->name = soc__strdup(nm)) == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        return SOC_OK;
    }
    if (strcmp(kw, "add_new_tasks") == 0) {
        int64_t n;
        if (j->name == NULL)
            return PERR(tl, "add_new_tasks before job_name");
        if (j->tasks != NULL)
            return PERR(tl, "a second add_new_tasks in one file");
        if ((rc = tok_i64(f, tl, 1, "number of tasks", 1, DS3_MAX_TASKS, &n, err)) != SOC_OK)
            return rc;
        j->n_decl = (int)n;
        j->tasks = calloc((size_t)n, sizeof *j->tasks);
        j->vol = calloc((size_t)n * (size_t)n, sizeof *j->vol);
        if (j->tasks == NULL || j->vol == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        *task_mode = 1;
        return SOC_OK;
    }
    if (strcmp(kw, "comm_vol") == 0) {
        int64_t s, d, v;
        if (j->tasks == NULL)
            return PERR(tl, "comm_vol before add_new_tasks");
        int64_t hi = j->n_decl - 1;
        if ((rc = tok_i64(f, tl, 1, "source task ID", 0, hi, &s, err)) != SOC_OK ||
            (rc = tok_i64(f, tl, 2, "destination task ID", 0, hi, &d, err)) != SOC_OK ||
            (rc = tok_i64(f, tl, 3, "volume (an integer, as DS3 reads it)", 0, INT64_C(1) << 50,
                          &v, err)) != SOC_OK)
            return rc;
        j->vol[s * j->n_decl + d] = (double)v;
        return SOC_OK;
    }
    return PERR(tl, "unknown keyword '%s' (expected job_name, add_new_tasks or comm_vol)", kw);
}

/* A task line "<name> <ID> <predecessor IDs...>". */
static int job_task(const tfile_t *f, const tline_t *tl, rjob_t *j, soc_error_t *err)
{
    int64_t id;
    int rc;
    if ((rc = tok_i64(f, tl, 1, "task ID", 0, INT32_MAX, &id, err)) != SOC_OK)
        return rc;
    if (id >= j->n_decl)
        return PERR(tl, "task ID %lld but add_new_tasks declared %d tasks", (long long)id,
                    j->n_decl);
    if (id != j->n_tasks)
        return PERR(tl, "task ID %lld out of order: DS3 needs IDs 0..%d in file "
                        "order (expected %d)", (long long)id, j->n_decl - 1, j->n_tasks);
    rtask_t *t = &j->tasks[j->n_tasks];
    t->line = tl->line;
    t->name = soc__strdup(tl->tok[0]);
    t->pred = malloc(sizeof(int) * (size_t)(tl->n > 2 ? tl->n - 2 : 1));
    if (t->name == NULL || t->pred == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    j->n_tasks++;
    for (int i = 2; i < tl->n; i++) {
        int64_t p;
        if ((rc = tok_i64(f, tl, i, "predecessor ID", 0, j->n_decl - 1, &p, err)) != SOC_OK)
            return rc;
        if (p == id)
            return PERR(tl, "task %lld lists itself as a predecessor", (long long)id);
        for (int k = 0; k < t->n_pred; k++)
            if (t->pred[k] == p)
                return PERR(tl, "predecessor %lld is listed twice", (long long)p);
        t->pred[t->n_pred++] = (int)p;
    }
    return SOC_OK;
}

/* A line of the task list: the second field decides (HEAD/TAIL marks,
 * earliest_start closes a task and, after the last, the list). */
static int job_task_line(const tfile_t *f, const tline_t *tl, rjob_t *j, int *task_mode,
                         soc_error_t *err)
{
    const char *second = NULL;
    int rc;
    if ((rc = tok_str(f, tl, 1, "task ID or keyword", &second, err)) != SOC_OK)
        return rc;
    if (strcmp(second, "HEAD") == 0 || strcmp(second, "TAIL") == 0) {
        int head = second[0] == 'H';
        if (j->n_tasks == 0)
            return PERR(tl, "%s before the first task", second);
        int *slot = head ? &j->head : &j->tail;
        if (*slot >= 0 && *slot != j->n_tasks - 1)
            return PERR(tl, "a second %s task (task %d is already the %s)", second, *slot,
                        head ? "head" : "tail");
        *slot = j->n_tasks - 1;
        return SOC_OK;
    }
    if (strcmp(second, "earliest_start") == 0) {
        if (j->n_tasks == 0)
            return PERR(tl, "earliest_start before the first task");
        /* earliest_start, deadline, input_vol, output_vol: parsed by DS3
         * but never used; the volumes must still be numbers */
        for (int i = 3; i + 1 < tl->n && i <= 7; i += 2) {
            double x;
            if ((rc = tok_num(f, tl, i + 1, tl->tok[i], &x, err)) != SOC_OK)
                return rc;
        }
        if (j->n_tasks == j->n_decl)
            *task_mode = 0;
        return SOC_OK;
    }
    return job_task(f, tl, j, err);
}

static int parse_job(const char *path, rjob_t *j, soc_error_t *err)
{
    tfile_t tf, *f = &tf;
    memset(j, 0, sizeof *j);
    j->head = j->tail = -1;
    int rc = tfile_read(f, path, err);
    int task_mode = 0;
    for (int li = 0; rc == SOC_OK && li < f->n_lines; li++) {
        const tline_t *tl = &f->lines[li];
        rc = task_mode ? job_task_line(f, tl, j, &task_mode, err)
                       : job_header_line(f, tl, j, &task_mode, err);
    }
    if (rc == SOC_OK && j->name == NULL)
        rc = soc_error_set(err, SOC_EPARSE, path, 0, 0, "no job_name line");
    else if (rc == SOC_OK && j->tasks == NULL)
        rc = soc_error_set(err, SOC_EPARSE, path, 0, 0, "no add_new_tasks line");
    else if (rc == SOC_OK && task_mode)
        rc = soc_error_set(err, SOC_EPARSE, path, 0, 0,
                           "the task list is not closed: DS3 needs all %d tasks and an "
                           "'earliest_start' line after the last one (found %d tasks)",
                           j->n_decl, j->n_tasks);
    tfile_free(f);
    return rc;
}

/* -------------------------------------------------------- ini (configparser) */

typedef struct ini_ent {
    char *section;
    char *key;    /* lower case */
    char *value;  /* stripped; continuation lines joined with '\n' */
    int line;
} ini_ent_t;

typedef struct ini {
    const char *path;
    ini_ent_t *e;
    int n, cap;
} ini_t;

static void ini_free(ini_t *ini)
{
    for (int i = 0; i < ini->n; i++) {
        free(ini->e[i].section);
        free(ini->e[i].key);
        free(ini->e[i].value);
    }
    free(ini->e);
    memset(ini, 0, sizeof *ini);
}

static char *strip_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return soc__strndup(s, n);
}

static int same_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* Next comma-separated field of *cursor (modified in place), NULL at the
 * end. */
static char *next_field(char **cursor)
{
    char *s = *cursor;
    if (s == NULL)
        return NULL;
    char *c = strchr(s, ',');
    if (c != NULL) {
        *c = '\0';
        *cursor = c + 1;
    } else {
        *cursor = NULL;
    }
    return s;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static int ini_add(ini_t *ini, const char *section, const char *key, const char *value, int line)
{
    if (grow(&ini->e, ini->n, &ini->cap, sizeof *ini->e, 64) != 0)
        return SOC_ENOMEM;
    ini_ent_t *x = &ini->e[ini->n];
    x->section = soc__strdup(section);
    x->key = soc__strdup(key);
    x->value = soc__strdup(value);
    x->line = line;
    if (!x->section || !x->key || !x->value) {
        free(x->section);
        free(x->key);
        free(x->value);
        return SOC_ENOMEM;
    }
    lower(x->key);
    ini->n++;
    return SOC_OK;
}

/* The state of ini_read between lines.  section and seen_sections are
 * owned by it (freed at the end of the file); entries go to ini. */
typedef struct ini_reader {
    ini_t *ini;
    const char *path;
    char *section;        /* the current [section], NULL before the first */
    char **seen_sections; /* every header met, to refuse repeats */
    int n_seen;
    int last;             /* entry that continuation lines extend */
    int cur_indent;
    soc_error_t *err;
} ini_reader_t;

static int ini_oom(ini_reader_t *R)
{
    return soc_error_set(R->err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* An indented line continues the value of the last entry (s: its text,
 * sl bytes, stripped). */
static int ini_continue(ini_reader_t *R, const char *s, size_t sl)
{
    ini_ent_t *x = &R->ini->e[R->last];
    size_t ol = strlen(x->value);
    char *nv = realloc(x->value, ol + sl + 2);
    if (nv == NULL)
        return ini_oom(R);
    nv[ol] = '\n';
    memcpy(nv + ol + 1, s, sl + 1);
    x->value = nv;
    return SOC_OK;
}

/* A [section] header (s: "[...]", sl bytes); a section other than DEFAULT
 * may appear once. */
static int ini_section(ini_reader_t *R, const char *s, size_t sl, int lineno)
{
    int rc = SOC_OK;
    free(R->section);
    R->section = soc__strndup(s + 1, sl - 2);
    R->last = -1;
    if (R->section == NULL)
        return ini_oom(R);
    for (int i = 0; i < R->n_seen && strcmp(R->section, "DEFAULT") != 0; i++)
        if (strcmp(R->seen_sections[i], R->section) == 0)
            rc = soc_error_set(R->err, SOC_EPARSE, R->path, lineno, 1,
                               "section [%s] appears twice", R->section);
    char **ns = realloc(R->seen_sections, sizeof *ns * (size_t)(R->n_seen + 1));
    if (ns == NULL)
        return ini_oom(R);
    R->seen_sections = ns;
    R->seen_sections[R->n_seen++] = soc__strdup(R->section);
    return rc;
}

/* A "key = value" (or "key: value") line of the current section; keys are
 * case-insensitive and may appear once per section. */
static int ini_option(ini_reader_t *R, char *s, int lineno)
{
    ini_t *ini = R->ini;
    char *d = s + strcspn(s, "=:");
    if (*d == '\0')
        return soc_error_set(R->err, SOC_EPARSE, R->path, lineno, 1,
                             "expected 'key = value' (no '=' or ':')");
    int rc = SOC_OK;
    char *key = strip_dup(s, (size_t)(d - s));
    char *val = strip_dup(d + 1, strlen(d + 1));
    if (key == NULL || val == NULL) {
        rc = ini_oom(R);
    } else if (key[0] == '\0') {
        rc = soc_error_set(R->err, SOC_EPARSE, R->path, lineno, 1, "empty key");
    } else {
        lower(key);
        for (int i = 0; i < ini->n; i++)
            if (strcmp(ini->e[i].section, R->section) == 0 && strcmp(ini->e[i].key, key) == 0) {
                rc = soc_error_set(R->err, SOC_EPARSE, R->path, lineno, 1,
                                   "option '%s' appears twice in [%s] (first at "
                                   "line %d)", key, R->section, ini->e[i].line);
                break;
            }
        if (rc == SOC_OK && ini_add(ini, R->section, key, val, lineno) != SOC_OK)
            rc = ini_oom(R);
        R->last = ini->n - 1;
    }
    free(key);
    free(val);
    return rc;
}

/* One line of the file (a modifiable copy): blank or comment, continuation,
 * section header or option. */
static int ini_line(ini_reader_t *R, char *line, int lineno)
{
    char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    int indent = (int)(s - line);
    size_t sl = strlen(s);
    while (sl > 0 && isspace((unsigned char)s[sl - 1]))
        s[--sl] = '\0';
    /* (empty lines may belong to a value that continues below) */
    if (sl == 0 || s[0] == '#' || s[0] == ';')
        return SOC_OK;
    if (R->last >= 0 && indent > R->cur_indent)
        return ini_continue(R, s, sl);
    R->cur_indent = indent;
    if (s[0] == '[' && s[sl - 1] == ']')
        return ini_section(R, s, sl, lineno);
    if (R->section == NULL)
        return soc_error_set(R->err, SOC_EPARSE, R->path, lineno, 1,
                             "a line before the first [section] header");
    return ini_option(R, s, lineno);
}

/* Python configparser with its defaults: '=' or ':' delimiters, full-line
 * '#'/';' comments, indented continuation lines, case-insensitive keys,
 * errors for duplicate sections/keys and lines outside any section. */
static int ini_read(ini_t *ini, const char *path, soc_error_t *err)
{
    memset(ini, 0, sizeof *ini);
    ini->path = path;
    char *text = NULL;
    int rc = soc__read_file(path, DS3_MAX_FILE_BYTES, 1, &text, NULL, err), lineno = 0;
    if (rc != SOC_OK)
        return rc;
    ini_reader_t R = {ini, path, NULL, NULL, 0, -1, 0, err};
    char *p = text;
    while (rc == SOC_OK && *p != '\0') {
        lineno++;
        char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *next = eol ? eol + 1 : p + len;
        char *line = soc__strndup(p, len);
        if (line == NULL) {
            rc = ini_oom(&R);
            break;
        }
        rc = ini_line(&R, line, lineno);
        free(line);
        p = next;
    }
    for (int i = 0; i < R.n_seen; i++)
        free(R.seen_sections[i]);
    free(R.seen_sections);
    free(R.section);
    free(text);
    return rc;
}

/* Every option DS3's common.py / DASH_Sim_v0.py reads, with its section. */
typedef struct ds3_key {
    const char *key;
    const char *section;
} ds3_key_t;

static const ds3_key_t DS3_KEYS[] = {
    {"resource_file", "DEFAULT"}, {"job_file", "DEFAULT"}, {"job_probabilities", "DEFAULT"},
    {"job_list", "DEFAULT"}, {"inject_fixed_num_jobs", "DEFAULT"}, {"max_jobs", "DEFAULT"},
    {"simulation_length", "DEFAULT"}, {"clock", "DEFAULT"}, {"scheduler", "DEFAULT"},
    {"inject_jobs_asap", "DEFAULT"}, {"fixed_injection_rate", "DEFAULT"},
    {"max_jobs_in_parallel", "DEFAULT"}, {"random_seed", "DEFAULT"},
    {"standard_deviation", "DEFAULT"},
    {"clean_traces", "TRACE"}, {"trace_tasks", "TRACE"}, {"trace_system", "TRACE"},
    {"trace_frequency", "TRACE"}, {"trace_pes", "TRACE"}, {"trace_il_predictions", "TRACE"},
    {"trace_temperature", "TRACE"}, {"trace_load", "TRACE"}, {"create_dataset_dtpm", "TRACE"},
    {"trace_file_tasks", "TRACE"}, {"trace_file_system", "TRACE"},
    {"trace_file_frequency", "TRACE"}, {"trace_file_pes", "TRACE"},
    {"trace_file_temperature", "TRACE"}, {"trace_file_temperature_workload", "TRACE"},
    {"trace_file_load", "TRACE"}, {"results", "TRACE"},
    {"sampling_rate", "POWER MANAGEMENT"}, {"sampling_rate_temperature", "POWER MANAGEMENT"},
    {"util_high_threshold", "POWER MANAGEMENT"}, {"util_low_threshold", "POWER MANAGEMENT"},
    {"enable_throttling", "POWER MANAGEMENT"}, {"trip_temperature", "POWER MANAGEMENT"},
    {"trip_hysteresis", "POWER MANAGEMENT"}, {"enable_dtpm_throttling", "POWER MANAGEMENT"},
    {"dtpm_trip_temperature", "POWER MANAGEMENT"}, {"c1", "POWER MANAGEMENT"},
    {"c2", "POWER MANAGEMENT"}, {"igate", "POWER MANAGEMENT"}, {"t_ambient", "POWER MANAGEMENT"},
    {"simulation_mode", "SIMULATION MODE"}, {"scale", "SIMULATION MODE"},
    {"warmup_period", "SIMULATION MODE"}, {"num_of_iterations", "SIMULATION MODE"},
    {"scale_values", "SIMULATION MODE"},
    {"packet_size", "COMMUNICATION MODE"}, {"pe_to_pe", "COMMUNICATION MODE"},
    {"shared_memory", "COMMUNICATION MODE"},
    {"debug_config", "DEBUG"}, {"debug_sim", "DEBUG"}, {"debug_job", "DEBUG"},
    {"debug_sch", "DEBUG"}, {"info_sim", "INFO"}, {"info_job", "INFO"}, {"info_sch", "INFO"},
    /* socsim's own: `semantics = native` reads the same workload in the
     * native semantics (the textbook schedulers: HEFT, PEFT, ...) */
    {"semantics", "SOCSIM"},
    {NULL, NULL},
};

static const char *key_section(const char *key)
{
    for (int i = 0; DS3_KEYS[i].key != NULL; i++)
        if (strcmp(DS3_KEYS[i].key, key) == 0)
            return DS3_KEYS[i].section;
    return NULL;
}

/* The value DS3 sees for key: its section, else [DEFAULT] (configparser
 * inheritance), else -- more lenient than DS3 -- any section. */
static const ini_ent_t *ini_get(const ini_t *ini, const char *key)
{
    const char *sec = key_section(key);
    const ini_ent_t *dflt = NULL, *any = NULL, *own = NULL;
    for (int i = 0; i < ini->n; i++) {
        const ini_ent_t *x = &ini->e[i];
        if (strcmp(x->key, key) != 0)
            continue;
        if (sec != NULL && strcmp(x->section, sec) == 0)
            own = x;
        else if (strcmp(x->section, "DEFAULT") == 0)
            dflt = x;
        else if (any == NULL)
            any = x;
    }
    /* an override (section "") wins over everything */
    for (int i = 0; i < ini->n; i++)
        if (ini->e[i].section[0] == '\0' && strcmp(ini->e[i].key, key) == 0)
            return &ini->e[i];
    return own ? own : dflt ? dflt : any;
}

#define IERR(x, ...) soc_error_set(err, SOC_EPARSE, (x)->line > 0 ? ini->path : "--set", \
                                   (x)->line, 0, __VA_ARGS__)

static int ini_bool(const ini_t *ini, const char *key, int *out, soc_error_t *err)
{
    const ini_ent_t *x = ini_get(ini, key);
    if (x == NULL)
        return SOC_OK;
    static const char *const yes[] = {"1", "yes", "true", "on", NULL};
    static const char *const no[] = {"0", "no", "false", "off", NULL};
    for (int i = 0; yes[i]; i++)
        if (same_nocase(x->value, yes[i])) {
            *out = 1;
            return SOC_OK;
        }
    for (int i = 0; no[i]; i++)
        if (same_nocase(x->value, no[i])) {
            *out = 0;
            return SOC_OK;
        }
    return IERR(x, "%s: '%s' is not a boolean (yes/no)", key, x->value);
}

static int ini_i64(const ini_t *ini, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   soc_error_t *err)
{
    const ini_ent_t *x = ini_get(ini, key);
    if (x == NULL)
        return SOC_OK;
    int64_t v;
    if (parse_i64(x->value, &v) != 0)
        return IERR(x, "%s: '%s' is not an integer", key, x->value);
    if (v < lo || v > hi)
        return IERR(x, "%s: %lld is out of range %lld..%lld", key, (long long)v, (long long)lo,
                    (long long)hi);
    *out = v;
    return SOC_OK;
}

static int ini_int(const ini_t *ini, const char *key, int lo, int hi, int *out, soc_error_t *err)
{
    int64_t v = *out;
    int rc = ini_i64(ini, key, lo, hi, &v, err);
    if (rc == SOC_OK)
        *out = (int)v;
    return rc;
}

static int ini_num(const ini_t *ini, const char *key, double *out, soc_error_t *err)
{
    const ini_ent_t *x = ini_get(ini, key);
    if (x == NULL)
        return SOC_OK;
    if (parse_num(x->value, out) != 0)
        return IERR(x, "%s: '%s' is not a number", key, x->value);
    return SOC_OK;
}

/* A Python list literal of numbers "[a, b, ...]" (nested one level when
 * rows != NULL: "[[..], [..]]").  Values go to *vals (row-major), row
 * lengths to *rows. */
typedef struct numlist {
    double *v;
    int n, cap;
    int *row_len;
    int n_rows, cap_rows;
} numlist_t;

static void numlist_free(numlist_t *l)
{
    free(l->v);
    free(l->row_len);
    memset(l, 0, sizeof *l);
}

static int nl_push(numlist_t *l, double x)
{
    if (l->n >= DS3_MAX_LIST || grow(&l->v, l->n, &l->cap, sizeof *l->v, 16) != 0)
        return -1;
    l->v[l->n++] = x;
    return 0;
}

static int nl_row(numlist_t *l, int len)
{
    if (grow(&l->row_len, l->n_rows, &l->cap_rows, sizeof *l->row_len, 16) != 0)
        return -1;
    l->row_len[l->n_rows++] = len;
    return 0;
}

static const char *skip_ws(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* After an element of a Python list: 0 at the next element (*ps moved past
 * the comma), 1 at the closing ']' (*ps on it; a trailing comma is fine),
 * -1 on anything else. */
static int list_next(const char **ps)
{
    const char *s = skip_ws(*ps);
    if (*s == ',')
        s = skip_ws(s + 1);
    else if (*s != ']')
        return -1;
    *ps = s;
    return *s == ']';
}

/* Parse "[x, y, ...]" at *ps; returns 0 and advances, -1 on syntax error. */
static int parse_flat(const char **ps, numlist_t *l, int *count)
{
    const char *s = skip_ws(*ps);
    if (*s != '[')
        return -1;
    s = skip_ws(s + 1);
    *count = 0;
    if (*s == ']') {
        *ps = s + 1;
        return 0;
    }
    for (;;) {
        char *end;
        errno = 0;
        double x = strtod(s, &end);
        if (end == s || !isfinite(x) || nl_push(l, x) != 0)
            return -1;
        (*count)++;
        s = end;
        int k = list_next(&s);
        if (k < 0)
            return -1;
        if (k > 0)
            break;
    }
    *ps = s + 1;
    return 0;
}

static int parse_list(const char *text, numlist_t *l, int nested)
{
    const char *s = text;
    int cnt;
    if (!nested) {
        if (parse_flat(&s, l, &cnt) != 0)
            return -1;
    } else {
        s = skip_ws(s);
        if (*s != '[')
            return -1;
        s = skip_ws(s + 1);
        if (*s != ']') {
            for (;;) {
                if (parse_flat(&s, l, &cnt) != 0 || nl_row(l, cnt) != 0)
                    return -1;
                int k = list_next(&s);
                if (k < 0)
                    return -1;
                if (k > 0)
                    break;
            }
        }
        s++;
    }
    return *skip_ws(s) == '\0' ? 0 : -1;
}

static int is_int(double x)
{
    return x == floor(x) && fabs(x) < 9e15;
}

/* scale_values: "a-b-c" ranges and integers separated by commas, or a
 * Python list. */
static int parse_scales(const ini_t *ini, const ini_ent_t *x, soc_ds3_options_t *o,
                        soc_error_t *err)
{
    numlist_t l = {0};
    int rc = SOC_OK;
    if (strchr(x->value, '[') != NULL) {
        if (parse_list(x->value, &l, 0) != 0) {
            numlist_free(&l);
            return IERR(x, "scale_values: '%s' is not a list of integers", x->value);
        }
        for (int i = 0; i < l.n; i++)
            if (!is_int(l.v[i])) {
                numlist_free(&l);
                return IERR(x, "scale_values: %g is not an integer", l.v[i]);
            }
    } else {
        char *buf = soc__strdup(x->value), *cursor = buf;
        if (buf == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        for (char *part = next_field(&cursor); part && rc == SOC_OK; part = next_field(&cursor)) {
            char *q = part;
            int64_t a[3];
            int k = 0;
            for (;;) {
                char *dash = strchr(q, '-');
                if (dash != NULL)
                    *dash = '\0';
                char *t = strip_dup(q, strlen(q));
                if (t == NULL || k == 3 || parse_i64(t, &a[k]) != 0) {
                    free(t);
                    rc = IERR(x, "scale_values: '%s' is neither an integer nor a-b-c", x->value);
                    break;
                }
                free(t);
                k++;
                if (dash == NULL)
                    break;
                q = dash + 1;
            }
            if (rc != SOC_OK)
                break;
            if (k == 1) {
                if (nl_push(&l, (double)a[0]) != 0)
                    rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            } else if (k == 3) {
                if (a[2] <= 0)
                    rc = IERR(x, "scale_values: the step of %lld-%lld-%lld must be positive",
                              (long long)a[0], (long long)a[1], (long long)a[2]);
                for (int64_t s = a[0]; rc == SOC_OK && s < a[1]; s += a[2])
                    if (nl_push(&l, (double)s) != 0)
                        rc = IERR(x, "scale_values: too many values");
            } else {
                rc = IERR(x, "scale_values: '%s' is neither an integer nor a-b-c", x->value);
            }
        }
        free(buf);
    }
    if (rc == SOC_OK) {
        free(o->scale_values);
        o->scale_values = malloc(sizeof(int64_t) * (size_t)(l.n ? l.n : 1));
        if (o->scale_values == NULL) {
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            o->n_scale_values = l.n;
            for (int i = 0; i < l.n; i++)
                o->scale_values[i] = (int64_t)l.v[i];
        }
    }
    numlist_free(&l);
    return rc;
}

static int temps(const ini_t *ini, const char *key, double *arr, int *n, soc_error_t *err)
{
    const ini_ent_t *x = ini_get(ini, key);
    if (x == NULL)
        return SOC_OK;
    numlist_t l = {0};
    if (parse_list(x->value, &l, 0) != 0 || l.n > 8) {
        numlist_free(&l);
        return IERR(x, "%s: '%s' is not a list of at most 8 numbers", key, x->value);
    }
    for (int i = 0; i < l.n; i++)
        arr[i] = l.v[i];
    *n = l.n;
    numlist_free(&l);
    return SOC_OK;
}

/* ------------------------------------------------------------ assembly */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return soc__strdup(".");
    if (slash == path)
        return soc__strdup("/");
    return soc__strndup(path, (size_t)(slash - path));
}

/* Fill the platform from the parsed SoC. */
static int build_platform(soc_config_t *cfg, soc_parse_t *sp, names_t *types, const char *soc_path,
                          const char *soc_name, soc_error_t *err)
{
    soc_platform_t *p = &cfg->platform;
    if ((p->name = soc__strdup(soc_name)) == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    int n = sp->n_res;
    p->clusters = calloc((size_t)n, sizeof *p->clusters);
    if (p->clusters == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    p->n_clusters = n;
    for (int c = 0; c < n; c++) {
        rres_t *r = &sp->res[c];
        soc_cluster_t *cl = &p->clusters[c];
        cl->name = r->name;
        cl->kind = r->type;
        r->name = r->type = NULL;
        cl->count = r->count;
        cl->is_memory = strcmp(cl->kind, "MEM") == 0;
        cl->power = r->pw;
        r->pw = NULL;
        cl->exec_us = malloc(sizeof(double) * (size_t)(types->n ? types->n : 1));
        if (cl->exec_us == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        for (int t = 0; t < types->n; t++)
            cl->exec_us[t] = -1;
        /* the FIRST line of a functionality is the one DS3 uses */
        int none = names_find(types, "None");
        for (int k = r->n_func - 1; k >= 0; k--) {
            int ty = r->func[k].type == -2 ? none : r->func[k].type;
            if (ty >= 0)
                cl->exec_us[ty] = r->func[k].us;
        }
    }
    /* bandwidths: one self value for every cluster whose own pair was given */
    double self = 0;
    int self_c = -1;
    for (int c = 0; c < n; c++) {
        if (sp->self[c] <= 0)
            continue;
        if (self_c >= 0 && sp->self[c] != self)
            return soc_error_set(err, SOC_EUNSUPPORTED, soc_path, sp->self_line[c], 0,
                                 "comm_band_self changed between comm_band lines (%g for "
                                 "resource %d, %g for resource %d): one self bandwidth per SoC "
                                 "is supported", self, self_c, sp->self[c], c);
        self = sp->self[c];
        self_c = c;
    }
    if (self_c < 0 && parse_num(sp->self_text, &self) != 0)
        self = 1;
    p->bw_self = self;
    p->bw_default = 1.0;
    p->bw = sp->bw;
    sp->bw = NULL;
    p->memory_cluster = n - 1; /* DS3: resource_matrix.list[-1] */
    return SOC_OK;
}

static int build_apps(soc_config_t *cfg, rjob_t *jobs, int n_jobs, char **job_paths,
                      names_t *types, const double *probs, soc_error_t *err)
{
    cfg->apps = calloc((size_t)n_jobs, sizeof *cfg->apps);
    if (cfg->apps == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    cfg->n_apps = n_jobs;
    for (int a = 0; a < n_jobs; a++) {
        rjob_t *j = &jobs[a];
        soc_app_t *ap = &cfg->apps[a];
        for (int b = 0; b < a; b++)
            if (strcmp(cfg->apps[b].name, j->name) == 0)
                return soc_error_set(err, SOC_EPARSE, job_paths[a], 0, 0,
                                     "job_name '%s' is used by another job file: DS3 looks "
                                     "applications up by name", j->name);
        ap->name = j->name;
        j->name = NULL;
        ap->probability = probs[a];
        ap->head = j->head;
        ap->tail = j->tail;
        ap->n_tasks = j->n_tasks;
        ap->tasks = calloc((size_t)j->n_tasks, sizeof *ap->tasks);
        int n_edges = 0;
        for (int t = 0; t < j->n_tasks; t++)
            n_edges += j->tasks[t].n_pred;
        ap->edges = malloc(sizeof *ap->edges * (size_t)(n_edges ? n_edges : 1));
        if (ap->tasks == NULL || ap->edges == NULL)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        for (int t = 0; t < j->n_tasks; t++) {
            rtask_t *rt = &j->tasks[t];
            int ty = names_find(types, rt->name);
            int supported = 0;
            for (int c = 0; ty >= 0 && c < cfg->platform.n_clusters; c++)
                supported |= cfg->platform.clusters[c].exec_us[ty] >= 0;
            if (!supported)
                return soc_error_set(err, SOC_ECONFIG, job_paths[a], rt->line, 0,
                                     "task '%s' is not a functionality of any resource of the SoC",
                                     rt->name);
            ap->tasks[t].name = rt->name;
            rt->name = NULL;
            ap->tasks[t].type = ty;
            /* edges in (destination, predecessor list) order */
            for (int k = 0; k < rt->n_pred; k++) {
                soc_edge_t *e = &ap->edges[ap->n_edges++];
                e->src = rt->pred[k];
                e->dst = t;
                e->volume = j->vol[rt->pred[k] * j->n_decl + t];
            }
        }
    }
    return SOC_OK;
}

/* Apply "key=value" overrides as ini entries of section "" (they win). */
static int apply_overrides(ini_t *ini, const char *const *ov, soc_error_t *err)
{
    for (int i = 0; ov != NULL && ov[i] != NULL; i++) {
        const char *eq = strchr(ov[i], '=');
        if (eq == NULL)
            return soc_error_set(err, SOC_EINVAL, "--set", 0, 0, "'%s' is not key=value", ov[i]);
        char *key = strip_dup(ov[i], (size_t)(eq - ov[i]));
        char *val = strip_dup(eq + 1, strlen(eq + 1));
        if (key == NULL || val == NULL) {
            free(key);
            free(val);
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        }
        lower(key);
        int rc = SOC_OK;
        if (key_section(key) == NULL)
            rc = soc_error_set(err, SOC_EINVAL, "--set", 0, 0,
                               "'%s' is not a DS3 config_file.ini option", key);
        else if (ini_add(ini, "", key, val, 0) != SOC_OK)
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        free(key);
        free(val);
        if (rc != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

static int read_options(const ini_t *ini, soc_ds3_options_t *o, soc_error_t *err)
{
    int rc;
    const ini_ent_t *x = ini_get(ini, "simulation_mode");
    if (x != NULL) {
        if (strcmp(x->value, "validation") == 0)
            o->validation = 1;
        else if (strcmp(x->value, "performance") == 0)
            o->validation = 0;
        else
            return IERR(x, "simulation_mode: '%s' is neither performance nor validation",
                        x->value);
    }
#define TRY(call)                                                              \
    if ((rc = (call)) != SOC_OK)                                               \
    return rc
    const int64_t BIG = INT64_C(1) << 50;
    TRY(ini_bool(ini, "inject_fixed_num_jobs", &o->inject_fixed_num_jobs, err));
    TRY(ini_i64(ini, "max_jobs", 0, BIG, &o->max_jobs, err));
    TRY(ini_i64(ini, "simulation_length", 0, BIG, &o->simulation_length, err));
    TRY(ini_i64(ini, "clock", 1, BIG, &o->clock, err));
    TRY(ini_bool(ini, "inject_jobs_asap", &o->inject_jobs_asap, err));
    TRY(ini_bool(ini, "fixed_injection_rate", &o->fixed_injection_rate, err));
    TRY(ini_int(ini, "max_jobs_in_parallel", 0, 1000000000, &o->max_jobs_in_parallel, err));
    TRY(ini_i64(ini, "random_seed", INT64_MIN, INT64_MAX, &o->random_seed, err));
    TRY(ini_i64(ini, "scale", 0, BIG, &o->scale, err));
    TRY(ini_i64(ini, "warmup_period", 0, BIG, &o->warmup_period, err));
    TRY(ini_int(ini, "num_of_iterations", 0, 1000000, &o->num_of_iterations, err));
    TRY(ini_i64(ini, "sampling_rate", 1, BIG, &o->sampling_rate, err));
    TRY(ini_i64(ini, "sampling_rate_temperature", 1, BIG, &o->sampling_rate_temperature, err));
    TRY(ini_num(ini, "util_high_threshold", &o->util_high_threshold, err));
    TRY(ini_num(ini, "util_low_threshold", &o->util_low_threshold, err));
    TRY(ini_bool(ini, "enable_throttling", &o->enable_throttling, err));
    TRY(ini_bool(ini, "enable_dtpm_throttling", &o->enable_dtpm_throttling, err));
    TRY(ini_num(ini, "c1", &o->C1, err));
    TRY(ini_num(ini, "c2", &o->C2, err));
    TRY(ini_num(ini, "igate", &o->Igate, err));
    TRY(ini_num(ini, "t_ambient", &o->T_ambient, err));
    int n_hyst = o->n_trip;
    TRY(temps(ini, "trip_temperature", o->trip_temperature, &o->n_trip, err));
    TRY(temps(ini, "trip_hysteresis", o->trip_hysteresis, &n_hyst, err));
    if (n_hyst != o->n_trip) {
        x = ini_get(ini, "trip_hysteresis");
        return x != NULL ? IERR(x, "trip_hysteresis has %d values, trip_temperature %d", n_hyst,
                                o->n_trip)
                         : soc_error_set(err, SOC_EPARSE, ini->path, 0, 0,
                                         "trip_hysteresis and trip_temperature differ in length");
    }
    TRY(temps(ini, "dtpm_trip_temperature", o->dtpm_trip_temperature, &o->n_dtpm_trip, err));
    if ((x = ini_get(ini, "scale_values")) != NULL)
        TRY(parse_scales(ini, x, o, err));
#undef TRY
    return SOC_OK;
}

/* Everything soc_load_ds3 holds while it reads (freed by d3_cleanup). */
typedef struct d3load {
    soc_config_t *cfg;
    const char *ini_path;
    ini_t ini;
    soc_parse_t sp;
    names_t types;
    rjob_t *jobs;
    char **job_paths;
    int n_jobs;
    char *dir, *soc_path, *jf;
    const char *soc_name;
    numlist_t probs, jl;
} d3load_t;

static int d3_oom(soc_error_t *err)
{
    return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
}

/* cfg->ds3 with DS3's defaults (sweep: scale_values = 500-501-1), then the
 * ini's [SIMULATION MODE], [POWER MANAGEMENT]... options. */
static int d3_options(d3load_t *D, soc_error_t *err)
{
    soc_config_t *cfg = D->cfg;
    cfg->semantics = SOC_SEM_DS3;
    if ((cfg->source = soc__strdup(D->ini_path)) == NULL ||
        (cfg->ds3 = malloc(sizeof *cfg->ds3)) == NULL || (D->dir = dir_of(D->ini_path)) == NULL)
        return d3_oom(err);
    soc_ds3_options_t *o = cfg->ds3;
    soc_ds3_options_default(o);
    if ((o->scale_values = malloc(sizeof(int64_t))) == NULL)
        return d3_oom(err);
    o->scale_values[0] = 500;
    o->n_scale_values = 1;
    return read_options(&D->ini, o, err);
}

/* PE_to_PE / shared_memory: exactly one of them. */
static int d3_comm_mode(d3load_t *D, soc_error_t *err)
{
    int p2p = 1, shm = 0, rc;
    if ((rc = ini_bool(&D->ini, "pe_to_pe", &p2p, err)) != SOC_OK ||
        (rc = ini_bool(&D->ini, "shared_memory", &shm, err)) != SOC_OK)
        return rc;
    if (p2p == shm) {
        const ini_ent_t *x = ini_get(&D->ini, "shared_memory");
        return soc_error_set(err, SOC_EPARSE, x != NULL && x->line == 0 ? "--set" : D->ini_path,
                             x ? x->line : 0, 0,
                             "exactly one of PE_to_PE and shared_memory must be yes");
    }
    D->cfg->platform.comm_mode = shm ? SOC_COMM_SHARED_MEMORY : SOC_COMM_PE_TO_PE;
    return SOC_OK;
}

/* config_SoC/<resource_file>. */
static int d3_soc(d3load_t *D, const soc_warn_sink_t *warn, soc_error_t *err)
{
    const ini_ent_t *rf = ini_get(&D->ini, "resource_file");
    D->soc_name = rf != NULL ? rf->value : "SoC.MULTIPLE_BAL.txt";
    if ((D->soc_path = join3(D->dir, "config_SoC", D->soc_name)) == NULL)
        return d3_oom(err);
    return parse_soc(D->soc_path, &D->types, &D->sp, warn, err);
}

/* config_Jobs/<each name of job_file>; job-only task names join the type
 * universe after the functionalities. */
static int d3_jobs(d3load_t *D, soc_error_t *err)
{
    const ini_t *ini = &D->ini;
    const ini_ent_t *jx = ini_get(ini, "job_file");
    D->jf = soc__strdup(jx != NULL ? jx->value
                               : "job_WIFI_5TXM.txt,job_WIFI_5RXM.txt,job_LAG.txt,job_SCT.txt,"
                                 "job_SCR.txt,job_TEMP_MIT.txt");
    if (D->jf == NULL)
        return d3_oom(err);
    int n_files = 1, rc;
    for (char *q = D->jf; *q; q++)
        n_files += *q == ',';
    D->jobs = calloc((size_t)n_files, sizeof *D->jobs);
    D->job_paths = calloc((size_t)n_files, sizeof *D->job_paths);
    if (D->jobs == NULL || D->job_paths == NULL)
        return d3_oom(err);
    char *cursor = D->jf;
    for (char *part = next_field(&cursor); part; part = next_field(&cursor)) {
        char *nm = strip_dup(part, strlen(part));
        if (nm == NULL || nm[0] == '\0') {
            free(nm);
            return jx ? IERR(jx, "job_file: an empty file name")
                      : soc_error_set(err, SOC_EPARSE, D->ini_path, 0, 0, "empty job file name");
        }
        D->job_paths[D->n_jobs] = join3(D->dir, "config_Jobs", nm);
        free(nm);
        if (D->job_paths[D->n_jobs] == NULL)
            return d3_oom(err);
        rc = parse_job(D->job_paths[D->n_jobs], &D->jobs[D->n_jobs], err);
        D->n_jobs++;
        if (rc != SOC_OK)
            return rc;
    }
    if (D->n_jobs == 0)
        return soc_error_set(err, SOC_EPARSE, D->ini_path, jx ? jx->line : 0, 0, "no job files");
    for (int a = 0; a < D->n_jobs; a++)
        for (int t = 0; t < D->jobs[a].n_tasks; t++)
            if (names_add(&D->types, D->jobs[a].tasks[t].name) < 0)
                return d3_oom(err);
    return SOC_OK;
}

/* job_probabilities: one per job file, >= 0, summing to 1 as NumPy's
 * choice() checks it (compensated sum within sqrt(eps)). */
static int d3_probabilities(d3load_t *D, soc_error_t *err)
{
    const ini_t *ini = &D->ini;
    numlist_t *probs = &D->probs;
    int n_jobs = D->n_jobs;
    const ini_ent_t *px = ini_get(ini, "job_probabilities");
    if (px != NULL) {
        if (parse_list(px->value, probs, 0) != 0)
            return IERR(px, "job_probabilities: '%s' is not a list of numbers", px->value);
    } else {
        static const double dflt[] = {0.2, 0.2, 0.2, 0.1, 0.1, 0.2};
        for (int i = 0; i < 6; i++)
            nl_push(probs, dflt[i]);
    }
    if (probs->n != n_jobs)
        return px ? IERR(px, "job_probabilities has %d values for %d job files", probs->n, n_jobs)
                  : soc_error_set(err, SOC_EPARSE, D->ini_path, 0, 0,
                                  "job_probabilities is missing for %d job files", n_jobs);
    for (int i = 0; i < probs->n; i++)
        if (probs->v[i] < 0)
            return IERR(px, "job_probabilities: %g is negative", probs->v[i]);
    double sum = 0, c = 0;
    for (int i = 0; i < probs->n; i++) {
        double y = probs->v[i] - c, t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    if (fabs(sum - 1.0) > 1.4901161193847656e-08)
        return px ? IERR(px, "job_probabilities sum to %.17g, not 1 (NumPy would refuse them)", sum)
                  : soc_error_set(err, SOC_EPARSE, D->ini_path, 0, 0,
                                  "probabilities do not sum to 1");
    return SOC_OK;
}

/* job_list: snippets of job counts, one count per job file. */
static int d3_job_list(d3load_t *D, soc_error_t *err)
{
    const ini_t *ini = &D->ini;
    soc_ds3_options_t *o = D->cfg->ds3;
    numlist_t *jl = &D->jl;
    int n_jobs = D->n_jobs;
    const ini_ent_t *jlx = ini_get(ini, "job_list");
    if (jlx == NULL)
        return SOC_OK;
    if (parse_list(jlx->value, jl, 1) != 0)
        return IERR(jlx, "job_list: '%s' is not a list of lists of job counts", jlx->value);
    if (jl->n_rows == 0)
        return SOC_OK;
    if ((o->job_list = calloc((size_t)jl->n_rows, sizeof(int *))) == NULL)
        return d3_oom(err);
    int off = 0;
    for (int r = 0; r < jl->n_rows; r++) {
        if (jl->row_len[r] != n_jobs)
            return IERR(jlx, "job_list: snippet %d has %d counts for %d job files", r,
                        jl->row_len[r], n_jobs);
        if ((o->job_list[r] = malloc(sizeof(int) * (size_t)n_jobs)) == NULL)
            return d3_oom(err);
        o->n_job_list = r + 1;
        for (int a = 0; a < n_jobs; a++) {
            double v = jl->v[off++];
            if (!is_int(v) || v < 0 || v > 1e9)
                return IERR(jlx, "job_list: %g is not a job count", v);
            o->job_list[r][a] = (int)v;
        }
    }
    int64_t sum = 0;
    for (int a = 0; a < n_jobs; a++)
        sum += o->job_list[0][a];
    if (sum == 0)
        return IERR(jlx, "job_list: the first snippet has no jobs (DS3 sizes every "
                         "snippet by it)");
    o->inject_fixed_num_jobs = 1; /* DS3 forces it */
    return SOC_OK;
}

/* DS3_Sim_v0's checks on every cluster with power management. */
static int d3_power_checks(const d3load_t *D, soc_error_t *err)
{
    const soc_config_t *cfg = D->cfg;
    const soc_ds3_options_t *o = cfg->ds3;
    for (int c = 0; c < cfg->platform.n_clusters; c++) {
        const soc_cluster_t *cl = &cfg->platform.clusters[c];
        const soc_cluster_power_t *pw = cl->power;
        if (pw == NULL || strcmp(pw->governor, "none") == 0)
            continue;
        if (pw->n_trip != o->n_trip)
            return soc_error_set(err, SOC_EPARSE, D->soc_path, D->sp.res[c].line, 0,
                                 "resource '%s': trip_freq has %d values but config_file.ini "
                                 "has %d trip temperatures (DS3 refuses this)", cl->name,
                                 pw->n_trip, o->n_trip);
        if (pw->n_profiles != pw->n_pg_profiles)
            return soc_error_set(err, SOC_EPARSE, D->soc_path, D->sp.res[c].line, 0,
                                 "resource '%s': %d power_profile lines but %d PG_profile lines "
                                 "(DS3 refuses this)", cl->name, pw->n_profiles,
                                 pw->n_pg_profiles);
    }
    return SOC_OK;
}

/* The scheduler, the seed and a native-semantics reading of the same
 * workload (injection). */
static int d3_finish(d3load_t *D, soc_error_t *err)
{
    soc_config_t *cfg = D->cfg;
    const soc_ds3_options_t *o = cfg->ds3;
    const ini_ent_t *sx = ini_get(&D->ini, "scheduler");
    if ((cfg->scheduler = soc__strdup(sx != NULL ? sx->value : "ETF")) == NULL)
        return d3_oom(err);
    lower(cfg->scheduler);
    cfg->seed = (uint64_t)o->random_seed;
    /* DS3 semantics always models power (DS3's energy): say so in the model */
    cfg->power_model = 1;
    const ini_ent_t *sem = ini_get(&D->ini, "semantics");
    if (sem != NULL && same_nocase(sem->value, "native")) {
        /* the native engine's power model needs idle powers DS3 files do not
         * give: a native reading reports no energy */
        cfg->semantics = SOC_SEM_NATIVE;
        cfg->power_model = 0;
    } else if (sem != NULL && !same_nocase(sem->value, "ds3")) {
        return soc_error_set(err, SOC_EPARSE, sem->line > 0 ? D->ini_path : "--set", sem->line,
                             0, "semantics: '%s' is neither ds3 nor native", sem->value);
    }
    soc_injection_t *in = &cfg->injection;
    int64_t sc = o->validation || o->n_scale_values == 0 ? o->scale : o->scale_values[0];
    in->kind = o->fixed_injection_rate ? SOC_ARRIVAL_PERIODIC : SOC_ARRIVAL_POISSON;
    in->mean_us = sc > 0 ? (double)sc : 1;
    in->max_in_flight = o->max_jobs_in_parallel;
    in->warmup_us = o->validation ? 0 : (double)o->warmup_period;
    int fixed = o->inject_fixed_num_jobs && !o->validation;
    in->max_jobs = fixed ? o->max_jobs : 0;
    in->sim_time_us = fixed ? 0 : (double)o->simulation_length;
    if (o->validation) {
        in->max_jobs = o->max_jobs;
        in->sim_time_us = (double)o->simulation_length;
    }
    return SOC_OK;
}

/* DS3's [TRACE] options write trace files socsim does not write: one
 * warning naming the ones switched on. */
static void d3_trace_warning(const d3load_t *D, const soc_warn_sink_t *warn)
{
    char names[300] = "";
    size_t used = 0;
    int line = 0, n = 0;
    for (int i = 0; i < D->ini.n; i++) {
        const ini_ent_t *x = &D->ini.e[i];
        const char *sec = key_section(x->key);
        if (sec == NULL || strcmp(sec, "TRACE") != 0 || strcmp(x->key, "clean_traces") == 0 ||
            strcmp(x->key, "results") == 0 || strncmp(x->key, "trace_file", 10) == 0)
            continue;
        if (!(same_nocase(x->value, "yes") || same_nocase(x->value, "true") ||
              same_nocase(x->value, "on") || strcmp(x->value, "1") == 0))
            continue;
        if (line == 0)
            line = x->line;
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", n ? ", " : "",
                                     x->key);
        n++;
    }
    if (n > 0)
        soc_warn(warn, line > 0 ? D->ini_path : "--set", line, 0,
                 "[TRACE] %s = yes: socsim does not write DS3's trace files; use socsim run's "
                 "--schedule, --trace, --gantt or --power-trace instead",
                 names);
}

static void d3_cleanup(d3load_t *D)
{
    for (int a = 0; D->jobs != NULL && a < D->n_jobs; a++)
        rjob_free(&D->jobs[a]);
    free(D->jobs);
    for (int a = 0; D->job_paths != NULL && a < D->n_jobs; a++)
        free(D->job_paths[a]);
    free(D->job_paths);
    numlist_free(&D->probs);
    numlist_free(&D->jl);
    names_free(&D->types);
    soc_parse_free(&D->sp);
    ini_free(&D->ini);
    free(D->dir);
    free(D->soc_path);
    free(D->jf);
}

int soc_load_ds3_opts(soc_config_t *cfg, const char *ini_path, const soc_load_options_t *opts,
                      soc_error_t *err)
{
    if (cfg == NULL || ini_path == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    soc_load_options_t o = {0};
    if (opts != NULL)
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
    soc_config_init(cfg);
    d3load_t D;
    memset(&D, 0, sizeof D);
    D.cfg = cfg;
    D.ini_path = ini_path;
    int rc = ini_read(&D.ini, ini_path, err);
    if (rc == SOC_OK)
        rc = apply_overrides(&D.ini, o.overrides, err);
    if (rc == SOC_OK) {
        d3_trace_warning(&D, &o.warnings);
        rc = d3_options(&D, err);
    }
    if (rc == SOC_OK)
        rc = d3_comm_mode(&D, err);
    if (rc == SOC_OK)
        rc = d3_soc(&D, &o.warnings, err);
    if (rc == SOC_OK)
        rc = d3_jobs(&D, err);
    if (rc == SOC_OK)
        rc = d3_probabilities(&D, err);
    if (rc == SOC_OK)
        rc = d3_job_list(&D, err);
    if (rc == SOC_OK)
        rc = build_platform(cfg, &D.sp, &D.types, D.soc_path, D.soc_name, err);
    if (rc == SOC_OK)
        rc = build_apps(cfg, D.jobs, D.n_jobs, D.job_paths, &D.types, D.probs.v, err);
    if (rc == SOC_OK) {
        cfg->platform.type_names = D.types.v;
        cfg->platform.n_types = D.types.n;
        D.types.v = NULL;
        D.types.n = 0;
        rc = d3_power_checks(&D, err);
    }
    if (rc == SOC_OK)
        rc = d3_finish(&D, err);
    if (rc == SOC_OK)
        rc = soc_config_finalize(cfg, err);
    d3_cleanup(&D);
    if (rc != SOC_OK)
        soc_config_free(cfg);
    return rc;
}

int soc_load_ds3(soc_config_t *cfg, const char *ini_path, const char *const *overrides,
                 soc_error_t *err)
{
    soc_load_options_t o = {0};
    o.struct_size = sizeof o;
    o.overrides = overrides;
    return soc_load_ds3_opts(cfg, ini_path, &o, err);
}
