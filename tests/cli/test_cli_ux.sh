#!/usr/bin/env bash
# The everyday paths a new user takes (issue 16): every output option with
# --ds3, a DS3 ini without --ds3, native schedulers on DS3 files, loader
# warnings, --set for YAML, several schedulers in one table, help texts,
# "did you mean", text precision, output files (folders created, nothing
# left by a failed run), write errors on standard output.  Needs only the
# repository (tests/ds3/mini is DS3's format); the Gantt PNG part needs
# gnuplot and is skipped without it.
# Env: SOCSIM (built binary), SOC_SOURCE_DIR.
set -u
S=${SOCSIM:?SOCSIM not set}
cd "${SOC_SOURCE_DIR:?}"
ok=0; bad=0
pass() { ok=$((ok+1)); }
fail() { echo "FAIL: $*"; bad=$((bad+1)); }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
expect_code() { # expect_code CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$t/out" 2>"$t/err"
    local got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$what: exit $got, want $want ($(head -c 400 "$t/err"))"; fi
}
has() { # has FILE REGEX DESCRIPTION
    if grep -Eq -- "$2" "$1"; then pass; else fail "$3 (no /$2/ in $(head -c 400 "$1"))"; fi
}
mini=tests/ds3/mini/config_file.ini

# ---- every output option with --ds3
expect_code 0 "run --ds3 with every output" -- "$S" run --ds3 "$mini" --schedule "$t/d/s.csv" \
    --trace "$t/d/t.json" --power-trace "$t/d/p.csv" --json
for f in s.csv t.json p.csv; do [ -s "$t/d/$f" ] && pass || fail "--ds3: $f not written"; done
python3 - "$t/d/t.json" "$t/d/s.csv" <<'PY' && pass || fail "--ds3 trace does not match its schedule"
import csv, json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
rows = list(csv.DictReader(open(sys.argv[2])))
x = [e for e in ev if e["ph"] == "X"]
assert len(x) == len(rows) == 4, (len(x), len(rows))
assert {e["name"] for e in x} == {"a", "b", "c", "d"}, {e["name"] for e in x}
# the chain a -> b -> c -> d: three dependency arrows
assert sum(e["ph"] == "s" for e in ev) == 3 and sum(e["ph"] == "f" for e in ev) == 3
# DS3 semantics models power: counter tracks
assert any(e["ph"] == "C" and e["name"] == "power (W)" for e in ev)
PY
if command -v gnuplot >/dev/null; then
    expect_code 0 "run --ds3 --gantt" -- "$S" run --ds3 "$mini" --gantt "$t/d/g.png"
    python3 -c "import sys; sys.exit(open(sys.argv[1],'rb').read(4) != b'\x89PNG')" "$t/d/g.png" \
        && pass || fail "--ds3 --gantt: no PNG"
else
    echo "skip  --ds3 --gantt (gnuplot not installed)"
fi
# a DS3 sweep of several runs: --gantt/--trace draw one run and say which
cat > "$t/multi.ini" <<EOF
$(sed -e 's/^simulation_mode = validation/simulation_mode = performance/' \
      -e 's/^num_of_iterations = 1/num_of_iterations = 2/' "$mini")
EOF
mkdir -p "$t/m"; cp "$t/multi.ini" "$t/m/config_file.ini"; cp -r tests/ds3/mini/config_SoC tests/ds3/mini/config_Jobs "$t/m/"
expect_code 0 "--trace of a DS3 run of several" -- "$S" run --ds3 "$t/m/config_file.ini" --trace "$t/m/t.json" --run 2
has "$t/out" "Scale 100, iteration 1" "DS3 performance mode: two runs"
expect_code 2 "--run past the runs" -- "$S" run --ds3 "$t/m/config_file.ini" --trace "$t/m/t2.json" --run 5
[ -e "$t/m/t2.json" ] && fail "--run 5: a trace was written" || pass

