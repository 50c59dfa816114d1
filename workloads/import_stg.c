/*
 * import_stg.c -- the Standard Task Graph format (Tobita & Kasahara, J.
 * Scheduling 5(5), 2002) as an intermediate task graph.
 *
 *   n [processors]               first line: the number of real tasks
 *   id cost npred pred...        n + 2 records: a dummy entry (id 0) and a
 *   ...                          dummy exit (id n + 1), both of cost 0
 *   # comment lines              may follow the graph (and appear anywhere)
 *
 * Records are read as a token stream (a long predecessor list may wrap);
 * ids must run 0, 1, ..., n + 1 in order; predecessors must exist.  Tasks
 * are named t<id>, category "task"; edges carry no data.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "soc_util.h"

#define STG_MAX_TASKS 999998 /* an application holds at most 1e6 tasks */

typedef struct scan {
    const char *s, *end;
    int line, col;
    const char *file;
    soc_error_t *err;
} scan_t;

typedef struct token {
    const char *p;
    size_t n;       /* 0 = end of input */
    int line, col;
} token_t;

static token_t next_token(scan_t *S)
{
    for (;;) {
        if (S->s >= S->end)
            return (token_t){S->s, 0, S->line, S->col};
        char c = *S->s;
        if (c == '\n') {
            S->s++;
            S->line++;
            S->col = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            S->s++;
            S->col++;
        } else if (c == '#') {
            while (S->s < S->end && *S->s != '\n')
                S->s++;
        } else {
            break;
        }
    }
    token_t t = {S->s, 0, S->line, S->col};
    while (S->s < S->end && !strchr(" \t\r\n\f\v#", *S->s)) {
        S->s++;
        S->col++;
    }
    t.n = (size_t)(S->s - t.p);
    return t;
}

static int sfail(scan_t *S, const token_t *t, const char *fmt, ...) SOC_PRINTF(3, 4);
static int sfail(scan_t *S, const token_t *t, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return soc_error_set(S->err, SOC_EPARSE, S->file, t->line, t->col, "%s", msg);
}

/* The token's text for messages (at most 40 characters). */
static const char *ttext(const token_t *t, char buf[48])
{
    if (t->n == 0)
        return "the end of the file";
    size_t n = t->n < 40 ? t->n : 40;
    buf[0] = '\'';
    memcpy(buf + 1, t->p, n);
    buf[n + 1] = '\'';
    buf[n + 2] = '\0';
    return buf;
}

/* A non-negative decimal integer token (at most 10 digits). */
static int tok_int(scan_t *S, const token_t *t, const char *what, long *out)
{
    char b[48];
    if (t->n == 0 || t->n > 10)
        return sfail(S, t, "expected %s (a non-negative integer), got %s", what, ttext(t, b));
    long v = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->p[i] < '0' || t->p[i] > '9')
            return sfail(S, t, "expected %s (a non-negative integer), got %s", what, ttext(t, b));
        v = v * 10 + (t->p[i] - '0');
    }
    *out = v;
    return SOC_OK;
}

static int tok_num(scan_t *S, const token_t *t, const char *what, double *out)
{
    char b[48], txt[64];
    if (t->n == 0 || t->n >= sizeof txt)
        return sfail(S, t, "expected %s (a number), got %s", what, ttext(t, b));
    memcpy(txt, t->p, t->n);
    txt[t->n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(txt, &end);
    if (*end != '\0' || !isfinite(v) || errno == ERANGE)
        return sfail(S, t, "expected %s (a number), got %s", what, ttext(t, b));
    if (v < 0) {
        soc_error_set(S->err, SOC_ECONFIG, S->file, t->line, t->col,
                      "%s must not be negative, got %s", what, txt);
        return SOC_ECONFIG;
    }
    *out = v;
    return SOC_OK;
}

int soc__read_stg(soc__dag_t *d, const char *text, size_t len, const soc_import_options_t *o,
                  soc_error_t *err)
{
    scan_t S = {text, text + len, 1, 1, d->file, err};
    double scale = o->time_scale > 0 ? o->time_scale : 1;
    d->time_default = 1;
    d->bw_default = 1;
    d->cost_word = "cost";
    token_t t = next_token(&S);
    long n;
    char b[48];
    if (t.n == 0)
        return sfail(&S, &t, "the file holds no task graph (expected the number of tasks)");
    int rc = tok_int(&S, &t, "the number of tasks", &n);
    if (rc != SOC_OK)
        return rc;
    if (n > STG_MAX_TASKS)
        return soc_error_set(err, SOC_ELIMIT, d->file, t.line, t.col,
                             "%ld tasks: at most %d are supported", n, STG_MAX_TASKS);
    token_t first = t;
    t = next_token(&S);
    if (t.n > 0 && t.line == first.line) { /* optional processor count */
        long procs;
        if ((rc = tok_int(&S, &t, "the number of processors", &procs)) != SOC_OK)
            return rc;
        t = next_token(&S);
    }
    long total = n + 2;
    for (long i = 0; i < total; i++) {
        long id, npred;
        double cost = 0;
        char name[32];
        if (t.n == 0)
            return sfail(&S, &t, "the file ends after %ld of the %ld task records (n = %ld real "
                                 "tasks plus the dummy entry and exit)",
                         i, total, n);
        if ((rc = tok_int(&S, &t, "a task id", &id)) != SOC_OK)
            return rc;
        if (id != i)
            return sfail(&S, &t, "expected task id %ld (ids run 0 .. n + 1 = %ld in order), got "
                                 "%s",
                         i, total - 1, ttext(&t, b));
        token_t tid = t;
        t = next_token(&S);
        if ((rc = tok_num(&S, &t, "the cost", &cost)) != SOC_OK)
            return rc;
        snprintf(name, sizeof name, "t%ld", id);
        int dup = 0;
        int k = soc__dag_add_task(d, name, "task", cost * scale, cost, tid.line, tid.col, &dup);
        if (k < 0)
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        t = next_token(&S);
        if ((rc = tok_int(&S, &t, "the number of predecessors", &npred)) != SOC_OK)
            return rc;
        if (npred > total - 1)
            return sfail(&S, &t, "task %ld: %ld predecessors, but the graph has %ld tasks", id,
                         npred, total);
        for (long q = 0; q < npred; q++) {
            long p;
            t = next_token(&S);
            if (t.n == 0)
                return sfail(&S, &t, "task %ld: the file ends after %ld of its %ld predecessors",
                             id, q, npred);
            if ((rc = tok_int(&S, &t, "a predecessor id", &p)) != SOC_OK)
                return rc;
            if (p >= total) {
                soc_error_set(err, SOC_ECONFIG, d->file, t.line, t.col,
                              "task %ld: unknown predecessor %ld (ids are 0 .. %ld)", id, p,
                              total - 1);
                return SOC_ECONFIG;
            }
            if (soc__dag_add_edge(d, (int)p, (int)id, 0, t.line, t.col) != 0)
                return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        }
        t = next_token(&S);
    }
    if (t.n > 0)
        return sfail(&S, &t, "unexpected %s after the last task record (the graph has n + 2 = "
                             "%ld records; comments start with #)",
                     ttext(&t, b), total);
    return SOC_OK;
}
