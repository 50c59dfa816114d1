/*
 * loader.c -- external schedulers as shared objects.
 *
 * A plug-in exports one symbol, SOC_SCHED_ENTRY_SYMBOL, returning its
 * const soc_sched_ops_t.  It is opened with RTLD_NOW | RTLD_LOCAL (all
 * symbols resolved up front, none leaked into the global namespace), and
 * accepted only if the table passes the checks below; on any failure the
 * object is closed again and a precise error is returned.  Plug-ins reach
 * the engine only through their callback arguments, so the host exports
 * nothing for them.
 */
#include <stddef.h>
#include <string.h>

#include "soc/schedulers.h"

#ifdef SOC_HAVE_DLOPEN
#include <dlfcn.h>
#endif

void soc__sched_unload(void *dl);

#ifdef SOC_HAVE_DLOPEN

void soc__sched_unload(void *dl)
{
    if (dl != NULL)
        dlclose(dl);
}

int soc_sched_load_plugin(const char *path, void **dl_handle,
                          const soc_sched_ops_t **ops, soc_error_t *err)
{
    if (dl_handle == NULL || ops == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *dl_handle = NULL;
    *ops = NULL;
    if (path == NULL || path[0] == '\0')
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "empty plug-in path");
    /* without a '/', dlopen would search the library path instead of the
     * current directory, which is never what `plugin:x.so` means */
    char buf[4096];
    const char *open_path = path;
    if (strchr(path, '/') == NULL) {
        if (strlen(path) + 3 > sizeof buf)
            return soc_error_set(err, SOC_EINVAL, path, 0, 0, "plug-in path too long");
        buf[0] = '.';
        buf[1] = '/';
        memcpy(buf + 2, path, strlen(path) + 1);
        open_path = buf;
    }
    dlerror();
    void *dl = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        const char *why = dlerror();
        return soc_error_set(err, SOC_EPLUGIN_OPEN, path, 0, 0,
                             "cannot load scheduler plug-in: %s",
                             why != NULL ? why : "unknown reason");
    }
    int rc;
    dlerror();
    void *sym = dlsym(dl, SOC_SCHED_ENTRY_SYMBOL);
    if (sym == NULL) {
        rc = soc_error_set(err, SOC_EPLUGIN_SYMBOL, path, 0, 0,
                           "not a socsim scheduler plug-in: it does not export '%s'",
                           SOC_SCHED_ENTRY_SYMBOL);
        goto fail;
    }
    soc_sched_entry_fn *entry;
    /* object pointer to function pointer: POSIX guarantees this works */
    memcpy(&entry, &sym, sizeof entry);
    const soc_sched_ops_t *o = entry();
    if (o == NULL) {
        rc = soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                           "plug-in entry '%s' returned no scheduler", SOC_SCHED_ENTRY_SYMBOL);
        goto fail;
    }
    if (o->abi_version != SOC_SCHED_ABI_VERSION) {
        rc = soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                           "plug-in built for scheduler ABI version %u, this socsim "
                           "speaks version %u: rebuild it against this soc/sched.h",
                           (unsigned)o->abi_version, (unsigned)SOC_SCHED_ABI_VERSION);
        goto fail;
    }
    /* a larger table (newer header, fields appended) is fine: only the
     * fields this host knows are read */
    if (o->struct_size < sizeof(soc_sched_ops_t)) {
        rc = soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                           "plug-in scheduler table is %u bytes, expected at least %u "
                           "(struct_size must be sizeof(soc_sched_ops_t))",
                           (unsigned)o->struct_size, (unsigned)sizeof(soc_sched_ops_t));
        goto fail;
    }
    if (o->name == NULL || o->name[0] == '\0') {
        rc = soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0, "plug-in scheduler has no name");
        goto fail;
    }
    if (o->schedule == NULL) {
        rc = soc_error_set(err, SOC_EPLUGIN_ABI, path, 0, 0,
                           "plug-in scheduler '%.64s' has no schedule callback", o->name);
        goto fail;
    }
    *dl_handle = dl;
    *ops = o;
    return SOC_OK;
fail:
    dlclose(dl);
    return rc;
}

#else /* !SOC_HAVE_DLOPEN */

void soc__sched_unload(void *dl)
{
    (void)dl;
}

int soc_sched_load_plugin(const char *path, void **dl_handle,
                          const soc_sched_ops_t **ops, soc_error_t *err)
{
    if (dl_handle != NULL)
        *dl_handle = NULL;
    if (ops != NULL)
        *ops = NULL;
    return soc_error_set(err, SOC_EUNSUPPORTED, path, 0, 0,
                         "this socsim was built without plug-in support "
                         "(SOC_ENABLE_PLUGINS=OFF)");
}

#endif
