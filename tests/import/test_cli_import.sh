#!/usr/bin/env bash
# `socsim import`, `socsim gen dag` and `socsim export dot` from the command
# line (docs/workloads.md): help, exit codes and positions of bad input with
# nothing written, determinism, the closed-form counts of every generator,
# DOT round trips, and the shipped example (examples/wfcommons).
# Env: SOCSIM (built binary), SOC_SOURCE_DIR.
set -u
S=${SOCSIM:?SOCSIM not set}
cd "${SOC_SOURCE_DIR:?}"
ok=0; bad=0
pass() { ok=$((ok+1)); }
fail() { echo "FAIL: $*"; bad=$((bad+1)); }
umask 022
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
out=$t/stdout; err=$t/stderr
run() { # run CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$out" 2>"$err"
    local got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$what: exit $got, want $want ($(head -c 300 "$err"))"; fi
}
# the directory holds exactly the given files (nothing half-written, no temporaries)
only() {
    local dir=$1; shift
    local want have
    want=""
    [ $# -gt 0 ] && want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    have=$(cd "$dir" && ls -A | sort | tr '\n' ' ')
    [ "$want" = "$have" ] && pass || fail "files in $dir: '$have', want '$want'"
}

for c in "import" "gen dag" "export dot"; do
    # shellcheck disable=SC2086
    run 0 "$c --help" -- "$S" $c --help
    grep -q "usage" "$out" || fail "$c --help prints no usage"
done
"$S" --help | grep -q "import" || fail "socsim --help does not list import"

# ---- STG: a hand-written graph (critical path 7, total work 14)
cat >"$t/g.stg" <<'E'
4
0 0 0
1 3 1 0
2 5 1 0
3 2 2 1 2
4 4 1 1
5 0 2 3 4
# comment lines may follow
E
mkdir "$t/o"
run 0 "import stg" -- "$S" import stg "$t/g.stg" -o "$t/o/g.yaml" -c "$t/o/run.yaml" --cluster pe:1 --json
grep -q '"tasks":6,"edges":7' "$out" || fail "import stg summary: $(cat "$out")"
grep -q '"critical_path_us":7}' "$out" || fail "import stg critical path: $(cat "$out")"
only "$t/o" g.yaml g.platform.yaml run.yaml
[ "$(stat -c %a "$t/o/g.yaml")" = 644 ] && pass || fail "outputs are not mode 644 under umask 022"
run 0 "validate imported" -- "$S" validate "$t/o/run.yaml"
run 0 "run imported" -- "$S" run "$t/o/run.yaml" --json
grep -q '"makespan_us":14,' "$out" || fail "HEFT on one PE: $(head -c 300 "$out")"
# the application file is usable from any configuration next to a platform
cp "$t/o/g.yaml" "$t/o/g2.yaml"
run 0 "reimport identical" -- "$S" import stg "$t/g.stg" -o "$t/o/g.yaml" -c "$t/o/run.yaml" --cluster pe:1 -q
cmp -s "$t/o/g.yaml" "$t/o/g2.yaml" && pass || fail "two imports differ"
rm "$t/o/g2.yaml"

# ---- bad input: exit 2, file:line:col, nothing written
mkdir "$t/bad"
bad_case() { # bad_case FORMAT TEXT POSITION MESSAGE
    printf '%b' "$2" >"$t/in.$1"
    run 2 "bad $1 ($4)" -- "$S" import "$1" "$t/in.$1" -o "$t/bad/a.yaml" -c "$t/bad/c.yaml"
    grep -q "in.$1:$3: .*$4" "$err" || fail "bad $1: want '$3: ...$4', got '$(cat "$err")'"
    only "$t/bad"
}
bad_case stg '2\n0 0 0\n1 4 1 0\n' 4:1 "ends after 2 of the 4 task records"
bad_case stg '1\n0 0 0\n1 4 1 9\n2 0 1 1\n' 3:7 "unknown predecessor 9"
bad_case stg '1\n0 0 0\n1 -4 1 0\n2 0 1 1\n' 3:3 "must not be negative"
bad_case stg '2\n0 0 0\n1 1 2 0 2\n2 1 1 1\n3 0 1 2\n' 3:9 "cycle: t1 -> t2 -> t1"
bad_case dot 'digraph {\n a [cost=1]\n a -> b\n' 4:1 "not closed"
bad_case dot 'digraph {\n a [cost=1]; b [cost=2]\n b -> a\n a -> b }' 3:4 "cycle: a -> b -> a"
bad_case dot 'graph { a -- b }' 1:1 "undirected"
bad_case json '{"name": "x", "workflow": {"specification": {"tasks": [\n {"name": "a", "id": "a", "parents": ["zz"], "children": []}]}}}' 2:39 "unknown parent 'zz'"
bad_case json '{"name": "x", "workflow": {"specification": {"tasks": [\n {"name": "a", "id": "a", "parents": [], "children": []}]},\n "execution": {"tasks": [{"id": "a", "runtimeInSeconds": -1}]}}}' 3:58 "must not be negative"
bad_case json '{"name": "x", "workflow": {"specification": {"tasks": [\n {"name": "a", "id": "a", "parents": [], "children": []}]}}}' 2:2 "has no runtime"
bad_case json '{"name": "x", "workflow": {"specification": {"tasks": [\n {"name": "a", "id": "a", "parents": [' 2:39 "malformed"
run 2 "unknown format" -- "$S" import xml "$t/g.stg" -o "$t/bad/a.yaml"
run 2 "missing -o" -- "$S" import stg "$t/g.stg"
run 2 "missing file" -- "$S" import stg "$t/nope.stg" -o "$t/bad/a.yaml"
grep -q "nope.stg" "$err" || fail "missing file: not named"
run 2 "bad cluster spec" -- "$S" import stg "$t/g.stg" -o "$t/bad/a.yaml" --cluster "x:0"
run 2 "same output twice" -- "$S" import stg "$t/g.stg" -o "$t/bad/a.yaml" -p "$t/bad/a.yaml"
printf 'clusters:\n  - name: a\n    speed: 2\n' >"$t/map.yaml"
run 2 "bad map" -- "$S" import stg "$t/g.stg" -o "$t/bad/a.yaml" --map "$t/map.yaml"
grep -q "map.yaml:3:5: unknown key 'speed'" "$err" || fail "bad map: $(cat "$err")"
only "$t/bad"
# an output that cannot be written leaves nothing behind either
run 2 "unwritable" -- "$S" import stg "$t/g.stg" -o "$t/bad/a.yaml" -p "$t/nodir/p.yaml"
only "$t/bad"

# ---- generators: closed-form counts, determinism, runnable
for k in random layered fork-join series-parallel gauss fft cholesky lu; do
    mkdir "$t/$k"
    run 0 "gen $k" -- "$S" gen dag "$k" --seed 5 -o "$t/$k/a.yaml" -c "$t/$k/run.yaml" --json
    counts=$("$S" gen dag "$k" --counts)
    n=$(sed -n 's/.*"tasks":\([0-9]*\),"edges":\([0-9]*\).*/\1/p' "$out")
    e=$(sed -n 's/.*"tasks":\([0-9]*\),"edges":\([0-9]*\).*/\2/p' "$out")
    case "$counts" in
    *"edges random"*) [ "$counts" = "$k: $n tasks, edges random" ] && pass || fail "gen $k: $counts vs $n";;
    *) [ "$counts" = "$k: $n tasks, $e edges" ] && pass || fail "gen $k: '$counts' vs $n tasks $e edges";;
    esac
    mkdir "$t/$k/b" "$t/$k/c"
    run 0 "gen $k again" -- "$S" gen dag "$k" --seed 5 -o "$t/$k/b/a.yaml" -q
    cmp -s "$t/$k/a.yaml" "$t/$k/b/a.yaml" && cmp -s "$t/$k/a.platform.yaml" "$t/$k/b/a.platform.yaml" &&
        pass || fail "gen $k: the same seed gave different files"
    run 0 "gen $k other seed" -- "$S" gen dag "$k" --seed 6 -o "$t/$k/c/a.yaml" -q
    cmp -s "$t/$k/a.platform.yaml" "$t/$k/c/a.platform.yaml" && fail "gen $k: seeds 5 and 6 agree" || pass
    run 0 "run gen $k" -- "$S" run "$t/$k/run.yaml" --json
