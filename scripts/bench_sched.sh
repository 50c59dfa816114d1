#!/usr/bin/env bash
# Scheduling cost of heft, cpop, peft and lookahead (and the dynamic met as
# the engine's share) on random DAGs of 10^2, 10^3, 10^4 tasks on 4, 16 and
# 64 unrelated PEs: wall time of one simulated job and ns per e*q (flat when
# the cost grows as O(e q), HEFT's published complexity).  Prints figures;
# it is not a test.
#   usage: scripts/bench_sched.sh [BUILD_DIR] [bench_sched options...]
#   e.g.   scripts/bench_sched.sh build --reps 5 heft peft
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
[ $# -gt 0 ] && shift
BIN=$BUILD/scripts/bench_sched
if [ ! -x "$BIN" ]; then
    echo "bench_sched: $BIN not found; build first: cmake --build $BUILD --target bench_sched" >&2
    exit 2
fi
echo "# $(uname -m), $(nproc) CPU(s); one job per run, best of 3 (1 for 10^4 tasks)"
exec "$BIN" "$@"
