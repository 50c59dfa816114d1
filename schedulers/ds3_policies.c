/*
 * ds3_policies.c -- DS3's schedulers, reproduced with DS3's exact choices,
 * tie-breaking included (DS3 `scheduler.py` at 056c930; see docs/ds3.md and
 * the DS3 spec §3 and §11-B7..B9).  Used in DS3 semantics only.
 *
 * Every policy walks the whole ready list of one manager tick and sets
 * task->pe.  The state DS3 keeps between calls (PE available_time, ETF_LB's
 * counters) is engine-owned and reached through the view, so these
 * functions are stateless.  A task that no PE can run is an error here
 * (DS3 itself would crash or loop; soc_config_finalize rules it out).
 */
#include <math.h>
#include <string.h>

#include "soc/ds3.h"
#include "ds3_policies.h"

static int supports(const soc_ds3_view_t *v, int type, int pe)
{
    return soc_ds3_exec_us(v, type, pe) >= 0;
}

/* DS3's comm_ready[p]: the latest remaining input transfer of t onto p.
 * PE_to_PE: max over predecessors of max(finish + int(vol/bw) - now, 0);
 * shared memory: max of int(vol / bw[MEM][p]) (the memory-to-PE read). */
static double comm_ready(const soc_ds3_view_t *v, const soc_ds3_task_t *t, int p)
{
    double c = 0;
    for (int i = 0; i < t->n_preds; i++) {
        const soc_ds3_pred_t *pr = &t->preds[i];
        double w;
        if (v->shared_memory) {
            w = soc_ds3_comm_us(v, pr->volume, v->memory_pe, p);
        } else {
            w = pr->finish + soc_ds3_comm_us(v, pr->volume, pr->pe, p) - v->now;
            if (w < 0)
                w = 0;
        }
        if (w > c)
            c = w;
    }
    return c;
}

/* exec + max(comm_ready, max(avail - now, 0)): the finish time relative to
 * now that EFT, ETF and ETF_LB minimise (communication and waiting for the
 * PE are assumed to overlap). */
static double finish_rel(const soc_ds3_view_t *v, const soc_ds3_task_t *t, int p,
                         double exec)
{
    double wait = v->avail[p] - v->now;
    if (wait < 0)
        wait = 0;
    double c = comm_ready(v, t, p);
    return exec + (c > wait ? c : wait);
}

/* ------------------------------------------------------------------ MET */

int soc__ds3_met(void *state, soc_ds3_view_t *v)
{
    (void)state;
    int np = v->n_pes;
    int *assigned = v->iwork; /* local to the call, as in DS3 */
    int *cand = v->iwork + np;
    memset(assigned, 0, sizeof(int) * (size_t)np);
    for (int i = 0; i < v->n_ready; i++) {
        soc_ds3_task_t *t = v->ready[i];
        double mn = INFINITY;
        for (int p = 0; p < np; p++)
            if (v->pes[p].enabled && supports(v, t->type, p) &&
                soc_ds3_exec_us(v, t->type, p) < mn)
                mn = soc_ds3_exec_us(v, t->type, p);
        if (isinf(mn))
            return SOC_ESCHED;
        int nc = 0;
        for (int p = 0; p < np; p++)
            if (v->pes[p].enabled && supports(v, t->type, p) &&
                soc_ds3_exec_us(v, t->type, p) == mn)
                cand[nc++] = p;
        int pe = cand[0];
        if (nc > 1) {
            /* DS3 tries to drop the busy PEs from the tie: the busy flags
             * are computed once, then for each busy entry it deletes the
             * candidate at the position of the FIRST busy entry of that
             * fixed list, so with non-adjacent busy PEs it drops the wrong
             * ones (quirk reproduced).  Only when busy and idle PEs mix. */
            int nb = 0, first = -1;
            for (int k = 0; k < nc; k++)
                if (!v->pes[cand[k]].idle) {
                    if (first < 0)
                        first = k;
                    nb++;
                }
            if (nb > 0 && nb < nc)
                for (int d = 0; d < nb; d++) {
                    memmove(&cand[first], &cand[first + 1],
                            sizeof(int) * (size_t)(nc - first - 1));
                    nc--;
                }
            /* fewest tasks assigned in this call, first on ties */
            pe = cand[0];
            for (int k = 1; k < nc; k++)
                if (assigned[cand[k]] < assigned[pe])
                    pe = cand[k];
        }
        t->pe = pe;
        assigned[pe]++;
    }
    return SOC_OK;
}

/* ------------------------------------------------------------------ EFT */

