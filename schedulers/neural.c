/*
 * neural.c -- "neural:WEIGHTS": a multilayer-perceptron policy run inside the
 * simulator (native semantics).
 *
 * The policy sees exactly what the RL environment shows an agent
 * (soc/obs.h): at each decision point it encodes the state, takes the
 * masked argmax of the network's logits, assigns that one task (appended to
 * the PE's queue) and encodes again, until no ready task is left.  The
 * environment does the same one step at a time, so a policy trained there
 * behaves identically here.  File format: gym/WEIGHTS.md.
 *
 * Plan mode (action_mode plan, SOC_ACTION_PLAN): the jobs that arrived are
 * planned whole at the decision point of their arrival -- each task in
 * HEFT's order on the PE the network picks, with the insertion-based start
 * as its key (soc_obs_decode_key) -- until soc_obs_has_decision says the
 * instant is planned, exactly as consecutive plan-mode environment steps.
 *
 * The dense layers use GSL BLAS in double precision.  Hidden layers keep
 * their weights transposed (in x out) and use CblasTrans, which GSL's
 * reference CBLAS evaluates as axpy updates over the input rows; two
 * savings follow from the observation layout and the mask, without
 * changing any result:
 *  - empty ready slots are all zeros, so the first layer skips their rows
 *    (only when no input shift makes zeros non-zero);
 *  - only the logits of valid actions are needed, so the last layer keeps
 *    its rows (out x in) and computes one dot product per valid action.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "soc/obs.h"
#include "sched_internal.h"
#include "soc_util.h"

#define MAX_LAYERS 16
#define MAX_WIDTH 65536
#define MAX_WEIGHTS ((size_t)1 << 26)
#define MAX_FILE ((size_t)1 << 30)
#define MAX_PARAM 1e12 /* |weight|, |bias|, normalisation, clip, time scale */

enum act { ACT_LINEAR = 0, ACT_TANH, ACT_RELU };

typedef struct layer {
    int in, out, act;
    double *wt;            /* [in * out]: wt[i * out + o] = W[o][i] */
    double *w;             /* last layer only: [out * in] = W */
    double *b;             /* [out] */
} layer_t;

typedef struct neural {
    soc_obs_t *enc;
    int dim, n_actions;
    int slot_w, pe_base;   /* observation layout (soc/obs.h) */
    int plan;              /* plan mode: no ready-slot layout, keyed assigns */
    int n_layers;
    layer_t layer[MAX_LAYERS];
    double *shift, *scale; /* [dim] or NULL */
    double clip;           /* <= 0: none */
    float *obs;
    uint8_t *mask;
    double *h[2];          /* ping-pong activations, [max width] */
} neural_t;

/* ---------------------------------------------------------- the file */

typedef struct rd {
    const char *path;
    char *text;
    size_t pos, len;
    int line, col;         /* of the current position, 1-based */
    int tline, tcol;       /* of the last token */
    char tok[96];
    soc_error_t *err;
} rd_t;

static int rd_fail(rd_t *r, const char *fmt, const char *arg)
{
    char m[300];
    snprintf(m, sizeof m, fmt, arg);
    return soc_error_set(r->err, SOC_EPARSE, r->path, r->tline, r->tcol, "%s", m);
}

/* Next blank-separated token ("" at the end); comments skipped. */
static const char *rd_next(rd_t *r)
{
    for (;;) {
        while (r->pos < r->len && (r->text[r->pos] == ' ' || r->text[r->pos] == '\t' ||
                                   r->text[r->pos] == '\r' || r->text[r->pos] == '\n')) {
            if (r->text[r->pos] == '\n') {
                r->line++;
                r->col = 1;
            } else {
                r->col++;
            }
            r->pos++;
        }
        if (r->pos < r->len && r->text[r->pos] == '#') {
            while (r->pos < r->len && r->text[r->pos] != '\n')
                r->pos++;
            continue;
        }
        break;
    }
    r->tline = r->line;
    r->tcol = r->col;
    size_t n = 0;
    while (r->pos < r->len && !strchr(" \t\r\n#", r->text[r->pos])) {
        if (n + 1 < sizeof r->tok)
            r->tok[n] = r->text[r->pos];
        n++;
        r->pos++;
        r->col++;
    }
    if (n >= sizeof r->tok)
        n = sizeof r->tok - 1; /* too long for any valid token: fails later */
    r->tok[n] = '\0';
    return r->tok;
}

