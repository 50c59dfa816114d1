/*
 * obs.c -- observation / action-mask encoding of decision points (soc/obs.h).
 *
 * Everything a feature needs that does not change during a run (execution
 * times per PE, upward ranks, successor counts) is precomputed at creation,
 * so encoding costs O(ready + K*P*preds) per call.  All arithmetic on times
 * uses the engine's integer nanoseconds; the squashing is done in double and
 * rounded once to float, so equal views give bit-identical vectors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/obs.h"
#include "obs_internal.h"

static double sq(double x, double s)
{
    return soc__obs_sq(x, s);
}

void soc_obs_params_default(soc_obs_params_t *p)
{
    if (p == NULL)
        return;
    p->slots = 8;
    p->mode = SOC_ACTION_PAIR;
    p->time_scale_us = 0;
}

#define N_MODES 4
static const char *const mode_names[N_MODES] = {"pair", "pe", "task", "plan"};

const char *soc_action_mode_name(soc_action_mode_t m)
{
    return (unsigned)m < N_MODES ? mode_names[m] : "?";
}

int soc_action_mode_parse(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < N_MODES; i++)
        if (strcmp(name, mode_names[i]) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------ creation */

/* Mean time of one data unit between two distinct task-running PEs (µs per
 * unit), the HEFT "B-bar"; the communication estimate of the ranks. */
static double mean_unit_cost(const soc_obs_t *o)
{
    const soc_platform_t *p = o->p;
    double acc = 0;
    long n = 0;
    int mem = -1;
    if (p->comm_mode == SOC_COMM_SHARED_MEMORY && p->memory_cluster >= 0)
        mem = p->clusters[p->memory_cluster].first_pe;
    for (int a = 0; a < o->P; a++) {
        if (!o->capable[a])
            continue;
        for (int b = 0; b < o->P; b++) {
            if (b == a || !o->capable[b])
                continue;
            double c;
            if (mem >= 0)
                c = 1.0 / soc_platform_bandwidth(p, a, mem) +
                    1.0 / soc_platform_bandwidth(p, mem, b);
            else
                c = 1.0 / soc_platform_bandwidth(p, a, b);
            if (isfinite(c)) {
                acc += c;
                n++;
            }
        }
    }
    return n > 0 ? acc / (double)n : 0.0;
}

/* Mean execution time (µs) of a type over the PEs that run it, -1 if none. */
static double mean_exec_us(const soc_obs_t *o, int type)
{
    double acc = 0;
    int n = 0;
    for (int pe = 0; pe < o->P; pe++) {
        soc_time_t e = o->exec[(size_t)type * (size_t)o->P + (size_t)pe];
        if (e >= 0) {
            acc += soc_time_to_us(e);
            n++;
        }
    }
    return n > 0 ? acc / n : -1;
}

/* Allocate the per-type/PE tables and the scratch of encoding, fill the
 * integer execution times and the capable PEs (at least one needed). */
static int exec_tables(soc_obs_t *o, soc_error_t *err)
{
    const soc_platform_t *p = o->p;
    int T = p->n_types;
    o->exec = malloc(sizeof *o->exec * (size_t)(T > 0 ? T : 1) * (size_t)o->P);
    o->exec_feat = malloc(sizeof *o->exec_feat * (size_t)(T > 0 ? T : 1) * (size_t)o->C);
    o->capable = calloc((size_t)o->P, 1);
    o->app_off = malloc(sizeof *o->app_off * (size_t)(o->n_apps + 1));
    o->live = malloc(sizeof *o->live * (size_t)o->K);
    o->eft = malloc(sizeof *o->eft * (size_t)o->P);
    if (!o->exec || !o->exec_feat || !o->capable || !o->app_off || !o->live || !o->eft)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    for (int t = 0; t < T; t++)
        for (int pe = 0; pe < o->P; pe++) {
            double us = soc_platform_exec_us(p, t, pe);
            soc_time_t ns = us < 0 ? -1 : soc_time_from_us(us);
            o->exec[(size_t)t * (size_t)o->P + (size_t)pe] = ns;
            if (ns >= 0)
                o->capable[pe] = 1;
        }
    o->n_capable = 0;
    for (int pe = 0; pe < o->P; pe++)
        o->n_capable += o->capable[pe];
    if (o->n_capable == 0)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "observation encoder: no PE can run any task type");
    return SOC_OK;
}

