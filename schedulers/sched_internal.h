/*
 * sched_internal.h -- declarations shared by the built-in schedulers of
 * schedulers/: the ops tables of every built-in, and the helpers of
 * common.c (cost summaries, ranks, PE timelines with insertion search,
 * static whole-job planning, dynamic ready-list helpers).  Never installed;
 * the tests include it by relative path to check the helpers directly.
 *
 * Units: every time inside the schedulers is the engine's integer
 * nanoseconds (soc_time_t); priorities (ranks, OCT) are doubles in ns.
 */
#ifndef SOC_SCHED_INTERNAL_H
#define SOC_SCHED_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "soc/sched.h"

/* ------------------------------------------------------------ built-ins */

extern const soc_sched_ops_t soc_sched_met;
extern const soc_sched_ops_t soc_sched_eft;
extern const soc_sched_ops_t soc_sched_etf;
extern const soc_sched_ops_t soc_sched_etf_hwang;
extern const soc_sched_ops_t soc_sched_mct;
extern const soc_sched_ops_t soc_sched_minmin;
extern const soc_sched_ops_t soc_sched_maxmin;
extern const soc_sched_ops_t soc_sched_sufferage;
extern const soc_sched_ops_t soc_sched_olb;
extern const soc_sched_ops_t soc_sched_rr;
extern const soc_sched_ops_t soc_sched_random;
extern const soc_sched_ops_t soc_sched_heft;
extern const soc_sched_ops_t soc_sched_heft_best;
extern const soc_sched_ops_t soc_sched_heft_worst;
extern const soc_sched_ops_t soc_sched_cpop;
extern const soc_sched_ops_t soc_sched_peft;
extern const soc_sched_ops_t soc_sched_lookahead;
extern const soc_sched_ops_t soc_sched_bnb;
extern const soc_sched_ops_t soc_sched_fcfs;
/* DS3-exact schedulers (owned by the DS3 files) */
extern const soc_sched_ops_t soc_sched_stf;
extern const soc_sched_ops_t soc_sched_etf_lb;
extern const soc_sched_ops_t soc_sched_cpu_only;
/* MLP policy of the RL environment (neural.c) */
extern const soc_sched_ops_t soc_sched_neural;
/* contention-aware EFT (eft_net.c) */
extern const soc_sched_ops_t soc_sched_eft_net;

/* Case-insensitive ASCII comparison of a name with a registry key. */
int soc__name_eq(const char *a, const char *b);
/* Same over the first n characters of a (b must have length n). */
int soc__name_eqn(const char *a, size_t n, const char *b);

/* -------------------------------------------------------- cost summaries
 * Platform-wide summaries used for priorities only (ranks, OCT, CP).  The
 * finish-time estimates that place tasks always ask the engine (view->api),
 * so placements follow the engine's exact rules. */

typedef enum soc__cost_kind {
    SOC__COST_MEAN = 0, /* Topcuoglu: mean over the PEs (pairs) */
    SOC__COST_BEST,     /* minimum execution / communication cost */
    SOC__COST_WORST     /* maximum */
} soc__cost_kind_t;

typedef struct soc__costs {
    int n_types, n_clusters;
    double *w;         /* [n_clusters * n_types] ns, < 0 = unsupported */
    int *count;        /* [n_clusters] PEs that run tasks (0: memory) */
    double *w_mean, *w_best, *w_worst; /* [n_types] over supporting PEs */
    double lat_ns;     /* start-up latency between distinct PEs */
    /* ns per data unit between distinct PEs: 1 / bandwidth, with the mean
     * taken over the bandwidth (Topcuoglu's B-bar), best = fastest link */
    double unit_mean, unit_best, unit_worst;
} soc__costs_t;

/* Summaries of platform p (finalized).  SOC_OK or SOC_ENOMEM. */
int soc__costs_init(soc__costs_t *c, const soc_platform_t *p);
void soc__costs_free(soc__costs_t *c);
/* Execution cost summary of a task type (ns). */
double soc__cost_w(const soc__costs_t *c, int type, soc__cost_kind_t k);
/* Communication cost summary of an edge (ns); 0 for pure precedence. */
double soc__cost_c(const soc__costs_t *c, double volume, soc__cost_kind_t k);
/* Execution time (ns) of type on cluster, < 0 if unsupported. */
static inline double soc__cost_wc(const soc__costs_t *c, int type, int cluster)
{
    return c->w[(size_t)cluster * (size_t)c->n_types + (size_t)type];
}

