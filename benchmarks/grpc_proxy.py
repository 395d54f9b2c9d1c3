"""gRPC storage proxy throughput: trimtab's proxy vs Optuna 5.0.0's, side by side in one run.

    python -m benchmarks.grpc_proxy            # full run
    python -m benchmarks.grpc_proxy --quick    # a short run

Each library serves the database through its own ``run_grpc_proxy_server`` (a separate
process) and 8 worker processes run ``study.optimize`` through its own ``GrpcStorageProxy``
on one shared study, started together (imports, study loading and the workers' first read
of the study are not timed). Reported: finished trials per second over all workers.
Studies start empty, or with 10,000 finished trials already stored (the case the
incremental cache is for; on PostgreSQL the database is analyzed after they are stored).
Objective: 5 float parameters, no work. Sampler: RandomSampler (what the proxy costs, not
the sampler), and the library's default sampler in a second row set. SQLite and PostgreSQL
(127.0.0.1:5432; rows skipped when it is not running). The machine may be shared: compare
the ratios, not absolute numbers. CPU per finished trial of the proxy server, of all
workers, and of the PostgreSQL backends serving the benchmark's database (sampled every
0.1 s; Linux only), all counted over the timed run.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from typing import Any

from benchmarks.storage import _available, _print_table

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432"
LIBS = ("optuna", "trimtab")
N_WORKERS = 8
PREFILL = 10_000

_SERVER = textwrap.dedent(
    """
    import importlib, sys, warnings
    warnings.simplefilter("ignore")
    lib = importlib.import_module(sys.argv[1])
    lib.logging.set_verbosity(lib.logging.WARNING)
    storage = lib.storages.get_storage(sys.argv[2])
    lib.storages.run_grpc_proxy_server(storage, host="127.0.0.1", port=int(sys.argv[3]))
    """
)


def _objective(trial: Any) -> float:
    return sum(trial.suggest_float(f"x{i}", -10.0, 10.0) for i in range(5))


def _worker(
    lib_name: str, port: int, sampler: str, seconds: float, ready: Any, start: Any, results: Any
) -> None:
    import warnings

    warnings.simplefilter("ignore")
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.ERROR)
    storage = lib.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
    storage.wait_server_ready(timeout=120)
    chosen = lib.samplers.RandomSampler() if sampler == "random" else None
    study = lib.load_study(study_name="bench", storage=storage, sampler=chosen)
    study.get_trials(deepcopy=False)  # the first, full read of a pre-filled study: not timed
    ready.put(True)
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    done = errors = 0
    while time.perf_counter() - began < seconds:
        try:
            study.optimize(_objective, n_trials=1)
            done += 1
        except Exception:  # noqa: BLE001 - counted and reported
            errors += 1
    results.put((done, time.perf_counter() - began, errors, time.process_time() - cpu))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the proxy server exited with {server.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"no proxy server on port {port}")


class _Databases:
    """Scratch SQLite files or PostgreSQL databases, removed by ``close``."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._dir = tempfile.mkdtemp(prefix="trimtab-grpc-bench-")
        self._names: list[str] = []

    def new(self) -> str:
        name = f"trimtab_grpc_bench_{uuid.uuid4().hex[:10]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self._dir}/{name}.db"
        self._names.append(name)
        with self._admin().connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        return f"{PG_ADMIN}/{name}"

    def _admin(self) -> Any:
        import sqlalchemy

        return sqlalchemy.create_engine(f"{PG_ADMIN}/postgres", isolation_level="AUTOCOMMIT")

    def close(self) -> None:
        if self._names:
            with self._admin().connect() as conn:
                for name in self._names:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``; NaN elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _DatabaseCpu:
    """CPU seconds of the PostgreSQL backends serving one database, sampled every 0.1 s."""

    def __init__(self, url: str) -> None:
        import sqlalchemy

        self._name = url.rsplit("/", 1)[1] if url.startswith("postgresql") else None
        self._engine = sqlalchemy.create_engine(f"{PG_ADMIN}/postgres")
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        with self._engine.connect() as conn:
            while not self._stop.is_set():
                pids = conn.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %(name)s",
                    {"name": self._name},
                ).scalars()
                for pid in pids:
                    self._last[pid] = _cpu_seconds(pid)
                conn.rollback()
                self._stop.wait(0.1)

    def start(self) -> None:
        if self._name is not None:
            self._thread.start()
            time.sleep(0.3)

    def total(self) -> float:
        return sum(self._last.values())

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._engine.dispose()


