#!/usr/bin/env python3
"""Open an HTML file in headless Chromium through chromedriver (the W3C
WebDriver protocol over HTTP on the loopback interface, Python's standard
library only) and check that its charts rendered and that no request left
the page.

    browser_check.py REPORT.html SCREENSHOT.png MIN_CHARTS

Checks:
  * the page's own load hook marked every chart <figure> rendered (an SVG
    with a size and drawn elements, after the scripts ran), at least
    MIN_CHARTS of them, and the Gantt chart's gnuplot mousing script ran;
  * no Content-Security-Policy violation (a blocked fetch) and no resource
    entry in the page's Resource Timing;
  * Chromium's network log (performance log, Network.requestWillBeSent)
    has no request but the report file itself (and data: URLs);
  * a screenshot is not blank: many colours and a share of non-white pixels.

Exit 0 when every check passes, 1 when one fails, 77 when Chromium or
chromedriver cannot be started (the test is then skipped, saying why).
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib

SKIP = 77


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read().decode())["value"]


def png_pixels(png):
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    report, shot, min_charts = sys.argv[1], sys.argv[2], int(sys.argv[3])
    url = "file://" + os.path.abspath(report)
    chromium = next((c for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                     if os.path.exists(c)), None)
    driver = "/usr/bin/chromedriver"
    if chromium is None or not os.path.exists(driver):
        print("chromium or chromedriver is not installed: skipped")
        return SKIP
    port = free_port()
    log = open(os.path.join(os.path.dirname(os.path.abspath(shot)), "chromedriver.log"), "w")
    proc = subprocess.Popen([driver, f"--port={port}"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(base, "GET", "/status", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        else:
            print("chromedriver did not start: skipped")
            return SKIP
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1200,1600",
                         # no network even if the namespace had one: every
                         # host resolves to nothing, proxies go nowhere
                         "--host-resolver-rules=MAP * ~NOTFOUND",
                         "--proxy-server=http://127.0.0.1:9",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync"]},
            "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"}}}}
        try:
            session = call(base, "POST", "/session", caps, timeout=120)
        except urllib.error.HTTPError as e:
            print("Chromium could not be started: skipped:", e.read().decode()[:500])
            return SKIP
        sid = session["sessionId"]
        s = f"/session/{sid}"
        failures = []
        try:
            call(base, "POST", s + "/url", {"url": url}, timeout=120)
            state = None
            for _ in range(200):
                state = call(base, "POST", s + "/execute/sync", {"script": """
                    var b = document.body; if (!b || b.getAttribute('data-ready') !== 'yes') return null;
                    var figs = [].map.call(document.querySelectorAll('figure.chart'), function (f) {
                        return {kind: f.className, rendered: f.getAttribute('data-rendered'),
                                elements: +f.getAttribute('data-elements'),
                                interactive: f.getAttribute('data-interactive')}; });
                    return {charts: +b.getAttribute('data-charts'),
                            rendered: +b.getAttribute('data-charts-rendered'),
                            blocked: b.getAttribute('data-blocked'),
                            resources: +b.getAttribute('data-resources'),
                            figs: figs, title: document.title};""", "args": []})
                if state is not None:
                    break
                time.sleep(0.1)
            if state is None:
                failures.append("the page never finished loading (no data-ready)")
            else:
                print(f"page '{state['title']}': {state['charts']} charts, {state['rendered']} "
                      f"rendered, resources {state['resources']}, blocked {state['blocked']}")
                if state["charts"] < min_charts:
                    failures.append(f"{state['charts']} charts, want >= {min_charts}")
                if state["rendered"] != state["charts"]:
                    failures.append("charts not rendered: " + json.dumps(
                        [f for f in state["figs"] if f["rendered"] != "yes"]))
                gantt = [f for f in state["figs"] if "gantt" in f["kind"]]
                if not gantt or gantt[0]["interactive"] != "yes" or gantt[0]["elements"] < 100:
                    failures.append("the Gantt chart is missing or its zoom script did not run: "
                                    + json.dumps(gantt))
                if state["blocked"] not in (None, "0"):
                    failures.append(f"{state['blocked']} fetches blocked by the page's policy")
                if state["resources"] != 0:
                    failures.append(f"{state['resources']} resources loaded")
            # zooming the Gantt chart changes its view box (gnuplot's script)
            zoomed = call(base, "POST", s + "/execute/sync", {"script": """
                var f = document.querySelector('figure.gantt svg');
                if (!f || !f.gnuplot) return null;
                var before = f.getAttribute('viewBox'); f.gnuplot.zoom('in');
                return [before, f.getAttribute('viewBox')];""", "args": []})
            if not zoomed or zoomed[0] == zoomed[1]:
                failures.append(f"zooming the Gantt chart changed nothing: {zoomed}")
            # every request Chromium made
            try:
                entries = call(base, "POST", s + "/se/log", {"type": "performance"})
            except urllib.error.HTTPError:
                entries = call(base, "POST", s + "/log", {"type": "performance"})
            urls = []
            for e in entries:
                m = json.loads(e["message"])["message"]
                if m.get("method") == "Network.requestWillBeSent":
                    urls.append(m["params"]["request"]["url"])
            outside = [u for u in urls if u != url and not u.startswith("data:")]
            print(f"network log: {len(urls)} request(s): {sorted(set(urls))[:5]}")
            if url not in urls:
                failures.append("the network log does not even show the page (log not working?)")
            if outside:
                failures.append(f"requests left the page: {outside[:10]}")
            png = base64.b64decode(call(base, "GET", s + "/screenshot"))
            open(shot, "wb").write(png)
            w, h, bpp, rows = png_pixels(png)
            colours, ink = set(), 0
            for row in rows[::4]:
                for x in range(0, w * bpp, 4 * bpp):
                    px = row[x:x + 3]
                    colours.add(px)
                    ink += px != b"\xff\xff\xff"
            sampled = len(rows[::4]) * len(range(0, w * bpp, 4 * bpp))
            print(f"screenshot {w}x{h}: {len(colours)} colours, {100 * ink / sampled:.1f}% ink")
            if len(colours) < 16 or ink < 0.02 * sampled:
                failures.append(f"the screenshot looks blank ({len(colours)} colours)")
        finally:
            call(base, "DELETE", s)
        for f in failures:
            print("FAIL:", f)
        return 1 if failures else 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
