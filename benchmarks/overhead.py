"""Per-trial framework overhead, import time and memory: trimtab vs Optuna in one run.

Also runs the TPE sampler-cost section (``benchmarks/overhead_tpe.py``).

A trivial 10-parameter objective, ``RandomSampler``, in-memory storage, logging off. Overhead is
CPU time per trial (the objective itself costs nothing). Run with ``python -m benchmarks.overhead``
(``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

N_PARAMS = 10


def _objective(trial: Any) -> float:
    total = 0.0
    for i in range(N_PARAMS):
        total += trial.suggest_float(f"x{i}", -5.0, 5.0)
    return total


def _module(name: str) -> Any:
    module = __import__(name)
    module.logging.set_verbosity(module.logging.WARNING)
    return module


def per_trial_ms(name: str, n_trials: int) -> tuple[float, float, float]:
    """Return (mean ms/trial, ms/trial over the first 1,000, ms/trial over the last 1,000)."""
    lib = _module(name)
    study = lib.create_study(sampler=lib.samplers.RandomSampler(seed=0))
    stamps: list[float] = []

    def callback(study: Any, trial: Any) -> None:
        stamps.append(time.process_time())

    gc.collect()
    start = time.process_time()
    study.optimize(_objective, n_trials=n_trials, callbacks=[callback])
    total = stamps[-1] - start
    window = min(1000, n_trials // 2)
    first = stamps[window - 1] - start
    last = stamps[-1] - stamps[-window - 1]
    return 1e3 * total / n_trials, 1e3 * first / window, 1e3 * last / window


def _subprocess(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def import_seconds(name: str, repeats: int) -> float:
    """Median wall time of ``import NAME`` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {name}; print(time.perf_counter() - t)"
    times = sorted(float(_subprocess(code)) for _ in range(repeats))
    return times[len(times) // 2]


def rss_increase_mb(name: str, n_trials: int) -> float:
    """Peak RSS increase (MB) while running ``n_trials`` trials, in a fresh process (Linux)."""
    code = f"""
import gc, sys
sys.path.insert(0, {sys.path[0]!r})
from benchmarks.overhead import _module, _objective

def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field))

lib = _module({name!r})
study = lib.create_study(sampler=lib.samplers.RandomSampler(seed=0))
study.optimize(_objective, n_trials=1)
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak RSS counter
before = status("VmRSS:")
study.optimize(_objective, n_trials={n_trials})
print((status("VmHWM:") - before) / 1024)
"""
    return float(_subprocess(code))


def _row(label: str, ours: float, theirs: float, unit: str) -> dict[str, Any]:
    return {
        "measure": label,
        "trimtab": round(ours, 4),
        "optuna": round(theirs, 4),
        "unit": unit,
        "trimtab/optuna": round(ours / theirs, 3) if theirs else float("nan"),
    }


def run(sizes: list[int], import_repeats: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        results: dict[str, tuple[float, float, float]] = {}
        for name in ("optuna", "trimtab", "optuna", "trimtab"):  # interleaved, best of two
            current = per_trial_ms(name, n)
            if name not in results or current[0] < results[name][0]:
                results[name] = current
        ours, theirs = results["trimtab"], results["optuna"]
        rows.append(_row(f"overhead/trial, {n} trials", ours[0], theirs[0], "ms"))
        window = min(1000, n // 2)
        rows.append(_row(f"  first {window} of {n}", ours[1], theirs[1], "ms"))
        rows.append(_row(f"  last {window} of {n}", ours[2], theirs[2], "ms"))
    biggest = max(sizes)
    rows.append(
        _row(
            f"peak RSS increase, {biggest} trials",
            rss_increase_mb("trimtab", biggest),
            rss_increase_mb("optuna", biggest),
            "MB",
        )
    )
    rows.append(
        _row(
            "import time",
            import_seconds("trimtab", import_repeats),
            import_seconds("optuna", import_repeats),
            "s",
        )
    )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print rows as an aligned text table."""
    headers = list(rows[0])
    widths = [max(len(str(h)), *(len(str(r[h])) for r in rows)) for h in headers]
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)))
    for row in rows:
        print("  ".join(str(row[h]).ljust(w) for h, w in zip(headers, widths)))


def main(argv: list[str] | None = None, extra: list[Callable[[bool], None]] | None = None) -> None:
    """Run the benchmark and print the table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    args = parser.parse_args(argv)
    sizes = [1000, 3000] if args.quick else [1000, 10000]
    rows = run(sizes, import_repeats=3 if args.quick else 7)
    print_table(rows)
    if args.json:
        print(json.dumps(rows))
    for section in extra or []:
        section(args.quick)


if __name__ == "__main__":
    from benchmarks import overhead_tpe

    main(extra=[overhead_tpe.section])