# ---- a DS3 ini without --ds3
expect_code 2 "ini without --ds3" -- "$S" run "$mini"
has "$t/err" "run --ds3 .*config_file.ini" "ini without --ds3: no suggestion"

# ---- native schedulers on DS3 files
expect_code 2 "--ds3 -s heft" -- "$S" run --ds3 "$mini" -s heft
has "$t/err" "--set semantics=native" "--ds3 -s heft: no way out offered"
has "$t/err" "convert-ds3 --native" "--ds3 -s heft: convert-ds3 --native not offered"
expect_code 0 "--ds3 -s heft --set semantics=native" -- "$S" run --ds3 "$mini" -s heft --set semantics=native --json
has "$t/out" '"scheduler":"heft"' "semantics=native: heft did not run"
expect_code 0 "convert-ds3 --native" -- "$S" convert-ds3 --native "$mini" -o "$t/native.yaml"
has "$t/native.yaml" "^semantics: native" "convert-ds3 --native: not native"
expect_code 0 "converted native YAML with heft" -- "$S" run "$t/native.yaml" -s heft --json
expect_code 2 "a YAML in DS3 semantics with heft" -- "$S" run "$t/native.yaml" --set semantics=ds3 -s heft
has "$t/err" "--set semantics=native" "YAML ds3 -s heft: no suggestion"

# ---- [TRACE] options warn once
sed 's/^random_seed = 1/random_seed = 1\n/' "$mini" > "$t/tr.ini"
printf '\n[TRACE]\ntrace_tasks = yes\ntrace_system = yes\nclean_traces = yes\n' >> "$t/tr.ini"
mkdir -p "$t/tr"; cp "$t/tr.ini" "$t/tr/config_file.ini"; cp -r tests/ds3/mini/config_SoC tests/ds3/mini/config_Jobs "$t/tr/"
expect_code 0 "[TRACE] = yes" -- "$S" run --ds3 "$t/tr/config_file.ini" --json
[ "$(grep -c 'warning: .*\[TRACE\]' "$t/err")" = 1 ] && pass || fail "[TRACE]: want one warning, got: $(cat "$t/err")"
has "$t/err" "trace_tasks, trace_system" "[TRACE]: the warning does not name the options"
expect_code 0 "[TRACE] = no" -- "$S" run --ds3 "$mini" --json
grep -q TRACE "$t/err" && fail "[TRACE] warning without trace options" || pass

# ---- per-PE utilisation with names: text and JSON
expect_code 0 "--ds3 text" -- "$S" run --ds3 "$mini"
has "$t/out" "PE utilization .*: [A-Za-z]+_0=[0-9.]+ " "--ds3 text: no per-PE utilisation"
expect_code 0 "--ds3 json" -- "$S" run --ds3 "$mini" --json
python3 - "$t/out" <<'PY' && pass || fail "JSON pe_names"
import json, sys
j = json.loads(open(sys.argv[1]).readline())
assert len(j["pe_names"]) == len(j["pe_utilization"]) > 0, j
assert all(isinstance(n, str) and n for n in j["pe_names"])
PY

# ---- a converted YAML's power: agrees with its energy
expect_code 0 "convert-ds3" -- "$S" convert-ds3 "$mini" -o "$t/ds3.yaml"
has "$t/ds3.yaml" "^power: true" "converted DS3 YAML says power: false"
expect_code 0 "run the converted YAML" -- "$S" run "$t/ds3.yaml" --json
python3 -c "import json,sys; j=json.loads(open(sys.argv[1]).readline()); sys.exit(j['energy_j'] is None)" "$t/out" \
    && pass || fail "converted DS3 YAML reports no energy"
sed 's/^power: true/power: false/' "$t/ds3.yaml" > "$t/ds3f.yaml"
expect_code 0 "DS3 YAML with power: false" -- "$S" run "$t/ds3f.yaml" --json
has "$t/err" "power: false is ignored in DS3 semantics" "power: false in DS3: no warning"