int soc__ds3_eft(void *state, soc_ds3_view_t *v)
{
    (void)state;
    for (int i = 0; i < v->n_ready; i++) {
        soc_ds3_task_t *t = v->ready[i];
        double best = INFINITY;
        int bpe = -1;
        for (int p = 0; p < v->n_pes; p++) {
            if (!v->pes[p].enabled || !supports(v, t->type, p))
                continue;
            double c = finish_rel(v, t, p, soc_ds3_exec_us(v, t->type, p));
            if (c < best) { /* argmin: the first index wins ties */
                best = c;
                bpe = p;
            }
        }
        if (bpe < 0)
            return SOC_ESCHED;
        t->pe = bpe;
        v->avail[bpe] = v->now + best;
    }
    return SOC_OK;
}

/* ------------------------------------------------------------------ STF */

int soc__ds3_stf(void *state, soc_ds3_view_t *v)
{
    (void)state;
    /* DS3 repeatedly picks the unscheduled task with the shortest minimal
     * execution time, but neither the pick order nor any load enters a
     * task's choice, and the ready list is not reordered: each task simply
     * gets its fastest enabled PE (lowest index on ties). */
    for (int i = 0; i < v->n_ready; i++) {
        soc_ds3_task_t *t = v->ready[i];
        double mn = INFINITY;
        int bpe = -1;
        for (int p = 0; p < v->n_pes; p++) {
            if (!v->pes[p].enabled || !supports(v, t->type, p))
                continue;
            double e = soc_ds3_exec_us(v, t->type, p);
            if (e < mn) {
                mn = e;
                bpe = p;
            }
        }
        if (bpe < 0)
            return SOC_ESCHED;
        t->pe = bpe;
    }
    return SOC_OK;
}

/* ------------------------------------------------------------ ETF family */

/* DS3's ETF loop, shared with ETF_LB (lb != 0): repeatedly the (task, PE)
 * pair of minimal finish time over the remaining tasks.  Strict '<' over
 * the tasks in their remaining order (the earlier task wins ties); among
 * PEs the first index (ETF), or the fewest ETF_LB counts and then the first
 * index (ETF_LB, whose counter grows for every tentative winner).  The
 * winner is swapped into position k of the ready list: that is how DS3
 * permutes it.  ETF ignores PEs[p].enabled, ETF_LB does not and scales the
 * execution time by (1 + DVFS slow-down). */
static int etf_common(soc_ds3_view_t *v, int lb)
{
    int np = v->n_pes, n = v->n_ready;
    soc_ds3_task_t **rem = v->twork; /* DS3's deep copy: keeps its order */
    double *cmp = v->dwork;
    memcpy(rem, v->ready, sizeof *rem * (size_t)n);
    int n_rem = n;
    for (int k = 0; k < n; k++) {
        double best = INFINITY;
        int bi = -1, bpe = -1;
        for (int r = 0; r < n_rem; r++) {
            const soc_ds3_task_t *t = rem[r];
            double mn = INFINITY;
            int mp = -1;
            for (int p = 0; p < np; p++) {
                cmp[p] = INFINITY;
                if ((lb && !v->pes[p].enabled) || !supports(v, t->type, p))
                    continue;
                double e = soc_ds3_exec_us(v, t->type, p);
                if (lb)
                    e *= 1.0 + v->pes[p].slowdown;
                cmp[p] = finish_rel(v, t, p, e);
                if (cmp[p] < mn) {
                    mn = cmp[p];
                    mp = p;
                }
            }
            if (mp < 0 || !(mn < best))
                continue;
            best = mn;
            bi = r;
            bpe = mp;
            if (lb) {
                for (int p = mp + 1; p < np; p++)
                    if (cmp[p] == mn && v->lb_assigned[p] < v->lb_assigned[bpe])
                        bpe = p;
                v->lb_assigned[bpe]++;
            }
        }
        if (bi < 0)
            return SOC_ESCHED;
        soc_ds3_task_t *t = rem[bi];
        t->pe = bpe;
        for (int i = k; i < n; i++)
            if (v->ready[i] == t) {
                v->ready[i] = v->ready[k];
                v->ready[k] = t;
                break;
            }
        v->avail[bpe] = v->now + best;
        memmove(&rem[bi], &rem[bi + 1], sizeof *rem * (size_t)(n_rem - bi - 1));
        n_rem--;
    }
    return SOC_OK;
}

int soc__ds3_etf(void *state, soc_ds3_view_t *v)
{
    (void)state;
    return etf_common(v, 0);
}

int soc__ds3_etf_lb(void *state, soc_ds3_view_t *v)
{
    (void)state;
    return etf_common(v, 1);
}

/* ------------------------------------------------------------- CPU_only */

int soc__ds3_cpu_only(void *state, soc_ds3_view_t *v)
{
    (void)state;
    /* PE 0 for everything (DS3's accidental call into the CP solver at
     * every injection is not reproduced: it only crashes without docplex) */
    for (int i = 0; i < v->n_ready; i++) {
        if (!supports(v, v->ready[i]->type, 0))
            return SOC_ESCHED;
        v->ready[i]->pe = 0;
    }
    return SOC_OK;
}
