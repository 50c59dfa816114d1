#!/usr/bin/env bash
# `socsim report` in a real browser (issue 16): headless Chromium (Debian's
# chromium + chromium-driver, installed here when missing) opens the report
# with networking off -- in a network namespace of its own, with only the
# loopback interface up for chromedriver -- and browser_check.py asserts that
# every chart rendered (the DOM after the scripts ran), that the Gantt
# chart's zoom works, that no request left the page (Chromium's network
# log, the page's Content-Security-Policy) and that a screenshot is not
# blank.  Also checks the HTML itself: one file, nothing to fetch.
# Exit 77 (skipped) only when Chromium cannot be installed or started, or
# gnuplot (which draws the charts) is missing.
# Env: SOCSIM (built binary), SOC_SOURCE_DIR.
set -u
S=${SOCSIM:?SOCSIM not set}
cd "${SOC_SOURCE_DIR:?}"
here=$PWD/tests/report
if ! command -v gnuplot >/dev/null; then
    echo "gnuplot is not installed (scripts/bootstrap.sh installs gnuplot-nox): skipped"
    exit 77
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing chromium and chromium-driver (Debian packages)"
        apt_install() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
                            --no-install-recommends chromium chromium-driver > /tmp/soc_report_apt.$$ 2>&1; }
        apt_install || { apt-get -o DPkg::Lock::Timeout=600 update > /dev/null 2>&1; apt_install; } ||
            tail -5 /tmp/soc_report_apt.$$
        rm -f /tmp/soc_report_apt.$$
    fi
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        echo "chromium/chromium-driver cannot be installed here: skipped"
        exit 77
    fi
fi
ok=0; bad=0
pass() { ok=$((ok+1)); }
fail() { echo "FAIL: $*"; bad=$((bad+1)); }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
src=$PWD

# ---- a sweep, runs of three schedulers with the power model, a schedule
cat > "$t/sweep.yaml" <<Y
base: $src/examples/poisson_soc.yaml
set: {stop.jobs: 40, injection.warmup_us: 0, power: true}
axes:
  scheduler: [met, etf, heft]
  seed: {from: 1, to: 2}
Y
"$S" sweep "$t/sweep.yaml" --out "$t/sw" --quiet -j 2 || fail "sweep"
"$S" run examples/poisson_soc.yaml -s met,etf,heft --set power=true --jobs 100 --json > "$t/runs.json" || fail "runs"
"$S" run examples/poisson_soc.yaml -s heft --set power=true --jobs 300 --schedule "$t/s.csv" > /dev/null || fail "schedule"
mkdir -p "$t/out"
"$S" report "$t/sw" "$t/runs.json" --schedule "$t/s.csv" -o "$t/out/report.html" > "$t/stdout" 2> "$t/stderr" \
    && pass || fail "socsim report: $(cat "$t/stderr")"
echo "info: report $(wc -c < "$t/out/report.html") bytes"

# ---- the HTML alone: self-contained
python3 - "$t/out/report.html" <<'PY' && pass || fail "the HTML is not self-contained"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
# nothing that a browser would fetch: no src/href to a URL, no stylesheet link,
# no external script, no CSS url() other than data:
assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.I), "a remote src/href"
assert not re.search(r"<link\b", html, re.I), "a <link> element"
assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I), "an external script"
assert not re.search(r"url\(\s*['\"]?(?!data:|#)", html, re.I), "a CSS url() to a file"
assert not re.search(r"@import", html, re.I), "a CSS @import"
assert "Content-Security-Policy" in html and "default-src 'none'" in html
assert html.count("<svg") >= 10, html.count("<svg")
for section in ("Configuration", "Results", "Scheduler table", "Per-cluster utilisation and energy",
                "Schedule", "results.csv", "summary.csv"):
    assert section in html, section
PY

# ---- in Chromium, offline
run_check() { python3 "$here/browser_check.py" "$t/out/report.html" "$t/out/shot.png" 10; }
if unshare -n true 2>/dev/null; then
    echo "info: Chromium runs in a network namespace without network (loopback only)"
    # bring up lo for chromedriver <-> Chromium (SIOCGIFFLAGS/SIOCSIFFLAGS)
    unshare -n bash -c '
        python3 -c "
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
req = struct.pack(\"16sH22x\", b\"lo\", 0)
flags = struct.unpack(\"16sH22x\", fcntl.ioctl(s, 0x8913, req))[1]
fcntl.ioctl(s, 0x8914, struct.pack(\"16sH22x\", b\"lo\", flags | 1))
" && exec "$0" "$@"' python3 "$here/browser_check.py" "$t/out/report.html" "$t/out/shot.png" 10
    rc=$?
else
    echo "info: no network namespace here; Chromium runs with every host unresolvable"
    run_check
    rc=$?
fi
case $rc in
    0) pass ;;
    77) echo "Chromium could not be started: skipped"; exit 77 ;;
    *) fail "browser check (exit $rc); chromedriver log: $(tail -5 "$t/out/chromedriver.log" 2>/dev/null)" ;;
esac

echo "report_browser: $ok passed, $bad failed"
[ $bad = 0 ]
