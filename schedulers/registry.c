/*
 * registry.c -- the table of built-in schedulers, lookup by name, and
 * resolution of scheduler specs ("name", "name:arg", "plugin:PATH[:arg]")
 * into a handle that owns whatever the spec needed (the plug-in's dlopen
 * handle, the argument string).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/schedulers.h"
#include "soc_util.h"
#include "sched_internal.h"

/* Display order: dynamic list heuristics, then whole-DAG planners, then
 * the DS3-exact extras.  Append new schedulers before the NULL. */
static const soc_sched_ops_t *const builtin[] = {
    &soc_sched_met,
    &soc_sched_eft,
    &soc_sched_etf,
    &soc_sched_etf_hwang,
    &soc_sched_mct,
    &soc_sched_minmin,
    &soc_sched_maxmin,
    &soc_sched_sufferage,
    &soc_sched_olb,
    &soc_sched_rr,
    &soc_sched_random,
    &soc_sched_fcfs,
    &soc_sched_heft,
    &soc_sched_heft_best,
    &soc_sched_heft_worst,
    &soc_sched_cpop,
    &soc_sched_peft,
    &soc_sched_lookahead,
    &soc_sched_bnb,
    &soc_sched_stf,
    &soc_sched_etf_lb,
    &soc_sched_cpu_only,
    &soc_sched_neural,
    &soc_sched_eft_net,
    NULL,
};

const soc_sched_ops_t *const *soc_sched_list(void)
{
    return builtin;
}

const soc_sched_ops_t *soc_sched_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (int i = 0; builtin[i] != NULL; i++)
        if (soc__name_eq(name, builtin[i]->name))
            return builtin[i];
    return NULL;
}

/* Arguments the built-ins accept, so that a bad one is reported by name
 * here (create() can only return a code).  "" = none; "#" = a positive
 * integer; else the '|'-separated words, the behaviour without an
 * argument first.  Schedulers not listed check
 * their arguments themselves. */
static const struct {
    const char *name, *args;
} arg_rules[] = {
    {"met", "dynamic|static|late"},    {"eft", "dynamic|static|late"},
    {"etf", "dynamic|static|late"},    {"mct", "dynamic|static|late"},
    {"minmin", "dynamic|static|late"}, {"maxmin", "dynamic|static|late"},
    {"sufferage", "dynamic|static|late"}, {"fcfs", ""},
    {"olb", ""},                  {"rr", ""},
    {"random", ""},               {"heft", "mean|best|worst"},
    {"heft_best", ""},            {"heft_worst", ""},
    {"cpop", ""},                 {"peft", ""},
    {"lookahead", "#"},           {"bnb", "#"},
    {"eft_net", ""},
};

const char *soc_sched_arg_choices(const char *name)
{
    const soc_sched_ops_t *ops = soc_sched_find(name);
    if (ops == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof arg_rules / sizeof arg_rules[0]; i++)
        if (strcmp(arg_rules[i].name, ops->name) == 0)
            return arg_rules[i].args;
    return NULL;
}

static int word_in(const char *arg, const char *list)
{
    while (*list) {
        const char *bar = strchr(list, '|');
        size_t n = bar != NULL ? (size_t)(bar - list) : strlen(list);
        if (soc__name_eqn(list, n, arg))
            return 1;
        list += n + (bar != NULL);
    }
    return 0;
}

static int check_arg(const char *name, const char *arg, soc_error_t *err)
{
    if (arg == NULL || arg[0] == '\0')
        return SOC_OK;
    for (size_t i = 0; i < sizeof arg_rules / sizeof arg_rules[0]; i++) {
        if (strcmp(arg_rules[i].name, name) != 0)
            continue;
        const char *rule = arg_rules[i].args;
        if (rule[0] == '\0')
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "scheduler '%s' takes no argument (got '%.100s')", name, arg);
        if (strcmp(rule, "#") == 0) {
            const char *c = arg;
            while (*c >= '0' && *c <= '9')
                c++;
            if (*c != '\0' || strspn(arg, "0") == strlen(arg))
                return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                     "scheduler '%s': argument '%.100s' is not a positive "
                                     "integer", name, arg);
            return SOC_OK;
        }
        if (!word_in(arg, rule))
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "scheduler '%s': unknown argument '%.100s' (one of: %s)", name,
                                 arg, rule);
        return SOC_OK;
    }
    return SOC_OK;
}

