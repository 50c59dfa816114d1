#!/usr/bin/env bash
# Quick start, command 2: install missing Debian packages, build, and run the
# whole test suite (unit, CLI, install, DS3 parity, power, Python gym client,
# sweeps, scheduler regression) with ctest -- twice: an optimised build with
# -Werror, then a Debug build under AddressSanitizer + UndefinedBehaviorSanitizer.
# .ci/run calls this script.
#   SOC_TEST_MODES="normal"   only the first pass (faster)
#   SOC_TEST_MODES="asan"     only the sanitizer pass
#   CTEST_ARGS="-R yaml"      extra ctest arguments
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
soc_install_packages
jobs=$(nproc 2>/dev/null || echo 2)
base=${BUILD_DIR%/}
for mode in ${SOC_TEST_MODES:-normal asan}; do
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
        echo "unknown test mode '$mode' (normal, asan)" >&2
        exit 2
        ;;
    esac
    echo "== test suite ($mode build: $BUILD_DIR)"
    (cd "$BUILD_DIR" &&
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-})
done
