"""Execution: trimtab's process (and Ray) executors vs Optuna 5.0.0, side by side in one run.

    python -m benchmarks.execution            # full run (several minutes)
    python -m benchmarks.execution --quick    # a short run
    python -m benchmarks.execution --ray      # add the Ray rows (starts a local Ray)
    python -m benchmarks.execution --tune 200 50   # add Ray Tune + OptunaSearch rows

Sections:
- cpu: a ~50 ms GIL-bound pure-Python objective, trimtab ``executor="process", n_jobs=2`` vs
  Optuna ``n_jobs=2`` (threads); trials per second. The process pool's first start-up (forking
  the server, importing trimtab) is timed separately ("cold start"); the rows are warm.
- overhead (500 trials): a 1 ms objective (``time.sleep``), 2 workers: per-trial overhead =
  (wall time × workers − Σ objective time) ÷ trials, i.e. how long a worker slot is busy beyond the
  objective. Optuna runs as "N scripts on one storage": 2 processes on one SQLite file (and on
  one journal file), released together, start-up not timed.
- scale: 32 process workers (and 32 Ray tasks with ``--ray``) × 1 ms objectives × 5,000 trials:
  checks exactly 5,000 trials, dense numbers, no duplicates, and reports the coordinator's
  throughput; plus the saturation curve (trials/s for 1..32 workers, 0.2 ms objective).
- tune (with ``--tune N_SHORT N_LONG``): Ray Tune 2.x with ``OptunaSearch`` vs
  ``RayExecutor`` on the same local Ray (2 CPUs): N_SHORT trials of a 1 ms objective, N_LONG
  trials of a 200 ms objective with median early stopping on each side. "ideal s" is the
  objective time each side's trials really ran (the steps early stopping left) over 2 CPUs.

The machine may be shared: compare the ratios measured in this one run.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import tempfile
import time
import warnings
from typing import Any

from benchmarks._functions import print_table

_LOOPS_PER_MS = 0


def calibrate() -> int:
    """Loop iterations of ``spin`` per millisecond on this machine."""
    n = 200_000
    began = time.perf_counter()
    spin(n)
    return int(n / ((time.perf_counter() - began) * 1000))


def spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i % 7
    return total


def make_cpu_objective(loops: int) -> Any:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -10, 10)
        y = trial.suggest_int("y", 0, 10)
        spin(loops)
        return x * x + y

    return objective


def sleepy(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    began = time.perf_counter()
    time.sleep(0.001)
    # One attribute on both sides: the objective's time, and the worker's pid and CPU clock.
    trial.set_user_attr(
        "objective", [time.perf_counter() - began, os.getpid(), time.process_time()]
    )
    return x * x + y * y


def short_sleep(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    time.sleep(0.0002)
    return x


def _quiet(lib: Any) -> None:
    warnings.simplefilter("ignore")
    lib.logging.set_verbosity(lib.logging.ERROR)


def cpu_section(n_trials: int) -> list[dict[str, Any]]:
    import optuna

    import trimtab

    loops = 50 * calibrate()
    objective = make_cpu_objective(loops)
    began = time.perf_counter()
    spin(loops)
    objective_ms = (time.perf_counter() - began) * 1000
    _quiet(optuna)
    _quiet(trimtab)

    cold = time.perf_counter()
    warm_up = trimtab.create_study(sampler=trimtab.samplers.RandomSampler(seed=0))
    warm_up.optimize(lambda t: 0.0, n_trials=2, n_jobs=2, executor="process")
    cold_seconds = time.perf_counter() - cold

    rows = []
    for name, run in (
        ("optuna n_jobs=2 (threads)", lambda s: s.optimize(objective, n_trials, n_jobs=2)),
        (
            'trimtab executor="process" n_jobs=2',
            lambda s: s.optimize(objective, n_trials, n_jobs=2, executor="process"),
        ),
    ):
        lib = optuna if name.startswith("optuna") else trimtab
        study = lib.create_study(sampler=lib.samplers.RandomSampler(seed=0))
        began = time.perf_counter()
        run(study)
        seconds = time.perf_counter() - began
        rows.append({"setup": name, "trials": len(study.trials), "seconds": seconds})
    base = rows[0]["trials"] / rows[0]["seconds"]
    title = f"cpu-bound (~{objective_ms:.0f} ms objective)"
    table = []
    for row in rows:
        rate = row["trials"] / row["seconds"]
        table.append(
            {
                title: row["setup"],
                "trials": row["trials"],
                "seconds": f"{row['seconds']:.2f}",
                "trials/s": f"{rate:.2f}",
                "vs optuna": f"{rate / base:.2f}x",
            }
        )
    table.append(
        {
            title: "trimtab process pool cold start",
            "trials": 2,
            "seconds": f"{cold_seconds:.2f}",
            "trials/s": "",
            "vs optuna": "",
        }
    )
    return table


def _optuna_script(storage_kind: str, location: str, n_trials: int, start: Any, out: Any) -> None:
    import optuna

    _quiet(optuna)
    if storage_kind == "sqlite":
        storage: Any = location
    else:
        journal = optuna.storages.journal
        storage = journal.JournalStorage(journal.JournalFileBackend(location))
    study = optuna.load_study(
        study_name="bench", storage=storage, sampler=optuna.samplers.RandomSampler()
    )
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    study.optimize(sleepy, n_trials=n_trials)
    out.put((time.perf_counter() - began, time.process_time() - cpu))


def _optuna_scripts(storage_kind: str, n_trials: int, n_workers: int) -> dict[str, Any]:
    import optuna

    _quiet(optuna)
    folder = tempfile.mkdtemp(prefix="trimtab-bench-")
    if storage_kind == "sqlite":
        location = f"sqlite:///{folder}/bench.db"
        storage: Any = location
    else:
        location = f"{folder}/bench.log"
        journal = optuna.storages.journal
        storage = journal.JournalStorage(journal.JournalFileBackend(location))
    study = optuna.create_study(study_name="bench", storage=storage)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(
            target=_optuna_script,
            args=(storage_kind, location, n_trials // n_workers, start, out),
        )
        for _ in range(n_workers)
    ]
    for proc in procs:
        proc.start()
    time.sleep(3.0)  # let every script import optuna and open the study: start-up not timed
    start.set()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    trials = study.trials
    return {
        "wall": max(wall for wall, _ in results),
        "trials": trials,
        # Each script is both coordinator and worker: all its CPU is the worker's.
        "coordinator cpu": 0.0,
        "worker cpu": sum(cpu for _, cpu in results),
    }


def _overhead_ms(wall: float, n_workers: int, trials: list[Any]) -> float:
    objective = sum(t.user_attrs["objective"][0] for t in trials)
    return (wall * n_workers - objective) / len(trials) * 1000


def _worker_cpu(trials: list[Any]) -> float:
    """CPU seconds the worker processes spent between their first and last trial's end."""
    marks: dict[int, list[float]] = {}
    for trial in trials:
        _, pid, cpu = trial.user_attrs["objective"]
        marks.setdefault(pid, []).append(cpu)
    total = sum(max(cpus) - min(cpus) for cpus in marks.values())
    # The first trial of each worker is not inside the measured span: scale up to all trials.
    inside = len(trials) - len(marks)
    return total * len(trials) / inside if inside > 0 else 0.0