# ---- an exec_us type no task uses: "did you mean"
cat > "$t/typo.yaml" <<'Y'
platform:
  clusters:
    - {name: cpu, count: 2, exec_us: {fft: 20, decode: 10}}
    - {name: acc, count: 1, exec_us: {FFT: 8}}
applications:
  - {name: app, tasks: [{name: x, type: fft}, {name: y, type: decode}], edges: [[x, y]]}
injection: {arrival: periodic, period_us: 100}
stop: {jobs: 5}
Y
expect_code 0 "exec_us typo" -- "$S" run "$t/typo.yaml"
has "$t/err" "typo.yaml:4:.*exec_us lists task type 'FFT', which no task uses.*did you mean 'fft'" "exec_us typo: no warning"
sed 's/{FFT: 8}/{fft: 8, unrelated_type: 3}/' "$t/typo.yaml" > "$t/notypo.yaml"
expect_code 0 "exec_us with an unused, unrelated type" -- "$S" run "$t/notypo.yaml"
grep -q warning "$t/err" && fail "an unrelated unused type warns: $(cat "$t/err")" || pass

# ---- --set for YAML runs
expect_code 0 "--set on YAML" -- "$S" run examples/poisson_soc.yaml --set stop.jobs=7 --set injection.warmup_us=0 --json
has "$t/out" '"completed_jobs":7,' "--set stop.jobs=7 not applied"
expect_code 2 "--set unknown key" -- "$S" run examples/poisson_soc.yaml --set stop.jbos=7
has "$t/err" "did you mean 'jobs'" "--set typo: no suggestion"

# ---- several schedulers, one table
expect_code 0 "-s heft,etf,peft" -- "$S" run examples/poisson_soc.yaml -s heft,etf,peft --jobs 50
[ "$(grep -c '^scheduler ' "$t/out")" = 1 ] && pass || fail "-s a,b,c: want one table header: $(cat "$t/out")"
for s in heft etf peft; do has "$t/out" "^$s +50 " "-s heft,etf,peft: no row for $s"; done
expect_code 0 "-s heft,etf --json" -- "$S" run examples/poisson_soc.yaml -s heft,etf --jobs 50 --json
[ "$(wc -l < "$t/out")" = 2 ] && pass || fail "-s heft,etf --json: want 2 lines"
expect_code 2 "-s a,b --schedule" -- "$S" run examples/poisson_soc.yaml -s heft,etf --schedule "$t/x.csv"
expect_code 2 "-s heft,nosuch runs nothing" -- "$S" run examples/poisson_soc.yaml -s heft,nosuch
[ -s "$t/out" ] && fail "-s heft,nosuch printed results" || pass

# ---- workers are -j/--workers; --jobs means measured jobs in run
for c in sweep regress; do
    "$S" $c --help > "$t/h" 2>&1
    has "$t/h" "-j, --workers N" "$c --help: no -j/--workers"
done
"$S" run --help > "$t/h" 2>&1
has "$t/h" "--set KEY=VALUE" "run --help: no --set"
has "$t/h" "--power-trace" "run --help: no --power-trace"
has "$t/h" "--jobs N +measured jobs" "run --help: --jobs is not measured jobs"
has "$t/h" "--ds3 INI" "run --help: no --ds3"
"$S" sweep examples/sweep-injection.yaml --jobs 1 --list > /dev/null 2> "$t/err"
has "$t/err" "deprecated spelling of -j/--workers" "sweep --jobs: no deprecation note"

# ---- help, schedulers, did you mean, neural
"$S" help run > "$t/a" 2>&1; "$S" run --help > "$t/b" 2>&1
cmp -s "$t/a" "$t/b" && pass || fail "socsim help run differs from socsim run --help"
expect_code 2 "help nosuch" -- "$S" help nosuch
expect_code 0 "schedulers" -- "$S" schedulers
for v in "heft:best" "heft:worst" "met:static" "etf:static" "bnb:N" "neural:WEIGHTS"; do
    has "$t/out" "$v" "schedulers: no variant $v"
