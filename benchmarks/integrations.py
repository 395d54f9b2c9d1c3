"""trimtab.integration against optuna-integration 5.0.0: LightGBM tuner quality, MLflow cost.

1. ``LightGBMTuner``: trimtab's and optuna-integration's tuners, each with its own library's
   study, run the full stepwise schedule (68 trials, the same ``num_boost_round``) on two
   scikit-learn datasets, ≥ 5 seeds (the seed fixes the train/valid/test split, LightGBM's
   seed and the tuner's ``optuna_seed``). Reported: the best validation score the tuner
   reached and the held-out test score of its best booster (medians; Mann-Whitney U,
   p < 0.05; "win" = trimtab significantly better), and each tuner's own overhead: its wall
   and CPU time minus the time spent in LightGBM (the trials' ``elapsed_secs``), per trial.
2. ``MLflowCallback``: the time each library's callback takes per trial (one MLflow run
   with params, a metric and tags, in a local file store), measured around the callback,
   the libraries interleaved in rounds.

Run: ``python -m benchmarks.integrations`` (``--seeds N``, ``--rounds N`` for LightGBM's
boosting rounds, ``--mlflow-trials N``, ``--only tuner|mlflow``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")

import argparse  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._functions import print_table, verdict  # noqa: E402

DATASETS = {
    # name: (loader, LightGBM params, test metric, better)
    "breast_cancer": ("load_breast_cancer", {"objective": "binary", "metric": "binary_logloss"}),
    "diabetes": ("load_diabetes", {"objective": "regression", "metric": "l2"}),
}


def _split(name: str, seed: int) -> tuple[np.ndarray, ...]:
    import sklearn.datasets
    from sklearn.model_selection import train_test_split

    x, y = getattr(sklearn.datasets, DATASETS[name][0])(return_X_y=True)
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=0.25, random_state=seed)
    x_train, x_valid, y_train, y_valid = train_test_split(
        x_rest, y_rest, test_size=0.25, random_state=seed
    )
    return x_train, y_train, x_valid, y_valid, x_test, y_test


def _test_score(name: str, booster: Any, x_test: np.ndarray, y_test: np.ndarray) -> float:
    predicted = booster.predict(x_test)
    if DATASETS[name][1]["objective"] == "binary":
        p = np.clip(predicted, 1e-15, 1 - 1e-15)
        return float(-np.mean(y_test * np.log(p) + (1 - y_test) * np.log(1 - p)))
    return float(np.mean((predicted - y_test) ** 2))


def run_tuner(library: str, name: str, seed: int, rounds: int) -> dict[str, float]:
    """One full tuner run; the validation and test scores and the tuner's own overhead."""
    import lightgbm

    if library == "trimtab":
        import trimtab
        from trimtab.integration.lightgbm import LightGBMTuner

        study = trimtab.create_study(direction="minimize")
    else:
        import optuna
        from optuna_integration.lightgbm import LightGBMTuner  # type: ignore[no-redef]

        study = optuna.create_study(direction="minimize")
    x_train, y_train, x_valid, y_valid, x_test, y_test = _split(name, seed)
    params = {
        **DATASETS[name][1],
        "verbosity": -1,
        "num_threads": 1,
        "deterministic": True,
        "seed": seed,
    }
    tuner = LightGBMTuner(
        params,
        lightgbm.Dataset(x_train, y_train),
        valid_sets=[lightgbm.Dataset(x_valid, y_valid)],
        num_boost_round=rounds,
        study=study,
        optuna_seed=seed,
        show_progress_bar=False,
    )
    in_lightgbm = [0.0, 0.0]  # wall, CPU seconds spent inside lightgbm.train
    train = lightgbm.train

    def timed_train(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return train(*args, **kwargs)
        finally:
            in_lightgbm[0] += time.perf_counter() - wall
            in_lightgbm[1] += time.process_time() - cpu

    lightgbm.train = timed_train  # both tuners call lightgbm.train through the module
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        tuner.run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        lightgbm.train = train
    n_trials = len(study.trials)
    return {
        "valid": tuner.best_score,
        "test": _test_score(name, tuner.get_best_booster(), x_test, y_test),
        "overhead_ms_wall": 1000 * (wall - in_lightgbm[0]) / n_trials,
        "overhead_ms_cpu": 1000 * (cpu - in_lightgbm[1]) / n_trials,
        "lightgbm_ms_cpu": 1000 * in_lightgbm[1] / n_trials,
        "trials": n_trials,
    }


def bench_tuner(seeds: int, rounds: int) -> None:
    print(f"\nLightGBMTuner, full schedule, num_boost_round={rounds}, {seeds} seeds")
    rows = []
    for name in DATASETS:
        results: dict[str, list[dict[str, float]]] = {"trimtab": [], "optuna": []}
        for seed in range(seeds):
            for library in ("trimtab", "optuna") if seed % 2 == 0 else ("optuna", "trimtab"):
                results[library].append(run_tuner(library, name, seed, rounds))
        for score in ("valid", "test"):
            ours = np.array([r[score] for r in results["trimtab"]])
            theirs = np.array([r[score] for r in results["optuna"]])
            p, outcome = verdict(ours, theirs, "min")
            rows.append(
                {
                    "dataset": name,
                    "score": f"{score} {DATASETS[name][1]['metric']}",
                    "trimtab median": f"{np.median(ours):.5g}",
                    "optuna median": f"{np.median(theirs):.5g}",
                    "p": f"{p:.2f}",
                    "verdict": outcome,
                }
            )
        for library in ("trimtab", "optuna"):
            runs = results[library]
            wall = np.median([r["overhead_ms_wall"] for r in runs])
            cpu = np.median([r["overhead_ms_cpu"] for r in runs])
            training = np.median([r["lightgbm_ms_cpu"] for r in runs])
            print(
                f"  {name}: {library} tuner overhead per trial (outside lightgbm.train), "
                f"median over seeds: {wall:.1f} ms wall, {cpu:.1f} ms CPU; lightgbm.train "
                f"{training:.1f} ms CPU ({int(runs[0]['trials'])} trials per run)"
            )
    print_table(rows)


def _timed(
    callback: Callable[[Any, Any], None], spent: list[tuple[float, float]]
) -> Callable[[Any, Any], None]:
    def timed(study: Any, trial: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        callback(study, trial)
        spent.append((time.perf_counter() - wall, time.process_time() - cpu))

    return timed


def bench_mlflow(n_trials: int, rounds: int) -> None:
    import optuna
    from optuna_integration.mlflow import MLflowCallback as OptunaMLflowCallback

    import trimtab
    from trimtab.integration.mlflow import MLflowCallback

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    spent: dict[str, list[tuple[float, float]]] = {"trimtab": [], "optuna": []}

    def objective(trial: Any) -> float:
        return trial.suggest_float("x", 0, 1) + trial.suggest_int("n", 1, 5)

    with tempfile.TemporaryDirectory() as root:
        for r in range(rounds):
            for library in ("trimtab", "optuna") if r % 2 == 0 else ("optuna", "trimtab"):
                uri = f"file://{root}/{library}"
                if library == "trimtab":
                    study = trimtab.create_study(study_name=f"bench-{r}")
                    callback = MLflowCallback(tracking_uri=uri, metric_name="score")
                else:
                    study = optuna.create_study(study_name=f"bench-{r}")
                    callback = OptunaMLflowCallback(tracking_uri=uri, metric_name="score")
                study.optimize(
                    objective, n_trials=n_trials, callbacks=[_timed(callback, spent[library])]
                )
    ours, theirs = 1000 * np.array(spent["trimtab"]), 1000 * np.array(spent["optuna"])
    print(
        f"\nMLflowCallback per trial ({rounds} rounds x {n_trials} trials each, local file "
        "store, libraries interleaved), medians:"
    )
    for column, kind in enumerate(("wall", "CPU")):
        a, b = np.median(ours[:, column]), np.median(theirs[:, column])
        print(
            f"  {kind}: trimtab {a:.1f} ms, optuna-integration {b:.1f} ms, "
            f"ratio trimtab/optuna {a / b:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--mlflow-trials", type=int, default=30)
    parser.add_argument("--only", choices=["tuner", "mlflow"], help="run one part")
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error("--seeds must be at least 2 for the significance test")
    warnings.simplefilter("ignore")
    import optuna

    import trimtab

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    trimtab.logging.set_verbosity(trimtab.logging.ERROR)
    wall, cpu = time.perf_counter(), time.process_time()
    if args.only != "mlflow":
        bench_tuner(args.seeds, args.rounds)
    if args.only != "tuner":
        bench_mlflow(args.mlflow_trials, rounds=4)
    print(
        f"\nTotal: {time.perf_counter() - wall:.0f} s wall, {time.process_time() - cpu:.0f} s "
        f"CPU ({os.cpu_count()} cores; BLAS/OpenMP one thread)"
    )


if __name__ == "__main__":
    main()