/* Priorities are compared after rounding to 1/4096 ns, so that values
 * equal in exact arithmetic (e.g. sums of thirds) tie exactly and the
 * documented id tie-break applies. */
double soc__prio_round(double x);

/* Upward rank (rank_u) of every task, reverse topological order. */
int soc__rank_upward(const soc__costs_t *c, const soc_app_t *a,
                     soc__cost_kind_t k, double *out);
/* Downward rank (rank_d), predecessor costs as in Topcuoglu. */
int soc__rank_downward(const soc__costs_t *c, const soc_app_t *a,
                       soc__cost_kind_t k, double *out);
/* Optimistic cost table of PEFT, per cluster: oct[task * n_clusters + c]
 * (cluster entries the task cannot run on are still defined); rank[task]
 * = mean OCT over the PEs that run the task.  O(e * clusters). */
int soc__oct_table(const soc__costs_t *c, const soc_app_t *a, double *oct,
                   double *rank);
/* A topological order that always takes the eligible task (all
 * predecessors taken) of highest priority; ties: lower task index.  Equals
 * the sort by non-increasing priority whenever that sort is topological.
 * O(v log v + e).  SOC_OK or SOC_ENOMEM. */
int soc__priority_order(const soc_app_t *a, const double *prio, int *order);

/* ------------------------------------------------------- identical PEs
 * The PEs of a cluster are identical: one execution time per task type, and
 * one transfer time to or from any PE of another cluster (or another PE of
 * the same cluster).  So for a task, every PE of a cluster that hosts none of
 * its predecessors sees the same data-ready time and the same duration; only
 * their availability differs, and a finish time max(ready, avail) + w or an
 * earliest start is minimal at the first PE (index order) that is free by
 * the ready time.  The schedulers scan a cluster in index order and stop
 * there, and evaluate the PEs hosting a predecessor one by one: the cost
 * per task grows with the clusters and the busy PEs, not with the PEs.
 * The transfer rule is checked once against the engine (api->comm_time on
 * every PE against each cluster); on a platform where it does not hold (a
 * future per-PE topology) every PE is a group of its own.  Both give the
 * decisions of the scan of every PE, ties included (lexicographic
 * (key, PE)); `never` makes the schedulers use that scan (tests). */
typedef struct soc__groups {
    int built;           /* 0 = not yet looked at the platform */
    int use;             /* the group path is used (!never) */
    int never;           /* tests: scan every PE instead */
    int n;               /* groups: task-running clusters (or PEs) */
    int *first, *count;  /* [n] first PE and PEs of each, in PE order */
    int *of_pe;          /* [n_pes] group of a PE, -1 = memory */
    unsigned *mark;      /* [n_pes] host marks of the current task */
    unsigned cur;
    int *hosts;          /* [n_pes] hosts of the current task */
    int n_hosts;
} soc__groups_t;

/* Look at the platform once (SOC_OK or SOC_ENOMEM). */
int soc__groups_build(soc__groups_t *g, const soc_view_t *v);
void soc__groups_free(soc__groups_t *g);

/* ------------------------------------------------------------ timelines
 * A PE's reservations as intervals sorted by start; end[] holds the running
 * maximum of finishes, so it is non-decreasing and binary-searchable even if
 * the engine's plan overlaps.  gmax[k] is the longest idle gap between
 * reservations from index k on, so a search stops as soon as nothing later
 * can fit.  Insertion keeps the order.  fin[] and ref[] keep each
 * reservation's own finish and task, so that a planner's timelines can
 * follow the engine's PE queues incrementally (see soc__plan_t).  Element 0
 * sits at offset `off` of the allocations (the *0 pointers), so dropping
 * finished reservations from the front costs nothing. */

