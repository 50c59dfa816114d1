#!/usr/bin/env bash
# Python tests of the Gymnasium package (gym/python/tests) against the built
# socsim, in a virtual environment kept in the build directory.  The package
# is installed (not editable) with its in-process extension, compiled against
# BUILD_DIR/libsocsim.a (with the build's sanitizers, if any: the tests then
# run with the ASan runtime preloaded).
#
# Usage: tests/python/run_pytests.sh [BUILD_DIR] [pytest args...]
# Env:   SOCSIM (built socsim; default BUILD_DIR/socsim),
#        SOC_SOURCE_DIR (source tree; default: two levels above this script),
#        SOC_PY_SB3=0 (skip installing torch CPU + stable-baselines3 +
#        sb3-contrib for the SB3 adapter tests; they are never installed in a
#        sanitizer build, where those tests skip),
#        SOC_PY_RAY=0 (skip installing Ray for test_ray.py; never installed
#        in a sanitizer build either),
#        SOC_PY_RLLIB=0 (skip the RLlib venv and test_rllib.py; normal build
#        only, like Ray).
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

# Dependencies once per venv (the stamp changes with pyproject.toml); the
# package itself is rebuilt and reinstalled on every run, below.
reqs="gymnasium>=1.0 numpy>=1.21 pytest setuptools>=64 wheel"
stamp=$venv/.socsim_gym_stamp
want=$(printf '%s\n%s\n' "$reqs" "$(cat "$src/gym/python/pyproject.toml")" | cksum)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install -q --disable-pip-version-check $reqs \
        >>"$build/pyvenv.log" 2>&1 ||
        skip "pip could not install $reqs (no network?); see $build/pyvenv.log"
    echo "$want" >"$stamp"
fi