/* Resolve the time scale (automatic: mean over all tasks of the mean exec
 * time) and the squashing scale in ns; it must be finite. */
static int resolve_time_scale(soc_obs_t *o, soc_error_t *err)
{
    if (!(o->prm.time_scale_us > 0)) {
        double acc = 0;
        long n = 0;
        for (int a = 0; a < o->n_apps; a++)
            for (int t = 0; t < o->apps[a].n_tasks; t++) {
                double m = mean_exec_us(o, o->apps[a].tasks[t].type);
                if (m >= 0) {
                    acc += m;
                    n++;
                }
            }
        o->prm.time_scale_us = (n > 0 && acc > 0) ? acc / (double)n : 1.0;
    }
    if (!isfinite(o->prm.time_scale_us))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "observation encoder: time scale is not finite");
    o->s_ns = o->prm.time_scale_us * SOC_NS_PER_US;
    return SOC_OK;
}

/* Upward ranks (µs, HEFT-style with mean exec and mean communication) of the
 * tasks of every application, with their squashed rank and successor
 * features; total = number of tasks over all applications. */
static int rank_tables(soc_obs_t *o, int total, soc_error_t *err)
{
    const soc_platform_t *p = o->p;
    o->rank_feat = malloc(sizeof *o->rank_feat * (size_t)(total > 0 ? total : 1));
    o->succ_feat = malloc(sizeof *o->succ_feat * (size_t)(total > 0 ? total : 1));
    o->rank_us = malloc(sizeof *o->rank_us * (size_t)(total > 0 ? total : 1));
    double *rank = o->rank_us;
    o->max_tasks = 1;
    for (int a = 0; a < o->n_apps; a++)
        if (o->apps[a].n_tasks > o->max_tasks)
            o->max_tasks = o->apps[a].n_tasks;
    o->g_index = malloc(sizeof *o->g_index * (size_t)o->max_tasks);
    if (!o->rank_feat || !o->succ_feat || !rank || !o->g_index)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    double unit = mean_unit_cost(o);
    double lat = p->latency_us;
    o->unit_us = unit;
    o->lat_us = lat;
    for (int a = 0; a < o->n_apps; a++) {
        const soc_app_t *ap = &o->apps[a];
        double *r = rank + o->app_off[a];
        if (ap->topo == NULL || ap->succ_off == NULL) {
            return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                                 "observation encoder: application '%s' is not finalized",
                                 ap->name ? ap->name : "?");
        }
        for (int k = ap->n_tasks - 1; k >= 0; k--) {
            int t = ap->topo[k];
            double w = mean_exec_us(o, ap->tasks[t].type);
            double best = 0;
            for (int i = ap->succ_off[t]; i < ap->succ_off[t + 1]; i++) {
                const soc_edge_t *e = &ap->edges[ap->succ_edge[i]];
                double c = e->volume > 0 ? lat + e->volume * unit : 0;
                if (c + r[e->dst] > best)
                    best = c + r[e->dst];
            }
            r[t] = (w < 0 ? 0 : w) + best;
        }
        for (int t = 0; t < ap->n_tasks; t++) {
            int ns = ap->succ_off[t + 1] - ap->succ_off[t];
            o->rank_feat[o->app_off[a] + t] =
                (float)sq(r[t], o->prm.time_scale_us);
            o->succ_feat[o->app_off[a] + t] = (float)(ns / (ns + SQ_SUCC));
        }
    }
    return SOC_OK;
}

/* Everything fixed during a run.  On failure what was allocated stays in o
 * (soc_obs_destroy frees it). */
static int build_tables(soc_obs_t *o, soc_error_t *err)
{
    const soc_platform_t *p = o->p;
    int T = p->n_types;
    int rc = exec_tables(o, err);
    if (rc != SOC_OK)
        return rc;

    int total = 0;
    for (int a = 0; a < o->n_apps; a++) {
        o->app_off[a] = total;
        total += o->apps[a].n_tasks;
    }
    o->app_off[o->n_apps] = total;

    rc = resolve_time_scale(o, err);
    if (rc != SOC_OK)
        return rc;

    for (int t = 0; t < T; t++)
        for (int c = 0; c < o->C; c++) {
            const soc_cluster_t *cl = &p->clusters[c];
            double us = (cl->is_memory || cl->exec_us == NULL) ? -1 : cl->exec_us[t];
            o->exec_feat[(size_t)t * (size_t)o->C + (size_t)c] =
                us < 0 ? 1.0f : (float)sq((double)soc_time_from_us(us), o->s_ns);
        }

    return rank_tables(o, total, err);
}