typedef struct soc__tl {
    int n, cap, off;
    soc_time_t *start, *end;
    soc_time_t *gmax;    /* [n + 1], suffix maxima of the usable gaps */
    soc_time_t *bmax;    /* per block of SOC__TL_BLOCK allocation positions, at
                            least the largest usable gap in it (the search
                            skips blocks whose bound is too small) */
    soc_time_t *fin;     /* [n] finish of each reservation */
    soc_task_ref_t *ref; /* [n] its task ({0, -1} when not known) */
    /* the allocations (start == start0 + off, ...) */
    soc_time_t *start0, *end0, *gmax0, *fin0; /* bmax is not offset */
    soc_task_ref_t *ref0;
    /* soc__plan_t bookkeeping */
    int valid;           /* mirrors the engine's queue as of its last sync */
    uint64_t epoch;      /* planning in which it was last synced */
    int ver_ok;          /* unchanged since the sync at engine version ver */
    uint64_t ver;        /* (api->pe_version): while the engine's version is
                            still ver, the mirror is exact without a look */
} soc__tl_t;

#define SOC__TL_BLOCK 32

/* Earliest start >= ready of a task of length dur: in the first idle gap
 * that fits (insert != 0) or after the last reservation.  *pos receives the
 * index to insert at (may be NULL).  O(log n + gaps skipped), where the
 * walk ends at the first gap that fits or when no later gap can. */
soc_time_t soc__tl_find(const soc__tl_t *tl, soc_time_t ready, soc_time_t dur,
                        int insert, int *pos);
int soc__tl_insert(soc__tl_t *tl, int pos, soc_time_t start, soc_time_t end);
int soc__tl_insert_ref(soc__tl_t *tl, int pos, soc_time_t start, soc_time_t end,
                       soc_task_ref_t ref);
void soc__tl_remove(soc__tl_t *tl, int pos);
/* 0 when tl's suffix maxima are exact and its block bounds hold (tests). */
int soc__tl_check(const soc__tl_t *tl);
void soc__tl_free(soc__tl_t *tl);

/* Planning workspace of the whole-job planners: the PE timelines plus the
 * planned PE/start/finish of each task of the job being planned.
 *
 * The timelines persist from one job to the next.  A timeline is brought
 * up to date with the engine's PE queue the first time a planning looks at
 * it (soc__plan_tl), which costs only what changed: between two plannings
 * the engine only drops finished tasks from the front of a queue and moves
 * the start/finish of its head (a task starting, a frequency change), and
 * every other reservation on the queue is one the planner made itself and
 * mirrored with soc__plan_put.  A planning that handed its whole plan to the
 * engine says so with soc__plan_commit; without it (bnb's trial plans, a
 * failed planning, soc__static_schedule assigning behind the planner's
 * back) the next planning copies each queue afresh, as does any queue that
 * does not look like the mirror (number of tasks, head, second and last
 * reservation).  Copying is O(queue length); the incremental update is
 * O(finished tasks + reservations whose running maximum changed). */
typedef struct soc__plan {
    int n_pes, cap_tasks;
    soc__tl_t *tl;       /* [n_pes]: use soc__plan_tl, never directly */
    soc_time_t now;
    int *pe;             /* [n_tasks] -1 = not placed */
    soc_time_t *start, *finish;
    const soc_view_t *v; /* view of the current planning (borrowed) */
    uint64_t job;        /* the job being planned (refs of its reservations) */
    uint64_t epoch;      /* plannings begun */
    int committed;       /* the last planning was handed to the engine whole */
    int oom;             /* a timeline could not be synced: out of memory */
    int64_t copies, updates; /* timelines copied / updated (for tests) */
    int64_t same;            /* ... found unchanged by their version */
    soc__groups_t groups;    /* identical PEs (soc__plan_best_pe) */
} soc__plan_t;

/* Begin planning `job` (n_tasks tasks) with view v: clears the task arrays;
 * timelines are synced lazily by soc__plan_tl. */
int soc__plan_begin(soc__plan_t *pl, const soc_view_t *v, uint64_t job, int n_tasks);
/* The timeline of pe, synced with the engine (once per planning).  On out of
 * memory it sets pl->oom and returns an empty timeline. */
soc__tl_t *soc__plan_tl(soc__plan_t *pl, int pe);
/* Sync every timeline now (planners that read them all, like bnb).  SOC_OK
 * or SOC_ENOMEM. */
