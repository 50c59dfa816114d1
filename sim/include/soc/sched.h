/*
 * soc/sched.h -- the scheduler interface.  This is the ONLY header a
 * scheduler (built-in or plug-in) needs.
 *
 * A scheduler is a const soc_sched_ops_t: a versioned table of callbacks.
 * The engine calls them at decision points with a soc_view_t that carries
 * everything the scheduler may look at (time, ready tasks, PE states, the
 * applications' DAGs) plus a table of services (soc_sim_api_t: execution and
 * communication estimates, assignment, random numbers).  Plug-ins never call
 * host symbols; they only use their arguments.
 *
 * Execution model of the native engine (see docs/semantics.md):
 *  - Every task is assigned to exactly one PE, once.  A scheduler may assign
 *    a ready task (all predecessors finished) at any decision point, and may
 *    also assign tasks of a job that are not ready yet (static planning,
 *    typically in on_job_arrival).
 *  - Each assignment carries a key (the planned start time, or SOC_APPEND).
 *    A PE runs its assigned tasks strictly in key order (ties: assignment
 *    order); the head task starts as soon as the PE is free and its input
 *    data has arrived (predecessor finish + communication time).
 *  - SOC_APPEND gives the key max(now, data ready, PE planned end), i.e. the
 *    task is queued behind everything already on that PE.
 */
#ifndef SOC_SCHED_H
#define SOC_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOC_SCHED_ABI_VERSION 2u
#define SOC_SCHED_ENTRY_SYMBOL "soc_sched_plugin_entry"
#define SOC_APPEND ((soc_time_t)-1)

/* A task instance: job serial number (0, 1, 2... in arrival order) and
 * task index within the job's application. */
typedef struct soc_task_ref {
    uint64_t job;
    int32_t task;
} soc_task_ref_t;

/* A ready, unassigned task as offered to the scheduler. */
typedef struct soc_ready {
    soc_task_ref_t ref;
    int app;              /* application index */
    int type;             /* task type */
    soc_time_t ready_at;  /* when its last predecessor finished */
    soc_time_t arrival;   /* arrival of its job */
} soc_ready_t;

/* A planned or running task on a PE (an interval of its timeline). */
typedef struct soc_slot {
    soc_time_t start, finish;
    soc_task_ref_t ref;
} soc_slot_t;

/* State of one PE. */
typedef struct soc_pe_state {
    int cluster;
    int busy;             /* a task is running */
    soc_time_t busy_until;/* finish of the running task, else now */
    soc_time_t plan_end;  /* finish of the last planned task (>= busy_until) */
    int n_slots;          /* running + queued tasks, ordered by start */
    const soc_slot_t *slots;
    soc_time_t busy_total;/* accumulated busy time */
} soc_pe_state_t;

/* A task's state as seen by schedulers. */
typedef enum soc_task_status {
    SOC_TASK_WAITING = 0, /* predecessors pending, not assigned */
    SOC_TASK_READY,       /* ready, not assigned */
    SOC_TASK_ASSIGNED,    /* assigned, not started */
    SOC_TASK_RUNNING,
    SOC_TASK_DONE
} soc_task_status_t;

typedef struct soc_task_info {
    soc_task_status_t status;
    int pe;               /* -1 until assigned */
    soc_time_t start;     /* planned (assigned) or actual start */
    soc_time_t finish;    /* planned or actual finish */
} soc_task_info_t;

typedef struct soc_view soc_view_t;

