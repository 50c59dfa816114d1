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
#include "soc_util.h"

int soc_sched_load_plugin(const char *path, void **dl_handle,
                          const soc_sched_ops_t **ops, soc_error_t *err)
{
    if (dl_handle == NULL || ops == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *dl_handle = NULL;
    *ops = NULL;
    void *dl, *sym;
    int rc = soc__plugin_open(path, SOC_SCHED_ENTRY_SYMBOL, "scheduler", &dl, &sym, err);
    if (rc != SOC_OK)
        return rc;
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
    soc__plugin_close(dl);
    return rc;
}
