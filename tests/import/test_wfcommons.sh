#!/usr/bin/env bash
# Real WfCommons instances through `socsim import wfcommons` (docs/workloads.md):
# the `wfcommons` package from PyPI, in a virtual environment kept in the build
# directory, generates Montage, Epigenomics, Blast, Cycles and Seismology
# instances (50 to 500 tasks, fixed seeds); tests/import/wfcommons_check.py
# compares what socsim imports and schedules with the JSON, independently.
#
# Usage: tests/import/test_wfcommons.sh [BUILD_DIR]
# Env:   SOCSIM (built socsim; default BUILD_DIR/socsim), SOC_SOURCE_DIR.
# Exit:  0 passed, 1 failed, 77 skipped: only when python3 with venv is missing
#        or pip cannot install wfcommons (no network); scripts/bootstrap.sh
#        installs python3-venv and python3-pip on Debian.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SOC_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${1:-$src/build}
mkdir -p "$build" || exit 1
build=$(cd "$build" && pwd)
venv=$build/wfvenv
log=$build/wfvenv.log

skip() {
    echo "************************************************************************"
    echo "SKIPPED: import_wfcommons -- $*"
    echo "************************************************************************"
    exit 77
}

command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

# Install once; the stamp changes with the requirement line.
reqs="wfcommons>=1.0,<2"
stamp=$venv/.socsim_wf_stamp
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$reqs" ] ||
    ! "$venv/bin/python" -c 'import wfcommons, networkx, yaml' >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv" >"$log" 2>&1 ||
        skip "python3 -m venv failed (install python3-venv); see $log"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$reqs" >>"$log" 2>&1 ||
        skip "pip could not install $reqs (no network?); see $log"
    "$venv/bin/python" -c 'import wfcommons, networkx, yaml' >>"$log" 2>&1 || {
        echo "FAIL: wfcommons installed but does not import; see $log"
        tail -20 "$log"
        exit 1
    }
    echo "$reqs" >"$stamp"
fi

SOCSIM=${SOCSIM:-$build/socsim}
[ -x "$SOCSIM" ] || { echo "FAIL: socsim not found at $SOCSIM (build it first)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/socsim_wfcommons.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1
# the recipes warn about their own pandas/numpy use; keep the output readable
"$venv/bin/python" -W ignore "$here/wfcommons_check.py" "$SOCSIM" "$work"
