#!/usr/bin/env bash
# Run every libFuzzer target of tests/fuzz for a fixed time each, starting
# from seed corpora made of the repository's own files (docs: README.md
# here).  Usage: run_fuzz.sh FUZZ_BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]
# Exit status: 0 when no target found a crash, leak, sanitizer report or
# hang; 1 otherwise (the reproducer is left in $SOC_FUZZ_ARTIFACTS, default
# FUZZ_BUILD_DIR/fuzz-artifacts).
set -euo pipefail
build=${1:?usage: run_fuzz.sh FUZZ_BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-15}
shift $(( $# >= 2 ? 2 : 1 ))
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(yaml engine ds3 weights frame sweep)
art=${SOC_FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
mkdir -p "$art"
work=$(mktemp -d "${TMPDIR:-/tmp}/socsim-fuzzrun-XXXXXX")
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work"

# seed corpora: the repository's own configurations, DS3 files, policies
seeds() {
    local t=$1 d=$work/seed-$1
    mkdir -p "$d"
    case $t in
    yaml|engine)
        cp "$root"/examples/*.yaml "$root"/workloads/default.yaml "$root"/tests/regress/*.yaml \
           "$root"/tests/data/yaml/good/*.yaml "$root"/tests/sweep/base.yaml "$d"/ 2>/dev/null || true
        [ "$t" = yaml ] && for f in "$root"/tests/data/yaml/bad/*.yaml; do
            cp "$f" "$d/bad-$(basename "$f")"; done
        ;;
    ds3)
        local m=$root/tests/ds3/mini
        { sed 's/^resource_file *=.*/resource_file = SoC.fuzz.txt/; s/^job_file *=.*/job_file = job_fuzz.txt/' \
              "$m/config_file.ini"; printf '\n%%%%%%%%\n'
          cat "$m"/config_SoC/*.txt; printf '\n%%%%%%%%\n'; cat "$m"/config_Jobs/*.txt; } > "$d/mini"
        ;;
    weights)
        cp "$root"/examples/policies/top_small.weights "$d"/
        head -c 4096 "$root"/examples/policies/multiple_bal.weights > "$d/cut.weights"
        ;;
    frame)
        cp "$root"/tests/fuzz/corpus/frame/* "$d"/
        ;;
    sweep)
        # the repository's sweep files, their base renamed to the target's own
        for f in "$root"/examples/*sweep*.yaml; do
            [ -f "$f" ] && sed 's/^\(base\|ds3\):.*/base: base.yaml/' "$f" > "$d/$(basename "$f")"
        done
        # inputs fuzzing once found slow (kept as regression seeds)
        cp "$root"/tests/fuzz/corpus/sweep/* "$d"/
        ;;
    esac
    echo "$d"
}

fail=0
for t in "${targets[@]}"; do
    bin=$build/fuzz/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "fuzz_$t: not built in $build" >&2
        fail=1
        continue
    fi
    sd=$(seeds "$t")
    mkdir -p "$work/new-$t"
    echo "== fuzz_$t: ${secs}s from $(ls "$sd" | wc -l) seeds"
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
         UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
         "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
                -artifact_prefix="$art/fuzz_$t-" -print_final_stats=1 \
                "$work/new-$t" "$sd" > "$work/log-$t" 2>&1; then
        fail=1
        tail -40 "$work/log-$t" >&2
        echo "fuzz_$t: FAILED (reproducer in $art)" >&2
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/log-$t" | tr '\n' ' '
        echo
    fi
done
exit $fail