int soc_obs_create(soc_obs_t **out, const soc_platform_t *platform, int n_apps,
                   const soc_app_t *apps, const soc_obs_params_t *params,
                   soc_error_t *err)
{
    if (out == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    *out = NULL;
    if (platform == NULL || (n_apps > 0 && apps == NULL) || n_apps < 0)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0, "missing argument");
    if (platform->n_pes <= 0 || platform->pe_cluster == NULL)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "observation encoder: platform is not finalized");
    soc_obs_params_t prm;
    if (params != NULL)
        prm = *params;
    else
        soc_obs_params_default(&prm);
    if (prm.slots < 1 || prm.slots > SOC_OBS_MAX_SLOTS)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "observation encoder: slots must be 1..%d, not %d",
                             SOC_OBS_MAX_SLOTS, prm.slots);
    if ((unsigned)prm.mode > SOC_ACTION_PLAN)
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "observation encoder: unknown action mode %d", (int)prm.mode);
    if (isnan(prm.time_scale_us) || isinf(prm.time_scale_us))
        return soc_error_set(err, SOC_EINVAL, NULL, 0, 0,
                             "observation encoder: time scale must be finite");
    soc_obs_t *o = calloc(1, sizeof *o);
    if (o == NULL)
        return soc_error_set(err, SOC_ENOMEM, NULL, 0, 0, "out of memory");
    o->p = platform;
    o->n_apps = n_apps;
    o->apps = apps;
    o->prm = prm;
    o->K = prm.slots;
    o->P = platform->n_pes;
    o->C = platform->n_clusters;
    o->slot_w = F_SLOT_FIXED + o->C + o->P;
    o->pe_base = o->K * o->slot_w;
    o->g_base = o->pe_base + F_PE * o->P;
    o->dim = o->g_base + F_GLOBAL;
    switch (prm.mode) {
    case SOC_ACTION_PAIR:
        o->n_actions = o->K * o->P;
        break;
    case SOC_ACTION_PE:
    case SOC_ACTION_PLAN:
        o->n_actions = o->P;
        break;
    case SOC_ACTION_TASK:
    default:
        o->n_actions = o->K;
        break;
    }
    int rc = build_tables(o, err);
    if (rc == SOC_OK && prm.mode == SOC_ACTION_PLAN)
        rc = soc__obs_plan_build(o, err); /* sets its own dim */
    if (rc != SOC_OK) {
        soc_obs_destroy(o);
        return rc;
    }
    *out = o;
    return SOC_OK;
}

void soc_obs_destroy(soc_obs_t *o)
{
    if (o == NULL)
        return;
    free(o->exec);
    free(o->exec_feat);
    free(o->capable);
    free(o->app_off);
    free(o->rank_feat);
    free(o->succ_feat);
    free(o->live);
    free(o->eft);
    free(o->rank_us);
    free(o->g_index);
    free(o->g_nodes);
    free(o->g_edges);
    free(o->g_pes);
    free(o->g_job);
    free(o->g_task);
    free(o->g_links);
    soc__obs_plan_free(o);
    free(o);
}

int soc_obs_dim(const soc_obs_t *o)
{
    return o != NULL ? o->dim : 0;
}

int soc_obs_n_actions(const soc_obs_t *o)
{
    return o != NULL ? o->n_actions : 0;
}

void soc_obs_get_params(const soc_obs_t *o, soc_obs_params_t *out)
{
    if (o != NULL && out != NULL)
        *out = o->prm;
}

void soc_obs_bounds(const soc_obs_t *o, float *low, float *high)
{
    if (o == NULL)
        return;
    for (int i = 0; i < o->dim; i++) {
        if (low != NULL)
            low[i] = 0.0f;
        if (high != NULL)
            high[i] = 1.0f;
    }
}

static const char *const slot_fixed_names[F_SLOT_FIXED] = {"valid", "age", "wait", "rank", "succ"};
static const char *const pe_names[F_PE] = {"busy", "left", "backlog", "queue", "util"};
static const char *const global_names[F_GLOBAL] = {"jobs", "ready", "overflow", "idle"};

static void pe_label(const soc_obs_t *o, int pe, char *buf, size_t size)
{
    const char *cn = o->p->clusters[o->p->pe_cluster[pe]].name;
    snprintf(buf, size, "%s_%d", cn ? cn : "pe", pe);
}

