#!/usr/bin/env bash
# Cost of the power model: the same native run with `power: false` and
# `power: true` (DS3's six-application mix on the 16-PE MULTIPLE_BAL SoC,
# tests/regress/mix.yaml), with the native default periods (1 ms) and with
# DS3's periods (governor epoch 10 us, thermal step 20 us), at the mix's
# load and at a 10x sparser one (more thermal steps per task).  Each figure
# is the best CPU time (user + sys) of REPS runs; the ratio on/off must stay
# at most 1.5.  Then DS3 semantics (energy always on, as in DS3) on DS3's
# default config_file.ini when ../shared is there: the same runs by a second
# socsim built from the same sources with -DSOC_DS3_BENCH_NO_POWER (the DS3
# engine without its power model: no sampling ticks, no energy hooks; same
# schedules with the default performance governors, energies meaningless),
# built into NOPOWER_BUILD (default BUILD_DIR-nopower) when missing.
# NOPOWER=0 skips that build and prints absolute DS3 figures only.
# Prints figures; it is not a test.
#   usage: scripts/bench_power.sh [BUILD_DIR]     (JOBS=20000 REPS=5 SCHED=etf)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
S=$BUILD/socsim
JOBS=${JOBS:-20000}
REPS=${REPS:-5}
SCHED=${SCHED:-etf}
[ -x "$S" ] || { echo "no socsim at $S (build first, or pass BUILD_DIR)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# variants of mix.yaml with absolute workload paths
base() { sed -e "s#\.\./\.\./workloads#$ROOT/workloads#g" "$ROOT/tests/regress/mix.yaml"; }
mk() { # name power(true|false) periods(native|ds3) mean_interarrival_us
    base | sed -e "s/^power: .*/power: $2/" \
               -e "s/mean_interarrival_us: .*/mean_interarrival_us: $4/" > "$TMP/$1.yaml"
    if [ "$3" = ds3 ]; then
        printf 'ds3:\n  sampling_rate: 10\n  sampling_rate_temperature: 20\n' >> "$TMP/$1.yaml"
    fi
}

best_cpu() { # yaml -> best user+sys seconds over REPS runs
    python3 - "$S" "$1" "$SCHED" "$JOBS" "$REPS" <<'PY'
import os, subprocess, sys
s, cfg, sched, jobs, reps = sys.argv[1:6]
best = None
for _ in range(int(reps)):
    t0 = os.times()
    subprocess.run([s, "run", cfg, "--scheduler", sched, "--jobs", jobs, "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    t1 = os.times()
    cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    best = cpu if best is None else min(best, cpu)
print("%.3f" % best)
PY
}

printf "%-10s %-8s %8s %10s %10s %7s\n" periods load jobs off_s on_s ratio
for periods in native ds3; do
    for load in 90 900; do
        mk off false $periods $load
        mk on true $periods $load
        off=$(best_cpu "$TMP/off.yaml")
        on=$(best_cpu "$TMP/on.yaml")
        ratio=$(python3 -c "print('%.2f' % ($on / max($off, 1e-9)))")
        printf "%-10s %-8s %8s %10s %10s %7s\n" $periods "${load}us" "$JOBS" "$off" "$on" "$ratio"
    done
done

# DS3 semantics always computes energy (as DS3 does); the reference without
# the power model is a separate build (see the top).
DS3_INI=${DS3_INI:-$ROOT/../shared/ds3/config_file.ini}
[ -r "$DS3_INI" ] || exit 0
S_OFF=
if [ "${NOPOWER:-1}" != 0 ]; then
    NOPOWER_BUILD=${NOPOWER_BUILD:-$BUILD-nopower}
    if [ ! -x "$NOPOWER_BUILD/socsim" ]; then
        BT=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
        echo "building the no-power reference in $NOPOWER_BUILD ..." >&2
        cmake -S "$ROOT" -B "$NOPOWER_BUILD" -DCMAKE_BUILD_TYPE="${BT:-RelWithDebInfo}" \
            -DCMAKE_C_FLAGS=-DSOC_DS3_BENCH_NO_POWER >/dev/null
        cmake --build "$NOPOWER_BUILD" --target socsim -j2 >/dev/null
    fi
    S_OFF=$NOPOWER_BUILD/socsim
fi
echo
printf "%-22s %8s %10s %10s %7s %12s\n" "ds3 semantics" jobs off_s on_s ratio jobs_per_s
for n in 100 1000 $JOBS; do
    python3 - "$S" "$DS3_INI" "$n" "$REPS" "$S_OFF" <<'PY'
import resource, subprocess, sys
s, ini, n, reps, s_off = sys.argv[1:6]
def cpu():  # µs resolution (os.times counts 10 ms ticks)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def best(exe):
    b = None
    for _ in range(int(reps)):
        t0 = cpu()
        subprocess.run([exe, "run", "--ds3", ini, "--set", "max_jobs=" + n, "--json"],
                       check=True, stdout=subprocess.DEVNULL)
        t = cpu() - t0
        b = t if b is None else min(b, t)
    return b
on = best(s)
if s_off:
    off = best(s_off)
    print("%-22s %8s %10.3f %10.3f %7.2f %12.0f" % ("default ETF", n, off, on,
          on / max(off, 1e-3), int(n) / max(on, 1e-3)))
else:
    print("%-22s %8s %10s %10.3f %7s %12.0f" % ("default ETF", n, "-", on, "-",
          int(n) / max(on, 1e-3)))
PY
done
