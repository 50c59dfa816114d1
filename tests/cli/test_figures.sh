#!/usr/bin/env bash
# Figures (issue 16): a scheduler-only sweep gives grouped bar charts with
# 95% CI error bars whose numbers match an independent computation from
# results.csv; numeric axes give curves with distinct point types and dash
# patterns and readable legends; PNG, SVG and PDF; energy per job; Gantt
# charts of 10^4 tasks in bounded time and size, windows, PE names; the
# Perfetto trace's names, dependency arrows and power counters.
# Skipped (77) without gnuplot, which draws every figure.
# Env: SOCSIM (built binary), SOC_SOURCE_DIR.
set -u
S=${SOCSIM:?SOCSIM not set}
cd "${SOC_SOURCE_DIR:?}"
if ! command -v gnuplot >/dev/null; then
    echo "gnuplot is not installed (scripts/bootstrap.sh installs gnuplot-nox): skipped"
    exit 77
fi
ok=0; bad=0
pass() { ok=$((ok+1)); }
fail() { echo "FAIL: $*"; bad=$((bad+1)); }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
src=$PWD
expect_code() { # expect_code CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$t/out" 2>"$t/err"
    local got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$what: exit $got, want $want ($(head -c 400 "$t/err"))"; fi
}
has() { if grep -Eq -- "$2" "$1"; then pass; else fail "$3 (no /$2/ in $(head -c 300 "$1"))"; fi; }

# ---- a scheduler-only sweep: bars with error bars
cat > "$t/sched.yaml" <<Y
base: $src/examples/poisson_soc.yaml
set: {stop.jobs: 60, injection.warmup_us: 0, power: true}
axes:
  scheduler: [met, etf, heft]
  seed: {from: 1, to: 3}
Y
expect_code 0 "scheduler-only sweep" -- "$S" sweep "$t/sched.yaml" --out "$t/s" --quiet -j 2
expect_code 0 "plot a scheduler-only sweep" -- "$S" plot "$t/s"
for f in latency throughput energy_per_job power; do
    python3 -c "import sys; sys.exit(open(sys.argv[1],'rb').read(4) != b'\x89PNG')" "$t/s/$f.png" \
        && pass || fail "scheduler-only sweep: no $f.png"
done
has "$t/s/plots.gp" "set style histogram errorbars" "bars without error bars"
has "$t/s/plots.gp" "xtic\(1\)" "bars without category labels"
# the bars' numbers against an independent computation from results.csv:
# mean and t(0.975, n-1) * s / sqrt(n), t from the standard table
python3 - "$t/s/results.csv" "$t/s/bars.dat" <<'PY' && pass || fail "bar heights or error bars differ from results.csv"
import csv, shlex, statistics, sys
T975 = {2: 12.706204736, 3: 4.302652730, 4: 3.182446305, 5: 2.776445105}
rows = list(csv.DictReader(open(sys.argv[1])))
blocks = open(sys.argv[2]).read().split("\n\n\n")
def block(name):
    for b in blocks:
        if f"# block" in b and name in b.split("\n")[[i for i, l in enumerate(b.split("\n")) if l.startswith("# block")][0]]:
            return [shlex.split(l) for l in b.split("\n") if l and not l.startswith("#")]
    raise SystemExit(f"no block {name}")
lat = block("job latency: mean, p95, p99")
epj = block("energy_per_job_j")
assert [r[0] for r in lat] == ["met", "etf", "heft"], lat
for r, e in zip(lat, epj):
    runs = [x for x in rows if x["scheduler"] == r[0]]
    n = len(runs)
    for col, (m, ci) in zip(["avg_latency_us", "p95_latency_us", "p99_latency_us"],
                            [(1, 2), (3, 4), (5, 6)]):
        v = [float(x[col]) for x in runs]
        mean, half = statistics.mean(v), T975[n] * statistics.stdev(v) / n ** 0.5
        assert abs(float(r[m]) - mean) <= 1e-9 * mean, (r[0], col, r[m], mean)
        assert abs(float(r[ci]) - half) <= 1e-6 * max(half, 1e-12), (r[0], col, r[ci], half)
    # energy per job: energy_j / completed_jobs per run, in mJ
    v = [1e3 * float(x["energy_j"]) / float(x["completed_jobs"]) for x in runs]
    assert abs(float(e[1]) - statistics.mean(v)) <= 1e-9 * statistics.mean(v), (e, v)