done
expect_code 2 "-s hefft" -- "$S" run examples/topcuoglu.yaml -s hefft
has "$t/err" "did you mean 'heft'" "-s hefft: no suggestion"
if [ -r examples/policies/default_plan.weights ]; then
    expect_code 0 "default table" -- "$S" default --jobs 20
    has "$t/out" "^neural\* " "default: neural not marked as the shipped policy"
    has "$t/out" "neural\* = neural:examples/policies/default_plan.weights" "default: no note on neural"
fi

# ---- text precision: no float noise, JSON keeps every digit
expect_code 0 "text output" -- "$S" run examples/poisson_soc.yaml -s etf --jobs 300
cp "$t/out" "$t/text"
expect_code 0 "json output" -- "$S" run examples/poisson_soc.yaml -s etf --jobs 300 --json
python3 - "$t/text" "$t/out" <<'PY' && pass || fail "text precision"
import json, re, sys
text = open(sys.argv[1]).read()
j = json.loads(open(sys.argv[2]).readline())
v = re.search(r"latency avg \(µs\) +(\S+)", text).group(1)
digits = len(re.sub(r"[^0-9]", "", v).lstrip("0"))
assert digits <= 7, v                                      # sensible precision
assert abs(float(v) - j["avg_latency_us"]) <= 1e-6 * j["avg_latency_us"], (v, j["avg_latency_us"])
assert len(repr(j["avg_latency_us"]).replace(".", "")) > 7  # JSON: full precision
PY

# ---- output files: folders created, a failed run leaves nothing
expect_code 0 "--schedule into missing folders" -- "$S" run examples/topcuoglu.yaml --schedule "$t/nested/b/c/s.csv"
[ "$(wc -l < "$t/nested/b/c/s.csv")" = 11 ] && pass || fail "--schedule a/b/c/s.csv not written"
printf 'outputs: {schedule: %s/o/p/s.csv}\n' "$t" | cat examples/topcuoglu.yaml - > "$t/outputs.yaml"
expect_code 0 "outputs: into missing folders" -- "$S" run "$t/outputs.yaml"
[ -s "$t/o/p/s.csv" ] && pass || fail "outputs.schedule in missing folders not written"
expect_code 2 "a run that fails" -- "$S" run examples/poisson_soc.yaml -s bnb --schedule "$t/f/s.csv" --power-trace "$t/f/p.csv" --set power=true
ls "$t/f" 2>/dev/null | grep -q . && fail "a failed run left files: $(ls "$t/f")" || pass
expect_code 2 "--schedule DIR" -- "$S" run examples/topcuoglu.yaml --schedule "$t"
has "$t/err" "is a folder" "--schedule DIR: message"
touch "$t/afile"
expect_code 2 "sweep --out FILE" -- "$S" sweep examples/sweep-injection.yaml --out "$t/afile"
has "$t/err" "is a file; --out names a folder" "sweep --out FILE: message"

# ---- write errors on standard output fail
if [ -w /dev/full ]; then
    for cmd in "run examples/topcuoglu.yaml --json" "run --ds3 $mini" "validate examples/topcuoglu.yaml" \
               "sweep examples/sweep-injection.yaml --list" "schedulers" "run examples/topcuoglu.yaml -s heft,etf"; do
        $S $cmd > /dev/full 2> "$t/err"; rc=$?
        [ $rc = 1 ] && grep -q "write error: No space left on device" "$t/err" && pass ||
            fail "'$cmd > /dev/full': exit $rc, $(cat "$t/err")"
    done
else
    echo "skip  /dev/full checks (no /dev/full)"
fi

echo "cli_ux: $ok passed, $bad failed"
[ $bad = 0 ]
