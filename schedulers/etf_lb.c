/*
 * etf_lb.c -- ETF_LB, ETF with load balancing (DS3's "ETF_LB").
 *
 * Native semantics: ETF (repeatedly the (ready task, PE) pair of minimal
 * appended finish time, ties to the earlier ready task), except that among
 * the PEs tied at a task's minimal finish time the one that received the
 * fewest tasks from this scheduler so far wins (then the lower index).  The
 * counters live as long as the scheduler instance.  O(|R|^2 q) per
 * decision point.
 * DS3 semantics: soc__ds3_etf_lb (DS3's counter also grows for tentative
 * winners; execution times scaled by the DVFS slow-down).
 */
#include <stdlib.h>

#include "ds3_policies.h"
#include "sched_internal.h"

typedef struct etf_lb {
    soc__ws_t ws;      /* first member: soc__ws_destroy frees the whole block */
    int64_t *count;    /* [n_pes] tasks placed per PE */
    int n_count;
} etf_lb_t;

static int etf_lb_create(void **state, const soc_sched_init_t *init)
{
    etf_lb_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return SOC_ENOMEM;
    int n = init != NULL && init->platform != NULL ? init->platform->n_pes : 0;
    if (n > 0 && (s->count = calloc((size_t)n, sizeof *s->count)) == NULL) {
        free(s);
        return SOC_ENOMEM;
    }
    s->n_count = n;
    *state = s;
    return SOC_OK;
}

static void etf_lb_destroy(void *state)
{
    etf_lb_t *s = state;
    if (s == NULL)
        return;
    free(s->count);
    soc__ws_destroy(&s->ws);
}

/* Best PE of ready task i: minimal finish time, ties by fewest counts. */
static int best_pe(etf_lb_t *s, const soc_view_t *v, int i, soc_time_t *ft_out)
{
    int best = -1;
    soc_time_t bft = 0;
    for (int p = 0; p < v->n_pes; p++) {
        soc_time_t ft = soc__eft_append(v, &v->ready[i], p, s->ws.avail);
        if (ft < 0)
            continue;
        if (best < 0 || ft < bft || (ft == bft && s->count[p] < s->count[best])) {
            best = p;
            bft = ft;
        }
    }
    *ft_out = bft;
    return best;
}

static int etf_lb_schedule(void *state, soc_view_t *v)
{
    etf_lb_t *s = state;
    int rc = soc__ws_prepare(&s->ws, v);
    if (rc != SOC_OK)
        return rc;
    if (v->n_pes > s->n_count) {
        int64_t *c = realloc(s->count, sizeof *c * (size_t)v->n_pes);
        if (c == NULL)
            return SOC_ENOMEM;
        for (int p = s->n_count; p < v->n_pes; p++)
            c[p] = 0;
        s->count = c;
        s->n_count = v->n_pes;
    }
    int n = v->n_ready;
    for (int i = 0; i < n; i++)
        s->ws.done[i] = 0;
    for (int left = n; left > 0; left--) {
        int pick = -1, pick_pe = -1;
        soc_time_t key = 0;
        for (int i = 0; i < n; i++) {
            if (s->ws.done[i])
                continue;
            soc_time_t ft;
            int p = best_pe(s, v, i, &ft);
            if (p < 0)
                return SOC_ESCHED;
            if (pick < 0 || ft < key) {
                pick = i;
                pick_pe = p;
                key = ft;
            }
        }
        s->ws.done[pick] = 1;
        if ((rc = soc__commit_append(v, &v->ready[pick], pick_pe, s->ws.avail)) != SOC_OK)
            return rc;
        s->count[pick_pe]++;
    }
    return SOC_OK;
}

SOC__DS3_EXT(ds3_ext, soc__ds3_etf_lb);

const soc_sched_ops_t soc_sched_etf_lb = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "etf_lb",
    .description = "ETF_LB: ETF, PE ties to the least-used PE (DS3: ETF_LB)",
    .create = etf_lb_create,
    .destroy = etf_lb_destroy,
    .schedule = etf_lb_schedule,
    .ext = &ds3_ext,
};
