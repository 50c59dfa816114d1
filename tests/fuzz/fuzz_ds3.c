/*
 * fuzz_ds3.c -- the DS3 reader.  An input is three files separated by lines
 * "%%%%": config_file.ini, config_SoC/SoC.fuzz.txt and
 * config_Jobs/job_fuzz.txt (the ini names the other two as it likes; the
 * reader refuses anything but regular files, so no name can make it hang).
 * Every input loads or fails with a message.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "soc/workload.h"

static const char SEP[] = "\n%%%%\n";

/* Part k (0..2) of the input: [*p, *p + *n). */
static void part(const char *t, size_t size, int k, const char **p, size_t *n)
{
    const char *s = t, *end = t + size;
    for (int i = 0; i < k && s != NULL; i++) {
        const char *q = strstr(s, SEP);
        s = q != NULL ? q + sizeof SEP - 1 : NULL;
    }
    if (s == NULL) {
        *p = end;
        *n = 0;
        return;
    }
    const char *q = strstr(s, SEP);
    *p = s;
    *n = (size_t)((q != NULL ? q : end) - s);
}

static void warn_count(void *user, const soc_error_t *w)
{
    if (w->msg[0] == '\0')
        abort();
    ++*(int *)user;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size); /* strstr needs the NUL; parts stop at it */
    size = strlen(text);
    static int made;
    if (!made) {
        char d[600];
        snprintf(d, sizeof d, "%s/config_SoC", fz_dir());
        mkdir(d, 0700);
        snprintf(d, sizeof d, "%s/config_Jobs", fz_dir());
        mkdir(d, 0700);
        made = 1;
    }
    static const char *const rel[3] = {"config_file.ini", "config_SoC/SoC.fuzz.txt",
                                       "config_Jobs/job_fuzz.txt"};
    const char *ini = NULL;
    for (int k = 0; k < 3; k++) {
        const char *p;
        size_t n;
        part(text, size, k, &p, &n);
        const char *path = fz_write(rel[k], p, n);
        if (k == 0)
            ini = path;
    }
    char ini_path[600];
    snprintf(ini_path, sizeof ini_path, "%s", ini);
    soc_config_t cfg;
    soc_error_t err = {0};
    int warnings = 0;
    soc_load_options_t o = {0};
    o.struct_size = sizeof o;
    o.warnings.fn = warn_count;
    o.warnings.user = &warnings;
    int rc = soc_load_ds3_opts(&cfg, ini_path, &o, &err);
    if (rc == SOC_OK)
        soc_config_free(&cfg);
    else if (rc >= 0 || err.msg[0] == '\0')
        abort();
    free(text);
    return 0;
}