done
# the closed forms of docs/workloads.md for a few sizes
want() { # want COUNTS-LINE -- gen args
    local line=$1; shift 2
    local got
    got=$("$S" gen dag "$@" --counts)
    [ "$got" = "$line" ] && pass || fail "gen dag $*: '$got', want '$line'"
}
want "gauss: 14 tasks, 19 edges" -- gauss --size 5              # (m^2+m-2)/2, m^2-m-1
want "fft: 15 tasks, 22 edges" -- fft --size 4                  # 2n-1+n log n, 2n-2+2n log n
want "cholesky: 20 tasks, 30 edges" -- cholesky --size 4        # T(T+1)(T+2)/6, (T-1)(2T-1)+(T-1)^2(T-2)/2
want "lu: 30 tasks, 54 edges" -- lu --size 4                    # T(T+1)(2T+1)/6, see docs/workloads.md
want "layered: 9 tasks, 12 edges" -- layered --levels 3 --width 3 --degree 2   # LW, (L-1)WK
want "fork-join: 11 tasks, 16 edges" -- fork-join --levels 2 --width 4        # 1+S(W+1), 2SW
run 2 "gen: bad kind" -- "$S" gen dag nope -o "$t/x.yaml"
run 2 "gen: fft size" -- "$S" gen dag fft --size 12 -o "$t/x.yaml"
grep -q "power of 2" "$err" || fail "gen fft size: $(cat "$err")"
run 2 "gen: bad beta" -- "$S" gen dag random --beta 3 -o "$t/x.yaml"
[ -e "$t/x.yaml" ] && fail "gen error wrote a file" || pass

