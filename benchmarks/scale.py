"""A large study: add_trials, the first ``.trials`` and the first TPE trial, vs Optuna 5.0.0.

    python -m benchmarks.scale                   # 100,000 trials, SQLite, PostgreSQL, MariaDB
    python -m benchmarks.scale --trials 2000     # a small run

One study of ``--trials`` finished trials (10 float parameters, one value, two intermediate
values each) is written by trimtab's ``add_trials``; both libraries then read the same
database (the schema is shared). Every measure runs in a fresh process (imports are not
timed; loading the study is) and reports its peak RSS (``ru_maxrss``):

* ``add_trials``: trials per second of one ``study.add_trials(list)`` call (Optuna writes a
  smaller batch: about 15 trials/s would take hours for the whole study);
* first ``.trials``: ``load_study(...)`` then ``study.trials``;
* first TPE trial: ``load_study(..., sampler=TPESampler(seed=0))`` then ``optimize(n_trials=1)``,
  then the median of the next ``--later`` trials (on a copy of the SQLite file).

Figures are medians of ``--repeats`` runs. The machine may be shared: compare the ratios.
Optuna takes minutes per measure at 100,000 trials: ``--optuna-trials N`` gives it a study of
N trials instead (its rows then say so, and no ratio is printed), and ``--libs trimtab``
measures trimtab alone.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.storage import _available, _print_table, _Server

LIBS = ("optuna", "trimtab")
N_PARAMS = 10
_ROOT = Path(__file__).resolve().parents[1]


def _lib(name: str) -> Any:
    import warnings

    warnings.simplefilter("ignore")
    lib = importlib.import_module(name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    return lib


def _objective(trial: Any) -> float:
    return sum(trial.suggest_float(f"x{i}", -10.0, 10.0) for i in range(N_PARAMS))


def _trials(lib: Any, n: int) -> list[Any]:
    dists = {f"x{i}": lib.distributions.FloatDistribution(-10, 10) for i in range(N_PARAMS)}
    batch = []
    for k in range(n):
        params = {name: ((k * 7 + i * 13) % 2000) / 100 - 10 for i, name in enumerate(dists)}
        batch.append(
            lib.trial.create_trial(
                value=sum(params.values()),
                params=params,
                distributions=dists,
                intermediate_values={0: 1.0, 1: 0.5},
            )
        )
    return batch


def _child_write(lib: Any, url: str, n: int) -> dict[str, float]:
    study = lib.create_study(study_name="large", storage=url)
    batch = _trials(lib, n)
    began, cpu = time.perf_counter(), time.process_time()
    study.add_trials(batch)
    seconds = time.perf_counter() - began
    cpu_rate = n / (time.process_time() - cpu)
    return {"seconds": seconds, "rate": n / seconds, "cpu_rate": cpu_rate, "n": n}


def _child_read(lib: Any, url: str) -> dict[str, float]:
    began, cpu = time.perf_counter(), time.process_time()
    study = lib.load_study(study_name="large", storage=url)
    n = len(study.trials)
    return {"seconds": time.perf_counter() - began, "cpu_s": time.process_time() - cpu, "n": n}


def _child_tpe(lib: Any, url: str, later: int) -> dict[str, float]:
    began, cpu = time.perf_counter(), time.process_time()
    study = lib.load_study(study_name="large", storage=url, sampler=lib.samplers.TPESampler(seed=0))
    study.optimize(_objective, n_trials=1)
    first, first_cpu = time.perf_counter() - began, time.process_time() - cpu
    times, cpu_times = [], []
    for _ in range(later):
        began, cpu = time.perf_counter(), time.process_time()
        study.optimize(_objective, n_trials=1)
        times.append(time.perf_counter() - began)
        cpu_times.append(time.process_time() - cpu)
    later_s = statistics.median(times) if times else float("nan")
    later_cpu = statistics.median(cpu_times) if cpu_times else float("nan")
    return {"seconds": first, "cpu_s": first_cpu, "later": later_s, "later_cpu": later_cpu}


def _child(spec: dict[str, Any]) -> None:
    lib = _lib(spec["lib"])
    if spec["measure"] == "write":
        result = _child_write(lib, spec["url"], spec["n"])
    elif spec["measure"] == "read":
        result = _child_read(lib, spec["url"])
    else:
        result = _child_tpe(lib, spec["url"], spec["later"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["rss_mb"] = usage.ru_maxrss / 1024
    result["cpu"] = usage.ru_utime + usage.ru_stime  # the whole process, imports included
    print(json.dumps(result))


def _run(spec: dict[str, Any], timeout: float = 3600) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--child", json.dumps(spec)],
        cwd=_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{spec} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _ratio_rows(label: str, runs: dict[str, list[dict[str, float]]]) -> list[tuple]:
    o, t = _median(runs["optuna"], "seconds"), _median(runs["trimtab"], "seconds")
    co, ct = _median(runs["optuna"], "cpu_s"), _median(runs["trimtab"], "cpu_s")
    ro, rt = _median(runs["optuna"], "rss_mb"), _median(runs["trimtab"], "rss_mb")
    return [
        (f"{label} (s wall)", o, t, f"{o / t:.1f}x faster"),
        (f"{label} (s CPU)", co, ct, f"{co / ct:.1f}x faster"),
        (f"{label}: peak RSS (MB)", ro, rt, f"{ro / rt:.2f}x smaller"),
    ]


def _write_rows(label: str, runs: dict[str, list[dict[str, float]]], counts: dict[str, int]):
    o, t = _median(runs["optuna"], "rate"), _median(runs["trimtab"], "rate")
    sizes = f"optuna {counts['optuna']:,}, trimtab {counts['trimtab']:,}"
    name = f"{label}: add_trials (trials/s; {sizes})"
    co, ct = _median(runs["optuna"], "cpu_rate"), _median(runs["trimtab"], "cpu_rate")
    return [
        (f"{name} wall", o, t, f"{t / o:.0f}x faster"),
        (f"{label}: add_trials (trials/s CPU)", co, ct, f"{ct / co:.0f}x faster"),
    ]


def _sqlite_rows(args: argparse.Namespace, directory: str) -> list[tuple]:
    n, repeats, later, libs = args.trials, args.repeats, args.later, args.libs.split(",")
    base = args.database or f"{directory}/large.db"
    if not args.database:
        built = _run({"measure": "write", "lib": "trimtab", "url": f"sqlite:///{base}", "n": n})
        print(f"built {n:,} trials in {built['seconds']:.1f} s", flush=True)
    sources = {lib: base for lib in libs}
    if "optuna" in libs and args.optuna_trials and args.optuna_trials < n:
        sources["optuna"] = f"{directory}/optuna-small.db"
        spec = {"measure": "write", "lib": "trimtab", "url": f"sqlite:///{sources['optuna']}"}
        _run({**spec, "n": args.optuna_trials})
    counts = {"optuna": min(args.optuna_writes, n), "trimtab": args.writes or n}
    writes: dict[str, list[dict[str, float]]] = {lib: [] for lib in libs}
    for k in range(repeats):
        for lib in libs:
            path = f"{directory}/w-{lib}-{k}.db"
            spec = {"measure": "write", "lib": lib, "url": f"sqlite:///{path}", "n": counts[lib]}
            writes[lib].append(_run(spec))
            os.remove(path)
    print(f"sqlite add_trials: {writes}", flush=True)
    reads: dict[str, list[dict[str, float]]] = {lib: [] for lib in libs}
    tpe: dict[str, list[dict[str, float]]] = {lib: [] for lib in libs}
    for k in range(repeats):
        for lib in libs:
            source = sources[lib]
            reads[lib].append(_run({"measure": "read", "lib": lib, "url": f"sqlite:///{source}"}))
            copy = f"{directory}/tpe-{lib}.db"
            shutil.copy(source, copy)
            spec = {"measure": "tpe", "lib": lib, "url": f"sqlite:///{copy}", "later": later}
            tpe[lib].append(_run(spec))
            os.remove(copy)
        print(f"sqlite read/TPE round {k + 1}: {reads} {tpe}", flush=True)
    if libs != list(LIBS) or sources["optuna"] != base:
        return _single_rows(writes, reads, tpe, later)
    rows = _write_rows("sqlite", writes, counts)
    n = reads["trimtab"][0]["n"]
    rows += _ratio_rows(f"sqlite: load_study + first .trials, {n:,} trials", reads)
    rows += _ratio_rows(f"sqlite: load_study + first TPE trial, {n:,} trials", tpe)
    for key, unit in (("later", "wall"), ("later_cpu", "CPU")):
        o, t = _median(tpe["optuna"], key), _median(tpe["trimtab"], key)
        label = f"sqlite: later TPE trial, median of {later} (s {unit})"
        rows.append((label, o, t, f"{o / t:.1f}x faster"))
    return rows


def _single_rows(
    writes: dict[str, list[dict[str, float]]],
    reads: dict[str, list[dict[str, float]]],
    tpe: dict[str, list[dict[str, float]]],
    later: int,
) -> list[tuple]:
    """Each library's figures on its own study (no ratio: the studies differ in size)."""
    rows: list[tuple] = []
    for lib in writes:
        n = reads[lib][0]["n"]
        for label, runs, key in (
            (f"add_trials, {writes[lib][0]['n']:,} trials (trials/s wall)", writes, "rate"),
            ("add_trials (trials/s CPU)", writes, "cpu_rate"),
            (f"load_study + first .trials, {n:,} trials (s wall)", reads, "seconds"),
            ("load_study + first .trials (s CPU)", reads, "cpu_s"),
            ("load_study + first .trials: peak RSS (MB)", reads, "rss_mb"),
            (f"load_study + first TPE trial, {n:,} trials (s wall)", tpe, "seconds"),
            ("load_study + first TPE trial (s CPU)", tpe, "cpu_s"),
            ("load_study + first TPE trial: peak RSS (MB)", tpe, "rss_mb"),
            (f"later TPE trial, median of {later} (s wall)", tpe, "later"),
            (f"later TPE trial, median of {later} (s CPU)", tpe, "later_cpu"),
        ):
            value = _median(runs[lib], key)
            rows.append(
                (f"sqlite {lib}: {label}", *(("", value) if lib == "trimtab" else (value, "")), "")
            )
    return rows


