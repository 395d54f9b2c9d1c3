"""Ray Tune's ``OptunaSearch`` searcher running on trimtab (through ``install_as_optuna()``).

Ray Tune imports Optuna itself and builds its study with ``optuna.create_study``, enqueues its
points to evaluate, asks with ``study.ask`` and tells with ``study.tell``;
here all of that is trimtab, and the study lands in a trimtab SQLite storage. The search runs
in one fresh interpreter (the hook must come before any ``import optuna``); this module is also
that interpreter's script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
N_SAMPLES = 6


def _define_by_run(trial: Any) -> dict[str, Any]:
    """A conditional space: the width exists only for the "wide" model."""
    kind = trial.suggest_categorical("kind", ["wide", "narrow"])
    if kind == "wide":
        trial.suggest_int("width", 8, 64, log=True)
    trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    return {"epochs": 2}


def _trainable(config: dict[str, Any]) -> None:
    from ray import tune

    width = config.get("width", 4)
    for epoch in range(config["epochs"]):
        tune.report({"loss": abs(config["lr"] - 0.01) * 100 + 1.0 / width + epoch * 0.0})


def _search(workdir: str) -> dict[str, Any]:
    import trimtab

    trimtab.install_as_optuna()
    import optuna
    import ray
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    url = f"sqlite:///{workdir}/ray.db"
    searcher = OptunaSearch(
        space=_define_by_run, metric="loss", mode="min", study_name="ray-tune",
        storage=optuna.storages.RDBStorage(url), sampler=optuna.samplers.TPESampler(seed=0),
        points_to_evaluate=[{"kind": "narrow", "lr": 0.02}],
    )  # fmt: skip
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    try:
        tuner = tune.Tuner(
            _trainable,
            tune_config=tune.TuneConfig(search_alg=searcher, num_samples=N_SAMPLES,
                                        max_concurrent_trials=2),
            run_config=tune.RunConfig(storage_path=f"{workdir}/ray_results", verbose=0),
        )  # fmt: skip
        results = tuner.fit()
    finally:
        ray.shutdown()
    study = trimtab.load_study(study_name="ray-tune", storage=url)
    tune_losses = sorted(round(r.metrics["loss"], 9) for r in results)
    return {
        "optuna_is_trimtab": optuna.samplers is trimtab.samplers,
        "errors": [str(r.error) for r in results if r.error is not None],
        "tune_losses": tune_losses,
        "trials": [
            {"state": t.state.name, "params": t.params, "value": t.value} for t in study.trials
        ],
    }


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("ray.tune")
    workdir = tmp_path_factory.mktemp("ray")
    env = {**os.environ, "PYTHONPATH": str(SRC), "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("TRIMTAB_AS_OPTUNA", None)
    done = subprocess.run(
        [sys.executable, __file__, str(workdir)], capture_output=True, text=True, env=env,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


pytestmark = pytest.mark.slow


def test_tune_runs_the_trimtab_searcher_without_errors(search: dict[str, Any]) -> None:
    assert search["optuna_is_trimtab"]
    assert search["errors"] == []
    assert len(search["tune_losses"]) == N_SAMPLES


def test_trimtab_study_holds_every_tune_trial_first_the_given_point(
    search: dict[str, Any],
) -> None:
    tuned = search["trials"]
    assert [t["state"] for t in tuned] == ["COMPLETE"] * N_SAMPLES
    assert tuned[0]["params"] == {"kind": "narrow", "lr": 0.02}  # points_to_evaluate
    assert tuned[0]["value"] == pytest.approx(1.0 + 1 / 4)
    # Ray reports the last result of each trial; trimtab stored the same numbers.
    assert sorted(round(t["value"], 9) for t in tuned) == search["tune_losses"]


def test_define_by_run_space_is_conditional(search: dict[str, Any]) -> None:
    for trial in search["trials"]:
        params = trial["params"]
        assert set(params) == (
            {"kind", "width", "lr"} if params["kind"] == "wide" else {"kind", "lr"}
        )
        assert 1e-4 <= params["lr"] <= 1e-1
        if "width" in params:
            assert 8 <= params["width"] <= 64 and isinstance(params["width"], int)


if __name__ == "__main__":
    print(json.dumps(_search(sys.argv[1])))