def overhead_section(n_trials: int) -> list[dict[str, Any]]:
    import trimtab

    _quiet(trimtab)
    rows = []
    for kind in ("sqlite", "journal"):
        result = _optuna_scripts(kind, n_trials, 2)
        rows.append((f"optuna: 2 scripts on one {kind} file", result))
    warm_up = trimtab.create_study()
    warm_up.optimize(lambda t: 0.0, n_trials=2, n_jobs=2, executor="process")
    for storage in (None, f"sqlite:///{tempfile.mkdtemp(prefix='trimtab-bench-')}/t.db"):
        study = trimtab.create_study(storage=storage, sampler=trimtab.samplers.RandomSampler())
        began, cpu = time.perf_counter(), time.process_time()
        study.optimize(sleepy, n_trials=n_trials, n_jobs=2, executor="process")
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        where = "in-memory" if storage is None else "sqlite"
        trials = study.trials
        result = {
            "wall": wall,
            "trials": trials,
            "coordinator cpu": cpu,
            "worker cpu": _worker_cpu(trials),
        }
        rows.append((f"trimtab: process executor, 2 workers, {where}", result))
    best_optuna = min(_overhead_ms(r["wall"], 2, r["trials"]) for _, r in rows[:2])
    table = []
    for name, result in rows:
        trials = result["trials"]
        overhead = _overhead_ms(result["wall"], 2, trials)
        table.append(
            {
                "1 ms objective, 2 workers": name,
                "trials": len(trials),
                "wall s": f"{result['wall']:.2f}",
                "overhead ms/trial": f"{overhead:.2f}",
                "vs best optuna": f"{overhead / best_optuna:.2f}x",
                "coordinator cpu ms/trial": f"{result['coordinator cpu'] / len(trials) * 1000:.2f}",
                "worker cpu ms/trial": f"{result['worker cpu'] / len(trials) * 1000:.2f}",
            }
        )
    return table


