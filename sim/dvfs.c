/*
 * dvfs.c -- the built-in DVFS governors (native semantics): performance,
 * powersave, constant-<MHz> and ondemand.  The registry, spec parsing and
 * the plug-in loader are in dvfs_registry.c.
 *
 * A governor only proposes a frequency; the power model snaps it to an
 * operating point and applies the throttling cap (power.c).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "power_internal.h"

/* Parse a finite double that fills the whole of [s, end) (end NULL = to the
 * terminating NUL). */
int soc__dvfs_parse_num(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    errno = 0;
    double v = strtod(buf, &e);
    if (errno != 0 || *e != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int soc__dvfs_parse_ondemand(const char *arg, double *lo, double *hi)
{
    const char *colon = strchr(arg, ':');
    if (colon == NULL || soc__dvfs_parse_num(arg, colon, lo) != 0 ||
        soc__dvfs_parse_num(colon + 1, NULL, hi) != 0)
        return -1;
    if (*lo < 0 || *hi < *lo)
        return -1;
    return 0;
}

/* ------------------------------------------------------- performance */

static int perf_decide(void *state, const soc_dvfs_view_t *v, double *f)
{
    *f = v->opps[v->n_opps - 1].freq_mhz;
    return SOC_OK;
}

const soc_dvfs_ops_t soc__dvfs_performance = {
    SOC_DVFS_ABI_VERSION, sizeof(soc_dvfs_ops_t), "performance",
    "highest operating point", SOC_DVFS_STATIC, NULL, NULL, perf_decide,
};

/* --------------------------------------------------------- powersave */

static int save_decide(void *state, const soc_dvfs_view_t *v, double *f)
{
    *f = v->opps[0].freq_mhz;
    return SOC_OK;
}

const soc_dvfs_ops_t soc__dvfs_powersave = {
    SOC_DVFS_ABI_VERSION, sizeof(soc_dvfs_ops_t), "powersave",
    "lowest operating point", SOC_DVFS_STATIC, NULL, NULL, save_decide,
};

/* ---------------------------------------------------------- constant */

static int const_create(void **state, const soc_dvfs_init_t *in)
{
    double mhz;
    if (in->arg == NULL || soc__dvfs_parse_num(in->arg, NULL, &mhz) != 0 || mhz <= 0)
        return SOC_ECONFIG;
    const soc_cluster_power_t *pw = in->platform->clusters[in->cluster].power;
    int found = 0;
    for (int i = 0; pw != NULL && i < pw->n_opps; i++)
        found |= pw->opps[i].freq_mhz == mhz;
    if (!found)
        return SOC_ECONFIG; /* validate_power reports this with the cluster name */
    double *s = malloc(sizeof *s);
    if (s == NULL)
        return SOC_ENOMEM;
    *s = mhz;
    *state = s;
    return SOC_OK;
}

static void const_destroy(void *state)
{
    free(state);
}

static int const_decide(void *state, const soc_dvfs_view_t *v, double *f)
{
    *f = *(const double *)state;
    return SOC_OK;
}

const soc_dvfs_ops_t soc__dvfs_constant = {
    SOC_DVFS_ABI_VERSION, sizeof(soc_dvfs_ops_t), "constant",
    "fixed operating point: constant-<MHz>", SOC_DVFS_STATIC, const_create, const_destroy,
    const_decide,
};

/* ---------------------------------------------------------- ondemand */

typedef struct ondemand {
    double lo, hi;
} ondemand_t;

static int od_create(void **state, const soc_dvfs_init_t *in)
{
    ondemand_t *s = malloc(sizeof *s);
    if (s == NULL)
        return SOC_ENOMEM;
    s->lo = in->util_low;
    s->hi = in->util_high;
    if (in->arg != NULL && soc__dvfs_parse_ondemand(in->arg, &s->lo, &s->hi) != 0) {
        free(s);
        return SOC_ECONFIG;
    }
    *state = s;
    return SOC_OK;
}

static void od_destroy(void *state)
{
    free(state);
}

/* Linux-ondemand-like, as DS3's: above `hi` jump to the top, below `lo`
 * step one operating point down, in between keep.  Utilisation here is the
 * mean over the cluster's PEs (DS3 compares the sum; see docs/power.md). */
static int od_decide(void *state, const soc_dvfs_view_t *v, double *f)
{
    const ondemand_t *s = state;
    int k = v->cur_opp;
    if (v->epoch_us <= 0 || v->utilization > s->hi)
        k = v->n_opps - 1;
    else if (v->utilization < s->lo && k > 0)
        k--;
    *f = v->opps[k].freq_mhz;
    return SOC_OK;
}

const soc_dvfs_ops_t soc__dvfs_ondemand = {
    SOC_DVFS_ABI_VERSION, sizeof(soc_dvfs_ops_t), "ondemand",
    "utilisation > high: top; < low: one step down (ondemand:LOW:HIGH)", 0, od_create,
    od_destroy, od_decide,
};
