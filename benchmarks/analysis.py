"""Analysis speed: every plot (Plotly and Matplotlib) and parameter importances, trimtab vs
Optuna 5.0.0 on the same studies of 1,000 and 10,000 trials with 10 parameters.

Both libraries get identical studies (built with ``add_trials``; 7 uniform floats, a log
float, an int and a categorical; a 2-objective twin for the Pareto-front and hypervolume
plots). For each function trimtab runs in this process and Optuna right after it in a forked
child with a time limit and a 6 GiB memory cap (Optuna's Plotly contour of 10,000 trials
asks for ~70 GB), so a ">" time is a lower bound. Each time is the best of up to 3 runs
(repeated while they fit a third of the limit). Matplotlib figures are created, not saved.
A second table compares trimtab's importances with Optuna's fANOVA (same seed) and default
PED-ANOVA, in percentage points.

Run ``python -m benchmarks.analysis`` (``--quick``: 300 and 1,000 trials, 20 s limit).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

PLOTS = [
    "plot_optimization_history",
    "plot_intermediate_values",
    "plot_parallel_coordinate",
    "plot_contour",
    "plot_slice",
    "plot_param_importances",
    "plot_edf",
    "plot_rank",
    "plot_timeline",
    "plot_pareto_front",
    "plot_hypervolume_history",
]
MULTI_OBJECTIVE = {"plot_pareto_front", "plot_hypervolume_history"}
MEMORY_CAP = 6 * 1024**3
REPEATS = 3


def build(mod: ModuleType, n: int, multi: bool = False) -> Any:
    """A study of ``n`` trials over 10 parameters (identical for both libraries)."""
    import datetime

    rng = np.random.default_rng(0)
    d = mod.distributions
    dists: dict[str, Any] = {f"x{i}": d.FloatDistribution(-5, 5) for i in range(7)}
    dists.update(
        lr=d.FloatDistribution(1e-5, 1.0, log=True),
        layers=d.IntDistribution(1, 8),
        opt=d.CategoricalDistribution(["adam", "sgd", "rmsprop"]),
    )
    start = datetime.datetime(2024, 1, 1)
    study = mod.create_study(directions=["minimize", "maximize"] if multi else ["minimize"])
    trials = []
    for i in range(n):
        p: dict[str, Any] = {f"x{j}": float(rng.uniform(-5, 5)) for j in range(7)}
        p.update(
            lr=float(10 ** rng.uniform(-5, 0)),
            layers=int(rng.integers(1, 9)),
            opt=["adam", "sgd", "rmsprop"][int(rng.integers(3))],
        )
        value = sum(p[f"x{j}"] ** 2 * 0.6**j for j in range(7)) + np.log10(p["lr"]) ** 2
        value += {"adam": 0.0, "sgd": 4.0, "rmsprop": 1.0}[p["opt"]] + 0.1 * p["layers"]
        pruned = i % 10 == 9
        trial = mod.trial.create_trial(
            params=p,
            distributions=dists,
            state=mod.trial.TrialState.PRUNED if pruned else mod.trial.TrialState.COMPLETE,
            value=None if multi or pruned else float(value),
            values=[float(value), float(-(p["x1"] ** 2))] if multi and not pruned else None,
            intermediate_values={s: float(value) + 1.0 / (s + 1) for s in range(5)},
        )
        trial.datetime_start = start + datetime.timedelta(seconds=i)
        trial.datetime_complete = start + datetime.timedelta(seconds=i + 0.5)
        trials.append(trial)
    study.add_trials(trials)
    return study


def plot_call(
    mod: ModuleType, backend: str, name: str, studies: dict[str, Any]
) -> Callable[[], Any]:
    """A zero-argument call of ``name`` on the right study (figure built, not saved)."""
    vis = mod.visualization if backend == "plotly" else mod.visualization.matplotlib
    fn = getattr(vis, name)
    if name == "plot_hypervolume_history":
        return lambda: fn(studies["multi"], reference_point=[200.0, 0.0])
    if name in MULTI_OBJECTIVE:
        return lambda: fn(studies["multi"])
    return lambda: fn(studies["single"])


def _best_of(call: Callable[[], Any], budget: float) -> float:
    """The fastest of up to ``REPEATS`` runs, repeating only while within ``budget`` seconds
    (the machine is shared: the minimum is the least disturbed run)."""
    import matplotlib.pyplot as plt

    times: list[float] = []
    while len(times) < REPEATS and sum(times) + (min(times) if times else 0.0) <= budget:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        plt.close("all")
    return min(times)


def _child(call: Callable[[], Any], conn: Any, budget: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    try:
        conn.send(("ok", _best_of(call, budget)))
    except MemoryError:
        conn.send(("memory", 0.0))
    except Exception as err:  # noqa: BLE001 - reported in the table
        conn.send((f"error: {type(err).__name__}", 0.0))


def time_in_child(call: Callable[[], Any], limit: float) -> tuple[float | None, str]:
    """Run ``call`` in a forked child; return (seconds or None, note)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(call, child, limit / 3))
    proc.start()
    if parent.poll(limit):
        status, seconds = parent.recv()
        proc.join()
        if status == "ok":
            return seconds, ""
        if status == "memory":
            return None, f"> {MEMORY_CAP // 1024**3} GiB"
        return None, status
    proc.kill()
    proc.join()
    return None, f"> {limit:.0f} s"


