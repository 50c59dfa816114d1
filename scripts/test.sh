#!/usr/bin/env bash
# Quick start, command 2: install missing Debian packages, build, and run the
# whole test suite (unit, CLI, install, DS3 parity, power, Python gym client,
# sweeps, scheduler regression) with ctest -- twice: an optimised build with
# -Werror, then a Debug build under AddressSanitizer + UndefinedBehaviorSanitizer;
# then, when clang is available (the set-up installs clang and
# libclang-rt-dev), the libFuzzer targets of tests/fuzz for a short fixed
# time each (tests/fuzz/README.md).  .ci/run calls this script.
#   SOC_TEST_MODES="normal"   only the first pass (faster)
#   SOC_TEST_MODES="asan"     only the sanitizer pass
#   SOC_TEST_MODES="fuzz"     only the fuzz targets
#   SOC_FUZZ_SECONDS=20       seconds per fuzz target (6 targets)
#   CTEST_ARGS="-R yaml"      extra ctest arguments
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
soc_install_packages
# the fuzz pass's compiler and libFuzzer: wanted, not required
SOC_PACKAGES="clang libclang-rt-dev" soc_install_packages ||
    echo "== clang/libFuzzer could not be installed: the fuzz pass will be skipped" >&2
jobs=$(nproc 2>/dev/null || echo 2)
base=${BUILD_DIR%/}
for mode in ${SOC_TEST_MODES:-normal asan fuzz}; do
    if [ "$mode" = fuzz ]; then
        if ! command -v clang >/dev/null 2>&1; then
            echo "== fuzz targets: clang not found, skipped"
            continue
        fi
        echo "== fuzz targets (clang + libFuzzer, ASan + UBSan: $base-fuzz)"
        CC=clang BUILD_DIR=$base-fuzz soc_build -DSOC_FUZZ=ON -DSOC_BUILD_TESTS=OFF \
            -DSOC_WERROR=OFF -DSOC_SANITIZE="address;undefined"
        "$SOC_ROOT/tests/fuzz/run_fuzz.sh" "$base-fuzz" "${SOC_FUZZ_SECONDS:-20}"
        continue
    fi
    case "$mode" in
    normal)
        BUILD_DIR=$base
        soc_build -DSOC_WERROR=ON -DSOC_SANITIZE=
        ;;
    asan)
        BUILD_DIR=$base-asan
        BUILD_TYPE=Debug soc_build -DSOC_SANITIZE="address;undefined" -DSOC_WERROR=ON
        ;;
    *)
        echo "unknown test mode '$mode' (normal, asan, fuzz)" >&2
        exit 2
        ;;
    esac
    echo "== test suite ($mode build: $BUILD_DIR)"
    (cd "$BUILD_DIR" &&
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-})
done
