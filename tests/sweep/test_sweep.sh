#!/usr/bin/env bash
# Tests of `socsim sweep`, `socsim plot`, `socsim run --gantt/--trace` and
# `socsim regress`, driven from outside like a user would.
# Environment (set by ctest): SOCSIM = the socsim binary, SOC_SOURCE_DIR.
# Exit 0 = all passed, 1 = a failure, 77 = skipped (no socsim or python3).
set -u
S=${SOCSIM:-}
SRC=${SOC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE="$SRC/tests/sweep"
if [ -z "$S" ] || [ ! -x "$S" ]; then echo "SKIP: SOCSIM not set"; exit 77; fi
if ! command -v python3 >/dev/null; then echo "SKIP: python3 missing"; exit 77; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok=0
bad=0
pass() { echo "ok    $*"; ok=$((ok + 1)); }
fail() { echo "FAIL  $*"; bad=$((bad + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

cp "$HERE/base.yaml" "$T/base.yaml"
cd "$T" || exit 1

# ---------------------------------------------------------------- expansion
cat > prod.yaml <<'EOF'
base: base.yaml
set: {stop.jobs: 30}
axes:
  scheduler: [met, etf, heft]
  injection.mean_interarrival_us: {from: 40, to: 100, step: 30}
  seed: {from: 1, to: 2}
points:
  - {scheduler: eft, injection.mean_interarrival_us: 25}
  - {scheduler: heft, stop.jobs: 10, seed: 7}
EOF
"$S" sweep --list prod.yaml > list.txt 2> list.err
check "--list exits 0" test $? = 0
# 3 x 3 x 2 product + 2 explicit points, plus the header
check "product + points = 20 points" test "$(wc -l < list.txt)" = 21
check "first axis outermost, last fastest" grep -qx '0,met,40,1,' list.txt
check "second point varies the seed" grep -qx '1,met,40,2,' list.txt
check "range values 40 70 100" test "$(cut -d, -f3 list.txt | sed -n '2,19p' | sort -un | tr '\n' ' ')" = "40 70 100 "
check "explicit point keeps unset axes empty" grep -qx '18,eft,25,,' list.txt
check "explicit point adds a column" grep -qx '19,heft,,7,10' list.txt
check "header has the extra column" grep -qx 'point,scheduler,injection.mean_interarrival_us,seed,stop.jobs' list.txt

cat > ranges.yaml <<'EOF'
base: base.yaml
axes:
  injection.mean_interarrival_us: {from: 10, to: 1000, num: 3, scale: log}
  stop.jobs: {from: 0.5, to: 1.5, step: 0.5}
EOF
# stop.jobs = 0.5 is not an integer: must be refused before any run
"$S" sweep --list ranges.yaml > /dev/null 2> ranges.err
check "type mismatch (0.5 jobs) refused with exit 2" test $? = 2
check "type mismatch names the axis and value" grep -q "stop.jobs' = 0.5" ranges.err
sed -i 's/stop.jobs: {from: 0.5, to: 1.5, step: 0.5}/injection.warmup_us: {from: 0.1, to: 0.3, step: 0.1}/' ranges.yaml
"$S" sweep --list ranges.yaml > ranges.txt
check "log range 10 100 1000" test "$(cut -d, -f2 ranges.txt | sed 1d | sort -un | tr '\n' ' ')" = "10 100 1000 "
check "decimal steps print exactly (0.1 0.2 0.3)" test "$(cut -d, -f3 ranges.txt | sed 1d | sort -u | tr '\n' ' ')" = "0.1 0.2 0.3 "

# ---------------------------------------------------------------- bad input
badcase() { # name, expected message, axes text
    printf 'base: base.yaml\naxes:\n%s\n' "$3" > bad.yaml
    rm -rf badout
    "$S" sweep --out badout bad.yaml > /dev/null 2> bad.err
    local rc=$?
    if [ $rc = 2 ] && grep -q "$2" bad.err && [ ! -e badout/results.csv ]; then
        pass "bad input: $1"
    else
        fail "bad input: $1 (exit $rc: $(cat bad.err))"
    fi
}
badcase "unknown key" "unknown key 'mean_interarival_us'" "  injection.mean_interarival_us: [10, 20]"
badcase "empty axis" "axis 'seed' is empty" "  seed: []"
badcase "unknown scheduler" "axis scheduler" "  scheduler: [heft, no_such_scheduler]"
badcase "bad seed" "is not an integer in 0 .. 2^64-1" "  seed: [1, x]"
badcase "type mismatch" "stop.jobs" "  stop.jobs: [10, lots]"
badcase "bad range" "never gets from" "  seed: {from: 5, to: 1, step: 1}"
badcase "path through a value" "plain value" "  seed.x: [1]"
printf 'base: base.yaml\naxis:\n  seed: [1]\n' > bad.yaml
"$S" sweep --out badout bad.yaml > /dev/null 2> bad.err
check "unknown sweep key refused" test $? = 2

# ------------------------------------------------------ -j 1 == -j 2 == resume
cat > main.yaml <<'EOF'
base: base.yaml
set: {stop.jobs: 400}
axes:
  scheduler: [met, etf, heft, olb]
  injection.mean_interarrival_us: [30, 60, 120]
  seed: [1, 2, 3]
EOF
"$S" sweep --jobs 1 --quiet --out j1 main.yaml
check "sweep --jobs 1 exits 0" test $? = 0
"$S" sweep --jobs 2 --quiet --out j2 main.yaml
check "sweep --jobs 2 exits 0" test $? = 0
check "results.csv: one row per point" test "$(wc -l < j1/results.csv)" = 37
check "-j 1 and -j 2 give identical results.csv" cmp -s j1/results.csv j2/results.csv
check "-j 1 and -j 2 give identical summary.csv" cmp -s j1/summary.csv j2/summary.csv
"$S" sweep --jobs 2 --quiet --out j2 main.yaml 2> again.err
check "rerunning a finished sweep runs nothing" test $? = 0
check "rerun leaves results unchanged" cmp -s j1/results.csv j2/results.csv

# kill -9 while it runs (a bigger job count so it is still running), then
# tear the last row by hand as a crash mid-write would, and resume.
sed 's/stop.jobs: 400/stop.jobs: 4000/' main.yaml > big.yaml
"$S" sweep --jobs 1 --quiet --out fullbig big.yaml
"$S" sweep --jobs 2 --quiet --out killed big.yaml &
pid=$!
for _ in $(seq 1 400); do
    n=$(cat killed/results.csv 2>/dev/null | wc -l)
    [ "$n" -ge 4 ] && break
    sleep 0.01
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
rows=$(($(wc -l < killed/results.csv) - 1))
if [ "$rows" -lt 36 ]; then pass "killed mid-sweep with $rows of 36 rows"; else echo "note: sweep finished before the kill"; fi
printf '35,olb,120,3,40' >> killed/results.csv
"$S" sweep --jobs 2 --out killed big.yaml > resume.out 2> resume.err
check "resume exits 0" test $? = 0
check "resume drops the torn row" grep -q "dropped 1 incomplete" resume.err
check "resume runs only what is missing" grep -q "$rows already done" resume.err
check "killed + resumed == uninterrupted (results)" cmp -s fullbig/results.csv killed/results.csv
check "killed + resumed == uninterrupted (summary)" cmp -s fullbig/summary.csv killed/summary.csv
check "summary table printed" grep -q "avg latency us (95% CI)" resume.out

# a results.csv of another sweep is refused
"$S" sweep --quiet --out j1 prod.yaml 2> other.err
check "foreign results.csv refused (exit 2)" test $? = 2

# ---------------------------------------------------------------- shards
"$S" sweep --jobs 1 --quiet --shard 1/2 --out s1 main.yaml &&
    "$S" sweep --jobs 1 --quiet --shard 2/2 --out s2 main.yaml
check "shards run" test $? = 0
check "shard 1/2 holds half the points" test "$(wc -l < s1/results.csv)" = 19
"$S" sweep --quiet --merge --out merged main.yaml s1 s2
check "merge exits 0" test $? = 0
check "shard 1/2 + 2/2 merged == single run (results)" cmp -s j1/results.csv merged/results.csv
check "shard 1/2 + 2/2 merged == single run (summary)" cmp -s j1/summary.csv merged/summary.csv
"$S" sweep --quiet --merge --out half main.yaml s1 2> half.err
check "merging one shard of two reports missing points" test $? = 1

# ---------------------------------------------------------------- summaries
python3 - j1/results.csv j1/summary.csv <<'PY'
import csv, math, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
summ = {(r['scheduler'], r['injection.mean_interarrival_us']): r for r in csv.DictReader(open(sys.argv[2]))}
T975_2DF = 4.302652729911275  # Student t quantile 0.975, 2 degrees of freedom (tables)
bad = 0
for key, s in summ.items():
    for metric in ('avg_latency_us', 'throughput_jobs_per_s', 'makespan_us'):
        xs = [float(r[metric]) for r in rows
              if (r['scheduler'], r['injection.mean_interarrival_us']) == key]
        assert len(xs) == 3 and int(s['runs']) == 3
        mean = statistics.mean(xs)
        ci = T975_2DF * statistics.stdev(xs) / math.sqrt(3)
        if not (math.isclose(mean, float(s[metric + '_mean']), rel_tol=1e-12) and
                math.isclose(ci, float(s[metric + '_ci95']), rel_tol=1e-9, abs_tol=1e-9)):
            print('mismatch', key, metric, mean, ci, s[metric + '_mean'], s[metric + '_ci95'])
            bad += 1
sys.exit(1 if bad or len(summ) != 12 else 0)
PY
check "summary mean and 95% CI match a hand computation" test $? = 0
python3 - j1/results.csv j1/summary.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
apps = sorted({c.split('.')[1] for c in rows[0] if c.startswith('app.')})
ok = len(apps) >= 2
for r in rows:  # per-application columns add up to the totals
    ok &= sum(int(r['app.%s.completed' % a]) for a in apps) == int(r['completed_jobs'])
    ok &= sum(int(r['app.%s.deadline_misses' % a]) for a in apps) == int(r['deadline_misses'])
summ = next(csv.DictReader(open(sys.argv[2])))
ok &= all('app.%s.avg_latency_us_mean' % a in summ for a in apps)
sys.exit(0 if ok else 1)
PY
check "per-application columns add up, and are summarized" test $? = 0

# ---------------------------------------------------------------- plots
if command -v gnuplot >/dev/null; then
    "$S" plot j1 > plot.out
    check "plot exits 0" test $? = 0
    check "latency.png is a PNG" python3 -c "import sys; sys.exit(open('j1/latency.png','rb').read(8) != b'\x89PNG\r\n\x1a\n')"
    check "throughput.png is a PNG" test -s j1/throughput.png
    "$S" run --gantt gantt.png --schedule sched.csv base.yaml > /dev/null
    check "run --gantt writes a PNG" python3 -c "import sys; sys.exit(open('gantt.png','rb').read(4) != b'\x89PNG')"
    "$S" plot --gantt sched.csv --output gantt2.png > /dev/null
    check "plot --gantt from a schedule CSV" test -s gantt2.png
else
    echo "skip  plots (gnuplot not installed)"
fi

# ---------------------------------------------------------------- trace
"$S" run --trace trace.json --schedule sched2.csv base.yaml > /dev/null
check "run --trace exits 0" test $? = 0
python3 - trace.json sched2.csv <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))
x = [e for e in t['traceEvents'] if e['ph'] == 'X']
rows = list(csv.DictReader(open(sys.argv[2])))
names = {e['args']['name'] for e in t['traceEvents'] if e['ph'] == 'M' and e['name'] == 'thread_name'}
ok = len(x) == len(rows) and len(names) == 4
ok = ok and all(abs(e['ts'] + e['dur'] - float(r['finish_us'])) < 1e-6
                for e, r in zip(sorted(x, key=lambda e: (e['ts'], e['tid'])),
                                sorted(rows, key=lambda r: (float(r['start_us']), int(r['pe'])))))
sys.exit(0 if ok else 1)
PY
check "trace JSON parses and matches the schedule" test $? = 0

# ---------------------------------------------------------------- regress
# a copy to modify; its workloads refer to ../../workloads, so link that
mkdir -p x && cp -r "$SRC/tests/regress" x/reg && ln -s "$SRC/workloads" workloads
"$S" regress --dir x/reg > reg.md
check "regress passes on unchanged code" test $? = 0
check "regress prints a markdown table" grep -q '^| metric |' reg.md
python3 - x/reg/golden.csv <<'PY'
import sys
lines = open(sys.argv[1]).read().split('\n')
cells = lines[1].split(',')
cells[7] = repr(float(cells[7]) * 1.5)   # avg_latency_us of the first run
lines[1] = ','.join(cells)
open(sys.argv[1], 'w').write('\n'.join(lines))
PY
"$S" regress --dir x/reg > reg2.md
check "regress fails (exit 1) on a modified golden" test $? = 1
check "regress highlights the change" grep -q '(was ' reg2.md
"$S" regress --update --dir x/reg > /dev/null && "$S" regress --dir x/reg > /dev/null
check "regress --update accepts the change" test $? = 0

echo "$ok passed, $bad failed"
[ $bad = 0 ]
