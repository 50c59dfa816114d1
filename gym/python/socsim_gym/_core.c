/*
 * _core.c -- in-process binding of the socsim C library for socsim_gym
 * (a CPython extension module, linked with the static libsocsim.a).
 *
 * Three objects:
 *   Env       one soc_env_t; reset/step write into numpy arrays the caller
 *             bound once (bind()), so a step costs one C call, one info
 *             dict and no allocation of arrays;
 *   VecEnv    N soc_env_t stepped in one call, infos as numeric columns,
 *             optional same-step autoreset with per-episode seeds from
 *             soc_env_episode_seed(base, index, episode);
 *   run()     one whole simulation with a scheduler -> metrics dict
 *             (the numbers of `socsim run --json`);
 *   Sweep, Results  the sweep API and results store (_study.c).
 * Buffers are taken through the buffer protocol (no numpy C API, so the
 * module builds without numpy headers).  Ownership: each object owns its
 * environments and the Py_buffer views it holds; the GIL is held
 * throughout (steps are microseconds).  Errors of the library become
 * socsim_gym._core.Error (a RuntimeError) carrying the status name.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "soc/gym.h"
#include "soc/metrics.h"
#include "soc/study.h"
#include "soc/schedulers.h"
#include "soc/workload.h"

#include "_study.h"

static PyObject *CoreError;

/* info keys, interned once */
enum {
    K_T_US, K_DT_US, K_STEP, K_INVALID, K_JOB, K_TASK, K_PE, K_N_READY, K_JOBS_IN,
    K_COMPLETED, K_INJECTED, K_CUM, K_AVG, K_EPR, K_DONE, K_SEED, K_COMP_ALL,
    K_INJ_ALL, K_EXPERT, K_ENERGY, K_COMPLETIONS, K_N
};
static const char *const key_names[K_N] = {
    "t_us", "dt_us", "step", "invalid_action", "job", "task", "pe", "n_ready",
    "jobs_in_system", "completed_jobs", "injected_jobs", "cum_latency_us", "avg_latency_us",
    "episode_reward", "done", "seed", "completed_jobs_all", "injected_jobs_all", "expert",
    "energy_j", "completions"};
static PyObject *keys[K_N];

static PyObject *raise_soc(int rc, const soc_error_t *err)
{
    char buf[1200];
    PyErr_Format(CoreError, "%s: %s", soc_status_name(rc),
                 soc_error_format(err, buf, sizeof buf));
    return NULL;
}

/* Load a config from YAML text, a file, or the embedded default. */
static int load_config(soc_config_t *cfg, PyObject *text, PyObject *path)
{
    soc_error_t err = {0};
    int rc;
    if (text != NULL && text != Py_None && path != NULL && path != Py_None) {
        PyErr_SetString(PyExc_ValueError, "give config (YAML text) or config_path, not both");
        return -1;
    }
    if (path != NULL && path != Py_None) {
        PyObject *b = NULL;
        if (!PyUnicode_FSConverter(path, &b))
            return -1;
        rc = soc_load_yaml(cfg, PyBytes_AS_STRING(b), &err);
        Py_DECREF(b);
    } else {
        const char *t = soc_default_config_yaml();
        const char *name = "default";
        if (text != NULL && text != Py_None) {
            t = PyUnicode_AsUTF8(text);
            if (t == NULL)
                return -1;
            name = "<config>";
        }
        rc = soc_load_yaml_string(cfg, t, name, NULL, &err);
    }
    if (rc != SOC_OK) {
        raise_soc(rc, &err);
        return -1;
    }
    return 0;
}

/* Options dict {key: str|int|float} -> soc_env_options_t. */
static int parse_options(PyObject *opts, soc_env_options_t *o)
{
    soc_env_options_default(o);
    if (opts == NULL || opts == Py_None)
        return 0;
    if (!PyDict_Check(opts)) {
        PyErr_SetString(PyExc_TypeError, "options must be a dict");
        return -1;
    }
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(opts, &pos, &k, &v)) {
        if (PyBool_Check(v)) {
            PyErr_Format(PyExc_TypeError, "option %R: give a number or a string, not a bool", k);
            return -1;
        }
        PyObject *ks = PyObject_Str(k), *vs = PyObject_Str(v);
        if (ks == NULL || vs == NULL) {
            Py_XDECREF(ks);
            Py_XDECREF(vs);
            return -1;
        }
        PyObject *kv = PyUnicode_FromFormat("%U=%U", ks, vs);
        Py_DECREF(ks);
        Py_DECREF(vs);
        if (kv == NULL)
            return -1;
        soc_error_t err = {0};
        int rc = soc_env_options_set(o, PyUnicode_AsUTF8(kv), &err);
        Py_DECREF(kv);
        if (rc != SOC_OK) {
            raise_soc(rc, &err);
            return -1;
        }
    }
    return 0;
}

static int create_env(soc_env_t **out, PyObject *text, PyObject *path, PyObject *opts)
{
    soc_env_options_t o;
    if (parse_options(opts, &o) != 0)
        return -1;
    soc_config_t cfg;
    if (load_config(&cfg, text, path) != 0)
        return -1;
    soc_error_t err = {0};
    int rc = soc_env_create(out, &cfg, &o, &err);
    soc_config_free(&cfg);
    if (rc != SOC_OK) {
        raise_soc(rc, &err);
        return -1;
    }
    return 0;
}

