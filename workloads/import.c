/*
 * import.c -- entry points of the importers (soc/import.h): format names,
 * options, read + check + map; loading an application file on its own.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "soc/workload.h"
#include "soc/yaml_tree.h"
#include "soc_util.h"
#include "yaml_internal.h"

static const struct {
    const char *name;
    soc_import_format_t f;
} FORMATS[] = {{"wfcommons", SOC_IMPORT_WFCOMMONS}, {"wfformat", SOC_IMPORT_WFCOMMONS},
               {"json", SOC_IMPORT_WFCOMMONS},      {"stg", SOC_IMPORT_STG},
               {"dot", SOC_IMPORT_DOT},             {"gv", SOC_IMPORT_DOT}};

int soc_import_format_parse(const char *name, soc_import_format_t *out)
{
    for (size_t i = 0; name != NULL && i < sizeof FORMATS / sizeof FORMATS[0]; i++)
        if (strcmp(name, FORMATS[i].name) == 0) {
            *out = FORMATS[i].f;
            return SOC_OK;
        }
    return SOC_EINVAL;
}

const char *soc_import_format_name(soc_import_format_t f)
{
    switch (f) {
    case SOC_IMPORT_WFCOMMONS:
        return "wfcommons";
    case SOC_IMPORT_STG:
        return "stg";
    case SOC_IMPORT_DOT:
        return "dot";
    }
    return "?";
}

void soc_import_options_default(soc_import_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->data_scale = 1;
    o->default_cost = NAN;
    o->latency_us = -1;
}

int soc_import_string(soc_import_format_t fmt, const char *text, size_t len, const char *name,
                      const soc_import_options_t *opts, soc_config_t *cfg,
                      soc_import_stats_t *stats, soc_error_t *err)
{
    if (cfg == NULL || text == NULL)
        return soc_error_set(err, SOC_EINVAL, name, 0, 0, "no input or no configuration");
    soc_config_init(cfg);
    soc_import_options_t def;
    if (opts == NULL) {
        soc_import_options_default(&def);
        opts = &def;
    }
    if (!(opts->time_scale >= 0) || !isfinite(opts->time_scale) || !(opts->data_scale >= 0) ||
        !isfinite(opts->data_scale))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "the time and data scales must be finite numbers >= 0");
    if (!isnan(opts->default_cost) && !(opts->default_cost >= 0 && isfinite(opts->default_cost)))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "the default cost must be a finite number >= 0");
    soc_library_init();
    soc__dag_t d;
    soc__dag_init(&d, name != NULL ? name : "<input>");
    int rc;
    switch (fmt) {
    case SOC_IMPORT_WFCOMMONS:
        rc = soc__read_wfcommons(&d, text, len, opts, err);
        d.merge_dups = 1; /* an edge listed as a parent and as a child */
        break;
    case SOC_IMPORT_STG:
        rc = soc__read_stg(&d, text, len, opts, err);
        break;
    case SOC_IMPORT_DOT:
        rc = soc__read_dot(&d, text, len, opts, err);
        break;
    default:
        rc = soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "unknown import format");
    }
    if (rc == SOC_OK && !isnan(opts->default_cost)) {
        double scale = opts->time_scale > 0 ? opts->time_scale : d.time_default;
        for (int i = 0; i < d.n; i++)
            if (isnan(d.cost[i])) {
                d.cost[i] = opts->default_cost * scale;
                d.raw[i] = opts->default_cost;
            }
    }
    if (rc == SOC_OK)
        rc = soc__dag_finish(&d, d.merge_dups, opts->no_join ? 2 : opts->join ? 1 : 0, err);
    if (rc == SOC_OK)
        rc = soc__dag_to_config(&d, opts, cfg, stats, err);
    soc__dag_free(&d);
    return rc;
}