int soc__plan_sync_all(soc__plan_t *pl);
/* Every reservation put in this planning is now on the engine's queues,
 * at the positions soc__plan_put mirrored: the timelines may be kept. */
void soc__plan_commit(soc__plan_t *pl);
void soc__plan_free(soc__plan_t *pl);
/* Earliest arrival of task's inputs on pe from the placed predecessors
 * (unplaced ones are ignored), and never before max(now, arrival). */
soc_time_t soc__plan_ready(const soc__plan_t *pl, const soc_view_t *v,
                           const soc_app_t *a, int task, int pe,
                           soc_time_t floor);
/* Record task on pe at [start, finish) in the plan (not in the engine), at
 * timeline index pos as given by soc__tl_find. */
int soc__plan_put(soc__plan_t *pl, int task, int pe, int pos, soc_time_t start,
                  soc_time_t finish);
/* Undo a soc__plan_put; trial placements must be taken back in reverse
 * order, so that each index is still the one it was put at. */
void soc__plan_take(soc__plan_t *pl, int task, int pos);

/* Placement rules of a whole-job planner (HEFT family). */
typedef struct soc__eft_rule {
    int insert;          /* insertion-based EST (else append) */
    const double *bias;  /* score = EFT + bias[task * n_clusters + cluster]
                            (PEFT's OCT), may be NULL */
    const int *pin;      /* pin[task] >= 0: that PE whenever it can run the
                            task (CPOP's critical path), may be NULL */
} soc__eft_rule_t;

/* Place every task of `job` (application a) in `order`, each on the PE of
 * minimal score (EFT, insertion per rule), ties to the lower PE index, and
 * hand the plan to the engine with view->api->assign (planned starts).
 * O(e * q + v * q * log(reservations)). */
int soc__plan_job(soc__plan_t *pl, soc_view_t *v, uint64_t job, int app,
                  const int *order, const soc__eft_rule_t *rule);
/* Best PE of one task under rule given the current plan: returns the PE
 * (-1 if none can run it) and its start/finish; pos = timeline index. */
int soc__plan_best_pe(soc__plan_t *pl, const soc_view_t *v,
                      const soc_app_t *a, int task, soc_time_t floor,
                      const soc__eft_rule_t *rule, soc_time_t *start,
                      soc_time_t *finish, int *pos);

/* ------------------------------------------------ static scheduler base
 * State shared by the whole-DAG schedulers: cost summaries, a lazily filled
 * per-application cache (computed at the first job of each application, so
 * the cost per job stays flat), and the planning workspace. */

typedef struct soc__app_cache {
    int ready;
    int *order;          /* [n_tasks] planning order */
    double *prio;        /* [n_tasks] priority used for the order */
    double *aux;         /* scheduler-specific table (PEFT: OCT) */
    int *iaux;           /* scheduler-specific (CPOP: pinned PE per task;
                            lookahead: children sorted by rank) */
    int cp_pe;           /* CPOP: the critical-path PE, -1 = none */
} soc__app_cache_t;

typedef struct soc__static soc__static_t;
typedef int (*soc__cache_fn)(soc__static_t *st, const soc_app_t *a,
                             soc__app_cache_t *ac);

struct soc__static {
    const soc_platform_t *platform;
    int n_apps;
    const soc_app_t *apps;
    soc__cost_kind_t kind;
    soc__costs_t costs;
    soc__app_cache_t *cache;   /* [n_apps] */
    soc__cache_fn fill;        /* fills one cache entry */
    soc__plan_t plan;
    void *ext;                 /* scheduler-specific (freed with free()) */
};

int soc__static_create(soc__static_t **out, const soc_sched_init_t *init,
                       soc__cost_kind_t kind, soc__cache_fn fill);
void soc__static_destroy(void *state);
/* The cache entry of app, filled on first use (NULL on ENOMEM). */
soc__app_cache_t *soc__static_cache(soc__static_t *st, int app);
/* schedule() of static schedulers: jobs are planned at arrival, so this
 * only covers ready tasks nobody planned (e.g. a driver that skipped
 * on_job_arrival): minimal EFT, appended. */
int soc__static_schedule(void *state, soc_view_t *v);

