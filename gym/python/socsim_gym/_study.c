/*
 * _study.c -- the library's sweep API (soc/study.h) in socsim_gym._core,
 * for drivers that run the units of a sweep somewhere else (Ray tasks:
 * socsim_gym.ray_sweep) and record them in the same crash-safe results
 * store as `socsim sweep`.
 *
 *   Sweep(path)          soc_sweep_load with the built-in schedulers;
 *                        n_points, n_units, unit(i), header(),
 *                        point_cells(p), run_unit(i) -> metric cells
 *   Results(sweep, dir)  soc_results_open (lock + resume); todo(), add(),
 *                        finish() -> summary, close()
 *
 * Ownership: a Sweep owns its soc_sweep_t; a Results owns its
 * soc_results_t (and with it the directory's lock, released by close() or
 * when the object dies) and a reference to its Sweep, which the store
 * reads.  run_unit releases the GIL while it simulates; a Sweep is not
 * thread-safe, so a second call on the same object meanwhile raises.
 * Unit and point indices are checked here: the library trusts them; so
 * is a second Results on a directory this process already has open (the
 * store's fcntl lock cannot tell).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "soc/metrics.h"
#include "soc/schedulers.h"
#include "soc/study.h"

#include "_study.h"

static PyObject *StudyError; /* socsim_gym._core.Error, borrowed from _core.c */

static PyObject *raise_err(int rc, const soc_error_t *err)
{
    char buf[1200];
    PyErr_Format(StudyError, "%s: %s", soc_status_name(rc), soc_error_format(err, buf, sizeof buf));
    return NULL;
}

/* ============================================================== Sweep */

typedef struct {
    PyObject_HEAD
    soc_sweep_t *s;
    PyObject *warnings; /* list of str: the loader's warnings */
    int busy;           /* run_unit in progress (GIL released) */
    int metric_commas;  /* commas in a point's metric cells ",m1,...,mk" (= k), -1 unknown */
} SweepObject;

