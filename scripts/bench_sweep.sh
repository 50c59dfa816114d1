#!/usr/bin/env bash
# Sweep throughput on 1 and 2 worker processes (issue: 2 cores >= 1.8x 1 core).
# usage: scripts/bench_sweep.sh [SOCSIM] [SWEEP.yaml]
# Prints points/s for -j 1 and -j 2, the speed-up, and checks that both runs
# wrote byte-identical results.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
S=${1:-$here/build/socsim}
SWEEP=${2:-$here/examples/sweep-injection.yaml}
[ -x "$S" ] || { echo "socsim not found at $S (give its path)" >&2; exit 2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
points=$("$S" sweep --list "$SWEEP" | tail -n +2 | wc -l)
run() { # jobs -> seconds
    local s e
    s=$(date +%s.%N)
    "$S" sweep --jobs "$1" --quiet --out "$t/j$1" "$SWEEP"
    e=$(date +%s.%N)
    echo "$s $e" | awk '{printf "%.3f", $2 - $1}'
}
echo "sweep: $SWEEP ($points points), $(nproc) CPUs online"
# other work on the machine makes the speed-up meaningless: show it
[ -r /proc/loadavg ] && echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (should be near 0)"
t1=$(run 1)
t2=$(run 2)
cmp -s "$t/j1/results.csv" "$t/j2/results.csv" && same=yes || same=NO
awk -v p="$points" -v a="$t1" -v b="$t2" -v same="$same" 'BEGIN {
    printf "-j 1: %7.3f s  %8.1f points/s\n", a, p / a
    printf "-j 2: %7.3f s  %8.1f points/s\n", b, p / b
    printf "speed-up on 2 workers: %.2fx (target >= 1.8x); identical results: %s\n", a / b, same }'