def time_here(call: Callable[[], Any]) -> float:
    return _best_of(call, budget=20.0)


def row(label: str, ours: float, theirs: float | None, note: str, limit: float) -> str:
    if theirs is not None:
        ratio = f"{theirs / ours:8.1f}x"
        optuna_text = f"{theirs:9.3f}"
    elif note.startswith(">") and note.endswith("s"):
        ratio = f">{limit / ours:7.0f}x"
        optuna_text = f"{note:>9}"
    else:
        ratio, optuna_text = "       -", f"{note:>9}"
    return f"{label:48s} {ours:9.3f} {optuna_text} {ratio}"


def speed_table(n: int, limit: float) -> list[tuple[str, float]]:
    import optuna

    import trimtab

    ours_studies = {"single": build(trimtab, n), "multi": build(trimtab, n, multi=True)}
    theirs_studies = {"single": build(optuna, n), "multi": build(optuna, n, multi=True)}
    print(f"\n{n} trials, 10 params              function   trimtab s  optuna s    ratio")
    results: list[tuple[str, float]] = []
    for backend in ("plotly", "matplotlib"):
        for name in PLOTS:
            ours = time_here(plot_call(trimtab, backend, name, ours_studies))
            theirs, note = time_in_child(plot_call(optuna, backend, name, theirs_studies), limit)
            label = f"{backend:10s} {name}"
            results.append((label, ours))
            print(row(label, ours, theirs, note, limit), flush=True)
    for evaluator in ("PedAnovaImportanceEvaluator", "FanovaImportanceEvaluator"):
        kwargs = {} if evaluator.startswith("Ped") else {"seed": 0}

        def importance(mod: ModuleType, study: Any, ev: str = evaluator, kw: Any = kwargs) -> Any:
            return lambda: mod.importance.get_param_importances(
                study, evaluator=getattr(mod.importance, ev)(**kw)
            )

        ours = time_here(importance(trimtab, ours_studies["single"]))
        theirs, note = time_in_child(importance(optuna, theirs_studies["single"]), limit)
        label = f"importance {evaluator.replace('ImportanceEvaluator', '')}"
        results.append((label, ours))
        print(row(label, ours, theirs, note, limit), flush=True)
    return results


def accuracy_table(n: int) -> None:
    import optuna

    import trimtab

    ours_study, theirs_study = build(trimtab, n), build(optuna, n)
    print(f"\nimportances on {n} trials: trimtab vs Optuna (percentage points)")
    for evaluator in ("FanovaImportanceEvaluator", "PedAnovaImportanceEvaluator"):
        kwargs = {} if evaluator.startswith("Ped") else {"seed": 0}
        ours = trimtab.importance.get_param_importances(
            ours_study, evaluator=getattr(trimtab.importance, evaluator)(**kwargs)
        )
        theirs = optuna.importance.get_param_importances(
            theirs_study, evaluator=getattr(optuna.importance, evaluator)(**kwargs)
        )
        diff = max(abs(ours[k] - theirs[k]) for k in theirs) * 100
        top = [k for k, v in theirs.items() if v >= 0.05]
        same_rank = list(ours)[: len(top)] == top
        print(
            f"  {evaluator:40s} max |diff| {diff:.2e} pp, ranking of params >= 5 %: "
            f"{'same' if same_rank else 'DIFFERENT'} ({', '.join(top)})"
        )


def warm_up() -> None:
    """Import and run everything once on a tiny study, so no timing pays for imports."""
    import optuna

    import trimtab

    for mod in (trimtab, optuna):
        studies = {"single": build(mod, 20), "multi": build(mod, 20, multi=True)}
        for backend in ("plotly", "matplotlib"):
            for name in PLOTS:
                time_here(plot_call(mod, backend, name, studies))
        mod.importance.get_param_importances(studies["single"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 and 1,000 trials, 20 s limit")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import matplotlib

    matplotlib.use("Agg")
    import optuna

    import trimtab

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    sizes, limit = ((300, 1000), 20.0) if args.quick else ((1000, 10000), 60.0)
    warm_up()
    for n in sizes:
        results = speed_table(n, limit)
        slow = [(label, s) for label, s in results if s >= 2.0]
        print(
            f"trimtab functions at or over 2 s on {n} trials: "
            + (
                ", ".join(
                    f"{label.split()[-1]} ({label.split()[0]}, {s:.1f} s)" for label, s in slow
                )
                or "none"
            )
        )
    accuracy_table(sizes[0] if args.quick else 1000)


if __name__ == "__main__":
    main()
