/*
 * fcfs.c -- FCFS with late binding: one central FIFO queue of ready tasks
 * served by whichever PE is idle (the M/M/c discipline of queueing theory).
 *
 * At each decision point the ready tasks are taken in FIFO order -- the
 * time they became ready, then job, then task index -- and each goes to
 * the idle PE (nothing running, nothing queued) of lowest index that can
 * run it.  A task that no idle PE can run stays in the queue without
 * holding up the tasks behind it.  Tasks left unassigned are offered again
 * at the next decision point; a PE that becomes idle makes one (its task's
 * finish is an event).  No task is ever queued behind another on a PE, so
 * the PE that frees first takes the oldest task whatever the execution
 * times turn out to be.  O(R log R + R q) per decision point with an idle
 * PE, O(q) otherwise.
 */
#include <stdlib.h>

#include "sched_internal.h"

typedef struct fifo_item {
    soc_time_t t;          /* ready time */
    int i;                 /* index in view->ready */
} fifo_item_t;

typedef struct fcfs {
    int cap;
    fifo_item_t *order;    /* [cap] ready tasks in FIFO order */
    int cap_pes;
    unsigned char *idle;   /* [cap_pes] */
} fcfs_t;

static int fcfs_create(void **state, const soc_sched_init_t *init)
{
    if (init != NULL && init->arg != NULL && init->arg[0] != '\0')
        return SOC_EINVAL;
    fcfs_t *f = calloc(1, sizeof *f);
    if (f == NULL)
        return SOC_ENOMEM;
    *state = f;
    return SOC_OK;
}

static void fcfs_destroy(void *state)
{
    fcfs_t *f = state;
    if (f == NULL)
        return;
    free(f->order);
    free(f->idle);
    free(f);
}

/* FIFO order: ready time, then position in the ready list (which is
 * (job, task) order); a total order, so qsort is deterministic. */
static int fifo_cmp(const void *a, const void *b)
{
    const fifo_item_t *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int fcfs_schedule(void *state, soc_view_t *v)
{
    fcfs_t *f = state;
    if (v->n_pes > f->cap_pes) {
        unsigned char *ni = realloc(f->idle, (size_t)v->n_pes);
        if (ni == NULL)
            return SOC_ENOMEM;
        f->idle = ni;
        f->cap_pes = v->n_pes;
    }
    int n_idle = 0;
    for (int p = 0; p < v->n_pes; p++) {
        f->idle[p] = !v->pes[p].busy && v->pes[p].n_slots == 0;
        n_idle += f->idle[p];
    }
    if (n_idle == 0 || v->n_ready == 0)
        return SOC_OK;
    if (v->n_ready > f->cap) {
        fifo_item_t *no = realloc(f->order, sizeof *no * (size_t)v->n_ready);
        if (no == NULL)
            return SOC_ENOMEM;
        f->order = no;
        f->cap = v->n_ready;
    }
    for (int i = 0; i < v->n_ready; i++) {
        f->order[i].t = v->ready[i].ready_at;
        f->order[i].i = i;
    }
    qsort(f->order, (size_t)v->n_ready, sizeof *f->order, fifo_cmp);
    for (int k = 0; k < v->n_ready && n_idle > 0; k++) {
        const soc_ready_t *r = &v->ready[f->order[k].i];
        for (int p = 0; p < v->n_pes; p++) {
            if (!f->idle[p] || v->api->exec_time(v, r->type, p) < 0)
                continue;
            int rc = v->api->assign(v, r->ref, p, SOC_APPEND);
            if (rc != SOC_OK)
                return rc;
            f->idle[p] = 0;
            n_idle--;
            break;
        }
    }
    return SOC_OK;
}

const soc_sched_ops_t soc_sched_fcfs = {
    .abi_version = SOC_SCHED_ABI_VERSION,
    .struct_size = sizeof(soc_sched_ops_t),
    .name = "fcfs",
    .description = "FCFS: one central FIFO of ready tasks, each to the first idle PE (late binding)",
    .flags = 0,
    .create = fcfs_create,
    .destroy = fcfs_destroy,
    .schedule = fcfs_schedule,
};
