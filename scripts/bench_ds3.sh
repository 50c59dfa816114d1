#!/bin/sh
# bench_ds3.sh -- DS3 compatibility speed: DS3's default application mix
# (config_file.ini: 6 applications, SoC.MULTIPLE_BAL, ETF, scale 500) with
# 1000 jobs instead of 100, run by `socsim run --ds3`, whole process timed.
# DS3 itself needs about 408 s for this run (shared/spec/ds3.md §0, §6).
#
# usage: scripts/bench_ds3.sh [SOCSIM [DS3_DIR [RUNS]]]
#   SOCSIM   the socsim binary (default build/socsim)
#   DS3_DIR  DS3's files (default ../shared/ds3 next to the repository)
#   RUNS     repetitions to average over (default 20)
# Prints the result line of the run and the mean wall time per process.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
socsim=${1:-$root/build/socsim}
ds3=${2:-$root/../shared/ds3}
runs=${3:-20}
ds3_seconds=408
if [ ! -f "$ds3/config_file.ini" ]; then
    echo "bench_ds3: no DS3 files in $ds3 (pass DS3_DIR)" >&2
    exit 77
fi
if [ ! -x "$socsim" ]; then
    echo "bench_ds3: $socsim is not an executable (build first or pass SOCSIM)" >&2
    exit 2
fi
"$socsim" run --ds3 "$ds3/config_file.ini" --set max_jobs=1000 --json |
    sed 's/,"p50_latency_us.*//'
start=$(date +%s%N)
i=0
while [ "$i" -lt "$runs" ]; do
    "$socsim" run --ds3 "$ds3/config_file.ini" --set max_jobs=1000 --json >/dev/null
    i=$((i + 1))
done
end=$(date +%s%N)
awk -v s="$start" -v e="$end" -v n="$runs" -v d="$ds3_seconds" 'BEGIN {
    ms = (e - s) / n / 1e6
    printf "socsim --ds3, 1000 jobs, ETF: %.2f ms per process (mean of %d runs)\n", ms, n
    printf "DS3 (about %d s): socsim is %.0fx faster\n", d, d * 1000 / ms
}'