int soc_obs_feature_name(const soc_obs_t *o, int i, char *buf, size_t size)
{
    if (buf != NULL && size > 0)
        buf[0] = '\0';
    if (o == NULL || buf == NULL || i < 0 || i >= o->dim)
        return SOC_EINVAL;
    if (o->prm.mode == SOC_ACTION_PLAN)
        return soc__obs_plan_feature_name(o, i, buf, size);
    char pl[128];
    if (i < o->pe_base) {
        int s = i / o->slot_w, f = i % o->slot_w;
        if (f < F_SLOT_FIXED) {
            snprintf(buf, size, "slot%d.%s", s, slot_fixed_names[f]);
        } else if (f < F_SLOT_FIXED + o->C) {
            const char *cn = o->p->clusters[f - F_SLOT_FIXED].name;
            snprintf(buf, size, "slot%d.exec.%s", s, cn ? cn : "?");
        } else {
            pe_label(o, f - F_SLOT_FIXED - o->C, pl, sizeof pl);
            snprintf(buf, size, "slot%d.eft.%s", s, pl);
        }
    } else if (i < o->g_base) {
        int pe = (i - o->pe_base) / F_PE, f = (i - o->pe_base) % F_PE;
        snprintf(buf, size, "pe%d.%s", pe, pe_names[f]);
    } else {
        snprintf(buf, size, "g.%s", global_names[i - o->g_base]);
    }
    return SOC_OK;
}

/* ------------------------------------------------------------ encoding */

/* Collect up to `limit` live ready entries into o->live; returns how many
 * were stored.  *total (may be NULL) receives the count of all live ready
 * tasks, which needs a full scan. */
static int collect(soc_obs_t *o, const soc_view_t *v, int limit, int *total)
{
    int n = 0, all = 0;
    for (int i = 0; i < v->n_ready; i++) {
        soc_task_info_t ti;
        if (v->api->task_info(v, v->ready[i].ref, &ti) != SOC_OK ||
            ti.status != SOC_TASK_READY)
            continue;
        if (n < limit)
            o->live[n++] = i;
        all++;
        if (total == NULL && n >= limit)
            break;
    }
    if (total != NULL)
        *total = all;
    return n;
}

static soc_time_t exec_of(const soc_obs_t *o, int type, int pe)
{
    if (type < 0 || type >= o->p->n_types)
        return -1;
    return o->exec[(size_t)type * (size_t)o->P + (size_t)pe];
}

/* Earliest finish of ready entry r on every PE (SOC_APPEND semantics: after
 * the PE's plan, after the inputs arrive, not before now) into o->eft; -1
 * where the PE cannot run it.  Returns the best PE (ties: lowest). */
static int eft_all(soc_obs_t *o, const soc_view_t *v, const soc_ready_t *r)
{
    int best = -1;
    for (int pe = 0; pe < o->P; pe++) {
        soc_time_t d = exec_of(o, r->type, pe);
        if (d < 0) {
            o->eft[pe] = -1;
            continue;
        }
        soc_time_t st = v->api->data_ready(v, r->ref, pe, NULL);
        if (st < v->pes[pe].plan_end)
            st = v->pes[pe].plan_end;
        if (st < v->now)
            st = v->now;
        o->eft[pe] = st + d;
        if (best < 0 || o->eft[pe] < o->eft[best])
            best = pe;
    }
    return best;
}

static int task_index(const soc_obs_t *o, int app, int task)
{
    return o->app_off[app] + task;
}

/* The PE block (P x F_PE) into f; returns the number of idle capable PEs. */
int soc__obs_encode_pes_one(const soc_obs_t *o, const soc_view_t *v, int pe, float *f)
{
    const double s = o->s_ns;
    const soc_pe_state_t *ps = &v->pes[pe];
    soc_time_t left = ps->busy ? ps->busy_until - v->now : 0;
    soc_time_t backlog = ps->plan_end - v->now;
    soc_time_t busy = ps->busy_total;
    if (ps->busy && ps->n_slots > 0 && ps->slots != NULL && ps->slots[0].start <= v->now)
        busy += v->now - ps->slots[0].start;
    double util = v->now > 0 ? (double)busy / (double)v->now : 0.0;
    f[0] = ps->busy ? 1.0f : 0.0f;
    f[1] = (float)sq((double)left, s);
    f[2] = (float)sq((double)backlog, s);
    f[3] = (float)(ps->n_slots / (ps->n_slots + SQ_QUEUE));
    f[4] = (float)(util < 0 ? 0 : util > 1 ? 1 : util);
    return o->capable[pe] && !ps->busy && ps->n_slots == 0;
}

