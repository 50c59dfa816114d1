#!/bin/sh
# Runs the shared acceptance check shared/checks/ds3case.py against the built
# socsim (DS3's reference cases).  Exit 77 (skipped) without ../shared or
# python3.  Environment (set by ctest): SOCSIM, SOC_SHARED_DIR.
checks="${SOC_SHARED_DIR:-}/checks"
if [ -z "${SOC_SHARED_DIR:-}" ] || [ ! -f "$checks/ds3case.py" ] || [ ! -f "$checks/ds3_given.json" ]; then
    echo "shared/checks absent: skipped"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 absent: skipped"
    exit 77
fi
exec python3 "$checks/ds3case.py" "${SOCSIM:?SOCSIM not set}" "$checks/ds3_given.json"