# ---- export dot: critical path, round trip to a fixed point
run 0 "export dot" -- "$S" export dot examples/topcuoglu.yaml --critical-path -s heft -o "$t/top.dot"
grep -q 'critical path 108 us under heft estimates (4 tasks)' "$t/top.dot" || fail "export: Topcuoglu's CP 108"
[ "$(grep -c 'color=red' "$t/top.dot")" = 7 ] || fail "export: 4 tasks + 3 edges in red"
run 0 "import exported" -- "$S" import dot "$t/top.dot" -o "$t/top.yaml" -c "$t/top_run.yaml" -q
run 0 "export again" -- "$S" export dot "$t/top_run.yaml" -o "$t/top2.dot"
run 0 "import again" -- "$S" import dot "$t/top2.dot" -o "$t/top2.yaml" -c "$t/top2_run.yaml" -q
run 0 "export thrice" -- "$S" export dot "$t/top2_run.yaml" -o "$t/top3.dot"
cmp -s "$t/top2.dot" "$t/top3.dot" && pass || fail "export/import is not a fixed point"
run 0 "export app file" -- "$S" export dot "$t/top.yaml" -p "$t/top.platform.yaml" --critical-path --estimate best
run 0 "export app, no platform" -- "$S" export dot "$t/top.yaml"
grep -q "cost=" "$out" && fail "export without platform shows costs" || pass
run 2 "export: CP without platform" -- "$S" export dot "$t/top.yaml" --critical-path
run 2 "export: unknown scheduler" -- "$S" export dot examples/topcuoglu.yaml --critical-path -s nosuch
run 2 "export: several apps" -- "$S" export dot examples/poisson_soc.yaml
run 0 "export: --app" -- "$S" export dot examples/poisson_soc.yaml --app wifi_tx
run 2 "export: missing file" -- "$S" export dot "$t/none.yaml"
if command -v dot >/dev/null 2>&1; then
    dot -Tsvg "$t/top.dot" >/dev/null 2>&1 && pass || fail "graphviz rejects the exported DOT"
fi

# ---- the shipped example: importing again gives the shipped files
mkdir "$t/ex"
cp examples/wfcommons/montage.json examples/wfcommons/soc_map.yaml "$t/ex/"
(cd "$t/ex" && "$S" import wfcommons montage.json --map soc_map.yaml -o montage.yaml -c montage_run.yaml -q) ||
    fail "example import"
for f in montage.yaml montage.platform.yaml montage_run.yaml; do   # comments name the version
    cmp -s <(grep -v '^#' "$t/ex/$f") <(grep -v '^#' "examples/wfcommons/$f") && pass ||
        fail "examples/wfcommons/$f is not what the import writes"
done
run 0 "example runs" -- "$S" run examples/wfcommons/montage_run.yaml --json
run 0 "example sweep lists" -- "$S" sweep --list examples/wfcommons/sweep-schedulers.yaml
[ "$(grep -c . "$out")" -ge 36 ] && pass || fail "example sweep: 36 points expected"

echo "test_cli_import: $ok passed, $bad failed"
[ "$bad" = 0 ]