int soc__obs_encode_pes(const soc_obs_t *o, const soc_view_t *v, float *dst)
{
    int idle = 0;
    for (int pe = 0; pe < o->P; pe++)
        idle += soc__obs_encode_pes_one(o, v, pe, dst + (size_t)pe * F_PE);
    return idle;
}

int soc_obs_encode(soc_obs_t *o, const soc_view_t *v, float *obs, uint8_t *mask)
{
    if (o == NULL || v == NULL)
        return SOC_EINVAL;
    if (o->prm.mode == SOC_ACTION_PLAN)
        return soc__obs_plan_encode(o, v, obs, mask);
    int total = 0;
    int n = collect(o, v, o->K, &total);
    int valid = 0;
    const double s = o->s_ns;
    if (obs != NULL)
        memset(obs, 0, sizeof *obs * (size_t)o->dim);
    if (mask != NULL)
        memset(mask, 0, (size_t)o->n_actions);

    for (int k = 0; k < n; k++) {
        const soc_ready_t *r = &v->ready[o->live[k]];
        if (obs != NULL) {
            (void)eft_all(o, v, r);
            float *f = obs + (size_t)k * (size_t)o->slot_w;
            int ti = task_index(o, r->app, r->ref.task);
            f[0] = 1.0f;
            f[1] = (float)sq((double)(v->now - r->arrival), s);
            f[2] = (float)sq((double)(v->now - r->ready_at), s);
            f[3] = o->rank_feat[ti];
            f[4] = o->succ_feat[ti];
            memcpy(f + F_SLOT_FIXED, o->exec_feat + (size_t)r->type * (size_t)o->C,
                   sizeof *f * (size_t)o->C);
            float *fe = f + F_SLOT_FIXED + o->C;
            for (int pe = 0; pe < o->P; pe++)
                fe[pe] = o->eft[pe] < 0 ? 1.0f : (float)sq((double)(o->eft[pe] - v->now), s);
        }
        /* the mask */
        switch (o->prm.mode) {
        case SOC_ACTION_PAIR:
            for (int pe = 0; pe < o->P; pe++)
                if (exec_of(o, r->type, pe) >= 0) {
                    if (mask != NULL)
                        mask[k * o->P + pe] = 1;
                    valid++;
                }
            break;
        case SOC_ACTION_PE:
            if (k == 0)
                for (int pe = 0; pe < o->P; pe++)
                    if (exec_of(o, r->type, pe) >= 0) {
                        if (mask != NULL)
                            mask[pe] = 1;
                        valid++;
                    }
            break;
        case SOC_ACTION_TASK:
        default:
            if (mask != NULL)
                mask[k] = 1;
            valid++;
            break;
        }
    }

    if (obs != NULL) {
        int idle = soc__obs_encode_pes(o, v, obs + o->pe_base);
        float *g = obs + o->g_base;
        int j = v->jobs_in_system < 0 ? 0 : v->jobs_in_system;
        g[0] = (float)(j / (j + SQ_JOBS));
        g[1] = (float)(total / (double)(total + o->K));
        g[2] = total > o->K ? 1.0f : 0.0f;
        g[3] = (float)((double)idle / (double)o->n_capable);
    }
    return valid;
}

void soc_obs_mask_none(const soc_obs_t *o, uint8_t *mask)
{
    if (o != NULL && mask != NULL)
        memset(mask, 0, (size_t)o->n_actions);
}

int soc_obs_fallback(soc_obs_t *o, const soc_view_t *v, soc_task_ref_t *ref, int *pe)
{
    if (o == NULL || v == NULL || ref == NULL || pe == NULL)
        return SOC_EINVAL;
    if (o->prm.mode == SOC_ACTION_PLAN) {
        int rc = soc__obs_plan_decode(o, v, -1, ref, pe, NULL);
        return rc < 0 ? rc : SOC_OK;
    }
    if (collect(o, v, 1, NULL) < 1)
        return SOC_ESTATE;
    const soc_ready_t *r = &v->ready[o->live[0]];
    int best = eft_all(o, v, r);
    if (best < 0)
        return SOC_ESTATE;
    *ref = r->ref;
    *pe = best;
    return SOC_OK;
}