struct soc_sched_handle {
    const soc_sched_ops_t *ops;
    char *arg;   /* NULL = none */
    void *dl;    /* dlopen handle of a plug-in, else NULL */
};

#define PLUGIN_PREFIX "plugin:"

int soc_sched_resolve(const char *spec, soc_sched_handle_t **out, soc_error_t *err)
{
    if (out == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no handle to fill");
    *out = NULL;
    if (spec == NULL || spec[0] == '\0')
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "empty scheduler name");
    soc_sched_handle_t *h = calloc(1, sizeof *h);
    if (h == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = SOC_OK;
    size_t plen = strlen(PLUGIN_PREFIX);
    const char *arg = NULL;
    if (strlen(spec) >= plen && soc__name_eqn(spec, plen, PLUGIN_PREFIX)) {
        /* the path ends at the first ':' after its last '/' */
        const char *path = spec + plen;
        const char *slash = strrchr(path, '/');
        const char *colon = strchr(slash != NULL ? slash : path, ':');
        size_t n = colon != NULL ? (size_t)(colon - path) : strlen(path);
        if (n == 0) {
            rc = soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                               "'%s': plugin: needs the path of a .so file", spec);
            goto fail;
        }
        char *p = soc__strndup(path, n);
        if (p == NULL) {
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            goto fail;
        }
        rc = soc_sched_load_plugin(p, &h->dl, &h->ops, err);
        free(p);
        if (rc != SOC_OK)
            goto fail;
        arg = colon != NULL ? colon + 1 : NULL;
    } else {
        const char *colon = strchr(spec, ':');
        size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
        for (int i = 0; builtin[i] != NULL && h->ops == NULL; i++)
            if (soc__name_eqn(spec, n, builtin[i]->name))
                h->ops = builtin[i];
        if (h->ops == NULL) {
            /* "hefft": did you mean heft? */
            const char *names[64];
            size_t k = 0;
            char typed[201];
            snprintf(typed, sizeof typed, "%.*s", (int)(n > 200 ? 200 : n), spec);
            for (int i = 0; builtin[i] != NULL && k < 64; i++)
                names[k++] = builtin[i]->name;
            const char *s = soc__closest(typed, names, k);
            rc = soc_error_set(err, SOC_ENOSCHED, NULL, 0, 0,
                               "unknown scheduler '%s'%s%s%s (`socsim schedulers` lists "
                               "them; plug-ins: plugin:PATH.so)", typed,
                               s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
            goto fail;
        }
        arg = colon != NULL ? colon + 1 : NULL;
        if ((rc = check_arg(h->ops->name, arg, err)) != SOC_OK)
            goto fail;
    }
    if (arg != NULL && arg[0] != '\0' && (h->arg = soc__strndup(arg, strlen(arg))) == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    *out = h;
    return SOC_OK;
fail:
    soc_sched_handle_free(h);
    return rc;
}

const soc_sched_ops_t *soc_sched_handle_ops(const soc_sched_handle_t *h)
{
    return h != NULL ? h->ops : NULL;
}

const char *soc_sched_handle_arg(const soc_sched_handle_t *h)
{
    return h != NULL ? h->arg : NULL;
}

/* in loader.c: closes what soc_sched_load_plugin opened */

void soc_sched_handle_free(soc_sched_handle_t *h)
{
    if (h == NULL)
        return;
    if (h->dl != NULL)
        soc__plugin_close(h->dl);
    free(h->arg);
    free(h);
}

/* ------------------------------------------------------------- catalog */

static int catalog_resolve(const char *spec, const soc_sched_ops_t **ops, const char **arg,
                           void **token, soc_error_t *err)
{
    soc_sched_handle_t *h = NULL;
    *ops = NULL;
    *arg = NULL;
    *token = NULL;
    int rc = soc_sched_resolve(spec, &h, err);
    if (rc != SOC_OK)
        return rc;
    *ops = soc_sched_handle_ops(h);
    *arg = soc_sched_handle_arg(h);
    *token = h;
    return SOC_OK;
}

static void catalog_release(void *token)
{
    soc_sched_handle_free(token);
}

const soc_sched_catalog_t *soc_sched_catalog(void)
{
    static const soc_sched_catalog_t cat = {sizeof(soc_sched_catalog_t), catalog_resolve,
                                            catalog_release, soc_sched_list};
    return &cat;
}