PY
# a non-numeric --x never makes an empty plot: bars, and SVG with the names
expect_code 0 "--x scheduler --format svg" -- "$S" plot "$t/s" --x scheduler --format svg
for s in met etf heft; do has "$t/s/latency.svg" ">$s<" "latency.svg lacks the category $s"; done
has "$t/s/latency.svg" "error bars = 95% CI" "latency.svg: no error-bar title"
expect_code 2 "--x with an unknown axis" -- "$S" plot "$t/s" --x nosuch
has "$t/err" "no axis 'nosuch'; the axes are: scheduler" "unknown --x: message"
expect_code 0 "--format pdf" -- "$S" plot "$t/s" --format pdf
head -c 4 "$t/s/latency.pdf" | grep -q '%PDF' && pass || fail "--format pdf: not a PDF"
expect_code 2 "--format gif" -- "$S" plot "$t/s" --format gif

# ---- curves: distinct point types and dashes, readable legends, integer ticks
cat > "$t/curve.yaml" <<Y
base: $src/examples/periodic.yaml
set: {stop.jobs: 20}
axes:
  scheduler: [etf, heft]
  platform.clusters.little.count: [1, 2, 3, 4]
  seed: {from: 1, to: 2}
Y
expect_code 0 "count sweep" -- "$S" sweep "$t/curve.yaml" --out "$t/c" --quiet -j 2
expect_code 0 "plot curves" -- "$S" plot "$t/c" --format svg
python3 - "$t/c/plots.gp" <<'PY' && pass || fail "curves: styles"
import re, sys
gp = open(sys.argv[1]).read()
plot = gp[gp.index("set output 'latency.svg'"):].split("set output")[1]
lines = re.findall(r"with linespoints .*? dt (\d+) pt (\d+) ps [0-9.]+ title '([^']*)'", plot)
assert len(lines) == 2, lines
assert lines[0][0] != lines[1][0] and lines[0][1] != lines[1][1], lines   # dash and point differ
assert {l[2] for l in lines} == {"etf", "heft"}, lines                   # values, not paths
assert "fs transparent solid" in plot                                    # translucent bands
assert "set format x '%.0f'" in gp and "set xtics 1" in gp, "integer axis without integer ticks"
assert "set xlabel 'little.count'" in gp, "the x label is a dotted path"
assert "(µs)" in gp and " us)" not in gp
PY
for s in etf heft; do has "$t/c/latency.svg" ">$s<" "latency.svg: no legend entry $s"; done
# --bars draws the numeric axis as categories
expect_code 0 "--bars" -- "$S" plot "$t/c" --bars
has "$t/c/plots.gp" "histogram errorbars" "--bars: no bars"
# a long legend goes below the plot
cat > "$t/long.yaml" <<Y
base: $src/examples/poisson_soc.yaml
set: {stop.jobs: 30, injection.warmup_us: 0}
axes:
  scheduler: [etf, heft]
  injection.mean_interarrival_us: [200, 100]
  applications.wifi_tx.deadline_us: [400, 800]
Y
expect_code 0 "three-axis sweep" -- "$S" sweep "$t/long.yaml" --out "$t/l" --quiet -j 2
expect_code 0 "plot three axes" -- "$S" plot "$t/l"
has "$t/l/plots.gp" "set key outside below" "a long legend is not below the plot"
has "$t/l/plots.gp" "title 'etf, wifi_tx.deadline_us=400'" "legend: not axis values"
has "$t/l/plots.gp" "injection rate \(jobs/ms\)" "inter-arrival axis not shown as a rate"
[ -f "$t/l/deadline_miss_rate.png" ] && pass || fail "no deadline-miss figure for a sweep with deadlines"