def check_trials(study: Any, expected: int) -> str:
    """'ok' when the study holds exactly ``expected`` COMPLETE trials numbered 0..n-1."""
    trials = study.get_trials(deepcopy=False)
    numbers = [t.number for t in trials]
    ids = {t._trial_id for t in trials}
    states = {t.state.name for t in trials}
    if len(trials) != expected:
        return f"{len(trials)} trials"
    if sorted(numbers) != list(range(expected)) or len(ids) != expected:
        return "numbers not dense/unique"
    if states != {"COMPLETE"}:
        return f"states {sorted(states)}"
    return "ok"


def scale_section(n_trials: int, n_workers: int, executor: Any, label: str) -> dict[str, Any]:
    import trimtab

    _quiet(trimtab)
    study = trimtab.create_study(sampler=trimtab.samplers.RandomSampler())
    began = time.perf_counter()
    study.optimize(sleepy, n_trials=n_trials, n_jobs=n_workers, executor=executor)
    wall = time.perf_counter() - began
    return {
        "scale (1 ms objective)": label,
        "workers": n_workers,
        "trials": n_trials,
        "wall s": f"{wall:.2f}",
        "trials/s": f"{n_trials / wall:.0f}",
        "check": check_trials(study, n_trials),
    }


def saturation_curve(n_trials: int, worker_counts: list[int]) -> list[dict[str, Any]]:
    import trimtab

    _quiet(trimtab)
    rows = []
    for n_workers in worker_counts:
        study = trimtab.create_study(sampler=trimtab.samplers.RandomSampler())
        study.optimize(lambda t: 0.0, n_trials=n_workers, n_jobs=n_workers, executor="process")
        began = time.perf_counter()
        study.optimize(short_sleep, n_trials=n_trials, n_jobs=n_workers, executor="process")
        wall = time.perf_counter() - began
        ideal = n_workers / 0.0002
        rows.append(
            {
                "saturation (0.2 ms objective)": "process executor",
                "workers": n_workers,
                "trials": n_trials,
                "trials/s": f"{n_trials / wall:.0f}",
                "objective-bound limit": f"{ideal:.0f}",
            }
        )
    return rows


def _ray() -> Any:
    import ray

    if not ray.is_initialized():
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    return ray


def ray_scale_row(n_trials: int, n_workers: int) -> dict[str, Any]:
    from trimtab.execution import RayExecutor

    _ray()
    executor = RayExecutor(num_cpus=2 / n_workers)
    import trimtab

    warm_up = trimtab.create_study()  # start the Ray worker processes: not timed
    warm_up.optimize(lambda t: 0.0, n_trials=n_workers, n_jobs=n_workers, executor=executor)
    return scale_section(n_trials, n_workers, executor, "trimtab Ray executor (local Ray)")


def _tune_trainable(config: dict[str, Any]) -> None:
    from ray import tune

    for step in range(config["steps"]):
        time.sleep(config["seconds"] / config["steps"])
        tune.report({"loss": config["x"] ** 2 + 1.0 / (step + 1), "step": step})


def _trimtab_stepped(seconds: float, steps: int) -> Any:
    def objective(trial: Any) -> float:
        x = trial.suggest_float("x", -10, 10)
        loss = 0.0
        for step in range(steps):
            time.sleep(seconds / steps)
            loss = x**2 + 1.0 / (step + 1)
            trial.report(loss, step)
            if steps > 1 and trial.should_prune():
                import trimtab

                raise trimtab.TrialPruned()
        return loss

    return objective