/* A writable C-contiguous buffer of at least `bytes` bytes. */
static int get_buf(PyObject *obj, Py_buffer *view, Py_ssize_t bytes, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) != 0)
        return -1;
    if (view->len < bytes) {
        PyErr_Format(PyExc_ValueError, "%s buffer has %zd bytes, needs %zd", what, view->len,
                     bytes);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static int set_item(PyObject *d, int k, PyObject *v)
{
    if (v == NULL)
        return -1;
    int rc = PyDict_SetItem(d, keys[k], v);
    Py_DECREF(v);
    return rc;
}

static PyObject *completions_list(const soc_env_t *env)
{
    int n = 0;
    const soc_env_completion_t *c = soc_env_completions(env, &n);
    PyObject *l = PyList_New(n);
    if (l == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *t = Py_BuildValue("(KiOddd)", (unsigned long long)c[i].job, c[i].app,
                                    c[i].measured ? Py_True : Py_False, c[i].arrival_us,
                                    c[i].finish_us, c[i].latency_us);
        if (t == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, t);
    }
    return l;
}

static PyObject *info_dict(const soc_env_info_t *i, const soc_env_t *env)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, K_T_US, PyFloat_FromDouble(i->t_us)) ||
        set_item(d, K_DT_US, PyFloat_FromDouble(i->dt_us)) ||
        set_item(d, K_STEP, PyLong_FromLongLong(i->step)) ||
        set_item(d, K_INVALID, PyBool_FromLong(i->invalid_action)) ||
        set_item(d, K_JOB, PyLong_FromLongLong(i->job)) ||
        set_item(d, K_TASK, PyLong_FromLong(i->task)) ||
        set_item(d, K_PE, PyLong_FromLong(i->pe)) ||
        set_item(d, K_N_READY, PyLong_FromLong(i->n_ready)) ||
        set_item(d, K_JOBS_IN, PyLong_FromLong(i->jobs_in_system)) ||
        set_item(d, K_COMPLETED, PyLong_FromLongLong(i->completed_jobs)) ||
        set_item(d, K_INJECTED, PyLong_FromLongLong(i->injected_jobs)) ||
        set_item(d, K_CUM, PyFloat_FromDouble(i->cum_latency_us)) ||
        set_item(d, K_AVG, PyFloat_FromDouble(i->avg_latency_us)) ||
        set_item(d, K_EPR, PyFloat_FromDouble(i->episode_reward)) ||
        set_item(d, K_DONE, PyBool_FromLong(i->done)) ||
        set_item(d, K_SEED, PyLong_FromUnsignedLongLong(i->seed)) ||
        set_item(d, K_COMP_ALL, PyLong_FromLongLong(i->completed_jobs_all)) ||
        set_item(d, K_INJ_ALL, PyLong_FromLongLong(i->injected_jobs_all)) ||
        set_item(d, K_EXPERT, PyLong_FromLongLong(i->expert)) ||
        set_item(d, K_ENERGY, PyFloat_FromDouble(i->energy_j)) ||
        set_item(d, K_COMPLETIONS, i->n_completions > 0 && env != NULL ? completions_list(env)
                                                                        : PyList_New(0))) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* Resolved options and names of an env, as the socket's make reply. */
static PyObject *describe_env(soc_env_t *env)
{
    soc_env_spaces_t sp;
    soc_env_options_t o;
    soc_env_spaces(env, &sp);
    soc_env_get_options(env, &o);
    const soc_config_t *cfg = soc_env_config(env);
    PyObject *pes = PyList_New(sp.n_pes), *feat = PyList_New(sp.obs_dim);
    int nn = SOC_OBS_NODE_FIXED + sp.n_clusters;
    PyObject *nodef = PyList_New(nn);
    if (pes == NULL || feat == NULL || nodef == NULL)
        goto fail;
    char name[200];
    for (int p = 0; p < sp.n_pes; p++) {
        const char *cn = cfg->platform.clusters[cfg->platform.pe_cluster[p]].name;
        snprintf(name, sizeof name, "%s_%d", cn != NULL ? cn : "pe", p);
        PyObject *s = PyUnicode_FromString(name);
        if (s == NULL)
            goto fail;
        PyList_SET_ITEM(pes, p, s);
    }
    for (int i = 0; i < sp.obs_dim; i++) {
        soc_env_feature_name(env, i, name, sizeof name);
        PyObject *s = PyUnicode_FromString(name);
        if (s == NULL)
            goto fail;
        PyList_SET_ITEM(feat, i, s);
    }
    for (int i = 0; i < nn; i++) {
        soc_env_node_feature_name(env, i, name, sizeof name);
        PyObject *s = PyUnicode_FromString(name);
        if (s == NULL)
            goto fail;
        PyList_SET_ITEM(nodef, i, s);
    }
    PyObject *opts = Py_BuildValue(
        "{s:i,s:s,s:s,s:d,s:d,s:d,s:L,s:d,s:s,s:d,s:s,s:i}", "slots", o.obs.slots,
        "action_mode", soc_action_mode_name(o.obs.mode), "reward", soc_reward_kind_name(o.reward),
        "reward_norm", o.reward_norm, "invalid_penalty", o.invalid_penalty, "time_us", o.time_us,
        "jobs", (long long)o.jobs, "time_scale_us", o.obs.time_scale_us, "reward_jobs",
        soc_reward_jobs_name(o.reward_jobs), "energy_norm", o.energy_norm, "expert",
        soc_expert_kind_name(o.expert), "graph", o.graph);
    if (opts == NULL)
        goto fail;
    PyObject *r = Py_BuildValue(
        "{s:i,s:i,s:i,s:i,s:N,s:N,s:N,s:N,s:y#,s:y#}", "obs_dim", sp.obs_dim, "n_actions",
        sp.n_actions, "n_pes", sp.n_pes, "n_clusters", sp.n_clusters, "options", opts, "pes",
        pes, "features", feat, "node_features", nodef, "low", (const char *)sp.low,
        (Py_ssize_t)(sizeof(float) * (size_t)sp.obs_dim), "high", (const char *)sp.high,
        (Py_ssize_t)(sizeof(float) * (size_t)sp.obs_dim));
    return r;
fail:
    Py_XDECREF(pes);
    Py_XDECREF(feat);
    Py_XDECREF(nodef);
    return NULL;
}

