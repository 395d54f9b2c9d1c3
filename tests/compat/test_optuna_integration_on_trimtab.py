"""optuna-integration's own modules, run on trimtab through ``install_as_optuna()``.

Those that use Optuna's public API (and the few private helpers trimtab provides under
Optuna's paths) import and work; the README lists which do not and why. The scenarios run in
one fresh interpreter (the hook must come before any ``import optuna``); this module is also
that interpreter's script.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# optuna-integration modules that import on trimtab, and those that need private Optuna code.
IMPORTABLE = [
    "catboost", "cma", "comet", "dask", "fastaiv2", "keras", "lightgbm", "mlflow",
    "pytorch_distributed", "pytorch_ignite", "pytorch_lightning", "sklearn", "skorch",
    "tensorboard", "tensorflow", "tfkeras", "trackio", "wandb", "xgboost",
]  # fmt: skip
NOT_IMPORTABLE = {"botorch": "optuna._deprecated", "shap": "optuna._transform"}


def _odd_trial_pruner(optuna: Any, at_step: int) -> Any:
    class PruneOddTrials(optuna.pruners.BasePruner):
        """Prunes odd-numbered trials once they reported step ``at_step``."""

        def prune(self, study: Any, trial: Any) -> bool:
            return trial.number % 2 == 1 and at_step in trial.intermediate_values

    return PruneOddTrials()


def _summary(study: Any) -> dict[str, Any]:
    return {
        "type": type(study).__module__,
        "states": [t.state.name for t in study.trials],
        "steps": [sorted(t.intermediate_values) for t in study.trials],
    }


def _imports() -> dict[str, str]:
    outcome = {}
    for name in [*IMPORTABLE, *NOT_IMPORTABLE]:
        try:
            importlib.import_module(f"optuna_integration.{name}")
            outcome[name] = "ok"
        except ImportError as err:
            outcome[name] = str(err)
    return outcome


def _search_cv(optuna: Any) -> dict[str, Any]:
    from optuna_integration import OptunaSearchCV
    from sklearn.datasets import load_iris
    from sklearn.linear_model import SGDClassifier

    features, labels = load_iris(return_X_y=True)
    study = optuna.create_study(direction="maximize", pruner=_odd_trial_pruner(optuna, 1))
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True)},
        cv=3, enable_pruning=True, max_iter=4, n_trials=4, random_state=0, study=study,
    )  # fmt: skip
    search.fit(features, labels)
    return {**_summary(search.study_), "best": search.best_params_, "score": search.score(
        features, labels)}  # fmt: skip


def _ignite(optuna: Any) -> dict[str, Any]:
    import torch
    from ignite.engine import Events, create_supervised_evaluator, create_supervised_trainer
    from ignite.metrics import Accuracy
    from optuna_integration import PyTorchIgnitePruningHandler

    torch.manual_seed(0)
    inputs, labels = torch.randn(64, 4), torch.randint(0, 2, (64,))
    batches = [(inputs[i : i + 16], labels[i : i + 16]) for i in range(0, 64, 16)]

    def objective(trial: Any) -> float:
        model = torch.nn.Linear(4, 2)
        lr = trial.suggest_float("lr", 1e-3, 1e-1, log=True)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        trainer = create_supervised_trainer(model, optimizer, torch.nn.functional.cross_entropy)
        evaluator = create_supervised_evaluator(model, metrics={"accuracy": Accuracy()})
        handler = PyTorchIgnitePruningHandler(trial, "accuracy", trainer)
        evaluator.add_event_handler(Events.COMPLETED, handler)
        trainer.add_event_handler(Events.EPOCH_COMPLETED, lambda _: evaluator.run(batches))
        trainer.run(batches, max_epochs=3)
        return float(evaluator.state.metrics["accuracy"])

    study = optuna.create_study(direction="maximize", pruner=_odd_trial_pruner(optuna, 2))
    study.optimize(objective, n_trials=4)
    return _summary(study)


def _skorch(optuna: Any) -> dict[str, Any]:
    import numpy as np
    import torch
    from optuna_integration import SkorchPruningCallback
    from skorch import NeuralNetClassifier

    rng = np.random.default_rng(0)
    features = rng.normal(size=(80, 4)).astype(np.float32)
    labels = (features[:, 0] > 0).astype(np.int64)

    def objective(trial: Any) -> float:
        torch.manual_seed(0)
        net = NeuralNetClassifier(
            torch.nn.Sequential(torch.nn.Linear(4, 2)), criterion=torch.nn.CrossEntropyLoss,
            max_epochs=4, lr=trial.suggest_float("lr", 1e-3, 1e-1, log=True), verbose=0,
            callbacks=[SkorchPruningCallback(trial, "valid_acc")],
        )  # fmt: skip
        net.fit(features, labels)
        return float(net.history[-1, "valid_acc"])

    study = optuna.create_study(direction="maximize", pruner=_odd_trial_pruner(optuna, 1))
    study.optimize(objective, n_trials=4)
    return _summary(study)


def _scenarios() -> dict[str, Any]:
    import trimtab

    trimtab.install_as_optuna()
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return {
        "imports": _imports(),
        "search_cv": _search_cv(optuna),
        "ignite": _ignite(optuna),
        "skorch": _skorch(optuna),
    }


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    for module in ("optuna_integration", "sklearn", "ignite", "skorch"):
        pytest.importorskip(module)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("TRIMTAB_AS_OPTUNA", None)
    done = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


pytestmark = pytest.mark.slow


def test_optuna_integration_modules_import_on_trimtab(runs: dict[str, Any]) -> None:
    imports = runs["imports"]
    assert {name: imports[name] for name in IMPORTABLE} == {name: "ok" for name in IMPORTABLE}
    for name, missing in NOT_IMPORTABLE.items():
        assert missing in imports[name] or "No module named" in imports[name], imports[name]


def test_optuna_integrations_search_cv_runs_a_trimtab_study(runs: dict[str, Any]) -> None:
    search = runs["search_cv"]
    assert search["type"].startswith("trimtab.")
    assert search["states"] == ["COMPLETE", "PRUNED"] * 2  # pruned through partial_fit
    assert search["steps"][1] == [0, 1]
    assert 1e-5 <= search["best"]["alpha"] <= 1e-1 and search["score"] > 0.5


@pytest.mark.parametrize(
    ("library", "pruned_at", "last_step"), [("ignite", 2, 3), ("skorch", 1, 3)]
)
def test_pruning_callbacks_prune_trimtab_trials(
    runs: dict[str, Any], library: str, pruned_at: int, last_step: int
) -> None:
    run = runs[library]
    assert run["type"].startswith("trimtab.")
    assert run["states"] == ["COMPLETE", "PRUNED"] * 2
    for state, steps in zip(run["states"], run["steps"]):
        assert steps[-1] == (last_step if state == "COMPLETE" else pruned_at)


if __name__ == "__main__":
    print(json.dumps(_scenarios()))
