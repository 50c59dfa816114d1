#!/usr/bin/env bash
# CLI tests on DS3's own reference files (../shared/ds3) and the shared
# acceptance check of the CLI contract.  Exit 77 (CTest: Skipped) when the
# reference files are absent -- never a silent pass.
# Env: SOCSIM (built binary), SOC_SOURCE_DIR, SOC_SHARED_DIR.
set -u
S=${SOCSIM:?SOCSIM not set}
cd "${SOC_SOURCE_DIR:?}"
D=${SOC_SHARED_DIR:-/nonexistent}
if [ ! -f "$D/ds3/config_file.ini" ] || [ ! -f "$D/checks/cli-contract" ]; then
    echo "the DS3 reference files ($D/ds3, $D/checks) are absent: skipped"
    exit 77
fi
ok=0; bad=0
pass() { ok=$((ok+1)); }
fail() { echo "FAIL: $*"; bad=$((bad+1)); }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
expect_code() { # expect_code CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$t/out" 2>"$t/err"
    local got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$what: exit $got, want $want ($(head -c 300 "$t/err"))"; fi
}

# a DS3 configuration that DS3 itself would tick through forever (the second
# job_list snippet is empty, so the snippet barrier never opens): socsim
# reports it instead of hanging, with the power model's sampling ticks on
mkdir -p "$t/stall"
cp -r "$D/ds3/config_Jobs" "$D/ds3/config_SoC" "$t/stall/"
sed 's/^job_list = .*/job_list = [[1,1,0,0,0,0],[0,0,0,0,0,0]]/' \
    "$D/ds3/config_file.ini" > "$t/stall/config_file.ini"
expect_code 1 "DS3 run that cannot finish" -- timeout 60 "$S" run --ds3 "$t/stall/config_file.ini" --json
grep -q "cannot make progress" "$t/err" || fail "DS3 stall: no message"

# DS3's repeat rules live once, in the library: with ondemand governors each
# (scale, iteration) run starts from the previous run's DVFS state, and a
# sweep over the same DS3 base gives the same runs as `run --ds3`, with 1 or
# 2 workers.
cp -r "$D/ds3" "$t/od"
sed -i 's/DVFS_mode performance/DVFS_mode ondemand/' "$t/od/config_SoC/SoC.MULTIPLE_BAL.txt"
expect_code 0 "run --ds3, 3 iterations" -- "$S" run --ds3 "$t/od/config_file.ini" \
    --set num_of_iterations=3 --set max_jobs=200 --json
cp "$t/out" "$t/run.jsonl"
[ "$(wc -l < "$t/run.jsonl")" = 3 ] || fail "run --ds3: $(wc -l < "$t/run.jsonl") runs, want 3"
cat > "$t/od/sweep.yaml" <<'YAML'
ds3: config_file.ini
set: {num_of_iterations: 3, max_jobs: 200}
axes: {scheduler: [etf]}
YAML
for j in 1 2; do
    expect_code 0 "sweep over the DS3 base, -j $j" -- "$S" sweep "$t/od/sweep.yaml" -j $j --quiet --out "$t/sw$j"
done
cmp -s "$t/sw1/results.csv" "$t/sw2/results.csv" && pass || fail "DS3 sweep: -j 1 and -j 2 differ"
python3 - "$t/run.jsonl" "$t/sw1/results.csv" <<'PY' && pass || fail "DS3 sweep rows differ from run --ds3"
import csv, json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == len(runs) == 3, (len(rows), len(runs))
for r, j in zip(rows, runs):
    assert int(r["scale"]) == j["scale"] and int(r["iteration"]) == j["iteration"]
    for k, v in j.items():
        if k in r and isinstance(v, (int, float)) and not isinstance(v, bool):
            assert r[k] != "" and float(r[k]) == v, (k, r[k], v)
PY
# the carry-over is real: iteration 1 on its own (fresh DVFS state) differs
expect_code 0 "run --ds3, iterations 0..1" -- "$S" run --ds3 "$t/od/config_file.ini" \
    --set num_of_iterations=2 --set max_jobs=200 --json
[ "$(sed -n 2p "$t/out")" = "$(sed -n 2p "$t/run.jsonl")" ] && pass || fail "the same chain prefix differs"
# nothing to run is an error, in both front ends
expect_code 2 "num_of_iterations=0" -- "$S" run --ds3 "$t/od/config_file.ini" --set num_of_iterations=0
grep -q "num_of_iterations" "$t/err" || fail "num_of_iterations=0: no message"
expect_code 2 "empty scale list" -- "$S" run --ds3 "$t/od/config_file.ini" --set scale_values=500-400-1
sed 's/num_of_iterations: 3/num_of_iterations: 0/' "$t/od/sweep.yaml" > "$t/od/sweep0.yaml"
expect_code 2 "sweep with num_of_iterations=0" -- "$S" sweep "$t/od/sweep0.yaml" --quiet --out "$t/sw0"

out=$(bash "$D/checks/cli-contract" "$S" 2>&1) && pass || fail "shared cli-contract: $(echo "$out" | grep FAIL)"
echo "cli_ds3: $ok passed, $bad failed"
[ $bad = 0 ]
