"""Live updates under load: the study page in headless Chromium while a study grows.

A writer process appends finished trials to an Optuna-schema SQLite study at a fixed rate
(default 50 trials/s, as a busy worker pool would) while the study page is open on its charts
tab. The page is never reloaded: it polls ``/updates`` every 2 s and redraws from there. The
benchmark samples the trial count the page shows against the count in the database, and
records the page's main-thread long tasks (PerformanceObserver ``longtask``), its frame times
(``requestAnimationFrame`` deltas) and its main-thread busy time (CDP ``Performance``), plus
the server's CPU seconds. At the end it checks that the count, the history chart and the
trial table all reached the final number. Run ``python -m benchmarks.dashboard_live``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.dashboard import RENDERED, Server, build_db

WRITER = """
import sys, time
from benchmarks.dashboard import add_trial
path, sid, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
start = time.monotonic()
n = 0
while n < rate * seconds:
    ahead = start + n / rate - time.monotonic()
    if ahead > 0:
        time.sleep(ahead)
    add_trial(path, sid)
    n += 1
"""

PROBE = """
window.__live = { longtasks: [], frames: [], last: performance.now(), marker: 1 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__live.longtasks.push(e.duration);
}).observe({ type: "longtask" });
(function frame(t) {
  window.__live.frames.push(t - window.__live.last);
  window.__live.last = t;
  requestAnimationFrame(frame);
})(performance.now());
true
"""
SHOWN = "parseInt(document.querySelector('#n-trials').textContent)"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _main_thread_ms(browser: Any) -> float:
    metrics = browser.call("Performance.getMetrics")["metrics"]
    return 1000 * sum(m["value"] for m in metrics if m["name"] == "TaskDuration")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def measure_live(n_start: int, rate: float, seconds: float) -> dict[str, Any]:
    """Open the study page, grow the study at ``rate`` trials/s for ``seconds``; measure."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "tests", "dashboard"))
    from cdp_browser import Browser, chromium_path

    if chromium_path() is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "live.db")
        sid = build_db(path, n_start)
        server = Server("trimtab", f"sqlite:///{path}")
        browser = Browser(Path(tmp) / "profile")
        try:
            browser.call("Performance.enable")
            browser.goto(f"{server.base}/#/studies/{sid}")
            browser.wait_for(RENDERED, 120)
            browser.evaluate(PROBE)
            busy0, server0 = _main_thread_ms(browser), _cpu_seconds(server.process.pid)
            writer = subprocess.Popen(
                [sys.executable, "-c", WRITER, path, str(sid), str(rate), str(seconds)],
                cwd=os.path.join(here, ".."),
            )
            lags = []
            while writer.poll() is None:
                time.sleep(1.0)
                written = _count(path, sid)
                lags.append(written - int(browser.evaluate(SHOWN) or 0))
            if writer.returncode != 0:
                raise RuntimeError("the writer process failed")
            final = n_start + int(rate * seconds)
            stopped = time.monotonic()
            browser.wait_for(f"{SHOWN} === {final}", 30)
            caught_up = time.monotonic() - stopped
            probe = browser.evaluate("window.__live")
            busy = _main_thread_ms(browser) - busy0
            server_cpu = _cpu_seconds(server.process.pid) - server0
            points = f"+document.querySelector('#chart-history').dataset.points === {final}"
            history_ok = bool(browser.wait_for(points, 30))
            browser.click("#tab-trials")
            total = "(document.querySelector('#table-total') || {}).textContent || ''"
            table = f"({total}).startsWith('{final} ')"
            table_ok = bool(browser.wait_for(table, 30))
            frames = probe["frames"][1:]
            return {
                "trials at start": n_start,
                "trials added": final - n_start,
                "page never reloaded": probe["marker"] == 1,
                "max lag behind the database (trials)": max(lags),
                "median lag (trials)": statistics.median(lags),
                "caught up after the writer stopped (s)": round(caught_up, 2),
                "history chart has every trial": history_ok,
                "trial table has every trial": table_ok,
                "long tasks": len(probe["longtasks"]),
                "long tasks total (ms)": round(sum(probe["longtasks"])),
                "longest task (ms)": round(max(probe["longtasks"], default=0)),
                "frames": len(frames),
                "frame time p50 (ms)": round(_percentile(frames, 0.5), 1),
                "frame time p95 (ms)": round(_percentile(frames, 0.95), 1),
                "frame time max (ms)": round(max(frames, default=0), 1),
                "frames over 50 ms (%)": round(
                    100 * sum(f > 50 for f in frames) / max(1, len(frames)), 1
                ),
                "page main-thread busy (ms)": round(busy),
                "page main-thread busy (% of wall)": round(100 * busy / (1000 * seconds), 1),
                "server CPU (s)": round(server_cpu, 2),
            }
        finally:
            browser.close()
            server.close()


def _count(path: str, sid: int) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT COUNT(*) FROM trials WHERE study_id = ?", (sid,)).fetchone()
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", type=int, default=2_000, help="trials before the run")
    parser.add_argument("--rate", type=float, default=50.0, help="trials added per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long trials are added")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    cpu = time.process_time()
    result = measure_live(args.start, args.rate, args.seconds)
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name:<42} {value}")
    print(f"{'benchmark process CPU (s)':<42} {time.process_time() - cpu:.2f}")


if __name__ == "__main__":
    main()
