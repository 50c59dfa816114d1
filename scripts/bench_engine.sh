#!/usr/bin/env bash
# Engine throughput and memory: simulated tasks per wall second and peak
# RSS for 10^3 .. 10^6 jobs of DS3's six-application mix on the 16-PE
# MULTIPLE_BAL SoC, scheduler met (override with SCHED=...).  Prints figures;
# it is not a test.   usage: scripts/bench_engine.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
S=${1:-$ROOT/build}/socsim
CFG=${CFG:-$ROOT/examples/poisson_soc.yaml}
SCHED=${SCHED:-met}
printf "%-9s %-6s %12s %10s %14s %12s %10s\n" jobs sched tasks wall_s tasks_per_s ns_per_task peak_MB
for n in 1000 10000 100000 1000000; do
    python3 - "$S" "$CFG" "$SCHED" "$n" <<'PY'
import json, resource, subprocess, sys, time
s, cfg, sched, n = sys.argv[1:5]
t0 = time.perf_counter()
out = subprocess.run([s, "run", cfg, "--scheduler", sched, "--jobs", n, "--json"],
                     check=True, capture_output=True, text=True).stdout
wall = time.perf_counter() - t0
m = json.loads(out.splitlines()[-1])
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
tasks = m["tasks_completed"]
print("%-9s %-6s %12d %10.3f %14.0f %12.1f %10.1f" % (n, sched, tasks, wall, tasks / wall, wall / tasks * 1e9, rss))
PY
done
