/*
 * soc/workload.h -- loading configurations: socsim YAML, DS3 text files;
 * writing YAML back; the embedded default.
 */
#ifndef SOC_WORKLOAD_H
#define SOC_WORKLOAD_H

#include <stdio.h>
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Front-end settings (soc_config_setting) the YAML loader fills from the
 * `outputs:` section, and the writer writes back: the files a run should
 * produce.  Command-line options take precedence over them. */
#define SOC_SETTING_SCHEDULE "outputs.schedule"       /* per-task schedule CSV */
#define SOC_SETTING_TRACE "outputs.trace"             /* Chrome/Perfetto trace JSON */
#define SOC_SETTING_GANTT "outputs.gantt"             /* Gantt chart PNG */
#define SOC_SETTING_POWER_TRACE "outputs.power_trace" /* power/thermal CSV */
#define SOC_SETTING_JSON "outputs.json"               /* "true": print JSON lines */

/* Load a socsim YAML config file (platform and applications may be in
 * referenced files, resolved relative to the including file).  On success
 * *cfg is filled and finalized (soc_config_finalize); on failure *cfg is
 * left empty and err carries file:line:col.  Caller frees with
 * soc_config_free. */
SOC_API int soc_load_yaml(soc_config_t *cfg, const char *path, soc_error_t *err);
/* Same, from a string; `name` is used in messages and `basedir` resolves
 * referenced files (may be NULL = current directory). */
SOC_API int soc_load_yaml_string(soc_config_t *cfg, const char *text,
                                 const char *name, const char *basedir,
                                 soc_error_t *err);
/* Write *cfg as socsim YAML that soc_load_yaml reads back to an equal
 * config. */
SOC_API int soc_write_yaml(const soc_config_t *cfg, FILE *out, soc_error_t *err);
/* Write application `app` of *cfg as an application file of its own (the
 * top-level mapping an `applications:` entry may name: name, deadline_us,
 * head, tail, tasks, edges; no probability).  Task types are written by
 * name, so the file is meant for a platform that knows them. */
SOC_API int soc_write_app_yaml(const soc_config_t *cfg, int app, FILE *out, soc_error_t *err);
/* Write a platform as a platform file of its own (what `platform:` may
 * name): name, types, clusters, communication. */
SOC_API int soc_write_platform_yaml(const soc_platform_t *p, FILE *out, soc_error_t *err);

/* The embedded default: a realistic heterogeneous SoC and application mix
 * (YAML text compiled into the library). */
SOC_API const char *soc_default_config_yaml(void);

/* Load a DS3 config_file.ini with its SoC and job files (resolved under
 * config_SoC/ and config_Jobs/ next to the ini).  Sets semantics DS3 and
 * cfg->ds3.  `overrides` (may be NULL) is a NULL-terminated list of
 * "key=value" strings applied on top of the ini. */
SOC_API int soc_load_ds3(soc_config_t *cfg, const char *ini_path,
                         const char *const *overrides, soc_error_t *err);

/* Options of the loaders' *_opts forms.  Zero-initialise, then set
 * struct_size = sizeof(soc_load_options_t) (fields past it are taken as
 * zero, so old callers keep working as fields are added). */
typedef struct soc_load_options {
    size_t struct_size;
    const char *const *overrides; /* "key=value" strings, NULL-terminated: DS3
                                     ini options, or YAML dotted paths
                                     ("injection.mean_interarrival_us=200") */
    soc_warn_sink_t warnings;     /* receives the loader's warnings (fn NULL:
                                     dropped); see soc/status.h */
} soc_load_options_t;

/* soc_load_ds3 with options (opts may be NULL).  Warnings: a resource
 * capacity below 1 (DS3 reads it as 1); [TRACE] options switched on (DS3's
 * trace files are not written).  socsim's own option `semantics = native`
 * (e.g. as an override) reads the same workload in native semantics, for
 * the schedulers without DS3 behaviour (HEFT, PEFT, ...). */
SOC_API int soc_load_ds3_opts(soc_config_t *cfg, const char *ini_path,
                              const soc_load_options_t *opts, soc_error_t *err);

/* soc_load_yaml with options (opts may be NULL): overrides as
 * soc_load_yaml_with_overrides (soc/yaml_tree.h), and warnings: a task type
 * exec_us lists but no task uses, close to a used type the cluster does not
 * list ("did you mean"); `power: false` in DS3 semantics (ignored).
 * Warnings about a file rewritten by overrides carry no line. */
SOC_API int soc_load_yaml_opts(soc_config_t *cfg, const char *path,
                               const soc_load_options_t *opts, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
