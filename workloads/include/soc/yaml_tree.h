/*
 * soc/yaml_tree.h -- a plain YAML node tree, and loading a socsim YAML
 * config with "dotted.path=value" overrides applied to the document before
 * it is converted (the machinery behind `socsim sweep` axes).
 *
 * The tree is plain data (no libyaml types leak out), so tools such as the
 * CLI can read small YAML files of their own (sweep files, regression
 * suites) with positions for their error messages.
 */
#ifndef SOC_YAML_TREE_H
#define SOC_YAML_TREE_H

#include <stddef.h>
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum soc_ynode_kind {
    SOC_YNODE_SCALAR = 0,
    SOC_YNODE_SEQUENCE,
    SOC_YNODE_MAPPING
} soc_ynode_kind_t;

/* One node.  A mapping has n (key, value) pairs in keys[i] / items[i] in
 * document order (keys are scalar nodes); a sequence has n items (keys is
 * NULL); a scalar has its text in value.  line and col are 1-based. */
typedef struct soc_ynode {
    soc_ynode_kind_t kind;
    char *value;              /* scalar text (NUL-terminated), else NULL */
    int quoted;               /* scalar was quoted or a block scalar: a
                                 string, never a number or null */
    int flow;                 /* collection was written in flow style */
    int line, col;
    int n;
    struct soc_ynode **keys;  /* [n] for mappings, else NULL */
    struct soc_ynode **items; /* [n] */
} soc_ynode_t;

/* Parse exactly one YAML document from a file / a string into a new tree
 * (*out, caller frees with soc_ytree_free).  Aliases are expanded into
 * copies (at most 1,000,000 nodes in all).  `name` is used in messages.
 * Errors: SOC_EIO (unreadable file), SOC_EPARSE (malformed YAML, with
 * file:line:col), SOC_ECONFIG (empty document, several documents),
 * SOC_ELIMIT, SOC_ENOMEM. */
SOC_API int soc_ytree_load(soc_ynode_t **out, const char *path, soc_error_t *err);
SOC_API int soc_ytree_parse(soc_ynode_t **out, const char *text, size_t len,
                            const char *name, soc_error_t *err);
/* Free a tree (NULL is fine). */
SOC_API void soc_ytree_free(soc_ynode_t *n);
/* Value of `key` in a mapping, NULL if absent or n is not a mapping. */
SOC_API const soc_ynode_t *soc_ytree_get(const soc_ynode_t *n, const char *key);
/* 1 when n is a plain scalar meaning null ("", "~", "null"). */
SOC_API int soc_ytree_is_null(const soc_ynode_t *n);
/* Write n as single-line flow YAML text (a malloc'ed string the caller
 * frees; NULL when out of memory). */
SOC_API char *soc_ytree_to_flow(const soc_ynode_t *n);

/* Set a node by dotted path in the tree rooted at *root (a mapping):
 * "injection.mean_interarrival_us", "platform.clusters.1.count" (a
 * sequence is indexed by position, or by the `name` of its mapping items:
 * "platform.clusters.big.count").  `value` is parsed as YAML ("200",
 * "heft", "[1, 2]", "{a: 1}").  Missing mapping keys are created (the
 * loader then decides whether they are valid).  A scalar met half-way
 * whose text names a YAML file (a reference such as `platform: soc.yaml`)
 * is replaced by that file's tree, read relative to basedir (may be NULL),
 * so paths reach into referenced files too.
 * Errors: SOC_EINVAL (malformed path or "key=value" text), SOC_ECONFIG
 * (path leads through a scalar, index out of range), SOC_EPARSE (value is
 * not YAML), SOC_EIO (referenced file unreadable). */
SOC_API int soc_ytree_set(soc_ynode_t *root, const char *path, const char *value,
                          const char *basedir, soc_error_t *err);

/* Load a socsim YAML config file (like soc_load_yaml) after applying
 * `overrides`, a NULL-terminated list of "dotted.path=value" strings (NULL
 * or empty = plain soc_load_yaml).  Errors in the overrides or that the
 * overrides cause (unknown key, wrong type, invalid value) are reported as
 * "FILE: with KEY=VALUE: message"; errors of the file itself keep their
 * file:line:col.  On failure *cfg is left empty. */
SOC_API int soc_load_yaml_with_overrides(soc_config_t *cfg, const char *path,
                                         const char *const *overrides, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
