"""Storage throughput, load time and size: trimtab vs Optuna 5.0.0, side by side in one run.

    python -m benchmarks.storage            # full run
    python -m benchmarks.storage --quick    # a short run

Throughput: trials per second of ``RandomSampler`` on a trivial 10-parameter objective, with
1 or 4 worker processes sharing one fresh study (workers start together; start-up is not
timed). Load: ``load_study(...).trials`` and ``trials_dataframe()`` on a large SQLite study
(written once through trimtab; the schema is shared, so both libraries read the same file).
Size: bytes per trial on disk. PostgreSQL, MariaDB and Redis must run on 127.0.0.1 (rows are
skipped otherwise). The machine may be shared: compare the ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432"
MYSQL_ADMIN = "mysql+pymysql://root@127.0.0.1:3306"
REDIS_URL = "redis://127.0.0.1:6379/0"
LIBS = ("optuna", "trimtab")


def _objective(trial: Any) -> float:
    return sum(trial.suggest_float(f"x{i}", -10.0, 10.0) for i in range(10))


def _storage(lib: Any, backend: str, location: str) -> Any:
    if backend in ("sqlite", "postgresql", "mysql"):
        return location  # a URL string, as users pass it
    journal = lib.storages.journal
    if backend == "journal_file":
        return journal.JournalStorage(journal.JournalFileBackend(location))
    return journal.JournalStorage(journal.JournalRedisBackend(REDIS_URL, prefix=location))


def _worker(
    lib_name: str, backend: str, location: str, seconds: float, start: Any, results: Any
) -> None:
    import warnings

    warnings.simplefilter("ignore")
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.ERROR)
    errors = 0
    study = lib.load_study(
        study_name="bench",
        storage=_storage(lib, backend, location),
        sampler=lib.samplers.RandomSampler(),
    )
    start.wait()
    began = time.perf_counter()
    done = 0
    while time.perf_counter() - began < seconds:
        try:
            study.optimize(_objective, n_trials=1)
            done += 1
        except Exception:  # noqa: BLE001 - counted and reported (Optuna's SQLite locks)
            errors += 1
    results.put((done, time.perf_counter() - began, errors))


class _Server:
    """A scratch database on a server, or a Redis key prefix; removed by ``close``."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._dir = tempfile.mkdtemp(prefix="trimtab-bench-")
        self._names: list[str] = []

    def location(self) -> str:
        name = f"trimtab_bench_{uuid.uuid4().hex[:10]}"
        self._names.append(name)
        if self.backend == "sqlite":
            return f"sqlite:///{self._dir}/{name}.db"
        if self.backend == "journal_file":
            return f"{self._dir}/{name}.log"
        if self.backend == "journal_redis":
            return name
        with self._admin().connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        admin = PG_ADMIN if self.backend == "postgresql" else MYSQL_ADMIN
        return f"{admin}/{name}"

    def _admin(self) -> Any:
        import sqlalchemy

        if self.backend == "postgresql":
            return sqlalchemy.create_engine(f"{PG_ADMIN}/postgres", isolation_level="AUTOCOMMIT")
        return sqlalchemy.create_engine(f"{MYSQL_ADMIN}/test", isolation_level="AUTOCOMMIT")

    def size(self, location: str) -> int | None:
        if self.backend == "sqlite":
            path = location[len("sqlite:///") :]
            with sqlite3.connect(path) as conn:  # fold a WAL file into the database first
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return os.path.getsize(path)
        if self.backend == "journal_file":
            return os.path.getsize(location)
        return None

    def close(self) -> None:
        if self.backend in ("postgresql", "mysql"):
            with self._admin().connect() as conn:
                for name in self._names:
                    extra = " WITH (FORCE)" if self.backend == "postgresql" else ""
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{extra}")
        elif self.backend == "journal_redis":
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for name in self._names:
                keys = list(client.scan_iter(match=f"{name}:*"))
                if keys:
                    client.delete(*keys)


def _throughput(lib_name: str, server: _Server, n_procs: int, seconds: float) -> dict[str, Any]:
    lib = importlib.import_module(lib_name)
    location = server.location()
    lib.create_study(study_name="bench", storage=_storage(lib, server.backend, location))
    empty = server.size(location)
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker, args=(lib_name, server.backend, location, seconds, start, results)
        )
        for _ in range(n_procs)
    ]
    for proc in procs:
        proc.start()
    time.sleep(2.0 + 0.5 * n_procs)  # imports and study loading are not timed
    start.set()
    outcomes = [results.get(timeout=seconds * 20 + 120) for _ in procs]
    for proc in procs:
        proc.join()
    done = sum(o[0] for o in outcomes)
    elapsed = max(o[1] for o in outcomes)
    size = server.size(location)
    grown = size - empty if size is not None and empty is not None else None
    return {
        "rate": done / elapsed,
        "errors": sum(o[2] for o in outcomes),
        "bytes_per_trial": grown / done if grown and done else None,
    }


def _available(backend: str) -> bool:
    try:
        if backend in ("postgresql", "mysql"):
            with _Server(backend)._admin().connect():
                return True
        if backend == "journal_redis":
            import redis

            return bool(redis.Redis.from_url(REDIS_URL).ping())
    except Exception:  # noqa: BLE001 - a missing server skips its rows
        return False
    return True


