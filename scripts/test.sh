#!/usr/bin/env bash
# Quick start, command 2: install missing Debian packages, build, and run the
# whole test suite (unit, CLI, DS3 parity, Python gym client, scheduler
# regression) with ctest.  .ci/run calls this script.
#   SOC_SANITIZE=1 scripts/test.sh   -- the same suite under ASan + UBSan
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
soc_install_packages
if [ "${SOC_SANITIZE:-0}" = 1 ]; then
    BUILD_DIR=${BUILD_DIR%/}-asan
    BUILD_TYPE=Debug soc_build -DSOC_SANITIZE="address;undefined" -DSOC_WERROR=ON
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
else
    soc_build -DSOC_WERROR=ON
fi
jobs=$(nproc 2>/dev/null || echo 2)
cd "$BUILD_DIR"
ctest --output-on-failure -j "$jobs" ${CTEST_ARGS:-}
