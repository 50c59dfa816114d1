/*
 * dag_internal.h -- the intermediate task graph of the importers and
 * generators (workloads/, never installed), and a string -> int hash map.
 *
 * A reader fills a soc__dag_t (tasks with a category and a reference time,
 * edges with volumes, source positions for messages); soc__dag_finish
 * checks it (duplicate edges, self-dependencies, cycles, connectivity) and
 * soc__dag_to_config maps it onto a platform (types, clusters) as a
 * finalized soc_config_t.  The dag owns every string and array.
 */
#ifndef SOC_DAG_INTERNAL_H
#define SOC_DAG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "soc/import.h"
#include "soc/model.h"
#include "soc_util.h"

/* The string map is soc__smap_t of the util layer (soc_util.h). */

/* ------------------------------------------------------- platform map */

typedef struct soc__map_entry {
    char *key;
    double value;    /* NaN = cannot run */
    int line, col;
} soc__map_entry_t;

typedef struct soc__map_cluster {
    char *name;
    char *kind;      /* may be NULL */
    int count;
    double factor;   /* NaN = runs only the categories listed */
    int n_factors, n_exec;
    soc__map_entry_t *factors; /* per category/type multipliers */
    soc__map_entry_t *exec;    /* per category/type explicit µs */
    int line, col;   /* 0 for clusters given as specs */
} soc__map_cluster_t;

typedef struct soc__map_pair {
    char *a, *b;
    double bw;
    int line, col;
} soc__map_pair_t;

struct soc_platform_map {
    int n;
    soc__map_cluster_t *c;
    double bw_default;   /* 0 = not given */
    double bw_self;      /* NaN = not given */
    double latency_us;   /* NaN = not given */
    int n_pairs;
    soc__map_pair_t *pairs;
    char *file;          /* the last map file read (messages) */
};

/* ------------------------------------------------------------ the dag */

typedef struct soc__machine {
    char *name;
    int cores;        /* >= 1 */
    double speed_mhz; /* 0 = unknown */
} soc__machine_t;

typedef struct soc__dag {
    char *name;         /* application name (may be NULL: file stem) */
    const char *file;   /* for messages (borrowed) */
    int n, cap;
    char **names;       /* [n] unique task names */
    char **cats;        /* [n] categories */
    double *cost;       /* [n] reference time in µs; NaN = unknown */
    double *raw;        /* [n] the cost in the file's units (type names) */
    int *line, *col;    /* [n] where the task is defined (0 = unknown) */
    int *machine;       /* [n] index into machines, -1; NULL = none */
    int ne, ecap;
    soc_edge_t *edges;
    int *eline, *ecol;  /* [ne] where the edge is given */
    int n_mach;
    soc__machine_t *mach;
    /* generators: per-task, per-cluster time multipliers (heterogeneity),
     * [n * n_het]; NULL = none */
    double *het;
    int n_het;
    int n_virtual, n_virtual_edges;
    double input_volume;
    double time_default; /* the format's time scale (µs per unit) */
    double bw_default;  /* the format's default bandwidth */
    const char *cost_word; /* what the format calls a cost, for messages */
    int merge_dups;     /* an edge given twice is merged (else an error) */
    char version[16];
    soc__smap_t index;  /* task name -> index */
} soc__dag_t;

void soc__dag_init(soc__dag_t *d, const char *file);
void soc__dag_free(soc__dag_t *d);
/* Add a task; returns its index, -1 when the name is taken (*dup = the
 * earlier index), -2 when out of memory.  cat NULL = "task". */
int soc__dag_add_task(soc__dag_t *d, const char *name, const char *cat, double cost,
                      double raw, int line, int col, int *dup);
/* Add an edge (no checks here). 0, or -2 when out of memory. */
int soc__dag_add_edge(soc__dag_t *d, int src, int dst, double volume, int line, int col);

/* Sort-free checks after reading: a self-dependency, an edge given twice
 * (merged when merge_dups, else an error), a cycle (with its path), and
 * weak connectivity: connect 0 keeps the parts, 1 joins them with a
 * virtual entry task, 2 refuses them.  Errors carry the file and the
 * position of the culprit. */
int soc__dag_finish(soc__dag_t *d, int merge_dups, int connect, soc_error_t *err);

/* Map onto a platform and build the config (finalized).  o may not be
 * NULL. */
int soc__dag_to_config(soc__dag_t *d, const soc_import_options_t *o, soc_config_t *cfg,
                       soc_import_stats_t *stats, soc_error_t *err);

/* Readers: fill d from text (d initialised by the caller; d->file set). */
int soc__read_wfcommons(soc__dag_t *d, const char *text, size_t len,
                        const soc_import_options_t *o, soc_error_t *err);
int soc__read_stg(soc__dag_t *d, const char *text, size_t len,
                  const soc_import_options_t *o, soc_error_t *err);
int soc__read_dot(soc__dag_t *d, const char *text, size_t len,
                  const soc_import_options_t *o, soc_error_t *err);

/* Shortest decimal text of x that reads back to the same double. */
const char *soc__dag_num(char buf[40], double x);

/* The file name's last component without its extension (malloc'ed). */
char *soc__file_stem(const char *path);

#endif
