"""Hugging Face Transformers: ``Trainer.hyperparameter_search(backend="optuna")`` on trimtab.

The Trainer imports Optuna itself; ``trimtab.install_as_optuna()`` (called before anything
imports optuna) makes that import trimtab, so the search is a trimtab study stored in
./transformers.db. The model is a one-layer BERT with a 100-word vocabulary, randomly
initialised, and the task is synthetic (does token 7 occur in the sequence?): nothing is
downloaded. Needs transformers, accelerate and torch.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import trimtab

trimtab.install_as_optuna()  # before transformers imports optuna

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import (  # noqa: E402
    BertConfig,
    BertForSequenceClassification,
    EvalPrediction,
    Trainer,
    TrainingArguments,
)

CONFIG = BertConfig(
    vocab_size=100,
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    intermediate_size=32,
    max_position_embeddings=16,
    num_labels=2,
)


def make_dataset(n: int, seed: int) -> list[dict[str, torch.Tensor]]:
    """Sequences of 8 tokens, labelled 1 when token 7 occurs in them."""
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        ids = torch.randint(10, 100, (8,), generator=generator)
        label = int(torch.rand((), generator=generator) < 0.5)
        if label:
            ids[int(torch.randint(0, 8, (), generator=generator))] = 7
        rows.append(
            {
                "input_ids": ids,
                "attention_mask": torch.ones(8, dtype=torch.long),
                "labels": torch.tensor(label),
            }
        )
    return rows


def model_init(trial: trimtab.Trial | None = None) -> BertForSequenceClassification:
    return BertForSequenceClassification(CONFIG)


def accuracy(prediction: EvalPrediction) -> dict[str, float]:
    predicted = prediction.predictions.argmax(-1)
    return {"accuracy": float(np.mean(predicted == prediction.label_ids))}


def hp_space(trial: trimtab.Trial) -> dict[str, float | int]:
    return {
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True),
        "num_train_epochs": trial.suggest_int("num_train_epochs", 1, 3),
        "per_device_train_batch_size": trial.suggest_categorical(
            "per_device_train_batch_size", [8, 16]
        ),
    }


if __name__ == "__main__":
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    args = TrainingArguments(
        output_dir="hf-output",
        per_device_eval_batch_size=64,
        eval_strategy="epoch",
        save_strategy="no",
        logging_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = Trainer(
        model_init=model_init,
        args=args,
        train_dataset=make_dataset(128, seed=0),
        eval_dataset=make_dataset(64, seed=1),
        compute_metrics=accuracy,
    )
    best = trainer.hyperparameter_search(
        hp_space=hp_space,
        compute_objective=lambda metrics: metrics["eval_accuracy"],
        n_trials=6,
        direction="maximize",
        backend="optuna",
        # The remaining keyword arguments go to create_study (here: trimtab's).
        storage="sqlite:///transformers.db",
        study_name="bert-tiny-search",
        sampler=trimtab.samplers.TPESampler(seed=0),
    )
    print(f"best run {best.run_id}: accuracy {best.objective:.3f} with {best.hyperparameters}")

    study = trimtab.load_study(study_name="bert-tiny-search", storage="sqlite:///transformers.db")
    print(f"{len(study.trials)} trials stored; best trial #{study.best_trial.number}")