/* ------------------------------------------------------ dynamic helpers */

/* How a list heuristic picks the next (task, PE) pair. */
typedef enum soc__pick {
    SOC__PICK_MET = 0,   /* list order; the PE of least execution time */
    SOC__PICK_MCT,       /* list order; the PE of least finish time */
    SOC__PICK_MINMIN,    /* the task whose least finish time is smallest */
    SOC__PICK_MAXMIN,    /* ... largest */
    SOC__PICK_SUFFERAGE, /* largest second-best minus best finish time */
    SOC__PICK_OTHER      /* scheduler-specific, no static mode */
} soc__pick_t;

/* State of the list heuristics: growable scratch arrays, the round-robin
 * cursor, and the static mode ("name:static": whole jobs planned at
 * arrival with the "ready = predecessors planned" meta-task semantics). */
/* A ready task's best and second-best (finish, PE), kept together (the
 * pair selection reads and writes them as one). */
typedef struct soc__row {
    soc_time_t best, second;
    int best_pe, second_pe;
} soc__row_t;

typedef struct soc__ws {
    soc__pick_t pick;
    int is_static;
    int cap_pes, cap_ready;
    soc_time_t *avail;   /* [n_pes] local plan end, max(now, plan_end) */
    soc__row_t *row;     /* [n_ready] or [n_tasks] (static) */
    int *done;           /* [n_ready] free for the schedulers' own use */
    int *ids;            /* items still to place, in tie-break order */
    int *left;           /* static: unplanned predecessors per task */
    uint64_t rr_next;    /* round robin cursor */
    soc__plan_t plan;    /* static mode */
    /* soc__list_schedule: avail[p] is loaded lazily (astamp[p] == dstamp
     * when it holds this decision's value), so a decision costs nothing per
     * PE it does not look at */
    uint64_t *astamp, dstamp;
    /* late mode ("name:late"): only idle PEs (nothing running or queued)
     * get tasks; a task whose best PE is busy waits for a later decision
     * point (it still takes that PE's time in this one).  It runs the plain
     * scan of every PE (list_schedule_late in common.c). */
    int late;
    unsigned char *idle; /* [cap_pes] */
    int n_idle;
    soc__groups_t groups;
    /* min-min, max-min, sufferage over many ready tasks (n_ready >=
     * big_min): items in a heap, invalidated per PE, saturated tasks of one
     * type merged (see soc__list_schedule); big_min <= 0 means the default,
     * tests set it to 1 (always) or INT_MAX (never) */
    struct soc__big *big;
    int big_min;
    /* min-min recomputes the rows a commit changes at once, like max-min
     * and sufferage, instead of when they reach the top (tests) */
    int big_eager;
    /* rows that joined their class before saturation and left it (the
     * class's best PEs were not free for them in time), and min-min's
     * sweeps of the heap into the classes (tests count them) */
    uint64_t big_evictions, big_sweeps;
    /* Clusters of at least tree_min PEs (<= 0: SOC__TREE_MIN) are searched
     * through the engine's earliest-availability entries
     * (api->pe_first_free, pe_earliest: O(log q) per search) instead of
     * scanned, while the engine's max(now, plan_end) is the decision's
     * avail[] (`tree`; a commit whose engine plan end differs from the
     * appended finish -- the power model rescales a task that starts at
     * once -- ends it for the rest of the decision).  Same rows as the
     * scan, ties included; tests set tree_min to 1 (always) or INT_MAX
     * (never). */
    int tree_min;
    /* A searched group's row first scans up to tree_probe PEs (0: the
     * default SOC__TREE_PROBE, < 0: none; tests use both): at light load
     * the free PEs it needs are among them and no search is made. */
    int tree_probe;
    int tree;            /* this decision may use the engine's searches */
    uint64_t tree_lost;  /* decisions that dropped them (tests) */
    int *top;            /* [2 * groups] each group's two earliest PEs ... */
    uint64_t *top_st;    /* ... found in decision top_st (0: changed since) */
    int cap_top;
    int in_big;          /* big_schedule runs (its cluster heaps) */
} soc__ws_t;

#define SOC__TREE_MIN 16
/* PEs a searched group's row first scans (light load: enough) */
#define SOC__TREE_PROBE 8

