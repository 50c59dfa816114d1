/*
 * plugin.c -- the one dlopen loader of the project (soc_util.h): scheduler
 * and governor plug-ins both come through here; each caller then checks
 * the table the entry symbol returns against its own ABI.
 */
#include <string.h>

#include "soc_util.h"

#ifdef SOC_HAVE_DLOPEN
#include <dlfcn.h>

int soc__plugin_open(const char *path, const char *symbol, const char *what, void **dl,
                     void **sym, soc_error_t *err)
{
    if (dl == NULL || sym == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *dl = NULL;
    *sym = NULL;
    if (path == NULL || path[0] == '\0')
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "empty plug-in path");
    /* without a '/', dlopen would search the library path instead of the
     * current directory, which is never what `plugin:x.so` means */
    char buf[4096];
    const char *open_path = path;
    if (strchr(path, '/') == NULL) {
        size_t n = strlen(path);
        if (n + 3 > sizeof buf)
            return soc_error_set(err, SOC_EINVAL, path, 0, 0, "plug-in path too long");
        buf[0] = '.';
        buf[1] = '/';
        memcpy(buf + 2, path, n + 1);
        open_path = buf;
    }
    dlerror();
    void *h = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        return soc_error_set(err, SOC_EPLUGIN_OPEN, path, 0, 0, "cannot load %s plug-in: %s",
                             what, why != NULL ? why : "unknown reason");
    }
    dlerror();
    void *s = dlsym(h, symbol);
    if (s == NULL) {
        dlclose(h);
        return soc_error_set(err, SOC_EPLUGIN_SYMBOL, path, 0, 0,
                             "not a socsim %s plug-in: it does not export '%s'", what, symbol);
    }
    *dl = h;
    *sym = s;
    return SOC_OK;
}

void soc__plugin_close(void *dl)
{
    if (dl != NULL)
        dlclose(dl);
}

#else

int soc__plugin_open(const char *path, const char *symbol, const char *what, void **dl,
                     void **sym, soc_error_t *err)
{
    (void)symbol;
    if (dl != NULL)
        *dl = NULL;
    if (sym != NULL)
        *sym = NULL;
    return soc_error_set(err, SOC_EUNSUPPORTED, path, 0, 0,
                         "this socsim was built without %s plug-in support", what);
}

void soc__plugin_close(void *dl)
{
    (void)dl;
}

#endif
