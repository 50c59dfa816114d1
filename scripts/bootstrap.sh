#!/usr/bin/env bash
# Install what socsim needs on Debian/Ubuntu (as root, or through sudo), then
# configure and build into ${BUILD_DIR:-build}.  Sourced by run.sh and test.sh.
# Re-running is cheap: packages already present are not reinstalled, and the
# build is incremental.
set -euo pipefail

SOC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SOC_ROOT/build}
# slurm-wlm + munge: tests/slurm starts a private single-node Slurm from
# them (nothing is configured or started system-wide by this script)
SOC_PACKAGES="build-essential cmake pkg-config libigraph-dev libyaml-dev libgsl-dev check \
gnuplot-nox python3 python3-venv python3-pip python3-dev slurm-wlm munge python3-simgrid"

soc_install_packages() {
    local missing=()
    for p in $SOC_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing: ${missing[*]}"
    local SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}

soc_build() {
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    cmake -S "$SOC_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
    cmake --build "$BUILD_DIR" -j "$jobs"
}