static void Sweep_dealloc(SweepObject *self)
{
    soc_sweep_free(self->s);
    Py_XDECREF(self->warnings);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static void collect_warning(void *user, const soc_error_t *w)
{
    char buf[1200];
    PyObject *s = PyUnicode_FromString(soc_error_format(w, buf, sizeof buf));
    if (s == NULL || PyList_Append((PyObject *)user, s) != 0)
        PyErr_Clear(); /* a lost warning is not worth failing the load */
    Py_XDECREF(s);
}

static int Sweep_init(SweepObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"path", NULL};
    PyObject *path;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&", kwl, PyUnicode_FSConverter, &path))
        return -1;
    if (self->s != NULL) {
        Py_DECREF(path);
        PyErr_SetString(PyExc_RuntimeError, "Sweep already initialised");
        return -1;
    }
    if (self->warnings == NULL && (self->warnings = PyList_New(0)) == NULL) {
        Py_DECREF(path);
        return -1;
    }
    soc_error_t err = {0};
    soc_warn_sink_t warn = {collect_warning, self->warnings};
    int rc = soc_sweep_load(&self->s, PyBytes_AS_STRING(path), soc_sched_catalog(), &warn, &err);
    Py_DECREF(path);
    if (rc != SOC_OK) {
        self->s = NULL;
        raise_err(rc, &err);
        return -1;
    }
    /* the metric part of the header: "m1,...,mk,check" has k commas */
    char *h = soc_sweep_header(self->s);
    if (h == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    const char *mh = soc_metrics_csv_header(), *m = strstr(h, mh);
    self->metric_commas = -1; /* unknown: not checked */
    if (m != NULL) {
        self->metric_commas = 0;
        for (const char *c = m + (mh[0] == ','); *c; c++)
            self->metric_commas += *c == ',';
    }
    free(h);
    return 0;
}

static int sweep_ready(SweepObject *self)
{
    if (self->s == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Sweep not initialised");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "Sweep.run_unit is running in another thread (use one Sweep per thread)");
        return -1;
    }
    return 0;
}

static int check_unit(SweepObject *self, int unit)
{
    if (unit < 0 || unit >= soc_sweep_n_units(self->s)) {
        PyErr_Format(PyExc_IndexError, "unit %d out of range 0..%d", unit,
                     soc_sweep_n_units(self->s) - 1);
        return -1;
    }
    return 0;
}

/* A malloc'ed C string as str (NULL: out of memory). */
static PyObject *take_str(char *s)
{
    if (s == NULL)
        return PyErr_NoMemory();
    PyObject *o = PyUnicode_FromString(s);
    free(s);
    return o;
}

static PyObject *Sweep_unit(SweepObject *self, PyObject *args)
{
    int unit, first, n;
    if (!PyArg_ParseTuple(args, "i", &unit) || sweep_ready(self) != 0 || check_unit(self, unit))
        return NULL;
    soc_sweep_unit(self->s, unit, &first, &n);
    return Py_BuildValue("(ii)", first, n);
}

static PyObject *Sweep_header(SweepObject *self, PyObject *Py_UNUSED(x))
{
    if (sweep_ready(self) != 0)
        return NULL;
    return take_str(soc_sweep_header(self->s));
}

static PyObject *Sweep_point_cells(SweepObject *self, PyObject *args)
{
    int p;
    if (!PyArg_ParseTuple(args, "i", &p) || sweep_ready(self) != 0)
        return NULL;
    if (p < 0 || p >= soc_sweep_n_points(self->s)) {
        PyErr_Format(PyExc_IndexError, "point %d out of range 0..%d", p,
                     soc_sweep_n_points(self->s) - 1);
        return NULL;
    }
    return take_str(soc_sweep_point_cells(self->s, p));
}

static PyObject *Sweep_run_unit(SweepObject *self, PyObject *args)
{
    int unit, first, n;
    if (!PyArg_ParseTuple(args, "i", &unit) || sweep_ready(self) != 0 || check_unit(self, unit))
        return NULL;
    soc_sweep_unit(self->s, unit, &first, &n);
    char **cells = NULL;
    soc_error_t err = {0};
    int rc;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    rc = soc_sweep_run_unit(self->s, unit, &cells, &err);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    if (rc != SOC_OK)
        return raise_err(rc, &err);
    PyObject *l = PyList_New(n);
    for (int i = 0; i < n; i++) {
        PyObject *c = l != NULL ? PyUnicode_FromString(cells[i]) : NULL;
        if (c != NULL)
            PyList_SET_ITEM(l, i, c);
        else
            Py_CLEAR(l);
        free(cells[i]);
    }
    free(cells);
    return l;
}

static PyObject *Sweep_get_int(SweepObject *self, void *which)
{
    if (self->s == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Sweep not initialised");
        return NULL;
    }
    return PyLong_FromLong(which == NULL ? soc_sweep_n_points(self->s)
                                         : soc_sweep_n_units(self->s));
}

static PyObject *Sweep_get_path(SweepObject *self, void *Py_UNUSED(c))
{
    if (self->s == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Sweep not initialised");
        return NULL;
    }
    return PyUnicode_DecodeFSDefault(soc_sweep_path(self->s));
}

static PyObject *Sweep_get_warnings(SweepObject *self, void *Py_UNUSED(c))
{
    if (self->warnings == NULL)
        return PyList_New(0);
    return PyList_GetSlice(self->warnings, 0, PY_SSIZE_T_MAX);
}

static PyMethodDef Sweep_methods[] = {
    {"unit", (PyCFunction)Sweep_unit, METH_VARARGS,
     "unit(i) -> (first point, number of points) of unit i"},
    {"header", (PyCFunction)Sweep_header, METH_NOARGS, "the header line of results.csv"},
    {"point_cells", (PyCFunction)Sweep_point_cells, METH_VARARGS,
     "point_cells(p) -> 'ID,v1,...' (the identifying cells of point p)"},
    {"run_unit", (PyCFunction)Sweep_run_unit, METH_VARARGS,
     "run_unit(i) -> [',m1,m2,...' for each point of unit i] (a pure function of the sweep "
     "file and i; raises Error when a run fails)"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Sweep_getset[] = {
    {"n_points", (getter)Sweep_get_int, NULL, "points (rows of results.csv)", NULL},
    {"n_units", (getter)Sweep_get_int, NULL, "units of work (a point, or a DS3 chain)", "u"},
    {"path", (getter)Sweep_get_path, NULL, "the sweep file", NULL},
    {"warnings", (getter)Sweep_get_warnings, NULL, "the base config's loader warnings", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject SweepType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "socsim_gym._core.Sweep",
    .tp_basicsize = sizeof(SweepObject),
    .tp_dealloc = (destructor)Sweep_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Sweep(path): a sweep file loaded and expanded (docs/sweeps.md)",
    .tp_methods = Sweep_methods,
    .tp_getset = Sweep_getset,
    .tp_init = (initproc)Sweep_init,
    .tp_new = PyType_GenericNew,
};

/* ============================================================ Results */

typedef struct ResultsObject {
    PyObject_HEAD
    soc_results_t *r;
    SweepObject *sweep; /* strong reference: the store reads it */
    dev_t dev;          /* the directory, while open */
    ino_t ino;
    struct ResultsObject *next_open;
} ResultsObject;

/* The Results open in this process.  The store's lock is an fcntl lock,
 * which belongs to the process: a second open of the same directory here
 * would be granted, and closing it would release the first one's lock.
 * So the binding refuses it itself (under the GIL: no race). */
static ResultsObject *open_results;

static void results_close(ResultsObject *self)
{
    if (self->r == NULL)
        return;
    soc_results_close(self->r);
    self->r = NULL;
    for (ResultsObject **p = &open_results; *p != NULL; p = &(*p)->next_open)
        if (*p == self) {
            *p = self->next_open;
            break;
        }
    self->next_open = NULL;
}

static void Results_dealloc(ResultsObject *self)
{
    results_close(self);
    Py_XDECREF(self->sweep);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Results_init(ResultsObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"sweep", "dir", NULL};
    PyObject *sw, *dir;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!O&", kwl, &SweepType, &sw,
                                     PyUnicode_FSConverter, &dir))
        return -1;
    if (self->r != NULL || self->sweep != NULL) {
        Py_DECREF(dir);
        PyErr_SetString(PyExc_RuntimeError, "Results already initialised");
        return -1;
    }
    if (sweep_ready((SweepObject *)sw) != 0) {
        Py_DECREF(dir);
        return -1;
    }
    const char *path = PyBytes_AS_STRING(dir);
    struct stat st;
    soc_error_t err = {0};
    int rc = SOC_OK;
    if (stat(path, &st) == 0)
        for (ResultsObject *o = open_results; o != NULL; o = o->next_open)
            if (o->dev == st.st_dev && o->ino == st.st_ino)
                rc = soc_error_set(&err, SOC_EIO, path, 0, 0,
                                   "in use by another sweep (a Results of this process)");
    if (rc == SOC_OK)
        rc = soc_results_open(&self->r, ((SweepObject *)sw)->s, path, 0, 0, &err);
    if (rc == SOC_OK && stat(path, &st) != 0) {
        soc_results_close(self->r);
        rc = soc_error_set(&err, SOC_EIO, path, 0, 0, "cannot stat: %s", strerror(errno));
    }
    Py_DECREF(dir);
    if (rc != SOC_OK) {
        self->r = NULL;
        raise_err(rc, &err);
        return -1;
    }
    self->dev = st.st_dev;
    self->ino = st.st_ino;
    self->next_open = open_results;
    open_results = self;
    Py_INCREF(sw);
    self->sweep = (SweepObject *)sw;
    return 0;
}

static int results_open(ResultsObject *self)
{
    if (self->r == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the results are closed");
        return -1;
    }
    return 0;
}

static PyObject *Results_todo(ResultsObject *self, PyObject *Py_UNUSED(x))
{
    if (results_open(self) != 0)
        return NULL;
    int *u = NULL, n = 0;
    if (soc_results_todo(self->r, &u, &n) != SOC_OK)
        return PyErr_NoMemory();
    PyObject *l = PyList_New(n);
    for (int i = 0; l != NULL && i < n; i++) {
        PyObject *v = PyLong_FromLong(u[i]);
        if (v == NULL)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, i, v);
    }
    free(u);
    return l;
}

/* add(unit, cells): cells as run_unit returns them, checked so that a
 * row can never be malformed: one per point, each ",m1,...,mk" with the
 * sweep's k metric columns, no quotes or line breaks. */
static PyObject *Results_add(ResultsObject *self, PyObject *args)
{
    int unit, first, n;
    PyObject *cells;
    if (!PyArg_ParseTuple(args, "iO", &unit, &cells) || results_open(self) != 0 ||
        sweep_ready(self->sweep) != 0 || check_unit(self->sweep, unit) != 0)
        return NULL;
    soc_sweep_unit(self->sweep->s, unit, &first, &n);
    PyObject *seq = PySequence_Fast(cells, "cells must be a list of str");
    if (seq == NULL)
        return NULL;
    PyObject *ret = NULL;
    char **c = NULL;
    if (PySequence_Fast_GET_SIZE(seq) != n) {
        PyErr_Format(PyExc_ValueError, "unit %d has %d points, got %zd cells", unit, n,
                     PySequence_Fast_GET_SIZE(seq));
        goto out;
    }
    if ((c = PyMem_Calloc((size_t)n, sizeof *c)) == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    for (int i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(o)) {
            PyErr_SetString(PyExc_TypeError, "cells must be a list of str");
            goto out;
        }
        const char *t = PyUnicode_AsUTF8(o);
        if (t == NULL)
            goto out;
        int commas = 0;
        for (const char *p = t; *p; p++)
            commas += *p == ',';
        if (t[0] != ',' || strpbrk(t, "\r\n\"") != NULL ||
            (self->sweep->metric_commas >= 0 && commas != self->sweep->metric_commas)) {
            PyErr_Format(PyExc_ValueError,
                         "cells of point %d are not the metric cells of this sweep (%d "
                         "columns ',m1,...' expected)",
                         first + i, self->sweep->metric_commas);
            goto out;
        }
        c[i] = (char *)t; /* soc_results_add only reads them */
    }
    soc_error_t err = {0};
    int rc = soc_results_add(self->r, unit, c, &err);
    if (rc != SOC_OK) {
        raise_err(rc, &err);
        goto out;
    }
    ret = Py_NewRef(Py_None);
out:
    PyMem_Free(c);
    Py_DECREF(seq);
    return ret;
}

static PyObject *double_list(const double *v, int n)
{
    PyObject *l = PyList_New(n);
    for (int i = 0; l != NULL && i < n; i++) {
        PyObject *f = PyFloat_FromDouble(v[i]);
        if (f == NULL)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, i, f);
    }
    return l;
}