int soc_obs_decode(soc_obs_t *o, const soc_view_t *v, int64_t action,
                   soc_task_ref_t *ref, int *pe)
{
    return soc_obs_decode_key(o, v, action, ref, pe, NULL);
}

int soc_obs_has_decision(soc_obs_t *o, const soc_view_t *v)
{
    if (o == NULL || v == NULL)
        return 0;
    if (o->prm.mode == SOC_ACTION_PLAN)
        return soc__obs_plan_has_decision(o, v);
    return collect(o, v, 1, NULL) > 0;
}

int soc_obs_decode_key(soc_obs_t *o, const soc_view_t *v, int64_t action,
                       soc_task_ref_t *ref, int *pe, soc_time_t *key)
{
    if (o == NULL || v == NULL || ref == NULL || pe == NULL)
        return SOC_EINVAL;
    if (o->prm.mode == SOC_ACTION_PLAN)
        return soc__obs_plan_decode(o, v, action, ref, pe, key);
    if (key != NULL)
        *key = SOC_APPEND;
    if (action >= 0 && action < o->n_actions) {
        int slot, p = -1;
        switch (o->prm.mode) {
        case SOC_ACTION_PAIR:
            slot = (int)(action / o->P);
            p = (int)(action % o->P);
            break;
        case SOC_ACTION_PE:
            slot = 0;
            p = (int)action;
            break;
        case SOC_ACTION_TASK:
        default:
            slot = (int)action;
            break;
        }
        if (collect(o, v, slot + 1, NULL) == slot + 1) {
            const soc_ready_t *r = &v->ready[o->live[slot]];
            if (p < 0)
                p = eft_all(o, v, r);
            if (p >= 0 && exec_of(o, r->type, p) >= 0) {
                *ref = r->ref;
                *pe = p;
                return 1;
            }
        }
    }
    int rc = soc_obs_fallback(o, v, ref, pe);
    return rc == SOC_OK ? 0 : rc;
}

/* ------------------------------------------------------------- experts */

#define N_EXPERTS 6
static const char *const expert_names[N_EXPERTS] = {"none", "eft", "etf", "heft", "sufferage",
                                                    "rollout"};

const char *soc_expert_kind_name(soc_expert_kind_t k)
{
    return (unsigned)k < N_EXPERTS ? expert_names[k] : "?";
}

int soc_expert_kind_parse(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < N_EXPERTS; i++)
        if (strcmp(name, expert_names[i]) == 0)
            return i;
    return -1;
}

int soc_obs_expert_supported(soc_action_mode_t mode, soc_expert_kind_t kind)
{
    if (kind == SOC_EXPERT_NONE)
        return 1;
    if ((unsigned)kind >= N_EXPERTS || (unsigned)mode >= N_MODES)
        return 0;
    if (mode == SOC_ACTION_PLAN)
        return kind == SOC_EXPERT_HEFT || kind == SOC_EXPERT_ROLLOUT;
    return kind != SOC_EXPERT_ROLLOUT;
}

/* Action index of (slot, pe) in the encoder's mode. */
static int64_t action_of(const soc_obs_t *o, int slot, int pe)
{
    switch (o->prm.mode) {
    case SOC_ACTION_PAIR:
        return (int64_t)slot * o->P + pe;
    case SOC_ACTION_PE:
        return pe;
    case SOC_ACTION_TASK:
    default:
        return slot;
    }
}

