"""Every trimtab plot of a sample study, on one HTML page.

Runs a small single-objective study (with pruning and a constraint) and a two-objective
study, then writes ``trimtab_plots.html`` (or the path given as the first argument) with
every Plotly plot and the parameter importances. Needs ``pip install "trimtab[visualization]"``.
"""

from __future__ import annotations

import math
import sys

import trimtab
from trimtab import visualization as vis


def objective(trial: trimtab.Trial) -> float:
    x = trial.suggest_float("x", -5.0, 5.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 6)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"])
    loss = x**2 + 0.3 * math.log10(lr) ** 2 + {"adam": 0.0, "sgd": 2.0, "rmsprop": 0.5}[optimizer]
    for step in range(8):
        # A learning curve that converges to the final loss.
        trial.report(loss + 4.0 / (step + 1 + layers), step)
        if step >= 3 and trial.should_prune():
            raise trimtab.TrialPruned()
    trial.set_constraint("x_below_3", x - 3.0)  # feasible when <= 0; shown grey otherwise
    return loss + 0.05 * layers


def two_objectives(trial: trimtab.Trial) -> tuple[float, float]:
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    return x, (1.0 - x) ** 2 + y


def main(path: str) -> None:
    trimtab.logging.set_verbosity(trimtab.logging.WARNING)
    study = trimtab.create_study(
        study_name="sample",
        sampler=trimtab.samplers.RandomSampler(seed=0),
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=5),
    )
    study.optimize(objective, n_trials=120)
    multi = trimtab.create_study(
        directions=["minimize", "minimize"], sampler=trimtab.samplers.RandomSampler(seed=1)
    )
    multi.optimize(two_objectives, n_trials=80)

    figures = [
        vis.plot_optimization_history(study),
        vis.plot_intermediate_values(study),
        vis.plot_parallel_coordinate(study),
        vis.plot_contour(study, params=["x", "lr", "optimizer"]),
        vis.plot_slice(study),
        vis.plot_param_importances(study),
        vis.plot_edf(study),
        vis.plot_rank(study, params=["x", "lr", "optimizer"]),
        vis.plot_timeline(study),
        vis.plot_pareto_front(multi),
        vis.plot_hypervolume_history(multi, reference_point=[1.0, 2.0]),
    ]
    for figure in figures:
        figure.update_layout(height=max(500, figure.layout.height or 0))
    parts = [
        figure.to_html(full_html=False, include_plotlyjs=(i == 0))
        for i, figure in enumerate(figures)
    ]
    importances = trimtab.importance.get_param_importances(study)
    table = "".join(f"<li>{name}: {value:.3f}</li>" for name, value in importances.items())
    with open(path, "w", encoding="utf-8") as out:
        out.write("<html><head><meta charset='utf-8'><title>trimtab plots</title></head><body>")
        out.write(f"<h1>Study '{study.study_name}'</h1><ul>{table}</ul>")
        out.write("".join(f"<div>{part}</div>" for part in parts))
        out.write("</body></html>")
    print(f"best value {study.best_value:.4f}; wrote {len(figures)} plots to {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "trimtab_plots.html")