def _prefill(url: str, n_trials: int) -> None:
    """Store ``n_trials`` finished trials (trimtab writes them; the schema is shared)."""
    import trimtab

    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    study = trimtab.load_study(study_name="bench", storage=url)
    dists = {f"x{i}": trimtab.distributions.FloatDistribution(-10, 10) for i in range(5)}
    trials = []
    for k in range(n_trials):
        params = {name: ((k * 7 + i * 13) % 2000) / 100 - 10 for i, name in enumerate(dists)}
        trials.append(
            trimtab.trial.create_trial(
                value=sum(params.values()), params=params, distributions=dists
            )
        )
    study.add_trials(trials)
    if url.startswith("postgresql"):
        # A study that grew to this size over time has planner statistics; right after a
        # bulk insert there are none until autovacuum analyzes the table (within a minute or
        # so), and until then PostgreSQL reads a study's trials by the study index alone.
        import sqlalchemy

        engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        engine.dispose()


def _throughput(
    lib_name: str, url: str, prefill: int, sampler: str, seconds: float
) -> dict[str, float]:
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    lib.create_study(study_name="bench", storage=url)
    if prefill:
        _prefill(url, prefill)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, lib_name, url, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        ctx = multiprocessing.get_context("spawn")
        ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(
                target=_worker, args=(lib_name, port, sampler, seconds, ready, start, results)
            )
            for _ in range(N_WORKERS)
        ]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=600)
        database = _DatabaseCpu(url)
        database.start()
        server0, database0 = _cpu_seconds(server.pid), database.total()
        start.set()
        outcomes = [results.get(timeout=seconds * 20 + 300) for _ in procs]
        time.sleep(0.2)
        server1, database1 = _cpu_seconds(server.pid), database.total()
        database.stop()
        for proc in procs:
            proc.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    done = sum(o[0] for o in outcomes)
    per_trial = 1000 / max(done, 1)
    return {
        "rate": done / max(o[1] for o in outcomes),
        "errors": sum(o[2] for o in outcomes),
        "server_ms": (server1 - server0) * per_trial,
        "worker_ms": sum(o[3] for o in outcomes) * per_trial,
        "database_ms": (database1 - database0) * per_trial,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--samplers", default="random,default", help="comma-separated")
    args = parser.parse_args()
    seconds = 6.0 if args.quick else 20.0
    rows: list[tuple[str, Any, Any, str]] = []
    for backend in args.backends.split(","):
        if not _available(backend):
            print(f"skipping {backend}: server not reachable")
            continue
        for sampler in args.samplers.split(","):
            for prefill in (0, PREFILL):
                databases = _Databases(backend)
                try:
                    result = {
                        lib: _throughput(lib, databases.new(), prefill, sampler, seconds)
                        for lib in LIBS
                    }
                finally:
                    databases.close()
                o, t = result["optuna"], result["trimtab"]
                name = f"{backend}, {sampler} sampler, {prefill} trials stored"
                ratio = t["rate"] / o["rate"] if o["rate"] else float("inf")
                rows.append((f"{name}: trials/s", o["rate"], t["rate"], f"{ratio:.1f}x"))
                for part in ("server", "worker", "database"):
                    if backend == "sqlite" and part == "database":
                        continue  # SQLite runs inside the server process
                    o_ms, t_ms = o[f"{part}_ms"], t[f"{part}_ms"]
                    rows.append(
                        (f"{name}: {part} CPU ms/trial", o_ms, t_ms, f"{o_ms / t_ms:.1f}x less")
                    )
                o_all = o["server_ms"] + o["worker_ms"] + o["database_ms"]
                t_all = t["server_ms"] + t["worker_ms"] + t["database_ms"]
                rows.append(
                    (f"{name}: total CPU ms/trial", o_all, t_all, f"{o_all / t_all:.1f}x less")
                )
                rows.append((f"{name}: worker errors", o["errors"], t["errors"], ""))
                print(
                    f"{name}: optuna {o['rate']:.2f}, trimtab {t['rate']:.2f} trials/s "
                    f"({ratio:.1f}x), errors {o['errors']}/{t['errors']}",
                    flush=True,
                )
    print(f"{N_WORKERS} worker processes on one proxy server, {seconds:g} s per row")
    _print_table(rows)


if __name__ == "__main__":
    main()
