#!/usr/bin/env bash
# Interconnect contention model: (1) cost of the flow model's events --
# transfers per CPU second with 10, 100, 1000 flows in flight on several
# topologies, recomputing the component of the sharing graph vs every flow
# (scripts/bench_net.c); (2) engine speed on DS3's six-application mix
# (10^4 jobs, mean inter-arrival 200 µs) with contention none, bus and flow
# on MULTIPLE_BAL's crossbar and 4 x 4 mesh: simulated tasks per CPU second
# and the ratio to `none`.  CPU time, so that a busy machine does not skew
# it.  Prints figures; it is not a test.
#   usage: scripts/bench_net.sh [BUILD_DIR] [JOBS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
JOBS=${2:-10000}
S=$BUILD/socsim
[ -x "$BUILD/scripts/bench_net" ] || { echo "build first: cmake --build $BUILD" >&2; exit 2; }
[ "${SKIP_FLOWS:-0}" = 1 ] || "$BUILD/scripts/bench_net"
echo
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
plat=$ROOT/workloads/socs/multiple_bal.yaml mesh=$ROOT/workloads/socs/multiple_bal_mesh.yaml
# platform variants: the same file with another contention block
sed 's/^  mode: pe_to_pe/  mode: pe_to_pe\n  contention: none/' "$plat" > "$t/xbar_none.yaml"
sed 's/^  mode: pe_to_pe/  mode: pe_to_pe\n  contention: {model: bus, bandwidth: 1000}/' "$plat" > "$t/xbar_bus.yaml"
sed 's/^  mode: pe_to_pe/  mode: pe_to_pe\n  contention: {model: flow, topology: crossbar, bandwidth: 1000}/' "$plat" > "$t/xbar_flow.yaml"
sed 's/^    model: flow/    model: none/' "$mesh" > "$t/mesh_none.yaml"
cp "$mesh" "$t/mesh_flow.yaml"
for v in xbar_none xbar_bus xbar_flow mesh_none mesh_flow; do
    sed -e "s#^platform: .*#platform: $t/$v.yaml#" -e "s#\.\./workloads#$ROOT/workloads#" \
        -e "s/mean_interarrival_us: .*/mean_interarrival_us: 200/" "$ROOT/examples/noc_mesh.yaml" > "$t/$v.cfg.yaml"
done
echo "# engine: DS3 mix, $JOBS jobs, mean inter-arrival 200 us; tasks per CPU second"
printf "%-10s %-8s %10s %9s %13s %8s %14s\n" platform sched tasks cpu_s tasks_per_s vs_none avg_latency_us
for sched in met etf eft_net; do
    for v in xbar_none xbar_bus xbar_flow mesh_none mesh_flow; do
        python3 - "$S" "$t/$v.cfg.yaml" "$sched" "$JOBS" "$v" "$t/base_$sched" <<'PY'
import json, os, resource, subprocess, sys
s, cfg, sched, n, name, basef = sys.argv[1:7]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
best = None
for rep in range(5):
    c0 = cpu()
    out = subprocess.run([s, "run", cfg, "--scheduler", sched, "--jobs", n, "--json"],
                         check=True, capture_output=True, text=True).stdout
    c = cpu() - c0
    best = c if best is None else min(best, c)
m = json.loads(out.splitlines()[-1])
rate = m["tasks_completed"] / best
plat, model = name.split("_")
if model == "none":
    open(basef + plat, "w").write(repr(rate))
base = float(open(basef + plat).read())
print("%-10s %-8s %10d %9.3f %13.0f %7.2fx %14.1f" % (name, sched, m["tasks_completed"], best, rate,
      base / rate, m["avg_latency_us"]))
PY
    done
done
