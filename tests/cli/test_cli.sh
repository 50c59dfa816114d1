#!/usr/bin/env bash
# CLI contract tests: help texts, exit codes, bad input, determinism,
# examples.  The parts that need DS3's reference files (../shared) are in
# tests/cli/test_cli_ds3.sh, reported Skipped when the files are absent.
# Env: SOCSIM (built binary), SOC_SOURCE_DIR, SOC_SHARED_DIR.
set -u
S=${SOCSIM:?SOCSIM not set}
cd "${SOC_SOURCE_DIR:?}"
ok=0; bad=0
pass() { ok=$((ok+1)); }
fail() { echo "FAIL: $*"; bad=$((bad+1)); }
expect_code() { # expect_code CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >/tmp/soc_cli_out.$$ 2>/tmp/soc_cli_err.$$
    local got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$what: exit $got, want $want ($(head -c 300 /tmp/soc_cli_err.$$))"; fi
}
t=$(mktemp -d); trap 'rm -rf "$t" /tmp/soc_cli_*.$$' EXIT

expect_code 0 "--help" -- "$S" --help
for c in run validate schedulers convert-ds3 default sweep plot regress serve flows; do
    expect_code 0 "$c --help" -- "$S" "$c" --help
    grep -q "usage" /tmp/soc_cli_out.$$ || fail "$c --help prints no usage"
done
expect_code 2 "unknown command" -- "$S" frobnicate
expect_code 2 "unknown option" -- "$S" run --frob examples/topcuoglu.yaml
expect_code 2 "missing operand" -- "$S" run
expect_code 2 "missing file" -- "$S" run "$t/nope.yaml"
grep -q "nope.yaml" /tmp/soc_cli_err.$$ || fail "missing file: message does not name the file"
expect_code 2 "bad --seed" -- "$S" run examples/topcuoglu.yaml --seed abc
expect_code 2 "unknown scheduler" -- "$S" run examples/topcuoglu.yaml --scheduler nosuch

printf 'seed: 1\nplatform: {clusters: [{name: A, count: 1, exec_us: {x: 1}}]\n' > "$t/broken.yaml"
expect_code 2 "malformed YAML" -- "$S" run "$t/broken.yaml"
grep -Eq "broken.yaml:[0-9]+:[0-9]+:" /tmp/soc_cli_err.$$ || fail "malformed YAML: no file:line:col ($(cat /tmp/soc_cli_err.$$))"
cat > "$t/unknown.yaml" <<'Y'
seed: 1
sceduler: heft
platform: {clusters: [{name: A, count: 1, exec_us: {x: 1}}]}
applications: [{name: a, probability: 1, tasks: [{name: x}]}]
injection: {arrival: periodic, period_us: 10}
stop: {jobs: 3}
Y
expect_code 2 "unknown key" -- "$S" validate "$t/unknown.yaml"
grep -q "unknown.yaml:2:1" /tmp/soc_cli_err.$$ || fail "unknown key: position ($(cat /tmp/soc_cli_err.$$))"
grep -q "scheduler" /tmp/soc_cli_err.$$ || fail "unknown key: no suggestion"
sed 's/^sceduler/scheduler/' "$t/unknown.yaml" > "$t/good.yaml"
expect_code 0 "valid config" -- "$S" validate "$t/good.yaml"
expect_code 0 "run valid config" -- "$S" run "$t/good.yaml" --json
grep -q '"completed_jobs":3' /tmp/soc_cli_out.$$ || fail "good.yaml: 3 jobs expected"
# the outputs: section writes the schedule and selects JSON; the CLI option wins
printf 'outputs: {schedule: %s/out.csv, json: true}\n' "$t" | cat "$t/good.yaml" - > "$t/outputs.yaml"
expect_code 0 "outputs section" -- "$S" run "$t/outputs.yaml"
grep -q '^{"scheduler"' /tmp/soc_cli_out.$$ || fail "outputs.json: no JSON line"
[ "$(wc -l < "$t/out.csv")" = 4 ] || fail "outputs.schedule: 3 rows + header expected"
expect_code 0 "outputs overridden" -- "$S" run "$t/outputs.yaml" --schedule "$t/other.csv"
[ -f "$t/other.csv" ] || fail "--schedule does not override outputs.schedule"
printf 'outputs: {shedule: x.csv}\n' | cat "$t/good.yaml" - > "$t/outbad.yaml"
expect_code 2 "outputs unknown key" -- "$S" run "$t/outbad.yaml"
grep -q "schedule" /tmp/soc_cli_err.$$ || fail "outputs unknown key: no suggestion"
sed 's/exec_us: {x: 1}/exec_us: {x: .nan}/' "$t/good.yaml" > "$t/nan.yaml"
expect_code 2 "NaN number" -- "$S" run "$t/nan.yaml"
sed 's/probability: 1/probability: 0.5/' "$t/good.yaml" > "$t/prob.yaml"
expect_code 2 "probabilities" -- "$S" run "$t/prob.yaml"