static PyObject *str_list(char *const *v, int n)
{
    PyObject *l = PyList_New(n);
    for (int i = 0; l != NULL && i < n; i++) {
        PyObject *s = PyUnicode_FromString(v[i] != NULL ? v[i] : "");
        if (s == NULL)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, i, s);
    }
    return l;
}

/* The summary as {"keys": [...], "metrics": [...], "groups": [{"keys",
 * "runs", "mean", "ci95"}]} (NaN where summary.csv has an empty cell). */
static PyObject *summary_dict(const soc_summary_t *sm)
{
    PyObject *groups = PyList_New(sm->n_groups);
    for (int g = 0; groups != NULL && g < sm->n_groups; g++) {
        const soc_summary_group_t *G = &sm->groups[g];
        PyObject *d = Py_BuildValue("{s:N,s:i,s:N,s:N}", "keys", str_list(G->keys, sm->n_keys),
                                    "runs", G->runs, "mean", double_list(G->mean, sm->n_metrics),
                                    "ci95", double_list(G->ci95, sm->n_metrics));
        if (d == NULL)
            Py_CLEAR(groups);
        else
            PyList_SET_ITEM(groups, g, d);
    }
    if (groups == NULL)
        return NULL;
    return Py_BuildValue("{s:N,s:N,s:N}", "keys", str_list(sm->key_names, sm->n_keys), "metrics",
                         str_list(sm->metric_names, sm->n_metrics), "groups", groups);
}

