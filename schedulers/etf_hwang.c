/*
 * etf_hwang.c -- ETF as Hwang, Chow, Anger and Lee defined it (SIAM J.
 * Comput. 18(2):244-257, 1989): earliest *start* time first, ported to
 * heterogeneous PEs.
 *
 * At each decision point t, among the ready tasks and the *free* PEs (no
 * task running or queued), take the pair of minimal earliest start
 * EST = max(t, data ready on that PE); ties: larger static level sl (the
 * longest path of mean computation costs to the exit, communication
 * ignored), then the earlier ready task, then the lower PE index.  Commit it
 * only if EST is not later than the next event (the earliest finish among
 * the tasks already committed) or when nothing is committed at all;
 * otherwise wait for that event, when more PEs may be free.  Repeat until no
 * pair is left or the rule says wait.  No insertion: a PE holds at most one
 * committed task.
 *
 * On the Topcuoglu DAG this gives 93 (spec/schedulers.md 2.6).  Cost per
 * decision point O(|R| q) per commit.  With arriving jobs it works the same
 * over the ready tasks of every job in the system.
 */
#include <stdlib.h>

#include "sched_internal.h"

typedef struct hwang {
    int n_apps;
    double **sl; /* [app][task], computed at create */
} hwang_t;

static void hwang_destroy(void *state)
{
    hwang_t *h = state;
    if (h == NULL)
        return;
    for (int a = 0; a < h->n_apps; a++)
        free(h->sl[a]);
    free(h->sl);
    free(h);
}

/* Mean execution time (µs) of a type over the PEs that can run it. */
static double mean_cost(const soc_platform_t *p, int type)
{
    double sum = 0;
    int n = 0;
    for (int c = 0; c < p->n_clusters; c++) {
        const soc_cluster_t *cl = &p->clusters[c];
        if (cl->is_memory || cl->exec_us == NULL || cl->exec_us[type] < 0)
            continue;
        sum += cl->exec_us[type] * cl->count;
        n += cl->count;
    }
    return n > 0 ? sum / n : 0;
}

static int hwang_create(void **state, const soc_sched_init_t *init)
{
    hwang_t *h = calloc(1, sizeof *h);
    if (h == NULL)
        return SOC_ENOMEM;
    h->sl = calloc((size_t)(init->n_apps > 0 ? init->n_apps : 1), sizeof *h->sl);
    if (h->sl == NULL) {
        free(h);
        return SOC_ENOMEM;
    }
    h->n_apps = init->n_apps;
    for (int a = 0; a < init->n_apps; a++) {
        const soc_app_t *app = &init->apps[a];
        double *sl = calloc((size_t)app->n_tasks, sizeof *sl);
        if (sl == NULL) {
            hwang_destroy(h);
            return SOC_ENOMEM;
        }
        h->sl[a] = sl;
        /* reverse topological order: every successor is done first */
        for (int k = app->n_tasks - 1; k >= 0; k--) {
            int t = app->topo[k];
            double best = 0;
            for (int i = app->succ_off[t]; i < app->succ_off[t + 1]; i++) {
                double x = sl[app->edges[app->succ_edge[i]].dst];
                if (x > best)
                    best = x;
            }
            sl[t] = mean_cost(init->platform, app->tasks[t].type) + best;
        }
    }
    *state = h;
    return SOC_OK;
}

static int hwang_schedule(void *state, soc_view_t *v)
{
    hwang_t *h = state;
    char *taken = calloc((size_t)(v->n_ready > 0 ? v->n_ready : 1), 1);
    if (taken == NULL)
        return SOC_ENOMEM;
    int rc = SOC_OK;
    for (;;) {
        /* the next event: the earliest finish among committed tasks */
        soc_time_t next = SOC_TIME_NEVER;
        for (int p = 0; p < v->n_pes; p++)
            if (v->pes[p].n_slots > 0 && v->pes[p].slots[0].finish < next)
                next = v->pes[p].slots[0].finish;
        int br = -1, bp = -1;
        soc_time_t best = SOC_TIME_NEVER;
        double bsl = 0;
        for (int r = 0; r < v->n_ready; r++) {
            if (taken[r])
                continue;
            const soc_ready_t *x = &v->ready[r];
            double sl = h->sl[x->app][x->ref.task];
            for (int p = 0; p < v->n_pes; p++) {
                if (v->pes[p].n_slots > 0 || v->api->exec_time(v, x->type, p) < 0)
                    continue;
                soc_time_t est = v->api->data_ready(v, x->ref, p, NULL);
                if (est < v->now)
                    est = v->now;
                /* strict comparisons keep the earlier task, lower PE */
                if (br < 0 || est < best || (est == best && sl > bsl)) {
                    br = r;
                    bp = p;
                    best = est;
                    bsl = sl;
                }
            }
        }
        if (br < 0 || (next != SOC_TIME_NEVER && best > next))
            break;
        if ((rc = v->api->assign(v, v->ready[br].ref, bp, SOC_APPEND)) != SOC_OK)
            break;
        taken[br] = 1;
    }
    free(taken);
    return rc;
}

const soc_sched_ops_t soc_sched_etf_hwang = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "etf_hwang",
    .description = "ETF as Hwang et al.: min earliest start on free PEs, static-level ties, "
                   "waits for the next event",
    .flags = 0,
    .create = hwang_create,
    .destroy = hwang_destroy,
    .schedule = hwang_schedule,
};