# every example runs, and twice gives the same bytes
for f in examples/*.yaml; do
    case "$f" in *sweep*) continue;; esac
    a=$("$S" run "$f" --json --seed 3 2>&1); ca=$?
    b=$("$S" run "$f" --json --seed 3 2>&1)
    [ $ca = 0 ] || fail "$f: exit $ca: $a"
    [ "$a" = "$b" ] || fail "$f: two runs differ"
    pass
done
# the embedded default runs and lists the four core schedulers
"$S" > "$t/default.txt" 2>&1 || fail "socsim (default) failed"
for s in met eft etf heft; do grep -qw "$s" "$t/default.txt" || fail "default table lacks $s"; done
a=$("$S" default --json --jobs 200); b=$("$S" default --json --jobs 200)
[ "$a" = "$b" ] && pass || fail "default --json not deterministic"

# schedule CSV has the contract columns
"$S" run examples/topcuoglu.yaml --scheduler heft --schedule "$t/s.csv" --json >/dev/null || fail "schedule csv run"
head -1 "$t/s.csv" | grep -q '^job,task,task_type,pe,start_us,finish_us' || fail "schedule csv header"
[ "$(wc -l < "$t/s.csv")" = 11 ] || fail "schedule csv rows"

# issue 11 reproducers: clear messages and exit 2, never a hang or a
# plausible wrong number
sed 's/bandwidth_default: 8 /bandwidth_default: 1e-300/' examples/periodic.yaml > "$t/bw300.yaml"
grep -q 1e-300 "$t/bw300.yaml" || fail "bw300 fixture not made"
expect_code 2 "bandwidth 1e-300" -- timeout 20 "$S" run "$t/bw300.yaml" --json
grep -q "bw300.yaml:[0-9]*:[0-9]*: .*at most 1e+12 us" /tmp/soc_cli_err.$$ || fail "bandwidth 1e-300: no file:line:col message"
[ -s /tmp/soc_cli_out.$$ ] && fail "bandwidth 1e-300: printed results"
cat > "$t/subns.yaml" <<'YAML'
platform:
  clusters:
    - {name: a, count: 1, exec_us: {x: 10}}
applications:
  - {name: app, tasks: [x]}
injection: {arrival: poisson, mean_interarrival_us: 0.0001, warmup_us: 1}
stop: {jobs: 10}
YAML
expect_code 2 "sub-ns mean" -- timeout 20 "$S" run "$t/subns.yaml"
grep -q "subns.yaml:6:53: .*below 1 ns" /tmp/soc_cli_err.$$ || fail "sub-ns mean: message"
# the engine's no-progress guard: random gaps that are almost always 0 ns
cat > "$t/zero_gaps.yaml" <<'YAML'
platform:
  clusters:
    - {name: a, count: 1, exec_us: {x: 10}}
applications:
  - {name: app, tasks: [x]}
injection: {arrival: renewal, max_in_flight: 4, on_full: drop,
            interarrival: {dist: empirical, values: [0, 100000], weights: [0.9999999, 0.0000001]}}
stop: {jobs: 10}
YAML
expect_code 1 "arrivals that never advance time" -- timeout 30 "$S" run "$t/zero_gaps.yaml"
grep -q "cannot make progress: more than 1048576 arrivals at t=0.000 us" /tmp/soc_cli_err.$$ ||
    fail "zero gaps: no progress message"
expect_code 2 "run --ds3 /dev/zero" -- timeout 20 "$S" run --ds3 /dev/zero
grep -q "not a regular file" /tmp/soc_cli_err.$$ || fail "--ds3 /dev/zero: message"
expect_code 2 "run --ds3 DIR" -- timeout 20 "$S" run --ds3 "$t"
grep -q "is a directory" /tmp/soc_cli_err.$$ || fail "--ds3 DIR: message"
expect_code 2 "neural:DIR" -- timeout 20 "$S" run examples/topcuoglu.yaml --scheduler "neural:$t"
grep -q "is a directory" /tmp/soc_cli_err.$$ || fail "neural:DIR: message"
mkdir -p "$t/cap/config_SoC" "$t/cap/config_Jobs"
cp tests/ds3/mini/config_file.ini "$t/cap/"
cp tests/ds3/mini/config_Jobs/* "$t/cap/config_Jobs/"
sed 's/resource_ID 1 capacity 1 /resource_ID 1 capacity 0 /' tests/ds3/mini/config_SoC/SoC.mini.txt \
    > "$t/cap/config_SoC/SoC.mini.txt"
expect_code 0 "DS3 capacity 0" -- timeout 20 "$S" run --ds3 "$t/cap/config_file.ini" --json
grep -q "warning: .*SoC.mini.txt:16: resource 'X': capacity 0 is read as 1" /tmp/soc_cli_err.$$ ||
    fail "DS3 capacity 0: no warning"
# flows: transfers through a contention model alone (two equal flows on a
# shared bus of 4 units/µs: 2 x 100 / 4 = 50 µs each; the third alone)
cat > "$t/net.yaml" <<'Y'
platform:
  clusters: [{name: P, count: 4, exec_us: {t: 1}}]
  communication: {contention: {model: flow, topology: shared_bus, bandwidth: 4}}
applications: [{name: a, tasks: [t]}]
injection: {arrival: periodic, period_us: 1}
stop: {jobs: 1}
Y
printf 'src_pe,dst_pe,volume,start_us\n0,1,100,0\nP.2,P.3,100,0\n3,0,10,60\n' > "$t/f.csv"
out=$("$S" flows "$t/net.yaml" "$t/f.csv" --routes)
[ "$out" = "$(printf 'flow,src_pe,dst_pe,volume,start_us,finish_us,route\n0,0,1,100,0,50,bus\n1,2,3,100,0,50,bus\n2,3,0,10,60,62.5,bus')" ] \
    && pass || fail "flows output: $out"
printf 'src_pe,dst_pe,volume,start_us\n0,9,100,0\n' > "$t/bad.csv"
expect_code 2 "flows: unknown PE" -- "$S" flows "$t/net.yaml" "$t/bad.csv"
grep -q "bad.csv:2:" /tmp/soc_cli_err.$$ || fail "flows: no file:line for a bad flow"
expect_code 2 "flows: no contention model" -- "$S" flows examples/topcuoglu.yaml "$t/f.csv"
"$S" validate examples/noc_mesh.yaml | grep -q "^contention  flow (max-min), 4 x 4 mesh" \
    && pass || fail "validate does not describe the contention model"

echo "cli: $ok passed, $bad failed"
[ $bad = 0 ]