static PyObject *graph_tuple(soc_env_t *env)
{
    soc_obs_graph_t g;
    int rc = soc_env_graph(env, &g);
    if (rc != SOC_OK) {
        soc_error_t err = {0};
        soc_error_set(&err, rc, NULL, 0, 0, "no graph (reset first)");
        return raise_soc(rc, &err);
    }
    /* node_job as raw u64 bytes; numpy reads it with frombuffer */
    return Py_BuildValue(
        "{s:y#,s:i,s:i,s:y#,s:y#,s:i,s:y#,s:y#,s:y#}", "nodes", (const char *)g.nodes,
        (Py_ssize_t)(sizeof(float) * (size_t)g.n_nodes * (size_t)g.node_dim), "n_nodes", g.n_nodes,
        "node_dim", g.node_dim, "edges", (const char *)g.edges,
        (Py_ssize_t)(sizeof(float) * (size_t)g.n_edges), "edge_links", (const char *)g.edge_links,
        (Py_ssize_t)(sizeof(int64_t) * 2 * (size_t)g.n_edges), "n_pes", g.n_pes, "pes",
        (const char *)g.pes, (Py_ssize_t)(sizeof(float) * (size_t)g.n_pes * SOC_OBS_PE_FEATURES),
        "node_job", (const char *)g.node_job, (Py_ssize_t)(sizeof(uint64_t) * (size_t)g.n_nodes),
        "node_task", (const char *)g.node_task, (Py_ssize_t)(sizeof(int32_t) * (size_t)g.n_nodes));
}

/* A JSON text of the library (soc_metrics_json: the one metric table) as
 * a Python dict, through the json module; takes ownership of text. */
static PyObject *json_dict(char *text)
{
    if (text == NULL)
        return PyErr_NoMemory();
    PyObject *mod = PyImport_ImportModule("json"), *d = NULL;
    if (mod != NULL) {
        d = PyObject_CallMethod(mod, "loads", "s", text);
        Py_DECREF(mod);
    }
    free(text);
    return d;
}

/* The metrics as `socsim run --json` writes them (every field of the
 * metric table, null where absent; lists and PE names). */
static PyObject *metrics_dict(const soc_metrics_t *m)
{
    return json_dict(soc_metrics_json(m, NULL));
}

/* ================================================================ Env */

typedef struct {
    PyObject_HEAD
    soc_env_t *env;
    int dim, na;
    Py_buffer obs, mask;   /* bound output arrays */
    int bound;
} EnvObject;

static void env_unbind(EnvObject *self)
{
    if (self->bound) {
        PyBuffer_Release(&self->obs);
        PyBuffer_Release(&self->mask);
        self->bound = 0;
    }
}

static void Env_dealloc(EnvObject *self)
{
    env_unbind(self);
    soc_env_destroy(self->env);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Env_init(EnvObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"config", "config_path", "options", NULL};
    PyObject *text = Py_None, *path = Py_None, *opts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOO", kwl, &text, &path, &opts))
        return -1;
    if (self->env != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Env already initialised");
        return -1;
    }
    if (create_env(&self->env, text, path, opts) != 0)
        return -1;
    soc_env_spaces_t sp;
    soc_env_spaces(self->env, &sp);
    self->dim = sp.obs_dim;
    self->na = sp.n_actions;
    return 0;
}

static PyObject *Env_bind(EnvObject *self, PyObject *args)
{
    PyObject *o, *m;
    if (!PyArg_ParseTuple(args, "OO", &o, &m))
        return NULL;
    Py_buffer bo, bm;
    if (get_buf(o, &bo, (Py_ssize_t)sizeof(float) * self->dim, "obs") != 0)
        return NULL;
    if (get_buf(m, &bm, self->na, "mask") != 0) {
        PyBuffer_Release(&bo);
        return NULL;
    }
    env_unbind(self);
    self->obs = bo;
    self->mask = bm;
    self->bound = 1;
    Py_RETURN_NONE;
}

static int need_bound(EnvObject *self)
{
    if (!self->bound) {
        PyErr_SetString(PyExc_RuntimeError, "bind(obs, mask) first");
        return -1;
    }
    return 0;
}

static PyObject *Env_reset(EnvObject *self, PyObject *args)
{
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "K", &seed) || need_bound(self) != 0)
        return NULL;
    soc_env_info_t info;
    soc_error_t err = {0};
    int rc = soc_env_reset(self->env, (uint64_t)seed, self->obs.buf, self->mask.buf, &info, &err);
    if (rc != SOC_OK)
        return raise_soc(rc, &err);
    return info_dict(&info, self->env);
}