# Sanitizer build?  Then the extension is built and run with the same runtime.
san=$(sed -n 's/^SOC_SANITIZE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null)
if [ -n "$san" ]; then
    san=${san//;/,}
    export SOCSIM_EXT_CFLAGS="-fsanitize=$san -fno-omit-frame-pointer"
    export SOCSIM_EXT_LDFLAGS="-fsanitize=$san"
fi

# torch (CPU) + stable-baselines3 + sb3-contrib for the SB3 adapter tests:
# PyPI's torch wheel for Linux depends on the CUDA runtime wheels (about
# 3 GB together; 30-60 s from a fast mirror), so only the normal build's venv
# gets them, once.  Failure to install only skips those tests.
sb3_reqs="torch stable-baselines3>=2.0 sb3-contrib>=2.0"
sb3_stamp=$venv/.socsim_sb3_stamp
if [ -z "$san" ] && [ "${SOC_PY_SB3:-1}" != 0 ] && [ ! -f "$sb3_stamp" ]; then
    # shellcheck disable=SC2086
    if "$venv/bin/python" -m pip install -q --disable-pip-version-check $sb3_reqs \
        >>"$build/pyvenv.log" 2>&1; then
        touch "$sb3_stamp"
    else
        echo "NOTE: could not install $sb3_reqs; the SB3 tests will be skipped (see $build/pyvenv.log)"
    fi
fi

# Ray for test_ray.py (ray_sweep and the remote env runners on a local Ray
# instance): one wheel of about 70 MB plus small pure-Python dependencies,
# about 260 MB installed, 30-40 s from PyPI; once per venv.  Normal build
# only: under ASan the test would preload the sanitizer runtime into Ray's own
# C++ daemons (test_sweep_api.py covers the sweep binding there, without
# Ray).  Failure to install only skips those tests; SOC_PY_RAY=0 skips the
# install.
ray_stamp=$venv/.socsim_ray_stamp
if [ -z "$san" ] && [ "${SOC_PY_RAY:-1}" != 0 ] && [ ! -f "$ray_stamp" ]; then
    if "$venv/bin/python" -m pip install -q --disable-pip-version-check ray \
        >>"$build/pyvenv.log" 2>&1; then
        touch "$ray_stamp"
    else
        echo "NOTE: could not install ray; the Ray tests will be skipped (see $build/pyvenv.log)"
    fi
fi

# The package with its extension, built from a private copy of the sources
# (each build directory compiles its own extension, with its own flags).
if [ -x "$build/libsocsim.a" ] || [ -f "$build/libsocsim.a" ]; then
    rm -rf "$build/pysrc"
    mkdir -p "$build/pysrc"
    cp -r "$src/gym/python/." "$build/pysrc/"
    rm -rf "$build/pysrc/build" "$build/pysrc/"*.egg-info "$build/pysrc/socsim_gym/"*.so
    SOCSIM_SOURCE_DIR=$src SOCSIM_BUILD_DIR=$build SOCSIM_REQUIRE_EXT=1 \
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        --no-build-isolation --force-reinstall "$build/pysrc" >>"$build/pyvenv.log" 2>&1 || {
        echo "FAIL: building socsim_gym with its extension failed:"; tail -30 "$build/pyvenv.log"; exit 1; }
else
    echo "FAIL: $build/libsocsim.a not found (build socsim first)"; exit 1
fi
if [ -n "$san" ]; then
    rt=$(${CC:-cc} -print-file-name=libasan.so)
    [ -f "$rt" ] && export LD_PRELOAD=$rt
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
fi

export SOCSIM=${SOCSIM:-$build/socsim}
[ -x "$SOCSIM" ] || { echo "FAIL: socsim not found at $SOCSIM (build it first)"; exit 1; }
export SOC_SOURCE_DIR=$src
export PYTHONDONTWRITEBYTECODE=1
export SOCSIM_BUILD_DIR=$build
# RLlib pins its own gymnasium (older than the one tested above), so it lives
# in a venv of its own, build/rllibvenv, with `ray[rllib]` at the version of
# the Ray installed above; a .pth file appended to its site-packages makes
# torch, pytest and the socsim_gym just built in pyvenv visible behind its own
# packages.  About 20-40 s and 800 MB, once; normal build only.
rllib=""
rlvenv=$build/rllibvenv
if [ -z "$san" ] && [ "${SOC_PY_RLLIB:-1}" != 0 ] && [ -f "$ray_stamp" ] && [ -f "$sb3_stamp" ]; then
    ray_ver=$("$venv/bin/python" -c 'import ray; print(ray.__version__)' 2>/dev/null)
    if [ ! -f "$rlvenv/.socsim_rllib_stamp" ] || [ "$(cat "$rlvenv/.socsim_rllib_stamp")" != "$ray_ver" ]; then
        rm -rf "$rlvenv"
        if python3 -m venv "$rlvenv" >>"$build/pyvenv.log" 2>&1 &&
            "$rlvenv/bin/python" -m pip install -q --disable-pip-version-check \
                "ray[rllib]==$ray_ver" >>"$build/pyvenv.log" 2>&1; then
            echo "$ray_ver" > "$rlvenv/.socsim_rllib_stamp"
        else
            echo "NOTE: could not install ray[rllib]; test_rllib.py will be skipped (see $build/pyvenv.log)"
        fi
    fi
    if [ -f "$rlvenv/.socsim_rllib_stamp" ]; then
        site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        rlsite=$("$rlvenv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        echo "$site" > "$rlsite/zz_socsim_pyvenv.pth"
        rllib=yes
    fi
fi

cd "$build" || exit 1
if [ -z "$rllib" ]; then
    exec "$venv/bin/python" -m pytest -q -p no:cacheprovider \
        "$src/gym/python/tests" "$@"
fi
"$venv/bin/python" -m pytest -q -p no:cacheprovider \
    --ignore="$src/gym/python/tests/test_rllib.py" "$src/gym/python/tests" "$@"
rc=$?
echo "== RLlib (build/rllibvenv): test_rllib.py"
"$rlvenv/bin/python" -m pytest -q -p no:cacheprovider "$src/gym/python/tests/test_rllib.py" "$@"
rc2=$?
[ $rc -ne 0 ] && exit $rc
exit $rc2