/* Services of the engine, reached through view->api. */
typedef struct soc_sim_api {
    uint32_t struct_size;
    /* Execution time of a task type on a PE, < 0 if unsupported. */
    soc_time_t (*exec_time)(const soc_view_t *v, int type, int pe);
    /* Transfer time of `volume` from src_pe to dst_pe (0 on the same PE
     * unless bw_self says otherwise).  In shared-memory mode: write to plus
     * read from memory.  Contention-free: with a contention model
     * (communication.contention) it is the time the transfer would take
     * alone on the network; comm_time_now below sees the load. */
    soc_time_t (*comm_time)(const soc_view_t *v, double volume, int src_pe,
                            int dst_pe);
    /* Earliest time the inputs of `t` can be on `pe`, from the actual or
     * planned finish and PE of every predecessor; predecessors not yet
     * assigned are ignored (their count goes to *unplaced, may be NULL). */
    soc_time_t (*data_ready)(const soc_view_t *v, soc_task_ref_t t, int pe,
                             int *unplaced);
    /* Earliest start >= ready on pe's timeline for a task of length dur:
     * insertion into an idle gap when insert != 0, else after plan_end. */
    soc_time_t (*find_slot)(const soc_view_t *v, int pe, soc_time_t ready,
                            soc_time_t dur, int insert);
    /* Assign t to pe with key `start` (planned start or SOC_APPEND).
     * Returns SOC_OK, or SOC_ESCHED when t is unknown, already assigned,
     * or pe cannot run it. */
    int (*assign)(soc_view_t *v, soc_task_ref_t t, int pe, soc_time_t start);
    /* State of a task of a job in the system (SOC_EINVAL if unknown). */
    int (*task_info)(const soc_view_t *v, soc_task_ref_t t,
                     soc_task_info_t *out);
    /* Application index of a job in the system, -1 if unknown. */
    int (*job_app)(const soc_view_t *v, uint64_t job);
    /* Arrival time of a job in the system. */
    soc_time_t (*job_arrival)(const soc_view_t *v, uint64_t job);
    /* Uniform double in [0,1) and integer in [0,n) from the simulation's
     * RNG (deterministic for a given seed). */
    double (*uniform)(const soc_view_t *v);
    uint64_t (*uniform_int)(const soc_view_t *v, uint64_t n);
    /* ---- appended (check with SOC_API_HAS; older hosts lack them) ---- */
    /* Transfer time of `volume` from src_pe to dst_pe if requested now,
     * estimated under the network's current load (docs/semantics.md
     * "Contention"); equals comm_time without a contention model. */
    soc_time_t (*comm_time_now)(const soc_view_t *v, double volume, int src_pe,
                                int dst_pe);
    /* ---- appended (check with SOC_API_HAS): earliest availability ----
     * A PE's availability is max(now, plan_end), now the simulation's
     * current time (view->now in schedule callbacks): when a task appended
     * now could start there at the earliest.  These search it in O(log n_pes)
     * instead of a scan, for schedulers on many PEs (a cluster's PEs are
     * the index range [first_pe, first_pe + count)); the engine keeps a
     * min-tree over plan_end from the first such call on.  PE ranges are
     * clipped to [0, n_pes). */
    /* The first PE p with lo <= p < hi, in index order, that is available
     * by t (max(now, plan_end) <= t); -1 if there is none. */
    int (*pe_first_free)(const soc_view_t *v, int lo, int hi, soc_time_t t);
    /* The PE p with lo <= p < hi of least (max(now, plan_end), p): the one
     * available first, the lowest index among equals; -1 for an empty
     * range. */
    int (*pe_earliest)(const soc_view_t *v, int lo, int hi);
    /* A number that changes whenever pe's queue (slots, n_slots) or its
     * plan_end changes: a copy of the queue taken at version x is exact as
     * long as the version is still x.  0 for an invalid pe. */
    uint64_t (*pe_version)(const soc_view_t *v, int pe);
} soc_sim_api_t;

/* 1 when the engine's api table has the (appended) entry `member` set. */
#define SOC_API_HAS(api, member)                                              \
    ((api)->struct_size >= offsetof(soc_sim_api_t, member) + sizeof((api)->member) && \
     (api)->member != NULL)

/* What a scheduler sees.  Borrowed: valid only during the callback. */
struct soc_view {
    soc_time_t now;
    const soc_platform_t *platform;
    int n_apps;
    const soc_app_t *apps;
    int n_pes;
    const soc_pe_state_t *pes;
    int n_ready;
    const soc_ready_t *ready;    /* ordered by (arrival job, task index) */
    int jobs_in_system;
    const soc_sim_api_t *api;
    void *engine;                /* private to the engine */
};

