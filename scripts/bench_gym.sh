#!/bin/sh
# bench_gym.sh -- throughput of the RL interface: environment steps/s in
# process (C API), over the Unix socket (one client, step by step), over the
# socket batched (16 envs per step_many), over loopback TCP, and decisions/s
# of the neural scheduler.  Prints figures; asserts nothing.
#
# usage: scripts/bench_gym.sh [BUILD_DIR]     (default: build)
# Needs the targets socsim and bench_gym (both in the default build).
set -eu

BUILD=${1:-build}
SOCSIM=$BUILD/socsim
[ -x "$SOCSIM" ] || SOCSIM=$BUILD/socsim
BENCH=$BUILD/gym/bench_gym
STEPS=${STEPS:-300000}
for f in "$SOCSIM" "$BENCH"; do
    if [ ! -x "$f" ]; then
        echo "bench_gym.sh: $f not found (build first: cmake --build $BUILD)" >&2
        exit 2
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/socsim-bench.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# Start `socsim serve --once ARGS`; sets ADDR to the address it prints.
serve() {
    rm -f "$TMP/addr"
    "$SOCSIM" serve --once "$@" > "$TMP/addr" &
    SERVER_PID=$!
    i=0
    while ! grep -q . "$TMP/addr" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    ADDR=$(head -n 1 "$TMP/addr")
    [ -n "$ADDR" ] || { echo "bench_gym.sh: the server did not start" >&2; exit 1; }
}

served() {
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

echo "# socsim RL interface throughput ($(uname -m), $(nproc 2>/dev/null || echo '?') cores;"
echo "# embedded default config, 17 PEs, pseudo-random valid actions)"
echo "# targets: in-process >= 200000 steps/s, one socket client >= 20000 steps/s,"
echo "#          batched 16 envs >= 100000 steps/s, neural >= 100000 decisions/s"
"$BENCH" inproc "$STEPS" 8
"$BENCH" inproc "$STEPS" 4

serve --unix "$TMP/sock"
"$BENCH" socket "$ADDR" $((STEPS / 5))
served

serve --unix "$TMP/sock"
"$BENCH" batch "$ADDR" 16 "$STEPS"
served

serve --tcp 0
"$BENCH" socket "$ADDR" $((STEPS / 5))
served

serve --tcp 0
"$BENCH" batch "$ADDR" 16 "$STEPS"
served

"$BENCH" neural 2000 64 8
"$BENCH" neural 2000 32 8