static int rd_keyword(rd_t *r, const char *kw)
{
    const char *t = rd_next(r);
    if (strcmp(t, kw) != 0)
        return rd_fail(r, "expected '%s'", kw);
    return SOC_OK;
}

static int rd_double(rd_t *r, double *out)
{
    const char *t = rd_next(r);
    if (t[0] == '\0')
        return rd_fail(r, "%sexpected a number, found the end of the file", "");
    char *end;
    errno = 0;
    double x = strtod(t, &end);
    if (end == t || *end != '\0' || !isfinite(x) || errno == ERANGE)
        return rd_fail(r, "'%s' is not a finite number", t);
    if (fabs(x) > MAX_PARAM)
        return rd_fail(r, "'%s' is out of range: every number of a policy must lie within "
                          "+-1e12 (larger ones overflow the network's outputs)", t);
    *out = x;
    return SOC_OK;
}

static int rd_int(rd_t *r, long lo, long hi, long *out)
{
    const char *t = rd_next(r);
    char *end;
    errno = 0;
    long x = strtol(t, &end, 10);
    if (end == t || *end != '\0' || errno != 0 || x < lo || x > hi) {
        char m[96];
        snprintf(m, sizeof m, "expected an integer in %ld..%ld, found '%%s'", lo, hi);
        return rd_fail(r, m, t);
    }
    *out = x;
    return SOC_OK;
}

static int rd_header_int(rd_t *r, const char *kw, long lo, long hi, long *out)
{
    int rc = rd_keyword(r, kw);
    return rc != SOC_OK ? rc : rd_int(r, lo, hi, out);
}

static int read_file(rd_t *r)
{
    int rc = soc__read_file(r->path, MAX_FILE, 1, &r->text, &r->len, r->err);
    if (rc != SOC_OK) {
        /* say which file it was about: soc__read_file names only the path */
        if (r->err != NULL && r->err->code == rc) {
            char m[400];
            snprintf(m, sizeof m, "%.380s", r->err->msg);
            snprintf(r->err->msg, sizeof r->err->msg, "weights file: %s", m);
        }
        return rc;
    }
    r->line = r->col = 1;
    return SOC_OK;
}

static int read_vector(rd_t *r, const char *kw, int dim, double **out)
{
    long n;
    int rc = rd_int(r, 0, MAX_WIDTH, &n);
    if (rc != SOC_OK)
        return rc;
    if (n != dim) {
        char m[120];
        snprintf(m, sizeof m, "%s has %ld values, obs_dim is %d", kw, n, dim);
        return rd_fail(r, "%s", m);
    }
    *out = malloc(sizeof **out * (size_t)(dim > 0 ? dim : 1));
    if (*out == NULL)
        return soc_error_set(r->err, SOC_ENOMEM, r->path, 0, 0, "out of memory");
    for (int i = 0; i < dim && rc == SOC_OK; i++)
        rc = rd_double(r, &(*out)[i]);
    return rc;
}

static void neural_free(neural_t *n)
{
    if (n == NULL)
        return;
    soc_obs_destroy(n->enc);
    for (int l = 0; l < MAX_LAYERS; l++) {
        free(n->layer[l].wt);
        free(n->layer[l].w);
        free(n->layer[l].b);
    }
    free(n->shift);
    free(n->scale);
    free(n->obs);
    free(n->mask);
    free(n->h[0]);
    free(n->h[1]);
    free(n);
}

