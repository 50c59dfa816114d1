/*
 * dvfs_registry.c -- the registry of built-in governors, governor specs
 * ("ondemand:0.2:0.9", "constant-1000", "plugin:PATH.so[:ARG]") and the
 * plug-in loader.
 *
 * A governor plug-in exports SOC_DVFS_ENTRY_SYMBOL returning its const
 * soc_dvfs_ops_t.  It is opened with RTLD_NOW | RTLD_LOCAL and accepted only
 * if the table passes the ABI checks below; on failure it is closed again.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "power_internal.h"
#include "sim_internal.h"
#include "soc_util.h"

static const soc_dvfs_ops_t *const builtins[] = {
    &soc__dvfs_performance, &soc__dvfs_powersave, &soc__dvfs_ondemand, &soc__dvfs_constant,
    NULL,
};

const soc_dvfs_ops_t *const *soc_dvfs_list(void)
{
    return builtins;
}

const soc_dvfs_ops_t *soc_dvfs_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (int i = 0; builtins[i] != NULL; i++)
        if (strcmp(builtins[i]->name, name) == 0)
            return builtins[i];
    return NULL;
}

struct soc_dvfs_handle {
    const soc_dvfs_ops_t *ops;
    char *arg;
    void *dl;
};

/* Split a spec into built-in ops and argument (arg points into spec). */
static int split_builtin(const char *spec, const soc_dvfs_ops_t **ops, const char **arg,
                         soc_error_t *err)
{
    char name[32];
    const char *a = NULL;
    size_t n;
    if (strncmp(spec, "constant-", 9) == 0) {
        n = 8;
        a = spec + 9;
    } else {
        const char *colon = strchr(spec, ':');
        n = colon ? (size_t)(colon - spec) : strlen(spec);
        a = colon ? colon + 1 : NULL;
    }
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, spec, n);
    name[n] = '\0';
    const soc_dvfs_ops_t *o = soc_dvfs_find(name);
    if (o == NULL)
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                             "unknown governor '%s' (choices: performance, powersave, ondemand, "
                             "ondemand:LOW:HIGH, constant-<MHz>, none, plugin:PATH.so)",
                             spec);
    double x, lo, hi;
    if (o == &soc__dvfs_constant) {
        if (a == NULL || soc__dvfs_parse_num(a, NULL, &x) != 0 || x <= 0)
            return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                                 "governor '%s': constant needs a frequency in MHz, e.g. "
                                 "constant-1000",
                                 spec);
    } else if (o == &soc__dvfs_ondemand) {
        if (a != NULL && soc__dvfs_parse_ondemand(a, &lo, &hi) != 0)
            return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                                 "governor '%s': ondemand thresholds are LOW:HIGH with "
                                 "0 <= LOW <= HIGH, e.g. ondemand:0.3:0.8",
                                 spec);
    } else if (a != NULL) {
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0, "governor '%s' takes no argument",
                             o->name);
    }
    *ops = o;
    *arg = a;
    return SOC_OK;
}

/* plugin:PATH[:ARG]: the path ends at the first ".so:" (or the end). */
static void split_plugin(const char *rest, size_t *path_len, const char **arg)
{
    const char *so = strstr(rest, ".so:");
    if (so != NULL) {
        *path_len = (size_t)(so + 3 - rest);
        *arg = so + 4;
    } else {
        *path_len = strlen(rest);
        *arg = NULL;
    }
}

int soc_dvfs_check_spec(const char *spec, soc_error_t *err)
{
    if (spec == NULL || spec[0] == '\0')
        return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0, "empty governor name");
    if (strcmp(spec, "none") == 0)
        return SOC_OK;
    if (strncmp(spec, "plugin:", 7) == 0) {
        size_t n;
        const char *a;
        split_plugin(spec + 7, &n, &a);
        if (n == 0)
            return soc_error_set(err, SOC_ECONFIG, NULL, 0, 0,
                                 "governor '%s': plugin: needs a path", spec);
        return SOC_OK;
    }
    const soc_dvfs_ops_t *o;
    const char *a;
    return split_builtin(spec, &o, &a, err);
}

static int check_ops(const soc_dvfs_ops_t *o, const char *path, soc_error_t *err)
{
    if (o == NULL)
        return soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                             "plug-in entry '%s' returned no governor", SOC_DVFS_ENTRY_SYMBOL);
    if (o->abi_version != SOC_DVFS_ABI_VERSION)
        return soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                             "plug-in built for governor ABI version %u, this socsim has %u",
                             o->abi_version, SOC_DVFS_ABI_VERSION);
    if (o->struct_size < offsetof(soc_dvfs_ops_t, decide) + sizeof o->decide)
        return soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                             "plug-in governor table is too small (%u bytes)", o->struct_size);
    if (o->name == NULL || o->name[0] == '\0' || o->decide == NULL)
        return soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                             "plug-in governor has no name or no decide callback");
    return SOC_OK;
}

int soc_dvfs_load_plugin(const char *path, void **dl_handle, const soc_dvfs_ops_t **ops,
                         soc_error_t *err)
{
    if (dl_handle == NULL || ops == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *dl_handle = NULL;
    *ops = NULL;
    void *dl, *sym;
    int rc = soc__plugin_open(path, SOC_DVFS_ENTRY_SYMBOL, "governor", &dl, &sym, err);
    if (rc != SOC_OK)
        return rc;
    soc_dvfs_entry_fn *entry;
    /* object pointer to function pointer: POSIX guarantees this works */
    memcpy(&entry, &sym, sizeof entry);
    const soc_dvfs_ops_t *o = entry();
    rc = check_ops(o, path, err);
    if (rc != SOC_OK) {
        soc__plugin_close(dl);
        return rc;
    }
    *dl_handle = dl;
    *ops = o;
    return SOC_OK;
}

static void unload(void *dl)
{
    soc__plugin_close(dl);
}

int soc_dvfs_resolve(const char *spec, soc_dvfs_handle_t **out, soc_error_t *err)
{
    if (out == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *out = NULL;
    int rc = soc_dvfs_check_spec(spec, err);
    if (rc != SOC_OK)
        return rc;
    if (strcmp(spec, "none") == 0)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "'none' is not a governor");
    soc_dvfs_handle_t *h = calloc(1, sizeof *h);
    if (h == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    const char *arg = NULL;
    if (strncmp(spec, "plugin:", 7) == 0) {
        size_t n;
        split_plugin(spec + 7, &n, &arg);
        char *path = malloc(n + 1);
        if (path == NULL) {
            free(h);
            return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        }
        memcpy(path, spec + 7, n);
        path[n] = '\0';
        rc = soc_dvfs_load_plugin(path, &h->dl, &h->ops, err);
        free(path);
    } else {
        rc = split_builtin(spec, &h->ops, &arg, err);
    }
    if (rc == SOC_OK && arg != NULL && (h->arg = soc__strdup(arg)) == NULL)
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc != SOC_OK) {
        soc_dvfs_handle_free(h);
        return rc;
    }
    *out = h;
    return SOC_OK;
}

const soc_dvfs_ops_t *soc_dvfs_handle_ops(const soc_dvfs_handle_t *h)
{
    return h != NULL ? h->ops : NULL;
}

const char *soc_dvfs_handle_arg(const soc_dvfs_handle_t *h)
{
    return h != NULL ? h->arg : NULL;
}

void soc_dvfs_handle_free(soc_dvfs_handle_t *h)
{
    if (h == NULL)
        return;
    unload(h->dl);
    free(h->arg);
    free(h);
}
