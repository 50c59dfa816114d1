#!/usr/bin/env bash
# Quick start, command 1: install missing Debian packages, configure, build,
# and run socsim on its embedded default (every scheduler compared).
# Extra arguments go to socsim, e.g. scripts/run.sh run examples/topcuoglu.yaml
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
soc_install_packages
soc_build
exec "$BUILD_DIR/socsim" "$@"
