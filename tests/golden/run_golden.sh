#!/usr/bin/env bash
# Golden tests of the examples: `socsim run EXAMPLE --json` (and the HEFT
# schedule of the Topcuoglu DAG) must equal the committed outputs in
# tests/golden/ byte for byte.  After an intended change of behaviour:
#   tests/golden/run_golden.sh --update     (then review the diff and commit)
# Env: SOCSIM (built binary), SOC_SOURCE_DIR.
set -u
S=${SOCSIM:-${SOC_SOURCE_DIR:-.}/build/socsim}
cd "${SOC_SOURCE_DIR:-$(dirname "$0")/../..}"
G=tests/golden
update=0; [ "${1:-}" = "--update" ] && update=1
ok=0; bad=0
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT

check() { # check NAME -- command...
    local name=$1; shift 2
    if ! "$@" > "$t/$name" 2> "$t/$name.err"; then
        echo "FAIL $name: exit code $? ($(head -c 300 "$t/$name.err"))"; bad=$((bad+1)); return
    fi
    if [ $update = 1 ]; then
        cp "$t/$name" "$G/$name"; echo "updated $G/$name"; ok=$((ok+1)); return
    fi
    if cmp -s "$t/$name" "$G/$name"; then
        ok=$((ok+1))
    else
        echo "FAIL $name differs from $G/$name:"; diff "$G/$name" "$t/$name" | head -20
        bad=$((bad+1))
    fi
}

for f in examples/*.yaml; do
    case "$f" in *sweep*) continue;; esac
    n=$(basename "$f" .yaml)
    check "$n.json" -- "$S" run "$f" --json
done
heft_schedule() { "$S" run examples/topcuoglu.yaml --scheduler heft --schedule "$t/s.csv" >/dev/null && cat "$t/s.csv"; }
check topcuoglu_heft_schedule.csv -- heft_schedule
echo "golden: $ok passed, $bad failed"
[ $bad = 0 ]