/* Parse the file and build the encoder for `init`'s platform. */
/* The header of a weights file (gym/WEIGHTS.md): format and version,
 * slots, action mode, time scale, PE count, observation and action sizes. */
typedef struct nn_header {
    long slots, n_pes, dim, na;
    int mode;
    double scale_us;
} nn_header_t;

static int read_header(rd_t *r, nn_header_t *h)
{
    long v;
    int rc;
    if ((rc = rd_keyword(r, "socsim-mlp")) != SOC_OK || (rc = rd_int(r, 1, 1, &v)) != SOC_OK ||
        (rc = rd_header_int(r, "slots", 1, SOC_OBS_MAX_SLOTS, &h->slots)) != SOC_OK ||
        (rc = rd_keyword(r, "action_mode")) != SOC_OK)
        return rc;
    h->mode = soc_action_mode_parse(rd_next(r));
    if (h->mode < 0)
        return rd_fail(r, "action_mode '%s' is not pair, pe, task or plan", r->tok);
    if ((rc = rd_keyword(r, "time_scale_us")) != SOC_OK ||
        (rc = rd_double(r, &h->scale_us)) != SOC_OK)
        return rc;
    if (!(h->scale_us > 0))
        return rd_fail(r, "%stime_scale_us must be positive", "");
    if ((rc = rd_header_int(r, "n_pes", 1, MAX_WIDTH, &h->n_pes)) != SOC_OK ||
        (rc = rd_header_int(r, "obs_dim", 1, MAX_WIDTH, &h->dim)) != SOC_OK ||
        (rc = rd_header_int(r, "n_actions", 1, MAX_WIDTH, &h->na)) != SOC_OK)
        return rc;
    return SOC_OK;
}

/* The optional input normalisation (input_shift, input_scale, input_clip),
 * then the keyword `layers`. */
static int read_inputs(rd_t *r, neural_t *n, long dim)
{
    int rc;
    const char *kw = rd_next(r);
    if (strcmp(kw, "input_shift") == 0) {
        if ((rc = read_vector(r, "input_shift", (int)dim, &n->shift)) != SOC_OK)
            return rc;
        kw = rd_next(r);
    }
    if (strcmp(kw, "input_scale") == 0) {
        if ((rc = read_vector(r, "input_scale", (int)dim, &n->scale)) != SOC_OK)
            return rc;
        kw = rd_next(r);
    }
    if (strcmp(kw, "input_clip") == 0) {
        if ((rc = rd_double(r, &n->clip)) != SOC_OK)
            return rc;
        if (!(n->clip > 0))
            return rd_fail(r, "%sinput_clip must be positive", "");
        kw = rd_next(r);
    }
    if (strcmp(kw, "layers") != 0)
        return rd_fail(r, "expected 'layers', found '%s'", kw);
    return SOC_OK;
}

/* Dense layer l (1-based in messages) with `prev` inputs expected; *total
 * counts the weights read so far. */
static int read_layer(rd_t *r, layer_t *L, int l, long prev, size_t *total)
{
    long in, out;
    int rc;
    if ((rc = rd_keyword(r, "dense")) != SOC_OK || (rc = rd_int(r, 1, MAX_WIDTH, &in)) != SOC_OK ||
        (rc = rd_int(r, 1, MAX_WIDTH, &out)) != SOC_OK)
        return rc;
    if (in != prev) {
        char m[120];
        snprintf(m, sizeof m, "layer %d has %ld inputs, the previous width is %ld", l + 1, in,
                 prev);
        return rd_fail(r, "%s", m);
    }
    const char *a = rd_next(r);
    L->act = strcmp(a, "tanh") == 0 ? ACT_TANH : strcmp(a, "relu") == 0 ? ACT_RELU
                                               : strcmp(a, "linear") == 0 ? ACT_LINEAR : -1;
    if (L->act < 0)
        return rd_fail(r, "activation '%s' is not tanh, relu or linear", a);
    *total += (size_t)in * (size_t)out;
    if (*total > MAX_WEIGHTS)
        return rd_fail(r, "%smore than 2^26 weights", "");
    L->in = (int)in;
    L->out = (int)out;
    L->wt = malloc(sizeof *L->wt * (size_t)in * (size_t)out);
    L->b = malloc(sizeof *L->b * (size_t)out);
    if (L->wt == NULL || L->b == NULL)
        return soc_error_set(r->err, SOC_ENOMEM, r->path, 0, 0, "out of memory");
    for (long o = 0; o < out; o++)
        for (long i = 0; i < in; i++)
            if ((rc = rd_double(r, &L->wt[i * out + o])) != SOC_OK)
                return rc;
    for (long o = 0; o < out; o++)
        if ((rc = rd_double(r, &L->b[o])) != SOC_OK)
            return rc;
    return SOC_OK;
}

