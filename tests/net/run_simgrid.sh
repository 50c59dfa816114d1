#!/usr/bin/env bash
# Max-min fairness against SimGrid (tests/net/simgrid_compare.py), with
# Debian's Python, where python3-simgrid lives (scripts/bootstrap.sh
# installs it).  Exit 77 (skipped) without it.   Env: SOCSIM.
set -u
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: $PY not found"; exit 77; }
exec "$PY" "$(dirname "$0")/simgrid_compare.py" "${SOCSIM:?}" 2> >(grep -v 'xbt_cfg/INFO' >&2)