static PyObject *Env_step(EnvObject *self, PyObject *arg)
{
    long long a = PyLong_AsLongLong(arg);
    if (a == -1 && PyErr_Occurred()) {
        /* out of int64: an invalid action like any other */
        if (!PyErr_ExceptionMatches(PyExc_OverflowError))
            return NULL;
        PyErr_Clear();
        a = -1;
    }
    if (need_bound(self) != 0)
        return NULL;
    soc_env_step_t st;
    soc_error_t err = {0};
    int rc = soc_env_step(self->env, (int64_t)a, self->obs.buf, self->mask.buf, &st, &err);
    if (rc != SOC_OK) {
        if (rc == SOC_ESTATE) {
            char buf[600];
            PyErr_SetString(PyExc_RuntimeError, soc_error_format(&err, buf, sizeof buf));
            return NULL;
        }
        return raise_soc(rc, &err);
    }
    PyObject *info = info_dict(&st.info, self->env);
    if (info == NULL)
        return NULL;
    return Py_BuildValue("(dOON)", st.reward, st.terminated ? Py_True : Py_False,
                         st.truncated ? Py_True : Py_False, info);
}

static PyObject *Env_describe(EnvObject *self, PyObject *Py_UNUSED(x))
{
    return describe_env(self->env);
}

static PyObject *Env_graph(EnvObject *self, PyObject *Py_UNUSED(x))
{
    return graph_tuple(self->env);
}

static PyObject *Env_completions(EnvObject *self, PyObject *Py_UNUSED(x))
{
    return completions_list(self->env);
}

static PyObject *Env_metrics(EnvObject *self, PyObject *Py_UNUSED(x))
{
    soc_metrics_t m;
    soc_env_metrics(self->env, &m);
    return metrics_dict(&m);
}

static PyObject *Env_running(EnvObject *self, void *Py_UNUSED(c))
{
    return PyBool_FromLong(soc_env_running(self->env));
}