def _run_tune(n_trials: int, seconds: float, steps: int) -> tuple[float, int]:
    """Ray Tune's wall seconds and the steps its trials ran (early stopping ends some)."""
    from ray import tune
    from ray.tune.schedulers import MedianStoppingRule
    from ray.tune.search.optuna import OptunaSearch

    scheduler = MedianStoppingRule(time_attr="step", grace_period=1) if steps > 1 else None
    tuner = tune.Tuner(
        _tune_trainable,
        param_space={"x": tune.uniform(-10, 10), "seconds": seconds, "steps": steps},
        tune_config=tune.TuneConfig(
            search_alg=OptunaSearch(metric="loss", mode="min"),
            scheduler=scheduler,
            metric="loss" if scheduler else None,
            mode="min" if scheduler else None,
            num_samples=n_trials,
        ),
        run_config=tune.RunConfig(verbose=0),
    )
    began = time.perf_counter()
    results = tuner.fit()
    wall = time.perf_counter() - began
    return wall, sum(int(r.metrics.get("training_iteration", 0)) for r in results)


def _counts(states: collections.Counter[str]) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(states.items()))


def tune_section(n_short: int, n_long: int) -> list[dict[str, Any]]:
    import trimtab
    from trimtab.execution import RayExecutor

    _ray()
    _quiet(trimtab)
    rows = []
    for label, n_trials, seconds, steps in (
        ("1 ms objective", n_short, 0.001, 1),
        ("200 ms objective, median early stopping", n_long, 0.2, 10),
    ):
        if n_trials == 0:
            continue
        tune_seconds, tune_steps = _run_tune(n_trials, seconds, steps)
        study = trimtab.create_study(pruner=trimtab.pruners.MedianPruner(n_startup_trials=2))
        began = time.perf_counter()
        study.optimize(
            _trimtab_stepped(seconds, steps), n_trials=n_trials, n_jobs=2, executor=RayExecutor()
        )
        ours = time.perf_counter() - began
        our_steps = sum(len(t.intermediate_values) for t in study.trials)
        states = collections.Counter(t.state.name for t in study.trials)
        for name, wall, steps_run, ended in (
            ("Ray Tune + OptunaSearch", tune_seconds, tune_steps, "-"),
            ("trimtab RayExecutor", ours, our_steps, _counts(states)),
        ):
            # The ideal: the objective time this side's trials really ran, over 2 CPUs.
            ideal = steps_run * (seconds / steps) / 2
            rows.append(
                {
                    "vs Ray Tune (2 CPUs)": f"{name}, {label}",
                    "trials": n_trials,
                    "wall s": f"{wall:.2f}",
                    "trials/s": f"{n_trials / wall:.2f}",
                    "vs Tune": f"{tune_seconds / wall:.1f}x",
                    "trials ended": ended,
                    "steps run": steps_run,
                    "ideal s": f"{ideal:.2f}",
                    "vs ideal": f"{wall / ideal:.2f}x" if ideal else "-",
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--ray", action="store_true", help="add the Ray rows")
    parser.add_argument(
        "--tune",
        type=int,
        nargs=2,
        default=None,
        metavar=("N_SHORT", "N_LONG"),
        help="add the Ray Tune comparison with this many trials (200 50 in the issue; Tune "
        "is slow, so pick fewer on a busy machine)",
    )
    parser.add_argument(
        "--sections",
        default="cpu,overhead,scale,curve",
        help="comma-separated subset of cpu,overhead,scale,curve (default: all)",
    )
    args = parser.parse_args()
    quick = args.quick
    sections = set(args.sections.split(","))

    if "cpu" in sections:
        print_table(cpu_section(40 if quick else 200))
        print()
    if "overhead" in sections:
        print_table(overhead_section(200 if quick else 500))
        print()
    if "scale" in sections:
        scale_trials, scale_workers = (500, 8) if quick else (5000, 32)
        rows = [scale_section(scale_trials, scale_workers, "process", "trimtab process executor")]
        if args.ray:
            rows.append(ray_scale_row(scale_trials, scale_workers))
        print_table(rows)
        print()
    if "curve" in sections:
        counts = [1, 2, 4, 8] if quick else [1, 2, 4, 8, 16, 32]
        print_table(saturation_curve(500 if quick else 2000, counts))
    if args.tune:
        print()
        print_table(tune_section(*args.tune))


if __name__ == "__main__":
    main()