int64_t soc_obs_expert(soc_obs_t *o, const soc_view_t *v, soc_expert_kind_t kind)
{
    if (o == NULL || v == NULL)
        return SOC_EINVAL;
    if (!soc_obs_expert_supported(o->prm.mode, kind) || kind == SOC_EXPERT_NONE)
        return -1;
    if (o->prm.mode == SOC_ACTION_PLAN)
        return soc__obs_plan_expert(o, v, kind);
    /* pe mode: the task is slot 0 whatever the expert */
    int limit = (kind == SOC_EXPERT_EFT || o->prm.mode == SOC_ACTION_PE) ? 1 : o->K;
    int n = collect(o, v, limit, NULL);
    if (n < 1)
        return -1;
    int best_slot = 0, best_pe = -1;
    if (kind == SOC_EXPERT_ETF && limit > 1) {
        soc_time_t best_f = 0;
        for (int k = 0; k < n; k++) {
            int pe = eft_all(o, v, &v->ready[o->live[k]]);
            if (pe >= 0 && (best_pe < 0 || o->eft[pe] < best_f)) {
                best_f = o->eft[pe];
                best_slot = k;
                best_pe = pe;
            }
        }
    } else if (kind == SOC_EXPERT_SUFFERAGE && limit > 1) {
        soc_time_t best_x = 0;
        for (int k = 0; k < n; k++) {
            int pe = eft_all(o, v, &v->ready[o->live[k]]);
            if (pe < 0)
                continue;
            /* second-best finish on another PE (the scheduler's row_offer) */
            soc_time_t second = -1;
            for (int p = 0; p < o->P; p++)
                if (p != pe && o->eft[p] >= 0 && (second < 0 || o->eft[p] < second))
                    second = o->eft[p];
            soc_time_t x = second < 0 ? SOC_TIME_NEVER : second - o->eft[pe];
            if (best_pe < 0 || x > best_x) {
                best_x = x;
                best_slot = k;
                best_pe = pe;
            }
        }
    } else {
        if (kind == SOC_EXPERT_HEFT && limit > 1) {
            double best_r = -1;
            for (int k = 0; k < n; k++) {
                const soc_ready_t *r = &v->ready[o->live[k]];
                double rk = o->rank_us[task_index(o, r->app, r->ref.task)];
                if (rk > best_r) {
                    best_r = rk;
                    best_slot = k;
                }
            }
        }
        best_pe = eft_all(o, v, &v->ready[o->live[best_slot]]);
    }
    if (best_pe < 0)
        return -1;
    return action_of(o, best_slot, best_pe);
}

/* --------------------------------------------------------------- graph */

static const char *const node_fixed_names[SOC_OBS_NODE_FIXED] = {
    "waiting", "ready", "assigned", "running", "slot",
    "age", "rank", "succ", "preds", "finish"};

int soc_obs_node_feature_name(const soc_obs_t *o, int i, char *buf, size_t size)
{
    if (buf != NULL && size > 0)
        buf[0] = '\0';
    if (o == NULL || buf == NULL || i < 0 || i >= SOC_OBS_NODE_FIXED + o->C)
        return SOC_EINVAL;
    if (i < SOC_OBS_NODE_FIXED) {
        snprintf(buf, size, "%s", node_fixed_names[i]);
    } else {
        const char *cn = o->p->clusters[i - SOC_OBS_NODE_FIXED].name;
        snprintf(buf, size, "exec.%s", cn ? cn : "?");
    }
    return SOC_OK;
}

/* realloc *p to n elements of elem bytes. */
static int grow_to(void **p, int n, size_t elem)
{
    void *np = realloc(*p, elem * (size_t)n);
    if (np == NULL)
        return SOC_ENOMEM;
    *p = np;
    return SOC_OK;
}

static int next_cap(int cap, int need)
{
    int nc = cap > 0 ? cap : 64;
    while (nc < need)
        nc *= 2;
    return nc;
}

static int graph_reserve_nodes(soc_obs_t *o, int need)
{
    if (need <= o->g_cap_nodes)
        return SOC_OK;
    int nc = next_cap(o->g_cap_nodes, need);
    if (grow_to((void **)&o->g_nodes, nc,
                sizeof *o->g_nodes * (size_t)(SOC_OBS_NODE_FIXED + o->C)) != SOC_OK ||
        grow_to((void **)&o->g_job, nc, sizeof *o->g_job) != SOC_OK ||
        grow_to((void **)&o->g_task, nc, sizeof *o->g_task) != SOC_OK)
        return SOC_ENOMEM;
    o->g_cap_nodes = nc;
    return SOC_OK;
}

static int graph_reserve_edges(soc_obs_t *o, int need)
{
    if (need <= o->g_cap_edges)
        return SOC_OK;
    int nc = next_cap(o->g_cap_edges, need);
    if (grow_to((void **)&o->g_edges, nc, sizeof *o->g_edges) != SOC_OK ||
        grow_to((void **)&o->g_links, nc, 2 * sizeof *o->g_links) != SOC_OK)
        return SOC_ENOMEM;
    o->g_cap_edges = nc;
    return SOC_OK;
}

