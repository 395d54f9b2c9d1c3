"""Resume a study: the results live in SQLite, so a second run continues the first."""

from __future__ import annotations

import trimtab

STORAGE = "sqlite:///resume-example.db"


def objective(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return (x - 3) ** 2


if __name__ == "__main__":
    for run in range(2):
        study = trimtab.create_study(
            study_name="resume-example", storage=STORAGE, load_if_exists=True
        )
        study.optimize(objective, n_trials=10)
        print(f"after run {run + 1}: {len(study.trials)} trials, best {study.best_value:.4f}")
    trimtab.delete_study(study_name="resume-example", storage=STORAGE)