/* create() of a heuristic without arguments / with the static mode. */
int soc__ws_create(void **state, const soc_sched_init_t *init);
int soc__ws_create_mode(void **state, const soc_sched_init_t *init,
                        soc__pick_t pick);
void soc__ws_destroy(void *state);
/* on_job_arrival of the heuristics: plans the job in static mode only. */
int soc__ws_arrival(void *state, soc_view_t *v, uint64_t job);
/* Size the arrays for view->n_ready items and load avail[] from the view
 * (avail[p] = max(now, plan_end)); _n sizes them for n items. */
int soc__ws_prepare(soc__ws_t *ws, const soc_view_t *v);
int soc__ws_prepare_n(soc__ws_t *ws, const soc_view_t *v, int n);
/* Finish time of ready task r on pe when appended behind avail[pe]
 * (SOC_APPEND semantics); -1 if pe cannot run it. */
soc_time_t soc__eft_append(const soc_view_t *v, const soc_ready_t *r, int pe,
                           const soc_time_t *avail);
/* Assign r to pe with SOC_APPEND and advance avail[pe] accordingly. */
int soc__commit_append(soc_view_t *v, const soc_ready_t *r, int pe,
                       soc_time_t *avail);

/* Chooses the PE of ready task r for soc__append_each; -1 when no PE can
 * run it.  May advance the scheduler's own state in ws (round robin's
 * cursor). */
typedef int (*soc__pe_pick_fn)(soc__ws_t *ws, const soc_view_t *v,
                               const soc_ready_t *r);
/* schedule() body of the one-pass heuristics (OLB, round robin,
 * CPU_only): prepares ws, then appends each ready task, in ready-list
 * order, to the PE pick chooses; SOC_ESCHED when it finds none. */
int soc__append_each(soc__ws_t *ws, soc_view_t *v, soc__pe_pick_fn pick);

/* One decision point of a list heuristic over view->ready (dynamic mode):
 * MET/MCT take the ready list in order, the others select pairs.  Late
 * mode: the same choices (ties prefer idle PEs), but only a choice of an
 * idle PE is assigned; a choice of a busy PE only advances that PE's
 * availability for the rest of this decision point, and the task is
 * offered again at the next one (e.g. when a PE becomes idle).
 *
 * Pair selection (min-min = ETF, max-min, sufferage) needs every ready
 * task's best and second-best appended finish (key, PE); a commit to PE p
 * makes p later and changes only the rows whose best or second was p.  The
 * plain form rescans the ready list per pick and recomputes those rows:
 * O(R^2) per decision, worse when many rows share their best PE (a wide
 * fork-join: every pick touches them all).  From SOC__BIG_READY ready tasks
 * on, the same decisions are taken with
 *  - a heap of items ordered by the pick rule, ties to the earlier ready
 *    task, instead of the rescan;
 *  - per-PE lists of the items whose best or second is that PE, so a commit
 *    recomputes exactly the rows the plain form recomputes;
 *  - saturated tasks merged by type: once a task's inputs are on every PE
 *    before that PE is free (its data-ready maximum <= the least
 *    availability among the PEs that run its type, availabilities only
 *    grow), its row is avail[p] + w(type, p) on every PE, the same for all
 *    such tasks of that type; they form one item, represented by the
 *    earliest of them, whose row comes from per-cluster heaps of PEs by
 *    availability;
 *  - tasks in that class before saturation, while their row is the
 *    class's: min-min when their best (key, PE) is the class's (the class
 *    key is a lower bound of any such task's, and the task standing for
 *    the class is checked when it is picked), max-min and sufferage while
 *    their inputs are on the class's best PE(s) by the time those are free
 *    (members that stop being so leave at the commit that causes it).
 * So a pick costs O(log R) plus the rows it really changes, and a wide
 * fork-join, saturated after the first picks, costs O(C log R) per task
 * (common.c, "pair selection, many tasks"). */
#define SOC__BIG_READY 16
int soc__list_schedule(soc__ws_t *ws, soc_view_t *v);
/* schedule() callback running soc__list_schedule. */
int soc__ws_schedule(void *state, soc_view_t *v);

#endif