/* finish(): every point has a row -> results.csv sorted, summary.csv
 * written, the summary returned.  Error (SOC_ESTATE) while rows miss. */
static PyObject *Results_finish(ResultsObject *self, PyObject *Py_UNUSED(x))
{
    if (results_open(self) != 0)
        return NULL;
    soc_summary_t *sm = NULL;
    soc_error_t err = {0};
    int rc = soc_results_finish(self->r, &sm, &err);
    if (rc != SOC_OK)
        return raise_err(rc, &err);
    PyObject *d = sm != NULL ? summary_dict(sm) : Py_NewRef(Py_None);
    soc_summary_free(sm);
    return d;
}

static PyObject *Results_close(ResultsObject *self, PyObject *Py_UNUSED(x))
{
    results_close(self);
    Py_RETURN_NONE;
}

static PyObject *Results_enter(ResultsObject *self, PyObject *Py_UNUSED(x))
{
    return Py_NewRef((PyObject *)self);
}

static PyObject *Results_exit(ResultsObject *self, PyObject *Py_UNUSED(args))
{
    results_close(self);
    Py_RETURN_FALSE;
}

static PyObject *Results_get_int(ResultsObject *self, void *which)
{
    if (results_open(self) != 0)
        return NULL;
    const char *w = which;
    return PyLong_FromLong(w[0] == 'm'   ? soc_results_n_mine(self->r)
                           : w[0] == 'd' ? soc_results_n_done(self->r)
                                         : soc_results_dropped(self->r));
}

