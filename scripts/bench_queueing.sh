#!/usr/bin/env bash
# Issue 13's acceptance check, run by hand (prints figures; not a test):
# M/M/1 (eft) at rho 0.7 and M/M/4 (fcfs) at rho 0.8 with exponential
# execution times, JOBS measured jobs per seed (default 10^6) over SEEDS
# seeds (default 5): mean latency against 1/(mu - lambda) and Erlang C,
# avg_jobs_in_system against lambda W, per_app/per_cluster against totals.
#   usage: scripts/bench_queueing.sh [BUILD_DIR [JOBS [SEEDS]]]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$ROOT/build}
exec "$B/scripts/bench_queueing" "${2:-1000000}" "${3:-5}"