int soc_obs_graph(soc_obs_t *o, const soc_view_t *v, const uint64_t *jobs, int n_jobs,
                  soc_obs_graph_t *out)
{
    if (o == NULL || v == NULL || out == NULL || (n_jobs > 0 && jobs == NULL))
        return SOC_EINVAL;
    const double s = o->s_ns;
    const int nd = SOC_OBS_NODE_FIXED + o->C;
    memset(out, 0, sizeof *out);
    if (o->g_pes == NULL) {
        o->g_pes = malloc(sizeof *o->g_pes * (size_t)o->P * F_PE);
        if (o->g_pes == NULL)
            return SOC_ENOMEM;
    }
    (void)soc__obs_encode_pes(o, v, o->g_pes);
    /* slot of each live ready task: the view order is (job, task) */
    int n_live = collect(o, v, o->K, NULL);
    int n = 0, m = 0, li = 0;
    for (int jx = 0; jx < n_jobs; jx++) {
        uint64_t job = jobs[jx];
        int app = v->api->job_app(v, job);
        if (app < 0 || app >= o->n_apps)
            continue;
        const soc_app_t *a = &o->apps[app];
        soc_time_t arrival = v->api->job_arrival(v, job);
        for (int t = 0; t < a->n_tasks; t++) {
            soc_task_info_t ti;
            o->g_index[t] = -1;
            if (v->api->task_info(v, (soc_task_ref_t){job, t}, &ti) != SOC_OK ||
                ti.status == SOC_TASK_DONE)
                continue;
            if (graph_reserve_nodes(o, n + 1) != SOC_OK)
                return SOC_ENOMEM;
            o->g_index[t] = n;
            float *f = o->g_nodes + (size_t)n * (size_t)nd;
            memset(f, 0, sizeof *f * (size_t)nd);
            if ((unsigned)ti.status <= SOC_TASK_RUNNING)
                f[ti.status] = 1.0f;
            while (li < n_live && (v->ready[o->live[li]].ref.job < job ||
                                   (v->ready[o->live[li]].ref.job == job &&
                                    v->ready[o->live[li]].ref.task < t)))
                li++;
            if (li < n_live && v->ready[o->live[li]].ref.job == job &&
                v->ready[o->live[li]].ref.task == t)
                f[4] = (float)((double)(li + 1) / (double)o->K);
            f[5] = (float)sq((double)(v->now - arrival), s);
            int ti_ix = task_index(o, app, t);
            f[6] = o->rank_feat[ti_ix];
            f[7] = o->succ_feat[ti_ix];
            int np = 0;
            for (int i = a->pred_off[t]; i < a->pred_off[t + 1]; i++) {
                soc_task_info_t pi;
                int src = a->edges[a->pred_edge[i]].src;
                if (v->api->task_info(v, (soc_task_ref_t){job, src}, &pi) == SOC_OK &&
                    pi.status != SOC_TASK_DONE)
                    np++;
            }
            f[8] = (float)(np / (np + SQ_SUCC));
            if (ti.status == SOC_TASK_ASSIGNED || ti.status == SOC_TASK_RUNNING)
                f[9] = (float)sq((double)(ti.finish - v->now), s);
            int type = a->tasks[t].type;
            if (type >= 0 && type < o->p->n_types)
                memcpy(f + SOC_OBS_NODE_FIXED, o->exec_feat + (size_t)type * (size_t)o->C,
                       sizeof *f * (size_t)o->C);
            o->g_job[n] = job;
            o->g_task[n] = t;
            n++;
        }
        for (int e = 0; e < a->n_edges; e++) {
            const soc_edge_t *ed = &a->edges[e];
            if (o->g_index[ed->src] < 0 || o->g_index[ed->dst] < 0)
                continue;
            if (graph_reserve_edges(o, m + 1) != SOC_OK)
                return SOC_ENOMEM;
            double c = ed->volume > 0 ? o->lat_us + ed->volume * o->unit_us : 0;
            o->g_edges[m] = (float)sq(c, o->prm.time_scale_us);
            o->g_links[2 * m] = o->g_index[ed->src];
            o->g_links[2 * m + 1] = o->g_index[ed->dst];
            m++;
        }
    }
    out->n_nodes = n;
    out->node_dim = nd;
    out->nodes = o->g_nodes;
    out->node_job = o->g_job;
    out->node_task = o->g_task;
    out->n_edges = m;
    out->edges = o->g_edges;
    out->edge_links = o->g_links;
    out->n_pes = o->P;
    out->pes = o->g_pes;
    return SOC_OK;
}