def _server_rows(backend: str, args: argparse.Namespace) -> list[tuple]:
    n, repeats = args.trials, args.repeats
    counts = {"optuna": min(args.optuna_writes, n), "trimtab": args.writes or n}
    server = _Server(backend)
    try:
        base = server.location()
        _run({"measure": "write", "lib": "trimtab", "url": base, "n": n})
        writes: dict[str, list[dict[str, float]]] = {lib: [] for lib in LIBS}
        for _ in range(repeats):
            for lib in LIBS:
                spec = {"measure": "write", "lib": lib, "url": server.location(), "n": counts[lib]}
                writes[lib].append(_run(spec))
        rows = _write_rows(backend, writes, counts)
        reads: dict[str, list[dict[str, float]]] = {lib: [] for lib in LIBS}
        for _ in range(repeats):
            for lib in LIBS:
                reads[lib].append(_run({"measure": "read", "lib": lib, "url": base}))
        rows += _ratio_rows(f"{backend}: load_study + first .trials, {n:,} trials", reads)
        print(f"done: {backend}: {writes} {reads}", flush=True)
        return rows
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100_000, help="trials in the study")
    parser.add_argument(
        "--writes",
        type=int,
        default=0,
        help="trials trimtab's add_trials writes (default: --trials)",
    )
    parser.add_argument(
        "--optuna-writes",
        type=int,
        default=500,
        help="trials Optuna's add_trials writes (it is slow)",
    )
    parser.add_argument(
        "--optuna-trials",
        type=int,
        default=0,
        help="give Optuna a study of this many trials to read (default: --trials)",
    )
    parser.add_argument("--libs", default="optuna,trimtab", help="libraries to measure")
    parser.add_argument("--database", help="read this SQLite file (a study named 'large')")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--later", type=int, default=5, help="later TPE trials timed")
    parser.add_argument(
        "--backends", default="sqlite,postgresql,mysql", help="comma-separated backends to measure"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child))
        return
    rows: list[tuple] = []
    directory = tempfile.mkdtemp(prefix="trimtab-scale-")
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                rows += _sqlite_rows(args, directory)
            elif _available(backend):
                rows += _server_rows(backend, args)
            else:
                print(f"skipping {backend}: server not reachable")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    _print_table(rows)


if __name__ == "__main__":
    main()
