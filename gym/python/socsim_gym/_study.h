/*
 * _study.h -- the sweep objects of socsim_gym._core (_study.c): adds the
 * types Sweep and Results to the module; `error` is the module's Error
 * class (borrowed; the module keeps it alive).  0, or -1 with an exception.
 */
#ifndef SOCSIM_GYM_STUDY_H
#define SOCSIM_GYM_STUDY_H

#include <Python.h>

int core_study_init(PyObject *module, PyObject *error);

#endif
