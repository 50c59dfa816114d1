/*
 * net.h -- the contention model of the interconnect (internal; the public
 * part is soc/net.h).  See docs/semantics.md "Contention".
 *
 * A soc__net_t is built from a platform whose communication.contention
 * model is `bus` or `flow`.  It runs in continuous time (a double clock in
 * the caller's unit: nanoseconds for the native engine, microseconds for
 * soc_net_run_flows) and moves *transfers*: a transfer of volume V from PE
 * p to PE q is one phase (pe_to_pe mode) or two (shared_memory mode: p to
 * the memory, then the memory to q, the second phase starting when the
 * first ends).  Each phase is
 *   bus:  one FIFO transaction on `channels` servers, lasting
 *         latency + V / bandwidth (the read phase: V / bandwidth);
 *   flow: one flow over the links of its route, first waiting out the
 *         route's latency, then sharing every link's bandwidth with the
 *         other flows by max-min fairness (progressive filling); the rates
 *         of the flows connected to a started or finished flow through
 *         shared links are recomputed, no others.
 *
 * The engine owns nothing in here; the network owns its links, flows,
 * transfers and statistics.  Not thread-safe; one per simulation.
 */
#ifndef SOC_NET_H
#define SOC_NET_H

#include <stdint.h>

#include "soc/model.h"
#include "soc/sim.h"

typedef struct soc__net soc__net_t;

/* A delivered transfer, as identified by its requester. */
typedef struct soc__net_done {
    uint64_t job;
    int edge;
    int measured;
    double volume;
    double t_request;  /* clock units */
} soc__net_done_t;

/* Build the network of cfg's platform (contention model bus or flow; the
 * caller does not create one for `none`).  time_scale = clock units per µs
 * (1000 for the engine's nanoseconds, 1 for µs); integer_time != 0 makes
 * every bus service time a whole number of clock units (soc_time_from_us
 * rounding), so that the engine's bus model is integer arithmetic.
 * SOC_OK, SOC_ENOMEM, SOC_ECONFIG (err set). */
int soc__net_create(soc__net_t **out, const soc_platform_t *p, double time_scale,
                    int integer_time, soc_error_t *err);
void soc__net_destroy(soc__net_t *n);
/* Back to time 0: no transfers, statistics cleared (links kept). */
void soc__net_reset(soc__net_t *n);

/* Start a transfer of `volume` (> 0) from src to dst (distinct PEs) at
 * time t (not before the network's clock; a t behind it starts at the
 * clock).  (job, edge) come back in soc__net_step's deliveries; `measured`
 * selects it for the transfer statistics.  SOC_OK or SOC_ENOMEM. */
int soc__net_start(soc__net_t *n, double t, int src, int dst, double volume, uint64_t job,
                   int edge, int measured);
/* Time of the network's next internal event (a bus transaction or a flow
 * ending, a flow's latency elapsing); INFINITY when idle.  Flows started or
 * ended since the last call get their new rates here, so all the changes
 * of one instant cost one recomputation. */
double soc__net_next(soc__net_t *n);
/* Process the next instant (soc__net_next()).  Transfers that completed
 * are in *done (count *n_done, borrowed until the next call), with their
 * exact completion time *at.  SOC_OK or SOC_ENOMEM. */
int soc__net_step(soc__net_t *n, const soc__net_done_t **done, int *n_done, double *at);
/* Current clock. */
double soc__net_clock(const soc__net_t *n);

/* Record a delivery to the requester at time t (clock units; for the
 * engine, the nanosecond it is delivered at): transfer statistics. */
int soc__net_record(soc__net_t *n, double t_request, double t, double volume, int measured);

/* Time (µs) a transfer would take alone on the network: the
 * contention-free estimate schedulers see through api->comm_time. */
double soc__net_alone_us(const soc__net_t *n, double volume, int src, int dst);
/* Estimate (µs) under the load at time `now` (api->comm_time_now): bus -- the
 * FIFO wait of a request made now plus its service; flow -- latency plus
 * V over the least of cap/(flows + 1) along the route (the max-min share
 * a new flow is guaranteed). */
double soc__net_now_us(soc__net_t *n, double now, double volume, int src, int dst);

/* Energy counts the phases that end at or after `warmup` (clock units;
 * default 0), as the power model counts energy after the warm-up. */
void soc__net_set_warmup(soc__net_t *n, double warmup);
/* Transfer metrics and per-link utilisation at time `now` (clock units)
 * into m; the network's energy is added to m's energy when m has energy
 * (power model). */
void soc__net_metrics(soc__net_t *n, double now, soc_metrics_t *m);

/* Names of the links of the route of phase `phase` (0, or 1 in
 * shared_memory mode) of a transfer src -> dst, joined by ' ', into buf.
 * Returns the number of links, -1 for phase 1 in pe_to_pe mode. */
int soc__net_route_text(const soc__net_t *n, int src, int dst, int phase, char *buf,
                        size_t size);

/* Benchmarks (scripts/bench_net.c): full = 1 recomputes every active flow
 * at each start or end instead of the component (-1 leaves it); the
 * counters give the recomputations so far and the flows they touched. */
void soc__net_bench(soc__net_t *n, int full, uint64_t *recomputes, uint64_t *touched);

#endif