static PyObject *Results_get_closed(ResultsObject *self, void *Py_UNUSED(c))
{
    return PyBool_FromLong(self->r == NULL);
}

static PyMethodDef Results_methods[] = {
    {"todo", (PyCFunction)Results_todo, METH_NOARGS,
     "the units that still miss a row, in order"},
    {"add", (PyCFunction)Results_add, METH_VARARGS,
     "add(unit, cells): record a finished unit (cells as Sweep.run_unit returns them)"},
    {"finish", (PyCFunction)Results_finish, METH_NOARGS,
     "when every point has a row: sort results.csv, write summary.csv, return the summary"},
    {"close", (PyCFunction)Results_close, METH_NOARGS, "release the directory (idempotent)"},
    {"__enter__", (PyCFunction)Results_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)Results_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Results_getset[] = {
    {"n_points", (getter)Results_get_int, NULL, "points of the sweep", "m"},
    {"n_done", (getter)Results_get_int, NULL, "points with a row", "d"},
    {"dropped", (getter)Results_get_int, NULL, "torn rows dropped when opening", "x"},
    {"closed", (getter)Results_get_closed, NULL, "close() was called", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject ResultsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "socsim_gym._core.Results",
    .tp_basicsize = sizeof(ResultsObject),
    .tp_dealloc = (destructor)Results_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Results(sweep, dir): the crash-safe results store of `socsim sweep` (opens or "
              "resumes dir, holding its lock until close())",
    .tp_methods = Results_methods,
    .tp_getset = Results_getset,
    .tp_init = (initproc)Results_init,
    .tp_new = PyType_GenericNew,
};

int core_study_init(PyObject *module, PyObject *error)
{
    StudyError = error;
    if (PyType_Ready(&SweepType) < 0 || PyType_Ready(&ResultsType) < 0)
        return -1;
    if (PyModule_AddObjectRef(module, "Sweep", (PyObject *)&SweepType) < 0 ||
        PyModule_AddObjectRef(module, "Results", (PyObject *)&ResultsType) < 0)
        return -1;
    return 0;
}
