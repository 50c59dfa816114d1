/*
 * fuzz_yaml.c -- the YAML loader: any input loads or fails cleanly, and a
 * configuration that loads survives load -> write -> reload unchanged (the
 * writer's text of the reloaded config is byte-identical to the first).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "fuzz_common.h"
#include "soc/workload.h"

static char *write_text(const soc_config_t *cfg, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (f == NULL)
        abort();
    soc_error_t err = {0};
    int rc = soc_write_yaml(cfg, f, &err);
    fclose(f);
    if (rc != SOC_OK) {
        fprintf(stderr, "writer failed on a loaded config: %s\n", err.msg);
        abort();
    }
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    soc_config_t a, b;
    soc_error_t err = {0};
    if (soc_load_yaml_string(&a, text, "fuzz", fz_dir(), &err) == SOC_OK) {
        size_t n1 = 0, n2 = 0;
        char *w1 = write_text(&a, &n1);
        soc_error_t e2 = {0};
        if (soc_load_yaml_string(&b, w1, "rewritten", fz_dir(), &e2) != SOC_OK) {
            fprintf(stderr, "the writer's output does not load: %s:%d:%d: %s\n--\n%s\n", e2.file,
                    e2.line, e2.col, e2.msg, w1);
            abort();
        }
        char *w2 = write_text(&b, &n2);
        if (n1 != n2 || memcmp(w1, w2, n1) != 0) {
            fprintf(stderr, "load -> write -> reload changed the config\n--\n%s\n--\n%s\n", w1, w2);
            abort();
        }
        free(w1);
        free(w2);
        soc_config_free(&b);
        soc_config_free(&a);
    } else if (err.code >= 0 || err.msg[0] == '\0') {
        abort(); /* a failure always says why */
    }
    free(text);
    return 0;
}
