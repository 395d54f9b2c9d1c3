"""Dashboard API latency: trimtab's dashboard vs optuna-dashboard 0.21 on the same SQLite file.

Builds a study of N trials with 10 float params in an Optuna-schema SQLite database (bulk
inserted, so building is quick), serves it with both dashboards as real HTTP servers in
subprocesses (trimtab: uvicorn; optuna-dashboard: its wsgiref server), and times the requests
each front-end makes: the study list, the first load of the study page, each chart's first
computation, a page of the trial table, and a live-update poll when idle and after a worker
added a trial. optuna-dashboard has no table or chart API (it sends every trial and charts
in the browser), so its "study page" is its one study request; trimtab's is the study,
first table page and history chart requests. "first" is the first request after the server
starts (trimtab reads the storage in the background from startup; its study list answers at
once, with counts once read).
``--browser`` adds the time from navigation until the study page's charts are drawn in
headless Chromium, cold and warm, with the browser CPU each load costs (trimtab only; needs
``chromium`` and ``websocket-client``; see ``measure_browser``). Run
``python -m benchmarks.dashboard`` (``--quick``: 2,000 and 10,000 trials instead of 10,000
and 100,000).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

N_PARAMS = 10
DIST = json.dumps(
    {
        "name": "FloatDistribution",
        "attributes": {"step": None, "low": 0.0, "high": 1.0, "log": False},
    }
)


def build_db(path: str, n: int) -> int:
    """Create an Optuna-schema database with one study of ``n`` finished trials."""
    import trimtab

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    study = trimtab.create_study(storage=f"sqlite:///{path}", study_name="bench")
    rng = random.Random(0)
    start = datetime.datetime(2024, 1, 1)
    trials, params, values = [], [], []
    for number in range(n):
        trial_id = number + 1
        begin = start + datetime.timedelta(seconds=number)
        end = begin + datetime.timedelta(seconds=0.5)
        trials.append((trial_id, number, study._study_id, "COMPLETE", str(begin), str(end)))
        xs = [rng.random() for _ in range(N_PARAMS)]
        params.extend((trial_id, f"x{i}", x, DIST) for i, x in enumerate(xs))
        values.append((trial_id, 0, sum((x - 0.5) ** 2 for x in xs), "FINITE"))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO trials (trial_id, number, study_id, state, datetime_start, "
            "datetime_complete) VALUES (?, ?, ?, ?, ?, ?)", trials,
        )
        conn.executemany(
            "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
            "VALUES (?, ?, ?, ?)", params,
        )
        conn.executemany(
            "INSERT INTO trial_values (trial_id, objective, value, value_type) "
            "VALUES (?, ?, ?, ?)", values,
        )
    return int(study._study_id)


def add_trial(path: str, study_id: int) -> None:
    """Append one finished trial, as a worker process would."""
    with sqlite3.connect(path) as conn:
        number = conn.execute(
            "SELECT COUNT(*) FROM trials WHERE study_id = ?", (study_id,)
        ).fetchone()[0]
        now = str(datetime.datetime.now())
        cur = conn.execute(
            "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) "
            "VALUES (?, ?, 'COMPLETE', ?, ?)", (number, study_id, now, now),
        )
        trial_id = cur.lastrowid
        conn.executemany(
            "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
            "VALUES (?, ?, ?, ?)", [(trial_id, f"x{i}", 0.5, DIST) for i in range(N_PARAMS)],
        )
        conn.execute(
            "INSERT INTO trial_values (trial_id, objective, value, value_type) "
            "VALUES (?, 0, 0.0, 'FINITE')", (trial_id,),
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVERS = {
    "trimtab": (
        "from trimtab.dashboard import run_server; run_server({url!r}, port={port}, quiet=True)"
    ),
    "optuna-dashboard": (
        "import optuna, optuna_dashboard; optuna.logging.set_verbosity(optuna.logging.WARNING); "
        "optuna_dashboard.run_server({url!r}, host='127.0.0.1', port={port})"
    ),
}


class Server:
    """A dashboard server in a subprocess."""

    def __init__(self, kind: str, url: str) -> None:
        self.port = _free_port()
        code = SERVERS[kind].format(url=url, port=self.port)
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.base + "/", timeout=5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{kind} server did not start") from None
                time.sleep(0.2)

    def get(self, path: str) -> tuple[float, int, Any]:
        """Return (seconds, bytes, decoded JSON) of one GET."""
        start = time.perf_counter()
        with urllib.request.urlopen(self.base + path, timeout=600) as response:
            body = response.read()
        elapsed = time.perf_counter() - start
        return elapsed, len(body), json.loads(body) if body[:1] in (b"{", b"[") else None

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _median(server: Server, path: str, repeat: int) -> float:
    return statistics.median(server.get(path)[0] for _ in range(repeat))


def _study_page(server: Server, sid: int) -> float:
    paths = (f"/api/studies/{sid}", f"/api/studies/{sid}/trials?limit=50",
             f"/api/studies/{sid}/charts/history")
    return sum(server.get(p)[0] for p in paths)


# The charts of the study page with the query its front-end sends (history is timed above).
CHARTS = (
    ("importances", ""),
    ("timeline", "?n_recent=1000"),
    ("slice", '?params=["x0"]'),
    ("parallel", ""),
    ("contour", '?params=["x0","x1"]'),
    ("rank", '?params=["x0","x1"]'),
    ("edf", ""),
)


def measure_trimtab(url: str, path: str, sid: int, repeat: int) -> dict[str, float]:
    server = Server("trimtab", url)
    try:
        out: dict[str, float] = {}
        out["study list (first)"] = server.get("/api/studies")[0]
        out["study page (first, reads storage)"] = _study_page(server, sid)
        out["study page (again)"] = _study_page(server, sid)
        for kind, query in CHARTS:
            out[f"chart {kind} (first)"] = server.get(f"/api/studies/{sid}/charts/{kind}{query}")[0]
        out["study list"] = _median(server, "/api/studies", repeat)
        page_path = f"/api/studies/{sid}/trials?limit=50&offset=500"
        out["trials page"] = _median(server, page_path, repeat)
        flt = [{"column": "params_x0", "op": "<", "value": 0.5}]
        filters = urllib.request.quote(json.dumps(flt))
        out["trials page sorted+filtered"] = _median(
            server, f"/api/studies/{sid}/trials?limit=50&sort=value&filters={filters}", repeat
        )
        cursor = server.get(f"/api/studies/{sid}")[2]["cursor"]
        out["idle poll"] = _median(server, f"/api/studies/{sid}/updates?cursor={cursor}", repeat)
        polls = []
        for _ in range(repeat):
            add_trial(path, sid)
            time.sleep(0.25)  # the cache refreshes at most every 0.2 s
            seconds, _, answer = server.get(f"/api/studies/{sid}/updates?cursor={cursor}")
            cursor = answer["cursor"]
            polls.append(seconds)
        out["poll after a new trial"] = statistics.median(polls)
        return out
    finally:
        server.close()


RENDERED = (
    "document.querySelector('#chart-history') && "
    "document.querySelector('#chart-history').dataset.renderedAt && "
    "[...document.querySelectorAll('.chart')].filter(d => d.getBoundingClientRect().top < "
    "innerHeight).every(d => d.dataset.renderedAt)"
)
RENDER_TIMES = (
    "({history: +document.querySelector('#chart-history').dataset.renderedAt, "
    "all: Math.max(...[...document.querySelectorAll('.chart')].map(d => +(d.dataset.renderedAt "
    "|| 0)))})"
)
# Drawn means drawn at all: before Plotly is ready, a chart is drawn on a canvas (preview.js);
# Plotly's drawing (hover, zoom) follows, marked plottedAt.
IN_VIEW = (
    "[...document.querySelectorAll('.chart')].filter(d => d.getBoundingClientRect().top < "
    "innerHeight)"
)
PLOTTED = f"{IN_VIEW}.every(d => d.dataset.plottedAt)"
PLOTTED_TIME = f"Math.max(...{IN_VIEW}.map(d => +d.dataset.plottedAt))"


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, grown = {root}, True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(times.get(pid, 0.0) for pid in tree)


def _main_thread_seconds(browser: Any) -> float:
    """The page's main-thread CPU so far (CDP ``Performance`` in thread ticks)."""
    metrics = browser.call("Performance.getMetrics")["metrics"]
    return sum(m["value"] for m in metrics if m["name"] == "TaskDuration")