static PyMethodDef Env_methods[] = {
    {"bind", (PyCFunction)Env_bind, METH_VARARGS,
     "bind(obs, mask): the float32[obs_dim] and uint8/int8[n_actions] arrays reset and step "
     "write into"},
    {"reset", (PyCFunction)Env_reset, METH_VARARGS, "reset(seed) -> info"},
    {"step", (PyCFunction)Env_step, METH_O,
     "step(action) -> (reward, terminated, truncated, info)"},
    {"describe", (PyCFunction)Env_describe, METH_NOARGS, "spaces, options, names"},
    {"graph", (PyCFunction)Env_graph, METH_NOARGS, "graph observation (raw bytes)"},
    {"completions", (PyCFunction)Env_completions, METH_NOARGS,
     "jobs completed by the last step: (job, app, measured, arrival_us, finish_us, latency_us)"},
    {"metrics", (PyCFunction)Env_metrics, METH_NOARGS, "metrics of the simulation so far"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Env_getset[] = {
    {"running", (getter)Env_running, NULL, "an episode is running", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject EnvType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "socsim_gym._core.Env",
    .tp_basicsize = sizeof(EnvObject),
    .tp_dealloc = (destructor)Env_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Env(config=None, config_path=None, options=None): one socsim environment",
    .tp_methods = Env_methods,
    .tp_getset = Env_getset,
    .tp_init = (initproc)Env_init,
    .tp_new = PyType_GenericNew,
};

/* ============================================================= VecEnv */

/* numeric info columns of VecEnv.step, in this order */
enum {
    VF_T_US, VF_DT_US, VF_CUM, VF_AVG, VF_EPR, VF_ENERGY, VF_N
};
enum {
    VI_STEP, VI_INVALID, VI_JOB, VI_TASK, VI_PE, VI_N_READY, VI_JOBS_IN, VI_COMPLETED,
    VI_INJECTED, VI_DONE, VI_COMP_ALL, VI_INJ_ALL, VI_EXPERT, VI_N_COMPLETIONS, VI_N
};
static const char *const vf_names[VF_N] = {"t_us", "dt_us", "cum_latency_us", "avg_latency_us",
                                           "episode_reward", "energy_j"};
static const char *const vi_names[VI_N] = {
    "step", "invalid_action", "job", "task", "pe", "n_ready", "jobs_in_system", "completed_jobs",
    "injected_jobs", "done", "completed_jobs_all", "injected_jobs_all", "expert",
    "n_completions"};

typedef struct {
    PyObject_HEAD
    soc_env_t **envs;
    int n, dim, na;
    uint64_t base;
    uint64_t *episode;     /* episodes started per env */
    uint64_t *seed;        /* current seed per env */
    /* bound arrays */
    Py_buffer b[9];
    int bound;
} VecObject;

enum { B_OBS, B_MASK, B_REW, B_TERM, B_TRUNC, B_INFOF, B_INFOI, B_SEED, B_FINAL };

static void vec_unbind(VecObject *self)
{
    if (self->bound) {
        for (int i = 0; i < 9; i++)
            PyBuffer_Release(&self->b[i]);
        self->bound = 0;
    }
}

static void Vec_dealloc(VecObject *self)
{
    vec_unbind(self);
    if (self->envs != NULL)
        for (int i = 0; i < self->n; i++)
            soc_env_destroy(self->envs[i]);
    PyMem_Free(self->envs);
    PyMem_Free(self->episode);
    PyMem_Free(self->seed);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Vec_init(VecObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"num_envs", "config", "config_path", "options", NULL};
    int n;
    PyObject *text = Py_None, *path = Py_None, *opts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "i|OOO", kwl, &n, &text, &path, &opts))
        return -1;
    if (n < 1 || n > (1 << 24)) {
        PyErr_SetString(PyExc_ValueError, "num_envs must be in 1..2^24");
        return -1;
    }
    if (self->envs != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "VecEnv already initialised");
        return -1;
    }
    self->envs = PyMem_Calloc((size_t)n, sizeof *self->envs);
    self->episode = PyMem_Calloc((size_t)n, sizeof *self->episode);
    self->seed = PyMem_Calloc((size_t)n, sizeof *self->seed);
    if (self->envs == NULL || self->episode == NULL || self->seed == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->n = n;
    /* one config load, then copies (soc_env_create copies the config) */
    soc_env_options_t o;
    if (parse_options(opts, &o) != 0)
        return -1;
    soc_config_t cfg;
    if (load_config(&cfg, text, path) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        soc_error_t err = {0};
        int rc = soc_env_create(&self->envs[i], &cfg, &o, &err);
        if (rc != SOC_OK) {
            soc_config_free(&cfg);
            raise_soc(rc, &err);
            return -1;
        }
    }
    soc_config_free(&cfg);
    soc_env_spaces_t sp;
    soc_env_spaces(self->envs[0], &sp);
    self->dim = sp.obs_dim;
    self->na = sp.n_actions;
    return 0;
}

static PyObject *Vec_bind(VecObject *self, PyObject *args)
{
    PyObject *o[9];
    if (!PyArg_ParseTuple(args, "OOOOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6],
                          &o[7], &o[8]))
        return NULL;
    Py_ssize_t n = self->n;
    const Py_ssize_t need[9] = {n * self->dim * (Py_ssize_t)sizeof(float),
                                n * self->na,
                                n * (Py_ssize_t)sizeof(double),
                                n,
                                n,
                                n * VF_N * (Py_ssize_t)sizeof(double),
                                n * VI_N * (Py_ssize_t)sizeof(int64_t),
                                n * (Py_ssize_t)sizeof(uint64_t),
                                n * self->dim * (Py_ssize_t)sizeof(float)};
    static const char *const what[9] = {"obs", "mask", "rewards", "terminated", "truncated",
                                        "info_f", "info_i", "seeds", "final_obs"};
    Py_buffer b[9];
    for (int i = 0; i < 9; i++)
        if (get_buf(o[i], &b[i], need[i], what[i]) != 0) {
            for (int k = 0; k < i; k++)
                PyBuffer_Release(&b[k]);
            return NULL;
        }
    vec_unbind(self);
    memcpy(self->b, b, sizeof b);
    self->bound = 1;
    Py_RETURN_NONE;
}

static void put_row(VecObject *self, int i, const soc_env_info_t *info)
{
    double *f = (double *)self->b[B_INFOF].buf + (size_t)i * VF_N;
    int64_t *k = (int64_t *)self->b[B_INFOI].buf + (size_t)i * VI_N;
    f[VF_T_US] = info->t_us;
    f[VF_DT_US] = info->dt_us;
    f[VF_CUM] = info->cum_latency_us;
    f[VF_AVG] = info->avg_latency_us;
    f[VF_EPR] = info->episode_reward;
    f[VF_ENERGY] = info->energy_j;
    k[VI_STEP] = info->step;
    k[VI_INVALID] = info->invalid_action;
    k[VI_JOB] = info->job;
    k[VI_TASK] = info->task;
    k[VI_PE] = info->pe;
    k[VI_N_READY] = info->n_ready;
    k[VI_JOBS_IN] = info->jobs_in_system;
    k[VI_COMPLETED] = info->completed_jobs;
    k[VI_INJECTED] = info->injected_jobs;
    k[VI_DONE] = info->done;
    k[VI_COMP_ALL] = info->completed_jobs_all;
    k[VI_INJ_ALL] = info->injected_jobs_all;
    k[VI_EXPERT] = info->expert;
    k[VI_N_COMPLETIONS] = info->n_completions;
    ((uint64_t *)self->b[B_SEED].buf)[i] = info->seed;
}

static int vec_reset_one(VecObject *self, int i, uint64_t seed)
{
    soc_env_info_t info;
    soc_error_t err = {0};
    int rc = soc_env_reset(self->envs[i], seed,
                           (float *)self->b[B_OBS].buf + (size_t)i * (size_t)self->dim,
                           (uint8_t *)self->b[B_MASK].buf + (size_t)i * (size_t)self->na, &info,
                           &err);
    if (rc != SOC_OK) {
        raise_soc(rc, &err);
        return -1;
    }
    self->seed[i] = seed;
    self->episode[i]++;
    put_row(self, i, &info);
    return 0;
}

/* reset(base, which): reset the envs of the uint8 mask `which` (None = all)
 * with seeds soc_env_episode_seed(base, i, episode); base None keeps the
 * previous base (a partial reset continues each env's episode count). */
static PyObject *Vec_reset(VecObject *self, PyObject *args)
{
    PyObject *base = Py_None, *which = Py_None;
    if (!PyArg_ParseTuple(args, "|OO", &base, &which))
        return NULL;
    if (!self->bound) {
        PyErr_SetString(PyExc_RuntimeError, "bind(...) first");
        return NULL;
    }
    Py_buffer w = {0};
    int have_w = 0;
    if (which != Py_None) {
        if (PyObject_GetBuffer(which, &w, PyBUF_C_CONTIGUOUS) != 0)
            return NULL;
        have_w = 1;
        if (w.len < self->n) {
            PyBuffer_Release(&w);
            PyErr_SetString(PyExc_ValueError, "which: one byte per env");
            return NULL;
        }
    }
    if (base != Py_None) {
        unsigned long long b = PyLong_AsUnsignedLongLongMask(base);
        if (PyErr_Occurred()) {
            if (have_w)
                PyBuffer_Release(&w);
            return NULL;
        }
        self->base = (uint64_t)b;
        for (int i = 0; i < self->n; i++)
            self->episode[i] = 0;
    }
    for (int i = 0; i < self->n; i++) {
        if (have_w && !((const unsigned char *)w.buf)[i])
            continue;
        uint64_t s = soc_env_episode_seed(self->base, (uint64_t)i, self->episode[i]);
        if (vec_reset_one(self, i, s) != 0) {
            if (have_w)
                PyBuffer_Release(&w);
            return NULL;
        }
    }
    if (have_w)
        PyBuffer_Release(&w);
    Py_RETURN_NONE;
}

/* The argument buffers of a bound vector: `a` required, `b` optional (None:
 * *have_b = 0).  0, or -1 with the exception set and nothing held. */
static int vec_buffers(VecObject *self, PyObject *a, Py_buffer *ab, PyObject *b, Py_buffer *bb,
                       int *have_b)
{
    *have_b = 0;
    if (!self->bound) {
        PyErr_SetString(PyExc_RuntimeError, "bind(...) first");
        return -1;
    }
    if (PyObject_GetBuffer(a, ab, PyBUF_C_CONTIGUOUS) != 0)
        return -1;
    if (b != Py_None) {
        if (PyObject_GetBuffer(b, bb, PyBUF_C_CONTIGUOUS) != 0) {
            PyBuffer_Release(ab);
            return -1;
        }
        *have_b = 1;
    }
    return 0;
}

/* reset_seeds(seeds, which): explicit seeds (a u64 buffer, one per env). */
static PyObject *Vec_reset_seeds(VecObject *self, PyObject *args)
{
    PyObject *seeds, *which = Py_None;
    if (!PyArg_ParseTuple(args, "O|O", &seeds, &which))
        return NULL;
    Py_buffer sb, w = {0};
    int have_w;
    if (vec_buffers(self, seeds, &sb, which, &w, &have_w) != 0)
        return NULL;
    PyObject *ret = Py_None;
    if (sb.len < (Py_ssize_t)sizeof(uint64_t) * self->n || (have_w && w.len < self->n)) {
        PyErr_SetString(PyExc_ValueError, "seeds: one u64 per env; which: one byte per env");
        ret = NULL;
    } else {
        for (int i = 0; i < self->n; i++) {
            if (have_w && !((const unsigned char *)w.buf)[i])
                continue;
            if (vec_reset_one(self, i, ((const uint64_t *)sb.buf)[i]) != 0) {
                ret = NULL;
                break;
            }
        }
    }
    PyBuffer_Release(&sb);
    if (have_w)
        PyBuffer_Release(&w);
    if (ret == NULL)
        return NULL;
    Py_RETURN_NONE;
}

/* step(actions, skip, autoreset): actions an int64 buffer; skip a uint8
 * buffer or None: envs to reset instead of stepping (Gymnasium NEXT_STEP);
 * autoreset: reset the envs whose episode ends now, their last observation
 * going to final_obs (SB3 / SAME_STEP).  Returns the number of envs reset
 * (their rows of terminated/truncated tell which; skipped ones too). */
static PyObject *Vec_step(VecObject *self, PyObject *args)
{
    PyObject *acts, *skip = Py_None;
    int autoreset = 0;
    if (!PyArg_ParseTuple(args, "O|Op", &acts, &skip, &autoreset))
        return NULL;
    Py_buffer ab, sk = {0};
    int have_skip;
    if (vec_buffers(self, acts, &ab, skip, &sk, &have_skip) != 0)
        return NULL;
    int n_reset = 0;
    PyObject *ret = NULL;
    if (ab.len < (Py_ssize_t)sizeof(int64_t) * self->n || (have_skip && sk.len < self->n)) {
        PyErr_SetString(PyExc_ValueError, "actions: one int64 per env; skip: one byte per env");
        goto out;
    }
    const int64_t *a = ab.buf;
    double *rew = self->b[B_REW].buf;
    uint8_t *term = self->b[B_TERM].buf, *trunc = self->b[B_TRUNC].buf;
    for (int i = 0; i < self->n; i++) {
        float *obs = (float *)self->b[B_OBS].buf + (size_t)i * (size_t)self->dim;
        uint8_t *mask = (uint8_t *)self->b[B_MASK].buf + (size_t)i * (size_t)self->na;
        if (have_skip && ((const unsigned char *)sk.buf)[i]) {
            rew[i] = 0;
            term[i] = trunc[i] = 0;
            uint64_t s = soc_env_episode_seed(self->base, (uint64_t)i, self->episode[i]);
            if (vec_reset_one(self, i, s) != 0)
                goto out;
            n_reset++;
            continue;
        }
        soc_env_step_t st;
        soc_error_t err = {0};
        int rc = soc_env_step(self->envs[i], a[i], obs, mask, &st, &err);
        if (rc != SOC_OK) {
            if (rc == SOC_ESTATE) {
                char buf[600];
                PyErr_Format(PyExc_RuntimeError, "env %d: %s", i,
                             soc_error_format(&err, buf, sizeof buf));
            } else {
                raise_soc(rc, &err);
            }
            goto out;
        }
        rew[i] = st.reward;
        term[i] = (uint8_t)st.terminated;
        trunc[i] = (uint8_t)st.truncated;
        put_row(self, i, &st.info);
        if (autoreset && (st.terminated || st.truncated)) {
            memcpy((float *)self->b[B_FINAL].buf + (size_t)i * (size_t)self->dim, obs,
                   sizeof(float) * (size_t)self->dim);
            /* the step's info row stays; the reset writes obs/mask/seed only */
            double *f = (double *)self->b[B_INFOF].buf + (size_t)i * VF_N;
            int64_t *k = (int64_t *)self->b[B_INFOI].buf + (size_t)i * VI_N;
            double fsave[VF_N];
            int64_t isave[VI_N];
            memcpy(fsave, f, sizeof fsave);
            memcpy(isave, k, sizeof isave);
            uint64_t s = soc_env_episode_seed(self->base, (uint64_t)i, self->episode[i]);
            uint64_t old_seed = self->seed[i];
            if (vec_reset_one(self, i, s) != 0)
                goto out;
            memcpy(f, fsave, sizeof fsave);
            memcpy(k, isave, sizeof isave);
            ((uint64_t *)self->b[B_SEED].buf)[i] = old_seed;
            n_reset++;
        }
    }
    ret = PyLong_FromLong(n_reset);
out:
    PyBuffer_Release(&ab);
    if (have_skip)
        PyBuffer_Release(&sk);
    return ret;
}

static PyObject *Vec_env_call(VecObject *self, PyObject *args, int what)
{
    int i;
    if (!PyArg_ParseTuple(args, "i", &i))
        return NULL;
    if (i < 0 || i >= self->n) {
        PyErr_SetString(PyExc_IndexError, "env index out of range");
        return NULL;
    }
    switch (what) {
    case 0:
        return completions_list(self->envs[i]);
    case 1:
        return graph_tuple(self->envs[i]);
    case 2: {
        soc_metrics_t m;
        soc_env_metrics(self->envs[i], &m);
        return metrics_dict(&m);
    }
    default:
        return describe_env(self->envs[i]);
    }
}

static PyObject *Vec_completions(VecObject *self, PyObject *args)
{
    return Vec_env_call(self, args, 0);
}
static PyObject *Vec_graph(VecObject *self, PyObject *args)
{
    return Vec_env_call(self, args, 1);
}
static PyObject *Vec_metrics(VecObject *self, PyObject *args)
{
    return Vec_env_call(self, args, 2);
}
static PyObject *Vec_describe(VecObject *self, PyObject *Py_UNUSED(x))
{
    return describe_env(self->envs[0]);
}

static PyObject *Vec_seeds(VecObject *self, PyObject *Py_UNUSED(x))
{
    PyObject *l = PyList_New(self->n);
    if (l == NULL)
        return NULL;
    for (int i = 0; i < self->n; i++)
        PyList_SET_ITEM(l, i, PyLong_FromUnsignedLongLong(self->seed[i]));
    return l;
}

static PyMethodDef Vec_methods[] = {
    {"bind", (PyCFunction)Vec_bind, METH_VARARGS,
     "bind(obs, mask, rewards, terminated, truncated, info_f, info_i, seeds, final_obs)"},
    {"reset", (PyCFunction)Vec_reset, METH_VARARGS, "reset(base=None, which=None)"},
    {"reset_seeds", (PyCFunction)Vec_reset_seeds, METH_VARARGS, "reset_seeds(seeds, which=None)"},
    {"step", (PyCFunction)Vec_step, METH_VARARGS, "step(actions, skip=None, autoreset=False)"},
    {"completions", (PyCFunction)Vec_completions, METH_VARARGS, "completions(i)"},
    {"graph", (PyCFunction)Vec_graph, METH_VARARGS, "graph(i)"},
    {"metrics", (PyCFunction)Vec_metrics, METH_VARARGS, "metrics(i)"},
    {"describe", (PyCFunction)Vec_describe, METH_NOARGS, "spaces, options, names"},
    {"seeds", (PyCFunction)Vec_seeds, METH_NOARGS, "current seed of every env"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject VecType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "socsim_gym._core.VecEnv",
    .tp_basicsize = sizeof(VecObject),
    .tp_dealloc = (destructor)Vec_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "VecEnv(num_envs, config=None, config_path=None, options=None)",
    .tp_methods = Vec_methods,
    .tp_init = (initproc)Vec_init,
    .tp_new = PyType_GenericNew,
};

/* ============================================================ module */

static PyObject *mod_run(PyObject *Py_UNUSED(m), PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"config", "config_path", "scheduler", "seed", "jobs", NULL};
    PyObject *text = Py_None, *path = Py_None, *sched = Py_None, *seed = Py_None,
             *jobs = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOOO", kwl, &text, &path, &sched, &seed,
                                     &jobs))
        return NULL;
    soc_config_t cfg;
    if (load_config(&cfg, text, path) != 0)
        return NULL;
    PyObject *ret = NULL;
    soc_sched_handle_t *h = NULL;
    soc_sim_t *sim = NULL;
    soc_error_t err = {0};
    int rc;
    if (seed != Py_None) {
        unsigned long long s = PyLong_AsUnsignedLongLong(seed);
        if (PyErr_Occurred())
            goto out;
        cfg.seed = (uint64_t)s;
    }
    if (jobs != Py_None) {
        long long j = PyLong_AsLongLong(jobs);
        if (PyErr_Occurred())
            goto out;
        if (j < 1) {
            PyErr_SetString(PyExc_ValueError, "jobs must be positive");
            goto out;
        }
        cfg.injection.max_jobs = (int64_t)j;
    }
    if (cfg.semantics != SOC_SEM_NATIVE) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "socsim_gym.run takes native-semantics configs; run DS3 semantics "
                        "with `socsim run`");
        goto out;
    }
    if ((rc = soc_config_finalize(&cfg, &err)) != SOC_OK) {
        raise_soc(rc, &err);
        goto out;
    }
    const char *spec = cfg.scheduler ? cfg.scheduler : "heft";
    if (sched != Py_None) {
        spec = PyUnicode_AsUTF8(sched);
        if (spec == NULL)
            goto out;
    }
    if ((rc = soc_sched_resolve(spec, &h, &err)) != SOC_OK) {
        if (rc == SOC_EINVAL || rc == SOC_ENOSCHED) {
            char buf[600];
            PyErr_SetString(PyExc_ValueError, soc_error_format(&err, buf, sizeof buf));
        } else {
            raise_soc(rc, &err);
        }
        goto out;
    }
    soc_sim_options_t so;
    memset(&so, 0, sizeof so);
    so.struct_size = sizeof so;
    so.sched = soc_sched_handle_ops(h);
    so.sched_arg = soc_sched_handle_arg(h);
    if ((rc = soc_sim_create(&sim, &cfg, &so, &err)) != SOC_OK ||
        (rc = soc_sim_run(sim, &err)) != SOC_OK) {
        raise_soc(rc, &err);
        goto out;
    }
    ret = json_dict(soc_study_run_json(sim)); /* exactly `socsim run --json` */
