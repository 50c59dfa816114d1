#!/usr/bin/env bash
# The Ray sweep driver against `socsim sweep` on the same CPUs.
# usage: scripts/bench_ray_sweep.sh [BUILD_DIR] [SWEEP.yaml] [CPUS]
# Needs BUILD_DIR/socsim and a Python with socsim_gym (its extension) and
# Ray: BUILD_DIR/pyvenv as tests/python/run_pytests.sh leaves it, or $PYTHON.
# Prints the wall time of `socsim sweep -j CPUS` and of
# `python -m socsim_gym.ray_sweep --num-cpus CPUS` (a local Ray instance,
# started and stopped by the driver) with 1 and 8 units per Ray task, the
# points/s of the driver once Ray is up, and whether the results are
# byte-identical.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$here/build}
SWEEP=${2:-$here/examples/sweep-injection.yaml}
CPUS=${3:-2}
S=$B/socsim
PY=${PYTHON:-$B/pyvenv/bin/python}
[ -x "$S" ] || { echo "socsim not found at $S (give the build directory)" >&2; exit 2; }
"$PY" -c 'import ray, socsim_gym._core' 2>/dev/null ||
    { echo "$PY lacks ray or socsim_gym's extension (run tests/python/run_pytests.sh $B)" >&2; exit 2; }
t=$(mktemp -d /tmp/rbench.XXXXXX)
trap 'rm -rf "$t"' EXIT
export RAY_TMPDIR=$t/ray HOME=$t/home   # a private Ray instance; Ray writes ~/.ray
mkdir -p "$RAY_TMPDIR" "$HOME"
points=$("$S" sweep --list "$SWEEP" | tail -n +2 | wc -l)
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
echo "sweep: $SWEEP ($points points), $CPUS CPUs of $(nproc) online"
[ -r /proc/loadavg ] && echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (should be near 0)"
s=$(date +%s.%N)
"$S" sweep -j "$CPUS" --quiet --out "$t/cli" "$SWEEP"
e=$(date +%s.%N)
printf "socsim sweep -j %s:                 %6s s\n" "$CPUS" "$(secs "$s" "$e")"
for k in 1 8; do
    s=$(date +%s.%N)
    "$PY" -m socsim_gym.ray_sweep "$SWEEP" --out "$t/ray$k" --num-cpus "$CPUS" \
        --units-per-task "$k" >/dev/null 2>"$t/ray$k.err"
    e=$(date +%s.%N)
    rate=$(sed -n 's/.*points (100%), \([0-9.]*\) points\/s.*/\1/p' "$t/ray$k.err" | tail -1)
    cmp -s "$t/cli/results.csv" "$t/ray$k/results.csv" &&
        cmp -s "$t/cli/summary.csv" "$t/ray$k/summary.csv" && same=yes || same=NO
    printf "ray_sweep, %d unit(s) per task:    %6s s  (%s points/s once Ray is up; identical: %s)\n" \
        "$k" "$(secs "$s" "$e")" "$rate" "$same"
done