/* `layers N`, the N dense layers, `end`; *widest = the widest layer. */
static int read_layers(rd_t *r, neural_t *n, long dim, long na, long *widest)
{
    long n_layers;
    int rc = rd_int(r, 1, MAX_LAYERS, &n_layers);
    if (rc != SOC_OK)
        return rc;
    size_t total = 0;
    long prev = dim;
    *widest = dim;
    for (int l = 0; l < n_layers; l++) {
        if ((rc = read_layer(r, &n->layer[l], l, prev, &total)) != SOC_OK)
            return rc;
        prev = n->layer[l].out;
        if (prev > *widest)
            *widest = prev;
    }
    n->n_layers = (int)n_layers;
    if (prev != na) {
        char m[120];
        snprintf(m, sizeof m, "the last layer has %ld outputs, n_actions is %ld", prev, na);
        return rd_fail(r, "%s", m);
    }
    if ((rc = rd_keyword(r, "end")) != SOC_OK)
        return rc;
    if (rd_next(r)[0] != '\0')
        return rd_fail(r, "unexpected '%s' after 'end'", r->tok);
    return SOC_OK;
}

/* The network against the simulated platform: its encoder, the last layer
 * by rows (for per-action dot products), the work buffers. */
static int fit_platform(neural_t *n, const nn_header_t *h, long widest, const char *path,
                        const soc_sched_init_t *init, soc_error_t *err)
{
    if (h->n_pes != init->platform->n_pes)
        return soc_error_set(err, SOC_EINVAL, path, 0, 0,
                             "the policy was trained for %ld PEs, the platform has %d", h->n_pes,
                             init->platform->n_pes);
    soc_obs_params_t prm;
    soc_obs_params_default(&prm);
    prm.slots = (int)h->slots;
    prm.mode = (soc_action_mode_t)h->mode;
    prm.time_scale_us = h->scale_us;
    int rc = soc_obs_create(&n->enc, init->platform, init->n_apps, init->apps, &prm, err);
    if (rc != SOC_OK)
        return rc;
    n->dim = soc_obs_dim(n->enc);
    n->n_actions = soc_obs_n_actions(n->enc);
    if (n->dim != h->dim || n->n_actions != h->na)
        return soc_error_set(err, SOC_EINVAL, path, 0, 0,
                             "the policy has obs_dim %ld and n_actions %ld, this platform gives "
                             "%d and %d (different clusters?)",
                             h->dim, h->na, n->dim, n->n_actions);
    layer_t *last = &n->layer[n->n_layers - 1];
    last->w = malloc(sizeof *last->w * (size_t)last->in * (size_t)last->out);
    if (last->w == NULL)
        return soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
    for (int o = 0; o < last->out; o++)
        for (int i = 0; i < last->in; i++)
            last->w[(size_t)o * (size_t)last->in + (size_t)i] =
                last->wt[(size_t)i * (size_t)last->out + (size_t)o];
    n->plan = h->mode == SOC_ACTION_PLAN;
    n->slot_w = 5 + init->platform->n_clusters + init->platform->n_pes;
    n->pe_base = n->plan ? 0 : (int)h->slots * n->slot_w;
    n->obs = malloc(sizeof *n->obs * (size_t)n->dim);
    n->mask = malloc((size_t)n->n_actions);
    n->h[0] = malloc(sizeof *n->h[0] * (size_t)widest);
    n->h[1] = malloc(sizeof *n->h[1] * (size_t)widest);
    if (!n->obs || !n->mask || !n->h[0] || !n->h[1])
        return soc_error_set(err, SOC_ENOMEM, path, 0, 0, "out of memory");
    return SOC_OK;
}

