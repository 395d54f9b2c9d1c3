"""Ask-and-tell: drive trials from your own loop instead of ``study.optimize``."""

from __future__ import annotations

import trimtab
from trimtab.distributions import FloatDistribution, IntDistribution

if __name__ == "__main__":
    study = trimtab.create_study(direction="maximize")
    space = {"lr": FloatDistribution(1e-4, 1e-1, log=True), "batch": IntDistribution(16, 256)}
    for _ in range(20):
        trial = study.ask(space)  # parameters chosen up front from a fixed space
        lr, batch = trial.params["lr"], trial.params["batch"]
        accuracy = 1.0 - abs(lr - 0.01) * 5 - abs(batch - 64) / 1000
        study.tell(trial, accuracy)
    print("best:", study.best_params, round(study.best_value, 4))