int soc_import(soc_import_format_t fmt, const char *path, const soc_import_options_t *o,
               soc_config_t *cfg, soc_import_stats_t *stats, soc_error_t *err)
{
    if (cfg == NULL || path == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no file or no configuration");
    soc_config_init(cfg);
    char *text = NULL;
    size_t len = 0;
    int rc = soc__read_text(path, &text, &len, err);
    if (rc != SOC_OK)
        return rc;
    rc = soc_import_string(fmt, text, len, path, o, cfg, stats, err);
    free(text);
    return rc;
}

int soc_import_wfcommons(const char *path, const soc_import_options_t *o, soc_config_t *cfg,
                         soc_import_stats_t *stats, soc_error_t *err)
{
    return soc_import(SOC_IMPORT_WFCOMMONS, path, o, cfg, stats, err);
}

int soc_import_stg(const char *path, const soc_import_options_t *o, soc_config_t *cfg,
                   soc_import_stats_t *stats, soc_error_t *err)
{
    return soc_import(SOC_IMPORT_STG, path, o, cfg, stats, err);
}

int soc_import_dot(const char *path, const soc_import_options_t *o, soc_config_t *cfg,
                   soc_import_stats_t *stats, soc_error_t *err)
{
    return soc_import(SOC_IMPORT_DOT, path, o, cfg, stats, err);
}

/* ------------------------------------------- an application file alone */

/* The task types an application file names (tasks: name or {name, type}). */
static int app_types(const char *path, soc__buf_t *b, soc_error_t *err)
{
    soc_ynode_t *root = NULL;
    int rc = soc_ytree_load(&root, path, err);
    if (rc != SOC_OK)
        return rc;
    const soc_ynode_t *tasks = soc_ytree_get(root, "tasks");
    soc__smap_t seen = {0};
    int n = 0;
    for (int i = 0; tasks != NULL && tasks->kind == SOC_YNODE_SEQUENCE && i < tasks->n; i++) {
        const soc_ynode_t *t = tasks->items[i], *ty = NULL;
        if (t->kind == SOC_YNODE_SCALAR)
            ty = t;
        else if (t->kind == SOC_YNODE_MAPPING) {
            ty = soc_ytree_get(t, "type");
            if (ty == NULL)
                ty = soc_ytree_get(t, "name");
        }
        if (ty == NULL || ty->kind != SOC_YNODE_SCALAR)
            continue; /* the loader reports it */
        int got = soc__smap_put(&seen, ty->value, n);
        if (got == -2) {
            rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        if (got != n)
            continue;
        soc__buf_puts(b, n++ ? ", " : "");
        soc__buf_json_str(b, ty->value);
        soc__buf_puts(b, ": 0");
    }
    if (n == 0 && rc == SOC_OK)
        soc__buf_puts(b, "__none: 0");
    soc__smap_free(&seen);
    soc_ytree_free(root);
    return rc;
}

int soc_load_app_yaml(soc_config_t *cfg, const char *app_path, const char *platform_path,
                      soc_error_t *err)
{
    if (cfg == NULL || app_path == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "no application file given");
    soc_config_init(cfg);
    const char *files[2] = {app_path, platform_path};
    for (int i = 0; i < 2; i++) {
        FILE *f = files[i] != NULL ? fopen(files[i], "rb") : NULL;
        if (files[i] != NULL && f == NULL)
            return soc_error_set(err, SOC_EIO, files[i], 0, 0, "cannot read: %s",
                                 strerror(errno));
        if (f != NULL)
            fclose(f);
    }
    soc__buf_t b = {0};
    int rc = SOC_OK;
    soc__buf_puts(&b, "platform: ");
    if (platform_path != NULL) {
        soc__buf_json_str(&b, platform_path);
    } else {
        soc__buf_puts(&b, "{name: stub, clusters: [{name: any, exec_us: {");
        if ((rc = app_types(app_path, &b, err)) != SOC_OK)
            goto out;
        soc__buf_puts(&b, "}}]}");
    }
    soc__buf_puts(&b, "\napplications: [");
    soc__buf_json_str(&b, app_path);
    soc__buf_puts(&b, "]\ninjection: {arrival: trace, times_us: [0]}\n");
    if (soc__buf_cstr(&b) == NULL) {
        rc = soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    rc = soc_load_yaml_string(cfg, soc__buf_cstr(&b), "(application and platform)", NULL, err);
out:
    soc__buf_free(&b);
    return rc;
}