/* Creation parameters of a scheduler instance. */
typedef struct soc_sched_init {
    uint32_t struct_size;
    const soc_platform_t *platform;
    int n_apps;
    const soc_app_t *apps;
    const char *arg;   /* text after "name:" in the scheduler spec, or NULL */
    uint64_t seed;
    /* Where create() may put a detailed message (file:line:col of a weights
     * file, the limit that was exceeded...) before returning an error code;
     * may be NULL.  Present when struct_size covers it. */
    soc_error_t *err;
} soc_sched_init_t;

/* 1 when init carries the err field (a host built against ABI >= 1.1). */
#define SOC_SCHED_INIT_HAS_ERR(init)                                          \
    ((init)->struct_size >= offsetof(soc_sched_init_t, err) + sizeof(soc_error_t *) && \
     (init)->err != NULL)

/* Flags */
#define SOC_SCHED_STATIC 1u   /* plans whole jobs in on_job_arrival */
/* (2u was SOC_SCHED_DS3 in ABI 1: DS3 behaviour is now an extension) */

/* Engine-specific entry points of a scheduler, as a chain of extensions.
 * The native engine uses only the core callbacks below; another engine
 * looks up its own extension by id (soc_sched_ext_find) and refuses a
 * scheduler that lacks it.  soc/ds3.h defines SOC_SCHED_EXT_DS3. */
typedef struct soc_sched_ext {
    uint32_t id;                       /* e.g. SOC_SCHED_EXT_DS3 */
    uint32_t struct_size;              /* of the table at `ops` */
    const void *ops;                   /* that engine's table */
    const struct soc_sched_ext *next;  /* NULL ends the chain */
} soc_sched_ext_t;

typedef struct soc_sched_ops {
    uint32_t abi_version;   /* SOC_SCHED_ABI_VERSION */
    uint32_t struct_size;   /* sizeof(soc_sched_ops_t) */
    const char *name;       /* registry key, lower case */
    const char *description;/* one line */
    uint32_t flags;
    /* Optional: make per-instance state (NULL create = stateless). */
    int (*create)(void **state, const soc_sched_init_t *init);
    void (*destroy)(void *state);
    /* Optional: a job arrived (its entry tasks are already in view->ready).
     * Static schedulers assign the whole DAG here. */
    int (*on_job_arrival)(void *state, soc_view_t *view, uint64_t job);
    /* Required for native semantics: assign some or all ready tasks.  Ready
     * tasks left unassigned are offered again at the next decision point. */
    int (*schedule)(void *state, soc_view_t *view);
    /* Optional: entry points for other engines (NULL = native only). */
    const soc_sched_ext_t *ext;
} soc_sched_ops_t;

/* The extension `id` of a scheduler, NULL if it has none. */
static inline const soc_sched_ext_t *soc_sched_ext_find(const soc_sched_ops_t *ops, uint32_t id)
{
    for (const soc_sched_ext_t *e = ops != NULL ? ops->ext : NULL; e != NULL; e = e->next)
        if (e->id == id)
            return e;
    return NULL;
}

/* A source of schedulers by spec ("heft", "heft:best", "plugin:P.so[:arg]",
 * "neural:WEIGHTS").  The schedulers layer provides the built-in catalog
 * (soc_sched_catalog() in soc/schedulers.h); code in layers below it -- the
 * study runner in workloads/ -- receives one from its caller, so it never
 * depends on the schedulers layer. */
typedef struct soc_sched_catalog {
    uint32_t struct_size;
    /* Resolve spec into a table and its argument (borrowed until release).
     * *token owns what the spec needed (a plug-in's handle): release it
     * after every simulation using the table is destroyed.  Errors with a
     * message in err (SOC_ENOSCHED, SOC_EINVAL, plug-in errors). */
    int (*resolve)(const char *spec, const soc_sched_ops_t **ops, const char **arg,
                   void **token, soc_error_t *err);
    void (*release)(void *token);
    /* The built-in schedulers in display order, NULL-terminated. */
    const soc_sched_ops_t *const *(*list)(void);
} soc_sched_catalog_t;

/* Entry point a plug-in .so exports under SOC_SCHED_ENTRY_SYMBOL. */
typedef const soc_sched_ops_t *soc_sched_entry_fn(void);

#ifdef __cplusplus
}
#endif
#endif