# ---- Gantt charts
expect_code 0 "a run of 10^4 tasks" -- "$S" run examples/poisson_soc.yaml --jobs 600 --schedule "$t/g/s.csv"
rows=$(($(wc -l < "$t/g/s.csv") - 1))
[ "$rows" -ge 10000 ] && pass || fail "want >= 10^4 tasks, got $rows"
start=$(date +%s%N)
expect_code 0 "Gantt of 10^4 tasks" -- timeout 60 "$S" plot --gantt "$t/g/s.csv" -o "$t/g/g.png"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "info: Gantt of $rows tasks: ${ms} ms, $(wc -c < "$t/g/g.png") bytes PNG"
has "$t/err" "the Gantt chart shows .* \(20[0-9][0-9] tasks\)" "large Gantt: the window is not said"
[ "$(wc -c < "$t/g/g.png")" -lt 2000000 ] && pass || fail "Gantt PNG over 2 MB"
has "$t/g/g.png.gp" "window 0\.\..* µs of " "large Gantt: the title does not say the window"
has "$t/g/g.png.gp" "set style fill solid 1.0 noborder" "dense Gantt with outlines"
has "$t/g/g.png.gp" "'A15_4' 4" "Gantt: PE names not from the CSV's pe_name"
expect_code 0 "Gantt window" -- "$S" plot --gantt "$t/g/s.csv" -o "$t/g/w.svg" --from 5000 --to 5400 --color-by type
has "$t/g/w.svg.gp" "set xrange \[5000:" "--from/--to: not the window"
has "$t/g/w.svg.gp" "title 'task type'" "--color-by type: legend"
has "$t/g/w.svg" "<svg" "--from/--to: no SVG"
expect_code 0 "whole-run Gantt" -- timeout 120 "$S" plot --gantt "$t/g/s.csv" -o "$t/g/all.png" --from 0 --to 1e12
has "$t/g/all.png.gp" "$rows of $rows tasks|$rows tasks on" "whole-run Gantt: not every task"
expect_code 0 "small Gantt with task names" -- "$S" run examples/topcuoglu.yaml --gantt "$t/g/top.png"
has "$t/g/top.png.gp" "with labels" "small Gantt without task names"
has "$t/g/top.png.gp" '"n10"' "small Gantt: task name n10 missing"
has "$t/g/top.png.gp" "border lc" "a sparse Gantt without outlines"

# ---- the trace: names, dependency arrows, power counters
expect_code 0 "trace of the Topcuoglu DAG" -- "$S" run examples/topcuoglu.yaml --trace "$t/tr/top.json"
python3 - "$t/tr/top.json" <<'PY' && pass || fail "Topcuoglu trace"
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
x = [e for e in ev if e["ph"] == "X"]
assert sorted(e["name"] for e in x) == sorted(f"n{i}" for i in range(1, 11))
assert all(e["cat"] == "topcuoglu" and e["args"]["app"] == "topcuoglu" for e in x)
# Topcuoglu et al. 2002, Fig. 2: 15 edges, each one arrow from predecessor to successor
s = {e["id"]: e for e in ev if e["ph"] == "s"}
f = {e["id"]: e for e in ev if e["ph"] == "f"}
assert len(s) == len(f) == 15, (len(s), len(f))
names = {e["name"] for e in s.values()}
assert "n1 -> n2" in names and "n9 -> n10" in names, names
for i in s:
    assert s[i]["ts"] <= f[i]["ts"] and f[i]["bp"] == "e"
PY
expect_code 0 "trace with the power model" -- "$S" run examples/poisson_soc.yaml --set power=true --jobs 30 --trace "$t/tr/p.json"
python3 - "$t/tr/p.json" <<'PY' && pass || fail "trace counters"
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
c = [e for e in ev if e["ph"] == "C"]
names = {e["name"] for e in c}
assert {"frequency (MHz)", "power (W)", "peak temperature (C)"} <= names, names
procs = {e["pid"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
assert {e["pid"] for e in c} <= procs
assert any(e["ph"] == "s" and e["cat"] == "transfer" for e in ev)
PY
expect_code 0 "trace without the power model" -- "$S" run examples/poisson_soc.yaml --jobs 30 --trace "$t/tr/n.json"
python3 -c "import json,sys; sys.exit(any(e['ph']=='C' for e in json.load(open(sys.argv[1]))['traceEvents']))" "$t/tr/n.json" \
    && pass || fail "counters without a power model"

echo "figures: $ok passed, $bad failed"
[ $bad = 0 ]
