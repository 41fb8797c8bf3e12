"""Park console benchmark on the live demo park. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/console.py paint                 # first meaningful paint, 5 loads
    .venv/bin/python benchmarks/console.py endpoints             # the console's data endpoints, p50/p95/max
    .venv/bin/python benchmarks/console.py soak --minutes 60     # an hour of live updates in one page
    .venv/bin/python benchmarks/console.py all --minutes 5
    .venv/bin/python benchmarks/console.py startup               # the demo's first minutes, second by second
    .venv/bin/python benchmarks/console.py endpoints --url http://127.0.0.1:8000   # a demo already running

Each run starts ``parksteward demo`` in a throw-away folder (82 enterprises, 638 monitoring
points, the device simulator replaying the last 3 h and then live; SQLite, the embedded
default) and waits ``--settle`` seconds for the replay to catch up, so that the console is
measured on a park that is alive. Browser runs use Playwright with Debian's Chromium
(software GL, as on a control-room PC without a GPU driver the browser trusts).

- **paint**: from navigation (a user already logged in, the token in the tab; a fresh browser
  context each time, so nothing cached) to the map drawn with every monitoring point of the park
  in its live colour: ``performance.now()`` in the page when MapLibre has rendered all 638 point
  features, each with the status the console read from ``/live/status``. Target (issue 7): < 2 s.
- **endpoints**: each GET the console makes, timed over HTTP against the live server while the
  simulator feeds it (sequential requests, different points in turn). Target: p95 < 100 ms.
  The overview is timed twice: as served (computed at most every 10 s per park, day and scope,
  so most requests get the kept one) and fresh (``Cache-Control: no-cache``: computed for each
  request), which is what computing it costs.
- **soak**: one console with a stack's panel and chart open (its raw series grows with every
  live value) for ``--minutes``; every ``--every`` seconds: JS heap in use, DOM nodes, live
  events received, frames drawn per second (requestAnimationFrame over 2 s), the time a
  click on the map takes to open a point's panel, how often the map redrew and how busy the
  page's main thread was since the last sample. "Without slowing down" means these stay flat.
- **startup**: what a newcomer waits for after typing the demo command (no settling): polled
  once a second over HTTP, the seconds from the command's start until the server answers, the
  first point has data, half and 90 % of the points are normal, the overfilling tank's warning
  (T-104) is open, and the night-shift stack's hourly NMHC chart holds 20 hours. Target
  (issue 7): the live park and the tank warning within a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM = os.environ.get("PARKSTEWARD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN = ("admin", "Admin#2026demo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Demo:
    """``parksteward demo`` in a folder of its own, on free ports."""

    def __init__(self, settle_s: float):
        self.started = time.monotonic()
        self.folder = Path(tempfile.mkdtemp(prefix="parksteward-console-bench-"))
        self.port, self.gateway_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PARKSTEWARD_SECRET_KEY": "console-benchmark-secret-of-32-bytes-or-more"}
        self.log = open(self.folder / "demo.log", "w")
        started = self.started
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parksteward.cli", "demo", "--data-dir", str(self.folder), "--port", str(self.port),
             "--gateway-port", str(self.gateway_port)], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the demo stopped: see {self.folder / 'demo.log'}")
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.up_s = time.monotonic() - started
        print(f"demo up in {self.up_s:.0f} s on {self.base}; letting the replay settle {settle_s:g} s",
              flush=True)
        time.sleep(settle_s)
        self.log_in()

    def log_in(self) -> None:
        token = httpx.post(f"{self.base}/api/v1/auth/token", data=dict(zip(("username", "password"), ADMIN)))
        self.token = token.json()["access_token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str):
        return httpx.get(f"{self.base}/api/v1{path}", headers=self.headers, timeout=30).json()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class RunningDemo(Demo):
    """A demo park already being served at ``base`` (``--url``): e.g. one that has run for a whole day."""

    def __init__(self, base: str):
        self.started, self.up_s, self.base = time.monotonic(), 0.0, base.rstrip("/")
        self.log_in()

    def close(self) -> None:
        pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# ---------------------------------------------------------------- the browser
def launch(playwright):
    if CHROMIUM is None:
        raise SystemExit("no Chromium found (Debian: apt-get install chromium; or set PARKSTEWARD_CHROMIUM)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--use-gl=swiftshader", "--enable-unsafe-swiftshader", "--enable-precise-memory-info"])


def logged_in_page(browser, demo: Demo):
    """A page whose tab already holds the login token: what a user has after logging in once."""
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('parksteward.token', {demo.token!r});")
    return context.new_page()


ALL_POINTS_DRAWN = """(count) => {
    const map = window.parkMap;
    if (!map || !map.loaded() || !map.isStyleLoaded()) return false;
    // A point counts once it is drawn in its live colour: its status from /live/status is set.
    const drawn = new Set(map.queryRenderedFeatures({layers: ['monitoring_point-circle']})
                          .filter((f) => f.state && f.state.status).map((f) => f.properties.code));
    if (drawn.size < count) return false;
    window.firstPaintMs = window.firstPaintMs || performance.now();
    return true;
}"""


def paint(demo: Demo, loads: int) -> None:
    from playwright.sync_api import sync_playwright

    count = demo.get("/points?limit=1")["count"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        times = []
        for i in range(loads + 1):  # each in a fresh context (a cold cache); the first warms the server: left out
            page = logged_in_page(browser, demo)
            page.goto(f"{demo.base}/console")
            page.wait_for_function(ALL_POINTS_DRAWN, arg=count, timeout=60_000, polling="raf")
            ms = page.evaluate("window.firstPaintMs")
            if i:
                times.append(ms)
            print(f"  load {i}: {ms:.0f} ms{' (cold, left out)' if not i else ''}", flush=True)
            page.context.close()
        browser.close()
    print(f"first meaningful paint ({count} points drawn), {loads} loads: median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms (target < 2000 ms)")


def soak(demo: Demo, minutes: float, every_s: float) -> None:
    from playwright.sync_api import sync_playwright

    park = demo.get("/parks")["data"][0]
    points = demo.get(f"/points?park_id={park['id']}&limit=10000&kind=stack_cems")["data"]
    stack = points[0]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = logged_in_page(browser, demo)
        page.goto(f"{demo.base}/console")
        page.wait_for_function("window.parkMap && window.parkMap.loaded() && window.liveStream "
                               "&& window.liveStream.readyState === 1", timeout=60_000)
        page.evaluate("""() => { window.liveEvents = 0; window.mapRenders = 0;
            window.liveStream.addEventListener('reading', () => { window.liveEvents += 1; });
            window.parkMap.on('render', () => { window.mapRenders += 1; }); }""")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def page_metrics() -> dict:
            return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

        print(f"{'min':>5} {'heap MB':>8} {'DOM nodes':>9} {'events':>8} {'fps':>5} {'open panel ms':>13} "
              f"{'map draws/s':>11} {'main busy %':>11}", flush=True)
        start = time.monotonic()
        rows = []
        # when, map renders, main-thread task seconds: for the rates since the last sample
        before = (start, 0, page_metrics()["TaskDuration"])
        while True:
            elapsed = time.monotonic() - start
            # Open the stack's panel as a user would (a click on the map), time it, and leave it open.
            opened = page.evaluate("""async (code) => {
                const t0 = performance.now();
                const ctx = window.consoleContext;
                await ctx.showPoint(ctx.pointByCode.get(code));
                return performance.now() - t0; }""", stack["code"])
            fps = page.evaluate("""() => new Promise((done) => { let n = 0; const t0 = performance.now();
                const step = () => { n += 1; if (performance.now() - t0 < 2000) requestAnimationFrame(step);
                                     else done(n / ((performance.now() - t0) / 1000)); };
                requestAnimationFrame(step); })""")
            metrics = page_metrics()
            # How often the map redraws (each redraw is a GPU frame; in software GL tens of ms of CPU)
            # and the share of time the page's main thread is busy, since the last sample.
            now = (time.monotonic(), page.evaluate("window.mapRenders"), metrics["TaskDuration"])
            span_s = now[0] - before[0]
            draws, busy = (now[1] - before[1]) / span_s, 100 * (now[2] - before[2]) / span_s
            before = now
            row = (elapsed / 60, metrics["JSHeapUsedSize"] / 2**20, metrics["Nodes"], page.evaluate("window.liveEvents"),
                   fps, opened, draws, busy)
            rows.append(row)
            print(f"{row[0]:5.1f} {row[1]:8.1f} {row[2]:9.0f} {row[3]:8.0f} {row[4]:5.1f} {row[5]:13.0f} {row[6]:11.1f} "
                  f"{row[7]:11.0f}", flush=True)
            if elapsed >= minutes * 60:
                break
            time.sleep(max(0.0, every_s - (time.monotonic() - start - elapsed)))
        browser.close()
    # Garbage collection makes the heap a saw-tooth and the open panel's chart comes and goes in
    # the DOM count: compare the ranges and means of the first and the last ten minutes.
    window = max(1, int(round(10 * 60 / every_s)))
    first, last = rows[:window], rows[-window:]

    def span(part, k):
        return f"{min(r[k] for r in part):.0f}-{max(r[k] for r in part):.0f}"

    def mean(part, k):
        return sum(r[k] for r in part) / len(part)

    print(f"soak {rows[-1][0]:.1f} min, {rows[-1][3]:.0f} live events ({rows[-1][3] / (rows[-1][0] * 60 or 1):.0f}/s); "
          f"first vs last {window} samples: heap {span(first, 1)} vs {span(last, 1)} MB, "
          f"DOM nodes {span(first, 2)} vs {span(last, 2)}, fps mean {mean(first, 4):.1f} vs {mean(last, 4):.1f}, "
          f"panel open mean {mean(first, 5):.0f} vs {mean(last, 5):.0f} ms, "
          f"map draws/s mean {mean(first, 6):.1f} vs {mean(last, 6):.1f}, main busy mean {mean(first, 7):.0f} vs {mean(last, 7):.0f} %")


# ---------------------------------------------------------------- the endpoints
def endpoints(demo: Demo, rounds: int) -> None:
    park = demo.get("/parks")["data"][0]
    points = demo.get(f"/points?park_id={park['id']}&limit=10000")["data"]
    stacks = [p for p in points if p["kind"] == "stack_cems"]
    enterprises = demo.get(f"/enterprises?park_id={park['id']}&limit=1000")["data"]
    routes = {path for path in httpx.get(f"{demo.base}/api/v1/openapi.json").json()["paths"]}
    day = 86400

    def series(point, factor, interval, span_s):
        end = time.time()
        return (f"/points/{point['id']}/series?factor={factor}&interval={interval}"
                f"&from={_iso(end - span_s)}&to={_iso(end)}")

    # (label, a function of the round number giving the path, or the path and extra headers)
    cases = [
        ("parks/{id}/geojson?view=map", lambda i: f"/parks/{park['id']}/geojson?view=map"),
        ("parks/{id}/geojson (full)", lambda i: f"/parks/{park['id']}/geojson"),
        ("points?park_id (all)", lambda i: f"/points?park_id={park['id']}&limit=10000"),
        ("factors", lambda i: "/factors"),
        ("live/status (all points)", lambda i: f"/live/status?park_id={park['id']}&factor=x01002"),
        ("points/{id}/latest", lambda i: f"/points/{points[i % len(points)]['id']}/latest"),
        ("points/{id}/limits", lambda i: f"/points/{points[i % len(points)]['id']}/limits"),
        ("series raw 24 h", lambda i: series(stacks[i % len(stacks)], "a21026", "raw", day)),
        ("series minute 24 h", lambda i: series(stacks[i % len(stacks)], "a21026", "minute", day)),
        ("series hour 7 d", lambda i: series(stacks[i % len(stacks)], "a21026", "hour", 7 * day)),
        ("alarms?open", lambda i: "/alarms?open=true&limit=200"),
        ("alarm-deliveries", lambda i: "/alarm-deliveries?limit=200"),
        ("enterprises/{id}", lambda i: f"/enterprises/{enterprises[i % len(enterprises)]['id']}"),
        ("zones?park_id", lambda i: f"/zones?park_id={park['id']}&limit=1000"),
    ]
    fresh = {"Cache-Control": "no-cache"}  # computed for this request, not served from the last few seconds
    if "/api/v1/parks/{park_id}/overview" in routes:
        cases.append(("parks/{id}/overview", lambda i: f"/parks/{park['id']}/overview"))
        cases.append(("parks/{id}/overview (fresh)", lambda i: (f"/parks/{park['id']}/overview", fresh)))
    with httpx.Client(base_url=f"{demo.base}/api/v1", headers=demo.headers, timeout=30) as client:
        print(f"{'endpoint':<30} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'KB':>7}")
        worst = fresh_p95 = 0.0
        for label, path in cases:
            times, size = [], 0
            for i in range(rounds):
                request = path(i)
                url, headers = request if isinstance(request, tuple) else (request, {})
                t0 = time.perf_counter()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code} {response.text[:200]}")
                size = len(response.content)
            p95 = percentile(times, 0.95)
            if label.endswith("(fresh)"):
                fresh_p95 = max(fresh_p95, p95)
            else:
                worst = max(worst, p95)
            print(f"{label:<30} {rounds:>4} {statistics.median(times):7.1f} {p95:7.1f} {max(times):7.1f} "
                  f"{size / 1024:7.1f}", flush=True)
    print(f"worst p95 as the console is served: {worst:.1f} ms (target < 100 ms)")
    if fresh_p95:
        print(f"the overview computed for every request: p95 {fresh_p95:.1f} ms")


# ---------------------------------------------------------------- the first minutes
STORY_STACK, STORY_TANK = "JB-E002-DA003", "T-104"  # sim/stories.py's night-shift stack and overfilling tank
MILESTONES = ("server answers", "first point with data", "half the points normal", "90 % of the points normal",
              "tank warning open", "20 h of night-shift NMHC")


def startup(demo: Demo, limit_s: float) -> None:
    park = demo.get("/parks")["data"][0]
    stack = next(p for p in demo.get(f"/points?park_id={park['id']}&limit=10000")["data"] if p["code"] == STORY_STACK)
    seen: dict[str, float] = {"server answers": demo.up_s}
    print(f"{'s':>5} {'with data':>9} {'normal':>7} {'of':>4} {'hours':>5}  tank warning", flush=True)
    while time.monotonic() - demo.started < limit_s:
        at = time.monotonic() - demo.started
        points = demo.get(f"/live/status?park_id={park['id']}")["data"]
        with_data = sum(p["status"] not in ("waiting", "offline") for p in points)
        normal = sum(p["status"] == "normal" for p in points)
        tank = any(STORY_TANK in a["message"] for a in demo.get("/alarms?open=true&limit=500")["data"])
        end = time.time()
        hours = demo.get(f"/points/{stack['id']}/series?factor=a24088&interval=hour"
                         f"&from={_iso(end - 30 * 3600)}&to={_iso(end)}")["data"]
        hours = sum(h.get("value") is not None for h in hours)
        reached = dict(zip(MILESTONES[1:], (with_data > 0, 2 * normal >= len(points), normal >= 0.9 * len(points),
                                            tank, hours >= 20)))
        for label in reached:
            if reached[label] and label not in seen:
                seen[label] = at
        print(f"{at:5.0f} {with_data:9d} {normal:7d} {len(points):4d} {hours:5d}  {'yes' if tank else '-'}", flush=True)
        if len(seen) == len(MILESTONES):
            break
        time.sleep(max(0.0, 1.0 - (time.monotonic() - demo.started - at)))
    print("seconds from the demo command's start:")
    for label in MILESTONES:
        print(f"  {label:<28} {seen[label]:6.0f}" if label in seen else f"  {label:<28} not within {limit_s:g} s")


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("paint", "endpoints", "soak", "all", "startup"))
    parser.add_argument("--settle", type=float, default=60.0, help="seconds for the demo's replay to catch up")
    parser.add_argument("--loads", type=int, default=5, help="page loads for paint")
    parser.add_argument("--rounds", type=int, default=100, help="requests per endpoint")
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the soak")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between soak samples")
    parser.add_argument("--limit", type=float, default=180.0, help="seconds startup watches at most")
    parser.add_argument("--url", help="measure the demo park served there (not startup) instead of starting one")
    args = parser.parse_args()
    if args.url and args.what == "startup":
        parser.error("startup starts its own demo: it cannot watch one already running (--url)")
    demo = RunningDemo(args.url) if args.url else Demo(0.0 if args.what == "startup" else args.settle)
    try:
        if args.what in ("paint", "all"):
            paint(demo, args.loads)
        if args.what in ("endpoints", "all"):
            endpoints(demo, args.rounds)
        if args.what in ("soak", "all"):
            soak(demo, args.minutes, args.every)
        if args.what == "startup":
            startup(demo, args.limit)
    finally:
        demo.close()


if __name__ == "__main__":
    main()