def _build_large_study(lib_name: str, url: str, n_trials: int) -> float:
    """Write ``n_trials`` finished trials with ``add_trials``; return the seconds it took."""
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    study = lib.create_study(study_name="large", storage=url)
    dists = {f"x{i}": lib.distributions.FloatDistribution(-10, 10) for i in range(10)}
    batch = []
    for k in range(n_trials):
        params = {name: ((k * 7 + i * 13) % 2000) / 100 - 10 for i, name in enumerate(dists)}
        batch.append(
            lib.trial.create_trial(
                value=sum(params.values()),
                params=params,
                distributions=dists,
                intermediate_values={0: 1.0, 1: 0.5},
            )
        )
    began = time.perf_counter()
    study.add_trials(batch)
    return time.perf_counter() - began


def _time_best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def _load_rows(n_trials: int, n_written: int, repeats: int) -> list[tuple[str, Any, Any, str]]:
    directory = tempfile.mkdtemp(prefix="trimtab-bench-")
    # Optuna writes about 15 trials/s with add_trials here, so the write/size comparison
    # uses a smaller study; the load comparison reads one large file written by trimtab.
    urls = {lib: f"sqlite:///{directory}/written-{lib}.db" for lib in LIBS}
    write = {lib: _build_large_study(lib, urls[lib], n_written) for lib in LIBS}
    rows: list[tuple[str, Any, Any, str]] = [
        (
            f"add_trials, {n_written} trials (s)",
            write["optuna"],
            write["trimtab"],
            f"{write['optuna'] / write['trimtab']:.1f}x faster",
        ),
    ]
    sizes = {}
    for lib in LIBS:
        path = f"{directory}/written-{lib}.db"
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes[lib] = os.path.getsize(path) / 1e6
    rows.append(
        (
            f"SQLite file, {n_written} trials (MB)",
            sizes["optuna"],
            sizes["trimtab"],
            f"{sizes['optuna'] / sizes['trimtab']:.2f}x smaller",
        )
    )
    url = f"sqlite:///{directory}/large.db"
    _build_large_study("trimtab", url, n_trials)
    with sqlite3.connect(f"{directory}/large.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    large_size = os.path.getsize(f"{directory}/large.db") / 1e6
    timings: dict[str, dict[str, float]] = {}
    for lib_name in LIBS:
        lib = importlib.import_module(lib_name)
        timings[lib_name] = {
            "trials": _time_best(
                lambda lib=lib: lib.load_study(study_name="large", storage=url).trials, repeats
            ),
            "dataframe": _time_best(
                lambda lib=lib: lib.load_study(study_name="large", storage=url).trials_dataframe(),
                repeats,
            ),
        }
    for what in ("trials", "dataframe"):
        o, t = timings["optuna"][what], timings["trimtab"][what]
        label = "load_study().trials" if what == "trials" else "trials_dataframe()"
        rows.append((f"{label}, {n_trials} trials (s)", o, t, f"{o / t:.1f}x faster"))
    rows.append((f"SQLite file, {n_trials} trials (MB, one file)", large_size, large_size, "same"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run")
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql,mysql,journal_file,journal_redis",
        help="comma-separated backends to measure",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the large-study rows")
    args = parser.parse_args()
    chosen = set(args.backends.split(","))
    seconds = 3.0 if args.quick else 15.0
    configs = [
        ("sqlite", 1),
        ("sqlite", 4),
        ("postgresql", 1),
        ("postgresql", 4),
        ("mysql", 1),
        ("journal_file", 1),
        ("journal_file", 4),
        ("journal_redis", 1),
    ]
    rows: list[tuple[str, Any, Any, str]] = []
    for backend, n_procs in configs:
        if backend not in chosen:
            continue
        if not _available(backend):
            print(f"skipping {backend}: server not reachable")
            continue
        server = _Server(backend)
        try:
            result = {lib: _throughput(lib, server, n_procs, seconds) for lib in LIBS}
        finally:
            server.close()
        o, t = result["optuna"], result["trimtab"]
        name = f"{backend}, {n_procs} proc"
        rows.append((f"{name}: trials/s", o["rate"], t["rate"], f"{t['rate'] / o['rate']:.1f}x"))
        rows.append((f"{name}: worker errors", o["errors"], t["errors"], ""))
        if n_procs == 1 and o["bytes_per_trial"] and t["bytes_per_trial"]:
            ratio = o["bytes_per_trial"] / t["bytes_per_trial"]
            rows.append(
                (
                    f"{name}: bytes/trial on disk (growth)",
                    o["bytes_per_trial"],
                    t["bytes_per_trial"],
                    f"{ratio:.2f}x smaller",
                )
            )
        print(f"done: {name}", flush=True)
    if not args.no_load:
        rows.extend(_load_rows(2_000, 200, 1) if args.quick else _load_rows(10_000, 1_000, 3))
    _print_table(rows)


def _print_table(rows: list[tuple[str, Any, Any, str]]) -> None:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 1000 else f"{value:,.0f}"
        return str(value)

    header = ("metric", "optuna 5.0.0", "trimtab", "trimtab vs optuna")
    table = [header] + [(r[0], cell(r[1]), cell(r[2]), r[3]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for k, row in enumerate(table):
        print(
            " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            )
        )
        if k == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
