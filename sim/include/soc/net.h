/*
 * soc/net.h -- the interconnect contention model on its own: run a given
 * set of transfers through a platform's network (communication.contention
 * `bus` or `flow`, docs/semantics.md "Contention") in continuous time,
 * without tasks or schedulers.  This is what `socsim flows` prints and what
 * the SimGrid comparison (tests/net) checks.
 */
#ifndef SOC_NET_PUBLIC_H
#define SOC_NET_PUBLIC_H

#include <stddef.h>
#include "soc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One transfer: src_pe -> dst_pe (global PE indices, distinct) of `volume`
 * data units, requested at start_us. */
typedef struct soc_flow {
    int src_pe, dst_pe;
    double volume;     /* >= 0 */
    double start_us;   /* >= 0 */
    double finish_us;  /* out: when its data is delivered */
} soc_flow_t;

/* Run the n flows through the network of p (finalized, contention model
 * bus or flow) from an idle network at time 0, in exact continuous time
 * (no nanosecond rounding).  Requests at equal times are made in array
 * order.  Fills finish_us.  SOC_OK; SOC_EINVAL (bad PE, volume or time;
 * err says which flow); SOC_ECONFIG (no contention model); SOC_ENOMEM. */
SOC_API int soc_net_run_flows(const soc_platform_t *p, soc_flow_t *flows, int n,
                              soc_error_t *err);

/* The links a transfer src -> dst crosses, by name, into buf: "a b c", and
 * in shared_memory mode "a b | c d" (write phase | read phase).  SOC_OK,
 * SOC_EINVAL, SOC_ECONFIG, SOC_ENOMEM. */
SOC_API int soc_net_route(const soc_platform_t *p, int src_pe, int dst_pe, char *buf,
                          size_t size, soc_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
