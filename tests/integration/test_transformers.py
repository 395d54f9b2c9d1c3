"""Hugging Face ``Trainer.hyperparameter_search(backend="optuna")`` running on trimtab.

The Trainer imports Optuna itself; ``trimtab.install_as_optuna()`` makes that import trimtab.
A one-layer BERT with a 100-word vocabulary, randomly initialised, learns a synthetic task built
here (no downloads). The searches run in one fresh interpreter (the hook must come before any
``import optuna``); this module is also that interpreter's script.
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
N_TRIALS = 4


def _dataset(n: int, seed: int) -> list[dict[str, Any]]:
    """Sequences of 8 tokens; the label says whether token 7 occurs in them."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        ids = torch.randint(10, 100, (8,), generator=generator)
        label = int(torch.rand((), generator=generator) < 0.5)
        if label:
            ids[int(torch.randint(0, 8, (), generator=generator))] = 7
        rows.append({"input_ids": ids, "attention_mask": torch.ones(8, dtype=torch.long),
                     "labels": torch.tensor(label)})  # fmt: skip
    return rows


def _trainer(output_dir: str, eval_steps: int | None = None, epochs: int = 1) -> Any:
    import numpy as np
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    config = BertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=16,
                        num_labels=2)  # fmt: skip

    def model_init(trial: Any = None) -> Any:
        return BertForSequenceClassification(config)

    def accuracy(prediction: Any) -> dict[str, float]:
        return {
            "accuracy": float(np.mean(prediction.predictions.argmax(-1) == prediction.label_ids))
        }

    args = TrainingArguments(
        output_dir=output_dir, num_train_epochs=epochs, per_device_train_batch_size=16,
        per_device_eval_batch_size=32, eval_strategy="steps" if eval_steps else "epoch",
        eval_steps=eval_steps, save_strategy="no", report_to="none", use_cpu=True,
        disable_tqdm=True, logging_strategy="no", seed=0, dataloader_num_workers=0,
    )  # fmt: skip
    return Trainer(model_init=model_init, args=args, train_dataset=_dataset(32, 0),
                   eval_dataset=_dataset(32, 1), compute_metrics=accuracy)  # fmt: skip


def _hp_space(trial: Any) -> dict[str, Any]:
    return {
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True),
        "per_device_train_batch_size": trial.suggest_categorical(
            "per_device_train_batch_size", [8, 16]
        ),
    }


def _search_scenarios(workdir: str) -> dict[str, Any]:
    import trimtab

    trimtab.install_as_optuna()
    import optuna  # what transformers imports: trimtab

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    results: dict[str, Any] = {"optuna_is_trimtab": optuna.samplers is trimtab.samplers}
    storage = f"sqlite:///{workdir}/hf.db"

    best = _trainer(f"{workdir}/single").hyperparameter_search(
        hp_space=_hp_space, compute_objective=lambda m: m["eval_accuracy"], n_trials=N_TRIALS,
        direction="maximize", backend="optuna", storage=storage, study_name="hf-single",
        sampler=optuna.samplers.RandomSampler(seed=0),
    )  # fmt: skip
    study = trimtab.load_study(study_name="hf-single", storage=storage)
    results["single"] = {
        "best": [best.run_id, best.objective, best.hyperparameters],
        "study": [study.best_trial.number, study.best_value, study.best_params],
        "states": [t.state.name for t in study.trials],
        "direction": study.direction.name,
        "values": [t.value for t in study.trials],
    }

    runs = _trainer(f"{workdir}/multi").hyperparameter_search(
        hp_space=_hp_space, n_trials=N_TRIALS, direction=["minimize", "maximize"],
        compute_objective=lambda m: [m["eval_loss"], m["eval_accuracy"]], backend="optuna",
        storage=storage, study_name="hf-multi", sampler=optuna.samplers.RandomSampler(seed=1),
    )  # fmt: skip
    multi = trimtab.load_study(study_name="hf-multi", storage=storage)
    results["multi"] = {
        "runs": sorted(int(run.run_id) for run in runs),
        "pareto": sorted(t.number for t in multi.best_trials),
        "directions": [d.name for d in multi.directions],
        "n_values": [len(t.values) for t in multi.trials],
    }

    class PruneOddTrials(optuna.pruners.BasePruner):
        """Prunes odd-numbered trials at their first evaluation."""

        def prune(self, study: Any, trial: Any) -> bool:
            return trial.number % 2 == 1 and len(trial.intermediate_values) >= 1

    _trainer(f"{workdir}/pruned", eval_steps=2, epochs=2).hyperparameter_search(
        hp_space=lambda t: {"learning_rate": t.suggest_float("learning_rate", 1e-4, 1e-2)},
        compute_objective=lambda m: m["eval_loss"], n_trials=N_TRIALS,
        direction="minimize", backend="optuna", storage=storage, study_name="hf-pruned",
        pruner=PruneOddTrials(),
    )  # fmt: skip
    pruned = trimtab.load_study(study_name="hf-pruned", storage=storage)
    results["pruned"] = {
        "states": [t.state.name for t in pruned.trials],
        "steps": [sorted(t.intermediate_values) for t in pruned.trials],
    }
    return results


@pytest.fixture(scope="module")
def searches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    workdir = tmp_path_factory.mktemp("hf")
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}  # fmt: skip
    env.pop("TRIMTAB_AS_OPTUNA", None)
    done = subprocess.run(
        [sys.executable, __file__, str(workdir)], capture_output=True, text=True, env=env,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


pytestmark = pytest.mark.slow


def test_trainer_imports_trimtab_as_optuna(searches: dict[str, Any]) -> None:
    assert searches["optuna_is_trimtab"]


def test_single_objective_search_is_stored_in_the_given_trimtab_storage(
    searches: dict[str, Any],
) -> None:
    single = searches["single"]
    assert single["states"] == ["COMPLETE"] * N_TRIALS
    assert single["direction"] == "MAXIMIZE"
    run_id, objective, hyperparameters = single["best"]
    number, value, params = single["study"]
    assert (int(run_id), objective, hyperparameters) == (number, value, params)
    assert value == max(single["values"]) and all(0.0 <= v <= 1.0 for v in single["values"])
    assert set(params) == {"learning_rate", "per_device_train_batch_size"}
    assert 1e-4 <= params["learning_rate"] <= 1e-2


def test_multi_objective_search_returns_the_pareto_front(searches: dict[str, Any]) -> None:
    multi = searches["multi"]
    assert multi["directions"] == ["MINIMIZE", "MAXIMIZE"]
    assert multi["n_values"] == [2] * N_TRIALS
    assert multi["runs"] == multi["pareto"] and multi["runs"]


def test_trainer_evaluation_prunes_through_the_study_pruner(searches: dict[str, Any]) -> None:
    pruned = searches["pruned"]
    assert pruned["states"] == ["COMPLETE", "PRUNED"] * (N_TRIALS // 2)
    # 32 samples, batches of 16, 2 epochs: 4 steps, evaluated every 2 steps (after 2 and 4).
    # Pruned at the first report, halfway; the others train to the end.
    for state, steps in zip(pruned["states"], pruned["steps"]):
        assert steps == ([2] if state == "PRUNED" else [2, 4]), (state, steps)


if __name__ == "__main__":
    print(json.dumps(_search_scenarios(sys.argv[1])))