static int neural_load(neural_t *n, const char *path, const soc_sched_init_t *init,
                       soc_error_t *err)
{
    rd_t r;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.err = err;
    nn_header_t h;
    long widest = 0;
    int rc = read_file(&r);
    if (rc == SOC_OK)
        rc = read_header(&r, &h);
    if (rc == SOC_OK)
        rc = read_inputs(&r, n, h.dim);
    if (rc == SOC_OK)
        rc = read_layers(&r, n, h.dim, h.na, &widest);
    if (rc == SOC_OK)
        rc = fit_platform(n, &h, widest, path, init, err);
    free(r.text);
    return rc;
}

static int neural_create(void **state, const soc_sched_init_t *init)
{
    *state = NULL;
    soc_error_t err;
    soc_error_clear(&err);
    int rc;
    neural_t *n = NULL;
    if (init == NULL || init->platform == NULL) {
        rc = soc_error_set(&err, SOC_EINVAL, NULL, 0, 0, "neural: no platform");
        goto fail;
    }
    if (init->arg == NULL || init->arg[0] == '\0') {
        rc = soc_error_set(&err, SOC_EINVAL, NULL, 0, 0,
                           "neural needs weights: --scheduler neural:FILE "
                           "(format: gym/WEIGHTS.md)");
        goto fail;
    }
    n = calloc(1, sizeof *n);
    if (n == NULL) {
        rc = soc_error_set(&err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    rc = neural_load(n, init->arg, init, &err);
    if (rc != SOC_OK)
        goto fail;
    *state = n;
    return SOC_OK;
fail:
    /* hand the detailed message (file:line:col of the weights file) to the
     * host when it offers a place for it */
    if (SOC_SCHED_INIT_HAS_ERR(init))
        soc_error_set(init->err, err.code ? err.code : rc, err.file, err.line, err.col, "%s",
                      err.msg[0] ? err.msg : soc_strerror(rc));
    neural_free(n);
    return rc;
}

static void neural_destroy(void *state)
{
    neural_free(state);
}

/* y = b + W^T x over input rows [r0, r1) of a transposed layer (rows
 * before r0 were added by an earlier call). */
static void dense_rows(const layer_t *L, const double *x, double *y, int r0, int r1)
{
    if (r1 <= r0)
        return;
    gsl_matrix_const_view W = gsl_matrix_const_view_array(L->wt + (size_t)r0 * (size_t)L->out,
                                                          (size_t)(r1 - r0), (size_t)L->out);
    gsl_vector_const_view xv = gsl_vector_const_view_array(x + r0, (size_t)(r1 - r0));
    gsl_vector_view yv = gsl_vector_view_array(y, (size_t)L->out);
    gsl_blas_dgemv(CblasTrans, 1.0, &W.matrix, &xv.vector, 1.0, &yv.vector);
}

static void activate(const layer_t *L, double *y)
{
    if (L->act == ACT_TANH) {
        for (int o = 0; o < L->out; o++)
            y[o] = tanh(y[o]);
    } else if (L->act == ACT_RELU) {
        for (int o = 0; o < L->out; o++)
            y[o] = y[o] > 0 ? y[o] : 0;
    }
}

/* Forward pass of the current observation; returns the valid action of
 * largest logit (ties: lowest index), -1 if the mask is empty, -2 if a
 * logit is not finite (the network overflowed on this input). */
static int64_t forward(neural_t *n)
{
    double *x = n->h[0];
    for (int i = 0; i < n->dim; i++) {
        double v = n->obs[i];
        if (n->shift != NULL)
            v -= n->shift[i];
        if (n->scale != NULL)
            v *= n->scale[i];
        if (n->clip > 0)
            v = v < -n->clip ? -n->clip : v > n->clip ? n->clip : v;
        x[i] = v;
    }
    /* occupied slots form a prefix; the others contribute exact zeros
     * (slot modes; plan mode has pe_base 0: every row counts) */
    int live_end = n->pe_base;
    if (n->shift == NULL && !n->plan) {
        int k = 0;
        while (k * n->slot_w < n->pe_base && n->obs[k * n->slot_w] != 0.0f)
            k++;
        live_end = k * n->slot_w;
    }
    int cur = 0;
    for (int l = 0; l < n->n_layers; l++) {
        const layer_t *L = &n->layer[l];
        const double *in = n->h[cur];
        if (l == n->n_layers - 1) {
            int64_t best = -1;
            double bv = 0;
            gsl_vector_const_view xv = gsl_vector_const_view_array(in, (size_t)L->in);
            for (int a = 0; a < L->out; a++) {
                if (!n->mask[a])
                    continue;
                gsl_vector_const_view wv =
                    gsl_vector_const_view_array(L->w + (size_t)a * (size_t)L->in, (size_t)L->in);
                double z;
                gsl_blas_ddot(&wv.vector, &xv.vector, &z);
                z += L->b[a];
                if (L->act == ACT_TANH)
                    z = tanh(z);
                else if (L->act == ACT_RELU)
                    z = z > 0 ? z : 0;
                if (!isfinite(z))
                    return -2; /* overflow: reported by neural_schedule */
                if (best < 0 || z > bv) {
                    best = a;
                    bv = z;
                }
            }
            return best;
        }
        double *y = n->h[1 - cur];
        memcpy(y, L->b, sizeof *y * (size_t)L->out);
        if (l == 0) {
            dense_rows(L, in, y, 0, live_end);
            dense_rows(L, in, y, n->pe_base, L->in);
        } else {
            dense_rows(L, in, y, 0, L->in);
        }
        activate(L, y);
        cur = 1 - cur;
    }
    return -1;
}

static int neural_schedule(void *state, soc_view_t *v)
{
    neural_t *n = state;
    if (n == NULL)
        return SOC_EINVAL;
    /* each round assigns one task: n_ready + 1 rounds always suffice, and
     * in plan mode the tasks of the ready tasks' jobs */
    long rounds = v->n_ready;
    if (n->plan)
        for (int i = 0; i < v->n_ready; i++)
            rounds += v->ready[i].app >= 0 && v->ready[i].app < v->n_apps
                          ? v->apps[v->ready[i].app].n_tasks
                          : 0;
    for (long round = 0; round <= rounds; round++) {
        int valid = soc_obs_encode(n->enc, v, n->obs, n->mask);
        if (valid < 0)
            return valid;
        if (valid == 0)
            return SOC_OK;
        int64_t best = forward(n);
        if (best == -2)
            return SOC_EMATH; /* a logit overflowed: no decision can be trusted */
        soc_task_ref_t ref;
        int pe;
        soc_time_t key;
        int rc = soc_obs_decode_key(n->enc, v, best, &ref, &pe, &key);
        if (rc < 0)
            return rc;
        rc = v->api->assign(v, ref, pe, key);
        if (rc != SOC_OK)
            return rc;
    }
    return SOC_OK;
}

const soc_sched_ops_t soc_sched_neural = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "neural",
    .description = "MLP policy from the RL environment (neural:WEIGHTS, gym/WEIGHTS.md)",
    .flags = 0,
    .create = neural_create,
    .destroy = neural_destroy,
    .on_job_arrival = NULL,
    .schedule = neural_schedule,
};
