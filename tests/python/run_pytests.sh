#!/usr/bin/env bash
# Python tests of the Gymnasium client (gym/python/tests) against the built
# socsim, in a virtual environment kept in the build directory.
#
# Usage: tests/python/run_pytests.sh [BUILD_DIR] [pytest args...]
# Env:   SOCSIM (built socsim; default BUILD_DIR/socsim),
#        SOC_SOURCE_DIR (source tree; default: two levels above this script).
# Exit:  pytest's status, or 77 (skipped) when python3 or its venv module is
#        missing or the packages cannot be installed (no network).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SOC_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${1:-$src/build}
[ $# -gt 0 ] && shift
mkdir -p "$build" || exit 1
build=$(cd "$build" && pwd)
venv=$build/pyvenv

skip() {
    echo "************************************************************************"
    echo "SKIPPED: python_gym -- $*"
    echo "************************************************************************"
    exit 77
}

command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv" >"$build/pyvenv.log" 2>&1 ||
        skip "python3 -m venv failed (install python3-venv); see $build/pyvenv.log"
fi

# Install once per venv; the package itself is editable, so later edits of
# gym/python need no reinstall.  The stamp changes with pyproject.toml.
reqs="gymnasium>=1.0 numpy>=1.21 pytest setuptools>=64 wheel"
stamp=$venv/.socsim_gym_stamp
want=$(printf '%s\n%s\n' "$reqs" "$(cat "$src/gym/python/pyproject.toml")" | cksum)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install -q --disable-pip-version-check $reqs \
        >>"$build/pyvenv.log" 2>&1 ||
        skip "pip could not install $reqs (no network?); see $build/pyvenv.log"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        --no-build-isolation -e "$src/gym/python" >>"$build/pyvenv.log" 2>&1 || {
        echo "FAIL: pip install -e gym/python failed:"; tail -20 "$build/pyvenv.log"; exit 1; }
    echo "$want" >"$stamp"
fi

export SOCSIM=${SOCSIM:-$build/socsim}
[ -x "$SOCSIM" ] || { echo "FAIL: socsim not found at $SOCSIM (build it first)"; exit 1; }
export SOC_SOURCE_DIR=$src
export PYTHONDONTWRITEBYTECODE=1
cd "$build" || exit 1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    "$src/gym/python/tests" "$@"