def _load(browser: Any, url: str) -> tuple[float, ...]:
    """Open ``url`` until its charts in view are drawn by Plotly; return (history drawn, all
    drawn, all drawn by Plotly, page main-thread CPU, CPU of every browser process), in
    seconds."""
    busy, cpu = _main_thread_seconds(browser), _tree_cpu_seconds(browser.process.pid)
    browser.goto(url)
    browser.wait_for(RENDERED, 600)
    browser.wait_for(PLOTTED, 600)
    times = browser.evaluate(RENDER_TIMES)
    plotted = browser.evaluate(PLOTTED_TIME)
    busy = _main_thread_seconds(browser) - busy
    cpu = _tree_cpu_seconds(browser.process.pid) - cpu
    browser.goto("about:blank")
    return times["history"] / 1000, times["all"] / 1000, plotted / 1000, busy, cpu


def _summary(label: str, loads: list[tuple[float, ...]]) -> dict[str, float]:
    names = ("history drawn", "charts in view drawn", "charts in view by Plotly",
             "page main-thread CPU", "all browser CPU")
    return {f"browser {label}: {name}": statistics.median(column)
            for name, column in zip(names, zip(*loads))}


def measure_browser(url: str, sid: int, repeat: int) -> dict[str, float]:
    """Open the study page in headless Chromium: seconds from navigation until the history
    chart and the charts in view are drawn, and the CPU each load costs (main thread of the
    page; all Chromium processes, which includes WebGL's software rendering), medians of
    ``repeat`` loads. A "cold" load is a new browser profile (nothing cached, Plotly
    compiled from source); a "warm" load reopens the page in a browser that has shown it
    twice (HTTP cache and V8's code cache both hold Plotly). CPU figures do not depend on
    how loaded the machine is; the drawn times do."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "tests", "dashboard"))
    from cdp_browser import Browser, chromium_path

    if chromium_path() is None:
        raise RuntimeError("chromium is not installed")
    server = Server("trimtab", url)
    page = f"{server.base}/#/studies/{sid}"
    try:
        while server.get("/api/studies")[2]["studies"][0]["loading"]:
            time.sleep(0.2)  # the server reads the storage in the background at start
        cold, warm = [], []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
                browser = Browser(Path(profile))
                try:
                    browser.call("Performance.enable", timeDomain="threadTicks")
                    cold.append(_load(browser, page))
                finally:
                    browser.close()
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            browser = Browser(Path(profile))
            try:
                browser.call("Performance.enable", timeDomain="threadTicks")
                for _ in range(2):
                    _load(browser, page)
                warm = [_load(browser, page) for _ in range(repeat)]
            finally:
                browser.close()
        return {**_summary("cold", cold), **_summary("warm", warm)}
    finally:
        server.close()


def measure_optuna_dashboard(url: str, path: str, sid: int, repeat: int) -> dict[str, float]:
    server = Server("optuna-dashboard", url)
    try:
        out: dict[str, float] = {}
        out["study list (first)"] = server.get("/api/studies")[0]
        seconds, _, detail = server.get(f"/api/studies/{sid}?after=0")
        out["study page (first, reads storage)"] = seconds
        out["study page (again)"] = server.get(f"/api/studies/{sid}?after=0")[0]
        out["study list"] = _median(server, "/api/studies", repeat)
        n = len(detail["trials"])
        out["idle poll"] = _median(server, f"/api/studies/{sid}?after={n}", repeat)
        polls = []
        for _ in range(repeat):
            add_trial(path, sid)
            time.sleep(0.25)
            polls.append(server.get(f"/api/studies/{sid}?after={n}")[0])
            n += 1
        out["poll after a new trial"] = statistics.median(polls)
        return out
    finally:
        server.close()


def _measure(kind: str, measure: Any, tmp: str, n: int, repeat: int) -> dict[str, float]:
    path = os.path.join(tmp, f"{kind}.db")  # each its own copy: polls add trials
    sid = build_db(path, n)
    try:
        return dict(measure(f"sqlite:///{path}", path, sid, repeat))
    except (ImportError, RuntimeError) as error:
        print(f"  {kind}: not measured ({error})", file=sys.stderr)
        return {}


def _print(n: int, name: str, ours: float, theirs: float | None) -> None:
    ratio = f"{theirs / ours:7.1f}x" if theirs else "      -"
    other = f"{theirs * 1000:15.1f}" if theirs else f"{'-':>15}"
    print(f"{n:>8}  {name:<36} {ours * 1000:11.1f} {other} {ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 trials")
    parser.add_argument("--browser", action="store_true",
                        help="also time the study page in headless Chromium (trimtab only)")
    parser.add_argument("--browser-only", action="store_true",
                        help="time the study page in Chromium only (no API requests, no "
                        "optuna-dashboard)")
    parser.add_argument("--no-optuna-dashboard", action="store_true",
                        help="time trimtab only (optuna-dashboard needs minutes at 100,000)")
    parser.add_argument("--trials", type=int, default=None, help="one study size only")
    args = parser.parse_args()
    sizes = (2_000, 10_000) if args.quick else (10_000, 100_000)
    if args.trials is not None:
        sizes = (args.trials,)
    print(f"{'trials':>8}  {'request':<36} {'trimtab ms':>11} {'optuna-dash ms':>15} {'ratio':>8}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            ours = {} if args.browser_only else _measure("trimtab", measure_trimtab, tmp, n, 5)
            if args.browser or args.browser_only:
                path = os.path.join(tmp, "browser.db")
                sid = build_db(path, n)
                try:
                    ours.update(measure_browser(f"sqlite:///{path}", sid, 5))
                except (ImportError, RuntimeError) as error:
                    print(f"  browser: not measured ({error})", file=sys.stderr)
            theirs: dict[str, float] = {}
            if not (args.no_optuna_dashboard or args.browser_only):
                # Its requests take seconds to minutes here: fewer repeats.
                theirs = _measure("optuna-dashboard", measure_optuna_dashboard, tmp, n,
                                  5 if n <= 10_000 else 2)
        for name, seconds in ours.items():
            _print(n, name, seconds, theirs.get(name))
    print("ratio = optuna-dashboard time / trimtab time (higher: trimtab faster)")


if __name__ == "__main__":
    main()