out:
    soc_sim_destroy(sim);
    soc_sched_handle_free(h);
    soc_config_free(&cfg);
    return ret;
}

static PyObject *mod_episode_seed(PyObject *Py_UNUSED(m), PyObject *args)
{
    unsigned long long b, i, e;
    if (!PyArg_ParseTuple(args, "KKK", &b, &i, &e))
        return NULL;
    return PyLong_FromUnsignedLongLong(soc_env_episode_seed(b, i, e));
}

static PyObject *mod_info_columns(PyObject *Py_UNUSED(m), PyObject *Py_UNUSED(x))
{
    PyObject *f = PyTuple_New(VF_N), *i = PyTuple_New(VI_N);
    if (f == NULL || i == NULL) {
        Py_XDECREF(f);
        Py_XDECREF(i);
        return NULL;
    }
    for (int k = 0; k < VF_N; k++)
        PyTuple_SET_ITEM(f, k, PyUnicode_FromString(vf_names[k]));
    for (int k = 0; k < VI_N; k++)
        PyTuple_SET_ITEM(i, k, PyUnicode_FromString(vi_names[k]));
    return Py_BuildValue("(NN)", f, i);
}

static PyMethodDef mod_methods[] = {
    {"run", (PyCFunction)(void (*)(void))mod_run, METH_VARARGS | METH_KEYWORDS,
     "run(config=None, config_path=None, scheduler=None, seed=None, jobs=None) -> metrics"},
    {"episode_seed", mod_episode_seed, METH_VARARGS, "episode_seed(base, index, episode)"},
    {"info_columns", mod_info_columns, METH_NOARGS, "(float columns, int columns) of VecEnv"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef core_module = {PyModuleDef_HEAD_INIT, "_core",
                                         "In-process binding of the socsim C library.", -1,
                                         mod_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__core(void)
{
    soc_library_init();
    for (int k = 0; k < K_N; k++)
        if (keys[k] == NULL && (keys[k] = PyUnicode_InternFromString(key_names[k])) == NULL)
            return NULL;
    if (PyType_Ready(&EnvType) < 0 || PyType_Ready(&VecType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&core_module);
    if (m == NULL)
        return NULL;
    CoreError = PyErr_NewException("socsim_gym._core.Error", PyExc_RuntimeError, NULL);
    if (CoreError == NULL || PyModule_AddObjectRef(m, "Error", CoreError) < 0 ||
        PyModule_AddObjectRef(m, "Env", (PyObject *)&EnvType) < 0 ||
        PyModule_AddObjectRef(m, "VecEnv", (PyObject *)&VecType) < 0 ||
        PyModule_AddIntConstant(m, "NODE_FIXED", SOC_OBS_NODE_FIXED) < 0 ||
        PyModule_AddIntConstant(m, "PE_FEATURES", SOC_OBS_PE_FEATURES) < 0 ||
        PyModule_AddStringConstant(m, "LIBRARY_VERSION", soc_version()) < 0 ||
        core_study_init(m, CoreError) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
