#!/usr/bin/env bash
# Performance at scale (issue 12): CPU time per task as DAGs get wider
# (fork-join 10^2..10^5 tasks) and deeper (chains to 10^5), as PE queues get
# longer (saturated load, 10^2..10^5 queued tasks), as the platform grows
# (16..4096 PEs in 5 clusters, at light and at heavy load) and as runs get longer (10^3..10^7 jobs, with
# peak RSS); socsim's time per event against the minimal engine of
# scripts/bare_engine.c on the same workload in the same process; YAML
# loading of 10^3..10^5-task applications.  Prints figures; it is not a test.
# The workloads are described in scripts/bench_scale.c.
#
#   usage: scripts/bench_scale.sh [BUILD_DIR]
#   env:   CURVES="width chain queue pes pesload jobs bare yaml"  (the curves to run)
#          MAX_S=60        skip a size whose extrapolated CPU time exceeds this
#          MAX_JOBS=1000000  largest run of the jobs curve (10000000 for 10^7)
#          BARE_JOBS=100000  jobs of the bare-engine comparison
#          REPS=3          runs per point (a point under 20 ms gets enough runs
#                          for about 0.1 s, at most 201: small sizes are noisy)
#          STAT=median     report the median of REPS runs at every size, or
#                          STAT=best: the fastest (1 run above 10^4 tasks)
#          JOBS_REPS=1     processes per point of the jobs curve (median shown)
# Columns: ns/task = CPU ns per completed task (whole simulation: create,
# run, destroy); sched_ns = the part spent in the scheduler's callbacks
# (including the engine's bookkeeping of each assignment); x_first = ns/task
# relative to the smallest size (the goal is <= 2 across each curve).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
BIN=$BUILD/scripts/bench_scale
if [ ! -x "$BIN" ]; then
    echo "bench_scale: $BIN not found; build first: cmake --build $BUILD --target bench_scale" >&2
    exit 2
fi
CURVES=${CURVES:-width chain queue pes pesload jobs bare yaml}
MAX_S=${MAX_S:-60}
MAX_JOBS=${MAX_JOBS:-1000000}
BARE_JOBS=${BARE_JOBS:-100000}
REPS=${REPS:-3}
STAT=${STAT:-median}
JOBS_REPS=${JOBS_REPS:-1}
case $STAT in
median) MED=--median ;;
best) MED= ;;
*) echo "bench_scale: STAT is median or best" >&2; exit 2 ;;
esac
BT=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "# socsim bench_scale: $(uname -sm), ${CPU:-unknown CPU}, $(nproc) CPU(s), build ${BT:-?}, $STAT of $REPS"
[ -r /proc/loadavg ] && echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg) (CPU times; a busy machine still inflates them)"
for c in $CURVES; do
    echo
    case $c in
    width)
        echo "## DAG width: one fork-join job (source -> N-2 parallel -> sink), 16 PEs"
        "$BIN" width --max-s "$MAX_S" --reps "$REPS" $MED etf minmin maxmin sufferage mct heft peft met
        ;;
    chain)
        echo "## DAG depth: one chain of N tasks, 16 PEs"
        "$BIN" chain --max-s "$MAX_S" --reps "$REPS" $MED met mct etf heft peft
        ;;
    queue)
        echo "## queue length: N/10 jobs of a 10-task DAG every 2 us (about 5x saturation), 16 PEs"
        "$BIN" queue --max-s "$MAX_S" --reps "$REPS" $MED met etf heft peft minmin:static
        ;;
    pes)
        echo "## PE count: DS3 mix at light load (200 us between jobs), MULTIPLE_BAL x1..x256"
        "$BIN" pes --root "$ROOT" --max-s "$MAX_S" --reps "$REPS" $MED met etf heft
        ;;
    pesload)
        echo "## PE count at heavy load: DS3 mix, one job per 30 us / scale (CPUs about 90% busy),"
        echo "## 500 x scale jobs, MULTIPLE_BAL x1..x256"
        "$BIN" pesload --root "$ROOT" --max-s "$MAX_S" --reps "$REPS" $MED met etf heft
        ;;
    jobs)
        echo "## run length: DS3 mix on 16 PEs (one process per run: peak RSS of that run)"
        printf "%-6s %-10s %9s %10s %12s %10s %10s\n" curve scheduler jobs tasks cpu_ms ns/task rss_MB
        for s in met etf heft; do
            n=1000
            while [ "$n" -le "$MAX_JOBS" ]; do
                # JOBS_REPS processes; the line of median CPU time (column 5)
                for _ in $(seq "$JOBS_REPS"); do
                    "$BIN" jobs --root "$ROOT" --jobs "$n" "$s"
                done | sort -g -k5,5 | sed -n "$(((JOBS_REPS + 1) / 2))p"
                n=$((n * 10))
            done
        done
        ;;
    bare)
        echo "## against the bare engine (scripts/bare_engine.c): DS3 mix, 16 PEs, $BARE_JOBS jobs,"
        echo "## the same trace of arrivals; ratio = socsim CPU time / bare CPU time for the same events"
        echo "## (targets: met <= 3, etf and heft <= 4); same = identical schedules"
        "$BIN" bare --root "$ROOT" --jobs "$BARE_JOBS" --reps "$REPS" $MED
        ;;
    yaml)
        echo "## YAML loading: a layered DAG of N named tasks (edges by name), soc_load_yaml"
        "$BIN" yaml --reps "$REPS"
        ;;
    *)
        echo "bench_scale: unknown curve '$c'" >&2
        exit 2
        ;;
    esac
done
