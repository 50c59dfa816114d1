/*
 * fuzz_common.h -- helpers shared by the libFuzzer targets (tests/fuzz):
 * a scratch directory per process and whole-buffer file writes.
 */
#ifndef SOC_FUZZ_COMMON_H
#define SOC_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A private directory, made once per fuzzing process (never removed while
 * the process runs; the run script deletes its parent). */
static inline const char *fz_dir(void)
{
    static char dir[256];
    if (dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/socsim-fuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL)
            abort();
    }
    return dir;
}

/* dir/rel, written with exactly n bytes of p; returns the path (static). */
static inline const char *fz_write(const char *rel, const void *p, size_t n)
{
    static char path[4][512];
    static int k;
    char *out = path[k++ & 3];
    snprintf(out, 512, "%s/%s", fz_dir(), rel);
    FILE *f = fopen(out, "wb");
    if (f == NULL)
        abort();
    if (n > 0 && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
    return out;
}

/* NUL-terminated copy of the input. */
static inline char *fz_text(const unsigned char *data, size_t size)
{
    char *t = malloc(size + 1);
    if (t == NULL)
        abort();
    memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

#endif
